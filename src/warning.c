/*
 * warning.c
 *		Payment-rhythm early warning: a pure function of a customer's facts
 *		and the lifecycle policy (docs/warnings.md states the same rule).
 *
 *	payment_warning(credit_facts, lifecycle_policy, as_of date) -> alert_level
 *
 *	yellow: the last two settlements each took clearly longer than the
 *			customer's own baseline -- more than median + max(drift_min_days,
 *			drift_spread_factor x spread) days after issue, where median and
 *			spread (median absolute deviation) are those of every earlier
 *			settlement, at least drift_min_baseline of them -- and the
 *			lateness is recent: the last one is at most drift_recent_days
 *			old, or an invoice still open was issued more than that same
 *			late threshold ago (whenever it is paid, it is paid late: a late
 *			observation as of today);
 *	red:	the same, and orders of the last 90 days fell to at most
 *			volume_drop_ratio x those of the 90 days before (which were at
 *			least volume_min_prior_orders);
 *	NULL:	otherwise.
 *
 * Compared exactly: medians are multiples of a quarter day and policy
 * numbers have at most four decimals, so everything is an integer in units
 * of 1/10^8 day.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/numeric.h"

#include "exact_money.h"
#include "rowutil.h"

#define MAX_ATTS 64

enum
{
	F_INVOICES_PAID, F_MEDIAN, F_SPREAD, F_LAST_DAYS, F_PREV_DAYS, F_LAST_SETTLED,
	F_ORDERS_90D, F_ORDERS_PRIOR_90D, F_OLDEST_OPEN, NUM_W_FACTS
};
static const char *const w_fact_names[NUM_W_FACTS] = {
	"invoices_paid", "pay_days_median", "pay_days_spread", "last_pay_days", "prev_pay_days",
	"last_settled_on", "orders_90d", "orders_prior_90d", "oldest_open_issued_on"
};

enum
{
	P_MIN_BASELINE, P_MIN_DAYS, P_SPREAD_FACTOR, P_RECENT_DAYS, P_DROP_RATIO,
	P_MIN_PRIOR_ORDERS, NUM_W_POLICY
};
static const char *const w_policy_names[NUM_W_POLICY] = {
	"drift_min_baseline", "drift_min_days", "drift_spread_factor", "drift_recent_days",
	"volume_drop_ratio", "volume_min_prior_orders"
};

typedef struct WarningCache
{
	FnCacheKey	key;			/* credit_facts and warning_policy row types */
	TupleDesc	facts_desc;
	TupleDesc	policy_desc;
	int			facts_att[NUM_W_FACTS];
	int			policy_att[NUM_W_POLICY];
	Oid			yellow;
	Oid			red;
} WarningCache;

/* fills a new cache for the row types in its key (FnCacheGet) */
static void
BuildWarningCache(FunctionCallInfo fcinfo, void *p, MemoryContext mcxt)
{
	WarningCache *cache = (WarningCache *) p;
	static const char *const levels[] = {"yellow", "red"};
	Oid			level_oid[lengthof(levels)];
	Oid			level_type;

	cache->facts_desc = RowDesc(cache->key.types[0], mcxt);
	cache->policy_desc = RowDesc(cache->key.types[1], mcxt);
	if (cache->facts_desc->natts > MAX_ATTS || cache->policy_desc->natts > MAX_ATTS)
		elog(ERROR, "row type too wide for payment_warning");
	FindAttributes(cache->facts_desc, w_fact_names, NUM_W_FACTS, cache->facts_att);
	FindAttributes(cache->policy_desc, w_policy_names, NUM_W_POLICY, cache->policy_att);
	level_type = get_fn_expr_rettype(fcinfo->flinfo);
	if (!OidIsValid(level_type))
		elog(ERROR, "payment_warning: cannot determine its result type");
	EnumLabelOids(level_type, levels, lengthof(levels), level_oid);
	cache->yellow = level_oid[0];
	cache->red = level_oid[1];
}

static WarningCache *
GetWarningCache(FunctionCallInfo fcinfo, Oid facts_type, Oid policy_type)
{
	return (WarningCache *) FnCacheGet(fcinfo, sizeof(WarningCache), facts_type, policy_type,
									   BuildWarningCache);
}

/* an integer or numeric attribute in 1/10000; false when NULL */
static bool
Att4(Datum *values, bool *nulls, TupleDesc desc, int att, int64 *result)
{
	const char *name = NameStr(TupleDescAttr(desc, att)->attname);

	if (nulls[att])
		return false;
	switch (TupleDescAttr(desc, att)->atttypid)
	{
		case NUMERICOID:
			*result = Money4FromNumeric(values[att], name, NULL);
			break;
		case INT4OID:
			*result = (int64) DatumGetInt32(values[att]) * MONEY4_ONE;
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("attribute \"%s\" of %s must be numeric or integer",
							name, format_type_be(desc->tdtypeid))));
	}
	return true;
}

