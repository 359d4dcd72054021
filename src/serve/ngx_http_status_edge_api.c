
/*
 * status-edge: the Statuspage v2 JSON endpoints and the metrics handler.
 * A request costs a lookup and a pointer to bytes rendered at load time.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_api.h"
#include "ngx_http_status_edge_response.h"
#include "ngx_http_status_edge_publish.h"
#include "ngx_http_status_edge_render_text.h"
#include "ngx_http_status_edge_render_uptime.h"
#include "ngx_http_status_edge_subscribe.h"
#include "se_core.h"
#include "se_state.h"
#include "se_valid.h"


#define NGX_HTTP_STATUS_EDGE_CALLBACK_MAX  128


static ngx_uint_t ngx_http_status_edge_api_subscribers(
    ngx_http_request_t *r);
static ngx_int_t ngx_http_status_edge_api_doc(ngx_http_request_t *r,
    se_doc_e *doc, ngx_str_t *id);
static ngx_int_t ngx_http_status_edge_api_path(u_char *p, u_char *last,
    se_doc_e *doc, ngx_str_t *id);
static ngx_int_t ngx_http_status_edge_callback(ngx_http_request_t *r,
    ngx_str_t *callback);
static ngx_int_t ngx_http_status_edge_error(ngx_http_request_t *r,
    ngx_uint_t status, ngx_uint_t endpoint, ngx_str_t *body,
    ngx_str_t *type);
static ngx_int_t ngx_http_status_edge_etag(ngx_http_request_t *r,
    ngx_str_t *etag, ngx_str_t *callback);
static u_char *ngx_http_status_edge_label(u_char *p, u_char *last,
    ngx_str_t *value);


static ngx_str_t  ngx_http_status_edge_text_type = ngx_string("text/plain");
static ngx_str_t  ngx_http_status_edge_json_type =
    ngx_string("application/json");
static ngx_str_t  ngx_http_status_edge_js_type =
    ngx_string("application/javascript");
static ngx_str_t  ngx_http_status_edge_metrics_type =
    ngx_string("text/plain; version=0.0.4");
static ngx_str_t  ngx_http_status_edge_utf8 = ngx_string("utf-8");

static ngx_str_t  ngx_http_status_edge_cc_key = ngx_string("Cache-Control");
static ngx_str_t  ngx_http_status_edge_api_allow =
    ngx_string("If-None-Match, Last-Event-ID, Cache-Control");

static ngx_str_t  ngx_http_status_edge_not_found =
    ngx_string("{\"error\":\"not found\"}");
static ngx_str_t  ngx_http_status_edge_not_allowed =
    ngx_string("{\"error\":\"method not allowed\"}");
static ngx_str_t  ngx_http_status_edge_bad_callback =
    ngx_string("{\"error\":\"callback must be a JavaScript identifier\"}");
static ngx_str_t  ngx_http_status_edge_unknown =
    ngx_string("{\"error\":\"status unknown: no state loaded from Redis "
               "yet\",\"status\":{\"indicator\":\"unknown\","
               "\"description\":\"Status Unknown\"}}");
/* the label of each answer, in the order of ngx_http_status_edge_msg_e */
static const char  *ngx_http_status_edge_sub_answers[] = {
    "subscribed", "invalid", "limited", "unavailable", "not_post",
    "confirm_asked", "confirmed", "unsubscribe_asked", "unsubscribed",
    "forged", "expired", "gone"
};

typedef char  ngx_http_status_edge_sub_answers_all[
    sizeof(ngx_http_status_edge_sub_answers) / sizeof(char *)
    == NGX_HTTP_STATUS_EDGE_MSG_N ? 1 : -1];

static ngx_str_t  ngx_http_status_edge_text_unknown =
    ngx_string("Status unknown: no state loaded from Redis yet\n");


