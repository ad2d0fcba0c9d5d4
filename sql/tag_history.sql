-- Manual tag changes on the managed customer table land in class_history
-- (dimension tag), one row per tag added or removed, with who did it; the
-- first tags of a new customer are no change.
SET customer_class.as_of = '2025-12-31';
SET search_path = customer_class, public;
SELECT coalesce(max(history_id), 0) AS h0 FROM customer_class.class_history \gset
INSERT INTO customer_class.customer (customer_id, name, tags) VALUES
	(1, 'One', '{vip,region.east.shanghai}'), (2, 'Two', '{}'), (3, 'Three', '{a}');
SELECT count(*) AS history_rows FROM customer_class.class_history WHERE history_id > :h0;

UPDATE customer_class.customer SET tags = tags + '重点客户' - 'vip'::text WHERE customer_id = 1;
UPDATE customer_class.customer SET tags = '{"needs monthly statement"}' WHERE customer_id = 2;
UPDATE customer_class.customer SET tags = '{}' WHERE customer_id = 3;
-- a change of something else, or the same tags again, records nothing
UPDATE customer_class.customer SET name = 'Uno', tags = '{region.east.shanghai,重点客户}' WHERE customer_id = 1;
SELECT customer_id, dimension, old_value, new_value, as_of, why = format('tag %s by %s',
		   CASE WHEN new_value IS NULL THEN 'removed' ELSE 'added' END, current_user) AS why_names_the_user
FROM customer_class.class_history WHERE history_id > :h0 ORDER BY history_id;

-- a role that may edit customers but not write the history records anyway
CREATE ROLE cc_tag_editor;
GRANT USAGE ON SCHEMA customer_class TO cc_tag_editor;
GRANT customer_class_reader TO cc_tag_editor;
GRANT SELECT, UPDATE ON customer_class.customer TO cc_tag_editor;
SET ROLE cc_tag_editor;
UPDATE customer_class.customer SET tags = tags + 'watch'::text WHERE customer_id = 2;
INSERT INTO customer_class.class_history (customer_id, dimension, as_of, why) VALUES (2, 'tag', '2025-12-31', 'forged');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT customer_id, old_value, new_value, why FROM customer_class.class_history
WHERE history_id > :h0 AND customer_id = 2 ORDER BY history_id;
DROP OWNED BY cc_tag_editor;
DROP ROLE cc_tag_editor;

DELETE FROM customer_class.customer WHERE customer_id IN (1, 2, 3);
DELETE FROM customer_class.class_history WHERE history_id > :h0;
DELETE FROM customer_class.dirty WHERE customer_id IN (1, 2, 3);
RESET search_path;
