-- Credit decisions a credit manager relies on (docs/credit.md): grade D
-- requires prepayment (the C order trigger, the PL/pgSQL triggers and
-- credit_check() agree), external negative events cap the grade, rows for
-- customers that do not exist are refused, customers invoiced without
-- orders are active, and payment terms give an invoice its due date.
SET customer_class.as_of = '2025-12-31';
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO customer_class.customer (customer_id, name, created_on, payment_terms_days, payment_terms_basis) VALUES
	(1, 'Prepaid D Ltd', '2024-01-01', 30, 'invoice'),
	(2, 'Punctual Ltd', '2024-01-01', 30, 'invoice'),
	(3, 'Month End Ltd', '2024-01-01', 30, 'month_end'),
	(4, 'Services Ltd', '2024-01-01', 30, 'invoice');
-- grades as refresh() would write them
INSERT INTO customer_class.profile (customer_id, as_of, scorecard_id, policy_version, scale_points, payment_points,
	stability_points, risk_points, internal_score, credit_score, computed_grade, credit_grade)
VALUES (1, '2025-12-31', 'default', 1, 10, 10, 10, 10, 10, 10, 'D', 'D'),
	   (3, '2025-12-31', 'default', 1, 70, 70, 70, 70, 70, 70, 'B', 'B');

-- == Grade D: prepayment required (D类要求预付款) ==
-- 5,000 paid in advance: exposure -5,000
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount) VALUES (1, 1, NULL, '2025-12-01', 5000.00);
SELECT exposure FROM customer_class.credit_exposure WHERE customer_id = 1;
-- covered: passes; not covered: blocked, saying how much prepayment is missing
SELECT customer_class.credit_check(1, 1000.00, record => false) - 'limit_source';
SELECT customer_class.credit_check(1, 5500.00, record => false) - 'limit_source';
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (101, 1, '2025-12-10', 1000.00);
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (102, 1, '2025-12-10', 4500.00);
\echo :LAST_ERROR_SQLSTATE
-- exactly the rest of the prepayment passes; delivering it too
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (102, 1, '2025-12-10', 4000.00);
UPDATE customer_class.sales_order SET status = 'shipped', shipped_on = '2025-12-11' WHERE order_id = 102;
SELECT exposure FROM customer_class.credit_exposure WHERE customer_id = 1;
-- nothing left: one cent more is blocked at order, delivery and invoice alike
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (103, 1, '2025-12-10', 0.01);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status, shipped_on)
VALUES (103, 1, '2025-12-10', 0.01, 'shipped', '2025-12-10');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.set_credit_setting('mode.invoice', 'block');
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES (103, 1, '2025-12-10', '2026-01-09', 0.01);
\echo :LAST_ERROR_SQLSTATE
-- an invoice for a prepaid order asks nothing more: it passes
INSERT INTO customer_class.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount) VALUES (101, 1, 101, '2025-12-12', '2026-01-11', 1000.00);
SELECT customer_class.reset_credit_setting('mode.invoice');

-- The same answer from every path: credit_check() (SQL), and the order
-- trigger (C) under READ COMMITTED, where its per-backend cache answers
-- "nothing to say" by itself, and under REPEATABLE READ, where it asks
-- credit_enforce() -- at the exposure 0.00 left, a prepayment of 300.00 more
-- then makes 300.00 pass and 300.01 fail.
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount) VALUES (2, 1, NULL, '2025-12-20', 300.00);
CREATE TEMP TABLE path_answers (isolation text, amount numeric, credit_check boolean, order_trigger boolean, sqlstate text);
CREATE FUNCTION pg_temp.try_orders() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	a numeric;
	predicted boolean;
BEGIN
	FOREACH a IN ARRAY ARRAY[0.00, 0.01, 299.99, 300.00, 300.01, 1000.00] LOOP
		predicted := (customer_class.credit_check(1, a, 'order', false) ->> 'allowed')::boolean;
		BEGIN
			INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount) VALUES (1, '2025-12-20', a);
			RAISE EXCEPTION 'undo' USING ERRCODE = 'CCUND';
		EXCEPTION WHEN OTHERS THEN
			INSERT INTO path_answers VALUES (current_setting('transaction_isolation'), a, predicted,
											 SQLSTATE = 'CCUND', nullif(SQLSTATE, 'CCUND'));
		END;
	END LOOP;
