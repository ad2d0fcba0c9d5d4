-- 0.2.0 -> 0.3.0, credit holds (issue 18, part C): check mode hold, credit_hold, release_credit_hold / reject_credit_hold, held orders neither shipped nor invoiced (KC010).
-- the mode hold beside block, warn and off
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

ALTER TABLE @extschema@.credit_check_exception DROP CONSTRAINT credit_check_exception_mode_valid;
ALTER TABLE @extschema@.credit_check_exception
	ADD CONSTRAINT credit_check_exception_mode_valid CHECK (mode IN ('block', 'warn', 'hold', 'off'));
COMMENT ON COLUMN @extschema@.credit_check_exception.mode IS 'mode for this customer: block, warn, hold or off';
DROP TRIGGER credit_check_exception_explain_check ON @extschema@.credit_check_exception;
CREATE TRIGGER credit_check_exception_explain_check BEFORE INSERT OR UPDATE ON @extschema@.credit_check_exception
	FOR EACH ROW WHEN ((NEW.checkpoint IN ('order', 'delivery', 'invoice')) IS FALSE
		OR (NEW.mode IN ('block', 'warn', 'hold', 'off')) IS FALSE OR (btrim(NEW.reason) <> '') IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();

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
	WHEN 'invoice.invoice_amount_positive' THEN
		detail := format('amount %s is not positive.', r->>'amount');
		hint := 'An invoice amount is more than 0: record a credit as a payment of kind credit_note.';
	WHEN 'invoice.invoice_due_not_before_issue' THEN
		detail := format('due_on %s is before issued_on %s.', r->>'due_on', r->>'issued_on');
		hint := 'An invoice falls due on or after the day it was issued.';
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
						 'blocked, payment_rhythm, became_dormant, external_event.', r->>'kind');
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

-- the checks act on mode hold, and judge without the orders on hold
CREATE OR REPLACE FUNCTION @extschema@.credit_enforce(customer_id bigint, checkpoint text, exposure_after numeric,
										   asked numeric, what text, document_value numeric DEFAULT NULL)
	RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v @extschema@.credit_verdict;
	hold bigint;
	held numeric;
BEGIN
	-- a restore re-inserts rows accepted before: check nothing
	IF current_setting('check_function_bodies') = 'off' THEN
		RETURN;
	END IF;
	v := @extschema@.credit_evaluate(customer_id, checkpoint, exposure_after, asked, NULL, document_value);
	-- orders on credit hold do not use the credit (credit/hold.sql): judged
	-- without them; only looked for when the check fails
	IF v.violation IS NOT NULL THEN
		held := @extschema@.credit_hold_others(customer_id,
			CASE WHEN checkpoint <> 'invoice' THEN substring(what FROM '^order ([0-9]+)$')::bigint END);
		IF held > 0 THEN
			v := @extschema@.credit_evaluate(customer_id, checkpoint, exposure_after - held, asked, NULL, document_value);
		END IF;
	END IF;
	IF v.violation IS NULL THEN
		IF v.nearly_used THEN
			PERFORM @extschema@.raise_alert(customer_id, 'limit_nearly_used', 'yellow',
				@extschema@.credit_verdict_json(v) || jsonb_build_object('what', what));
		END IF;
		RETURN;
	END IF;
	IF v.mode = 'block' THEN
		RAISE EXCEPTION USING
			ERRCODE = v.sqlstate,
			MESSAGE = @extschema@.credit_verdict_message(v, what),
			DETAIL = @extschema@.credit_verdict_detail(v),
			HINT = @extschema@.credit_verdict_hint(v);
	END IF;
	IF v.mode = 'hold' THEN
		-- saved on hold (credit/hold.sql); what is "order N" or "invoice N",
		-- as the triggers name the document
		hold := @extschema@.credit_hold_place(v, what,
			CASE WHEN checkpoint <> 'invoice' THEN substring(what FROM '^order ([0-9]+)$')::bigint END,
			CASE WHEN checkpoint = 'invoice' THEN substring(what FROM '^invoice ([0-9]+)$')::bigint END,
			NULL, NULL, NULL);
		RAISE WARNING USING
			MESSAGE = @extschema@.credit_verdict_message(v, what),
			DETAIL = @extschema@.credit_verdict_detail(v),
			HINT = pg_catalog.format('The %s is saved on credit hold %s until a credit manager releases it (release_credit_hold) or rejects it (reject_credit_hold).',
									 CASE checkpoint WHEN 'invoice' THEN 'invoice' ELSE 'order' END, hold);
	ELSE
		RAISE WARNING USING
			MESSAGE = @extschema@.credit_verdict_message(v, what),
			DETAIL = @extschema@.credit_verdict_detail(v);
	END IF;
	PERFORM @extschema@.raise_alert(customer_id, v.violation, 'red',
		@extschema@.credit_verdict_json(v) || jsonb_build_object('what', what)
		|| CASE WHEN hold IS NOT NULL THEN jsonb_build_object('hold_id', hold) ELSE '{}' END);
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.credit_check(customer_id bigint, amount numeric, checkpoint text DEFAULT 'order',
										 record boolean DEFAULT true)
	RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v @extschema@.credit_verdict;
	current_exposure numeric;
