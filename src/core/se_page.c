/*
 * The status page (see se_page.h).
 */

#include <string.h>

#include "se_page.h"
#include "se_lang.h"
#include "se_html.h"
#include "se_pool.h"
#include "se_enum.h"
#include "se_derive.h"
#include "se_time.h"


typedef struct {
    const char          *title;         /* after the page name */
    const char          *skip;
    const char          *overall;
    const char          *indicator[SE_INDICATOR_UNKNOWN + 1];
    const char          *active;
    const char          *in_progress;
    const char          *upcoming;
    const char          *components;
    const char          *comp[SE_COMP_N];
    const char          *affected;
    const char          *history;
    const char          *none;
    const char          *postmortem;
    const char          *updates;
    const char          *resolved;
    const char          *zone;
    const char          *subscribe;
} se_page_text_t;


static const se_page_text_t  se_page_texts[SE_LANG_N] = {

    { " Status",
      "Skip to content",
      "Current status",
      { "All Systems Operational", "Minor Service Outage",
        "Partial System Outage", "Major System Outage",
        "Service Under Maintenance", "Status Unknown" },
      "Active incidents",
      "Maintenance in progress",
      "Upcoming maintenance",
      "Components",
      { "Operational", "Degraded performance", "Partial outage",
        "Major outage", "Under maintenance" },
      "Affected components: ",
      "Past incidents",
      "No incidents reported.",
      "Read the postmortem",
      "Updates",
      "Resolved ",
      "Times are shown in ",
      "Subscribe to updates: " },

    { " \xec\x83\x81\xed\x83\x9c",                     /* 상태 */
      /* 본문으로 건너뛰기 */
      "\xeb\xb3\xb8\xeb\xac\xb8\xec\x9c\xbc\xeb\xa1\x9c "
      "\xea\xb1\xb4\xeb\x84\x88\xeb\x9b\xb0\xea\xb8\xb0",
      "\xed\x98\x84\xec\x9e\xac \xec\x83\x81\xed\x83\x9c", /* 현재 상태 */
      { /* 모든 시스템 정상 */
        "\xeb\xaa\xa8\xeb\x93\xa0 \xec\x8b\x9c\xec\x8a\xa4\xed\x85\x9c "
        "\xec\xa0\x95\xec\x83\x81",
        /* 경미한 서비스 장애 */
        "\xea\xb2\xbd\xeb\xaf\xb8\xed\x95\x9c \xec\x84\x9c\xeb\xb9\x84"
        "\xec\x8a\xa4 \xec\x9e\xa5\xec\x95\xa0",
        /* 부분 시스템 장애 */
        "\xeb\xb6\x80\xeb\xb6\x84 \xec\x8b\x9c\xec\x8a\xa4\xed\x85\x9c "
        "\xec\x9e\xa5\xec\x95\xa0",
        /* 주요 시스템 장애 */
        "\xec\xa3\xbc\xec\x9a\x94 \xec\x8b\x9c\xec\x8a\xa4\xed\x85\x9c "
        "\xec\x9e\xa5\xec\x95\xa0",
        /* 서비스 점검 중 */
        "\xec\x84\x9c\xeb\xb9\x84\xec\x8a\xa4 \xec\xa0\x90\xea\xb2\x80 "
        "\xec\xa4\x91",
        /* 상태 알 수 없음 */
        "\xec\x83\x81\xed\x83\x9c \xec\x95\x8c \xec\x88\x98 "
        "\xec\x97\x86\xec\x9d\x8c" },
      /* 진행 중인 장애 */
      "\xec\xa7\x84\xed\x96\x89 \xec\xa4\x91\xec\x9d\xb8 "
      "\xec\x9e\xa5\xec\x95\xa0",
      /* 진행 중인 점검 */
      "\xec\xa7\x84\xed\x96\x89 \xec\xa4\x91\xec\x9d\xb8 "
      "\xec\xa0\x90\xea\xb2\x80",
      /* 예정된 점검 */
      "\xec\x98\x88\xec\xa0\x95\xeb\x90\x9c \xec\xa0\x90\xea\xb2\x80",
      /* 구성 요소 */
      "\xea\xb5\xac\xec\x84\xb1 \xec\x9a\x94\xec\x86\x8c",
      { "\xec\xa0\x95\xec\x83\x81",                     /* 정상 */
        "\xec\x84\xb1\xeb\x8a\xa5 \xec\xa0\x80\xed\x95\x98", /* 성능 저하 */
        "\xeb\xb6\x80\xeb\xb6\x84 \xec\x9e\xa5\xec\x95\xa0", /* 부분 장애 */
        "\xec\xa3\xbc\xec\x9a\x94 \xec\x9e\xa5\xec\x95\xa0", /* 주요 장애 */
        "\xec\xa0\x90\xea\xb2\x80 \xec\xa4\x91" },      /* 점검 중 */
      /* 영향받는 구성 요소: */
      "\xec\x98\x81\xed\x96\xa5\xeb\xb0\x9b\xeb\x8a\x94 "
      "\xea\xb5\xac\xec\x84\xb1 \xec\x9a\x94\xec\x86\x8c: ",
      /* 지난 장애 기록 */
      "\xec\xa7\x80\xeb\x82\x9c \xec\x9e\xa5\xec\x95\xa0 "
      "\xea\xb8\xb0\xeb\xa1\x9d",
      /* 보고된 장애가 없습니다. */
      "\xeb\xb3\xb4\xea\xb3\xa0\xeb\x90\x9c \xec\x9e\xa5\xec\x95\xa0"
      "\xea\xb0\x80 \xec\x97\x86\xec\x8a\xb5\xeb\x8b\x88\xeb\x8b\xa4.",
      /* 사후 분석 보기 */
      "\xec\x82\xac\xed\x9b\x84 \xeb\xb6\x84\xec\x84\x9d "
      "\xeb\xb3\xb4\xea\xb8\xb0",
      "\xec\x97\x85\xeb\x8d\xb0\xec\x9d\xb4\xed\x8a\xb8", /* 업데이트 */
      "\xed\x95\xb4\xea\xb2\xb0: ",                     /* 해결: */
      "\xec\x8b\x9c\xea\xb0\x84\xeb\x8c\x80: ",         /* 시간대: */
      /* 업데이트 구독: */
      "\xec\x97\x85\xeb\x8d\xb0\xec\x9d\xb4\xed\x8a\xb8 "
      "\xea\xb5\xac\xeb\x8f\x85: " }
};


