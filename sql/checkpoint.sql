-- The write side of a bound ERP (docs/binding.md, "Write side"): credit
-- checkpoints bound to an ERP table's state transitions (bind_checkpoint),
-- watched ERP tables keeping the exposure ledger and the refresh queue
-- current (watch_source), per-company exposure and limits, binding errors.
SET customer_class.as_of = '2025-12-31';
\set VERBOSITY default
\set SHOW_CONTEXT never

-- == A small ERP: two companies, parties, sales with lines, invoices, payments ==
CREATE SCHEMA erp;
CREATE TABLE erp.party (id integer PRIMARY KEY, name text NOT NULL, credit_limit numeric(16,2));
CREATE TABLE erp.party_credit_limit (party integer, company integer, amount numeric(16,2), PRIMARY KEY (party, company));
CREATE TABLE erp.sale (id integer PRIMARY KEY, party integer NOT NULL, company integer NOT NULL,
	state text NOT NULL DEFAULT 'draft', sale_date date NOT NULL DEFAULT '2025-12-01');
CREATE TABLE erp.sale_line (id integer PRIMARY KEY, sale integer NOT NULL REFERENCES erp.sale,
	quantity float8 NOT NULL, unit_price numeric(16,2) NOT NULL);
CREATE TABLE erp.invoice (id integer PRIMARY KEY, party integer NOT NULL, company integer NOT NULL, sale integer,
	state text NOT NULL DEFAULT 'draft', invoice_date date NOT NULL DEFAULT '2025-12-10',
	due_date date NOT NULL DEFAULT '2026-01-09', amount numeric(16,2) NOT NULL);
CREATE TABLE erp.payment (id integer PRIMARY KEY, party integer NOT NULL, company integer NOT NULL, invoice integer,
	date date NOT NULL DEFAULT '2025-12-20', amount numeric(16,2) NOT NULL);
CREATE TABLE erp.no_key (id integer, party integer, state text);
-- the integrator's views: confirmed sales are open orders, posted invoices count
CREATE SCHEMA erp_cc;
CREATE VIEW erp_cc.sale_order AS
	SELECT s.id, s.party, s.company, s.sale_date,
		   (SELECT coalesce(sum(l.quantity * l.unit_price::float8), 0) FROM erp.sale_line l WHERE l.sale = s.id)::numeric(16,2) AS amount
	FROM erp.sale s WHERE s.state IN ('confirmed', 'processing');
CREATE VIEW erp_cc.posted_invoice AS SELECT * FROM erp.invoice WHERE state = 'posted';
-- everyone who reads the sources is a customer_class_reader
GRANT USAGE ON SCHEMA erp, erp_cc TO customer_class_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA erp, erp_cc TO customer_class_reader;

SELECT customer_class.bind_source('customer', 'erp.party', '{"customer_id": "id", "name": "name", "credit_limit": "credit_limit"}');
SELECT customer_class.bind_source('order', 'erp_cc.sale_order',
	'{"order_id": "id", "customer_id": "party", "ordered_on": "sale_date", "amount": "amount", "company_id": "company"}');
SELECT customer_class.bind_source('invoice', 'erp_cc.posted_invoice',
	'{"invoice_id": "id", "customer_id": "party", "order_id": "sale", "issued_on": "invoice_date", "due_on": "due_date", "amount": "amount", "company_id": "company"}');
SELECT customer_class.bind_source('payment', 'erp.payment',
	'{"payment_id": "id", "customer_id": "party", "invoice_id": "invoice", "paid_on": "date", "amount": "amount", "company_id": "company"}');
SELECT customer_class.bind_source('credit_limit', 'erp.party_credit_limit',
	'{"customer_id": "party", "company_id": "company", "credit_limit": "amount"}');

-- (customer ids above 900: the managed customers of the earlier tests keep
-- their ledger rows)
-- Alpha: 1000 in company 1, 300 in company 2; Beta: 500 in company 1;
-- Gamma: no company limit, its own limit 200 applies
INSERT INTO erp.party VALUES (901, 'Alpha', NULL), (902, 'Beta', NULL), (903, 'Gamma', 200);
INSERT INTO erp.party_credit_limit VALUES (901, 1, 1000), (901, 2, 300), (902, 1, 500);

