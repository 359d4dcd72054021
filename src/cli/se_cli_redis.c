/*
 * Redis: URL parsing, connecting (to the server of the URL, or to the
 * primary its Sentinels name; the connection is se_cli_conn.c), reads
 * under WATCH, the snapshot as an se_state_t, and the writer: one EVAL
 * of se_write_lua inside MULTI/EXEC, retried when a watched key changed
 * meanwhile.
 *
 * The script checks every key's type, computes the new version and adds
 * the audit entry before it writes any data, then writes, SET Pversion
 * and PUBLISH Pevents <version>: it runs atomically, so readers see all
 * of a change or none of it, and a failure leaves nothing behind.
 *
 * The audit entry carries a random nonce: when the connection fails after
 * EXEC was sent, the tool reconnects once and looks for it, to tell a
 * change that was written from one that was not.
 *
 * URLs in messages are redacted (se_url_redacted): no password, ever.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "se_cli.h"
#include "se_snapshot.h"
#include "se_redis_raw.h"

#define SE_WRITE_ATTEMPTS   5
#define SE_RECOVER_ENTRIES  100

#define SE_REDIS_PORT       6379
#define SE_SENTINEL_PORT    26379
#define SE_MAX_SENTINELS    16
#define SE_CONNECT_MS       3000
#define SE_REPLY_MS         10000
/* the Sentinel client spec: short timeouts, the next Sentinel on failure */
#define SE_SENTINEL_MS      1000
/* rounds through the Sentinels while one names a server that is no master */
#define SE_SENTINEL_ROUNDS  3
#define SE_SENTINEL_PAUSE   500


/*
 * ARGV: prefix, time, actor, command, id, fields, nonce, ncmds, then each
 * command as argc, arg1 .. argc.  Pseudo-command DELPAGE deletes the
 * page's keys (all but Pversion and Paudit) that its sorted sets name;
 * keys no sorted set names are found by the caller with SCAN
 * (se_redis_scan_del), never by KEYS, which would block a shared Redis in
 * proportion to its whole keyspace.
 *
 * Everything that can fail comes before the first data write: the type
 * checks, the new version (Pversion + 1, computed as a decimal string so
 * that no version is ever rounded by Lua's doubles), and the XADD of the
 * audit entry (it fails when the stream's last id is the largest one).
 * Then the data writes, SET Pversion, PUBLISH; the new version is
 * returned as a string.
 */
static const char  se_write_lua[] =
    "local p = ARGV[1]\n"
    "local i = 9\n"
    "local cmds = {}\n"
    "for c = 1, tonumber(ARGV[8]) do\n"
    "  local argc = tonumber(ARGV[i])\n"
    "  local cmd = {}\n"
    "  for a = 1, argc do cmd[a] = ARGV[i + a] end\n"
    "  i = i + argc + 1\n"
    "  cmds[c] = cmd\n"
    "end\n"
    "local want = {HSET = 'hash', HDEL = 'hash', LPUSH = 'list',\n"
    "  RPUSH = 'list', ZADD = 'zset', ZREM = 'zset',\n"
    "  ZREMRANGEBYSCORE = 'zset', SET = 'string',\n"
    "  DEL = false}\n"
    "local function typeof(key)\n"
    "  local t = redis.call('TYPE', key)\n"
    "  if type(t) == 'table' then t = t.ok end\n"
    "  return t\n"
    "end\n"
    "local function page_keys()\n"
    "  local keys = {p .. 'page', p .. 'components', p .. 'incidents',\n"
    "                p .. 'maintenances'}\n"
    "  for _, k in ipairs({{'component:', 'components', false},\n"
    "                      {'incident:', 'incidents', true},\n"
    "                      {'maintenance:', 'maintenances', true}}) do\n"
    "    if typeof(p .. k[2]) == 'zset' then\n"
    "      for _, id in ipairs(redis.call('ZRANGE', p .. k[2], 0, -1)) do\n"
    "        keys[#keys + 1] = p .. k[1] .. id\n"
    "        if k[3] then keys[#keys + 1] = p .. k[1] .. id .. ':updates' end\n"
    "      end\n"
    "    end\n"
    "  end\n"
    "  return keys\n"
    "end\n"
    "local gone = {}\n"
    "for _, c in ipairs(cmds) do\n"
    "  local op = c[1]\n"
    "  if op == 'DELPAGE' then\n"
    "    for _, k in ipairs(page_keys()) do gone[k] = true end\n"
    "  elseif want[op] == nil then\n"
    "    return redis.error_reply('ERR status-edge: unknown op ' .. op)\n"
    "  elseif op == 'DEL' then\n"
    "    for a = 2, #c do gone[c[a]] = true end\n"
    "  elseif not gone[c[2]] then\n"
    "    local t = typeof(c[2])\n"
    "    if t ~= 'none' and t ~= want[op] then\n"
    "      return redis.error_reply('WRONGTYPE key ' .. c[2] ..\n"
    "        ' holds a ' .. t .. ', not a ' .. want[op])\n"
    "    end\n"
    "  end\n"
    "end\n"
    "local v = ''\n"
    "local vt = typeof(p .. 'version')\n"
    "if vt ~= 'none' then\n"
    "  v = vt == 'string' and redis.call('GET', p .. 'version')\n"
    "  if v and string.match(v, '^%d+$') then\n"
    "    v = string.match(v, '^0*(%d*)$')\n"
    "  else\n"
    "    v = false\n"
    "  end\n"
    "  if not v or #v > 18 then\n"
    "    return redis.error_reply('WRONGTYPE key ' .. p ..\n"
    "      'version is not an integer of at most 18 digits')\n"
    "  end\n"
    "end\n"
    "local d = {string.byte(v, 1, -1)}\n"
    "local k = #d\n"
    "while k > 0 and d[k] == 57 do d[k] = 48; k = k - 1 end\n"
    "if k == 0 then\n"
    "  v = '1' .. string.rep('0', #d)\n"
    "else\n"
    "  d[k] = d[k] + 1\n"
    "  v = string.char(unpack(d))\n"
    "end\n"
    "local at = typeof(p .. 'audit')\n"
    "if at ~= 'none' and at ~= 'stream' then\n"
    "  return redis.error_reply('WRONGTYPE key ' .. p ..\n"
    "    'audit is not a stream')\n"
    "end\n"
    "local ok = redis.pcall('XADD', p .. 'audit', '*', 'time', ARGV[2],\n"
    "  'actor', ARGV[3], 'command', ARGV[4], 'id', ARGV[5],\n"
    "  'fields', ARGV[6], 'version', v, 'nonce', ARGV[7])\n"
    "if type(ok) == 'table' and ok.err then\n"
    "  return redis.error_reply(ok.err .. ' (XADD ' .. p .. 'audit)')\n"
    "end\n"
    "for _, c in ipairs(cmds) do\n"
    "  if c[1] == 'DELPAGE' then\n"
    "    local keys = page_keys()\n"
    "    for k = 1, #keys, 100 do\n"
    "      redis.call('DEL', unpack(keys, k, math.min(k + 99, #keys)))\n"
    "    end\n"
    "  else\n"
    "    redis.call(unpack(c))\n"
    "  end\n"
    "end\n"
    "redis.call('SET', p .. 'version', v)\n"
    "redis.call('PUBLISH', p .. 'events', v)\n"
    "return v\n";