END
$$;
SELECT pg_temp.try_orders();
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT pg_temp.try_orders();
COMMIT;
SELECT * FROM path_answers ORDER BY isolation, amount;
SELECT count(*) AS disagreements FROM path_answers WHERE credit_check IS DISTINCT FROM order_trigger;
-- with rule.grade_d off, the D limit of 0 applies as a limit (KC001)
SELECT customer_class.set_credit_setting('rule.grade_d', 'off');
SELECT customer_class.credit_check(1, 300.01, record => false) ->> 'violation' AS violation;
SELECT customer_class.reset_credit_setting('rule.grade_d');
-- delivery: an order accepted against the prepayment whose prepayment is
-- then taken back (a payment deleted: watched, never blocked) is not delivered
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (104, 1, '2025-12-20', 300.00);
DELETE FROM customer_class.payment WHERE payment_id = 2;
UPDATE customer_class.sales_order SET status = 'shipped', shipped_on = '2025-12-21' WHERE order_id = 104;
\echo :LAST_ERROR_SQLSTATE

-- == Rows for a customer that does not exist are refused ==
INSERT INTO customer_class.credit_limit_override (customer_id, credit_limit, reason, valid_from, expires_on)
VALUES (999, 5000, 'typo', '2025-12-01', '2026-12-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_override (customer_id, grade, reason, valid_from, expires_on)
VALUES (999, 'A', 'typo', '2025-12-01', '2026-12-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_check_exception (customer_id, checkpoint, mode, reason)
VALUES (999, 'order', 'off', 'typo');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.external_score (customer_id, source, scored_on, score) VALUES (999, 'agency', '2025-12-01', 80);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.external_event (customer_id, event_on, kind, source) VALUES (999, '2025-12-01', 'litigation', 'court');
\echo :LAST_ERROR_SQLSTATE
-- moving an existing row to an unknown customer is refused too
INSERT INTO customer_class.credit_check_exception (exception_id, customer_id, checkpoint, mode, reason)
OVERRIDING SYSTEM VALUE VALUES (1, 3, 'order', 'warn', 'campaign');
UPDATE customer_class.credit_check_exception SET customer_id = 999 WHERE exception_id = 1;
\echo :LAST_ERROR_SQLSTATE
-- a window wholly before the as-of date is accepted, with a WARNING
INSERT INTO customer_class.credit_limit_override (customer_id, credit_limit, reason, valid_from, expires_on)
VALUES (3, 5000, 'last year''s guarantee', '2025-01-01', '2025-06-30');
INSERT INTO customer_class.credit_override (customer_id, grade, reason, valid_from, expires_on)
VALUES (3, 'A', 'last year', '2025-01-01', '2025-12-31');
INSERT INTO customer_class.credit_check_exception (customer_id, checkpoint, mode, reason, expires_on)
VALUES (3, NULL, 'off', 'last year''s campaign', '2025-12-01');
INSERT INTO customer_class.external_score (customer_id, source, scored_on, score) VALUES (3, 'agency', '2024-06-30', 80);
-- ending a row early is no mistake: no WARNING
UPDATE customer_class.credit_check_exception SET expires_on = '2025-12-31' WHERE exception_id = 1;
SELECT count(*) AS rows_kept FROM customer_class.credit_limit_override WHERE customer_id = 3;
-- a restore (pg_dump output sets check_function_bodies = off) loads config
-- rows before or beside the customers: nothing is checked then
SET check_function_bodies = off;
INSERT INTO customer_class.credit_limit_override (customer_id, credit_limit, reason, valid_from, expires_on)
VALUES (998, 5000, 'restored before its customer', '2025-12-01', '2026-12-01');
RESET check_function_bodies;
SELECT customer_id FROM customer_class.credit_limit_override WHERE customer_id = 998;
DELETE FROM customer_class.credit_limit_override;
DELETE FROM customer_class.credit_check_exception;
DELETE FROM customer_class.external_score;

-- == Payment terms ==
SELECT issued, basis, customer_class.payment_due_on(issued, 30, basis) AS due_on
FROM (VALUES (date '2026-01-10', 'invoice'), ('2026-01-10', 'month_end'), ('2026-01-31', 'month_end'),
			 ('2024-02-10', 'month_end')) v (issued, basis);
SELECT customer_class.payment_due_on('2024-02-10', 0, 'month_end') AS month_end_net_0;
SELECT customer_class.payment_due_on('2026-01-10', 30, 'eom');
\echo :LAST_ERROR_SQLSTATE
UPDATE customer_class.customer SET payment_terms_basis = 'end_of_month' WHERE customer_id = 3;
\echo :LAST_ERROR_SQLSTATE
-- an invoice without due_on: issued_on + the customer's terms (月结30天 for customer 3)
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, amount) VALUES
	(301, 3, '2025-12-10', 100.00), (302, 3, '2025-12-31', 100.00), (401, 4, '2025-12-10', 100.00);
-- a given due_on is kept
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES (303, 3, '2025-12-10', '2025-12-20', 100.00);
SELECT invoice_id, issued_on, due_on FROM customer_class.src_invoice WHERE invoice_id IN (301, 302, 303, 401) ORDER BY invoice_id;
-- the limit policy sets terms by grade: grade B at most 15 days; the
-- earlier due date of the customer's and the grade's terms applies
INSERT INTO customer_class.credit_limit_policy (grade, method, amount, payment_terms_days, payment_terms_basis, note)
VALUES ('B', 'amount', 200000, 15, 'invoice', 'B: 15 days at most');
INSERT INTO customer_class.credit_limit_policy (grade, method, amount, payment_terms_days, note)
VALUES ('C', 'amount', 50000, 15, 'terms without basis');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, amount) VALUES (304, 3, '2025-12-10', 100.00);
-- customer 4 (not graded: the grade-NULL policy row sets no terms) keeps its own
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, amount) VALUES (402, 4, '2025-12-12', 100.00);
SELECT invoice_id, issued_on, due_on FROM customer_class.src_invoice WHERE invoice_id IN (304, 402) ORDER BY invoice_id;
SELECT customer_class.invoice_due_on(3, '2026-02-10') AS grade_b_terms, customer_class.invoice_due_on(999, '2026-02-10') AS unknown;
-- an invoice written with due_on NULL again gets it from the terms
UPDATE customer_class.invoice SET due_on = NULL WHERE invoice_id = 303;
SELECT due_on FROM customer_class.invoice WHERE invoice_id = 303;
DELETE FROM customer_class.credit_limit_policy WHERE NOT shipped;
DELETE FROM customer_class.payment WHERE customer_id IN (3, 4);
DELETE FROM customer_class.invoice WHERE customer_id IN (3, 4);

