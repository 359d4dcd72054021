/*
 * import FILE: validates a whole export (every field with the core's
 * validators, the same rules the module reads with, but strict: a bad
 * or unknown field refuses the file), then replaces the page in one
 * atomic write: delete the page's keys, write everything, bump the
 * version, audit, publish.
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "se_cli.h"

#define SE_IMPORT_FORMAT   "status-edge-export/1"
#define SE_IMPORT_MAX      (256 * 1024 * 1024)
#define SE_IMPORT_CHUNK    100

typedef enum {
    SE_V_NAME = 0,
    SE_V_DESC,
    SE_V_URL,
    SE_V_ID,
    SE_V_IDS,
    SE_V_TIME,
    SE_V_TZ,
    SE_V_ONOFF,
    SE_V_BOOL,
    SE_V_LEAD,
    SE_V_COMP_STATUS,
    SE_V_STATUS,
    SE_V_IMPACT,
    SE_V_AUDIENCE
} se_vtype_e;

#define SE_V_REQ   1
#define SE_V_I18N  2
#define SE_V_MNT   4

typedef struct {
    const char     *name;
    se_vtype_e      type;
    unsigned        flags;
} se_vfield_t;

static const se_vfield_t  se_page_schema[] = {
    { "id", SE_V_ID, 0 },
    { "name", SE_V_NAME, SE_V_I18N },
    { "url", SE_V_URL, 0 },
    { "time_zone", SE_V_TZ, 0 },
    { "status_url", SE_V_URL, 0 },
    { NULL, 0, 0 }
};

static const se_vfield_t  se_component_schema[] = {
    { "name", SE_V_NAME, SE_V_REQ | SE_V_I18N },
    { "status", SE_V_COMP_STATUS, SE_V_REQ },
    { "description", SE_V_DESC, SE_V_I18N },
    { "group_id", SE_V_ID, 0 },
    { "only_show_if_degraded", SE_V_BOOL, 0 },
    { "uptime", SE_V_ONOFF, 0 },
    { "created_at", SE_V_TIME, 0 },
    { "updated_at", SE_V_TIME, 0 },
    { NULL, 0, 0 }
};

static const se_vfield_t  se_incident_schema[] = {
    { "name", SE_V_NAME, SE_V_REQ | SE_V_I18N },
    { "status", SE_V_STATUS, SE_V_REQ },
    { "impact", SE_V_IMPACT, 0 },
    { "created_at", SE_V_TIME, 0 },
    { "updated_at", SE_V_TIME, 0 },
    { "monitoring_at", SE_V_TIME, 0 },
    { "resolved_at", SE_V_TIME, 0 },
    { "started_at", SE_V_TIME, 0 },
    { "next_update_at", SE_V_TIME, 0 },
    { "shortlink", SE_V_URL, 0 },
    { "postmortem_url", SE_V_URL, 0 },
    { "components", SE_V_IDS, 0 },
    { "audience", SE_V_AUDIENCE, 0 },
    { "banner", SE_V_ONOFF, 0 },
    { "scheduled_for", SE_V_TIME, SE_V_MNT },
    { "scheduled_until", SE_V_TIME, SE_V_MNT },
    { "gate", SE_V_ONOFF, SE_V_MNT },
    { "banner_lead", SE_V_LEAD, SE_V_MNT },
    { NULL, 0, 0 }
};

typedef struct {
    se_cli_t       *cli;
    const char     *file;
    const char     *where;
    se_kind_e       kind;
    json_t         *doc;
} se_imp_t;


static int
se_imp_error(se_imp_t *im, const char *fmt, const char *a, const char *b)
{
    return se_error(im->cli, SE_CLI_USAGE, "%s: %s: %s%s%s",
                    se_q(im->file), im->where, fmt, a ? a : "",
                    b ? b : "");
}


/* one value of a hash field, by type */
static int
se_imp_value(se_imp_t *im, se_vtype_e type, const char *s, size_t len)
{
    se_comp_status_e  cs;
    se_status_e       st;
    se_impact_e       imp;
    se_audience_e     aud;
    int64_t           t;
    uint64_t          u;
    int               on;
    const char       *p, *e;

    switch (type) {

    case SE_V_NAME:
        return se_valid_text(s, len, SE_MAX_NAME, 0);

    case SE_V_DESC:
        return se_valid_text(s, len, SE_MAX_FIELD, 1);

    case SE_V_URL:
        return se_valid_url(s, len);

    case SE_V_ID:
        return se_valid_id(s, len);

    case SE_V_IDS:
        if (len > SE_MAX_FIELD) {
            return SE_ERROR;
        }

        for (p = s, u = 0; ; p = e + 1, u++) {
            e = memchr(p, ',', len - (size_t) (p - s));
            if (e == NULL) {
                e = s + len;
            }

            if (se_valid_id(p, (size_t) (e - p)) != SE_OK
                || u >= SE_MAX_REFS)
            {
                return SE_ERROR;
            }

            if (e == s + len) {
                return SE_OK;
            }
        }

    case SE_V_TIME:
        return se_time_parse(s, len, &t);

    case SE_V_TZ:
        return se_valid_time_zone(s, len);

    case SE_V_ONOFF:
        return se_parse_onoff(s, len, &on);

    case SE_V_BOOL:
        return se_parse_bool(s, len, &on);

    case SE_V_LEAD:
        return se_parse_uint(s, len, SE_MAX_LEAD, &u);

    case SE_V_COMP_STATUS:
        return se_parse_comp_status(s, len, &cs);

    case SE_V_STATUS:
        return se_parse_status(s, len, im->kind, &st);

    case SE_V_IMPACT:
        return se_parse_impact(s, len, im->kind, &imp);

    case SE_V_AUDIENCE:
        return se_parse_audience(s, len, &aud);
    }

    return SE_ERROR;
}


