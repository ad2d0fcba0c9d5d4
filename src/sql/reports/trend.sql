-- Trends: time series per class (docs/reporting.md, "Trends").  The
-- periods of a date range, and class_trend(), which gives per period and
-- class the customers in the class at the period end (from class_history),
-- those who came into it and left it during the period, the revenue of the
-- period and the AR and overdue AR at the period end.  The money figures of
-- every period end come from one pass over the invoices and payments: each
-- stretch of time in which an invoice's open amount stays the same adds
-- that amount to the overdue AR of the period ends it covers, as a +amount
-- at the first and a -amount after the last, summed up per customer over
-- the periods (an interval sweep), instead of one aging per period end.

-- The periods of [from_date, to_date]: calendar weeks (Monday to Sunday),
-- months, quarters or years, the first and the last cut at the range's
-- ends.  IMMUTABLE: the calendar only.
CREATE FUNCTION @extschema@.trend_periods(from_date date, to_date date, period text DEFAULT 'month')
	RETURNS TABLE (period_no integer, period_start date, period_end date)
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	step interval;
BEGIN
	IF from_date IS NULL OR to_date IS NULL OR period IS NULL THEN
		RAISE EXCEPTION 'trend periods: from_date, to_date and period must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF period NOT IN ('week', 'month', 'quarter', 'year') THEN
		RAISE EXCEPTION 'trend period "%" is not supported', period
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use week, month, quarter or year.';
	END IF;
	IF from_date > to_date THEN
		RAISE EXCEPTION 'trend range from % to % ends before it starts', from_date, to_date
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give the earlier date first.';
	END IF;
	IF NOT isfinite(from_date) OR NOT isfinite(to_date) THEN
		RAISE EXCEPTION 'trend range from % to % is not finite', from_date, to_date
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	step := CASE period WHEN 'quarter' THEN interval '3 months' ELSE ('1 ' || period)::interval END;
	RETURN QUERY
	SELECT (row_number() OVER (ORDER BY s))::integer,
		   greatest(s::date, from_date),
		   least((s + step)::date - 1, to_date)
	FROM generate_series(date_trunc(period, from_date::timestamp), to_date::timestamp, step) AS s;
END
$$;
COMMENT ON FUNCTION @extschema@.trend_periods(date, date, text) IS
	'the periods (week from Monday, month, quarter or year) of the range from_date..to_date, numbered from 1, the first and last cut at the range''s ends; another period or from_date after to_date is an error (22023)';

-- The time series.  dimension is a class dimension of class_history
-- (credit_grade, also written grade; lifecycle_stage or stage;
-- lifecycle_phase or phase; segment; rfm_segment; payment_warning).  One
-- row per period and class of the dimension (every class, also those with
-- nobody in them), in period and class order.  A customer counts in the
-- class the last class_history row of the dimension up to the period end
-- gives it (none, or a NULL new value: in no class); all its figures of the
-- period count in that class.
CREATE FUNCTION @extschema@.class_trend(dimension_name text, from_date date, to_date date DEFAULT NULL,
										period text DEFAULT 'month')
	RETURNS TABLE (period_start date, period_end date, dimension text, class text,
				   label_en text, label_zh text, customers bigint, new_customers bigint,
				   lost_customers bigint, revenue numeric, ar numeric, overdue numeric)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	dim text;
	label_dim text;
	classes text[];
	upto date := coalesce(class_trend.to_date, @extschema@.as_of());
	starts date[];
	n integer;
