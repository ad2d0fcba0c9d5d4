-- Receivables aging: the aging type, aging_bucket() and the aging_agg()
-- aggregate.  See docs/receivables.md for the rules and examples.

CREATE TYPE @extschema@.aging;

CREATE FUNCTION @extschema@.aging_in(cstring) RETURNS @extschema@.aging
	AS 'MODULE_PATHNAME', 'aging_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.aging_out(@extschema@.aging) RETURNS cstring
	AS 'MODULE_PATHNAME', 'aging_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.aging_recv(internal) RETURNS @extschema@.aging
	AS 'MODULE_PATHNAME', 'aging_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.aging_send(@extschema@.aging) RETURNS bytea
	AS 'MODULE_PATHNAME', 'aging_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.aging (
	INPUT = @extschema@.aging_in,
	OUTPUT = @extschema@.aging_out,
	RECEIVE = @extschema@.aging_recv,
	SEND = @extschema@.aging_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = plain
);
COMMENT ON TYPE @extschema@.aging IS
	'open amounts per aging bucket with the bounds they were built with; text form {"bounds": [30, 60, 90], "current": 0.00, "1-30": 0.00, "31-60": 0.00, "61-90": 0.00, "91+": 0.00}';

CREATE FUNCTION @extschema@.aging_bucket(days_past_due integer, bounds integer[] DEFAULT '{30,60,90}')
	RETURNS text
	AS 'MODULE_PATHNAME', 'aging_bucket' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_bucket(integer, integer[]) IS
	'aging bucket label of a number of days past due: current (<= 0), 1-30, 31-60, 61-90, 91+ for bounds {30,60,90}';

-- transition and combine functions of aging_agg
CREATE FUNCTION @extschema@.aging_accum(@extschema@.aging, numeric, date, date)
	RETURNS @extschema@.aging
	AS 'MODULE_PATHNAME', 'aging_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.aging_accum(@extschema@.aging, numeric, date, date, integer[])
	RETURNS @extschema@.aging
	AS 'MODULE_PATHNAME', 'aging_accum_bounds' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.aging_combine(@extschema@.aging, @extschema@.aging)
	RETURNS @extschema@.aging
	AS 'MODULE_PATHNAME', 'aging_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.aging_agg(amount numeric, due_on date, as_of date) (
	SFUNC = @extschema@.aging_accum,
	STYPE = @extschema@.aging,
	COMBINEFUNC = @extschema@.aging_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.aging_agg(numeric, date, date) IS
	'open amounts per aging bucket (bounds {30,60,90}) as of a date; NULL amounts are skipped, a NULL due date counts as current';

