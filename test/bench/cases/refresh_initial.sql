-- The first refresh() of all customers, with no profile yet: every class of
-- every customer is new and gets its class_history row with the reason
-- (about five per customer).  Against the floor of refresh_floor.
-- @runs 1
-- @setup
TRUNCATE customer_class.profile, customer_class.class_history, customer_class.rfm_boundary;
-- @ours
SELECT customer_class.refresh('2025-12-31', full_refresh => true);
-- @baseline
SELECT customer_id, count(*), sum(amount) FROM customer_class.invoice GROUP BY customer_id;
SELECT customer_id, count(*), sum(amount) FROM customer_class.payment GROUP BY customer_id;
-- @teardown
SELECT format('%s profiles, %s class_history rows', (SELECT count(*) FROM customer_class.profile),
			  (SELECT count(*) FROM customer_class.class_history));
