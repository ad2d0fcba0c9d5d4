/*
 * credit_score.c
 *		The scoring formulas.  Pure arithmetic, no PostgreSQL calls, so that
 *		the rules read in one place (docs/scoring.md describes the same).
 *
 * Every dimension is 0..100 and monotone in each input: more revenue, more
 * orders, better timeliness, longer tenure and lower risk never lower the
 * points.  A dimension's formula is evaluated in double precision (it takes
 * logarithms and ratios) and its value rounded to hundredths by Hundredths().
 * From there on everything is exact integer arithmetic: points in
 * hundredths, weights in 1/10000, the weighted sum rounded once, half away
 * from zero.  The sum is then apportioned into contributions (largest
 * remainder), so that the explanation's rows add up to the score exactly.
 */
#include "postgres.h"

#include <math.h>

#include "port/pg_bitutils.h"

#include "credit_score.h"

/* (W_TOTAL)^2: a weight fraction times a keep fraction, in hundredths */
#define BLEND_DENOM ((int128) SCORE_WEIGHT_TOTAL * SCORE_WEIGHT_TOTAL)

/*
 * A formula's value in hundredths, half away from zero.  The value is first
 * rounded to 1e-8 (a millionth of a hundredth), which removes the binary
 * noise of the double (1.13 / 2 is 0.56499999999999995 in binary, yet
 * exactly 0.565), and the rounding to hundredths is then exact.
 */
static int64
Hundredths(double x)
{
	double		snapped;

	/* every part is 0..100 (NaN only from a hand-made row: 0) */
	if (!(x > 0.0))
		return 0;
	if (x > 100.0)
		x = 100.0;
	snapped = round(x * 1e8) / 1e6;

	return (int64) round(snapped);
}

/* n / d rounded half away from zero; d > 0 */
static int64
RoundDiv(int128 n, int128 d)
{
	if (n >= 0)
		return (int64) ((n + d / 2) / d);
	return (int64) -((-n + d / 2) / d);
}

/* floor(n / d); d > 0 */
static int128
FloorDiv(int128 n, int128 d)
{
	int128		q = n / d;

	if (n % d != 0 && n < 0)
		q--;
	return q;
}

static double
Clamp01(double x)
{
	if (x < 0.0)
		return 0.0;
	if (x > 1.0)
		return 1.0;
	return x;
}

/* revenue on a log scale (with full at 1e6: 1,000 earns half, 100,000 5/6) */
static int64
ScalePoints(const CreditFacts *f, const Scorecard *c)
{
	double		rev = f->revenue_12m > 0 ? f->revenue_12m : 0;
	double		rev_pts = 100.0 * Clamp01(log1p(rev) / log1p(c->scale_full_revenue));
	double		ord_pts = 100.0 * Clamp01((double) f->orders_12m / c->scale_full_orders);

	return Hundredths(0.7 * rev_pts + 0.3 * ord_pts);
}

/*
 * Timeliness from the on-time ratio and the payment index, over all paid
 * invoices and over those settled in the last 90 days (so that a rhythm
 * that slips shows before the long record absorbs it); a customer with no
 * paid invoice gets the scorecard's neutral points for those.  Overdue
 * balance costs points in proportion to its share of a year's revenue, all
 * of them once it reaches overdue_tolerance; any default costs its part.
 */
static int64
PaymentPoints(const CreditFacts *f, const Scorecard *c)
{
	double		on_time = isnan(f->on_time_ratio) ? c->no_history_points
		: 100.0 * Clamp01(f->on_time_ratio);
	double		index = isnan(f->payment_index) ? c->no_history_points
		: f->payment_index;
	double		recent = isnan(f->recent_index) ? index : f->recent_index;
	double		share;
	double		overdue;
	double		deflt = f->defaults > 0 ? 0.0 : 100.0;

	if (f->overdue_balance <= 0)
		share = 0.0;
	else if (f->revenue_12m <= 0)
		share = 1.0;
	else
		share = f->overdue_balance / f->revenue_12m;
	overdue = 100.0 * (1.0 - Clamp01(share / c->overdue_tolerance));

	return Hundredths(0.25 * on_time + 0.20 * index + 0.20 * recent + 0.20 * overdue + 0.15 * deflt);
}

