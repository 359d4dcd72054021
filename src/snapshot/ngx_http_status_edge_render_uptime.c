
/*
 * status-edge: derives the components' uptime and renders their
 * uptime.json, once per state and once per local midnight.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_render_uptime.h"
#include "se_pool.h"
#include "se_tz.h"
#include "se_core.h"
#include "se_model.h"
#include "se_state.h"
#include "se_uptime.h"
#include "se_derive.h"


/* while a component is down, today's bar is redrawn this often */
#define NGX_HTTP_STATUS_EDGE_UPTIME_REDRAW  300


static ngx_int_t ngx_http_status_edge_uptime_render(
    ngx_http_status_edge_snapshot_t *snap,
    ngx_http_status_edge_variants_t *variants, void **artifact);
static void ngx_http_status_edge_uptime_free(void *artifact);


const ngx_http_status_edge_renderer_t  ngx_http_status_edge_uptime_renderer = {
    "uptime",
    ngx_http_status_edge_uptime_render,
    ngx_http_status_edge_uptime_free
};


static ngx_int_t
ngx_http_status_edge_uptime_render(ngx_http_status_edge_snapshot_t *snap,
    ngx_http_status_edge_variants_t *variants, void **artifact)
{
    char                                *data;
    size_t                               len;
    int64_t                              now, at;
    se_tz_t                             *tz;
    ngx_int_t                            rc;
    ngx_uint_t                           i, down;
    const se_model_t                    *m;
    se_uptime_weights_t                  weights;
    ngx_http_status_edge_uptime_docs_t  *docs;

    m = se_state_model(snap->state);
    now = time(NULL);

    docs = calloc(1, sizeof(ngx_http_status_edge_uptime_docs_t));
    if (docs == NULL) {
        return NGX_ERROR;
    }

    *artifact = docs;

    if (variants) {
        weights = variants->uptime_weights;

    } else {
        se_uptime_weights_default(&weights);
    }

    /*
     * The zone file is read here, in the build thread, once per build:
     * kept with the docs for the status page.  UTC without it.
     */

    tz = NULL;

    if (m->page.time_zone.len) {
        tz = se_tz_load(NULL, m->page.time_zone.data, m->page.time_zone.len);
    }

    docs->tz = tz;

    rc = NGX_ERROR;

    if (se_uptime_build(m, tz, now, variants ? variants->uptime_days
                                             : SE_UPTIME_DAYS,
                        &weights, &docs->uptime)
        != SE_OK)
    {
        goto done;
    }

    docs->n = m->ncomponents;

    if (m->ncomponents) {
        docs->docs = calloc(m->ncomponents,
                            sizeof(ngx_http_status_edge_doc_t));
        if (docs->docs == NULL) {
            goto done;
        }
    }

    down = 0;

    for (i = 0; i < m->ncomponents; i++) {
        if (!m->components[i].uptime) {
            continue;
        }

        if (m->components[i].status != SE_COMP_OPERATIONAL) {
            down = 1;
        }

        if (se_uptime_json(docs->uptime, &docs->uptime->comps[i], m, &data,
                           &len)
            != SE_OK)
        {
            goto done;
        }

        docs->docs[i].data = (u_char *) data;
        docs->docs[i].len = len;
        ngx_http_status_edge_doc_etag(&docs->docs[i]);
    }

    /* the window moves at midnight; today's bar grows while one is down */

    at = se_uptime_next_midnight(tz, now);

    if (down && now + NGX_HTTP_STATUS_EDGE_UPTIME_REDRAW < at) {
        at = now + NGX_HTTP_STATUS_EDGE_UPTIME_REDRAW;
    }

    if (at < snap->refresh_at) {
        snap->refresh_at = at;
    }

    rc = NGX_OK;

done:

    return rc;
}


ngx_http_status_edge_doc_t *
ngx_http_status_edge_uptime_doc(ngx_http_status_edge_snapshot_t *snap,
    u_char *id, size_t len)
{
    ngx_uint_t                           i;
    const se_model_t                    *m;
    const se_component_t                *c;
    ngx_http_status_edge_uptime_docs_t  *docs;

    docs = ngx_http_status_edge_uptime(snap);

    if (docs == NULL || docs->docs == NULL) {
        return NULL;
    }

    m = se_state_model(snap->state);
    c = se_model_component(m, (const char *) id, len);

    if (c) {
        i = c - m->components;
        return docs->docs[i].data ? &docs->docs[i] : NULL;
    }

    return NULL;
}


static void
ngx_http_status_edge_uptime_free(void *artifact)
{
    ngx_uint_t                           i;
    ngx_http_status_edge_uptime_docs_t  *docs = artifact;

    for (i = 0; docs->docs && i < docs->n; i++) {
        se_free(docs->docs[i].data);
    }

    free(docs->docs);
    se_uptime_free(docs->uptime);
    se_tz_free(docs->tz);
    free(docs);
}
