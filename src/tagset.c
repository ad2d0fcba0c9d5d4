/*
 * tagset.c
 *		Core of the tagset type: tag validation, building the canonical form,
 *		the text parser and printer, membership and ordering.
 *
 * Nothing here uses fmgr, so test/fuzz links this file into a stand-alone
 * fuzz target; the SQL-callable wrappers are in tagset_sql.c.
 */
#include "postgres.h"

#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"

#include "tagset.h"

/* encoding tags are checked in: the database's, or UTF-8 under SQL_ASCII */
static int
TagEncoding(void)
{
	int			enc = GetDatabaseEncoding();

	return enc == PG_SQL_ASCII ? PG_UTF8 : enc;
}

/*
 * Length in bytes of the whitespace character at p (of which at most avail
 * bytes are read; a NUL stops the match), or 0.  Whitespace is ASCII space,
 * \t \n \v \f \r and, in UTF-8, Unicode's other White_Space characters:
 * U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F
 * and the ideographic space U+3000.
 */
int
TagSpaceLength(const char *p, int avail)
{
	const unsigned char *u = (const unsigned char *) p;

	if (avail < 1)
		return 0;
	if (u[0] == ' ' || (u[0] >= '\t' && u[0] <= '\r'))
		return 1;
	if (u[0] < 0xC2 || TagEncoding() != PG_UTF8)
		return 0;
	if (u[0] == 0xC2)
		return avail >= 2 && (u[1] == 0x85 || u[1] == 0xA0) ? 2 : 0;
	if (avail < 3)
		return 0;
	if (u[0] == 0xE1)
		return u[1] == 0x9A && u[2] == 0x80 ? 3 : 0;
	if (u[0] == 0xE2 && u[1] == 0x80)
		return (u[2] >= 0x80 && u[2] <= 0x8A) || u[2] == 0xA8 ||
			u[2] == 0xA9 || u[2] == 0xAF ? 3 : 0;
	if (u[0] == 0xE2 && u[1] == 0x81)
		return u[2] == 0x9F ? 3 : 0;
	if (u[0] == 0xE3)
		return u[1] == 0x80 && u[2] == 0x80 ? 3 : 0;
	return 0;
}

/* does a whitespace character end exactly at end (start <= end)? */
static bool
EndsWithSpace(const char *start, const char *end)
{
	int			k;

	for (k = 1; k <= 3 && k <= end - start; k++)
		if (TagSpaceLength(end - k, k) == k)
			return true;
	return false;
}

/* skip whitespace in a NUL-terminated literal */
const char *
SkipTagSpace(const char *p)
{
	int			l;

	while ((l = TagSpaceLength(p, 3)) > 0)
		p += l;
	return p;
}

/* 1-based character position of at within str */
int
TagErrorPosition(const char *str, const char *at)
{
	int			enc = TagEncoding();
	int			pos = 1;
	const char *p = str;

	while (p < at && *p != '\0')
	{
		int			l = pg_encoding_mblen(enc, p);
		int			i;

		/* never step over a terminator inside a broken sequence */
		for (i = 1; i < l && p[i] != '\0'; i++)
			;
		p += i;
		pos++;
	}
	return pos;
}

/* length in bytes of the (possibly multibyte) character at p, bounded by a NUL */
int
CharLength(const char *p)
{
	int			l = pg_encoding_mblen(TagEncoding(), p);
	int			i;

	for (i = 1; i < l && p[i] != '\0'; i++)
		;
	return i;
}

/*
 * Report a syntax error at "at" within "str": what names the type
 * ("tagset", "tagquery").
 */
void
ReportUnexpectedChar(const char *what, const char *str, const char *at,
					 const char *hint)
{
	int			pos = TagErrorPosition(str, at);

	if (*at == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("%s syntax error at position %d", what, pos),
				 errdetail("Unexpected end of input."),
				 hint ? errhint("%s", hint) : 0));
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("%s syntax error at position %d", what, pos),
				 errdetail("Unexpected \"%.*s\".", CharLength(at), at),
				 hint ? errhint("%s", hint) : 0));
}

