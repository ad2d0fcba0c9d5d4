-- Dunning (docs/collections.md): the levels and their validation, the run
-- (one step per invoice per run, the reminder before the due date, the
-- interval between steps, disputes held out, idempotent per date), fees,
-- interest and the letters in English and Chinese, the outbox and its
-- mailer function, customer_dunning_level() and the due_reminders view.
-- Customers 1801-1803 (earlier tests' customers are dunned too, but only
-- these are shown).
SET customer_class.as_of = '2025-12-31';
\set VERBOSITY default
\set SHOW_CONTEXT never

-- == Settings and the shipped levels ==
SELECT name, value, default_value FROM customer_class.credit_settings
WHERE name LIKE 'dunning.%' OR name = 'rule.disputed_invoices' ORDER BY name;
SELECT level, days_past_due, name_en, name_zh, fee, interest_rate, changed FROM customer_class.dunning_levels ORDER BY level;
SELECT customer_class.dunning_placeholders();

-- == Bad levels and settings ==
INSERT INTO customer_class.dunning_level (level, days_past_due, name_en, name_zh, letter_en, letter_zh)
VALUES (10, 100, 'court', '诉讼', 'x', 'x');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.dunning_level (level, days_past_due, name_en, name_zh, letter_en, letter_zh)
VALUES (0, 3, 'early', '提前', 'x', 'x');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.dunning_level (level, days_past_due, name_en, name_zh, letter_en, letter_zh)
VALUES (5, 0, 'late', '逾期', 'x', 'x');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.dunning_level (level, days_past_due, name_en, name_zh, fee, letter_en, letter_zh)
VALUES (5, 90, 'late', '逾期', -1, 'x', 'x');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.dunning_level (level, days_past_due, name_en, name_zh, interest_rate, letter_en, letter_zh)
VALUES (5, 90, 'late', '逾期', 8, 'x', 'x');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.dunning_level (level, days_past_due, name_en, name_zh, letter_en, letter_zh)
VALUES (5, 90, 'late', ' ', 'x', 'x');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.dunning_level (level, days_past_due, name_en, name_zh, letter_en, letter_zh)
VALUES (5, 90, 'late', '逾期', 'Pay {amount} now.', 'x');
\echo :LAST_ERROR_SQLSTATE
UPDATE customer_class.dunning_level SET fee = 0 WHERE level = 2 AND shipped;
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.set_credit_setting('dunning.interval_days', 'weekly');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.set_credit_setting('dunning.broken_promise', 'ignore');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.set_credit_setting('rule.disputed_invoices', 'skip');
\echo :LAST_ERROR_SQLSTATE
-- levels must rise with the days: the run refuses before writing anything
INSERT INTO customer_class.dunning_level (level, days_past_due, name_en, name_zh, letter_en, letter_zh)
VALUES (3, 10, 'final notice', '最后通知', 'Final notice for {invoice_id}.', '发票 {invoice_id} 最后通知。');
SELECT customer_class.dunning_run();
\echo :LAST_ERROR_SQLSTATE
DELETE FROM customer_class.dunning_level WHERE level = 3 AND NOT shipped;
SELECT customer_class.dunning_run('infinity');
\echo :LAST_ERROR_SQLSTATE

-- == The data ==
-- Acme: 1,000 due 10-31 (61 days past due at 12-31), 500 due 12-20
-- (11 days), 300 due 2026-01-05 (reminder first); Beta: 800 due 11-30,
-- 300 paid, and 200 paid in full; Gamma: 400 due 12-01, disputed.
INSERT INTO customer_class.customer (customer_id, name, created_on) VALUES
	(1801, 'Dun Acme', '2024-01-01'), (1802, 'Dun Beta', '2024-01-01'), (1803, 'Dun Gamma', '2024-01-01');
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(918011, 1801, '2025-10-01', '2025-10-31', 1000.00), (918012, 1801, '2025-12-01', '2025-12-20', 500.00),
	(918013, 1801, '2025-12-10', '2026-01-05', 300.00), (918021, 1802, '2025-11-01', '2025-11-30', 800.00),
	(918022, 1802, '2025-11-15', '2025-12-15', 200.00), (918031, 1803, '2025-11-01', '2025-12-01', 400.00);
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount) VALUES
	(918021, 1802, 918021, '2025-12-10', 300.00), (918022, 1802, 918022, '2025-12-20', 200.00);
