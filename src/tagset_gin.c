/*
 * tagset_gin.c
 *		GIN operator class for tagset (the default): && @> <@ ? and @@.
 *
 * Index keys are the tags themselves, as text, ordered by bytes (the same
 * order as inside a tagset, whatever the collation).  A prefix query
 * region.east.* is a partial-match key "region.east": GIN walks the keys
 * from "region.east" upwards and comparePartial accepts the key itself and
 * every "region.east.<...>", skips the few keys sorting between them (such
 * as "region.east-x") and stops at the first key past the range.  Keeping
 * one key per tag (rather than extra keys for every ancestor) keeps the
 * index as small as a text[] index on the same tags, and a prefix lookup
 * costs one short range scan of the key tree.
 *
 * Exactness: keys are the tags, so && @> ? and @@ (prefixes included) are
 * decided from the keys alone and need no recheck; <@ cannot see tags that
 * are not in the query, so it always rechecks.
 */
#include "postgres.h"

#include "access/gin.h"
#include "access/stratnum.h"
#include "fmgr.h"
#include "utils/builtins.h"

#include "tagquery.h"
#include "tagset.h"

#define TAGSET_OVERLAP_STRATEGY		1	/* && */
#define TAGSET_CONTAINS_STRATEGY	2	/* @> */
#define TAGSET_CONTAINED_STRATEGY	3	/* <@ */
#define TAGSET_EXISTS_STRATEGY		4	/* ? */
#define TAGSET_MATCH_STRATEGY		5	/* @@ */

/* byte-order comparison of two keys */
PG_FUNCTION_INFO_V1(tagset_gin_compare);
Datum
tagset_gin_compare(PG_FUNCTION_ARGS)
{
	text	   *a = PG_GETARG_TEXT_PP(0);
	text	   *b = PG_GETARG_TEXT_PP(1);
	int			c = TagCompare(VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a),
							   VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_INT32(c);
}

/* the tags of a set as text keys */
static Datum *
TagSetKeys(const struct varlena *ts, int32 *nkeys)
{
	int			n = TagSetCount(ts);
	const unsigned char *p = TagSetFirst(ts);
	Datum	   *keys = (Datum *) palloc(sizeof(Datum) * Max(n, 1));
	TagRef		t;
	int			i;

	for (i = 0; i < n; i++)
	{
		p = TagSetNext(p, &t);
		keys[i] = PointerGetDatum(cstring_to_text_with_len(t.data, t.len));
	}
	*nkeys = n;
	return keys;
}

PG_FUNCTION_INFO_V1(tagset_gin_extract_value);
Datum
tagset_gin_extract_value(PG_FUNCTION_ARGS)
{
	struct varlena *ts = PG_GETARG_TAGSET_P(0);
	int32	   *nentries = (int32 *) PG_GETARG_POINTER(1);

	PG_RETURN_POINTER(TagSetKeys(ts, nentries));
}

/*
 * A tagquery compiled once per scan for the consistent functions, which
 * GIN calls for every candidate row (for every row of the index with a
 * NOT-only query): the item types in postfix order and a stack to evaluate
 * them on, so a call neither reads the query's bytes again nor allocates.
 * extractQuery hands it to them as every key's extra_data.
 */
typedef struct GinTagQueryProgram
{
	int			nitems;
	char	   *stack;			/* nitems values */
	unsigned char types[FLEXIBLE_ARRAY_MEMBER];
} GinTagQueryProgram;

static GinTagQueryProgram *
CompileTagQuery(const TagQueryItem *items, int n)
{
	GinTagQueryProgram *prog;
	int			i;

	prog = (GinTagQueryProgram *) palloc(offsetof(GinTagQueryProgram, types) + n);
	prog->nitems = n;
	prog->stack = (char *) palloc(n);
	for (i = 0; i < n; i++)
		prog->types[i] = (unsigned char) items[i].type;
	return prog;
}

