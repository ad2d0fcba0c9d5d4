-- The facts a credit score is computed from, per customer, as of a date.
-- One pass over each source view; read through src_* so that bound ERP
-- tables work the same as the managed ones.

CREATE TYPE @extschema@.credit_facts AS (
	revenue_12m		numeric,
	orders_12m		integer,
	order_months	integer,
	invoices_paid	integer,
	on_time_ratio	numeric,
	days_beyond_terms numeric,
	payment_index	numeric,
	recent_payment_index numeric,
	open_balance	numeric,
	overdue_balance	numeric,
	defaults		integer,
	tenure_days		integer,
	industry_points	numeric,
	region_points	numeric,
	external_score	numeric
);
COMMENT ON TYPE @extschema@.credit_facts IS
	'inputs of the credit score: revenue_12m, orders_12m, order_months (bit i = an order in the 30-day window i back from as_of), invoices_paid, on_time_ratio (by amount), days_beyond_terms (amount-weighted, signed: early is negative), payment_index (20-100, NULL below 3 paid invoices), recent_payment_index (the same over invoices settled in the last 90 days, NULL when none), open_balance, overdue_balance, defaults (open > 90 days past due), tenure_days, industry_points, region_points, external_score';

-- PAYDEX-style index from amount-weighted days beyond terms (signed):
-- 100 at 30 days early, 90 at 20 early, 80 on time, 70 at 15 late, 50 at 30,
-- 40 at 60, 30 at 90, 20 at 120 and later; linear in between.
CREATE FUNCTION @extschema@.payment_index(days_beyond_terms numeric) RETURNS numeric
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN round(CASE
	WHEN days_beyond_terms <= -30 THEN 100
	WHEN days_beyond_terms <= -20 THEN 100 - (days_beyond_terms + 30)
	WHEN days_beyond_terms <= 0 THEN 90 - (days_beyond_terms + 20) / 2
	WHEN days_beyond_terms <= 15 THEN 80 - days_beyond_terms * 10 / 15
	WHEN days_beyond_terms <= 30 THEN 70 - (days_beyond_terms - 15) * 20 / 15
	WHEN days_beyond_terms <= 60 THEN 50 - (days_beyond_terms - 30) / 3
	WHEN days_beyond_terms <= 90 THEN 40 - (days_beyond_terms - 60) / 3
	WHEN days_beyond_terms <= 120 THEN 30 - (days_beyond_terms - 90) / 3
	ELSE 20 END, 2);
COMMENT ON FUNCTION @extschema@.payment_index(numeric) IS
	'PAYDEX-style payment index 20-100 from amount-weighted days beyond terms (negative = early)';

-- Risk points for every distinct industry and region: the longest matching
-- risk_factor prefix of the scorecard.
CREATE FUNCTION @extschema@.risk_points(scorecard_id text, tag text) RETURNS numeric
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT r.points FROM @extschema@.risk_factor r
	WHERE r.scorecard_id = risk_points.scorecard_id
	  AND (tag = r.prefix OR tag LIKE r.prefix || '.%')
	ORDER BY length(r.prefix) DESC
	LIMIT 1;
END;
COMMENT ON FUNCTION @extschema@.risk_points(text, text) IS
	'risk points of a tag (industry.x, region.x.y) under a scorecard: the longest matching prefix';

