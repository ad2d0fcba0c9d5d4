/*
 * exact_money.h
 *		Exact money accumulation in scaled 128-bit integers.
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

#endif
