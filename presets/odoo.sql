-- customer_class preset for Odoo (17 and 18; see docs/binding.md, "Odoo").
--
-- Run it with psql in the Odoo database, after CREATE EXTENSION
-- customer_class, as a member of customer_class_admin who may read Odoo's
-- tables, with Odoo's tables first on the search_path (Odoo keeps them in
-- public); installed in $(pg_config --sharedir)/customer_class/presets/:
--
--   psql -d odoo -v ON_ERROR_STOP=1 -f presets/odoo.sql
--
-- It creates schema cc_odoo with one view per canonical source, over Odoo's
-- own tables (the names resolve once, here: the views then follow the
-- tables, not the search_path), and binds the sources to those views.
-- Running it again replaces the views and rebinds.
--
-- The mapping, and why:
--   customer      commercial entities (res_partner.id = commercial_partner_id)
--                 with customer_rank > 0: a contact's documents are its
--                 company's, as in Odoo's own receivable figures.
--   order         confirmed sale orders (state sale, or done before Odoo 17);
--                 quotations (draft, sent) are not orders yet.  Amount in the
--                 company's currency: amount_total / currency_rate.  Status:
--                 cancel -> cancelled; invoice_status invoiced or upselling
--                 -> invoiced; delivered (sale_stock's effective_date) ->
--                 shipped; else open.  The part not yet invoiced is what the
--                 extension computes from the invoices naming the order.
--   invoice       one row per receivable line (balance > 0) of a posted
--                 customer invoice: one per instalment, each with its own
--                 date_maturity; key = the line's id; amount = balance
--                 (company currency); the order = the sale order whose lines
--                 the invoice bills (sale_order_line_invoice_rel).
--   payment       one row per account_partial_reconcile that settles such a
--                 line (key = its id; amount in company currency; date =
--                 max_date; a credit note when the credit side is an
--                 out_refund), and one row per customer credit line on a
--                 receivable account still open (amount_residual): unapplied
--                 payments and credit notes, keyed by minus the line's id so
--                 that the two kinds of key never meet.
--   credit_limit  res_partner.credit_limit, company_dependent: in Odoo 18 a
--                 jsonb column {"<company id>": limit}; only companies with
--                 the "Sales Credit Limit" setting on, only limits above 0
--                 (Odoo checks nothing on a limit of 0).  Odoo 17 keeps the
--                 value in ir_property instead: see docs/binding.md.
-- Every row carries its company (company_id): aging, scores and profiles add
-- a customer's documents over the companies, in each company's currency;
-- limits and exposure checks stay per company.

CREATE SCHEMA IF NOT EXISTS cc_odoo;
COMMENT ON SCHEMA cc_odoo IS 'customer_class: the views binding the canonical sources to Odoo''s tables (presets/odoo.sql)';

CREATE OR REPLACE VIEW cc_odoo.customer AS
SELECT p.id::bigint AS customer_id,
	   coalesce(nullif(pg_catalog.btrim(p.name), ''), 'res.partner ' || p.id)::text AS name,
	   CASE WHEN p.is_company THEN 'enterprise' ELSE 'individual' END AS customer_type,
	   p.create_date::date AS created_on
FROM res_partner p
WHERE p.id = p.commercial_partner_id
  AND p.customer_rank > 0;

CREATE OR REPLACE VIEW cc_odoo.sales_order AS
SELECT so.id::bigint AS order_id,
	   p.commercial_partner_id::bigint AS customer_id,
	   so.date_order::date AS ordered_on,
	   pg_catalog.round(so.amount_total / coalesce(nullif(so.currency_rate, 0), 1), 2) AS amount,
	   CASE WHEN so.state = 'cancel' THEN 'cancelled'
			WHEN so.invoice_status IN ('invoiced', 'upselling') THEN 'invoiced'
			WHEN so.effective_date IS NOT NULL THEN 'shipped'
			ELSE 'open' END AS status,
	   so.effective_date::date AS shipped_on,
	   so.company_id::bigint AS company_id
FROM sale_order so
JOIN res_partner p ON p.id = so.partner_id
WHERE so.state IN ('sale', 'done', 'cancel');

CREATE OR REPLACE VIEW cc_odoo.invoice AS
SELECT l.id::bigint AS invoice_id,
	   m.commercial_partner_id::bigint AS customer_id,
	   so.order_id,
	   m.invoice_date AS issued_on,
	   coalesce(l.date_maturity, m.invoice_date_due, m.invoice_date) AS due_on,
	   l.balance::numeric AS amount,
	   l.company_id::bigint AS company_id
FROM account_move_line l
JOIN account_move m ON m.id = l.move_id
JOIN account_account a ON a.id = l.account_id
LEFT JOIN LATERAL (
	SELECT pg_catalog.min(sol.order_id)::bigint AS order_id
	FROM account_move_line il
	JOIN sale_order_line_invoice_rel r ON r.invoice_line_id = il.id
	JOIN sale_order_line sol ON sol.id = r.order_line_id
	WHERE il.move_id = m.id
) so ON true
WHERE m.move_type = 'out_invoice'
  AND m.state = 'posted'
  AND a.account_type = 'asset_receivable'
  AND l.balance > 0;

CREATE OR REPLACE VIEW cc_odoo.payment AS
SELECT pr.id::bigint AS payment_id,
	   dm.commercial_partner_id::bigint AS customer_id,
	   pr.debit_move_id::bigint AS invoice_id,
	   pr.max_date AS paid_on,
	   pr.amount::numeric AS amount,
	   CASE WHEN cm.move_type = 'out_refund' THEN 'credit_note' ELSE 'payment' END AS kind,
	   dl.company_id::bigint AS company_id
FROM account_partial_reconcile pr
JOIN account_move_line dl ON dl.id = pr.debit_move_id
JOIN account_move dm ON dm.id = dl.move_id
JOIN account_account da ON da.id = dl.account_id
JOIN account_move_line cl ON cl.id = pr.credit_move_id
JOIN account_move cm ON cm.id = cl.move_id
WHERE dm.move_type = 'out_invoice'
  AND dm.state = 'posted'
  AND cm.state = 'posted'
  AND da.account_type = 'asset_receivable'
  AND dl.balance > 0
UNION ALL
SELECT -l.id::bigint,
	   p.commercial_partner_id::bigint,
	   NULL::bigint,
	   l.date,
	   -l.amount_residual::numeric,
	   CASE WHEN m.move_type = 'out_refund' THEN 'credit_note' ELSE 'payment' END,
	   l.company_id::bigint
FROM account_move_line l
JOIN account_move m ON m.id = l.move_id
JOIN account_account a ON a.id = l.account_id
JOIN res_partner p ON p.id = l.partner_id
WHERE m.state = 'posted'
  AND a.account_type = 'asset_receivable'
  AND l.balance < 0
  AND l.amount_residual < 0;

CREATE OR REPLACE VIEW cc_odoo.credit_limit AS
SELECT p.id::bigint AS customer_id,
	   c.id::bigint AS company_id,
	   e.value::numeric AS credit_limit
FROM res_partner p
CROSS JOIN LATERAL pg_catalog.jsonb_each_text(p.credit_limit) e
JOIN res_company c ON c.id::text = e.key
WHERE p.id = p.commercial_partner_id
  AND c.account_use_credit_limit
  AND e.value::numeric > 0;

COMMENT ON VIEW cc_odoo.customer IS 'customer_class source customer: Odoo commercial partners that are customers';
COMMENT ON VIEW cc_odoo.sales_order IS 'customer_class source order: confirmed Odoo sale orders, company currency';
COMMENT ON VIEW cc_odoo.invoice IS 'customer_class source invoice: receivable lines of posted Odoo customer invoices, one per instalment';
COMMENT ON VIEW cc_odoo.payment IS 'customer_class source payment: reconciliations of invoice lines, and open customer credits (key = minus the line id)';
COMMENT ON VIEW cc_odoo.credit_limit IS 'customer_class source credit_limit: res_partner.credit_limit per company (Odoo 18 jsonb)';

-- The extension's readers read the sources through these views, with the
-- rights of the views' owner (whoever ran this script) on Odoo's tables.
GRANT USAGE ON SCHEMA cc_odoo TO customer_class_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA cc_odoo TO customer_class_reader;

SELECT customer_class.bind_source('customer', 'cc_odoo.customer',
	'{"customer_id": "customer_id", "name": "name", "customer_type": "customer_type", "created_on": "created_on"}');
SELECT customer_class.bind_source('order', 'cc_odoo.sales_order',
	'{"order_id": "order_id", "customer_id": "customer_id", "ordered_on": "ordered_on", "amount": "amount",
	  "status": "status", "shipped_on": "shipped_on", "company_id": "company_id"}');
SELECT customer_class.bind_source('invoice', 'cc_odoo.invoice',
	'{"invoice_id": "invoice_id", "customer_id": "customer_id", "order_id": "order_id", "issued_on": "issued_on",
	  "due_on": "due_on", "amount": "amount", "company_id": "company_id"}');
SELECT customer_class.bind_source('payment', 'cc_odoo.payment',
	'{"payment_id": "payment_id", "customer_id": "customer_id", "invoice_id": "invoice_id", "paid_on": "paid_on",
	  "amount": "amount", "kind": "kind", "company_id": "company_id"}');
SELECT customer_class.bind_source('credit_limit', 'cc_odoo.credit_limit',
	'{"customer_id": "customer_id", "company_id": "company_id", "credit_limit": "credit_limit"}');

-- The write side (docs/binding.md, "The write side"): confirming a sale
-- order (draft or sent -> sale) is the order checkpoint, checked against
-- the customer's exposure and limit in the order's company; the writes to
-- sale_order, account_move_line and account_partial_reconcile keep the
-- exposure ledger and the refresh queue current.  The triggers run as the
-- role that writes Odoo's tables (their owner): it gets USAGE on the
-- extension's schema.  Their expressions run with search_path pg_catalog,
-- so the tables they read are named with their schema, found here.
DO $bind$
DECLARE
	so regclass := 'sale_order'::regclass;
	aml regclass := 'account_move_line'::regclass;
	apr regclass := 'account_partial_reconcile'::regclass;
	rp text;
	aml_q text;
BEGIN
	SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) INTO rp
	FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE c.oid = 'res_partner'::regclass;
	SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) INTO aml_q
	FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE c.oid = aml;
	EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA customer_class TO %s',
							  (SELECT c.relowner::regrole::text FROM pg_catalog.pg_class c WHERE c.oid = so));
	PERFORM customer_class.bind_checkpoint('order', so,
		customer => pg_catalog.format('(SELECT p.commercial_partner_id FROM %s p WHERE p.id = sale_order.partner_id)', rp),
		entered => $$state = 'sale'$$,
		company => 'company_id',
		came_from => $$state IN ('draft', 'sent')$$,
		amount => 'pg_catalog.round(amount_total / coalesce(nullif(currency_rate, 0), 1), 2)');
	PERFORM customer_class.watch_source(so,
		pg_catalog.format('SELECT p.commercial_partner_id FROM changed c JOIN %s p ON p.id = c.partner_id', rp));
	PERFORM customer_class.watch_source(aml,
		pg_catalog.format('SELECT p.commercial_partner_id FROM changed c JOIN %s p ON p.id = c.partner_id', rp));
	PERFORM customer_class.watch_source(apr,
		pg_catalog.format('SELECT p.commercial_partner_id FROM changed c JOIN %s l ON l.id = c.debit_move_id JOIN %s p ON p.id = l.partner_id',
						  aml_q, rp));
END
$bind$;
