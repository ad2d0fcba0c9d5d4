/*
 * credit_trigger.c
 *		The row trigger on orders (credit_order_trigger): the order's delta to
 *		the customer's exposure ledger row, then the order or delivery check.
 *
 * It does what the PL/pgSQL version did, step by step (see
 * src/sql/credit/check.sql): the ledger UPDATE first, which locks the customer's
 * row until the end of the transaction, then the check against the exposure
 * that UPDATE returned.  It is in C because order entry is the hot path: the
 * PL/pgSQL layers (the trigger, credit_enforce, credit_evaluate, each with
 * its own search_path) cost more than the work itself.  Here the ledger
 * UPDATE and the check's context query are saved SPI plans (credit_check.c),
 * and the PL/pgSQL credit_enforce() -- messages, warnings, alerts -- only
 * runs when the check has something to say.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/rel.h"

#include "credit_check.h"

PG_FUNCTION_INFO_V1(credit_order_trigger);

/* the columns the trigger reads, looked up once per trigger call site */
typedef struct OrderColumns
{
	Oid			relid;
	int			customer_id;	/* attribute numbers, 1-based */
	int			amount;
	int			status;
	int			order_id;
	int			planned_ship_on;	/* 0: the relation has no such column */
	Oid			customer_type;
} OrderColumns;

/* what the trigger needs from one row version (OLD or NEW) */
typedef struct OrderRow
{
	bool		present;		/* false: no such version (INSERT's OLD) */
	bool		customer_null;
	int64		customer_id;
	bool		counts;			/* status open or shipped */
	Numeric		open;			/* status open: the part not invoiced, else 0 */
	Numeric		shipped;		/* status shipped: the part not invoiced, else 0 */
	bool		is_shipped;
	Datum		amount;			/* the row's amount (when it counts) */
	Datum		order_id;
	bool		order_id_null;
	bool		ship_null;		/* planned_ship_on NULL (or no such column) */
	DateADT		planned_ship_on;
} OrderRow;

/*
 * attribute number of a column the trigger needs, or an error naming it;
 * optional: 0 when the relation has no such column
 */
static int
OrderColumn(Relation rel, const char *name, const Oid *types, int ntypes, Oid *found, bool optional)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || strcmp(NameStr(att->attname), name) != 0)
			continue;
		if (types != NULL)
		{
			int			t;

			for (t = 0; t < ntypes; t++)
				if (att->atttypid == types[t])
					break;
			if (t == ntypes)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("column \"%s\" of \"%s\" has type %s, which the credit trigger cannot read",
								name, RelationGetRelationName(rel), format_type_be(att->atttypid)),
						 errhint("The order columns the credit checks read are customer_id (integer or bigint), amount (numeric) and status (text).")));
		}
		if (found != NULL)
			*found = att->atttypid;
		return i + 1;
	}
	if (optional)
		return 0;
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_COLUMN),
			 errmsg("the credit trigger needs column \"%s\" in \"%s\"", name, RelationGetRelationName(rel)),
			 errhint("The order columns the credit checks read are customer_id, amount, status and order_id.")));
	return 0;					/* not reached */
}

/* the columns of the trigger's relation, cached in fn_extra by relation */
static OrderColumns *
GetOrderColumns(FunctionCallInfo fcinfo, Relation rel)
{
	OrderColumns *cols = (OrderColumns *) fcinfo->flinfo->fn_extra;
	static const Oid int_types[] = {INT8OID, INT4OID, INT2OID};
	static const Oid numeric_types[] = {NUMERICOID};
	static const Oid text_types[] = {TEXTOID, VARCHAROID};
	static const Oid date_types[] = {DATEOID};

	if (cols != NULL && cols->relid == RelationGetRelid(rel))
		return cols;
	if (cols == NULL)
		cols = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(OrderColumns));
	cols->customer_id = OrderColumn(rel, "customer_id", int_types, lengthof(int_types), &cols->customer_type, false);
	cols->amount = OrderColumn(rel, "amount", numeric_types, lengthof(numeric_types), NULL, false);
	cols->status = OrderColumn(rel, "status", text_types, lengthof(text_types), NULL, false);
	cols->order_id = OrderColumn(rel, "order_id", NULL, 0, NULL, false);
	/* the rule horizon's date, when the table has it */
	cols->planned_ship_on = OrderColumn(rel, "planned_ship_on", date_types, lengthof(date_types), NULL, true);
	cols->relid = RelationGetRelid(rel);
	fcinfo->flinfo->fn_extra = cols;
	return cols;
}

