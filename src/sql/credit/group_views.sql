-- Credit control, part 2c: the credit groups as the views read them
-- (docs/credit.md, "Credit groups"): every member's subtree with its limit
-- (credit_group_subtrees()) and the credit_group view over it.
--
-- Apart from credit/groups.sql and loaded after credit/warnings.sql: the
-- limits read the customers whose grade an unreviewed external event caps
-- as one aggregate of credit_event_caps() (warnings.sql, with the
-- external_event table), as customer_profile does, and a SQL body can only
-- name a function that exists when it is created.

-- Every customer in a credit group with the exposure of its subtree (itself
-- and all its descendants, from the ledger), their number, and its credit
-- limit in force on the date (credit_limits()): one grouped pass over
-- the group members' ledger rows, each member's exposure counted for itself
-- and for each of its ancestors.  For credit_group and customer_profile,
-- which join it: on Citus a group's members are on different shards, and
-- Citus runs such a pass and joins its result, but not a sub-select per
-- member that reads other customers (docs/citus.md).
CREATE FUNCTION @extschema@.credit_group_subtrees(as_of date)
	RETURNS TABLE (customer_id bigint, subtree_exposure numeric, subtree_members bigint, credit_limit numeric)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT m.customer_id, t.exposure, t.members, l.credit_limit
	FROM @extschema@.credit_exposure m
	JOIN (SELECT a.customer_id, sum(s.exposure) AS exposure, count(*) AS members
		  FROM @extschema@.credit_exposure s
		  CROSS JOIN LATERAL unnest(s.group_path || s.customer_id) a(customer_id)
		  WHERE s.group_path IS NOT NULL
		  GROUP BY a.customer_id) t ON t.customer_id = m.customer_id
	-- the limits: credit_limits() joined on the member (the capped customers
	-- listed first, by one aggregate of credit_event_caps() as in
	-- customer_profile: Citus plans it apart, not an ARRAY() sub-select, and
	-- no PL/pgSQL call per member), not credit_limit_rows() per member,
	-- which Citus cannot push down as a lateral join
	-- (the arguments as columns of a one-row subquery kept apart, OFFSET 0:
	-- the planner does not inline a function called with a sub-select;
	-- the caps of a NULL date are as_of()'s, as credit_limits() reads it)
	CROSS JOIN (SELECT credit_group_subtrees.as_of AS as_of,
					   (SELECT pg_catalog.array_agg(ec.customer_id)
						FROM @extschema@.credit_event_caps(coalesce(credit_group_subtrees.as_of, @extschema@.as_of())) ec)
						   AS capped,
					   coalesce((SELECT pg_catalog.array_agg(x.customer_id) FROM @extschema@.credit_exposure x
								 WHERE x.group_path IS NOT NULL), '{}') AS members
				OFFSET 0) k
	-- (the members' limits only: a lookup of one member reads no other limit)
	LEFT JOIN @extschema@.credit_limits(k.as_of, k.capped, k.members) l ON l.customer_id = m.customer_id
	WHERE m.group_path IS NOT NULL;
END;
COMMENT ON FUNCTION @extschema@.credit_group_subtrees(date) IS
	'every customer in a credit group: the exposure of its subtree (itself and its descendants), their number, and its credit limit in force on the date';

-- The groups as a table: every customer in a group, with its parent, its
-- root, its level (1: the root) and, for each customer, the exposure of its
-- subtree with the limit that caps it (credit_group_subtrees()).
CREATE VIEW @extschema@.credit_group WITH (security_invoker = true) AS
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
