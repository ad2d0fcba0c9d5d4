/*
 * fuzz_tags.c
 *		libFuzzer target for the tagset and tagquery parsers and printers,
 *		built outside the server (see test/fuzz/README.md).
 *
 * The low two bits of the input's first byte pick the target:
 *		0	tagset text input (TagSetParse)
 *		1	tagquery text input (TagQueryParse)
 *		2	tagset binary input (TagSetRecv, as tagset_recv calls it)
 *		3	tagquery binary input (TagQueryRecv, as tagquery_recv calls it)
 * the rest is the literal or the message.  A value that is accepted must
 * print, re-parse to the same bytes and print the same text again (a round
 * trip); binary input must also survive being sent and received again.  A
 * parsed tagquery is evaluated against a small fixed tagset, before and
 * after the round trip.  Errors raised with ereport() jump back here, as
 * they would abort the statement in the server.
 *
 * The server functions the parsers call (palloc, ereport, pq_getmsg*, ...)
 * are replaced by the stubs below; encoding routines come from libpgcommon.
 */
#include "postgres.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "libpq/pqformat.h"
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

/*
 * pqformat readers, with the server's bounds checks: reading past the end
 * of the message is a protocol violation.
 */
static void
InsufficientData(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROTOCOL_VIOLATION),
			 errmsg("insufficient data left in message")));
}

int
pq_getmsgbyte(StringInfo msg)
{
	if (msg->cursor >= msg->len)
		InsufficientData();
	return (unsigned char) msg->data[msg->cursor++];
}

unsigned int
pq_getmsgint(StringInfo msg, int b)
{
	unsigned int v = 0;
	int			i;

	if (b != 4)
		abort();				/* the tag types only read int32 */
	if (msg->cursor < 0 || b > msg->len - msg->cursor)
		InsufficientData();
	for (i = 0; i < b; i++)
		v = (v << 8) | (unsigned char) msg->data[msg->cursor++];
	return v;
}

/* a palloc'd, terminated copy (no encoding conversion: client = server) */
char *
pq_getmsgtext(StringInfo msg, int rawbytes, int *nbytes)
{
	char	   *p;

	if (rawbytes < 0 || rawbytes > msg->len - msg->cursor)
		InsufficientData();
	p = palloc(rawbytes + 1);
	memcpy(p, msg->data + msg->cursor, rawbytes);
	p[rawbytes] = '\0';
	msg->cursor += rawbytes;
	*nbytes = rawbytes;
	return p;
}

/* ---- the target ---- */

static bool
SameBytes(const struct varlena *a, const struct varlena *b)
{
	return VARSIZE(a) == VARSIZE(b) && memcmp(a, b, VARSIZE(a)) == 0;
}

/* a growing byte buffer for the send side */
typedef struct SendBuf
{
	char	   *data;
	int			len;
	int			cap;
} SendBuf;

