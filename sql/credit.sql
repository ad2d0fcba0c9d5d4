-- Credit control: limits (policy, own limit, override), the exposure ledger
-- and its recomputation, the checks at order, delivery and invoice in each
-- mode, the rules, exceptions, alerts and NOTIFY, privileges.
SET customer_class.as_of = '2025-12-31';
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on) VALUES
	(1, 'Own Limit Ltd', 1000, '2024-01-01'),
	(2, 'Ungraded Ltd', NULL, '2024-01-01'),
	(3, 'Grade D Ltd', NULL, '2024-01-01'),
	(4, 'Grade B Ltd', NULL, '2024-01-01'),
	(5, 'Override Ltd', 1000, '2024-01-01');
-- grades as refresh() would write them
INSERT INTO customer_class.profile (customer_id, as_of, scorecard_id, policy_version, scale_points, payment_points,
	stability_points, risk_points, internal_score, credit_score, computed_grade, credit_grade)
VALUES (3, '2025-12-31', 'default', 1, 10, 10, 10, 10, 10, 10, 'D', 'D'),
	   (4, '2025-12-31', 'default', 1, 70, 70, 70, 70, 70, 70, 'B', 'B');

-- == Settings and limits ==
SELECT name, value, default_value, changed FROM customer_class.credit_settings ORDER BY name;
SELECT grade, method, amount, shipped FROM customer_class.credit_limit_policy ORDER BY grade NULLS FIRST;
-- own limit, "not graded yet" (no limit), grade D, grade B
SELECT c, (customer_class.credit_limit_info(c)).* FROM generate_series(1, 4) c;

-- shipped rows are read-only; bad settings are refused
UPDATE customer_class.credit_limit_policy SET amount = 1 WHERE grade = 'A';
\echo :LAST_ERROR_SQLSTATE
UPDATE customer_class.credit_setting SET value = 'off' WHERE name = 'mode.order';
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.set_credit_setting('mode.order', 'maybe');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.set_credit_setting('mode.nothing', 'off');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.set_credit_setting('alert.nearly_used_pct', '150');
\echo :LAST_ERROR_SQLSTATE

-- an admin policy row for grade B wins over the shipped one; a later row
-- takes over from its date (valid_until tells when)
INSERT INTO customer_class.credit_limit_policy (grade, method, amount, note) VALUES ('B', 'amount', 150000, 'tighter B');
INSERT INTO customer_class.credit_limit_policy (grade, valid_from, method, sales_multiple, sales_months, amount, max_amount, note)
VALUES ('B', '2026-01-01', 'sales_multiple', 2, 12, 5000, 300000, 'B by sales from 2026');
SELECT (customer_class.credit_limit_info(4)).*;
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(40, 4, '2025-06-01', '2025-07-01', 60000.00);
-- 2 x 60000 / 12 = 10000 (floor 5000, cap 300000)
SELECT (customer_class.credit_limit_info(4, '2026-01-15')).*;
DELETE FROM customer_class.invoice WHERE invoice_id = 40;

-- an override with reason and expiry beats the own limit, and is recorded
INSERT INTO customer_class.credit_limit_override (customer_id, credit_limit, reason, valid_from, expires_on)
VALUES (5, 5000, 'guaranteed by parent company', '2025-12-01', '2026-01-01');
SELECT credit_limit, limit_source ~ '^override #\d+ by \w+: guaranteed by parent company$' AS source_ok, valid_until
FROM customer_class.credit_limit_info(5);
SELECT credit_limit, limit_source FROM customer_class.credit_limit_info(5, '2026-01-01');
SELECT customer_id, dimension, new_value, why ~ 'guaranteed by parent company' AS why_ok FROM customer_class.class_history;

