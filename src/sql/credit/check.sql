-- Credit control, part 3: the credit checks.
--
-- Three checkpoints, each with a mode (block, warn, off; settings mode.order,
-- mode.delivery, mode.invoice, per-customer exceptions):
--   order     an order adds exposure (inserted open or shipped, amount
--             raised, reopened): the new exposure must stay within the limit
--   delivery  an order's status becomes 'shipped': the exposure with it must
--             be within the limit
--   invoice   an invoice is written: the exposure after it (minus the open
--             or shipped order it bills, which the ERP sets to 'invoiced')
--             must be within the limit
-- Rules checked at every checkpoint beside the limit: rule.grade_d (grade
-- D requires prepayment: it fails unless the customer's prepayment, i.e. a
-- negative exposure, covers the amount), rule.overdue_days (an invoice more
-- than N days past due fails).
--
-- A failed check in mode block raises an error; SQLSTATE KC001 (limit),
-- KC002 (overdue invoice), KC003 (grade D); in mode warn a WARNING and an
-- alert.  The row triggers first add the row's delta to the customer's
-- ledger row, which locks it: concurrent writers for one customer are
-- serialised, and every check sees the exposure including every committed
-- write and its own.
--
-- During a restore (pg_dump's output sets check_function_bodies = off) the
-- ledger is kept but nothing is checked: restored rows were accepted once.

CREATE TYPE @extschema@.credit_verdict AS (
	customer_id		bigint,
	checkpoint		text,
	mode			text,
	allowed			boolean,
	exposure_before	numeric,
	asked			numeric,
	exposure_after	numeric,
	credit_limit	numeric,
	limit_source	text,
	credit_grade	@extschema@.credit_grade,
	violation		text,
	sqlstate		text,
	overdue_invoice	bigint,
	overdue_days	integer,
	nearly_used		boolean,
	prepayment_missing numeric,
	-- the check menu (credit/menu.sql): set only when its rule is on
	document_value	numeric,
	max_document	numeric,
	horizon_days	integer,
	exposure_in_horizon numeric,
	overdue_ratio	numeric,
	overdue_ratio_days integer,
	overdue_ratio_pct numeric,
	-- credit groups (credit/groups.sql): the ancestor whose limit binds, the
	-- exposure of its subtree after the amount, its limit and where it comes from
	group_id		bigint,
	group_exposure	numeric,
	group_limit		numeric,
	group_limit_source text,
	-- the rule dunning_level: the customer's level and the highest allowed
	dunning_level	integer,
	max_dunning_level integer
);

-- The oldest invoice of a customer more than days past its due date (as of
-- a date) with an open balance as of that date (payments made later do not
-- count): what rule.overdue_days looks for.  With rule.disputed_invoices =
-- ignore, an invoice under open dispute that date does not count
-- (collections/dunning.sql).  A table
-- function (no row: none), so that the planner inlines it where it is used
-- in FROM; a scalar SQL function with a subquery would not be.
CREATE FUNCTION @extschema@.credit_overdue_invoice(customer_id bigint, as_of date, days integer)
	RETURNS TABLE (invoice_id bigint)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT i.invoice_id FROM @extschema@.src_invoice i
	WHERE i.customer_id = credit_overdue_invoice.customer_id
	  AND i.due_on < credit_overdue_invoice.as_of - credit_overdue_invoice.days
	  AND i.amount > coalesce((SELECT sum(p.amount) FROM @extschema@.src_payment p
							   WHERE p.invoice_id = i.invoice_id AND p.customer_id = credit_overdue_invoice.customer_id
								 AND p.paid_on <= credit_overdue_invoice.as_of), 0)
	  AND NOT ((SELECT cs.value FROM @extschema@.credit_setting cs
				WHERE cs.name = 'rule.disputed_invoices' ORDER BY cs.shipped LIMIT 1) = 'ignore'
			   AND EXISTS (SELECT FROM @extschema@.invoice_dispute x
						   WHERE x.invoice_id = i.invoice_id AND x.customer_id = credit_overdue_invoice.customer_id
							 AND x.opened_on <= credit_overdue_invoice.as_of
							 AND (x.resolved_on IS NULL OR x.resolved_on > credit_overdue_invoice.as_of)))
	ORDER BY i.due_on, i.invoice_id
	LIMIT 1;
END;

-- Everything a check needs to know about a customer, in one query: the
-- mode in force at the checkpoint (an exception, else the setting), the
-- limit with its source and the grade (credit_limit_rows, inlined), the
-- rule settings, and the oldest invoice past rule.overdue_days (only looked
-- for when that rule is on).  One SQL query, so that it is inlined both into
-- credit_evaluate() and into the C order trigger's queries, which cache it
-- (src/credit_context.c).  Every table with customer rows is filtered by
-- the argument customer_id itself, never through k or a join: on Citus the
-- query must name the customer on each table to be routed to its shard
-- group (docs/citus.md, "Running on Citus").
CREATE FUNCTION @extschema@.credit_context(customer_id bigint, checkpoint text, as_of date)
	RETURNS TABLE (mode text, credit_limit numeric, limit_source text, credit_grade @extschema@.credit_grade,
				   grade_d text, pct numeric, overdue_invoice bigint, overdue_days text, limit_method text)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT coalesce(
			   (SELECT e.mode FROM @extschema@.credit_check_exception e
				WHERE e.customer_id = credit_context.customer_id
				  AND (e.checkpoint = k.checkpoint OR e.checkpoint IS NULL)
				  AND (e.expires_on IS NULL OR e.expires_on > k.as_of)
				ORDER BY e.checkpoint IS NULL, e.set_at DESC, e.exception_id DESC LIMIT 1),
			   st.mode),
		   l.credit_limit, l.limit_source, l.credit_grade, st.grade_d, st.pct,
		   CASE WHEN st.overdue_days <> 'off' THEN
			   (SELECT o.invoice_id
				FROM @extschema@.credit_overdue_invoice(credit_context.customer_id, k.as_of, st.overdue_days::integer) o) END,
		   st.overdue_days, l.limit_method
	FROM (SELECT credit_context.customer_id AS customer_id, credit_context.checkpoint AS checkpoint,
				 coalesce(credit_context.as_of, @extschema@.as_of()) AS as_of) k
	CROSS JOIN LATERAL @extschema@.credit_limit_rows(credit_context.customer_id, k.as_of) l
	CROSS JOIN LATERAL
		(SELECT (SELECT cs.value FROM @extschema@.credit_setting cs
				 WHERE cs.name = 'mode.' || k.checkpoint ORDER BY cs.shipped LIMIT 1) AS mode,
				(SELECT cs.value FROM @extschema@.credit_setting cs
				 WHERE cs.name = 'rule.overdue_days' ORDER BY cs.shipped LIMIT 1) AS overdue_days,
				(SELECT cs.value FROM @extschema@.credit_setting cs
				 WHERE cs.name = 'rule.grade_d' ORDER BY cs.shipped LIMIT 1) AS grade_d,
				(SELECT cs.value FROM @extschema@.credit_setting cs
				 WHERE cs.name = 'alert.nearly_used_pct' ORDER BY cs.shipped LIMIT 1)::numeric AS pct) st;
END;

-- The rules on an exposure, written once (src/credit_rule.c): 'grade_d'
-- (grade D with rule.grade_d on requires prepayment, and the exposure is
-- above zero), 'limit_exceeded' (above the limit), 'limit_nearly_used' (at
-- least pct percent of a positive limit) or NULL, the first that holds.
-- credit_evaluate(), credit_watch() and credit_alert_scan() call it, and the
-- C order trigger decides by the same C code whether a check may say
-- anything.  STABLE: the grade's label is read from the catalog.
CREATE FUNCTION @extschema@.credit_exposure_rule(credit_grade @extschema@.credit_grade, grade_d text,
												 credit_limit numeric, pct numeric, exposure_after numeric)
	RETURNS text
	AS 'MODULE_PATHNAME', 'credit_exposure_rule'
	LANGUAGE C STABLE PARALLEL SAFE;

-- The rule document_value of the check menu (credit/menu.sql), written
-- once (src/credit_rule.c): is a document of this value above the maximum
-- for one document?  NULL value or maximum: no.
CREATE FUNCTION @extschema@.credit_document_value_rule(document_value numeric, max_document numeric)
	RETURNS boolean
	AS 'MODULE_PATHNAME', 'credit_document_value_rule'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- The decision of a check, from a verdict whose inputs are filled (mode,
-- exposure_after, credit_limit, credit_grade, overdue_invoice, and the
-- check menu's horizon_days, max_document with document_value,
-- overdue_ratio_days and _pct, max_dunning_level): the violation and its SQLSTATE, the
-- prepayment missing, the days overdue, the exposure within the horizon,
-- the overdue ratio, nearly used, allowed.  The rules on the exposure are
-- credit_exposure_rule()'s -- with the rule horizon, grade D's prepayment
-- on the whole exposure and the limit on the exposure within the horizon
-- (exposure_in_horizon; computed here unless the caller filled it), then
-- the limits of a credit group over the customer (credit_group_fill(), on
-- the whole exposure: a group has no horizon) -- then the document value,
-- the overdue invoice, the overdue ratio, the dunning level, the first that
-- fails reported; credit_evaluate() and credit_evaluate_in_company() (a
-- company's own limit) both decide here.
CREATE FUNCTION @extschema@.credit_verdict_decide(v @extschema@.credit_verdict, grade_d text, pct numeric, as_of date)
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
CREATE FUNCTION @extschema@.credit_evaluate(customer_id bigint, checkpoint text, exposure_after numeric,
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
CREATE FUNCTION @extschema@.credit_verdict_message(v @extschema@.credit_verdict, what text DEFAULT NULL)
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
CREATE FUNCTION @extschema@.credit_verdict_reason(v @extschema@.credit_verdict) RETURNS text
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

-- The detail line of a verdict; a rule of the check menu that failed adds
-- its reason code (the violation, also the alert's kind) and its figures.
CREATE FUNCTION @extschema@.credit_verdict_detail(v @extschema@.credit_verdict) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN pg_catalog.format('Exposure %s, amount asked %s, exposure after %s, credit limit %s (%s), grade %s, mode %s.',
		v.exposure_before, v.asked, v.exposure_after, coalesce(v.credit_limit::text, 'none'),
		v.limit_source, coalesce(v.credit_grade::text, 'not graded'), v.mode)
		|| @extschema@.credit_verdict_reason(v)
		|| CASE WHEN v.group_id IS NULL THEN ''
				ELSE pg_catalog.format(' Credit group %s: exposure after %s, credit limit %s (%s).',
					v.group_id, v.group_exposure, v.group_limit, v.group_limit_source) END;

-- The hint of a failed check: what to do about it.
CREATE FUNCTION @extschema@.credit_verdict_hint(v @extschema@.credit_verdict) RETURNS text
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

CREATE FUNCTION @extschema@.credit_verdict_json(v @extschema@.credit_verdict) RETURNS jsonb
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN pg_catalog.jsonb_strip_nulls(pg_catalog.to_jsonb(v));

-- Act on a check from a trigger: nothing, a nearly-used alert, a warning
-- and an alert (warn), the document on hold with a warning and an alert
-- (hold), or an error (block).
CREATE FUNCTION @extschema@.credit_enforce(customer_id bigint, checkpoint text, exposure_after numeric,
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
REVOKE EXECUTE ON FUNCTION @extschema@.credit_enforce(bigint, text, numeric, numeric, text, numeric) FROM PUBLIC;

-- Orders: ledger delta, then the order or delivery check.  In C
-- (src/credit_trigger.c, src/credit_check.c) because order entry is the hot
-- path; it takes the same steps as the other triggers here: the delta,
-- locking the customer's ledger row, then the check through credit_context()
-- (and credit_enforce() when the check has something to say).  The columns
-- read: customer_id, amount, status, order_id.
CREATE FUNCTION @extschema@.credit_order_trigger() RETURNS trigger
	LANGUAGE c VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS 'MODULE_PATHNAME', 'credit_order_trigger';

-- A change that raises a customer's exposure without passing a checkpoint
-- (a payment deleted, lowered, moved to another customer): checked against
-- the limit in the manner of mode warn, whatever the modes -- it is never
-- blocked, but a WARNING and a limit_exceeded alert (red) say so, or a
-- limit_nearly_used alert (yellow) when it reaches alert.nearly_used_pct.
CREATE FUNCTION @extschema@.credit_watch(customer_id bigint, exposure_after numeric, increase numeric, what text)
	RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	l @extschema@.credit_limit_info;
	rule text;
	det jsonb;
BEGIN
	-- a restore re-inserts rows accepted before: check nothing
	IF current_setting('check_function_bodies') = 'off' THEN
		RETURN;
	END IF;
	l := @extschema@.credit_limit_info(customer_id);
	IF l.credit_limit IS NULL THEN
		RETURN;
	END IF;
	-- no grade: the prepayment rule is a checkpoint's, not the watch's
	rule := @extschema@.credit_exposure_rule(NULL, NULL, l.credit_limit,
											 @extschema@.credit_setting('alert.nearly_used_pct')::numeric,
											 exposure_after);
	det := jsonb_build_object('customer_id', customer_id, 'exposure_before', exposure_after - increase,
							  'increase', increase, 'exposure_after', exposure_after,
							  'credit_limit', l.credit_limit, 'limit_source', l.limit_source, 'what', what);
	IF rule = 'limit_exceeded' THEN
		RAISE WARNING USING
			MESSAGE = format('exposure of customer %s rose above its credit limit (%s): %s > %s',
							 customer_id, what, exposure_after, l.credit_limit),
			DETAIL = format('Exposure %s, increase %s, exposure after %s, credit limit %s (%s).',
							exposure_after - increase, increase, exposure_after, l.credit_limit, l.limit_source);
		PERFORM @extschema@.raise_alert(customer_id, 'limit_exceeded', 'red', det);
	ELSIF rule = 'limit_nearly_used' THEN
		PERFORM @extschema@.raise_alert(customer_id, 'limit_nearly_used', 'yellow', det);
	END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_watch(bigint, numeric, numeric, text) FROM PUBLIC;

-- Invoices: the invoice balance delta and the open part of the order each
-- names (see credit/exposure.sql), then the invoice check on insert and on a
-- higher amount.  The order is locked first (FOR NO KEY UPDATE, before any
-- ledger row, as the order trigger's statement has it locked before its
-- ledger row), so that writes to one order and its invoices are serialised
-- and each reads the other's committed figures; its customer's ledger row is
-- always updated, so that a REPEATABLE READ writer of the same order whose
-- snapshot predates this one fails with 40001 instead of counting from stale
-- figures.
CREATE FUNCTION @extschema@.credit_invoice_trigger() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- the columns read: customer_id, amount, order_id, invoice_id
	o_cust bigint;
	o_amt numeric := 0;
	o_ord bigint;
	n_cust bigint;
	n_amt numeric := 0;
	n_ord bigint;
	ord bigint;
	billed numeric;
	so_cust bigint;
	cust bigint;
	so_amt numeric;
	so_status text;
	invoiced numeric;
	part numeric;
	d_open numeric := 0;	-- open part of the orders of n_cust
	d_ship numeric := 0;
	grow numeric;			-- what n_cust's exposure grows by
	e @extschema@.credit_exposure;
BEGIN
	IF TG_OP <> 'INSERT' THEN
		o_cust := OLD.customer_id;
		o_amt := OLD.amount;
		o_ord := OLD.order_id;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		n_cust := NEW.customer_id;
		n_amt := NEW.amount;
		n_ord := NEW.order_id;
	END IF;
	IF o_cust IS NOT DISTINCT FROM n_cust AND o_amt = n_amt AND o_ord IS NOT DISTINCT FROM n_ord THEN
		RETURN NULL;
	END IF;

	-- the orders billed, old and new: their open part shrinks or grows
	FOREACH ord IN ARRAY ARRAY[o_ord, CASE WHEN n_ord IS DISTINCT FROM o_ord THEN n_ord END] LOOP
		CONTINUE WHEN ord IS NULL;
		billed := CASE WHEN ord = n_ord THEN n_amt ELSE 0 END - CASE WHEN ord = o_ord THEN o_amt ELSE 0 END;
		CONTINUE WHEN billed = 0;
		-- the order is the invoice's customer's (on Citus each query names
		-- the customer, to be routed to its shard group)
		cust := CASE WHEN ord = n_ord THEN n_cust ELSE o_cust END;
		SELECT so.customer_id, so.amount, so.status INTO so_cust, so_amt, so_status
		FROM @extschema@.src_order_locked(ord, cust) so;
		CONTINUE WHEN NOT FOUND;
		part := 0;
		IF so_status IN ('open', 'shipped') THEN
			SELECT coalesce(sum(si.amount), 0) INTO invoiced FROM @extschema@.src_invoice si
			WHERE si.order_id = ord AND si.customer_id = cust;
			part := greatest(so_amt - invoiced, 0) - greatest(so_amt - (invoiced - billed), 0);
		END IF;
		IF so_cust IS NOT DISTINCT FROM n_cust THEN
			IF so_status = 'open' THEN
				d_open := d_open + part;
			ELSE
				d_ship := d_ship + part;
			END IF;
		ELSE
			PERFORM @extschema@.exposure_add(so_cust, CASE WHEN so_status = 'open' THEN part ELSE 0 END,
											 CASE WHEN so_status = 'shipped' THEN part ELSE 0 END, 0, 0);
		END IF;
	END LOOP;

	-- the invoice balance
	IF o_cust IS DISTINCT FROM n_cust THEN
		IF o_cust IS NOT NULL THEN
			PERFORM @extschema@.exposure_add(o_cust, 0, 0, -o_amt, 0);
		END IF;
		IF n_cust IS NULL THEN
			RETURN NULL;
		END IF;
		o_amt := 0;
	END IF;
	e := @extschema@.exposure_add(n_cust, d_open, d_ship, n_amt - o_amt, 0);
	grow := n_amt - o_amt + d_open + d_ship;
	IF n_amt > o_amt THEN
		PERFORM @extschema@.credit_enforce(n_cust, 'invoice', e.exposure, grow, 'invoice ' || NEW.invoice_id, n_amt);
	ELSIF grow > 0 THEN
		PERFORM @extschema@.credit_watch(n_cust, e.exposure, grow, 'invoice ' || NEW.invoice_id);
	END IF;
	RETURN NULL;
END
$$;

-- Payments and credit notes: ledger delta; they lower exposure, and when a
-- change raises it (deleted, lowered, moved away) credit_watch() says so.
CREATE FUNCTION @extschema@.credit_payment_trigger() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	e @extschema@.credit_exposure;
	what text;
BEGIN
	-- the columns read: customer_id, amount, invoice_id
	IF TG_OP = 'UPDATE' AND OLD.customer_id = NEW.customer_id AND OLD.amount = NEW.amount
	   AND (OLD.invoice_id IS NULL) = (NEW.invoice_id IS NULL) THEN
		RETURN NULL;
	END IF;
	IF TG_OP <> 'INSERT' THEN
		IF OLD.invoice_id IS NULL THEN
			e := @extschema@.exposure_add(OLD.customer_id, 0, 0, 0, -OLD.amount);
		ELSE
			e := @extschema@.exposure_add(OLD.customer_id, 0, 0, OLD.amount, 0);
		END IF;
		what := format('payment %s %s', OLD.payment_id, CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'changed' END);
		-- the old customer's exposure grew unless the new version pays as much for it
		IF TG_OP = 'DELETE' OR OLD.customer_id <> NEW.customer_id THEN
			IF OLD.amount > 0 THEN
				PERFORM @extschema@.credit_watch(OLD.customer_id, e.exposure, OLD.amount, what);
			END IF;
		ELSIF OLD.amount > NEW.amount THEN
			PERFORM @extschema@.credit_watch(OLD.customer_id, e.exposure - NEW.amount, OLD.amount - NEW.amount, what);
		END IF;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		IF NEW.invoice_id IS NULL THEN
			PERFORM @extschema@.exposure_add(NEW.customer_id, 0, 0, 0, NEW.amount);
		ELSE
			PERFORM @extschema@.exposure_add(NEW.customer_id, 0, 0, -NEW.amount, 0);
		END IF;
	END IF;
	RETURN NULL;
END
$$;

-- Customers: a ledger row from the start, gone with the customer.
CREATE FUNCTION @extschema@.credit_customer_trigger() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- the column read: customer_id
	IF TG_OP = 'INSERT' THEN
		INSERT INTO @extschema@.credit_exposure (customer_id) VALUES (NEW.customer_id)
		ON CONFLICT ON CONSTRAINT credit_exposure_pkey DO NOTHING;
	ELSIF TG_OP = 'DELETE' THEN
		DELETE FROM @extschema@.credit_exposure x
		WHERE x.customer_id = OLD.customer_id AND x.open_orders = 0 AND x.shipped_not_invoiced = 0
		  AND x.invoice_balance = 0 AND x.unapplied_credits = 0;
	ELSIF OLD.customer_id <> NEW.customer_id THEN
		INSERT INTO @extschema@.credit_exposure (customer_id) VALUES (NEW.customer_id)
		ON CONFLICT ON CONSTRAINT credit_exposure_pkey DO NOTHING;
	END IF;
	RETURN NULL;
END
$$;

REVOKE EXECUTE ON FUNCTION @extschema@.credit_order_trigger() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_invoice_trigger() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_payment_trigger() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_customer_trigger() FROM PUBLIC;
-- their triggers on the managed tables are in sources/triggers.sql

-- The C order trigger keeps, per backend, what credit_context() reads
-- (src/credit_context.c).  A write to a table it reads tells every backend
-- (when the writer commits) to drop that cache: a relcache invalidation of
-- credit_setting, or for invoices and payments, which only concern the
-- overdue rule, of the sequence credit_receivables_signal (never used as a
-- sequence: nothing else is rebuilt for it).  ENABLE ALWAYS: a load in
-- replica mode must flush the caches too.
CREATE SEQUENCE @extschema@.credit_receivables_signal;

CREATE FUNCTION @extschema@.credit_context_changed() RETURNS trigger
	LANGUAGE c VOLATILE
	AS 'MODULE_PATHNAME', 'credit_context_changed';
REVOKE EXECUTE ON FUNCTION @extschema@.credit_context_changed() FROM PUBLIC;

-- Its triggers, on every table credit_context() reads: credit/triggers.sql,
-- classes/triggers.sql (profile) and sources/triggers.sql (customer; invoice
-- and payment with the argument receivables).

-- What a check reads besides the ledger -- a customer's override, exception,
-- own credit_limit or grade, and the settings and limit policy of everyone --
-- can change while an order is being written.  So that a check never passes
-- against a limit or rule that a committed change has already tightened, every
-- such change also updates (without changing) the ledger rows it concerns:
-- the customer's, or for settings and the limit policy every row.  A check
-- locks that row first, so under READ COMMITTED it waits for the change and
-- then reads it; under REPEATABLE READ or SERIALIZABLE, where its snapshot
-- may predate the change, it fails with 40001 and the application retries.
-- And a change waits for the orders in progress of its customers.
CREATE FUNCTION @extschema@.credit_touch_exposure() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF TG_LEVEL = 'STATEMENT' THEN
		UPDATE @extschema@.credit_exposure x SET open_orders = x.open_orders;
		RETURN NULL;
	END IF;
	-- the column read: customer_id
	IF TG_OP <> 'DELETE' THEN
		UPDATE @extschema@.credit_exposure x SET open_orders = x.open_orders WHERE x.customer_id = NEW.customer_id;
	END IF;
	IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.customer_id IS DISTINCT FROM NEW.customer_id) THEN
		UPDATE @extschema@.credit_exposure x SET open_orders = x.open_orders WHERE x.customer_id = OLD.customer_id;
	END IF;
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_touch_exposure() FROM PUBLIC;

-- The same for the customers of a statement's rows (transition table
-- changed_rows), in one UPDATE.  The customers are read first, alone (on
-- Citus a statement naming a transition table and a distributed table
-- fails on the shard: docs/citus.md, "Triggers on the shards").
CREATE FUNCTION @extschema@.credit_touch_exposure_rows() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	ids bigint[] := ARRAY(SELECT DISTINCT c.customer_id FROM changed_rows c);
BEGIN
	-- none (a statement that changed no row): nothing to touch, and on
	-- Citus an empty list would reach every shard
	IF pg_catalog.cardinality(ids) > 0 THEN
		UPDATE @extschema@.credit_exposure x SET open_orders = x.open_orders
		WHERE x.customer_id = ANY (ids);
	END IF;
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_touch_exposure_rows() FROM PUBLIC;

-- Their triggers: credit/triggers.sql (the credit tables and external_event),
-- classes/triggers.sql (profile) and sources/triggers.sql (customer.credit_limit).

-- Ask before writing: would an amount pass the check now?  Changes no
-- exposure; when the answer is "blocked" it records a 'blocked' alert
-- (record => false: just ask).  An application calls it before saving an
-- order, or after a blocked insert (whose transaction, rolled back, could
-- record nothing).  The amount is what the order, delivery or invoice adds
-- to the exposure: a negative one (a payment, a return) is never checked,
-- so asking about it is an error rather than a verdict of "allowed".
CREATE FUNCTION @extschema@.credit_check(customer_id bigint, amount numeric, checkpoint text DEFAULT 'order',
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
REVOKE EXECUTE ON FUNCTION @extschema@.credit_check(bigint, numeric, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.credit_check(bigint, numeric, text, boolean) TO customer_class_analyst;

COMMENT ON TYPE @extschema@.credit_verdict IS
	'the outcome of a credit check: mode, exposure before and after, amount asked, limit and its source, grade, the violation (NULL: passed) with its SQLSTATE, whether the limit is nearly used, and for grade D (prepayment required) the prepayment missing';
COMMENT ON FUNCTION @extschema@.credit_overdue_invoice(bigint, date, integer) IS
	'internal: the oldest invoice of a customer more than the given days overdue with an open balance (rule.overdue_days)';
COMMENT ON FUNCTION @extschema@.credit_context(bigint, text, date) IS
	'internal: what a credit check needs to know about a customer (mode in force, limit and source, grade, rule settings, oldest overdue invoice)';
COMMENT ON FUNCTION @extschema@.credit_exposure_rule(@extschema@.credit_grade, text, numeric, numeric, numeric) IS
	'internal: the credit rules on an exposure (grade D prepayment, limit, nearly used): grade_d, limit_exceeded, limit_nearly_used or NULL';
COMMENT ON FUNCTION @extschema@.credit_document_value_rule(numeric, numeric) IS
	'internal: the rule document_value of the check menu: is the document''s value above the maximum for one document';
COMMENT ON FUNCTION @extschema@.credit_verdict_decide(@extschema@.credit_verdict, text, numeric, date) IS
	'internal: the decision of a credit check (violation, SQLSTATE, prepayment missing, days overdue, nearly used, allowed) from its inputs';
COMMENT ON FUNCTION @extschema@.credit_evaluate(bigint, text, numeric, numeric, date, numeric) IS
	'evaluate a credit check (limit, overdue rule, grade D rule, the check menu, nearly-used threshold) without acting on it';
COMMENT ON FUNCTION @extschema@.credit_verdict_message(@extschema@.credit_verdict, text) IS
	'the one-line message of a credit check verdict';
COMMENT ON FUNCTION @extschema@.credit_verdict_detail(@extschema@.credit_verdict) IS
	'the detail line of a credit check verdict: exposure, amount asked, limit and its source, grade, mode';
COMMENT ON FUNCTION @extschema@.credit_verdict_hint(@extschema@.credit_verdict) IS
	'the hint of a failed credit check: what to do about it';
COMMENT ON FUNCTION @extschema@.credit_verdict_json(@extschema@.credit_verdict) IS
	'a credit check verdict as jsonb (NULL fields left out)';
COMMENT ON FUNCTION @extschema@.credit_verdict_reason(@extschema@.credit_verdict) IS
	'the reason sentence of a failed rule of the check menu in a verdict''s detail (empty for the other violations)';
COMMENT ON FUNCTION @extschema@.credit_enforce(bigint, text, numeric, numeric, text, numeric) IS
	'internal: act on a credit check from a trigger (error in block mode, warning and alert in warn mode)';
COMMENT ON FUNCTION @extschema@.credit_order_trigger() IS
	'trigger on orders: exposure delta, then the order check (more exposure) or the delivery check (status to shipped)';
COMMENT ON FUNCTION @extschema@.credit_invoice_trigger() IS
	'trigger on invoices: invoice balance and the open part of the order billed, then the invoice check';
COMMENT ON FUNCTION @extschema@.credit_payment_trigger() IS
	'trigger on payments and credit notes: exposure delta; a change that raises exposure is watched (credit_watch)';
COMMENT ON FUNCTION @extschema@.credit_watch(bigint, numeric, numeric, text) IS
	'internal: a change that raised exposure outside the checkpoints: WARNING and limit_exceeded alert above the limit, limit_nearly_used alert near it; never blocks';
COMMENT ON FUNCTION @extschema@.credit_customer_trigger() IS
	'trigger on customers: creates and removes the exposure ledger row';
COMMENT ON SEQUENCE @extschema@.credit_receivables_signal IS
	'internal, never incremented: its relcache invalidation tells the backends that invoices or payments changed (the credit checks'' cache of overdue invoices)';
COMMENT ON FUNCTION @extschema@.credit_touch_exposure() IS
	'trigger: a change to a customer''s limit, exception or grade (or to the settings or limit policy) updates the ledger rows concerned, so that concurrent credit checks wait for it or retry';
COMMENT ON FUNCTION @extschema@.credit_touch_exposure_rows() IS
	'statement trigger: the ledger rows of the customers whose profile a statement added or removed are updated, as credit_touch_exposure() does row by row';
COMMENT ON FUNCTION @extschema@.credit_context_changed() IS
	'trigger: a table the credit checks read changed, so every backend drops its cache of check contexts';
COMMENT ON FUNCTION @extschema@.credit_check(bigint, numeric, text, boolean) IS
	'would this amount pass the credit check now? returns the verdict as jsonb; records a blocked alert when it would be blocked';
