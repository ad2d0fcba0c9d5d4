-- 75_credit_groups: credit groups (customer.parent_id, the group limits at every check, ledger rows locked root first) and credit limit requests (issue 18 part B; docs/credit.md "Credit groups", "Credit limit requests").

-- == sources: customer.parent_id, the canonical column and the views ==
ALTER TABLE @extschema@.customer ADD COLUMN parent_id bigint REFERENCES @extschema@.customer;
CREATE INDEX customer_parent_idx ON @extschema@.customer (parent_id) WHERE parent_id IS NOT NULL;
COMMENT ON COLUMN @extschema@.customer.parent_id IS
	'the customer''s group parent (集团); the parent''s credit limit caps the exposure of the parent and all its descendants together; NULL: no parent';

CREATE OR REPLACE FUNCTION @extschema@.source_shape()
	RETURNS TABLE (role text, ordinal integer, column_name text, data_type regtype,
				   required boolean, default_value text)
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	VALUES
		('customer', 1, 'customer_id', 'pg_catalog.int8'::pg_catalog.regtype, true, NULL),
		('customer', 2, 'name', 'pg_catalog.text', true, NULL),
		('customer', 3, 'customer_type', 'pg_catalog.text', false, '''enterprise'''),
		('customer', 4, 'industry', 'pg_catalog.text', false, NULL),
		('customer', 5, 'region', 'pg_catalog.text', false, NULL),
		('customer', 6, 'size_class', 'pg_catalog.text', false, NULL),
		('customer', 7, 'credit_limit', 'pg_catalog.numeric', false, NULL),
		('customer', 8, 'payment_terms_days', 'pg_catalog.int4', false, '30'),
		('customer', 9, 'created_on', 'pg_catalog.date', false, NULL),
		('customer', 10, 'tags', '@extschema@.tagset', false, '''{}'''),
		('customer', 11, 'payment_terms_basis', 'pg_catalog.text', false, '''invoice'''),
		('customer', 12, 'parent_id', 'pg_catalog.int8', false, NULL),
		('order', 1, 'order_id', 'pg_catalog.int8', true, NULL),
		('order', 2, 'customer_id', 'pg_catalog.int8', true, NULL),
		('order', 3, 'ordered_on', 'pg_catalog.date', true, NULL),
		('order', 4, 'amount', 'pg_catalog.numeric', true, NULL),
		('order', 5, 'status', 'pg_catalog.text', false, '''open'''),
		('order', 6, 'shipped_on', 'pg_catalog.date', false, NULL),
		('order', 7, 'company_id', 'pg_catalog.int8', false, NULL),
		('order', 8, 'cost', 'pg_catalog.numeric', false, NULL),
		('order', 9, 'planned_ship_on', 'pg_catalog.date', false, NULL),
		('invoice', 1, 'invoice_id', 'pg_catalog.int8', true, NULL),
		('invoice', 2, 'customer_id', 'pg_catalog.int8', true, NULL),
		('invoice', 3, 'order_id', 'pg_catalog.int8', false, NULL),
		('invoice', 4, 'issued_on', 'pg_catalog.date', true, NULL),
		('invoice', 5, 'due_on', 'pg_catalog.date', true, NULL),
		('invoice', 6, 'amount', 'pg_catalog.numeric', true, NULL),
		('invoice', 7, 'company_id', 'pg_catalog.int8', false, NULL),
		('invoice', 8, 'cost', 'pg_catalog.numeric', false, NULL),
		('payment', 1, 'payment_id', 'pg_catalog.int8', true, NULL),
		('payment', 2, 'customer_id', 'pg_catalog.int8', true, NULL),
		('payment', 3, 'invoice_id', 'pg_catalog.int8', false, NULL),
		('payment', 4, 'paid_on', 'pg_catalog.date', true, NULL),
		('payment', 5, 'amount', 'pg_catalog.numeric', true, NULL),
		('payment', 6, 'kind', 'pg_catalog.text', false, '''payment'''),
		('payment', 7, 'company_id', 'pg_catalog.int8', false, NULL),
		('credit_limit', 1, 'customer_id', 'pg_catalog.int8', true, NULL),
		('credit_limit', 2, 'company_id', 'pg_catalog.int8', false, NULL),
		('credit_limit', 3, 'credit_limit', 'pg_catalog.numeric', true, NULL)
$$;

