-- The check menu (docs/credit.md, "The check menu"): the rules horizon,
-- document_value and overdue_ratio, each per checkpoint and for everyone, a
-- grade or a customer (credit_check_rule), each failing with its own reason
-- (violation, alert kind, SQLSTATE, the DETAIL's reason), through the C order
-- trigger, the invoice trigger, credit_check() and the write side of a bound
-- ERP; bad rule rows refused with what to write.
SET customer_class.as_of = '2025-12-31';
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO customer_class.customer (customer_id, name, created_on, credit_limit) VALUES
	(801, 'Horizon Ltd', '2024-01-01', 1000),
	(802, 'Big Orders Ltd', '2024-01-01', 100000),
	(803, 'Slow Payer Ltd', '2024-01-01', 100000),
	(804, 'Trusted Ltd', '2024-01-01', 100000);
-- grades as refresh() would write them
INSERT INTO customer_class.profile (customer_id, as_of, scorecard_id, policy_version, scale_points, payment_points,
	stability_points, risk_points, internal_score, credit_score, computed_grade, credit_grade)
VALUES (801, '2025-12-31', 'default', 1, 80, 80, 80, 80, 80, 80, 'B', 'B'),
	   (802, '2025-12-31', 'default', 1, 60, 60, 60, 60, 60, 60, 'C', 'C'),
	   (803, '2025-12-31', 'default', 1, 80, 80, 80, 80, 80, 80, 'B', 'B'),
	   (804, '2025-12-31', 'default', 1, 60, 60, 60, 60, 60, 60, 'C', 'C');

-- == Bad rule rows: refused, saying what to write ==
INSERT INTO customer_class.credit_check_rule (rule, amount) VALUES ('max_value', 100);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_check_rule (rule, checkpoint, amount) VALUES ('document_value', 'shipping', 100);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_check_rule (rule, grade, customer_id, amount) VALUES ('document_value', 'C', 802, 100);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_check_rule (rule) VALUES ('document_value');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_check_rule (rule, days, amount) VALUES ('horizon', 30, 100);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_check_rule (rule, days) VALUES ('overdue_ratio', 60);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_check_rule (rule, days) VALUES ('horizon', 5000);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_check_rule (rule, days, pct) VALUES ('overdue_ratio', 60, 150);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_check_rule (rule, customer_id, amount) VALUES ('document_value', 999999, 100);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_check_rule (rule, amount) VALUES ('document_value', 100), ('document_value', 200);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS rule_rows FROM customer_class.credit_check_rule;

-- == horizon: at the order checkpoint, open orders due to ship more than
-- 30 days ahead do not count against the limit (SAP's dynamic check) ==
INSERT INTO customer_class.credit_check_rule (rule, checkpoint, days, reason)
VALUES ('horizon', 'order', 30, 'dynamic check at order entry');
-- 801: limit 1000; 900 due to ship at the end of March, beyond the horizon
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, planned_ship_on)
VALUES (8011, 801, '2025-12-20', 900.00, '2026-03-31');
-- 500 more: 1,400 in all, but 500 within the horizon: passes
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (8012, 801, '2025-12-20', 500.00);
SELECT exposure FROM customer_class.credit_exposure WHERE customer_id = 801;
SELECT customer_class.credit_check(801, 500.00, record => false) - 'limit_source';
SELECT customer_class.credit_check(801, 500.01, record => false) ->> 'message' AS message;
-- 600 due to ship in ten days: 1,100 within the horizon, refused (KC001)
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, planned_ship_on)
VALUES (8013, 801, '2025-12-20', 600.00, '2026-01-10');
\echo :LAST_ERROR_SQLSTATE
-- moving the March order into the horizon is an order check too: refused
UPDATE customer_class.sales_order SET planned_ship_on = '2026-01-15' WHERE order_id = 8011;
\echo :LAST_ERROR_SQLSTATE
UPDATE customer_class.sales_order SET planned_ship_on = NULL WHERE order_id = 8011;
\echo :LAST_ERROR_SQLSTATE
-- later still is fine
UPDATE customer_class.sales_order SET planned_ship_on = '2026-06-30' WHERE order_id = 8011;
-- the delivery checkpoint has no horizon: shipping the June order now is
-- the static check (1,400 above 1,000)
UPDATE customer_class.sales_order SET status = 'shipped', shipped_on = '2025-12-31' WHERE order_id = 8011;
\echo :LAST_ERROR_SQLSTATE
-- in mode warn the order is saved with a WARNING and an alert of its reason
SELECT customer_class.set_credit_setting('mode.order', 'warn');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, planned_ship_on)
VALUES (8013, 801, '2025-12-20', 600.00, '2026-01-10');
SELECT customer_class.reset_credit_setting('mode.order');
SELECT kind, level, detail ->> 'violation' AS violation, detail ->> 'exposure_in_horizon' AS exposure_in_horizon,
	   detail ->> 'what' AS what
