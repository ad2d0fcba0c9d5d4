-- Stand-in for customer_class.distribute('customer') (issue 19, being
-- written beside this): the tables refresh() reads or writes, distributed
-- by customer_id and colocated with the bound ERP tables, and the settings
-- it reads as reference tables.  Test scaffolding only: keys get customer_id,
-- foreign keys and row-level security policies go (the refresh runs as the
-- owner), the settings' triggers are off while Citus copies them.  Replace
-- it by distribute() once that exists.
SET client_min_messages = warning;
SET citus.enable_unsafe_triggers = on;
DO $$
DECLARE
	t regclass;
	con record;
BEGIN
	FOREACH t IN ARRAY ARRAY['customer_class.profile', 'customer_class.dirty', 'customer_class.class_history',
		'customer_class.alerts', 'customer_class.credit_override', 'customer_class.external_event',
		'customer_class.external_score']::regclass[] LOOP
		FOR con IN SELECT polname FROM pg_policy WHERE polrelid = t LOOP
			EXECUTE format('DROP POLICY %I ON %s', con.polname, t);
		END LOOP;
		FOR con IN SELECT k.conname, k.contype, pg_get_constraintdef(k.oid) AS def FROM pg_constraint k
				WHERE k.conrelid = t AND k.contype IN ('p','u','f') LOOP
			IF con.contype = 'f' THEN
				EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', t, con.conname);
			ELSIF con.def !~ 'customer_id' THEN
				EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I, ADD CONSTRAINT %I %s', t, con.conname, con.conname,
					regexp_replace(con.def, '\)', ', customer_id)'));
			END IF;
		END LOOP;
	END LOOP;
	FOREACH t IN ARRAY ARRAY['customer_class.profile', 'customer_class.dirty', 'customer_class.class_history',
		'customer_class.alerts', 'customer_class.credit_override', 'customer_class.external_event',
		'customer_class.external_score']::regclass[] LOOP
		PERFORM create_distributed_table(t, 'customer_id', colocate_with => 'erp.customer');
	END LOOP;
END
$$;
DO $$
DECLARE
	t regclass;
	con record;
BEGIN
	FOREACH t IN ARRAY ARRAY['customer_class.scorecard', 'customer_class.risk_factor', 'customer_class.credit_setting',
		'customer_class.lifecycle_policy', 'customer_class.tag_rule']::regclass[] LOOP
		FOR con IN SELECT polname FROM pg_policy WHERE polrelid = t LOOP
			EXECUTE format('DROP POLICY %I ON %s', con.polname, t);
		END LOOP;
		FOR con IN SELECT k.conname, k.conrelid::regclass AS rel FROM pg_constraint k WHERE (k.conrelid = t OR k.confrelid = t) AND k.contype = 'f' LOOP
			EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', con.rel, con.conname);
		END LOOP;
		EXECUTE format('ALTER TABLE %s DISABLE TRIGGER USER', t);
		PERFORM create_reference_table(t);
		EXECUTE format('ALTER TABLE %s ENABLE TRIGGER USER', t);
	END LOOP;
END
$$;
