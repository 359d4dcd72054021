/*
 * HTML escaping into ASCII output (see se_html.h).
 */

#include <string.h>

#include "se_html.h"
#include "se_pool.h"
#include "se_valid.h"
#include "se_utf8.h"

#define SE_HTML_TEXT   0
#define SE_HTML_ATTR   1
#define SE_HTML_LINES  2



void
se_html_buf_init(se_html_buf_t *b)
{
    memset(b, 0, sizeof(se_html_buf_t));
}


void
se_html_buf_free(se_html_buf_t *b)
{
    se_free(b->data);
    memset(b, 0, sizeof(se_html_buf_t));
}


char *
se_html_buf_take(se_html_buf_t *b, size_t *len)
{
    char  *p;

    if (b->failed || se_html_raw(b, "", 1) != SE_OK) {
        se_html_buf_free(b);
        return NULL;
    }

    p = b->data;
    *len = b->len - 1;

    memset(b, 0, sizeof(se_html_buf_t));

    return p;
}


static int
se_html_grow(se_html_buf_t *b, size_t len)
{
    char    *p;
    size_t   size;

    size = b->size ? b->size : 1024;

    while (len > size - b->len) {
        if (size > SIZE_MAX / 4) {
            b->failed = 1;
            return SE_ERROR;
        }
        size *= 2;
    }

    p = se_malloc(size);
    if (p == NULL) {
        b->failed = 1;
        return SE_ERROR;
    }

    if (b->len) {
        memcpy(p, b->data, b->len);
    }

    se_free(b->data);
    b->data = p;
    b->size = size;

    return SE_OK;
}


int
se_html_raw(se_html_buf_t *b, const char *s, size_t len)
{
    if (b->failed) {
        return SE_ERROR;
    }

    if (len > b->size - b->len && se_html_grow(b, len) != SE_OK) {
        return SE_ERROR;
    }

    if (len) {
        memcpy(b->data + b->len, s, len);
        b->len += len;
    }

    return SE_OK;
}


int
se_html_str(se_html_buf_t *b, const char *s)
{
    return se_html_raw(b, s, strlen(s));
}


static int
se_html_ncr(se_html_buf_t *b, uint32_t cp)
{
    char    buf[16], *p;
    size_t  n;

    p = buf + sizeof(buf);
    *--p = ';';

    do {
        *--p = (char) ('0' + cp % 10);
        cp /= 10;
    } while (cp);

    *--p = '#';
    *--p = '&';

    n = buf + sizeof(buf) - p;

    return se_html_raw(b, p, n);
}


/* the escape of an ASCII byte, "" to drop it, NULL to copy it */
static const char *
se_html_ascii(unsigned char c, int mode)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    case '\t':
        return mode == SE_HTML_ATTR ? "&#9;" : NULL;
    case '\n':
        return mode == SE_HTML_ATTR ? "&#10;"
               : mode == SE_HTML_LINES ? "<br>" : NULL;
    case '\r':
        return mode == SE_HTML_ATTR ? "&#13;"
               : mode == SE_HTML_LINES ? "<br>" : NULL;
    }

    return se_utf8_markup_ok(c) ? NULL : "";
}


static int
se_html_escape(se_html_buf_t *b, const char *s, size_t len, int mode)
{
    const unsigned char  *p, *end, *run;
    const char           *esc;
    uint32_t              cp;
    size_t                n;

    p = (const unsigned char *) s;
    end = p + len;
    run = p;

    while (p < end) {

        if (*p < 0x80) {
            esc = se_html_ascii(*p, mode);

            if (esc == NULL) {
                p++;
                continue;
            }

            se_html_raw(b, (const char *) run, p - run);

            /* CRLF is one line break */
            if (mode == SE_HTML_LINES && *p == '\r' && p + 1 < end
                && p[1] == '\n')
            {
                p++;
            }

            se_html_str(b, esc);
            p++;
            run = p;
            continue;
        }

        se_html_raw(b, (const char *) run, p - run);

        n = se_utf8_decode(p, end - p, &cp);
        p += n;
        run = p;

        /* an invalid sequence reads as U+FFFD, as browsers show it */
        if (cp == SE_UTF8_BAD) {
            cp = 0xfffd;

        } else if (!se_utf8_markup_ok(cp)) {
            continue;               /* C1 controls, noncharacters */
        }

        se_html_ncr(b, cp);
    }

    se_html_raw(b, (const char *) run, p - run);

    return b->failed ? SE_ERROR : SE_OK;
}


