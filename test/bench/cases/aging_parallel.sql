-- A global aggregate per class (size class) over every invoice: with 2
-- workers the planner runs aging_agg as Partial Aggregate in the workers and
-- combines the states (the plan is printed after the timings).  Baseline:
-- the same query without parallel workers; the ratio is the parallel gain.
-- @ours
SET max_parallel_workers_per_gather = 2;
SELECT c.size_class, customer_class.aging_agg(i.amount, i.due_on, date '2025-12-31')
FROM customer_class.src_invoice i JOIN customer_class.src_customer c USING (customer_id)
GROUP BY c.size_class;
-- @baseline
SET max_parallel_workers_per_gather = 0;
SELECT c.size_class, customer_class.aging_agg(i.amount, i.due_on, date '2025-12-31')
FROM customer_class.src_invoice i JOIN customer_class.src_customer c USING (customer_id)
GROUP BY c.size_class;
-- @teardown
SET max_parallel_workers_per_gather = 2;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT c.size_class, customer_class.aging_agg(i.amount, i.due_on, date '2025-12-31')
FROM customer_class.src_invoice i JOIN customer_class.src_customer c USING (customer_id)
GROUP BY c.size_class;
CREATE TEMP TABLE par AS
SELECT c.size_class, customer_class.aging_agg(i.amount, i.due_on, date '2025-12-31')::text AS a
FROM customer_class.src_invoice i JOIN customer_class.src_customer c USING (customer_id)
GROUP BY c.size_class;
SET max_parallel_workers_per_gather = 0;
SELECT count(*) AS classes, bool_and(p.a = s.a) AS parallel_equals_serial
FROM par p JOIN (SELECT c.size_class, customer_class.aging_agg(i.amount, i.due_on, date '2025-12-31')::text AS a
				 FROM customer_class.src_invoice i JOIN customer_class.src_customer c USING (customer_id)
				 GROUP BY c.size_class) s USING (size_class);
