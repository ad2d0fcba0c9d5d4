-- Receivables views and the standard AR figures, on small hand-checked data.
SET customer_class.as_of = '2025-06-30';
SET search_path = public, customer_class;

-- the published worked examples
-- simple DSO: AR 150,000, credit sales 1,800,000 over 365 days = 30.4 days
SELECT customer_class.dso(150000, 1800000, 365) AS dso, round(customer_class.dso(150000, 1800000, 365), 1) AS dso_1dp;
-- ADD: total AR 15,000, current AR 4,000, credit sales 10,000 over 30 days:
-- DSO 45 - best-possible DSO 12 = 33
SELECT customer_class.dso(15000, 10000, 30) AS dso,
	   customer_class.best_possible_dso(4000, 10000, 30) AS best_possible_dso,
	   customer_class.average_days_delinquent(15000, 4000, 10000, 30) AS add;
-- CEI: begin 20,000 + sales 50,000 - end 25,000 = 45,000 collected of the
-- 55,000 collectible (end current 15,000): 81.82%
SELECT customer_class.collection_effectiveness_index(20000, 50000, 25000, 15000) AS cei;
-- collection rate: 45,000 collected of 20,000 + 50,000 = 64.29%
SELECT customer_class.collection_rate(45000, 20000, 50000) AS collection_rate;
-- undefined figures are NULL; a bad period is an error (22023)
SELECT customer_class.dso(100, 0, 30) IS NULL AS no_sales_null,
	   customer_class.collection_effectiveness_index(0, 100, 50, 100) IS NULL AS cei_zero_denominator_null;
SELECT customer_class.dso(100, 1000, 0);
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.ar_period_days('2025-06-30', '2025-06-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.ar_figures('2025-06-30', '2025-06-01');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.ar_period_days('2025-06-01', '2025-06-30') AS june_days;

INSERT INTO customer_class.customer
	(customer_id, name, customer_type, industry, region, size_class, payment_terms_days, created_on)
VALUES
	(1, 'Alpha', 'enterprise', 'manufacturing', 'east.shanghai', 'large', 30, '2024-01-01'),
	(2, 'Beta', 'enterprise', 'retail', 'north.beijing', 'small', 30, '2024-01-01'),
	(3, 'Gamma', 'individual', 'retail', 'east.hangzhou', 'micro', 0, '2024-01-01'),
	(4, 'Delta (no business)', 'enterprise', 'retail', 'west', 'small', 30, '2024-01-01');
UPDATE customer_class.customer SET tags = '{vip,key.account}' WHERE customer_id IN (1, 2);
UPDATE customer_class.customer SET tags = '{vip}' WHERE customer_id = 3;
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(101, 1, '2025-03-01', '2025-03-31', 1000.00),	-- paid in full 03-25 (6 days early)
	(102, 1, '2025-04-10', '2025-05-10', 2000.00),	-- 1,200 on 05-05 + credit note 800 on 05-20
	(103, 1, '2025-05-15', '2025-06-14', 1500.00),	-- 500 on 06-20: 1,000 open, 16 days past due
	(104, 1, '2025-06-20', '2025-07-20', 700.00),	-- open, not yet due
	(105, 1, '2025-07-05', '2025-08-04', 999.00),	-- issued after the as-of date
	(201, 2, '2024-12-01', '2024-12-31', 5000.00),	-- open, 181 days past due
	(202, 2, '2025-04-01', '2025-05-01', 800.00),	-- overpaid: 850 on 05-01
	(203, 2, '2025-06-01', '2025-07-01', 400.00),	-- paid 07-03, after the as-of date
	(301, 3, '2025-06-25', '2025-06-25', 100.00);	-- due on receipt, 5 days past due
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount, kind) VALUES
	(1, 1, 101, '2025-03-25', 1000.00, 'payment'),
	(2, 1, 102, '2025-05-05', 1200.00, 'payment'),
	(3, 1, 102, '2025-05-20', 800.00, 'credit_note'),
	(4, 1, 103, '2025-06-20', 500.00, 'payment'),
	(5, 1, NULL, '2025-06-25', 300.00, 'payment'),		-- unapplied
	(6, 2, 202, '2025-05-01', 850.00, 'payment'),
	(7, 2, 203, '2025-07-03', 400.00, 'payment'),
	(8, 3, NULL, '2025-06-28', 20.00, 'credit_note');	-- unapplied credit

-- settlement date: the day the running total reached the amount
SELECT * FROM customer_class.invoice_status ORDER BY invoice_id;
SELECT * FROM customer_class.open_item ORDER BY customer_id, invoice_id NULLS LAST, kind;

