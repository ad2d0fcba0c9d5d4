-- aging_agg per customer against the floor: a plain per-customer
-- sum(amount) over the same rows.  Target: ours within 1.5x of the floor
-- (ratio >= 0.67).
-- @ours
SELECT customer_id, customer_class.aging_agg(amount, due_on, date '2025-12-31')
FROM customer_class.src_invoice GROUP BY customer_id;
-- @baseline
SELECT customer_id, sum(amount) FROM customer_class.src_invoice GROUP BY customer_id;
