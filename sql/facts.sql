-- credit_facts_agg: one customer's invoices, payments and orders in, the
-- transaction facts out; payments are matched to invoices by the aggregate.
CREATE TEMP TABLE rows (customer_id bigint, kind "char", invoice_id bigint, amount numeric, d1 date, d2 date);
INSERT INTO rows VALUES
	-- customer 1: three invoices; one paid early, one late in two parts, one open and overdue
	(1, 'i', 11, 1000.00, '2025-09-01', '2025-10-01'),
	(1, 'i', 12, 2000.00, '2025-10-01', '2025-10-31'),
	(1, 'i', 13, 500.00, '2025-11-01', '2025-12-01'),
	(1, 'p', 11, 1000.00, '2025-09-25', NULL),
	(1, 'p', 12, 1500.00, '2025-11-10', NULL),
	(1, 'p', 12, 500.00, '2025-11-20', NULL),
	(1, 'o', NULL, NULL, '2025-12-20', NULL),
	(1, 'o', NULL, NULL, '2025-09-01', NULL),
	-- the same day twice, and an order more than a year back
	(1, 'o', NULL, NULL, '2025-12-20', NULL),
	(1, 'o', NULL, NULL, '2024-05-01', NULL),
	-- customer 2: an unapplied payment on account, an overpaid invoice,
	-- a payment for an invoice issued after the as-of date, amounts with 4 decimals
	(2, 'i', 21, 100.1234, '2025-06-01', '2025-07-01'),
	(2, 'p', 21, 150.0000, '2025-06-20', NULL),
	(2, 'p', NULL, 30.5, '2025-12-01', NULL),
	(2, 'p', 29, 10, '2025-12-15', NULL),
	(2, 'i', 29, 10, '2026-01-05', '2026-02-04'),
	-- customer 3: an old unpaid invoice (a default) and rows after the as-of date
	(3, 'i', 31, 700.00, '2025-01-10', '2025-02-09'),
	(3, 'p', 31, 100.00, '2026-01-15', NULL),
	(3, 'o', NULL, NULL, '2026-01-02', NULL);

SELECT customer_id, (customer_class.credit_facts_agg(kind, invoice_id, amount, d1, d2, '2025-12-31')).*
FROM rows GROUP BY customer_id ORDER BY customer_id;

-- the order of the rows does not matter
SELECT customer_id, customer_class.credit_facts_agg(kind, invoice_id, amount, d1, d2, '2025-12-31' ORDER BY d1 DESC, kind)
	IS NOT DISTINCT FROM customer_class.credit_facts_agg(kind, invoice_id, amount, d1, d2, '2025-12-31' ORDER BY d1, kind DESC) AS same
FROM rows GROUP BY customer_id ORDER BY customer_id;

-- no rows, no facts
SELECT customer_class.credit_facts_agg(kind, invoice_id, amount, d1, d2, '2025-12-31') IS NULL AS empty FROM rows WHERE false;

-- the payment index at its anchors and in between
SELECT d, customer_class.payment_index(d) FROM unnest(ARRAY[-45, -30, -25, -20, -10, 0, 7.5, 15, 22.5, 30, 45, 60, 90, 120, 365]::numeric[]) d;

