/*
 * tagset_sql.c
 *		SQL-callable functions of the tagset type: I/O, conversions, set
 *		operators, btree and hash support.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "tagset.h"

/* ---- I/O ---- */

PG_FUNCTION_INFO_V1(tagset_in);
Datum
tagset_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_TAGSET_P(TagSetParse(PG_GETARG_CSTRING(0)));
}

PG_FUNCTION_INFO_V1(tagset_out);
Datum
tagset_out(PG_FUNCTION_ARGS)
{
	struct varlena *ts = PG_GETARG_TAGSET_P(0);
	char	   *s = TagSetToCString(ts);

	PG_FREE_IF_COPY(ts, 0);
	PG_RETURN_CSTRING(s);
}

/* binary input: see TagSetRecv */
PG_FUNCTION_INFO_V1(tagset_recv);
Datum
tagset_recv(PG_FUNCTION_ARGS)
{
	PG_RETURN_TAGSET_P(TagSetRecv((StringInfo) PG_GETARG_POINTER(0)));
}

PG_FUNCTION_INFO_V1(tagset_send);
Datum
tagset_send(PG_FUNCTION_ARGS)
{
	struct varlena *ts = PG_GETARG_TAGSET_P(0);
	int			n = TagSetCount(ts);
	const unsigned char *p = TagSetFirst(ts);
	StringInfoData buf;
	TagRef		t;
	int			i;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, TAGSET_BINARY_VERSION);
	pq_sendint32(&buf, n);
	for (i = 0; i < n; i++)
	{
		p = TagSetNext(p, &t);
		pq_sendcountedtext(&buf, t.data, t.len, false);
	}
	PG_FREE_IF_COPY(ts, 0);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- conversions ---- */

/* tagset(text[]): NULL elements are an error, duplicates are dropped */
PG_FUNCTION_INFO_V1(tagset_from_array);
Datum
tagset_from_array(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	TagRef	   *tags;
	int			i;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	tags = (TagRef *) palloc(sizeof(TagRef) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		text	   *t;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("tag array must not contain nulls"),
					 errdetail("Element %d is null.", i + 1)));
		t = DatumGetTextPP(elems[i]);
		tags[i].data = VARDATA_ANY(t);
		tags[i].len = VARSIZE_ANY_EXHDR(t);
		CheckTag(tags[i].data, tags[i].len, NULL, NULL);
	}
	PG_RETURN_TAGSET_P(TagSetFromTags(tags, n));
}

