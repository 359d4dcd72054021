/*
 * Reading the page, component, incident and maintenance hashes of a
 * snapshot into the model, validating every field.
 *
 * Rules: unknown fields are ignored; an empty value of an optional field
 * means "unset"; a bad optional field is dropped with a warning; a
 * missing or bad required field (name, status) skips the record with a
 * warning.  F.LANG translations are kept for translatable fields only.
 */

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "se_build.h"
#include "se_record.h"
#include "se_update.h"
#include "se_warn.h"
#include "se_enum.h"
#include "se_valid.h"
#include "se_utf8.h"
#include "se_time.h"

typedef enum {
    SE_FT_NAME = 0,     /* single-line text, <= 255 bytes, translatable */
    SE_FT_DESC,         /* multi-line text, <= 1 KiB, translatable */
    SE_FT_URL,
    SE_FT_ID,
    SE_FT_IDS,          /* comma-separated ids */
    SE_FT_TIME,
    SE_FT_TZ,
    SE_FT_ONOFF,
    SE_FT_BOOL,
    SE_FT_LEAD,         /* seconds */
    SE_FT_COMP_STATUS,
    SE_FT_STATUS,
    SE_FT_IMPACT,
    SE_FT_AUDIENCE
} se_ftype_e;

#define SE_NO_I18N  ((size_t) -1)

#define SE_F_REQ    1   /* required */
#define SE_F_INC    2   /* incidents only */
#define SE_F_MNT    4   /* maintenances only */
#define SE_F_CRIT   8   /* optional, but a bad value skips the record */

typedef struct {
    const char     *name;
    se_ftype_e      type;
    unsigned        flags;
    size_t          off;
    size_t          i18n_off;
} se_field_t;

#define SE_MAX_FIELDS  32

#define SE_MAX_POSITION  ((int64_t) 1 << 53)

typedef struct {
    se_build_t     *b;
    const char     *what;
    const char     *id;
    size_t          idlen;
    se_kind_e       kind;
    void           *rec;
    unsigned char   seen[SE_MAX_FIELDS];
    unsigned char   bad[SE_MAX_FIELDS];
} se_hash_ctx_t;


static const se_field_t  se_page_fields[] = {
    { "id", SE_FT_ID, 0, offsetof(se_page_t, id), SE_NO_I18N },
    { "name", SE_FT_NAME, 0, offsetof(se_page_t, name),
      offsetof(se_page_t, name_i18n) },
    { "url", SE_FT_URL, 0, offsetof(se_page_t, url), SE_NO_I18N },
    { "time_zone", SE_FT_TZ, 0, offsetof(se_page_t, time_zone),
      SE_NO_I18N },
    { "status_url", SE_FT_URL, 0, offsetof(se_page_t, status_url),
      SE_NO_I18N },
    { NULL, 0, 0, 0, 0 }
};

static const se_field_t  se_component_fields[] = {
    { "name", SE_FT_NAME, SE_F_REQ, offsetof(se_component_t, name),
      offsetof(se_component_t, name_i18n) },
    { "status", SE_FT_COMP_STATUS, SE_F_REQ,
      offsetof(se_component_t, status), SE_NO_I18N },
    { "description", SE_FT_DESC, 0, offsetof(se_component_t, description),
      offsetof(se_component_t, description_i18n) },
    { "group_id", SE_FT_ID, 0, offsetof(se_component_t, group_id),
      SE_NO_I18N },
    { "only_show_if_degraded", SE_FT_BOOL, 0,
      offsetof(se_component_t, only_show_if_degraded), SE_NO_I18N },
    { "uptime", SE_FT_ONOFF, 0, offsetof(se_component_t, uptime),
      SE_NO_I18N },
    { "created_at", SE_FT_TIME, 0, offsetof(se_component_t, created_at),
      SE_NO_I18N },
    { "updated_at", SE_FT_TIME, 0, offsetof(se_component_t, updated_at),
      SE_NO_I18N },
    { NULL, 0, 0, 0, 0 }
};

