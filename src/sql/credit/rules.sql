-- Credit control, part 4: the rules a credit manager relies on beyond the
-- limit (docs/credit.md).
--
--   external events   an external negative event not yet reviewed caps the
--                     grade (rule.external_event, credit_event_cap() in
--                     credit/policy.sql); the triggers (in credit/triggers.sql)
--                     that make a new event count at once: the checks' cache, the
--                     ledger row that concurrent checks wait on, the dirty
--                     queue, and the review (its alert resolved)
--   customer checks   overrides, external scores, check exceptions and
--                     external events must name a customer that exists; a
--                     window wholly in the past is accepted with a WARNING
--   payment terms     an invoice written without due_on is due by the
--                     customer's terms (days from the invoice or from the
--                     end of its month), shortened by its grade's terms

-- == External negative events ==

-- A new, changed or deleted event can change what the checks read (the
-- grade cap): flush the C order trigger's cache (ENABLE ALWAYS, as for the
-- other tables the checks read), lock the customer's ledger row so that a
-- concurrent order waits for it (credit_touch_exposure, credit/check.sql),
-- and queue the customer for the next refresh().
-- Those triggers on external_event are in credit/triggers.sql.

-- Reviewing an event is resolving its external_event alert
-- (resolve_alert()): the cap is lifted at once for the checks (which read
-- the alert), and the customer is queued so that the next refresh() grades
-- it without the cap.  No ledger row is touched: lifting a cap only loosens
-- the check.  SECURITY DEFINER like mark_dirty(): whoever resolves the alert
-- need not write the queue.
CREATE FUNCTION @extschema@.external_event_reviewed() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	INSERT INTO @extschema@.dirty (customer_id) VALUES (NEW.customer_id);
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.external_event_reviewed() FROM PUBLIC;
-- its trigger on alerts: credit/triggers.sql

-- == Rows that must name an existing customer ==

-- An override, external score, check exception or external event for a
-- customer that does not exist would be accepted and do nothing: refused
-- (23503, like a foreign key).  Not a foreign key: customers may live in a
-- bound ERP relation (src_customer), and pg_restore -j loads these config
-- tables beside the customers, in any order; so, like the other triggers
-- that check (credit_enforce), it checks nothing while check_function_bodies
-- is off, which pg_dump's output sets -- restored rows were accepted once.
-- (In session_replication_role = replica, as for a logical replica or the
-- sample load, ordinary triggers do not fire either.)  A new row whose
-- window lies wholly before the as-of date is accepted with a WARNING that
-- it has no effect: history may be recorded on purpose.  An UPDATE is
-- checked only for a changed customer: setting expires_on to end a row
-- early is the documented way to end it.
CREATE FUNCTION @extschema@.customer_reference_check() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date;
	ends date;
	max_age integer;
	tab name;
BEGIN
	IF current_setting('check_function_bodies') = 'off' THEN
		RETURN NEW;
	END IF;
	IF NOT EXISTS (SELECT FROM @extschema@.src_customer c WHERE c.customer_id = NEW.customer_id) THEN
		RAISE EXCEPTION 'customer % does not exist', NEW.customer_id
			USING ERRCODE = 'foreign_key_violation',
				  DETAIL = format('Every row of %s must name a customer of customer_class.src_customer.', TG_TABLE_NAME),
				  HINT = 'Correct customer_id, or create the customer first.';
	END IF;
	IF TG_OP <> 'INSERT' THEN
		RETURN NEW;
	END IF;
	d := @extschema@.as_of();
	tab := @extschema@.trigger_table(TG_TABLE_SCHEMA, TG_TABLE_NAME);
	IF tab IN ('credit_limit_override', 'credit_override', 'credit_check_exception') THEN
		ends := (to_jsonb(NEW) ->> 'expires_on')::date;
		-- (a window ending before it starts fails its CHECK constraint next)
		IF ends <= d AND NOT coalesce(ends <= (to_jsonb(NEW) ->> 'valid_from')::date, false) THEN
			RAISE WARNING '% row for customer % expires on %, not after the as-of date %: it has no effect',
				TG_TABLE_NAME, NEW.customer_id, ends, d
				USING HINT = 'Give an expires_on after customer_class.as_of() for it to apply.';
		END IF;
	ELSIF tab = 'external_score' THEN
		SELECT s.external_max_age_days INTO max_age FROM @extschema@.active_scorecard() s;
		IF NEW.scored_on <= d - max_age THEN
			RAISE WARNING 'external score for customer % of % is older than % days at the as-of date %: it has no effect',
				NEW.customer_id, NEW.scored_on, max_age, d
				USING HINT = 'The scorecard blends only scores of the last external_max_age_days days.';
		END IF;
	END IF;
	RETURN NEW;
