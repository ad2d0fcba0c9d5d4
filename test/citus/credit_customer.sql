-- The documents of one customer :c (test/citus/credit_checks.sql).
-- limit = exposure + 1,000
UPDATE customer_class.customer c SET credit_limit = coalesce(x.exposure, 0) + 1000
FROM (SELECT (SELECT e.exposure FROM customer_class.credit_exposure e WHERE e.customer_id = :c) AS exposure) x
WHERE c.customer_id = :c;
\echo :c limit :SQLSTATE
-- order over the limit: refused
INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount) VALUES (:c, current_date, 5000);
\echo :c order 5000 :SQLSTATE
-- order under it: accepted
INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount) VALUES (:c, current_date, 400)
RETURNING order_id AS o \gset
\echo :c order 400 :SQLSTATE
-- the limit lowered below the exposure, then the delivery: refused
UPDATE customer_class.customer SET credit_limit = credit_limit - 1000 WHERE customer_id = :c;
\echo :c limit lowered :SQLSTATE
UPDATE customer_class.sales_order SET status = 'shipped', shipped_on = current_date WHERE order_id = :o;
\echo :c delivery over the limit :SQLSTATE
-- raised again: delivered
UPDATE customer_class.customer SET credit_limit = credit_limit + 10000 WHERE customer_id = :c;
UPDATE customer_class.sales_order SET status = 'shipped', shipped_on = current_date WHERE order_id = :o;
\echo :c delivery :SQLSTATE
-- the order invoiced: accepted; an invoice over the limit: refused
INSERT INTO customer_class.invoice (customer_id, order_id, issued_on, due_on, amount)
VALUES (:c, :o, current_date, current_date + 30, 400);
\echo :c invoice of the order :SQLSTATE
INSERT INTO customer_class.invoice (customer_id, issued_on, due_on, amount)
VALUES (:c, current_date, current_date + 30, 50000);
\echo :c invoice 50000 :SQLSTATE
-- a payment: accepted, the exposure goes down
INSERT INTO customer_class.payment (customer_id, paid_on, amount) VALUES (:c, current_date, 300);
\echo :c payment :SQLSTATE
-- a tag: the tag history (class_history) written by the customer's trigger
UPDATE customer_class.customer SET tags = tags OPERATOR(customer_class.+) 'watch.credit_test' WHERE customer_id = :c;
\echo :c tag :SQLSTATE
SELECT customer_id, exposure, open_orders, shipped_not_invoiced, invoice_balance
FROM customer_class.credit_exposure WHERE customer_id = :c;
