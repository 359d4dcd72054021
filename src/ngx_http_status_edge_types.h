
/*
 * status-edge: the types every layer of the nginx glue shares (the
 * configuration, the counters); functions are declared by the header of
 * the file that defines them.  It includes the core headers its own
 * declarations need and no more: a file includes what it uses itself.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_TYPES_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_TYPES_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "se_state.h"
#include "se_scan_memo.h"
#include "se_banner_tpl.h"
#include "se_page.h"
#include "se_uptime.h"


#define NGX_HTTP_STATUS_EDGE_PREFIX_MAX  128
#define NGX_HTTP_STATUS_EDGE_KEY_MAX     (NGX_HTTP_STATUS_EDGE_PREFIX_MAX + 32)


typedef struct ngx_http_status_edge_source_s    ngx_http_status_edge_source_t;
typedef struct ngx_http_status_edge_snapshot_s  ngx_http_status_edge_snapshot_t;
typedef struct ngx_http_status_edge_sentinel_s  ngx_http_status_edge_sentinel_t;

/* told of every state a source publishes */
typedef void (*ngx_http_status_edge_published_pt)(
    ngx_http_status_edge_source_t *source);


/*
 * One Redis address of status_edge_redis, resolved at configuration
 * time; a "sentinel=" entry has no address of its own: its Sentinels
 * name one at each connect (src/link/ngx_http_status_edge_sentinel.h).
 */
typedef struct {
    ngx_str_t                      name;
    struct sockaddr               *sockaddr;
    socklen_t                      socklen;
    ngx_str_t                      host;      /* as written: the TLS name */
    ngx_uint_t                     db;
    ngx_str_t                      user;
    ngx_str_t                      password;
    ngx_msec_t                     timeout;
    ngx_http_status_edge_sentinel_t *sentinel; /* NULL: an address */
    unsigned                       tls:1;
    unsigned                       resolve:1; /* a host name: at connect */
} ngx_http_status_edge_server_t;


/* the variants a state renders, from the configuration */
typedef struct {
    ngx_array_t                   *sets;      /* of ngx_array_t of se_str_t */
    ngx_str_t                      dismiss_url;
    se_banner_tpl_t               *tpl;       /* NULL: built-in markup */
    ngx_array_t                   *status_pages; /* of status_page_variant_t */
    u_char                         css_url[40]; /* versioned */
    ngx_uint_t                     status_page; /* some location serves */
    ngx_uint_t                     gate;      /* some location gates */
    ngx_uint_t                     badge;     /* some location has badges */
    ngx_uint_t                     uptime_days;
    se_uptime_weights_t            uptime_weights;
    ngx_uint_t                     subscribe; /* the page's form */
} ngx_http_status_edge_variants_t;


/* a status page configuration: rendered per state and language */
typedef struct {
    ngx_uint_t                     history_days;
    se_page_tpl_t                 *tpl;       /* NULL: built-in document */
} ngx_http_status_edge_status_page_variant_t;


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
    NGX_HTTP_STATUS_EDGE_EP_TEXT,             /* status.txt, by either */
    NGX_HTTP_STATUS_EDGE_EP_UPTIME,           /* components/ID/uptime.json */
    NGX_HTTP_STATUS_EDGE_EP_N
} ngx_http_status_edge_endpoint_e;


/*
 * A write to Redis for a request (a subscription): the reply, or NULL
 * when Redis could not be reached or did not answer in time (logged).
 * The module sets main_conf->write to the link's writer.
 */
struct redisReply;

typedef void (*ngx_http_status_edge_write_done_pt)(struct redisReply *reply,
    void *data);

typedef struct ngx_http_status_edge_main_conf_s
    ngx_http_status_edge_main_conf_t;

typedef ngx_int_t (*ngx_http_status_edge_write_pt)(
    ngx_http_status_edge_main_conf_t *smcf, int argc, const char **argv,
    const size_t *argvlen, ngx_http_status_edge_write_done_pt done,
    void *data);


