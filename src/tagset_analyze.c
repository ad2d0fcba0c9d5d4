/*
 * tagset_analyze.c
 *		ANALYZE support for tagset: statistics on the tags inside the sets.
 *
 * tagset_typanalyze first lets the standard analysis compute what it does
 * for any type with a btree opclass (null fraction, width, distinct count,
 * most common whole sets, histogram, correlation), then adds two slots of
 * the kinds core uses for arrays and tsvector:
 *
 *	STATISTIC_KIND_MCELEM	the most common tags, as text in byte order,
 *							with the fraction of non-null sets holding each,
 *							followed by the least and greatest of those
 *							fractions and the fraction of null tags (always
 *							0: a tagset has none);
 *	STATISTIC_KIND_DECHIST	a histogram of the number of tags per non-null
 *							set, followed by the average number.
 *
 * The most common tags are found by lossy counting (Manku and Motwani,
 * "Approximate frequency counts over data streams", VLDB 2002), as core's
 * array and tsvector analysis do: tags are counted in a hash table that is
 * pruned at every bucket boundary of w tags, dropping a tag whose count plus
 * its possible undercount is at most the number of buckets seen.  With
 * w = (K + 10) * 1000 / 7 for K = 10 * statistics target tags wanted, every
 * tag in more than about 7 / 1000 of the tags survives, and the K tags
 * counted most often are kept.
 *
 * The selectivity functions that read these slots are in tagset_selfuncs.c.
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "commands/vacuum.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "tagset.h"

/* what the standard analysis set up, kept while ours runs */
typedef struct TagSetAnalyzeData
{
	AnalyzeAttrComputeStatsFunc std_compute_stats;
	void	   *std_extra_data;
} TagSetAnalyzeData;

/* a tag counted by lossy counting; the key is the first member */
typedef struct TagCount
{
	TagRef		tag;			/* bytes in the hash table's context */
	int			count;			/* sets seen holding it since it was added */
	int			delta;			/* how many it may have missed before */
} TagCount;

static uint32
TagCountHash(const void *key, Size keysize)
{
	const TagRef *t = (const TagRef *) key;

	return DatumGetUInt32(hash_any((const unsigned char *) t->data, t->len));
}

static int
TagCountMatch(const void *key1, const void *key2, Size keysize)
{
	const TagRef *a = (const TagRef *) key1;
	const TagRef *b = (const TagRef *) key2;

	return TagCompare(a->data, a->len, b->data, b->len) != 0;
}

/* order for the kept tags: most counted first */
static int
TagCountByCountDesc(const void *a, const void *b)
{
	int			ca = (*(TagCount *const *) a)->count;
	int			cb = (*(TagCount *const *) b)->count;

	return (ca < cb) - (ca > cb);
}

/* order for the stored tags: byte order, so lookups can bisect */
static int
TagCountByTag(const void *a, const void *b)
{
	const TagRef *ta = &(*(TagCount *const *) a)->tag;
	const TagRef *tb = &(*(TagCount *const *) b)->tag;

	return TagCompare(ta->data, ta->len, tb->data, tb->len);
}

static int
IntCmp(const void *a, const void *b)
{
	int			x = *(const int *) a;
	int			y = *(const int *) b;

	return (x > y) - (x < y);
}

/* drop the tags that cannot be frequent: count + delta <= bucket */
static void
PruneTagCounts(HTAB *tab, int bucket)
{
	HASH_SEQ_STATUS scan;
	TagCount   *e;

	hash_seq_init(&scan, tab);
	while ((e = (TagCount *) hash_seq_search(&scan)) != NULL)
	{
		if (e->count + e->delta <= bucket)
		{
			char	   *bytes = (char *) e->tag.data;

			if (hash_search(tab, &e->tag, HASH_REMOVE, NULL) == NULL)
				elog(ERROR, "tagset analyze: hash table corrupted");
			pfree(bytes);
		}
	}
}

