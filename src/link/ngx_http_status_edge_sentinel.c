
/*
 * status-edge: Redis Sentinel for a "sentinel=NAME" entry, following the
 * Sentinel client rules.  The Sentinels are asked in turn, each with
 * short timeouts, on one connection (ngx_http_status_edge_conn.c):
 *
 *     [AUTH] [SENTINEL replicas NAME] SENTINEL get-master-addr-by-name NAME
 *     SUBSCRIBE +switch-master [+sdown -sdown +slave +slave-reconf-done]
 *
 * pipelined, so no change can fall between the answer and the
 * subscription.  With role=replica (the default) the replica read is the
 * healthy one (no s_down, o_down or disconnected flag, its link to the
 * primary ok) with the largest slave-repl-offset, the least behind;
 * without one, the primary.  The Sentinel that answered moves to the
 * front of the list.  The link (ngx_http_status_edge_redis.c) connects
 * there and confirms with ROLE; it asks again on every disconnect.  The
 * connection stays subscribed: a +switch-master of the set, the
 * replica in use down, or, while the primary is read for want of a
 * healthy replica, a replica back, found or moved to the new primary
 * after a failover, tells the link to connect again; while the primary is
 * read that way it is also asked again every 5 s.  When that
 * connection is lost, the next Sentinel is asked the same question: the
 * same answer keeps the links as they are.
 *
 * This connection goes to a Sentinel, never to the data server: the data
 * server still has the link's two connections only.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>

#include "ngx_http_status_edge_sentinel.h"
#include "ngx_http_status_edge_conn.h"


#define NGX_HTTP_STATUS_EDGE_SENTINEL_PORT     26379
#define NGX_HTTP_STATUS_EDGE_SENTINEL_TIMEOUT  1000
#define NGX_HTTP_STATUS_EDGE_SENTINEL_RETRY    1000
#define NGX_HTTP_STATUS_EDGE_SENTINEL_RECHECK  5000




typedef struct {
    ngx_log_t                           *log;
    ngx_http_status_edge_main_conf_t    *smcf;
    ngx_http_status_edge_sentinel_pt     found;
    ngx_http_status_edge_sentinel_pt     moved;

    ngx_http_status_edge_server_t       *entry;    /* NULL: none in use */
    ngx_http_status_edge_conn_t          conn;
    ngx_uint_t                           asking;   /* in entry's order */
    ngx_uint_t                           tried;    /* in this round */
    ngx_event_t                          next;
    ngx_event_t                          recheck;  /* for a replica */

    ngx_http_status_edge_sentinel_addr_t replica;  /* of this answer */
    ngx_http_status_edge_sentinel_addr_t named;    /* server's address */
    ngx_http_status_edge_server_t        server;   /* the one named */
    u_char                               name[NGX_SOCKADDR_STRLEN];

    ngx_str_t                            said;     /* in reason */
    u_char                               reason[NGX_MAX_ERROR_STR];
    u_char                               why[NGX_MAX_ERROR_STR];

    unsigned                             has_replica:1;
    unsigned                             is_primary:1; /* server is */
    unsigned                             checking:1;   /* a lost one */
    unsigned                             rechecking:1; /* no replica */
    unsigned                             subscribed:1;
} ngx_http_status_edge_sentinel_ctx_t;


static void ngx_http_status_edge_sentinel_question(void);
static void ngx_http_status_edge_sentinel_next(const char *what,
    ngx_str_t *reason);
static void ngx_http_status_edge_sentinel_next_handler(ngx_event_t *ev);
static void ngx_http_status_edge_sentinel_recheck_handler(ngx_event_t *ev);
static void ngx_http_status_edge_sentinel_error(
    ngx_http_status_edge_conn_t *conn, const char *what, ngx_str_t *reason);
static ngx_int_t ngx_http_status_edge_sentinel_send(int argc,
    const char **argv, size_t *argvlen,
    ngx_http_status_edge_conn_reply_pt handler);
static void ngx_http_status_edge_sentinel_on_auth(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);
static void ngx_http_status_edge_sentinel_on_replicas(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);
static void ngx_http_status_edge_sentinel_on_master(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);
static void ngx_http_status_edge_sentinel_on_subscribe(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);
static void ngx_http_status_edge_sentinel_on_message(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);
static void ngx_http_status_edge_sentinel_answered(
    ngx_http_status_edge_sentinel_addr_t *addr, ngx_uint_t primary);
static ngx_uint_t ngx_http_status_edge_sentinel_healthy(redisReply *replica,
    redisReply **ip, redisReply **port, int64_t *offset);
static ngx_uint_t ngx_http_status_edge_sentinel_is(redisReply *reply,
    const char *text);
static ngx_uint_t ngx_http_status_edge_sentinel_words(u_char *p, size_t len,
    ngx_str_t *words, ngx_uint_t n);
