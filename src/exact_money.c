/*
 * exact_money.c
 *		The one exact-money library (see exact_money.h): sums as scaled
 *		int128 values that carry their own scale, and amounts as int64 units
 *		of 1/10000 for the per-customer facts and classes.
 *
 * Amounts arrive as numeric.  Rather than calling numeric arithmetic for
 * every row, the numeric's stored form is decoded directly: that form is
 * PostgreSQL's on-disk format (sign/scale/weight header followed by base
 * 10000 digits), stable across releases because pg_upgrade relies on it.
 * Only decoding happens here; all output goes back through numeric_in.
 */
#include "postgres.h"

#include "common/int.h"
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
#define NUMERIC_SHORT_DSCALE_MASK	0x1F80
#define NUMERIC_SHORT_DSCALE_SHIFT	7
#define NUMERIC_DSCALE_MASK		0x3FFF
#define NUMERIC_NBASE			10000

/* a numeric's stored form taken apart: value = digits * NBASE^(weight - i) */
typedef struct NumericParts
{
	bool		special;		/* NaN or an infinity: nothing else is set */
	bool		negative;
	int			weight;			/* of the first digit */
	int			dscale;			/* display scale */
	int			ndigits;
	const char *digits;			/* ndigits int16, not necessarily aligned */
} NumericParts;

/* the one reading of the header, for every decoder below */
static inline void
NumericPartsOf(const char *data, int len, NumericParts *p)
{
	uint16		header;

	memcpy(&header, data, sizeof(uint16));
	p->special = (header & NUMERIC_SIGN_MASK) == NUMERIC_SPECIAL;
	if (p->special)
		return;
	if (header & NUMERIC_SHORT)
	{
		p->negative = (header & NUMERIC_SHORT_SIGN_MASK) != 0;
		p->weight = (header & NUMERIC_SHORT_WEIGHT_SIGN_MASK) ? ~NUMERIC_SHORT_WEIGHT_MASK : 0;
		p->weight |= header & NUMERIC_SHORT_WEIGHT_MASK;
		p->dscale = (header & NUMERIC_SHORT_DSCALE_MASK) >> NUMERIC_SHORT_DSCALE_SHIFT;
		p->digits = data + sizeof(uint16);
		p->ndigits = (len - sizeof(uint16)) / sizeof(int16);
	}
	else
	{
		int16		w;

		p->negative = (header & NUMERIC_SIGN_MASK) == NUMERIC_NEG;
		memcpy(&w, data + sizeof(uint16), sizeof(int16));
		p->weight = w;
		p->dscale = header & NUMERIC_DSCALE_MASK;
		p->digits = data + 2 * sizeof(uint16);
		p->ndigits = (len - 2 * sizeof(uint16)) / sizeof(int16);
	}
}

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
	NumericParts p;
	bool		negative;
	int			weight;
	int			ndigits;
	const char *digitp;
	int128		acc = 0;
	int			i;

	NumericPartsOf(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), &p);
	if (p.special)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number", what),
				 errdetail("NaN and infinity are not amounts.")));
	negative = p.negative;
	weight = p.weight;
	ndigits = p.ndigits;
	digitp = p.digits;

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
	NumericParts p;
	bool		negative;
	int			weight;
	int			ndigits;
	const char *digitp;
	int64		acc = 0;
	int			k;
	int			i;

	if (VARATT_IS_EXTENDED(v) && !VARATT_IS_SHORT(v))
		return false;			/* compressed or external: rare, slow path */
	NumericPartsOf(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), &p);
	if (p.special)
		return false;
	negative = p.negative;
	weight = p.weight;
	ndigits = p.ndigits;
	digitp = p.digits;
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

/* ---------- fixed scale: 1/10000 in an int64 ---------- */

