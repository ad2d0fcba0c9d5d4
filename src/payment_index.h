/*
 * payment_index.h
 *		PAYDEX-style payment index from amount-weighted days beyond terms,
 *		computed exactly: the one implementation behind payment_index(),
 *		payment_behavior_agg() and the credit facts.
 */
#ifndef CUSTOMER_CLASS_PAYMENT_INDEX_H
#define CUSTOMER_CLASS_PAYMENT_INDEX_H

#include "fmgr.h"

/*
 * Index 20..100 (numeric, 2 decimals, half rounded up) for the average
 * wsum / amount of signed days beyond terms (early < 0); amount > 0.  The
 * sums are in any one unit (e.g. cents and cent-days).
 */
extern Datum PaymentIndexFromSums(int128 wsum, int128 amount);

#endif
