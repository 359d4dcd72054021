
/*
 * status-edge: the maintenance pages of a state, per component set and
 * language.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_RENDER_GATE_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_RENDER_GATE_H_INCLUDED_


#include "ngx_http_status_edge_snapshot.h"
#include "se_model.h"


/* the maintenance page of one component set and language */
typedef struct {
    const se_incident_t           *record;    /* NULL: not gated */
    u_char                        *html;
    size_t                         len;
} ngx_http_status_edge_gate_t;


typedef struct {
    ngx_uint_t                     n;
    ngx_http_status_edge_gate_t    items[1];  /* n of them */
} ngx_http_status_edge_gates_t;


/* NULL: no location gates */
#define ngx_http_status_edge_gates(snap)                                     \
    ((ngx_http_status_edge_gates_t *)                                        \
         (snap)->artifacts[NGX_HTTP_STATUS_EDGE_GATE])


extern const ngx_http_status_edge_renderer_t
    ngx_http_status_edge_gate_renderer;


#endif /* _NGX_HTTP_STATUS_EDGE_RENDER_GATE_H_INCLUDED_ */
