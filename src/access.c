/*
 * access.c
 *		access_visible(customer_id, query): the row-level security test of
 *		every table that carries a customer's data (docs/access.md).
 *
 * A policy written as "the caller sees all, or EXISTS (the customer in
 * src_customer)" is right but costed as a correlated subquery per row: the
 * planner prices the plain subplan (an index probe per row), so a scan of a
 * large table by an analyst without any access entry -- who sees every row
 * and never runs the subquery -- was planned as millions in cost, got JIT
 * compilation and lost its parallel plan (a count over 220,000 invoices:
 * 9 ms as the owner, 74 ms as an analyst).  This function is cheap to the
 * planner (cost 1, parallel safe) and cheap to run:
 *
 *  - query NULL (the caller sees every customer): true at once;
 *  - otherwise the first PROBES_BEFORE_LOAD rows of a statement are each
 *    looked up in src_customer (through customer's own policy), so a query
 *    about one customer costs a few key lookups; after that it reads the
 *    ids of all the customers the caller sees into a sorted array kept for
 *    the rest of the statement (fn_extra), and answers each row by binary
 *    search, so a scan costs one read of the customers.
 *
 * The array belongs to one execution of one expression: the next statement
 * reads the customers anew, so it never answers from stale data.
 */
#include "postgres.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "spi_plan.h"

/*
 * Rows looked up one by one before all visible customers are read.  A
 * lookup costs about 0.2 ms (the customer's policy computes the caller's
 * access query each time); reading all costs one scan of the customers.
 */
#define PROBES_BEFORE_LOAD	8

typedef struct VisibleCustomers
{
	struct varlena *query;		/* the tag query the ids were read for */
	int			probes;			/* rows looked up one by one so far */
	int64	   *ids;			/* sorted; NULL until read */
	int			n;
} VisibleCustomers;

static int
CompareInt64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/* The ids of the customers the caller sees, sorted, in memory of cxt. */
static void
ReadVisibleCustomers(VisibleCustomers *vc, MemoryContext cxt)
{
	MemoryContext old;
	uint64		n;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT customer_id FROM customer_class.src_customer", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the visible customers: %s", SPI_result_code_string(SPI_result));
	n = SPI_processed;
	if (n > (uint64) (MaxAllocHugeSize / sizeof(int64)))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many visible customers: " UINT64_FORMAT, n)));

	old = MemoryContextSwitchTo(cxt);
	vc->ids = MemoryContextAllocHuge(cxt, Max(n, 1) * sizeof(int64));
	MemoryContextSwitchTo(old);
	vc->n = 0;
	for (uint64 i = 0; i < n; i++)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			vc->ids[vc->n++] = DatumGetInt64(d);
	}
	SPI_finish();
	qsort(vc->ids, vc->n, sizeof(int64), CompareInt64);
}

/*
 * Does the caller see this one customer in src_customer?  The plan is kept
 * for the backend (the plan cache replans it when the objects it reads
 * change, and row-level security is applied for the role that runs it).
 */
static bool
LookUpCustomer(int64 id)
{
	static SPIPlanPtr plan = NULL;
	Datum		args[1] = {Int64GetDatum(id)};
	bool		found;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (plan == NULL)
	{
		Oid			argtypes[1] = {INT8OID};

		plan = KeepSchemaPlan("customer_class",
							  "SELECT FROM %1$s.src_customer WHERE customer_id = $1", 1, argtypes);
	}
	if (SPI_execute_plan(plan, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not look up customer " INT64_FORMAT ": %s", id,
			 SPI_result_code_string(SPI_result));
	found = SPI_processed > 0;
	SPI_finish();
	return found;
}

PG_FUNCTION_INFO_V1(customer_class_access_visible);

/*
 * SQL: access_visible(customer_id bigint, query tagquery) returns boolean --
 * may the caller, whose access query is the second argument (the caller's
 * access_query(), passed by the policy as an uncorrelated subquery), see the
 * rows of this customer?  Not strict: a NULL query means every customer.
 */
Datum
customer_class_access_visible(PG_FUNCTION_ARGS)
{
	VisibleCustomers *vc = (VisibleCustomers *) fcinfo->flinfo->fn_extra;
	struct varlena *query;
	int64		id;

	if (PG_ARGISNULL(1))
		PG_RETURN_BOOL(true);
	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	id = PG_GETARG_INT64(0);
	query = PG_GETARG_VARLENA_PP(1);

	/*
	 * The query is the same for every row of a statement (an InitPlan); read
	 * the customers again only if it is not, which costs a comparison.
	 */
	if (vc == NULL || VARSIZE_ANY(vc->query) != VARSIZE_ANY(query) ||
		memcmp(vc->query, query, VARSIZE_ANY(query)) != 0)
	{
		MemoryContext cxt = fcinfo->flinfo->fn_mcxt;

		if (vc == NULL)
			vc = MemoryContextAllocZero(cxt, sizeof(VisibleCustomers));
		else
		{
			pfree(vc->query);
			if (vc->ids)
				pfree(vc->ids);
		}
		vc->query = MemoryContextAlloc(cxt, VARSIZE_ANY(query));
		memcpy(vc->query, query, VARSIZE_ANY(query));
		vc->probes = 0;
		vc->ids = NULL;
		vc->n = 0;
		fcinfo->flinfo->fn_extra = vc;
	}
	if (vc->ids == NULL)
	{
		if (vc->probes < PROBES_BEFORE_LOAD)
		{
			vc->probes++;
			PG_RETURN_BOOL(LookUpCustomer(id));
		}
		ReadVisibleCustomers(vc, fcinfo->flinfo->fn_mcxt);
	}

	PG_RETURN_BOOL(bsearch(&id, vc->ids, vc->n, sizeof(int64), CompareInt64) != NULL);
}
