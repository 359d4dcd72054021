/*
 * export: the whole page as canonical JSON on stdout (keys sorted,
 * two-space indent, UTF-8 as is, one trailing newline):
 *
 *   {"components": [{"hash": {...}, "id": ID, "position": N}, ...],
 *    "format": "status-edge-export/1",
 *    "incidents": [{"hash": {...}, "id": ID, "score": N,
 *                   "updates": [{...}, ...]}, ...],
 *    "maintenances": [... as incidents ...],
 *    "page": {...}}
 *
 * Components in position order, incidents and maintenances newest first
 * (as the snapshot reads them), updates newest first (list order).  Hash
 * values are exported as read; updates as JSON objects (a value that is
 * not one stays a string, which import refuses).  Pversion and Paudit
 * are not part of the page content: import bumps the version.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "se_cli.h"
#include "se_snapshot.h"

#define SE_EXPORT_FORMAT   "status-edge-export/1"
#define SE_EXPORT_RECORDS  "100000000"
#define SE_EXPORT_BYTES    "1000000000000"
#define SE_EXPORT_VALUE    "1073741824"

/*
 * The snapshot script reads a key of the wrong type as empty, which
 * would make a backup without that data, and importing it would delete
 * the data: export runs it behind a check of the type of every key it
 * reads, in the same EVAL (the same instant), and fails naming the key.
 */
static const char  se_export_lua[] =
    "local function se_bad(key, want)\n"
    "  local t = redis.call('TYPE', key)\n"
    "  if type(t) == 'table' then t = t.ok end\n"
    "  if t ~= 'none' and t ~= want then\n"
    "    return 'WRONGTYPE se-key ' .. want .. ' ' .. t .. ' ' .. key\n"
    "  end\n"
    "  return nil\n"
    "end\n"
    "local function se_check()\n"
    "  local p = ARGV[1]\n"
    "  local bad = se_bad(p .. 'page', 'hash')\n"
    "  if bad then return bad end\n"
    "  for _, k in ipairs({{'component', 'components', false},\n"
    "                      {'incident', 'incidents', true},\n"
    "                      {'maintenance', 'maintenances', true}}) do\n"
    "    local z = p .. k[2]\n"
    "    bad = se_bad(z, 'zset')\n"
    "    if bad then return bad end\n"
    "    for _, id in ipairs(redis.call('ZRANGE', z, 0,\n"
    "                                   tonumber(ARGV[2]) - 1)) do\n"
    "      local key = p .. k[1] .. ':' .. id\n"
    "      bad = se_bad(key, 'hash')\n"
    "      if not bad and k[3] then\n"
    "        bad = se_bad(key .. ':updates', 'list')\n"
    "      end\n"
    "      if bad then return bad end\n"
    "    end\n"
    "  end\n"
    "  return nil\n"
    "end\n"
    "local se_wrong = se_check()\n"
    "if se_wrong then return redis.error_reply(se_wrong) end\n"
    SE_SNAPSHOT_LUA;

typedef struct {
    se_cli_t       *cli;
    int             rc;
    const char     *where;
} se_exp_t;


static json_t *
se_exp_fail(se_exp_t *x, const char *what, const se_raw_t *v)
{
    if (x->rc == SE_CLI_OK) {
        x->rc = se_error(x->cli, SE_CLI_FAIL, "cannot export %s: %s %s",
                         x->where, what,
                         v && v->type == SE_RAW_STR
                         ? se_q(se_strndup(v->str, v->len)) : "");
    }

    return NULL;
}


static json_t *
se_exp_str(se_exp_t *x, const se_raw_t *v)
{
    json_t  *s;

    if (v->type != SE_RAW_STR) {
        return se_exp_fail(x, "a value is not a string", NULL);
    }

    s = json_stringn(v->str, v->len);
    if (s == NULL) {
        return se_exp_fail(x, "a value is not UTF-8 text:", v);
    }

    return s;
}


static json_t *
se_exp_hash(se_exp_t *x, const se_raw_t *h)
{
    json_t  *o, *v;
    char    *k;
    size_t   i;

    o = json_object();

    if (h->type != SE_RAW_ARR) {
        return o;
    }

    for (i = 0; o && i + 1 < h->nelem; i += 2) {
        if (h->elem[i].type != SE_RAW_STR
            || memchr(h->elem[i].str, '\0', h->elem[i].len)
            || se_utf8_valid(h->elem[i].str, h->elem[i].len) != SE_OK)
        {
            json_decref(o);
            return se_exp_fail(x, "a field name is not UTF-8 text:",
                               &h->elem[i]);
        }

        k = se_strndup(h->elem[i].str, h->elem[i].len);
        v = se_exp_str(x, &h->elem[i + 1]);

        if (v == NULL || json_object_set_new(o, k, v) != 0) {
            json_decref(o);
            return se_exp_fail(x, "out of memory", NULL);
        }
    }

    return o;
}


