-- The ERPNext preset (presets/erpnext.sql) on a schema built from ERPNext's
-- DocType definitions (test/erp/erpnext/schema.sql, data.sql): "tab..."
-- tables with spaces in their names, text keys, decimal(21,9) money,
-- docstatus.  Every figure the extension computes through the binding,
-- against figures derived by hand from the data (the comments say how), and
-- the same customers computed from the managed tables give the same profile.
--
-- In a database of its own: binding the sources changes what every later
-- test of this database would read.
\set regress_db :DBNAME
CREATE DATABASE binding_erpnext;
\c binding_erpnext
SET client_min_messages = warning;
CREATE EXTENSION customer_class;
RESET client_min_messages;
\set ECHO none
\i test/erp/erpnext/schema.sql
\i test/erp/erpnext/data.sql
\set ECHO all
-- the preset, with ERPNext's tables on the search_path as it asks
SET search_path = erpnext;
\set ECHO none
\i presets/erpnext.sql
\set ECHO all
RESET search_path;
SET customer_class.as_of = '2025-06-30';

SELECT role, relation, filter FROM customer_class.source_binding ORDER BY role;

-- Keys: a stable hash of doctype and name, so these numbers are the same in
-- every database; no two names share one.
SELECT cc_erpnext.key('Customer', 'Bharat Traders') AS bharat,
	   cc_erpnext.key('Customer', 'Café Øresund ApS') AS cafe,
	   cc_erpnext.key('Company', 'Acme Pvt Ltd') AS acme_pvt,
	   cc_erpnext.key('Company', 'Acme Inc') AS acme_inc;
SELECT count(*) AS collisions FROM cc_erpnext.key_collision;

-- Customers: all three; Lena Vogel is an individual.
SELECT customer_id, name, customer_type, industry, created_on FROM customer_class.src_customer ORDER BY name;

-- Orders (base_* amounts): the draft SAL-ORD-2025-00004 is absent;
-- 00001 fully billed -> invoiced; 00002 -> open; 00003 fully delivered,
-- not billed -> shipped; 00005 cancelled.
SELECT so.erpnext_name, cn.customer, o.ordered_on, o.amount, o.status, co.company
FROM customer_class.src_order o
JOIN cc_erpnext.sales_order so ON so.order_id = o.order_id
JOIN cc_erpnext.customer_name cn ON cn.customer_id = o.customer_id
JOIN cc_erpnext.company_name co ON co.company_id = o.company_id
ORDER BY so.erpnext_name;

-- Invoices, one row per instalment: ACC-SINV-2025-00001 in two halves of
-- 15,000 (due 05-01, 05-31), billing SAL-ORD-2025-00001; 00002: one row of
-- 12,000 (rounded from 11,999.60); 00003 has no schedule: one row of 4,000
-- (rounded from 3,999.75), due 03-31; 00004: 2,000 EUR at 1.1 = 2,200 USD.
-- The draft 00005, the cancelled 00006 and the credit notes are not
-- invoices.
SELECT i.erpnext_name, i.due_on, s.amount, s.issued_on, so.erpnext_name AS sales_order
FROM customer_class.src_invoice s
JOIN cc_erpnext.invoice i ON i.invoice_id = s.invoice_id
LEFT JOIN cc_erpnext.sales_order so ON so.order_id = s.order_id
ORDER BY i.erpnext_name, i.due_on;

-- Payments: ACC-PAY-2025-00001's 20,000 pays the first half (15,000) and
-- 5,000 of the second; the credit note ACC-SINV-RET-2025-00001 settles 2,000
-- of 00002; ACC-PAY-2025-00002 allocates 1,000 to 00004 and leaves 500
-- unallocated; ACC-PAY-2025-00004 is an advance on an order (unapplied);
-- ACC-SINV-RET-2025-00002 is against no invoice (unapplied credit note).
-- The draft ACC-PAY-2025-00003 is absent.
SELECT p.erpnext_name, i.erpnext_name AS invoice, i.due_on, s.paid_on, s.amount, s.kind
FROM customer_class.src_payment s
JOIN cc_erpnext.payment p ON p.payment_id = s.payment_id
LEFT JOIN cc_erpnext.invoice i ON i.invoice_id = s.invoice_id
ORDER BY p.erpnext_name, i.due_on;

