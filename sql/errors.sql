-- Errors that say what is accepted: every CHECK constraint of the schema
-- reports the offending value, the rule and what to write (DETAIL, HINT);
-- region paths accept Chinese labels; a bad literal of one of our enum types
-- names the accepted values; credit_check and resolve_alert reject nonsense
-- instead of answering it.
SET customer_class.as_of = '2025-12-31';
\set VERBOSITY default
\set SHOW_CONTEXT never

-- (the database holds the earlier tests' customers: ours are 90001-90004)
INSERT INTO customer_class.customer (customer_id, name, created_on) VALUES (90001, 'Known Ltd', '2024-01-01');
CREATE TEMP TABLE counts_before AS
SELECT (SELECT count(*) FROM customer_class.customer) AS customers,
	   (SELECT count(*) FROM customer_class.sales_order) + (SELECT count(*) FROM customer_class.invoice)
	 + (SELECT count(*) FROM customer_class.payment) + (SELECT count(*) FROM customer_class.external_event)
	 + (SELECT count(*) FROM customer_class.credit_override) + (SELECT count(*) FROM customer_class.alerts) AS other_rows;

-- == Region paths ==
-- Chinese labels are accepted (Chinese users write 华东.上海), as are the
-- ASCII paths; capitals, spaces, full-width dots and empty labels are not
INSERT INTO customer_class.customer (customer_id, name, region) VALUES
	(90002, 'Shanghai Co', '华东.上海'), (90003, 'Pudong Co', '华东.上海.浦东_新区2'), (90004, 'East Co', 'east.shanghai');
SELECT customer_id, region FROM customer_class.customer WHERE customer_id IN (90002, 90003, 90004) ORDER BY customer_id;
INSERT INTO customer_class.customer (name, region) VALUES ('X', 'East.Shanghai');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.customer (name, region) VALUES ('X', '华东。上海');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.customer (name, region) VALUES ('X', 'east shanghai');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.customer (name, region) VALUES ('X', 'east..shanghai');
\echo :LAST_ERROR_SQLSTATE
UPDATE customer_class.customer SET region = '华东.' WHERE customer_id = 90002;
\echo :LAST_ERROR_SQLSTATE

-- == Every other CHECK of the managed tables, policies and logs ==
INSERT INTO customer_class.customer (name) VALUES ('  ');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.customer (name, customer_type) VALUES ('X', 'Enterprise');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.customer (name, size_class) VALUES ('X', 'huge');
\echo :LAST_ERROR_SQLSTATE
UPDATE customer_class.customer SET credit_limit = -100 WHERE customer_id = 90001;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.customer (name, payment_terms_days) VALUES ('X', 400);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount) VALUES (90001, '2025-12-01', -5);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount, status) VALUES (90001, '2025-12-01', 5, 'delivered');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount, status, shipped_on)
VALUES (90001, '2025-12-01', 5, 'shipped', '2025-11-30');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.invoice (customer_id, issued_on, due_on, amount) VALUES (90001, '2025-12-01', '2025-12-31', 0);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.invoice (customer_id, issued_on, due_on, amount) VALUES (90001, '2025-12-01', '2025-11-01', 10);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.payment (customer_id, paid_on, amount) VALUES (90001, '2025-12-01', -10);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.payment (customer_id, paid_on, amount, kind) VALUES (90001, '2025-12-01', 10, 'refund');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.risk_factor (scorecard_id, prefix, points) VALUES ('default', 'sector.mining', 10);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.risk_factor (scorecard_id, prefix, points) VALUES ('default', 'industry.mining', 110);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.external_score (customer_id, source, scored_on, score) VALUES (90001, 'Agency X', '2025-12-01', 101);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.external_score (customer_id, source, scored_on, score) VALUES (90001, ' ', '2025-12-01', 50);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_override (customer_id, grade, reason, expires_on) VALUES (90001, 'C', '', '2026-03-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_override (customer_id, grade, reason, valid_from, expires_on)
VALUES (90001, 'C', 'late payments', '2025-12-01', '2025-12-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_limit_policy (grade, valid_from, method) VALUES ('B', '2026-01-01', 'fixed');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_limit_policy (grade, valid_from, method) VALUES ('B', '2026-01-01', 'amount');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_limit_policy (grade, valid_from, method, sales_multiple) VALUES ('B', '2026-01-01', 'sales_multiple', 0);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_limit_policy (grade, valid_from, method, amount) VALUES ('B', '2026-01-01', 'amount', -1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_limit_override (customer_id, credit_limit, reason, expires_on) VALUES (90001, 100, ' ', '2026-03-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_limit_override (customer_id, credit_limit, reason, expires_on) VALUES (90001, -100, 'x', '2026-03-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_limit_override (customer_id, credit_limit, reason, valid_from, expires_on)
VALUES (90001, 100, 'x', '2026-03-01', '2026-01-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_check_exception (customer_id, checkpoint, reason) VALUES (90001, 'shipment', 'x');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_check_exception (customer_id, mode, reason) VALUES (90001, 'allow', 'x');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.credit_check_exception (customer_id, reason) VALUES (90001, '');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.external_event (customer_id, event_on, kind, source) VALUES (90001, '2025-12-01', 'business_change', 'registry');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.external_event (customer_id, event_on, kind, source) VALUES (90001, '2025-12-01', 'litigation', '');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.raise_alert(90001, 'late', 'red', '{}');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.tag_dimension (dimension, label_en, label_zh) VALUES ('channel', 'channel', '渠道');
INSERT INTO customer_class.tag_catalog (tag, dimension, label_en, label_zh) VALUES ('sales.online', 'channel', 'online', '线上');
\echo :LAST_ERROR_SQLSTATE
-- nothing of the above was written but the three good customers
SELECT (SELECT count(*) FROM customer_class.customer) - b.customers AS customers_added,
	   (SELECT count(*) FROM customer_class.sales_order) + (SELECT count(*) FROM customer_class.invoice)
	 + (SELECT count(*) FROM customer_class.payment) + (SELECT count(*) FROM customer_class.external_event)
	 + (SELECT count(*) FROM customer_class.credit_override) + (SELECT count(*) FROM customer_class.alerts)
	 - b.other_rows AS other_rows_added
FROM counts_before b;

-- == The class: every CHECK of the schema is explained, and every table
-- with one reports it through the trigger ==
SELECT c.conrelid::regclass AS table_name, c.conname
FROM pg_constraint c
WHERE c.connamespace = 'customer_class'::regnamespace AND c.contype = 'c'
  AND (customer_class.check_rule(c.conrelid::regclass::text, c.conname, '{}')).detail IS NULL;
SELECT DISTINCT c.conrelid::regclass AS table_without_trigger
FROM pg_constraint c
WHERE c.connamespace = 'customer_class'::regnamespace AND c.contype = 'c'
  -- tag_dimension_is_tag cannot be false: a bad tag fails in tagset() first (22P02);
  -- no role writes rewound_row but rewind()
  AND c.conname NOT IN ('tag_dimension_is_tag', 'tag_catalog_is_tag', 'rewound_row_relation_valid')
  AND NOT EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = c.conrelid
				  AND t.tgfoid = 'customer_class.explain_check_violation()'::regprocedure);
-- a constraint it does not know is still reported, with its definition
CREATE TEMP TABLE limits (n integer CONSTRAINT n_small CHECK (n < 10));
CREATE TRIGGER limits_explain BEFORE INSERT ON limits FOR EACH ROW
	EXECUTE FUNCTION customer_class.explain_check_violation();
INSERT INTO limits VALUES (5), (12);
\echo :LAST_ERROR_SQLSTATE
-- the constraint stays the backstop when the trigger is bypassed
SET session_replication_role = replica;
INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on) VALUES (90009, 'X', -1, '2025-01-01');
\echo :LAST_ERROR_SQLSTATE
RESET session_replication_role;

-- == Enum literals name the accepted values ==
-- (from the library: loaded here as session_preload_libraries would)
LOAD 'customer_class';
INSERT INTO customer_class.credit_override (customer_id, grade, reason, expires_on) VALUES (90001, 'E', 'x', '2026-03-01');
\echo :LAST_ERROR_SQLSTATE
SELECT 'a'::customer_class.credit_grade;
SELECT 'sleeping'::customer_class.lifecycle_stage;
SELECT 'stable'::customer_class.lifecycle_phase;
SELECT 'orange'::customer_class.alert_level;
SELECT 'vip'::customer_class.behaviour_segment;
SELECT 'whales'::customer_class.rfm_segment;
SET search_path = customer_class, public;
SELECT 'E'::credit_grade;
RESET search_path;
-- a limit: the hook cannot look types up, so a same-named enum first on
-- the search_path (here pg_temp's) gets our hint too; it names
-- customer_class.credit_grade, so it is not taken for one about theirs
CREATE TYPE pg_temp.credit_grade AS ENUM ('AAA');
SELECT 'E'::pg_temp.credit_grade;
-- the labels the hints list are the labels of the types (a label added
-- without updating src/enum_hint.c shows here as a difference)
SELECT t.typname, string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder) AS accepted
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
WHERE t.typnamespace = 'customer_class'::regnamespace
GROUP BY t.typname ORDER BY t.typname;

-- == Functions that answered nonsense ==
SELECT customer_class.credit_check(90001, -100);
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.credit_check(90001, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.credit_check(90001, 0, record => false) ->> 'allowed' AS zero_allowed;
SELECT customer_class.resolve_alert(999999);
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.raise_alert(90001, 'grade_d', 'red', '{}') IS NOT NULL AS raised;
SELECT customer_class.resolve_alert(alert_id) AS resolved FROM customer_class.alerts WHERE customer_id = 90001 AND kind = 'grade_d';
-- resolving it again answers false, with a notice (its DETAIL says when and by whom)
\set VERBOSITY terse
SELECT customer_class.resolve_alert(alert_id) AS again FROM customer_class.alerts WHERE customer_id = 90001 AND kind = 'grade_d';
