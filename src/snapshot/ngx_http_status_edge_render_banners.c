
/*
 * status-edge: renders the banner of every variant (component set,
 * audience, language) of a state, and when they change by the clock.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_render_banners.h"
#include "se_core.h"
#include "se_model.h"
#include "se_state.h"
#include "se_banner_tpl.h"


static ngx_int_t ngx_http_status_edge_banners_render(
    ngx_http_status_edge_snapshot_t *snap,
    ngx_http_status_edge_variants_t *variants, void **artifact);
static void ngx_http_status_edge_banners_free(void *artifact);


const ngx_http_status_edge_renderer_t  ngx_http_status_edge_banners_renderer = {
    "banners",
    ngx_http_status_edge_banners_render,
    ngx_http_status_edge_banners_free
};


static ngx_int_t
ngx_http_status_edge_banners_render(ngx_http_status_edge_snapshot_t *snap,
    ngx_http_status_edge_variants_t *variants, void **artifact)
{
    int64_t                          now, at;
    ngx_uint_t                       set, internal, lang, n, i;
    ngx_array_t                     *sets;
    se_banner_ctx_t                  bctx;
    se_banner_opts_t                 opts;
    const se_model_t                *m;
    ngx_http_status_edge_banner_t   *b;
    ngx_http_status_edge_banners_t  *banners;

    if (variants == NULL || variants->sets == NULL
        || variants->sets->nelts == 0)
    {
        return NGX_OK;
    }

    m = se_state_model(snap->state);
    sets = variants->sets->elts;
    now = time(NULL);

    n = variants->sets->nelts * 2 * SE_LANG_N;

    banners = calloc(1, offsetof(ngx_http_status_edge_banners_t, items)
                        + n * sizeof(ngx_http_status_edge_banner_t));
    if (banners == NULL) {
        return NGX_ERROR;
    }

    *artifact = banners;
    banners->n = n;

    at = se_banner_refresh_at(m, now);
    if (at < snap->refresh_at) {
        snap->refresh_at = at;
    }

    ngx_memzero(&opts, sizeof(se_banner_opts_t));
    opts.dismiss = (const char *) variants->dismiss_url.data;
    opts.dismiss_len = variants->dismiss_url.len;
    opts.now = now;

    for (set = 0; set < variants->sets->nelts; set++) {
        for (internal = 0; internal < 2; internal++) {

            bctx.internal = internal;
            bctx.components = sets[set].elts;
            bctx.ncomponents = sets[set].nelts;
            bctx.now = now;

            for (lang = 0; lang < SE_LANG_N; lang++) {
                i = ngx_http_status_edge_variant(set, internal, lang);
                b = &banners->items[i];

                b->record = se_banner_choose(m, &bctx);
                if (b->record == NULL) {
                    continue;
                }

                opts.lang = (se_lang_e) lang;

                if ((variants->tpl
                     ? se_banner_tpl_render(variants->tpl, m, b->record,
                                            &opts, &b->banner)
                     : se_banner_render(m, b->record, &opts, &b->banner))
                    != SE_OK)
                {
                    return NGX_ERROR;
                }
            }
        }
    }

    return NGX_OK;
}


static void
ngx_http_status_edge_banners_free(void *artifact)
{
    ngx_uint_t                       i;
    ngx_http_status_edge_banners_t  *banners = artifact;

    for (i = 0; i < banners->n; i++) {
        if (banners->items[i].record) {
            se_banner_free(&banners->items[i].banner);
        }
    }

    free(banners);
}
