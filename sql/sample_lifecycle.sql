-- Every behaviour of the sample data lands in the lifecycle stage, segment
-- and RFM segment a credit manager would expect.  Loads the generator's demo
-- data (2,000 customers).
SET customer_class.as_of = '2025-12-31';
\set ECHO none
\set customers 2000
\set as_of 2025-12-31
\i test/data/generate.sql
\set ECHO all
SELECT count(*) > 0 AS refreshed FROM (SELECT customer_class.refresh()) r;

-- stages per behaviour
SELECT cs.segment AS behaviour,
	   count(*) FILTER (WHERE p.lifecycle_stage = 'potential') AS potential,
	   count(*) FILTER (WHERE p.lifecycle_stage = 'new') AS new,
	   count(*) FILTER (WHERE p.lifecycle_stage = 'active') AS active,
	   count(*) FILTER (WHERE p.lifecycle_stage = 'reactivated') AS reactivated,
	   count(*) FILTER (WHERE p.lifecycle_stage = 'dormant') AS dormant,
	   count(*) FILTER (WHERE p.lifecycle_stage = 'churned') AS churned
FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
GROUP BY cs.segment ORDER BY cs.segment;

-- behaviour segments per behaviour
SELECT cs.segment AS behaviour, p.behaviour_segment, count(*)
FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
GROUP BY 1, 2 ORDER BY 1, 2;

-- phases per behaviour
SELECT cs.segment AS behaviour, p.lifecycle_phase, count(*)
FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
GROUP BY 1, 2 ORDER BY 1, 2;

-- RFM segments per behaviour
SELECT cs.segment AS behaviour, p.rfm_segment, count(*)
FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
GROUP BY 1, 2 ORDER BY 1, 2;

-- quintiles: each R, F and M score holds about a fifth of the customers
-- with an order (ties at a bound go to the lower score)
SELECT score, count(*) FILTER (WHERE rfm_r = score) AS r, count(*) FILTER (WHERE rfm_f = score) AS f,
	   count(*) FILTER (WHERE rfm_m = score) AS m
FROM customer_class.profile, generate_series(1, 5) AS score
WHERE rfm_r IS NOT NULL GROUP BY score ORDER BY score;

-- what a credit manager expects, as rules; each query lists the exceptions
-- prospects are potential, with no phase, segment no_purchase and no RFM
SELECT cs.segment, p.lifecycle_stage, p.lifecycle_phase, p.behaviour_segment, p.rfm_segment, count(*)
FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
WHERE (cs.segment = 'prospect') <> (p.lifecycle_stage = 'potential')
   OR cs.segment = 'prospect' AND (p.lifecycle_phase IS NOT NULL OR p.behaviour_segment <> 'no_purchase' OR p.rfm_segment IS NOT NULL)
GROUP BY 1, 2, 3, 4, 5;
-- new customers are new, in their introduction phase, newcomers in their segment
SELECT cs.segment, p.lifecycle_stage, p.lifecycle_phase, p.behaviour_segment, count(*)
FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
WHERE cs.segment = 'new' AND (p.lifecycle_stage <> 'new' OR p.lifecycle_phase <> 'introduction' OR p.behaviour_segment <> 'newcomer')
GROUP BY 1, 2, 3, 4;
-- no order for 3-6 months: dormant; for more than 6 months: churned
SELECT cs.segment, p.lifecycle_stage, count(*)
FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
WHERE (cs.segment = 'dormant' AND p.lifecycle_stage <> 'dormant')
   OR (cs.segment = 'churned' AND p.lifecycle_stage <> 'churned')
GROUP BY 1, 2;
-- and nobody else is churned; only occasional large buyers (orders about
-- 120 days apart) are also dormant or churned between orders, and reactivated
-- when they order again: the stage rule is the same for every customer (a
-- policy with dormant_days above their rhythm keeps them active)
SELECT cs.segment, p.lifecycle_stage, count(*)
FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
WHERE (p.lifecycle_stage = 'churned' AND cs.segment NOT IN ('churned', 'occasional_large'))
   OR (p.lifecycle_stage = 'dormant' AND cs.segment NOT IN ('dormant', 'occasional_large'))
