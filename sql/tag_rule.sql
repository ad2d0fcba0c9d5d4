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

-- == Defence in depth: a rule written with the trigger disabled ==
ALTER TABLE customer_class.tag_rule DISABLE TRIGGER tag_rule_check;
INSERT INTO customer_class.tag_rule (rule_id, tag, condition, condition_sql)
VALUES (99, 'sneaky', '(SELECT rolsuper FROM pg_authid LIMIT 1)', 'true');
ALTER TABLE customer_class.tag_rule ENABLE TRIGGER tag_rule_check;
SELECT customer_class.apply_tag_rules('2025-12-31') AS changed;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM customer_class.tag_rule WHERE rule_id = 99;

-- == Privileges ==
CREATE ROLE cc_rule_analyst IN ROLE customer_class_analyst;
CREATE ROLE cc_rule_admin IN ROLE customer_class_admin;
SET ROLE cc_rule_analyst;
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', 'true');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS rules FROM customer_class.tag_rule;
-- analysts refresh, which applies the rules
SELECT customer_class.refresh(full_refresh => true) AS changed;
SET ROLE cc_rule_admin;
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('review.limit', 'credit_limit IS NULL AND open_balance > 20000')
RETURNING tag, created_by;
RESET ROLE;
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