-- == Order checkpoint (block) ==
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (101, 1, '2025-12-01', 600.00);
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (102, 1, '2025-12-02', 400.00);
-- exactly at the limit passes; one cent more is blocked, naming customer,
-- exposure, limit and the amount asked
SELECT exposure FROM customer_class.credit_exposure WHERE customer_id = 1;
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (103, 1, '2025-12-03', 0.01);
\echo :LAST_ERROR_SQLSTATE
-- raising an amount is an order check too; the failed statements changed nothing
UPDATE customer_class.sales_order SET amount = 700 WHERE order_id = 101;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.credit_exposure WHERE customer_id = 1;
-- lowering an amount or cancelling frees exposure without a check
UPDATE customer_class.sales_order SET amount = 500 WHERE order_id = 101;
UPDATE customer_class.sales_order SET status = 'cancelled' WHERE order_id = 102;
SELECT exposure FROM customer_class.credit_exposure WHERE customer_id = 1;
-- a cancelled order reopened is a new order
UPDATE customer_class.sales_order SET status = 'open' WHERE order_id = 102;
SELECT exposure FROM customer_class.credit_exposure WHERE customer_id = 1;
UPDATE customer_class.sales_order SET status = 'cancelled', amount = 600 WHERE order_id = 102;
UPDATE customer_class.sales_order SET status = 'open' WHERE order_id = 102;
\echo :LAST_ERROR_SQLSTATE

-- no limit: the customer not graded yet takes any order
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (201, 2, '2025-12-01', 1000000.00);

-- == Order checkpoint in warn mode, and off ==
SELECT customer_class.set_credit_setting('mode.order', 'warn');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (104, 1, '2025-12-04', 600.00);
SELECT customer_id, kind, level, occurrences, detail->>'exposure_after' AS exposure_after, detail->>'credit_limit' AS credit_limit,
	   detail->>'what' AS what, resolved_at IS NULL AS open
FROM customer_class.alerts ORDER BY alert_id;
-- again: the open alert counts one more occurrence
UPDATE customer_class.sales_order SET amount = 700 WHERE order_id = 104;
SELECT kind, occurrences FROM customer_class.alerts ORDER BY alert_id;
SELECT customer_class.set_credit_setting('mode.order', 'off');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (105, 1, '2025-12-05', 50.00);
SELECT customer_class.reset_credit_setting('mode.order');
SELECT name, value, changed FROM customer_class.credit_settings WHERE name = 'mode.order';
DELETE FROM customer_class.sales_order WHERE order_id IN (104, 105);
SELECT exposure FROM customer_class.credit_exposure WHERE customer_id = 1;

-- == Exceptions per customer ==
INSERT INTO customer_class.credit_check_exception (customer_id, checkpoint, mode, reason)
VALUES (1, 'order', 'off', 'group company');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (106, 1, '2025-12-06', 5000.00);
SELECT customer_class.credit_check_mode(1, 'order'), customer_class.credit_check_mode(1, 'delivery'),
	   customer_class.credit_check_mode(2, 'order');
-- an expired exception no longer applies
UPDATE customer_class.credit_check_exception SET expires_on = '2025-12-31' WHERE customer_id = 1;
SELECT customer_class.credit_check_mode(1, 'order');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (107, 1, '2025-12-07', 1.00);
\echo :LAST_ERROR_SQLSTATE

-- == Delivery checkpoint (block): the exposure with the order must fit ==
-- over the limit because of order 106 (excepted at order time): its delivery is blocked
UPDATE customer_class.sales_order SET status = 'shipped', shipped_on = '2025-12-08' WHERE order_id = 106;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM customer_class.sales_order WHERE order_id = 106;
UPDATE customer_class.sales_order SET status = 'shipped', shipped_on = '2025-12-08' WHERE order_id = 101;
SELECT * FROM customer_class.credit_exposure WHERE customer_id = 1;

-- == Invoice checkpoint (warn): the order billed leaves the exposure ==
INSERT INTO customer_class.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount)
VALUES (1001, 1, 101, '2025-12-08', '2026-01-07', 500.00);
-- the invoice replaces the order at once (not counted twice until the ERP
-- marks the order invoiced), and marking it invoiced changes nothing more
SELECT * FROM customer_class.credit_exposure WHERE customer_id = 1;
UPDATE customer_class.sales_order SET status = 'invoiced' WHERE order_id = 101;
SELECT * FROM customer_class.credit_exposure WHERE customer_id = 1;
-- an invoice without order above the limit: warned and alerted, not blocked
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount)
VALUES (1002, 1, '2025-12-09', '2026-01-08', 600.00);
SELECT kind, level, detail->>'checkpoint' AS checkpoint, detail->>'what' AS what, occurrences
FROM customer_class.alerts WHERE resolved_at IS NULL ORDER BY alert_id;
-- in block mode it fails like an order
SELECT customer_class.set_credit_setting('mode.invoice', 'block');
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount)
VALUES (1003, 1, '2025-12-09', '2026-01-08', 1.00);
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.reset_credit_setting('mode.invoice');

