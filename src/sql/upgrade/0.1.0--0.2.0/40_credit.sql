-- 0.1.0 -> 0.2.0, part 40_credit: credit decisions a credit manager would dispute (issue 14, part 5):
-- grade D requires prepayment, external negative events cap the grade, rows
-- naming unknown customers are refused, order-less customers are active by
-- their invoices (C only), payment terms give invoices their due date.

-- == Payment terms: the customer's basis, the grade's terms ==
-- (customer.payment_terms_basis and src_customer's column: 05_source_columns.sql)
COMMENT ON COLUMN @extschema@.invoice.due_on IS
	'due date (not before the issue date); written as NULL, it is set from the payment terms (invoice_due_on)';
COMMENT ON COLUMN @extschema@.src_customer.payment_terms_basis IS 'payment terms count from: invoice or month_end';
COMMENT ON COLUMN @extschema@.src_invoice.due_on IS 'due date (from the payment terms when the invoice was written without one)';
ALTER TABLE @extschema@.credit_limit_policy ADD COLUMN payment_terms_days integer;
ALTER TABLE @extschema@.credit_limit_policy ADD COLUMN payment_terms_basis text;
ALTER TABLE @extschema@.credit_limit_policy ADD CONSTRAINT credit_limit_policy_terms_valid
	CHECK (payment_terms_days BETWEEN 0 AND 365 AND payment_terms_basis IN ('invoice', 'month_end'));
ALTER TABLE @extschema@.credit_limit_policy ADD CONSTRAINT credit_limit_policy_terms_complete
	CHECK ((payment_terms_days IS NULL) = (payment_terms_basis IS NULL));
COMMENT ON COLUMN @extschema@.credit_limit_policy.payment_terms_days IS
	'the longest payment terms of the grade in days (NULL: the grade sets none); an invoice written without due_on is due by the earlier of these terms and the customer''s own';
COMMENT ON COLUMN @extschema@.credit_limit_policy.payment_terms_basis IS
	'what payment_terms_days count from: invoice (the issue date) or month_end (the end of the month of issue, 月结)';

-- == Setting rule.external_event and the grade cap ==
CREATE OR REPLACE FUNCTION @extschema@.credit_setting_validate() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NEW.name IN ('mode.order', 'mode.delivery', 'mode.invoice') THEN
		IF NEW.value NOT IN ('block', 'warn', 'off') THEN
			RAISE EXCEPTION 'invalid value "%" for credit setting "%"', NEW.value, NEW.name
				USING ERRCODE = 'invalid_parameter_value', HINT = 'A check mode is block, warn or off.';
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
INSERT INTO @extschema@.credit_setting (name, value, description, set_by, set_at, shipped) VALUES
	('rule.external_event', 'D', 'cap the grade of a customer with an external negative event not yet reviewed (its alert open) at this grade: B, C, D or off', 'customer_class', '2000-01-01', true);
COMMENT ON COLUMN @extschema@.credit_setting.name IS 'setting: mode.order, mode.delivery, mode.invoice, rule.overdue_days, rule.grade_d, rule.external_event, alert.nearly_used_pct';
CREATE OR REPLACE FUNCTION @extschema@.credit_event_cap(customer_id bigint, as_of date)
	RETURNS @extschema@.credit_grade
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN (SELECT s.value::@extschema@.credit_grade
			FROM (SELECT cs.value FROM @extschema@.credit_setting cs
				  WHERE cs.name = 'rule.external_event' ORDER BY cs.shipped LIMIT 1) s
			WHERE s.value <> 'off'
			  AND EXISTS (SELECT FROM @extschema@.external_event e
						  LEFT JOIN @extschema@.alerts a ON a.alert_id = e.alert_id
						  WHERE e.customer_id = credit_event_cap.customer_id
							AND e.event_on <= coalesce(credit_event_cap.as_of, @extschema@.as_of())
							AND a.resolved_at IS NULL));
END
$$;
COMMENT ON FUNCTION @extschema@.credit_event_cap(bigint, date) IS 'the grade rule.external_event caps a customer at while it has an external event on or before the date not yet reviewed (its alert open); NULL: no cap';
CREATE OR REPLACE FUNCTION @extschema@.credit_limit_rows(customer_id bigint, as_of date)
	RETURNS TABLE (credit_limit numeric, limit_source text, credit_grade @extschema@.credit_grade, valid_until date,
				   limit_method text)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT CASE
			   WHEN o.override_id IS NOT NULL THEN o.credit_limit
			   WHEN c.credit_limit IS NOT NULL THEN c.credit_limit
			   WHEN p.method = 'amount' THEN p.amount
			   WHEN p.method = 'sales_multiple' THEN
				   least(greatest(round(
					   (SELECT coalesce(sum(i.amount), 0) FROM @extschema@.src_invoice i
						WHERE i.customer_id = k.customer_id
						  AND i.issued_on > k.as_of - pg_catalog.make_interval(months => p.sales_months)
						  AND i.issued_on <= k.as_of)
					   / p.sales_months * p.sales_multiple, 2), p.amount), p.max_amount)
		   END,
		   CASE
			   WHEN o.override_id IS NOT NULL THEN
				   pg_catalog.format('override #%s by %s: %s', o.override_id, o.set_by, o.reason)
			   WHEN c.credit_limit IS NOT NULL THEN 'customer credit_limit'
			   WHEN p.method IS NULL THEN
				   pg_catalog.format('no limit policy for grade %s', coalesce(g.credit_grade::text, '(not graded)'))
			   ELSE pg_catalog.format('policy for grade %s: %s', coalesce(g.credit_grade::text, '(not graded)'),
					CASE p.method WHEN 'amount' THEN p.amount::text
						WHEN 'sales_multiple' THEN pg_catalog.format('%s x monthly sales over %s months', p.sales_multiple, p.sales_months)
						ELSE 'no limit' END)
		   END || CASE WHEN g.capped THEN ' (grade capped: unreviewed external event)' ELSE '' END,
		   g.credit_grade,
		   CASE
			   WHEN o.override_id IS NOT NULL THEN o.expires_on
			   WHEN c.credit_limit IS NOT NULL OR p.method IS NULL THEN NULL
			   ELSE (SELECT min(lp.valid_from) FROM @extschema@.credit_limit_policy lp
					 WHERE lp.grade IS NOT DISTINCT FROM g.credit_grade AND lp.valid_from > k.as_of
					   AND (NOT lp.shipped OR p.shipped))
		   END,
		   CASE
			   WHEN o.override_id IS NOT NULL THEN 'override'
			   WHEN c.credit_limit IS NOT NULL THEN 'customer'
			   ELSE p.method
		   END
	FROM (SELECT credit_limit_rows.customer_id AS customer_id,
				 coalesce(credit_limit_rows.as_of, @extschema@.as_of()) AS as_of) k
	LEFT JOIN @extschema@.profile pr ON pr.customer_id = k.customer_id
	-- OFFSET 0: computed once, not at every use of the grade below
	CROSS JOIN LATERAL (SELECT CASE WHEN pr.override_id IS NULL
									THEN @extschema@.credit_event_cap(k.customer_id, k.as_of) END AS cap
						OFFSET 0) ev
	-- the grade before any cap: refresh() writes a capped grade into
	-- credit_grade, computed_grade keeps the score's (the cap is lifted here
	-- as soon as the event is reviewed, not at the next refresh)
	CROSS JOIN LATERAL (SELECT CASE WHEN pr.override_id IS NULL THEN coalesce(pr.computed_grade, pr.credit_grade)
									ELSE pr.credit_grade END AS credit_grade) pg
	CROSS JOIN LATERAL (SELECT ev.cap IS NOT NULL AND (pg.credit_grade IS NULL OR ev.cap > pg.credit_grade) AS capped) cc
	CROSS JOIN LATERAL (SELECT CASE WHEN cc.capped THEN ev.cap ELSE pg.credit_grade END AS credit_grade,
							   cc.capped) g
	LEFT JOIN LATERAL (
		SELECT lo.override_id, lo.credit_limit, lo.set_by, lo.reason, lo.expires_on
		FROM @extschema@.credit_limit_override lo
		WHERE lo.customer_id = k.customer_id AND lo.valid_from <= k.as_of AND k.as_of < lo.expires_on
		ORDER BY lo.set_at DESC, lo.override_id DESC LIMIT 1) o ON true
	LEFT JOIN @extschema@.src_customer c ON c.customer_id = k.customer_id
	LEFT JOIN LATERAL (
		SELECT lp.method, lp.amount, lp.sales_multiple, lp.sales_months, lp.max_amount, lp.shipped
		FROM @extschema@.credit_limit_policy lp
		WHERE lp.grade IS NOT DISTINCT FROM g.credit_grade AND lp.valid_from <= k.as_of
		ORDER BY lp.shipped, lp.valid_from DESC LIMIT 1) p ON true;
