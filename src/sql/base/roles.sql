-- Roles.  They are cluster-wide, so they may exist already (another database,
-- an earlier install): create each only when missing, never fail.
--   customer_class_reader   reads profiles, reports and sources (BI tools)
--   customer_class_analyst  reader + runs computations, writes manual tags
--   customer_class_admin    analyst + edits policies, sources and managed data
--   customer_class_rule_checker  no privileges at all, member of nothing:
--                           tag rule conditions are parsed and checked as
--                           this role (src/tag_rule.c, docs/rules.md);
--                           it is never granted to anyone
DO $roles$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['customer_class_reader', 'customer_class_analyst', 'customer_class_admin']
	LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
			EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
		END IF;
	END LOOP;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'customer_class_rule_checker') THEN
		CREATE ROLE customer_class_rule_checker NOLOGIN;
	END IF;
	IF NOT pg_catalog.pg_has_role('customer_class_analyst', 'customer_class_reader', 'MEMBER') THEN
		GRANT customer_class_reader TO customer_class_analyst;
	END IF;
	IF NOT pg_catalog.pg_has_role('customer_class_admin', 'customer_class_analyst', 'MEMBER') THEN
		GRANT customer_class_analyst TO customer_class_admin;
	END IF;
END
$roles$;

GRANT USAGE ON SCHEMA @extschema@ TO customer_class_reader;
-- the checker resolves the extension's names, and may do nothing else
GRANT USAGE ON SCHEMA @extschema@ TO customer_class_rule_checker;

COMMENT ON SCHEMA @extschema@ IS
	'customer_class: customer classification and trade-credit control';
