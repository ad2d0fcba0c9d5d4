/*
 * payment_index.c
 *		PAYDEX-style payment index: 100 = 30 days early, 90 = 20 early,
 *		80 = on time, 70 = 15 days beyond terms, 50 = 30, 40 = 60, 30 = 90,
 *		20 = 120 and later; linear between the anchors.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"

#include "payment_index.h"

static const double anchor_days[] = {-30, -20, 0, 15, 30, 60, 90, 120};
static const double anchor_index[] = {100, 90, 80, 70, 50, 40, 30, 20};
#define NUM_ANCHORS lengthof(anchor_days)

double
PaymentIndex(double days)
{
	double		index = anchor_index[NUM_ANCHORS - 1];

	if (days <= anchor_days[0])
		index = anchor_index[0];
	else
	{
		for (int i = 1; i < (int) NUM_ANCHORS; i++)
		{
			if (days <= anchor_days[i])
			{
				double		t = (days - anchor_days[i - 1]) / (anchor_days[i] - anchor_days[i - 1]);

				index = anchor_index[i - 1] + t * (anchor_index[i] - anchor_index[i - 1]);
				break;
			}
		}
	}
	return round(index * 100.0) / 100.0;
}

PG_FUNCTION_INFO_V1(payment_index_numeric);

/* SQL: payment_index(days_beyond_terms numeric) returns numeric */
Datum
payment_index_numeric(PG_FUNCTION_ARGS)
{
	double		days = DatumGetFloat8(DirectFunctionCall1(numeric_float8, PG_GETARG_DATUM(0)));

	if (isnan(days))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("days beyond terms must be a number, not NaN")));
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_round,
										DirectFunctionCall1(float8_numeric, Float8GetDatum(PaymentIndex(days))),
										Int32GetDatum(2)));
}
