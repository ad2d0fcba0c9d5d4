-- What a BI tool reads (docs/reporting.md): every view of the schema but the
-- sources (src_*, source_<role>) and rule_subject (the row tag-rule
-- conditions see, whose tags stay a tagset for the rule language) has only
-- column types a JDBC / ODBC client maps, and a COMMENT on the view and on
-- every column.  Checked by iterating over the catalog, so that a new view
-- cannot forget it.  Then the one as-of rule (report_date()), the new
-- customer_profile columns, the label twins and aging::jsonb.
-- Start from a fresh install (the managed tables are the user's: DROP
-- EXTENSION keeps them, so drop them too).
SET client_min_messages = warning;
DROP EXTENSION customer_class CASCADE;
DROP TABLE customer_class.payment, customer_class.invoice, customer_class.sales_order, customer_class.customer;
RESET client_min_messages;
CREATE EXTENSION customer_class;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- The types a JDBC client (pgjdbc) maps to a standard java.sql.Types code:
-- built-in scalars, the extension's enums (pgjdbc and psqlODBC read an enum
-- as a string: VARCHAR), and one-dimensional arrays of these.  Not jsonb or
-- json (pgjdbc: Types.OTHER), interval, uuid, floats (money is exact), nor
-- any custom base or composite type (aging, tagset, payment_stats...).
CREATE TEMP VIEW bi_view AS
SELECT c.oid, c.relname
FROM pg_catalog.pg_class c
WHERE c.relnamespace = 'customer_class'::regnamespace AND c.relkind IN ('v', 'm')
  AND c.relname !~ '^(src|source)_' AND c.relname <> 'rule_subject';

CREATE TEMP VIEW bi_offender AS
SELECT v.relname AS view, a.attname AS column, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
	   CASE WHEN e.oid IS NOT NULL THEN 'array of a type' ELSE 'type' END || ' not mapped by JDBC/ODBC' AS problem
FROM bi_view v
JOIN pg_catalog.pg_attribute a ON a.attrelid = v.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
WHERE NOT EXISTS (
	SELECT FROM pg_catalog.pg_type s
	WHERE s.oid = coalesce(e.oid, t.oid)
	  AND (s.oid IN ('boolean'::regtype, 'smallint'::regtype, 'integer'::regtype, 'bigint'::regtype,
					 'numeric'::regtype, 'text'::regtype, 'character varying'::regtype, 'name'::regtype,
					 'date'::regtype, 'timestamp with time zone'::regtype,
					 'timestamp without time zone'::regtype)
		   OR (s.typtype = 'e' AND s.typnamespace = 'customer_class'::regnamespace)))
UNION ALL
SELECT v.relname, NULL, NULL, 'view without a COMMENT'
FROM bi_view v
WHERE pg_catalog.obj_description(v.oid, 'pg_class') IS NULL
UNION ALL
SELECT v.relname, a.attname, NULL, 'column without a COMMENT'
FROM bi_view v
JOIN pg_catalog.pg_attribute a ON a.attrelid = v.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE pg_catalog.col_description(v.oid, a.attnum) IS NULL;

-- every BI view passes (no row), and there are views to check
SELECT * FROM bi_offender ORDER BY 1, 2, 4;
SELECT count(*) >= 13 AS views_checked FROM bi_view;

-- the check finds what it must: a view with custom, json and float columns,
-- a bad array and a column without a comment
BEGIN;
CREATE VIEW customer_class.bi_probe AS
	SELECT '{vip}'::customer_class.tagset AS tags, '{"a": 1}'::jsonb AS doc, 1.5::float8 AS ratio,
		   ARRAY['{vip}'::customer_class.tagset] AS tag_sets, 'A'::customer_class.credit_grade AS grade,
		   ARRAY['x']::text[] AS names;
COMMENT ON VIEW customer_class.bi_probe IS 'probe';
COMMENT ON COLUMN customer_class.bi_probe.tags IS 'probe';
COMMENT ON COLUMN customer_class.bi_probe.doc IS 'probe';
COMMENT ON COLUMN customer_class.bi_probe.tag_sets IS 'probe';
COMMENT ON COLUMN customer_class.bi_probe.grade IS 'probe';
COMMENT ON COLUMN customer_class.bi_probe.names IS 'probe';
SELECT * FROM bi_offender ORDER BY 1, 2, 4;
ROLLBACK;

-- == One as-of rule: report_date() ==
-- never refreshed and no setting: today
SELECT customer_class.report_date() = current_date AS today_before_any_refresh;

INSERT INTO customer_class.customer
	(customer_id, name, customer_type, industry, region, size_class, payment_terms_days, created_on, tags)
VALUES
	(1, 'Alpha', 'enterprise', 'retail', 'east.shanghai', 'large', 45, '2024-01-01', '{vip,key.account,industry.retail}'),
	(2, 'Beta', 'individual', 'retail', 'west.chengdu', 'micro', 0, '2024-01-01', '{}');
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(1, 1, '2025-01-10', '2025-02-24', 1000.00),	-- due 02-24
	(2, 1, '2025-03-01', '2025-04-15', 500.25),	-- due 04-15
	(3, 2, '2025-03-20', '2025-03-20', 80.10);	-- due on issue
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount) VALUES
	(1, 1, 1, '2025-03-10', 400.00),	-- part of invoice 1
	(2, 2, NULL, '2025-03-25', 20.00);	-- unapplied

