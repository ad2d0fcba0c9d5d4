/*
 * rowutil.h
 *		Reading composite arguments (facts, policies) by attribute name, for
 *		the C class functions; defined in credit_score_sql.c.
 */
#ifndef CUSTOMER_CLASS_ROWUTIL_H
#define CUSTOMER_CLASS_ROWUTIL_H

#include "access/htup_details.h"
#include "access/tupdesc.h"

/* attribute number (0-based) of each name, or an error naming the missing one */
extern void FindAttributes(TupleDesc desc, const char *const *names, int n, int *att);

/* a copy of a row type's descriptor in mcxt */
extern TupleDesc RowDesc(Oid type, MemoryContext mcxt);

/* a numeric, integer or float8 attribute as a double; NaN when NULL */
extern double AttDouble(Datum *values, bool *nulls, TupleDesc desc, int att);

/* a composite Datum's fields */
extern void DeformRow(HeapTupleHeader row, TupleDesc desc, Datum *values, bool *nulls);

#endif
