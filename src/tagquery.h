/*
 * tagquery.h
 *		The tagquery type: a boolean query over tags, kept in postfix order.
 *
 * On-disk layout (a varlena, read byte by byte like tagset):
 *
 *		uint16	nitems				1 .. TAGQUERY_MAX_ITEMS
 *		uint16	noperands			how many items are tags or prefixes
 *		then nitems items in postfix (reverse Polish) order, each
 *		uint8	type				TQ_TAG, TQ_PREFIX, TQ_NOT, TQ_AND, TQ_OR
 *		and for TQ_TAG / TQ_PREFIX
 *		uint8	len					1 .. TAGSET_MAX_TAG_LEN
 *		char	bytes[len]			the tag (for a prefix: without ".*")
 *
 * Postfix order lets evaluation, printing and index support run with an
 * explicit stack, never recursing, whatever the shape of the query.
 */
#ifndef CUSTOMER_CLASS_TAGQUERY_H
#define CUSTOMER_CLASS_TAGQUERY_H

#include "fmgr.h"

#include "tagset.h"

/* documented limits (docs/tags.md) */
#define TAGQUERY_MAX_ITEMS	4096	/* tags, prefixes and operators */
#define TAGQUERY_MAX_DEPTH	64		/* nested parentheses and negations */

#define TAGQUERY_HDRSZ		4
#define TAGQUERY_BINARY_VERSION	1

#define TQ_TAG		1			/* the tag itself */
#define TQ_PREFIX	2			/* prefix.*: the tag or any tag below it */
#define TQ_NOT		3
#define TQ_AND		4
#define TQ_OR		5

/* three-valued logic, as GIN's triConsistent uses it */
#define TQ_FALSE	0
#define TQ_TRUE		1
#define TQ_MAYBE	2

/* one decoded item */
typedef struct TagQueryItem
{
	int			type;
	const char *data;			/* operands only */
	int			len;
} TagQueryItem;

static inline int
TagQueryItemCount(const struct varlena *q)
{
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(q);

	return (int) p[0] | ((int) p[1] << 8);
}

static inline int
TagQueryOperandCount(const struct varlena *q)
{
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(q);

	return (int) p[2] | ((int) p[3] << 8);
}

/*
 * Apply the operator item "type" (TQ_NOT, TQ_AND, TQ_OR) to the top of a
 * stack of three-valued results; returns the new stack depth.
 */
static inline int
TagQueryApply(int type, char *stack, int sp)
{
	char		a;
	char		b;

	if (type == TQ_NOT)
	{
		a = stack[sp - 1];
		stack[sp - 1] = a == TQ_MAYBE ? TQ_MAYBE : !a;
		return sp;
	}
	b = stack[--sp];
	a = stack[sp - 1];
	if (type == TQ_AND)
	{
		if (a == TQ_FALSE || b == TQ_FALSE)
			stack[sp - 1] = TQ_FALSE;
		else if (a == TQ_TRUE && b == TQ_TRUE)
			stack[sp - 1] = TQ_TRUE;
		else
			stack[sp - 1] = TQ_MAYBE;
	}
	else						/* TQ_OR */
	{
		if (a == TQ_TRUE || b == TQ_TRUE)
			stack[sp - 1] = TQ_TRUE;
		else if (a == TQ_FALSE && b == TQ_FALSE)
			stack[sp - 1] = TQ_FALSE;
		else
			stack[sp - 1] = TQ_MAYBE;
	}
	return sp;
}

extern struct varlena *TagQueryParse(const char *str);
extern struct varlena *TagQueryRecv(StringInfo buf);
extern struct varlena *TagQueryFromItems(const TagQueryItem *items, int nitems);
extern TagQueryItem *TagQueryItems(const struct varlena *q);
extern char *TagQueryToCString(const struct varlena *q);
extern int	TagQueryEval(const struct varlena *q, const char *opvals);
extern bool TagQueryMatch(const struct varlena *q, const struct varlena *ts);

#define DatumGetTagQueryP(X)		((struct varlena *) PG_DETOAST_DATUM_PACKED(X))
#define PG_GETARG_TAGQUERY_P(n)		DatumGetTagQueryP(PG_GETARG_DATUM(n))

#endif
