/*
 * citus_tenant.c
 *		Filter every table of the 'tenant' shape by the session's company.
 *
 * In the 'tenant' shape (docs/citus.md) the extension's tables, and the
 * ERP's tables bound as its sources, are distributed by the company and
 * colocated.  The extension's SQL joins them on customer_id, which Citus
 * cannot do across shards; but a query in which every distributed table is
 * filtered by company = a constant is pruned to one shard group and sent
 * whole to it, whatever its form (a router query).  So when the session
 * names its company (customer_class.company, company.c), this adds
 * "t.<distribution column> = <company>" for every table t of the shape, at
 * every level of the query, after the extension's SQL functions have been
 * inlined (citus_inline.c).  The user's SQL, the views and the functions
 * stay as a single node runs them.
 *
 * The filter must be a constant: with a STABLE function in its place Citus
 * prunes nothing, and evaluates the function on the workers, which do not
 * see the session's setting (measured, docs/citus.md).  Cached plans are
 * reset when the setting changes (company.c).
 *
 * Where the filter goes matters for outer joins.  A table reached only
 * through inner joins is filtered in the WHERE (or the inner join's ON).
 * A table on the nullable side of a LEFT or RIGHT join is filtered in that
 * join's ON clause: its rows of other companies then do not match.  On
 * either side of a FULL join neither place is right (an ON clause there
 * filters nothing out), so the table becomes a sub-select of itself with
 * the filter, which the planner pulls up again.
 *
 * Which tables: those hash-distributed in the colocation group of the
 * extension's profile table when that one is distributed by company_id,
 * each by its own distribution column (a bound ERP table may call its
 * company otherwise).  Citus's metadata says so (citus_meta.c); the
 * answers are cached per relation until a relcache invalidation.
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_oper.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "citus_meta.h"
#include "citus_tenant.h"
#include "company.h"

typedef struct TenantEntry
{
	Oid			relid;			/* hash key */
	AttrNumber	attno;			/* its distribution column; 0: not of the shape */
} TenantEntry;

static HTAB *tenant_cache = NULL;
static bool cache_stale = true;
/* the shape's colocation group; -1: not the 'tenant' shape */
static int32 shape_colocation = -1;

static void
tenant_cache_invalidate(Datum arg, Oid relid)
{
	/* (Citus invalidates a table's relcache entry when its metadata changes) */
	cache_stale = true;
}

void
InstallCitusTenantCache(void)
{
	CacheRegisterRelcacheCallback(tenant_cache_invalidate, (Datum) 0);
}

/* (re)build the cache and find the shape's colocation group */
static void
refresh_cache(void)
{
	HASHCTL		ctl;
	/* (the extension's schema is fixed: customer_class.control) */
	Oid			schema = get_namespace_oid("customer_class", true);
	Oid			profile = InvalidOid;

	/* (first: an invalidation that arrives while this reads counts) */
	cache_stale = false;
	if (tenant_cache != NULL)
		hash_destroy(tenant_cache);
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(TenantEntry);
	ctl.hcxt = CacheMemoryContext;
	tenant_cache = hash_create("customer_class tenant tables", 64, &ctl,
							   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	shape_colocation = -1;
	if (OidIsValid(schema))
		profile = get_relname_relid("profile", schema);
	if (OidIsValid(profile))
	{
		int32		colocation;
		AttrNumber	attno;
		char	   *name;

		CitusTableInfo(profile, &attno, &colocation);
		name = attno > 0 ? get_attname(profile, attno, true) : NULL;

		if (name != NULL && strcmp(name, "company_id") == 0)
			shape_colocation = colocation;
	}
}

/* the relation's company column when it is a table of the shape, else 0 */
static AttrNumber
tenant_column(Oid relid)
{
	TenantEntry *entry;
	bool		found;

	if (cache_stale || tenant_cache == NULL)
		refresh_cache();
	if (shape_colocation < 0)
		return 0;
	entry = hash_search(tenant_cache, &relid, HASH_FIND, &found);
	if (!found)
	{
		int32		colocation;
		AttrNumber	attno;

		CitusTableInfo(relid, &attno, &colocation);
		/* (entered only now: the lookup may fail) */
		entry = hash_search(tenant_cache, &relid, HASH_ENTER, &found);
		entry->attno = (attno > 0 && colocation == shape_colocation) ? attno : 0;
	}
	return entry->attno;
}

/* "var = company", the operator looked up in pg_catalog only */
static Node *
company_filter(Oid relid, Index varno, AttrNumber attno, int64 company)
{
	Oid			type;
	int32		typmod;
	Oid			collid;
	Var		   *var;
	Const	   *value;
	ParseState *pstate;
	Node	   *filter;

	get_atttypetypmodcoll(relid, attno, &type, &typmod, &collid);
	var = makeVar(varno, attno, type, typmod, collid, 0);
	value = makeConst(INT8OID, -1, InvalidOid, sizeof(int64), Int64GetDatum(company), false,
					  FLOAT8PASSBYVAL);
	pstate = make_parsestate(NULL);
	filter = (Node *) make_op(pstate, list_make2(makeString("pg_catalog"), makeString("=")),
							  (Node *) var, (Node *) value, NULL, -1);
	free_parsestate(pstate);
	return filter;
}

static Node *
and_qual(Node *quals, Node *filter)
{
	if (quals == NULL)
		return filter;
	return (Node *) make_andclause(list_make2(quals, filter));
}

/*
 * A table on a side of a FULL join: make it a sub-select of itself with the
 * filter, its columns in their places (a dropped one as a null), so that
 * the Vars that name it still do.
 */
static void
wrap_relation(Query *query, int rti, AttrNumber attno, int64 company)
{
	RangeTblEntry *rte = rt_fetch(rti, query->rtable);
	Query	   *sub = makeNode(Query);
	RangeTblEntry *inner = copyObject(rte);
	RangeTblRef *ref = makeNode(RangeTblRef);
	Relation	rel = table_open(rte->relid, NoLock);
	TupleDesc	desc = RelationGetDescr(rel);
	List	   *tlist = NIL;

	ref->rtindex = 1;
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Expr	   *expr;

		if (att->attisdropped)
			expr = (Expr *) makeNullConst(INT4OID, -1, InvalidOid);
		else
			expr = (Expr *) makeVar(1, att->attnum, att->atttypid, att->atttypmod,
									att->attcollation, 0);
		tlist = lappend(tlist, makeTargetEntry(expr, i + 1,
											   att->attisdropped ? pstrdup("") : pstrdup(NameStr(att->attname)),
											   false));
	}
	table_close(rel, NoLock);
	sub->commandType = CMD_SELECT;
	sub->canSetTag = true;
	sub->rtable = list_make1(inner);
	sub->jointree = makeFromExpr(list_make1(ref), company_filter(rte->relid, 1, attno, company));
	sub->targetList = tlist;
	/*
	 * The row-level security quals the rewriter attached to the table go
	 * with it, their Vars renumbered to its place inside (they may hold
	 * sub-selects: the policies read access_query() in one)
	 */
	if (inner->securityQuals != NIL)
	{
		ChangeVarNodes((Node *) inner->securityQuals, rti, 1, 0);
		sub->hasSubLinks = checkExprHasSubLink((Node *) inner->securityQuals);
		sub->hasRowSecurity = true;
	}

	/* the outer entry keeps its alias and column names; checks move inside */
	rte->rtekind = RTE_SUBQUERY;
	rte->subquery = sub;
	rte->relid = InvalidOid;
	rte->relkind = 0;
	rte->rellockmode = 0;
	rte->tablesample = NULL;
	rte->inh = false;
	rte->requiredPerms = 0;
	rte->checkAsUser = InvalidOid;
	rte->selectedCols = NULL;
	rte->insertedCols = NULL;
	rte->updatedCols = NULL;
	rte->extraUpdatedCols = NULL;
	rte->securityQuals = NIL;
}