typedef struct {
    const char     *host;
    int             port;
} se_addr_t;

typedef struct {
    const char     *host;
    int             port;
    const char     *path;
    const char     *user;
    const char     *password;
    long            db;
    unsigned        tls:1;
    /* redis+sentinel:// */
    const char     *master;         /* the name of the set */
    se_addr_t       sentinels[SE_MAX_SENTINELS];
    size_t          nsentinels;
    const char     *sentinel_user;
    const char     *sentinel_password;
} se_url_t;


static int
se_hex(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c |= 0x20;

    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}


/* %XX decoding; NULL when malformed */
static char *
se_unescape(const char *s, size_t len)
{
    char    *out;
    size_t   i, n;
    int      h, l;

    out = se_alloc(len + 1);
    n = 0;

    for (i = 0; i < len; i++) {
        if (s[i] != '%') {
            out[n++] = s[i];
            continue;
        }

        if (i + 2 >= len) {
            return NULL;
        }

        h = se_hex((unsigned char) s[i + 1]);
        l = se_hex((unsigned char) s[i + 2]);

        if (h < 0 || l < 0) {
            return NULL;
        }

        out[n++] = (char) (h * 16 + l);
        i += 2;
    }

    out[n] = '\0';

    return out;
}


static int
se_parse_number(const char *s, size_t len, long max, long *out)
{
    long  v;
    size_t i;

    if (len == 0 || len > 9) {
        return SE_ERROR;
    }

    v = 0;

    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return SE_ERROR;
        }
        v = v * 10 + (s[i] - '0');
    }

    if (v > max) {
        return SE_ERROR;
    }

    *out = v;

    return SE_OK;
}


/* a query parameter named name: its decoded value into *v */
static int
se_query_param(const char *p, const char *eq, const char *e,
    const char *name, const char **v, int *rc)
{
    size_t  len;

    len = strlen(name);

    if ((size_t) (eq - p) != len || memcmp(p, name, len) != 0) {
        return 0;
    }

    *v = se_unescape(eq + 1, (size_t) (e - eq - 1));
    *rc = *v ? SE_OK : SE_ERROR;

    return 1;
}


/*
 * ?db=N&user=U&password=P of unix URLs,
 * ?sentinel_user=U&sentinel_password=P of Sentinel URLs
 */
static int
se_parse_query(const char *q, se_url_t *u)
{
    const char  *p, *e, *eq;
    size_t       len;
    int          rc;

    for (p = q; *p; p = *e ? e + 1 : e) {
        e = strchr(p, '&');
        if (e == NULL) {
            e = p + strlen(p);
        }

        len = (size_t) (e - p);
        eq = memchr(p, '=', len);

        if (eq == NULL) {
            return SE_ERROR;
        }

        rc = SE_ERROR;

        if (u->master) {
            if (!se_query_param(p, eq, e, "sentinel_user",
                                &u->sentinel_user, &rc)
                && !se_query_param(p, eq, e, "sentinel_password",
                                   &u->sentinel_password, &rc))
            {
                return SE_ERROR;
            }

        } else if ((size_t) (eq - p) == 2 && memcmp(p, "db", 2) == 0) {
            rc = se_parse_number(eq + 1, (size_t) (e - eq - 1), 1000000,
                                 &u->db);

        } else if (!se_query_param(p, eq, e, "user", &u->user, &rc)
                   && !se_query_param(p, eq, e, "password", &u->password,
                                      &rc))
        {
            return SE_ERROR;
        }

        if (rc != SE_OK) {
            return SE_ERROR;
        }
    }

    return SE_OK;
}


/* host[:port] or [v6][:port] in s .. end */
static int
se_parse_addr(const char *s, const char *end, int dflt, se_addr_t *a)
{
    const char  *hs, *he, *p;
    long         port;

    if (*s == '[') {
        hs = s + 1;
        he = memchr(hs, ']', (size_t) (end - hs));
        if (he == NULL) {
            return SE_ERROR;
        }
        p = he + 1;

    } else {
        hs = s;
        he = memchr(s, ':', (size_t) (end - s));
        if (he == NULL) {
            he = end;
        }
        p = he;
    }

    if (he == hs) {
        return SE_ERROR;
    }

    a->host = se_strndup(hs, (size_t) (he - hs));
    a->port = dflt;

    if (p < end) {
        if (*p != ':'
            || se_parse_number(p + 1, (size_t) (end - p - 1), 65535, &port)
               != SE_OK
            || port == 0)
        {
            return SE_ERROR;
        }

        a->port = (int) port;
    }

    return SE_OK;
}


