
/*
 * status-edge: one reader per nginx instance.  A lease in the shared zone
 * (pid, generation, heartbeat) says which worker holds the Redis link;
 * that worker reads, builds and saves each page's state into the zone,
 * and every other worker adopts the bytes saved there.  The link's status
 * and the counters an operator needs are kept in the zone as well, so
 * that every worker reports the same figures.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_READER_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_READER_H_INCLUDED_


#include "ngx_http_status_edge_types.h"


#define NGX_HTTP_STATUS_EDGE_ADDRESS_MAX  256
#define NGX_HTTP_STATUS_EDGE_ROLE_MAX     16


/* the reader's lease and the link it holds, in the zone */
typedef struct {
    ngx_pid_t                      pid;       /* 0: released */
    ngx_uint_t                     generation; /* leases taken */
    ngx_msec_t                     heartbeat; /* the holder's clock */
    ngx_uint_t                     connected;
    ngx_uint_t                     reconnects;
    ngx_uint_t                     tracking;  /* Redis pushes changes */
    ngx_uint_t                     error_replies;
    ngx_uint_t                     stale_replicas;
    size_t                         address_len;
    u_char                         address[NGX_HTTP_STATUS_EDGE_ADDRESS_MAX];
    size_t                         role_len;
    u_char                         role[NGX_HTTP_STATUS_EDGE_ROLE_MAX];
} ngx_http_status_edge_lease_t;


/* the version a worker serves, by its worker number */
typedef struct {
    ngx_pid_t                      pid;       /* 0: none */
    uint64_t                       version;
} ngx_http_status_edge_worker_version_t;


/* a page's figures for the whole instance, in the zone */
typedef struct {
    ngx_uint_t                     loads;
    ngx_uint_t                     load_errors;
    ngx_uint_t                     zone_full; /* states held: no room */
    ngx_uint_t                     holds;     /* held: it went backwards */
    ngx_uint_t                     holding;   /* 1 while one is held */
    time_t                         loaded_at;
    ngx_uint_t                     stale;
    ngx_uint_t                     nworkers;
    ngx_http_status_edge_worker_version_t  *workers;
} ngx_http_status_edge_page_stats_t;


/* the link's start when this worker becomes the reader, and its stop */
typedef ngx_int_t (*ngx_http_status_edge_reader_start_pt)(ngx_cycle_t *cycle,
    ngx_http_status_edge_main_conf_t *smcf);
typedef void (*ngx_http_status_edge_reader_stop_pt)(ngx_cycle_t *cycle);


ngx_int_t ngx_http_status_edge_reader_postconfiguration(ngx_conf_t *cf);
ngx_int_t ngx_http_status_edge_reader_init_process(ngx_cycle_t *cycle,
    ngx_http_status_edge_main_conf_t *smcf,
    ngx_http_status_edge_reader_start_pt start,
    ngx_http_status_edge_reader_stop_pt stop);
void ngx_http_status_edge_reader_exit_process(ngx_cycle_t *cycle);

void ngx_http_status_edge_reader_link_status(ngx_str_t *address,
    ngx_str_t *role, ngx_uint_t connected);
void ngx_http_status_edge_reader_updated(
    ngx_http_status_edge_source_t *source);

ngx_int_t ngx_http_status_edge_reader_lease(
    ngx_http_status_edge_lease_t *lease);
ngx_int_t ngx_http_status_edge_reader_page(
    ngx_http_status_edge_source_t *source,
    ngx_http_status_edge_page_stats_t *stats, ngx_pool_t *pool);


#endif /* _NGX_HTTP_STATUS_EDGE_READER_H_INCLUDED_ */