-- == Activity from orders or invoices, whichever the data has ==
-- customer 2 orders and is invoiced every month, customer 4 is only
-- invoiced (services); both pay on time
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status, shipped_on)
SELECT 200 + m, 2, make_date(2025, m, 1), 10000, 'invoiced', make_date(2025, m, 1) FROM generate_series(1, 12) m;
INSERT INTO customer_class.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount)
SELECT 200 + m, 2, 200 + m, make_date(2025, m, 1), make_date(2025, m, 1) + 30, 10000 FROM generate_series(1, 12) m;
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount)
SELECT 400 + m, 4, make_date(2025, m, 1), make_date(2025, m, 1) + 30, 10000 FROM generate_series(1, 12) m;
INSERT INTO customer_class.payment (customer_id, invoice_id, paid_on, amount)
SELECT c, c * 100 + m, make_date(2025, m, 1) + 20, 10000 FROM generate_series(1, 11) m, (VALUES (2), (4)) v (c);
SELECT customer_id, (facts).orders_12m, (facts).order_months, (facts).orders_90d, (facts).first_order_on,
	   (facts).last_order_on, (facts).previous_order_on
FROM customer_class.credit_facts('2025-12-31', 'default', ARRAY[2, 4]::bigint[]) ORDER BY customer_id;
SELECT customer_class.refresh('2025-12-31') > 0 AS refreshed;
-- the same relationship stability and lifecycle stage for both
SELECT customer_id, stability_points, lifecycle_stage, credit_grade
FROM customer_class.profile WHERE customer_id IN (2, 4) ORDER BY customer_id;

