/*
 * aging_agg.c
 *		aging_agg(amount numeric, due_on date, as_of date [, bounds int[]]):
 *		open amounts per aging bucket, as a real aging value.
 *
 * The state is the aging value itself (a fixed-size varlena), updated in
 * place while AggCheckCallContext says we run as an aggregate, so the
 * aggregate is as cheap as one with an internal state, yet partial states
 * can be shipped as text (Citus) or through a Gather (parallel query).
 *
 * Rules (docs/receivables.md):
 *	- a NULL amount is skipped, as sum() does;
 *	- a NULL due date counts as "current" (not yet due): that is where
 *	  unapplied payments and credits go, as negative amounts;
 *	- a NULL as_of or NULL bounds is an error (22023);
 *	- every row of a group must use the same bounds (22023).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/date.h"

#include "aging.h"
#include "exact_money.h"

static const int32 DefaultBounds[] = {30, 60, 90};

/* Days from due to as_of, with infinite dates sorted to the ends. */
static int64
DaysPastDue(DateADT due, DateADT as_of)
{
	if (DATE_IS_NOBEGIN(due) || DATE_IS_NOEND(as_of))
		return PG_INT32_MAX;
	if (DATE_IS_NOEND(due) || DATE_IS_NOBEGIN(as_of))
		return PG_INT32_MIN;
	return (int64) as_of - (int64) due;
}

/*
 * The common transition: state may be NULL; bounds are those of the call
 * (default or validated argument).
 */
static Datum
AgingAccum(FunctionCallInfo fcinfo, const int32 *bounds, int nbounds)
{
	MemoryContext aggcontext;
	Aging	   *state;
	ExactDecimal dec;
	int			scale;
	int			bucket;
	int128	   *slot;
	int128		units;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		aggcontext = NULL;		/* called directly: work on a copy */

	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("aging_agg: as_of must not be null"),
				 errhint("Pass a date, e.g. customer_class.as_of().")));

	if (PG_ARGISNULL(0))
		state = NULL;
	else if (aggcontext)
		state = (Aging *) PG_GETARG_POINTER(0);
	else
		state = (Aging *) PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(0));

	if (PG_ARGISNULL(1))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}

	if (state != NULL)
	{
		if (nbounds != state->nbounds ||
			memcmp(bounds, AGING_BOUNDS(state), nbounds * sizeof(int32)) != 0)
			AgingCheckBoundsMatch(state, bounds, nbounds, "aging_agg");
	}
	if (state == NULL || !ExactUnitsFast(PG_GETARG_DATUM(1), state->scale, &units))
	{
		ExactDecimalFromNumeric(PG_GETARG_DATUM(1), "aging_agg amount", &dec);
		scale = ExactDecimalScale(&dec);
		if (scale > EXACT_MONEY_MAX_SCALE)
			ExactMoneyOverflow("aging_agg amount");
		if (state == NULL)
		{
			/*
			 * A new state is built in the per-call context: the executor
			 * copies a changed transition value into the aggregate context.
			 */
			state = AgingCreate(bounds, nbounds, Max(scale, 2));
		}
		else if (scale > state->scale)
			AgingRaiseScale(state, scale);
		units = ExactDecimalAtScale(&dec, state->scale, "aging_agg amount");
	}

	if (PG_ARGISNULL(2))
		bucket = 0;
	else
		bucket = AgingBucketIndex(bounds, nbounds,
								  DaysPastDue(PG_GETARG_DATEADT(2), PG_GETARG_DATEADT(3)));
	slot = &AGING_AMOUNTS(state)[bucket];
	*slot = ExactAdd(*slot, units, "aging_agg sum");
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(aging_accum);

/* SQL: aging_accum(aging, numeric, date, date) -- default bounds {30,60,90} */
Datum
aging_accum(PG_FUNCTION_ARGS)
{
	return AgingAccum(fcinfo, DefaultBounds, lengthof(DefaultBounds));
}

/*
 * Validated bounds of the last argument seen at this call site.  The cache
 * is keyed by the array's contents, never by its address: a per-row
 * computed array (ARRAY[b, 60, 90]) is often built at the same address with
 * other elements.
 */
typedef struct BoundsCache
{
	int			nbounds;		/* 0: nothing cached yet */
	int32		bounds[AGING_MAX_BOUNDS];
} BoundsCache;

/* Does the array hold exactly the cached bounds? */
static inline bool
BoundsCacheHit(const BoundsCache *cache, ArrayType *arr)
{
	return cache->nbounds > 0 &&
		ARR_ELEMTYPE(arr) == INT4OID &&
		ARR_NDIM(arr) == 1 &&
		!ARR_HASNULL(arr) &&
		ARR_DIMS(arr)[0] == cache->nbounds &&
		memcmp(ARR_DATA_PTR(arr), cache->bounds, cache->nbounds * sizeof(int32)) == 0;
}

PG_FUNCTION_INFO_V1(aging_accum_bounds);

/* SQL: aging_accum(aging, numeric, date, date, int[]) */
Datum
aging_accum_bounds(PG_FUNCTION_ARGS)
{
	BoundsCache *cache = (BoundsCache *) fcinfo->flinfo->fn_extra;
	ArrayType  *arr;

	if (PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("aging_agg: bounds must not be null"),
				 errhint("Use bounds such as '{30,60,90}'.")));
	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(BoundsCache));
		fcinfo->flinfo->fn_extra = cache;
	}
	arr = PG_GETARG_ARRAYTYPE_P(4);
	if (!BoundsCacheHit(cache, arr))
	{
		int32		bounds[AGING_MAX_BOUNDS];
		int			n = AgingReadBounds(arr, bounds);	/* validates */

		memcpy(cache->bounds, bounds, n * sizeof(int32));
		cache->nbounds = n;
	}
	return AgingAccum(fcinfo, cache->bounds, cache->nbounds);
}

PG_FUNCTION_INFO_V1(aging_combine);

/*
 * SQL: aging_combine(aging, aging) -- combine two partial states; either may
 * be NULL.  Updates the first in place when called as an aggregate.
 */
Datum
aging_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	Aging	   *a;
	Aging	   *b;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		aggcontext = NULL;
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	b = PG_GETARG_AGING_P(1);
	if (PG_ARGISNULL(0))
	{
		/* the executor copies it into the aggregate context */
		a = palloc(VARSIZE(b));
		memcpy(a, b, VARSIZE(b));
		PG_RETURN_POINTER(a);
	}
	if (aggcontext)
		a = (Aging *) PG_GETARG_POINTER(0);
	else
		a = (Aging *) PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(0));
	AgingAddInto(a, b, "aging_agg");
	PG_RETURN_POINTER(a);
}