BEGIN
	IF amount IS NULL OR amount < 0 THEN
		RAISE EXCEPTION 'credit_check: amount must be 0 or more, not %', coalesce(amount::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'The amount is what the order, delivery or invoice adds to the customer''s exposure.',
				  HINT = 'Payments and credit notes lower the exposure and need no check; pass the amount of the document to be saved.';
	END IF;
	-- a customer the caller may not see (docs/access.md) is answered like
	-- one that does not exist
	IF NOT @extschema@.access_allows(customer_id, @extschema@.access_caller())
	   AND EXISTS (SELECT FROM @extschema@.src_customer c WHERE c.customer_id = credit_check.customer_id) THEN
		RAISE EXCEPTION 'customer % does not exist', customer_id USING ERRCODE = 'no_data_found';
	END IF;
	SELECT x.exposure INTO current_exposure FROM @extschema@.credit_exposure x
	WHERE x.customer_id = credit_check.customer_id;
	IF NOT FOUND AND NOT EXISTS (SELECT FROM @extschema@.src_customer c WHERE c.customer_id = credit_check.customer_id) THEN
		RAISE EXCEPTION 'customer % does not exist', customer_id USING ERRCODE = 'no_data_found';
	END IF;
	-- without the orders on credit hold, as the checks judge (credit/hold.sql)
	v := @extschema@.credit_evaluate(customer_id, checkpoint,
		coalesce(current_exposure, 0) + amount - @extschema@.credit_hold_others(customer_id, NULL), amount);
	IF record AND NOT v.allowed THEN
		PERFORM @extschema@.raise_alert(customer_id, 'blocked', 'red',
			@extschema@.credit_verdict_json(v) || jsonb_build_object('what', 'credit_check'));
	END IF;
	RETURN @extschema@.credit_verdict_json(v)
		|| CASE WHEN v.violation IS NULL THEN '{}'::jsonb
				ELSE jsonb_build_object('message', @extschema@.credit_verdict_message(v)) END;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.checkpoint_enforce(checkpoint text, customers bigint[], companies bigint[],
											   amounts numeric[], whats text[])
	RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v @extschema@.credit_verdict;
	x numeric;
	i integer;
	hold bigint;
	rel text;
BEGIN
	PERFORM @extschema@.binding_trigger_only('checkpoint_enforce');
	-- a customer the caller may not see (docs/access.md) is answered like
	-- one that does not exist, as credit_check() answers: the verdict would
	-- tell its exposure
	FOR i IN 1 .. coalesce(array_length(customers, 1), 0) LOOP
		IF NOT @extschema@.access_allows(customers[i], @extschema@.access_caller()) THEN
			RAISE EXCEPTION 'customer % does not exist', customers[i] USING ERRCODE = 'no_data_found';
		END IF;
	END LOOP;
	PERFORM @extschema@.exposure_lock_recompute(customers);
	-- a restore re-inserts rows accepted before: check nothing
	IF current_setting('check_function_bodies') = 'off' THEN
		RETURN;
	END IF;
	FOR i IN 1 .. coalesce(array_length(customers, 1), 0) LOOP
		CONTINUE WHEN customers[i] IS NULL;
		x := @extschema@.exposure_in_company(customers[i], companies[i]);
		v := @extschema@.credit_evaluate_in_company(customers[i], companies[i], checkpoint, x, amounts[i]::numeric(18,2));
		IF v.violation IS NULL THEN
			IF v.nearly_used THEN
				PERFORM @extschema@.raise_alert(customers[i], 'limit_nearly_used', 'yellow',
					@extschema@.credit_verdict_json(v) || jsonb_build_object('what', whats[i], 'company_id', companies[i]));
			END IF;
			CONTINUE;
		END IF;
		IF v.mode = 'block' THEN
			RAISE EXCEPTION USING
				ERRCODE = v.sqlstate,
				MESSAGE = @extschema@.credit_verdict_message(v, whats[i]),
				DETAIL = @extschema@.checkpoint_verdict_detail(v, companies[i]),
				HINT = @extschema@.credit_verdict_hint(v);
		END IF;
		hold := NULL;
		IF v.mode = 'hold' THEN
			-- saved on hold (credit/hold.sql): whats[i] is the relation, a
			-- space and the documents' keys (checkpoint_query)
			SELECT b.relation INTO rel FROM @extschema@.checkpoint_binding b WHERE b.checkpoint = checkpoint_enforce.checkpoint;
			hold := @extschema@.credit_hold_place(v, whats[i], NULL, NULL, rel,
				CASE WHEN starts_with(whats[i], rel || ' ') THEN substr(whats[i], length(rel) + 2) ELSE whats[i] END,
				companies[i]);
			RAISE WARNING USING
				MESSAGE = @extschema@.credit_verdict_message(v, whats[i]),
				DETAIL = @extschema@.checkpoint_verdict_detail(v, companies[i]),
				HINT = pg_catalog.format('The document is saved on credit hold %s until a credit manager releases it (release_credit_hold) or rejects it (reject_credit_hold).', hold);
		ELSE
			RAISE WARNING USING
				MESSAGE = @extschema@.credit_verdict_message(v, whats[i]),
				DETAIL = @extschema@.checkpoint_verdict_detail(v, companies[i]);
		END IF;
		PERFORM @extschema@.raise_alert(customers[i], v.violation, 'red',
			@extschema@.credit_verdict_json(v) || jsonb_build_object('what', whats[i], 'company_id', companies[i])
			|| CASE WHEN hold IS NOT NULL THEN jsonb_build_object('hold_id', hold) ELSE '{}' END);
	END LOOP;
END
$$;

-- the holds (as credit/hold.sql)
-- Written by the functions below only (no role may write it), which keep
-- it consistent: checkpoint order, delivery or invoice; status held,
-- released or rejected, with decided_by, decided_at and decision_reason set
-- exactly when decided; the document named by exactly one of order_id,
-- invoice_id and (relation, document_key).  So, like checkpoint_binding,
-- no CHECK constraints restate it.
CREATE TABLE @extschema@.credit_hold (
	hold_id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id		bigint NOT NULL,
	checkpoint		text NOT NULL,
	order_id		bigint,
	invoice_id		bigint,
	relation		text,
	document_key	text,
	company_id		bigint,
	amount			numeric(18,2),
	reasons			text[] NOT NULL,
	sqlstate		text NOT NULL,
	message			text NOT NULL,
	verdict			jsonb NOT NULL,
	held_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	held_by			name NOT NULL,
	status			text NOT NULL DEFAULT 'held',
	decided_by		name,
	decided_at		timestamptz,
	decision_reason	text
);
-- one open hold per document and checkpoint: a document that fails again
-- while held updates its hold
CREATE UNIQUE INDEX credit_hold_one_open ON @extschema@.credit_hold
	(checkpoint, order_id, invoice_id, relation, document_key) NULLS NOT DISTINCT WHERE status = 'held';
CREATE INDEX credit_hold_customer_idx ON @extschema@.credit_hold (customer_id) WHERE status = 'held';
CREATE INDEX credit_hold_order_idx ON @extschema@.credit_hold (order_id) WHERE status = 'held';
-- the holds and their decisions are records, like the alerts: dumped
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_hold', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_hold_hold_id_seq', '');
-- nobody writes it but the checks and release/reject_credit_hold()
GRANT SELECT ON @extschema@.credit_hold TO customer_class_reader;

