-- 0.2.0 -> 0.3.0, part 99_citus_watch: watch_source() and bind_checkpoint() on Citus (issue 19): exposure_recomputed() names the customers in its invoice sub-select too (for one customer Citus routes it to the shards), exposure_lock_recompute() rewrites the ledger one customer per statement from it and finds the missing rows with EXCEPT, and watch_source() and bind_checkpoint() give now() and CURRENT_USER in VALUES, not in their ON CONFLICT DO UPDATE.

-- == credit/exposure.sql: exposure_recomputed ==

-- Exposure computed from the sources (all customers, or those listed).
CREATE OR REPLACE FUNCTION @extschema@.exposure_recomputed(customers bigint[] DEFAULT NULL)
	RETURNS TABLE (customer_id bigint, open_orders numeric, shipped_not_invoiced numeric,
				   invoice_balance numeric, unapplied_credits numeric, exposure numeric)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	WITH o AS (
		SELECT so.customer_id,
			   coalesce(sum(so.open_part) FILTER (WHERE so.status = 'open'), 0.00) AS open_orders,
			   coalesce(sum(so.open_part) FILTER (WHERE so.status = 'shipped'), 0.00) AS shipped_not_invoiced
		FROM (SELECT s.customer_id, s.status,
					 -- (an order's invoices are its customer's: said, so that
					 -- Citus joins them shard by shard; and the customers
					 -- listed said again, so that for one customer Citus
					 -- routes the whole query to its shards)
					 greatest(s.amount - coalesce((SELECT sum(si.amount) FROM @extschema@.src_invoice si
												   WHERE si.order_id = s.order_id AND si.customer_id = s.customer_id
													 AND (customers IS NULL OR si.customer_id = ANY (customers))), 0), 0) AS open_part
			  FROM @extschema@.src_order s
			  WHERE s.status IN ('open', 'shipped') AND (customers IS NULL OR s.customer_id = ANY (customers))) so
		GROUP BY so.customer_id
	), i AS (
		SELECT si.customer_id, sum(si.amount) AS invoiced
		FROM @extschema@.src_invoice si
		WHERE customers IS NULL OR si.customer_id = ANY (customers)
		GROUP BY si.customer_id
	), p AS (
		SELECT sp.customer_id,
			   coalesce(sum(sp.amount) FILTER (WHERE sp.invoice_id IS NOT NULL), 0.00) AS applied,
			   coalesce(sum(sp.amount) FILTER (WHERE sp.invoice_id IS NULL), 0.00) AS unapplied
		FROM @extschema@.src_payment sp
		WHERE customers IS NULL OR sp.customer_id = ANY (customers)
		GROUP BY sp.customer_id
	), c AS (
		SELECT sc.customer_id FROM @extschema@.src_customer sc
		WHERE customers IS NULL OR sc.customer_id = ANY (customers)
	), ids AS (
		SELECT c.customer_id FROM c UNION SELECT o.customer_id FROM o
		UNION SELECT i.customer_id FROM i UNION SELECT p.customer_id FROM p
	)
	SELECT ids.customer_id,
		   coalesce(o.open_orders, 0.00), coalesce(o.shipped_not_invoiced, 0.00),
		   coalesce(i.invoiced, 0.00) - coalesce(p.applied, 0.00), coalesce(p.unapplied, 0.00),
		   coalesce(o.open_orders, 0.00) + coalesce(o.shipped_not_invoiced, 0.00)
			   + coalesce(i.invoiced, 0.00) - coalesce(p.applied, 0.00) - coalesce(p.unapplied, 0.00)
	FROM ids
	LEFT JOIN o ON o.customer_id = ids.customer_id
	LEFT JOIN i ON i.customer_id = ids.customer_id
	LEFT JOIN p ON p.customer_id = ids.customer_id;
END;

-- == credit/checkpoints.sql: exposure_lock_recompute, bind_checkpoint, watch_source ==

CREATE OR REPLACE FUNCTION @extschema@.exposure_lock_recompute(customers bigint[]) RETURNS void
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

CREATE OR REPLACE FUNCTION @extschema@.bind_checkpoint(checkpoint text, relation regclass, customer text, entered text,
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

CREATE OR REPLACE FUNCTION @extschema@.watch_source(relation regclass, customers text) RETURNS void
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
