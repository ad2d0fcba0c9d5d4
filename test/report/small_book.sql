-- A small book with known figures (the data of sql/class_trend.sql, hand-checked
-- there), for test/t/051_report_html.pl; Beta's name needs HTML escaping.
INSERT INTO customer_class.customer (customer_id, name, customer_type, industry, region, size_class, payment_terms_days, created_on)
VALUES (1, 'Alpha', 'enterprise', 'retail', 'east', 'large', 30, '2024-01-01'),
	   (2, 'Beta', 'enterprise', 'retail', 'east', 'small', 30, '2024-01-01'),
	   (3, 'Gamma', 'individual', 'retail', 'west', 'micro', 30, '2024-01-01'),
	   (4, 'Delta (never graded)', 'enterprise', 'retail', 'west', 'small', 30, '2024-01-01');
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(101, 1, '2024-12-15', '2025-01-14', 1000.00),	-- 600 on 01-20, 400 on 02-20
	(102, 1, '2025-01-10', '2025-02-09', 500.00),	-- paid 03-05
	(103, 1, '2025-03-20', '2025-04-19', 300.00),	-- 40 paid ahead on 03-01
	(201, 2, '2025-01-05', '2025-01-20', 2000.00),	-- 1,000 on 02-15, credit note 1,500 on 03-10: overpaid 500
	(202, 2, '2025-02-20', '2025-03-22', 700.00),	-- 200 paid ahead on 02-10, then nothing
	(203, 2, '2025-04-05', '2025-05-05', 100.00),	-- issued after the range, paid ahead on 03-25
	(301, 3, '2024-11-01', '2024-12-01', 800.00),	-- 300 on 01-15, 500 left
	(401, 4, '2025-01-01', '2025-01-31', 999.00);	-- a customer in no class
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount, kind) VALUES
	(1, 1, 101, '2025-01-20', 600.00, 'payment'),
	(2, 1, 101, '2025-02-20', 400.00, 'payment'),
	(3, 1, NULL, '2025-02-01', 50.00, 'payment'),		-- unapplied
	(4, 1, 102, '2025-03-05', 500.00, 'payment'),
	(5, 1, 103, '2025-03-01', 40.00, 'payment'),		-- before the invoice
	(6, 2, 201, '2025-02-15', 1000.00, 'payment'),
	(7, 2, 201, '2025-03-10', 1500.00, 'credit_note'),
	(8, 2, 202, '2025-02-10', 200.00, 'payment'),		-- before the invoice
	(9, 2, 203, '2025-03-25', 100.00, 'payment'),		-- advance: its invoice comes in April
	(10, 3, 301, '2025-01-15', 300.00, 'payment');
-- the grades, as refresh() records them: Alpha A, then B from 02-28; Beta
-- graded C on 01-31, D from 03-15; Gamma C, gone on 02-10
INSERT INTO customer_class.class_history (customer_id, dimension, old_value, new_value, as_of, why) VALUES
	(1, 'credit_grade', NULL, 'A', '2024-12-31', 'test'),
	(3, 'credit_grade', NULL, 'C', '2024-12-31', 'test'),
	(2, 'credit_grade', NULL, 'C', '2025-01-31', 'test'),
	(1, 'credit_grade', 'A', 'B', '2025-02-28', 'test'),
	(3, 'credit_grade', 'C', NULL, '2025-02-10', 'test'),
	(2, 'credit_grade', 'C', 'D', '2025-03-15', 'test'),
	(1, 'lifecycle_stage', NULL, 'active', '2024-12-31', 'test'),
	(2, 'lifecycle_stage', NULL, 'new', '2025-01-31', 'test'),
	(2, 'lifecycle_stage', 'new', 'active', '2025-03-31', 'test');
UPDATE customer_class.customer SET name = 'Beta <b>&amp; "Co"</b>' WHERE customer_id = 2;
