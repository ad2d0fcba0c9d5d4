/*
 * facts_agg.c
 *		credit_facts_agg: everything refresh() needs to know about one
 *		customer's transactions, in one pass and without a join.
 *
 * The aggregate reads a UNION ALL of the customer's invoices ('i'),
 * payments and credit notes ('p') and orders ('o'), grouped by customer.
 * It matches payments to invoices itself, in a small per-customer table
 * keyed by invoice id, so the plan is two sequential scans and one hash
 * aggregate -- the shape of the floor -- instead of a join of invoices with
 * payments aggregated per invoice.  Rows may come in any order; partial
 * states (parallel workers) combine by adding what they saw per invoice.
 *
 * Money is exact: amounts are integers of 1/10000 (exact_money.c).
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/numeric.h"

#include "exact_money.h"
#include "pay_rhythm.h"
#include "payment_index.h"
#include "rowutil.h"

#define NO_DATE PG_INT32_MIN

typedef struct InvoiceEntry
{
	int64		invoice_id;
	int64		amount;			/* 1/10000; valid when has_invoice */
	int64		paid;			/* applied by as_of, 1/10000 */
	DateADT		issued;
	DateADT		due;
	DateADT		last_paid;		/* latest payment applied, or NO_DATE */
	bool		has_invoice;
} InvoiceEntry;

/*
 * Most customers have a handful of invoices in the window, so the first
 * INLINE_ENTRIES live in the state's own chunk and are searched linearly:
 * one allocation per customer and no pointer chasing, which matters with a
 * million states in a hash table.  Past that the entries move to an array
 * of their own, and past HASH_FROM they are indexed by an open-addressing
 * table.
 */
#define INLINE_ENTRIES 8
#define HASH_FROM 32

typedef struct FactsState
{
	int128		unapplied;		/* payments on no invoice, 1/10000 */
	int64		orders_12m;
	int64		orders_90d;		/* orders 0..89 days back */
	int64		orders_prior_90d;	/* orders 90..179 days back */
	DateADT		as_of;
	int32		dscale;			/* most decimals of any amount seen */
	int32		order_months;	/* bit i: an order in 30-day window i back */
	DateADT		first_order;	/* earliest order, or NO_DATE */
	DateADT		last_order;		/* latest order day, or NO_DATE */
	DateADT		prev_order;		/* latest order day before last_order, or NO_DATE */
	int			n;
	int			cap;
	int			nslots;			/* 0, or a power of two > 2 * cap */
	InvoiceEntry *entries;		/* inline, or a separate array */
	int32	   *slots;			/* entry index + 1; 0 = empty */
	InvoiceEntry inline_entries[INLINE_ENTRIES];
} FactsState;

static uint32
SlotOf(int64 id, int nslots)
{
	uint64		h = (uint64) id * UINT64CONST(0x9E3779B97F4A7C15);

	return (uint32) (h >> 32) & (nslots - 1);
}

static void
Rehash(FactsState *s)
{
	memset(s->slots, 0, sizeof(int32) * s->nslots);
	for (int i = 0; i < s->n; i++)
	{
		uint32		k = SlotOf(s->entries[i].invoice_id, s->nslots);

		while (s->slots[k] != 0)
			k = (k + 1) & (s->nslots - 1);
		s->slots[k] = i + 1;
	}
}

/* make room for one more entry; called in the aggregate's memory context */
static void
Grow(FactsState *s)
{
	InvoiceEntry *bigger = palloc(sizeof(InvoiceEntry) * s->cap * 2);

	memcpy(bigger, s->entries, sizeof(InvoiceEntry) * s->n);
	if (s->entries != s->inline_entries)
		pfree(s->entries);
	s->entries = bigger;
	s->cap *= 2;
	if (s->cap >= HASH_FROM)
	{
		int			nslots = 64;

		while (nslots <= 2 * s->cap)
			nslots *= 2;
		if (s->slots)
			pfree(s->slots);
		s->slots = palloc(sizeof(int32) * nslots);
		s->nslots = nslots;
		Rehash(s);
	}
}