-- Put a document on hold (or, when it is held already at this checkpoint,
-- add the amount and the newest verdict to its hold); returns the hold id.
-- Called by credit_enforce() and checkpoint_enforce() while they hold the
-- customer's ledger row.  Each new hold is announced with NOTIFY
-- customer_class_holds, payload {"hold_id": ..} (sent at commit, with the
-- document; a listener reads the row through row-level security).
CREATE FUNCTION @extschema@.credit_hold_place(v @extschema@.credit_verdict, what text, order_id bigint,
											  invoice_id bigint, relation text, document_key text, company_id bigint)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	id bigint;
	fresh boolean;
BEGIN
	INSERT INTO @extschema@.credit_hold AS h
		(customer_id, checkpoint, order_id, invoice_id, relation, document_key, company_id, amount,
		 reasons, sqlstate, message, verdict, held_by)
	VALUES (v.customer_id, v.checkpoint, credit_hold_place.order_id, credit_hold_place.invoice_id,
			credit_hold_place.relation, credit_hold_place.document_key, credit_hold_place.company_id, v.asked,
			ARRAY[v.violation], v.sqlstate, @extschema@.credit_verdict_message(v, what),
			@extschema@.credit_verdict_json(v), @extschema@.access_caller())
	ON CONFLICT (checkpoint, order_id, invoice_id, relation, document_key) WHERE status = 'held' DO UPDATE
	SET amount = h.amount + excluded.amount, reasons = excluded.reasons, sqlstate = excluded.sqlstate,
		message = excluded.message, verdict = excluded.verdict
	RETURNING h.hold_id, h.xmax = 0 INTO id, fresh;
	IF fresh THEN
		PERFORM pg_catalog.pg_notify('customer_class_holds', pg_catalog.jsonb_build_object('hold_id', id)::text);
	END IF;
	RETURN id;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_hold_place(@extschema@.credit_verdict, text, bigint, bigint, text, text, bigint) FROM PUBLIC;

