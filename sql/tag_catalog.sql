-- Tag catalog, exclusive dimensions on the managed customer table, the
-- customer.tags column and its GIN index.
SET search_path = customer_class, public;

SELECT dimension, exclusive, label_en, label_zh, shipped FROM tag_dimension ORDER BY dimension;
SELECT dimension, count(*) AS tags, string_agg(label_zh, '、' ORDER BY tag) AS labels_zh
FROM tag_catalog GROUP BY dimension ORDER BY dimension;
SELECT tag, label_en, label_zh FROM tag_catalog WHERE tagset(ARRAY[tag]) @@ 'region.east.*' ORDER BY tag;

-- catalog rows must be valid tags inside their dimension
INSERT INTO tag_catalog (tag, dimension, label_en, label_zh) VALUES ('industry..x', 'industry', 'X', 'X');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO tag_catalog (tag, dimension, label_en, label_zh) VALUES ('size.huge', 'industry', 'Huge', '巨型');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO tag_catalog (tag, dimension, label_en, label_zh) VALUES ('channel.online', 'channel', 'Online', '线上');
\echo :LAST_ERROR_SQLSTATE
-- users add their own dimensions and tags
INSERT INTO tag_dimension (dimension, label_en, label_zh, description)
	VALUES ('channel', 'Sales channel', '销售渠道', 'how the customer buys (several allowed)');
INSERT INTO tag_catalog (tag, dimension, label_en, label_zh) VALUES
	('channel.online', 'channel', 'Online', '线上'),
	('channel.distributor', 'channel', 'Distributor', '经销商');

-- customer.tags: default empty, GIN-indexed, exclusive dimensions enforced
INSERT INTO customer (customer_id, name, created_on) VALUES (901, 'Untagged Ltd', '2025-01-01');
SELECT customer_id, tags FROM customer WHERE customer_id = 901;
INSERT INTO customer (customer_id, name, created_on, tags) VALUES
	(902, 'Shanghai Steel Co.', '2025-01-01',
	 '{industry.construction,region.east.shanghai,size.large,vip,重点客户,channel.online,channel.distributor}'),
	(903, '张三', '2025-01-01', '{industry.retail,region.north.beijing,size.micro}'),
	(904, 'Hangzhou Build', '2025-01-01', '{industry.construction,region.east.hangzhou,"key account"}');
INSERT INTO customer (customer_id, name, created_on, tags)
	VALUES (905, 'Two Trades', '2025-01-01', '{industry.construction,industry.retail,vip}');
\echo :LAST_ERROR_SQLSTATE
UPDATE customer SET tags = tags + 'region.east' WHERE customer_id = 902;
\echo :LAST_ERROR_SQLSTATE
UPDATE customer SET tags = tags - 'region.east.shanghai'::text + 'region.east.nanjing' WHERE customer_id = 902;
SELECT customer_id, name, tags FROM src_customer WHERE customer_id > 900 ORDER BY customer_id;

-- tag queries over customers, through the view
SELECT customer_id, name FROM src_customer
WHERE tags @@ 'industry.construction & region.east.* & !vip' AND customer_id > 900 ORDER BY customer_id;
SELECT customer_id, name FROM src_customer WHERE tags ? '重点客户' AND customer_id > 900;
-- display names of a customer's tags, longest catalog prefix first
SELECT t.tag, coalesce(c.label_zh, t.tag) AS label_zh, c.label_en
FROM customer cu, tags(cu.tags) AS t(tag)
LEFT JOIN LATERAL (SELECT label_en, label_zh FROM tag_catalog k
				   WHERE t.tag = k.tag OR starts_with(t.tag, k.tag || '.')
				   ORDER BY length(k.tag) DESC LIMIT 1) c ON true
WHERE cu.customer_id = 902 ORDER BY t.tag;

SELECT indexdef FROM pg_indexes WHERE schemaname = 'customer_class' AND indexname = 'customer_tags_idx';
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT customer_id FROM customer WHERE tags @@ 'region.east.*';
RESET enable_seqscan;

-- a dimension can become exclusive only when no customer breaks it
UPDATE tag_dimension SET exclusive = true WHERE dimension = 'channel';
\echo :LAST_ERROR_SQLSTATE
UPDATE customer SET tags = tags - 'channel.distributor'::text WHERE customer_id = 902;
UPDATE tag_dimension SET exclusive = true WHERE dimension = 'channel';
UPDATE customer SET tags = tags + 'channel.distributor' WHERE customer_id = 902;
\echo :LAST_ERROR_SQLSTATE

-- pg_dump keeps user rows only; shipped rows come from CREATE EXTENSION
SELECT c.relname, x.cond
FROM pg_extension e,
	 unnest(e.extconfig, e.extcondition) AS x(oid, cond)
JOIN pg_class c ON c.oid = x.oid
WHERE e.extname = 'customer_class' AND c.relname LIKE 'tag%' ORDER BY 1;

-- privileges: readers read, admins write
SELECT has_table_privilege('customer_class_reader', 'customer_class.tag_catalog', 'SELECT') AS reader_reads,
	   has_table_privilege('customer_class_reader', 'customer_class.tag_catalog', 'INSERT') AS reader_writes,
	   has_table_privilege('customer_class_admin', 'customer_class.tag_catalog', 'INSERT') AS admin_writes,
	   has_table_privilege('customer_class_admin', 'customer_class.tag_dimension', 'UPDATE') AS admin_updates;

-- clean up for the tests that follow
DELETE FROM customer WHERE customer_id > 900;
DELETE FROM tag_catalog WHERE NOT shipped;
DELETE FROM tag_dimension WHERE NOT shipped;
