-- 0.2.0 -> 0.3.0, Citus: credit limits, customer_profile's limit and credit_report() on the distributed tables (issue 19, 19Q).
-- The limit rule as a set for every customer, credit_limits() (joined on customer_id, which Citus pushes down), the same rule as
-- credit_limit_rows() (proven by the test citus_limits); the external-event cap as a set, credit_event_caps(); credit_limit_info() and
-- credit_check_mode() in PL/pgSQL (Citus cannot plan a SQL function's parameterised queries); credit_report() without
-- a record or a table-reading call in its shard queries; credit_group_subtrees() and customer_profile over credit_limits().

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

CREATE OR REPLACE FUNCTION @extschema@.credit_limits(as_of date, capped bigint[])
	RETURNS TABLE (customer_id bigint, credit_limit numeric, limit_source text, credit_grade @extschema@.credit_grade, valid_until date,
				   limit_method text)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT g.customer_id,
		   CASE
			   WHEN o.override_id IS NOT NULL THEN o.credit_limit
			   WHEN g.own_limit IS NOT NULL THEN g.own_limit
			   WHEN p.method = 'amount' THEN p.amount
			   WHEN p.method = 'sales_multiple' THEN
				   least(greatest(round(coalesce(s.sales, 0) / p.sales_months * p.sales_multiple, 2), p.amount),
						 p.max_amount)
		   END,
		   CASE
			   WHEN o.override_id IS NOT NULL THEN
				   pg_catalog.format('override #%s by %s: %s', o.override_id, o.set_by, o.reason)
			   WHEN g.own_limit IS NOT NULL THEN 'customer credit_limit'
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
			   WHEN g.own_limit IS NOT NULL OR p.method IS NULL THEN NULL
			   ELSE p.next_from
		   END,
		   CASE
			   WHEN o.override_id IS NOT NULL THEN 'override'
			   WHEN g.own_limit IS NOT NULL THEN 'customer'
			   ELSE p.method
		   END
	FROM (SELECT b.customer_id, b.own_limit, b.capped, CASE WHEN b.capped THEN b.cap ELSE b.grade END AS credit_grade
		  FROM (SELECT a.customer_id, a.own_limit, a.grade, a.cap,
					   a.cap IS NOT NULL AND (a.grade IS NULL OR a.cap > a.grade) AS capped
				FROM (SELECT c.customer_id, c.credit_limit AS own_limit,
							 CASE WHEN pr.override_id IS NULL THEN coalesce(pr.computed_grade, pr.credit_grade)
								  ELSE pr.credit_grade END AS grade,
							 CASE WHEN pr.override_id IS NULL AND c.customer_id = ANY (credit_limits.capped)
								  THEN NULLIF((SELECT cs.value FROM @extschema@.credit_setting cs
											   WHERE cs.name = 'rule.external_event'
											   ORDER BY cs.shipped LIMIT 1), 'off')::@extschema@.credit_grade
							 END AS cap
					  FROM @extschema@.src_customer c
					  LEFT JOIN @extschema@.profile pr ON pr.customer_id = c.customer_id) a) b) g
	LEFT JOIN (SELECT DISTINCT ON (lo.customer_id)
					  lo.customer_id, lo.override_id, lo.credit_limit, lo.set_by, lo.reason, lo.expires_on
			   FROM @extschema@.credit_limit_override lo
			   WHERE lo.valid_from <= coalesce(credit_limits.as_of, @extschema@.as_of())
				 AND coalesce(credit_limits.as_of, @extschema@.as_of()) < lo.expires_on
			   ORDER BY lo.customer_id, lo.set_at DESC, lo.override_id DESC) o
		ON o.customer_id = g.customer_id
	LEFT JOIN (SELECT DISTINCT ON (lp.grade)
					  lp.grade, lp.method, lp.amount, lp.sales_multiple, lp.sales_months, lp.max_amount, lp.shipped,
					  (SELECT min(ln.valid_from) FROM @extschema@.credit_limit_policy ln
					   WHERE ln.grade IS NOT DISTINCT FROM lp.grade
						 AND ln.valid_from > coalesce(credit_limits.as_of, @extschema@.as_of())
						 AND (NOT ln.shipped OR lp.shipped)) AS next_from
			   FROM @extschema@.credit_limit_policy lp
			   WHERE lp.valid_from <= coalesce(credit_limits.as_of, @extschema@.as_of())
			   ORDER BY lp.grade, lp.shipped, lp.valid_from DESC) p
		ON p.grade IS NOT DISTINCT FROM g.credit_grade
	-- invoiced sales over each window a sales_multiple policy uses
	LEFT JOIN (SELECT i.customer_id, w.sales_months, sum(i.amount) AS sales
			   FROM @extschema@.src_invoice i
			   JOIN (SELECT DISTINCT lw.sales_months FROM @extschema@.credit_limit_policy lw
					 WHERE lw.method = 'sales_multiple') w
				   ON i.issued_on > coalesce(credit_limits.as_of, @extschema@.as_of())
									- pg_catalog.make_interval(months => w.sales_months)
			   WHERE i.issued_on <= coalesce(credit_limits.as_of, @extschema@.as_of())
			   GROUP BY i.customer_id, w.sales_months) s
		ON s.customer_id = g.customer_id AND s.sales_months = p.sales_months
		   AND p.method = 'sales_multiple';
END;

CREATE OR REPLACE FUNCTION @extschema@.credit_limit_info(customer_id bigint, as_of date DEFAULT NULL)
	RETURNS @extschema@.credit_limit_info
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := coalesce(credit_limit_info.as_of, @extschema@.as_of());
	capped bigint[];
	r @extschema@.credit_limit_info;
BEGIN
	-- the cap first, in a query of its own: on Citus a function reading a
	-- table cannot run inside the query sent to the customer's shard
	IF @extschema@.credit_event_cap(credit_limit_info.customer_id, d) IS NOT NULL THEN
		capped := ARRAY[credit_limit_info.customer_id];
	END IF;
	SELECT l.credit_limit, l.limit_source, l.credit_grade, l.valid_until INTO r
	FROM @extschema@.credit_limits(d, capped) l
	WHERE l.customer_id = credit_limit_info.customer_id;
	IF NOT FOUND THEN
		-- a customer not in src_customer: its ungraded policy, as the checks see it
		SELECT l.credit_limit, l.limit_source, l.credit_grade, l.valid_until INTO r
		FROM @extschema@.credit_limit_rows(credit_limit_info.customer_id, d) l;
	END IF;
	RETURN r;
END
$$;

COMMENT ON FUNCTION @extschema@.credit_limits(date, bigint[]) IS 'credit limit in force on a date of every customer, the grades of those in capped capped at rule.external_event: limit, source, grade, valid until, method (the rule of credit_limit_rows(); inlined into the views)';

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
	-- listed first), not credit_limit_rows() per member, which Citus cannot
	-- push down as a lateral join
	LEFT JOIN (SELECT l.customer_id, l.credit_limit
			   FROM (SELECT ARRAY(SELECT x.customer_id FROM @extschema@.credit_exposure x
								  WHERE x.group_path IS NOT NULL
									AND @extschema@.credit_event_cap(x.customer_id, credit_group_subtrees.as_of) IS NOT NULL)
							AS capped) k
			   CROSS JOIN LATERAL @extschema@.credit_limits(credit_group_subtrees.as_of, k.capped) l) l
		ON l.customer_id = m.customer_id
	WHERE m.group_path IS NOT NULL;
