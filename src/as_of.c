/*
 * as_of.c
 *		The customer_class.as_of GUC and the SQL function as_of().
 *
 * The setting is a date literal; empty (the default) means the transaction's
 * current_date.  It is validated when set, so a typo fails at SET time rather
 * than deep inside a refresh.
 *
 * A value set before the library is loaded (the first statement of a
 * session, ALTER ROLE ... SET, the configuration file) is held by
 * PostgreSQL as an unchecked placeholder.  When the library defines the
 * setting, a bad placeholder value is dropped with a mere WARNING and the
 * setting falls back to '', that is today: a typo would classify as of the
 * wrong date without an error.  So the rejection is remembered, and every
 * use of the as-of date fails until the setting is SET or RESET again.
 *
 * customer_class.max_days_ahead bounds how far after the real current date
 * an as-of date may lie where something is written as of it (check_as_of()):
 * a refresh as of a mistyped year (2206 for 2026) would otherwise block
 * every refresh at a real date, since history is written in as-of order.
 *
 * On Citus, a query on distributed tables runs in part on the workers, in
 * backends the coordinator opened, where the session's SET is not seen
 * (Citus propagates SET LOCAL only, and only with
 * citus.propagate_set_commands = 'local').  There an empty setting does not
 * mean "today": it means "the coordinator's setting is unknown", and
 * answering today would compute the query as of another day than its
 * session asked, silently.  So an empty setting is refused in such a
 * backend (docs/citus.md).  Citus names them by their application_name,
 * "citus_internal gpid=N" (its CITUS_APPLICATION_NAME_PREFIX); a command
 * the user sends to the workers himself (run_command_on_workers, named
 * citus_run_command) and the coordinator's own backends are not concerned.
 *
 * A write is the exception: when the statement the coordinator sent is an
 * INSERT, UPDATE, DELETE, MERGE or COPY (the shard's part of a write through
 * the coordinator), the as-of date is read by the triggers, the credit
 * checks and the ledger, which decide as of the moment of the write, as on
 * a single node: there an empty setting is today.  (Citus evaluates the
 * statement's own non-immutable functions on the coordinator for a write,
 * so only the triggers and what they call read it here.)  A write as of
 * another day must set the date with SET LOCAL and
 * citus.propagate_set_commands = 'local' (docs/citus.md).
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "tcop/pquery.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "as_of.h"

static char *as_of_setting = NULL;

/* customer_class.max_days_ahead: 31 reaches the next month-end from any day */
static int	max_days_ahead = 31;

/* a value set before the library was loaded, rejected when it was defined */
static char *rejected_value = NULL;

/* application_name of the backends the Citus coordinator opens on a worker */
#define CITUS_INTERNAL_APPLICATION_PREFIX "citus_internal gpid="

/* Parse a date literal without throwing; false when it is not a finite date. */
static bool
ParseAsOfDate(const char *str, DateADT *result)
{
	fsec_t		fsec;
	struct pg_tm tt,
			   *tm = &tt;
	int			tzp;
	int			dtype;
	int			nf;
	char	   *field[MAXDATEFIELDS];
	int			ftype[MAXDATEFIELDS];
	char		workbuf[MAXDATELEN + 1];

	if (ParseDateTime(str, workbuf, sizeof(workbuf),
					  field, ftype, MAXDATEFIELDS, &nf) != 0)
		return false;
	if (DecodeDateTime(field, ftype, nf, &dtype, tm, &fsec, &tzp) != 0)
		return false;
	if (dtype != DTK_DATE)
		return false;			/* infinity, epoch and the like make no sense here */
	if (!IS_VALID_JULIAN(tm->tm_year, tm->tm_mon, tm->tm_mday))
		return false;
	*result = date2j(tm->tm_year, tm->tm_mon, tm->tm_mday) - POSTGRES_EPOCH_JDATE;
	return IS_VALID_DATE(*result);
}

static bool
CheckAsOf(char **newval, void **extra, GucSource source)
{
	DateADT		d;

	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	if (!ParseAsOfDate(*newval, &d))
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errmsg("invalid value for customer_class.as_of: \"%s\"", *newval);
		GUC_check_errhint("Use a date such as '2025-12-31', or an empty string for the current date.");
		return false;
	}
	return true;
}

/* any value taken after the definition replaces a rejected one */
static void
AssignAsOf(const char *newval, void *extra)
{
	if (rejected_value != NULL)
	{
		pfree(rejected_value);
		rejected_value = NULL;
	}
}

