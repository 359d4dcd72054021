/*
 * se_uptime_build(): the days of every component's history, and their
 * figures (se_uptime.h).
 */

#include <stdlib.h>
#include <string.h>

#include "se_pool.h"
#include "se_enum.h"
#include "se_derive.h"
#include "se_time.h"
#include "se_uptime.h"

#define SE_DAY  86400


static const char  *se_uptime_levels[SE_UPTIME_LEVEL_N] = {
    "none", "up", "maint", "minor", "major", "critical"
};


static int64_t
se_uptime_floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}


/* the local day number of t */
static int64_t
se_uptime_day_of(const se_tz_t *tz, int64_t t)
{
    return se_uptime_floor_div(t + se_tz_offset(tz, t, NULL), SE_DAY);
}


/*
 * The instant local day "date" begins: its midnight, found from the
 * offset in effect then (two steps settle any change of offset); a
 * midnight that a DST change skips begins the day at the change.
 */
static int64_t
se_uptime_midnight(const se_tz_t *tz, int64_t date)
{
    int64_t  t;
    int      i;

    t = date * SE_DAY - se_tz_offset(tz, date * SE_DAY, NULL);
    t = date * SE_DAY - se_tz_offset(tz, t, NULL);

    for (i = 0; i < 96 && se_uptime_day_of(tz, t) < date; i++) {
        t += 900;
    }

    for (i = 0; i < 96 && se_uptime_day_of(tz, t - 900) >= date; i++) {
        t -= 900;
    }

    return t;
}


int64_t
se_uptime_next_midnight(const se_tz_t *tz, int64_t now)
{
    return se_uptime_midnight(tz, se_uptime_day_of(tz, now) + 1);
}


void
se_uptime_weights_default(se_uptime_weights_t *w)
{
    w->weight[SE_COMP_OPERATIONAL] = 0;
    w->weight[SE_COMP_DEGRADED_PERFORMANCE] = 0;
    w->weight[SE_COMP_PARTIAL_OUTAGE] = 300;
    w->weight[SE_COMP_MAJOR_OUTAGE] = 1000;
    w->weight[SE_COMP_UNDER_MAINTENANCE] = SE_UPTIME_EXCLUDED;
}


int32_t
se_uptime_figure(const se_uptime_span_t *s)
{
    int64_t  all;

    if (s->counted <= 0) {
        return SE_UPTIME_NONE;
    }

    all = s->counted * 1000;

    return (int32_t) ((all - s->down) * 10000 / all);
}


void
se_uptime_format(int32_t figure, char *buf)
{
    if (figure < 0 || figure > 10000) {
        buf[0] = '\0';
        return;
    }

    buf[0] = '\0';

    if (figure == 10000) {
        memcpy(buf, "100.00", 7);
        return;
    }

    buf[0] = (char) ('0' + figure / 1000);
    buf[1] = (char) ('0' + figure / 100 % 10);
    buf[2] = '.';
    buf[3] = (char) ('0' + figure / 10 % 10);
    buf[4] = (char) ('0' + figure % 10);
    buf[5] = '\0';

    if (buf[0] == '0') {
        memmove(buf, buf + 1, 5);
    }
}


const char *
se_uptime_level_name(se_uptime_level_e level)
{
    return level < SE_UPTIME_LEVEL_N ? se_uptime_levels[level] : "none";
}


