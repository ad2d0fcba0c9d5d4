-- Credit scores and grades: scorecard rules, the formulas at their edges,
-- grades at each cut-off, explanations, overrides, external scores,
-- refresh() with history, incremental refresh and grade migration.
SET customer_class.as_of = '2025-12-31';

-- == Scorecards ==
SELECT scorecard_id, w_scale, w_payment, w_stability, w_risk, cutoff_a, cutoff_b, cutoff_c, active, shipped
FROM customer_class.scorecard;
SELECT scorecard_id FROM customer_class.active_scorecard();

-- invalid policies are rejected with the reason
INSERT INTO customer_class.scorecard (scorecard_id, w_scale, w_payment, w_stability, w_risk, cutoff_a, cutoff_b, cutoff_c)
VALUES ('bad', 30, 40, 20, 5, 80, 60, 40);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.scorecard (scorecard_id, w_scale, w_payment, w_stability, w_risk, cutoff_a, cutoff_b, cutoff_c)
VALUES ('bad', 30, 40, 20, 10, 60, 80, 40);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.scorecard (scorecard_id, w_scale, w_payment, w_stability, w_risk, cutoff_a, cutoff_b, cutoff_c)
VALUES ('bad', 30, 40, 20, 10, 80, 60, 60);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.scorecard (scorecard_id, w_scale, w_payment, w_stability, w_risk, cutoff_a, cutoff_b, cutoff_c)
VALUES ('bad', 110, 0, 0, -10, 80, 60, 40);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.scorecard (scorecard_id, w_scale, w_payment, w_stability, w_risk, cutoff_a, cutoff_b, cutoff_c, scale_full_revenue)
VALUES ('bad', 25, 25, 25, 25, 80, 60, 40, 0);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.scorecard (scorecard_id, w_scale, w_payment, w_stability, w_risk, cutoff_a, cutoff_b, cutoff_c, external_weight)
VALUES ('bad', 25, 25, 25, 25, 80, 60, 40, 101);
\echo :LAST_ERROR_SQLSTATE
-- not a number, infinite, or finer than scoring computes
INSERT INTO customer_class.scorecard (scorecard_id, w_scale, w_payment, w_stability, w_risk, cutoff_a, cutoff_b, cutoff_c, overdue_tolerance)
VALUES ('bad', 25, 25, 25, 25, 80, 60, 40, 'Infinity');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.scorecard (scorecard_id, w_scale, w_payment, w_stability, w_risk, cutoff_a, cutoff_b, cutoff_c, scale_full_revenue)
VALUES ('bad', 25, 25, 25, 25, 80, 60, 40, 'Infinity');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.scorecard (scorecard_id, w_scale, w_payment, w_stability, w_risk, cutoff_a, cutoff_b, cutoff_c, no_history_points)
VALUES ('bad', 25, 25, 25, 25, 80, 60, 40, 'NaN');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.scorecard (scorecard_id, w_scale, w_payment, w_stability, w_risk, cutoff_a, cutoff_b, cutoff_c)
VALUES ('bad', 33.33333, 33.33333, 33.33334, 0, 80, 60, 40);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.scorecard (scorecard_id, w_scale, w_payment, w_stability, w_risk, cutoff_a, cutoff_b, cutoff_c)
VALUES ('bad', 25, 25, 25, 25, 77.995, 60, 40);
\echo :LAST_ERROR_SQLSTATE

-- the shipped scorecard is read-only; copy it and edit the copy
UPDATE customer_class.scorecard SET cutoff_a = 90 WHERE scorecard_id = 'default';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM customer_class.risk_factor WHERE scorecard_id = 'default' AND prefix = 'industry.retail';
\echo :LAST_ERROR_SQLSTATE
SELECT scorecard_id, description, active FROM customer_class.copy_scorecard('default', 'strict');
SELECT count(*) AS factors_copied FROM customer_class.risk_factor WHERE scorecard_id = 'strict';
SELECT customer_class.copy_scorecard('nope', 'x');
\echo :LAST_ERROR_SQLSTATE
UPDATE customer_class.scorecard SET cutoff_a = 50 WHERE scorecard_id = 'strict';
\echo :LAST_ERROR_SQLSTATE
-- at most one active
UPDATE customer_class.scorecard SET active = true WHERE scorecard_id = 'strict';
SELECT scorecard_id FROM customer_class.active_scorecard();
SELECT customer_class.copy_scorecard('strict', 'other');
UPDATE customer_class.scorecard SET active = true WHERE scorecard_id = 'other';
\echo :LAST_ERROR_SQLSTATE
-- activate_scorecard() switches in one call; 'default' deactivates all
SELECT scorecard_id, active FROM customer_class.activate_scorecard('other');
SELECT scorecard_id FROM customer_class.active_scorecard();
SELECT scorecard_id, active FROM customer_class.activate_scorecard('default');
SELECT scorecard_id FROM customer_class.active_scorecard();
SELECT customer_class.activate_scorecard('nope');
\echo :LAST_ERROR_SQLSTATE
UPDATE customer_class.scorecard SET active = false WHERE scorecard_id = 'strict';
DELETE FROM customer_class.scorecard WHERE scorecard_id IN ('strict', 'other');
SELECT scorecard_id FROM customer_class.active_scorecard();

