/*
 * The sections of the status page (se_page_section.h).
 */

#include <string.h>

#include "se_page_section.h"
#include "se_page_uptime.h"
#include "se_enum.h"
#include "se_derive.h"
#include "se_time.h"


static const char  *se_page_months[12] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
    "Nov", "Dec"
};


/* severity order for a group's worst status: maintenance below outages */
static const int  se_page_comp_rank[SE_COMP_N] = { 0, 2, 3, 4, 1 };


void
se_page_text(se_html_buf_t *b, const char *s)
{
    se_html_text(b, s, strlen(s));
}


void
se_page_num(se_html_buf_t *b, int64_t n, int width)
{
    char  buf[24];
    int   i;

    i = sizeof(buf);

    do {
        buf[--i] = (char) ('0' + n % 10);
        n /= 10;
        width--;
    } while ((n > 0 || width > 0) && i > 0);

    se_html_raw(b, buf + i, sizeof(buf) - i);
}


int64_t
se_page_floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}


/* the local day number of t */
static int64_t
se_page_day(const se_page_ctx_t *c, int64_t t)
{
    return se_page_floor_div(t + se_tz_offset(c->tz, t, NULL), 86400);
}


/* "Nov 21, 2026" or "2026년 11월 21일"; without the year if year == 0 */
void
se_page_date(se_page_ctx_t *c, int64_t day, int year)
{
    int64_t  y, mo, d;

    se_civil_from_days(day, &y, &mo, &d);

    if (c->lang == SE_LANG_KO) {
        if (year) {
            se_page_num(c->b, y, 1);
            se_html_str(c->b, "&#45380; ");                /* 년 */
        }

        se_page_num(c->b, mo, 1);
        se_html_str(c->b, "&#50900; ");                    /* 월 */
        se_page_num(c->b, d, 1);
        se_html_str(c->b, "&#51068;");                     /* 일 */
        return;
    }

    se_html_str(c->b, se_page_months[mo - 1]);
    se_html_str(c->b, " ");
    se_page_num(c->b, d, 1);

    if (year) {
        se_html_str(c->b, ", ");
        se_page_num(c->b, y, 1);
    }
}


static void
se_page_datetime_attr(se_html_buf_t *b, int64_t t)
{
    char  buf[SE_TIME_LEN];

    if (se_time_format(t, buf)) {
        se_html_str(b, " datetime=\"");
        se_html_str(b, buf);
        se_html_str(b, "\"");
    }
}


/*
 * <time datetime="...">Nov 21, 14:30 KST</time>; date 0 leaves the date
 * out (the end of a window on the day it starts).
 */
static void
se_page_time(se_page_ctx_t *c, int64_t t, int date)
{
    int64_t      local, day, secs, y, now_y, mo, d;
    const char  *abbr;

    se_html_str(c->b, "<time");
    se_page_datetime_attr(c->b, t);
    se_html_str(c->b, ">");

    local = t + se_tz_offset(c->tz, t, &abbr);
    day = se_page_floor_div(local, 86400);
    secs = local - day * 86400;

    if (date) {
        se_civil_from_days(day, &y, &mo, &d);
        se_civil_from_days(se_page_day(c, c->now), &now_y, &mo, &d);

        se_page_date(c, day, c->now == 0 || y != now_y);
        se_html_str(c->b, c->lang == SE_LANG_KO ? " " : ", ");
    }

    se_page_num(c->b, secs / 3600, 2);
    se_html_str(c->b, ":");
    se_page_num(c->b, secs % 3600 / 60, 2);
    se_html_str(c->b, " ");
    se_page_text(c->b, abbr);
    se_html_str(c->b, "</time>");
}


static const se_str_t *
se_page_i18n(se_page_ctx_t *c, const se_str_t *base, const se_i18n_t *list)
{
    return se_lang_i18n(base, list, c->lang);
}


static se_impact_e
se_page_level(const se_incident_t *rec)
{
    return rec->kind == SE_KIND_MAINTENANCE ? SE_IMPACT_MAINTENANCE
                                            : rec->impact;
}


