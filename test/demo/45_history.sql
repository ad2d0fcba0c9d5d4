-- A year of history: the classes as refresh() records them at each month
-- end of 2025 before the last (50_grades.sql refreshes as of 2025-12-31), so
-- that class_history holds a timeline for the trends and the report
-- (90_trends.sql).  The refreshes run in date order: refresh() never goes
-- back in time.
\echo '== A year of history: refresh() at each month end from January to November 2025'
SELECT x.d AS as_of, customer_class.refresh(x.d) AS customers_changed
FROM generate_series(date '2025-02-01', date '2025-12-01', interval '1 month') AS m,
	 LATERAL (SELECT (m - interval '1 day')::date AS d) x;
