/*
 * citus_write_date.h
 *		Refuse a write on Citus whose checks would not see the session's
 *		as-of date (citus_write_date.c).
 */
#ifndef CUSTOMER_CLASS_CITUS_WRITE_DATE_H
#define CUSTOMER_CLASS_CITUS_WRITE_DATE_H

#include "nodes/parsenodes.h"

extern void CheckCitusWriteDate(Query *parse);

#endif
