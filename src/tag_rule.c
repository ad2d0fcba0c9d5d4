/*
 * tag_rule.c
 *	  Validation and normalisation of rule-based tag conditions.
 *
 * An admin writes a condition such as
 *		tags @@ 'industry.construction' AND overdue_invoices >= 2
 * over the columns of customer_class.rule_subject.  refresh() later
 * evaluates every condition with the privileges of whoever runs it (an
 * analyst, a pg_cron job), so a condition must not be able to read or do
 * anything beyond computing over the rule_subject row: otherwise a rule
 * author could run SQL with more privileges than their own.
 *
 * tag_rule_normalize() therefore parses and analyses the condition as the
 * database would, lets the database's own errors through, then walks the
 * analysed expression and allows only a small, closed set of constructs:
 * columns of rule_subject, constants, immutable built-in functions and
 * operators, the extension's own non-volatile functions and the SQL value
 * functions (current_date ...).  What it returns is the analysed expression
 * deparsed with every non-catalog object schema-qualified: that text, never
 * the author's, is what refresh() evaluates.
 *
 * refresh() calls tag_rule_normalize() again on the author's text before
 * every evaluation, as whoever runs refresh(), so the validation itself must
 * not run anything the author controls: parsing runs the input functions of
 * the types constants are coerced to, and a composite type or domain the
 * author owns (and may have altered since the rule was saved) runs the
 * author's code from its CHECK constraints.  Three layers keep that out:
 *
 *	1. before parse analysis, the raw parse tree is checked: no subqueries,
 *	   every qualified type, function or operator name is in pg_catalog or
 *	   customer_class, and every type named is built in or the extension's.
 *	   Unqualified names resolve with search_path = customer_class,
 *	   pg_catalog, pg_temp, where the author can create nothing (functions
 *	   and operators are never looked up in pg_temp), so constants can only
 *	   be coerced to built-in or extension types;
 *	2. parsing, analysis, the check and the deparse run as the role
 *	   customer_class_rule_checker (NOLOGIN, no privileges, checked here) in
 *	   a security-restricted operation, as PostgreSQL runs index expressions
 *	   and materialised view queries for maintenance: should anything slip
 *	   through, it runs with no privileges, cannot SET ROLE back to the
 *	   caller, and every setting it changes is discarded afterwards;
 *	3. the analysed expression is walked, and every node's result type, not
 *	   only constants, must be built in or the extension's, every function
 *	   and operator built-in immutable or the extension's.
 */
#include "postgres.h"

#include "access/transam.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "parser/analyze.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_node.h"
#include "parser/parse_type.h"
#include "parser/parser.h"
#include "parser/parsetree.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/ruleutils.h"
#include "utils/catcache.h"
#include "utils/syscache.h"

#define RULE_SCHEMA		"customer_class"
#define RULE_SUBJECT	"rule_subject"
/* the unprivileged role conditions are parsed and checked as (00_roles.sql) */
#define RULE_CHECKER	"customer_class_rule_checker"

/*
 * The condition is analysed as the single target of this query.  The
 * newline before the closing parenthesis keeps a trailing "--" comment in
 * the condition from swallowing the rest of the query; the shape of the
 * parse tree is checked anyway.
 */
#define RULE_PREFIX		"SELECT ("
#define RULE_SUFFIX		"\n) FROM " RULE_SCHEMA "." RULE_SUBJECT

/* search_path while the author's text is resolved: no schema prefixes needed */
#define ANALYSE_SEARCH_PATH "customer_class, pg_catalog, pg_temp"
/*
 * search_path while deparsing: the one apply_tag_rules() evaluates under, so
 * that whatever it would not find by name comes out schema-qualified.
 */
#define DEPARSE_SEARCH_PATH "pg_catalog, pg_temp"

#define RULE_HINT \
	"Rule conditions may use the columns of customer_class.rule_subject, constants, " \
	"immutable built-in functions and operators, the extension's functions and current_date; " \
	"compare dates with the as_of column or as_of()."

typedef struct RuleCheckContext
{
	ParseState *pstate;			/* for error positions */
	Oid			extoid;			/* the customer_class extension */
	Oid			selfoid;		/* tag_rule_normalize itself */
} RuleCheckContext;

typedef struct RuleErrorInfo
{
	const char *condition;		/* the author's text */
	int			prefix_chars;	/* characters before it in the query */
	int			condition_chars;	/* its length in characters */
} RuleErrorInfo;

