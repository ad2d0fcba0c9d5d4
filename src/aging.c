/*
 * aging.c
 *		The aging type: I/O, bucket labels, operators and reporting
 *		functions (the aggregate lives in aging_agg.c).
 *
 * Text form (valid JSON; keys in bucket order, every amount printed with
 * the value's one scale, so output -> input round-trips exactly):
 *		{"bounds": [30, 60, 90], "current": 100.00, "1-30": 0.00,
 *		 "31-60": 0.00, "61-90": 0.00, "91+": -5.50}
 * Binary form: version byte 1, int16 nbounds, int16 scale, int32 bounds,
 * then each amount as two int64 (high, low).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

#include "aging.h"
#include "exact_money.h"
#include "state_text.h"

#define AGING_SEND_VERSION	1

/* Allocate a zeroed aging value with these bounds (already validated). */
Aging *
AgingCreate(const int32 *bounds, int nbounds, int scale)
{
	Aging	   *a = palloc0(AGING_SIZE(nbounds));

	SET_VARSIZE(a, AGING_SIZE(nbounds));
	a->nbounds = nbounds;
	a->scale = scale;
	memcpy(AGING_BOUNDS(a), bounds, nbounds * sizeof(int32));
	return a;
}

/*
 * Bounds must be 1..AGING_MAX_BOUNDS strictly increasing positive days, none
 * above AGING_MAX_BOUND_DAYS.
 */
static void
CheckBounds(const int32 *bounds, int nbounds)
{
	int			i;

	if (nbounds < 1 || nbounds > AGING_MAX_BOUNDS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("aging bounds must have between 1 and %d elements, not %d",
						AGING_MAX_BOUNDS, nbounds),
				 errhint("Use bounds such as '{30,60,90}'.")));
	for (i = 0; i < nbounds; i++)
	{
		if (bounds[i] < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("aging bound %d must be a positive number of days, not %d",
							i + 1, bounds[i]),
					 errdetail("Bucket \"current\" already holds everything not yet past due.")));
		if (bounds[i] > AGING_MAX_BOUND_DAYS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("aging bound %d must be at most %d days, not %d",
							i + 1, AGING_MAX_BOUND_DAYS, bounds[i]),
					 errdetail("Everything past the last bound goes to its open-ended bucket.")));
		if (i > 0 && bounds[i] <= bounds[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("aging bounds must be strictly increasing"),
					 errdetail("Bound %d (%d) is not greater than bound %d (%d).",
							   i + 1, bounds[i], i, bounds[i - 1])));
	}
}

/* Read and validate an int4[] of bounds into bounds[]; returns how many. */
int
AgingReadBounds(ArrayType *arr, int32 *bounds)
{
	int			n;

	if (ARR_ELEMTYPE(arr) != INT4OID)
		elog(ERROR, "aging bounds must be integer[]");
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("aging bounds must be a one-dimensional array")));
	if (ARR_HASNULL(arr) && array_contains_nulls(arr))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("aging bounds must not contain nulls")));
	n = ARR_NDIM(arr) == 0 ? 0 : ARR_DIMS(arr)[0];
	if (n > AGING_MAX_BOUNDS)
		CheckBounds(NULL, n);	/* reports the count */
	if (n > 0)
		memcpy(bounds, ARR_DATA_PTR(arr), n * sizeof(int32));
	CheckBounds(bounds, n);
	return n;
}

/* Bucket of a number of days past due: 0 = current. */
int
AgingBucketIndex(const int32 *bounds, int nbounds, int64 days)
{
	int			i;

	if (days <= 0)
		return 0;
	for (i = 0; i < nbounds; i++)
		if (days <= bounds[i])
			return i + 1;
	return nbounds + 1;
}