-- bad input
SELECT customer_class.credit_facts_agg('x', 1, 1, '2025-01-01', NULL, '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.credit_facts_agg('i', 1, 1.00001, '2025-01-01', '2025-01-31', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.credit_facts_agg('p', 1, 'NaN', '2025-01-01', NULL, '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.credit_facts_agg('i', 1, 1e30, '2025-01-01', '2025-01-31', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.credit_facts_agg('i', 1, 10, NULL, '2025-01-31', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.credit_facts_agg('i', NULL, 10, '2025-01-01', '2025-01-31', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.credit_facts_agg('i', 1, NULL, '2025-01-01', '2025-01-31', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.credit_facts_agg('i', 1, 10, '2025-01-01', '2025-01-31', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.payment_index('NaN');
\echo :LAST_ERROR_SQLSTATE

-- parallel: partial states combine to the serial result
CREATE TABLE facts_par AS
SELECT (g % 500) AS customer_id, 'i'::"char" AS kind, g AS invoice_id, (g % 997) + 0.5 AS amount,
	   date '2025-01-01' + (g % 300) AS d1, date '2025-01-31' + (g % 300) AS d2
FROM generate_series(1, 40000) g
UNION ALL
SELECT (g % 500), 'p', g, (g % 997) + 0.5, date '2025-01-20' + (g % 330), NULL
FROM generate_series(1, 40000) g WHERE g % 7 <> 0
UNION ALL
SELECT (g % 500), 'o', NULL, NULL, date '2024-06-01' + (g * 7 % 575), NULL
FROM generate_series(1, 20000) g;
ANALYZE facts_par;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT customer_id, customer_class.credit_facts_agg(kind, invoice_id, amount, d1, d2, '2025-12-31') FROM facts_par GROUP BY customer_id;
CREATE TEMP TABLE par AS
SELECT customer_id, customer_class.credit_facts_agg(kind, invoice_id, amount, d1, d2, '2025-12-31') AS f FROM facts_par GROUP BY customer_id;
RESET ALL;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE ser AS
SELECT customer_id, customer_class.credit_facts_agg(kind, invoice_id, amount, d1, d2, '2025-12-31') AS f FROM facts_par GROUP BY customer_id;
SELECT count(*) AS customers, count(*) FILTER (WHERE par.f IS NOT DISTINCT FROM ser.f) AS same
FROM par JOIN ser USING (customer_id);
RESET ALL;
DROP TABLE facts_par;

-- facts for a few customers read only those customers (risk points too):
-- rows read from customer, among 1,000
SET customer_class.as_of = '2025-12-31';
INSERT INTO customer_class.customer (customer_id, name, industry, region, created_on)
SELECT 5000 + n, 'bulk ' || n, (ARRAY['retail', 'construction', 'services'])[n % 3 + 1],
	   (ARRAY['east', 'west'])[n % 2 + 1], '2024-01-01'
FROM generate_series(1, 1000) n;
ANALYZE customer_class.customer;
CREATE FUNCTION pg_temp.customer_rows_read(q text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	plan jsonb;
BEGIN
	EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON, COSTS OFF, TIMING OFF) ' || q INTO plan;
	RETURN (SELECT sum((n ->> 'Actual Rows')::bigint * (n ->> 'Actual Loops')::bigint
					   + coalesce((n ->> 'Rows Removed by Filter')::bigint, 0))
			FROM jsonb_path_query(plan, 'strict $.**') n
			WHERE jsonb_typeof(n) = 'object' AND n ->> 'Relation Name' = 'customer');
END
$$;
SELECT pg_temp.customer_rows_read($$SELECT * FROM customer_class.credit_facts('2025-12-31', 'default', ARRAY[5001, 5002]::bigint[])$$) AS rows_read;
SELECT customer_id, (facts).industry_points, (facts).region_points
FROM customer_class.credit_facts('2025-12-31', 'default', ARRAY[5001, 5002]::bigint[]) ORDER BY 1;
DELETE FROM customer_class.customer WHERE customer_id > 5000;
DELETE FROM customer_class.dirty;
RESET customer_class.as_of;

-- credit_facts_of: a customer without transactions gets 0 for its counts
-- and amounts and NULL for the rest; tenure counts from the earlier of the
-- customer's creation and its first invoice, and is NULL with neither
SELECT (f).revenue_12m, (f).orders_12m, (f).open_balance, (f).overdue_30d_balance, (f).on_time_ratio,
	   (f).payment_index, (f).first_order_on, (f).tenure_days, (f).industry_points, (f).external_score
FROM (SELECT customer_class.credit_facts_of(NULL, '2025-12-31', '2025-01-01', 70, 80, NULL) AS f) x;
SELECT (customer_class.credit_facts_of(NULL, '2025-12-31', NULL, NULL, NULL, 55.5)).tenure_days IS NULL AS no_tenure,
	   (customer_class.credit_facts_of(NULL, '2025-12-31', NULL, NULL, NULL, 55.5)).external_score;
SELECT (f).tenure_days, (f).revenue_12m, (f).orders_12m
FROM (SELECT customer_class.credit_facts_of(
			 customer_class.credit_facts_agg(k, id, amount, d1, d2, '2025-12-31'), '2025-12-31', '2025-06-01', 50, 50, NULL) AS f
	  FROM (VALUES ('i'::"char", 1::bigint, 100.00::numeric, date '2025-03-01', date '2025-03-31')) v (k, id, amount, d1, d2)) x;
SELECT customer_class.credit_facts_of(NULL, 'infinity', '2025-01-01', NULL, NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
