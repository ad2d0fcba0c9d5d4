/*
 * credit_check.c
 *		The exposure ledger delta and the credit check of the C row triggers.
 *
 * Three saved SPI plans, prepared once per backend:
 *
 *	- the ledger UPDATE ... RETURNING exposure, which locks the customer's
 *	  ledger row until the end of the transaction (a missing row, or the row
 *	  of a member of a credit group, goes through exposure_add(), which
 *	  creates it or locks the group's rows first, root first; a group
 *	  member's check always runs credit_enforce(), which checks the group
 *	  limits, src/sql/credit/groups.sql);
 *	- the context query, credit_context() (kept per customer by
 *	  credit_context.c), which answers "may the check have something to
 *	  say?" (a violation, or the limit nearly used) from the mode, limit,
 *	  grade, rules and overdue invoice, with the rules credit_evaluate()
 *	  applies (credit_rule.c);
 *	- credit_enforce(), the PL/pgSQL function that evaluates the check again
 *	  and raises the error, the warning or the alert.  It only runs when the
 *	  context query says yes, so the messages, SQLSTATEs and alerts are those
 *	  of the SQL code, and a passing order costs two plan executions.
 *
 * Every query is planned and run inside the trigger function, whose
 * search_path is pinned (pg_catalog, pg_temp) by its SET clause; the plans
 * name the extension's schema, read from the trigger function at every call
 * (a syscache lookup), so that an extension dropped and created again in the
 * same backend gets new plans and an empty cache.  A fourth plan sums the
 * invoices of an order, for the order's part not yet invoiced.
 *
 * The steps and their order are those of the PL/pgSQL trigger they replace,
 * so the concurrency argument of src/sql/credit/check.sql holds unchanged: the
 * UPDATE waits for a concurrent writer of the same customer, and the context
 * query that follows runs with a new snapshot (READ COMMITTED) that sees the
 * exposure that UPDATE returned.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "credit_check.h"
#include "credit_context.h"
#include "spi_plan.h"

/* saved plans (SPI_keepplan), prepared at the first use in a backend */
static SPIPlanPtr ledger_update_plan = NULL;
static SPIPlanPtr ledger_add_plan = NULL;
static SPIPlanPtr enforce_plan = NULL;
static SPIPlanPtr invoiced_plan = NULL;
static bool plans_have_groups = false;	/* the ledger plans name group_path */
static Oid	invoiced_plan_type = InvalidOid;	/* its parameter's type */
/* enforce_plan passes document_value (the check menu is installed) */
static bool enforce_menu = false;

/*
 * The extension's schema, quoted for the queries, and its OID.  Checked
 * against the trigger function's schema at every call: when the extension
 * was dropped and created again in this backend, the plans and the cache
 * are those of the old schema and are dropped.
 */
static char *ext_schema = NULL;
static Oid	ext_namespace = InvalidOid;

static const char *const checkpoint_names[] = {
	[CREDIT_CHECK_NONE] = NULL,
	[CREDIT_CHECK_ORDER] = "order",
	[CREDIT_CHECK_DELIVERY] = "delivery",
};

/* drop a saved plan, if any */
static void
FreePlan(SPIPlanPtr *plan)
{
	if (*plan != NULL)
		SPI_freeplan(*plan);
	*plan = NULL;
}

/* the schema of the trigger function, i.e. the extension's; resets on a change */
static void
ResolveSchema(FunctionCallInfo fcinfo)
{
	Oid			namespace = get_func_namespace(fcinfo->flinfo->fn_oid);
	char	   *name;

	if (namespace == ext_namespace && ext_schema != NULL)
		return;
	if (!OidIsValid(namespace) || (name = get_namespace_name(namespace)) == NULL)
		elog(ERROR, "credit trigger: no schema for function %u", fcinfo->flinfo->fn_oid);
	FreePlan(&ledger_update_plan);
	FreePlan(&ledger_add_plan);
	FreePlan(&enforce_plan);
	FreePlan(&invoiced_plan);
	invoiced_plan_type = InvalidOid;
	CreditContextReset();
	if (ext_schema != NULL)
		pfree(ext_schema);
	ext_schema = MemoryContextStrdup(TopMemoryContext, quote_identifier(name));
	ext_namespace = namespace;
}

