/*
 * state_text.c
 *		Reader for the text form of the aggregate state types.
 *
 * The grammar is a strict subset of JSON, so the text form can also be read
 * by any JSON parser.  Errors name the position and what was expected.
 */
#include "postgres.h"

#include "state_text.h"

void
StateReaderInit(StateReader *r, const char *input, const char *typname)
{
	r->input = input;
	r->p = input;
	r->typname = typname;
}

static void
SkipSpace(StateReader *r)
{
	while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
		r->p++;
}

void
StateSyntaxError(StateReader *r, const char *expected)
{
	int			pos = (int) (r->p - r->input) + 1;

	if (*r->p == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: \"%s\"", r->typname, r->input),
				 errdetail("Expected %s at position %d, found the end of the input.", expected, pos)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", r->typname, r->input),
			 errdetail("Expected %s at position %d, found \"%c\".", expected, pos, *r->p)));
}

void
StateExpect(StateReader *r, char c)
{
	char		what[8];

	SkipSpace(r);
	if (*r->p != c)
	{
		snprintf(what, sizeof(what), "\"%c\"", c);
		StateSyntaxError(r, what);
	}
	r->p++;
}

bool
StateTry(StateReader *r, char c)
{
	SkipSpace(r);
	if (*r->p != c)
		return false;
	r->p++;
	return true;
}

/* "key" followed by a colon */
void
StateExpectKey(StateReader *r, const char *key)
{
	size_t		len = strlen(key);
	char	   *what = psprintf("key \"%s\"", key);

	SkipSpace(r);
	if (r->p[0] != '"' || strncmp(r->p + 1, key, len) != 0 || r->p[len + 1] != '"')
		StateSyntaxError(r, what);
	r->p += len + 2;
	StateExpect(r, ':');
	pfree(what);
}

bool
StateTryNull(StateReader *r)
{
	SkipSpace(r);
	if (strncmp(r->p, "null", 4) != 0)
		return false;
	r->p += 4;
	return true;
}

int64
StateReadInt(StateReader *r, int64 min, int64 max)
{
	const char *start;
	bool		negative = false;
	int64		v = 0;

	SkipSpace(r);
	start = r->p;
	if (*r->p == '-')
	{
		negative = true;
		r->p++;
	}
	if (!isdigit((unsigned char) *r->p))
		StateSyntaxError(r, "an integer");
	while (isdigit((unsigned char) *r->p))
	{
		if (v > (PG_INT64_MAX - 9) / 10)
		{
			r->p = start;
			StateSyntaxError(r, "an integer in range");
		}
		v = v * 10 + (*r->p++ - '0');
	}
	if (negative)
		v = -v;
	if (v < min || v > max)
	{
		r->p = start;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: \"%s\"", r->typname, r->input),
				 errdetail("Value at position %d is out of range " INT64_FORMAT " to " INT64_FORMAT ".",
						   (int) (start - r->input) + 1, min, max)));
	}
	return v;
}

/* -?digits[.digits]: the units and the number of decimals written */
int128
StateReadDecimal(StateReader *r, int *scale)
{
	const char *start;
	bool		negative = false;
	int128		v = 0;
	int			ndigits = 0;
	bool		fraction = false;

	SkipSpace(r);
	start = r->p;
	*scale = 0;
	if (*r->p == '-')
	{
		negative = true;
		r->p++;
	}
	if (!isdigit((unsigned char) *r->p))
		StateSyntaxError(r, "a number");
	for (;;)
	{
		if (*r->p == '.' && !fraction)
		{
			r->p++;
			fraction = true;
			if (!isdigit((unsigned char) *r->p))
				StateSyntaxError(r, "a digit");
			continue;
		}
		if (!isdigit((unsigned char) *r->p))
			break;
		if (++ndigits > 37)
		{
			r->p = start;
			StateSyntaxError(r, "a number of at most 37 digits");
		}
		v = v * 10 + (*r->p++ - '0');
		if (fraction)
			(*scale)++;
	}
	if (*scale > EXACT_MONEY_MAX_SCALE)
	{
		r->p = start;
		StateSyntaxError(r, "a number of at most 12 decimal places");
	}
	return negative ? -v : v;
}

void
StateExpectEnd(StateReader *r)
{
	SkipSpace(r);
	if (*r->p != '\0')
		StateSyntaxError(r, "the end of the input");
}
