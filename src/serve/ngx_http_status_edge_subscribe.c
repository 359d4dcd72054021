
/*
 * status-edge: subscriptions by visitors (ngx_http_status_edge_subscribe.h).
 *
 * A subscription is read (se_subscribe_parse()), checked against the
 * components of the state served, and written pending, with the limits
 * of its address and its client, in one script on the writer's
 * connection (smcf->write); the notifier mails the link that confirms
 * it.  Confirming and unsubscribing check the link's signed token
 * (se_token_check()) before anything is written.  Bad input is answered
 * 400 naming what is wrong, and nothing is written.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#if (NGX_SSL)
#include <openssl/rand.h>
#endif

#include <hiredis/hiredis.h>
#include <jansson.h>

#include "ngx_http_status_edge_subscribe.h"
#include "ngx_http_status_edge_response.h"
#include "ngx_http_status_edge_publish.h"
#include "ngx_http_status_edge_conf_file.h"
#include "se_derive.h"
#include "se_html.h"
#include "se_lang.h"
#include "se_pool.h"
#include "se_state.h"
#include "se_subscribe.h"
#include "se_time.h"
#include "se_token.h"


#define NGX_HTTP_STATUS_EDGE_SECRET_MAX    4096
#define NGX_HTTP_STATUS_EDGE_ADDR_LIMIT    "3"        /* a day */
#define NGX_HTTP_STATUS_EDGE_CLIENT_LIMIT  "10"       /* an hour */
#define NGX_HTTP_STATUS_EDGE_ARG_MAX       1024

#ifndef NGX_HTTP_TOO_MANY_REQUESTS
#define NGX_HTTP_TOO_MANY_REQUESTS         429
#endif


typedef struct {
    const char                    *title;
    const char                    *text;
    const char                    *button;    /* a form: its button */
} ngx_http_status_edge_sub_msg_t;

typedef struct {
    ngx_http_request_t            *r;
    ngx_http_status_edge_sub_e     what;
    se_lang_e                      lang;
    ngx_str_t                      detail;    /* an address, an error */
    ngx_str_t                      id;
    ngx_str_t                      secret;    /* a webhook's, once */
    const char                    *mode;      /* "email", "webhook" */
} ngx_http_status_edge_sub_ctx_t;


static void ngx_http_status_edge_sub_cleanup(void *data);
static void ngx_http_status_edge_subscribe_body(ngx_http_request_t *r);
static ngx_int_t ngx_http_status_edge_subscribe_write(
    ngx_http_status_edge_sub_ctx_t *ctx, se_subscribe_req_t *req);
static void ngx_http_status_edge_subscribe_done(redisReply *reply,
    void *data);
static ngx_int_t ngx_http_status_edge_token_action(
    ngx_http_status_edge_sub_ctx_t *ctx);
static void ngx_http_status_edge_token_done(redisReply *reply, void *data);
static ngx_int_t ngx_http_status_edge_sub_answer(
    ngx_http_status_edge_sub_ctx_t *ctx, ngx_uint_t status,
    ngx_http_status_edge_msg_e msg);
static ngx_int_t ngx_http_status_edge_sub_json(
    ngx_http_status_edge_sub_ctx_t *ctx, ngx_uint_t status,
    ngx_http_status_edge_msg_e msg);
static ngx_int_t ngx_http_status_edge_sub_html(
    ngx_http_status_edge_sub_ctx_t *ctx, ngx_uint_t status,
    ngx_http_status_edge_msg_e msg);
static const char *ngx_http_status_edge_sub_arg(ngx_pool_t *pool,
    const char *fmt, ...);
static void ngx_http_status_edge_sub_random(u_char *buf, size_t n);
static u_char *ngx_http_status_edge_sub_id(ngx_pool_t *pool);