/*
 * Does the ledger have credit groups (column group_path, from 0.3.0)?  An
 * older schema under this library (an extension not updated yet) has none:
 * its plans must not name the column.  Two syscache lookups per call, so
 * that an ALTER EXTENSION UPDATE in this backend is seen at once.
 */
static bool
LedgerHasGroups(void)
{
	Oid			ledger = get_relname_relid("credit_exposure", ext_namespace);

	return OidIsValid(ledger) && get_attnum(ledger, "group_path") != InvalidAttrNumber;
}

/* the plans, prepared once (inside an SPI connection) */
static void
PreparePlans(FunctionCallInfo fcinfo)
{
	Oid			ledger_args[3] = {INT8OID, NUMERICOID, NUMERICOID};
	Oid			enforce_args[6] = {INT8OID, TEXTOID, NUMERICOID, NUMERICOID, TEXTOID, NUMERICOID};
	const char *schema;
	bool		groups;
	bool		menu;

	ResolveSchema(fcinfo);
	groups = LedgerHasGroups();
	if (groups != plans_have_groups)
	{
		FreePlan(&ledger_update_plan);
		FreePlan(&ledger_add_plan);
		plans_have_groups = groups;
	}
	/* credit_enforce() takes document_value from 0.3.0's SQL on */
	menu = CreditMenuInstalled(ext_namespace);
	if (enforce_plan != NULL && menu != enforce_menu)
		FreePlan(&enforce_plan);
	if (enforce_plan != NULL && ledger_update_plan != NULL && ledger_add_plan != NULL)
		return;
	schema = ext_schema;

	/*
	 * A customer outside any credit group is updated here; a member (or a
	 * missing row) goes through exposure_add(), which locks its group first.
	 */
	if (ledger_update_plan == NULL)
		ledger_update_plan = KeepSchemaPlan(schema,
											groups ?
											"UPDATE %1$s.credit_exposure x"
											" SET open_orders = x.open_orders + $2,"
											" shipped_not_invoiced = x.shipped_not_invoiced + $3"
											" WHERE x.customer_id = $1 AND x.group_path IS NULL"
											" RETURNING x.exposure, false" :
											"UPDATE %1$s.credit_exposure x"
											" SET open_orders = x.open_orders + $2,"
											" shipped_not_invoiced = x.shipped_not_invoiced + $3"
											" WHERE x.customer_id = $1 RETURNING x.exposure, false",
											3, ledger_args);
	if (ledger_add_plan == NULL)
		ledger_add_plan = KeepSchemaPlan(schema,
										 groups ?
										 "SELECT e.exposure, e.group_path IS NOT NULL"
										 " FROM %1$s.exposure_add($1, $2, $3, 0, 0) e" :
										 "SELECT e.exposure, false"
										 " FROM %1$s.exposure_add($1, $2, $3, 0, 0) e",
										 3, ledger_args);
	if (enforce_plan == NULL)
		enforce_plan = KeepSchemaPlan(schema,
									  menu ? "SELECT %1$s.credit_enforce($1, $2, $3, $4, $5, $6)"
									  : "SELECT %1$s.credit_enforce($1, $2, $3, $4, $5)",
									  menu ? 6 : 5, enforce_args);
	enforce_menu = menu;
}

/* run a saved plan, expecting at most one row; returns SPI_processed */
static uint64
RunPlan(SPIPlanPtr plan, Datum *values, const char *nulls)
{
	int			rc = SPI_execute_plan(plan, values, nulls, false, 1);

	if (rc < 0)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	return SPI_processed;
}

/* the first column of the first row returned (not NULL) */
static Datum
FirstValue(void)
{
	bool		isnull;
	Datum		d;

	if (SPI_processed != 1 || SPI_tuptable == NULL)
		elog(ERROR, "credit check query returned " UINT64_FORMAT " rows, expected 1", SPI_processed);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		elog(ERROR, "credit check query returned NULL");
	return d;
}

/*
 * Add the delta to the customer's ledger row; returns the exposure after,
 * and in *in_group whether the customer is in a credit group.
 */
