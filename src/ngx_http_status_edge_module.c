
/*
 * status-edge: module definition, directives and configuration, and the
 * per-worker snapshots that requests borrow.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_publish.h"
#include "ngx_http_status_edge_redis.h"
#include "ngx_http_status_edge_writer.h"
#include "ngx_http_status_edge_subscribe.h"
#include "ngx_http_status_edge_sentinel.h"
#include "ngx_http_status_edge_conn.h"
#include "ngx_http_status_edge_api.h"
#include "ngx_http_status_edge_status_page.h"
#include "ngx_http_status_edge_uptime.h"
#include "ngx_http_status_edge_banner_decide.h"
#include "ngx_http_status_edge_banner_filter.h"
#include "ngx_http_status_edge_dismiss.h"
#include "ngx_http_status_edge_widget.h"
#include "ngx_http_status_edge_events.h"
#include "ngx_http_status_edge_gate.h"
#include "ngx_http_status_edge_badge.h"
#include "ngx_http_status_edge_variables.h"
#include "ngx_http_status_edge_conf_file.h"
#include "se_valid.h"
#include "se_html.h"
#include "se_core.h"
#include "se_model.h"
#include "se_scan.h"
#include "se_banner_tpl.h"


#define NGX_HTTP_STATUS_EDGE_DEFAULT_PAGE  "status:"
#define NGX_HTTP_STATUS_EDGE_REDIS_PORT    6379
#define NGX_HTTP_STATUS_EDGE_CSS_URL       "/status-edge/banner.css"
#define NGX_HTTP_STATUS_EDGE_DISMISS_URL   "/status-edge/dismiss"


static void *ngx_http_status_edge_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_status_edge_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_status_edge_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_status_edge_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);
static char *ngx_http_status_edge_redis(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_status_edge_redis_sentinel(ngx_conf_t *cf,
    ngx_http_status_edge_server_t *server, ngx_uint_t writes);
static char *ngx_http_status_edge_redis_option(ngx_conf_t *cf,
    ngx_http_status_edge_server_t *server, ngx_str_t *value);
static char *ngx_http_status_edge_source_slot(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_status_edge_handler_slot(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static ngx_http_status_edge_source_t *ngx_http_status_edge_register_source(
    ngx_conf_t *cf, ngx_str_t *prefix);
static char *ngx_http_status_edge_banner_components(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static ngx_int_t ngx_http_status_edge_register_set(ngx_conf_t *cf,
    ngx_http_status_edge_loc_conf_t *conf);
static char *ngx_http_status_edge_url(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_status_edge_banner_template(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static void ngx_http_status_edge_free_template(void *data);
static ngx_int_t ngx_http_status_edge_postconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_status_edge_phase_add(ngx_conf_t *cf,
    ngx_http_phases phase, ngx_http_handler_pt handler);
static ngx_int_t ngx_http_status_edge_init_process(ngx_cycle_t *cycle);
static void ngx_http_status_edge_exit_process(ngx_cycle_t *cycle);


static ngx_command_t  ngx_http_status_edge_commands[] = {

    { ngx_string("status_edge_redis"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_status_edge_redis,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_status_edge_main_conf_t, servers),
      NULL },

    { ngx_string("status_edge_subscribe_redis"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_status_edge_redis,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_status_edge_main_conf_t, write_servers),
      NULL },

    { ngx_string("status_edge_subscribe_secret"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_status_edge_subscribe_secret,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("status_edge_redis_ssl_trusted_certificate"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_status_edge_main_conf_t,
               redis_ssl_trusted_certificate),
      NULL },

    { ngx_string("status_edge_redis_ssl_certificate"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_status_edge_main_conf_t, redis_ssl_certificate),
      NULL },

    { ngx_string("status_edge_redis_ssl_certificate_key"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_status_edge_main_conf_t, redis_ssl_certificate_key),
      NULL },

    { ngx_string("status_edge_redis_ssl_name"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_status_edge_main_conf_t, redis_ssl_name),
      NULL },

    { ngx_string("status_edge_redis_ssl_verify"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_status_edge_main_conf_t, redis_ssl_verify),
      NULL },

    { ngx_string("status_edge_poll_interval"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_status_edge_main_conf_t, poll_interval),
      NULL },

    { ngx_string("status_edge_resync_interval"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_status_edge_main_conf_t, resync_interval),
      NULL },

    { ngx_string("status_edge_shm_size"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_status_edge_main_conf_t, shm_size),
      NULL },

    { ngx_string("status_edge_state_path"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_path_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_status_edge_main_conf_t, state_path),
      NULL },

    { ngx_string("status_edge_page"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_status_edge_source_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("status_edge_api"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_status_edge_handler_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      (void *) ngx_http_status_edge_api_handler },

    { ngx_string("status_edge_api_max_age"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_status_edge_loc_conf_t, api_max_age),
      NULL },

    { ngx_string("status_edge_metrics"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_status_edge_handler_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      (void *) ngx_http_status_edge_metrics_handler },

    { ngx_string("status_edge_events"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_status_edge_handler_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      (void *) ngx_http_status_edge_events_handler },

    { ngx_string("status_edge_events_max"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_status_edge_events_max_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_status_edge_loc_conf_t, events_max),
      NULL },

    { ngx_string("status_edge_events_heartbeat"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_status_edge_events_heartbeat_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_status_edge_loc_conf_t, events_heartbeat),
      NULL },

    { ngx_string("status_edge_banner"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_status_edge_loc_conf_t, banner),
      NULL },

    { ngx_string("status_edge_banner_types"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_types_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_status_edge_loc_conf_t, banner_types_keys),
      &ngx_http_html_default_types[0] },

    { ngx_string("status_edge_banner_components"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_status_edge_banner_components,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("status_edge_audience"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_set_complex_value_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_status_edge_loc_conf_t, audience),
      NULL },

    { ngx_string("status_edge_banner_window"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_status_edge_loc_conf_t, banner_window),
      NULL },

    { ngx_string("status_edge_banner_css_url"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_status_edge_url,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_status_edge_main_conf_t, css_url),
      NULL },

    { ngx_string("status_edge_dismiss_url"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_status_edge_url,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_status_edge_main_conf_t, variants.dismiss_url),
      NULL },

    { ngx_string("status_edge_banner_template"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_status_edge_banner_template,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("status_edge_banner_css"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_status_edge_handler_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      (void *) ngx_http_status_edge_css_handler },

    { ngx_string("status_edge_dismiss"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_status_edge_handler_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      (void *) ngx_http_status_edge_dismiss_handler },

    { ngx_string("status_edge_widget"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_status_edge_handler_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      (void *) ngx_http_status_edge_widget_handler },

    { ngx_string("status_edge_widget_max_age"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_status_edge_loc_conf_t, widget_max_age),
      NULL },

    { ngx_string("status_edge_status_page"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_status_edge_status_page,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("status_edge_history_days"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_status_edge_history_days,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("status_edge_uptime_days"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_status_edge_uptime_days,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("status_edge_uptime_weights"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_status_edge_uptime_weights,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("status_edge_status_page_template"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_status_edge_status_page_template,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("status_edge_gate"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_status_edge_loc_conf_t, gate),
      NULL },

    { ngx_string("status_edge_badge"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_status_edge_handler_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      (void *) ngx_http_status_edge_badge_handler },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_status_edge_module_ctx = {
    ngx_http_status_edge_add_variables,    /* preconfiguration */
    ngx_http_status_edge_postconfiguration, /* postconfiguration */

    ngx_http_status_edge_create_main_conf, /* create main configuration */
    ngx_http_status_edge_init_main_conf,   /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_status_edge_create_loc_conf,  /* create location configuration */
    ngx_http_status_edge_merge_loc_conf    /* merge location configuration */
};


