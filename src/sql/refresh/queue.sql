-- Keeping profiles current.  Writes to the sources mark their customers
-- dirty (a cheap statement-level trigger); refresh() recomputes the dirty
-- customers, or everyone when the as-of date or the policy changed, and
-- records every change of class in class_history.

-- An append-only queue, no unique key: marking never waits on a refresh
-- that is consuming the queue, and duplicates cost nothing.
CREATE TABLE @extschema@.dirty (
	customer_id		bigint NOT NULL,
	marked_at		timestamptz NOT NULL DEFAULT pg_catalog.now()
);
-- Dumped as it is: a restore loads the managed tables before their
-- triggers exist (they are the user's tables, see sources/user_data.sql), so it
-- queues nothing by itself, and the customers still waiting at the dump
-- must still be waiting after it.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dirty', '');
GRANT SELECT ON @extschema@.dirty TO customer_class_reader;
COMMENT ON TABLE @extschema@.dirty IS
	'customers whose source rows changed since the last refresh (a queue refresh() consumes)';
COMMENT ON COLUMN @extschema@.dirty.customer_id IS 'customer to recompute';
COMMENT ON COLUMN @extschema@.dirty.marked_at IS 'when the change was seen';

-- SECURITY DEFINER so that any role allowed to write invoices, payments or
-- orders marks the customer without write access to the queue itself; it
-- only copies customer ids out of the transition tables.  It reads them
-- into an array first, in a statement of their own: on Citus the trigger
-- runs on a shard, where a statement naming both a transition table and a
-- distributed table fails (docs/citus.md, "Triggers on the shards").
CREATE FUNCTION @extschema@.mark_dirty() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	ids bigint[];
BEGIN
	-- A restore never fires this on the managed tables: it loads their rows
	-- before it creates their triggers (99_user_data.sql).  A data-only
	-- restore into tables whose triggers are on does, and then the ledger and
	-- the queue are derived again beside the rows the dump brings for them:
	-- say so, with the repair.  (check_function_bodies off: the restore signal.)
	IF @extschema@.trigger_table(TG_TABLE_SCHEMA, TG_TABLE_NAME) IN ('customer', 'sales_order', 'invoice', 'payment')
	   AND pg_catalog.current_setting('check_function_bodies') = 'off' THEN
		RAISE WARNING 'rows written to %.% by a restore with the triggers on', TG_TABLE_SCHEMA, TG_TABLE_NAME
			USING DETAIL = 'The exposure ledger and the refresh queue are derived from them again, beside what the dump brings for them.',
				  HINT = 'Restore data only with session_replication_role = replica (docs/backup.md); after this restore, run SELECT customer_class.recompute_exposure().';
	END IF;
	-- each branch names only the transition tables its event has
	IF TG_OP = 'INSERT' THEN
		ids := ARRAY(SELECT DISTINCT customer_id FROM new_rows);
	ELSIF TG_OP = 'UPDATE' THEN
		ids := ARRAY(SELECT customer_id FROM new_rows UNION SELECT customer_id FROM old_rows);
	ELSE
		ids := ARRAY(SELECT DISTINCT customer_id FROM old_rows);
	END IF;
	IF pg_catalog.cardinality(ids) > 0 THEN
		INSERT INTO @extschema@.dirty (customer_id) SELECT pg_catalog.unnest(ids);
	END IF;
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.mark_dirty() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.mark_dirty() IS
	'statement trigger: queues the customers of the changed rows for the next refresh()';

-- A TRUNCATE has no transition table to name its customers: it makes the
-- next refresh() a full one instead, by bumping the policy version.
-- SECURITY DEFINER: whoever may truncate a source need not use the sequence.
CREATE FUNCTION @extschema@.mark_all_dirty() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM pg_catalog.nextval('@extschema@.policy_version');
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.mark_all_dirty() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.mark_all_dirty() IS
	'statement trigger on TRUNCATE of a source: the next refresh() recomputes every customer';

-- The triggers that call them: sources/triggers.sql (the managed tables),
-- classes/triggers.sql (external_score, credit_override) and
-- credit/triggers.sql (external_event).
