-- Binding the sources to an ERP's own tables (bind_source(), docs/binding.md):
-- an ERP-like schema with odd names (spaces, capitals, non-ASCII) holding a
-- copy of the managed tables; every validation error with its SQLSTATE, and
-- the binding in force untouched after each; refresh, aging, the KPIs and
-- the profile over the bound sources equal to the managed tables'; unbind.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET customer_class.as_of = '2025-12-31';
\set ECHO none
\set customers 300
\set as_of 2025-12-31
\i test/data/generate.sql
\set ON_ERROR_STOP 0
\set ECHO all
-- manual tags on a third of the customers (the rules and the access read them)
UPDATE customer_class.customer
SET tags = customer_class.tagset(ARRAY['industry.' || industry, 'region.' || region])
WHERE customer_id % 3 = 0 AND industry IS NOT NULL AND region IS NOT NULL;

-- == What the managed tables give ==
SELECT customer_class.refresh(:'as_of') AS refreshed;
CREATE TEMP TABLE managed_profile AS
SELECT to_jsonb(p) - 'refreshed_at' - 'policy_version' AS line FROM customer_class.profile p;
CREATE TEMP TABLE managed_reports AS
SELECT 'aging_report' AS report, to_jsonb(r) AS line FROM customer_class.aging_report r
UNION ALL SELECT 'ar_kpi', to_jsonb(k) FROM customer_class.ar_kpi k
UNION ALL SELECT 'customer_payment_behavior', to_jsonb(b) FROM customer_class.customer_payment_behavior b
UNION ALL SELECT 'open_item', to_jsonb(o) FROM customer_class.open_item o
UNION ALL SELECT 'customer_profile', to_jsonb(p) - 'refreshed_at' - 'changed_at' - 'policy_version' FROM customer_class.customer_profile p;
SELECT report, count(*) > 0 AS has_rows FROM managed_reports GROUP BY 1 ORDER BY 1;

-- == An ERP's tables: odd names, other types, several companies ==
CREATE SCHEMA "ERP Ünit";
CREATE TABLE "ERP Ünit"."Kunde Stamm" (
	"Kd Nr" integer PRIMARY KEY, "Name" varchar(200) NOT NULL, "Art" text, "Branche" text COLLATE "C",
	"Région" text, "Größe" text, "Kreditlimit" numeric(14, 2), "Zahlungsziel" smallint,
	"Seit" date, "Seit (Text)" text, "Merkmale" text, "MonatsEnde" boolean, aktiv boolean NOT NULL);
INSERT INTO "ERP Ünit"."Kunde Stamm"
SELECT customer_id, name, customer_type, industry, region, size_class, credit_limit, payment_terms_days,
	   created_on, created_on::text, tags::text, payment_terms_basis = 'month_end', true
FROM customer_class.customer;
-- a customer of a company not bound (filtered out)
INSERT INTO "ERP Ünit"."Kunde Stamm" ("Kd Nr", "Name", aktiv) VALUES (-1, 'Inaktiv GmbH', false);
CREATE TABLE "ERP Ünit"."Auftrag Kopf" (
	"Nr" bigint, "Kunde" integer, "Datum" timestamp, "Betrag" float8, "Betrag exakt" numeric(16, 4),
	"Status" text, "Geliefert am" date, "Firma" integer);
INSERT INTO "ERP Ünit"."Auftrag Kopf"
SELECT order_id, customer_id, ordered_on, amount, amount, status, shipped_on, 1 + order_id % 2
FROM customer_class.sales_order;
CREATE TABLE "ERP Ünit".rechnung (
	"RechnungsNr" bigint, "Kunde" bigint, "Auftrag" bigint, "Datum" date, "Fällig am" date,
	"Fällig (Text)" text, "Betrag" numeric(18, 2), "Firma" integer);