-- == External negative events cap the grade (rule.external_event, default D) ==
SELECT credit_limit, limit_source, credit_grade FROM customer_class.credit_limit_info(2);
INSERT INTO customer_class.external_event (customer_id, event_on, kind, source, reference)
VALUES (2, '2025-12-20', 'litigation', 'court records', '(2025) 沪01民初123号');
-- at once, for the checks: grade D, so prepayment required
SELECT credit_limit, limit_source, credit_grade FROM customer_class.credit_limit_info(2);
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (250, 2, '2025-12-28', 100.00);
\echo :LAST_ERROR_SQLSTATE
-- an event dated after the as-of date does not count yet
SELECT credit_grade FROM customer_class.credit_limit_info(2, '2025-12-19');
-- at the next refresh, for the grade: the score is kept, the grade capped, and the history says why
SELECT customer_class.refresh('2025-12-31') AS changed;
SELECT credit_score, computed_grade, credit_grade FROM customer_class.profile WHERE customer_id = 2;
SELECT old_value, new_value, why FROM customer_class.class_history
WHERE customer_id = 2 AND dimension = 'credit_grade' ORDER BY history_id DESC LIMIT 1;
SELECT inputs FROM customer_class.explain_score(2) WHERE dimension = 'grade';
-- a manager who reviewed it resolves its alert: the cap goes at once for
-- the checks, and at the next refresh for the grade
SELECT customer_class.resolve_alert(alert_id) FROM customer_class.alerts WHERE customer_id = 2 AND kind = 'external_event';
SELECT credit_grade FROM customer_class.credit_limit_info(2);
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (250, 2, '2025-12-28', 100.00);
SELECT customer_class.refresh('2025-12-31') AS changed;
SELECT credit_score, computed_grade, credit_grade FROM customer_class.profile WHERE customer_id = 2;
-- the policy: C caps less; off lets an event only raise its alert
INSERT INTO customer_class.external_event (customer_id, event_on, kind, source) VALUES (2, '2025-12-21', 'enforcement', 'court records');
SELECT customer_class.set_credit_setting('rule.external_event', 'C');
SELECT credit_grade FROM customer_class.credit_limit_info(2);
SELECT customer_class.set_credit_setting('rule.external_event', 'off');
SELECT credit_grade FROM customer_class.credit_limit_info(2);
SELECT customer_class.set_credit_setting('rule.external_event', 'A');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.reset_credit_setting('rule.external_event');
-- a manual grade override (a reviewed decision) is not capped
INSERT INTO customer_class.credit_override (customer_id, grade, reason, valid_from, expires_on)
VALUES (2, 'B', 'reviewed: the claim is small', '2025-12-01', '2026-06-30');
SELECT customer_class.refresh('2025-12-31') AS changed;
SELECT credit_grade FROM customer_class.profile WHERE customer_id = 2;
SELECT credit_grade FROM customer_class.credit_limit_info(2);

TRUNCATE customer_class.customer, customer_class.sales_order, customer_class.invoice, customer_class.payment,
	customer_class.profile, customer_class.class_history, customer_class.dirty, customer_class.alerts,
	customer_class.credit_override;
-- (the next tests count events from 1)
TRUNCATE customer_class.external_event RESTART IDENTITY;
DELETE FROM customer_class.credit_setting WHERE NOT shipped;
SELECT count(*) AS ledger_rows FROM customer_class.credit_exposure;
