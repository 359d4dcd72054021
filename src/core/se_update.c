/*
 * Reading one incident or maintenance update: a JSON object string
 *   {"id", "status", "body", "created_at", "display_at"?, "updated_at"?,
 *    "body.LANG"?}
 * id, status, body and created_at are required: without them, or with
 * any of them bad, the update is skipped.  Bad optional members are
 * dropped.  Other members are ignored.
 */

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "se_build.h"
#include "se_update.h"
#include "se_warn.h"
#include "se_enum.h"
#include "se_valid.h"
#include "se_utf8.h"
#include "se_time.h"


typedef struct {
    se_build_t           *b;
    const se_incident_t  *inc;
    const char           *what;
    char                  label[SE_MAX_ID + 32];
} se_update_ctx_t;


static void
se_update_warn(se_update_ctx_t *u, const char *reason, const char *key,
    const char *val, size_t vallen)
{
    char  msg[SE_MAX_ID * 4 + 256], kbuf[40 * 4 + 4];

    /* the label holds a valid id only: safe as it is */

    if (key) {
        se_escape(kbuf, sizeof(kbuf), key, strlen(key), 40);
        snprintf(msg, sizeof(msg), "%s: %.60s \"%s\"", u->label, reason, kbuf);
    } else {
        snprintf(msg, sizeof(msg), "%s: %.60s", u->label, reason);
    }

    se_warn(u->b, u->what, u->inc->id.data, u->inc->id.len, msg, val,
            vallen);
}


static int
se_update_str(se_update_ctx_t *u, se_str_t *dst, const char *s, size_t len)
{
    dst->data = se_pstrndup(u->b->pool, s, len);
    if (dst->data == NULL) {
        u->b->oom = 1;
        return SE_ERROR;
    }

    dst->len = len;

    return SE_OK;
}


/* optional time member: SE_OK (set or absent), SE_ERROR oom never */
static void
se_update_time(se_update_ctx_t *u, json_t *obj, const char *key,
    int64_t *t)
{
    json_t  *v;

    v = json_object_get(obj, key);

    if (v == NULL || json_is_null(v)) {
        return;
    }

    if (!json_is_string(v)
        || se_time_parse(json_string_value(v), json_string_length(v), t)
           != SE_OK)
    {
        se_update_warn(u, "dropped a bad", key,
                       json_is_string(v) ? json_string_value(v) : NULL,
                       json_is_string(v) ? json_string_length(v) : 0);
    }
}


static int
se_update_i18n(se_update_ctx_t *u, json_t *obj, se_update_t *up)
{
    const char   *key, *s;
    json_t       *v;
    size_t        klen, len, n;
    se_i18n_t    *t, **tail;

    n = 0;
    tail = &up->body_i18n;

    json_object_foreach(obj, key, v) {
        klen = strlen(key);

        if (klen < 6 || strncmp(key, "body.", 5) != 0) {
            continue;
        }

        if (se_valid_lang(key + 5, klen - 5) != SE_OK) {
            se_update_warn(u, "dropped a bad language tag", key, NULL, 0);
            continue;
        }

        if (!json_is_string(v)) {
            se_update_warn(u, "dropped a non-string", key, NULL, 0);
            continue;
        }

        s = json_string_value(v);
        len = json_string_length(v);

        if (len == 0) {
            continue;
        }

        if (se_valid_text(s, len, SE_MAX_BODY, 1) != SE_OK) {
            se_update_warn(u, len > SE_MAX_BODY ? "dropped a too long"
                                                : "dropped a bad",
                           key, s, len);
            continue;
        }

        for (t = up->body_i18n; t; t = t->next) {
            if (t->lang.len == klen - 5
                && strncasecmp(t->lang.data, key + 5, klen - 5) == 0)
            {
                break;
            }
        }

        if (t) {
            continue;
        }

        if (n >= SE_MAX_I18N) {
            se_update_warn(u, "too many translations, dropped", key,
                           NULL, 0);
            continue;
        }

        t = se_pcalloc(u->b->pool, sizeof(se_i18n_t));
        if (t == NULL) {
            u->b->oom = 1;
            return SE_ERROR;
        }

        if (se_update_str(u, &t->lang, key + 5, klen - 5) != SE_OK
            || se_update_str(u, &t->text, s, len) != SE_OK)
        {
            return SE_ERROR;
        }

        *tail = t;
        tail = &t->next;
        n++;
    }

    return SE_OK;
}


/*
 * jansson 2.14 does not always tell a failed allocation from bad JSON:
 * some paths leave the error code unset (read here as unknown) and the
 * lexer reports a failed string buffer as a syntax error.  So a syntax
 * error is confirmed by a second parse before the update is called bad;
 * an unknown error is taken for out of memory.
 */
