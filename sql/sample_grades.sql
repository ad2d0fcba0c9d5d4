-- Every behaviour of the sample data lands in the grade a credit manager
-- would expect.  Loads the generator's demo data (2,000 customers).
SET customer_class.as_of = '2025-12-31';
\set ECHO none
\set customers 2000
\set as_of 2025-12-31
\i test/data/generate.sql
\set ECHO all
SELECT count(*) AS problems FROM sample.check() WHERE rows > 0;

SELECT customer_class.refresh() AS graded;

SELECT cs.segment,
	   count(*) FILTER (WHERE p.credit_grade = 'A') AS "A",
	   count(*) FILTER (WHERE p.credit_grade = 'B') AS "B",
	   count(*) FILTER (WHERE p.credit_grade = 'C') AS "C",
	   count(*) FILTER (WHERE p.credit_grade = 'D') AS "D",
	   round(avg(p.credit_score), 1) AS avg_score
FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
GROUP BY cs.segment ORDER BY avg(p.credit_score) DESC;

-- what a credit manager expects, as rules; each query lists the exceptions
-- punctual payers and high-frequency small buyers are A
SELECT cs.segment, p.credit_grade, count(*) FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
WHERE cs.segment IN ('punctual', 'frequent_small') AND p.credit_grade <> 'A' GROUP BY 1, 2;
-- chronic late payers and partial payers are C or D.  One exception, shown
-- here: partial payer 1505 scores 66.47, a B just over the cut-off of 66 --
-- it settles on average 17 days beyond terms (payment index 67), has no
-- default, 4% of its revenue overdue, and a low-risk industry and region.
-- None of the sample's chronic late payers is a D: they pay, late (their
-- scores are 51-63, all C).
SELECT cs.segment, p.credit_grade, count(*) FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
WHERE cs.segment IN ('chronic_late', 'partial_payer') AND p.credit_grade < 'C' GROUP BY 1, 2;
-- nobody without a payment history, and nobody late, is an A
SELECT cs.segment, p.credit_grade, count(*) FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
WHERE cs.segment IN ('prospect', 'new', 'chronic_late', 'near_limit', 'partial_payer', 'churned')
  AND p.credit_grade = 'A' GROUP BY 1, 2;
-- slipping payers are never graded A any more: the slip shows in their
-- recent payment index (and the early warnings of the payment rhythm flag
-- them as it starts, see sample_lifecycle); this lists exceptions
SELECT p.customer_id, p.credit_score, (f.facts).recent_payment_index, (f.facts).payment_index
FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
JOIN customer_class.credit_facts('2025-12-31', 'default') f USING (customer_id)
WHERE cs.segment = 'slipping' AND p.credit_grade = 'A';
-- the slipping payers score below the punctual ones they were
SELECT (SELECT avg(credit_score) FROM customer_class.profile JOIN sample.customer_segment USING (customer_id) WHERE segment = 'slipping')
	 < (SELECT avg(credit_score) FROM customer_class.profile JOIN sample.customer_segment USING (customer_id) WHERE segment = 'punctual')
	AS slipping_below_punctual;
-- and their score falls as their rhythm slips: a refresh as of four months
-- earlier, before they turned late, grades them higher
SELECT round(avg(s.score), 1) AS slipping_score_in_august
FROM customer_class.credit_facts('2025-08-31', 'default',
	 (SELECT array_agg(customer_id) FROM sample.customer_segment WHERE segment = 'slipping')) f,
	 customer_class.credit_score(f.facts, customer_class.active_scorecard()) s;

-- every explanation adds up to the score it explains, which is the profile's
SELECT count(*) AS customers, count(*) FILTER (WHERE e.contributions <> e.score) AS not_adding_up,
	   count(*) FILTER (WHERE e.score <> e.credit_score) AS not_the_profiles
FROM (SELECT p.customer_id, p.credit_score, sum(x.contribution) FILTER (WHERE x.step < 6) AS contributions,
			 max(x.points) FILTER (WHERE x.step = 6) AS score
	  FROM customer_class.profile p, customer_class.explain_score(p.customer_id) x
	  GROUP BY p.customer_id, p.credit_score) e;

-- the first refresh recorded one grade per customer
SELECT count(*) AS history_rows, count(DISTINCT customer_id) AS customers FROM customer_class.class_history
WHERE dimension = 'credit_grade';

-- A full refresh with parallel workers computes customer_id ranges (from
-- 20,000 customers on; here from one): together the ranges give every
-- customer once, with the same rows as one pass over everyone
SET max_parallel_workers_per_gather = 2;
SELECT replace(customer_class.refresh_rows_query(true, 1), ' UNION ALL ', E'\n UNION ALL ') AS ranges;
SELECT customer_class.refresh_rows_query(true) AS below_the_threshold;
SELECT customer_class.refresh_rows_query(false) AS queued;
CREATE TEMP TABLE ranges_vs_whole (customers bigint, differing_or_missing bigint, had_profile bigint);
DO $$
BEGIN
	EXECUTE format('INSERT INTO ranges_vs_whole
					SELECT count(*), count(*) FILTER (WHERE w.customer_id IS NULL OR r.customer_id IS NULL
																OR ROW(w.*) IS DISTINCT FROM ROW(r.*)),
						   count(*) FILTER (WHERE r.existed)
					FROM (%s) r FULL JOIN customer_class.refresh_rows($1, $2, $3, $4) w USING (customer_id)',
				   customer_class.refresh_rows_query(true, 1))
	USING date '2025-12-31', customer_class.active_scorecard(), customer_class.active_lifecycle_policy(),
		  (SELECT last_value FROM customer_class.policy_version);
END
$$;
SELECT * FROM ranges_vs_whole;
DROP TABLE ranges_vs_whole;
RESET max_parallel_workers_per_gather;

TRUNCATE customer_class.customer, customer_class.sales_order, customer_class.invoice, customer_class.payment,
	customer_class.profile, customer_class.class_history, customer_class.rfm_boundary, customer_class.dirty, customer_class.alerts;
DROP SCHEMA sample CASCADE;