/* tenure, months with an order (continuity), quarters with one (regularity) */
static int64
StabilityPoints(const CreditFacts *f, const Scorecard *c)
{
	uint32		months = (uint32) f->order_months & 0xFFF;
	int			quarters = 0;
	double		tenure = 100.0 * Clamp01((double) f->tenure_days / c->tenure_full_days);
	double		continuity = 100.0 * pg_popcount32(months) / 12.0;

	for (int q = 0; q < 4; q++)
		if (months & (0x7u << (3 * q)))
			quarters++;

	return Hundredths(0.4 * tenure + 0.4 * continuity + 0.2 * (100.0 * quarters / 4.0));
}

static int64
RiskPoints(const CreditFacts *f, const Scorecard *c)
{
	double		ind = isnan(f->industry_points) ? c->risk_default_points : f->industry_points;
	double		reg = isnan(f->region_points) ? c->risk_default_points : f->region_points;

	return Hundredths((ind + reg) / 2.0);
}

/*
 * Split the score into the parts' contributions: each part gets its exact
 * share rounded down, and the hundredths left over go, one each, to the
 * parts with the largest remainders (the first of equals).  Every
 * contribution is its exact share rounded down or up, and they add up to
 * the score, which is the exact sum rounded half away from zero.
 */
static void
Apportion(const int128 *exact, int nparts, int64 score, int64 *contribution)
{
	int128		rem[SCORE_PARTS];
	bool		given[SCORE_PARTS] = {false};
	int64		left = score;

	for (int i = 0; i < nparts; i++)
	{
		int128		fl = FloorDiv(exact[i], BLEND_DENOM);

		contribution[i] = (int64) fl;
		rem[i] = exact[i] - fl * BLEND_DENOM;
		left -= contribution[i];
	}
	/* 0 <= left <= nparts, since score rounds the sum of the remainders */
	Assert(left >= 0 && left <= nparts);
	while (left-- > 0)
	{
		int			best = -1;

		for (int i = 0; i < nparts; i++)
			if (!given[i] && (best < 0 || rem[i] > rem[best]))
				best = i;
		if (best < 0)
			break;
		given[best] = true;
		contribution[best]++;
	}
}

void
ScoreCredit(const CreditFacts *f, const Scorecard *c, CreditResult *r)
{
	int64		w[4] = {c->w_scale, c->w_payment, c->w_stability, c->w_risk};
	int64		keep;
	int128		exact[SCORE_PARTS];
	int128		sum = 0;
	int128		internal = 0;

	r->points[0] = ScalePoints(f, c);
	r->points[1] = PaymentPoints(f, c);
	r->points[2] = StabilityPoints(f, c);
	r->points[3] = RiskPoints(f, c);
	r->blended = !isnan(f->external_score) && c->external_weight > 0;
	r->points[SCORE_PART_EXTERNAL] = r->blended ? Hundredths(f->external_score) : 0;
	keep = SCORE_WEIGHT_TOTAL - (r->blended ? c->external_weight : 0);

	for (int i = 0; i < 4; i++)
	{
		internal += (int128) w[i] * r->points[i];
		exact[i] = (int128) w[i] * keep * r->points[i];
		sum += exact[i];
	}
	exact[SCORE_PART_EXTERNAL] = r->blended ?
		(int128) c->external_weight * SCORE_WEIGHT_TOTAL * r->points[SCORE_PART_EXTERNAL] : 0;
	sum += exact[SCORE_PART_EXTERNAL];

	/* internal: sum of weight/100 x points; score: the same blended */
	r->internal = RoundDiv(internal, SCORE_WEIGHT_TOTAL);
	r->score = RoundDiv(sum, BLEND_DENOM);
	Apportion(exact, SCORE_PARTS, r->score, r->contribution);

	/* cut-offs are hundredths too: a score of 78.00 is an A at 78 */
	if (r->score >= c->cutoff_a)
		r->grade = 0;
	else if (r->score >= c->cutoff_b)
		r->grade = 1;
	else if (r->score >= c->cutoff_c)
		r->grade = 2;
	else
		r->grade = 3;
}