-- What the customer's orders on hold at the order checkpoint (but one,
-- except_order) count in its exposure now: each one's part not invoiced
-- while open or shipped (0 once cancelled, invoiced or deleted), as the
-- ledger counts it.  The checks leave it out of the exposure they judge.
CREATE FUNCTION @extschema@.credit_hold_others(customer_id bigint, except_order bigint) RETURNS numeric
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT coalesce(sum(greatest(o.amount - coalesce((SELECT sum(si.amount) FROM @extschema@.src_invoice si
													   WHERE si.order_id = o.order_id), 0), 0)), 0)
	FROM @extschema@.credit_hold h
	JOIN @extschema@.src_order o ON o.order_id = h.order_id
	WHERE h.customer_id = credit_hold_others.customer_id AND h.status = 'held' AND h.checkpoint = 'order'
	  AND h.order_id IS DISTINCT FROM credit_hold_others.except_order AND o.status IN ('open', 'shipped');
END;

-- A hold the caller may decide on, locked, with the customer's ledger row
-- locked before it (the order every check takes); errors for a missing
-- reason, an unknown hold (or one of a customer the caller may not see)
-- and a hold already decided.
CREATE FUNCTION @extschema@.credit_hold_for_decision(hold_id bigint, reason text, what text)
	RETURNS @extschema@.credit_hold
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h @extschema@.credit_hold;
BEGIN
	IF nullif(btrim(reason), '') IS NULL THEN
		RAISE EXCEPTION '%: a reason is required', what
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Say why the document is released or rejected: the hold keeps it.';
	END IF;
	SELECT * INTO h FROM @extschema@.credit_hold x WHERE x.hold_id = credit_hold_for_decision.hold_id;
	IF NOT FOUND OR NOT @extschema@.access_allows(h.customer_id, @extschema@.access_caller()) THEN
		RAISE EXCEPTION 'credit hold % does not exist', coalesce(hold_id::text, 'NULL')
			USING ERRCODE = 'no_data_found',
				  HINT = 'SELECT hold_id, customer_id, checkpoint, message FROM customer_class.credit_hold WHERE status = ''held'' lists the open holds.';
	END IF;
	-- the ledger row first, as the checks lock it: a concurrent order or
	-- decision of the customer waits, and is seen by the statements below
	IF h.relation IS NULL THEN
		PERFORM @extschema@.exposure_add(h.customer_id, 0, 0, 0, 0);
	ELSE
		-- a bound ERP table: its triggers never wait, and neither does this
		PERFORM @extschema@.exposure_lock_recompute(ARRAY[h.customer_id]);
	END IF;
	SELECT * INTO h FROM @extschema@.credit_hold x WHERE x.hold_id = credit_hold_for_decision.hold_id FOR UPDATE;
	IF h.status <> 'held' THEN
		RAISE EXCEPTION 'credit hold % was already %', hold_id, h.status
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = pg_catalog.format('It was %s by %s: %s', h.status, h.decided_by, h.decision_reason),
				  HINT = 'A decision is final; a document that fails its check again gets a new hold.';
	END IF;
	RETURN h;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_hold_for_decision(bigint, text, text) FROM PUBLIC;

