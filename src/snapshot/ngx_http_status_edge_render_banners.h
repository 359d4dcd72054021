
/*
 * status-edge: the banners of a state, one per variant (component set,
 * audience, language).
 */


#ifndef _NGX_HTTP_STATUS_EDGE_RENDER_BANNERS_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_RENDER_BANNERS_H_INCLUDED_


#include "ngx_http_status_edge_snapshot.h"
#include "se_banner.h"
#include "se_model.h"
#include "se_lang.h"


/* a banner rendered for one variant */
typedef struct {
    const se_incident_t           *record;    /* NULL: no banner */
    se_banner_t                    banner;
} ngx_http_status_edge_banner_t;


typedef struct {
    ngx_uint_t                     n;
    ngx_http_status_edge_banner_t  items[1];  /* n of them */
} ngx_http_status_edge_banners_t;


#define ngx_http_status_edge_variant(set, internal, lang)                    \
    (((set) * 2 + ((internal) ? 1 : 0)) * SE_LANG_N + (lang))

/* NULL: no banner variants configured */
#define ngx_http_status_edge_banners(snap)                                   \
    ((ngx_http_status_edge_banners_t *)                                      \
         (snap)->artifacts[NGX_HTTP_STATUS_EDGE_BANNERS])


extern const ngx_http_status_edge_renderer_t
    ngx_http_status_edge_banners_renderer;


#endif /* _NGX_HTTP_STATUS_EDGE_RENDER_BANNERS_H_INCLUDED_ */
