/*
 * company.c
 *		The customer_class.company setting and the SQL function company().
 *
 * In the 'tenant' shape on Citus (docs/citus.md) a session works for one
 * company at a time, as a SaaS serves each request for one tenant.  The
 * setting names it; empty (the default) means no company: every company's
 * rows.  The planner hook (citus_tenant.c) then filters every table of the
 * shape by the company, as a constant, so that Citus sends each query
 * whole to the company's shard group.
 *
 * The constant lives in the plans made while the setting had that value.
 * A cached plan (a prepared statement, PL/pgSQL, the C code's saved plans)
 * made for company 3 must never run for company 4, and PostgreSQL does not
 * know that a plan depends on a setting.  So whenever the value changes --
 * SET, SET LOCAL, or its end with the transaction -- every cached plan of
 * the backend is marked invalid (ResetPlanCache(), as a change of
 * search_path's meaning does), and the next use plans again.  A session
 * that keeps to one company pays nothing.
 *
 * The value is checked when set: a company is a bigint, as company_id in
 * the sources is, and a typo must fail at SET, not filter by nothing.
 */
#include "postgres.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "fmgr.h"
#include "utils/guc.h"
#include "utils/plancache.h"

#include "company.h"

static char *company_setting = NULL;

/* the value in force, parsed by the assign hook */
static bool company_is_set = false;
static int64 company_value = 0;

/* '' or a bigint, with surrounding blanks allowed; false otherwise */
static bool
parse_company(const char *str, bool *isset, int64 *value)
{
	char	   *end;
	long long	v;

	while (*str == ' ' || *str == '\t')
		str++;
	if (*str == '\0')
	{
		*isset = false;
		*value = 0;
		return true;
	}
	errno = 0;
	v = strtoll(str, &end, 10);
	if (end == str || errno == ERANGE)
		return false;
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end != '\0')
		return false;
	*isset = true;
	*value = (int64) v;
	return true;
}

static bool
check_company(char **newval, void **extra, GucSource source)
{
	bool		isset;
	int64		value;

	if (!parse_company(*newval, &isset, &value))
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errmsg("invalid value for customer_class.company: \"%s\"", *newval);
		GUC_check_errdetail("A company is a bigint, the company_id of the sources; empty means no company.");
		return false;
	}
	return true;
}

static void
assign_company(const char *newval, void *extra)
{
	bool		isset;
	int64		value;

	/* (checked already; a placeholder's value is checked when it is adopted) */
	if (!parse_company(newval, &isset, &value))
	{
		isset = false;
		value = 0;
	}
	if (isset == company_is_set && value == company_value)
		return;
	company_is_set = isset;
	company_value = value;
	/* the plans of the old company must not run for the new one */
	ResetPlanCache();
}

void
DefineCompanyGuc(void)
{
	DefineCustomStringVariable("customer_class.company",
							   "The company (tenant) this session works for; empty: every company.",
							   "In the 'tenant' shape on Citus every table of the shape is filtered by it, "
							   "so that each query runs on the company's shard group.",
							   &company_setting,
							   "",
							   PGC_USERSET,
							   0,
							   check_company,
							   assign_company,
							   NULL);
}

bool
CurrentCompany(int64 *company)
{
	*company = company_value;
	return company_is_set;
}

PG_FUNCTION_INFO_V1(customer_class_company);

/* SQL: company() returns bigint -- the company set, or NULL */
Datum
customer_class_company(PG_FUNCTION_ARGS)
{
	int64		company;

	if (!CurrentCompany(&company))
		PG_RETURN_NULL();
	PG_RETURN_INT64(company);
}