/* report an invalid tag, naming it, with a detail and an optional hint */
static void
ReportInvalidTag(const char *tag, int len, const char *literal, int pos,
				 const char *detail, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 literal ? errmsg("invalid tag \"%.*s\" at position %d", len, tag, pos) :
			 errmsg("invalid tag \"%.*s\"", len, tag),
			 errdetail("%s", detail),
			 hint ? errhint("%s", hint) : 0));
}

#define TAG_DOT_HINT "Dots separate non-empty labels, as in \"region.east.shanghai\"."
#define TAG_SPACE_HINT "Whitespace may appear inside a label, as in \"key account\", not at its start or end."

/*
 * Check one tag: non-empty, at most TAGSET_MAX_TAG_LEN bytes, valid text in
 * the database encoding, no control characters (C0, DEL and, in UTF-8, the
 * C1 controls U+0080..U+009F), no "*" (reserved for prefix queries), and
 * non-empty labels that neither start nor end with whitespace.  When
 * literal is given, errors name the position of at (the tag's start) in it.
 */
void
CheckTag(const char *tag, int len, const char *literal, const char *at)
{
	int			pos = literal ? TagErrorPosition(literal, at) : 0;
	bool		utf8 = TagEncoding() == PG_UTF8;
	const char *label;
	const char *end = tag + len;
	int			i;

	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 literal ? errmsg("empty tag at position %d", pos) :
				 errmsg("empty tag"),
				 errdetail("A tag must have at least one character.")));
	if (len > TAGSET_MAX_TAG_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 literal ? errmsg("tag too long at position %d", pos) :
				 errmsg("tag too long"),
				 errdetail("A tag may have at most %d bytes; this one has %d.",
						   TAGSET_MAX_TAG_LEN, len)));
	if (pg_encoding_verifymbstr(TagEncoding(), tag, len) != len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 literal ? errmsg("invalid byte sequence in tag at position %d", pos) :
				 errmsg("invalid byte sequence in tag"),
				 errdetail("Tags must be valid %s text.",
						   pg_encoding_to_char(TagEncoding()))));
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) tag[i];

		if (c < 0x20 || c == 0x7f)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 literal ? errmsg("invalid character in tag at position %d", pos) :
					 errmsg("invalid character in tag"),
					 errdetail("Tags must not contain control characters (found byte 0x%02x).", c)));
		/* U+0080..U+009F are C2 80..C2 9F in UTF-8 (verified above) */
		if (utf8 && c == 0xC2 && i + 1 < len &&
			(unsigned char) tag[i + 1] <= 0x9F)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 literal ? errmsg("invalid character in tag at position %d", pos) :
					 errmsg("invalid character in tag"),
					 errdetail("Tags must not contain control characters (found U+%04X).",
							   (unsigned char) tag[i + 1])));
		if (c == '*')
			ReportInvalidTag(tag, len, literal, pos,
							 "Tags must not contain \"*\".",
							 "\"*\" is reserved for prefix queries, as in region.east.*.");
	}
	/* labels: non-empty, no whitespace at either end */
	label = tag;
	for (;;)
	{
		const char *dot = memchr(label, '.', end - label);
		const char *lend = dot ? dot : end;

		if (lend == label)
			ReportInvalidTag(tag, len, literal, pos,
							 label == tag ? "The tag starts with a dot." :
							 dot == NULL ? "The tag ends with a dot." :
							 "The tag has two dots in a row.",
							 TAG_DOT_HINT);
		if (TagSpaceLength(label, lend - label) > 0)
		{
			const char *q = label;
			int			l;

			while (q < lend && (l = TagSpaceLength(q, lend - q)) > 0)
				q += l;
			ReportInvalidTag(tag, len, literal, pos,
							 q == lend ?
							 (label == tag && dot == NULL ?
							  "The tag is only whitespace." :
							  "A label of the tag is only whitespace.") :
							 (label == tag && dot == NULL ?
							  "The tag starts with whitespace." :
							  "A label of the tag starts with whitespace."),
							 TAG_SPACE_HINT);
		}
		if (EndsWithSpace(label, lend))
			ReportInvalidTag(tag, len, literal, pos,
							 label == tag && dot == NULL ?
							 "The tag ends with whitespace." :
							 "A label of the tag ends with whitespace.",
							 TAG_SPACE_HINT);
		if (dot == NULL)
			break;
		label = dot + 1;
	}
}

