-- Rule-based tags: the tag_rule table, validation of conditions (the
-- database's own errors, and the privilege rule: a condition may compute
-- over the rule_subject row and nothing else), application by refresh() into
-- profile.rule_tags with class_history, and customer_profile's tag columns.
SET customer_class.as_of = '2025-12-31';

-- == Hand-built customers ==
-- 1 construction, two overdue invoices, last order 91 days ago
-- 2 construction (and vip), one overdue invoice
-- 3 retail, three overdue invoices
-- 4 construction, no order yet
INSERT INTO customer_class.customer (customer_id, name, industry, region, created_on, tags) VALUES
	(1, 'Alpha Build', 'construction', 'east.shanghai', '2024-01-10', '{industry.construction}'),
	(2, 'Beta Build', 'construction', 'east.hangzhou', '2024-03-01', '{industry.construction,vip}'),
	(3, 'Gamma Retail', 'retail', 'north.beijing', '2024-02-01', '{industry.retail}'),
	(4, 'Delta Works', 'construction', 'south.shenzhen', '2025-12-01', '{industry.construction}');
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status) VALUES
	(1, 1, '2025-10-01', 30000, 'invoiced'),
	(2, 2, '2025-12-10', 20000, 'invoiced'),
	(3, 3, '2025-12-20', 15000, 'invoiced');
INSERT INTO customer_class.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount) VALUES
	(11, 1, 1, '2025-10-01', '2025-10-31', 10000),
	(12, 1, 1, '2025-10-15', '2025-11-14', 20000),
	(21, 2, 2, '2025-11-01', '2025-12-01', 20000),
	(31, 3, 3, '2025-10-01', '2025-10-31', 5000),
	(32, 3, 3, '2025-10-10', '2025-11-09', 5000),
	(33, 3, 3, '2025-10-20', '2025-11-19', 5000);

-- == Valid rules ==
-- the issue's example
INSERT INTO customer_class.tag_rule (tag, condition, description) VALUES
	('watch.collection', $$tags @@ 'industry.construction' AND overdue_invoices >= 2$$,
	 'construction customers with 2+ overdue invoices');
-- over grade and stage (enum literals compare in enum order)
INSERT INTO customer_class.tag_rule (tag, condition, description) VALUES
	('sales.prospect', $$lifecycle_stage = 'potential' AND credit_grade >= 'B'$$, 'no order yet');
-- dates: against the refresh's as-of date (the column, or as_of())
INSERT INTO customer_class.tag_rule (tag, condition) VALUES
	('watch.quiet', $$last_order_on < as_of() - 60$$);
-- condition_sql is the validated, schema-qualified form refresh evaluates
SELECT rule_id, tag, condition_sql, description, enabled, created_by = current_user AS by_me
FROM customer_class.tag_rule ORDER BY rule_id;
-- a rule change bumps the policy version: the next refresh is a full one
SELECT last_value AS v0 FROM customer_class.policy_version \gset
UPDATE customer_class.tag_rule SET description = 'no order yet (prospects)' WHERE rule_id = 2;
SELECT last_value - :v0 AS bumps FROM customer_class.policy_version;
-- updates are validated too, and condition_sql is always derived
UPDATE customer_class.tag_rule SET condition_sql = 'true' WHERE rule_id = 2;
SELECT condition_sql FROM customer_class.tag_rule WHERE rule_id = 2;

-- == Application by refresh ==
-- first refresh: profiles written, then rule tags (changed counts both)
SELECT customer_class.refresh() AS changed;
SELECT customer_id, tags, rule_tags, all_tags
FROM customer_class.customer_profile ORDER BY customer_id;
SELECT customer_id, old_value, new_value, why
FROM customer_class.class_history WHERE dimension = 'rule_tag' ORDER BY customer_id, history_id;
-- manual tags are untouched by rules
SELECT customer_id, tags FROM customer_class.customer ORDER BY customer_id;
-- nothing changed: nothing to do
SELECT customer_class.apply_tag_rules('2025-12-31') AS changed;

