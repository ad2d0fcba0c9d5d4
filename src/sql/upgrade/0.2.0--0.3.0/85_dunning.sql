-- 0.2.0 -> 0.3.0, dunning and collections (issue 18, part D): dunning levels, runs, notices and letters, disputes, promises to pay, the collector's worklist, statements of account; the overdue rules leave disputed invoices out by policy (rule.disputed_invoices); alert kind promise_broken.
-- Note for merges: check_rule() below is a copy of src/sql/checks/explain.sql as merged (every branch of every fragment), and credit_setting_validate() of src/sql/credit/policy.sql: a later CREATE OR REPLACE wins.

-- == credit settings: rule.disputed_invoices, dunning.interval_days, dunning.broken_promise ==
CREATE OR REPLACE FUNCTION @extschema@.credit_setting_validate() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NEW.name IN ('mode.order', 'mode.delivery', 'mode.invoice') THEN
		IF NEW.value NOT IN ('block', 'warn', 'hold', 'off') THEN
			RAISE EXCEPTION 'invalid value "%" for credit setting "%"', NEW.value, NEW.name
				USING ERRCODE = 'invalid_parameter_value', HINT = 'A check mode is block, warn, hold or off.';
		END IF;
	ELSIF NEW.name = 'rule.overdue_days' THEN
		IF NEW.value <> 'off' AND (NEW.value !~ '^[0-9]{1,4}$') THEN
			RAISE EXCEPTION 'invalid value "%" for credit setting "%"', NEW.value, NEW.name
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Give a number of days (0-9999) or off.';
		END IF;
	ELSIF NEW.name = 'rule.grade_d' THEN
		IF NEW.value NOT IN ('on', 'off') THEN
			RAISE EXCEPTION 'invalid value "%" for credit setting "%"', NEW.value, NEW.name
				USING ERRCODE = 'invalid_parameter_value', HINT = 'The value is on or off.';
		END IF;
	ELSIF NEW.name = 'rule.external_event' THEN
		IF NEW.value NOT IN ('off', 'B', 'C', 'D') THEN
			RAISE EXCEPTION 'invalid value "%" for credit setting "%"', NEW.value, NEW.name
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Give the grade a customer with an unreviewed external event is capped at (B, C or D), or off.';
		END IF;
	ELSIF NEW.name = 'rule.disputed_invoices' THEN
		IF NEW.value NOT IN ('count', 'ignore') THEN
			RAISE EXCEPTION 'invalid value "%" for credit setting "%"', NEW.value, NEW.name
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'count (an invoice under open dispute counts in the overdue rules) or ignore (it does not).';
		END IF;
	ELSIF NEW.name = 'dunning.interval_days' THEN
		IF NEW.value !~ '^[0-9]{1,3}$' OR NEW.value::integer > 365 THEN
			RAISE EXCEPTION 'invalid value "%" for credit setting "%"', NEW.value, NEW.name
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Give a number of days between 0 and 365.';
		END IF;
	ELSIF NEW.name = 'dunning.broken_promise' THEN
		IF NEW.value NOT IN ('escalate', 'alert') THEN
			RAISE EXCEPTION 'invalid value "%" for credit setting "%"', NEW.value, NEW.name
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'escalate (alert, and the next run raises the promised invoices one level at once) or alert (alert only).';
		END IF;
	ELSIF NEW.name = 'alert.nearly_used_pct' THEN
		IF NEW.value !~ '^[0-9]{1,3}(\.[0-9]+)?$' OR NEW.value::numeric NOT BETWEEN 1 AND 100 THEN
			RAISE EXCEPTION 'invalid value "%" for credit setting "%"', NEW.value, NEW.name
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Give a percentage between 1 and 100.';
		END IF;
	ELSE
		RAISE EXCEPTION 'unknown credit setting "%"', NEW.name
			USING ERRCODE = 'undefined_object',
				  HINT = 'SELECT name FROM customer_class.credit_settings lists the settings.';
	END IF;
	RETURN NEW;
END
$$;

INSERT INTO @extschema@.credit_setting (name, value, description, set_by, set_at, shipped) VALUES
	('rule.disputed_invoices', 'count', 'whether an invoice under open dispute counts in the overdue rules (rule.overdue_days, invoice_overdue alerts): count or ignore', 'customer_class', '2000-01-01', true),
	('dunning.interval_days', '7', 'a dunning run raises an invoice to its next level only this many days after its previous notice (0 to 365)', 'customer_class', '2000-01-01', true),
	('dunning.broken_promise', 'escalate', 'a broken promise to pay raises a promise_broken alert; escalate: the run that finds it also raises the promised invoices one level at once; alert: the alert only', 'customer_class', '2000-01-01', true);

-- == alert kind promise_broken ==
CREATE OR REPLACE FUNCTION @extschema@.check_rule(table_name text, constraint_name text, new_row jsonb,
									   OUT detail text, OUT hint text)
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r jsonb := coalesce(new_row, '{}');
	-- a value as the row holds it, double-quoted like identifiers in messages
	v text;
BEGIN
	CASE pg_catalog.regexp_replace(table_name, '^.*\.', '') || '.' || constraint_name
	WHEN 'customer.customer_name_not_blank' THEN
		detail := 'The customer name is empty or only blanks.';
		hint := 'Give the customer a name.';
	WHEN 'customer.customer_type_valid' THEN
		detail := format('customer_type "%s" is not one of: enterprise, individual.', r->>'customer_type');
		hint := 'Write enterprise or individual, in lower case.';
	WHEN 'customer.customer_size_class_valid' THEN
		detail := format('size_class "%s" is not one of: micro, small, medium, large.', r->>'size_class');
		hint := 'Write micro, small, medium or large, in lower case, or leave it NULL when unknown.';
	WHEN 'customer.customer_region_is_path' THEN
		v := r->>'region';
		detail := format('region "%s" is not a region path: labels of lower-case letters a-z, digits, '
						 'underscores or Chinese characters, separated by single dots.', v);
		hint := CASE
			WHEN v ~ '[A-Z]' THEN format('Regions are lower case: write "%s".', lower(v))
			WHEN v ~ '[\s。．、]' THEN 'Separate the labels with a plain dot (.), without spaces, as in "east.shanghai" or "华东.上海".'
			ELSE 'Write a dotted path such as "east.shanghai" or "华东.上海", or leave it NULL when unknown.'
		END;
	WHEN 'customer.customer_credit_limit_not_negative' THEN
		detail := format('credit_limit %s is negative.', r->>'credit_limit');
		hint := 'Set 0 to give no credit, or NULL to apply the default limit of the customer''s grade.';
	WHEN 'customer.customer_payment_terms_valid' THEN
		detail := format('payment_terms_days %s is not between 0 and 365.', r->>'payment_terms_days');
		hint := 'Give the agreed payment terms in days: 0 (cash) to 365.';
	WHEN 'customer.customer_payment_terms_basis_valid' THEN
		detail := format('payment_terms_basis "%s" is not one of: invoice, month_end.', r->>'payment_terms_basis');
		hint := 'Write invoice (due the terms after the invoice date) or month_end (after the end of the invoice''s month, 月结).';
	WHEN 'sales_order.sales_order_amount_not_negative' THEN
		detail := format('amount %s is negative.', r->>'amount');
		hint := 'An order amount is 0 or more: cancel an order with status cancelled, and credit an invoice with a payment of kind credit_note.';
	WHEN 'sales_order.sales_order_status_valid' THEN
		detail := format('status "%s" is not one of: open, shipped, invoiced, cancelled.', r->>'status');
		hint := 'Write one of these, in lower case.';
	WHEN 'sales_order.sales_order_shipped_after_ordered' THEN
		detail := format('shipped_on %s is before ordered_on %s.', r->>'shipped_on', r->>'ordered_on');
		hint := 'An order is shipped on or after the day it was ordered.';
	WHEN 'sales_order.sales_order_cost_not_negative' THEN
		detail := format('cost %s is negative.', r->>'cost');
		hint := 'A cost is 0 or more, or NULL when it is not known.';
	WHEN 'invoice.invoice_amount_positive' THEN
		detail := format('amount %s is not positive.', r->>'amount');
		hint := 'An invoice amount is more than 0: record a credit as a payment of kind credit_note.';
	WHEN 'invoice.invoice_due_not_before_issue' THEN
		detail := format('due_on %s is before issued_on %s.', r->>'due_on', r->>'issued_on');
		hint := 'An invoice falls due on or after the day it was issued.';
	WHEN 'invoice.invoice_cost_not_negative' THEN
		detail := format('cost %s is negative.', r->>'cost');
		hint := 'The cost of what an invoice bills is 0 or more, or NULL when it is not known.';
	WHEN 'payment.payment_amount_positive' THEN
		detail := format('amount %s is not positive.', r->>'amount');
		hint := 'A payment or credit note amount is more than 0: correct or delete a wrong one instead of offsetting it.';
	WHEN 'payment.payment_kind_valid' THEN
		detail := format('kind "%s" is not one of: payment, credit_note.', r->>'kind');
		hint := 'Write payment or credit_note, in lower case.';
	WHEN 'risk_factor.risk_factor_prefix_valid' THEN
		detail := format('prefix "%s" is not industry or region, alone or followed by dot-separated labels.', r->>'prefix');
		hint := 'Write the dimension and the customer''s industry or region, as in industry.construction or region.east.';
	WHEN 'risk_factor.risk_factor_points_range' THEN
		detail := format('points %s is not between 0 and 100.', r->>'points');
		hint := 'Give the risk points from 0 (highest risk) to 100 (lowest).';
	WHEN 'external_score.external_score_range' THEN
		detail := format('score %s is not between 0 and 100.', r->>'score');
		hint := 'Scale the agency''s score to 0-100, 100 the best, before loading it.';
	WHEN 'external_score.external_score_source_not_blank' THEN
		detail := 'The source is empty or only blanks.';
		hint := 'Name the agency or file the score comes from.';
	WHEN 'credit_override.credit_override_reason_given' THEN
		detail := 'The reason is empty or only blanks.';
		hint := 'Say why the grade is overridden: the history keeps it.';
	WHEN 'credit_override.credit_override_expires_after_start' THEN
		detail := format('expires_on %s is not after valid_from %s.', r->>'expires_on', r->>'valid_from');
		hint := 'An override ends (expires_on) after the day it starts (valid_from, by default the as-of date).';
	WHEN 'credit_limit_policy.credit_limit_policy_method_valid' THEN
		detail := format('method "%s" is not one of: amount, sales_multiple, none.', r->>'method');
		hint := 'Write amount (a fixed amount), sales_multiple (a multiple of recent sales) or none (no credit).';
	WHEN 'credit_limit_policy.credit_limit_policy_amount_given' THEN
		detail := 'Method amount needs an amount.';
		hint := 'Set amount to the limit of the grade.';
	WHEN 'credit_limit_policy.credit_limit_policy_multiple_given' THEN
		detail := format('Method sales_multiple needs sales_multiple above 0 (here %s) and sales_months between 1 and 120 (here %s).',
						 coalesce(r->>'sales_multiple', 'NULL'), r->>'sales_months');
		hint := 'Set, e.g., sales_multiple 0.25 and sales_months 12 for a quarter of the last year''s sales.';
	WHEN 'credit_limit_policy.credit_limit_policy_amounts_not_negative' THEN
		detail := format('amount %s or max_amount %s is negative.', coalesce(r->>'amount', 'NULL'), coalesce(r->>'max_amount', 'NULL'));
		hint := 'Limits are 0 or more; use method none for no credit.';
	WHEN 'credit_limit_policy.credit_limit_policy_terms_valid' THEN
		detail := format('payment terms %s days from %s: the days must be 0 to 365 and the basis invoice or month_end.',
						 r->>'payment_terms_days', r->>'payment_terms_basis');
		hint := 'Write e.g. 30 and invoice (30 days net), or 30 and month_end (30 days end of month, 月结30天).';
	WHEN 'credit_limit_policy.credit_limit_policy_terms_complete' THEN
		detail := 'Only one of payment_terms_days and payment_terms_basis is set.';
		hint := 'Set both to give the grade its own terms, or neither to keep each customer''s.';
	WHEN 'credit_limit_override.credit_limit_override_reason_given' THEN
		detail := 'The reason is empty or only blanks.';
		hint := 'Say why the limit is overridden: the history keeps it.';
	WHEN 'credit_limit_override.credit_limit_override_not_negative' THEN
		detail := format('credit_limit %s is negative.', r->>'credit_limit');
		hint := 'A limit override is 0 (no credit) or more.';
	WHEN 'credit_limit_override.credit_limit_override_expires_after_start' THEN
		detail := format('expires_on %s is not after valid_from %s.', r->>'expires_on', r->>'valid_from');
		hint := 'An override ends (expires_on) after the day it starts (valid_from, by default the as-of date).';
	WHEN 'credit_check_exception.credit_check_exception_checkpoint_valid' THEN
		detail := format('checkpoint "%s" is not one of: order, delivery, invoice.', r->>'checkpoint');
		hint := 'Write order, delivery or invoice, or leave it NULL for every checkpoint.';
	WHEN 'credit_check_exception.credit_check_exception_mode_valid' THEN
		detail := format('mode "%s" is not one of: block, warn, hold, off.', r->>'mode');
		hint := 'Write block, warn, hold or off, in lower case.';
	WHEN 'credit_check_exception.credit_check_exception_reason_given' THEN
		detail := 'The reason is empty or only blanks.';
		hint := 'Say why the customer is excepted from the check: the history keeps it.';
	WHEN 'alerts.alerts_kind_valid' THEN
		detail := format('kind "%s" is not one of: limit_nearly_used, limit_exceeded, invoice_overdue, grade_d, '
						 'blocked, payment_rhythm, became_dormant, external_event, promise_broken, '
						 'horizon_limit_exceeded, document_value_exceeded, overdue_ratio_exceeded.', r->>'kind');
		hint := 'Raise an alert of one of these kinds.';
	WHEN 'external_event.external_event_kind_valid' THEN
		detail := format('kind "%s" is not one of: litigation, frozen_equity, enforcement, bankruptcy, '
						 'administrative_penalty, dishonoured_bill, rating_downgrade, other.', r->>'kind');
		hint := 'Record any other negative event as other, and describe it in detail.';
	WHEN 'external_event.external_event_source_given' THEN
		detail := 'The source is empty.';
		hint := 'Name where the event was found, e.g. court records.';
	WHEN 'tag_dimension.tag_dimension_is_tag' THEN
		detail := format('dimension "%s" is not a single tag.', r->>'dimension');
		hint := 'A dimension is a tag such as industry or region.';
	WHEN 'tag_catalog.tag_catalog_is_tag' THEN
		detail := format('tag "%s" is not a single tag.', r->>'tag');
		hint := 'Write one tag, such as industry.construction.';
	WHEN 'tag_catalog.tag_catalog_tag_in_dimension' THEN
		detail := format('tag "%s" does not lie in its dimension "%s".', r->>'tag', r->>'dimension');
		hint := format('A tag of dimension "%s" is "%s" itself or starts with "%s.".',
					   r->>'dimension', r->>'dimension', r->>'dimension');
	WHEN 'rewound_row.rewound_row_relation_valid' THEN
		detail := format('relation "%s" is not one of: class_history, rfm_boundary, alerts.', r->>'relation');
		hint := 'Only rewind() writes this table, and only rows of those tables.';
	ELSE
		NULL;
	END CASE;
