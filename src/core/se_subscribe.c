/*
 * Subscriptions (se_subscribe.h): the request parser, the address
 * check and the Lua scripts of the writes.
 */

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "se_subscribe.h"
#include "se_pool.h"
#include "se_valid.h"


const char  se_subscribe_add_lua[] =
    "local p = ARGV[1]\n"
    "local t = redis.call('TYPE', p .. 'subscribers:targets')\n"
    "if type(t) == 'table' then t = t.ok end\n"
    "if t ~= 'none' and t ~= 'hash' then\n"
    "  return redis.error_reply('WRONGTYPE key ' .. p ..\n"
    "    'subscribers:targets is not a hash')\n"
    "end\n"
    "local fields, limits, i = {}, {}, 5\n"
    "while i <= #ARGV do\n"
    "  if ARGV[i] == 'LIMIT' then\n"
    "    limits[#limits + 1] = {ARGV[i + 1], tonumber(ARGV[i + 2]),\n"
    "                           ARGV[i + 3]}\n"
    "    i = i + 4\n"
    "  else\n"
    "    fields[#fields + 1] = ARGV[i]\n"
    "    fields[#fields + 1] = ARGV[i + 1]\n"
    "    i = i + 2\n"
    "  end\n"
    "end\n"
    "for _, l in ipairs(limits) do\n"
    "  local n = tonumber(redis.call('GET', l[1]) or '0')\n"
    "  if n >= l[2] then return {-1, l[1]} end\n"
    "end\n"
    "for _, l in ipairs(limits) do\n"
    "  if redis.call('INCR', l[1]) == 1 then\n"
    "    redis.call('EXPIRE', l[1], l[3])\n"
    "  end\n"
    "end\n"
    "local old = redis.call('HGET', p .. 'subscribers:targets', ARGV[3])\n"
    "if old then\n"
    "  if redis.call('HGET', p .. 'subscriber:' .. old, 'state')\n"
    "     == 'pending'\n"
    "  then\n"
    "    redis.call('XADD', p .. 'notify:confirm', 'MAXLEN', '~',\n"
    "               '10000', '*', 'id', old)\n"
    "  end\n"
    "  return {0, old}\n"
    "end\n"
    "redis.call('HSET', p .. 'subscriber:' .. ARGV[2], unpack(fields))\n"
    "redis.call('ZADD', p .. 'subscribers', ARGV[4], ARGV[2])\n"
    "redis.call('HSET', p .. 'subscribers:targets', ARGV[3], ARGV[2])\n"
    "if redis.call('HGET', p .. 'subscriber:' .. ARGV[2], 'state')\n"
    "   == 'pending'\n"
    "then\n"
    "  redis.call('XADD', p .. 'notify:confirm', 'MAXLEN', '~', '10000',\n"
    "             '*', 'id', ARGV[2])\n"
    "end\n"
    "return {1, ARGV[2]}\n";

const char  se_subscribe_remove_lua[] =
    "local p = ARGV[1]\n"
    "local k = p .. 'subscriber:' .. ARGV[2]\n"
    "local c = redis.call('HGET', k, 'channel')\n"
    "local t = redis.call('HGET', k, 'target')\n"
    "local n = redis.call('ZREM', p .. 'subscribers', ARGV[2])\n"
    "redis.call('DEL', k)\n"
    "if c and t then\n"
    "  local key = c .. ' ' .. t\n"
    "  if redis.call('HGET', p .. 'subscribers:targets', key) == ARGV[2]\n"
    "  then\n"
    "    redis.call('HDEL', p .. 'subscribers:targets', key)\n"
    "  end\n"
    "  n = 1\n"
    "end\n"
    "return n\n";

const char  se_subscribe_confirm_lua[] =
    "local k = ARGV[1] .. 'subscriber:' .. ARGV[2]\n"
    "local s = redis.call('HGET', k, 'state')\n"
    "if not s then return 0 end\n"
    "if s == 'active' then return 2 end\n"
    "redis.call('HSET', k, 'state', 'active', 'confirmed_at', ARGV[3])\n"
    "return 1\n";


