-- What people and BI tools read: customer_profile, explanations of scores
-- and grade migrations over time.

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
		   p.refreshed_at,
		   c.tags,
		   p.rule_tags,
		   c.tags OPERATOR(@extschema@.|) coalesce(p.rule_tags, '{}'::@extschema@.tagset) AS all_tags
	FROM @extschema@.src_customer c
	LEFT JOIN @extschema@.profile p ON p.customer_id = c.customer_id
	LEFT JOIN @extschema@.class_label gl ON gl.dimension = 'credit_grade' AND gl.value = p.credit_grade::text
	LEFT JOIN @extschema@.class_label sl ON sl.dimension = 'lifecycle_stage' AND sl.value = p.lifecycle_stage::text
	LEFT JOIN @extschema@.class_label pl ON pl.dimension = 'lifecycle_phase' AND pl.value = p.lifecycle_phase::text
	LEFT JOIN @extschema@.class_label bl ON bl.dimension = 'segment' AND bl.value = p.behaviour_segment::text
	LEFT JOIN @extschema@.class_label rl ON rl.dimension = 'rfm_segment' AND rl.value = p.rfm_segment::text;

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
COMMENT ON COLUMN @extschema@.customer_profile.refreshed_at IS 'when refresh() last wrote the profile';
COMMENT ON COLUMN @extschema@.customer_profile.tags IS 'manual tags (customer.tags), never written by rules';
COMMENT ON COLUMN @extschema@.customer_profile.rule_tags IS 'tags given by tag rules at the last refresh (NULL until the first refresh)';
COMMENT ON COLUMN @extschema@.customer_profile.all_tags IS 'manual and rule tags together (tags | rule_tags)';

-- "Why is this customer C?": the score's parts, computed now from the
-- sources as of a date (default as_of()) under the scorecard in force.
CREATE FUNCTION @extschema@.explain_score(customer_id bigint, as_of date DEFAULT NULL)
	RETURNS TABLE (step integer, dimension text, label_en text, label_zh text, inputs text,
				   points numeric, weight numeric, contribution numeric)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := coalesce(explain_score.as_of, @extschema@.as_of());
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
	keep := CASE WHEN f.external_score IS NULL THEN 1 ELSE 1 - card.external_weight / 100 END;

	RETURN QUERY
	SELECT x.step, x.dimension, x.label_en, x.label_zh, x.inputs, x.points, x.weight,
		   round(x.points * x.weight / 100, 2)
	FROM (VALUES
		(1, 'scale', 'transaction scale', '交易规模',
		 format('revenue 12m %s, orders 12m %s', f.revenue_12m, f.orders_12m),
		 r.scale_points, round(card.w_scale * keep, 2)),
		(2, 'payment', 'payment performance', '付款表现',
		 format('on-time %s, days beyond terms %s, payment index %s (last 90 days %s), overdue %s, defaults %s',
				coalesce(round(f.on_time_ratio * 100, 1) || '%', 'n/a'),
				coalesce(f.days_beyond_terms::text, 'n/a'), coalesce(f.payment_index::text, 'n/a'),
				coalesce(f.recent_payment_index::text, 'n/a'),
				f.overdue_balance, f.defaults),
		 r.payment_points, round(card.w_payment * keep, 2)),
		(3, 'stability', 'relationship stability', '合作稳定性',
		 format('tenure %s days, months with orders %s of 12', f.tenure_days,
				length(replace((f.order_months & 4095)::bit(12)::text, '0', ''))),
		 r.stability_points, round(card.w_stability * keep, 2)),
		(4, 'risk', 'industry and region risk', '行业与地区风险',
		 format('industry %s, region %s', f.industry_points, f.region_points),
		 r.risk_points, round(card.w_risk * keep, 2))
	) AS x (step, dimension, label_en, label_zh, inputs, points, weight);

	IF f.external_score IS NOT NULL AND card.external_weight > 0 THEN
		RETURN QUERY SELECT 5, 'external'::text, 'external score'::text, '外部评分'::text,
			'latest valid external score'::text, f.external_score, card.external_weight,
			round(f.external_score * card.external_weight / 100, 2);
	END IF;

	RETURN QUERY SELECT 6, 'score'::text, 'credit score'::text, '信用评分'::text,
		format('cut-offs A >= %s, B >= %s, C >= %s (scorecard %s)',
			   card.cutoff_a, card.cutoff_b, card.cutoff_c, card.scorecard_id),
		r.score, 100::numeric, r.score;

	SELECT co.override_id, co.grade, co.reason, co.set_by, co.expires_on INTO o
	FROM @extschema@.credit_override co
	WHERE co.customer_id = explain_score.customer_id AND co.valid_from <= d AND d < co.expires_on
	ORDER BY co.set_at DESC, co.override_id DESC LIMIT 1;

	RETURN QUERY SELECT 7, 'grade'::text, 'credit grade'::text, '信用等级'::text,
		CASE WHEN o.override_id IS NULL THEN format('computed %s', r.grade)
			 ELSE format('computed %s, overridden to %s by %s until %s: %s',
						 r.grade, o.grade, o.set_by, o.expires_on, o.reason) END,
		NULL::numeric, NULL::numeric, NULL::numeric;
END
$$;
COMMENT ON FUNCTION @extschema@.explain_score(bigint, date) IS
	'why a customer has its score and grade: one row per dimension (inputs, points, weight, contribution), the score and the grade, with English and Chinese labels';

-- How many customers moved from each grade to each other grade between two
-- dates, from class_history (NULL from_grade: not yet graded at from_date;
-- NULL to_grade: gone by to_date).
CREATE FUNCTION @extschema@.grade_migration(from_date date, to_date date)
	RETURNS TABLE (from_grade @extschema@.credit_grade, to_grade @extschema@.credit_grade, customers bigint)
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	WITH at_from AS (
		SELECT DISTINCT ON (h.customer_id) h.customer_id, h.new_value
		FROM @extschema@.class_history h
		WHERE h.dimension = 'credit_grade' AND h.as_of <= from_date
		ORDER BY h.customer_id, h.as_of DESC, h.history_id DESC
	), at_to AS (
		SELECT DISTINCT ON (h.customer_id) h.customer_id, h.new_value
		FROM @extschema@.class_history h
		WHERE h.dimension = 'credit_grade' AND h.as_of <= to_date
		ORDER BY h.customer_id, h.as_of DESC, h.history_id DESC
	)
	SELECT f.new_value::@extschema@.credit_grade, t.new_value::@extschema@.credit_grade, count(*)
	FROM at_from f FULL JOIN at_to t USING (customer_id)
	WHERE f.new_value IS NOT NULL OR t.new_value IS NOT NULL
	GROUP BY 1, 2
	ORDER BY 1 NULLS FIRST, 2 NULLS LAST;
END;
COMMENT ON FUNCTION @extschema@.grade_migration(date, date) IS
	'grade migration matrix between two dates from class_history: customers per (grade at from_date, grade at to_date)';
