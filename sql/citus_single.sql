-- What of the Citus support runs on a single node (docs/citus.md): the
-- shard-name helper trigger_table(), and the planner hook of
-- src/citus_inline.c with its write refusal (src/citus_write_date.c), which
-- `make citus-test` exercises on a real cluster.  Without the citus
-- extension the hook must change nothing; with it (emulated here by a
-- pg_extension row and a pg_dist_partition table, in a transaction rolled
-- back) it inlines and refuses as on a Citus coordinator.
\set VERBOSITY default
\set SHOW_CONTEXT never

-- == trigger_table(schema, name): the table a trigger fires for ==
-- a plain name, and a name ending in digits that is not a shard's
SELECT customer_class.trigger_table('customer_class', 'invoice') AS plain,
	   customer_class.trigger_table('customer_class', 'nosuch_102008') AS no_base_table,
	   customer_class.trigger_table('customer_class', 'invoice102008') AS no_underscore,
	   customer_class.trigger_table('customer_class', '_102008') AS only_digits;
-- a shard's name: the shard id taken off when the table exists in that schema
SELECT customer_class.trigger_table('customer_class', 'invoice_102008') AS shard,
	   customer_class.trigger_table('customer_class', 'sales_order_7') AS short_id,
	   customer_class.trigger_table('public', 'invoice_102008') AS other_schema,
	   customer_class.trigger_table('no such schema', 'invoice_102008') AS no_schema;
-- STRICT: NULL in, NULL out
SELECT customer_class.trigger_table(NULL, 'invoice_102008') IS NULL AS null_schema,
	   customer_class.trigger_table('customer_class', NULL) IS NULL AS null_name;
-- names that need quoting, in a schema that needs quoting
BEGIN;
CREATE SCHEMA "Cc Test";
CREATE TABLE "Cc Test"."Order Lines" (id int);
CREATE TABLE "Cc Test".ledger_2025 (id int);
SELECT customer_class.trigger_table('Cc Test', 'Order Lines_102008') AS quoted,
	   customer_class.trigger_table('Cc Test', 'order lines_102008') AS case_differs,
	   customer_class.trigger_table('Cc Test', 'ledger_2025') AS own_name_with_digits;
ROLLBACK;

-- == customer_class.inline_before_citus ==
-- (defined when the library loads: on a server with shared_preload_libraries
-- at start, here on first use)
LOAD 'customer_class';
SHOW customer_class.inline_before_citus;
SELECT name, setting, boot_val, vartype, context, short_desc, extra_desc
FROM pg_catalog.pg_settings WHERE name = 'customer_class.inline_before_citus';

-- == Without citus the hook changes nothing ==
-- A SQL set-returning function is inlined by PostgreSQL itself (an index scan
-- on the table it reads, no Function Scan), with the setting on or off; a call
-- with a sub-select argument is not (PostgreSQL does not inline it).
CREATE FUNCTION pg_temp.cs_customers(min_id bigint) RETURNS SETOF customer_class.customer
	LANGUAGE sql STABLE
	AS $$ SELECT * FROM customer_class.customer WHERE customer_id >= min_id $$;
CREATE TEMP VIEW cs_view AS SELECT customer_id, name FROM pg_temp.cs_customers(10);
EXPLAIN (COSTS OFF) SELECT * FROM cs_view WHERE customer_id = 42;
EXPLAIN (COSTS OFF) SELECT customer_id, name FROM pg_temp.cs_customers((SELECT 10::bigint)) WHERE customer_id = 42;
SET customer_class.inline_before_citus = off;
EXPLAIN (COSTS OFF) SELECT * FROM cs_view WHERE customer_id = 42;
EXPLAIN (COSTS OFF) SELECT customer_id, name FROM pg_temp.cs_customers((SELECT 10::bigint)) WHERE customer_id = 42;
RESET customer_class.inline_before_citus;
-- a write under a session's as-of date is not refused
BEGIN;
SET LOCAL customer_class.as_of = '2025-12-31';
UPDATE customer_class.customer SET name = name WHERE customer_id = -1;
WITH w AS (UPDATE customer_class.customer SET name = name WHERE customer_id = -1 RETURNING 1)
SELECT count(*) AS written FROM w;
ROLLBACK;

