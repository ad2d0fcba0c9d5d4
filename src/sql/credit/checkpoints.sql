-- Credit control, part 6: the write side of a bound ERP (docs/binding.md,
-- "Write side").
--
-- When the sources are bound to an ERP's own tables (bind_source), the
-- managed tables' row triggers no longer see the documents, so:
--   bind_checkpoint   runs a credit check (order, delivery, invoice) when a
--                     document of an ERP table enters a state, e.g. a Tryton
--                     sale_sale going from quotation to confirmed
--   watch_source      keeps the exposure ledger and the refresh queue current
--                     from the writes to an ERP base table
-- Both install statement-level AFTER triggers with transition tables on the
-- ERP's table.  Those triggers are not members of the extension: pg_dump
-- writes them with the ERP table (post-data) and a restore recreates them;
-- the configuration tables below record what was bound, for listing and for
-- unbinding.
--
-- Companies: the ledger keeps one row per customer (all companies), the
-- serialisation point of every check of that customer.  A check computes the
-- exposure of the customer in the document's company from the bound sources
-- (exposure_in_company) and compares it with that company's limit (the
-- credit_limit source; none bound or no row: the customer's limit as for the
-- managed tables).
--
-- Locking: a trigger locks the ledger rows of its customers first, in
-- customer_id order, and then computes from the sources in a new statement
-- (under READ COMMITTED a snapshot taken after the lock; under REPEATABLE
-- READ a concurrent committed write of the same customer makes the lock fail
-- with 40001, and the ERP retries).  The ERP's tables are only read (ACCESS
-- SHARE, never FOR UPDATE), so an ERP that takes LOCK ... IN EXCLUSIVE MODE
-- NOWAIT on them is never refused because of these triggers.

CREATE TABLE @extschema@.checkpoint_binding (
	checkpoint		text PRIMARY KEY,
	relation		text NOT NULL,
	customer		text NOT NULL,
	company			text,
	entered			text NOT NULL,
	came_from		text,
	amount			text,
	bound_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	bound_by		name NOT NULL DEFAULT CURRENT_USER
);
-- Written by bind_checkpoint() and unbind_checkpoint() only, which validate
-- (no CHECK constraints to restate), like source_binding.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.checkpoint_binding', '');
GRANT SELECT ON @extschema@.checkpoint_binding TO customer_class_reader;

