-- Planner estimates for @> <@ && ? @@ on tagset: without statistics the
-- constants (0.1%; for @@ 0.5% per tag, 2% per prefix), after ANALYZE the
-- most common tags that tagset_typanalyze collects.  The table is small
-- enough (10,000 rows) that ANALYZE reads every row, so the statistics and
-- the estimates are exact and repeatable.
SET search_path = customer_class, public;

CREATE TABLE stats_test (id int, tags tagset) WITH (autovacuum_enabled = off);
INSERT INTO stats_test
SELECT i, CASE
	WHEN i % 100 = 50 THEN NULL                      -- 1% NULL
	WHEN i % 200 = 7 THEN '{}'::tagset               -- 0.5% empty
	ELSE tagset(ARRAY[
		'industry.' || (ARRAY['construction', 'retail', 'services', 'mining'])[1 + i % 4],
		CASE i % 5 WHEN 0 THEN 'region.east.shanghai' WHEN 1 THEN 'region.east.shanghai'
				   WHEN 2 THEN 'region.east.hangzhou' ELSE 'region.west' END]
		|| CASE WHEN i % 10 = 0 THEN ARRAY['vip'] ELSE '{}' END
		|| CASE WHEN i % 50 = 3 THEN ARRAY['region.eastern'] ELSE '{}' END
		|| CASE WHEN i % 1000 = 1 THEN ARRAY['rare'] ELSE '{}' END) END
FROM generate_series(1, 10000) i;