-- == With citus (emulated): the hook acts ==
-- A pg_extension row named citus makes the hook act; a table
-- pg_catalog.pg_dist_partition (Citus's metadata, first column logicalrelid)
-- names the distributed tables.  All rolled back.
BEGIN;
SET LOCAL allow_system_table_mods = on;
INSERT INTO pg_catalog.pg_extension (oid, extname, extowner, extnamespace, extrelocatable, extversion)
VALUES (pg_catalog.pg_nextoid('pg_catalog.pg_extension', 'oid', 'pg_catalog.pg_extension_oid_index'),
		'citus', 10, 'pg_catalog'::regnamespace, false, '0');
CREATE TABLE pg_catalog.pg_dist_partition (logicalrelid regclass);
INSERT INTO pg_catalog.pg_dist_partition VALUES ('customer_class.customer');
-- the view's plan is the same (inlined by the hook, then by nobody)
EXPLAIN (COSTS OFF) SELECT * FROM cs_view WHERE customer_id = 42;
-- the sub-select argument goes into the inlined body: an index scan with an
-- InitPlan, where PostgreSQL alone leaves a Function Scan
EXPLAIN (COSTS OFF) SELECT customer_id, name FROM pg_temp.cs_customers((SELECT 10::bigint)) WHERE customer_id = 42;
SELECT count(*) = (SELECT count(*) FROM customer_class.customer WHERE customer_id >= 10) AS same_rows
FROM pg_temp.cs_customers((SELECT 10::bigint));
SET LOCAL customer_class.inline_before_citus = off;
EXPLAIN (COSTS OFF) SELECT customer_id, name FROM pg_temp.cs_customers((SELECT 10::bigint)) WHERE customer_id = 42;
SELECT count(*) = (SELECT count(*) FROM customer_class.customer WHERE customer_id >= 10) AS same_rows
FROM pg_temp.cs_customers((SELECT 10::bigint));
SET LOCAL customer_class.inline_before_citus = on;
-- the same through a one-row subquery, as the views pass their date
EXPLAIN (COSTS OFF) SELECT c.customer_id, c.name
FROM (SELECT (SELECT 10::bigint) AS m) rd CROSS JOIN LATERAL pg_temp.cs_customers(rd.m) c WHERE c.customer_id = 42;
-- a volatile sub-select is left alone
EXPLAIN (COSTS OFF) SELECT customer_id, name FROM pg_temp.cs_customers((SELECT (random() * 0)::bigint)) WHERE customer_id = 42;
-- a write to a "distributed" table under a session's date is refused ...
SET customer_class.as_of = '2025-12-31';
SAVEPOINT s;
UPDATE customer_class.customer SET name = name WHERE customer_id = -1;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO SAVEPOINT s;
WITH w AS (UPDATE customer_class.customer SET name = name WHERE customer_id = -1 RETURNING 1)
SELECT count(*) FROM w;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO SAVEPOINT s;
-- ... not to another table, nor without a date, nor with a propagated SET LOCAL
UPDATE customer_class.invoice SET amount = amount WHERE invoice_id = -1;
RESET customer_class.as_of;
UPDATE customer_class.customer SET name = name WHERE customer_id = -1;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL customer_class.as_of = '2025-12-31';
UPDATE customer_class.customer SET name = name WHERE customer_id = -1;
-- a session-level SET is not propagated even then
SET customer_class.as_of = '2025-12-31';
UPDATE customer_class.customer SET name = name WHERE customer_id = -1;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
RESET customer_class.as_of;
-- rolled back: no citus any more
SELECT count(*) AS citus_rows FROM pg_catalog.pg_extension WHERE extname = 'citus';
SELECT pg_catalog.to_regclass('pg_catalog.pg_dist_partition') AS dist_partition;