/* the first free statistics slot, with room for the two we add */
static int
FirstFreeSlot(VacAttrStats *stats)
{
	int			slot = 0;

	while (slot < STATISTIC_NUM_SLOTS && stats->stakind[slot] != 0)
		slot++;
	if (slot > STATISTIC_NUM_SLOTS - 2)
		elog(ERROR, "tagset analyze: not enough pg_statistic slots for tag statistics");
	return slot;
}

/* store the kept tags (byte order) as the MCELEM slot */
static void
StoreMostCommonTags(VacAttrStats *stats, int slot, TagCount **kept, int nkept,
					int nonnull)
{
	Datum	   *values = (Datum *) palloc(sizeof(Datum) * nkept);
	float4	   *freqs = (float4 *) palloc(sizeof(float4) * (nkept + 3));
	int			minc = kept[0]->count;
	int			maxc = kept[0]->count;
	int			i;

	for (i = 0; i < nkept; i++)
	{
		values[i] = PointerGetDatum(cstring_to_text_with_len(kept[i]->tag.data,
															 kept[i]->tag.len));
		freqs[i] = (float4) ((double) kept[i]->count / nonnull);
		minc = Min(minc, kept[i]->count);
		maxc = Max(maxc, kept[i]->count);
	}
	freqs[nkept] = (float4) ((double) minc / nonnull);
	freqs[nkept + 1] = (float4) ((double) maxc / nonnull);
	freqs[nkept + 2] = 0.0;		/* no tag is ever NULL */

	stats->stakind[slot] = STATISTIC_KIND_MCELEM;
	stats->staop[slot] = TextEqualOperator;
	stats->stacoll[slot] = C_COLLATION_OID;
	stats->stanumbers[slot] = freqs;
	stats->numnumbers[slot] = nkept + 3;
	stats->stavalues[slot] = values;
	stats->numvalues[slot] = nkept;
	stats->statypid[slot] = TEXTOID;
	stats->statyplen[slot] = -1;
	stats->statypbyval[slot] = false;
	stats->statypalign[slot] = TYPALIGN_INT;
}

/* store the histogram of tags per set, then their average, as DECHIST */
static void
StoreTagCountHistogram(VacAttrStats *stats, int slot, int *counts, int n,
					   int nhist)
{
	float4	   *hist = (float4 *) palloc(sizeof(float4) * (nhist + 1));
	double		sum = 0;
	int			i;

	qsort(counts, n, sizeof(int), IntCmp);
	for (i = 0; i < n; i++)
		sum += counts[i];
	/* equal-depth bounds from the least to the greatest count */
	for (i = 0; i < nhist; i++)
		hist[i] = (float4) counts[(int) ((int64) i * (n - 1) / (nhist - 1))];
	hist[nhist] = (float4) (sum / n);

	stats->stakind[slot] = STATISTIC_KIND_DECHIST;
	stats->staop[slot] = TextEqualOperator;
	stats->stacoll[slot] = C_COLLATION_OID;
	stats->stanumbers[slot] = hist;
	stats->numnumbers[slot] = nhist + 1;
}