-- customer 1 pays an invoice: watch.collection goes; customer 2 gets a
-- second overdue invoice: watch.collection comes (incremental refresh)
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount) VALUES
	(1, 1, 11, '2025-12-20', 10000);
INSERT INTO customer_class.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount) VALUES
	(22, 2, 2, '2025-11-10', '2025-12-10', 5000);
SELECT customer_class.refresh() AS changed;
SELECT customer_id, rule_tags FROM customer_class.profile ORDER BY customer_id;
SELECT customer_id, old_value, new_value, why
FROM customer_class.class_history WHERE dimension = 'rule_tag' ORDER BY history_id DESC LIMIT 2;

-- a disabled rule gives no tag (full refresh: the rules changed)
UPDATE customer_class.tag_rule SET enabled = false WHERE tag = 'watch.quiet';
SELECT customer_class.refresh() AS changed;
SELECT customer_id, rule_tags FROM customer_class.profile ORDER BY customer_id;
SELECT customer_id, old_value, new_value, why
FROM customer_class.class_history WHERE dimension = 'rule_tag' ORDER BY history_id DESC LIMIT 1;
-- enabled again: the tag comes back, with the rule as the reason
UPDATE customer_class.tag_rule SET enabled = true WHERE tag = 'watch.quiet';
SELECT customer_class.refresh() AS changed;
SELECT customer_id, old_value, new_value, why
FROM customer_class.class_history WHERE dimension = 'rule_tag' ORDER BY history_id DESC LIMIT 1;
-- customers can be restricted; a NULL condition result does not match
-- (nobody has a payment index yet: below 3 paid invoices it is NULL)
INSERT INTO customer_class.tag_rule (tag, condition) VALUES
	('pays.well', $$payment_index >= 80 OR industry = 'retail'$$);
SELECT customer_class.apply_tag_rules('2025-12-31', ARRAY[1, 2]::bigint[]) AS changed;
SELECT customer_class.apply_tag_rules('2025-12-31', ARRAY[3]::bigint[]) AS changed;
SELECT customer_id, rule_tags FROM customer_class.profile ORDER BY customer_id;
DELETE FROM customer_class.tag_rule WHERE tag = 'pays.well';
SELECT customer_class.refresh() AS changed;

-- == Rejected conditions: the database's own errors ==
-- syntax error, with the position in the condition
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'overdue_invoices >= ');
\echo :LAST_ERROR_SQLSTATE
-- unknown column
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'overdue_days > 30');
\echo :LAST_ERROR_SQLSTATE
-- not boolean
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'overdue_balance * 2');
\echo :LAST_ERROR_SQLSTATE
-- unknown function
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'no_such_function(name)');
\echo :LAST_ERROR_SQLSTATE