int
se_subscribe_email_ok(const char *s, size_t len)
{
    const char  *at, *p, *end, *label;

    end = s + len;
    at = memchr(s, '@', len);

    if (len > SE_SUBSCRIBE_MAX_EMAIL || at == NULL || at == s
        || at - s > 64 || at + 1 == end
        || memchr(at + 1, '@', (size_t) (end - at - 1)) != NULL)
    {
        return SE_ERROR;
    }

    for (p = s; p < at; p++) {
        if (*p == '\0'
            || (!isalnum((unsigned char) *p)
                && strchr(".!#$%&'*+/=?^_`{|}~-", *p) == NULL))
        {
            return SE_ERROR;
        }

        if (*p == '.' && (p == s || p + 1 == at || p[1] == '.')) {
            return SE_ERROR;
        }
    }

    /* the domain: labels of [A-Za-z0-9-], 1 to 63 bytes, no '-' at an
     * end */
    for (label = at + 1; label <= end; label = p + 1) {
        for (p = label; p < end && *p != '.'; p++) {
            if (!isalnum((unsigned char) *p) && *p != '-') {
                return SE_ERROR;
            }
        }

        if (p == label || p - label > 63 || *label == '-' || p[-1] == '-') {
            return SE_ERROR;
        }

        if (p == end) {
            break;
        }
    }

    return SE_OK;
}


void
se_subscribe_free(se_subscribe_req_t *req)
{
    size_t  i;

    se_free(req->email);
    se_free(req->endpoint);

    for (i = 0; i < req->ncomponents; i++) {
        se_free(req->components[i]);
    }

    req->email = NULL;
    req->endpoint = NULL;
    req->ncomponents = 0;
}


static char *
se_sub_dup(const char *s, size_t len)
{
    char  *d;

    d = se_malloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }

    return d;
}


/* a value for an error message: printable, at most 40 bytes, quoted */
static void
se_sub_error(se_subscribe_req_t *req, const char *what, const char *v,
    size_t len)
{
    char    q[48];
    size_t  i, n;

    for (i = 0, n = 0; i < len && n < 40; i++) {
        q[n++] = (v[i] >= 0x20 && v[i] < 0x7f && v[i] != '"') ? v[i] : '?';
    }

    q[n] = '\0';

    snprintf(req->err, sizeof(req->err), "%s \"%s%s\"", what, q,
             i < len ? "..." : "");
}


static int
se_sub_set(se_subscribe_req_t *req, char **field, const char *what,
    const char *v, size_t len)
{
    if (*field != NULL) {
        snprintf(req->err, sizeof(req->err), "%s given twice", what);
        return SE_ERROR;
    }

    /* a NUL would cut the value for every check after */
    if (memchr(v, '\0', len) != NULL) {
        se_sub_error(req, field == &req->email ? "bad email address"
                          : "bad endpoint (an http:// or https:// URL)",
                     v, len);
        return SE_ERROR;
    }

    *field = se_sub_dup(v, len);
    if (*field == NULL) {
        snprintf(req->err, sizeof(req->err), "out of memory");
        return SE_ERROR;
    }

    return SE_OK;
}


static int
se_sub_component(se_subscribe_req_t *req, const char *v, size_t len)
{
    if (len == 0) {
        return SE_OK;
    }

    if (se_valid_id(v, len) != SE_OK) {
        se_sub_error(req, "bad component id", v, len);
        return SE_ERROR;
    }

    if (req->ncomponents == SE_SUBSCRIBE_MAX_COMPONENTS) {
        snprintf(req->err, sizeof(req->err), "more than %d components",
                 SE_SUBSCRIBE_MAX_COMPONENTS);
        return SE_ERROR;
    }

    req->components[req->ncomponents] = se_sub_dup(v, len);
    if (req->components[req->ncomponents] == NULL) {
        snprintf(req->err, sizeof(req->err), "out of memory");
        return SE_ERROR;
    }

    req->ncomponents++;

    return SE_OK;
}