-- hand-checked aging as of 2025-06-30:
--   Alpha: current 700 - 300 unapplied = 400; 1-30: 1,000 (16 days); total 1,400
--   Beta:  current 400 - 50 overpaid = 350; 91+: 5,000 (181 days); total 5,350
--   Gamma: current -20 (unapplied credit note); 1-30: 100 (5 days); total 80
SELECT customer_id, customer_name, as_of, current_amount, days_1_30, days_31_60, days_61_90,
	   days_over_90, total, overdue
FROM customer_class.aging_report ORDER BY customer_id;
-- the aging value itself (SQL users: the views give its buckets as numbers)
SELECT customer_class.aging_agg(open_amount, due_on, customer_class.report_date()) AS aging
FROM customer_class.open_item WHERE customer_id = 2;
SELECT dimension, class, customers, current_amount, days_1_30, days_over_90, total, overdue
FROM customer_class.aging_report_by_class ORDER BY dimension, class;
-- the report total is each customer's balance: invoices - payments - credits
SELECT count(*) AS mismatches
FROM customer_class.aging_report r
JOIN (SELECT customer_id, sum(amount) AS owed FROM (
		SELECT customer_id, amount FROM customer_class.invoice WHERE issued_on <= '2025-06-30'
		UNION ALL
		SELECT customer_id, -amount FROM customer_class.payment WHERE paid_on <= '2025-06-30') x
	  GROUP BY customer_id) b USING (customer_id)
WHERE r.total <> b.owed;

-- AR figures over the 365 days to 2025-06-30 (begin AR 0 for everyone):
--   Alpha: sales 5,200, end AR 1,400, overdue 1,000, current 400:
--     DSO 1400/5200*365 = 98.27, BPDSO 400/5200*365 = 28.08, ADD 70.19,
--     CEI (5200-1400)/(5200-400) = 79.17, collected cash 3,000/5,200 = 57.69
--   Beta: sales 6,200, end AR 5,350, overdue 5,000, current 350:
--     DSO 314.96, BPDSO 20.60, ADD 314.96 - 20.60 = 294.36 (from the rounded
--     figures; unrounded 294.35), CEI 850/5850 = 14.53, rate 13.71
--   Gamma: sales 100, end AR 80, overdue 100, current -20: DSO 292, BPDSO -73,
--     ADD 365, CEI 20/120 = 16.67, rate 0 (a credit note is not cash)
SELECT * FROM customer_class.ar_kpi ORDER BY customer_id;
SELECT * FROM customer_class.ar_kpi_by_class WHERE dimension IN ('customer_type', 'region', 'tag') ORDER BY dimension, class;

-- payment behaviour per customer:
--   Alpha: 4 invoices (105 not yet issued), 5,200 billed; 101 paid 6 days early
--     after 24 days, 102 settled 10 days late after 40 days; open 103 (1,000
--     of 1,500) and 104 (700): open 1,700, overdue 1,000, max 16 days;
--     days to pay (1000*24 + 2000*40)/3000 = 34.67, beyond terms 20000/3000
--     = 6.67, signed (-6000 + 20000)/3000 = 4.67; index NULL (2 paid)
--   Beta: 202 paid on its due date (overpaid); 201 and 203 open, max 181 days
--   Gamma: nothing paid yet: ratios NULL
SELECT * FROM customer_class.customer_payment_behavior ORDER BY customer_id;

-- collector's list: overdue first (oldest), then falling due within 14 days
SELECT * FROM customer_class.due_reminders;
SELECT invoice_id, days_past_due, status FROM customer_class.due_reminders(30);
-- a negative number keeps only invoices at least that many days overdue
SELECT invoice_id, days_past_due FROM customer_class.due_reminders(-10);

-- everything follows the as-of date: on 2025-05-15 invoice 102 is 5 days
-- overdue with 800 open, 103 is just issued and 201 is 135 days past due
SET customer_class.as_of = '2025-05-15';
SELECT invoice_id, applied_amount, open_amount, paid_on, days_past_due, status
FROM customer_class.invoice_status WHERE customer_id = 1 ORDER BY invoice_id;
SELECT customer_id, current_amount, days_1_30, days_over_90, total FROM customer_class.aging_report ORDER BY customer_id;
SELECT invoice_id, days_past_due, open_amount, status FROM customer_class.due_reminders;
SET customer_class.as_of = '2025-06-30';

-- ADD is the difference of the two figures shown beside it
SELECT count(*) AS add_mismatches FROM customer_class.ar_kpi
WHERE average_days_delinquent <> dso - best_possible_dso;
SELECT count(*) AS add_mismatches FROM customer_class.ar_kpi_by_class
WHERE average_days_delinquent <> dso - best_possible_dso;

