
/*
 * status-edge: types shared by the nginx glue files.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_compat.h"

#include "se_state.h"
#include "se_model.h"
#include "se_banner.h"
#include "se_scan_memo.h"
#include "se_banner_tpl.h"
#include "se_page.h"
#include "se_page_css.h"
#include "se_page_tpl.h"
#include "se_feed.h"
#include "se_gate.h"
#include "se_badge.h"


#define NGX_HTTP_STATUS_EDGE_PREFIX_MAX  128
#define NGX_HTTP_STATUS_EDGE_KEY_MAX     (NGX_HTTP_STATUS_EDGE_PREFIX_MAX + 32)


/* one Redis address of status_edge_redis, resolved at configuration time */
typedef struct {
    ngx_str_t                      name;
    ngx_str_t                      host;      /* numeric address text */
    in_port_t                      port;
    ngx_str_t                      unix_path; /* zero-terminated */
    ngx_uint_t                     db;
    ngx_str_t                      user;
    ngx_str_t                      password;
    ngx_msec_t                     timeout;
} ngx_http_status_edge_server_t;


/* a banner rendered for one variant: component set, audience, language */
typedef struct {
    const se_incident_t           *record;    /* NULL: no banner */
    se_banner_t                    banner;
} ngx_http_status_edge_banner_t;


/* the maintenance page of one component set and language */
typedef struct {
    const se_incident_t           *record;    /* NULL: not gated */
    u_char                        *html;
    size_t                         len;
} ngx_http_status_edge_gate_t;


/* a badge rendered with a state, and its strong ETag */
#define NGX_HTTP_STATUS_EDGE_SVG_ETAG                                        \
    (sizeof("\"se---badge--xx\"") + NGX_INT64_LEN + 16 + 64)

typedef struct {
    se_badge_t                     svg;
    ngx_str_t                      etag;
    u_char                         etag_data[NGX_HTTP_STATUS_EDGE_SVG_ETAG];
} ngx_http_status_edge_svg_t;


/* the variants a state renders, from the configuration */
typedef struct {
    ngx_array_t                   *sets;      /* of ngx_array_t of se_str_t */
    ngx_str_t                      dismiss_url;
    se_banner_tpl_t               *tpl;       /* NULL: built-in markup */
    ngx_array_t                   *pages;     /* of page_variant_t */
    ngx_uint_t                     status_page; /* some location serves */
    ngx_uint_t                     gate;      /* some location gates */
    ngx_uint_t                     badge;     /* some location has badges */
} ngx_http_status_edge_variants_t;


/* a status page configuration: rendered per state and language */
typedef struct {
    ngx_uint_t                     history_days;
    se_page_tpl_t                 *tpl;       /* NULL: built-in document */
} ngx_http_status_edge_page_variant_t;


/* a document rendered per state, with its strong content ETag */
typedef struct {
    u_char                        *data;
    size_t                         len;
    ngx_str_t                      etag;
    u_char                         etag_data[24]; /* "\"sp-<hash>\"" */
} ngx_http_status_edge_doc_t;


/* the status pages (per page variant and language) and the feeds */
typedef struct {
    ngx_http_status_edge_doc_t    *pages;
    ngx_uint_t                     npages;
    ngx_http_status_edge_doc_t     feeds[SE_FEED_N];
} ngx_http_status_edge_page_docs_t;


#define ngx_http_status_edge_variant(set, internal, lang)                    \
    (((set) * 2 + ((internal) ? 1 : 0)) * SE_LANG_N + (lang))


/* a loaded state shared by the requests that still send its bytes */
typedef struct {
    se_state_t                    *state;
    ngx_uint_t                     refs;
    ngx_str_t                      etag;      /* "se-<version>-<hash>" */
    u_char                         etag_suffix[20]; /* "-se<hash>\"" */
    ngx_http_status_edge_banner_t *banners;   /* per variant */
    ngx_uint_t                     nbanners;
    int64_t                        refresh_at; /* banners change by time */
    ngx_http_status_edge_page_docs_t  *page_docs; /* NULL: no status page */
    ngx_http_status_edge_gate_t   *gates;     /* per set and language */
    ngx_uint_t                     ngates;
    ngx_http_status_edge_svg_t    *badges;    /* overall, components */
    ngx_uint_t                     nbadges;
} ngx_http_status_edge_snapshot_t;


#define NGX_HTTP_STATUS_EDGE_ETAG_LEN                                        \
    (sizeof("\"se---\"") + NGX_INT64_LEN + 16)


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


/* one status page (key prefix): per-worker runtime state */
typedef struct {
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

    unsigned                       loading:1; /* snapshot EVAL sent */
    unsigned                       building:1;
    unsigned                       reload:1;  /* load again when done */
    unsigned                       refreshing:1; /* rebuilt for the time */
    unsigned                       stale:1;
} ngx_http_status_edge_page_t;


