/*
 * tagset_statcache.h
 *		Decoded tag statistics of a column, kept per backend between plans.
 */
#ifndef TAGSET_STATCACHE_H
#define TAGSET_STATCACHE_H

#include "utils/selfuncs.h"

#include "tagset.h"

/* the tag statistics of one column (have_tags false: no common tags) */
typedef struct TagStats
{
	bool		have_tags;		/* MCELEM found */
	const TagRef *tags;			/* the common tags, byte order */
	const float4 *freqs;		/* fraction of non-null sets holding each */
	int			ntags;
	float8		absent;			/* fraction assumed for any other tag */
	bool		have_counts;	/* DECHIST found */
	const float4 *hist;			/* bounds of tags per set */
	int			nhist;
	float8		avgcount;		/* average tags per set */
	float8		nullfrac;
} TagStats;

/*
 * The statistics of vardata's column; NULL when it has no statistics tuple.
 * The result stays valid until the next call (it may be the cached copy).
 */
extern const TagStats *GetTagStats(VariableStatData *vardata);

#endif							/* TAGSET_STATCACHE_H */
