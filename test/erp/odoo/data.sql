-- Odoo test data: two companies, a company customer with a contact, a second
-- customer, a vendor; invoices with a partial payment, two instalments, a
-- foreign-currency invoice, a credit note, an unapplied payment, a draft
-- invoice and a vendor bill that must be ignored; orders in every state;
-- per-company credit limits.  Figures by hand: sql/binding_odoo.sql.
SET search_path = odoo;

INSERT INTO res_currency (id, name) VALUES (1, 'EUR'), (2, 'USD');

INSERT INTO res_partner (id, name, parent_id, commercial_partner_id, is_company, active, customer_rank, create_date, credit_limit) VALUES
	(1, 'Acme FR', NULL, 1, true, true, 0, '2024-01-01 08:00', NULL),
	(2, 'Acme US', NULL, 2, true, true, 0, '2024-01-01 08:00', NULL),
	(7, 'Dupont SA', NULL, 7, true, true, 3, '2024-02-10 09:30', '{"1": 10000.0, "2": 5000.0}'),
	(8, 'Marie Dupont', 7, 7, false, true, 1, '2024-02-10 09:31', NULL),
	(9, 'Zeta GmbH', NULL, 9, true, true, 2, '2024-05-03 14:00', '{"1": 3000.0, "2": 0.0}'),
	(10, 'Papier Fournitures', NULL, 10, true, true, 0, '2024-03-01 10:00', NULL);

INSERT INTO res_company (id, name, partner_id, currency_id, account_use_credit_limit) VALUES
	(1, 'Acme FR', 1, 1, true),
	(2, 'Acme US', 2, 2, true);
UPDATE res_partner SET company_id = 1 WHERE id = 1;
UPDATE res_partner SET company_id = 2 WHERE id = 2;

INSERT INTO account_account (id, code, name, account_type, reconcile) VALUES
	(1, '121000', '{"en_US": "Account Receivable"}', 'asset_receivable', true),
	(2, '400000', '{"en_US": "Product Sales"}', 'income', false),
	(3, '101402', '{"en_US": "Outstanding Receipts"}', 'asset_current', true),
	(4, '121000', '{"en_US": "Account Receivable (US)"}', 'asset_receivable', true),
	(5, '400000', '{"en_US": "Product Sales (US)"}', 'income', false),
	(6, '211000', '{"en_US": "Account Payable"}', 'liability_payable', true);

-- Orders.  S00002 is ordered by the contact Marie Dupont: it is Dupont SA's.
-- S00003 is in USD in a EUR company: 1,100 USD at rate 1.1 = 1,000 EUR.
INSERT INTO sale_order (id, name, partner_id, company_id, currency_id, state, invoice_status, date_order,
						amount_untaxed, amount_total, currency_rate, locked, effective_date) VALUES
	(1, 'S00001', 7, 1, 1, 'sale', 'invoiced', '2025-03-25 10:00', 1000, 1200, 1, false, '2025-03-30 09:00'),
	(2, 'S00002', 8, 2, 2, 'sale', 'to invoice', '2025-06-05 11:00', 1250, 1500, 1, false, NULL),
	(3, 'S00003', 9, 1, 2, 'sale', 'to invoice', '2025-06-22 16:00', 1000, 1100, 1.1, false, '2025-06-25 12:00'),
	(4, 'S00004', 7, 1, 1, 'draft', 'no', '2025-06-28 09:00', 4500, 5000, 1, false, NULL),
	(5, 'S00005', 9, 1, 1, 'cancel', 'no', '2025-05-02 09:00', 400, 400, 1, false, NULL),
	-- quotations the write-side test confirms
	(6, 'S00006', 7, 2, 2, 'sent', 'no', '2025-06-29 10:00', 3500, 4000, 1, false, NULL),
	(7, 'S00007', 8, 1, 1, 'draft', 'no', '2025-06-29 11:00', 2600, 3000, 1, false, NULL);