static ngx_str_t *ngx_http_status_edge_sentinel_reason(const char *fmt, ...);


static ngx_http_status_edge_sentinel_ctx_t  ngx_http_status_edge_sentinel;

/* the first for every entry, the others for role=replica */
static ngx_str_t  ngx_http_status_edge_sentinel_channels[] = {
    ngx_string("+switch-master"),
    ngx_string("+sdown"),
    ngx_string("-sdown"),
    ngx_string("+slave"),
    ngx_string("+slave-reconf-done")
};


/* configuration */

ngx_int_t
ngx_http_status_edge_sentinel_create(ngx_conf_t *cf,
    ngx_http_status_edge_server_t *server, ngx_str_t *value)
{
    ngx_http_status_edge_sentinel_t  *sentinel;

    if (value->len == sizeof("sentinel=") - 1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\"", value,
                           (ngx_str_t *) cf->args->elts);
        return NGX_ERROR;
    }

    sentinel = ngx_pcalloc(cf->pool, sizeof(ngx_http_status_edge_sentinel_t));
    if (sentinel == NULL) {
        return NGX_ERROR;
    }

    if (ngx_array_init(&sentinel->sentinels, cf->pool, 3,
                       sizeof(ngx_http_status_edge_server_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    sentinel->set.data = value->data + sizeof("sentinel=") - 1;
    sentinel->set.len = value->len - (sizeof("sentinel=") - 1);

    server->name = *value;
    server->sentinel = sentinel;

    return NGX_OK;
}


ngx_int_t
ngx_http_status_edge_sentinel_option(ngx_conf_t *cf,
    ngx_http_status_edge_server_t *server, ngx_str_t *value)
{
    size_t                            len;
    ngx_url_t                         u;
    ngx_http_status_edge_server_t    *s;
    ngx_http_status_edge_sentinel_t  *sentinel = server->sentinel;

    if (value->len == 12 && ngx_strncmp(value->data, "role=replica", 12) == 0)
    {
        sentinel->primary = 0;
        return NGX_OK;
    }

    if (value->len == 12 && ngx_strncmp(value->data, "role=primary", 12) == 0)
    {
        sentinel->primary = 1;
        return NGX_OK;
    }

    if (ngx_strncmp(value->data, "role=", 5) == 0) {
        goto invalid;
    }

    if (ngx_strncmp(value->data, "sentinel_password=", 18) == 0) {
        sentinel->password.data = value->data + 18;
        sentinel->password.len = value->len - 18;

        if (sentinel->password.len == 0) {
            goto invalid;
        }

        return NGX_OK;
    }

    if (ngx_strncmp(value->data, "sentinel_user=", 14) == 0) {
        sentinel->user.data = value->data + 14;
        sentinel->user.len = value->len - 14;

        if (sentinel->user.len == 0) {
            goto invalid;
        }

        return NGX_OK;
    }

    /* a word with no "=" is a Sentinel's address; "tls" is the entry's */

    if (ngx_strlchr(value->data, value->data + value->len, '=') != NULL
        || (value->len == 3 && ngx_strncmp(value->data, "tls", 3) == 0))
    {
        return NGX_DECLINED;
    }

    ngx_memzero(&u, sizeof(ngx_url_t));

    u.url = *value;
    u.default_port = NGX_HTTP_STATUS_EDGE_SENTINEL_PORT;

    if (value->len > 5 && ngx_strncmp(value->data, "unix:", 5) == 0) {
        len = value->len - 5;

        if (len >= sizeof(((struct sockaddr_un *) 0)->sun_path)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "Sentinel socket path \"%V\" is too long",
                               value);
            return NGX_ERROR;
        }
    }

    if (ngx_parse_url(cf->pool, &u) != NGX_OK || u.naddrs == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid Sentinel address \"%V\" in "
                           "\"%V %V\": %s",
                           value, (ngx_str_t *) cf->args->elts, &server->name,
                           u.err ? u.err : "no address");
        return NGX_ERROR;
    }

    s = ngx_array_push(&sentinel->sentinels);
    if (s == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(s, sizeof(ngx_http_status_edge_server_t));

    s->name = *value;
    s->sockaddr = u.addrs[0].sockaddr;
    s->socklen = u.addrs[0].socklen;
    s->host = u.host;

    return NGX_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid value \"%V\" in \"%V\"", value,
                       (ngx_str_t *) cf->args->elts);
    return NGX_ERROR;
}


