-- Running on Citus (docs/citus.md, "Running on Citus"): distribute() turns
-- the extension's tables and the managed source tables of a database that
-- has the citus extension into a Citus layout in one call, and
-- distributed() / distributed_shape() tell code which layout it runs on.
--
-- What goes where is read from the catalog, not from a list, so that a
-- table added later is placed by the same rules:
--   * a table of the schema with a NOT NULL distribution column (customer_id
--     for the shape 'customer') holds customer rows: distributed by it and
--     colocated with customer, so that one customer's documents, ledger,
--     profile, queue, alerts and history are on one shard group and the
--     triggers, which only touch the rows of the customer they fire for,
--     stay on that group;
--   * rfm_boundary and rewind_log stay local on the coordinator: refresh()
--     and rewind() write them there, nothing on a worker reads them
--     (report_date() refuses on a worker before it would);
--   * every other table (settings, bindings, access entries) becomes a
--     reference table, copied to every node, since the triggers on the
--     shards read them.
-- The shape 'tenant' will be the same function with company_id as the
-- distribution column (docs/citus.md, "The two shapes").
--
-- Citus requires the distribution column in every primary key and unique
-- constraint of a distributed table.  The managed tables' keys are one
-- identity column (order_id, ...); they stay so on a single node, and
-- distribute() adds customer_id to them when it distributes (a key that an
-- existing unique constraint on the same columns plus customer_id already
-- covers is dropped instead of doubled).  Changing them for everyone would
-- weaken the single node (order_id alone would no longer be unique) and
-- change the user's tables under every ERP that relies on their keys, for a
-- layout most never use.  The identity sequences stay: Citus gives each
-- node's copy of a bigint identity sequence its own range.
-- Foreign keys between distributed tables that do not join on customer_id
-- (customer.parent_id, a credit group across customers, possibly across
-- shards) cannot be kept by Citus: distribute() drops them and says so.

CREATE FUNCTION @extschema@.distributed_shape() RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	col name;
BEGIN
	-- Citus's metadata is the record: nothing to keep in step, and a dump
	-- restored into a plain database answers NULL by itself
	IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
		RETURN NULL;
	END IF;
	EXECUTE $q$SELECT a.attname
		FROM pg_catalog.pg_dist_partition p
		JOIN pg_catalog.pg_attribute a
			ON a.attrelid = p.logicalrelid
			AND a.attname = pg_catalog.column_to_column_name(p.logicalrelid, p.partkey)
		WHERE p.logicalrelid = $1 AND p.partmethod = 'h'$q$
		INTO col USING '@extschema@.profile'::pg_catalog.regclass;
	RETURN CASE col WHEN 'customer_id' THEN 'customer' WHEN 'company_id' THEN 'tenant' END;
END;
$$;
COMMENT ON FUNCTION @extschema@.distributed_shape() IS
	'the shape the extension''s tables are distributed by on Citus (customer or tenant), read from Citus''s metadata; NULL when they are not distributed';

-- The company (tenant) the session works for: the setting
-- customer_class.company, NULL when it is empty.  In the 'tenant' shape the
-- planner hook filters every table of the shape by it (src/citus_tenant.c).
-- STABLE: it reads a setting.
CREATE FUNCTION @extschema@.company() RETURNS bigint
	AS 'MODULE_PATHNAME', 'customer_class_company'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.company() IS
	'the company (tenant) this session works for: setting customer_class.company, NULL when it is empty';

CREATE FUNCTION @extschema@.distributed() RETURNS boolean
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN @extschema@.distributed_shape() IS NOT NULL;
COMMENT ON FUNCTION @extschema@.distributed() IS
	'true when distribute() has distributed the extension''s tables on Citus';

CREATE FUNCTION @extschema@.distribute(shape text DEFAULT 'customer')
	RETURNS TABLE (relation regclass, placement text)
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	dist_col name;
	done text := @extschema@.distributed_shape();
	schema_oid oid := '@extschema@'::pg_catalog.regnamespace;
	-- refresh() and rewind() write these on the coordinator only
	local_tables regclass[] := ARRAY['@extschema@.rfm_boundary', '@extschema@.rewind_log']::regclass[];
	dist_tables regclass[];
	ref_tables regclass[];
	rel regclass;
	con record;
	owner_name name;
	-- (SELECT f() AS f), a scalar subquery of a call without arguments
	enable_triggers text[];
	add_fkeys text[];
	worker_ddl text;
	modify_mode text;
	n_grouped bigint;
	-- what the customer rows are colocated with: the customer source
	colocate_rel regclass;
	stmt text;
	unwrap text := '\(\s*SELECT\s+([[:alnum:]_."]+\(\))\s+AS\s+[[:alnum:]_"]+\s*\)';