/* evaluate in three-valued logic, given each operand's value in item order */
static int
RunTagQuery(GinTagQueryProgram *prog, const char *opvals)
{
	char	   *stack = prog->stack;
	int			sp = 0;
	int			k = 0;
	int			i;

	for (i = 0; i < prog->nitems; i++)
	{
		int			type = prog->types[i];

		if (type == TQ_TAG || type == TQ_PREFIX)
			stack[sp++] = opvals[k++];
		else
			sp = TagQueryApply(type, stack, sp);
	}
	return stack[0];
}

PG_FUNCTION_INFO_V1(tagset_gin_extract_query);
Datum
tagset_gin_extract_query(PG_FUNCTION_ARGS)
{
	int32	   *nentries = (int32 *) PG_GETARG_POINTER(1);
	StrategyNumber strategy = PG_GETARG_UINT16(2);
	bool	  **partial = (bool **) PG_GETARG_POINTER(3);
	int32	   *searchMode = (int32 *) PG_GETARG_POINTER(6);
	Datum	   *keys = NULL;

	switch (strategy)
	{
		case TAGSET_OVERLAP_STRATEGY:
			/* no keys: nothing can overlap an empty set */
			keys = TagSetKeys(PG_GETARG_TAGSET_P(0), nentries);
			break;
		case TAGSET_CONTAINS_STRATEGY:
			keys = TagSetKeys(PG_GETARG_TAGSET_P(0), nentries);
			if (*nentries == 0)
				*searchMode = GIN_SEARCH_MODE_ALL;
			break;
		case TAGSET_CONTAINED_STRATEGY:
			keys = TagSetKeys(PG_GETARG_TAGSET_P(0), nentries);
			*searchMode = GIN_SEARCH_MODE_INCLUDE_EMPTY;
			break;
		case TAGSET_EXISTS_STRATEGY:
			keys = (Datum *) palloc(sizeof(Datum));
			keys[0] = PointerGetDatum(PG_GETARG_TEXT_PP(0));
			*nentries = 1;
			break;
		case TAGSET_MATCH_STRATEGY:
			{
				struct varlena *q = PG_GETARG_TAGQUERY_P(0);
				Pointer   **extra = (Pointer **) PG_GETARG_POINTER(4);
				int			n = TagQueryItemCount(q);
				int			nops = TagQueryOperandCount(q);
				TagQueryItem *items = TagQueryItems(q);
				GinTagQueryProgram *prog = CompileTagQuery(items, n);
				char	   *vals = (char *) palloc0(nops);
				int			i;
				int			k = 0;

				keys = (Datum *) palloc(sizeof(Datum) * nops);
				*partial = (bool *) palloc0(sizeof(bool) * nops);
				*extra = (Pointer *) palloc(sizeof(Pointer) * nops);
				for (i = 0; i < nops; i++)
					(*extra)[i] = (Pointer) prog;
				for (i = 0; i < n; i++)
				{
					if (items[i].type != TQ_TAG && items[i].type != TQ_PREFIX)
						continue;
					keys[k] = PointerGetDatum(cstring_to_text_with_len(items[i].data,
																	   items[i].len));
					(*partial)[k] = items[i].type == TQ_PREFIX;
					k++;
				}
				*nentries = nops;

				/*
				 * A query that holds with none of its tags present (!vip)
				 * can match rows that have no key at all: scan everything.
				 */
				if (RunTagQuery(prog, vals) != TQ_FALSE)
					*searchMode = GIN_SEARCH_MODE_ALL;
				pfree(vals);
				pfree(items);
				break;
			}
		default:
			elog(ERROR, "tagset_gin_extract_query: unknown strategy number %d", strategy);
	}
	PG_RETURN_POINTER(keys);
}

/* prefix partial match: the key itself or below it; stop past the range */
PG_FUNCTION_INFO_V1(tagset_gin_compare_partial);
Datum
tagset_gin_compare_partial(PG_FUNCTION_ARGS)
{
	text	   *prefix = PG_GETARG_TEXT_PP(0);
	text	   *key = PG_GETARG_TEXT_PP(1);
	const char *p = VARDATA_ANY(prefix);
	int			plen = VARSIZE_ANY_EXHDR(prefix);
	const char *k = VARDATA_ANY(key);
	int			klen = VARSIZE_ANY_EXHDR(key);
	int			r;

	if (klen < plen || memcmp(k, p, plen) != 0)
		r = 1;					/* keys no longer start with the prefix */
	else if (klen == plen || k[plen] == '.')
		r = 0;
	else if ((unsigned char) k[plen] < (unsigned char) '.')
		r = -1;					/* e.g. "region.east-x": before the range */
	else
		r = 1;					/* e.g. "region.eastern": after it */
	PG_RETURN_INT32(r);
}