SELECT customer_class.open_dispute(918031, 'goods damaged in transit', '2025-12-15') IS NOT NULL AS disputed;

-- the customer's open invoices before any run: overdue and due soon, no level yet
SELECT invoice_id, due_on, days_past_due, open_amount, status, dunning_level, disputed
FROM customer_class.due_reminders WHERE customer_id BETWEEN 1801 AND 1803 ORDER BY invoice_id;

-- == Runs ==
CREATE TEMP VIEW notices AS
SELECT invoice_id, level, run_on, days_past_due, open_amount, fee, interest, reason
FROM customer_class.dunning_notice WHERE customer_id BETWEEN 1801 AND 1803;

-- 12-31: each overdue invoice gets level 1 whatever its days (one step per
-- run), the invoice due in 5 days its reminder, the disputed one nothing
SELECT customer_class.dunning_run() > 0 AS wrote;
SELECT * FROM notices ORDER BY run_on, invoice_id;
-- the same date again: nothing new
SELECT customer_class.dunning_run('2025-12-31');
SELECT count(*) FROM notices;
-- 01-03: less than dunning.interval_days (7) after the last step, and the
-- reminded invoice is not due yet
SELECT customer_class.dunning_run('2026-01-03') IS NOT NULL AS ran;
SELECT count(*) FROM notices;
-- 01-07: one more step each; the invoice 2 days past due gets level 1
SELECT customer_class.dunning_run('2026-01-07') IS NOT NULL AS ran;
SELECT * FROM notices WHERE run_on = '2026-01-07' ORDER BY invoice_id;
-- 01-14: level 3 (final notice, fee 25, interest 8 % a year) only where
-- 30 days are reached: 1,000 x 0.08 x 75 / 365 = 16.44
SELECT customer_class.dunning_run('2026-01-14') IS NOT NULL AS ran;
SELECT * FROM notices WHERE run_on = '2026-01-14' ORDER BY invoice_id;
-- 01-21: the oldest is handed to collection (60 days)
SELECT customer_class.dunning_run('2026-01-21') IS NOT NULL AS ran;
SELECT * FROM notices WHERE run_on = '2026-01-21' ORDER BY invoice_id;
-- a run at an earlier date than an invoice's last notice writes nothing for it
SELECT customer_class.dunning_run('2026-01-20') IS NOT NULL AS ran;
SELECT count(*) FROM notices;

-- == The letters ==
SELECT level, letter_en, letter_zh FROM customer_class.dunning_notice
WHERE invoice_id = 918013 ORDER BY level;
SELECT level, letter_en, letter_zh FROM customer_class.dunning_notice
WHERE invoice_id = 918011 AND level = 4;
-- an admin's own level 2 wins over the shipped one in later runs
INSERT INTO customer_class.dunning_level (level, days_past_due, name_en, name_zh, fee, letter_en, letter_zh)
VALUES (2, 14, 'second reminder', '第二次催款', 15,
		'{customer_name}: invoice {invoice_id}, {open_amount} open, fee {fee}, {total_due} to pay.',
		'{customer_name}:发票 {invoice_id},尚欠 {open_amount},催款费 {fee},应付 {total_due}。');
SELECT level, days_past_due, fee, changed FROM customer_class.dunning_levels WHERE level = 2;
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(918014, 1801, '2025-12-01', '2025-12-31', 120.00);
SELECT customer_class.dunning_run('2026-01-01') IS NOT NULL AS ran;
SELECT customer_class.dunning_run('2026-01-15') IS NOT NULL AS ran;
SELECT level, run_on, fee, letter_en, letter_zh FROM customer_class.dunning_notice WHERE invoice_id = 918014 ORDER BY level;
DELETE FROM customer_class.dunning_level WHERE level = 2 AND NOT shipped;

