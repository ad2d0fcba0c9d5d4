-- 0.2.0 -> 0.3.0, trends and the HTML report: trend_periods(), class_trend(), class_at(), report_html() and its chart functions (all new; the same statements as src/sql/reports/trend.sql and report_html.sql).

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

-- The picture of the book: report_html() returns one self-contained HTML
-- document with inline SVG charts (no script, no network, no web font), in
-- English or Chinese (docs/reporting.md, "The HTML report").  One small
-- function per kind of chart; each escapes every text it is given, so the
-- callers pass plain text (customer names included).

-- Text for HTML (element content and attribute values alike).
CREATE FUNCTION @extschema@.html_escape(t text) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
		t, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;');
COMMENT ON FUNCTION @extschema@.html_escape(text) IS
	'text escaped for HTML content and attribute values (& < > " '')';

-- The report's own words in English and Chinese (the class names come
-- from class_label).
CREATE FUNCTION @extschema@.report_text(key text, lang text) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN (SELECT CASE lang WHEN 'zh' THEN t.zh ELSE t.en END
			FROM (VALUES
				('title', 'Customer book', '客户账簿'),
				('as_of', 'as of', '截至'),
				('grade_distribution', 'Customers by credit grade', '信用等级客户分布'),
				('aging_by_grade', 'Receivables aging by credit grade', '各信用等级应收账款账龄'),
				('grade_migration', 'Credit grade migration', '信用等级迁移'),
				('lifecycle_funnel', 'Lifecycle funnel', '客户生命周期漏斗'),
				('revenue_trend', 'Revenue per month by credit grade', '各信用等级月度收入'),
				('overdue_trend', 'Overdue receivables at month end by credit grade', '各信用等级月末逾期应收'),
				('top_overdue', 'Top overdue customers', '逾期金额最高的客户'),
				('customer', 'Customer', '客户'),
				('grade', 'Grade', '等级'),
				('ar', 'Receivables', '应收账款'),
				('overdue', 'Overdue', '逾期'),
				('customers', 'customers', '客户数'),
				('current', 'current', '未到期'),
				('days', 'days', '天'),
				('not_graded', 'not graded', '未评级'),
				('gone', 'gone', '已移除'),
				('from', 'from', '从'),
				('to', 'to', '到'),
				('none', 'none', '无')
			) AS t (key, en, zh)
			WHERE t.key = report_text.key);
COMMENT ON FUNCTION @extschema@.report_text(text, text) IS
	'the words of report_html() (titles, headings) in English (lang en) or Simplified Chinese (zh); NULL for an unknown key';

-- An amount as the charts print it: whole units with thousands separators.
CREATE FUNCTION @extschema@.report_amount(v numeric) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN pg_catalog.to_char(pg_catalog.round(v), 'FM999,999,999,999,990');
COMMENT ON FUNCTION @extschema@.report_amount(numeric) IS
	'an amount as report_html() prints it: rounded to whole units, with thousands separators';

-- A bar chart: one bar per category, stacked by series; vals is
-- [category][series] (a one-dimensional array for one series).  Negative
-- values draw as 0 (the tooltip shows the value).  Every bar is a
-- <rect class="bar">, also when it is 0 high, so a chart of n categories
-- and m series has n x m of them.
CREATE FUNCTION @extschema@.svg_bar_chart(id text, title text, categories text[], series text[],
										  vals numeric[], colors text[])
	RETURNS text
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w constant integer := 560;
	h constant integer := 320;
	x0 constant integer := 70;
	y0 constant integer := 250;		-- the baseline
	plot_h constant integer := 200;
	nc integer := coalesce(cardinality(categories), 0);
	ns integer := greatest(coalesce(cardinality(series), 0), 1);
	v numeric[] := vals;
	top numeric := 0;
	top_label text;
	bw numeric;
	y numeric;
	bh numeric;
	total numeric;
	val numeric;
	svg text;
	e text := @extschema@.html_escape(title);
