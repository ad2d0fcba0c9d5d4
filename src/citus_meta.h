/*
 * citus_meta.h
 *		What Citus's metadata says about a table (citus_meta.c).
 */
#ifndef CUSTOMER_CLASS_CITUS_META_H
#define CUSTOMER_CLASS_CITUS_META_H

/*
 * Is the relation in Citus's metadata (distributed, reference, ...)?  When
 * it is hash-distributed, *distcol is its distribution column and
 * *colocation its colocation group; else 0 and -1.  Either may be NULL.
 */
extern bool CitusTableInfo(Oid relid, AttrNumber *distcol, int32 *colocation);

#endif