-- == Binding errors: nothing changes ==
SELECT customer_class.bind_checkpoint('shipment', 'erp.sale', 'party', $$state = 'confirmed'$$);
\errverbose
SELECT customer_class.bind_checkpoint('order', 'erp_cc.sale_order', 'party', 'true');
\errverbose
SELECT customer_class.bind_checkpoint('order', 'erp.no_key', 'party', $$state = 'confirmed'$$);
\errverbose
SELECT customer_class.bind_checkpoint('order', 'erp.sale', 'customer', $$state = 'confirmed'$$);
\errverbose
SELECT customer_class.bind_checkpoint('order', 'erp.sale', 'party', 'state');
\errverbose
SELECT customer_class.bind_checkpoint('order', 'erp.sale', 'party', NULL);
\errverbose
SELECT customer_class.bind_checkpoint('order', 'erp.nowhere', 'party', 'true');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.watch_source('erp.sale_line', 'SELECT s.party FROM changed c JOIN sale s ON s.id = c.sale');
\errverbose
SELECT customer_class.unbind_checkpoint('order');
\errverbose
SELECT customer_class.unwatch_source('erp.sale');
\errverbose
SELECT count(*) FROM pg_trigger WHERE tgrelid IN ('erp.sale'::regclass, 'erp.sale_line'::regclass, 'erp.no_key'::regclass) AND NOT tgisinternal;
SELECT count(*) FROM customer_class.checkpoint_binding;
-- binding is for admins
SELECT f, has_function_privilege('customer_class_analyst', f, 'EXECUTE') AS analyst,
	   has_function_privilege('customer_class_admin', f, 'EXECUTE') AS admin
FROM unnest(ARRAY['customer_class.bind_checkpoint(text,regclass,text,text,text,text,text)',
				  'customer_class.unbind_checkpoint(text)', 'customer_class.watch_source(regclass,text)',
				  'customer_class.unwatch_source(regclass)']) f;

-- == Bind the ERP ==
SELECT customer_class.watch_source('erp.sale', 'SELECT party FROM changed');
SELECT customer_class.watch_source('erp.sale_line', 'SELECT s.party FROM changed c JOIN erp.sale s ON s.id = c.sale');
SELECT customer_class.watch_source('erp.invoice', 'SELECT party FROM changed');
SELECT customer_class.watch_source('erp.payment', 'SELECT party FROM changed');
-- order: a sale confirmed from draft or quotation; invoice: posted
SELECT customer_class.bind_checkpoint('order', 'erp.sale', customer => 'party', company => 'company',
	entered => $$state = 'confirmed'$$, came_from => $$state IN ('draft', 'quotation')$$,
	amount => '(SELECT sum(l.quantity * l.unit_price::float8) FROM erp.sale_line l WHERE l.sale = sale.id)');
SELECT customer_class.bind_checkpoint('invoice', 'erp.invoice', customer => 'party', company => 'company',
	entered => $$state = 'posted'$$, amount => 'amount');
SELECT checkpoint, relation, customer, company, entered, came_from, amount IS NOT NULL AS has_amount
FROM customer_class.checkpoint_binding ORDER BY checkpoint;
SELECT relation, customers FROM customer_class.source_watch ORDER BY relation;
SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = 'erp'::regnamespace AND NOT t.tgisinternal ORDER BY 1, 2;
-- the triggers are not the extension's: pg_dump writes them with the ERP table
SELECT count(*) FROM pg_trigger t JOIN pg_depend d ON d.classid = 'pg_trigger'::regclass AND d.objid = t.oid AND d.deptype = 'e'
WHERE t.tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'erp'::regnamespace);

-- == The ledger and the queue, from multi-row statements ==
-- drafts: no exposure, but the customers are queued
INSERT INTO erp.sale (id, party, company) VALUES (1, 901, 1), (2, 901, 2), (3, 901, 1), (4, 902, 1), (5, 903, 1);
INSERT INTO erp.sale_line VALUES (1, 1, 6, 100), (2, 2, 4, 100), (3, 3, 3, 100), (4, 4, 1, 450), (5, 5, 2.5, 100);
SELECT customer_id, count(*) FROM customer_class.dirty WHERE customer_id > 900 GROUP BY 1 ORDER BY 1;
SELECT customer_id, open_orders, invoice_balance, unapplied_credits, exposure FROM customer_class.credit_exposure WHERE customer_id > 900 ORDER BY 1;
UPDATE erp.sale SET state = 'quotation';