-- == Payments and credit notes lower exposure ==
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount, kind) VALUES
	(1, 1, 1001, '2025-12-20', 300.00, 'payment'),
	(2, 1, 1002, '2025-12-20', 100.00, 'credit_note'),
	(3, 1, NULL, '2025-12-21', 450.00, 'payment');
SELECT * FROM customer_class.credit_exposure WHERE customer_id = 1;
UPDATE customer_class.payment SET invoice_id = 1002 WHERE payment_id = 3;
UPDATE customer_class.payment SET amount = 50.00 WHERE payment_id = 1;
DELETE FROM customer_class.payment WHERE payment_id = 2;
SELECT * FROM customer_class.credit_exposure WHERE customer_id = 1;

-- == Rule: grade D ==
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (301, 3, '2025-12-01', 0.00);
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (302, 3, '2025-12-01', 10.00);
\echo :LAST_ERROR_SQLSTATE
-- with the rule off, D's limit of 0 still blocks; with an own limit it passes
SELECT customer_class.set_credit_setting('rule.grade_d', 'off');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (302, 3, '2025-12-01', 10.00);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_limit_override (customer_id, credit_limit, reason, valid_from, expires_on)
VALUES (3, 100, 'cash in advance received', '2025-12-01', '2026-03-01');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (302, 3, '2025-12-01', 10.00);
SELECT customer_class.reset_credit_setting('rule.grade_d');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (303, 3, '2025-12-01', 10.00);
\echo :LAST_ERROR_SQLSTATE

-- == Rule: invoice more than N days overdue ==
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(2001, 2, '2025-09-01', '2025-10-01', 100.00);
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (202, 2, '2025-12-10', 10.00);
SELECT customer_class.set_credit_setting('rule.overdue_days', '60');
-- 91 days overdue (as of 2025-12-31): blocked
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (203, 2, '2025-12-10', 10.00);
\echo :LAST_ERROR_SQLSTATE
-- as of an earlier date it is only 30 days overdue
SET customer_class.as_of = '2025-10-31';
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (203, 2, '2025-10-10', 10.00);
SET customer_class.as_of = '2025-12-31';
-- paid in part it is still open; paid in full the rule passes
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount) VALUES (20, 2, 2001, '2025-12-30', 99.99);
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (204, 2, '2025-12-10', 10.00);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount) VALUES (21, 2, 2001, '2025-12-30', 0.01);
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (204, 2, '2025-12-10', 10.00);
-- as of a date before those payments it was still open (75 days overdue): blocked
SET customer_class.as_of = '2025-12-15';
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (205, 2, '2025-12-10', 10.00);
\echo :LAST_ERROR_SQLSTATE
SET customer_class.as_of = '2025-12-31';
SELECT customer_class.reset_credit_setting('rule.overdue_days');

-- == Limit nearly used (90% by default) ==
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (501, 5, '2025-12-01', 4400.00);
SELECT count(*) FROM customer_class.alerts WHERE customer_id = 5;
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (502, 5, '2025-12-02', 100.00);
SELECT customer_id, kind, level, detail->>'exposure_after' AS exposure_after, detail->>'credit_limit' AS credit_limit
FROM customer_class.alerts WHERE customer_id = 5;

-- == credit_check(): ask first; a "blocked" answer is recorded ==
SELECT customer_class.credit_check(5, 400.00, record => false) - 'limit_source';
SELECT customer_class.credit_check(5, 600.00) - 'limit_source';
SELECT customer_class.credit_check(5, 600.00, 'invoice') ->> 'allowed' AS invoice_allowed;
SELECT customer_class.credit_check(99, 1.00);
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.credit_check(5, 1.00, 'shipping');
\echo :LAST_ERROR_SQLSTATE
SELECT kind, level, detail->>'what' AS what FROM customer_class.alerts WHERE customer_id = 5 ORDER BY alert_id;

