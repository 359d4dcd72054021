
/*
 * status-edge: the per-request banner decision, and the request headers
 * kept from the upstream while a banner applies (Accept-Encoding, so the
 * page comes uncompressed; the validators, so the upstream's 304 does not
 * skip the banner), restored for the client's own conditional.  The
 * response side is ngx_http_status_edge_banner_filter.c.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_banner_decide.h"
#include "ngx_http_status_edge_response.h"
#include "ngx_http_status_edge_publish.h"
#include "ngx_http_status_edge_compat.h"
#include "se_banner.h"


#define NGX_HTTP_STATUS_EDGE_COOKIE   "status_edge_dismissed"

/* the request headers kept from the upstream while a banner applies */
#define NGX_HTTP_STATUS_EDGE_STRIP_AE     0x01  /* Accept-Encoding */
#define NGX_HTTP_STATUS_EDGE_STRIP_INM    0x02  /* If-None-Match */
#define NGX_HTTP_STATUS_EDGE_STRIP_DATES  0x04  /* If-(Un)Modified-Since, */
                                                /* If-Match */


static ngx_uint_t ngx_http_status_edge_upstream_page(ngx_http_request_t *r);
static ngx_uint_t ngx_http_status_edge_navigation(ngx_http_request_t *r);
static ngx_int_t ngx_http_status_edge_conditional(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx, ngx_table_elt_t *inm, ngx_str_t *tag);
static ngx_int_t ngx_http_status_edge_strip_request(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx);
static ngx_int_t ngx_http_status_edge_rewritten(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx);
static void ngx_http_status_edge_rewritten_mark(void *data);
static ngx_uint_t ngx_http_status_edge_stripped(ngx_table_elt_t *h,
    ngx_uint_t mask);
static ngx_int_t ngx_http_status_edge_dismissed(ngx_http_request_t *r,
    ngx_http_status_edge_banner_t *banner);


/*
 * The banner that applies to this request, from what the request says
 * (audience, language, dismissal cookie, Sec-Fetch-Dest); the response
 * decides later whether it can carry it.  Decided once per request, by
 * ngx_http_status_edge_banner_ctx() (ctx: the request's, not decided, or
 * NULL).
 */

ngx_http_status_edge_ctx_t *
ngx_http_status_edge_banner_decide(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx)
{
    ngx_str_t                         audience;
    ngx_uint_t                        internal, lang;
    ngx_table_elt_t                  *h;
    ngx_http_status_edge_banner_t    *banner;
    ngx_http_status_edge_banners_t   *banners;
    ngx_http_status_edge_snapshot_t  *snap;
    ngx_http_status_edge_loc_conf_t  *slcf;

    if (ctx == NULL) {
        ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_status_edge_ctx_t));
        if (ctx == NULL) {
            return NULL;
        }

        ngx_http_set_ctx(r, ctx, ngx_http_status_edge_module);
    }

    ctx->decided = 1;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_status_edge_module);

    /* the module's own answers (an endpoint, the gate) carry no banner */

    if (!slcf->banner || slcf->endpoint || ctx->gated
        || slcf->source == NULL || slcf->source->current == NULL
        || r != r->main || r->method != NGX_HTTP_GET)
    {
        return ctx;
    }

    internal = 0;

    if (slcf->audience) {
        if (ngx_http_complex_value(r, slcf->audience, &audience) != NGX_OK) {
            return ctx;
        }

        internal = (audience.len == 8
                    && ngx_strncmp(audience.data, "internal", 8) == 0);
    }

    lang = ngx_http_status_edge_request_lang(r);

    snap = slcf->source->current;

    banners = ngx_http_status_edge_banners(snap);

    if (banners == NULL) {
        return ctx;
    }

    banner = &banners->items[ngx_http_status_edge_variant(slcf->banner_set,
                                                          internal, lang)];

    if (banner->record == NULL) {
        return ctx;
    }

    /* Sec-Fetch-Dest and the cookie: read only when there is a banner */

    h = ngx_http_status_edge_header(&r->headers_in.headers,
                                    "sec-fetch-dest",
                                    sizeof("sec-fetch-dest") - 1);
    if (h && (h->value.len != 8
              || ngx_strncasecmp(h->value.data, (u_char *) "document", 8)
                 != 0))
    {
        return ctx;
    }

    if (ngx_http_status_edge_dismissed(r, banner) == NGX_OK) {
        return ctx;
    }

    /* the bytes stay valid while the request lives, whatever comes next */

    ngx_http_status_edge_request_acquire_cln(r, snap, &ctx->hold);

    ctx->snap = snap;
    ctx->banner = banner;
    ctx->applies = 1;

    /* the record lives as long as the snapshot the request holds */
    ctx->incident.data = (u_char *) banner->record->id.data;
    ctx->incident.len = banner->record->id.len;

    return ctx;
}


