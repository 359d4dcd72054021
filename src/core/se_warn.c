/*
 * Warnings about bad data, safe to put in a log line.
 */

#include <stdio.h>
#include <string.h>

#include "se_build.h"
#include "se_warn.h"

#define SE_WARN_ID_MAX   64     /* input bytes of an id shown */
#define SE_WARN_VAL_MAX  64     /* input bytes of a value shown */


void
se_escape(char *dst, size_t dstsize, const char *s, size_t len, size_t max)
{
    static const char  hex[] = "0123456789abcdef";
    size_t             i, o;
    unsigned char      c;

    if (dstsize == 0) {
        return;
    }

    o = 0;

    for (i = 0; i < len && i < max; i++) {
        c = (unsigned char) s[i];

        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            if (o + 1 >= dstsize) {
                break;
            }
            dst[o++] = (char) c;
            continue;
        }

        if (o + 4 >= dstsize) {
            break;
        }

        dst[o++] = '\\';
        dst[o++] = 'x';
        dst[o++] = hex[c >> 4];
        dst[o++] = hex[c & 0xf];
    }

    if (i < len && o + 3 < dstsize) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }

    dst[o] = '\0';
}


void
se_warn(se_build_t *b, const char *what, const char *id, size_t idlen,
    const char *msg, const char *val, size_t vallen)
{
    char    ide[SE_WARN_ID_MAX * 4 + 4], vale[SE_WARN_VAL_MAX * 4 + 4];
    char    buf[SE_WARNING_LEN];
    int     n;

    b->bad++;

    if (b->nwarnings >= SE_MAX_WARNINGS) {
        return;
    }

    if (id) {
        se_escape(ide, sizeof(ide), id, idlen, SE_WARN_ID_MAX);
    }

    if (val) {
        se_escape(vale, sizeof(vale), val, vallen, SE_WARN_VAL_MAX);
    }

    n = snprintf(buf, sizeof(buf), "%s%s%s%s: %s%s%s%s", what,
                 id ? " \"" : "", id ? ide : "", id ? "\"" : "", msg,
                 val ? " \"" : "", val ? vale : "", val ? "\"" : "");
    if (n < 0) {
        return;
    }

    b->warnings[b->nwarnings] = se_pstrndup(b->pool, buf, strlen(buf));

    if (b->warnings[b->nwarnings] == NULL) {
        b->oom = 1;
        return;
    }

    b->nwarnings++;
}


void
se_warn_key(se_build_t *b, const char *what, const char *id, size_t idlen,
    const char *reason, const char *key, size_t keylen, const char *val,
    size_t vallen)
{
    char  kbuf[40 * 4 + 4], msg[sizeof(kbuf) + 64];

    se_escape(kbuf, sizeof(kbuf), key, keylen, 40);
    snprintf(msg, sizeof(msg), "%.60s \"%s\"", reason, kbuf);

    se_warn(b, what, id, idlen, msg, val, vallen);
}
