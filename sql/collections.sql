-- Collections (docs/collections.md): promises to pay (kept, broken: an
-- alert and, by policy, one more dunning level at once), disputes (held
-- out of dunning; by rule.disputed_invoices out of the overdue rule of the
-- credit checks), and the collector's worklist with its order and reasons.
-- Customers 1811-1814.
SET customer_class.as_of = '2025-12-31';
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on) VALUES
	(1811, 'Promise Ltd', 100000, '2024-01-01'), (1812, 'Dispute Ltd', 100000, '2024-01-01'),
	(1813, 'Late Ltd', 100000, '2024-01-01'), (1814, 'Small Ltd', 100000, '2024-01-01');
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(918111, 1811, '2025-11-01', '2025-12-01', 900.00), (918112, 1811, '2025-11-10', '2025-12-10', 100.00),
	(918121, 1812, '2025-10-01', '2025-10-31', 5000.00), (918122, 1812, '2025-11-20', '2025-12-25', 50.00),
	(918131, 1813, '2025-09-01', '2025-10-01', 2000.00), (918141, 1814, '2025-11-01', '2025-12-01', 100.00);
-- Dispute Ltd contests its big invoice from the start
SELECT customer_class.open_dispute(918121, 'delivered 40 units, billed 50', '2025-12-01') IS NOT NULL AS opened;

-- == Promises to pay: bad input ==
SELECT customer_class.promise_to_pay(1811, 0, '2025-12-28');
\echo :LAST_ERROR_SQLSTATE
SET customer_class.as_of = '2025-12-22';
SELECT customer_class.promise_to_pay(1811, 500, '2025-12-21');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.promise_to_pay(1899, 500, '2025-12-28');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.promise_to_pay(1811, 500, '2025-12-28', ARRAY[918121]::bigint[]);
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.promise_to_pay(1811, 500, '2025-12-28', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM customer_class.payment_promise WHERE customer_id BETWEEN 1811 AND 1814;

-- == A broken promise ==
-- 12-20: both of Promise Ltd's invoices get level 1.  12-22: it promises
-- 500 for invoice 918111 by 12-25: that invoice is held while the promise
-- is open; the other goes on.  12-26: nothing came: broken, a red alert,
-- and (dunning.broken_promise = escalate) 918111 goes to level 2 at once,
-- six days after its last step (dunning.interval_days is 7).
SELECT customer_class.dunning_run('2025-12-20') IS NOT NULL AS ran;
SELECT customer_class.promise_to_pay(1811, 500, '2025-12-25', ARRAY[918111]::bigint[], 'called the CFO') IS NOT NULL AS promised;
SELECT customer_id, invoice_ids, amount, promised_on, made_on, note, status FROM customer_class.payment_promise
WHERE customer_id = 1811;
UPDATE customer_class.payment_promise SET status = 'maybe' WHERE customer_id = 1811;
\echo :LAST_ERROR_SQLSTATE
UPDATE customer_class.payment_promise SET status = 'kept' WHERE customer_id = 1811;
\echo :LAST_ERROR_SQLSTATE
SET customer_class.as_of = '2025-12-31';
SELECT customer_class.dunning_run('2025-12-24') IS NOT NULL AS ran;
SELECT customer_class.dunning_run('2025-12-26') IS NOT NULL AS ran;
SELECT invoice_id, level, run_on, days_past_due, fee, reason FROM customer_class.dunning_notice
WHERE customer_id = 1811 ORDER BY run_on, invoice_id;
SELECT status, closed_on, paid_amount, alert_id IS NOT NULL AS alerted FROM customer_class.payment_promise WHERE customer_id = 1811;
SELECT kind, level, detail - 'promise_id' AS detail FROM customer_class.alerts WHERE customer_id = 1811;

-- == A promise kept ==
-- 500 on account by 12-31, made on 12-26; 300 paid on 12-27 and 200 on
-- 12-30 (on account): kept at the run of 12-31, no alert
SET customer_class.as_of = '2025-12-26';
SELECT customer_class.promise_to_pay(1813, 500, '2025-12-31') IS NOT NULL AS promised;
SET customer_class.as_of = '2025-12-31';
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount) VALUES
	(918131, 1813, 918131, '2025-12-27', 300.00), (918132, 1813, NULL, '2025-12-30', 200.00);
-- while open it is due today: first on the worklist
SELECT customer_id, promised_today, reasons FROM customer_class.collection_worklist
WHERE customer_id BETWEEN 1811 AND 1814 AND promised_today > 0;
SELECT customer_class.dunning_run('2025-12-31') IS NOT NULL AS ran;
SELECT customer_id, status, closed_on, paid_amount, alert_id FROM customer_class.payment_promise WHERE customer_id = 1813;
-- kept, the promise no longer holds the customer's invoices: the same run dunned them
SELECT invoice_id, level, run_on FROM customer_class.dunning_notice WHERE customer_id = 1813 ORDER BY run_on;

