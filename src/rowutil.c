/*
 * rowutil.c
 *		Composite rows and per-function caches (see rowutil.h).
 *
 * The C functions that read facts and policies, or build facts and class
 * rows, all do the same catalog work once per query: find attributes by
 * name (so column order never matters), copy descriptors, look up enum
 * labels, and keep the result in fn_extra.  It is written here once.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "exact_money.h"
#include "rowutil.h"

void
FindAttributes(TupleDesc desc, const char *const *names, int n, int *att)
{
	for (int i = 0; i < n; i++)
	{
		att[i] = -1;
		for (int j = 0; j < desc->natts; j++)
		{
			Form_pg_attribute a = TupleDescAttr(desc, j);

			if (!a->attisdropped && strcmp(NameStr(a->attname), names[i]) == 0)
			{
				att[i] = j;
				break;
			}
		}
		if (att[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("row type %s has no attribute \"%s\"",
							format_type_be(desc->tdtypeid), names[i])));
	}
}

/* the hint of every layout error: the SQL objects and the library differ */
#define LAYOUT_HINT "The extension's SQL objects and its library are of different versions: " \
	"run ALTER EXTENSION customer_class UPDATE."

void
MatchRowFields(TupleDesc desc, const RowField *fields, int n, int *att)
{
	int			live = 0;

	for (int i = 0; i < n; i++)
	{
		Form_pg_attribute a = NULL;

		att[i] = -1;
		for (int j = 0; j < desc->natts && att[i] < 0; j++)
		{
			a = TupleDescAttr(desc, j);
			if (!a->attisdropped && strcmp(NameStr(a->attname), fields[i].name) == 0)
				att[i] = j;
		}
		if (att[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("row type %s has no attribute \"%s\"",
							format_type_be(desc->tdtypeid), fields[i].name),
					 errdetail("This library fills %d attributes of that row type by name.", n),
					 errhint(LAYOUT_HINT)));
		if (a->atttypid != fields[i].type)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("attribute \"%s\" of row type %s has type %s, expected %s",
							fields[i].name, format_type_be(desc->tdtypeid),
							format_type_be(a->atttypid), format_type_be(fields[i].type)),
					 errhint(LAYOUT_HINT)));
	}
	/* every field was found by name, so one more attribute is one we do not fill */
	for (int j = 0; j < desc->natts; j++)
		if (!TupleDescAttr(desc, j)->attisdropped)
			live++;
	if (live == n)
		return;
	for (int j = 0; j < desc->natts; j++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, j);
		bool		known = false;

		if (a->attisdropped)
			continue;
		for (int i = 0; i < n && !known; i++)
			known = (att[i] == j);
		if (!known)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("row type %s has an unexpected attribute \"%s\"",
							format_type_be(desc->tdtypeid), NameStr(a->attname)),
					 errdetail("This library fills %d attributes of that row type by name.", n),
					 errhint(LAYOUT_HINT)));
	}
	/* not reached: the names are distinct, so live > n leaves an unknown one */
	elog(ERROR, "row type %s has %d attributes, expected %d",
		 format_type_be(desc->tdtypeid), live, n);
}

TupleDesc
RowDesc(Oid type, MemoryContext mcxt)
{
	TupleDesc	desc = lookup_rowtype_tupdesc(type, -1);
	MemoryContext old = MemoryContextSwitchTo(mcxt);
	TupleDesc	copy = CreateTupleDescCopy(desc);

	MemoryContextSwitchTo(old);
	ReleaseTupleDesc(desc);
	return copy;
}

TupleDesc
ResultRowDesc(FunctionCallInfo fcinfo, MemoryContext mcxt)
{
	TupleDesc	desc;
	MemoryContext old;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "function %u must return a composite type", fcinfo->flinfo->fn_oid);
	old = MemoryContextSwitchTo(mcxt);
	desc = BlessTupleDesc(CreateTupleDescCopy(desc));
	MemoryContextSwitchTo(old);
	return desc;
}

void
EnumLabelOids(Oid enum_type, const char *const *labels, int n, Oid *oids)
{
	for (int i = 0; i < n; i++)
	{
		oids[i] = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
								  ObjectIdGetDatum(enum_type),
								  CStringGetDatum(labels[i]));
		if (!OidIsValid(oids[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input value for enum %s: \"%s\"",
							format_type_be(enum_type), labels[i])));
	}
}

double
AttDouble(Datum *values, bool *nulls, TupleDesc desc, int att)
{
	if (nulls[att])
		return NAN;
	switch (TupleDescAttr(desc, att)->atttypid)
	{
		case NUMERICOID:
			return NumericToDouble(values[att]);
		case INT4OID:
			return (double) DatumGetInt32(values[att]);
		case INT8OID:
			return (double) DatumGetInt64(values[att]);
		case FLOAT8OID:
			return DatumGetFloat8(values[att]);
		default:
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("attribute \"%s\" of %s must be numeric, integer or double precision",
							NameStr(TupleDescAttr(desc, att)->attname),
							format_type_be(desc->tdtypeid))));
	}
	return NAN;					/* keep the compiler quiet */
}

void
DeformRow(HeapTupleHeader row, TupleDesc desc, Datum *values, bool *nulls)
{
	HeapTupleData tuple;

	tuple.t_len = HeapTupleHeaderGetDatumLength(row);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = row;
	heap_deform_tuple(&tuple, desc, values, nulls);
}

void *
FnCacheGet(FunctionCallInfo fcinfo, Size size, Oid type1, Oid type2, FnCacheBuild build)
{
	FnCacheKey *cache = (FnCacheKey *) fcinfo->flinfo->fn_extra;
	MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;

	Assert(size >= sizeof(FnCacheKey));
	if (cache != NULL && cache->types[0] == type1 && cache->types[1] == type2)
		return cache;

	/*
	 * Kept in fn_extra only once built: an error while building (a missing
	 * attribute) must not leave a half-built cache behind for the next call.
	 * A cache of other row types is left in fn_mcxt, which is short-lived.
	 */
	cache = MemoryContextAllocZero(mcxt, size);
	cache->types[0] = type1;
	cache->types[1] = type2;
	build(fcinfo, cache, mcxt);
	fcinfo->flinfo->fn_extra = cache;
	return cache;
}
