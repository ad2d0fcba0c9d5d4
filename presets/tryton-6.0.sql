-- customer_class preset for Tryton 6.0 (docs/binding.md, section Tryton).
--
-- Run with psql in the Tryton database, after CREATE EXTENSION customer_class,
-- as a member of customer_class_admin who can read Tryton's tables:
--     psql -X -v ON_ERROR_STOP=1 -d tryton -f presets/tryton-6.0.sql
-- It (re)creates the schema cc_tryton with one view per canonical source over
-- Tryton's own tables, then binds the sources to them.  Re-running it is safe.
--
-- Needs the Tryton modules party, company, account, account_invoice, sale,
-- stock and account_credit_limit (all of them tables of the database: Tryton
-- keeps every model in a table named after it, dots as underscores, in the
-- schema public, where it creates them).
--
-- What Tryton's data means here:
--   customer      a party that is not a company of the database (archived
--                 ones too: their documents stay in the books); its payment
--                 terms are its customer payment term, in days to the last
--                 instalment (no term: due at once, 0 days)
--   order         a sale once confirmed (draft and quotation are offers, not
--                 orders); while confirmed or processing its amount is what
--                 Tryton's own credit check counts: the untaxed value of the
--                 quantities not yet on a posted invoice (quantities are
--                 floats in Tryton: cast to numeric); a sale with nothing left
--                 to invoice is 'invoiced' for its untaxed total; shipped when
--                 Tryton says its shipments are sent, on the last delivery
--   invoice       one row per receivable move line of a posted move (each
--                 instalment of an invoice is its own line, with its own
--                 maturity date): the key is the move line's id, the due date
--                 its maturity date; invoices are not linked to orders (the
--                 order amount is already net of what is invoiced)
--   payment       (a) a reconciled receivable line is paid in full on the date
--                 of its reconciliation; (b) a credit on a receivable account
--                 not reconciled yet is a partial payment: when Tryton records
--                 it against an invoice ("account_invoice-account_move_line")
--                 it settles that invoice's open instalments in maturity
--                 order, else it is unapplied; credit lines of a credit note
--                 are kind credit_note
--   credit_limit  party_party_credit_limit_amount: per party and company
-- Amounts are Tryton's company-currency amounts (debit - credit), so the
-- sources of several companies add up only when the companies share a
-- currency (else bind one company: add a filter "company_id = N").
-- Receivables of draft moves are left out (an unposted move is not an issued
-- document); Tryton's own "receivable" counts them.  account_payment rows are
-- payment orders, not accounting entries: they change no balance and are not
-- read.

\set ON_ERROR_STOP 1

CREATE SCHEMA IF NOT EXISTS cc_tryton;
COMMENT ON SCHEMA cc_tryton IS 'customer_class preset for Tryton 6.0: the canonical sources over Tryton''s tables';

-- the receivable lines of posted moves, with their company: every source
-- about money reads this
CREATE OR REPLACE VIEW cc_tryton.receivable_line AS
	SELECT l.id, l.party, l.debit - l.credit AS amount, l.maturity_date, l.reconciliation,
		   l.move, l.account, m.date AS move_date, m.origin AS move_origin, a.company
	FROM public.account_move_line l
	JOIN public.account_move m ON m.id = l.move
	JOIN public.account_account a ON a.id = l.account
	JOIN public.account_account_type t ON t.id = a.type
	WHERE t.receivable AND m.state = 'posted' AND l.party IS NOT NULL;
COMMENT ON VIEW cc_tryton.receivable_line IS
	'receivable move lines of posted moves with a party (amount = debit - credit, in the company currency)';