static json_t *
se_update_parse(const char *s, size_t len, json_error_t *err)
{
    json_t  *obj;
    int      i;

    obj = NULL;

    for (i = 0; i < 2; i++) {
        memset(err, 0, sizeof(json_error_t));

        obj = json_loadb(s, len, JSON_REJECT_DUPLICATES, err);

        if (obj || json_error_code(err) != json_error_invalid_syntax) {
            break;
        }
    }

    return obj;
}


int
se_read_update(se_build_t *b, const se_incident_t *inc, const se_raw_t *raw,
    size_t pos, se_update_t *up)
{
    json_t           *obj, *v;
    json_error_t      err;
    se_update_ctx_t   u;
    const char       *s;
    size_t            len;
    int               rc;

    u.b = b;
    u.inc = inc;
    u.what = inc->kind == SE_KIND_INCIDENT ? "incident" : "maintenance";
    snprintf(u.label, sizeof(u.label), "update %zu", pos + 1);

    memset(up, 0, sizeof(se_update_t));
    up->created_at = SE_TIME_NONE;
    up->updated_at = SE_TIME_NONE;
    up->display_at = SE_TIME_NONE;

    if (raw->type != SE_RAW_STR) {
        se_update_warn(&u, "skipped: not a string", NULL, NULL, 0);
        return SE_DECLINED;
    }

    if (raw->len > SE_MAX_UPDATE) {
        se_update_warn(&u, "skipped: larger than 64 KiB", NULL, NULL, 0);
        return SE_DECLINED;
    }

    obj = se_update_parse(raw->str, raw->len, &err);

    if (obj == NULL) {
        if (json_error_code(&err) == json_error_out_of_memory
            || json_error_code(&err) == json_error_unknown)
        {
            b->oom = 1;
            return SE_ERROR;
        }

        se_update_warn(&u, "skipped: not JSON", NULL, raw->str, raw->len);
        return SE_DECLINED;
    }

    rc = SE_DECLINED;

    if (!json_is_object(obj)) {
        se_update_warn(&u, "skipped: not a JSON object", NULL, raw->str,
                       raw->len);
        goto done;
    }

    /* id first, so later warnings can name the update */
    v = json_object_get(obj, "id");

    if (!json_is_string(v)
        || se_valid_id(json_string_value(v), json_string_length(v))
           != SE_OK)
    {
        se_update_warn(&u, v ? "skipped: bad" : "skipped: missing", "id",
                       json_is_string(v) ? json_string_value(v) : NULL,
                       json_is_string(v) ? json_string_length(v) : 0);
        goto done;
    }

    if (se_update_str(&u, &up->id, json_string_value(v),
                      json_string_length(v))
        != SE_OK)
    {
        rc = SE_ERROR;
        goto done;
    }

    snprintf(u.label, sizeof(u.label), "update \"%s\"", up->id.data);

    v = json_object_get(obj, "status");

    if (!json_is_string(v)
        || se_parse_status(json_string_value(v), json_string_length(v),
                           inc->kind, &up->status)
           != SE_OK)
    {
        se_update_warn(&u, v ? "skipped: bad" : "skipped: missing",
                       "status",
                       json_is_string(v) ? json_string_value(v) : NULL,
                       json_is_string(v) ? json_string_length(v) : 0);
        goto done;
    }

    v = json_object_get(obj, "body");
    s = json_is_string(v) ? json_string_value(v) : NULL;
    len = s ? json_string_length(v) : 0;

    if (s == NULL || len == 0
        || se_valid_text(s, len, SE_MAX_BODY, 1) != SE_OK)
    {
        se_update_warn(&u, v ? "skipped: bad" : "skipped: missing",
                       "body", s, len);
        goto done;
    }

    if (se_update_str(&u, &up->body, s, len) != SE_OK) {
        rc = SE_ERROR;
        goto done;
    }

    v = json_object_get(obj, "created_at");

    if (!json_is_string(v)
        || se_time_parse(json_string_value(v), json_string_length(v),
                         &up->created_at)
           != SE_OK)
    {
        se_update_warn(&u, v ? "skipped: bad" : "skipped: missing",
                       "created_at",
                       json_is_string(v) ? json_string_value(v) : NULL,
                       json_is_string(v) ? json_string_length(v) : 0);
        goto done;
    }

    se_update_time(&u, obj, "display_at", &up->display_at);
    se_update_time(&u, obj, "updated_at", &up->updated_at);

    if (up->display_at == SE_TIME_NONE) {
        up->display_at = up->created_at;
    }

    if (up->updated_at == SE_TIME_NONE) {
        up->updated_at = up->created_at;
    }

    rc = se_update_i18n(&u, obj, up);

done:

    json_decref(obj);

    return rc;
}
