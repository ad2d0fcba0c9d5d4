/*
 * payment_behavior.c
 *		payment_behavior_agg(amount, issued_on, due_on, paid_on, as_of
 *		[, open_amount]) and its state type payment_stats.
 *
 * One pass over a customer's invoices gives counts, exact balances and
 * amount-weighted day sums; the final function turns them into ratios,
 * averages and a PAYDEX-style index (composite type payment_behavior).
 *
 * Rules (docs/receivables.md):
 *	- a NULL amount is skipped; a NULL as_of is an error (22023);
 *	- an invoice issued after as_of does not exist yet: skipped;
 *	- a payment date after as_of has not happened yet: the invoice is open;
 *	- NULL due date = due on issue; NULL issue date = issued on the due date;
 *	  both NULL is an error (22023);
 *	- paid before issued (a prepayment) counts 0 days to pay;
 *	- open amount: the 6th argument when given, else the whole amount while
 *	  unpaid and 0 once paid.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "exact_money.h"
#include "payment_behavior.h"
#include "payment_index.h"
#include "rowutil.h"
#include "state_text.h"

typedef enum PayFieldKind
{
	PF_COUNT,					/* int64 */
	PF_MONEY,					/* int128 at the state's scale */
	PF_DAYS						/* int32, PAYSTATS_NONE_OPEN shown as null */
} PayFieldKind;

typedef struct PayField
{
	const char *name;
	PayFieldKind kind;
	size_t		offset;
} PayField;

/* The fields in text/binary order. */
static const PayField PayFields[] = {
	{"invoices", PF_COUNT, offsetof(PayStats, invoices)},
	{"billed", PF_MONEY, offsetof(PayStats, billed)},
	{"open_invoices", PF_COUNT, offsetof(PayStats, open_invoices)},
	{"open_balance", PF_MONEY, offsetof(PayStats, open_balance)},
	{"overdue_balance", PF_MONEY, offsetof(PayStats, overdue_balance)},
	{"max_days_past_due", PF_DAYS, offsetof(PayStats, max_days_past_due)},
	{"paid", PF_COUNT, offsetof(PayStats, paid)},
	{"paid_on_time", PF_COUNT, offsetof(PayStats, paid_on_time)},
	{"paid_late", PF_COUNT, offsetof(PayStats, paid_late)},
	{"paid_amount", PF_MONEY, offsetof(PayStats, paid_amount)},
	{"on_time_amount", PF_MONEY, offsetof(PayStats, on_time_amount)},
	{"days_to_pay_wsum", PF_MONEY, offsetof(PayStats, days_to_pay_wsum)},
	{"days_beyond_wsum", PF_MONEY, offsetof(PayStats, days_beyond_wsum)},
	{"days_signed_wsum", PF_MONEY, offsetof(PayStats, days_signed_wsum)},
};

#define FIELD_PTR(s, f, type)	((type *) ((char *) (s) + (f)->offset))

static PayStats *
PayStatsCreate(int scale)
{
	PayStats   *s = palloc0(sizeof(PayStats));

	SET_VARSIZE(s, sizeof(PayStats));
	s->version = PAYSTATS_VERSION;
	s->scale = scale;
	s->max_days_past_due = PAYSTATS_NONE_OPEN;
	return s;
}

/* Raise the scale of every money field. */
static void
PayStatsRaiseScale(PayStats *s, int scale)
{
	int			i;

	if (scale <= s->scale)
		return;
	for (i = 0; i < lengthof(PayFields); i++)
		if (PayFields[i].kind == PF_MONEY)
		{
			int128	   *v = FIELD_PTR(s, &PayFields[i], int128);

			*v = ExactMulPow10(*v, scale - s->scale, "payment_stats amount");
		}
	s->scale = scale;
}

