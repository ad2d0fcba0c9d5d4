-- Early warnings: the payment-rhythm rule at each boundary (payment_warning
-- on hand-built facts), the rhythm facts of credit_facts_agg, refresh()
-- raising, escalating and resolving alerts with history, a customer turning
-- dormant, and negative external events.  (NOTIFY payloads: TAP 010_credit.)
SET customer_class.as_of = '2025-12-31';
\set SHOW_CONTEXT never

-- == The policy settings ==
SELECT drift_min_baseline, drift_min_days, drift_spread_factor, drift_recent_days,
	   volume_drop_ratio, volume_min_prior_orders, dormant_gap_factor
FROM customer_class.active_lifecycle_policy();
INSERT INTO customer_class.lifecycle_policy (policy_id, drift_min_baseline) VALUES ('bad', 0);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.lifecycle_policy (policy_id, volume_drop_ratio) VALUES ('bad', 1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.lifecycle_policy (policy_id, drift_spread_factor) VALUES ('bad', -1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.lifecycle_policy (policy_id, drift_min_days) VALUES ('bad', 0.00001);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.lifecycle_policy (policy_id, dormant_gap_factor) VALUES ('bad', -1);
\echo :LAST_ERROR_SQLSTATE

-- == payment_warning at its boundaries ==
-- Usually pays 15 days after issue (spread 2 days) over 6 earlier
-- settlements; the last two took 25 and 26 days, the last 10 days ago;
-- 4 orders in each of the last two 90-day periods.  Late means more than
-- 15 + max(7, 2 x 2) = 22 days.
CREATE TEMP TABLE base AS SELECT jsonb_build_object(
	'invoices_paid', 8, 'pay_days_median', 15, 'pay_days_spread', 2,
	'last_pay_days', 25, 'prev_pay_days', 26, 'last_settled_on', date '2025-12-31' - 10,
	'orders_90d', 4, 'orders_prior_90d', 4) AS facts;
CREATE FUNCTION pg_temp.warn(changes jsonb) RETURNS customer_class.alert_level
	LANGUAGE sql STABLE
	RETURN customer_class.payment_warning(
		jsonb_populate_record(NULL::customer_class.credit_facts, (SELECT facts FROM base) || changes),
		customer_class.active_lifecycle_policy(), '2025-12-31');

SELECT c.example, pg_temp.warn(c.changes) AS warning
FROM (VALUES
	('both late, orders steady', '{}'::jsonb),
	('last took 22 days: not more than 22', '{"last_pay_days": 22}'),
	('last took 23 days', '{"last_pay_days": 23}'),
	('the one before took 22 days', '{"prev_pay_days": 22}'),
	('only the last is late', '{"prev_pay_days": 15}'),
	('spread 5: late means more than 25', '{"pay_days_spread": 5}'),
	('spread 4.75: late means more than 24.5', '{"pay_days_spread": 4.75}'),
	('median 15.5: late means more than 22.5', '{"pay_days_median": 15.5, "last_pay_days": 23, "prev_pay_days": 23}'),
	('median 15.75, last two 23 days', '{"pay_days_median": 15.75, "last_pay_days": 23, "prev_pay_days": 23}'),
	('baseline of 4 settlements', '{"invoices_paid": 6}'),
	('baseline of 3 settlements: too few', '{"invoices_paid": 5}'),
	('no baseline at all', '{"invoices_paid": 2, "pay_days_median": null, "pay_days_spread": null}'),
	('never settled', '{"invoices_paid": 0, "pay_days_median": null, "pay_days_spread": null, "last_pay_days": null, "prev_pay_days": null, "last_settled_on": null}'),
	('last settlement 90 days ago', '{"last_settled_on": "2025-10-02"}'),
	('last settlement 91 days ago: stale', '{"last_settled_on": "2025-10-01"}'),
	('stale, but an invoice open 23 days: late already', '{"last_settled_on": "2025-10-01", "oldest_open_issued_on": "2025-12-08"}'),
	('stale, an invoice open 22 days: not late yet', '{"last_settled_on": "2025-10-01", "oldest_open_issued_on": "2025-12-09"}'),
	('an invoice open long, but the last two on time', '{"prev_pay_days": 15, "oldest_open_issued_on": "2025-06-01"}'),
	('orders 2 after 4: halved, red', '{"orders_90d": 2}'),
	('orders 3 after 4', '{"orders_90d": 3}'),
	('orders 0 after 2: red', '{"orders_90d": 0, "orders_prior_90d": 2}'),
	('orders 0 after 1: too few before', '{"orders_90d": 0, "orders_prior_90d": 1}'),
	('no orders in either period', '{"orders_90d": 0, "orders_prior_90d": 0}'),
	('orders falling but paying on time', '{"orders_90d": 0, "last_pay_days": 15}')
) AS c (example, changes);

-- a stricter policy of one's own
INSERT INTO customer_class.lifecycle_policy (policy_id, drift_min_days, drift_spread_factor, volume_drop_ratio)
VALUES ('strict', 3, 1, 0.8);
SELECT c.example, customer_class.payment_warning(
		   jsonb_populate_record(NULL::customer_class.credit_facts, (SELECT facts FROM base) || c.changes),
		   p, '2025-12-31') AS warning
FROM customer_class.lifecycle_policy p,
	 (VALUES ('last two 19 and 20 days', '{"last_pay_days": 19, "prev_pay_days": 20}'::jsonb),
			 ('last two 18 days: 15 + max(3, 1 x 2) = 18', '{"last_pay_days": 18, "prev_pay_days": 18}'),
			 ('orders 3 after 4: 0.75, red under 0.8', '{"orders_90d": 3}')) AS c (example, changes)
WHERE p.policy_id = 'strict';
DELETE FROM customer_class.lifecycle_policy WHERE policy_id = 'strict';
SELECT customer_class.payment_warning((SELECT jsonb_populate_record(NULL::customer_class.credit_facts, facts) FROM base),
									  customer_class.active_lifecycle_policy(), 'infinity');
\echo :LAST_ERROR_SQLSTATE

-- == The rhythm facts of credit_facts_agg ==
-- settled = the payment that completes an invoice; open invoices and
-- partial payments do not settle; ordered by settlement day
SELECT (f).invoices_paid, (f).pay_days_median, (f).pay_days_spread, (f).last_pay_days,
	   (f).prev_pay_days, (f).last_settled_on, (f).oldest_open_issued_on
FROM (SELECT customer_class.credit_facts_agg(kind, id, amount, d1, d2, '2025-12-31') AS f
	  FROM (VALUES
		  ('i'::"char", 1::bigint, 100::numeric, date '2025-01-01', date '2025-01-31'),
		  ('p', 1, 100, '2025-01-11', NULL),						-- 10 days
		  ('i', 2, 100, '2025-02-01', '2025-03-03'),
		  ('p', 2, 40, '2025-02-05', NULL), ('p', 2, 60, '2025-02-21', NULL),	-- 20 days (completed on the 21st)
		  ('i', 3, 100, '2025-03-01', '2025-03-31'),
		  ('p', 3, 100, '2025-03-14', NULL),						-- 13 days
		  ('i', 4, 100, '2025-04-01', '2025-05-01'),
		  ('p', 4, 100, '2025-04-12', NULL),						-- 11 days
		  ('i', 5, 100, '2025-06-01', '2025-07-01'),
		  ('p', 5, 100, '2025-07-11', NULL),						-- 40 days, settled 2025-07-11
		  ('i', 6, 100, '2025-07-01', '2025-07-31'),
		  ('p', 6, 100, '2025-07-10', NULL),						-- 9 days, settled before invoice 5
		  ('i', 7, 100, '2025-11-01', '2025-12-01'),
		  ('p', 7, 50, '2025-11-20', NULL)							-- open: no settlement
	  ) AS t (kind, id, amount, d1, d2)) x;
-- baseline 10, 20, 13, 11 (median 12, deviations 2, 8, 1, 1: spread 1.5);
-- the last two: 9 days (settled 2025-07-10) and then 40 days (2025-07-11)
SELECT (f).invoices_paid, (f).pay_days_median, (f).pay_days_spread, (f).last_pay_days, (f).prev_pay_days
FROM (SELECT customer_class.credit_facts_agg(kind, id, amount, d1, d2, '2025-12-31') AS f
	  FROM (VALUES
		  ('i'::"char", 1::bigint, 100::numeric, date '2025-01-01', date '2025-01-31'),
		  ('p', 1, 100, '2025-01-21', NULL),
		  ('i', 2, 100, '2025-02-01', '2025-03-03'),
		  ('p', 2, 100, '2025-02-26', NULL)) AS t (kind, id, amount, d1, d2)) x;

-- == refresh(): alerts, escalation, history ==
INSERT INTO customer_class.customer (customer_id, name, created_on) VALUES
	(1, 'Slipping', '2024-01-01'), (2, 'Just in time', '2024-01-01'), (3, 'Slipping, buying less', '2024-01-01'),
	(4, 'Sleeper', '2024-01-01'), (5, 'Late long ago', '2024-01-01');
-- customers 1-3 and 5: eight monthly orders, each invoiced on its day with
-- 30 days' terms, settled 15 days after issue; customer 5's are 80 days
-- earlier.  The last two settlements: customer 1 after 27 and 28 days,
-- customer 2 after 21 and 22 (not more than 15 + 7), customer 3 like 1,
-- customer 5 like 1 but 92 days ago.
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status)
SELECT c * 100 + k, c, date '2025-12-31' - 10 - 30 * (9 - k) - CASE WHEN c = 5 THEN 80 ELSE 0 END, 1000, 'invoiced'
FROM unnest(ARRAY[1, 2, 3, 5]) AS c, generate_series(1, 8) AS k;
INSERT INTO customer_class.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount)
SELECT order_id, customer_id, order_id, ordered_on, ordered_on + 30, amount FROM customer_class.sales_order;
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount)
SELECT i.invoice_id, i.customer_id, i.invoice_id,
	   i.issued_on + CASE WHEN i.invoice_id % 100 < 7 THEN 15
						  WHEN i.customer_id = 2 THEN 14 + i.invoice_id::integer % 100
						  ELSE 20 + i.invoice_id::integer % 100 END, i.amount