/* Label of bucket i ("current", "1-30", "91+"), written into buf. */
static void
BucketLabel(const int32 *bounds, int nbounds, int i, char *buf, size_t len)
{
	if (i == 0)
		snprintf(buf, len, "current");
	else if (i <= nbounds)
		snprintf(buf, len, "%d-%d", i == 1 ? 1 : bounds[i - 2] + 1, bounds[i - 1]);
	else
		snprintf(buf, len, "%d+", bounds[nbounds - 1] + 1);
}

bool
AgingSameBounds(const Aging *a, const int32 *bounds, int nbounds)
{
	return a->nbounds == nbounds &&
		memcmp(AGING_BOUNDS(a), bounds, nbounds * sizeof(int32)) == 0;
}

/* Raise the scale of every amount (never lowers it). */
void
AgingRaiseScale(Aging *a, int scale)
{
	int128	   *amounts = AGING_AMOUNTS(a);
	int			i;

	if (scale <= a->scale)
		return;
	for (i = 0; i < AGING_NBUCKETS(a); i++)
		amounts[i] = ExactMulPow10(amounts[i], scale - a->scale, "aging amount");
	a->scale = scale;
}

static char *
BoundsText(const int32 *bounds, int nbounds)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (i = 0; i < nbounds; i++)
		appendStringInfo(&buf, "%s%d", i > 0 ? "," : "", bounds[i]);
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/* Error for two aging values (or rows) with different bounds. */
static void
BoundsMismatch(const int32 *a, int na, const int32 *b, int nb, const char *context)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: aging bounds differ", context),
			 errdetail("One value has bounds %s, the other %s.",
					   BoundsText(a, na), BoundsText(b, nb)),
			 errhint("Aggregate or add only amounts aged with the same bounds.")));
}

void
AgingCheckBoundsMatch(const Aging *a, const int32 *bounds, int nbounds, const char *context)
{
	if (!AgingSameBounds(a, bounds, nbounds))
		BoundsMismatch(AGING_BOUNDS(a), a->nbounds, bounds, nbounds, context);
}

/* dst += src; the bounds must match. */
void
AgingAddInto(Aging *dst, const Aging *src, const char *context)
{
	int128	   *d = AGING_AMOUNTS(dst);
	const int128 *s = AGING_AMOUNTS(src);
	int			i;

	AgingCheckBoundsMatch(dst, AGING_BOUNDS(src), src->nbounds, context);
	AgingRaiseScale(dst, src->scale);
	for (i = 0; i < AGING_NBUCKETS(dst); i++)
	{
		int128		v = s[i];

		if (src->scale < dst->scale)
			v = ExactMulPow10(v, dst->scale - src->scale, "aging amount");
		d[i] = ExactAdd(d[i], v, "aging amount");
	}
}

