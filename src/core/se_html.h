/*
 * HTML output for markup injected into pages of any charset: a growable
 * buffer and escapers that append to it.
 *
 * Everything the escapers write is ASCII: non-ASCII text becomes numeric
 * character references ("&#54620;"), so the bytes read the same in a
 * UTF-8, EUC-KR, Shift_JIS or Latin-1 page.  Input is UTF-8; an invalid
 * sequence becomes U+FFFD ("&#65533;"), one per maximal invalid subpart
 * (the WHATWG decoder's rule).  What markup may not carry is dropped
 * (se_utf8_markup_ok(): NUL, C0 controls other than TAB, LF and CR, DEL,
 * C1 controls, noncharacters such as U+FFFE and U+FFFF).
 */

#ifndef SE_HTML_H
#define SE_HTML_H

#include "se_core.h"

/*
 * A growable byte buffer.  Zero-initialize it (or se_html_buf_init());
 * appends that fail for lack of memory set the sticky "failed" flag and
 * return SE_ERROR, so a sequence of appends can be checked once at the
 * end.  data is allocated with se_malloc() and freed by
 * se_html_buf_free(); se_html_buf_take() hands it over instead.
 */
typedef struct {
    char           *data;
    size_t          len;
    size_t          size;
    int             failed;
} se_html_buf_t;

void se_html_buf_init(se_html_buf_t *b);
void se_html_buf_free(se_html_buf_t *b);

/*
 * The contents, NUL-terminated (not counted in *len), owned by the caller
 * (se_free()); the buffer is left empty.  NULL when an append failed or
 * out of memory.
 */
char *se_html_buf_take(se_html_buf_t *b, size_t *len);

/* trusted bytes (markup written by the module itself), as they are */
int se_html_raw(se_html_buf_t *b, const char *s, size_t len);
int se_html_str(se_html_buf_t *b, const char *s);

/*
 * HTML text and attribute values (double- or single-quoted): & < > " '
 * become &amp; &lt; &gt; &quot; &#39;.  In text TAB, LF and CR stay as
 * they are; in attribute values they become &#9; &#10; &#13;.
 */
int se_html_text(se_html_buf_t *b, const char *s, size_t len);
int se_html_attr(se_html_buf_t *b, const char *s, size_t len);

/*
 * Multi-line text: as se_html_text(), with each line break (LF, CR or
 * CRLF) written as "<br>".  At most max_chars characters (code points,
 * 0: no limit) are written; longer text is cut there, trailing white
 * space dropped, and ends with "&#8230;" (an ellipsis).
 */
int se_html_lines(se_html_buf_t *b, const char *s, size_t len,
    size_t max_chars);

/*
 * URLs that may appear in an href: an absolute http:// or https:// URL
 * (se_valid_url()) or a same-site path: '/' not followed by '/' or '\',
 * printable ASCII without space, quotes, angle brackets, '\' or '`', at
 * most 1 KiB.  Anything else ("javascript:", "//host", relative paths)
 * is refused.
 */
int se_html_url_ok(const char *s, size_t len);
int se_html_path_ok(const char *s, size_t len);

/*
 * Appends the URL escaped for an attribute value, or appends nothing and
 * returns SE_DECLINED when se_html_url_ok() refuses it.
 */
int se_html_url(se_html_buf_t *b, const char *s, size_t len);

/*
 * Percent-encoding for a URL query value: A-Z a-z 0-9 - . _ ~ / stay,
 * every other byte becomes %XX.  The result is safe in an attribute
 * value as it is.  Non-allocating: the caller sizes dst with
 * se_html_pct_len() and gets the end of what was written.
 */
size_t se_html_pct_len(const char *s, size_t len);
char *se_html_pct_write(char *dst, const char *s, size_t len);
int se_html_pct(se_html_buf_t *b, const char *s, size_t len);

#endif /* SE_HTML_H */
