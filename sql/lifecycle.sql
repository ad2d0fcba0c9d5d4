-- Lifecycle stages, revenue phases, behaviour segments and RFM: every rule
-- at its boundary (lifecycle_classify and rfm_score on hand-built facts),
-- the policy table, and refresh() writing profiles and history.
SET customer_class.as_of = '2025-12-31';

-- == The policy ==
SELECT policy_id, new_days, dormant_days, churned_days, introduction_days, growth_ratio, decline_ratio,
	   hf_orders_12m, hf_active_months, large_invoice_amount, occasional_orders_12m,
	   risk_overdue_share, risk_payment_index, late_days, active, shipped
FROM customer_class.lifecycle_policy;
SELECT policy_id FROM customer_class.active_lifecycle_policy();

-- invalid policies are rejected with the reason
INSERT INTO customer_class.lifecycle_policy (policy_id, dormant_days, churned_days) VALUES ('bad', 200, 180);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.lifecycle_policy (policy_id, growth_ratio) VALUES ('bad', 0.9);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.lifecycle_policy (policy_id, hf_active_months) VALUES ('bad', 13);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.lifecycle_policy (policy_id, risk_payment_index) VALUES ('bad', 101);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.lifecycle_policy (policy_id, late_days) VALUES ('bad', 1.00001);
\echo :LAST_ERROR_SQLSTATE
-- the shipped policy is read-only
UPDATE customer_class.lifecycle_policy SET dormant_days = 60 WHERE policy_id = 'default';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM customer_class.lifecycle_policy WHERE policy_id = 'default';
\echo :LAST_ERROR_SQLSTATE
-- and only the extension ships rows
INSERT INTO customer_class.lifecycle_policy (policy_id, shipped) VALUES ('fake', true);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.lifecycle_policy (policy_id) VALUES ('fake');
UPDATE customer_class.lifecycle_policy SET shipped = true WHERE policy_id = 'fake';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM customer_class.lifecycle_policy WHERE policy_id = 'fake';
-- a policy change bumps the policy version
SELECT last_value AS v0 FROM customer_class.policy_version \gset
INSERT INTO customer_class.lifecycle_policy (policy_id, description) VALUES ('tmp', 'x');
DELETE FROM customer_class.lifecycle_policy WHERE policy_id = 'tmp';
SELECT last_value - :v0 AS bumps FROM customer_class.policy_version;

-- == Rules at their boundaries ==
-- An established customer (first order 400 days ago, the last 10 days ago,
-- monthly orders, steady revenue, pays on time); each case changes a few facts.
CREATE TEMP TABLE base AS SELECT jsonb_build_object(
	'revenue_12m', 120000, 'orders_12m', 12, 'order_months', 4095, 'invoices_12m', 12,
	'payment_index', 80, 'days_beyond_terms', 0, 'overdue_30d_balance', 0, 'defaults', 0,
	'revenue_180d', 60000, 'revenue_prior_180d', 60000,
	'first_order_on', date '2025-12-31' - 400, 'last_order_on', date '2025-12-31' - 10,
	'previous_order_on', date '2025-12-31' - 40) AS facts;
CREATE FUNCTION pg_temp.classify(changes jsonb) RETURNS customer_class.lifecycle_result
	LANGUAGE sql STABLE
	RETURN customer_class.lifecycle_classify(
		jsonb_populate_record(NULL::customer_class.credit_facts, (SELECT facts FROM base) || changes),
		customer_class.active_lifecycle_policy(), '2025-12-31');
CREATE FUNCTION pg_temp.ago(days integer) RETURNS text LANGUAGE sql IMMUTABLE
	RETURN (date '2025-12-31' - days)::text;