static const ngx_http_status_edge_sub_msg_t
    ngx_http_status_edge_sub_msgs[SE_LANG_N][NGX_HTTP_STATUS_EDGE_MSG_N] = {

    {
        { "Check your inbox",
          "We sent a link to confirm the subscription to ", NULL },
        { "The subscription was not made", "", NULL },
        { "Too many subscriptions",
          "Too many subscriptions from here or for this address: please "
          "try again later.", NULL },
        { "Subscriptions are unavailable",
          "Subscriptions are unavailable right now: please try again in a "
          "few minutes.", NULL },
        { "Subscribe with POST",
          "This address makes a subscription from a POST only: the status "
          "page's form, or POST /api/v2/subscribers.json with "
          "subscriber[email].", NULL },
        { "Confirm your subscription",
          "Confirm that this address should receive the status updates.",
          "Confirm" },
        { "You are subscribed",
          "You will receive the updates of incidents and maintenances.",
          NULL },
        { "Unsubscribe",
          "Stop the status updates to this address.", "Unsubscribe" },
        { "You are unsubscribed",
          "No more status updates will be sent to this address.", NULL },
        { "This link is not valid",
          "The link is broken or was not made by this status page.", NULL },
        { "This link has expired",
          "Confirmation links work for a day: please subscribe again.",
          NULL },
        { "No such subscription",
          "This subscription does not exist any more.", NULL }
    },

    {
        { "\xeb\xb0\x9b\xec\x9d\x80\xed\x8e\xb8\xec\xa7\x80\xed\x95\xa8\xec"
          "\x9d\x84 \xed\x99\x95\xec\x9d\xb8\xed\x95\x98\xec\x84\xb8\xec\x9a"
          "\x94",
          "\xea\xb5\xac\xeb\x8f\x85\xec\x9d\x84 \xed\x99\x95\xec\x9d\xb8"
          "\xed\x95\x98\xeb\x8a\x94 \xeb\xa7\x81\xed\x81\xac\xeb\xa5\xbc "
          "\xeb\xb3\xb4\xeb\x83\x88\xec\x8a\xb5\xeb\x8b\x88\xeb\x8b\xa4: ",
          NULL },
        { "\xea\xb5\xac\xeb\x8f\x85\xed\x95\x98\xec\xa7\x80 \xeb\xaa\xbb"
          "\xed\x96\x88\xec\x8a\xb5\xeb\x8b\x88\xeb\x8b\xa4", "", NULL },
        { "\xea\xb5\xac\xeb\x8f\x85 \xec\x9a\x94\xec\xb2\xad\xec\x9d\xb4 "
          "\xeb\x84\x88\xeb\xac\xb4 \xeb\xa7\x8e\xec\x8a\xb5\xeb\x8b\x88"
          "\xeb\x8b\xa4",
          "\xec\x9e\xa0\xec\x8b\x9c \xed\x9b\x84\xec\x97\x90 \xeb\x8b\xa4"
          "\xec\x8b\x9c \xec\x8b\x9c\xeb\x8f\x84\xed\x95\x98\xec\x84\xb8"
          "\xec\x9a\x94.", NULL },
        { "\xec\xa7\x80\xea\xb8\x88\xec\x9d\x80 \xea\xb5\xac\xeb\x8f\x85"
          "\xed\x95\xa0 \xec\x88\x98 \xec\x97\x86\xec\x8a\xb5\xeb\x8b\x88"
          "\xeb\x8b\xa4",
          "\xeb\xaa\x87 \xeb\xb6\x84 \xed\x9b\x84\xec\x97\x90 \xeb\x8b\xa4"
          "\xec\x8b\x9c \xec\x8b\x9c\xeb\x8f\x84\xed\x95\x98\xec\x84\xb8"
          "\xec\x9a\x94.", NULL },
        { "POST\xeb\xa1\x9c \xea\xb5\xac\xeb\x8f\x85\xed\x95\x98\xec\x84\xb8"
          "\xec\x9a\x94",
          "\xec\x9d\xb4 \xec\xa3\xbc\xec\x86\x8c\xeb\x8a\x94 POST "
          "\xec\x9a\x94\xec\xb2\xad\xec\x9c\xbc\xeb\xa1\x9c\xeb\xa7\x8c "
          "\xea\xb5\xac\xeb\x8f\x85\xec\x9d\x84 \xeb\xa7\x8c\xeb\x93\xad"
          "\xeb\x8b\x88\xeb\x8b\xa4.", NULL },
        { "\xea\xb5\xac\xeb\x8f\x85 \xed\x99\x95\xec\x9d\xb8",
          "\xec\x9d\xb4 \xec\xa3\xbc\xec\x86\x8c\xeb\xa1\x9c \xec\x83\x81"
          "\xed\x83\x9c \xec\x97\x85\xeb\x8d\xb0\xec\x9d\xb4\xed\x8a\xb8"
          "\xeb\xa5\xbc \xeb\xb0\x9b\xec\x9c\xbc\xec\x8b\x9c\xea\xb2\xa0"
          "\xec\x8a\xb5\xeb\x8b\x88\xea\xb9\x8c?",
          "\xed\x99\x95\xec\x9d\xb8" },
        { "\xea\xb5\xac\xeb\x8f\x85\xeb\x90\x98\xec\x97\x88\xec\x8a\xb5"
          "\xeb\x8b\x88\xeb\x8b\xa4",
          "\xec\x9e\xa5\xec\x95\xa0\xec\x99\x80 \xec\xa0\x90\xea\xb2\x80 "
          "\xec\x86\x8c\xec\x8b\x9d\xec\x9d\x84 \xeb\xb3\xb4\xeb\x82\xb4 "
          "\xeb\x93\x9c\xeb\xa6\xbd\xeb\x8b\x88\xeb\x8b\xa4.", NULL },
        { "\xec\x88\x98\xec\x8b\xa0 \xea\xb1\xb0\xeb\xb6\x80",
          "\xec\x9d\xb4 \xec\xa3\xbc\xec\x86\x8c\xeb\xa1\x9c \xec\x83\x81"
          "\xed\x83\x9c \xec\x97\x85\xeb\x8d\xb0\xec\x9d\xb4\xed\x8a\xb8"
          "\xeb\xa5\xbc \xea\xb7\xb8\xeb\xa7\x8c \xeb\xb0\x9b\xec\x8a\xb5"
          "\xeb\x8b\x88\xeb\x8b\xa4.",
          "\xec\x88\x98\xec\x8b\xa0 \xea\xb1\xb0\xeb\xb6\x80" },
        { "\xec\x88\x98\xec\x8b\xa0 \xea\xb1\xb0\xeb\xb6\x80\xeb\x90\x98"
          "\xec\x97\x88\xec\x8a\xb5\xeb\x8b\x88\xeb\x8b\xa4",
          "\xeb\x8d\x94 \xec\x9d\xb4\xec\x83\x81 \xec\x83\x81\xed\x83\x9c "
          "\xec\x97\x85\xeb\x8d\xb0\xec\x9d\xb4\xed\x8a\xb8\xeb\xa5\xbc "
          "\xeb\xb3\xb4\xeb\x82\xb4\xec\xa7\x80 \xec\x95\x8a\xec\x8a\xb5"
          "\xeb\x8b\x88\xeb\x8b\xa4.", NULL },
        { "\xec\x9c\xa0\xed\x9a\xa8\xed\x95\x98\xec\xa7\x80 \xec\x95\x8a"
          "\xec\x9d\x80 \xeb\xa7\x81\xed\x81\xac\xec\x9e\x85\xeb\x8b\x88"
          "\xeb\x8b\xa4", "", NULL },
        { "\xeb\xa7\x8c\xeb\xa3\x8c\xeb\x90\x9c \xeb\xa7\x81\xed\x81\xac"
          "\xec\x9e\x85\xeb\x8b\x88\xeb\x8b\xa4",
          "\xeb\x8b\xa4\xec\x8b\x9c \xea\xb5\xac\xeb\x8f\x85\xed\x95\x98"
          "\xec\x84\xb8\xec\x9a\x94.", NULL },
        { "\xea\xb5\xac\xeb\x8f\x85\xec\x9d\xb4 \xec\x97\x86\xec\x8a\xb5"
          "\xeb\x8b\x88\xeb\x8b\xa4", "", NULL }
    }
};

