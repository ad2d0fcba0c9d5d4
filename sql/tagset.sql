-- tagset: text and binary I/O, validation, limits, conversions, operators,
-- btree and hash opclasses.
SET search_path = customer_class, public;

-- text form: sorted by bytes, de-duplicated, quoted only where needed
SELECT '{vip,industry.construction,"key account",重点客户}'::tagset;
SELECT '{ b , a,a, "x\"y", "back\\slash", c }'::tagset;
SELECT '{}'::tagset AS empty, ' { } '::tagset AS spaced, '{"a"}'::tagset AS quoted_plain;
SELECT '{"{braces}","com,ma","sp ace"}'::tagset;
SELECT '{"{braces}","com,ma","in side"}'::tagset::text::tagset = '{"{braces}","com,ma","in side"}'::tagset AS reparses;
-- byte order, not collation order; case-sensitive
SELECT '{b,B,a.b,a-b,a,ab,"a b"}'::tagset;

-- malformed literals: 22P02 with the position
SELECT 'vip'::tagset;
\echo :LAST_ERROR_SQLSTATE
SELECT '{a,}'::tagset;
\echo :LAST_ERROR_SQLSTATE
SELECT '{,a}'::tagset;
\echo :LAST_ERROR_SQLSTATE
SELECT '{a'::tagset;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"a}'::tagset;
\echo :LAST_ERROR_SQLSTATE
SELECT '{a}x'::tagset;
\echo :LAST_ERROR_SQLSTATE
SELECT '{a{b}'::tagset;
\echo :LAST_ERROR_SQLSTATE
SELECT '{a\b}'::tagset;
\echo :LAST_ERROR_SQLSTATE
SELECT '{a "b"}'::tagset;
\echo :LAST_ERROR_SQLSTATE
SELECT '{""}'::tagset;
\echo :LAST_ERROR_SQLSTATE
SELECT '{a..b}'::tagset;
\echo :LAST_ERROR_SQLSTATE
SELECT '{重点客户,.a}'::tagset;
\echo :LAST_ERROR_SQLSTATE
SELECT '{a.}'::tagset;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"."}'::tagset;
\echo :LAST_ERROR_SQLSTATE
SELECT E'{"a\tb"}'::tagset;
\echo :LAST_ERROR_SQLSTATE
SELECT '{重点客户}x'::tagset;
\echo :LAST_ERROR_SQLSTATE

-- limits: 255 bytes per tag, 1000 tags per set (54000)
SELECT cardinality(tagset(ARRAY[repeat('x', 255)]));
SELECT tagset(ARRAY[repeat('x', 256)]);
\echo :LAST_ERROR_SQLSTATE
SELECT ('{' || repeat('y', 300) || '}')::tagset;
\echo :LAST_ERROR_SQLSTATE
SELECT cardinality(tagset(array_agg('t' || i))) FROM generate_series(1, 1000) i;
SELECT tagset(array_agg('t' || i)) FROM generate_series(1, 1001) i;
\echo :LAST_ERROR_SQLSTATE
-- duplicates do not count against the limit
SELECT cardinality(tagset(array_agg('t' || (i % 10)))) FROM generate_series(1, 5000) i;
SELECT tagset(array_agg('a' || i)) | tagset(array_agg('b' || i)) FROM generate_series(1, 600) i;
\echo :LAST_ERROR_SQLSTATE

-- conversions
SELECT tagset(ARRAY['b', 'a', 'b']), tagset('{}'::text[]);
SELECT tagset(ARRAY['b', NULL]);
\echo :LAST_ERROR_SQLSTATE
SELECT tagset(ARRAY['ok', 'a..b']);
\echo :LAST_ERROR_SQLSTATE
SELECT ARRAY['x', 'a.b']::tagset, '{x,"key account"}'::tagset::text[];
SELECT tags('{vip,industry.construction,重点客户}');
SELECT cardinality('{a,b,a}'::tagset), cardinality('{}'::tagset);
CREATE TEMP TABLE assign_test (t tagset);
INSERT INTO assign_test VALUES (ARRAY['z', 'y']);
SELECT * FROM assign_test;