END;

-- == Grade D: prepayment required ==
ALTER TYPE @extschema@.credit_verdict ADD ATTRIBUTE prepayment_missing numeric;
COMMENT ON TYPE @extschema@.credit_verdict IS
	'the outcome of a credit check: mode, exposure before and after, amount asked, limit and its source, grade, the violation (NULL: passed) with its SQLSTATE, whether the limit is nearly used, and for grade D (prepayment required) the prepayment missing';
CREATE OR REPLACE FUNCTION @extschema@.credit_evaluate(customer_id bigint, checkpoint text, exposure_after numeric,
											asked numeric, as_of date DEFAULT NULL)
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

	IF v.credit_grade = 'D' AND grade_d = 'on' AND exposure_after > 0 THEN
		v.violation := 'grade_d';
		v.sqlstate := 'KC003';
		v.prepayment_missing := exposure_after;
	END IF;

	IF v.violation IS NULL AND v.credit_limit IS NOT NULL AND exposure_after > v.credit_limit THEN
		v.violation := 'limit_exceeded';
		v.sqlstate := 'KC001';
	END IF;

	IF v.violation IS NULL AND v.overdue_invoice IS NOT NULL THEN
		SELECT d - i.due_on INTO v.overdue_days FROM @extschema@.src_invoice i WHERE i.invoice_id = v.overdue_invoice;
		v.violation := 'invoice_overdue';
		v.sqlstate := 'KC002';
	END IF;

	IF v.violation IS NULL AND v.credit_limit > 0 THEN
		v.nearly_used := exposure_after * 100 >= v.credit_limit * pct;
	END IF;
	v.allowed := v.violation IS NULL OR v.mode <> 'block';
	RETURN v;
