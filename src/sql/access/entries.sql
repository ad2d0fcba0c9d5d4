-- Access by customer category (docs/access.md): which roles see which
-- customers.  The entries and the functions that read them live here, before
-- everything that carries a customer's data; the row-level security policies
-- that enforce them on every such table load last (access/policies.sql),
-- once all those tables exist.
--
-- Semantics:
--   - a role with no entry that applies to it sees every customer (so an
--     install without entries behaves as before: access control is opt-in);
--   - an entry applies to its role and to every member of it (pg_has_role
--     ... 'MEMBER', the same inheritance as GRANT);
--   - several applicable entries: the union of what each lets see;
--   - an entry with tags NULL lets see every customer (for a role that is a
--     member of a restricted role but must see everything, e.g. auditors);
--   - members of customer_class_admin (and superusers, and the extension's
--     owner, which row-level security never restricts) see everything: they
--     edit these entries anyway.

CREATE TABLE @extschema@.customer_access (
	role_name		name NOT NULL,
	tags			@extschema@.tagquery,
	granted_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	granted_by		name NOT NULL DEFAULT CURRENT_USER,
	CONSTRAINT customer_access_entry_key UNIQUE NULLS NOT DISTINCT (role_name, tags)
);
-- The entries are configuration: pg_dump keeps them.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.customer_access', '');

-- Every role may read the entries that apply to it (the policies of all the
-- customer tables read them as the caller), and only those; admins read and
-- write all of them.
ALTER TABLE @extschema@.customer_access ENABLE ROW LEVEL SECURITY;
CREATE POLICY customer_access_own ON @extschema@.customer_access
	USING (pg_catalog.pg_has_role('customer_class_admin', 'MEMBER')
		   OR EXISTS (SELECT FROM pg_catalog.pg_roles r
					  WHERE r.rolname = customer_access.role_name AND pg_catalog.pg_has_role(r.oid, 'MEMBER')))
	WITH CHECK (pg_catalog.pg_has_role('customer_class_admin', 'MEMBER'));
GRANT SELECT ON @extschema@.customer_access TO PUBLIC;
GRANT INSERT, UPDATE, DELETE ON @extschema@.customer_access TO customer_class_admin;

-- The session's role, also inside a SECURITY DEFINER function, where
-- current_user is the owner: such functions check access for this role.
-- (SET ROLE shows in the setting "role", as in record_tag_changes().)
CREATE FUNCTION @extschema@.access_caller() RETURNS name
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT CASE WHEN pg_catalog.current_setting('role') = 'none' THEN SESSION_USER
				ELSE pg_catalog.current_setting('role')::name END;
END;

-- The tag query of the customers a role may see; NULL when it sees every
-- customer.  Several entries are joined with |.  Entries naming a role that
-- no longer exists are ignored.
-- On Citus a query routed to one shard (a customer's, e.g. a view WHERE
-- customer_id = 17, or access_allows()) carries this call to the worker,
-- where it runs inside the shard's query; Citus refuses any distributed
-- query there, a read of the reference table customer_access included
-- ("cannot execute a distributed query from a query on a shard"), unless
-- citus.allow_nested_distributed_execution is on.  The read is of the
-- worker's own placement of a reference table, so nothing nests across
-- nodes: it is allowed for this function's query only.  Without Citus the
-- setting is an unused placeholder.
CREATE FUNCTION @extschema@.access_query_of(role_name name) RETURNS @extschema@.tagquery
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	SET citus.allow_nested_distributed_execution = on
BEGIN ATOMIC
	SELECT CASE
		WHEN pg_catalog.pg_has_role(access_query_of.role_name, 'customer_class_admin', 'MEMBER') THEN NULL
		WHEN pg_catalog.bool_or(a.tags IS NULL) THEN NULL
		ELSE pg_catalog.string_agg('(' || a.tags::text || ')', ' | ' ORDER BY a.tags)::@extschema@.tagquery
	END
	FROM @extschema@.customer_access a
	-- the role by to_regrole() (NULL for a role dropped: pg_has_role() is
	-- strict), not a join with pg_roles: Citus plans this query on a worker
	-- with pg_roles expanded to pg_authid, which a non-superuser may not read
	WHERE pg_catalog.pg_has_role(access_query_of.role_name,
								 pg_catalog.to_regrole(pg_catalog.quote_ident(a.role_name))::oid, 'MEMBER');
END;

-- The caller's own: what the row-level security policies use, once per
-- statement (they call it as an uncorrelated subquery).
CREATE FUNCTION @extschema@.access_query() RETURNS @extschema@.tagquery
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT @extschema@.access_query_of(CURRENT_USER);
END;

-- The test of the row-level security policies (95_access_policies.sql): the
-- caller's query NULL (sees every customer) or the customer among those the
-- caller sees in src_customer, read once per statement (src/access.c says
-- why this is C and not an EXISTS in the policy).
CREATE FUNCTION @extschema@.access_visible(customer_id bigint, query @extschema@.tagquery) RETURNS boolean
	AS 'MODULE_PATHNAME', 'customer_class_access_visible'
	LANGUAGE C STABLE PARALLEL SAFE COST 1;
COMMENT ON FUNCTION @extschema@.access_visible(bigint, @extschema@.tagquery) IS
	'row-level security test: true when the query (the caller''s access_query()) is NULL or the customer is one the caller sees in src_customer';

