/*
 * payment_index.h
 *		PAYDEX-style payment index from amount-weighted days beyond terms.
 */
#ifndef CUSTOMER_CLASS_PAYMENT_INDEX_H
#define CUSTOMER_CLASS_PAYMENT_INDEX_H

/* index 20..100 for signed days beyond terms (early < 0), rounded to 0.01 */
extern double PaymentIndex(double days_beyond_terms);

#endif