END
$$;
CREATE OR REPLACE FUNCTION @extschema@.credit_verdict_message(v @extschema@.credit_verdict, what text DEFAULT NULL)
	RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN pg_catalog.format('credit check at %s failed for customer %s%s: %s',
		v.checkpoint, v.customer_id, coalesce(' (' || what || ')', ''),
		CASE v.violation
			WHEN 'limit_exceeded' THEN pg_catalog.format('exposure %s is above the credit limit %s',
				v.exposure_after, v.credit_limit)
			WHEN 'invoice_overdue' THEN pg_catalog.format('invoice %s is %s days overdue',
				v.overdue_invoice, v.overdue_days)
			WHEN 'grade_d' THEN pg_catalog.format('credit grade is D and requires prepayment: %s of prepayment missing',
				v.prepayment_missing)
			ELSE 'passed' END);
CREATE OR REPLACE FUNCTION @extschema@.credit_enforce(customer_id bigint, checkpoint text, exposure_after numeric,
										   asked numeric, what text)
	RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v @extschema@.credit_verdict;
BEGIN
	-- a restore re-inserts rows accepted before: check nothing
	IF current_setting('check_function_bodies') = 'off' THEN
		RETURN;
	END IF;
	v := @extschema@.credit_evaluate(customer_id, checkpoint, exposure_after, asked);
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
			HINT = CASE v.violation
				WHEN 'limit_exceeded' THEN 'Lower the amount, collect payment first, or raise the limit (credit_limit_override).'
				WHEN 'grade_d' THEN pg_catalog.format('Collect a prepayment of at least %s (a payment with no invoice) before this %s, or ask credit control: the rule can be excepted in credit_check_exception.',
					v.prepayment_missing, v.checkpoint)
				ELSE 'Ask credit control: the customer''s rule can be excepted in credit_check_exception.' END;
	END IF;
	-- warn
	RAISE WARNING USING
		MESSAGE = @extschema@.credit_verdict_message(v, what),
		DETAIL = @extschema@.credit_verdict_detail(v);
	PERFORM @extschema@.raise_alert(customer_id, v.violation, 'red',
		@extschema@.credit_verdict_json(v) || jsonb_build_object('what', what));
END
$$;

-- == Refresh and explain_score: the capped grade and why ==
CREATE OR REPLACE FUNCTION @extschema@.refresh_rows(as_of date, card @extschema@.scorecard,
										 pol @extschema@.lifecycle_policy, version bigint,
										 customers bigint[] DEFAULT NULL,
										 from_customer bigint DEFAULT NULL, to_customer bigint DEFAULT NULL)
	RETURNS SETOF @extschema@.refresh_row
	LANGUAGE plpgsql STABLE PARALLEL SAFE COST 1000000000 ROWS 100000
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	lo text := coalesce(from_customer::text, 'NULL');
	hi text := coalesce(to_customer::text, 'NULL');