CREATE TABLE @extschema@.source_watch (
	relation		text PRIMARY KEY,
	customers		text NOT NULL,
	bound_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	bound_by		name NOT NULL DEFAULT CURRENT_USER
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.source_watch', '');
GRANT SELECT ON @extschema@.source_watch TO customer_class_reader;

-- == The ledger rows of a set of customers ==

-- Create the missing ledger rows and lock them all, in customer_id order,
-- then rewrite them from the sources in new statements (one per
-- customer, from exposure_recomputed()): under READ COMMITTED their
-- snapshots are taken after the locks, so they see every committed write
-- of these customers.  Every row gets a new version even
-- when its figures do not change, so that a REPEATABLE READ transaction
-- whose snapshot predates this one fails with 40001 when it locks the row.
-- The locks are taken NOWAIT: a row another transaction holds fails the
-- statement at once with 40001, and the ERP retries.  Waiting could
-- deadlock: the ERP's transaction may hold table locks (Tryton: LOCK ... IN
-- EXCLUSIVE MODE on its sale and move line tables) that the holder of the
-- row will ask for next.  (A missing row is created by INSERT, which waits
-- for another transaction creating the same customer's row: the one wait.)
CREATE FUNCTION @extschema@.exposure_lock_recompute(customers bigint[]) RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	ids bigint[];
	path bigint[];
	cid bigint;
BEGIN
	SELECT array_agg(DISTINCT u ORDER BY u) INTO ids FROM unnest(customers) u WHERE u IS NOT NULL;
	IF ids IS NULL THEN
		RETURN;
	END IF;
	-- only the rows missing from the snapshot: an INSERT that meets a row
	-- another transaction is updating waits for it, even with DO NOTHING
	-- (EXCEPT, not NOT EXISTS: Citus refuses a correlated sub-select
	-- beside unnest())
	INSERT INTO @extschema@.credit_exposure AS x (customer_id)
	SELECT u FROM (SELECT u FROM unnest(ids) u
				   EXCEPT SELECT e.customer_id FROM @extschema@.credit_exposure e WHERE e.customer_id = ANY (ids)) m
	ORDER BY u
	ON CONFLICT ON CONSTRAINT credit_exposure_pkey DO NOTHING;
	-- the credit groups of these customers: their ancestors' rows are
	-- locked too, before their own as exposure_add() does (NOWAIT: the
	-- order cannot deadlock), and updated, so that the group checks of the
	-- members are serialised on them
	SELECT array_agg(a ORDER BY a) INTO path
	FROM (SELECT DISTINCT a FROM @extschema@.credit_exposure x, unnest(x.group_path) a
		  WHERE x.customer_id = ANY (ids) AND a <> ALL (ids)) s;
	BEGIN
		IF path IS NOT NULL THEN
			PERFORM FROM @extschema@.credit_exposure x WHERE x.customer_id = ANY (path)
			ORDER BY x.customer_id FOR NO KEY UPDATE NOWAIT;
			UPDATE @extschema@.credit_exposure x SET open_orders = x.open_orders WHERE x.customer_id = ANY (path);
		END IF;
		PERFORM FROM @extschema@.credit_exposure x WHERE x.customer_id = ANY (ids)
		ORDER BY x.customer_id FOR NO KEY UPDATE NOWAIT;
	EXCEPTION WHEN lock_not_available THEN
		RAISE EXCEPTION 'could not serialize access to the credit exposure of customer %',
			pg_catalog.array_to_string(ids, ', ')
			USING ERRCODE = 'serialization_failure',
				  DETAIL = 'Another transaction is writing documents of the same customer; the credit triggers on the ERP''s tables never wait for it, so that they can never deadlock with the ERP''s own locks.',
				  HINT = 'Retry the transaction.';
	END;
	-- then each row from exposure_recomputed() of its customer alone (zeros
	-- when the sources have no row of it): one statement per customer, with
	-- the customer a value on every table read.  On Citus this runs on a
	-- shard, in the trigger of a watched or bound ERP table, where only such
	-- a query, routed to the customer's shards, can run; one over several
	-- customers is planned in steps, which a shard refuses (docs/citus.md,
	-- "Triggers on the shards")
	FOREACH cid IN ARRAY ids LOOP
		UPDATE @extschema@.credit_exposure x
		SET open_orders = coalesce(r.open_orders, 0), shipped_not_invoiced = coalesce(r.shipped_not_invoiced, 0),
			invoice_balance = coalesce(r.invoice_balance, 0), unapplied_credits = coalesce(r.unapplied_credits, 0)
		FROM (SELECT cid AS customer_id) u
		LEFT JOIN @extschema@.exposure_recomputed(ARRAY[cid]) r ON r.customer_id = u.customer_id
		WHERE x.customer_id = cid;
	END LOOP;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.exposure_lock_recompute(bigint[]) FROM PUBLIC;

-- The exposure of a customer in one company, computed from the sources as
-- exposure_recomputed() does (company NULL: all of its documents, "the one
-- company").  The sources' company_id (bind_source maps it; unmapped: NULL)
-- selects the documents.  PL/pgSQL: a new snapshot at each call under READ
-- COMMITTED, taken after the caller locked the ledger row.
CREATE FUNCTION @extschema@.exposure_in_company(customer_id bigint, company_id bigint) RETURNS numeric
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	x numeric;
BEGIN
	IF company_id IS NULL THEN
		SELECT r.exposure INTO x FROM @extschema@.exposure_recomputed(ARRAY[exposure_in_company.customer_id]) r;
		RETURN coalesce(x, 0)::numeric(18,2);
	END IF;
	SELECT coalesce((SELECT sum(greatest(s.amount - coalesce((SELECT sum(si.amount) FROM @extschema@.src_invoice si
																WHERE si.order_id = s.order_id), 0), 0))
					 FROM @extschema@.src_order s
					 WHERE s.customer_id = exposure_in_company.customer_id AND s.company_id = exposure_in_company.company_id
					   AND s.status IN ('open', 'shipped')), 0)
		 + coalesce((SELECT sum(si.amount) FROM @extschema@.src_invoice si
					 WHERE si.customer_id = exposure_in_company.customer_id
					   AND si.company_id = exposure_in_company.company_id), 0)
		 - coalesce((SELECT sum(sp.amount) FROM @extschema@.src_payment sp
					 WHERE sp.customer_id = exposure_in_company.customer_id
					   AND sp.company_id = exposure_in_company.company_id), 0)
	INTO x;
	RETURN x::numeric(18,2);
END
$$;

-- A credit check in a company: credit_evaluate(), with the company's own
-- limit when the credit_limit source has a row for the customer and the
-- company (its credit_limit NULL: no limit).  An override in force
-- (credit_limit_override: credit control's decision) still wins, as it wins
-- over the customer's own limit.  The rules on the exposure are taken again
-- against the company's limit by credit_exposure_rule(), as credit_evaluate()
-- takes them (grade D, limit, then the overdue rule, nearly used).  The
-- check menu applies as in credit_evaluate(); its rule horizon leaves out
-- the orders of this company due to ship beyond it.  The document value
-- is the amount asked: the documents of the customer in the company that
-- entered the checkpoint in one statement (one, as an ERP saves them).
CREATE FUNCTION @extschema@.credit_evaluate_in_company(customer_id bigint, company_id bigint, checkpoint text,
													   exposure_after numeric, asked numeric, as_of date DEFAULT NULL)
	RETURNS @extschema@.credit_verdict
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := coalesce(credit_evaluate_in_company.as_of, @extschema@.as_of());
	v @extschema@.credit_verdict;
	lim numeric;
	n bigint;
	redecide boolean := false;
BEGIN
	v := @extschema@.credit_evaluate(customer_id, checkpoint, exposure_after, asked, d);
	IF v.mode = 'off' THEN
		RETURN v;
	END IF;
	-- a member of a credit group: the group counts all of the member's
	-- companies (its ledger row, just rewritten), not this company's part
	-- (a customer in no group has no group after credit_evaluate() either)
	IF v.group_id IS NOT NULL THEN
		v := @extschema@.credit_group_fill(v, NULL, d);
		redecide := true;
	END IF;
	-- the rule horizon: the orders of this company beyond it
	IF v.horizon_days IS NOT NULL AND company_id IS NOT NULL THEN
		v.exposure_in_horizon := exposure_after
			- @extschema@.credit_beyond_horizon(customer_id, company_id, d, v.horizon_days);
		redecide := true;
	END IF;
	IF pg_catalog.to_regclass('@extschema@.src_credit_limit') IS NOT NULL THEN
		EXECUTE 'SELECT l.credit_limit FROM @extschema@.src_credit_limit l
				 WHERE l.customer_id = $1 AND l.company_id IS NOT DISTINCT FROM $2 LIMIT 1'
			INTO lim USING customer_id, company_id;
		-- EXECUTE does not set FOUND
		GET DIAGNOSTICS n = ROW_COUNT;
		IF n > 0
		   AND (SELECT l.limit_method FROM @extschema@.credit_limit_rows(customer_id, d) l) IS DISTINCT FROM 'override' THEN
			v.credit_limit := lim;
			v.limit_source := pg_catalog.format('credit limit of company %s', coalesce(company_id::text, '(none)'));
			redecide := true;
		END IF;
	END IF;
	IF NOT redecide THEN
		RETURN v;
	END IF;
	RETURN @extschema@.credit_verdict_decide(v, @extschema@.credit_setting('rule.grade_d'),
											 @extschema@.credit_setting('alert.nearly_used_pct')::numeric, d);
END
$$;

-- The functions the triggers of bound tables call are executable by every
-- role (any role may write a bound table) but only from a trigger.
CREATE FUNCTION @extschema@.binding_trigger_only(what text) RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF pg_catalog.pg_trigger_depth() = 0 THEN
		RAISE EXCEPTION '%() is called by the triggers of bound tables only', what
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'Bind the table with bind_checkpoint() or watch_source().';
	END IF;
END
$$;

-- == Checkpoints ==

-- The checks of one statement's transitions: customers[i] entered the
-- checkpoint in company companies[i] with documents of amount amounts[i]
-- (NULL: no amount bound), named whats[i] in the messages.  Locks and
-- rewrites the customers' ledger rows first, then checks each (customer,
-- company) against the exposure computed in a new statement, and acts as
-- credit_enforce() does: an error in mode block (KC001, KC002, KC003), a
-- WARNING and an alert in mode warn, the documents on hold (one hold per
-- customer and company of the statement) with a WARNING and an alert in
-- mode hold, a limit_nearly_used alert.  SECURITY
-- DEFINER: called by the checkpoint trigger, which runs as the ERP's role,
-- and that role need not read or write the extension's tables.  EXECUTE for
-- PUBLIC: it only does what a write to the bound table does.
CREATE FUNCTION @extschema@.checkpoint_enforce(checkpoint text, customers bigint[], companies bigint[],
											   amounts numeric[], whats text[])
	RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v @extschema@.credit_verdict;
	x numeric;
	i integer;
	hold bigint;
	rel text;
BEGIN
	PERFORM @extschema@.binding_trigger_only('checkpoint_enforce');
	-- a customer the caller may not see (docs/access.md) is answered like
	-- one that does not exist, as credit_check() answers: the verdict would
	-- tell its exposure
	FOR i IN 1 .. coalesce(array_length(customers, 1), 0) LOOP
		IF NOT @extschema@.access_allows(customers[i], @extschema@.access_caller()) THEN
			RAISE EXCEPTION 'customer % does not exist', customers[i] USING ERRCODE = 'no_data_found';
		END IF;
	END LOOP;
	PERFORM @extschema@.exposure_lock_recompute(customers);
	-- a restore re-inserts rows accepted before: check nothing
	IF current_setting('check_function_bodies') = 'off' THEN
		RETURN;
	END IF;
	FOR i IN 1 .. coalesce(array_length(customers, 1), 0) LOOP
		CONTINUE WHEN customers[i] IS NULL;
		x := @extschema@.exposure_in_company(customers[i], companies[i]);
		v := @extschema@.credit_evaluate_in_company(customers[i], companies[i], checkpoint, x, amounts[i]::numeric(18,2));
		IF v.violation IS NULL THEN
			IF v.nearly_used THEN
				PERFORM @extschema@.raise_alert(customers[i], 'limit_nearly_used', 'yellow',
					@extschema@.credit_verdict_json(v) || jsonb_build_object('what', whats[i], 'company_id', companies[i]));
			END IF;
			CONTINUE;
		END IF;
		IF v.mode = 'block' THEN
			RAISE EXCEPTION USING
				ERRCODE = v.sqlstate,
				MESSAGE = @extschema@.credit_verdict_message(v, whats[i]),
				DETAIL = @extschema@.checkpoint_verdict_detail(v, companies[i]),
				HINT = @extschema@.credit_verdict_hint(v);
		END IF;
		hold := NULL;
		IF v.mode = 'hold' THEN
			-- saved on hold (credit/hold.sql): whats[i] is the relation, a
			-- space and the documents' keys (checkpoint_query)
			SELECT b.relation INTO rel FROM @extschema@.checkpoint_binding b WHERE b.checkpoint = checkpoint_enforce.checkpoint;
			hold := @extschema@.credit_hold_place(v, whats[i], NULL, NULL, rel,
				CASE WHEN starts_with(whats[i], rel || ' ') THEN substr(whats[i], length(rel) + 2) ELSE whats[i] END,
				companies[i]);
			RAISE WARNING USING
				MESSAGE = @extschema@.credit_verdict_message(v, whats[i]),
				DETAIL = @extschema@.checkpoint_verdict_detail(v, companies[i]),
				HINT = pg_catalog.format('The document is saved on credit hold %s until a credit manager releases it (release_credit_hold) or rejects it (reject_credit_hold).', hold);
		ELSE
			RAISE WARNING USING
				MESSAGE = @extschema@.credit_verdict_message(v, whats[i]),
				DETAIL = @extschema@.checkpoint_verdict_detail(v, companies[i]);
		END IF;
		PERFORM @extschema@.raise_alert(customers[i], v.violation, 'red',
			@extschema@.credit_verdict_json(v) || jsonb_build_object('what', whats[i], 'company_id', companies[i])
			|| CASE WHEN hold IS NOT NULL THEN jsonb_build_object('hold_id', hold) ELSE '{}' END);
	END LOOP;
END
$$;

-- credit_verdict_detail() with the company, and without the amount asked
-- when the binding names no amount (the check reads only the exposure after).
CREATE FUNCTION @extschema@.checkpoint_verdict_detail(v @extschema@.credit_verdict, company_id bigint) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN CASE WHEN v.asked IS NULL
				THEN pg_catalog.format('Exposure after %s, credit limit %s (%s), grade %s, mode %s.',
					v.exposure_after, coalesce(v.credit_limit::text, 'none'), v.limit_source,
					coalesce(v.credit_grade::text, 'not graded'), v.mode) || @extschema@.credit_verdict_reason(v)
				ELSE @extschema@.credit_verdict_detail(v) END
		|| CASE WHEN company_id IS NULL THEN '' ELSE pg_catalog.format(' Company %s.', company_id) END;

-- The trigger of a bound checkpoint (AFTER INSERT and AFTER UPDATE, FOR EACH
-- STATEMENT, transition tables new_rows and old_rows).  Its arguments: the
-- checkpoint and the query bind_checkpoint() wrote, which gives one row per
-- customer and company whose documents entered the checkpoint in the
-- statement.  SECURITY INVOKER: the binding's expressions run with the
-- rights of the ERP's role that writes the table, never the extension
-- owner's.
CREATE FUNCTION @extschema@.checkpoint_trigger() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	customers bigint[];
	companies bigint[];
	amounts numeric[];
	whats text[];
BEGIN
	EXECUTE pg_catalog.format('SELECT array_agg(t.customer_id ORDER BY t.customer_id, t.company_id),
									  array_agg(t.company_id ORDER BY t.customer_id, t.company_id),
									  array_agg(t.amount ORDER BY t.customer_id, t.company_id),
									  array_agg(t.what ORDER BY t.customer_id, t.company_id)
							   FROM (%s) t', TG_ARGV[1])
		INTO customers, companies, amounts, whats;
	IF customers IS NOT NULL THEN
		PERFORM @extschema@.checkpoint_enforce(TG_ARGV[0], customers, companies, amounts, whats);
	END IF;
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.checkpoint_trigger() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.checkpoint_trigger() TO customer_class_admin;

-- The query of a checkpoint trigger over the transition tables (for INSERT
-- only new_rows), or, for validation, over the relation itself.  Each
-- expression is evaluated in a subquery whose only table is the rows under
-- the relation's own name, so unqualified columns and relname.column both
-- work.  A row counts when it is in the state (entered) and, for an UPDATE,
-- came from a state that counts (came_from on the old row; none given: was
-- not in the state before).  An inserted row in the state counts.
CREATE FUNCTION @extschema@.checkpoint_query(relation regclass, event text, customer text, company text,
											 entered text, came_from text, amount text, source text DEFAULT NULL)
	RETURNS text
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	alias name;
	keycols text;
	keytext text;
	n_src text := coalesce(source, 'new_rows');
	o_src text := coalesce(source, 'old_rows');
BEGIN
	SELECT c.relname INTO alias FROM pg_catalog.pg_class c WHERE c.oid = relation;
	SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY k.i),
		   pg_catalog.string_agg(pg_catalog.format('%L || ''='' || %I', a.attname, a.attname), ' || '','' || ' ORDER BY k.i)
	INTO keycols, keytext
	FROM pg_catalog.pg_index x
	CROSS JOIN LATERAL pg_catalog.unnest(x.indkey) WITH ORDINALITY k(attnum, i)
	JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
	WHERE x.indrelid = relation AND x.indisprimary;
	IF keycols IS NULL THEN
		RETURN NULL;
	END IF;
	RETURN pg_catalog.format(
		'SELECT n.customer_id, n.company_id, sum(n.amount) AS amount, '
		'%L || '' '' || pg_catalog.string_agg(n.keytext, ''; '' ORDER BY n.keytext) AS what '
		'FROM (SELECT ROW(%s) AS key, (%s)::text AS keytext, (%s)::bigint AS customer_id, (%s)::bigint AS company_id, '
		'(%s)::numeric AS amount, coalesce((%s), false) AS entered FROM %s AS %I) n%s '
		'WHERE n.entered%s GROUP BY n.customer_id, n.company_id',
		relation::text, keycols, keytext, customer, coalesce(company, 'NULL'), coalesce(amount, 'NULL'), entered,
		n_src, alias,
		CASE WHEN event = 'UPDATE' THEN pg_catalog.format(
			' LEFT JOIN (SELECT ROW(%s) AS key, coalesce((%s), false) AS entered, '
			'coalesce((%s), false) AS came_from FROM %s AS %I) o ON o.key = n.key',
			keycols, entered, coalesce(came_from, 'NULL'), o_src, alias) ELSE '' END,
		CASE WHEN event <> 'UPDATE' THEN ''
			 WHEN came_from IS NULL THEN ' AND (o.key IS NULL OR NOT o.entered)'
			 ELSE ' AND (o.key IS NULL OR o.came_from)' END);
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.checkpoint_query(regclass, text, text, text, text, text, text, text) FROM PUBLIC;

-- The relation a checkpoint or a watch may be bound to: a table (the
-- trigger needs one; a view is watched through its base tables).
CREATE FUNCTION @extschema@.binding_table_check(relation regclass, what text) RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	owner regrole;
BEGIN
	IF (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = relation) NOT IN ('r', 'p') THEN
		RAISE EXCEPTION '%: % is not a table', what, relation
			USING ERRCODE = 'wrong_object_type',
				  DETAIL = 'The triggers that see the ERP''s writes can only be created on a table.',
				  HINT = 'Bind the table whose rows are written (for a view over several tables, watch each base table with watch_source).';
	END IF;
	IF pg_catalog.has_table_privilege(relation, 'SELECT') IS NOT TRUE
	   OR pg_catalog.has_table_privilege(relation, 'TRIGGER') IS NOT TRUE THEN
		RAISE EXCEPTION '%: permission denied for table %', what, relation
			USING ERRCODE = 'insufficient_privilege',
				  HINT = pg_catalog.format('The role binding it needs SELECT and TRIGGER on %s (GRANT SELECT, TRIGGER ON %s TO %I).',
										   relation, relation, CURRENT_USER);
	END IF;
	-- the triggers run as the role that writes the table and call the
	-- extension's functions: that role needs USAGE on the schema (the
	-- owner is the one role known to write it)
	SELECT c.relowner::regrole INTO owner FROM pg_catalog.pg_class c WHERE c.oid = relation;
	IF NOT pg_catalog.has_schema_privilege(owner::oid, '@extschema@', 'USAGE') THEN
		RAISE WARNING '%: role % (owner of %) has no USAGE on schema @extschema@', what, owner, relation
			USING DETAIL = 'The triggers run as the role that writes the table; without USAGE on the schema its writes fail.',
				  HINT = pg_catalog.format('GRANT USAGE ON SCHEMA @extschema@ TO %s (and to every other role that writes %s).', owner, relation);
	END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.binding_table_check(regclass, text) FROM PUBLIC;

-- Drop the named triggers the extension created on an ERP table (those
-- that exist: no notice for the others).
CREATE FUNCTION @extschema@.binding_drop_triggers(relation regclass, names text[]) RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t name;
BEGIN
	FOR t IN SELECT g.tgname FROM pg_catalog.pg_trigger g
			 WHERE g.tgrelid = relation AND g.tgname = ANY (names) ORDER BY g.tgname LOOP
		EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', t, relation);
	END LOOP;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.binding_drop_triggers(regclass, text[]) FROM PUBLIC;

-- Bind a checkpoint to an ERP table's documents entering a state.
--   customer   SQL expression over the document row: the customer id
--   company    SQL expression: the company id (NULL: the one company)
--   entered    SQL condition on the new row: the document is in the state
--   came_from  SQL condition on the old row: the transition counts from it
--              (NULL: from any state other than entered)
--   amount     SQL expression: the document's amount, for the messages
--              (NULL: the messages give only the exposure after)
-- Everything is checked before anything changes; a rebinding replaces the
-- checkpoint's triggers.  The expressions run with the rights of the role
-- that writes the table, under search_path pg_catalog: qualify other tables.
CREATE FUNCTION @extschema@.bind_checkpoint(checkpoint text, relation regclass, customer text, entered text,
											company text DEFAULT NULL, came_from text DEFAULT NULL,
											amount text DEFAULT NULL)
	RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	q_ins text;
	q_upd text;
	what text;
	old record;
	msg text;
	st text;
BEGIN
	IF checkpoint IS NULL OR checkpoint NOT IN ('order', 'delivery', 'invoice') THEN
		RAISE EXCEPTION 'unknown credit checkpoint "%"', coalesce(checkpoint, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'The checkpoints are order, delivery and invoice.';
	END IF;
	what := pg_catalog.format('bind_checkpoint(%s)', checkpoint);
	IF relation IS NULL OR nullif(btrim(customer), '') IS NULL OR nullif(btrim(entered), '') IS NULL THEN
		RAISE EXCEPTION '%: relation, customer and entered are required', what
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Give the table, an expression for the customer id and a condition on the row for the state entered, e.g. bind_checkpoint(''order'', ''sale_sale'', ''party'', $c$state = ''confirmed''$c$).';
	END IF;
	PERFORM @extschema@.binding_table_check(relation, what);
	q_ins := @extschema@.checkpoint_query(relation, 'INSERT', customer, company, entered, came_from, amount);
	IF q_ins IS NULL THEN
		RAISE EXCEPTION '%: table % has no primary key', what, relation
			USING ERRCODE = 'invalid_table_definition',
				  DETAIL = 'The old and new versions of an updated document are paired by the primary key.',
				  HINT = 'Bind the document table itself (it has a primary key), or add one.';
	END IF;
	q_upd := @extschema@.checkpoint_query(relation, 'UPDATE', customer, company, entered, came_from, amount);
	-- every expression is parsed, planned and typed against the table itself
	BEGIN
		EXECUTE pg_catalog.format('SELECT * FROM (%s) t LIMIT 0',
			@extschema@.checkpoint_query(relation, 'UPDATE', customer, company, entered, came_from, amount,
										 relation::text));
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, st = RETURNED_SQLSTATE;
		RAISE EXCEPTION '%: the binding does not work on %: %', what, relation, msg
			USING ERRCODE = st,
				  DETAIL = pg_catalog.format('customer: %s; company: %s; entered: %s; came_from: %s; amount: %s',
											 customer, coalesce(company, 'NULL'), entered, coalesce(came_from, 'NULL'),
											 coalesce(amount, 'NULL')),
				  HINT = pg_catalog.format('Each is an SQL expression over a row of %s (customer, company: ids; entered, came_from: conditions; amount: a number); other tables must be schema-qualified.', relation);
	END;

	SELECT b.relation INTO old FROM @extschema@.checkpoint_binding b WHERE b.checkpoint = bind_checkpoint.checkpoint;
	IF FOUND AND pg_catalog.to_regclass(old.relation) IS NOT NULL THEN
		PERFORM @extschema@.binding_drop_triggers(old.relation::regclass,
			ARRAY['customer_class_' || checkpoint || '_ins', 'customer_class_' || checkpoint || '_upd']);
	END IF;
	EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows
							   FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.checkpoint_trigger(%L, %L)',
		'customer_class_' || checkpoint || '_ins', relation, checkpoint, q_ins);
	EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
							   FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.checkpoint_trigger(%L, %L)',
		'customer_class_' || checkpoint || '_upd', relation, checkpoint, q_upd);
	-- (the time and the role as values, in VALUES: Citus takes no now() or
	-- CURRENT_USER in the ON CONFLICT DO UPDATE of a reference table)
	INSERT INTO @extschema@.checkpoint_binding AS b (checkpoint, relation, customer, company, entered, came_from, amount,
													 bound_at, bound_by)
	VALUES (checkpoint, relation::text, customer, company, entered, came_from, amount, pg_catalog.now(), CURRENT_USER)
	ON CONFLICT ON CONSTRAINT checkpoint_binding_pkey DO UPDATE
	SET relation = excluded.relation, customer = excluded.customer, company = excluded.company,
		entered = excluded.entered, came_from = excluded.came_from, amount = excluded.amount,
		bound_at = excluded.bound_at, bound_by = excluded.bound_by;