-- == Checks at the transition ==
-- Alpha in company 1: 600 of 1000
UPDATE erp.sale SET state = 'confirmed' WHERE id = 1;
-- Alpha in company 2: 400 above that company's 300, although Alpha owes
-- 1000 in all (refused; the sale stays a quotation)
UPDATE erp.sale SET state = 'confirmed' WHERE id = 2;
\errverbose
-- Alpha in company 1 again: 900 of 1000 passes (company 2 is not counted),
-- with a limit_nearly_used alert
UPDATE erp.sale SET state = 'confirmed' WHERE id = 3;
SELECT customer_id, kind, level, detail->>'exposure_after' AS exposure_after, detail->>'credit_limit' AS credit_limit,
	   detail->>'limit_source' AS limit_source, detail->>'company_id' AS company_id
FROM customer_class.alerts WHERE customer_id > 900 ORDER BY alert_id;
-- two customers in one statement: Gamma's 250 is above its own limit 200,
-- so the whole statement fails and Beta's sale is not confirmed either
UPDATE erp.sale SET state = 'confirmed' WHERE id IN (4, 5);
\errverbose
SELECT id, state FROM erp.sale ORDER BY id;
UPDATE erp.sale SET state = 'confirmed' WHERE id = 4;
-- warn mode: Gamma's sale goes through with a WARNING and an alert
SELECT customer_class.set_credit_setting('mode.order', 'warn');
UPDATE erp.sale SET state = 'confirmed' WHERE id = 5;
SELECT customer_id, kind, level, detail->>'violation' AS violation, detail->>'what' AS what
FROM customer_class.alerts WHERE customer_id > 900 AND kind = 'limit_exceeded';
SELECT customer_class.reset_credit_setting('mode.order');
-- a confirmed sale saved again is no transition: not checked
UPDATE erp.sale SET sale_date = '2025-12-02' WHERE id = 5;
-- a sale inserted confirmed is checked: Beta has 450 of 500
INSERT INTO erp.sale (id, party, company, state) VALUES (6, 902, 1, 'confirmed');
INSERT INTO erp.sale_line VALUES (6, 6, 1, 100);
-- its lines came after it: the watch counts them, the check did not see them
SELECT customer_id, open_orders, exposure FROM customer_class.credit_exposure WHERE customer_id > 900 ORDER BY 1;
SELECT * FROM customer_class.verify_exposure() WHERE customer_id > 900;
-- mode off: nothing is checked
INSERT INTO customer_class.credit_check_exception (customer_id, checkpoint, mode, reason) VALUES (902, 'order', 'off', 'group company');
INSERT INTO erp.sale (id, party, company, state) VALUES (7, 902, 1, 'quotation');
INSERT INTO erp.sale_line VALUES (7, 7, 1, 900);
UPDATE erp.sale SET state = 'confirmed' WHERE id = 7;
DELETE FROM customer_class.credit_check_exception WHERE customer_id = 902;

-- == Invoices and payments ==
-- posting Alpha's invoice for sale 1 replaces the sale's 600 by the
-- invoice's 600 (mode.invoice is warn: no limit problem here)
INSERT INTO erp.invoice (id, party, company, sale, amount) VALUES (1, 901, 1, 1, 600), (2, 902, 1, NULL, 100);
SELECT customer_id, open_orders, invoice_balance, exposure FROM customer_class.credit_exposure WHERE customer_id IN (901, 902) ORDER BY 1;
UPDATE erp.invoice SET state = 'posted';
SELECT customer_id, open_orders, invoice_balance, exposure FROM customer_class.credit_exposure WHERE customer_id IN (901, 902) ORDER BY 1;
-- payments for two customers in one statement, then one deleted
INSERT INTO erp.payment (id, party, company, invoice, amount) VALUES (1, 901, 1, 1, 600), (2, 902, 1, NULL, 1000);
SELECT customer_id, invoice_balance, unapplied_credits, exposure FROM customer_class.credit_exposure WHERE customer_id IN (901, 902) ORDER BY 1;
DELETE FROM erp.payment WHERE id = 2;
SELECT customer_id, invoice_balance, unapplied_credits, exposure FROM customer_class.credit_exposure WHERE customer_id IN (901, 902) ORDER BY 1;
-- a sale line moved to another customer's sale: both rows are rewritten
UPDATE erp.sale_line SET sale = 1 WHERE id = 7;
SELECT customer_id, open_orders, exposure FROM customer_class.credit_exposure WHERE customer_id > 900 ORDER BY 1;
SELECT * FROM customer_class.verify_exposure() WHERE customer_id > 900;
SELECT customer_class.exposure_in_company(901, 1) AS alpha_1, customer_class.exposure_in_company(901, 2) AS alpha_2,
	   customer_class.exposure_in_company(901, NULL) AS alpha_all;

