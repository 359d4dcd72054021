/*
 * Banner fixtures shared by test_banner.c and test_banner_tpl.c: a page
 * whose records are built as JSON and turned into a state.
 */

#ifndef SE_BANNER_FIXTURE_H
#define SE_BANNER_FIXTURE_H

#include "tap.h"
#include "snap.h"
#include "fixture.h"
#include "se_time.h"

#define NOW      1795272000LL       /* 2026-11-21T14:40:00Z */
#define DISMISS  "/_se/dismiss"


/* snapshots built with jansson */

typedef struct {
    json_t         *page;
    json_t         *incs;
    json_t         *mnts;
    const char     *now;
} fx_t;


/*
 * A component filter from a list of ids ("db api"; NULL: none), split
 * in buf; returns how many of at most max ids it set
 */
static inline size_t
fx_ids(const char *comps, char *buf, size_t size, se_str_t *ids, size_t max)
{
    char    *p, *save;
    size_t   n;

    n = 0;

    if (comps == NULL) {
        return 0;
    }

    snprintf(buf, size, "%s", comps);

    for (p = strtok_r(buf, " ", &save); p && n < max;
         p = strtok_r(NULL, " ", &save))
    {
        ids[n].data = p;
        ids[n].len = strlen(p);
        n++;
    }

    return n;
}


/* RFC 3339 of NOW + off, from a small ring of buffers */
static const char *
at(int64_t off)
{
    static char  ring[16][SE_TIME_LEN];
    static int   n;
    char        *p;

    p = ring[n++ % 16];
    se_time_format(NOW + off, p);

    return p;
}


static void
fx_init(fx_t *f)
{
    f->page = json_pack("[ssssssss]", "id", "p", "name", "Example",
                        "url", "https://status.example.com",
                        "status_url", "https://status.example.com/");
    f->incs = json_array();
    f->mnts = json_array();
    f->now = "1795272000";
}


/* an update as the JSON string the updates list holds; extra k, v pairs */
static json_t *
upd(const char *id, const char *status, const char *body, ...)
{
    va_list      ap;
    json_t      *o, *s;
    const char  *k, *v;
    char        *text;

    o = json_pack("{ssssssss}", "id", id, "status", status, "body", body,
                  "created_at", at(-600));

    va_start(ap, body);
    while ((k = va_arg(ap, const char *)) != NULL) {
        v = va_arg(ap, const char *);
        json_object_set_new(o, k, json_string(v));
    }
    va_end(ap);

    text = json_dumps(o, JSON_COMPACT);
    s = json_string(text);
    free(text);
    json_decref(o);

    return s;
}


/* a record: id, score (seconds from NOW), updates (stolen), k, v, NULL */
static void
fx_rec(json_t *list, const char *id, int64_t score, json_t *upds, ...)
{
    va_list      ap;
    json_t      *hash;
    const char  *k;
    char         buf[32];

    hash = json_array();

    va_start(ap, upds);
    while ((k = va_arg(ap, const char *)) != NULL) {
        json_array_append_new(hash, json_string(k));
        json_array_append_new(hash, json_string(va_arg(ap, const char *)));
    }
    va_end(ap);

    snprintf(buf, sizeof(buf), "%lld", (long long) (NOW + score));
    json_array_append_new(list, json_pack("[s s o o]", id, buf, hash,
                                          upds ? upds : json_array()));
}


static se_state_t *
fx_build(fx_t *f)
{
    json_t      *a;
    char        *text;
    se_state_t  *st;

    a = json_pack("[s o [] o o s]", "7", f->page, f->incs, f->mnts, f->now);
    text = json_dumps(a, JSON_COMPACT);
    json_decref(a);

    st = snap_state(text);
    free(text);

    if (st == NULL) {
        fprintf(stderr, "fx_build: state build failed\n");
        exit(2);
    }

    return st;
}

#endif /* SE_BANNER_FIXTURE_H */