-- == The outbox and the mailer ==
SELECT invoice_id, level, level_name_en, level_name_zh, subject_en, subject_zh, run_on, fee, interest
FROM customer_class.dunning_letter_outbox WHERE customer_id = 1802 ORDER BY invoice_id, level;
SELECT customer_class.dunning_letter_sent(n.notice_id, '2026-01-21 10:00+00')
FROM customer_class.dunning_notice n WHERE n.invoice_id = 918021 AND n.level = 1;
-- twice: false, with a notice (its detail names the notice id: terse here)
\set VERBOSITY terse
SELECT customer_class.dunning_letter_sent(n.notice_id)
FROM customer_class.dunning_notice n WHERE n.invoice_id = 918021 AND n.level = 1;
\set VERBOSITY default
SELECT customer_class.dunning_letter_sent(-1);
\echo :LAST_ERROR_SQLSTATE
SELECT invoice_id, level FROM customer_class.dunning_letter_outbox WHERE customer_id = 1802 ORDER BY invoice_id, level;
SELECT level, sent_at, sent_by IS NOT NULL AS by_someone FROM customer_class.dunning_notice WHERE invoice_id = 918021 ORDER BY level;

-- == The customer's level ==
SELECT c, customer_class.customer_dunning_level(c, '2025-12-31') AS at_12_31,
	   customer_class.customer_dunning_level(c, '2026-01-14') AS at_01_14,
	   customer_class.customer_dunning_level(c, '2026-01-21') AS at_01_21
FROM generate_series(1801, 1804) c;
-- the invoice at level 4 is paid: the customer's level is its open invoices' highest
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount) VALUES
	(918011, 1801, 918011, '2026-01-22', 1000.00);
SELECT customer_class.customer_dunning_level(1801, '2026-01-21') AS before_payment,
	   customer_class.customer_dunning_level(1801, '2026-01-22') AS after_payment;
-- a dispute opened on an invoice takes its level out as well
SELECT customer_class.open_dispute(918012, 'price differs from the order', '2026-01-22') IS NOT NULL AS disputed;
SELECT customer_class.customer_dunning_level(1801, '2026-01-22');

-- == due_reminders: each invoice's level and dispute ==
SET customer_class.as_of = '2026-01-22';
SELECT invoice_id, days_past_due, open_amount, status, dunning_level, disputed
FROM customer_class.due_reminders WHERE customer_id BETWEEN 1801 AND 1803 ORDER BY invoice_id;
-- the disputed invoices get no notice; resolved, the run goes on from its level
SELECT customer_class.dunning_run('2026-01-29') IS NOT NULL AS ran;
SELECT invoice_id, level, run_on, reason FROM customer_class.dunning_notice
WHERE customer_id BETWEEN 1801 AND 1803 AND run_on = '2026-01-29' ORDER BY invoice_id;
SELECT customer_class.resolve_dispute(x.dispute_id, 'claim rejected: goods were fine on delivery', '2026-01-29')
FROM customer_class.invoice_dispute x WHERE x.invoice_id = 918031;
SELECT customer_class.dunning_run('2026-01-30') IS NOT NULL AS ran;
SELECT invoice_id, level, run_on, days_past_due, reason FROM customer_class.dunning_notice
WHERE customer_id BETWEEN 1801 AND 1803 AND run_on = '2026-01-30' ORDER BY invoice_id;
RESET customer_class.as_of;

-- only analysts run it; readers read the notices
CREATE ROLE cc_dun_reader IN ROLE customer_class_reader;
SET ROLE cc_dun_reader;
SELECT customer_class.dunning_run('2026-01-31');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) > 0 AS reads FROM customer_class.dunning_letter_outbox;
RESET ROLE;
DROP ROLE cc_dun_reader;

-- a level switched off by an admin's row is skipped: no reminder before
-- the due date while level 0 is off
INSERT INTO customer_class.dunning_level (level, days_past_due, name_en, name_zh, letter_en, letter_zh, enabled)
SELECT level, days_past_due, name_en, name_zh, letter_en, letter_zh, false FROM customer_class.dunning_level
WHERE level = 0 AND shipped;
SELECT level FROM customer_class.dunning_levels ORDER BY level;
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(918015, 1801, '2026-01-20', '2026-02-02', 80.00);
SELECT customer_class.dunning_run('2026-01-31') IS NOT NULL AS ran;
SELECT count(*) FROM customer_class.dunning_notice WHERE invoice_id = 918015;
DELETE FROM customer_class.dunning_level WHERE level = 0 AND NOT shipped;
SELECT customer_class.dunning_run('2026-02-01') IS NOT NULL AS ran;
SELECT level, run_on, days_past_due, reason FROM customer_class.dunning_notice WHERE invoice_id = 918015;