static ngx_str_t  ngx_http_status_edge_sub_csp =
    ngx_string("default-src 'none'; style-src 'self'; form-action 'self'; "
               "base-uri 'none'; frame-ancestors 'none'");

static ngx_str_t  ngx_http_status_edge_sub_html_type =
    ngx_string("text/html");

static ngx_str_t  ngx_http_status_edge_sub_json_type =
    ngx_string("application/json");

static ngx_str_t  ngx_http_status_edge_sub_post = ngx_string("POST");

static ngx_str_t  ngx_http_status_edge_sub_get_post =
    ngx_string("GET, HEAD, POST");


/* configuration */

char *
ngx_http_status_edge_subscribe_secret(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_status_edge_main_conf_t *smcf = conf;

    u_char     *text;
    size_t      len;
    ngx_str_t  *value, name;

    if (smcf->subscribe_secret.data) {
        return "is duplicate";
    }

    value = cf->args->elts;
    name = value[1];

    if (ngx_http_status_edge_conf_read_file(cf, &name,
                                  NGX_HTTP_STATUS_EDGE_SECRET_MAX + 2,
                                  "subscription secret", cf->pool, &text,
                                  &len)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r')) {
        len--;
    }

    if (len < 16 || len > NGX_HTTP_STATUS_EDGE_SECRET_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "the subscription secret in \"%V\" is too %s "
                           "(16 to %d bytes; make one with: openssl rand "
                           "-hex 32)", &name, len < 16 ? "short" : "long",
                           NGX_HTTP_STATUS_EDGE_SECRET_MAX);
        return NGX_CONF_ERROR;
    }

    smcf->subscribe_secret.data = text;
    smcf->subscribe_secret.len = len;
    smcf->variants.subscribe = 1;

    return NGX_CONF_OK;
}


ngx_uint_t
ngx_http_status_edge_subscribe_enabled(ngx_http_request_t *r)
{
    ngx_http_status_edge_main_conf_t  *smcf;

    smcf = ngx_http_get_module_main_conf(r, ngx_http_status_edge_module);

    return smcf->subscribe_secret.len != 0;
}


/* requests */

