/*
 * spi_plan.c
 *		Saved SPI plans over the extension's schema (see spi_plan.h).
 *
 * Both the ledger and check of credit_check.c and the context cache of
 * credit_context.c keep plans; the helper lives here so that neither file
 * calls into the other for it (credit_check.c calls credit_context.c, never
 * the other way round).
 */
#include "postgres.h"

#include "executor/spi.h"
#include "nodes/parsenodes.h"

#include "as_of.h"
#include "spi_plan.h"

/*
 * Prepare and keep one plan; %1$s in the query is the extension's schema.
 * The generic plan: a custom plan per call would plan the inlined
 * credit_context() again every time, which costs more than running it.
 * Except on a Citus worker (a trigger on a shard): there Citus must see the
 * customer's id to route each query to the shard group it is on, which a
 * generic plan of these queries does not let it do ("could not create
 * distributed plan"), so each call is planned with its values.
 */
SPIPlanPtr
KeepSchemaPlan(const char *schema, const char *query_fmt, int nargs, Oid *argtypes)
{
	char	   *query = psprintf(query_fmt, schema);
	SPIPlanPtr	plan = SPI_prepare_cursor(query, nargs, argtypes,
										  InCitusWorkerQuery() ? CURSOR_OPT_CUSTOM_PLAN : CURSOR_OPT_GENERIC_PLAN);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", query, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	pfree(query);
	return plan;
}
