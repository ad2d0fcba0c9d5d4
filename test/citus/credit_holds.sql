-- Mode hold through the coordinator, run by test/citus/run.sh on the single
-- node and on Citus (shape managed) after credit_checks.sql, whose outputs
-- must be equal (hold ids are each node's own: run.sh masks them).  One
-- customer :c: an order over the limit is held, fails again while held (its
-- hold updated, ON CONFLICT), cannot be shipped (KC010), is not released
-- while the limit is short, is released once it is raised; a second held
-- order is rejected (cancelled).
\set VERBOSITY terse
\set SHOW_CONTEXT never
SELECT c.customer_id AS c FROM customer_class.customer c
JOIN customer_class.profile p USING (customer_id)
WHERE c.credit_limit IS NOT NULL AND p.credit_grade <> 'D'
ORDER BY c.customer_id OFFSET 3 LIMIT 1 \gset
\echo hold customer :c
SELECT customer_class.set_credit_setting('mode.order', 'hold') IS NOT NULL AS set;
UPDATE customer_class.customer c SET credit_limit = coalesce(x.exposure, 0) + 1000
FROM (SELECT (SELECT e.exposure FROM customer_class.credit_exposure e WHERE e.customer_id = :c) AS exposure) x
WHERE c.customer_id = :c;
-- over the limit: saved, on hold
INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount) VALUES (:c, current_date, 5000)
RETURNING order_id AS o \gset
\echo :c order 5000 held :SQLSTATE
-- raised while held: fails again, the same hold takes the amount
UPDATE customer_class.sales_order SET amount = 5500 WHERE order_id = :o;
\echo :c order raised while held :SQLSTATE
SELECT checkpoint, amount, reasons, sqlstate, status, count(*) OVER () AS holds
FROM customer_class.credit_hold WHERE customer_id = :c AND order_id = :o;
SELECT hold_id AS h FROM customer_class.credit_hold WHERE customer_id = :c AND order_id = :o AND status = 'held' \gset
-- held: cannot be shipped
UPDATE customer_class.sales_order SET status = 'shipped', shipped_on = current_date WHERE order_id = :o;
\echo :c ship held order :SQLSTATE
-- the limit still short: the release is refused, the hold stays
SELECT status FROM customer_class.release_credit_hold(:h, 'checked');
\echo :c release refused :SQLSTATE
UPDATE customer_class.customer SET credit_limit = credit_limit + 10000 WHERE customer_id = :c;
SELECT status, decision_reason FROM customer_class.release_credit_hold(:h, 'limit raised');
\echo :c release :SQLSTATE
SELECT status, decision_reason FROM customer_class.release_credit_hold(:h, 'again');
\echo :c release twice :SQLSTATE
-- a second order over the limit: held, then rejected (cancelled)
INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount) VALUES (:c, current_date, 50000)
RETURNING order_id AS o2 \gset
\echo :c order 50000 held :SQLSTATE
SELECT hold_id AS h2 FROM customer_class.credit_hold WHERE customer_id = :c AND order_id = :o2 AND status = 'held' \gset
SELECT status, decision_reason FROM customer_class.reject_credit_hold(:h2, 'too much');
\echo :c reject :SQLSTATE
SELECT amount, status FROM customer_class.sales_order WHERE order_id IN (:o, :o2) ORDER BY amount;
SELECT checkpoint, amount, reasons, sqlstate, message, status, decision_reason
FROM customer_class.credit_hold WHERE customer_id = :c ORDER BY amount;
SELECT customer_id, exposure, open_orders, shipped_not_invoiced, invoice_balance
FROM customer_class.credit_exposure WHERE customer_id = :c;
SELECT customer_class.reset_credit_setting('mode.order') IS NOT NULL AS reset;