FROM customer_class.invoice i;
-- customer 1 keeps ordering (3 orders in the last 90 days after 5 in the 90
-- before); customer 3 ordered a lot before the last 90 days (2 after 6)
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status) VALUES
	(181, 1, '2025-09-01', 500, 'invoiced'), (182, 1, '2025-08-01', 500, 'invoiced'),
	(191, 1, '2025-12-26', 500, 'open'),
	(391, 3, '2025-09-01', 500, 'cancelled'), (392, 3, '2025-08-15', 500, 'invoiced'),
	(393, 3, '2025-07-20', 500, 'invoiced'), (394, 3, '2025-07-10', 500, 'invoiced');
-- customer 4 last ordered on 2025-09-01 (customer 5, on 2025-09-02)
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status) VALUES
	(401, 4, '2025-07-01', 800, 'invoiced'), (402, 4, '2025-09-01', 800, 'invoiced');

-- as of 2025-10-31 only customer 5 (its history 80 days earlier) is late
-- yet, and customers 4 and 5 are active
SELECT customer_class.refresh('2025-10-31') AS changed;
SELECT customer_id, payment_warning, lifecycle_stage FROM customer_class.profile ORDER BY customer_id;
SELECT count(*) AS alerts FROM customer_class.alerts;

-- as of 2025-12-31: customers 1 (yellow) and 3 (red) are late; customer 5's
-- last settlement is 92 days old, so its warning ends; 4 and 5 turned dormant
SELECT customer_class.refresh('2025-12-31') AS changed;
SELECT f.customer_id, (f.facts).pay_days_median AS usual, (f.facts).pay_days_spread AS spread,
	   (f.facts).last_pay_days AS last, (f.facts).prev_pay_days AS prev, (f.facts).last_settled_on,
	   (f.facts).orders_90d, (f.facts).orders_prior_90d, p.payment_warning, p.lifecycle_stage