INSERT INTO sale_order_line (id, order_id, name, product_uom_qty, qty_invoiced, price_total) VALUES
	(1, 1, 'Widgets', 10, 10, 1200),
	(2, 2, 'Gadgets', 15, 8, 1500),
	(3, 3, 'Sprockets', 11, 0, 1100),
	(4, 4, 'Widgets', 40, 0, 5000),
	(5, 5, 'Widgets', 4, 0, 400),
	(6, 6, 'Gadgets', 40, 0, 4000),
	(7, 7, 'Widgets', 25, 0, 3000);

INSERT INTO account_move (id, name, move_type, state, date, partner_id, commercial_partner_id, company_id, currency_id,
						  invoice_date, invoice_date_due, invoice_origin, reversed_entry_id,
						  amount_total, amount_total_signed, amount_residual, amount_residual_signed, payment_state) VALUES
	-- Acme FR: Dupont's invoice for S00001, 500 paid on 2025-05-10
	(101, 'INV/2025/00001', 'out_invoice', 'posted', '2025-04-01', 7, 7, 1, 1, '2025-04-01', '2025-05-01', 'S00001', NULL, 1200, 1200, 700, 700, 'partial'),
	(103, 'PBNK1/2025/00001', 'entry', 'posted', '2025-05-10', 7, 7, 1, 1, NULL, NULL, NULL, NULL, 500, 500, 0, 0, 'not_paid'),
	-- to the contact Marie Dupont, in USD (1,300 USD = 1,200 EUR), in two
	-- instalments; credit note of 200 EUR on the first one
	(104, 'INV/2025/00002', 'out_invoice', 'posted', '2025-05-15', 8, 7, 1, 2, '2025-05-15', '2025-07-14', NULL, NULL, 1300, 1200, 1083.33, 1000, 'partial'),
	(105, 'RINV/2025/00001', 'out_refund', 'posted', '2025-06-01', 7, 7, 1, 1, '2025-06-01', '2025-06-01', NULL, 104, 200, -200, 0, 0, 'paid'),
	-- Zeta: a payment nobody has matched yet; an invoice paid in full; a draft
	(106, 'PBNK1/2025/00002', 'entry', 'posted', '2025-06-20', 9, 9, 1, 1, NULL, NULL, NULL, NULL, 300, 300, 300, 300, 'not_paid'),
	(107, 'INV/2025/00003', 'out_invoice', 'posted', '2025-03-01', 9, 9, 1, 1, '2025-03-01', '2025-03-31', NULL, NULL, 2000, 2000, 0, 0, 'paid'),
	(108, 'PBNK1/2025/00003', 'entry', 'posted', '2025-04-15', 9, 9, 1, 1, NULL, NULL, NULL, NULL, 2000, 2000, 0, 0, 'not_paid'),
	(109, '/', 'out_invoice', 'draft', '2025-06-29', 9, 9, 1, 1, '2025-06-29', '2025-07-29', NULL, NULL, 999, 999, 999, 999, 'not_paid'),
	-- Acme US: Dupont's invoice for 8 of the 15 gadgets of S00002
	(201, 'INV/2025/00001', 'out_invoice', 'posted', '2025-06-10', 8, 7, 2, 2, '2025-06-10', '2025-07-10', 'S00002', NULL, 800, 800, 800, 800, 'not_paid'),
	-- a vendor bill: payable, not a customer's
	(301, 'BILL/2025/00001', 'in_invoice', 'posted', '2025-06-02', 10, 10, 1, 1, '2025-06-02', '2025-07-02', NULL, NULL, 450, -450, 450, -450, 'not_paid');

