
/*
 * status-edge: the last state of each source on disk
 * (status_edge_state_path), for a start while Redis is down.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_STORE_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_STORE_H_INCLUDED_


#include "ngx_http_status_edge_types.h"


/* a state saved on disk, or to be */
typedef struct {
    u_char                        *data;
    size_t                         len;
    uint64_t                       seq;       /* order of the saves */
    uint64_t                       version;
    uint64_t                       hash;
    time_t                         saved_at;
} ngx_http_status_edge_stored_t;


/* the header of a state's file */
typedef struct {
    u_char                         magic[8];
    uint64_t                       seq;
    uint64_t                       version;
    uint64_t                       hash;
    int64_t                        saved_at;
    uint64_t                       len;
    uint32_t                       crc;
    uint32_t                       reserved;
} ngx_http_status_edge_store_header_t;


/* a write of a state's file, done in a thread, logged on the event loop */
typedef struct {
    ngx_http_status_edge_store_header_t  header;
    u_char                        *data;
    const char                    *failed;    /* the call, NULL: written */
    ngx_err_t                      err;
    unsigned                       tried:1;
    unsigned                       newer:1;   /* left: a later one is in */
    u_char                         dir[NGX_MAX_PATH];
    u_char                         name[NGX_MAX_PATH];
    u_char                         temp[NGX_MAX_PATH];
} ngx_http_status_edge_written_t;


void ngx_http_status_edge_store_init_process(
    ngx_http_status_edge_main_conf_t *smcf);
ngx_int_t ngx_http_status_edge_store_read(ngx_path_t *path,
    ngx_str_t *prefix, size_t max, ngx_http_status_edge_stored_t *st,
    ngx_log_t *log);
void ngx_http_status_edge_store_write(ngx_str_t *prefix, u_char *buf,
    size_t len, ngx_http_status_edge_stored_t *st,
    ngx_http_status_edge_written_t *w);
void ngx_http_status_edge_store_log(ngx_str_t *prefix,
    ngx_http_status_edge_written_t *w, ngx_log_t *log);


#endif /* _NGX_HTTP_STATUS_EDGE_STORE_H_INCLUDED_ */