/* Text form, see the file header. */
static char *
AgingToText(const Aging *a)
{
	StringInfoData buf;
	const int128 *amounts = AGING_AMOUNTS(a);
	const int32 *bounds = AGING_BOUNDS(a);
	char		label[32];
	int			i;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"bounds\": [");
	for (i = 0; i < a->nbounds; i++)
		appendStringInfo(&buf, "%s%d", i > 0 ? ", " : "", bounds[i]);
	appendStringInfoChar(&buf, ']');
	for (i = 0; i < AGING_NBUCKETS(a); i++)
	{
		BucketLabel(bounds, a->nbounds, i, label, sizeof(label));
		appendStringInfo(&buf, ", \"%s\": ", label);
		ExactAppendScaled(&buf, amounts[i], a->scale);
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

PG_FUNCTION_INFO_V1(aging_in);

/* SQL: aging_in(cstring) -- parse the text form */
Datum
aging_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	StateReader r;
	int32		bounds[AGING_MAX_BOUNDS];
	int128		amounts[AGING_MAX_BOUNDS + 2];
	int			scales[AGING_MAX_BOUNDS + 2];
	int			nbounds = 0;
	int			scale = 0;
	int			i;
	Aging	   *a;
	char		label[32];

	StateReaderInit(&r, str, "aging");
	StateExpect(&r, '{');
	StateExpectKey(&r, "bounds");
	StateExpect(&r, '[');
	if (!StateTry(&r, ']'))
	{
		do
		{
			if (nbounds >= AGING_MAX_BOUNDS)
				StateSyntaxError(&r, "at most 16 bounds");
			bounds[nbounds] = (int32) StateReadInt(&r, 1, AGING_MAX_BOUND_DAYS);
			if (nbounds > 0 && bounds[nbounds] <= bounds[nbounds - 1])
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("invalid input syntax for type aging: \"%s\"", str),
						 errdetail("Bounds must be strictly increasing: %d follows %d.",
								   bounds[nbounds], bounds[nbounds - 1])));
			nbounds++;
		} while (StateTry(&r, ','));
		StateExpect(&r, ']');
	}
	if (nbounds == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type aging: \"%s\"", str),
				 errdetail("At least one bound is needed.")));
	for (i = 0; i < nbounds + 2; i++)
	{
		StateExpect(&r, ',');
		BucketLabel(bounds, nbounds, i, label, sizeof(label));
		StateExpectKey(&r, label);
		amounts[i] = StateReadDecimal(&r, &scales[i]);
		scale = Max(scale, scales[i]);
	}
	StateExpect(&r, '}');
	StateExpectEnd(&r);

	a = AgingCreate(bounds, nbounds, scale);
	for (i = 0; i < nbounds + 2; i++)
		AGING_AMOUNTS(a)[i] = ExactMulPow10(amounts[i], scale - scales[i], "aging amount");
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(aging_out);

/* SQL: aging_out(aging) -- the text form */
Datum
aging_out(PG_FUNCTION_ARGS)
{
	Aging	   *a = PG_GETARG_AGING_P(0);
	char	   *result = AgingToText(a);

	PG_FREE_IF_COPY(a, 0);
	PG_RETURN_CSTRING(result);
}

PG_FUNCTION_INFO_V1(aging_recv);