END
$$;

ALTER TABLE @extschema@.alerts DROP CONSTRAINT alerts_kind_valid;
ALTER TABLE @extschema@.alerts ADD CONSTRAINT alerts_kind_valid CHECK (kind IN ('limit_nearly_used', 'limit_exceeded', 'invoice_overdue', 'grade_d', 'blocked',
											  'payment_rhythm', 'became_dormant', 'external_event', 'promise_broken',
											  'horizon_limit_exceeded', 'document_value_exceeded', 'overdue_ratio_exceeded'));
DROP TRIGGER alerts_explain_check ON @extschema@.alerts;
CREATE TRIGGER alerts_explain_check BEFORE INSERT OR UPDATE ON @extschema@.alerts
	FOR EACH ROW WHEN ((NEW.kind IN ('limit_nearly_used', 'limit_exceeded', 'invoice_overdue', 'grade_d', 'blocked',
									 'payment_rhythm', 'became_dormant', 'external_event', 'promise_broken',
									 'horizon_limit_exceeded', 'document_value_exceeded', 'overdue_ratio_exceeded')) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();
COMMENT ON COLUMN @extschema@.alerts.kind IS 'limit_nearly_used, limit_exceeded, invoice_overdue, grade_d, blocked, payment_rhythm, became_dormant, external_event, promise_broken, horizon_limit_exceeded, document_value_exceeded or overdue_ratio_exceeded';

-- == levels, disputes, notices, customer_dunning_level (collections/dunning.sql) ==
-- Collections, part 1: dunning levels, disputes, the notices and the
-- customer's dunning level (docs/collections.md).  Loaded after the credit
-- policy (credit_setting) and before the credit checks: the overdue rule
-- (credit_overdue_invoice, credit/check.sql) leaves out disputed invoices
-- by policy, and a check may ask customer_dunning_level(), both SQL bodies
-- bound when they are created.  The run, promises, letters, worklist and
-- statements are in collections/collections.sql and collections/statement.sql.
--
-- The rows are checked by BEFORE triggers that say what is accepted (no
-- CHECK constraints: those would need an entry in check_rule() each).

-- == Dunning levels ==
-- Level 0 is the reminder before the due date (days_past_due <= 0: that
-- many days before it); levels 1-9 are the steps after it.  Shipped rows
-- come back with CREATE EXTENSION, are read-only and not dumped; a row of
-- the admin's own for the same level wins (enabled = false switches the
-- level off), and pg_dump keeps it.
CREATE TABLE @extschema@.dunning_level (
	level			integer NOT NULL,
	days_past_due	integer NOT NULL,
	name_en			text NOT NULL,
	name_zh			text NOT NULL,
	fee				numeric(18,2) NOT NULL DEFAULT 0,
	interest_rate	numeric(7,4) NOT NULL DEFAULT 0,
	letter_en		text NOT NULL,
	letter_zh		text NOT NULL,
	enabled			boolean NOT NULL DEFAULT true,
	shipped			boolean NOT NULL DEFAULT false,
	PRIMARY KEY (level, shipped)
);

-- The placeholders a letter may use, filled by dunning_run() for each notice.
CREATE FUNCTION @extschema@.dunning_placeholders() RETURNS text[]
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN ARRAY['customer_id', 'customer_name', 'invoice_id', 'issued_on', 'due_on', 'days_past_due',
				 'days_until_due', 'open_amount', 'fee', 'fees_total', 'interest', 'total_due',
				 'level', 'level_name', 'run_on'];
COMMENT ON FUNCTION @extschema@.dunning_placeholders() IS
	'the placeholders a dunning letter may use, written {name}: customer_id, customer_name, invoice_id, issued_on, due_on, days_past_due, days_until_due, open_amount, fee, fees_total, interest, total_due, level, level_name, run_on';

-- A letter with its placeholders filled: every {name} of vals replaced by
-- its value (NULL: empty).
CREATE FUNCTION @extschema@.dunning_letter_render(template text, vals jsonb) RETURNS text
	LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	k text;
	v text;
	letter text := template;
BEGIN
	FOR k, v IN SELECT e.key, e.value FROM jsonb_each_text(vals) e LOOP
		letter := replace(letter, '{' || k || '}', coalesce(v, ''));
	END LOOP;
	RETURN letter;
END
$$;
COMMENT ON FUNCTION @extschema@.dunning_letter_render(text, jsonb) IS
	'a letter template with each {name} replaced by the value of name in the jsonb object (NULL values as empty text)';

CREATE FUNCTION @extschema@.dunning_level_validate() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	col text;
	bad text;