/* read customer, status and amount of one row version */
static void
ReadOrderRow(HeapTuple tuple, TupleDesc desc, OrderColumns *cols, Numeric zero, OrderRow *row)
{
	bool		isnull;
	Datum		d;

	row->present = true;
	row->counts = false;
	row->open = zero;
	row->shipped = zero;
	row->is_shipped = false;
	row->order_id = heap_getattr(tuple, cols->order_id, desc, &row->order_id_null);
	row->ship_null = true;
	if (cols->planned_ship_on > 0)
	{
		d = heap_getattr(tuple, cols->planned_ship_on, desc, &isnull);
		row->ship_null = isnull;
		if (!isnull)
			row->planned_ship_on = DatumGetDateADT(d);
	}

	d = heap_getattr(tuple, cols->customer_id, desc, &isnull);
	row->customer_null = isnull;
	if (!isnull)
		row->customer_id = cols->customer_type == INT8OID ? DatumGetInt64(d) :
			cols->customer_type == INT4OID ? (int64) DatumGetInt32(d) : (int64) DatumGetInt16(d);

	d = heap_getattr(tuple, cols->status, desc, &isnull);
	if (!isnull)
	{
		text	   *status = DatumGetTextPP(d);
		const char *s = VARDATA_ANY(status);
		int			len = VARSIZE_ANY_EXHDR(status);
		bool		open = len == 4 && memcmp(s, "open", 4) == 0;
		bool		shipped = len == 7 && memcmp(s, "shipped", 7) == 0;

		if (open || shipped)
		{
			/* an order that counts needs an amount (the ledger has no NULLs) */
			d = heap_getattr(tuple, cols->amount, desc, &isnull);
			if (isnull)
				ereport(ERROR,
						(errcode(ERRCODE_NOT_NULL_VIOLATION),
						 errmsg("an order with status %s needs an amount for the credit check", open ? "open" : "shipped")));
			row->amount = d;
			row->counts = true;
			if (open)
				row->open = DatumGetNumeric(d);
			else
				row->shipped = DatumGetNumeric(d);
			row->is_shipped = shipped;
		}
	}
}

static inline bool
NumEq(Numeric a, Numeric b)
{
	return DatumGetBool(DirectFunctionCall2(numeric_eq, NumericGetDatum(a), NumericGetDatum(b)));
}

static inline Numeric
NumSub(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_sub, NumericGetDatum(a), NumericGetDatum(b)));
}

static inline Numeric
NumAdd(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_add, NumericGetDatum(a), NumericGetDatum(b)));
}

static inline bool
NumIsPositive(Numeric a, Numeric zero)
{
	return DatumGetBool(DirectFunctionCall2(numeric_gt, NumericGetDatum(a), NumericGetDatum(zero)));
}

static inline Numeric
NumMaxZero(Numeric a, Numeric zero)
{
	return NumIsPositive(a, zero) ? a : zero;
}

/*
 * The part of a row version not yet invoiced: amount minus the invoices
 * naming the order, at least 0 (61_exposure.sql).  invoiced is looked up
 * once for both versions when they name the same order.
 */
static void
NetOfInvoices(FunctionCallInfo fcinfo, OrderRow *row, Oid order_id_type, Numeric zero,
			  const OrderRow *same, Numeric same_invoiced, Numeric *invoiced)
{
	Numeric		part;

	*invoiced = NULL;
	if (!row->present || !row->counts || row->order_id_null)
		return;
	if (same != NULL && same_invoiced != NULL && !same->order_id_null &&
		datumIsEqual(row->order_id, same->order_id, get_typbyval(order_id_type), get_typlen(order_id_type)))
		*invoiced = same_invoiced;
	else
		*invoiced = CreditOrderInvoiced(fcinfo, row->order_id, order_id_type, row->customer_id);
	if (NumEq(*invoiced, zero))
		return;
	part = NumMaxZero(NumSub(DatumGetNumeric(row->amount), *invoiced), zero);
	if (row->is_shipped)
		row->shipped = part;
	else
		row->open = part;
}

/*
 * AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW on orders.
 *
 * An order counts its part not yet invoiced while open or shipped.  The
 * checks, on the exposure after the change:
 *	- order, when the customer's exposure grows (inserted open or shipped,
 *	  amount raised, reopened, moved to the customer): asked is the growth;
 *	- delivery, when the order becomes shipped (or is inserted or moved
 *	  shipped): asked is its part now shipped.
 * A write that does both (inserted shipped, shipped with a higher amount)
 * runs both, the order check first: so the order checkpoint's mode and
 * exceptions hold for every increase, whatever the delivery's.  An open
 * order whose planned_ship_on moves earlier (or to NULL) passes the order
 * check too, with nothing more asked: under the check menu's rule horizon
 * it may now count.  The document value (rule document_value) is the
 * order's amount at the order check, the part delivered at the delivery.
 */
