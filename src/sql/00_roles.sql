-- Roles.  They are cluster-wide, so they may exist already (another database,
-- an earlier install): create each only when missing, never fail.
--   customer_class_reader   reads profiles, reports and sources (BI tools)
--   customer_class_analyst  reader + runs computations, writes manual tags
--   customer_class_admin    analyst + edits policies, sources and managed data
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
	IF NOT pg_catalog.pg_has_role('customer_class_analyst', 'customer_class_reader', 'MEMBER') THEN
		GRANT customer_class_reader TO customer_class_analyst;
	END IF;
	IF NOT pg_catalog.pg_has_role('customer_class_admin', 'customer_class_analyst', 'MEMBER') THEN
		GRANT customer_class_analyst TO customer_class_admin;
	END IF;
END
$roles$;

GRANT USAGE ON SCHEMA @extschema@ TO customer_class_reader;

COMMENT ON SCHEMA @extschema@ IS
	'customer_class: customer classification and trade-credit control';