BEGIN
	IF array_ndims(vals) = 1 THEN
		-- one series: the array of the values is its only row: transpose
		SELECT array_agg(array[x] ORDER BY o) INTO v FROM unnest(vals) WITH ORDINALITY AS u(x, o);
	END IF;
	FOR i IN 1 .. nc LOOP
		total := 0;
		FOR j IN 1 .. ns LOOP
			total := total + greatest(coalesce(v[i][j], 0), 0);
		END LOOP;
		top := greatest(top, total);
	END LOOP;
	-- an empty chart keeps a scale of 1 (its bars are all 0 high)
	top_label := @extschema@.report_amount(top);
	IF top = 0 THEN
		top := 1;
	END IF;
	bw := (w - x0 - 20)::numeric / greatest(nc, 1);
	svg := format('<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="%s" width="%s" height="%s" viewBox="0 0 %s %s" role="img" aria-label="%s">',
				  @extschema@.html_escape(id), w, h, w, h, e)
		|| format('<title>%s</title><text class="chart-title" x="%s" y="22" text-anchor="middle">%s</text>', e, w / 2, e)
		|| format('<line class="axis" x1="%s" y1="%s" x2="%s" y2="%s"/><line class="axis" x1="%s" y1="%s" x2="%s" y2="%s"/>',
				  x0, y0, w - 20, y0, x0, y0, x0, y0 - plot_h)
		|| format('<text class="tick" x="%s" y="%s" text-anchor="end">%s</text><text class="tick" x="%s" y="%s" text-anchor="end">0</text>',
				  x0 - 4, y0 - plot_h + 4, top_label, x0 - 4, y0 + 4);
	FOR i IN 1 .. nc LOOP
		y := y0;
		total := 0;
		FOR j IN 1 .. ns LOOP
			val := coalesce(v[i][j], 0);
			bh := round(greatest(val, 0) / top * plot_h, 1);
			y := y - bh;
			total := total + val;
			svg := svg || format('<rect class="bar" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s%s: %s</title></rect>',
								 round(x0 + (i - 1) * bw + bw * 0.15, 1), y, round(bw * 0.7, 1), bh,
								 @extschema@.html_escape(coalesce(colors[j], '#4477aa')),
								 @extschema@.html_escape(categories[i]),
								 CASE WHEN ns > 1 THEN ' / ' || @extschema@.html_escape(series[j]) ELSE '' END,
								 @extschema@.report_amount(val));
		END LOOP;
		svg := svg || format('<text class="value" x="%s" y="%s" text-anchor="middle">%s</text><text class="category" x="%s" y="%s" text-anchor="middle">%s</text>',
							 round(x0 + (i - 0.5) * bw, 1), y - 4, @extschema@.report_amount(total),
							 round(x0 + (i - 0.5) * bw, 1), y0 + 16, @extschema@.html_escape(categories[i]));
	END LOOP;
	IF ns > 1 THEN
		FOR j IN 1 .. ns LOOP
			svg := svg || format('<rect class="legend" x="%s" y="%s" width="10" height="10" fill="%s"/><text class="legend" x="%s" y="%s">%s</text>',
								 x0 + (j - 1) * 90, h - 32, @extschema@.html_escape(coalesce(colors[j], '#4477aa')),
								 x0 + (j - 1) * 90 + 14, h - 23, @extschema@.html_escape(series[j]));
		END LOOP;
	END IF;
	RETURN svg || '</svg>';
END
$$;
COMMENT ON FUNCTION @extschema@.svg_bar_chart(text, text, text[], text[], numeric[], text[]) IS
	'an SVG bar chart (text): one bar per category, stacked by series (vals[category][series]; one-dimensional for one series), with a legend when there are several series; every text HTML-escaped';

-- A funnel: one centred bar per stage, as wide as its count.
CREATE FUNCTION @extschema@.svg_funnel(id text, title text, labels text[], vals numeric[])
	RETURNS text
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w constant integer := 560;
	n integer := coalesce(cardinality(labels), 0);
	h integer := 50 + 30 * n;
	top numeric := greatest(coalesce((SELECT max(x) FROM unnest(vals) x), 0), 1);
	bw numeric;
	e text := @extschema@.html_escape(title);
	svg text;