BEGIN
	dim := CASE class_trend.dimension_name
		WHEN 'grade' THEN 'credit_grade' WHEN 'stage' THEN 'lifecycle_stage'
		WHEN 'phase' THEN 'lifecycle_phase' ELSE class_trend.dimension_name END;
	-- the classes of the dimension in their order: the enum's
	classes := CASE dim
		WHEN 'credit_grade' THEN enum_range(NULL::@extschema@.credit_grade)::text[]
		WHEN 'lifecycle_stage' THEN enum_range(NULL::@extschema@.lifecycle_stage)::text[]
		WHEN 'lifecycle_phase' THEN enum_range(NULL::@extschema@.lifecycle_phase)::text[]
		WHEN 'segment' THEN enum_range(NULL::@extschema@.behaviour_segment)::text[]
		WHEN 'rfm_segment' THEN enum_range(NULL::@extschema@.rfm_segment)::text[]
		WHEN 'payment_warning' THEN enum_range(NULL::@extschema@.alert_level)::text[] END;
	IF classes IS NULL THEN
		RAISE EXCEPTION 'class_trend: unknown dimension "%"', class_trend.dimension_name
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use credit_grade (or grade), lifecycle_stage (or stage), lifecycle_phase (or phase), segment, rfm_segment or payment_warning.';
	END IF;
	label_dim := CASE dim WHEN 'payment_warning' THEN 'alert_level' ELSE dim END;

	-- the period k holds the dates d with width_bucket(d, starts) = k: 0
	-- before from_date, n + 1 after upto
	SELECT array_agg(p.period_start ORDER BY p.period_no) || (upto + 1), count(*)
	INTO starts, n
	FROM @extschema@.trend_periods(from_date, upto, period) p;

	RETURN QUERY
	WITH
	-- the last history row of each customer up to each period end (k = 0:
	-- up to the day before from_date)
	hist AS (
		SELECT DISTINCT ON (h.customer_id, k.k) h.customer_id, k.k, h.new_value
		FROM @extschema@.class_history h
		CROSS JOIN LATERAL (SELECT width_bucket(h.as_of, starts) AS k) k
		WHERE h.dimension = dim AND h.as_of <= upto
		ORDER BY h.customer_id, k.k, h.as_of DESC, h.history_id DESC
	),
	-- the class of every customer with history at every period end: the
	-- value of its last row so far (grp counts the rows seen)
	grid AS (
		SELECT c.customer_id, g.k, x.new_value, x.customer_id IS NOT NULL AS seen
		FROM (SELECT DISTINCT hist.customer_id FROM hist) c
		CROSS JOIN generate_series(0, n) AS g(k)
		LEFT JOIN hist x ON x.customer_id = c.customer_id AND x.k = g.k
	),
	member AS (
		SELECT s.customer_id, s.k, first_value(s.new_value) OVER (PARTITION BY s.customer_id, s.grp ORDER BY s.k) AS cls
		FROM (SELECT grid.*, count(*) FILTER (WHERE grid.seen) OVER (PARTITION BY grid.customer_id ORDER BY grid.k) AS grp
			  FROM grid) s
	),
	-- an invoice's open amount over time: one row per date it changes
	-- (its issue date, then the dates of the payments applied to it; one
	-- paid before the issue counts from the issue), for the invoices past
	-- due by upto (the others are never overdue in the range)
	ev AS (
		SELECT i.customer_id, i.invoice_id, i.issued_on AS on_date, i.amount AS delta, i.issued_on, i.due_on
		FROM @extschema@.src_invoice i
		WHERE i.issued_on <= upto AND i.due_on < upto
		UNION ALL
		SELECT p.customer_id, p.invoice_id, p.paid_on, -p.amount, NULL, NULL
		FROM @extschema@.src_payment p
		WHERE p.invoice_id IS NOT NULL AND p.paid_on <= upto
	),
	step AS (
		SELECT e.customer_id, e.invoice_id, e.on_date, pg_catalog.max(e.due_on) AS due_on, pg_catalog.sum(e.delta) AS delta
		FROM (SELECT ev.customer_id, ev.invoice_id,
					 greatest(ev.on_date, pg_catalog.max(ev.issued_on) OVER inv) AS on_date,
					 pg_catalog.max(ev.due_on) OVER inv AS due_on, ev.delta
			  FROM ev WINDOW inv AS (PARTITION BY ev.customer_id, ev.invoice_id)) e
		WHERE e.due_on IS NOT NULL
		GROUP BY e.customer_id, e.invoice_id, e.on_date
	),
	-- each stretch [open_from, open_until) of one open amount
	stretch AS (
		SELECT s.customer_id, s.due_on, s.on_date AS open_from,
			   pg_catalog.lead(s.on_date) OVER w AS open_until,
			   pg_catalog.sum(s.delta) OVER w AS open_amount
		FROM step s
		WINDOW w AS (PARTITION BY s.customer_id, s.invoice_id ORDER BY s.on_date)
	),
	-- a positive open amount is overdue at the period ends t with
	-- open_from <= t, due_on < t and t < open_until: the periods
	-- first_k .. after_k - 1
	overdue_span AS (
		SELECT st.customer_id, st.open_amount,
			   greatest(width_bucket(greatest(st.open_from, st.due_on + 1), starts), 1) AS first_k,
			   coalesce(width_bucket(st.open_until, starts), n + 1) AS after_k
		FROM stretch st
		WHERE st.open_amount > 0
	),
	-- what changes at each period: revenue, AR (an invoice adds, a payment
	-- or credit note takes off) and overdue AR; everything before from_date
	-- counts in the first period's AR
	money AS (
		SELECT i.customer_id, greatest(width_bucket(i.issued_on, starts), 1) AS k,
			   CASE WHEN i.issued_on >= from_date THEN i.amount END AS revenue, i.amount AS ar, NULL::numeric AS overdue
		FROM @extschema@.src_invoice i
		WHERE i.issued_on <= upto
		UNION ALL
		SELECT p.customer_id, greatest(width_bucket(p.paid_on, starts), 1), NULL, -p.amount, NULL
		FROM @extschema@.src_payment p
		WHERE p.paid_on <= upto
		UNION ALL
		SELECT o.customer_id, o.first_k, NULL, NULL, o.open_amount
		FROM overdue_span o WHERE o.first_k < o.after_k
		UNION ALL
		SELECT o.customer_id, o.after_k, NULL, NULL, -o.open_amount
		FROM overdue_span o WHERE o.first_k < o.after_k AND o.after_k <= n
	),
	delta AS (
		SELECT m.customer_id, m.k, pg_catalog.sum(m.revenue) AS revenue, pg_catalog.sum(m.ar) AS ar,
			   pg_catalog.sum(m.overdue) AS overdue
		FROM money m
		GROUP BY m.customer_id, m.k
	),
	-- per customer and period end: its class then and at the period end
	-- before, and its running AR and overdue AR
	fig AS (
		SELECT mb.k, mb.cls, pg_catalog.lag(mb.cls) OVER w AS prev_cls,
			   d.revenue,
			   pg_catalog.sum(d.ar) OVER w AS ar,
			   pg_catalog.sum(d.overdue) OVER w AS overdue
		FROM member mb
		LEFT JOIN delta d ON d.customer_id = mb.customer_id AND d.k = mb.k
		WINDOW w AS (PARTITION BY mb.customer_id ORDER BY mb.k)
	),
	in_class AS (
		SELECT f.k, f.cls, pg_catalog.count(*) AS customers,
			   pg_catalog.count(*) FILTER (WHERE f.prev_cls IS DISTINCT FROM f.cls) AS new_customers,
			   pg_catalog.sum(f.revenue) AS revenue, pg_catalog.sum(f.ar) AS ar, pg_catalog.sum(f.overdue) AS overdue
		FROM fig f
		WHERE f.k >= 1 AND f.cls IS NOT NULL
		GROUP BY f.k, f.cls
	),
	left_class AS (
		SELECT f.k, f.prev_cls AS cls, pg_catalog.count(*) AS lost_customers
		FROM fig f
		WHERE f.k >= 1 AND f.prev_cls IS NOT NULL AND f.cls IS DISTINCT FROM f.prev_cls
		GROUP BY f.k, f.prev_cls
	)
	SELECT p.period_start, p.period_end, dim, c.cls, l.label_en, l.label_zh,
		   coalesce(ic.customers, 0), coalesce(ic.new_customers, 0), coalesce(lc.lost_customers, 0),
		   coalesce(ic.revenue, 0.00), coalesce(ic.ar, 0.00), coalesce(ic.overdue, 0.00)
	FROM @extschema@.trend_periods(from_date, upto, period) p
	CROSS JOIN unnest(classes) WITH ORDINALITY AS c(cls, ord)
	LEFT JOIN @extschema@.class_label l ON l.dimension = label_dim AND l.value = c.cls
	LEFT JOIN in_class ic ON ic.k = p.period_no AND ic.cls = c.cls
	LEFT JOIN left_class lc ON lc.k = p.period_no AND lc.cls = c.cls
	ORDER BY p.period_no, c.ord;
END
$$;
COMMENT ON FUNCTION @extschema@.class_trend(text, date, date, text) IS
	'time series per class of a class_history dimension (credit_grade or grade, lifecycle_stage or stage, lifecycle_phase or phase, segment, rfm_segment, payment_warning) over the periods of from_date..to_date (default as_of()): customers in the class at the period end, came in and left during the period, revenue invoiced in the period, AR and overdue AR at the period end; bad dimension, period or range: 22023';
