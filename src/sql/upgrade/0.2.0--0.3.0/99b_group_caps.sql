-- 0.2.0 -> 0.3.0: credit_group_subtrees() reads the capped customers as one aggregate of credit_event_caps(), as
-- customer_profile does, not by a PL/pgSQL credit_event_cap() call per group member (it and the credit_group view
-- now load after credit/warnings.sql, in credit/group_views.sql; the view is unchanged).

-- Every customer in a credit group with the exposure of its subtree (itself
-- and all its descendants, from the ledger), their number, and its credit
-- limit in force on the date (credit_limits()): one grouped pass over
-- the group members' ledger rows, each member's exposure counted for itself
-- and for each of its ancestors.  For credit_group and customer_profile,
-- which join it: on Citus a group's members are on different shards, and
-- Citus runs such a pass and joins its result, but not a sub-select per
-- member that reads other customers (docs/citus.md).
CREATE OR REPLACE FUNCTION @extschema@.credit_group_subtrees(as_of date)
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
