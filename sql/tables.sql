-- Managed source tables: keys, constraints and clear errors on bad input.

INSERT INTO customer_class.customer
	(customer_id, name, customer_type, industry, region, size_class, credit_limit, payment_terms_days, created_on)
VALUES
	(1, 'Shanghai Steel Co.', 'enterprise', 'manufacturing', 'east.shanghai', 'large', 500000, 30, '2023-01-10'),
	(2, '张三', 'individual', 'retail', 'north.beijing', 'micro', NULL, 0, '2024-05-01');

-- defaults: enterprise, 30 days, no own limit
INSERT INTO customer_class.customer (customer_id, name, created_on) VALUES (3, 'Defaults Ltd', '2025-01-01');
SELECT customer_id, customer_type, payment_terms_days, credit_limit, industry
FROM customer_class.customer WHERE customer_id = 3;

INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status, shipped_on) VALUES
	(10, 1, '2025-03-01', 1200.50, 'invoiced', '2025-03-03'),
	(11, 1, '2025-03-05', 800.00, 'open', NULL),
	(20, 2, '2025-03-02', 99.90, 'shipped', '2025-03-02');
INSERT INTO customer_class.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount) VALUES
	(100, 1, 10, '2025-03-03', '2025-04-02', 1200.50),
	(200, 2, 20, '2025-03-02', '2025-03-02', 99.90);
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount, kind) VALUES
	(1000, 1, 100, '2025-04-01', 1000.00, 'payment'),
	(1001, 1, 100, '2025-04-05', 200.50, 'credit_note'),
	(1002, 2, NULL, '2025-03-10', 50.00, 'payment');

-- money stays exact
SELECT i.invoice_id, i.amount - coalesce(sum(p.amount), 0) AS open_amount
FROM customer_class.invoice i LEFT JOIN customer_class.payment p USING (invoice_id)
GROUP BY i.invoice_id ORDER BY 1;

-- bad input, each with its constraint named
INSERT INTO customer_class.invoice (customer_id, issued_on, due_on, amount) VALUES (1, '2025-03-01', '2025-04-01', -5);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.invoice (customer_id, issued_on, due_on, amount) VALUES (1, '2025-03-01', '2025-04-01', 0);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.invoice (customer_id, issued_on, due_on, amount) VALUES (1, '2025-03-01', '2025-02-01', 10);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.invoice (customer_id, issued_on, due_on, amount) VALUES (1, NULL, '2025-02-01', 10);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.invoice (customer_id, issued_on, due_on, amount) VALUES (99, '2025-03-01', '2025-04-01', 10);
\echo :LAST_ERROR_SQLSTATE
-- an invoice may only bill its own customer's order
INSERT INTO customer_class.invoice (customer_id, order_id, issued_on, due_on, amount) VALUES (2, 11, '2025-03-01', '2025-04-01', 10);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount, status) VALUES (1, '2025-03-01', 10, 'pending');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount) VALUES (1, '2025-03-01', -1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount, status, shipped_on) VALUES (1, '2025-03-01', 1, 'shipped', '2025-02-01');
\echo :LAST_ERROR_SQLSTATE
UPDATE customer_class.sales_order SET status = 'lost' WHERE order_id = 11;
\echo :LAST_ERROR_SQLSTATE
-- a payment for another customer's invoice
INSERT INTO customer_class.payment (customer_id, invoice_id, paid_on, amount) VALUES (2, 100, '2025-04-01', 10);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.payment (customer_id, invoice_id, paid_on, amount) VALUES (1, 100, '2025-04-01', -10);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.payment (customer_id, invoice_id, paid_on, amount, kind) VALUES (1, 100, '2025-04-01', 10, 'cash');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.customer (name, customer_type, created_on) VALUES ('X', 'company', '2025-01-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.customer (name, created_on) VALUES ('   ', '2025-01-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.customer (name, credit_limit, created_on) VALUES ('X', -1, '2025-01-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.customer (name, payment_terms_days, created_on) VALUES ('X', 400, '2025-01-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.customer (name, region, created_on) VALUES ('X', 'east..shanghai', '2025-01-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.customer (name, size_class, created_on) VALUES ('X', 'huge', '2025-01-01');
\echo :LAST_ERROR_SQLSTATE
-- a customer with invoices cannot simply disappear
DELETE FROM customer_class.customer WHERE customer_id = 1;
\echo :LAST_ERROR_SQLSTATE

-- identity keys still work beside explicit ones
INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount) VALUES (3, '2025-05-01', 5) RETURNING order_id, status;

-- the per-customer indexes later work relies on
SELECT indexrelid::regclass AS index, pg_get_indexdef(indexrelid) LIKE '%(customer_id%' AS leads_with_customer
FROM pg_index
WHERE indrelid IN ('customer_class.invoice'::regclass, 'customer_class.payment'::regclass, 'customer_class.sales_order'::regclass)
  AND NOT indisprimary AND NOT indisunique
ORDER BY 1::text;

TRUNCATE customer_class.customer, customer_class.sales_order, customer_class.invoice, customer_class.payment;
