/*
 * credit_context.c
 *		Whether a credit check may have something to say, answered from a
 *		per-backend cache of what the check needs to know about a customer.
 *
 * credit_context() (src/sql/credit/check.sql) reads the mode in force (settings,
 * exceptions), the limit (override, the customer's own limit, grade and
 * limit policy), the rules and the oldest overdue invoice: a dozen scans whose
 * executor start-up alone cost more than the rest of an order insert.  Nearly
 * all of it changes only when an admin or refresh() writes one of a few
 * tables, so the C order trigger keeps it per (customer, checkpoint, as-of
 * date) here.  A limit computed from sales (policy method sales_multiple)
 * moves with every invoice: such a customer is not cached.
 *
 * Invalidation.  Statement triggers (credit_context_changed, ENABLE ALWAYS so
 * that replica-mode loads fire them too) send a relcache invalidation:
 *	- on the settings, exceptions, overrides, limit policy, customers and
 *	  profiles, for credit_setting: every backend drops its whole cache (as
 *	  it does on DDL on any table read, and on any change of a function);
 *	- on invoices and payments, for the sequence credit_receivables_signal
 *	  (which nothing else uses, so no plan or relcache entry is rebuilt for
 *	  it): every backend forgets what it knew about overdue invoices, and the
 *	  next check of each customer asks the database again.
 * The invalidation reaches other backends when the writer commits, before
 * its locks go, and the trigger takes it in (AcceptInvalidationMessages)
 * before it looks in the cache; it is transactional like any other (own
 * changes flush at the next command, an abort flushes what was read from
 * its changes).  What is read is stored only when no invalidation arrived
 * while it was being read, so nothing read before a change committed can
 * outlive that change's invalidation.
 *
 * Under REPEATABLE READ and SERIALIZABLE the cache is not used: there the
 * check reads as of the transaction's snapshot, which may be older than what
 * the cache holds, so credit_enforce() evaluates every check.
 *
 * The cache only answers "nothing to say" or "ask credit_enforce()": the
 * verdicts, messages and alerts always come from the SQL functions.  The
 * answer applies the credit rules of credit_rule.c, the ones
 * credit_evaluate() applies, to what credit_context() returned: a customer
 * whose limit cannot be cached is read and decided the same way, only not
 * kept.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "as_of.h"
#include "credit_context.h"
#include "credit_rule.h"
#include "spi_plan.h"

/* cache key: a customer at a checkpoint on an as-of date */
typedef struct ContextKey
{
	int64		customer_id;
	int32		checkpoint;
	DateADT		as_of;
} ContextKey;

/* what the fast path needs, from credit_context()'s row */
typedef struct ContextEntry
{
	ContextKey	key;
	bool		mode_off;		/* the check is off for this customer */
	bool		prepay;			/* grade D with rule.grade_d on: prepayment
								 * required, acts on any exposure above zero */
	int32		overdue_days;	/* rule.overdue_days; -1: off */
	Numeric		credit_limit;	/* NULL: no limit */
	Numeric		pct;			/* alert.nearly_used_pct */
	uint64		overdue_generation; /* receivables_generation of overdue,
									 * ratio_exceeded and dunning_exceeded; 0:
									 * not read yet */
	bool		overdue;		/* an invoice is past rule.overdue_days */
	/* the check menu (credit_menu()); the rule horizon needs nothing here */
	Numeric		max_document;	/* rule document_value; NULL: off */
	int32		ratio_days;		/* rule overdue_ratio; -1: off */
	Numeric		ratio_pct;
	bool		ratio_exceeded; /* credit_overdue_ratio() says exceeded */
	int32		max_dunning_level;	/* rule dunning_level; -1: off */
	bool		dunning_exceeded;	/* customer_dunning_level() is above it */
} ContextEntry;

/* beyond this many entries the cache starts over (bounds its memory) */
#define CONTEXT_CACHE_MAX_ENTRIES 100000

/*
 * Relations whose invalidation drops the whole cache: the tables and views
 * credit_context() reads.  [0] is the one the statement triggers invalidate.
 */
