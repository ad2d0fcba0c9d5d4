-- The daily full refresh() of every customer against the floor: one
-- per-customer count/sum pass over the invoices plus one over the payments.
-- Every customer is graded already (setup); each run refreshes as of the
-- day after the profiles' date, so every class is recomputed and whatever changed with the date
-- is written to class_history, as in a nightly job.  Target: ours at most
-- 3x the floor, i.e. ratio >= 0.33.  The very first refresh, which writes a
-- history row for every class of every customer, is refresh_initial.
-- @runs 2
-- @setup
SELECT customer_class.refresh((SELECT greatest(date '2025-12-31', max(as_of)) FROM customer_class.profile));
-- @ours
SELECT customer_class.refresh((SELECT max(as_of) FROM customer_class.profile) + 1, full_refresh => true);
-- @baseline
SELECT customer_id, count(*), sum(amount) FROM customer_class.invoice GROUP BY customer_id;
SELECT customer_id, count(*), sum(amount) FROM customer_class.payment GROUP BY customer_id;
-- @teardown
SELECT format('refreshed as of %s, %s profiles', max(as_of), count(*)) FROM customer_class.profile;
