-- Payment behaviour: payment_behavior_agg(), its state type payment_stats
-- and the PAYDEX-style index.
SET customer_class.as_of = '2025-06-30';
SET search_path = public, customer_class;

-- five invoices of one customer, as of 2025-06-30 (terms 30 days):
--   A 1000 issued 03-01 due 03-31 paid 03-21: 20 days to pay, 10 days early
--   B 2000 issued 04-01 due 05-01 paid 05-16: 45 days to pay, 15 days late
--   C 1000 issued 04-15 due 05-15 paid 05-15: 30 days, on time
--   D  500 issued 05-01 due 05-31 open: 30 days past due
--   E  300 issued 06-20 due 07-20 open: not yet due
--   F  999 issued 07-01 (after as_of: does not exist yet)
--   G 4000 issued 05-01 due 05-31 paid 07-05 (after as_of: still open)
CREATE TEMP TABLE inv (id text, amount numeric, issued_on date, due_on date, paid_on date);
INSERT INTO inv VALUES
	('A', 1000.00, '2025-03-01', '2025-03-31', '2025-03-21'),
	('B', 2000.00, '2025-04-01', '2025-05-01', '2025-05-16'),
	('C', 1000.00, '2025-04-15', '2025-05-15', '2025-05-15'),
	('D',  500.00, '2025-05-01', '2025-05-31', NULL),
	('E',  300.00, '2025-06-20', '2025-07-20', NULL),
	('F',  999.00, '2025-07-01', '2025-07-31', NULL),
	('G', 4000.00, '2025-05-01', '2025-05-31', '2025-07-05');
-- hand-checked: 6 invoices, billed 8800; open D+E+G = 4800, overdue D+G = 4500,
-- max 30 days past due; paid A,B,C: on time A,C (2/3 = 0.6667; by amount
-- 2000/4000 = 0.5); days to pay (1000*20 + 2000*45 + 1000*30)/4000 = 35;
-- beyond terms (2000*15)/4000 = 7.5; signed (-10000 + 30000 + 0)/4000 = 5;
-- index at +5 days: 80 - 5*10/15 = 76.67
SELECT (customer_class.payment_behavior_agg(amount, issued_on, due_on, paid_on, customer_class.as_of())).* FROM inv;
SELECT customer_class.payment_stats_agg(amount, issued_on, due_on, paid_on, '2025-06-30') FROM inv;
-- the state's text form round-trips exactly, and gives the same behaviour
SELECT s::text::customer_class.payment_stats::text = s::text AS round_trips,
	   customer_class.payment_behavior(s::text::customer_class.payment_stats) = customer_class.payment_behavior(s) AS same_behaviour
FROM (SELECT customer_class.payment_stats_agg(amount, issued_on, due_on, paid_on, '2025-06-30') AS s FROM inv) x;
-- with explicit open amounts: G was partly paid (1500 of 4000 by as_of)
SELECT (b).open_balance, (b).overdue_balance, (b).open_invoices
FROM (SELECT customer_class.payment_behavior_agg(amount, issued_on, due_on, paid_on, '2025-06-30',
		CASE id WHEN 'G' THEN 2500.00 WHEN 'D' THEN 500.00 WHEN 'E' THEN 300.00 ELSE 0 END) AS b FROM inv) x;
-- as of an earlier date: B and C not yet paid, D and E not yet issued
SELECT (customer_class.payment_behavior_agg(amount, issued_on, due_on, paid_on, '2025-05-10')).* FROM inv;

-- the index anchors and linear interpolation, three invoices of 100 each
-- paid the given number of days after the due date
SELECT d AS days_vs_terms, (customer_class.payment_behavior_agg(100, '2025-01-01', '2025-03-01', date '2025-03-01' + d, '2025-12-31')).payment_index
FROM unnest(ARRAY[-60, -30, -25, -20, -10, 0, 5, 15, 20, 30, 45, 60, 90, 105, 120, 200]) AS d,
	 generate_series(1, 3) AS g