CREATE OR REPLACE VIEW cc_tryton.customer AS
	SELECT p.id::bigint AS customer_id,
		   p.name::text AS name,
		   p.create_date::date AS created_on,
		   coalesce((SELECT max(d.days)
					 FROM public.party_party_payment_term pt
					 JOIN public.account_invoice_payment_term_line tl
					   ON tl.payment = pt.customer_payment_term
					 CROSS JOIN LATERAL (
						SELECT sum(coalesce(x.days, 0) + 7 * coalesce(x.weeks, 0)
								   + 30 * coalesce(x.months, 0))::integer AS days
						FROM public.account_invoice_payment_term_line_delta x
						WHERE x.line = tl.id) d
					 WHERE pt.party = p.id), 0) AS payment_terms_days
	FROM public.party_party p
	-- archived parties too: their documents stay in the books
	WHERE NOT EXISTS (SELECT FROM public.company_company c WHERE c.party = p.id);
COMMENT ON VIEW cc_tryton.customer IS
	'Tryton parties that are not companies; payment terms = days to the last instalment of the customer payment term';

CREATE OR REPLACE VIEW cc_tryton.sale_order AS
	WITH invoiced AS (
		-- quantities of sale lines on invoices that have a move (posted or
		-- paid), as Tryton's credit check counts them; origin is a text
		-- reference 'sale.line,<id>'
		SELECT pg_catalog.split_part(il.origin, ',', 2)::integer AS sale_line,
			   sum(il.quantity) AS quantity
		FROM public.account_invoice_line il
		JOIN public.account_invoice i ON i.id = il.invoice
		WHERE il.origin LIKE 'sale.line,%' AND il.type = 'line' AND i.move IS NOT NULL
		GROUP BY 1),
	sale_amount AS (
		SELECT sl.sale,
			   sum(sl.quantity::numeric * sl.unit_price) AS total,
			   sum((sl.quantity - coalesce(v.quantity, 0))::numeric * sl.unit_price) AS open
		FROM public.sale_line sl
		LEFT JOIN invoiced v ON v.sale_line = sl.id
		WHERE sl.type = 'line'
		GROUP BY sl.sale)
	SELECT s.id::bigint AS order_id,
		   s.party::bigint AS customer_id,
		   coalesce(s.sale_date, s.create_date::date) AS ordered_on,
		   CASE WHEN s.state IN ('confirmed', 'processing') AND coalesce(a.open, 0) <> 0
				THEN a.open ELSE coalesce(a.total, 0) END AS amount,
		   CASE WHEN s.state = 'done' OR coalesce(a.open, 0) = 0 THEN 'invoiced'
				WHEN s.shipment_state = 'sent' THEN 'shipped'
				ELSE 'open' END AS status,
		   CASE WHEN s.shipment_state = 'sent' THEN
				(SELECT max(sm.effective_date)
				 FROM public.stock_move sm
				 JOIN public.sale_line sl ON sm.origin = 'sale.line,' || sl.id
				 WHERE sl.sale = s.id AND sm.state = 'done') END AS shipped_on,
		   s.company::bigint AS company_id
	FROM public.sale_sale s
	LEFT JOIN sale_amount a ON a.sale = s.id
	WHERE s.state IN ('confirmed', 'processing', 'done');
COMMENT ON VIEW cc_tryton.sale_order IS
	'confirmed Tryton sales; amount of an open one = untaxed value not yet on a posted invoice (Tryton''s credit check)';

CREATE OR REPLACE VIEW cc_tryton.invoice AS
	SELECT r.id::bigint AS invoice_id,
		   r.party::bigint AS customer_id,
		   coalesce(i.invoice_date, r.move_date) AS issued_on,
		   coalesce(r.maturity_date, i.invoice_date, r.move_date) AS due_on,
		   r.amount,
		   r.company::bigint AS company_id
	FROM cc_tryton.receivable_line r
	LEFT JOIN public.account_invoice i ON i.move = r.move AND i.account = r.account
	WHERE r.amount > 0;
COMMENT ON VIEW cc_tryton.invoice IS
	'one row per receivable debit line of a posted move (an instalment): key = move line id, due = maturity date';