BEGIN
	RETURN QUERY EXECUTE pg_catalog.format($q$
	SELECT x.customer_id, false AS gone, p.customer_id IS NOT NULL AS existed,
		   coalesce(o.grade, greatest((x.s).grade, ev.cap)) AS credit_grade, (x.l).stage AS lifecycle_stage,
		   (x.l).phase AS lifecycle_phase, (x.l).segment, x.payment_warning, (x.facts).last_order_on,
		   (x.facts).orders_12m, (x.facts).revenue_12m, p.credit_grade AS old_grade,
		   p.lifecycle_stage AS old_stage, p.lifecycle_phase AS old_phase,
		   p.behaviour_segment AS old_segment, p.rfm_segment AS old_rfm,
		   p.payment_warning AS old_warning, p.override_id AS old_override,
		   p.last_order_on AS old_last_order_on, p.as_of AS old_as_of, $1 AS as_of, ($2).scorecard_id,
		   $4 AS policy_version, (x.s).scale_points::numeric(5,2) AS scale_points,
		   (x.s).payment_points::numeric(5,2) AS payment_points,
		   (x.s).stability_points::numeric(5,2) AS stability_points,
		   (x.s).risk_points::numeric(5,2) AS risk_points,
		   (x.s).internal_score::numeric(5,2) AS internal_score,
		   (x.facts).external_score,
		   (x.s).score::numeric(5,2) AS credit_score, (x.s).grade AS computed_grade, o.override_id,
		   pg_catalog.now() AS refreshed_at, ($3).policy_id AS lifecycle_policy_id,
		   (x.facts).first_order_on, (x.facts).payment_index, (x.facts).days_beyond_terms,
		   (x.facts).open_balance, (x.facts).overdue_balance, (x.facts).overdue_invoices, x.facts
	FROM (SELECT f.customer_id, f.facts, @extschema@.credit_score(f.facts, $2) AS s,
				 @extschema@.lifecycle_classify(f.facts, $3, $1) AS l,
				 @extschema@.payment_warning(f.facts, $3, $1) AS payment_warning
		  FROM @extschema@.credit_facts($1, ($2).scorecard_id, $5, %1$s, %2$s) f OFFSET 0) x
	-- the override in force: the latest set
	LEFT JOIN (SELECT DISTINCT ON (co.customer_id) co.customer_id, co.override_id, co.grade
			   FROM @extschema@.credit_override co
			   WHERE co.valid_from <= $1 AND $1 < co.expires_on
				 AND ($5 IS NULL OR co.customer_id = ANY ($5))
				 AND (%1$s::bigint IS NULL OR co.customer_id >= %1$s) AND (%2$s::bigint IS NULL OR co.customer_id < %2$s)
			   ORDER BY co.customer_id, co.set_at DESC, co.override_id DESC) o ON o.customer_id = x.customer_id
	-- an external negative event not yet reviewed (its alert open) caps the
	-- grade at rule.external_event, as credit_event_cap() does for the checks
	LEFT JOIN (SELECT DISTINCT e.customer_id,
					  (SELECT nullif(cs.value, 'off') FROM @extschema@.credit_setting cs
					   WHERE cs.name = 'rule.external_event' ORDER BY cs.shipped LIMIT 1)::@extschema@.credit_grade AS cap
			   FROM @extschema@.external_event e
			   LEFT JOIN @extschema@.alerts a ON a.alert_id = e.alert_id
			   WHERE e.event_on <= $1 AND a.resolved_at IS NULL
				 AND ($5 IS NULL OR e.customer_id = ANY ($5))
				 AND (%1$s::bigint IS NULL OR e.customer_id >= %1$s) AND (%2$s::bigint IS NULL OR e.customer_id < %2$s)) ev
		ON ev.customer_id = x.customer_id
	LEFT JOIN (SELECT p.* FROM @extschema@.profile p
			   WHERE ($5 IS NULL OR p.customer_id = ANY ($5))
				 AND (%1$s::bigint IS NULL OR p.customer_id >= %1$s) AND (%2$s::bigint IS NULL OR p.customer_id < %2$s)) p
		ON p.customer_id = x.customer_id
	$q$, lo, hi)
	USING as_of, card, pol, version, customers;
END
$$;
CREATE OR REPLACE FUNCTION @extschema@.refresh_history(d date, pol @extschema@.lifecycle_policy,
											bounds @extschema@.rfm_boundary)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	changed bigint;
