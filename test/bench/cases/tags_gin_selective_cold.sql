-- Selective tag queries of tags_gin_selective.sql, timed as the first queries of a
-- new connection: each run is a new session, so both sides pay their first
-- use of the operators (ours: loading customer_class.so, its GUC, and the
-- catalog lookups of the operators, their estimators and GIN support
-- functions; text[]: the catalog lookups of built-in operators).  No
-- target: the issue's targets are per query (tags_gin_selective.sql); this case
-- shows what a new connection adds.
-- @setup
\i test/bench/tags_data.sql
-- @ours
SET search_path = customer_class, public;
SET max_parallel_workers_per_gather = 0;
SELECT count(*) FROM bench_tags.ts WHERE tags @> '{label4990}';
SELECT count(*) FROM bench_tags.ts WHERE tags @> '{label3000,product.cat7.item107}';
SELECT count(*) FROM bench_tags.ts WHERE tags && '{label4990,label4991,label4992}';
SELECT count(*) FROM bench_tags.ts WHERE tags @@ 'label4990 | label4991 & industry.retail';
SELECT count(*) FROM bench_tags.ts WHERE tags ? 'label4993';
-- @baseline
SET search_path = customer_class, public;
SET max_parallel_workers_per_gather = 0;
SELECT count(*) FROM bench_tags.arr WHERE tags @> '{label4990}';
SELECT count(*) FROM bench_tags.arr WHERE tags @> '{label3000,product.cat7.item107}';
SELECT count(*) FROM bench_tags.arr WHERE tags && '{label4990,label4991,label4992}';
SELECT count(*) FROM bench_tags.arr WHERE tags @> '{label4990}' OR tags @> '{label4991,industry.retail}';
SELECT count(*) FROM bench_tags.arr WHERE tags @> '{label4993}';