static void
PayStatsAddInto(PayStats *dst, const PayStats *src)
{
	int			i;

	PayStatsRaiseScale(dst, src->scale);
	for (i = 0; i < lengthof(PayFields); i++)
	{
		const PayField *f = &PayFields[i];

		switch (f->kind)
		{
			case PF_COUNT:
				*FIELD_PTR(dst, f, int64) += *FIELD_PTR(src, f, int64);
				break;
			case PF_MONEY:
				*FIELD_PTR(dst, f, int128) =
					ExactAdd(*FIELD_PTR(dst, f, int128),
							 ExactMulPow10(*FIELD_PTR(src, f, int128), dst->scale - src->scale,
										   "payment_stats amount"),
							 "payment_stats amount");
				break;
			case PF_DAYS:
				*FIELD_PTR(dst, f, int32) = Max(*FIELD_PTR(dst, f, int32), *FIELD_PTR(src, f, int32));
				break;
		}
	}
}

static int64
DayDiff(DateADT later, DateADT earlier)
{
	if (DATE_NOT_FINITE(later) || DATE_NOT_FINITE(earlier))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("payment_behavior_agg: dates must be finite")));
	return (int64) later - (int64) earlier;
}

static void
AddMoney(int128 *field, int128 v)
{
	*field = ExactAdd(*field, v, "payment_stats amount");
}

PG_FUNCTION_INFO_V1(payment_stats_accum);

/*
 * SQL: payment_stats_accum(payment_stats, amount numeric, issued_on date,
 *		due_on date, paid_on date, as_of date [, open_amount numeric])
 */
Datum
payment_stats_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	PayStats   *s;
	ExactDecimal amount;
	ExactDecimal open;
	bool		have_open = PG_NARGS() > 6 && !PG_ARGISNULL(6);
	DateADT		issued;
	DateADT		due;
	DateADT		as_of;
	bool		paid;
	int128		units;
	int128		open_units = 0;
	int			scale;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		aggcontext = NULL;
	if (PG_ARGISNULL(5))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("payment_behavior_agg: as_of must not be null"),
				 errhint("Pass a date, e.g. customer_class.as_of().")));

	if (PG_ARGISNULL(0))
		s = NULL;
	else if (aggcontext)
		s = (PayStats *) PG_GETARG_POINTER(0);
	else
		s = (PayStats *) PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(0));

	if (PG_ARGISNULL(1))
		goto done;
	as_of = PG_GETARG_DATEADT(5);
	if (PG_ARGISNULL(2) && PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("payment_behavior_agg: an invoice needs an issue date or a due date")));
	issued = PG_ARGISNULL(2) ? PG_GETARG_DATEADT(3) : PG_GETARG_DATEADT(2);
	due = PG_ARGISNULL(3) ? issued : PG_GETARG_DATEADT(3);
	if (DayDiff(issued, as_of) > 0)
		goto done;				/* not issued yet as of as_of */
	paid = !PG_ARGISNULL(4) && DayDiff(PG_GETARG_DATEADT(4), as_of) <= 0;

	if (s == NULL ||
		!ExactUnitsFast(PG_GETARG_DATUM(1), s->scale, &units) ||
		(have_open && !ExactUnitsFast(PG_GETARG_DATUM(6), s->scale, &open_units)))
	{
		/* slow path: a new state, long numbers, or more decimals */
		ExactDecimalFromNumeric(PG_GETARG_DATUM(1), "payment_behavior_agg amount", &amount);
		scale = ExactDecimalScale(&amount);
		if (have_open)
		{
			ExactDecimalFromNumeric(PG_GETARG_DATUM(6), "payment_behavior_agg open amount", &open);
			scale = Max(scale, ExactDecimalScale(&open));
		}
		if (scale > EXACT_MONEY_MAX_SCALE)
			ExactMoneyOverflow("payment_behavior_agg amount");
		if (s == NULL)
			s = PayStatsCreate(Max(scale, 2));	/* the executor copies it */
		else
			PayStatsRaiseScale(s, scale);
		units = ExactDecimalAtScale(&amount, s->scale, "payment_behavior_agg amount");
		if (have_open)
			open_units = ExactDecimalAtScale(&open, s->scale, "payment_behavior_agg open amount");
	}
	if (!have_open)
		open_units = units;

	s->invoices++;
	AddMoney(&s->billed, units);
	if (paid)
	{
		DateADT		paid_on = PG_GETARG_DATEADT(4);
		int64		to_pay = Max(DayDiff(paid_on, issued), 0);
		int64		beyond = DayDiff(paid_on, due);

		s->paid++;
		AddMoney(&s->paid_amount, units);
		AddMoney(&s->days_to_pay_wsum, ExactMul(units, to_pay, "payment_stats amount"));
		AddMoney(&s->days_signed_wsum, ExactMul(units, beyond, "payment_stats amount"));
		if (beyond <= 0)
		{
			s->paid_on_time++;
			AddMoney(&s->on_time_amount, units);
		}
		else
		{
			s->paid_late++;
			AddMoney(&s->days_beyond_wsum, ExactMul(units, beyond, "payment_stats amount"));
		}
	}
	if (!paid || have_open)
	{
		if (open_units != 0)
		{
			int64		past_due = DayDiff(as_of, due);

			s->open_invoices++;
			AddMoney(&s->open_balance, open_units);
			if (past_due > 0)
				AddMoney(&s->overdue_balance, open_units);
			s->max_days_past_due = Max(s->max_days_past_due,
									   (int32) Min(Max(past_due, 0), PG_INT32_MAX));
		}
	}

