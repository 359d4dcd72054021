
/*
 * status-edge: the maintenance gate.  While a maintenance with gate on is
 * in progress, a location with "status_edge_gate on" answers 503 with the
 * maintenance page rendered for this state, before the access phase and
 * before any content handler (proxy_pass included) runs: the upstream is
 * never contacted.  The audience "internal" passes.  No state loaded: no
 * gate; Redis lost: the last state keeps gating until it changes.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_gate.h"
#include "ngx_http_status_edge_response.h"
#include "ngx_http_status_edge_publish.h"
#include "ngx_http_status_edge_render_gate.h"
#include "ngx_http_status_edge_banner_decide.h"
#include "se_lang.h"
#include "se_gate.h"


static ngx_int_t ngx_http_status_edge_gate_send(ngx_http_request_t *r,
    ngx_http_status_edge_gate_t *g);


static ngx_str_t  ngx_http_status_edge_html_type = ngx_string("text/html");


/*
 * A preaccess handler: after the location is found and its rewrites are
 * done, before access checks ("satisfy any" cannot skip it) and before
 * the content phase.
 */

ngx_int_t
ngx_http_status_edge_gate_handler(ngx_http_request_t *r)
{
    ngx_int_t                         rc;
    ngx_str_t                         audience;
    ngx_uint_t                        lang;
    ngx_http_status_edge_ctx_t       *ctx;
    ngx_http_status_edge_gate_t      *g;
    ngx_http_status_edge_gates_t     *gates;
    ngx_http_status_edge_snapshot_t  *snap;
    ngx_http_status_edge_loc_conf_t  *slcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_status_edge_module);

    /*
     * Not gated: the module's own locations, subrequests, and an error
     * page (r->err_status): the error already has its answer, which a
     * 503 page would contradict under the error's status.
     */

    if (!slcf->gate || slcf->endpoint || r != r->main || r->err_status
        || slcf->source == NULL || slcf->source->current == NULL)
    {
        return NGX_DECLINED;
    }

    snap = slcf->source->current;

    gates = ngx_http_status_edge_gates(snap);

    if (gates == NULL || slcf->banner_set * SE_LANG_N >= gates->n) {
        return NGX_DECLINED;
    }

    g = &gates->items[slcf->banner_set * SE_LANG_N];

    if (g->record == NULL) {
        return NGX_DECLINED;
    }

    /* an audience that cannot be evaluated (no memory) is public */

    if (slcf->audience
        && ngx_http_complex_value(r, slcf->audience, &audience) == NGX_OK)
    {
        if (audience.len == 8
            && ngx_strncmp(audience.data, "internal", 8) == 0)
        {
            return NGX_DECLINED;
        }
    }

    lang = ngx_http_status_edge_request_lang(r);

    g = &gates->items[slcf->banner_set * SE_LANG_N + lang];

    /* the page stays valid while the request lives; no memory: pass */
    if (ngx_http_status_edge_request_acquire(r, slcf->source) == NULL) {
        return NGX_DECLINED;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_status_edge_module);

    if (ctx == NULL) {
        ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_status_edge_ctx_t));
        if (ctx) {
            ngx_http_set_ctx(r, ctx, ngx_http_status_edge_module);
        }
    }

    if (ctx) {
        ctx->gated = 1;
    }

    ngx_http_status_edge_stats.requests[NGX_HTTP_STATUS_EDGE_EP_GATE]++;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "status_edge: gated by maintenance \"%s\", %ui",
                   g->record->id.data, lang);

    rc = ngx_http_discard_request_body(r);

    if (rc == NGX_OK) {
        rc = ngx_http_status_edge_gate_send(r, g);
    }

    ngx_http_finalize_request(r, rc);

    return NGX_DONE;
}


static ngx_int_t
ngx_http_status_edge_gate_send(ngx_http_request_t *r,
    ngx_http_status_edge_gate_t *g)
{
    u_char     *p;
    int64_t     retry;
    ngx_int_t   rc;
    ngx_str_t   key, value;

    retry = se_gate_retry_after(g->record, (int64_t) ngx_time());

    p = ngx_pnalloc(r->pool, NGX_INT64_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_str_set(&key, "Retry-After");
    value.data = p;
    value.len = ngx_sprintf(p, "%L", retry) - p;

    if (ngx_http_status_edge_add_header(r, &key, &value) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_status_edge_add_no_store(r) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_str_set(&key, "Vary");
    ngx_str_set(&value, "Accept-Language");

    if (ngx_http_status_edge_add_header(r, &key, &value) != NGX_OK) {
        return NGX_ERROR;
    }

    r->headers_out.status = NGX_HTTP_SERVICE_UNAVAILABLE;
    ngx_http_status_edge_set_type_length(r, &ngx_http_status_edge_html_type,
                                         g->len);

    /* no ranges of a 503 page, no conditional 304 either */
    r->allow_ranges = 0;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    /* the gate runs before the content phase: r is the main request */

    return ngx_http_status_edge_output(r, g->html, g->len);
}
