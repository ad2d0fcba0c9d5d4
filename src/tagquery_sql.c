/*
 * tagquery_sql.c
 *		SQL-callable functions of the tagquery type: I/O, tagset @@ tagquery,
 *		and btree and hash support (its selectivity: tagset_selfuncs.c).
 */
#include "postgres.h"

#include "utils/fmgrprotos.h"
#include "fmgr.h"
#include "libpq/pqformat.h"

#include "tagquery.h"

PG_FUNCTION_INFO_V1(tagquery_in);
Datum
tagquery_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(TagQueryParse(PG_GETARG_CSTRING(0)));
}

PG_FUNCTION_INFO_V1(tagquery_out);
Datum
tagquery_out(PG_FUNCTION_ARGS)
{
	struct varlena *q = PG_GETARG_TAGQUERY_P(0);
	char	   *s = TagQueryToCString(q);

	PG_FREE_IF_COPY(q, 0);
	PG_RETURN_CSTRING(s);
}

/* binary input: see TagQueryRecv */
PG_FUNCTION_INFO_V1(tagquery_recv);
Datum
tagquery_recv(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(TagQueryRecv((StringInfo) PG_GETARG_POINTER(0)));
}

PG_FUNCTION_INFO_V1(tagquery_send);
Datum
tagquery_send(PG_FUNCTION_ARGS)
{
	struct varlena *q = PG_GETARG_TAGQUERY_P(0);
	int			n = TagQueryItemCount(q);
	TagQueryItem *items = TagQueryItems(q);
	StringInfoData buf;
	int			i;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, TAGQUERY_BINARY_VERSION);
	pq_sendint32(&buf, n);
	for (i = 0; i < n; i++)
	{
		pq_sendbyte(&buf, items[i].type);
		if (items[i].type == TQ_TAG || items[i].type == TQ_PREFIX)
			pq_sendcountedtext(&buf, items[i].data, items[i].len, false);
	}
	PG_FREE_IF_COPY(q, 0);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* tagset @@ tagquery */
PG_FUNCTION_INFO_V1(tagset_match);
Datum
tagset_match(PG_FUNCTION_ARGS)
{
	struct varlena *ts = PG_GETARG_TAGSET_P(0);
	struct varlena *q = PG_GETARG_TAGQUERY_P(1);
	bool		r = TagQueryMatch(q, ts);

	PG_FREE_IF_COPY(ts, 0);
	PG_FREE_IF_COPY(q, 1);
	PG_RETURN_BOOL(r);
}

/* tagquery @@ tagset, the commutator */
PG_FUNCTION_INFO_V1(tagquery_match);
Datum
tagquery_match(PG_FUNCTION_ARGS)
{
	struct varlena *q = PG_GETARG_TAGQUERY_P(0);
	struct varlena *ts = PG_GETARG_TAGSET_P(1);
	bool		r = TagQueryMatch(q, ts);

	PG_FREE_IF_COPY(q, 0);
	PG_FREE_IF_COPY(ts, 1);
	PG_RETURN_BOOL(r);
}

/* ---- btree and hash support: order and equality of the stored bytes ---- */

/*
 * Two queries are equal when their stored forms are: the same items in the
 * same postfix order, which is what the parser makes of texts that differ
 * only in whitespace, quoting and redundant parentheses.  ("a & (b & c)" and
 * "a & b & c" mean the same but are different queries.)  The order is
 * byte order of the stored form, shorter first on a tie: arbitrary but
 * total, for DISTINCT, GROUP BY, sorting and unique indexes.
 */
static int
TagQueryCmp(const struct varlena *a, const struct varlena *b)
{
	int			la = VARSIZE_ANY_EXHDR(a);
	int			lb = VARSIZE_ANY_EXHDR(b);
	int			c = memcmp(VARDATA_ANY(a), VARDATA_ANY(b), Min(la, lb));

	if (c != 0)
		return c < 0 ? -1 : 1;
	return (la > lb) - (la < lb);
}

PG_FUNCTION_INFO_V1(tagquery_cmp);
Datum
tagquery_cmp(PG_FUNCTION_ARGS)
{
	struct varlena *a = PG_GETARG_TAGQUERY_P(0);
	struct varlena *b = PG_GETARG_TAGQUERY_P(1);
	int			c = TagQueryCmp(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_INT32(c);
}

#define TAGQUERY_CMP_OP(fname, test) \
PG_FUNCTION_INFO_V1(fname); \
Datum \
fname(PG_FUNCTION_ARGS) \
{ \
	return BoolGetDatum(DatumGetInt32(tagquery_cmp(fcinfo)) test 0); \
}

TAGQUERY_CMP_OP(tagquery_eq, ==)
TAGQUERY_CMP_OP(tagquery_ne, !=)
TAGQUERY_CMP_OP(tagquery_lt, <)
TAGQUERY_CMP_OP(tagquery_le, <=)
TAGQUERY_CMP_OP(tagquery_gt, >)
TAGQUERY_CMP_OP(tagquery_ge, >=)

/* equal values have equal bytes: PostgreSQL's own hash of a varlena's bytes */
PG_FUNCTION_INFO_V1(tagquery_hash);
Datum
tagquery_hash(PG_FUNCTION_ARGS)
{
	return hashvarlena(fcinfo);
}

PG_FUNCTION_INFO_V1(tagquery_hash_extended);
Datum
tagquery_hash_extended(PG_FUNCTION_ARGS)
{
	return hashvarlenaextended(fcinfo);
}