-- the functions the triggers call cannot be called directly
SELECT customer_class.watch_apply(ARRAY[901::bigint]);
\echo :LAST_ERROR_SQLSTATE

-- == Delivery: a shipment going to done (mode.delivery is block) ==
CREATE TABLE erp.shipment (id integer PRIMARY KEY, party integer NOT NULL, company integer NOT NULL,
	sale integer, state text NOT NULL DEFAULT 'waiting');
GRANT SELECT ON erp.shipment TO customer_class_reader;
SELECT customer_class.bind_checkpoint('delivery', 'erp.shipment', customer => 'party', company => 'company',
	entered => $$state = 'done'$$);
INSERT INTO erp.shipment (id, party, company, sale) VALUES (1, 901, 2, NULL), (2, 903, 1, 5);
SELECT customer_class.exposure_in_company(901, 2) AS alpha_2, customer_class.exposure_in_company(903, 1) AS gamma_1;
-- Alpha's exposure in company 2 is within that company's 300: shipped
-- (its 1200 in company 1 does not count)
UPDATE erp.shipment SET state = 'done' WHERE id = 1;
-- Gamma's 250 is above its own limit 200 (its sale went through in warn
-- mode): the delivery is refused, the shipment stays waiting
UPDATE erp.shipment SET state = 'done' WHERE id = 2;
\errverbose
SELECT id, state FROM erp.shipment ORDER BY id;

-- == An ERP role that is no superuser ==
CREATE ROLE cc_cp_erp;
GRANT USAGE ON SCHEMA erp TO cc_cp_erp;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA erp TO cc_cp_erp;
GRANT USAGE ON SCHEMA customer_class TO cc_cp_erp;
SET ROLE cc_cp_erp;
INSERT INTO erp.sale (id, party, company, state) VALUES (8, 903, 2, 'quotation');
INSERT INTO erp.sale_line VALUES (8, 8, 1, 250);
UPDATE erp.sale SET state = 'confirmed' WHERE id = 8;
\errverbose
RESET ROLE;
SELECT id, state FROM erp.sale WHERE id = 8;
SELECT customer_id, exposure FROM customer_class.credit_exposure WHERE customer_id = 903;

-- == Unbinding drops the triggers ==
SELECT customer_class.unbind_checkpoint('order');
SELECT customer_class.unbind_checkpoint('invoice');
SELECT customer_class.unbind_checkpoint('delivery');
SELECT customer_class.unwatch_source(relation::regclass) FROM customer_class.source_watch ORDER BY relation;
SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'customer\_class\_%' ESCAPE '\';
SELECT (SELECT count(*) FROM customer_class.checkpoint_binding) AS checkpoints, (SELECT count(*) FROM customer_class.source_watch) AS watches;
-- no longer checked
UPDATE erp.sale SET state = 'confirmed' WHERE id = 2;

-- clean up for the tests that follow
SELECT customer_class.unbind_source(r) FROM unnest(ARRAY['customer', 'order', 'invoice', 'payment', 'credit_limit']) r;
DROP SCHEMA erp, erp_cc CASCADE;
REVOKE USAGE ON SCHEMA customer_class FROM cc_cp_erp;
DROP ROLE cc_cp_erp;
DELETE FROM customer_class.alerts WHERE customer_id > 900;
DELETE FROM customer_class.dirty WHERE customer_id > 900;
DELETE FROM customer_class.credit_exposure WHERE customer_id > 900;
SELECT count(*) FROM customer_class.verify_exposure();
