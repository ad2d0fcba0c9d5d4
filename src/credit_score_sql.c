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
#include "rowutil.h"
#include "exact_money.h"

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

/*
 * credit_result: the four points, internal_score, score, grade, then the
 * five contributions (scale, payment, stability, risk, external)
 */
#define RESULT_ATTS 12
#define RESULT_GRADE_ATT 6

typedef struct ScoreCache
{
	FnCacheKey	key;			/* credit_facts and scorecard row types */
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

/* fills a new cache for the row types in its key (FnCacheGet) */
static void
BuildCache(FunctionCallInfo fcinfo, void *p, MemoryContext mcxt)
{
	ScoreCache *cache = (ScoreCache *) p;
	static const char *const grades[] = {"A", "B", "C", "D"};

	cache->facts_desc = RowDesc(cache->key.types[0], mcxt);
	cache->card_desc = RowDesc(cache->key.types[1], mcxt);
	FindAttributes(cache->facts_desc, fact_names, NUM_FACTS, cache->facts_att);
	FindAttributes(cache->card_desc, card_names, NUM_CARD, cache->card_att);
	cache->result_desc = ResultRowDesc(fcinfo, mcxt);
	if (cache->result_desc->natts != RESULT_ATTS)
		elog(ERROR, "credit_result must have %d attributes", RESULT_ATTS);
	EnumLabelOids(TupleDescAttr(cache->result_desc, RESULT_GRADE_ATT)->atttypid,
				  grades, lengthof(grades), cache->grade_oid);
}

static ScoreCache *
GetCache(FunctionCallInfo fcinfo, HeapTupleHeader facts, HeapTupleHeader card)
{
	return (ScoreCache *) FnCacheGet(fcinfo, sizeof(ScoreCache),
									 HeapTupleHeaderGetTypeId(facts),
									 HeapTupleHeaderGetTypeId(card), BuildCache);
}

/* hundredths as a numeric with two decimals */
static Datum
Points(int64 hundredths)
{
	return NumericGetDatum(int64_div_fast_to_numeric(hundredths, 2));
}

/*
 * A weight, cut-off or external weight of the scorecard, exactly, in 1/10000:
 * an integer, or a numeric with at most four decimals.
 */
static int64
AttExact(Datum *values, bool *nulls, TupleDesc desc, int att, const char *name)
{
	int64		v;

	if (nulls[att])
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("scorecard setting \"%s\" is null", name)));
	switch (TupleDescAttr(desc, att)->atttypid)
	{
		case INT4OID:
			return (int64) DatumGetInt32(values[att]) * SCORE_WEIGHT_ONE;
		case NUMERICOID:
			if (Money4TryFromNumeric(values[att], &v, NULL) &&
				v >= -SCORE_WEIGHT_TOTAL && v <= SCORE_WEIGHT_TOTAL)
				return v;
			break;
		default:
			break;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("scorecard setting \"%s\" must be a number between 0 and 100 with at most four decimals",
					name)));
	return 0;					/* keep the compiler quiet */
}

/* a cut-off: exact hundredths, since scores are compared in hundredths */
static int64
CutOff(Datum *values, bool *nulls, TupleDesc desc, int att, const char *name)
{
	int64		v = AttExact(values, nulls, desc, att, name);

	if (v % (SCORE_WEIGHT_ONE / 100) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("scorecard setting \"%s\" must have at most two decimals", name),
				 errdetail("Scores are compared with cut-offs in hundredths.")));
	return v / (SCORE_WEIGHT_ONE / 100);
}

/* the checks scorecard_validate() makes on stored rows, for any row given */
static inline void
CheckScorecard(const Scorecard *c)
{
	if (c->w_scale < 0 || c->w_payment < 0 || c->w_stability < 0 || c->w_risk < 0 ||
		c->w_scale + c->w_payment + c->w_stability + c->w_risk != SCORE_WEIGHT_TOTAL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("scorecard weights must be non-negative and sum to 100")));
	if (!(10000 >= c->cutoff_a && c->cutoff_a > c->cutoff_b &&
		  c->cutoff_b > c->cutoff_c && c->cutoff_c >= 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("scorecard cut-offs must satisfy 100 >= A > B > C >= 0")));
	if (c->external_weight < 0 || c->external_weight > SCORE_WEIGHT_TOTAL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("scorecard setting \"external_weight\" must be between 0 and 100")));
	if (!(c->scale_full_revenue > 0 && c->scale_full_orders > 0 && c->tenure_full_days > 0 &&
		  c->overdue_tolerance > 0 && isfinite(c->scale_full_revenue) &&
		  isfinite(c->overdue_tolerance) && isfinite(c->no_history_points) &&
		  isfinite(c->risk_default_points)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("scorecard formula settings must be finite and positive")));
}

/* the scorecard's numbers, converted and checked once per distinct card */
static const Scorecard *
CardNumbers(ScoreCache *cache, HeapTupleHeader card_row, MemoryContext mcxt)
{
	Size		len = HeapTupleHeaderGetDatumLength(card_row);
	Datum		cv[64];
	bool		cn[64];
	double		c[NUM_CARD];
	const int  *att = cache->card_att;
	TupleDesc	desc = cache->card_desc;
	Scorecard	card;

	if (cache->card_bytes && cache->card_len == len &&
		memcmp(cache->card_bytes, card_row, len) == 0)
		return &cache->card;

	if (desc->natts > 64)
		elog(ERROR, "row type too wide for credit_score");
	DeformRow(card_row, desc, cv, cn);
	for (int i = 7; i < 13; i++)
	{
		c[i] = AttDouble(cv, cn, desc, att[i]);
		if (isnan(c[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("scorecard setting \"%s\" is null", card_names[i])));
	}
	card.w_scale = AttExact(cv, cn, desc, att[0], card_names[0]);
	card.w_payment = AttExact(cv, cn, desc, att[1], card_names[1]);
	card.w_stability = AttExact(cv, cn, desc, att[2], card_names[2]);
	card.w_risk = AttExact(cv, cn, desc, att[3], card_names[3]);
	card.cutoff_a = CutOff(cv, cn, desc, att[4], card_names[4]);
	card.cutoff_b = CutOff(cv, cn, desc, att[5], card_names[5]);
	card.cutoff_c = CutOff(cv, cn, desc, att[6], card_names[6]);
	card.scale_full_revenue = c[7];
	card.scale_full_orders = c[8];
	card.tenure_full_days = c[9];
	card.no_history_points = c[10];
	card.overdue_tolerance = c[11];
	card.risk_default_points = c[12];
	card.external_weight = AttExact(cv, cn, desc, att[13], card_names[13]);
	CheckScorecard(&card);
	cache->card = card;

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
	Datum		out[RESULT_ATTS];
	bool		outnull[RESULT_ATTS] = {false};

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

	for (int i = 0; i < 4; i++)
	{
		out[i] = Points(r.points[i]);
		out[7 + i] = Points(r.contribution[i]);
	}
	out[4] = Points(r.internal);
	out[5] = Points(r.score);
	out[6] = ObjectIdGetDatum(cache->grade_oid[r.grade]);
	if (r.blended)
		out[7 + SCORE_PART_EXTERNAL] = Points(r.contribution[SCORE_PART_EXTERNAL]);
	else
		outnull[7 + SCORE_PART_EXTERNAL] = true;

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(cache->result_desc, out, outnull)));
}