CREATE OR REPLACE VIEW cc_tryton.payment AS
	-- (a) reconciled debit lines: paid in full when reconciled
	SELECT r.id::bigint AS payment_id,
		   r.party::bigint AS customer_id,
		   r.id::bigint AS invoice_id,
		   rec.date AS paid_on,
		   r.amount,
		   'payment'::text AS kind,
		   r.company::bigint AS company_id
	FROM cc_tryton.receivable_line r
	JOIN public.account_move_reconciliation rec ON rec.id = r.reconciliation
	WHERE r.amount > 0
	UNION ALL
	-- (b) open credits: spread over the open instalments of the invoice they
	-- are recorded against, earliest maturity first (the interval of each
	-- credit in the running total of the invoice's credits, cut by the
	-- interval of each instalment in the running total of its instalments;
	-- the last instalment takes any excess); one row per piece, keyed by the
	-- credit line's id * 1000 + the instalment's rank
	SELECT c.id::bigint * 1000 + coalesce(inst.rank, 0) AS payment_id,
		   c.party::bigint AS customer_id,
		   inst.id::bigint AS invoice_id,
		   c.move_date AS paid_on,
		   CASE WHEN inst.id IS NULL THEN c.credit
				ELSE least(c.upto, CASE WHEN inst.last THEN c.upto ELSE inst.upto END)
					 - greatest(c.upto - c.credit, inst.upto - inst.amount) END AS amount,
		   CASE WHEN c.move_origin LIKE 'account.invoice,%'
				 AND EXISTS (SELECT FROM public.account_invoice ci
							 WHERE ci.move = c.move AND ci.account = c.account)
				THEN 'credit_note' ELSE 'payment' END AS kind,
		   c.company::bigint AS company_id
	FROM (SELECT r.*, -r.amount AS credit, ail.invoice,
				 sum(-r.amount) OVER (PARTITION BY ail.invoice ORDER BY r.move_date, r.id) AS upto
		  FROM cc_tryton.receivable_line r
		  LEFT JOIN public."account_invoice-account_move_line" ail ON ail.line = r.id
		  WHERE r.amount < 0 AND r.reconciliation IS NULL) c
	LEFT JOIN LATERAL (
		SELECT o.* FROM (
			SELECT r.id, r.amount,
				   sum(r.amount) OVER w AS upto,
				   row_number() OVER w AS rank,
				   row_number() OVER w = count(*) OVER () AS last
			FROM public.account_invoice i
			JOIN cc_tryton.receivable_line r ON r.move = i.move AND r.account = i.account
			WHERE i.id = c.invoice AND r.amount > 0 AND r.reconciliation IS NULL
			WINDOW w AS (ORDER BY r.maturity_date NULLS FIRST, r.id)) o
		WHERE o.upto - o.amount < c.upto AND (o.last OR o.upto > c.upto - c.credit)) inst ON true;
COMMENT ON VIEW cc_tryton.payment IS
	'reconciled receivable lines (paid on the reconciliation date) and open receivable credits (partial payments spread over the invoice''s open instalments, else unapplied)';

CREATE OR REPLACE VIEW cc_tryton.credit_limit AS
	SELECT cl.party::bigint AS customer_id,
		   cl.company::bigint AS company_id,
		   cl.credit_limit_amount AS credit_limit
	FROM public.party_party_credit_limit_amount cl
	WHERE cl.credit_limit_amount IS NOT NULL;
COMMENT ON VIEW cc_tryton.credit_limit IS 'Tryton''s credit limits, per party and company';

GRANT USAGE ON SCHEMA cc_tryton TO customer_class_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA cc_tryton TO customer_class_reader;

-- Bind the sources (bind_source validates the mapping before it changes
-- anything; the source_<role> views it writes are configuration, dumped and
-- restored with the database).
SELECT customer_class.bind_source('customer', 'cc_tryton.customer',
	'{"customer_id": "customer_id", "name": "name", "created_on": "created_on",
	  "payment_terms_days": "payment_terms_days"}');
SELECT customer_class.bind_source('order', 'cc_tryton.sale_order',
	'{"order_id": "order_id", "customer_id": "customer_id", "ordered_on": "ordered_on",
	  "amount": "amount", "status": "status", "shipped_on": "shipped_on",
	  "company_id": "company_id"}');
