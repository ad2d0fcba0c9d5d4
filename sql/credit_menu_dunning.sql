-- The check menu's rule dunning_level (docs/credit.md, "The check menu"): a
-- customer whose dunning level (customer_dunning_level(): its open invoices
-- not under dispute) is above the highest level allowed (credit_check_rule.days)
-- fails with dunning_level_exceeded (SQLSTATE KC006), per checkpoint, grade
-- or customer, through the C order trigger (and its cache), the invoice
-- trigger and credit_check(); bad rule rows refused with what to write.
SET customer_class.as_of = '2025-12-31';
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO customer_class.customer (customer_id, name, created_on, credit_limit) VALUES
	(811, 'Dunned Ltd', '2024-01-01', 100000),
	(812, 'Reminded Ltd', '2024-01-01', 100000);
-- grades as refresh() would write them
INSERT INTO customer_class.profile (customer_id, as_of, scorecard_id, policy_version, scale_points, payment_points,
	stability_points, risk_points, internal_score, credit_score, computed_grade, credit_grade)
VALUES (811, '2025-12-31', 'default', 1, 80, 80, 80, 80, 80, 80, 'B', 'B'),
	   (812, '2025-12-31', 'default', 1, 60, 60, 60, 60, 60, 60, 'C', 'C');
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(8111, 811, '2025-09-01', '2025-10-01', 1000.00),
	(8112, 811, '2025-11-01', '2025-12-01', 500.00),
	(8121, 812, '2025-10-15', '2025-11-15', 800.00);
-- notices as dunning_run() writes them: 811's first invoice reached level 3
-- (final notice), its second level 1; 812's invoice level 2
INSERT INTO customer_class.dunning_notice (customer_id, invoice_id, level, run_on, due_on, days_past_due, open_amount,
	fee, interest, letter_en, letter_zh, reason)
VALUES (811, 8111, 1, '2025-10-02', '2025-10-01', 1, 1000.00, 0, 0, 'first', '第一', 'dunning run'),
	   (811, 8111, 3, '2025-10-31', '2025-10-01', 30, 1000.00, 25, 0, 'final', '最后', 'dunning run'),
	   (811, 8112, 1, '2025-12-02', '2025-12-01', 1, 500.00, 0, 0, 'first', '第一', 'dunning run'),
	   (812, 8121, 2, '2025-11-30', '2025-11-15', 15, 800.00, 10, 0, 'second', '第二', 'dunning run');
SELECT customer_class.customer_dunning_level(811) AS level_811, customer_class.customer_dunning_level(812) AS level_812;