typedef enum {
    NGX_HTTP_STATUS_EDGE_EP_NOT_FOUND = SE_DOC_N,
    NGX_HTTP_STATUS_EDGE_EP_UNAVAILABLE,
    NGX_HTTP_STATUS_EDGE_EP_METRICS,
    NGX_HTTP_STATUS_EDGE_EP_GATE,
    NGX_HTTP_STATUS_EDGE_EP_BADGE,
    NGX_HTTP_STATUS_EDGE_EP_PAGE,             /* the page, its stylesheet */
    NGX_HTTP_STATUS_EDGE_EP_FEED,             /* history.atom, .rss */
    NGX_HTTP_STATUS_EDGE_EP_WIDGET,
    NGX_HTTP_STATUS_EDGE_EP_EVENTS,           /* streams accepted */
    NGX_HTTP_STATUS_EDGE_EP_N
} ngx_http_status_edge_endpoint_e;


typedef struct {
    ngx_array_t                    servers;   /* of server_t */
    ngx_array_t                    pages;     /* of page_t * */
    ngx_msec_t                     poll_interval;
    ngx_msec_t                     resync_interval;
    size_t                         shm_size;
    ngx_path_t                    *state_path; /* NULL: not on disk */
    ngx_uint_t                     handlers;  /* locations that serve */
    ngx_shm_zone_t                *shm_zone;
#if (NGX_THREADS)
    ngx_thread_pool_t             *thread_pool;
#endif
    ngx_http_status_edge_variants_t  variants;
    ngx_str_t                      css_url;
    ngx_str_t                      css_link;  /* <link rel=stylesheet> */
} ngx_http_status_edge_main_conf_t;


typedef struct {
    ngx_str_t                      prefix;
    ngx_http_status_edge_page_t   *page;
    time_t                         api_max_age;
    ngx_str_t                      cache_control;

    ngx_flag_t                     banner;
    ngx_hash_t                     banner_types;
    ngx_array_t                   *banner_types_keys;
    ngx_array_t                   *banner_components; /* of se_str_t */
    ngx_uint_t                     banner_set;
    ngx_http_complex_value_t      *audience;
    size_t                         banner_window;
    se_scan_memo_t                *banner_memo; /* per worker, lazily */
    time_t                         widget_max_age;
    ngx_uint_t                     events_max;
    ngx_msec_t                     events_heartbeat; /* 0: off */
    ngx_uint_t                     history_days;
    se_page_tpl_t                 *page_tpl;
    ngx_uint_t                     page_variant;

    ngx_flag_t                     gate;

    unsigned                       endpoint:1; /* a handler of ours; */
                                               /* not inherited */
} ngx_http_status_edge_loc_conf_t;


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


/* per-worker counters, reported by status_edge_metrics */
typedef struct {
    ngx_atomic_uint_t              requests[NGX_HTTP_STATUS_EDGE_EP_N];
    ngx_uint_t                     reconnects;
    ngx_uint_t                     connected;
    ngx_uint_t                     events_open;
    ngx_uint_t                     events_refused;
} ngx_http_status_edge_stats_t;


extern ngx_module_t                   ngx_http_status_edge_module;
extern ngx_http_status_edge_stats_t   ngx_http_status_edge_stats;


/* Redis adapter: ngx_http_status_edge_redis.c */
ngx_int_t ngx_http_status_edge_redis_start(ngx_cycle_t *cycle,
    ngx_http_status_edge_main_conf_t *smcf);
void ngx_http_status_edge_redis_stop(ngx_cycle_t *cycle);

void ngx_http_status_edge_redis_built(ngx_http_status_edge_page_t *page,
    ngx_int_t rc);

/* states: ngx_http_status_edge_state.c */
ngx_int_t ngx_http_status_edge_state_conf(ngx_conf_t *cf,
    ngx_http_status_edge_main_conf_t *smcf);
void ngx_http_status_edge_state_init_process(ngx_cycle_t *cycle,
    ngx_http_status_edge_main_conf_t *smcf);
void ngx_http_status_edge_state_exit_process(
    ngx_http_status_edge_main_conf_t *smcf);
ngx_int_t ngx_http_status_edge_update(ngx_http_status_edge_page_t *page,
    u_char *buf, size_t len, ngx_log_t *log);
void ngx_http_status_edge_free_banners(ngx_http_status_edge_banner_t *banners,
    ngx_uint_t n);
ngx_http_status_edge_snapshot_t *ngx_http_status_edge_acquire(
    ngx_http_request_t *r, ngx_http_status_edge_page_t *page);
void ngx_http_status_edge_release(ngx_http_status_edge_snapshot_t *snap);
void ngx_http_status_edge_unacquire_all(ngx_http_request_t *r);
void ngx_http_status_edge_hold(ngx_http_request_t *r,
    ngx_http_status_edge_snapshot_t *snap, ngx_pool_cleanup_t *cln);
