-- Unselective tag queries through the GIN index: tagset (ours) against
-- int[] with intarray's gin__int_ops (industry.construction is 2, the east
-- cities 8, 9, 10, size.large 21, product.cat22.item22 is 22).  Target: ratio >= 0.67.
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
SELECT count(*) FROM bench_tags.ids WHERE tags @> '{2}';
SELECT count(*) FROM bench_tags.ids WHERE tags @@ '2 & (8 | 9 | 10)';
SELECT count(*) FROM bench_tags.ids WHERE tags && '{21,22}';