static const char *const watched_names[] = {
	"credit_setting", "credit_check_exception", "credit_limit_override",
	"credit_limit_policy", "customer", "profile", "invoice", "payment",
	"src_customer", "src_invoice", "src_payment", "external_event",
};
#define N_WATCHED lengthof(watched_names)
/* the relation whose invalidation means "invoices or payments changed" */
#define RECEIVABLES_SIGNAL "credit_receivables_signal"

static HTAB *context_cache = NULL;
static MemoryContext context_cxt = NULL;
static Oid	watched_relids[N_WATCHED];
static Oid	receivables_relid = InvalidOid;
static bool callbacks_registered = false;

/* bumped by every invalidation that drops the cache */
static uint64 context_generation = 1;
/* the context_generation the cache's entries were read in */
static uint64 cache_generation = 0;
/* bumped by every invalidation that says invoices or payments changed */
static uint64 receivables_generation = 1;

static SPIPlanPtr fill_plan = NULL;
static SPIPlanPtr overdue_plan = NULL;
/* whether those plans read the check menu (see CreditMenuInstalled) */
static bool plans_menu = false;

static void
ContextRelcacheCallback(Datum arg, Oid relid)
{
	int			i;

	if (!OidIsValid(relid))
	{
		/* everything is to be forgotten (e.g. the queue overflowed) */
		context_generation++;
		receivables_generation++;
		return;
	}
	if (relid == receivables_relid)
	{
		receivables_generation++;
		return;
	}
	for (i = 0; i < N_WATCHED; i++)
		if (watched_relids[i] == relid)
		{
			context_generation++;
			return;
		}
}

/* a function changed: credit_context() or one it calls may be another now */
static void
ContextSyscacheCallback(Datum arg, int cacheid, uint32 hashvalue)
{
	context_generation++;
}

