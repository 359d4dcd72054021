/*
 * UTF-8 validation (RFC 3629) and text checks.
 */

#include "se_utf8.h"


size_t
se_utf8_decode(const unsigned char *p, size_t left, uint32_t *cp)
{
    unsigned char  c, lo, hi;
    size_t         n, i;
    uint32_t       v;

    c = p[0];

    if (c < 0x80) {
        *cp = c;
        return 1;
    }

    lo = 0x80;
    hi = 0xbf;

    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        v = c & 0x1f;

    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        v = c & 0x0f;
        if (c == 0xe0) {
            lo = 0xa0;
        } else if (c == 0xed) {
            hi = 0x9f;
        }

    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        v = c & 0x07;
        if (c == 0xf0) {
            lo = 0x90;
        } else if (c == 0xf4) {
            hi = 0x8f;
        }

    } else {
        *cp = SE_UTF8_BAD;
        return 1;
    }

    for (i = 1; i < n; i++) {
        if (i >= left) {
            *cp = SE_UTF8_BAD;
            return i;
        }

        c = p[i];

        if (c < lo || c > hi) {
            *cp = SE_UTF8_BAD;
            return i;
        }

        lo = 0x80;
        hi = 0xbf;
        v = (v << 6) | (c & 0x3f);
    }

    *cp = v;

    return n;
}


int
se_utf8_markup_ok(uint32_t cp)
{
    if (cp < 0x20) {
        return cp == '\t' || cp == '\n' || cp == '\r';
    }

    if (cp >= 0x7f && cp <= 0x9f) {
        return 0;                           /* DEL, C1 controls */
    }

    if (cp >= 0xd800 && cp <= 0xdfff) {
        return 0;                           /* surrogates */
    }

    if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe) {
        return 0;                           /* noncharacters */
    }

    return cp <= 0x10ffff;
}


int
se_utf8_valid(const char *s, size_t len)
{
    const unsigned char  *p;
    size_t                i, n;
    uint32_t              cp;

    if (len && s == NULL) {
        return SE_ERROR;
    }

    p = (const unsigned char *) s;

    for (i = 0; i < len; i += n) {
        n = se_utf8_decode(p + i, len - i, &cp);
        if (cp == SE_UTF8_BAD) {
            return SE_ERROR;
        }
    }

    return SE_OK;
}


int
se_valid_text(const char *s, size_t len, size_t max, int multiline)
{
    const unsigned char  *p;
    size_t                i, n;
    uint32_t              cp;

    if (len > max || (len && s == NULL)) {
        return SE_ERROR;
    }

    p = (const unsigned char *) s;

    for (i = 0; i < len; i += n) {
        n = se_utf8_decode(p + i, len - i, &cp);
        if (cp == SE_UTF8_BAD) {
            return SE_ERROR;
        }

        if (cp == '\t') {
            continue;
        }

        if (cp == '\n' || cp == '\r') {
            if (multiline) {
                continue;
            }
            return SE_ERROR;
        }

        if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
            return SE_ERROR;
        }
    }

    return SE_OK;
}