END
$$;
-- its triggers: classes/triggers.sql (external_score, credit_override) and
-- credit/triggers.sql (credit_limit_override, credit_check_exception,
-- external_event)

-- == Payment terms ==

-- The due date of terms: days from the issue date (basis invoice), or from
-- the last day of the month of issue (basis month_end: "30 days end of
-- month", 月结30天: issued 2026-01-10 or 2026-01-31, due 2026-03-02).
CREATE FUNCTION @extschema@.payment_due_on(issued_on date, terms_days integer, basis text DEFAULT 'invoice')
	RETURNS date
	LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF basis = 'invoice' THEN
		RETURN issued_on + terms_days;
	ELSIF basis = 'month_end' THEN
		RETURN (date_trunc('month', issued_on::timestamp) + interval '1 month')::date - 1 + terms_days;
	END IF;
	RAISE EXCEPTION 'invalid payment terms basis "%"', basis
		USING ERRCODE = 'invalid_parameter_value',
			  HINT = 'The basis is invoice (days from the issue date) or month_end (days from the end of the month of issue).';
END
$$;

-- The due date of a customer's invoice issued on a date: by the customer's
-- own terms (src_customer.payment_terms_days and payment_terms_basis), or
-- by the terms of its grade's limit policy row in force on that date when
-- they fall due earlier (the grade is the one the credit checks read, an
-- external event's cap included).  NULL for an unknown customer.
CREATE FUNCTION @extschema@.invoice_due_on(customer_id bigint, issued_on date) RETURNS date
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT least(@extschema@.payment_due_on(invoice_due_on.issued_on, c.payment_terms_days, c.payment_terms_basis),
				 @extschema@.payment_due_on(invoice_due_on.issued_on, p.payment_terms_days, p.payment_terms_basis))
	FROM @extschema@.src_customer c
	CROSS JOIN LATERAL @extschema@.credit_limit_rows(c.customer_id, invoice_due_on.issued_on) l
	LEFT JOIN LATERAL (
		SELECT lp.payment_terms_days, lp.payment_terms_basis
		FROM @extschema@.credit_limit_policy lp
		WHERE lp.grade IS NOT DISTINCT FROM l.credit_grade AND lp.valid_from <= invoice_due_on.issued_on
		ORDER BY lp.shipped, lp.valid_from DESC LIMIT 1) p ON true
	WHERE c.customer_id = invoice_due_on.customer_id;
END;

-- An invoice written without due_on gets it from the terms, once: a later
-- change of terms does not move an issued invoice's due date.  The managed
-- table keeps due_on NOT NULL (checked after this trigger), so src_invoice
-- and everything that reads it see the computed date.  SECURITY DEFINER, as
-- the credit triggers: any role allowed to write invoices gets the date
-- from the customer, grade and policy whatever it may read itself.
CREATE FUNCTION @extschema@.invoice_fill_due_on() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	NEW.due_on := @extschema@.invoice_due_on(NEW.customer_id, NEW.issued_on);
	RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.invoice_fill_due_on() FROM PUBLIC;
-- its trigger on invoice: sources/triggers.sql

GRANT EXECUTE ON FUNCTION @extschema@.invoice_due_on(bigint, date) TO customer_class_reader;

COMMENT ON FUNCTION @extschema@.external_event_reviewed() IS
	'trigger: an external_event alert resolved (the event reviewed) queues its customer, so that the next refresh() lifts the grade cap';
COMMENT ON FUNCTION @extschema@.customer_reference_check() IS
	'trigger: refuses an override, external score, check exception or external event for a customer not in src_customer (23503; not during a restore), and warns when a new row''s window lies wholly before the as-of date';
COMMENT ON FUNCTION @extschema@.payment_due_on(date, integer, text) IS
	'due date of payment terms: issued_on + days (basis invoice), or the last day of the month of issue + days (basis month_end, 月结)';
COMMENT ON FUNCTION @extschema@.invoice_due_on(bigint, date) IS
	'due date of a customer''s invoice issued on a date: the earlier of its own payment terms and those of its grade''s limit policy';
COMMENT ON FUNCTION @extschema@.invoice_fill_due_on() IS
	'trigger: an invoice written without due_on is due by invoice_due_on()';