BEGIN
	IF NEW.level IS NULL OR NEW.level NOT BETWEEN 0 AND 9 THEN
		RAISE EXCEPTION 'invalid dunning level %', NEW.level
			USING ERRCODE = 'check_violation',
				  HINT = 'Level 0 is the reminder before the due date; the steps after it are levels 1 to 9.';
	END IF;
	IF NEW.level = 0 AND NEW.days_past_due NOT BETWEEN -365 AND 0 THEN
		RAISE EXCEPTION 'invalid days_past_due % for dunning level 0', NEW.days_past_due
			USING ERRCODE = 'check_violation',
				  DETAIL = 'Level 0 is the reminder sent before the due date.',
				  HINT = 'Give how many days before the due date it is sent as a negative number (-365 to 0; -7: a week before).';
	ELSIF NEW.level > 0 AND NEW.days_past_due NOT BETWEEN 1 AND 3650 THEN
		RAISE EXCEPTION 'invalid days_past_due % for dunning level %', NEW.days_past_due, NEW.level
			USING ERRCODE = 'check_violation',
				  HINT = 'A level after the due date applies from 1 to 3650 days past due.';
	END IF;
	IF btrim(NEW.name_en) = '' OR btrim(NEW.name_zh) = '' THEN
		RAISE EXCEPTION 'dunning level % needs a name in English and in Chinese', NEW.level
			USING ERRCODE = 'check_violation', HINT = 'Fill name_en and name_zh.';
	END IF;
	IF NEW.fee < 0 THEN
		RAISE EXCEPTION 'invalid fee % for dunning level %', NEW.fee, NEW.level
			USING ERRCODE = 'check_violation', HINT = 'A fee is 0 or more.';
	END IF;
	IF NEW.interest_rate NOT BETWEEN 0 AND 1 THEN
		RAISE EXCEPTION 'invalid interest_rate % for dunning level %', NEW.interest_rate, NEW.level
			USING ERRCODE = 'check_violation',
				  HINT = 'Give the yearly rate as a fraction between 0 and 1 (0.08 is 8 % a year).';
	END IF;
	FOREACH col IN ARRAY ARRAY['letter_en', 'letter_zh'] LOOP
		IF btrim(to_jsonb(NEW) ->> col) = '' THEN
			RAISE EXCEPTION 'dunning level % has an empty %', NEW.level, col
				USING ERRCODE = 'check_violation', HINT = 'Write the letter text; it may use placeholders such as {invoice_id}.';
		END IF;
		SELECT m[1] INTO bad
		FROM regexp_matches(to_jsonb(NEW) ->> col, '\{([^{}]*)\}', 'g') AS m
		WHERE m[1] <> ALL (@extschema@.dunning_placeholders())
		LIMIT 1;
		IF FOUND THEN
			RAISE EXCEPTION 'unknown placeholder "{%}" in % of dunning level %', bad, col, NEW.level
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'The placeholders are: {' || array_to_string(@extschema@.dunning_placeholders(), '}, {') || '}.';
		END IF;
	END LOOP;
	RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.dunning_level_validate() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.dunning_level_validate() IS
	'trigger: a dunning level must have a level 0-9, days in its range, names, a fee and rate not negative (rate at most 1) and letters that use only the known placeholders';

CREATE TRIGGER dunning_level_validate BEFORE INSERT OR UPDATE ON @extschema@.dunning_level
	FOR EACH ROW EXECUTE FUNCTION @extschema@.dunning_level_validate();
CREATE TRIGGER dunning_level_protect_shipped BEFORE UPDATE OR DELETE ON @extschema@.dunning_level
	FOR EACH ROW EXECUTE FUNCTION @extschema@.protect_shipped_row();

INSERT INTO @extschema@.dunning_level (level, days_past_due, name_en, name_zh, fee, interest_rate, letter_en, letter_zh, shipped) VALUES
	(0, -7, 'payment reminder', '到期提醒', 0, 0,
	 'Dear {customer_name}, this is a reminder that invoice {invoice_id} of {open_amount} falls due on {due_on}. If you have paid it already, please disregard this letter.',
	 '尊敬的{customer_name}:贵司发票 {invoice_id} 金额 {open_amount} 将于 {due_on} 到期,请按时付款。如已付款,请忽略本函。', true),
	(1, 1, 'friendly reminder', '友好提醒', 0, 0,
	 'Dear {customer_name}, invoice {invoice_id} was due on {due_on} and is {days_past_due} days overdue; {open_amount} is still open. Please arrange the payment soon.',
	 '尊敬的{customer_name}:发票 {invoice_id} 已于 {due_on} 到期,现逾期 {days_past_due} 天,尚欠 {open_amount}。请尽快安排付款。', true),
	(2, 15, 'second reminder', '第二次催款', 10, 0,
	 'Dear {customer_name}, invoice {invoice_id} (due {due_on}) is {days_past_due} days overdue: {open_amount} open and a reminder fee of {fee}. Please pay {total_due} within 7 days.',
	 '尊敬的{customer_name}:发票 {invoice_id}(到期日 {due_on})已逾期 {days_past_due} 天:尚欠 {open_amount},催款费 {fee}。请于 7 日内支付 {total_due}。', true),
	(3, 30, 'final notice', '最后通知', 25, 0.08,
	 'Dear {customer_name}, final notice: invoice {invoice_id} (due {due_on}) is {days_past_due} days overdue. Open {open_amount}, fees {fees_total}, interest {interest}. Unless {total_due} reaches us within 7 days, we will hand the claim to collection and stop deliveries.',
	 '尊敬的{customer_name}:最后通知:发票 {invoice_id}(到期日 {due_on})已逾期 {days_past_due} 天。尚欠 {open_amount},费用 {fees_total},利息 {interest}。如 7 日内未收到 {total_due},我们将移交催收并停止发货。', true),
	(4, 60, 'handed to collection', '移交催收', 50, 0.08,
	 'Dear {customer_name}, invoice {invoice_id} (due {due_on}), {days_past_due} days overdue, has been handed to collection. We claim {total_due}: {open_amount} open, fees {fees_total}, interest {interest}.',
	 '尊敬的{customer_name}:发票 {invoice_id}(到期日 {due_on})已逾期 {days_past_due} 天,已移交催收。应付总额 {total_due}:尚欠 {open_amount},费用 {fees_total},利息 {interest}。', true);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.dunning_level', 'WHERE NOT shipped');

-- The levels in force: the admin's row of a level, else the shipped one;
-- a level switched off (enabled = false) is left out.
CREATE VIEW @extschema@.dunning_levels WITH (security_invoker = true) AS
SELECT l.level, l.days_past_due, l.name_en, l.name_zh, l.fee, l.interest_rate, l.letter_en, l.letter_zh,
	   NOT l.shipped AS changed
FROM (SELECT DISTINCT ON (d.level) d.*
	  FROM @extschema@.dunning_level d
	  ORDER BY d.level, d.shipped) l
WHERE l.enabled;

GRANT SELECT ON @extschema@.dunning_level, @extschema@.dunning_levels TO customer_class_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.dunning_level TO customer_class_admin;

COMMENT ON TABLE @extschema@.dunning_level IS
	'dunning levels: shipped defaults (read-only) and the admin''s own rows, which win for the same level; level 0 is the reminder before the due date';
COMMENT ON COLUMN @extschema@.dunning_level.level IS '0: reminder before the due date; 1-9: the steps after it, raised one per dunning run';
COMMENT ON COLUMN @extschema@.dunning_level.days_past_due IS 'days past due from which the level applies (level 0: days before the due date, as a negative number)';
COMMENT ON COLUMN @extschema@.dunning_level.name_en IS 'name of the level in English';
COMMENT ON COLUMN @extschema@.dunning_level.name_zh IS 'name of the level in Simplified Chinese';
COMMENT ON COLUMN @extschema@.dunning_level.fee IS 'fee charged with a notice of this level';
COMMENT ON COLUMN @extschema@.dunning_level.interest_rate IS 'yearly interest rate on the open amount from the due date, as a fraction (0.08 = 8 %); 0: none';
COMMENT ON COLUMN @extschema@.dunning_level.letter_en IS 'letter text in English, with {placeholders} (dunning_placeholders())';
COMMENT ON COLUMN @extschema@.dunning_level.letter_zh IS 'letter text in Simplified Chinese, with {placeholders}';
COMMENT ON COLUMN @extschema@.dunning_level.enabled IS 'false on an admin''s row: the level is not used';
COMMENT ON COLUMN @extschema@.dunning_level.shipped IS 'shipped with the extension (read-only, not dumped)';
COMMENT ON VIEW @extschema@.dunning_levels IS
	'the dunning levels in force: the admin''s row of a level, else the shipped one; levels switched off left out';
COMMENT ON COLUMN @extschema@.dunning_levels.level IS '0: reminder before the due date; 1-9: steps after it';
COMMENT ON COLUMN @extschema@.dunning_levels.days_past_due IS 'days past due from which the level applies (level 0: negative, before the due date)';
COMMENT ON COLUMN @extschema@.dunning_levels.name_en IS 'name in English';
COMMENT ON COLUMN @extschema@.dunning_levels.name_zh IS 'name in Simplified Chinese';
COMMENT ON COLUMN @extschema@.dunning_levels.fee IS 'fee per notice';
COMMENT ON COLUMN @extschema@.dunning_levels.interest_rate IS 'yearly interest rate as a fraction';
COMMENT ON COLUMN @extschema@.dunning_levels.letter_en IS 'letter text in English';
COMMENT ON COLUMN @extschema@.dunning_levels.letter_zh IS 'letter text in Simplified Chinese';
COMMENT ON COLUMN @extschema@.dunning_levels.changed IS 'true when the admin''s own row is in force';

-- == Disputes ==
-- A customer contests an invoice: while the dispute is open the invoice is
-- held out of dunning, and, when rule.disputed_invoices is 'ignore', out of
-- the overdue rules (rule.overdue_days and the invoice_overdue alert).  At
-- most one open dispute per invoice.  No foreign key: invoices may live in
-- a bound ERP relation (src_invoice).
CREATE TABLE @extschema@.invoice_dispute (
	dispute_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id		bigint NOT NULL,
	invoice_id		bigint NOT NULL,
	reason			text NOT NULL,
	opened_on		date NOT NULL DEFAULT @extschema@.as_of(),
	opened_by		name NOT NULL DEFAULT CURRENT_USER,
	resolved_on		date,
	resolved_by		name,
	resolution		text
);
CREATE UNIQUE INDEX invoice_dispute_one_open ON @extschema@.invoice_dispute (invoice_id, customer_id)
	WHERE resolved_on IS NULL;
CREATE INDEX invoice_dispute_customer_idx ON @extschema@.invoice_dispute (customer_id, invoice_id);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.invoice_dispute', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.invoice_dispute_dispute_id_seq', '');

-- A dispute names an invoice of its customer (not checked during a restore,
-- like customer_reference_check), gives a reason, and is resolved with a
-- resolution on a date not before it was opened.
CREATE FUNCTION @extschema@.invoice_dispute_validate() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NEW.reason IS NULL OR btrim(NEW.reason) = '' THEN
		RAISE EXCEPTION 'a dispute needs a reason'
			USING ERRCODE = 'check_violation', HINT = 'Say what the customer contests (quantity, price, quality, ...).';
	END IF;
	IF (NEW.resolved_on IS NULL) <> (NEW.resolution IS NULL OR btrim(NEW.resolution) = '') THEN
		RAISE EXCEPTION 'a resolved dispute needs both resolved_on and a resolution'
			USING ERRCODE = 'check_violation',
				  HINT = 'Resolve a dispute with resolve_dispute(dispute_id, resolution).';
	END IF;
	IF NEW.resolved_on < NEW.opened_on THEN
		RAISE EXCEPTION 'dispute % cannot be resolved on % before it was opened on %', NEW.dispute_id, NEW.resolved_on, NEW.opened_on
			USING ERRCODE = 'check_violation';
	END IF;
	IF current_setting('check_function_bodies') = 'on'
	   AND (TG_OP = 'INSERT' OR NEW.invoice_id <> OLD.invoice_id OR NEW.customer_id <> OLD.customer_id)
	   AND NOT EXISTS (SELECT FROM @extschema@.src_invoice i
					   WHERE i.invoice_id = NEW.invoice_id AND i.customer_id = NEW.customer_id) THEN
		RAISE EXCEPTION 'invoice % of customer % does not exist', NEW.invoice_id, NEW.customer_id
			USING ERRCODE = 'foreign_key_violation',
				  DETAIL = 'A dispute must name an invoice of customer_class.src_invoice and its customer.';
	END IF;
	RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.invoice_dispute_validate() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.invoice_dispute_validate() IS
	'trigger: a dispute names an invoice of its customer in src_invoice (23503), gives a reason, and is resolved with a resolution on a date not before it was opened (23514)';
