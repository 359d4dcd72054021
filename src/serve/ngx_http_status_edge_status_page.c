
/*
 * status-edge: the dedicated status page (status_edge_status_page) and
 * its feeds.  Everything is rendered once per state in the build thread
 * (ngx_http_status_edge_status_page_render()); a request picks a language and
 * points at ready bytes:
 *
 *   LOCATION/              the page (Accept-Language: en or ko)
 *   LOCATION/history.atom  Atom feed
 *   LOCATION/history.rss   RSS 2.0 feed
 *   LOCATION/status.css    the stylesheet (content-hash ETag, long cache)
 *   LOCATION/subscribe, confirm, unsubscribe
 *                          subscriptions (ngx_http_status_edge_subscribe.c)
 *
 * Anything else under the location is 404.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_status_page.h"
#include "ngx_http_status_edge_response.h"
#include "ngx_http_status_edge_publish.h"
#include "ngx_http_status_edge_render_status_page.h"
#include "ngx_http_status_edge_conf_file.h"
#include "ngx_http_status_edge_api.h"
#include "ngx_http_status_edge_subscribe.h"
#include "se_lang.h"
#include "se_state.h"
#include "se_page.h"
#include "se_page_css.h"
#include "se_page_tpl.h"
#include "se_feed.h"
#include "se_valid.h"


#define NGX_HTTP_STATUS_EDGE_HISTORY_DAYS  14


typedef enum {
    NGX_HTTP_STATUS_EDGE_PG_PAGE = 0,
    NGX_HTTP_STATUS_EDGE_PG_ATOM,
    NGX_HTTP_STATUS_EDGE_PG_RSS,
    NGX_HTTP_STATUS_EDGE_PG_CSS,
    NGX_HTTP_STATUS_EDGE_PG_SUBSCRIBE,
    NGX_HTTP_STATUS_EDGE_PG_CONFIRM,
    NGX_HTTP_STATUS_EDGE_PG_UNSUBSCRIBE,
    NGX_HTTP_STATUS_EDGE_PG_NONE,
    NGX_HTTP_STATUS_EDGE_PG_SLASH       /* "/status" of "location /status" */
} ngx_http_status_edge_pg_e;


static ngx_int_t ngx_http_status_edge_status_page_handler(
    ngx_http_request_t *r);
static ngx_int_t ngx_http_status_edge_status_page_slash(ngx_http_request_t *r);
static ngx_http_status_edge_pg_e ngx_http_status_edge_status_page_path(
    ngx_http_request_t *r);
static ngx_http_status_edge_pg_e ngx_http_status_edge_status_page_name(
    u_char *p, u_char *last);
static ngx_int_t ngx_http_status_edge_status_page_doc(ngx_http_request_t *r,
    ngx_str_t *type, u_char *data, size_t len, ngx_str_t *etag,
    ngx_str_t *cache_control);
static ngx_int_t ngx_http_status_edge_status_page_unknown(
    ngx_http_request_t *r);
static ngx_int_t ngx_http_status_edge_status_page_no_component(
    ngx_http_request_t *r, ngx_str_t *id);
static ngx_uint_t ngx_http_status_edge_prefers_text(ngx_http_request_t *r);
static ngx_uint_t ngx_http_status_edge_accept_q(u_char *p, u_char *last,
    ngx_uint_t *range);
static void ngx_http_status_edge_free_status_page_tpl(void *data);


static ngx_str_t  ngx_http_status_edge_status_page_types[] = {
    ngx_string("text/html"),
    ngx_string("application/atom+xml"),
    ngx_string("application/rss+xml"),
    ngx_string("text/css")
};

static ngx_str_t  ngx_http_status_edge_status_page_text_type =
    ngx_string("text/plain");

static ngx_str_t  ngx_http_status_edge_status_page_names[] = {
    ngx_string(""),
    ngx_string("history.atom"),
    ngx_string("history.rss"),
    ngx_string("status.css"),
    ngx_string("subscribe"),
    ngx_string("confirm"),
    ngx_string("unsubscribe")
};

