/*
 * credit_score.h
 *		Scoring a customer's facts under a scorecard: four dimension points,
 *		the total and the grade.
 */
#ifndef CUSTOMER_CLASS_CREDIT_SCORE_H
#define CUSTOMER_CLASS_CREDIT_SCORE_H

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

/* The scorecard's numbers, in the order of the scorecard table's columns. */
typedef struct Scorecard
{
	double		w_scale;
	double		w_payment;
	double		w_stability;
	double		w_risk;
	double		cutoff_a;
	double		cutoff_b;
	double		cutoff_c;
	double		scale_full_revenue;
	double		scale_full_orders;
	double		tenure_full_days;
	double		no_history_points;
	double		overdue_tolerance;
	double		risk_default_points;
	double		external_weight;
} Scorecard;

typedef struct CreditResult
{
	double		scale;
	double		payment;
	double		stability;
	double		risk;
	double		internal;		/* weighted total of the four */
	double		score;			/* after blending the external score */
	int			grade;			/* 0 = A .. 3 = D */
} CreditResult;

extern void ScoreCredit(const CreditFacts *f, const Scorecard *card, CreditResult *r);

#endif
