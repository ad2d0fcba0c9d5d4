/*
 * credit_context.h
 *		Whether a credit check may have something to say, from a per-backend
 *		cache (for credit_check.c); defined in credit_context.c.
 */
#ifndef CUSTOMER_CLASS_CREDIT_CONTEXT_H
#define CUSTOMER_CLASS_CREDIT_CONTEXT_H

#include "utils/numeric.h"

/* the checkpoint a ledger change is checked at */
typedef enum CreditCheckpoint
{
	CREDIT_CHECK_NONE,			/* keep the ledger, check nothing */
	CREDIT_CHECK_ORDER,
	CREDIT_CHECK_DELIVERY
} CreditCheckpoint;

/* is the check menu installed (the extension's SQL at 0.3.0 or later)? */
extern bool CreditMenuInstalled(Oid namespace);

/* forget the plans and the cache: the extension's schema changed */
extern void CreditContextReset(void);

/* may the check of this exposure, for a document of this value, have something to say? */
extern bool CreditCheckMayAct(const char *schema, Oid namespace, int64 customer_id,
							  CreditCheckpoint checkpoint, const char *checkpoint_name,
							  Numeric exposure, Numeric document_value);

#endif