GROUP BY d ORDER BY d;
-- the same as the scoring's SQL payment_index() of the same days
SELECT count(*) AS disagreements
FROM generate_series(-40, 130) AS d,
	 LATERAL (SELECT (customer_class.payment_behavior_agg(100 + 0 * g, '2025-01-01', '2025-03-01', date '2025-03-01' + d, '2025-12-31')).payment_index
			  FROM generate_series(1, 3) g) x
WHERE x.payment_index <> customer_class.payment_index(d);
-- NULL below 3 paid invoices
SELECT (customer_class.payment_behavior_agg(amount, issued_on, due_on, paid_on, '2025-06-30')).payment_index IS NULL AS null_below_3
FROM inv WHERE id IN ('A', 'B', 'D');

-- rules: prepayment counts 0 days to pay; NULL due = due on issue; NULL
-- amounts skipped; only open invoices -> ratios NULL
SELECT (customer_class.payment_behavior_agg(amount, issued_on, due_on, paid_on, '2025-06-30')).*
FROM (VALUES (100.00, date '2025-06-01', date '2025-07-01', date '2025-05-20'),
			 (100.00, '2025-06-01', NULL, '2025-06-11'),
			 (NULL, '2025-06-01', '2025-06-30', NULL)) v(amount, issued_on, due_on, paid_on);
SELECT (customer_class.payment_behavior_agg(amount, issued_on, due_on, NULL, '2025-06-30')).* FROM inv WHERE id IN ('D', 'E');
SELECT customer_class.payment_behavior_agg(amount, issued_on, due_on, paid_on, '2025-06-30') IS NULL AS no_rows_null FROM inv WHERE false;
-- errors: 22023
SELECT customer_class.payment_behavior_agg(amount, issued_on, due_on, paid_on, NULL) FROM inv;
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.payment_behavior_agg(100, NULL, NULL, NULL, '2025-06-30');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.payment_behavior_agg(100, '2025-01-01', 'infinity', NULL, '2025-06-30');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.payment_behavior_agg('NaN', '2025-01-01', '2025-01-01', NULL, '2025-06-30');
\echo :LAST_ERROR_SQLSTATE
-- malformed state literals: 22P02
SELECT '{"invoices": 1}'::customer_class.payment_stats;
\echo :LAST_ERROR_SQLSTATE
SELECT replace((SELECT customer_class.payment_stats_agg(amount, issued_on, due_on, paid_on, '2025-06-30')::text FROM inv), '"paid": 3', '"paid": 4')::customer_class.payment_stats;
\echo :LAST_ERROR_SQLSTATE
-- binary round trip
CREATE TEMP TABLE ps_bin AS SELECT customer_class.payment_stats_agg(amount, issued_on, due_on, paid_on, '2025-06-30') AS s FROM inv;
COPY ps_bin TO '/tmp/customer_class_ps_regress.bin' WITH (FORMAT binary);
COPY ps_bin FROM '/tmp/customer_class_ps_regress.bin' WITH (FORMAT binary);
SELECT count(DISTINCT s::text) AS distinct_values, count(*) FROM ps_bin;
-- + combines like the aggregate over the union
SELECT ((SELECT customer_class.payment_stats_agg(amount, issued_on, due_on, paid_on, '2025-06-30') FROM inv WHERE id < 'D')
	 + (SELECT customer_class.payment_stats_agg(amount, issued_on, due_on, paid_on, '2025-06-30') FROM inv WHERE id >= 'D'))::text
	 = (SELECT customer_class.payment_stats_agg(amount, issued_on, due_on, paid_on, '2025-06-30') FROM inv)::text AS plus_equals_whole;

-- parallel: Partial Aggregate, and the same result as serial
CREATE TABLE pb_par AS
SELECT g % 50 AS customer_id, 100 + (g % 89) * 10.01 AS amount,
	   date '2025-01-01' + (g % 150) AS issued_on, date '2025-01-31' + (g % 150) AS due_on,
	   CASE WHEN g % 7 = 0 THEN NULL ELSE date '2025-01-31' + (g % 150) + (g % 41) - 15 END AS paid_on