CREATE AGGREGATE @extschema@.aging_agg(amount numeric, due_on date, as_of date, bounds integer[]) (
	SFUNC = @extschema@.aging_accum,
	STYPE = @extschema@.aging,
	COMBINEFUNC = @extschema@.aging_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.aging_agg(numeric, date, date, integer[]) IS
	'open amounts per aging bucket with the given bounds (the same in every row) as of a date';

CREATE FUNCTION @extschema@.aging_add(@extschema@.aging, @extschema@.aging)
	RETURNS @extschema@.aging
	AS 'MODULE_PATHNAME', 'aging_add' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.+ (
	LEFTARG = @extschema@.aging,
	RIGHTARG = @extschema@.aging,
	FUNCTION = @extschema@.aging_add,
	COMMUTATOR = OPERATOR(@extschema@.+)
);
COMMENT ON OPERATOR @extschema@.+ (@extschema@.aging, @extschema@.aging) IS
	'bucket-wise sum of two agings with the same bounds';

CREATE FUNCTION @extschema@.aging_get(@extschema@.aging, text) RETURNS numeric
	AS 'MODULE_PATHNAME', 'aging_get' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_get(@extschema@.aging, text) IS
	'amount of the bucket with that label, or ''total''; NULL for an unknown label: the function of the operator ->, to call schema-qualified when customer_class is not on the search_path';
CREATE OPERATOR @extschema@.-> (
	LEFTARG = @extschema@.aging,
	RIGHTARG = text,
	FUNCTION = @extschema@.aging_get
);
COMMENT ON OPERATOR @extschema@.-> (@extschema@.aging, text) IS
	'amount of the bucket with that label (''current'', ''1-30'', ..., or ''total''); NULL for an unknown label';

CREATE FUNCTION @extschema@.aging_total(@extschema@.aging) RETURNS numeric
	AS 'MODULE_PATHNAME', 'aging_total' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_total(@extschema@.aging) IS
	'sum of all buckets (unapplied credits included)';

CREATE FUNCTION @extschema@.aging_bounds(@extschema@.aging) RETURNS integer[]
	AS 'MODULE_PATHNAME', 'aging_bounds' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_bounds(@extschema@.aging) IS
	'the bucket bounds an aging was built with';

CREATE FUNCTION @extschema@.aging_jsonb(@extschema@.aging) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'aging_jsonb' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_jsonb(@extschema@.aging) IS
	'the aging as jsonb: {"bounds": [...], "current": ..., ..., "total": ...}, amounts as exact numerics';
CREATE CAST (@extschema@.aging AS jsonb) WITH FUNCTION @extschema@.aging_jsonb(@extschema@.aging);

CREATE FUNCTION @extschema@.aging_buckets(@extschema@.aging,
	OUT label text, OUT lower integer, OUT upper integer, OUT amount numeric)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'aging_buckets' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION @extschema@.aging_buckets(@extschema@.aging) IS
	'the buckets as rows: label, lower and upper days past due (NULL = open-ended), amount';

CREATE FUNCTION @extschema@.aging_allowance(@extschema@.aging, rates numeric[]) RETURNS numeric
	AS 'MODULE_PATHNAME', 'aging_allowance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_allowance(@extschema@.aging, numeric[]) IS
	'doubtful-accounts allowance: sum of bucket amount x rate, one rate (0-1) per bucket';

-- sum(aging): bucket-wise total of aging values (per class, per region ...);
-- the transition function is the combine function, as for pgvector's sum(vector)
CREATE AGGREGATE @extschema@.sum(@extschema@.aging) (
	SFUNC = @extschema@.aging_combine,
	STYPE = @extschema@.aging,
	COMBINEFUNC = @extschema@.aging_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sum(@extschema@.aging) IS
	'bucket-wise total of aging values with the same bounds';

-- Equality (same bounds, same amount in every bucket whatever the scale:
-- 1.5 = 1.50) and hashing, so DISTINCT, GROUP BY, UNION and hash joins work
-- on aging values.  There is no order: agings are not ranked.
CREATE FUNCTION @extschema@.aging_eq(@extschema@.aging, @extschema@.aging) RETURNS boolean
	AS 'MODULE_PATHNAME', 'aging_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_eq(@extschema@.aging, @extschema@.aging) IS
	'same bounds and the same amount in every bucket';
CREATE FUNCTION @extschema@.aging_ne(@extschema@.aging, @extschema@.aging) RETURNS boolean
	AS 'MODULE_PATHNAME', 'aging_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_ne(@extschema@.aging, @extschema@.aging) IS
	'other bounds or another amount in some bucket';
CREATE FUNCTION @extschema@.aging_hash(@extschema@.aging) RETURNS integer
	AS 'MODULE_PATHNAME', 'aging_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_hash(@extschema@.aging) IS
	'hash of an aging, consistent with = (support of the hash operator class)';
CREATE FUNCTION @extschema@.aging_hash_extended(@extschema@.aging, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'aging_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_hash_extended(@extschema@.aging, bigint) IS
	'seeded 64-bit hash of an aging, consistent with = (support of the hash operator class)';

CREATE OPERATOR @extschema@.= (
	LEFTARG = @extschema@.aging, RIGHTARG = @extschema@.aging,
	FUNCTION = @extschema@.aging_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
	RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel,
	HASHES
);
COMMENT ON OPERATOR @extschema@.= (@extschema@.aging, @extschema@.aging) IS
	'same bounds and the same amount in every bucket (1.5 = 1.50)';

CREATE OPERATOR @extschema@.<> (
	LEFTARG = @extschema@.aging, RIGHTARG = @extschema@.aging,
	FUNCTION = @extschema@.aging_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
	RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
COMMENT ON OPERATOR @extschema@.<> (@extschema@.aging, @extschema@.aging) IS
	'other bounds or another amount in some bucket';

CREATE OPERATOR CLASS @extschema@.aging_ops
	DEFAULT FOR TYPE @extschema@.aging USING hash AS
		OPERATOR 1 @extschema@.=,
		FUNCTION 1 @extschema@.aging_hash(@extschema@.aging),
		FUNCTION 2 @extschema@.aging_hash_extended(@extschema@.aging, bigint);
COMMENT ON OPERATOR CLASS @extschema@.aging_ops USING hash IS
	'hashing of aging values (GROUP BY, DISTINCT, hash joins)';