/*
 * Errors raised while parsing the wrapped query carry a position in that
 * query; move it into the author's condition, reported as the internal
 * query, so that psql points at the right character of what was written.
 */
static void
RuleConditionErrorCallback(void *arg)
{
	RuleErrorInfo *info = (RuleErrorInfo *) arg;
	int			pos = geterrposition();

	if (pos <= 0)
		return;
	pos -= info->prefix_chars;
	if (pos < 1)
		pos = 1;
	if (pos > info->condition_chars + 1)
		pos = info->condition_chars + 1;
	errposition(0);
	internalerrposition(pos);
	internalerrquery(info->condition);
}

/*
 * A type may appear in a condition when it is built in or belongs to the
 * extension (arrays: when their element type may): the text of a constant
 * is fed to the type's input function again when refresh() evaluates the
 * condition, with the privileges of whoever runs refresh(), and a value's
 * type brings its output, comparison and domain-check code along.  The
 * author can alter neither kind.
 */
static bool
RuleTypeAllowed(Oid typid, Oid extoid)
{
	while (OidIsValid(typid))
	{
		Oid			elem;

		if (typid < FirstNormalObjectId)
			return true;
		if (getExtensionOfObject(TypeRelationId, typid) == extoid)
			return true;
		elem = get_element_type(typid);
		if (!OidIsValid(elem))
			return false;
		typid = elem;
	}
	return false;
}

/*
 * The function rule: built-in and IMMUTABLE (its result depends on its
 * arguments alone, so it reads nothing), or one of the extension's own
 * functions that is not VOLATILE (they compute over the extension's data,
 * which the rule_subject row comes from anyway).  Set-returning functions
 * never: a condition is one value per customer.  what names the function
 * or operator in the message.
 */
static void
CheckRuleFunction(RuleCheckContext *cxt, Oid funcid, const char *what,
				  int location)
{
	char		volatility = func_volatile(funcid);
	const char *detail = NULL;

	if (get_func_retset(funcid))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s is not allowed in a tag rule condition", what),
				 errdetail("It returns a set; a condition is one value per customer."),
				 errhint(RULE_HINT),
				 parser_errposition(cxt->pstate, location)));

	if (funcid < FirstNormalObjectId)
	{
		if (volatility == PROVOLATILE_IMMUTABLE)
			return;
		detail = volatility == PROVOLATILE_STABLE ?
			"It is a stable built-in function: its result may depend on database contents or settings." :
			"It is a volatile built-in function.";
	}
	else if (funcid == cxt->selfoid)
	{
		/* it would analyse customer data as SQL */
		detail = "It parses its argument as SQL.";
	}
	else if (getExtensionOfObject(ProcedureRelationId, funcid) == cxt->extoid)
	{
		if (volatility != PROVOLATILE_VOLATILE)
			return;
		detail = "It is a volatile function of the customer_class extension.";
	}
	else
		detail = "It is neither built in nor part of the customer_class extension, "
			"and would run with the privileges of whoever runs refresh().";

	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("%s is not allowed in a tag rule condition", what),
			 errdetail("%s", detail),
			 errhint(RULE_HINT),
			 parser_errposition(cxt->pstate, location)));
}

/*
 * An operator must itself be built in or the extension's, not only its
 * function: the deparsed condition names the operator, and refresh() looks
 * it up by that name again.
 */
static void
CheckRuleOperator(RuleCheckContext *cxt, Oid opno, Oid opfuncid, int location)
{
	char	   *what = psprintf("operator %s", format_operator(opno));

	if (opno >= FirstNormalObjectId &&
		getExtensionOfObject(OperatorRelationId, opno) != cxt->extoid)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("%s is not allowed in a tag rule condition", what),
				 errdetail("It is neither built in nor part of the customer_class extension."),
				 errhint(RULE_HINT),
				 parser_errposition(cxt->pstate, location)));
	CheckRuleFunction(cxt, opfuncid, what, location);
}

/* check_functions_in_node() callback for type I/O functions of casts */
typedef struct IOCheck
{
	RuleCheckContext *cxt;
	int			location;
} IOCheck;

static bool
RuleIOFunctionChecker(Oid funcid, void *context)
{
	IOCheck    *io = (IOCheck *) context;
	char	   *what = psprintf("function %s (used by a cast)", format_procedure(funcid));

	CheckRuleFunction(io->cxt, funcid, what, io->location);
	return false;
}

