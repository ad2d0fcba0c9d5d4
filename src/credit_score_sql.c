/*
 * credit_score_sql.c
 *		SQL entry point: credit_score(credit_facts, scorecard) -> credit_result.
 *
 * Scoring runs once per customer in refresh(), so the per-call path avoids
 * catalog lookups: the row descriptors, the attribute numbers (found by
 * name, so column order does not matter) and the grade enum's OIDs are
 * cached in fn_extra on the first call.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/typcache.h"

#include "credit_score.h"
#include "money4.h"

static const char *const fact_names[] = {
	"revenue_12m", "orders_12m", "order_months", "on_time_ratio",
	"payment_index", "recent_payment_index", "overdue_balance", "defaults", "tenure_days",
	"industry_points", "region_points", "external_score"
};
#define NUM_FACTS lengthof(fact_names)

static const char *const card_names[] = {
	"w_scale", "w_payment", "w_stability", "w_risk",
	"cutoff_a", "cutoff_b", "cutoff_c",
	"scale_full_revenue", "scale_full_orders", "tenure_full_days",
	"no_history_points", "overdue_tolerance", "risk_default_points",
	"external_weight"
};
#define NUM_CARD lengthof(card_names)

typedef struct ScoreCache
{
	Oid			facts_type;
	Oid			card_type;
	TupleDesc	facts_desc;
	TupleDesc	card_desc;
	TupleDesc	result_desc;
	int			facts_att[NUM_FACTS];
	int			card_att[NUM_CARD];
	Oid			grade_oid[4];
	/* the last scorecard seen, as stored, and its numbers: refresh() scores
	 * every customer under one card, so the conversion is done once */
	char	   *card_bytes;
	Size		card_len;
	Scorecard	card;
} ScoreCache;

/* attribute number (0-based) of each name, or an error naming the missing one */
static void
FindAttributes(TupleDesc desc, const char *const *names, int n, int *att)
{
	for (int i = 0; i < n; i++)
	{
		att[i] = -1;
		for (int j = 0; j < desc->natts; j++)
		{
			Form_pg_attribute a = TupleDescAttr(desc, j);

			if (!a->attisdropped && strcmp(NameStr(a->attname), names[i]) == 0)
			{
				att[i] = j;
				break;
			}
		}
		if (att[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("row type %s has no attribute \"%s\"",
							format_type_be(desc->tdtypeid), names[i])));
	}
}

static TupleDesc
RowDesc(Oid type, MemoryContext mcxt)
{
	TupleDesc	desc = lookup_rowtype_tupdesc(type, -1);
	MemoryContext old = MemoryContextSwitchTo(mcxt);
	TupleDesc	copy = CreateTupleDescCopy(desc);

	MemoryContextSwitchTo(old);
	ReleaseTupleDesc(desc);
	return copy;
}

static ScoreCache *
GetCache(FunctionCallInfo fcinfo, HeapTupleHeader facts, HeapTupleHeader card)
{
	ScoreCache *cache = (ScoreCache *) fcinfo->flinfo->fn_extra;
	MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;
	Oid			facts_type = HeapTupleHeaderGetTypeId(facts);
	Oid			card_type = HeapTupleHeaderGetTypeId(card);
	TupleDesc	result_desc;
	Oid			grade_type;
	static const char *const grades[] = {"A", "B", "C", "D"};

	if (cache && cache->facts_type == facts_type && cache->card_type == card_type)
		return cache;

	cache = MemoryContextAllocZero(mcxt, sizeof(ScoreCache));
	cache->facts_type = facts_type;
	cache->card_type = card_type;
	cache->facts_desc = RowDesc(facts_type, mcxt);
	cache->card_desc = RowDesc(card_type, mcxt);
	FindAttributes(cache->facts_desc, fact_names, NUM_FACTS, cache->facts_att);
	FindAttributes(cache->card_desc, card_names, NUM_CARD, cache->card_att);

	if (get_call_result_type(fcinfo, NULL, &result_desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "credit_score must return a composite type");
	{
		MemoryContext old = MemoryContextSwitchTo(mcxt);

		cache->result_desc = BlessTupleDesc(CreateTupleDescCopy(result_desc));
		MemoryContextSwitchTo(old);
	}
	grade_type = TupleDescAttr(cache->result_desc, cache->result_desc->natts - 1)->atttypid;
	for (int g = 0; g < 4; g++)
		cache->grade_oid[g] = DatumGetObjectId(DirectFunctionCall2(enum_in,
																   CStringGetDatum(grades[g]),
																   ObjectIdGetDatum(grade_type)));
	fcinfo->flinfo->fn_extra = cache;
	return cache;
}

/* a numeric, integer or float8 attribute as a double; NaN when NULL */
static double
AttDouble(Datum *values, bool *nulls, TupleDesc desc, int att)
{
	if (nulls[att])
		return NAN;
	switch (TupleDescAttr(desc, att)->atttypid)
	{
		case NUMERICOID:
			return NumericToDouble(values[att]);
		case INT4OID:
			return (double) DatumGetInt32(values[att]);
		case INT8OID:
			return (double) DatumGetInt64(values[att]);
		case FLOAT8OID:
			return DatumGetFloat8(values[att]);
		default:
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("attribute \"%s\" of %s must be numeric, integer or double precision",
							NameStr(TupleDescAttr(desc, att)->attname),
							format_type_be(desc->tdtypeid))));
	}
	return NAN;					/* keep the compiler quiet */
}