/* an empty cache when an invalidation came since it was filled */
static void
ContextCacheReady(void)
{
	HASHCTL		ctl;

	if (!callbacks_registered)
	{
		CacheRegisterRelcacheCallback(ContextRelcacheCallback, (Datum) 0);
		CacheRegisterSyscacheCallback(PROCOID, ContextSyscacheCallback, (Datum) 0);
		callbacks_registered = true;
	}
	if (context_cache != NULL && cache_generation == context_generation &&
		hash_get_num_entries(context_cache) < CONTEXT_CACHE_MAX_ENTRIES)
		return;

	if (context_cxt == NULL)
		context_cxt = AllocSetContextCreate(CacheMemoryContext, "customer_class credit context",
											ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(context_cxt);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(ContextKey);
	ctl.entrysize = sizeof(ContextEntry);
	ctl.hcxt = context_cxt;
	context_cache = hash_create("customer_class credit context", 1024, &ctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	cache_generation = context_generation;
}

/* the relids to watch (they change when the extension is created again) */
static void
ResolveWatched(Oid namespace)
{
	int			i;

	for (i = 0; i < N_WATCHED; i++)
		watched_relids[i] = get_relname_relid(watched_names[i], namespace);
	receivables_relid = get_relname_relid(RECEIVABLES_SIGNAL, namespace);
}

static void
PrepareContextPlans(const char *schema, bool menu)
{
	Oid			fill_args[3] = {INT8OID, TEXTOID, DATEOID};
	Oid			overdue_args[6] = {INT8OID, DATEOID, INT4OID, INT4OID, NUMERICOID, INT4OID};

	/* the menu came (ALTER EXTENSION ... UPDATE in this backend): new plans */
	if (menu != plans_menu)
	{
		CreditContextReset();
		plans_menu = menu;
	}

	/*
	 * A database still at an older version of the extension's SQL (before
	 * its ALTER EXTENSION ... UPDATE) has no check menu: the same columns,
	 * NULL.
	 */
	if (fill_plan == NULL && !menu)
		fill_plan = KeepSchemaPlan(schema,
									"SELECT c.mode, c.credit_limit, c.credit_grade::text, c.grade_d,"
									" c.pct, c.overdue_days, c.limit_method,"
									" NULL::numeric, NULL::integer, NULL::numeric, NULL::integer"
									" FROM %1$s.credit_context($1, $2, $3) c",
									3, fill_args);
	if (overdue_plan == NULL && !menu)
		overdue_plan = KeepSchemaPlan(schema,
									   "SELECT $3 IS NOT NULL AND EXISTS (SELECT FROM %1$s.credit_overdue_invoice($1, $2, $3)),"
									   " NULL::boolean, NULL::boolean",
									   6, overdue_args);

	/*
	 * The columns as ReadContext reads them: no rule is applied here.  The
	 * check menu's rules come with the context (credit_menu()).  The
	 * rules on the receivables (the overdue invoice, the overdue ratio, the
	 * dunning level) are
	 * not read here but by overdue_plan at the first check (the entry
	 * starts stale): credit_context() computes the overdue invoice with a
	 * setting as argument, which keeps the planner from inlining
	 * credit_overdue_invoice() there, and a SQL function that is not
	 * inlined is planned again at every execution.  Unselected, that
	 * column is not computed at all; overdue_plan passes the days as a
	 * parameter, and both functions are inlined into it.
	 */
	if (fill_plan == NULL)
		fill_plan = KeepSchemaPlan(schema,
									"SELECT c.mode, c.credit_limit, c.credit_grade::text, c.grade_d,"
									" c.pct, c.overdue_days, c.limit_method,"
									" m.max_document, m.ratio_days, m.ratio_pct, m.max_dunning_level"
									" FROM %1$s.credit_context($1, $2, $3) c"
									" CROSS JOIN LATERAL %1$s.credit_menu($1, $2, c.credit_grade, $3) m",
									3, fill_args);
	/* the rules on the receivables, asked again after they changed (the
	 * dunning level also after a notice or dispute: credit_context_changed
	 * drops the whole cache then) */
	if (overdue_plan == NULL)
		overdue_plan = KeepSchemaPlan(schema,
									   "SELECT $3 IS NOT NULL AND EXISTS (SELECT FROM %1$s.credit_overdue_invoice($1, $2, $3)),"
									   " CASE WHEN $4 IS NOT NULL THEN"
									   "  (SELECT r.exceeded FROM %1$s.credit_overdue_ratio($1, $2, $4, $5) r) END,"
									   " $6 IS NOT NULL AND %1$s.customer_dunning_level($1, $2) > $6",
									   6, overdue_args);
}

/*
 * Is the check menu (0.3.0's credit/menu.sql) installed in the extension's
 * schema?  The library serves every version of the SQL, and a database is
 * at an older one until its ALTER EXTENSION ... UPDATE: the plans must not
 * name what it does not have.  A syscache lookup, at every check.
 */
bool
CreditMenuInstalled(Oid namespace)
{
	return OidIsValid(get_relname_relid("credit_check_rule", namespace));
}

/*
 * The extension's schema changed (dropped and created again in this
 * backend): drop the plans and everything cached; the relids to watch are
 * resolved again at the next miss.
 */
void
CreditContextReset(void)
{
	SPIPlanPtr *plans[] = {&fill_plan, &overdue_plan};
	int			i;

	for (i = 0; i < lengthof(plans); i++)
	{
		if (*plans[i] != NULL)
			SPI_freeplan(*plans[i]);
		*plans[i] = NULL;
	}
	for (i = 0; i < N_WATCHED; i++)
		watched_relids[i] = InvalidOid;
	receivables_relid = InvalidOid;
	context_generation++;
	receivables_generation++;
}

/* run a saved plan that returns one row; its first column */
static Datum
RunOneRow(SPIPlanPtr plan, Datum *values, const char *nulls, bool *isnull)
{
	int			rc = SPI_execute_plan(plan, values, nulls, false, 1);

	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "credit context query failed: %s, " UINT64_FORMAT " rows",
			 SPI_result_code_string(rc), SPI_processed);
	return SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, isnull);
}

/* a numeric column of the row just read (NULL: NULL), in SPI memory */
static Numeric
ColumnNumeric(int column)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, column, &isnull);

	return isnull ? NULL : DatumGetNumeric(d);
}