-- set relations
SELECT '{a,b}'::tagset @> '{a}' AS contains, '{a}'::tagset @> '{a,b}' AS not_contains,
       '{a,b}'::tagset @> '{}' AS contains_empty,
       '{a}'::tagset <@ '{a,b}' AS contained, '{}'::tagset <@ '{}' AS empty_in_empty,
       '{a,b}'::tagset && '{c,b}' AS overlaps, '{a}'::tagset && '{}' AS overlaps_empty;
-- ? is exact membership, no hierarchy
SELECT '{region.east.shanghai}'::tagset ? 'region.east.shanghai' AS exact,
       '{region.east.shanghai}'::tagset ? 'region.east' AS ancestor,
       '{region.east}'::tagset ? 'region.east.shanghai' AS descendant,
       '{vip}'::tagset ? 'VIP' AS case_sensitive;

-- set algebra; a literal after - is a tagset, use ::text to remove one tag
SELECT '{a,b}'::tagset | '{c,a}' AS "union", '{a,b}'::tagset & '{b,c}' AS intersection,
       '{a,b,c}'::tagset - '{b,x}'::tagset AS difference;
SELECT '{a}'::tagset + 'z' AS added, '{a}'::tagset + 'a' AS already,
       '{a,z}'::tagset - 'z'::text AS removed, '{a}'::tagset - 'q'::text AS absent,
       '{a,z}'::tagset - '{z}' AS set_minus;
SELECT '{a}'::tagset + 'bad..tag';
\echo :LAST_ERROR_SQLSTATE

-- equality, order, hashing
SELECT '{b,a}'::tagset = '{a,b}' AS eq, '{a}'::tagset <> '{a,b}' AS ne;
SELECT t FROM (VALUES ('{b}'::tagset), ('{a,c}'), ('{}'), ('{a}'), ('{a,b}'), ('{a.b}')) v(t) ORDER BY t;
SELECT t, count(*) FROM (VALUES ('{b,a}'::tagset), ('{a,b}'), ('{}'), ('{a}'), ('{}')) v(t)
GROUP BY t ORDER BY t;
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT DISTINCT t FROM (VALUES ('{b,a}'::tagset), ('{a,b}')) v(t);
SELECT DISTINCT t FROM (VALUES ('{b,a}'::tagset), ('{a,b}')) v(t);
RESET enable_sort;
CREATE TEMP TABLE l (id int, t tagset);
CREATE TEMP TABLE r (id int, t tagset);
INSERT INTO l SELECT i, tagset(ARRAY['k' || (i % 7), 'x']) FROM generate_series(1, 100) i;
INSERT INTO r SELECT i, tagset(ARRAY['x', 'k' || i]) FROM generate_series(0, 6) i;
ANALYZE l;
ANALYZE r;
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM l JOIN r USING (t);
SELECT count(*) FROM l JOIN r USING (t);
RESET enable_mergejoin;
RESET enable_nestloop;
CREATE INDEX l_t_btree ON l (t);
CREATE INDEX l_t_hash ON l USING hash (t);
SELECT tagset_hash('{a,b}') = tagset_hash(tagset(ARRAY['b', 'a'])) AS same_hash,
       tagset_hash_extended('{a,b}', 0) = tagset_hash_extended('{b,a}', 0) AS same_hash_ext;

-- binary send/recv: round trip through COPY (FORMAT binary)
CREATE TEMP TABLE bin_src (t tagset);
INSERT INTO bin_src VALUES ('{vip,"key account",重点客户,region.east.shanghai}'), ('{}');
DO $$ BEGIN
	EXECUTE format('COPY bin_src TO %L (FORMAT binary)', current_setting('data_directory') || '/tagset_test.bin');
END $$;
CREATE TEMP TABLE bin_dst (t tagset);
COPY bin_dst FROM 'tagset_test.bin' (FORMAT binary);
SELECT t, t IN (SELECT t FROM bin_src) AS same FROM bin_dst;
SELECT tagset_send('{b,a}');

