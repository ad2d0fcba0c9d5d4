-- Not a timing: checks that the three representations give the same answers
-- for the queries the other tags_* cases time (printed after the timing line;
-- every line must end in "same").
-- @runs 1
-- @setup
\i test/bench/tags_data.sql
-- @ours
SELECT 1;
-- @baseline
SELECT 1;
-- @teardown
SET search_path = customer_class, public;
SELECT format('%s: tagset %s, text[] %s, int[] %s, %s', q, a, b, c, CASE WHEN a = b AND b = c THEN 'same' ELSE 'DIFFERENT' END)
FROM (VALUES
	('@> label4990',
	 (SELECT count(*) FROM bench_tags.ts WHERE tags @> '{label4990}'),
	 (SELECT count(*) FROM bench_tags.arr WHERE tags @> '{label4990}'),
	 (SELECT count(*) FROM bench_tags.ids WHERE tags @> '{4990}')),
	('construction & east',
	 (SELECT count(*) FROM bench_tags.ts WHERE tags @@ 'industry.construction & region.east.*'),
	 (SELECT count(*) FROM bench_tags.arr WHERE tags @> '{industry.construction}'
		AND tags && '{region.east.shanghai,region.east.hangzhou,region.east.nanjing}'),
	 (SELECT count(*) FROM bench_tags.ids WHERE tags @@ '2 & (8 | 9 | 10)')),
	('label4990 | label4991 & retail',
	 (SELECT count(*) FROM bench_tags.ts WHERE tags @@ 'label4990 | label4991 & industry.retail'),
	 (SELECT count(*) FROM bench_tags.arr WHERE tags @> '{label4990}' OR tags @> '{label4991,industry.retail}'),
	 (SELECT count(*) FROM bench_tags.ids WHERE tags @@ '4990 | 4991 & 1')),
	('&& size.large product.cat22.item22',
	 (SELECT count(*) FROM bench_tags.ts WHERE tags && '{size.large,product.cat22.item22}'),
	 (SELECT count(*) FROM bench_tags.arr WHERE tags && '{size.large,product.cat22.item22}'),
	 (SELECT count(*) FROM bench_tags.ids WHERE tags && '{21,22}'))
) v(q, a, b, c);