-- == Raising an alert again counts it (NOTIFY is tested in test/t/010_credit.pl) ==
SELECT customer_class.raise_alert(4, 'grade_d', 'red', '{"note": "test"}') IS NOT NULL AS new_alert;
SELECT customer_class.raise_alert(4, 'grade_d', 'red', '{"note": "again"}') IS NULL AS counted_again;

-- == The periodic scan ==
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(4001, 4, '2025-10-01', '2025-11-15', 1000.00);
SELECT customer_class.credit_alert_scan() AS new_alerts;
SELECT customer_id, kind, level, detail->>'days_overdue' AS days_overdue, detail->>'exposure' AS exposure
FROM customer_class.alerts WHERE resolved_at IS NULL ORDER BY customer_id, kind;
-- paid: the scan resolves the overdue alert
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount) VALUES (40, 4, 4001, '2025-12-30', 1000.00);
SELECT customer_class.credit_alert_scan() AS new_alerts;
SELECT customer_id, kind, resolved_at IS NOT NULL AS resolved FROM customer_class.alerts
WHERE customer_id = 4 ORDER BY alert_id;
SELECT customer_class.resolve_alert(alert_id) FROM customer_class.alerts WHERE customer_id = 4 AND kind = 'grade_d';

-- == credit_report(): the whole picture of one customer ==
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(4002, 4, '2025-09-01', '2025-10-01', 700.00), (4003, 4, '2025-12-01', '2025-12-31', 300.00);
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount) VALUES (41, 4, 4002, '2025-12-30', 200.00);
SELECT r->'customer'->>'name' AS name, r->'grade'->>'grade' AS grade, r->'grade'->>'label_zh' AS label_zh,
	   jsonb_array_length(r->'explanation') AS explanation_rows, r->>'alert_level' AS alert_level,
	   jsonb_array_length(r->'open_alerts') AS open_alerts
FROM customer_class.credit_report(4) r;
SELECT key, value FROM customer_class.credit_report(4) r, jsonb_each(r - 'customer' - 'grade' - 'explanation' - 'open_alerts' - 'history' - 'alert_level') ORDER BY key;
SELECT customer_class.credit_report(99);
\echo :LAST_ERROR_SQLSTATE
DELETE FROM customer_class.payment WHERE payment_id = 41;
DELETE FROM customer_class.invoice WHERE invoice_id IN (4002, 4003);

-- == The ledger agrees with a full recomputation ==
SELECT * FROM customer_class.verify_exposure();
SELECT x.customer_id, x.exposure, r.exposure AS recomputed
FROM customer_class.credit_exposure x JOIN customer_class.exposure_recomputed() r USING (customer_id) ORDER BY 1;
-- a damaged ledger is found and repaired
UPDATE customer_class.credit_exposure SET open_orders = open_orders + 1 WHERE customer_id = 2;
SELECT customer_id, maintained, recomputed FROM customer_class.verify_exposure();
SELECT customer_class.recompute_exposure() AS rows_fixed;
SELECT count(*) AS differences FROM customer_class.verify_exposure();
-- moving an order or an invoice to another customer moves its exposure
UPDATE customer_class.sales_order SET customer_id = 2 WHERE order_id = 501;
SELECT customer_id, exposure FROM customer_class.credit_exposure WHERE customer_id IN (2, 5) ORDER BY 1;
SELECT count(*) AS differences FROM customer_class.verify_exposure();
BEGIN;
SET LOCAL transaction_isolation = 'repeatable read';
SELECT customer_class.recompute_exposure();
ROLLBACK;

