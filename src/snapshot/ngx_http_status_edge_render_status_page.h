
/*
 * status-edge: the status page documents of a state: the page per page
 * variant and language, and the feeds.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_RENDER_STATUS_PAGE_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_RENDER_STATUS_PAGE_H_INCLUDED_


#include "ngx_http_status_edge_snapshot.h"
#include "se_feed.h"


typedef struct {
    ngx_http_status_edge_doc_t    *pages;
    ngx_uint_t                     npages;
    ngx_http_status_edge_doc_t     feeds[SE_FEED_N];
    ngx_http_status_edge_doc_t    *comp_feeds; /* SE_FEED_N per component */
    ngx_uint_t                     ncomps;    /* in model order */
} ngx_http_status_edge_status_page_docs_t;


/* NULL: no status page configured */
#define ngx_http_status_edge_status_page_docs(snap)                          \
    ((ngx_http_status_edge_status_page_docs_t *)                             \
         (snap)->artifacts[NGX_HTTP_STATUS_EDGE_STATUS_PAGE])


/* the feed of component id (history.atom?component=ID), NULL: none */
ngx_http_status_edge_doc_t *ngx_http_status_edge_component_feed(
    ngx_http_status_edge_snapshot_t *snap, u_char *id, size_t len,
    se_feed_e kind);


extern const ngx_http_status_edge_renderer_t
    ngx_http_status_edge_status_page_renderer;


#endif /* _NGX_HTTP_STATUS_EDGE_RENDER_STATUS_PAGE_H_INCLUDED_ */
