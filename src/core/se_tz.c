/*
 * TZif reader (see se_tz.h).
 */

#include <stdio.h>
#include <string.h>

#include "se_tz.h"
#include "se_pool.h"
#include "se_valid.h"


typedef struct {
    int32_t         utoff;
    char            abbr[SE_TZ_ABBR_MAX];
} se_tz_type_t;

struct se_tz_s {
    int64_t        *times;          /* transitions, ascending */
    uint8_t        *idx;            /* type of each transition */
    size_t          ntimes;
    se_tz_type_t   *types;
    size_t          ntypes;
};


static uint32_t
se_tz_be32(const unsigned char *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16
           | (uint32_t) p[2] << 8 | p[3];
}


static int64_t
se_tz_be64(const unsigned char *p)
{
    return (int64_t) ((uint64_t) se_tz_be32(p) << 32 | se_tz_be32(p + 4));
}


typedef struct {
    size_t          isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} se_tz_counts_t;


/* the header at p: its counts, or SE_ERROR */
static int
se_tz_header(const unsigned char *p, size_t left, se_tz_counts_t *c)
{
    if (left < 44 || memcmp(p, "TZif", 4) != 0) {
        return SE_ERROR;
    }

    c->isutcnt = se_tz_be32(p + 20);
    c->isstdcnt = se_tz_be32(p + 24);
    c->leapcnt = se_tz_be32(p + 28);
    c->timecnt = se_tz_be32(p + 32);
    c->typecnt = se_tz_be32(p + 36);
    c->charcnt = se_tz_be32(p + 40);

    if (c->typecnt == 0 || c->typecnt > 256 || c->timecnt > 65536
        || c->charcnt > 65536 || c->leapcnt > 65536
        || (c->isutcnt && c->isutcnt != c->typecnt)
        || (c->isstdcnt && c->isstdcnt != c->typecnt))
    {
        return SE_ERROR;
    }

    return SE_OK;
}


static size_t
se_tz_block(const se_tz_counts_t *c, size_t tsize)
{
    return c->timecnt * tsize + c->timecnt + c->typecnt * 6 + c->charcnt
           + c->leapcnt * (tsize + 4) + c->isstdcnt + c->isutcnt;
}


se_tz_t *
se_tz_parse(const unsigned char *data, size_t len)
{
    size_t                i, tsize, n, k;
    se_tz_t              *tz;
    se_tz_counts_t        c;
    const unsigned char  *p, *times, *idx, *types, *chars;

    if (se_tz_header(data, len, &c) != SE_OK) {
        return NULL;
    }

    p = data + 44;
    tsize = 4;

    /* version 2 and later: skip the 32-bit block, use the 64-bit one */

    if (data[4] >= '2') {
        n = se_tz_block(&c, 4);
        if (n > len - 44) {
            return NULL;
        }

        p += n;

        if (se_tz_header(p, len - (p - data), &c) != SE_OK) {
            return NULL;
        }

        p += 44;
        tsize = 8;
    }

    if (se_tz_block(&c, tsize) > len - (size_t) (p - data)) {
        return NULL;
    }

    times = p;
    idx = times + c.timecnt * tsize;
    types = idx + c.timecnt;
    chars = types + c.typecnt * 6;

    tz = se_malloc(sizeof(se_tz_t) + c.timecnt * sizeof(int64_t)
                   + c.typecnt * sizeof(se_tz_type_t) + c.timecnt);
    if (tz == NULL) {
        return NULL;
    }

    tz->times = (int64_t *) (tz + 1);
    tz->types = (se_tz_type_t *) (tz->times + c.timecnt);
    tz->idx = (uint8_t *) (tz->types + c.typecnt);
    tz->ntimes = c.timecnt;
    tz->ntypes = c.typecnt;

    for (i = 0; i < c.timecnt; i++) {
        tz->times[i] = tsize == 8 ? se_tz_be64(times + i * 8)
                                  : (int32_t) se_tz_be32(times + i * 4);
        tz->idx[i] = idx[i];

        if (idx[i] >= c.typecnt || (i && tz->times[i] <= tz->times[i - 1])) {
            se_free(tz);
            return NULL;
        }
    }

    for (i = 0; i < c.typecnt; i++) {
        tz->types[i].utoff = (int32_t) se_tz_be32(types + i * 6);
        n = types[i * 6 + 5];

        if (tz->types[i].utoff < -25 * 3600
            || tz->types[i].utoff > 26 * 3600 || n >= c.charcnt)
        {
            se_free(tz);
            return NULL;
        }

        /* the abbreviation: printable ASCII up to its NUL, cut */

        for (k = 0; n + k < c.charcnt && chars[n + k] != '\0'
                    && k < SE_TZ_ABBR_MAX - 1; k++)
        {
            tz->types[i].abbr[k] = (chars[n + k] > 0x20 && chars[n + k] < 0x7f)
                                   ? (char) chars[n + k] : '?';
        }

        tz->types[i].abbr[k] = '\0';
    }

    return tz;
}


se_tz_t *
se_tz_load(const char *dir, const char *name, size_t len)
{
    FILE           *f;
    size_t          n;
    se_tz_t        *tz;
    unsigned char  *buf;
    char            path[sizeof(SE_TZ_DIR) + 256];

    if (name == NULL || se_valid_time_zone(name, len) != SE_OK) {
        return NULL;
    }

    if (dir == NULL) {
        dir = SE_TZ_DIR;
    }

    if (strlen(dir) + len + 2 > sizeof(path)) {
        return NULL;
    }

    snprintf(path, sizeof(path), "%s/%.*s", dir, (int) len, name);

    f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }

    buf = se_malloc(SE_TZ_FILE_MAX);
    if (buf == NULL) {
        fclose(f);
        return NULL;
    }

    n = fread(buf, 1, SE_TZ_FILE_MAX, f);
    fclose(f);

    tz = (n < SE_TZ_FILE_MAX) ? se_tz_parse(buf, n) : NULL;

    se_free(buf);

    return tz;
}


void
se_tz_free(se_tz_t *tz)
{
    se_free(tz);
}


int32_t
se_tz_offset(const se_tz_t *tz, int64_t t, const char **abbr)
{
    size_t               lo, hi, mid;
    const se_tz_type_t  *type;

    if (tz == NULL) {
        if (abbr) {
            *abbr = "UTC";
        }

        return 0;
    }

    /* before the first transition: type 0 (RFC 8536 section 3.2) */

    type = &tz->types[0];

    if (tz->ntimes && t >= tz->times[0]) {
        lo = 0;
        hi = tz->ntimes;

        while (hi - lo > 1) {
            mid = lo + (hi - lo) / 2;

            if (tz->times[mid] <= t) {
                lo = mid;

            } else {
                hi = mid;
            }
        }

        type = &tz->types[tz->idx[lo]];
    }

    if (abbr) {
        *abbr = type->abbr;
    }

    return type->utoff;
}