ngx_int_t
ngx_http_status_edge_sentinel_check(ngx_conf_t *cf,
    ngx_http_status_edge_server_t *server)
{
    ngx_uint_t                        i;
    ngx_http_status_edge_server_t    *s;
    ngx_http_status_edge_sentinel_t  *sentinel = server->sentinel;

    if (sentinel->sentinels.nelts == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "no Sentinel address in \"%V %V\"",
                           (ngx_str_t *) cf->args->elts, &server->name);
        return NGX_ERROR;
    }

    if (sentinel->user.len && sentinel->password.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"sentinel_user=%V\" needs \"sentinel_password=\" "
                           "in \"%V %V\"", &sentinel->user,
                           (ngx_str_t *) cf->args->elts, &server->name);
        return NGX_ERROR;
    }

    sentinel->order = ngx_palloc(cf->pool, sentinel->sentinels.nelts
                                 * sizeof(ngx_http_status_edge_server_t *));
    if (sentinel->order == NULL) {
        return NGX_ERROR;
    }

    s = sentinel->sentinels.elts;

    for (i = 0; i < sentinel->sentinels.nelts; i++) {
        s[i].user = sentinel->user;
        s[i].password = sentinel->password;
        s[i].tls = server->tls;
        s[i].timeout = ngx_min(server->timeout,
                               NGX_HTTP_STATUS_EDGE_SENTINEL_TIMEOUT);
        sentinel->order[i] = &s[i];
    }

    return NGX_OK;
}


/* the worker's side */

void
ngx_http_status_edge_sentinel_start(ngx_log_t *log,
    ngx_http_status_edge_main_conf_t *smcf,
    ngx_http_status_edge_sentinel_pt found,
    ngx_http_status_edge_sentinel_pt moved)
{
    ngx_http_status_edge_sentinel_ctx_t  *ctx = &ngx_http_status_edge_sentinel;

    ngx_memzero(ctx, sizeof(ngx_http_status_edge_sentinel_ctx_t));

    ctx->log = log;
    ctx->smcf = smcf;
    ctx->found = found;
    ctx->moved = moved;

    ctx->conn.log = log;
    ctx->conn.error = ngx_http_status_edge_sentinel_error;
    ctx->conn.message = ngx_http_status_edge_sentinel_on_message;
    ctx->conn.data = ctx;

    ctx->next.handler = ngx_http_status_edge_sentinel_next_handler;
    ctx->next.data = ctx;
    ctx->next.log = log;
    ctx->next.cancelable = 1;

    ctx->recheck.handler = ngx_http_status_edge_sentinel_recheck_handler;
    ctx->recheck.data = ctx;
    ctx->recheck.log = log;
    ctx->recheck.cancelable = 1;
}


void
ngx_http_status_edge_sentinel_ask(ngx_http_status_edge_server_t *entry)
{
    ngx_http_status_edge_sentinel_ctx_t  *ctx = &ngx_http_status_edge_sentinel;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, ctx->log, 0,
                   "status_edge: asking the Sentinels of \"%V\"",
                   &entry->sentinel->set);

    if (ctx->next.timer_set) {
        ngx_del_timer(&ctx->next);
    }

    if (ctx->recheck.timer_set) {
        ngx_del_timer(&ctx->recheck);
    }

    ctx->entry = entry;
    ctx->asking = 0;
    ctx->tried = 0;
    ctx->checking = 0;

    ngx_http_status_edge_sentinel_question();
}


ngx_http_status_edge_server_t *
ngx_http_status_edge_sentinel_server(ngx_http_status_edge_server_t *entry)
{
    return &ngx_http_status_edge_sentinel.server;
}


void
ngx_http_status_edge_sentinel_stop(void)
{
    ngx_http_status_edge_sentinel_ctx_t  *ctx = &ngx_http_status_edge_sentinel;

    ctx->entry = NULL;
    ctx->subscribed = 0;

    if (ctx->next.timer_set) {
        ngx_del_timer(&ctx->next);
    }

    if (ctx->recheck.timer_set) {
        ngx_del_timer(&ctx->recheck);
    }

    ngx_http_status_edge_conn_close(&ctx->conn);
}


/* asks the Sentinel at ctx->asking of the entry's order */

