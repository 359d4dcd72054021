
/*
 * status-edge: a template file named in a directive, read whole and
 * parsed at configuration time, so that a bad placeholder fails
 * "nginx -t" with its line instead of a request.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_conf_file.h"
#include "se_core.h"


/*
 * The template "what" in the file "name" (relative to the prefix, made
 * absolute in place), of at most "max" bytes, parsed by "parse" into
 * *tpl, which "tpl_free" frees with the configuration.  NGX_OK, or
 * NGX_ERROR with the error logged and *tpl as it was.
 */

ngx_int_t
ngx_http_status_edge_conf_template(ngx_conf_t *cf, ngx_str_t *name,
    size_t max, const char *what, ngx_http_status_edge_tpl_parse_pt parse,
    ngx_pool_cleanup_pt tpl_free, se_tpl_t **tpl)
{
    u_char              *text;
    size_t               n;
    se_tpl_t            *t;
    ngx_pool_cleanup_t  *cln;
    char                 err[256];

    if (ngx_http_status_edge_conf_read_file(cf, name, max, what,
                                            cf->temp_pool, &text, &n)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (parse((const char *) text, n, &t, err, sizeof(err)) != SE_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid %s \"%V\": %s", what, name, err);
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        tpl_free(t);
        return NGX_ERROR;
    }

    cln->handler = tpl_free;
    cln->data = t;

    *tpl = t;

    return NGX_OK;
}


/*
 * Reads a whole file into pool (cf->temp_pool for a template, parsed
 * once and the text dropped), NUL-terminated.
 */

ngx_int_t
ngx_http_status_edge_conf_read_file(ngx_conf_t *cf, ngx_str_t *name,
    size_t max, const char *what, ngx_pool_t *pool, u_char **text,
    size_t *len)
{
    u_char           *p;
    ssize_t           n;
    ngx_fd_t          fd;
    ngx_file_info_t   fi;

    if (ngx_conf_full_name(cf->cycle, name, 1) != NGX_OK) {
        return NGX_ERROR;
    }

    fd = ngx_open_file(name->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%V\" failed", name);
        return NGX_ERROR;
    }

    p = NULL;
    n = -1;

    if (ngx_fd_info(fd, &fi) != NGX_FILE_ERROR
        && (size_t) ngx_file_size(&fi) <= max)
    {
        p = ngx_pnalloc(pool, ngx_file_size(&fi) + 1);
        if (p) {
            n = ngx_read_fd(fd, p, ngx_file_size(&fi));
        }
    }

    ngx_close_file(fd);

    if (p == NULL || n != (ssize_t) ngx_file_size(&fi)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "cannot read %s \"%V\" (at most %uz bytes)",
                           what, name, max);
        return NGX_ERROR;
    }

    p[n] = '\0';
    *text = p;
    *len = n;

    return NGX_OK;
}
