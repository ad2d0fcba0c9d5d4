-- Explanations of scores and grade migrations over time (customer_profile,
-- the view over all classes, is in views/customer_profile.sql: it also shows
-- credit and receivables figures defined after this file).

-- "Why is this customer C?": the score's parts, computed now from the
-- sources as of a date under the scorecard in force.  The date defaults to
-- the as-of date of the customer's profile (so that the explanation is of
-- the grade customer_profile shows), else as_of().  The contributions are
-- credit_score()'s own: they add up to the score exactly.
CREATE FUNCTION @extschema@.explain_score(customer_id bigint, as_of date DEFAULT NULL)
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
COMMENT ON FUNCTION @extschema@.explain_score(bigint, date) IS
	'why a customer has its score and grade, as of a date (default: the as-of date of its profile, else as_of()): one row per dimension (inputs, points, effective weight, contribution; the contributions add up to the score), the score and the grade, with English and Chinese labels';

-- How many customers moved from each grade to each other grade between two
-- dates, from class_history (NULL from_grade: not yet graded at from_date;
-- NULL to_grade: gone by to_date).  Sound because refresh() never writes
-- into the past of the history (it refuses an as-of date before the
-- profiles').
CREATE FUNCTION @extschema@.grade_migration(from_date date, to_date date)
	RETURNS TABLE (from_grade @extschema@.credit_grade, to_grade @extschema@.credit_grade, customers bigint)
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF from_date > to_date THEN
		RAISE EXCEPTION 'grade_migration: from_date % is after to_date %', from_date, to_date
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give the earlier date first.';
	END IF;
	RETURN QUERY
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
END
$$;
COMMENT ON FUNCTION @extschema@.grade_migration(date, date) IS
	'grade migration matrix between two dates from class_history: customers per (grade at from_date, grade at to_date); from_date after to_date is an error (22023)';

-- The migration between the two latest as-of dates at which grades changed
-- (usually the last two refreshes that moved anyone), up to the date the
-- views report as of (report_date(): the last refresh unless a date is set).
CREATE VIEW @extschema@.grade_migration_latest WITH (security_invoker = true) AS
	SELECT d.from_date, d.to_date, m.from_grade, m.to_grade, m.customers,
		   (SELECT l.label_en FROM @extschema@.class_label l
			WHERE l.dimension = 'credit_grade' AND l.value = m.from_grade::text) AS from_grade_label_en,
		   (SELECT l.label_zh FROM @extschema@.class_label l
			WHERE l.dimension = 'credit_grade' AND l.value = m.from_grade::text) AS from_grade_label_zh,
		   (SELECT l.label_en FROM @extschema@.class_label l
			WHERE l.dimension = 'credit_grade' AND l.value = m.to_grade::text) AS to_grade_label_en,
		   (SELECT l.label_zh FROM @extschema@.class_label l
			WHERE l.dimension = 'credit_grade' AND l.value = m.to_grade::text) AS to_grade_label_zh
	FROM (SELECT min(x.as_of) AS from_date, max(x.as_of) AS to_date
		  FROM (SELECT DISTINCT h.as_of FROM @extschema@.class_history h
				WHERE h.dimension = 'credit_grade' AND h.as_of <= (SELECT @extschema@.report_date())
				ORDER BY h.as_of DESC LIMIT 2) x
		  HAVING count(*) = 2) d
	CROSS JOIN LATERAL @extschema@.grade_migration(d.from_date, d.to_date) m;
GRANT SELECT ON @extschema@.grade_migration_latest TO customer_class_reader;
COMMENT ON VIEW @extschema@.grade_migration_latest IS
	'grade migration between the two latest as-of dates at which any grade changed (class_history), up to customer_class.report_date(); empty before there are two';
COMMENT ON COLUMN @extschema@.grade_migration_latest.from_date IS 'the earlier as-of date';
COMMENT ON COLUMN @extschema@.grade_migration_latest.to_date IS 'the later as-of date';
COMMENT ON COLUMN @extschema@.grade_migration_latest.from_grade IS 'grade at from_date (NULL: not yet graded)';
COMMENT ON COLUMN @extschema@.grade_migration_latest.to_grade IS 'grade at to_date (NULL: gone from the sources)';
COMMENT ON COLUMN @extschema@.grade_migration_latest.customers IS 'customers who moved so';
COMMENT ON COLUMN @extschema@.grade_migration_latest.from_grade_label_en IS 'display name of from_grade, English (NULL: not yet graded)';
COMMENT ON COLUMN @extschema@.grade_migration_latest.from_grade_label_zh IS 'display name of from_grade, Simplified Chinese (NULL: not yet graded)';
COMMENT ON COLUMN @extschema@.grade_migration_latest.to_grade_label_en IS 'display name of to_grade, English (NULL: gone from the sources)';
COMMENT ON COLUMN @extschema@.grade_migration_latest.to_grade_label_zh IS 'display name of to_grade, Simplified Chinese (NULL: gone from the sources)';