-- Release a hold: the document's check is made again, now, and the hold
-- is released only when it passes (or the mode in force is now warn, with a
-- WARNING, or off).  The check is the whole check, the check menu's rules
-- included (credit_check_rule).  Refused, the error is the check's (KC001
-- to KC006) and the hold stays.  SECURITY DEFINER: credit managers decide
-- without the right to write holds or the ledger; EXECUTE for
-- customer_class_admin only.
CREATE FUNCTION @extschema@.release_credit_hold(hold_id bigint, reason text)
	RETURNS @extschema@.credit_hold
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h @extschema@.credit_hold;
	v @extschema@.credit_verdict;
	x numeric;
	others numeric := 0;
	asked numeric;
	what text;
BEGIN
	h := @extschema@.credit_hold_for_decision(hold_id, reason, 'release_credit_hold');
	what := coalesce('order ' || h.order_id, 'invoice ' || h.invoice_id, h.relation || ' ' || h.document_key);
	IF h.relation IS NULL THEN
		SELECT e.exposure INTO x FROM @extschema@.credit_exposure e WHERE e.customer_id = h.customer_id;
		others := @extschema@.credit_hold_others(h.customer_id, h.order_id);
		asked := CASE WHEN h.order_id IS NOT NULL AND h.checkpoint = 'order'
					  THEN (SELECT greatest(o.amount - coalesce((SELECT sum(si.amount) FROM @extschema@.src_invoice si
																  WHERE si.order_id = o.order_id), 0), 0)
							FROM @extschema@.src_order o WHERE o.order_id = h.order_id AND o.status IN ('open', 'shipped'))
					  ELSE h.amount END;
		-- the check menu's rule document_value: the order's amount at the
		-- order checkpoint, as the order trigger passes it; else the amount
		-- held (the part delivered, the invoice)
		v := @extschema@.credit_evaluate(h.customer_id, h.checkpoint, coalesce(x, 0) - others, coalesce(asked, 0), NULL,
			CASE WHEN h.order_id IS NOT NULL AND h.checkpoint = 'order'
				 THEN (SELECT o.amount FROM @extschema@.src_order o WHERE o.order_id = h.order_id) END);
	ELSE
		x := @extschema@.exposure_in_company(h.customer_id, h.company_id);
		v := @extschema@.credit_evaluate_in_company(h.customer_id, h.company_id, h.checkpoint, x, h.amount);
	END IF;
	IF v.violation IS NOT NULL AND v.mode IN ('block', 'hold') THEN
		RAISE EXCEPTION USING
			ERRCODE = v.sqlstate,
			MESSAGE = pg_catalog.format('credit hold %s cannot be released: %s', h.hold_id,
										@extschema@.credit_verdict_message(v, what)),
			DETAIL = CASE WHEN h.relation IS NULL THEN @extschema@.credit_verdict_detail(v)
						  ELSE @extschema@.checkpoint_verdict_detail(v, h.company_id) END
				|| CASE WHEN others > 0 THEN pg_catalog.format(' Not counted: %s of other orders on hold.', others) ELSE '' END,
			-- what to do is the failed rule's (the check menu's rules included)
			HINT = 'The hold stays. ' || @extschema@.credit_verdict_hint(v)
				|| ' Then release it again, or reject it (reject_credit_hold).';
	END IF;
	IF v.violation IS NOT NULL THEN
		-- mode warn now: released as a warn-mode check would accept it
		RAISE WARNING USING
			MESSAGE = @extschema@.credit_verdict_message(v, what),
			DETAIL = @extschema@.credit_verdict_detail(v);
	END IF;
	UPDATE @extschema@.credit_hold x
	SET status = 'released', decided_by = @extschema@.access_caller(), decided_at = pg_catalog.now(),
		decision_reason = reason
	WHERE x.hold_id = h.hold_id
	RETURNING x.* INTO h;
	RETURN h;
END
$$;

