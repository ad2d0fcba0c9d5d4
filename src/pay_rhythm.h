/*
 * pay_rhythm.h
 *		A customer's own payment rhythm: how many days after issue it
 *		usually settles an invoice, and how its last two settlements compare.
 */
#ifndef CUSTOMER_CLASS_PAY_RHYTHM_H
#define CUSTOMER_CLASS_PAY_RHYTHM_H

#include "utils/date.h"

/* one fully settled invoice */
typedef struct SettledInvoice
{
	DateADT		settled;		/* day of the payment that completed it */
	DateADT		issued;
	int64		invoice_id;
} SettledInvoice;

typedef struct PayRhythm
{
	int			baseline;		/* settlements before the last two */
	double		median;			/* their median days to pay (valid when baseline > 0) */
	double		spread;			/* median absolute deviation from that median */
	int32		last_days;		/* days to pay of the latest settlement (n >= 1) */
	int32		prev_days;		/* of the one before it (n >= 2) */
	DateADT		last_settled;	/* day of the latest settlement (n >= 1) */
} PayRhythm;

/* sorts v in place (by settlement day, issue day, id) and describes it */
extern void PayRhythmOf(SettledInvoice *v, int n, PayRhythm *r);

#endif
