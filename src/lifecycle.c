/*
 * lifecycle.c
 *		Lifecycle stage, revenue phase, behaviour segment and RFM scores:
 *		pure functions of a customer's facts and a policy (docs/lifecycle.md
 *		states the same rules).
 *
 *	lifecycle_classify(credit_facts, lifecycle_policy, as_of date)
 *		-> lifecycle_result (stage, phase, segment)
 *	rfm_score(recency_days, frequency, monetary, r_bounds, f_bounds, m_bounds)
 *		-> rfm_result (r, f, m, segment)
 *
 * Both run once per customer in refresh(), so everything that needs the
 * catalog (row descriptors, attribute numbers, enum OIDs) and the policy's
 * numbers are found on the first call and cached in fn_extra.  Money and
 * ratios are compared exactly, as integers of 1/10000 (exact_money.c).
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

#include "exact_money.h"
#include "rowutil.h"

#define NO_DATE PG_INT32_MIN
#define MAX_ATTS 64

/* ---------- lifecycle_classify ---------- */

enum
{
	F_REVENUE_12M, F_ORDERS_12M, F_ORDER_MONTHS, F_DAYS_BEYOND, F_PAYMENT_INDEX,
	F_OVERDUE_30D, F_DEFAULTS, F_INVOICES_12M, F_REVENUE_180D, F_REVENUE_PRIOR_180D,
	F_FIRST_ORDER, F_LAST_ORDER, F_PREVIOUS_ORDER, NUM_LC_FACTS
};
static const char *const lc_fact_names[NUM_LC_FACTS] = {
	"revenue_12m", "orders_12m", "order_months", "days_beyond_terms", "payment_index",
	"overdue_30d_balance", "defaults", "invoices_12m", "revenue_180d", "revenue_prior_180d",
	"first_order_on", "last_order_on", "previous_order_on"
};

enum
{
	P_NEW_DAYS, P_DORMANT_DAYS, P_CHURNED_DAYS, P_INTRODUCTION_DAYS, P_GROWTH_RATIO,
	P_DECLINE_RATIO, P_HF_ORDERS, P_HF_MONTHS, P_LARGE_AMOUNT, P_OCCASIONAL_ORDERS,
	P_RISK_OVERDUE_SHARE, P_RISK_PAYMENT_INDEX, P_LATE_DAYS, NUM_LC_POLICY
};
static const char *const lc_policy_names[NUM_LC_POLICY] = {
	"new_days", "dormant_days", "churned_days", "introduction_days", "growth_ratio",
	"decline_ratio", "hf_orders_12m", "hf_active_months", "large_invoice_amount",
	"occasional_orders_12m", "risk_overdue_share", "risk_payment_index", "late_days"
};

/* enum labels, in the order of the C codes below */
static const char *const stage_labels[] = {"potential", "new", "active", "reactivated", "dormant", "churned"};
static const char *const phase_labels[] = {"introduction", "growth", "maturity", "decline"};
static const char *const segment_labels[] = {
	"high_frequency_stable", "regular", "occasional_large", "newcomer",
	"late_payer", "overdue_high_risk", "lapsed", "no_purchase"
};

typedef enum
{
	ST_POTENTIAL, ST_NEW, ST_ACTIVE, ST_REACTIVATED, ST_DORMANT, ST_CHURNED
} Stage;
typedef enum
{
	PH_NONE = -1, PH_INTRODUCTION, PH_GROWTH, PH_MATURITY, PH_DECLINE
} Phase;
typedef enum
{
	SG_HIGH_FREQUENCY, SG_REGULAR, SG_OCCASIONAL_LARGE, SG_NEWCOMER,
	SG_LATE_PAYER, SG_OVERDUE_HIGH_RISK, SG_LAPSED, SG_NO_PURCHASE
} Segment;

/* the policy's numbers: day counts as integers, amounts and ratios in 1/10000 */
typedef struct LifecyclePolicy
{
	int32		new_days;
	int32		dormant_days;
	int32		churned_days;
	int32		introduction_days;
	int64		growth_ratio;
	int64		decline_ratio;
	int32		hf_orders;
	int32		hf_months;
	int64		large_amount;
	int32		occasional_orders;
	int64		risk_overdue_share;
	int64		risk_payment_index;
	int64		late_days;
} LifecyclePolicy;

