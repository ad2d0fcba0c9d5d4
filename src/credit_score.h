/*
 * credit_score.h
 *		Scoring a customer's facts under a scorecard: four dimension points,
 *		the total, its apportionment into contributions, and the grade.
 *
 * Points, scores and contributions are integers of hundredths; weights are
 * integers of ten-thousandths, so the combination is exact.
 */
#ifndef CUSTOMER_CLASS_CREDIT_SCORE_H
#define CUSTOMER_CLASS_CREDIT_SCORE_H

/* weights, cut-offs and the external weight, in 1/10000 */
#define SCORE_WEIGHT_ONE 10000
/* the weights sum to 100 */
#define SCORE_WEIGHT_TOTAL (100 * SCORE_WEIGHT_ONE)

/* The facts scoring reads; NaN marks an unknown (SQL NULL) ratio or index. */
typedef struct CreditFacts
{
	double		revenue_12m;	/* invoiced in the last 12 months */
	int			orders_12m;		/* orders in the last 12 months */
	int			order_months;	/* bit i: an order i months before as_of */
	double		on_time_ratio;	/* paid on time / paid, by amount; NaN: none */
	double		payment_index;	/* PAYDEX-style 1..100; NaN: too few paid */
	double		recent_index;	/* the same over the last 90 days; NaN: none */
	double		overdue_balance;	/* open and past due */
	int			defaults;		/* open invoices more than 90 days past due */
	int			tenure_days;	/* days since the customer was opened */
	double		industry_points;	/* 0..100; NaN: no risk factor applies */
	double		region_points;	/* 0..100; NaN: no risk factor applies */
	double		external_score; /* 0..100; NaN: none valid */
} CreditFacts;

/*
 * The scorecard's numbers.  Weights (w_*, external_weight) are exact in
 * 1/10000 and cut-offs in hundredths; the formula settings are doubles.
 */
typedef struct Scorecard
{
	int64		w_scale;
	int64		w_payment;
	int64		w_stability;
	int64		w_risk;
	int64		cutoff_a;		/* hundredths */
	int64		cutoff_b;
	int64		cutoff_c;
	double		scale_full_revenue;
	double		scale_full_orders;
	double		tenure_full_days;
	double		no_history_points;
	double		overdue_tolerance;
	double		risk_default_points;
	int64		external_weight;
} Scorecard;

/* the rows of a score: the four dimensions and the external score */
#define SCORE_PARTS 5
#define SCORE_PART_EXTERNAL 4

/* all in hundredths */
typedef struct CreditResult
{
	int64		points[SCORE_PARTS];	/* scale, payment, stability, risk,
										 * external */
	int64		internal;		/* weighted total of the four, rounded once */
	int64		score;			/* after blending the external score */
	int64		contribution[SCORE_PARTS];	/* add up to score exactly */
	bool		blended;		/* the external score took part */
	int			grade;			/* 0 = A .. 3 = D */
} CreditResult;

extern void ScoreCredit(const CreditFacts *f, const Scorecard *card, CreditResult *r);

#endif