/*
 * Place the filters of the tables under a join tree node: *target is where
 * a table that no outer join makes nullable here is filtered.
 */
static void
place_filters(Query *query, Node *node, Node **target, bool full_side, int64 company)
{
	if (node == NULL)
		return;
	if (IsA(node, RangeTblRef))
	{
		int			rti = ((RangeTblRef *) node)->rtindex;
		RangeTblEntry *rte = rt_fetch(rti, query->rtable);
		AttrNumber	attno;

		if (rte->rtekind != RTE_RELATION)
			return;
		attno = tenant_column(rte->relid);
		if (attno == 0)
			return;
		if (full_side)
			wrap_relation(query, rti, attno, company);
		else
			*target = and_qual(*target, company_filter(rte->relid, rti, attno, company));
	}
	else if (IsA(node, FromExpr))
	{
		FromExpr   *from = (FromExpr *) node;
		ListCell   *lc;

		foreach(lc, from->fromlist)
			place_filters(query, lfirst(lc), target, full_side, company);
	}
	else if (IsA(node, JoinExpr))
	{
		JoinExpr   *join = (JoinExpr *) node;

		switch (join->jointype)
		{
			case JOIN_INNER:
				place_filters(query, join->larg, &join->quals, full_side, company);
				place_filters(query, join->rarg, &join->quals, full_side, company);
				break;
			case JOIN_LEFT:
				place_filters(query, join->larg, target, full_side, company);
				place_filters(query, join->rarg, &join->quals, full_side, company);
				break;
			case JOIN_RIGHT:
				place_filters(query, join->larg, &join->quals, full_side, company);
				place_filters(query, join->rarg, target, full_side, company);
				break;
			default:
				/* FULL (and anything else): each side filtered by itself */
				place_filters(query, join->larg, target, true, company);
				place_filters(query, join->rarg, target, true, company);
				break;
		}
	}
}

static bool
filter_walker(Node *node, int64 *company)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		Query	   *query = (Query *) node;

		/* first the levels below, so that a table wrapped here is not seen twice */
		query_tree_walker(query, filter_walker, company, 0);
		/*
		 * The FROM of a SELECT, and of an UPDATE or DELETE, whose target is
		 * in it; an INSERT's target is not (its company comes with the row:
		 * the column's default, or the trigger's row).
		 */
		if (query->jointree != NULL)
			place_filters(query, (Node *) query->jointree, &query->jointree->quals, false, *company);
		return false;
	}
	return expression_tree_walker(node, filter_walker, company);
}

void
AddCompanyFilters(Query *parse)
{
	int64		company;

	if (!CurrentCompany(&company) || !OidIsValid(get_extension_oid("citus", true)))
		return;
	filter_walker((Node *) parse, &company);
}