-- == Rejected conditions: the privilege rule ==
-- subqueries: a rule could read what its author may not
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', '(SELECT count(*) FROM pg_authid) > 0');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'EXISTS (SELECT FROM customer_class.invoice)');
\echo :LAST_ERROR_SQLSTATE
-- volatile functions
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'random() < 0.5');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'pg_sleep(10) IS NULL');
\echo :LAST_ERROR_SQLSTATE
-- stable built-ins read the database or settings
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', $$query_to_xml('SELECT 1', true, true, '') IS NOT NULL$$);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'now() > created_on');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', $$current_setting('is_superuser') = 'on'$$);
\echo :LAST_ERROR_SQLSTATE
-- casts through a stable output function (date_out depends on DateStyle)
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', $$created_on::text LIKE '2024%'$$);
\echo :LAST_ERROR_SQLSTATE
-- a user-defined function, however harmless, would run as whoever refreshes
CREATE FUNCTION public.harmless(n integer) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN n > 0;
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'public.harmless(overdue_invoices)');
\echo :LAST_ERROR_SQLSTATE
CREATE OPERATOR public.=== (LEFTARG = integer, RIGHTARG = integer, FUNCTION = int4eq);
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'overdue_invoices OPERATOR(public.===) 2');
\echo :LAST_ERROR_SQLSTATE
-- a user-defined domain runs its CHECK expressions
CREATE DOMAIN public.positive_int AS integer CHECK (VALUE > 0);
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'overdue_invoices::public.positive_int > 1');
\echo :LAST_ERROR_SQLSTATE
-- aggregates, window functions, set-returning functions
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'count(*) > 1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'row_number() OVER () = 1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'generate_series(1, 2) > 1');
\echo :LAST_ERROR_SQLSTATE
-- the extension's volatile functions
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'customer_class.refresh() > 0');
\echo :LAST_ERROR_SQLSTATE
-- nor the validator itself: it would analyse customer data as SQL
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'tag_rule_normalize(name) IS NULL');
\echo :LAST_ERROR_SQLSTATE
-- injection: closing the parenthesis
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'true) OR (SELECT true');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'true), (SELECT 1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'true) FROM pg_authid --');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'true); DROP TABLE customer_class.customer; SELECT (true');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'rule_subject.*');
\echo :LAST_ERROR_SQLSTATE
-- a trailing comment is harmless
SELECT customer_class.tag_rule_normalize('overdue_invoices > 1 -- ) FROM pg_authid');

-- == Invalid tags ==
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('', 'true');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.tag_rule (tag, condition) VALUES (E'bad\ttag', 'true');
\echo :LAST_ERROR_SQLSTATE

-- == Rules and exclusive dimensions ==
-- a tag of an exclusive dimension (industry, region, size) is a fact kept
-- on the customer, one per customer: no rule may give one
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('industry.retail', $$name LIKE '%Retail'$$);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('region', 'true');
\echo :LAST_ERROR_SQLSTATE
UPDATE customer_class.tag_rule SET tag = 'size.large' WHERE tag = 'watch.quiet';
\echo :LAST_ERROR_SQLSTATE
-- a tag that only starts like a dimension is not in it
INSERT INTO customer_class.tag_rule (rule_id, tag, condition) VALUES (90, 'industry_watch', 'false')
RETURNING rule_id, tag;
DELETE FROM customer_class.tag_rule WHERE rule_id = 90;
-- a dimension cannot become exclusive while a rule (enabled or not) gives
-- one of its tags
INSERT INTO customer_class.tag_dimension (dimension, label_en, label_zh) VALUES ('watch', 'Watch list', '关注');
UPDATE customer_class.tag_dimension SET exclusive = true WHERE dimension = 'watch';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.tag_dimension (dimension, exclusive, label_en, label_zh) VALUES ('sales', true, 'Sales', '销售');
\echo :LAST_ERROR_SQLSTATE
-- nor while a customer still holds a rule tag of it, from a rule deleted
-- since the last refresh
INSERT INTO customer_class.tag_rule (rule_id, tag, condition) VALUES (91, 'promo.spring', 'customer_id = 3');
SELECT customer_class.refresh() AS changed;
DELETE FROM customer_class.tag_rule WHERE rule_id = 91;
INSERT INTO customer_class.tag_dimension (dimension, exclusive, label_en, label_zh) VALUES ('promo', true, 'Promotion', '促销');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.refresh() AS changed;
INSERT INTO customer_class.tag_dimension (dimension, exclusive, label_en, label_zh) VALUES ('promo', true, 'Promotion', '促销');
DELETE FROM customer_class.tag_dimension WHERE dimension IN ('promo', 'watch');
-- A rule that slipped past both checks (industry not exclusive when the
-- rule was saved and applied, then made exclusive with the trigger off) is
-- skipped when applied, and its customers lose the tag: all_tags holds one
-- tag per exclusive dimension again.
UPDATE customer_class.tag_dimension SET exclusive = false WHERE dimension = 'industry';
INSERT INTO customer_class.tag_rule (rule_id, tag, condition) VALUES (92, 'industry.retail', $$tags @@ 'industry.construction'$$);
SELECT customer_class.refresh() AS changed;
SELECT customer_id, all_tags FROM customer_class.customer_profile ORDER BY customer_id;
ALTER TABLE customer_class.tag_dimension DISABLE TRIGGER tag_dimension_rule_exclusive;
UPDATE customer_class.tag_dimension SET exclusive = true WHERE dimension = 'industry';
ALTER TABLE customer_class.tag_dimension ENABLE TRIGGER tag_dimension_rule_exclusive;
SELECT customer_class.apply_tag_rules('2025-12-31') AS changed;
SELECT rule_id, last_error_sqlstate, last_error FROM customer_class.tag_rule WHERE rule_id = 92;
SELECT customer_id, all_tags, (customer_class.exclusive_conflict(all_tags::customer_class.tagset)).dimension AS conflict
FROM customer_class.customer_profile ORDER BY customer_id;
SELECT customer_id, old_value, new_value, why
FROM customer_class.class_history WHERE dimension = 'rule_tag' AND old_value = 'industry.retail'
ORDER BY customer_id;
DELETE FROM customer_class.tag_rule WHERE rule_id = 92;
SELECT customer_class.refresh() AS changed;

-- == Defence in depth: a rule written with the trigger disabled ==
-- checked again when applied: skipped with a warning, the error recorded
ALTER TABLE customer_class.tag_rule DISABLE TRIGGER tag_rule_check;
INSERT INTO customer_class.tag_rule (rule_id, tag, condition, condition_sql)
VALUES (99, 'sneaky', '(SELECT rolsuper FROM pg_authid LIMIT 1)', 'true');
ALTER TABLE customer_class.tag_rule ENABLE TRIGGER tag_rule_check;
SELECT customer_class.apply_tag_rules('2025-12-31') AS changed;
SELECT rule_id, last_error_sqlstate, last_error, last_error_at IS NOT NULL AS has_time
FROM customer_class.tag_rule WHERE rule_id = 99;
SELECT count(*) AS sneaky FROM customer_class.profile WHERE rule_tags OPERATOR(customer_class.?) 'sneaky';
DELETE FROM customer_class.tag_rule WHERE rule_id = 99;

-- == A rule author's own objects never run for whoever refreshes ==
-- An admin who owns a schema builds a composite type whose column is a
-- domain with a CHECK calling their function: whoever parses a constant of
-- that type runs the function, with their own privileges.
CREATE ROLE cc_rule_author IN ROLE customer_class_admin;
CREATE SCHEMA cc_author AUTHORIZATION cc_rule_author;
SET ROLE cc_rule_author;
CREATE TABLE cc_author.ran (who name);
GRANT USAGE ON SCHEMA cc_author TO PUBLIC;
GRANT INSERT ON cc_author.ran TO PUBLIC;
CREATE FUNCTION cc_author.evil(text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	RAISE NOTICE 'evil() runs as %', current_user;
	INSERT INTO cc_author.ran VALUES (current_user);
	RETURN true;
END
$$;
CREATE DOMAIN cc_author.d AS text CHECK (cc_author.evil(VALUE));
CREATE TYPE cc_author.c AS (x cc_author.d);
CREATE FUNCTION cc_author.f(cc_author.c) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN true;
CREATE FUNCTION cc_author.eq(bigint, cc_author.c) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN true;
CREATE OPERATOR cc_author.= (LEFTARG = bigint, RIGHTARG = cc_author.c, FUNCTION = cc_author.eq);
-- the mechanism: parsing the constant runs evil()
SELECT '(x)'::cc_author.c IS NOT NULL AS parsed;
DELETE FROM cc_author.ran;
-- refused before anything is parsed: a row, a constant, an array of the type
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'ROW(''(x)'')::cc_author.c IS NOT NULL');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', $$cc_author.c '(x)' IS NOT NULL$$);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', $$ARRAY['(x)']::cc_author.c[] IS NOT NULL$$);
\echo :LAST_ERROR_SQLSTATE
-- a function or operator whose argument the literal would be coerced to
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', $$cc_author.f('(x)')$$);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', $$customer_id OPERATOR(cc_author.=) '(x)'$$);
\echo :LAST_ERROR_SQLSTATE
-- the writer's search_path is not used: names resolve in customer_class
-- and pg_catalog (and pg_temp, for types only)
SET search_path = cc_author, public;
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', $$'(x)'::c IS NOT NULL$$);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', $$f('(x)')$$);
\echo :LAST_ERROR_SQLSTATE
RESET search_path;
-- a type of the session's own temporary schema is no better
CREATE TEMP TABLE cc_temp_row (x integer);
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', $$'(1)'::cc_temp_row IS NOT NULL$$);
\echo :LAST_ERROR_SQLSTATE
DROP TABLE cc_temp_row;
-- the I/O functions of container types are stable built-ins
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', $$record_in('(x)', 'cc_author.c'::regtype, -1) IS NULL$$);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS ran FROM cc_author.ran;
RESET ROLE;
-- The attack as reported: a rule saved while it looked harmless (an older
-- version accepted it; here it is written with the trigger disabled), over
-- a type its author changed afterwards.  The superuser's refresh (pg_cron)
-- skips it with a warning, and nothing of the author's runs.
ALTER TABLE customer_class.tag_rule DISABLE TRIGGER tag_rule_check;
INSERT INTO customer_class.tag_rule (rule_id, tag, condition, condition_sql)
VALUES (98, 'pwned', 'ROW(''(x)'')::cc_author.c IS NOT NULL', 'true');
ALTER TABLE customer_class.tag_rule ENABLE TRIGGER tag_rule_check;
SELECT customer_class.refresh(full_refresh => true) AS changed;
SELECT count(*) AS ran FROM cc_author.ran;
SELECT rule_id, last_error_sqlstate, last_error FROM customer_class.tag_rule WHERE rule_id = 98;
SELECT count(*) AS pwned FROM customer_class.profile WHERE rule_tags OPERATOR(customer_class.?) 'pwned';
DELETE FROM customer_class.tag_rule WHERE rule_id = 98;
-- conditions are checked as customer_class_rule_checker, which must hold
-- no privileges (whatever ran during the check would run as it)
SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = 'customer_class_rule_checker';
GRANT customer_class_admin TO customer_class_rule_checker;
SELECT customer_class.tag_rule_normalize('true');
\echo :LAST_ERROR_SQLSTATE
REVOKE customer_class_admin FROM customer_class_rule_checker;
SELECT customer_class.tag_rule_normalize('true');
SET client_min_messages = warning;
DROP SCHEMA cc_author CASCADE;
RESET client_min_messages;
DROP ROLE cc_rule_author;