/* SQL: aging_recv(internal) -- binary input, every length checked first */
Datum
aging_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version = pq_getmsgbyte(buf);
	int			nbounds;
	int			scale;
	int32		bounds[AGING_MAX_BOUNDS];
	Aging	   *a;
	int			i;

	if (version != AGING_SEND_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported aging binary format version %d", version)));
	nbounds = pq_getmsgint(buf, 2);
	scale = pq_getmsgint(buf, 2);
	if (nbounds < 1 || nbounds > AGING_MAX_BOUNDS || scale < 0 || scale > EXACT_MONEY_MAX_SCALE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid aging binary value: %d bounds, scale %d", nbounds, scale)));
	if (buf->len - buf->cursor != nbounds * 4 + (nbounds + 2) * 16)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid aging binary value: %d bytes left for %d bounds",
						buf->len - buf->cursor, nbounds)));
	for (i = 0; i < nbounds; i++)
		bounds[i] = pq_getmsgint(buf, 4);
	for (i = 0; i < nbounds; i++)
		if (bounds[i] < 1 || bounds[i] > AGING_MAX_BOUND_DAYS ||
			(i > 0 && bounds[i] <= bounds[i - 1]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid aging binary value: bounds %s",
							BoundsText(bounds, nbounds))));
	a = AgingCreate(bounds, nbounds, scale);
	for (i = 0; i < nbounds + 2; i++)
	{
		uint64		hi = (uint64) pq_getmsgint64(buf);
		uint64		lo = (uint64) pq_getmsgint64(buf);

		AGING_AMOUNTS(a)[i] = (int128) (((uint128) hi << 64) | lo);
		if (!ExactInRange(AGING_AMOUNTS(a)[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid aging binary value: amount %d out of range", i + 1),
					 errdetail("Amounts are kept within 10^37 units of the value's scale.")));
	}
	pq_getmsgend(buf);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(aging_send);

/* SQL: aging_send(aging) -- binary output */
Datum
aging_send(PG_FUNCTION_ARGS)
{
	Aging	   *a = PG_GETARG_AGING_P(0);
	StringInfoData buf;
	int			i;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, AGING_SEND_VERSION);
	pq_sendint16(&buf, a->nbounds);
	pq_sendint16(&buf, a->scale);
	for (i = 0; i < a->nbounds; i++)
		pq_sendint32(&buf, AGING_BOUNDS(a)[i]);
	for (i = 0; i < AGING_NBUCKETS(a); i++)
	{
		uint128		v = (uint128) AGING_AMOUNTS(a)[i];

		pq_sendint64(&buf, (int64) (uint64) (v >> 64));
		pq_sendint64(&buf, (int64) (uint64) v);
	}
	PG_FREE_IF_COPY(a, 0);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(aging_bucket);

/* SQL: aging_bucket(days_past_due int, bounds int[]) returns text */
Datum
aging_bucket(PG_FUNCTION_ARGS)
{
	int32		days = PG_GETARG_INT32(0);
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
	int32		bounds[AGING_MAX_BOUNDS];
	int			nbounds = AgingReadBounds(arr, bounds);
	char		label[32];

	BucketLabel(bounds, nbounds, AgingBucketIndex(bounds, nbounds, days), label, sizeof(label));
	PG_RETURN_TEXT_P(cstring_to_text(label));
}

PG_FUNCTION_INFO_V1(aging_add);

/* SQL: aging + aging -- bucket-wise sum; the bounds must match */
Datum
aging_add(PG_FUNCTION_ARGS)
{
	Aging	   *a = PG_GETARG_AGING_P(0);
	Aging	   *b = PG_GETARG_AGING_P(1);
	Aging	   *r = palloc(VARSIZE(a));

	memcpy(r, a, VARSIZE(a));
	AgingAddInto(r, b, "aging + aging");
	PG_RETURN_POINTER(r);
}

PG_FUNCTION_INFO_V1(aging_get);

/* SQL: aging -> text -- amount of the bucket with that label ('total' too) */
Datum
aging_get(PG_FUNCTION_ARGS)
{
	Aging	   *a = PG_GETARG_AGING_P(0);
	char	   *want = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char		label[32];
	int			i;

	if (strcmp(want, "total") == 0)
	{
		int128		total = 0;

		for (i = 0; i < AGING_NBUCKETS(a); i++)
			total = ExactAdd(total, AGING_AMOUNTS(a)[i], "aging total");
		PG_RETURN_DATUM(ExactToNumeric(total, a->scale));
	}
	for (i = 0; i < AGING_NBUCKETS(a); i++)
	{
		BucketLabel(AGING_BOUNDS(a), a->nbounds, i, label, sizeof(label));
		if (strcmp(label, want) == 0)
			PG_RETURN_DATUM(ExactToNumeric(AGING_AMOUNTS(a)[i], a->scale));
	}
	PG_RETURN_NULL();			/* like jsonb ->: no such bucket */
}

/* Sum of all buckets, at the value's scale (an error on overflow). */
static int128
AgingTotal(const Aging *a)
{
	int128		total = 0;
	int			i;

	for (i = 0; i < AGING_NBUCKETS(a); i++)
		total = ExactAdd(total, AGING_AMOUNTS(a)[i], "aging total");
	return total;
}

PG_FUNCTION_INFO_V1(aging_total);

/* SQL: aging_total(aging) returns numeric -- sum of all buckets */
Datum
aging_total(PG_FUNCTION_ARGS)
{
	Aging	   *a = PG_GETARG_AGING_P(0);

	PG_RETURN_DATUM(ExactToNumeric(AgingTotal(a), a->scale));
}

PG_FUNCTION_INFO_V1(aging_bounds);

/* SQL: aging_bounds(aging) returns int[] */
Datum
aging_bounds(PG_FUNCTION_ARGS)
{
	Aging	   *a = PG_GETARG_AGING_P(0);
	Datum		elems[AGING_MAX_BOUNDS];
	int			i;

	for (i = 0; i < a->nbounds; i++)
		elems[i] = Int32GetDatum(AGING_BOUNDS(a)[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, a->nbounds, INT4OID, 4, true, TYPALIGN_INT));
}

PG_FUNCTION_INFO_V1(aging_jsonb);

/*
 * SQL: aging::jsonb -- the text form (JSON already) plus a "total" key, as
 * aging -> 'total' gives it, so a client reading only the jsonb needs no
 * sum of its own.  The amounts are written from the exact scaled integers,
 * never through a float, and jsonb keeps them as numeric.  The text form
 * itself has no total: it must round-trip, and a total would be redundant
 * input to check.
 */
Datum
aging_jsonb(PG_FUNCTION_ARGS)
{
	Aging	   *a = PG_GETARG_AGING_P(0);
	char	   *json = AgingToText(a);
	StringInfoData buf;

	initStringInfo(&buf);
	/* the text form ends with its closing brace: continue before it */
	appendBinaryStringInfo(&buf, json, strlen(json) - 1);
	appendStringInfoString(&buf, ", \"total\": ");
	ExactAppendScaled(&buf, AgingTotal(a), a->scale);
	appendStringInfoChar(&buf, '}');
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

PG_FUNCTION_INFO_V1(aging_buckets);

/* SQL: aging_buckets(aging) returns table (label, lower, upper, amount) */
Datum
aging_buckets(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Aging	   *a = PG_GETARG_AGING_P(0);
	const int32 *bounds = AGING_BOUNDS(a);
	char		label[32];
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < AGING_NBUCKETS(a); i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		BucketLabel(bounds, a->nbounds, i, label, sizeof(label));
		values[0] = PointerGetDatum(cstring_to_text(label));
		if (i == 0)
		{
			nulls[1] = true;
			values[2] = Int32GetDatum(0);
		}
		else
		{
			values[1] = Int32GetDatum(i == 1 ? 1 : bounds[i - 2] + 1);
			if (i <= a->nbounds)
				values[2] = Int32GetDatum(bounds[i - 1]);
			else
				nulls[2] = true;
		}
		values[3] = ExactToNumeric(AGING_AMOUNTS(a)[i], a->scale);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(aging_allowance);

/*
 * SQL: aging_allowance(aging, rates numeric[]) returns numeric
 * Doubtful-accounts allowance: sum of bucket amount x rate, exact.  One rate
 * per bucket, each a fraction between 0 and 1.
 */
Datum
aging_allowance(PG_FUNCTION_ARGS)
{
	Aging	   *a = PG_GETARG_AGING_P(0);
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
	Datum	   *rates;
	bool	   *nulls;
	int			nrates;
	Datum		zero = DirectFunctionCall1(int4_numeric, Int32GetDatum(0));
	Datum		one = DirectFunctionCall1(int4_numeric, Int32GetDatum(1));
	Datum		sum = zero;
	int			i;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("allowance rates must be a one-dimensional array")));
	deconstruct_array(arr, NUMERICOID, -1, false, TYPALIGN_INT, &rates, &nulls, &nrates);
	if (nrates != AGING_NBUCKETS(a))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("aging_allowance needs %d rates, one per bucket, not %d",
						AGING_NBUCKETS(a), nrates),
				 errdetail("The aging has bounds %s.", BoundsText(AGING_BOUNDS(a), a->nbounds))));
	for (i = 0; i < nrates; i++)
	{
		if (nulls[i] ||
			DatumGetBool(DirectFunctionCall2(numeric_lt, rates[i], zero)) ||
			DatumGetBool(DirectFunctionCall2(numeric_gt, rates[i], one)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("allowance rate %d must be between 0 and 1", i + 1),
					 errhint("Rates are fractions: 0.05 means 5%%.")));
		sum = DirectFunctionCall2(numeric_add, sum,
								  DirectFunctionCall2(numeric_mul,
													  ExactToNumeric(AGING_AMOUNTS(a)[i], a->scale),
													  rates[i]));
	}
	PG_RETURN_DATUM(sum);
}