static int
se_imp_hash(se_imp_t *im, json_t *h, const se_vfield_t *schema,
    int maintenance)
{
    const se_vfield_t  *f;
    const char         *key, *dot, *s;
    json_t             *v;
    size_t              i, baselen, len;

    if (!json_is_object(h)) {
        return se_imp_error(im, "\"hash\" is not an object", NULL, NULL);
    }

    json_object_foreach(h, key, v) {
        dot = strchr(key, '.');
        baselen = dot ? (size_t) (dot - key) : strlen(key);

        for (f = schema; f->name; f++) {
            if (strlen(f->name) == baselen
                && strncmp(f->name, key, baselen) == 0
                && (maintenance || !(f->flags & SE_V_MNT)))
            {
                break;
            }
        }

        if (f->name == NULL || (dot && !(f->flags & SE_V_I18N))) {
            return se_imp_error(im, "unknown field ", se_q(key), NULL);
        }

        if (dot && se_valid_lang(dot + 1, strlen(dot + 1)) != SE_OK) {
            return se_imp_error(im, "bad language tag in field ",
                                se_q(key), NULL);
        }

        if (!json_is_string(v)) {
            return se_imp_error(im, "field ", se_q(key),
                                " is not a string");
        }

        s = json_string_value(v);
        len = json_string_length(v);

        if (len == 0) {
            if (f->flags & SE_V_REQ && !dot) {
                return se_imp_error(im, "empty required field ",
                                    se_q(key), NULL);
            }
            continue;
        }

        if (memchr(s, '\0', len)
            || se_imp_value(im, f->type, s, len) != SE_OK)
        {
            return se_imp_error(im, se_sprintf("bad %s ", se_q(key)),
                                se_q(s), NULL);
        }
    }

    for (i = 0; schema[i].name; i++) {
        if ((schema[i].flags & SE_V_REQ)
            && json_object_get(h, schema[i].name) == NULL)
        {
            return se_imp_error(im, "missing field ", se_q(schema[i].name),
                                NULL);
        }
    }

    return SE_CLI_OK;
}


