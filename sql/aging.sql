-- Aging: the aging type, aging_bucket(), aging_agg() and the operators.
SET customer_class.as_of = '2025-06-30';
SET search_path = public, customer_class;

-- bucket labels, default and custom bounds
SELECT d, customer_class.aging_bucket(d) AS default_bounds,
	   customer_class.aging_bucket(d, '{7,14,21,28}') AS weekly,
	   customer_class.aging_bucket(d, '{30,60,90,120}') AS odoo
FROM unnest(ARRAY[-5, 0, 1, 7, 8, 30, 31, 60, 61, 90, 91, 120, 121, 10000]) AS d;
SELECT customer_class.aging_bucket(NULL) IS NULL AS null_days_give_null;

-- bad bounds: 22023
SELECT customer_class.aging_bucket(5, '{30,30,90}');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.aging_bucket(5, '{0,30}');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.aging_bucket(5, '{-30,30}');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.aging_bucket(5, '{60,30}');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.aging_bucket(5, '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.aging_bucket(5, '{30,NULL}');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.aging_bucket(5, '{{30},{60}}');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.aging_bucket(5, '{1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17}');
\echo :LAST_ERROR_SQLSTATE

-- text form: round trip, exact, whitespace-tolerant input
SELECT '{"bounds": [30, 60, 90], "current": 100.00, "1-30": 0.00, "31-60": 2.50, "61-90": 0.00, "91+": -5.50}'::customer_class.aging;
SELECT '{"bounds":[7],"current":1.5,"1-7":2,"8+":0.125}'::customer_class.aging;
SELECT '{"bounds": [30], "current": 12345678901234567890123.123456789012, "1-30": 0, "31+": -0.000000000001}'::customer_class.aging;
SELECT a::text::customer_class.aging::text = a::text AS round_trips
FROM (VALUES ('{"bounds":[7],"current":1.5,"1-7":2,"8+":0.125}'::customer_class.aging),
			 ('{"bounds": [30], "current": 12345678901234567890123.123456789012, "1-30": 0, "31+": -0.000000000001}')) v(a);

-- malformed literals: 22P02, naming the position
SELECT '{"bounds": [30, 60, 90], "current": 1}'::customer_class.aging;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"bounds": [30], "current": 1, "1-30": 2, "30+": 3}'::customer_class.aging;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"bounds": [30, 20], "current": 1, "1-30": 2, "21-20": 3, "21+": 0}'::customer_class.aging;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"bounds": [0], "current": 1, "1-0": 2, "1+": 3}'::customer_class.aging;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"bounds": [], "current": 1}'::customer_class.aging;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"bounds": [30], "current": 1.x, "1-30": 2, "31+": 3}'::customer_class.aging;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"bounds": [30], "current": 1.0000000000001, "1-30": 2, "31+": 3}'::customer_class.aging;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"bounds": [30], "current": 1, "1-30": 2, "31+": 3} x'::customer_class.aging;
\echo :LAST_ERROR_SQLSTATE
SELECT ''::customer_class.aging;
\echo :LAST_ERROR_SQLSTATE

-- binary form round-trips (send -> recv through a COPY BINARY)
CREATE TEMP TABLE aging_bin (a customer_class.aging);
INSERT INTO aging_bin VALUES ('{"bounds":[7,14],"current":-1.5,"1-7":2,"8-14":0.125,"15+":99999999999999.999}');
COPY aging_bin TO '/tmp/customer_class_aging_regress.bin' WITH (FORMAT binary);
COPY aging_bin FROM '/tmp/customer_class_aging_regress.bin' WITH (FORMAT binary);
SELECT count(DISTINCT a::text) AS distinct_values, count(*) FROM aging_bin;
SELECT customer_class.aging_send(a) FROM aging_bin LIMIT 1;

-- invoices of one customer as of 2025-06-30: due in the future, just due,
-- 1, 30, 31, 75, 200 days past due, plus an unapplied credit (due NULL)
CREATE TEMP TABLE items (amount numeric, due_on date);
INSERT INTO items VALUES
	(100.00, '2025-07-15'), (50.00, '2025-06-30'), (10.00, '2025-06-29'),
	(20.00, '2025-05-31'), (30.00, '2025-05-30'), (40.00, '2025-04-16'),
	(5.00, '2024-12-12'), (-25.00, NULL), (NULL, '2025-01-01');