-- the estimated rows of a query (EXPLAIN's "Plan Rows"), and the real count
CREATE FUNCTION pg_temp.est(q text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	plan json;
BEGIN
	EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO plan;
	RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::bigint;
END
$$;
CREATE FUNCTION pg_temp.actual(q text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	EXECUTE 'SELECT count(*) FROM (' || q || ') s' INTO n;
	RETURN n;
END
$$;

CREATE TABLE stats_queries (qid serial, cond text);
INSERT INTO stats_queries (cond) VALUES
	('tags @> ''{vip}'''),                                   -- frequent
	('tags @> ''{vip,industry.retail}'''),                   -- two tags (independent)
	('tags @> ''{rare}'''),                                  -- rare
	('tags @> ''{absent}'''),                                -- not in the table
	('tags @> ''{}'''),                                      -- every non-null row
	('''{vip}'' <@ tags'),                                   -- commutated
	('tags && ''{vip,rare}'''),
	('tags && ''{absent}'''),
	('tags <@ ''{industry.retail,region.east.shanghai,region.east.hangzhou}'''),
	('''{industry.retail,region.west}'' @> tags'),
	('tags <@ ''{}'''),                                      -- the empty sets
	('tags ? ''vip'''),
	('tags ? ''rare'''),
	('tags ? ''absent'''),
	('tags ? ''region.east'''),                              -- exact: no such tag
	('tags @@ ''vip'''),
	('tags @@ ''region.east.*'''),                           -- prefix: sum of its tags
	('tags @@ ''region.*'''),
	('tags @@ ''region.east.shanghai.*'''),                  -- prefix that is a tag
	('tags @@ ''nothing.*'''),                               -- prefix of no tag
	('tags @@ ''!vip'''),                                    -- NOT only
	('tags @@ ''!region.east.*'''),
	('tags @@ ''industry.retail & vip'''),
	('tags @@ ''industry.retail | industry.services'''),
	('tags @@ ''industry.construction & region.east.* & !vip'''),
	('''rare | vip''::tagquery @@ tags'),                    -- commutated
	('tags ? (SELECT ''vip'')'),                             -- no constant: default
	('''{rare}''::tagset ? name'),                           -- the variable is the text
	('tags @@ ''a'' OR tags @@ ''b''');

-- never analyzed: VACUUM counts the rows but collects no column statistics
VACUUM stats_test;
ALTER TABLE stats_test ADD COLUMN name text;
SELECT qid, cond, pg_temp.est('SELECT * FROM stats_test WHERE ' || cond) AS estimate
FROM stats_queries ORDER BY qid;

ANALYZE stats_test;
SELECT null_frac, most_common_elems, most_common_elem_freqs,
	   array_length(elem_count_histogram, 1) AS histogram_entries,
	   elem_count_histogram[1] AS least_tags,
	   elem_count_histogram[array_length(elem_count_histogram, 1) - 1] AS most_tags,
	   elem_count_histogram[array_length(elem_count_histogram, 1)] AS average_tags
FROM pg_stats WHERE tablename = 'stats_test' AND attname = 'tags';
SELECT qid, cond, pg_temp.est('SELECT * FROM stats_test WHERE ' || cond) AS estimate,
	   pg_temp.actual('SELECT * FROM stats_test WHERE ' || cond) AS actual
FROM stats_queries ORDER BY qid;

-- a column of empty sets only: no common tags, so @> and @@ use the
-- constants, while <@ knows from the histogram that every set is empty
CREATE TABLE stats_empty (tags tagset) WITH (autovacuum_enabled = off);
INSERT INTO stats_empty SELECT '{}' FROM generate_series(1, 1000);
ANALYZE stats_empty;
SELECT most_common_elems, elem_count_histogram[1:3] FROM pg_stats WHERE tablename = 'stats_empty';
SELECT pg_temp.est($$SELECT * FROM stats_empty WHERE tags @> '{vip}'$$) AS contains,
	   pg_temp.est($$SELECT * FROM stats_empty WHERE tags @@ '!vip'$$) AS not_vip,
	   pg_temp.est($$SELECT * FROM stats_empty WHERE tags <@ '{vip}'$$) AS contained;

-- the variable on the tagquery side of @@ (a column of queries matched
-- against a constant set): no tag statistics apply, the default is used
CREATE TABLE stats_queries_col (q tagquery) WITH (autovacuum_enabled = off);
INSERT INTO stats_queries_col SELECT ('t' || i)::tagquery FROM generate_series(1, 1000) i;
ANALYZE stats_queries_col;
SELECT pg_temp.est($$SELECT * FROM stats_queries_col WHERE q @@ '{t1,t2}'::tagset$$) AS query_column,
	   pg_temp.est($$SELECT * FROM stats_queries_col WHERE '{t1,t2}'::tagset @@ q$$) AS commuted;
DROP TABLE stats_queries_col;

-- malformed constants fail as literals, before anything is estimated
-- (terse: the context would name this session's temporary schema)
\set VERBOSITY terse
SELECT pg_temp.est($$SELECT * FROM stats_test WHERE tags @@ 'vip &'$$);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.est($$SELECT * FROM stats_test WHERE tags @> '{a..b}'$$);
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default

-- the estimates pick the plan: a rare tag through the index, a tag most
-- rows hold (and a NOT) by reading the table
CREATE INDEX stats_test_tags ON stats_test USING gin (tags);
EXPLAIN (COSTS OFF) SELECT id FROM stats_test WHERE tags @@ 'rare & industry.retail';
EXPLAIN (COSTS OFF) SELECT id FROM stats_test WHERE tags @@ 'region.*';
EXPLAIN (COSTS OFF) SELECT id FROM stats_test WHERE tags @@ '!rare';

-- the decoded statistics are kept between plans of a session; ANALYZE writes
-- a new statistics row, which the next plan reads: in the same transaction,
-- and the old row again after a rollback
SELECT pg_temp.est($$SELECT * FROM stats_test WHERE tags @> '{vip}'$$) AS vip,
	   pg_temp.est($$SELECT * FROM stats_test WHERE tags ? 'gold'$$) AS gold;
UPDATE stats_test SET tags = tags + 'gold' WHERE id % 2 = 0;
SELECT pg_temp.est($$SELECT * FROM stats_test WHERE tags ? 'gold'$$) AS gold_not_analyzed;
BEGIN;
ANALYZE stats_test;
SELECT pg_temp.est($$SELECT * FROM stats_test WHERE tags ? 'gold'$$) AS gold_analyzed;
ROLLBACK;
SELECT pg_temp.est($$SELECT * FROM stats_test WHERE tags ? 'gold'$$) AS gold_rolled_back;
ANALYZE stats_test;
SELECT pg_temp.est($$SELECT * FROM stats_test WHERE tags ? 'gold'$$) AS gold_analyzed,
	   pg_temp.actual($$SELECT * FROM stats_test WHERE tags ? 'gold'$$) AS gold_actual;
-- statistics removed: the defaults again
DELETE FROM pg_statistic WHERE starelid = 'stats_test'::regclass;
SELECT pg_temp.est($$SELECT * FROM stats_test WHERE tags ? 'gold'$$) AS gold_no_statistics;

DROP TABLE stats_test, stats_queries, stats_empty;