/* reject a construct by name */
static void
RejectConstruct(RuleCheckContext *cxt, int sqlstate, const char *what,
				int location)
{
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("%s not allowed in a tag rule condition", what),
			 errhint(RULE_HINT),
			 parser_errposition(cxt->pstate, location)));
}

/*
 * Walk the analysed condition and allow only what is listed here; anything
 * else, including node types added by later PostgreSQL versions, is refused.
 */
static bool
RuleConditionWalker(Node *node, void *context)
{
	RuleCheckContext *cxt = (RuleCheckContext *) context;
	int			location;

	if (node == NULL)
		return false;
	check_stack_depth();
	location = exprLocation(node);

	/* refused whole, before their insides (a subquery's Query) are seen */
	switch (nodeTag(node))
	{
		case T_SubLink:
			RejectConstruct(cxt, ERRCODE_INSUFFICIENT_PRIVILEGE, "subqueries are", location);
			break;
		case T_Aggref:
			RejectConstruct(cxt, ERRCODE_FEATURE_NOT_SUPPORTED, "aggregate functions are", location);
			break;
		case T_WindowFunc:
			RejectConstruct(cxt, ERRCODE_FEATURE_NOT_SUPPORTED, "window functions are", location);
			break;
		case T_Param:
			RejectConstruct(cxt, ERRCODE_FEATURE_NOT_SUPPORTED, "parameters are", location);
			break;
		case T_NextValueExpr:
			RejectConstruct(cxt, ERRCODE_INSUFFICIENT_PRIVILEGE, "sequence functions are", location);
			break;
		default:
			break;
	}

	/*
	 * Children first, so that the innermost offender is named: "function
	 * now()" rather than the operator comparing its result.
	 */
	if (expression_tree_walker(node, RuleConditionWalker, context))
		return true;

	switch (nodeTag(node))
	{
		case T_Var:
			{
				Var		   *var = (Var *) node;

				/* only ordinary columns of the one range table entry */
				if (var->varno != 1 || var->varlevelsup != 0 || var->varattno <= 0)
					RejectConstruct(cxt, ERRCODE_FEATURE_NOT_SUPPORTED,
									"this column reference is", location);
				break;
			}
		case T_Const:
			{
				Const	   *c = (Const *) node;

				if (!RuleTypeAllowed(c->consttype, cxt->extoid))
					ereport(ERROR,
							(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
							 errmsg("constant of type %s is not allowed in a tag rule condition",
									format_type_be(c->consttype)),
							 errdetail("Only built-in types and the extension's types may be used."),
							 errhint(RULE_HINT),
							 parser_errposition(cxt->pstate, location)));
				break;
			}
		case T_FuncExpr:
			{
				FuncExpr   *f = (FuncExpr *) node;
				char	   *what = psprintf("function %s", format_procedure(f->funcid));

				CheckRuleFunction(cxt, f->funcid, what, location);
				break;
			}
		case T_OpExpr:
		case T_DistinctExpr:
		case T_NullIfExpr:
			{
				OpExpr	   *op = (OpExpr *) node;	/* all three share OpExpr */

				set_opfuncid(op);
				CheckRuleOperator(cxt, op->opno, op->opfuncid, location);
				break;
			}
		case T_ScalarArrayOpExpr:
			{
				ScalarArrayOpExpr *sa = (ScalarArrayOpExpr *) node;

				set_sa_opfuncid(sa);
				CheckRuleOperator(cxt, sa->opno, sa->opfuncid, location);
				break;
			}
		case T_RowCompareExpr:
			{
				RowCompareExpr *rc = (RowCompareExpr *) node;
				ListCell   *lc;

				foreach(lc, rc->opnos)
				{
					Oid			opno = lfirst_oid(lc);

					CheckRuleOperator(cxt, opno, get_opcode(opno), location);
				}
				break;
			}
		case T_CoerceViaIO:
			{
				IOCheck		io = {cxt, location};

				/* the output function of the source type, input of the target */
				(void) check_functions_in_node(node, RuleIOFunctionChecker, &io);
				break;
			}
		case T_CoerceToDomain:
			{
				CoerceToDomain *cd = (CoerceToDomain *) node;

				/* a domain's CHECK constraints are expressions run on the value */
				if (!RuleTypeAllowed(cd->resulttype, cxt->extoid))
					ereport(ERROR,
							(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
							 errmsg("domain %s is not allowed in a tag rule condition",
									format_type_be(cd->resulttype)),
							 errdetail("Only built-in domains and the extension's domains may be used."),
							 errhint(RULE_HINT),
							 parser_errposition(cxt->pstate, location)));
				break;
			}
		case T_ArrayCoerceExpr:
			/* the per-element expression was walked like any other */
		case T_BoolExpr:
		case T_NullTest:
		case T_BooleanTest:
		case T_CaseExpr:
		case T_CaseWhen:
		case T_CaseTestExpr:
		case T_CoalesceExpr:
		case T_MinMaxExpr:
		case T_ArrayExpr:
		case T_RelabelType:
		case T_CollateExpr:
		case T_RowExpr:
		case T_FieldSelect:
		case T_SQLValueFunction:
		case T_List:			/* argument lists of the nodes above */
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("this kind of expression is not allowed in a tag rule condition"),
					 errdetail("Expression node type %d is not on the list of allowed constructs.",
							   (int) nodeTag(node)),
					 errhint(RULE_HINT),
					 parser_errposition(cxt->pstate, location)));
	}

	/*
	 * Whatever the node, the value it yields must be of an allowed type:
	 * row constructors, arrays, field selections, CASE, coercions ... of a
	 * type the author owns would bring its I/O functions, its domain
	 * constraints or its comparison operators along.  (Lists and CASE arms
	 * yield no value of their own; their members are checked.)
	 */
	if (!IsA(node, List) && !IsA(node, CaseWhen))
	{
		Oid			typid = exprType(node);

		if (!RuleTypeAllowed(typid, cxt->extoid))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("expression of type %s is not allowed in a tag rule condition",
							format_type_be(typid)),
					 errdetail("Only built-in types and the extension's types may be used."),
					 errhint(RULE_HINT),
					 parser_errposition(cxt->pstate, location)));
	}
	return false;
}