FROM generate_series(1, 200000) g;
ANALYZE pb_par;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT customer_class.payment_behavior_agg(amount, issued_on, due_on, paid_on, '2025-06-30') FROM pb_par;
CREATE TEMP TABLE pb_par_result AS SELECT customer_class.payment_stats_agg(amount, issued_on, due_on, paid_on, '2025-06-30')::text AS s FROM pb_par;
SET max_parallel_workers_per_gather = 0;
SELECT s = (SELECT customer_class.payment_stats_agg(amount, issued_on, due_on, paid_on, '2025-06-30')::text FROM pb_par) AS parallel_equals_serial
FROM pb_par_result;
-- and against the same figures in plain SQL
SELECT (b).invoices = x.invoices AND (b).billed = x.billed AND (b).paid_invoices = x.paid
	   AND (b).open_balance = x.open_balance AND (b).overdue_balance = x.overdue
	   AND (b).on_time_amount_ratio = round(x.on_time_amount / x.paid_amount, 4)
	   AND (b).avg_days_to_pay = round(x.wdays / x.paid_amount, 2)
	   AND (b).days_beyond_terms = round(x.wbeyond / x.paid_amount, 2)
	   AND (b).max_days_past_due = x.max_dpd AS matches_sql
FROM (SELECT customer_class.payment_behavior_agg(amount, issued_on, due_on, paid_on, '2025-06-30') AS b FROM pb_par) y,
	 (SELECT count(*) AS invoices, sum(amount) AS billed,
			 count(*) FILTER (WHERE paid_on <= '2025-06-30') AS paid,
			 sum(amount) FILTER (WHERE paid_on <= '2025-06-30') AS paid_amount,
			 sum(amount) FILTER (WHERE paid_on <= due_on AND paid_on <= '2025-06-30') AS on_time_amount,
			 sum(amount * greatest(paid_on - issued_on, 0)) FILTER (WHERE paid_on <= '2025-06-30') AS wdays,
			 sum(amount * greatest(paid_on - due_on, 0)) FILTER (WHERE paid_on <= '2025-06-30') AS wbeyond,
			 sum(amount) FILTER (WHERE paid_on IS NULL OR paid_on > '2025-06-30') AS open_balance,
			 sum(amount) FILTER (WHERE (paid_on IS NULL OR paid_on > '2025-06-30') AND due_on < '2025-06-30') AS overdue,
			 max(greatest(date '2025-06-30' - due_on, 0)) FILTER (WHERE paid_on IS NULL OR paid_on > '2025-06-30') AS max_dpd
	  FROM pb_par WHERE issued_on <= '2025-06-30') x;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
DROP TABLE pb_par;

-- fractional average days: the index is exact and rounded once, half up,
-- in payment_index(numeric) as in the aggregate (the credit facts use the
-- same code: see receivables).  Exact values: 0.0375 days -> 79.975,
-- 5.4975 -> 76.335, 71.025 -> 36.325, 0.0075 -> 79.995
SELECT d, customer_class.payment_index(d) AS payment_index
FROM unnest(ARRAY[0.0375, 5.4975, 71.0250, 0.0075, -0.0075, -30.0001, 120, 1e6, -1e6,
				  15.0000000000000000000000000000000000000000000001]) AS d;
SELECT customer_class.payment_index('Infinity') AS inf, customer_class.payment_index('-Infinity') AS minus_inf;
SELECT customer_class.payment_index('NaN');
\echo :LAST_ERROR_SQLSTATE
-- the aggregate over invoices whose amount-weighted days are these
--   3, 40, 37 paid 1, 0, 0 days late: 3 / 80 = 0.0375
--   10, 1990, 2000 paid 0, 1, 10 days late: 21990 / 4000 = 5.4975
--   500, 475, 25 paid 71, 71, 72 days late: 71025 / 1000 = 71.025
SELECT c, (customer_class.payment_behavior_agg(a, '2025-01-01', '2025-03-01', date '2025-03-01' + d, '2025-12-31')).payment_index,
	   customer_class.payment_index(sum(a * d) / sum(a)) AS sql_function
