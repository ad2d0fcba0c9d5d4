-- Credit hold and release: in mode hold an order above the limit is saved
-- on hold instead of refused; it cannot ship until a credit manager
-- releases it, and the release checks it again.
\set SHOW_CONTEXT never
\set VERBOSITY terse
SELECT customer_class.set_credit_setting('mode.order', 'hold') \gset
-- the near-limit customer with the least room left (not grade D)
SELECT x.customer_id, l.credit_limit - x.exposure AS available
FROM customer_class.credit_exposure x
JOIN sample.customer_segment s USING (customer_id)
CROSS JOIN LATERAL customer_class.credit_limit_info(x.customer_id) l
WHERE s.segment = 'near_limit' AND x.exposure <= l.credit_limit AND l.credit_grade IS DISTINCT FROM 'D'
ORDER BY l.credit_limit - x.exposure, x.customer_id LIMIT 1 \gset
\echo '== Mode hold: an order of' :available '+ 2000.00 for customer' :customer_id 'is saved on credit hold'
INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount)
VALUES (:customer_id, customer_class.as_of(), :available + 2000) RETURNING order_id \gset
SELECT hold_id, order_id, amount, reasons, status, message FROM customer_class.credit_hold WHERE order_id = :order_id \gset
SELECT hold_id, order_id, amount, reasons, status FROM customer_class.credit_hold WHERE order_id = :order_id;
\echo '== It cannot be shipped while held (KC010)'
\set ON_ERROR_STOP 0
UPDATE customer_class.sales_order SET status = 'shipped', shipped_on = customer_class.as_of() WHERE order_id = :order_id;
\echo '== The credit manager releases it: refused while the limit does not cover it'
SELECT status FROM customer_class.release_credit_hold(:hold_id, 'customer called');
\set ON_ERROR_STOP 1
\echo '== A prepayment of 2000.00 comes in; released after a new check, and shipped'
INSERT INTO customer_class.payment (customer_id, paid_on, amount) VALUES (:customer_id, customer_class.as_of(), 2000);
SELECT hold_id, status, decided_by, decision_reason FROM customer_class.release_credit_hold(:hold_id, 'prepayment of 2000.00 received');
UPDATE customer_class.sales_order SET status = 'shipped', shipped_on = customer_class.as_of() WHERE order_id = :order_id
RETURNING order_id, status;
SELECT customer_class.reset_credit_setting('mode.order') \gset
