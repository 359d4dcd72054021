/*
 * Component uptime: the seconds each component spent in each status on
 * each of the last "days" days, from its history (se_change_t), derived
 * once per state and once per local midnight, never per request.
 *
 * Days are the page time zone's (se_tz), DST included: a day runs from
 * one local midnight to the next (23 or 25 hours across a change).  The
 * last day is today, up to "now".  Before a component's first history
 * entry there is no data: such seconds count for nothing, so a component
 * added 10 days ago has 10 days of figures, not 90 days at 100 %.
 *
 * The uptime over a span is  1 - down / counted,  where counted is the
 * seconds with data in a status that has a weight, and down the sum of
 * each status' seconds times its weight.  Default weights (per mille):
 * major_outage 1000, partial_outage 300, degraded_performance 0,
 * operational 0; under_maintenance is left out (SE_UPTIME_EXCLUDED).
 * Figures are in hundredths of a percent, rounded down, so that any
 * downtime reads below 100.00.
 *
 * A group's figures are the sums of its children's seconds (its own
 * history when it has no child), so its uptime is its children's
 * average weighted by the time each has data.
 */

#ifndef SE_UPTIME_H
#define SE_UPTIME_H

#include "se_core.h"
#include "se_model.h"
#include "se_tz.h"

#define SE_UPTIME_DAYS_MAX   366
#define SE_UPTIME_DAYS       90
#define SE_UPTIME_EXCLUDED   (-1)
#define SE_UPTIME_NONE       (-1)      /* a figure without data */
#define SE_UPTIME_REL_MAX    8         /* related records listed a day */

/* the colour of a day, from its downtime */
typedef enum {
    SE_UPTIME_NODATA = 0,           /* no second with data */
    SE_UPTIME_UP,                   /* no downtime */
    SE_UPTIME_MAINT,                /* only maintenance, no downtime */
    SE_UPTIME_MINOR,                /* down at most 1 % of the day */
    SE_UPTIME_MAJOR,                /* down at most 5 % */
    SE_UPTIME_CRITICAL,             /* down more */
    SE_UPTIME_LEVEL_N
} se_uptime_level_e;

typedef struct {
    int               weight[SE_COMP_N];  /* per mille, or EXCLUDED */
} se_uptime_weights_t;

/* seconds of one span (a day, or the window) */
typedef struct {
    int64_t           secs[SE_COMP_N];
    int64_t           nodata;
    int64_t           counted;        /* seconds in the denominator */
    int64_t           down;           /* weighted: seconds x per mille */
} se_uptime_span_t;

typedef struct {
    int64_t           start;          /* the local midnight it begins */
    int64_t           end;            /* the next one (or now, today) */
    int64_t           date;           /* local days since 1970-01-01 */
    se_uptime_span_t  span;
    int32_t           figure;         /* 1/100 %, or SE_UPTIME_NONE */
    se_uptime_level_e level;
    size_t            nrel;           /* related records, at most .._MAX */
    const se_incident_t  *rel[SE_UPTIME_REL_MAX];
    size_t            more;           /* related records not listed */
} se_uptime_day_t;

typedef struct {
    const se_component_t  *comp;
    se_uptime_day_t  *days;           /* oldest first */
    se_uptime_span_t  span;           /* the whole window */
    int32_t           figure;         /* 1/100 %, or SE_UPTIME_NONE */
    const se_incident_t  **rel;       /* every related record, newest */
    size_t            nrel;           /* first */
} se_uptime_comp_t;

typedef struct {
    unsigned          ndays;
    int64_t           now;
    int64_t           range_start;    /* the first day's midnight */
    se_uptime_comp_t *comps;          /* model order */
    size_t            ncomps;
    se_uptime_span_t  span;           /* the page: every component with */
    int32_t           figure;         /* uptime on, groups left out */
} se_uptime_t;

/* the defaults above */
void se_uptime_weights_default(se_uptime_weights_t *w);

/*
 * Derives the figures of every component of m: SE_OK, or SE_ERROR when
 * out of memory.  se_uptime_free() releases *out.
 */
int se_uptime_build(const se_model_t *m, const se_tz_t *tz, int64_t now,
    unsigned days, const se_uptime_weights_t *w, se_uptime_t **out);

void se_uptime_free(se_uptime_t *u);

/* the component of that id, NULL when none */
const se_uptime_comp_t *se_uptime_find(const se_uptime_t *u,
    const char *id, size_t len);

/* the uptime of a span, in 1/100 %, or SE_UPTIME_NONE */
int32_t se_uptime_figure(const se_uptime_span_t *s);

/* "99.95" (at most 6 bytes and a NUL); "" for SE_UPTIME_NONE */
void se_uptime_format(int32_t figure, char *buf);

const char *se_uptime_level_name(se_uptime_level_e level);

/* "2026-11-21" of a local day number: 11 bytes with the NUL */
void se_uptime_date(int64_t date, char *buf);

/*
 * The first local midnight after now (when the window moves), for
 * se_page_refresh_at() and the like.
 */
int64_t se_uptime_next_midnight(const se_tz_t *tz, int64_t now);

/*
 * components/ID/uptime.json: Statuspage's component uptime fields (id,
 * name, range_start, range_end, uptime_percentage, major_outage and
 * partial_outage in seconds, warnings, related_events) and, as
 * additions, the other statuses' seconds, time_zone and the daily
 * series "days".  *out is se_malloc()ed, NUL-terminated; SE_OK, or
 * SE_ERROR when out of memory.
 */
int se_uptime_json(const se_uptime_t *u, const se_uptime_comp_t *uc,
    const se_model_t *m, char **out, size_t *len);

#endif /* SE_UPTIME_H */