static json_t *
se_exp_score(se_exp_t *x, const se_raw_t *s)
{
    char    *str, *end;
    double   d;

    if (s->type != SE_RAW_STR) {
        return se_exp_fail(x, "a bad score", NULL);
    }

    str = se_strndup(s->str, s->len);
    d = strtod(str, &end);

    if (*end != '\0' || !isfinite(d)) {
        return se_exp_fail(x, "a bad score", s);
    }

    /* integral within 2^53: an integer (no libm needed) */
    if (d > -9007199254740992.0 && d < 9007199254740992.0
        && (double) (long long) d == d)
    {
        return json_integer((json_int_t) d);
    }

    return json_real(d);
}


static json_t *
se_exp_updates(se_exp_t *x, const se_raw_t *u)
{
    json_t  *a, *o;
    size_t   i;

    a = json_array();

    if (u->type != SE_RAW_ARR) {
        return a;
    }

    for (i = 0; a && i < u->nelem; i++) {
        o = NULL;

        if (u->elem[i].type == SE_RAW_STR) {
            o = json_loadb(u->elem[i].str, u->elem[i].len,
                           JSON_REJECT_DUPLICATES, NULL);

            if (o && !json_is_object(o)) {
                json_decref(o);
                o = NULL;
            }
        }

        if (o == NULL) {
            o = se_exp_str(x, &u->elem[i]);
        }

        if (o == NULL || json_array_append_new(a, o) != 0) {
            json_decref(a);
            return NULL;
        }
    }

    return a;
}


/* [[id, score, hash, updates?], ...] */
static json_t *
se_exp_records(se_exp_t *x, const se_raw_t *recs, const char *kind,
    int updates)
{
    json_t          *a, *o, *v;
    const se_raw_t  *r;
    size_t           i;
    int              err;

    a = json_array();

    if (recs->type != SE_RAW_ARR) {
        return a;
    }

    for (i = 0; a && i < recs->nelem; i++) {
        r = &recs->elem[i];

        if (r->type != SE_RAW_ARR || r->nelem < 3
            || r->elem[0].type != SE_RAW_STR)
        {
            continue;
        }

        x->where = se_sprintf("%s %s", kind,
                              se_q(se_strndup(r->elem[0].str,
                                              r->elem[0].len)));

        o = json_object();
        err = o == NULL;

        v = se_exp_str(x, &r->elem[0]);
        err |= v == NULL || json_object_set_new(o, "id", v) != 0;

        v = se_exp_score(x, &r->elem[1]);
        err |= v == NULL
               || json_object_set_new(o, updates ? "score" : "position", v)
                  != 0;

        v = se_exp_hash(x, &r->elem[2]);
        err |= v == NULL || json_object_set_new(o, "hash", v) != 0;

        if (updates) {
            v = r->nelem > 3 ? se_exp_updates(x, &r->elem[3])
                             : json_array();
            err |= v == NULL || json_object_set_new(o, "updates", v) != 0;
        }

        if (err || json_array_append_new(a, o) != 0) {
            json_decref(o);
            json_decref(a);
            return se_exp_fail(x, "out of memory", NULL);
        }
    }

    return a;
}


int
se_cmd_export(se_cli_t *cli)
{
    redisReply  *r;
    se_raw_t    *raw;
    se_exp_t     x;
    json_t      *doc, *v;
    char        *s;
    int          rc, err;

    rc = se_redis_connect(cli);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    rc = se_redis_snapshot(cli, se_export_lua, SE_EXPORT_RECORDS,
                           SE_EXPORT_RECORDS, SE_EXPORT_VALUE,
                           SE_EXPORT_BYTES, &r, &raw);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    x.cli = cli;
    x.rc = SE_CLI_OK;
    x.where = "the page";

    doc = json_object();
    err = doc == NULL;

    err |= json_object_set_new(doc, "format",
                               json_string(SE_EXPORT_FORMAT)) != 0;

    v = se_exp_hash(&x, &raw->elem[1]);
    err |= v == NULL || json_object_set_new(doc, "page", v) != 0;

    v = se_exp_records(&x, &raw->elem[2], "component", 0);
    err |= v == NULL || json_object_set_new(doc, "components", v) != 0;

    v = se_exp_records(&x, &raw->elem[3], "incident", 1);
    err |= v == NULL || json_object_set_new(doc, "incidents", v) != 0;

    v = se_exp_records(&x, &raw->elem[4], "maintenance", 1);
    err |= v == NULL || json_object_set_new(doc, "maintenances", v) != 0;

    free(raw);
    freeReplyObject(r);

    s = err ? NULL : json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(doc);

    if (s == NULL) {
        return x.rc != SE_CLI_OK ? x.rc
                                 : se_error(cli, SE_CLI_FAIL, "out of memory");
    }

    fputs(s, stdout);
    putchar('\n');
    free(s);

    return SE_CLI_OK;
}