static void
ngx_http_status_edge_sentinel_question(void)
{
    int                                   argc;
    const char                           *argv[3];
    size_t                                argvlen[3];
    ngx_str_t                             reason;
    ngx_uint_t                            i, n;
    ngx_http_status_edge_server_t        *s;
    ngx_http_status_edge_sentinel_t      *sentinel;
    ngx_http_status_edge_sentinel_ctx_t  *ctx = &ngx_http_status_edge_sentinel;

    sentinel = ctx->entry->sentinel;
    s = sentinel->order[ctx->asking];

    ctx->subscribed = 0;
    ctx->has_replica = 0;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, ctx->log, 0,
                   "status_edge: asking Sentinel \"%V\" of \"%V\"",
                   &s->name, &sentinel->set);

    if (ngx_http_status_edge_conn_open(&ctx->conn, s, NULL, ctx->smcf)
        != NGX_OK)
    {
        reason.data = ctx->conn.reason;
        reason.len = ctx->conn.reason_len;
        ngx_http_status_edge_sentinel_next("connect failed", &reason);
        return;
    }

    if (s->password.len) {
        argc = 0;
        argv[argc] = "AUTH";
        argvlen[argc++] = 4;

        if (s->user.len) {
            argv[argc] = (const char *) s->user.data;
            argvlen[argc++] = s->user.len;
        }

        argv[argc] = (const char *) s->password.data;
        argvlen[argc++] = s->password.len;

        if (ngx_http_status_edge_sentinel_send(argc, argv, argvlen,
                                        ngx_http_status_edge_sentinel_on_auth)
            != NGX_OK)
        {
            return;
        }
    }

    argv[0] = "SENTINEL";
    argvlen[0] = 8;
    argv[2] = (const char *) sentinel->set.data;
    argvlen[2] = sentinel->set.len;

    if (!sentinel->primary) {
        argv[1] = "replicas";
        argvlen[1] = 8;

        if (ngx_http_status_edge_sentinel_send(3, argv, argvlen,
                                    ngx_http_status_edge_sentinel_on_replicas)
            != NGX_OK)
        {
            return;
        }
    }

    argv[1] = "get-master-addr-by-name";
    argvlen[1] = sizeof("get-master-addr-by-name") - 1;

    if (ngx_http_status_edge_sentinel_send(3, argv, argvlen,
                                      ngx_http_status_edge_sentinel_on_master)
        != NGX_OK)
    {
        return;
    }

    /*
     * One channel a command: each SUBSCRIBE has one reply.  A role=primary
     * entry needs only the failovers; a replica's down, back, new or
     * following the new primary matters to role=replica.
     */

    n = sentinel->primary ? 1 : sizeof(ngx_http_status_edge_sentinel_channels)
                                / sizeof(ngx_str_t);

    argv[0] = "SUBSCRIBE";
    argvlen[0] = 9;

    for (i = 0; i < n; i++) {
        argv[1] = (const char *) ngx_http_status_edge_sentinel_channels[i].data;
        argvlen[1] = ngx_http_status_edge_sentinel_channels[i].len;

        if (ngx_http_status_edge_sentinel_send(2, argv, argvlen,
                                   ngx_http_status_edge_sentinel_on_subscribe)
            != NGX_OK)
        {
            return;
        }
    }
}


