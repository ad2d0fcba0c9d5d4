-- Trends per class (docs/reporting.md, "Trends"): class_trend() on small
-- hand-checked data, checked against the obvious SQL (ar_figures() and the
-- grade from class_history at each month end), weeks, and bad input.
SET customer_class.as_of = '2025-03-31';
\set VERBOSITY default
\set SHOW_CONTEXT never
TRUNCATE customer_class.customer, customer_class.sales_order, customer_class.invoice, customer_class.payment,
	customer_class.profile, customer_class.class_history, customer_class.dirty, customer_class.rfm_boundary, customer_class.alerts;

-- the periods: calendar months, the first and last cut at the range's ends
SELECT * FROM customer_class.trend_periods('2025-01-15', '2025-03-10');
SELECT * FROM customer_class.trend_periods('2025-01-29', '2025-02-09', 'week');
SELECT * FROM customer_class.trend_periods('2025-02-10', '2025-11-30', 'quarter');

INSERT INTO customer_class.customer (customer_id, name, customer_type, industry, region, size_class, payment_terms_days, created_on)
VALUES (1, 'Alpha', 'enterprise', 'retail', 'east', 'large', 30, '2024-01-01'),
	   (2, 'Beta', 'enterprise', 'retail', 'east', 'small', 30, '2024-01-01'),
	   (3, 'Gamma', 'individual', 'retail', 'west', 'micro', 30, '2024-01-01'),
	   (4, 'Delta (never graded)', 'enterprise', 'retail', 'west', 'small', 30, '2024-01-01');
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(101, 1, '2024-12-15', '2025-01-14', 1000.00),	-- 600 on 01-20, 400 on 02-20
	(102, 1, '2025-01-10', '2025-02-09', 500.00),	-- paid 03-05
	(103, 1, '2025-03-20', '2025-04-19', 300.00),	-- 40 paid ahead on 03-01
	(201, 2, '2025-01-05', '2025-01-20', 2000.00),	-- 1,000 on 02-15, credit note 1,500 on 03-10: overpaid 500
	(202, 2, '2025-02-20', '2025-03-22', 700.00),	-- 200 paid ahead on 02-10, then nothing
	(203, 2, '2025-04-05', '2025-05-05', 100.00),	-- issued after the range, paid ahead on 03-25
	(301, 3, '2024-11-01', '2024-12-01', 800.00),	-- 300 on 01-15, 500 left
	(401, 4, '2025-01-01', '2025-01-31', 999.00);	-- a customer in no class
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount, kind) VALUES
	(1, 1, 101, '2025-01-20', 600.00, 'payment'),
	(2, 1, 101, '2025-02-20', 400.00, 'payment'),
	(3, 1, NULL, '2025-02-01', 50.00, 'payment'),		-- unapplied
	(4, 1, 102, '2025-03-05', 500.00, 'payment'),
	(5, 1, 103, '2025-03-01', 40.00, 'payment'),		-- before the invoice
	(6, 2, 201, '2025-02-15', 1000.00, 'payment'),
	(7, 2, 201, '2025-03-10', 1500.00, 'credit_note'),
	(8, 2, 202, '2025-02-10', 200.00, 'payment'),		-- before the invoice
	(9, 2, 203, '2025-03-25', 100.00, 'payment'),		-- advance: its invoice comes in April
	(10, 3, 301, '2025-01-15', 300.00, 'payment');
-- the grades, as refresh() records them: Alpha A, then B from 02-28; Beta
-- graded C on 01-31, D from 03-15; Gamma C, gone on 02-10
INSERT INTO customer_class.class_history (customer_id, dimension, old_value, new_value, as_of, why) VALUES
	(1, 'credit_grade', NULL, 'A', '2024-12-31', 'test'),
	(3, 'credit_grade', NULL, 'C', '2024-12-31', 'test'),
	(2, 'credit_grade', NULL, 'C', '2025-01-31', 'test'),
	(1, 'credit_grade', 'A', 'B', '2025-02-28', 'test'),
	(3, 'credit_grade', 'C', NULL, '2025-02-10', 'test'),
	(2, 'credit_grade', 'C', 'D', '2025-03-15', 'test'),
	(1, 'lifecycle_stage', NULL, 'active', '2024-12-31', 'test'),
	(2, 'lifecycle_stage', NULL, 'new', '2025-01-31', 'test'),
	(2, 'lifecycle_stage', 'new', 'active', '2025-03-31', 'test');

