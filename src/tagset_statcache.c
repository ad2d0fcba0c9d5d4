/*
 * tagset_statcache.c
 *		Decoded tag statistics of a column, kept per backend between plans.
 *
 * The common tags of a column (the MCELEM slot of tagset_typanalyze) are
 * about a thousand short strings, and pg_statistic keeps them compressed:
 * reading them costs a decompression and an array deconstruction, some
 * 270,000 instructions, in every plan of every query on the column, which
 * is about a tenth of planning and running a selective tag query.  Core's
 * array estimator pays it too.  Here the decoded tags are kept per
 * backend, keyed by the statistics row, so a plan after the first one
 * costs a hash lookup.
 *
 * Validity: an entry remembers the row's ctid and xmin.  ANALYZE writes a
 * new row version, so the next plan misses and decodes the new row, in the
 * transaction that ran ANALYZE too (and again after a rollback).  A
 * syscache callback on pg_statistic marks the whole cache stale, and the
 * memory is released at the next lookup: not in the callback itself, which
 * can run while an estimator still uses an entry (any lock taken while the
 * estimate runs accepts invalidation messages).
 *
 * Only rows read from the syscache are kept.  Rows handed over by a
 * statistics hook or built from extended statistics have no stable
 * identity; they are decoded into the caller's memory context each time.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_statistic.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "tagset_statcache.h"

/* past this much decoded data the cache starts over (one entry always fits) */
#define TAGSTATS_CACHE_BYTES	(16 * 1024 * 1024)

typedef struct TagStatsKey
{
	Oid			relid;
	int16		attnum;
	bool		inherit;
} TagStatsKey;

typedef struct TagStatsEntry
{
	TagStatsKey key;			/* hash key: must be first */
	ItemPointerData tid;		/* the statistics row decoded ... */
	TransactionId xmin;			/* ... and its version */
	TagStats	stats;
} TagStatsEntry;

static MemoryContext cache_cxt = NULL;
static HTAB *cache = NULL;
static Size cache_bytes = 0;
static bool cache_stale = false;
static bool callback_registered = false;

/* pg_statistic changed: drop everything at the next lookup */
static void
TagStatsInvalidate(Datum arg, int cacheid, uint32 hashvalue)
{
	cache_stale = true;
}

static void
ResetCache(void)
{
	if (cache_cxt == NULL)
		cache_cxt = AllocSetContextCreate(CacheMemoryContext,
										  "tagset statistics cache",
										  ALLOCSET_SMALL_SIZES);
	else
		MemoryContextReset(cache_cxt);
	cache = NULL;
	cache_bytes = 0;
	cache_stale = false;
}