/*
 * Raw length of the quoted text starting at p (after the opening quote), up
 * to the closing quote or the end: a bound on its unescaped length, so each
 * quoted tag allocates no more than its own size.
 */
int
QuotedLength(const char *p)
{
	const char *q = p;

	while (*q != '\0' && *q != '"')
	{
		if (*q == '\\' && q[1] != '\0')
			q++;
		q++;
	}
	return q - p;
}

/* ---- building ---- */

void
TagSetBufInit(TagSetBuf *b, Size maxdata)
{
	b->ts = (struct varlena *) palloc(VARHDRSZ + TAGSET_HDRSZ + maxdata);
	b->pos = (unsigned char *) VARDATA(b->ts) + TAGSET_HDRSZ;
	b->n = 0;
}

/* append a tag; the caller appends in strictly increasing order */
void
TagSetBufAppend(TagSetBuf *b, const char *tag, int len)
{
	Assert(len > 0 && len <= TAGSET_MAX_TAG_LEN);
	*b->pos++ = (unsigned char) len;
	memcpy(b->pos, tag, len);
	b->pos += len;
	b->n++;
}

/* set the header; errors when the set has too many tags */
struct varlena *
TagSetBufFinish(TagSetBuf *b)
{
	unsigned char *d = (unsigned char *) VARDATA(b->ts);

	if (b->n > TAGSET_MAX_TAGS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many tags in tagset"),
				 errdetail("A tagset may hold at most %d tags; this one would hold %d.",
						   TAGSET_MAX_TAGS, b->n)));
	d[0] = (unsigned char) (b->n & 0xff);
	d[1] = (unsigned char) (b->n >> 8);
	SET_VARSIZE(b->ts, (char *) b->pos - (char *) b->ts);
	return b->ts;
}

static int
TagRefCmp(const void *a, const void *b)
{
	const TagRef *x = (const TagRef *) a;
	const TagRef *y = (const TagRef *) b;

	return TagCompare(x->data, x->len, y->data, y->len);
}

/* the canonical tagset of already checked tags (sorted here, duplicates dropped) */
struct varlena *
TagSetFromTags(TagRef *tags, int ntags)
{
	TagSetBuf	b;
	Size		total = 0;
	int			i;

	for (i = 0; i < ntags; i++)
		total += 1 + tags[i].len;
	if (ntags > 1)
		qsort(tags, ntags, sizeof(TagRef), TagRefCmp);
	TagSetBufInit(&b, total);
	for (i = 0; i < ntags; i++)
	{
		if (i > 0 && TagRefCmp(&tags[i - 1], &tags[i]) == 0)
			continue;
		TagSetBufAppend(&b, tags[i].data, tags[i].len);
	}
	return TagSetBufFinish(&b);
}

/* every tag of ts, pointing into ts */
TagRef *
TagSetTags(const struct varlena *ts, int *ntags)
{
	int			n = TagSetCount(ts);
	TagRef	   *tags = (TagRef *) palloc(sizeof(TagRef) * Max(n, 1));
	const unsigned char *p = TagSetFirst(ts);
	int			i;

	for (i = 0; i < n; i++)
		p = TagSetNext(p, &tags[i]);
	*ntags = n;
	return tags;
}

/* ---- text input ---- */

#define TAGSET_SYNTAX_HINT "A tagset literal looks like {vip,industry.construction,\"key account\"}."

/*
 * Parse the text form {a,b.c,"key account"}.  Elements are unquoted (no
 * braces, commas, quotes or backslashes; surrounding whitespace is dropped)
 * or double-quoted with backslash escapes.
 */
