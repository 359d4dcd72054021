
/*
 * status-edge: the banner filter.  While an incident or maintenance is
 * active it inserts the banner rendered for this state and variant right
 * after the opening <body> tag of eligible HTML responses, streaming:
 * the upstream's buffers are forwarded, not copied, and only the one
 * that holds the end of the tag is split.  Any failure passes the rest
 * of the response through unchanged.  Which banner applies, if any, is
 * decided per request by ngx_http_status_edge_banner_decide.c.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_banner_filter.h"
#include "ngx_http_status_edge_banner_decide.h"
#include "ngx_http_status_edge_response.h"
#include "ngx_http_status_edge_publish.h"
#include "se_core.h"
#include "se_banner.h"
#include "se_scan.h"
#include "se_scan_memo.h"


#define NGX_HTTP_STATUS_EDGE_NONCE_MAX  128

/* a head up to this long is copied in front of the banner, not split */
#define NGX_HTTP_STATUS_EDGE_HEAD_COPY  512



/* the upstream buffer split around the banner, with up to three links */
typedef struct {
    ngx_buf_t                      head;
    ngx_buf_t                      banner;
    ngx_buf_t                      tail;
    ngx_chain_t                    cl[3];
} ngx_http_status_edge_split_t;


static ngx_int_t ngx_http_status_edge_header_filter(ngx_http_request_t *r);
static void ngx_http_status_edge_revalidated(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx);
static ngx_uint_t ngx_http_status_edge_html(ngx_http_request_t *r);
static ngx_int_t ngx_http_status_edge_weak_etag(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx);
static void ngx_http_status_edge_nonce(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx);
static ngx_int_t ngx_http_status_edge_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static ngx_int_t ngx_http_status_edge_send_header(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx);
static int ngx_http_status_edge_scan_first(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx, ngx_buf_t *b, size_t *pos);
static ngx_chain_t *ngx_http_status_edge_insert(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx, ngx_chain_t *in, ngx_chain_t *at,
    size_t pos);
static ngx_http_status_edge_split_t *ngx_http_status_edge_banner_buf(
    ngx_http_request_t *r, ngx_http_status_edge_ctx_t *ctx, u_char *head,
    size_t head_len);
static void ngx_http_status_edge_release_upstream(
    ngx_http_status_edge_ctx_t *ctx);


/*
 * A page with a banner depends on the state, the language and the
 * dismissal cookie: no cache may keep it past the incident, and the weak
 * ETag lets the browser revalidate cheaply.
 */
static ngx_str_t  ngx_http_status_edge_revalidate =
    ngx_string("private, no-cache");


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;
static ngx_http_output_body_filter_pt    ngx_http_next_body_filter;


ngx_int_t
ngx_http_status_edge_banner_filter_init(ngx_conf_t *cf)
{
    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_status_edge_header_filter;

    ngx_http_next_body_filter = ngx_http_top_body_filter;
    ngx_http_top_body_filter = ngx_http_status_edge_body_filter;

    return NGX_OK;
}


static ngx_int_t
ngx_http_status_edge_header_filter(ngx_http_request_t *r)
{
    ngx_http_status_edge_ctx_t       *ctx;
    ngx_http_status_edge_loc_conf_t  *slcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_status_edge_module);

    if (!slcf->banner || slcf->endpoint || r != r->main) {
        goto pass;
    }

    if (r->headers_out.status == NGX_HTTP_NOT_MODIFIED) {
        ctx = ngx_http_get_module_ctx(r, ngx_http_status_edge_module);

        if (ctx && ctx->revalidate && ctx->snap) {
            ngx_http_status_edge_revalidated(r, ctx);
        }

        goto pass;
    }

    if (r->header_only
        || r->headers_out.status != NGX_HTTP_OK
        || r->headers_out.content_length_n == 0
        || (r->headers_out.content_encoding
            && r->headers_out.content_encoding->value.len))
    {
        goto pass;
    }

    ctx = ngx_http_status_edge_banner_ctx(r);

    if (ctx == NULL || ctx->banner == NULL
        || (!ngx_http_status_edge_html(r)
            && (ngx_http_test_content_type(r, &slcf->banner_types) == NULL
                || (r->headers_out.content_type.len
                    >= sizeof("text/event-stream") - 1
                    && ngx_strncasecmp(r->headers_out.content_type.data,
                                       (u_char *) "text/event-stream",
                                       sizeof("text/event-stream") - 1)
                       == 0))))
    {
        goto pass;
    }

    ngx_http_status_edge_nonce(r, ctx);

    se_scan_init(&ctx->scan, slcf->banner_window);
    ctx->filtering = 1;

    ctx->length = r->headers_out.content_length_n;

    r->filter_need_in_memory = 1;

    /*
     * The header waits for the first body buffers: when they hold the
     * end of the <body> tag, the page keeps an exact Content-Length and
     * goes out unchunked, as the upstream sent it; when they show that
     * there is none, the page and its headers go out untouched.
     */

    ctx->header = 1;

    return NGX_OK;