-- == Privileges: an ERP role that may write orders gets the checks ==
CREATE ROLE credit_erp;
GRANT customer_class_admin TO credit_erp;
SET ROLE credit_erp;
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (110, 1, '2025-12-10', 5000.00);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (110, 4, '2025-12-10', 5000.00);
-- the ledger and the alerts are not theirs to write
UPDATE customer_class.credit_exposure SET open_orders = 0;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM customer_class.alerts;
\echo :LAST_ERROR_SQLSTATE
-- but the admin sets the policy
SELECT customer_class.set_credit_setting('alert.nearly_used_pct', '80');
SELECT set_by = 'credit_erp' AS set_by_erp FROM customer_class.credit_setting WHERE name = 'alert.nearly_used_pct' AND NOT shipped;
SELECT customer_class.reset_credit_setting('alert.nearly_used_pct');
RESET ROLE;
-- analysts resolve and scan alerts, and verify the ledger, but raise none by hand
SET ROLE customer_class_analyst;
SELECT customer_class.raise_alert(4, 'blocked', 'red', '{"forged": true}');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS differences FROM customer_class.verify_exposure();
SELECT customer_class.resolve_alert(alert_id) AS resolved FROM customer_class.alerts
WHERE customer_id = 5 AND kind = 'blocked' AND resolved_at IS NULL;
-- nor write the table: alerts are written by the extension's functions only
INSERT INTO customer_class.alerts (customer_id, kind, level) VALUES (4, 'blocked', 'red');
\echo :LAST_ERROR_SQLSTATE
UPDATE customer_class.alerts SET resolved_at = now() WHERE resolved_at IS NULL;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE customer_class_reader;
SELECT count(*) > 0 AS reads FROM customer_class.alerts;
SELECT exposure FROM customer_class.credit_exposure WHERE customer_id = 4;
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (111, 4, '2025-12-10', 5.00);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE credit_erp;

-- == A limit from sales moves with every invoice: each check reads it afresh ==
SET customer_class.as_of = '2026-01-15';
-- grade B from 2026: 2 x monthly sales, at least 5000; exposure 5000 already
SELECT credit_limit, limit_source FROM customer_class.credit_limit_info(4);
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (130, 4, '2026-01-10', 1000.00);
\echo :LAST_ERROR_SQLSTATE
-- 60000 invoiced (and paid) in the last 12 months: the limit is 10000 now
SELECT customer_class.set_credit_setting('mode.invoice', 'off');
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(41, 4, '2025-12-01', '2026-06-01', 60000.00);
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount) VALUES
	(41, 4, 41, '2025-12-15', 60000.00);
SELECT customer_class.reset_credit_setting('mode.invoice');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (130, 4, '2026-01-10', 1000.00);
SELECT exposure FROM customer_class.credit_exposure WHERE customer_id = 4;
DELETE FROM customer_class.sales_order WHERE order_id = 130;
DELETE FROM customer_class.payment WHERE payment_id = 41;
DELETE FROM customer_class.invoice WHERE invoice_id = 41;
SET customer_class.as_of = '2025-12-31';

-- == An order inserted shipped, or shipped with a higher amount, is an order too ==
INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on) VALUES
	(6, 'Shipper Ltd', 1000, '2024-01-01'),
	(7, 'Biller Ltd', 1000, '2024-01-01');