-- Reject a hold: the document is not accepted.  A managed order held at
-- the order checkpoint is cancelled; one held at delivery goes back to
-- open (not shipped).  An invoice, or a document of a bound ERP table,
-- is left as it is: only the hold changes (the ERP acts on the decision).
CREATE FUNCTION @extschema@.reject_credit_hold(hold_id bigint, reason text)
	RETURNS @extschema@.credit_hold
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h @extschema@.credit_hold;
BEGIN
	h := @extschema@.credit_hold_for_decision(hold_id, reason, 'reject_credit_hold');
	-- decided first, so that the order's own triggers see no open hold
	UPDATE @extschema@.credit_hold x
	SET status = 'rejected', decided_by = @extschema@.access_caller(), decided_at = pg_catalog.now(),
		decision_reason = reason
	WHERE x.hold_id = h.hold_id
	RETURNING x.* INTO h;
	IF h.order_id IS NOT NULL AND h.checkpoint = 'order' THEN
		UPDATE @extschema@.sales_order o SET status = 'cancelled'
		WHERE o.order_id = h.order_id AND o.status IN ('open', 'shipped');
	ELSIF h.order_id IS NOT NULL AND h.checkpoint = 'delivery' THEN
		UPDATE @extschema@.sales_order o SET status = 'open', shipped_on = NULL
		WHERE o.order_id = h.order_id AND o.status = 'shipped';
	END IF;
	RETURN h;
END
$$;