pass:

    /* not eligible: a banner decided for the request is not needed */

    ctx = ngx_http_get_module_ctx(r, ngx_http_status_edge_module);

    if (ctx && ctx->snap && !ctx->filtering) {
        ngx_http_status_edge_banner_done(r, ctx);
    }

    return ngx_http_next_header_filter(r);
}


/*
 * The origin's 304 to the upstream's part of our validator, of this
 * request's state: the client's copy, with this banner, is current.  The
 * 304 repeats what that copy was sent with: our weak ETag, no
 * Last-Modified, no caching past the incident.
 */

static void
ngx_http_status_edge_revalidated(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx)
{
    if (ngx_http_status_edge_weak_etag(r, ctx) != NGX_OK) {
        ngx_http_clear_etag(r);
    }

    ngx_http_clear_last_modified(r);
    (void) ngx_http_status_edge_set_cache_control(r,
                                            &ngx_http_status_edge_revalidate);

    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "status edge: 304 for the page with the banner");
}


/*
 * Whether the response is text/html, the type that every value of
 * status_edge_banner_types lets through: ngx_http_types_slot() puts its
 * default (ngx_http_html_default_types, "text/html") first in any list,
 * "*" lets every type through, and the default list is text/html.  What
 * ngx_http_test_content_type() would find, without the hash: the same
 * content_type_len (the type without a "; charset=" parameter), any case.
 * The first 8 bytes are compared at once: OR-ing 0x20 into the letters
 * only ('/' excluded) folds 'A'-'Z' and nothing else onto the lowercase.
 */

static ngx_uint_t
ngx_http_status_edge_html(ngx_http_request_t *r)
{
    u_char    *p;
    uint64_t   v, fold, want;

    static const u_char  folds[8] = { 0x20, 0x20, 0x20, 0x20,
                                      0, 0x20, 0x20, 0x20 };

    if (r->headers_out.content_type_len != sizeof("text/html") - 1
        || r->headers_out.content_type.len < sizeof("text/html") - 1)
    {
        return 0;
    }

    p = r->headers_out.content_type.data;

    ngx_memcpy(&v, p, 8);
    ngx_memcpy(&fold, folds, 8);
    ngx_memcpy(&want, "text/htm", 8);

    return (v | fold) == want && (p[8] | 0x20) == 'l';
}


/*
 * The header, once the first body buffers are seen.  A page where the
 * banner went in (ctx->tail), or may still go (no decision yet), is no
 * longer the upstream's: a weak ETag of both, no Last-Modified, no
 * ranges, no caching.  A page without a body tag (or where the
 * insertion failed) leaves with the headers the upstream sent.
 */

static ngx_int_t
ngx_http_status_edge_send_header(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx)
{
    ctx->header = 0;

    if (ctx->done && ctx->tail == NULL) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "status edge: no banner, headers as sent");

        return ngx_http_next_header_filter(r);
    }

    ngx_http_clear_content_length(r);

    if (ctx->length >= 0 && ctx->done) {
        r->headers_out.content_length_n = ctx->length + ctx->inserted;
    }

    if (ctx->snap == NULL || ngx_http_status_edge_weak_etag(r, ctx) != NGX_OK)
    {
        /* no validator rather than the upstream's for another page */
        ngx_http_clear_etag(r);
    }

    ngx_http_clear_last_modified(r);
    ngx_http_clear_accept_ranges(r);
    r->allow_ranges = 0;

    (void) ngx_http_status_edge_set_cache_control(r,
                                            &ngx_http_status_edge_revalidate);

    return ngx_http_next_header_filter(r);
}


/*
 * W/"<upstream tag>-se<state hash>": a page with another banner differs;
 * "-sw" instead of "-se" when the upstream's tag is weak, so that the
 * tag revalidated with is the one it sent (see
 * ngx_http_status_edge_conditional()).
 */

