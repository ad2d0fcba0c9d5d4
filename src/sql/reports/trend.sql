-- Trends: time series per class (docs/reporting.md, "Trends").  The
-- periods of a date range, and class_trend(), which gives per period and
-- class the customers in the class at the period end (from class_history),
-- those who came into it and left it during the period, the revenue of the
-- period and the AR and overdue AR at the period end.  Every period end's
-- figures come from one pass over the invoices and payments, as changes
-- summed up over the periods (an interval sweep) instead of one aging per
-- period end: a stretch of time in which an invoice's open amount stays the
-- same adds that amount to the overdue AR from the first period end it
-- covers and takes it off after the last.  The changes are summed per
-- class; a customer's running figures are needed only where it moves from
-- one class to another.

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
				   class_label_en text, class_label_zh text, customers bigint, new_customers bigint,
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
	-- the last history row of each customer in each period (k = 0: before
	-- from_date)
	hist AS (
		SELECT DISTINCT ON (h.customer_id, k.k) h.customer_id, k.k, h.new_value
		FROM @extschema@.class_history h
		CROSS JOIN LATERAL (SELECT width_bucket(h.as_of, starts) AS k) k
		WHERE h.dimension = dim AND h.as_of <= upto
		ORDER BY h.customer_id, k.k, h.as_of DESC, h.history_id DESC
	),
	-- the customer is in class cls (NULL: none) at the period ends
	-- k_from .. k_to - 1; at k_from it came from prev_cls
	span AS (
		SELECT x.customer_id, x.k AS k_from, coalesce(pg_catalog.lead(x.k) OVER w, n + 1) AS k_to,
			   x.new_value AS cls, pg_catalog.lag(x.new_value) OVER w AS prev_cls
		FROM hist x
		WINDOW w AS (PARTITION BY x.customer_id ORDER BY x.k)
	),
	move AS (
		SELECT s.customer_id, s.k_from AS k, s.prev_cls, s.cls
		FROM span s
		WHERE s.k_from >= 1 AND s.cls IS DISTINCT FROM s.prev_cls
	),
	-- an invoice's open amount over time: its amount at the issue date,
	-- less each payment applied to it at the payment's date (one paid
	-- before the issue counts from the issue); only invoices past due by
	-- upto (the others are never overdue in the range)
	applied AS (
		SELECT i.customer_id, i.invoice_id, i.due_on, i.issued_on AS on_date, i.amount AS delta
		FROM @extschema@.src_invoice i
		WHERE i.issued_on <= upto AND i.due_on < upto
		UNION ALL
		SELECT i.customer_id, i.invoice_id, i.due_on, greatest(p.paid_on, i.issued_on), -p.amount
		FROM @extschema@.src_invoice i
		JOIN @extschema@.src_payment p ON p.invoice_id = i.invoice_id AND p.customer_id = i.customer_id
		WHERE i.issued_on <= upto AND i.due_on < upto AND p.paid_on <= upto
	),
	-- each stretch [open_from, open_until) of one open amount: the sum
	-- runs over all the changes up to and including open_from's date (the
	-- window's peers), so of two changes on one day the first gives an
	-- empty stretch [d, d), which covers no period end
	stretch AS (
		SELECT a.customer_id, a.due_on, a.on_date AS open_from,
			   pg_catalog.lead(a.on_date) OVER w AS open_until,
			   pg_catalog.sum(a.delta) OVER w AS open_amount
		FROM applied a
		WINDOW w AS (PARTITION BY a.customer_id, a.invoice_id ORDER BY a.on_date)
	),
	-- a positive open amount is overdue at the period ends t with
	-- open_from <= t, due_on < t and t < open_until: k = first_k ..
	-- after_k - 1
	overdue_span AS (
		SELECT st.customer_id, st.open_amount,
			   width_bucket(greatest(st.open_from, st.due_on + 1), starts) AS first_k,
			   coalesce(width_bucket(st.open_until, starts), n + 1) AS after_k
		FROM stretch st
		WHERE st.open_amount > 0
	),
	-- what changes at each period end, per customer: revenue, AR (an
	-- invoice adds, a payment or credit note takes off) and overdue AR
	-- (+ from the first period end a stretch covers, - after the last)
	money AS (
		SELECT i.customer_id, width_bucket(i.issued_on, starts) AS k,
			   CASE WHEN i.issued_on >= from_date THEN i.amount END AS revenue, i.amount AS ar, NULL::numeric AS overdue
		FROM @extschema@.src_invoice i
		WHERE i.issued_on <= upto
		UNION ALL
		SELECT p.customer_id, width_bucket(p.paid_on, starts), NULL, -p.amount, NULL
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
	-- A class's figures change at a period end by the changes of its
	-- customers then, and by the customers who move: one who leaves takes
	-- its AR and overdue AR so far out of the class, one who comes in
	-- brings them.  So no customer's figures are summed up over all the
	-- periods: only at its moves.
	carried AS (
		SELECT m.k, m.prev_cls, m.cls, pg_catalog.sum(d.ar) AS ar, pg_catalog.sum(d.overdue) AS overdue
		FROM move m
		LEFT JOIN delta d ON d.customer_id = m.customer_id AND d.k < m.k
		GROUP BY m.customer_id, m.k, m.prev_cls, m.cls
	),
	flow AS (
		-- the members at the day before from_date
		SELECT s.cls, 0 AS k, 1 AS members, 0 AS came, 0 AS went, NULL::numeric AS revenue,
			   NULL::numeric AS ar, NULL::numeric AS overdue
		FROM span s WHERE s.k_from = 0 AND s.cls IS NOT NULL
		UNION ALL
		SELECT s.cls, d.k, 0, 0, 0, d.revenue, d.ar, d.overdue
		FROM delta d
		JOIN span s ON s.customer_id = d.customer_id AND d.k >= s.k_from AND d.k < s.k_to
		WHERE s.cls IS NOT NULL
		UNION ALL
		SELECT c.cls, c.k, 1, 1, 0, NULL, c.ar, c.overdue
		FROM carried c WHERE c.cls IS NOT NULL
		UNION ALL
		SELECT c.prev_cls, c.k, -1, 0, 1, NULL, -c.ar, -c.overdue
		FROM carried c WHERE c.prev_cls IS NOT NULL
	),
	by_class AS (
		SELECT f.cls, f.k, pg_catalog.sum(f.members) AS members, pg_catalog.sum(f.came) AS came,
			   pg_catalog.sum(f.went) AS went, pg_catalog.sum(f.revenue) AS revenue,
			   pg_catalog.sum(f.ar) AS ar, pg_catalog.sum(f.overdue) AS overdue
		FROM flow f
		GROUP BY f.cls, f.k
	),
	-- every class at every period end (k = 0 too), the changes summed up
	series AS (
		SELECT c.cls, c.ord, g.k,
			   pg_catalog.sum(b.members) OVER w AS customers, b.came, b.went, b.revenue,
			   pg_catalog.sum(b.ar) OVER w AS ar, pg_catalog.sum(b.overdue) OVER w AS overdue
		FROM unnest(classes) WITH ORDINALITY AS c(cls, ord)
		CROSS JOIN generate_series(0, n) AS g(k)
		LEFT JOIN by_class b ON b.cls = c.cls AND b.k = g.k
		WINDOW w AS (PARTITION BY c.cls ORDER BY g.k)
	)
	SELECT p.period_start, p.period_end, dim, x.cls, coalesce(l.label_en, x.cls), coalesce(l.label_zh, x.cls),
		   coalesce(x.customers, 0)::bigint, coalesce(x.came, 0)::bigint, coalesce(x.went, 0)::bigint,
		   coalesce(x.revenue, 0.00), coalesce(x.ar, 0.00), coalesce(x.overdue, 0.00)
	FROM @extschema@.trend_periods(from_date, upto, period) p
	JOIN series x ON x.k = p.period_no
	LEFT JOIN @extschema@.class_label l ON l.dimension = label_dim AND l.value = x.cls
	ORDER BY p.period_no, x.ord;
END
$$;
COMMENT ON FUNCTION @extschema@.class_trend(text, date, date, text) IS
	'time series per class of a class_history dimension (credit_grade or grade, lifecycle_stage or stage, lifecycle_phase or phase, segment, rfm_segment, payment_warning) over the periods of from_date..to_date (default as_of()), with the class''s English and Chinese names: customers in the class at the period end, came in and left during the period, revenue invoiced in the period, AR and overdue AR at the period end; bad dimension, period or range: 22023';