FROM customer_class.alerts WHERE customer_id = 801 AND resolved_at IS NULL ORDER BY kind;
DELETE FROM customer_class.sales_order WHERE order_id = 8013;

-- == document_value: for grade C, one document above 5,000 fails at every
-- checkpoint, however much room the limit leaves ==
INSERT INTO customer_class.credit_check_rule (rule, grade, amount, reason)
VALUES ('document_value', 'C', 5000, 'grade C: large orders go to credit control');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (8021, 802, '2025-12-20', 5000.00);
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (8022, 802, '2025-12-20', 5000.01);
\echo :LAST_ERROR_SQLSTATE
-- raising an order is judged by its new amount, not by the increase
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (8022, 802, '2025-12-20', 100.00);
UPDATE customer_class.sales_order SET amount = 6000.00 WHERE order_id = 8022;
\echo :LAST_ERROR_SQLSTATE
-- the invoice checkpoint (mode block here) applies it to the invoice
SELECT customer_class.set_credit_setting('mode.invoice', 'block');
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES (8021, 802, '2025-12-21', '2026-01-20', 5200.00);
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.reset_credit_setting('mode.invoice');
-- grade B is not concerned
SELECT customer_class.credit_check(803, 9000.00, record => false) ->> 'allowed' AS grade_b_allowed;
-- one customer of grade C excepted, another given more
INSERT INTO customer_class.credit_check_rule (rule, customer_id, enabled, reason)
VALUES ('document_value', 804, false, 'framework contract');
SELECT customer_class.credit_check(804, 9000.00, record => false) ->> 'allowed' AS excepted_allowed;
UPDATE customer_class.credit_check_rule SET enabled = true, amount = 8000 WHERE rule = 'document_value' AND customer_id = 804;
SELECT customer_class.credit_check(804, 8000.00, record => false) ->> 'allowed' AS allowed_8000,
	   customer_class.credit_check(804, 8000.01, record => false) ->> 'violation' AS violation_8000_01;
-- per checkpoint: 804's row for deliveries leaves its orders to the grade's
-- rule; a second row of its own lets its orders go unchecked
UPDATE customer_class.credit_check_rule SET checkpoint = 'delivery' WHERE rule = 'document_value' AND customer_id = 804;
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (8041, 804, '2025-12-20', 9000.00);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_check_rule (rule, checkpoint, customer_id, enabled, reason)
VALUES ('document_value', 'order', 804, false, 'framework contract: orders');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (8041, 804, '2025-12-20', 9000.00);
-- delivering all 9,000 at once is above its 8,000 for deliveries
UPDATE customer_class.sales_order SET status = 'shipped', shipped_on = '2025-12-31' WHERE order_id = 8041;
\echo :LAST_ERROR_SQLSTATE
-- a row past its expires_on no longer applies: the grade's 5,000 again
UPDATE customer_class.credit_check_rule SET expires_on = '2025-12-31' WHERE rule = 'document_value' AND customer_id = 804;
SELECT customer_class.credit_check(804, 5000.01, record => false) ->> 'violation' AS after_expiry;