BEGIN
	IF shape IS NULL OR shape NOT IN ('customer', 'tenant') THEN
		RAISE EXCEPTION 'unknown distribution shape "%"', shape
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'The shapes are customer (one large company, distributed by customer) and tenant (multi-tenant, distributed by company).';
	END IF;
	IF shape = 'tenant' THEN
		RAISE EXCEPTION 'the distribution shape tenant is not available yet'
			USING ERRCODE = 'feature_not_supported',
				  HINT = 'Distribute by customer: SELECT customer_class.distribute(''customer'').';
	END IF;
	dist_col := 'customer_id';
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
		RAISE EXCEPTION 'the citus extension is not installed in this database'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Create it first (CREATE EXTENSION citus) and add the worker nodes; see docs/citus.md, "Running on Citus".';
	END IF;
	-- The extension's planner hook (src/citus_inline.c) must run before
	-- Citus plans, on every node: without it queries over the extension's
	-- SQL functions fail, or read the coordinator's empty shell tables
	-- without a word.  customer_class after citus in
	-- shared_preload_libraries (a hook loaded later runs first).
	FOR con IN
		SELECT 'the coordinator' AS node, pg_catalog.current_setting('shared_preload_libraries') AS libs
		UNION ALL
		SELECT pg_catalog.format('the worker %s:%s', w.nodename, w.nodeport), w.result
		FROM pg_catalog.run_command_on_workers('SHOW shared_preload_libraries') w
	LOOP
		IF coalesce(pg_catalog.array_position(pg_catalog.regexp_split_to_array(con.libs, '\s*,\s*'), 'customer_class'), 0)
		   <= coalesce(pg_catalog.array_position(pg_catalog.regexp_split_to_array(con.libs, '\s*,\s*'), 'citus'), 0) THEN
			RAISE EXCEPTION 'customer_class is not preloaded after citus on %', con.node
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = pg_catalog.format('shared_preload_libraries is ''%s'' there.', con.libs),
					  HINT = 'Set shared_preload_libraries = ''citus,customer_class'' on the coordinator and every worker and restart them (docs/citus.md, "Running on Citus").';
		END IF;
	END LOOP;
	IF done IS NOT NULL THEN
		RAISE EXCEPTION 'customer_class is already distributed (shape %)', done
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'distribute() runs once per database.';
	END IF;
	-- Sources bound to the ERP's own tables (bind_source()): those must be
	-- distributed by the column bound to customer_id already, colocated with
	-- the bound customer relation, which the extension's tables then join.
	-- They are the ERP's tables: distribute() does not move them itself.
	FOR con IN
		SELECT b.role, b.relation, b.columns ->> dist_col AS col,
			pg_catalog.to_regclass(b.relation) AS rel
		FROM @extschema@.source_binding b
		ORDER BY b.role <> 'customer', b.role
	LOOP
		IF NOT EXISTS (
			SELECT FROM pg_catalog.pg_dist_partition p
			WHERE p.logicalrelid = con.rel AND p.partmethod = 'h'
				AND pg_catalog.column_to_column_name(p.logicalrelid, p.partkey) = con.col
				AND (colocate_rel IS NULL OR p.colocationid = (SELECT q.colocationid FROM pg_catalog.pg_dist_partition q
															  WHERE q.logicalrelid = colocate_rel))) THEN
			RAISE EXCEPTION 'the % source is bound to %, which is not distributed by its column % colocated with the customer source',
				con.role, con.relation, con.col
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  HINT = 'Distribute the ERP''s tables first, each by its customer column and colocated with the customer table (create_distributed_table(..., colocate_with => ...)), then call distribute() again.';
		END IF;
		IF con.role = 'customer' THEN
			colocate_rel := con.rel;
		END IF;
	END LOOP;
	colocate_rel := coalesce(colocate_rel, '@extschema@.customer'::regclass);

	-- Citus copies the rows of each table as its owner would; say so at once
	-- rather than after half the tables
	SELECT c.relowner::regrole::name INTO owner_name FROM pg_catalog.pg_class c
	WHERE c.oid = '@extschema@.profile'::regclass;
	IF NOT pg_catalog.pg_has_role(owner_name, 'USAGE') THEN
		RAISE EXCEPTION 'permission denied to distribute the tables of customer_class'
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = pg_catalog.format('The tables are owned by %I.', owner_name),
				  HINT = 'Run distribute() as their owner, the role that created the extension.';
	END IF;
	-- the managed tables' and the ledger's triggers run on the shards
	-- (Citus refuses tables with triggers otherwise); the database must keep
	-- this on for the writes that follow (docs/citus.md)
	PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
	-- foreign keys between reference tables once tables were distributed in
	-- the same transaction: Citus needs one connection per node for both
	modify_mode := pg_catalog.current_setting('citus.multi_shard_modify_mode');
	PERFORM pg_catalog.set_config('citus.multi_shard_modify_mode', 'sequential', true);
	-- Credit groups: a group's members would lie on different shards, and
	-- the check of a member reads and locks the ledger rows of the others
	-- (credit/groups.sql), which a trigger on one shard cannot reach.  Said
	-- now rather than at the first order of a member; once distributed, a
	-- new parent is refused too (credit_group_change_refused()).  (Asked in
	-- sequential mode: Citus distributes no table in a transaction that read
	-- a distributed one, a bound source, in parallel.)
	SELECT count(*) INTO n_grouped FROM @extschema@.src_customer c
	WHERE c.parent_id IS NOT NULL AND c.parent_id <> c.customer_id;
	IF n_grouped > 0 THEN
		RAISE EXCEPTION 'customer_class cannot be distributed by customer while there are credit groups'
			USING ERRCODE = 'feature_not_supported',
				  DETAIL = pg_catalog.format('%s customers have a parent (src_customer.parent_id): the members of a group would lie on different shards, and the credit check of one member reads and locks the ledger rows of the others.', n_grouped),
				  HINT = 'Keep a database with credit groups on a single node, or clear the parents first (docs/citus.md, "What works").';
	END IF;

	SELECT pg_catalog.array_agg(c.oid ORDER BY c.relname) INTO dist_tables
	FROM pg_catalog.pg_class c
	JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = dist_col
		AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull
	WHERE c.relnamespace = schema_oid AND c.relkind IN ('r', 'p')
		AND c.oid <> ALL (local_tables);
	SELECT pg_catalog.array_agg(c.oid ORDER BY c.relname) INTO ref_tables
	FROM pg_catalog.pg_class c
	WHERE c.relnamespace = schema_oid AND c.relkind IN ('r', 'p')
		AND c.oid <> ALL (local_tables) AND c.oid <> ALL (dist_tables);

	-- Foreign keys Citus cannot keep between distributed tables: those that
	-- do not map the distribution column onto itself (customer.parent_id)
	FOR con IN
		SELECT k.conrelid::regclass AS rel, k.conname, pg_catalog.pg_get_constraintdef(k.oid) AS def
		FROM pg_catalog.pg_constraint k
		WHERE k.contype = 'f' AND k.conrelid = ANY (dist_tables) AND k.confrelid = ANY (dist_tables)
			AND NOT EXISTS (
				SELECT FROM pg_catalog.generate_subscripts(k.conkey, 1) i
				WHERE (SELECT attname FROM pg_catalog.pg_attribute
					   WHERE attrelid = k.conrelid AND attnum = k.conkey[i]) = dist_col
					AND (SELECT attname FROM pg_catalog.pg_attribute
						 WHERE attrelid = k.confrelid AND attnum = k.confkey[i]) = dist_col)
		ORDER BY 1, 2
	LOOP
		EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', con.rel, con.conname);
		relation := con.rel;
		placement := pg_catalog.format('dropped foreign key %s: %s', con.conname, con.def);
		RETURN NEXT;
	END LOOP;

	-- Primary keys and unique constraints of the distributed tables must
	-- hold the distribution column
	FOR con IN
		SELECT k.conrelid::regclass AS rel, k.conname, k.contype, k.conkey,
			(SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY i.n)
			 FROM pg_catalog.unnest(k.conkey) WITH ORDINALITY i(attnum, n)
			 JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = i.attnum) AS cols,
			(SELECT a.attnum FROM pg_catalog.pg_attribute a
			 WHERE a.attrelid = k.conrelid AND a.attname = dist_col) AS dist_attnum
		FROM pg_catalog.pg_constraint k
		WHERE k.contype IN ('p', 'u') AND k.conrelid = ANY (dist_tables)
		ORDER BY 1, 2
	LOOP
		CONTINUE WHEN con.dist_attnum = ANY (con.conkey);
		IF EXISTS (SELECT FROM pg_catalog.pg_constraint o
				   WHERE o.conrelid = con.rel AND o.contype IN ('p', 'u') AND o.conname <> con.conname
					   AND o.conkey @> (con.conkey || con.dist_attnum)
					   AND o.conkey <@ (con.conkey || con.dist_attnum)) THEN
			-- (order_id) beside (order_id, customer_id): the wider one is the key
			EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', con.rel, con.conname);
			placement := pg_catalog.format('dropped key %s (%s): a unique constraint with %I covers it',
										   con.conname, con.cols, dist_col);
		ELSE
			EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I, ADD CONSTRAINT %I %s (%s, %I)',
									  con.rel, con.conname, con.conname,
									  CASE con.contype WHEN 'p' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END,
									  con.cols, dist_col);
			placement := pg_catalog.format('key %s (%s) became (%s, %I)', con.conname, con.cols, con.cols, dist_col);
		END IF;
		relation := con.rel;
		RETURN NEXT;
	END LOOP;

	-- The same for unique indexes that back no constraint (credit_hold's
	-- one open hold per document): the document belongs to one customer, so
	-- with customer_id in front it is as unique as before
	FOR con IN
		SELECT i.indrelid::regclass AS rel, i.indexrelid::regclass::text AS idx,
			pg_catalog.pg_get_indexdef(i.indexrelid) AS def
		FROM pg_catalog.pg_index i
		WHERE i.indisunique AND i.indrelid = ANY (dist_tables)
			AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid)
			AND NOT (SELECT a.attnum FROM pg_catalog.pg_attribute a
					 WHERE a.attrelid = i.indrelid AND a.attname = dist_col) = ANY (i.indkey::int2[])
		ORDER BY 1, 2
	LOOP
		EXECUTE pg_catalog.format('DROP INDEX %s', con.idx);
		EXECUTE pg_catalog.regexp_replace(con.def, ' USING (\w+) \(', pg_catalog.format(' USING \1 (%I, ', dist_col));
		relation := con.rel;
		placement := pg_catalog.format('unique index %s with %I', con.idx, dist_col);
		RETURN NEXT;
	END LOOP;

	-- Citus refuses subqueries in the policies of distributed and reference
	-- tables.  The policies read the caller's access_query() in a scalar
	-- subquery so that a single node evaluates it once per statement (an
	-- InitPlan): called directly it means the same, per row.  The policy of
	-- customer_access itself looks the role up in pg_roles: the same test
	-- without a subquery.
	FOR con IN
		SELECT p.polrelid::regclass AS rel, p.polname,
			pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS qual,
			pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS chk
		FROM pg_catalog.pg_policy p
		WHERE p.polrelid = ANY (dist_tables || ref_tables)
		ORDER BY 1, 2
	LOOP
		IF con.rel = '@extschema@.customer_access'::regclass AND con.polname = 'customer_access_own'
			AND con.qual ~ 'SELECT' THEN
			con.qual := $e$pg_catalog.pg_has_role('customer_class_admin', 'MEMBER')
				OR coalesce(pg_catalog.pg_has_role(pg_catalog.to_regrole(pg_catalog.quote_ident(role_name)), 'MEMBER'), false)$e$;
		END IF;
		IF con.qual ~ 'SELECT' OR con.chk ~ 'SELECT' OR con.polname = 'customer_access_own' THEN
			EXECUTE pg_catalog.format('ALTER POLICY %I ON %s%s%s', con.polname, con.rel,
				' USING (' || pg_catalog.regexp_replace(con.qual, unwrap, '\1', 'g') || ')',
				' WITH CHECK (' || pg_catalog.regexp_replace(con.chk, unwrap, '\1', 'g') || ')');
			relation := con.rel;
			placement := pg_catalog.format('policy %s without subqueries', con.polname);
			RETURN NEXT;
		END IF;
	END LOOP;

	-- Citus turns a local table that references a table it distributes into
	-- a table of its own (a "Citus local table"), which the extension's own
	-- tables cannot become: the foreign keys between the tables that move
	-- go while they move and come back after, Citus then creating them
	-- shard by shard
	SELECT pg_catalog.array_agg(pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s', k.conrelid::regclass,
					k.conname, pg_catalog.pg_get_constraintdef(k.oid))
				ORDER BY k.conrelid::regclass::text, k.conname)
		INTO add_fkeys
	FROM pg_catalog.pg_constraint k
	WHERE k.contype = 'f' AND k.conrelid = ANY (dist_tables || ref_tables);
	-- (on the workers too: Citus adds them back to the workers' own copies
	-- of the extension's tables, which CREATE EXTENSION made there)
	worker_ddl := '';
	FOR con IN
		SELECT k.conrelid::regclass AS rel, k.conname FROM pg_catalog.pg_constraint k
		WHERE k.contype = 'f' AND k.conrelid = ANY (dist_tables || ref_tables)
	LOOP
		EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', con.rel, con.conname);
		worker_ddl := worker_ddl || pg_catalog.format('ALTER TABLE IF EXISTS %s DROP CONSTRAINT IF EXISTS %I; ',
													  con.rel, con.conname);
	END LOOP;

	-- The triggers must not fire for the rows Citus copies into the shards
	-- (the ledger would count them again, the queue take every customer, a
	-- shipped row be refused): off while the tables move, then back as they
	-- were (Citus carries ALTER TABLE ... ENABLE to the shards)
	SELECT pg_catalog.array_agg(pg_catalog.format('ALTER TABLE %s ENABLE %s TRIGGER %I', g.tgrelid::regclass,
					CASE g.tgenabled WHEN 'A' THEN 'ALWAYS' WHEN 'R' THEN 'REPLICA' ELSE '' END, g.tgname)
				ORDER BY g.tgrelid::regclass::text, g.tgname)
		INTO enable_triggers
	FROM pg_catalog.pg_trigger g
	WHERE NOT g.tgisinternal AND g.tgenabled <> 'D' AND g.tgrelid = ANY (dist_tables || ref_tables);
	FOREACH rel IN ARRAY dist_tables || ref_tables LOOP
		EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE TRIGGER USER', rel);
	END LOOP;

	-- CREATE EXTENSION ran on every worker too and left there empty copies
	-- of the managed tables, which are the user's, not the extension's:
	-- Citus creates its own (shell tables) where they are, so these go (and
	-- the source_<role> views over them: Citus creates the views that
	-- depend on a table it distributes on the workers)
	SELECT pg_catalog.string_agg(t::text, ', ' ORDER BY t::text) INTO stmt
	FROM pg_catalog.unnest(dist_tables || ref_tables) t
	WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
					  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = t
						  AND d.deptype = 'e');
	IF stmt IS NOT NULL THEN
		worker_ddl := worker_ddl || 'DROP TABLE IF EXISTS ' || stmt || ' CASCADE';
	END IF;
	FOR con IN
		SELECT w.nodename, w.nodeport, w.result
		FROM pg_catalog.run_command_on_workers(worker_ddl) w
		WHERE NOT w.success
	LOOP
		RAISE EXCEPTION 'could not prepare the worker %:% for distribute()', con.nodename, con.nodeport
			USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = con.result;
	END LOOP;

	-- Reference tables first, a referenced table before the tables that
	-- reference it (Citus requires the foreign keys' targets to be there)
	FOR rel IN
		WITH RECURSIVE depth(rel, d) AS (
			SELECT t, 0 FROM pg_catalog.unnest(ref_tables) t
			UNION ALL
			SELECT k.conrelid::regclass, depth.d + 1
			FROM depth JOIN pg_catalog.pg_constraint k
				ON k.contype = 'f' AND k.confrelid = depth.rel AND k.conrelid <> k.confrelid
			WHERE k.conrelid = ANY (ref_tables))
		SELECT depth.rel FROM depth GROUP BY depth.rel ORDER BY max(depth.d), depth.rel::text
	LOOP
		PERFORM pg_catalog.create_reference_table(rel);
		relation := rel;
		placement := 'reference';
		RETURN NEXT;
	END LOOP;

	-- customer first, the others colocated with it, referenced before
	-- referencing (sales_order, invoice, payment)
	FOR rel IN
		WITH RECURSIVE depth(rel, d) AS (
			SELECT t, 0 FROM pg_catalog.unnest(dist_tables) t
			UNION ALL
			SELECT k.conrelid::regclass, depth.d + 1
			FROM depth JOIN pg_catalog.pg_constraint k
				ON k.contype = 'f' AND k.confrelid = depth.rel AND k.conrelid <> k.confrelid
			WHERE k.conrelid = ANY (dist_tables))
		SELECT depth.rel FROM depth GROUP BY depth.rel
		ORDER BY depth.rel <> colocate_rel, max(depth.d), depth.rel::text
	LOOP
		IF rel = colocate_rel THEN
			PERFORM pg_catalog.create_distributed_table(rel, dist_col::text);
		ELSE
			PERFORM pg_catalog.create_distributed_table(rel, dist_col::text, colocate_with => colocate_rel::text);
		END IF;
		relation := rel;
		placement := pg_catalog.format('distributed by %I', dist_col);
		RETURN NEXT;
	END LOOP;

	-- the coordinator's own copy of the rows, now hidden behind the shards (the
	-- triggers still off: it is no change of the user's data)
	FOREACH rel IN ARRAY dist_tables || ref_tables LOOP
		PERFORM pg_catalog.truncate_local_data_after_distributing_table(rel);
	END LOOP;
	FOREACH stmt IN ARRAY coalesce(add_fkeys, '{}') LOOP
		EXECUTE stmt;
	END LOOP;
	FOREACH stmt IN ARRAY coalesce(enable_triggers, '{}') LOOP
		EXECUTE stmt;
	END LOOP;

	PERFORM pg_catalog.set_config('citus.multi_shard_modify_mode', modify_mode, true);

	-- The identity keys of the extension's distributed tables (alert_id,
	-- history_id, ...) are drawn on the worker where the trigger runs, from
	-- the worker's own copy of the sequence, which Citus leaves alone for an
	-- extension's table: each worker gets its own range, as Citus gives the
	-- tables it creates (group g: from g * 2^48 + 1), so that no key is
	-- drawn twice.
	SELECT pg_catalog.string_agg(pg_catalog.format(
			'EXECUTE pg_catalog.format(%L, (g << 48) + 1, ((g + 1) << 48) - 1, (g << 48) + 1);',
			'ALTER SEQUENCE ' || s::text || ' MINVALUE %s MAXVALUE %s START %s RESTART'), ' ' ORDER BY s::text)
		INTO stmt
	FROM pg_catalog.unnest(dist_tables) t
	JOIN pg_catalog.pg_attribute a ON a.attrelid = t AND a.attidentity <> '' AND NOT a.attisdropped
	CROSS JOIN LATERAL pg_catalog.pg_get_serial_sequence(t::text, a.attname) q
	CROSS JOIN LATERAL (SELECT q::regclass AS s) sq
	WHERE EXISTS (SELECT FROM pg_catalog.pg_depend d
				  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = t AND d.deptype = 'e');
	IF stmt IS NOT NULL THEN
		FOR con IN
			SELECT w.nodename, w.nodeport, w.result
			FROM pg_catalog.run_command_on_workers(
				'DO $seq$ DECLARE g bigint := (SELECT groupid FROM pg_catalog.pg_dist_local_group); BEGIN '
				|| stmt || ' END $seq$') w
			WHERE NOT w.success
		LOOP
			RAISE EXCEPTION 'could not give the worker %:% its range of keys', con.nodename, con.nodeport
				USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = con.result;
		END LOOP;
	END IF;

	FOREACH rel IN ARRAY local_tables LOOP
		relation := rel;
		placement := 'local';
		RETURN NEXT;
	END LOOP;
END;
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.distribute(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.distribute(text) TO customer_class_admin;
COMMENT ON FUNCTION @extschema@.distribute(text) IS
	'Citus: distributes the tables with customer rows by customer_id colocated with customer (shape customer; tenant: not yet), makes the settings tables reference tables, keeps rfm_boundary and rewind_log local; returns what it did per table';
