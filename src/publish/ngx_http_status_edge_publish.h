
/*
 * status-edge: publication.  A source's snapshot is built off the event
 * loop, published by swapping one pointer, kept in the shared zone and on
 * disk; requests take a reference with an acquire and give it back with
 * a release.  A publication tells the hooks registered with
 * ngx_http_status_edge_publish_hook_add(); the end of an update calls
 * the source's updated handler.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_PUBLISH_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_PUBLISH_H_INCLUDED_


#include "ngx_http_status_edge_types.h"
#include "ngx_http_status_edge_snapshot.h"
#include "ngx_http_status_edge_reader.h"


/* one source (the key prefix of status_edge_page): per-worker state */
struct ngx_http_status_edge_source_s {
    ngx_str_t                      prefix;
    ngx_str_t                      channel;   /* prefix + "events" */

    ngx_http_status_edge_snapshot_t  *current;
    time_t                         loaded_at; /* last successful load */
    uint64_t                       hash;
    ngx_uint_t                     loads;
    ngx_uint_t                     load_errors;
    ngx_uint_t                     bad_records;
    uint64_t                       trimmed_records;

    u_char                        *held;      /* current's encoded bytes */
    size_t                         held_len;
    ngx_event_t                    refresh;   /* at current->refresh_at */
    uint64_t                       seq;       /* the zone's, of held */
    uint64_t                       full_version; /* logged: no room */

    /* states read but held back: they would have gone backwards */
    ngx_uint_t                     holds;
    se_order_t                     hold;      /* the last one, logged */

    unsigned                       loading:1; /* snapshot EVAL sent */
    unsigned                       building:1;
    unsigned                       reload:1;  /* load again when done */
    unsigned                       refreshing:1; /* rebuilt for the time */
    unsigned                       adopting:1; /* built from the zone */
    unsigned                       stale:1;
    unsigned                       holding:1; /* the last read is held */

    /*
     * The end of each update: NGX_OK, NGX_ERROR, or NGX_DECLINED when
     * nothing was loaded (a rebuild for the time, or a state held back)
     */
    void                         (*updated)(
        ngx_http_status_edge_source_t *source, ngx_int_t rc);
};


ngx_int_t ngx_http_status_edge_publish_conf(ngx_conf_t *cf,
    ngx_http_status_edge_main_conf_t *smcf);
ngx_int_t ngx_http_status_edge_publish_hook_add(ngx_conf_t *cf,
    ngx_http_status_edge_published_pt handler);
void ngx_http_status_edge_publish_init_process(ngx_cycle_t *cycle,
    ngx_http_status_edge_main_conf_t *smcf);
void ngx_http_status_edge_publish_exit_process(
    ngx_http_status_edge_main_conf_t *smcf);

ngx_int_t ngx_http_status_edge_update(ngx_http_status_edge_source_t *source,
    u_char *buf, size_t len, ngx_log_t *log);
void ngx_http_status_edge_publish(ngx_http_status_edge_source_t *source,
    ngx_http_status_edge_snapshot_t *snap);

void ngx_http_status_edge_release(ngx_http_status_edge_snapshot_t *snap);
ngx_http_status_edge_snapshot_t *ngx_http_status_edge_request_acquire(
    ngx_http_request_t *r, ngx_http_status_edge_source_t *source);
void ngx_http_status_edge_request_acquire_cln(ngx_http_request_t *r,
    ngx_http_status_edge_snapshot_t *snap, ngx_pool_cleanup_t *cln);
void ngx_http_status_edge_request_release(ngx_pool_cleanup_t *cln);
void ngx_http_status_edge_request_release_all(ngx_http_request_t *r);

ngx_http_status_edge_lease_t *ngx_http_status_edge_zone_lease(
    ngx_slab_pool_t **shpool);
ngx_http_status_edge_page_stats_t *ngx_http_status_edge_zone_page_locked(
    ngx_str_t *prefix);
uint64_t ngx_http_status_edge_zone_seq(void);
ngx_int_t ngx_http_status_edge_zone_copy(ngx_str_t *prefix, uint64_t seen,
    u_char **buf, size_t *len, uint64_t *seq, ngx_log_t *log);


#endif /* _NGX_HTTP_STATUS_EDGE_PUBLISH_H_INCLUDED_ */
