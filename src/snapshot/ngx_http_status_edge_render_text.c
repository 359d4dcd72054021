
/*
 * status-edge: renders status.txt, the status for terminals and scripts:
 * the overall status, each component, the unresolved incidents with their
 * latest update, and the active and upcoming maintenance, as the JSON
 * documents show them (public records only).  UTF-8 plain text: nothing
 * is escaped, but every control character that Redis text may carry
 * (an ANSI escape, a C1 control, a carriage return) is dropped, and a
 * one-line field has its line breaks and tabs made spaces.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_render_text.h"
#include "se_html.h"
#include "se_pool.h"
#include "se_enum.h"
#include "se_time.h"
#include "se_utf8.h"
#include "se_model.h"
#include "se_state.h"


static void ngx_http_status_edge_text_field(se_html_buf_t *b,
    const se_str_t *s, ngx_uint_t lines);
static void ngx_http_status_edge_text_enum(se_html_buf_t *b,
    const char *name);
static void ngx_http_status_edge_text_time(se_html_buf_t *b, int64_t t);
static void ngx_http_status_edge_text_record(se_html_buf_t *b,
    const se_incident_t *rec);
static ngx_int_t ngx_http_status_edge_text_render(
    ngx_http_status_edge_snapshot_t *snap,
    ngx_http_status_edge_variants_t *variants, void **artifact);
static void ngx_http_status_edge_text_free(void *artifact);


const ngx_http_status_edge_renderer_t  ngx_http_status_edge_text_renderer = {
    "status.txt",
    ngx_http_status_edge_text_render,
    ngx_http_status_edge_text_free
};


/*
 * Redis text, without its controls; with lines, a line break is kept and
 * the next line indented under the record
 */

static void
ngx_http_status_edge_text_field(se_html_buf_t *b, const se_str_t *s,
    ngx_uint_t lines)
{
    size_t          n;
    uint32_t        cp;
    const u_char   *p, *last;

    p = (const u_char *) s->data;
    last = p + s->len;

    while (p < last) {
        n = se_utf8_decode(p, last - p, &cp);

        if (cp == '\n' || cp == '\t') {
            if (lines && cp == '\n') {
                se_html_raw(b, "\n      ", 7);

            } else {
                se_html_raw(b, " ", 1);
            }

        } else if (cp == SE_UTF8_BAD) {
            se_html_raw(b, "\xef\xbf\xbd", 3);

        } else if (cp != '\r' && se_utf8_markup_ok(cp)) {
            se_html_raw(b, (const char *) p, n);
        }

        p += n;
    }
}


/* "degraded_performance" as "degraded performance" */

static void
ngx_http_status_edge_text_enum(se_html_buf_t *b, const char *name)
{
    for ( /* void */ ; *name; name++) {
        se_html_raw(b, *name == '_' ? " " : name, 1);
    }
}


static void
ngx_http_status_edge_text_time(se_html_buf_t *b, int64_t t)
{
    char    buf[SE_TIME_LEN];
    size_t  len;

    len = (t == SE_TIME_NONE) ? 0 : se_time_format(t, buf);

    if (len) {
        se_html_raw(b, buf, len);

    } else {
        se_html_str(b, "-");
    }
}


/* an incident or a maintenance, and its latest update */

static void
ngx_http_status_edge_text_record(se_html_buf_t *b, const se_incident_t *rec)
{
    const se_update_t  *u;

    se_html_str(b, "  ");
    ngx_http_status_edge_text_field(b, &rec->name, 0);
    se_html_str(b, " [");

    if (rec->kind == SE_KIND_INCIDENT) {
        ngx_http_status_edge_text_enum(b, se_impact_name(rec->impact));
        se_html_str(b, ", ");
    }

    ngx_http_status_edge_text_enum(b, se_status_name(rec->status));
    se_html_str(b, "]\n");

    if (rec->kind == SE_KIND_MAINTENANCE) {
        se_html_str(b, "    scheduled ");
        ngx_http_status_edge_text_time(b, rec->scheduled_for);
        se_html_str(b, " to ");
        ngx_http_status_edge_text_time(b, rec->scheduled_until);
        se_html_str(b, "\n");
    }

    if (rec->nupdates == 0) {
        return;
    }

    u = &rec->updates[0];

    se_html_str(b, "    ");
    ngx_http_status_edge_text_time(b, u->display_at);
    se_html_str(b, " ");
    ngx_http_status_edge_text_enum(b, se_status_name(u->status));
    se_html_str(b, ": ");
    ngx_http_status_edge_text_field(b, &u->body, 1);
    se_html_str(b, "\n");
}


static ngx_int_t
ngx_http_status_edge_text_render(ngx_http_status_edge_snapshot_t *snap,
    ngx_http_status_edge_variants_t *variants, void **artifact)
{
    size_t                       i, n;
    se_html_buf_t                b;
    se_indicator_e               ind;
    const se_model_t            *m;
    const se_incident_t         *rec;
    const se_component_t        *c;
    ngx_http_status_edge_doc_t  *doc;

    m = se_state_model(snap->state);
    ind = se_state_indicator(snap->state);

    se_html_buf_init(&b);

    if (m->page.name.len) {
        ngx_http_status_edge_text_field(&b, &m->page.name, 0);
        se_html_str(&b, ": ");
    }

    se_html_str(&b, se_indicator_description(ind));
    se_html_str(&b, " (");
    se_html_str(&b, se_indicator_name(ind));
    se_html_str(&b, ")\nupdated ");
    ngx_http_status_edge_text_time(&b, m->page.updated_at);
    se_html_str(&b, "\n\nComponents\n");

    for (i = 0; i < m->ncomponents; i++) {
        c = &m->components[i];

        if (c->only_show_if_degraded && c->status == SE_COMP_OPERATIONAL) {
            continue;
        }

        se_html_str(&b, c->group_id.len ? "    " : "  ");
        ngx_http_status_edge_text_field(&b, &c->name, 0);
        se_html_str(&b, ": ");
        ngx_http_status_edge_text_enum(&b, se_comp_status_name(c->status));
        se_html_str(&b, "\n");
    }

    se_html_str(&b, "\nUnresolved incidents\n");

    for (i = 0, n = 0; i < m->nincidents; i++) {
        rec = &m->incidents[i];

        if (rec->audience == SE_AUDIENCE_PUBLIC
            && se_status_unresolved(rec->status))
        {
            ngx_http_status_edge_text_record(&b, rec);
            n++;
        }
    }

    if (n == 0) {
        se_html_str(&b, "  none\n");
    }

    se_html_str(&b, "\nMaintenance, active and upcoming\n");

    for (i = 0, n = 0; i < m->nmaintenances; i++) {
        rec = &m->maintenances[i];

        if (rec->audience == SE_AUDIENCE_PUBLIC
            && (se_status_active(rec->status)
                || se_status_upcoming(rec->status)))
        {
            ngx_http_status_edge_text_record(&b, rec);
            n++;
        }
    }

    if (n == 0) {
        se_html_str(&b, "  none\n");
    }

    doc = calloc(1, sizeof(ngx_http_status_edge_doc_t));
    if (doc == NULL) {
        se_html_buf_free(&b);
        return NGX_ERROR;
    }

    *artifact = doc;

    doc->data = (u_char *) se_html_buf_take(&b, &doc->len);
    if (doc->data == NULL) {
        return NGX_ERROR;
    }

    ngx_http_status_edge_doc_etag(doc);

    return NGX_OK;
}


static void
ngx_http_status_edge_text_free(void *artifact)
{
    ngx_http_status_edge_doc_t  *doc = artifact;

    se_free(doc->data);
    free(doc);
}
