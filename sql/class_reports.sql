-- Class reports and profit (issue 17 part B, docs/reporting.md): cost on
-- invoices, gross profit and margin per customer and per class, the class
-- report of every dimension with shares adding up to 1, the ranking within
-- a class with ties, an earlier date read from class_history, bad input.
-- Six customers; figures as of 2025-12-31 over the 365 days from 2025-01-01.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, customer_class;

INSERT INTO customer_class.customer
	(customer_id, name, customer_type, industry, region, size_class, created_on, tags)
VALUES
	(1, 'Alpha', 'enterprise', 'construction', 'east.shanghai', 'large', '2024-01-01', '{vip}'),
	(2, 'Beta', 'enterprise', 'retail', 'east.hangzhou', 'medium', '2024-01-01', '{}'),
	(3, 'Gamma', 'individual', 'retail', 'north.beijing', 'small', '2024-01-01', '{vip}'),
	(4, 'Delta', 'enterprise', 'services', 'north', 'micro', '2024-01-01', '{}'),
	(5, 'Eps', 'individual', NULL, NULL, NULL, '2024-01-01', '{}'),
	(6, 'Zeta', 'individual', 'retail', 'north.beijing', 'small', '2024-01-01', '{}');
-- cost: NULL = not known (Beta's invoice 3 has no gross profit)
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount, cost) VALUES
	(1, 1, '2025-03-01', '2025-03-31', 1000.00, 600.00),
	(2, 1, '2025-11-15', '2025-12-15', 2000.00, 1500.00),
	(3, 2, '2025-06-01', '2025-07-01', 1000.00, NULL),
	(4, 2, '2025-12-15', '2026-01-14', 500.00, 400.00),
	(5, 3, '2025-09-01', '2025-10-01', 1000.00, 500.00),
	(6, 4, '2024-06-01', '2024-07-01', 300.00, 100.00),
	(7, 6, '2025-12-01', '2025-12-31', 1000.00, 900.00);
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount) VALUES
	(1, 1, 1, '2025-03-31', 1000.00),
	(2, 2, 3, '2025-07-01', 1000.00),
	(3, 3, 5, '2025-10-01', 600.00),
	(4, 6, 7, '2025-12-31', 1000.00);

-- a cost is 0 or more: the explained CHECK error
INSERT INTO customer_class.invoice (customer_id, issued_on, due_on, amount, cost)
VALUES (1, '2025-12-01', '2025-12-31', 10.00, -1.00);
\echo :LAST_ERROR_SQLSTATE
UPDATE customer_class.sales_order SET cost = -5 WHERE false;	-- (no order: nothing to check)
INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount, cost) VALUES (1, '2025-12-01', 10.00, -1.00);
\echo :LAST_ERROR_SQLSTATE
-- the sources carry cost as their last column
SELECT invoice_id, amount, cost FROM customer_class.src_invoice ORDER BY invoice_id;
SELECT role, ordinal, column_name, data_type, required FROM customer_class.source_shape() WHERE column_name = 'cost';

-- == Profit per customer, 2025 ==
--   Alpha: revenue 1,000 + 2,000 = 3,000, cost 600 + 1,500 = 2,100, gross profit 900, margin 0.3000
--   Beta:  revenue 1,500 of which 500 with a cost of 400: gross profit 100, margin 100 / 500 = 0.2000
--   Gamma: 1,000 - 500 = 500, margin 0.5000;  Zeta: 1,000 - 900 = 100, margin 0.1000
--   Delta: invoiced in 2024 only, Eps never: no row
SELECT * FROM customer_class.customer_profit('2025-01-01', '2025-12-31') ORDER BY customer_id;
SELECT customer_class.gross_margin(1, 3) AS third, customer_class.gross_margin(-50, 200) AS loss,
	   customer_class.gross_margin(0, 0) AS no_revenue;

-- grades by override (the score is not what this test is about); the
-- other classes from the rules: one refresh at mid-year, one at year-end
INSERT INTO customer_class.credit_override (customer_id, grade, reason, valid_from, expires_on) VALUES
	(1, 'A', 'test', '2025-01-01', '2026-12-31'), (2, 'B', 'test', '2025-01-01', '2026-12-31'),
	(3, 'B', 'test', '2025-01-01', '2026-12-31'), (4, 'D', 'test', '2025-01-01', '2026-12-31'),
	(5, 'C', 'test', '2025-01-01', '2026-12-31'), (6, 'C', 'test', '2025-12-01', '2026-12-31');
