/*
 * credit_rule.c
 *		The credit rules on a customer's exposure, written once:
 *
 *	- grade D with rule.grade_d on requires prepayment: a customer's
 *	  prepayment is a negative exposure (unapplied payments and credit
 *	  notes above what it owes), so any exposure above zero fails;
 *	- an exposure above the credit limit fails;
 *	- an exposure of alert.nearly_used_pct percent of a positive limit or
 *	  more has the limit nearly used (an alert, never a failure);
 *	- and, of the check menu (src/sql/credit/menu.sql), one document above
 *	  the rule document_value's maximum fails.
 *
 * Every path that applies them comes here: credit_evaluate() and
 * credit_watch() (PL/pgSQL) and credit_alert_scan() through the SQL
 * function credit_exposure_rule(), and the C order trigger's fast path
 * (credit_context.c) directly, so that "may the check say something?" and
 * the verdict of credit_evaluate() can never disagree.  C rather than SQL
 * because the fast path decides for a cached customer without running any
 * query.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

#include "credit_rule.h"

bool
CreditPrepaymentRequired(const char *grade, const char *grade_d)
{
	return grade != NULL && grade_d != NULL &&
		strcmp(grade, "D") == 0 && strcmp(grade_d, "on") == 0;
}

static bool
NumericGreater(Numeric a, Numeric b)
{
	return DatumGetBool(DirectFunctionCall2(numeric_gt, NumericGetDatum(a), NumericGetDatum(b)));
}

static Numeric
NumericTimes(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_mul, NumericGetDatum(a), NumericGetDatum(b)));
}

CreditExposureVerdict
CreditExposureRule(bool prepay, Numeric credit_limit, Numeric pct, Numeric exposure)
{
	Numeric		zero;

	if (exposure == NULL)
		return CREDIT_EXPOSURE_OK;
	zero = int64_to_numeric(0);
	if (prepay && NumericGreater(exposure, zero))
		return CREDIT_EXPOSURE_GRADE_D;
	if (credit_limit == NULL)
		return CREDIT_EXPOSURE_OK;
	if (NumericGreater(exposure, credit_limit))
		return CREDIT_EXPOSURE_LIMIT_EXCEEDED;
	/* exposure * 100 >= limit * pct, exact in numeric */
	if (pct != NULL && NumericGreater(credit_limit, zero) &&
		!NumericGreater(NumericTimes(credit_limit, pct),
						NumericTimes(exposure, int64_to_numeric(100))))
		return CREDIT_EXPOSURE_NEARLY_USED;
	return CREDIT_EXPOSURE_OK;
}

bool
CreditDocumentValueExceeded(Numeric document_value, Numeric max_document)
{
	return document_value != NULL && max_document != NULL &&
		NumericGreater(document_value, max_document);
}

PG_FUNCTION_INFO_V1(credit_document_value_rule);

/*
 * credit_document_value_rule(document_value, max_document) -> boolean: the
 * rule document_value of the check menu, for credit_verdict_decide().  Not
 * STRICT: a NULL value or maximum is never exceeded.
 */
Datum
credit_document_value_rule(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(CreditDocumentValueExceeded(PG_ARGISNULL(0) ? NULL : PG_GETARG_NUMERIC(0),
											   PG_ARGISNULL(1) ? NULL : PG_GETARG_NUMERIC(1)));
}

PG_FUNCTION_INFO_V1(credit_exposure_rule);

/*
 * credit_exposure_rule(credit_grade, grade_d, credit_limit, pct,
 * exposure_after) -> 'grade_d', 'limit_exceeded', 'limit_nearly_used' or
 * NULL: the rules above, for the SQL callers.  Not STRICT: a NULL grade,
 * limit or percentage means that rule does not apply.
 */
Datum
credit_exposure_rule(PG_FUNCTION_ARGS)
{
	const char *grade = NULL;
	const char *grade_d = NULL;
	CreditExposureVerdict verdict;

	if (!PG_ARGISNULL(0))
		grade = DatumGetCString(DirectFunctionCall1(enum_out, PG_GETARG_DATUM(0)));
	if (!PG_ARGISNULL(1))
		grade_d = text_to_cstring(PG_GETARG_TEXT_PP(1));
	verdict = CreditExposureRule(CreditPrepaymentRequired(grade, grade_d),
								 PG_ARGISNULL(2) ? NULL : PG_GETARG_NUMERIC(2),
								 PG_ARGISNULL(3) ? NULL : PG_GETARG_NUMERIC(3),
								 PG_ARGISNULL(4) ? NULL : PG_GETARG_NUMERIC(4));
	switch (verdict)
	{
		case CREDIT_EXPOSURE_GRADE_D:
			PG_RETURN_TEXT_P(cstring_to_text("grade_d"));
		case CREDIT_EXPOSURE_LIMIT_EXCEEDED:
			PG_RETURN_TEXT_P(cstring_to_text("limit_exceeded"));
		case CREDIT_EXPOSURE_NEARLY_USED:
			PG_RETURN_TEXT_P(cstring_to_text("limit_nearly_used"));
		case CREDIT_EXPOSURE_OK:
			break;
	}
	PG_RETURN_NULL();
}
