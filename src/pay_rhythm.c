/*
 * pay_rhythm.c
 *		The baseline that payment-rhythm warnings compare against.
 *
 * Days to pay = settlement day - issue day of each fully settled invoice.
 * The latest two settlements are what we judge; every earlier one is the
 * customer's baseline.  Median and median absolute deviation rather than
 * mean and standard deviation: one very late payment years ago must not
 * make every later delay look normal.
 */
#include "postgres.h"

#include "pay_rhythm.h"

static int
CompareSettled(const void *a, const void *b)
{
	const SettledInvoice *x = a;
	const SettledInvoice *y = b;

	if (x->settled != y->settled)
		return x->settled < y->settled ? -1 : 1;
	if (x->issued != y->issued)
		return x->issued < y->issued ? -1 : 1;
	if (x->invoice_id != y->invoice_id)
		return x->invoice_id < y->invoice_id ? -1 : 1;
	return 0;
}

static int
CompareInt32(const void *a, const void *b)
{
	int32		x = *(const int32 *) a;
	int32		y = *(const int32 *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/* median of n > 0 sorted values; exact, since halves are exact in a double */
static double
MedianOfSorted(const int32 *v, int n)
{
	if (n % 2 == 1)
		return v[n / 2];
	return ((double) v[n / 2 - 1] + (double) v[n / 2]) / 2.0;
}

void
PayRhythmOf(SettledInvoice *v, int n, PayRhythm *r)
{
	int32	   *days;
	int32	   *twice_dev;

	memset(r, 0, sizeof(PayRhythm));
	if (n <= 0)
		return;
	qsort(v, n, sizeof(SettledInvoice), CompareSettled);
	r->last_days = v[n - 1].settled - v[n - 1].issued;
	r->last_settled = v[n - 1].settled;
	if (n >= 2)
		r->prev_days = v[n - 2].settled - v[n - 2].issued;
	r->baseline = Max(n - 2, 0);
	if (r->baseline == 0)
		return;

	days = palloc(sizeof(int32) * r->baseline);
	twice_dev = palloc(sizeof(int32) * r->baseline);
	for (int i = 0; i < r->baseline; i++)
		days[i] = v[i].settled - v[i].issued;
	qsort(days, r->baseline, sizeof(int32), CompareInt32);
	r->median = MedianOfSorted(days, r->baseline);
	/* deviations doubled, so a half-day median keeps them integral */
	for (int i = 0; i < r->baseline; i++)
	{
		double		dev = 2.0 * days[i] - 2.0 * r->median;

		twice_dev[i] = (int32) (dev < 0 ? -dev : dev);
	}
	qsort(twice_dev, r->baseline, sizeof(int32), CompareInt32);
	r->spread = MedianOfSorted(twice_dev, r->baseline) / 2.0;
	pfree(days);
	pfree(twice_dev);
}