INSERT INTO "ERP Ünit".rechnung
SELECT invoice_id, customer_id, order_id, issued_on, due_on, due_on::text, amount, 1 + invoice_id % 2
FROM customer_class.invoice;
-- an ERP's payments: a view joining two tables, its columns named in Chinese
CREATE TABLE "ERP Ünit".zahlung_kopf ("Nr" bigint, "Kunde" bigint, "Firma" integer);
CREATE TABLE "ERP Ünit".zahlung_zeile ("Nr" bigint, "Rechnung" bigint, "Datum" date, "Betrag" numeric(18, 2),
	"Gutschrift" boolean);
INSERT INTO "ERP Ünit".zahlung_kopf SELECT payment_id, customer_id, 1 + payment_id % 2 FROM customer_class.payment;
INSERT INTO "ERP Ünit".zahlung_zeile
SELECT payment_id, invoice_id, paid_on, amount, kind = 'credit_note' FROM customer_class.payment;
CREATE VIEW "ERP Ünit"."付款" AS
SELECT k."Nr" AS "编号", k."Kunde" AS "客户", z."Rechnung" AS "发票", z."Datum" AS "日期", z."Betrag" AS "金额",
	   CASE WHEN z."Gutschrift" THEN 'credit_note' ELSE 'payment' END AS "类型", k."Firma" AS "公司"
FROM "ERP Ünit".zahlung_kopf k JOIN "ERP Ünit".zahlung_zeile z USING ("Nr");
CREATE TABLE "ERP Ünit"."Kreditlimit je Firma" ("Kunde" bigint, "Firma" integer, "Limit" float8);
INSERT INTO "ERP Ünit"."Kreditlimit je Firma" VALUES (1, 1, 1000), (1, 2, 2500.5);
CREATE SEQUENCE "ERP Ünit".nummern;