-- stages: potential, churned, dormant, new, reactivated, active (first match)
SELECT c.example, (pg_temp.classify(c.changes)).stage
FROM (VALUES
	('no order yet', jsonb_build_object('first_order_on', NULL, 'last_order_on', NULL, 'previous_order_on', NULL)),
	('last order 180 days ago: churned', jsonb_build_object('last_order_on', pg_temp.ago(180), 'previous_order_on', pg_temp.ago(210))),
	('last order 179 days ago: dormant', jsonb_build_object('last_order_on', pg_temp.ago(179), 'previous_order_on', pg_temp.ago(210))),
	('last order 90 days ago: dormant', jsonb_build_object('last_order_on', pg_temp.ago(90), 'previous_order_on', pg_temp.ago(120))),
	('last order 89 days ago: active', jsonb_build_object('last_order_on', pg_temp.ago(89), 'previous_order_on', pg_temp.ago(120))),
	('first order 89 days ago: new', jsonb_build_object('first_order_on', pg_temp.ago(89), 'previous_order_on', pg_temp.ago(89))),
	('first order 90 days ago: active', jsonb_build_object('first_order_on', pg_temp.ago(90), 'previous_order_on', pg_temp.ago(90))),
	('only order 90 days ago: dormant', jsonb_build_object('first_order_on', pg_temp.ago(90), 'last_order_on', pg_temp.ago(90), 'previous_order_on', NULL)),
	('ordered after a 90-day gap: reactivated', jsonb_build_object('previous_order_on', pg_temp.ago(100))),
	('ordered after an 89-day gap: active', jsonb_build_object('previous_order_on', pg_temp.ago(99))),
	('single order long ago, then one now: reactivated', jsonb_build_object('first_order_on', pg_temp.ago(300), 'previous_order_on', pg_temp.ago(300))),
	('no first order day: the last one counts', jsonb_build_object('first_order_on', NULL, 'previous_order_on', NULL)),
	('established', '{}'::jsonb)
) AS c (example, changes);

-- phases: introduction, then revenue of the last 180 days against the 180 before
SELECT c.example, (pg_temp.classify(c.changes)).phase
FROM (VALUES
	('no order yet', jsonb_build_object('first_order_on', NULL, 'last_order_on', NULL, 'previous_order_on', NULL)),
	('first order 179 days ago: introduction', jsonb_build_object('first_order_on', pg_temp.ago(179))),
	('first order 180 days ago, flat: maturity', jsonb_build_object('first_order_on', pg_temp.ago(180))),
	('recent 1.25 x prior: growth', jsonb_build_object('revenue_180d', 1250, 'revenue_prior_180d', 1000)),
	('recent 1249.99 vs 1000: maturity', jsonb_build_object('revenue_180d', 1249.99, 'revenue_prior_180d', 1000)),
	('recent 0.75 x prior: decline', jsonb_build_object('revenue_180d', 750, 'revenue_prior_180d', 1000)),
	('recent 750.01 vs 1000: maturity', jsonb_build_object('revenue_180d', 750.01, 'revenue_prior_180d', 1000)),
	('nothing before, something now: growth', jsonb_build_object('revenue_180d', 10, 'revenue_prior_180d', 0)),
	('nothing in a year: decline', jsonb_build_object('revenue_180d', 0, 'revenue_prior_180d', 0))
) AS c (example, changes);

-- behaviour segments, first match: no_purchase, overdue_high_risk, newcomer,
-- lapsed (churned), high_frequency_stable, occasional_large, lapsed
-- (dormant), late_payer, regular
SELECT c.example, (pg_temp.classify(c.changes)).segment
FROM (VALUES
	('no order yet', jsonb_build_object('first_order_on', NULL, 'last_order_on', NULL, 'previous_order_on', NULL)),
	('a default', jsonb_build_object('defaults', 1)),
	('overdue > 30 days = 25% of revenue', jsonb_build_object('overdue_30d_balance', 30000)),
	('overdue > 30 days just below 25%', jsonb_build_object('overdue_30d_balance', 29999.99)),
	('overdue, no revenue in 12 months', jsonb_build_object('overdue_30d_balance', 1, 'revenue_12m', 0)),
	('payment index 49.99', jsonb_build_object('payment_index', 49.99)),
	('payment index 50', jsonb_build_object('payment_index', 50)),
	('first order 89 days ago', jsonb_build_object('first_order_on', pg_temp.ago(89))),
	('first order 89 days ago, defaulted', jsonb_build_object('first_order_on', pg_temp.ago(89), 'defaults', 1)),
	('20 orders in 10 of 12 months', jsonb_build_object('orders_12m', 20, 'order_months', 1023)),
	('19 orders in 12 months', jsonb_build_object('orders_12m', 19)),
	('20 orders in 9 of 12 months', jsonb_build_object('orders_12m', 20, 'order_months', 511)),
	('6 orders, average invoice 50000', jsonb_build_object('orders_12m', 6, 'invoices_12m', 3, 'revenue_12m', 150000)),
	('6 orders, average invoice 49999.99', jsonb_build_object('orders_12m', 6, 'invoices_12m', 3, 'revenue_12m', 149999.97)),
	('7 orders, average invoice 50000', jsonb_build_object('orders_12m', 7, 'invoices_12m', 3, 'revenue_12m', 150000)),
	('occasional large, last order 150 days ago', jsonb_build_object('orders_12m', 2, 'invoices_12m', 2, 'revenue_12m', 200000, 'last_order_on', pg_temp.ago(150))),
	('occasional large, last order 180 days ago', jsonb_build_object('orders_12m', 2, 'invoices_12m', 2, 'revenue_12m', 200000, 'last_order_on', pg_temp.ago(180))),
	('last order 90 days ago', jsonb_build_object('last_order_on', pg_temp.ago(90))),
	('10 days beyond terms', jsonb_build_object('days_beyond_terms', 10)),
	('9.99 days beyond terms', jsonb_build_object('days_beyond_terms', 9.99)),
	('established', '{}'::jsonb)
) AS c (example, changes);

