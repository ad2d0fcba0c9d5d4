-- What people and BI tools read: customer_profile, one row per customer
-- with every class the last refresh() wrote (as of its as_of), and the live
-- credit and receivables figures beside them (as of customer_class.as_of():
-- limit in force, exposure, available credit, aging, open alerts).  The live
-- figures are scalar subqueries, so a query that does not select them does
-- not compute them; for every customer at once, aging_report is cheaper than
-- the aging column.

CREATE VIEW @extschema@.customer_profile WITH (security_invoker = true) AS
	SELECT c.customer_id, c.name, c.customer_type, c.industry, c.region,
		   p.as_of,
		   p.credit_score,
		   p.credit_grade,
		   p.credit_grade::text AS grade,
		   gl.label_en AS grade_label_en,
		   gl.label_zh AS grade_label_zh,
		   p.computed_grade,
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
		   @extschema@.credit_limit(c.customer_id) AS credit_limit,
		   (@extschema@.credit_limit_info(c.customer_id)).limit_source AS limit_source,
		   coalesce((SELECT e.exposure FROM @extschema@.credit_exposure e WHERE e.customer_id = c.customer_id), 0)
			   AS exposure,
		   @extschema@.credit_limit(c.customer_id)
			   - coalesce((SELECT e.exposure FROM @extschema@.credit_exposure e WHERE e.customer_id = c.customer_id), 0)
			   AS available_credit,
		   (SELECT @extschema@.aging_agg(o.open_amount, o.due_on, @extschema@.as_of())
			FROM @extschema@.open_item o WHERE o.customer_id = c.customer_id) AS aging,
		   coalesce((SELECT max(a.level) FROM @extschema@.alerts a
					 WHERE a.customer_id = c.customer_id AND a.resolved_at IS NULL), 'green') AS alert_level,
		   (SELECT count(*) FROM @extschema@.alerts a
			WHERE a.customer_id = c.customer_id AND a.resolved_at IS NULL) AS open_alerts,
		   p.refreshed_at,
		   c.tags,
		   p.rule_tags,
		   c.tags OPERATOR(@extschema@.|) coalesce(p.rule_tags, '{}'::@extschema@.tagset) AS all_tags,
		   (SELECT pr.revenue FROM @extschema@.customer_profit(@extschema@.as_of() - 364, @extschema@.as_of()) pr
			WHERE pr.customer_id = c.customer_id) AS revenue,
		   (SELECT pr.cost FROM @extschema@.customer_profit(@extschema@.as_of() - 364, @extschema@.as_of()) pr
			WHERE pr.customer_id = c.customer_id) AS cost,
		   (SELECT pr.costed_revenue FROM @extschema@.customer_profit(@extschema@.as_of() - 364, @extschema@.as_of()) pr
			WHERE pr.customer_id = c.customer_id) AS costed_revenue,
		   (SELECT pr.gross_profit FROM @extschema@.customer_profit(@extschema@.as_of() - 364, @extschema@.as_of()) pr
			WHERE pr.customer_id = c.customer_id) AS gross_profit,
		   (SELECT pr.gross_margin FROM @extschema@.customer_profit(@extschema@.as_of() - 364, @extschema@.as_of()) pr
			WHERE pr.customer_id = c.customer_id) AS gross_margin
	FROM @extschema@.src_customer c
	LEFT JOIN @extschema@.profile p ON p.customer_id = c.customer_id
	LEFT JOIN @extschema@.class_label gl ON gl.dimension = 'credit_grade' AND gl.value = p.credit_grade::text
	LEFT JOIN @extschema@.class_label sl ON sl.dimension = 'lifecycle_stage' AND sl.value = p.lifecycle_stage::text
	LEFT JOIN @extschema@.class_label pl ON pl.dimension = 'lifecycle_phase' AND pl.value = p.lifecycle_phase::text
	LEFT JOIN @extschema@.class_label bl ON bl.dimension = 'segment' AND bl.value = p.behaviour_segment::text
	LEFT JOIN @extschema@.class_label rl ON rl.dimension = 'rfm_segment' AND rl.value = p.rfm_segment::text
	LEFT JOIN @extschema@.class_label wl ON wl.dimension = 'alert_level' AND wl.value = p.payment_warning::text;

GRANT SELECT ON @extschema@.customer_profile TO customer_class_reader;
COMMENT ON VIEW @extschema@.customer_profile IS
	'one row per customer: its current classes as of the last refresh() (NULLs until the first refresh)';
COMMENT ON COLUMN @extschema@.customer_profile.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.customer_profile.name IS 'customer name';
COMMENT ON COLUMN @extschema@.customer_profile.customer_type IS 'enterprise or individual';
COMMENT ON COLUMN @extschema@.customer_profile.industry IS 'industry code';
COMMENT ON COLUMN @extschema@.customer_profile.region IS 'region as a dotted path';
COMMENT ON COLUMN @extschema@.customer_profile.as_of IS 'date the classes were computed as of';
COMMENT ON COLUMN @extschema@.customer_profile.credit_score IS 'credit score 0-100';
COMMENT ON COLUMN @extschema@.customer_profile.credit_grade IS 'credit grade in force (enum, A best)';
COMMENT ON COLUMN @extschema@.customer_profile.grade IS 'credit grade in force, as text';
COMMENT ON COLUMN @extschema@.customer_profile.grade_label_en IS 'grade display name, English';
COMMENT ON COLUMN @extschema@.customer_profile.grade_label_zh IS 'grade display name, Simplified Chinese';
COMMENT ON COLUMN @extschema@.customer_profile.computed_grade IS 'grade from the score, before any override';
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
COMMENT ON COLUMN @extschema@.customer_profile.aging IS 'receivables aging as of customer_class.as_of() (bounds 30/60/90; NULL: nothing open); see aging_report for every customer at once';
COMMENT ON COLUMN @extschema@.customer_profile.alert_level IS 'highest level of the open alerts (green: none)';
COMMENT ON COLUMN @extschema@.customer_profile.open_alerts IS 'number of open alerts';
COMMENT ON COLUMN @extschema@.customer_profile.refreshed_at IS 'when refresh() last wrote the profile';
COMMENT ON COLUMN @extschema@.customer_profile.tags IS 'manual tags (customer.tags), never written by rules';
COMMENT ON COLUMN @extschema@.customer_profile.rule_tags IS 'tags given by tag rules at the last refresh (NULL until the first refresh)';
COMMENT ON COLUMN @extschema@.customer_profile.all_tags IS 'manual and rule tags together (tags | rule_tags)';
COMMENT ON COLUMN @extschema@.customer_profile.revenue IS 'invoiced in the 365 days up to customer_class.as_of() (NULL: nothing)';
COMMENT ON COLUMN @extschema@.customer_profile.cost IS 'cost of those invoices that have one (NULL: none has)';
COMMENT ON COLUMN @extschema@.customer_profile.costed_revenue IS 'revenue of the invoices with a cost: the base of gross profit';
COMMENT ON COLUMN @extschema@.customer_profile.gross_profit IS 'costed_revenue - cost';
COMMENT ON COLUMN @extschema@.customer_profile.gross_margin IS 'gross_profit / costed_revenue, fraction with 4 decimals';
