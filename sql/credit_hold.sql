-- Credit holds and their release (docs/credit.md, "Holds and release"): a
-- checkpoint in mode hold saves the document that fails its check and puts
-- it on hold; a credit manager releases it (after a new check) or rejects it.
SET customer_class.as_of = '2025-12-31';
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE ROLE cc_hold_manager IN ROLE customer_class_admin;
CREATE ROLE cc_hold_clerk IN ROLE customer_class_analyst;

-- == The mode ==
SELECT customer_class.set_credit_setting('mode.order', 'held');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.set_credit_setting('mode.order', 'hold');
SELECT customer_class.credit_check_mode(961, 'order');
INSERT INTO customer_class.credit_check_exception (customer_id, checkpoint, mode, reason) VALUES (1, 'order', 'Hold', 'x');
\echo :LAST_ERROR_SQLSTATE

-- customers of their own (ids above 960): limit 1,000 each
INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on) VALUES
	(961, 'Hold Alpha', 1000, '2024-01-01'), (962, 'Hold Beta', 1000, '2024-01-01');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (96101, 961, '2025-12-01', 800);

-- == An order above the limit is saved and held ==
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (96102, 961, '2025-12-20', 300);
SELECT order_id, status FROM customer_class.sales_order WHERE customer_id = 961 ORDER BY order_id;
SELECT hold_id, customer_id, checkpoint, order_id, invoice_id, relation, document_key, amount, reasons, sqlstate,
	   message, status, decided_by, verdict->>'mode' AS mode, held_by = current_user AS held_by_writer
FROM customer_class.credit_hold ORDER BY hold_id;
-- it counts in the exposure, as an open order
SELECT open_orders, exposure FROM customer_class.credit_exposure WHERE customer_id = 961;
-- the alert stays: the statement committed
SELECT kind, level, detail->>'hold_id' AS hold_id, detail->>'what' AS what FROM customer_class.alerts
WHERE customer_id = 961 ORDER BY alert_id;

-- == A held order is neither shipped nor invoiced ==
UPDATE customer_class.sales_order SET status = 'shipped', shipped_on = '2025-12-30' WHERE order_id = 96102;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount)
VALUES (96102, 961, 96102, '2025-12-30', '2026-01-29', 300);
\echo :LAST_ERROR_SQLSTATE
UPDATE customer_class.sales_order SET status = 'invoiced' WHERE order_id = 96102;
\echo :LAST_ERROR_SQLSTATE
-- an order inserted shipped that its own check holds is refused (its
-- delivery check, in mode warn here, only warns)
SELECT customer_class.set_credit_setting('mode.delivery', 'warn');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status, shipped_on)
VALUES (96109, 961, '2025-12-20', 500, 'shipped', '2025-12-20');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.reset_credit_setting('mode.delivery');

-- == A held order does not use the credit ==
-- 1,300 in the ledger, 1,000 without the order on hold: accepted
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (96103, 961, '2025-12-21', 200);
-- raised to 250: 1,050 without the order on hold: held
UPDATE customer_class.sales_order SET amount = 250 WHERE order_id = 96103;
-- raised again while held: its hold adds the amount (hold ids: an
-- identity, so the statement that updated the open hold used one up)
UPDATE customer_class.sales_order SET amount = 300 WHERE order_id = 96103;
SELECT hold_id, order_id, amount, status FROM customer_class.credit_hold ORDER BY hold_id;
-- credit_check() judges without the orders on hold too: 1,400 less 600
SELECT customer_class.credit_check(961, 0, record => false)->'exposure_after' AS without_holds;

-- == Release and reject: credit managers only ==
SET ROLE cc_hold_clerk;
SELECT * FROM customer_class.release_credit_hold(1, 'paid in cash');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.reject_credit_hold(1, 'no');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE cc_hold_manager;
-- the release checks again: 1,400 less the other order on hold (300) is
-- 1,100, above the limit: refused, the hold stays
SELECT * FROM customer_class.release_credit_hold(1, 'customer called');
\echo :LAST_ERROR_SQLSTATE
SELECT hold_id, status FROM customer_class.credit_hold WHERE hold_id = 1;
-- a payment of 150 comes in: 1,250 less 300 is 950, within the limit
RESET ROLE;
INSERT INTO customer_class.payment (customer_id, paid_on, amount) VALUES (961, '2025-12-30', 150);
SET ROLE cc_hold_manager;
SELECT hold_id, status, decided_by, decision_reason, decided_at IS NOT NULL AS decided
FROM customer_class.release_credit_hold(1, 'prepayment of 150 received');
-- releasing twice
SELECT * FROM customer_class.release_credit_hold(1, 'again');
\echo :LAST_ERROR_SQLSTATE
-- the other one no longer fits: the first release used the room
SELECT * FROM customer_class.release_credit_hold(3, 'customer called');
\echo :LAST_ERROR_SQLSTATE
SELECT hold_id, status, decided_by, decision_reason FROM customer_class.reject_credit_hold(3, 'over the limit, order too large');
SELECT * FROM customer_class.reject_credit_hold(3, 'again');
\echo :LAST_ERROR_SQLSTATE
-- bad input
SELECT * FROM customer_class.release_credit_hold(999, 'no such hold');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.release_credit_hold(NULL, 'no such hold');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.release_credit_hold(1, '  ');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.reject_credit_hold(1, NULL);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- rejected at the order checkpoint: the order is cancelled; the released one ships
SELECT order_id, status FROM customer_class.sales_order WHERE customer_id = 961 ORDER BY order_id;
UPDATE customer_class.sales_order SET status = 'shipped', shipped_on = '2025-12-30' WHERE order_id = 96102;
SELECT open_orders, shipped_not_invoiced, unapplied_credits, exposure FROM customer_class.credit_exposure WHERE customer_id = 961;

