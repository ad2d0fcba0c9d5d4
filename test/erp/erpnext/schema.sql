-- ERPNext test schema: the tables and columns the ERPNext preset
-- (presets/erpnext.sql) reads, named and typed as Frappe creates them on
-- PostgreSQL from the DocType definitions of frappe/erpnext (v14/v15):
-- table "tab<DocType>" (spaces kept), key "name" varchar(140), standard
-- columns creation/modified timestamp(6), docstatus smallint (0 draft,
-- 1 submitted, 2 cancelled), idx bigint; Link/Data/Select -> varchar(140),
-- Currency/Float/Percent -> decimal(21,9), Check -> smallint, Date -> date.
-- Child tables (Customer Credit Limit, Sales Invoice Item, Payment Schedule,
-- Payment Entry Reference) point at their document by parent/parenttype.
-- Only the columns the preset needs; ERPNext has many more.
--
-- Frappe keeps its tables in the public schema; this test creates them in
-- schema "erpnext" so that they cannot meet the other tests' objects.

CREATE SCHEMA erpnext;

CREATE TABLE erpnext."tabCompany" (
	name				varchar(140) NOT NULL PRIMARY KEY,
	creation			timestamp(6),
	modified			timestamp(6),
	docstatus			smallint NOT NULL DEFAULT 0,
	idx					bigint NOT NULL DEFAULT 0,
	company_name		varchar(140),
	abbr				varchar(140),
	default_currency	varchar(140),
	credit_limit		decimal(21,9) NOT NULL DEFAULT 0
);

CREATE TABLE erpnext."tabCustomer" (
	name				varchar(140) NOT NULL PRIMARY KEY,
	creation			timestamp(6),
	modified			timestamp(6),
	docstatus			smallint NOT NULL DEFAULT 0,
	idx					bigint NOT NULL DEFAULT 0,
	customer_name		varchar(140),
	customer_type		varchar(140) DEFAULT 'Company',		-- Company, Individual, Partnership
	customer_group		varchar(140),
	territory			varchar(140),
	industry			varchar(140),
	default_currency	varchar(140),
	payment_terms		varchar(140),
	disabled			smallint NOT NULL DEFAULT 0
);

-- child table of Customer (parentfield credit_limits)
CREATE TABLE erpnext."tabCustomer Credit Limit" (
	name				varchar(140) NOT NULL PRIMARY KEY,
	creation			timestamp(6),
	modified			timestamp(6),
	docstatus			smallint NOT NULL DEFAULT 0,
	idx					bigint NOT NULL DEFAULT 0,
	parent				varchar(140),
	parentfield			varchar(140),
	parenttype			varchar(140),
	company				varchar(140),
	credit_limit		decimal(21,9) NOT NULL DEFAULT 0,
	bypass_credit_limit_check smallint NOT NULL DEFAULT 0
);

-- status: Draft, On Hold, To Deliver and Bill, To Bill, To Deliver,
-- Completed, Cancelled, Closed.  base_* amounts are in the company's
-- currency, the others in the order's (conversion_rate between them).
CREATE TABLE erpnext."tabSales Order" (
	name				varchar(140) NOT NULL PRIMARY KEY,
	creation			timestamp(6),
	modified			timestamp(6),
	docstatus			smallint NOT NULL DEFAULT 0,
	idx					bigint NOT NULL DEFAULT 0,
	customer			varchar(140),
	company				varchar(140),
	transaction_date	date,
	delivery_date		date,
	currency			varchar(140),
	conversion_rate		decimal(21,9) NOT NULL DEFAULT 0,
	grand_total			decimal(21,9) NOT NULL DEFAULT 0,
	base_grand_total	decimal(21,9) NOT NULL DEFAULT 0,
	rounded_total		decimal(21,9) NOT NULL DEFAULT 0,
	base_rounded_total	decimal(21,9) NOT NULL DEFAULT 0,
	per_delivered		decimal(21,9) NOT NULL DEFAULT 0,
	per_billed			decimal(21,9) NOT NULL DEFAULT 0,
	status				varchar(140) DEFAULT 'Draft'
);