END
$$;

-- Unbind a checkpoint: drops its triggers.  The managed tables' checks
-- (the C order trigger and the invoice trigger) are not affected.
CREATE FUNCTION @extschema@.unbind_checkpoint(checkpoint text) RETURNS void
	LANGUAGE plpgsql VOLATILE STRICT
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	rel text;
BEGIN
	DELETE FROM @extschema@.checkpoint_binding b WHERE b.checkpoint = unbind_checkpoint.checkpoint
	RETURNING b.relation INTO rel;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'checkpoint "%" is not bound', checkpoint
			USING ERRCODE = 'undefined_object',
				  HINT = 'SELECT checkpoint, relation FROM customer_class.checkpoint_binding lists the bound checkpoints.';
	END IF;
	IF pg_catalog.to_regclass(rel) IS NOT NULL THEN
		PERFORM @extschema@.binding_drop_triggers(rel::regclass,
			ARRAY['customer_class_' || checkpoint || '_ins', 'customer_class_' || checkpoint || '_upd']);
	END IF;
END
$$;

-- == Watched tables ==

-- The customers touched by one statement on a watched table: queued for
-- refresh() and their ledger rows locked (customer_id order) and rewritten
-- from the sources.  SECURITY DEFINER and EXECUTE for PUBLIC, as
-- checkpoint_enforce().
CREATE FUNCTION @extschema@.watch_apply(customers bigint[]) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM @extschema@.binding_trigger_only('watch_apply');
	IF customers IS NULL OR cardinality(customers) = 0 THEN
		RETURN;
	END IF;
	INSERT INTO @extschema@.dirty (customer_id) SELECT DISTINCT u FROM unnest(customers) u WHERE u IS NOT NULL;
	PERFORM @extschema@.exposure_lock_recompute(customers);