static ngx_str_t  ngx_http_status_edge_css_cache =
    ngx_string("public, max-age=31536000, immutable");

static ngx_str_t  ngx_http_status_edge_status_page_csp =
    ngx_string("default-src 'none'; style-src 'self'; img-src 'self'; "
               "base-uri 'none'; form-action 'none'; frame-ancestors 'self'");

/* with the subscription form */
static ngx_str_t  ngx_http_status_edge_status_page_form_csp =
    ngx_string("default-src 'none'; style-src 'self'; img-src 'self'; "
               "base-uri 'none'; form-action 'self'; frame-ancestors 'self'");

static ngx_str_t  ngx_http_status_edge_status_page_unknown_body =
    ngx_string("<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
               "charset=\"utf-8\"><title>Status unknown</title></head>"
               "<body><main><h1>Status unknown</h1><p>The status has not "
               "been loaded yet. Please try again in a few seconds.</p>"
               "</main></body></html>\n");

/* the stylesheet's ETag and versioned URL, the same in every process */
static u_char     ngx_http_status_edge_css_etag_data[24];
static ngx_str_t  ngx_http_status_edge_css_etag;
static uint64_t   ngx_http_status_edge_css_hash;


/* configuration */

char *
ngx_http_status_edge_status_page(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_status_edge_loc_conf_t   *slcf = conf;
    size_t                             len;
    uint64_t                           h;
    const char                        *css;
    ngx_http_core_loc_conf_t          *clcf;
    ngx_http_status_edge_main_conf_t  *smcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler) {
        return "is duplicate";
    }

    clcf->handler = ngx_http_status_edge_status_page_handler;
    slcf->endpoint = 1;

    /* "/status" of "location /status/" redirects to "/status/" */
    clcf->auto_redirect = 1;

    smcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_status_edge_module);
    smcf->handlers++;
    smcf->variants.status_page = 1;

    if (ngx_http_status_edge_css_etag.len == 0) {
        css = se_page_css(&len);
        h = se_fnv(SE_FNV_OFFSET, css, len);
        ngx_http_status_edge_css_hash = h;

        ngx_http_status_edge_css_etag.data =
                                        ngx_http_status_edge_css_etag_data;
        ngx_http_status_edge_css_etag.len =
            ngx_sprintf(ngx_http_status_edge_css_etag_data, "\"css-%016xL\"",
                        h)
            - ngx_http_status_edge_css_etag_data;
    }

    ngx_sprintf(smcf->variants.css_url, SE_PAGE_CSS_URL "?v=%08xD%Z",
                (uint32_t) (ngx_http_status_edge_css_hash >> 32));

    return NGX_CONF_OK;
}


char *
ngx_http_status_edge_history_days(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_status_edge_loc_conf_t *slcf = conf;

    ngx_int_t   n;
    ngx_str_t  *value;

    if (slcf->history_days != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    n = ngx_atoi(value[1].data, value[1].len);

    if (n == NGX_ERROR || n > SE_PAGE_HISTORY_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid number of history days \"%V\": 0 to %d",
                           &value[1], SE_PAGE_HISTORY_MAX);
        return NGX_CONF_ERROR;
    }

    slcf->history_days = n;

    return NGX_CONF_OK;
}


/*
 * An operator's page template: read and parsed here, so a bad
 * placeholder fails "nginx -t" with its line instead of a request.
 */

