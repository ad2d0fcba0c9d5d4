/*
 * tagquery.c
 *		Core of the tagquery type: parser, printer and evaluation.
 *
 * Grammar (precedence ! > & > |, & and | associate to the left):
 *
 *		query	:= or
 *		or		:= and ( '|' and )*
 *		and		:= not ( '&' not )*
 *		not		:= '!' not | primary
 *		primary	:= '(' or ')' | tag [ '.*' ]
 *		tag		:= unquoted run (no whitespace, & | ! ( ) " \ *)
 *				 | '"' text with \" and \\ escapes '"'
 *
 * Nothing here uses fmgr, so test/fuzz links this file into a stand-alone
 * fuzz target; the SQL-callable wrappers are in tagquery_sql.c.
 */
#include "postgres.h"

#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"

#include "tagquery.h"
#include "tagset.h"

#define TAGQUERY_SYNTAX_HINT "A tagquery looks like industry.construction & region.east.* & !vip."

/* is c one of the ASCII characters that end an unquoted tag in a query? */
static inline bool
IsQuerySpecial(char c)
{
	return c == '&' || c == '|' || c == '!' || c == '(' || c == ')' ||
		c == '"' || c == '\\' || c == '*';
}

/*
 * Length of the full-width operator look-alike at p (U+FF06 ＆, U+FF5C ｜,
 * U+FF01 ！, U+FF08 （, U+FF09 ）) in UTF-8, or 0.  They are no operators:
 * an unquoted tag may not contain them, so that "重点客户＆vip" is an error
 * instead of one tag; quoted, a tag may.
 */
static int
FullWidthOperatorLength(const char *p)
{
	const unsigned char *u = (const unsigned char *) p;

	if (GetDatabaseEncoding() != PG_UTF8 && GetDatabaseEncoding() != PG_SQL_ASCII)
		return 0;
	if (u[0] != 0xEF)
		return 0;
	if (u[1] == 0xBC && (u[2] == 0x86 || u[2] == 0x81 || u[2] == 0x88 || u[2] == 0x89))
		return 3;
	if (u[1] == 0xBD && u[2] == 0x9C)
		return 3;
	return 0;
}

#define TAGQUERY_FULLWIDTH_HINT "Full-width ＆ ｜ ！ （ ） are not operators: write & | ! ( ), or double-quote a tag that contains them."

/* ---- parser ---- */

typedef struct QueryParser
{
	const char *str;			/* the whole literal, for error positions */
	const char *p;				/* current position */
	TagQueryItem *items;		/* output, postfix */
	int			nitems;
	int			cap;
} QueryParser;

static void ParseOr(QueryParser *qp, int depth);

static void
EmitItem(QueryParser *qp, int type, const char *data, int len)
{
	if (qp->nitems >= TAGQUERY_MAX_ITEMS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("tagquery too long"),
				 errdetail("A tagquery may have at most %d tags and operators.",
						   TAGQUERY_MAX_ITEMS)));
	if (qp->nitems == qp->cap)
	{
		qp->cap *= 2;
		qp->items = (TagQueryItem *) repalloc(qp->items, sizeof(TagQueryItem) * qp->cap);
	}
	qp->items[qp->nitems].type = type;
	qp->items[qp->nitems].data = data;
	qp->items[qp->nitems].len = len;
	qp->nitems++;
}

static void
SkipSpace(QueryParser *qp)
{
	qp->p = SkipTagSpace(qp->p);
}

static void
CheckDepth(QueryParser *qp, int depth)
{
	check_stack_depth();
	if (depth > TAGQUERY_MAX_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("tagquery nested too deeply at position %d",
						TagErrorPosition(qp->str, qp->p)),
				 errdetail("A tagquery may nest parentheses and negations at most %d levels deep.",
						   TAGQUERY_MAX_DEPTH)));
}