static const char  *se_page_months[12] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
    "Nov", "Dec"
};


/* severity order for a group's worst status: maintenance below outages */
static const int  se_page_comp_rank[SE_COMP_N] = { 0, 2, 3, 4, 1 };


typedef struct {
    const se_model_t        *m;
    se_html_buf_t           *b;
    se_lang_e                lang;
    int64_t                  now;
    unsigned                 days;
    const se_tz_t           *tz;
    const char              *css_url;
    const se_page_text_t    *pt;
    const se_lang_labels_t  *bt;
} se_page_ctx_t;


static void
se_page_text(se_html_buf_t *b, const char *s)
{
    se_html_text(b, s, strlen(s));
}


static void
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


static int64_t
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
static void
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


static void
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


static void
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


static void
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


static void
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


static void
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


static void
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


static const se_str_t *
se_page_name(se_page_ctx_t *c)
{
    static const se_str_t  none = { "", 0 };

    if (c->m->page.name.data == NULL) {
        return &none;
    }

    return se_page_i18n(c, &c->m->page.name, c->m->page.name_i18n);
}


static void
se_page_document(se_page_ctx_t *c)
{
    const se_str_t  *name;

    name = se_page_name(c);

    se_html_str(c->b, "<!DOCTYPE html>\n<html lang=\"");
    se_html_str(c->b, se_lang_name(c->lang));
    se_html_str(c->b, "\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, "
                "initial-scale=1\"><meta name=\"color-scheme\" "
                "content=\"light dark\"><title>");
    se_html_text(c->b, name->data, name->len);
    se_page_text(c->b, c->pt->title);
    se_html_str(c->b, "</title><link rel=\"stylesheet\" href=\"");
    se_html_attr(c->b, c->css_url, strlen(c->css_url));
    se_html_str(c->b, "\"><link rel=\"alternate\" "
                "type=\"application/atom+xml\" href=\"history.atom\" "
                "title=\"Atom\"><link rel=\"alternate\" "
                "type=\"application/rss+xml\" href=\"history.rss\" "
                "title=\"RSS\"></head>\n<body><a class=\"skip\" "
                "href=\"#main\">");
    se_page_text(c->b, c->pt->skip);
    se_html_str(c->b, "</a><header class=\"top\"><div class=\"wrap\"><h1>");

    if (se_html_url_ok(c->m->page.url.data, c->m->page.url.len) == SE_OK) {
        se_html_str(c->b, "<a href=\"");
        se_html_url(c->b, c->m->page.url.data, c->m->page.url.len);
        se_html_str(c->b, "\">");
        se_html_text(c->b, name->data, name->len);
        se_html_str(c->b, "</a>");

    } else {
        se_html_text(c->b, name->data, name->len);
    }

    se_html_str(c->b, "</h1></div></header>\n<main id=\"main\" "
                "class=\"wrap\">");

    se_page_overall(c);
    se_page_incidents(c);
    se_page_maintenances(c);
    se_page_components(c);
    se_page_history(c);

    se_html_str(c->b, "</main>\n<footer class=\"foot\"><div class=\"wrap\">"
                "<p>");
    se_page_text(c->b, c->pt->zone);
    se_page_zone(c);
    se_html_str(c->b, ".</p><p>");
    se_page_text(c->b, c->pt->subscribe);
    se_html_str(c->b, "<a href=\"history.atom\">Atom</a> &#183; "
                "<a href=\"history.rss\">RSS</a></p></div></footer>\n"
                "</body></html>\n");
}


