-- Catalog-wide rules every object of the extension must follow.  Runs last,
-- so it covers what every other concern installed.  Each query lists the
-- offenders: the expected result is no rows.

-- every relation, column, function, type and operator has a COMMENT
SELECT c.relkind, c.relname
FROM pg_class c
WHERE c.relnamespace = 'customer_class'::regnamespace
  AND c.relkind IN ('r', 'v', 'm', 'p')
  AND obj_description(c.oid, 'pg_class') IS NULL;

SELECT c.relname, a.attname
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
WHERE c.relnamespace = 'customer_class'::regnamespace
  AND c.relkind IN ('r', 'v', 'm', 'p') AND a.attnum > 0 AND NOT a.attisdropped
  AND col_description(c.oid, a.attnum) IS NULL;

SELECT p.oid::regprocedure
FROM pg_proc p
WHERE p.pronamespace = 'customer_class'::regnamespace
  AND obj_description(p.oid, 'pg_proc') IS NULL
  -- support functions of types, operators and index opclasses are described
  -- by the object they serve
  AND NOT EXISTS (SELECT 1 FROM pg_type t WHERE p.oid IN (t.typinput, t.typoutput, t.typreceive, t.typsend))
  AND NOT EXISTS (SELECT 1 FROM pg_operator o WHERE o.oprcode = p.oid)
  AND NOT EXISTS (SELECT 1 FROM pg_amproc a WHERE a.amproc = p.oid)
  AND NOT EXISTS (SELECT 1 FROM pg_aggregate g
                  WHERE p.oid IN (g.aggtransfn, g.aggfinalfn, g.aggcombinefn, g.aggserialfn, g.aggdeserialfn));

SELECT t.typname
FROM pg_type t
WHERE t.typnamespace = 'customer_class'::regnamespace
  AND t.typtype IN ('b', 'e', 'd', 'c') AND t.typrelid = 0
  AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)   -- array types
  AND obj_description(t.oid, 'pg_type') IS NULL;

SELECT o.oid::regoperator
FROM pg_operator o
WHERE o.oprnamespace = 'customer_class'::regnamespace
  AND obj_description(o.oid, 'pg_operator') IS NULL;

-- every table of the extension is registered for pg_dump; the tables of the
-- schema that are not the extension's are the user's managed tables, with
-- their identity sequences (docs/backup.md)
SELECT c.relname, c.relkind
FROM pg_class c
WHERE c.relnamespace = 'customer_class'::regnamespace AND c.relkind IN ('r', 'p', 'S')
  AND c.oid <> ALL (coalesce((SELECT extconfig FROM pg_extension WHERE extname = 'customer_class'), '{}'))
  AND c.oid <> 'customer_class.credit_receivables_signal'::regclass   -- a signal, never incremented
ORDER BY 1;
SELECT c.relname
FROM pg_class c
WHERE c.relnamespace = 'customer_class'::regnamespace AND c.relkind IN ('r', 'p', 'S')
  AND EXISTS (SELECT FROM pg_depend d
			  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  AND c.oid <> ALL (coalesce((SELECT extconfig FROM pg_extension WHERE extname = 'customer_class'), '{}'))
  AND c.oid <> 'customer_class.credit_receivables_signal'::regclass;

-- nothing of the extension pins the user's managed tables: a restore runs
-- CREATE EXTENSION, drops the tables it made and lets the dump create them
-- (sources/user_data.sql), which any view, function body, policy or foreign key
-- of another table that named them would prevent (only their own parts:
-- columns' defaults, constraints, triggers, indexes, sequences, policies)
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS pins, d.refobjid::regclass AS user_table
FROM pg_depend d
WHERE d.refclassid = 'pg_class'::regclass
  AND d.refobjid IN ('customer_class.customer'::regclass, 'customer_class.sales_order'::regclass,
					 'customer_class.invoice'::regclass, 'customer_class.payment'::regclass)
  AND d.deptype = 'n'
  AND NOT (d.classid = 'pg_class'::regclass AND d.objid IN (SELECT oid FROM pg_class WHERE relkind IN ('i', 'S')))
  AND NOT (d.classid = 'pg_constraint'::regclass
		   AND d.objid IN (SELECT oid FROM pg_constraint
						   WHERE conrelid IN ('customer_class.customer'::regclass, 'customer_class.sales_order'::regclass,
											  'customer_class.invoice'::regclass, 'customer_class.payment'::regclass)))
  AND d.classid NOT IN ('pg_trigger'::regclass, 'pg_attrdef'::regclass)
  AND NOT (d.classid = 'pg_policy'::regclass AND d.objid IN (SELECT oid FROM pg_policy WHERE polrelid = d.refobjid))
  -- nor the views source_<role> that read them: they are the user's too
  -- (sources/binding.sql), not members, and dumped after the tables
  AND NOT (d.classid = 'pg_rewrite'::regclass
		   AND d.objid IN (SELECT r.oid FROM pg_rewrite r
						   WHERE NOT EXISTS (SELECT FROM pg_depend e
											 WHERE e.classid = 'pg_class'::regclass AND e.objid = r.ev_class
											   AND e.deptype = 'e')))
ORDER BY 1;

-- the views source_<role> are the user's configuration: not members of the
-- extension (pg_dump writes them), owned by customer_class_admin (whose
-- members bind), read with the reader's privileges
SELECT c.relname, pg_get_userbyid(c.relowner) AS owner, c.reloptions,
	   EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid
				 AND e.deptype = 'e') AS member
FROM pg_class c
WHERE c.relnamespace = 'customer_class'::regnamespace AND c.relname LIKE 'source\_%' AND c.relkind = 'v'
ORDER BY 1;

-- no SECURITY DEFINER function without a pinned search_path
SELECT p.oid::regprocedure
FROM pg_proc p
WHERE p.pronamespace = 'customer_class'::regnamespace AND p.prosecdef
  AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) AS s WHERE s LIKE 'search\_path=%');

-- C functions: no volatile function marked parallel safe, and every C
-- function is deliberately labelled (listed here for review)
SELECT p.oid::regprocedure AS function, p.provolatile, p.proparallel, p.proisstrict
FROM pg_proc p
WHERE p.pronamespace = 'customer_class'::regnamespace AND p.provolatile = 'v' AND p.proparallel = 's';
