-- 0.2.0 -> 0.3.0, the check menu's rule dunning_level (issue 18 E): credit_check_rule rule dunning_level (days = the highest level allowed), credit_menu's max_dunning_level, credit_verdict's dunning_level/max_dunning_level, violation dunning_level_exceeded (KC006), alert kind; after 85_dunning (customer_dunning_level) and 86_check_menu_ratio

-- == credit/menu.sql: the rule's validation and credit_menu() ==
-- The rules there are and the parameters each takes, with errors that say
-- what to write (a CHECK constraint could only name itself).
CREATE OR REPLACE FUNCTION @extschema@.credit_check_rule_validate() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	wanted text[];
	given text[];
BEGIN
	IF NEW.rule IS NULL OR NEW.rule NOT IN ('horizon', 'document_value', 'overdue_ratio', 'dunning_level') THEN
		RAISE EXCEPTION 'unknown credit check rule "%"', coalesce(NEW.rule, 'NULL')
			USING ERRCODE = 'undefined_object',
				  HINT = 'The rules are horizon (days), document_value (amount), overdue_ratio (days, pct) and dunning_level (days: the highest level allowed).';
	END IF;
	IF NEW.checkpoint NOT IN ('order', 'delivery', 'invoice') THEN
		RAISE EXCEPTION 'unknown credit checkpoint "%"', NEW.checkpoint
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The checkpoints are order, delivery and invoice; NULL sets the rule for every checkpoint.';
	END IF;
	IF NEW.grade IS NOT NULL AND NEW.customer_id IS NOT NULL THEN
		RAISE EXCEPTION 'credit check rule % is set for grade % and customer % at once', NEW.rule, NEW.grade, NEW.customer_id
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give a grade or a customer (neither: everyone); a customer''s row wins over its grade''s.';
	END IF;
	wanted := CASE NEW.rule WHEN 'horizon' THEN '{days}' WHEN 'document_value' THEN '{amount}'
							WHEN 'dunning_level' THEN '{days}' ELSE '{days,pct}' END;
	given := array_remove(ARRAY[CASE WHEN NEW.days IS NOT NULL THEN 'days' END,
								CASE WHEN NEW.amount IS NOT NULL THEN 'amount' END,
								CASE WHEN NEW.pct IS NOT NULL THEN 'pct' END], NULL);
	-- a row that switches the rule off needs no parameters, but takes no others
	IF NOT given <@ wanted OR (NEW.enabled AND NOT wanted <@ given) THEN
		RAISE EXCEPTION 'credit check rule % takes %, not %', NEW.rule, array_to_string(wanted, ' and '),
			CASE WHEN given = '{}' THEN 'nothing' ELSE array_to_string(given, ' and ') END
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = CASE NEW.rule
					  WHEN 'horizon' THEN 'days: open orders count when due to ship within that many days (0-3650).'
					  WHEN 'document_value' THEN 'amount: the largest value of one document (0 or more).'
					  WHEN 'dunning_level' THEN 'days: the highest dunning level allowed (0-9); a customer whose open invoices not under dispute reached a higher level fails.'
					  ELSE 'days: past due by more than that many days (0-9999); pct: the largest share of the open balance so overdue, in percent (0-100).' END;
	END IF;
	IF NEW.days NOT BETWEEN 0 AND (CASE NEW.rule WHEN 'horizon' THEN 3650 WHEN 'dunning_level' THEN 9 ELSE 9999 END)
	   OR NEW.amount < 0 OR NEW.pct NOT BETWEEN 0 AND 100 THEN
		RAISE EXCEPTION 'credit check rule %: % out of range', NEW.rule,
			concat_ws(', ', 'days ' || NEW.days, 'amount ' || NEW.amount, 'pct ' || NEW.pct)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = CASE NEW.rule
					  WHEN 'horizon' THEN 'days is 0 to 3650.'
					  WHEN 'document_value' THEN 'amount is 0 or more.'
					  WHEN 'dunning_level' THEN 'days (the highest level allowed) is 0 to 9.'
					  ELSE 'days is 0 to 9999, pct 0 to 100.' END;
	END IF;
	RETURN NEW;
END
$$;

-- credit_menu() gains a column: a new return type (no function body is bound to it)
DROP FUNCTION @extschema@.credit_menu(bigint, text, @extschema@.credit_grade, date);

