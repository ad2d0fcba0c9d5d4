-- Tags: the tagset type (a sorted, de-duplicated set of hierarchical tags),
-- the tagquery type (a boolean query over tags), their operators and the
-- btree, hash and GIN operator classes.  See docs/tags.md.

-- ---- tagset ----

CREATE TYPE @extschema@.tagset;

CREATE FUNCTION @extschema@.tagset_in(cstring) RETURNS @extschema@.tagset
	AS 'MODULE_PATHNAME', 'tagset_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_out(@extschema@.tagset) RETURNS cstring
	AS 'MODULE_PATHNAME', 'tagset_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_recv(internal) RETURNS @extschema@.tagset
	AS 'MODULE_PATHNAME', 'tagset_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_send(@extschema@.tagset) RETURNS bytea
	AS 'MODULE_PATHNAME', 'tagset_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.tagset_typanalyze(internal) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_typanalyze' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagset_typanalyze(internal) IS
	'ANALYZE support: standard statistics plus the most common tags (most_common_elems) and a histogram of tags per set';

CREATE TYPE @extschema@.tagset (
	INPUT = @extschema@.tagset_in,
	OUTPUT = @extschema@.tagset_out,
	RECEIVE = @extschema@.tagset_recv,
	SEND = @extschema@.tagset_send,
	ANALYZE = @extschema@.tagset_typanalyze,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = int4,
	STORAGE = extended
);
COMMENT ON TYPE @extschema@.tagset IS
	'sorted, de-duplicated set of hierarchical tags, e.g. {vip,industry.construction,"key account",重点客户}';

-- ---- tagquery ----

CREATE TYPE @extschema@.tagquery;

CREATE FUNCTION @extschema@.tagquery_in(cstring) RETURNS @extschema@.tagquery
	AS 'MODULE_PATHNAME', 'tagquery_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagquery_out(@extschema@.tagquery) RETURNS cstring
	AS 'MODULE_PATHNAME', 'tagquery_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagquery_recv(internal) RETURNS @extschema@.tagquery
	AS 'MODULE_PATHNAME', 'tagquery_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagquery_send(@extschema@.tagquery) RETURNS bytea
	AS 'MODULE_PATHNAME', 'tagquery_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.tagquery (
	INPUT = @extschema@.tagquery_in,
	OUTPUT = @extschema@.tagquery_out,
	RECEIVE = @extschema@.tagquery_recv,
	SEND = @extschema@.tagquery_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = int4,
	STORAGE = extended
);
COMMENT ON TYPE @extschema@.tagquery IS
	'boolean query over tags: & | ! parentheses, quoted tags and prefix.* (the prefix and every tag below it)';

-- ---- conversions ----

CREATE FUNCTION @extschema@.tagset(text[]) RETURNS @extschema@.tagset
	AS 'MODULE_PATHNAME', 'tagset_from_array' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagset(text[]) IS
	'the set of the given tags, sorted and de-duplicated; NULL elements are an error';

CREATE FUNCTION @extschema@.tagset_to_array(@extschema@.tagset) RETURNS text[]
	AS 'MODULE_PATHNAME', 'tagset_to_array' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagset_to_array(@extschema@.tagset) IS
	'the tags as a text array, in byte order';

CREATE FUNCTION @extschema@.tags(@extschema@.tagset) RETURNS SETOF text
	AS 'MODULE_PATHNAME', 'tagset_tags' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
	ROWS 10;
COMMENT ON FUNCTION @extschema@.tags(@extschema@.tagset) IS
	'one row per tag, in byte order';

CREATE FUNCTION @extschema@.cardinality(@extschema@.tagset) RETURNS integer
	AS 'MODULE_PATHNAME', 'tagset_cardinality' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cardinality(@extschema@.tagset) IS
	'number of tags in the set';

CREATE CAST (text[] AS @extschema@.tagset)
	WITH FUNCTION @extschema@.tagset(text[]) AS ASSIGNMENT;
COMMENT ON CAST (text[] AS @extschema@.tagset) IS
	'text array to tagset (sorted, de-duplicated; NULL elements are an error)';