done:
	if (s == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(payment_stats_combine);

/* SQL: payment_stats_combine(payment_stats, payment_stats); NULL-safe */
Datum
payment_stats_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	PayStats   *a;
	PayStats   *b;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		aggcontext = NULL;
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	b = (PayStats *) PG_DETOAST_DATUM(PG_GETARG_DATUM(1));
	if (PG_ARGISNULL(0))
	{
		a = palloc(sizeof(PayStats));
		memcpy(a, b, sizeof(PayStats));
		PG_RETURN_POINTER(a);
	}
	if (aggcontext)
		a = (PayStats *) PG_GETARG_POINTER(0);
	else
		a = (PayStats *) PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(0));
	PayStatsAddInto(a, b);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(payment_stats_add);

/* SQL: payment_stats + payment_stats */
Datum
payment_stats_add(PG_FUNCTION_ARGS)
{
	PayStats   *a = (PayStats *) PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(0));
	PayStats   *b = (PayStats *) PG_DETOAST_DATUM(PG_GETARG_DATUM(1));

	PayStatsAddInto(a, b);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(payment_stats_out);

/* SQL: payment_stats_out -- {"invoices": 3, "billed": 300.00, ...} */
Datum
payment_stats_out(PG_FUNCTION_ARGS)
{
	PayStats   *s = (PayStats *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (i = 0; i < lengthof(PayFields); i++)
	{
		const PayField *f = &PayFields[i];

		appendStringInfo(&buf, "%s\"%s\": ", i > 0 ? ", " : "", f->name);
		switch (f->kind)
		{
			case PF_COUNT:
				appendStringInfo(&buf, INT64_FORMAT, *FIELD_PTR(s, f, int64));
				break;
			case PF_MONEY:
				ExactAppendScaled(&buf, *FIELD_PTR(s, f, int128), s->scale);
				break;
			case PF_DAYS:
				if (*FIELD_PTR(s, f, int32) == PAYSTATS_NONE_OPEN)
					appendStringInfoString(&buf, "null");
				else
					appendStringInfo(&buf, "%d", *FIELD_PTR(s, f, int32));
				break;
		}
	}
	appendStringInfoChar(&buf, '}');
	PG_FREE_IF_COPY(s, 0);
	PG_RETURN_CSTRING(buf.data);
}

#define PAYSTATS_CONSISTENCY_DETAIL \
	"The counts are inconsistent: no count may be negative, paid must equal paid_on_time + paid_late, neither paid nor open_invoices may exceed invoices, and max_days_past_due is null exactly when open_invoices is 0 (else not negative)."

/*
 * Do the counts of a state read from outside (text or binary) fit together
 * as the transition function would have left them?  Counts are >= 0 and
 * max_days_past_due is NONE_OPEN or >= 0.
 */
static bool
PayStatsCountsConsistent(const PayStats *s)
{
	if (s->invoices < 0 || s->open_invoices < 0 || s->paid < 0 ||
		s->paid_on_time < 0 || s->paid_late < 0)
		return false;
	if (s->max_days_past_due < 0 && s->max_days_past_due != PAYSTATS_NONE_OPEN)
		return false;
	/* both terms are >= 0 and at most PG_INT64_MAX: the sum cannot wrap */
	return (uint64) s->paid_on_time + (uint64) s->paid_late == (uint64) s->paid &&
		s->paid <= s->invoices &&
		s->open_invoices <= s->invoices &&
		(s->open_invoices == 0) == (s->max_days_past_due == PAYSTATS_NONE_OPEN);
}

PG_FUNCTION_INFO_V1(payment_stats_in);

/* SQL: payment_stats_in(cstring) -- every key, in order */
Datum
payment_stats_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	StateReader r;
	PayStats   *s = PayStatsCreate(0);
	int			scales[lengthof(PayFields)];
	int			scale = 0;
	int			i;

	StateReaderInit(&r, str, "payment_stats");
	StateExpect(&r, '{');
	for (i = 0; i < lengthof(PayFields); i++)
	{
		const PayField *f = &PayFields[i];

		if (i > 0)
			StateExpect(&r, ',');
		StateExpectKey(&r, f->name);
		scales[i] = 0;
		switch (f->kind)
		{
			case PF_COUNT:
				*FIELD_PTR(s, f, int64) = StateReadInt(&r, 0, PG_INT64_MAX);
				break;
			case PF_MONEY:
				*FIELD_PTR(s, f, int128) = StateReadDecimal(&r, &scales[i]);
				scale = Max(scale, scales[i]);
				break;
			case PF_DAYS:
				if (!StateTryNull(&r))
					*FIELD_PTR(s, f, int32) = (int32) StateReadInt(&r, 0, PG_INT32_MAX);
				break;
		}
	}
	StateExpect(&r, '}');
	StateExpectEnd(&r);
	if (!PayStatsCountsConsistent(s))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type payment_stats: \"%s\"", str),
				 errdetail(PAYSTATS_CONSISTENCY_DETAIL)));
	for (i = 0; i < lengthof(PayFields); i++)
		if (PayFields[i].kind == PF_MONEY)
			*FIELD_PTR(s, &PayFields[i], int128) =
				ExactMulPow10(*FIELD_PTR(s, &PayFields[i], int128), scale - scales[i],
							  "payment_stats amount");
	s->scale = scale;
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(payment_stats_send);