BEGIN
	WITH hist AS (
		INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
		SELECT j.customer_id, x.dimension, x.old_value, x.new_value, d, x.why
		FROM (
			SELECT n.customer_id, n.gone,
				   n.old_grade, n.credit_grade AS new_grade,
				   n.old_stage, n.lifecycle_stage AS new_stage,
				   n.old_phase, n.lifecycle_phase AS new_phase,
				   n.old_segment, n.segment AS new_segment,
				   n.old_rfm, (@extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
												 bounds.r_bounds, bounds.f_bounds, bounds.m_bounds)).segment AS new_rfm,
				   n.old_warning, n.payment_warning AS new_warning,
				   (n.facts).invoices_paid, (n.facts).pay_days_median, (n.facts).pay_days_spread,
				   (n.facts).last_pay_days, (n.facts).prev_pay_days, (n.facts).orders_90d,
				   (n.facts).orders_prior_90d, (n.facts).last_settled_on, (n.facts).oldest_open_issued_on,
				   n.old_override, n.override_id, n.computed_grade, n.credit_score, n.scale_points, n.payment_points,
				   n.stability_points, n.risk_points, n.external_score, n.scorecard_id,
				   n.first_order_on, n.last_order_on, (n.facts).previous_order_on, n.orders_12m,
				   n.revenue_12m, (n.facts).order_months, (n.facts).invoices_12m, (n.facts).revenue_180d,
				   (n.facts).revenue_prior_180d, (n.facts).overdue_30d_balance, (n.facts).defaults,
				   n.payment_index, n.days_beyond_terms,
				   (@extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
										   bounds.r_bounds, bounds.f_bounds, bounds.m_bounds)).r,
				   (@extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
										   bounds.r_bounds, bounds.f_bounds, bounds.m_bounds)).f,
				   (@extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
										   bounds.r_bounds, bounds.f_bounds, bounds.m_bounds)).m
			-- RFM by plain calls: one per row to compare, a few more per changed
			-- row.  (A lateral call costs twice as much per row; computing it
			-- once in an OFFSET 0 subquery, as the UPDATE does, projects every
			-- row before the filter: 15-20% slower here, measured.)
			FROM pg_temp.cc_refresh_new n
			WHERE n.credit_grade IS DISTINCT FROM n.old_grade
			   OR n.lifecycle_stage IS DISTINCT FROM n.old_stage
			   OR n.lifecycle_phase IS DISTINCT FROM n.old_phase
			   OR n.segment IS DISTINCT FROM n.old_segment
			   OR (@extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
										   bounds.r_bounds, bounds.f_bounds, bounds.m_bounds)).segment
				  IS DISTINCT FROM n.old_rfm
			   OR n.payment_warning IS DISTINCT FROM n.old_warning
		) j
		-- unnest() of arrays, not VALUES: a lateral VALUES list compiles its
		-- expressions anew for every row it is joined to
		CROSS JOIN LATERAL unnest(
			ARRAY['credit_grade', 'lifecycle_stage', 'lifecycle_phase', 'segment', 'rfm_segment', 'payment_warning'],
			ARRAY[j.old_grade::text, j.old_stage::text, j.old_phase::text, j.old_segment::text, j.old_rfm::text, j.old_warning::text],
			ARRAY[j.new_grade::text, j.new_stage::text, j.new_phase::text, j.new_segment::text, j.new_rfm::text, j.new_warning::text],
			ARRAY[
				CASE
					 WHEN j.old_grade IS NOT DISTINCT FROM j.new_grade THEN NULL
					 WHEN j.gone THEN 'customer no longer in the sources'
					 WHEN j.override_id IS NOT NULL THEN
						 (SELECT format('override #%s by %s: %s', co.override_id, co.set_by, co.reason)
						  FROM @extschema@.credit_override co WHERE co.override_id = j.override_id)
					 WHEN j.new_grade IS DISTINCT FROM j.computed_grade THEN
						 format('computed grade %s (score %s) capped at %s: external negative event not yet reviewed (rule.external_event)',
								j.computed_grade, j.credit_score, j.new_grade)
					 ELSE format('score %s (scale %s, payment %s, stability %s, risk %s%s) under scorecard %s%s',
								 j.credit_score, j.scale_points, j.payment_points, j.stability_points, j.risk_points,
								 CASE WHEN j.external_score IS NOT NULL THEN ', external ' || j.external_score ELSE '' END,
								 j.scorecard_id,
								 CASE WHEN j.old_override IS NOT NULL THEN format('; override #%s ended', j.old_override) ELSE '' END)
				 END,
				CASE
					 WHEN j.old_stage IS NOT DISTINCT FROM j.new_stage THEN NULL
					 WHEN j.gone THEN 'customer no longer in the sources'
					 WHEN j.last_order_on IS NULL THEN 'no order yet'
					 ELSE format('last order %s (%s days before %s), first order %s, order before the last %s; new < %s days, dormant >= %s, churned >= %s, reactivated: gap >= %s (lifecycle policy %s)',
								 j.last_order_on, d - j.last_order_on, d, j.first_order_on,
								 coalesce(j.previous_order_on::text, 'none'),
								 pol.new_days, pol.dormant_days, pol.churned_days, pol.dormant_days, pol.policy_id)
				 END,
				CASE
					 WHEN j.old_phase IS NOT DISTINCT FROM j.new_phase THEN NULL
					 WHEN j.gone THEN 'customer no longer in the sources'
					 WHEN j.last_order_on IS NULL THEN 'no order yet'
					 ELSE format('revenue last 180 days %s, the 180 days before %s; first order %s; introduction < %s days, growth >= x%s, decline <= x%s (lifecycle policy %s)',
								 j.revenue_180d, j.revenue_prior_180d, j.first_order_on,
								 pol.introduction_days, pol.growth_ratio, pol.decline_ratio, pol.policy_id)
				 END,
				CASE
					 WHEN j.old_segment IS NOT DISTINCT FROM j.new_segment THEN NULL
					 WHEN j.gone THEN 'customer no longer in the sources'
					 WHEN j.last_order_on IS NULL THEN 'no order yet'
					 ELSE format('%s orders in %s of the last 12 months, revenue 12m %s over %s invoices, overdue > 30 days %s, defaults %s, payment index %s, days beyond terms %s, last order %s days ago (lifecycle policy %s)',
								 j.orders_12m, length(replace((j.order_months & 4095)::bit(12)::text, '0', '')),
								 j.revenue_12m, j.invoices_12m, j.overdue_30d_balance, j.defaults,
								 coalesce(j.payment_index::text, 'n/a'), coalesce(j.days_beyond_terms::text, 'n/a'),
								 d - j.last_order_on, pol.policy_id)
				 END,
				CASE
					 WHEN j.old_rfm IS NOT DISTINCT FROM j.new_rfm THEN NULL
					 WHEN j.gone THEN 'customer no longer in the sources'
					 WHEN j.last_order_on IS NULL THEN 'no order yet'
					 ELSE format('R%s F%s M%s: last order %s days ago, %s orders and revenue %s in 12 months; quintile bounds of the full refresh as of %s: days %s, orders %s, revenue %s',
								 j.r, j.f, j.m, d - j.last_order_on, j.orders_12m, j.revenue_12m,
								 bounds.as_of, bounds.r_bounds, bounds.f_bounds, bounds.m_bounds)
				 END,
				CASE
					 WHEN j.old_warning IS NOT DISTINCT FROM j.new_warning THEN NULL
					 WHEN j.gone THEN 'customer no longer in the sources'
					 ELSE format('last settlement %s days after issue, the one before %s; usual %s days (spread %s) over %s earlier settlements; orders last 90 days %s, the 90 days before %s; late means more than usual + max(%s, %s x spread) days (lifecycle policy %s)',
								 coalesce(j.last_pay_days::text, 'n/a'), coalesce(j.prev_pay_days::text, 'n/a'),
								 coalesce(j.pay_days_median::text, 'n/a'), coalesce(j.pay_days_spread::text, 'n/a'),
								 greatest(j.invoices_paid - 2, 0), j.orders_90d, j.orders_prior_90d,
								 pol.drift_min_days, pol.drift_spread_factor, pol.policy_id)
						  || CASE WHEN j.last_settled_on IS NULL OR d - j.last_settled_on <= pol.drift_recent_days THEN ''
								  WHEN j.new_warning IS NULL THEN format('; last settlement %s days ago (more than %s)',
																		  d - j.last_settled_on, pol.drift_recent_days)
								  ELSE format('; last settlement %s days ago, but an invoice issued %s is still open after %s days',
											  d - j.last_settled_on, j.oldest_open_issued_on, d - j.oldest_open_issued_on)
							 END
				 END
			]) AS x (dimension, old_value, new_value, why)
		WHERE x.old_value IS DISTINCT FROM x.new_value
		RETURNING customer_id
	)
	SELECT count(DISTINCT customer_id) INTO changed FROM hist;
	RETURN changed;