/* /NAME[/db][?query] of a Sentinel URL, and its addresses in p .. end */
static int
se_parse_sentinel(const char *p, const char *end, const char *path,
    se_url_t *u)
{
    const char  *comma, *q, *ne;

    for ( ;; ) {
        if (u->nsentinels == SE_MAX_SENTINELS) {
            return SE_ERROR;
        }

        comma = memchr(p, ',', (size_t) (end - p));

        if (se_parse_addr(p, comma ? comma : end, SE_SENTINEL_PORT,
                          &u->sentinels[u->nsentinels])
            != SE_OK)
        {
            return SE_ERROR;
        }

        u->nsentinels++;

        if (comma == NULL) {
            break;
        }

        p = comma + 1;
    }

    if (path == NULL) {
        return SE_ERROR;
    }

    path++;
    q = strchr(path, '?');
    end = q ? q : path + strlen(path);
    ne = memchr(path, '/', (size_t) (end - path));

    u->master = se_unescape(path, (size_t) ((ne ? ne : end) - path));

    if (u->master == NULL || *u->master == '\0') {
        return SE_ERROR;
    }

    if (ne && ne + 1 < end
        && se_parse_number(ne + 1, (size_t) (end - ne - 1), 1000000, &u->db)
           != SE_OK)
    {
        return SE_ERROR;
    }

    return q ? se_parse_query(q + 1, u) : SE_OK;
}


static int
se_parse_url(const char *url, se_url_t *u)
{
    se_addr_t    a;
    const char  *p, *at, *colon, *slash, *end, *hs;
    int          sentinel;

    memset(u, 0, sizeof(se_url_t));
    u->port = SE_REDIS_PORT;

    if (strncmp(url, "unix://", 7) == 0 || strncmp(url, "unix:", 5) == 0) {
        p = url + (strncmp(url, "unix://", 7) == 0 ? 7 : 5);

        if (*p != '/') {
            return SE_ERROR;
        }

        end = strchr(p, '?');
        u->path = se_strndup(p, end ? (size_t) (end - p) : strlen(p));

        if (u->path[1] == '\0') {
            return SE_ERROR;
        }

        return end ? se_parse_query(end + 1, u) : SE_OK;
    }

    if (strncmp(url, "redis://", 8) == 0) {
        p = url + 8;
        sentinel = 0;

    } else if (strncmp(url, "rediss://", 9) == 0) {
        p = url + 9;
        sentinel = 0;
        u->tls = 1;

    } else if (strncmp(url, "redis+sentinel://", 17) == 0) {
        p = url + 17;
        sentinel = 1;

    } else if (strncmp(url, "rediss+sentinel://", 18) == 0) {
        p = url + 18;
        sentinel = 1;
        u->tls = 1;

    } else {
        return SE_ERROR;
    }

    slash = strchr(p, '/');
    end = slash ? slash : p + strlen(p);

    at = NULL;
    for (hs = p; hs < end; hs++) {
        if (*hs == '@') {
            at = hs;
        }
    }

    if (at) {
        colon = memchr(p, ':', (size_t) (at - p));

        if (colon == NULL) {
            return SE_ERROR;
        }

        if (colon > p) {
            u->user = se_unescape(p, (size_t) (colon - p));
            if (u->user == NULL) {
                return SE_ERROR;
            }
        }

        u->password = se_unescape(colon + 1, (size_t) (at - colon - 1));
        if (u->password == NULL) {
            return SE_ERROR;
        }

        p = at + 1;
    }

    if (p == end) {
        return SE_ERROR;
    }

    if (sentinel) {
        return se_parse_sentinel(p, end, slash, u);
    }

    if (se_parse_addr(p, end, SE_REDIS_PORT, &a) != SE_OK) {
        return SE_ERROR;
    }

    u->host = a.host;
    u->port = a.port;

    if (slash && slash[1] != '\0') {
        if (se_parse_number(slash + 1, strlen(slash + 1), 1000000, &u->db)
            != SE_OK)
        {
            return SE_ERROR;
        }
    }

    return SE_OK;
}


/* password=, sentinel_password=: a parameter to leave out */
static int
se_secret_param(const char *p, const char *e)
{
    const char  *eq;

    eq = memchr(p, '=', (size_t) (e - p));
    if (eq == NULL) {
        eq = e;
    }

    return (size_t) (eq - p) >= 8 && memcmp(eq - 8, "password", 8) == 0;
}


/* a password= parameter between a '?' and the @ found last */
static int
se_secret_before(const char *q, const char *at)
{
    const char  *p;

    for (p = q; p + 8 <= at; p++) {
        if (memcmp(p, "password", 8) == 0) {
            return 1;
        }
    }

    return 0;
}


/*
 * The URL for messages: user:password@ (up to the last @, as a password
 * may hold any character, but not into a query that names a password)
 * becomes ***@ and password= and sentinel_password= parameters are
 * dropped, also from URLs that do not parse.
 */
const char *
se_url_redacted(const char *url)
{
    const char  *at, *start, *p, *q, *e, *sep;
    char        *out;
    size_t       n;

    out = se_alloc(strlen(url) + 8);
    n = 0;

    at = strncmp(url, "unix:", 5) != 0 ? strrchr(url, '@') : NULL;
    q = strchr(url, '?');

    while (at && q && q < at && se_secret_before(q, at)) {
        for (at = q; at > url && at[-1] != '@'; at--) {
            /* void */
        }

        at = (at > url) ? at - 1 : NULL;
    }

    q = strchr(at ? at : url, '?');
    e = q ? q : url + strlen(url);

    if (at) {
        p = strstr(url, "://");
        start = (p && p < at) ? p + 3 : url;

        if (start == url) {
            p = memchr(url, ':', (size_t) (at - url));
            start = p ? p + 1 : url;
        }

        memcpy(out, url, (size_t) (start - url));
        n = (size_t) (start - url);
        memcpy(out + n, "***", 3);
        n += 3;
        url = at;
    }

    memcpy(out + n, url, (size_t) (e - url));
    n += (size_t) (e - url);

    if (q == NULL) {
        out[n] = '\0';
        return out;
    }

    sep = "?";

    for (p = q + 1; *p; p = *e ? e + 1 : e) {
        e = strchr(p, '&');
        if (e == NULL) {
            e = p + strlen(p);
        }

        if (se_secret_param(p, e) || e == p) {
            continue;
        }

        memcpy(out + n, sep, 1);
        n++;
        memcpy(out + n, p, (size_t) (e - p));
        n += (size_t) (e - p);
        sep = "&";
    }

    out[n] = '\0';

    return out;
}


