-- Rule-based tags (docs/rules.md): one rule, applied by refresh(), shown with
-- the manual tags.  In a transaction that is rolled back: the demo database
-- keeps no rule.
BEGIN;
\echo '== A tag rule: construction customers with 2+ overdue invoices get watch.collection'
INSERT INTO customer_class.tag_rule (tag, condition, description) VALUES
	('watch.collection', $$tags @@ 'industry.construction' AND overdue_invoices >= 2$$,
	 'construction customers with 2+ overdue invoices')
RETURNING rule_id, tag, condition_sql;
SELECT customer_class.refresh() AS changed;

\echo '== Tagged customers (rule tags apart from manual tags; all_tags = both)'
SELECT count(*) AS tagged FROM customer_class.profile
WHERE rule_tags OPERATOR(customer_class.?) 'watch.collection';
SELECT customer_id, name, rule_tags, all_tags
FROM customer_class.customer_profile
WHERE 'watch.collection' = ANY (rule_tags)
ORDER BY customer_id LIMIT 10;

\echo '== Why (class_history)'
SELECT customer_id, new_value AS tag, why
FROM customer_class.class_history WHERE dimension = 'rule_tag'
ORDER BY history_id LIMIT 3;

\echo '== A rule may not run SQL beyond its customer row'
\set ON_ERROR_STOP 0
INSERT INTO customer_class.tag_rule (tag, condition) VALUES ('x', '(SELECT count(*) FROM pg_authid) > 0');
\set ON_ERROR_STOP 1
ROLLBACK;
