/*
 * tagset.h
 *		The tagset type: a sorted, de-duplicated set of hierarchical tags.
 *
 * On-disk layout (a varlena; fields are read byte by byte, so values with
 * short headers are used in place, never copied just to be aligned):
 *
 *		uint16	ntags				number of tags (0 .. TAGSET_MAX_TAGS)
 *		then per tag, in byte order (memcmp, shorter first on a tie):
 *		uint8	len					1 .. TAGSET_MAX_TAG_LEN
 *		char	bytes[len]			the tag, no terminator
 *
 * The format is canonical: equal sets are byte-for-byte equal, so equality
 * and hashing work on the bytes.
 *
 * A tag is a dot-separated path of non-empty labels; a label is any text in
 * the database encoding except the dot and control characters.
 */
#ifndef CUSTOMER_CLASS_TAGSET_H
#define CUSTOMER_CLASS_TAGSET_H

#include "fmgr.h"
#include "lib/stringinfo.h"

/* documented limits (docs/tags.md) */
#define TAGSET_MAX_TAG_LEN	255		/* bytes per tag */
#define TAGSET_MAX_TAGS		1000	/* tags per set */

#define TAGSET_HDRSZ		2		/* the ntags field */

/* binary send/recv format version */
#define TAGSET_BINARY_VERSION	1

/* a read-only view of one tag inside a tagset or a query */
typedef struct TagRef
{
	const char *data;
	int			len;
} TagRef;

/* reading a (possibly short-header) tagset without copying it */
static inline int
TagSetCount(const struct varlena *ts)
{
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(ts);

	return (int) p[0] | ((int) p[1] << 8);
}

static inline const unsigned char *
TagSetFirst(const struct varlena *ts)
{
	return (const unsigned char *) VARDATA_ANY(ts) + TAGSET_HDRSZ;
}

/* the tag at *p; returns the position of the next one */
static inline const unsigned char *
TagSetNext(const unsigned char *p, TagRef *tag)
{
	tag->len = p[0];
	tag->data = (const char *) p + 1;
	return p + 1 + tag->len;
}

/* byte-order comparison of two tags (strcmp order, collation-free) */
static inline int
TagCompare(const char *a, int alen, const char *b, int blen)
{
	int			c = memcmp(a, b, Min(alen, blen));

	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

/* does tag t equal prefix p or lie below it (p.something)? */
static inline bool
TagUnderPrefix(const char *t, int tlen, const char *p, int plen)
{
	if (tlen < plen || memcmp(t, p, plen) != 0)
		return false;
	return tlen == plen || t[plen] == '.';
}

/* tagset.c: core functions, free of fmgr so the fuzz target can link them */
extern void CheckTag(const char *tag, int len, const char *literal, const char *at);
extern struct varlena *TagSetFromTags(TagRef *tags, int ntags);
extern struct varlena *TagSetParse(const char *str);
extern struct varlena *TagSetRecv(StringInfo buf);
extern char *TagSetToCString(const struct varlena *ts);
extern bool TagSetHas(const struct varlena *ts, const char *tag, int len);
extern bool TagSetHasPrefix(const struct varlena *ts, const char *prefix, int len);
extern int	TagSetCmp(const struct varlena *a, const struct varlena *b);
extern TagRef *TagSetTags(const struct varlena *ts, int *ntags);
extern int	TagErrorPosition(const char *str, const char *at);
extern void ReportUnexpectedChar(const char *what, const char *str,
								 const char *at, const char *hint);

#define DatumGetTagSetP(X)		((struct varlena *) PG_DETOAST_DATUM_PACKED(X))
#define PG_GETARG_TAGSET_P(n)	DatumGetTagSetP(PG_GETARG_DATUM(n))
#define PG_RETURN_TAGSET_P(x)	PG_RETURN_POINTER(x)

/* building tagsets tag by tag, and writing tags in literals */

/* a tagset under construction; tags are appended in increasing order */
typedef struct TagSetBuf
{
	struct varlena *ts;
	unsigned char *pos;
	int			n;
} TagSetBuf;

extern void TagSetBufInit(TagSetBuf *b, Size maxdata);
extern void TagSetBufAppend(TagSetBuf *b, const char *tag, int len);
extern struct varlena *TagSetBufFinish(TagSetBuf *b);

/* whitespace (ASCII and, in UTF-8, Unicode White_Space) in tags and literals */
extern int	TagSpaceLength(const char *p, int avail);
extern const char *SkipTagSpace(const char *p);

/* byte length of the character at p, bounded by a NUL */
extern int	CharLength(const char *p);

/* raw length of quoted text after the opening quote, up to the closing one */
extern int	QuotedLength(const char *p);

/* write tag at out, double-quoted and escaped when quote; returns the new end */
extern char *WriteTag(char *out, const char *tag, int len, bool quote);

#endif