ngx_module_t  ngx_http_status_edge_module = {
    NGX_MODULE_V1,
    &ngx_http_status_edge_module_ctx,      /* module context */
    ngx_http_status_edge_commands,         /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_status_edge_init_process,     /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_status_edge_exit_process,     /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


ngx_http_status_edge_stats_t  ngx_http_status_edge_stats;

static ngx_http_status_edge_main_conf_t  *ngx_http_status_edge_running;


static void *
ngx_http_status_edge_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_status_edge_main_conf_t  *smcf;

    smcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_status_edge_main_conf_t));
    if (smcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     smcf->state_path = NULL;
     *     smcf->redis_ssl_trusted_certificate = { 0, NULL };
     *     smcf->redis_ssl_certificate = { 0, NULL };
     *     smcf->redis_ssl_certificate_key = { 0, NULL };
     *     smcf->redis_ssl_name = { 0, NULL };
     */

    if (ngx_array_init(&smcf->servers, cf->pool, 2,
                       sizeof(ngx_http_status_edge_server_t))
        != NGX_OK)
    {
        return NULL;
    }

    if (ngx_array_init(&smcf->write_servers, cf->pool, 1,
                       sizeof(ngx_http_status_edge_server_t))
        != NGX_OK)
    {
        return NULL;
    }

    if (ngx_array_init(&smcf->sources, cf->pool, 2,
                       sizeof(ngx_http_status_edge_source_t *))
        != NGX_OK)
    {
        return NULL;
    }

    /* requests write subscriptions through the link's writer */
    smcf->write = ngx_http_status_edge_writer_send;
    smcf->wakeup = NGX_INVALID_FILE;
    smcf->poll_interval = NGX_CONF_UNSET_MSEC;
    smcf->resync_interval = NGX_CONF_UNSET_MSEC;
    smcf->shm_size = NGX_CONF_UNSET_SIZE;
    smcf->redis_ssl_verify = NGX_CONF_UNSET;
    smcf->variants.uptime_days = NGX_CONF_UNSET_UINT;

    /* banner variant 0: no component filter */

    smcf->variants.sets = ngx_array_create(cf->pool, 2, sizeof(ngx_array_t));
    if (smcf->variants.sets == NULL
        || ngx_array_push(smcf->variants.sets) == NULL)
    {
        return NULL;
    }

    ngx_memzero(smcf->variants.sets->elts, sizeof(ngx_array_t));

    return smcf;
}


