-- Bench data for the tags cases (test/bench/cases/tags_*.sql), made once per
-- bench cluster: 1,000,000 customers with 3-15 tags each from 5,000 distinct
-- tags, the same tags three ways --
--   bench_tags.ts   tags customer_class.tagset, GIN (tagset_ops, the default)
--   bench_tags.arr  tags text[],                GIN (array_ops)
--   bench_tags.ids  tags int[],                 GIN (intarray gin__int_ops)
-- Every customer has one industry.*, one region.<area>.<city> and one size.*
-- tag, plus 0-12 more drawn with a skew (a few popular tags, a long tail)
-- from 2,000 hierarchical product.catN.itemK tags and 2,978 flat labelK tags.
-- Deterministic: every draw is a hash of the customer id.
\set ON_ERROR_STOP 1
\if :{?bench_tags_rows}
\else
\set bench_tags_rows 1000000
\endif
SELECT to_regclass('bench_tags.ts') IS NULL AS bench_tags_missing \gset
\if :bench_tags_missing
SET client_min_messages = warning;
CREATE SCHEMA bench_tags;
SET max_parallel_workers_per_gather = 2;

-- tag number k (0..4999) as text
CREATE FUNCTION bench_tags.tag(k int) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE
	WHEN k < 8 THEN 'industry.' || (ARRAY['manufacturing','retail','construction','services',
										  'real_estate','wholesale','logistics','technology'])[k + 1]
	WHEN k < 18 THEN 'region.' || (ARRAY['east.shanghai','east.hangzhou','east.nanjing','north.beijing',
										'north.tianjin','south.guangzhou','south.shenzhen','west.chengdu',
										'west.chongqing','central.wuhan'])[k - 7]
	WHEN k < 22 THEN 'size.' || (ARRAY['micro','small','medium','large'])[k - 17]
	WHEN k < 2022 THEN 'product.cat' || (k % 50) || '.item' || k
	ELSE 'label' || k END;

CREATE TABLE bench_tags.ids (id int PRIMARY KEY, tags int[] NOT NULL);
INSERT INTO bench_tags.ids
SELECT i, sort(uniq(sort(ARRAY[
		(hashint4(i) & 2147483647) % 8,
		8 + (hashint4(i + 1000000001) & 2147483647) % 10,
		18 + (hashint4(i + 2000000001) & 2147483647) % 4]
	|| ARRAY(SELECT 22 + floor(4978 * power(((hashint8extended(i::bigint * 16 + j, 42) >> 11) & 9007199254740991)::float8
											/ 9007199254740992.0, 2))::int
			 FROM generate_series(1, (hashint4(i + 123) & 2147483647) % 13) j))))
FROM generate_series(1, :bench_tags_rows) i;

CREATE TABLE bench_tags.arr (id int PRIMARY KEY, tags text[] NOT NULL);
INSERT INTO bench_tags.arr
SELECT id, ARRAY(SELECT bench_tags.tag(k) FROM unnest(tags) k) FROM bench_tags.ids;

CREATE TABLE bench_tags.ts (id int PRIMARY KEY, tags customer_class.tagset NOT NULL);
INSERT INTO bench_tags.ts SELECT id, customer_class.tagset(tags) FROM bench_tags.arr;

SET maintenance_work_mem = '256MB';
CREATE INDEX ts_gin ON bench_tags.ts USING gin (tags);
CREATE INDEX arr_gin ON bench_tags.arr USING gin (tags);
CREATE INDEX ids_gin ON bench_tags.ids USING gin (tags gin__int_ops);
VACUUM (ANALYZE, FREEZE) bench_tags.ts, bench_tags.arr, bench_tags.ids;
CHECKPOINT;
\endif
