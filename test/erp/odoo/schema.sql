-- Odoo test schema: the tables and columns the Odoo preset (presets/odoo.sql)
-- reads, with Odoo's own table and column names and the column types its ORM
-- gives them on PostgreSQL (Many2one -> int4, Char/Selection -> varchar,
-- Monetary and Float with digits -> numeric, Date -> date, Datetime ->
-- timestamp, Boolean -> bool, a company_dependent field -> jsonb keyed by
-- company id).  Written from the model definitions of odoo/odoo (Odoo 17/18:
-- res.partner, res.company, sale.order, sale.order.line, account.move,
-- account.move.line, account.account, account.partial.reconcile), keeping
-- only what the preset needs; Odoo has many more columns.
--
-- Odoo keeps its tables in the database's public schema; this test creates
-- them in schema "odoo" so that they cannot meet the other tests' objects.

CREATE SCHEMA odoo;

CREATE TABLE odoo.res_currency (
	id					serial PRIMARY KEY,
	name				varchar NOT NULL				-- ISO code
);

-- res.partner: companies and their contacts.  commercial_partner_id is the
-- stored "commercial entity": the partner itself for a company or a person
-- without a parent, the parent company for a contact.  credit_limit is
-- company_dependent: since Odoo 18 such a field is one jsonb column,
-- {"<company id>": value}, the company-less default living in ir_default
-- (Odoo 17 and older kept it in ir_property rows instead).
CREATE TABLE odoo.res_partner (
	id					serial PRIMARY KEY,
	name				varchar,
	parent_id			int4 REFERENCES odoo.res_partner,
	commercial_partner_id int4 REFERENCES odoo.res_partner,
	is_company			bool,
	active				bool,
	customer_rank		int4,
	company_id			int4,
	create_date			timestamp,
	credit_limit		jsonb
);

CREATE TABLE odoo.res_company (
	id					serial PRIMARY KEY,
	name				varchar NOT NULL,
	partner_id			int4 NOT NULL REFERENCES odoo.res_partner,
	currency_id			int4 NOT NULL REFERENCES odoo.res_currency,
	account_use_credit_limit bool				-- Settings: "Sales Credit Limit"
);
ALTER TABLE odoo.res_partner ADD FOREIGN KEY (company_id) REFERENCES odoo.res_company;

CREATE TABLE odoo.account_account (
	id					serial PRIMARY KEY,
	code				varchar(64),
	name				jsonb NOT NULL,				-- translatable: {"en_US": ...}
	account_type		varchar NOT NULL,			-- asset_receivable, income, ...
	reconcile			bool
);

-- sale.order: state draft / sent (quotations), sale (confirmed), cancel;
-- Odoo 16 also had 'done' (locked; a boolean "locked" since 17).
-- currency_rate is the rate from the company's currency to the order's.
-- effective_date comes from sale_stock: the first delivery done.
CREATE TABLE odoo.sale_order (
	id					serial PRIMARY KEY,
	name				varchar NOT NULL,
	partner_id			int4 NOT NULL REFERENCES odoo.res_partner,
	company_id			int4 NOT NULL REFERENCES odoo.res_company,
	currency_id			int4 REFERENCES odoo.res_currency,
	state				varchar,
	invoice_status		varchar,					-- upselling, invoiced, to invoice, no
	date_order			timestamp NOT NULL,
	amount_untaxed		numeric,
	amount_total		numeric,
	currency_rate		numeric,
	locked				bool,
	effective_date		timestamp
);

CREATE TABLE odoo.sale_order_line (
	id					serial PRIMARY KEY,
	order_id			int4 NOT NULL REFERENCES odoo.sale_order ON DELETE CASCADE,
	name				text NOT NULL,
	product_uom_qty		numeric NOT NULL,
	qty_invoiced		numeric,
	price_total			numeric
);

-- account.move: move_type out_invoice / out_refund / entry ...; state
-- draft / posted / cancel.  The *_signed amounts are in the company's
-- currency; amount_total / amount_residual in the document's.
CREATE TABLE odoo.account_move (
	id					serial PRIMARY KEY,
	name				varchar,
	move_type			varchar NOT NULL,
	state				varchar NOT NULL,
	date				date NOT NULL,
	partner_id			int4 REFERENCES odoo.res_partner,
	commercial_partner_id int4 REFERENCES odoo.res_partner,
	company_id			int4 NOT NULL REFERENCES odoo.res_company,
	currency_id			int4 NOT NULL REFERENCES odoo.res_currency,
	invoice_date		date,
	invoice_date_due	date,
	invoice_origin		varchar,
	reversed_entry_id	int4 REFERENCES odoo.account_move,
	amount_total		numeric,
	amount_total_signed	numeric,
	amount_residual		numeric,
	amount_residual_signed numeric,
	payment_state		varchar
);

-- account.move.line: balance = debit - credit and amount_residual in the
-- company's currency; a receivable line per instalment (display_type
-- payment_term) with its own date_maturity.  account_type is not stored on
-- the line (a related field): it is read from account_account.
CREATE TABLE odoo.account_move_line (
	id					serial PRIMARY KEY,
	move_id				int4 NOT NULL REFERENCES odoo.account_move ON DELETE CASCADE,
	company_id			int4 REFERENCES odoo.res_company,
	account_id			int4 REFERENCES odoo.account_account,
	partner_id			int4 REFERENCES odoo.res_partner,
	parent_state		varchar,					-- the move's state, stored
	display_type		varchar NOT NULL,
	date				date,
	date_maturity		date,
	currency_id			int4 NOT NULL REFERENCES odoo.res_currency,
	amount_currency		numeric,
	debit				numeric,
	credit				numeric,
	balance				numeric,
	amount_residual		numeric,
	amount_residual_currency numeric,
	reconciled			bool
);

-- account.partial.reconcile: amount is in the company's currency, always
-- positive; max_date = the later of the two lines' dates.
CREATE TABLE odoo.account_partial_reconcile (
	id					serial PRIMARY KEY,
	debit_move_id		int4 NOT NULL REFERENCES odoo.account_move_line,
	credit_move_id		int4 NOT NULL REFERENCES odoo.account_move_line,
	company_id			int4 REFERENCES odoo.res_company,
	amount				numeric,
	debit_amount_currency numeric,
	credit_amount_currency numeric,
	max_date			date
);

-- sale.order.line invoice_lines (Many2many to account.move.line)
CREATE TABLE odoo.sale_order_line_invoice_rel (
	invoice_line_id		int4 NOT NULL REFERENCES odoo.account_move_line ON DELETE CASCADE,
	order_line_id		int4 NOT NULL REFERENCES odoo.sale_order_line ON DELETE CASCADE,
	PRIMARY KEY (invoice_line_id, order_line_id)
);