/* the facts the rules read; money and indexes in 1/10000, NO_DATE / has_x for NULL */
typedef struct LifecycleFacts
{
	int64		revenue_12m;
	int32		orders_12m;
	int32		order_months;
	bool		has_days_beyond;
	int64		days_beyond;
	bool		has_payment_index;
	int64		payment_index;
	int64		overdue_30d;
	int32		defaults;
	int32		invoices_12m;
	int64		revenue_180d;
	int64		revenue_prior_180d;
	DateADT		first_order;
	DateADT		last_order;
	DateADT		previous_order;
} LifecycleFacts;

typedef struct LifecycleCache
{
	FnCacheKey	key;			/* credit_facts and lifecycle_policy row types */
	TupleDesc	facts_desc;
	TupleDesc	policy_desc;
	TupleDesc	result_desc;
	int			facts_att[NUM_LC_FACTS];
	int			policy_att[NUM_LC_POLICY];
	Oid			stage_oid[lengthof(stage_labels)];
	Oid			phase_oid[lengthof(phase_labels)];
	Oid			segment_oid[lengthof(segment_labels)];
	/* the last policy row seen, as stored, and its numbers */
	char	   *policy_bytes;
	Size		policy_len;
	LifecyclePolicy policy;
} LifecycleCache;

/* fills a new cache for the row types in its key (FnCacheGet) */
static void
BuildLifecycleCache(FunctionCallInfo fcinfo, void *p, MemoryContext mcxt)
{
	LifecycleCache *cache = (LifecycleCache *) p;

	cache->facts_desc = RowDesc(cache->key.types[0], mcxt);
	cache->policy_desc = RowDesc(cache->key.types[1], mcxt);
	if (cache->facts_desc->natts > MAX_ATTS || cache->policy_desc->natts > MAX_ATTS)
		elog(ERROR, "row type too wide for lifecycle_classify");
	FindAttributes(cache->facts_desc, lc_fact_names, NUM_LC_FACTS, cache->facts_att);
	FindAttributes(cache->policy_desc, lc_policy_names, NUM_LC_POLICY, cache->policy_att);
	cache->result_desc = ResultRowDesc(fcinfo, mcxt);
	if (cache->result_desc->natts != 3)
		elog(ERROR, "lifecycle_classify must return three attributes");
	EnumLabelOids(TupleDescAttr(cache->result_desc, 0)->atttypid, stage_labels,
				  lengthof(stage_labels), cache->stage_oid);
	EnumLabelOids(TupleDescAttr(cache->result_desc, 1)->atttypid, phase_labels,
				  lengthof(phase_labels), cache->phase_oid);
	EnumLabelOids(TupleDescAttr(cache->result_desc, 2)->atttypid, segment_labels,
				  lengthof(segment_labels), cache->segment_oid);
}

static LifecycleCache *
GetLifecycleCache(FunctionCallInfo fcinfo, HeapTupleHeader facts, HeapTupleHeader policy)
{
	return (LifecycleCache *) FnCacheGet(fcinfo, sizeof(LifecycleCache),
										 HeapTupleHeaderGetTypeId(facts),
										 HeapTupleHeaderGetTypeId(policy),
										 BuildLifecycleCache);
}

/* a numeric or integer attribute in 1/10000; false when NULL */
static bool
AttMoney4(Datum *values, bool *nulls, TupleDesc desc, int att, const char *what, int64 *result)
{
	if (nulls[att])
		return false;
	switch (TupleDescAttr(desc, att)->atttypid)
	{
		case NUMERICOID:
			*result = Money4FromNumeric(values[att], what, NULL);
			return true;
		case INT4OID:
			*result = (int64) DatumGetInt32(values[att]) * MONEY4_ONE;
			return true;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("attribute \"%s\" of %s must be numeric or integer",
							what, format_type_be(desc->tdtypeid))));
	}
	return false;
}

static int32
AttInt(Datum *values, bool *nulls, TupleDesc desc, int att, const char *what, bool required)
{
	double		x = AttDouble(values, nulls, desc, att);

	if (isnan(x))
	{
		if (required)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("lifecycle policy setting \"%s\" is null", what)));
		return 0;
	}
	if (x < PG_INT32_MIN || x > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("\"%s\" is out of range for an integer", what)));
	return (int32) x;
}

