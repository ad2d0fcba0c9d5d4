/*
 * rowutil.h
 *		Composite rows and per-function caches for the C functions that read
 *		or build rows (facts, policies, results); defined in rowutil.c.
 */
#ifndef CUSTOMER_CLASS_ROWUTIL_H
#define CUSTOMER_CLASS_ROWUTIL_H

#include "access/htup_details.h"
#include "access/tupdesc.h"
#include "fmgr.h"

/* attribute number (0-based) of each name, or an error naming the missing one */
extern void FindAttributes(TupleDesc desc, const char *const *names, int n, int *att);

/* one field of a row that C fills: its name and type */
typedef struct RowField
{
	const char *name;
	Oid			type;
} RowField;

/*
 * attribute number (0-based) of each field; an error names a missing field,
 * a field of another type or an attribute that is not among the fields
 */
extern void MatchRowFields(TupleDesc desc, const RowField *fields, int n, int *att);

/* a copy of a row type's descriptor in mcxt */
extern TupleDesc RowDesc(Oid type, MemoryContext mcxt);

/* the function's composite result descriptor, blessed, copied into mcxt */
extern TupleDesc ResultRowDesc(FunctionCallInfo fcinfo, MemoryContext mcxt);

/* the OID of each label of an enum type, or an error naming the missing one */
extern void EnumLabelOids(Oid enum_type, const char *const *labels, int n, Oid *oids);

/* a numeric, integer or float8 attribute as a double; NaN when NULL */
extern double AttDouble(Datum *values, bool *nulls, TupleDesc desc, int att);

/* a composite Datum's fields */
extern void DeformRow(HeapTupleHeader row, TupleDesc desc, Datum *values, bool *nulls);

/*
 * A cache kept in fn_extra, valid for the argument row types it was built
 * for (InvalidOid where there is no such argument).  Every cache struct
 * starts with an FnCacheKey.
 */
typedef struct FnCacheKey
{
	Oid			types[2];
} FnCacheKey;

/* fills a new, zeroed cache; allocations that must last go to mcxt */
typedef void (*FnCacheBuild) (FunctionCallInfo fcinfo, void *cache, MemoryContext mcxt);

/*
 * The cache in fn_extra when it was built for (type1, type2); otherwise a
 * new one of size bytes, built by build and then kept in fn_extra.
 */
extern void *FnCacheGet(FunctionCallInfo fcinfo, Size size, Oid type1, Oid type2,
						FnCacheBuild build);

#endif
