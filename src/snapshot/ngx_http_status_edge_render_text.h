
/*
 * status-edge: status.txt, the plain-text status document of a state,
 * for terminals and scripts.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_RENDER_TEXT_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_RENDER_TEXT_H_INCLUDED_


#include "ngx_http_status_edge_snapshot.h"


/* NULL: no location serves it */
#define ngx_http_status_edge_text(snap)                                      \
    ((ngx_http_status_edge_doc_t *)                                          \
         (snap)->artifacts[NGX_HTTP_STATUS_EDGE_TEXT])


extern const ngx_http_status_edge_renderer_t
    ngx_http_status_edge_text_renderer;


#endif /* _NGX_HTTP_STATUS_EDGE_RENDER_TEXT_H_INCLUDED_ */
