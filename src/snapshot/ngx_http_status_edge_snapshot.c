
/*
 * status-edge: a snapshot built from the encoded bytes of a Redis reply:
 * decoded, validated and derived by the core, given its ETag, then every
 * renderer of the table renders its artifact.  Runs in the build thread
 * (or on the event loop without threads): plain malloc, no log.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_snapshot.h"
#include "se_raw_codec.h"
#include "se_core.h"
#include "se_raw.h"


/* the snapshot, with one reference, the caller's; NULL: no memory */

ngx_http_status_edge_snapshot_t *
ngx_http_status_edge_snapshot_build(u_char *buf, size_t len,
    ngx_http_status_edge_variants_t *variants)
{
    se_raw_t                         *raw;
    ngx_uint_t                        i;
    se_state_t                       *state;
    ngx_http_status_edge_snapshot_t  *snap;

    if (se_raw_decode(buf, len, &raw) != SE_OK) {
        return NULL;
    }

    state = NULL;

    if (se_state_build(raw, &state) != SE_OK) {
        free(raw);
        return NULL;
    }

    free(raw);

    snap = calloc(1, sizeof(ngx_http_status_edge_snapshot_t)
                     + NGX_HTTP_STATUS_EDGE_ETAG_LEN);
    if (snap == NULL) {
        se_state_free(state);
        return NULL;
    }

    snap->state = state;
    snap->refs = 1;
    snap->refresh_at = INT64_MAX;

    /* a strong ETag per state, made once: requests only point at it */
    snap->etag.data = (u_char *) (snap + 1);
    snap->etag.len = ngx_sprintf(snap->etag.data, "\"se-%uL-%016xL\"",
                                 se_state_version(state),
                                 se_state_hash(state))
                     - snap->etag.data;

    ngx_sprintf(snap->etag_suffix, "-se%016xL\"", se_state_hash(state));

    for (i = 0; i < NGX_HTTP_STATUS_EDGE_RENDERER_N; i++) {
        if (ngx_http_status_edge_renderers[i]->render(snap, variants,
                                                      &snap->artifacts[i])
            != NGX_OK)
        {
            ngx_http_status_edge_snapshot_free(snap);
            return NULL;
        }
    }

    return snap;
}


void
ngx_http_status_edge_snapshot_free(ngx_http_status_edge_snapshot_t *snap)
{
    ngx_uint_t  i;

    for (i = 0; i < NGX_HTTP_STATUS_EDGE_RENDERER_N; i++) {
        if (snap->artifacts[i]) {
            ngx_http_status_edge_renderers[i]->free(snap->artifacts[i]);
        }
    }

    se_state_free(snap->state);
    free(snap);
}


/* a renderer's document's ETag, from its bytes */

void
ngx_http_status_edge_doc_etag(ngx_http_status_edge_doc_t *doc)
{
    doc->etag.data = doc->etag_data;
    doc->etag.len = ngx_sprintf(doc->etag_data, "\"sp-%016xL\"",
                                se_fnv(SE_FNV_OFFSET, doc->data, doc->len))
                    - doc->etag_data;
}
