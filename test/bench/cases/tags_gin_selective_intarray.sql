-- Selective tag queries through the GIN index: tagset (ours) against int[]
-- with contrib intarray's gin__int_ops on the same tags numbered (label4990
-- is 4990, product.cat7.item107 is 107, industry.retail is 1).
-- Target: ratio >= 0.67 (ours within 1.5x of intarray).
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
SELECT count(*) FROM bench_tags.ids WHERE tags @> '{4990}';
\timing on
SELECT count(*) FROM bench_tags.ids WHERE tags @> '{4990}';
SELECT count(*) FROM bench_tags.ids WHERE tags @> '{3000,107}';
SELECT count(*) FROM bench_tags.ids WHERE tags && '{4990,4991,4992}';
SELECT count(*) FROM bench_tags.ids WHERE tags @@ '4990 | 4991 & 1';
SELECT count(*) FROM bench_tags.ids WHERE tags @> '{4993}';