-- strict, and the facts type is read by name
SELECT customer_class.lifecycle_classify(NULL, customer_class.active_lifecycle_policy(), '2025-12-31') IS NULL AS strict;
SELECT customer_class.lifecycle_classify(jsonb_populate_record(NULL::customer_class.credit_facts, (SELECT facts FROM base)),
	customer_class.active_lifecycle_policy(), 'infinity');
\echo :LAST_ERROR_SQLSTATE

-- == RFM ==
-- quintile scores against bounds: F, M = 1 + bounds below the value;
-- R reversed, 5 - bounds below the days since the last order
SELECT x.recency, (s).r, x.frequency, (s).f, x.monetary, (s).m
FROM (VALUES (10, 2, 1000.00), (11, 3, 1000.01), (30, 4, 5000), (31, 5, 5000.0001),
			 (120, 12, 50000), (121, 13, 50000.01), (0, 0, 0)) AS x (recency, frequency, monetary),
	 LATERAL customer_class.rfm_score(x.recency, x.frequency, x.monetary,
		'{10,30,60,120}', '{2,4,8,12}', '{1000,5000,10000,50000}') s;

-- the named segments for every R and FM (= the mean of F and M, halves up)
SELECT r.score AS "R",
	   max(s.segment::text) FILTER (WHERE fm.score = 1) AS "FM 1",
	   max(s.segment::text) FILTER (WHERE fm.score = 2) AS "FM 2",
	   max(s.segment::text) FILTER (WHERE fm.score = 3) AS "FM 3",
	   max(s.segment::text) FILTER (WHERE fm.score = 4) AS "FM 4",
	   max(s.segment::text) FILTER (WHERE fm.score = 5) AS "FM 5"
FROM (VALUES (5, 5), (4, 20), (3, 45), (2, 90), (1, 200)) AS r (score, days)
CROSS JOIN (VALUES (1, 1, 500), (2, 3, 3000), (3, 6, 7000), (4, 10, 20000), (5, 20, 90000)) AS fm (score, freq, money)
CROSS JOIN LATERAL customer_class.rfm_score(r.days, fm.freq, fm.money,
	'{10,30,60,120}', '{2,4,8,12}', '{1000,5000,10000,50000}') s
GROUP BY r.score ORDER BY r.score DESC;
-- F and M differ: FM is their mean, rounded up
SELECT (customer_class.rfm_score(5, 20, 500, '{10,30,60,120}', '{2,4,8,12}', '{1000,5000,10000,50000}')).*;
SELECT (customer_class.rfm_score(5, 10, 500, '{10,30,60,120}', '{2,4,8,12}', '{1000,5000,10000,50000}')).*;
-- every segment, in rule order, with its labels
SELECT value, label_en, label_zh FROM customer_class.class_label WHERE dimension = 'rfm_segment';
SELECT value, label_en, label_zh FROM customer_class.class_label WHERE dimension = 'segment';

-- bad bounds
SELECT customer_class.rfm_score(1, 1, 1, '{10,30,60}', '{2,4,8,12}', '{1,2,3,4}');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.rfm_score(1, 1, 1, '{10,30,60,50}', '{2,4,8,12}', '{1,2,3,4}');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.rfm_score(1, 1, 1, '{10,30,60,120}', '{2,NULL,8,12}', '{1,2,3,4}');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.rfm_score(1, 1, 1.00001, '{10,30,60,120}', '{2,4,8,12}', '{1,2,3,4}');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.rfm_score(NULL, 1, 1, '{10,30,60,120}', '{2,4,8,12}', '{1,2,3,4}') IS NULL AS strict;

-- == refresh(): profiles, history and incremental RFM ==
INSERT INTO customer_class.customer (customer_id, name, created_on) VALUES
	(1, 'Prospect', '2025-06-01'), (2, 'Newcomer', '2025-11-01'), (3, 'Steady', '2024-01-01'),
	(4, 'Sleeper', '2024-01-01'), (5, 'Gone', '2024-01-01'), (6, 'Returner', '2024-01-01');
