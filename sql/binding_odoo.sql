-- The Odoo preset (presets/odoo.sql) on a schema built from Odoo's model
-- definitions (test/erp/odoo/schema.sql, data.sql): every figure the
-- extension computes through the binding, against figures derived by hand
-- from the data (the comments say how), and the same customers computed
-- from the managed tables give the same profile.
--
-- In a database of its own: binding the sources changes what every later
-- test of this database would read.
\set regress_db :DBNAME
CREATE DATABASE binding_odoo;
\c binding_odoo
SET client_min_messages = warning;
CREATE EXTENSION customer_class;
RESET client_min_messages;
\set ECHO none
\i test/erp/odoo/schema.sql
\i test/erp/odoo/data.sql
\set ECHO all
-- the preset, with Odoo's tables on the search_path as it asks
SET search_path = odoo;
\set ECHO none
\i presets/odoo.sql
\set ECHO all
RESET search_path;
SET customer_class.as_of = '2025-06-30';

SELECT role, relation, filter FROM customer_class.source_binding ORDER BY role;

-- Customers: the commercial partners with customer_rank > 0: Dupont SA (7)
-- and Zeta GmbH (9); not the contact Marie Dupont (8, her company's), the
-- companies' own partners (1, 2) or the vendor (10).
SELECT customer_id, name, customer_type, created_on FROM customer_class.src_customer ORDER BY customer_id;

-- Orders: the draft S00004 is a quotation (absent); S00002 was ordered by
-- the contact (Dupont's); S00003 is 1,100 USD at rate 1.1 = 1,000 EUR and
-- delivered (shipped); S00001 is invoiced; S00005 cancelled.
SELECT * FROM customer_class.src_order ORDER BY order_id;

-- Invoices: one row per receivable line of a posted customer invoice: the
-- two instalments of INV/2025/00002 (1041, 1042: 600 EUR each, the
-- invoice being 1,300 USD), the draft (1091) and the vendor bill (3011) not.
-- 1001 bills S00001 and 2011 bills S00002 (sale_order_line_invoice_rel).
SELECT * FROM customer_class.src_invoice ORDER BY invoice_id;

-- Payments: the three partial reconciliations (the second a credit note:
-- its credit side is the out_refund RINV/2025/00001), and Zeta's unmatched
-- payment line 1061 as an unapplied payment keyed -1061.
SELECT * FROM customer_class.src_payment ORDER BY payment_id;

-- Per-company limits (Odoo 18 jsonb): Dupont 10,000 in Acme FR and 5,000 in
-- Acme US; Zeta 3,000 in Acme FR, its 0 in Acme US means no limit in Odoo.
SELECT * FROM customer_class.src_credit_limit ORDER BY customer_id, company_id;

-- Aging as of 2025-06-30 (bounds 30/60/90):
--   Dupont: 1001 1,200 - 500 = 700, due 2025-05-01, 60 days -> 31-60;
--           1041 600 - 200 = 400, due 2025-06-14, 16 days -> 1-30;
--           1042 600 and 2011 800, due in July -> current 1,400;
--           total 2,500, overdue 1,100.
--   Zeta:   1071 paid in full; the unapplied 300 -> current -300.
SELECT customer_id, customer_name, current_amount, days_1_30, days_31_60, days_61_90, days_over_90, total, overdue
FROM customer_class.aging_report ORDER BY customer_id;

-- Exposure, all companies together:
--   Dupont: open order S00002 1,500 less its invoice 2011 800 = 700;
--           invoice balance 2,500 (as aged); exposure 3,200.
--   Zeta:   shipped S00003 1,000; invoice balance 0; unapplied 300;
--           exposure 700.
SELECT * FROM customer_class.exposure_recomputed() ORDER BY customer_id;

-- Per company, against that company's limit: Dupont in Acme FR 1,700 of
-- 10,000 (1001 700 + 1041 400 + 1042 600), in Acme US 1,500 of 5,000
-- (S00002's open 700 + 2011 800); Zeta in Acme FR 700 of 3,000.
SELECT e.customer_id, e.company_id, e.exposure, l.credit_limit, e.exposure <= l.credit_limit AS within_limit
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
LEFT JOIN customer_class.src_credit_limit l ON l.customer_id = e.customer_id AND l.company_id = e.company_id
ORDER BY e.customer_id, e.company_id;

-- refresh() grades both; the facts by hand:
--   Dupont: open balance 2,500, overdue 1,100 in 2 invoices; orders on
--           2025-03-25 and 2025-06-05 (2 in 12 months); invoiced 3,200.
--   Zeta:   open balance -300, nothing overdue; one order (2025-06-22;
--           the cancelled one does not count); invoiced 2,000.
SELECT customer_class.refresh() AS refreshed;
SELECT customer_id, name, open_balance, overdue_balance, overdue_invoices, orders_12m, revenue_12m,
	   first_order_on, last_order_on, grade, credit_score, stage, behaviour, rfm_score
FROM customer_class.customer_profile ORDER BY customer_id;
SELECT step, dimension, inputs, points, weight, contribution FROM customer_class.explain_score(7);

-- The same customers, orders, invoices and payments in the managed tables
-- give the same profile: a full refresh changes no class, and no column
-- differs but the bookkeeping (refreshed_at; policy_version, which every
-- bind and unbind moves on).  Loaded as a restore would (no triggers: the
-- credit checks would judge these old orders by today's grades).
CREATE TEMP TABLE bound_profile AS SELECT * FROM customer_class.profile;
SELECT customer_class.unbind_source(r) FROM unnest(ARRAY['credit_limit', 'payment', 'invoice', 'order', 'customer']) r;
SET session_replication_role = replica;
INSERT INTO customer_class.customer (customer_id, name, customer_type, created_on)
	SELECT customer_id, name, customer_type, created_on FROM cc_odoo.customer;
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status, shipped_on)
	SELECT order_id, customer_id, ordered_on, amount, status, shipped_on FROM cc_odoo.sales_order;
INSERT INTO customer_class.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount)
	SELECT invoice_id, customer_id, order_id, issued_on, due_on, amount FROM cc_odoo.invoice;
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount, kind)
	SELECT payment_id, customer_id, invoice_id, paid_on, amount, kind FROM cc_odoo.payment;
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

-- == The write side: the order checkpoint on Odoo's sale orders ==
-- The preset again: it rebinds the sources unbound above (running it twice
-- is fine), binds the checkpoint and watches Odoo's tables.
SET search_path = odoo;
SET client_min_messages = warning;
\set ECHO none
\i presets/odoo.sql
\set ECHO all
RESET client_min_messages;
RESET search_path;
SELECT checkpoint, relation, company, entered, came_from, amount FROM customer_class.checkpoint_binding;
SELECT relation FROM customer_class.source_watch ORDER BY relation;
SELECT customer_class.recompute_exposure() >= 0 AS ledger_from_sources;
\set VERBOSITY default
\set SHOW_CONTEXT never
-- Confirming the draft S00004 (Dupont, Acme FR, 5,000): Dupont's exposure
-- in Acme FR becomes 1,700 + 5,000 = 6,700 of its 10,000: accepted.
UPDATE odoo.sale_order SET state = 'sale' WHERE id = 4;
-- Confirming the sent quotation S00006 (Dupont, Acme US, 4,000): 1,500 +
-- 4,000 = 5,500, above its 5,000 in Acme US: refused (KC001), the order
-- stays a quotation -- though Dupont has room in Acme FR.
UPDATE odoo.sale_order SET state = 'sale' WHERE id = 6;
\echo :LAST_ERROR_SQLSTATE
-- S00007, ordered by the contact Marie Dupont (so Dupont's), Acme FR,
-- 3,000: 6,700 + 3,000 = 9,700 of 10,000: accepted.
UPDATE odoo.sale_order SET state = 'sale' WHERE id = 7;
SELECT id, name, state FROM odoo.sale_order WHERE id IN (4, 6, 7) ORDER BY id;
-- The ledger, kept by the watch triggers: Dupont 3,200 + 5,000 + 3,000 =
-- 11,200 (open orders 700 + 5,000 + 3,000); it agrees with the sources.
SELECT customer_id, open_orders, shipped_not_invoiced, invoice_balance, unapplied_credits, exposure
FROM customer_class.credit_exposure ORDER BY customer_id;
SELECT count(*) AS ledger_differences FROM customer_class.verify_exposure();

\c :regress_db
DROP DATABASE binding_odoo;