/*
 * Equality and hashing: two agings are equal when they have the same bounds
 * and the same amount in every bucket as numbers, whatever their scales
 * (1.5 = 1.50).  Both work on the canonical form: the amounts at the
 * smallest scale that still holds them all exactly.
 */
typedef struct AgingCanonical
{
	int32		scale;
	int32		bounds[AGING_MAX_BOUNDS];
	int128		amounts[AGING_MAX_BOUNDS + 2];
} AgingCanonical;

/* Fill c with the canonical form of a; returns the bytes of c that count. */
static size_t
AgingToCanonical(const Aging *a, AgingCanonical *c)
{
	int			n = AGING_NBUCKETS(a);
	int			i;

	memset(c, 0, sizeof(AgingCanonical));
	memcpy(c->bounds, AGING_BOUNDS(a), a->nbounds * sizeof(int32));
	memcpy(c->amounts, AGING_AMOUNTS(a), n * sizeof(int128));
	c->scale = a->scale;
	while (c->scale > 0)
	{
		for (i = 0; i < n; i++)
			if (c->amounts[i] % 10 != 0)
				break;
		if (i < n)
			break;
		for (i = 0; i < n; i++)
			c->amounts[i] /= 10;
		c->scale--;
	}
	/* unused bounds and amounts stay zero, so the whole struct is compared */
	return sizeof(AgingCanonical);
}