/* a tag or prefix.* operand */
static void
ParseOperand(QueryParser *qp)
{
	const char *start = qp->p;
	char	   *tag;
	int			len;
	int			type = TQ_TAG;

	if (*qp->p == '"')
	{
		char	   *w;

		qp->p++;
		tag = w = palloc(QuotedLength(qp->p) + 1);
		while (*qp->p != '"')
		{
			if (*qp->p == '\0')
				ReportUnexpectedChar("tagquery", qp->str, qp->p,
									 "Close the quoted tag with a double quote.");
			if (*qp->p == '\\')
			{
				qp->p++;
				if (*qp->p == '\0')
					ReportUnexpectedChar("tagquery", qp->str, qp->p, NULL);
			}
			*w++ = *qp->p++;
		}
		qp->p++;
		len = w - tag;
		if (qp->p[0] == '.' && qp->p[1] == '*')
		{
			type = TQ_PREFIX;
			qp->p += 2;
		}
	}
	else
	{
		/* by characters, up to whitespace or an operator */
		while (*qp->p != '\0' && !IsQuerySpecial(*qp->p) &&
			   TagSpaceLength(qp->p, 3) == 0)
		{
			if (FullWidthOperatorLength(qp->p) > 0)
				ReportUnexpectedChar("tagquery", qp->str, qp->p,
									 TAGQUERY_FULLWIDTH_HINT);
			qp->p += CharLength(qp->p);
		}
		if (qp->p == start)
			ReportUnexpectedChar("tagquery", qp->str, qp->p,
								 *qp->p == '\\' || *qp->p == '*' ?
								 "Double-quote tags that contain spaces or any of & | ! ( ) \" \\ *." :
								 TAGQUERY_SYNTAX_HINT);
		tag = (char *) start;
		len = qp->p - start;
		if (*qp->p == '*')
		{
			if (tag[len - 1] != '.')
				ReportUnexpectedChar("tagquery", qp->str, qp->p,
									 "A prefix query is a tag followed by \".*\", as in region.east.*.");
			type = TQ_PREFIX;
			len--;
			qp->p++;
		}
	}
	CheckTag(tag, len, qp->str, start);
	EmitItem(qp, type, tag, len);
}

static void
ParseNot(QueryParser *qp, int depth)
{
	SkipSpace(qp);
	if (*qp->p == '!')
	{
		qp->p++;
		CheckDepth(qp, depth + 1);
		ParseNot(qp, depth + 1);
		EmitItem(qp, TQ_NOT, NULL, 0);
		return;
	}
	if (*qp->p == '(')
	{
		qp->p++;
		CheckDepth(qp, depth + 1);
		ParseOr(qp, depth + 1);
		SkipSpace(qp);
		if (*qp->p != ')')
			ReportUnexpectedChar("tagquery", qp->str, qp->p,
								 "Every opening parenthesis needs a closing one.");
		qp->p++;
		return;
	}
	ParseOperand(qp);
}

static void
ParseAnd(QueryParser *qp, int depth)
{
	ParseNot(qp, depth);
	for (;;)
	{
		SkipSpace(qp);
		if (*qp->p != '&')
			return;
		qp->p++;
		ParseNot(qp, depth);
		EmitItem(qp, TQ_AND, NULL, 0);
	}
}

static void
ParseOr(QueryParser *qp, int depth)
{
	ParseAnd(qp, depth);
	for (;;)
	{
		SkipSpace(qp);
		if (*qp->p != '|')
			return;
		qp->p++;
		ParseAnd(qp, depth);
		EmitItem(qp, TQ_OR, NULL, 0);
	}
}

struct varlena *
TagQueryParse(const char *str)
{
	QueryParser qp;

	qp.str = str;
	qp.p = str;
	qp.cap = 16;
	qp.nitems = 0;
	qp.items = (TagQueryItem *) palloc(sizeof(TagQueryItem) * qp.cap);
	ParseOr(&qp, 0);
	SkipSpace(&qp);
	if (*qp.p != '\0')
		ReportUnexpectedChar("tagquery", str, qp.p,
							 *qp.p == ')' ? "Every closing parenthesis needs an opening one." :
							 "Join conditions with & or |.");
	return TagQueryFromItems(qp.items, qp.nitems);
}

/* ---- storage ---- */