-- Per-company limits: Bharat 100,000 in Acme Pvt Ltd and 20,000 in Acme
-- Inc; Café 5,000 in Acme Inc; Lena's 0 means no limit in ERPNext.
SELECT cn.customer, co.company, l.credit_limit
FROM customer_class.src_credit_limit l
JOIN cc_erpnext.customer_name cn ON cn.customer_id = l.customer_id
JOIN cc_erpnext.company_name co ON co.company_id = l.company_id
ORDER BY 1, 2;

-- Aging as of 2025-06-30 (bounds 30/60/90), in each company's currency
-- added up (INR and USD: see docs/binding.md on currencies):
--   Bharat: first half paid; second half 15,000 - 5,000 = 10,000 due
--           05-31, 30 days -> 1-30; 00002 12,000 - 2,000 = 10,000 due
--           07-10 -> current; 00003 4,000 due 03-31, 91 days -> 91+;
--           the 3,000 advance -> current -3,000.  Current 7,000, total
--           21,000, overdue 14,000.
--   Café:   00004 2,200 - 1,000 = 1,200 due 06-19, 11 days -> 1-30;
--           unapplied 500 + 300 -> current -800.  Total 400.
--   Lena:   nothing open, no row.
SELECT customer_name, current_amount, days_1_30, days_31_60, days_61_90, days_over_90, total, overdue
FROM customer_class.aging_report ORDER BY customer_name;

-- Exposure, all companies together:
--   Bharat: open order 00002 25,000; invoice balance 24,000 (10,000 +
--           10,000 + 4,000); unapplied 3,000; exposure 46,000.
--   Café:   shipped 00003 1,800; invoice balance 1,200; unapplied 800;
--           exposure 2,200.
--   Lena:   nothing.
SELECT cn.customer, e.open_orders, e.shipped_not_invoiced, e.invoice_balance, e.unapplied_credits, e.exposure
FROM customer_class.exposure_recomputed() e
JOIN cc_erpnext.customer_name cn ON cn.customer_id = e.customer_id
ORDER BY 1;

-- Per company, against that company's limit: Bharat in Acme Pvt Ltd
-- 25,000 + 20,000 - 3,000 = 42,000 of 100,000, in Acme Inc 4,000 of 20,000;
-- Café in Acme Inc 2,200 of 5,000.
SELECT cn.customer, co.company, e.exposure, l.credit_limit, e.exposure <= l.credit_limit AS within_limit
FROM (SELECT x.customer_id, x.company_id, sum(x.amount) AS exposure
	  FROM (SELECT o.customer_id, o.company_id,
				   greatest(o.amount - coalesce((SELECT sum(i.amount) FROM customer_class.src_invoice i
												 WHERE i.order_id = o.order_id), 0), 0) AS amount
			FROM customer_class.src_order o WHERE o.status IN ('open', 'shipped')
			UNION ALL
			SELECT i.customer_id, i.company_id,
				   i.amount - coalesce((SELECT sum(p.amount) FROM customer_class.src_payment p
										WHERE p.invoice_id = i.invoice_id), 0)
			FROM customer_class.src_invoice i
			UNION ALL
			SELECT p.customer_id, p.company_id, -p.amount
			FROM customer_class.src_payment p WHERE p.invoice_id IS NULL) x
	  GROUP BY x.customer_id, x.company_id) e
JOIN cc_erpnext.customer_name cn ON cn.customer_id = e.customer_id
JOIN cc_erpnext.company_name co ON co.company_id = e.company_id
LEFT JOIN customer_class.src_credit_limit l ON l.customer_id = e.customer_id AND l.company_id = e.company_id
ORDER BY 1, 2;

-- refresh() grades all three; the facts by hand:
--   Bharat: open balance 21,000, overdue 14,000 in 2 invoices (the second
--           half and 00003); orders 2025-03-25 and 2025-06-20; invoiced
--           30,000 + 12,000 + 4,000 = 46,000.
--   Café:   open balance 400, overdue 1,200 in 1; one order (2025-06-22;
--           the cancelled one does not count); invoiced 2,200.
--   Lena:   nothing.
SELECT customer_class.refresh() AS refreshed;
SELECT name, open_balance, overdue_balance, overdue_invoices, orders_12m, revenue_12m,
	   first_order_on, last_order_on, grade, credit_score, stage, behaviour, rfm_score
FROM customer_class.customer_profile ORDER BY name;
SELECT step, dimension, inputs, points, weight, contribution
FROM customer_class.explain_score(cc_erpnext.key('Customer', 'Bharat Traders'));