void
DefineAsOfGuc(void)
{
	const char *pending = GetConfigOption("customer_class.as_of", true, false);
	char	   *rejected = NULL;
	DateADT		d;

	if (pending != NULL && pending[0] != '\0' && !ParseAsOfDate(pending, &d))
		rejected = MemoryContextStrdup(TopMemoryContext, pending);

	DefineCustomStringVariable("customer_class.as_of",
							   "Date as of which customers are classified.",
							   "Empty means the current date of the transaction.",
							   &as_of_setting,
							   "",
							   PGC_USERSET,
							   0,
							   CheckAsOf,
							   AssignAsOf,
							   NULL);
	rejected_value = rejected;

	DefineCustomIntVariable("customer_class.max_days_ahead",
							"How many days after the current date an as-of date may lie where one is written.",
							"refresh(), rewind(), apply_tag_rules(), credit_alert_scan() and manual tag history refuse later dates.",
							&max_days_ahead,
							31,
							0,
							MAX_DAYS_AHEAD_LIMIT,
							PGC_USERSET,
							0,
							NULL,
							NULL,
							NULL);
}

/*
 * Whether this backend runs a query the Citus coordinator sent (see the
 * header comment).  Read from application_name on each call: it is a short
 * prefix comparison, and the setting may change within a session.
 */
bool
InCitusWorkerQuery(void)
{
	return application_name != NULL &&
		strncmp(application_name, CITUS_INTERNAL_APPLICATION_PREFIX,
				strlen(CITUS_INTERNAL_APPLICATION_PREFIX)) == 0;
}

/*
 * Whether the statement this backend runs is a write (see the header
 * comment): the tag of the portal running it, the statement the client (the
 * coordinator) sent, whatever the triggers it fires run inside.
 */
static bool
InWriteStatement(void)
{
	if (ActivePortal == NULL)
		return false;
	switch (ActivePortal->commandTag)
	{
		case CMDTAG_INSERT:
		case CMDTAG_UPDATE:
		case CMDTAG_DELETE:
		case CMDTAG_MERGE:
		case CMDTAG_COPY:
			return true;
		default:
			return false;
	}
}

/*
 * The as-of date in force.  Parsed on each call (it is cheap) so that the
 * value follows DateStyle-independent ISO input and SET LOCAL alike.
 */
DateADT
CurrentAsOfDate(void)
{
	DateADT		d;

	if (rejected_value != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for customer_class.as_of: \"%s\"", rejected_value),
				 errdetail("It was set before the extension's library was loaded, so it could not be checked then, and it is not in force."),
				 errhint("SET customer_class.as_of to a date such as '2025-12-31', or RESET it for the current date.")));
	if (as_of_setting == NULL || as_of_setting[0] == '\0')
	{
		if (InCitusWorkerQuery() && !InWriteStatement())
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("customer_class.as_of is not known on this Citus worker"),
					 errdetail("The Citus coordinator sent this part of the query to a worker, which does not see the session's SET; the current date could be another day than the session's as-of date."),
					 errhint("Set the date in a transaction with SET LOCAL customer_class.as_of = '2025-12-31' (or 'today') after SET citus.propagate_set_commands = 'local', or pass the date explicitly.")));
		return GetSQLCurrentDate();
	}
	if (!ParseAsOfDate(as_of_setting, &d))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for customer_class.as_of: \"%s\"", as_of_setting)));
	return d;
}

PG_FUNCTION_INFO_V1(as_of_date);

/* SQL: customer_class.as_of() returns date -- STABLE, reads the GUC */
Datum
as_of_date(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(CurrentAsOfDate());
}

PG_FUNCTION_INFO_V1(as_of_check);

/*
 * SQL: customer_class.check_as_of(as_of date, what text) returns date --
 * the date itself when something may be written as of it, else an error.
 * Compares with the real current date, never with the as_of setting (which
 * tests and users pin to any day).  STABLE: it reads the clock and a setting.
 */
Datum
as_of_check(PG_FUNCTION_ARGS)
{
	const char *what = PG_ARGISNULL(1) ? "a write" : text_to_cstring(PG_GETARG_TEXT_PP(1));
	DateADT		d;
	DateADT		today;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s needs an as-of date, not NULL", what)));
	d = PG_GETARG_DATEADT(0);
	if (DATE_NOT_FINITE(d))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s as of %s refused: the as-of date must be a finite date",
						what, DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d))))));
	today = GetSQLCurrentDate();
	/* both terms are far inside the int32 range of DateADT */
	if ((int64) d - (int64) today > max_days_ahead)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s as of %s refused: the date is more than %d days after the current date",
						what, DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d))),
						max_days_ahead),
				 errdetail("Nothing is written as of a date that far ahead, which is most likely a typo: "
						   "a refresh as of it would block every refresh as of an earlier date."),
				 errhint("Check the year.  To work as of a later date on purpose, raise the setting "
						 "customer_class.max_days_ahead first (SET customer_class.max_days_ahead = 400).")));
	PG_RETURN_DATEADT(d);
}