-- with deliveries unchecked, the order check still holds
SELECT customer_class.set_credit_setting('mode.delivery', 'off');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status, shipped_on)
VALUES (601, 6, '2025-12-01', 50000.00, 'shipped', '2025-12-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (602, 6, '2025-12-01', 800.00);
UPDATE customer_class.sales_order SET status = 'shipped', amount = 90000 WHERE order_id = 602;
\echo :LAST_ERROR_SQLSTATE
-- shipped as it is: a delivery only, unchecked here
UPDATE customer_class.sales_order SET status = 'shipped' WHERE order_id = 602;
UPDATE customer_class.sales_order SET status = 'open' WHERE order_id = 602;
-- deliveries in warn mode: over the limit (orders excepted) a delivery passes with a warning and an alert
SELECT customer_class.set_credit_setting('mode.delivery', 'warn');
INSERT INTO customer_class.credit_check_exception (customer_id, checkpoint, mode, reason)
VALUES (6, 'order', 'off', 'test: order checks off');
UPDATE customer_class.sales_order SET amount = 1200 WHERE order_id = 602;
UPDATE customer_class.sales_order SET status = 'shipped' WHERE order_id = 602;
SELECT kind, level, detail->>'checkpoint' AS checkpoint, detail->>'mode' AS mode, detail->>'exposure_after' AS exposure_after
FROM customer_class.alerts WHERE customer_id = 6 ORDER BY alert_id;
-- a delivery exception (block) for the customer wins over the setting
UPDATE customer_class.sales_order SET status = 'open' WHERE order_id = 602;
INSERT INTO customer_class.credit_check_exception (customer_id, checkpoint, mode, reason)
VALUES (6, 'delivery', 'block', 'test: deliveries blocked');
UPDATE customer_class.sales_order SET status = 'shipped' WHERE order_id = 602;
\echo :LAST_ERROR_SQLSTATE
-- an exception for every checkpoint (checkpoint NULL); one for the checkpoint itself wins over it
DELETE FROM customer_class.credit_check_exception WHERE customer_id = 6;
INSERT INTO customer_class.credit_check_exception (customer_id, checkpoint, mode, reason)
VALUES (6, NULL, 'off', 'test: all checks off');
SELECT c AS checkpoint, customer_class.credit_check_mode(6, c) AS mode FROM unnest(ARRAY['order', 'delivery', 'invoice']) c;
UPDATE customer_class.sales_order SET status = 'shipped' WHERE order_id = 602;
INSERT INTO customer_class.credit_check_exception (customer_id, checkpoint, mode, reason)
VALUES (6, 'order', 'block', 'test: orders blocked');
SELECT c AS checkpoint, customer_class.credit_check_mode(6, c) AS mode FROM unnest(ARRAY['order', 'delivery', 'invoice']) c;
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (603, 6, '2025-12-01', 1.00);
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.reset_credit_setting('mode.delivery');
DELETE FROM customer_class.credit_check_exception WHERE customer_id = 6;
DELETE FROM customer_class.sales_order WHERE customer_id = 6;
UPDATE customer_class.alerts SET resolved_at = now() WHERE customer_id = 6;

-- == alert.nearly_used_pct: 60% used raises nothing at 90, an alert at 50 ==
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (604, 6, '2025-12-01', 600.00);
SELECT customer_class.set_credit_setting('alert.nearly_used_pct', '50');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (605, 6, '2025-12-01', 10.00);
SELECT kind, level, detail->>'exposure_after' AS exposure_after FROM customer_class.alerts
WHERE customer_id = 6 AND resolved_at IS NULL;
SELECT customer_class.reset_credit_setting('alert.nearly_used_pct');

-- == An invoice replaces the part of its order it bills, at once ==
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status, shipped_on)
VALUES (701, 7, '2025-12-01', 600.00, 'shipped', '2025-12-02');
INSERT INTO customer_class.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount)
VALUES (7001, 7, 701, '2025-12-02', '2026-01-01', 600.00);
SELECT open_orders, shipped_not_invoiced, invoice_balance, exposure FROM customer_class.credit_exposure WHERE customer_id = 7;
-- so an order of 300 fits (900), before the ERP marks 701 invoiced
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (702, 7, '2025-12-03', 300.00);
UPDATE customer_class.sales_order SET status = 'invoiced' WHERE order_id = 701;
SELECT open_orders, shipped_not_invoiced, invoice_balance, exposure FROM customer_class.credit_exposure WHERE customer_id = 7;
-- partial invoices: 100 leaves 200 open; 250 more bills more than is left, which counts 0, not less
INSERT INTO customer_class.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount)
VALUES (7002, 7, 702, '2025-12-04', '2026-01-03', 100.00);
SELECT open_orders, invoice_balance, exposure FROM customer_class.credit_exposure WHERE customer_id = 7;
INSERT INTO customer_class.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount)
VALUES (7003, 7, 702, '2025-12-05', '2026-01-04', 250.00);
SELECT open_orders, invoice_balance, exposure FROM customer_class.credit_exposure WHERE customer_id = 7;
-- an invoice lowered or deleted gives the order its part back
UPDATE customer_class.invoice SET amount = 150.00 WHERE invoice_id = 7003;
SELECT open_orders, invoice_balance, exposure FROM customer_class.credit_exposure WHERE customer_id = 7;
DELETE FROM customer_class.invoice WHERE invoice_id = 7003;
SELECT open_orders, invoice_balance, exposure FROM customer_class.credit_exposure WHERE customer_id = 7;
-- the order raised: what is not invoiced grows, and is checked (700 + 400 > 1000)
UPDATE customer_class.sales_order SET amount = 500.00 WHERE order_id = 702;
\echo :LAST_ERROR_SQLSTATE
UPDATE customer_class.sales_order SET amount = 350.00 WHERE order_id = 702;
SELECT open_orders, invoice_balance, exposure FROM customer_class.credit_exposure WHERE customer_id = 7;
SELECT count(*) AS differences FROM customer_class.verify_exposure();