static ngx_int_t
ngx_http_status_edge_sentinel_send(int argc, const char **argv,
    size_t *argvlen, ngx_http_status_edge_conn_reply_pt handler)
{
    ngx_str_t                             reason;
    ngx_http_status_edge_sentinel_ctx_t  *ctx = &ngx_http_status_edge_sentinel;

    if (ngx_http_status_edge_conn_send(&ctx->conn, handler, ctx, argc, argv,
                                       argvlen)
        != NGX_OK)
    {
        ngx_str_set(&reason, "no memory");
        ngx_http_status_edge_sentinel_next("command failed", &reason);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * The Sentinel asked gave no usable answer: the next one is asked (from
 * the event loop); after a whole round, the link is told why, or, for a
 * subscription lost, a new round starts later.
 */

static void
ngx_http_status_edge_sentinel_next(const char *what, ngx_str_t *reason)
{
    ngx_uint_t                            n;
    ngx_str_t                            *why;
    ngx_http_status_edge_server_t        *s, *entry;
    ngx_http_status_edge_sentinel_ctx_t  *ctx = &ngx_http_status_edge_sentinel;

    entry = ctx->entry;
    s = entry->sentinel->order[ctx->asking];
    n = entry->sentinel->sentinels.nelts;

    ngx_http_status_edge_conn_close(&ctx->conn);

    ngx_log_error(NGX_LOG_INFO, ctx->log, 0,
                  "status_edge: Sentinel \"%V\" of \"%V\": %s%s%V",
                  &s->name, &entry->sentinel->set, what,
                  reason->len ? ": " : "", reason);

    ctx->tried++;
    ctx->asking = (ctx->asking + 1) % n;

    if (ctx->tried < n) {
        ngx_add_timer(&ctx->next, 1);
        return;
    }

    if (ctx->checking) {
        ctx->tried = 0;
        ngx_add_timer(&ctx->next, NGX_HTTP_STATUS_EDGE_SENTINEL_RETRY);
        return;
    }

    why = ngx_http_status_edge_sentinel_reason(
              "no Sentinel of \"%V\" names a server (the last, \"%V\": "
              "%s%s%V)", &entry->sentinel->set, &s->name, what,
              reason->len ? ": " : "", reason);

    ctx->found(entry, why);
}


static void
ngx_http_status_edge_sentinel_next_handler(ngx_event_t *ev)
{
    ngx_http_status_edge_sentinel_ctx_t  *ctx = ev->data;

    if (ctx->entry == NULL || ngx_exiting) {
        return;
    }

    ngx_http_status_edge_sentinel_question();
}


/*
 * A role=replica entry reading the primary for want of a healthy replica
 * asks its Sentinel again every few seconds: after a failover the other
 * replicas follow the new primary one by one, and the Sentinels that did
 * not lead it say so by no event (only their leader sends
 * +slave-reconf-done).  The same answer keeps the links.
 */

static void
ngx_http_status_edge_sentinel_recheck_handler(ngx_event_t *ev)
{
    ngx_http_status_edge_sentinel_ctx_t  *ctx = ev->data;

    if (ctx->entry == NULL || ngx_exiting || !ctx->subscribed
        || !ctx->is_primary || ctx->entry->sentinel->primary)
    {
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, ctx->log, 0,
                   "status_edge: no replica of \"%V\" read, asking again",
                   &ctx->entry->sentinel->set);

    ngx_http_status_edge_conn_close(&ctx->conn);

    ctx->checking = 1;
    ctx->rechecking = 1;
    ctx->subscribed = 0;
    ctx->tried = 0;
    ctx->asking = 0;

    ngx_http_status_edge_sentinel_question();
}


static void
ngx_http_status_edge_sentinel_error(ngx_http_status_edge_conn_t *conn,
    const char *what, ngx_str_t *reason)
{
    ngx_http_status_edge_sentinel_ctx_t  *ctx = conn->data;

    if (ctx->entry == NULL) {
        return;
    }

    if (!ctx->subscribed) {
        ngx_http_status_edge_sentinel_next(what, reason);
        return;
    }

    /* the subscription is lost: the next Sentinels are asked the same */

    ngx_log_error(NGX_LOG_INFO, ctx->log, 0,
                  "status_edge: Sentinel \"%V\" of \"%V\": %s%s%V; asking "
                  "the next", &ctx->entry->sentinel->order[0]->name,
                  &ctx->entry->sentinel->set, what,
                  reason->len ? ": " : "", reason);

    ctx->checking = 1;
    ctx->subscribed = 0;
    ctx->tried = 0;
    ctx->asking = 1 % ctx->entry->sentinel->sentinels.nelts;

    ngx_add_timer(&ctx->next, 1);
}


static void
ngx_http_status_edge_sentinel_on_auth(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    ngx_str_t  err;

    if (reply->type == REDIS_REPLY_ERROR) {
        err.data = (u_char *) reply->str;
        err.len = reply->len;
        ngx_http_status_edge_sentinel_next("AUTH refused", &err);
    }
}


/* the replica to read: healthy, and the least behind */

static void
ngx_http_status_edge_sentinel_on_replicas(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    int64_t                               offset, best;
    ngx_str_t                             err;
    ngx_uint_t                            i;
    redisReply                           *ip, *port;
    ngx_http_status_edge_sentinel_ctx_t  *ctx = data;

    if (reply->type == REDIS_REPLY_ERROR) {
        err.data = (u_char *) reply->str;
        err.len = reply->len;
        ngx_http_status_edge_sentinel_next("SENTINEL replicas refused", &err);
        return;
    }

    if (reply->type != REDIS_REPLY_ARRAY) {
        return;
    }

    best = -1;

    for (i = 0; i < reply->elements; i++) {
        if (!ngx_http_status_edge_sentinel_healthy(reply->element[i], &ip,
                                                    &port, &offset)
            || offset <= best)
        {
            continue;
        }

        if (ngx_http_status_edge_sentinel_addr(&ctx->replica, ip, port)
            == NGX_OK)
        {
            best = offset;
            ctx->has_replica = 1;
        }
    }
}


static void
ngx_http_status_edge_sentinel_on_master(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    ngx_str_t                             err;
    ngx_http_status_edge_sentinel_addr_t  primary;
    ngx_http_status_edge_sentinel_ctx_t  *ctx = data;

    if (reply->type == REDIS_REPLY_ERROR) {
        err.data = (u_char *) reply->str;
        err.len = reply->len;
        ngx_http_status_edge_sentinel_next("refused", &err);
        return;
    }

    if (reply->type == REDIS_REPLY_NIL
        || (reply->type == REDIS_REPLY_ARRAY && reply->elements == 0))
    {
        ngx_str_null(&err);
        ngx_http_status_edge_sentinel_next("does not know the set", &err);
        return;
    }

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2
        || ngx_http_status_edge_sentinel_addr(&primary, reply->element[0],
                                              reply->element[1])
           != NGX_OK)
    {
        ngx_str_set(&err, "not an IP address and port");
        ngx_http_status_edge_sentinel_next("an unexpected primary", &err);
        return;
    }

    if (ctx->has_replica) {
        ngx_http_status_edge_sentinel_answered(&ctx->replica, 0);

    } else {
        ngx_http_status_edge_sentinel_answered(&primary, 1);
    }
}


/* a Sentinel answered with addr */

static void
ngx_http_status_edge_sentinel_answered(
    ngx_http_status_edge_sentinel_addr_t *addr, ngx_uint_t primary)
{
    ngx_uint_t                            i, same, level;
    ngx_str_t                             name, *why;
    ngx_http_status_edge_server_t        *s, *entry;
    ngx_http_status_edge_sentinel_t      *sentinel;
    ngx_http_status_edge_sentinel_ctx_t  *ctx = &ngx_http_status_edge_sentinel;
    u_char                                text[NGX_SOCKADDR_STRLEN];

    entry = ctx->entry;
    sentinel = entry->sentinel;

    /* the Sentinel that answered is asked first next time */

    s = sentinel->order[ctx->asking];

    for (i = ctx->asking; i > 0; i--) {
        sentinel->order[i] = sentinel->order[i - 1];
    }

    sentinel->order[0] = s;
    ctx->asking = 0;
    ctx->subscribed = 1;

    name.data = text;
    name.len = ngx_sock_ntop(&addr->sockaddr.sockaddr, addr->socklen, text,
                             NGX_SOCKADDR_STRLEN, 1);

    same = (ctx->server.sockaddr != NULL
            && ctx->is_primary == primary
            && ngx_cmp_sockaddr(&addr->sockaddr.sockaddr, addr->socklen,
                                &ctx->named.sockaddr.sockaddr,
                                ctx->named.socklen, 1)
               == NGX_OK);

    if (primary && !sentinel->primary) {
        if (ctx->recheck.timer_set) {
            ngx_del_timer(&ctx->recheck);
        }

        ngx_add_timer(&ctx->recheck, NGX_HTTP_STATUS_EDGE_SENTINEL_RECHECK);
    }

    if (ctx->checking) {
        ctx->checking = 0;

        if (same) {
            level = ctx->rechecking ? NGX_LOG_DEBUG : NGX_LOG_INFO;

            ngx_log_error(level, ctx->log, 0,
                          "status_edge: Sentinel \"%V\" names %s %V of "
                          "\"%V\" still", &s->name,
                          primary ? "primary" : "replica", &name,
                          &sentinel->set);
            ctx->rechecking = 0;
            return;
        }

        ctx->rechecking = 0;

        why = ngx_http_status_edge_sentinel_reason(
                  "Sentinel \"%V\" names %s %V", &s->name,
                  primary ? "primary" : "replica", &name);

        ctx->moved(entry, why);
        return;
    }

    /* the data server named, a copy of the entry at its address */

    level = same ? NGX_LOG_INFO : NGX_LOG_NOTICE;

    ngx_log_error(level, ctx->log, 0,
                  "status_edge: Sentinel \"%V\" names %s %V of \"%V\"",
                  &s->name, primary ? "primary" : "replica", &name,
                  &sentinel->set);

    ctx->named = *addr;
    ctx->is_primary = primary;

    ngx_memcpy(ctx->name, text, name.len);

    ctx->server = *entry;
    ctx->server.name.data = ctx->name;
    ctx->server.name.len = name.len;
    ctx->server.sockaddr = &ctx->named.sockaddr.sockaddr;
    ctx->server.socklen = ctx->named.socklen;
    ctx->server.host.data = ctx->named.host;
    ctx->server.host.len = ctx->named.host_len;
    ctx->server.resolve = 0;

    ctx->found(entry, NULL);
}


static void
ngx_http_status_edge_sentinel_on_subscribe(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    ngx_http_status_edge_sentinel_ctx_t  *ctx = data;

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_WARN, ctx->log, 0,
                      "status_edge: Sentinel \"%V\" refused SUBSCRIBE: %*s; "
                      "its changes are seen at the next disconnect",
                      &ctx->entry->sentinel->order[0]->name,
                      reply->len, reply->str);

        ctx->subscribed = 0;
        ngx_http_status_edge_conn_close(conn);
    }
}