static void
compute_tagset_stats(VacAttrStats *stats, AnalyzeAttrFetchFunc fetchfunc,
					 int samplerows, double totalrows)
{
	TagSetAnalyzeData *extra = (TagSetAnalyzeData *) stats->extra_data;
	int			target = stats->attr->attstattarget;
	int			wanted;
	int			width;
	int			bucket = 1;
	int64		ntags = 0;
	int			nonnull = 0;
	int		   *counts;
	HASHCTL		ctl;
	HTAB	   *tab;
	HASH_SEQ_STATUS scan;
	TagCount   *e;
	TagCount  **kept;
	int			nkept;
	int			cutoff;
	int			slot;
	int			i;
	MemoryContext old;

	/* the standard statistics of whole sets first, with their own data */
	stats->extra_data = extra->std_extra_data;
	extra->std_compute_stats(stats, fetchfunc, samplerows, totalrows);
	stats->extra_data = extra;
	if (!stats->stats_valid)
		return;

	if (target < 0)
		target = default_statistics_target;
	wanted = target * 10;
	width = (wanted + 10) * 1000 / 7;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(TagRef);
	ctl.entrysize = sizeof(TagCount);
	ctl.hash = TagCountHash;
	ctl.match = TagCountMatch;
	ctl.hcxt = CurrentMemoryContext;
	tab = hash_create("tagset analyze tag counts", wanted,
					  &ctl, HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	counts = (int *) palloc(sizeof(int) * samplerows);

	for (i = 0; i < samplerows; i++)
	{
		bool		isnull;
		Datum		value;
		struct varlena *ts;
		const unsigned char *p;
		int			n;
		int			j;

		vacuum_delay_point();
		value = fetchfunc(stats, i, &isnull);
		if (isnull)
			continue;
		ts = DatumGetTagSetP(value);
		n = TagSetCount(ts);
		counts[nonnull++] = n;

		/* a set holds each tag once, so every tag counts once per set */
		p = TagSetFirst(ts);
		for (j = 0; j < n; j++)
		{
			TagRef		t;
			bool		found;

			p = TagSetNext(p, &t);
			e = (TagCount *) hash_search(tab, &t, HASH_ENTER, &found);
			if (found)
				e->count++;
			else
			{
				char	   *bytes = palloc(Max(t.len, 1));

				memcpy(bytes, t.data, t.len);
				e->tag.data = bytes;
				e->tag.len = t.len;
				e->count = 1;
				e->delta = bucket - 1;
			}
			if (++ntags % width == 0)
				PruneTagCounts(tab, bucket++);
		}
		if ((Pointer) ts != DatumGetPointer(value))
			pfree(ts);
	}

	if (nonnull == 0)
		return;

	/*
	 * Keep the tags counted in more than (s - epsilon) N of the tags, with
	 * epsilon = 1 / w and s = 10 epsilon as core does, at most "wanted" of
	 * them, the most counted first.
	 */
	cutoff = (int) (9 * ntags / width);
	kept = (TagCount **) palloc(sizeof(TagCount *) * Max(hash_get_num_entries(tab), 1));
	nkept = 0;
	hash_seq_init(&scan, tab);
	while ((e = (TagCount *) hash_seq_search(&scan)) != NULL)
		if (e->count > cutoff)
			kept[nkept++] = e;
	if (nkept > wanted)
	{
		qsort(kept, nkept, sizeof(TagCount *), TagCountByCountDesc);
		nkept = wanted;
	}
	qsort(kept, nkept, sizeof(TagCount *), TagCountByTag);

	slot = FirstFreeSlot(stats);
	old = MemoryContextSwitchTo(stats->anl_context);
	if (nkept > 0)
		StoreMostCommonTags(stats, slot++, kept, nkept, nonnull);
	StoreTagCountHistogram(stats, slot, counts, nonnull, Max(Min(target + 1, nonnull), 2));
	MemoryContextSwitchTo(old);
}

/* typanalyze for tagset: the standard statistics plus tag statistics */
PG_FUNCTION_INFO_V1(tagset_typanalyze);
Datum
tagset_typanalyze(PG_FUNCTION_ARGS)
{
	VacAttrStats *stats = (VacAttrStats *) PG_GETARG_POINTER(0);
	TagSetAnalyzeData *extra;

	if (!std_typanalyze(stats))
		PG_RETURN_BOOL(false);

	extra = (TagSetAnalyzeData *) palloc(sizeof(TagSetAnalyzeData));
	extra->std_compute_stats = stats->compute_stats;
	extra->std_extra_data = stats->extra_data;
	stats->extra_data = extra;
	stats->compute_stats = compute_tagset_stats;
	PG_RETURN_BOOL(true);
}