ngx_int_t
ngx_http_status_edge_api_handler(ngx_http_request_t *r)
{
    off_t                              length;
    se_doc_e                           doc;
    ngx_int_t                          rc, what;
    ngx_str_t                          callback, *type, id, *etag;
    ngx_buf_t                         *b, *head, *tail;
    ngx_chain_t                        out[3];
    const char                        *bytes;
    size_t                             len;
    ngx_http_status_edge_doc_t        *uptime;
    ngx_http_status_edge_snapshot_t   *snap;
    ngx_http_status_edge_loc_conf_t   *slcf;

    if (ngx_http_status_edge_api_subscribers(r)
        && ngx_http_status_edge_subscribe_enabled(r))
    {
        return ngx_http_status_edge_subscribe_handler(r,
                                            NGX_HTTP_STATUS_EDGE_SUB_API);
    }

    rc = ngx_http_status_edge_method(r, NGX_HTTP_GET|NGX_HTTP_HEAD
                                        |NGX_HTTP_OPTIONS, NULL);

    if (rc == NGX_HTTP_NOT_ALLOWED) {
        return ngx_http_status_edge_error(r, NGX_HTTP_NOT_ALLOWED,
                                          NGX_HTTP_STATUS_EDGE_EP_NOT_FOUND,
                                          &ngx_http_status_edge_not_allowed,
                                          &ngx_http_status_edge_json_type);
    }

    if (rc != NGX_OK) {
        return rc;
    }

    what = ngx_http_status_edge_api_doc(r, &doc, &id);
    rc = what;

    if (rc == NGX_DECLINED) {
        return ngx_http_status_edge_error(r, NGX_HTTP_NOT_FOUND,
                                          NGX_HTTP_STATUS_EDGE_EP_NOT_FOUND,
                                          &ngx_http_status_edge_not_found,
                                          &ngx_http_status_edge_json_type);
    }

    if (r->method == NGX_HTTP_OPTIONS) {
        return ngx_http_status_edge_options(r,
                                            &ngx_http_status_edge_api_allow);
    }

    if (rc == NGX_DONE) {
        return ngx_http_status_edge_text_handler(r);
    }

    rc = ngx_http_status_edge_callback(r, &callback);
    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_DECLINED) {
        return ngx_http_status_edge_error(r, NGX_HTTP_BAD_REQUEST,
                                          NGX_HTTP_STATUS_EDGE_EP_NOT_FOUND,
                                          &ngx_http_status_edge_bad_callback,
                                          &ngx_http_status_edge_json_type);
    }

    /*
     * The documents have no Last-Modified: as RFC 9110 says, a date
     * condition is ignored, and If-None-Match alone decides.
     */
    r->headers_in.if_modified_since = NULL;
    r->headers_in.if_unmodified_since = NULL;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_status_edge_module);

    snap = ngx_http_status_edge_request_acquire(r, slcf->source);
    if (snap == NULL) {
        return ngx_http_status_edge_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                        NGX_HTTP_STATUS_EDGE_EP_UNAVAILABLE,
                                        &ngx_http_status_edge_unknown,
                                        &ngx_http_status_edge_json_type);
    }

    etag = &snap->etag;

    if (what == NGX_AGAIN) {
        uptime = ngx_http_status_edge_uptime_doc(snap, id.data, id.len);

        if (uptime == NULL) {
            return ngx_http_status_edge_error(r, NGX_HTTP_NOT_FOUND,
                                          NGX_HTTP_STATUS_EDGE_EP_NOT_FOUND,
                                          &ngx_http_status_edge_not_found,
                                          &ngx_http_status_edge_json_type);
        }

        /* it changes at midnight too: its own content ETag */
        etag = &uptime->etag;
        bytes = (const char *) uptime->data;
        len = uptime->len;
        ngx_http_status_edge_stats.requests[
            NGX_HTTP_STATUS_EDGE_EP_UPTIME]++;

    } else {
        bytes = se_state_doc(snap->state, doc, &len);
        ngx_http_status_edge_stats.requests[doc]++;
    }

    if (ngx_http_status_edge_etag(r, etag, &callback) != NGX_OK
        || ngx_http_status_edge_add_header(r,
                                           &ngx_http_status_edge_cc_key,
                                           &slcf->cache_control)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the snapshot stays referenced until the request pool is destroyed */
    b->pos = (u_char *) bytes;
    b->last = (u_char *) bytes + len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    length = len;
    type = &ngx_http_status_edge_json_type;

    out[0].buf = b;
    out[0].next = NULL;

    if (callback.len) {
        head = ngx_create_temp_buf(r->pool, callback.len + 1);
        tail = ngx_calloc_buf(r->pool);
        if (head == NULL || tail == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        head->last = ngx_cpymem(head->pos, callback.data, callback.len);
        *head->last++ = '(';

        tail->pos = (u_char *) ");";
        tail->last = tail->pos + 2;
        tail->memory = 1;
        tail->last_buf = b->last_buf;
        tail->last_in_chain = 1;

        b->last_buf = 0;
        b->last_in_chain = 0;

        out[0].buf = head;
        out[0].next = &out[1];
        out[1].buf = b;
        out[1].next = &out[2];
        out[2].buf = tail;
        out[2].next = NULL;

        length += callback.len + 3;
        type = &ngx_http_status_edge_js_type;
    }

    return ngx_http_status_edge_api_send(r, type, out, length);
}


/*
 * NGX_OK: a JSON document, NGX_AGAIN: components/ID/uptime.json (*id),
 * NGX_DONE: status.txt, NGX_DECLINED: none
 */

static ngx_int_t
ngx_http_status_edge_api_doc(ngx_http_request_t *r, se_doc_e *doc,
    ngx_str_t *id)
{
    u_char  *p, *last;

    last = r->uri.data + r->uri.len;

    if (ngx_http_status_edge_location_rest(r, &p) == NGX_OK && p < last) {

        while (p < last && *p == '/') {
            p++;
        }

        return ngx_http_status_edge_api_path(p, last, doc, id);
    }

    /* regex or exact locations: the longest known endpoint suffix */

    for (p = r->uri.data; p < last; p++) {
        if (*p == '/'
            && ngx_http_status_edge_api_path(p + 1, last, doc, id)
               != NGX_DECLINED)
        {
            return ngx_http_status_edge_api_path(p + 1, last, doc, id);
        }
    }

    return NGX_DECLINED;
}


/* API/subscribers.json: Statuspage's subscription endpoint */
static ngx_uint_t
ngx_http_status_edge_api_subscribers(ngx_http_request_t *r)
{
    static ngx_str_t  name = ngx_string("/subscribers.json");

    return r->uri.len >= name.len
           && ngx_strncmp(r->uri.data + r->uri.len - name.len, name.data,
                          name.len) == 0;
}


static ngx_int_t
ngx_http_status_edge_api_path(u_char *p, u_char *last, se_doc_e *doc,
    ngx_str_t *id)
{
    u_char  *slash;

    if (last - p > (ssize_t) (sizeof("components//uptime.json") - 1)
        && ngx_strncmp(p, "components/", sizeof("components/") - 1) == 0
        && ngx_strncmp(last - (sizeof("/uptime.json") - 1), "/uptime.json",
                       sizeof("/uptime.json") - 1) == 0)
    {
        id->data = p + sizeof("components/") - 1;
        slash = last - (sizeof("/uptime.json") - 1);
        id->len = slash - id->data;

        return se_valid_id((const char *) id->data, id->len) == SE_OK
               ? NGX_AGAIN : NGX_DECLINED;
    }

    if (last - p == sizeof("status.txt") - 1
        && ngx_strncmp(p, "status.txt", sizeof("status.txt") - 1) == 0)
    {
        return NGX_DONE;
    }

    return se_doc_from_path((const char *) p, last - p, doc) == SE_OK
           ? NGX_OK : NGX_DECLINED;
}


/*
 * status.txt, for GET and HEAD: the state's text with its content ETag
 * and the location's Cache-Control, as the JSON documents have theirs;
 * the status page answers with it too
 */

ngx_int_t
ngx_http_status_edge_text_handler(ngx_http_request_t *r)
{
    ngx_str_t                         key;
    ngx_http_status_edge_doc_t       *text;
    ngx_http_status_edge_snapshot_t  *snap;
    ngx_http_status_edge_loc_conf_t  *slcf;

    r->headers_in.if_modified_since = NULL;
    r->headers_in.if_unmodified_since = NULL;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_status_edge_module);

    snap = ngx_http_status_edge_request_acquire(r, slcf->source);
    text = snap ? ngx_http_status_edge_text(snap) : NULL;

    if (text == NULL) {
        return ngx_http_status_edge_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                        NGX_HTTP_STATUS_EDGE_EP_UNAVAILABLE,
                                        &ngx_http_status_edge_text_unknown,
                                        &ngx_http_status_edge_text_type);
    }

    ngx_http_status_edge_stats.requests[NGX_HTTP_STATUS_EDGE_EP_TEXT]++;

    ngx_str_set(&key, "Cache-Control");

    if (ngx_http_status_edge_set_etag(r, &text->etag) != NGX_OK
        || ngx_http_status_edge_add_header(r, &key, &slcf->cache_control)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_status_edge_send_data(r, &ngx_http_status_edge_text_type,
                                          text->data, text->len);
}