Datum
credit_order_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	OrderColumns *cols;
	OrderRow	o = {0};
	OrderRow	n = {0};
	Numeric		zero = int64_to_numeric(0);
	Numeric		d_open;
	Numeric		d_ship;
	Numeric		increase;
	bool		delivered = false;
	bool		ship_sooner = false;
	bool		inserted;
	HeapTuple	new_tuple = NULL;
	CreditLedgerDelta delta;
	CreditSubject subject;
	CreditCheckRequest checks[2];
	int			nchecks = 0;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("credit_order_trigger must be fired AFTER ... FOR EACH ROW")));

	desc = RelationGetDescr(trigdata->tg_relation);
	cols = GetOrderColumns(fcinfo, trigdata->tg_relation);
	inserted = TRIGGER_FIRED_BY_INSERT(trigdata->tg_event);

	if (inserted)
		new_tuple = trigdata->tg_trigtuple;
	else if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		ReadOrderRow(trigdata->tg_trigtuple, desc, cols, zero, &o);
		new_tuple = trigdata->tg_newtuple;
	}
	else
		ReadOrderRow(trigdata->tg_trigtuple, desc, cols, zero, &o);
	if (new_tuple != NULL)
	{
		ReadOrderRow(new_tuple, desc, cols, zero, &n);
		/* shipped now and not before (or a new row): a delivery */
		delivered = n.is_shipped && !o.is_shipped;
	}

	/* absent or NULL customer: nothing to count on that side */
	if (o.present && o.customer_null)
		o.present = false;
	if (n.present && n.customer_null)
		n.present = false;

	/* an open order of the same customer due to ship earlier than before */
	if (o.present && n.present && o.customer_id == n.customer_id && o.counts && n.counts &&
		!o.is_shipped && !n.is_shipped && !o.ship_null &&
		(n.ship_null || n.planned_ship_on < o.planned_ship_on))
		ship_sooner = true;

	/* nothing that counts changed: no delta, no check */
	if (!ship_sooner && o.present == n.present && (!o.present || o.customer_id == n.customer_id) &&
		(!n.present || (NumEq(o.open, n.open) && NumEq(o.shipped, n.shipped))))
		return PointerGetDatum(NULL);

	/*
	 * Net of the invoices naming the order.  A new order has none (an
	 * invoice names an order written before it), which keeps the insert,
	 * the hot path, free of the lookup.  Whatever the parts come to, the
	 * ledger row is updated below: a REPEATABLE READ invoice writer of this
	 * order must then fail rather than count from stale figures.
	 */
	if (!inserted)
	{
		Oid			order_id_type = TupleDescAttr(desc, cols->order_id - 1)->atttypid;
		Numeric		o_invoiced;
		Numeric		n_invoiced;

		NetOfInvoices(fcinfo, &o, order_id_type, zero, NULL, NULL, &o_invoiced);
		NetOfInvoices(fcinfo, &n, order_id_type, zero, &o, o_invoiced, &n_invoiced);
	}

	if (o.present == n.present && (!o.present || o.customer_id == n.customer_id))
	{
		/* same customer: one delta */
		d_open = NumSub(n.open, o.open);
		d_ship = NumSub(n.shipped, o.shipped);
	}
	else
	{
		/* moved between customers, inserted or deleted: release, then add */
		if (o.present && o.counts)
		{
			delta.customer_id = o.customer_id;
			delta.open_orders = NumSub(zero, o.open);
			delta.shipped_not_invoiced = NumSub(zero, o.shipped);
			CreditLedgerRelease(fcinfo, &delta);
		}
		if (!n.present || !n.counts)
			return PointerGetDatum(NULL);
		d_open = n.open;
		d_ship = n.shipped;
		delivered = n.is_shipped;
	}
	increase = NumAdd(d_open, d_ship);

	delta.customer_id = n.customer_id;
	delta.open_orders = d_open;
	delta.shipped_not_invoiced = d_ship;
	subject.kind = "order";
	subject.id = n.order_id;
	subject.id_null = n.order_id_null;
	subject.id_type = TupleDescAttr(desc, cols->order_id - 1)->atttypid;
	if (NumIsPositive(increase, zero) || ship_sooner)
	{
		checks[nchecks].checkpoint = CREDIT_CHECK_ORDER;
		checks[nchecks].asked = NumIsPositive(increase, zero) ? increase : zero;
		checks[nchecks].document_value = DatumGetNumeric(n.amount);
		nchecks++;
	}
	if (delivered)
	{
		checks[nchecks].checkpoint = CREDIT_CHECK_DELIVERY;
		checks[nchecks].asked = n.shipped;
		checks[nchecks].document_value = n.shipped;
		nchecks++;
	}
	CreditLedgerAddAndCheck(fcinfo, &delta, checks, nchecks, &subject);
	return PointerGetDatum(NULL);
}
