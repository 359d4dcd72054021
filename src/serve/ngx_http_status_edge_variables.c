
/*
 * status-edge: $status_edge_* variables, for log_format, map, add_header
 * and if.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_variables.h"
#include "ngx_http_status_edge_banner_decide.h"
#include "ngx_http_status_edge_publish.h"
#include "se_enum.h"
#include "se_model.h"
#include "se_state.h"


static ngx_int_t ngx_http_status_edge_indicator_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_status_edge_version_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_status_edge_banner_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_status_edge_incident_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_status_edge_gated_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static se_state_t *ngx_http_status_edge_request_state(ngx_http_request_t *r);
static ngx_int_t ngx_http_status_edge_variable_value(
    ngx_http_variable_value_t *v, u_char *data, size_t len);


static ngx_http_variable_t  ngx_http_status_edge_vars[] = {

    { ngx_string("status_edge_indicator"), NULL,
      ngx_http_status_edge_indicator_variable, 0, 0, 0 },

    { ngx_string("status_edge_version"), NULL,
      ngx_http_status_edge_version_variable, 0, 0, 0 },

    { ngx_string("status_edge_banner"), NULL,
      ngx_http_status_edge_banner_variable, 0, 0, 0 },

    { ngx_string("status_edge_incident"), NULL,
      ngx_http_status_edge_incident_variable, 0, 0, 0 },

    /* the gate sets it in the preaccess phase: a value read earlier, */
    /* in the rewrite phase, is not kept */
    { ngx_string("status_edge_gated"), NULL,
      ngx_http_status_edge_gated_variable, 0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


ngx_int_t
ngx_http_status_edge_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_status_edge_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


static se_state_t *
ngx_http_status_edge_request_state(ngx_http_request_t *r)
{
    ngx_http_status_edge_loc_conf_t  *slcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_status_edge_module);

    if (slcf->source == NULL || slcf->source->current == NULL) {
        return NULL;
    }

    return slcf->source->current->state;
}


static ngx_int_t
ngx_http_status_edge_indicator_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    const char  *name;
    se_state_t  *state;

    state = ngx_http_status_edge_request_state(r);

    name = se_indicator_name(state ? se_state_indicator(state)
                                   : SE_INDICATOR_UNKNOWN);

    /* the name is a static string of the core: no copy needed */
    return ngx_http_status_edge_variable_value(v, (u_char *) name,
                                               ngx_strlen(name));
}


static ngx_int_t
ngx_http_status_edge_version_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    u_char      *p;
    size_t       len;
    se_state_t  *state;

    state = ngx_http_status_edge_request_state(r);
    if (state == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, NGX_INT64_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    len = ngx_sprintf(p, "%uL", se_state_version(state)) - p;

    return ngx_http_status_edge_variable_value(v, p, len);
}


static ngx_int_t
ngx_http_status_edge_banner_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    const char                  *value;
    ngx_http_status_edge_ctx_t  *ctx;

    ctx = ngx_http_status_edge_banner_ctx(r);

    value = (ctx && ctx->applies) ? "1" : "0";

    return ngx_http_status_edge_variable_value(v, (u_char *) value, 1);
}


static ngx_int_t
ngx_http_status_edge_incident_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_status_edge_ctx_t  *ctx;

    ctx = ngx_http_status_edge_banner_ctx(r);

    if (ctx == NULL || !ctx->applies) {
        return ngx_http_status_edge_variable_value(v, (u_char *) "", 0);
    }

    return ngx_http_status_edge_variable_value(v, ctx->incident.data,
                                               ctx->incident.len);
}


static ngx_int_t
ngx_http_status_edge_gated_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_status_edge_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r->main, ngx_http_status_edge_module);

    if (ctx && ctx->gated) {
        return ngx_http_status_edge_variable_value(v, (u_char *) "1", 1);
    }

    return ngx_http_status_edge_variable_value(v, (u_char *) "", 0);
}


static ngx_int_t
ngx_http_status_edge_variable_value(ngx_http_variable_value_t *v,
    u_char *data, size_t len)
{
    v->data = data;
    v->len = len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}