void ngx_http_status_edge_unhold(ngx_pool_cleanup_t *cln);
void ngx_http_status_edge_publish(ngx_http_status_edge_page_t *page,
    ngx_http_status_edge_snapshot_t *snap);

/* the last state on disk: ngx_http_status_edge_store.c */
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

/* handlers: ngx_http_status_edge_api.c */
ngx_int_t ngx_http_status_edge_conf_read_file(ngx_conf_t *cf, ngx_str_t *name,
    size_t max, const char *what, u_char **text, size_t *len);

ngx_int_t ngx_http_status_edge_api_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_status_edge_metrics_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_status_edge_api_send(ngx_http_request_t *r, ngx_str_t *type,
    ngx_chain_t *out, off_t length);

/* response helpers: ngx_http_status_edge_http.c */
ngx_int_t ngx_http_status_edge_output(ngx_http_request_t *r, u_char *data,
    size_t len);
ngx_int_t ngx_http_status_edge_send_data(ngx_http_request_t *r,
    ngx_str_t *type, u_char *data, size_t len);
ngx_int_t ngx_http_status_edge_method(ngx_http_request_t *r,
    ngx_uint_t methods, ngx_str_t *allow);
ngx_table_elt_t *ngx_http_status_edge_push_header(ngx_http_request_t *r,
    ngx_str_t *key, ngx_str_t *value);
ngx_int_t ngx_http_status_edge_add_header(ngx_http_request_t *r,
    ngx_str_t *key, ngx_str_t *value);
ngx_int_t ngx_http_status_edge_set_etag(ngx_http_request_t *r,
    ngx_str_t *value);
ngx_int_t ngx_http_status_edge_add_headers(ngx_http_request_t *r,
    ngx_str_t *kv);
ngx_int_t ngx_http_status_edge_add_no_store(ngx_http_request_t *r);
ngx_int_t ngx_http_status_edge_options(ngx_http_request_t *r,
    ngx_str_t *allow_headers);
ngx_int_t ngx_http_status_edge_location_rest(ngx_http_request_t *r,
    u_char **rest);
se_lang_e ngx_http_status_edge_request_lang(ngx_http_request_t *r);
ngx_table_elt_t *ngx_http_status_edge_header(ngx_list_t *headers,
    const char *lowcase, size_t len);

/* status page and feeds: ngx_http_status_edge_page.c */
char *ngx_http_status_edge_status_page(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_status_edge_history_days(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_status_edge_page_template(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_status_edge_page_merge(ngx_conf_t *cf,
    ngx_http_status_edge_loc_conf_t *prev,
    ngx_http_status_edge_loc_conf_t *conf);
ngx_int_t ngx_http_status_edge_page_render(
    ngx_http_status_edge_snapshot_t *snap,
    ngx_http_status_edge_variants_t *variants);
void ngx_http_status_edge_page_free(ngx_http_status_edge_page_docs_t *docs);

/* banner filter: ngx_http_status_edge_filter.c */
ngx_int_t ngx_http_status_edge_filter_init(ngx_conf_t *cf);
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

/* banner helpers: ngx_http_status_edge_dismiss.c */
ngx_int_t ngx_http_status_edge_dismiss_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_status_edge_css_handler(ngx_http_request_t *r);

/* widget script: ngx_http_status_edge_widget.c */
ngx_int_t ngx_http_status_edge_widget_handler(ngx_http_request_t *r);
/* event streams: ngx_http_status_edge_events.c */
ngx_int_t ngx_http_status_edge_events_handler(ngx_http_request_t *r);
void ngx_http_status_edge_events_notify(ngx_http_status_edge_page_t *page);
char *ngx_http_status_edge_events_max_slot(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
char *ngx_http_status_edge_events_heartbeat_slot(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
/* maintenance gate: ngx_http_status_edge_gate.c */
ngx_int_t ngx_http_status_edge_gate_init(ngx_conf_t *cf);
ngx_int_t ngx_http_status_edge_gate_add_variables(ngx_conf_t *cf);
ngx_int_t ngx_http_status_edge_gate_render(
    ngx_http_status_edge_snapshot_t *snap,
    ngx_http_status_edge_variants_t *variants);
void ngx_http_status_edge_gate_free(ngx_http_status_edge_snapshot_t *snap);

/* SVG badge: ngx_http_status_edge_badge.c */
ngx_int_t ngx_http_status_edge_badge_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_status_edge_badge_render(
    ngx_http_status_edge_snapshot_t *snap,
    ngx_http_status_edge_variants_t *variants);
void ngx_http_status_edge_badge_free(ngx_http_status_edge_snapshot_t *snap);

/* variables: ngx_http_status_edge_variables.c */
ngx_int_t ngx_http_status_edge_add_variables(ngx_conf_t *cf);


#endif /* _NGX_HTTP_STATUS_EDGE_H_INCLUDED_ */