/* templates */

typedef enum {
    SE_PTPL_LITERAL = 0,
    SE_PTPL_PAGE_NAME,
    SE_PTPL_STATUS_DESCRIPTION,
    SE_PTPL_STATUS_INDICATOR,
    SE_PTPL_LANG,
    SE_PTPL_STYLESHEET_URL,
    SE_PTPL_ATOM_URL,
    SE_PTPL_RSS_URL,
    SE_PTPL_TIME_ZONE,
    SE_PTPL_OVERALL,
    SE_PTPL_INCIDENTS,
    SE_PTPL_MAINTENANCES,
    SE_PTPL_COMPONENTS,
    SE_PTPL_HISTORY,
    SE_PTPL_N
} se_page_tpl_item_e;


static const char *const  se_page_tpl_names[SE_PTPL_N] = {
    NULL, "page_name", "status_description", "status_indicator", "lang",
    "stylesheet_url", "atom_url", "rss_url", "time_zone", "overall",
    "incidents", "maintenances", "components", "history"
};

static const se_tpl_spec_t  se_page_tpl_spec = {
    se_page_tpl_names, SE_PTPL_N, 0, "status page template",
    SE_PAGE_TPL_MAX
};


int
se_page_tpl_parse(const char *text, size_t len, se_page_tpl_t **out,
    char *err, size_t errlen)
{
    return se_tpl_parse(&se_page_tpl_spec, text, len, out, err, errlen);
}


void
se_page_tpl_free(se_page_tpl_t *t)
{
    se_tpl_free(t);
}


static void
se_page_template(se_page_ctx_t *c, const se_page_tpl_t *t)
{
    size_t               i;
    se_indicator_e       ind;
    const se_str_t      *s;
    const se_tpl_seg_t  *seg;

    ind = se_model_indicator(c->m, 0);

    for (i = 0; i < t->nsegs; i++) {
        seg = &t->segs[i];

        switch (seg->item) {

        case SE_PTPL_LITERAL:
            se_html_raw(c->b, t->text + seg->off, seg->len);
            break;

        case SE_PTPL_PAGE_NAME:
            s = se_page_name(c);
            se_html_attr(c->b, s->data, s->len);
            break;

        case SE_PTPL_STATUS_DESCRIPTION:
            se_html_attr(c->b, c->pt->indicator[ind],
                         strlen(c->pt->indicator[ind]));
            break;

        case SE_PTPL_STATUS_INDICATOR:
            se_html_str(c->b, se_indicator_name(ind));
            break;

        case SE_PTPL_LANG:
            se_html_str(c->b, se_lang_name(c->lang));
            break;

        case SE_PTPL_STYLESHEET_URL:
            se_html_attr(c->b, c->css_url, strlen(c->css_url));
            break;

        case SE_PTPL_ATOM_URL:
            se_html_str(c->b, "history.atom");
            break;

        case SE_PTPL_RSS_URL:
            se_html_str(c->b, "history.rss");
            break;

        case SE_PTPL_TIME_ZONE:
            se_page_zone(c);
            break;

        case SE_PTPL_OVERALL:
            se_page_overall(c);
            break;

        case SE_PTPL_INCIDENTS:
            se_page_incidents(c);
            break;

        case SE_PTPL_MAINTENANCES:
            se_page_maintenances(c);
            break;

        case SE_PTPL_COMPONENTS:
            se_page_components(c);
            break;

        case SE_PTPL_HISTORY:
            se_page_history(c);
            break;

        default:
            break;
        }
    }
}