void
se_uptime_date(int64_t date, char *buf)
{
    int64_t  y, m, d;

    se_civil_from_days(date, &y, &m, &d);

    if (y < 0 || y > 9999) {
        buf[0] = '\0';
        return;
    }

    buf[0] = (char) ('0' + y / 1000);
    buf[1] = (char) ('0' + y / 100 % 10);
    buf[2] = (char) ('0' + y / 10 % 10);
    buf[3] = (char) ('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char) ('0' + m / 10);
    buf[6] = (char) ('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char) ('0' + d / 10);
    buf[9] = (char) ('0' + d % 10);
    buf[10] = '\0';
}


static void
se_uptime_add(se_uptime_span_t *to, const se_uptime_span_t *s)
{
    int  i;

    for (i = 0; i < SE_COMP_N; i++) {
        to->secs[i] += s->secs[i];
    }

    to->nodata += s->nodata;
    to->counted += s->counted;
    to->down += s->down;
}


static void
se_uptime_weigh(se_uptime_span_t *s, const se_uptime_weights_t *w)
{
    int  i;

    s->counted = 0;
    s->down = 0;

    for (i = 0; i < SE_COMP_N; i++) {
        if (w->weight[i] != SE_UPTIME_EXCLUDED) {
            s->counted += s->secs[i];
            s->down += s->secs[i] * w->weight[i];
        }
    }
}


static se_uptime_level_e
se_uptime_level(const se_uptime_span_t *s)
{
    if (s->counted <= 0) {
        return s->secs[SE_COMP_UNDER_MAINTENANCE] ? SE_UPTIME_MAINT
                                                  : SE_UPTIME_NODATA;
    }

    if (s->down == 0) {
        return SE_UPTIME_UP;
    }

    if (s->down * 100 <= s->counted * 1000) {
        return SE_UPTIME_MINOR;
    }

    if (s->down * 20 <= s->counted * 1000) {
        return SE_UPTIME_MAJOR;
    }

    return SE_UPTIME_CRITICAL;
}


/* the seconds of [s, e) in each status, walking the history from *j */
static void
se_uptime_walk(const se_component_t *c, int64_t s, int64_t e, size_t *j,
    se_uptime_span_t *span)
{
    int64_t   t, next;
    size_t    k;

    k = *j;

    while (k < c->nhistory && c->history[k].at <= s) {
        k++;
    }

    for (t = s; t < e; t = next) {
        next = k < c->nhistory && c->history[k].at < e ? c->history[k].at
                                                       : e;

        if (k == 0) {
            span->nodata += next - t;

        } else {
            span->secs[c->history[k - 1].status] += next - t;
        }

        if (k < c->nhistory && c->history[k].at == next) {
            k++;
        }
    }

    *j = k;
}


/* the span of a public record that happened, else SE_ERROR */
static int
se_uptime_record_span(const se_incident_t *rec, int64_t now, int64_t *s,
    int64_t *e)
{
    if (rec->audience != SE_AUDIENCE_PUBLIC) {
        return SE_ERROR;
    }

    if (rec->kind == SE_KIND_MAINTENANCE) {
        if (se_status_upcoming(rec->status)) {
            return SE_ERROR;
        }

        *s = rec->started_at != SE_TIME_NONE ? rec->started_at
                                             : rec->scheduled_for;
        *e = se_status_active(rec->status) ? now : rec->scheduled_until;

        if (rec->status == SE_STATUS_COMPLETED
            && rec->resolved_at != SE_TIME_NONE)
        {
            *e = rec->resolved_at;
        }

    } else {
        *s = rec->started_at != SE_TIME_NONE ? rec->started_at
                                             : rec->created_at;
        *e = se_status_unresolved(rec->status) ? now : rec->resolved_at;
    }

    if (*s == SE_TIME_NONE) {
        return SE_ERROR;
    }

    if (*e == SE_TIME_NONE || *e < *s) {
        *e = *s;
    }

    return SE_OK;
}


static int
se_uptime_rel_cmp(const void *a, const void *b)
{
    const se_incident_t  *x, *y;
    int64_t               sx, sy;

    x = *(const se_incident_t *const *) a;
    y = *(const se_incident_t *const *) b;

    sx = x->started_at != SE_TIME_NONE ? x->started_at : x->created_at;
    sy = y->started_at != SE_TIME_NONE ? y->started_at : y->created_at;

    if (x->kind == SE_KIND_MAINTENANCE && x->started_at == SE_TIME_NONE) {
        sx = x->scheduled_for;
    }

    if (y->kind == SE_KIND_MAINTENANCE && y->started_at == SE_TIME_NONE) {
        sy = y->scheduled_for;
    }

    return sx < sy ? 1 : (sx > sy ? -1 : 0);
}


/* the incidents and maintenances of comp over the window, by day */
static int
se_uptime_related(const se_model_t *m, se_uptime_t *u, se_uptime_comp_t *uc)
{
    size_t                i, k, n, total;
    int64_t               s, e, end;
    const se_incident_t  *rec;
    se_uptime_day_t      *d;

    total = m->nincidents + m->nmaintenances;

    if (total == 0) {
        return SE_OK;
    }

    uc->rel = se_malloc(total * sizeof(se_incident_t *));
    if (uc->rel == NULL) {
        return SE_ERROR;
    }

    n = 0;

    for (i = 0; i < total; i++) {
        rec = i < m->nincidents ? &m->incidents[i]
                                : &m->maintenances[i - m->nincidents];

        if (se_uptime_record_span(rec, u->now, &s, &e) != SE_OK
            || e < u->range_start || s > u->now
            || !se_record_touches(m, rec, uc->comp))
        {
            continue;
        }

        uc->rel[n++] = rec;
    }

    uc->nrel = n;

    if (n > 1) {
        qsort(uc->rel, n, sizeof(se_incident_t *), se_uptime_rel_cmp);
    }

    /* listed under each day they overlap, oldest first in a day */

    for (i = n; i-- > 0; ) {
        rec = uc->rel[i];
        (void) se_uptime_record_span(rec, u->now, &s, &e);

        for (k = 0; k < u->ndays; k++) {
            d = &uc->days[k];
            end = d->end > d->start ? d->end : d->start + 1;

            if (s >= end || (e <= d->start && !(s == e && s == d->start))) {
                continue;
            }

            if (d->nrel < SE_UPTIME_REL_MAX) {
                d->rel[d->nrel++] = rec;

            } else {
                d->more++;
            }
        }
    }

    return SE_OK;
}


static void
se_uptime_finish(se_uptime_comp_t *uc, unsigned ndays,
    const se_uptime_weights_t *w)
{
    unsigned          k;
    se_uptime_day_t  *d;

    memset(&uc->span, 0, sizeof(se_uptime_span_t));

    for (k = 0; k < ndays; k++) {
        d = &uc->days[k];
        se_uptime_weigh(&d->span, w);
        d->figure = se_uptime_figure(&d->span);
        d->level = se_uptime_level(&d->span);
        se_uptime_add(&uc->span, &d->span);
    }

    uc->figure = se_uptime_figure(&uc->span);
}


int
se_uptime_build(const se_model_t *m, const se_tz_t *tz, int64_t now,
    unsigned days, const se_uptime_weights_t *w, se_uptime_t **out)
{
    size_t                 i, j, c, n;
    unsigned               k;
    int64_t                today, *bounds;
    se_uptime_t           *u;
    se_uptime_comp_t      *uc;
    const se_component_t  *comp, *child;

    *out = NULL;

    if (days == 0) {
        days = 1;
    }

    if (days > SE_UPTIME_DAYS_MAX) {
        days = SE_UPTIME_DAYS_MAX;
    }

    u = se_malloc(sizeof(se_uptime_t));
    if (u == NULL) {
        return SE_ERROR;
    }

    memset(u, 0, sizeof(se_uptime_t));
    u->ndays = days;
    u->now = now;

    bounds = se_malloc((days + 1) * sizeof(int64_t));
    if (bounds == NULL) {
        se_free(u);
        return SE_ERROR;
    }

    /* the local midnights, once for every component */

    today = se_uptime_day_of(tz, now);

    for (k = 0; k <= days; k++) {
        bounds[k] = k < days ? se_uptime_midnight(tz, today - days + 1 + k)
                             : now;
    }

    u->range_start = bounds[0];

    if (m->ncomponents) {
        u->comps = se_malloc(m->ncomponents * sizeof(se_uptime_comp_t));
        if (u->comps == NULL) {
            goto failed;
        }

        memset(u->comps, 0, m->ncomponents * sizeof(se_uptime_comp_t));
    }

    u->ncomps = m->ncomponents;

    for (c = 0; c < m->ncomponents; c++) {
        uc = &u->comps[c];
        uc->comp = &m->components[c];

        uc->days = se_malloc(days * sizeof(se_uptime_day_t));
        if (uc->days == NULL) {
            goto failed;
        }

        memset(uc->days, 0, days * sizeof(se_uptime_day_t));

        for (k = 0; k < days; k++) {
            uc->days[k].start = bounds[k];
            uc->days[k].end = bounds[k + 1];
            uc->days[k].date = today - days + 1 + k;
        }
    }

    /* components first, then groups from their shown children */

    for (c = 0; c < m->ncomponents; c++) {
        uc = &u->comps[c];
        comp = uc->comp;

        for (n = 0, j = 0; comp->group && j < m->ncomponents; j++) {
            child = &m->components[j];

            if (child != comp && child->uptime && !child->group
                && child->group_id.len == comp->id.len
                && memcmp(child->group_id.data, comp->id.data,
                          comp->id.len) == 0)
            {
                n++;
            }
        }

        if (n) {
            continue;
        }

        for (j = 0, k = 0; k < days; k++) {
            se_uptime_walk(comp, uc->days[k].start, uc->days[k].end, &j,
                           &uc->days[k].span);
        }

        se_uptime_finish(uc, days, w);
    }

    for (c = 0; c < m->ncomponents; c++) {
        uc = &u->comps[c];
        comp = uc->comp;

        if (!comp->group) {
            continue;
        }

        for (n = 0, j = 0; j < m->ncomponents; j++) {
            child = &m->components[j];

            if (child == comp || !child->uptime || child->group
                || child->group_id.len != comp->id.len
                || memcmp(child->group_id.data, comp->id.data,
                          comp->id.len) != 0)
            {
                continue;
            }

            n++;

            for (k = 0; k < days; k++) {
                se_uptime_add(&uc->days[k].span, &u->comps[j].days[k].span);
            }
        }

        if (n) {
            se_uptime_finish(uc, days, w);
        }
    }

    for (i = 0; i < m->ncomponents; i++) {
        if (se_uptime_related(m, u, &u->comps[i]) != SE_OK) {
            goto failed;
        }

        if (!m->components[i].group && m->components[i].uptime) {
            se_uptime_add(&u->span, &u->comps[i].span);
        }
    }

    u->figure = se_uptime_figure(&u->span);

    se_free(bounds);
    *out = u;

    return SE_OK;

failed:

    se_free(bounds);
    se_uptime_free(u);

    return SE_ERROR;
}


void
se_uptime_free(se_uptime_t *u)
{
    size_t  i;

    if (u == NULL) {
        return;
    }

    for (i = 0; i < u->ncomps; i++) {
        se_free(u->comps[i].days);
        se_free(u->comps[i].rel);
    }

    se_free(u->comps);
    se_free(u);
}


const se_uptime_comp_t *
se_uptime_find(const se_uptime_t *u, const char *id, size_t len)
{
    size_t  i;

    for (i = 0; u && i < u->ncomps; i++) {
        if (u->comps[i].comp->id.len == len
            && memcmp(u->comps[i].comp->id.data, id, len) == 0)
        {
            return &u->comps[i];
        }
    }

    return NULL;
}