static void
SendBytes(SendBuf *b, const void *p, int n)
{
	if (b->len + n > b->cap)
	{
		int			cap = Max(b->cap * 2, b->len + n + 64);
		char	   *d = palloc(cap);

		if (b->len > 0)
			memcpy(d, b->data, b->len);
		b->data = d;			/* the old one is freed with the others */
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void
SendInt32(SendBuf *b, int v)
{
	unsigned char w[4];

	w[0] = (unsigned char) ((unsigned int) v >> 24);
	w[1] = (unsigned char) ((unsigned int) v >> 16);
	w[2] = (unsigned char) ((unsigned int) v >> 8);
	w[3] = (unsigned char) v;
	SendBytes(b, w, 4);
}

/* what tagset_send writes */
static void
SendTagSet(SendBuf *b, const struct varlena *ts)
{
	int			n = TagSetCount(ts);
	const unsigned char *p = TagSetFirst(ts);
	unsigned char v = TAGSET_BINARY_VERSION;
	TagRef		t;

	SendBytes(b, &v, 1);
	SendInt32(b, n);
	for (int i = 0; i < n; i++)
	{
		p = TagSetNext(p, &t);
		SendInt32(b, t.len);
		SendBytes(b, t.data, t.len);
	}
}

/* what tagquery_send writes */
static void
SendTagQuery(SendBuf *b, const struct varlena *q)
{
	int			n = TagQueryItemCount(q);
	TagQueryItem *items = TagQueryItems(q);
	unsigned char v = TAGQUERY_BINARY_VERSION;

	SendBytes(b, &v, 1);
	SendInt32(b, n);
	for (int i = 0; i < n; i++)
	{
		unsigned char type = (unsigned char) items[i].type;

		SendBytes(b, &type, 1);
		if (items[i].type == TQ_TAG || items[i].type == TQ_PREFIX)
		{
			SendInt32(b, items[i].len);
			SendBytes(b, items[i].data, items[i].len);
		}
	}
}

/* a StringInfo over a copy of the bytes, terminated as the server's are */
static void
InitMessage(StringInfo msg, const char *bytes, int len)
{
	msg->data = palloc(len + 1);
	if (len > 0)
		memcpy(msg->data, bytes, len);
	msg->data[len] = '\0';
	msg->len = len;
	msg->maxlen = len + 1;
	msg->cursor = 0;
}

static const char *const sample_sets[] = {
	"{a,a.b,b,\"key account\",region.east.shanghai,x.y,重点客户}",
	"{}",
	"{a.b.c,vip}",
};

/* the tagset checks: print, parse back, same bytes and text */
static void
CheckTagSetRoundTrip(const struct varlena *ts)
{
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

/* the tagquery checks: the printed form is stable and means the same */
static void
CheckTagQueryRoundTrip(const struct varlena *q)
{
	char	   *out = TagQueryToCString(q);
	struct varlena *q2 = TagQueryParse(out);
	char	   *out2 = TagQueryToCString(q2);

	if (strcmp(out, out2) != 0)
	{
		fprintf(stderr, "tagquery round trip differs: %s -> %s\n", out, out2);
		abort();
	}
	/* printing may drop redundant parentheses, never change meaning */
	for (int i = 0; i < (int) lengthof(sample_sets); i++)
	{
		struct varlena *ts = TagSetParse(sample_sets[i]);

		if (TagQueryMatch(q, ts) != TagQueryMatch(q2, ts))
		{
			fprintf(stderr, "tagquery meaning changed: %s\n", out);
			abort();
		}
	}
}

/* binary input: accepted messages pass the text checks and survive send/recv */
static void
BinaryRoundTrip(int target, const char *bytes, int len)
{
	StringInfoData msg;
	StringInfoData msg2;
	SendBuf		sb = {NULL, 0, 0};

	InitMessage(&msg, bytes, len);
	if (target == 2)
	{
		struct varlena *ts = TagSetRecv(&msg);
		struct varlena *ts2;

		CheckTagSetRoundTrip(ts);
		SendTagSet(&sb, ts);
		InitMessage(&msg2, sb.data, sb.len);
		ts2 = TagSetRecv(&msg2);
		if (!SameBytes(ts, ts2))
			abort();
	}
	else
	{
		struct varlena *q = TagQueryRecv(&msg);
		struct varlena *q2;

		CheckTagQueryRoundTrip(q);
		SendTagQuery(&sb, q);
		InitMessage(&msg2, sb.data, sb.len);
		q2 = TagQueryRecv(&msg2);
		if (!SameBytes(q, q2))
			abort();
	}
}

/* text input */
static void
RoundTrip(int target, const char *s)
{
	if (target == 0)
		CheckTagSetRoundTrip(TagSetParse(s));
	else
		CheckTagQueryRoundTrip(TagQueryParse(s));
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *s;
	int			target;

	if (size < 1 || size > 100000)
		return 0;
	target = data[0] & 3;
	s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';			/* literals are C strings: stop at a NUL */

	if (sigsetjmp(fuzz_env, 0) == 0)
	{
		if (target < 2)
			RoundTrip(target, s);
		else
			BinaryRoundTrip(target, s, (int) size - 1);	/* NULs included */
	}
	FreeAll();
	free(s);
	return 0;
}