END;

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
		   (SELECT coalesce(e.group_path[1], e.customer_id) FROM @extschema@.credit_exposure e
			WHERE e.customer_id = c.customer_id AND e.group_path IS NOT NULL) AS group_id,
		   gx.exposure AS group_exposure,
		   -- the limits of the group read other customers per row: Citus
		   -- refuses them (docs/citus.md); computed in one pass for every
		   -- member, as group_exposure, they would cost a single node's
		   -- lookup of one customer a limit per member of every group
		   (SELECT @extschema@.credit_limit(coalesce(e.group_path[1], e.customer_id)) FROM @extschema@.credit_exposure e
			WHERE e.customer_id = c.customer_id AND e.group_path IS NOT NULL) AS group_credit_limit,
		   (SELECT least(lim.credit_limit
						 - coalesce((SELECT e.exposure FROM @extschema@.credit_exposure e WHERE e.customer_id = c.customer_id), 0),
						 min(l.credit_limit - l.group_exposure))
			FROM @extschema@.credit_group_limits(c.customer_id) l HAVING count(*) > 0) AS group_available_credit
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
	-- the limit in force as of as_of(), as the credit checks see it
	-- (credit_limits(), the rule of credit_limit_rows(), joined on the
	-- customer: the capped customers from one pass over the external events)
	LEFT JOIN (SELECT l.customer_id, l.credit_limit, l.limit_source
			   FROM (SELECT (SELECT @extschema@.as_of()) AS d,
							(SELECT pg_catalog.array_agg(ec.customer_id)
							 FROM (SELECT (SELECT @extschema@.as_of()) AS d) k
							 CROSS JOIN LATERAL @extschema@.credit_event_caps(k.d) ec) AS capped) k
			   CROSS JOIN LATERAL @extschema@.credit_limits(k.d, k.capped) l) lim ON lim.customer_id = c.customer_id
	-- credit groups (credit/groups.sql): the customer's ledger row (ge), and
	-- its group's exposure as the subtree of its root (gx): one grouped pass
	-- over the group members' ledger rows (as credit_group_subtrees(),
	-- without the limits), joined on the root, not a sub-select per customer
	-- reading the other members (on Citus on other shards)
	LEFT JOIN @extschema@.credit_exposure ge ON ge.customer_id = c.customer_id AND ge.group_path IS NOT NULL
	LEFT JOIN (SELECT a.customer_id, sum(s.exposure) AS exposure
			   FROM @extschema@.credit_exposure s
			   CROSS JOIN LATERAL unnest(s.group_path || s.customer_id) a(customer_id)
			   WHERE s.group_path IS NOT NULL
			   GROUP BY a.customer_id) gx ON gx.customer_id = coalesce(ge.group_path[1], ge.customer_id)
	LEFT JOIN @extschema@.class_label cl ON cl.dimension = 'credit_grade' AND cl.value = p.computed_grade::text
	LEFT JOIN @extschema@.class_label gl ON gl.dimension = 'credit_grade' AND gl.value = p.credit_grade::text
	LEFT JOIN @extschema@.class_label sl ON sl.dimension = 'lifecycle_stage' AND sl.value = p.lifecycle_stage::text
	LEFT JOIN @extschema@.class_label pl ON pl.dimension = 'lifecycle_phase' AND pl.value = p.lifecycle_phase::text
	LEFT JOIN @extschema@.class_label bl ON bl.dimension = 'segment' AND bl.value = p.behaviour_segment::text
	LEFT JOIN @extschema@.class_label rl ON rl.dimension = 'rfm_segment' AND rl.value = p.rfm_segment::text
	LEFT JOIN @extschema@.class_label wl ON wl.dimension = 'alert_level' AND wl.value = p.payment_warning::text;