/* SQL: payment_stats_send -- version byte, scale, then the fields in order */
Datum
payment_stats_send(PG_FUNCTION_ARGS)
{
	PayStats   *s = (PayStats *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	StringInfoData buf;
	int			i;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, PAYSTATS_VERSION);
	pq_sendint16(&buf, s->scale);
	for (i = 0; i < lengthof(PayFields); i++)
	{
		const PayField *f = &PayFields[i];

		switch (f->kind)
		{
			case PF_COUNT:
				pq_sendint64(&buf, *FIELD_PTR(s, f, int64));
				break;
			case PF_MONEY:
				{
					uint128		v = (uint128) *FIELD_PTR(s, f, int128);

					pq_sendint64(&buf, (int64) (uint64) (v >> 64));
					pq_sendint64(&buf, (int64) (uint64) v);
				}
				break;
			case PF_DAYS:
				pq_sendint32(&buf, *FIELD_PTR(s, f, int32));
				break;
		}
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(payment_stats_recv);

/* SQL: payment_stats_recv(internal) -- lengths checked before reading */
Datum
payment_stats_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version = pq_getmsgbyte(buf);
	int			scale;
	int			expected = 0;
	PayStats   *s;
	int			i;

	if (version != PAYSTATS_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported payment_stats binary format version %d", version)));
	scale = pq_getmsgint(buf, 2);
	if (scale < 0 || scale > EXACT_MONEY_MAX_SCALE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid payment_stats binary value: scale %d", scale)));
	for (i = 0; i < lengthof(PayFields); i++)
		expected += PayFields[i].kind == PF_COUNT ? 8 : PayFields[i].kind == PF_MONEY ? 16 : 4;
	if (buf->len - buf->cursor != expected)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid payment_stats binary value: %d bytes instead of %d",
						buf->len - buf->cursor, expected)));
	s = PayStatsCreate(scale);
	for (i = 0; i < lengthof(PayFields); i++)
	{
		const PayField *f = &PayFields[i];

		switch (f->kind)
		{
			case PF_COUNT:
				*FIELD_PTR(s, f, int64) = pq_getmsgint64(buf);
				break;
			case PF_MONEY:
				{
					uint64		hi = (uint64) pq_getmsgint64(buf);
					uint64		lo = (uint64) pq_getmsgint64(buf);

					*FIELD_PTR(s, f, int128) = (int128) (((uint128) hi << 64) | lo);
				}
				break;
			case PF_DAYS:
				*FIELD_PTR(s, f, int32) = pq_getmsgint(buf, 4);
				break;
		}
	}
	pq_getmsgend(buf);
	for (i = 0; i < lengthof(PayFields); i++)
		if (PayFields[i].kind == PF_MONEY &&
			!ExactInRange(*FIELD_PTR(s, &PayFields[i], int128)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid payment_stats binary value: %s out of range", PayFields[i].name),
					 errdetail("Sums are kept within 10^37 units of the value's scale.")));
	if (!PayStatsCountsConsistent(s))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid payment_stats binary value"),
				 errdetail(PAYSTATS_CONSISTENCY_DETAIL)));
	PG_RETURN_POINTER(s);
}

