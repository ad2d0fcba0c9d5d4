-- Credit check overhead on order entry: 2,000 orders, one INSERT (and one
-- transaction) each, as an ERP writes them, for 100 graded customers with
-- room under their limits, with every check on: mode block, rule.grade_d on,
-- rule.overdue_days 90, and the whole check menu (credit_check_rule) for
-- everyone -- horizon 30 days, document_value 1,000,000, overdue_ratio 50%
-- more than 90 days; no order is blocked.  Baseline: the same inserts into a
-- copy of sales_order with the same keys, indexes, foreign key, refresh-queue
-- trigger, explained-CHECK trigger and row-level security, but without the
-- credit triggers: the difference is what the credit checks cost.  ratio =
-- baseline / ours: the issue asks for at least 0.70.
-- @setup
SET customer_class.as_of = '2025-12-31';
-- the bench load (fast=1) bypasses the triggers: build the ledger first
SELECT customer_class.recompute_exposure() AS ledger_rows;
SELECT customer_class.refresh('2025-12-31') IS NOT NULL AS refreshed;
SELECT customer_class.set_credit_setting('rule.overdue_days', '90');
INSERT INTO customer_class.credit_check_rule (rule, days, amount, pct, reason) VALUES
	('horizon', 30, NULL, NULL, 'bench'), ('document_value', NULL, 1000000, NULL, 'bench'),
	('overdue_ratio', 90, NULL, 50, 'bench');
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS bench_credit CASCADE;
CREATE SCHEMA bench_credit;
-- 100 customers that pass every check with 2,000 more in orders
CREATE TABLE bench_credit.customers AS
SELECT row_number() OVER (ORDER BY x.customer_id) AS i, x.customer_id
FROM customer_class.credit_exposure x
CROSS JOIN LATERAL customer_class.credit_evaluate(x.customer_id, 'order', x.exposure + 2000, 2000) v
WHERE v.violation IS NULL AND v.credit_limit IS NOT NULL AND NOT v.nearly_used
ORDER BY x.customer_id LIMIT 100;
SELECT count(*) AS bench_customers FROM bench_credit.customers;
CREATE TABLE bench_credit.sales_order (LIKE customer_class.sales_order INCLUDING ALL);
ALTER TABLE bench_credit.sales_order ADD FOREIGN KEY (customer_id) REFERENCES customer_class.customer;
CREATE TRIGGER order_dirty_ins AFTER INSERT ON bench_credit.sales_order REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION customer_class.mark_dirty();
-- the managed table's other non-credit parts (sources/triggers.sql, access/policies.sql)
CREATE TRIGGER sales_order_explain_check BEFORE INSERT OR UPDATE ON bench_credit.sales_order
	FOR EACH ROW WHEN ((NEW.amount >= 0) IS FALSE
		OR (NEW.status IN ('open', 'shipped', 'invoiced', 'cancelled')) IS FALSE
		OR (NEW.shipped_on >= NEW.ordered_on) IS FALSE)
	EXECUTE FUNCTION customer_class.explain_check_violation();
ALTER TABLE bench_credit.sales_order ENABLE ROW LEVEL SECURITY;
CREATE POLICY customer_access ON bench_credit.sales_order
	USING (customer_class.access_visible(customer_id, (SELECT customer_class.access_query())))
	WITH CHECK (customer_class.access_visible(customer_id, (SELECT customer_class.access_query())));
-- @ours
SET customer_class.as_of = '2025-12-31';
SELECT format('INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount) VALUES (%s, %L, 1.00)',
			  c.customer_id, '2025-12-30')
FROM generate_series(1, 2000) g JOIN bench_credit.customers c ON c.i = g % 100 + 1 ORDER BY g
\gexec
-- @baseline
SET customer_class.as_of = '2025-12-31';
SELECT format('INSERT INTO bench_credit.sales_order (customer_id, ordered_on, amount) VALUES (%s, %L, 1.00)',
			  c.customer_id, '2025-12-30')
FROM generate_series(1, 2000) g JOIN bench_credit.customers c ON c.i = g % 100 + 1 ORDER BY g
\gexec
-- @teardown
SET customer_class.as_of = '2025-12-31';
SELECT format('orders inserted: ours %s, baseline %s (equal: none was blocked)',
	(SELECT count(*) FROM customer_class.sales_order o JOIN bench_credit.customers c USING (customer_id)
	 WHERE o.ordered_on = '2025-12-30' AND o.amount = 1.00),
	(SELECT count(*) FROM bench_credit.sales_order));
SELECT 'maintained-vs-recomputed differences: ' || count(*) FROM customer_class.verify_exposure();
SELECT 'rule.overdue_days back to ' || customer_class.reset_credit_setting('rule.overdue_days');
WITH d AS (DELETE FROM customer_class.credit_check_rule WHERE reason = 'bench' RETURNING 1)
SELECT 'check menu rules removed: ' || count(*) FROM d;
SET client_min_messages = warning;
DROP SCHEMA bench_credit CASCADE;
