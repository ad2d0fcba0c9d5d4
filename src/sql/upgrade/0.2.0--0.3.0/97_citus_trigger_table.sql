-- Citus: triggers that branch on their table or look a rule up by it ask
-- trigger_table(), which takes off the shard id a Citus shard appends to
-- TG_TABLE_NAME (on a shard the expiry and score warnings, the explained
-- CHECK rules and the restore warning were skipped).
CREATE FUNCTION @extschema@.trigger_table(schema_name name, table_name name) RETURNS name
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
RETURN CASE WHEN table_name ~ '_[0-9]+$'
				 AND pg_catalog.to_regclass(pg_catalog.format('%I.%I', schema_name,
						 pg_catalog.regexp_replace(table_name, '_[0-9]+$', ''))) IS NOT NULL
			THEN pg_catalog.regexp_replace(table_name, '_[0-9]+$', '')::name
			ELSE table_name END;
COMMENT ON FUNCTION @extschema@.trigger_table(name, name) IS
	'internal: the name of the table a trigger fires for (TG_TABLE_SCHEMA, TG_TABLE_NAME), with the shard id a Citus shard appends taken off';

CREATE OR REPLACE FUNCTION @extschema@.explain_check_violation() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c record;
	ok boolean;
	e record;
BEGIN
	FOR c IN SELECT con.conname, pg_catalog.pg_get_expr(con.conbin, con.conrelid) AS expr,
					pg_catalog.pg_get_constraintdef(con.oid) AS def
			 FROM pg_catalog.pg_constraint con
			 WHERE con.conrelid = TG_RELID AND con.contype = 'c'
			 ORDER BY con.conname
	LOOP
		EXECUTE pg_catalog.format('SELECT %s FROM (SELECT ($1).*) AS t', c.expr) INTO ok USING NEW;
		CONTINUE WHEN ok IS NOT FALSE;
		e := @extschema@.check_rule(@extschema@.trigger_table(TG_TABLE_SCHEMA, TG_TABLE_NAME), c.conname, pg_catalog.to_jsonb(NEW));
		RAISE EXCEPTION 'new row for relation "%" violates check constraint "%"', @extschema@.trigger_table(TG_TABLE_SCHEMA, TG_TABLE_NAME), c.conname
			USING ERRCODE = 'check_violation', SCHEMA = TG_TABLE_SCHEMA, TABLE = @extschema@.trigger_table(TG_TABLE_SCHEMA, TG_TABLE_NAME),
				  CONSTRAINT = c.conname,
				  DETAIL = coalesce(e.detail, pg_catalog.format('The row breaks %s.', c.def)),
				  HINT = coalesce(e.hint, 'Correct the value to satisfy the constraint.');
	END LOOP;
	-- the WHEN clause and the constraints disagree: let the constraint decide
	RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.customer_reference_check() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date;
	ends date;
	max_age integer;
	tab name;
BEGIN
	IF current_setting('check_function_bodies') = 'off' THEN
		RETURN NEW;
	END IF;
	IF NOT EXISTS (SELECT FROM @extschema@.src_customer c WHERE c.customer_id = NEW.customer_id) THEN
		RAISE EXCEPTION 'customer % does not exist', NEW.customer_id
			USING ERRCODE = 'foreign_key_violation',
				  DETAIL = format('Every row of %s must name a customer of customer_class.src_customer.', TG_TABLE_NAME),
				  HINT = 'Correct customer_id, or create the customer first.';
	END IF;
	IF TG_OP <> 'INSERT' THEN
		RETURN NEW;
	END IF;
	d := @extschema@.as_of();
	tab := @extschema@.trigger_table(TG_TABLE_SCHEMA, TG_TABLE_NAME);
	IF tab IN ('credit_limit_override', 'credit_override', 'credit_check_exception') THEN
		ends := (to_jsonb(NEW) ->> 'expires_on')::date;
		-- (a window ending before it starts fails its CHECK constraint next)
		IF ends <= d AND NOT coalesce(ends <= (to_jsonb(NEW) ->> 'valid_from')::date, false) THEN
			RAISE WARNING '% row for customer % expires on %, not after the as-of date %: it has no effect',
				TG_TABLE_NAME, NEW.customer_id, ends, d
				USING HINT = 'Give an expires_on after customer_class.as_of() for it to apply.';
		END IF;
	ELSIF tab = 'external_score' THEN
		SELECT s.external_max_age_days INTO max_age FROM @extschema@.active_scorecard() s;
		IF NEW.scored_on <= d - max_age THEN
			RAISE WARNING 'external score for customer % of % is older than % days at the as-of date %: it has no effect',
				NEW.customer_id, NEW.scored_on, max_age, d
				USING HINT = 'The scorecard blends only scores of the last external_max_age_days days.';
		END IF;
	END IF;
	RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.credit_hold_guard() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h @extschema@.credit_hold;
	doing text;
BEGIN
	-- a restore re-inserts rows accepted before
	IF current_setting('check_function_bodies') = 'off' THEN
		RETURN NEW;
	END IF;
	-- the columns read: order_id, and on orders status
	doing := 'invoiced';
	IF @extschema@.trigger_table(TG_TABLE_SCHEMA, TG_TABLE_NAME) = 'sales_order' THEN
		IF NEW.status = 'shipped' THEN
			doing := 'shipped';
		END IF;
	END IF;
	SELECT * INTO h FROM @extschema@.credit_hold x
	WHERE x.order_id = NEW.order_id AND x.customer_id = NEW.customer_id AND x.status = 'held'
	  AND (x.checkpoint = 'order' OR (doing = 'invoiced' AND x.checkpoint = 'delivery'))
	ORDER BY x.hold_id LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'order % is on credit hold % and cannot be %', NEW.order_id, h.hold_id, doing
			USING ERRCODE = 'KC010',
				  DETAIL = pg_catalog.format('Held at %s: %s.', h.checkpoint, h.message),
				  HINT = pg_catalog.format('A credit manager releases it (release_credit_hold(%s, reason)) or rejects it (reject_credit_hold(%s, reason)).',
										   h.hold_id, h.hold_id);
	END IF;
	RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.mark_dirty() RETURNS trigger
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