-- == Disputes ==
SELECT customer_class.open_dispute(918999, 'unknown');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.open_dispute(918122, '  ');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.open_dispute(918121, 'again');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.invoice_dispute (customer_id, invoice_id, reason) VALUES (1811, 918121, 'wrong customer');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.resolve_dispute(-1, 'nothing');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.resolve_dispute(x.dispute_id, '') FROM customer_class.invoice_dispute x WHERE x.invoice_id = 918121;
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.resolve_dispute(x.dispute_id, 'settled', '2025-11-30') FROM customer_class.invoice_dispute x WHERE x.invoice_id = 918121;
\echo :LAST_ERROR_SQLSTATE
SELECT customer_id, invoice_id, reason, opened_on, resolved_on FROM customer_class.invoice_dispute WHERE customer_id = 1812;
-- held out of dunning: only the undisputed invoice of Dispute Ltd was dunned
SELECT invoice_id, level FROM customer_class.dunning_notice WHERE customer_id = 1812 ORDER BY invoice_id, level;

-- The overdue rule of the credit checks (rule.overdue_days: more than 10
-- days overdue fails an order): by default the disputed invoice counts;
-- with rule.disputed_invoices = ignore it does not, and the order passes.
-- The second order of each pair goes through the order trigger's cache,
-- which the dispute and the setting invalidate.
SELECT customer_class.set_credit_setting('rule.overdue_days', '10');
SELECT customer_class.credit_overdue_invoice(1812, '2025-12-31', 10);
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (918120, 1812, '2025-12-31', 10.00);
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.set_credit_setting('rule.disputed_invoices', 'ignore');
SELECT customer_class.credit_overdue_invoice(1812, '2025-12-31', 10);
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (918120, 1812, '2025-12-31', 10.00);
-- resolved: it counts again
SELECT customer_class.resolve_dispute(x.dispute_id, 'credit note for 10 units agreed', '2025-12-31')
FROM customer_class.invoice_dispute x WHERE x.invoice_id = 918121;
SELECT customer_class.resolve_dispute(x.dispute_id, 'twice') FROM customer_class.invoice_dispute x WHERE x.invoice_id = 918121;
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (918121, 1812, '2025-12-31', 10.00);
\echo :LAST_ERROR_SQLSTATE
-- the invoice_overdue alert of the scan leaves it out too while disputed
SELECT customer_class.open_dispute(918121, 'credit note not received', '2025-12-31') IS NOT NULL AS opened;
SELECT customer_class.credit_alert_scan('2025-12-31') IS NOT NULL AS scanned;
SELECT customer_id, kind, detail->>'invoice_id' AS invoice_id FROM customer_class.alerts
WHERE customer_id = 1812 AND resolved_at IS NULL;
SELECT customer_class.reset_credit_setting('rule.disputed_invoices');
SELECT customer_class.reset_credit_setting('rule.overdue_days');
DELETE FROM customer_class.sales_order WHERE order_id = 918120;

-- == The worklist ==
-- Late Ltd: 1,700 x 91 = 154,700 (the 200 on account is not applied to
-- the invoice); Promise Ltd: 900 x 30 + 100 x 21 = 29,100 and a broken
-- promise; Small Ltd: 100 x 30 = 3,000; Dispute Ltd: 50 x 6 = 300, its
-- 5,000 disputed held out.
SELECT row_number() OVER (ORDER BY priority) AS rank, customer_id, customer_name, overdue_amount, overdue_invoices,
	   oldest_days_past_due, amount_days, dunning_level, dunning_level_label_en, dunning_level_label_zh, promised_today, broken_promises, disputed_amount
FROM customer_class.collection_worklist WHERE customer_id BETWEEN 1811 AND 1814 ORDER BY priority;
SELECT customer_id, reasons FROM customer_class.collection_worklist WHERE customer_id BETWEEN 1811 AND 1814 ORDER BY priority;
-- a promise falling due today goes first
SELECT customer_class.promise_to_pay(1814, 100, '2025-12-31') IS NOT NULL AS promised;
SELECT row_number() OVER (ORDER BY priority) AS rank, customer_id, promised_today, reasons
FROM customer_class.collection_worklist WHERE customer_id BETWEEN 1811 AND 1814 ORDER BY priority;
-- the broken promise leaves the list's reasons once its alert is resolved
SELECT customer_class.resolve_alert(a.alert_id) FROM customer_class.alerts a
WHERE a.customer_id = 1811 AND a.kind = 'promise_broken';
SELECT customer_id, broken_promises, reasons FROM customer_class.collection_worklist WHERE customer_id = 1811;

-- with dunning.broken_promise = alert a broken promise raises its alert
-- only: Small Ltd's promise of 12-31 is broken on 01-01, its invoice stays
-- at its level (its last step was the day before)
SELECT customer_class.set_credit_setting('dunning.broken_promise', 'alert');
SELECT customer_class.dunning_run('2026-01-01') IS NOT NULL AS ran;
SELECT status, closed_on, paid_amount FROM customer_class.payment_promise WHERE customer_id = 1814;
SELECT kind, level FROM customer_class.alerts WHERE customer_id = 1814 AND resolved_at IS NULL ORDER BY kind;
SELECT level, run_on FROM customer_class.dunning_notice WHERE customer_id = 1814 ORDER BY level;
SELECT customer_class.reset_credit_setting('dunning.broken_promise');

-- the worklist's columns are types a BI tool maps
SELECT a.attname, format_type(a.atttypid, a.atttypmod)
FROM pg_attribute a
WHERE a.attrelid = 'customer_class.collection_worklist'::regclass AND a.attnum > 0 ORDER BY a.attnum;
