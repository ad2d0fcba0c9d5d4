-- Selective tag queries through the GIN index (tens to hundreds of rows of
-- 1,000,000): tagset (ours) against text[] with its GIN index.  The same
-- tags, the same answers (bench_tags.* from test/bench/tags_data.sql).
-- Target: ratio >= 1 (ours at least as fast as text[]).
-- Each side first runs its first query once, untimed: the first query of
-- a new session loads the operators' library (ours, or intarray's) and
-- looks up its functions, about a millisecond that a pooled application
-- pays once per connection, not per query.
-- @setup
\i test/bench/tags_data.sql
-- @ours
SET search_path = customer_class, public;
SET max_parallel_workers_per_gather = 0;
\timing off
SELECT count(*) FROM bench_tags.ts WHERE tags @> '{label4990}';
\timing on
SELECT count(*) FROM bench_tags.ts WHERE tags @> '{label4990}';
SELECT count(*) FROM bench_tags.ts WHERE tags @> '{label3000,product.cat7.item107}';
SELECT count(*) FROM bench_tags.ts WHERE tags && '{label4990,label4991,label4992}';
SELECT count(*) FROM bench_tags.ts WHERE tags @@ 'label4990 | label4991 & industry.retail';
SELECT count(*) FROM bench_tags.ts WHERE tags ? 'label4993';
-- @baseline
SET search_path = customer_class, public;
SET max_parallel_workers_per_gather = 0;
\timing off
SELECT count(*) FROM bench_tags.arr WHERE tags @> '{label4990}';
\timing on
SELECT count(*) FROM bench_tags.arr WHERE tags @> '{label4990}';
SELECT count(*) FROM bench_tags.arr WHERE tags @> '{label3000,product.cat7.item107}';
SELECT count(*) FROM bench_tags.arr WHERE tags && '{label4990,label4991,label4992}';
SELECT count(*) FROM bench_tags.arr WHERE tags @> '{label4990}' OR tags @> '{label4991,industry.retail}';
SELECT count(*) FROM bench_tags.arr WHERE tags @> '{label4993}';
