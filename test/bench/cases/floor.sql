-- The floor every per-customer aggregate is compared with: one pass over the
-- invoices counting and summing per customer.  "ours" reads through the
-- canonical view src_invoice (what every computation of the extension does),
-- the baseline reads the table itself: the ratio is the cost of the view
-- layer, and ours X ms is the floor figure later cases quote.
-- @ours
SELECT customer_id, count(*), sum(amount) FROM customer_class.src_invoice GROUP BY customer_id;
-- @baseline
SELECT customer_id, count(*), sum(amount) FROM customer_class.invoice GROUP BY customer_id;
