-- The 'tenant' shape's layout by hand, for the company filter of the planner
-- hook (src/citus_tenant.c): profile, credit_exposure and dirty distributed
-- by company_id and colocated (distribute('tenant') is not built yet, see
-- docs/citus.md).  Run by test/citus/run.sh in a database of its own.
SET client_min_messages = warning;
SET citus.enable_unsafe_triggers = on;
-- Citus needs the distribution column in every key (the views that lean on
-- profile's key go with it: this database is for the filter only); a row
-- written through the coordinator takes the session's company.  On every
-- node: CREATE EXTENSION made the workers' copies of the extension's
-- tables, which Citus uses as they are.  The row-level security policies,
-- which read access_query() in a sub-select Citus refuses (distribute()
-- rewrites them), go too.
DO $$
DECLARE
	ddl text := 'SET client_min_messages = warning; ';
	p record;
	w record;
BEGIN
	FOR p IN SELECT policyname, tablename FROM pg_policies
			 WHERE schemaname = 'customer_class' AND tablename IN ('profile', 'credit_exposure', 'dirty') LOOP
		ddl := ddl || format('DROP POLICY %I ON customer_class.%I; ', p.policyname, p.tablename);
	END LOOP;
	ddl := ddl || $ddl$
		ALTER TABLE customer_class.profile ADD COLUMN company_id bigint NOT NULL DEFAULT 0;
		ALTER TABLE customer_class.profile DROP CONSTRAINT profile_pkey CASCADE;
		ALTER TABLE customer_class.profile ADD PRIMARY KEY (company_id, customer_id);
		ALTER TABLE customer_class.credit_exposure ADD COLUMN company_id bigint NOT NULL DEFAULT 0;
		ALTER TABLE customer_class.credit_exposure DROP CONSTRAINT credit_exposure_pkey CASCADE;
		ALTER TABLE customer_class.credit_exposure ADD PRIMARY KEY (company_id, customer_id);
		ALTER TABLE customer_class.dirty ADD COLUMN company_id bigint NOT NULL DEFAULT customer_class.company();
		ALTER TABLE customer_class.profile DISABLE TRIGGER USER;
		ALTER TABLE customer_class.credit_exposure DISABLE TRIGGER USER;
		ALTER TABLE customer_class.dirty DISABLE TRIGGER USER;
	$ddl$;
	EXECUTE ddl;
	FOR w IN SELECT * FROM run_command_on_workers(ddl) WHERE NOT success LOOP
		RAISE EXCEPTION 'worker %:%: %', w.nodename, w.nodeport, w.result;
	END LOOP;
END $$;
SELECT create_distributed_table('customer_class.profile', 'company_id');
SELECT create_distributed_table('customer_class.credit_exposure', 'company_id', colocate_with => 'customer_class.profile');
SELECT create_distributed_table('customer_class.dirty', 'company_id', colocate_with => 'customer_class.profile');
-- 60 customers of companies 0 to 2 (customer_id % 3), two queue rows each
INSERT INTO customer_class.credit_exposure (company_id, customer_id, open_orders)
SELECT c % 3, c, c * 10 FROM generate_series(1, 60) c;
INSERT INTO customer_class.dirty (company_id, customer_id)
SELECT c % 3, c FROM generate_series(1, 60) c, generate_series(1, 2);