ngx_int_t
ngx_http_status_edge_subscribe_handler(ngx_http_request_t *r,
    ngx_http_status_edge_sub_e what)
{
    ngx_int_t                        rc;
    ngx_pool_cleanup_t              *cln;
    ngx_http_status_edge_sub_ctx_t  *ctx;

    if (!ngx_http_status_edge_subscribe_enabled(r)) {
        return NGX_HTTP_NOT_FOUND;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_status_edge_sub_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->r = r;
    ctx->what = what;
    ctx->lang = ngx_http_status_edge_request_lang(r);

    if (ngx_http_status_edge_add_no_store(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (what == NGX_HTTP_STATUS_EDGE_SUB_CONFIRM
        || what == NGX_HTTP_STATUS_EDGE_SUB_UNSUBSCRIBE)
    {
        rc = ngx_http_status_edge_method(r,
                 NGX_HTTP_GET|NGX_HTTP_HEAD|NGX_HTTP_POST,
                 &ngx_http_status_edge_sub_get_post);
        if (rc != NGX_OK) {
            return rc;
        }

        return ngx_http_status_edge_token_action(ctx);
    }

    if (r->method != NGX_HTTP_POST) {

        /* a GET never writes, whatever its arguments say */

        rc = ngx_http_status_edge_method(r, NGX_HTTP_POST,
                                         &ngx_http_status_edge_sub_post);
        if (rc != NGX_HTTP_NOT_ALLOWED) {
            return rc;
        }

        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "status_edge: subscribe: not a POST, 405");

        return ngx_http_status_edge_sub_answer(ctx, NGX_HTTP_NOT_ALLOWED,
                                          NGX_HTTP_STATUS_EDGE_MSG_USE_POST);
    }

    /*
     * The module's context slot is the banner filter's: the body
     * handler finds the subscription by its pool cleanup instead.
     */
    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln->handler = ngx_http_status_edge_sub_cleanup;
    cln->data = ctx;

    r->request_body_in_single_buf = 1;

    rc = ngx_http_read_client_request_body(r,
                                       ngx_http_status_edge_subscribe_body);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


/* a marker: the subscription of the request is its data */
static void
ngx_http_status_edge_sub_cleanup(void *data)
{
}


static void
ngx_http_status_edge_subscribe_body(ngx_http_request_t *r)
{
    u_char                          *body, *p;
    size_t                           len;
    ngx_int_t                        rc;
    ngx_str_t                        type;
    ngx_chain_t                     *cl;
    ngx_pool_cleanup_t              *cln;
    se_subscribe_req_t               req;
    ngx_http_status_edge_sub_ctx_t  *ctx;

    ctx = NULL;

    for (cln = r->pool->cleanup; cln; cln = cln->next) {
        if (cln->handler == ngx_http_status_edge_sub_cleanup) {
            ctx = cln->data;
            break;
        }
    }

    if (ctx == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    len = 0;
    body = NULL;

    if (r->request_body && r->request_body->bufs) {
        for (cl = r->request_body->bufs; cl; cl = cl->next) {
            if (cl->buf->in_file) {
                len = SE_SUBSCRIBE_MAX_BODY + 1;
                break;
            }

            len += cl->buf->last - cl->buf->pos;
        }
    }

    if (len > SE_SUBSCRIBE_MAX_BODY) {
        ngx_str_set(&ctx->detail, "the request is too large");
        ngx_http_finalize_request(r, ngx_http_status_edge_sub_answer(ctx,
                                  NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                  NGX_HTTP_STATUS_EDGE_MSG_BAD));
        return;
    }

    body = ngx_pnalloc(r->pool, len + 1);
    if (body == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    p = body;

    for (cl = r->request_body ? r->request_body->bufs : NULL; cl;
         cl = cl->next)
    {
        p = ngx_cpymem(p, cl->buf->pos, cl->buf->last - cl->buf->pos);
    }

    ngx_str_null(&type);

    if (r->headers_in.content_type) {
        type = r->headers_in.content_type->value;
    }

    rc = se_subscribe_parse((const char *) type.data, type.len,
                            (const char *) body, len, &req);

    if (rc != SE_OK) {
        ctx->detail.len = ngx_strlen(req.err);
        ctx->detail.data = ngx_pnalloc(r->pool, ctx->detail.len);

        if (ctx->detail.data) {
            ngx_memcpy(ctx->detail.data, req.err, ctx->detail.len);
        }

        se_subscribe_free(&req);

        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "status_edge: subscribe: %V", &ctx->detail);

        ngx_http_finalize_request(r, ngx_http_status_edge_sub_answer(ctx,
                                  rc == SE_DECLINED
                                  ? NGX_HTTP_UNSUPPORTED_MEDIA_TYPE
                                  : NGX_HTTP_BAD_REQUEST,
                                  NGX_HTTP_STATUS_EDGE_MSG_BAD));
        return;
    }

    rc = ngx_http_status_edge_subscribe_write(ctx, &req);
    se_subscribe_free(&req);

    if (rc != NGX_DONE) {
        ngx_http_finalize_request(r, rc);
    }
}


/* the component ids must name components of the state served */
static ngx_int_t
ngx_http_status_edge_subscribe_check(ngx_http_status_edge_sub_ctx_t *ctx,
    se_subscribe_req_t *req)
{
    size_t                            i, n;
    const se_model_t                 *m;
    ngx_http_status_edge_snapshot_t  *snap;
    ngx_http_status_edge_loc_conf_t  *slcf;

    slcf = ngx_http_get_module_loc_conf(ctx->r, ngx_http_status_edge_module);

    snap = ngx_http_status_edge_request_acquire(ctx->r, slcf->source);
    if (snap == NULL) {
        return NGX_DECLINED;
    }

    m = se_state_model(snap->state);

    for (i = 0; i < req->ncomponents; i++) {
        n = ngx_strlen(req->components[i]);

        if (se_model_component(m, req->components[i], n) == NULL) {
            ctx->detail.data = ngx_pnalloc(ctx->r->pool, n + 24);
            if (ctx->detail.data == NULL) {
                return NGX_ERROR;
            }

            ctx->detail.len = ngx_sprintf(ctx->detail.data,
                                          "unknown component \"%*s\"", n,
                                          req->components[i])
                              - ctx->detail.data;
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_status_edge_subscribe_write(ngx_http_status_edge_sub_ctx_t *ctx,
    se_subscribe_req_t *req)
{
    int                                argc;
    u_char                            *p, *comps, secret[24], *hex, *stored;
    size_t                             i, len;
    ngx_int_t                          rc;
    const char                        *argv[40];
    ngx_str_t                          target;
    ngx_http_request_t                *r;
    ngx_http_status_edge_loc_conf_t   *slcf;
    ngx_http_status_edge_main_conf_t  *smcf;
    char                               now[SE_TIME_LEN];

    r = ctx->r;

    rc = ngx_http_status_edge_subscribe_check(ctx, req);

    if (rc == NGX_DECLINED) {
        return ngx_http_status_edge_sub_answer(ctx,
                   NGX_HTTP_SERVICE_UNAVAILABLE,
                   NGX_HTTP_STATUS_EDGE_MSG_UNAVAILABLE);
    }

    if (rc != NGX_OK) {
        return ngx_http_status_edge_sub_answer(ctx, NGX_HTTP_BAD_REQUEST,
                                               NGX_HTTP_STATUS_EDGE_MSG_BAD);
    }

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_status_edge_module);
    smcf = ngx_http_get_module_main_conf(r, ngx_http_status_edge_module);

    if (smcf->write == NULL) {
        return ngx_http_status_edge_sub_answer(ctx,
                   NGX_HTTP_SERVICE_UNAVAILABLE,
                   NGX_HTTP_STATUS_EDGE_MSG_UNAVAILABLE);
    }

    ctx->id.data = ngx_http_status_edge_sub_id(r->pool);
    if (ctx->id.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->id.len = ngx_strlen(ctx->id.data);

    ctx->mode = req->endpoint ? "webhook" : "email";
    target.len = ngx_strlen(req->endpoint ? req->endpoint : req->email);
    target.data = (u_char *) (req->endpoint ? req->endpoint : req->email);

    stored = ngx_pnalloc(r->pool, target.len + 1);
    if (stored == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    *ngx_cpymem(stored, target.data, target.len) = '\0';

    /* the answer names the address the link goes to */
    ctx->detail.len = ngx_strlen(req->email);
    ctx->detail.data = ngx_pnalloc(r->pool, ctx->detail.len);
    if (ctx->detail.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(ctx->detail.data, req->email, ctx->detail.len);

    len = 1;
    for (i = 0; i < req->ncomponents; i++) {
        len += ngx_strlen(req->components[i]) + 1;
    }

    comps = ngx_pnalloc(r->pool, len);
    if (comps == NULL || ctx->detail.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = comps;
    for (i = 0; i < req->ncomponents; i++) {
        if (i) {
            *p++ = ',';
        }

        p = ngx_cpymem(p, req->components[i],
                       ngx_strlen(req->components[i]));
    }

    *p = '\0';

    se_time_format(ngx_time(), now);

    argc = 0;
    argv[argc++] = "EVAL";
    argv[argc++] = se_subscribe_add_lua;
    argv[argc++] = "0";
    argv[argc++] = ngx_http_status_edge_sub_arg(r->pool, "%V", &slcf->prefix);
    argv[argc++] = (const char *) ctx->id.data;
    argv[argc++] = ngx_http_status_edge_sub_arg(r->pool, "%s %V",
                                      req->endpoint ? "webhook" : "email",
                                      &target);
    argv[argc++] = ngx_http_status_edge_sub_arg(r->pool, "%T", ngx_time());
    argv[argc++] = "channel";
    argv[argc++] = req->endpoint ? "webhook" : "email";
    argv[argc++] = "target";
    argv[argc++] = (const char *) stored;
    argv[argc++] = "email";
    argv[argc++] = req->email;
    argv[argc++] = "components";
    argv[argc++] = (const char *) comps;
    argv[argc++] = "audience";
    argv[argc++] = "public";
    argv[argc++] = "lang";
    argv[argc++] = se_lang_name(ctx->lang);
    argv[argc++] = "state";
    argv[argc++] = "pending";
    argv[argc++] = "created_at";
    argv[argc++] = ngx_http_status_edge_sub_arg(r->pool, "%s", now);
    argv[argc++] = "source";
    argv[argc++] = ctx->what == NGX_HTTP_STATUS_EDGE_SUB_API ? "api"
                                                             : "form";

    if (req->endpoint) {
        hex = ngx_pnalloc(r->pool, 2 * sizeof(secret) + 1);
        if (hex == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_http_status_edge_sub_random(secret, sizeof(secret));
        *ngx_hex_dump(hex, secret, sizeof(secret)) = '\0';

        ctx->secret.data = hex;
        ctx->secret.len = 2 * sizeof(secret);

        argv[argc++] = "secret";
        argv[argc++] = (const char *) hex;
    }

    argv[argc++] = "LIMIT";
    argv[argc++] = ngx_http_status_edge_sub_arg(r->pool,
                                      "%Vsubscribe:limit:address:%s",
                                      &slcf->prefix, req->email);
    argv[argc++] = NGX_HTTP_STATUS_EDGE_ADDR_LIMIT;
    argv[argc++] = "86400";
    argv[argc++] = "LIMIT";
    argv[argc++] = ngx_http_status_edge_sub_arg(r->pool,
                                      "%Vsubscribe:limit:client:%V",
                                      &slcf->prefix,
                                      &r->connection->addr_text);
    argv[argc++] = NGX_HTTP_STATUS_EDGE_CLIENT_LIMIT;
    argv[argc++] = "3600";

    for (i = 0; i < (size_t) argc; i++) {
        if (argv[i] == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (smcf->write(smcf, argc, argv, NULL,
                    ngx_http_status_edge_subscribe_done, ctx)
        != NGX_OK)
    {
        return ngx_http_status_edge_sub_answer(ctx,
                   NGX_HTTP_SERVICE_UNAVAILABLE,
                   NGX_HTTP_STATUS_EDGE_MSG_UNAVAILABLE);
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "status_edge: subscribe: writing %V for %V", &ctx->id,
                   &ctx->detail);

    return NGX_DONE;
}


static void
ngx_http_status_edge_subscribe_done(redisReply *reply, void *data)
{
    ngx_http_status_edge_sub_ctx_t *ctx = data;

    ngx_int_t            rc;
    long long            code;
    ngx_http_request_t  *r;

    r = ctx->r;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements != 2
        || reply->element[0]->type != REDIS_REPLY_INTEGER)
    {
        rc = ngx_http_status_edge_sub_answer(ctx,
                 NGX_HTTP_SERVICE_UNAVAILABLE,
                 NGX_HTTP_STATUS_EDGE_MSG_UNAVAILABLE);
        ngx_http_finalize_request(r, rc);
        return;
    }

    code = reply->element[0]->integer;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "status_edge: subscribe: script answered %L", code);

    if (code < 0) {
        rc = ngx_http_status_edge_sub_answer(ctx, NGX_HTTP_TOO_MANY_REQUESTS,
                                          NGX_HTTP_STATUS_EDGE_MSG_LIMIT);

    } else {
        /* a target subscribed already is answered alike, without the
         * secret made for nothing; a pending one gets its link again */
        if (code == 0) {
            ctx->secret.len = 0;
        }

        rc = ngx_http_status_edge_sub_answer(ctx,
                 ctx->what == NGX_HTTP_STATUS_EDGE_SUB_API
                 ? NGX_HTTP_CREATED : NGX_HTTP_OK,
                 NGX_HTTP_STATUS_EDGE_MSG_PENDING);
    }

    ngx_http_finalize_request(r, rc);
}


/* confirm?token=T and unsubscribe?token=T */
static ngx_int_t
ngx_http_status_edge_token_action(ngx_http_status_edge_sub_ctx_t *ctx)
{
    int                                argc, purpose;
    size_t                             idlen;
    ngx_int_t                          rc;
    ngx_str_t                          token;
    const char                        *argv[6], *id;
    ngx_http_request_t                *r;
    ngx_http_status_edge_loc_conf_t   *slcf;
    ngx_http_status_edge_main_conf_t  *smcf;
    char                               now[SE_TIME_LEN];

    r = ctx->r;
    smcf = ngx_http_get_module_main_conf(r, ngx_http_status_edge_module);
    slcf = ngx_http_get_module_loc_conf(r, ngx_http_status_edge_module);

    purpose = ctx->what == NGX_HTTP_STATUS_EDGE_SUB_CONFIRM
              ? SE_TOKEN_CONFIRM : SE_TOKEN_UNSUBSCRIBE;

    if (ngx_http_arg(r, (u_char *) "token", 5, &token) != NGX_OK) {
        ngx_str_null(&token);
    }

    rc = se_token_check(purpose, (const char *) token.data, token.len,
                        (int64_t) ngx_time(), smcf->subscribe_secret.data,
                        smcf->subscribe_secret.len, &id, &idlen);

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "status_edge: %s token: %i",
                   purpose == SE_TOKEN_CONFIRM ? "confirm" : "unsubscribe",
                   rc);

    if (rc == SE_TOKEN_FORGED) {
        return ngx_http_status_edge_sub_answer(ctx, NGX_HTTP_BAD_REQUEST,
                                          NGX_HTTP_STATUS_EDGE_MSG_FORGED);
    }

    if (rc == SE_TOKEN_EXPIRED) {
        return ngx_http_status_edge_sub_answer(ctx, 410,
                                          NGX_HTTP_STATUS_EDGE_MSG_EXPIRED);
    }

    /* a GET (a mail scanner following links too) only asks */

    if (r->method != NGX_HTTP_POST) {
        return ngx_http_status_edge_sub_answer(ctx, NGX_HTTP_OK,
                   purpose == SE_TOKEN_CONFIRM
                   ? NGX_HTTP_STATUS_EDGE_MSG_CONFIRM_ASK
                   : NGX_HTTP_STATUS_EDGE_MSG_UNSUB_ASK);
    }

    if (smcf->write == NULL) {
        return ngx_http_status_edge_sub_answer(ctx,
                   NGX_HTTP_SERVICE_UNAVAILABLE,
                   NGX_HTTP_STATUS_EDGE_MSG_UNAVAILABLE);
    }

    ctx->id.len = idlen;
    ctx->id.data = ngx_pnalloc(r->pool, idlen + 1);
    if (ctx->id.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    *ngx_cpymem(ctx->id.data, id, idlen) = '\0';

    se_time_format(ngx_time(), now);

    argc = 0;
    argv[argc++] = "EVAL";
    argv[argc++] = purpose == SE_TOKEN_CONFIRM ? se_subscribe_confirm_lua
                                               : se_subscribe_remove_lua;
    argv[argc++] = "0";
    argv[argc++] = ngx_http_status_edge_sub_arg(r->pool, "%V", &slcf->prefix);
    argv[argc++] = (const char *) ctx->id.data;
    argv[argc++] = ngx_http_status_edge_sub_arg(r->pool, "%s", now);

    if (argv[3] == NULL || argv[5] == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (smcf->write(smcf, argc, argv, NULL,
                    ngx_http_status_edge_token_done, ctx)
        != NGX_OK)
    {
        return ngx_http_status_edge_sub_answer(ctx,
                   NGX_HTTP_SERVICE_UNAVAILABLE,
                   NGX_HTTP_STATUS_EDGE_MSG_UNAVAILABLE);
    }

    r->main->count++;

    return NGX_DONE;
}


static void
ngx_http_status_edge_token_done(redisReply *reply, void *data)
{
    ngx_http_status_edge_sub_ctx_t *ctx = data;

    ngx_int_t                   rc;
    ngx_http_status_edge_msg_e  msg;

    if (reply == NULL || reply->type != REDIS_REPLY_INTEGER) {
        rc = ngx_http_status_edge_sub_answer(ctx,
                 NGX_HTTP_SERVICE_UNAVAILABLE,
                 NGX_HTTP_STATUS_EDGE_MSG_UNAVAILABLE);
        ngx_http_finalize_request(ctx->r, rc);
        return;
    }

    if (ctx->what == NGX_HTTP_STATUS_EDGE_SUB_UNSUBSCRIBE) {
        /* gone already is gone: the same answer */
        msg = NGX_HTTP_STATUS_EDGE_MSG_UNSUBSCRIBED;

    } else {
        msg = reply->integer ? NGX_HTTP_STATUS_EDGE_MSG_CONFIRMED
                             : NGX_HTTP_STATUS_EDGE_MSG_GONE;
    }

    rc = ngx_http_status_edge_sub_answer(ctx,
             msg == NGX_HTTP_STATUS_EDGE_MSG_GONE ? NGX_HTTP_NOT_FOUND
                                                  : NGX_HTTP_OK, msg);

    ngx_http_finalize_request(ctx->r, rc);
}


/* answers */

static ngx_int_t
ngx_http_status_edge_sub_answer(ngx_http_status_edge_sub_ctx_t *ctx,
    ngx_uint_t status, ngx_http_status_edge_msg_e msg)
{
    ngx_http_status_edge_stats.subscribe[msg]++;

    if (ctx->what == NGX_HTTP_STATUS_EDGE_SUB_API) {
        return ngx_http_status_edge_sub_json(ctx, status, msg);
    }

    return ngx_http_status_edge_sub_html(ctx, status, msg);
}


static ngx_int_t
ngx_http_status_edge_sub_send(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *type, char *data, size_t len)
{
    u_char  *p;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        se_free(data);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(p, data, len);
    se_free(data);

    r->headers_out.status = status;

    return ngx_http_status_edge_send_data(r, type, p, len);
}


static ngx_int_t
ngx_http_status_edge_sub_json(ngx_http_status_edge_sub_ctx_t *ctx,
    ngx_uint_t status, ngx_http_status_edge_msg_e msg)
{
    char                                  *s;
    json_t                                *o;
    const ngx_http_status_edge_sub_msg_t  *m;

    m = &ngx_http_status_edge_sub_msgs[SE_LANG_EN][msg];

    if (msg == NGX_HTTP_STATUS_EDGE_MSG_PENDING) {
        o = json_pack("{s:{s:s%, s:s, s:s, s:s, s:s?}}",
                      "subscriber",
                      "id", ctx->id.data, ctx->id.len,
                      "state", "pending",
                      "mode", ctx->mode ? ctx->mode : "email",
                      "message", "check the inbox of the address to confirm",
                      "secret", ctx->secret.len ? (char *) ctx->secret.data
                                                : NULL);

    } else {
        o = json_pack("{s:{s:s, s:s%}}", "error", "message", m->title,
                      "detail", ctx->detail.data ? (char *) ctx->detail.data
                                                 : (char *) m->text,
                      ctx->detail.data ? ctx->detail.len
                                       : ngx_strlen(m->text));
    }

    if (o == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    s = json_dumps(o, JSON_COMPACT);
    json_decref(o);

    if (s == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_status_edge_sub_send(ctx->r, status,
                                         &ngx_http_status_edge_sub_json_type,
                                         s, ngx_strlen(s));
}


static ngx_int_t
ngx_http_status_edge_sub_html(ngx_http_status_edge_sub_ctx_t *ctx,
    ngx_uint_t status, ngx_http_status_edge_msg_e msg)
{
    size_t                                 len;
    ngx_str_t                              key, token;
    se_html_buf_t                          b;
    ngx_http_request_t                    *r;
    ngx_http_status_edge_main_conf_t      *smcf;
    const ngx_http_status_edge_sub_msg_t  *m;

    r = ctx->r;
    m = &ngx_http_status_edge_sub_msgs[ctx->lang][msg];
    smcf = ngx_http_get_module_main_conf(r, ngx_http_status_edge_module);

    ngx_str_set(&key, "Content-Security-Policy");

    if (ngx_http_status_edge_add_header(r, &key,
                                        &ngx_http_status_edge_sub_csp)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    se_html_buf_init(&b);

    se_html_str(&b, "<!DOCTYPE html>\n<html lang=\"");
    se_html_str(&b, se_lang_name(ctx->lang));
    se_html_str(&b, "\"><head><meta charset=\"utf-8\"><meta "
                "name=\"viewport\" content=\"width=device-width, "
                "initial-scale=1\"><title>");
    se_html_str(&b, m->title);
    se_html_str(&b, "</title><link rel=\"stylesheet\" href=\"");
    se_html_attr(&b, (const char *) smcf->variants.css_url,
                 ngx_strlen(smcf->variants.css_url));
    se_html_str(&b, "\"></head>\n<body><main id=\"main\" class=\"wrap "
                "subscription\"><h1>");
    se_html_str(&b, m->title);
    se_html_str(&b, "</h1>\n<p id=\"message\">");
    se_html_str(&b, m->text);

    if (ctx->detail.len
        && (msg == NGX_HTTP_STATUS_EDGE_MSG_PENDING
            || msg == NGX_HTTP_STATUS_EDGE_MSG_BAD))
    {
        se_html_text(&b, (const char *) ctx->detail.data, ctx->detail.len);
        se_html_str(&b, msg == NGX_HTTP_STATUS_EDGE_MSG_PENDING ? "." : "");
    }

    se_html_str(&b, "</p>\n");

    if (ctx->secret.len) {
        se_html_str(&b, "<p>Signing secret of the webhook: <code "
                    "id=\"secret\">");
        se_html_text(&b, (const char *) ctx->secret.data, ctx->secret.len);
        se_html_str(&b, "</code></p>\n");
    }

    if (m->button && ngx_http_arg(r, (u_char *) "token", 5, &token)
                     == NGX_OK)
    {
        se_html_str(&b, "<form method=\"post\" action=\"?token=");
        se_html_attr(&b, (const char *) token.data, token.len);
        se_html_str(&b, "\"><button type=\"submit\">");
        se_html_str(&b, m->button);
        se_html_str(&b, "</button></form>\n");
    }

    se_html_str(&b, "<p><a href=\"./\">");
    se_html_str(&b, se_lang_labels(ctx->lang)->link);
    se_html_str(&b, "</a></p></main></body></html>\n");

    if (b.failed) {
        se_html_buf_free(&b);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    len = b.len;

    return ngx_http_status_edge_sub_send(r, status,
                                         &ngx_http_status_edge_sub_html_type,
                                         se_html_buf_take(&b, &len), len);
}


/* a NUL-terminated argument of at most NGX_HTTP_STATUS_EDGE_ARG_MAX */
static const char *
ngx_http_status_edge_sub_arg(ngx_pool_t *pool, const char *fmt, ...)
{
    u_char   *p;
    va_list   args;

    p = ngx_pnalloc(pool, NGX_HTTP_STATUS_EDGE_ARG_MAX + 1);
    if (p == NULL) {
        return NULL;
    }

    va_start(args, fmt);
    *ngx_vslprintf(p, p + NGX_HTTP_STATUS_EDGE_ARG_MAX, fmt, args) = '\0';
    va_end(args);

    return (const char *) p;
}


/* randomness: OpenSSL's where nginx has it */
static void
ngx_http_status_edge_sub_random(u_char *buf, size_t n)
{
    size_t  i;

#if (NGX_SSL)
    if (RAND_bytes(buf, (int) n) == 1) {
        return;
    }
#endif

    for (i = 0; i < n; i++) {
        buf[i] = (u_char) ngx_random();
    }
}


/* "sub-" and 8 of [a-z0-9] */
static u_char *
ngx_http_status_edge_sub_id(ngx_pool_t *pool)
{
    u_char      *id, rnd[8];
    ngx_uint_t   i;

    static const char  abc[] = "abcdefghijklmnopqrstuvwxyz0123456789";

    id = ngx_pnalloc(pool, sizeof("sub-") + sizeof(rnd));
    if (id == NULL) {
        return NULL;
    }

    ngx_http_status_edge_sub_random(rnd, sizeof(rnd));

    ngx_memcpy(id, "sub-", 4);

    for (i = 0; i < sizeof(rnd); i++) {
        id[4 + i] = abc[rnd[i] % 36];
    }

    id[4 + sizeof(rnd)] = '\0';

    return id;
}