static DateADT
AttDate(Datum *values, bool *nulls, TupleDesc desc, int att)
{
	if (nulls[att])
		return NO_DATE;
	if (TupleDescAttr(desc, att)->atttypid != DATEOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("attribute \"%s\" of %s must be a date",
						NameStr(TupleDescAttr(desc, att)->attname), format_type_be(desc->tdtypeid))));
	return DatumGetDateADT(values[att]);
}

/* the policy's numbers, converted once per distinct policy row */
static const LifecyclePolicy *
PolicyNumbers(LifecycleCache *cache, HeapTupleHeader row, MemoryContext mcxt)
{
	Size		len = HeapTupleHeaderGetDatumLength(row);
	Datum		v[MAX_ATTS];
	bool		n[MAX_ATTS];
	LifecyclePolicy *p = &cache->policy;
	TupleDesc	d = cache->policy_desc;
	const int  *a = cache->policy_att;
	const char *const *nm = lc_policy_names;

	if (cache->policy_bytes && cache->policy_len == len &&
		memcmp(cache->policy_bytes, row, len) == 0)
		return p;

	DeformRow(row, d, v, n);
	for (int i = 0; i < NUM_LC_POLICY; i++)
		if (n[a[i]])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("lifecycle policy setting \"%s\" is null", nm[i])));
	p->new_days = AttInt(v, n, d, a[P_NEW_DAYS], nm[P_NEW_DAYS], true);
	p->dormant_days = AttInt(v, n, d, a[P_DORMANT_DAYS], nm[P_DORMANT_DAYS], true);
	p->churned_days = AttInt(v, n, d, a[P_CHURNED_DAYS], nm[P_CHURNED_DAYS], true);
	p->introduction_days = AttInt(v, n, d, a[P_INTRODUCTION_DAYS], nm[P_INTRODUCTION_DAYS], true);
	AttMoney4(v, n, d, a[P_GROWTH_RATIO], nm[P_GROWTH_RATIO], &p->growth_ratio);
	AttMoney4(v, n, d, a[P_DECLINE_RATIO], nm[P_DECLINE_RATIO], &p->decline_ratio);
	p->hf_orders = AttInt(v, n, d, a[P_HF_ORDERS], nm[P_HF_ORDERS], true);
	p->hf_months = AttInt(v, n, d, a[P_HF_MONTHS], nm[P_HF_MONTHS], true);
	AttMoney4(v, n, d, a[P_LARGE_AMOUNT], nm[P_LARGE_AMOUNT], &p->large_amount);
	p->occasional_orders = AttInt(v, n, d, a[P_OCCASIONAL_ORDERS], nm[P_OCCASIONAL_ORDERS], true);
	AttMoney4(v, n, d, a[P_RISK_OVERDUE_SHARE], nm[P_RISK_OVERDUE_SHARE], &p->risk_overdue_share);
	AttMoney4(v, n, d, a[P_RISK_PAYMENT_INDEX], nm[P_RISK_PAYMENT_INDEX], &p->risk_payment_index);
	AttMoney4(v, n, d, a[P_LATE_DAYS], nm[P_LATE_DAYS], &p->late_days);

	if (cache->policy_bytes)
		pfree(cache->policy_bytes);
	cache->policy_bytes = MemoryContextAlloc(mcxt, len);
	memcpy(cache->policy_bytes, row, len);
	cache->policy_len = len;
	return p;
}

