/*
 * exact_money.h
 *		Exact money: accumulation in scaled 128-bit integers, and amounts in
 *		fixed 1/10000 units; defined in exact_money.c.
 *
 * An amount is held as an int128 "units" value together with a decimal
 * scale: units / 10^scale.  Aggregate states keep one scale for all their
 * sums and raise it (rescaling every sum) when an amount with more decimals
 * arrives, so nothing is ever rounded.  Anything that does not fit is an
 * error (22003), never a silent loss of precision.
 */
#ifndef CUSTOMER_CLASS_EXACT_MONEY_H
#define CUSTOMER_CLASS_EXACT_MONEY_H

#include "fmgr.h"
#include "lib/stringinfo.h"

/* Most decimals an accumulated amount may carry. */
#define EXACT_MONEY_MAX_SCALE	12

/*
 * A numeric split into digits * 10^exponent, with trailing decimal zeros
 * already moved into the exponent.
 */
typedef struct ExactDecimal
{
	int128		digits;
	int			exponent;
} ExactDecimal;

extern bool ExactUnitsFast(Datum num, int scale, int128 *units);
extern void ExactDecimalFromNumeric(Datum num, const char *what, ExactDecimal *dec);
extern int	ExactDecimalScale(const ExactDecimal *dec);
extern int128 ExactDecimalAtScale(const ExactDecimal *dec, int scale, const char *what);
extern int128 ExactMulPow10(int128 value, int power, const char *what);
extern int128 ExactAdd(int128 a, int128 b, const char *what);
extern int128 ExactMul(int128 a, int128 b, const char *what);
extern void ExactAppendScaled(StringInfo buf, int128 value, int scale);
extern Datum ExactToNumeric(int128 value, int scale);
extern Datum ExactRatioToNumeric(int128 num, int128 den, int decimals);
extern bool ExactInRange(int128 value);
extern void ExactMoneyOverflow(const char *what) pg_attribute_noreturn();

/*
 * Fixed scale: amounts as int64 units of 1/10000.  A numeric with at most
 * four decimals converts without loss; anything finer is rejected with a
 * clear error, never rounded.
 */
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