-- == overdue_ratio: for grade B at orders, more than 20% of the open
-- balance more than 60 days overdue fails ==
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(8031, 803, '2025-09-01', '2025-10-01', 1000.00),
	(8032, 803, '2025-12-01', '2026-01-30', 3000.00);
SELECT * FROM customer_class.credit_overdue_ratio(803, '2025-12-31', 60, 20);
INSERT INTO customer_class.credit_check_rule (rule, checkpoint, grade, days, pct, reason)
VALUES ('overdue_ratio', 'order', 'B', 60, 20, 'grade B: at most a fifth long overdue');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (8033, 803, '2025-12-20', 10.00);
\echo :LAST_ERROR_SQLSTATE
-- half of the old invoice paid: 500 of 3,500 is 14.29%, the order passes
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount) VALUES (8031, 803, 8031, '2025-12-30', 500.00);
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (8033, 803, '2025-12-20', 10.00);
SELECT customer_class.credit_check(803, 10.00, record => false) ->> 'overdue_ratio' AS overdue_ratio;
-- a year later nearly all of it is long overdue; the rule is for orders only
SELECT customer_class.credit_check(803, 10.00, record => false, checkpoint => 'delivery') ->> 'allowed' AS delivery_allowed;
SELECT v.violation, v.overdue_ratio, v.sqlstate FROM customer_class.credit_evaluate(803, 'order', 4000, 10, '2026-12-31') v;
-- a disputed invoice is not overdue here when rule.disputed_invoices is ignore
SELECT customer_class.open_dispute(8031, 'goods damaged', '2025-11-15') IS NOT NULL AS disputed;
SELECT customer_class.set_credit_setting('rule.disputed_invoices', 'ignore');
SELECT v.violation, v.overdue_ratio FROM customer_class.credit_evaluate(803, 'order', 4000, 10, '2026-12-31') v;
SELECT customer_class.reset_credit_setting('rule.disputed_invoices');
DELETE FROM customer_class.invoice_dispute WHERE invoice_id = 8031;

-- == One answer from every path: credit_check() and the C order trigger, under
-- READ COMMITTED (the trigger's cache) and REPEATABLE READ (no cache) ==
CREATE TEMP TABLE path_answers (isolation text, customer bigint, amount numeric, credit_check text, order_trigger text);
CREATE FUNCTION pg_temp.try_orders() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	c bigint;
	a numeric;
	predicted text;
BEGIN
	FOREACH c IN ARRAY ARRAY[801, 802, 803] LOOP
		FOREACH a IN ARRAY ARRAY[0.00, 499.99, 500.00, 500.01, 4990.00, 5000.01] LOOP
			predicted := coalesce(customer_class.credit_check(c, a, 'order', false) ->> 'sqlstate', 'passed');
			BEGIN
				INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount) VALUES (c, '2025-12-20', a);
				RAISE EXCEPTION 'undo' USING ERRCODE = 'CCUND';
			EXCEPTION WHEN OTHERS THEN
				INSERT INTO path_answers VALUES (current_setting('transaction_isolation'), c, a, predicted,
												 CASE SQLSTATE WHEN 'CCUND' THEN 'passed' ELSE SQLSTATE END);
			END;
		END LOOP;
	END LOOP;
END
$$;
SELECT pg_temp.try_orders();
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT pg_temp.try_orders();
COMMIT;
SELECT customer, amount, credit_check, count(*) FILTER (WHERE credit_check = order_trigger) AS agreeing
FROM path_answers GROUP BY 1, 2, 3 ORDER BY 1, 2;
SELECT count(*) AS disagreements FROM path_answers WHERE credit_check IS DISTINCT FROM order_trigger;

-- == The write side of a bound ERP applies the same menu ==
-- confirmed sales are the orders, with their planned delivery date
CREATE SCHEMA menu_erp;
CREATE TABLE menu_erp.sale (id integer PRIMARY KEY, party bigint NOT NULL, state text NOT NULL DEFAULT 'draft',
	amount numeric(16,2) NOT NULL, ship_date date);