/* host:port, [v6]:port */
static const char *
se_addr_text(const char *host, int port)
{
    return strchr(host, ':') ? se_sprintf("[%s]:%d", host, port)
                             : se_sprintf("%s:%d", host, port);
}


/* the server of the connection, for messages */
static const char *
se_redis_where(se_cli_t *cli)
{
    return cli->where ? cli->where : se_q(se_url_redacted(cli->url));
}


/* why the connection failed: "no reply" when it did not */
static const char *
se_redis_why(se_cli_t *cli)
{
    const char  *e;

    e = cli->conn ? se_conn_error(cli->conn) : "";

    return *e ? e : "no reply";
}


int
se_redis_fail(se_cli_t *cli, redisReply *r, const char *doing)
{
    int  rc;

    if (r == NULL) {
        rc = se_error(cli, SE_CLI_FAIL, "Redis %s: %s while %s",
                      se_redis_where(cli), se_redis_why(cli), doing);

    } else if (r->type == REDIS_REPLY_ERROR) {
        rc = se_error(cli, SE_CLI_FAIL, "Redis refused %s: %.*s", doing,
                      (int) r->len, r->str);

    } else {
        rc = se_error(cli, SE_CLI_FAIL, "unexpected Redis reply while %s",
                      doing);
    }

    if (r) {
        freeReplyObject(r);
    }

    return rc;
}


/* AUTH [user] password on c: NULL, or what failed */
static const char *
se_redis_auth(se_conn_t *c, const char *user, const char *password,
    const char *where)
{
    redisReply  *r;
    const char  *why;

    r = user ? se_conn_command(c, "AUTH %s %s", user, password)
             : se_conn_command(c, "AUTH %s", password);

    if (r == NULL) {
        return se_sprintf("Redis %s: %s while AUTH", where,
                          se_conn_error(c));
    }

    why = NULL;

    if (r->type == REDIS_REPLY_ERROR) {
        why = se_sprintf("Redis refused AUTH: %.*s", (int) r->len, r->str);
    }

    freeReplyObject(r);

    return why;
}


/*
 * A Sentinel's primary must say so: ROLE's first element is "master".
 * NULL, or what it is instead.
 */
static const char *
se_redis_role(se_conn_t *c, const char *where)
{
    redisReply  *r;
    const char  *why;

    r = se_conn_command(c, "ROLE");

    if (r == NULL) {
        return se_sprintf("Redis %s: %s while ROLE", where,
                          se_conn_error(c));
    }

    if (r->type == REDIS_REPLY_ERROR) {
        why = se_sprintf("Redis refused ROLE: %.*s", (int) r->len, r->str);

    } else if (r->type != REDIS_REPLY_ARRAY || r->elements == 0
               || r->element[0]->type != REDIS_REPLY_STRING)
    {
        why = "an unexpected reply to ROLE";

    } else if (strcmp(r->element[0]->str, "master") != 0) {
        why = se_sprintf("it is not a primary (ROLE %s)",
                         se_q(r->element[0]->str));

    } else {
        why = NULL;
    }

    freeReplyObject(r);

    return why;
}


/*
 * Connects to one server, AUTH, (with master: ROLE must say master),
 * SELECT: NULL with cli->conn, or the message of what failed.
 */
static const char *
se_redis_server(se_cli_t *cli, const se_url_t *u, const char *host,
    int port, int master, const char *where)
{
    se_conn_t   *c;
    redisReply  *r;
    const char  *why;

    c = se_conn_open(host, port, u->path, u->tls ? cli->tls : NULL,
                     cli->sni, SE_CONNECT_MS, SE_REPLY_MS, &why);

    if (c == NULL) {
        return se_sprintf("cannot connect to Redis %s: %s", where, why);
    }

    why = u->password ? se_redis_auth(c, u->user, u->password, where)
                      : NULL;

    if (why == NULL && master) {
        why = se_redis_role(c, where);
    }

    if (why == NULL && u->db) {
        r = se_conn_command(c, "SELECT %ld", u->db);

        if (r == NULL) {
            why = se_sprintf("Redis %s: %s while SELECT", where,
                             se_conn_error(c));

        } else if (r->type == REDIS_REPLY_ERROR) {
            why = se_sprintf("Redis refused SELECT: %.*s", (int) r->len,
                             r->str);
        }

        if (r) {
            freeReplyObject(r);
        }
    }

    if (why) {
        se_conn_close(c);
        return why;
    }

    cli->conn = c;

    return NULL;
}


/*
 * One Sentinel's answer to SENTINEL get-master-addr-by-name: SE_OK and
 * the address, or SE_ERROR and why (the Sentinel cannot be reached,
 * refused, does not know the name).
 */
