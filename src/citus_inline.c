/*
 * citus_inline.c
 *		Inline LANGUAGE sql set-returning functions before Citus plans.
 *
 * Every view of the extension reads its sources through late-bound SQL
 * functions (src_*_rows(), sources/views.sql) and many compute through
 * others (credit_facts(), ar_figures(), class_members(), ...).  PostgreSQL
 * inlines such a function into the calling query when it plans it
 * (inline_set_returning_function() in the planner), so on a single node
 * they cost nothing.  Citus decides whether a query is distributed before
 * that: its planner hook looks for distributed tables in the query, finds a
 * function, hands the query to PostgreSQL's planner, and when that one has
 * inlined the function and a distributed table appears, Citus stops with
 * "parameterized queries for SQL functions referencing distributed tables
 * are not supported" (its distributed_planner.c).
 *
 * So this planner hook, which runs before Citus's when customer_class is
 * listed after citus in shared_preload_libraries, does the same inlining
 * first: it runs PostgreSQL's own preprocess_function_rtes() (simplify the
 * call, then inline_set_returning_function()) on every level of the query
 * that calls a SQL function in FROM, as the planner would have.  The query Citus then sees names the tables the functions
 * read.  A function PostgreSQL would not inline (STRICT, VOLATILE, an
 * argument with a sub-select, ...) is left alone, as it would be.
 *
 * Why not something else: rewriting the views at distribute time would
 * make a distributed database's catalog differ from the install script
 * (and an ALTER EXTENSION UPDATE would put the functions back); turning the
 * functions into PL/pgSQL would cost the single node the inlining (a view
 * filtered on one customer would compute all of them).
 *
 * The hook acts only in a database where the citus extension exists, and
 * only while customer_class.inline_before_citus is on (to compare, and as
 * a way out).  Elsewhere it passes the query on untouched.
 *
 * Plan invalidation: an inlined function leaves no trace in the plan, so
 * PostgreSQL records it in the plan's invalItems (and RLS in the calling
 * role); the function called here records into its own PlannerGlobal,
 * whose lists are added to the finished plan.
 */
#include "postgres.h"

#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "commands/extension.h"
#include "nodes/nodeFuncs.h"
#include "nodes/pathnodes.h"
#include "parser/parsetree.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "optimizer/planner.h"
#include "optimizer/prep.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "citus_inline.h"
#include "citus_tenant.h"
#include "citus_write_date.h"

static planner_hook_type prev_planner_hook = NULL;
static bool inline_before_citus = true;

/*
 * Is this range table entry a call of one LANGUAGE sql set-returning
 * function, the only kind inline_set_returning_function() can inline?
 * (A cheap first look: it decides the rest itself.)
 */
static bool
is_sql_srf_call(RangeTblEntry *rte)
{
	RangeTblFunction *rtfunc;
	FuncExpr   *fexpr;
	HeapTuple	tuple;
	bool		result;

	if (rte->rtekind != RTE_FUNCTION || rte->funcordinality ||
		list_length(rte->functions) != 1)
		return false;
	rtfunc = linitial_node(RangeTblFunction, rte->functions);
	if (!IsA(rtfunc->funcexpr, FuncExpr))
		return false;
	fexpr = (FuncExpr *) rtfunc->funcexpr;
	if (!fexpr->funcretset)
		return false;
	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fexpr->funcid));
	if (!HeapTupleIsValid(tuple))
		return false;
	result = ((Form_pg_proc) GETSTRUCT(tuple))->prolang == SQLlanguageId;
	ReleaseSysCache(tuple);
	return result;
}

/* does the query, at any level, call a SQL set-returning function in FROM? */
static bool
has_sql_srf_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		Query	   *query = (Query *) node;
		ListCell   *lc;

		foreach(lc, query->rtable)
		{
			if (is_sql_srf_call(lfirst_node(RangeTblEntry, lc)))
				return true;
		}
		return query_tree_walker(query, has_sql_srf_walker, context, 0);
	}
	return expression_tree_walker(node, has_sql_srf_walker, context);
}