static void
ReadFacts(LifecycleCache *cache, HeapTupleHeader row, LifecycleFacts *f)
{
	Datum		v[MAX_ATTS];
	bool		n[MAX_ATTS];
	TupleDesc	d = cache->facts_desc;
	const int  *a = cache->facts_att;
	const char *const *nm = lc_fact_names;

	DeformRow(row, d, v, n);
	if (!AttMoney4(v, n, d, a[F_REVENUE_12M], nm[F_REVENUE_12M], &f->revenue_12m))
		f->revenue_12m = 0;
	f->orders_12m = AttInt(v, n, d, a[F_ORDERS_12M], nm[F_ORDERS_12M], false);
	f->order_months = AttInt(v, n, d, a[F_ORDER_MONTHS], nm[F_ORDER_MONTHS], false);
	f->has_days_beyond = AttMoney4(v, n, d, a[F_DAYS_BEYOND], nm[F_DAYS_BEYOND], &f->days_beyond);
	f->has_payment_index = AttMoney4(v, n, d, a[F_PAYMENT_INDEX], nm[F_PAYMENT_INDEX], &f->payment_index);
	if (!AttMoney4(v, n, d, a[F_OVERDUE_30D], nm[F_OVERDUE_30D], &f->overdue_30d))
		f->overdue_30d = 0;
	f->defaults = AttInt(v, n, d, a[F_DEFAULTS], nm[F_DEFAULTS], false);
	f->invoices_12m = AttInt(v, n, d, a[F_INVOICES_12M], nm[F_INVOICES_12M], false);
	if (!AttMoney4(v, n, d, a[F_REVENUE_180D], nm[F_REVENUE_180D], &f->revenue_180d))
		f->revenue_180d = 0;
	if (!AttMoney4(v, n, d, a[F_REVENUE_PRIOR_180D], nm[F_REVENUE_PRIOR_180D], &f->revenue_prior_180d))
		f->revenue_prior_180d = 0;
	f->first_order = AttDate(v, n, d, a[F_FIRST_ORDER]);
	f->last_order = AttDate(v, n, d, a[F_LAST_ORDER]);
	f->previous_order = AttDate(v, n, d, a[F_PREVIOUS_ORDER]);
	/* hand-made facts may lack a first order day: the last one then */
	if (f->last_order != NO_DATE && (f->first_order == NO_DATE || f->first_order > f->last_order))
		f->first_order = f->last_order;
	if (f->previous_order != NO_DATE && f->previous_order >= f->last_order)
		f->previous_order = NO_DATE;
}

/* potential, churned, dormant, new, reactivated, active: the first that applies */
static Stage
StageOf(const LifecycleFacts *f, const LifecyclePolicy *p, DateADT as_of)
{
	int32		since_last;

	if (f->last_order == NO_DATE)
		return ST_POTENTIAL;
	since_last = as_of - f->last_order;
	if (since_last >= p->churned_days)
		return ST_CHURNED;
	if (since_last >= p->dormant_days)
		return ST_DORMANT;
	if (as_of - f->first_order < p->new_days)
		return ST_NEW;
	if (f->previous_order != NO_DATE && f->last_order - f->previous_order >= p->dormant_days)
		return ST_REACTIVATED;
	return ST_ACTIVE;
}

/* revenue of the last 180 days against the 180 before (exact, in 1/10000) */
static Phase
PhaseOf(const LifecycleFacts *f, const LifecyclePolicy *p, DateADT as_of)
{
	int128		recent = (int128) f->revenue_180d * MONEY4_ONE;

	if (f->last_order == NO_DATE)
		return PH_NONE;
	if (as_of - f->first_order < p->introduction_days)
		return PH_INTRODUCTION;
	if (f->revenue_prior_180d <= 0)
		return f->revenue_180d > 0 ? PH_GROWTH : PH_DECLINE;
	if (recent >= (int128) f->revenue_prior_180d * p->growth_ratio)
		return PH_GROWTH;
	if (recent <= (int128) f->revenue_prior_180d * p->decline_ratio)
		return PH_DECLINE;
	return PH_MATURITY;
}

/* behaviour segments, first match (docs/lifecycle.md) */
static Segment
SegmentOf(const LifecycleFacts *f, const LifecyclePolicy *p, DateADT as_of)
{
	int32		since_last;
	int			months;

	if (f->last_order == NO_DATE)
		return SG_NO_PURCHASE;
	since_last = as_of - f->last_order;
	if (f->defaults > 0
		|| (f->overdue_30d > 0
			&& (int128) f->overdue_30d * MONEY4_ONE >= (int128) f->revenue_12m * p->risk_overdue_share)
		|| (f->has_payment_index && f->payment_index < p->risk_payment_index))
		return SG_OVERDUE_HIGH_RISK;
	if (as_of - f->first_order < p->new_days)
		return SG_NEWCOMER;
	if (since_last >= p->churned_days)
		return SG_LAPSED;
	months = pg_popcount32((uint32) f->order_months & 0xFFF);
	if (f->orders_12m >= p->hf_orders && months >= p->hf_months)
		return SG_HIGH_FREQUENCY;
	if (f->orders_12m >= 1 && f->orders_12m <= p->occasional_orders && f->invoices_12m > 0
		&& (int128) f->revenue_12m >= (int128) p->large_amount * f->invoices_12m)
		return SG_OCCASIONAL_LARGE;
	if (since_last >= p->dormant_days)
		return SG_LAPSED;
	if (f->has_days_beyond && f->days_beyond >= p->late_days)
		return SG_LATE_PAYER;
	return SG_REGULAR;
}