-- May this role see this customer?  For SECURITY DEFINER functions, which
-- row-level security does not restrict, to check before they answer: they
-- pass access_caller().  A customer that does not exist is not visible.
-- A string body, like src_*_rows() (sources/views.sql): the customers are the
-- user's table, which nothing of the extension may pin (sources/user_data.sql).
-- PL/pgSQL: on Citus the query of a SQL function with parameters cannot be
-- routed to the customer's shard ("could not create distributed plan",
-- docs/citus.md); PL/pgSQL passes the customer as a value Citus routes by.
CREATE FUNCTION @extschema@.access_allows(customer_id bigint, role_name name) RETURNS boolean
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
AS $$
BEGIN
	RETURN EXISTS (SELECT FROM @extschema@.src_customer c, (SELECT @extschema@.access_query_of($2) AS q) s
				   WHERE c.customer_id = $1 AND (s.q IS NULL OR c.tags OPERATOR(@extschema@.@@) s.q));
END
$$;

-- Let a role (and its members) see the customers whose tags match a query,
-- or every customer.  Returns false when the entry existed already.
CREATE FUNCTION @extschema@.grant_customer_access(role_name name, tags @extschema@.tagquery DEFAULT NULL,
												  all_customers boolean DEFAULT false)
	RETURNS boolean
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF role_name IS NULL OR NOT EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = grant_customer_access.role_name) THEN
		RAISE EXCEPTION 'role "%" does not exist', role_name
			USING ERRCODE = 'undefined_object',
				  HINT = 'Create the role first; access is granted to existing roles only.';
	END IF;
	IF tags IS NULL AND all_customers IS NOT TRUE THEN
		RAISE EXCEPTION 'no tag query given for role "%"', role_name
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Give a tag query, e.g. ''region.east.*'', or all_customers => true to let the role see every customer.';
	END IF;
	IF tags IS NOT NULL AND all_customers THEN
		RAISE EXCEPTION 'a tag query and all_customers => true exclude each other'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Grant one entry for the query, or one for every customer.';
	END IF;
	INSERT INTO @extschema@.customer_access (role_name, tags)
	VALUES (grant_customer_access.role_name, grant_customer_access.tags)
	ON CONFLICT ON CONSTRAINT customer_access_entry_key DO NOTHING;
	RETURN FOUND;
END
$$;

-- Remove one entry of a role (tags given), its every-customer entry
-- (all_customers => true), or all its entries (neither); returns how many.
CREATE FUNCTION @extschema@.revoke_customer_access(role_name name, tags @extschema@.tagquery DEFAULT NULL,
												   all_customers boolean DEFAULT false)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n bigint;
BEGIN
	IF tags IS NOT NULL AND all_customers THEN
		RAISE EXCEPTION 'a tag query and all_customers => true exclude each other'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Revoke the entry for the query, or the one for every customer.';
	END IF;
	DELETE FROM @extschema@.customer_access a
	WHERE a.role_name = revoke_customer_access.role_name
	  AND (CASE WHEN revoke_customer_access.tags IS NOT NULL THEN a.tags OPERATOR(@extschema@.=) revoke_customer_access.tags
				WHEN all_customers THEN a.tags IS NULL
				ELSE true END);
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;

REVOKE EXECUTE ON FUNCTION @extschema@.grant_customer_access(name, @extschema@.tagquery, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.revoke_customer_access(name, @extschema@.tagquery, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.grant_customer_access(name, @extschema@.tagquery, boolean) TO customer_class_admin;
GRANT EXECUTE ON FUNCTION @extschema@.revoke_customer_access(name, @extschema@.tagquery, boolean) TO customer_class_admin;

COMMENT ON TABLE @extschema@.customer_access IS
	'access by customer category: a role and its members see the customers whose tags match the query (NULL: every customer); a role with no entry sees every customer; several entries add up (docs/access.md)';
COMMENT ON COLUMN @extschema@.customer_access.role_name IS 'the role granted (its members too)';
COMMENT ON COLUMN @extschema@.customer_access.tags IS
	'tag query of the customers it may see, e.g. region.east.*; NULL: every customer';
COMMENT ON COLUMN @extschema@.customer_access.granted_at IS 'when the entry was made';
COMMENT ON COLUMN @extschema@.customer_access.granted_by IS 'who made it';
COMMENT ON POLICY customer_access_own ON @extschema@.customer_access IS
	'a role reads the entries that apply to it; admins read and write all';
COMMENT ON FUNCTION @extschema@.access_caller() IS
	'the session''s role (login or SET ROLE), also inside SECURITY DEFINER functions: whose access they check';
COMMENT ON FUNCTION @extschema@.access_query_of(name) IS
	'the tag query of the customers a role may see (its entries and those of the roles it is a member of, joined with |); NULL when it sees every customer';
COMMENT ON FUNCTION @extschema@.access_query() IS
	'access_query_of(current_user): what the row-level security policies compare each customer''s tags with';
COMMENT ON FUNCTION @extschema@.access_allows(bigint, name) IS
	'may this role see this customer? (false for a customer that does not exist); for SECURITY DEFINER functions, with access_caller()';
COMMENT ON FUNCTION @extschema@.grant_customer_access(name, @extschema@.tagquery, boolean) IS
	'let a role and its members see the customers whose tags match the query, or every customer (all_customers => true); false when the entry existed';
COMMENT ON FUNCTION @extschema@.revoke_customer_access(name, @extschema@.tagquery, boolean) IS
	'remove a role''s entry for a query, its every-customer entry (all_customers => true), or all its entries (neither); returns how many';
