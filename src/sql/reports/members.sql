-- The classes of every customer, one row per dimension a user classifies
-- by: what the class reports (reports/class_report.sql) and the per-class
-- receivables views (receivables/views.sql) group by.  The rule of which
-- customer is in which class is written here once.

-- A region path cut to its first n labels (a shorter path stays whole):
-- east.shanghai is east at level 1 and east.shanghai at levels 2 and 3.
CREATE FUNCTION @extschema@.region_level(region text, level integer) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN pg_catalog.array_to_string((pg_catalog.string_to_array(region, '.'))[1:level], '.');
COMMENT ON FUNCTION @extschema@.region_level(text, integer) IS
	'a dotted path (region or tag) cut to its first n labels; a shorter path stays whole';

-- Every customer once in every dimension (class NULL: not classified in
-- it), and once under each of its tags (manual and rule tags; NULL: none).
-- The classes refresh() computes are the profile's when the profile is as
-- of the date or earlier, else those class_history had on the date, so a
-- report as of an earlier date shows the classes of that date.  With
-- tag_prefix, dimension tag holds the tags at or below the prefix, cut one
-- label below it (prefix region: region.east), and NULL for a customer
-- without one.  Tags are those held now: the tag history is not read.
CREATE FUNCTION @extschema@.class_members(as_of date, tag_prefix text DEFAULT NULL)
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
COMMENT ON FUNCTION @extschema@.class_members(date, text) IS
	'every customer''s class in each dimension (credit_grade, lifecycle_stage, lifecycle_phase, segment, rfm_segment, customer_type, industry, region, region_2, region_3, size_class; NULL: unclassified) and one row per tag (dimension tag; with tag_prefix: the tags below the prefix, cut one label below it), classes as of the date';

-- The display names of a class, written once for every per-class view:
-- class_label (the classes refresh() computes, customer types and sizes),
-- else the tag catalog -- industry.<class>, size.<class>, region.<path>,
-- or the tag itself -- else the class itself; for NULL (the customers not
-- classified in the dimension) unclassified / 未分类.
CREATE FUNCTION @extschema@.class_label_of(dimension text, class text)
	RETURNS TABLE (label_en text, label_zh text)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT CASE WHEN $2 IS NULL THEN 'unclassified' ELSE coalesce(l.label_en, t.label_en, $2) END,
		   CASE WHEN $2 IS NULL THEN '未分类' ELSE coalesce(l.label_zh, t.label_zh, $2) END
	FROM (SELECT) one
	LEFT JOIN @extschema@.class_label l ON l.dimension = $1 AND l.value = $2
	LEFT JOIN @extschema@.tag_catalog t
		   ON t.tag = CASE WHEN $1 = 'industry' THEN 'industry.' || $2
						   WHEN $1 = 'size_class' THEN 'size.' || $2
						   WHEN $1 IN ('region', 'region_2', 'region_3') THEN 'region.' || $2
						   WHEN $1 = 'tag' THEN $2 END
$$;
COMMENT ON FUNCTION @extschema@.class_label_of(text, text) IS
	'English and Simplified Chinese display names of a class of a dimension: class_label, else the tag catalog (industry.<class>, size.<class>, region.<path>, the tag), else the class itself; unclassified / 未分类 for NULL';