-- refresh as of 03-31; a BI session sets nothing
SET customer_class.as_of = '2025-03-31';
SELECT customer_class.refresh() > 0 AS refreshed;
RESET customer_class.as_of;
SELECT customer_class.report_date() AS report_date, customer_class.as_of() = current_date AS checks_decide_today;
-- every view reports as of 03-31, the classes' date: aging as of 03-31
-- (Alpha: 600 of invoice 1 is 35 days past due, invoice 2 not yet due;
-- Beta: 80.10 11 days past due, 20.00 unapplied in current)
SELECT customer_id, as_of, current_amount, days_1_30, days_31_60, total, overdue
FROM customer_class.aging_report ORDER BY customer_id;
SELECT customer_id, as_of, aging_current, aging_1_30, aging_31_60, aging_61_90, aging_over_90,
	   aging_total, aging_overdue
FROM customer_class.customer_profile ORDER BY customer_id;
SELECT period_end, pg_catalog.count(*) AS customers FROM customer_class.ar_kpi GROUP BY 1;
SELECT customer_id, as_of, open_balance, overdue_balance FROM customer_class.customer_payment_behavior ORDER BY 1;
SELECT invoice_id, days_past_due, status FROM customer_class.invoice_status ORDER BY 1;
SELECT invoice_id, days_past_due, status FROM customer_class.due_reminders ORDER BY 1;
SELECT DISTINCT as_of FROM customer_class.aging_report_by_class;
-- the views and the profile agree: one date
SELECT count(DISTINCT d) AS dates
FROM (SELECT as_of FROM customer_class.customer_profile
	  UNION ALL SELECT as_of FROM customer_class.aging_report
	  UNION ALL SELECT period_end FROM customer_class.ar_kpi
	  UNION ALL SELECT as_of FROM customer_class.customer_payment_behavior
	  UNION ALL SELECT as_of FROM customer_class.aging_report_by_class) x(d);

-- a session that sets a date gets that date in every view
SET customer_class.as_of = '2025-04-30';
SELECT customer_class.report_date() AS report_date;
SELECT customer_id, as_of, current_amount, days_1_30, days_31_60, total FROM customer_class.aging_report ORDER BY 1;
SELECT customer_id, aging_current, aging_1_30, aging_31_60, aging_61_90, aging_total
FROM customer_class.customer_profile ORDER BY 1;
RESET customer_class.as_of;

-- == customer_profile: size_class, payment terms, tags as text[], labels ==
SELECT customer_id, size_class, payment_terms_days, tags, rule_tags, all_tags,
	   pg_typeof(tags) AS tags_type, computed_grade, computed_grade_label_en, computed_grade_label_zh,
	   alert_level, alert_level_label_en, alert_level_label_zh
FROM customer_class.customer_profile ORDER BY customer_id;
-- text[] operators work on the tag columns as on any array
SELECT customer_id FROM customer_class.customer_profile WHERE tags @> '{vip}' ORDER BY 1;

-- == by-class labels: class_label, else the class itself (a tag, an industry code) ==
SELECT dimension, class, customers, total, class_label_en, class_label_zh
FROM customer_class.aging_report_by_class ORDER BY dimension, class;
SELECT dimension, class, customers, end_ar, class_label_en, class_label_zh
FROM customer_class.ar_kpi_by_class WHERE dimension IN ('customer_type', 'size_class', 'credit_grade')
ORDER BY dimension, class;
SELECT dimension, value, label_en, label_zh FROM customer_class.class_label
WHERE dimension IN ('customer_type', 'size_class') ORDER BY dimension, label_en;

-- == grade_migration_latest: labels, and history up to report_date() ==
INSERT INTO customer_class.class_history (customer_id, dimension, old_value, new_value, as_of, why) VALUES
	(2, 'credit_grade', NULL, 'B', '2025-01-31', 'test'),
	(2, 'credit_grade', 'B', 'D', '2025-02-28', 'test');
SET customer_class.as_of = '2025-02-28';
SELECT from_date, to_date, from_grade, to_grade, customers, from_grade_label_en, from_grade_label_zh,
	   to_grade_label_en, to_grade_label_zh
FROM customer_class.grade_migration_latest ORDER BY from_grade NULLS FIRST, to_grade;
-- as of 01-31 there is one date of grades only: no migration yet
SET customer_class.as_of = '2025-01-31';
SELECT count(*) AS migrations FROM customer_class.grade_migration_latest;
RESET customer_class.as_of;

-- == aging::jsonb: exact amounts, and a total ==
SELECT '{"bounds": [30], "current": 0.10, "1-30": 0.20, "31+": 12345678901234567.89}'::customer_class.aging::jsonb AS j;
SELECT j -> 'total' AS total, jsonb_typeof(j -> 'total') AS total_type,
	   (j -> 'total')::numeric = 12345678901234568.19 AS exact
FROM (SELECT '{"bounds": [30], "current": 0.10, "1-30": 0.20, "31+": 12345678901234567.89}'::customer_class.aging::jsonb) x(j);
-- the text form is unchanged (no total: it round-trips)
SELECT '{"bounds": [30], "current": 0.10, "1-30": 0.20, "31+": 1.00}'::customer_class.aging;

-- aging -> 'total': the operator lives in customer_class, found through the
-- search_path like any extension's operators; aging_get() is its function
SET search_path = public;
SELECT '{"bounds": [30], "current": 1.10, "1-30": 2.20, "31+": 0}'::customer_class.aging -> 'total';
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.aging_get('{"bounds": [30], "current": 1.10, "1-30": 2.20, "31+": 0}', 'total') AS total;
SET search_path = public, customer_class;
SELECT '{"bounds": [30], "current": 1.10, "1-30": 2.20, "31+": 0}'::aging -> 'total' AS total;
RESET search_path;
