-- customer_class.as_of: the date computations are "as of"
-- Errors show their SQLSTATE through psql's LAST_ERROR_SQLSTATE.

-- default: empty setting, meaning current_date (the setting exists once the
-- library is loaded, which any function of the extension does)
SELECT customer_class.as_of() = current_date AS is_today;
SHOW customer_class.as_of;

SET customer_class.as_of = '2025-12-31';
SELECT customer_class.as_of();
SET customer_class.as_of = '2024-02-29';
SELECT customer_class.as_of();

-- SET LOCAL ends with the transaction
BEGIN;
SET LOCAL customer_class.as_of = '2020-01-01';
SELECT customer_class.as_of();
COMMIT;
SELECT customer_class.as_of();

-- the words PostgreSQL knows for dates
SET customer_class.as_of = 'today';
SELECT customer_class.as_of() = current_date AS is_today;
SET customer_class.as_of = 'yesterday';
SELECT customer_class.as_of() = current_date - 1 AS is_yesterday;

-- empty again means today
SET customer_class.as_of = '';
SELECT customer_class.as_of() = current_date AS is_today;
RESET customer_class.as_of;
SELECT customer_class.as_of() = current_date AS is_today;

-- bad values are rejected when set, with the value named
SET customer_class.as_of = 'garbage';
\echo :LAST_ERROR_SQLSTATE
SET customer_class.as_of = '2025-02-30';
\echo :LAST_ERROR_SQLSTATE
SET customer_class.as_of = 'infinity';
\echo :LAST_ERROR_SQLSTATE
-- a failed SET leaves the previous value in force
SELECT customer_class.as_of() = current_date AS is_today;

-- works in a parallel worker too (the setting is passed on)
SET customer_class.as_of = '2025-06-30';
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
CREATE TEMP TABLE days AS SELECT g FROM generate_series(1, 1000) g;
ANALYZE days;
SELECT count(*) FILTER (WHERE customer_class.as_of() = date '2025-06-30') FROM days;
RESET ALL;

-- other names under the reserved prefix are refused
SET customer_class.no_such_setting = 1;
\echo :LAST_ERROR_SQLSTATE

-- labels: STABLE (reads a setting), parallel safe
SELECT proname, provolatile, proparallel, proisstrict
FROM pg_proc WHERE oid = 'customer_class.as_of()'::regprocedure;

-- a value set before the library is loaded (here: the first statement of a
-- new session) cannot be checked when it is set.  A bad one is not in force
-- and every use of the as-of date fails, rather than falling back to today,
-- until the setting is SET or RESET again; a good one is in force.
\c
SET customer_class.as_of = 'garbage';
SELECT customer_class.as_of();
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.as_of();
\echo :LAST_ERROR_SQLSTATE
SET customer_class.as_of = '2025-12-31';
SELECT customer_class.as_of() = date '2025-12-31' AS in_force;
\c
SET customer_class.as_of = 'garbage';
RESET customer_class.as_of;
SELECT customer_class.as_of() = current_date AS is_today;
\c
SET customer_class.as_of = '2025-12-31';
SELECT customer_class.as_of() = date '2025-12-31' AS in_force;