-- == Binding the customers: every check, before anything changes ==
-- the mapping in force before: none
SELECT count(*) AS bindings FROM customer_class.source_binding;
-- an unknown source
SELECT customer_class.bind_source('supplier', '"ERP Ünit"."Kunde Stamm"', '{"customer_id": "Kd Nr"}');
\echo :LAST_ERROR_SQLSTATE
-- a relation that does not exist (unquoted: folded to lower case)
SELECT customer_class.bind_source('customer', '"ERP Ünit".Kunde_Stamm', '{"customer_id": "Kd Nr", "name": "Name"}');
\echo :LAST_ERROR_SQLSTATE
-- not a table or view
SELECT customer_class.bind_source('customer', '"ERP Ünit".nummern', '{"customer_id": "Kd Nr", "name": "Name"}');
\echo :LAST_ERROR_SQLSTATE
-- a relation of the extension itself
SELECT customer_class.bind_source('customer', 'customer_class.src_customer', '{"customer_id": "customer_id", "name": "name"}');
\echo :LAST_ERROR_SQLSTATE
-- columns not an object, a mapping neither a name nor {"column", "cast"}
SELECT customer_class.bind_source('customer', '"ERP Ünit"."Kunde Stamm"', '["Kd Nr", "Name"]');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.bind_source('customer', '"ERP Ünit"."Kunde Stamm"', '{"customer_id": "Kd Nr", "name": {"column": "Name", "trim": true}}');
\echo :LAST_ERROR_SQLSTATE
-- a canonical column the source does not have
SELECT customer_class.bind_source('customer', '"ERP Ünit"."Kunde Stamm"', '{"customer_id": "Kd Nr", "name": "Name", "vat_id": "USt"}');
\echo :LAST_ERROR_SQLSTATE
-- a required column not mapped
SELECT customer_class.bind_source('customer', '"ERP Ünit"."Kunde Stamm"', '{"customer_id": "Kd Nr"}');
\echo :LAST_ERROR_SQLSTATE
-- a column the relation does not have (names are exact: no case folding)
SELECT customer_class.bind_source('customer', '"ERP Ünit"."Kunde Stamm"', '{"customer_id": "kd nr", "name": "Name"}');
\echo :LAST_ERROR_SQLSTATE
-- text where a date is needed: refused unless cast explicitly
SELECT customer_class.bind_source('customer', '"ERP Ünit"."Kunde Stamm"', '{"customer_id": "Kd Nr", "name": "Name", "created_on": "Seit (Text)"}');
\echo :LAST_ERROR_SQLSTATE
-- a cast that does not exist
SELECT customer_class.bind_source('customer', '"ERP Ünit"."Kunde Stamm"', '{"customer_id": "Kd Nr", "name": "Name", "created_on": {"column": "MonatsEnde", "cast": true}}');
\echo :LAST_ERROR_SQLSTATE
-- filters: not parsing, closing the parenthesis, adding a statement, not
-- boolean, naming a column the relation does not have
SELECT customer_class.bind_source('customer', '"ERP Ünit"."Kunde Stamm"', '{"customer_id": "Kd Nr", "name": "Name"}', 'aktiv AND');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.bind_source('customer', '"ERP Ünit"."Kunde Stamm"', '{"customer_id": "Kd Nr", "name": "Name"}', 'aktiv) OR (true');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.bind_source('customer', '"ERP Ünit"."Kunde Stamm"', '{"customer_id": "Kd Nr", "name": "Name"}', 'aktiv; DROP TABLE customer_class.profile');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.bind_source('customer', '"ERP Ünit"."Kunde Stamm"', '{"customer_id": "Kd Nr", "name": "Name"}', 'aktiv FROM pg_authid');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.bind_source('customer', '"ERP Ünit"."Kunde Stamm"', '{"customer_id": "Kd Nr", "name": "Name"}', '"Kd Nr"');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.bind_source('customer', '"ERP Ünit"."Kunde Stamm"', '{"customer_id": "Kd Nr", "name": "Name"}', 'active');
\echo :LAST_ERROR_SQLSTATE
-- the readers of the sources may not read the relation
SELECT customer_class.bind_source('customer', '"ERP Ünit"."Kunde Stamm"', '{"customer_id": "Kd Nr", "name": "Name"}', 'aktiv');
\echo :LAST_ERROR_SQLSTATE
GRANT USAGE ON SCHEMA "ERP Ünit" TO customer_class_reader;
GRANT SELECT ("Kd Nr", "Name") ON "ERP Ünit"."Kunde Stamm" TO customer_class_reader;
-- ... nor the columns the filter reads
SELECT customer_class.bind_source('customer', '"ERP Ünit"."Kunde Stamm"', '{"customer_id": "Kd Nr", "name": "Name"}', 'aktiv');
\echo :LAST_ERROR_SQLSTATE
-- only customer_class_admin binds
CREATE ROLE cc_bind_analyst IN ROLE customer_class_analyst;
SET ROLE cc_bind_analyst;
SELECT customer_class.bind_source('customer', '"ERP Ünit"."Kunde Stamm"', '{"customer_id": "Kd Nr", "name": "Name"}');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.unbind_source('customer');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- nothing changed
SELECT count(*) AS bindings FROM customer_class.source_binding;
SELECT pg_get_viewdef('customer_class.source_customer') LIKE '%FROM customer_class.customer src%' AS reads_managed_table;

-- == Binding every source ==
GRANT SELECT ON ALL TABLES IN SCHEMA "ERP Ünit" TO customer_class_reader;
-- an unqualified name is looked up in the caller's search_path, as in a query
SET search_path = "ERP Ünit", public;
SELECT customer_class.bind_source('customer', '"Kunde Stamm"', '{"customer_id": "Kd Nr", "name": "Name"}');
SELECT relation FROM customer_class.source_binding WHERE role = 'customer';
RESET search_path;
SELECT customer_class.bind_source('customer', '"ERP Ünit"."Kunde Stamm"',
	'{"customer_id": "Kd Nr", "name": "Name", "customer_type": "Art", "industry": "Branche", "region": "Région",
	  "size_class": "Größe", "credit_limit": "Kreditlimit", "payment_terms_days": "Zahlungsziel", "created_on": "Seit",
	  "tags": {"column": "Merkmale", "cast": true}}',
	'aktiv -- only active customers');