/* the update timeline, newest first */
static void
se_page_timeline(se_page_ctx_t *c, const se_incident_t *rec)
{
    size_t              i;
    const se_str_t     *s;
    const se_update_t  *u;

    if (rec->nupdates == 0) {
        return;
    }

    se_html_str(c->b, "<ol class=\"timeline\">");

    for (i = 0; i < rec->nupdates; i++) {
        u = &rec->updates[i];

        se_html_str(c->b, "<li><p class=\"upd\"><strong class=\"st st-");
        se_html_str(c->b, se_status_name(u->status));
        se_html_str(c->b, "\">");
        se_page_text(c->b, c->bt->status[u->status]);
        se_html_str(c->b, "</strong> ");
        se_page_time(c, u->display_at, 1);
        se_html_str(c->b, "</p>");

        s = se_page_i18n(c, &u->body, u->body_i18n);

        if (s->len) {
            se_html_str(c->b, "<p class=\"body\">");
            se_html_lines(c->b, s->data, s->len, 0);
            se_html_str(c->b, "</p>");
        }

        se_html_str(c->b, "</li>");
    }

    se_html_str(c->b, "</ol>");
}


static void
se_page_affected(se_page_ctx_t *c, const se_incident_t *rec)
{
    size_t                 i, n;
    const se_str_t        *s;
    const se_component_t  *comp;

    for (i = 0, n = 0; i < rec->ncomponents; i++) {
        comp = se_model_component(c->m, rec->components[i].data,
                                  rec->components[i].len);
        if (comp == NULL) {
            continue;
        }

        if (n++ == 0) {
            se_html_str(c->b, "<p class=\"affects\">");
            se_page_text(c->b, c->pt->affected);

        } else {
            se_html_str(c->b, ", ");
        }

        s = se_page_i18n(c, &comp->name, comp->name_i18n);
        se_html_text(c->b, s->data, s->len);
    }

    if (n) {
        se_html_str(c->b, "</p>");
    }
}


static void
se_page_window(se_page_ctx_t *c, const se_incident_t *rec)
{
    if (rec->scheduled_for == SE_TIME_NONE) {
        return;
    }

    se_html_str(c->b, "<p class=\"when\">");
    se_page_text(c->b, c->bt->when);
    se_page_time(c, rec->scheduled_for, 1);

    if (rec->scheduled_until != SE_TIME_NONE
        && rec->scheduled_until > rec->scheduled_for)
    {
        se_html_str(c->b, " ");
        se_page_text(c->b, c->bt->to);
        se_html_str(c->b, " ");
        se_page_time(c, rec->scheduled_until,
                     se_page_day(c, rec->scheduled_until)
                     != se_page_day(c, rec->scheduled_for));
    }

    se_html_str(c->b, "</p>");
}


static void
se_page_anchor(se_page_ctx_t *c, const se_incident_t *rec,
    const char *suffix)
{
    se_html_str(c->b, rec->kind == SE_KIND_MAINTENANCE ? "maintenance-"
                                                       : "incident-");
    se_html_attr(c->b, rec->id.data, rec->id.len);
    se_html_str(c->b, suffix);
}


/* an active incident or a maintenance: h3, meta, timeline */
static void
se_page_record(se_page_ctx_t *c, const se_incident_t *rec)
{
    se_impact_e      level;
    const se_str_t  *s;

    level = se_page_level(rec);

    se_html_str(c->b, "<article class=\"record imp-");
    se_html_str(c->b, se_impact_name(level));
    se_html_str(c->b, "\" id=\"");
    se_page_anchor(c, rec, "\" aria-labelledby=\"");
    se_page_anchor(c, rec, "-h\"><h3 id=\"");
    se_page_anchor(c, rec, "-h\">");
    s = se_page_i18n(c, &rec->name, rec->name_i18n);
    se_html_text(c->b, s->data, s->len);
    se_html_str(c->b, "</h3><p class=\"meta\"><span class=\"badge imp-");
    se_html_str(c->b, se_impact_name(level));
    se_html_str(c->b, "\">");
    se_page_text(c->b, c->bt->level[level]);
    se_html_str(c->b, "</span> <span class=\"st st-");
    se_html_str(c->b, se_status_name(rec->status));
    se_html_str(c->b, "\">");
    se_page_text(c->b, c->bt->status[rec->status]);
    se_html_str(c->b, "</span></p>");

    if (rec->kind == SE_KIND_MAINTENANCE) {
        se_page_window(c, rec);
    }

    se_page_affected(c, rec);

    if (rec->next_update_at != SE_TIME_NONE
        && (c->now == 0 || rec->next_update_at > c->now)
        && !(rec->kind == SE_KIND_INCIDENT
             && !se_status_unresolved(rec->status)))
    {
        se_html_str(c->b, "<p class=\"next\">");
        se_page_text(c->b, c->bt->next);
        se_page_time(c, rec->next_update_at, 1);
        se_html_str(c->b, "</p>");
    }

    se_page_timeline(c, rec);

    se_html_str(c->b, "</article>");
}


