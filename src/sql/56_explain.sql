-- Explanations of scores and grade migrations over time (customer_profile,
-- the view over all classes, is in 90_customer_profile.sql: it also shows
-- credit and receivables figures defined after this file).

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
