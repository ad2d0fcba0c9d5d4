-- Class reports (docs/reporting.md#class-reports): for every dimension a
-- user classifies by, per class: customers, revenue, cost, gross profit,
-- open and overdue AR, with shares and English and Chinese labels; and the
-- top customers of a class.  One family: the view class_report (every
-- dimension, as of the as-of date) and the functions class_report() (one
-- dimension, any date, any tag prefix) and class_ranking() all read
-- class_report_rows() or its parts, and the classes come from
-- class_members() (reports/members.sql), as the other per-class views'.

-- The dimensions, in the order the docs list them.
CREATE FUNCTION @extschema@.class_dimensions() RETURNS text[]
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN ARRAY['credit_grade', 'lifecycle_stage', 'lifecycle_phase', 'segment', 'rfm_segment',
				 'customer_type', 'industry', 'region', 'region_2', 'region_3', 'size_class', 'tag'];
COMMENT ON FUNCTION @extschema@.class_dimensions() IS
	'the dimensions of the class reports (those of class_members())';

-- Refuses (22023) a dimension that is not one, and a tag prefix given for
-- another dimension than tag or that is not a tag.
CREATE FUNCTION @extschema@.class_dimension_check(dimension text, tag_prefix text) RETURNS void
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF dimension IS NULL OR NOT dimension = ANY (@extschema@.class_dimensions()) THEN
		RAISE EXCEPTION 'unknown class dimension "%"', dimension
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = format('The dimensions are: %s.', array_to_string(@extschema@.class_dimensions(), ', '));
	END IF;
	IF tag_prefix IS NOT NULL AND dimension <> 'tag' THEN
		RAISE EXCEPTION 'a tag prefix applies to dimension tag only, not to "%"', dimension
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = format('Call class_report(''tag'', tag_prefix => %L).', tag_prefix);
	END IF;
	IF tag_prefix IS NOT NULL
	   AND @extschema@.cardinality(@extschema@.tagset(ARRAY[tag_prefix])) <> 1 THEN
		RAISE EXCEPTION 'tag prefix "%" is not a tag', tag_prefix
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give a tag such as industry or region.east.';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.class_dimension_check(text, text) IS
	'internal: raises 22023 for an unknown class dimension, or a tag prefix for another dimension than tag';

-- What the reports sum, per customer as of a date: the revenue, cost and
-- gross profit of the 365 days up to it (customer_profit()), and the AR at
-- it (ar_figures(): open = invoices - payments and credits to date, overdue
-- = open amounts past due, current = the rest).
CREATE FUNCTION @extschema@.class_report_figures(as_of date)
	RETURNS TABLE (customer_id bigint, customer_name text, revenue numeric, cost numeric,
				   costed_revenue numeric, gross_profit numeric, open_ar numeric, current_ar numeric,
				   overdue_ar numeric)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT c.customer_id, c.name, coalesce(pr.revenue, 0.00), pr.cost, pr.costed_revenue, pr.gross_profit,
		   coalesce(a.end_ar, 0.00), coalesce(a.end_current_ar, 0.00), coalesce(a.end_overdue_ar, 0.00)
	FROM @extschema@.src_customer c
	LEFT JOIN @extschema@.customer_profit($1 - 364, $1) pr ON pr.customer_id = c.customer_id
	LEFT JOIN @extschema@.ar_figures($1 - 364, $1) a ON a.customer_id = c.customer_id
$$;
COMMENT ON FUNCTION @extschema@.class_report_figures(date) IS
	'per customer as of a date: revenue, cost, revenue with a cost and gross profit of the 365 days up to it, and open, current and overdue AR at it (what the class reports sum)';

-- Every class of every dimension as of a date.  Shares are fractions
-- rounded to 4 decimals; where the classes divide the whole (every
-- dimension but tag) they are rounded by largest remainder, so that they
-- add up to exactly 1: each share is its exact value rounded down, and the
-- ten-thousandths left go one each to the classes with the largest
-- remainders (the first of equals in class order), as the score's
-- contributions are.  Figures of a class are those of its summed customers
-- (margin and average days delinquent of the sums, not averages).
CREATE FUNCTION @extschema@.class_report_rows(as_of date, tag_prefix text DEFAULT NULL)
	RETURNS TABLE (dimension text, class text, class_order bigint, class_label_en text, class_label_zh text,
				   as_of date, customers bigint, customer_share numeric, revenue numeric, revenue_share numeric,
				   cost numeric, costed_revenue numeric, gross_profit numeric, gross_margin numeric,
				   open_ar numeric, overdue_ar numeric, average_days_delinquent numeric)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	WITH f AS (
		SELECT * FROM @extschema@.class_report_figures($1)
	), total AS (
		SELECT pg_catalog.count(*) AS customers, pg_catalog.sum(f.revenue) AS revenue FROM f
	), g AS (
		SELECT m.dimension, m.class, pg_catalog.count(*) AS customers,
			   pg_catalog.sum(f.revenue) AS revenue, pg_catalog.sum(f.cost) AS cost,
			   pg_catalog.sum(f.costed_revenue) AS costed_revenue, pg_catalog.sum(f.gross_profit) AS gross_profit,
			   pg_catalog.sum(f.open_ar) AS open_ar, pg_catalog.sum(f.current_ar) AS current_ar,
			   pg_catalog.sum(f.overdue_ar) AS overdue_ar
		FROM @extschema@.class_members($1, $2) m
		JOIN f ON f.customer_id = m.customer_id
		GROUP BY m.dimension, m.class
	), o AS (
		-- ordered classes in their order (grade A first, lifecycle from
		-- potential on, size from micro up), the others by name; NULL last
		SELECT g.*, t.customers AS all_customers, t.revenue AS all_revenue,
			   pg_catalog.row_number() OVER (PARTITION BY g.dimension ORDER BY g.class IS NULL,
				   CASE g.dimension
					   WHEN 'credit_grade' THEN pg_catalog.array_position(pg_catalog.enum_range(NULL::@extschema@.credit_grade)::text[], g.class)
					   WHEN 'lifecycle_stage' THEN pg_catalog.array_position(pg_catalog.enum_range(NULL::@extschema@.lifecycle_stage)::text[], g.class)
					   WHEN 'lifecycle_phase' THEN pg_catalog.array_position(pg_catalog.enum_range(NULL::@extschema@.lifecycle_phase)::text[], g.class)
					   WHEN 'segment' THEN pg_catalog.array_position(pg_catalog.enum_range(NULL::@extschema@.behaviour_segment)::text[], g.class)
					   WHEN 'rfm_segment' THEN pg_catalog.array_position(pg_catalog.enum_range(NULL::@extschema@.rfm_segment)::text[], g.class)
					   WHEN 'size_class' THEN pg_catalog.array_position(ARRAY['micro', 'small', 'medium', 'large'], g.class)
				   END, g.class) AS class_order,
			   g.customers * 10000.0 / NULLIF(t.customers, 0) AS c_units,
			   g.revenue * 10000 / NULLIF(t.revenue, 0) AS r_units
		FROM g CROSS JOIN total t
	), s AS (
		SELECT o.*,
			   pg_catalog.sum(o.customers) OVER w = o.all_customers AS c_whole,
			   pg_catalog.sum(o.revenue) OVER w = o.all_revenue AS r_whole,
			   10000 - pg_catalog.sum(pg_catalog.floor(o.c_units)) OVER w AS c_left,
			   10000 - pg_catalog.sum(pg_catalog.floor(o.r_units)) OVER w AS r_left,
			   pg_catalog.row_number() OVER (PARTITION BY o.dimension
											 ORDER BY o.c_units - pg_catalog.floor(o.c_units) DESC, o.class_order) AS c_rank,
			   pg_catalog.row_number() OVER (PARTITION BY o.dimension
											 ORDER BY o.r_units - pg_catalog.floor(o.r_units) DESC, o.class_order) AS r_rank
		FROM o
		WINDOW w AS (PARTITION BY o.dimension)
	)
	SELECT s.dimension, s.class, s.class_order,
		   lb.label_en, lb.label_zh,
		   $1, s.customers,
		   pg_catalog.round(CASE WHEN s.c_whole
								 THEN pg_catalog.floor(s.c_units) + CASE WHEN s.c_rank <= s.c_left THEN 1 ELSE 0 END
								 ELSE pg_catalog.round(s.c_units) END / 10000, 4),
		   s.revenue,
		   pg_catalog.round(CASE WHEN s.r_whole
								 THEN pg_catalog.floor(s.r_units) + CASE WHEN s.r_rank <= s.r_left THEN 1 ELSE 0 END
								 ELSE pg_catalog.round(s.r_units) END / 10000, 4),
		   s.cost, s.costed_revenue, s.gross_profit,
		   @extschema@.gross_margin(s.gross_profit, s.costed_revenue),
		   s.open_ar, s.overdue_ar,
		   @extschema@.average_days_delinquent(s.open_ar, s.current_ar, s.revenue,
											   @extschema@.ar_period_days($1 - 364, $1))
	FROM s
	CROSS JOIN LATERAL @extschema@.class_label_of(s.dimension, s.class) lb
$$;
COMMENT ON FUNCTION @extschema@.class_report_rows(date, text) IS
	'part of the class reports: every class of every dimension as of a date, with its labels, customers, revenue, cost, gross profit and margin, open and overdue AR and average days delinquent (read class_report)';

CREATE VIEW @extschema@.class_report WITH (security_invoker = true) AS
SELECT r.dimension, r.class, r.class_order, r.class_label_en, r.class_label_zh, r.as_of,
	   r.customers, r.customer_share, r.revenue, r.revenue_share, r.cost, r.costed_revenue,
	   r.gross_profit, r.gross_margin, r.open_ar, r.overdue_ar, r.average_days_delinquent
FROM (SELECT (SELECT @extschema@.report_date()) AS d) rd
CROSS JOIN LATERAL @extschema@.class_report_rows(rd.d) r;

GRANT SELECT ON @extschema@.class_report TO customer_class_reader;
COMMENT ON VIEW @extschema@.class_report IS
	'every class of every dimension (credit_grade, lifecycle_stage, lifecycle_phase, segment, rfm_segment, customer_type, industry, region, region_2, region_3, size_class, tag) as of report_date(): customers, revenue, cost, gross profit, AR; filter on dimension';
COMMENT ON COLUMN @extschema@.class_report.dimension IS
	'what customers are classified by: credit_grade, lifecycle_stage, lifecycle_phase, segment, rfm_segment, customer_type, industry, region (top level), region_2, region_3 (first two, three labels), size_class or tag';
COMMENT ON COLUMN @extschema@.class_report.class IS 'the class (for tag: the tag); NULL: the customers not classified in the dimension';
COMMENT ON COLUMN @extschema@.class_report.class_order IS 'position of the class in its dimension (1 first): the order of the classes (grade A first), else by name; unclassified last';
COMMENT ON COLUMN @extschema@.class_report.class_label_en IS 'class display name, English (class_label_of(); unclassified)';
COMMENT ON COLUMN @extschema@.class_report.class_label_zh IS 'class display name, Simplified Chinese (class_label_of(); 未分类)';
COMMENT ON COLUMN @extschema@.class_report.as_of IS 'the date the report is as of: classes in force then, revenue of the 365 days up to it, AR at it';
COMMENT ON COLUMN @extschema@.class_report.customers IS 'customers in the class';
COMMENT ON COLUMN @extschema@.class_report.customer_share IS 'customers / all customers, fraction with 4 decimals (a dimension''s shares add up to 1 but for tag)';
COMMENT ON COLUMN @extschema@.class_report.revenue IS 'invoiced in the 365 days up to as_of';
COMMENT ON COLUMN @extschema@.class_report.revenue_share IS 'revenue / all revenue, fraction with 4 decimals (a dimension''s shares add up to 1 but for tag); NULL when there is no revenue';
COMMENT ON COLUMN @extschema@.class_report.cost IS 'cost of the invoices of the period that have one; NULL when none has';
COMMENT ON COLUMN @extschema@.class_report.costed_revenue IS 'revenue of the invoices of the period that have a cost (the base of gross profit)';
COMMENT ON COLUMN @extschema@.class_report.gross_profit IS 'costed_revenue - cost';
COMMENT ON COLUMN @extschema@.class_report.gross_margin IS 'gross_profit / costed_revenue, fraction with 4 decimals';
COMMENT ON COLUMN @extschema@.class_report.open_ar IS 'AR at as_of: invoices - payments and credit notes to date';
COMMENT ON COLUMN @extschema@.class_report.overdue_ar IS 'open amount of invoices past due at as_of';
COMMENT ON COLUMN @extschema@.class_report.average_days_delinquent IS 'average days late: DSO - best-possible DSO of the class''s summed AR and revenue (as ar_kpi_by_class)';

-- One dimension as of any date (default report_date(), the view's), in class
-- order; for dimension tag, optionally the tags below a prefix.
CREATE FUNCTION @extschema@.class_report(dimension text, as_of date DEFAULT NULL, tag_prefix text DEFAULT NULL)
	RETURNS SETOF @extschema@.class_report
	LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
	d date := coalesce(class_report.as_of, @extschema@.report_date());
BEGIN
	PERFORM @extschema@.class_dimension_check(dimension, tag_prefix);
	RETURN QUERY
		SELECT r.dimension, r.class, r.class_order, r.class_label_en, r.class_label_zh, r.as_of,
			   r.customers, r.customer_share, r.revenue, r.revenue_share, r.cost, r.costed_revenue,
			   r.gross_profit, r.gross_margin, r.open_ar, r.overdue_ar, r.average_days_delinquent
		FROM @extschema@.class_report_rows(d, class_report.tag_prefix) r
		WHERE r.dimension = class_report.dimension
		ORDER BY r.class_order;
END
$$;
COMMENT ON FUNCTION @extschema@.class_report(text, date, text) IS
	'the class report of one dimension as of a date (default report_date(), as the view); for dimension tag, tag_prefix reports the tags below a prefix, cut one label below it';

-- The top n customers of a class by revenue, gross_profit or overdue_ar,
-- as of a date.  rank() order: equal values share a rank, and every
-- customer tied at rank n is listed, so there may be more than n rows.
-- Customers with nothing in the measure (0, or no gross profit known) are
-- not ranked.  class NULL: the customers not classified in the dimension.
CREATE FUNCTION @extschema@.class_ranking(dimension text, class text, by text, n integer,
										  as_of date DEFAULT NULL, tag_prefix text DEFAULT NULL)
	RETURNS TABLE (rank bigint, customer_id bigint, customer_name text, revenue numeric,
				   gross_profit numeric, gross_margin numeric, overdue_ar numeric, share_of_class numeric)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
	d date := coalesce(class_ranking.as_of, @extschema@.report_date());
BEGIN
	PERFORM @extschema@.class_dimension_check(dimension, tag_prefix);
	IF by IS NULL OR by NOT IN ('revenue', 'gross_profit', 'overdue_ar') THEN
		RAISE EXCEPTION 'unknown ranking measure "%"', by
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Rank by revenue, gross_profit or overdue_ar.';
	END IF;
	IF n IS NULL OR n < 1 THEN
		RAISE EXCEPTION 'the number of customers to rank must be at least 1, not %', coalesce(n::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN QUERY
		WITH m AS (
			SELECT f.*, CASE class_ranking.by WHEN 'revenue' THEN f.revenue
											  WHEN 'gross_profit' THEN f.gross_profit
											  ELSE f.overdue_ar END AS measure
			FROM @extschema@.class_members(d, class_ranking.tag_prefix) cm
			JOIN @extschema@.class_report_figures(d) f ON f.customer_id = cm.customer_id
			WHERE cm.dimension = class_ranking.dimension AND cm.class IS NOT DISTINCT FROM class_ranking.class
		), r AS (
			SELECT m.*, pg_catalog.rank() OVER (ORDER BY m.measure DESC) AS pos,
				   pg_catalog.sum(m.measure) OVER () AS class_total
			FROM m
			WHERE m.measure <> 0
		)
		SELECT r.pos, r.customer_id, r.customer_name, r.revenue, r.gross_profit,
			   @extschema@.gross_margin(r.gross_profit, r.costed_revenue), r.overdue_ar,
			   pg_catalog.round(r.measure / NULLIF(r.class_total, 0), 4)
		FROM r
		WHERE r.pos <= class_ranking.n
		ORDER BY r.pos, r.customer_id;
END
$$;
COMMENT ON FUNCTION @extschema@.class_ranking(text, text, text, integer, date, text) IS
	'the top n customers of a class (dimension and class as in class_report) by revenue, gross_profit or overdue_ar as of a date (default report_date()): rank (ties share one, all tied at n listed), figures and share of the class''s total of the measure';