static const se_field_t  se_incident_fields[] = {
    { "name", SE_FT_NAME, SE_F_REQ, offsetof(se_incident_t, name),
      offsetof(se_incident_t, name_i18n) },
    { "status", SE_FT_STATUS, SE_F_REQ, offsetof(se_incident_t, status),
      SE_NO_I18N },
    { "impact", SE_FT_IMPACT, SE_F_CRIT, offsetof(se_incident_t, impact),
      SE_NO_I18N },
    { "created_at", SE_FT_TIME, 0, offsetof(se_incident_t, created_at),
      SE_NO_I18N },
    { "updated_at", SE_FT_TIME, 0, offsetof(se_incident_t, updated_at),
      SE_NO_I18N },
    { "monitoring_at", SE_FT_TIME, 0,
      offsetof(se_incident_t, monitoring_at), SE_NO_I18N },
    { "resolved_at", SE_FT_TIME, 0, offsetof(se_incident_t, resolved_at),
      SE_NO_I18N },
    { "started_at", SE_FT_TIME, 0, offsetof(se_incident_t, started_at),
      SE_NO_I18N },
    { "next_update_at", SE_FT_TIME, 0,
      offsetof(se_incident_t, next_update_at), SE_NO_I18N },
    { "shortlink", SE_FT_URL, 0, offsetof(se_incident_t, shortlink),
      SE_NO_I18N },
    { "postmortem_url", SE_FT_URL, 0,
      offsetof(se_incident_t, postmortem_url), SE_NO_I18N },
    { "components", SE_FT_IDS, 0, offsetof(se_incident_t, components),
      SE_NO_I18N },
    { "audience", SE_FT_AUDIENCE, 0, offsetof(se_incident_t, audience),
      SE_NO_I18N },
    { "banner", SE_FT_ONOFF, 0, offsetof(se_incident_t, banner),
      SE_NO_I18N },
    { "scheduled_for", SE_FT_TIME, SE_F_MNT,
      offsetof(se_incident_t, scheduled_for), SE_NO_I18N },
    { "scheduled_until", SE_FT_TIME, SE_F_MNT,
      offsetof(se_incident_t, scheduled_until), SE_NO_I18N },
    { "gate", SE_FT_ONOFF, SE_F_MNT, offsetof(se_incident_t, gate),
      SE_NO_I18N },
    { "banner_lead", SE_FT_LEAD, SE_F_MNT,
      offsetof(se_incident_t, banner_lead), SE_NO_I18N },
    { NULL, 0, 0, 0, 0 }
};


static const char *
se_kind_what(se_kind_e kind)
{
    return kind == SE_KIND_INCIDENT ? "incident" : "maintenance";
}


static int
se_set_str(se_hash_ctx_t *h, se_str_t *dst, const char *s, size_t len)
{
    dst->data = se_pstrndup(h->b->pool, s, len);
    if (dst->data == NULL) {
        h->b->oom = 1;
        return SE_ERROR;
    }

    dst->len = len;

    return SE_OK;
}


/* "a, b,c" into a deduplicated array of valid ids */
static int
se_read_ids(se_hash_ctx_t *h, const se_field_t *f, const char *s,
    size_t len)
{
    se_str_t   *ids, **dst;
    size_t      i, j, k, n, *count, max;
    const char *p;

    max = 1;
    for (i = 0; i < len; i++) {
        if (s[i] == ',') {
            max++;
        }
    }

    if (max > SE_MAX_REFS) {
        max = SE_MAX_REFS;
    }

    ids = se_pcalloc_n(h->b->pool, max, sizeof(se_str_t));
    if (ids == NULL) {
        h->b->oom = 1;
        return SE_ERROR;
    }

    n = 0;
    i = 0;

    while (i <= len) {
        for (j = i; j < len && s[j] != ','; j++) { /* void */ }

        /* trim blanks */
        p = s + i;
        k = j - i;

        while (k && (*p == ' ' || *p == '\t')) {
            p++;
            k--;
        }

        while (k && (p[k - 1] == ' ' || p[k - 1] == '\t')) {
            k--;
        }

        i = j + 1;

        if (k == 0) {
            continue;
        }

        if (se_valid_id(p, k) != SE_OK) {
            se_warn_key(h->b, h->what, h->id, h->idlen,
                        "dropped a bad id in", f->name, strlen(f->name),
                        p, k);
            continue;
        }

        for (j = 0; j < n; j++) {
            if (ids[j].len == k && memcmp(ids[j].data, p, k) == 0) {
                break;
            }
        }

        if (j < n) {
            continue;
        }

        if (n == max) {
            se_warn_key(h->b, h->what, h->id, h->idlen,
                        "too many ids in", f->name, strlen(f->name),
                        NULL, 0);
            break;
        }

        if (se_set_str(h, &ids[n], p, k) != SE_OK) {
            return SE_ERROR;
        }

        n++;
    }

    dst = (se_str_t **) ((char *) h->rec + f->off);
    count = (size_t *) ((char *) h->rec + offsetof(se_incident_t,
                                                   ncomponents));
    *dst = ids;
    *count = n;

    return SE_OK;
}