CREATE TRIGGER invoice_dispute_validate BEFORE INSERT OR UPDATE ON @extschema@.invoice_dispute
	FOR EACH ROW EXECUTE FUNCTION @extschema@.invoice_dispute_validate();
-- its trigger for the credit checks' cache: collections/triggers.sql

-- Is the invoice under an open dispute on the date (opened by then, not
-- resolved by then)?
CREATE FUNCTION @extschema@.invoice_disputed(invoice_id bigint, customer_id bigint, as_of date) RETURNS boolean
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT EXISTS (SELECT FROM @extschema@.invoice_dispute x
				   WHERE x.invoice_id = invoice_disputed.invoice_id AND x.customer_id = invoice_disputed.customer_id
					 AND x.opened_on <= invoice_disputed.as_of
					 AND (x.resolved_on IS NULL OR x.resolved_on > invoice_disputed.as_of));
END;
COMMENT ON FUNCTION @extschema@.invoice_disputed(bigint, bigint, date) IS
	'true when the invoice is under a dispute opened by the date and not resolved by then';

-- Open a dispute on an invoice (its customer is looked up); returns its id.
CREATE FUNCTION @extschema@.open_dispute(invoice_id bigint, reason text, opened_on date DEFAULT NULL) RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	cust bigint;
	id bigint;
BEGIN
	SELECT i.customer_id INTO cust FROM @extschema@.src_invoice i WHERE i.invoice_id = open_dispute.invoice_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'invoice % does not exist', invoice_id
			USING ERRCODE = 'no_data_found';
	END IF;
	IF EXISTS (SELECT FROM @extschema@.invoice_dispute x
			   WHERE x.invoice_id = open_dispute.invoice_id AND x.customer_id = cust AND x.resolved_on IS NULL) THEN
		RAISE EXCEPTION 'invoice % is already under an open dispute', invoice_id
			USING ERRCODE = 'unique_violation',
				  HINT = 'Resolve the open one first (resolve_dispute).';
	END IF;
	INSERT INTO @extschema@.invoice_dispute (customer_id, invoice_id, reason, opened_on)
	VALUES (cust, open_dispute.invoice_id, open_dispute.reason, coalesce(open_dispute.opened_on, @extschema@.as_of()))
	RETURNING dispute_id INTO id;
	RETURN id;
END
$$;
COMMENT ON FUNCTION @extschema@.open_dispute(bigint, text, date) IS
	'open a dispute on an invoice with a reason (on the as-of date unless given): it is held out of dunning until resolved; returns the dispute id';

-- Resolve an open dispute with its resolution; false (with a notice) when it
-- was resolved already, an error when it does not exist.
CREATE FUNCTION @extschema@.resolve_dispute(dispute_id bigint, resolution text, resolved_on date DEFAULT NULL) RETURNS boolean
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	done record;
BEGIN
	UPDATE @extschema@.invoice_dispute x
	SET resolved_on = coalesce(resolve_dispute.resolved_on, @extschema@.as_of()), resolved_by = CURRENT_USER,
		resolution = resolve_dispute.resolution
	WHERE x.dispute_id = resolve_dispute.dispute_id AND x.resolved_on IS NULL;
	IF FOUND THEN
		RETURN true;
	END IF;
	SELECT x.resolved_on, x.resolved_by INTO done FROM @extschema@.invoice_dispute x
	WHERE x.dispute_id = resolve_dispute.dispute_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'dispute % does not exist', dispute_id
			USING ERRCODE = 'no_data_found';
	END IF;
	RAISE NOTICE 'the dispute was already resolved'
		USING DETAIL = format('Dispute %s was resolved on %s by %s.', dispute_id, done.resolved_on, done.resolved_by);
	RETURN false;
END
$$;
COMMENT ON FUNCTION @extschema@.resolve_dispute(bigint, text, date) IS
	'resolve an open dispute with its resolution (on the as-of date unless given); false with a notice when already resolved, an error when it does not exist';

GRANT SELECT ON @extschema@.invoice_dispute TO customer_class_reader;
GRANT INSERT, UPDATE ON @extschema@.invoice_dispute TO customer_class_analyst;
REVOKE EXECUTE ON FUNCTION @extschema@.open_dispute(bigint, text, date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.resolve_dispute(bigint, text, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.open_dispute(bigint, text, date) TO customer_class_analyst;
GRANT EXECUTE ON FUNCTION @extschema@.resolve_dispute(bigint, text, date) TO customer_class_analyst;

COMMENT ON TABLE @extschema@.invoice_dispute IS
	'disputes of invoices with reason and resolution: an open one holds the invoice out of dunning (and out of the overdue rules when rule.disputed_invoices is ignore)';
COMMENT ON COLUMN @extschema@.invoice_dispute.dispute_id IS 'dispute key';
COMMENT ON COLUMN @extschema@.invoice_dispute.customer_id IS 'the invoice''s customer';
COMMENT ON COLUMN @extschema@.invoice_dispute.invoice_id IS 'disputed invoice (src_invoice)';
COMMENT ON COLUMN @extschema@.invoice_dispute.reason IS 'what the customer contests';
COMMENT ON COLUMN @extschema@.invoice_dispute.opened_on IS 'date the dispute was opened';
COMMENT ON COLUMN @extschema@.invoice_dispute.opened_by IS 'who opened it';
COMMENT ON COLUMN @extschema@.invoice_dispute.resolved_on IS 'date it was resolved (NULL: open)';
COMMENT ON COLUMN @extschema@.invoice_dispute.resolved_by IS 'who resolved it';
COMMENT ON COLUMN @extschema@.invoice_dispute.resolution IS 'how it was resolved (credit note granted, claim rejected, ...)';

-- == Dunning notices ==
-- One row per step of an invoice, written by dunning_run() only: the level
-- reached, the run date, the fee and interest charged with it and the
-- letter in both languages.  The mailer reads the unsent ones
-- (dunning_letter_outbox) and marks them sent (dunning_letter_sent()).
CREATE TABLE @extschema@.dunning_notice (
	notice_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id		bigint NOT NULL,
	invoice_id		bigint NOT NULL,
	level			integer NOT NULL,
	run_on			date NOT NULL,
	due_on			date NOT NULL,
	days_past_due	integer NOT NULL,
	open_amount		numeric NOT NULL,
	fee				numeric(18,2) NOT NULL,
	interest		numeric(18,2) NOT NULL,
	letter_en		text NOT NULL,
	letter_zh		text NOT NULL,
	reason			text NOT NULL,
	created_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	created_by		name NOT NULL DEFAULT SESSION_USER,
	sent_at			timestamptz,
	sent_by			name,
	CONSTRAINT dunning_notice_one_per_level UNIQUE (invoice_id, customer_id, level)
);
CREATE INDEX dunning_notice_customer_idx ON @extschema@.dunning_notice (customer_id, invoice_id, level);
CREATE INDEX dunning_notice_unsent_idx ON @extschema@.dunning_notice (notice_id) WHERE sent_at IS NULL;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dunning_notice', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dunning_notice_notice_id_seq', '');
-- its trigger for the credit checks' cache: collections/triggers.sql

-- Written by dunning_run() (SECURITY DEFINER) only; marked sent through
-- dunning_letter_sent().
GRANT SELECT ON @extschema@.dunning_notice TO customer_class_reader;

COMMENT ON TABLE @extschema@.dunning_notice IS
	'dunning notices: one per step of an invoice (written by dunning_run()), with the fee, interest and letter in English and Chinese';
COMMENT ON COLUMN @extschema@.dunning_notice.notice_id IS 'notice key';
COMMENT ON COLUMN @extschema@.dunning_notice.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.dunning_notice.invoice_id IS 'invoice dunned';
COMMENT ON COLUMN @extschema@.dunning_notice.level IS 'level reached (0: reminder before the due date)';
COMMENT ON COLUMN @extschema@.dunning_notice.run_on IS 'date of the dunning run';
COMMENT ON COLUMN @extschema@.dunning_notice.due_on IS 'due date of the invoice';
COMMENT ON COLUMN @extschema@.dunning_notice.days_past_due IS 'days past due on the run date (negative: before the due date)';
COMMENT ON COLUMN @extschema@.dunning_notice.open_amount IS 'open amount of the invoice on the run date';
COMMENT ON COLUMN @extschema@.dunning_notice.fee IS 'fee charged with this notice';
COMMENT ON COLUMN @extschema@.dunning_notice.interest IS 'interest on the open amount from the due date to the run date at the level''s rate (not added to earlier notices''; the latest is the claim)';
COMMENT ON COLUMN @extschema@.dunning_notice.letter_en IS 'the letter in English';
COMMENT ON COLUMN @extschema@.dunning_notice.letter_zh IS 'the letter in Simplified Chinese';
COMMENT ON COLUMN @extschema@.dunning_notice.reason IS 'why this step: days past due, or a broken promise';
COMMENT ON COLUMN @extschema@.dunning_notice.created_at IS 'when the run wrote it';
COMMENT ON COLUMN @extschema@.dunning_notice.created_by IS 'the session user of the run';
COMMENT ON COLUMN @extschema@.dunning_notice.sent_at IS 'when the mailer sent the letter (NULL: not yet)';
COMMENT ON COLUMN @extschema@.dunning_notice.sent_by IS 'who marked it sent';

-- The customer's dunning level on a date: the highest level reached (by
-- runs up to then) of its invoices still open then and not under an open
-- dispute; 0 when none.  A paid invoice's notices no longer count.  SQL,
-- so that a credit check can inline it.
CREATE FUNCTION @extschema@.customer_dunning_level(customer_id bigint, as_of date DEFAULT NULL) RETURNS integer
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT coalesce(max(n.level), 0)
	FROM (SELECT coalesce(customer_dunning_level.as_of, @extschema@.as_of()) AS d) k
	JOIN @extschema@.dunning_notice n ON n.customer_id = customer_dunning_level.customer_id AND n.run_on <= k.d
	JOIN @extschema@.src_invoice i ON i.invoice_id = n.invoice_id AND i.customer_id = n.customer_id
	WHERE i.amount > coalesce((SELECT sum(p.amount) FROM @extschema@.src_payment p
							   WHERE p.invoice_id = i.invoice_id AND p.customer_id = i.customer_id
								 AND p.paid_on <= k.d), 0)
	  AND NOT EXISTS (SELECT FROM @extschema@.invoice_dispute x
					  WHERE x.invoice_id = n.invoice_id AND x.customer_id = n.customer_id
						AND x.opened_on <= k.d AND (x.resolved_on IS NULL OR x.resolved_on > k.d));
