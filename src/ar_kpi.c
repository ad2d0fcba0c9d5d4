/*
 * ar_kpi.c
 *		AR figures over a period (formulas and worked examples in
 *		docs/receivables.md).  Every result is numeric rounded to 2
 *		decimals; a zero denominator gives NULL (the figure is undefined),
 *		a period of no days or a negative number of days is an error.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgrprotos.h"

#include "ar_kpi.h"

static Datum
NumericOfInt(int32 v)
{
	return DirectFunctionCall1(int4_numeric, Int32GetDatum(v));
}

static bool
NumericIsZero(Datum n)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, n, NumericOfInt(0))) == 0;
}

static void
CheckPeriodDays(int32 days, const char *fn)
{
	if (days <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the period must have a positive number of days, not %d", fn, days)));
}

/* round(num * factor / den, 2), or NULL when den = 0 */
static Datum
ScaledRatio(Datum num, Datum den, Datum factor, bool *isnull)
{
	Datum		q;

	if (NumericIsZero(den))
	{
		*isnull = true;
		return (Datum) 0;
	}
	*isnull = false;
	q = DirectFunctionCall2(numeric_div,
							DirectFunctionCall2(numeric_mul, num, factor), den);
	return DirectFunctionCall2(numeric_round, q, Int32GetDatum(AR_KPI_DECIMALS));
}

PG_FUNCTION_INFO_V1(ar_dso);

/* SQL: dso(ending_ar, credit_sales, days) = ending_ar / credit_sales x days */
Datum
ar_dso(PG_FUNCTION_ARGS)
{
	bool		isnull;
	Datum		r;

	CheckPeriodDays(PG_GETARG_INT32(2), "dso");
	r = ScaledRatio(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), NumericOfInt(PG_GETARG_INT32(2)), &isnull);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(r);
}

PG_FUNCTION_INFO_V1(ar_add);

/*
 * SQL: average_days_delinquent(total_ar, current_ar, credit_sales, days)
 *		= DSO - best-possible DSO, each rounded to 2 decimals first, so that
 *		the three figures shown side by side add up; it may differ by 0.01
 *		from round((total_ar - current_ar) / credit_sales x days, 2)
 */
Datum
ar_add(PG_FUNCTION_ARGS)
{
	Datum		days;
	bool		isnull;
	Datum		dso;
	Datum		best;

	CheckPeriodDays(PG_GETARG_INT32(3), "average_days_delinquent");
	days = NumericOfInt(PG_GETARG_INT32(3));
	dso = ScaledRatio(PG_GETARG_DATUM(0), PG_GETARG_DATUM(2), days, &isnull);
	if (isnull)
		PG_RETURN_NULL();
	best = ScaledRatio(PG_GETARG_DATUM(1), PG_GETARG_DATUM(2), days, &isnull);
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_sub, dso, best));
}

PG_FUNCTION_INFO_V1(ar_cei);

/*
 * SQL: collection_effectiveness_index(begin_ar, credit_sales, end_ar, end_current_ar)
 *		= (begin_ar + credit_sales - end_ar) / (begin_ar + credit_sales - end_current_ar) x 100
 */
Datum
ar_cei(PG_FUNCTION_ARGS)
{
	Datum		available = DirectFunctionCall2(numeric_add, PG_GETARG_DATUM(0), PG_GETARG_DATUM(1));
	bool		isnull;
	Datum		r;

	r = ScaledRatio(DirectFunctionCall2(numeric_sub, available, PG_GETARG_DATUM(2)),
					DirectFunctionCall2(numeric_sub, available, PG_GETARG_DATUM(3)),
					NumericOfInt(100), &isnull);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(r);
}

PG_FUNCTION_INFO_V1(ar_collection_rate);

/*
 * SQL: collection_rate(collections, begin_ar, credit_sales)
 *		= collections / (begin_ar + credit_sales) x 100
 */
Datum
ar_collection_rate(PG_FUNCTION_ARGS)
{
	bool		isnull;
	Datum		r;

	r = ScaledRatio(PG_GETARG_DATUM(0),
					DirectFunctionCall2(numeric_add, PG_GETARG_DATUM(1), PG_GETARG_DATUM(2)),
					NumericOfInt(100), &isnull);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(r);
}

PG_FUNCTION_INFO_V1(ar_period_days);

/* SQL: ar_period_days(period_start, period_end) -- days in the period, both ends included */
Datum
ar_period_days(PG_FUNCTION_ARGS)
{
	DateADT		start = PG_GETARG_DATEADT(0);
	DateADT		end = PG_GETARG_DATEADT(1);

	if (DATE_NOT_FINITE(start) || DATE_NOT_FINITE(end))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the period must have finite start and end dates")));
	if (end < start)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the period ends before it starts"),
				 errdetail("period_start is %s, period_end is %s.",
						   DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(start))),
						   DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(end))))));
	PG_RETURN_INT32(end - start + 1);
}