/* NGX_OK with callback->len 0 when absent, NGX_DECLINED when invalid */

static ngx_int_t
ngx_http_status_edge_callback(ngx_http_request_t *r, ngx_str_t *callback)
{
    u_char      c;
    ngx_uint_t  i;

    callback->len = 0;
    callback->data = NULL;

    if (r->args.len == 0
        || ngx_http_arg(r, (u_char *) "callback", 8, callback) != NGX_OK)
    {
        callback->len = 0;
        return NGX_OK;
    }

    if (callback->len == 0
        || callback->len > NGX_HTTP_STATUS_EDGE_CALLBACK_MAX)
    {
        return NGX_DECLINED;
    }

    for (i = 0; i < callback->len; i++) {
        c = callback->data[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
            || c == '$' || (i > 0 && c >= '0' && c <= '9'))
        {
            continue;
        }

        return NGX_DECLINED;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_status_edge_error(ngx_http_request_t *r, ngx_uint_t status,
    ngx_uint_t endpoint, ngx_str_t *body, ngx_str_t *type)
{
    ngx_str_t  key, value;

    ngx_http_status_edge_stats.requests[endpoint]++;

    if (ngx_http_status_edge_add_no_store(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (status == NGX_HTTP_SERVICE_UNAVAILABLE) {
        ngx_str_set(&key, "Retry-After");
        ngx_str_set(&value, "5");

        if (ngx_http_status_edge_add_header(r, &key, &value) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (status == NGX_HTTP_NOT_ALLOWED) {
        ngx_str_set(&key, "Allow");
        ngx_str_set(&value, "GET, HEAD, OPTIONS");

        if (ngx_http_status_edge_add_header(r, &key, &value) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    r->headers_out.status = status;

    return ngx_http_status_edge_send_data(r, type, body->data, body->len);
}


/* strong ETag: the document's, or with "-<callback>" before the quote */

static ngx_int_t
ngx_http_status_edge_etag(ngx_http_request_t *r, ngx_str_t *etag,
    ngx_str_t *callback)
{
    u_char     *p;
    ngx_str_t   value;

    if (callback->len == 0) {
        return ngx_http_status_edge_set_etag(r, etag);
    }

    p = ngx_pnalloc(r->pool, etag->len + 1 + callback->len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    value.data = p;
    p = ngx_cpymem(p, etag->data, etag->len - 1);
    *p++ = '-';
    p = ngx_cpymem(p, callback->data, callback->len);
    *p++ = '"';
    value.len = p - value.data;

    return ngx_http_status_edge_set_etag(r, &value);
}


ngx_int_t
ngx_http_status_edge_metrics_handler(ngx_http_request_t *r)
{
    size_t                              size;
    time_t                              age;
    uint64_t                            version;
    ngx_int_t                           rc;
    ngx_uint_t                          i, j, n, e, stale, nworkers;
    ngx_buf_t                          *b;
    ngx_str_t                           name, address, role;
    ngx_chain_t                         out;
    ngx_http_status_edge_lease_t        lease;
    ngx_http_status_edge_page_stats_t  *pages, *page;
    ngx_http_status_edge_source_t     **sources, *source;
    ngx_http_status_edge_main_conf_t   *smcf;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    ngx_http_status_edge_stats.requests[NGX_HTTP_STATUS_EDGE_EP_METRICS]++;

    smcf = ngx_http_get_module_main_conf(r, ngx_http_status_edge_module);

    sources = smcf->sources.elts;
    n = smcf->sources.nelts;

    /*
     * The instance's figures are the zone's, the same whichever worker
     * answers; without a zone, this worker's own.
     */

    if (ngx_http_status_edge_reader_lease(&lease) != NGX_OK) {
        ngx_memzero(&lease, sizeof(ngx_http_status_edge_lease_t));
        lease.connected = ngx_http_status_edge_stats.connected;
        lease.reconnects = ngx_http_status_edge_stats.reconnects;
        lease.tracking = ngx_http_status_edge_stats.tracking;
        lease.error_replies = ngx_http_status_edge_stats.error_replies;
        lease.stale_replicas = ngx_http_status_edge_stats.stale_replicas;
    }

    pages = ngx_pcalloc(r->pool,
                        (n + 1) * sizeof(ngx_http_status_edge_page_stats_t));
    if (pages == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    nworkers = 0;

    for (i = 0; i < n; i++) {
        page = &pages[i];

        if (ngx_http_status_edge_reader_page(sources[i], page, r->pool)
            != NGX_OK)
        {
            page->loads = sources[i]->loads;
            page->load_errors = sources[i]->load_errors;
            page->loaded_at = sources[i]->loaded_at;
            page->stale = sources[i]->stale;
            page->holding = sources[i]->holding;
            page->holds = sources[i]->holds;
        }

        nworkers += page->nworkers;
    }

    size = 4608 + n * (10 * (2 * NGX_HTTP_STATUS_EDGE_PREFIX_MAX + 96))
           + nworkers * (2 * NGX_HTTP_STATUS_EDGE_PREFIX_MAX + 96)
           + 2 * NGX_HTTP_STATUS_EDGE_ADDRESS_MAX
           + (NGX_HTTP_STATUS_EDGE_EP_N + NGX_HTTP_STATUS_EDGE_MSG_N) * 128;

    b = ngx_create_temp_buf(r->pool, size);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

#define ngx_http_status_edge_help(b, metric, type, help)                     \
    b->last = ngx_sprintf(b->last, "# HELP " metric " " help "\n"            \
                          "# TYPE " metric " " type "\n")

    ngx_http_status_edge_help(b, "status_edge_state_version", "gauge",
                              "Pversion of the state served by this worker");
    ngx_http_status_edge_help(b, "status_edge_state_age_seconds", "gauge",
                              "seconds since the last successful load, "
                              "-1 before the first");
    ngx_http_status_edge_help(b, "status_edge_state_stale", "gauge",
                              "1 while the last known state is served "
                              "without Redis");
    ngx_http_status_edge_help(b, "status_edge_bad_records", "gauge",
                              "records and fields skipped in this state");
    ngx_http_status_edge_help(b, "status_edge_trimmed_records", "gauge",
                              "resolved records past the history cap left "
                              "out of this state");
    ngx_http_status_edge_help(b, "status_edge_loads_total", "counter",
                              "snapshots read from Redis");
    ngx_http_status_edge_help(b, "status_edge_load_errors_total", "counter",
                              "snapshots that failed");
    ngx_http_status_edge_help(b, "status_edge_zone_full_total", "counter",
                              "states read but not served: no room for "
                              "them in status_edge_shm_size");
    ngx_http_status_edge_help(b, "status_edge_state_held", "gauge",
                              "1 while the state read from Redis is held "
                              "back: it would go backwards");
    ngx_http_status_edge_help(b, "status_edge_state_held_total", "counter",
                              "states read from Redis and held back, lower "
                              "than the one served or empty after it");

    for (i = 0; i < n; i++) {
        source = sources[i];
        page = &pages[i];

        version = source->current ? se_state_version(source->current->state)
                                : 0;
        age = page->loaded_at ? ngx_time() - page->loaded_at : -1;
        stale = (source->current == NULL || page->stale || !lease.connected);


#define ngx_http_status_edge_metric(b, metric, fmt, value)                   \
        b->last = ngx_cpymem(b->last, metric "{page=\"",                     \
                             sizeof(metric "{page=\"") - 1);                 \
        b->last = ngx_http_status_edge_label(b->last, b->end,               \
                                             &source->prefix);               \
        b->last = ngx_sprintf(b->last, "\"} " fmt "\n", value)

        ngx_http_status_edge_metric(b, "status_edge_state_version", "%uL",
                                    version);
        ngx_http_status_edge_metric(b, "status_edge_state_age_seconds", "%T",
                                    age);
        ngx_http_status_edge_metric(b, "status_edge_state_stale", "%ui",
                                    stale);
        ngx_http_status_edge_metric(b, "status_edge_bad_records", "%ui",
                                    source->bad_records);
        ngx_http_status_edge_metric(b, "status_edge_trimmed_records", "%uL",
                                    source->trimmed_records);
        ngx_http_status_edge_metric(b, "status_edge_loads_total", "%ui",
                                    page->loads);
        ngx_http_status_edge_metric(b, "status_edge_load_errors_total", "%ui",
                                    page->load_errors);
        ngx_http_status_edge_metric(b, "status_edge_zone_full_total", "%ui",
                                    page->zone_full);
        ngx_http_status_edge_metric(b, "status_edge_state_held", "%ui",
                                    page->holding);
        ngx_http_status_edge_metric(b, "status_edge_state_held_total", "%ui",
                                    page->holds);
    }

    ngx_http_status_edge_help(b, "status_edge_worker_version", "gauge",
                              "Pversion of the state each worker serves");

    for (i = 0; i < n; i++) {
        page = &pages[i];

        for (j = 0; j < page->nworkers; j++) {
            if (page->workers[j].pid == 0) {
                continue;
            }

            b->last = ngx_cpymem(b->last, "status_edge_worker_version{page=\"",
                             sizeof("status_edge_worker_version{page=\"") - 1);
            b->last = ngx_http_status_edge_label(b->last, b->end,
                                                 &sources[i]->prefix);
            b->last = ngx_sprintf(b->last, "\",worker=\"%P\"} %uL\n",
                                  page->workers[j].pid,
                                  page->workers[j].version);
        }
    }

    ngx_http_status_edge_help(b, "status_edge_reader_pid", "gauge",
                              "the worker that reads Redis for this nginx, "
                              "0 while none does");
    ngx_http_status_edge_help(b, "status_edge_reader_changes_total",
                              "counter", "times a worker took the reader's "
                              "lease");
    ngx_http_status_edge_help(b, "status_edge_redis_info", "gauge",
                              "the Redis address the reader reads, and its "
                              "role");

    address.data = lease.address;
    address.len = lease.address_len;
    role.data = lease.role;
    role.len = lease.role_len;

    if (role.len == 0) {
        ngx_str_set(&role, "unknown");
    }

    b->last = ngx_sprintf(b->last, "status_edge_reader_pid %P\n"
                          "status_edge_reader_changes_total %ui\n"
                          "status_edge_redis_info{address=\"",
                          lease.pid, lease.generation);
    b->last = ngx_http_status_edge_label(b->last, b->end, &address);
    b->last = ngx_cpymem(b->last, "\",role=\"", sizeof("\",role=\"") - 1);
    b->last = ngx_http_status_edge_label(b->last, b->end, &role);
    b->last = ngx_sprintf(b->last, "\"} %d\n", address.len ? 1 : 0);

    ngx_http_status_edge_help(b, "status_edge_redis_connected", "gauge",
                              "1 while the reader of this nginx is "
                              "connected to Redis (the same in every "
                              "worker)");
    ngx_http_status_edge_help(b, "status_edge_redis_reconnects_total",
                              "counter", "reconnects to Redis of this "
                              "nginx's readers");
    ngx_http_status_edge_help(b, "status_edge_redis_tracking", "gauge",
                              "1 while Redis pushes the changes (CLIENT "
                              "TRACKING), 0: Pversion is polled");
    ngx_http_status_edge_help(b, "status_edge_redis_error_replies_total",
                              "counter", "error replies (LOADING, BUSY, "
                              "NOPERM, ...) that moved to the next address");
    ngx_http_status_edge_help(b, "status_edge_redis_stale_replicas_total",
                              "counter", "replicas found with their link to "
                              "the primary down");
    ngx_http_status_edge_help(b, "status_edge_requests_total", "counter",
                              "requests served per endpoint");

    b->last = ngx_sprintf(b->last,
                          "status_edge_redis_connected{worker=\"%P\"} %ui\n"
                          "status_edge_redis_reconnects_total{worker=\"%P\"}"
                          " %ui\n"
                          "status_edge_redis_tracking{worker=\"%P\"} %ui\n"
                          "status_edge_redis_error_replies_total"
                          "{worker=\"%P\"} %ui\n"
                          "status_edge_redis_stale_replicas_total"
                          "{worker=\"%P\"} %ui\n",
                          ngx_pid, lease.connected,
                          ngx_pid, lease.reconnects,
                          ngx_pid, lease.tracking,
                          ngx_pid, lease.error_replies,
                          ngx_pid, lease.stale_replicas);

    ngx_http_status_edge_help(b, "status_edge_events_streams", "gauge",
                              "event streams open in this worker");
    ngx_http_status_edge_help(b, "status_edge_events_refused_total",
                              "counter", "event streams refused by "
                              "status_edge_events_max, told to retry");

    b->last = ngx_sprintf(b->last,
                          "status_edge_events_streams{worker=\"%P\"} %ui\n"
                          "status_edge_events_refused_total{worker=\"%P\"}"
                          " %ui\n",
                          ngx_pid, ngx_http_status_edge_stats.events_open,
                          ngx_pid, ngx_http_status_edge_stats.events_refused);

    ngx_http_status_edge_help(b, "status_edge_subscribe_answers_total",
                              "counter", "answers of the subscription "
                              "endpoints: the form, the API, the links of "
                              "the mails");

    for (i = 0; i < NGX_HTTP_STATUS_EDGE_MSG_N; i++) {
        b->last = ngx_sprintf(b->last,
                              "status_edge_subscribe_answers_total"
                              "{answer=\"%s\",worker=\"%P\"} %ui\n",
                              ngx_http_status_edge_sub_answers[i], ngx_pid,
                              ngx_http_status_edge_stats.subscribe[i]);
    }

    for (e = 0; e < NGX_HTTP_STATUS_EDGE_EP_N; e++) {
        switch (e) {
        case NGX_HTTP_STATUS_EDGE_EP_NOT_FOUND:
            ngx_str_set(&name, "error");
            break;
        case NGX_HTTP_STATUS_EDGE_EP_UNAVAILABLE:
            ngx_str_set(&name, "unavailable");
            break;
        case NGX_HTTP_STATUS_EDGE_EP_METRICS:
            ngx_str_set(&name, "metrics");
            break;
        case NGX_HTTP_STATUS_EDGE_EP_GATE:
            ngx_str_set(&name, "gate");
            break;
        case NGX_HTTP_STATUS_EDGE_EP_BADGE:
            ngx_str_set(&name, "badge");
            break;
        case NGX_HTTP_STATUS_EDGE_EP_PAGE:
            ngx_str_set(&name, "page");
            break;
        case NGX_HTTP_STATUS_EDGE_EP_FEED:
            ngx_str_set(&name, "feed");
            break;
        case NGX_HTTP_STATUS_EDGE_EP_WIDGET:
            ngx_str_set(&name, "widget");
            break;
        case NGX_HTTP_STATUS_EDGE_EP_EVENTS:
            ngx_str_set(&name, "events");
            break;
        case NGX_HTTP_STATUS_EDGE_EP_TEXT:
            ngx_str_set(&name, "text");
            break;
        case NGX_HTTP_STATUS_EDGE_EP_UPTIME:
            ngx_str_set(&name, "uptime");
            break;
        default:
            name.data = (u_char *) se_doc_name((se_doc_e) e);
            name.len = ngx_strlen(name.data);
        }

        b->last = ngx_sprintf(b->last,
                              "status_edge_requests_total{endpoint=\"%V\","
                              "worker=\"%P\"} %uA\n",
                              &name, ngx_pid,
                              ngx_http_status_edge_stats.requests[e]);
    }

#undef ngx_http_status_edge_help
#undef ngx_http_status_edge_metric

    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_type = ngx_http_status_edge_metrics_type;
    r->headers_out.content_type_len = sizeof("text/plain") - 1;
    r->headers_out.charset = ngx_http_status_edge_utf8;
    r->headers_out.content_length_n = b->last - b->pos;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    return ngx_http_output_filter(r, &out);
}


/* a Prometheus label value: backslash, quote and newline escaped */

static u_char *
ngx_http_status_edge_label(u_char *p, u_char *last, ngx_str_t *value)
{
    ngx_uint_t  i;

    for (i = 0; i < value->len && p + 2 < last; i++) {
        if (value->data[i] == '\\' || value->data[i] == '"') {
            *p++ = '\\';
        }

        *p++ = value->data[i];
    }

    return p;
}