-- risk factor prefixes are industry/region paths
INSERT INTO customer_class.risk_factor (scorecard_id, prefix, points) VALUES ('default', 'sector.x', 50);
\echo :LAST_ERROR_SQLSTATE
-- only the extension ships rows (they are left out of dumps and read-only)
CREATE ROLE cc_score_admin IN ROLE customer_class_admin;
SET ROLE cc_score_admin;
INSERT INTO customer_class.scorecard (scorecard_id, w_scale, w_payment, w_stability, w_risk, cutoff_a, cutoff_b, cutoff_c, shipped)
VALUES ('sneaky', 25, 25, 25, 25, 80, 60, 40, true);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.risk_factor (scorecard_id, prefix, points, shipped) VALUES ('default', 'industry.mining', 10, true);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- the longest matching prefix wins
SELECT customer_class.risk_points('default', 'region.east.shanghai') AS east_city,
       customer_class.risk_points('default', 'region.eastern') AS not_east,
       customer_class.risk_points('default', 'industry.construction') AS construction,
       customer_class.risk_points('default', 'industry.unknown') AS fallback,
       customer_class.risk_points('default', 'industry.realXestate.sub') AS no_wildcards;

-- == The formulas at their edges ==
-- a scorecard that puts all weight on one dimension shows its points as the score
CREATE TEMP TABLE card AS SELECT * FROM customer_class.scorecard WHERE scorecard_id = 'default';
CREATE FUNCTION pg_temp.facts(revenue numeric DEFAULT 0, orders int DEFAULT 0, months int DEFAULT 0,
	paid int DEFAULT 0, on_time numeric DEFAULT NULL, idx numeric DEFAULT NULL, overdue numeric DEFAULT 0,
	defaults int DEFAULT 0, tenure int DEFAULT 0, ind numeric DEFAULT 70, reg numeric DEFAULT 70,
	ext numeric DEFAULT NULL) RETURNS customer_class.credit_facts LANGUAGE sql
	RETURN ROW(revenue, orders, months, paid, on_time, NULL, idx, NULL, 0, overdue, defaults, tenure, ind, reg, ext, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL)::customer_class.credit_facts;
CREATE FUNCTION pg_temp.score(f customer_class.credit_facts, ws numeric, wp numeric, wt numeric, wr numeric,
	ew numeric DEFAULT 0) RETURNS customer_class.credit_result LANGUAGE sql
	RETURN (SELECT customer_class.credit_score(f, ROW(c.scorecard_id, c.description, ws, wp, wt, wr, c.cutoff_a, c.cutoff_b,
		c.cutoff_c, c.scale_full_revenue, c.scale_full_orders, c.tenure_full_days, c.no_history_points,
		c.overdue_tolerance, c.risk_default_points, ew, c.external_max_age_days, false, false)::customer_class.scorecard) FROM card c);