/*
 * The banner's bytes are copied or not needed any more: the snapshot is
 * given back at once rather than when the request ends, so a long
 * download or an event stream does not hold an old state for its life.
 * The incident id stays readable for $status_edge_incident in the log.
 */

void
ngx_http_status_edge_banner_done(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx)
{
    u_char  *p;

    if (ctx->snap == NULL) {
        return;
    }

    /* the id is copied already when the banner's bytes are */

    if (ctx->incident.data == (u_char *) ctx->banner->record->id.data) {
        p = ngx_pnalloc(r->pool, ctx->incident.len);
        if (p == NULL) {
            /* keep the snapshot, and the id in it, until the request ends */
            return;
        }

        ngx_memcpy(p, ctx->incident.data, ctx->incident.len);
        ctx->incident.data = p;
    }

    ngx_http_status_edge_request_release(&ctx->hold);

    ctx->snap = NULL;
    ctx->banner = NULL;
}


static ngx_int_t
ngx_http_status_edge_dismissed(ngx_http_request_t *r,
    ngx_http_status_edge_banner_t *banner)
{
    ngx_str_t  name, value;

    ngx_str_set(&name, NGX_HTTP_STATUS_EDGE_COOKIE);

    if (ngx_http_status_edge_cookie(r, &name, &value) != NGX_OK) {
        return NGX_DECLINED;
    }

    if (value.len == SE_BANNER_KEY_LEN - 1
        && ngx_strncmp(value.data, banner->banner.key, value.len) == 0)
    {
        return NGX_OK;
    }

    return NGX_DECLINED;
}


/*
 * Before the content handler: while a banner applies, the upstream is
 * asked for an identity body, and for a full page unless the client's
 * copy is one with this banner (see ngx_http_status_edge_conditional()).
 */