CREATE CAST (@extschema@.tagset AS text[])
	WITH FUNCTION @extschema@.tagset_to_array(@extschema@.tagset);
COMMENT ON CAST (@extschema@.tagset AS text[]) IS 'tagset to text array, in byte order';

-- ---- operator functions ----

CREATE FUNCTION @extschema@.tagset_contains(@extschema@.tagset, @extschema@.tagset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_contains' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_contained(@extschema@.tagset, @extschema@.tagset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_contained' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_overlap(@extschema@.tagset, @extschema@.tagset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_overlap' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_exists(@extschema@.tagset, text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_exists' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_match(@extschema@.tagset, @extschema@.tagquery) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_match' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagquery_match(@extschema@.tagquery, @extschema@.tagset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagquery_match' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_add(@extschema@.tagset, text) RETURNS @extschema@.tagset
	AS 'MODULE_PATHNAME', 'tagset_add' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_remove(@extschema@.tagset, text) RETURNS @extschema@.tagset
	AS 'MODULE_PATHNAME', 'tagset_remove' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_union(@extschema@.tagset, @extschema@.tagset) RETURNS @extschema@.tagset
	AS 'MODULE_PATHNAME', 'tagset_union' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_intersect(@extschema@.tagset, @extschema@.tagset) RETURNS @extschema@.tagset
	AS 'MODULE_PATHNAME', 'tagset_intersect' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_minus(@extschema@.tagset, @extschema@.tagset) RETURNS @extschema@.tagset
	AS 'MODULE_PATHNAME', 'tagset_minus' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_eq(@extschema@.tagset, @extschema@.tagset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_ne(@extschema@.tagset, @extschema@.tagset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_lt(@extschema@.tagset, @extschema@.tagset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_le(@extschema@.tagset, @extschema@.tagset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_gt(@extschema@.tagset, @extschema@.tagset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_ge(@extschema@.tagset, @extschema@.tagset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_cmp(@extschema@.tagset, @extschema@.tagset) RETURNS integer
	AS 'MODULE_PATHNAME', 'tagset_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_hash(@extschema@.tagset) RETURNS integer
	AS 'MODULE_PATHNAME', 'tagset_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_hash_extended(@extschema@.tagset, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'tagset_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Restriction estimators: from the most common tags that ANALYZE collects
-- (tagset_typanalyze), or constants without statistics.  STABLE as they
-- read the statistics, like core's arraycontsel and tsmatchsel.
CREATE FUNCTION @extschema@.tagset_contains_sel(internal, oid, internal, integer) RETURNS float8
	AS 'MODULE_PATHNAME', 'tagset_contains_sel' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagset_contains_sel(internal, oid, internal, integer) IS
	'restriction selectivity of tagset @> tagset: product of the tags'' frequencies (0.1% without statistics)';
CREATE FUNCTION @extschema@.tagset_contained_sel(internal, oid, internal, integer) RETURNS float8
	AS 'MODULE_PATHNAME', 'tagset_contained_sel' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagset_contained_sel(internal, oid, internal, integer) IS
	'restriction selectivity of tagset <@ tagset: from the tags'' frequencies and the histogram of tags per set (0.1% without statistics)';
CREATE FUNCTION @extschema@.tagset_overlap_sel(internal, oid, internal, integer) RETURNS float8
	AS 'MODULE_PATHNAME', 'tagset_overlap_sel' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagset_overlap_sel(internal, oid, internal, integer) IS
	'restriction selectivity of tagset && tagset: 1 - product of (1 - frequency) (0.1% without statistics)';
CREATE FUNCTION @extschema@.tagset_exists_sel(internal, oid, internal, integer) RETURNS float8
	AS 'MODULE_PATHNAME', 'tagset_exists_sel' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagset_exists_sel(internal, oid, internal, integer) IS
	'restriction selectivity of tagset ? text: the tag''s frequency (0.1% without statistics)';
CREATE FUNCTION @extschema@.tagset_match_sel(internal, oid, internal, integer) RETURNS float8
	AS 'MODULE_PATHNAME', 'tagset_match_sel' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagset_match_sel(internal, oid, internal, integer) IS
	'restriction selectivity of tagset @@ tagquery: tag and prefix frequencies combined by the query''s operators (0.5% per tag, 2% per prefix without statistics)';
CREATE FUNCTION @extschema@.tagquery_match_sel(internal, oid, internal, integer) RETURNS float8
	AS 'MODULE_PATHNAME', 'tagquery_match_sel' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagquery_match_sel(internal, oid, internal, integer) IS
	'restriction selectivity of tagquery @@ tagset, as tagset_match_sel';

-- ---- operators ----

CREATE OPERATOR @extschema@.@> (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_contains,
	COMMUTATOR = OPERATOR(@extschema@.<@),
	RESTRICT = @extschema@.tagset_contains_sel, JOIN = pg_catalog.contjoinsel
);
COMMENT ON OPERATOR @extschema@.@> (@extschema@.tagset, @extschema@.tagset) IS 'contains every tag of';

CREATE OPERATOR @extschema@.<@ (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_contained,
	COMMUTATOR = OPERATOR(@extschema@.@>),
	RESTRICT = @extschema@.tagset_contained_sel, JOIN = pg_catalog.contjoinsel
);
COMMENT ON OPERATOR @extschema@.<@ (@extschema@.tagset, @extschema@.tagset) IS 'every tag is in';

CREATE OPERATOR @extschema@.&& (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_overlap,
	COMMUTATOR = OPERATOR(@extschema@.&&),
	RESTRICT = @extschema@.tagset_overlap_sel, JOIN = pg_catalog.contjoinsel
);
COMMENT ON OPERATOR @extschema@.&& (@extschema@.tagset, @extschema@.tagset) IS 'has a tag in common with';

CREATE OPERATOR @extschema@.? (
	LEFTARG = @extschema@.tagset, RIGHTARG = text,
	FUNCTION = @extschema@.tagset_exists,
	RESTRICT = @extschema@.tagset_exists_sel, JOIN = pg_catalog.contjoinsel
);
COMMENT ON OPERATOR @extschema@.? (@extschema@.tagset, text) IS 'holds exactly this tag (no hierarchy)';

CREATE OPERATOR @extschema@.@@ (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagquery,
	FUNCTION = @extschema@.tagset_match,
	COMMUTATOR = OPERATOR(@extschema@.@@),
	RESTRICT = @extschema@.tagset_match_sel, JOIN = pg_catalog.contjoinsel
);
COMMENT ON OPERATOR @extschema@.@@ (@extschema@.tagset, @extschema@.tagquery) IS 'matches the tag query';

CREATE OPERATOR @extschema@.@@ (
	LEFTARG = @extschema@.tagquery, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagquery_match,
	COMMUTATOR = OPERATOR(@extschema@.@@),
	RESTRICT = @extschema@.tagquery_match_sel, JOIN = pg_catalog.contjoinsel
);
COMMENT ON OPERATOR @extschema@.@@ (@extschema@.tagquery, @extschema@.tagset) IS 'the tag query matches';

CREATE OPERATOR @extschema@.+ (
	LEFTARG = @extschema@.tagset, RIGHTARG = text,
	FUNCTION = @extschema@.tagset_add
);
COMMENT ON OPERATOR @extschema@.+ (@extschema@.tagset, text) IS 'add one tag';

CREATE OPERATOR @extschema@.- (
	LEFTARG = @extschema@.tagset, RIGHTARG = text,
	FUNCTION = @extschema@.tagset_remove
);
COMMENT ON OPERATOR @extschema@.- (@extschema@.tagset, text) IS 'remove one tag (if present)';

CREATE OPERATOR @extschema@.| (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_union,
	COMMUTATOR = OPERATOR(@extschema@.|)
);
COMMENT ON OPERATOR @extschema@.| (@extschema@.tagset, @extschema@.tagset) IS 'union';

CREATE OPERATOR @extschema@.& (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_intersect,
	COMMUTATOR = OPERATOR(@extschema@.&)
);
COMMENT ON OPERATOR @extschema@.& (@extschema@.tagset, @extschema@.tagset) IS 'intersection';

CREATE OPERATOR @extschema@.- (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_minus
);
COMMENT ON OPERATOR @extschema@.- (@extschema@.tagset, @extschema@.tagset) IS 'difference';

CREATE OPERATOR @extschema@.= (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
	RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel,
	HASHES, MERGES
);
COMMENT ON OPERATOR @extschema@.= (@extschema@.tagset, @extschema@.tagset) IS 'same tags';

CREATE OPERATOR @extschema@.<> (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
	RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
COMMENT ON OPERATOR @extschema@.<> (@extschema@.tagset, @extschema@.tagset) IS 'different tags';

CREATE OPERATOR @extschema@.< (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_lt,
	COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
	RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel
);
COMMENT ON OPERATOR @extschema@.< (@extschema@.tagset, @extschema@.tagset) IS 'sorts before (tag by tag in byte order)';

CREATE OPERATOR @extschema@.<= (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_le,
	COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
	RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel
);
COMMENT ON OPERATOR @extschema@.<= (@extschema@.tagset, @extschema@.tagset) IS 'sorts before or equal';

CREATE OPERATOR @extschema@.> (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_gt,
	COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
	RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel
);
COMMENT ON OPERATOR @extschema@.> (@extschema@.tagset, @extschema@.tagset) IS 'sorts after';

CREATE OPERATOR @extschema@.>= (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_ge,
	COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
	RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel
);
COMMENT ON OPERATOR @extschema@.>= (@extschema@.tagset, @extschema@.tagset) IS 'sorts after or equal';

-- ---- operator classes ----

CREATE OPERATOR CLASS @extschema@.tagset_ops
	DEFAULT FOR TYPE @extschema@.tagset USING btree AS
		OPERATOR 1 @extschema@.<,
		OPERATOR 2 @extschema@.<=,
		OPERATOR 3 @extschema@.=,
		OPERATOR 4 @extschema@.>=,
		OPERATOR 5 @extschema@.>,
		FUNCTION 1 @extschema@.tagset_cmp(@extschema@.tagset, @extschema@.tagset);

CREATE OPERATOR CLASS @extschema@.tagset_ops
	DEFAULT FOR TYPE @extschema@.tagset USING hash AS
		OPERATOR 1 @extschema@.=,
		FUNCTION 1 @extschema@.tagset_hash(@extschema@.tagset),
		FUNCTION 2 @extschema@.tagset_hash_extended(@extschema@.tagset, bigint);

CREATE FUNCTION @extschema@.tagset_gin_compare(text, text) RETURNS integer
	AS 'MODULE_PATHNAME', 'tagset_gin_compare' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_gin_extract_value(@extschema@.tagset, internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'tagset_gin_extract_value' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_gin_extract_query(internal, internal, int2, internal, internal, internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'tagset_gin_extract_query' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_gin_consistent(internal, int2, internal, int4, internal, internal, internal, internal) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_gin_consistent' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_gin_compare_partial(text, text, int2, internal) RETURNS integer
	AS 'MODULE_PATHNAME', 'tagset_gin_compare_partial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_gin_tri_consistent(internal, int2, internal, int4, internal, internal, internal) RETURNS "char"
	AS 'MODULE_PATHNAME', 'tagset_gin_tri_consistent' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR CLASS @extschema@.tagset_ops
	DEFAULT FOR TYPE @extschema@.tagset USING gin AS
		OPERATOR 1 @extschema@.&& (@extschema@.tagset, @extschema@.tagset),
		OPERATOR 2 @extschema@.@> (@extschema@.tagset, @extschema@.tagset),
		OPERATOR 3 @extschema@.<@ (@extschema@.tagset, @extschema@.tagset),
		OPERATOR 4 @extschema@.? (@extschema@.tagset, text),
		OPERATOR 5 @extschema@.@@ (@extschema@.tagset, @extschema@.tagquery),
		FUNCTION 1 @extschema@.tagset_gin_compare(text, text),
		FUNCTION 2 @extschema@.tagset_gin_extract_value(@extschema@.tagset, internal, internal),
		FUNCTION 3 @extschema@.tagset_gin_extract_query(internal, internal, int2, internal, internal, internal, internal),
		FUNCTION 4 @extschema@.tagset_gin_consistent(internal, int2, internal, int4, internal, internal, internal, internal),
		FUNCTION 5 @extschema@.tagset_gin_compare_partial(text, text, int2, internal),
		FUNCTION 6 @extschema@.tagset_gin_tri_consistent(internal, int2, internal, int4, internal, internal, internal),
		STORAGE text;

COMMENT ON OPERATOR CLASS @extschema@.tagset_ops USING btree IS
	'total order of tagsets: tag by tag in byte order, then the shorter set first';
COMMENT ON OPERATOR CLASS @extschema@.tagset_ops USING hash IS 'hashing of tagsets (GROUP BY, DISTINCT, hash joins)';
COMMENT ON OPERATOR CLASS @extschema@.tagset_ops USING gin IS
	'GIN index over the tags: && @> <@ ? and @@ (prefix.* by partial match)';


-- ---- tagquery equality, btree and hash ----

CREATE FUNCTION @extschema@.tagquery_eq(@extschema@.tagquery, @extschema@.tagquery) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagquery_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagquery_eq(@extschema@.tagquery, @extschema@.tagquery) IS
	'implementation of tagquery = tagquery: the same stored query (whitespace, quoting and redundant parentheses aside)';
CREATE FUNCTION @extschema@.tagquery_ne(@extschema@.tagquery, @extschema@.tagquery) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagquery_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagquery_ne(@extschema@.tagquery, @extschema@.tagquery) IS
	'implementation of tagquery <> tagquery';
CREATE FUNCTION @extschema@.tagquery_lt(@extschema@.tagquery, @extschema@.tagquery) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagquery_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagquery_lt(@extschema@.tagquery, @extschema@.tagquery) IS
	'implementation of tagquery < tagquery (byte order of the stored form)';
CREATE FUNCTION @extschema@.tagquery_le(@extschema@.tagquery, @extschema@.tagquery) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagquery_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagquery_le(@extschema@.tagquery, @extschema@.tagquery) IS
	'implementation of tagquery <= tagquery';
CREATE FUNCTION @extschema@.tagquery_gt(@extschema@.tagquery, @extschema@.tagquery) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagquery_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagquery_gt(@extschema@.tagquery, @extschema@.tagquery) IS
	'implementation of tagquery > tagquery';
CREATE FUNCTION @extschema@.tagquery_ge(@extschema@.tagquery, @extschema@.tagquery) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagquery_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagquery_ge(@extschema@.tagquery, @extschema@.tagquery) IS
	'implementation of tagquery >= tagquery';
CREATE FUNCTION @extschema@.tagquery_cmp(@extschema@.tagquery, @extschema@.tagquery) RETURNS integer
	AS 'MODULE_PATHNAME', 'tagquery_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagquery_cmp(@extschema@.tagquery, @extschema@.tagquery) IS
	'btree support: -1, 0 or 1 comparing the stored forms of two tagqueries';
CREATE FUNCTION @extschema@.tagquery_hash(@extschema@.tagquery) RETURNS integer
	AS 'MODULE_PATHNAME', 'tagquery_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagquery_hash(@extschema@.tagquery) IS
	'hash support: 32-bit hash of a tagquery''s stored form';
CREATE FUNCTION @extschema@.tagquery_hash_extended(@extschema@.tagquery, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'tagquery_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagquery_hash_extended(@extschema@.tagquery, bigint) IS
	'hash support: seeded 64-bit hash of a tagquery''s stored form';

CREATE OPERATOR @extschema@.= (
	LEFTARG = @extschema@.tagquery, RIGHTARG = @extschema@.tagquery,
	FUNCTION = @extschema@.tagquery_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
	RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel,
	HASHES, MERGES
);
COMMENT ON OPERATOR @extschema@.= (@extschema@.tagquery, @extschema@.tagquery) IS
	'same query (as stored: whitespace, quoting and redundant parentheses aside)';

CREATE OPERATOR @extschema@.<> (
	LEFTARG = @extschema@.tagquery, RIGHTARG = @extschema@.tagquery,
	FUNCTION = @extschema@.tagquery_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
	RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
COMMENT ON OPERATOR @extschema@.<> (@extschema@.tagquery, @extschema@.tagquery) IS 'different query';

CREATE OPERATOR @extschema@.< (
	LEFTARG = @extschema@.tagquery, RIGHTARG = @extschema@.tagquery,
	FUNCTION = @extschema@.tagquery_lt,
	COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
	RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel
);
COMMENT ON OPERATOR @extschema@.< (@extschema@.tagquery, @extschema@.tagquery) IS 'sorts before (byte order of the stored form)';

CREATE OPERATOR @extschema@.<= (
	LEFTARG = @extschema@.tagquery, RIGHTARG = @extschema@.tagquery,
	FUNCTION = @extschema@.tagquery_le,
	COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
	RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel
);
COMMENT ON OPERATOR @extschema@.<= (@extschema@.tagquery, @extschema@.tagquery) IS 'sorts before or equal';

CREATE OPERATOR @extschema@.> (
	LEFTARG = @extschema@.tagquery, RIGHTARG = @extschema@.tagquery,
	FUNCTION = @extschema@.tagquery_gt,
	COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
	RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel
);
COMMENT ON OPERATOR @extschema@.> (@extschema@.tagquery, @extschema@.tagquery) IS 'sorts after';

CREATE OPERATOR @extschema@.>= (
	LEFTARG = @extschema@.tagquery, RIGHTARG = @extschema@.tagquery,
	FUNCTION = @extschema@.tagquery_ge,
	COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
	RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel
);
COMMENT ON OPERATOR @extschema@.>= (@extschema@.tagquery, @extschema@.tagquery) IS 'sorts after or equal';

CREATE OPERATOR CLASS @extschema@.tagquery_ops
	DEFAULT FOR TYPE @extschema@.tagquery USING btree AS
		OPERATOR 1 @extschema@.< (@extschema@.tagquery, @extschema@.tagquery),
		OPERATOR 2 @extschema@.<= (@extschema@.tagquery, @extschema@.tagquery),
		OPERATOR 3 @extschema@.= (@extschema@.tagquery, @extschema@.tagquery),
		OPERATOR 4 @extschema@.>= (@extschema@.tagquery, @extschema@.tagquery),
		OPERATOR 5 @extschema@.> (@extschema@.tagquery, @extschema@.tagquery),
		FUNCTION 1 @extschema@.tagquery_cmp(@extschema@.tagquery, @extschema@.tagquery);
COMMENT ON OPERATOR CLASS @extschema@.tagquery_ops USING btree IS
	'total order of tagqueries by their stored form (for DISTINCT, GROUP BY, unique indexes)';

CREATE OPERATOR CLASS @extschema@.tagquery_ops
	DEFAULT FOR TYPE @extschema@.tagquery USING hash AS
		OPERATOR 1 @extschema@.= (@extschema@.tagquery, @extschema@.tagquery),
		FUNCTION 1 @extschema@.tagquery_hash(@extschema@.tagquery),
		FUNCTION 2 @extschema@.tagquery_hash_extended(@extschema@.tagquery, bigint);
COMMENT ON OPERATOR CLASS @extschema@.tagquery_ops USING hash IS
	'hashing of tagqueries (GROUP BY, DISTINCT, hash joins)';

-- ---- comments on the I/O, operator and support functions ----

COMMENT ON FUNCTION @extschema@.tagset_in(cstring) IS
	'tagset text input: {tag,tag,...}';
COMMENT ON FUNCTION @extschema@.tagset_out(@extschema@.tagset) IS
	'tagset text output, sorted, tags quoted where needed';
COMMENT ON FUNCTION @extschema@.tagset_recv(internal) IS
	'tagset binary input (version byte, count, length-prefixed tags)';
COMMENT ON FUNCTION @extschema@.tagset_send(@extschema@.tagset) IS
	'tagset binary output';
COMMENT ON FUNCTION @extschema@.tagquery_in(cstring) IS
	'tagquery text input: & | ! ( ) quoted tags and prefix.*';
COMMENT ON FUNCTION @extschema@.tagquery_out(@extschema@.tagquery) IS
	'tagquery text output, normalised (minimal parentheses)';
COMMENT ON FUNCTION @extschema@.tagquery_recv(internal) IS
	'tagquery binary input (version byte, count, postfix items)';
COMMENT ON FUNCTION @extschema@.tagquery_send(@extschema@.tagquery) IS
	'tagquery binary output';
COMMENT ON FUNCTION @extschema@.tagset_contains(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset @> tagset: the first holds every tag of the second';
COMMENT ON FUNCTION @extschema@.tagset_contained(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset <@ tagset: every tag of the first is in the second';
COMMENT ON FUNCTION @extschema@.tagset_overlap(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset && tagset: the sets share a tag';
COMMENT ON FUNCTION @extschema@.tagset_exists(@extschema@.tagset, text) IS
	'implementation of tagset ? text: the set holds exactly this tag (no hierarchy)';
COMMENT ON FUNCTION @extschema@.tagset_match(@extschema@.tagset, @extschema@.tagquery) IS
	'implementation of tagset @@ tagquery: the set matches the query';
COMMENT ON FUNCTION @extschema@.tagquery_match(@extschema@.tagquery, @extschema@.tagset) IS
	'implementation of tagquery @@ tagset: the query matches the set';
COMMENT ON FUNCTION @extschema@.tagset_add(@extschema@.tagset, text) IS
	'implementation of tagset + text: the set with one more tag (checked)';
COMMENT ON FUNCTION @extschema@.tagset_remove(@extschema@.tagset, text) IS
	'implementation of tagset - text: the set without this tag, if it held it';
COMMENT ON FUNCTION @extschema@.tagset_union(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset | tagset: union';
COMMENT ON FUNCTION @extschema@.tagset_intersect(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset & tagset: intersection';
COMMENT ON FUNCTION @extschema@.tagset_minus(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset - tagset: difference';
COMMENT ON FUNCTION @extschema@.tagset_eq(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset = tagset: same tags';
COMMENT ON FUNCTION @extschema@.tagset_ne(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset <> tagset: different tags';
COMMENT ON FUNCTION @extschema@.tagset_lt(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset < tagset (tag by tag in byte order, then the shorter set first)';
COMMENT ON FUNCTION @extschema@.tagset_le(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset <= tagset';
COMMENT ON FUNCTION @extschema@.tagset_gt(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset > tagset';
COMMENT ON FUNCTION @extschema@.tagset_ge(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset >= tagset';
COMMENT ON FUNCTION @extschema@.tagset_cmp(@extschema@.tagset, @extschema@.tagset) IS
	'btree support: -1, 0 or 1 as the first tagset sorts before, equal to or after the second';
COMMENT ON FUNCTION @extschema@.tagset_hash(@extschema@.tagset) IS
	'hash support: 32-bit hash of a tagset';
COMMENT ON FUNCTION @extschema@.tagset_hash_extended(@extschema@.tagset, bigint) IS
	'hash support: seeded 64-bit hash of a tagset';
COMMENT ON FUNCTION @extschema@.tagset_gin_compare(text, text) IS
	'GIN support: order of index keys (tags, byte order)';
COMMENT ON FUNCTION @extschema@.tagset_gin_extract_value(@extschema@.tagset, internal, internal) IS
	'GIN support: the tags of an indexed tagset';
COMMENT ON FUNCTION @extschema@.tagset_gin_extract_query(internal, internal, int2, internal, internal, internal, internal) IS
	'GIN support: the keys a query needs (prefixes as partial matches)';
COMMENT ON FUNCTION @extschema@.tagset_gin_consistent(internal, int2, internal, int4, internal, internal, internal, internal) IS
	'GIN support: does an item with these keys match (binary logic)';
COMMENT ON FUNCTION @extschema@.tagset_gin_compare_partial(text, text, int2, internal) IS
	'GIN support: does an index key lie under a query prefix';
COMMENT ON FUNCTION @extschema@.tagset_gin_tri_consistent(internal, int2, internal, int4, internal, internal, internal) IS
	'GIN support: does an item with these keys match (ternary logic)';