struct varlena *
TagSetParse(const char *str)
{
	const char *p = str;
	int			cap = 8;
	int			n = 0;
	TagRef	   *tags = (TagRef *) palloc(sizeof(TagRef) * cap);

	p = SkipTagSpace(p);
	if (*p != '{')
		ReportUnexpectedChar("tagset", str, p, *p == '\0' ? TAGSET_SYNTAX_HINT :
							 TAGSET_SYNTAX_HINT " To add or remove a single tag, write tags + 'tag' or tags - 'tag'::text.");
	p++;
	p = SkipTagSpace(p);
	if (*p == '}')
		p++;
	else
	{
		for (;;)
		{
			const char *start;
			char	   *tag;
			int			len;

			p = SkipTagSpace(p);
			start = p;
			if (*p == '"')
			{
				char	   *w;

				p++;
				tag = w = palloc(QuotedLength(p) + 1);
				while (*p != '"')
				{
					if (*p == '\0')
						ReportUnexpectedChar("tagset", str, p,
											 "Close the quoted tag with a double quote.");
					if (*p == '\\')
					{
						p++;
						if (*p == '\0')
							ReportUnexpectedChar("tagset", str, p, NULL);
					}
					*w++ = *p++;
				}
				p++;
				len = w - tag;
			}
			else
			{
				const char *end = start;

				/* by characters; end follows the last one that is no space */
				while (*p != '\0' && *p != ',' && *p != '}' && *p != '{' &&
					   *p != '"' && *p != '\\')
				{
					int			l = TagSpaceLength(p, 3);

					if (l > 0)
						p += l;
					else
						end = (p += CharLength(p));
				}
				if (end == start)
					ReportUnexpectedChar("tagset", str, p,
										 *p == ',' || *p == '}' ? "Tags cannot be empty." :
										 TAGSET_SYNTAX_HINT);
				if (*p == '{' || *p == '"' || *p == '\\')
					ReportUnexpectedChar("tagset", str, p,
										 "Double-quote tags that contain braces, quotes, backslashes, commas or spaces.");
				tag = (char *) start;
				len = end - start;
			}
			CheckTag(tag, len, str, start);
			if (n == cap)
			{
				cap *= 2;
				tags = (TagRef *) repalloc(tags, sizeof(TagRef) * cap);
			}
			tags[n].data = tag;
			tags[n].len = len;
			n++;

			p = SkipTagSpace(p);
			if (*p == ',')
			{
				p++;
				continue;
			}
			if (*p == '}')
			{
				p++;
				break;
			}
			ReportUnexpectedChar("tagset", str, p, TAGSET_SYNTAX_HINT);
		}
	}
	p = SkipTagSpace(p);
	if (*p != '\0')
		ReportUnexpectedChar("tagset", str, p, "Nothing may follow the closing brace.");
	return TagSetFromTags(tags, n);
}

/* ---- binary input ---- */

/*
 * Binary form: version byte, int32 count, then per tag an int32 length and
 * the text.  Every count and length is checked against the bytes actually
 * left before anything is allocated; tags are re-checked and re-sorted.
 * Only pqformat is used, so the fuzz target drives this with a stub buffer.
 */
struct varlena *
TagSetRecv(StringInfo buf)
{
	int			version = pq_getmsgbyte(buf);
	int			n;
	TagRef	   *tags;
	int			i;

	if (version != TAGSET_BINARY_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported tagset binary format version %d", version),
				 errdetail("This version of customer_class reads version %d.",
						   TAGSET_BINARY_VERSION)));
	n = pq_getmsgint(buf, 4);
	/* each tag takes at least 5 bytes (length word and one byte) */
	if (n < 0 || n > TAGSET_MAX_TAGS || n > (buf->len - buf->cursor) / 5)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid tag count %d in binary tagset", n),
				 errdetail("The count must be between 0 and %d and fit the message.",
						   TAGSET_MAX_TAGS)));
	tags = (TagRef *) palloc(sizeof(TagRef) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		int			len = pq_getmsgint(buf, 4);
		int			nbytes;

		if (len <= 0 || len > buf->len - buf->cursor)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid tag length %d in binary tagset", len)));
		tags[i].data = pq_getmsgtext(buf, len, &nbytes);
		tags[i].len = nbytes;
		CheckTag(tags[i].data, tags[i].len, NULL, NULL);
	}
	return TagSetFromTags(tags, n);
}

