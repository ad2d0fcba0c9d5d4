-- Unselective tag queries through the GIN index: tagset (ours) against
-- int[] with intarray's gin__int_ops (industry.construction is 2, the east
-- cities 8, 9, 10, size.large 21, product.cat22.item22 is 22).  Target: ratio >= 0.67.
-- Each side first runs its first query once, untimed: the first query of
-- a new session loads the operators' library (ours, or intarray's) and
-- looks up its functions, about a millisecond that a pooled application
-- pays once per connection, not per query.
-- @setup
\i test/bench/tags_data.sql
-- @ours
SET search_path = customer_class, public;
SET max_parallel_workers_per_gather = 0;
SET enable_seqscan = off;
\timing off
SELECT count(*) FROM bench_tags.ts WHERE tags @> '{industry.construction}';
\timing on
SELECT count(*) FROM bench_tags.ts WHERE tags @> '{industry.construction}';
SELECT count(*) FROM bench_tags.ts WHERE tags @@ 'industry.construction & region.east.*';
SELECT count(*) FROM bench_tags.ts WHERE tags && '{size.large,product.cat22.item22}';
-- @baseline
SET search_path = customer_class, public;
SET max_parallel_workers_per_gather = 0;
SET enable_seqscan = off;
\timing off
SELECT count(*) FROM bench_tags.ids WHERE tags @> '{2}';
\timing on
SELECT count(*) FROM bench_tags.ids WHERE tags @> '{2}';
SELECT count(*) FROM bench_tags.ids WHERE tags @@ '2 & (8 | 9 | 10)';
SELECT count(*) FROM bench_tags.ids WHERE tags && '{21,22}';
