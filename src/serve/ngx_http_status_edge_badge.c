
/*
 * status-edge: the SVG status badge.  The overall badge and one per
 * component, in each language, are rendered with the state; a request
 * picks one: "?component=ID" for a component, "?lang=en|ko" or else
 * Accept-Language for the language.  Strong ETag per state, component
 * and language, 304 on If-None-Match, "Cache-Control: no-cache".  No
 * state yet: a grey "unknown" badge, 200 and "Cache-Control: no-store",
 * since an <img> wants an image, not an error.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_badge.h"
#include "ngx_http_status_edge_response.h"
#include "ngx_http_status_edge_publish.h"
#include "ngx_http_status_edge_render_badges.h"
#include "se_derive.h"
#include "se_valid.h"
#include "se_core.h"
#include "se_model.h"
#include "se_lang.h"
#include "se_state.h"
#include "se_badge.h"


static void ngx_http_status_edge_badge_args(ngx_http_request_t *r,
    ngx_str_t *component, ngx_str_t *lang);
static ngx_int_t ngx_http_status_edge_badge_text(ngx_http_request_t *r,
    ngx_uint_t status, ngx_str_t *body);
static ngx_int_t ngx_http_status_edge_badge_unknown(ngx_http_request_t *r,
    ngx_str_t *component, se_lang_e lang);


static ngx_str_t  ngx_http_status_edge_svg_type = ngx_string("image/svg+xml");
static ngx_str_t  ngx_http_status_edge_text_type = ngx_string("text/plain");


ngx_int_t
ngx_http_status_edge_badge_handler(ngx_http_request_t *r)
{
    ngx_int_t                         rc;
    ngx_str_t                         component, arg, key, value, metric;
    ngx_uint_t                        uptime;
    se_lang_e                         lang;
    ngx_http_status_edge_svg_t       *badge;
    ngx_http_status_edge_badges_t    *badges;
    ngx_uint_t                        index;
    const se_model_t                 *m;
    const se_component_t             *c;
    ngx_http_status_edge_snapshot_t  *snap;
    ngx_http_status_edge_loc_conf_t  *slcf;

    static ngx_str_t  allow = ngx_string("GET, HEAD");
    static ngx_str_t  not_allowed = ngx_string("method not allowed\n");
    static ngx_str_t  unknown = ngx_string("unknown component\n");
    static ngx_str_t  bad_metric =
        ngx_string("unknown metric: \"status\" or \"uptime\"\n");
    static ngx_str_t  uptime_off =
        ngx_string("the component shows no uptime\n");

    rc = ngx_http_status_edge_method(r, NGX_HTTP_GET|NGX_HTTP_HEAD, &allow);

    if (rc == NGX_HTTP_NOT_ALLOWED) {
        return ngx_http_status_edge_badge_text(r, NGX_HTTP_NOT_ALLOWED,
                                               &not_allowed);
    }

    if (rc != NGX_OK) {
        return rc;
    }

    ngx_http_status_edge_badge_args(r, &component, &arg);

    uptime = 0;

    if (r->args.len
        && ngx_http_arg(r, (u_char *) "metric", 6, &metric) == NGX_OK)
    {
        if (metric.len == 6 && ngx_strncmp(metric.data, "uptime", 6) == 0) {
            uptime = 1;

        } else if (metric.len != 6
                   || ngx_strncmp(metric.data, "status", 6) != 0)
        {
            return ngx_http_status_edge_badge_text(r, NGX_HTTP_BAD_REQUEST,
                                                   &bad_metric);
        }
    }

    if (component.data
        && se_valid_id((const char *) component.data, component.len)
           != SE_OK)
    {
        return ngx_http_status_edge_badge_text(r, NGX_HTTP_NOT_FOUND,
                                               &unknown);
    }

    if (arg.len == 2 || (arg.len > 2 && arg.data[2] == '-')) {
        lang = se_lang_negotiate((const char *) arg.data, arg.len);

    } else {
        lang = ngx_http_status_edge_request_lang(r);
    }

    ngx_str_set(&key, "Vary");
    ngx_str_set(&value, "Accept-Language");

    if (ngx_http_status_edge_add_header(r, &key, &value) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_status_edge_module);

    snap = ngx_http_status_edge_request_acquire(r, slcf->source);

    badges = snap ? ngx_http_status_edge_badges(snap) : NULL;

    if (badges == NULL) {
        return ngx_http_status_edge_badge_unknown(r, &component, lang);
    }

    m = se_state_model(snap->state);
    index = 0;

    if (component.len) {
        c = se_model_component(m, (const char *) component.data,
                               component.len);
        if (c == NULL) {
            return ngx_http_status_edge_badge_text(r, NGX_HTTP_NOT_FOUND,
                                                   &unknown);
        }

        index = (c - m->components) + 1;

        if (uptime && !c->uptime) {
            return ngx_http_status_edge_badge_text(r, NGX_HTTP_NOT_FOUND,
                                                   &uptime_off);
        }
    }

    index = ngx_http_status_edge_badge_index(index, lang);

    if (uptime) {
        index += badges->uptime;

        if (index >= badges->n || badges->items[index].svg.data == NULL) {
            return ngx_http_status_edge_badge_unknown(r, &component, lang);
        }
    }

    if (index >= badges->n) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    badge = &badges->items[index];

    ngx_http_status_edge_stats.requests[NGX_HTTP_STATUS_EDGE_EP_BADGE]++;

    /* ETag only: as RFC 9110 says, If-Modified-Since is then ignored */
    r->headers_in.if_modified_since = NULL;
    r->headers_in.if_unmodified_since = NULL;

    ngx_str_set(&key, "Cache-Control");
    ngx_str_set(&value, "no-cache");

    if (ngx_http_status_edge_set_etag(r, &badge->etag) != NGX_OK
        || ngx_http_status_edge_add_header(r, &key, &value) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the snapshot stays referenced until the request pool is destroyed */

    return ngx_http_status_edge_send_data(r, &ngx_http_status_edge_svg_type,
                                          (u_char *) badge->svg.data,
                                          badge->svg.len);
}


