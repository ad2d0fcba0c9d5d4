-- Access by customer category, enforced (docs/access.md; the entries and
-- access_query() are in access/entries.sql).  Every table that carries a
-- customer's data gets row-level security and one policy:
--   customer        the customer's tags match the caller's access_query();
--   the others      their customer_id names a customer the caller sees in
--                   src_customer (customer's own policy then decides; the
--                   view, not the table: nothing may pin the user's table,
--                   sources/user_data.sql).
-- The policies apply to reading and writing (USING and WITH CHECK), so a
-- restricted role can neither read nor write another category's rows.
--
-- Cost: access_query() runs once per statement (an uncorrelated subquery,
-- an InitPlan), never per row.  A role that sees every customer stops at
-- that NULL; a restricted one pays the tag match per customer row (the C
-- operator, no SQL function call) and, on the other tables, one binary
-- search per row in the ids of its customers, read once per statement by
-- access_visible() (src/access.c; an EXISTS here was costed as a subquery
-- per row, which cost every analyst JIT and the parallel plans).
--
-- The extension's owner is never restricted by row-level security, so
-- refresh(), the credit check triggers and the other SECURITY DEFINER
-- functions still see and keep every customer; those that answer a caller
-- about one customer check access_allows(..., access_caller()) themselves.
-- Views read these tables with security_invoker, so they honour the
-- policies as well.

-- Once a table has row-level security, a condition of the caller's query
-- is used in an index scan only when its function is LEAKPROOF (otherwise
-- it could see rows before the policy has filtered them): without this, a
-- reader's GIN tag query on customer would turn into a sequential scan.
-- The tag comparisons are: on valid values they raise no error and have no
-- side effect (src/tagset_sql.c, TagQueryMatch in src/tagquery.c).
ALTER FUNCTION @extschema@.tagset_contains(@extschema@.tagset, @extschema@.tagset) LEAKPROOF;
ALTER FUNCTION @extschema@.tagset_contained(@extschema@.tagset, @extschema@.tagset) LEAKPROOF;
ALTER FUNCTION @extschema@.tagset_overlap(@extschema@.tagset, @extschema@.tagset) LEAKPROOF;
ALTER FUNCTION @extschema@.tagset_exists(@extschema@.tagset, text) LEAKPROOF;
ALTER FUNCTION @extschema@.tagset_match(@extschema@.tagset, @extschema@.tagquery) LEAKPROOF;
ALTER FUNCTION @extschema@.tagquery_match(@extschema@.tagquery, @extschema@.tagset) LEAKPROOF;
ALTER FUNCTION @extschema@.tagset_eq(@extschema@.tagset, @extschema@.tagset) LEAKPROOF;
ALTER FUNCTION @extschema@.tagset_ne(@extschema@.tagset, @extschema@.tagset) LEAKPROOF;

ALTER TABLE @extschema@.customer ENABLE ROW LEVEL SECURITY;
CREATE POLICY customer_access ON @extschema@.customer
	USING (coalesce(customer.tags OPERATOR(@extschema@.@@) (SELECT @extschema@.access_query()), true))
	WITH CHECK (coalesce(customer.tags OPERATOR(@extschema@.@@) (SELECT @extschema@.access_query()), true));
COMMENT ON POLICY customer_access ON @extschema@.customer IS
	'access by customer category: a restricted role sees and writes the customers whose tags match its access_query()';

DO $policies$
DECLARE
	t text;
BEGIN
	-- the same policy on each of these tables: keep this list complete (the
	-- regression test access.sql fails for a table with a customer_id
	-- column and no policy)
	FOREACH t IN ARRAY ARRAY['sales_order', 'invoice', 'payment', 'profile', 'class_history', 'dirty',
							 'external_score', 'credit_override', 'credit_limit_override',
							 'credit_check_exception', 'credit_exposure', 'alerts', 'external_event', 'rewound_row',
							 'invoice_dispute', 'dunning_notice', 'payment_promise', 'credit_limit_request', 'credit_hold']
	LOOP
		EXECUTE pg_catalog.format('ALTER TABLE @extschema@.%I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE pg_catalog.format($f$
			CREATE POLICY customer_access ON @extschema@.%1$I
				USING (@extschema@.access_visible(%1$I.customer_id, (SELECT @extschema@.access_query())))
				WITH CHECK (@extschema@.access_visible(%1$I.customer_id, (SELECT @extschema@.access_query())))$f$, t);
		EXECUTE pg_catalog.format($f$COMMENT ON POLICY customer_access ON @extschema@.%I IS %L$f$, t,
			'access by customer category: a restricted role sees and writes the rows of the customers it sees in customer');
	END LOOP;
END
$policies$;

-- The check menu's rows for everyone or a grade (customer_id NULL) concern
-- no customer in particular: every reader sees them, as it sees the
-- settings, so that credit_evaluate() answers the same for every role.
ALTER TABLE @extschema@.credit_check_rule ENABLE ROW LEVEL SECURITY;
CREATE POLICY customer_access ON @extschema@.credit_check_rule
	USING (credit_check_rule.customer_id IS NULL
		   OR @extschema@.access_visible(credit_check_rule.customer_id, (SELECT @extschema@.access_query())))
	WITH CHECK (credit_check_rule.customer_id IS NULL
				OR @extschema@.access_visible(credit_check_rule.customer_id, (SELECT @extschema@.access_query())));
COMMENT ON POLICY customer_access ON @extschema@.credit_check_rule IS
	'access by customer category: a restricted role sees the rules for everyone and for grades, and those of the customers it sees in customer';