static int
se_sentinel_ask(se_cli_t *cli, const se_url_t *u, const se_addr_t *s,
    se_addr_t *primary, const char **why)
{
    se_conn_t   *c;
    redisReply  *r;
    long         port;

    c = se_conn_open(s->host, s->port, NULL, u->tls ? cli->tls : NULL,
                     cli->sni, SE_SENTINEL_MS, SE_SENTINEL_MS, why);
    if (c == NULL) {
        return SE_ERROR;
    }

    *why = u->sentinel_password
           ? se_redis_auth(c, u->sentinel_user, u->sentinel_password,
                           se_addr_text(s->host, s->port))
           : NULL;

    if (*why) {
        se_conn_close(c);
        return SE_ERROR;
    }

    r = se_conn_command(c, "SENTINEL get-master-addr-by-name %s", u->master);

    if (r == NULL) {
        *why = se_sprintf("%s", se_conn_error(c));

    } else if (r->type == REDIS_REPLY_ERROR) {
        *why = se_sprintf("refused: %.*s", (int) r->len, r->str);

    } else if (r->type == REDIS_REPLY_NIL
               || (r->type == REDIS_REPLY_ARRAY && r->elements == 0))
    {
        *why = se_sprintf("does not know %s", se_q(u->master));

    } else if (r->type != REDIS_REPLY_ARRAY || r->elements != 2
               || r->element[0]->type != REDIS_REPLY_STRING
               || r->element[1]->type != REDIS_REPLY_STRING
               || r->element[0]->len == 0
               || se_parse_number(r->element[1]->str, r->element[1]->len,
                                  65535, &port) != SE_OK
               || port == 0)
    {
        *why = "an unexpected reply to SENTINEL get-master-addr-by-name";

    } else {
        primary->host = se_strndup(r->element[0]->str, r->element[0]->len);
        primary->port = (int) port;
        *why = NULL;
    }

    if (r) {
        freeReplyObject(r);
    }

    se_conn_close(c);

    return *why ? SE_ERROR : SE_OK;
}


/*
 * The Sentinel client spec: asks each Sentinel in turn for the primary
 * of the set, connects to the first answer and confirms with ROLE that
 * it is a primary, else asks the next.  While a Sentinel names a server
 * that is not (or not yet) a primary, as during a failover, the round is
 * tried again after a pause.  NULL with cli->conn, or one message with
 * every Sentinel's answer.
 */
static const char *
se_redis_sentinel(se_cli_t *cli, const se_url_t *u)
{
    se_addr_t        primary, tried[SE_MAX_SENTINELS];
    const char      *why, *notes, *where, *sentinel;
    size_t           i, j, ntried;
    int              round, again;
    struct timespec  pause;

    notes = "";

    for (round = 0; round < SE_SENTINEL_ROUNDS; round++) {
        if (round > 0) {
            pause.tv_sec = 0;
            pause.tv_nsec = SE_SENTINEL_PAUSE * 1000000L;
            (void) nanosleep(&pause, NULL);
        }

        notes = "";
        ntried = 0;
        again = 0;

        for (i = 0; i < u->nsentinels; i++) {
            sentinel = se_addr_text(u->sentinels[i].host,
                                    u->sentinels[i].port);

            if (se_sentinel_ask(cli, u, &u->sentinels[i], &primary, &why)
                != SE_OK)
            {
                notes = se_sprintf("%s; Sentinel %s: %s", notes, sentinel,
                                   why);
                continue;
            }

            for (j = 0; j < ntried; j++) {
                if (tried[j].port == primary.port
                    && strcmp(tried[j].host, primary.host) == 0)
                {
                    break;
                }
            }

            if (j < ntried) {
                continue;
            }

            tried[ntried++] = primary;

            where = se_sprintf("%s (primary %s)",
                               se_q(se_url_redacted(cli->url)),
                               se_addr_text(primary.host, primary.port));

            why = se_redis_server(cli, u, primary.host, primary.port, 1,
                                  where);

            if (why == NULL) {
                cli->where = where;
                return NULL;
            }

            notes = se_sprintf("%s; Sentinel %s names %s: %s", notes,
                               sentinel,
                               se_addr_text(primary.host, primary.port),
                               why);
            again = 1;
        }

        if (!again) {
            break;
        }
    }

    return se_sprintf("no Sentinel of %s names a usable primary of %s%s",
                      se_q(se_url_redacted(cli->url)), se_q(u->master),
                      notes);
}


/* connects, AUTH, SELECT: NULL, or the message of what failed */
static const char *
se_redis_open(se_cli_t *cli, const se_url_t *u)
{
    if (u->master) {
        return se_redis_sentinel(cli, u);
    }

    return se_redis_server(cli, u, u->host, u->port, 0,
                           se_q(se_url_redacted(cli->url)));
}


int
se_redis_connect(se_cli_t *cli)
{
    se_url_t     u;
    const char  *why, *opt;

    if (se_parse_url(cli->url, &u) != SE_OK) {
        return se_error(cli, SE_CLI_USAGE, "bad Redis URL %s (expected "
                        "redis://[user:password@]host:port/db, "
                        "rediss://..., unix:///path?db=N or "
                        "redis+sentinel://[user:password@]host:port"
                        "[,host:port...]/NAME[/db])",
                        se_q(se_url_redacted(cli->url)));
    }

    if (!u.tls) {
        opt = cli->cacert ? "--cacert" : cli->cert ? "--cert"
              : cli->key ? "--key" : cli->sni ? "--sni" : NULL;

        if (opt) {
            return se_error(cli, SE_CLI_USAGE, "%s is for TLS, and Redis "
                            "%s is not a rediss:// URL", opt,
                            se_q(se_url_redacted(cli->url)));
        }

    } else if (cli->tls == NULL) {
        cli->tls = se_tls_create(cli->cacert, cli->cert, cli->key, &why);

        if (cli->tls == NULL) {
            return se_error(cli, SE_CLI_USAGE, "%s", why);
        }
    }

    why = se_redis_open(cli, &u);
    if (why) {
        return se_error(cli, SE_CLI_FAIL, "%s", why);
    }

    return SE_CLI_OK;
}


void
se_redis_close(se_cli_t *cli)
{
    se_conn_close(cli->conn);
    cli->conn = NULL;

    se_tls_free(cli->tls);
    cli->tls = NULL;
}