static int
se_read_i18n(se_hash_ctx_t *h, const se_field_t *f, const char *key,
    size_t keylen, const char *lang, size_t langlen, const char *s,
    size_t len)
{
    se_i18n_t  **list, *t;
    size_t       n, max;

    if (se_valid_lang(lang, langlen) != SE_OK) {
        se_warn_key(h->b, h->what, h->id, h->idlen,
                    "dropped a bad language tag", key, keylen, NULL, 0);
        return SE_OK;
    }

    max = f->type == SE_FT_NAME ? SE_MAX_NAME : SE_MAX_FIELD;

    if (len == 0) {
        return SE_OK;
    }

    if (se_valid_text(s, len, max, f->type != SE_FT_NAME) != SE_OK) {
        se_warn_key(h->b, h->what, h->id, h->idlen,
                    len > max ? "dropped a too long" : "dropped a bad",
                    key, keylen, s, len);
        return SE_OK;
    }

    list = (se_i18n_t **) ((char *) h->rec + f->i18n_off);

    n = 0;
    for (t = *list; t; t = t->next) {
        if (t->lang.len == langlen
            && strncasecmp(t->lang.data, lang, langlen) == 0)
        {
            /* a duplicate: redis hashes have none, keep the first */
            return SE_OK;
        }
        n++;
    }

    if (n >= SE_MAX_I18N) {
        se_warn_key(h->b, h->what, h->id, h->idlen,
                    "too many translations, dropped", key, keylen,
                    NULL, 0);
        return SE_OK;
    }

    t = se_pcalloc(h->b->pool, sizeof(se_i18n_t));
    if (t == NULL) {
        h->b->oom = 1;
        return SE_ERROR;
    }

    if (se_set_str(h, &t->lang, lang, langlen) != SE_OK
        || se_set_str(h, &t->text, s, len) != SE_OK)
    {
        return SE_ERROR;
    }

    /* keep the order of the hash */
    while (*list) {
        list = &(*list)->next;
    }

    *list = t;

    return SE_OK;
}


/* SE_OK, SE_DECLINED (bad value), SE_ERROR (oom) */
static int
se_read_value(se_hash_ctx_t *h, const se_field_t *f, const char *s,
    size_t len)
{
    char      *p;
    int        on;
    int64_t    t;
    uint64_t   u;

    p = (char *) h->rec + f->off;

    switch (f->type) {

    case SE_FT_NAME:
    case SE_FT_DESC:
        if (f->type == SE_FT_NAME
            && se_valid_text(s, len, SE_MAX_NAME, 0) != SE_OK)
        {
            return SE_DECLINED;
        }

        if (f->type == SE_FT_DESC
            && se_valid_text(s, len, SE_MAX_FIELD, 1) != SE_OK)
        {
            return SE_DECLINED;
        }

        return se_set_str(h, (se_str_t *) p, s, len);

    case SE_FT_URL:
        if (se_valid_url(s, len) != SE_OK) {
            return SE_DECLINED;
        }
        return se_set_str(h, (se_str_t *) p, s, len);

    case SE_FT_ID:
        if (se_valid_id(s, len) != SE_OK) {
            return SE_DECLINED;
        }
        return se_set_str(h, (se_str_t *) p, s, len);

    case SE_FT_TZ:
        if (se_valid_time_zone(s, len) != SE_OK) {
            return SE_DECLINED;
        }
        return se_set_str(h, (se_str_t *) p, s, len);

    case SE_FT_IDS:
        if (len > SE_MAX_FIELD) {
            return SE_DECLINED;
        }
        return se_read_ids(h, f, s, len);

    case SE_FT_TIME:
        if (se_time_parse(s, len, &t) != SE_OK) {
            return SE_DECLINED;
        }
        *(int64_t *) p = t;
        return SE_OK;

    case SE_FT_ONOFF:
        if (se_parse_onoff(s, len, &on) != SE_OK) {
            return SE_DECLINED;
        }
        *(int *) p = on;
        return SE_OK;

    case SE_FT_BOOL:
        if (se_parse_bool(s, len, &on) != SE_OK) {
            return SE_DECLINED;
        }
        *(int *) p = on;
        return SE_OK;

    case SE_FT_LEAD:
        if (se_parse_uint(s, len, SE_MAX_LEAD, &u) != SE_OK) {
            return SE_DECLINED;
        }
        *(int64_t *) p = (int64_t) u;
        return SE_OK;

    case SE_FT_COMP_STATUS:
        return se_parse_comp_status(s, len, (se_comp_status_e *) p) == SE_OK
               ? SE_OK : SE_DECLINED;

    case SE_FT_STATUS:
        return se_parse_status(s, len, h->kind, (se_status_e *) p) == SE_OK
               ? SE_OK : SE_DECLINED;

    case SE_FT_IMPACT:
        return se_parse_impact(s, len, h->kind, (se_impact_e *) p) == SE_OK
               ? SE_OK : SE_DECLINED;

    case SE_FT_AUDIENCE:
        if (se_parse_audience(s, len, (se_audience_e *) p) != SE_OK) {
            /* fail closed: a mistyped "internal" must not go public */
            *(se_audience_e *) p = SE_AUDIENCE_INTERNAL;
            return SE_DECLINED;
        }
        return SE_OK;
    }

    return SE_DECLINED;
}