BEGIN
	svg := format('<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="%s" width="%s" height="%s" viewBox="0 0 %s %s" role="img" aria-label="%s">',
				  @extschema@.html_escape(id), w, h, w, h, e)
		|| format('<title>%s</title><text class="chart-title" x="%s" y="22" text-anchor="middle">%s</text>', e, w / 2, e);
	FOR i IN 1 .. n LOOP
		bw := round(greatest(coalesce(vals[i], 0), 0) / top * 300, 1);
		svg := svg || format('<text class="category" x="120" y="%s" text-anchor="end">%s</text><rect class="bar" x="%s" y="%s" width="%s" height="22" fill="#4477aa"><title>%s: %s</title></rect><text class="value" x="%s" y="%s">%s</text>',
							 40 + 30 * (i - 1) + 15, @extschema@.html_escape(labels[i]),
							 round(280 - bw / 2, 1), 40 + 30 * (i - 1), bw,
							 @extschema@.html_escape(labels[i]), coalesce(vals[i], 0),
							 440, 40 + 30 * (i - 1) + 15, coalesce(vals[i], 0));
	END LOOP;
	RETURN svg || '</svg>';
END
$$;
COMMENT ON FUNCTION @extschema@.svg_funnel(text, text, text[], numeric[]) IS
	'an SVG funnel (text): one centred bar per stage, as wide as its value; every text HTML-escaped';

-- A matrix of counts (rows x columns), each cell shaded by its share of the
-- largest.
CREATE FUNCTION @extschema@.svg_matrix(id text, title text, row_labels text[], col_labels text[],
									   vals numeric[], row_caption text, col_caption text)
	RETURNS text
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	nr integer := coalesce(cardinality(row_labels), 0);
	nc integer := coalesce(cardinality(col_labels), 0);
	x0 constant integer := 140;
	y0 constant integer := 70;
	w constant integer := 560;
	cw integer := (w - x0 - 20) / greatest(nc, 1);
	ch constant integer := 32;
	h integer := y0 + ch * nr + 20;
	top numeric := greatest(coalesce((SELECT max(x) FROM unnest(vals) x), 0), 1);
	val numeric;
	e text := @extschema@.html_escape(title);
	svg text;
BEGIN
	svg := format('<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="%s" width="%s" height="%s" viewBox="0 0 %s %s" role="img" aria-label="%s">',
				  @extschema@.html_escape(id), w, h, w, h, e)
		|| format('<title>%s</title><text class="chart-title" x="%s" y="22" text-anchor="middle">%s</text>', e, w / 2, e)
		|| format('<text class="caption" x="%s" y="44" text-anchor="middle">%s</text><text class="caption" x="8" y="%s">%s</text>',
				  x0 + cw * nc / 2, @extschema@.html_escape(col_caption), y0 - 8, @extschema@.html_escape(row_caption));
	FOR j IN 1 .. nc LOOP
		svg := svg || format('<text class="category" x="%s" y="%s" text-anchor="middle">%s</text>',
							 x0 + cw * (j - 1) + cw / 2, y0 - 8, @extschema@.html_escape(col_labels[j]));
	END LOOP;
	FOR i IN 1 .. nr LOOP
		svg := svg || format('<text class="category" x="%s" y="%s" text-anchor="end">%s</text>',
							 x0 - 6, y0 + ch * (i - 1) + 20, @extschema@.html_escape(row_labels[i]));
		FOR j IN 1 .. nc LOOP
			val := coalesce(vals[i][j], 0);
			svg := svg || format('<rect class="cell" x="%s" y="%s" width="%s" height="%s" fill="#4477aa" fill-opacity="%s" stroke="#ccc"><title>%s &#8594; %s: %s</title></rect><text class="value" x="%s" y="%s" text-anchor="middle">%s</text>',
								 x0 + cw * (j - 1), y0 + ch * (i - 1), cw, ch,
								 round(0.08 + 0.8 * greatest(val, 0) / top, 2),
								 @extschema@.html_escape(row_labels[i]), @extschema@.html_escape(col_labels[j]), val,
								 x0 + cw * (j - 1) + cw / 2, y0 + ch * (i - 1) + 20, val);
		END LOOP;
	END LOOP;
	RETURN svg || '</svg>';
