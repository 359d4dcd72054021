
/*
 * status-edge: the uptime directives.
 *
 *   status_edge_uptime_days N;               1 to 366, default 90
 *   status_edge_uptime_weights STATUS=W ...; W a decimal from 0 to 1
 *                                             with at most three places,
 *                                             or "excluded"
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_uptime.h"
#include "se_enum.h"
#include "se_uptime.h"


static ngx_int_t ngx_http_status_edge_uptime_weight(ngx_str_t *value,
    int *weight);


char *
ngx_http_status_edge_uptime_days(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_status_edge_main_conf_t *smcf = conf;

    ngx_int_t   n;
    ngx_str_t  *value;

    if (smcf->variants.uptime_days != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    n = ngx_atoi(value[1].data, value[1].len);

    if (n == NGX_ERROR || n < 1 || n > SE_UPTIME_DAYS_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid number of uptime days \"%V\": 1 to %d",
                           &value[1], SE_UPTIME_DAYS_MAX);
        return NGX_CONF_ERROR;
    }

    smcf->variants.uptime_days = n;

    return NGX_CONF_OK;
}


char *
ngx_http_status_edge_uptime_weights(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_status_edge_main_conf_t *smcf = conf;

    u_char            *eq;
    ngx_str_t         *value, name, weight;
    ngx_uint_t         i;
    se_comp_status_e   status;

    if (smcf->uptime_weights != NULL) {
        return "is duplicate";
    }

    smcf->uptime_weights = cf->args;
    se_uptime_weights_default(&smcf->variants.uptime_weights);

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        eq = ngx_strlchr(value[i].data, value[i].data + value[i].len, '=');

        if (eq == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid uptime weight \"%V\": "
                               "STATUS=WEIGHT expected", &value[i]);
            return NGX_CONF_ERROR;
        }

        name.data = value[i].data;
        name.len = eq - value[i].data;
        weight.data = eq + 1;
        weight.len = value[i].data + value[i].len - weight.data;

        if (se_parse_comp_status((const char *) name.data, name.len, &status)
            != SE_OK
            || status == SE_COMP_OPERATIONAL)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid uptime weight \"%V\": unknown "
                               "status \"%V\" (degraded_performance, "
                               "partial_outage, major_outage or "
                               "under_maintenance)", &value[i], &name);
            return NGX_CONF_ERROR;
        }

        if (ngx_http_status_edge_uptime_weight(&weight,
                &smcf->variants.uptime_weights.weight[status])
            != NGX_OK)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid uptime weight \"%V\": \"%V\" is "
                               "not a number from 0 to 1 or \"excluded\"",
                               &value[i], &weight);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


/* "0.3" as 300 per mille, "1" as 1000, "excluded" */

static ngx_int_t
ngx_http_status_edge_uptime_weight(ngx_str_t *value, int *weight)
{
    ngx_int_t  n;

    if (value->len == sizeof("excluded") - 1
        && ngx_strncmp(value->data, "excluded", value->len) == 0)
    {
        *weight = SE_UPTIME_EXCLUDED;
        return NGX_OK;
    }

    if (value->len == 0 || value->len > 5) {
        return NGX_ERROR;
    }

    n = ngx_atofp(value->data, value->len, 3);

    if (n == NGX_ERROR || n > 1000) {
        return NGX_ERROR;
    }

    *weight = (int) n;

    return NGX_OK;
}


ngx_int_t
ngx_http_status_edge_uptime_init_conf(ngx_conf_t *cf,
    ngx_http_status_edge_main_conf_t *smcf)
{
    u_char  *p;

    if (smcf->variants.uptime_days == NGX_CONF_UNSET_UINT) {
        smcf->variants.uptime_days = SE_UPTIME_DAYS;
    }

    if (smcf->uptime_weights == NULL) {
        se_uptime_weights_default(&smcf->variants.uptime_weights);
    }

    /* a day more than the window: its first midnight, and a DST hour */

    p = ngx_pnalloc(cf->pool, NGX_INT_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    smcf->uptime_window.data = p;
    smcf->uptime_window.len = ngx_sprintf(p, "%ui",
                                          (smcf->variants.uptime_days + 1)
                                          * 86400)
                              - p;

    return NGX_OK;
}