-- scale: log of revenue (full at 1,000,000) 70%, orders (full at 24) 30%
SELECT r AS revenue, o AS orders, (pg_temp.score(pg_temp.facts(revenue => r, orders => o), 100, 0, 0, 0)).scale_points
FROM (VALUES (0, 0), (1000, 0), (100000, 0), (1000000, 0), (5000000, 0), (0, 12), (0, 24), (0, 100), (1000000, 24)) v(r, o);
-- payment: on-time 25%, payment index 20%, recent index 20% (none recent: the index),
-- overdue share 20%, defaults 15%;
-- no paid invoice yet: the neutral 50 for on-time and index
SELECT label, (pg_temp.score(f, 0, 100, 0, 0)).payment_points FROM (VALUES
	('no history', pg_temp.facts()),
	('perfect', pg_temp.facts(paid => 5, on_time => 1, idx => 100)),
	('on time, index 80', pg_temp.facts(paid => 5, on_time => 1, idx => 80)),
	('never on time, index 20', pg_temp.facts(paid => 5, on_time => 0, idx => 20)),
	('overdue 10% of revenue', pg_temp.facts(revenue => 100000, paid => 5, on_time => 1, idx => 80, overdue => 10000)),
	('overdue 25% of revenue', pg_temp.facts(revenue => 100000, paid => 5, on_time => 1, idx => 80, overdue => 25000)),
	('overdue, no revenue', pg_temp.facts(paid => 5, on_time => 1, idx => 80, overdue => 1)),
	('one default', pg_temp.facts(paid => 5, on_time => 1, idx => 80, defaults => 1)),
	('worst', pg_temp.facts(revenue => 1, paid => 5, on_time => 0, idx => 20, overdue => 1, defaults => 3)),
	('good record, slipping lately', ROW(0, 0, 0, 5, 0.8, NULL, 78, 50, 0, 0, 0, 0, 70, 70, NULL, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL)::customer_class.credit_facts)
) v(label, f);
-- stability: tenure (full at 5 years) 40%, months with orders 40%, quarters with orders 20%
SELECT label, (pg_temp.score(f, 0, 0, 100, 0)).stability_points FROM (VALUES
	('new, nothing', pg_temp.facts()),
	('5 years, every month', pg_temp.facts(tenure => 1825, months => 4095)),
	('10 years, every month', pg_temp.facts(tenure => 3650, months => 4095)),
	('1 year, one order per quarter', pg_temp.facts(tenure => 365, months => 585)),
	('1 year, three months in one quarter', pg_temp.facts(tenure => 365, months => 7))
) v(label, f);
-- risk: mean of industry and region points
SELECT (pg_temp.score(pg_temp.facts(ind => 40, reg => 75), 0, 0, 0, 100)).risk_points;
-- external blending: (1 - w) * internal + w * external
SELECT (s).internal_score, (s).score FROM (SELECT pg_temp.score(pg_temp.facts(ind => 60, reg => 60, ext => 90), 0, 0, 0, 100, 25) s) x;
SELECT (s).internal_score, (s).score FROM (SELECT pg_temp.score(pg_temp.facts(ind => 60, reg => 60), 0, 0, 0, 100, 25) s) x;

-- grades at every cut-off of the default card (A >= 78, B >= 66, C >= 40)
SELECT p AS score, (pg_temp.score(pg_temp.facts(ind => p, reg => p), 0, 0, 0, 100)).grade
FROM unnest(ARRAY[100, 78, 77.99, 66, 65.99, 40, 39.99, 0]) p;
-- rounding is exact, half away from zero: (1.13 + 0) / 2 = 0.565 is 0.57
SELECT ind, reg, (pg_temp.score(pg_temp.facts(ind => ind, reg => reg), 0, 0, 0, 100)).risk_points
FROM (VALUES (1.13, 0), (0.29, 0), (40.05, 40.00), (77.99, 78.00)) v(ind, reg);
-- a weighted sum of exactly 77.995 is 78.00, an A; the contributions
-- (largest remainder) add up to it
SELECT (s).scale_points, (s).payment_points, (s).stability_points, (s).risk_points, (s).score, (s).grade,
	   (s).scale_contribution, (s).payment_contribution, (s).stability_contribution, (s).risk_contribution,
	   (s).scale_contribution + (s).payment_contribution + (s).stability_contribution + (s).risk_contribution AS contributions
FROM (SELECT pg_temp.score(pg_temp.facts(ind => 88.49, reg => 88.49), 0, 50, 0, 50) s) x;
-- blended: the external score's contribution is a row of its own
SELECT (s).internal_score, (s).score, (s).risk_contribution, (s).external_contribution
FROM (SELECT pg_temp.score(pg_temp.facts(ind => 60.01, reg => 60.02, ext => 90.01), 0, 0, 0, 100, 33) s) x;
-- credit_score() checks the card it is given like the scorecard table does
SELECT pg_temp.score(pg_temp.facts(), 50, 50, 50, 0);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.score(pg_temp.facts(), 33.33333, 33.33333, 33.33334, 0);
\echo :LAST_ERROR_SQLSTATE

