-- The 'tenant' shape's company filter (src/company.c, src/citus_tenant.c),
-- without Citus: the setting customer_class.company and company(); the hook
-- inert without citus; and, with citus emulated in a transaction rolled
-- back (a pg_extension row and a pg_catalog.pg_dist_partition table with
-- Citus's columns), the filter placed at every level and join, and cached
-- plans replanned when the company changes.  make citus-test runs the shape
-- on a real cluster.
\set VERBOSITY default

-- == The setting ==
SELECT customer_class.company() IS NULL AS no_company;
SET customer_class.company = 42;
SELECT customer_class.company();
SET customer_class.company = ' -7 ';
SELECT customer_class.company();
SET customer_class.company = '';
SELECT customer_class.company() IS NULL AS no_company;
\set VERBOSITY verbose
SET customer_class.company = 'acme';
SET customer_class.company = '1.5';
SET customer_class.company = '99999999999999999999';
\set VERBOSITY default
SHOW customer_class.company;
RESET customer_class.company;

-- == Without citus the hook adds nothing ==
SET customer_class.company = 1;
EXPLAIN (COSTS OFF) SELECT * FROM customer_class.credit_exposure WHERE customer_id = 910001;
RESET customer_class.company;

-- == With citus (emulated) in the 'tenant' shape ==
BEGIN;
SET LOCAL allow_system_table_mods = on;
-- (sequential scans, so that the plans shown show the filters the same
-- way whatever the tables hold)
SET LOCAL enable_indexscan = off;
SET LOCAL enable_indexonlyscan = off;
SET LOCAL enable_bitmapscan = off;
INSERT INTO pg_catalog.pg_extension (oid, extname, extowner, extnamespace, extrelocatable, extversion)
VALUES (pg_catalog.pg_nextoid('pg_catalog.pg_extension', 'oid', 'pg_catalog.pg_extension_oid_index'),
		'citus', 10, 'pg_catalog'::regnamespace, false, '0');
CREATE TABLE pg_catalog.pg_dist_partition
	(logicalrelid regclass, partmethod "char", partkey text, colocationid integer);
-- (Citus keeps the distribution column as a Var in its text form)
CREATE FUNCTION pg_temp.dist(rel regclass, col name, colocation integer) RETURNS void
LANGUAGE sql AS $$
INSERT INTO pg_catalog.pg_dist_partition
SELECT rel, 'h', pg_catalog.format('{VAR :varno 1 :varattno %s :vartype 20 :vartypmod -1 :varcollid 0 '
								   ':varlevelsup 0 :varnosyn 1 :varattnosyn %s :location -1}', a.attnum, a.attnum),
	   colocation
FROM pg_catalog.pg_attribute a WHERE a.attrelid = rel AND a.attname = col
$$;
-- profile and credit_exposure distributed by company_id in group 7, the
-- managed customer table in another group
ALTER TABLE customer_class.profile ADD COLUMN company_id bigint;
ALTER TABLE customer_class.credit_exposure ADD COLUMN company_id bigint;
SELECT pg_temp.dist('customer_class.profile', 'company_id', 7);
SELECT pg_temp.dist('customer_class.credit_exposure', 'company_id', 7);
SELECT pg_temp.dist('customer_class.customer', 'customer_id', 8);
-- (Citus invalidates a table's cached description when it distributes it)
ALTER TABLE customer_class.profile ALTER COLUMN company_id SET STATISTICS 10;
ALTER TABLE customer_class.credit_exposure DISABLE TRIGGER USER;
INSERT INTO customer_class.credit_exposure (customer_id, company_id, open_orders)
VALUES (910001, 1, 10), (910002, 1, 20), (910003, 2, 40);
CREATE TEMP TABLE tc (customer_id bigint);
INSERT INTO tc VALUES (910001), (910003), (910004);

-- no company: every company's rows
SELECT count(*) AS rows FROM customer_class.credit_exposure WHERE customer_id > 910000;
SET LOCAL customer_class.company = 1;
EXPLAIN (COSTS OFF) SELECT * FROM customer_class.credit_exposure WHERE customer_id > 910000;
SELECT customer_id, open_orders FROM customer_class.credit_exposure WHERE customer_id > 910000 ORDER BY 1;
-- a table of another colocation group, and a temporary one, are not filtered
EXPLAIN (COSTS OFF) SELECT count(*) FROM customer_class.customer WHERE customer_id > 910000;
-- in a sub-select and a WITH
SELECT t.customer_id, EXISTS (SELECT FROM customer_class.credit_exposure x WHERE x.customer_id = t.customer_id) AS has_row
FROM tc t ORDER BY 1;
WITH x AS (SELECT * FROM customer_class.credit_exposure WHERE customer_id > 910000)
SELECT sum(open_orders) FROM x;
-- the nullable side of a LEFT join: filtered in its ON clause, so 910003
-- (company 2) is kept, unmatched
SELECT t.customer_id, x.open_orders FROM tc t LEFT JOIN customer_class.credit_exposure x USING (customer_id)
ORDER BY 1;
-- the preserved side of a LEFT join, and a RIGHT join: filtered in the WHERE
SELECT x.customer_id, t.customer_id AS tc FROM customer_class.credit_exposure x
LEFT JOIN tc t USING (customer_id) WHERE x.customer_id > 910000 ORDER BY 1;
SELECT x.customer_id, t.customer_id AS tc FROM tc t
RIGHT JOIN customer_class.credit_exposure x USING (customer_id) WHERE x.customer_id > 910000 ORDER BY 1;
-- a FULL join: the table becomes a filtered sub-select of itself
SELECT x.customer_id AS x, t.customer_id AS tc FROM customer_class.credit_exposure x
FULL JOIN tc t USING (customer_id) WHERE coalesce(x.customer_id, t.customer_id) > 910000 ORDER BY 1, 2;
EXPLAIN (COSTS OFF) SELECT x.customer_id FROM customer_class.credit_exposure x FULL JOIN tc t USING (customer_id);
-- the table's row-level security goes inside with it: a reader granted
-- every customer sees the company's rows, one granted a tag nobody has sees none
CREATE ROLE cc_tn_all IN ROLE customer_class_reader;
CREATE ROLE cc_tn_none IN ROLE customer_class_reader;
SELECT customer_class.grant_customer_access('cc_tn_all', all_customers => true);
SELECT customer_class.grant_customer_access('cc_tn_none', 'nobody.has.this');
GRANT SELECT ON tc TO cc_tn_all, cc_tn_none;
SET LOCAL ROLE cc_tn_all;
SELECT x.customer_id AS x, t.customer_id AS tc FROM tc t
FULL JOIN customer_class.credit_exposure x USING (customer_id) WHERE coalesce(x.customer_id, t.customer_id) > 910000 ORDER BY 1, 2;
SET LOCAL ROLE cc_tn_none;
SELECT x.customer_id AS x, t.customer_id AS tc FROM tc t
FULL JOIN customer_class.credit_exposure x USING (customer_id) WHERE coalesce(x.customer_id, t.customer_id) > 910000 ORDER BY 1, 2;
RESET ROLE;
-- an inner join
SELECT t.customer_id, x.open_orders FROM tc t JOIN customer_class.credit_exposure x USING (customer_id);
-- INSERT ... SELECT: the rows read are the company's; the target is not
-- filtered (a row brings its company)
INSERT INTO customer_class.credit_exposure (customer_id, company_id, open_orders)
SELECT customer_id + 100, company_id, open_orders FROM customer_class.credit_exposure WHERE customer_id > 910000;
RESET customer_class.company;
SELECT customer_id, company_id, open_orders FROM customer_class.credit_exposure WHERE customer_id > 910100 ORDER BY 1;
DELETE FROM customer_class.credit_exposure WHERE customer_id > 910100;
SET LOCAL customer_class.company = 1;
-- UPDATE and DELETE touch the company's rows only
UPDATE customer_class.credit_exposure SET open_orders = open_orders + 1 WHERE customer_id > 910000 RETURNING customer_id;
DELETE FROM customer_class.credit_exposure WHERE customer_id IN (910002, 910003) RETURNING customer_id;
-- a prepared statement and a PL/pgSQL function are planned again for another company
PREPARE q AS SELECT pg_catalog.string_agg(customer_id || ':' || open_orders, ' ' ORDER BY customer_id)
	FROM customer_class.credit_exposure WHERE customer_id > 910000;
CREATE FUNCTION pg_temp.n() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN RETURN (SELECT count(*) FROM customer_class.credit_exposure WHERE customer_id > 910000); END $$;
EXECUTE q; EXECUTE q; EXECUTE q; EXECUTE q; EXECUTE q; EXECUTE q;
SELECT pg_temp.n(), pg_temp.n(), pg_temp.n(), pg_temp.n(), pg_temp.n(), pg_temp.n();
SAVEPOINT s;
SET LOCAL customer_class.company = 2;
EXECUTE q;
SELECT pg_temp.n();
ROLLBACK TO SAVEPOINT s;
-- back to company 1 with the savepoint
EXECUTE q;
SELECT pg_temp.n();
RESET customer_class.company;
EXECUTE q;
SELECT pg_temp.n();
-- profile distributed by something else: not the 'tenant' shape, no filter
DELETE FROM pg_catalog.pg_dist_partition WHERE logicalrelid = 'customer_class.profile'::regclass;
SELECT pg_temp.dist('customer_class.profile', 'customer_id', 7);
ALTER TABLE customer_class.profile ALTER COLUMN company_id SET STATISTICS 20;
SET LOCAL customer_class.company = 1;
EXECUTE q;
ROLLBACK;
-- rolled back: no citus any more
SELECT count(*) AS citus_rows FROM pg_catalog.pg_extension WHERE extname = 'citus';
RESET customer_class.company;