-- The menu in force for a customer of a grade at a checkpoint on a date:
-- one row, each rule's parameters (NULL: the rule is off).  One SQL query,
-- inlined into credit_evaluate() and into the C order trigger's context
-- query (src/credit_context.c), which caches it.
CREATE FUNCTION @extschema@.credit_menu(customer_id bigint, checkpoint text, grade @extschema@.credit_grade,
										as_of date)
	RETURNS TABLE (horizon_days integer, max_document numeric, ratio_days integer, ratio_pct numeric,
				   max_dunning_level integer)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT max(r.days) FILTER (WHERE r.rule = 'horizon'),
		   max(r.amount) FILTER (WHERE r.rule = 'document_value'),
		   max(r.days) FILTER (WHERE r.rule = 'overdue_ratio'),
		   max(r.pct) FILTER (WHERE r.rule = 'overdue_ratio'),
		   max(r.days) FILTER (WHERE r.rule = 'dunning_level')
	FROM (SELECT DISTINCT ON (r.rule) r.rule, r.enabled, r.days, r.amount, r.pct
		  FROM @extschema@.credit_check_rule r
		  WHERE (r.customer_id = credit_menu.customer_id OR r.customer_id IS NULL)
			AND (r.grade = credit_menu.grade OR r.grade IS NULL)
			AND (r.checkpoint = credit_menu.checkpoint OR r.checkpoint IS NULL)
			AND (r.expires_on IS NULL OR r.expires_on > coalesce(credit_menu.as_of, @extschema@.as_of()))
		  ORDER BY r.rule, r.customer_id IS NULL, r.grade IS NULL, r.checkpoint IS NULL) r
	WHERE r.enabled;
END;

COMMENT ON FUNCTION @extschema@.credit_menu(bigint, text, @extschema@.credit_grade, date) IS
	'internal: the check menu in force for a customer of a grade at a checkpoint (each rule''s parameters; NULL: off)';
COMMENT ON TABLE @extschema@.credit_check_rule IS
	'the check menu: rules horizon, document_value, overdue_ratio and dunning_level per checkpoint, for everyone, a grade or a customer (the most specific row wins)';
COMMENT ON COLUMN @extschema@.credit_check_rule.rule IS 'horizon, document_value, overdue_ratio or dunning_level';
COMMENT ON COLUMN @extschema@.credit_check_rule.days IS 'horizon: open orders count when due to ship within days; overdue_ratio: past due by more than days; dunning_level: the highest dunning level allowed';

-- == credit/check.sql: the verdict, the decision, the texts ==
ALTER TYPE @extschema@.credit_verdict ADD ATTRIBUTE dunning_level integer;
ALTER TYPE @extschema@.credit_verdict ADD ATTRIBUTE max_dunning_level integer;

