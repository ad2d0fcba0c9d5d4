/*
 * facts_row.c
 *		credit_facts_of(txn_facts, as_of, created_on, industry_points,
 *						region_points, external_score) -> credit_facts
 *
 * credit_facts() builds each customer's credit_facts from what the
 * aggregate found (txn_facts) and the customer's own columns.  Written in
 * SQL as ROW((t.f).a, (t.f).b, ...) that is one field selection per
 * attribute, and each one walks the row from its start: the row has NULLs
 * and numerics, so no attribute offset can be cached.  With thirty
 * attributes that was a sixth of a full refresh.  Here the row is taken
 * apart once.  Attributes are matched by name, once per query (fn_extra).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"

#include "rowutil.h"

/* where a credit_facts attribute comes from */
typedef enum
{
	SRC_TXN,					/* the txn_facts attribute of the same name */
	SRC_TXN_OR_ZERO,			/* the same, 0 when NULL or no transactions */
	SRC_TENURE,					/* as_of - least(created_on, first_issued) */
	SRC_ARG						/* a function argument */
} FactSource;

/* the counts and amounts that are 0, not NULL, for a customer without them */
static const char *const zero_names[] = {
	"revenue_12m", "orders_12m", "order_months", "invoices_paid", "open_balance",
	"overdue_balance", "defaults", "invoices_12m", "overdue_invoices", "revenue_180d",
	"revenue_prior_180d", "orders_90d", "orders_prior_90d", "overdue_30d_balance"
};

/* the attributes given as arguments, by argument number */
static const char *const arg_names[] = {
	NULL, NULL, NULL, "industry_points", "region_points", "external_score"
};

typedef struct FactsRowCache
{
	FnCacheKey	key;			/* the txn_facts row type */
	TupleDesc	txn_desc;
	TupleDesc	result_desc;
	int			first_issued;	/* txn attribute number */
	FactSource *source;			/* per result attribute */
	int		   *from;			/* txn attribute or argument number */
	Datum	   *zero;			/* per result attribute, for SRC_TXN_OR_ZERO */
} FactsRowCache;

/* position of name in list, or -1 */
static int
IndexOf(const char *name, const char *const *list, int n)
{
	for (int i = 0; i < n; i++)
		if (list[i] && strcmp(list[i], name) == 0)
			return i;
	return -1;
}

/* the txn_facts attribute that fills result attribute i, checked for its type */
static int
TxnAttribute(FactsRowCache *c, int i)
{
	Form_pg_attribute ra = TupleDescAttr(c->result_desc, i);
	const char *name = NameStr(ra->attname);
	int			att;

	FindAttributes(c->txn_desc, &name, 1, &att);
	if (TupleDescAttr(c->txn_desc, att)->atttypid != ra->atttypid)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("attribute \"%s\" of %s and of %s differ in type",
						name, format_type_be(c->txn_desc->tdtypeid),
						format_type_be(c->result_desc->tdtypeid))));
	return att;
}

/* 0 of an integer or numeric attribute, allocated in the current context */
static Datum
Zero(Form_pg_attribute a)
{
	if (a->atttypid == INT4OID)
		return Int32GetDatum(0);
	if (a->atttypid == NUMERICOID)
		return DirectFunctionCall1(int4_numeric, Int32GetDatum(0));
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("attribute \"%s\" of credit_facts must be integer or numeric",
					NameStr(a->attname))));
	return (Datum) 0;			/* keep the compiler quiet */
}

