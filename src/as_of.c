/*
 * as_of.c
 *		The customer_class.as_of GUC and the SQL function as_of().
 *
 * The setting is a date literal; empty (the default) means the transaction's
 * current_date.  It is validated when set, so a typo fails at SET time rather
 * than deep inside a refresh.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/guc.h"

#include "as_of.h"

static char *as_of_setting = NULL;

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

void
DefineAsOfGuc(void)
{
	DefineCustomStringVariable("customer_class.as_of",
							   "Date as of which customers are classified.",
							   "Empty means the current date of the transaction.",
							   &as_of_setting,
							   "",
							   PGC_USERSET,
							   0,
							   CheckAsOf,
							   NULL,
							   NULL);
}

/*
 * The as-of date in force.  Parsed on each call (it is cheap) so that the
 * value follows DateStyle-independent ISO input and SET LOCAL alike.
 */
DateADT
CurrentAsOfDate(void)
{
	DateADT		d;

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
