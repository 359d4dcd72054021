
/*
 * status-edge: a snapshot, the state a worker serves: the core's state
 * (decoded, validated, derived, with its JSON documents), its ETag and
 * every artifact of the renderers' table, ready bytes for the requests.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_SNAPSHOT_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_SNAPSHOT_H_INCLUDED_


#include "ngx_http_status_edge_types.h"
#include "ngx_http_status_edge_renderers.h"
#include "se_state.h"


#define NGX_HTTP_STATUS_EDGE_ETAG_LEN                                        \
    (sizeof("\"se---\"") + NGX_INT64_LEN + 16)


/* a document rendered per state, with its strong content ETag */
typedef struct {
    u_char                        *data;
    size_t                         len;
    ngx_str_t                      etag;
    u_char                         etag_data[24]; /* "\"sp-<hash>\"" */
} ngx_http_status_edge_doc_t;


struct ngx_http_status_edge_snapshot_s {
    se_state_t                    *state;
    ngx_uint_t                     refs;      /* publish.c counts them */
    ngx_str_t                      etag;      /* "se-<version>-<hash>" */
    u_char                         etag_suffix[20]; /* "-se<hash>\"" */
    int64_t                        refresh_at; /* artifacts change by time */
    void                          *artifacts[NGX_HTTP_STATUS_EDGE_RENDERER_N];
};


ngx_http_status_edge_snapshot_t *ngx_http_status_edge_snapshot_build(
    u_char *buf, size_t len, ngx_http_status_edge_variants_t *variants);
void ngx_http_status_edge_snapshot_free(ngx_http_status_edge_snapshot_t *snap);
void ngx_http_status_edge_doc_etag(ngx_http_status_edge_doc_t *doc);


#endif /* _NGX_HTTP_STATUS_EDGE_SNAPSHOT_H_INCLUDED_ */