/*
 * "+switch-master NAME OLDIP OLDPORT NEWIP NEWPORT";
 * "+sdown slave IP:PORT IP PORT @ NAME MASTERIP MASTERPORT", "-sdown ...",
 * "+slave ..." and "+slave-reconf-done ..." alike.
 */

static void
ngx_http_status_edge_sentinel_on_message(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    ngx_str_t                             w[8], *why, *set;
    ngx_uint_t                            n;
    redisReply                           *channel, *payload;
    ngx_http_status_edge_sentinel_ctx_t  *ctx = data;

    if (ctx->entry == NULL || !ctx->subscribed
        || reply->type != REDIS_REPLY_ARRAY || reply->elements != 3)
    {
        return;
    }

    channel = reply->element[1];
    payload = reply->element[2];

    if (channel->type != REDIS_REPLY_STRING
        || payload->type != REDIS_REPLY_STRING)
    {
        return;
    }

    set = &ctx->entry->sentinel->set;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, ctx->log, 0,
                   "status_edge: Sentinel: %*s", channel->len, channel->str);

    n = ngx_http_status_edge_sentinel_words((u_char *) payload->str,
                                            payload->len, w, 8);

    if (ngx_http_status_edge_sentinel_is(channel, "+switch-master")) {
        if (n < 5 || w[0].len != set->len
            || ngx_strncmp(w[0].data, set->data, set->len) != 0)
        {
            return;
        }

        /* the links found the new primary already */

        if (ctx->is_primary
            && w[3].len == ctx->named.host_len
            && ngx_strncmp(w[3].data, ctx->named.host, w[3].len) == 0
            && ngx_atoi(w[4].data, w[4].len)
               == ngx_inet_get_port(&ctx->named.sockaddr.sockaddr))
        {
            return;
        }

    } else if (ngx_http_status_edge_sentinel_is(channel, "+sdown")) {

        /* the replica in use is down */

        if (ctx->is_primary || n < 6
            || w[2].len != ctx->named.host_len
            || ngx_strncmp(w[2].data, ctx->named.host, w[2].len) != 0
            || ngx_atoi(w[3].data, w[3].len)
               != ngx_inet_get_port(&ctx->named.sockaddr.sockaddr)
            || w[5].len != set->len
            || ngx_strncmp(w[5].data, set->data, set->len) != 0)
        {
            return;
        }

    } else if (ngx_http_status_edge_sentinel_is(channel, "-sdown")
               || ngx_http_status_edge_sentinel_is(channel, "+slave")
               || ngx_http_status_edge_sentinel_is(channel,
                                                   "+slave-reconf-done"))
    {
        /*
         * while the primary is read: a replica back, a new one, or one
         * that follows the new primary after a failover (until then the
         * new primary was the only healthy server)
         */

        if (!ctx->is_primary || n < 6
            || w[0].len != 5 || ngx_strncmp(w[0].data, "slave", 5) != 0
            || w[5].len != set->len
            || ngx_strncmp(w[5].data, set->data, set->len) != 0)
        {
            return;
        }

    } else {
        return;
    }

    why = ngx_http_status_edge_sentinel_reason(
              "Sentinel \"%V\": %*s %*s",
              &ctx->entry->sentinel->order[0]->name, channel->len,
              channel->str, payload->len, payload->str);

    ctx->moved(ctx->entry, why);
}