static int
se_sub_hex(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c |= 0x20;

    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}


/* %XX and '+' decoded in place; the new length, or -1 when malformed */
static long
se_sub_unescape(char *s, size_t len)
{
    size_t  i, n;
    int     h, l;

    for (i = 0, n = 0; i < len; i++) {
        if (s[i] == '+') {
            s[n++] = ' ';

        } else if (s[i] == '%') {
            if (i + 2 >= len) {
                return -1;
            }

            h = se_sub_hex((unsigned char) s[i + 1]);
            l = se_sub_hex((unsigned char) s[i + 2]);
            if (h < 0 || l < 0) {
                return -1;
            }

            s[n++] = (char) (h * 16 + l);
            i += 2;

        } else {
            s[n++] = s[i];
        }
    }

    return (long) n;
}


static int
se_sub_field(se_subscribe_req_t *req, const char *name, size_t nlen,
    const char *v, size_t len)
{
    const char  *p, *q;

#define se_is(s)  (nlen == sizeof(s) - 1 && memcmp(name, s, nlen) == 0)

    if (se_is("subscriber[email]") || se_is("email")) {
        return se_sub_set(req, &req->email, "email", v, len);
    }

    if (se_is("subscriber[endpoint]") || se_is("endpoint")) {
        return len ? se_sub_set(req, &req->endpoint, "endpoint", v, len)
                   : SE_OK;
    }

    if (se_is("subscriber[component_ids][]") || se_is("component_ids[]")
        || se_is("subscriber[component_ids]") || se_is("component_ids"))
    {
        return se_sub_component(req, v, len);
    }

    if (se_is("components")) {
        for (p = v; ; p = q + 1) {
            q = memchr(p, ',', (size_t) (v + len - p));
            if (q == NULL) {
                q = v + len;
            }

            if (se_sub_component(req, p, (size_t) (q - p)) != SE_OK) {
                return SE_ERROR;
            }

            if (q == v + len) {
                return SE_OK;
            }
        }
    }

#undef se_is

    /* other fields (a submit button, a CSRF token of a template) */
    return SE_OK;
}


static int
se_sub_form(se_subscribe_req_t *req, const char *body, size_t len)
{
    char        *copy, *p, *end, *amp, *eq;
    long         nl, vl;
    int          rc;

    copy = se_sub_dup(body, len);
    if (copy == NULL) {
        snprintf(req->err, sizeof(req->err), "out of memory");
        return SE_ERROR;
    }

    rc = SE_OK;
    end = copy + len;

    for (p = copy; rc == SE_OK && p < end; p = amp + 1) {
        amp = memchr(p, '&', (size_t) (end - p));
        if (amp == NULL) {
            amp = end;
        }

        if (amp == p) {
            continue;
        }

        eq = memchr(p, '=', (size_t) (amp - p));
        if (eq == NULL) {
            eq = amp;
        }

        nl = se_sub_unescape(p, (size_t) (eq - p));
        vl = eq < amp ? se_sub_unescape(eq + 1, (size_t) (amp - eq - 1))
                      : 0;

        if (nl < 0 || vl < 0) {
            /* quoted as sent: the copy is half decoded by now */
            se_sub_error(req, "bad form encoding in", body + (p - copy),
                         (size_t) (amp - p));
            rc = SE_ERROR;
            break;
        }

        rc = se_sub_field(req, p, (size_t) nl, eq + 1, (size_t) vl);
    }

    se_free(copy);

    return rc;
}


static int
se_sub_json_str(se_subscribe_req_t *req, json_t *o, const char *key,
    char **field)
{
    json_t  *v;

    v = json_object_get(o, key);

    if (v == NULL || json_is_null(v)) {
        return SE_OK;
    }

    if (!json_is_string(v)) {
        snprintf(req->err, sizeof(req->err), "%s is not a string", key);
        return SE_ERROR;
    }

    if (json_string_length(v) == 0) {
        return SE_OK;
    }

    return se_sub_set(req, field, key, json_string_value(v),
                      json_string_length(v));
}