static int
se_read_hash(se_hash_ctx_t *h, const se_raw_t *hash,
    const se_field_t *fields)
{
    const se_raw_t    *k, *v;
    const se_field_t  *f;
    const char        *dot;
    size_t             i, fi, baselen;
    unsigned           skip;
    int                rc;

    skip = h->kind == SE_KIND_INCIDENT ? SE_F_MNT : SE_F_INC;

    for (i = 0; i + 1 < hash->nelem; i += 2) {
        k = &hash->elem[i];
        v = &hash->elem[i + 1];

        if (k->type != SE_RAW_STR || k->len == 0) {
            se_warn(h->b, h->what, h->id, h->idlen,
                    "ignored a field whose name is not a string", NULL, 0);
            continue;
        }

        dot = memchr(k->str, '.', k->len);
        baselen = dot ? (size_t) (dot - k->str) : k->len;

        for (fi = 0; fields[fi].name; fi++) {
            if (strlen(fields[fi].name) == baselen
                && memcmp(fields[fi].name, k->str, baselen) == 0
                && !(fields[fi].flags & skip))
            {
                break;
            }
        }

        f = &fields[fi];

        if (f->name == NULL) {
            continue;           /* unknown fields are ignored */
        }

        if (dot && f->i18n_off == SE_NO_I18N) {
            continue;           /* "status.ko" and the like */
        }

        if (v->type != SE_RAW_STR) {
            if (dot || !(f->flags & (SE_F_REQ | SE_F_CRIT))) {
                se_warn_key(h->b, h->what, h->id, h->idlen,
                            "dropped a non-string", k->str, k->len,
                            NULL, 0);
            }

            if (!dot) {
                h->bad[fi] = 1;
                h->seen[fi] = 0;
            }

            continue;
        }

        if (dot) {
            if (se_read_i18n(h, f, k->str, k->len, dot + 1,
                             k->len - baselen - 1, v->str, v->len)
                != SE_OK)
            {
                return SE_ERROR;
            }
            continue;
        }

        if (v->len == 0) {
            continue;           /* empty means unset */
        }

        if (v->len > (f->type == SE_FT_NAME ? SE_MAX_NAME : SE_MAX_FIELD)) {
            rc = SE_DECLINED;

        } else {
            rc = se_read_value(h, f, v->str, v->len);
        }

        if (rc == SE_ERROR) {
            return SE_ERROR;
        }

        if (rc == SE_DECLINED) {
            h->bad[fi] = 1;
            h->seen[fi] = 0;

            if (!(f->flags & (SE_F_REQ | SE_F_CRIT))) {
                se_warn_key(h->b, h->what, h->id, h->idlen,
                            "dropped a bad", k->str, k->len, v->str,
                            v->len);
            }

            continue;
        }

        h->seen[fi] = 1;
        h->bad[fi] = 0;
    }

    return SE_OK;
}


/*
 * A required field missing or bad, or a critical one bad: warns and
 * returns SE_DECLINED.
 */