-- orders (one cancelled, which does not count) and their invoices, all paid on time
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status) VALUES
	(21, 2, '2025-12-01', 1000, 'invoiced'),
	(30, 3, '2025-04-10', 5000, 'invoiced'), (31, 3, '2025-06-10', 5000, 'invoiced'),
	(32, 3, '2025-08-10', 5000, 'invoiced'), (33, 3, '2025-10-10', 5000, 'invoiced'),
	(34, 3, '2025-12-10', 5000, 'invoiced'),
	(35, 3, '2025-12-30', 9000, 'cancelled'),
	(41, 4, '2025-04-01', 3000, 'invoiced'), (42, 4, '2025-09-01', 3000, 'invoiced'),
	(51, 5, '2025-01-15', 2000, 'invoiced'), (52, 5, '2025-06-01', 2000, 'invoiced'),
	(61, 6, '2025-02-01', 4000, 'invoiced'), (62, 6, '2025-11-15', 4000, 'invoiced');
INSERT INTO customer_class.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount)
SELECT order_id, customer_id, order_id, ordered_on, ordered_on + 30, amount
FROM customer_class.sales_order WHERE status = 'invoiced';
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount)
SELECT invoice_id, customer_id, invoice_id, due_on, amount FROM customer_class.invoice WHERE due_on <= '2025-12-31';

SELECT customer_class.refresh() AS changed;
SELECT customer_id, name, stage, phase, behaviour, rfm_r, rfm_f, rfm_m, rfm_score, rfm,
	   first_order_on, last_order_on, days_since_last_order, orders_12m, revenue_12m
FROM customer_class.customer_profile ORDER BY customer_id;
SELECT customer_id, stage_label_en, stage_label_zh, phase_label_en, phase_label_zh,
	   behaviour_label_en, behaviour_label_zh, rfm_label_en, rfm_label_zh
FROM customer_class.customer_profile ORDER BY customer_id;
SELECT as_of, customers, r_bounds, f_bounds, m_bounds FROM customer_class.rfm_boundary ORDER BY boundary_id;
SELECT customer_id, dimension, old_value, new_value, why FROM customer_class.class_history
WHERE dimension <> 'credit_grade' ORDER BY customer_id, history_id;

-- nothing changed: nothing recorded
SELECT customer_class.refresh(full_refresh => true) AS changed;
SELECT count(*) AS boundary_rows FROM customer_class.rfm_boundary;

-- the sleeper orders again: an incremental refresh reactivates it, scores it
-- with the stored bounds and records the changes
SELECT max(history_id) AS h0 FROM customer_class.class_history \gset
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status)
VALUES (43, 4, '2025-12-28', 3000, 'open');
SELECT customer_class.refresh() AS changed;
SELECT count(*) AS boundary_rows FROM customer_class.rfm_boundary;
SELECT customer_id, stage, phase, behaviour, rfm_score, rfm FROM customer_class.customer_profile WHERE customer_id = 4;
SELECT customer_id, dimension, old_value, new_value, why FROM customer_class.class_history
WHERE history_id > :h0 ORDER BY history_id;

-- a policy of one's own: dormant after 45 days; the next refresh is full
INSERT INTO customer_class.lifecycle_policy (policy_id, description, dormant_days, active)
VALUES ('strict', 'dormant after 45 days', 45, true);
SELECT policy_id FROM customer_class.active_lifecycle_policy();
SELECT customer_class.refresh() AS changed;
SELECT customer_id, stage FROM customer_class.customer_profile ORDER BY customer_id;
SELECT count(*) AS boundary_rows FROM customer_class.rfm_boundary;
SELECT customer_id, old_value, new_value FROM customer_class.class_history
WHERE dimension = 'lifecycle_stage' AND why LIKE '%policy strict%' ORDER BY customer_id;

-- a customer gone from the sources
DELETE FROM customer_class.payment WHERE customer_id = 5;
DELETE FROM customer_class.invoice WHERE customer_id = 5;
DELETE FROM customer_class.sales_order WHERE customer_id = 5;
DELETE FROM customer_class.customer WHERE customer_id = 5;
SELECT customer_class.refresh() AS changed;
SELECT dimension, old_value, new_value, why FROM customer_class.class_history
WHERE customer_id = 5 AND new_value IS NULL ORDER BY history_id;

DELETE FROM customer_class.lifecycle_policy WHERE policy_id = 'strict';
TRUNCATE customer_class.customer, customer_class.sales_order, customer_class.invoice, customer_class.payment,
	customer_class.profile, customer_class.class_history, customer_class.dirty, customer_class.rfm_boundary, customer_class.alerts;
