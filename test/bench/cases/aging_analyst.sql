-- aging_agg per customer against the SQL an analyst writes today: five
-- sum(...) FILTER (WHERE ...) over date arithmetic, one per bucket.  Both
-- read every invoice through src_invoice and return one row per customer.
-- Target: ours at least 2x faster (ratio >= 2).
-- @ours
SELECT customer_id, customer_class.aging_agg(amount, due_on, date '2025-12-31')
FROM customer_class.src_invoice GROUP BY customer_id;
-- @baseline
SELECT customer_id,
	   sum(amount) FILTER (WHERE date '2025-12-31' - due_on <= 0) AS current,
	   sum(amount) FILTER (WHERE date '2025-12-31' - due_on BETWEEN 1 AND 30) AS d1_30,
	   sum(amount) FILTER (WHERE date '2025-12-31' - due_on BETWEEN 31 AND 60) AS d31_60,
	   sum(amount) FILTER (WHERE date '2025-12-31' - due_on BETWEEN 61 AND 90) AS d61_90,
	   sum(amount) FILTER (WHERE date '2025-12-31' - due_on > 90) AS d91
FROM customer_class.src_invoice GROUP BY customer_id;