SELECT customer_class.bind_source('invoice', 'cc_tryton.invoice',
	'{"invoice_id": "invoice_id", "customer_id": "customer_id", "issued_on": "issued_on",
	  "due_on": "due_on", "amount": "amount", "company_id": "company_id"}');
SELECT customer_class.bind_source('payment', 'cc_tryton.payment',
	'{"payment_id": "payment_id", "customer_id": "customer_id", "invoice_id": "invoice_id",
	  "paid_on": "paid_on", "amount": "amount", "kind": "kind", "company_id": "company_id"}');
SELECT customer_class.bind_source('credit_limit', 'cc_tryton.credit_limit',
	'{"customer_id": "customer_id", "company_id": "company_id", "credit_limit": "credit_limit"}');

-- The credit checkpoints on Tryton's documents: a sale confirmed (from draft
-- or quotation), a customer shipment done, a customer invoice posted.  The
-- check runs in the statement that moves the document into the state (an
-- AFTER statement trigger on Tryton's table): it takes the customer's row of
-- the exposure ledger, never a lock on Tryton's tables, and reads the
-- exposure in the document's company from the sources bound above, the
-- document included.  Modes per checkpoint as configured (credit_policy:
-- order and delivery block, invoice warns).
SELECT customer_class.bind_checkpoint('order', 'public.sale_sale',
	customer => 'party', company => 'company',
	entered => $$state = 'confirmed'$$, came_from => $$state IN ('draft', 'quotation')$$,
	amount => 'untaxed_amount_cache');
SELECT customer_class.bind_checkpoint('delivery', 'public.stock_shipment_out',
	customer => 'customer', company => 'company',
	entered => $$state = 'done'$$);
SELECT customer_class.bind_checkpoint('invoice', 'public.account_invoice',
	customer => 'party', company => 'company',
	entered => $$state = 'posted' AND type = 'out'$$, came_from => $$state IN ('draft', 'validated')$$);

-- Keep the exposure ledger and the refresh queue current: every Tryton table
-- the views above read, with the customers a write touches.
SELECT customer_class.watch_source('public.party_party', 'SELECT id FROM changed');
SELECT customer_class.watch_source('public.party_party_credit_limit_amount', 'SELECT party FROM changed');
SELECT customer_class.watch_source('public.party_party_payment_term', 'SELECT party FROM changed');
SELECT customer_class.watch_source('public.sale_sale', 'SELECT party FROM changed');
SELECT customer_class.watch_source('public.sale_line',
	'SELECT s.party FROM changed c JOIN public.sale_sale s ON s.id = c.sale');
SELECT customer_class.watch_source('public.stock_move',
	$$SELECT s.party FROM changed c
	  JOIN public.sale_line l ON c.origin = 'sale.line,' || l.id
	  JOIN public.sale_sale s ON s.id = l.sale$$);
SELECT customer_class.watch_source('public.account_invoice', 'SELECT party FROM changed');
SELECT customer_class.watch_source('public.account_invoice_line',
	'SELECT party FROM changed WHERE party IS NOT NULL');
SELECT customer_class.watch_source('public.account_move',
	'SELECT l.party FROM changed c JOIN public.account_move_line l ON l.move = c.id WHERE l.party IS NOT NULL');
SELECT customer_class.watch_source('public.account_move_line',
	'SELECT party FROM changed WHERE party IS NOT NULL');
SELECT customer_class.watch_source('public.account_move_reconciliation',
	'SELECT l.party FROM changed c JOIN public.account_move_line l ON l.reconciliation = c.id WHERE l.party IS NOT NULL');
SELECT customer_class.watch_source('public."account_invoice-account_move_line"',
	'SELECT l.party FROM changed c JOIN public.account_move_line l ON l.id = c.line WHERE l.party IS NOT NULL');

-- the exposure ledger from the bound sources (it held the managed tables')
SELECT customer_class.recompute_exposure();