/* precedence when printed: operands bind tightest */
static inline int
ItemPrecedence(int type)
{
	switch (type)
	{
		case TQ_OR:
			return 1;
		case TQ_AND:
			return 2;
		case TQ_NOT:
			return 3;
		default:
			return 4;
	}
}

/*
 * Build the stored form of a postfix item list whose operands are checked
 * tags.  The structure is verified (binary input reaches here too): every
 * operator has its operands, exactly one root remains, and the query printed
 * back nests no deeper than the parser accepts.
 */
struct varlena *
TagQueryFromItems(const TagQueryItem *items, int nitems)
{
	int		   *nest = (int *) palloc(sizeof(int) * Max(nitems, 1));
	int		   *prec = (int *) palloc(sizeof(int) * Max(nitems, 1));
	int			sp = 0;
	int			noperands = 0;
	Size		size = 0;
	struct varlena *q;
	unsigned char *w;
	int			i;

	if (nitems < 1 || nitems > TAGQUERY_MAX_ITEMS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("invalid number of items in tagquery: %d", nitems),
				 errdetail("A tagquery has between 1 and %d tags and operators.",
						   TAGQUERY_MAX_ITEMS)));
	for (i = 0; i < nitems; i++)
	{
		int			t = items[i].type;
		int			n;

		switch (t)
		{
			case TQ_TAG:
			case TQ_PREFIX:
				Assert(items[i].len > 0 && items[i].len <= TAGSET_MAX_TAG_LEN);
				nest[sp] = 0;
				prec[sp] = ItemPrecedence(t);
				sp++;
				noperands++;
				size += 2 + items[i].len;
				break;
			case TQ_NOT:
				if (sp < 1)
					goto malformed;
				/* "!" and, around a binary operand, "(" */
				nest[sp - 1] += 1 + (prec[sp - 1] < ItemPrecedence(TQ_NOT) ? 1 : 0);
				prec[sp - 1] = ItemPrecedence(TQ_NOT);
				size += 1;
				break;
			case TQ_AND:
			case TQ_OR:
				if (sp < 2)
					goto malformed;
				n = Max(nest[sp - 2] + (prec[sp - 2] < ItemPrecedence(t) ? 1 : 0),
						nest[sp - 1] + (prec[sp - 1] < ItemPrecedence(t) ? 1 : 0));
				sp--;
				nest[sp - 1] = n;
				prec[sp - 1] = ItemPrecedence(t);
				size += 1;
				break;
			default:
				goto malformed;
		}
		if (sp > 0 && nest[sp - 1] > TAGQUERY_MAX_DEPTH)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("tagquery nested too deeply"),
					 errdetail("A tagquery may nest parentheses and negations at most %d levels deep.",
							   TAGQUERY_MAX_DEPTH)));
	}
	if (sp != 1)
		goto malformed;

	q = (struct varlena *) palloc(VARHDRSZ + TAGQUERY_HDRSZ + size);
	SET_VARSIZE(q, VARHDRSZ + TAGQUERY_HDRSZ + size);
	w = (unsigned char *) VARDATA(q);
	w[0] = (unsigned char) (nitems & 0xff);
	w[1] = (unsigned char) (nitems >> 8);
	w[2] = (unsigned char) (noperands & 0xff);
	w[3] = (unsigned char) (noperands >> 8);
	w += TAGQUERY_HDRSZ;
	for (i = 0; i < nitems; i++)
	{
		*w++ = (unsigned char) items[i].type;
		if (items[i].type == TQ_TAG || items[i].type == TQ_PREFIX)
		{
			*w++ = (unsigned char) items[i].len;
			memcpy(w, items[i].data, items[i].len);
			w += items[i].len;
		}
	}
	pfree(nest);
	pfree(prec);
	return q;

malformed:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("malformed tagquery"),
			 errdetail("The items do not form a postfix expression with one root.")));
	return NULL;				/* keep compiler quiet */
}

/*
 * Binary form: version byte, int32 item count, then per item (postfix order)
 * a type byte and, for tags and prefixes, an int32 length and the text.
 * Counts and lengths are checked against the bytes left before allocating;
 * tags are re-checked and the structure verified by TagQueryFromItems.
 */