GROUP BY 1, 2;
-- frequent small buyers are high-frequency stable
SELECT cs.segment, p.behaviour_segment, count(*)
FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
WHERE cs.segment = 'frequent_small' AND p.behaviour_segment <> 'high_frequency_stable'
GROUP BY 1, 2;
-- occasional large buyers are occasional large (or lapsed after 6 months)
SELECT cs.segment, p.behaviour_segment, count(*)
FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
WHERE cs.segment = 'occasional_large' AND p.behaviour_segment NOT IN ('occasional_large', 'lapsed')
GROUP BY 1, 2;
-- dormant and churned customers are lapsed, and the churned RFM-Lost or Hibernating
SELECT cs.segment, p.behaviour_segment, p.rfm_segment, count(*)
FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
WHERE cs.segment IN ('dormant', 'churned') AND p.behaviour_segment <> 'lapsed'
   OR cs.segment = 'churned' AND p.rfm_segment NOT IN ('lost', 'hibernating')
GROUP BY 1, 2, 3;
-- chronic late and partial payers are late payers or overdue high-risk
SELECT cs.segment, p.behaviour_segment, count(*)
FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
WHERE cs.segment IN ('chronic_late', 'partial_payer') AND p.behaviour_segment NOT IN ('late_payer', 'overdue_high_risk')
GROUP BY 1, 2;
-- punctual payers are never late payers or high-risk
SELECT cs.segment, p.behaviour_segment, count(*)
FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
WHERE cs.segment IN ('punctual', 'frequent_small', 'occasional_large') AND p.behaviour_segment IN ('late_payer', 'overdue_high_risk')
GROUP BY 1, 2;

-- RFM is relative to the customer base (most sample customers ordered in
-- the last three weeks, so a monthly buyer 20 days on may score R 2); but
-- steady buyers are never Lost or Hibernating, and dormant and churned
-- customers always are
SELECT cs.segment, p.rfm_segment, count(*)
FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
WHERE cs.segment IN ('punctual', 'frequent_small', 'slipping', 'near_limit') AND p.rfm_segment IN ('lost', 'hibernating')
   OR cs.segment IN ('dormant', 'churned') AND p.rfm_segment NOT IN ('lost', 'hibernating')
GROUP BY 1, 2;
-- frequent small buyers are never At Risk either
SELECT cs.segment, p.rfm_segment, count(*)
FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
WHERE cs.segment = 'frequent_small' AND p.rfm_segment IN ('at_risk', 'cant_lose_them', 'about_to_sleep')
GROUP BY 1, 2;

-- the first refresh recorded stage, phase, segment, RFM segment and payment
-- warning per customer
SELECT dimension, count(*) AS history_rows FROM customer_class.class_history GROUP BY 1 ORDER BY 1;

-- == Early warnings over time ==
-- The slipping payers turn late on the invoices of the last five months and
-- stop ordering two months before the end: a month before it they get a
-- yellow warning, at the end a red one.  Nobody else but a few partial
-- payers (who pay the rest of each invoice 0-40 days late) is warned.
TRUNCATE customer_class.profile, customer_class.class_history, customer_class.rfm_boundary, customer_class.alerts;
SELECT count(*) > 0 AS refreshed FROM (SELECT customer_class.refresh('2025-11-30')) r;
SELECT cs.segment AS behaviour, p.payment_warning, count(*)
FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
WHERE p.payment_warning IS NOT NULL OR cs.segment = 'slipping'
GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(*) > 0 AS refreshed FROM (SELECT customer_class.refresh('2025-12-31')) r;
SELECT cs.segment AS behaviour, p.payment_warning, count(*)
FROM sample.customer_segment cs JOIN customer_class.profile p USING (customer_id)
WHERE p.payment_warning IS NOT NULL OR cs.segment = 'slipping'
GROUP BY 1, 2 ORDER BY 1, 2;
-- the alerts: the yellow ones of slipping payers were resolved when they
-- turned red; dormant alerts for buying customers whose last order passed
-- 90 days during December (the dormant ones), and for occasional large
-- buyers only once their silence also passed 1.5 x their own last gap
-- between orders (about 120 days: 180 days)
SELECT cs.segment AS behaviour, a.kind, a.level, a.resolved_at IS NULL AS open, count(*)
FROM customer_class.alerts a JOIN sample.customer_segment cs USING (customer_id)
GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;
-- the history of a slipping payer's warning: none, yellow, red
SELECT h.old_value, h.new_value, h.as_of, count(*)
FROM customer_class.class_history h JOIN sample.customer_segment cs USING (customer_id)
WHERE h.dimension = 'payment_warning' AND cs.segment = 'slipping'
GROUP BY 1, 2, 3 ORDER BY 3, 1 NULLS FIRST, 2;

TRUNCATE customer_class.customer, customer_class.sales_order, customer_class.invoice, customer_class.payment,
	customer_class.profile, customer_class.class_history, customer_class.dirty, customer_class.rfm_boundary,
	customer_class.alerts;
DROP SCHEMA sample CASCADE;