void
se_page_overall(se_page_ctx_t *c)
{
    se_indicator_e  ind;

    ind = se_model_indicator(c->m, 0);

    se_html_str(c->b, "<section class=\"overall ind-");
    se_html_str(c->b, se_indicator_name(ind));
    se_html_str(c->b, "\" aria-labelledby=\"overall-h\"><h2 id=\"overall-h\" "
                "class=\"vh\">");
    se_page_text(c->b, c->pt->overall);
    se_html_str(c->b, "</h2><p class=\"ind\">");
    se_page_text(c->b, c->pt->indicator[ind]);
    se_html_str(c->b, "</p></section>");
}


static void
se_page_section(se_page_ctx_t *c, const char *id, const char *title)
{
    se_html_str(c->b, "<section id=\"");
    se_html_str(c->b, id);
    se_html_str(c->b, "\" aria-labelledby=\"");
    se_html_str(c->b, id);
    se_html_str(c->b, "-h\"><h2 id=\"");
    se_html_str(c->b, id);
    se_html_str(c->b, "-h\">");
    se_page_text(c->b, title);
    se_html_str(c->b, "</h2>");
}


void
se_page_incidents(se_page_ctx_t *c)
{
    size_t                i, n;
    const se_incident_t  *rec;

    for (i = 0, n = 0; i < c->m->nincidents; i++) {
        rec = &c->m->incidents[i];

        if (rec->audience != SE_AUDIENCE_PUBLIC
            || !se_status_unresolved(rec->status))
        {
            continue;
        }

        if (n++ == 0) {
            se_page_section(c, "active", c->pt->active);
        }

        se_page_record(c, rec);
    }

    if (n) {
        se_html_str(c->b, "</section>");
    }
}


static int
se_page_upcoming(const se_page_ctx_t *c, const se_incident_t *rec)
{
    int64_t  end;

    if (!se_status_upcoming(rec->status)) {
        return 0;
    }

    end = rec->scheduled_until != SE_TIME_NONE ? rec->scheduled_until
                                               : rec->scheduled_for;

    return c->now == 0 || end == SE_TIME_NONE || end > c->now;
}


void
se_page_maintenances(se_page_ctx_t *c)
{
    size_t                i, n, k;
    const se_incident_t  *rec;

    for (i = 0, n = 0; i < c->m->nmaintenances; i++) {
        rec = &c->m->maintenances[i];

        if (rec->audience != SE_AUDIENCE_PUBLIC
            || !se_status_active(rec->status))
        {
            continue;
        }

        if (n++ == 0) {
            se_page_section(c, "maintenance", c->pt->in_progress);
        }

        se_page_record(c, rec);
    }

    if (n) {
        se_html_str(c->b, "</section>");
    }

    /* upcoming: soonest first (the model is newest scheduled_for first) */

    for (k = c->m->nmaintenances, n = 0; k > 0; k--) {
        rec = &c->m->maintenances[k - 1];

        if (rec->audience != SE_AUDIENCE_PUBLIC || !se_page_upcoming(c, rec))
        {
            continue;
        }

        if (n++ == 0) {
            se_page_section(c, "upcoming", c->pt->upcoming);
        }

        se_page_record(c, rec);
    }

    if (n) {
        se_html_str(c->b, "</section>");
    }
}


static int
se_page_comp_shown(const se_component_t *comp, se_comp_status_e status)
{
    return !(comp->only_show_if_degraded && status == SE_COMP_OPERATIONAL);
}


static void
se_page_comp_row(se_page_ctx_t *c, const se_component_t *comp,
    se_comp_status_e status)
{
    const se_str_t  *s;

    se_html_str(c->b, "<div class=\"row\"><span class=\"name\">");
    s = se_page_i18n(c, &comp->name, comp->name_i18n);
    se_html_text(c->b, s->data, s->len);
    se_html_str(c->b, "</span> <span class=\"cs cs-");
    se_html_str(c->b, se_comp_status_name(status));
    se_html_str(c->b, "\">");
    se_page_text(c->b, c->pt->comp[status]);
    se_html_str(c->b, "</span></div>");

    s = se_page_i18n(c, &comp->description, comp->description_i18n);

    if (s->len) {
        se_html_str(c->b, "<p class=\"desc\">");
        se_html_text(c->b, s->data, s->len);
        se_html_str(c->b, "</p>");
    }

    se_page_uptime(c, comp);
}


