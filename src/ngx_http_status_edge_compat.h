
/*
 * status-edge: what differs between the nginx builds the module loads
 * into.  Every nginx_version test of the glue is here.
 *
 * nginx 1.23.0 linked the headers of one name through ngx_table_elt_t's
 * next: Cookie and Cache-Control became lists of elements instead of
 * arrays of pointers, ngx_http_parse_multi_header_lines() takes the
 * request and the first element, and every element pushed needs next.
 * nginx 1.29.6 parses cookies apart, at ';' only: the module reads the
 * dismissal cookie as nginx reads $cookie_status_edge_dismissed.
 *
 * A module built with --with-compat loads into any nginx of its version
 * configured with --with-compat, threads or not: the thread pool calls
 * are weak, so that dlopen() resolves them to NULL in an nginx without
 * threads, where a state is then built on the event loop.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_COMPAT_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_COMPAT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


#if (nginx_version < 1022000)
#error status-edge needs nginx 1.22.0 or later
#endif


#if (NGX_THREADS)

#pragma weak ngx_thread_pool_add
#pragma weak ngx_thread_task_post

#define ngx_http_status_edge_have_threads()  (ngx_thread_pool_add != NULL)

#else

#define ngx_http_status_edge_have_threads()  0

#endif


/* a header element just pushed onto a list, before its fields are set */

static ngx_inline void
ngx_http_status_edge_header_unlinked(ngx_table_elt_t *h)
{
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif
}


/* the value of the request's cookie of that name: NGX_OK or NGX_DECLINED */

static ngx_inline ngx_int_t
ngx_http_status_edge_cookie(ngx_http_request_t *r, ngx_str_t *name,
    ngx_str_t *value)
{
#if (nginx_version >= 1029006)

    if (r->headers_in.cookie == NULL) {
        return NGX_DECLINED;
    }

    return ngx_http_parse_cookie_lines(r, r->headers_in.cookie, name, value)
           ? NGX_OK : NGX_DECLINED;

#elif (nginx_version >= 1023000)

    if (r->headers_in.cookie == NULL) {
        return NGX_DECLINED;
    }

    return ngx_http_parse_multi_header_lines(r, r->headers_in.cookie, name,
                                             value)
           ? NGX_OK : NGX_DECLINED;

#else

    if (r->headers_in.cookies.nelts == 0) {
        return NGX_DECLINED;
    }

    return ngx_http_parse_multi_header_lines(&r->headers_in.cookies, name,
                                             value)
           == NGX_DECLINED ? NGX_DECLINED : NGX_OK;

#endif
}


/* every Cache-Control header of the response, out of the response */

static ngx_inline void
ngx_http_status_edge_clear_cache_control(ngx_http_request_t *r)
{
#if (nginx_version >= 1023000)

    ngx_table_elt_t  *h;

    for (h = r->headers_out.cache_control; h; h = h->next) {
        h->hash = 0;
    }

    r->headers_out.cache_control = NULL;

#else

    ngx_uint_t         i;
    ngx_table_elt_t  **cc;

    cc = r->headers_out.cache_control.elts;

    for (i = 0; i < r->headers_out.cache_control.nelts; i++) {
        cc[i]->hash = 0;
    }

    r->headers_out.cache_control.nelts = 0;

#endif
}


#endif /* _NGX_HTTP_STATUS_EDGE_COMPAT_H_INCLUDED_ */