FROM customer_class.credit_facts('2025-12-31', 'default') f
JOIN customer_class.profile p USING (customer_id) ORDER BY f.customer_id;
SELECT customer_id, kind, level, detail, occurrences, resolved_at IS NULL AS open
FROM customer_class.alerts ORDER BY alert_id;
SELECT customer_id, dimension, old_value, new_value, why FROM customer_class.class_history
WHERE dimension = 'payment_warning' OR customer_id = 4 AND dimension = 'lifecycle_stage' AND as_of = '2025-12-31'
ORDER BY history_id;

-- the same again: nothing new, the open alerts are seen once more
SELECT customer_class.refresh('2025-12-31', full_refresh => true) AS changed;
SELECT customer_id, kind, level, occurrences, resolved_at IS NULL AS open
FROM customer_class.alerts ORDER BY alert_id;

-- a credit manager resolves customer 3's red alert and customer 5's dormant
-- alert by hand: they stay resolved while the warning and the stage stay
-- as they were (nothing raised, nothing announced)
SELECT customer_class.resolve_alert(alert_id) FROM customer_class.alerts
WHERE resolved_at IS NULL AND (customer_id, kind) IN ((3, 'payment_rhythm'), (5, 'became_dormant'))
ORDER BY alert_id;
SELECT customer_class.refresh('2025-12-31', full_refresh => true) AS changed;
SELECT customer_id, kind, level, occurrences, resolved_at IS NULL AS open
FROM customer_class.alerts ORDER BY alert_id;