END
$$;

-- The trigger of a watched table (AFTER INSERT, UPDATE, DELETE, FOR EACH
-- STATEMENT): its argument is the query watch_source() wrote, which gives
-- the customers of the statement's rows.  SECURITY INVOKER, as
-- checkpoint_trigger().
CREATE FUNCTION @extschema@.watch_trigger() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	customers bigint[];
BEGIN
	EXECUTE TG_ARGV[0] INTO customers;
	PERFORM @extschema@.watch_apply(customers);
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.watch_trigger() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.watch_trigger() TO customer_class_admin;

-- The query of a watch trigger: the customers query over "changed" (the
-- statement's rows: new_rows, old_rows or both), sorted and distinct.
CREATE FUNCTION @extschema@.watch_query(changed text, customers text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN pg_catalog.format(
		'WITH changed AS (%s) SELECT pg_catalog.array_agg(d.customer_id ORDER BY d.customer_id) '
		'FROM (SELECT DISTINCT (q.customer_id)::bigint AS customer_id FROM (%s) q(customer_id)) d '
		'WHERE d.customer_id IS NOT NULL', changed, customers);

-- Watch an ERP base table: every INSERT, UPDATE and DELETE queues the
-- customers its rows concern for refresh() and rewrites their ledger rows
-- from the sources.  customers: an SQL query over "changed" (the
-- statement's rows, with the table's columns) whose first column is the
-- customer id, e.g. for sale lines
--   SELECT s.party FROM changed c JOIN public.sale_sale s ON s.id = c.sale
-- Checked before anything changes; a second call replaces the query.
CREATE FUNCTION @extschema@.watch_source(relation regclass, customers text) RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	what text := pg_catalog.format('watch_source(%s)', relation);
	msg text;
	st text;
BEGIN
	IF relation IS NULL OR nullif(btrim(customers), '') IS NULL THEN
		RAISE EXCEPTION 'watch_source: relation and customers are required'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Give the table and a query over "changed" (its rows written) whose first column is the customer id, e.g. SELECT party FROM changed.';
	END IF;
	PERFORM @extschema@.binding_table_check(relation, what);
	BEGIN
		EXECUTE @extschema@.watch_query(pg_catalog.format('SELECT * FROM %s LIMIT 0', relation), customers);
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, st = RETURNED_SQLSTATE;
		RAISE EXCEPTION '%: the customers query does not work: %', what, msg
			USING ERRCODE = st,
				  DETAIL = pg_catalog.format('customers: %s', customers),
				  HINT = pg_catalog.format('Write a query over "changed" (rows of %s) whose first column is the customer id; other tables must be schema-qualified.', relation);
	END;
	PERFORM @extschema@.binding_drop_triggers(relation,
		ARRAY['customer_class_watch_ins', 'customer_class_watch_upd', 'customer_class_watch_del']);
	EXECUTE pg_catalog.format('CREATE TRIGGER customer_class_watch_ins AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows
							   FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.watch_trigger(%L)',
		relation, @extschema@.watch_query('SELECT * FROM new_rows', customers));
	EXECUTE pg_catalog.format('CREATE TRIGGER customer_class_watch_upd AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
							   FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.watch_trigger(%L)',
		relation, @extschema@.watch_query('SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows', customers));
	EXECUTE pg_catalog.format('CREATE TRIGGER customer_class_watch_del AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows
							   FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.watch_trigger(%L)',
		relation, @extschema@.watch_query('SELECT * FROM old_rows', customers));
	-- (values, as in bind_checkpoint(): Citus takes no now() or
	-- CURRENT_USER in the ON CONFLICT DO UPDATE of a reference table)
	INSERT INTO @extschema@.source_watch AS w (relation, customers, bound_at, bound_by)
	VALUES (relation::text, customers, pg_catalog.now(), CURRENT_USER)
	ON CONFLICT ON CONSTRAINT source_watch_pkey DO UPDATE
	SET customers = excluded.customers, bound_at = excluded.bound_at, bound_by = excluded.bound_by;
END
$$;

-- Stop watching a table: drops its triggers.
CREATE FUNCTION @extschema@.unwatch_source(relation regclass) RETURNS void
	LANGUAGE plpgsql VOLATILE STRICT
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM @extschema@.source_watch w WHERE w.relation = unwatch_source.relation::text;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'table % is not watched', relation
			USING ERRCODE = 'undefined_object',
				  HINT = 'SELECT relation FROM customer_class.source_watch lists the watched tables.';
	END IF;
	PERFORM @extschema@.binding_drop_triggers(relation,
		ARRAY['customer_class_watch_ins', 'customer_class_watch_upd', 'customer_class_watch_del']);
END
$$;

-- Internal functions run by the triggers: EXECUTE for the ERP's roles
-- (any role that writes a bound table), see checkpoint_enforce().
REVOKE EXECUTE ON FUNCTION @extschema@.exposure_in_company(bigint, bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_evaluate_in_company(bigint, bigint, text, numeric, numeric, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.exposure_in_company(bigint, bigint) TO customer_class_analyst;
GRANT EXECUTE ON FUNCTION @extschema@.credit_evaluate_in_company(bigint, bigint, text, numeric, numeric, date) TO customer_class_analyst;
-- binding is for admins
REVOKE EXECUTE ON FUNCTION @extschema@.bind_checkpoint(text, regclass, text, text, text, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.unbind_checkpoint(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.watch_source(regclass, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.unwatch_source(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.bind_checkpoint(text, regclass, text, text, text, text, text) TO customer_class_admin;
GRANT EXECUTE ON FUNCTION @extschema@.unbind_checkpoint(text) TO customer_class_admin;
GRANT EXECUTE ON FUNCTION @extschema@.watch_source(regclass, text) TO customer_class_admin;
GRANT EXECUTE ON FUNCTION @extschema@.unwatch_source(regclass) TO customer_class_admin;

COMMENT ON TABLE @extschema@.checkpoint_binding IS
	'credit checkpoints bound to an ERP table''s documents entering a state (bind_checkpoint); the triggers on the ERP table do the checks';
COMMENT ON COLUMN @extschema@.checkpoint_binding.checkpoint IS 'order, delivery or invoice';
COMMENT ON COLUMN @extschema@.checkpoint_binding.relation IS 'the ERP table, schema-qualified';
COMMENT ON COLUMN @extschema@.checkpoint_binding.customer IS 'SQL expression over a document row: the customer id';
COMMENT ON COLUMN @extschema@.checkpoint_binding.company IS 'SQL expression over a document row: the company id (NULL: the one company)';
COMMENT ON COLUMN @extschema@.checkpoint_binding.entered IS 'SQL condition on the new row: the document is in the checkpoint''s state';
COMMENT ON COLUMN @extschema@.checkpoint_binding.came_from IS 'SQL condition on the old row: the states the transition counts from (NULL: any other than entered)';
COMMENT ON COLUMN @extschema@.checkpoint_binding.amount IS 'SQL expression over a document row: its amount, for the messages (NULL: not bound)';
COMMENT ON COLUMN @extschema@.checkpoint_binding.bound_at IS 'when it was bound';
COMMENT ON COLUMN @extschema@.checkpoint_binding.bound_by IS 'who bound it';
COMMENT ON TABLE @extschema@.source_watch IS
	'ERP tables watched (watch_source): their writes queue their customers for refresh() and rewrite their exposure ledger rows';
COMMENT ON COLUMN @extschema@.source_watch.relation IS 'the ERP table, schema-qualified';
COMMENT ON COLUMN @extschema@.source_watch.customers IS 'SQL query over "changed" (the rows written) giving the customer ids';
COMMENT ON COLUMN @extschema@.source_watch.bound_at IS 'when it was bound';
COMMENT ON COLUMN @extschema@.source_watch.bound_by IS 'who bound it';
COMMENT ON FUNCTION @extschema@.exposure_lock_recompute(bigint[]) IS
	'internal: creates and locks (customer_id order) the ledger rows of the customers, then rewrites them from the sources';
COMMENT ON FUNCTION @extschema@.exposure_in_company(bigint, bigint) IS
	'exposure of a customer in one company computed from the sources (company NULL: all its documents)';
COMMENT ON FUNCTION @extschema@.credit_evaluate_in_company(bigint, bigint, text, numeric, numeric, date) IS
	'evaluate a credit check against the company''s limit (credit_limit source; none: the customer''s limit)';
COMMENT ON FUNCTION @extschema@.checkpoint_enforce(text, bigint[], bigint[], numeric[], text[]) IS
	'internal: the credit checks of one statement''s documents entering a bound checkpoint (error in block mode, warning and alert in warn mode)';
COMMENT ON FUNCTION @extschema@.checkpoint_verdict_detail(@extschema@.credit_verdict, bigint) IS
	'internal: the detail line of a bound checkpoint''s verdict, with the company';
COMMENT ON FUNCTION @extschema@.binding_trigger_only(text) IS
	'internal: fails unless called from a trigger (the functions the triggers of bound tables call)';
COMMENT ON FUNCTION @extschema@.checkpoint_trigger() IS
	'statement trigger on an ERP table bound by bind_checkpoint: checks the customers whose documents entered the checkpoint';
COMMENT ON FUNCTION @extschema@.checkpoint_query(regclass, text, text, text, text, text, text, text) IS
	'internal: the query of a checkpoint trigger over the transition tables (or the table itself, to validate a binding)';
COMMENT ON FUNCTION @extschema@.binding_table_check(regclass, text) IS
	'internal: a checkpoint or watch must be bound to a table the caller may read and create triggers on';
COMMENT ON FUNCTION @extschema@.binding_drop_triggers(regclass, text[]) IS
	'internal: drops the named triggers of a table that exist';
COMMENT ON FUNCTION @extschema@.bind_checkpoint(text, regclass, text, text, text, text, text) IS
	'bind a credit checkpoint (order, delivery, invoice) to an ERP table''s documents entering a state';
COMMENT ON FUNCTION @extschema@.unbind_checkpoint(text) IS
	'unbind a credit checkpoint: drops its triggers on the ERP table';
COMMENT ON FUNCTION @extschema@.watch_apply(bigint[]) IS
	'internal: queues the customers for refresh() and rewrites their exposure ledger rows (locked in customer_id order)';
COMMENT ON FUNCTION @extschema@.watch_trigger() IS
	'statement trigger on an ERP table watched by watch_source: its customers are queued and their ledger rows rewritten';
COMMENT ON FUNCTION @extschema@.watch_query(text, text) IS
	'internal: the query of a watch trigger (distinct sorted customer ids of the statement''s rows)';
COMMENT ON FUNCTION @extschema@.watch_source(regclass, text) IS
	'watch an ERP base table: its writes queue the customers (customers query over "changed") and keep their exposure ledger rows current';
COMMENT ON FUNCTION @extschema@.unwatch_source(regclass) IS
	'stop watching an ERP table: drops its triggers';
