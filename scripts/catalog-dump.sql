-- catalog-dump.sql: the schema customer_class and everything the extension
-- owns, object by object, as sorted text without OIDs, so two databases can be
-- compared with diff (an updated one against a fresh install, or a fresh
-- install before and after a restructure):
--
--   psql -X -q -d DB -f scripts/catalog-dump.sql > DB.catalog
--
-- One line per fact.  Lines are grouped per object (the sort key is the
-- object's identity) and a multi-line text (function body, view definition)
-- keeps its own line order, each line prefixed with its object, so a unified
-- diff names the object of every changed line.  What is compared and what is
-- deliberately left out is described in docs/upgrading.md.

\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only on
\pset null ''
SET client_min_messages = warning;
-- the planner overestimates the catalog joins, and JIT compiling them would
-- take longer than the query
SET jit = off;
-- Every name outside pg_catalog prints schema-qualified: regprocedure,
-- regtype, format_type, pg_get_*def and pg_describe_object all follow the
-- search_path.
SET search_path = pg_catalog;

WITH
ext AS (
	SELECT e.oid, e.extnamespace AS nsp
	FROM pg_extension e WHERE e.extname = 'customer_class'
),
-- A privilege list, one line per grant, owner's implicit privileges included
-- (a NULL ACL is spelt out with acldefault), so ACLs that mean the same
-- compare equal whatever order the GRANTs ran in.
acl_sources (key, what, acl) AS (
	SELECT 'schema ' || n.nspname, 'schema', coalesce(n.nspacl, acldefault('n', n.nspowner))
	FROM pg_namespace n, ext WHERE n.oid = ext.nsp
	UNION ALL
	SELECT 'function ' || p.oid::regprocedure, 'function',
		   coalesce(p.proacl, acldefault('f', p.proowner))
	FROM pg_proc p, ext WHERE p.pronamespace = ext.nsp
	UNION ALL
	SELECT 'type ' || format_type(t.oid, NULL), 'type', coalesce(t.typacl, acldefault('T', t.typowner))
	FROM pg_type t, ext
	WHERE t.typnamespace = ext.nsp
	  AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
	  AND t.typsubscript <> 'array_subscript_handler'::regproc
	UNION ALL
	SELECT 'relation ' || c.oid::regclass, 'relation',
		   coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))
	FROM pg_class c, ext WHERE c.relnamespace = ext.nsp AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
	UNION ALL
	SELECT 'relation ' || c.oid::regclass, 'column ' || quote_ident(a.attname), a.attacl
	FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid, ext
	WHERE c.relnamespace = ext.nsp AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
	UNION ALL
	-- initial privileges: what pg_dump treats as the extension's own grants
	SELECT 'init-privs ' || pg_describe_object(i.classoid, i.objoid, i.objsubid),
		   'init-privs ' || i.privtype::text, i.initprivs
	FROM pg_init_privs i
	WHERE EXISTS (SELECT 1 FROM pg_depend d, ext
				  WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid
					AND d.deptype = 'e' AND d.classid = i.classoid AND d.objid = i.objoid)
	   OR (i.classoid = 'pg_class'::regclass
		   AND (SELECT c.relnamespace FROM pg_class c WHERE c.oid = i.objoid) = (SELECT nsp FROM ext))
	UNION ALL
	SELECT 'default-privileges in schema ' || n.nspname || ' for role ' || pg_get_userbyid(da.defaclrole),
		   'default-privileges on ' || da.defaclobjtype::text, da.defaclacl
	FROM pg_default_acl da JOIN pg_namespace n ON n.oid = da.defaclnamespace, ext
	WHERE n.oid = ext.nsp
),
-- Comments on anything in the schema or owned by the extension; objects
-- without a schema of their own (triggers, policies, rules) through their
-- table.
commented AS (
	SELECT d.classoid, d.objoid, d.objsubid, d.description
	FROM pg_description d, ext
	WHERE (d.classoid = 'pg_namespace'::regclass AND d.objoid = ext.nsp)
	   OR (d.classoid = 'pg_extension'::regclass AND d.objoid = ext.oid)
	   OR EXISTS (SELECT 1 FROM pg_depend x
				  WHERE x.refclassid = 'pg_extension'::regclass AND x.refobjid = ext.oid
					AND x.deptype = 'e' AND x.classid = d.classoid AND x.objid = d.objoid)
	   OR (SELECT o.schema FROM pg_identify_object(d.classoid, d.objoid, 0) o)
		  = (SELECT nspname FROM pg_namespace WHERE oid = ext.nsp)
	   OR (d.classoid = 'pg_trigger'::regclass
		   AND (SELECT c.relnamespace FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
				WHERE g.oid = d.objoid) = ext.nsp)
	   OR (d.classoid = 'pg_policy'::regclass
		   AND (SELECT c.relnamespace FROM pg_policy g JOIN pg_class c ON c.oid = g.polrelid
				WHERE g.oid = d.objoid) = ext.nsp)
	   OR (d.classoid = 'pg_rewrite'::regclass
		   AND (SELECT c.relnamespace FROM pg_rewrite g JOIN pg_class c ON c.oid = g.ev_class
				WHERE g.oid = d.objoid) = ext.nsp)
),
-- live columns with their position among the live ones (a column dropped by
-- an update leaves a gap in attnum that a fresh install does not have)
cols AS (
	SELECT c.oid AS relid, c.relkind, a.*,
		   row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum) AS pos
	FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid, ext
	WHERE c.relnamespace = ext.nsp AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
	  AND a.attnum > 0 AND NOT a.attisdropped
),
lines (key, n, line) AS (
	-- the extension itself
	SELECT 'extension ' || e.extname, 0,
		   format('extension %s: version %s, schema %s, relocatable %s',
				  e.extname, e.extversion, e.extnamespace::regnamespace, e.extrelocatable)
	FROM pg_extension e JOIN ext ON ext.oid = e.oid

	-- tables registered for pg_dump (pg_extension_config_dump)
	UNION ALL
	SELECT 'extension config', 0,
		   format('config-dump %s: condition %L', c.cfg::regclass, c.cond)
	FROM pg_extension e JOIN ext ON ext.oid = e.oid,
		 unnest(e.extconfig, e.extcondition) AS c(cfg, cond)

	-- extension membership
	UNION ALL
	SELECT 'extension members', 0,
		   'member ' || pg_describe_object(d.classid, d.objid, d.objsubid)
	FROM pg_depend d, ext
	WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'

	-- functions, procedures and aggregates
	UNION ALL
	SELECT 'function ' || p.oid::regprocedure, 0,
		   format('function %s: kind %s, arguments (%s), returns %s, language %s, %s, %s, parallel %s, %s, %s, cost %s, rows %s, support %s, config %s',
				  p.oid::regprocedure,
				  CASE p.prokind WHEN 'f' THEN 'function' WHEN 'p' THEN 'procedure'
					   WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window' END,
				  pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),
				  l.lanname,
				  CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END,
				  CASE WHEN p.proisstrict THEN 'strict' ELSE 'called on null input' END,
				  CASE p.proparallel WHEN 's' THEN 'safe' WHEN 'r' THEN 'restricted' ELSE 'unsafe' END,
				  CASE WHEN p.prosecdef THEN 'security definer' ELSE 'security invoker' END,
				  CASE WHEN p.proleakproof THEN 'leakproof' ELSE 'not leakproof' END,
				  p.procost, p.prorows, p.prosupport::regprocedure,
				  coalesce(array_to_string(p.proconfig, ', '), '-'))
	FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang, ext
	WHERE p.pronamespace = ext.nsp
	UNION ALL
	-- the body: a C function's symbol and library, otherwise the text, line
	-- by line
	SELECT 'function ' || p.oid::regprocedure, 1,
		   format('function %s body: symbol %s in %s', p.oid::regprocedure, p.prosrc, p.probin)
	FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang, ext
	WHERE p.pronamespace = ext.nsp AND l.lanname = 'c'
	UNION ALL
	SELECT 'function ' || p.oid::regprocedure, 1 + b.n::int,
		   format('function %s body | %s', p.oid::regprocedure, b.line)
	FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang, ext,
		 regexp_split_to_table(CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid)
									ELSE p.prosrc END, E'\n') WITH ORDINALITY AS b(line, n)
	WHERE p.pronamespace = ext.nsp AND l.lanname NOT IN ('c', 'internal') AND p.prokind <> 'a'
	UNION ALL
	SELECT 'function ' || a.aggfnoid::regprocedure, 0,
		   format('aggregate %s: kind %s, direct arguments %s, sfunc %s, stype %s, sspace %s, finalfunc %s, finalextra %s, finalmodify %s, combinefunc %s, serialfunc %s, deserialfunc %s, msfunc %s, minvfunc %s, mstype %s, msspace %s, mfinalfunc %s, mfinalextra %s, mfinalmodify %s, sortop %s, initcond %s, minitcond %s',
				  a.aggfnoid::regprocedure, a.aggkind, a.aggnumdirectargs,
				  a.aggtransfn::regprocedure, format_type(a.aggtranstype, NULL), a.aggtransspace,
				  a.aggfinalfn::regprocedure, a.aggfinalextra, a.aggfinalmodify,
				  a.aggcombinefn::regprocedure, a.aggserialfn::regprocedure, a.aggdeserialfn::regprocedure,
				  a.aggmtransfn::regprocedure, a.aggminvtransfn::regprocedure,
				  CASE WHEN a.aggmtranstype = 0 THEN '-' ELSE format_type(a.aggmtranstype, NULL) END,
				  a.aggmtransspace, a.aggmfinalfn::regprocedure, a.aggmfinalextra, a.aggmfinalmodify,
				  a.aggsortop::regoperator, coalesce(quote_literal(a.agginitval), '-'),
				  coalesce(quote_literal(a.aggminitval), '-'))
	FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid, ext
	WHERE p.pronamespace = ext.nsp

	-- types (not the row types of tables, nor the implicit array types)
	UNION ALL
	SELECT 'type ' || format_type(t.oid, NULL), 0,
		   format('type %s: %s, length %s, by value %s, align %s, storage %s, category %s, preferred %s, delimiter %L, input %s, output %s, receive %s, send %s, typmod in %s, typmod out %s, analyze %s, subscript %s, element %s, collation %s, not null %s, default %s, base %s, typmod %s, dimensions %s',
				  format_type(t.oid, NULL),
				  CASE t.typtype WHEN 'b' THEN 'base' WHEN 'c' THEN 'composite' WHEN 'd' THEN 'domain'
					   WHEN 'e' THEN 'enum' WHEN 'p' THEN 'pseudo' WHEN 'r' THEN 'range'
					   WHEN 'm' THEN 'multirange' END,
				  t.typlen, t.typbyval, t.typalign, t.typstorage, t.typcategory, t.typispreferred,
				  t.typdelim, t.typinput::regprocedure, t.typoutput::regprocedure,
				  t.typreceive::regprocedure, t.typsend::regprocedure,
				  t.typmodin::regprocedure, t.typmodout::regprocedure, t.typanalyze::regprocedure,
				  t.typsubscript::regprocedure,
				  CASE WHEN t.typelem = 0 THEN '-' ELSE format_type(t.typelem, NULL) END,
				  CASE WHEN t.typcollation = 0 THEN '-' ELSE t.typcollation::regcollation::text END,
				  t.typnotnull, coalesce(t.typdefault, '-'),
				  CASE WHEN t.typbasetype = 0 THEN '-' ELSE format_type(t.typbasetype, t.typtypmod) END,
				  t.typtypmod, t.typndims)
	FROM pg_type t, ext
	WHERE t.typnamespace = ext.nsp
	  AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
	  AND t.typsubscript <> 'array_subscript_handler'::regproc
	UNION ALL
	SELECT 'type ' || format_type(t.oid, NULL), 1,
		   format('type %s: labels %s', format_type(t.oid, NULL),
				  (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
				   FROM pg_enum e WHERE e.enumtypid = t.oid))
	FROM pg_type t, ext
	WHERE t.typnamespace = ext.nsp AND t.typtype = 'e'
	UNION ALL
	SELECT 'type ' || format_type(t.oid, NULL), 2,
		   format('type %s: range of %s, opclass %s, collation %s, canonical %s, subdiff %s, multirange %s',
				  format_type(t.oid, NULL), format_type(r.rngsubtype, NULL),
				  (SELECT quote_ident(n.nspname) || '.' || quote_ident(o.opcname)
				   FROM pg_opclass o JOIN pg_namespace n ON n.oid = o.opcnamespace WHERE o.oid = r.rngsubopc),
				  CASE WHEN r.rngcollation = 0 THEN '-' ELSE r.rngcollation::regcollation::text END,
				  r.rngcanonical::regprocedure, r.rngsubdiff::regprocedure,
				  format_type(r.rngmultitypid, NULL))
	FROM pg_type t JOIN pg_range r ON r.rngtypid = t.oid, ext
	WHERE t.typnamespace = ext.nsp
	UNION ALL
	SELECT 'type ' || format_type(t.oid, NULL), 3,
		   format('type %s constraint %s: %s, validated %s', format_type(t.oid, NULL),
				  quote_ident(k.conname), pg_get_constraintdef(k.oid), k.convalidated)
	FROM pg_type t JOIN pg_constraint k ON k.contypid = t.oid, ext
	WHERE t.typnamespace = ext.nsp

	-- operators
	UNION ALL
	SELECT 'operator ' || o.oid::regoperator, 0,
		   format('operator %s: kind %s, result %s, function %s, commutator %s, negator %s, restrict %s, join %s, merges %s, hashes %s',
				  o.oid::regoperator, o.oprkind, format_type(o.oprresult, NULL),
				  o.oprcode::regprocedure, o.oprcom::regoperator, o.oprnegate::regoperator,
				  o.oprrest::regprocedure, o.oprjoin::regprocedure, o.oprcanmerge, o.oprcanhash)
	FROM pg_operator o, ext
	WHERE o.oprnamespace = ext.nsp

	-- operator families and classes, with every operator and support function
	UNION ALL
	SELECT 'opfamily ' || f.opfnamespace::regnamespace || '.' || quote_ident(f.opfname) || ' using ' || am.amname, 0,
		   format('opfamily %s.%s using %s', f.opfnamespace::regnamespace, quote_ident(f.opfname), am.amname)
	FROM pg_opfamily f JOIN pg_am am ON am.oid = f.opfmethod, ext
	WHERE f.opfnamespace = ext.nsp
	UNION ALL
	SELECT 'opfamily ' || f.opfnamespace::regnamespace || '.' || quote_ident(f.opfname) || ' using ' || am.amname,
		   1000 + o.amopstrategy,
		   format('opfamily %s.%s using %s: operator %s (%s, %s) %s, purpose %s, sort family %s',
				  f.opfnamespace::regnamespace, quote_ident(f.opfname), am.amname,
				  o.amopstrategy, format_type(o.amoplefttype, NULL), format_type(o.amoprighttype, NULL),
				  o.amopopr::regoperator, o.amoppurpose,
				  coalesce((SELECT sf.opfnamespace::regnamespace || '.' || quote_ident(sf.opfname)
				   FROM pg_opfamily sf WHERE sf.oid = o.amopsortfamily), '-'))
	FROM pg_opfamily f JOIN pg_am am ON am.oid = f.opfmethod
		 JOIN pg_amop o ON o.amopfamily = f.oid, ext
	WHERE f.opfnamespace = ext.nsp
	UNION ALL
	SELECT 'opfamily ' || f.opfnamespace::regnamespace || '.' || quote_ident(f.opfname) || ' using ' || am.amname,
		   2000 + p.amprocnum,
		   format('opfamily %s.%s using %s: function %s (%s, %s) %s',
				  f.opfnamespace::regnamespace, quote_ident(f.opfname), am.amname,
				  p.amprocnum, format_type(p.amproclefttype, NULL), format_type(p.amprocrighttype, NULL),
				  p.amproc::regprocedure)
	FROM pg_opfamily f JOIN pg_am am ON am.oid = f.opfmethod
		 JOIN pg_amproc p ON p.amprocfamily = f.oid, ext
	WHERE f.opfnamespace = ext.nsp
	UNION ALL
	SELECT 'opclass ' || c.opcnamespace::regnamespace || '.' || quote_ident(c.opcname) || ' using ' || am.amname, 0,
		   format('opclass %s.%s using %s: for type %s, default %s, family %s.%s, storage %s',
				  c.opcnamespace::regnamespace, quote_ident(c.opcname), am.amname,
				  format_type(c.opcintype, NULL), c.opcdefault,
				  f.opfnamespace::regnamespace, quote_ident(f.opfname),
				  CASE WHEN c.opckeytype = 0 THEN '-' ELSE format_type(c.opckeytype, NULL) END)
	FROM pg_opclass c JOIN pg_am am ON am.oid = c.opcmethod
		 JOIN pg_opfamily f ON f.oid = c.opcfamily, ext
	WHERE c.opcnamespace = ext.nsp

	-- casts from or to a type of the schema, or owned by the extension
	UNION ALL
	SELECT 'cast ' || format('(%s AS %s)', format_type(k.castsource, NULL), format_type(k.casttarget, NULL)), 0,
		   format('cast (%s AS %s): function %s, context %s, method %s',
				  format_type(k.castsource, NULL), format_type(k.casttarget, NULL),
				  k.castfunc::regprocedure, k.castcontext, k.castmethod)
	FROM pg_cast k, ext
	WHERE (SELECT typnamespace FROM pg_type WHERE oid = k.castsource) = ext.nsp
	   OR (SELECT typnamespace FROM pg_type WHERE oid = k.casttarget) = ext.nsp
	   OR EXISTS (SELECT 1 FROM pg_depend d
				  WHERE d.classid = 'pg_cast'::regclass AND d.objid = k.oid AND d.deptype = 'e'
					AND d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid)

	-- relations: tables, views, sequences (composite types are types above)
	UNION ALL
	SELECT 'relation ' || c.oid::regclass, 0,
		   format('%s %s: persistence %s, row security %s, forced %s, replica identity %s, options %s, access method %s, partition key %s, owner %s',
				  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view'
					   WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' END,
				  c.oid::regclass, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
				  c.relreplident,
				  coalesce((SELECT string_agg(o, ', ' ORDER BY o) FROM unnest(c.reloptions) o), '-'),
				  coalesce((SELECT amname FROM pg_am WHERE oid = c.relam), '-'),
				  coalesce(pg_get_partkeydef(c.oid), '-'),
				  pg_get_userbyid(c.relowner))
	FROM pg_class c, ext
	WHERE c.relnamespace = ext.nsp AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
	UNION ALL
	SELECT 'relation ' || a.relid::regclass, 100 + a.pos::int,
		   format('relation %s column %s: position %s, type %s, not null %s, default %s, identity %s, generated %s, collation %s, storage %s, statistics %s, options %s',
				  a.relid::regclass, quote_ident(a.attname), a.pos, format_type(a.atttypid, a.atttypmod),
				  a.attnotnull,
				  coalesce((SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
							WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum), '-'),
				  CASE WHEN a.attidentity = '' THEN '-' ELSE a.attidentity END,
				  CASE WHEN a.attgenerated = '' THEN '-' ELSE a.attgenerated END,
				  CASE WHEN a.attcollation = 0 THEN '-' ELSE a.attcollation::regcollation::text END,
				  a.attstorage, a.attstattarget,
				  -- pg_attver=N: a per-column stamp this machine's server adds to
				  -- every new column (not a user option; differs per database)
				  coalesce((SELECT string_agg(o, ', ' ORDER BY o) FROM unnest(a.attoptions) o
							WHERE o NOT LIKE 'pg\_attver=%'), '-'))
	FROM cols a WHERE a.relkind <> 'c'
	UNION ALL
	SELECT 'type ' || format_type(c.reltype, NULL), 100 + a.pos::int,
		   format('type %s attribute %s: position %s, type %s, collation %s',
				  format_type(c.reltype, NULL), quote_ident(a.attname), a.pos,
				  format_type(a.atttypid, a.atttypmod),
				  CASE WHEN a.attcollation = 0 THEN '-' ELSE a.attcollation::regcollation::text END)
	FROM cols a JOIN pg_class c ON c.oid = a.relid WHERE a.relkind = 'c'
	UNION ALL
	SELECT 'relation ' || c.oid::regclass, 1000,
		   format('relation %s constraint %s: %s, deferrable %s, deferred %s, validated %s, no inherit %s',
				  c.oid::regclass, quote_ident(k.conname), pg_get_constraintdef(k.oid),
				  k.condeferrable, k.condeferred, k.convalidated, k.connoinherit)
	FROM pg_class c JOIN pg_constraint k ON k.conrelid = c.oid, ext
	WHERE c.relnamespace = ext.nsp
	UNION ALL
	SELECT 'relation ' || i.indrelid::regclass, 2000,
		   format('relation %s index %s: %s, primary %s, clustered %s, replica identity %s, valid %s, constraint %s',
				  i.indrelid::regclass, quote_ident(x.relname), pg_get_indexdef(i.indexrelid),
				  i.indisprimary, i.indisclustered, i.indisreplident, i.indisvalid,
				  -- the constraint the index implements (not a foreign key
				  -- that references it: customer.parent_id names its own table)
				  coalesce((SELECT quote_ident(k.conname) FROM pg_constraint k
							WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid
							  AND k.contype IN ('p', 'u', 'x')), '-'))
	FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
		 JOIN pg_class c ON c.oid = i.indrelid, ext
	WHERE c.relnamespace = ext.nsp
	UNION ALL
	-- internal triggers (foreign keys) are named after OIDs; their
	-- constraints are compared above
	SELECT 'relation ' || g.tgrelid::regclass, 3000,
		   format('relation %s trigger %s: %s, enabled %s',
				  g.tgrelid::regclass, quote_ident(g.tgname), pg_get_triggerdef(g.oid), g.tgenabled)
	FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid, ext
	WHERE c.relnamespace = ext.nsp AND NOT g.tgisinternal
	UNION ALL
	SELECT 'relation ' || p.polrelid::regclass, 4000,
		   format('relation %s policy %s: for %s, %s, to %s, using %s, with check %s',
				  p.polrelid::regclass, quote_ident(p.polname),
				  CASE p.polcmd WHEN 'r' THEN 'select' WHEN 'a' THEN 'insert' WHEN 'w' THEN 'update'
					   WHEN 'd' THEN 'delete' ELSE 'all' END,
				  CASE WHEN p.polpermissive THEN 'permissive' ELSE 'restrictive' END,
				  (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END, ', '
									 ORDER BY 1)
				   FROM unnest(p.polroles) r),
				  coalesce(pg_get_expr(p.polqual, p.polrelid), '-'),
				  coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '-'))
	FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid, ext
	WHERE c.relnamespace = ext.nsp
	UNION ALL
	SELECT 'relation ' || r.ev_class::regclass, 5000,
		   format('relation %s rule %s: %s, enabled %s', r.ev_class::regclass, quote_ident(r.rulename),
				  pg_get_ruledef(r.oid), r.ev_enabled)
	FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class, ext
	WHERE c.relnamespace = ext.nsp AND r.rulename <> '_RETURN'
	UNION ALL
	SELECT 'relation ' || c.oid::regclass, 6000 + v.n::int,
		   format('relation %s definition | %s', c.oid::regclass, v.line)
	FROM pg_class c, ext,
		 regexp_split_to_table(pg_get_viewdef(c.oid), E'\n') WITH ORDINALITY AS v(line, n)
	WHERE c.relnamespace = ext.nsp AND c.relkind IN ('v', 'm')
	UNION ALL
	SELECT 'relation ' || s.seqrelid::regclass, 1,
		   format('sequence %s: type %s, start %s, increment %s, min %s, max %s, cache %s, cycle %s, owned by %s',
				  s.seqrelid::regclass, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,
				  s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
				  coalesce((SELECT format('%s.%s (%s)', d.refobjid::regclass, quote_ident(a.attname), d.deptype)
							FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
							WHERE d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid
							  AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')), '-'))
	FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid, ext
	WHERE c.relnamespace = ext.nsp
	UNION ALL
	SELECT 'statistics ' || s.stxnamespace::regnamespace || '.' || quote_ident(s.stxname), 0,
		   format('statistics %s.%s: %s, target %s', s.stxnamespace::regnamespace, quote_ident(s.stxname),
				  pg_get_statisticsobjdef(s.oid), s.stxstattarget)
	FROM pg_statistic_ext s, ext
	WHERE s.stxnamespace = ext.nsp

	-- event triggers of the database (none belongs to anything else)
	UNION ALL
	SELECT 'event trigger ' || quote_ident(t.evtname), 0,
		   format('event trigger %s: on %s, function %s, enabled %s, tags %s',
				  quote_ident(t.evtname), t.evtevent, t.evtfoid::regprocedure, t.evtenabled,
				  coalesce(array_to_string(t.evttags, ', '), '-'))
	FROM pg_event_trigger t

	-- privileges
	UNION ALL
	SELECT s.key, 9000,
		   format('%s %s: grant %s%s to %s by %s', s.key, s.what, x.privilege_type,
				  CASE WHEN x.is_grantable THEN ' with grant option' ELSE '' END,
				  CASE WHEN x.grantee = 0 THEN 'public' ELSE pg_get_userbyid(x.grantee)::text END,
				  pg_get_userbyid(x.grantor))
	FROM acl_sources s, aclexplode(s.acl) x

	-- comments
	UNION ALL
	SELECT 'comment ' || pg_describe_object(c.classoid, c.objoid, c.objsubid), 0,
		   format('comment on %s: %L', pg_describe_object(c.classoid, c.objoid, c.objsubid), c.description)
	FROM commented c
)
-- one fact per output line: a newline inside a deparsed expression or a
-- comment is written as \n
SELECT replace(line, E'\n', '\n') FROM lines ORDER BY key COLLATE "C", n, line COLLATE "C";
