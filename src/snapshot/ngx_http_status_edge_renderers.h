
/*
 * status-edge: the table of renderers.  Every artifact rendered once per
 * state (banners, status page documents, gate pages, badges, status.txt)
 * is made by one renderer: ngx_http_status_edge_snapshot_build() calls
 * each render() in table order, ngx_http_status_edge_snapshot_free() each
 * free().  A new artifact is one renderer file and one entry here.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_RENDERERS_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_RENDERERS_H_INCLUDED_


#include "ngx_http_status_edge_types.h"


/* the index of a renderer's artifact in ngx_http_status_edge_snapshot_t */
typedef enum {
    NGX_HTTP_STATUS_EDGE_BANNERS = 0,
    NGX_HTTP_STATUS_EDGE_UPTIME,
    NGX_HTTP_STATUS_EDGE_STATUS_PAGE,
    NGX_HTTP_STATUS_EDGE_GATE,
    NGX_HTTP_STATUS_EDGE_BADGES,
    NGX_HTTP_STATUS_EDGE_TEXT,
    NGX_HTTP_STATUS_EDGE_RENDERER_N
} ngx_http_status_edge_artifact_e;


/*
 * render() runs in the build thread: plain malloc, no log.  It stores
 * what it allocates in *artifact as soon as it has it (NULL: nothing for
 * this configuration), so that free() releases a half-rendered artifact
 * too; free() is called for each artifact that is not NULL.
 */
typedef struct {
    const char                    *name;
    ngx_int_t                    (*render)(
        ngx_http_status_edge_snapshot_t *snap,
        ngx_http_status_edge_variants_t *variants, void **artifact);
    void                         (*free)(void *artifact);
} ngx_http_status_edge_renderer_t;


extern const ngx_http_status_edge_renderer_t
    *ngx_http_status_edge_renderers[NGX_HTTP_STATUS_EDGE_RENDERER_N];


#endif /* _NGX_HTTP_STATUS_EDGE_RENDERERS_H_INCLUDED_ */