END
$$;
COMMENT ON FUNCTION @extschema@.svg_matrix(text, text, text[], text[], numeric[], text, text) IS
	'an SVG matrix of counts (text): vals[row][column], each cell shaded by its share of the largest; every text HTML-escaped';

-- The class of every customer in a class_history dimension at a date: the
-- value of its last row of the dimension up to then (as grade_migration()
-- reads it); customers without one, or whose last value is NULL (gone), are
-- in no class.
CREATE FUNCTION @extschema@.class_at(dimension text, at date)
	RETURNS TABLE (customer_id bigint, class text)
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT x.customer_id, x.new_value
	FROM (SELECT DISTINCT ON (h.customer_id) h.customer_id, h.new_value
		  FROM @extschema@.class_history h
		  WHERE h.dimension = class_at.dimension AND h.as_of <= class_at.at
		  ORDER BY h.customer_id, h.as_of DESC, h.history_id DESC) x
	WHERE x.new_value IS NOT NULL;
END;
COMMENT ON FUNCTION @extschema@.class_at(text, date) IS
	'the class of every customer in a class_history dimension at a date: the new value of its last row up to then (none, or NULL: in no class)';

-- The report.  Everything is as of one date d (default as_of()): grades and
-- stages at d from class_history, receivables at d from the sources; the
-- trends cover the twelve months to d, the migration the year to d.
CREATE FUNCTION @extschema@.report_html(as_of date DEFAULT NULL, lang text DEFAULT 'en')
	RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := coalesce(report_html.as_of, @extschema@.as_of());
	lang_ text := coalesce(report_html.lang, 'en');
	grades text[] := enum_range(NULL::@extschema@.credit_grade)::text[];
	grade_labels text[];
	grade_colors constant text[] := '{#2e7d32,#9ccc65,#ffb300,#c62828}';
	bucket_colors constant text[] := '{#90caf9,#ffe082,#ffb74d,#ff7043,#b71c1c}';
	trend_from date;
	months text[];
	revenue numeric[];
	overdue numeric[];
	counts numeric[];
	stage_labels text[];
	aging numeric[];
	migration numeric[];
	top_rows text;
	t text;
	body text;
