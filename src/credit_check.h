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

/* the checkpoint a ledger change is checked at */
typedef enum CreditCheckpoint
{
	CREDIT_CHECK_NONE,			/* keep the ledger, check nothing */
	CREDIT_CHECK_ORDER,
	CREDIT_CHECK_DELIVERY
} CreditCheckpoint;

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

/* one check to run after a ledger change: a checkpoint and the amount asked */
typedef struct CreditCheckRequest
{
	CreditCheckpoint checkpoint;
	Numeric		asked;
} CreditCheckRequest;

/* add a delta to the ledger (locking the row), check nothing */
extern void CreditLedgerRelease(FunctionCallInfo fcinfo, const CreditLedgerDelta *delta);

/* add a delta to the ledger (locking the row), then run the checks in order */
extern void CreditLedgerAddAndCheck(FunctionCallInfo fcinfo, const CreditLedgerDelta *delta,
									const CreditCheckRequest *checks, int nchecks,
									const CreditSubject *subject);

/* the sum of the invoices that name an order (src_invoice.order_id) */
extern Numeric CreditOrderInvoiced(FunctionCallInfo fcinfo, Datum order_id, Oid order_id_type);

/* prepare and keep a generic plan; %1$s in the query is the schema */
extern SPIPlanPtr CreditKeepPlan(const char *schema, const char *query_fmt, int nargs, Oid *argtypes);

/* forget the plans and the cache: the extension's schema changed (credit_context.c) */
extern void CreditContextReset(void);

/* may the check of this exposure have something to say? (credit_context.c) */
extern bool CreditCheckMayAct(const char *schema, Oid namespace, int64 customer_id,
							  CreditCheckpoint checkpoint, const char *checkpoint_name,
							  Numeric exposure);

#endif
