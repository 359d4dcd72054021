
/*
 * status-edge: the last good state of every page on disk, in the
 * directory of status_edge_state_path, so that an nginx started anew
 * (a restart, a binary upgrade, a changed zone size) serves it at once,
 * even while Redis is down.
 *
 * One file per page, "<prefix, %-escaped>.state": a header (magic,
 * sequence, version, hash, time, length, CRC-32) and the encoded
 * snapshot.  The thread that built a state writes it, once the state is
 * in the zone (so a worker writes a page's file one state at a time): to
 * a temporary file, synced, then renamed over the old one; a write that
 * finds a later sequence on disk (another worker's) leaves it.  The
 * master reads the files once, when it creates the zone.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <sys/file.h>

#include "ngx_http_status_edge_store.h"


#define NGX_HTTP_STATUS_EDGE_STORE_MAGIC  "SEDGEST1"


static ngx_int_t ngx_http_status_edge_store_name(ngx_path_t *path,
    ngx_str_t *prefix, u_char *name, const char *suffix);
static void ngx_http_status_edge_store_file(
    ngx_http_status_edge_written_t *w);
static ngx_int_t ngx_http_status_edge_store_put(ngx_fd_t fd, u_char *p,
    size_t len);


static ngx_path_t  *ngx_http_status_edge_store_path;


void
ngx_http_status_edge_store_init_process(ngx_http_status_edge_main_conf_t *smcf)
{
    ngx_http_status_edge_store_path = smcf->state_path;
}


/*
 * Reads the page's file into buf (ngx_alloc'ed, NGX_OK), at most max
 * bytes; NGX_DECLINED when there is none, or none usable (logged).
 * In the master, at configuration time: a blocking read is fine there.
 */

ngx_int_t
ngx_http_status_edge_store_read(ngx_path_t *path, ngx_str_t *prefix,
    size_t max, ngx_http_status_edge_stored_t *st, ngx_log_t *log)
{
    u_char                               *buf;
    ssize_t                               n;
    ngx_fd_t                              fd;
    ngx_err_t                             err;
    ngx_file_info_t                       fi;
    ngx_http_status_edge_store_header_t   h;
    u_char                                name[NGX_MAX_PATH];

    if (ngx_http_status_edge_store_name(path, prefix, name, ".state")
        != NGX_OK)
    {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "status_edge: page \"%V\": \"status_edge_state_path\" "
                      "\"%V\" is too long for its file name", prefix,
                      &path->name);
        return NGX_DECLINED;
    }

    fd = ngx_open_file(name, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE) {
        err = ngx_errno;

        if (err != NGX_ENOENT) {
            ngx_log_error(NGX_LOG_WARN, log, err,
                          "status_edge: page \"%V\": " ngx_open_file_n
                          " \"%s\" failed, not starting from it",
                          prefix, name);
        }

        return NGX_DECLINED;
    }

    buf = NULL;

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_WARN, log, ngx_errno,
                      "status_edge: page \"%V\": " ngx_fd_info_n
                      " \"%s\" failed, not starting from it", prefix, name);
        goto failed;
    }

    n = read(fd, &h, sizeof(h));

    if (n != (ssize_t) sizeof(h)
        || ngx_memcmp(h.magic, NGX_HTTP_STATUS_EDGE_STORE_MAGIC, 8) != 0
        || h.len == 0
        || h.len != (uint64_t) ngx_file_size(&fi) - sizeof(h))
    {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "status_edge: page \"%V\": \"%s\" is not a whole saved "
                      "state, not starting from it", prefix, name);
        goto failed;
    }

    if (h.len > max) {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "status_edge: page \"%V\": the state saved in \"%s\" "
                      "(%uL bytes) does not fit in \"status_edge_shm_size\", "
                      "not starting from it", prefix, name, h.len);
        goto failed;
    }

    buf = ngx_alloc((size_t) h.len, log);
    if (buf == NULL) {
        goto failed;
    }

    n = read(fd, buf, (size_t) h.len);

    if (n != (ssize_t) h.len || ngx_crc32_long(buf, (size_t) n) != h.crc) {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "status_edge: page \"%V\": the state saved in \"%s\" "
                      "fails its checksum, not starting from it",
                      prefix, name);
        goto failed;
    }

    ngx_close_file(fd);

    st->data = buf;
    st->len = (size_t) h.len;
    st->seq = h.seq;
    st->version = h.version;
    st->hash = h.hash;
    st->saved_at = (time_t) h.saved_at;

    ngx_log_error(NGX_LOG_NOTICE, log, 0,
                  "status_edge: page \"%V\": starting from version %uL, "
                  "saved in \"%s\"", prefix, h.version, name);

    return NGX_OK;

failed:

    if (buf) {
        ngx_free(buf);
    }

    ngx_close_file(fd);

    return NGX_DECLINED;
}


/*
 * Writes the page's new state (st: its place in the order of saves) from
 * the thread that built it: blocking, logging nothing.  w says what
 * happened, for ngx_http_status_edge_store_log() on the event loop.
 */