static char *
ngx_http_status_edge_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_status_edge_main_conf_t *smcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    ngx_conf_init_msec_value(smcf->poll_interval, 1000);
    ngx_conf_init_msec_value(smcf->resync_interval, 300000);

    if (smcf->poll_interval == 0 || smcf->resync_interval == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"status_edge_poll_interval\" and "
                           "\"status_edge_resync_interval\" must be "
                           "greater than zero");
        return NGX_CONF_ERROR;
    }

    ngx_conf_init_size_value(smcf->shm_size, 8 * 1024 * 1024);

    if (ngx_http_status_edge_uptime_init_conf(cf, smcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (smcf->css_url.data == NULL) {
        ngx_str_set(&smcf->css_url, NGX_HTTP_STATUS_EDGE_CSS_URL);
    }

    if (smcf->variants.dismiss_url.data == NULL) {
        ngx_str_set(&smcf->variants.dismiss_url,
                    NGX_HTTP_STATUS_EDGE_DISMISS_URL);
    }

    smcf->css_link.len = sizeof("<link rel=\"stylesheet\" href=\"\">") - 1
                         + smcf->css_url.len;
    smcf->css_link.data = ngx_pnalloc(cf->pool, smcf->css_link.len);
    if (smcf->css_link.data == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_sprintf(smcf->css_link.data, "<link rel=\"stylesheet\" href=\"%V\">",
                &smcf->css_url);

    if (smcf->shm_size < 8 * ngx_pagesize) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"status_edge_shm_size\" of %uz is too small, "
                           "at least %uz", smcf->shm_size, 8 * ngx_pagesize);
        return NGX_CONF_ERROR;
    }

    if (smcf->servers.nelts == 0) {
        if (smcf->handlers) {
            ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                               "no \"status_edge_redis\" is set: status "
                               "endpoints will answer 503");
        }

        return NGX_CONF_OK;
    }

    if (ngx_http_status_edge_conn_ssl_conf(cf, smcf) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    /* the resolver of the http block, not of a server or location */

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->resolver && clcf->resolver->connections.nelts) {
        smcf->redis_resolver = clcf->resolver;
        smcf->redis_resolver_timeout =
                           clcf->resolver_timeout == NGX_CONF_UNSET_MSEC
                           ? 30000 : clcf->resolver_timeout;
    }

    if (ngx_http_status_edge_publish_conf(cf, smcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static void *
ngx_http_status_edge_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_status_edge_loc_conf_t  *slcf;

    slcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_status_edge_loc_conf_t));
    if (slcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     slcf->prefix = { 0, NULL };
     *     slcf->source = NULL;
     */

    slcf->api_max_age = NGX_CONF_UNSET;
    slcf->banner = NGX_CONF_UNSET;
    slcf->banner_components = NGX_CONF_UNSET_PTR;
    slcf->banner_window = NGX_CONF_UNSET_SIZE;
    slcf->widget_max_age = NGX_CONF_UNSET;
    slcf->events_max = NGX_CONF_UNSET_UINT;
    slcf->events_heartbeat = NGX_CONF_UNSET_MSEC;
    slcf->history_days = NGX_CONF_UNSET_UINT;
    slcf->status_page_tpl = NGX_CONF_UNSET_PTR;
    slcf->gate = NGX_CONF_UNSET;

    return slcf;
}