/* one update object into its canonical string */
static int
se_imp_update(se_imp_t *im, json_t *u, char **out)
{
    const char  *key, *s;
    json_t      *v;
    char        *dump;
    size_t       len;
    int64_t      t;
    se_status_e  st;
    int          ok;

    if (!json_is_object(u)) {
        return se_imp_error(im, "an update is not a JSON object", NULL,
                            NULL);
    }

    json_object_foreach(u, key, v) {
        if (!json_is_string(v)) {
            return se_imp_error(im, "update member ", se_q(key),
                                " is not a string");
        }

        s = json_string_value(v);
        len = json_string_length(v);

        if (strcmp(key, "id") == 0) {
            ok = se_valid_id(s, len) == SE_OK;

        } else if (strcmp(key, "status") == 0) {
            ok = se_parse_status(s, len, im->kind, &st) == SE_OK;

        } else if (strcmp(key, "body") == 0) {
            ok = len && se_valid_text(s, len, SE_MAX_BODY, 1) == SE_OK;

        } else if (strncmp(key, "body.", 5) == 0) {
            if (se_valid_lang(key + 5, strlen(key + 5)) != SE_OK) {
                return se_imp_error(im, "bad language tag in update "
                                    "member ", se_q(key), NULL);
            }
            ok = se_valid_text(s, len, SE_MAX_BODY, 1) == SE_OK;

        } else if (strcmp(key, "created_at") == 0
                   || strcmp(key, "display_at") == 0
                   || strcmp(key, "updated_at") == 0)
        {
            ok = se_time_parse(s, len, &t) == SE_OK;

        } else {
            return se_imp_error(im, "unknown update member ", se_q(key),
                                NULL);
        }

        if (!ok || memchr(s, '\0', len)) {
            return se_imp_error(im, se_sprintf("bad update %s ", se_q(key)),
                                se_q(s), NULL);
        }
    }

    if (json_object_get(u, "id") == NULL
        || json_object_get(u, "status") == NULL
        || json_object_get(u, "body") == NULL
        || json_object_get(u, "created_at") == NULL)
    {
        return se_imp_error(im, "an update needs id, status, body and "
                            "created_at", NULL, NULL);
    }

    dump = json_dumps(u, JSON_COMPACT | JSON_SORT_KEYS);
    if (dump == NULL) {
        return se_error(im->cli, SE_CLI_FAIL, "out of memory");
    }

    *out = se_strdup(dump);
    free(dump);

    if (strlen(*out) > SE_MAX_UPDATE) {
        return se_imp_error(im, "an update is larger than 64 KiB", NULL,
                            NULL);
    }

    return SE_CLI_OK;
}


static char *
se_imp_score(json_t *n)
{
    if (json_is_integer(n)) {
        return se_sprintf("%lld", (long long) json_integer_value(n));
    }

    return se_sprintf("%.17g", json_real_value(n));
}


static int
se_imp_object_keys(se_imp_t *im, json_t *o, const char *const *allowed)
{
    const char  *key;
    json_t      *v;
    size_t       i;

    json_object_foreach(o, key, v) {
        for (i = 0; allowed[i]; i++) {
            if (strcmp(allowed[i], key) == 0) {
                break;
            }
        }

        if (allowed[i] == NULL) {
            return se_imp_error(im, "unknown member ", se_q(key), NULL);
        }
    }

    return SE_CLI_OK;
}