void
ngx_http_status_edge_store_write(ngx_str_t *prefix, u_char *buf, size_t len,
    ngx_http_status_edge_stored_t *st, ngx_http_status_edge_written_t *w)
{
    u_char      *p;
    ngx_path_t  *path;

    path = ngx_http_status_edge_store_path;

    if (path == NULL) {
        return;
    }

    w->tried = 1;

    if (ngx_http_status_edge_store_name(path, prefix, w->name, ".state")
        != NGX_OK)
    {
        w->failed = "naming a file in";
        w->err = NGX_ENAMETOOLONG;
        ngx_memcpy(w->temp, path->name.data, path->name.len);
        w->temp[path->name.len] = '\0';
        return;
    }

    p = ngx_sprintf(w->temp, "%s.tmp.%P", w->name, ngx_pid);
    *p = '\0';

    ngx_memcpy(w->dir, path->name.data, path->name.len);
    w->dir[path->name.len] = '\0';

    ngx_memcpy(w->header.magic, NGX_HTTP_STATUS_EDGE_STORE_MAGIC, 8);
    w->header.seq = st->seq;
    w->header.version = st->version;
    w->header.hash = st->hash;
    w->header.saved_at = (int64_t) st->saved_at;
    w->header.len = len;
    w->header.crc = ngx_crc32_long(buf, len);

    w->data = buf;

    ngx_http_status_edge_store_file(w);

    w->data = NULL;
}


void
ngx_http_status_edge_store_log(ngx_str_t *prefix,
    ngx_http_status_edge_written_t *w, ngx_log_t *log)
{
    if (!w->tried) {
        return;
    }

    if (w->failed) {
        ngx_log_error(NGX_LOG_ERR, log, w->err,
                      "status_edge: page \"%V\": %s \"%s\" failed, the "
                      "state on disk is an older one", prefix, w->failed,
                      w->temp);

    } else if (w->newer) {
        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, log, 0,
                       "status_edge: page \"%V\" left \"%s\": a later state "
                       "is in", prefix, w->name);

    } else {
        ngx_log_debug3(NGX_LOG_DEBUG_HTTP, log, 0,
                       "status_edge: page \"%V\" wrote version %uL to \"%s\"",
                       prefix, w->header.version, w->name);
    }
}


static ngx_int_t
ngx_http_status_edge_store_name(ngx_path_t *path, ngx_str_t *prefix,
    u_char *name, const char *suffix)
{
    size_t   len;
    u_char  *p;

    len = ngx_strlen(suffix);

    if (path->name.len + 1 + prefix->len * 3 + len + NGX_INT64_LEN + 1
        > NGX_MAX_PATH)
    {
        return NGX_ERROR;
    }

    p = ngx_cpymem(name, path->name.data, path->name.len);
    *p++ = '/';
    p = (u_char *) ngx_escape_uri(p, prefix->data, prefix->len,
                                  NGX_ESCAPE_URI_COMPONENT);
    p = ngx_cpymem(p, suffix, len);
    *p = '\0';

    return NGX_OK;
}


static void
ngx_http_status_edge_store_file(ngx_http_status_edge_written_t *w)
{
    ssize_t                               n;
    ngx_fd_t                              fd, dir;
    ngx_http_status_edge_store_header_t   old;

    dir = NGX_INVALID_FILE;

    fd = ngx_open_file(w->temp, NGX_FILE_WRONLY, NGX_FILE_TRUNCATE,
                       NGX_FILE_DEFAULT_ACCESS);
    if (fd == NGX_INVALID_FILE) {
        w->failed = ngx_open_file_n;
        goto failed;
    }

    if (ngx_http_status_edge_store_put(fd, (u_char *) &w->header,
                                       sizeof(w->header))
        != NGX_OK
        || ngx_http_status_edge_store_put(fd, w->data, (size_t) w->header.len)
           != NGX_OK)
    {
        w->failed = "write()";
        goto failed;
    }

    if (fsync(fd) == -1) {
        w->failed = "fsync()";
        goto failed;
    }

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        fd = NGX_INVALID_FILE;
        w->failed = ngx_close_file_n;
        goto failed;
    }

    fd = NGX_INVALID_FILE;

    /* the directory's lock orders the workers' renames */

    dir = open((char *) w->dir, O_RDONLY|O_DIRECTORY);
    if (dir == NGX_INVALID_FILE || flock(dir, LOCK_EX) == -1) {
        w->failed = "open() or flock() of the directory";
        goto failed;
    }

    fd = ngx_open_file(w->name, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (fd != NGX_INVALID_FILE) {
        n = read(fd, &old, sizeof(old));
        ngx_close_file(fd);
        fd = NGX_INVALID_FILE;

        if (n == (ssize_t) sizeof(old)
            && ngx_memcmp(old.magic, NGX_HTTP_STATUS_EDGE_STORE_MAGIC, 8)
               == 0
            && old.seq > w->header.seq)
        {
            w->newer = 1;
            goto failed;
        }
    }

    if (ngx_rename_file(w->temp, w->name) == NGX_FILE_ERROR) {
        w->failed = ngx_rename_file_n;
        goto failed;
    }

    if (fsync(dir) == -1) {
        w->failed = "fsync() of the directory";
    }

    ngx_close_file(dir);

    w->err = ngx_errno;

    return;

failed:

    w->err = ngx_errno;

    if (fd != NGX_INVALID_FILE) {
        ngx_close_file(fd);
    }

    (void) ngx_delete_file(w->temp);

    if (dir != NGX_INVALID_FILE) {
        ngx_close_file(dir);
    }
}


static ngx_int_t
ngx_http_status_edge_store_put(ngx_fd_t fd, u_char *p, size_t len)
{
    ssize_t  n;

    while (len) {
        n = write(fd, p, len);

        if (n == -1) {
            if (ngx_errno == NGX_EINTR) {
                continue;
            }

            return NGX_ERROR;
        }

        p += n;
        len -= n;
    }

    return NGX_OK;
}
