-- Credit holds with the check menu (docs/credit.md, "Holds and release",
-- "The check menu"): in mode hold a document failing a rule of the menu is
-- held with the rule's reason and SQLSTATE, and a release checks the menu's
-- rules again.
SET customer_class.as_of = '2025-12-31';
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on) VALUES
	(9801, 'Menu Hold Alpha', 100000, '2024-01-01'), (9802, 'Menu Hold Beta', 100000, '2024-01-01');
INSERT INTO customer_class.credit_check_rule (rule, checkpoint, customer_id, amount, reason)
VALUES ('document_value', 'order', 9801, 500, 'large orders go to credit control');
INSERT INTO customer_class.credit_check_rule (rule, checkpoint, customer_id, days, pct, reason)
VALUES ('overdue_ratio', 'order', 9802, 30, 20, 'at most a fifth overdue');
SELECT customer_class.set_credit_setting('mode.order', 'hold');

-- == document_value: an order above the maximum is held (KC004) ==
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (980101, 9801, '2025-12-20', 600);
SELECT order_id, amount, reasons, sqlstate, message, status FROM customer_class.credit_hold WHERE customer_id = 9801;
SELECT kind, level, detail->>'hold_id' IS NOT NULL AS has_hold_id, detail->>'document_value' AS document_value
FROM customer_class.alerts WHERE customer_id = 9801 ORDER BY alert_id;
-- the release checks the rule again: refused while the order is above it
SELECT status FROM customer_class.release_credit_hold(
	(SELECT hold_id FROM customer_class.credit_hold WHERE order_id = 980101), 'customer called');
\echo :LAST_ERROR_SQLSTATE
-- credit control raises the maximum: released
UPDATE customer_class.credit_check_rule SET amount = 1000 WHERE customer_id = 9801;
SELECT status, decision_reason FROM customer_class.release_credit_hold(
	(SELECT hold_id FROM customer_class.credit_hold WHERE order_id = 980101), 'maximum raised');

-- == overdue_ratio: 1,000 of 4,000 open (25%) overdue more than 30 days ==
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(980201, 9802, '2025-10-01', '2025-10-31', 1000.00),
	(980202, 9802, '2025-12-15', '2026-01-14', 3000.00);
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (980203, 9802, '2025-12-20', 10);
SELECT order_id, amount, reasons, sqlstate, message, status FROM customer_class.credit_hold WHERE customer_id = 9802;
SELECT kind, detail->>'overdue_ratio' AS overdue_ratio FROM customer_class.alerts WHERE customer_id = 9802 ORDER BY alert_id;
SELECT status FROM customer_class.release_credit_hold(
	(SELECT hold_id FROM customer_class.credit_hold WHERE order_id = 980203), 'customer called');
\echo :LAST_ERROR_SQLSTATE
-- half of the overdue invoice paid: 500 of 3,500 (14.29%): released
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount) VALUES (980201, 9802, 980201, '2025-12-30', 500.00);
SELECT status, decision_reason FROM customer_class.release_credit_hold(
	(SELECT hold_id FROM customer_class.credit_hold WHERE order_id = 980203), 'half paid');

-- clean up: the later tests (dunning, collections) see no trace of these
SELECT customer_class.reset_credit_setting('mode.order');
DELETE FROM customer_class.credit_check_rule WHERE customer_id IN (9801, 9802);
DELETE FROM customer_class.payment WHERE customer_id IN (9801, 9802);
DELETE FROM customer_class.invoice WHERE customer_id IN (9801, 9802);
DELETE FROM customer_class.sales_order WHERE customer_id IN (9801, 9802);
DELETE FROM customer_class.credit_hold WHERE customer_id IN (9801, 9802);
DELETE FROM customer_class.alerts WHERE customer_id IN (9801, 9802);
DELETE FROM customer_class.dirty WHERE customer_id IN (9801, 9802);
DELETE FROM customer_class.credit_exposure WHERE customer_id IN (9801, 9802);
DELETE FROM customer_class.customer WHERE customer_id IN (9801, 9802);
SELECT count(*) FROM customer_class.verify_exposure();
