/*
 * binding.c
 *		The filter of a source binding (src/sql/sources/binding.sql).
 *
 * bind_source() pastes the integrator's filter into the WHERE clause of the
 * view source_<role>.  Before it does, the filter must be exactly one SQL
 * expression: text that closes the parenthesis, adds clauses, target list
 * entries or further statements would make the view something else than
 * "the rows of the relation where <filter>".  The raw parse of
 * "SELECT <filter>" tells: one statement, one plain target, nothing else.
 * Whether the expression is boolean and names existing columns is left to
 * CREATE VIEW itself (bind_source() reports it for the source).
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "utils/builtins.h"

#define FILTER_HINT "Write one boolean expression over the relation's columns, such as company = 1 AND active."

/* true when the raw parse is "SELECT <one expression>" and nothing more */
static bool
IsSingleExpression(List *raw)
{
	RawStmt    *rs;
	SelectStmt *sel;
	ResTarget  *target;

	if (list_length(raw) != 1)
		return false;
	rs = linitial_node(RawStmt, raw);
	if (!IsA(rs->stmt, SelectStmt))
		return false;
	sel = (SelectStmt *) rs->stmt;
	if (sel->op != SETOP_NONE || sel->withClause != NULL ||
		sel->distinctClause != NIL || sel->intoClause != NULL ||
		list_length(sel->targetList) != 1 || sel->fromClause != NIL ||
		sel->whereClause != NULL || sel->groupClause != NIL ||
		sel->havingClause != NULL || sel->windowClause != NIL ||
		sel->valuesLists != NIL || sel->sortClause != NIL ||
		sel->limitOffset != NULL || sel->limitCount != NULL ||
		sel->lockingClause != NIL)
		return false;
	target = linitial_node(ResTarget, sel->targetList);
	if (target->name != NULL || target->indirection != NIL)
		return false;
	/* "*" and "t.*" parse as a target but are lists of columns */
	if (IsA(target->val, ColumnRef) &&
		IsA(llast(((ColumnRef *) target->val)->fields), A_Star))
		return false;
	return true;
}

/*
 * source_filter_check(role text, filter text) returns void
 *
 * Raises syntax_error (42601), naming the source, unless filter is one SQL
 * expression.  The parser's own message is kept in the detail.
 */
PG_FUNCTION_INFO_V1(source_filter_check);
Datum
source_filter_check(PG_FUNCTION_ARGS)
{
	char	   *role = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *filter = text_to_cstring(PG_GETARG_TEXT_PP(1));
	MemoryContext cxt = CurrentMemoryContext;
	StringInfoData sql;
	List	   *raw = NIL;
	char	   *parse_error = NULL;

	/* the filter ends a line: a trailing comment stays inside it */
	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT %s\n", filter);

	PG_TRY();
	{
		raw = raw_parser(sql.data, RAW_PARSE_DEFAULT);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		/* only a syntax error is the filter's; anything else propagates */
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		if (edata->sqlerrcode != ERRCODE_SYNTAX_ERROR)
			PG_RE_THROW();
		FlushErrorState();
		parse_error = edata->message;
	}
	PG_END_TRY();

	if (parse_error != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("source \"%s\": the filter does not parse: %s", role, parse_error),
				 errdetail("The filter is: %s", filter),
				 errhint(FILTER_HINT)));
	if (!IsSingleExpression(raw))
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("source \"%s\": the filter must be a single expression", role),
				 errdetail("The filter is: %s; it must not add clauses, columns or statements.", filter),
				 errhint(FILTER_HINT)));
	PG_RETURN_VOID();
}
