-- Trends per class (docs/reporting.md): the history recorded by the
-- refreshes of 45_history.sql and 50_grades.sql, month by month.
\echo '== How did our book of grade-C customers move in 2025? class_trend(''grade'', ''2025-01-01'', ''2025-12-31'')'
SELECT period_end, customers, new_customers AS came_in, lost_customers AS left,
	   revenue, ar, overdue
FROM customer_class.class_trend('grade', '2025-01-01', '2025-12-31')
WHERE class = 'C';

\echo '== Lifecycle stages at each quarter end (class_trend(''stage'', ..., ''quarter''))'
SELECT period_end, class, class_label_zh, customers, new_customers, lost_customers
FROM customer_class.class_trend('stage', '2025-01-01', '2025-12-31', 'quarter')
WHERE customers > 0 OR lost_customers > 0
ORDER BY period_end, class::customer_class.lifecycle_stage;
