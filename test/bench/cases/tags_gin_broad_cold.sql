-- Unselective tag queries of tags_gin_broad.sql, timed as the first queries of a
-- new connection: each run is a new session, so both sides pay their first
-- use of the operators (ours: loading customer_class.so, its GUC, and the
-- catalog lookups of the operators, their estimators and GIN support
-- functions; text[]: the catalog lookups of built-in operators).  No
-- target: the issue's targets are per query (tags_gin_broad.sql); this case
-- shows what a new connection adds.
-- @setup
\i test/bench/tags_data.sql
-- @ours
SET search_path = customer_class, public;
SET max_parallel_workers_per_gather = 0;
SET enable_seqscan = off;
SELECT count(*) FROM bench_tags.ts WHERE tags @> '{industry.construction}';
SELECT count(*) FROM bench_tags.ts WHERE tags @@ 'industry.construction & region.east.*';
SELECT count(*) FROM bench_tags.ts WHERE tags && '{size.large,product.cat22.item22}';
-- @baseline
SET search_path = customer_class, public;
SET max_parallel_workers_per_gather = 0;
SET enable_seqscan = off;
SELECT count(*) FROM bench_tags.arr WHERE tags @> '{industry.construction}';
SELECT count(*) FROM bench_tags.arr WHERE tags @> '{industry.construction}'
	AND tags && '{region.east.shanghai,region.east.hangzhou,region.east.nanjing}';
SELECT count(*) FROM bench_tags.arr WHERE tags && '{size.large,product.cat22.item22}';
