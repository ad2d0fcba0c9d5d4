/*
 * aging.h
 *		The aging type: open amounts per aging bucket, with the bucket bounds
 *		they were built with.
 *
 * Bounds b1 < b2 < ... < bn (positive days past due) make n + 2 buckets:
 * "current" (days <= 0), "1-b1", "(b1+1)-b2", ..., "(bn+1)+".  Amounts are
 * exact: int128 units at one decimal scale shared by all buckets.
 *
 * In memory and on disk the value is a varlena whose size depends only on
 * the number of bounds, so aggregate transition functions update it in
 * place:
 *		int32	vl_len_
 *		int16	nbounds
 *		int16	scale
 *		int128	amounts[nbounds + 2]	(8-byte aligned: typalign double)
 *		int32	bounds[nbounds]
 */
#ifndef CUSTOMER_CLASS_AGING_H
#define CUSTOMER_CLASS_AGING_H

#include "fmgr.h"
#include "utils/array.h"

#define AGING_MAX_BOUNDS	16
/* largest bound in days (about 274 years): labels such as "100001+" stay in int32 */
#define AGING_MAX_BOUND_DAYS	100000

typedef struct Aging
{
	int32		vl_len_;
	int16		nbounds;
	int16		scale;
	/* int128 amounts[] and int32 bounds[] follow */
} Aging;

#define AGING_HDRSZ				sizeof(Aging)
#define AGING_SIZE(n)			(AGING_HDRSZ + ((n) + 2) * sizeof(int128) + (n) * sizeof(int32))
#define AGING_NBUCKETS(a)		((a)->nbounds + 2)
#define AGING_AMOUNTS(a)		((int128 *) ((char *) (a) + AGING_HDRSZ))
#define AGING_BOUNDS(a)			((int32 *) (AGING_AMOUNTS(a) + AGING_NBUCKETS(a)))

#define DatumGetAgingP(d)		((Aging *) PG_DETOAST_DATUM(d))
#define PG_GETARG_AGING_P(n)	DatumGetAgingP(PG_GETARG_DATUM(n))

extern Aging *AgingCreate(const int32 *bounds, int nbounds, int scale);
extern int	AgingReadBounds(ArrayType *arr, int32 *bounds);
extern int	AgingBucketIndex(const int32 *bounds, int nbounds, int64 days);
extern void AgingRaiseScale(Aging *a, int scale);
extern void AgingAddInto(Aging *dst, const Aging *src, const char *context);
extern void AgingCheckBoundsMatch(const Aging *a, const int32 *bounds, int nbounds, const char *context);
extern bool AgingSameBounds(const Aging *a, const int32 *bounds, int nbounds);

#endif
