-- Canonical source views.  Every computation reads these, never the managed
-- tables, so that bind_source() (sources/binding.sql) can point them at an
-- ERP's own tables.  security_invoker: the caller's privileges and row-level
-- security apply.
--
-- Each reads the view source_<role>, which reads the managed table or the
-- relation the source is bound to.  Those views are the user's
-- configuration, not part of the extension (see sources/binding.sql and
-- sources/user_data.sql): pg_dump writes them as ordinary views, which a
-- restore creates after CREATE EXTENSION.  So no view of the extension may
-- name them directly (a view pins what it reads): each view reads its source
-- through a SQL function with a string body, which records no dependency and
-- is looked up when a query is planned.  The planner inlines these functions
-- (STABLE, not STRICT, not SECURITY DEFINER, no SET) and then the view they
-- read: plans are the same as with the table named in the view.  The casts
-- keep the views' column types (numeric(18,2)) those of the managed tables.

CREATE FUNCTION @extschema@.src_customer_rows()
	RETURNS TABLE (customer_id bigint, name text, customer_type text, industry text, region text,
				   size_class text, credit_limit numeric, payment_terms_days integer, created_on date,
				   tags @extschema@.tagset, payment_terms_basis text, parent_id bigint)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT customer_id, name, customer_type, industry, region, size_class,
		   credit_limit, payment_terms_days, created_on, tags, payment_terms_basis, parent_id
	FROM @extschema@.source_customer
$$;

CREATE FUNCTION @extschema@.src_order_rows()
	RETURNS TABLE (order_id bigint, customer_id bigint, ordered_on date, amount numeric, status text,
				   shipped_on date, company_id bigint, cost numeric, planned_ship_on date)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT order_id, customer_id, ordered_on, amount, status, shipped_on, company_id, cost, planned_ship_on
	FROM @extschema@.source_order
$$;

CREATE FUNCTION @extschema@.src_invoice_rows()
	RETURNS TABLE (invoice_id bigint, customer_id bigint, order_id bigint, issued_on date, due_on date,
				   amount numeric, company_id bigint, cost numeric)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT invoice_id, customer_id, order_id, issued_on, due_on, amount, company_id, cost
	FROM @extschema@.source_invoice
$$;

CREATE FUNCTION @extschema@.src_payment_rows()
	RETURNS TABLE (payment_id bigint, customer_id bigint, invoice_id bigint, paid_on date, amount numeric,
				   kind text, company_id bigint)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT payment_id, customer_id, invoice_id, paid_on, amount, kind, company_id
	FROM @extschema@.source_payment
$$;

CREATE FUNCTION @extschema@.src_credit_limit_rows()
	RETURNS TABLE (customer_id bigint, company_id bigint, credit_limit numeric)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT customer_id, company_id, credit_limit
	FROM @extschema@.source_credit_limit
$$;

-- Row locks do not pass through these functions: FOR UPDATE on a view over
-- a function call locks nothing (the rewriter marks tables only, and the
-- function is inlined later).  So the one caller that locks a source row --
-- the invoice trigger, which locks the order it bills -- locks it through
-- this function, late-bound like the others.
CREATE FUNCTION @extschema@.src_order_locked(order_id bigint, order_customer_id bigint)
	RETURNS TABLE (customer_id bigint, amount numeric, status text)
	LANGUAGE sql VOLATILE
AS $$
	SELECT so.customer_id, so.amount, so.status
	FROM @extschema@.sales_order so
	WHERE so.order_id = $1 AND so.customer_id = $2
	FOR NO KEY UPDATE
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.src_order_locked(bigint, bigint) FROM PUBLIC;

CREATE VIEW @extschema@.src_customer WITH (security_invoker = true) AS
	SELECT customer_id, name, customer_type, industry, region, size_class,
		   credit_limit::numeric(18,2) AS credit_limit, payment_terms_days, created_on, tags, payment_terms_basis,
		   parent_id
	FROM @extschema@.src_customer_rows();