-- A credit note is a Sales Invoice with is_return = 1 and negative totals,
-- return_against naming the invoice it credits (if any).
CREATE TABLE erpnext."tabSales Invoice" (
	name				varchar(140) NOT NULL PRIMARY KEY,
	creation			timestamp(6),
	modified			timestamp(6),
	docstatus			smallint NOT NULL DEFAULT 0,
	idx					bigint NOT NULL DEFAULT 0,
	customer			varchar(140),
	company				varchar(140),
	posting_date		date,
	due_date			date,
	currency			varchar(140),
	conversion_rate		decimal(21,9) NOT NULL DEFAULT 0,
	grand_total			decimal(21,9) NOT NULL DEFAULT 0,
	base_grand_total	decimal(21,9) NOT NULL DEFAULT 0,
	rounded_total		decimal(21,9) NOT NULL DEFAULT 0,
	base_rounded_total	decimal(21,9) NOT NULL DEFAULT 0,
	outstanding_amount	decimal(21,9) NOT NULL DEFAULT 0,
	is_return			smallint NOT NULL DEFAULT 0,
	return_against		varchar(140),
	status				varchar(140) DEFAULT 'Draft'
);

CREATE TABLE erpnext."tabSales Invoice Item" (
	name				varchar(140) NOT NULL PRIMARY KEY,
	creation			timestamp(6),
	modified			timestamp(6),
	docstatus			smallint NOT NULL DEFAULT 0,
	idx					bigint NOT NULL DEFAULT 0,
	parent				varchar(140),
	parentfield			varchar(140),
	parenttype			varchar(140),
	item_code			varchar(140),
	qty					decimal(21,9) NOT NULL DEFAULT 0,
	base_amount			decimal(21,9) NOT NULL DEFAULT 0,
	sales_order			varchar(140),
	so_detail			varchar(140)
);

-- the instalments of an invoice (or order): parenttype Sales Invoice
CREATE TABLE erpnext."tabPayment Schedule" (
	name				varchar(140) NOT NULL PRIMARY KEY,
	creation			timestamp(6),
	modified			timestamp(6),
	docstatus			smallint NOT NULL DEFAULT 0,
	idx					bigint NOT NULL DEFAULT 0,
	parent				varchar(140),
	parentfield			varchar(140),
	parenttype			varchar(140),
	payment_term		varchar(140),
	due_date			date,
	invoice_portion		decimal(21,9) NOT NULL DEFAULT 0,
	payment_amount		decimal(21,9) NOT NULL DEFAULT 0,
	base_payment_amount	decimal(21,9) NOT NULL DEFAULT 0,
	outstanding			decimal(21,9) NOT NULL DEFAULT 0,
	paid_amount			decimal(21,9) NOT NULL DEFAULT 0
);

-- payment_type Receive / Pay / Internal Transfer; paid_amount and
-- unallocated_amount are in the currency of paid_from (for Receive: the
-- party's receivable account), source_exchange_rate converts it to the
-- company's.
CREATE TABLE erpnext."tabPayment Entry" (
	name				varchar(140) NOT NULL PRIMARY KEY,
	creation			timestamp(6),
	modified			timestamp(6),
	docstatus			smallint NOT NULL DEFAULT 0,
	idx					bigint NOT NULL DEFAULT 0,
	payment_type		varchar(140),
	party_type			varchar(140),
	party				varchar(140),
	company				varchar(140),
	posting_date		date,
	paid_amount			decimal(21,9) NOT NULL DEFAULT 0,
	base_paid_amount	decimal(21,9) NOT NULL DEFAULT 0,
	source_exchange_rate decimal(21,9) NOT NULL DEFAULT 0,
	received_amount		decimal(21,9) NOT NULL DEFAULT 0,
	unallocated_amount	decimal(21,9) NOT NULL DEFAULT 0
);

-- what a Payment Entry settles: reference_doctype Sales Invoice, Sales
-- Order (an advance), Journal Entry ...; allocated_amount in the party
-- account's currency
CREATE TABLE erpnext."tabPayment Entry Reference" (
	name				varchar(140) NOT NULL PRIMARY KEY,
	creation			timestamp(6),
	modified			timestamp(6),
	docstatus			smallint NOT NULL DEFAULT 0,
	idx					bigint NOT NULL DEFAULT 0,
	parent				varchar(140),
	parentfield			varchar(140),
	parenttype			varchar(140),
	reference_doctype	varchar(140),
	reference_name		varchar(140),
	payment_term		varchar(140),
	due_date			date,
	total_amount		decimal(21,9) NOT NULL DEFAULT 0,
	outstanding_amount	decimal(21,9) NOT NULL DEFAULT 0,
	allocated_amount	decimal(21,9) NOT NULL DEFAULT 0,
	exchange_rate		decimal(21,9) NOT NULL DEFAULT 0
);