/*
 * A qualified name must name an object of pg_catalog or of the extension's
 * schema, where a rule author can create nothing; anything else is refused
 * before it is looked up.  (Unqualified names resolve with
 * ANALYSE_SEARCH_PATH, which holds only those two and pg_temp, and
 * functions and operators are never looked up in pg_temp.)
 */
static void
CheckRuleName(RuleCheckContext *cxt, List *names, const char *what,
			  int location)
{
	const char *schema;

	if (list_length(names) < 2)
		return;
	schema = strVal(list_nth(names, list_length(names) - 2));
	if (strcmp(schema, "pg_catalog") == 0 || strcmp(schema, RULE_SCHEMA) == 0)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("%s %s is not allowed in a tag rule condition",
					what, NameListToString(names)),
			 errdetail("Only objects of the schemas pg_catalog and customer_class may be named."),
			 errhint(RULE_HINT),
			 parser_errposition(cxt->pstate, location)));
}

/*
 * Walk the raw parse tree of the condition before parse analysis, which
 * runs the input functions of the types constants are coerced to: refuse
 * subqueries (their tables' column types would be coerced to), names
 * outside pg_catalog and customer_class, and every type that is not built
 * in or the extension's.  Only catalog lookups happen here, nothing runs.
 */
static bool
RawRuleWalker(Node *node, void *context)
{
	RuleCheckContext *cxt = (RuleCheckContext *) context;

	if (node == NULL)
		return false;
	check_stack_depth();

	switch (nodeTag(node))
	{
		case T_SubLink:
			RejectConstruct(cxt, ERRCODE_INSUFFICIENT_PRIVILEGE, "subqueries are",
							((SubLink *) node)->location);
			break;
		case T_FuncCall:
			{
				FuncCall   *fc = (FuncCall *) node;

				CheckRuleName(cxt, fc->funcname, "function", fc->location);
				break;
			}
		case T_A_Expr:
			{
				A_Expr	   *a = (A_Expr *) node;

				CheckRuleName(cxt, a->name, "operator", a->location);
				break;
			}
		case T_TypeName:
			{
				TypeName   *tn = (TypeName *) node;
				Oid			typid = tn->typeOid;

				if (tn->pct_type)
					RejectConstruct(cxt, ERRCODE_FEATURE_NOT_SUPPORTED,
									"%TYPE is", tn->location);
				CheckRuleName(cxt, tn->names, "type", tn->location);
				if (tn->names != NIL)
				{
					/* a missing type: the analysis raises the database's error */
					Type		tup = LookupTypeName(cxt->pstate, tn, NULL, true);

					typid = InvalidOid;
					if (tup != NULL)
					{
						typid = typeTypeId(tup);
						ReleaseSysCache(tup);
					}
				}
				if (OidIsValid(typid) && !RuleTypeAllowed(typid, cxt->extoid))
					ereport(ERROR,
							(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
							 errmsg("type %s is not allowed in a tag rule condition",
									format_type_be(typid)),
							 errdetail("Only built-in types and the extension's types may be used."),
							 errhint(RULE_HINT),
							 parser_errposition(cxt->pstate, tn->location)));
				break;
			}
		default:
			break;
	}
	return raw_expression_tree_walker(node, RawRuleWalker, context);
}

