
/*
 * status-edge: renders the maintenance page of every component set, in
 * every language, while a gated maintenance is in progress.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_render_gate.h"
#include "se_pool.h"
#include "se_core.h"
#include "se_lang.h"
#include "se_state.h"
#include "se_gate.h"


static ngx_int_t ngx_http_status_edge_gate_render(
    ngx_http_status_edge_snapshot_t *snap,
    ngx_http_status_edge_variants_t *variants, void **artifact);
static void ngx_http_status_edge_gate_free(void *artifact);


const ngx_http_status_edge_renderer_t  ngx_http_status_edge_gate_renderer = {
    "gate",
    ngx_http_status_edge_gate_render,
    ngx_http_status_edge_gate_free
};


/*
 * Every component set's page, in every language, for this state; runs in
 * the build thread: plain malloc, no log.
 */

static ngx_int_t
ngx_http_status_edge_gate_render(ngx_http_status_edge_snapshot_t *snap,
    ngx_http_status_edge_variants_t *variants, void **artifact)
{
    char                          *html;
    size_t                         len;
    ngx_uint_t                     set, lang, n;
    ngx_array_t                   *sets;
    const se_model_t              *m;
    const se_incident_t           *rec;
    ngx_http_status_edge_gate_t   *g;
    ngx_http_status_edge_gates_t  *gates;

    if (variants == NULL || !variants->gate || variants->sets == NULL) {
        return NGX_OK;
    }

    m = se_state_model(snap->state);
    sets = variants->sets->elts;
    n = variants->sets->nelts * SE_LANG_N;

    gates = calloc(1, offsetof(ngx_http_status_edge_gates_t, items)
                      + n * sizeof(ngx_http_status_edge_gate_t));
    if (gates == NULL) {
        return NGX_ERROR;
    }

    *artifact = gates;
    gates->n = n;

    for (set = 0; set < variants->sets->nelts; set++) {

        rec = se_gate_choose(m, sets[set].elts, sets[set].nelts);
        if (rec == NULL) {
            continue;
        }

        for (lang = 0; lang < SE_LANG_N; lang++) {
            g = &gates->items[set * SE_LANG_N + lang];

            if (se_gate_render(m, rec, (se_lang_e) lang, &html, &len)
                != SE_OK)
            {
                return NGX_ERROR;
            }

            g->record = rec;
            g->html = (u_char *) html;
            g->len = len;
        }
    }

    return NGX_OK;
}


static void
ngx_http_status_edge_gate_free(void *artifact)
{
    ngx_uint_t                     i;
    ngx_http_status_edge_gates_t  *gates = artifact;

    for (i = 0; i < gates->n; i++) {
        if (gates->items[i].html) {
            se_free(gates->items[i].html);
        }
    }

    free(gates);
}