SELECT customer_class.aging_agg(amount, due_on, customer_class.as_of()) FROM items;
SELECT customer_class.aging_agg(amount, due_on, '2025-06-30', '{7,14,21,28}') FROM items;
SELECT customer_class.aging_agg(amount, due_on, '2025-06-30', '{30,60,90,120}') FROM items;
-- the aggregate sums exactly what sum() does
SELECT customer_class.aging_total(customer_class.aging_agg(amount, due_on, '2025-06-30')) = sum(amount) AS total_matches FROM items;
-- no rows, or only NULL amounts: NULL (as sum())
SELECT customer_class.aging_agg(amount, due_on, '2025-06-30') IS NULL AS empty_is_null FROM items WHERE false;
SELECT customer_class.aging_agg(amount, due_on, '2025-06-30') IS NULL AS null_amounts_skipped FROM items WHERE amount IS NULL;
-- amounts with more decimals raise the scale; nothing is rounded
SELECT customer_class.aging_agg(a, '2025-06-01', '2025-06-30') FROM (VALUES (0.1), (0.02), (0.003), (1e-12), (12)) v(a);
-- huge amounts: exact up to 37 digits, then 22003
SELECT customer_class.aging_agg(a, NULL, '2025-06-30') FROM (VALUES (9999999999999999999999999.99), (0.01)) v(a);
SELECT customer_class.aging_agg(a, NULL, '2025-06-30') FROM (VALUES (99999999999999999999999999.99), (99999999999999999999999999.99), (0.000000000001)) v(a);
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.aging_agg(1e-13, NULL, '2025-06-30');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.aging_agg('NaN', NULL, '2025-06-30');
\echo :LAST_ERROR_SQLSTATE
-- bad parameters: 22023
SELECT customer_class.aging_agg(amount, due_on, NULL) FROM items;
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.aging_agg(amount, due_on, '2025-06-30', NULL) FROM items;
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.aging_agg(amount, due_on, '2025-06-30', '{30,10}') FROM items;
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.aging_agg(amount, due_on, '2025-06-30', CASE WHEN amount > 60 THEN '{30}'::int[] ELSE '{60}' END) FROM items;
\echo :LAST_ERROR_SQLSTATE
-- infinite dates sort to the ends
SELECT customer_class.aging_agg(a, d, '2025-06-30') FROM (VALUES (1, '-infinity'::date), (2, 'infinity')) v(a, d);

-- operators and functions
CREATE TEMP TABLE ag AS SELECT customer_class.aging_agg(amount, due_on, '2025-06-30') AS a FROM items;
SELECT a -> 'current' AS cur, a -> '1-30' AS d1_30, a -> '91+' AS d91, a -> 'total' AS total, a -> 'nope' AS unknown FROM ag;
SELECT a::jsonb, jsonb_typeof(a::jsonb -> '61-90') FROM ag;
SELECT (a::jsonb ->> 'current')::numeric = a -> 'current' AS jsonb_exact FROM ag;
SELECT * FROM customer_class.aging_buckets((SELECT a FROM ag));
SELECT customer_class.aging_bounds(a) FROM ag;
SELECT a + a FROM ag;
SELECT a + '{"bounds": [30, 60, 90], "current": 0.001, "1-30": 0, "31-60": 0, "61-90": 0, "91+": 0}' FROM ag;
SELECT a + '{"bounds": [30], "current": 0, "1-30": 0, "31+": 0}' FROM ag;
\echo :LAST_ERROR_SQLSTATE

-- the published allowance example: buckets 18,000 / 5,000 / 2,000 / 200 at
-- 1% / 1.5% / 5% / 50% (bounds {30,60}: current, 1-30, 31-60, 61+) = 455
SELECT customer_class.aging_allowance(
	'{"bounds": [30, 60], "current": 18000.00, "1-30": 5000.00, "31-60": 2000.00, "61+": 200.00}',
	'{0.01,0.015,0.05,0.5}') AS allowance;
SELECT customer_class.aging_allowance(a, '{0,0.01,0.05,0.2,1}') FROM ag;
SELECT customer_class.aging_allowance(a, '{0.01,0.05}') FROM ag;
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.aging_allowance(a, '{0,0.01,0.05,0.2,50}') FROM ag;
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.aging_allowance(a, '{0,0.01,NULL,0.2,1}') FROM ag;
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.aging_allowance(a, '{0,0.01,-0.05,0.2,1}') FROM ag;
\echo :LAST_ERROR_SQLSTATE