-- The same customers, orders, invoices and payments in the managed tables
-- give the same profile: a full refresh changes no class, and no column
-- differs but the bookkeeping (refreshed_at; policy_version, which every
-- bind and unbind moves on).  Loaded as a restore would (no triggers: the
-- credit checks would judge these old orders by today's grades).
CREATE TEMP TABLE bound_profile AS SELECT * FROM customer_class.profile;
SELECT customer_class.unbind_source(r) FROM unnest(ARRAY['credit_limit', 'payment', 'invoice', 'order', 'customer']) r;
SET session_replication_role = replica;
INSERT INTO customer_class.customer (customer_id, name, customer_type, industry, created_on)
	SELECT customer_id, name, customer_type, industry, created_on FROM cc_erpnext.customer;
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status, shipped_on)
	SELECT order_id, customer_id, ordered_on, amount, status, shipped_on FROM cc_erpnext.sales_order;
INSERT INTO customer_class.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount)
	SELECT invoice_id, customer_id, order_id, issued_on, due_on, amount FROM cc_erpnext.invoice;
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount, kind)
	SELECT payment_id, customer_id, invoice_id, paid_on, amount, kind FROM cc_erpnext.payment;
RESET session_replication_role;
SELECT customer_class.refresh(full_refresh => true) AS changed;
SELECT count(*) AS differences
FROM ((SELECT to_jsonb(b) - '{refreshed_at,policy_version}'::text[] FROM bound_profile b
	   EXCEPT ALL
	   SELECT to_jsonb(m) - '{refreshed_at,policy_version}'::text[] FROM customer_class.profile m)
	  UNION ALL
	  (SELECT to_jsonb(m) - '{refreshed_at,policy_version}'::text[] FROM customer_class.profile m
	   EXCEPT ALL
	   SELECT to_jsonb(b) - '{refreshed_at,policy_version}'::text[] FROM bound_profile b)) d;

-- == The write side: the order checkpoint on ERPNext's sales orders ==
-- The preset again: it rebinds the sources unbound above (running it twice
-- is fine), binds the checkpoint and watches ERPNext's tables.
SET search_path = erpnext;
SET client_min_messages = warning;
\set ECHO none
\i presets/erpnext.sql
\set ECHO all
RESET client_min_messages;
RESET search_path;
SELECT checkpoint, relation, company, entered, came_from, amount FROM customer_class.checkpoint_binding;
SELECT relation FROM customer_class.source_watch ORDER BY relation;
SELECT customer_class.recompute_exposure() >= 0 AS ledger_from_sources;
\set VERBOSITY default
\set SHOW_CONTEXT never
-- Submitting the draft SAL-ORD-2025-00006 (Café, Acme Inc, 2,500): Café's
-- exposure in Acme Inc becomes 2,200 + 2,500 = 4,700 of its 5,000: accepted.
UPDATE erpnext."tabSales Order" SET docstatus = 1, status = 'To Deliver and Bill' WHERE name = 'SAL-ORD-2025-00006';
-- SAL-ORD-2025-00007 (Café, Acme Inc, 1,000): 5,700 > 5,000: refused
-- (KC001), the order stays a draft.
UPDATE erpnext."tabSales Order" SET docstatus = 1, status = 'To Deliver and Bill' WHERE name = 'SAL-ORD-2025-00007';
\echo :LAST_ERROR_SQLSTATE
-- Bharat's draft SAL-ORD-2025-00004 (Acme Inc, 8,000) would fit its 20,000
-- there (4,000 + 8,000), but Bharat is graded D: refused, a prepayment is
-- required.
UPDATE erpnext."tabSales Order" SET docstatus = 1, status = 'To Deliver and Bill' WHERE name = 'SAL-ORD-2025-00004';
\echo :LAST_ERROR_SQLSTATE
SELECT name, docstatus, status FROM erpnext."tabSales Order" WHERE docstatus = 0 OR name = 'SAL-ORD-2025-00006' ORDER BY name;
-- The ledger, kept by the watch triggers: Café 2,200 + 2,500 = 4,700; it
-- agrees with the sources.
SELECT n.customer, e.open_orders, e.shipped_not_invoiced, e.invoice_balance, e.unapplied_credits, e.exposure
FROM customer_class.credit_exposure e JOIN cc_erpnext.customer_name n USING (customer_id) ORDER BY n.customer;
SELECT count(*) AS ledger_differences FROM customer_class.verify_exposure();

\c :regress_db
DROP DATABASE binding_erpnext;
