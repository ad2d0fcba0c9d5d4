/*
 * fuzz_tags.c
 *		libFuzzer target for the tagset and tagquery parsers and printers,
 *		built outside the server (see test/fuzz/README.md).
 *
 * The input's first byte picks the target: even = tagset, odd = tagquery;
 * the rest is the literal.  A literal that parses must print, re-parse to
 * the same bytes and print the same text again (a round trip); a parsed
 * tagquery is also evaluated against a small fixed tagset.  Errors raised
 * with ereport() jump back here, as they would abort the statement in the
 * server.
 *
 * The server functions the parsers call (palloc, ereport, ...) are replaced
 * by the stubs below; encoding routines come from libpgcommon.
 */
#include "postgres.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "mb/pg_wchar.h"
#include "utils/memutils.h"

#include "tagquery.h"
#include "tagset.h"

/* ---- stubs for the server ---- */

static sigjmp_buf fuzz_env;
static int	fuzz_elevel;
static char fuzz_msg[1024];

static void **allocs;
static size_t nallocs;
static size_t capallocs;

static void *
Track(void *p)
{
	if (p == NULL)
		abort();
	if (nallocs == capallocs)
	{
		capallocs = capallocs ? capallocs * 2 : 1024;
		allocs = realloc(allocs, capallocs * sizeof(void *));
	}
	allocs[nallocs++] = p;
	return p;
}

static void
FreeAll(void)
{
	for (size_t i = 0; i < nallocs; i++)
		free(allocs[i]);
	nallocs = 0;
}

void *
palloc(Size size)
{
	if (size > MaxAllocSize)
		abort();
	return Track(malloc(size ? size : 1));
}

void *
palloc0(Size size)
{
	if (size > MaxAllocSize)
		abort();
	return Track(calloc(1, size ? size : 1));
}

void *
repalloc(void *pointer, Size size)
{
	void	   *p = realloc(pointer, size ? size : 1);

	if (p == NULL || size > MaxAllocSize)
		abort();
	for (size_t i = 0; i < nallocs; i++)
		if (allocs[i] == pointer)
		{
			allocs[i] = p;
			return p;
		}
	abort();					/* not ours */
}

void
pfree(void *pointer)
{
	for (size_t i = 0; i < nallocs; i++)
		if (allocs[i] == pointer)
		{
			free(pointer);
			allocs[i] = allocs[--nallocs];
			return;
		}
	abort();					/* double free or not ours */
}

bool
errstart(int elevel, const char *domain)
{
	fuzz_elevel = elevel;
	return true;
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	if (fuzz_elevel >= ERROR)
		siglongjmp(fuzz_env, 1);
}

int
errcode(int sqlerrcode)
{
	return 0;
}

/* format every message, so bad format arguments show up under ASan */
static int
FormatMessage(const char *fmt, va_list ap)
{
	vsnprintf(fuzz_msg, sizeof(fuzz_msg), fmt, ap);
	return 0;
}

int
errmsg(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	FormatMessage(fmt, ap);
	va_end(ap);
	return 0;
}

int
errmsg_internal(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	FormatMessage(fmt, ap);
	va_end(ap);
	return 0;
}

int
errdetail(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	FormatMessage(fmt, ap);
	va_end(ap);
	return 0;
}

int
errhint(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	FormatMessage(fmt, ap);
	va_end(ap);
	return 0;
}

void
check_stack_depth(void)
{
}

int
GetDatabaseEncoding(void)
{
	return PG_UTF8;
}

void
ExceptionalCondition(const char *conditionName, const char *errorType,
					 const char *fileName, int lineNumber)
{
	fprintf(stderr, "Assert failed: %s at %s:%d\n", conditionName, fileName, lineNumber);
	abort();
}

/* ---- the target ---- */

static bool
SameBytes(const struct varlena *a, const struct varlena *b)
{
	return VARSIZE(a) == VARSIZE(b) && memcmp(a, b, VARSIZE(a)) == 0;
}

static void
RoundTrip(int target, const char *s)
{
	if (target == 0)
	{
		struct varlena *ts = TagSetParse(s);
		char	   *out = TagSetToCString(ts);
		struct varlena *ts2 = TagSetParse(out);
		char	   *out2 = TagSetToCString(ts2);

		if (!SameBytes(ts, ts2) || strcmp(out, out2) != 0)
		{
			fprintf(stderr, "tagset round trip differs: %s -> %s\n", out, out2);
			abort();
		}
		if (TagSetCmp(ts, ts2) != 0)
			abort();
	}
	else
	{
		struct varlena *q = TagQueryParse(s);
		char	   *out = TagQueryToCString(q);
		struct varlena *q2 = TagQueryParse(out);
		char	   *out2 = TagQueryToCString(q2);
		struct varlena *ts = TagSetParse("{a,a.b,b,\"key account\",region.east.shanghai,x.y,重点客户}");

		if (strcmp(out, out2) != 0)
		{
			fprintf(stderr, "tagquery round trip differs: %s -> %s\n", out, out2);
			abort();
		}
		/* printing may drop redundant parentheses, never change meaning */
		if (TagQueryMatch(q, ts) != TagQueryMatch(q2, ts))
		{
			fprintf(stderr, "tagquery meaning changed: %s\n", out);
			abort();
		}
	}
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *s;
	int			target;

	if (size < 1 || size > 100000)
		return 0;
	target = data[0] & 1;
	s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';			/* literals are C strings: stop at a NUL */

	if (sigsetjmp(fuzz_env, 0) == 0)
		RoundTrip(target, s);
	FreeAll();
	free(s);
	return 0;
}
