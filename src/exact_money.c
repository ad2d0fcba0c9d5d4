/*
 * exact_money.c
 *		Exact money arithmetic on scaled int128 values (see exact_money.h).
 *
 * Amounts arrive as numeric.  Rather than calling numeric arithmetic for
 * every row, the numeric's stored form is decoded directly: that form is
 * PostgreSQL's on-disk format (sign/scale/weight header followed by base
 * 10000 digits), stable across releases because pg_upgrade relies on it.
 * Only decoding happens here; all output goes back through numeric_in.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "exact_money.h"

/* numeric's stored header, as documented in utils/adt/numeric.c */
#define NUMERIC_SIGN_MASK		0xC000
#define NUMERIC_NEG				0x4000
#define NUMERIC_SHORT			0x8000
#define NUMERIC_SPECIAL			0xC000
#define NUMERIC_SHORT_SIGN_MASK	0x2000
#define NUMERIC_SHORT_WEIGHT_SIGN_MASK 0x0040
#define NUMERIC_SHORT_WEIGHT_MASK 0x003F
#define NUMERIC_NBASE			10000

/* largest magnitude kept: 10^37, comfortably inside int128 */
static const int128 ExactLimit = (int128) 1000000000000000000LL * (int128) 10000000000000000000ULL;

/* Is the value within the +-10^37 every sum is kept in (binary input checks)? */
bool
ExactInRange(int128 value)
{
	return value <= ExactLimit && value >= -ExactLimit;
}

void
ExactMoneyOverflow(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s out of range", what),
			 errdetail("Amounts are summed exactly with at most %d decimal places and 37 significant digits.",
					   EXACT_MONEY_MAX_SCALE)));
}

int128
ExactMulPow10(int128 value, int power, const char *what)
{
	while (power-- > 0)
	{
		if (value > ExactLimit / 10 || value < -ExactLimit / 10)
			ExactMoneyOverflow(what);
		value *= 10;
	}
	return value;
}

int128
ExactAdd(int128 a, int128 b, const char *what)
{
	int128		r = a + b;			/* both below 10^37: cannot wrap */

	if (r > ExactLimit || r < -ExactLimit)
		ExactMoneyOverflow(what);
	return r;
}

int128
ExactMul(int128 a, int128 b, const char *what)
{
	int128		r;

	/* both within 64 bits: one machine multiply, no overflow possible */
	if (a >= PG_INT64_MIN && a <= PG_INT64_MAX && b >= PG_INT64_MIN && b <= PG_INT64_MAX)
	{
		r = (int128) (int64) a * (int64) b;
		if (r > ExactLimit || r < -ExactLimit)
			ExactMoneyOverflow(what);
		return r;
	}

	if (__builtin_mul_overflow(a, b, &r) || r > ExactLimit || r < -ExactLimit)
		ExactMoneyOverflow(what);
	return r;
}

/*
 * Decode a numeric into digits * 10^exponent.  NaN and infinity are not
 * amounts: 22023.  Values beyond 37 significant digits: 22003.
 */