-- payment_terms_basis from a boolean: a view would say it; here, the table
-- has no such column yet, so the default (invoice) is read: the customers
-- of the sample on month_end terms would differ.  Bind through a view.
CREATE VIEW "ERP Ünit"."Kunden" AS
SELECT k.*, CASE WHEN "MonatsEnde" THEN 'month_end' ELSE 'invoice' END AS "Zahlungsbasis" FROM "ERP Ünit"."Kunde Stamm" k;
GRANT SELECT ON "ERP Ünit"."Kunden" TO customer_class_reader;
SELECT customer_class.bind_source('customer', '"ERP Ünit"."Kunden"',
	'{"customer_id": "Kd Nr", "name": "Name", "customer_type": "Art", "industry": "Branche", "region": "Région",
	  "size_class": "Größe", "credit_limit": "Kreditlimit", "payment_terms_days": "Zahlungsziel", "created_on": "Seit",
	  "tags": {"column": "Merkmale", "cast": true}, "payment_terms_basis": "Zahlungsbasis"}',
	'aktiv -- only active customers');
-- orders: a timestamp for a date and float8 money are refused ...
SELECT customer_class.bind_source('order', '"ERP Ünit"."Auftrag Kopf"',
	'{"order_id": "Nr", "customer_id": "Kunde", "ordered_on": "Datum", "amount": "Betrag exakt", "status": "Status",
	  "shipped_on": "Geliefert am", "company_id": "Firma"}');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.bind_source('order', '"ERP Ünit"."Auftrag Kopf"',
	'{"order_id": "Nr", "customer_id": "Kunde", "ordered_on": {"column": "Datum", "cast": true}, "amount": "Betrag",
	  "status": "Status", "shipped_on": "Geliefert am", "company_id": "Firma"}');
\echo :LAST_ERROR_SQLSTATE
-- ... unless cast explicitly; numeric(16,4) is numeric: no cast needed
SELECT customer_class.bind_source('order', '"ERP Ünit"."Auftrag Kopf"',
	'{"order_id": "Nr", "customer_id": "Kunde", "ordered_on": {"column": "Datum", "cast": true}, "amount": "Betrag exakt",
	  "status": "Status", "shipped_on": "Geliefert am", "company_id": "Firma"}');
SELECT customer_class.bind_source('invoice', '"ERP Ünit".rechnung',
	'{"invoice_id": "RechnungsNr", "customer_id": "Kunde", "order_id": "Auftrag", "issued_on": "Datum",
	  "due_on": {"column": "Fällig (Text)", "cast": true}, "amount": "Betrag", "company_id": "Firma"}');
SELECT customer_class.bind_source('payment', '"ERP Ünit"."付款"',
	'{"payment_id": "编号", "customer_id": "客户", "invoice_id": "发票", "paid_on": "日期", "amount": "金额",
	  "kind": "类型", "company_id": "公司"}');
-- a member of customer_class_admin binds (no superuser needed)
CREATE ROLE cc_bind_admin IN ROLE customer_class_admin;
SET ROLE cc_bind_admin;
SELECT customer_class.bind_source('credit_limit', '"ERP Ünit"."Kreditlimit je Firma"',
	'{"customer_id": "Kunde", "company_id": "Firma", "credit_limit": {"column": "Limit", "cast": true}}');
RESET ROLE;
SELECT role, relation, filter, CASE WHEN bound_by = CURRENT_USER THEN 'me' ELSE bound_by END AS bound_by
FROM customer_class.source_binding ORDER BY role;
-- a failed rebind leaves the binding in force
SELECT md5(pg_get_viewdef('customer_class.source_order')) AS order_view \gset
SELECT customer_class.bind_source('order', '"ERP Ünit"."Auftrag Kopf"',
	'{"order_id": "Nr", "customer_id": "Kunde", "ordered_on": {"column": "Datum", "cast": true}, "amount": "Betrag exakt"}',
	'"Firma" = ''eins''');
\echo :LAST_ERROR_SQLSTATE
SELECT md5(pg_get_viewdef('customer_class.source_order')) = :'order_view' AS order_view_unchanged,
	   (SELECT filter IS NULL FROM customer_class.source_binding WHERE role = 'order') AS order_row_unchanged;