-- The decision of a check, from a verdict whose inputs are filled (mode,
-- exposure_after, credit_limit, credit_grade, overdue_invoice, and the
-- check menu's horizon_days, max_document with document_value,
-- overdue_ratio_days and _pct, max_dunning_level): the violation and its SQLSTATE, the
-- prepayment missing, the days overdue, the exposure within the horizon,
-- the overdue ratio, nearly used, allowed.  The rules on the exposure are
-- credit_exposure_rule()'s -- with the rule horizon, grade D's prepayment
-- on the whole exposure and the limit on the exposure within the horizon
-- (exposure_in_horizon; computed here unless the caller filled it) -- then
-- the document value, the overdue invoice, the overdue ratio, the dunning
-- level, the first that fails reported; credit_evaluate() and credit_evaluate_in_company()
-- (a company's own limit) both decide here.
CREATE OR REPLACE FUNCTION @extschema@.credit_verdict_decide(v @extschema@.credit_verdict, grade_d text, pct numeric, as_of date)
	RETURNS @extschema@.credit_verdict
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	rule text;
	r record;
BEGIN
	v.violation := NULL;
	v.sqlstate := NULL;
	v.prepayment_missing := NULL;
	v.overdue_days := NULL;
	-- a member of a credit group: the group limits over it, with its
	-- exposure after the amount in place of its ledger row's (unless the
	-- caller filled them: credit_evaluate_in_company() counts the member's
	-- whole ledger row, not its exposure in one company)
	IF v.group_id IS NULL THEN
		v := @extschema@.credit_group_fill(v, v.exposure_after, as_of);
	END IF;
	IF v.horizon_days IS NULL THEN
		v.exposure_in_horizon := NULL;
		rule := @extschema@.credit_exposure_rule(v.credit_grade, grade_d, v.credit_limit, pct, v.exposure_after);
	ELSE
		IF v.exposure_in_horizon IS NULL THEN
			v.exposure_in_horizon := v.exposure_after
				- @extschema@.credit_beyond_horizon(v.customer_id, NULL, credit_verdict_decide.as_of, v.horizon_days);
		END IF;
		rule := coalesce(@extschema@.credit_exposure_rule(v.credit_grade, grade_d, NULL, NULL, v.exposure_after),
						 @extschema@.credit_exposure_rule(NULL, NULL, v.credit_limit, pct, v.exposure_in_horizon));
	END IF;
	IF rule = 'grade_d' THEN
		v.violation := 'grade_d';
		v.sqlstate := 'KC003';
		v.prepayment_missing := v.exposure_after;
	ELSIF rule = 'limit_exceeded' THEN
		v.violation := CASE WHEN v.horizon_days IS NULL THEN 'limit_exceeded' ELSE 'horizon_limit_exceeded' END;
		v.sqlstate := 'KC001';
	ELSIF v.group_exposure > v.group_limit THEN
		-- a group's limit (credit_group_fill() chose the one that binds): a
		-- credit limit exceeded too, the group's figures say whose
		v.violation := 'limit_exceeded';
		v.sqlstate := 'KC001';
	END IF;

	IF v.violation IS NULL AND @extschema@.credit_document_value_rule(v.document_value, v.max_document) THEN
		v.violation := 'document_value_exceeded';
		v.sqlstate := 'KC004';
	END IF;

	IF v.violation IS NULL AND v.overdue_invoice IS NOT NULL THEN
		SELECT credit_verdict_decide.as_of - i.due_on INTO v.overdue_days
		FROM @extschema@.src_invoice i WHERE i.invoice_id = v.overdue_invoice;
		v.violation := 'invoice_overdue';
		v.sqlstate := 'KC002';
	END IF;

	IF v.overdue_ratio_days IS NOT NULL THEN
		SELECT * INTO r FROM @extschema@.credit_overdue_ratio(v.customer_id, credit_verdict_decide.as_of,
															  v.overdue_ratio_days, v.overdue_ratio_pct);
		v.overdue_ratio := round(100 * r.overdue / nullif(r.open_balance, 0), 2);
		IF v.violation IS NULL AND r.exceeded THEN
			v.violation := 'overdue_ratio_exceeded';
			v.sqlstate := 'KC005';
		END IF;
	END IF;

	-- read only when the rule is on: the level is a query on the notices
	IF v.max_dunning_level IS NOT NULL THEN
		v.dunning_level := @extschema@.customer_dunning_level(v.customer_id, credit_verdict_decide.as_of);
		IF v.violation IS NULL AND v.dunning_level > v.max_dunning_level THEN
			v.violation := 'dunning_level_exceeded';
			v.sqlstate := 'KC006';
		END IF;
	END IF;

	v.nearly_used := v.violation IS NULL AND rule IS NOT DISTINCT FROM 'limit_nearly_used';
	v.allowed := v.violation IS NULL OR v.mode <> 'block';
	RETURN v;
END
$$;

-- Evaluate a check: exposure_after is the exposure with the amount asked;
-- document_value the value of the document checked (NULL: the amount asked),
-- for the rule document_value.  violation: NULL (passes), grade_d,
-- limit_exceeded or horizon_limit_exceeded, document_value_exceeded,
-- invoice_overdue, overdue_ratio_exceeded, dunning_level_exceeded (the
-- first that fails, in this order).  allowed is false only in mode block.
-- Grade D with rule.grade_d on means "prepayment required" (D类要求预付款):
-- a customer's prepayment is a negative exposure (unapplied payments and
-- credit notes above what it owes), so the check passes when the exposure
-- after the amount is still at most zero, and otherwise fails with the
-- uncovered part in prepayment_missing.  It comes first: for a grade D
-- customer the missing prepayment is what credit control wants to read (the
-- shipped D limit of 0 would fail on the same amount).  These rules are
-- credit_exposure_rule()'s; the C fast path (src/credit_context.c) decides
-- "may act" by the same code.
CREATE OR REPLACE FUNCTION @extschema@.credit_evaluate(customer_id bigint, checkpoint text, exposure_after numeric,
											asked numeric, as_of date DEFAULT NULL, document_value numeric DEFAULT NULL)
	RETURNS @extschema@.credit_verdict
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := coalesce(credit_evaluate.as_of, @extschema@.as_of());
	v @extschema@.credit_verdict;
	grade_d text;
	pct numeric;
