/*
 * tagset_build.h
 *		Building tagsets tag by tag, and writing tags in literals.
 */
#ifndef CUSTOMER_CLASS_TAGSET_BUILD_H
#define CUSTOMER_CLASS_TAGSET_BUILD_H

#include "tagset.h"

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
