
/*
 * status-edge: renders the overall badge and every component's, in every
 * language, each with its strong ETag.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_render_badges.h"
#include "ngx_http_status_edge_render_uptime.h"
#include "se_core.h"
#include "se_model.h"
#include "se_lang.h"
#include "se_state.h"


static void ngx_http_status_edge_badge_etag_make(
    ngx_http_status_edge_snapshot_t *snap, ngx_http_status_edge_svg_t *b,
    const se_str_t *component, se_lang_e lang);
static ngx_int_t ngx_http_status_edge_badges_render(
    ngx_http_status_edge_snapshot_t *snap,
    ngx_http_status_edge_variants_t *variants, void **artifact);
static void ngx_http_status_edge_badges_free(void *artifact);


const ngx_http_status_edge_renderer_t  ngx_http_status_edge_badges_renderer = {
    "badges",
    ngx_http_status_edge_badges_render,
    ngx_http_status_edge_badges_free
};


/* "se-<version>-<hash>-badge[-<component>]-<lang>", made with the state */

static void
ngx_http_status_edge_badge_etag_make(ngx_http_status_edge_snapshot_t *snap,
    ngx_http_status_edge_svg_t *b, const se_str_t *component, se_lang_e lang)
{
    u_char  *p;

    p = b->etag_data;
    p = ngx_cpymem(p, snap->etag.data, snap->etag.len - 1);
    p = ngx_cpymem(p, "-badge", sizeof("-badge") - 1);

    if (component) {
        *p++ = '-';
        p = ngx_cpymem(p, component->data, ngx_min(component->len, 64));
    }

    *p++ = '-';
    p = ngx_cpymem(p, se_lang_name(lang), 2);
    *p++ = '"';

    b->etag.data = b->etag_data;
    b->etag.len = p - b->etag_data;
}


/*
 * The overall badge and every component's, in every language, for this
 * state; runs in the build thread: plain malloc, no log.
 */

static ngx_int_t
ngx_http_status_edge_badges_render(ngx_http_status_edge_snapshot_t *snap,
    ngx_http_status_edge_variants_t *variants, void **artifact)
{
    size_t                          i, n;
    ngx_uint_t                      lang;
    const se_model_t               *m;
    ngx_http_status_edge_svg_t     *b;
    ngx_http_status_edge_badges_t  *badges;
    ngx_http_status_edge_uptime_docs_t  *up;

    if (variants == NULL || !variants->badge) {
        return NGX_OK;
    }

    m = se_state_model(snap->state);
    n = (m->ncomponents + 1) * SE_LANG_N;

    badges = calloc(1, offsetof(ngx_http_status_edge_badges_t, items)
                       + 2 * n * sizeof(ngx_http_status_edge_svg_t));
    if (badges == NULL) {
        return NGX_ERROR;
    }

    *artifact = badges;
    badges->n = 2 * n;
    badges->uptime = n;
    up = ngx_http_status_edge_uptime(snap);

    for (lang = 0; lang < SE_LANG_N; lang++) {
        b = &badges->items[ngx_http_status_edge_badge_index(0, lang)];

        if (se_badge_overall(se_state_indicator(snap->state),
                             (se_lang_e) lang, &b->svg)
            != SE_OK)
        {
            return NGX_ERROR;
        }

        ngx_http_status_edge_badge_etag_make(snap, b, NULL, (se_lang_e) lang);

        for (i = 0; i < m->ncomponents; i++) {
            b = &badges->items[ngx_http_status_edge_badge_index(i + 1, lang)];

            if (se_badge_component(&m->components[i], (se_lang_e) lang,
                                   &b->svg)
                != SE_OK)
            {
                return NGX_ERROR;
            }

            ngx_http_status_edge_badge_etag_make(snap, b,
                                                 &m->components[i].id,
                                                 (se_lang_e) lang);
        }

        /* uptime badges: they change at midnight too, so content ETags */

        for (i = 0; up && up->uptime && i <= m->ncomponents; i++) {
            b = &badges->items[n + ngx_http_status_edge_badge_index(i, lang)];

            if (se_badge_uptime(i ? &m->components[i - 1] : NULL,
                                i ? up->uptime->comps[i - 1].figure
                                  : up->uptime->figure,
                                (se_lang_e) lang, &b->svg)
                != SE_OK)
            {
                return NGX_ERROR;
            }

            b->etag.data = b->etag_data;
            b->etag.len = ngx_sprintf(b->etag_data, "\"sp-%016xL\"",
                                      se_fnv(SE_FNV_OFFSET, b->svg.data,
                                             b->svg.len))
                          - b->etag_data;
        }
    }

    return NGX_OK;
}


static void
ngx_http_status_edge_badges_free(void *artifact)
{
    ngx_uint_t                      i;
    ngx_http_status_edge_badges_t  *badges = artifact;

    for (i = 0; i < badges->n; i++) {
        se_badge_free(&badges->items[i].svg);
    }

    free(badges);
}