-- == Bad rule rows: refused, saying what to write ==
INSERT INTO customer_class.credit_check_rule (rule) VALUES ('dunning_level');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_check_rule (rule, days, pct) VALUES ('dunning_level', 2, 50);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_check_rule (rule, amount) VALUES ('dunning_level', 2);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_check_rule (rule, days) VALUES ('dunning_level', 10);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_check_rule (rule, days) VALUES ('dunning_level', -1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_check_rule (rule, days) VALUES ('dunning', 2);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS rule_rows FROM customer_class.credit_check_rule;

-- == For everyone at orders: at most level 2 (second reminder) ==
INSERT INTO customer_class.credit_check_rule (rule, checkpoint, days, reason)
VALUES ('dunning_level', 'order', 2, 'no new orders after a final notice');
-- 811 is at level 3: refused (KC006), whatever the amount
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (8113, 811, '2025-12-20', 10.00);
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.credit_check(811, 10.00, record => false)
	- 'limit_source' - 'exposure_before' - 'exposure_after' - 'credit_limit' - 'asked' - 'nearly_used' - 'credit_grade';
-- 812 is at level 2, the maximum: passes
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (8122, 812, '2025-12-20', 10.00);
SELECT customer_class.credit_check(812, 10.00, record => false) ->> 'dunning_level' AS level,
	   customer_class.credit_check(812, 10.00, record => false) ->> 'violation' AS violation;
-- the rule is for orders: deliveries and invoices of 811 pass
SELECT customer_class.credit_check(811, 10.00, 'delivery', false) ->> 'allowed' AS delivery_allowed,
	   customer_class.credit_check(811, 10.00, 'invoice', false) ->> 'dunning_level' AS invoice_level_read;

-- == A notice written reaches the order trigger's cache at once ==
INSERT INTO customer_class.dunning_notice (customer_id, invoice_id, level, run_on, due_on, days_past_due, open_amount,
	fee, interest, letter_en, letter_zh, reason)
VALUES (812, 8121, 3, '2025-12-15', '2025-11-15', 30, 800.00, 25, 0, 'final', '最后', 'dunning run');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (8123, 812, '2025-12-20', 10.00);
\echo :LAST_ERROR_SQLSTATE
DELETE FROM customer_class.dunning_notice WHERE invoice_id = 8121 AND level = 3;
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (8123, 812, '2025-12-20', 10.00);

-- == Per grade and per customer: the most specific row wins ==
-- grade B (811) may reach level 3
INSERT INTO customer_class.credit_check_rule (rule, checkpoint, grade, days, reason)
VALUES ('dunning_level', 'order', 'B', 3, 'grade B: up to the final notice');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (8113, 811, '2025-12-20', 10.00);
-- customer 812 (grade C, level 2) at every checkpoint: at most level 1
INSERT INTO customer_class.credit_check_rule (rule, customer_id, days, reason)
VALUES ('dunning_level', 812, 1, 'watch list');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (8124, 812, '2025-12-20', 10.00);
\echo :LAST_ERROR_SQLSTATE
-- the invoice trigger applies it too (invoices are checked in mode warn by
-- default: the invoice is saved, with a warning and an alert)
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES (8122, 812, '2025-12-20', '2026-01-19', 10.00);
-- a row with enabled false sets the rule off for the customer
UPDATE customer_class.credit_check_rule SET enabled = false, days = NULL WHERE customer_id = 812;
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (8124, 812, '2025-12-20', 10.00);

-- == A disputed invoice does not count: 811's final notice is on 8111 ==
DELETE FROM customer_class.credit_check_rule WHERE grade = 'B';
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (8114, 811, '2025-12-20', 10.00);
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.open_dispute(8111, 'goods damaged', '2025-11-15') IS NOT NULL AS disputed;
SELECT customer_class.customer_dunning_level(811) AS level_811;
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (8114, 811, '2025-12-20', 10.00);
DELETE FROM customer_class.invoice_dispute WHERE invoice_id = 8111;

-- == The write side of a bound ERP applies it too ==
CREATE SCHEMA dun_erp;
CREATE TABLE dun_erp.sale (id integer PRIMARY KEY, party bigint NOT NULL, state text NOT NULL DEFAULT 'draft',
	amount numeric(16,2) NOT NULL);
CREATE VIEW dun_erp.sale_order AS
	SELECT id, party, amount, date '2025-12-20' AS sale_date FROM dun_erp.sale WHERE state = 'confirmed';
GRANT USAGE ON SCHEMA dun_erp TO customer_class_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA dun_erp TO customer_class_reader;
SELECT customer_class.bind_source('order', 'dun_erp.sale_order',
	'{"order_id": "id", "customer_id": "party", "ordered_on": "sale_date", "amount": "amount"}');
SELECT customer_class.bind_checkpoint('order', 'dun_erp.sale', customer => 'party', entered => $$state = 'confirmed'$$,
									  amount => 'amount');
INSERT INTO dun_erp.sale VALUES (1, 811, 'draft', 10.00), (2, 812, 'draft', 10.00);
-- 811 (level 3) refused; 812 (its own row sets the rule off) confirmed
UPDATE dun_erp.sale SET state = 'confirmed' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE dun_erp.sale SET state = 'confirmed' WHERE id = 2;
SELECT id, state FROM dun_erp.sale ORDER BY id;
SELECT customer_class.unbind_checkpoint('order');
SELECT customer_class.unbind_source('order');
DROP SCHEMA dun_erp CASCADE;
SELECT customer_class.recompute_exposure() > 0 AS recomputed;

-- == Mode warn: the order is saved, with a warning and an alert of its own kind ==
SELECT customer_class.set_credit_setting('mode.order', 'warn');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (8115, 811, '2025-12-20', 10.00);
SELECT customer_class.reset_credit_setting('mode.order');
SELECT kind, level, detail ->> 'dunning_level' AS dunning_level, detail ->> 'max_dunning_level' AS max_dunning_level,
	   detail ->> 'sqlstate' AS sqlstate
FROM customer_class.alerts WHERE customer_id = 811 AND resolved_at IS NULL ORDER BY kind;

SELECT rule, checkpoint, grade, customer_id, enabled, days, amount, pct
FROM customer_class.credit_check_rule ORDER BY rule, customer_id NULLS FIRST, grade NULLS FIRST;
SELECT 'maintained-vs-recomputed differences: ' || count(*) FROM customer_class.verify_exposure();

-- clean up for the tests that follow
DELETE FROM customer_class.credit_check_rule;
DELETE FROM customer_class.alerts WHERE customer_id BETWEEN 811 AND 812;
DELETE FROM customer_class.class_history WHERE customer_id BETWEEN 811 AND 812;
DELETE FROM customer_class.dunning_notice WHERE customer_id BETWEEN 811 AND 812;
DELETE FROM customer_class.invoice WHERE customer_id BETWEEN 811 AND 812;
DELETE FROM customer_class.sales_order WHERE customer_id BETWEEN 811 AND 812;
DELETE FROM customer_class.profile WHERE customer_id BETWEEN 811 AND 812;
DELETE FROM customer_class.customer WHERE customer_id BETWEEN 811 AND 812;