-- == The limit moved: raised by an override, the release passes ==
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (96104, 961, '2025-12-22', 100);
SET ROLE cc_hold_manager;
SELECT * FROM customer_class.release_credit_hold(5, 'wait');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
INSERT INTO customer_class.credit_limit_override (customer_id, credit_limit, reason, valid_from, expires_on)
VALUES (961, 2000, 'year-end', '2025-12-01', '2026-01-31');
SET ROLE cc_hold_manager;
SELECT hold_id, order_id, status FROM customer_class.release_credit_hold(5, 'limit raised to 2000');
RESET ROLE;

-- == Per customer: an exception in mode hold; the delivery checkpoint in hold ==
SELECT customer_class.reset_credit_setting('mode.order');
INSERT INTO customer_class.credit_check_exception (customer_id, checkpoint, mode, reason) VALUES (962, NULL, 'hold', 'hold, do not block');
SELECT customer_class.credit_check_mode(962, 'order'), customer_class.credit_check_mode(962, 'delivery');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (96201, 962, '2025-12-01', 1200);
-- a customer without the exception is blocked
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (96105, 961, '2025-12-23', 5000);
\echo :LAST_ERROR_SQLSTATE
SET ROLE cc_hold_manager;
SELECT hold_id, status FROM customer_class.reject_credit_hold(6, 'order too large');
RESET ROLE;
-- orders accepted, then the limit lowered: the delivery is saved on hold
-- (shipped), and the order cannot be invoiced
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES
	(96202, 962, '2025-12-02', 100), (96203, 962, '2025-12-02', 100);
INSERT INTO customer_class.credit_limit_override (customer_id, credit_limit, reason, valid_from, expires_on)
VALUES (962, 150, 'watch', '2025-12-01', '2026-01-31');
UPDATE customer_class.sales_order SET status = 'shipped', shipped_on = '2025-12-30' WHERE order_id = 96202;
SELECT order_id, status FROM customer_class.sales_order WHERE customer_id = 962 ORDER BY order_id;
INSERT INTO customer_class.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount)
VALUES (96202, 962, 96202, '2025-12-30', '2026-01-29', 100);
\echo :LAST_ERROR_SQLSTATE
-- rejected at delivery: the order is open again, not shipped
SET ROLE cc_hold_manager;
SELECT hold_id, checkpoint, order_id, status FROM customer_class.reject_credit_hold(7, 'not before payment');
RESET ROLE;
SELECT order_id, status, shipped_on FROM customer_class.sales_order WHERE customer_id = 962 ORDER BY order_id;

-- == The invoice checkpoint in hold: the invoice is saved; rejected, only the hold changes ==
SELECT customer_class.set_credit_setting('mode.invoice', 'hold');
DELETE FROM customer_class.credit_check_exception WHERE customer_id = 962;
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount)
VALUES (96209, 962, '2025-12-30', '2026-01-29', 400);
SET ROLE cc_hold_manager;
SELECT hold_id, checkpoint, invoice_id, amount, status FROM customer_class.reject_credit_hold(8, 'credit note to follow');
RESET ROLE;
SELECT invoice_id, amount FROM customer_class.invoice WHERE customer_id = 962;
SELECT customer_class.reset_credit_setting('mode.invoice');

-- every decision is in the hold rows; the ledger agrees with the sources
SELECT hold_id, customer_id, checkpoint, coalesce(order_id, invoice_id) AS document, status, decided_by, decision_reason
FROM customer_class.credit_hold ORDER BY hold_id;
SELECT count(*) FROM customer_class.verify_exposure();

-- a reader sees the holds, a restricted role only its customers'
CREATE ROLE cc_hold_reader IN ROLE customer_class_reader;
SELECT customer_class.grant_customer_access('cc_hold_reader', 'nobody.*');
SET ROLE cc_hold_reader;
SELECT count(*) FROM customer_class.credit_hold;
RESET ROLE;
SET ROLE customer_class_reader;
SELECT count(*) FROM customer_class.credit_hold;
RESET ROLE;
SELECT customer_class.revoke_customer_access('cc_hold_reader');