struct varlena *
TagQueryRecv(StringInfo buf)
{
	int			version = pq_getmsgbyte(buf);
	int			n;
	TagQueryItem *items;
	int			i;

	if (version != TAGQUERY_BINARY_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported tagquery binary format version %d", version),
				 errdetail("This version of customer_class reads version %d.",
						   TAGQUERY_BINARY_VERSION)));
	n = pq_getmsgint(buf, 4);
	if (n < 1 || n > TAGQUERY_MAX_ITEMS || n > buf->len - buf->cursor)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid item count %d in binary tagquery", n),
				 errdetail("The count must be between 1 and %d and fit the message.",
						   TAGQUERY_MAX_ITEMS)));
	items = (TagQueryItem *) palloc(sizeof(TagQueryItem) * n);
	for (i = 0; i < n; i++)
	{
		int			type = pq_getmsgbyte(buf);

		items[i].type = type;
		items[i].data = NULL;
		items[i].len = 0;
		if (type == TQ_TAG || type == TQ_PREFIX)
		{
			int			len = pq_getmsgint(buf, 4);
			int			nbytes;

			if (len <= 0 || len > buf->len - buf->cursor)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						 errmsg("invalid tag length %d in binary tagquery", len)));
			items[i].data = pq_getmsgtext(buf, len, &nbytes);
			items[i].len = nbytes;
			CheckTag(items[i].data, items[i].len, NULL, NULL);
		}
		else if (type != TQ_NOT && type != TQ_AND && type != TQ_OR)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid item type %d in binary tagquery", type)));
	}
	return TagQueryFromItems(items, n);
}

/* the items of a stored query, pointing into it */
TagQueryItem *
TagQueryItems(const struct varlena *q)
{
	int			n = TagQueryItemCount(q);
	TagQueryItem *items = (TagQueryItem *) palloc(sizeof(TagQueryItem) * Max(n, 1));
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(q) + TAGQUERY_HDRSZ;
	int			i;

	for (i = 0; i < n; i++)
	{
		items[i].type = *p++;
		items[i].data = NULL;
		items[i].len = 0;
		if (items[i].type == TQ_TAG || items[i].type == TQ_PREFIX)
		{
			items[i].len = *p++;
			items[i].data = (const char *) p;
			p += items[i].len;
		}
	}
	return items;
}

/* ---- printer ---- */

/*
 * Must this tag be double-quoted in a query?  Yes when an unquoted run
 * would stop inside it: whitespace, & | ! ( ) " \ * or a full-width
 * operator look-alike.  (A tag is verified text, so it can be walked by
 * characters; it is not NUL-terminated, hence the bounds.)
 */
static bool
QueryTagNeedsQuotes(const char *tag, int len)
{
	int			i = 0;

	while (i < len)
	{
		int			l;

		if (IsQuerySpecial(tag[i]) || TagSpaceLength(tag + i, len - i) > 0)
			return true;
		if (len - i >= 3 && FullWidthOperatorLength(tag + i) > 0)
			return true;
		l = pg_encoding_mblen(GetDatabaseEncoding() == PG_SQL_ASCII ? PG_UTF8 :
							  GetDatabaseEncoding(), tag + i);
		i += Max(l, 1);
	}
	return false;
}

/*
 * The normalised text form: operators spaced, "!" attached, parentheses
 * only where precedence needs them.  Walks the tree with an explicit stack.
 */
