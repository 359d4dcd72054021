
/*
 * status-edge: the banner a request gets, decided once per request (the
 * variables, the gate and the banner filter ask), and the request headers
 * kept from the upstream meanwhile.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_BANNER_DECIDE_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_BANNER_DECIDE_H_INCLUDED_


#include "ngx_http_status_edge_types.h"
#include "ngx_http_status_edge_render_banners.h"
#include "se_scan.h"


/* what a request's banner is, decided once per request */
typedef struct {
    ngx_http_status_edge_snapshot_t  *snap;      /* held while needed */
    ngx_pool_cleanup_t                hold;      /* ... by this record */
    ngx_http_status_edge_banner_t    *banner;    /* NULL: none, or done */
    ngx_str_t                         incident;  /* the banner's, if any */
    ngx_buf_t                        *head;      /* pieces that point */
    ngx_buf_t                        *tail;      /* into an upstream buf */
    se_scan_t                         scan;
    ngx_str_t                         nonce;
    off_t                             length;    /* upstream's, or -1 */
    off_t                             inserted;
    off_t                             received;  /* scanned, no tag */
    unsigned                          decided:1;
    unsigned                          header:1;  /* held until the body */
    unsigned                          filtering:1;
    unsigned                          done:1;
    unsigned                          fed:1;     /* the scan has begun */
    unsigned                          gated:1;   /* answered by the gate */
    unsigned                          applies:1; /* a banner applies */
    unsigned                          revalidate:1; /* our tag sent on */
} ngx_http_status_edge_ctx_t;


ngx_int_t ngx_http_status_edge_banner_precontent(ngx_http_request_t *r);
ngx_http_status_edge_ctx_t *ngx_http_status_edge_banner_decide(
    ngx_http_request_t *r, ngx_http_status_edge_ctx_t *ctx);
void ngx_http_status_edge_banner_done(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx);

/*
 * The request's banner, decided at the first call; inline, as the header
 * filter and the variables ask again for every request.
 */
static ngx_inline ngx_http_status_edge_ctx_t *
ngx_http_status_edge_banner_ctx(ngx_http_request_t *r)
{
    ngx_http_status_edge_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_status_edge_module);

    if (ctx && ctx->decided) {
        return ctx;
    }

    return ngx_http_status_edge_banner_decide(r, ctx);
}


#endif /* _NGX_HTTP_STATUS_EDGE_BANNER_DECIDE_H_INCLUDED_ */