/* the tags as text[], in the set's order */
PG_FUNCTION_INFO_V1(tagset_to_array);
Datum
tagset_to_array(PG_FUNCTION_ARGS)
{
	struct varlena *ts = PG_GETARG_TAGSET_P(0);
	int			n = TagSetCount(ts);
	const unsigned char *p = TagSetFirst(ts);
	Datum	   *elems = (Datum *) palloc(sizeof(Datum) * Max(n, 1));
	TagRef		t;
	int			i;

	for (i = 0; i < n; i++)
	{
		p = TagSetNext(p, &t);
		elems[i] = PointerGetDatum(cstring_to_text_with_len(t.data, t.len));
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* tags(tagset): one row per tag, in the set's order */
typedef struct TagsState
{
	struct varlena *ts;
	const unsigned char *pos;
} TagsState;

PG_FUNCTION_INFO_V1(tagset_tags);
Datum
tagset_tags(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	TagsState  *st;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		st = (TagsState *) palloc(sizeof(TagsState));
		st->ts = (struct varlena *) PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(0));
		st->pos = TagSetFirst(st->ts);
		funcctx->max_calls = TagSetCount(st->ts);
		funcctx->user_fctx = st;
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	st = (TagsState *) funcctx->user_fctx;
	if (funcctx->call_cntr < funcctx->max_calls)
	{
		TagRef		t;

		st->pos = TagSetNext(st->pos, &t);
		SRF_RETURN_NEXT(funcctx, PointerGetDatum(cstring_to_text_with_len(t.data, t.len)));
	}
	SRF_RETURN_DONE(funcctx);
}

PG_FUNCTION_INFO_V1(tagset_cardinality);
Datum
tagset_cardinality(PG_FUNCTION_ARGS)
{
	struct varlena *ts = PG_GETARG_TAGSET_P(0);
	int			n = TagSetCount(ts);

	PG_FREE_IF_COPY(ts, 0);
	PG_RETURN_INT32(n);
}

/* ---- set relations (merge walks over the two sorted lists) ---- */

/* is every tag of b in a? */
static bool
TagSetContains(const struct varlena *a, const struct varlena *b)
{
	int			na = TagSetCount(a);
	int			nb = TagSetCount(b);
	const unsigned char *pa = TagSetFirst(a);
	const unsigned char *pb = TagSetFirst(b);
	int			i = 0;
	int			j = 0;
	TagRef		ta;
	TagRef		tb;

	if (nb > na)
		return false;
	if (j < nb)
		pb = TagSetNext(pb, &tb);
	while (j < nb)
	{
		int			c;

		if (i >= na)
			return false;
		pa = TagSetNext(pa, &ta);
		i++;
		c = TagCompare(ta.data, ta.len, tb.data, tb.len);
		if (c > 0)
			return false;
		if (c == 0)
		{
			j++;
			if (j < nb)
				pb = TagSetNext(pb, &tb);
		}
	}
	return true;
}

/* do a and b share a tag? */
static bool
TagSetOverlaps(const struct varlena *a, const struct varlena *b)
{
	int			na = TagSetCount(a);
	int			nb = TagSetCount(b);
	const unsigned char *pa = TagSetFirst(a);
	const unsigned char *pb = TagSetFirst(b);
	int			i = 0;
	int			j = 0;
	TagRef		ta;
	TagRef		tb;

	if (na == 0 || nb == 0)
		return false;
	pa = TagSetNext(pa, &ta);
	pb = TagSetNext(pb, &tb);
	for (;;)
	{
		int			c = TagCompare(ta.data, ta.len, tb.data, tb.len);

		if (c == 0)
			return true;
		if (c < 0)
		{
			if (++i >= na)
				return false;
			pa = TagSetNext(pa, &ta);
		}
		else
		{
			if (++j >= nb)
				return false;
			pb = TagSetNext(pb, &tb);
		}
	}
}

PG_FUNCTION_INFO_V1(tagset_contains);
Datum
tagset_contains(PG_FUNCTION_ARGS)
{
	struct varlena *a = PG_GETARG_TAGSET_P(0);
	struct varlena *b = PG_GETARG_TAGSET_P(1);
	bool		r = TagSetContains(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_BOOL(r);
}

PG_FUNCTION_INFO_V1(tagset_contained);
Datum
tagset_contained(PG_FUNCTION_ARGS)
{
	struct varlena *a = PG_GETARG_TAGSET_P(0);
	struct varlena *b = PG_GETARG_TAGSET_P(1);
	bool		r = TagSetContains(b, a);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_BOOL(r);
}

PG_FUNCTION_INFO_V1(tagset_overlap);
Datum
tagset_overlap(PG_FUNCTION_ARGS)
{
	struct varlena *a = PG_GETARG_TAGSET_P(0);
	struct varlena *b = PG_GETARG_TAGSET_P(1);
	bool		r = TagSetOverlaps(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_BOOL(r);
}

/* tagset ? text: exactly this tag (no hierarchy) */
PG_FUNCTION_INFO_V1(tagset_exists);
Datum
tagset_exists(PG_FUNCTION_ARGS)
{
	struct varlena *ts = PG_GETARG_TAGSET_P(0);
	text	   *tag = PG_GETARG_TEXT_PP(1);
	bool		r = TagSetHas(ts, VARDATA_ANY(tag), VARSIZE_ANY_EXHDR(tag));

	PG_FREE_IF_COPY(ts, 0);
	PG_FREE_IF_COPY(tag, 1);
	PG_RETURN_BOOL(r);
}

/* ---- set algebra ---- */

typedef enum TagSetOp
{
	TAGSET_UNION,
	TAGSET_INTERSECT,
	TAGSET_MINUS
} TagSetOp;

/* a op b by one merge walk */
static struct varlena *
TagSetCombine(const struct varlena *a, const struct varlena *b, TagSetOp op)
{
	int			na = TagSetCount(a);
	int			nb = TagSetCount(b);
	const unsigned char *pa = TagSetFirst(a);
	const unsigned char *pb = TagSetFirst(b);
	int			i = 0;
	int			j = 0;
	TagRef		ta;
	TagRef		tb;
	TagSetBuf	out;

	ta.data = tb.data = NULL;
	ta.len = tb.len = 0;

	TagSetBufInit(&out, (VARSIZE_ANY_EXHDR(a) - TAGSET_HDRSZ) +
				  (op == TAGSET_UNION ? VARSIZE_ANY_EXHDR(b) - TAGSET_HDRSZ : 0));
	if (i < na)
		pa = TagSetNext(pa, &ta);
	if (j < nb)
		pb = TagSetNext(pb, &tb);
	while (i < na || j < nb)
	{
		int			c;

		if (i >= na)
			c = 1;
		else if (j >= nb)
			c = -1;
		else
			c = TagCompare(ta.data, ta.len, tb.data, tb.len);

		if (c < 0)
		{
			if (op != TAGSET_INTERSECT)
				TagSetBufAppend(&out, ta.data, ta.len);
			if (++i < na)
				pa = TagSetNext(pa, &ta);
		}
		else if (c > 0)
		{
			if (op == TAGSET_UNION)
				TagSetBufAppend(&out, tb.data, tb.len);
			else if (i >= na)
				break;			/* nothing of a left to keep */
			if (++j < nb)
				pb = TagSetNext(pb, &tb);
		}
		else
		{
			if (op != TAGSET_MINUS)
				TagSetBufAppend(&out, ta.data, ta.len);
			if (++i < na)
				pa = TagSetNext(pa, &ta);
			if (++j < nb)
				pb = TagSetNext(pb, &tb);
		}
	}
	return TagSetBufFinish(&out);
}

/* a one-tag set, the tag checked */
static struct varlena *
TagSetSingleton(text *tag)
{
	TagRef		t;

	t.data = VARDATA_ANY(tag);
	t.len = VARSIZE_ANY_EXHDR(tag);
	CheckTag(t.data, t.len, NULL, NULL);
	return TagSetFromTags(&t, 1);
}

#define TAGSET_BINARY_OP(fname, op) \
PG_FUNCTION_INFO_V1(fname); \
Datum \
fname(PG_FUNCTION_ARGS) \
{ \
	struct varlena *a = PG_GETARG_TAGSET_P(0); \
	struct varlena *b = PG_GETARG_TAGSET_P(1); \
	PG_RETURN_TAGSET_P(TagSetCombine(a, b, op)); \
}

TAGSET_BINARY_OP(tagset_union, TAGSET_UNION)
TAGSET_BINARY_OP(tagset_intersect, TAGSET_INTERSECT)
TAGSET_BINARY_OP(tagset_minus, TAGSET_MINUS)

/* tagset + text: add one tag (checked) */
PG_FUNCTION_INFO_V1(tagset_add);
Datum
tagset_add(PG_FUNCTION_ARGS)
{
	struct varlena *ts = PG_GETARG_TAGSET_P(0);

	PG_RETURN_TAGSET_P(TagSetCombine(ts, TagSetSingleton(PG_GETARG_TEXT_PP(1)),
									 TAGSET_UNION));
}

/* tagset - text: remove one tag if present */
PG_FUNCTION_INFO_V1(tagset_remove);
Datum
tagset_remove(PG_FUNCTION_ARGS)
{
	struct varlena *ts = PG_GETARG_TAGSET_P(0);
	text	   *tag = PG_GETARG_TEXT_PP(1);
	TagRef		t;

	t.data = VARDATA_ANY(tag);
	t.len = VARSIZE_ANY_EXHDR(tag);
	if (t.len == 0 || t.len > TAGSET_MAX_TAG_LEN || !TagSetHas(ts, t.data, t.len))
		PG_RETURN_TAGSET_P(PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(0)));
	PG_RETURN_TAGSET_P(TagSetCombine(ts, TagSetFromTags(&t, 1), TAGSET_MINUS));
}

/* ---- btree and hash support ---- */

PG_FUNCTION_INFO_V1(tagset_cmp);
Datum
tagset_cmp(PG_FUNCTION_ARGS)
{
	struct varlena *a = PG_GETARG_TAGSET_P(0);
	struct varlena *b = PG_GETARG_TAGSET_P(1);
	int			c = TagSetCmp(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_INT32(c);
}

/* equality on the canonical bytes */
PG_FUNCTION_INFO_V1(tagset_eq);
Datum
tagset_eq(PG_FUNCTION_ARGS)
{
	struct varlena *a = PG_GETARG_TAGSET_P(0);
	struct varlena *b = PG_GETARG_TAGSET_P(1);
	bool		r = VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_BOOL(r);
}

PG_FUNCTION_INFO_V1(tagset_ne);
Datum
tagset_ne(PG_FUNCTION_ARGS)
{
	return BoolGetDatum(!DatumGetBool(tagset_eq(fcinfo)));
}

#define TAGSET_CMP_OP(fname, test) \
PG_FUNCTION_INFO_V1(fname); \
Datum \
fname(PG_FUNCTION_ARGS) \
{ \
	return BoolGetDatum(DatumGetInt32(tagset_cmp(fcinfo)) test 0); \
}

TAGSET_CMP_OP(tagset_lt, <)
TAGSET_CMP_OP(tagset_le, <=)
TAGSET_CMP_OP(tagset_gt, >)
TAGSET_CMP_OP(tagset_ge, >=)

/* equal values have equal bytes: PostgreSQL's own hash of a varlena's bytes */
PG_FUNCTION_INFO_V1(tagset_hash);
Datum
tagset_hash(PG_FUNCTION_ARGS)
{
	return hashvarlena(fcinfo);
}

PG_FUNCTION_INFO_V1(tagset_hash_extended);
Datum
tagset_hash_extended(PG_FUNCTION_ARGS)
{
	return hashvarlenaextended(fcinfo);
}
