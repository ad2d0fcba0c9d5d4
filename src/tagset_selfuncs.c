/*
 * tagset_selfuncs.c
 *		Restriction selectivity of @> <@ && ? and @@ on tagset columns.
 *
 * With statistics from tagset_typanalyze (tagset_analyze.c) the estimates
 * use the fraction of sets holding each tag (the MCELEM slot); a tag that
 * is not among the most common ones is taken to be in half as many sets as
 * the least common one that is.  Tags are treated as independent:
 *
 *	col @> C	product of the tags' fractions
 *	col && C	1 - product of (1 - fraction)
 *	col ? t		the tag's fraction
 *	col <@ C	a set of k tags lies in C with probability s^k, where s is
 *				the share of all tag occurrences that are tags of C; the
 *				histogram of tags per set (the DECHIST slot) gives the k
 *	col @@ q	the query walked in postfix order: a tag its fraction, a
 *				prefix.* the sum of the fractions of the common tags at or
 *				below it (capped at 1; a customer usually holds one tag of
 *				a hierarchical dimension, so the sets are nearly disjoint),
 *				!x = 1 - x, x & y = xy, x | y = x + y - xy
 *
 * and all are scaled by the fraction of non-null rows.  Without statistics
 * (never analyzed, or no common tags) @> <@ && ? use contsel's 0.1%, and @@
 * walks the query with 0.5% per tag and 2% per prefix; a column of empty
 * sets only still answers <@ from its histogram.  The decoded statistics
 * are kept between plans (tagset_statcache.c).
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "nodes/nodes.h"
#include "utils/selfuncs.h"

#include "tagquery.h"
#include "tagset.h"
#include "tagset_statcache.h"

#define TAGSET_DEFAULT_SEL	0.001	/* contsel's constant */
#define TAGQUERY_TAG_SEL	0.005	/* @@ without statistics: a tag */
#define TAGQUERY_PREFIX_SEL	0.02	/* @@ without statistics: a prefix */

typedef enum TagSetSelOp
{
	SEL_CONTAINS,				/* tagset @> tagset */
	SEL_CONTAINED,				/* tagset <@ tagset */
	SEL_OVERLAP,				/* tagset && tagset */
	SEL_EXISTS,					/* tagset ? text */
	SEL_MATCH					/* tagset @@ tagquery */
} TagSetSelOp;