static bool
AgingEqual(const Aging *a, const Aging *b)
{
	AgingCanonical ca;
	AgingCanonical cb;

	if (!AgingSameBounds(a, AGING_BOUNDS(b), b->nbounds))
		return false;
	AgingToCanonical(a, &ca);
	AgingToCanonical(b, &cb);
	return memcmp(&ca, &cb, sizeof(AgingCanonical)) == 0;
}

PG_FUNCTION_INFO_V1(aging_eq);

/* SQL: aging = aging -- same bounds, same amounts */
Datum
aging_eq(PG_FUNCTION_ARGS)
{
	Aging	   *a = PG_GETARG_AGING_P(0);
	Aging	   *b = PG_GETARG_AGING_P(1);
	bool		result = AgingEqual(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_BOOL(result);
}

PG_FUNCTION_INFO_V1(aging_ne);

/* SQL: aging <> aging */
Datum
aging_ne(PG_FUNCTION_ARGS)
{
	Aging	   *a = PG_GETARG_AGING_P(0);
	Aging	   *b = PG_GETARG_AGING_P(1);
	bool		result = !AgingEqual(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_BOOL(result);
}

PG_FUNCTION_INFO_V1(aging_hash);

/* SQL: aging_hash(aging) -- hash of the canonical form, consistent with = */
Datum
aging_hash(PG_FUNCTION_ARGS)
{
	Aging	   *a = PG_GETARG_AGING_P(0);
	AgingCanonical c;
	size_t		len = AgingToCanonical(a, &c);
	Datum		h = hash_any((const unsigned char *) &c, len);

	PG_FREE_IF_COPY(a, 0);
	return h;
}

PG_FUNCTION_INFO_V1(aging_hash_extended);

/* SQL: aging_hash_extended(aging, seed bigint) */
Datum
aging_hash_extended(PG_FUNCTION_ARGS)
{
	Aging	   *a = PG_GETARG_AGING_P(0);
	AgingCanonical c;
	size_t		len = AgingToCanonical(a, &c);
	Datum		h = hash_any_extended((const unsigned char *) &c, len, PG_GETARG_INT64(1));

	PG_FREE_IF_COPY(a, 0);
	return h;
}
