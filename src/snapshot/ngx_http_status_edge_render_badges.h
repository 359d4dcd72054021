
/*
 * status-edge: the SVG badges of a state: the overall one and one per
 * component, in each language.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_RENDER_BADGES_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_RENDER_BADGES_H_INCLUDED_


#include "ngx_http_status_edge_snapshot.h"
#include "se_badge.h"
#include "se_lang.h"


#define NGX_HTTP_STATUS_EDGE_SVG_ETAG                                        \
    (sizeof("\"se---badge--xx\"") + NGX_INT64_LEN + 16 + 64)

/* a badge and its strong ETag */
typedef struct {
    se_badge_t                     svg;
    ngx_str_t                      etag;
    u_char                         etag_data[NGX_HTTP_STATUS_EDGE_SVG_ETAG];
} ngx_http_status_edge_svg_t;


/*
 * items: the status badges, overall then each component, per language;
 * then as many uptime badges (?metric=uptime) in the same order
 */
typedef struct {
    ngx_uint_t                     n;
    ngx_uint_t                     uptime;    /* index of the first */
    ngx_http_status_edge_svg_t     items[1];  /* n of them */
} ngx_http_status_edge_badges_t;


#define ngx_http_status_edge_badge_index(comp, lang)                         \
    ((comp) * SE_LANG_N + (lang))

/* NULL: no location has badges */
#define ngx_http_status_edge_badges(snap)                                    \
    ((ngx_http_status_edge_badges_t *)                                       \
         (snap)->artifacts[NGX_HTTP_STATUS_EDGE_BADGES])


extern const ngx_http_status_edge_renderer_t
    ngx_http_status_edge_badges_renderer;


#endif /* _NGX_HTTP_STATUS_EDGE_RENDER_BADGES_H_INCLUDED_ */