-- customer 1 stops ordering: yellow turns red -- the yellow alert is
-- resolved and a red one raised; customer 4 orders again: its alert is resolved
DELETE FROM customer_class.sales_order WHERE order_id = 191;
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status)
VALUES (403, 4, '2025-12-20', 800, 'open');
SELECT customer_class.refresh() AS changed;
SELECT customer_id, kind, level, detail ->> 'orders_90d' AS orders_90d, resolved_at IS NULL AS open,
	   resolved_by = CURRENT_USER AS resolved_by_refresher
FROM customer_class.alerts ORDER BY alert_id;
SELECT customer_id, dimension, old_value, new_value FROM customer_class.class_history
WHERE as_of = '2025-12-31' AND dimension IN ('payment_warning', 'lifecycle_stage') AND customer_id IN (1, 4)
ORDER BY history_id;

-- customer 1 pays its way back: an on-time settlement ends the warning
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount)
VALUES (109, 1, '2025-12-01', '2025-12-31', 1000);
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount)
VALUES (109, 1, 109, '2025-12-16', 1000);
SELECT customer_class.refresh() AS changed;
SELECT customer_id, kind, level, resolved_at IS NULL AS open FROM customer_class.alerts
WHERE customer_id = 1 ORDER BY alert_id;
SELECT new_value, why FROM customer_class.class_history
WHERE customer_id = 1 AND dimension = 'payment_warning' ORDER BY history_id DESC LIMIT 1;

-- == External negative events ==
INSERT INTO customer_class.external_event (customer_id, event_on, kind, source, reference, detail)
VALUES (2, '2025-12-15', 'litigation', 'court records', '(2025) 沪0115民初12345号', 'sued by a supplier for 1.2M');
SELECT customer_id, kind, level, detail, occurrences FROM customer_class.alerts WHERE kind = 'external_event';
-- a second event for the same customer counts on the open alert
INSERT INTO customer_class.external_event (customer_id, event_on, kind, source)
VALUES (2, '2025-12-20', 'frozen_equity', 'enterprise credit registry');
SELECT customer_id, level, detail ->> 'kind' AS latest, detail ->> 'events' AS events, occurrences
FROM customer_class.alerts WHERE kind = 'external_event';
-- a feed of several events: one alert per customer
COPY customer_class.external_event (customer_id, event_on, kind, source) FROM stdin;
3	2025-12-01	enforcement	court records
3	2025-12-02	dishonoured_bill	clearing house
5	2025-11-30	rating_downgrade	agency
\.
SELECT customer_id, level, detail ->> 'kind' AS latest, detail ->> 'events' AS events, occurrences
FROM customer_class.alerts WHERE kind = 'external_event' ORDER BY customer_id;
SELECT e.customer_id, e.event_on, e.kind, e.source, e.imported_by = CURRENT_USER AS by_me,
	   a.kind AS alert_kind, a.customer_id AS alert_customer