ngx_int_t
ngx_http_status_edge_banner_precontent(ngx_http_request_t *r)
{
    ngx_http_status_edge_ctx_t       *ctx;
    ngx_http_status_edge_loc_conf_t  *slcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_status_edge_module);

    if (!slcf->banner || slcf->endpoint || r != r->main) {
        return NGX_DECLINED;
    }

    ctx = ngx_http_status_edge_banner_ctx(r);

    if (ctx && ctx->banner && ngx_http_status_edge_upstream_page(r)) {
        if (ngx_http_status_edge_strip_request(r, ctx) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    return NGX_DECLINED;
}


/*
 * Whether the request may get an HTML page: not a client that accepts
 * no HTML at all (an API poller keeps its compression).  The module's
 * own endpoints (slcf->endpoint) never get here: they keep their 304s.
 */

static ngx_uint_t
ngx_http_status_edge_upstream_page(ngx_http_request_t *r)
{
    u_char           *p, *last;
    ngx_table_elt_t  *accept;

    accept = ngx_http_status_edge_request_accept(r);
    if (accept == NULL) {
        return 1;
    }

    p = accept->value.data;
    last = p + accept->value.len;

    return ngx_strlcasestrn(p, last, (u_char *) "text/html", 9 - 1) != NULL
           || ngx_strlcasestrn(p, last, (u_char *) "text/*", 6 - 1) != NULL
           || ngx_strlcasestrn(p, last, (u_char *) "*/*", 3 - 1) != NULL;
}


/*
 * A navigation: a browser showing a page (Sec-Fetch-Dest: document, or
 * an Accept that names text/html, as every browser's navigation does).
 * A copy such a request revalidates may be a page cached before the
 * incident, without the banner.  Script and stylesheet loads of browsers
 * without Sec-Fetch-Dest, curl and most bots send no Accept or one with
 * wildcards only: their copy is most likely not a page.
 */

static ngx_uint_t
ngx_http_status_edge_navigation(ngx_http_request_t *r)
{
    u_char           *p;
    ngx_table_elt_t  *h;

    h = ngx_http_status_edge_header(&r->headers_in.headers,
                                    "sec-fetch-dest",
                                    sizeof("sec-fetch-dest") - 1);
    if (h) {
        /* any other value has no banner: the request is not here */
        return 1;
    }

    h = ngx_http_status_edge_request_accept(r);
    if (h == NULL) {
        return 0;
    }

    p = h->value.data;

    return ngx_strlcasestrn(p, p + h->value.len, (u_char *) "text/html",
                            9 - 1)
           != NULL;
}


/*
 * The client's If-None-Match, read for the validators of pages with a
 * banner: W/"<upstream tag>-se<state hash>" (a strong upstream tag) or
 * W/"<upstream tag>-sw<state hash>" (a weak one), as
 * ngx_http_status_edge_weak_etag() makes them.
 *
 * NGX_OK: one of ours, of the state this request's banner comes from:
 * *tag is the upstream's own tag, to revalidate with ("T" or W/"T");
 * NGX_DONE: ours, all of another state (the client needs a full page);
 * NGX_DECLINED: none of ours (or not a list of entity tags).
 */

static ngx_int_t
ngx_http_status_edge_conditional(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx, ngx_table_elt_t *inm, ngx_str_t *tag)
{
    u_char      *p, *last, *start, *end, *ours, *d, *suffix;
    size_t       len;
    ngx_int_t    rc;
    ngx_uint_t   weak;

    /* "-se" + 16 hex digits, without the closing quote */
    len = sizeof(ctx->snap->etag_suffix) - 1;
    suffix = ctx->snap->etag_suffix;

    rc = NGX_DECLINED;

    p = inm->value.data;
    last = p + inm->value.len;

    for ( ;; ) {
        while (p < last && (*p == ' ' || *p == '\t' || *p == ',')) {
            p++;
        }

        if (p == last) {
            return rc;
        }

        weak = 0;

        if (last - p > 2 && p[0] == 'W' && p[1] == '/') {
            weak = 1;
            p += 2;
        }

        if (*p != '"') {
            return NGX_DECLINED;
        }

        start = ++p;

        while (p < last && *p != '"') {
            p++;
        }

        if (p == last) {
            return NGX_DECLINED;
        }

        end = p++;

        if (!weak || (size_t) (end - start) < len) {
            continue;
        }

        ours = end - len;

        if (ours[0] != '-' || ours[1] != 's'
            || (ours[2] != 'e' && ours[2] != 'w'))
        {
            continue;
        }

        if (ngx_strncmp(ours + 3, suffix + 3, len - 3) != 0) {
            if (rc == NGX_DECLINED) {
                rc = NGX_DONE;
            }

            continue;
        }

        /* the upstream's tag: "T" or W/"T", its weakness kept */

        weak = (ours[2] == 'w');

        tag->len = (weak ? 2 : 0) + 2 + (ours - start);
        tag->data = ngx_pnalloc(r->pool, tag->len);
        if (tag->data == NULL) {
            return NGX_ERROR;
        }

        d = tag->data;

        if (weak) {
            *d++ = 'W';
            *d++ = '/';
        }

        *d++ = '"';
        d = ngx_cpymem(d, start, ours - start);
        *d = '"';

        return NGX_OK;
    }
}


/*
 * The request toward the upstream while a banner may apply: without
 * Accept-Encoding, so that the page comes back as identity, able to
 * carry the banner (r->headers_in.accept_encoding stays: nginx's own
 * gzip still compresses the page for a client that asked), and with
 * the conditionals only where a 304 cannot leave the client with a
 * page without the banner (or with another state's):
 *   - our validator of this state: If-None-Match with the upstream's
 *     own tag, so that the origin can answer 304 (ctx->revalidate);
 *   - our validator of another state, or a navigation's validator of
 *     the origin (a page cached before the incident): no conditional,
 *     a full page;
 *   - otherwise (a script or stylesheet without Sec-Fetch-Dest, curl):
 *     the conditionals as the client sent them; a 304 leaves as the
 *     origin sent it, and a 200 page gets the banner.
 * Range and If-Range stay: a partial response gets no banner and a
 * resumed download still works.  The old list stays in the pool, so
 * pointers into it remain valid.
 */

static ngx_int_t
ngx_http_status_edge_strip_request(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx)
{
    ngx_int_t            rc;
    ngx_str_t            tag;
    ngx_uint_t           i, n, m, strip, mask;
    ngx_list_t           headers;
    ngx_list_part_t     *part;
    ngx_table_elt_t     *h, *nh, *inm;
    ngx_pool_cleanup_t  *cln;

#if (NGX_HTTP_GZIP || NGX_HTTP_HEADERS)

    /* nginx has already found the headers of interest, if any */

    if (r->headers_in.accept_encoding == NULL
        && r->headers_in.if_modified_since == NULL
        && r->headers_in.if_unmodified_since == NULL
        && r->headers_in.if_match == NULL
        && r->headers_in.if_none_match == NULL)
    {
        return NGX_OK;
    }

#endif

    mask = NGX_HTTP_STATUS_EDGE_STRIP_AE;
    ngx_str_null(&tag);

    inm = r->headers_in.if_none_match;
    rc = NGX_DECLINED;

    if (r->internal) {
        rc = ngx_http_status_edge_rewritten(r, ctx);

        if (rc == NGX_OK) {
            /* the headers were made for the upstream already */
            return NGX_OK;
        }
    }

    if (inm && rc == NGX_DECLINED) {
        rc = ngx_http_status_edge_conditional(r, ctx, inm, &tag);
        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }
    }

    if (rc == NGX_OK) {
        /* If-None-Match rewritten, the dates have no say beside it */
        mask |= NGX_HTTP_STATUS_EDGE_STRIP_INM
                | NGX_HTTP_STATUS_EDGE_STRIP_DATES;
        ctx->revalidate = 1;

        cln = ngx_pool_cleanup_add(r->pool, sizeof(ctx->snap->etag_suffix));
        if (cln == NULL) {
            return NGX_ERROR;
        }

        cln->handler = ngx_http_status_edge_rewritten_mark;
        ngx_memcpy(cln->data, ctx->snap->etag_suffix,
                   sizeof(ctx->snap->etag_suffix));

        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "status edge: revalidate with If-None-Match: %V",
                       &tag);

    } else if (rc == NGX_DONE || ngx_http_status_edge_navigation(r)) {
        mask |= NGX_HTTP_STATUS_EDGE_STRIP_INM
                | NGX_HTTP_STATUS_EDGE_STRIP_DATES;

        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "status edge: conditionals dropped (%s)",
                       rc == NGX_DONE ? "another state" : "navigation");
    }

    n = 0;
    strip = 0;

    for (part = &r->headers_in.headers.part; part; part = part->next) {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            n++;
            strip += ngx_http_status_edge_stripped(&h[i], mask);
        }
    }

    if (strip == 0) {
        return NGX_OK;
    }

    if (ngx_list_init(&headers, r->pool, n, sizeof(ngx_table_elt_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    inm = NULL;

    for (part = &r->headers_in.headers.part; part; part = part->next) {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            m = ngx_http_status_edge_stripped(&h[i], mask);

            /* If-None-Match: once, with the upstream's tag, or gone */

            if (m && (m != NGX_HTTP_STATUS_EDGE_STRIP_INM
                      || tag.len == 0 || inm != NULL))
            {
                continue;
            }

            nh = ngx_list_push(&headers);
            if (nh == NULL) {
                return NGX_ERROR;
            }

            *nh = h[i];

            if (m) {
                ngx_http_status_edge_header_unlinked(nh);
                nh->value = tag;
                inm = nh;
            }
        }
    }

    r->headers_in.headers = headers;

    if (mask & NGX_HTTP_STATUS_EDGE_STRIP_INM) {
        r->headers_in.if_none_match = inm;
    }

    if (mask & NGX_HTTP_STATUS_EDGE_STRIP_DATES) {
        r->headers_in.if_modified_since = NULL;
        r->headers_in.if_unmodified_since = NULL;
        r->headers_in.if_match = NULL;
    }

    return NGX_OK;
}


/*
 * After an internal redirect (try_files ... @app, error_page) the
 * module's ctx is gone and the request is decided again, its
 * If-None-Match holding the upstream's tag in place of ours: a mark in
 * the request's pool, with the state's ETag suffix, says so.  NGX_OK: the
 * upstream's tag of this state is in place (ctx->revalidate); NGX_DONE:
 * of another state since (no conditional may go on); NGX_DECLINED: none.
 */

static ngx_int_t
ngx_http_status_edge_rewritten(ngx_http_request_t *r,
    ngx_http_status_edge_ctx_t *ctx)
{
    ngx_pool_cleanup_t  *cln;

    for (cln = r->pool->cleanup; cln; cln = cln->next) {
        if (cln->handler != ngx_http_status_edge_rewritten_mark) {
            continue;
        }

        if (ngx_memcmp(cln->data, ctx->snap->etag_suffix,
                       sizeof(ctx->snap->etag_suffix))
            == 0)
        {
            ctx->revalidate = 1;

            ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "status edge: revalidate, after a redirect");

            return NGX_OK;
        }

        cln->handler = NULL;

        return NGX_DONE;
    }

    return NGX_DECLINED;
}