/*
 * Give the inlined body's output columns the names the caller knows them
 * by (the function's OUT parameters, or the caller's column aliases):
 * PostgreSQL resolves columns by position, but Citus deparses the query to
 * SQL for the workers, where a column is found by the name in its body's
 * SELECT list.
 */
static void
name_columns_as_called(Query *body, List *colnames)
{
	ListCell   *tl;
	ListCell   *cn = list_head(colnames);

	foreach(tl, body->targetList)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, tl);

		if (tle->resjunk)
			continue;
		if (cn == NULL)
			break;
		/* a dropped column of a composite result is named "" */
		if (strVal(lfirst(cn))[0] != '\0')
			tle->resname = pstrdup(strVal(lfirst(cn)));
		cn = lnext(colnames, cn);
	}
}

/*
 * Arguments computed by a sub-select.  The views take their date as
 * (SELECT report_date()), so that Citus computes it once on the coordinator
 * (docs/citus.md), and pass it to a function either directly or through a
 * one-row subquery in the same FROM:
 *
 *     FROM (SELECT (SELECT report_date()) AS d) rd
 *     CROSS JOIN LATERAL class_members(rd.d) m
 *
 * PostgreSQL does not inline a call whose arguments hold a sub-select, and
 * inlines the second form with the body referring to rd laterally, which
 * Citus cannot push down (a lateral reference into a UNION, say).  So for
 * Citus an argument that is, once rd's columns are replaced by what they
 * stand for, an uncorrelated sub-select without volatile functions (the
 * same value wherever it is evaluated in the statement) goes into the body
 * itself: the call is inlined with a placeholder in its place, which is
 * then replaced by the sub-select; Citus evaluates it on the coordinator.
 */
typedef struct ArgPlaceholders
{
	List	   *exprs;			/* the argument behind placeholder -(i + 1) */
	int			shown;			/* placeholders replaced so far */
} ArgPlaceholders;

/* does the expression refer to a query level outside itself? */
static bool
correlated_walker(Node *node, int *depth)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var))
		return ((Var *) node)->varlevelsup >= (Index) *depth;
	if (IsA(node, Aggref))
		return ((Aggref *) node)->agglevelsup >= (Index) *depth;
	if (IsA(node, PlaceHolderVar) || IsA(node, GroupingFunc))
		return true;
	if (IsA(node, Query))
	{
		bool		result;

		(*depth)++;
		result = query_tree_walker((Query *) node, correlated_walker, depth, 0);
		(*depth)--;
		return result;
	}
	return expression_tree_walker(node, correlated_walker, depth);
}

/*
 * A Var of a one-row subquery of the same FROM without a FROM of its own
 * (rd above): the expression it stands for; else NULL.  The subquery may
 * say OFFSET 0, as the views do to keep a single node from pulling it up:
 * PostgreSQL would put the sub-select in place of rd.d in the inlined
 * body, and then not inline the functions that body calls with it.
 */
static Node *
one_row_column(Query *query, Var *var)
{
	RangeTblEntry *rte;
	Query	   *sub;
	TargetEntry *tle;

	if (var->varlevelsup != 0 || var->varattno <= 0 ||
		var->varno > (Index) list_length(query->rtable))
		return NULL;
	rte = rt_fetch(var->varno, query->rtable);
	if (rte->rtekind != RTE_SUBQUERY)
		return NULL;
	sub = rte->subquery;
	if (sub->rtable != NIL || sub->jointree->quals != NULL || sub->setOperations != NULL ||
		sub->hasAggs || sub->hasWindowFuncs || sub->hasTargetSRFs || sub->groupClause != NIL ||
		sub->havingQual != NULL || sub->limitCount != NULL || sub->cteList != NIL)
		return NULL;
	if (sub->limitOffset != NULL)
	{
		/* (the parser leaves OFFSET 0 as a cast of the integer to bigint) */
		Node	   *offset = eval_const_expressions(NULL, copyObject(sub->limitOffset));

		if (!IsA(offset, Const) || ((Const *) offset)->constisnull ||
			DatumGetInt64(((Const *) offset)->constvalue) != 0)
			return NULL;
	}
	tle = get_tle_by_resno(sub->targetList, var->varattno);
	if (tle == NULL || tle->resjunk)
		return NULL;
	return (Node *) tle->expr;
}