static ngx_int_t
ngx_http_status_edge_weak_etag(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx)
{
    u_char           *p, *start;
    size_t            len;
    ngx_uint_t        weak;
    ngx_table_elt_t  *etag;

    etag = r->headers_out.etag;

    if (etag == NULL) {
        return NGX_OK;
    }

    start = etag->value.data;
    len = etag->value.len;
    weak = 0;

    if (len > 2 && start[0] == 'W' && start[1] == '/') {
        start += 2;
        len -= 2;
        weak = 1;
    }

    if (len < 2 || start[0] != '"' || start[len - 1] != '"') {
        ngx_http_clear_etag(r);
        return NGX_OK;
    }

    /* "W/", the tag without its closing quote, "-se<hash>\"" */

    p = ngx_pnalloc(r->pool,
                    2 + len - 1 + sizeof(ctx->snap->etag_suffix));
    if (p == NULL) {
        return NGX_ERROR;
    }

    etag->value.data = p;
    p = ngx_cpymem(p, "W/", 2);
    p = ngx_cpymem(p, start, len - 1);
    p = ngx_cpymem(p, ctx->snap->etag_suffix,
                   sizeof(ctx->snap->etag_suffix));
    etag->value.len = p - etag->value.data;

    if (weak) {
        p[-(ssize_t) sizeof(ctx->snap->etag_suffix) + 2] = 'w';
    }

    return NGX_OK;
}


/*
 * The response's CSP nonce for an inline <style>: from the directive
 * that governs <style> elements (style-src-elem, else style-src, else
 * default-src), so the policy really allows it; else the banner links
 * its same-origin stylesheet.
 */

static void
ngx_http_status_edge_nonce(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx)
{
    u_char           *p, *last, *dir, *end, *start;
    u_char           *found[3], *found_end[3];
    ngx_uint_t        i, n;
    ngx_table_elt_t  *csp;

    static ngx_str_t  names[] = {
        ngx_string("style-src-elem"),
        ngx_string("style-src"),
        ngx_string("default-src"),
    };

    csp = ngx_http_status_edge_header(&r->headers_out.headers,
                                      "content-security-policy",
                                      sizeof("content-security-policy") - 1);
    if (csp == NULL) {
        return;
    }

    ngx_memzero(found, sizeof(found));
    ngx_memzero(found_end, sizeof(found_end));

    p = csp->value.data;
    last = p + csp->value.len;

    while (p < last) {
        while (p < last && (*p == ' ' || *p == '\t' || *p == ';')) {
            p++;
        }

        dir = p;

        while (p < last && *p != ';') {
            p++;
        }

        end = p;

        for (i = 0; i < 3; i++) {
            n = names[i].len;

            if ((size_t) (end - dir) >= n
                && ngx_strncasecmp(dir, names[i].data, n) == 0
                && (dir + n == end || dir[n] == ' ' || dir[n] == '\t')
                && found[i] == NULL)
            {
                found[i] = dir + n;
                found_end[i] = end;
            }
        }
    }

    for (i = 0; i < 3 && found[i] == NULL; i++) { /* void */ }

    if (i == 3) {
        return;
    }

    p = ngx_strlcasestrn(found[i], found_end[i], (u_char *) "'nonce-",
                         7 - 1);
    if (p == NULL) {
        return;
    }

    start = p + 7;
    last = found_end[i];

    for (p = start; p < last && *p != '\''; p++) {
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')
              || (*p >= '0' && *p <= '9') || *p == '+' || *p == '/'
              || *p == '=' || *p == '-' || *p == '_'))
        {
            return;
        }
    }

    if (p == last || p == start
        || p - start > NGX_HTTP_STATUS_EDGE_NONCE_MAX)
    {
        return;
    }

    ctx->nonce.data = start;
    ctx->nonce.len = p - start;
}