/* validates, and when b is set, writes: components or incidents etc. */
static int
se_imp_records(se_imp_t *im, se_batch_t *b, const char *list,
    const char *kind)
{
    static const char *const  comp_keys[] = { "id", "position", "hash",
                                              NULL };
    static const char *const  inc_keys[] = { "id", "score", "hash",
                                             "updates", NULL };
    json_t      *a, *r, *id, *score, *h, *ups, *v;
    const char  *key, *ukey, *hkey;
    char        *s;
    size_t       i, j, k, n;
    int          rc, comp;

    comp = strcmp(kind, "component") == 0;
    a = json_object_get(im->doc, list);

    if (a == NULL) {
        return SE_CLI_OK;
    }

    im->where = list;

    if (!json_is_array(a)) {
        return se_imp_error(im, "not an array", NULL, NULL);
    }

    im->kind = strcmp(kind, "maintenance") == 0 ? SE_KIND_MAINTENANCE
                                                : SE_KIND_INCIDENT;

    json_array_foreach(a, i, r) {
        im->where = se_sprintf("%s[%zu]", list, i);

        if (!json_is_object(r)) {
            return se_imp_error(im, "not an object", NULL, NULL);
        }

        rc = se_imp_object_keys(im, r, comp ? comp_keys : inc_keys);
        if (rc != SE_CLI_OK) {
            return rc;
        }

        id = json_object_get(r, "id");

        if (!json_is_string(id)
            || se_valid_id(json_string_value(id), json_string_length(id))
               != SE_OK)
        {
            return se_imp_error(im, "bad or missing \"id\" ",
                                json_is_string(id)
                                ? se_q(json_string_value(id)) : NULL, NULL);
        }

        im->where = se_sprintf("%s %s", kind, se_q(json_string_value(id)));

        for (j = 0; j < i; j++) {
            if (json_equal(json_object_get(json_array_get(a, j), "id"),
                           id))
            {
                return se_imp_error(im, "duplicate id", NULL, NULL);
            }
        }

        score = json_object_get(r, comp ? "position" : "score");

        if (!json_is_number(score) || !isfinite(json_number_value(score))
            || json_number_value(score) > 1e15
            || json_number_value(score) < -1e15)
        {
            return se_imp_error(im, comp ? "bad or missing \"position\""
                                         : "bad or missing \"score\"",
                                NULL, NULL);
        }

        h = json_object_get(r, "hash");
        if (h == NULL) {
            return se_imp_error(im, "missing \"hash\"", NULL, NULL);
        }

        rc = se_imp_hash(im, h, comp ? se_component_schema
                                     : se_incident_schema,
                         im->kind == SE_KIND_MAINTENANCE);
        if (rc != SE_CLI_OK) {
            return rc;
        }

        key = se_key(im->cli, "%s:%s", kind, json_string_value(id));

        if (b) {
            se_batch_cmd(b, "ZADD", se_key(im->cli, "%ss", kind),
                         se_imp_score(score), json_string_value(id), NULL);

            json_object_foreach(h, hkey, v) {
                se_batch_hset(b, key, se_strdup(hkey),
                              se_strndup(json_string_value(v),
                                         json_string_length(v)));
            }
        }

        if (comp) {
            v = json_object_get(h, "status");

            /* the status from now on, in the component's uptime history */

            if (b && json_is_string(v)) {
                rc = se_batch_history(im->cli, b, json_string_value(id),
                                      json_string_value(v), im->cli->now);
                if (rc != SE_CLI_OK) {
                    return rc;
                }
            }

            continue;
        }

        ups = json_object_get(r, "updates");
        if (ups == NULL) {
            continue;
        }

        if (!json_is_array(ups)) {
            return se_imp_error(im, "\"updates\" is not an array", NULL,
                                NULL);
        }

        ukey = se_sprintf("%s:updates", key);
        n = 0;
        s = NULL;

        json_array_foreach(ups, k, v) {
            rc = se_imp_update(im, v, &s);
            if (rc != SE_CLI_OK) {
                return rc;
            }

            if (b) {
                if (n++ % SE_IMPORT_CHUNK == 0) {
                    se_batch_start(b, "RPUSH", ukey);
                }
                se_batch_arg(b, s);
            }
        }
    }

    if (b) {
        se_batch_field(b, list);
    }

    return SE_CLI_OK;
}


static int
se_imp_validate(se_imp_t *im, se_batch_t *b)
{
    static const char *const  top[] = { "format", "page", "components",
                                        "incidents", "maintenances", NULL };
    json_t      *f, *page, *v;
    const char  *key;
    int          rc;

    im->where = "the document";

    if (!json_is_object(im->doc)) {
        return se_imp_error(im, "not a JSON object", NULL, NULL);
    }

    rc = se_imp_object_keys(im, im->doc, top);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    f = json_object_get(im->doc, "format");

    if (!json_is_string(f)
        || strcmp(json_string_value(f), SE_IMPORT_FORMAT) != 0)
    {
        return se_imp_error(im, "\"format\" is not \"" SE_IMPORT_FORMAT
                            "\"", NULL, NULL);
    }

    page = json_object_get(im->doc, "page");

    if (page) {
        im->where = "page";
        im->kind = SE_KIND_INCIDENT;

        rc = se_imp_hash(im, page, se_page_schema, 0);
        if (rc != SE_CLI_OK) {
            return rc;
        }

        if (b) {
            json_object_foreach(page, key, v) {
                se_batch_hset(b, se_key(im->cli, "page"), se_strdup(key),
                              se_strndup(json_string_value(v),
                                         json_string_length(v)));
            }
        }
    }

    rc = se_imp_records(im, b, "components", "component");
    if (rc == SE_CLI_OK) {
        rc = se_imp_records(im, b, "incidents", "incident");
    }

    if (rc == SE_CLI_OK) {
        rc = se_imp_records(im, b, "maintenances", "maintenance");
    }

    return rc;
}