END;
GRANT EXECUTE ON FUNCTION @extschema@.customer_dunning_level(bigint, date) TO customer_class_reader;
COMMENT ON FUNCTION @extschema@.customer_dunning_level(bigint, date) IS
	'the highest dunning level reached by the customer''s invoices still open on the date (default: the as-of date) and not disputed; 0 when none';

-- == the overdue rules leave disputed invoices out when rule.disputed_invoices = ignore ==
CREATE OR REPLACE FUNCTION @extschema@.credit_overdue_invoice(customer_id bigint, as_of date, days integer)
	RETURNS TABLE (invoice_id bigint)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT i.invoice_id FROM @extschema@.src_invoice i
	WHERE i.customer_id = credit_overdue_invoice.customer_id
	  AND i.due_on < credit_overdue_invoice.as_of - credit_overdue_invoice.days
	  AND i.amount > coalesce((SELECT sum(p.amount) FROM @extschema@.src_payment p
							   WHERE p.invoice_id = i.invoice_id
								 AND p.paid_on <= credit_overdue_invoice.as_of), 0)
	  AND NOT ((SELECT cs.value FROM @extschema@.credit_setting cs
				WHERE cs.name = 'rule.disputed_invoices' ORDER BY cs.shipped LIMIT 1) = 'ignore'
			   AND EXISTS (SELECT FROM @extschema@.invoice_dispute x
						   WHERE x.invoice_id = i.invoice_id AND x.customer_id = i.customer_id
							 AND x.opened_on <= credit_overdue_invoice.as_of
							 AND (x.resolved_on IS NULL OR x.resolved_on > credit_overdue_invoice.as_of)))
	ORDER BY i.due_on, i.invoice_id
	LIMIT 1;
END;

CREATE OR REPLACE FUNCTION @extschema@.credit_alert_scan(as_of date DEFAULT NULL) RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- alerts are raised as of this date: no mistyped year
	d date := @extschema@.check_as_of(coalesce(credit_alert_scan.as_of, @extschema@.as_of()), 'credit_alert_scan');
	pct numeric := @extschema@.credit_setting('alert.nearly_used_pct')::numeric;
	n bigint := 0;
	r record;
BEGIN
	CREATE TEMP TABLE cc_alert_found (customer_id bigint, kind text, level @extschema@.alert_level, detail jsonb)
		ON COMMIT DROP;

	-- the oldest open invoice past due, per customer
	INSERT INTO cc_alert_found
	SELECT DISTINCT ON (i.customer_id) i.customer_id, 'invoice_overdue',
		   CASE WHEN d - i.due_on > 30 THEN 'red' ELSE 'yellow' END::@extschema@.alert_level,
		   jsonb_build_object('invoice_id', i.invoice_id, 'due_on', i.due_on, 'days_overdue', d - i.due_on,
							  'open_amount', i.amount - coalesce(p.paid, 0), 'as_of', d)
	FROM @extschema@.src_invoice i
	LEFT JOIN (SELECT sp.invoice_id, sum(sp.amount) AS paid FROM @extschema@.src_payment sp
			   WHERE sp.invoice_id IS NOT NULL AND sp.paid_on <= d GROUP BY sp.invoice_id) p ON p.invoice_id = i.invoice_id
	WHERE i.due_on < d AND i.amount > coalesce(p.paid, 0)
	  -- an invoice under open dispute, when rule.disputed_invoices says so
	  AND NOT (@extschema@.credit_setting('rule.disputed_invoices') = 'ignore'
			   AND @extschema@.invoice_disputed(i.invoice_id, i.customer_id, d))
	ORDER BY i.customer_id, i.due_on, i.invoice_id;

	-- exposure against a positive limit (a limit of 0, grade D's, is the
	-- prepayment rule of the checkpoints, not an alert of the scan)
	INSERT INTO cc_alert_found
	SELECT w.customer_id, w.kind,
		   CASE w.kind WHEN 'limit_exceeded' THEN 'red' ELSE 'yellow' END::@extschema@.alert_level,
		   jsonb_build_object('exposure', w.exposure, 'credit_limit', w.credit_limit,
							  'limit_source', w.limit_source, 'as_of', d, 'what', 'credit_alert_scan')
	FROM (SELECT x.customer_id, x.exposure, l.credit_limit, l.limit_source,
				 @extschema@.credit_exposure_rule(NULL, NULL, l.credit_limit, pct, x.exposure) AS kind
		  FROM @extschema@.credit_exposure x
		  CROSS JOIN LATERAL @extschema@.credit_limit_info(x.customer_id, d) l
		  WHERE l.credit_limit > 0) w
	WHERE w.kind IS NOT NULL;

	-- resolve what no longer holds
	UPDATE @extschema@.alerts a SET resolved_at = pg_catalog.now(), resolved_by = CURRENT_USER
	WHERE a.resolved_at IS NULL AND a.kind IN ('invoice_overdue', 'limit_nearly_used', 'limit_exceeded')
	  AND NOT EXISTS (SELECT FROM cc_alert_found f WHERE f.customer_id = a.customer_id AND f.kind = a.kind);

	FOR r IN SELECT * FROM cc_alert_found ORDER BY customer_id, kind LOOP
		IF @extschema@.raise_alert(r.customer_id, r.kind, r.level, r.detail) IS NOT NULL THEN
			n := n + 1;
		END IF;
	END LOOP;
	DROP TABLE cc_alert_found;
	RETURN n;
END
$$;

-- == promises, the run, letters, due_reminders with the dunning level, worklist (collections/collections.sql) ==
-- Collections, part 2: promises to pay, the dunning run, the letters the
-- ERP's mailer sends, the due-reminder list and the collector's worklist
-- (docs/collections.md).  Loaded after the credit alerts (raise_alert)
-- and the receivables views (due_reminders(), open_item), which the views
-- here read.

-- == Promises to pay ==
-- A customer promises to pay an amount by a date, for some invoices or for
-- its account as a whole (invoice_ids NULL).  dunning_run() reviews the
-- open ones: kept once the payments dated from made_on to promised_on
-- (applied to those invoices; for the account, any) reach the amount;
-- broken when promised_on has passed without that -- a promise_broken
-- alert, and by setting dunning.broken_promise the promised invoices go one
-- level up in that run.  While a promise is open, its invoices are held out
-- of dunning.
CREATE TABLE @extschema@.payment_promise (
	promise_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id		bigint NOT NULL,
	invoice_ids		bigint[],
	amount			numeric(18,2) NOT NULL,
	promised_on		date NOT NULL,
	made_on			date NOT NULL DEFAULT @extschema@.as_of(),
	note			text NOT NULL DEFAULT '',
	recorded_by		name NOT NULL DEFAULT CURRENT_USER,
	status			text NOT NULL DEFAULT 'open',
	closed_on		date,
	paid_amount		numeric,
	alert_id		bigint
);
CREATE INDEX payment_promise_customer_idx ON @extschema@.payment_promise (customer_id, promised_on);
CREATE INDEX payment_promise_open_idx ON @extschema@.payment_promise (promised_on) WHERE status = 'open';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.payment_promise', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.payment_promise_promise_id_seq', '');