BEGIN
	IF checkpoint NOT IN ('order', 'delivery', 'invoice') THEN
		RAISE EXCEPTION 'unknown credit checkpoint "%"', checkpoint
			USING ERRCODE = 'invalid_parameter_value', HINT = 'The checkpoints are order, delivery and invoice.';
	END IF;
	v.customer_id := customer_id;
	v.checkpoint := checkpoint;
	v.asked := asked;
	v.exposure_after := exposure_after;
	v.exposure_before := exposure_after - asked;
	v.allowed := true;
	v.nearly_used := false;
	SELECT c.mode, c.credit_limit, c.limit_source, c.credit_grade, c.grade_d, c.pct, c.overdue_invoice
	INTO v.mode, v.credit_limit, v.limit_source, v.credit_grade, grade_d, pct, v.overdue_invoice
	FROM @extschema@.credit_context(credit_evaluate.customer_id, credit_evaluate.checkpoint, d) c;
	IF v.mode = 'off' THEN
		RETURN v;
	END IF;
	SELECT m.horizon_days, m.max_document, m.ratio_days, m.ratio_pct, m.max_dunning_level
	INTO v.horizon_days, v.max_document, v.overdue_ratio_days, v.overdue_ratio_pct, v.max_dunning_level
	FROM @extschema@.credit_menu(credit_evaluate.customer_id, credit_evaluate.checkpoint, v.credit_grade, d) m;
	IF v.max_document IS NOT NULL THEN
		-- the value of the document checked (an order raised: its new amount);
		-- not given: the amount asked
		v.document_value := coalesce(credit_evaluate.document_value, asked);
	END IF;

	RETURN @extschema@.credit_verdict_decide(v, grade_d, pct, d);
END
$$;

-- The message of a failed check (what the error or warning says).
CREATE OR REPLACE FUNCTION @extschema@.credit_verdict_message(v @extschema@.credit_verdict, what text DEFAULT NULL)
	RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN pg_catalog.format('credit check at %s failed for customer %s%s: %s',
		v.checkpoint, v.customer_id, coalesce(' (' || what || ')', ''),
		CASE v.violation
			WHEN 'limit_exceeded' THEN
				CASE WHEN (v.exposure_after > v.credit_limit AND v.horizon_days IS NULL) OR v.group_id IS NULL
					 THEN pg_catalog.format('exposure %s is above the credit limit %s', v.exposure_after, v.credit_limit)
					 ELSE pg_catalog.format('exposure %s of credit group %s is above the group''s credit limit %s',
						 v.group_exposure, v.group_id, v.group_limit) END
			WHEN 'invoice_overdue' THEN pg_catalog.format('invoice %s is %s days overdue',
				v.overdue_invoice, v.overdue_days)
			WHEN 'grade_d' THEN pg_catalog.format('credit grade is D and requires prepayment: %s of prepayment missing',
				v.prepayment_missing)
			WHEN 'horizon_limit_exceeded' THEN pg_catalog.format('exposure %s within the %s-day horizon is above the credit limit %s',
				v.exposure_in_horizon, v.horizon_days, v.credit_limit)
			WHEN 'document_value_exceeded' THEN pg_catalog.format('document value %s is above the maximum %s for one document',
				v.document_value, v.max_document)
			WHEN 'overdue_ratio_exceeded' THEN pg_catalog.format('%s%% of the open invoice balance is more than %s days overdue, above the maximum %s%%',
				v.overdue_ratio, v.overdue_ratio_days, v.overdue_ratio_pct)
			WHEN 'dunning_level_exceeded' THEN pg_catalog.format('dunning level %s is above the maximum %s',
				v.dunning_level, v.max_dunning_level)
			ELSE 'passed' END);

