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
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "as_of.h"

static char *as_of_setting = NULL;

/* a value set before the library was loaded, rejected when it was defined */
static char *rejected_value = NULL;

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
		return GetSQLCurrentDate();
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
