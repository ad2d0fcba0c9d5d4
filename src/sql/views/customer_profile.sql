-- What people and BI tools read: customer_profile, one row per customer
-- with every class the last refresh() wrote (as of its as_of), and the live
-- receivables figures beside them as of report_date() (docs/reporting.md:
-- the classes' date unless customer_class.as_of is set), and the credit
-- position the checks decide on (limit in force, exposure, available credit,
-- open alerts: as of as_of(), the maintained ledger).  Only types a JDBC or
-- ODBC client maps: the aging as numeric bucket columns, tag sets as text[]
-- (customer.tags and profile.rule_tags keep the tagset for SQL).  The aging
-- is open_item aggregated per customer and joined, which the planner drops
-- when no aging column is selected (one row per customer).
--
-- Citus (docs/citus.md): every figure of the customer is a join on
-- customer_id or a sub-select on it, so that Citus runs it on the shard of
-- the customer: no call per row of a function that reads a table (Citus
-- cannot run those from a query on a shard), the credit limit from the
-- set-returning credit_limits() which is inlined and joined on customer_id.  The group columns
-- read other customers (a group's members are on different shards): they
-- come from a grouped pass over the ledger's group members
-- (credit_group_subtrees()) joined on the member.

CREATE VIEW @extschema@.customer_profile WITH (security_invoker = true) AS
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

GRANT SELECT ON @extschema@.customer_profile TO customer_class_reader;
COMMENT ON VIEW @extschema@.customer_profile IS
	'one row per customer: its classes as of the last refresh() (NULLs until the first refresh), its receivables as of customer_class.report_date() (the same date unless customer_class.as_of is set), its credit position as the credit checks see it now';
COMMENT ON COLUMN @extschema@.customer_profile.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.customer_profile.name IS 'customer name';
COMMENT ON COLUMN @extschema@.customer_profile.customer_type IS 'enterprise or individual';
COMMENT ON COLUMN @extschema@.customer_profile.industry IS 'industry code';
COMMENT ON COLUMN @extschema@.customer_profile.region IS 'region as a dotted path';
COMMENT ON COLUMN @extschema@.customer_profile.size_class IS 'micro, small, medium or large';
COMMENT ON COLUMN @extschema@.customer_profile.payment_terms_days IS 'agreed payment terms in days';
COMMENT ON COLUMN @extschema@.customer_profile.as_of IS 'date the classes were computed as of';
COMMENT ON COLUMN @extschema@.customer_profile.credit_score IS 'credit score 0-100';
COMMENT ON COLUMN @extschema@.customer_profile.credit_grade IS 'credit grade in force (enum, A best)';
COMMENT ON COLUMN @extschema@.customer_profile.grade IS 'credit grade in force, as text';
COMMENT ON COLUMN @extschema@.customer_profile.grade_label_en IS 'grade display name, English';
COMMENT ON COLUMN @extschema@.customer_profile.grade_label_zh IS 'grade display name, Simplified Chinese';
COMMENT ON COLUMN @extschema@.customer_profile.computed_grade IS 'grade from the score, before any override';
COMMENT ON COLUMN @extschema@.customer_profile.computed_grade_label_en IS 'display name of computed_grade, English';
COMMENT ON COLUMN @extschema@.customer_profile.computed_grade_label_zh IS 'display name of computed_grade, Simplified Chinese';
COMMENT ON COLUMN @extschema@.customer_profile.grade_overridden IS 'a manual override is in force';
COMMENT ON COLUMN @extschema@.customer_profile.scale_points IS 'transaction scale points 0-100';
COMMENT ON COLUMN @extschema@.customer_profile.payment_points IS 'payment performance points 0-100';
COMMENT ON COLUMN @extschema@.customer_profile.stability_points IS 'relationship stability points 0-100';
COMMENT ON COLUMN @extschema@.customer_profile.risk_points IS 'industry/region risk points 0-100';
COMMENT ON COLUMN @extschema@.customer_profile.external_score IS 'external score blended in, if any';
COMMENT ON COLUMN @extschema@.customer_profile.score_explanation IS 'the score and its parts in one line';
COMMENT ON COLUMN @extschema@.customer_profile.own_credit_limit IS 'the customer''s own credit limit, if set';
COMMENT ON COLUMN @extschema@.customer_profile.lifecycle_stage IS 'lifecycle stage (enum): potential, new, active, reactivated, dormant, churned';
COMMENT ON COLUMN @extschema@.customer_profile.stage IS 'lifecycle stage, as text';
COMMENT ON COLUMN @extschema@.customer_profile.stage_label_en IS 'lifecycle stage display name, English';
COMMENT ON COLUMN @extschema@.customer_profile.stage_label_zh IS 'lifecycle stage display name, Simplified Chinese';
COMMENT ON COLUMN @extschema@.customer_profile.lifecycle_phase IS 'revenue phase (enum): introduction, growth, maturity, decline; NULL: no order yet';
COMMENT ON COLUMN @extschema@.customer_profile.phase IS 'revenue phase, as text';
COMMENT ON COLUMN @extschema@.customer_profile.phase_label_en IS 'revenue phase display name, English';
COMMENT ON COLUMN @extschema@.customer_profile.phase_label_zh IS 'revenue phase display name, Simplified Chinese';
COMMENT ON COLUMN @extschema@.customer_profile.behaviour_segment IS 'behaviour segment (enum)';
COMMENT ON COLUMN @extschema@.customer_profile.behaviour IS 'behaviour segment, as text';
COMMENT ON COLUMN @extschema@.customer_profile.behaviour_label_en IS 'behaviour segment display name, English';
COMMENT ON COLUMN @extschema@.customer_profile.behaviour_label_zh IS 'behaviour segment display name, Simplified Chinese';
COMMENT ON COLUMN @extschema@.customer_profile.rfm_r IS 'RFM recency score 1-5 (5 = most recent)';
COMMENT ON COLUMN @extschema@.customer_profile.rfm_f IS 'RFM frequency score 1-5';
COMMENT ON COLUMN @extschema@.customer_profile.rfm_m IS 'RFM monetary score 1-5';
COMMENT ON COLUMN @extschema@.customer_profile.rfm_score IS 'RFM scores as one code, e.g. 545';
COMMENT ON COLUMN @extschema@.customer_profile.rfm_segment IS 'named RFM segment (enum); NULL: no order yet';
COMMENT ON COLUMN @extschema@.customer_profile.rfm IS 'named RFM segment, as text';
COMMENT ON COLUMN @extschema@.customer_profile.rfm_label_en IS 'RFM segment display name, English';
COMMENT ON COLUMN @extschema@.customer_profile.rfm_label_zh IS 'RFM segment display name, Simplified Chinese';
COMMENT ON COLUMN @extschema@.customer_profile.first_order_on IS 'first order (cancelled ones do not count)';
COMMENT ON COLUMN @extschema@.customer_profile.last_order_on IS 'last order (cancelled ones do not count)';
COMMENT ON COLUMN @extschema@.customer_profile.days_since_last_order IS 'days from the last order to as_of (RFM recency)';
COMMENT ON COLUMN @extschema@.customer_profile.orders_12m IS 'orders in the 12 months up to as_of (RFM frequency)';
COMMENT ON COLUMN @extschema@.customer_profile.revenue_12m IS 'invoiced in the 12 months up to as_of (RFM monetary)';
COMMENT ON COLUMN @extschema@.customer_profile.open_balance IS 'open receivables as of as_of (unapplied credits deducted)';
COMMENT ON COLUMN @extschema@.customer_profile.overdue_balance IS 'open amount past due as of as_of';
COMMENT ON COLUMN @extschema@.customer_profile.overdue_invoices IS 'open invoices past due as of as_of';
COMMENT ON COLUMN @extschema@.customer_profile.payment_index IS 'PAYDEX-style payment index 20-100 as of as_of (NULL below 3 paid invoices)';
COMMENT ON COLUMN @extschema@.customer_profile.days_beyond_terms IS 'amount-weighted days beyond terms of paid invoices (negative: early)';
COMMENT ON COLUMN @extschema@.customer_profile.payment_warning IS 'payment-rhythm warning as of as_of (enum alert_level): yellow, red, NULL for none';
COMMENT ON COLUMN @extschema@.customer_profile.warning IS 'payment-rhythm warning, as text';
COMMENT ON COLUMN @extschema@.customer_profile.warning_label_en IS 'payment-rhythm warning display name, English';
COMMENT ON COLUMN @extschema@.customer_profile.warning_label_zh IS 'payment-rhythm warning display name, Simplified Chinese';
COMMENT ON COLUMN @extschema@.customer_profile.credit_limit IS 'credit limit in force as of customer_class.as_of() (override, own limit or grade policy); NULL: no limit';
COMMENT ON COLUMN @extschema@.customer_profile.limit_source IS 'where the limit in force comes from';
COMMENT ON COLUMN @extschema@.customer_profile.exposure IS 'credit exposure now: open orders + shipped not invoiced + open invoices - unapplied credits (the maintained ledger)';
COMMENT ON COLUMN @extschema@.customer_profile.available_credit IS 'credit_limit - exposure (negative: over the limit; NULL: no limit)';
COMMENT ON COLUMN @extschema@.customer_profile.aging_current IS 'receivables not yet due, less unapplied credits, as of customer_class.report_date() (NULL: nothing open)';
COMMENT ON COLUMN @extschema@.customer_profile.aging_1_30 IS 'receivables 1-30 days past due as of customer_class.report_date()';
COMMENT ON COLUMN @extschema@.customer_profile.aging_31_60 IS 'receivables 31-60 days past due as of customer_class.report_date()';
COMMENT ON COLUMN @extschema@.customer_profile.aging_61_90 IS 'receivables 61-90 days past due as of customer_class.report_date()';
COMMENT ON COLUMN @extschema@.customer_profile.aging_over_90 IS 'receivables more than 90 days past due as of customer_class.report_date()';
COMMENT ON COLUMN @extschema@.customer_profile.aging_total IS 'total owed as of customer_class.report_date() (credits deducted; NULL: nothing open)';
COMMENT ON COLUMN @extschema@.customer_profile.aging_overdue IS 'total past due as of customer_class.report_date()';
COMMENT ON COLUMN @extschema@.customer_profile.alert_level IS 'highest level of the open alerts (green: none)';
COMMENT ON COLUMN @extschema@.customer_profile.alert_level_label_en IS 'display name of alert_level, English';
COMMENT ON COLUMN @extschema@.customer_profile.alert_level_label_zh IS 'display name of alert_level, Simplified Chinese';
COMMENT ON COLUMN @extschema@.customer_profile.open_alerts IS 'number of open alerts';
COMMENT ON COLUMN @extschema@.customer_profile.refreshed_at IS 'when refresh() last wrote the profile';
COMMENT ON COLUMN @extschema@.customer_profile.tags IS 'manual tags (customer.tags, a tagset there), never written by rules, as text[]';
COMMENT ON COLUMN @extschema@.customer_profile.rule_tags IS 'tags given by tag rules at the last refresh (profile.rule_tags), as text[] (NULL until the first refresh)';
COMMENT ON COLUMN @extschema@.customer_profile.all_tags IS 'manual and rule tags together (tags | rule_tags), as text[]';
COMMENT ON COLUMN @extschema@.customer_profile.revenue IS 'invoiced in the 365 days up to report_date() (NULL: nothing)';
COMMENT ON COLUMN @extschema@.customer_profile.cost IS 'cost of those invoices that have one (NULL: none has)';
COMMENT ON COLUMN @extschema@.customer_profile.costed_revenue IS 'revenue of the invoices with a cost: the base of gross profit';
COMMENT ON COLUMN @extschema@.customer_profile.gross_profit IS 'costed_revenue - cost';
COMMENT ON COLUMN @extschema@.customer_profile.gross_margin IS 'gross_profit / costed_revenue, fraction with 4 decimals';
COMMENT ON COLUMN @extschema@.customer_profile.parent_id IS 'the customer''s group parent (NULL: none)';
COMMENT ON COLUMN @extschema@.customer_profile.group_id IS 'the root of the customer''s credit group (NULL: in no group)';
COMMENT ON COLUMN @extschema@.customer_profile.group_exposure IS 'the exposure of the whole group: its root and all the root''s descendants';
COMMENT ON COLUMN @extschema@.customer_profile.group_credit_limit IS 'the credit limit of the group''s root, which caps group_exposure (NULL: no limit, or in no group)';
COMMENT ON COLUMN @extschema@.customer_profile.group_available_credit IS 'what an order of this member may add before a limit fails, its own or a group''s (the least of them; NULL: in no group or no limit)';