/* fills a new cache for the txn_facts type in its key (FnCacheGet) */
static void
BuildCache(FunctionCallInfo fcinfo, void *p, MemoryContext mcxt)
{
	FactsRowCache *c = (FactsRowCache *) p;
	MemoryContext old;
	const char *first_issued = "first_issued";

	c->txn_desc = RowDesc(c->key.types[0], mcxt);
	c->result_desc = ResultRowDesc(fcinfo, mcxt);
	FindAttributes(c->txn_desc, &first_issued, 1, &c->first_issued);
	old = MemoryContextSwitchTo(mcxt);
	c->source = palloc(sizeof(FactSource) * c->result_desc->natts);
	c->from = palloc(sizeof(int) * c->result_desc->natts);
	c->zero = palloc0(sizeof(Datum) * c->result_desc->natts);
	for (int i = 0; i < c->result_desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(c->result_desc, i);
		const char *name = NameStr(a->attname);

		c->from[i] = IndexOf(name, arg_names, lengthof(arg_names));
		if (strcmp(name, "tenure_days") == 0)
			c->source[i] = SRC_TENURE;
		else if (c->from[i] >= 0)
			c->source[i] = SRC_ARG;
		else
		{
			c->from[i] = TxnAttribute(c, i);
			c->source[i] = SRC_TXN;
			if (IndexOf(name, zero_names, lengthof(zero_names)) >= 0)
			{
				c->source[i] = SRC_TXN_OR_ZERO;
				c->zero[i] = Zero(a);
			}
		}
	}
	MemoryContextSwitchTo(old);
}

static FactsRowCache *
GetCache(FunctionCallInfo fcinfo)
{
	return (FactsRowCache *) FnCacheGet(fcinfo, sizeof(FactsRowCache),
										get_fn_expr_argtype(fcinfo->flinfo, 0), InvalidOid,
										BuildCache);
}

/* as_of - least(created_on, first_issued), NULLs ignored as least() does */
static void
Tenure(FunctionCallInfo fcinfo, Datum *txn, bool *txn_null, int first_issued,
	   Datum *value, bool *isnull)
{
	bool		have_created = !PG_ARGISNULL(2);
	bool		have_issued = txn_null != NULL && !txn_null[first_issued];
	DateADT		start;

	*isnull = PG_ARGISNULL(1) || (!have_created && !have_issued);
	if (*isnull)
		return;
	if (have_created && have_issued)
		start = Min(PG_GETARG_DATEADT(2), DatumGetDateADT(txn[first_issued]));
	else
		start = have_created ? PG_GETARG_DATEADT(2) : DatumGetDateADT(txn[first_issued]);
	if (DATE_NOT_FINITE(start) || DATE_NOT_FINITE(PG_GETARG_DATEADT(1)))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("cannot subtract infinite dates")));
	*value = Int32GetDatum((int32) (PG_GETARG_DATEADT(1) - start));
}

PG_FUNCTION_INFO_V1(credit_facts_of);

Datum
credit_facts_of(PG_FUNCTION_ARGS)
{
	FactsRowCache *c = GetCache(fcinfo);
	int			natts = c->result_desc->natts;
	Datum	   *txn = NULL;
	bool	   *txn_null = NULL;
	Datum	   *values = palloc(sizeof(Datum) * natts);
	bool	   *nulls = palloc(sizeof(bool) * natts);

	if (!PG_ARGISNULL(0))
	{
		txn = palloc(sizeof(Datum) * c->txn_desc->natts);
		txn_null = palloc(sizeof(bool) * c->txn_desc->natts);
		DeformRow(PG_GETARG_HEAPTUPLEHEADER(0), c->txn_desc, txn, txn_null);
	}
	for (int i = 0; i < natts; i++)
	{
		int			k = c->from[i];

		switch (c->source[i])
		{
			case SRC_TENURE:
				Tenure(fcinfo, txn, txn_null, c->first_issued, &values[i], &nulls[i]);
				break;
			case SRC_ARG:
				nulls[i] = PG_ARGISNULL(k);
				values[i] = nulls[i] ? (Datum) 0 : PG_GETARG_DATUM(k);
				break;
			case SRC_TXN:
			case SRC_TXN_OR_ZERO:
				nulls[i] = txn == NULL || txn_null[k];
				values[i] = nulls[i] ? (Datum) 0 : txn[k];
				if (nulls[i] && c->source[i] == SRC_TXN_OR_ZERO)
				{
					nulls[i] = false;
					values[i] = c->zero[i];
				}
				break;
		}
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(c->result_desc, values, nulls)));
}