static HTAB *
Cache(void)
{
	if (!callback_registered)
	{
		CacheRegisterSyscacheCallback(STATRELATTINH, TagStatsInvalidate, (Datum) 0);
		callback_registered = true;
		ResetCache();
	}
	if (cache_stale || cache_bytes > TAGSTATS_CACHE_BYTES)
		ResetCache();
	if (cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(TagStatsKey);
		ctl.entrysize = sizeof(TagStatsEntry);
		ctl.hcxt = cache_cxt;
		cache = hash_create("tagset statistics", 16, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	return cache;
}

/* the MCELEM slot: the common tags with their fractions */
static Size
DecodeCommonTags(HeapTuple tup, TagStats *st)
{
	AttStatsSlot slot;
	Size		bytes = 0;

	if (!get_attstatsslot(&slot, tup, STATISTIC_KIND_MCELEM, InvalidOid,
						  ATTSTATSSLOT_VALUES | ATTSTATSSLOT_NUMBERS))
		return 0;

	/* frequencies, then min, max and null-tag frequency */
	if (slot.nvalues > 0 && slot.nnumbers == slot.nvalues + 3)
	{
		int			n = slot.nvalues;
		TagRef	   *tags = (TagRef *) palloc(sizeof(TagRef) * n);
		float4	   *freqs = (float4 *) palloc(sizeof(float4) * slot.nnumbers);
		Size		len = 0;
		char	   *buf;
		int			i;

		for (i = 0; i < n; i++)
			len += VARSIZE_ANY_EXHDR(DatumGetPointer(slot.values[i]));
		buf = (char *) palloc(Max(len, 1));
		for (i = 0; i < n; i++)
		{
			const struct varlena *t = (const struct varlena *) DatumGetPointer(slot.values[i]);

			tags[i].len = VARSIZE_ANY_EXHDR(t);
			tags[i].data = buf;
			memcpy(buf, VARDATA_ANY(t), tags[i].len);
			buf += tags[i].len;
		}
		memcpy(freqs, slot.numbers, sizeof(float4) * slot.nnumbers);

		st->have_tags = true;
		st->tags = tags;
		st->freqs = freqs;
		st->ntags = n;
		st->absent = freqs[n] / 2.0;
		bytes = len + n * (sizeof(TagRef) + sizeof(float4));
	}
	free_attstatsslot(&slot);
	return bytes;
}

/* the DECHIST slot: bounds of tags per set, then their average */
static Size
DecodeCountHistogram(HeapTuple tup, TagStats *st)
{
	AttStatsSlot slot;
	Size		bytes = 0;

	if (!get_attstatsslot(&slot, tup, STATISTIC_KIND_DECHIST, InvalidOid,
						  ATTSTATSSLOT_NUMBERS))
		return 0;
	if (slot.nnumbers >= 3)
	{
		float4	   *hist = (float4 *) palloc(sizeof(float4) * slot.nnumbers);

		memcpy(hist, slot.numbers, sizeof(float4) * slot.nnumbers);
		st->have_counts = true;
		st->hist = hist;
		st->nhist = slot.nnumbers - 1;
		st->avgcount = hist[st->nhist];
		bytes = sizeof(float4) * slot.nnumbers;
	}
	free_attstatsslot(&slot);
	return bytes;
}

/* decode the row into st, allocating in the current memory context */
static Size
DecodeTagStats(HeapTuple tup, TagStats *st)
{
	memset(st, 0, sizeof(TagStats));
	st->nullfrac = ((Form_pg_statistic) GETSTRUCT(tup))->stanullfrac;
	return DecodeCommonTags(tup, st) + DecodeCountHistogram(tup, st);
}

const TagStats *
GetTagStats(VariableStatData *vardata)
{
	HeapTuple	tup = vardata->statsTuple;
	Form_pg_statistic form;
	TagStatsKey key;
	TagStatsEntry *entry;
	TagStats	decoded;
	MemoryContext old;
	Size		bytes;

	if (!HeapTupleIsValid(tup))
		return NULL;
	if (vardata->freefunc != ReleaseSysCache)
	{
		TagStats   *st = (TagStats *) palloc(sizeof(TagStats));

		DecodeTagStats(tup, st);
		return st;
	}

	form = (Form_pg_statistic) GETSTRUCT(tup);
	memset(&key, 0, sizeof(key));
	key.relid = form->starelid;
	key.attnum = form->staattnum;
	key.inherit = form->stainherit;

	entry = (TagStatsEntry *) hash_search(Cache(), &key, HASH_FIND, NULL);
	if (entry != NULL &&
		ItemPointerEquals(&entry->tid, &tup->t_self) &&
		entry->xmin == HeapTupleHeaderGetRawXmin(tup->t_data))
		return &entry->stats;

	/* decode first, so that an error leaves no half-made entry behind */
	old = MemoryContextSwitchTo(cache_cxt);
	bytes = DecodeTagStats(tup, &decoded);
	MemoryContextSwitchTo(old);

	entry = (TagStatsEntry *) hash_search(cache, &key, HASH_ENTER, NULL);
	entry->tid = tup->t_self;
	entry->xmin = HeapTupleHeaderGetRawXmin(tup->t_data);
	entry->stats = decoded;
	cache_bytes += bytes + sizeof(TagStatsEntry);
	return &entry->stats;
}