PG_FUNCTION_INFO_V1(lifecycle_classify);

/* SQL: lifecycle_classify(credit_facts, lifecycle_policy, as_of date) returns lifecycle_result */
Datum
lifecycle_classify(PG_FUNCTION_ARGS)
{
	HeapTupleHeader facts_row = PG_GETARG_HEAPTUPLEHEADER(0);
	HeapTupleHeader policy_row = PG_GETARG_HEAPTUPLEHEADER(1);
	DateADT		as_of = PG_GETARG_DATEADT(2);
	LifecycleCache *cache = GetLifecycleCache(fcinfo, facts_row, policy_row);
	const LifecyclePolicy *p = PolicyNumbers(cache, policy_row, fcinfo->flinfo->fn_mcxt);
	LifecycleFacts f;
	Phase		phase;
	Datum		out[3];
	bool		outnull[3] = {false};

	if (DATE_NOT_FINITE(as_of))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("as_of must be a finite date")));
	ReadFacts(cache, facts_row, &f);
	out[0] = ObjectIdGetDatum(cache->stage_oid[StageOf(&f, p, as_of)]);
	phase = PhaseOf(&f, p, as_of);
	outnull[1] = phase == PH_NONE;
	out[1] = phase == PH_NONE ? (Datum) 0 : ObjectIdGetDatum(cache->phase_oid[phase]);
	out[2] = ObjectIdGetDatum(cache->segment_oid[SegmentOf(&f, p, as_of)]);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(cache->result_desc, out, outnull)));
}

/* ---------- rfm_score ---------- */

static const char *const rfm_labels[] = {
	"champions", "loyal", "potential_loyalist", "new", "promising", "need_attention",
	"about_to_sleep", "at_risk", "cant_lose_them", "hibernating", "lost"
};
typedef enum
{
	RFM_CHAMPIONS, RFM_LOYAL, RFM_POTENTIAL_LOYALIST, RFM_NEW, RFM_PROMISING,
	RFM_NEED_ATTENTION, RFM_ABOUT_TO_SLEEP, RFM_AT_RISK, RFM_CANT_LOSE, RFM_HIBERNATING,
	RFM_LOST
} RfmSegment;

typedef struct RfmCache
{
	FnCacheKey	key;			/* no row arguments: always valid */
	TupleDesc	result_desc;
	Oid			segment_oid[lengthof(rfm_labels)];
	/* the last three bound arrays seen, as stored, and their values */
	char	   *bytes[3];
	Size		len[3];
	int64		bounds[3][4];	/* recency and frequency as is, monetary in 1/10000 */
} RfmCache;

/* four ascending non-null bounds of an int4[] or numeric[] */
static void
ReadBounds(ArrayType *arr, const char *what, int64 *out)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	Oid			elt = ARR_ELEMTYPE(arr);
	int16		typlen;
	bool		typbyval;
	char		typalign;

	get_typlenbyvalalign(elt, &typlen, &typbyval, &typalign);
	deconstruct_array(arr, elt, typlen, typbyval, typalign, &elems, &nulls, &n);
	if (ARR_NDIM(arr) > 1 || n != 4)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must have exactly four elements", what),
				 errdetail("Quintile scores need the 20th, 40th, 60th and 80th percentile.")));
	for (int i = 0; i < 4; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain nulls", what)));
		out[i] = elt == NUMERICOID ? Money4FromNumeric(elems[i], what, NULL)
			: (int64) DatumGetInt32(elems[i]);
		if (i > 0 && out[i] < out[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be in ascending order", what)));
	}
}

/* the bounds of argument argno, parsed once per distinct array */
static const int64 *
BoundsOf(FunctionCallInfo fcinfo, RfmCache *cache, int argno, int slot, const char *what)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(argno);
	Size		len = VARSIZE(arr);

	if (cache->bytes[slot] == NULL || cache->len[slot] != len
		|| memcmp(cache->bytes[slot], arr, len) != 0)
	{
		ReadBounds(arr, what, cache->bounds[slot]);
		if (cache->bytes[slot])
			pfree(cache->bytes[slot]);
		cache->bytes[slot] = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, len);
		memcpy(cache->bytes[slot], arr, len);
		cache->len[slot] = len;
	}
	return cache->bounds[slot];
}