-- high-profit customers (高利润客户) by a tag rule on the margin
INSERT INTO customer_class.tag_rule (rule_id, tag, condition, description) VALUES
	(170, 'profit.high', $$gross_margin_12m >= 0.4 AND revenue_12m >= 500$$, 'gross margin of 40 % or more');
SELECT customer_class.refresh('2025-06-30') > 0 AS refreshed;
SELECT customer_class.refresh('2025-12-31') > 0 AS refreshed;
SET customer_class.as_of = '2025-12-31';
SELECT customer_id, gross_profit_12m, gross_margin_12m FROM customer_class.rule_subject ORDER BY customer_id;
SELECT customer_id, name, revenue, cost, costed_revenue, gross_profit, gross_margin, rule_tags
FROM customer_class.customer_profile ORDER BY customer_id;
SELECT customer_id, grade, stage, phase, behaviour, rfm FROM customer_class.customer_profile ORDER BY customer_id;

-- == The class report ==
-- customer_type: enterprise 1, 2, 4 and individual 3, 5, 6: 0.5 each.
--   revenue 4,500 and 2,000 of 6,500: 0.692307.. and 0.307692..; rounded
--   down 0.6923 + 0.3076 = 0.9999, the last 0.0001 to the larger
--   remainder: individual 0.3077.  enterprise: cost 2,100 + 400 = 2,500 on
--   3,500 costed, gross profit 1,000, margin 0.2857; open AR 2,000 (Alpha,
--   overdue) + 500 (Beta, not due) + 300 (Delta, overdue) = 2,800, overdue
--   2,300; DSO 2,800 / 4,500 x 365 = 227.11, best-possible 500 / 4,500 x 365
--   = 40.56, average days delinquent 186.55.  individual: cost 1,400 on
--   2,000, gross profit 600, margin 0.3000; open 400 (Gamma), all overdue:
--   DSO = ADD = 400 / 2,000 x 365 = 73.00.
-- industry: construction 1, retail 2, 3, 6, services 4, unclassified 5:
--   1/6 = 0.16666.. three times and 0.5: 0.1666 x 3 + 0.5 = 0.9998, the
--   two 0.0001 left to the first two of the three equal remainders in class
--   order (construction, services; unclassified last).  Revenue 3,000 and
--   3,500 of 6,500: 0.4615 + 0.5384 = 0.9999, the remainder to retail.
-- region: east 1, 2; north 3, 4, 6; region_2 and region_3 cut the paths at
--   two and three labels (Delta's north stays north).
-- size_class in size order; tag: every tag (vip: 1 and 3; profit.high: 3,
--   the rule; no tag: 2, 4, 5, 6); a customer with two tags counts twice,
--   so tag shares are plain rounding and do not add up to 1.
SELECT dimension, class, class_order, class_label_en, class_label_zh, customers, customer_share,
	   revenue, revenue_share, cost, costed_revenue, gross_profit, gross_margin, open_ar, overdue_ar,
	   average_days_delinquent
FROM customer_class.class_report
WHERE dimension IN ('customer_type', 'industry', 'region', 'region_2', 'region_3', 'size_class', 'tag')
ORDER BY dimension, class_order;
-- the classes refresh() gives, with their labels, in class order
SELECT dimension, class, class_label_en, class_label_zh, customers, customer_share, revenue, revenue_share,
	   gross_profit, gross_margin, open_ar, overdue_ar
FROM customer_class.class_report
WHERE dimension IN ('credit_grade', 'lifecycle_stage', 'lifecycle_phase', 'segment', 'rfm_segment')
ORDER BY dimension, class_order;
-- every dimension is there, and in each but tag the shares add up to exactly 1
SELECT dimension, count(*) AS classes, sum(customers) AS customers, sum(customer_share) AS customer_shares,
	   sum(revenue) AS revenue, sum(revenue_share) AS revenue_shares
FROM customer_class.class_report GROUP BY dimension
ORDER BY array_position(customer_class.class_dimensions(), dimension);
-- a class's figures are those of its customers: the report of each
-- dimension against the same sums over customer_profile (0 rows)
SELECT r.dimension, r.class
FROM customer_class.class_report r
JOIN (SELECT 'credit_grade' AS dimension, grade AS class, count(*) AS customers, coalesce(sum(revenue), 0) AS revenue,
			 sum(gross_profit) AS gross_profit
	  FROM customer_class.customer_profile GROUP BY grade
	  UNION ALL
	  SELECT 'lifecycle_stage', stage, count(*), coalesce(sum(revenue), 0), sum(gross_profit)
	  FROM customer_class.customer_profile GROUP BY stage
	  UNION ALL
	  SELECT 'rfm_segment', rfm, count(*), coalesce(sum(revenue), 0), sum(gross_profit)
	  FROM customer_class.customer_profile GROUP BY rfm) p
  ON p.dimension = r.dimension AND p.class IS NOT DISTINCT FROM r.class
WHERE (r.customers, r.revenue, r.gross_profit) IS DISTINCT FROM (p.customers, p.revenue, p.gross_profit);

-- one dimension by the function: the same rows as the view, in class order
SELECT class, customers, customer_share, revenue_share FROM customer_class.class_report('size_class');
SELECT count(*) AS differences FROM (
	(SELECT * FROM customer_class.class_report('region_2') EXCEPT SELECT * FROM customer_class.class_report WHERE dimension = 'region_2')
	UNION ALL
	(SELECT * FROM customer_class.class_report WHERE dimension = 'region_2' EXCEPT SELECT * FROM customer_class.class_report('region_2'))) d;
-- any tag prefix: the tags below it, cut one label below (profit.high:
-- Gamma, with its Chinese label 高利润客户; everyone else unclassified)
SELECT class, class_label_en, class_label_zh, customers, customer_share, gross_margin
FROM customer_class.class_report('tag', tag_prefix => 'profit');
-- an earlier date: the classes of the refresh as of 2025-06-30, from
-- class_history.  On 06-30 Alpha (last invoice 03-01, 121 days) was
-- dormant, Beta (first invoice 06-01) new, Delta (2024-06-01) churned,
-- Gamma, Eps and Zeta potential; revenue of 2024-07-01 .. 2025-06-30:
-- Alpha 1,000 (invoice 1), Beta 1,000 (invoice 3)
SELECT class, customers, customer_share, revenue, revenue_share, open_ar, overdue_ar, as_of
FROM customer_class.class_report('lifecycle_stage', '2025-06-30');
SELECT class, customers FROM customer_class.class_report('lifecycle_stage');

-- == Ranking ==
-- individual by revenue: Gamma and Zeta tie at 1,000: both rank 1, both
-- listed for n = 1, each 0.5 of the class's 2,000
SELECT * FROM customer_class.class_ranking('customer_type', 'individual', 'revenue', 1);
-- retail by gross profit: Gamma 500, then Beta and Zeta at 100 (rank 2,
-- both); shares of 700: 0.7143, 0.1429, 0.1429
SELECT * FROM customer_class.class_ranking('industry', 'retail', 'gross_profit', 2);
-- north by overdue AR: Gamma 400, Delta 300; Zeta owes nothing, not ranked
SELECT * FROM customer_class.class_ranking('region', 'north', 'overdue_ar', 10);
-- the unclassified (class NULL): Eps, with nothing invoiced, is not ranked
SELECT count(*) FROM customer_class.class_ranking('industry', NULL, 'revenue', 10);
SELECT rank, customer_id FROM customer_class.class_ranking('tag', 'profit.high', 'revenue', 3, tag_prefix => 'profit');

-- == Bad input: 22023 with the accepted values ==
SELECT * FROM customer_class.class_report('grade');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.class_report(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.class_report('industry', tag_prefix => 'industry');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.class_ranking('segments', 'regular', 'revenue', 5);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.class_ranking('segment', 'regular', 'profit', 5);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.class_ranking('segment', 'regular', 'revenue', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM customer_class.class_ranking('segment', 'regular', 'revenue', NULL);
\echo :LAST_ERROR_SQLSTATE

-- the report's columns are types a BI client maps, each with a comment
SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type,
	   col_description(a.attrelid, a.attnum) IS NOT NULL AS commented
FROM pg_attribute a
WHERE a.attrelid = 'customer_class.class_report'::regclass AND a.attnum > 0
ORDER BY a.attnum;

DELETE FROM customer_class.tag_rule WHERE tag = 'profit.high';
TRUNCATE customer_class.customer, customer_class.sales_order, customer_class.invoice, customer_class.payment,
	customer_class.profile, customer_class.class_history, customer_class.rfm_boundary, customer_class.dirty,
	customer_class.credit_override, customer_class.alerts;
RESET customer_class.as_of;