char *
TagQueryToCString(const struct varlena *q)
{
	int			n = TagQueryItemCount(q);
	TagQueryItem *items = TagQueryItems(q);
	int		   *left = (int *) palloc(sizeof(int) * n);
	int		   *right = (int *) palloc(sizeof(int) * n);
	int		   *stack = (int *) palloc(sizeof(int) * (n + 1));
	int		   *stage = (int *) palloc(sizeof(int) * (n + 1));
	bool	   *paren = (bool *) palloc(sizeof(bool) * (n + 1));
	int			sp = 0;
	Size		size = 1;
	char	   *result;
	char	   *w;
	int			i;

	/* children of every operator, and a bound on the output length */
	for (i = 0; i < n; i++)
	{
		left[i] = right[i] = -1;
		switch (items[i].type)
		{
			case TQ_TAG:
			case TQ_PREFIX:
				size += 2 * items[i].len + 4;
				break;
			case TQ_NOT:
				right[i] = stack[--sp];
				size += 3;
				break;
			default:
				right[i] = stack[--sp];
				left[i] = stack[--sp];
				size += 5;
				break;
		}
		stack[sp++] = i;
	}
	Assert(sp == 1);

	result = w = palloc(size);
	stack[0] = n - 1;
	stage[0] = 0;
	paren[0] = false;
	sp = 1;
	while (sp > 0)
	{
		int			k = stack[sp - 1];
		const TagQueryItem *it = &items[k];
		int			child;

		if (stage[sp - 1] == 0)
		{
			if (paren[sp - 1])
				*w++ = '(';
			if (it->type == TQ_TAG || it->type == TQ_PREFIX)
			{
				w = WriteTag(w, it->data, it->len, QueryTagNeedsQuotes(it->data, it->len));
				if (it->type == TQ_PREFIX)
				{
					*w++ = '.';
					*w++ = '*';
				}
				stage[sp - 1] = 2;
				continue;
			}
			if (it->type == TQ_NOT)
			{
				*w++ = '!';
				child = right[k];
				stage[sp - 1] = 2;
			}
			else
			{
				child = left[k];
				stage[sp - 1] = 1;
			}
		}
		else if (stage[sp - 1] == 1)
		{
			const char *op = it->type == TQ_AND ? " & " : " | ";

			memcpy(w, op, 3);
			w += 3;
			child = right[k];
			stage[sp - 1] = 2;
		}
		else
		{
			if (paren[sp - 1])
				*w++ = ')';
			sp--;
			continue;
		}
		/* descend into child */
		stack[sp] = child;
		stage[sp] = 0;
		paren[sp] = ItemPrecedence(items[child].type) < ItemPrecedence(it->type);
		sp++;
	}
	*w = '\0';
	pfree(items);
	pfree(left);
	pfree(right);
	pfree(stack);
	pfree(stage);
	pfree(paren);
	return result;
}

/* ---- evaluation ---- */

/*
 * Evaluate q in three-valued logic, given the value (TQ_FALSE, TQ_TRUE,
 * TQ_MAYBE) of each operand in item order.
 */
int
TagQueryEval(const struct varlena *q, const char *opvals)
{
	int			n = TagQueryItemCount(q);
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(q) + TAGQUERY_HDRSZ;
	char		sbuf[64] = {0};
	char	   *stack = n <= (int) sizeof(sbuf) ? sbuf : palloc(n);
	int			sp = 0;
	int			k = 0;
	int			i;
	int			result;

	for (i = 0; i < n; i++)
	{
		int			type = *p++;

		if (type == TQ_TAG || type == TQ_PREFIX)
		{
			p += 1 + *p;
			stack[sp++] = opvals[k++];
		}
		else
			sp = TagQueryApply(type, stack, sp);
	}
	result = stack[0];
	if (stack != sbuf)
		pfree(stack);
	return result;
}

/* tagset @@ tagquery */
bool
TagQueryMatch(const struct varlena *q, const struct varlena *ts)
{
	int			n = TagQueryItemCount(q);
	int			nops = TagQueryOperandCount(q);
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(q) + TAGQUERY_HDRSZ;
	char		sbuf[64] = {0};
	char	   *vals = nops <= (int) sizeof(sbuf) ? sbuf : palloc(nops);
	int			k = 0;
	int			i;
	bool		result;

	for (i = 0; i < n; i++)
	{
		int			type = *p++;

		if (type == TQ_TAG || type == TQ_PREFIX)
		{
			int			len = *p++;

			vals[k++] = type == TQ_TAG ?
				TagSetHas(ts, (const char *) p, len) :
				TagSetHasPrefix(ts, (const char *) p, len);
			p += len;
		}
	}
	result = TagQueryEval(q, vals) == TQ_TRUE;
	if (vals != sbuf)
		pfree(vals);
	return result;
}