-- source_customer (the user's view, not a member since 10_binding) gains
-- the column: taken into the extension for the time of CREATE OR REPLACE
-- VIEW (an extension may not replace what it does not own), then handed
-- back; a bound customer source is rebuilt with its own mapping.
ALTER EXTENSION customer_class ADD VIEW @extschema@.source_customer;
DO $source$
DECLARE
	b record;
BEGIN
	SELECT * INTO b FROM @extschema@.source_binding sb WHERE sb.role = 'customer';
	IF FOUND THEN
		EXECUTE @extschema@.source_view_sql('customer', b.relation::regclass, b.columns, b.filter);
	ELSE
		PERFORM @extschema@.source_view_default('customer');
	END IF;
END
$source$;
ALTER EXTENSION customer_class DROP VIEW @extschema@.source_customer;

-- src_customer_rows() gains parent_id, a new result column: dropped and
-- created again, src_customer reading the source view directly meanwhile
CREATE OR REPLACE VIEW @extschema@.src_customer WITH (security_invoker = true) AS
	SELECT customer_id, name, customer_type, industry, region, size_class,
		   credit_limit::numeric(18,2) AS credit_limit, payment_terms_days, created_on, tags, payment_terms_basis
	FROM @extschema@.source_customer;
DROP FUNCTION @extschema@.src_customer_rows();
CREATE FUNCTION @extschema@.src_customer_rows()
	RETURNS TABLE (customer_id bigint, name text, customer_type text, industry text, region text,
				   size_class text, credit_limit numeric, payment_terms_days integer, created_on date,
				   tags @extschema@.tagset, payment_terms_basis text, parent_id bigint)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT customer_id, name, customer_type, industry, region, size_class,
		   credit_limit, payment_terms_days, created_on, tags, payment_terms_basis, parent_id
	FROM @extschema@.source_customer
$$;

CREATE OR REPLACE VIEW @extschema@.src_customer WITH (security_invoker = true) AS
	SELECT customer_id, name, customer_type, industry, region, size_class,
		   credit_limit::numeric(18,2) AS credit_limit, payment_terms_days, created_on, tags, payment_terms_basis,
		   parent_id
	FROM @extschema@.src_customer_rows();
COMMENT ON FUNCTION @extschema@.src_customer_rows() IS
	'internal: the rows of source_customer (the managed table customer or the bound relation), for src_customer (late-bound: the view does not pin it)';
COMMENT ON COLUMN @extschema@.src_customer.parent_id IS 'group parent (集团): its credit limit caps the group''s exposure; NULL: none';
COMMENT ON COLUMN @extschema@.source_customer.parent_id IS 'group parent (集团): its credit limit caps the group''s exposure; NULL: none';

-- == the ledger: group paths; exposure_add() locks a group root first ==
ALTER TABLE @extschema@.credit_exposure ADD COLUMN group_path bigint[];
CREATE INDEX credit_exposure_group_idx ON @extschema@.credit_exposure USING gin (group_path)
	WHERE group_path IS NOT NULL;
COMMENT ON COLUMN @extschema@.credit_exposure.group_path IS
	'the customer''s credit group: its ancestors, root first; {} for the root of a group; NULL outside any group (kept by credit_group_sync)';

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
CREATE OR REPLACE FUNCTION @extschema@.exposure_add(customer_id bigint, open_orders numeric, shipped_not_invoiced numeric,
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

-- Rewrite the ledger from the sources (after a load with triggers disabled,
-- or when verify_exposure() found a difference).  Locks
-- the ledger EXCLUSIVE: writers wait, and those that wrote before the lock
-- are in the recomputation.  Returns the number of rows changed.
CREATE OR REPLACE FUNCTION @extschema@.recompute_exposure() RETURNS bigint
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
	-- and the credit groups (customers written with triggers disabled)
	PERFORM @extschema@.credit_group_sync(NULL);
	RETURN n + m;
END
$$;

-- == the checks: the group's figures in the verdict, the group limit rule ==
ALTER TYPE @extschema@.credit_verdict ADD ATTRIBUTE group_id bigint;
ALTER TYPE @extschema@.credit_verdict ADD ATTRIBUTE group_exposure numeric;
ALTER TYPE @extschema@.credit_verdict ADD ATTRIBUTE group_limit numeric;
ALTER TYPE @extschema@.credit_verdict ADD ATTRIBUTE group_limit_source text;

-- credit/groups.sql
-- The ancestors of customers in src_customer, root first ('{}' for a root:
-- a customer that is the parent of another and has none; NULL: no group),
-- for the customers listed (NULL: all).  A parent that is not a customer is
-- no ancestor; a cycle (possible only in a bound source: the managed table
-- refuses one) ends the walk at the customer met twice.
CREATE FUNCTION @extschema@.credit_group_paths(customers bigint[] DEFAULT NULL)
	RETURNS TABLE (customer_id bigint, group_path bigint[])
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	WITH RECURSIVE up (customer_id, ancestor, depth, seen) AS (
		SELECT c.customer_id, p.customer_id, 1, ARRAY[c.customer_id, p.customer_id]
		FROM @extschema@.src_customer c
		JOIN @extschema@.src_customer p ON p.customer_id = c.parent_id
		WHERE c.parent_id <> c.customer_id
		  AND (credit_group_paths.customers IS NULL OR c.customer_id = ANY (credit_group_paths.customers))
		UNION ALL
		SELECT u.customer_id, p.customer_id, u.depth + 1, u.seen || p.customer_id
		FROM up u
		JOIN @extschema@.src_customer a ON a.customer_id = u.ancestor
		JOIN @extschema@.src_customer p ON p.customer_id = a.parent_id
		WHERE p.customer_id <> ALL (u.seen)
	)
	SELECT c.customer_id,
		   CASE WHEN g.path IS NOT NULL THEN g.path
				WHEN EXISTS (SELECT FROM @extschema@.src_customer k
							 WHERE k.parent_id = c.customer_id AND k.customer_id <> c.customer_id)
				THEN '{}'::bigint[] END
	FROM @extschema@.src_customer c
	LEFT JOIN (SELECT up.customer_id, pg_catalog.array_agg(up.ancestor ORDER BY up.depth DESC) AS path
			   FROM up GROUP BY up.customer_id) g ON g.customer_id = c.customer_id
	WHERE credit_group_paths.customers IS NULL OR c.customer_id = ANY (credit_group_paths.customers);
END;

-- Rewrite the group_path of the ledger rows concerned by a change of
-- parents: the customers listed (give the old parents too), their
-- descendants and their ancestors; NULL: every ledger row.  Each of their
-- rows gets a new version, changed or not, so that a check in progress of
-- one of these customers waits for the change (READ COMMITTED) or fails
-- with 40001 (REPEATABLE READ), as for a changed limit
-- (credit_touch_exposure).  Returns the number of rows written.
CREATE FUNCTION @extschema@.credit_group_sync(customers bigint[]) RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	ids bigint[];
	n bigint;
BEGIN
	IF customers IS NULL THEN
		UPDATE @extschema@.credit_exposure x SET group_path = p.group_path
		FROM (SELECT e.customer_id, g.group_path
			  FROM @extschema@.credit_exposure e
			  LEFT JOIN @extschema@.credit_group_paths(NULL) g ON g.customer_id = e.customer_id) p
		WHERE x.customer_id = p.customer_id AND x.group_path IS DISTINCT FROM p.group_path;
		GET DIAGNOSTICS n = ROW_COUNT;
		RETURN n;
	END IF;
	WITH RECURSIVE down (customer_id) AS (
		SELECT u FROM unnest(customers) u WHERE u IS NOT NULL
		UNION
		SELECT c.customer_id FROM @extschema@.src_customer c JOIN down d ON c.parent_id = d.customer_id
	)
	SELECT array_agg(DISTINCT i ORDER BY i) INTO ids
	FROM (SELECT d.customer_id FROM down d
		  UNION ALL
		  SELECT a FROM @extschema@.credit_group_paths(customers) g, unnest(g.group_path) a) s(i);
	IF ids IS NULL THEN
		RETURN 0;
	END IF;
	INSERT INTO @extschema@.credit_exposure AS x (customer_id)
	SELECT u FROM unnest(ids) u
	WHERE EXISTS (SELECT FROM @extschema@.src_customer c WHERE c.customer_id = u)
	  AND NOT EXISTS (SELECT FROM @extschema@.credit_exposure e WHERE e.customer_id = u)
	ON CONFLICT ON CONSTRAINT credit_exposure_pkey DO NOTHING;
	UPDATE @extschema@.credit_exposure x SET group_path = g.group_path
	FROM unnest(ids) u(customer_id)
	LEFT JOIN @extschema@.credit_group_paths(ids) g ON g.customer_id = u.customer_id
	WHERE x.customer_id = u.customer_id;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_group_sync(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.credit_group_sync(bigint[]) TO customer_class_admin;

-- Lock the ledger rows of a group path, in its order (root first), each by
-- an UPDATE that changes nothing but writes a new version (see above); a
-- missing row is created.
CREATE FUNCTION @extschema@.credit_group_lock(path bigint[]) RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	a bigint;
BEGIN
	IF path IS NULL THEN
		RETURN;
	END IF;
	FOREACH a IN ARRAY path LOOP
		UPDATE @extschema@.credit_exposure x SET open_orders = x.open_orders WHERE x.customer_id = a;
		IF NOT FOUND THEN
			INSERT INTO @extschema@.credit_exposure AS x (customer_id) VALUES (a)
			ON CONFLICT ON CONSTRAINT credit_exposure_pkey DO UPDATE SET open_orders = x.open_orders;
		END IF;
	END LOOP;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_group_lock(bigint[]) FROM PUBLIC;

-- The group limits over a customer: for each of its ancestors (root first,
-- level 1) and the customer itself when it has descendants, the exposure of
-- that customer's whole subtree from the ledger and its credit limit in force
-- (credit_limit_rows(): override, own limit or its grade's policy; NULL: no
-- limit).  member_exposure replaces the customer's own ledger exposure (the
-- exposure after an amount asked; NULL: the ledger's).  No rows outside a
-- group.
CREATE FUNCTION @extschema@.credit_group_limits(customer_id bigint, member_exposure numeric DEFAULT NULL,
												as_of date DEFAULT NULL)
	RETURNS TABLE (group_id bigint, level integer, group_exposure numeric, credit_limit numeric, limit_source text)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT g.ancestor, g.level::integer,
		   (SELECT coalesce(sum(CASE WHEN x.customer_id = m.customer_id
									 THEN coalesce(credit_group_limits.member_exposure, x.exposure)
									 ELSE x.exposure END), 0)
			FROM @extschema@.credit_exposure x
			WHERE x.customer_id = g.ancestor OR x.group_path @> ARRAY[g.ancestor]),
		   l.credit_limit, l.limit_source
	FROM @extschema@.credit_exposure m
	CROSS JOIN LATERAL unnest(m.group_path || m.customer_id) WITH ORDINALITY g(ancestor, level)
	CROSS JOIN LATERAL @extschema@.credit_limit_rows(g.ancestor, coalesce(credit_group_limits.as_of, @extschema@.as_of())) l
	WHERE m.customer_id = credit_group_limits.customer_id AND m.group_path IS NOT NULL
	  -- the customer itself only when it heads a subtree
	  AND (g.ancestor <> m.customer_id
		   OR EXISTS (SELECT FROM @extschema@.credit_exposure k WHERE k.group_path @> ARRAY[m.customer_id]))
	ORDER BY g.level;
END;

-- The group figures of a check: the group limit that binds (the first, root
-- first, whose subtree exposure is above its limit; else the one with the
-- least credit left), into v.group_id, group_exposure, group_limit and
-- group_limit_source; NULLs outside a group or when no ancestor has a limit.
-- member_exposure: see credit_group_limits().
CREATE FUNCTION @extschema@.credit_group_fill(v @extschema@.credit_verdict, member_exposure numeric, as_of date)
	RETURNS @extschema@.credit_verdict
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	g record;
BEGIN
	v.group_id := NULL;
	v.group_exposure := NULL;
	v.group_limit := NULL;
	v.group_limit_source := NULL;
	SELECT l.group_id, l.group_exposure, l.credit_limit, l.limit_source INTO g
	FROM @extschema@.credit_group_limits(v.customer_id, member_exposure, as_of) l
	WHERE l.credit_limit IS NOT NULL
	ORDER BY l.group_exposure > l.credit_limit DESC,
			 CASE WHEN l.group_exposure > l.credit_limit THEN l.level END,
			 l.credit_limit - l.group_exposure, l.level
	LIMIT 1;
	IF FOUND THEN
		v.group_id := g.group_id;
		v.group_exposure := g.group_exposure;
		v.group_limit := g.credit_limit;
		v.group_limit_source := g.limit_source;
	END IF;
	RETURN v;
END
$$;

-- == The managed customer table ==

-- A parent must not be the customer itself or one of its descendants.  The
-- walk up from the new parent locks each ancestor's row (FOR SHARE), so two
-- concurrent changes that would together close a cycle are serialised
-- (READ COMMITTED: the later one sees the earlier's parent; REPEATABLE READ:
-- it fails with 40001) -- or, when each holds what the other walks,
-- deadlock, one of them being cancelled.
CREATE FUNCTION @extschema@.customer_parent_check() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	a bigint := NEW.parent_id;
	chain bigint[] := ARRAY[NEW.customer_id];
BEGIN
	IF TG_OP = 'INSERT' OR OLD.parent_id IS DISTINCT FROM NEW.parent_id THEN
		PERFORM @extschema@.credit_group_change_refused(NEW.customer_id, NEW.parent_id);
	END IF;
	WHILE a IS NOT NULL LOOP
		IF a = ANY (chain) THEN
			RAISE EXCEPTION 'customer % cannot have parent %: that would make a cycle in its credit group',
				NEW.customer_id, NEW.parent_id
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = CASE WHEN NEW.parent_id = NEW.customer_id THEN 'A customer cannot be its own parent.'
									ELSE pg_catalog.format('Customer %s is an ancestor of customer %s already: %s.',
										NEW.customer_id, NEW.parent_id,
										pg_catalog.array_to_string(chain || a, ' -> ')) END,
					  HINT = 'A credit group is a tree: give the customer a parent outside its own group.';
		END IF;
		chain := chain || a;
		SELECT c.parent_id INTO a FROM @extschema@.customer c WHERE c.customer_id = a FOR SHARE;
	END LOOP;
	RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.customer_parent_check() FROM PUBLIC;

-- A customer inserted with a parent, a parent changed, or a member deleted:
-- the ledger's group paths of everyone concerned are rewritten.
CREATE FUNCTION @extschema@.credit_group_trigger() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- the columns read: customer_id, parent_id
	-- (a new parent was refused on Citus by customer_parent_check(), which
	-- fires first; here the changes it does not see: leaving a group)
	IF TG_OP = 'DELETE' THEN
		PERFORM @extschema@.credit_group_change_refused(OLD.customer_id, NULL);
	ELSIF NEW.parent_id IS NULL THEN
		PERFORM @extschema@.credit_group_change_refused(NEW.customer_id, NULL);
	END IF;
	IF TG_OP = 'INSERT' THEN
		PERFORM @extschema@.credit_group_sync(ARRAY[NEW.customer_id, NEW.parent_id]);
	ELSIF TG_OP = 'UPDATE' THEN
		PERFORM @extschema@.credit_group_sync(ARRAY[NEW.customer_id, NEW.parent_id, OLD.parent_id]);
	ELSE
		PERFORM @extschema@.credit_group_sync(ARRAY[OLD.customer_id, OLD.parent_id]);
	END IF;
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_group_trigger() FROM PUBLIC;

-- The groups as a table: every customer in a group, with its parent, its
-- root, its level (1: the root) and, for each customer, the exposure of its
-- subtree with the limit that caps it.
CREATE VIEW @extschema@.credit_group WITH (security_invoker = true) AS
	SELECT x.customer_id,
		   c.parent_id,
		   coalesce(x.group_path[1], x.customer_id) AS group_id,
		   pg_catalog.cardinality(x.group_path) + 1 AS level,
		   x.exposure AS own_exposure,
		   (SELECT sum(s.exposure) FROM @extschema@.credit_exposure s
			WHERE s.customer_id = x.customer_id OR s.group_path @> ARRAY[x.customer_id]) AS subtree_exposure,
		   @extschema@.credit_limit(x.customer_id, (SELECT @extschema@.as_of())) AS credit_limit
	FROM @extschema@.credit_exposure x
	LEFT JOIN @extschema@.src_customer c ON c.customer_id = x.customer_id
	WHERE x.group_path IS NOT NULL;
GRANT SELECT ON @extschema@.credit_group TO customer_class_reader;

COMMENT ON VIEW @extschema@.credit_group IS
	'credit groups: every customer in a group with its parent, root and level, its own exposure and that of its subtree (itself and all its descendants), which its credit limit caps';
COMMENT ON COLUMN @extschema@.credit_group.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.credit_group.parent_id IS 'its parent (NULL: the root)';
COMMENT ON COLUMN @extschema@.credit_group.group_id IS 'the root of its group';
COMMENT ON COLUMN @extschema@.credit_group.level IS 'depth in the group: 1 for the root';
COMMENT ON COLUMN @extschema@.credit_group.own_exposure IS 'its own exposure';
COMMENT ON COLUMN @extschema@.credit_group.subtree_exposure IS 'the exposure of the customer and all its descendants together';
COMMENT ON COLUMN @extschema@.credit_group.credit_limit IS 'its credit limit in force, which caps subtree_exposure (NULL: no limit)';
COMMENT ON FUNCTION @extschema@.credit_group_paths(bigint[]) IS
	'the credit group path (ancestors, root first; {} for a root; NULL: no group) of the customers listed (NULL: all), from src_customer.parent_id';
COMMENT ON FUNCTION @extschema@.credit_group_sync(bigint[]) IS
	'rewrites the ledger''s group paths of the customers listed (with their descendants and ancestors; NULL: all) after parents changed; returns the rows written';
COMMENT ON FUNCTION @extschema@.credit_group_lock(bigint[]) IS
	'internal: locks the ledger rows of a group path in its order (root first), writing a new version of each';
COMMENT ON FUNCTION @extschema@.credit_group_limits(bigint, numeric, date) IS
	'the group limits over a customer: for each ancestor (and itself when it has descendants) the subtree exposure and its credit limit';
COMMENT ON FUNCTION @extschema@.credit_group_fill(@extschema@.credit_verdict, numeric, date) IS
	'internal: fills the group fields of a credit verdict with the group limit that binds';
COMMENT ON FUNCTION @extschema@.customer_parent_check() IS
	'trigger: refuses a parent that would make a cycle in a credit group';
COMMENT ON FUNCTION @extschema@.credit_group_trigger() IS
	'trigger on customers: a parent set, changed or removed rewrites the ledger''s group paths';

-- The decision of a check, from a verdict whose inputs are filled (mode,
-- exposure_after, credit_limit, credit_grade, overdue_invoice): the
-- violation and its SQLSTATE, the prepayment missing, the days overdue,
-- nearly used, allowed.  The rules on the exposure are
-- credit_exposure_rule()'s, then the overdue rule; credit_evaluate() and
-- credit_evaluate_in_company() (a company's own limit) both decide here.
CREATE OR REPLACE FUNCTION @extschema@.credit_verdict_decide(v @extschema@.credit_verdict, grade_d text, pct numeric, as_of date)
	RETURNS @extschema@.credit_verdict
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	rule text;
	r record;
BEGIN
	v.violation := NULL;
	v.sqlstate := NULL;
	v.prepayment_missing := NULL;
	v.overdue_days := NULL;
	-- a member of a credit group: the group limits over it, with its
	-- exposure after the amount in place of its ledger row's (unless the
	-- caller filled them: credit_evaluate_in_company() counts the member's
	-- whole ledger row, not its exposure in one company)
	IF v.group_id IS NULL THEN
		v := @extschema@.credit_group_fill(v, v.exposure_after, as_of);
	END IF;
	IF v.horizon_days IS NULL THEN
		v.exposure_in_horizon := NULL;
		rule := @extschema@.credit_exposure_rule(v.credit_grade, grade_d, v.credit_limit, pct, v.exposure_after);
	ELSE
		IF v.exposure_in_horizon IS NULL THEN
			v.exposure_in_horizon := v.exposure_after
				- @extschema@.credit_beyond_horizon(v.customer_id, NULL, credit_verdict_decide.as_of, v.horizon_days);
		END IF;
		rule := coalesce(@extschema@.credit_exposure_rule(v.credit_grade, grade_d, NULL, NULL, v.exposure_after),
						 @extschema@.credit_exposure_rule(NULL, NULL, v.credit_limit, pct, v.exposure_in_horizon));
	END IF;
	IF rule = 'grade_d' THEN
		v.violation := 'grade_d';
		v.sqlstate := 'KC003';
		v.prepayment_missing := v.exposure_after;
	ELSIF rule = 'limit_exceeded' THEN
		v.violation := CASE WHEN v.horizon_days IS NULL THEN 'limit_exceeded' ELSE 'horizon_limit_exceeded' END;
		v.sqlstate := 'KC001';
	ELSIF v.group_exposure > v.group_limit THEN
		-- a group's limit (credit_group_fill() chose the one that binds): a
		-- credit limit exceeded too, the group's figures say whose
		v.violation := 'limit_exceeded';
		v.sqlstate := 'KC001';
	END IF;

	IF v.violation IS NULL AND @extschema@.credit_document_value_rule(v.document_value, v.max_document) THEN
		v.violation := 'document_value_exceeded';
		v.sqlstate := 'KC004';
	END IF;

	IF v.violation IS NULL AND v.overdue_invoice IS NOT NULL THEN
		SELECT credit_verdict_decide.as_of - i.due_on INTO v.overdue_days
		FROM @extschema@.src_invoice i WHERE i.invoice_id = v.overdue_invoice;
		v.violation := 'invoice_overdue';
		v.sqlstate := 'KC002';
	END IF;

	IF v.overdue_ratio_days IS NOT NULL THEN
		SELECT * INTO r FROM @extschema@.credit_overdue_ratio(v.customer_id, credit_verdict_decide.as_of,
															  v.overdue_ratio_days, v.overdue_ratio_pct);
		v.overdue_ratio := round(100 * r.overdue / nullif(r.open_balance, 0), 2);
		IF v.violation IS NULL AND r.exceeded THEN
			v.violation := 'overdue_ratio_exceeded';
			v.sqlstate := 'KC005';
		END IF;
	END IF;

	v.nearly_used := v.violation IS NULL AND rule IS NOT DISTINCT FROM 'limit_nearly_used';
	v.allowed := v.violation IS NULL OR v.mode <> 'block';
	RETURN v;
END
$$;

-- The message of a failed check (what the error or warning says).
CREATE OR REPLACE FUNCTION @extschema@.credit_verdict_message(v @extschema@.credit_verdict, what text DEFAULT NULL)
	RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN pg_catalog.format('credit check at %s failed for customer %s%s: %s',
		v.checkpoint, v.customer_id, coalesce(' (' || what || ')', ''),
		CASE v.violation
			WHEN 'limit_exceeded' THEN
				CASE WHEN (v.exposure_after > v.credit_limit AND v.horizon_days IS NULL) OR v.group_id IS NULL
					 THEN pg_catalog.format('exposure %s is above the credit limit %s', v.exposure_after, v.credit_limit)
					 ELSE pg_catalog.format('exposure %s of credit group %s is above the group''s credit limit %s',
						 v.group_exposure, v.group_id, v.group_limit) END
			WHEN 'invoice_overdue' THEN pg_catalog.format('invoice %s is %s days overdue',
				v.overdue_invoice, v.overdue_days)
			WHEN 'grade_d' THEN pg_catalog.format('credit grade is D and requires prepayment: %s of prepayment missing',
				v.prepayment_missing)
			WHEN 'horizon_limit_exceeded' THEN pg_catalog.format('exposure %s within the %s-day horizon is above the credit limit %s',
				v.exposure_in_horizon, v.horizon_days, v.credit_limit)
			WHEN 'document_value_exceeded' THEN pg_catalog.format('document value %s is above the maximum %s for one document',
				v.document_value, v.max_document)
			WHEN 'overdue_ratio_exceeded' THEN pg_catalog.format('%s%% of the open invoice balance is more than %s days overdue, above the maximum %s%%',
				v.overdue_ratio, v.overdue_ratio_days, v.overdue_ratio_pct)
			ELSE 'passed' END);

CREATE OR REPLACE FUNCTION @extschema@.credit_verdict_detail(v @extschema@.credit_verdict) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN pg_catalog.format('Exposure %s, amount asked %s, exposure after %s, credit limit %s (%s), grade %s, mode %s.',
		v.exposure_before, v.asked, v.exposure_after, coalesce(v.credit_limit::text, 'none'),
		v.limit_source, coalesce(v.credit_grade::text, 'not graded'), v.mode)
		|| @extschema@.credit_verdict_reason(v)
		|| CASE WHEN v.group_id IS NULL THEN ''
				ELSE pg_catalog.format(' Credit group %s: exposure after %s, credit limit %s (%s).',
					v.group_id, v.group_exposure, v.group_limit, v.group_limit_source) END;

-- The hint of a failed check: what to do about it.
CREATE OR REPLACE FUNCTION @extschema@.credit_verdict_hint(v @extschema@.credit_verdict) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN CASE v.violation
		WHEN 'limit_exceeded' THEN
			CASE WHEN (v.exposure_after > v.credit_limit AND v.horizon_days IS NULL) OR v.group_id IS NULL
				 THEN 'Lower the amount, collect payment first, or raise the limit (credit_limit_override).'
				 ELSE pg_catalog.format('Lower the amount, collect payment from the group first, or raise the limit of customer %s, which caps the whole group (credit_limit_override).',
					 v.group_id) END
		WHEN 'grade_d' THEN pg_catalog.format('Collect a prepayment of at least %s (a payment with no invoice) before this %s, or ask credit control: the rule can be excepted in credit_check_exception.',
			v.prepayment_missing, v.checkpoint)
		WHEN 'horizon_limit_exceeded' THEN 'Lower the amount, plan the delivery later (planned_ship_on), collect payment first, or raise the limit (credit_limit_override).'
		WHEN 'document_value_exceeded' THEN 'Split or lower the document, or ask credit control: a row of credit_check_rule with enabled false sets the rule off for the customer.'
		WHEN 'overdue_ratio_exceeded' THEN 'Collect the overdue invoices first, or ask credit control: a row of credit_check_rule with enabled false sets the rule off for the customer.'
		ELSE 'Ask credit control: the customer''s rule can be excepted in credit_check_exception.' END;

-- Create the missing ledger rows and lock them all, in customer_id order,
-- then rewrite them from the sources in a new statement: under READ
-- COMMITTED its snapshot is taken after the locks, so it sees every
-- committed write of these customers.  Every row gets a new version even
-- when its figures do not change, so that a REPEATABLE READ transaction
-- whose snapshot predates this one fails with 40001 when it locks the row.
-- The locks are taken NOWAIT: a row another transaction holds fails the
-- statement at once with 40001, and the ERP retries.  Waiting could
-- deadlock: the ERP's transaction may hold table locks (Tryton: LOCK ... IN
-- EXCLUSIVE MODE on its sale and move line tables) that the holder of the
-- row will ask for next.  (A missing row is created by INSERT, which waits
-- for another transaction creating the same customer's row: the one wait.)
CREATE OR REPLACE FUNCTION @extschema@.exposure_lock_recompute(customers bigint[]) RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	ids bigint[];
	path bigint[];
BEGIN
	SELECT array_agg(DISTINCT u ORDER BY u) INTO ids FROM unnest(customers) u WHERE u IS NOT NULL;
	IF ids IS NULL THEN
		RETURN;
	END IF;
	-- only the rows missing from the snapshot: an INSERT that meets a row
	-- another transaction is updating waits for it, even with DO NOTHING
	INSERT INTO @extschema@.credit_exposure AS x (customer_id)
	SELECT u FROM unnest(ids) u
	WHERE NOT EXISTS (SELECT FROM @extschema@.credit_exposure e WHERE e.customer_id = u)
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
	UPDATE @extschema@.credit_exposure x
	SET open_orders = coalesce(r.open_orders, 0), shipped_not_invoiced = coalesce(r.shipped_not_invoiced, 0),
		invoice_balance = coalesce(r.invoice_balance, 0), unapplied_credits = coalesce(r.unapplied_credits, 0)
	FROM unnest(ids) u(customer_id)
	LEFT JOIN @extschema@.exposure_recomputed(ids) r ON r.customer_id = u.customer_id
	WHERE x.customer_id = u.customer_id;
END
$$;

-- A credit check in a company: credit_evaluate(), with the company's own
-- limit when the credit_limit source has a row for the customer and the
-- company (its credit_limit NULL: no limit).  An override in force
-- (credit_limit_override: credit control's decision) still wins, as it wins
-- over the customer's own limit.  The rules on the exposure are taken again
-- against the company's limit by credit_exposure_rule(), as credit_evaluate()
-- takes them (grade D, limit, then the overdue rule, nearly used).
CREATE OR REPLACE FUNCTION @extschema@.credit_evaluate_in_company(customer_id bigint, company_id bigint, checkpoint text,
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

-- The whole credit picture of one customer, as jsonb for an application:
-- customer, grade with its explanation (profile and explain_score), limit
-- and its source, exposure and available credit, the check modes in force
-- for it, receivables aging of the open invoices (buckets current, 1-30,
-- 31-60, 61-90, 91+ days past due), payment figures (payment index, days
-- beyond terms, on-time ratio from credit_facts), open alerts and the last
-- 20 changes of class; for a member of a credit group, the group: parent,
-- root and every group limit over it with the group's exposure.
CREATE OR REPLACE FUNCTION @extschema@.credit_report(customer_id bigint, as_of date DEFAULT NULL) RETURNS jsonb
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := coalesce(credit_report.as_of, @extschema@.as_of());
	c record;
	li @extschema@.credit_limit_info;
	x @extschema@.credit_exposure;
	f @extschema@.credit_facts;
	report jsonb;
BEGIN
	SELECT sc.customer_id, sc.name, sc.customer_type, sc.industry, sc.region, sc.payment_terms_days
	INTO c FROM @extschema@.src_customer sc WHERE sc.customer_id = credit_report.customer_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'customer % does not exist', customer_id USING ERRCODE = 'no_data_found';
	END IF;
	li := @extschema@.credit_limit_info(customer_id, d);
	SELECT * INTO x FROM @extschema@.credit_exposure e WHERE e.customer_id = credit_report.customer_id;
	SELECT (cf.facts).* INTO f
	FROM @extschema@.credit_facts(d, (@extschema@.active_scorecard()).scorecard_id, ARRAY[customer_id]) cf;

	report := jsonb_build_object(
		'customer', to_jsonb(c),
		'as_of', d,
		'grade', (SELECT jsonb_build_object('grade', p.credit_grade, 'score', p.credit_score,
											'computed_grade', p.computed_grade, 'overridden', p.override_id IS NOT NULL,
											'label_en', l.label_en, 'label_zh', l.label_zh,
											'graded_as_of', p.as_of, 'refreshed_at', p.refreshed_at)
				  FROM @extschema@.profile p
				  LEFT JOIN @extschema@.class_label l ON l.dimension = 'credit_grade' AND l.value = p.credit_grade::text
				  WHERE p.customer_id = credit_report.customer_id),
		'explanation', (SELECT jsonb_agg(jsonb_strip_nulls(to_jsonb(e)) ORDER BY e.step)
						FROM @extschema@.explain_score(customer_id, d) e),
		'limit', jsonb_build_object('credit_limit', li.credit_limit, 'source', li.limit_source,
									'valid_until', li.valid_until),
		'exposure', jsonb_build_object(
			'open_orders', coalesce(x.open_orders, 0), 'shipped_not_invoiced', coalesce(x.shipped_not_invoiced, 0),
			'invoice_balance', coalesce(x.invoice_balance, 0), 'unapplied_credits', coalesce(x.unapplied_credits, 0),
			'exposure', coalesce(x.exposure, 0),
			'available', li.credit_limit - coalesce(x.exposure, 0),
			'used_pct', round(coalesce(x.exposure, 0) * 100 / nullif(li.credit_limit, 0), 1)),
		'checks', jsonb_build_object(
			'order', @extschema@.credit_check_mode(customer_id, 'order', d),
			'delivery', @extschema@.credit_check_mode(customer_id, 'delivery', d),
			'invoice', @extschema@.credit_check_mode(customer_id, 'invoice', d),
			'rule.overdue_days', @extschema@.credit_setting('rule.overdue_days'),
			'rule.grade_d', @extschema@.credit_setting('rule.grade_d')),
		'aging', (SELECT jsonb_build_object(
						'current', coalesce(sum(o.open) FILTER (WHERE d - o.due_on <= 0), 0),
						'1-30', coalesce(sum(o.open) FILTER (WHERE d - o.due_on BETWEEN 1 AND 30), 0),
						'31-60', coalesce(sum(o.open) FILTER (WHERE d - o.due_on BETWEEN 31 AND 60), 0),
						'61-90', coalesce(sum(o.open) FILTER (WHERE d - o.due_on BETWEEN 61 AND 90), 0),
						'91+', coalesce(sum(o.open) FILTER (WHERE d - o.due_on > 90), 0),
						'open_invoices', count(*) FILTER (WHERE o.open > 0))
				  FROM (SELECT i.due_on, i.amount - coalesce((SELECT sum(p.amount) FROM @extschema@.src_payment p
															  WHERE p.invoice_id = i.invoice_id AND p.paid_on <= d), 0) AS open
						FROM @extschema@.src_invoice i
						WHERE i.customer_id = credit_report.customer_id AND i.issued_on <= d) o
				  WHERE o.open > 0),
		'payments', jsonb_build_object('payment_index', f.payment_index, 'recent_payment_index', f.recent_payment_index,
									   'days_beyond_terms', f.days_beyond_terms, 'on_time_ratio', f.on_time_ratio,
									   'invoices_paid', f.invoices_paid, 'overdue_balance', f.overdue_balance,
									   'revenue_12m', f.revenue_12m),
		'open_alerts', coalesce((SELECT jsonb_agg(jsonb_build_object('alert_id', a.alert_id, 'kind', a.kind, 'level', a.level,
															 'raised_at', a.raised_at, 'occurrences', a.occurrences,
															 'detail', a.detail) ORDER BY a.alert_id)
								 FROM @extschema@.alerts a
								 WHERE a.customer_id = credit_report.customer_id AND a.resolved_at IS NULL), '[]'),
		'alert_level', coalesce((SELECT max(a.level)::text FROM @extschema@.alerts a
								 WHERE a.customer_id = credit_report.customer_id AND a.resolved_at IS NULL), 'green'),
		'history', coalesce((SELECT jsonb_agg(jsonb_build_object('dimension', h.dimension, 'old', h.old_value, 'new', h.new_value,
														 'as_of', h.as_of, 'why', h.why) ORDER BY h.history_id DESC)
							 FROM (SELECT * FROM @extschema@.class_history ch
								   WHERE ch.customer_id = credit_report.customer_id
								   ORDER BY ch.history_id DESC LIMIT 20) h), '[]'));
	-- a member of a credit group: its parent, root, and each limit over it
	IF x.group_path IS NOT NULL THEN
		report := report || jsonb_build_object('group', jsonb_build_object(
			'parent_id', (SELECT sc.parent_id FROM @extschema@.src_customer sc WHERE sc.customer_id = credit_report.customer_id),
			'group_id', coalesce(x.group_path[1], x.customer_id),
			'limits', (SELECT jsonb_agg(jsonb_build_object('group_id', l.group_id, 'level', l.level,
														   'exposure', l.group_exposure, 'credit_limit', l.credit_limit,
														   'limit_source', l.limit_source,
														   'available', l.credit_limit - l.group_exposure) ORDER BY l.level)
					   FROM @extschema@.credit_group_limits(customer_id, NULL, d) l)));
	END IF;
	RETURN report;
END
$$;

-- == the managed customer table's triggers (sources/triggers.sql) ==
CREATE TRIGGER customer_parent_check BEFORE INSERT OR UPDATE OF parent_id ON @extschema@.customer
	FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL)
	EXECUTE FUNCTION @extschema@.customer_parent_check();
CREATE TRIGGER credit_group_ins AFTER INSERT ON @extschema@.customer
	FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL)
	EXECUTE FUNCTION @extschema@.credit_group_trigger();
CREATE TRIGGER credit_group_upd AFTER UPDATE OF parent_id ON @extschema@.customer
	FOR EACH ROW WHEN (OLD.parent_id IS DISTINCT FROM NEW.parent_id)
	EXECUTE FUNCTION @extschema@.credit_group_trigger();
CREATE TRIGGER credit_group_del AFTER DELETE ON @extschema@.customer
	FOR EACH ROW WHEN (OLD.parent_id IS NOT NULL)
	EXECUTE FUNCTION @extschema@.credit_group_trigger();

-- == credit limit requests (credit/limit_requests.sql) ==
CREATE TABLE @extschema@.credit_limit_request (
	request_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id		bigint NOT NULL,
	credit_limit	numeric(18,2) NOT NULL,
	valid_from		date NOT NULL,
	valid_until		date,
	reason			text NOT NULL,
	requested_by	name NOT NULL,
	requester_role	text NOT NULL,
	requested_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	status			text NOT NULL DEFAULT 'pending',
	decided_by		name,
	decided_at		timestamptz,
	decision_note	text,
	override_id		bigint
);
-- Written by request_credit_limit(), approve_credit_limit() and
-- reject_credit_limit() only, which validate (no CHECK constraints to
-- restate), like source_binding.
CREATE INDEX credit_limit_request_customer_idx ON @extschema@.credit_limit_request (customer_id, requested_at);
CREATE INDEX credit_limit_request_pending_idx ON @extschema@.credit_limit_request (requested_at) WHERE status = 'pending';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_limit_request', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_limit_request_request_id_seq', '');
GRANT SELECT ON @extschema@.credit_limit_request TO customer_class_reader;

-- The rank of a role among the extension's roles: 4 superuser, 3 member of
-- customer_class_admin, 2 of customer_class_analyst, 1 of
-- customer_class_reader, 0 none.
CREATE FUNCTION @extschema@.credit_role_rank(role_name name) RETURNS integer
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT CASE
		WHEN (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = credit_role_rank.role_name) THEN 4
		WHEN pg_catalog.pg_has_role(credit_role_rank.role_name, 'customer_class_admin', 'MEMBER') THEN 3
		WHEN pg_catalog.pg_has_role(credit_role_rank.role_name, 'customer_class_analyst', 'MEMBER') THEN 2
		WHEN pg_catalog.pg_has_role(credit_role_rank.role_name, 'customer_class_reader', 'MEMBER') THEN 1
		ELSE 0 END;
END;

-- the name of a rank, for the messages
CREATE FUNCTION @extschema@.credit_role_rank_name(rank integer) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN CASE rank WHEN 4 THEN 'superuser' WHEN 3 THEN 'customer_class_admin'
					 WHEN 2 THEN 'customer_class_analyst' WHEN 1 THEN 'customer_class_reader' ELSE 'none' END;

-- Ask for a limit: valid_until NULL asks for a new limit with no end,
-- otherwise for a temporary one; valid_from defaults to as_of().  Returns
-- the request's id.
CREATE FUNCTION @extschema@.request_credit_limit(customer_id bigint, credit_limit numeric, reason text,
												 valid_from date DEFAULT NULL, valid_until date DEFAULT NULL)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	caller name := @extschema@.access_caller();
	rank integer := @extschema@.credit_role_rank(@extschema@.access_caller());
	d date := coalesce(request_credit_limit.valid_from, @extschema@.as_of());
	id bigint;
BEGIN
	IF rank < 2 THEN
		RAISE EXCEPTION 'permission denied to request a credit limit'
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'Credit limits are requested by members of customer_class_analyst.';
	END IF;
	IF customer_id IS NULL OR NOT @extschema@.access_allows(customer_id, caller) THEN
		RAISE EXCEPTION 'customer % does not exist', coalesce(customer_id::text, 'NULL') USING ERRCODE = 'no_data_found';
	END IF;
	IF credit_limit IS NULL OR credit_limit < 0 THEN
		RAISE EXCEPTION 'request_credit_limit: the credit limit must be 0 or more, not %', coalesce(credit_limit::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF nullif(btrim(reason), '') IS NULL THEN
		RAISE EXCEPTION 'request_credit_limit: a reason is required'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Say why the customer needs the limit, e.g. the order or the guarantee behind it.';
	END IF;
	IF valid_until IS NOT NULL AND valid_until <= d THEN
		RAISE EXCEPTION 'request_credit_limit: valid_until % is not after valid_from %', valid_until, d
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'valid_until is the first day the limit no longer applies; leave it NULL for a limit with no end.';
	END IF;
	IF valid_until IS NOT NULL AND valid_until <= @extschema@.as_of() THEN
		RAISE EXCEPTION 'request_credit_limit: valid_until % is past (as of %)', valid_until, @extschema@.as_of()
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	INSERT INTO @extschema@.credit_limit_request (customer_id, credit_limit, valid_from, valid_until, reason,
												  requested_by, requester_role)
	VALUES (customer_id, credit_limit, d, valid_until, reason, caller, @extschema@.credit_role_rank_name(rank))
	RETURNING request_id INTO id;
	INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
	VALUES (customer_id, 'credit_limit_request', NULL, 'pending', @extschema@.as_of(),
			format('credit limit request #%s by %s: %s from %s%s: %s', id, caller, credit_limit::numeric(18,2), d,
				   coalesce(' until ' || valid_until, ' with no end'), reason));
	RETURN id;
END
$$;

-- The request to decide, locked; errors for one that does not exist, is
-- decided already, is the caller's own or was asked by a role not below
-- the caller's.
CREATE FUNCTION @extschema@.credit_limit_request_to_decide(request_id bigint, verb text)
	RETURNS @extschema@.credit_limit_request
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.credit_limit_request;
	caller name := @extschema@.access_caller();
	rank integer := @extschema@.credit_role_rank(@extschema@.access_caller());
	asked integer;
BEGIN
	SELECT * INTO r FROM @extschema@.credit_limit_request q WHERE q.request_id = credit_limit_request_to_decide.request_id
	FOR UPDATE;
	IF NOT FOUND OR NOT @extschema@.access_allows(r.customer_id, caller) THEN
		RAISE EXCEPTION 'credit limit request % does not exist', coalesce(request_id::text, 'NULL')
			USING ERRCODE = 'no_data_found';
	END IF;
	IF r.status <> 'pending' THEN
		RAISE EXCEPTION 'credit limit request % is % already', request_id, r.status
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('It was %s by %s.', r.status, r.decided_by),
				  HINT = 'A request is decided once; ask again with request_credit_limit().';
	END IF;
	IF r.requested_by = caller THEN
		RAISE EXCEPTION 'cannot % credit limit request %: you requested it', verb, request_id
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'Another person, in a role above yours, decides it.';
	END IF;
	-- above the requester's role when asking and now, whichever is higher
	asked := greatest(@extschema@.credit_role_rank(r.requested_by),
					  CASE r.requester_role WHEN 'superuser' THEN 4 WHEN 'customer_class_admin' THEN 3 ELSE 2 END);
	IF rank <= asked THEN
		RAISE EXCEPTION 'permission denied to % credit limit request %', verb, request_id
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('It was requested by %s (%s); you are %s.', r.requested_by, r.requester_role,
								  @extschema@.credit_role_rank_name(rank)),
				  HINT = format('A role above the requester''s decides it: %s.',
								@extschema@.credit_role_rank_name(least(asked + 1, 4)));
	END IF;
	RETURN r;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_limit_request_to_decide(bigint, text) FROM PUBLIC;

-- Approve: writes the override (the requested limit from valid_from until
-- valid_until; none: with no end) and returns its id.
CREATE FUNCTION @extschema@.approve_credit_limit(request_id bigint, note text DEFAULT NULL) RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.credit_limit_request;
	caller name := @extschema@.access_caller();
	o bigint;
BEGIN
	r := @extschema@.credit_limit_request_to_decide(request_id, 'approve');
	IF r.valid_until IS NOT NULL AND r.valid_until <= @extschema@.as_of() THEN
		RAISE EXCEPTION 'credit limit request % ended on % (as of %)', request_id, r.valid_until, @extschema@.as_of()
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Reject it, and ask again with new dates.';
	END IF;
	INSERT INTO @extschema@.credit_limit_override (customer_id, credit_limit, reason, set_by, valid_from, expires_on)
	VALUES (r.customer_id, r.credit_limit,
			format('credit limit request #%s by %s, approved by %s: %s%s', r.request_id, r.requested_by, caller,
				   r.reason, coalesce(' (' || nullif(btrim(note), '') || ')', '')),
			caller, r.valid_from, coalesce(r.valid_until, 'infinity'))
	RETURNING override_id INTO o;
	UPDATE @extschema@.credit_limit_request q
	SET status = 'approved', decided_by = caller, decided_at = pg_catalog.now(), decision_note = note, override_id = o
	WHERE q.request_id = r.request_id;
	INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
	VALUES (r.customer_id, 'credit_limit_request', 'pending', 'approved', @extschema@.as_of(),
			format('credit limit request #%s approved by %s: override #%s%s', r.request_id, caller, o,
				   coalesce(': ' || nullif(btrim(note), ''), '')));
	RETURN o;
END
$$;

-- Reject, with the reason why (required).
CREATE FUNCTION @extschema@.reject_credit_limit(request_id bigint, note text) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.credit_limit_request;
	caller name := @extschema@.access_caller();
BEGIN
	r := @extschema@.credit_limit_request_to_decide(request_id, 'reject');
	IF nullif(btrim(note), '') IS NULL THEN
		RAISE EXCEPTION 'reject_credit_limit: say why the request is rejected'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give the reason as the note; the requester reads it in credit_limit_request.';
	END IF;
	UPDATE @extschema@.credit_limit_request q
	SET status = 'rejected', decided_by = caller, decided_at = pg_catalog.now(), decision_note = note
	WHERE q.request_id = r.request_id;
	INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
	VALUES (r.customer_id, 'credit_limit_request', 'pending', 'rejected', @extschema@.as_of(),
			format('credit limit request #%s rejected by %s: %s', r.request_id, caller, note));
END
$$;

REVOKE EXECUTE ON FUNCTION @extschema@.request_credit_limit(bigint, numeric, text, date, date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.approve_credit_limit(bigint, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.reject_credit_limit(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.request_credit_limit(bigint, numeric, text, date, date) TO customer_class_analyst;
GRANT EXECUTE ON FUNCTION @extschema@.approve_credit_limit(bigint, text) TO customer_class_admin;
GRANT EXECUTE ON FUNCTION @extschema@.reject_credit_limit(bigint, text) TO customer_class_admin;

COMMENT ON TABLE @extschema@.credit_limit_request IS
	'requests for a new or temporary credit limit, approved or rejected by a role above the requester''s; an approval writes a credit_limit_override';
COMMENT ON COLUMN @extschema@.credit_limit_request.request_id IS 'request key';
COMMENT ON COLUMN @extschema@.credit_limit_request.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.credit_limit_request.credit_limit IS 'limit asked for';
COMMENT ON COLUMN @extschema@.credit_limit_request.valid_from IS 'first as-of date the limit is to apply to';
COMMENT ON COLUMN @extschema@.credit_limit_request.valid_until IS 'first as-of date it no longer applies to (a temporary limit); NULL: a new limit with no end';
COMMENT ON COLUMN @extschema@.credit_limit_request.reason IS 'why (required)';
COMMENT ON COLUMN @extschema@.credit_limit_request.requested_by IS 'who asked (the session''s role)';
COMMENT ON COLUMN @extschema@.credit_limit_request.requester_role IS 'the requester''s highest role when asking: customer_class_analyst, customer_class_admin or superuser';
COMMENT ON COLUMN @extschema@.credit_limit_request.requested_at IS 'when it was asked';
COMMENT ON COLUMN @extschema@.credit_limit_request.status IS 'pending, approved or rejected';
COMMENT ON COLUMN @extschema@.credit_limit_request.decided_by IS 'who approved or rejected it';
COMMENT ON COLUMN @extschema@.credit_limit_request.decided_at IS 'when';
COMMENT ON COLUMN @extschema@.credit_limit_request.decision_note IS 'the decider''s note (required for a rejection)';
COMMENT ON COLUMN @extschema@.credit_limit_request.override_id IS 'the credit_limit_override the approval wrote';
COMMENT ON FUNCTION @extschema@.credit_role_rank(name) IS
	'rank of a role among the extension''s: 4 superuser, 3 customer_class_admin, 2 customer_class_analyst, 1 customer_class_reader, 0 none';
COMMENT ON FUNCTION @extschema@.credit_role_rank_name(integer) IS 'the role a rank of credit_role_rank() stands for';
COMMENT ON FUNCTION @extschema@.request_credit_limit(bigint, numeric, text, date, date) IS
	'ask for a new (valid_until NULL) or temporary credit limit for a customer; returns the request id';
COMMENT ON FUNCTION @extschema@.credit_limit_request_to_decide(bigint, text) IS
	'internal: the pending request a caller in a role above the requester''s may decide, locked';
COMMENT ON FUNCTION @extschema@.approve_credit_limit(bigint, text) IS
	'approve a credit limit request (a role above the requester''s, not the requester): writes the override; returns its id';
COMMENT ON FUNCTION @extschema@.reject_credit_limit(bigint, text) IS
	'reject a credit limit request (a role above the requester''s, not the requester), saying why';

-- access/policies.sql: the table has customer rows
ALTER TABLE @extschema@.credit_limit_request ENABLE ROW LEVEL SECURITY;
CREATE POLICY customer_access ON @extschema@.credit_limit_request
	USING (@extschema@.access_visible(credit_limit_request.customer_id, (SELECT @extschema@.access_query())))
	WITH CHECK (@extschema@.access_visible(credit_limit_request.customer_id, (SELECT @extschema@.access_query())));
COMMENT ON POLICY customer_access ON @extschema@.credit_limit_request IS
	'access by customer category: a restricted role sees and writes the rows of the customers it sees in customer';

-- == views/customer_profile.sql: parent and group figures at the end ==
CREATE OR REPLACE VIEW @extschema@.customer_profile WITH (security_invoker = true) AS
	SELECT c.customer_id, c.name, c.customer_type, c.industry, c.region, c.size_class, c.payment_terms_days,
		   p.as_of,
		   p.credit_score,
		   p.credit_grade,
		   p.credit_grade::text AS grade,
		   gl.label_en AS grade_label_en,
		   gl.label_zh AS grade_label_zh,
		   p.computed_grade,
		   cl.label_en AS computed_grade_label_en,
		   cl.label_zh AS computed_grade_label_zh,
		   p.override_id IS NOT NULL AS grade_overridden,
		   p.scale_points, p.payment_points, p.stability_points, p.risk_points,
		   p.external_score,
		   format('%s: scale %s, payment %s, stability %s, risk %s%s',
				  p.credit_score, p.scale_points, p.payment_points, p.stability_points, p.risk_points,
				  CASE WHEN p.external_score IS NOT NULL THEN ', external ' || p.external_score ELSE '' END)
			   || CASE WHEN p.override_id IS NOT NULL THEN format('; overridden to %s', p.credit_grade) ELSE '' END
			   AS score_explanation,
		   c.credit_limit AS own_credit_limit,
		   p.lifecycle_stage,
		   p.lifecycle_stage::text AS stage,
		   sl.label_en AS stage_label_en,
		   sl.label_zh AS stage_label_zh,
		   p.lifecycle_phase,
		   p.lifecycle_phase::text AS phase,
		   pl.label_en AS phase_label_en,
		   pl.label_zh AS phase_label_zh,
		   p.behaviour_segment,
		   p.behaviour_segment::text AS behaviour,
		   bl.label_en AS behaviour_label_en,
		   bl.label_zh AS behaviour_label_zh,
		   p.rfm_r, p.rfm_f, p.rfm_m,
		   p.rfm_r::text || p.rfm_f::text || p.rfm_m::text AS rfm_score,
		   p.rfm_segment,
		   p.rfm_segment::text AS rfm,
		   rl.label_en AS rfm_label_en,
		   rl.label_zh AS rfm_label_zh,
		   p.first_order_on,
		   p.last_order_on,
		   p.as_of - p.last_order_on AS days_since_last_order,
		   p.orders_12m,
		   p.revenue_12m,
		   p.open_balance,
		   p.overdue_balance,
		   p.overdue_invoices,
		   p.payment_index,
		   p.days_beyond_terms,
		   p.payment_warning,
		   p.payment_warning::text AS warning,
		   wl.label_en AS warning_label_en,
		   wl.label_zh AS warning_label_zh,
		   @extschema@.credit_limit(c.customer_id) AS credit_limit,
		   (@extschema@.credit_limit_info(c.customer_id)).limit_source AS limit_source,
		   coalesce((SELECT e.exposure FROM @extschema@.credit_exposure e WHERE e.customer_id = c.customer_id), 0)
			   AS exposure,
		   @extschema@.credit_limit(c.customer_id)
			   - coalesce((SELECT e.exposure FROM @extschema@.credit_exposure e WHERE e.customer_id = c.customer_id), 0)
			   AS available_credit,
		   ag.a OPERATOR(@extschema@.->) 'current' AS aging_current,
		   ag.a OPERATOR(@extschema@.->) '1-30' AS aging_1_30,
		   ag.a OPERATOR(@extschema@.->) '31-60' AS aging_31_60,
		   ag.a OPERATOR(@extschema@.->) '61-90' AS aging_61_90,
		   ag.a OPERATOR(@extschema@.->) '91+' AS aging_over_90,
		   @extschema@.aging_total(ag.a) AS aging_total,
		   @extschema@.aging_total(ag.a) - (ag.a OPERATOR(@extschema@.->) 'current') AS aging_overdue,
		   al.alert_level,
		   (SELECT l.label_en FROM @extschema@.class_label l
			WHERE l.dimension = 'alert_level' AND l.value = al.alert_level::text) AS alert_level_label_en,
		   (SELECT l.label_zh FROM @extschema@.class_label l
			WHERE l.dimension = 'alert_level' AND l.value = al.alert_level::text) AS alert_level_label_zh,
		   al.open_alerts,
		   p.refreshed_at,
		   CAST(c.tags AS pg_catalog.text[]) AS tags,
		   CAST(p.rule_tags AS pg_catalog.text[]) AS rule_tags,
		   CAST(c.tags OPERATOR(@extschema@.|) coalesce(p.rule_tags, '{}'::@extschema@.tagset) AS pg_catalog.text[]) AS all_tags,
		   pf.revenue, pf.cost, pf.costed_revenue, pf.gross_profit, pf.gross_margin,
		   -- credit groups (credit/groups.sql)
		   c.parent_id,
		   (SELECT coalesce(e.group_path[1], e.customer_id) FROM @extschema@.credit_exposure e
			WHERE e.customer_id = c.customer_id AND e.group_path IS NOT NULL) AS group_id,
		   (SELECT sum(s.exposure) FROM @extschema@.credit_exposure e
			JOIN @extschema@.credit_exposure s
			  ON s.customer_id = coalesce(e.group_path[1], e.customer_id)
			  OR s.group_path @> ARRAY[coalesce(e.group_path[1], e.customer_id)]
			WHERE e.customer_id = c.customer_id AND e.group_path IS NOT NULL) AS group_exposure,
		   (SELECT @extschema@.credit_limit(coalesce(e.group_path[1], e.customer_id)) FROM @extschema@.credit_exposure e
			WHERE e.customer_id = c.customer_id AND e.group_path IS NOT NULL) AS group_credit_limit,
		   (SELECT least(@extschema@.credit_limit(c.customer_id)
						 - coalesce((SELECT e.exposure FROM @extschema@.credit_exposure e WHERE e.customer_id = c.customer_id), 0),
						 min(l.credit_limit - l.group_exposure))
			FROM @extschema@.credit_group_limits(c.customer_id) l HAVING count(*) > 0) AS group_available_credit
	FROM @extschema@.src_customer c
	LEFT JOIN @extschema@.profile p ON p.customer_id = c.customer_id
	LEFT JOIN LATERAL (SELECT @extschema@.aging_agg(o.open_amount, o.due_on, (SELECT @extschema@.report_date())) AS a
					   FROM @extschema@.open_item o WHERE o.customer_id = c.customer_id) ag ON true
	LEFT JOIN LATERAL (SELECT coalesce(max(a.level), 'green') AS alert_level, count(*) AS open_alerts
					   FROM @extschema@.alerts a
					   WHERE a.customer_id = c.customer_id AND a.resolved_at IS NULL) al ON true
	-- gross profit of the 365 days up to the report date (facts/profit.sql);
	-- the date comes in as a column so that customer_profit() is inlined
	-- and reads this customer's invoices only
	LEFT JOIN LATERAL (SELECT pr.revenue, pr.cost, pr.costed_revenue, pr.gross_profit, pr.gross_margin
					   FROM (SELECT (SELECT @extschema@.report_date()) AS d) rd
					   CROSS JOIN LATERAL @extschema@.customer_profit(rd.d - 364, rd.d) pr
					   WHERE pr.customer_id = c.customer_id) pf ON true
	LEFT JOIN @extschema@.class_label cl ON cl.dimension = 'credit_grade' AND cl.value = p.computed_grade::text
	LEFT JOIN @extschema@.class_label gl ON gl.dimension = 'credit_grade' AND gl.value = p.credit_grade::text
	LEFT JOIN @extschema@.class_label sl ON sl.dimension = 'lifecycle_stage' AND sl.value = p.lifecycle_stage::text
	LEFT JOIN @extschema@.class_label pl ON pl.dimension = 'lifecycle_phase' AND pl.value = p.lifecycle_phase::text
	LEFT JOIN @extschema@.class_label bl ON bl.dimension = 'segment' AND bl.value = p.behaviour_segment::text
	LEFT JOIN @extschema@.class_label rl ON rl.dimension = 'rfm_segment' AND rl.value = p.rfm_segment::text
	LEFT JOIN @extschema@.class_label wl ON wl.dimension = 'alert_level' AND wl.value = p.payment_warning::text;
COMMENT ON COLUMN @extschema@.customer_profile.parent_id IS 'the customer''s group parent (NULL: none)';
COMMENT ON COLUMN @extschema@.customer_profile.group_id IS 'the root of the customer''s credit group (NULL: in no group)';
COMMENT ON COLUMN @extschema@.customer_profile.group_exposure IS 'the exposure of the whole group: its root and all the root''s descendants';
COMMENT ON COLUMN @extschema@.customer_profile.group_credit_limit IS 'the credit limit of the group''s root, which caps group_exposure (NULL: no limit, or in no group)';
COMMENT ON COLUMN @extschema@.customer_profile.group_available_credit IS 'what an order of this member may add before a limit fails, its own or a group''s (the least of them; NULL: in no group or no limit)';