char *
ngx_http_status_edge_status_page_template(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_status_edge_loc_conf_t *slcf = conf;

    ngx_str_t  *value, name;

    if (slcf->status_page_tpl != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;
    name = value[1];

    if (ngx_http_status_edge_conf_template(cf, &name, SE_PAGE_TPL_MAX,
                                 "status page template", se_page_tpl_parse,
                                 ngx_http_status_edge_free_status_page_tpl,
                                 &slcf->status_page_tpl)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static void
ngx_http_status_edge_free_status_page_tpl(void *data)
{
    se_page_tpl_free(data);
}


/* a location's (history days, template) as an index into the variants */

ngx_int_t
ngx_http_status_edge_status_page_merge(ngx_conf_t *cf,
    ngx_http_status_edge_loc_conf_t *prev,
    ngx_http_status_edge_loc_conf_t *conf)
{
    ngx_uint_t                                   i;
    ngx_http_status_edge_main_conf_t            *smcf;
    ngx_http_status_edge_status_page_variant_t  *v;

    ngx_conf_merge_uint_value(conf->history_days, prev->history_days,
                              NGX_HTTP_STATUS_EDGE_HISTORY_DAYS);
    ngx_conf_merge_ptr_value(conf->status_page_tpl, prev->status_page_tpl,
                             NULL);

    smcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_status_edge_module);

    if (smcf->variants.status_pages == NULL) {
        smcf->variants.status_pages = ngx_array_create(cf->pool, 2,
                         sizeof(ngx_http_status_edge_status_page_variant_t));
        if (smcf->variants.status_pages == NULL) {
            return NGX_ERROR;
        }
    }

    v = smcf->variants.status_pages->elts;

    for (i = 0; i < smcf->variants.status_pages->nelts; i++) {
        if (v[i].history_days == conf->history_days
            && v[i].tpl == conf->status_page_tpl)
        {
            conf->status_page_variant = i;
            return NGX_OK;
        }
    }

    v = ngx_array_push(smcf->variants.status_pages);
    if (v == NULL) {
        return NGX_ERROR;
    }

    v->history_days = conf->history_days;
    v->tpl = conf->status_page_tpl;
    conf->status_page_variant = smcf->variants.status_pages->nelts - 1;

    return NGX_OK;
}


/* requests */

static ngx_int_t
ngx_http_status_edge_status_page_handler(ngx_http_request_t *r)
{
    size_t                                       len;
    ngx_int_t                                    rc;
    ngx_str_t                                    key, value, *csp;
    se_lang_e                                    lang;
    ngx_http_status_edge_doc_t                  *doc;
    ngx_http_status_edge_status_page_docs_t     *docs;
    ngx_http_status_edge_pg_e                    what;
    ngx_http_status_edge_snapshot_t             *snap;
    ngx_http_status_edge_loc_conf_t             *slcf;
    ngx_http_status_edge_status_page_variant_t  *pv;
    ngx_http_status_edge_main_conf_t            *smcf;
    const char                                  *css;

    what = ngx_http_status_edge_status_page_path(r);

    switch (what) {
    case NGX_HTTP_STATUS_EDGE_PG_SUBSCRIBE:
        return ngx_http_status_edge_subscribe_handler(r,
                                            NGX_HTTP_STATUS_EDGE_SUB_FORM);
    case NGX_HTTP_STATUS_EDGE_PG_CONFIRM:
        return ngx_http_status_edge_subscribe_handler(r,
                                            NGX_HTTP_STATUS_EDGE_SUB_CONFIRM);
    case NGX_HTTP_STATUS_EDGE_PG_UNSUBSCRIBE:
        return ngx_http_status_edge_subscribe_handler(r,
                                        NGX_HTTP_STATUS_EDGE_SUB_UNSUBSCRIBE);
    default:
        break;
    }

    rc = ngx_http_status_edge_method(r, NGX_HTTP_GET|NGX_HTTP_HEAD, NULL);
    if (rc != NGX_OK) {
        return rc;
    }

    if (what == NGX_HTTP_STATUS_EDGE_PG_NONE) {
        return NGX_HTTP_NOT_FOUND;
    }

    if (what == NGX_HTTP_STATUS_EDGE_PG_SLASH) {
        return ngx_http_status_edge_status_page_slash(r);
    }

    ngx_http_status_edge_stats.requests[
        (what == NGX_HTTP_STATUS_EDGE_PG_ATOM
         || what == NGX_HTTP_STATUS_EDGE_PG_RSS)
        ? NGX_HTTP_STATUS_EDGE_EP_FEED : NGX_HTTP_STATUS_EDGE_EP_PAGE]++;

    /* no Last-Modified: If-None-Match alone decides (RFC 9110) */
    r->headers_in.if_modified_since = NULL;
    r->headers_in.if_unmodified_since = NULL;

    if (what == NGX_HTTP_STATUS_EDGE_PG_CSS) {
        css = se_page_css(&len);

        return ngx_http_status_edge_status_page_doc(r,
                   &ngx_http_status_edge_status_page_types[what],
                   (u_char *) css, len, &ngx_http_status_edge_css_etag,
                   &ngx_http_status_edge_css_cache);
    }

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_status_edge_module);

    snap = ngx_http_status_edge_request_acquire(r, slcf->source);
    docs = snap ? ngx_http_status_edge_status_page_docs(snap) : NULL;

    if (docs == NULL) {
        return ngx_http_status_edge_status_page_unknown(r);
    }

    if (what == NGX_HTTP_STATUS_EDGE_PG_ATOM
        || what == NGX_HTTP_STATUS_EDGE_PG_RSS)
    {
        doc = &docs->feeds[what == NGX_HTTP_STATUS_EDGE_PG_ATOM
                                      ? SE_FEED_ATOM : SE_FEED_RSS];

        /* history.atom?component=ID: that component's feed */

        if (r->args.len
            && ngx_http_arg(r, (u_char *) "component", 9, &value) == NGX_OK)
        {
            doc = ngx_http_status_edge_component_feed(snap, value.data,
                      value.len, what == NGX_HTTP_STATUS_EDGE_PG_ATOM
                                 ? SE_FEED_ATOM : SE_FEED_RSS);

            if (doc == NULL) {
                return ngx_http_status_edge_status_page_no_component(r,
                                                                     &value);
            }
        }

        return ngx_http_status_edge_status_page_doc(r,
                   &ngx_http_status_edge_status_page_types[what], doc->data,
                   doc->len, &doc->etag, &slcf->cache_control);
    }

    /* the page: the variant of this location in the visitor's language */

    if (slcf->status_page_variant * SE_LANG_N >= docs->npages) {
        return ngx_http_status_edge_status_page_unknown(r);
    }

    ngx_str_set(&key, "Vary");
    ngx_str_set(&value, "Accept-Language, Accept");

    if (ngx_http_status_edge_add_header(r, &key, &value) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* curl -H 'Accept: text/plain' gets status.txt */

    if (ngx_http_status_edge_prefers_text(r)) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "status_edge: text/plain preferred: status.txt");

        /* counted as status.txt instead */
        ngx_http_status_edge_stats.requests[NGX_HTTP_STATUS_EDGE_EP_PAGE]--;

        return ngx_http_status_edge_text_handler(r);
    }

    lang = ngx_http_status_edge_request_lang(r);

    doc = &docs->pages[slcf->status_page_variant * SE_LANG_N + lang];

    /* the built-in page has no inline script or style: say so */

    smcf = ngx_http_get_module_main_conf(r, ngx_http_status_edge_module);
    pv = smcf->variants.status_pages->elts;

    if (pv[slcf->status_page_variant].tpl == NULL) {
        ngx_str_set(&key, "Content-Security-Policy");
        csp = ngx_http_status_edge_subscribe_enabled(r)
              ? &ngx_http_status_edge_status_page_form_csp
              : &ngx_http_status_edge_status_page_csp;

        if (ngx_http_status_edge_add_header(r, &key, csp) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    return ngx_http_status_edge_status_page_doc(r,
               &ngx_http_status_edge_status_page_types[what], doc->data,
               doc->len, &doc->etag, &slcf->cache_control);
}


/* 301 to the location's name with a '/', the query string kept */

static ngx_int_t
ngx_http_status_edge_status_page_slash(ngx_http_request_t *r)
{
    u_char                    *p, *last;
    ngx_str_t                  value;
    ngx_table_elt_t           *h;
    ngx_http_core_loc_conf_t  *clcf;

    static ngx_str_t  key = ngx_string("Location");

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    p = ngx_pnalloc(r->pool, clcf->name.len + 2 + r->args.len);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    last = ngx_cpymem(p, clcf->name.data, clcf->name.len);
    *last++ = '/';

    if (r->args.len) {
        *last++ = '?';
        last = ngx_cpymem(last, r->args.data, r->args.len);
    }

    value.data = p;
    value.len = last - p;

    h = ngx_http_status_edge_push_header(r, &key, &value);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_clear_location(r);
    r->headers_out.location = h;

    return NGX_HTTP_MOVED_PERMANENTLY;
}


static ngx_http_status_edge_pg_e
ngx_http_status_edge_status_page_path(ngx_http_request_t *r)
{
    u_char                     *p, *last;
    ngx_http_core_loc_conf_t   *clcf;
    ngx_http_status_edge_pg_e   what;

    last = r->uri.data + r->uri.len;

    if (ngx_http_status_edge_location_rest(r, &p) == NGX_OK) {
        clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

        /*
         * "location /status" serves "/status/" and what is under it; the
         * page's links are relative, so "/status" itself redirects there
         * and "/statushistory.atom" is not one of its names
         */

        if (clcf->name.len && clcf->name.data[clcf->name.len - 1] != '/') {
            if (p == last) {
                return NGX_HTTP_STATUS_EDGE_PG_SLASH;
            }

            if (*p != '/') {
                return NGX_HTTP_STATUS_EDGE_PG_NONE;
            }

            p++;
        }

        return ngx_http_status_edge_status_page_name(p, last);
    }

    /* regex or exact locations: the part after the last '/' */

    for (p = last; p > r->uri.data && p[-1] != '/'; p--) {
        /* void */
    }

    what = ngx_http_status_edge_status_page_name(p, last);

    if (what == NGX_HTTP_STATUS_EDGE_PG_PAGE && p == r->uri.data) {
        return NGX_HTTP_STATUS_EDGE_PG_NONE;
    }

    return what;
}


static ngx_http_status_edge_pg_e
ngx_http_status_edge_status_page_name(u_char *p, u_char *last)
{
    size_t      len;
    ngx_uint_t  i;

    len = last - p;

    for (i = 0; i < NGX_HTTP_STATUS_EDGE_PG_NONE; i++) {
        if (ngx_http_status_edge_status_page_names[i].len == len
            && ngx_strncmp(ngx_http_status_edge_status_page_names[i].data,
                           p, len)
               == 0)
        {
            return (ngx_http_status_edge_pg_e) i;
        }
    }

    return NGX_HTTP_STATUS_EDGE_PG_NONE;
}


static ngx_int_t
ngx_http_status_edge_status_page_doc(ngx_http_request_t *r, ngx_str_t *type,
    u_char *data, size_t len, ngx_str_t *etag, ngx_str_t *cache_control)
{
    ngx_str_t  key;

    ngx_str_set(&key, "Cache-Control");

    if (ngx_http_status_edge_set_etag(r, etag) != NGX_OK
        || ngx_http_status_edge_add_header(r, &key, cache_control) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the snapshot stays referenced until the request pool is destroyed */

    return ngx_http_status_edge_send_data(r, type, data, len);
}


/*
 * Whether Accept ranks text/plain above text/html (RFC 9110, 12.5.1: the
 * most specific range that matches a type gives its q); a tie, any type or
 * no Accept at all is the page.
 */

static ngx_uint_t
ngx_http_status_edge_prefers_text(ngx_http_request_t *r)
{
    u_char           *p, *last, *next;
    ngx_uint_t        q, html, text, html_rank, text_rank, rank;
    ngx_table_elt_t  *h;

    h = ngx_http_status_edge_request_accept(r);

    if (h == NULL) {
        return 0;
    }

    p = h->value.data;
    last = p + h->value.len;
    html = 0;
    text = 0;
    html_rank = 0;
    text_rank = 0;

    while (p < last) {
        next = ngx_strlchr(p, last, ',');
        if (next == NULL) {
            next = last;
        }

        while (p < next && (*p == ' ' || *p == '\t')) {
            p++;
        }

        /* an exact range wins over text/any, which wins over any/any */

        q = ngx_http_status_edge_accept_q(p, next, &rank);

        if (rank == 4) {
            /* text/html */
            if (html_rank < 3) {
                html = q;
                html_rank = 3;
            }

        } else if (rank) {
            if (rank > text_rank) {
                text = q;
                text_rank = rank;
            }

            if (rank < 3 && rank > html_rank) {
                html = q;
                html_rank = rank;
            }
        }

        p = next + 1;
    }

    return text > html;
}


/*
 * The q of one media range (in thousandths) and how it matches: *range
 * is 3 for text/plain, 4 for text/html, 2 for text/any, 1 for any, 0
 * for anything else
 */

static ngx_uint_t
ngx_http_status_edge_accept_q(u_char *p, u_char *last, ngx_uint_t *range)
{
    size_t      len;
    u_char     *end;
    ngx_uint_t  q, scale;

    end = ngx_strlchr(p, last, ';');
    if (end == NULL) {
        end = last;
    }

    len = end - p;

    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t')) {
        len--;
    }

    if (len == 10 && ngx_strncasecmp(p, (u_char *) "text/plain", 10) == 0) {
        *range = 3;

    } else if (len == 9
               && ngx_strncasecmp(p, (u_char *) "text/html", 9) == 0)
    {
        *range = 4;

    } else if (len == 6 && ngx_strncasecmp(p, (u_char *) "text/*", 6) == 0) {
        *range = 2;

    } else if (len == 3 && ngx_strncmp(p, "*/*", 3) == 0) {
        *range = 1;

    } else {
        *range = 0;
        return 0;
    }

    /* the parameters: only q counts */

    q = 1000;

    for (p = end; p < last; p++) {
        if (*p != ';') {
            continue;
        }

        do {
            p++;
        } while (p < last && (*p == ' ' || *p == '\t'));

        if (last - p < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=') {
            continue;
        }

        p += 2;

        if (p == last || (*p != '0' && *p != '1')) {
            return 0;
        }

        q = (*p++ - '0') * 1000;

        if (p < last && *p == '.') {
            for (p++, scale = 100; p < last && scale
                                   && *p >= '0' && *p <= '9'; p++)
            {
                q += (*p - '0') * scale;
                scale /= 10;
            }
        }

        if (q > 1000) {
            q = 1000;
        }

        break;
    }

    return q;
}


static ngx_int_t
ngx_http_status_edge_status_page_unknown(ngx_http_request_t *r)
{
    ngx_str_t  key, value;

    if (ngx_http_status_edge_add_no_store(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_str_set(&key, "Retry-After");
    ngx_str_set(&value, "5");

    if (ngx_http_status_edge_add_header(r, &key, &value) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = NGX_HTTP_SERVICE_UNAVAILABLE;

    return ngx_http_status_edge_send_data(r,
                               &ngx_http_status_edge_status_page_types[0],
                    ngx_http_status_edge_status_page_unknown_body.data,
                    ngx_http_status_edge_status_page_unknown_body.len);
}


/* 404 for history.atom?component=ID of no component: named if an id */

static ngx_int_t
ngx_http_status_edge_status_page_no_component(ngx_http_request_t *r,
    ngx_str_t *id)
{
    u_char  *p, *body;

    if (ngx_http_status_edge_add_no_store(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = NGX_HTTP_NOT_FOUND;

    if (se_valid_id((const char *) id->data, id->len) != SE_OK) {
        return ngx_http_status_edge_send_data(r,
                   &ngx_http_status_edge_status_page_text_type,
                   (u_char *) "invalid component id\n",
                   sizeof("invalid component id\n") - 1);
    }

    body = ngx_pnalloc(r->pool, id->len + sizeof("no component \"\"\n"));
    if (body == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_sprintf(body, "no component \"%V\"\n", id);

    return ngx_http_status_edge_send_data(r,
               &ngx_http_status_edge_status_page_text_type, body, p - body);
}
