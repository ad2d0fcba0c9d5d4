-- Stage 1 stand-in for what customer_class.distribute() will do to the
-- canonical source views (docs/citus.md, "The sources"): read source_<role>
-- directly.  Through the late-bound src_*_rows() SQL functions Citus sees a
-- function, not the distributed table, and fails once PostgreSQL inlines it
-- ("parameterized queries for SQL functions referencing distributed tables
-- are not supported").  Each view keeps its definition (columns, casts),
-- with the function call replaced by the view it reads.
DO $$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['customer', 'order', 'invoice', 'payment'] LOOP
		EXECUTE format('CREATE OR REPLACE VIEW customer_class.%I WITH (security_invoker = true) AS %s',
					   'src_' || r,
					   replace(pg_catalog.pg_get_viewdef(format('customer_class.%I', 'src_' || r)::regclass),
							   format('customer_class.src_%s_rows()', r),
							   format('customer_class.source_%s', r)));
	END LOOP;
END
$$;
