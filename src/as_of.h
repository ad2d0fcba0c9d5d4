/*
 * as_of.h
 *		The customer_class.as_of setting: the date every computation is "as of".
 */
#ifndef CUSTOMER_CLASS_AS_OF_H
#define CUSTOMER_CLASS_AS_OF_H

#include "utils/date.h"

/*
 * upper bound of customer_class.max_days_ahead: any date PostgreSQL takes
 * (a database repaired after a far-future refresh may need to reach it)
 */
#define MAX_DAYS_AHEAD_LIMIT 3000000

extern void DefineAsOfGuc(void);
extern DateADT CurrentAsOfDate(void);
extern bool InCitusWorkerQuery(void);

/* whether this backend runs a query the Citus coordinator sent (as_of.c) */
extern bool InCitusWorkerQuery(void);

#endif
