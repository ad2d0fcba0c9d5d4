-- The aging report (aging_report: open items, aging_agg, the customers) over
-- sources bound to an ERP-shaped copy of the sample data (ours) against the
-- same data in the managed tables (baseline).  Target (issue 16): bound at
-- most 1.5x managed, ratio >= 0.67.  Binding and unbinding are not timed.
-- @setup
-- An ERP-shaped copy of the sample data (its own names, its own indexes --
-- those an ERP has: keys and a customer/date index, no covering ones --
-- the payments a table, and also a view joining header and lines, which
-- case binding_aging_join binds), granted to the readers.
DROP SCHEMA IF EXISTS "ERP bench" CASCADE;
CREATE SCHEMA "ERP bench";
CREATE TABLE "ERP bench"."Party" (id integer PRIMARY KEY, "Name" text NOT NULL, "Type" text, "Industry" text,
	"Region" text, "Size" text, "Credit Limit" numeric(16, 2), "Terms" smallint, "Since" date, "Basis" text,
	active boolean NOT NULL);
INSERT INTO "ERP bench"."Party" SELECT customer_id, name, customer_type, industry, region, size_class, credit_limit,
	payment_terms_days, created_on, payment_terms_basis, true FROM customer_class.customer;
CREATE TABLE "ERP bench"."Sale Order" (id bigint PRIMARY KEY, party integer NOT NULL, "Order Date" date NOT NULL,
	"Total" numeric(16, 2), state text, "Shipped" date, company integer NOT NULL);
INSERT INTO "ERP bench"."Sale Order" SELECT order_id, customer_id, ordered_on, amount, status, shipped_on, 1
FROM customer_class.sales_order;
CREATE INDEX ON "ERP bench"."Sale Order" (party, "Order Date");
CREATE TABLE "ERP bench"."Receivable" (id bigint PRIMARY KEY, party bigint NOT NULL, sale bigint,
	"Date" date NOT NULL, "Maturity" date NOT NULL, "Amount" numeric(16, 2) NOT NULL, company integer NOT NULL);
INSERT INTO "ERP bench"."Receivable" SELECT invoice_id, customer_id, order_id, issued_on, due_on, amount, 1
FROM customer_class.invoice;
CREATE INDEX ON "ERP bench"."Receivable" (party, "Maturity");
CREATE TABLE "ERP bench"."Payment" (id bigint PRIMARY KEY, party bigint NOT NULL, company integer NOT NULL);
CREATE TABLE "ERP bench"."Payment Line" (id bigint PRIMARY KEY REFERENCES "ERP bench"."Payment", receivable bigint,
	"Date" date NOT NULL, "Amount" numeric(16, 2) NOT NULL, "Credit Note" boolean NOT NULL);
INSERT INTO "ERP bench"."Payment" SELECT payment_id, customer_id, 1 FROM customer_class.payment;
INSERT INTO "ERP bench"."Payment Line" SELECT payment_id, invoice_id, paid_on, amount, kind = 'credit_note'
FROM customer_class.payment;
CREATE INDEX ON "ERP bench"."Payment" (party);
CREATE INDEX ON "ERP bench"."Payment Line" (receivable);
CREATE TABLE "ERP bench"."Customer Payment" (id bigint PRIMARY KEY, party bigint NOT NULL, receivable bigint,
	"Date" date NOT NULL, "Amount" numeric(16, 2) NOT NULL, kind text NOT NULL, company integer NOT NULL);
INSERT INTO "ERP bench"."Customer Payment" SELECT payment_id, customer_id, invoice_id, paid_on, amount, kind, 1
FROM customer_class.payment;
CREATE INDEX ON "ERP bench"."Customer Payment" (party, "Date");
CREATE INDEX ON "ERP bench"."Customer Payment" (receivable);
CREATE VIEW "ERP bench"."Payments" AS
SELECT p.id, p.party, l.receivable, l."Date", l."Amount",
	   CASE WHEN l."Credit Note" THEN 'credit_note' ELSE 'payment' END AS kind, p.company
FROM "ERP bench"."Payment" p JOIN "ERP bench"."Payment Line" l ON l.id = p.id;
GRANT USAGE ON SCHEMA "ERP bench" TO customer_class_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA "ERP bench" TO customer_class_reader;
VACUUM ANALYZE "ERP bench"."Party", "ERP bench"."Sale Order", "ERP bench"."Receivable", "ERP bench"."Payment",
	"ERP bench"."Payment Line", "ERP bench"."Customer Payment";
-- @ours
\timing off
SELECT customer_class.bind_source('customer', '"ERP bench"."Party"',
	'{"customer_id": "id", "name": "Name", "customer_type": "Type", "industry": "Industry", "region": "Region",
	  "size_class": "Size", "credit_limit": "Credit Limit", "payment_terms_days": "Terms", "created_on": "Since",
	  "payment_terms_basis": "Basis"}', 'active');
SELECT customer_class.bind_source('order', '"ERP bench"."Sale Order"',
	'{"order_id": "id", "customer_id": "party", "ordered_on": "Order Date", "amount": "Total", "status": "state",
	  "shipped_on": "Shipped", "company_id": "company"}');
SELECT customer_class.bind_source('invoice', '"ERP bench"."Receivable"',
	'{"invoice_id": "id", "customer_id": "party", "order_id": "sale", "issued_on": "Date", "due_on": "Maturity",
	  "amount": "Amount", "company_id": "company"}');
SELECT customer_class.bind_source('payment', '"ERP bench"."Customer Payment"',
	'{"payment_id": "id", "customer_id": "party", "invoice_id": "receivable", "paid_on": "Date", "amount": "Amount",
	  "kind": "kind", "company_id": "company"}');
\timing on
SET customer_class.as_of = '2025-12-31';
SELECT * FROM customer_class.aging_report;
\timing off
SELECT customer_class.unbind_source(r) FROM unnest(ARRAY['customer', 'order', 'invoice', 'payment']) r;
-- @baseline
SET customer_class.as_of = '2025-12-31';
SELECT * FROM customer_class.aging_report;
-- @teardown
SELECT format('%s customers with open items', (SELECT count(*) FROM customer_class.aging_report));
DROP SCHEMA "ERP bench" CASCADE;
