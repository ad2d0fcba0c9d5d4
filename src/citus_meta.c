/*
 * citus_meta.c
 *		Read Citus's metadata table pg_dist_partition, without linking to
 *		Citus.
 *
 * The planner hook asks it which tables are Citus's (citus_write_date.c)
 * and which are distributed by what (citus_tenant.c).  The table is read
 * with a catalog scan on its first column, logicalrelid, and its other
 * columns are found by name: Citus may add columns, and make test emulates
 * the table with only those it needs (sql/citus_single.sql,
 * sql/citus_tenant.sql).
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_namespace.h"
#include "nodes/primnodes.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "citus_meta.h"

/* the hash distribution column and colocation group of a metadata row */
static void
hash_distribution(Relation rel, HeapTuple tuple, AttrNumber *distcol, int32 *colocation)
{
	Oid			relid = RelationGetRelid(rel);
	TupleDesc	desc = RelationGetDescr(rel);
	AttrNumber	method_att = get_attnum(relid, "partmethod");
	AttrNumber	key_att = get_attnum(relid, "partkey");
	AttrNumber	coloc_att = get_attnum(relid, "colocationid");
	bool		isnull;
	Datum		value;

	if (method_att == InvalidAttrNumber || key_att == InvalidAttrNumber ||
		coloc_att == InvalidAttrNumber)
		return;
	value = heap_getattr(tuple, method_att, desc, &isnull);
	if (isnull || DatumGetChar(value) != 'h')
		return;
	/* (Citus keeps the distribution column as a Var in its text form) */
	value = heap_getattr(tuple, key_att, desc, &isnull);
	if (!isnull)
	{
		Node	   *var = stringToNode(TextDatumGetCString(value));

		if (IsA(var, Var))
			*distcol = ((Var *) var)->varattno;
	}
	value = heap_getattr(tuple, coloc_att, desc, &isnull);
	if (!isnull)
		*colocation = DatumGetInt32(value);
}

bool
CitusTableInfo(Oid relid, AttrNumber *distcol, int32 *colocation)
{
	Oid			partition_relid = get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE);
	AttrNumber	no_distcol;
	int32		no_colocation;
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tuple;
	bool		found;

	if (distcol == NULL)
		distcol = &no_distcol;
	if (colocation == NULL)
		colocation = &no_colocation;
	*distcol = 0;
	*colocation = -1;
	if (!OidIsValid(partition_relid))
		return false;
	rel = table_open(partition_relid, AccessShareLock);
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 1, &key);
	tuple = systable_getnext(scan);
	found = HeapTupleIsValid(tuple);
	if (found)
		hash_distribution(rel, tuple, distcol, colocation);
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}