-- as a window aggregate (running aging by due date)
SELECT due_on, customer_class.aging_agg(amount, due_on, '2025-06-30') OVER (ORDER BY due_on NULLS FIRST, amount) -> 'total' AS running_total
FROM items WHERE amount IS NOT NULL ORDER BY due_on NULLS FIRST, amount;

-- direct calls of the support functions do not modify their input
SELECT customer_class.aging_accum(a, 1, '2025-06-01', '2025-06-30') -> '1-30' AS added, a -> '1-30' AS unchanged FROM ag;
SELECT customer_class.aging_combine(a, a) -> 'total' AS doubled, a -> 'total' AS unchanged FROM ag;
SELECT customer_class.aging_combine(NULL, a) -> 'total' AS left_null, customer_class.aging_combine(a, NULL) -> 'total' AS right_null FROM ag;

-- parallel: the partial aggregates combine to the serial result
CREATE TABLE aging_par AS
SELECT g % 100 AS customer_id, (g % 997) * 1.25 AS amount, date '2025-06-30' - (g % 150) + 20 AS due_on
FROM generate_series(1, 200000) g;
ANALYZE aging_par;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT customer_class.aging_agg(amount, due_on, '2025-06-30') FROM aging_par;
CREATE TEMP TABLE par_result AS SELECT customer_class.aging_agg(amount, due_on, '2025-06-30')::text AS a FROM aging_par;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
SET max_parallel_workers_per_gather = 0;
SELECT a = (SELECT customer_class.aging_agg(amount, due_on, '2025-06-30')::text FROM aging_par) AS parallel_equals_serial, a FROM par_result;
-- and against plain SQL
SELECT sum(amount) FILTER (WHERE due_on >= '2025-06-30') AS current,
	   sum(amount) FILTER (WHERE '2025-06-30'::date - due_on BETWEEN 1 AND 30) AS d1_30,
	   sum(amount) FILTER (WHERE '2025-06-30'::date - due_on BETWEEN 31 AND 60) AS d31_60,
	   sum(amount) FILTER (WHERE '2025-06-30'::date - due_on BETWEEN 61 AND 90) AS d61_90,
	   sum(amount) FILTER (WHERE '2025-06-30'::date - due_on > 90) AS d91
FROM aging_par;
-- per-customer groups (hash and sort) agree with plain SQL
SELECT count(*) AS customers_differing FROM (
	SELECT customer_id, customer_class.aging_agg(amount, due_on, '2025-06-30') AS a,
		   sum(amount) FILTER (WHERE due_on >= '2025-06-30') AS cur,
		   sum(amount) FILTER (WHERE '2025-06-30'::date - due_on > 90) AS d91, sum(amount) AS total
	FROM aging_par GROUP BY customer_id) x
WHERE a -> 'current' IS DISTINCT FROM coalesce(cur, 0) OR a -> '91+' IS DISTINCT FROM coalesce(d91, 0)
   OR a -> 'total' <> total;
RESET max_parallel_workers_per_gather;
DROP TABLE aging_par;

-- bounds computed per row: each row is aged with its own array's contents
-- (a cache keyed by the array's address once reused the first row's bounds)
CREATE TEMP TABLE per_row AS
SELECT g, 10.00 AS amount, date '2025-06-10' AS due_on, CASE WHEN g % 2 = 0 THEN 10 ELSE 30 END AS b
FROM generate_series(1, 6) g;
SELECT b, customer_class.aging_agg(amount, due_on, '2025-06-30', ARRAY[b, 60, 90])
FROM per_row GROUP BY b ORDER BY b;
SELECT b, customer_class.aging_agg(amount, due_on, '2025-06-30', ARRAY[b, 60, 90]) -> 'total' AS total
FROM (SELECT * FROM per_row ORDER BY g) s GROUP BY b ORDER BY b DESC;
-- one group with rows of different bounds: 22023
SELECT customer_class.aging_agg(amount, due_on, '2025-06-30', ARRAY[b, 60, 90]) FROM (SELECT * FROM per_row ORDER BY g) s;
\echo :LAST_ERROR_SQLSTATE
-- a bad array after good ones is still checked
SELECT customer_class.aging_agg(amount, due_on, '2025-06-30', ARRAY[CASE WHEN g = 4 THEN 0 ELSE 10 END, 60])
FROM (SELECT * FROM per_row ORDER BY g) s;
\echo :LAST_ERROR_SQLSTATE