-- what the sources read now
SELECT count(*) AS customers, count(*) FILTER (WHERE tags::text <> '{}') AS tagged FROM customer_class.src_customer;
SELECT company_id, count(*) AS orders FROM customer_class.src_order GROUP BY 1 ORDER BY 1;
SELECT company_id, count(*) AS invoices FROM customer_class.src_invoice GROUP BY 1 ORDER BY 1;
SELECT company_id, count(*) AS payments FROM customer_class.src_payment GROUP BY 1 ORDER BY 1;
SELECT * FROM customer_class.src_credit_limit ORDER BY 1, 2;

-- == The same classes and reports over the ERP's tables ==
-- binding made the next refresh a full one
SELECT clock_timestamp() AS before_refresh \gset
SELECT customer_class.refresh(:'as_of') AS classes_changed;
SELECT count(*) AS not_recomputed FROM customer_class.profile WHERE refreshed_at < :'before_refresh';
SELECT count(*) AS profiles_differing
FROM ((SELECT to_jsonb(p) - 'refreshed_at' - 'policy_version' FROM customer_class.profile p
	   EXCEPT SELECT line FROM managed_profile)
	  UNION ALL (SELECT line FROM managed_profile
				 EXCEPT SELECT to_jsonb(p) - 'refreshed_at' - 'policy_version' FROM customer_class.profile p)) d;
CREATE TEMP TABLE bound_reports AS
SELECT 'aging_report' AS report, to_jsonb(r) AS line FROM customer_class.aging_report r
UNION ALL SELECT 'ar_kpi', to_jsonb(k) FROM customer_class.ar_kpi k
UNION ALL SELECT 'customer_payment_behavior', to_jsonb(b) FROM customer_class.customer_payment_behavior b
UNION ALL SELECT 'open_item', to_jsonb(o) FROM customer_class.open_item o
UNION ALL SELECT 'customer_profile', to_jsonb(p) - 'refreshed_at' - 'changed_at' - 'policy_version' FROM customer_class.customer_profile p;
SELECT report, count(*) AS lines_differing
FROM ((SELECT * FROM bound_reports EXCEPT ALL SELECT * FROM managed_reports)
	  UNION ALL (SELECT * FROM managed_reports EXCEPT ALL SELECT * FROM bound_reports)) d
GROUP BY 1 ORDER BY 1;
SELECT count(*) AS reports FROM bound_reports;
-- an ERP change shows at once (the sources are the ERP's tables)
UPDATE "ERP Ünit".rechnung SET "Betrag" = "Betrag" + 1000 WHERE "RechnungsNr" = (SELECT min("RechnungsNr") FROM "ERP Ünit".rechnung);
SELECT count(*) AS aging_lines_changed
FROM (SELECT to_jsonb(r) FROM customer_class.aging_report r EXCEPT SELECT line FROM managed_reports WHERE report = 'aging_report') d;

-- == Unbinding: back to the managed tables ==
SET ROLE cc_bind_admin;
SELECT customer_class.unbind_source(r) FROM unnest(ARRAY['customer', 'order', 'invoice', 'payment', 'credit_limit']) r;
RESET ROLE;
SELECT customer_class.unbind_source('supplier');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS bindings FROM customer_class.source_binding;
SELECT count(*) AS credit_limits FROM customer_class.src_credit_limit;
SELECT customer_class.refresh(:'as_of') AS classes_changed;
SELECT count(*) AS profiles_differing
FROM ((SELECT to_jsonb(p) - 'refreshed_at' - 'policy_version' FROM customer_class.profile p
	   EXCEPT SELECT line FROM managed_profile)
	  UNION ALL (SELECT line FROM managed_profile
				 EXCEPT SELECT to_jsonb(p) - 'refreshed_at' - 'policy_version' FROM customer_class.profile p)) d;
-- the ERP's schema can go: nothing reads it any more
DROP SCHEMA "ERP Ünit" CASCADE;
DROP ROLE cc_bind_analyst, cc_bind_admin;
DROP SCHEMA sample CASCADE;