-- clean up for the tests that follow
DELETE FROM customer_class.credit_limit_override WHERE customer_id > 960;
DELETE FROM customer_class.invoice WHERE customer_id > 960;
DELETE FROM customer_class.sales_order WHERE customer_id > 960;
DELETE FROM customer_class.payment WHERE customer_id > 960;
DELETE FROM customer_class.customer WHERE customer_id > 960;
DELETE FROM customer_class.credit_hold WHERE customer_id > 960;
DELETE FROM customer_class.alerts WHERE customer_id > 960;
DELETE FROM customer_class.dirty WHERE customer_id > 960;
DELETE FROM customer_class.class_history WHERE customer_id > 960;
SELECT count(*) FROM customer_class.verify_exposure();

-- == A bound ERP table in mode hold (bind_checkpoint) ==
CREATE SCHEMA erp_h;
CREATE TABLE erp_h.party (id integer PRIMARY KEY, name text NOT NULL, credit_limit numeric(16,2));
CREATE TABLE erp_h.sale (id integer PRIMARY KEY, party integer NOT NULL, company integer NOT NULL,
	state text NOT NULL DEFAULT 'draft', amount numeric(16,2) NOT NULL);
CREATE VIEW erp_h.sale_order AS
	SELECT id, party, company, amount, DATE '2025-12-01' AS sale_date FROM erp_h.sale WHERE state = 'confirmed';
GRANT USAGE ON SCHEMA erp_h TO customer_class_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA erp_h TO customer_class_reader;
SELECT customer_class.bind_source('customer', 'erp_h.party', '{"customer_id": "id", "name": "name", "credit_limit": "credit_limit"}');
SELECT customer_class.bind_source('order', 'erp_h.sale_order',
	'{"order_id": "id", "customer_id": "party", "ordered_on": "sale_date", "amount": "amount", "company_id": "company"}');
SELECT customer_class.bind_checkpoint('order', 'erp_h.sale', customer => 'party', company => 'company',
	entered => $$state = 'confirmed'$$, amount => 'amount');
SELECT customer_class.set_credit_setting('mode.order', 'hold');
INSERT INTO erp_h.party VALUES (971, 'ERP Alpha', 1000);
INSERT INTO erp_h.sale VALUES (1, 971, 1, 'draft', 800), (2, 971, 1, 'draft', 300), (3, 971, 1, 'draft', 500);
UPDATE erp_h.sale SET state = 'confirmed' WHERE id = 1;
-- above the limit: confirmed all the same, and held
UPDATE erp_h.sale SET state = 'confirmed' WHERE id = 2;
SELECT id, state FROM erp_h.sale ORDER BY id;
SELECT customer_id, checkpoint, order_id, relation, document_key, company_id, amount, reasons, sqlstate, status
FROM customer_class.credit_hold WHERE relation IS NOT NULL;
SET ROLE cc_hold_manager;
-- the release checks the exposure in the company again: 1,100, refused
SELECT * FROM customer_class.release_credit_hold(
	(SELECT hold_id FROM customer_class.credit_hold WHERE document_key = 'id=2'), 'customer called');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- the ERP raises the party's limit
UPDATE erp_h.party SET credit_limit = 1200 WHERE id = 971;
SET ROLE cc_hold_manager;
SELECT relation, document_key, status, decision_reason FROM customer_class.release_credit_hold(
	(SELECT hold_id FROM customer_class.credit_hold WHERE document_key = 'id=2'), 'limit raised in the ERP');
RESET ROLE;
-- rejected: only the hold changes, the ERP acts on it
UPDATE erp_h.sale SET state = 'confirmed' WHERE id = 3;
SET ROLE cc_hold_manager;
SELECT relation, document_key, status FROM customer_class.reject_credit_hold(
	(SELECT hold_id FROM customer_class.credit_hold WHERE document_key = 'id=3'), 'too much at once');
RESET ROLE;
SELECT id, state FROM erp_h.sale ORDER BY id;

-- clean up
SELECT customer_class.reset_credit_setting('mode.order');
SELECT customer_class.unbind_checkpoint('order');
SELECT customer_class.unbind_source(r) FROM unnest(ARRAY['customer', 'order']) r;
DROP SCHEMA erp_h CASCADE;
DELETE FROM customer_class.credit_hold WHERE customer_id > 960;
DELETE FROM customer_class.alerts WHERE customer_id > 960;
DELETE FROM customer_class.dirty WHERE customer_id > 960;
DELETE FROM customer_class.credit_exposure WHERE customer_id > 960;
DROP ROLE cc_hold_manager, cc_hold_clerk, cc_hold_reader;
SELECT count(*) FROM customer_class.verify_exposure();