static int
se_check_required(se_hash_ctx_t *h, const se_raw_t *hash,
    const se_field_t *fields)
{
    size_t           i, fi;
    const se_raw_t  *v;

    for (fi = 0; fields[fi].name; fi++) {
        if (fields[fi].flags & SE_F_CRIT) {
            if (!h->bad[fi]) {
                continue;
            }

        } else if (!(fields[fi].flags & SE_F_REQ) || h->seen[fi]) {
            continue;
        }

        /* find the value to show */
        v = NULL;
        for (i = 0; i + 1 < hash->nelem; i += 2) {
            if (hash->elem[i].type == SE_RAW_STR
                && hash->elem[i].len == strlen(fields[fi].name)
                && memcmp(hash->elem[i].str, fields[fi].name,
                          hash->elem[i].len) == 0
                && hash->elem[i + 1].type == SE_RAW_STR)
            {
                v = &hash->elem[i + 1];
            }
        }

        if (h->bad[fi]) {
            se_warn_key(h->b, h->what, h->id, h->idlen,
                        "skipped: bad", fields[fi].name,
                        strlen(fields[fi].name), v ? v->str : NULL,
                        v ? v->len : 0);
        } else {
            se_warn_key(h->b, h->what, h->id, h->idlen,
                        "skipped: missing", fields[fi].name,
                        strlen(fields[fi].name), NULL, 0);
        }

        return SE_DECLINED;
    }

    return SE_OK;
}


/* checks [id, score, hash, ...]; SE_DECLINED (warned) when malformed */
static int
se_check_record(se_build_t *b, const char *what, const se_raw_t *rec)
{
    const se_raw_t  *id, *hash;

    if (rec->type != SE_RAW_ARR || rec->nelem < 3) {
        se_warn(b, what, NULL, 0, "skipped a record that is not "
                "[id, score, hash]", NULL, 0);
        return SE_DECLINED;
    }

    id = &rec->elem[0];
    hash = &rec->elem[2];

    if (id->type != SE_RAW_STR || se_valid_id(id->str, id->len) != SE_OK) {
        se_warn(b, what, NULL, 0, "skipped a record with a bad id",
                id->type == SE_RAW_STR ? id->str : "", id->type
                == SE_RAW_STR ? id->len : 0);
        return SE_DECLINED;
    }

    if (hash->type != SE_RAW_ARR || hash->nelem == 0) {
        se_warn(b, what, id->str, id->len,
                "skipped: the hash is missing or empty", NULL, 0);
        return SE_DECLINED;
    }

    if (hash->nelem % 2) {
        se_warn(b, what, id->str, id->len,
                "skipped: the hash has an odd number of elements", NULL, 0);
        return SE_DECLINED;
    }

    return SE_OK;
}


/* a zset score as Unix seconds */
static int
se_parse_score(const se_raw_t *s, int64_t *t)
{
    char    buf[64], *end;
    double  d;

    if (s->type == SE_RAW_INT) {
        *t = s->integer;
        return SE_OK;
    }

    if (s->type != SE_RAW_STR || s->len == 0 || s->len >= sizeof(buf)) {
        return SE_ERROR;
    }

    memcpy(buf, s->str, s->len);
    buf[s->len] = '\0';

    d = strtod(buf, &end);

    if (*end != '\0' || !isfinite(d) || d < -1e15 || d > 1e15) {
        return SE_ERROR;
    }

    *t = (int64_t) d;

    if ((double) *t > d) {
        (*t)--;         /* floor without libm */
    }

    return SE_OK;
}


static void
se_hash_ctx_init(se_hash_ctx_t *h, se_build_t *b, const char *what,
    const se_raw_t *id, se_kind_e kind, void *rec)
{
    memset(h, 0, sizeof(se_hash_ctx_t));

    h->b = b;
    h->what = what;
    h->id = id ? id->str : NULL;
    h->idlen = id ? id->len : 0;
    h->kind = kind;
    h->rec = rec;
}


/*
 * Defaults of unset times: created_at of a maintenance is its oldest
 * update's; updated_at is the newest of created_at and the updates';
 * started_at is created_at (incidents) or scheduled_for (maintenances).
 */