/* the entry of an invoice id, created empty when new */
static InvoiceEntry *
EntryFor(FactsState *s, int64 id)
{
	InvoiceEntry *e;

	if (s->nslots == 0)
	{
		for (int i = s->n - 1; i >= 0; i--)
			if (s->entries[i].invoice_id == id)
				return &s->entries[i];
	}
	else
	{
		uint32		k = SlotOf(id, s->nslots);

		while (s->slots[k] != 0)
		{
			e = &s->entries[s->slots[k] - 1];
			if (e->invoice_id == id)
				return e;
			k = (k + 1) & (s->nslots - 1);
		}
	}
	if (s->n == s->cap)
		Grow(s);
	e = &s->entries[s->n++];
	memset(e, 0, sizeof(InvoiceEntry));
	e->invoice_id = id;
	e->last_paid = NO_DATE;
	if (s->nslots != 0)
	{
		uint32		k = SlotOf(id, s->nslots);

		while (s->slots[k] != 0)
			k = (k + 1) & (s->nslots - 1);
		s->slots[k] = s->n;
	}
	return e;
}

static FactsState *
NewState(MemoryContext mcxt, DateADT as_of, int cap)
{
	FactsState *s = MemoryContextAllocZero(mcxt, sizeof(FactsState));
	MemoryContext old = MemoryContextSwitchTo(mcxt);

	s->as_of = as_of;
	s->first_order = s->last_order = s->prev_order = NO_DATE;
	s->entries = s->inline_entries;
	s->cap = INLINE_ENTRIES;
	while (s->cap < cap)
		Grow(s);
	MemoryContextSwitchTo(old);
	return s;
}

static MemoryContext
AggContext(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "%s called in non-aggregate context", fn);
	return aggcontext;
}

static void
AddPaid(InvoiceEntry *e, int64 amount, DateADT paid_on)
{
	e->paid += amount;
	if (paid_on > e->last_paid)
		e->last_paid = paid_on;
}

/* one order day: keeps the first, the last and the last but one distinct day */
static void
AddOrderDay(FactsState *s, DateADT d)
{
	if (d == NO_DATE)
		return;
	if (s->first_order == NO_DATE || d < s->first_order)
		s->first_order = d;
	if (d > s->last_order)
	{
		s->prev_order = s->last_order;
		s->last_order = d;
	}
	else if (d < s->last_order && d > s->prev_order)
		s->prev_order = d;
}

/*
 * A customer with no order up to as_of (services, direct invoicing: the ERP
 * writes invoices only) is active when it is invoiced: its invoices stand
 * for its orders in the order counts, order_months and the order days, so
 * that relationship stability, lifecycle stage, segments and RFM see its
 * activity.  Per customer, whichever the data has: a customer with orders
 * keeps its orders only, so an invoice billing an order is never counted as
 * a second sale (whether or not the ERP links it to the order).
 */
/*
 * The order facts of *s go to *act; for a customer without orders they are
 * taken from its invoices.  *s is left as it is: a final function must not
 * change the state (two identical aggregate calls may share it).  Only the
 * order fields of *act are set.
 */
static void
InvoicesAsOrders(const FactsState *s, FactsState *act)
{
	act->orders_12m = s->orders_12m;
	act->order_months = s->order_months;
	act->orders_90d = s->orders_90d;
	act->orders_prior_90d = s->orders_prior_90d;
	act->first_order = s->first_order;
	act->last_order = s->last_order;
	act->prev_order = s->prev_order;
	act->as_of = s->as_of;
	if (s->first_order != NO_DATE)
		return;
	for (int i = 0; i < s->n; i++)
	{
		InvoiceEntry *e = &s->entries[i];
		int32		days;

		if (!e->has_invoice)
			continue;
		days = s->as_of - e->issued;
		if (days < 365)
			act->orders_12m++;
		if (days < 360)
			act->order_months |= 1 << (days / 30);
		if (days < 90)
			act->orders_90d++;
		else if (days < 180)
			act->orders_prior_90d++;
		AddOrderDay(act, e->issued);
	}
}

PG_FUNCTION_INFO_V1(credit_facts_accum);

/*
 * credit_facts_accum(state, kind "char", invoice_id bigint, amount numeric,
 *					  d1 date, d2 date, as_of date)
 *	'i': an invoice, d1 issued, d2 due;  'p': a payment or credit note,
 *	d1 paid (invoice_id NULL: unapplied);  'o': an order, d1 ordered.
 *	Rows dated after as_of are ignored.
 */
