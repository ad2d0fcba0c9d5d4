/*
 * money4.c
 *		numeric <-> integer 1/10000 units, without going through numeric
 *		arithmetic: decoding the stored digits directly costs a few
 *		nanoseconds, where numeric_mul + numeric_int8 allocate and divide.
 *
 * The numeric storage format (base-10000 digits, a weight and a sign, in a
 * short or a long header) is PostgreSQL's on-disk format and stable across
 * versions; the layout constants below restate it.
 */
#include "postgres.h"

#include "common/int.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "money4.h"

#define NUM_SIGN_MASK		0xC000
#define NUM_NEG				0x4000
#define NUM_SHORT			0x8000
#define NUM_SPECIAL			0xC000
#define NUM_SHORT_SIGN		0x2000
#define NUM_SHORT_WSIGN		0x0040
#define NUM_SHORT_WMASK		0x003F
#define NUM_SHORT_DSCALE_MASK	0x1F80
#define NUM_SHORT_DSCALE_SHIFT	7
#define NUM_DSCALE_MASK		0x3FFF

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
	const char *data = VARDATA_ANY(v);
	int			len = VARSIZE_ANY_EXHDR(v);
	uint16		header;
	int16		weight;
	bool		negative;
	int			hdrlen;
	int			ndigits;
	int64		result = 0;
	const char *why = NULL;

	memcpy(&header, data, sizeof(uint16));
	if ((header & NUM_SIGN_MASK) == NUM_SPECIAL)
		return "NaN and infinity are not amounts.";
	if (header & NUM_SHORT)
	{
		negative = (header & NUM_SHORT_SIGN) != 0;
		weight = (header & NUM_SHORT_WSIGN) ? (int16) (header | ~NUM_SHORT_WMASK)
			: (int16) (header & NUM_SHORT_WMASK);
		hdrlen = sizeof(uint16);
		if (dscale)
			*dscale = (header & NUM_SHORT_DSCALE_MASK) >> NUM_SHORT_DSCALE_SHIFT;
	}
	else
	{
		negative = (header & NUM_SIGN_MASK) == NUM_NEG;
		memcpy(&weight, data + sizeof(uint16), sizeof(int16));
		hdrlen = sizeof(uint16) + sizeof(int16);
		if (dscale)
			*dscale = header & NUM_DSCALE_MASK;
	}
	ndigits = (len - hdrlen) / sizeof(int16);

	/*
	 * digit i is worth 10000^(weight - i); in 1/10000 units 10000^(weight -
	 * i + 1): digits past weight + 1 are below 1/10000.
	 */
	for (int i = 0; i < ndigits && why == NULL; i++)
	{
		int16		digit;
		int			power = weight - i + 1;
		int64		term;

		memcpy(&digit, data + hdrlen + i * sizeof(int16), sizeof(int16));
		if (power < 0)
		{
			if (digit != 0)
				why = "Amounts may have at most four decimal places.";
			continue;
		}
		term = digit;
		for (int p = 0; p < power && why == NULL; p++)
			if (pg_mul_s64_overflow(term, MONEY4_ONE, &term))
				why = "The amount is too large.";
		if (why == NULL && pg_add_s64_overflow(result, term, &result))
			why = "The amount is too large.";
	}
	if ((Pointer) v != DatumGetPointer(num))
		pfree(v);
	*out = negative ? -result : result;
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
