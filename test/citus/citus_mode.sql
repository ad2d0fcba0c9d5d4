-- Stage 1 stand-in for what customer_class.distribute() will do to the
-- canonical source views (docs/citus.md, "The sources"): read source_<role>
-- directly.  Through the late-bound src_*_rows() SQL functions Citus sees a
-- function, not the distributed table, and fails once PostgreSQL inlines it
-- ("parameterized queries for SQL functions referencing distributed tables
-- are not supported").
CREATE OR REPLACE VIEW customer_class.src_customer WITH (security_invoker = true) AS
	SELECT customer_id, name, customer_type, industry, region, size_class,
		   credit_limit::numeric(18,2) AS credit_limit, payment_terms_days, created_on, tags, payment_terms_basis
	FROM customer_class.source_customer;
CREATE OR REPLACE VIEW customer_class.src_order WITH (security_invoker = true) AS
	SELECT order_id, customer_id, ordered_on, amount::numeric(18,2) AS amount, status, shipped_on, company_id
	FROM customer_class.source_order;
CREATE OR REPLACE VIEW customer_class.src_invoice WITH (security_invoker = true) AS
	SELECT invoice_id, customer_id, order_id, issued_on, due_on, amount::numeric(18,2) AS amount, company_id
	FROM customer_class.source_invoice;
CREATE OR REPLACE VIEW customer_class.src_payment WITH (security_invoker = true) AS
	SELECT payment_id, customer_id, invoice_id, paid_on, amount::numeric(18,2) AS amount, kind, company_id
	FROM customer_class.source_payment;