-- malformed binary input: a COPY binary file with one field holding payload
CREATE FUNCTION pg_temp.copy_file(payload bytea) RETURNS bytea LANGUAGE sql AS $$
	SELECT '\x5047434f50590aff0d0a00'::bytea || '\x0000000000000000'::bytea
		|| '\x0001'::bytea || int4send(length(payload)) || payload || '\xffff'::bytea
$$;
CREATE FUNCTION pg_temp.recv_test(payload bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	lo oid := lo_from_bytea(0, pg_temp.copy_file(payload));
BEGIN
	PERFORM lo_export(lo, 'tagset_recv_test.bin');
	PERFORM lo_unlink(lo);
	TRUNCATE bin_dst;
	COPY bin_dst FROM 'tagset_recv_test.bin' (FORMAT binary);
	RETURN (SELECT t::text FROM bin_dst);
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
-- unsorted, duplicated input is put in order
SELECT pg_temp.recv_test('\x01' || int4send(3) || int4send(1) || 'b'::bytea || int4send(1) || 'a'::bytea || int4send(1) || 'b'::bytea);
SELECT pg_temp.recv_test('\x02' || int4send(0));
SELECT pg_temp.recv_test('\x01' || int4send(-1));
SELECT pg_temp.recv_test('\x01' || int4send(2000000000));
SELECT pg_temp.recv_test('\x01' || int4send(1) || int4send(1000000) || 'a'::bytea);
SELECT pg_temp.recv_test('\x01' || int4send(1) || int4send(0));
SELECT pg_temp.recv_test('\x01' || int4send(1) || int4send(3) || 'a..'::bytea);
SELECT pg_temp.recv_test('\x01' || int4send(1) || int4send(2) || '\xc328'::bytea);
SELECT pg_temp.recv_test('\x01' || int4send(1) || int4send(1) || 'a'::bytea || 'trailing'::bytea);

-- whitespace: inside a label only; the same rule for text, text[] and +
SELECT '{ vip , "key account" }'::tagset;
SELECT '{" vip"}'::tagset;
\echo :LAST_ERROR_SQLSTATE
SELECT tagset(ARRAY['vip ']);
\echo :LAST_ERROR_SQLSTATE
SELECT tagset(ARRAY['   ']);
\echo :LAST_ERROR_SQLSTATE
SELECT '{a. b}'::tagset;
\echo :LAST_ERROR_SQLSTATE
SELECT '{}'::tagset + ' x';
\echo :LAST_ERROR_SQLSTATE
-- Unicode whitespace (U+3000 ideographic space, U+00A0) counts as whitespace
SELECT U&'{\91CD\70B9\5BA2\6237\3000,\3000vip}'::tagset;
SELECT tagset(ARRAY[U&'\3000vip']);
\echo :LAST_ERROR_SQLSTATE
SELECT tagset(ARRAY[U&'vip\00A0']);
\echo :LAST_ERROR_SQLSTATE
SELECT tagset(ARRAY[U&'key\3000account']);
-- C1 control characters are rejected like C0 ones
SELECT tagset(ARRAY[U&'a\0085b']);
\echo :LAST_ERROR_SQLSTATE
SELECT tagset(ARRAY[U&'a\009Fb']);
\echo :LAST_ERROR_SQLSTATE
-- a tag named NULL is quoted, so the text form is a safe text[] literal
SELECT '{"NULL",null,x}'::tagset;
SELECT '{"NULL"}'::tagset::text::text[] AS arr, ('{"NULL"}'::tagset::text::text[])[1] IS NULL AS is_null;
-- "*" is reserved for prefix queries: no tag contains it
SELECT '{a.*}'::tagset;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"a*b"}'::tagset;
\echo :LAST_ERROR_SQLSTATE
SELECT tagset(ARRAY['*']);
\echo :LAST_ERROR_SQLSTATE
-- tags - 'x' reads 'x' as a tagset literal: the error says what to write
SELECT '{a,x}'::tagset - 'x';
SELECT '{a,x}'::tagset - 'x'::text;