char *
se_key(se_cli_t *cli, const char *fmt, ...)
{
    va_list  ap;
    char    *tail, *key;
    int      n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);

    tail = se_alloc((size_t) (n > 0 ? n : 0) + 1);

    va_start(ap, fmt);
    vsnprintf(tail, (size_t) n + 1, fmt, ap);
    va_end(ap);

    key = se_sprintf("%s%s", cli->prefix, tail);

    return key;
}


/* fmt with every %s argument quoted (se_q), for messages */
static const char *
se_cmd_desc(const char *fmt, va_list ap)
{
    const char  *p, *s;
    char        *out;

    out = se_strdup("");

    for (p = fmt; *p; p++) {
        if (p[0] == '%' && p[1] == 's') {
            s = va_arg(ap, const char *);
            out = se_sprintf("%s%s", out, se_q(s));
            p++;
            continue;
        }

        out = se_sprintf("%s%c", out, *p);
    }

    return out;
}


/* a command that must not fail (%s arguments only); NULL (reported) */
redisReply *
se_redis_cmd(se_cli_t *cli, const char *fmt, ...)
{
    va_list      ap;
    redisReply  *r;

    va_start(ap, fmt);
    r = se_conn_vcommand(cli->conn, fmt, ap);
    va_end(ap);

    if (r == NULL || r->type == REDIS_REPLY_ERROR) {
        va_start(ap, fmt);
        se_redis_fail(cli, r, se_cmd_desc(fmt, ap));
        va_end(ap);
        return NULL;
    }

    return r;
}


/*
 * Adds a DEL to the batch for the keys matching the glob pattern, found
 * by SCAN a thousand at a time so that Redis serves others in between.
 */
int
se_redis_scan_del(se_cli_t *cli, se_batch_t *b, const char *match)
{
    redisReply  *r, *keys;
    char        *cursor;
    size_t       i;

    cursor = se_strndup("0", 1);

    do {
        r = se_redis_cmd(cli, "SCAN %s MATCH %s COUNT 1000", cursor, match);
        if (r == NULL) {
            return SE_CLI_FAIL;
        }

        if (r->type != REDIS_REPLY_ARRAY || r->elements != 2
            || r->element[0]->type != REDIS_REPLY_STRING
            || r->element[1]->type != REDIS_REPLY_ARRAY)
        {
            freeReplyObject(r);
            return se_error(cli, SE_CLI_FAIL, "SCAN: an unexpected reply");
        }

        cursor = se_strndup(r->element[0]->str, r->element[0]->len);
        keys = r->element[1];

        for (i = 0; i < keys->elements; i++) {
            /* a component's uptime history is its past: kept */
            if (keys->element[i]->type == REDIS_REPLY_STRING
                && !(keys->element[i]->len > sizeof(":history") - 1
                     && memcmp(keys->element[i]->str + keys->element[i]->len
                               - (sizeof(":history") - 1), ":history",
                               sizeof(":history") - 1) == 0))
            {
                se_batch_cmd(b, "DEL", se_strndup(keys->element[i]->str,
                                                  keys->element[i]->len),
                             NULL);
            }
        }

        freeReplyObject(r);

    } while (strcmp(cursor, "0") != 0);

    return SE_CLI_OK;
}


int
se_redis_watch(se_cli_t *cli, const char *key)
{
    redisReply  *r;

    r = se_redis_cmd(cli, "WATCH %s", key);
    if (r == NULL) {
        return SE_CLI_FAIL;
    }

    freeReplyObject(r);

    return SE_CLI_OK;
}


/* watches key, then reads the hash */
int
se_redis_hgetall(se_cli_t *cli, const char *key, se_hash_t *h)
{
    redisReply  *r;
    size_t       i;

    memset(h, 0, sizeof(se_hash_t));

    if (se_redis_watch(cli, key) != SE_CLI_OK) {
        return SE_CLI_FAIL;
    }

    r = se_redis_cmd(cli, "HGETALL %s", key);
    if (r == NULL) {
        return SE_CLI_FAIL;
    }

    if (r->type != REDIS_REPLY_ARRAY) {
        return se_redis_fail(cli, r, se_sprintf("HGETALL %s", se_q(key)));
    }

    h->f = se_alloc((r->elements / 2 + 1) * sizeof(se_field_t));

    for (i = 0; i + 1 < r->elements; i += 2) {
        if (r->element[i]->type != REDIS_REPLY_STRING
            || r->element[i + 1]->type != REDIS_REPLY_STRING)
        {
            continue;
        }

        h->f[h->n].name = se_strndup(r->element[i]->str,
                                     r->element[i]->len);
        h->f[h->n].value = se_strndup(r->element[i + 1]->str,
                                      r->element[i + 1]->len);
        h->f[h->n].len = r->element[i + 1]->len;
        h->n++;
    }

    freeReplyObject(r);

    return SE_CLI_OK;
}


/* a field's value; NULL when absent or empty (empty means unset) */
/*
 * The value of field name in a flat field/value reply (HGETALL, a stream
 * entry's fields); NULL when absent, or the reply is no array (a nil).
 */
const char *
se_reply_field(const redisReply *r, const char *name)
{
    size_t  i;

    if (r->type != REDIS_REPLY_ARRAY) {
        return NULL;
    }

    for (i = 0; i + 1 < r->elements; i += 2) {
        if (r->element[i]->type == REDIS_REPLY_STRING
            && r->element[i + 1]->type == REDIS_REPLY_STRING
            && strcmp(r->element[i]->str, name) == 0)
        {
            return r->element[i + 1]->str;
        }
    }

    return NULL;
}


const char *
se_hash_get(const se_hash_t *h, const char *name)
{
    size_t  i;

    for (i = 0; i < h->n; i++) {
        if (strcmp(h->f[i].name, name) == 0) {
            return h->f[i].len ? h->f[i].value : NULL;
        }
    }

    return NULL;
}