-- bounds above 100000 days: rejected everywhere (the last label would not
-- fit an integer: "-2147483648+")
SELECT customer_class.aging_bucket(200000, '{100000}') AS longest_bound;
SELECT * FROM customer_class.aging_buckets((SELECT customer_class.aging_agg(1, '2025-01-01', '2025-06-30', '{30,100000}')));
SELECT customer_class.aging_bucket(5, '{2147483647}');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.aging_agg(1, '2025-01-01', '2025-06-30', '{30,100001}');
\echo :LAST_ERROR_SQLSTATE
SELECT '{"bounds": [2147483647], "current": 0, "1-2147483647": 0, "-2147483648+": 0}'::customer_class.aging;
\echo :LAST_ERROR_SQLSTATE

-- binary input is checked like text input (22P03): values written in the
-- send format (version 1, nbounds, scale, bounds, amounts as two int64)
-- through COPY BINARY
CREATE TEMP TABLE aging_raw (b bytea);
CREATE TEMP TABLE aging_in (a customer_class.aging);
INSERT INTO aging_raw VALUES (decode(
	'01' || '0001' || '0002' || '0000001e'		-- version 1, 1 bound, scale 2, {30}
	|| '00000000000000000000000000000064'		-- current 1.00
	|| '00000000000000000000000000000000'		-- 1-30: 0.00
	|| 'ffffffffffffffffffffffffffffff9c', 'hex'));	-- 31+: -1.00
COPY aging_raw TO '/tmp/customer_class_aging_raw.bin' WITH (FORMAT binary);
COPY aging_in FROM '/tmp/customer_class_aging_raw.bin' WITH (FORMAT binary);
SELECT a FROM aging_in;
-- an amount of 2^127 - 1 units (beyond the 10^37 that sums are kept in)
UPDATE aging_raw SET b = overlay(b placing '\x7fffffffffffffffffffffffffffffff' from 10 for 16);
COPY aging_raw TO '/tmp/customer_class_aging_raw.bin' WITH (FORMAT binary);
COPY aging_in FROM '/tmp/customer_class_aging_raw.bin' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- a bound of 2147483647
UPDATE aging_raw SET b = overlay(overlay(b placing '\x7fffffff' from 6 for 4)
								 placing '\x00000000000000000000000000000064' from 10 for 16);
COPY aging_raw TO '/tmp/customer_class_aging_raw.bin' WITH (FORMAT binary);
COPY aging_in FROM '/tmp/customer_class_aging_raw.bin' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS rows_loaded FROM aging_in;

-- equality: same bounds and the same amounts, whatever the scale; hashable,
-- so DISTINCT, GROUP BY and hash joins work
CREATE TEMP TABLE ag_eq (id int, a customer_class.aging);
INSERT INTO ag_eq VALUES
	(1, '{"bounds": [30], "current": 1.5, "1-30": 2, "31+": 0}'),
	(2, '{"bounds": [30], "current": 1.500, "1-30": 2.00, "31+": 0.0}'),
	(3, '{"bounds": [30], "current": 1.5, "1-30": 2, "31+": 0.001}'),
	(4, '{"bounds": [60], "current": 1.5, "1-60": 2, "61+": 0}'),
	(5, '{"bounds": [30, 60], "current": 1.5, "1-30": 2, "31-60": 0, "61+": 0}');
SELECT x.id, y.id AS other, x.a = y.a AS eq, x.a <> y.a AS ne
FROM ag_eq x JOIN ag_eq y ON x.id < y.id ORDER BY 1, 2;
SELECT count(*) AS distinct_agings FROM (SELECT DISTINCT a FROM ag_eq) d;
SELECT count(*) AS union_rows FROM (SELECT a FROM ag_eq UNION SELECT a FROM ag_eq) u;
SELECT a, count(*) FROM ag_eq GROUP BY a ORDER BY min(id);
SELECT customer_class.aging_hash(x.a) = customer_class.aging_hash(y.a) AS same_hash,
	   customer_class.aging_hash_extended(x.a, 7) = customer_class.aging_hash_extended(y.a, 7) AS same_hash_extended
FROM ag_eq x, ag_eq y WHERE x.id = 1 AND y.id = 2;
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT x.id, y.id FROM ag_eq x JOIN ag_eq y ON x.a = y.a AND x.id < y.id;
SELECT x.id, y.id FROM ag_eq x JOIN ag_eq y ON x.a = y.a AND x.id < y.id;
RESET enable_mergejoin;
RESET enable_nestloop;