struct ngx_http_status_edge_main_conf_s {
    ngx_array_t                    servers;   /* of server_t */
    ngx_str_t                      redis_ssl_trusted_certificate;
    ngx_str_t                      redis_ssl_certificate;
    ngx_str_t                      redis_ssl_certificate_key;
    ngx_str_t                      redis_ssl_name;
    ngx_flag_t                     redis_ssl_verify;
#if (NGX_SSL)
    ngx_ssl_t                     *redis_ssl; /* when an address has tls */
#endif
    ngx_resolver_t                *redis_resolver; /* http's, or NULL */
    ngx_msec_t                     redis_resolver_timeout;
    ngx_array_t                    sources;   /* of source_t * */
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
    ngx_array_t                    published; /* of published_pt */
    ngx_fd_t                       wakeup;    /* the reader's eventfd */
    ngx_str_t                      uptime_window; /* seconds of history */
    ngx_array_t                   *uptime_weights; /* as written */
    ngx_array_t                    write_servers; /* subscribe_redis */
    ngx_str_t                      subscribe_secret; /* the file's bytes */
    ngx_http_status_edge_write_pt  write;     /* the link's writer */
};


typedef struct {
    ngx_str_t                      prefix;
    ngx_http_status_edge_source_t *source;
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
    se_page_tpl_t                 *status_page_tpl;
    ngx_uint_t                     status_page_variant;

    ngx_flag_t                     gate;

    unsigned                       endpoint:1; /* a handler of ours; */
                                               /* not inherited */
} ngx_http_status_edge_loc_conf_t;


/*
 * The answers of the subscription endpoints (the form, the API, the
 * links of the mails), each a page or a JSON message, and counted.
 */
typedef enum {
    NGX_HTTP_STATUS_EDGE_MSG_PENDING = 0,     /* created, or mailed */
    NGX_HTTP_STATUS_EDGE_MSG_BAD,             /* 400 */
    NGX_HTTP_STATUS_EDGE_MSG_LIMIT,           /* 429 */
    NGX_HTTP_STATUS_EDGE_MSG_UNAVAILABLE,     /* 503 */
    NGX_HTTP_STATUS_EDGE_MSG_USE_POST,        /* 405 */
    NGX_HTTP_STATUS_EDGE_MSG_CONFIRM_ASK,     /* a link's GET: a button */
    NGX_HTTP_STATUS_EDGE_MSG_CONFIRMED,
    NGX_HTTP_STATUS_EDGE_MSG_UNSUB_ASK,
    NGX_HTTP_STATUS_EDGE_MSG_UNSUBSCRIBED,
    NGX_HTTP_STATUS_EDGE_MSG_FORGED,
    NGX_HTTP_STATUS_EDGE_MSG_EXPIRED,
    NGX_HTTP_STATUS_EDGE_MSG_GONE,            /* no such subscriber */
    NGX_HTTP_STATUS_EDGE_MSG_N
} ngx_http_status_edge_msg_e;


/* per-worker counters, reported by status_edge_metrics */
typedef struct {
    ngx_atomic_uint_t              requests[NGX_HTTP_STATUS_EDGE_EP_N];
    ngx_uint_t                     reconnects;
    ngx_uint_t                     connected;
    ngx_uint_t                     tracking;  /* Redis pushes changes */
    ngx_uint_t                     error_replies; /* each moved on */
    ngx_uint_t                     stale_replicas; /* found, left or read */
    ngx_uint_t                     events_open;
    ngx_uint_t                     events_refused;
    ngx_uint_t                     subscribe[NGX_HTTP_STATUS_EDGE_MSG_N];
} ngx_http_status_edge_stats_t;


extern ngx_module_t                   ngx_http_status_edge_module;
extern ngx_http_status_edge_stats_t   ngx_http_status_edge_stats;


#endif /* _NGX_HTTP_STATUS_EDGE_TYPES_H_INCLUDED_ */