CREATE VIEW @extschema@.src_order WITH (security_invoker = true) AS
	SELECT order_id, customer_id, ordered_on, amount::numeric(18,2) AS amount, status, shipped_on, company_id,
		   cost::numeric(18,2) AS cost, planned_ship_on
	FROM @extschema@.src_order_rows();

CREATE VIEW @extschema@.src_invoice WITH (security_invoker = true) AS
	SELECT invoice_id, customer_id, order_id, issued_on, due_on, amount::numeric(18,2) AS amount, company_id,
		   cost::numeric(18,2) AS cost
	FROM @extschema@.src_invoice_rows();

CREATE VIEW @extschema@.src_payment WITH (security_invoker = true) AS
	SELECT payment_id, customer_id, invoice_id, paid_on, amount::numeric(18,2) AS amount, kind, company_id
	FROM @extschema@.src_payment_rows();

CREATE VIEW @extschema@.src_credit_limit WITH (security_invoker = true) AS
	SELECT customer_id, company_id, credit_limit::numeric(18,2) AS credit_limit
	FROM @extschema@.src_credit_limit_rows();

GRANT SELECT ON @extschema@.src_customer, @extschema@.src_order,
	@extschema@.src_invoice, @extschema@.src_payment, @extschema@.src_credit_limit TO customer_class_reader;

COMMENT ON VIEW @extschema@.src_customer IS 'canonical source of customers';
COMMENT ON COLUMN @extschema@.src_customer.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.src_customer.name IS 'customer name';
COMMENT ON COLUMN @extschema@.src_customer.customer_type IS 'enterprise or individual';
COMMENT ON COLUMN @extschema@.src_customer.industry IS 'industry code';
COMMENT ON COLUMN @extschema@.src_customer.region IS 'region as a dotted path';
COMMENT ON COLUMN @extschema@.src_customer.size_class IS 'micro, small, medium or large';
COMMENT ON COLUMN @extschema@.src_customer.credit_limit IS 'own credit limit; NULL = grade default';
COMMENT ON COLUMN @extschema@.src_customer.payment_terms_days IS 'agreed payment terms in days';
COMMENT ON COLUMN @extschema@.src_customer.created_on IS 'date the customer was opened';
COMMENT ON COLUMN @extschema@.src_customer.tags IS 'the customer''s tags (tagset)';
COMMENT ON COLUMN @extschema@.src_customer.payment_terms_basis IS 'payment terms count from: invoice or month_end';
COMMENT ON COLUMN @extschema@.src_customer.parent_id IS 'group parent (集团): its credit limit caps the group''s exposure; NULL: none';

COMMENT ON VIEW @extschema@.src_order IS 'canonical source of sales orders';
COMMENT ON COLUMN @extschema@.src_order.order_id IS 'order key';
COMMENT ON COLUMN @extschema@.src_order.customer_id IS 'ordering customer';
COMMENT ON COLUMN @extschema@.src_order.ordered_on IS 'order date';
COMMENT ON COLUMN @extschema@.src_order.amount IS 'order amount';
COMMENT ON COLUMN @extschema@.src_order.status IS 'open, shipped, invoiced or cancelled';
COMMENT ON COLUMN @extschema@.src_order.shipped_on IS 'delivery date, when shipped';
COMMENT ON COLUMN @extschema@.src_order.company_id IS 'the selling company; NULL: the one company';
COMMENT ON COLUMN @extschema@.src_order.cost IS 'expected cost of what was ordered; NULL: not known';
COMMENT ON COLUMN @extschema@.src_order.planned_ship_on IS 'requested or planned delivery date (NULL: none; the rule horizon then counts the order)';

COMMENT ON VIEW @extschema@.src_invoice IS 'canonical source of customer invoices';
COMMENT ON COLUMN @extschema@.src_invoice.invoice_id IS 'invoice key';
COMMENT ON COLUMN @extschema@.src_invoice.customer_id IS 'billed customer';
COMMENT ON COLUMN @extschema@.src_invoice.order_id IS 'the order billed, if any';
COMMENT ON COLUMN @extschema@.src_invoice.issued_on IS 'issue date';
COMMENT ON COLUMN @extschema@.src_invoice.due_on IS 'due date (from the payment terms when the invoice was written without one)';
COMMENT ON COLUMN @extschema@.src_invoice.amount IS 'invoiced amount, in the company''s currency';
COMMENT ON COLUMN @extschema@.src_invoice.company_id IS 'the invoicing company; NULL: the one company';
COMMENT ON COLUMN @extschema@.src_invoice.cost IS 'cost of what was invoiced (cost of sales), in the company''s currency; NULL: not known (no gross profit)';