static Numeric
AddToLedger(const CreditLedgerDelta *delta, bool *in_group)
{
	Datum		values[3];
	bool		isnull;

	values[0] = Int64GetDatum(delta->customer_id);
	values[1] = NumericGetDatum(delta->open_orders);
	values[2] = NumericGetDatum(delta->shipped_not_invoiced);
	if (RunPlan(ledger_update_plan, values, NULL) == 0)
		RunPlan(ledger_add_plan, values, NULL);
	*in_group = SPI_processed == 1 &&
		DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)) && !isnull;
	return DatumGetNumeric(FirstValue());
}

/* "order 103", or NULL when the id is NULL (the message then names none) */
static char *
SubjectText(const CreditSubject *subject)
{
	Oid			out;
	bool		varlena;

	if (subject->id_null)
		return NULL;
	getTypeOutputInfo(subject->id_type, &out, &varlena);
	return psprintf("%s %s", subject->kind, OidOutputFunctionCall(out, subject->id));
}

void
CreditLedgerRelease(FunctionCallInfo fcinfo, const CreditLedgerDelta *delta)
{
	CreditLedgerAddAndCheck(fcinfo, delta, NULL, 0, NULL);
}

void
CreditLedgerAddAndCheck(FunctionCallInfo fcinfo, const CreditLedgerDelta *delta,
						const CreditCheckRequest *checks, int nchecks,
						const CreditSubject *subject)
{
	Numeric		exposure;
	bool		in_group;
	int			i;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PreparePlans(fcinfo);

	exposure = AddToLedger(delta, &in_group);

	/*
	 * A restore (pg_dump's output sets check_function_bodies = off) writes
	 * rows that were accepted once: keep the ledger, check nothing.
	 */
	for (i = 0; i < nchecks && check_function_bodies; i++)
	{
		CreditCheckpoint checkpoint = checks[i].checkpoint;
		Datum		values[6];
		char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
		char	   *what;

		if (checkpoint == CREDIT_CHECK_NONE)
			continue;
		/* the cache knows the customer's own limit, not its group's */
		if (in_group ||
			CreditCheckMayAct(ext_schema, ext_namespace, delta->customer_id, checkpoint,
							  checkpoint_names[checkpoint], exposure, checks[i].document_value))
		{
			values[0] = Int64GetDatum(delta->customer_id);
			values[1] = CStringGetTextDatum(checkpoint_names[checkpoint]);
			values[2] = NumericGetDatum(exposure);
			values[3] = NumericGetDatum(checks[i].asked);
			what = SubjectText(subject);
			if (what != NULL)
				values[4] = CStringGetTextDatum(what);
			else
				nulls[4] = 'n';
			values[5] = NumericGetDatum(checks[i].document_value);
			RunPlan(enforce_plan, values, nulls);
		}
	}

	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
}

/*
 * The sum of the invoices naming an order.  The caller's statement has the
 * order row locked, and the invoice trigger locks it before it counts, so
 * under READ COMMITTED this fresh snapshot sees every invoice of the order
 * that will not wait for us; under REPEATABLE READ a newer invoice has
 * updated the ledger row this trigger updates next, which then fails with
 * 40001.
 */
Numeric
CreditOrderInvoiced(FunctionCallInfo fcinfo, Datum order_id, Oid order_id_type, int64 customer_id)
{
	Datum		values[2];
	Numeric		result;
	MemoryContext caller = CurrentMemoryContext;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PreparePlans(fcinfo);
	if (invoiced_plan != NULL && invoiced_plan_type != order_id_type)
		FreePlan(&invoiced_plan);
	if (invoiced_plan == NULL)
	{
		Oid			args[2];

		args[0] = order_id_type;
		args[1] = INT8OID;
		/*
		 * the order's customer too: the invoices of an order are its
		 * customer's, and on Citus the query must name the customer to be
		 * routed to its shard group
		 */
		invoiced_plan = KeepSchemaPlan(ext_schema,
									   "SELECT coalesce(sum(i.amount), 0)::numeric FROM %1$s.src_invoice i"
									   " WHERE i.order_id = $1 AND i.customer_id = $2",
									   2, args);
		invoiced_plan_type = order_id_type;
	}
	values[0] = order_id;
	values[1] = Int64GetDatum(customer_id);
	RunPlan(invoiced_plan, values, NULL);
	/* copy the result out of SPI memory before SPI_finish frees it */
	{
		MemoryContext spi = MemoryContextSwitchTo(caller);

		result = DatumGetNumericCopy(FirstValue());
		MemoryContextSwitchTo(spi);
	}
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	return result;
}