Datum
credit_facts_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = AggContext(fcinfo, "credit_facts_accum");
	FactsState *s;
	char		kind;
	DateADT		d1;
	int			dscale = 0;

	if (PG_ARGISNULL(6))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("as_of must not be null")));
	s = PG_ARGISNULL(0) ? NewState(aggcontext, PG_GETARG_DATEADT(6), 4)
		: (FactsState *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("credit_facts_agg needs a kind and a date on every row")));
	kind = PG_GETARG_CHAR(1);
	d1 = PG_GETARG_DATEADT(4);
	if (d1 > s->as_of)
		PG_RETURN_POINTER(s);

	if (kind == 'o')
	{
		int32		days = s->as_of - d1;

		if (days < 365)
			s->orders_12m++;
		if (days < 360)
			s->order_months |= 1 << (days / 30);
		if (days < 90)
			s->orders_90d++;
		else if (days < 180)
			s->orders_prior_90d++;
		AddOrderDay(s, d1);
		PG_RETURN_POINTER(s);
	}
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("credit_facts_agg needs an amount on every invoice and payment")));

	if (kind == 'i')
	{
		InvoiceEntry *e;
		MemoryContext old;

		if (PG_ARGISNULL(2) || PG_ARGISNULL(5))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("credit_facts_agg needs the id and the due date of every invoice")));
		old = MemoryContextSwitchTo(aggcontext);
		e = EntryFor(s, PG_GETARG_INT64(2));
		MemoryContextSwitchTo(old);
		e->amount = Money4FromNumeric(PG_GETARG_DATUM(3), "invoice amount", &dscale);
		e->issued = d1;
		e->due = PG_GETARG_DATEADT(5);
		e->has_invoice = true;
	}
	else if (kind == 'p')
	{
		int64		amount = Money4FromNumeric(PG_GETARG_DATUM(3), "payment amount", &dscale);

		if (PG_ARGISNULL(2))
			s->unapplied += amount;
		else
		{
			MemoryContext old = MemoryContextSwitchTo(aggcontext);

			AddPaid(EntryFor(s, PG_GETARG_INT64(2)), amount, d1);
			MemoryContextSwitchTo(old);
		}
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown row kind \"%c\" for credit_facts_agg", kind),
				 errhint("Use 'i' for invoices, 'p' for payments and 'o' for orders.")));
	if (dscale > s->dscale)
		s->dscale = dscale;
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(credit_facts_combine);

Datum
credit_facts_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = AggContext(fcinfo, "credit_facts_combine");
	FactsState *a = PG_ARGISNULL(0) ? NULL : (FactsState *) PG_GETARG_POINTER(0);
	FactsState *b = PG_ARGISNULL(1) ? NULL : (FactsState *) PG_GETARG_POINTER(1);
	MemoryContext old;

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
		a = NewState(aggcontext, b->as_of, b->n);
	old = MemoryContextSwitchTo(aggcontext);
	for (int i = 0; i < b->n; i++)
	{
		InvoiceEntry *be = &b->entries[i];
		InvoiceEntry *ae = EntryFor(a, be->invoice_id);

		if (be->has_invoice)
		{
			ae->amount = be->amount;
			ae->issued = be->issued;
			ae->due = be->due;
			ae->has_invoice = true;
		}
		if (be->paid != 0 || be->last_paid != NO_DATE)
			AddPaid(ae, be->paid, be->last_paid);
	}
	MemoryContextSwitchTo(old);
	a->orders_12m += b->orders_12m;
	a->order_months |= b->order_months;
	a->orders_90d += b->orders_90d;
	a->orders_prior_90d += b->orders_prior_90d;
	/* b's first, last and last-but-one days are real order days of the union */
	AddOrderDay(a, b->first_order);
	AddOrderDay(a, b->prev_order);
	AddOrderDay(a, b->last_order);
	a->unapplied += b->unapplied;
	a->dscale = Max(a->dscale, b->dscale);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(credit_facts_serialize);