BEGIN
	IF lang_ NOT IN ('en', 'zh') THEN
		RAISE EXCEPTION 'report language "%" is not supported', lang_
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use en (English) or zh (Simplified Chinese).';
	END IF;
	SELECT array_agg(CASE lang_ WHEN 'zh' THEN l.label_zh ELSE l.label_en END ORDER BY g.o)
	INTO grade_labels
	FROM unnest(grades) WITH ORDINALITY g(v, o)
	JOIN @extschema@.class_label l ON l.dimension = 'credit_grade' AND l.value = g.v;

	-- customers per grade at d
	SELECT array_agg(c.customers::numeric ORDER BY g.o) INTO counts
	FROM @extschema@.class_trend('credit_grade', d, d) c
	JOIN unnest(grades) WITH ORDINALITY g(v, o) ON g.v = c.class;
	body := @extschema@.svg_bar_chart('grade-distribution', @extschema@.report_text('grade_distribution', lang_),
									  grade_labels, NULL, counts, NULL);

	-- aging by grade at d: each customer's open items as of d (the rule of
	-- the view open_item, at d), in the buckets of aging_agg
	WITH by_grade AS (
		SELECT ca.class, @extschema@.aging_agg(o.open_amount, o.due_on, d) AS a
		FROM @extschema@.class_at('credit_grade', d) ca
		JOIN (SELECT i.customer_id, CASE WHEN i.amount - coalesce(sum(p.amount), 0) < 0 THEN NULL ELSE i.due_on END AS due_on,
					 i.amount - coalesce(sum(p.amount), 0) AS open_amount
			  FROM @extschema@.src_invoice i
			  LEFT JOIN @extschema@.src_payment p
					 ON p.invoice_id = i.invoice_id AND p.customer_id = i.customer_id AND p.paid_on <= d
			  WHERE i.issued_on <= d
			  GROUP BY i.invoice_id, i.customer_id, i.due_on, i.amount
			  UNION ALL
			  -- unapplied payments and credit notes, and advances on
			  -- invoices not issued by d: credits, current
			  SELECT p.customer_id, NULL, -p.amount
			  FROM @extschema@.src_payment p
			  WHERE p.paid_on <= d
				AND NOT EXISTS (SELECT FROM @extschema@.src_invoice i
								WHERE i.invoice_id = p.invoice_id AND i.customer_id = p.customer_id
								  AND i.issued_on <= d)) o ON o.customer_id = ca.customer_id
		GROUP BY ca.class
	)
	SELECT array_agg(array[x.a OPERATOR(@extschema@.->) 'current', x.a OPERATOR(@extschema@.->) '1-30',
						   x.a OPERATOR(@extschema@.->) '31-60', x.a OPERATOR(@extschema@.->) '61-90',
						   x.a OPERATOR(@extschema@.->) '91+'] ORDER BY g.o)
	INTO aging
	FROM unnest(grades) WITH ORDINALITY g(v, o)
	LEFT JOIN by_grade x ON x.class = g.v;
	body := body || @extschema@.svg_bar_chart('aging-by-grade', @extschema@.report_text('aging_by_grade', lang_),
											  grade_labels,
											  array[@extschema@.report_text('current', lang_), '1-30', '31-60', '61-90', '91+'],
											  aging, bucket_colors);

	-- the migration over the year to d: rows the grade a year before (or
	-- not graded), columns the grade at d (or gone)
	SELECT array_agg(r.row_counts ORDER BY r.o) INTO migration
	FROM (SELECT f.o, array_agg(coalesce(m.customers, 0)::numeric ORDER BY t.o) AS row_counts
		  FROM unnest(grades || NULL::text) WITH ORDINALITY f(v, o)
		  CROSS JOIN unnest(grades || NULL::text) WITH ORDINALITY t(v, o)
		  LEFT JOIN @extschema@.grade_migration((d - interval '1 year')::date, d) m
				 ON m.from_grade::text IS NOT DISTINCT FROM f.v AND m.to_grade::text IS NOT DISTINCT FROM t.v
		  GROUP BY f.o) r;
	body := body || @extschema@.svg_matrix('grade-migration',
		format('%s (%s %s %s %s)', @extschema@.report_text('grade_migration', lang_),
			   @extschema@.report_text('from', lang_), (d - interval '1 year')::date,
			   @extschema@.report_text('to', lang_), d),
		grade_labels || @extschema@.report_text('not_graded', lang_),
		grade_labels || @extschema@.report_text('gone', lang_),
		migration, to_char((d - interval '1 year')::date, 'YYYY-MM-DD'), to_char(d, 'YYYY-MM-DD'));

	-- customers per lifecycle stage at d
	SELECT array_agg(CASE lang_ WHEN 'zh' THEN c.class_label_zh ELSE c.class_label_en END ORDER BY c.ordinality),
		   array_agg(c.customers::numeric ORDER BY c.ordinality)
	INTO stage_labels, counts
	FROM @extschema@.class_trend('lifecycle_stage', d, d) WITH ORDINALITY c;
	body := body || @extschema@.svg_funnel('lifecycle-funnel', @extschema@.report_text('lifecycle_funnel', lang_),
										   stage_labels, counts);

	-- revenue and overdue AR per month of the twelve to d, by grade
	trend_from := (date_trunc('month', d) - interval '11 months')::date;
	SELECT array_agg(m.label ORDER BY m.period_start), array_agg(m.revenue ORDER BY m.period_start),
		   array_agg(m.overdue ORDER BY m.period_start)
	INTO months, revenue, overdue
	FROM (SELECT c.period_start, to_char(c.period_end, 'YY-MM') AS label,
				 array_agg(c.revenue ORDER BY g.o) AS revenue, array_agg(c.overdue ORDER BY g.o) AS overdue
		  FROM @extschema@.class_trend('credit_grade', trend_from, d) c
		  JOIN unnest(grades) WITH ORDINALITY g(v, o) ON g.v = c.class
		  GROUP BY c.period_start, c.period_end) m;
	body := body || @extschema@.svg_bar_chart('revenue-trend', @extschema@.report_text('revenue_trend', lang_),
											  months, grade_labels, revenue, grade_colors)
				 || @extschema@.svg_bar_chart('overdue-trend', @extschema@.report_text('overdue_trend', lang_),
											  months, grade_labels, overdue, grade_colors);

	-- the ten customers with the most overdue at d
	SELECT string_agg(format('<tr><td>%s</td><td>%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
							 @extschema@.html_escape(coalesce(c.name, f.customer_id::text)),
							 @extschema@.html_escape(coalesce(CASE lang_ WHEN 'zh' THEN l.label_zh ELSE l.label_en END,
															  @extschema@.report_text('not_graded', lang_))),
							 @extschema@.report_amount(f.end_ar), @extschema@.report_amount(f.end_overdue_ar)),
					  '' ORDER BY f.end_overdue_ar DESC, f.customer_id)
	INTO top_rows
	FROM (SELECT a.customer_id, a.end_ar, a.end_overdue_ar
		  FROM @extschema@.ar_figures(d, d) a
		  WHERE a.end_overdue_ar > 0
		  ORDER BY a.end_overdue_ar DESC, a.customer_id
		  LIMIT 10) f
	LEFT JOIN @extschema@.src_customer c ON c.customer_id = f.customer_id
	LEFT JOIN @extschema@.class_at('credit_grade', d) ca ON ca.customer_id = f.customer_id
	LEFT JOIN @extschema@.class_label l ON l.dimension = 'credit_grade' AND l.value = ca.class;
	body := body || format('<section class="table"><h2>%s</h2><table id="top-overdue"><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>%s</tbody></table></section>',
						   @extschema@.html_escape(@extschema@.report_text('top_overdue', lang_)),
						   @extschema@.html_escape(@extschema@.report_text('customer', lang_)),
						   @extschema@.html_escape(@extschema@.report_text('grade', lang_)),
						   @extschema@.html_escape(@extschema@.report_text('ar', lang_)),
						   @extschema@.html_escape(@extschema@.report_text('overdue', lang_)),
						   coalesce(top_rows, format('<tr><td colspan="4">%s</td></tr>',
													 @extschema@.html_escape(@extschema@.report_text('none', lang_)))));

	t := format('%s %s %s', @extschema@.report_text('title', lang_), @extschema@.report_text('as_of', lang_), d);
	RETURN format('<!DOCTYPE html>
<html lang="%s"><head><meta charset="utf-8"><title>%s</title><style>
body{font-family:"Noto Sans CJK SC","Noto Sans",sans-serif;margin:16px;color:#222;background:#fff}
h1{font-size:22px;margin:0 0 12px}h2{font-size:16px;margin:8px 0}
main{display:flex;flex-wrap:wrap;gap:12px}
svg.chart{border:1px solid #ddd;background:#fafafa}
.chart-title{font-size:15px;font-weight:bold}.tick,.category,.legend,.caption{font-size:11px}.value{font-size:10px}
.axis{stroke:#888}table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:3px 8px}
td.num{text-align:right}
</style></head><body><h1>%s</h1><main>%s</main></body></html>
', lang_, @extschema@.html_escape(t), @extschema@.html_escape(t), body);
END
$$;
COMMENT ON FUNCTION @extschema@.report_html(date, text) IS
	'a self-contained HTML document (inline SVG, no script, no network) of the book as of a date (default as_of()): grade distribution, aging by grade, grade migration over the year, lifecycle funnel, revenue and overdue trends by grade over twelve months, top overdue customers; lang en or zh (else 22023)';
