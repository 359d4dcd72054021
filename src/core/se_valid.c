/*
 * Validators of ids, URLs, language tags, zone names and small scalars.
 */

#include <string.h>

#include "se_valid.h"


static int
se_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
           || (c >= 'A' && c <= 'Z');
}


static int
se_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}


static int
se_eq(const char *s, size_t len, const char *lit)
{
    size_t  n;

    n = strlen(lit);

    return len == n && (n == 0 || memcmp(s, lit, n) == 0);
}


int
se_valid_id(const char *s, size_t len)
{
    size_t         i;
    unsigned char  c;

    if (s == NULL || len == 0 || len > SE_MAX_ID) {
        return SE_ERROR;
    }

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];

        if (!se_alnum(c) && c != '-' && c != '_') {
            return SE_ERROR;
        }
    }

    return SE_OK;
}


int
se_valid_url(const char *s, size_t len)
{
    size_t         i, skip;
    unsigned char  c;

    if (s == NULL || len > SE_MAX_FIELD) {
        return SE_ERROR;
    }

    if (len > 7 && strncmp(s, "http://", 7) == 0) {
        skip = 7;

    } else if (len > 8 && strncmp(s, "https://", 8) == 0) {
        skip = 8;

    } else {
        return SE_ERROR;
    }

    /* a host must follow */
    c = (unsigned char) s[skip];
    if (c == '/' || c == '?' || c == '#') {
        return SE_ERROR;
    }

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];

        /* printable ASCII without space, quotes, angle brackets, '\' */
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\'' || c == '<'
            || c == '>' || c == '\\' || c == '`')
        {
            return SE_ERROR;
        }
    }

    return SE_OK;
}


int
se_valid_lang(const char *s, size_t len)
{
    size_t  i, seg;

    if (s == NULL || len < 2 || len > SE_MAX_LANG) {
        return SE_ERROR;
    }

    /* primary subtag: 2-8 letters */
    for (i = 0; i < len && s[i] != '-'; i++) {
        if (!se_alpha((unsigned char) s[i])) {
            return SE_ERROR;
        }
    }

    if (i < 2 || i > 8) {
        return SE_ERROR;
    }

    /* further subtags: 1-8 letters or digits */
    while (i < len) {
        i++;    /* '-' */
        seg = 0;

        while (i < len && s[i] != '-') {
            if (!se_alnum((unsigned char) s[i])) {
                return SE_ERROR;
            }
            i++;
            seg++;
        }

        if (seg == 0 || seg > 8) {
            return SE_ERROR;
        }
    }

    return SE_OK;
}


int
se_valid_time_zone(const char *s, size_t len)
{
    size_t         i, seg;
    unsigned char  c;

    if (s == NULL || len == 0 || len > 64) {
        return SE_ERROR;
    }

    seg = 0;

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];

        if (c == '/') {
            if (seg == 0) {
                return SE_ERROR;
            }
            seg = 0;
            continue;
        }

        if (!se_alnum(c) && c != '_' && c != '+' && c != '-') {
            return SE_ERROR;
        }

        /* no "." or ".." segments can occur: '.' is not allowed */
        seg++;
    }

    return seg ? SE_OK : SE_ERROR;
}


int
se_parse_uint(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    size_t    i;
    uint64_t  v, d;

    if (s == NULL || len == 0 || len > 20) {
        return SE_ERROR;
    }

    v = 0;

    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return SE_ERROR;
        }

        d = (uint64_t) (s[i] - '0');

        if (d > max || v > (max - d) / 10) {
            return SE_ERROR;
        }

        v = v * 10 + d;
    }

    *out = v;

    return SE_OK;
}


int
se_parse_onoff(const char *s, size_t len, int *on)
{
    if (se_eq(s, len, "on")) {
        *on = 1;
        return SE_OK;
    }

    if (se_eq(s, len, "off")) {
        *on = 0;
        return SE_OK;
    }

    return SE_ERROR;
}


int
se_parse_bool(const char *s, size_t len, int *on)
{
    if (se_eq(s, len, "1") || se_eq(s, len, "true")) {
        *on = 1;
        return SE_OK;
    }

    if (se_eq(s, len, "0") || se_eq(s, len, "false")) {
        *on = 0;
        return SE_OK;
    }

    return SE_ERROR;
}
