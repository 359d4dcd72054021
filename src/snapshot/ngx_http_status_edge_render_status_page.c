
/*
 * status-edge: renders the status page (per page variant and language)
 * and its history feeds, once per state.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_render_status_page.h"
#include "ngx_http_status_edge_render_uptime.h"
#include "se_pool.h"
#include "se_tz.h"
#include "se_core.h"
#include "se_model.h"
#include "se_lang.h"
#include "se_state.h"
#include "se_page.h"
#include "se_derive.h"


static ngx_int_t ngx_http_status_edge_status_page_render(
    ngx_http_status_edge_snapshot_t *snap,
    ngx_http_status_edge_variants_t *variants, void **artifact);
static void ngx_http_status_edge_status_page_free(void *artifact);


const ngx_http_status_edge_renderer_t
    ngx_http_status_edge_status_page_renderer =
{
    "status page",
    ngx_http_status_edge_status_page_render,
    ngx_http_status_edge_status_page_free
};


static ngx_int_t
ngx_http_status_edge_status_page_render(
    ngx_http_status_edge_snapshot_t *snap,
    ngx_http_status_edge_variants_t *variants, void **artifact)
{
    char                                        *data;
    size_t                                       len;
    int64_t                                      now, at;
    se_tz_t                                     *tz;
    ngx_int_t                                    rc;
    ngx_uint_t                                   v, lang, k, i;
    se_page_opts_t                               opts;
    const se_model_t                            *m;
    ngx_http_status_edge_doc_t                  *doc;
    ngx_http_status_edge_status_page_docs_t     *docs;
    ngx_http_status_edge_status_page_variant_t  *pv;
    ngx_http_status_edge_uptime_docs_t          *up;

    if (variants == NULL || !variants->status_page
        || variants->status_pages == NULL || variants->status_pages->nelts == 0)
    {
        return NGX_OK;
    }

    m = se_state_model(snap->state);
    now = time(NULL);

    docs = calloc(1, sizeof(ngx_http_status_edge_status_page_docs_t));
    if (docs == NULL) {
        return NGX_ERROR;
    }

    *artifact = docs;

    docs->npages = variants->status_pages->nelts * SE_LANG_N;
    docs->pages = calloc(docs->npages, sizeof(ngx_http_status_edge_doc_t));
    if (docs->pages == NULL) {
        return NGX_ERROR;
    }

    /* the page's zone, read once per build by the uptime renderer */

    up = ngx_http_status_edge_uptime(snap);
    tz = up ? up->tz : NULL;

    ngx_memzero(&opts, sizeof(se_page_opts_t));
    opts.now = now;
    opts.tz = tz;
    opts.css_url = (const char *) variants->css_url;
    opts.subscribe = variants->subscribe;
    opts.uptime = up ? up->uptime : NULL;

    pv = variants->status_pages->elts;
    rc = NGX_OK;

    for (v = 0; v < variants->status_pages->nelts && rc == NGX_OK; v++) {
        for (lang = 0; lang < SE_LANG_N; lang++) {
            opts.lang = (se_lang_e) lang;
            opts.history_days = pv[v].history_days;
            opts.tpl = pv[v].tpl;

            doc = &docs->pages[v * SE_LANG_N + lang];

            if (se_page_render(m, &opts, &data, &len) != SE_OK) {
                rc = NGX_ERROR;
                break;
            }

            doc->data = (u_char *) data;
            doc->len = len;
            ngx_http_status_edge_doc_etag(doc);
        }
    }

    for (k = 0; k < SE_FEED_N && rc == NGX_OK; k++) {
        if (se_feed_render(m, (se_feed_e) k, &data, &len) != SE_OK) {
            rc = NGX_ERROR;
            break;
        }

        docs->feeds[k].data = (u_char *) data;
        docs->feeds[k].len = len;
        ngx_http_status_edge_doc_etag(&docs->feeds[k]);
    }

    /* each component's feeds: only its incidents and maintenances */

    if (rc == NGX_OK && m->ncomponents) {
        docs->comp_feeds = calloc(m->ncomponents * SE_FEED_N,
                                  sizeof(ngx_http_status_edge_doc_t));
        if (docs->comp_feeds == NULL) {
            rc = NGX_ERROR;

        } else {
            docs->ncomps = m->ncomponents;
        }
    }

    for (i = 0; i < docs->ncomps && rc == NGX_OK; i++) {
        for (k = 0; k < SE_FEED_N; k++) {
            if (se_feed_render_component(m, (se_feed_e) k,
                                         &m->components[i], &data, &len)
                != SE_OK)
            {
                rc = NGX_ERROR;
                break;
            }

            doc = &docs->comp_feeds[i * SE_FEED_N + k];
            doc->data = (u_char *) data;
            doc->len = len;
            ngx_http_status_edge_doc_etag(doc);
        }
    }

    /* rebuilt by the next resync once the clock changes the page */

    at = se_page_refresh_at(m, tz, now);
    if (at < snap->refresh_at) {
        snap->refresh_at = at;
    }

    return rc;
}


static void
ngx_http_status_edge_status_page_free(void *artifact)
{
    ngx_uint_t                                i;
    ngx_http_status_edge_status_page_docs_t  *docs = artifact;

    if (docs->pages) {
        for (i = 0; i < docs->npages; i++) {
            se_free(docs->pages[i].data);
        }

        free(docs->pages);
    }

    for (i = 0; i < SE_FEED_N; i++) {
        se_free(docs->feeds[i].data);
    }

    for (i = 0; docs->comp_feeds && i < docs->ncomps * SE_FEED_N; i++) {
        se_free(docs->comp_feeds[i].data);
    }

    free(docs->comp_feeds);

    free(docs);
}


ngx_http_status_edge_doc_t *
ngx_http_status_edge_component_feed(ngx_http_status_edge_snapshot_t *snap,
    u_char *id, size_t len, se_feed_e kind)
{
    const se_model_t                         *m;
    const se_component_t                     *c;
    ngx_http_status_edge_status_page_docs_t  *docs;

    docs = ngx_http_status_edge_status_page_docs(snap);

    if (docs == NULL || docs->comp_feeds == NULL) {
        return NULL;
    }

    m = se_state_model(snap->state);
    c = se_model_component(m, (const char *) id, len);

    if (c == NULL) {
        return NULL;
    }

    return &docs->comp_feeds[(c - m->components) * SE_FEED_N + kind];
}
