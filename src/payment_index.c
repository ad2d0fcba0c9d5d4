/*
 * payment_index.c
 *		PAYDEX-style payment index: 100 = 30 days early, 90 = 20 early,
 *		80 = on time, 70 = 15 days beyond terms, 50 = 30, 40 = 60, 30 = 90,
 *		20 = 120 and later; linear between the anchors, rounded to 0.01.
 *
 * Exact: for an average of days d = wsum / amount in the segment
 * [D(k), D(k+1)) the index is
 *		(I(k) * dx * amount + (wsum - D(k) * amount) * dy) / (dx * amount)
 * with dx = D(k+1) - D(k), dy = I(k+1) - I(k), divided and rounded once.
 * The comparisons and the products are done in int128 while they surely
 * fit, else in numeric (exact for these integer operations).
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

#include "exact_money.h"
#include "payment_index.h"

static const int PaydexDays[] = {-30, -20, 0, 15, 30, 60, 90, 120};
static const int PaydexIndex[] = {100, 90, 80, 70, 50, 40, 30, 20};

#define NUM_ANCHORS		lengthof(PaydexDays)
#define INDEX_DECIMALS	2

/* amounts up to this keep every product below inside int128 */
#define FAST_AMOUNT_LIMIT	((int128) 1000000000000000000LL * 1000000000000LL)	/* 10^30 */

static Datum
NumericOfInt(int64 v)
{
	return NumericGetDatum(int64_to_numeric(v));
}

static int
NumericCmp(Datum a, Datum b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, a, b));
}

static Datum
NumericMul(Datum a, Datum b)
{
	return DirectFunctionCall2(numeric_mul, a, b);
}

/* num / den rounded half up to INDEX_DECIMALS; num >= 0, den > 0, exact */
static Datum
NumericRoundedRatio(Datum num, Datum den)
{
	Datum		scaled = NumericMul(num, NumericOfInt(100));
	Datum		q = DirectFunctionCall2(numeric_div_trunc, scaled, den);
	Datum		rem = DirectFunctionCall2(numeric_sub, scaled, NumericMul(q, den));

	if (NumericCmp(NumericMul(rem, NumericOfInt(2)), den) >= 0)
		q = DirectFunctionCall2(numeric_add, q, NumericOfInt(1));
	return DirectFunctionCall2(numeric_round,
							   DirectFunctionCall2(numeric_div, q, NumericOfInt(100)),
							   Int32GetDatum(INDEX_DECIMALS));
}

/* The index for wsum / amount (numerics, amount > 0, both finite). */
static Datum
PaymentIndexNumeric(Datum wsum, Datum amount)
{
	int			k;
	int			dx;
	int			dy;
	Datum		num;

	if (NumericCmp(wsum, NumericMul(NumericOfInt(PaydexDays[0]), amount)) <= 0)
		return ExactToNumeric(PaydexIndex[0] * 100, INDEX_DECIMALS);
	if (NumericCmp(wsum, NumericMul(NumericOfInt(PaydexDays[NUM_ANCHORS - 1]), amount)) >= 0)
		return ExactToNumeric(PaydexIndex[NUM_ANCHORS - 1] * 100, INDEX_DECIMALS);
	for (k = 0; k < (int) NUM_ANCHORS - 2; k++)
		if (NumericCmp(wsum, NumericMul(NumericOfInt(PaydexDays[k + 1]), amount)) < 0)
			break;
	dx = PaydexDays[k + 1] - PaydexDays[k];
	dy = PaydexIndex[k + 1] - PaydexIndex[k];
	num = DirectFunctionCall2(numeric_add,
							  NumericMul(NumericOfInt((int64) PaydexIndex[k] * dx), amount),
							  NumericMul(DirectFunctionCall2(numeric_sub, wsum,
															 NumericMul(NumericOfInt(PaydexDays[k]), amount)),
										 NumericOfInt(dy)));
	return NumericRoundedRatio(num, NumericMul(NumericOfInt(dx), amount));
}

Datum
PaymentIndexFromSums(int128 wsum, int128 amount)
{
	int			k;
	int			n = NUM_ANCHORS;

	if (amount <= 0)
		elog(ERROR, "payment index of a non-positive amount");
	if (amount > FAST_AMOUNT_LIMIT || !ExactInRange(wsum))
		return PaymentIndexNumeric(ExactToNumeric(wsum, 0), ExactToNumeric(amount, 0));

	if (wsum <= PaydexDays[0] * amount)
		return ExactToNumeric(PaydexIndex[0] * 100, INDEX_DECIMALS);
	if (wsum >= PaydexDays[n - 1] * amount)
		return ExactToNumeric(PaydexIndex[n - 1] * 100, INDEX_DECIMALS);
	for (k = 0; k < n - 2; k++)
		if (wsum < PaydexDays[k + 1] * amount)
			break;
	{
		int			dx = PaydexDays[k + 1] - PaydexDays[k];
		int			dy = PaydexIndex[k + 1] - PaydexIndex[k];
		int128		num = (int128) PaydexIndex[k] * dx * amount + (wsum - PaydexDays[k] * amount) * dy;

		/* num > 0: ExactRatioToNumeric's half away from zero is half up */
		return ExactRatioToNumeric(num, (int128) dx * amount, INDEX_DECIMALS);
	}
}

PG_FUNCTION_INFO_V1(payment_index_numeric);

/* SQL: payment_index(days_beyond_terms numeric) returns numeric */
Datum
payment_index_numeric(PG_FUNCTION_ARGS)
{
	Numeric		days = PG_GETARG_NUMERIC(0);

	if (numeric_is_nan(days))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("days beyond terms must be a number, not NaN")));
	if (numeric_is_inf(days))
		PG_RETURN_DATUM(ExactToNumeric(NumericCmp(NumericGetDatum(days), NumericOfInt(0)) < 0
									   ? PaydexIndex[0] * 100
									   : PaydexIndex[NUM_ANCHORS - 1] * 100,
									   INDEX_DECIMALS));
	PG_RETURN_DATUM(PaymentIndexNumeric(NumericGetDatum(days), NumericOfInt(1)));
}