static ngx_int_t
ngx_http_status_edge_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    size_t                       pos;
    ngx_int_t                    rc;
    ngx_chain_t                 *cl, *out;
    ngx_http_status_edge_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_status_edge_module);

    if (ctx == NULL || !ctx->filtering) {
        return ngx_http_next_body_filter(r, in);
    }

    out = in;

    for (cl = in; cl && !ctx->done; cl = cl->next) {

        if (!ngx_buf_in_memory(cl->buf) || ngx_buf_size(cl->buf) == 0) {
            if (cl->buf->in_file) {
                /* not expected with filter_need_in_memory: pass it all */
                ctx->done = 1;
                break;
            }

            if (cl->buf->last_buf) {
                /* the end, and no body tag: the page as it came */
                ctx->done = 1;
            }

            continue;
        }

        if (ctx->fed) {
            rc = se_scan_feed(&ctx->scan, cl->buf->pos,
                              cl->buf->last - cl->buf->pos, &pos);

        } else {
            ctx->fed = 1;
            rc = ngx_http_status_edge_scan_first(r, ctx, cl->buf, &pos);
        }

        if (rc == SE_AGAIN) {
            ctx->received += cl->buf->last - cl->buf->pos;

            if (cl->buf->last_buf
                || (ctx->length >= 0 && ctx->received >= ctx->length))
            {
                /* the whole page, and no body tag: the page as it came */
                ctx->done = 1;
            }

            continue;
        }

        ctx->done = 1;

        if (rc == SE_OK) {
            out = ngx_http_status_edge_insert(r, ctx, in, cl, pos);
            if (out == NULL) {
                out = in;
            }
        }
    }

    if (ctx->header) {
        /* the weak ETag is made from the state still held */

        rc = ngx_http_status_edge_send_header(r, ctx);

        if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
            return rc;
        }
    }

    if (ctx->done && ctx->snap) {
        /* the banner's bytes are in the request's pool now */
        ngx_http_status_edge_banner_done(r, ctx);
    }

    rc = ngx_http_next_body_filter(r, out);

    ngx_http_status_edge_release_upstream(ctx);

    return rc;
}


/*
 * The first piece of the page: a page that begins like the last one
 * scanned in this location (one template, one static page) has the same
 * insertion point, found with one memcmp() of the bytes before it, and
 * one that begins with the same first steps of 512 bytes is scanned from
 * there on only.
 */

static int
ngx_http_status_edge_scan_first(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx, ngx_buf_t *b, size_t *pos)
{
    se_scan_memo_t                   *memo;
    ngx_http_status_edge_loc_conf_t  *slcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_status_edge_module);
    memo = slcf->banner_memo;

    if (memo == NULL) {
        /* the worker's cycle outlives any request of its configuration */

        memo = ngx_palloc(ngx_cycle->pool, sizeof(se_scan_memo_t));
        if (memo == NULL) {
            return se_scan_feed(&ctx->scan, b->pos, b->last - b->pos, pos);
        }

        se_scan_memo_init(memo, slcf->banner_window);
        slcf->banner_memo = memo;
    }

    return se_scan_memo_feed(memo, &ctx->scan, b->pos, b->last - b->pos,
                             pos);
}


/*
 * The chain with the banner after pos bytes of at's buffer: the buffers
 * before at are passed as they are; at's is split into two pieces that
 * point into it ("head" and "tail") around one buffer of banner bytes,
 * and the original is marked consumed only when both pieces are sent.
 * A short head is copied in front of the banner's bytes instead: one
 * buffer less through every filter after this one, for a few hundred
 * bytes copied.  NULL on failure: the caller passes in as is.
 */

static ngx_chain_t *
ngx_http_status_edge_insert(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx, ngx_chain_t *in, ngx_chain_t *at,
    size_t pos)
{
    ngx_buf_t                      *orig, *head, *tail, *b;
    ngx_uint_t                      copy;
    ngx_chain_t                    *out, *cl, **last;
    ngx_http_status_edge_split_t   *split;

    /* a fresh link per buffer before at: the caller's links stay put */

    out = NULL;
    last = &out;

    for (cl = in; cl != at; cl = cl->next) {
        *last = ngx_alloc_chain_link(r->pool);
        if (*last == NULL) {
            return NULL;
        }

        (*last)->buf = cl->buf;
        (*last)->next = NULL;
        last = &(*last)->next;
    }

    orig = at->buf;
    copy = (pos <= NGX_HTTP_STATUS_EDGE_HEAD_COPY);

    split = ngx_http_status_edge_banner_buf(r, ctx, orig->pos,
                                            copy ? pos : 0);
    if (split == NULL) {
        return NULL;
    }

    head = copy ? NULL : &split->head;
    b = &split->banner;
    tail = &split->tail;

    if (head) {
        ngx_memcpy(head, orig, sizeof(ngx_buf_t));
        head->last = orig->pos + pos;
        head->in_file = 0;
        head->file = NULL;
        head->shadow = NULL;
        head->last_buf = 0;
        head->last_in_chain = 0;
        head->flush = 0;
        head->sync = 0;
        head->recycled = 0;
        head->tag = (ngx_buf_tag_t) &ngx_http_status_edge_module;

        split->cl[0].buf = head;
        split->cl[0].next = &split->cl[1];
        *last = &split->cl[0];

    } else {
        *last = &split->cl[1];
    }

    ngx_memcpy(tail, orig, sizeof(ngx_buf_t));
    tail->pos = orig->pos + pos;
    tail->in_file = 0;
    tail->file = NULL;
    tail->shadow = orig;
    tail->tag = (ngx_buf_tag_t) &ngx_http_status_edge_module;

    if (ngx_buf_size(tail) == 0) {
        /* the tag ended the buffer: keep its flags on an empty buffer */
        tail->temporary = 0;
        tail->memory = 0;
        tail->mmap = 0;

        if (!tail->last_buf && !tail->flush && !tail->last_in_chain) {
            tail->sync = 1;
        }
    }

    split->cl[1].buf = b;
    split->cl[1].next = &split->cl[2];
    split->cl[2].buf = tail;
    split->cl[2].next = at->next;

    ctx->head = head;
    ctx->tail = tail;

    return out;
}