REVOKE EXECUTE ON FUNCTION @extschema@.release_credit_hold(bigint, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.reject_credit_hold(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.release_credit_hold(bigint, text) TO customer_class_admin;
GRANT EXECUTE ON FUNCTION @extschema@.reject_credit_hold(bigint, text) TO customer_class_admin;

-- A held order may not be shipped or invoiced (KC010).  Row triggers on
-- orders (status to shipped or invoiced) and invoices (naming an order),
-- in sources/triggers.sql; their WHEN clauses let only those rows through,
-- so an order entered open never calls this.  BEFORE the update or the
-- invoice, so that the hold is the reason given, whatever the checks would
-- say; and AFTER an order inserted shipped, which its own order check
-- (credit_order, earlier by name) may just have held.  SECURITY DEFINER:
-- the holds are read whatever the writer may see.
CREATE FUNCTION @extschema@.credit_hold_guard() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h @extschema@.credit_hold;
	doing text;
BEGIN
	-- a restore re-inserts rows accepted before
	IF current_setting('check_function_bodies') = 'off' THEN
		RETURN NEW;
	END IF;
	-- the columns read: order_id, and on orders status
	doing := 'invoiced';
	IF TG_TABLE_NAME = 'sales_order' THEN
		IF NEW.status = 'shipped' THEN
			doing := 'shipped';
		END IF;
	END IF;
	SELECT * INTO h FROM @extschema@.credit_hold x
	WHERE x.order_id = NEW.order_id AND x.status = 'held'
	  AND (x.checkpoint = 'order' OR (doing = 'invoiced' AND x.checkpoint = 'delivery'))
	ORDER BY x.hold_id LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'order % is on credit hold % and cannot be %', NEW.order_id, h.hold_id, doing
			USING ERRCODE = 'KC010',
				  DETAIL = pg_catalog.format('Held at %s: %s.', h.checkpoint, h.message),
				  HINT = pg_catalog.format('A credit manager releases it (release_credit_hold(%s, reason)) or rejects it (reject_credit_hold(%s, reason)).',
										   h.hold_id, h.hold_id);
	END IF;
	RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_hold_guard() FROM PUBLIC;
-- its triggers on the managed tables are in sources/triggers.sql

COMMENT ON TABLE @extschema@.credit_hold IS
	'documents saved on credit hold (a check in mode hold failed) and the credit manager''s decision: released or rejected';
COMMENT ON COLUMN @extschema@.credit_hold.hold_id IS 'hold key';
COMMENT ON COLUMN @extschema@.credit_hold.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.credit_hold.checkpoint IS 'the checkpoint whose check failed: order, delivery or invoice';
COMMENT ON COLUMN @extschema@.credit_hold.order_id IS 'the managed order held (order and delivery checkpoints)';
COMMENT ON COLUMN @extschema@.credit_hold.invoice_id IS 'the managed invoice held (invoice checkpoint)';
COMMENT ON COLUMN @extschema@.credit_hold.relation IS 'a bound ERP table: the table whose document is held (bind_checkpoint)';
COMMENT ON COLUMN @extschema@.credit_hold.document_key IS 'a bound ERP table: the held documents'' primary keys, e.g. id=7 (several when one statement moved them together)';
COMMENT ON COLUMN @extschema@.credit_hold.company_id IS 'a bound ERP table: the documents'' company (NULL: the one company)';
COMMENT ON COLUMN @extschema@.credit_hold.amount IS 'what the document added to the exposure when it was held (a second failure while held adds to it)';
COMMENT ON COLUMN @extschema@.credit_hold.reasons IS 'the reason codes of the failed check: grade_d, limit_exceeded, invoice_overdue';
COMMENT ON COLUMN @extschema@.credit_hold.sqlstate IS 'the SQLSTATE the check would have raised in mode block (KC001, KC002, KC003)';
COMMENT ON COLUMN @extschema@.credit_hold.message IS 'the message of the failed check';
COMMENT ON COLUMN @extschema@.credit_hold.verdict IS 'the verdict of the failed check (credit_verdict as jsonb)';
COMMENT ON COLUMN @extschema@.credit_hold.held_at IS 'when the document was held';
COMMENT ON COLUMN @extschema@.credit_hold.held_by IS 'the role that wrote the document';
COMMENT ON COLUMN @extschema@.credit_hold.status IS 'held, released or rejected';
COMMENT ON COLUMN @extschema@.credit_hold.decided_by IS 'the credit manager who released or rejected it';
COMMENT ON COLUMN @extschema@.credit_hold.decided_at IS 'when it was released or rejected';
COMMENT ON COLUMN @extschema@.credit_hold.decision_reason IS 'why it was released or rejected';
COMMENT ON SEQUENCE @extschema@.credit_hold_hold_id_seq IS 'keys of credit_hold (identity)';
COMMENT ON FUNCTION @extschema@.credit_hold_place(@extschema@.credit_verdict, text, bigint, bigint, text, text, bigint) IS
	'internal: puts a document on credit hold (or adds to its open hold) and announces a new hold (NOTIFY customer_class_holds)';
COMMENT ON FUNCTION @extschema@.credit_hold_others(bigint, bigint) IS
	'internal: what the customer''s orders on hold at the order checkpoint (but one) count in its exposure now: the checks leave it out';
COMMENT ON FUNCTION @extschema@.credit_hold_for_decision(bigint, text, text) IS
	'internal: the open hold to release or reject, locked after the customer''s ledger row; errors for a missing reason, an unknown or decided hold';
COMMENT ON FUNCTION @extschema@.release_credit_hold(bigint, text) IS
	'credit manager: release a held document after checking it again (refused with the check''s error when it fails: the hold stays)';
COMMENT ON FUNCTION @extschema@.reject_credit_hold(bigint, text) IS
	'credit manager: reject a held document (a managed order held at order is cancelled, at delivery set open again; otherwise only the hold changes)';
COMMENT ON FUNCTION @extschema@.credit_hold_guard() IS
	'trigger: an order on credit hold cannot be shipped or invoiced (KC010)';

-- the guards on the managed tables (as sources/triggers.sql)
-- after credit_order (name order), which may just have held the order
CREATE TRIGGER credit_order_held_ins AFTER INSERT ON @extschema@.sales_order
	FOR EACH ROW WHEN (NEW.status IN ('shipped', 'invoiced'))
	EXECUTE FUNCTION @extschema@.credit_hold_guard();
-- before the checks: the hold is the reason, whatever they would say
CREATE TRIGGER credit_order_held_upd BEFORE UPDATE OF status ON @extschema@.sales_order
	FOR EACH ROW WHEN (NEW.status IN ('shipped', 'invoiced') AND OLD.status IS DISTINCT FROM NEW.status)
	EXECUTE FUNCTION @extschema@.credit_hold_guard();
CREATE TRIGGER credit_invoice_held BEFORE INSERT OR UPDATE OF order_id ON @extschema@.invoice
	FOR EACH ROW WHEN (NEW.order_id IS NOT NULL)
	EXECUTE FUNCTION @extschema@.credit_hold_guard();

-- access by customer category (as access/policies.sql)
ALTER TABLE @extschema@.credit_hold ENABLE ROW LEVEL SECURITY;
CREATE POLICY customer_access ON @extschema@.credit_hold
	USING (@extschema@.access_visible(credit_hold.customer_id, (SELECT @extschema@.access_query())))
	WITH CHECK (@extschema@.access_visible(credit_hold.customer_id, (SELECT @extschema@.access_query())));
COMMENT ON POLICY customer_access ON @extschema@.credit_hold IS
	'access by customer category: a restricted role sees and writes the rows of the customers it sees in customer';
