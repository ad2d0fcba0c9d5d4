-- 0.2.0 -> 0.3.0, Citus: credit groups refused by distribute() and, once distributed, a change of them (issue 19); the
-- credit_group view passes its date from a one-row subquery kept apart (OFFSET 0), so that a single node inlines the
-- limit rule's parts.

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

CREATE OR REPLACE VIEW @extschema@.credit_group WITH (security_invoker = true) AS
	SELECT x.customer_id,
		   c.parent_id,
		   coalesce(x.group_path[1], x.customer_id) AS group_id,
		   pg_catalog.cardinality(x.group_path) + 1 AS level,
		   x.exposure AS own_exposure,
		   g.subtree_exposure,
		   g.credit_limit
	FROM @extschema@.credit_exposure x
	LEFT JOIN @extschema@.src_customer c ON c.customer_id = x.customer_id
	LEFT JOIN (SELECT g.customer_id, g.subtree_exposure, g.credit_limit
			   FROM (SELECT (SELECT @extschema@.as_of()) AS d OFFSET 0) k
			   CROSS JOIN LATERAL @extschema@.credit_group_subtrees(k.d) g) g ON g.customer_id = x.customer_id
	WHERE x.group_path IS NOT NULL;