/*
 * The banner's bytes in one buffer (split->banner), after head_len bytes
 * of the page's head when it is copied:
 *   [<style nonce>CSS</style> | <link>] banner-head return-path banner-tail
 * The pieces are copied (a few hundred bytes): cheaper than a buffer and a
 * link each through every filter after this one.  One allocation holds
 * the three buffers and their links, the incident id (for the log, once
 * the state is given back) and the bytes.
 */

static ngx_http_status_edge_split_t *
ngx_http_status_edge_banner_buf(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx, u_char *head, size_t head_len)
{
    u_char                            *p, *data;
    size_t                             len, css_len, ret;
    ngx_buf_t                         *b;
    const char                        *css;
    se_banner_t                       *banner;
    ngx_http_status_edge_split_t      *split;
    ngx_http_status_edge_main_conf_t  *smcf;

    smcf = ngx_http_get_module_main_conf(r, ngx_http_status_edge_module);
    banner = &ctx->banner->banner;
    data = (u_char *) banner->data;
    ret = banner->ret;

    css = NULL;
    css_len = 0;

    if (ctx->nonce.len) {
        css = se_banner_css(&css_len);
        len = sizeof("<style nonce=\"\"></style>") - 1 + ctx->nonce.len
              + css_len;

    } else {
        len = smcf->css_link.len;
    }

    len += head_len + banner->len;

    if (ret != SE_BANNER_NO_RET) {
        /* percent-encoding at most triples the URI; "/" when refused */
        len += r->unparsed_uri.len * 3 + 1;
    }

    split = ngx_palloc(r->pool, sizeof(ngx_http_status_edge_split_t)
                                + ctx->incident.len + len);
    if (split == NULL) {
        return NULL;
    }

    p = (u_char *) &split[1];

    ngx_memcpy(p, ctx->incident.data, ctx->incident.len);
    ctx->incident.data = p;
    p += ctx->incident.len;

    b = &split->banner;

    ngx_memzero(b, sizeof(ngx_buf_t));
    b->pos = p;
    b->memory = 1;
    b->tag = (ngx_buf_tag_t) &ngx_http_status_edge_module;

    if (head_len) {
        p = ngx_cpymem(p, head, head_len);
    }

    if (css) {
        p = ngx_cpymem(p, "<style nonce=\"", sizeof("<style nonce=\"") - 1);
        p = ngx_cpymem(p, ctx->nonce.data, ctx->nonce.len);
        p = ngx_cpymem(p, "\">", sizeof("\">") - 1);
        p = ngx_cpymem(p, css, css_len);
        p = ngx_cpymem(p, "</style>", sizeof("</style>") - 1);

    } else {
        p = ngx_cpymem(p, smcf->css_link.data, smcf->css_link.len);
    }

    if (ret == SE_BANNER_NO_RET) {
        p = ngx_cpymem(p, data, banner->len);

    } else {
        p = ngx_cpymem(p, data, ret);
        p = (u_char *) se_banner_return_write((char *) p,
                                             (char *) r->unparsed_uri.data,
                                             r->unparsed_uri.len);
        p = ngx_cpymem(p, data + ret, banner->len - ret);
    }

    b->last = p;
    ctx->inserted = p - b->pos - head_len;

    return split;
}


/* the upstream's split buffer is free once both of its pieces are sent */

static void
ngx_http_status_edge_release_upstream(ngx_http_status_edge_ctx_t *ctx)
{
    if (ctx->tail == NULL
        || (ctx->head && ngx_buf_size(ctx->head) != 0)
        || (ngx_buf_in_memory(ctx->tail) && ngx_buf_size(ctx->tail) != 0))
    {
        return;
    }

    ctx->tail->shadow->pos = ctx->tail->shadow->last;
    ctx->tail = NULL;
    ctx->head = NULL;
}
