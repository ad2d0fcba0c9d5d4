/*
 * spi_plan.h
 *		Saved SPI plans over the extension's schema, for the C code that
 *		runs SQL (credit_check.c, credit_context.c, access.c); defined in spi_plan.c.
 */
#ifndef CUSTOMER_CLASS_SPI_PLAN_H
#define CUSTOMER_CLASS_SPI_PLAN_H

#include "executor/spi.h"

/* prepare and keep a generic plan; %1$s in the query is the schema */
extern SPIPlanPtr KeepSchemaPlan(const char *schema, const char *query_fmt, int nargs,
								 Oid *argtypes);

#endif