/* a text column of the row just read, in SPI memory (NULL: NULL) */
static char *
ColumnText(int column)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, column, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

/* a text column of the row just read, compared with a string */
static bool
ColumnIs(int column, const char *value)
{
	char	   *text = ColumnText(column);

	return text != NULL && strcmp(text, value) == 0;
}

/*
 * Read credit_context() for a key into *entry (numerics in SPI memory);
 * false when it must not be cached (a limit computed from sales).
 */
static bool
ReadContext(const ContextKey *key, const char *checkpoint, ContextEntry *entry)
{
	Datum		values[3];
	bool		isnull;
	char	   *days;
	Datum		d;

	values[0] = Int64GetDatum(key->customer_id);
	values[1] = CStringGetTextDatum(checkpoint);
	values[2] = DateADTGetDatum(key->as_of);
	(void) RunOneRow(fill_plan, values, NULL, &isnull);

	memset(entry, 0, sizeof(*entry));
	entry->key = *key;
	entry->mode_off = ColumnIs(1, "off");
	entry->credit_limit = ColumnNumeric(2);
	entry->prepay = CreditPrepaymentRequired(ColumnText(3), ColumnText(4));
	entry->pct = ColumnNumeric(5);
	entry->overdue_days = -1;
	days = ColumnText(6);
	/* the setting's trigger admits "off" or 0-9999 */
	if (days != NULL && strcmp(days, "off") != 0)
		entry->overdue_days = pg_strtoint32(days);
	entry->max_document = ColumnNumeric(8);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 9, &isnull);
	entry->ratio_days = isnull ? -1 : DatumGetInt32(d);
	entry->ratio_pct = ColumnNumeric(10);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 11, &isnull);
	entry->max_dunning_level = isnull ? -1 : DatumGetInt32(d);
	/* the overdue invoice, ratio and dunning level: asked at the first check (stale) */
	entry->overdue = false;
	entry->ratio_exceeded = false;
	entry->dunning_exceeded = false;
	entry->overdue_generation = 0;
	return !ColumnIs(7, "sales_multiple");
}

static Numeric
CacheNumeric(Numeric n)
{
	MemoryContext old;
	Numeric		copy;

	if (n == NULL)
		return NULL;
	old = MemoryContextSwitchTo(context_cxt);
	copy = DatumGetNumericCopy(NumericGetDatum(n));
	MemoryContextSwitchTo(old);
	return copy;
}

/*
 * May the check of this exposure have something to say (a violation or the
 * limit nearly used)?  false: certainly not; true: credit_enforce() decides.
 * Runs inside the caller's SPI connection, with the trigger's search_path.
 */
