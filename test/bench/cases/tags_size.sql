-- Table and GIN index sizes: tagset (ours) against text[] and int[] on the
-- same 1,000,000 customers' tags.  The timed parts only read the sizes; the
-- figures are printed after the timing line.  Target: ours no larger than text[].
-- @runs 1
-- @setup
\i test/bench/tags_data.sql
-- @ours
SELECT pg_table_size('bench_tags.ts'), pg_relation_size('bench_tags.ts_gin');
-- @baseline
SELECT pg_table_size('bench_tags.arr'), pg_relation_size('bench_tags.arr_gin');
-- @teardown
SELECT format('%-8s table %s, GIN index %s', t, pg_size_pretty(pg_table_size(r)), pg_size_pretty(pg_relation_size(i)))
FROM (VALUES ('tagset', 'bench_tags.ts'::regclass, 'bench_tags.ts_gin'::regclass),
			 ('text[]', 'bench_tags.arr', 'bench_tags.arr_gin'),
			 ('int[]', 'bench_tags.ids', 'bench_tags.ids_gin')) v(t, r, i);
SELECT format('size ratio text[] / tagset: table %s, index %s',
	round(pg_table_size('bench_tags.arr')::numeric / pg_table_size('bench_tags.ts'), 2),
	round(pg_relation_size('bench_tags.arr_gin')::numeric / pg_relation_size('bench_tags.ts_gin'), 2));