static int
se_sub_json(se_subscribe_req_t *req, const char *body, size_t len)
{
    json_t        *root, *o, *ids, *v;
    json_error_t   e;
    size_t         i;
    int            rc;

    root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
    if (root == NULL) {
        snprintf(req->err, sizeof(req->err), "bad JSON: %s (at %d:%d)",
                 e.text, e.line, e.column);
        return SE_ERROR;
    }

    o = json_object_get(root, "subscriber");
    if (o == NULL) {
        o = root;
    }

    rc = SE_ERROR;

    if (!json_is_object(o)) {
        snprintf(req->err, sizeof(req->err), "\"subscriber\" is not an "
                 "object");
        goto done;
    }

    if (se_sub_json_str(req, o, "email", &req->email) != SE_OK
        || se_sub_json_str(req, o, "endpoint", &req->endpoint) != SE_OK)
    {
        goto done;
    }

    ids = json_object_get(o, "component_ids");

    if (ids && !json_is_null(ids)) {
        if (!json_is_array(ids)) {
            snprintf(req->err, sizeof(req->err), "component_ids is not an "
                     "array");
            goto done;
        }

        json_array_foreach(ids, i, v) {
            if (!json_is_string(v)) {
                snprintf(req->err, sizeof(req->err), "component_ids[%zu] "
                         "is not a string", i);
                goto done;
            }

            if (se_sub_component(req, json_string_value(v),
                                 json_string_length(v))
                != SE_OK)
            {
                goto done;
            }
        }
    }

    rc = SE_OK;

done:

    json_decref(root);

    return rc;
}


static int
se_sub_type_is(const char *type, size_t tlen, const char *want)
{
    size_t  n, i;

    n = strlen(want);

    if (tlen < n) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if (tolower((unsigned char) type[i]) != want[i]) {
            return 0;
        }
    }

    return tlen == n || type[n] == ';' || type[n] == ' ';
}


int
se_subscribe_parse(const char *type, size_t tlen, const char *body,
    size_t len, se_subscribe_req_t *req)
{
    size_t  i;
    int     rc;

    memset(req, 0, sizeof(se_subscribe_req_t));

    if (len > SE_SUBSCRIBE_MAX_BODY) {
        snprintf(req->err, sizeof(req->err), "the request is larger than "
                 "%d bytes", SE_SUBSCRIBE_MAX_BODY);
        return SE_ERROR;
    }

    if (type && se_sub_type_is(type, tlen,
                               "application/x-www-form-urlencoded"))
    {
        rc = se_sub_form(req, body, len);

    } else if (type && se_sub_type_is(type, tlen, "application/json")) {
        rc = se_sub_json(req, body, len);

    } else {
        snprintf(req->err, sizeof(req->err), "send the subscription as "
                 "application/x-www-form-urlencoded or application/json");
        return SE_DECLINED;
    }

    if (rc != SE_OK) {
        return SE_ERROR;
    }

    if (req->email == NULL) {
        snprintf(req->err, sizeof(req->err), "an email address is "
                 "required (subscriber[email])");
        return SE_ERROR;
    }

    if (se_subscribe_email_ok(req->email, strlen(req->email)) != SE_OK) {
        se_sub_error(req, "bad email address", req->email,
                     strlen(req->email));
        return SE_ERROR;
    }

    for (i = 0; req->email[i]; i++) {
        req->email[i] = (char) tolower((unsigned char) req->email[i]);
    }

    if (req->endpoint
        && se_valid_url(req->endpoint, strlen(req->endpoint)) != SE_OK)
    {
        se_sub_error(req, "bad endpoint (an http:// or https:// URL)",
                     req->endpoint, strlen(req->endpoint));
        return SE_ERROR;
    }

    return SE_OK;
}
