-- Selective tag queries through the GIN index (tens to hundreds of rows of
-- 1,000,000): tagset (ours) against text[] with its GIN index.  The same
-- tags, the same answers (bench_tags.* from test/bench/tags_data.sql).
-- Target: ratio >= 1 (ours at least as fast as text[]).
-- Timed per query, in one session (scripts/bench-run.sh, "@rounds"): after
-- every statement of both sides has run once, untimed, each statement of
-- ours and its baseline run back to back, @rounds times, the first of the
-- two alternating; the figure is the sum of the statements' median times.
-- What a new connection pays once for its first queries (library load,
-- catalog lookups) is measured by the _cold cases instead.
-- @rounds 21
-- @setup
\i test/bench/tags_data.sql
-- @session
SET search_path = customer_class, public;
SET max_parallel_workers_per_gather = 0;
-- @ours
SELECT count(*) FROM bench_tags.ts WHERE tags @> '{label4990}';
SELECT count(*) FROM bench_tags.ts WHERE tags @> '{label3000,product.cat7.item107}';
SELECT count(*) FROM bench_tags.ts WHERE tags && '{label4990,label4991,label4992}';
SELECT count(*) FROM bench_tags.ts WHERE tags @@ 'label4990 | label4991 & industry.retail';
SELECT count(*) FROM bench_tags.ts WHERE tags ? 'label4993';
-- @baseline
SELECT count(*) FROM bench_tags.arr WHERE tags @> '{label4990}';
SELECT count(*) FROM bench_tags.arr WHERE tags @> '{label3000,product.cat7.item107}';
SELECT count(*) FROM bench_tags.arr WHERE tags && '{label4990,label4991,label4992}';
SELECT count(*) FROM bench_tags.arr WHERE tags @> '{label4990}' OR tags @> '{label4991,industry.retail}';
SELECT count(*) FROM bench_tags.arr WHERE tags @> '{label4993}';
