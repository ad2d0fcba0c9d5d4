-- Unselective tag queries through the GIN index (tens of thousands to
-- hundreds of thousands of rows of 1,000,000): tagset (ours, with a prefix
-- query region.east.*) against text[] with its GIN index (the prefix spelt
-- out as the three east cities).  Target: ratio >= 1.
-- Timed per query, in one session (scripts/bench-run.sh, "@rounds"): after
-- every statement of both sides has run once, untimed, each statement of
-- ours and its baseline run back to back, @rounds times, the first of the
-- two alternating; the figure is the sum of the statements' median times.
-- What a new connection pays once for its first queries (library load,
-- catalog lookups) is measured by the _cold cases instead.
-- @rounds 11
-- @setup
\i test/bench/tags_data.sql
-- @session
SET search_path = customer_class, public;
SET max_parallel_workers_per_gather = 0;
SET enable_seqscan = off;
-- @ours
SELECT count(*) FROM bench_tags.ts WHERE tags @> '{industry.construction}';
SELECT count(*) FROM bench_tags.ts WHERE tags @@ 'industry.construction & region.east.*';
SELECT count(*) FROM bench_tags.ts WHERE tags && '{size.large,product.cat22.item22}';
-- @baseline
SELECT count(*) FROM bench_tags.arr WHERE tags @> '{industry.construction}';
SELECT count(*) FROM bench_tags.arr WHERE tags @> '{industry.construction}'
	AND tags && '{region.east.shanghai,region.east.hangzhou,region.east.nanjing}';
SELECT count(*) FROM bench_tags.arr WHERE tags && '{size.large,product.cat22.item22}';