/*
 * The role conditions are parsed and checked as.  It must exist and hold no
 * privileges: should anything the author controls run during the check, it
 * runs as this role.  Checked at every use, since roles are cluster-wide
 * and may have existed before, or been changed after, CREATE EXTENSION.
 */
static Oid
GetRuleCheckerRole(void)
{
	Oid			roleid = get_role_oid(RULE_CHECKER, true);
	HeapTuple	tup;
	Form_pg_authid form;
	CatCList   *memberships;
	bool		unsafe;

	if (!OidIsValid(roleid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("role \"%s\" does not exist", RULE_CHECKER),
				 errdetail("Tag rule conditions are checked as this role."),
				 errhint("CREATE EXTENSION customer_class creates it; "
						 "create it again with CREATE ROLE %s NOLOGIN.", RULE_CHECKER)));

	tup = SearchSysCache1(AUTHOID, ObjectIdGetDatum(roleid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for role %u", roleid);
	form = (Form_pg_authid) GETSTRUCT(tup);
	unsafe = form->rolsuper || form->rolcanlogin || form->rolcreaterole ||
		form->rolcreatedb || form->rolreplication || form->rolbypassrls;
	ReleaseSysCache(tup);

	memberships = SearchSysCacheList1(AUTHMEMMEMROLE, ObjectIdGetDatum(roleid));
	if (memberships->n_members > 0)
		unsafe = true;
	ReleaseSysCacheList(memberships);

	if (unsafe)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("role \"%s\" must have no privileges", RULE_CHECKER),
				 errdetail("Tag rule conditions are checked as this role: it must be NOLOGIN, "
						   "not a superuser, without CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS, "
						   "and a member of no role."),
				 errhint("Run ALTER ROLE %s NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS "
						 "and revoke its role memberships.", RULE_CHECKER)));
	return roleid;
}

/*
 * The raw parse tree must be exactly "SELECT (<one expression>) FROM
 * customer_class.rule_subject": a condition that closes the parenthesis and
 * adds target list entries, clauses or statements is refused here, before
 * anything is looked up.
 */
static ResTarget *
CheckRuleQueryShape(List *raw)
{
	RawStmt    *rs;
	SelectStmt *sel;
	RangeVar   *rv;

	if (list_length(raw) == 1)
	{
		rs = linitial_node(RawStmt, raw);
		if (IsA(rs->stmt, SelectStmt))
		{
			sel = (SelectStmt *) rs->stmt;
			if (sel->op == SETOP_NONE && sel->withClause == NULL &&
				sel->distinctClause == NIL && sel->intoClause == NULL &&
				list_length(sel->targetList) == 1 &&
				list_length(sel->fromClause) == 1 &&
				IsA(linitial(sel->fromClause), RangeVar) &&
				sel->whereClause == NULL && sel->groupClause == NIL &&
				sel->havingClause == NULL && sel->windowClause == NIL &&
				sel->valuesLists == NIL && sel->sortClause == NIL &&
				sel->limitOffset == NULL && sel->limitCount == NULL &&
				sel->lockingClause == NIL)
			{
				rv = linitial_node(RangeVar, sel->fromClause);
				if (rv->schemaname && strcmp(rv->schemaname, RULE_SCHEMA) == 0 &&
					strcmp(rv->relname, RULE_SUBJECT) == 0 &&
					rv->catalogname == NULL && rv->alias == NULL && rv->inh)
					return linitial_node(ResTarget, sel->targetList);
			}
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_SYNTAX_ERROR),
			 errmsg("a tag rule condition must be a single expression"),
			 errdetail("The condition is evaluated as SELECT (<condition>) FROM customer_class.rule_subject; "
					   "it must not close the parenthesis or add clauses, columns or statements.")));
	return NULL;				/* keep the compiler quiet */
}