FROM customer_class.external_event e LEFT JOIN customer_class.alerts a USING (alert_id)
ORDER BY e.event_id;
-- no session setting silences an import: an analyst's session with
-- check_function_bodies off (as pg_dump's output sets it) still raises
SET ROLE customer_class_analyst;
SET check_function_bodies = off;
INSERT INTO customer_class.external_event (customer_id, event_on, kind, source)
VALUES (4, '2025-12-21', 'bankruptcy', 'court records');
RESET check_function_bodies;
RESET ROLE;
SELECT customer_id, level, detail ->> 'kind' AS latest, occurrences, resolved_at IS NULL AS open
FROM customer_class.alerts WHERE kind = 'external_event' AND customer_id = 4;
-- what a restore does: events written back with their alert_id raise
-- nothing and count nothing (their alert comes back from the dump too)
CREATE TEMP TABLE saved_events AS SELECT * FROM customer_class.external_event WHERE customer_id = 2;
DELETE FROM customer_class.external_event WHERE customer_id = 2;
INSERT INTO customer_class.external_event OVERRIDING SYSTEM VALUE SELECT * FROM saved_events;
SELECT customer_id, level, detail ->> 'kind' AS latest, occurrences, resolved_at IS NULL AS open
FROM customer_class.alerts WHERE kind = 'external_event' ORDER BY customer_id;
DROP TABLE saved_events;
-- bad events
\set VERBOSITY terse
INSERT INTO customer_class.external_event (customer_id, event_on, kind, source) VALUES (2, '2025-12-20', 'rumour', 'x');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.external_event (customer_id, event_on, kind, source) VALUES (2, '2025-12-20', 'other', '');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.external_event (customer_id, event_on, kind, source) VALUES (2, NULL, 'other', 'x');
\echo :LAST_ERROR_SQLSTATE
-- readers read events and alerts, they do not record them
SET ROLE customer_class_reader;
SELECT count(*) AS events FROM customer_class.external_event;
INSERT INTO customer_class.external_event (customer_id, event_on, kind, source) VALUES (2, '2025-12-20', 'other', 'x');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
\set VERBOSITY default

-- == customer_profile: the warning beside the grade, and the live credit and
-- receivables figures (customer 2 gets an invoice open 30 days past due)
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount)
VALUES (209, 2, '2025-11-01', '2025-12-01', 500);
SELECT customer_id, grade, warning, warning_label_en, warning_label_zh, overdue_invoices, credit_limit,
	   limit_source, exposure, available_credit, aging_1_30, aging_total, alert_level, open_alerts
FROM customer_class.customer_profile ORDER BY customer_id;

-- a tag rule over the warning: the red ones are watched
INSERT INTO customer_class.tag_rule (tag, condition, description)
VALUES ('watch.payment', 'payment_warning = ''red''', 'pays later than it used to and buys less');
SELECT customer_class.refresh() AS changed;
SELECT customer_id, warning, tags, rule_tags, all_tags FROM customer_class.customer_profile ORDER BY customer_id;
TRUNCATE customer_class.tag_rule RESTART IDENTITY;

-- labels of the warning levels
SELECT value, label_en, label_zh FROM customer_class.class_label WHERE dimension = 'alert_level' ORDER BY value;

TRUNCATE customer_class.customer, customer_class.sales_order, customer_class.invoice, customer_class.payment,
	customer_class.profile, customer_class.class_history, customer_class.dirty, customer_class.rfm_boundary,
	customer_class.alerts, customer_class.external_event;

-- == A slipping payer that stops paying keeps its warning ==
-- Customers 11 and 12: eight monthly orders from 2025-01-05, each invoiced
-- on its day with 30 days' terms and settled 15 days after issue, the last
-- two after 28 days (the last settlement on 2025-08-31).  Customer 11 orders
-- once more on 2025-09-01 and never pays that invoice; customer 12 does not.
INSERT INTO customer_class.customer (customer_id, name, created_on) VALUES
	(11, 'Slipping, then not paying', '2024-01-01'), (12, 'Slipping, then quiet', '2024-01-01');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status)