static void
DeformRow(HeapTupleHeader row, TupleDesc desc, Datum *values, bool *nulls)
{
	HeapTupleData tuple;

	tuple.t_len = HeapTupleHeaderGetDatumLength(row);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = row;
	heap_deform_tuple(&tuple, desc, values, nulls);
}

/* points are already rounded to hundredths: build the numeric from those */
static Datum
Points(double x)
{
	return NumericGetDatum(int64_div_fast_to_numeric((int64) llround(x * 100.0), 2));
}

/* the scorecard's numbers, converted once per distinct card */
static const Scorecard *
CardNumbers(ScoreCache *cache, HeapTupleHeader card_row, MemoryContext mcxt)
{
	Size		len = HeapTupleHeaderGetDatumLength(card_row);
	Datum		cv[64];
	bool		cn[64];
	double		c[NUM_CARD];

	if (cache->card_bytes && cache->card_len == len &&
		memcmp(cache->card_bytes, card_row, len) == 0)
		return &cache->card;

	if (cache->card_desc->natts > 64)
		elog(ERROR, "row type too wide for credit_score");
	DeformRow(card_row, cache->card_desc, cv, cn);
	for (int i = 0; i < (int) NUM_CARD; i++)
	{
		c[i] = AttDouble(cv, cn, cache->card_desc, cache->card_att[i]);
		if (isnan(c[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("scorecard setting \"%s\" is null", card_names[i])));
	}
	cache->card.w_scale = c[0];
	cache->card.w_payment = c[1];
	cache->card.w_stability = c[2];
	cache->card.w_risk = c[3];
	cache->card.cutoff_a = c[4];
	cache->card.cutoff_b = c[5];
	cache->card.cutoff_c = c[6];
	cache->card.scale_full_revenue = c[7];
	cache->card.scale_full_orders = c[8];
	cache->card.tenure_full_days = c[9];
	cache->card.no_history_points = c[10];
	cache->card.overdue_tolerance = c[11];
	cache->card.risk_default_points = c[12];
	cache->card.external_weight = c[13];

	if (cache->card_bytes)
		pfree(cache->card_bytes);
	cache->card_bytes = MemoryContextAlloc(mcxt, len);
	memcpy(cache->card_bytes, card_row, len);
	cache->card_len = len;
	return &cache->card;
}

PG_FUNCTION_INFO_V1(credit_score_compute);

/* SQL: credit_score(credit_facts, scorecard) returns credit_result */
Datum
credit_score_compute(PG_FUNCTION_ARGS)
{
	HeapTupleHeader facts_row = PG_GETARG_HEAPTUPLEHEADER(0);
	HeapTupleHeader card_row = PG_GETARG_HEAPTUPLEHEADER(1);
	ScoreCache *cache = GetCache(fcinfo, facts_row, card_row);
	Datum		fv[64];
	bool		fn[64];
	double		f[NUM_FACTS];
	CreditFacts facts;
	const Scorecard *card = CardNumbers(cache, card_row, fcinfo->flinfo->fn_mcxt);
	CreditResult r;
	Datum		out[7];
	bool		outnull[7] = {false};

	if (cache->facts_desc->natts > 64)
		elog(ERROR, "row type too wide for credit_score");
	DeformRow(facts_row, cache->facts_desc, fv, fn);
	for (int i = 0; i < (int) NUM_FACTS; i++)
		f[i] = AttDouble(fv, fn, cache->facts_desc, cache->facts_att[i]);

	facts.revenue_12m = isnan(f[0]) ? 0 : f[0];
	facts.orders_12m = isnan(f[1]) ? 0 : (int) f[1];
	facts.order_months = isnan(f[2]) ? 0 : (int) f[2];
	facts.on_time_ratio = f[3];
	facts.payment_index = f[4];
	facts.recent_index = f[5];
	facts.overdue_balance = isnan(f[6]) ? 0 : f[6];
	facts.defaults = isnan(f[7]) ? 0 : (int) f[7];
	facts.tenure_days = isnan(f[8]) ? 0 : (int) f[8];
	facts.industry_points = f[9];
	facts.region_points = f[10];
	facts.external_score = f[11];

	ScoreCredit(&facts, card, &r);

	out[0] = Points(r.scale);
	out[1] = Points(r.payment);
	out[2] = Points(r.stability);
	out[3] = Points(r.risk);
	out[4] = Points(r.internal);
	out[5] = Points(r.score);
	out[6] = ObjectIdGetDatum(cache->grade_oid[r.grade]);

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(cache->result_desc, out, outnull)));
}
