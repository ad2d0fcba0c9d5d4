-- A mistyped date must not lock refresh() for good (issue 14, part 3):
-- refresh() and every other function that writes as of a date refuse a
-- date far beyond today before they write anything, and an administrator
-- undoes a mistaken refresh with rewind(), after which the database gives
-- exactly what a database that never saw the mistake gives.
SET customer_class.as_of = '2025-12-31';
\set SHOW_CONTEXT never
\set ECHO none
\set customers 300
\set as_of 2025-12-31
\i test/data/generate.sql
\set ON_ERROR_STOP 0
\set ECHO all
SELECT count(*) AS problems FROM sample.check() WHERE rows > 0;
-- a rule tag, so that rule tags and their history are undone too
INSERT INTO customer_class.tag_rule (tag, condition, description)
VALUES ('watch.quiet', 'lifecycle_stage IN (''dormant'', ''churned'')', 'quiet customers');
CREATE ROLE cc_rewind_admin IN ROLE customer_class_admin;
CREATE ROLE cc_rewind_analyst IN ROLE customer_class_analyst;

-- == Implausible dates are refused before anything is written ==
-- at most customer_class.max_days_ahead days after the real current date
SHOW customer_class.max_days_ahead;
SELECT customer_class.refresh('2206-01-31');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.refresh('2206-01-31', full_refresh => true);
\echo :LAST_ERROR_SQLSTATE
-- also when the date comes from the as_of setting
SET customer_class.as_of = '2206-01-31';
SELECT customer_class.refresh();
\echo :LAST_ERROR_SQLSTATE
SET customer_class.as_of = '2025-12-31';
SELECT customer_class.refresh('infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT (SELECT count(*) FROM customer_class.profile) AS profiles,
	   (SELECT count(*) FROM customer_class.class_history) AS history,
	   (SELECT count(*) FROM customer_class.alerts) AS alerts,
	   (SELECT count(*) FROM customer_class.rfm_boundary) AS rfm_bounds,
	   (SELECT count(*) FROM customer_class.dirty) > 0 AS still_queued;

-- the limit counts from current_date, whatever the as_of setting says: a
-- month-end ahead passes, a day more does not, unless the setting allows it
CREATE FUNCTION pg_temp.plausible(d date) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	PERFORM customer_class.check_as_of(d, 'refresh');
	RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
	RETURN 'refused ' || SQLSTATE;
END
$$;
SELECT pg_temp.plausible(current_date + 31) AS today_plus_31,
	   pg_temp.plausible(current_date + 32) AS today_plus_32,
	   pg_temp.plausible(current_date - 3650) AS ten_years_ago,
	   pg_temp.plausible('-infinity') AS minus_infinity;
SET customer_class.max_days_ahead = 100;
SELECT pg_temp.plausible(current_date + 32) AS today_plus_32,
	   pg_temp.plausible(current_date + 101) AS today_plus_101;
RESET customer_class.max_days_ahead;
SET customer_class.max_days_ahead = -1;
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.check_as_of(NULL, 'refresh');
\echo :LAST_ERROR_SQLSTATE

-- the other functions that write as of a date refuse it too
SELECT customer_class.apply_tag_rules('2206-01-31');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.credit_alert_scan('2206-01-31');
\echo :LAST_ERROR_SQLSTATE
-- a manual tag change is recorded as of the as_of setting: refused when
-- that is a mistyped year; a customer write that changes no tag goes through
SET customer_class.as_of = '2206-01-31';
UPDATE customer_class.customer SET tags = tags OPERATOR(customer_class.+) 'vip' WHERE customer_id = 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE customer_class.customer SET name = name WHERE customer_id = 1;
SET customer_class.as_of = '2025-12-31';
SELECT count(*) AS history FROM customer_class.class_history;

-- == A database that never saw the mistake ==
-- what is compared: everything refresh() keeps, but keys and timestamps
CREATE TEMP VIEW refresh_state AS
	SELECT 'profile' AS relation, to_jsonb(p) - 'refreshed_at' - 'policy_version' AS r
	FROM customer_class.profile p
	UNION ALL
	SELECT 'class_history', to_jsonb(h) - 'history_id' - 'changed_at' FROM customer_class.class_history h
	UNION ALL
	SELECT 'rfm_boundary', to_jsonb(b) - 'boundary_id' - 'computed_at' - 'policy_version'
	FROM customer_class.rfm_boundary b
	UNION ALL
	SELECT 'alerts', to_jsonb(a) - 'alert_id' - 'raised_at' - 'last_seen_at' - 'resolved_at' - 'resolved_by'
					 || jsonb_build_object('open', a.resolved_at IS NULL)
	FROM customer_class.alerts a;
-- rows of each table missing from the state now, and rows now that the
-- expected state has not (without_detail: alerts compared without detail)
CREATE FUNCTION pg_temp.differences(expected text, without_detail boolean DEFAULT false)
	RETURNS TABLE (relation text, rows bigint, missing bigint, extra bigint)
	LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format($q$
		WITH e AS (SELECT e.relation, CASE WHEN $1 THEN e.r - 'detail' ELSE e.r END AS r FROM %1$I e),
			 s AS (SELECT s.relation, CASE WHEN $1 THEN s.r - 'detail' ELSE s.r END AS r FROM refresh_state s)
		SELECT t.relation, (SELECT count(*) FROM s WHERE s.relation = t.relation),
			   (SELECT count(*) FROM (SELECT e.r FROM e WHERE e.relation = t.relation
									  EXCEPT ALL SELECT s.r FROM s WHERE s.relation = t.relation) x),
			   (SELECT count(*) FROM (SELECT s.r FROM s WHERE s.relation = t.relation
									  EXCEPT ALL SELECT e.r FROM e WHERE e.relation = t.relation) x)
		FROM (VALUES ('alerts'), ('class_history'), ('profile'), ('rfm_boundary')) t (relation)
		ORDER BY 1$q$, expected)
	USING without_detail;
END
$$;

-- each refresh in a transaction of its own, as in real life
SELECT customer_class.refresh('2025-06-30') > 0 AS changed;
SELECT customer_class.refresh('2025-12-31') > 0 AS changed;
CREATE TEMP TABLE clean_2025_12_31 AS SELECT * FROM refresh_state;
-- nothing to rewind yet
SET ROLE cc_rewind_admin;
SELECT customer_class.rewind('2026-01-31', 'test');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT customer_class.refresh('2026-01-31') AS clean_changed \gset
CREATE TEMP TABLE clean_2026_01_31 AS SELECT * FROM refresh_state;
-- what a year of history gave (the alerts and rule tags are undone below)
SELECT relation, count(*) FROM clean_2026_01_31 GROUP BY 1 ORDER BY 1;
SELECT r->>'dimension' AS dimension, count(*) FROM clean_2026_01_31 WHERE relation = 'class_history' GROUP BY 1 ORDER BY 1;

-- == The same database with the mistake ==
TRUNCATE customer_class.profile, customer_class.class_history, customer_class.rfm_boundary,
	customer_class.alerts, customer_class.dirty;
SELECT customer_class.refresh('2025-06-30') > 0 AS changed;
SELECT customer_class.refresh('2025-12-31') > 0 AS changed;
SELECT * FROM pg_temp.differences('clean_2025_12_31');
-- the typo, made the way it was made before the guard existed
SET customer_class.max_days_ahead = 3000000;
SELECT customer_class.refresh('2206-01-31') > 0 AS changed;
RESET customer_class.max_days_ahead;
-- it turned everyone quiet, with history, alerts and rule tags
SELECT count(*) FILTER (WHERE lifecycle_stage IN ('dormant', 'churned')) AS quiet,
	   count(*) FILTER (WHERE rule_tags OPERATOR(customer_class.?) 'watch.quiet') AS tagged_quiet
FROM customer_class.profile;
-- from now on every refresh at a real date is refused, full or not; the
-- hint names the way back
SELECT customer_class.refresh('2026-01-31');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.refresh('2026-01-31', full_refresh => true);
\echo :LAST_ERROR_SQLSTATE

-- == rewind(): bad input ==
SET ROLE cc_rewind_admin;
SELECT customer_class.rewind(NULL, 'typo');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.rewind('2206-01-01', 'typo');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.rewind('2025-12-31', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.rewind('2025-12-31', '  ');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- analysts may refresh, but not rewind
SET ROLE cc_rewind_analyst;
SELECT customer_class.rewind('2025-12-31', 'typo');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT count(*) AS rewinds FROM customer_class.rewind_log;

-- == rewind() undoes it ==
SET ROLE cc_rewind_admin;
SELECT customer_class.rewind('2025-12-31', 'refresh as of 2206-01-31 was a typo for 2026-01-31') AS customers;
RESET ROLE;
-- the audit trail
SELECT rewind_id, to_date, from_date, reason, why, rewound_by, customers, history_rows,
	   profiles_removed, alerts_removed, alerts_reopened, rfm_boundaries_removed
FROM customer_class.rewind_log;
SELECT relation, count(*), min((row_data->>'as_of')::date) AS min_as_of
FROM customer_class.rewound_row GROUP BY 1 ORDER BY 1;
-- readers see the log, only admins the rows taken back
SET ROLE customer_class_reader;
SELECT count(*) AS rewinds FROM customer_class.rewind_log;
SELECT count(*) FROM customer_class.rewound_row;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- the database is as it was after the refresh as of 2025-12-31, but that
-- an alert the typo saw again keeps the typo's detail until the next
-- refresh sees it
SELECT * FROM pg_temp.differences('clean_2025_12_31');
SELECT * FROM pg_temp.differences('clean_2025_12_31', without_detail => true);
SELECT a.kind, a.detail->>'as_of' AS detail_as_of, count(*)
FROM customer_class.alerts a WHERE (a.detail->>'as_of')::date > '2025-12-31' GROUP BY 1, 2 ORDER BY 1, 2;

-- the refresh at the right date works, and gives exactly what the
-- database without the mistake has
SELECT customer_class.refresh('2026-01-31') = :clean_changed AS same_changed;
SELECT * FROM pg_temp.differences('clean_2026_01_31');

-- == A typo the guard cannot catch: a plausible date ==
-- 2026-11-30 for 2026-02-28 is before today: refresh() takes it, and
-- rewind() takes it back the same way
SELECT customer_class.refresh('2026-11-30') > 0 AS changed;
SET ROLE cc_rewind_admin;
SELECT customer_class.rewind('2026-01-31', '2026-11-30 was a typo for 2026-02-28') AS customers;
RESET ROLE;
SELECT * FROM pg_temp.differences('clean_2026_01_31');
SELECT * FROM pg_temp.differences('clean_2026_01_31', without_detail => true);

-- == Alerts that a refresh taken back saw again ==
-- rewinding the right refresh as of 2026-01-31: the payment_rhythm alerts it
-- saw again count one occurrence less, but keep its detail (the detail
-- before it was overwritten) until the next refresh sees them again
SET ROLE cc_rewind_admin;
SELECT customer_class.rewind('2025-12-31', 'one month back') AS customers;
RESET ROLE;
SELECT * FROM pg_temp.differences('clean_2025_12_31');
SELECT * FROM pg_temp.differences('clean_2025_12_31', without_detail => true);
SELECT a.kind, a.detail->>'as_of' AS detail_as_of, count(*)
FROM customer_class.alerts a WHERE (a.detail->>'as_of')::date > '2025-12-31' GROUP BY 1, 2 ORDER BY 1, 2;
SELECT customer_class.refresh('2026-01-31') = :clean_changed AS same_changed;
SELECT * FROM pg_temp.differences('clean_2026_01_31');

-- == Rewinding to before the first refresh: as if never refreshed ==
SET ROLE cc_rewind_admin;
SELECT customer_class.rewind('2025-03-31', 'start over') AS customers;
RESET ROLE;
SELECT rewind_id, to_date, from_date, customers, history_rows, profiles_removed, alerts_removed,
	   alerts_reopened, rfm_boundaries_removed
FROM customer_class.rewind_log ORDER BY rewind_id;
SELECT (SELECT count(*) FROM customer_class.profile) AS profiles,
	   (SELECT count(*) FROM customer_class.class_history) AS history,
	   (SELECT count(*) FROM customer_class.alerts) AS alerts,
	   (SELECT count(*) FROM customer_class.rfm_boundary) AS rfm_bounds;
SELECT customer_class.refresh('2025-06-30') > 0 AS changed;
SELECT customer_class.refresh('2025-12-31') > 0 AS changed;
SELECT * FROM pg_temp.differences('clean_2025_12_31');
SELECT customer_class.refresh('2026-01-31') = :clean_changed AS same_changed;
SELECT * FROM pg_temp.differences('clean_2026_01_31');

-- labels
SELECT p.oid::regprocedure, p.provolatile, p.proparallel, p.proisstrict, p.prosecdef,
	   has_function_privilege('customer_class_admin', p.oid, 'EXECUTE') AS admin,
	   has_function_privilege('customer_class_analyst', p.oid, 'EXECUTE') AS analyst
FROM pg_proc p
WHERE p.oid IN ('customer_class.rewind(date, text)'::regprocedure, 'customer_class.check_as_of(date, text)'::regprocedure)
ORDER BY 1;

TRUNCATE customer_class.customer, customer_class.sales_order, customer_class.invoice, customer_class.payment,
	customer_class.profile, customer_class.class_history, customer_class.rfm_boundary, customer_class.dirty,
	customer_class.alerts, customer_class.rewind_log, customer_class.rewound_row;
TRUNCATE customer_class.tag_rule RESTART IDENTITY;
DROP ROLE cc_rewind_admin;
DROP ROLE cc_rewind_analyst;
DROP SCHEMA sample CASCADE;
