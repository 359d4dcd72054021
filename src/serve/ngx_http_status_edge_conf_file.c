
/*
 * status-edge: a file named in a directive (a template), read whole at
 * configuration time.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_conf_file.h"


/*
 * Reads a whole file named in a directive, relative to the prefix, into
 * cf->temp_pool: the template directives parse it once and drop the text.
 * "name" is made absolute in place for the caller's own messages.
 */

ngx_int_t
ngx_http_status_edge_conf_read_file(ngx_conf_t *cf, ngx_str_t *name,
    size_t max, const char *what, u_char **text, size_t *len)
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
        p = ngx_pnalloc(cf->temp_pool, ngx_file_size(&fi) + 1);
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

    *text = p;
    *len = n;

    return NGX_OK;
}
