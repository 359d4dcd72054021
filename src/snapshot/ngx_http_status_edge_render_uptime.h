
/*
 * status-edge: the components' uptime of a state (se_uptime.h), derived
 * once per state and once per local midnight, and each component's
 * components/ID/uptime.json.  The status page and the badges show it.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_RENDER_UPTIME_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_RENDER_UPTIME_H_INCLUDED_


#include "ngx_http_status_edge_snapshot.h"
#include "se_uptime.h"


typedef struct {
    se_uptime_t                   *uptime;
    se_tz_t                       *tz;        /* the page's; NULL: UTC, */
                                              /* for the renderers after */
    ngx_uint_t                     n;         /* the model's components */
    ngx_http_status_edge_doc_t    *docs;      /* uptime.json; data NULL: */
                                              /* the component's is off */
} ngx_http_status_edge_uptime_docs_t;


/* NULL: no state, or out of memory in the build */
#define ngx_http_status_edge_uptime(snap)                                    \
    ((ngx_http_status_edge_uptime_docs_t *)                                  \
         (snap)->artifacts[NGX_HTTP_STATUS_EDGE_UPTIME])


/* the uptime.json of component id, NULL when none or its uptime is off */
ngx_http_status_edge_doc_t *ngx_http_status_edge_uptime_doc(
    ngx_http_status_edge_snapshot_t *snap, u_char *id, size_t len);


extern const ngx_http_status_edge_renderer_t
    ngx_http_status_edge_uptime_renderer;


#endif /* _NGX_HTTP_STATUS_EDGE_RENDER_UPTIME_H_INCLUDED_ */