bool
CreditCheckMayAct(const char *schema, Oid namespace, int64 customer_id,
				  CreditCheckpoint checkpoint, const char *checkpoint_name, Numeric exposure,
				  Numeric document_value)
{
	ContextKey	key;
	ContextEntry entry;
	ContextEntry *cached;
	uint64		generation;
	uint64		receivables;
	bool		cacheable;

	PrepareContextPlans(schema, CreditMenuInstalled(namespace));
	memset(&key, 0, sizeof(key));
	key.customer_id = customer_id;
	key.checkpoint = (int32) checkpoint;
	key.as_of = CurrentAsOfDate();

	/*
	 * REPEATABLE READ, SERIALIZABLE: the check reads as of the transaction's
	 * snapshot, which may be older than the cache; credit_enforce() decides
	 * (one evaluation, as the check did before there was a cache).
	 */
	if (IsolationUsesXactSnapshot())
		return true;

	/* news from other backends first, so that a committed change is seen */
	AcceptInvalidationMessages();
	ContextCacheReady();
	cached = hash_search(context_cache, &key, HASH_FIND, NULL);
	if (cached != NULL)
		entry = *cached;		/* a copy: the queries below may flush the cache */
	else
	{
		generation = context_generation;
		ResolveWatched(namespace);
		cacheable = ReadContext(&key, checkpoint_name, &entry);
		/* store it only when nothing was invalidated while it was read */
		ContextCacheReady();
		if (cacheable && generation == context_generation)
		{
			cached = hash_search(context_cache, &key, HASH_ENTER, NULL);
			*cached = entry;
			cached->credit_limit = CacheNumeric(entry.credit_limit);
			cached->pct = CacheNumeric(entry.pct);
			cached->max_document = CacheNumeric(entry.max_document);
			cached->ratio_pct = CacheNumeric(entry.ratio_pct);
		}
	}

	if (entry.mode_off)
		return false;

	/*
	 * grade D's prepayment, the limit, the limit nearly used.  With the rule
	 * horizon the limit is checked against a part of this exposure: what
	 * passes here passes there, and what does not, credit_enforce() weighs.
	 */
	if (CreditExposureRule(entry.prepay, entry.credit_limit, entry.pct, exposure) != CREDIT_EXPOSURE_OK)
		return true;
	if (CreditDocumentValueExceeded(document_value, entry.max_document))
		return true;
	/* the rules on the receivables: the level is read only when its rule is on */
	if (entry.overdue_days < 0 && entry.ratio_days < 0 && entry.max_dunning_level < 0)
		return false;
	if (entry.overdue_generation != receivables_generation)
	{
		/* invoices or payments changed since: ask again */
		Datum		values[6];
		char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
		bool		isnull;
		Datum		d;

		receivables = receivables_generation;
		generation = context_generation;
		values[0] = Int64GetDatum(customer_id);
		values[1] = DateADTGetDatum(key.as_of);
		values[2] = Int32GetDatum(entry.overdue_days);
		if (entry.overdue_days < 0)
			nulls[2] = 'n';
		values[3] = Int32GetDatum(entry.ratio_days);
		values[4] = NumericGetDatum(entry.ratio_pct);
		if (entry.ratio_days < 0 || entry.ratio_pct == NULL)
			nulls[3] = nulls[4] = 'n';
		values[5] = Int32GetDatum(entry.max_dunning_level);
		if (entry.max_dunning_level < 0)
			nulls[5] = 'n';
		d = RunOneRow(overdue_plan, values, nulls, &isnull);
		entry.overdue = isnull || DatumGetBool(d);
		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
		entry.ratio_exceeded = !isnull && DatumGetBool(d);
		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull);
		entry.dunning_exceeded = !isnull && DatumGetBool(d);
		ContextCacheReady();
		if (receivables == receivables_generation && generation == context_generation)
		{
			cached = hash_search(context_cache, &key, HASH_FIND, NULL);
			if (cached != NULL)
			{
				cached->overdue = entry.overdue;
				cached->ratio_exceeded = entry.ratio_exceeded;
				cached->dunning_exceeded = entry.dunning_exceeded;
				cached->overdue_generation = receivables;
			}
		}
	}
	return entry.overdue || entry.ratio_exceeded || entry.dunning_exceeded;
}

PG_FUNCTION_INFO_V1(credit_context_changed);

/*
 * Statement trigger on the tables credit_context() reads; its argument says
 * which: "receivables" (invoices, payments) or "context" (the others).  The
 * invalidation reaches every backend when this transaction commits, this one
 * at its next command.
 */
Datum
credit_context_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	bool		receivables;
	Oid			signal;

	if (!CALLED_AS_TRIGGER(fcinfo) || trigdata->tg_trigger->tgnargs != 1)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("credit_context_changed must be fired as a trigger with one argument")));
	receivables = strcmp(trigdata->tg_trigger->tgargs[0], "receivables") == 0;
	signal = get_relname_relid(receivables ? RECEIVABLES_SIGNAL : watched_names[0],
							   RelationGetNamespace(trigdata->tg_relation));
	if (!OidIsValid(signal))
		elog(ERROR, "credit_context_changed: no relation \"%s\" in the schema of \"%s\"",
			 receivables ? RECEIVABLES_SIGNAL : watched_names[0], RelationGetRelationName(trigdata->tg_relation));
	CacheInvalidateRelcacheByRelid(signal);
	return PointerGetDatum(NULL);
}