-- == A rule that fails at run time is skipped; the others apply ==
-- customer 1 divides by zero
INSERT INTO customer_class.tag_rule (rule_id, tag, condition, description) VALUES
	(95, 'watch.ratio', '1/(customer_id-1) > 0', 'fails for customer 1');
SELECT last_value AS v0 FROM customer_class.policy_version \gset
SELECT customer_class.refresh() AS changed;
-- recording the error is no change of rules: no bump, no updated_at
SELECT last_value - :v0 AS bumps FROM customer_class.policy_version;
SELECT tag, last_error_sqlstate, last_error, last_error_at IS NOT NULL AS has_time,
       updated_at = created_at AS unchanged
FROM customer_class.tag_rule WHERE last_error IS NOT NULL;
SELECT customer_id, rule_tags FROM customer_class.profile ORDER BY customer_id;
-- changing the condition clears the error; customer 2 gets the tag
UPDATE customer_class.tag_rule SET condition = 'customer_id = 2' WHERE tag = 'watch.ratio';
SELECT last_error FROM customer_class.tag_rule WHERE tag = 'watch.ratio';
SELECT customer_class.refresh() AS changed;
-- failing again: customer 2 keeps the tag as it had it, customer 3 gets
-- nothing, no history is written for the skipped rule
UPDATE customer_class.tag_rule SET condition = '1/(customer_id-1) > 0 OR customer_id = 3'
WHERE tag = 'watch.ratio';
SELECT customer_class.refresh() AS changed;
SELECT customer_id, rule_tags FROM customer_class.profile ORDER BY customer_id;
SELECT count(*) AS history FROM customer_class.class_history
WHERE dimension = 'rule_tag' AND 'watch.ratio' IN (old_value, new_value);
-- an evaluation that succeeds clears the error (customer 1 not included)
SELECT customer_class.apply_tag_rules('2025-12-31', ARRAY[2, 3]::bigint[]) AS changed;
SELECT last_error FROM customer_class.tag_rule WHERE tag = 'watch.ratio';
SELECT customer_id, rule_tags FROM customer_class.profile ORDER BY customer_id;
DELETE FROM customer_class.tag_rule WHERE tag = 'watch.ratio';
SELECT customer_class.refresh() AS changed;