/* index of the first common tag >= (tag, len) in byte order */
static int
LowerBound(const TagStats *st, const char *tag, int len)
{
	int			lo = 0;
	int			hi = st->ntags;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (TagCompare(st->tags[mid].data, st->tags[mid].len, tag, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* fraction of non-null sets holding the tag */
static float8
TagFreq(const TagStats *st, const char *tag, int len)
{
	int			i = LowerBound(st, tag, len);

	if (i < st->ntags &&
		TagCompare(st->tags[i].data, st->tags[i].len, tag, len) == 0)
		return st->freqs[i];
	return st->absent;
}

/* fraction of non-null sets holding the prefix or a tag below it */
static float8
PrefixFreq(const TagStats *st, const char *prefix, int len)
{
	float8		sum = 0;
	bool		any = false;
	int			i;

	/* "a", "a-b", "a.b", "ab": the tags under "a" lie between the first two */
	for (i = LowerBound(st, prefix, len); i < st->ntags; i++)
	{
		const TagRef *t = &st->tags[i];

		if (t->len < len || memcmp(t->data, prefix, len) != 0)
			break;
		if (TagUnderPrefix(t->data, t->len, prefix, len))
		{
			sum += st->freqs[i];
			any = true;
		}
	}
	if (!any)
		return st->absent;
	return Min(sum, 1.0);
}

/* col @> ts, col && ts (contains true / false) */
static float8
SetSel(const TagStats *st, const struct varlena *ts, bool contains)
{
	int			n = TagSetCount(ts);
	const unsigned char *p = TagSetFirst(ts);
	float8		none = 1.0;
	float8		all = 1.0;
	int			i;

	for (i = 0; i < n; i++)
	{
		TagRef		t;
		float8		f;

		p = TagSetNext(p, &t);
		f = TagFreq(st, t.data, t.len);
		all *= f;
		none *= 1.0 - f;
	}
	return contains ? all : 1.0 - none;
}

/* col <@ ts: a set of k tags, each from ts with probability s, lies in ts */
static float8
ContainedSel(const TagStats *st, const struct varlena *ts)
{
	int			n = TagSetCount(ts);
	const unsigned char *p = TagSetFirst(ts);
	float8		share = 0;
	float8		sel = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		TagRef		t;

		p = TagSetNext(p, &t);
		share += TagFreq(st, t.data, t.len);
	}
	share = st->avgcount > 0 ? Min(share / st->avgcount, 1.0) : 1.0;

	/* the mean of share^k over the histogram of k, bin by bin */
	for (i = 0; i < st->nhist - 1; i++)
		sel += (pow(share, st->hist[i]) + pow(share, st->hist[i + 1])) / 2.0;
	return sel / (st->nhist - 1);
}

/* col @@ q, or without statistics (st NULL) the constants per tag and prefix */
static float8
MatchSel(const TagStats *st, const struct varlena *q)
{
	int			n = TagQueryItemCount(q);
	TagQueryItem *items = TagQueryItems(q);
	float8	   *stack = (float8 *) palloc(sizeof(float8) * n);
	int			sp = 0;
	int			i;
	float8		sel;

	for (i = 0; i < n; i++)
	{
		float8		a;
		float8		b;

		switch (items[i].type)
		{
			case TQ_TAG:
				stack[sp++] = st ? TagFreq(st, items[i].data, items[i].len) :
					TAGQUERY_TAG_SEL;
				break;
			case TQ_PREFIX:
				stack[sp++] = st ? PrefixFreq(st, items[i].data, items[i].len) :
					TAGQUERY_PREFIX_SEL;
				break;
			case TQ_NOT:
				stack[sp - 1] = 1.0 - stack[sp - 1];
				break;
			case TQ_AND:
				b = stack[--sp];
				a = stack[sp - 1];
				stack[sp - 1] = a * b;
				break;
			default:			/* TQ_OR */
				b = stack[--sp];
				a = stack[sp - 1];
				stack[sp - 1] = a + b - a * b;
				break;
		}
	}
	sel = stack[0];
	pfree(stack);
	pfree(items);
	return sel;
}

/* the estimate without statistics */
static float8
DefaultSel(TagSetSelOp op, Datum value)
{
	if (op == SEL_MATCH)
		return MatchSel(NULL, DatumGetTagQueryP(value));
	return TAGSET_DEFAULT_SEL;
}

/*
 * Selectivity of "var op constant" for a restriction whose declared
 * operand "tagside" (0 left, 1 right) is the tagset.  Other shapes (no
 * constant, the variable on the non-tagset side) get the defaults.
 */
static float8
TagSetRestrictSel(PG_FUNCTION_ARGS, TagSetSelOp op, int tagside)
{
	PlannerInfo *root = (PlannerInfo *) PG_GETARG_POINTER(0);
	List	   *args = (List *) PG_GETARG_POINTER(2);
	int			varRelid = PG_GETARG_INT32(3);
	VariableStatData vardata;
	Node	   *other;
	bool		varonleft;
	Const	   *c;
	const TagStats *st;
	float8		sel;

	if (!get_restriction_variable(root, args, varRelid, &vardata, &other, &varonleft))
		return op == SEL_MATCH ? TAGQUERY_TAG_SEL : TAGSET_DEFAULT_SEL;
	if (!IsA(other, Const))
	{
		ReleaseVariableStats(vardata);
		return op == SEL_MATCH ? TAGQUERY_TAG_SEL : TAGSET_DEFAULT_SEL;
	}
	c = (Const *) other;
	if (c->constisnull)
	{
		/* strict operators: nothing matches NULL */
		ReleaseVariableStats(vardata);
		return 0.0;
	}
	if ((varonleft ? 0 : 1) != tagside)
	{
		/* the variable is the set's partner: a tagset constant @> column */
		if (op == SEL_CONTAINS || op == SEL_CONTAINED)
			op = op == SEL_CONTAINS ? SEL_CONTAINED : SEL_CONTAINS;
		else if (op != SEL_OVERLAP)
		{
			ReleaseVariableStats(vardata);
			return op == SEL_MATCH ? TAGQUERY_TAG_SEL : TAGSET_DEFAULT_SEL;
		}
	}

	st = GetTagStats(&vardata);
	if (st == NULL ||
		(!st->have_tags &&
		 !(op == SEL_CONTAINED && st->have_counts && st->avgcount == 0)))
		sel = DefaultSel(op, c->constvalue);
	else
	{
		switch (op)
		{
			case SEL_CONTAINS:
				sel = SetSel(st, DatumGetTagSetP(c->constvalue), true);
				break;
			case SEL_OVERLAP:
				sel = SetSel(st, DatumGetTagSetP(c->constvalue), false);
				break;
			case SEL_CONTAINED:
				sel = st->have_counts ?
					ContainedSel(st, DatumGetTagSetP(c->constvalue)) :
					TAGSET_DEFAULT_SEL;
				break;
			case SEL_EXISTS:
				{
					text	   *t = DatumGetTextPP(c->constvalue);

					sel = TagFreq(st, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
					break;
				}
			default:
				sel = MatchSel(st, DatumGetTagQueryP(c->constvalue));
				break;
		}
		sel *= 1.0 - st->nullfrac;
	}
	ReleaseVariableStats(vardata);
	CLAMP_PROBABILITY(sel);
	return sel;
}

/* the restriction functions of the operators: which test, which side is the set */
#define TAGSET_SEL_FUNC(fname, op, tagside) \
PG_FUNCTION_INFO_V1(fname); \
Datum \
fname(PG_FUNCTION_ARGS) \
{ \
	PG_RETURN_FLOAT8(TagSetRestrictSel(fcinfo, op, tagside)); \
}

TAGSET_SEL_FUNC(tagset_contains_sel, SEL_CONTAINS, 0)	/* tagset @> tagset */
TAGSET_SEL_FUNC(tagset_contained_sel, SEL_CONTAINED, 0) /* tagset <@ tagset */
TAGSET_SEL_FUNC(tagset_overlap_sel, SEL_OVERLAP, 0)	/* tagset && tagset */
TAGSET_SEL_FUNC(tagset_exists_sel, SEL_EXISTS, 0)	/* tagset ? text */
TAGSET_SEL_FUNC(tagset_match_sel, SEL_MATCH, 0) /* tagset @@ tagquery */
TAGSET_SEL_FUNC(tagquery_match_sel, SEL_MATCH, 1)	/* tagquery @@ tagset */