-- an advance: 200 paid on 06-20 for invoice 502, issued only on 07-10.  As
-- of 06-30 it is a credit (current, negative), in the aging as in the AR
-- figures: total = end AR = 100 - 200 = -100, current -200, overdue 100
INSERT INTO customer_class.customer
	(customer_id, name, customer_type, industry, region, size_class, payment_terms_days, created_on)
VALUES (5, 'Epsilon', 'enterprise', 'retail', 'west', 'small', 30, '2024-01-01');
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(501, 5, '2025-05-01', '2025-05-31', 100.00),
	(502, 5, '2025-07-10', '2025-08-09', 500.00);
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount, kind) VALUES
	(9, 5, 502, '2025-06-20', 200.00, 'payment');
SELECT * FROM customer_class.open_item WHERE customer_id = 5 ORDER BY invoice_id;
SELECT customer_id, current_amount, days_1_30, total, overdue FROM customer_class.aging_report WHERE customer_id = 5;
SELECT customer_id, begin_ar, credit_sales, collections, end_ar, end_current_ar, end_overdue_ar, dso, best_possible_dso
FROM customer_class.ar_kpi WHERE customer_id = 5;
-- for every customer: aging total = end AR, aging current = end current AR
SELECT count(*) AS mismatches
FROM customer_class.aging_report r FULL JOIN customer_class.ar_kpi k USING (customer_id)
WHERE coalesce(r.total, 0) <> coalesce(k.end_ar, 0)
   OR coalesce(r.current_amount, 0) <> coalesce(k.end_current_ar, 0);
-- on 07-10 the invoice exists and the payment settles part of it
SET customer_class.as_of = '2025-07-10';
SELECT * FROM customer_class.open_item WHERE customer_id = 5 ORDER BY invoice_id;
SET customer_class.as_of = '2025-06-30';

-- a refund or reversal (a negative payment, as a bound ERP table may hold;
-- the managed table forbids it, so the check is lifted in a transaction):
-- invoice 101, paid 03-25, is reversed on 04-01 and open again, then paid
-- again on 04-15, which is its settlement date
BEGIN;
ALTER TABLE customer_class.payment DROP CONSTRAINT payment_amount_positive;
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount, kind) VALUES
	(10, 1, 101, '2025-04-01', -1000.00, 'payment');
SELECT invoice_id, applied_amount, open_amount, paid_on, status FROM customer_class.invoice_status WHERE invoice_id = 101;
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount, kind) VALUES
	(11, 1, 101, '2025-04-15', 1000.00, 'payment');
SELECT invoice_id, applied_amount, open_amount, paid_on, status FROM customer_class.invoice_status WHERE invoice_id = 101;
ROLLBACK;

-- the payment index of the profile (credit facts) and of the payment
-- behaviour view are the same exact figure: invoices of 3, 40 and 37, the
-- first paid a day late: 0.0375 days -> 79.975 -> 79.98
INSERT INTO customer_class.customer
	(customer_id, name, customer_type, industry, region, size_class, payment_terms_days, created_on)
VALUES (6, 'Zeta', 'enterprise', 'retail', 'west', 'small', 30, '2024-01-01');
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(601, 6, '2025-03-01', '2025-03-31', 3.00),
	(602, 6, '2025-03-01', '2025-03-31', 40.00),
	(603, 6, '2025-03-01', '2025-03-31', 37.00);
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount, kind) VALUES
	(12, 6, 601, '2025-04-01', 3.00, 'payment'),
	(13, 6, 602, '2025-03-31', 40.00, 'payment'),
	(14, 6, 603, '2025-03-31', 37.00, 'payment');
SELECT count(*) > 0 AS refreshed FROM (SELECT customer_class.refresh()) r;
SELECT p.customer_id, p.payment_index AS profile_index, b.payment_index AS behavior_index
FROM customer_class.customer_profile p JOIN customer_class.customer_payment_behavior b USING (customer_id)
WHERE p.customer_id = 6;
SELECT count(*) AS index_mismatches
FROM customer_class.customer_profile p JOIN customer_class.customer_payment_behavior b USING (customer_id)
WHERE p.payment_index IS DISTINCT FROM b.payment_index;

-- readers can read every view
SET ROLE customer_class_reader;
SELECT count(*) > 0 AS reader_sees_aging FROM customer_class.aging_report;
SELECT count(*) > 0 AS reader_sees_kpi FROM customer_class.ar_kpi;
SELECT count(*) > 0 AS reader_sees_reminders FROM customer_class.due_reminders;
RESET ROLE;

TRUNCATE customer_class.customer, customer_class.sales_order, customer_class.invoice, customer_class.payment,
	customer_class.profile, customer_class.class_history, customer_class.dirty, customer_class.rfm_boundary, customer_class.alerts;