-- == Privileges ==
CREATE ROLE cc_rule_analyst IN ROLE customer_class_analyst;
CREATE ROLE cc_rule_admin IN ROLE customer_class_admin;
SET ROLE cc_rule_analyst;
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'true');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS rules FROM customer_class.tag_rule;
-- analysts refresh, which applies the rules, and records a failing rule
RESET ROLE;
INSERT INTO customer_class.tag_rule (rule_id, tag, condition) VALUES (97, 'watch.ratio', '1/(customer_id-1) > 0');
SET ROLE cc_rule_analyst;
SELECT customer_class.refresh(full_refresh => true) AS changed;
-- but may not change the rule otherwise
UPDATE customer_class.tag_rule SET enabled = false WHERE rule_id = 97;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT rule_id, last_error_sqlstate, last_error FROM customer_class.tag_rule WHERE rule_id = 97;
DELETE FROM customer_class.tag_rule WHERE rule_id = 97;
-- the author is whoever inserts the rule, whatever they write
SET ROLE cc_rule_admin;
INSERT INTO customer_class.tag_rule (tag, condition, created_by, created_at, last_error)
VALUES ('review.limit', 'credit_limit IS NULL AND open_balance > 20000', 'postgres', '2000-01-01', 'forged')
RETURNING tag, created_by, created_at > '2000-01-01' AS created_now, last_error;
-- and stays so
UPDATE customer_class.tag_rule SET created_by = 'postgres', created_at = '2000-01-01'
WHERE tag = 'review.limit'
RETURNING tag, created_by, created_at > '2000-01-01' AS created_now;
RESET ROLE;
-- a superuser's values stand: that is how a restore keeps the authors
INSERT INTO customer_class.tag_rule (rule_id, tag, condition, created_by, created_at)
VALUES (96, 'restored', 'false', 'cc_someone', '2024-05-01 00:00+00')
RETURNING rule_id, created_by, created_at;
DELETE FROM customer_class.tag_rule WHERE rule_id = 96;
SELECT customer_class.refresh() AS changed;
SELECT customer_id, rule_tags, all_tags FROM customer_class.customer_profile ORDER BY customer_id;
DROP ROLE cc_rule_analyst;
DROP ROLE cc_rule_admin;

-- == No rules: the rule tags go, then there is nothing to do ==
DELETE FROM customer_class.tag_rule;
SELECT customer_class.refresh() AS changed;
SELECT count(*) FILTER (WHERE rule_tags OPERATOR(customer_class.<>) '{}') AS tagged FROM customer_class.profile;
SELECT customer_class.apply_tag_rules('2025-12-31') AS changed;
SELECT customer_class.refresh(full_refresh => true) AS changed;