FROM (VALUES (1, 3.00, 1), (1, 40.00, 0), (1, 37.00, 0),
			 (2, 10.00, 0), (2, 1990.00, 1), (2, 2000.00, 10),
			 (3, 500.00, 71), (3, 475.00, 71), (3, 25.00, 72)) v(c, a, d)
GROUP BY c ORDER BY c;
-- every 1/400 day from -35 to +125 against the formula in plain SQL
SELECT count(*) AS values_checked,
	   count(*) FILTER (WHERE customer_class.payment_index(d) <> ref) AS disagreements
FROM (SELECT k / 400.0 AS d FROM generate_series(-35 * 400, 125 * 400) k) s,
	 LATERAL (SELECT round(CASE WHEN d <= -30 THEN 100 WHEN d >= 120 THEN 20
							   ELSE (SELECT y0 + (d - x0) * (y1 - y0) / (x1 - x0)
									 FROM (VALUES (-30, -20, 100, 90), (-20, 0, 90, 80), (0, 15, 80, 70),
												  (15, 30, 70, 50), (30, 60, 50, 40), (60, 90, 40, 30),
												  (90, 120, 30, 20)) a(x0, x1, y0, y1)
									 WHERE d >= x0 AND d < x1) END, 2) AS ref) r;
-- sums too large for 128-bit products take the exact numeric path: the same index
SELECT (customer_class.payment_behavior_agg(a, '2025-01-01', '2025-03-01', date '2025-03-01' + d, '2025-12-31')).payment_index
FROM (VALUES (3000000000000000000000000000.00, 1), (40000000000000000000000000000.00, 0),
			 (37000000000000000000000000000.00, 0)) v(a, d);

-- binary input is checked like text input (22P03): a state sent, then
-- altered before it is read back through COPY BINARY.  Send format:
-- version (1 byte), scale (2), invoices (8), billed (16), open_invoices (8),
-- open_balance (16), overdue_balance (16), max_days_past_due (4), paid (8) ...
CREATE TEMP TABLE ps_raw AS SELECT customer_class.payment_stats_send(s) AS b FROM ps_bin LIMIT 1;
CREATE TEMP TABLE ps_in (s customer_class.payment_stats);
COPY ps_raw TO '/tmp/customer_class_ps_raw.bin' WITH (FORMAT binary);
COPY ps_in FROM '/tmp/customer_class_ps_raw.bin' WITH (FORMAT binary);
SELECT s::text = (SELECT s::text FROM ps_bin LIMIT 1) AS unaltered_reads_back FROM ps_in;
-- paid = 99: more than invoices, and not paid_on_time + paid_late
COPY (SELECT overlay(b placing '\x0000000000000063'::bytea from 72 for 8) FROM ps_raw) TO '/tmp/customer_class_ps_raw.bin' WITH (FORMAT binary);
COPY ps_in FROM '/tmp/customer_class_ps_raw.bin' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- a negative invoice count
COPY (SELECT overlay(b placing '\xffffffffffffffff'::bytea from 4 for 8) FROM ps_raw) TO '/tmp/customer_class_ps_raw.bin' WITH (FORMAT binary);
COPY ps_in FROM '/tmp/customer_class_ps_raw.bin' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- billed = 2^127 - 1 units
COPY (SELECT overlay(b placing '\x7fffffffffffffffffffffffffffffff'::bytea from 12 for 16) FROM ps_raw) TO '/tmp/customer_class_ps_raw.bin' WITH (FORMAT binary);
COPY ps_in FROM '/tmp/customer_class_ps_raw.bin' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS rows_loaded FROM ps_in;