void
ExactDecimalFromNumeric(Datum num, const char *what, ExactDecimal *dec)
{
	struct varlena *v = PG_DETOAST_DATUM_PACKED(num);
	const char *data = VARDATA_ANY(v);
	int			len = VARSIZE_ANY_EXHDR(v);
	uint16		header;
	int			weight;
	bool		negative;
	int			ndigits;
	const char *digitp;
	int128		acc = 0;
	int			i;

	memcpy(&header, data, sizeof(uint16));
	if ((header & NUMERIC_SIGN_MASK) == NUMERIC_SPECIAL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number", what),
				 errdetail("NaN and infinity are not amounts.")));
	if (header & NUMERIC_SHORT)
	{
		negative = (header & NUMERIC_SHORT_SIGN_MASK) != 0;
		weight = (header & NUMERIC_SHORT_WEIGHT_SIGN_MASK) ? ~NUMERIC_SHORT_WEIGHT_MASK : 0;
		weight |= header & NUMERIC_SHORT_WEIGHT_MASK;
		digitp = data + sizeof(uint16);
		ndigits = (len - sizeof(uint16)) / sizeof(int16);
	}
	else
	{
		int16		w;

		negative = (header & NUMERIC_SIGN_MASK) == NUMERIC_NEG;
		memcpy(&w, data + sizeof(uint16), sizeof(int16));
		weight = w;
		digitp = data + 2 * sizeof(uint16);
		ndigits = (len - 2 * sizeof(uint16)) / sizeof(int16);
	}

	for (i = 0; i < ndigits; i++)
	{
		int16		d;

		memcpy(&d, digitp + i * sizeof(int16), sizeof(int16));
		if (acc > ExactLimit / NUMERIC_NBASE)
			ExactMoneyOverflow(what);
		acc = acc * NUMERIC_NBASE + d;
	}
	/* value = acc * NBASE^(weight - ndigits + 1) */
	dec->exponent = 4 * (weight - ndigits + 1);
	if (acc == 0)
		dec->exponent = 0;
	else
	{
		/* move trailing decimal zeros into the exponent (at most 3 remain) */
		while (acc % 10 == 0)
		{
			acc /= 10;
			dec->exponent++;
		}
	}
	dec->digits = negative ? -acc : acc;
	if ((void *) v != DatumGetPointer(num))
		pfree(v);
}

static const int64 Pow10[19] = {
	1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL,
	100000000LL, 1000000000LL, 10000000000LL, 100000000000LL,
	1000000000000LL, 10000000000000LL, 100000000000000LL,
	1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
	1000000000000000000LL
};

/*
 * The hot path: the units of a numeric at the given scale, when it has at
 * most 16 significant digits and is exact at that scale.  False means "use
 * ExactDecimalFromNumeric": the value is longer, or needs more decimals.
 * No 128-bit division or overflow builtins here (those are library calls).
 */
bool
ExactUnitsFast(Datum num, int scale, int128 *units)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(num);
	const char *data;
	int			len;
	uint16		header;
	int			weight;
	bool		negative;
	int			ndigits;
	const char *digitp;
	int64		acc = 0;
	int			k;
	int			i;

	if (VARATT_IS_EXTENDED(v) && !VARATT_IS_SHORT(v))
		return false;			/* compressed or external: rare, slow path */
	data = VARDATA_ANY(v);
	len = VARSIZE_ANY_EXHDR(v);
	memcpy(&header, data, sizeof(uint16));
	if ((header & NUMERIC_SIGN_MASK) == NUMERIC_SPECIAL)
		return false;
	if (header & NUMERIC_SHORT)
	{
		negative = (header & NUMERIC_SHORT_SIGN_MASK) != 0;
		weight = (header & NUMERIC_SHORT_WEIGHT_SIGN_MASK) ? ~NUMERIC_SHORT_WEIGHT_MASK : 0;
		weight |= header & NUMERIC_SHORT_WEIGHT_MASK;
		digitp = data + sizeof(uint16);
		ndigits = (len - sizeof(uint16)) / sizeof(int16);
	}
	else
	{
		int16		w;

		negative = (header & NUMERIC_SIGN_MASK) == NUMERIC_NEG;
		memcpy(&w, data + sizeof(uint16), sizeof(int16));
		weight = w;
		digitp = data + 2 * sizeof(uint16);
		ndigits = (len - 2 * sizeof(uint16)) / sizeof(int16);
	}
	if (ndigits > 4)
		return false;
	for (i = 0; i < ndigits; i++)
	{
		int16		d;

		memcpy(&d, digitp + i * sizeof(int16), sizeof(int16));
		acc = acc * NUMERIC_NBASE + d;
	}
	if (acc == 0)
	{
		*units = 0;
		return true;
	}
	/* value = acc * 10^(4 * (weight - ndigits + 1)); units = value * 10^scale */
	k = 4 * (weight - ndigits + 1) + scale;
	if (k >= 0)
	{
		if (k > 18)
			return false;
		*units = (int128) acc * Pow10[k];	/* < 10^34: no overflow */
	}
	else
	{
		if (k < -18 || acc % Pow10[-k] != 0)
			return false;		/* needs more decimals than the scale */
		*units = acc / Pow10[-k];
	}
	if (negative)
		*units = -*units;
	return true;
}