/* Result of payment_behavior(): the composite type's descriptor, cached. */
typedef struct BehaviorCache
{
	FnCacheKey	key;			/* no row arguments: always valid */
	TupleDesc	desc;
} BehaviorCache;

static void
BuildBehaviorCache(FunctionCallInfo fcinfo, void *p, MemoryContext mcxt)
{
	((BehaviorCache *) p)->desc = ResultRowDesc(fcinfo, mcxt);
}

static TupleDesc
BehaviorTupleDesc(FunctionCallInfo fcinfo)
{
	return ((BehaviorCache *) FnCacheGet(fcinfo, sizeof(BehaviorCache), InvalidOid, InvalidOid,
										 BuildBehaviorCache))->desc;
}

#define BEHAVIOR_NATTS	15

PG_FUNCTION_INFO_V1(payment_behavior_final);

/* SQL: payment_behavior(payment_stats) returns payment_behavior */
Datum
payment_behavior_final(PG_FUNCTION_ARGS)
{
	PayStats   *s;
	TupleDesc	desc;
	Datum		v[BEHAVIOR_NATTS];
	bool		nulls[BEHAVIOR_NATTS];
	bool		paid_amount = false;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (PayStats *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	desc = BehaviorTupleDesc(fcinfo);
	if (desc->natts != BEHAVIOR_NATTS)
		elog(ERROR, "payment_behavior has %d attributes, expected %d", desc->natts, BEHAVIOR_NATTS);
	memset(nulls, 0, sizeof(nulls));
	paid_amount = s->paid_amount > 0;

	v[0] = Int64GetDatum(s->invoices);
	v[1] = ExactToNumeric(s->billed, s->scale);
	v[2] = Int64GetDatum(s->open_invoices);
	v[3] = ExactToNumeric(s->open_balance, s->scale);
	v[4] = ExactToNumeric(s->overdue_balance, s->scale);
	v[5] = Int32GetDatum(s->max_days_past_due);
	nulls[5] = s->max_days_past_due == PAYSTATS_NONE_OPEN;
	v[6] = Int64GetDatum(s->paid);
	v[7] = Int64GetDatum(s->paid_on_time);
	v[8] = Int64GetDatum(s->paid_late);
	/* on-time ratio by count and by amount */
	nulls[9] = s->paid == 0;
	if (!nulls[9])
		v[9] = ExactRatioToNumeric(s->paid_on_time, s->paid, 4);
	nulls[10] = nulls[11] = nulls[12] = nulls[13] = !paid_amount;
	if (paid_amount)
	{
		v[10] = ExactRatioToNumeric(s->on_time_amount, s->paid_amount, 4);
		v[11] = ExactRatioToNumeric(s->days_to_pay_wsum, s->paid_amount, 2);
		v[12] = ExactRatioToNumeric(s->days_beyond_wsum, s->paid_amount, 2);
		v[13] = ExactRatioToNumeric(s->days_signed_wsum, s->paid_amount, 2);
	}
	nulls[14] = !paid_amount || s->paid < 3;
	if (!nulls[14])
		v[14] = PaymentIndexFromSums(s->days_signed_wsum, s->paid_amount);

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, v, nulls)));
}