-- labels: scoring is pure, facts and explanations read tables
SELECT p.oid::regprocedure, provolatile, proparallel, proisstrict
FROM pg_proc p WHERE pronamespace = 'customer_class'::regnamespace
  AND proname IN ('credit_score', 'credit_facts', 'payment_index', 'risk_points', 'explain_score',
				  'grade_migration', 'refresh', 'active_scorecard', 'copy_scorecard')
ORDER BY 1::text;

-- == Hand-built customers, refresh() and history ==
INSERT INTO customer_class.customer (customer_id, name, industry, region, payment_terms_days, created_on) VALUES
	(1, 'Punctual Large', 'manufacturing', 'east.shanghai', 30, '2019-01-01'),
	(2, 'Chronic Late', 'construction', 'west.chengdu', 30, '2022-01-01'),
	(3, 'Prospect', 'services', 'south.shenzhen', 30, '2025-12-01'),
	(4, 'Defaulter', 'real_estate', 'central.wuhan', 30, '2023-01-01');
-- 1: an invoice of 100,000 every month of 2025, each paid 5 days early
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status, shipped_on)
SELECT 100 + m, 1, make_date(2025, m, 1), 100000, 'invoiced', make_date(2025, m, 1) FROM generate_series(1, 12) m;
INSERT INTO customer_class.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount)
SELECT 100 + m, 1, 100 + m, make_date(2025, m, 1), make_date(2025, m, 1) + 30, 100000 FROM generate_series(1, 12) m;
INSERT INTO customer_class.payment (customer_id, invoice_id, paid_on, amount)
SELECT 1, 100 + m, make_date(2025, m, 1) + 25, 100000 FROM generate_series(1, 11) m;
-- 2: monthly 20,000, paid 45 days late; the last three still open
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status, shipped_on)
SELECT 200 + m, 2, make_date(2025, m, 1), 20000, 'invoiced', make_date(2025, m, 1) FROM generate_series(1, 12) m;
INSERT INTO customer_class.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount)
SELECT 200 + m, 2, 200 + m, make_date(2025, m, 1), make_date(2025, m, 1) + 30, 20000 FROM generate_series(1, 12) m;
INSERT INTO customer_class.payment (customer_id, invoice_id, paid_on, amount)
SELECT 2, 200 + m, make_date(2025, m, 1) + 75, 20000 FROM generate_series(1, 9) m;
-- 4: two large invoices of early 2025 never paid
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(401, 4, '2025-02-01', '2025-03-03', 50000), (402, 4, '2025-03-01', '2025-03-31', 50000);

SELECT customer_class.refresh() AS changed;
SELECT customer_id, name, as_of, credit_score, grade, grade_label_en, grade_label_zh,
	   scale_points, payment_points, stability_points, risk_points
FROM customer_class.customer_profile ORDER BY customer_id;
SELECT customer_id, old_value, new_value, as_of, why FROM customer_class.class_history WHERE dimension = 'credit_grade' ORDER BY customer_id, history_id;

-- why is customer 2 a C?
SELECT * FROM customer_class.explain_score(2);
SELECT * FROM customer_class.explain_score(999);
\echo :LAST_ERROR_SQLSTATE

-- nothing queued, nothing to do
SELECT count(*) AS queued FROM customer_class.dirty;
SELECT customer_class.refresh() AS changed;

-- == Incremental: a payment marks its customer; only that one is recomputed ==
INSERT INTO customer_class.payment (customer_id, invoice_id, paid_on, amount) VALUES (4, 401, '2025-12-30', 50000);
SELECT DISTINCT customer_id FROM customer_class.dirty;
SELECT max(refreshed_at) AS before FROM customer_class.profile WHERE customer_id <> 4 \gset
SELECT customer_class.refresh() AS changed;
SELECT customer_id, credit_score, credit_grade FROM customer_class.profile WHERE customer_id = 4;
SELECT count(*) AS others_untouched FROM customer_class.profile WHERE customer_id <> 4 AND refreshed_at <= :'before';