SELECT c * 100 + k, c, date '2025-01-05' + 30 * (k - 1), 1000, 'invoiced'
FROM unnest(ARRAY[11, 12]) AS c, generate_series(1, 8) AS k;
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status)
VALUES (1109, 11, '2025-09-01', 1000, 'invoiced');
INSERT INTO customer_class.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount)
SELECT order_id, customer_id, order_id, ordered_on, ordered_on + 30, amount FROM customer_class.sales_order;
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount)
SELECT i.invoice_id, i.customer_id, i.invoice_id, i.issued_on + CASE WHEN i.invoice_id % 100 <= 6 THEN 15 ELSE 28 END, i.amount
FROM customer_class.invoice i WHERE i.invoice_id <> 1109;
SELECT customer_class.refresh('2025-09-10') AS changed;
SELECT customer_id, payment_warning FROM customer_class.profile ORDER BY customer_id;
-- as of 2025-12-15 the last settlement is 106 days old: customer 12's
-- warning ends, customer 11's invoice of 2025-09-01 has been open 105 days
-- (late means more than 15 + 7): still late, and its orders stopped: red
SELECT customer_class.refresh('2025-12-15') AS changed;
SELECT f.customer_id, (f.facts).last_settled_on, (f.facts).oldest_open_issued_on,
	   (f.facts).orders_90d, (f.facts).orders_prior_90d, p.payment_warning
FROM customer_class.credit_facts('2025-12-15', 'default') f
JOIN customer_class.profile p USING (customer_id) ORDER BY f.customer_id;
SELECT customer_id, kind, level, detail ->> 'oldest_open_issued_on' AS open_since, resolved_at IS NULL AS open
FROM customer_class.alerts WHERE kind = 'payment_rhythm' ORDER BY alert_id;
SELECT customer_id, old_value, new_value, why FROM customer_class.class_history
WHERE dimension = 'payment_warning' AND as_of = '2025-12-15' ORDER BY history_id;

TRUNCATE customer_class.customer, customer_class.sales_order, customer_class.invoice, customer_class.payment,
	customer_class.profile, customer_class.class_history, customer_class.dirty, customer_class.rfm_boundary,
	customer_class.alerts, customer_class.external_event;

-- == became_dormant follows the customer's own rhythm ==
-- Customer 21 buys large orders 120 days apart (the last on 2025-08-30):
-- dormant after 90 days, but alerted only when its silence also reaches
-- 1.5 x 120 = 180 days.  Customer 22 orders monthly (the last on
-- 2025-08-30 too): alerted when it turns dormant.
INSERT INTO customer_class.customer (customer_id, name, created_on) VALUES
	(21, 'Large orders, months apart', '2024-01-01'), (22, 'Monthly', '2024-01-01');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status)
SELECT 2100 + k, 21, date '2025-08-30' - 120 * (3 - k), 90000, 'invoiced' FROM generate_series(1, 3) AS k
UNION ALL
SELECT 2200 + k, 22, date '2025-08-30' - 30 * (8 - k), 1000, 'invoiced' FROM generate_series(1, 8) AS k;
SELECT customer_class.refresh('2025-10-31') > 0 AS changed;
SELECT customer_class.refresh('2025-12-15') > 0 AS changed;
SELECT customer_id, lifecycle_stage FROM customer_class.profile ORDER BY customer_id;
SELECT customer_id, kind, detail ->> 'days_since_last_order' AS days, detail ->> 'last_gap_days' AS gap,
	   detail ->> 'quiet_after_days' AS quiet_after, resolved_at IS NULL AS open
FROM customer_class.alerts ORDER BY alert_id;
-- 2026-02-25: 179 days quiet, not yet; 2026-02-26: 180 days (churned too), alerted
SELECT customer_class.refresh('2026-02-25') > 0 AS changed;
SELECT count(*) AS alerts FROM customer_class.alerts WHERE customer_id = 21;
SELECT customer_class.refresh('2026-02-26') > 0 AS changed;
SELECT customer_id, kind, detail ->> 'stage' AS stage, detail ->> 'previous_stage' AS previous_stage,
	   detail ->> 'days_since_last_order' AS days, detail ->> 'quiet_after_days' AS quiet_after
FROM customer_class.alerts WHERE customer_id = 21;
-- resolved by hand, it stays resolved while the customer stays quiet
SELECT customer_class.resolve_alert(alert_id) FROM customer_class.alerts WHERE customer_id = 21;
SELECT customer_class.refresh('2026-03-31') > 0 AS changed;
SELECT customer_id, resolved_at IS NULL AS open FROM customer_class.alerts WHERE customer_id = 21;

TRUNCATE customer_class.customer, customer_class.sales_order, customer_class.invoice, customer_class.payment,
	customer_class.profile, customer_class.class_history, customer_class.dirty, customer_class.rfm_boundary,
	customer_class.alerts, customer_class.external_event;
