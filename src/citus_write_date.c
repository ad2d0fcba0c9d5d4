/*
 * citus_write_date.c
 *		Refuse a write on Citus whose credit checks would not see the
 *		session's as-of date.
 *
 * On a single node the triggers of a write -- the credit checks, the
 * exposure ledger -- read the session's customer_class.as_of (empty: the
 * current date).  On Citus they run on the workers, in connections the
 * coordinator opened, which do not see a session's SET; only a SET LOCAL
 * made while citus.propagate_set_commands is 'local' reaches them.  There
 * an empty setting in a write means the current date (as_of.c), as on a
 * single node.  So a write made while the session has another date set,
 * not propagated, would be checked as of today on the workers and as of
 * the set date on a single node: a silent difference.  It is refused
 * instead, on the coordinator, before Citus plans it (from the planner
 * hook, citus_inline.c).
 *
 * Which writes: INSERT, UPDATE, DELETE and MERGE on a table in Citus's
 * metadata, at the top of the statement or in a WITH.  COPY does not go
 * through the planner and is not checked: docs/citus.md says so.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "commands/extension.h"
#include "nodes/nodeFuncs.h"
#include "parser/parsetree.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
#include "utils/lsyscache.h"

#include "as_of.h"
#include "citus_meta.h"
#include "citus_write_date.h"

/* does the statement, or one of its WITH queries, write to a Citus table? */
static bool
writes_citus_table(Query *query)
{
	ListCell   *lc;

	if (query->commandType != CMD_SELECT && query->resultRelation > 0 &&
		CitusTableInfo(rt_fetch(query->resultRelation, query->rtable)->relid, NULL, NULL))
		return true;
	foreach(lc, query->cteList)
	{
		CommonTableExpr *cte = lfirst_node(CommonTableExpr, lc);

		if (IsA(cte->ctequery, Query) && writes_citus_table((Query *) cte->ctequery))
			return true;
	}
	return false;
}

/*
 * Is the session's as-of date, when set, one the workers see?  Only a value
 * set by SET LOCAL (the top entry of the setting's stack says so) while
 * Citus propagates SET LOCAL.
 */
static bool
as_of_reaches_workers(void)
{
	const char *propagate = GetConfigOption("citus.propagate_set_commands", true, false);
	struct config_generic **vars = get_guc_variables();
	int			n = GetNumConfigOptions();

	if (propagate == NULL || strcmp(propagate, "local") != 0)
		return false;
	for (int i = 0; i < n; i++)
	{
		if (strcmp(vars[i]->name, "customer_class.as_of") != 0)
			continue;
		return vars[i]->stack != NULL &&
			(vars[i]->stack->state == GUC_LOCAL || vars[i]->stack->state == GUC_SET_LOCAL);
	}
	return false;
}

void
CheckCitusWriteDate(Query *parse)
{
	const char *as_of = GetConfigOption("customer_class.as_of", true, false);

	if (as_of == NULL || as_of[0] == '\0')
		return;
	if (parse->commandType == CMD_SELECT && !parse->hasModifyingCTE)
		return;
	/* on a worker the coordinator has decided already (and shards are not Citus tables) */
	if (InCitusWorkerQuery() || !OidIsValid(get_extension_oid("citus", true)))
		return;
	if (as_of_reaches_workers() || !writes_citus_table(parse))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("customer_class.as_of is set in this session, but the Citus workers that check this write do not see it"),
			 errdetail("The credit checks of a write to a distributed table run on the workers, which would check it as of the current date, not %s.",
					   as_of),
			 errhint("Set the date in a transaction with SET LOCAL customer_class.as_of = '%s' after SET citus.propagate_set_commands = 'local', or RESET customer_class.as_of to write as of today.",
					 as_of)));
}