/* watches zkey, then ZSCORE */
int
se_redis_zscore(se_cli_t *cli, const char *zkey, const char *member,
    int *found, double *score)
{
    redisReply  *r;

    if (se_redis_watch(cli, zkey) != SE_CLI_OK) {
        return SE_CLI_FAIL;
    }

    r = se_redis_cmd(cli, "ZSCORE %s %s", zkey, member);
    if (r == NULL) {
        return SE_CLI_FAIL;
    }

    *found = r->type == REDIS_REPLY_STRING;

    if (*found && score) {
        *score = strtod(r->str, NULL);
    }

    freeReplyObject(r);

    return SE_CLI_OK;
}


/* watches zkey, then the highest score */
int
se_redis_zmax(se_cli_t *cli, const char *zkey, double *max, int *found)
{
    redisReply  *r;

    if (se_redis_watch(cli, zkey) != SE_CLI_OK) {
        return SE_CLI_FAIL;
    }

    r = se_redis_cmd(cli, "ZREVRANGE %s 0 0 WITHSCORES", zkey);
    if (r == NULL) {
        return SE_CLI_FAIL;
    }

    *found = r->type == REDIS_REPLY_ARRAY && r->elements == 2
             && r->element[1]->type == REDIS_REPLY_STRING;

    if (*found) {
        *max = strtod(r->element[1]->str, NULL);
    }

    freeReplyObject(r);

    return SE_CLI_OK;
}


/*
 * script: NULL for the module's snapshot script, or one with the same
 * ARGV and reply; an error "WRONGTYPE se-key WANT HAS KEY" from it names
 * a key of the wrong type.  The caller frees *reply (freeReplyObject)
 * and *raw (free).
 */
int
se_redis_snapshot(se_cli_t *cli, const char *script, const char *history,
    const char *updates, const char *value, const char *bytes,
    redisReply **reply, se_raw_t **raw)
{
    redisReply  *r;
    const char  *argv[11];
    char        *err, *want, *has, *key;
    size_t       argvlen[11];
    int          i, argc;

    argv[0] = "EVAL";
    argv[1] = script ? script : SE_SNAPSHOT_LUA;
    argv[2] = "0";
    argv[3] = cli->prefix;
    argv[4] = history;
    argv[5] = updates;
    argv[6] = value;
    argv[7] = SE_SNAPSHOT_MAX_FIELDS;
    argv[8] = bytes;
    argc = 9;

    /* the components' status changes of the window (the notifier's) */
    if (script == NULL && cli->history_window) {
        argv[argc++] = cli->history_window;
        argv[argc++] = SE_SNAPSHOT_MAX_CHANGES;
    }

    for (i = 0; i < argc; i++) {
        argvlen[i] = strlen(argv[i]);
    }

    r = se_conn_argv(cli->conn, argc, argv, argvlen);

    if (r && r->type == REDIS_REPLY_ERROR
        && strncmp(r->str, "WRONGTYPE se-key ", 17) == 0)
    {
        err = se_strndup(r->str + 17, r->len - 17);
        freeReplyObject(r);

        want = err;
        has = strchr(want, ' ');
        key = has ? strchr(has + 1, ' ') : NULL;

        if (key == NULL) {
            return se_error(cli, SE_CLI_FAIL, "a key of the wrong type");
        }

        *has++ = '\0';
        *key++ = '\0';

        return se_error(cli, SE_CLI_FAIL, "key %s holds a %s, not a %s: "
                        "fix or delete it first", se_q(key), has, want);
    }

    if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements < 6) {
        return se_redis_fail(cli, r, "reading the page");
    }

    *raw = se_raw_from_reply(r);
    if (*raw == NULL) {
        freeReplyObject(r);
        return se_error(cli, SE_CLI_FAIL, "out of memory");
    }

    *reply = r;

    return SE_CLI_OK;
}


int
se_redis_state(se_cli_t *cli, const char *history, const char *updates,
    se_state_t **st)
{
    redisReply  *r;
    se_raw_t    *raw;
    int          rc;

    if (cli->conn == NULL) {
        rc = se_redis_connect(cli);
        if (rc != SE_CLI_OK) {
            return rc;
        }
    }

    rc = se_redis_snapshot(cli, NULL, history, updates,
                           SE_SNAPSHOT_MAX_VALUE, SE_SNAPSHOT_MAX_BYTES,
                           &r, &raw);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    rc = se_state_build(raw, st);

    free(raw);
    freeReplyObject(r);

    if (rc != SE_OK) {
        return se_error(cli, SE_CLI_FAIL, "out of memory");
    }

    return SE_CLI_OK;
}


/* the new version returned by the script (a string, or an integer) */
static int
se_reply_version(redisReply *e, long long *version)
{
    char  *end;

    if (e->type == REDIS_REPLY_INTEGER) {
        *version = e->integer;
        return SE_OK;
    }

    if (e->type == REDIS_REPLY_STRING && e->len > 0 && e->len < 20) {
        *version = strtoll(se_strndup(e->str, e->len), &end, 10);
        return *end == '\0' ? SE_OK : SE_ERROR;
    }

    return SE_ERROR;
}


/*
 * The connection failed after EXEC was sent: the change may or may not
 * have been committed.  Reconnects once and looks for the nonce in the
 * newest audit entries.
 */