CREATE VIEW menu_erp.sale_order AS
	SELECT id, party, amount, ship_date, date '2025-12-20' AS sale_date FROM menu_erp.sale WHERE state = 'confirmed';
GRANT USAGE ON SCHEMA menu_erp TO customer_class_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA menu_erp TO customer_class_reader;
SELECT customer_class.bind_source('order', 'menu_erp.sale_order',
	'{"order_id": "id", "customer_id": "party", "ordered_on": "sale_date", "amount": "amount", "planned_ship_on": "ship_date"}');
SELECT customer_class.bind_checkpoint('order', 'menu_erp.sale', customer => 'party', entered => $$state = 'confirmed'$$,
									  amount => 'amount');
INSERT INTO menu_erp.sale VALUES (1, 802, 'draft', 5000.01, NULL), (2, 802, 'draft', 4000.00, NULL),
	(3, 801, 'draft', 900.00, '2026-03-31'), (4, 801, 'draft', 500.00, NULL), (5, 801, 'draft', 600.00, '2026-01-10');
-- document_value (grade C): 5,000.01 refused, 4,000 confirmed
UPDATE menu_erp.sale SET state = 'confirmed' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE menu_erp.sale SET state = 'confirmed' WHERE id = 2;
-- horizon (everyone, at orders): 900 beyond it and 500 pass, 600 within it does not
UPDATE menu_erp.sale SET state = 'confirmed' WHERE id IN (3, 4);
UPDATE menu_erp.sale SET state = 'confirmed' WHERE id = 5;
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.set_credit_setting('mode.order', 'warn');
UPDATE menu_erp.sale SET state = 'confirmed' WHERE id = 1;
SELECT customer_class.reset_credit_setting('mode.order');
SELECT kind, detail ->> 'document_value' AS document_value, detail ->> 'max_document' AS max_document, detail ->> 'what' AS what
FROM customer_class.alerts WHERE customer_id = 802 AND resolved_at IS NULL ORDER BY kind;
SELECT customer_class.unbind_checkpoint('order');
SELECT customer_class.unbind_source('order');
DROP SCHEMA menu_erp CASCADE;
-- the ledger rows the write side rewrote from the ERP's sales, back to the managed orders
SELECT customer_class.recompute_exposure() > 0 AS recomputed;

-- == A rule change reaches the cache of the order trigger at once ==
DELETE FROM customer_class.credit_check_rule WHERE rule = 'document_value';
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (8024, 802, '2025-12-20', 6000.00);
INSERT INTO customer_class.credit_check_rule (rule, amount, reason) VALUES ('document_value', 1000, 'everyone');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (8023, 802, '2025-12-20', 1000.01);
\echo :LAST_ERROR_SQLSTATE

SELECT rule, checkpoint, grade, customer_id, enabled, days, amount, pct, expires_on
FROM customer_class.credit_check_rule ORDER BY rule, customer_id NULLS FIRST, grade NULLS FIRST;
SELECT 'maintained-vs-recomputed differences: ' || count(*) FROM customer_class.verify_exposure();

-- clean up for the tests that follow
DELETE FROM customer_class.credit_check_rule;
DELETE FROM customer_class.alerts WHERE customer_id BETWEEN 801 AND 804;
DELETE FROM customer_class.class_history WHERE customer_id BETWEEN 801 AND 804;
DELETE FROM customer_class.payment WHERE customer_id BETWEEN 801 AND 804;
DELETE FROM customer_class.invoice WHERE customer_id BETWEEN 801 AND 804;
DELETE FROM customer_class.sales_order WHERE customer_id BETWEEN 801 AND 804;
DELETE FROM customer_class.profile WHERE customer_id BETWEEN 801 AND 804;
DELETE FROM customer_class.customer WHERE customer_id BETWEEN 801 AND 804;