/*
 * The per-customer facts, lifecycle and warning code keep amounts as int64
 * units of 1/10000 (MONEY4_ONE): one machine word per invoice in the facts
 * aggregate's per-customer table, compared and summed without a scale to
 * carry.  An amount with more than four decimals is an error there, never
 * rounded.  The sums above carry their own scale instead (up to
 * EXACT_MONEY_MAX_SCALE decimals), since receivables and payment amounts
 * may have any scale.  Both read the stored numeric through NumericPartsOf.
 */

static void
Money4Error(const char *what, Datum num, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s %s is not a usable amount", what,
					DatumGetCString(DirectFunctionCall1(numeric_out, num))),
			 errdetail("%s", why)));
}

/*
 * Decode a numeric into 1/10000 units.  Returns NULL on success, else the
 * reason it cannot be done.
 */
static const char *
Money4Decode(Datum num, int64 *out, int *dscale)
{
	struct varlena *v = (struct varlena *) PG_DETOAST_DATUM_PACKED(num);
	NumericParts p;
	int64		result = 0;
	const char *why = NULL;

	NumericPartsOf(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), &p);
	if (p.special)
		return "NaN and infinity are not amounts.";
	if (dscale)
		*dscale = p.dscale;

	/*
	 * digit i is worth 10000^(weight - i); in 1/10000 units 10000^(weight -
	 * i + 1): digits past weight + 1 are below 1/10000.
	 */
	for (int i = 0; i < p.ndigits && why == NULL; i++)
	{
		int16		digit;
		int			power = p.weight - i + 1;
		int64		term;

		memcpy(&digit, p.digits + i * sizeof(int16), sizeof(int16));
		if (power < 0)
		{
			if (digit != 0)
				why = "Amounts may have at most four decimal places.";
			continue;
		}
		term = digit;
		for (int k = 0; k < power && why == NULL; k++)
			if (pg_mul_s64_overflow(term, MONEY4_ONE, &term))
				why = "The amount is too large.";
		if (why == NULL && pg_add_s64_overflow(result, term, &result))
			why = "The amount is too large.";
	}
	if ((Pointer) v != DatumGetPointer(num))
		pfree(v);
	*out = p.negative ? -result : result;
	return why;
}

int64
Money4FromNumeric(Datum num, const char *what, int *dscale)
{
	int64		result;
	const char *why = Money4Decode(num, &result, dscale);

	if (why != NULL)
		Money4Error(what, num, why);
	return result;
}

bool
Money4TryFromNumeric(Datum num, int64 *result, int *dscale)
{
	return Money4Decode(num, result, dscale) == NULL;
}

double
NumericToDouble(Datum num)
{
	int64		scaled;

	if (Money4TryFromNumeric(num, &scaled, NULL) && scaled > -(INT64CONST(1) << 53)
		&& scaled < (INT64CONST(1) << 53))
		return (double) scaled / MONEY4_ONE;
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, num));
}

Datum
Money4ToNumeric(int128 value)
{
	char		buf[64];
	char	   *p = buf + sizeof(buf);
	bool		negative = value < 0;
	uint128		u = negative ? -(uint128) value : (uint128) value;
	int			digits = 0;

	if (value >= PG_INT64_MIN && value <= PG_INT64_MAX)
		return NumericGetDatum(int64_div_fast_to_numeric((int64) value, MONEY4_SCALE));

	/* beyond 64 bits: through text, exactly */
	*--p = '\0';
	do
	{
		*--p = '0' + (int) (u % 10);
		u /= 10;
		if (++digits == MONEY4_SCALE)
			*--p = '.';
	} while (u != 0 || digits < MONEY4_SCALE);
	if (negative)
		*--p = '-';
	return DirectFunctionCall3(numeric_in, CStringGetDatum(p),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

Datum
Money4ToNumericScaled(int128 value, int dscale)
{
	Datum		n = Money4ToNumeric(value);

	if (dscale < 0)
		dscale = 0;
	if (dscale >= MONEY4_SCALE)
		return n;
	/* exact: the value has no more decimals than its inputs had */
	return DirectFunctionCall2(numeric_round, n, Int32GetDatum(dscale));
}
