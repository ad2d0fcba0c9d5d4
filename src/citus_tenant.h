/*
 * citus_tenant.h
 *		The company filter of the 'tenant' shape on Citus (citus_tenant.c).
 */
#ifndef CUSTOMER_CLASS_CITUS_TENANT_H
#define CUSTOMER_CLASS_CITUS_TENANT_H

#include "nodes/parsenodes.h"

extern void InstallCitusTenantCache(void);
/* with a company set, in a database with citus: the filters added to the query */
extern void AddCompanyFilters(Query *parse);

#endif