/* the page's record keys, the prefix escaped for a glob */
static char *
se_imp_glob(const char *prefix, const char *kind)
{
    char        *glob, *p;
    const char  *c;

    glob = se_alloc(strlen(prefix) * 2 + strlen(kind) + 3);
    p = glob;

    for (c = prefix; *c; c++) {
        if (strchr("*?[]\\", *c)) {
            *p++ = '\\';
        }
        *p++ = *c;
    }

    sprintf(p, "%s:*", kind);

    return glob;
}


static int
se_imp_plan(se_cli_t *cli, se_batch_t *b, void *data)
{
    se_imp_t     *im;
    const char  **kind;

    static const char  *kinds[] = { "component", "incident", "maintenance",
                                    NULL };

    im = data;
    b->id = "page";
    b->quiet = 1;

    /* records the sorted sets do not name (hand-made, or left over) */

    for (kind = kinds; *kind; kind++) {
        if (se_redis_scan_del(cli, b, se_imp_glob(cli->prefix, *kind))
            != SE_CLI_OK)
        {
            return SE_CLI_FAIL;
        }
    }

    se_batch_cmd(b, "DELPAGE", NULL);
    se_batch_field(b, "import");

    return se_imp_validate(im, b);
}


/* a whole file ("-": stdin), malloc()ed, at most 256 MiB; NULL: *rc */
char *
se_read_file(se_cli_t *cli, const char *file, size_t *len, int *rc)
{
    FILE    *f;
    char    *buf, *nb;
    size_t   size, n;

    f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
    if (f == NULL) {
        *rc = se_error(cli, SE_CLI_USAGE, "cannot open %s: %s", se_q(file),
                       strerror(errno));
        return NULL;
    }

    size = 64 * 1024;
    buf = malloc(size);
    *len = 0;

    while (buf) {
        n = fread(buf + *len, 1, size - *len, f);
        *len += n;

        if (*len < size) {
            break;
        }

        if (size >= SE_IMPORT_MAX) {
            free(buf);
            buf = NULL;
            *rc = se_error(cli, SE_CLI_USAGE, "%s is larger than 256 MiB",
                           se_q(file));
            goto done;
        }

        size *= 2;
        nb = realloc(buf, size);
        if (nb == NULL) {
            free(buf);
        }
        buf = nb;
    }

    if (buf == NULL) {
        *rc = se_error(cli, SE_CLI_FAIL, "out of memory");

    } else if (ferror(f)) {
        free(buf);
        buf = NULL;
        *rc = se_error(cli, SE_CLI_USAGE, "cannot read %s", se_q(file));

    } else {
        se_arena_keep(buf);
    }

done:

    if (f != stdin) {
        fclose(f);
    }

    return buf;
}


int
se_cmd_import(se_cli_t *cli)
{
    se_imp_t      im;
    json_error_t  err;
    char         *buf;
    size_t        len;
    long long     version;
    int           rc;

    memset(&im, 0, sizeof(se_imp_t));
    im.cli = cli;
    im.file = cli->args->pos[0];

    rc = SE_CLI_OK;
    buf = se_read_file(cli, im.file, &len, &rc);
    if (buf == NULL) {
        return rc;
    }

    if (se_utf8_valid(buf, len) != SE_OK) {
        return se_error(cli, SE_CLI_USAGE, "%s is not UTF-8", se_q(im.file));
    }

    im.doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
    if (im.doc == NULL) {
        return se_error(cli, SE_CLI_USAGE, "%s: line %d column %d: %s",
                        se_q(im.file), err.line, err.column,
                        se_q(err.text));
    }

    /* the whole file first, before connecting */
    rc = se_imp_validate(&im, NULL);

    if (rc == SE_CLI_OK) {
        rc = se_redis_write(cli, se_imp_plan, &im, &version);
    }

    json_decref(im.doc);

    return rc;
}
