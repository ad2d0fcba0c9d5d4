-- class_trend() over the 53 weeks of 2025 against the SQL an analyst writes,
-- one aging per week end (as case class_trend, with weeks): ours reads the
-- invoices and payments once whatever the number of periods, the analyst's
-- SQL once per period.  Target: ours at least 5x faster (ratio >= 5);
-- measured at 20,000 customers on 2026-12-07: 5.39.
-- @runs 1
-- @setup
-- the grade history of case class_trend
INSERT INTO customer_class.class_history (customer_id, dimension, old_value, new_value, as_of, why)
SELECT c.customer_id, 'credit_grade', NULL, (ARRAY['A', 'B', 'C', 'D'])[1 + abs(hashint8(c.customer_id)) % 4],
	   date '2024-12-31', 'bench: class_trend'
FROM customer_class.customer c;
INSERT INTO customer_class.class_history (customer_id, dimension, old_value, new_value, as_of, why)
SELECT c.customer_id, 'credit_grade', NULL, (ARRAY['A', 'B', 'C', 'D'])[1 + abs(hashint8(c.customer_id * 13 + m)) % 4],
	   (date '2025-02-01' + (m - 1) * interval '1 month')::date - 1, 'bench: class_trend'
FROM customer_class.customer c CROSS JOIN generate_series(1, 12) m
WHERE abs(hashint8(c.customer_id * 7 + m)) % 20 = 0;
ANALYZE customer_class.class_history;
-- @ours
SELECT * FROM customer_class.class_trend('grade', '2025-01-01', '2025-12-31', 'week');
-- @baseline
SELECT e.period_end, g.class, count(*) AS customers, sum(f.credit_sales) AS revenue,
	   sum(f.end_ar) AS ar, sum(f.end_overdue_ar) AS overdue
FROM customer_class.trend_periods('2025-01-01', '2025-12-31', 'week') e
CROSS JOIN LATERAL customer_class.ar_figures(e.period_start, e.period_end) f
JOIN customer_class.class_at('credit_grade', e.period_end) g ON g.customer_id = f.customer_id
GROUP BY e.period_end, g.class
ORDER BY e.period_end, g.class;
-- @teardown
DELETE FROM customer_class.class_history WHERE why = 'bench: class_trend';