static void
ngx_http_status_edge_rewritten_mark(void *data)
{
    /* a mark only (see ngx_http_status_edge_rewritten()) */
}


/* which of the masked headers h is (0: none, or not masked) */

static ngx_uint_t
ngx_http_status_edge_stripped(ngx_table_elt_t *h, ngx_uint_t mask)
{
    ngx_uint_t  i;

    static struct {
        ngx_str_t   name;
        ngx_uint_t  mask;
    } names[] = {
        { ngx_string("accept-encoding"), NGX_HTTP_STATUS_EDGE_STRIP_AE },
        { ngx_string("if-none-match"), NGX_HTTP_STATUS_EDGE_STRIP_INM },
        { ngx_string("if-modified-since"),
          NGX_HTTP_STATUS_EDGE_STRIP_DATES },
        { ngx_string("if-unmodified-since"),
          NGX_HTTP_STATUS_EDGE_STRIP_DATES },
        { ngx_string("if-match"), NGX_HTTP_STATUS_EDGE_STRIP_DATES },
    };

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if ((mask & names[i].mask)
            && h->key.len == names[i].name.len
            && ngx_strncasecmp(h->key.data, names[i].name.data,
                               names[i].name.len)
               == 0)
        {
            return names[i].mask;
        }
    }

    return 0;
}
