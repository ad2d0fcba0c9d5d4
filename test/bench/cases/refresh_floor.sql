-- Full refresh() of every customer against the floor: one per-customer
-- count/sum pass over the invoices plus one over the payments.  Target:
-- ours at most 3x the floor, i.e. ratio >= 0.33.
-- @runs 2
-- @setup
SET customer_class.as_of = '2025-12-31';
-- @ours
SET customer_class.as_of = '2025-12-31';
SELECT customer_class.refresh('2025-12-31', full_refresh => true);
-- @baseline
SELECT customer_id, count(*), sum(amount) FROM customer_class.invoice GROUP BY customer_id;
SELECT customer_id, count(*), sum(amount) FROM customer_class.payment GROUP BY customer_id;