END
$$;
CREATE OR REPLACE FUNCTION @extschema@.explain_score(customer_id bigint, as_of date DEFAULT NULL)
	RETURNS TABLE (step integer, dimension text, label_en text, label_zh text, inputs text,
				   points numeric, weight numeric, contribution numeric)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := coalesce(explain_score.as_of,
					   (SELECT p.as_of FROM @extschema@.profile p
						WHERE p.customer_id = explain_score.customer_id),
					   @extschema@.as_of());
	card @extschema@.scorecard := @extschema@.active_scorecard();
	f @extschema@.credit_facts;
	r @extschema@.credit_result;
	o record;
	keep numeric;
BEGIN
	SELECT (cf.facts).* INTO f FROM @extschema@.credit_facts(d, card.scorecard_id, ARRAY[explain_score.customer_id]) cf;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'customer % does not exist', explain_score.customer_id
			USING ERRCODE = 'no_data_found';
	END IF;
	r := @extschema@.credit_score(f, card);
	-- the dimensions' share when an external score is blended in
	keep := CASE WHEN r.external_contribution IS NULL THEN 100 ELSE 100 - card.external_weight END;

	RETURN QUERY
	SELECT x.step, x.dimension, x.label_en, x.label_zh, x.inputs, x.points,
		   pg_catalog.trim_scale(x.weight * keep / 100), x.contribution
	FROM (VALUES
		(1, 'scale', 'transaction scale', '交易规模',
		 format('revenue 12m %s, orders 12m %s', f.revenue_12m, f.orders_12m),
		 r.scale_points, card.w_scale, r.scale_contribution),
		(2, 'payment', 'payment performance', '付款表现',
		 format('on-time %s, days beyond terms %s, payment index %s (last 90 days %s), overdue %s, defaults %s',
				coalesce(round(f.on_time_ratio * 100, 1) || '%', 'n/a'),
				coalesce(f.days_beyond_terms::text, 'n/a'), coalesce(f.payment_index::text, 'n/a'),
				coalesce(f.recent_payment_index::text, 'n/a'),
				f.overdue_balance, f.defaults),
		 r.payment_points, card.w_payment, r.payment_contribution),
		(3, 'stability', 'relationship stability', '合作稳定性',
		 format('tenure %s days, months with orders %s of 12', f.tenure_days,
				length(replace((f.order_months & 4095)::bit(12)::text, '0', ''))),
		 r.stability_points, card.w_stability, r.stability_contribution),
		(4, 'risk', 'industry and region risk', '行业与地区风险',
		 format('industry %s, region %s', f.industry_points, f.region_points),
		 r.risk_points, card.w_risk, r.risk_contribution)
	) AS x (step, dimension, label_en, label_zh, inputs, points, weight, contribution);

	IF r.external_contribution IS NOT NULL THEN
		RETURN QUERY SELECT 5, 'external'::text, 'external score'::text, '外部评分'::text,
			'latest valid external score'::text, f.external_score, card.external_weight,
			r.external_contribution;
	END IF;

	RETURN QUERY SELECT 6, 'score'::text, 'credit score'::text, '信用评分'::text,
		format('cut-offs A >= %s, B >= %s, C >= %s (scorecard %s)',
			   card.cutoff_a, card.cutoff_b, card.cutoff_c, card.scorecard_id),
		r.score, 100::numeric, r.score;

	SELECT co.override_id, co.grade, co.reason, co.set_by, co.expires_on INTO o
	FROM @extschema@.credit_override co
	WHERE co.customer_id = explain_score.customer_id AND co.valid_from <= d AND d < co.expires_on
	ORDER BY co.set_at DESC, co.override_id DESC LIMIT 1;

	-- an unreviewed external negative event caps the grade (as refresh() does)
	RETURN QUERY SELECT 7, 'grade'::text, 'credit grade'::text, '信用等级'::text,
		CASE WHEN o.override_id IS NOT NULL THEN format('computed %s, overridden to %s by %s until %s: %s',
														r.grade, o.grade, o.set_by, o.expires_on, o.reason)
			 WHEN c.cap > r.grade THEN format('computed %s, capped at %s: external negative event not yet reviewed (rule.external_event)',
											  r.grade, c.cap)
			 ELSE format('computed %s', r.grade) END,
		NULL::numeric, NULL::numeric, NULL::numeric
	FROM (SELECT @extschema@.credit_event_cap(explain_score.customer_id, d) AS cap) c;
