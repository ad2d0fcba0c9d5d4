-- tagquery: parsing, normalised output, errors, limits, matching with
-- hierarchy, binary send/recv.
SET search_path = customer_class, public;

-- output is normalised: spaced operators, minimal parentheses
SELECT q::tagquery AS normalised FROM (VALUES
	('vip'),
	('a&b|!c'),
	('(a | b) & c'),
	('a | (b & c)'),
	('((a))'),
	('!(a & b)'),
	('!!a'),
	('!(!a)'),
	('a & (b & c)'),
	('(a | b) | c'),
	('a & !(b | c.*)'),
	('region.east.*'),
	('"key account" | "x y".* | 重点客户'),
	('"a b.c"'),
	('"quote\"d" & "back\\slash"'),
	('industry.construction & region.east.* & !vip')
) v(q);
-- every normalised output parses back to itself
SELECT q::tagquery::text::tagquery::text = q::tagquery::text AS stable FROM (VALUES
	('a&b|!c'), ('!(a & b) | (c | d) & e'), ('"x y".* & !"z"')) v(q);

-- malformed queries: 22P02 with the position
SELECT ''::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT '   '::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT 'a &'::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT '| a'::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT 'a b'::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT '(a'::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT 'a)'::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT '()'::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT 'a !'::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT 'a*'::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT '*'::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT '.*'::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT 'a..b'::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT 'a.*.b'::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT '"unterminated'::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT '""'::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT '重点客户 & & vip'::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT 'a \ b'::tagquery;
\echo :LAST_ERROR_SQLSTATE

-- limits: nesting depth 64, 4096 items (54000)
SELECT (repeat('(', 64) || 'a' || repeat(')', 64))::tagquery;
SELECT (repeat('(', 65) || 'a' || repeat(')', 65))::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT (repeat('!', 64) || 'a')::tagquery;
SELECT (repeat('!', 65) || 'a')::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT length((SELECT string_agg('t' || i, ' | ') FROM generate_series(1, 2048) i)::tagquery::text);
SELECT (SELECT string_agg('t' || i, ' | ') FROM generate_series(1, 2049) i)::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT (repeat('x', 256))::tagquery;
\echo :LAST_ERROR_SQLSTATE

-- matching
CREATE TEMP TABLE c (id int, tags tagset);
INSERT INTO c VALUES
	(1, '{industry.construction,region.east.shanghai,overdue.twice,vip}'),
	(2, '{industry.construction,region.east,overdue.twice}'),
	(3, '{industry.retail,region.eastern,"key account"}'),
	(4, '{region.east-x,重点客户}'),
	(5, '{}');
SELECT q, array_agg(id ORDER BY id) FILTER (WHERE tags @@ q::tagquery) AS matches
FROM c, (VALUES
	('industry.construction'),
	('region.east.*'),
	('region.*'),
	('region.east'),
	('industry.construction & overdue.* & !vip'),
	('!vip'),
	('!region.*'),
	('"key account" | 重点客户'),
	('(industry.* | region.east.*) & !(vip | industry.retail)'),
	('!(a | !a)')
) v(q)
GROUP BY q ORDER BY q;
-- the commutator gives the same answers
SELECT id FROM c WHERE 'region.east.*'::tagquery @@ tags ORDER BY id;

-- binary send/recv
CREATE TEMP TABLE qsrc (q tagquery);
INSERT INTO qsrc VALUES ('industry.construction & region.east.* & !vip'), ('"key account" | (a | b) & c');
DO $$ BEGIN
	EXECUTE format('COPY qsrc TO %L (FORMAT binary)', current_setting('data_directory') || '/tagquery_test.bin');
END $$;
CREATE TEMP TABLE qdst (q tagquery);
COPY qdst FROM 'tagquery_test.bin' (FORMAT binary);
SELECT q FROM qdst;
SELECT tagquery_send('a & !b.*');
CREATE FUNCTION pg_temp.recv_test(payload bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	lo oid := lo_from_bytea(0, '\x5047434f50590aff0d0a00'::bytea || '\x0000000000000000'::bytea
		|| '\x0001'::bytea || int4send(length(payload)) || payload || '\xffff'::bytea);
BEGIN
	PERFORM lo_export(lo, 'tagquery_recv_test.bin');
	PERFORM lo_unlink(lo);
	TRUNCATE qdst;
	COPY qdst FROM 'tagquery_recv_test.bin' (FORMAT binary);
	RETURN (SELECT q::text FROM qdst);
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
-- a | b in postfix: TAG a, TAG b, OR
SELECT pg_temp.recv_test('\x01' || int4send(3) || '\x01'::bytea || int4send(1) || 'a'::bytea
	|| '\x01'::bytea || int4send(1) || 'b'::bytea || '\x05'::bytea);
SELECT pg_temp.recv_test('\x01' || int4send(0));
SELECT pg_temp.recv_test('\x01' || int4send(2) || '\x01'::bytea || int4send(1) || 'a'::bytea || '\x04'::bytea);
SELECT pg_temp.recv_test('\x01' || int4send(2) || '\x01'::bytea || int4send(1) || 'a'::bytea
	|| '\x01'::bytea || int4send(1) || 'b'::bytea);
SELECT pg_temp.recv_test('\x01' || int4send(1) || '\x09'::bytea);
SELECT pg_temp.recv_test('\x01' || int4send(1) || '\x02'::bytea || int4send(2) || 'a.'::bytea);
SELECT pg_temp.recv_test('\x01' || int4send(1) || '\x01'::bytea || int4send(99999) || 'a'::bytea);
SELECT pg_temp.recv_test('\x03' || int4send(1));
-- 65 nested negations cannot come in through the binary form either
SELECT pg_temp.recv_test('\x01' || int4send(66) || '\x01'::bytea || int4send(1) || 'a'::bytea
	|| decode(repeat('03', 65), 'hex'));

-- Unicode whitespace separates tokens; full-width operators are no operators
SELECT U&'\91CD\70B9\5BA2\6237\3000&\3000vip'::tagquery;
SELECT '重点客户＆vip'::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT '！vip'::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT '（a | b）'::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT '"公司（上海）" | "a＆b"'::tagquery;
SELECT '"公司（上海）" | "a＆b"'::tagquery::text::tagquery::text AS reparsed;
SELECT '{公司（上海）}'::tagset @@ '"公司（上海）"' AS matches;
-- "*" only in prefix.*, never inside a tag, quoted or not
SELECT '"a*"'::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT '"a.*"'::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT '" a"'::tagquery;
\echo :LAST_ERROR_SQLSTATE
SELECT U&'"key\3000account" & x'::tagquery;

-- equality, btree and hash: DISTINCT, GROUP BY, ORDER BY work
SELECT 'a&b'::tagquery = ' a & ( b ) ' AS same, 'a&b'::tagquery <> 'b&a' AS differs,
	'a & (b & c)'::tagquery = 'a & b & c' AS regrouped_differs;
SELECT DISTINCT q FROM (VALUES ('a&b'::tagquery), ('a & b'), ('(a)&(b)'), ('b|c')) v(q) ORDER BY q;
SET enable_sort = off;
SELECT q, count(*) FROM (VALUES ('a&b'::tagquery), ('a & b'), ('b|c')) v(q) GROUP BY q ORDER BY 1;
RESET enable_sort;
CREATE TEMP TABLE saved_query (q customer_class.tagquery UNIQUE);
INSERT INTO saved_query VALUES ('a & !b');
INSERT INTO saved_query VALUES ('a&!(b)');
\echo :LAST_ERROR_SQLSTATE
DROP TABLE saved_query;
