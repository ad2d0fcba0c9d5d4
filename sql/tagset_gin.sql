-- GIN index over tagset: every indexable operator gives the same rows with
-- and without the index, on a few thousand generated rows; EXPLAIN shows the
-- index in use.
SET search_path = customer_class, public;

CREATE TABLE gin_test (id int PRIMARY KEY, tags tagset NOT NULL);
INSERT INTO gin_test
SELECT i, CASE WHEN i % 50 = 0 THEN '{}'::tagset ELSE tagset(ARRAY[
		'industry.' || (ARRAY['construction', 'retail', 'manufacturing', 'logistics', 'finance'])[1 + i % 5],
		'region.' || (ARRAY['east', 'west', 'north', 'south', 'eastern', 'east-x'])[1 + (i / 5) % 6]
			|| CASE WHEN i % 3 = 0 THEN '' ELSE '.city' || (i % 4) END,
		't' || (hashint4(i) & 255),
		't' || (hashint4(i + 7) & 255),
		CASE WHEN i % 11 = 0 THEN 'vip' ELSE 't' || (i % 17) END,
		CASE WHEN i % 13 = 0 THEN '重点客户' ELSE 'size.' || (i % 3) END]) END
FROM generate_series(1, 5000) i;
CREATE INDEX gin_test_tags ON gin_test USING gin (tags);
ANALYZE gin_test;

-- count, a digest of the matching ids, and whether the plan used the index
CREATE FUNCTION pg_temp.run(op text, arg text, OUT n bigint, OUT digest text, OUT used_index boolean)
LANGUAGE plpgsql AS $$
DECLARE
	sql text := format('SELECT count(*), md5(coalesce(string_agg(id::text, '','' ORDER BY id), '''')) FROM gin_test WHERE tags %s %L', op, arg);
	plan text := '';
	line text;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || sql LOOP
		plan := plan || line || E'\n';
	END LOOP;
	used_index := plan LIKE '%gin_test_tags%';
	EXECUTE sql INTO n, digest;
END
$$;

CREATE TABLE gin_queries (qid serial, op text, arg text);
INSERT INTO gin_queries (op, arg) VALUES
	('@>', '{industry.construction}'),
	('@>', '{industry.construction,vip}'),
	('@>', '{}'),
	('@>', '{nonexistent}'),
	('<@', '{industry.retail,region.east,t1,t2,t3,size.1,t5}'),
	('<@', '{}'),
	('&&', '{vip,重点客户}'),
	('&&', '{}'),
	('?', 'vip'),
	('?', 'region.east'),
	('?', 'nonexistent'),
	('@@', 'vip'),
	('@@', 'region.east.*'),
	('@@', 'region.east'),
	('@@', 'region.*'),
	('@@', 'region.eastern.*'),
	('@@', 'industry.construction & region.east.* & !vip'),
	('@@', '!vip'),
	('@@', '!region.east.*'),
	('@@', '!(vip | 重点客户)'),
	('@@', 'vip | 重点客户 | t3'),
	('@@', '(industry.retail | industry.finance) & !size.* '),
	('@@', 'nonexistent.*'),
	('@@', '!nonexistent'),
	('@@', 'a.* | !b');

-- without the index
SET enable_indexscan = off;
SET enable_bitmapscan = off;
CREATE TEMP TABLE res_seq AS SELECT qid, (pg_temp.run(op, arg)).* FROM gin_queries;
RESET enable_indexscan;
RESET enable_bitmapscan;
-- with it
SET enable_seqscan = off;
CREATE TEMP TABLE res_idx AS SELECT qid, (pg_temp.run(op, arg)).* FROM gin_queries;

SELECT q.qid, q.op, q.arg, s.n, s.used_index AS seq_used_index, i.used_index,
	   s.digest = i.digest AS same_rows
FROM gin_queries q JOIN res_seq s USING (qid) JOIN res_idx i USING (qid)
ORDER BY q.qid;

EXPLAIN (COSTS OFF) SELECT id FROM gin_test WHERE tags @@ 'industry.construction & region.east.* & !vip';
EXPLAIN (COSTS OFF) SELECT id FROM gin_test WHERE 'region.east.*'::tagquery @@ tags;
EXPLAIN (COSTS OFF) SELECT id FROM gin_test WHERE tags ? 'vip';
RESET enable_seqscan;

-- a selective query uses the index without being forced to
EXPLAIN (COSTS OFF) SELECT id FROM gin_test WHERE tags @> '{vip,重点客户}';
SELECT id FROM gin_test WHERE tags @> '{vip,重点客户}' ORDER BY id LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM gin_test WHERE tags @@ 'vip & 重点客户';
-- a query that matches most rows is estimated so (0.5% per tag, 2% per
-- prefix, combined by the operators) and reads the table instead
EXPLAIN (COSTS OFF) SELECT id FROM gin_test WHERE tags @@ '!vip';
EXPLAIN (COSTS OFF) SELECT id FROM gin_test WHERE tags @@ '!(vip & region.*)';

-- the index follows updates and deletes
UPDATE gin_test SET tags = tags + 'fresh' WHERE id <= 3;
DELETE FROM gin_test WHERE id = 2;
SET enable_seqscan = off;
SELECT id FROM gin_test WHERE tags ? 'fresh' ORDER BY id;
SELECT id FROM gin_test WHERE tags @@ 'fresh & industry.*' ORDER BY id;
RESET enable_seqscan;
DROP TABLE gin_test, gin_queries;
