-- Credit control, part 2b: credit groups (集团客户; SAP's superordinate
-- credit accounts, Dynamics' credit groups).  docs/credit.md, "Credit groups".
--
-- A customer may name a parent (customer.parent_id, src_customer.parent_id
-- in a bound source), to any depth.  The limit of every customer that has
-- descendants caps the exposure of that customer and all its descendants
-- together, besides each customer's own limit: an order of a member must
-- keep within its own limit and within the limit of each of its ancestors,
-- applied to the ancestor's whole subtree.
--
-- The ledger row of every customer in a group carries its ancestors, root
-- first (credit_exposure.group_path; '{}' for a root), rewritten by
-- credit_group_sync() when a parent changes.  Every ledger write of a group
-- member locks the rows of its ancestors root first and then its own
-- (exposure_add(), credit_group_lock()): a fixed order, so two writers of a
-- group never deadlock, and every check in a group is serialised on the
-- root's row, which each writer updates (without changing it) so that a
-- REPEATABLE READ writer whose snapshot predates a committed one fails with
-- 40001 rather than sum stale figures.  A customer outside any group pays one
-- condition (group_path IS NULL) on its ledger UPDATE and nothing else.
--
-- The checks then sum the ledger rows of each ancestor's subtree
-- (credit_group_limits()) in a statement that starts after the locks.

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
	-- on Citus, a customer in no group (its ledger row says so) has no
	-- group limit to look for: the lookup reads the group's members, which
	-- may lie on other nodes than the shard the check runs on (docs/citus.md)
	IF @extschema@.distributed() AND NOT EXISTS (SELECT FROM @extschema@.credit_exposure x
				   WHERE x.customer_id = v.customer_id AND x.group_path IS NOT NULL) THEN
		RETURN v;
	END IF;
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

-- On Citus (distribute('customer')) a group's members would lie on
-- different shards: the walk up the parents, the ledger's group paths and
-- the group limits read and write other customers' rows, which a trigger on
-- a shard cannot reach.  distribute() refuses while there are groups; once
-- distributed, a change of the groups is refused here, with what to do,
-- before Citus would refuse one of those queries in its own words
-- (docs/citus.md, "What works").
CREATE FUNCTION @extschema@.credit_group_change_refused(customer_id bigint, parent_id bigint) RETURNS void
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF @extschema@.distributed() THEN
		RAISE EXCEPTION 'credit groups cannot be changed once customer_class is distributed on Citus'
			USING ERRCODE = 'feature_not_supported',
				  DETAIL = pg_catalog.format('Customer %s would %s; the members of a group lie on different shards, whose ledger rows a check on one shard cannot reach.',
							customer_id, CASE WHEN parent_id IS NULL THEN 'leave its group'
											  ELSE pg_catalog.format('get the parent %s', parent_id) END),
				  HINT = 'Keep a database with credit groups on a single node (docs/citus.md, "What works").';
	END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_group_change_refused(bigint, bigint) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.credit_group_change_refused(bigint, bigint) IS
	'internal: refuses a change of the credit groups once the extension is distributed on Citus (0A000)';

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
-- their triggers on customer are in sources/triggers.sql

-- the members of groups, for credit_group_subtrees() (credit/group_views.sql;
-- credit_exposure_group_idx, a GIN index, cannot list them all)
CREATE INDEX credit_exposure_grouped_idx ON @extschema@.credit_exposure (customer_id)
	WHERE group_path IS NOT NULL;
COMMENT ON INDEX @extschema@.credit_exposure_grouped_idx IS
	'the ledger rows of the customers in a credit group (credit_group_subtrees())';

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