/* how many bounds lie strictly below value */
static int
Below(const int64 *bounds, int64 value)
{
	int			k = 0;

	for (int i = 0; i < 4; i++)
		if (bounds[i] < value)
			k++;
	return k;
}

/* named RFM segment from the scores: the first rule that matches */
static RfmSegment
RfmSegmentOf(int r, int f, int m)
{
	int			fm = (f + m + 1) / 2;	/* mean of F and M, halves rounded up */

	if (r == 5 && fm >= 4)
		return RFM_CHAMPIONS;
	if (r >= 3 && fm >= 4)
		return RFM_LOYAL;
	if (r <= 2 && fm == 5)
		return RFM_CANT_LOSE;
	if (r <= 2 && fm >= 3)
		return RFM_AT_RISK;
	if (r == 5 && fm == 1)
		return RFM_NEW;
	if (r == 4 && fm == 1)
		return RFM_PROMISING;
	if (r >= 4)
		return RFM_POTENTIAL_LOYALIST;	/* fm 2..3 */
	if (r == 3 && fm == 3)
		return RFM_NEED_ATTENTION;
	if (r == 3)
		return RFM_ABOUT_TO_SLEEP;	/* fm 1..2 */
	if (r == 2)
		return RFM_HIBERNATING;	/* fm 1..2 */
	return RFM_LOST;			/* r 1, fm 1..2 */
}

/* fills a new rfm_score cache (FnCacheGet); the bounds come at each call */
static void
BuildRfmCache(FunctionCallInfo fcinfo, void *p, MemoryContext mcxt)
{
	RfmCache   *cache = (RfmCache *) p;

	cache->result_desc = ResultRowDesc(fcinfo, mcxt);
	if (cache->result_desc->natts != 4)
		elog(ERROR, "rfm_score must return four attributes");
	EnumLabelOids(TupleDescAttr(cache->result_desc, 3)->atttypid, rfm_labels,
				  lengthof(rfm_labels), cache->segment_oid);
}

PG_FUNCTION_INFO_V1(rfm_score);

/*
 * SQL: rfm_score(recency_days int, frequency int, monetary numeric,
 *				  r_bounds int[], f_bounds int[], m_bounds numeric[]) returns rfm_result
 * Quintile scores 1..5 against the 20/40/60/80th percentiles: F and M are
 * 1 + the number of bounds below the value; R is reversed (5 - that), so the
 * most recent customers score 5.
 */
Datum
rfm_score(PG_FUNCTION_ARGS)
{
	RfmCache   *cache = (RfmCache *) FnCacheGet(fcinfo, sizeof(RfmCache),
												InvalidOid, InvalidOid, BuildRfmCache);
	int32		recency = PG_GETARG_INT32(0);
	int32		frequency = PG_GETARG_INT32(1);
	int64		monetary = Money4FromNumeric(PG_GETARG_DATUM(2), "monetary", NULL);
	const int64 *rb,
			   *fb,
			   *mb;
	int			r,
				f,
				m;
	Datum		out[4];
	bool		outnull[4] = {false};

	rb = BoundsOf(fcinfo, cache, 3, 0, "r_bounds");
	fb = BoundsOf(fcinfo, cache, 4, 1, "f_bounds");
	mb = BoundsOf(fcinfo, cache, 5, 2, "m_bounds");

	r = 5 - Below(rb, recency);
	f = 1 + Below(fb, frequency);
	m = 1 + Below(mb, monetary);
	out[0] = Int32GetDatum(r);
	out[1] = Int32GetDatum(f);
	out[2] = Int32GetDatum(m);
	out[3] = ObjectIdGetDatum(cache->segment_oid[RfmSegmentOf(r, f, m)]);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(cache->result_desc, out, outnull)));
}