-- == Overrides: in force until they expire, then the computed grade returns ==
INSERT INTO customer_class.credit_override (customer_id, grade, reason, valid_from, expires_on)
VALUES (1, 'C', 'parent company in restructuring', '2025-12-01', '2026-02-01');
-- (terse: the failing row would show the time it was set)
\set VERBOSITY terse
INSERT INTO customer_class.credit_override (customer_id, grade, reason, valid_from, expires_on)
VALUES (1, 'C', '  ', '2025-12-01', '2026-02-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_override (customer_id, grade, reason, valid_from, expires_on)
VALUES (1, 'C', 'backwards', '2025-12-01', '2025-11-01');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- valid_from defaults to as_of(); who and when are recorded, not claimed
SET ROLE cc_score_admin;
INSERT INTO customer_class.credit_override (customer_id, grade, reason, set_by, set_at, expires_on)
VALUES (4, 'B', 'guarantee by the parent', 'someone_else', '2020-01-01', '2026-06-30')
RETURNING override_id AS guarantee, valid_from, set_by = session_user AS set_by_session_user,
		  set_at = now() AS set_at_now \gset
SELECT :'valid_from' AS valid_from, :'set_by_session_user' AS set_by_session_user, :'set_at_now' AS set_at_now;
-- never rewritten, never deleted; only ended early
UPDATE customer_class.credit_override SET reason = 'other reason' WHERE override_id = :guarantee;
\echo :LAST_ERROR_SQLSTATE
UPDATE customer_class.credit_override SET expires_on = '2027-01-01' WHERE override_id = :guarantee;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM customer_class.credit_override WHERE override_id = :guarantee;
\echo :LAST_ERROR_SQLSTATE
UPDATE customer_class.credit_override SET expires_on = '2026-01-01' WHERE override_id = :guarantee;
RESET ROLE;
SELECT customer_id, dimension, old_value, new_value, as_of, regexp_replace(why, 'by \w+', 'by <user>') AS why
FROM customer_class.class_history WHERE dimension = 'credit_override';
-- the table owner (a restore) keeps the recorded author and time
INSERT INTO customer_class.credit_override (customer_id, grade, reason, set_by, set_at, valid_from, expires_on)
VALUES (4, 'B', 'restored', 'alice', '2025-01-02 10:00+00', '2025-01-01', '2025-02-01')
RETURNING set_by, set_at AT TIME ZONE 'UTC' AS set_at;
SELECT customer_class.refresh() AS changed;
SELECT customer_id, computed_grade, grade, grade_overridden, score_explanation FROM customer_class.customer_profile WHERE customer_id = 1;
SELECT step, dimension, regexp_replace(inputs, 'by \w+', 'by <user>') AS inputs FROM customer_class.explain_score(1) WHERE dimension = 'grade';
-- explain_score() explains the profile's as-of date unless told otherwise
SET customer_class.as_of = '2027-01-01';
SELECT e.points = p.credit_score AS explains_profile
FROM customer_class.explain_score(2) e, customer_class.profile p WHERE e.step = 6 AND p.customer_id = 2;
SET customer_class.as_of = '2025-12-31';
-- a later as-of date recomputes everyone; the override has expired by then
SELECT customer_class.refresh('2026-02-01') AS changed;
SELECT customer_id, computed_grade, grade, grade_overridden FROM customer_class.customer_profile WHERE customer_id = 1;
SELECT customer_id, old_value, new_value, as_of, regexp_replace(why, 'by \w+', 'by <user>') AS why
FROM customer_class.class_history WHERE customer_id = 1 AND dimension = 'credit_grade' ORDER BY history_id;

-- == External scores: imported, blended with the scorecard's weight ==
SELECT customer_class.copy_scorecard('default', 'blended') IS NOT NULL AS copied;
UPDATE customer_class.scorecard SET external_weight = 40, active = true WHERE scorecard_id = 'blended';
COPY customer_class.external_score (customer_id, source, scored_on, score, rating) FROM STDIN WITH (FORMAT csv);
3,Agency X,2025-11-15,90,AA
3,Agency X,2024-01-15,10,C
2,Agency X,2023-06-30,95,AAA
\.
-- history is a timeline: no refresh as of a date before the profiles'
SELECT customer_class.refresh('2025-12-31') AS changed;
\echo :LAST_ERROR_SQLSTATE
SET customer_class.as_of = '2026-02-01';
-- the policy changed: refresh recomputes everyone under the new card
SELECT customer_class.refresh() AS changed;
SELECT customer_id, internal_score, external_score, credit_score, credit_grade
FROM customer_class.profile ORDER BY customer_id;
SELECT dimension, points, weight, contribution FROM customer_class.explain_score(3) ORDER BY step;
UPDATE customer_class.scorecard SET active = false WHERE scorecard_id = 'blended';

-- == Grade migration between two dates ==
SELECT * FROM customer_class.grade_migration('2025-12-31', '2026-02-01');
SELECT * FROM customer_class.grade_migration('2020-01-01', '2025-12-31');
SELECT * FROM customer_class.grade_migration('2026-02-01', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.grade_migration_latest;

-- a customer removed from the sources leaves the profile, with a history row
DELETE FROM customer_class.external_score WHERE customer_id = 3;
DELETE FROM customer_class.customer WHERE customer_id = 3;
SELECT customer_class.refresh() AS changed;
SELECT customer_id, old_value, new_value, why FROM customer_class.class_history WHERE customer_id = 3 AND dimension = 'credit_grade' ORDER BY history_id;

-- privileges: readers read, cannot refresh
CREATE ROLE cc_score_reader IN ROLE customer_class_reader;
SET ROLE cc_score_reader;
SELECT count(*) FROM customer_class.customer_profile;
SELECT customer_class.refresh();
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE cc_score_reader;
-- analysts refresh, but cannot write grades, history or the queue themselves
CREATE ROLE cc_score_analyst IN ROLE customer_class_analyst;
SET ROLE cc_score_analyst;
SELECT customer_class.refresh(full_refresh => true) AS changed;
UPDATE customer_class.profile SET credit_grade = 'A';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.class_history (customer_id, dimension, old_value, new_value, as_of, why)
VALUES (1, 'credit_grade', 'D', 'A', '2026-02-01', 'forged');
\echo :LAST_ERROR_SQLSTATE
DELETE FROM customer_class.dirty;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE cc_score_analyst;

-- TRUNCATE of a source queues everyone: the next refresh is a full one
SELECT customer_class.refresh() AS changed;
SELECT last_value AS version_before FROM customer_class.policy_version \gset
TRUNCATE customer_class.payment;
SELECT last_value > :version_before AS next_refresh_is_full FROM customer_class.policy_version;
SELECT customer_class.refresh() > 0 AS regraded;

TRUNCATE customer_class.customer, customer_class.sales_order, customer_class.invoice, customer_class.payment,
	customer_class.profile, customer_class.class_history, customer_class.rfm_boundary, customer_class.dirty, customer_class.credit_override,
	customer_class.external_score, customer_class.alerts;

SET customer_class.as_of = '2025-12-31';
-- == Grades at each cut-off, hand-built customers through refresh() ==
-- risk points set so that the weighted sum is exactly x.xx5 at each cut-off
-- (rounded half away from zero: up to the cut-off) or 0.01 below it
SELECT scorecard_id FROM customer_class.copy_scorecard('default', 'edges');
UPDATE customer_class.scorecard SET w_scale = 0, w_payment = 50, w_stability = 0, w_risk = 50 WHERE scorecard_id = 'edges';
INSERT INTO customer_class.risk_factor (scorecard_id, prefix, points)
SELECT 'edges', d || '.' || v.name, v.points
FROM (VALUES ('a_at', 88.49), ('a_below', 88.47), ('b_at', 64.49), ('b_below', 64.47),
			 ('c_at', 12.49), ('c_below', 12.47)) v(name, points),
	 unnest(ARRAY['industry', 'region']) d;
SELECT scorecard_id FROM customer_class.activate_scorecard('edges');
-- no transactions: payment points 67.50 (neutral history, nothing overdue),
-- so the score is 33.75 + risk / 2
INSERT INTO customer_class.customer (customer_id, name, industry, region, created_on)
SELECT 10 + n, i, i, i, '2025-12-31'
FROM unnest(ARRAY['a_at', 'a_below', 'b_at', 'b_below', 'c_at', 'c_below']) WITH ORDINALITY AS u(i, n);
SELECT customer_class.refresh() AS changed;
SELECT customer_id, name, payment_points, risk_points, credit_score, credit_grade
FROM customer_class.profile JOIN customer_class.customer USING (customer_id) ORDER BY customer_id;
SELECT e.customer_id, sum(e.contribution) FILTER (WHERE e.step < 6) AS contributions,
	   max(e.points) FILTER (WHERE e.step = 6) AS score
FROM (SELECT c.customer_id, x.* FROM customer_class.customer c, customer_class.explain_score(c.customer_id) x) e
GROUP BY 1 ORDER BY 1;
SELECT scorecard_id FROM customer_class.activate_scorecard('default');

DROP ROLE cc_score_admin;
TRUNCATE customer_class.customer, customer_class.sales_order, customer_class.invoice, customer_class.payment,
	customer_class.profile, customer_class.class_history, customer_class.rfm_boundary, customer_class.dirty, customer_class.alerts;
DELETE FROM customer_class.scorecard WHERE NOT shipped;