/* "component" and "lang" from the query string, in one pass */

static void
ngx_http_status_edge_badge_args(ngx_http_request_t *r, ngx_str_t *component,
    ngx_str_t *lang)
{
    u_char  *p, *last, *name, *value;

    ngx_str_null(component);
    ngx_str_null(lang);

    p = r->args.data;
    last = p + r->args.len;

    while (p < last) {
        name = p;

        while (p < last && *p != '&') {
            p++;
        }

        value = ngx_strlchr(name, p, '=');

        if (value) {
            if (value - name == 9
                && ngx_strncmp(name, "component", 9) == 0)
            {
                component->data = value + 1;
                component->len = p - value - 1;

            } else if (value - name == 4 && ngx_strncmp(name, "lang", 4) == 0)
            {
                lang->data = value + 1;
                lang->len = p - value - 1;
            }
        }

        p++;                            /* '&' */
    }
}


/* no state yet: rendered for this request, which is rare */

static ngx_int_t
ngx_http_status_edge_badge_unknown(ngx_http_request_t *r,
    ngx_str_t *component, se_lang_e lang)
{
    u_char      *p;
    size_t       len;
    se_badge_t   badge;

    ngx_http_status_edge_stats.requests[NGX_HTTP_STATUS_EDGE_EP_UNAVAILABLE]++;

    if (se_badge_unknown(component->len ? (const char *) component->data
                                        : NULL,
                         component->len, lang, &badge)
        != SE_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_pnalloc(r->pool, badge.len);
    if (p == NULL) {
        se_badge_free(&badge);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(p, badge.data, badge.len);
    len = badge.len;
    se_badge_free(&badge);

    if (ngx_http_status_edge_add_no_store(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_status_edge_send_data(r, &ngx_http_status_edge_svg_type,
                                          p, len);
}


static ngx_int_t
ngx_http_status_edge_badge_text(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *body)
{
    /* the request body is already discarded */

    ngx_http_status_edge_stats.requests[NGX_HTTP_STATUS_EDGE_EP_NOT_FOUND]++;

    if (ngx_http_status_edge_add_no_store(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = status;

    return ngx_http_status_edge_send_data(r, &ngx_http_status_edge_text_type,
                                          body->data, body->len);
}