/*
 * tag_rule_normalize(condition text) returns text
 *
 * Validates a rule condition and returns its normalised, schema-qualified
 * form (see the file header).  STABLE: the result depends on the catalogs.
 * PARALLEL UNSAFE: it sets search_path for the duration of the call, which
 * is refused in parallel mode (in the leader too).
 */
PG_FUNCTION_INFO_V1(tag_rule_normalize);
Datum
tag_rule_normalize(PG_FUNCTION_ARGS)
{
	char	   *condition = text_to_cstring(PG_GETARG_TEXT_PP(0));
	StringInfoData sql;
	RuleErrorInfo info;
	ErrorContextCallback errcallback;
	RuleCheckContext cxt;
	List	   *raw;
	ResTarget  *target;
	RawStmt    *rawstmt;
	Query	   *query;
	TargetEntry *tle;
	Node	   *expr;
	Oid			viewoid;
	char	   *result;
	int			save_nestlevel;
	Oid			checker;
	Oid			save_userid;
	int			save_sec_context;

	initStringInfo(&sql);
	appendStringInfoString(&sql, RULE_PREFIX);
	appendStringInfoString(&sql, condition);
	appendStringInfoString(&sql, RULE_SUFFIX);

	info.condition = condition;
	info.prefix_chars = strlen(RULE_PREFIX);	/* ASCII: bytes = characters */
	info.condition_chars = pg_mbstrlen(condition);

	cxt.extoid = get_extension_oid(RULE_SCHEMA, false);
	cxt.selfoid = fcinfo->flinfo->fn_oid;
	cxt.pstate = make_parsestate(NULL);
	cxt.pstate->p_sourcetext = sql.data;

	/*
	 * Everything from here to the deparse runs as the checker role, in a
	 * security-restricted operation (no SET ROLE back, no temporary objects),
	 * at a new GUC nest level whose changes are all discarded at the end.
	 */
	checker = GetRuleCheckerRole();
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(checker,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	save_nestlevel = NewGUCNestLevel();

	/* resolve the author's names as they would expect, whatever their path */
	(void) set_config_option("search_path", ANALYSE_SEARCH_PATH,
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);

	errcallback.callback = RuleConditionErrorCallback;
	errcallback.arg = &info;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;

	raw = raw_parser(sql.data, RAW_PARSE_DEFAULT);
	target = CheckRuleQueryShape(raw);
	if (target->name != NULL || target->indirection != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("a tag rule condition must be a single expression")));
	rawstmt = linitial_node(RawStmt, raw);

	/* names and types, before the analysis runs any input function */
	(void) RawRuleWalker(target->val, &cxt);

	query = parse_analyze_fixedparams(rawstmt, sql.data, NULL, 0, NULL);
	/* "rule_subject.*" passes the raw check but expands to every column */
	if (query->commandType != CMD_SELECT || list_length(query->rtable) != 1 ||
		list_length(query->targetList) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("a tag rule condition must be a single expression")));
	viewoid = rt_fetch(1, query->rtable)->relid;
	tle = linitial_node(TargetEntry, query->targetList);

	/* the database's own error when the condition is not boolean */
	expr = coerce_to_boolean(cxt.pstate, (Node *) tle->expr, "a tag rule condition");
	assign_expr_collations(cxt.pstate, expr);

	/* the privilege rule, on the final expression (coercions included) */
	(void) RuleConditionWalker(expr, &cxt);
	/* the walker refuses every set-returning function; this is a backstop */
	if (query->hasTargetSRFs || expression_returns_set(expr))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-returning functions are not allowed in a tag rule condition"),
				 errhint(RULE_HINT)));

	error_context_stack = errcallback.previous;

	/*
	 * Deparse under the search_path refresh evaluates with: every object
	 * outside pg_catalog (the extension's operators, functions, types) comes
	 * out schema-qualified, so the text means the same whoever runs it.
	 */
	(void) set_config_option("search_path", DEPARSE_SEARCH_PATH,
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	result = deparse_expression(expr,
								deparse_context_for(RULE_SUBJECT, viewoid),
								false, false);
	/* discard every setting changed since, not only search_path */
	AtEOXact_GUC(false, save_nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec_context);

	free_parsestate(cxt.pstate);
	PG_RETURN_TEXT_P(cstring_to_text(result));
}