/* ROLE of the server named: what it was named as */

ngx_int_t
ngx_http_status_edge_sentinel_role(redisReply *reply, ngx_str_t *why)
{
    u_char                               *p, *last;
    redisReply                           *role;
    ngx_http_status_edge_sentinel_ctx_t  *ctx = &ngx_http_status_edge_sentinel;

    p = ctx->why;
    last = ctx->why + NGX_MAX_ERROR_STR;

    if (reply->type == REDIS_REPLY_ERROR) {
        p = ngx_slprintf(p, last, "ROLE refused: %*s", reply->len,
                         reply->str);
        goto wrong;
    }

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements == 0
        || reply->element[0]->type != REDIS_REPLY_STRING)
    {
        p = ngx_slprintf(p, last, "an unexpected reply to ROLE");
        goto wrong;
    }

    role = reply->element[0];

    if (!ngx_http_status_edge_sentinel_is(role,
                                          ctx->is_primary ? "master" : "slave"))
    {
        p = ngx_slprintf(p, last, "%V is not a %s (ROLE \"%*s\")",
                         &ctx->server.name,
                         ctx->is_primary ? "primary" : "replica",
                         role->len, role->str);
        goto wrong;
    }

    /* ["slave", ip, port, "connected", offset] */

    if (!ctx->is_primary
        && (reply->elements < 4
            || !ngx_http_status_edge_sentinel_is(reply->element[3],
                                                 "connected")))
    {
        p = ngx_slprintf(p, last, "replica %V is not connected to its "
                         "primary", &ctx->server.name);
        goto wrong;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, ctx->log, 0,
                   "status_edge: %V confirmed as %s", &ctx->server.name,
                   ctx->is_primary ? "primary" : "replica");

    return NGX_OK;

wrong:

    why->data = ctx->why;
    why->len = p - ctx->why;

    return NGX_ERROR;
}


/* the address in "ip" and "port" (an IP address: no resolving here) */

