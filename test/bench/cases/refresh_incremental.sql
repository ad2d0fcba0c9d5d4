-- Incremental refresh after 10,000 new invoices for 10,000 customers: only
-- their customers are recomputed.  Baseline: the same new invoices followed
-- by a full refresh.  Both sides include inserting the invoices.  Both
-- refresh as of the profiles' date (refresh() never goes back in time).
-- @runs 2
-- @setup
SELECT customer_class.refresh((SELECT greatest(date '2025-12-31', max(as_of)) FROM customer_class.profile), full_refresh => true);
-- @ours
INSERT INTO customer_class.invoice (customer_id, issued_on, due_on, amount)
SELECT c * 97 % (SELECT max(customer_id) FROM customer_class.customer) + 1, '2025-12-30', '2026-01-29', 1000 FROM generate_series(1, 10000) c;
SELECT customer_class.refresh((SELECT max(as_of) FROM customer_class.profile));
-- @baseline
INSERT INTO customer_class.invoice (customer_id, issued_on, due_on, amount)
SELECT c * 89 % (SELECT max(customer_id) FROM customer_class.customer) + 1, '2025-12-30', '2026-01-29', 1000 FROM generate_series(1, 10000) c;
SELECT customer_class.refresh((SELECT greatest(date '2025-12-31', max(as_of)) FROM customer_class.profile), full_refresh => true);