int
se_html_text(se_html_buf_t *b, const char *s, size_t len)
{
    return se_html_escape(b, s, len, SE_HTML_TEXT);
}


int
se_html_attr(se_html_buf_t *b, const char *s, size_t len)
{
    return se_html_escape(b, s, len, SE_HTML_ATTR);
}


int
se_html_lines(se_html_buf_t *b, const char *s, size_t len,
    size_t max_chars)
{
    const unsigned char  *p, *end;
    uint32_t              cp;
    size_t                n, cut;

    if (max_chars == 0) {
        return se_html_escape(b, s, len, SE_HTML_LINES);
    }

    p = (const unsigned char *) s;
    end = p + len;

    for (n = 0; p < end && n < max_chars; n++) {
        p += se_utf8_decode(p, end - p, &cp);
    }

    if (p == end) {
        return se_html_escape(b, s, len, SE_HTML_LINES);
    }

    cut = (const char *) p - s;

    while (cut && (s[cut - 1] == ' ' || s[cut - 1] == '\t'
                   || s[cut - 1] == '\n' || s[cut - 1] == '\r'))
    {
        cut--;
    }

    se_html_escape(b, s, cut, SE_HTML_LINES);

    return se_html_str(b, "&#8230;");
}


int
se_html_path_ok(const char *s, size_t len)
{
    size_t         i;
    unsigned char  c;

    if (s == NULL || len == 0 || len > SE_MAX_FIELD || s[0] != '/') {
        return SE_ERROR;
    }

    if (len > 1 && (s[1] == '/' || s[1] == '\\')) {
        return SE_ERROR;
    }

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];

        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\'' || c == '<'
            || c == '>' || c == '\\' || c == '`')
        {
            return SE_ERROR;
        }
    }

    return SE_OK;
}


int
se_html_url_ok(const char *s, size_t len)
{
    if (s == NULL || len == 0) {
        return SE_ERROR;
    }

    if (s[0] == '/') {
        return se_html_path_ok(s, len);
    }

    return se_valid_url(s, len);
}


int
se_html_url(se_html_buf_t *b, const char *s, size_t len)
{
    if (se_html_url_ok(s, len) != SE_OK) {
        return SE_DECLINED;
    }

    return se_html_attr(b, s, len);
}


/* the bytes a percent-encoded path keeps: A-Z a-z 0-9 - . _ ~ / */

static const unsigned char  se_html_pct_safe[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};

#define se_html_pct_keep(c)  se_html_pct_safe[(unsigned char) (c)]


size_t
se_html_pct_len(const char *s, size_t len)
{
    size_t  i, n;

    n = len;

    for (i = 0; i < len; i++) {
        if (!se_html_pct_keep((unsigned char) s[i])) {
            n += 2;
        }
    }

    return n;
}


char *
se_html_pct_write(char *dst, const char *s, size_t len)
{
    static const char     hex[] = "0123456789ABCDEF";
    const unsigned char  *p, *q, *end;

    p = (const unsigned char *) s;
    end = p + len;

    for ( ;; ) {

        /*
         * a run of bytes that stay: found with the table, four bytes a
         * step while they last, and copied at once
         */

        for (q = p;
             end - q >= 4
             && (se_html_pct_keep(q[0]) & se_html_pct_keep(q[1])
                 & se_html_pct_keep(q[2]) & se_html_pct_keep(q[3]));
             q += 4)
        { /* void */ }

        while (q < end && se_html_pct_keep(*q)) {
            q++;
        }

        if (q != p) {
            memcpy(dst, p, q - p);
            dst += q - p;
        }

        if (q == end) {
            return dst;
        }

        *dst++ = '%';
        *dst++ = hex[*q >> 4];
        *dst++ = hex[*q & 0x0f];

        p = q + 1;
    }
}


int
se_html_pct(se_html_buf_t *b, const char *s, size_t len)
{
    size_t  n;

    if (b->failed) {
        return SE_ERROR;
    }

    n = se_html_pct_len(s, len);

    if (n > b->size - b->len && se_html_grow(b, n) != SE_OK) {
        return SE_ERROR;
    }

    b->len = se_html_pct_write(b->data + b->len, s, len) - b->data;

    return SE_OK;
}