/* the group a component belongs to, or NULL */
static const se_component_t *
se_page_parent(const se_model_t *m, const se_component_t *comp)
{
    const se_component_t  *g;

    if (comp->group_id.len == 0) {
        return NULL;
    }

    g = se_model_component(m, comp->group_id.data, comp->group_id.len);

    return (g && g->group && g != comp) ? g : NULL;
}


void
se_page_components(se_page_ctx_t *c)
{
    size_t                 i, j, n;
    se_comp_status_e       worst;
    const se_component_t  *comp, *child;

    se_page_section(c, "components", c->pt->components);
    se_html_str(c->b, "<ul class=\"components\">");

    for (i = 0; i < c->m->ncomponents; i++) {
        comp = &c->m->components[i];

        if (se_page_parent(c->m, comp)) {
            continue;
        }

        if (!comp->group) {
            if (se_page_comp_shown(comp, comp->status)) {
                se_html_str(c->b, "<li class=\"comp\">");
                se_page_comp_row(c, comp, comp->status);
                se_html_str(c->b, "</li>");
            }

            continue;
        }

        /* a group: the worst of its own and its children's statuses */

        worst = comp->status;

        for (j = 0; j < c->m->ncomponents; j++) {
            child = &c->m->components[j];

            if (se_page_parent(c->m, child) == comp
                && se_page_comp_rank[child->status]
                   > se_page_comp_rank[worst])
            {
                worst = child->status;
            }
        }

        if (!se_page_comp_shown(comp, worst)) {
            continue;
        }

        se_html_str(c->b, "<li class=\"comp group\">");
        se_page_comp_row(c, comp, worst);

        for (j = 0, n = 0; j < c->m->ncomponents; j++) {
            child = &c->m->components[j];

            if (se_page_parent(c->m, child) != comp
                || !se_page_comp_shown(child, child->status))
            {
                continue;
            }

            if (n++ == 0) {
                se_html_str(c->b, "<ul class=\"children\">");
            }

            se_html_str(c->b, "<li class=\"comp\">");
            se_page_comp_row(c, child, child->status);
            se_html_str(c->b, "</li>");
        }

        se_html_str(c->b, n ? "</ul></li>" : "</li>");
    }

    se_html_str(c->b, "</ul></section>");
}


/* a resolved incident or completed maintenance in the history */
static void
se_page_past(se_page_ctx_t *c, const se_incident_t *rec)
{
    se_impact_e      level;
    const se_str_t  *s;

    level = se_page_level(rec);

    se_html_str(c->b, "<article class=\"past imp-");
    se_html_str(c->b, se_impact_name(level));
    se_html_str(c->b, "\" id=\"");
    se_page_anchor(c, rec, "\"><h4>");
    s = se_page_i18n(c, &rec->name, rec->name_i18n);
    se_html_text(c->b, s->data, s->len);
    se_html_str(c->b, "</h4><p class=\"meta\"><span class=\"badge imp-");
    se_html_str(c->b, se_impact_name(level));
    se_html_str(c->b, "\">");
    se_page_text(c->b, c->bt->level[level]);
    se_html_str(c->b, "</span>");

    if (rec->resolved_at != SE_TIME_NONE) {
        se_html_str(c->b, " <span class=\"resolved\">");
        se_page_text(c->b, c->pt->resolved);
        se_page_time(c, rec->resolved_at, 1);
        se_html_str(c->b, "</span>");
    }

    se_html_str(c->b, "</p>");

    if (rec->kind == SE_KIND_MAINTENANCE) {
        se_page_window(c, rec);
    }

    se_page_affected(c, rec);

    if (se_html_url_ok(rec->postmortem_url.data, rec->postmortem_url.len)
        == SE_OK)
    {
        se_html_str(c->b, "<p class=\"pm\"><a href=\"");
        se_html_url(c->b, rec->postmortem_url.data, rec->postmortem_url.len);
        se_html_str(c->b, "\">");
        se_page_text(c->b, c->pt->postmortem);
        se_html_str(c->b, "</a></p>");
    }

    if (rec->nupdates) {
        se_html_str(c->b, "<details><summary>");
        se_page_text(c->b, c->pt->updates);
        se_html_str(c->b, " (");
        se_page_num(c->b, (int64_t) rec->nupdates, 1);
        se_html_str(c->b, ")</summary>");
        se_page_timeline(c, rec);
        se_html_str(c->b, "</details>");
    }

    se_html_str(c->b, "</article>");
}