static char *
ngx_http_status_edge_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_status_edge_loc_conf_t *prev = parent;
    ngx_http_status_edge_loc_conf_t *conf = child;

    ngx_http_status_edge_main_conf_t  *smcf;

    ngx_conf_merge_str_value(conf->prefix, prev->prefix,
                             NGX_HTTP_STATUS_EDGE_DEFAULT_PAGE);
    ngx_conf_merge_sec_value(conf->api_max_age, prev->api_max_age, 10);

    conf->cache_control.data = ngx_pnalloc(cf->pool,
                                           sizeof("public, max-age=") - 1
                                           + NGX_TIME_T_LEN);
    if (conf->cache_control.data == NULL) {
        return NGX_CONF_ERROR;
    }

    conf->cache_control.len = ngx_sprintf(conf->cache_control.data,
                                          "public, max-age=%T",
                                          conf->api_max_age)
                              - conf->cache_control.data;

    ngx_conf_merge_value(conf->banner, prev->banner, 0);

    /* the script's URL has no version: a day bounds how long a visitor
     * keeps an old widget after an upgrade, then a 304 revalidates it */
    ngx_conf_merge_sec_value(conf->widget_max_age, prev->widget_max_age,
                             86400);
    ngx_conf_merge_size_value(conf->banner_window, prev->banner_window,
                              SE_SCAN_WINDOW);
    ngx_conf_merge_ptr_value(conf->banner_components,
                             prev->banner_components, NULL);
    ngx_conf_merge_value(conf->gate, prev->gate, 0);

    ngx_conf_merge_uint_value(conf->events_max, prev->events_max, 1024);
    ngx_conf_merge_msec_value(conf->events_heartbeat, prev->events_heartbeat,
                              15000);

    if (conf->audience == NULL) {
        conf->audience = prev->audience;
    }

    if (ngx_http_merge_types(cf, &conf->banner_types_keys,
                             &conf->banner_types,
                             &prev->banner_types_keys, &prev->banner_types,
                             ngx_http_html_default_types)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    if (ngx_http_status_edge_register_set(cf, conf) != NGX_OK
        || ngx_http_status_edge_status_page_merge(cf, prev, conf) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    if (conf->gate) {
        smcf = ngx_http_conf_get_module_main_conf(cf,
                                                  ngx_http_status_edge_module);
        smcf->variants.gate = 1;
    }

    if (prev->source && prev->prefix.len == conf->prefix.len
        && ngx_strncmp(prev->prefix.data, conf->prefix.data,
                       conf->prefix.len)
           == 0)
    {
        conf->source = prev->source;
        return NGX_CONF_OK;
    }

    conf->source = ngx_http_status_edge_register_source(cf, &conf->prefix);
    if (conf->source == NULL) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_http_status_edge_source_t *
ngx_http_status_edge_register_source(ngx_conf_t *cf, ngx_str_t *prefix)
{
    ngx_uint_t                         i;
    ngx_http_status_edge_source_t     *source, **sources, **pp;
    ngx_http_status_edge_main_conf_t  *smcf;

    smcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_status_edge_module);

    sources = smcf->sources.elts;
    for (i = 0; i < smcf->sources.nelts; i++) {
        if (sources[i]->prefix.len == prefix->len
            && ngx_strncmp(sources[i]->prefix.data, prefix->data, prefix->len)
               == 0)
        {
            return sources[i];
        }
    }

    source = ngx_pcalloc(cf->pool, sizeof(ngx_http_status_edge_source_t));
    if (source == NULL) {
        return NULL;
    }

    source->prefix = *prefix;
    source->channel.len = prefix->len + sizeof("events") - 1;
    source->channel.data = ngx_pnalloc(cf->pool, source->channel.len + 1);
    if (source->channel.data == NULL) {
        return NULL;
    }

    ngx_sprintf(source->channel.data, "%Vevents%Z", prefix);

    pp = ngx_array_push(&smcf->sources);
    if (pp == NULL) {
        return NULL;
    }

    *pp = source;

    return source;
}


static char *
ngx_http_status_edge_redis(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_status_edge_main_conf_t *smcf = conf;

    size_t                          len;
    ngx_url_t                       u;
    ngx_str_t                      *value;
    ngx_uint_t                      i;
    ngx_array_t                    *servers;
    ngx_http_status_edge_server_t  *server;

    value = cf->args->elts;
    servers = (ngx_array_t *) ((char *) smcf + cmd->offset);

    if (servers == &smcf->write_servers && servers->nelts) {
        return "is duplicate";
    }

    server = ngx_array_push(servers);
    if (server == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(server, sizeof(ngx_http_status_edge_server_t));

    server->name = value[1];
    server->timeout = 1000;

    if (ngx_strncmp(value[1].data, "sentinel=", 9) == 0) {
        return ngx_http_status_edge_redis_sentinel(cf, server,
                                         servers == &smcf->write_servers);
    }

    ngx_memzero(&u, sizeof(ngx_url_t));

    u.url = value[1];
    u.default_port = NGX_HTTP_STATUS_EDGE_REDIS_PORT;

    if (value[1].len > 5 && ngx_strncmp(value[1].data, "unix:", 5) == 0) {
        len = value[1].len - 5;

        if (len >= sizeof(((struct sockaddr_un *) 0)->sun_path)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "Redis socket path \"%V\" is too long",
                               &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    if (ngx_parse_url(cf->pool, &u) != NGX_OK || u.naddrs == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid Redis address \"%V\": %s",
                           &value[1], u.err ? u.err : "no address");
        return NGX_CONF_ERROR;
    }

    server->sockaddr = u.addrs[0].sockaddr;
    server->socklen = u.addrs[0].socklen;
    server->host = u.host;

    /* a host name is resolved again at each connect when http has a
     * resolver (ngx_http_status_edge_init_main_conf) */
    server->resolve = (u.family != AF_UNIX
                       && ngx_inet_addr(u.host.data, u.host.len)
                          == INADDR_NONE
#if (NGX_HAVE_INET6)
                       && u.family != AF_INET6
#endif
                       );

    for (i = 2; i < cf->args->nelts; i++) {
        if (ngx_http_status_edge_redis_option(cf, server, &value[i])
            != NGX_CONF_OK)
        {
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


/* status_edge_redis sentinel=NAME ADDR [ADDR...] [role=...] [...] */

static char *
ngx_http_status_edge_redis_sentinel(ngx_conf_t *cf,
    ngx_http_status_edge_server_t *server, ngx_uint_t writes)
{
    ngx_int_t    rc;
    ngx_str_t   *value;
    ngx_uint_t   i;

    value = cf->args->elts;

    if (ngx_http_status_edge_sentinel_create(cf, server, &value[1])
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    for (i = 2; i < cf->args->nelts; i++) {
        rc = ngx_http_status_edge_sentinel_option(cf, server, &value[i]);

        if (rc == NGX_ERROR) {
            return NGX_CONF_ERROR;
        }

        if (rc == NGX_DECLINED
            && ngx_http_status_edge_redis_option(cf, server, &value[i])
               != NGX_CONF_OK)
        {
            return NGX_CONF_ERROR;
        }
    }

    if (ngx_http_status_edge_sentinel_check(cf, server) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    /* the writes go to the primary the Sentinels name */

    if (writes) {
        for (i = 2; i < cf->args->nelts; i++) {
            if (ngx_strcmp(value[i].data, "role=replica") == 0) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "\"role=replica\" in \"%V\": the "
                                   "writes go to the primary", &value[0]);
                return NGX_CONF_ERROR;
            }
        }

        server->sentinel->primary = 1;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_status_edge_redis_option(ngx_conf_t *cf,
    ngx_http_status_edge_server_t *server, ngx_str_t *value)
{
    ngx_int_t   n;
    ngx_str_t   s, *name;

    /* status_edge_redis or status_edge_subscribe_redis */
    name = cf->args->elts;

    if (ngx_strncmp(value->data, "db=", 3) == 0) {
        n = ngx_atoi(value->data + 3, value->len - 3);
        if (n == NGX_ERROR || n > 65535) {
            goto invalid;
        }

        server->db = n;
        return NGX_CONF_OK;
    }

    if (ngx_strncmp(value->data, "timeout=", 8) == 0) {
        s.data = value->data + 8;
        s.len = value->len - 8;

        n = ngx_parse_time(&s, 0);
        if (n == NGX_ERROR || n == 0) {
            goto invalid;
        }

        server->timeout = n;
        return NGX_CONF_OK;
    }

    if (ngx_strncmp(value->data, "password=", 9) == 0) {
        server->password.data = value->data + 9;
        server->password.len = value->len - 9;

        if (server->password.len == 0) {
            goto invalid;
        }

        return NGX_CONF_OK;
    }

    if (ngx_strncmp(value->data, "user=", 5) == 0) {
        server->user.data = value->data + 5;
        server->user.len = value->len - 5;

        if (server->user.len == 0) {
            goto invalid;
        }

        return NGX_CONF_OK;
    }

    if (value->len == 3 && ngx_strncmp(value->data, "tls", 3) == 0) {
#if (NGX_SSL)
        server->tls = 1;
        return NGX_CONF_OK;
#else
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "the \"tls\" parameter of \"%V\" needs nginx "
                           "built with SSL", name);
        return NGX_CONF_ERROR;
#endif
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid parameter \"%V\" in \"%V\"", value, name);
    return NGX_CONF_ERROR;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid value \"%V\" in \"%V\"", value, name);
    return NGX_CONF_ERROR;
}


static char *
ngx_http_status_edge_source_slot(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_status_edge_loc_conf_t *slcf = conf;

    ngx_str_t   *value;
    ngx_uint_t   i;

    if (slcf->prefix.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0 || value[1].len > NGX_HTTP_STATUS_EDGE_PREFIX_MAX) {
        goto invalid;
    }

    for (i = 0; i < value[1].len; i++) {
        if (value[1].data[i] <= ' ' || value[1].data[i] >= 0x7f
            || value[1].data[i] == '*' || value[1].data[i] == '?'
            || value[1].data[i] == '[')
        {
            goto invalid;
        }
    }

    slcf->prefix = value[1];

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid page prefix \"%V\": 1 to %d printable "
                       "characters, no spaces or glob characters",
                       &value[1], NGX_HTTP_STATUS_EDGE_PREFIX_MAX);
    return NGX_CONF_ERROR;
}


static char *
ngx_http_status_edge_handler_slot(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_status_edge_loc_conf_t   *slcf = conf;
    ngx_http_core_loc_conf_t          *clcf;
    ngx_http_status_edge_main_conf_t  *smcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler) {
        return "is duplicate";
    }

    clcf->handler = (ngx_http_handler_pt) cmd->post;
    slcf->endpoint = 1;

    smcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_status_edge_module);
    smcf->handlers++;

    if (cmd->post == (void *) ngx_http_status_edge_badge_handler) {
        smcf->variants.badge = 1;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_status_edge_banner_components(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_status_edge_loc_conf_t *slcf = conf;

    se_str_t    *id;
    ngx_str_t   *value;
    ngx_uint_t   i;

    if (slcf->banner_components != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    slcf->banner_components = ngx_array_create(cf->pool, cf->args->nelts,
                                               sizeof(se_str_t));
    if (slcf->banner_components == NULL) {
        return NGX_CONF_ERROR;
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        if (se_valid_id((const char *) value[i].data, value[i].len)
            != SE_OK)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid component id \"%V\": 1 to 64 of "
                               "[A-Za-z0-9_-]", &value[i]);
            return NGX_CONF_ERROR;
        }

        id = ngx_array_push(slcf->banner_components);
        if (id == NULL) {
            return NGX_CONF_ERROR;
        }

        id->data = (const char *) value[i].data;
        id->len = value[i].len;
    }

    return NGX_CONF_OK;
}


/* a location's component filter as an index into the banner variants */

static ngx_int_t
ngx_http_status_edge_register_set(ngx_conf_t *cf,
    ngx_http_status_edge_loc_conf_t *conf)
{
    se_str_t                          *a, *b;
    ngx_uint_t                         i, j, n;
    ngx_array_t                       *sets, *set;
    ngx_http_status_edge_main_conf_t  *smcf;

    conf->banner_set = 0;

    if (conf->banner_components == NULL) {
        return NGX_OK;
    }

    smcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_status_edge_module);

    sets = smcf->variants.sets->elts;
    n = conf->banner_components->nelts;
    a = conf->banner_components->elts;

    for (i = 1; i < smcf->variants.sets->nelts; i++) {
        if (sets[i].nelts != n) {
            continue;
        }

        b = sets[i].elts;

        for (j = 0; j < n; j++) {
            if (a[j].len != b[j].len
                || ngx_strncmp(a[j].data, b[j].data, a[j].len) != 0)
            {
                break;
            }
        }

        if (j == n) {
            conf->banner_set = i;
            return NGX_OK;
        }
    }

    set = ngx_array_push(smcf->variants.sets);
    if (set == NULL) {
        return NGX_ERROR;
    }

    *set = *conf->banner_components;
    conf->banner_set = smcf->variants.sets->nelts - 1;

    return NGX_OK;
}


/* a same-site path or an http(s) URL, safe to put in an attribute */

static char *
ngx_http_status_edge_url(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char  *p = conf;

    ngx_str_t   *field, *value;

    field = (ngx_str_t *) (p + cmd->offset);

    if (field->data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (se_html_url_ok((const char *) value[1].data, value[1].len) != SE_OK)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid URL \"%V\": a path starting with one "
                           "\"/\" or an http(s) URL, without quotes or "
                           "angle brackets", &value[1]);
        return NGX_CONF_ERROR;
    }

    *field = value[1];

    return NGX_CONF_OK;
}

/*
 * An operator's banner markup: read and parsed once, here, so a bad
 * placeholder fails "nginx -t" with its line instead of a request.
 */

static char *
ngx_http_status_edge_banner_template(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_status_edge_main_conf_t *smcf = conf;

    ngx_str_t  *value, name;

    if (smcf->variants.tpl) {
        return "is duplicate";
    }

    value = cf->args->elts;
    name = value[1];

    if (ngx_http_status_edge_conf_template(cf, &name, SE_BANNER_TPL_MAX,
                                           "banner template",
                                           se_banner_tpl_parse,
                                           ngx_http_status_edge_free_template,
                                           &smcf->variants.tpl)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static void
ngx_http_status_edge_free_template(void *data)
{
    se_banner_tpl_free(data);
}


static ngx_int_t
ngx_http_status_edge_postconfiguration(ngx_conf_t *cf)
{
    if (ngx_http_status_edge_phase_add(cf, NGX_HTTP_PREACCESS_PHASE,
                                       ngx_http_status_edge_gate_handler)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* the event streams send every state published */
    if (ngx_http_status_edge_publish_hook_add(cf,
                                        ngx_http_status_edge_events_notify)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_http_status_edge_phase_add(cf, NGX_HTTP_PRECONTENT_PHASE,
                                       ngx_http_status_edge_banner_precontent)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_http_status_edge_reader_postconfiguration(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_status_edge_banner_filter_init(cf);
}


static ngx_int_t
ngx_http_status_edge_phase_add(ngx_conf_t *cf, ngx_http_phases phase,
    ngx_http_handler_pt handler)
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[phase].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = handler;

    return NGX_OK;
}


static ngx_int_t
ngx_http_status_edge_init_process(ngx_cycle_t *cycle)
{
    ngx_http_status_edge_main_conf_t  *smcf;

    /* not in the cache manager and loader: they serve no requests */

    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    smcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_status_edge_module);
    if (smcf == NULL || smcf->servers.nelts == 0 || smcf->sources.nelts == 0) {
        return NGX_OK;
    }

    ngx_http_status_edge_running = smcf;

    ngx_http_status_edge_publish_init_process(cycle, smcf);

    /* the link runs in the one worker that holds the reader's lease */
    return ngx_http_status_edge_reader_init_process(cycle, smcf,
                                            ngx_http_status_edge_redis_start,
                                            ngx_http_status_edge_redis_stop);
}


static void
ngx_http_status_edge_exit_process(ngx_cycle_t *cycle)
{
    if (ngx_http_status_edge_running == NULL) {
        return;
    }

    ngx_http_status_edge_reader_exit_process(cycle);
    ngx_http_status_edge_writer_close();
    ngx_http_status_edge_publish_exit_process(ngx_http_status_edge_running);

    ngx_http_status_edge_running = NULL;
}