CREATE FUNCTION @extschema@.credit_facts(as_of date, scorecard_id text, customers bigint[] DEFAULT NULL)
	RETURNS TABLE (customer_id bigint, facts @extschema@.credit_facts)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	WITH card AS (
		SELECT s.external_max_age_days FROM @extschema@.scorecard s WHERE s.scorecard_id = $2
	),
	-- what was paid or credited on each invoice by the as-of date, and when
	-- it was settled: the date of the payment that completed it
	settled AS (
		SELECT p.invoice_id, sum(p.amount) AS paid, max(p.paid_on) AS last_paid
		FROM @extschema@.src_payment p
		WHERE p.invoice_id IS NOT NULL AND p.paid_on <= $1
		  AND ($3 IS NULL OR p.customer_id = ANY ($3))
		GROUP BY p.invoice_id
	),
	unapplied AS (
		SELECT p.customer_id, sum(p.amount) AS amount
		FROM @extschema@.src_payment p
		WHERE p.invoice_id IS NULL AND p.paid_on <= $1
		  AND ($3 IS NULL OR p.customer_id = ANY ($3))
		GROUP BY p.customer_id
	),
	inv AS (
		SELECT i.customer_id,
			   min(i.issued_on) AS first_issued,
			   sum(i.amount) FILTER (WHERE i.issued_on > $1 - 365) AS revenue_12m,
			   count(*) FILTER (WHERE x.is_paid) AS invoices_paid,
			   sum(i.amount) FILTER (WHERE x.is_paid) AS paid_amount,
			   sum(i.amount) FILTER (WHERE x.is_paid AND s.last_paid <= i.due_on) AS on_time_amount,
			   sum(i.amount * (s.last_paid - i.due_on)) FILTER (WHERE x.is_paid) AS weighted_days,
			   sum(i.amount) FILTER (WHERE x.is_paid AND s.last_paid > $1 - 90) AS recent_amount,
			   sum(i.amount * (s.last_paid - i.due_on)) FILTER (WHERE x.is_paid AND s.last_paid > $1 - 90) AS recent_days,
			   sum(x.open) AS open_balance,
			   sum(x.open) FILTER (WHERE i.due_on < $1) AS overdue_balance,
			   count(*) FILTER (WHERE x.open > 0 AND $1 - i.due_on > 90) AS defaults
		FROM @extschema@.src_invoice i
		LEFT JOIN settled s ON s.invoice_id = i.invoice_id
		CROSS JOIN LATERAL (SELECT coalesce(s.paid, 0) >= i.amount AS is_paid,
								   greatest(i.amount - coalesce(s.paid, 0), 0) AS open) x
		WHERE i.issued_on <= $1 AND ($3 IS NULL OR i.customer_id = ANY ($3))
		GROUP BY i.customer_id
	),
	ord AS (
		SELECT o.customer_id,
			   count(*) AS orders_12m,
			   bit_or(1 << (($1 - o.ordered_on) / 30)) FILTER (WHERE $1 - o.ordered_on < 360) AS order_months
		FROM @extschema@.src_order o
		WHERE o.ordered_on <= $1 AND o.ordered_on > $1 - 365 AND o.status <> 'cancelled'
		  AND ($3 IS NULL OR o.customer_id = ANY ($3))
		GROUP BY o.customer_id
	),
	ext AS (
		SELECT DISTINCT ON (e.customer_id) e.customer_id, e.score
		FROM @extschema@.external_score e, card
		WHERE e.scored_on <= $1 AND e.scored_on > $1 - card.external_max_age_days
		  AND ($3 IS NULL OR e.customer_id = ANY ($3))
		ORDER BY e.customer_id, e.scored_on DESC, e.imported_at DESC
	),
	cust AS (
		SELECT c.customer_id, c.industry, c.region, c.created_on
		FROM @extschema@.src_customer c
		WHERE $3 IS NULL OR c.customer_id = ANY ($3)
	),
	industry AS (
		SELECT d.industry, @extschema@.risk_points($2, 'industry.' || d.industry) AS points
		FROM (SELECT DISTINCT industry FROM cust) d
	),
	region AS (
		SELECT d.region, @extschema@.risk_points($2, 'region.' || d.region) AS points
		FROM (SELECT DISTINCT region FROM cust) d
	)
	SELECT c.customer_id,
		   ROW(coalesce(inv.revenue_12m, 0),
			   coalesce(ord.orders_12m, 0),
			   coalesce(ord.order_months, 0),
			   coalesce(inv.invoices_paid, 0),
			   round(coalesce(inv.on_time_amount, 0) / nullif(inv.paid_amount, 0), 4),
			   round(inv.weighted_days / nullif(inv.paid_amount, 0), 2),
			   CASE WHEN inv.invoices_paid >= 3
					THEN @extschema@.payment_index(inv.weighted_days / inv.paid_amount) END,
			   @extschema@.payment_index(inv.recent_days / nullif(inv.recent_amount, 0)),
			   coalesce(inv.open_balance, 0) - coalesce(u.amount, 0),
			   coalesce(inv.overdue_balance, 0),
			   coalesce(inv.defaults, 0),
			   $1 - least(c.created_on, inv.first_issued),
			   coalesce(ind.points, @extschema@.risk_points($2, 'industry')),
			   coalesce(reg.points, @extschema@.risk_points($2, 'region')),
			   ext.score)::@extschema@.credit_facts
	FROM cust c
	LEFT JOIN inv ON inv.customer_id = c.customer_id
	LEFT JOIN ord ON ord.customer_id = c.customer_id
	LEFT JOIN unapplied u ON u.customer_id = c.customer_id
	LEFT JOIN ext ON ext.customer_id = c.customer_id
	LEFT JOIN industry ind ON coalesce(ind.industry, '') = coalesce(c.industry, '')
	LEFT JOIN region reg ON coalesce(reg.region, '') = coalesce(c.region, '')
$$;
COMMENT ON FUNCTION @extschema@.credit_facts(date, text, bigint[]) IS
	'per-customer credit facts as of a date under a scorecard (risk factors, external score age); all customers, or those listed';
