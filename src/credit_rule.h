/*
 * credit_rule.h
 *		The credit rules on a customer's exposure -- prepayment for grade D,
 *		the limit, the limit nearly used -- written once; defined in
 *		credit_rule.c.
 */
#ifndef CUSTOMER_CLASS_CREDIT_RULE_H
#define CUSTOMER_CLASS_CREDIT_RULE_H

#include "utils/numeric.h"

/* what the rules say about an exposure, the first that holds in this order */
typedef enum CreditExposureVerdict
{
	CREDIT_EXPOSURE_OK,			/* nothing to say */
	CREDIT_EXPOSURE_GRADE_D,	/* grade D: prepayment does not cover it */
	CREDIT_EXPOSURE_LIMIT_EXCEEDED, /* above the credit limit */
	CREDIT_EXPOSURE_NEARLY_USED /* at or above alert.nearly_used_pct of it */
} CreditExposureVerdict;

/* does a customer of this grade need prepayment, rule.grade_d being this? */
extern bool CreditPrepaymentRequired(const char *grade, const char *grade_d);

/*
 * The verdict on an exposure (NULL: OK) for a customer who needs prepayment
 * or not, with this limit (NULL: none) and nearly-used percentage (NULL:
 * no such alert).
 */
extern CreditExposureVerdict CreditExposureRule(bool prepay, Numeric credit_limit,
												Numeric pct, Numeric exposure);

/* the rule document_value: is a document of this value above the maximum (NULL: none)? */
extern bool CreditDocumentValueExceeded(Numeric document_value, Numeric max_document);

#endif