PG_FUNCTION_INFO_V1(tagset_gin_consistent);
Datum
tagset_gin_consistent(PG_FUNCTION_ARGS)
{
	bool	   *check = (bool *) PG_GETARG_POINTER(0);
	StrategyNumber strategy = PG_GETARG_UINT16(1);
	int32		nkeys = PG_GETARG_INT32(3);
	bool	   *recheck = (bool *) PG_GETARG_POINTER(5);
	bool		r = false;
	int			i;

	*recheck = false;
	switch (strategy)
	{
		case TAGSET_OVERLAP_STRATEGY:
			for (i = 0; i < nkeys && !r; i++)
				r = check[i];
			break;
		case TAGSET_CONTAINS_STRATEGY:
			r = true;
			for (i = 0; i < nkeys && r; i++)
				r = check[i];
			break;
		case TAGSET_CONTAINED_STRATEGY:
			/* the row may hold tags the query lacks: only the heap can tell */
			*recheck = true;
			r = true;
			break;
		case TAGSET_EXISTS_STRATEGY:
			r = check[0];
			break;
		case TAGSET_MATCH_STRATEGY:
			{
				Pointer    *extra = (Pointer *) PG_GETARG_POINTER(4);

				/* bool and TQ_FALSE / TQ_TRUE are both 0 / 1 */
				StaticAssertStmt(TQ_FALSE == false && TQ_TRUE == true,
								 "check[] values must be tagquery values");
				r = RunTagQuery((GinTagQueryProgram *) extra[0],
								(const char *) check) == TQ_TRUE;
				break;
			}
		default:
			elog(ERROR, "tagset_gin_consistent: unknown strategy number %d", strategy);
	}
	PG_RETURN_BOOL(r);
}

PG_FUNCTION_INFO_V1(tagset_gin_tri_consistent);
Datum
tagset_gin_tri_consistent(PG_FUNCTION_ARGS)
{
	GinTernaryValue *check = (GinTernaryValue *) PG_GETARG_POINTER(0);
	StrategyNumber strategy = PG_GETARG_UINT16(1);
	int32		nkeys = PG_GETARG_INT32(3);
	GinTernaryValue r = GIN_FALSE;
	int			i;

	switch (strategy)
	{
		case TAGSET_OVERLAP_STRATEGY:
			for (i = 0; i < nkeys && r != GIN_TRUE; i++)
				if (check[i] != GIN_FALSE)
					r = check[i];
			break;
		case TAGSET_CONTAINS_STRATEGY:
			r = GIN_TRUE;
			for (i = 0; i < nkeys && r != GIN_FALSE; i++)
				if (check[i] != GIN_TRUE)
					r = check[i];
			break;
		case TAGSET_CONTAINED_STRATEGY:
			r = GIN_MAYBE;
			break;
		case TAGSET_EXISTS_STRATEGY:
			r = check[0];
			break;
		case TAGSET_MATCH_STRATEGY:
			{
				Pointer    *extra = (Pointer *) PG_GETARG_POINTER(4);

				/* GIN's ternary values are the tagquery ones */
				StaticAssertStmt(GIN_FALSE == TQ_FALSE && GIN_TRUE == TQ_TRUE &&
								 GIN_MAYBE == TQ_MAYBE,
								 "GinTernaryValue must be a tagquery value");
				r = (GinTernaryValue) RunTagQuery((GinTagQueryProgram *) extra[0],
												  (const char *) check);
				break;
			}
		default:
			elog(ERROR, "tagset_gin_tri_consistent: unknown strategy number %d", strategy);
	}
	PG_RETURN_GIN_TERNARY_VALUE(r);
}
