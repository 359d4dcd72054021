
/*
 * status-edge: the table of renderers, in the order of
 * ngx_http_status_edge_artifact_e.  The banners come first: they set the
 * moment the state changes by the clock, which later renderers lower.
 * The uptime comes before the page and the badges, which show it.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_renderers.h"
#include "ngx_http_status_edge_render_banners.h"
#include "ngx_http_status_edge_render_uptime.h"
#include "ngx_http_status_edge_render_status_page.h"
#include "ngx_http_status_edge_render_gate.h"
#include "ngx_http_status_edge_render_badges.h"
#include "ngx_http_status_edge_render_text.h"


const ngx_http_status_edge_renderer_t
    *ngx_http_status_edge_renderers[NGX_HTTP_STATUS_EDGE_RENDERER_N] =
{
    &ngx_http_status_edge_banners_renderer,
    &ngx_http_status_edge_uptime_renderer,
    &ngx_http_status_edge_status_page_renderer,
    &ngx_http_status_edge_gate_renderer,
    &ngx_http_status_edge_badges_renderer,
    &ngx_http_status_edge_text_renderer
};
