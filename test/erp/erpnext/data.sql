-- ERPNext test data: two companies in different currencies, per-company
-- credit limits, an invoice in two instalments paid partly, an invoice
-- without a payment schedule, a foreign-currency invoice, credit notes with
-- and without return_against, an advance against a sales order, an
-- unallocated payment, and drafts and cancelled documents that must be
-- ignored; non-ASCII names.  Figures by hand: sql/binding_erpnext.sql.
SET search_path = erpnext;

INSERT INTO "tabCompany" (name, creation, docstatus, company_name, abbr, default_currency) VALUES
	('Acme Pvt Ltd', '2024-01-01 08:00', 0, 'Acme Pvt Ltd', 'APL', 'INR'),
	('Acme Inc', '2024-01-01 08:00', 0, 'Acme Inc', 'AI', 'USD');

INSERT INTO "tabCustomer" (name, creation, customer_name, customer_type, customer_group, territory, industry, disabled) VALUES
	('Bharat Traders', '2024-02-10 09:30', 'Bharat Traders', 'Company', 'Commercial', 'India', 'Retail', 0),
	('Café Øresund ApS', '2024-05-03 14:00', 'Café Øresund ApS', 'Company', 'Commercial', 'Denmark', NULL, 0),
	('Lena Vogel', '2025-01-15 11:00', 'Lena Vogel', 'Individual', 'Individual', 'Germany', NULL, 0);

INSERT INTO "tabCustomer Credit Limit" (name, parent, parentfield, parenttype, idx, company, credit_limit, bypass_credit_limit_check) VALUES
	('3f1c0a9b21', 'Bharat Traders', 'credit_limits', 'Customer', 1, 'Acme Pvt Ltd', 100000, 0),
	('3f1c0a9b22', 'Bharat Traders', 'credit_limits', 'Customer', 2, 'Acme Inc', 20000, 1),
	('7d2e4b6c01', 'Café Øresund ApS', 'credit_limits', 'Customer', 1, 'Acme Inc', 5000, 0),
	('9a8b7c6d01', 'Lena Vogel', 'credit_limits', 'Customer', 1, 'Acme Inc', 0, 0);

INSERT INTO "tabSales Order" (name, docstatus, customer, company, transaction_date, delivery_date, currency, conversion_rate,
							  grand_total, base_grand_total, rounded_total, base_rounded_total, per_delivered, per_billed, status) VALUES
	('SAL-ORD-2025-00001', 1, 'Bharat Traders', 'Acme Pvt Ltd', '2025-03-25', '2025-03-30', 'INR', 1, 30000, 30000, 30000, 30000, 100, 100, 'Completed'),
	('SAL-ORD-2025-00002', 1, 'Bharat Traders', 'Acme Pvt Ltd', '2025-06-20', '2025-07-15', 'INR', 1, 25000, 25000, 25000, 25000, 0, 0, 'To Deliver and Bill'),
	('SAL-ORD-2025-00003', 1, 'Café Øresund ApS', 'Acme Inc', '2025-06-22', '2025-06-24', 'USD', 1, 1800, 1800, 1800, 1800, 100, 0, 'To Bill'),
	('SAL-ORD-2025-00004', 0, 'Bharat Traders', 'Acme Inc', '2025-06-28', '2025-07-20', 'USD', 1, 8000, 8000, 8000, 8000, 0, 0, 'Draft'),
	('SAL-ORD-2025-00005', 2, 'Café Øresund ApS', 'Acme Inc', '2025-05-02', '2025-05-10', 'USD', 1, 999, 999, 999, 999, 0, 0, 'Cancelled'),
	-- drafts the write-side test submits
	('SAL-ORD-2025-00006', 0, 'Café Øresund ApS', 'Acme Inc', '2025-06-29', '2025-07-10', 'USD', 1, 2500, 2500, 2500, 2500, 0, 0, 'Draft'),
	('SAL-ORD-2025-00007', 0, 'Café Øresund ApS', 'Acme Inc', '2025-06-29', '2025-07-12', 'USD', 1, 1000, 1000, 1000, 1000, 0, 0, 'Draft');

-- ACC-SINV-2025-00002: grand total 11,999.60 rounded to 12,000 (what the
-- customer owes); ACC-SINV-2025-00003 (no payment schedule): 3,999.75
-- rounded to 4,000; ACC-SINV-2025-00004: 2,000 EUR at 1.1 = 2,200 USD.
INSERT INTO "tabSales Invoice" (name, docstatus, customer, company, posting_date, due_date, currency, conversion_rate,
								grand_total, base_grand_total, rounded_total, base_rounded_total, outstanding_amount,
								is_return, return_against, status) VALUES
	('ACC-SINV-2025-00001', 1, 'Bharat Traders', 'Acme Pvt Ltd', '2025-04-01', '2025-05-31', 'INR', 1, 30000, 30000, 30000, 30000, 10000, 0, NULL, 'Partly Paid'),
	('ACC-SINV-2025-00002', 1, 'Bharat Traders', 'Acme Pvt Ltd', '2025-06-10', '2025-07-10', 'INR', 1, 11999.6, 11999.6, 12000, 12000, 10000, 0, NULL, 'Unpaid'),
	('ACC-SINV-RET-2025-00001', 1, 'Bharat Traders', 'Acme Pvt Ltd', '2025-06-15', '2025-06-15', 'INR', 1, -2000, -2000, -2000, -2000, 0, 1, 'ACC-SINV-2025-00002', 'Return'),
	('ACC-SINV-2025-00003', 1, 'Bharat Traders', 'Acme Inc', '2025-03-01', '2025-03-31', 'USD', 1, 3999.75, 3999.75, 4000, 4000, 4000, 0, NULL, 'Overdue'),
	('ACC-SINV-2025-00004', 1, 'Café Øresund ApS', 'Acme Inc', '2025-05-20', '2025-06-19', 'EUR', 1.1, 2000, 2200, 2000, 2200, 1200, 0, NULL, 'Overdue'),
	('ACC-SINV-2025-00005', 0, 'Café Øresund ApS', 'Acme Inc', '2025-06-29', '2025-07-29', 'USD', 1, 500, 500, 500, 500, 500, 0, NULL, 'Draft'),
	('ACC-SINV-2025-00006', 2, 'Café Øresund ApS', 'Acme Inc', '2025-05-05', '2025-06-04', 'USD', 1, 700, 700, 700, 700, 700, 0, NULL, 'Cancelled'),
	('ACC-SINV-RET-2025-00002', 1, 'Café Øresund ApS', 'Acme Inc', '2025-06-28', '2025-06-28', 'USD', 1, -300, -300, -300, -300, -300, 1, NULL, 'Return');