typedef struct OneRowContext
{
	Query	   *query;
	bool		ok;				/* every Var of the level was replaced */
	bool		replaced;		/* some Var was */
} OneRowContext;

static Node *
one_row_mutator(Node *node, OneRowContext *cxt)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Var) && ((Var *) node)->varlevelsup == 0)
	{
		Node	   *expr = one_row_column(cxt->query, (Var *) node);

		if (expr == NULL)
		{
			cxt->ok = false;
			return node;
		}
		cxt->replaced = true;
		return copyObject(expr);
	}
	/* (Vars inside a sub-select of the argument are that query's own) */
	if (IsA(node, SubLink))
		return node;
	return expression_tree_mutator(node, one_row_mutator, cxt);
}

/*
 * Replace the sub-select arguments of a call by placeholders (see above);
 * returns the call's original arguments when it changed any, else NIL.
 */
static List *
hide_subselect_args(Query *query, RangeTblEntry *rte, ArgPlaceholders *ph)
{
	FuncExpr   *fexpr = (FuncExpr *) linitial_node(RangeTblFunction, rte->functions)->funcexpr;
	List	   *original = fexpr->args;
	List	   *args = NIL;
	bool		changed = false;
	ListCell   *lc;

	foreach(lc, original)
	{
		Node	   *arg = lfirst(lc);
		OneRowContext cxt = {query, true, false};
		Node	   *expr = one_row_mutator(copyObject(arg), &cxt);
		int			depth = 0;

		if (cxt.ok && !contain_volatile_functions(expr) && !correlated_walker(expr, &depth))
		{
			if (contain_subplans(expr))
			{
				Param	   *param = makeNode(Param);

				param->paramkind = PARAM_EXTERN;
				ph->exprs = lappend(ph->exprs, expr);
				param->paramid = -list_length(ph->exprs);
				param->paramtype = exprType(arg);
				param->paramtypmod = exprTypmod(arg);
				param->paramcollid = exprCollation(arg);
				param->location = -1;
				arg = (Node *) param;
				changed = true;
			}
			else if (cxt.replaced)
			{
				/*
				 * No sub-select, but a column of the one-row subquery: what
				 * it stands for, so that the body does not refer to that
				 * subquery laterally (Citus pushes down no lateral reference
				 * to a subquery without FROM kept apart by OFFSET 0)
				 */
				arg = expr;
				changed = true;
			}
		}
		args = lappend(args, arg);
	}
	if (!changed)
		return NIL;
	fexpr->args = args;
	return original;
}

static Node *
show_subselect_args_mutator(Node *node, ArgPlaceholders *ph)
{
	if (node == NULL)
		return NULL;
	/* (only ours are negative: the parser numbers parameters from 1) */
	if (IsA(node, Param) && ((Param *) node)->paramkind == PARAM_EXTERN &&
		((Param *) node)->paramid < 0 &&
		-((Param *) node)->paramid <= list_length(ph->exprs))
	{
		ph->shown++;
		return copyObject(list_nth(ph->exprs, -((Param *) node)->paramid - 1));
	}
	if (IsA(node, Query))
	{
		int			before = ph->shown;
		Query	   *query = query_tree_mutator((Query *) node, show_subselect_args_mutator, ph, 0);

		/* the planner looks for sub-selects only in a query that says it has some */
		if (ph->shown != before)
			query->hasSubLinks = true;
		return (Node *) query;
	}
	return expression_tree_mutator(node, show_subselect_args_mutator, ph);
}