CREATE FUNCTION @extschema@.payment_promise_validate() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	missing bigint;
BEGIN
	IF NEW.amount IS NULL OR NEW.amount <= 0 THEN
		RAISE EXCEPTION 'invalid promised amount %', NEW.amount
			USING ERRCODE = 'check_violation', HINT = 'A promise to pay is for an amount above 0.';
	END IF;
	IF NEW.promised_on < NEW.made_on THEN
		RAISE EXCEPTION 'a promise made on % cannot fall due on % before it', NEW.made_on, NEW.promised_on
			USING ERRCODE = 'check_violation', HINT = 'Give the date by which the customer promised to pay.';
	END IF;
	IF NEW.status NOT IN ('open', 'kept', 'broken', 'cancelled') THEN
		RAISE EXCEPTION 'invalid promise status "%"', NEW.status
			USING ERRCODE = 'check_violation', HINT = 'The status is open, kept, broken or cancelled.';
	END IF;
	IF (NEW.status = 'open') <> (NEW.closed_on IS NULL) THEN
		RAISE EXCEPTION 'a promise is closed (kept, broken or cancelled) exactly when closed_on is set'
			USING ERRCODE = 'check_violation', HINT = 'Set status and closed_on together.';
	END IF;
	IF cardinality(NEW.invoice_ids) = 0 OR array_position(NEW.invoice_ids, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'invoice_ids of a promise must name invoices, or be NULL for the whole account'
			USING ERRCODE = 'check_violation';
	END IF;
	IF current_setting('check_function_bodies') = 'off'
	   OR TG_OP = 'UPDATE' AND NEW.customer_id = OLD.customer_id AND NEW.invoice_ids IS NOT DISTINCT FROM OLD.invoice_ids THEN
		RETURN NEW;
	END IF;
	IF NOT EXISTS (SELECT FROM @extschema@.src_customer c WHERE c.customer_id = NEW.customer_id) THEN
		RAISE EXCEPTION 'customer % does not exist', NEW.customer_id
			USING ERRCODE = 'foreign_key_violation',
				  DETAIL = 'Every row of payment_promise must name a customer of customer_class.src_customer.';
	END IF;
	SELECT u.id INTO missing FROM unnest(NEW.invoice_ids) u (id)
	WHERE NOT EXISTS (SELECT FROM @extschema@.src_invoice i WHERE i.invoice_id = u.id AND i.customer_id = NEW.customer_id)
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'invoice % of customer % does not exist', missing, NEW.customer_id
			USING ERRCODE = 'foreign_key_violation',
				  DETAIL = 'A promise names invoices of its own customer (src_invoice), or none for the whole account.';
	END IF;
	RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.payment_promise_validate() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.payment_promise_validate() IS
	'trigger: a promise is for an amount above 0, falls due on or after the day it was made, names its customer and that customer''s invoices (23503), and is closed exactly when its status is not open (23514)';
CREATE TRIGGER payment_promise_validate BEFORE INSERT OR UPDATE ON @extschema@.payment_promise
	FOR EACH ROW EXECUTE FUNCTION @extschema@.payment_promise_validate();

-- Record a promise; returns its id.
CREATE FUNCTION @extschema@.promise_to_pay(customer_id bigint, amount numeric, promised_on date,
										   invoice_ids bigint[] DEFAULT NULL, note text DEFAULT '')
	RETURNS bigint
	LANGUAGE sql VOLATILE
BEGIN ATOMIC
	INSERT INTO @extschema@.payment_promise (customer_id, amount, promised_on, invoice_ids, note)
	VALUES (promise_to_pay.customer_id, promise_to_pay.amount, promise_to_pay.promised_on,
			promise_to_pay.invoice_ids, coalesce(promise_to_pay.note, ''))
	RETURNING promise_id;
END;
REVOKE EXECUTE ON FUNCTION @extschema@.promise_to_pay(bigint, numeric, date, bigint[], text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.promise_to_pay(bigint, numeric, date, bigint[], text) TO customer_class_analyst;
COMMENT ON FUNCTION @extschema@.promise_to_pay(bigint, numeric, date, bigint[], text) IS
	'record a promise to pay an amount by a date, for some invoices or (invoice_ids NULL) the account; made on the as-of date; returns the promise id';

GRANT SELECT ON @extschema@.payment_promise TO customer_class_reader;
GRANT INSERT, UPDATE ON @extschema@.payment_promise TO customer_class_analyst;

COMMENT ON TABLE @extschema@.payment_promise IS
	'promises to pay: open ones hold their invoices out of dunning; dunning_run() marks them kept or broken (a broken one raises a promise_broken alert)';
COMMENT ON COLUMN @extschema@.payment_promise.promise_id IS 'promise key';
COMMENT ON COLUMN @extschema@.payment_promise.customer_id IS 'customer who promised';
COMMENT ON COLUMN @extschema@.payment_promise.invoice_ids IS 'the invoices promised; NULL: the account as a whole';
COMMENT ON COLUMN @extschema@.payment_promise.amount IS 'amount promised';
COMMENT ON COLUMN @extschema@.payment_promise.promised_on IS 'date by which it is to be paid';
COMMENT ON COLUMN @extschema@.payment_promise.made_on IS 'date of the promise: payments from this date count';
COMMENT ON COLUMN @extschema@.payment_promise.note IS 'free text (who promised, on which call)';
COMMENT ON COLUMN @extschema@.payment_promise.recorded_by IS 'who recorded it';
COMMENT ON COLUMN @extschema@.payment_promise.status IS 'open, kept, broken or cancelled';
COMMENT ON COLUMN @extschema@.payment_promise.closed_on IS 'the run date that found it kept or broken, or the date it was cancelled';
COMMENT ON COLUMN @extschema@.payment_promise.paid_amount IS 'paid towards it from made_on to promised_on, as of closed_on';
COMMENT ON COLUMN @extschema@.payment_promise.alert_id IS 'the promise_broken alert it raised';

-- == The dunning run ==
-- As of a date (default: the as-of date):
--  1. reviews the open promises (kept, or broken: alert);
--  2. for every open invoice that due_reminders() lists for the horizon of
--     level 0 (or the overdue ones only, when level 0 is off), not under an
--     open dispute, not promised (open promise), and without a notice on
--     or after this date, writes at most one notice:
--       - before or on the due date: the level 0 reminder, once, from
--         level 0's days before the due date;
--       - after it: the next level in force above the invoice's level, when
--         the invoice is that many days past due and its last notice after
--         the due date is at least dunning.interval_days old -- or at once,
--         when a promise of it broke in this run and dunning.broken_promise
--         is escalate;
--     with the level's fee, interest on the open amount from the due date
--     at the level's yearly rate (actual days / 365, rounded to cents) and
--     the letters with their placeholders filled;
--  3. announces the run with NOTIFY customer_class_dunning, payload
--     {"run_on": ..., "notices": n}, when it wrote any.
-- Runs again on the same date write nothing new: the run is idempotent per
-- date.  Returns the number of notices written.  SECURITY DEFINER, like
-- credit_alert_scan(): analysts run it without the right to write notices
-- or alerts by hand.
CREATE FUNCTION @extschema@.dunning_run(as_of date DEFAULT NULL) RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := @extschema@.check_as_of(coalesce(dunning_run.as_of, @extschema@.as_of()), 'dunning_run');
	caller_as_of text := current_setting('customer_class.as_of');
	interval_days integer := @extschema@.credit_setting('dunning.interval_days')::integer;
	escalate boolean := @extschema@.credit_setting('dunning.broken_promise') = 'escalate';
	horizon integer;
	bad record;
	pr record;
	n bigint;
BEGIN
	SELECT l.level, l.days_past_due, l.next_level, l.next_days INTO bad
	FROM (SELECT x.level, x.days_past_due, lead(x.level) OVER w AS next_level, lead(x.days_past_due) OVER w AS next_days
		  FROM @extschema@.dunning_levels x WHERE x.level > 0 WINDOW w AS (ORDER BY x.level)) l
	WHERE l.next_days <= l.days_past_due
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'dunning level % applies from % days past due, not after level % (% days)',
			bad.next_level, bad.next_days, bad.level, bad.days_past_due
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Each level must apply from more days past due than the level below it (SELECT * FROM customer_class.dunning_levels).';
	END IF;
	-- the receivables views read the as-of date from the setting: this run's
	-- date until the end of the run (local to the transaction, put back below)
	PERFORM set_config('customer_class.as_of', d::text, true);

	-- 1. promises
	UPDATE @extschema@.payment_promise p
	SET status = CASE WHEN x.paid >= p.amount THEN 'kept' ELSE 'broken' END, closed_on = d, paid_amount = x.paid
	FROM (SELECT q.promise_id,
				 coalesce((SELECT sum(s.amount) FROM @extschema@.src_payment s
						   WHERE s.customer_id = q.customer_id
							 AND s.paid_on BETWEEN q.made_on AND least(q.promised_on, d)
							 AND (q.invoice_ids IS NULL OR s.invoice_id = ANY (q.invoice_ids))), 0) AS paid
		  FROM @extschema@.payment_promise q
		  WHERE q.status = 'open' AND q.made_on <= d) x
	WHERE p.promise_id = x.promise_id AND (x.paid >= p.amount OR p.promised_on < d);
	FOR pr IN SELECT p.promise_id, p.customer_id, p.invoice_ids, p.amount, p.promised_on, p.paid_amount
			 FROM @extschema@.payment_promise p
			 WHERE p.status = 'broken' AND p.closed_on = d AND p.alert_id IS NULL
			 ORDER BY p.customer_id, p.promise_id LOOP
		PERFORM @extschema@.raise_alert(pr.customer_id, 'promise_broken', 'red',
			jsonb_build_object('promise_id', pr.promise_id, 'promised_on', pr.promised_on, 'amount', pr.amount,
							   'paid', pr.paid_amount, 'invoice_ids', pr.invoice_ids, 'as_of', d));
		UPDATE @extschema@.payment_promise p SET alert_id = a.alert_id
		FROM @extschema@.alerts a
		WHERE p.promise_id = pr.promise_id
		  AND a.customer_id = pr.customer_id AND a.kind = 'promise_broken' AND a.resolved_at IS NULL;
	END LOOP;

	-- 2. notices
	SELECT -l.days_past_due INTO horizon FROM @extschema@.dunning_levels l WHERE l.level = 0;
	INSERT INTO @extschema@.dunning_notice (customer_id, invoice_id, level, run_on, due_on, days_past_due, open_amount,
											fee, interest, letter_en, letter_zh, reason)
	SELECT s.customer_id, s.invoice_id, s.level, d, s.due_on, s.days_past_due, s.open_amount, s.fee, m.interest,
		   @extschema@.dunning_letter_render(s.letter_en, v.vals), @extschema@.dunning_letter_render(s.letter_zh, v.vals),
		   s.reason
	FROM (SELECT c.*, l.level, l.fee, l.interest_rate, l.letter_en, l.letter_zh, l.name_en,
				 CASE WHEN c.days_past_due <= 0 THEN
						  CASE WHEN c.days_past_due = 0 THEN 'due today' WHEN c.days_past_due = -1 THEN 'due tomorrow'
							   ELSE pg_catalog.format('due in %s days', -c.days_past_due) END
					  WHEN l.days_past_due > c.days_past_due OR d - c.last_step < interval_days THEN
						  pg_catalog.format('promise %s broken', c.broken_promise)
					  ELSE pg_catalog.format('%s %s past due (level %s from %s)', c.days_past_due,
											 CASE WHEN c.days_past_due = 1 THEN 'day' ELSE 'days' END, l.level, l.days_past_due) END AS reason
		  FROM (SELECT r.customer_id, r.customer_name, r.invoice_id, r.issued_on, r.due_on, r.days_past_due, r.open_amount,
					   h.cur_level, h.last_run, h.last_step, h.reminded, h.fees,
					   (SELECT min(p.promise_id) FROM @extschema@.payment_promise p
						WHERE p.customer_id = r.customer_id AND p.status = 'broken' AND p.closed_on = d
						  AND (p.invoice_ids IS NULL OR r.invoice_id = ANY (p.invoice_ids))) AS broken_promise
				FROM @extschema@.due_reminders(coalesce(horizon, -1)) r
				CROSS JOIN LATERAL (SELECT max(n.level) FILTER (WHERE n.level > 0) AS cur_level, max(n.run_on) AS last_run,
										   max(n.run_on) FILTER (WHERE n.level > 0) AS last_step,
										   coalesce(bool_or(n.level = 0), false) AS reminded,
										   coalesce(sum(n.fee), 0) AS fees
									FROM @extschema@.dunning_notice n
									WHERE n.invoice_id = r.invoice_id AND n.customer_id = r.customer_id) h
				WHERE (h.last_run IS NULL OR h.last_run < d)
				  AND NOT @extschema@.invoice_disputed(r.invoice_id, r.customer_id, d)
				  AND NOT EXISTS (SELECT FROM @extschema@.payment_promise p
								  WHERE p.customer_id = r.customer_id AND p.status = 'open' AND p.made_on <= d
									AND (p.invoice_ids IS NULL OR r.invoice_id = ANY (p.invoice_ids)))) c
		  JOIN @extschema@.dunning_levels l
			ON CASE WHEN c.days_past_due <= 0 THEN
						l.level = 0 AND c.days_past_due >= l.days_past_due AND NOT c.reminded
					ELSE l.level = (SELECT min(x.level) FROM @extschema@.dunning_levels x WHERE x.level > coalesce(c.cur_level, 0))
						 AND (escalate AND c.broken_promise IS NOT NULL
							  OR l.days_past_due <= c.days_past_due
								 AND (c.last_step IS NULL OR d - c.last_step >= interval_days)) END) s
	CROSS JOIN LATERAL (SELECT round(s.open_amount * s.interest_rate * greatest(s.days_past_due, 0) / 365, 2) AS interest) m
	CROSS JOIN LATERAL (SELECT jsonb_build_object(
			'customer_id', s.customer_id, 'customer_name', s.customer_name, 'invoice_id', s.invoice_id,
			'issued_on', s.issued_on, 'due_on', s.due_on, 'days_past_due', greatest(s.days_past_due, 0),
			'days_until_due', greatest(-s.days_past_due, 0), 'open_amount', s.open_amount, 'fee', s.fee,
			'fees_total', s.fees + s.fee, 'interest', m.interest, 'total_due', s.open_amount + s.fees + s.fee + m.interest,
			'level', s.level, 'level_name', s.name_en, 'run_on', d) AS vals) v
	ORDER BY s.customer_id, s.invoice_id;
	GET DIAGNOSTICS n = ROW_COUNT;

	PERFORM set_config('customer_class.as_of', caller_as_of, true);
	-- 3. the mailer's signal: no customer data in it (every listener gets it)
	IF n > 0 THEN
		PERFORM pg_notify('customer_class_dunning', jsonb_build_object('run_on', d, 'notices', n)::text);
	END IF;
	RETURN n;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.dunning_run(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.dunning_run(date) TO customer_class_analyst;
COMMENT ON FUNCTION @extschema@.dunning_run(date) IS
	'dunning run as of a date (default: the as-of date): reviews promises, raises each open, undisputed, unpromised invoice at most one level (level 0: reminder before the due date), records the notices with fee, interest and letters, NOTIFY customer_class_dunning; idempotent per date; returns the notices written';

-- == The letters for the mailer ==
CREATE VIEW @extschema@.dunning_letter_outbox WITH (security_invoker = true) AS
SELECT n.notice_id, n.customer_id, c.name AS customer_name, n.invoice_id, n.level,
	   coalesce(l.name_en, 'level ' || n.level) AS level_name_en, coalesce(l.name_zh, '第' || n.level || '级') AS level_name_zh,
	   pg_catalog.format('Invoice %s: %s', n.invoice_id, coalesce(l.name_en, 'level ' || n.level)) AS subject_en,
	   pg_catalog.format('发票 %s:%s', n.invoice_id, coalesce(l.name_zh, '第' || n.level || '级')) AS subject_zh,
	   n.letter_en, n.letter_zh, n.run_on, n.due_on, n.days_past_due, n.open_amount, n.fee, n.interest
FROM @extschema@.dunning_notice n
LEFT JOIN @extschema@.src_customer c ON c.customer_id = n.customer_id
LEFT JOIN @extschema@.dunning_levels l ON l.level = n.level
WHERE n.sent_at IS NULL;

COMMENT ON VIEW @extschema@.dunning_letter_outbox IS
	'dunning letters not sent yet, in English and Chinese, for the ERP''s mailer; mark each sent with dunning_letter_sent(notice_id)';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.notice_id IS 'notice key (pass it to dunning_letter_sent)';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.customer_name IS 'customer name';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.invoice_id IS 'invoice dunned';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.level IS 'dunning level (0: reminder before the due date)';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.level_name_en IS 'name of the level in English';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.level_name_zh IS 'name of the level in Simplified Chinese';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.subject_en IS 'subject line in English';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.subject_zh IS 'subject line in Simplified Chinese';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.letter_en IS 'the letter in English';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.letter_zh IS 'the letter in Simplified Chinese';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.run_on IS 'date of the dunning run';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.due_on IS 'due date of the invoice';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.days_past_due IS 'days past due on the run date (negative: before the due date)';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.open_amount IS 'open amount on the run date';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.fee IS 'fee charged with the notice';
COMMENT ON COLUMN @extschema@.dunning_letter_outbox.interest IS 'interest to the run date';

-- The mailer marks a letter sent; false (with a notice) when it was sent
-- already, an error for a notice that does not exist (or of a customer the
-- caller may not see).  SECURITY DEFINER: the mailer needs no right to
-- write notices.
CREATE FUNCTION @extschema@.dunning_letter_sent(notice_id bigint, sent_at timestamptz DEFAULT NULL) RETURNS boolean
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	done record;
BEGIN
	UPDATE @extschema@.dunning_notice n
	SET sent_at = coalesce(dunning_letter_sent.sent_at, pg_catalog.now()), sent_by = @extschema@.access_caller()
	WHERE n.notice_id = dunning_letter_sent.notice_id AND n.sent_at IS NULL
	  AND @extschema@.access_allows(n.customer_id, @extschema@.access_caller());
	IF FOUND THEN
		RETURN true;
	END IF;
	SELECT n.sent_at, n.sent_by INTO done FROM @extschema@.dunning_notice n
	WHERE n.notice_id = dunning_letter_sent.notice_id
	  AND @extschema@.access_allows(n.customer_id, @extschema@.access_caller());
	IF NOT FOUND THEN
		RAISE EXCEPTION 'dunning notice % does not exist', notice_id
			USING ERRCODE = 'no_data_found',
				  HINT = 'SELECT notice_id FROM customer_class.dunning_letter_outbox lists the letters to send.';
	END IF;
	RAISE NOTICE 'the letter was already sent'
		USING DETAIL = pg_catalog.format('Notice %s was marked sent at %s by %s.', notice_id, done.sent_at, done.sent_by);
	RETURN false;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.dunning_letter_sent(bigint, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.dunning_letter_sent(bigint, timestamptz) TO customer_class_analyst;
COMMENT ON FUNCTION @extschema@.dunning_letter_sent(bigint, timestamptz) IS
	'the mailer marks a dunning letter sent (at now() unless given); false with a notice when it was already, an error when the notice does not exist';

-- == Reminders: due soon and overdue ==
-- The open invoices overdue or falling due within 14 days (due_reminders(),
-- receivables/views.sql), with the dunning level each has reached and
-- whether it is under an open dispute.
-- the view of 0.2.0 with two more columns at the end
CREATE OR REPLACE VIEW @extschema@.due_reminders WITH (security_invoker = true) AS
SELECT r.customer_id, r.customer_name, r.invoice_id, r.issued_on, r.due_on, r.days_past_due,
	   r.open_amount, r.bucket, r.status,
	   (SELECT max(n.level) FROM @extschema@.dunning_notice n
		WHERE n.invoice_id = r.invoice_id AND n.customer_id = r.customer_id
		  AND n.run_on <= (SELECT @extschema@.as_of())) AS dunning_level,
	   @extschema@.invoice_disputed(r.invoice_id, r.customer_id, (SELECT @extschema@.as_of())) AS disputed
FROM @extschema@.due_reminders(14) r;

COMMENT ON VIEW @extschema@.due_reminders IS
	'open invoices overdue or falling due within 14 days as of customer_class.as_of(), overdue first (oldest, biggest), then by due date';
COMMENT ON COLUMN @extschema@.due_reminders.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.due_reminders.customer_name IS 'customer name';
COMMENT ON COLUMN @extschema@.due_reminders.invoice_id IS 'invoice key';
COMMENT ON COLUMN @extschema@.due_reminders.issued_on IS 'issue date';
COMMENT ON COLUMN @extschema@.due_reminders.due_on IS 'due date';
COMMENT ON COLUMN @extschema@.due_reminders.days_past_due IS 'days past due (negative: due in that many days)';
COMMENT ON COLUMN @extschema@.due_reminders.open_amount IS 'amount still open';
COMMENT ON COLUMN @extschema@.due_reminders.bucket IS 'aging bucket (30/60/90)';
COMMENT ON COLUMN @extschema@.due_reminders.status IS 'overdue, due today or due soon';
COMMENT ON COLUMN @extschema@.due_reminders.dunning_level IS 'highest dunning level of the invoice so far (0: reminded before the due date; NULL: none)';
COMMENT ON COLUMN @extschema@.due_reminders.disputed IS 'true when the invoice is under an open dispute (held out of dunning)';

-- == The collector's worklist ==
-- One row per customer with something to chase as of the as-of date:
-- undisputed overdue invoices, a promise to pay falling due today, or a
-- broken promise whose alert is still open.  Ordered by priority: promises
-- due today first (did the money come?), then the overdue amount x days
-- past due, then the dunning level; reasons says why, in words.
CREATE VIEW @extschema@.collection_worklist WITH (security_invoker = true) AS
SELECT row_number() OVER (ORDER BY w.promised_today > 0 DESC, w.amount_days DESC, w.dunning_level DESC, w.customer_id) AS priority,
	   w.customer_id, w.customer_name, w.overdue_amount, w.overdue_invoices, w.oldest_days_past_due, w.amount_days,
	   w.dunning_level, l.name_en AS dunning_level_label_en, l.name_zh AS dunning_level_label_zh, w.promised_today, w.broken_promises, w.disputed_amount,
	   array_remove(ARRAY[
		   CASE WHEN w.promised_today > 0 THEN pg_catalog.format('promised to pay %s today', w.promised_today) END,
		   CASE WHEN w.broken_promises > 0 THEN pg_catalog.format('%s broken promise(s) to pay', w.broken_promises) END,
		   CASE WHEN w.overdue_invoices > 0 THEN pg_catalog.format('%s overdue on %s invoice(s), the oldest %s days', w.overdue_amount,
																 w.overdue_invoices, w.oldest_days_past_due) END,
		   CASE WHEN w.dunning_level > 0 THEN pg_catalog.format('dunning level %s (%s)', w.dunning_level, l.name_en) END,
		   CASE WHEN w.disputed_amount > 0 THEN pg_catalog.format('%s disputed, held out of dunning', w.disputed_amount) END],
		   NULL) AS reasons
FROM (SELECT c.customer_id, c.name AS customer_name,
			 coalesce(o.overdue_amount, 0) AS overdue_amount, coalesce(o.overdue_invoices, 0) AS overdue_invoices,
			 o.oldest_days_past_due, coalesce(o.amount_days, 0) AS amount_days,
			 @extschema@.customer_dunning_level(c.customer_id, k.d) AS dunning_level,
			 coalesce(p.promised_today, 0) AS promised_today, coalesce(p.broken_promises, 0) AS broken_promises,
			 coalesce(o.disputed_amount, 0) AS disputed_amount
	  FROM (SELECT @extschema@.as_of() AS d) k
	  CROSS JOIN @extschema@.src_customer c
	  LEFT JOIN (SELECT i.customer_id,
						pg_catalog.sum(i.open_amount) FILTER (WHERE NOT i.disputed) AS overdue_amount,
						pg_catalog.count(*) FILTER (WHERE NOT i.disputed) AS overdue_invoices,
						pg_catalog.max(i.days) FILTER (WHERE NOT i.disputed) AS oldest_days_past_due,
						pg_catalog.sum(i.open_amount * i.days) FILTER (WHERE NOT i.disputed) AS amount_days,
						pg_catalog.sum(i.open_amount) FILTER (WHERE i.disputed) AS disputed_amount
				 FROM (SELECT o.customer_id, o.open_amount, (SELECT @extschema@.as_of()) - o.due_on AS days,
							  @extschema@.invoice_disputed(o.invoice_id, o.customer_id, (SELECT @extschema@.as_of())) AS disputed
					   FROM @extschema@.open_item o
					   WHERE o.kind = 'invoice' AND o.due_on < (SELECT @extschema@.as_of())) i
				 GROUP BY i.customer_id) o ON o.customer_id = c.customer_id
	  LEFT JOIN (SELECT q.customer_id,
						pg_catalog.sum(q.amount) FILTER (WHERE q.status = 'open' AND q.promised_on = (SELECT @extschema@.as_of())) AS promised_today,
						pg_catalog.count(*) FILTER (WHERE q.status = 'broken' AND a.resolved_at IS NULL AND a.alert_id IS NOT NULL) AS broken_promises
				 FROM @extschema@.payment_promise q
				 LEFT JOIN @extschema@.alerts a ON a.alert_id = q.alert_id
				 GROUP BY q.customer_id) p ON p.customer_id = c.customer_id) w
LEFT JOIN @extschema@.dunning_levels l ON l.level = w.dunning_level AND w.dunning_level > 0
WHERE w.overdue_invoices > 0 OR w.promised_today > 0 OR w.broken_promises > 0
ORDER BY priority;

COMMENT ON VIEW @extschema@.collection_worklist IS
	'the collector''s worklist as of customer_class.as_of(): customers with undisputed overdue invoices, a promise due today or a broken promise, by priority (promises due today, then overdue amount x days, then dunning level), with the reasons';
COMMENT ON COLUMN @extschema@.collection_worklist.priority IS '1 = chase first';
COMMENT ON COLUMN @extschema@.collection_worklist.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.collection_worklist.customer_name IS 'customer name';
COMMENT ON COLUMN @extschema@.collection_worklist.overdue_amount IS 'open amount past due, disputed invoices left out';
COMMENT ON COLUMN @extschema@.collection_worklist.overdue_invoices IS 'invoices past due, disputed ones left out';
COMMENT ON COLUMN @extschema@.collection_worklist.oldest_days_past_due IS 'most days past due of those invoices';
COMMENT ON COLUMN @extschema@.collection_worklist.amount_days IS 'sum of open amount x days past due over those invoices: what weighs most';
COMMENT ON COLUMN @extschema@.collection_worklist.dunning_level IS 'the customer''s dunning level (customer_dunning_level)';
COMMENT ON COLUMN @extschema@.collection_worklist.dunning_level_label_en IS 'name of that level in English (NULL for level 0)';
COMMENT ON COLUMN @extschema@.collection_worklist.dunning_level_label_zh IS 'name of that level in Simplified Chinese (NULL for level 0)';
COMMENT ON COLUMN @extschema@.collection_worklist.promised_today IS 'amount of open promises to pay falling due today';
COMMENT ON COLUMN @extschema@.collection_worklist.broken_promises IS 'broken promises whose promise_broken alert is still open';
COMMENT ON COLUMN @extschema@.collection_worklist.disputed_amount IS 'open amount past due under open dispute (held out of dunning)';
COMMENT ON COLUMN @extschema@.collection_worklist.reasons IS 'why the customer is on the list, in words';

GRANT SELECT ON @extschema@.dunning_letter_outbox, @extschema@.due_reminders, @extschema@.collection_worklist
	TO customer_class_reader;

-- == statements of account (collections/statement.sql) ==
-- Collections, part 3: the statement of account (对账单) of a customer over
-- a period (docs/collections.md).  Reads the src_* views, so a bound ERP's
-- documents make the statement.

-- The opening balance (invoices issued before the period - payments and
-- credit notes dated before it), then every invoice, payment, credit note
-- and adjustment of the period in date order (on one day: invoices first,
-- then payments and credit notes, each by id) with a running balance, and
-- the closing balance: invoices issued by the end - payments and credit
-- notes dated by then, the AR of ar_figures() and the total of open_item /
-- aging_report as of the last day.  An adjustment is a negative amount a
-- bound ERP may hold: a refund or reversal of a payment (a debit) or a
-- negative invoice (a credit).  The caller's rights apply: a customer it
-- may not see does not exist.
CREATE FUNCTION @extschema@.statement_of_account(customer_id bigint, from_date date, to_date date)
	RETURNS TABLE (line integer, entry_on date, entry text, document_id bigint, invoice_id bigint,
				   due_on date, description text, debit numeric, credit numeric, balance numeric)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	opening numeric;
BEGIN
	IF statement_of_account.customer_id IS NULL OR from_date IS NULL OR to_date IS NULL THEN
		RAISE EXCEPTION 'statement_of_account needs a customer and both dates of the period'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT isfinite(from_date) OR NOT isfinite(to_date) THEN
		RAISE EXCEPTION 'statement period % to % is not a period of days', from_date, to_date
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Give finite dates.';
	END IF;
	IF to_date < from_date THEN
		RAISE EXCEPTION 'statement period ends on % before it starts on %', to_date, from_date
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Give the first day of the period, then the last.';
	END IF;
	IF NOT EXISTS (SELECT FROM @extschema@.src_customer c WHERE c.customer_id = statement_of_account.customer_id) THEN
		RAISE EXCEPTION 'customer % does not exist', statement_of_account.customer_id
			USING ERRCODE = 'no_data_found';
	END IF;

	opening := coalesce((SELECT sum(i.amount) FROM @extschema@.src_invoice i
						 WHERE i.customer_id = statement_of_account.customer_id AND i.issued_on < from_date), 0.00)
			 - coalesce((SELECT sum(p.amount) FROM @extschema@.src_payment p
						 WHERE p.customer_id = statement_of_account.customer_id AND p.paid_on < from_date), 0.00);

	RETURN QUERY
	WITH doc AS (
		SELECT i.issued_on AS entry_on, 1 AS sort,
			   CASE WHEN i.amount < 0 THEN 'adjustment' ELSE 'invoice' END AS entry,
			   i.invoice_id AS document_id, i.invoice_id, i.due_on,
			   CASE WHEN i.amount < 0 THEN format('negative invoice %s', i.invoice_id)
					ELSE format('invoice %s, due %s', i.invoice_id, i.due_on) END AS description,
			   CASE WHEN i.amount >= 0 THEN i.amount END AS debit,
			   CASE WHEN i.amount < 0 THEN -i.amount END AS credit
		FROM @extschema@.src_invoice i
		WHERE i.customer_id = statement_of_account.customer_id AND i.issued_on BETWEEN from_date AND to_date
		UNION ALL
		SELECT p.paid_on, 2,
			   CASE WHEN p.amount < 0 THEN 'adjustment' WHEN p.kind = 'credit_note' THEN 'credit note' ELSE 'payment' END,
			   p.payment_id, p.invoice_id, NULL::date,
			   CASE WHEN p.amount < 0 THEN format('reversal or refund %s (%s)', p.payment_id, replace(p.kind, '_', ' '))
					ELSE format('%s %s', replace(p.kind, '_', ' '), p.payment_id) END
			   || CASE WHEN p.invoice_id IS NULL THEN ', on account' ELSE format(', for invoice %s', p.invoice_id) END,
			   CASE WHEN p.amount < 0 THEN -p.amount END,
			   CASE WHEN p.amount >= 0 THEN p.amount END
		FROM @extschema@.src_payment p
		WHERE p.customer_id = statement_of_account.customer_id AND p.paid_on BETWEEN from_date AND to_date
	),
	lines AS (
		SELECT 0 AS n, from_date AS entry_on, 0 AS sort, 'opening balance'::text AS entry, NULL::bigint AS document_id,
			   NULL::bigint AS invoice_id, NULL::date AS due_on, format('balance before %s', from_date) AS description,
			   NULL::numeric AS debit, NULL::numeric AS credit, 0::numeric AS delta
		UNION ALL
		SELECT 1, d.entry_on, d.sort, d.entry, d.document_id, d.invoice_id, d.due_on, d.description, d.debit, d.credit,
			   coalesce(d.debit, 0) - coalesce(d.credit, 0)
		FROM doc d
		UNION ALL
		SELECT 2, to_date, 3, 'closing balance', NULL, NULL, NULL, format('balance at the end of %s', to_date),
			   NULL, NULL, 0
	)
	SELECT (row_number() OVER w - 1)::integer, l.entry_on, l.entry, l.document_id, l.invoice_id, l.due_on,
		   l.description, l.debit, l.credit, opening + sum(l.delta) OVER w
	FROM lines l
	WINDOW w AS (ORDER BY l.n, l.entry_on, l.sort, l.document_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
	ORDER BY 1;
END
$$;
GRANT EXECUTE ON FUNCTION @extschema@.statement_of_account(bigint, date, date) TO customer_class_reader;
COMMENT ON FUNCTION @extschema@.statement_of_account(bigint, date, date) IS
	'statement of account (对账单) of a customer for a period: opening balance, every invoice, payment, credit note and adjustment with a running balance, and the closing balance (the AR at the end of the period)';

-- == triggers (collections/triggers.sql) ==
-- Triggers of the collections tables whose functions load after them
-- (collections/dunning.sql loads before credit/check.sql, which defines
-- credit_context_changed()).
--
-- The credit checks' cache (src/credit_context.c) forgets what it knew
-- when a dispute is opened or resolved (the overdue rule may leave disputed
-- invoices out, rule.disputed_invoices) or a dunning run writes notices (a
-- check may read customer_dunning_level()).  ENABLE ALWAYS, like the
-- others: replica-mode loads fire them too.
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.invoice_dispute
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('context');
ALTER TABLE @extschema@.invoice_dispute ENABLE ALWAYS TRIGGER credit_context_changed;

CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.dunning_notice
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('context');
ALTER TABLE @extschema@.dunning_notice ENABLE ALWAYS TRIGGER credit_context_changed;

-- == access by customer category on the new tables (access/policies.sql) ==
DO $policies$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['invoice_dispute', 'dunning_notice', 'payment_promise']
	LOOP
		EXECUTE pg_catalog.format('ALTER TABLE @extschema@.%I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE pg_catalog.format($f$
			CREATE POLICY customer_access ON @extschema@.%1$I
				USING (@extschema@.access_visible(%1$I.customer_id, (SELECT @extschema@.access_query())))
				WITH CHECK (@extschema@.access_visible(%1$I.customer_id, (SELECT @extschema@.access_query())))$f$, t);
		EXECUTE pg_catalog.format($f$COMMENT ON POLICY customer_access ON @extschema@.%I IS %L$f$, t,
			'access by customer category: a restricted role sees and writes the rows of the customers it sees in customer');
	END LOOP;
END
$policies$;
