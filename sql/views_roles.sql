-- Canonical source views and the three roles.

INSERT INTO customer_class.customer (customer_id, name, region, created_on) VALUES
	(1, 'Alpha', 'east.shanghai', '2024-01-01'), (2, 'Beta', 'west.chengdu', '2024-02-01');
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(1, 1, '2025-01-01', '2025-01-31', 100.00), (2, 2, '2025-01-05', '2025-02-04', 250.25);
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount) VALUES
	(1, 1, 1, '2025-01-30', 100.00);
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES
	(1, 2, '2025-02-01', 40.00);

SELECT * FROM customer_class.src_customer ORDER BY customer_id;
SELECT * FROM customer_class.src_invoice ORDER BY invoice_id;
SELECT * FROM customer_class.src_payment ORDER BY payment_id;
SELECT * FROM customer_class.src_order ORDER BY order_id;

-- the views run with the caller's rights (row-level security applies)
SELECT c.relname, c.reloptions
FROM pg_class c WHERE c.relnamespace = 'customer_class'::regnamespace AND c.relkind = 'v'
  AND c.relname LIKE 'src\_%' ORDER BY 1;

-- roles and their chain: admin > analyst > reader
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'customer\_class\_%' ORDER BY 1;
SELECT pg_has_role('customer_class_admin', 'customer_class_reader', 'MEMBER') AS admin_reads,
       pg_has_role('customer_class_reader', 'customer_class_admin', 'MEMBER') AS reader_admins;

CREATE ROLE cc_test_bi LOGIN IN ROLE customer_class_reader;
CREATE ROLE cc_test_ops LOGIN IN ROLE customer_class_admin;
CREATE ROLE cc_test_nobody LOGIN;

SET ROLE cc_test_bi;
SELECT count(*) FROM customer_class.src_invoice;
INSERT INTO customer_class.customer (name) VALUES ('sneaky');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

SET ROLE cc_test_nobody;
SELECT count(*) FROM customer_class.src_invoice;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

SET ROLE cc_test_ops;
INSERT INTO customer_class.customer (customer_id, name) VALUES (3, 'Gamma');
SELECT count(*) FROM customer_class.src_customer;
RESET ROLE;

-- reinstalling when the roles already exist is no error (the managed tables
-- are the user's: DROP EXTENSION keeps them, so drop them too)
SET client_min_messages = warning;
DROP EXTENSION customer_class CASCADE;
DROP TABLE customer_class.payment, customer_class.invoice, customer_class.sales_order, customer_class.customer;
RESET client_min_messages;
SELECT count(*) AS roles_left FROM pg_roles WHERE rolname LIKE 'customer\_class\_%';
CREATE EXTENSION customer_class;
SELECT count(*) AS roles FROM pg_roles WHERE rolname LIKE 'customer\_class\_%';

DROP ROLE cc_test_bi, cc_test_ops, cc_test_nobody;

-- class labels in both languages, in class order
SELECT value, label_en, label_zh FROM customer_class.class_label
WHERE dimension = 'credit_grade' ORDER BY value::customer_class.credit_grade;
SELECT enum_range(NULL::customer_class.lifecycle_stage), 'A'::customer_class.credit_grade < 'D' AS a_is_best;