int
se_page_render(const se_model_t *m, const se_page_opts_t *o, char **data,
    size_t *len)
{
    se_html_buf_t  b;
    se_page_ctx_t  c;

    *data = NULL;
    *len = 0;

    se_html_buf_init(&b);

    c.m = m;
    c.b = &b;
    c.lang = o->lang < SE_LANG_N ? o->lang : SE_LANG_EN;
    c.now = o->now ? o->now : m->now;
    c.days = o->history_days < SE_PAGE_HISTORY_MAX ? o->history_days
                                                   : SE_PAGE_HISTORY_MAX;
    c.tz = o->tz;
    c.css_url = o->css_url ? o->css_url : SE_PAGE_CSS_URL;
    c.pt = &se_page_texts[c.lang];
    c.bt = se_lang_labels(c.lang);

    if (c.now == 0) {
        c.now = (int64_t) time(NULL);
    }

    if (o->tpl) {
        se_page_template(&c, o->tpl);

    } else {
        se_page_document(&c);
    }

    *data = se_html_buf_take(&b, len);

    return *data ? SE_OK : SE_ERROR;
}


static void
se_page_sooner(int64_t *at, int64_t t, int64_t now)
{
    if (t != SE_TIME_NONE && t > now && t < *at) {
        *at = t;
    }
}


int64_t
se_page_refresh_at(const se_model_t *m, const se_tz_t *tz, int64_t now)
{
    size_t                i;
    int64_t               at, local, next;
    const se_incident_t  *rec;

    at = INT64_MAX;

    /* the next local midnight: the history window and dates move */

    local = now + se_tz_offset(tz, now, NULL);
    next = (se_page_floor_div(local, 86400) + 1) * 86400
           - se_tz_offset(tz, now, NULL);
    se_page_sooner(&at, next, now);

    for (i = 0; i < m->nincidents; i++) {
        rec = &m->incidents[i];
        se_page_sooner(&at, rec->next_update_at, now);
    }

    for (i = 0; i < m->nmaintenances; i++) {
        rec = &m->maintenances[i];
        se_page_sooner(&at, rec->next_update_at, now);
        se_page_sooner(&at, rec->scheduled_for, now);
        se_page_sooner(&at, rec->scheduled_until, now);
    }

    return at;
}