COMMENT ON VIEW @extschema@.src_payment IS 'canonical source of payments and credit notes';
COMMENT ON COLUMN @extschema@.src_payment.payment_id IS 'payment key';
COMMENT ON COLUMN @extschema@.src_payment.customer_id IS 'paying customer';
COMMENT ON COLUMN @extschema@.src_payment.invoice_id IS 'invoice settled; NULL when unapplied';
COMMENT ON COLUMN @extschema@.src_payment.paid_on IS 'payment or credit date';
COMMENT ON COLUMN @extschema@.src_payment.amount IS 'amount, positive';
COMMENT ON COLUMN @extschema@.src_payment.kind IS 'payment or credit_note';
COMMENT ON COLUMN @extschema@.src_payment.company_id IS 'the company paid; NULL: the one company';

COMMENT ON VIEW @extschema@.src_credit_limit IS 'canonical source of per-company credit limits (no rows unless bound)';
COMMENT ON COLUMN @extschema@.src_credit_limit.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.src_credit_limit.company_id IS 'the company granting the limit; NULL: the one company';
COMMENT ON COLUMN @extschema@.src_credit_limit.credit_limit IS 'the customer''s credit limit in that company, in its currency';

COMMENT ON FUNCTION @extschema@.src_customer_rows() IS
	'internal: the rows of source_customer (the managed table customer or the bound relation), for src_customer (late-bound: the view does not pin it)';
COMMENT ON FUNCTION @extschema@.src_order_rows() IS
	'internal: the rows of source_order (the managed table sales_order or the bound relation), for src_order (late-bound: the view does not pin it)';
COMMENT ON FUNCTION @extschema@.src_invoice_rows() IS
	'internal: the rows of source_invoice (the managed table invoice or the bound relation), for src_invoice (late-bound: the view does not pin it)';
COMMENT ON FUNCTION @extschema@.src_payment_rows() IS
	'internal: the rows of source_payment (the managed table payment or the bound relation), for src_payment (late-bound: the view does not pin it)';
COMMENT ON FUNCTION @extschema@.src_credit_limit_rows() IS
	'internal: the rows of source_credit_limit (no rows, or the bound relation), for src_credit_limit (late-bound: the view does not pin it)';
COMMENT ON FUNCTION @extschema@.src_order_locked(bigint, bigint) IS
	'internal: an order''s customer, amount and status (the order and its customer given: on Citus the customer routes the query), its row locked FOR NO KEY UPDATE (row locks do not pass through the late-bound src_order)';

-- The columns of the source_<role> views (sources/binding.sql) mean what
-- those of the src_* views mean: the same comments.  (They stay through
-- CREATE OR REPLACE VIEW, and pg_dump writes them with the views.)
DO $comments$
DECLARE
	c record;
BEGIN
	FOR c IN
		SELECT v.relname, a.attname, pg_catalog.col_description(s.oid, sa.attnum) AS description
		FROM pg_catalog.pg_class v
		JOIN pg_catalog.pg_attribute a ON a.attrelid = v.oid AND a.attnum > 0
		JOIN pg_catalog.pg_class s ON s.relnamespace = v.relnamespace
			 AND s.relname = 'src_' || pg_catalog.substr(v.relname, 8)
		JOIN pg_catalog.pg_attribute sa ON sa.attrelid = s.oid AND sa.attname = a.attname
		WHERE v.relnamespace = '@extschema@'::regnamespace AND v.relname LIKE 'source\_%' AND v.relkind = 'v'
	LOOP
		EXECUTE pg_catalog.format('COMMENT ON COLUMN @extschema@.%I.%I IS %L', c.relname, c.attname, c.description);
	END LOOP;
END
$comments$;
