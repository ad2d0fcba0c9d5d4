/*
 * money4.h
 *		Exact money as integers of 1/10000: the fast path of the per-customer
 *		aggregates.  A numeric with at most four decimals converts without
 *		loss; anything finer is rejected with a clear error, never rounded.
 */
#ifndef CUSTOMER_CLASS_MONEY4_H
#define CUSTOMER_CLASS_MONEY4_H

#include "fmgr.h"

#define MONEY4_SCALE 4
#define MONEY4_ONE 10000

/*
 * numeric Datum -> 1/10000 units; ereports on NaN, infinity, overflow or
 * more than four decimals.  *dscale (if not NULL) gets the value's display
 * scale, so that results can be shown with the inputs' decimals.
 */
extern int64 Money4FromNumeric(Datum num, const char *what, int *dscale);

/* the same without throwing: false for NaN, infinity, overflow, >4 decimals */
extern bool Money4TryFromNumeric(Datum num, int64 *result, int *dscale);

/* a numeric as a double: exact-decimal fast path, numeric_float8 otherwise */
extern double NumericToDouble(Datum num);

/* 1/10000 units -> numeric Datum with dscale decimals (0..4), exact */
extern Datum Money4ToNumericScaled(int128 value, int dscale);

/* 1/10000 units (possibly a 128-bit sum) -> numeric Datum, exact */
extern Datum Money4ToNumeric(int128 value);

#endif