INSERT INTO account_move_line (id, move_id, company_id, account_id, partner_id, parent_state, display_type, date, date_maturity,
							   currency_id, amount_currency, debit, credit, balance, amount_residual, amount_residual_currency, reconciled) VALUES
	(1001, 101, 1, 1, 7, 'posted', 'payment_term', '2025-04-01', '2025-05-01', 1, 1200, 1200, 0, 1200, 700, 700, false),
	(1002, 101, 1, 2, 7, 'posted', 'product', '2025-04-01', NULL, 1, -1200, 0, 1200, -1200, 0, 0, false),
	(1031, 103, 1, 1, 7, 'posted', 'product', '2025-05-10', NULL, 1, -500, 0, 500, -500, 0, 0, true),
	(1032, 103, 1, 3, 7, 'posted', 'product', '2025-05-10', NULL, 1, 500, 500, 0, 500, 500, 500, false),
	(1041, 104, 1, 1, 8, 'posted', 'payment_term', '2025-05-15', '2025-06-14', 2, 650, 600, 0, 600, 400, 433.33, false),
	(1042, 104, 1, 1, 8, 'posted', 'payment_term', '2025-05-15', '2025-07-14', 2, 650, 600, 0, 600, 600, 650, false),
	(1043, 104, 1, 2, 8, 'posted', 'product', '2025-05-15', NULL, 2, -1300, 0, 1200, -1200, 0, 0, false),
	(1051, 105, 1, 1, 7, 'posted', 'payment_term', '2025-06-01', '2025-06-01', 1, -200, 0, 200, -200, 0, 0, true),
	(1052, 105, 1, 2, 7, 'posted', 'product', '2025-06-01', NULL, 1, 200, 200, 0, 200, 0, 0, false),
	(1061, 106, 1, 1, 9, 'posted', 'product', '2025-06-20', NULL, 1, -300, 0, 300, -300, -300, -300, false),
	(1062, 106, 1, 3, 9, 'posted', 'product', '2025-06-20', NULL, 1, 300, 300, 0, 300, 300, 300, false),
	(1071, 107, 1, 1, 9, 'posted', 'payment_term', '2025-03-01', '2025-03-31', 1, 2000, 2000, 0, 2000, 0, 0, true),
	(1072, 107, 1, 2, 9, 'posted', 'product', '2025-03-01', NULL, 1, -2000, 0, 2000, -2000, 0, 0, false),
	(1081, 108, 1, 1, 9, 'posted', 'product', '2025-04-15', NULL, 1, -2000, 0, 2000, -2000, 0, 0, true),
	(1082, 108, 1, 3, 9, 'posted', 'product', '2025-04-15', NULL, 1, 2000, 2000, 0, 2000, 2000, 2000, false),
	(1091, 109, 1, 1, 9, 'draft', 'payment_term', '2025-06-29', '2025-07-29', 1, 999, 999, 0, 999, 999, 999, false),
	(1092, 109, 1, 2, 9, 'draft', 'product', '2025-06-29', NULL, 1, -999, 0, 999, -999, 0, 0, false),
	(2011, 201, 2, 4, 8, 'posted', 'payment_term', '2025-06-10', '2025-07-10', 2, 800, 800, 0, 800, 800, 800, false),
	(2012, 201, 2, 5, 8, 'posted', 'product', '2025-06-10', NULL, 2, -800, 0, 800, -800, 0, 0, false),
	(3011, 301, 1, 6, 10, 'posted', 'payment_term', '2025-06-02', '2025-07-02', 1, -450, 0, 450, -450, -450, -450, false),
	(3012, 301, 1, 2, 10, 'posted', 'product', '2025-06-02', NULL, 1, 450, 450, 0, 450, 0, 0, false);

INSERT INTO account_partial_reconcile (id, debit_move_id, credit_move_id, company_id, amount, debit_amount_currency, credit_amount_currency, max_date) VALUES
	(1, 1001, 1031, 1, 500, 500, 500, '2025-05-10'),
	(2, 1041, 1051, 1, 200, 216.67, 200, '2025-06-01'),
	(3, 1071, 1081, 1, 2000, 2000, 2000, '2025-04-15');

INSERT INTO sale_order_line_invoice_rel (invoice_line_id, order_line_id) VALUES
	(1002, 1),
	(2012, 2);

SELECT setval(pg_get_serial_sequence('odoo.' || t, 'id'), 10000)
FROM unnest(ARRAY['res_currency', 'res_partner', 'res_company', 'account_account', 'sale_order', 'sale_order_line',
				  'account_move', 'account_move_line', 'account_partial_reconcile']) t;

RESET search_path;