static int
se_redis_recover(se_cli_t *cli, const char *nonce, long long *version)
{
    se_url_t      u;
    redisReply   *r, *entry, *f;
    const char   *why, *audit, *id;
    size_t        i, j;

    why = se_sprintf("the reply to EXEC was lost (Redis %s: %s)",
                     se_redis_where(cli), se_redis_why(cli));
    audit = se_key(cli, "audit");

    se_conn_close(cli->conn);
    cli->conn = NULL;
    cli->where = NULL;

    r = NULL;

    if (se_parse_url(cli->url, &u) == SE_OK && se_redis_open(cli, &u) == NULL)
    {
        r = se_conn_command(cli->conn, "XREVRANGE %s + - COUNT %d", audit,
                            SE_RECOVER_ENTRIES);
    }

    if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
        if (r) {
            freeReplyObject(r);
        }

        return se_error(cli, SE_CLI_FAIL, "%s and Redis cannot be read "
                        "again: outcome unknown: check XREVRANGE %s + - "
                        "COUNT 5 for nonce %s", why, audit, nonce);
    }

    for (i = 0; i < r->elements; i++) {
        entry = r->element[i];

        if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2
            || entry->element[0]->type != REDIS_REPLY_STRING
            || entry->element[1]->type != REDIS_REPLY_ARRAY)
        {
            continue;
        }

        f = entry->element[1];

        for (j = 0; j + 1 < f->elements; j += 2) {
            if (f->element[j]->type != REDIS_REPLY_STRING
                || f->element[j + 1]->type != REDIS_REPLY_STRING
                || strcmp(f->element[j]->str, "nonce") != 0
                || strcmp(f->element[j + 1]->str, nonce) != 0)
            {
                continue;
            }

            for (j = 0; j + 1 < f->elements; j += 2) {
                if (f->element[j]->type == REDIS_REPLY_STRING
                    && strcmp(f->element[j]->str, "version") == 0)
                {
                    (void) se_reply_version(f->element[j + 1], version);
                }
            }

            id = se_strdup(entry->element[0]->str);
            freeReplyObject(r);

            se_error(cli, SE_CLI_OK, "note: %s, but the change was "
                     "written (audit entry %s of %s)", why, id, audit);

            return SE_CLI_OK;
        }
    }

    freeReplyObject(r);

    return se_error(cli, SE_CLI_FAIL, "%s; the change is not in %s: "
                    "nothing was written", why, audit);
}


/* MULTI, EVAL, EXEC: SE_CLI_OK with *version, or an exit code */
static int
se_redis_exec(se_cli_t *cli, se_batch_t *b, int *aborted,
    long long *version)
{
    redisReply   *r, *e;
    const char  **argv, *nonce;
    size_t       *argvlen, n, i, j;
    int           rc;

    n = 11;
    for (i = 0; i < b->n; i++) {
        n += 1 + b->cmds[i].argc;
    }

    argv = se_alloc(n * sizeof(char *));
    argvlen = se_alloc(n * sizeof(size_t));

    /* 16 random [a-z0-9]: 82 bits */
    nonce = se_sprintf("%s%s", se_new_id(""), se_new_id(""));

    n = 0;
    argv[n++] = "EVAL";
    argv[n++] = se_write_lua;
    argv[n++] = "0";
    argv[n++] = cli->prefix;
    argv[n++] = se_time_str(cli->now);
    argv[n++] = cli->actor;
    argv[n++] = cli->what;
    argv[n++] = b->id ? b->id : "";
    argv[n++] = b->fields ? b->fields : "";
    argv[n++] = nonce;
    argv[n++] = se_sprintf("%zu", b->n);

    for (i = 0; i < b->n; i++) {
        argv[n++] = se_sprintf("%zu", b->cmds[i].argc);

        for (j = 0; j < b->cmds[i].argc; j++) {
            argv[n++] = b->cmds[i].argv[j];
        }
    }

    for (i = 0; i < n; i++) {
        argvlen[i] = strlen(argv[i]);
    }

    r = se_conn_command(cli->conn, "MULTI");
    if (r == NULL || r->type == REDIS_REPLY_ERROR) {
        return se_redis_fail(cli, r, "MULTI (nothing was written)");
    }
    freeReplyObject(r);

    r = se_conn_argv(cli->conn, (int) n, argv, argvlen);
    if (r == NULL || r->type == REDIS_REPLY_ERROR) {
        return se_redis_fail(cli, r, "EVAL (nothing was written)");
    }
    freeReplyObject(r);

    r = se_conn_command(cli->conn, "EXEC");
    if (r == NULL) {
        return se_redis_recover(cli, nonce, version);
    }

    if (r->type == REDIS_REPLY_ERROR) {
        return se_redis_fail(cli, r, "EXEC (nothing was written)");
    }

    if (r->type == REDIS_REPLY_NIL) {
        freeReplyObject(r);
        *aborted = 1;
        return SE_CLI_OK;
    }

    if (r->type != REDIS_REPLY_ARRAY || r->elements != 1) {
        return se_redis_fail(cli, r, "EXEC");
    }

    e = r->element[0];

    if (se_reply_version(e, version) == SE_OK) {
        rc = SE_CLI_OK;

    } else if (e->type == REDIS_REPLY_ERROR) {
        rc = se_error(cli, SE_CLI_FAIL, "Redis refused the change, nothing "
                      "was written: %.*s", (int) e->len, e->str);

    } else {
        rc = se_error(cli, SE_CLI_FAIL, "unexpected reply to the write");
    }

    freeReplyObject(r);

    return rc;
}


int
se_redis_write(se_cli_t *cli, se_plan_pt plan, void *data,
    long long *version)
{
    se_batch_t   b;
    redisReply  *r;
    int          rc, attempt, aborted;

    if (cli->conn == NULL) {
        rc = se_redis_connect(cli);
        if (rc != SE_CLI_OK) {
            return rc;
        }
    }

    for (attempt = 0; attempt < SE_WRITE_ATTEMPTS; attempt++) {
        memset(&b, 0, sizeof(se_batch_t));

        rc = plan(cli, &b, data);

        if (rc != SE_CLI_OK) {
            r = se_conn_command(cli->conn, "UNWATCH");
            if (r) {
                freeReplyObject(r);
            }
            return rc;
        }

        aborted = 0;

        rc = se_redis_exec(cli, &b, &aborted, version);
        if (rc != SE_CLI_OK || !aborted) {
            return rc;
        }
    }

    return se_error(cli, SE_CLI_FAIL, "the page kept changing during the "
                    "write; nothing was written, try again");
}