/*
 * Inline the functions of each level, then walk into what they became: an
 * inlined body may call further functions (a view over src_invoice_rows(),
 * say), inlined in turn.  Each level goes through the planner's own
 * preprocess_function_rtes(), which first simplifies the call (filling in
 * default arguments: before that a call has fewer arguments than the
 * function and is not inlined) and converts the entry as the planner does.
 */
static bool
inline_walker(Node *node, PlannerInfo *root)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		Query	   *query = (Query *) node;
		List	   *calls = NIL;
		ListCell   *lc;

		foreach(lc, query->rtable)
		{
			RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

			if (is_sql_srf_call(rte))
				calls = lappend(calls, rte);
		}
		if (calls != NIL)
		{
			ArgPlaceholders ph = {NIL, 0};
			List	   *originals = NIL;
			ListCell   *oc;

			foreach(lc, calls)
				originals = lappend(originals,
									hide_subselect_args(query, lfirst_node(RangeTblEntry, lc), &ph));
			root->parse = query;
			preprocess_function_rtes(root);
			forboth(lc, calls, oc, originals)
			{
				RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

				if (rte->rtekind == RTE_SUBQUERY)
				{
					name_columns_as_called(rte->subquery, rte->eref->colnames);
					if (lfirst(oc) != NIL)
						rte->subquery = (Query *) show_subselect_args_mutator((Node *) rte->subquery, &ph);
				}
				else if (lfirst(oc) != NIL)
				{
					/*
					 * Not inlined after all: the call as it was.  The
					 * planner simplified the call (a new FuncExpr); should
					 * it have become something else, the placeholders in it
					 * are replaced instead, never left for the executor.
					 */
					RangeTblFunction *rtfunc = linitial_node(RangeTblFunction, rte->functions);

					if (IsA(rtfunc->funcexpr, FuncExpr))
						((FuncExpr *) rtfunc->funcexpr)->args = lfirst(oc);
					else
						rtfunc->funcexpr = show_subselect_args_mutator(rtfunc->funcexpr, &ph);
				}
			}
			list_free(calls);
		}
		return query_tree_walker(query, inline_walker, root, 0);
	}
	return expression_tree_walker(node, inline_walker, root);
}

static PlannedStmt *
citus_inline_planner(Query *parse, const char *query_string, int cursorOptions,
					 ParamListInfo boundParams)
{
	PlannerGlobal *glob = NULL;
	PlannedStmt *result;

	/* a write on Citus must carry its date to the workers */
	CheckCitusWriteDate(parse);

	if (inline_before_citus &&
		has_sql_srf_walker((Node *) parse, NULL) &&
		OidIsValid(get_extension_oid("citus", true)))
	{
		PlannerInfo *root = makeNode(PlannerInfo);

		glob = makeNode(PlannerGlobal);
		glob->boundParams = boundParams;
		root->glob = glob;
		root->parse = parse;
		root->query_level = 1;
		inline_walker((Node *) parse, root);
	}

	/* the 'tenant' shape: every table of it filtered by the session's company */
	AddCompanyFilters(parse);

	if (prev_planner_hook)
		result = prev_planner_hook(parse, query_string, cursorOptions, boundParams);
	else
		result = standard_planner(parse, query_string, cursorOptions, boundParams);

	/* the dependencies the inlined functions left (see the file header) */
	if (glob != NULL)
	{
		result->invalItems = list_concat(result->invalItems, glob->invalItems);
		result->dependsOnRole = result->dependsOnRole || glob->dependsOnRole;
	}
	return result;
}

void
InstallCitusInline(void)
{
	DefineCustomBoolVariable("customer_class.inline_before_citus",
							 "Inline LANGUAGE sql set-returning functions before Citus plans a query.",
							 "Only in a database with the citus extension, and only when customer_class "
							 "is loaded after citus in shared_preload_libraries.",
							 &inline_before_citus,
							 true,
							 PGC_USERSET,
							 0,
							 NULL,
							 NULL,
							 NULL);
	prev_planner_hook = planner_hook;
	planner_hook = citus_inline_planner;
}