static const char  se_page_stylesheet[] =
    ":root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#57606a;"
    "--line:#d0d7de;--card:#f6f8fa;--link:#0a58ca;--ok:#1a7f37;"
    "--minor:#7d4e00;--major:#b35000;--critical:#cf222e;--maint:#0969da}\n"
    "@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;"
    "--muted:#9da7b3;--line:#30363d;--card:#161b22;--link:#6cb6ff;"
    "--ok:#3fb950;--minor:#d29922;--major:#f0883e;--critical:#ff7b72;"
    "--maint:#58a6ff}}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:var(--bg);color:var(--fg);"
    "font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,"
    "\"Noto Sans KR\",\"Apple SD Gothic Neo\",\"Malgun Gothic\","
    "sans-serif;overflow-wrap:anywhere}\n"
    "a{color:var(--link)}\n"
    "a:focus-visible,summary:focus-visible{outline:2px solid var(--link);"
    "outline-offset:2px}\n"
    ".wrap{max-width:50rem;margin:0 auto;padding:0 1rem}\n"
    ".skip{position:absolute;left:-999px}\n"
    ".skip:focus{left:1rem;top:1rem;background:var(--bg);padding:.5rem}\n"
    ".vh{position:absolute;width:1px;height:1px;overflow:hidden;"
    "clip:rect(0 0 0 0);white-space:nowrap}\n"
    ".top{border-bottom:1px solid var(--line);padding:1.25rem 0}\n"
    ".top h1{margin:0;font-size:1.5rem}\n"
    ".top h1 a{color:inherit;text-decoration:none}\n"
    "main{padding-bottom:2rem}\n"
    "h2{font-size:1.25rem;margin:2rem 0 .75rem}\n"
    "h3{font-size:1.05rem;margin:0 0 .25rem}\n"
    "h4{font-size:1rem;margin:0 0 .25rem}\n"
    "p{margin:.25rem 0}\n"
    ".overall{margin:1.5rem 0;padding:1rem 1.25rem;border-radius:.5rem;"
    "color:#fff;background:#1a7f37;font-size:1.25rem;font-weight:600}\n"
    ".ind-minor{background:#7d4e00}\n"
    ".ind-major{background:#a84a00}\n"
    ".ind-critical{background:#a40e26}\n"
    ".ind-maintenance{background:#0a58ca}\n"
    ".record{border:1px solid var(--line);border-left:.35rem solid "
    "var(--muted);border-radius:.5rem;padding:1rem;margin:0 0 1rem;"
    "background:var(--card)}\n"
    ".record.imp-minor{border-left-color:var(--minor)}\n"
    ".record.imp-major{border-left-color:var(--major)}\n"
    ".record.imp-critical{border-left-color:var(--critical)}\n"
    ".record.imp-maintenance{border-left-color:var(--maint)}\n"
    ".meta,.affects,.when,.next,.desc,.resolved,.none,.foot{"
    "color:var(--muted);font-size:.9rem}\n"
    ".badge{font-weight:600}\n"
    ".badge.imp-none{color:var(--muted)}\n"
    ".badge.imp-minor{color:var(--minor)}\n"
    ".badge.imp-major{color:var(--major)}\n"
    ".badge.imp-critical{color:var(--critical)}\n"
    ".badge.imp-maintenance{color:var(--maint)}\n"
    ".timeline{list-style:none;margin:.75rem 0 0;padding:0 0 0 1rem;"
    "border-left:2px solid var(--line)}\n"
    ".timeline li{margin:0 0 .75rem}\n"
    ".upd time{color:var(--muted);font-size:.9rem;margin-left:.5rem}\n"
    ".components{list-style:none;margin:0;padding:0;border:1px solid "
    "var(--line);border-radius:.5rem}\n"
    ".comp{padding:.75rem 1rem;border-top:1px solid var(--line)}\n"
    ".components>.comp:first-child{border-top:0}\n"
    ".row{display:flex;justify-content:space-between;gap:1rem;"
    "flex-wrap:wrap}\n"
    ".name{font-weight:600}\n"
    ".children{list-style:none;margin:.5rem 0 0;padding:0 0 0 1rem}\n"
    ".children .comp{padding:.5rem 0}\n"
    ".cs{font-weight:600}\n"
    ".cs-operational{color:var(--ok)}\n"
    ".cs-degraded_performance{color:var(--minor)}\n"
    ".cs-partial_outage{color:var(--major)}\n"
    ".cs-major_outage{color:var(--critical)}\n"
    ".cs-under_maintenance{color:var(--maint)}\n"
    ".days{list-style:none;margin:0;padding:0}\n"
    ".day{border-bottom:1px solid var(--line);padding:.75rem 0}\n"
    ".day h3{font-size:1rem}\n"
    ".past{margin:.5rem 0 .75rem}\n"
    ".past h4{color:var(--fg)}\n"
    ".past.imp-minor h4{color:var(--minor)}\n"
    ".past.imp-major h4{color:var(--major)}\n"
    ".past.imp-critical h4{color:var(--critical)}\n"
    ".past.imp-maintenance h4{color:var(--maint)}\n"
    "summary{cursor:pointer;color:var(--link);font-size:.9rem}\n"
    ".foot{border-top:1px solid var(--line);padding:1rem 0 2rem}\n"
    "@media (max-width:600px){body{font-size:15px}"
    ".overall{font-size:1.1rem}.record{padding:.75rem}}\n"
    "@media (prefers-reduced-motion:reduce){*{transition:none}}\n";


const char *
se_page_css(size_t *len)
{
    if (len) {
        *len = sizeof(se_page_stylesheet) - 1;
    }

    return se_page_stylesheet;
}