static void
se_incident_defaults(se_incident_t *inc)
{
    size_t   i;
    int64_t  newest;

    if (inc->created_at == SE_TIME_NONE && inc->nupdates) {
        inc->created_at = inc->updates[inc->nupdates - 1].created_at;

        for (i = 0; i < inc->nupdates; i++) {
            if (inc->updates[i].created_at < inc->created_at) {
                inc->created_at = inc->updates[i].created_at;
            }
        }
    }

    if (inc->updated_at == SE_TIME_NONE) {
        newest = inc->created_at;

        for (i = 0; i < inc->nupdates; i++) {
            if (newest == SE_TIME_NONE
                || inc->updates[i].updated_at > newest)
            {
                newest = inc->updates[i].updated_at;
            }
        }

        inc->updated_at = newest;
    }

    if (inc->started_at == SE_TIME_NONE) {
        inc->started_at = inc->kind == SE_KIND_INCIDENT ? inc->created_at
                                                        : inc->scheduled_for;
    }
}


int
se_read_page(se_build_t *b, const se_raw_t *hash)
{
    se_hash_ctx_t  h;

    if (hash->type == SE_RAW_NIL
        || (hash->type == SE_RAW_ARR && hash->nelem == 0))
    {
        return SE_OK;
    }

    if (hash->type != SE_RAW_ARR || hash->nelem % 2) {
        se_warn(b, "page", NULL, 0, "ignored: the hash is malformed",
                NULL, 0);
        return SE_OK;
    }

    se_hash_ctx_init(&h, b, "page", NULL, SE_KIND_INCIDENT,
                     &b->model->page);

    return se_read_hash(&h, hash, se_page_fields);
}


/*
 * Pcomponent:ID:history as the script reads it: member, score, ... in
 * score order, a member being "STATUS" or "STATUS:anything" (the writer
 * adds ":SECONDS" so that each change is its own member) and the score
 * the Unix seconds of the change.  A bad entry is skipped with one
 * warning per component; entries out of order are skipped too.
 */
static int
se_read_history(se_build_t *b, se_component_t *c, const se_raw_t *h)
{
    size_t             i, n, bad, len;
    int64_t            at;
    const char        *colon;
    se_comp_status_e   status;
    const se_raw_t    *mem;

    if (h->type == SE_RAW_NIL || (h->type == SE_RAW_ARR && h->nelem == 0)) {
        return SE_OK;
    }

    if (h->type != SE_RAW_ARR || h->nelem % 2) {
        se_warn(b, "component", c->id.data, c->id.len,
                "ignored a malformed history", NULL, 0);
        return SE_OK;
    }

    c->history = se_pcalloc_n(b->pool, h->nelem / 2, sizeof(se_change_t));
    if (c->history == NULL) {
        return SE_ERROR;
    }

    bad = 0;
    n = 0;

    for (i = 0; i < h->nelem; i += 2) {
        mem = &h->elem[i];

        colon = NULL;
        len = 0;

        if (mem->type == SE_RAW_STR) {
            colon = memchr(mem->str, ':', mem->len);
            len = colon ? (size_t) (colon - mem->str) : mem->len;
        }

        if (mem->type != SE_RAW_STR
            || se_parse_comp_status(mem->str, len, &status) != SE_OK
            || se_parse_score(&h->elem[i + 1], &at) != SE_OK
            || at < 0 || (n && at < c->history[n - 1].at))
        {
            if (bad++ == 0) {
                se_warn(b, "component", c->id.data, c->id.len,
                        "ignored a bad history entry",
                        mem->type == SE_RAW_STR ? mem->str : NULL,
                        mem->type == SE_RAW_STR ? mem->len : 0);
            }

            continue;
        }

        if (n && c->history[n - 1].at == at) {
            n--;                /* two changes in one second: the last */
        }

        c->history[n].at = at;
        c->history[n].status = status;
        n++;
    }

    c->nhistory = n;

    return SE_OK;
}


int
se_read_component(se_build_t *b, const se_raw_t *rec)
{
    se_model_t      *m;
    se_component_t  *c;
    se_hash_ctx_t    h;
    int64_t          score;

    if (se_check_record(b, "component", rec) != SE_OK) {
        return SE_OK;
    }

    m = b->model;
    c = &m->components[m->ncomponents];

    memset(c, 0, sizeof(se_component_t));
    c->created_at = SE_TIME_NONE;
    c->updated_at = SE_TIME_NONE;
    c->uptime = 1;

    se_hash_ctx_init(&h, b, "component", &rec->elem[0], SE_KIND_INCIDENT,
                     c);

    if (se_set_str(&h, &c->id, rec->elem[0].str, rec->elem[0].len)
        != SE_OK
        || se_read_hash(&h, &rec->elem[2], se_component_fields) != SE_OK)
    {
        return SE_ERROR;
    }

    if (se_check_required(&h, &rec->elem[2], se_component_fields)
        != SE_OK)
    {
        return SE_OK;
    }

    /* the zset score is the position; a bad one: the rank, 1-based */
    if (se_parse_score(&rec->elem[1], &score) == SE_OK
        && score >= -SE_MAX_POSITION && score <= SE_MAX_POSITION)
    {
        c->position = score;

    } else {
        c->position = (int64_t) m->ncomponents + 1;

        se_warn(b, "component", c->id.data, c->id.len,
                "ignored a bad score", rec->elem[1].type == SE_RAW_STR
                ? rec->elem[1].str : NULL, rec->elem[1].len);
    }

    if (rec->nelem > 3 && se_read_history(b, c, &rec->elem[3]) != SE_OK) {
        return SE_ERROR;
    }

    m->ncomponents++;

    return SE_OK;
}