-- Hand-checked, per customer at the month ends Jan / Feb / Mar:
--   Alpha (A, B, B): AR 1,000 + 500 - 600 = 900; 1,500 - 1,050 = 450;
--     1,800 - 1,590 = 210.  Overdue: 101's 400 (due 01-14); 102's 500
--     (due 02-09); none.  Revenue 500 (102), 0, 300 (103).
--   Beta (C, C, D): AR 2,000; 2,700 - 1,200 = 1,500; 2,700 - 2,800 = -100
--     (203 is not issued yet: its payment is an advance).  Overdue: 2,000;
--     1,000; 202's 500 (201 overpaid counts 0).  Revenue 2,000, 700, 0.
--   Gamma (C, gone, gone): AR 500, overdue 500, revenue 0 in January.
--   Delta: never graded, in no row.
-- January: A = Alpha (was A on 12-31: not new); C = Beta (new) + Gamma.
-- February: Alpha left A for B; Gamma left C.  March: Beta left C for D.
SELECT period_start, period_end, dimension, class, class_label_en, class_label_zh, customers, new_customers,
	   lost_customers, revenue, ar, overdue
FROM customer_class.class_trend('grade', '2025-01-01', '2025-03-31');
-- "how did our book of grade-C customers move": one query
SELECT period_end, customers, new_customers, lost_customers, revenue, ar, overdue
FROM customer_class.class_trend('credit_grade', '2025-01-01') WHERE class = 'C';
-- customers at a period end = at the one before + new - lost
SELECT count(*) AS flow_mismatches
FROM (SELECT period_end, customers, new_customers, lost_customers,
			 lag(customers) OVER (PARTITION BY class ORDER BY period_end) AS before
	  FROM customer_class.class_trend('grade', '2025-01-01', '2025-03-31')) t
WHERE customers <> before + new_customers - lost_customers;

-- The obvious SQL, one aging per month end: ar_figures() as of each month
-- end and the grade then from class_history.  Same figures, both ways.
WITH ours AS (
	SELECT period_end, class, ar, overdue, revenue
	FROM customer_class.class_trend('grade', '2025-01-01', '2025-03-31') WHERE customers > 0
), obvious AS (
	SELECT e.period_end, g.class, sum(f.end_ar) AS ar, sum(f.end_overdue_ar) AS overdue,
		   sum((SELECT coalesce(sum(i.amount), 0) FROM customer_class.invoice i
				WHERE i.customer_id = f.customer_id AND i.issued_on BETWEEN e.period_start AND e.period_end)) AS revenue
	FROM customer_class.trend_periods('2025-01-01', '2025-03-31') e
	CROSS JOIN LATERAL customer_class.ar_figures(e.period_start, e.period_end) f
	JOIN customer_class.class_at('credit_grade', e.period_end) g ON g.customer_id = f.customer_id
	GROUP BY e.period_end, g.class
)
SELECT (SELECT count(*) FROM ours) AS rows,
	   (SELECT count(*) FROM (TABLE ours EXCEPT TABLE obvious) x) AS only_ours,
	   (SELECT count(*) FROM (TABLE obvious EXCEPT TABLE ours) x) AS only_obvious;

-- weeks, the first cut at from_date; another dimension (its classes in
-- lifecycle order)
SELECT period_start, period_end, class, customers, new_customers, revenue, ar, overdue
FROM customer_class.class_trend('grade', '2025-02-12', '2025-02-23', 'week') WHERE class IN ('A', 'B', 'C');
SELECT period_end, class, class_label_zh, customers, new_customers, lost_customers
FROM customer_class.class_trend('stage', '2025-02-01', '2025-03-31')
WHERE class IN ('new', 'active', 'dormant');
-- the class at a date (as grade_migration reads it): Gamma is gone
SELECT * FROM customer_class.class_at('credit_grade', '2025-02-28') ORDER BY customer_id;

-- bad input: SQLSTATE and message
SELECT * FROM customer_class.class_trend('grade', '2025-01-01', '2025-03-31', 'day');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.class_trend('grade', '2025-03-31', '2025-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.class_trend('colour', '2025-01-01', '2025-03-31');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.class_trend('grade', NULL, '2025-03-31');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.class_trend('grade', '-infinity', '2025-03-31');
\echo :LAST_ERROR_SQLSTATE

-- a reader may run it
SET ROLE customer_class_reader;
SELECT count(*) AS rows FROM customer_class.class_trend('grade', '2025-01-01', '2025-03-31');
RESET ROLE;

TRUNCATE customer_class.customer, customer_class.sales_order, customer_class.invoice, customer_class.payment,
	customer_class.class_history;