/* Decimals needed to hold the value exactly. */
int
ExactDecimalScale(const ExactDecimal *dec)
{
	return dec->exponent < 0 ? -dec->exponent : 0;
}

/* The value in units of 10^-scale; scale must be at least its own scale. */
int128
ExactDecimalAtScale(const ExactDecimal *dec, int scale, const char *what)
{
	Assert(dec->exponent + scale >= 0);
	return ExactMulPow10(dec->digits, dec->exponent + scale, what);
}

/* Append units / 10^scale as a plain decimal with exactly scale decimals. */
void
ExactAppendScaled(StringInfo buf, int128 value, int scale)
{
	char		digits[64];
	int			n = 0;
	uint128		mag = value < 0 ? -(uint128) value : (uint128) value;

	/* 64-bit digits when they fit: 128-bit division is a library call */
	while (mag > (uint128) PG_UINT64_MAX)
	{
		digits[n++] = '0' + (int) (mag % 10);
		mag /= 10;
	}
	{
		uint64		m = (uint64) mag;

		do
		{
			digits[n++] = '0' + (int) (m % 10);
			m /= 10;
		} while (m > 0 || n <= scale);
	}

	if (value < 0)
		appendStringInfoChar(buf, '-');
	while (n > 0)
	{
		if (n == scale)
			appendStringInfoChar(buf, '.');
		appendStringInfoChar(buf, digits[--n]);
	}
}

Datum
ExactToNumeric(int128 value, int scale)
{
	StringInfoData buf;
	Datum		result;

	if (value >= PG_INT64_MIN && value <= PG_INT64_MAX)
		return NumericGetDatum(int64_div_fast_to_numeric((int64) value, scale));

	initStringInfo(&buf);
	ExactAppendScaled(&buf, value, scale);
	result = DirectFunctionCall3(numeric_in, CStringGetDatum(buf.data),
								 ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	pfree(buf.data);
	return result;
}

/*
 * num / den rounded half away from zero to the given decimals, as numeric;
 * NULL-free: the caller checks den != 0.  Falls back to numeric division
 * when the scaled dividend would not fit.
 */
Datum
ExactRatioToNumeric(int128 num, int128 den, int decimals)
{
	int128		scaled = num;
	int			i;
	bool		fits = true;

	Assert(den != 0);
	for (i = 0; i < decimals && fits; i++)
	{
		if (scaled > ExactLimit / 10 || scaled < -ExactLimit / 10)
			fits = false;
		else
			scaled *= 10;
	}
	if (fits && scaled >= PG_INT64_MIN && scaled <= PG_INT64_MAX &&
		den > PG_INT64_MIN && den <= PG_INT64_MAX)
	{
		/* 64-bit: no library call for the division */
		int64		n64 = (int64) scaled;
		int64		d64 = (int64) den;
		int64		q = n64 / d64;
		int64		r = n64 % d64;
		uint64		ar = r < 0 ? -(uint64) r : (uint64) r;
		uint64		ad = d64 < 0 ? -(uint64) d64 : (uint64) d64;

		if (ar >= ad - ar)
			q += ((n64 < 0) != (d64 < 0)) ? -1 : 1;
		return ExactToNumeric(q, decimals);
	}
	if (fits)
	{
		int128		q = scaled / den;
		int128		r = scaled % den;
		uint128		ar = r < 0 ? -(uint128) r : (uint128) r;
		uint128		ad = den < 0 ? -(uint128) den : (uint128) den;

		if (ar >= ad - ar)		/* |r| >= |den| / 2: round away from zero */
			q += ((scaled < 0) != (den < 0)) ? -1 : 1;
		return ExactToNumeric(q, decimals);
	}
	else
	{
		Datum		n = ExactToNumeric(num, 0);
		Datum		d = ExactToNumeric(den, 0);
		Datum		q = DirectFunctionCall2(numeric_div, n, d);

		return DirectFunctionCall2(numeric_round, q, Int32GetDatum(decimals));
	}
}