/* the day a past record is listed under, or INT64_MIN: not listed */
static int64_t
se_page_past_day(se_page_ctx_t *c, const se_incident_t *rec)
{
    if (rec->audience != SE_AUDIENCE_PUBLIC) {
        return INT64_MIN;
    }

    if (rec->kind == SE_KIND_INCIDENT) {
        if (se_status_unresolved(rec->status)
            || rec->created_at == SE_TIME_NONE)
        {
            return INT64_MIN;
        }

        return se_page_day(c, rec->created_at);
    }

    if (rec->status != SE_STATUS_COMPLETED
        || rec->scheduled_for == SE_TIME_NONE)
    {
        return INT64_MIN;
    }

    return se_page_day(c, rec->scheduled_for);
}


int
se_page_shows(se_page_ctx_t *c, const se_incident_t *rec)
{
    int64_t  day;

    if (rec->audience != SE_AUDIENCE_PUBLIC) {
        return 0;
    }

    if (rec->kind == SE_KIND_INCIDENT ? se_status_unresolved(rec->status)
        : (se_status_active(rec->status) || se_status_upcoming(rec->status)))
    {
        return 1;
    }

    day = se_page_past_day(c, rec);

    return day != INT64_MIN && se_page_day(c, c->now) - day >= 0
           && se_page_day(c, c->now) - day < (int64_t) c->days;
}


void
se_page_history(se_page_ctx_t *c)
{
    size_t    i, n;
    int64_t   today, day;
    unsigned  k;

    if (c->days == 0) {
        return;
    }

    today = se_page_day(c, c->now);

    se_page_section(c, "history", c->pt->history);
    se_html_str(c->b, "<ol class=\"days\">");

    for (k = 0; k < c->days; k++) {
        day = today - k;

        se_html_str(c->b, "<li class=\"day\"><h3><time datetime=\"");
        {
            int64_t  y, mo, d;

            se_civil_from_days(day, &y, &mo, &d);
            se_page_num(c->b, y, 4);
            se_html_str(c->b, "-");
            se_page_num(c->b, mo, 2);
            se_html_str(c->b, "-");
            se_page_num(c->b, d, 2);
        }
        se_html_str(c->b, "\">");
        se_page_date(c, day, 1);
        se_html_str(c->b, "</time></h3>");

        n = 0;

        for (i = 0; i < c->m->nincidents; i++) {
            if (se_page_past_day(c, &c->m->incidents[i]) == day) {
                se_page_past(c, &c->m->incidents[i]);
                n++;
            }
        }

        for (i = 0; i < c->m->nmaintenances; i++) {
            if (se_page_past_day(c, &c->m->maintenances[i]) == day) {
                se_page_past(c, &c->m->maintenances[i]);
                n++;
            }
        }

        if (n == 0) {
            se_html_str(c->b, "<p class=\"none\">");
            se_page_text(c->b, c->pt->none);
            se_html_str(c->b, "</p>");
        }

        se_html_str(c->b, "</li>");
    }

    se_html_str(c->b, "</ol></section>");
}


void
se_page_zone(se_page_ctx_t *c)
{
    const char      *abbr;
    const se_str_t  *z;

    z = &c->m->page.time_zone;

    if (c->tz && z->len) {
        se_html_text(c->b, z->data, z->len);
        (void) se_tz_offset(c->tz, c->now, &abbr);

    } else {
        abbr = "UTC";
        se_html_str(c->b, "UTC");
    }

    se_html_str(c->b, " (");
    se_page_text(c->b, abbr);
    se_html_str(c->b, ")");
}


const se_str_t *
se_page_name(se_page_ctx_t *c)
{
    static const se_str_t  none = { "", 0 };

    if (c->m->page.name.data == NULL) {
        return &none;
    }

    return se_page_i18n(c, &c->m->page.name, c->m->page.name_i18n);
}
