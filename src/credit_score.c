/*
 * credit_score.c
 *		The scoring formulas.  Pure arithmetic, no PostgreSQL calls, so that
 *		the rules read in one place (docs/scoring.md describes the same).
 *
 * Every dimension is 0..100 and monotone in each input: more revenue, more
 * orders, better timeliness, longer tenure and lower risk never lower the
 * points.  Points are rounded to two decimals before they are combined, so
 * the explanation's contributions add up to the score exactly as shown.
 */
#include "postgres.h"

#include <math.h>

#include "port/pg_bitutils.h"

#include "credit_score.h"

/* round half away from zero to two decimals */
static double
Round2(double x)
{
	return round(x * 100.0) / 100.0;
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

/* revenue on a log scale (a tenth of full revenue already earns ~67%) */
static double
ScalePoints(const CreditFacts *f, const Scorecard *c)
{
	double		rev = f->revenue_12m > 0 ? f->revenue_12m : 0;
	double		rev_pts = 100.0 * Clamp01(log1p(rev) / log1p(c->scale_full_revenue));
	double		ord_pts = 100.0 * Clamp01((double) f->orders_12m / c->scale_full_orders);

	return Round2(0.7 * rev_pts + 0.3 * ord_pts);
}

/*
 * Timeliness from the on-time ratio and the payment index, over all paid
 * invoices and over those settled in the last 90 days (so that a rhythm
 * that slips shows before the long record absorbs it); a customer with no
 * paid invoice gets the scorecard's neutral points for those.  Overdue
 * balance costs points in proportion to its share of a year's revenue, all
 * of them once it reaches overdue_tolerance; any default costs its part.
 */
static double
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

	return Round2(0.25 * on_time + 0.20 * index + 0.20 * recent + 0.20 * overdue + 0.15 * deflt);
}

/* tenure, months with an order (continuity), quarters with one (regularity) */
static double
StabilityPoints(const CreditFacts *f, const Scorecard *c)
{
	uint32		months = (uint32) f->order_months & 0xFFF;
	int			quarters = 0;
	double		tenure = 100.0 * Clamp01((double) f->tenure_days / c->tenure_full_days);
	double		continuity = 100.0 * pg_popcount32(months) / 12.0;

	for (int q = 0; q < 4; q++)
		if (months & (0x7u << (3 * q)))
			quarters++;

	return Round2(0.4 * tenure + 0.4 * continuity + 0.2 * (100.0 * quarters / 4.0));
}

static double
RiskPoints(const CreditFacts *f, const Scorecard *c)
{
	double		ind = isnan(f->industry_points) ? c->risk_default_points : f->industry_points;
	double		reg = isnan(f->region_points) ? c->risk_default_points : f->region_points;

	return Round2((ind + reg) / 2.0);
}

void
ScoreCredit(const CreditFacts *f, const Scorecard *c, CreditResult *r)
{
	double		ew = c->external_weight / 100.0;

	r->scale = ScalePoints(f, c);
	r->payment = PaymentPoints(f, c);
	r->stability = StabilityPoints(f, c);
	r->risk = RiskPoints(f, c);
	r->internal = Round2((c->w_scale * r->scale + c->w_payment * r->payment +
						  c->w_stability * r->stability + c->w_risk * r->risk) / 100.0);
	if (isnan(f->external_score) || ew <= 0)
		r->score = r->internal;
	else
		r->score = Round2((1.0 - ew) * r->internal + ew * f->external_score);

	/* compare in hundredths, as integers: a score shown as 80.00 is an A at 80 */
	if (llround(r->score * 100) >= llround(c->cutoff_a * 100))
		r->grade = 0;
	else if (llround(r->score * 100) >= llround(c->cutoff_b * 100))
		r->grade = 1;
	else if (llround(r->score * 100) >= llround(c->cutoff_c * 100))
		r->grade = 2;
	else
		r->grade = 3;
}
