-- Credit groups (docs/credit.md, "Credit groups"): customer.parent_id, no
-- cycles, the group limits at every checkpoint (the C order trigger, the
-- PL/pgSQL invoice trigger, credit_check()), a group of depth 3, grade D of a
-- parent, the ledger's group paths kept when parents change, the views and
-- credit_report().
SET customer_class.as_of = '2025-12-31';
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Holding (10) caps the group at 1000; East (11) and West (12) have 800
-- each; Shop (13) under East has 300 of its own; Solo (20) is in no group
INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on) VALUES
	(10, 'Holding', 1000, '2024-01-01'),
	(20, 'Solo', 1000, '2024-01-01');
INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on, parent_id) VALUES
	(11, 'East', 800, '2024-01-01', 10),
	(12, 'West', 800, '2024-01-01', 10),
	(13, 'Shop', 300, '2024-01-01', 11);
SELECT customer_id, group_path FROM customer_class.credit_exposure ORDER BY customer_id;

-- == Cycles are refused ==
\set VERBOSITY verbose
UPDATE customer_class.customer SET parent_id = 13 WHERE customer_id = 10;
UPDATE customer_class.customer SET parent_id = 11 WHERE customer_id = 11;
\set VERBOSITY default
-- a parent that is not a customer
INSERT INTO customer_class.customer (customer_id, name, parent_id) VALUES (30, 'Orphan', 999);
\echo :LAST_ERROR_SQLSTATE

-- == Orders: each member's own limit, then the group's ==
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (1, 11, '2025-12-01', 500.00);
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (2, 12, '2025-12-01', 400.00);
-- West alone would stay within its 800, but the group would reach 1000.01
\set VERBOSITY verbose
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (3, 12, '2025-12-02', 100.01);
\set VERBOSITY default
-- exactly at the group's limit passes
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (3, 12, '2025-12-02', 100.00);
-- the member's own limit still comes first
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (4, 13, '2025-12-02', 300.01);
\echo :LAST_ERROR_SQLSTATE
-- the parent's own order counts in the group too
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (5, 10, '2025-12-02', 0.01);
-- depth 3: 10 for Shop fits its own 300 and East's subtree (510 of 800),
-- not the holding's (1010 of 1000)
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (6, 13, '2025-12-02', 10.00);
-- a customer outside the group is unaffected
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (7, 20, '2025-12-02', 1000.00);
SELECT customer_id, parent_id, group_id, level, own_exposure, subtree_exposure, credit_limit
FROM customer_class.credit_group ORDER BY customer_id;

-- asking first gives the same answer, with the group's figures
SELECT customer_class.credit_check(11, 50, record => false) - 'credit_grade';
SELECT customer_class.credit_check(11, 0, record => false)
	->> 'group_id' AS group_id, customer_class.credit_check(20, 0, record => false) ? 'group_id' AS solo_has_group;

-- a payment of West frees room for East
INSERT INTO customer_class.payment (payment_id, customer_id, paid_on, amount) VALUES (1, 12, '2025-12-03', 200.00);
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (8, 11, '2025-12-03', 200.00);
-- East's subtree: 700 of its 800; Shop may add 100 more, not 100.01
SELECT group_id, level, group_exposure, credit_limit FROM customer_class.credit_group_limits(13, 100.01);
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (9, 13, '2025-12-03', 100.01);

-- == Invoices (warn mode): a warning and a limit_exceeded alert naming the group ==
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(1, 13, '2025-12-03', '2026-01-02', 150.00);
SELECT customer_id, kind, level, detail ->> 'violation' AS violation, detail ->> 'group_id' AS group_id
FROM customer_class.alerts WHERE customer_id IN (10, 11, 12, 13, 20) ORDER BY alert_id;
DELETE FROM customer_class.invoice WHERE invoice_id = 1;

-- == Grade D of the parent: its limit (policy D: 0) caps the group ==
UPDATE customer_class.customer SET credit_limit = NULL WHERE customer_id = 10;
INSERT INTO customer_class.profile (customer_id, as_of, scorecard_id, policy_version, scale_points, payment_points,
	stability_points, risk_points, internal_score, credit_score, computed_grade, credit_grade)
VALUES (10, '2025-12-31', 'default', 1, 10, 10, 10, 10, 10, 10, 'D', 'D');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (10, 12, '2025-12-04', 1.00);
-- a member's exception to off lifts its checks, the group's too
INSERT INTO customer_class.credit_check_exception (customer_id, checkpoint, mode, reason)
VALUES (12, 'order', 'off', 'group agreement');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (10, 12, '2025-12-04', 1.00);
DELETE FROM customer_class.credit_check_exception;
DELETE FROM customer_class.profile WHERE customer_id = 10;
UPDATE customer_class.customer SET credit_limit = 1000 WHERE customer_id = 10;

-- == Parents changed: the group paths follow ==
-- Shop leaves East for the holding; West leaves the group
UPDATE customer_class.customer SET parent_id = 10 WHERE customer_id = 13;
UPDATE customer_class.customer SET parent_id = NULL WHERE customer_id = 12;
SELECT customer_id, group_path FROM customer_class.credit_exposure WHERE customer_id BETWEEN 10 AND 13 ORDER BY 1;
-- East has no child any more: alone in the group under the holding
SELECT customer_id, parent_id, group_id, level, subtree_exposure FROM customer_class.credit_group ORDER BY 1;
-- the paths agree with a recomputation
SELECT customer_class.credit_group_sync(NULL) AS rows_changed;
SELECT count(*) AS differences FROM customer_class.verify_exposure();

-- == The views ==
SELECT customer_id, parent_id, group_id, exposure, group_exposure, group_credit_limit, group_available_credit
FROM customer_class.customer_profile WHERE customer_id IN (10, 11, 12, 13, 20) ORDER BY customer_id;
SELECT jsonb_pretty(customer_class.credit_report(13) -> 'group');
SELECT customer_class.credit_report(20) ? 'group' AS solo_has_group;

-- == The source column ==
SELECT role, ordinal, column_name, data_type, required FROM customer_class.source_shape()
WHERE role = 'customer' AND column_name = 'parent_id';
SELECT customer_id, parent_id FROM customer_class.src_customer WHERE parent_id IS NOT NULL ORDER BY 1;

-- a member cannot be deleted from under its members (the foreign key)
DELETE FROM customer_class.customer WHERE customer_id = 10;
\echo :LAST_ERROR_SQLSTATE

-- clean up
DELETE FROM customer_class.payment;
DELETE FROM customer_class.sales_order;
DELETE FROM customer_class.alerts;
UPDATE customer_class.customer SET parent_id = NULL;
DELETE FROM customer_class.customer;
SELECT count(*) AS ledger_rows FROM customer_class.credit_exposure;