ngx_int_t
ngx_http_status_edge_sentinel_addr(ngx_http_status_edge_sentinel_addr_t *addr,
    redisReply *ip, redisReply *port)
{
    ngx_int_t             n;
    in_addr_t             inaddr;
    struct sockaddr_in   *sin;
#if (NGX_HAVE_INET6)
    struct sockaddr_in6  *sin6;
#endif

    if (ip->type != REDIS_REPLY_STRING || port->type != REDIS_REPLY_STRING
        || ip->len == 0 || ip->len >= NGX_SOCKADDR_STRLEN)
    {
        return NGX_ERROR;
    }

    n = ngx_atoi((u_char *) port->str, port->len);
    if (n < 1 || n > 65535) {
        return NGX_ERROR;
    }

    ngx_memzero(&addr->sockaddr, sizeof(ngx_sockaddr_t));

    inaddr = ngx_inet_addr((u_char *) ip->str, ip->len);

    if (inaddr != INADDR_NONE) {
        sin = &addr->sockaddr.sockaddr_in;
        sin->sin_family = AF_INET;
        sin->sin_addr.s_addr = inaddr;
        addr->socklen = sizeof(struct sockaddr_in);

#if (NGX_HAVE_INET6)
    } else if (ngx_inet6_addr((u_char *) ip->str, ip->len,
                              addr->sockaddr.sockaddr_in6.sin6_addr.s6_addr)
               == NGX_OK)
    {
        sin6 = &addr->sockaddr.sockaddr_in6;
        sin6->sin6_family = AF_INET6;
        addr->socklen = sizeof(struct sockaddr_in6);
#endif

    } else {
        return NGX_ERROR;
    }

    ngx_inet_set_port(&addr->sockaddr.sockaddr, (in_port_t) n);

    ngx_memcpy(addr->host, ip->str, ip->len);
    addr->host_len = ip->len;

    return NGX_OK;
}


/* one replica of SENTINEL replicas: a flat array of names and values */

static ngx_uint_t
ngx_http_status_edge_sentinel_healthy(redisReply *replica, redisReply **ip,
    redisReply **port, int64_t *offset)
{
    ngx_int_t    n;
    ngx_uint_t   i, link_ok;
    redisReply  *k, *v;

    if (replica->type != REDIS_REPLY_ARRAY) {
        return 0;
    }

    *ip = NULL;
    *port = NULL;
    *offset = 0;
    link_ok = 0;

    for (i = 0; i + 1 < replica->elements; i += 2) {
        k = replica->element[i];
        v = replica->element[i + 1];

        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) {
            return 0;
        }

        if (ngx_http_status_edge_sentinel_is(k, "ip")) {
            *ip = v;

        } else if (ngx_http_status_edge_sentinel_is(k, "port")) {
            *port = v;

        } else if (ngx_http_status_edge_sentinel_is(k, "flags")) {
            if (ngx_strnstr((u_char *) v->str, "s_down", v->len)
                || ngx_strnstr((u_char *) v->str, "o_down", v->len)
                || ngx_strnstr((u_char *) v->str, "disconnected", v->len))
            {
                return 0;
            }

        } else if (ngx_http_status_edge_sentinel_is(k, "master-link-status"))
        {
            link_ok = ngx_http_status_edge_sentinel_is(v, "ok");

        } else if (ngx_http_status_edge_sentinel_is(k, "slave-repl-offset")) {
            n = ngx_atoi((u_char *) v->str, v->len);
            *offset = (n == NGX_ERROR) ? 0 : n;
        }
    }

    return link_ok && *ip && *port;
}


static ngx_uint_t
ngx_http_status_edge_sentinel_is(redisReply *reply, const char *text)
{
    size_t  len;

    len = ngx_strlen(text);

    return reply->type == REDIS_REPLY_STRING && reply->len == len
           && ngx_strncmp(reply->str, text, len) == 0;
}


static ngx_uint_t
ngx_http_status_edge_sentinel_words(u_char *p, size_t len, ngx_str_t *words,
    ngx_uint_t n)
{
    u_char      *last, *start;
    ngx_uint_t   i;

    last = p + len;
    i = 0;

    while (p < last && i < n) {
        while (p < last && *p == ' ') {
            p++;
        }

        start = p;

        while (p < last && *p != ' ') {
            p++;
        }

        if (p > start) {
            words[i].data = start;
            words[i].len = p - start;
            i++;
        }
    }

    return i;
}


static ngx_str_t *
ngx_http_status_edge_sentinel_reason(const char *fmt, ...)
{
    u_char                               *p;
    va_list                               args;
    ngx_http_status_edge_sentinel_ctx_t  *ctx = &ngx_http_status_edge_sentinel;

    va_start(args, fmt);
    p = ngx_vslprintf(ctx->reason, ctx->reason + NGX_MAX_ERROR_STR, fmt, args);
    va_end(args);

    ctx->said.data = ctx->reason;
    ctx->said.len = p - ctx->reason;

    return &ctx->said;
}