-- The reason sentence of a failed rule of the check menu ('' for the others).
CREATE OR REPLACE FUNCTION @extschema@.credit_verdict_reason(v @extschema@.credit_verdict) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN coalesce(CASE v.violation
		WHEN 'horizon_limit_exceeded' THEN pg_catalog.format(' Reason: %s (open orders due to ship more than %s days ahead not counted: %s).',
			v.violation, v.horizon_days, v.exposure_after - v.exposure_in_horizon)
		WHEN 'document_value_exceeded' THEN pg_catalog.format(' Reason: %s (document value %s, at most %s).',
			v.violation, v.document_value, v.max_document)
		WHEN 'overdue_ratio_exceeded' THEN pg_catalog.format(' Reason: %s (%s%% more than %s days overdue, at most %s%%).',
			v.violation, v.overdue_ratio, v.overdue_ratio_days, v.overdue_ratio_pct)
		WHEN 'dunning_level_exceeded' THEN pg_catalog.format(' Reason: %s (dunning level %s, at most %s).',
			v.violation, v.dunning_level, v.max_dunning_level) END, '');

-- The hint of a failed check: what to do about it.
CREATE OR REPLACE FUNCTION @extschema@.credit_verdict_hint(v @extschema@.credit_verdict) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN CASE v.violation
		WHEN 'limit_exceeded' THEN
			CASE WHEN (v.exposure_after > v.credit_limit AND v.horizon_days IS NULL) OR v.group_id IS NULL
				 THEN 'Lower the amount, collect payment first, or raise the limit (credit_limit_override).'
				 ELSE pg_catalog.format('Lower the amount, collect payment from the group first, or raise the limit of customer %s, which caps the whole group (credit_limit_override).',
					 v.group_id) END
		WHEN 'grade_d' THEN pg_catalog.format('Collect a prepayment of at least %s (a payment with no invoice) before this %s, or ask credit control: the rule can be excepted in credit_check_exception.',
			v.prepayment_missing, v.checkpoint)
		WHEN 'horizon_limit_exceeded' THEN 'Lower the amount, plan the delivery later (planned_ship_on), collect payment first, or raise the limit (credit_limit_override).'
		WHEN 'document_value_exceeded' THEN 'Split or lower the document, or ask credit control: a row of credit_check_rule with enabled false sets the rule off for the customer.'
		WHEN 'overdue_ratio_exceeded' THEN 'Collect the overdue invoices first, or ask credit control: a row of credit_check_rule with enabled false sets the rule off for the customer.'
		WHEN 'dunning_level_exceeded' THEN 'Collect the dunned invoices first (or record a dispute: a disputed invoice does not count), or ask credit control: a row of credit_check_rule with enabled false sets the rule off for the customer.'
		ELSE 'Ask credit control: the customer''s rule can be excepted in credit_check_exception.' END;


-- == checks/explain.sql and credit/alerts.sql: the alert kind dunning_level_exceeded ==
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
						 'horizon_limit_exceeded, document_value_exceeded, overdue_ratio_exceeded, '
						 'dunning_level_exceeded.', r->>'kind');
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
											  'horizon_limit_exceeded', 'document_value_exceeded', 'overdue_ratio_exceeded',
											  'dunning_level_exceeded'));
DROP TRIGGER alerts_explain_check ON @extschema@.alerts;
CREATE TRIGGER alerts_explain_check BEFORE INSERT OR UPDATE ON @extschema@.alerts
	FOR EACH ROW WHEN ((NEW.kind IN ('limit_nearly_used', 'limit_exceeded', 'invoice_overdue', 'grade_d', 'blocked',
									 'payment_rhythm', 'became_dormant', 'external_event', 'promise_broken',
									 'horizon_limit_exceeded', 'document_value_exceeded', 'overdue_ratio_exceeded',
											  'dunning_level_exceeded')) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();
COMMENT ON COLUMN @extschema@.alerts.kind IS 'limit_nearly_used, limit_exceeded, invoice_overdue, grade_d, blocked, payment_rhythm, became_dormant, external_event, promise_broken, horizon_limit_exceeded, document_value_exceeded, overdue_ratio_exceeded or dunning_level_exceeded';