/* ---- text output ---- */

/*
 * Must this tag be double-quoted in a tagset literal?  Yes when it holds a
 * brace, comma, quote, backslash or whitespace, and when it reads NULL in
 * any case, so that the text form is also a safe text[] literal.
 */
static bool
TagNeedsQuotes(const char *tag, int len)
{
	int			i;

	if (len == 4 && pg_strncasecmp(tag, "NULL", 4) == 0)
		return true;
	for (i = 0; i < len; i++)
	{
		char		c = tag[i];

		if (c == '{' || c == '}' || c == ',' || c == '"' || c == '\\' ||
			TagSpaceLength(tag + i, len - i) > 0)
			return true;
	}
	return false;
}

/*
 * Append tag to out (which has room for 2 * len + 2 bytes), double-quoted
 * and escaped when quote is set.  Returns the new end.
 */
char *
WriteTag(char *out, const char *tag, int len, bool quote)
{
	int			i;

	if (!quote)
	{
		memcpy(out, tag, len);
		return out + len;
	}
	*out++ = '"';
	for (i = 0; i < len; i++)
	{
		if (tag[i] == '"' || tag[i] == '\\')
			*out++ = '\\';
		*out++ = tag[i];
	}
	*out++ = '"';
	return out;
}

/* the text form, e.g. {"key account",vip} */
char *
TagSetToCString(const struct varlena *ts)
{
	int			n = TagSetCount(ts);
	const unsigned char *p = TagSetFirst(ts);
	Size		size = 3;
	char	   *result;
	char	   *w;
	TagRef		t;
	int			i;

	/* worst case: every byte escaped, quotes and a comma per tag */
	for (i = 0; i < n; i++)
	{
		p = TagSetNext(p, &t);
		size += 2 * t.len + 3;
	}
	result = w = palloc(size);
	*w++ = '{';
	p = TagSetFirst(ts);
	for (i = 0; i < n; i++)
	{
		p = TagSetNext(p, &t);
		if (i > 0)
			*w++ = ',';
		w = WriteTag(w, t.data, t.len, TagNeedsQuotes(t.data, t.len));
	}
	*w++ = '}';
	*w = '\0';
	return result;
}

/* ---- membership and order ---- */

bool
TagSetHas(const struct varlena *ts, const char *tag, int len)
{
	int			n = TagSetCount(ts);
	const unsigned char *p = TagSetFirst(ts);
	TagRef		t;
	int			i;

	for (i = 0; i < n; i++)
	{
		int			c;

		p = TagSetNext(p, &t);
		c = TagCompare(t.data, t.len, tag, len);
		if (c == 0)
			return true;
		if (c > 0)
			return false;		/* sorted: it cannot come later */
	}
	return false;
}

/* does ts hold prefix itself or any tag below it? */
bool
TagSetHasPrefix(const struct varlena *ts, const char *prefix, int len)
{
	int			n = TagSetCount(ts);
	const unsigned char *p = TagSetFirst(ts);
	TagRef		t;
	int			i;

	for (i = 0; i < n; i++)
	{
		p = TagSetNext(p, &t);
		if (TagUnderPrefix(t.data, t.len, prefix, len))
			return true;
		/* past every tag that starts with "prefix." */
		if (memcmp(t.data, prefix, Min(t.len, len)) > 0)
			return false;
	}
	return false;
}

/* total order: tag by tag in byte order, then the shorter set first */
int
TagSetCmp(const struct varlena *a, const struct varlena *b)
{
	int			na = TagSetCount(a);
	int			nb = TagSetCount(b);
	const unsigned char *pa = TagSetFirst(a);
	const unsigned char *pb = TagSetFirst(b);
	int			i;

	for (i = 0; i < na && i < nb; i++)
	{
		TagRef		ta;
		TagRef		tb;
		int			c;

		pa = TagSetNext(pa, &ta);
		pb = TagSetNext(pb, &tb);
		c = TagCompare(ta.data, ta.len, tb.data, tb.len);
		if (c != 0)
			return c;
	}
	return (na > nb) - (na < nb);
}
