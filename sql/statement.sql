-- Statements of account (对账单, docs/collections.md): opening balance,
-- every invoice, payment, credit note and adjustment of the period with a
-- running balance, and a closing balance equal to the AR figures (aging /
-- open_item and ar_figures); bad input.  Customer 1821; the equality is
-- checked for every customer of the database.
SET customer_class.as_of = '2025-12-31';
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO customer_class.customer (customer_id, name, created_on) VALUES (1821, 'Statement Ltd', '2024-01-01');
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(918211, 1821, '2025-10-05', '2025-11-04', 1000.00), (918212, 1821, '2025-11-10', '2025-12-10', 500.00),
	(918213, 1821, '2025-12-05', '2026-01-04', 700.00), (918214, 1821, '2026-01-05', '2026-02-04', 100.00);
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount, kind) VALUES
	(918211, 1821, 918211, '2025-10-30', 600.00, 'payment'),
	(918212, 1821, 918211, '2025-11-12', 400.00, 'credit_note'),
	(918213, 1821, NULL, '2025-12-10', 200.00, 'payment'),
	(918214, 1821, 918212, '2025-12-20', 500.00, 'payment'),
	(918215, 1821, 918214, '2025-12-28', 100.00, 'payment');

-- November and December: opening 1,000 - 600 = 400; the advance for an
-- invoice of January is a payment of December like any other
SELECT * FROM customer_class.statement_of_account(1821, '2025-11-01', '2025-12-31');
-- one day, and a period before anything happened
SELECT line, entry, debit, credit, balance FROM customer_class.statement_of_account(1821, '2025-12-05', '2025-12-05');
SELECT line, entry, balance FROM customer_class.statement_of_account(1821, '2025-01-01', '2025-06-30');

-- the closing balance is the AR: the aging total and open items as of the
-- last day, and ar_figures' end AR (its opening balance is begin AR)
SELECT (SELECT balance FROM customer_class.statement_of_account(1821, '2025-11-01', '2025-12-31') WHERE entry = 'closing balance') AS closing,
	   (SELECT total FROM customer_class.aging_report WHERE customer_id = 1821) AS aging_total,
	   (SELECT sum(open_amount) FROM customer_class.open_item WHERE customer_id = 1821) AS open_items,
	   (SELECT end_ar FROM customer_class.ar_figures('2025-11-01', '2025-12-31') WHERE customer_id = 1821) AS end_ar;
-- ... for every customer of the database, over a year and over a quarter
SELECT count(*) AS customers,
	   count(*) FILTER (WHERE s.opening IS DISTINCT FROM coalesce(f.begin_ar, 0)) AS opening_differs,
	   count(*) FILTER (WHERE s.closing IS DISTINCT FROM coalesce(f.end_ar, 0)) AS closing_differs_ar_figures,
	   count(*) FILTER (WHERE s.closing IS DISTINCT FROM coalesce(a.total, 0)) AS closing_differs_aging
FROM customer_class.src_customer c
CROSS JOIN LATERAL (SELECT max(x.balance) FILTER (WHERE x.entry = 'opening balance') AS opening,
						   max(x.balance) FILTER (WHERE x.entry = 'closing balance') AS closing
					FROM customer_class.statement_of_account(c.customer_id, '2025-01-01', '2025-12-31') x) s
LEFT JOIN customer_class.ar_figures('2025-01-01', '2025-12-31') f ON f.customer_id = c.customer_id
LEFT JOIN customer_class.aging_report a ON a.customer_id = c.customer_id;
SET customer_class.as_of = '2025-09-30';
SELECT count(*) FILTER (WHERE s.closing IS DISTINCT FROM coalesce(a.total, 0)) AS closing_differs_aging
FROM customer_class.src_customer c
CROSS JOIN LATERAL (SELECT max(x.balance) FILTER (WHERE x.entry = 'closing balance') AS closing
					FROM customer_class.statement_of_account(c.customer_id, '2025-07-01', '2025-09-30') x) s
LEFT JOIN customer_class.aging_report a ON a.customer_id = c.customer_id;
SET customer_class.as_of = '2025-12-31';

-- == Bad input ==
SELECT * FROM customer_class.statement_of_account(1821, '2025-12-31', '2025-11-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.statement_of_account(1821, NULL, '2025-11-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.statement_of_account(1821, '-infinity', '2025-11-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.statement_of_account(1899, '2025-11-01', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE

-- == Adjustments: a bound ERP's reversal of a payment and negative invoice ==
CREATE SCHEMA stmt_erp;
CREATE VIEW stmt_erp.payment AS
	SELECT payment_id, customer_id, invoice_id, paid_on, amount, kind FROM customer_class.payment
	UNION ALL SELECT 918216, 1821, 918214, date '2025-12-29', -100.00, 'payment';
CREATE VIEW stmt_erp.invoice AS
	SELECT invoice_id, customer_id, order_id, issued_on, due_on, amount FROM customer_class.invoice
	UNION ALL SELECT 918215, 1821, NULL, date '2025-12-30', date '2025-12-30', -50.00;
GRANT USAGE ON SCHEMA stmt_erp TO customer_class_reader;
GRANT SELECT ON stmt_erp.payment, stmt_erp.invoice TO customer_class_reader;
SELECT customer_class.bind_source('payment', 'stmt_erp.payment',
	'{"payment_id": "payment_id", "customer_id": "customer_id", "invoice_id": "invoice_id", "paid_on": "paid_on", "amount": "amount", "kind": "kind"}');
SELECT customer_class.bind_source('invoice', 'stmt_erp.invoice',
	'{"invoice_id": "invoice_id", "customer_id": "customer_id", "order_id": "order_id", "issued_on": "issued_on", "due_on": "due_on", "amount": "amount"}');
SELECT line, entry_on, entry, document_id, description, debit, credit, balance
FROM customer_class.statement_of_account(1821, '2025-12-20', '2025-12-31');
SELECT (SELECT balance FROM customer_class.statement_of_account(1821, '2025-12-20', '2025-12-31') WHERE entry = 'closing balance') AS closing,
	   (SELECT total FROM customer_class.aging_report WHERE customer_id = 1821) AS aging_total;
SELECT customer_class.unbind_source('invoice');
SELECT customer_class.unbind_source('payment');
DROP SCHEMA stmt_erp CASCADE;

-- a reader may run it, for the customers it sees
CREATE ROLE cc_stmt_reader IN ROLE customer_class_reader;
SET ROLE cc_stmt_reader;
SELECT count(*) FROM customer_class.statement_of_account(1821, '2025-11-01', '2025-12-31');
RESET ROLE;
DROP ROLE cc_stmt_reader;