int
se_read_incident(se_build_t *b, const se_raw_t *rec, se_kind_e kind)
{
    se_model_t       *m;
    se_incident_t    *inc;
    se_hash_ctx_t     h;
    const se_raw_t   *ups;
    const char       *what;
    int64_t           score, *when;
    size_t            i;
    int               rc;

    what = se_kind_what(kind);

    if (se_check_record(b, what, rec) != SE_OK) {
        return SE_OK;
    }

    m = b->model;
    inc = kind == SE_KIND_INCIDENT ? &m->incidents[m->nincidents]
                                   : &m->maintenances[m->nmaintenances];

    memset(inc, 0, sizeof(se_incident_t));
    inc->kind = kind;
    inc->impact = kind == SE_KIND_INCIDENT ? SE_IMPACT_NONE
                                           : SE_IMPACT_MAINTENANCE;
    inc->audience = SE_AUDIENCE_PUBLIC;
    inc->banner = 1;
    inc->gate = 0;
    inc->banner_lead = 86400;
    inc->created_at = SE_TIME_NONE;
    inc->updated_at = SE_TIME_NONE;
    inc->monitoring_at = SE_TIME_NONE;
    inc->resolved_at = SE_TIME_NONE;
    inc->started_at = SE_TIME_NONE;
    inc->next_update_at = SE_TIME_NONE;
    inc->scheduled_for = SE_TIME_NONE;
    inc->scheduled_until = SE_TIME_NONE;

    se_hash_ctx_init(&h, b, what, &rec->elem[0], kind, inc);

    if (se_set_str(&h, &inc->id, rec->elem[0].str, rec->elem[0].len)
        != SE_OK
        || se_read_hash(&h, &rec->elem[2], se_incident_fields) != SE_OK)
    {
        return SE_ERROR;
    }

    if (se_check_required(&h, &rec->elem[2], se_incident_fields) != SE_OK) {
        return SE_OK;
    }

    /* the zset score stands for created_at / scheduled_for if unset */
    when = kind == SE_KIND_INCIDENT ? &inc->created_at : &inc->scheduled_for;

    if (*when == SE_TIME_NONE) {
        if (se_parse_score(&rec->elem[1], &score) == SE_OK) {
            *when = score;

        } else {
            se_warn(b, what, inc->id.data, inc->id.len,
                    "ignored a bad score", rec->elem[1].type == SE_RAW_STR
                    ? rec->elem[1].str : NULL, rec->elem[1].len);
        }
    }

    /* updates */
    if (rec->nelem > 3) {
        ups = &rec->elem[3];

        if (ups->type == SE_RAW_ARR && ups->nelem) {
            inc->updates = se_pcalloc_n(b->pool, ups->nelem,
                                        sizeof(se_update_t));
            if (inc->updates == NULL) {
                b->oom = 1;
                return SE_ERROR;
            }

            for (i = 0; i < ups->nelem; i++) {
                rc = se_read_update(b, inc, &ups->elem[i], i,
                                    &inc->updates[inc->nupdates]);
                if (rc == SE_ERROR) {
                    return SE_ERROR;
                }

                if (rc == SE_OK) {
                    inc->nupdates++;
                }
            }

        } else if (ups->type != SE_RAW_ARR && ups->type != SE_RAW_NIL) {
            se_warn(b, what, inc->id.data, inc->id.len,
                    "ignored updates that are not a list", NULL, 0);
        }
    }

    se_incident_defaults(inc);

    if (kind == SE_KIND_INCIDENT) {
        m->nincidents++;
    } else {
        m->nmaintenances++;
    }

    return SE_OK;
}
