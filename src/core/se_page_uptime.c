/*
 * The status page's uptime bars (se_page_uptime.h).
 */

#include <string.h>

#include "se_page_uptime.h"
#include "se_html.h"
#include "se_lang.h"


/* "99.95% uptime" ("가동률 99.95%"), or "No data" */
static void
se_page_uptime_figure(se_page_ctx_t *c, int32_t figure)
{
    char  buf[8];

    if (figure == SE_UPTIME_NONE) {
        se_page_text(c->b, c->pt->no_data);
        return;
    }

    se_uptime_format(figure, buf);
    se_page_text(c->b, c->pt->uptime_before);
    se_html_str(c->b, buf);
    se_html_str(c->b, "%");
    se_page_text(c->b, c->pt->uptime);
}


/* "1 h 30 min", "30 min"; under a minute counts as one */
static void
se_page_uptime_duration(se_page_ctx_t *c, int64_t secs)
{
    int64_t  min;

    min = (secs + 59) / 60;

    if (min >= 60) {
        se_page_num(c->b, min / 60, 1);
        se_page_text(c->b, c->pt->hours);

        if (min % 60 == 0) {
            return;
        }

        se_html_str(c->b, " ");
    }

    se_page_num(c->b, min % 60, 1);
    se_page_text(c->b, c->pt->minutes);
}


static void
se_page_uptime_record(se_page_ctx_t *c, const se_incident_t *rec)
{
    const se_str_t  *name;

    name = se_lang_i18n(&rec->name, rec->name_i18n, c->lang);

    se_html_str(c->b, "<li>");

    if (se_page_shows(c, rec)) {
        se_html_str(c->b, rec->kind == SE_KIND_MAINTENANCE
                          ? "<a href=\"#maintenance-" : "<a href=\"#incident-");
        se_html_attr(c->b, rec->id.data, rec->id.len);
        se_html_str(c->b, "\">");
        se_html_text(c->b, name->data, name->len);
        se_html_str(c->b, "</a>");

    } else if (se_html_url_ok(rec->shortlink.data, rec->shortlink.len)
               == SE_OK)
    {
        se_html_str(c->b, "<a href=\"");
        se_html_url(c->b, rec->shortlink.data, rec->shortlink.len);
        se_html_str(c->b, "\">");
        se_html_text(c->b, name->data, name->len);
        se_html_str(c->b, "</a>");

    } else {
        se_html_text(c->b, name->data, name->len);
    }

    se_html_str(c->b, "</li>");
}


static void
se_page_uptime_day(se_page_ctx_t *c, const se_uptime_day_t *d)
{
    int     s;
    size_t  i;

    se_html_str(c->b, "<li class=\"b d-");
    se_html_str(c->b, se_uptime_level_name(d->level));
    se_html_str(c->b, "\" tabindex=\"0\"><span class=\"t\"><b>");
    se_page_date(c, d->date, 1);
    se_html_str(c->b, "</b> ");

    if (d->level == SE_UPTIME_NODATA) {
        se_page_text(c->b, c->pt->no_data);
        se_html_str(c->b, "</span></li>");
        return;
    }

    se_page_uptime_figure(c, d->figure);

    for (s = SE_COMP_DEGRADED_PERFORMANCE; s < SE_COMP_N; s++) {
        if (d->span.secs[s] == 0) {
            continue;
        }

        se_html_str(c->b, "<br>");
        se_page_text(c->b, c->pt->comp[s]);
        se_html_str(c->b, " ");
        se_page_uptime_duration(c, d->span.secs[s]);
    }

    if (d->nrel == 0) {
        se_html_str(c->b, "<br>");
        se_page_text(c->b, c->pt->none);
        se_html_str(c->b, "</span></li>");
        return;
    }

    se_html_str(c->b, "<ul>");

    for (i = 0; i < d->nrel; i++) {
        se_page_uptime_record(c, d->rel[i]);
    }

    if (d->more) {
        se_html_str(c->b, "<li>+");
        se_page_num(c->b, (int64_t) d->more, 1);
        se_page_text(c->b, c->pt->more);
        se_html_str(c->b, "</li>");
    }

    se_html_str(c->b, "</ul></span></li>");
}


void
se_page_uptime(se_page_ctx_t *c, const se_component_t *comp)
{
    unsigned                 k, narrow;
    const se_uptime_comp_t  *uc;

    if (c->uptime == NULL || !comp->uptime) {
        return;
    }

    uc = &c->uptime->comps[comp - c->m->components];

    /* a component with no history in the window: no grey row of bars */

    if (uc->span.counted == 0
        && uc->span.secs[SE_COMP_UNDER_MAINTENANCE] == 0)
    {
        return;
    }

    se_html_str(c->b, "<div class=\"uptime\"><ol class=\"bars\" "
                      "aria-label=\"");
    se_page_text(c->b, c->pt->bars[0]);
    se_page_num(c->b, c->uptime->ndays, 1);
    se_page_text(c->b, c->pt->bars[1]);
    se_html_str(c->b, "\">");

    for (k = 0; k < c->uptime->ndays; k++) {
        se_page_uptime_day(c, &uc->days[k]);
    }

    narrow = c->uptime->ndays < 30 ? c->uptime->ndays : 30;

    se_html_str(c->b, "</ol><p class=\"ax\"><span class=\"w\">");
    se_page_num(c->b, c->uptime->ndays, 1);
    se_page_text(c->b, c->pt->days_ago);
    se_html_str(c->b, "</span><span class=\"n\">");
    se_page_num(c->b, narrow, 1);
    se_page_text(c->b, c->pt->days_ago);
    se_html_str(c->b, "</span><span class=\"fig\">");
    se_page_uptime_figure(c, uc->figure);
    se_html_str(c->b, "</span><span>");
    se_page_text(c->b, c->pt->today);
    se_html_str(c->b, "</span></p></div>");
}
