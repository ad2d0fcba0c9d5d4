-- as_of() in a backend the Citus coordinator opened on a worker
-- (docs/citus.md).  Citus names such backends by their application_name,
-- "citus_internal gpid=N"; they do not see the session's SET, so there an
-- empty setting must not mean today: it is refused.  Without Citus the
-- backend is emulated by setting the name (make citus-test shows it on a
-- real cluster).
\set VERBOSITY default
SET application_name = 'citus_internal gpid=10000000001';

-- the setting reached the worker (a propagated SET LOCAL): it is used
SET customer_class.as_of = '2025-12-31';
SELECT customer_class.as_of();
BEGIN;
SET LOCAL customer_class.as_of = 'today';
SELECT customer_class.as_of() = current_date AS is_today;
COMMIT;

-- empty: the coordinator's date is unknown here, so refused, never today
RESET customer_class.as_of;
SELECT customer_class.as_of();
\echo :LAST_ERROR_SQLSTATE
SET customer_class.as_of = '';
-- the views' date (report_date(), docs/reporting.md) asks as_of() first:
-- refused too, rather than the worker's own last refresh date
SELECT customer_class.report_date();
\echo :LAST_ERROR_SQLSTATE
-- an explicit date needs no setting
SELECT customer_class.check_as_of('2025-12-31', 'a test');

-- a command the user sends to the workers himself, and any other backend:
-- empty means today as everywhere
SET application_name = 'citus_run_command gpid=10000000001';
SELECT customer_class.as_of() = current_date AS is_today;
RESET application_name;
SELECT customer_class.as_of() = current_date AS is_today;

-- a write the coordinator sent (the shard's part of an INSERT, UPDATE,
-- DELETE or COPY): its triggers and credit checks decide as of the moment
-- of the write, as on a single node, so empty is today there; a read in the
-- same backend is still refused
SET application_name = 'citus_internal gpid=10000000001';
RESET customer_class.as_of;
CREATE TEMP TABLE written (d date);
INSERT INTO written SELECT customer_class.as_of();
UPDATE written SET d = customer_class.as_of() - 1 RETURNING d = current_date - 1 AS yesterday;
SELECT d = current_date - 1 AS yesterday FROM written;
SELECT customer_class.as_of();
\echo :LAST_ERROR_SQLSTATE
RESET application_name;
