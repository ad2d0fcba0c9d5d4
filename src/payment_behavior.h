/*
 * payment_behavior.h
 *		payment_stats: the state of the payment-behaviour aggregate over a
 *		customer's invoices, a real fixed-size varlena type (updated in place
 *		by the transition function, text form round-trips exactly).
 *
 * Money sums are int128 units at one shared decimal scale; "wsum" fields
 * are amount x days sums at that same scale.
 */
#ifndef CUSTOMER_CLASS_PAYMENT_BEHAVIOR_H
#define CUSTOMER_CLASS_PAYMENT_BEHAVIOR_H

#include "fmgr.h"

/* max_days_past_due when no invoice is open */
#define PAYSTATS_NONE_OPEN	PG_INT32_MIN

typedef struct PayStats
{
	int32		vl_len_;
	int16		version;		/* PAYSTATS_VERSION, for future layouts */
	int16		scale;			/* decimals of every money field */
	int32		max_days_past_due;	/* of any open invoice, or NONE_OPEN */
	int32		padding;		/* zero */
	int64		invoices;		/* invoices issued by as_of */
	int64		open_invoices;	/* not fully paid as of as_of */
	int64		paid;			/* fully paid by as_of */
	int64		paid_on_time;	/* paid on or before the due date */
	int64		paid_late;		/* paid after the due date */
	int128		billed;			/* sum of invoice amounts */
	int128		open_balance;	/* sum of open amounts */
	int128		overdue_balance;	/* open amounts past their due date */
	int128		paid_amount;	/* sum of amounts of paid invoices */
	int128		on_time_amount; /* ... of those paid on time */
	int128		days_to_pay_wsum;	/* sum amount x days from issue to payment */
	int128		days_beyond_wsum;	/* sum amount x max(0, days after due) */
	int128		days_signed_wsum;	/* sum amount x (payment - due), early < 0 */
} PayStats;

#define PAYSTATS_VERSION	1

#endif
