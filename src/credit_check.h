/*
 * credit_check.h
 *		The exposure ledger delta and the credit check, for the C row
 *		triggers on the sources (credit_trigger.c); defined in credit_check.c.
 */
#ifndef CUSTOMER_CLASS_CREDIT_CHECK_H
#define CUSTOMER_CLASS_CREDIT_CHECK_H

#include "executor/spi.h"
#include "fmgr.h"
#include "utils/numeric.h"

#include "credit_context.h"

/* a change of one customer's open and shipped orders */
typedef struct CreditLedgerDelta
{
	int64		customer_id;
	Numeric		open_orders;
	Numeric		shipped_not_invoiced;
} CreditLedgerDelta;

/* what the check's message names: "order 103" (id NULL: nothing) */
typedef struct CreditSubject
{
	const char *kind;
	Datum		id;
	bool		id_null;
	Oid			id_type;
} CreditSubject;

/*
 * one check to run after a ledger change: a checkpoint, the amount asked and
 * the value of the document (for the rule document_value)
 */
typedef struct CreditCheckRequest
{
	CreditCheckpoint checkpoint;
	Numeric		asked;
	Numeric		document_value;
} CreditCheckRequest;

/* add a delta to the ledger (locking the row), check nothing */
extern void CreditLedgerRelease(FunctionCallInfo fcinfo, const CreditLedgerDelta *delta);

/* add a delta to the ledger (locking the row), then run the checks in order */
extern void CreditLedgerAddAndCheck(FunctionCallInfo fcinfo, const CreditLedgerDelta *delta,
									const CreditCheckRequest *checks, int nchecks,
									const CreditSubject *subject);

/* the sum of the invoices that name an order (src_invoice.order_id) */
extern Numeric CreditOrderInvoiced(FunctionCallInfo fcinfo, Datum order_id, Oid order_id_type,
								   int64 customer_id);

#endif
