-- Citus: class_members() without the per-row class_in_force() (a function
-- reading class_history, a distributed table, from a query on a shard) and
-- with a VALUES list of columns only (Citus pushes a VALUES list down only
-- when it calls no function that is not immutable).  The rule of the class in
-- force at a date is now written once, in class_members().
CREATE OR REPLACE FUNCTION @extschema@.class_members(as_of date, tag_prefix text DEFAULT NULL)
	RETURNS TABLE (customer_id bigint, dimension text, class text)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT x.customer_id, d.dimension, d.class
	FROM (SELECT c.customer_id,
				 CASE WHEN p.as_of <= $1 THEN p.credit_grade::text ELSE h.credit_grade END AS credit_grade,
				 CASE WHEN p.as_of <= $1 THEN p.lifecycle_stage::text ELSE h.lifecycle_stage END AS lifecycle_stage,
				 CASE WHEN p.as_of <= $1 THEN p.lifecycle_phase::text ELSE h.lifecycle_phase END AS lifecycle_phase,
				 CASE WHEN p.as_of <= $1 THEN p.behaviour_segment::text ELSE h.segment END AS segment,
				 CASE WHEN p.as_of <= $1 THEN p.rfm_segment::text ELSE h.rfm_segment END AS rfm_segment,
				 c.customer_type, c.industry,
				 @extschema@.region_level(c.region, 1) AS region,
				 @extschema@.region_level(c.region, 2) AS region_2,
				 @extschema@.region_level(c.region, 3) AS region_3,
				 c.size_class
		  FROM @extschema@.src_customer c
		  LEFT JOIN @extschema@.profile p ON p.customer_id = c.customer_id
		  -- a profile later than the date: the classes of the last refresh
		  -- at or before it, from class_history (read only then)
		  LEFT JOIN LATERAL (
			  SELECT (pg_catalog.array_agg(hh.new_value ORDER BY hh.as_of DESC, hh.history_id DESC)
						  FILTER (WHERE hh.dimension = 'credit_grade'))[1] AS credit_grade,
					 (pg_catalog.array_agg(hh.new_value ORDER BY hh.as_of DESC, hh.history_id DESC)
						  FILTER (WHERE hh.dimension = 'lifecycle_stage'))[1] AS lifecycle_stage,
					 (pg_catalog.array_agg(hh.new_value ORDER BY hh.as_of DESC, hh.history_id DESC)
						  FILTER (WHERE hh.dimension = 'lifecycle_phase'))[1] AS lifecycle_phase,
					 (pg_catalog.array_agg(hh.new_value ORDER BY hh.as_of DESC, hh.history_id DESC)
						  FILTER (WHERE hh.dimension = 'segment'))[1] AS segment,
					 (pg_catalog.array_agg(hh.new_value ORDER BY hh.as_of DESC, hh.history_id DESC)
						  FILTER (WHERE hh.dimension = 'rfm_segment'))[1] AS rfm_segment
			  FROM @extschema@.class_history hh
			  WHERE hh.customer_id = c.customer_id AND hh.as_of <= $1 AND p.as_of > $1
		  ) h ON true) x
	-- the unpivot lists columns only: Citus pushes a VALUES list down only
	-- when nothing in it calls a function that is not immutable
	CROSS JOIN LATERAL (VALUES
		('credit_grade', x.credit_grade),
		('lifecycle_stage', x.lifecycle_stage),
		('lifecycle_phase', x.lifecycle_phase),
		('segment', x.segment),
		('rfm_segment', x.rfm_segment),
		('customer_type', x.customer_type),
		('industry', x.industry),
		('region', x.region),
		('region_2', x.region_2),
		('region_3', x.region_3),
		('size_class', x.size_class)) AS d(dimension, class)
	UNION ALL
	SELECT c.customer_id, 'tag', t.class
	FROM @extschema@.src_customer c
	LEFT JOIN @extschema@.profile p ON p.customer_id = c.customer_id
	LEFT JOIN LATERAL (
		SELECT DISTINCT CASE WHEN $2 IS NULL THEN x.tag
							 ELSE @extschema@.region_level(x.tag, pg_catalog.array_length(pg_catalog.string_to_array($2, '.'), 1) + 1) END
		FROM @extschema@.tags(c.tags OPERATOR(@extschema@.|) coalesce(p.rule_tags, '{}'::@extschema@.tagset)) AS x(tag)
		WHERE $2 IS NULL OR x.tag = $2 OR pg_catalog.starts_with(x.tag, $2 || '.')
	) AS t(class) ON true
$$;
DROP FUNCTION @extschema@.class_in_force(bigint, text, date);
