-- customer_class preset for ERPNext (v14, v15 on PostgreSQL; see
-- docs/binding.md, "ERPNext").
--
-- Run it with psql in the ERPNext site's database, after CREATE EXTENSION
-- customer_class, as a member of customer_class_admin who may read
-- ERPNext's tables, with those tables first on the search_path (Frappe
-- keeps them in public); installed in
-- $(pg_config --sharedir)/customer_class/presets/:
--
--   psql -d _1bd3e0294da19198 -v ON_ERROR_STOP=1 -f presets/erpnext.sql
--
-- It creates schema cc_erpnext with one view per canonical source over
-- ERPNext's "tab..." tables (the names resolve once, here) and binds the
-- sources to them.  Running it again replaces the views and rebinds.
--
-- Keys.  ERPNext's keys are text names ("Bharat Traders",
-- "ACC-SINV-2025-00001"); the extension's are bigint.  A canonical key is
-- cc_erpnext.key(doctype, name): a 63-bit hash of the doctype and the name,
-- stable (the same name always gives the same key, in every database and
-- after dump and restore or pg_upgrade: PostgreSQL cannot change this hash
-- function without breaking hash-partitioned tables) and computed in the
-- view, so nothing is stored or kept in step.  Two names could in theory
-- share a key (about 1 in 10^7 for a million names): cc_erpnext.key_collision
-- lists any.  The views keep the ERPNext name beside the key (erpnext_name)
-- and cc_erpnext.customer_name / company_name map keys back to names.  A
-- renamed document (Frappe's Rename) gets a new key: the extension then
-- sees a new customer, as it would see a new id in any ERP.
--
-- The mapping, and why:
--   customer      every "tabCustomer" row (a disabled customer may still
--                 owe money); customer_type Individual -> individual, else
--                 enterprise.
--   order         submitted (docstatus 1) and cancelled (2) sales orders;
--                 drafts are not orders yet.  Amount in the company's
--                 currency (base_rounded_total, or base_grand_total when
--                 rounding is off).  Status: cancelled; invoiced when fully
--                 billed or Completed/Closed; shipped when fully delivered;
--                 else open.  ERPNext has no delivery date on the order:
--                 shipped_on stays NULL.
--   invoice       one row per instalment ("tabPayment Schedule" row) of a
--                 submitted sales invoice, base_payment_amount due on its
--                 due_date; an invoice without a schedule is one row (its
--                 due_date, base_rounded_total or base_grand_total).  The
--                 order is the sales order its items name.
--   payment       what settles an invoice -- payment entry references to it
--                 (allocated_amount x source_exchange_rate) and credit notes
--                 returned against it (is_return, return_against) -- spread
--                 over its instalments oldest due date first (an overpayment
--                 stays on the last one); and, unapplied: a payment entry's
--                 unallocated_amount, references to anything but a sales
--                 invoice (advances against an order), and credit notes
--                 against no invoice.
--   credit_limit  "tabCustomer Credit Limit" rows above 0 (ERPNext checks
--                 nothing on 0); the customer group's and the company's
--                 default limits are not read.
-- Every row carries its company (company_id): aging, scores and profiles add
-- a customer's documents over the companies, in each company's currency;
-- limits and exposure checks stay per company.

CREATE SCHEMA IF NOT EXISTS cc_erpnext;
COMMENT ON SCHEMA cc_erpnext IS 'customer_class: the views binding the canonical sources to ERPNext''s tables (presets/erpnext.sql)';

CREATE OR REPLACE FUNCTION cc_erpnext.key(doctype text, name text) RETURNS bigint
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN pg_catalog.hashtextextended(doctype || ':' || name, 0) & 9223372036854775807;
COMMENT ON FUNCTION cc_erpnext.key(text, text) IS
	'the customer_class key (bigint, not negative) of an ERPNext document: a stable 63-bit hash of doctype:name';

CREATE OR REPLACE VIEW cc_erpnext.customer AS
SELECT cc_erpnext.key('Customer', c.name) AS customer_id,
	   coalesce(nullif(pg_catalog.btrim(c.customer_name), ''), c.name)::text AS name,
	   CASE WHEN c.customer_type = 'Individual' THEN 'individual' ELSE 'enterprise' END AS customer_type,
	   c.industry::text AS industry,
	   c.creation::date AS created_on,
	   c.name::text AS erpnext_name
FROM "tabCustomer" c;

CREATE OR REPLACE VIEW cc_erpnext.customer_name AS
SELECT cc_erpnext.key('Customer', c.name) AS customer_id, c.name::text AS customer
FROM "tabCustomer" c;

CREATE OR REPLACE VIEW cc_erpnext.company_name AS
SELECT cc_erpnext.key('Company', c.name) AS company_id, c.name::text AS company,
	   c.default_currency::text AS currency
FROM "tabCompany" c;

CREATE OR REPLACE VIEW cc_erpnext.sales_order AS
SELECT cc_erpnext.key('Sales Order', so.name) AS order_id,
	   cc_erpnext.key('Customer', so.customer) AS customer_id,
	   so.transaction_date AS ordered_on,
	   coalesce(nullif(so.base_rounded_total, 0), so.base_grand_total)::numeric AS amount,
	   CASE WHEN so.docstatus = 2 OR so.status = 'Cancelled' THEN 'cancelled'
			WHEN so.per_billed >= 100 OR so.status IN ('Completed', 'Closed') THEN 'invoiced'
			WHEN so.per_delivered >= 100 THEN 'shipped'
			ELSE 'open' END AS status,
	   NULL::date AS shipped_on,
	   cc_erpnext.key('Company', so.company) AS company_id,
	   so.name::text AS erpnext_name
FROM "tabSales Order" so
WHERE so.docstatus IN (1, 2);

-- Internal: the instalments of the submitted sales invoices, with the
-- running total of their amounts in due-date order (lo .. hi), the last one
-- open-ended so that an overpayment lands on it.
CREATE OR REPLACE VIEW cc_erpnext.instalment AS
SELECT i.invoice, i.customer, i.company, i.posting_date, i.instalment_id, i.due_date, i.amount,
	   pg_catalog.sum(i.amount) OVER w - i.amount AS lo,
	   CASE WHEN pg_catalog.row_number() OVER w = pg_catalog.count(*) OVER (PARTITION BY i.invoice)
			THEN 'Infinity'::numeric ELSE pg_catalog.sum(i.amount) OVER w END AS hi
FROM (
	SELECT si.name AS invoice, si.customer, si.company, si.posting_date,
		   x.instalment_id, x.due_date, x.amount, x.idx
	FROM "tabSales Invoice" si
	CROSS JOIN LATERAL (
		SELECT cc_erpnext.key('Payment Schedule', ps.name) AS instalment_id, ps.due_date,
			   ps.base_payment_amount::numeric AS amount, ps.idx
		FROM "tabPayment Schedule" ps
		WHERE ps.parenttype = 'Sales Invoice' AND ps.parent = si.name
		UNION ALL
		SELECT cc_erpnext.key('Sales Invoice', si.name), coalesce(si.due_date, si.posting_date),
			   coalesce(nullif(si.base_rounded_total, 0), si.base_grand_total)::numeric, 0
		WHERE NOT EXISTS (SELECT FROM "tabPayment Schedule" ps
						  WHERE ps.parenttype = 'Sales Invoice' AND ps.parent = si.name)
	) x
	WHERE si.docstatus = 1 AND si.is_return = 0
) i
WINDOW w AS (PARTITION BY i.invoice ORDER BY i.due_date, i.idx, i.instalment_id
			 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);

CREATE OR REPLACE VIEW cc_erpnext.invoice AS
SELECT i.instalment_id AS invoice_id,
	   cc_erpnext.key('Customer', i.customer) AS customer_id,
	   cc_erpnext.key('Sales Order', o.sales_order) AS order_id,
	   i.posting_date AS issued_on,
	   i.due_date AS due_on,
	   i.amount,
	   cc_erpnext.key('Company', i.company) AS company_id,
	   i.invoice::text AS erpnext_name
FROM cc_erpnext.instalment i
LEFT JOIN LATERAL (
	SELECT pg_catalog.min(sii.sales_order) AS sales_order
	FROM "tabSales Invoice Item" sii
	WHERE sii.parenttype = 'Sales Invoice' AND sii.parent = i.invoice
) o ON true;

CREATE OR REPLACE VIEW cc_erpnext.payment AS
WITH application AS (
	-- everything that settles a submitted invoice, in company currency,
	-- with its running total per invoice in date order (lo .. hi)
	SELECT a.doctype, a.name, a.document, a.invoice, a.posting_date, a.amount, a.kind,
		   pg_catalog.sum(a.amount) OVER w - a.amount AS lo,
		   pg_catalog.sum(a.amount) OVER w AS hi
	FROM (
		SELECT 'Payment Entry Reference' AS doctype, per.name, pe.name AS document,
			   per.reference_name AS invoice, pe.posting_date,
			   (per.allocated_amount * coalesce(nullif(pe.source_exchange_rate, 0), 1))::numeric AS amount,
			   'payment' AS kind
		FROM "tabPayment Entry Reference" per
		JOIN "tabPayment Entry" pe ON pe.name = per.parent
		WHERE per.parenttype = 'Payment Entry' AND per.reference_doctype = 'Sales Invoice'
		  AND pe.docstatus = 1 AND pe.payment_type = 'Receive' AND pe.party_type = 'Customer'
		UNION ALL
		SELECT 'Sales Invoice', cn.name, cn.name, cn.return_against, cn.posting_date,
			   -coalesce(nullif(cn.base_rounded_total, 0), cn.base_grand_total)::numeric,
			   'credit_note'
		FROM "tabSales Invoice" cn
		WHERE cn.docstatus = 1 AND cn.is_return = 1 AND cn.return_against IS NOT NULL
	) a
	WINDOW w AS (PARTITION BY a.invoice ORDER BY a.posting_date, a.doctype, a.name
				 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
-- applied: each application's share of each instalment it covers
SELECT cc_erpnext.key(a.doctype, a.name || '@' || i.instalment_id) AS payment_id,
	   cc_erpnext.key('Customer', i.customer) AS customer_id,
	   i.instalment_id AS invoice_id,
	   a.posting_date AS paid_on,
	   LEAST(a.hi, i.hi) - GREATEST(a.lo, i.lo) AS amount,
	   a.kind,
	   cc_erpnext.key('Company', i.company) AS company_id,
	   a.document::text AS erpnext_name
FROM application a
JOIN cc_erpnext.instalment i ON i.invoice = a.invoice
WHERE LEAST(a.hi, i.hi) > GREATEST(a.lo, i.lo)
UNION ALL
-- unapplied: what a payment entry left unallocated
SELECT cc_erpnext.key('Payment Entry', pe.name), cc_erpnext.key('Customer', pe.party), NULL::bigint,
	   pe.posting_date, (pe.unallocated_amount * coalesce(nullif(pe.source_exchange_rate, 0), 1))::numeric,
	   'payment', cc_erpnext.key('Company', pe.company), pe.name::text
FROM "tabPayment Entry" pe
WHERE pe.docstatus = 1 AND pe.payment_type = 'Receive' AND pe.party_type = 'Customer'
  AND pe.unallocated_amount > 0
UNION ALL
-- unapplied: allocations to anything but a sales invoice (advances on orders)
SELECT cc_erpnext.key('Payment Entry Reference', per.name), cc_erpnext.key('Customer', pe.party), NULL::bigint,
	   pe.posting_date, (per.allocated_amount * coalesce(nullif(pe.source_exchange_rate, 0), 1))::numeric,
	   'payment', cc_erpnext.key('Company', pe.company), pe.name::text
FROM "tabPayment Entry Reference" per
JOIN "tabPayment Entry" pe ON pe.name = per.parent
WHERE per.parenttype = 'Payment Entry' AND per.reference_doctype <> 'Sales Invoice'
  AND pe.docstatus = 1 AND pe.payment_type = 'Receive' AND pe.party_type = 'Customer'
  AND per.allocated_amount > 0
UNION ALL
-- unapplied: credit notes against no invoice
SELECT cc_erpnext.key('Sales Invoice', cn.name), cc_erpnext.key('Customer', cn.customer), NULL::bigint,
	   cn.posting_date, -coalesce(nullif(cn.base_rounded_total, 0), cn.base_grand_total)::numeric,
	   'credit_note', cc_erpnext.key('Company', cn.company), cn.name::text
FROM "tabSales Invoice" cn
WHERE cn.docstatus = 1 AND cn.is_return = 1 AND cn.return_against IS NULL;

CREATE OR REPLACE VIEW cc_erpnext.credit_limit AS
SELECT cc_erpnext.key('Customer', l.parent) AS customer_id,
	   cc_erpnext.key('Company', l.company) AS company_id,
	   l.credit_limit::numeric AS credit_limit
FROM "tabCustomer Credit Limit" l
WHERE l.parenttype = 'Customer' AND l.credit_limit > 0;

-- Names that share a key (the hash is 63 bits: there should never be any).
CREATE OR REPLACE VIEW cc_erpnext.key_collision AS
SELECT k.key, pg_catalog.array_agg(k.doctype || ':' || k.name ORDER BY k.doctype, k.name) AS names
FROM (SELECT 'Customer' AS doctype, name FROM "tabCustomer"
	  UNION SELECT 'Company', name FROM "tabCompany"
	  UNION SELECT 'Sales Order', name FROM "tabSales Order"
	  UNION SELECT 'Sales Invoice', name FROM "tabSales Invoice"
	  UNION SELECT 'Payment Schedule', name FROM "tabPayment Schedule"
	  UNION SELECT 'Payment Entry', name FROM "tabPayment Entry"
	  UNION SELECT 'Payment Entry Reference', name FROM "tabPayment Entry Reference") n
CROSS JOIN LATERAL (SELECT n.doctype, n.name, cc_erpnext.key(n.doctype, n.name) AS key) k
GROUP BY k.key
HAVING pg_catalog.count(*) > 1;

COMMENT ON VIEW cc_erpnext.customer IS 'customer_class source customer: ERPNext customers (key = cc_erpnext.key(''Customer'', name))';
COMMENT ON VIEW cc_erpnext.customer_name IS 'ERPNext customer name of each customer_class customer key';
COMMENT ON VIEW cc_erpnext.company_name IS 'ERPNext company name and currency of each customer_class company key';
COMMENT ON VIEW cc_erpnext.sales_order IS 'customer_class source order: submitted and cancelled ERPNext sales orders, company currency';
COMMENT ON VIEW cc_erpnext.instalment IS 'internal: instalments of submitted ERPNext sales invoices, with their running totals';
COMMENT ON VIEW cc_erpnext.invoice IS 'customer_class source invoice: one row per instalment of a submitted ERPNext sales invoice';
COMMENT ON VIEW cc_erpnext.payment IS 'customer_class source payment: payment entries and credit notes, spread over instalments; unapplied ones';
COMMENT ON VIEW cc_erpnext.credit_limit IS 'customer_class source credit_limit: ERPNext per-company customer credit limits';
COMMENT ON VIEW cc_erpnext.key_collision IS 'ERPNext names sharing a customer_class key (expected: none)';

-- The extension's readers read the sources through these views, with the
-- rights of the views' owner (whoever ran this script) on ERPNext's tables.
GRANT USAGE ON SCHEMA cc_erpnext TO customer_class_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA cc_erpnext TO customer_class_reader;

SELECT customer_class.bind_source('customer', 'cc_erpnext.customer',
	'{"customer_id": "customer_id", "name": "name", "customer_type": "customer_type", "industry": "industry",
	  "created_on": "created_on"}');
SELECT customer_class.bind_source('order', 'cc_erpnext.sales_order',
	'{"order_id": "order_id", "customer_id": "customer_id", "ordered_on": "ordered_on", "amount": "amount",
	  "status": "status", "shipped_on": "shipped_on", "company_id": "company_id"}');
SELECT customer_class.bind_source('invoice', 'cc_erpnext.invoice',
	'{"invoice_id": "invoice_id", "customer_id": "customer_id", "order_id": "order_id", "issued_on": "issued_on",
	  "due_on": "due_on", "amount": "amount", "company_id": "company_id"}');
SELECT customer_class.bind_source('payment', 'cc_erpnext.payment',
	'{"payment_id": "payment_id", "customer_id": "customer_id", "invoice_id": "invoice_id", "paid_on": "paid_on",
	  "amount": "amount", "kind": "kind", "company_id": "company_id"}');
SELECT customer_class.bind_source('credit_limit', 'cc_erpnext.credit_limit',
	'{"customer_id": "customer_id", "company_id": "company_id", "credit_limit": "credit_limit"}');

-- The write side (docs/binding.md, "The write side"): submitting a sales
-- order (docstatus 0 -> 1) is the order checkpoint, checked against the
-- customer's exposure and limit in the order's company; the writes to sales
-- orders, sales invoices and payment entries keep the exposure ledger and
-- the refresh queue current.  The triggers run as the role that writes
-- ERPNext's tables (their owner): it gets USAGE on the extension's schema
-- and on cc_erpnext (the keys).
DO $bind$
DECLARE
	so regclass := '"tabSales Order"'::regclass;
	si regclass := '"tabSales Invoice"'::regclass;
	pe regclass := '"tabPayment Entry"'::regclass;
BEGIN
	EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA customer_class, cc_erpnext TO %s',
							  (SELECT c.relowner::regrole::text FROM pg_catalog.pg_class c WHERE c.oid = so));
	PERFORM customer_class.bind_checkpoint('order', so,
		customer => $$cc_erpnext.key('Customer', customer)$$,
		entered => 'docstatus = 1',
		company => $$cc_erpnext.key('Company', company)$$,
		came_from => 'docstatus = 0',
		amount => 'coalesce(nullif(base_rounded_total, 0), base_grand_total)');
	PERFORM customer_class.watch_source(so, $$SELECT cc_erpnext.key('Customer', customer) FROM changed$$);
	PERFORM customer_class.watch_source(si, $$SELECT cc_erpnext.key('Customer', customer) FROM changed$$);
	PERFORM customer_class.watch_source(pe,
		$$SELECT cc_erpnext.key('Customer', party) FROM changed WHERE party_type = 'Customer'$$);
END
$bind$;