-- == Exposure raised outside the checkpoints: a warning and an alert, never a block ==
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount) VALUES (70, 7, NULL, '2025-12-20', 500.00);
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (703, 7, '2025-12-21', 400.00);
SELECT exposure FROM customer_class.credit_exposure WHERE customer_id = 7;
DELETE FROM customer_class.payment WHERE payment_id = 70;
SELECT kind, level, detail->>'exposure_after' AS exposure_after, detail->>'increase' AS increase, detail->>'what' AS what
FROM customer_class.alerts WHERE customer_id = 7 AND kind = 'limit_exceeded';
DELETE FROM customer_class.sales_order WHERE order_id = 703;

-- == Limit overrides: the start defaults to as_of(); edits and deletions are recorded ==
INSERT INTO customer_class.credit_limit_override (customer_id, credit_limit, reason, expires_on)
VALUES (7, 2000, 'seasonal', '2026-06-30') RETURNING valid_from;
SELECT credit_limit FROM customer_class.credit_limit_info(7);
UPDATE customer_class.credit_limit_override SET credit_limit = 1500, expires_on = '2026-03-31' WHERE customer_id = 7;
DELETE FROM customer_class.credit_limit_override WHERE customer_id = 7;
SELECT old_value, new_value, as_of, regexp_replace(replace(why, current_user, '<user>'), '#\d+', '#n') AS why
FROM customer_class.class_history WHERE customer_id = 7 ORDER BY history_id;

-- == A NOTIFY carries no detail: any size of detail can be raised ==
SELECT customer_class.raise_alert(7, 'grade_d', 'red', jsonb_build_object('note', repeat('x', 9000))) IS NOT NULL AS raised;
SELECT length(detail->>'note') FROM customer_class.alerts WHERE customer_id = 7 AND kind = 'grade_d';

-- == verify_exposure() takes no lock and works under REPEATABLE READ too ==
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) AS differences FROM customer_class.verify_exposure();
SELECT count(*) AS locks FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
WHERE c.relname = 'credit_exposure' AND l.pid = pg_backend_pid() AND l.mode <> 'AccessShareLock';
COMMIT;

-- == A restore re-inserts rows without checking them ==
SET check_function_bodies = off;
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (120, 1, '2025-12-10', 99999.00);
RESET check_function_bodies;
SELECT exposure FROM customer_class.credit_exposure WHERE customer_id = 1;

-- == TRUNCATE rebuilds the ledger (under READ COMMITTED: it says so otherwise) ==
BEGIN ISOLATION LEVEL REPEATABLE READ;
TRUNCATE customer_class.payment;
ROLLBACK;
TRUNCATE customer_class.payment;
SELECT count(*) AS differences FROM customer_class.verify_exposure();
SELECT customer_id, invoice_balance, unapplied_credits FROM customer_class.credit_exposure ORDER BY 1;

TRUNCATE customer_class.customer, customer_class.sales_order, customer_class.invoice, customer_class.payment,
	customer_class.profile, customer_class.class_history, customer_class.dirty, customer_class.alerts;
DELETE FROM customer_class.credit_limit_policy WHERE NOT shipped;
DELETE FROM customer_class.credit_limit_override;
DELETE FROM customer_class.credit_check_exception;
SELECT count(*) AS ledger_rows FROM customer_class.credit_exposure;
