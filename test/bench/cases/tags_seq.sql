-- Sequential filtering without an index: tagset @@ (ours) against text[]
-- with the equivalent array expression, over 1,000,000 rows.  Target: ratio >= 1.
-- @setup
\i test/bench/tags_data.sql
-- @ours
SET search_path = customer_class, public;
SET max_parallel_workers_per_gather = 0;
SET enable_bitmapscan = off;
SET enable_indexscan = off;
SELECT count(*) FROM bench_tags.ts WHERE tags @@ 'industry.construction & region.east.* & !product.cat0.item100';
SELECT count(*) FROM bench_tags.ts WHERE tags @@ 'label4990 | product.cat7.item107';
-- @baseline
SET search_path = customer_class, public;
SET max_parallel_workers_per_gather = 0;
SET enable_bitmapscan = off;
SET enable_indexscan = off;
SELECT count(*) FROM bench_tags.arr WHERE tags @> '{industry.construction}'
	AND tags && '{region.east.shanghai,region.east.hangzhou,region.east.nanjing}'
	AND NOT tags @> '{product.cat0.item100}';
SELECT count(*) FROM bench_tags.arr WHERE tags && '{label4990,product.cat7.item107}';
