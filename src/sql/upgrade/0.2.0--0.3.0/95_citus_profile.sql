-- 0.2.0 -> 0.3.0, Citus: credit limits, customer_profile's limit and credit_report() on the distributed tables (issue 19, 19Q).
-- The limit rule in parts (overrides and policies in force, the sales window, the capped grade, the decision), joined by
-- credit_limit_rows() for one customer and credit_limits() for every customer (joined on customer_id, which Citus pushes
-- down); the external-event cap as a set, credit_event_caps(); credit_limit_info() and
-- credit_check_mode() in PL/pgSQL (Citus cannot plan a SQL function's parameterised queries); credit_report() without
-- a record or a table-reading call in its shard queries; credit_group_subtrees() and customer_profile (its group
-- columns too) over credit_limits().

-- The grade rule.external_event caps each customer at on a date (NULL: the
-- rule is off or nothing to cap): the customers with an external event on or
-- before the date whose alert is not resolved, i.e. not yet reviewed.  For
-- every customer at once, so that the views join it on customer_id (Citus
-- pushes that down per customer); credit_event_cap() reads it for one.
CREATE FUNCTION @extschema@.credit_event_caps(as_of date)
	RETURNS TABLE (customer_id bigint, cap @extschema@.credit_grade)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT e.customer_id, s.value::@extschema@.credit_grade
	FROM @extschema@.external_event e
	LEFT JOIN @extschema@.alerts a ON a.alert_id = e.alert_id AND a.customer_id = e.customer_id
	CROSS JOIN (SELECT cs.value FROM @extschema@.credit_setting cs
				WHERE cs.name = 'rule.external_event' ORDER BY cs.shipped LIMIT 1) s
	WHERE s.value <> 'off' AND e.event_on <= credit_event_caps.as_of AND a.resolved_at IS NULL
	GROUP BY e.customer_id, s.value;
END;
COMMENT ON FUNCTION @extschema@.credit_event_caps(date) IS
	'the grade rule.external_event caps each customer at on a date: customers with an external event on or before it not yet reviewed (its alert open)';

CREATE OR REPLACE FUNCTION @extschema@.credit_event_cap(customer_id bigint, as_of date)
	RETURNS @extschema@.credit_grade
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- the rule is credit_event_caps(), for every customer at once (the views)
	RETURN (SELECT ec.cap FROM @extschema@.credit_event_caps(coalesce(credit_event_cap.as_of, @extschema@.as_of())) ec
			WHERE ec.customer_id = credit_event_cap.customer_id);
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.credit_check_mode(customer_id bigint, checkpoint text, as_of date DEFAULT NULL)
	RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN coalesce(
		(SELECT e.mode FROM @extschema@.credit_check_exception e
		 WHERE e.customer_id = credit_check_mode.customer_id
		   AND (e.checkpoint = credit_check_mode.checkpoint OR e.checkpoint IS NULL)
		   AND (e.expires_on IS NULL OR e.expires_on > coalesce(credit_check_mode.as_of, @extschema@.as_of()))
		 ORDER BY e.checkpoint IS NULL, e.set_at DESC, e.exception_id DESC LIMIT 1),
		(SELECT s.value FROM @extschema@.credit_setting s
		 WHERE s.name = 'mode.' || credit_check_mode.checkpoint ORDER BY s.shipped LIMIT 1));
END
$$;

-- == The credit limit rule ==
--
-- A customer's credit limit on a date, in this order:
--   1. a credit_limit_override in force (its reason in limit_source)
--   2. the customer's own credit_limit (src_customer)
--   3. the limit policy row of its grade (profile; no profile row: the
--      row for grade NULL, "not graded yet")
-- The grade is the profile's, capped by credit_event_cap() (an unreviewed
-- external negative event) unless a manual grade override made it: the cap
-- takes effect, and is lifted, at once, not at the next refresh().
-- credit_limit NULL means no limit.  valid_until: the override's expiry or the
-- first date a later policy row of the grade takes over (NULL: open-ended).
-- limit_method: override, customer, or the policy's method (amount,
-- sales_multiple, none; NULL without a policy row): only a sales_multiple
-- limit moves with the invoices (the credit checks' cache needs to know).
--
-- Two forms read it: credit_limit_rows() for one customer (the credit
-- checks, a query routed to the customer's shard on Citus) and
-- credit_limits() for every customer (the views, joined on customer_id,
-- which Citus pushes down).  Each part of the rule is written once below and
-- both forms are joins of these parts; all are SQL functions the planner
-- inlines, so that a filter on the customer reaches every table read.

-- The override in force on a date, per customer: the newest set of those
-- whose validity covers the date.
CREATE FUNCTION @extschema@.credit_limit_overrides_in_force(as_of date)
	RETURNS TABLE (customer_id bigint, override_id bigint, credit_limit numeric, set_by name, reason text,
				   expires_on date)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT DISTINCT ON (lo.customer_id)
		   lo.customer_id, lo.override_id, lo.credit_limit, lo.set_by, lo.reason, lo.expires_on
	FROM @extschema@.credit_limit_override lo
	WHERE lo.valid_from <= credit_limit_overrides_in_force.as_of
	  AND credit_limit_overrides_in_force.as_of < lo.expires_on
	ORDER BY lo.customer_id, lo.set_at DESC, lo.override_id DESC;
END;

-- The limit policy row in force on a date, per grade (NULL: not graded): a
-- row the user set before a shipped one, the latest valid_from first; and
-- next_from, the first date a later row of the grade takes over (a shipped
-- row only after a shipped one: a user's row is not replaced by a shipped
-- default).
CREATE FUNCTION @extschema@.credit_limit_policies_in_force(as_of date)
	RETURNS TABLE (grade @extschema@.credit_grade, method text, amount numeric, sales_multiple numeric,
				   sales_months integer, max_amount numeric, next_from date)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT DISTINCT ON (lp.grade)
		   lp.grade, lp.method, lp.amount, lp.sales_multiple, lp.sales_months, lp.max_amount,
		   (SELECT min(ln.valid_from) FROM @extschema@.credit_limit_policy ln
			WHERE ln.grade IS NOT DISTINCT FROM lp.grade
			  AND ln.valid_from > credit_limit_policies_in_force.as_of
			  AND (NOT ln.shipped OR lp.shipped))
	FROM @extschema@.credit_limit_policy lp
	WHERE lp.valid_from <= credit_limit_policies_in_force.as_of
	ORDER BY lp.grade, lp.shipped, lp.valid_from DESC;
END;

-- The invoiced sales a sales_multiple policy multiplies, per customer and
-- window length in use: the invoices issued in the sales_months months up
-- to the date.
CREATE FUNCTION @extschema@.credit_limit_sales(customer_id bigint, sales_months integer, as_of date)
	RETURNS TABLE (sales numeric)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT sum(i.amount)
	FROM @extschema@.src_invoice i
	WHERE credit_limit_sales.sales_months IS NOT NULL
	  AND i.customer_id = credit_limit_sales.customer_id
	  AND i.issued_on > credit_limit_sales.as_of - pg_catalog.make_interval(months => credit_limit_sales.sales_months)
	  AND i.issued_on <= credit_limit_sales.as_of;
END;

-- The grade the limit policy is chosen by: the profile's grade (the score's,
-- computed_grade, unless a manual override made credit_grade), capped at
-- cap (credit_event_cap(); a manual override is not capped).
CREATE FUNCTION @extschema@.credit_limit_grade(credit_grade @extschema@.credit_grade,
											   computed_grade @extschema@.credit_grade,
											   overridden boolean, cap @extschema@.credit_grade)
	RETURNS @extschema@.credit_grade
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN CASE WHEN NOT overridden AND cap IS NOT NULL
					 AND (coalesce(computed_grade, credit_grade) IS NULL OR cap > coalesce(computed_grade, credit_grade))
				THEN cap
				WHEN overridden THEN credit_grade
				ELSE coalesce(computed_grade, credit_grade) END;

-- What credit_limit_rows() and credit_limits() return for a customer.
CREATE TYPE @extschema@.credit_limit_decision AS (
	credit_limit	numeric,
	limit_source	text,
	credit_grade	@extschema@.credit_grade,
	valid_until		date,
	limit_method	text
);

-- The limit from its parts (the order at the top of this section): the
-- override in force (override_*; override_id NULL: none), the customer's own
-- limit, its profile grade (credit_limit_grade()'s arguments), the policy
-- row of that grade (policy_*, as credit_limit_policies_in_force() returns
-- it; method NULL: none) and the customer's sales over the policy's window.
CREATE FUNCTION @extschema@.credit_limit_decide(
		override_id bigint, override_limit numeric, override_set_by name, override_reason text,
		override_expires_on date, own_limit numeric,
		profile_grade @extschema@.credit_grade, computed_grade @extschema@.credit_grade,
		grade_overridden boolean, cap @extschema@.credit_grade,
		policy_method text, policy_amount numeric, policy_sales_multiple numeric, policy_sales_months integer,
		policy_max_amount numeric, policy_next_from date, sales numeric)
	RETURNS @extschema@.credit_limit_decision
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN ROW(
		CASE
			WHEN override_id IS NOT NULL THEN override_limit
			WHEN own_limit IS NOT NULL THEN own_limit
			WHEN policy_method = 'amount' THEN policy_amount
			WHEN policy_method = 'sales_multiple' THEN
				least(greatest(round(coalesce(sales, 0) / policy_sales_months * policy_sales_multiple, 2),
							   policy_amount),
					  policy_max_amount)
		END,
		CASE
			WHEN override_id IS NOT NULL THEN
				pg_catalog.format('override #%s by %s: %s', override_id, override_set_by, override_reason)
			WHEN own_limit IS NOT NULL THEN 'customer credit_limit'
			WHEN policy_method IS NULL THEN
				pg_catalog.format('no limit policy for grade %s',
					coalesce(@extschema@.credit_limit_grade(profile_grade, computed_grade, grade_overridden, cap)::text,
							 '(not graded)'))
			ELSE pg_catalog.format('policy for grade %s: %s',
					coalesce(@extschema@.credit_limit_grade(profile_grade, computed_grade, grade_overridden, cap)::text,
							 '(not graded)'),
					CASE policy_method WHEN 'amount' THEN policy_amount::text
						WHEN 'sales_multiple' THEN pg_catalog.format('%s x monthly sales over %s months',
																	 policy_sales_multiple, policy_sales_months)
						ELSE 'no limit' END)
		END || CASE WHEN @extschema@.credit_limit_grade(profile_grade, computed_grade, grade_overridden, cap)
						 IS DISTINCT FROM @extschema@.credit_limit_grade(profile_grade, computed_grade, grade_overridden, NULL)
					THEN ' (grade capped: unreviewed external event)' ELSE '' END,
		@extschema@.credit_limit_grade(profile_grade, computed_grade, grade_overridden, cap),
		CASE
			WHEN override_id IS NOT NULL THEN override_expires_on
			WHEN own_limit IS NOT NULL OR policy_method IS NULL THEN NULL
			ELSE policy_next_from
		END,
		CASE
			WHEN override_id IS NOT NULL THEN 'override'
			WHEN own_limit IS NOT NULL THEN 'customer'
			ELSE policy_method
		END)::@extschema@.credit_limit_decision;

CREATE OR REPLACE FUNCTION @extschema@.credit_limits(as_of date, capped bigint[], customers bigint[] DEFAULT NULL)
	RETURNS TABLE (customer_id bigint, credit_limit numeric, limit_source text, credit_grade @extschema@.credit_grade,
				   valid_until date, limit_method text)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT x.customer_id, (x.l).credit_limit, (x.l).limit_source, (x.l).credit_grade, (x.l).valid_until,
		   (x.l).limit_method
	FROM (SELECT g.customer_id,
				 @extschema@.credit_limit_decide(o.override_id, o.credit_limit, o.set_by, o.reason, o.expires_on,
					 g.own_limit, g.profile_grade, g.computed_grade, g.overridden, g.cap,
					 p.method, p.amount, p.sales_multiple, p.sales_months, p.max_amount, p.next_from,
					 s.sales) AS l
		  FROM (SELECT c.customer_id, c.credit_limit AS own_limit, pr.credit_grade AS profile_grade,
					   pr.computed_grade, pr.override_id IS NOT NULL AS overridden,
					   CASE WHEN c.customer_id = ANY (credit_limits.capped) THEN r.cap END AS cap
				FROM @extschema@.src_customer c
				LEFT JOIN @extschema@.profile pr ON pr.customer_id = c.customer_id
				-- the grade rule.external_event caps at (a join, not a sub-select:
				-- credit_limit_decide() is then inlined, called once per row)
				CROSS JOIN (SELECT NULLIF((SELECT cs.value FROM @extschema@.credit_setting cs
										   WHERE cs.name = 'rule.external_event'
										   ORDER BY cs.shipped LIMIT 1), 'off')::@extschema@.credit_grade AS cap
							OFFSET 0) r
				WHERE credit_limits.customers IS NULL OR c.customer_id = ANY (credit_limits.customers)) g
		  LEFT JOIN @extschema@.credit_limit_overrides_in_force(coalesce(credit_limits.as_of, @extschema@.as_of())) o
			  ON o.customer_id = g.customer_id
		  LEFT JOIN @extschema@.credit_limit_policies_in_force(coalesce(credit_limits.as_of, @extschema@.as_of())) p
			  ON p.grade IS NOT DISTINCT FROM @extschema@.credit_limit_grade(g.profile_grade, g.computed_grade,
																			g.overridden, g.cap)
		  LEFT JOIN LATERAL @extschema@.credit_limit_sales(g.customer_id,
				CASE WHEN p.method = 'sales_multiple' THEN p.sales_months END,
				coalesce(credit_limits.as_of, @extschema@.as_of())) s ON true) x;
END;

-- One customer's credit limit on a date (the rule above), also for a
-- customer not in src_customer (the checks see its ungraded policy).  For
-- the credit checks: inlined into credit_context(), every table filtered by
-- the customer, so that on Citus the query is routed to its shard.
CREATE OR REPLACE FUNCTION @extschema@.credit_limit_rows(customer_id bigint, as_of date)
	RETURNS TABLE (credit_limit numeric, limit_source text, credit_grade @extschema@.credit_grade, valid_until date,
				   limit_method text)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT (x.l).credit_limit, (x.l).limit_source, (x.l).credit_grade, (x.l).valid_until, (x.l).limit_method
	FROM (SELECT @extschema@.credit_limit_decide(o.override_id, o.credit_limit, o.set_by, o.reason, o.expires_on,
					 c.credit_limit, pr.credit_grade, pr.computed_grade, pr.override_id IS NOT NULL, ev.cap,
					 p.method, p.amount, p.sales_multiple, p.sales_months, p.max_amount, p.next_from,
					 s.sales) AS l
		  FROM (SELECT coalesce(credit_limit_rows.as_of, @extschema@.as_of()) AS as_of) k
		  LEFT JOIN @extschema@.profile pr ON pr.customer_id = credit_limit_rows.customer_id
		  -- OFFSET 0: looked up once, not at every use of the cap
		  CROSS JOIN LATERAL (SELECT CASE WHEN pr.override_id IS NULL
										  THEN @extschema@.credit_event_cap(credit_limit_rows.customer_id, k.as_of)
									 END AS cap
							  OFFSET 0) ev
		  LEFT JOIN @extschema@.src_customer c ON c.customer_id = credit_limit_rows.customer_id
		  LEFT JOIN @extschema@.credit_limit_overrides_in_force(k.as_of) o
			  ON o.customer_id = credit_limit_rows.customer_id
		  LEFT JOIN @extschema@.credit_limit_policies_in_force(k.as_of) p
			  ON p.grade IS NOT DISTINCT FROM @extschema@.credit_limit_grade(pr.credit_grade, pr.computed_grade,
																			pr.override_id IS NOT NULL, ev.cap)
		  LEFT JOIN LATERAL @extschema@.credit_limit_sales(credit_limit_rows.customer_id,
				CASE WHEN p.method = 'sales_multiple' THEN p.sales_months END, k.as_of) s ON true) x;
END;

COMMENT ON FUNCTION @extschema@.credit_limits(date, bigint[], bigint[]) IS 'credit limit in force on a date of every customer (or those listed in customers), the grades of those in capped capped at rule.external_event: limit, source, grade, valid until, method (inlined into the views)';
COMMENT ON FUNCTION @extschema@.credit_limit_overrides_in_force(date) IS 'part of the credit limit rule: per customer, the limit override in force on the date (the newest set)';
COMMENT ON FUNCTION @extschema@.credit_limit_policies_in_force(date) IS 'part of the credit limit rule: per grade, the limit policy row in force on the date and the date the next one takes over';
COMMENT ON FUNCTION @extschema@.credit_limit_sales(bigint, integer, date) IS 'part of the credit limit rule: a customer''s sales invoiced in the sales_months months up to the date (NULL: none, or sales_months NULL)';
COMMENT ON FUNCTION @extschema@.credit_limit_grade(@extschema@.credit_grade, @extschema@.credit_grade, boolean, @extschema@.credit_grade) IS 'part of the credit limit rule: the grade the limit policy is chosen by (the profile''s, capped by an unreviewed external event unless overridden by hand)';
COMMENT ON FUNCTION @extschema@.credit_limit_decide(bigint, numeric, name, text, date, numeric, @extschema@.credit_grade, @extschema@.credit_grade, boolean, @extschema@.credit_grade, text, numeric, numeric, integer, numeric, date, numeric) IS 'part of the credit limit rule: the limit, its source, the grade, valid until and method from the override, own limit, grade and policy in force';
COMMENT ON TYPE @extschema@.credit_limit_decision IS 'a credit limit in force with where it comes from (credit_limit_decide())';

CREATE OR REPLACE FUNCTION @extschema@.credit_limit_info(customer_id bigint, as_of date DEFAULT NULL)
	RETURNS @extschema@.credit_limit_info
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.credit_limit_info;
BEGIN
	SELECT l.credit_limit, l.limit_source, l.credit_grade, l.valid_until INTO r
	FROM @extschema@.credit_limit_rows(credit_limit_info.customer_id, credit_limit_info.as_of) l;
	RETURN r;
END
$$;


CREATE OR REPLACE FUNCTION @extschema@.credit_group_subtrees(as_of date)
	RETURNS TABLE (customer_id bigint, subtree_exposure numeric, subtree_members bigint, credit_limit numeric)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT m.customer_id, t.exposure, t.members, l.credit_limit
	FROM @extschema@.credit_exposure m
	JOIN (SELECT a.customer_id, sum(s.exposure) AS exposure, count(*) AS members
		  FROM @extschema@.credit_exposure s
		  CROSS JOIN LATERAL unnest(s.group_path || s.customer_id) a(customer_id)
		  WHERE s.group_path IS NOT NULL
		  GROUP BY a.customer_id) t ON t.customer_id = m.customer_id
	-- the limits: credit_limits() joined on the member (the capped members
	-- listed first, by an aggregate: Citus plans it apart, not an ARRAY()
	-- sub-select), not credit_limit_rows() per member, which Citus cannot
	-- push down as a lateral join
	-- (the arguments as columns of a one-row subquery kept apart, OFFSET 0:
	-- the planner does not inline a function called with a sub-select)
	CROSS JOIN (SELECT credit_group_subtrees.as_of AS as_of,
					   (SELECT pg_catalog.array_agg(x.customer_id) FROM @extschema@.credit_exposure x
						WHERE x.group_path IS NOT NULL
						  AND @extschema@.credit_event_cap(x.customer_id, credit_group_subtrees.as_of) IS NOT NULL)
						   AS capped,
					   coalesce((SELECT pg_catalog.array_agg(x.customer_id) FROM @extschema@.credit_exposure x
								 WHERE x.group_path IS NOT NULL), '{}') AS members
				OFFSET 0) k
	-- (the members' limits only: a lookup of one member reads no other limit)
	LEFT JOIN @extschema@.credit_limits(k.as_of, k.capped, k.members) l ON l.customer_id = m.customer_id
	WHERE m.group_path IS NOT NULL;
END;

COMMENT ON FUNCTION @extschema@.credit_group_subtrees(date) IS
	'every customer in a credit group: the exposure of its subtree (itself and its descendants), their number, and its credit limit in force on the date';

CREATE OR REPLACE FUNCTION @extschema@.credit_report(customer_id bigint, as_of date DEFAULT NULL) RETURNS jsonb
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := coalesce(credit_report.as_of, @extschema@.as_of());
	c record;
	li @extschema@.credit_limit_info;
	x @extschema@.credit_exposure;
	f @extschema@.credit_facts;
	report jsonb;
	card text;
	cj jsonb;
BEGIN
	SELECT sc.customer_id, sc.name, sc.customer_type, sc.industry, sc.region, sc.payment_terms_days
	INTO c FROM @extschema@.src_customer sc WHERE sc.customer_id = credit_report.customer_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'customer % does not exist', customer_id USING ERRCODE = 'no_data_found';
	END IF;
	-- (to jsonb here: Citus cannot send a record to the shard's query)
	cj := to_jsonb(c);
	li := @extschema@.credit_limit_info(customer_id, d);
	SELECT * INTO x FROM @extschema@.credit_exposure e WHERE e.customer_id = credit_report.customer_id;
	-- the scorecard first: on Citus a function reading a table must not be
	-- evaluated in the query that runs on the customer's shard
	card := (@extschema@.active_scorecard()).scorecard_id;
	SELECT (cf.facts).* INTO f
	FROM @extschema@.credit_facts(d, card, ARRAY[customer_id]) cf;

	report := jsonb_build_object(
		'customer', cj,
		'as_of', d,
		'grade', (SELECT jsonb_build_object('grade', p.credit_grade, 'score', p.credit_score,
											'computed_grade', p.computed_grade, 'overridden', p.override_id IS NOT NULL,
											'label_en', l.label_en, 'label_zh', l.label_zh,
											'graded_as_of', p.as_of, 'refreshed_at', p.refreshed_at)
				  FROM @extschema@.profile p
				  LEFT JOIN @extschema@.class_label l ON l.dimension = 'credit_grade' AND l.value = p.credit_grade::text
				  WHERE p.customer_id = credit_report.customer_id),
		'explanation', (SELECT jsonb_agg(jsonb_strip_nulls(to_jsonb(e)) ORDER BY e.step)
						FROM @extschema@.explain_score(customer_id, d) e),
		'limit', jsonb_build_object('credit_limit', li.credit_limit, 'source', li.limit_source,
									'valid_until', li.valid_until),
		'exposure', jsonb_build_object(
			'open_orders', coalesce(x.open_orders, 0), 'shipped_not_invoiced', coalesce(x.shipped_not_invoiced, 0),
			'invoice_balance', coalesce(x.invoice_balance, 0), 'unapplied_credits', coalesce(x.unapplied_credits, 0),
			'exposure', coalesce(x.exposure, 0),
			'available', li.credit_limit - coalesce(x.exposure, 0),
			'used_pct', round(coalesce(x.exposure, 0) * 100 / nullif(li.credit_limit, 0), 1)),
		'checks', jsonb_build_object(
			'order', @extschema@.credit_check_mode(customer_id, 'order', d),
			'delivery', @extschema@.credit_check_mode(customer_id, 'delivery', d),
			'invoice', @extschema@.credit_check_mode(customer_id, 'invoice', d),
			'rule.overdue_days', @extschema@.credit_setting('rule.overdue_days'),
			'rule.grade_d', @extschema@.credit_setting('rule.grade_d')),
		'aging', (SELECT jsonb_build_object(
						'current', coalesce(sum(o.open) FILTER (WHERE d - o.due_on <= 0), 0),
						'1-30', coalesce(sum(o.open) FILTER (WHERE d - o.due_on BETWEEN 1 AND 30), 0),
						'31-60', coalesce(sum(o.open) FILTER (WHERE d - o.due_on BETWEEN 31 AND 60), 0),
						'61-90', coalesce(sum(o.open) FILTER (WHERE d - o.due_on BETWEEN 61 AND 90), 0),
						'91+', coalesce(sum(o.open) FILTER (WHERE d - o.due_on > 90), 0),
						'open_invoices', count(*) FILTER (WHERE o.open > 0))
				  FROM (SELECT i.due_on, i.amount - coalesce((SELECT sum(p.amount) FROM @extschema@.src_payment p
															  WHERE p.customer_id = i.customer_id AND p.invoice_id = i.invoice_id
																AND p.paid_on <= d), 0) AS open
						FROM @extschema@.src_invoice i
						WHERE i.customer_id = credit_report.customer_id AND i.issued_on <= d) o
				  WHERE o.open > 0),
		'payments', jsonb_build_object('payment_index', f.payment_index, 'recent_payment_index', f.recent_payment_index,
									   'days_beyond_terms', f.days_beyond_terms, 'on_time_ratio', f.on_time_ratio,
									   'invoices_paid', f.invoices_paid, 'overdue_balance', f.overdue_balance,
									   'revenue_12m', f.revenue_12m),
		'open_alerts', coalesce((SELECT jsonb_agg(jsonb_build_object('alert_id', a.alert_id, 'kind', a.kind, 'level', a.level,
															 'raised_at', a.raised_at, 'occurrences', a.occurrences,
															 'detail', a.detail) ORDER BY a.alert_id)
								 FROM @extschema@.alerts a
								 WHERE a.customer_id = credit_report.customer_id AND a.resolved_at IS NULL), '[]'),
		'alert_level', coalesce((SELECT max(a.level)::text FROM @extschema@.alerts a
								 WHERE a.customer_id = credit_report.customer_id AND a.resolved_at IS NULL), 'green'),
		'history', coalesce((SELECT jsonb_agg(jsonb_build_object('dimension', h.dimension, 'old', h.old_value, 'new', h.new_value,
														 'as_of', h.as_of, 'why', h.why) ORDER BY h.history_id DESC)
							 FROM (SELECT * FROM @extschema@.class_history ch
								   WHERE ch.customer_id = credit_report.customer_id
								   ORDER BY ch.history_id DESC LIMIT 20) h), '[]'));
	-- a member of a credit group: its parent, root, and each limit over it
	IF x.group_path IS NOT NULL THEN
		report := report || jsonb_build_object('group', jsonb_build_object(
			'parent_id', (SELECT sc.parent_id FROM @extschema@.src_customer sc WHERE sc.customer_id = credit_report.customer_id),
			'group_id', coalesce(x.group_path[1], x.customer_id),
			'limits', (SELECT jsonb_agg(jsonb_build_object('group_id', l.group_id, 'level', l.level,
														   'exposure', l.group_exposure, 'credit_limit', l.credit_limit,
														   'limit_source', l.limit_source,
														   'available', l.credit_limit - l.group_exposure) ORDER BY l.level)
					   FROM @extschema@.credit_group_limits(customer_id, NULL, d) l)));
	END IF;
	RETURN report;
END
$$;

CREATE OR REPLACE VIEW @extschema@.customer_profile WITH (security_invoker = true) AS
	SELECT c.customer_id, c.name, c.customer_type, c.industry, c.region, c.size_class, c.payment_terms_days,
		   p.as_of,
		   p.credit_score,
		   p.credit_grade,
		   p.credit_grade::text AS grade,
		   gl.label_en AS grade_label_en,
		   gl.label_zh AS grade_label_zh,
		   p.computed_grade,
		   cl.label_en AS computed_grade_label_en,
		   cl.label_zh AS computed_grade_label_zh,
		   p.override_id IS NOT NULL AS grade_overridden,
		   p.scale_points, p.payment_points, p.stability_points, p.risk_points,
		   p.external_score,
		   format('%s: scale %s, payment %s, stability %s, risk %s%s',
				  p.credit_score, p.scale_points, p.payment_points, p.stability_points, p.risk_points,
				  CASE WHEN p.external_score IS NOT NULL THEN ', external ' || p.external_score ELSE '' END)
			   || CASE WHEN p.override_id IS NOT NULL THEN format('; overridden to %s', p.credit_grade) ELSE '' END
			   AS score_explanation,
		   c.credit_limit AS own_credit_limit,
		   p.lifecycle_stage,
		   p.lifecycle_stage::text AS stage,
		   sl.label_en AS stage_label_en,
		   sl.label_zh AS stage_label_zh,
		   p.lifecycle_phase,
		   p.lifecycle_phase::text AS phase,
		   pl.label_en AS phase_label_en,
		   pl.label_zh AS phase_label_zh,
		   p.behaviour_segment,
		   p.behaviour_segment::text AS behaviour,
		   bl.label_en AS behaviour_label_en,
		   bl.label_zh AS behaviour_label_zh,
		   p.rfm_r, p.rfm_f, p.rfm_m,
		   p.rfm_r::text || p.rfm_f::text || p.rfm_m::text AS rfm_score,
		   p.rfm_segment,
		   p.rfm_segment::text AS rfm,
		   rl.label_en AS rfm_label_en,
		   rl.label_zh AS rfm_label_zh,
		   p.first_order_on,
		   p.last_order_on,
		   p.as_of - p.last_order_on AS days_since_last_order,
		   p.orders_12m,
		   p.revenue_12m,
		   p.open_balance,
		   p.overdue_balance,
		   p.overdue_invoices,
		   p.payment_index,
		   p.days_beyond_terms,
		   p.payment_warning,
		   p.payment_warning::text AS warning,
		   wl.label_en AS warning_label_en,
		   wl.label_zh AS warning_label_zh,
		   lim.credit_limit,
		   lim.limit_source,
		   coalesce((SELECT e.exposure FROM @extschema@.credit_exposure e WHERE e.customer_id = c.customer_id), 0)
			   AS exposure,
		   lim.credit_limit
			   - coalesce((SELECT e.exposure FROM @extschema@.credit_exposure e WHERE e.customer_id = c.customer_id), 0)
			   AS available_credit,
		   ag.a OPERATOR(@extschema@.->) 'current' AS aging_current,
		   ag.a OPERATOR(@extschema@.->) '1-30' AS aging_1_30,
		   ag.a OPERATOR(@extschema@.->) '31-60' AS aging_31_60,
		   ag.a OPERATOR(@extschema@.->) '61-90' AS aging_61_90,
		   ag.a OPERATOR(@extschema@.->) '91+' AS aging_over_90,
		   @extschema@.aging_total(ag.a) AS aging_total,
		   @extschema@.aging_total(ag.a) - (ag.a OPERATOR(@extschema@.->) 'current') AS aging_overdue,
		   al.alert_level,
		   (SELECT l.label_en FROM @extschema@.class_label l
			WHERE l.dimension = 'alert_level' AND l.value = al.alert_level::text) AS alert_level_label_en,
		   (SELECT l.label_zh FROM @extschema@.class_label l
			WHERE l.dimension = 'alert_level' AND l.value = al.alert_level::text) AS alert_level_label_zh,
		   al.open_alerts,
		   p.refreshed_at,
		   CAST(c.tags AS pg_catalog.text[]) AS tags,
		   CAST(p.rule_tags AS pg_catalog.text[]) AS rule_tags,
		   CAST(c.tags OPERATOR(@extschema@.|) coalesce(p.rule_tags, '{}'::@extschema@.tagset) AS pg_catalog.text[]) AS all_tags,
		   pf.revenue, pf.cost, pf.costed_revenue, pf.gross_profit, pf.gross_margin,
		   -- credit groups (credit/groups.sql)
		   c.parent_id,
		   coalesce(ge.group_path[1], ge.customer_id) AS group_id,
		   gh.exposure AS group_exposure,
		   gh.credit_limit AS group_credit_limit,
		   CASE WHEN gh.limits > 0 THEN least(lim.credit_limit - coalesce(ge.exposure, 0), gh.headroom) END
			   AS group_available_credit
	FROM @extschema@.src_customer c
	LEFT JOIN @extschema@.profile p ON p.customer_id = c.customer_id
	LEFT JOIN (SELECT o.customer_id, @extschema@.aging_agg(o.open_amount, o.due_on, (SELECT @extschema@.report_date())) AS a
			   FROM @extschema@.open_item o GROUP BY o.customer_id) ag ON ag.customer_id = c.customer_id
	LEFT JOIN LATERAL (SELECT coalesce(max(a.level), 'green') AS alert_level, count(*) AS open_alerts
					   FROM @extschema@.alerts a
					   WHERE a.customer_id = c.customer_id AND a.resolved_at IS NULL) al ON true
	-- gross profit of the 365 days up to the report date (facts/profit.sql);
	-- the date comes in as a column so that customer_profit() is inlined
	-- and reads this customer's invoices only
	LEFT JOIN LATERAL (SELECT pr.revenue, pr.cost, pr.costed_revenue, pr.gross_profit, pr.gross_margin
					   FROM (SELECT (SELECT @extschema@.report_date()) AS d) rd
					   CROSS JOIN LATERAL @extschema@.customer_profit(rd.d - 364, rd.d) pr
					   WHERE pr.customer_id = c.customer_id) pf ON true
	-- the limit in force as of as_of(), as the credit checks see it:
	-- credit_limits() joined on the customer, the capped customers from one
	-- pass over the external events.  The date and that list come from a
	-- one-row subquery kept apart (OFFSET 0): as sub-selects put in place of
	-- the arguments, the planner would not inline the parts of the limit
	-- rule; on Citus the planner hook takes them from it (docs/citus.md)
	LEFT JOIN (SELECT l.customer_id, l.credit_limit, l.limit_source
			   FROM (SELECT (SELECT @extschema@.as_of()) AS d,
							(SELECT pg_catalog.array_agg(ec.customer_id)
							 FROM (SELECT (SELECT @extschema@.as_of()) AS d OFFSET 0) k
							 CROSS JOIN LATERAL @extschema@.credit_event_caps(k.d) ec) AS capped
					 OFFSET 0) k
			   CROSS JOIN LATERAL @extschema@.credit_limits(k.d, k.capped) l) lim ON lim.customer_id = c.customer_id
	-- credit groups (credit/groups.sql): the customer's ledger row (ge) and,
	-- per group member, the figures of its ancestors and of itself when it
	-- heads a subtree (gh), read from credit_group_subtrees() (one grouped
	-- pass over the members: each one's subtree exposure and limit): the
	-- group's (its root's) exposure and limit, how many limits are over the
	-- member, and the least credit any of them leaves.  Joined on the
	-- member, not a sub-select per customer reading the other members (on
	-- Citus on other shards)
	LEFT JOIN @extschema@.credit_exposure ge ON ge.customer_id = c.customer_id AND ge.group_path IS NOT NULL
	LEFT JOIN (SELECT m.customer_id,
					  max(t.subtree_exposure) FILTER (WHERE a.ancestor = coalesce(m.group_path[1], m.customer_id))
						  AS exposure,
					  max(t.credit_limit) FILTER (WHERE a.ancestor = coalesce(m.group_path[1], m.customer_id))
						  AS credit_limit,
					  count(*) AS limits,
					  min(t.credit_limit - t.subtree_exposure) AS headroom
			   FROM @extschema@.credit_exposure m
			   CROSS JOIN LATERAL unnest(m.group_path || m.customer_id) a(ancestor)
			   JOIN (SELECT g.customer_id, g.subtree_exposure, g.subtree_members, g.credit_limit
					 FROM (SELECT (SELECT @extschema@.as_of()) AS d OFFSET 0) k
					 CROSS JOIN LATERAL @extschema@.credit_group_subtrees(k.d) g) t ON t.customer_id = a.ancestor
			   WHERE m.group_path IS NOT NULL AND (a.ancestor <> m.customer_id OR t.subtree_members > 1)
			   GROUP BY m.customer_id) gh ON gh.customer_id = c.customer_id
	LEFT JOIN @extschema@.class_label cl ON cl.dimension = 'credit_grade' AND cl.value = p.computed_grade::text
	LEFT JOIN @extschema@.class_label gl ON gl.dimension = 'credit_grade' AND gl.value = p.credit_grade::text
	LEFT JOIN @extschema@.class_label sl ON sl.dimension = 'lifecycle_stage' AND sl.value = p.lifecycle_stage::text
	LEFT JOIN @extschema@.class_label pl ON pl.dimension = 'lifecycle_phase' AND pl.value = p.lifecycle_phase::text
	LEFT JOIN @extschema@.class_label bl ON bl.dimension = 'segment' AND bl.value = p.behaviour_segment::text
	LEFT JOIN @extschema@.class_label rl ON rl.dimension = 'rfm_segment' AND rl.value = p.rfm_segment::text
	LEFT JOIN @extschema@.class_label wl ON wl.dimension = 'alert_level' AND wl.value = p.payment_warning::text;