/* a date attribute the caller found not NULL */
static DateADT
AttDate(Datum *values, TupleDesc desc, int att)
{
	if (TupleDescAttr(desc, att)->atttypid != DATEOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("attribute \"%s\" of %s must be a date",
						NameStr(TupleDescAttr(desc, att)->attname), format_type_be(desc->tdtypeid))));
	return DatumGetDateADT(values[att]);
}

/* a policy setting; NULL is an error, the setting has no meaning without it */
static int64
Setting4(Datum *values, bool *nulls, TupleDesc desc, int att)
{
	int64		x;

	if (!Att4(values, nulls, desc, att, &x))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("lifecycle policy setting \"%s\" is null",
						NameStr(TupleDescAttr(desc, att)->attname))));
	return x;
}

/* later than the baseline: days * 10^8 > median4 * 10^4 + max(min4 * 10^4, factor4 * spread4) */
static bool
Later(int64 days4, int64 median4, int64 spread4, int64 min_days4, int64 factor4)
{
	int128		margin = Max((int128) min_days4 * MONEY4_ONE, (int128) factor4 * spread4);

	return (int128) days4 * MONEY4_ONE > (int128) median4 * MONEY4_ONE + margin;
}

PG_FUNCTION_INFO_V1(payment_warning);

Datum
payment_warning(PG_FUNCTION_ARGS)
{
	HeapTupleHeader facts = PG_GETARG_HEAPTUPLEHEADER(0);
	HeapTupleHeader policy = PG_GETARG_HEAPTUPLEHEADER(1);
	DateADT		as_of = PG_GETARG_DATEADT(2);
	WarningCache *c = GetWarningCache(fcinfo, HeapTupleHeaderGetTypeId(facts),
									  HeapTupleHeaderGetTypeId(policy));
	Datum		fv[MAX_ATTS],
				pv[MAX_ATTS];
	bool		fn[MAX_ATTS],
				pn[MAX_ATTS];
	int64		paid4,
				median4,
				spread4,
				last4,
				prev4,
				o90,
				o180;
	int64		p[NUM_W_POLICY];
	DateADT		settled;
	bool		recent;

	if (DATE_NOT_FINITE(as_of))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("as_of must be a finite date")));
	DeformRow(facts, c->facts_desc, fv, fn);
	DeformRow(policy, c->policy_desc, pv, pn);
	for (int i = 0; i < NUM_W_POLICY; i++)
		p[i] = Setting4(pv, pn, c->policy_desc, c->policy_att[i]);

	if (!Att4(fv, fn, c->facts_desc, c->facts_att[F_INVOICES_PAID], &paid4) ||
		!Att4(fv, fn, c->facts_desc, c->facts_att[F_MEDIAN], &median4) ||
		!Att4(fv, fn, c->facts_desc, c->facts_att[F_SPREAD], &spread4) ||
		!Att4(fv, fn, c->facts_desc, c->facts_att[F_LAST_DAYS], &last4) ||
		!Att4(fv, fn, c->facts_desc, c->facts_att[F_PREV_DAYS], &prev4) ||
		fn[c->facts_att[F_LAST_SETTLED]])
		PG_RETURN_NULL();
	settled = DatumGetDateADT(fv[c->facts_att[F_LAST_SETTLED]]);

	/* enough history of its own, both of the last two settlements late */
	if (paid4 - 2 * MONEY4_ONE < p[P_MIN_BASELINE] ||
		!Later(last4, median4, spread4, p[P_MIN_DAYS], p[P_SPREAD_FACTOR]) ||
		!Later(prev4, median4, spread4, p[P_MIN_DAYS], p[P_SPREAD_FACTOR]))
		PG_RETURN_NULL();

	/*
	 * ... and the lateness still current: a recent last settlement, or an
	 * open invoice already older than the late threshold (as_of - issue day
	 * is a lower bound of its days to pay)
	 */
	recent = (int64) (as_of - settled) * MONEY4_ONE <= p[P_RECENT_DAYS];
	if (!recent && !fn[c->facts_att[F_OLDEST_OPEN]])
	{
		DateADT		open_since = AttDate(fv, c->facts_desc, c->facts_att[F_OLDEST_OPEN]);

		recent = Later((int64) (as_of - open_since) * MONEY4_ONE, median4, spread4,
					   p[P_MIN_DAYS], p[P_SPREAD_FACTOR]);
	}
	if (!recent)
		PG_RETURN_NULL();

	if (Att4(fv, fn, c->facts_desc, c->facts_att[F_ORDERS_90D], &o90) &&
		Att4(fv, fn, c->facts_desc, c->facts_att[F_ORDERS_PRIOR_90D], &o180) &&
		o180 > 0 && o180 >= p[P_MIN_PRIOR_ORDERS] &&
		(int128) o90 * MONEY4_ONE <= (int128) p[P_DROP_RATIO] * o180)
		PG_RETURN_OID(c->red);
	PG_RETURN_OID(c->yellow);
}