END
$$;

-- == Facts: order-less customers' invoices stand for their orders (in C) ==
COMMENT ON TYPE @extschema@.credit_facts IS
	'inputs of the credit score: revenue_12m, orders_12m, order_months (bit i = an order in the 30-day window i back from as_of), invoices_paid, on_time_ratio (by amount), days_beyond_terms (amount-weighted, signed: early is negative), payment_index (20-100, NULL below 3 paid invoices), recent_payment_index (the same over invoices settled in the last 90 days, NULL when none), open_balance, overdue_balance, defaults (open > 90 days past due), tenure_days, industry_points, region_points, external_score; and for lifecycle, segments and RFM: invoices_12m (invoices issued in the last 365 days), overdue_invoices (open and past due), revenue_180d (invoiced 0-179 days back), revenue_prior_180d (180-359 days back), orders_90d (0-89 days back), orders_prior_90d (90-179 days back), first_order_on, last_order_on, previous_order_on (the latest order day before last_order_on), overdue_30d_balance (open more than 30 days past due); and for payment-rhythm warnings, over fully settled invoices ordered by settlement day: pay_days_median and pay_days_spread (median and median absolute deviation of days from issue to settlement of every settlement but the last two; NULL when there are no such), last_pay_days and prev_pay_days (days to pay of the last two settlements), last_settled_on, oldest_open_issued_on (issue day of the oldest invoice not fully paid, NULL when none); cancelled orders do not count; for a customer with no order up to as_of (direct invoicing) its invoices stand for its orders in orders_12m, order_months, orders_90d, orders_prior_90d and the order days';