Datum
credit_facts_serialize(PG_FUNCTION_ARGS)
{
	FactsState *s = (FactsState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	AggContext(fcinfo, "credit_facts_serialize");
	pq_begintypsend(&buf);
	pq_sendint32(&buf, s->as_of);
	pq_sendint32(&buf, s->dscale);
	pq_sendint64(&buf, s->orders_12m);
	pq_sendint32(&buf, s->order_months);
	pq_sendint64(&buf, s->orders_90d);
	pq_sendint64(&buf, s->orders_prior_90d);
	pq_sendint32(&buf, s->first_order);
	pq_sendint32(&buf, s->last_order);
	pq_sendint32(&buf, s->prev_order);
	pq_sendint64(&buf, (int64) (s->unapplied >> 64));
	pq_sendint64(&buf, (int64) (uint64) s->unapplied);
	pq_sendint32(&buf, s->n);
	for (int i = 0; i < s->n; i++)
	{
		InvoiceEntry *e = &s->entries[i];

		pq_sendint64(&buf, e->invoice_id);
		pq_sendint64(&buf, e->amount);
		pq_sendint64(&buf, e->paid);
		pq_sendint32(&buf, e->issued);
		pq_sendint32(&buf, e->due);
		pq_sendint32(&buf, e->last_paid);
		pq_sendbyte(&buf, e->has_invoice);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(credit_facts_deserialize);

Datum
credit_facts_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = AggContext(fcinfo, "credit_facts_deserialize");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	FactsState *s;
	DateADT		as_of;
	int32		dscale;
	int64		orders;
	int32		months;
	int64		o90,
				o180;
	DateADT		first,
				last,
				prev;
	int64		hi;
	uint64		lo;
	int			n;
	MemoryContext old;

	buf.data = VARDATA_ANY(b);
	buf.len = VARSIZE_ANY_EXHDR(b);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	as_of = pq_getmsgint(&buf, 4);
	dscale = pq_getmsgint(&buf, 4);
	orders = pq_getmsgint64(&buf);
	months = pq_getmsgint(&buf, 4);
	o90 = pq_getmsgint64(&buf);
	o180 = pq_getmsgint64(&buf);
	first = pq_getmsgint(&buf, 4);
	last = pq_getmsgint(&buf, 4);
	prev = pq_getmsgint(&buf, 4);
	hi = pq_getmsgint64(&buf);
	lo = (uint64) pq_getmsgint64(&buf);
	n = pq_getmsgint(&buf, 4);
	if (n < 0 || n > (buf.len - buf.cursor) / 37)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid credit_facts_agg state: %d invoices in %d bytes", n, buf.len - buf.cursor)));
	s = NewState(aggcontext, as_of, n);
	s->dscale = dscale;
	s->orders_12m = orders;
	s->order_months = months;
	s->orders_90d = o90;
	s->orders_prior_90d = o180;
	s->first_order = first;
	s->last_order = last;
	s->prev_order = prev;
	s->unapplied = ((int128) hi << 64) | lo;
	old = MemoryContextSwitchTo(aggcontext);
	for (int i = 0; i < n; i++)
	{
		InvoiceEntry *e = EntryFor(s, pq_getmsgint64(&buf));

		e->amount = pq_getmsgint64(&buf);
		e->paid = pq_getmsgint64(&buf);
		e->issued = pq_getmsgint(&buf, 4);
		e->due = pq_getmsgint(&buf, 4);
		e->last_paid = pq_getmsgint(&buf, 4);
		e->has_invoice = pq_getmsgbyte(&buf) != 0;
	}
	MemoryContextSwitchTo(old);
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(s);
}

/* round num / den to a numeric with 'scale' decimals, half away from zero */
static Datum
RatioNumeric(int128 num, int128 den, int scale)
{
	int128		pow = 1;
	int128		q;
	bool		neg = (num < 0) != (den < 0);

	for (int i = 0; i < scale; i++)
		pow *= 10;
	if (num < 0)
		num = -num;
	if (den < 0)
		den = -den;
	q = (num * pow * 2 + den) / (den * 2);
	if (neg)
		q = -q;
	return DirectFunctionCall2(numeric_round,
							   NumericGetDatum(int64_div_fast_to_numeric((int64) q, scale)),
							   Int32GetDatum(scale));
}

/* the payment index of weighted_days / amount: the exact one of payment_behavior_agg */
static Datum
IndexNumeric(int128 weighted_days, int128 amount)
{
	if (amount < 0)
	{
		weighted_days = -weighted_days;
		amount = -amount;
	}
	return PaymentIndexFromSums(weighted_days, amount);
}

/*
 * The fields of txn_facts that credit_facts_final fills.  The row is filled
 * by attribute name, checked once per query against the result type: a
 * txn_facts of another shape (an older or newer SQL script under this
 * library) is an error naming the field, never a row filled by position.
 */
enum
{
	T_REVENUE_12M, T_ORDERS_12M, T_ORDER_MONTHS, T_INVOICES, T_INVOICES_PAID,
	T_ON_TIME_RATIO, T_DAYS_BEYOND_TERMS, T_PAYMENT_INDEX, T_RECENT_PAYMENT_INDEX,
	T_OPEN_BALANCE, T_OVERDUE_BALANCE, T_DEFAULTS, T_FIRST_ISSUED, T_INVOICES_12M,
	T_OVERDUE_INVOICES, T_REVENUE_180D, T_REVENUE_PRIOR_180D, T_ORDERS_90D,
	T_ORDERS_PRIOR_90D, T_FIRST_ORDER_ON, T_LAST_ORDER_ON, T_PREVIOUS_ORDER_ON,
	T_OVERDUE_30D_BALANCE, T_PAY_DAYS_MEDIAN, T_PAY_DAYS_SPREAD, T_LAST_PAY_DAYS,
	T_PREV_PAY_DAYS, T_LAST_SETTLED_ON, T_OLDEST_OPEN_ISSUED_ON, NUM_TXN_FIELDS
};

static const RowField txn_fields[NUM_TXN_FIELDS] = {
	[T_REVENUE_12M] = {"revenue_12m", NUMERICOID},
	[T_ORDERS_12M] = {"orders_12m", INT4OID},
	[T_ORDER_MONTHS] = {"order_months", INT4OID},
	[T_INVOICES] = {"invoices", INT4OID},
	[T_INVOICES_PAID] = {"invoices_paid", INT4OID},
	[T_ON_TIME_RATIO] = {"on_time_ratio", NUMERICOID},
	[T_DAYS_BEYOND_TERMS] = {"days_beyond_terms", NUMERICOID},
	[T_PAYMENT_INDEX] = {"payment_index", NUMERICOID},
	[T_RECENT_PAYMENT_INDEX] = {"recent_payment_index", NUMERICOID},
	[T_OPEN_BALANCE] = {"open_balance", NUMERICOID},
	[T_OVERDUE_BALANCE] = {"overdue_balance", NUMERICOID},
	[T_DEFAULTS] = {"defaults", INT4OID},
	[T_FIRST_ISSUED] = {"first_issued", DATEOID},
	[T_INVOICES_12M] = {"invoices_12m", INT4OID},
	[T_OVERDUE_INVOICES] = {"overdue_invoices", INT4OID},
	[T_REVENUE_180D] = {"revenue_180d", NUMERICOID},
	[T_REVENUE_PRIOR_180D] = {"revenue_prior_180d", NUMERICOID},
	[T_ORDERS_90D] = {"orders_90d", INT4OID},
	[T_ORDERS_PRIOR_90D] = {"orders_prior_90d", INT4OID},
	[T_FIRST_ORDER_ON] = {"first_order_on", DATEOID},
	[T_LAST_ORDER_ON] = {"last_order_on", DATEOID},
	[T_PREVIOUS_ORDER_ON] = {"previous_order_on", DATEOID},
	[T_OVERDUE_30D_BALANCE] = {"overdue_30d_balance", NUMERICOID},
	[T_PAY_DAYS_MEDIAN] = {"pay_days_median", NUMERICOID},
	[T_PAY_DAYS_SPREAD] = {"pay_days_spread", NUMERICOID},
	[T_LAST_PAY_DAYS] = {"last_pay_days", INT4OID},
	[T_PREV_PAY_DAYS] = {"prev_pay_days", INT4OID},
	[T_LAST_SETTLED_ON] = {"last_settled_on", DATEOID},
	[T_OLDEST_OPEN_ISSUED_ON] = {"oldest_open_issued_on", DATEOID},
};

/* the result descriptor and where each field goes in it */
typedef struct FinalCache
{
	FnCacheKey	key;			/* no row arguments: always valid */
	TupleDesc	desc;
	int			att[NUM_TXN_FIELDS];
} FinalCache;

/* fills a new credit_facts_final cache (FnCacheGet) */
static void
BuildFinalCache(FunctionCallInfo fcinfo, void *p, MemoryContext mcxt)
{
	FinalCache *c = (FinalCache *) p;

	c->desc = ResultRowDesc(fcinfo, mcxt);
	MatchRowFields(c->desc, txn_fields, NUM_TXN_FIELDS, c->att);
}

PG_FUNCTION_INFO_V1(credit_facts_final);

/* the facts, as a txn_facts row */
Datum
credit_facts_final(PG_FUNCTION_ARGS)
{
	FactsState *s = PG_ARGISNULL(0) ? NULL : (FactsState *) PG_GETARG_POINTER(0);
	FinalCache *cache;
	const int  *att;			/* result attribute of each T_ field */
	Datum	   *v;
	bool	   *null;
	int128		revenue = 0,
				revenue_180 = 0,
				revenue_prior_180 = 0,
				open = 0,
				overdue = 0,
				overdue_30 = 0,
				paid_amount = 0,
				on_time_amount = 0,
				weighted_days = 0,
				recent_amount = 0,
				recent_days = 0,
				unmatched;
	int			invoices = 0,
				invoices_12m = 0,
				overdue_invoices = 0,
				paid = 0,
				defaults = 0;
	DateADT		first = NO_DATE;
	DateADT		oldest_open = NO_DATE;	/* issue day of the oldest open invoice */
	SettledInvoice *settled;
	PayRhythm	rhythm;
	FactsState	act;			/* the order facts, see InvoicesAsOrders */

	if (s == NULL)
		PG_RETURN_NULL();
	/* the result descriptor and field positions, checked once per query */
	cache = (FinalCache *) FnCacheGet(fcinfo, sizeof(FinalCache), InvalidOid, InvalidOid,
									  BuildFinalCache);
	att = cache->att;
	v = palloc(sizeof(Datum) * cache->desc->natts);
	null = palloc(sizeof(bool) * cache->desc->natts);
	/* dropped attributes stay NULL; every live one is set below */
	for (int i = 0; i < cache->desc->natts; i++)
		null[i] = true;
	for (int i = 0; i < NUM_TXN_FIELDS; i++)
		null[att[i]] = false;

	InvoicesAsOrders(s, &act);
	unmatched = s->unapplied;
	settled = palloc(sizeof(SettledInvoice) * Max(s->n, 1));
	for (int i = 0; i < s->n; i++)
	{
		InvoiceEntry *e = &s->entries[i];
		int64		rest;

		if (!e->has_invoice)
		{
			/* paid on an invoice we do not see (issued after as_of): a credit */
			unmatched += e->paid;
			continue;
		}
		invoices++;
		if (first == NO_DATE || e->issued < first)
			first = e->issued;
		if (s->as_of - e->issued < 365)
		{
			revenue += e->amount;
			invoices_12m++;
		}
		if (s->as_of - e->issued < 180)
			revenue_180 += e->amount;
		else if (s->as_of - e->issued < 360)
			revenue_prior_180 += e->amount;
		rest = e->amount - e->paid;
		open += rest;			/* an overpaid invoice is a credit */
		if (rest > 0)
		{
			if (oldest_open == NO_DATE || e->issued < oldest_open)
				oldest_open = e->issued;
			if (e->due < s->as_of)
			{
				overdue += rest;
				overdue_invoices++;
				if (s->as_of - e->due > 30)
					overdue_30 += rest;
			}
			if (s->as_of - e->due > 90)
				defaults++;
		}
		else if (e->last_paid != NO_DATE)
		{
			int32		days = e->last_paid - e->due;

			settled[paid].settled = e->last_paid;
			settled[paid].issued = e->issued;
			settled[paid].invoice_id = e->invoice_id;
			paid++;
			paid_amount += e->amount;
			weighted_days += (int128) e->amount * days;
			if (days <= 0)
				on_time_amount += e->amount;
			if (s->as_of - e->last_paid < 90)
			{
				recent_amount += e->amount;
				recent_days += (int128) e->amount * days;
			}
		}
	}

	v[att[T_REVENUE_12M]] = Money4ToNumericScaled(revenue, s->dscale);
	v[att[T_ORDERS_12M]] = Int32GetDatum((int32) act.orders_12m);
	v[att[T_ORDER_MONTHS]] = Int32GetDatum(act.order_months);
	v[att[T_INVOICES]] = Int32GetDatum(invoices);
	v[att[T_INVOICES_PAID]] = Int32GetDatum(paid);
	null[att[T_ON_TIME_RATIO]] = null[att[T_DAYS_BEYOND_TERMS]] = paid_amount == 0;
	if (paid_amount != 0)
	{
		v[att[T_ON_TIME_RATIO]] = RatioNumeric(on_time_amount, paid_amount, 4);
		v[att[T_DAYS_BEYOND_TERMS]] = RatioNumeric(weighted_days, paid_amount, 2);
	}
	null[att[T_PAYMENT_INDEX]] = paid < 3 || paid_amount == 0;
	if (!null[att[T_PAYMENT_INDEX]])
		v[att[T_PAYMENT_INDEX]] = IndexNumeric(weighted_days, paid_amount);
	null[att[T_RECENT_PAYMENT_INDEX]] = recent_amount == 0;
	if (recent_amount != 0)
		v[att[T_RECENT_PAYMENT_INDEX]] = IndexNumeric(recent_days, recent_amount);
	v[att[T_OPEN_BALANCE]] = Money4ToNumericScaled(open - unmatched, s->dscale);
	v[att[T_OVERDUE_BALANCE]] = Money4ToNumericScaled(overdue, s->dscale);
	v[att[T_DEFAULTS]] = Int32GetDatum(defaults);
	null[att[T_FIRST_ISSUED]] = first == NO_DATE;
	v[att[T_FIRST_ISSUED]] = DateADTGetDatum(first);
	v[att[T_INVOICES_12M]] = Int32GetDatum(invoices_12m);
	v[att[T_OVERDUE_INVOICES]] = Int32GetDatum(overdue_invoices);
	v[att[T_REVENUE_180D]] = Money4ToNumericScaled(revenue_180, s->dscale);
	v[att[T_REVENUE_PRIOR_180D]] = Money4ToNumericScaled(revenue_prior_180, s->dscale);
	v[att[T_ORDERS_90D]] = Int32GetDatum((int32) act.orders_90d);
	v[att[T_ORDERS_PRIOR_90D]] = Int32GetDatum((int32) act.orders_prior_90d);
	null[att[T_FIRST_ORDER_ON]] = act.first_order == NO_DATE;
	v[att[T_FIRST_ORDER_ON]] = DateADTGetDatum(act.first_order);
	null[att[T_LAST_ORDER_ON]] = act.last_order == NO_DATE;
	v[att[T_LAST_ORDER_ON]] = DateADTGetDatum(act.last_order);
	null[att[T_PREVIOUS_ORDER_ON]] = act.prev_order == NO_DATE;
	v[att[T_PREVIOUS_ORDER_ON]] = DateADTGetDatum(act.prev_order);
	v[att[T_OVERDUE_30D_BALANCE]] = Money4ToNumericScaled(overdue_30, s->dscale);

	/* payment rhythm: medians are multiples of a quarter day, exact at 2 decimals */
	PayRhythmOf(settled, paid, &rhythm);
	null[att[T_PAY_DAYS_MEDIAN]] = null[att[T_PAY_DAYS_SPREAD]] = rhythm.baseline == 0;
	v[att[T_PAY_DAYS_MEDIAN]] = NumericGetDatum(int64_div_fast_to_numeric((int64) llround(rhythm.median * 100.0), 2));
	v[att[T_PAY_DAYS_SPREAD]] = NumericGetDatum(int64_div_fast_to_numeric((int64) llround(rhythm.spread * 100.0), 2));
	null[att[T_LAST_PAY_DAYS]] = null[att[T_LAST_SETTLED_ON]] = paid < 1;
	v[att[T_LAST_PAY_DAYS]] = Int32GetDatum(rhythm.last_days);
	null[att[T_PREV_PAY_DAYS]] = paid < 2;
	v[att[T_PREV_PAY_DAYS]] = Int32GetDatum(rhythm.prev_days);
	v[att[T_LAST_SETTLED_ON]] = DateADTGetDatum(rhythm.last_settled);
	null[att[T_OLDEST_OPEN_ISSUED_ON]] = oldest_open == NO_DATE;
	v[att[T_OLDEST_OPEN_ISSUED_ON]] = DateADTGetDatum(oldest_open);
	pfree(settled);

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(cache->desc, v, null)));
}
