-- Credit control, part 2: the exposure ledger.
--
-- exposure = open_orders + shipped_not_invoiced + invoice_balance - unapplied_credits
--
--   open_orders           the part not yet invoiced of orders with status
--                         'open': amount minus the invoices that name the
--                         order (order_id), never below zero
--   shipped_not_invoiced  the same for orders with status 'shipped'
--                         (delivered, not invoiced)
--   invoice_balance       invoice amounts minus payments and credit notes
--                         applied to them (an overpayment lowers it further)
--   unapplied_credits     payments and credit notes with no invoice
--
-- So an invoice for an order replaces the part of the order it bills at
-- once, whether or not (and whenever) the ERP sets the order to 'invoiced';
-- partial invoices work.  Orders with status 'invoiced' or 'cancelled' count
-- nothing.  One row per customer, kept by the row triggers of
-- credit/check.sql with deltas; exposure_recomputed() computes the same
-- figures from the canonical src_* views, recompute_exposure() rewrites the
-- ledger from it and verify_exposure() lists the differences.
--
-- Source columns the triggers rely on (the src_* names; a source bound to an
-- ERP table must offer them under these names):
--   orders    customer_id, amount, status ('open', 'shipped', 'invoiced',
--             'cancelled'), order_id
--   invoices  customer_id, amount, due_on, order_id (NULL: no order)
--   payments  customer_id, amount, invoice_id (NULL: unapplied), payment_id
--             (messages only)
--   customers customer_id
-- They are read in one place each: the first lines of the trigger functions
-- credit_order_trigger, credit_invoice_trigger, credit_payment_trigger and
-- credit_customer_trigger.  An invoice is expected to be written after the
-- order it names (the managed tables' foreign key makes sure of it).

CREATE TABLE @extschema@.credit_exposure (
	customer_id				bigint PRIMARY KEY,
	open_orders				numeric(18,2) NOT NULL DEFAULT 0,
	shipped_not_invoiced	numeric(18,2) NOT NULL DEFAULT 0,
	invoice_balance			numeric(18,2) NOT NULL DEFAULT 0,
	unapplied_credits		numeric(18,2) NOT NULL DEFAULT 0,
	exposure				numeric(18,2) NOT NULL
		GENERATED ALWAYS AS (open_orders + shipped_not_invoiced + invoice_balance - unapplied_credits) STORED,
	-- the customer's credit group (credit/groups.sql): its ancestors, root
	-- first; '{}' for a root (a parent of others with no parent); NULL
	-- outside any group.  Kept by credit_group_sync(); the writers lock these
	-- rows before the customer's own (exposure_add()).
	group_path				bigint[]
);
-- the ledger rows of a group, found from any of its ancestors
CREATE INDEX credit_exposure_group_idx ON @extschema@.credit_exposure USING gin (group_path)
	WHERE group_path IS NOT NULL;
-- Dumped as it is: a restore loads the managed tables before their
-- triggers exist (they are the user's tables, see sources/user_data.sql), so the
-- triggers rebuild nothing and the dumped ledger is the only one.  (A
-- data-only restore must disable the triggers for the same reason; see
-- docs/backup.md.)
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_exposure', '');
-- nobody writes it but the triggers and recompute_exposure()
GRANT SELECT ON @extschema@.credit_exposure TO customer_class_reader;

-- Add deltas to a customer's ledger row (created when missing), locking it
-- until the end of the transaction; returns the row after the change.
-- Under READ COMMITTED a concurrent holder makes this wait, then it adds to
-- the committed figures; under REPEATABLE READ or SERIALIZABLE the wait ends
-- in a serialization failure (40001) when the other transaction committed.
-- A member of a credit group locks its group's rows first, root first
-- (credit_group_lock()), then its own: every writer of a group takes them
-- in that order, so two never deadlock, and the group checks of its
-- members are serialised on the root's row.  A customer outside any group
-- is found by the first UPDATE (group_path IS NULL) and pays nothing more;
-- when its row turns out to be in a group (the condition is evaluated again
-- on the row a concurrent writer committed) the UPDATE leaves it and the
-- group's order is taken.
CREATE FUNCTION @extschema@.exposure_add(customer_id bigint, open_orders numeric, shipped_not_invoiced numeric,
										 invoice_balance numeric, unapplied_credits numeric)
	RETURNS @extschema@.credit_exposure
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	e @extschema@.credit_exposure;
	path bigint[];
BEGIN
	UPDATE @extschema@.credit_exposure x
	SET open_orders = x.open_orders + exposure_add.open_orders,
		shipped_not_invoiced = x.shipped_not_invoiced + exposure_add.shipped_not_invoiced,
		invoice_balance = x.invoice_balance + exposure_add.invoice_balance,
		unapplied_credits = x.unapplied_credits + exposure_add.unapplied_credits
	WHERE x.customer_id = exposure_add.customer_id AND x.group_path IS NULL
	RETURNING x.* INTO e;
	IF FOUND THEN
		RETURN e;
	END IF;
	-- a member of a group, or no row yet
	SELECT x.group_path INTO path FROM @extschema@.credit_exposure x WHERE x.customer_id = exposure_add.customer_id;
	PERFORM @extschema@.credit_group_lock(path);
	UPDATE @extschema@.credit_exposure x
	SET open_orders = x.open_orders + exposure_add.open_orders,
		shipped_not_invoiced = x.shipped_not_invoiced + exposure_add.shipped_not_invoiced,
		invoice_balance = x.invoice_balance + exposure_add.invoice_balance,
		unapplied_credits = x.unapplied_credits + exposure_add.unapplied_credits
	WHERE x.customer_id = exposure_add.customer_id
	RETURNING x.* INTO e;
	IF NOT FOUND THEN
		INSERT INTO @extschema@.credit_exposure AS x
			(customer_id, open_orders, shipped_not_invoiced, invoice_balance, unapplied_credits)
		VALUES (exposure_add.customer_id, exposure_add.open_orders, exposure_add.shipped_not_invoiced,
				exposure_add.invoice_balance, exposure_add.unapplied_credits)
		ON CONFLICT ON CONSTRAINT credit_exposure_pkey DO UPDATE
		SET open_orders = x.open_orders + excluded.open_orders,
			shipped_not_invoiced = x.shipped_not_invoiced + excluded.shipped_not_invoiced,
			invoice_balance = x.invoice_balance + excluded.invoice_balance,
			unapplied_credits = x.unapplied_credits + excluded.unapplied_credits
		RETURNING x.* INTO e;
	END IF;
	-- the group changed while this waited for the row (a parent set in a
	-- transaction that committed meanwhile): its new ancestors are locked
	-- now, out of the usual order (a deadlock is possible, and reported)
	IF e.group_path IS DISTINCT FROM path THEN
		PERFORM @extschema@.credit_group_lock(e.group_path);
	END IF;
	RETURN e;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.exposure_add(bigint, numeric, numeric, numeric, numeric) FROM PUBLIC;

-- Exposure computed from the sources (all customers, or those listed).
CREATE FUNCTION @extschema@.exposure_recomputed(customers bigint[] DEFAULT NULL)
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

-- Customers whose maintained exposure differs from the recomputed one
-- (a missing ledger row counts as zeros).  One query, so one snapshot: a
-- transaction writes a source row and its ledger delta together, so the
-- snapshot sees both or neither and no lock is needed -- order entry never
-- waits for it, and it gives the same answer under any isolation level.
-- SECURITY DEFINER so that row-level security on a source cannot hide rows
-- from the comparison.
CREATE FUNCTION @extschema@.verify_exposure()
	RETURNS TABLE (customer_id bigint, maintained numeric, recomputed numeric,
				   maintained_row @extschema@.credit_exposure, recomputed_parts numeric[])
	LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT coalesce(x.customer_id, r.customer_id), coalesce(x.exposure, 0)::numeric, coalesce(r.exposure, 0), x,
		   ARRAY[r.open_orders, r.shipped_not_invoiced, r.invoice_balance, r.unapplied_credits]
	FROM @extschema@.credit_exposure x
	FULL JOIN @extschema@.exposure_recomputed() r ON r.customer_id = x.customer_id
	WHERE (coalesce(x.open_orders, 0) <> coalesce(r.open_orders, 0)
		   OR coalesce(x.shipped_not_invoiced, 0) <> coalesce(r.shipped_not_invoiced, 0)
		   OR coalesce(x.invoice_balance, 0) <> coalesce(r.invoice_balance, 0)
		   OR coalesce(x.unapplied_credits, 0) <> coalesce(r.unapplied_credits, 0))
	  -- only the customers the caller may see (docs/access.md); checked
	  -- last, so only for the differences
	  AND @extschema@.access_allows(coalesce(x.customer_id, r.customer_id), @extschema@.access_caller())
	ORDER BY 1;
END;

-- Rewrite the ledger from the sources (after a load with triggers disabled,
-- or when verify_exposure() found a difference).  Locks
-- the ledger EXCLUSIVE: writers wait, and those that wrote before the lock
-- are in the recomputation.  Returns the number of rows changed.
CREATE FUNCTION @extschema@.recompute_exposure() RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n bigint;
	m bigint;
BEGIN
	IF current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'recompute_exposure() must run under READ COMMITTED'
			USING ERRCODE = 'active_sql_transaction',
				  DETAIL = 'It locks the ledger first and then needs a snapshot taken after the lock.';
	END IF;
	LOCK TABLE @extschema@.credit_exposure IN EXCLUSIVE MODE;
	INSERT INTO @extschema@.credit_exposure AS x
		(customer_id, open_orders, shipped_not_invoiced, invoice_balance, unapplied_credits)
	SELECT r.customer_id, r.open_orders, r.shipped_not_invoiced, r.invoice_balance, r.unapplied_credits
	FROM @extschema@.exposure_recomputed() r
	ON CONFLICT ON CONSTRAINT credit_exposure_pkey DO UPDATE
	SET open_orders = excluded.open_orders, shipped_not_invoiced = excluded.shipped_not_invoiced,
		invoice_balance = excluded.invoice_balance, unapplied_credits = excluded.unapplied_credits
	WHERE (x.open_orders, x.shipped_not_invoiced, x.invoice_balance, x.unapplied_credits)
		IS DISTINCT FROM (excluded.open_orders, excluded.shipped_not_invoiced,
						  excluded.invoice_balance, excluded.unapplied_credits);
	GET DIAGNOSTICS n = ROW_COUNT;
	-- customers gone from every source (those exposure_recomputed() has no
	-- row for), by anti-joins: one call of it per ledger row would take
	-- hours at a million customers
	DELETE FROM @extschema@.credit_exposure x
	WHERE NOT EXISTS (SELECT FROM @extschema@.src_customer c WHERE c.customer_id = x.customer_id)
	  AND NOT EXISTS (SELECT FROM @extschema@.src_order o
					  WHERE o.customer_id = x.customer_id AND o.status IN ('open', 'shipped'))
	  AND NOT EXISTS (SELECT FROM @extschema@.src_invoice i WHERE i.customer_id = x.customer_id)
	  AND NOT EXISTS (SELECT FROM @extschema@.src_payment p WHERE p.customer_id = x.customer_id);
	GET DIAGNOSTICS m = ROW_COUNT;
	-- and the credit groups (customers written with triggers disabled); on
	-- Citus only when there are groups: their paths are found across shards,
	-- which Citus cannot do (docs/citus.md, credit groups)
	IF @extschema@.distributed() THEN
		PERFORM FROM @extschema@.src_customer c WHERE c.parent_id IS NOT NULL LIMIT 1;
	END IF;
	IF NOT @extschema@.distributed() OR FOUND THEN
		PERFORM @extschema@.credit_group_sync(NULL);
	END IF;
	RETURN n + m;
END
$$;

-- TRUNCATE fires no row trigger: rebuild the ledger instead.  That needs a
-- snapshot taken after the ledger is locked, which a REPEATABLE READ or
-- SERIALIZABLE transaction does not have (rows other transactions committed
-- since its snapshot would be missed): there the TRUNCATE fails, saying so.
CREATE FUNCTION @extschema@.credit_truncate_trigger() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'TRUNCATE of %.% must run under READ COMMITTED', TG_TABLE_SCHEMA, TG_TABLE_NAME
			USING ERRCODE = 'active_sql_transaction',
				  DETAIL = format('The credit exposure ledger is recomputed from the sources after a TRUNCATE, which needs a snapshot taken after the ledger is locked; this transaction is %s.',
								  upper(current_setting('transaction_isolation'))),
				  HINT = 'Run the TRUNCATE in a READ COMMITTED transaction, or DELETE the rows instead (the row triggers keep the ledger).';
	END IF;
	PERFORM @extschema@.recompute_exposure();
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_truncate_trigger() FROM PUBLIC;

REVOKE EXECUTE ON FUNCTION @extschema@.recompute_exposure() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.verify_exposure() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.recompute_exposure() TO customer_class_admin;
GRANT EXECUTE ON FUNCTION @extschema@.verify_exposure() TO customer_class_analyst;

COMMENT ON TABLE @extschema@.credit_exposure IS
	'exposure ledger: one row per customer, kept by triggers with deltas; the credit checks lock it';
COMMENT ON COLUMN @extschema@.credit_exposure.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.credit_exposure.open_orders IS 'orders with status open: amount minus the invoices naming the order, at least 0';
COMMENT ON COLUMN @extschema@.credit_exposure.shipped_not_invoiced IS 'orders with status shipped (delivered): amount minus the invoices naming the order, at least 0';
COMMENT ON COLUMN @extschema@.credit_exposure.invoice_balance IS 'invoices minus payments and credit notes applied to them';
COMMENT ON COLUMN @extschema@.credit_exposure.unapplied_credits IS 'payments and credit notes not applied to an invoice';
COMMENT ON COLUMN @extschema@.credit_exposure.exposure IS 'open_orders + shipped_not_invoiced + invoice_balance - unapplied_credits';
COMMENT ON COLUMN @extschema@.credit_exposure.group_path IS
	'the customer''s credit group: its ancestors, root first; {} for the root of a group; NULL outside any group (kept by credit_group_sync)';
COMMENT ON FUNCTION @extschema@.exposure_add(bigint, numeric, numeric, numeric, numeric) IS
	'internal: add deltas to a customer''s exposure row, locking it; returns the row after';
COMMENT ON FUNCTION @extschema@.exposure_recomputed(bigint[]) IS
	'exposure and its parts computed from the src_* views, for all customers or those listed';
COMMENT ON FUNCTION @extschema@.verify_exposure() IS
	'customers whose maintained exposure differs from the recomputed one (no rows: all agree)';
COMMENT ON FUNCTION @extschema@.recompute_exposure() IS
	'rewrite the exposure ledger from the sources; returns the number of rows changed';
COMMENT ON FUNCTION @extschema@.credit_truncate_trigger() IS
	'trigger: a source was truncated, so the exposure ledger is recomputed';