-- == New objects (65_credit_rules.sql, verbatim) ==
-- == External negative events ==

-- A new, changed or deleted event can change what the checks read (the
-- grade cap): flush the C order trigger's cache (ENABLE ALWAYS, as for the
-- other tables the checks read), lock the customer's ledger row so that a
-- concurrent order waits for it (credit_touch_exposure, 62_credit_check.sql),
-- and queue the customer for the next refresh().
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.external_event
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('context');
ALTER TABLE @extschema@.external_event ENABLE ALWAYS TRIGGER credit_context_changed;
CREATE TRIGGER credit_touch_exposure AFTER INSERT OR UPDATE OR DELETE ON @extschema@.external_event
	FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER external_event_dirty_ins AFTER INSERT ON @extschema@.external_event
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER external_event_dirty_upd AFTER UPDATE ON @extschema@.external_event
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER external_event_dirty_del AFTER DELETE ON @extschema@.external_event
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER external_event_dirty_truncate AFTER TRUNCATE ON @extschema@.external_event
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_all_dirty();

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
CREATE TRIGGER external_event_reviewed AFTER UPDATE OF resolved_at ON @extschema@.alerts
	FOR EACH ROW WHEN (NEW.kind = 'external_event' AND OLD.resolved_at IS DISTINCT FROM NEW.resolved_at)
	EXECUTE FUNCTION @extschema@.external_event_reviewed();

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
	IF TG_TABLE_NAME IN ('credit_limit_override', 'credit_override', 'credit_check_exception') THEN
		ends := (to_jsonb(NEW) ->> 'expires_on')::date;
		-- (a window ending before it starts fails its CHECK constraint next)
		IF ends <= d AND NOT coalesce(ends <= (to_jsonb(NEW) ->> 'valid_from')::date, false) THEN
			RAISE WARNING '% row for customer % expires on %, not after the as-of date %: it has no effect',
				TG_TABLE_NAME, NEW.customer_id, ends, d
				USING HINT = 'Give an expires_on after customer_class.as_of() for it to apply.';
		END IF;
	ELSIF TG_TABLE_NAME = 'external_score' THEN
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

CREATE TRIGGER customer_reference_check BEFORE INSERT OR UPDATE OF customer_id ON @extschema@.credit_limit_override
	FOR EACH ROW EXECUTE FUNCTION @extschema@.customer_reference_check();
CREATE TRIGGER customer_reference_check BEFORE INSERT OR UPDATE OF customer_id ON @extschema@.credit_override
	FOR EACH ROW EXECUTE FUNCTION @extschema@.customer_reference_check();
CREATE TRIGGER customer_reference_check BEFORE INSERT OR UPDATE OF customer_id ON @extschema@.credit_check_exception
	FOR EACH ROW EXECUTE FUNCTION @extschema@.customer_reference_check();
CREATE TRIGGER customer_reference_check BEFORE INSERT OR UPDATE OF customer_id ON @extschema@.external_score
	FOR EACH ROW EXECUTE FUNCTION @extschema@.customer_reference_check();
CREATE TRIGGER customer_reference_check BEFORE INSERT OR UPDATE OF customer_id ON @extschema@.external_event
	FOR EACH ROW EXECUTE FUNCTION @extschema@.customer_reference_check();

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
CREATE TRIGGER invoice_fill_due_on BEFORE INSERT OR UPDATE ON @extschema@.invoice
	FOR EACH ROW WHEN (NEW.due_on IS NULL)
	EXECUTE FUNCTION @extschema@.invoice_fill_due_on();

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
