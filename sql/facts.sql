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
FROM generate_series(1, 40000) g WHERE g % 7 <> 0;
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
