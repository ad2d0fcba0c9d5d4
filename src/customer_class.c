/*
 * customer_class.c
 *		Module entry point: magic block and GUC registration.
 *
 * Each concern lives in its own file; this one only wires them up at load.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "as_of.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineAsOfGuc();
	MarkGUCPrefixReserved("customer_class");
}