INSERT INTO "tabSales Invoice Item" (name, parent, parentfield, parenttype, idx, item_code, qty, base_amount, sales_order, so_detail) VALUES
	('b1a0c0d0e1', 'ACC-SINV-2025-00001', 'items', 'Sales Invoice', 1, 'WIDGET', 100, 30000, 'SAL-ORD-2025-00001', 'c0ffee0001'),
	('b1a0c0d0e2', 'ACC-SINV-2025-00002', 'items', 'Sales Invoice', 1, 'GADGET', 40, 11999.6, NULL, NULL),
	('b1a0c0d0e3', 'ACC-SINV-2025-00003', 'items', 'Sales Invoice', 1, 'GADGET', 10, 3999.75, NULL, NULL),
	('b1a0c0d0e4', 'ACC-SINV-2025-00004', 'items', 'Sales Invoice', 1, 'SPROCKET', 5, 2200, NULL, NULL);

-- ACC-SINV-2025-00001 in two halves; ACC-SINV-2025-00003 has no schedule.
INSERT INTO "tabPayment Schedule" (name, parent, parentfield, parenttype, idx, payment_term, due_date, invoice_portion,
								   payment_amount, base_payment_amount, outstanding, paid_amount) VALUES
	('e5d4c3b2a1', 'ACC-SINV-2025-00001', 'payment_schedule', 'Sales Invoice', 1, '50% in 30 days', '2025-05-01', 50, 15000, 15000, 0, 15000),
	('e5d4c3b2a2', 'ACC-SINV-2025-00001', 'payment_schedule', 'Sales Invoice', 2, '50% in 60 days', '2025-05-31', 50, 15000, 15000, 10000, 5000),
	('e5d4c3b2a3', 'ACC-SINV-2025-00002', 'payment_schedule', 'Sales Invoice', 1, NULL, '2025-07-10', 100, 12000, 12000, 12000, 0),
	('e5d4c3b2a4', 'ACC-SINV-2025-00004', 'payment_schedule', 'Sales Invoice', 1, NULL, '2025-06-19', 100, 2000, 2200, 1000, 1000),
	('e5d4c3b2a5', 'ACC-SINV-2025-00006', 'payment_schedule', 'Sales Invoice', 1, NULL, '2025-06-04', 100, 700, 700, 700, 0),
	('e5d4c3b2a6', 'SAL-ORD-2025-00002', 'payment_schedule', 'Sales Order', 1, NULL, '2025-07-15', 100, 25000, 25000, 0, 0);

INSERT INTO "tabPayment Entry" (name, docstatus, payment_type, party_type, party, company, posting_date,
								paid_amount, base_paid_amount, source_exchange_rate, received_amount, unallocated_amount) VALUES
	('ACC-PAY-2025-00001', 1, 'Receive', 'Customer', 'Bharat Traders', 'Acme Pvt Ltd', '2025-05-05', 20000, 20000, 1, 20000, 0),
	('ACC-PAY-2025-00002', 1, 'Receive', 'Customer', 'Café Øresund ApS', 'Acme Inc', '2025-06-25', 1500, 1500, 1, 1500, 500),
	('ACC-PAY-2025-00003', 0, 'Receive', 'Customer', 'Bharat Traders', 'Acme Pvt Ltd', '2025-06-29', 5000, 5000, 1, 5000, 0),
	('ACC-PAY-2025-00004', 1, 'Receive', 'Customer', 'Bharat Traders', 'Acme Pvt Ltd', '2025-06-26', 3000, 3000, 1, 3000, 0);

-- ACC-PAY-2025-00001 pays 20,000 of the invoice in halves: the first half
-- and 5,000 of the second.  ACC-PAY-2025-00004 is an advance on an order.
INSERT INTO "tabPayment Entry Reference" (name, parent, parentfield, parenttype, idx, reference_doctype, reference_name,
										  total_amount, outstanding_amount, allocated_amount, exchange_rate) VALUES
	('f0e1d2c3b1', 'ACC-PAY-2025-00001', 'references', 'Payment Entry', 1, 'Sales Invoice', 'ACC-SINV-2025-00001', 30000, 30000, 20000, 1),
	('f0e1d2c3b2', 'ACC-PAY-2025-00002', 'references', 'Payment Entry', 1, 'Sales Invoice', 'ACC-SINV-2025-00004', 2200, 2200, 1000, 1.1),
	('f0e1d2c3b3', 'ACC-PAY-2025-00003', 'references', 'Payment Entry', 1, 'Sales Invoice', 'ACC-SINV-2025-00002', 12000, 10000, 5000, 1),
	('f0e1d2c3b4', 'ACC-PAY-2025-00004', 'references', 'Payment Entry', 1, 'Sales Order', 'SAL-ORD-2025-00002', 25000, 25000, 3000, 1);

RESET search_path;
