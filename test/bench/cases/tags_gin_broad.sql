-- Unselective tag queries through the GIN index (tens of thousands to
-- hundreds of thousands of rows of 1,000,000): tagset (ours, with a prefix
-- query region.east.*) against text[] with its GIN index (the prefix spelt
-- out as the three east cities).  Target: ratio >= 1.
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
SELECT count(*) FROM bench_tags.arr WHERE tags @> '{industry.construction}';
\timing on
SELECT count(*) FROM bench_tags.arr WHERE tags @> '{industry.construction}';
SELECT count(*) FROM bench_tags.arr WHERE tags @> '{industry.construction}'
	AND tags && '{region.east.shanghai,region.east.hangzhou,region.east.nanjing}';
SELECT count(*) FROM bench_tags.arr WHERE tags && '{size.large,product.cat22.item22}';
