/*
 * Component uptime (se_uptime.h): seconds per status and day, day
 * boundaries at local midnights across DST (America/New_York) and
 * without DST (Asia/Seoul), "no data" before the first history entry,
 * weights, groups, related incidents, the figures' format, the JSON
 * document and the uptime badge.
 */

#include "tap.h"

#include "se_uptime.h"
#include "se_badge.h"
#include "se_page.h"
#include "se_tz.h"
#include "se_pool.h"
#include "se_time.h"

/* 2026-11-21T12:00:00Z */
#define NOW   1795262400LL
#define DAY   86400LL

static int64_t
at(const char *rfc3339)
{
    int64_t  t;

    if (se_time_parse(rfc3339, strlen(rfc3339), &t) != SE_OK) {
        tap_diag("bad time %s", rfc3339);
        exit(2);
    }

    return t;
}


#define STR(s)  { s, sizeof(s) - 1 }

static void
component(se_component_t *c, const char *id, se_change_t *h, size_t n)
{
    memset(c, 0, sizeof(se_component_t));
    c->id.data = id;
    c->id.len = strlen(id);
    c->name = c->id;
    c->uptime = 1;
    c->history = h;
    c->nhistory = n;
}


static const se_uptime_day_t *
day_of(const se_uptime_t *u, size_t comp, const char *date)
{
    char      buf[11];
    unsigned  k;

    for (k = 0; k < u->ndays; k++) {
        se_uptime_date(u->comps[comp].days[k].date, buf);
        if (strcmp(buf, date) == 0) {
            return &u->comps[comp].days[k];
        }
    }

    tap_diag("no day %s", date);
    return NULL;
}


static int32_t
expect(int64_t counted, int64_t down)
{
    return (int32_t) ((counted * 1000 - down) * 10000 / (counted * 1000));
}


static void
test_utc(void)
{
    char                    buf[16];
    se_model_t              m;
    se_component_t          comps[1];
    se_uptime_t            *u;
    se_uptime_weights_t     w;
    const se_uptime_day_t  *d;
    int64_t                 counted;
    se_change_t             h[3];

    h[0].at = NOW - 200 * DAY;
    h[0].status = SE_COMP_OPERATIONAL;
    h[1].at = at("2026-11-10T10:00:00Z");
    h[1].status = SE_COMP_PARTIAL_OUTAGE;
    h[2].at = at("2026-11-10T10:30:00Z");
    h[2].status = SE_COMP_OPERATIONAL;

    memset(&m, 0, sizeof(m));
    component(&comps[0], "api", h, 3);
    m.components = comps;
    m.ncomponents = 1;

    se_uptime_weights_default(&w);

    tap_ok(se_uptime_build(&m, NULL, NOW, 90, &w, &u) == SE_OK, "built");

    tap_ok(u->ndays == 90, "90 days");
    se_uptime_date(u->comps[0].days[89].date, buf);
    tap_ok(strcmp(buf, "2026-11-21") == 0, "the last day is today (%s)", buf);
    se_uptime_date(u->comps[0].days[0].date, buf);
    tap_ok(strcmp(buf, "2026-08-24") == 0, "the first is 89 days before (%s)",
           buf);
    tap_ok(u->range_start == at("2026-08-24T00:00:00Z"), "range start");

    d = day_of(u, 0, "2026-11-10");
    tap_ok(d && d->span.secs[SE_COMP_PARTIAL_OUTAGE] == 1800,
           "30 minutes of partial outage on the day");
    tap_ok(d && d->span.secs[SE_COMP_OPERATIONAL] == DAY - 1800,
           "the rest operational");
    tap_ok(d && d->figure == 9937, "day figure 99.37 (%d)",
           d ? d->figure : -1);
    tap_ok(d && d->level == SE_UPTIME_MINOR, "day level minor");

    d = day_of(u, 0, "2026-11-21");
    tap_ok(d && d->span.secs[SE_COMP_OPERATIONAL] == 12 * 3600,
           "today counts up to now");

    d = day_of(u, 0, "2026-11-11");
    tap_ok(d && d->level == SE_UPTIME_UP && d->figure == 10000,
           "a day without downtime is up, 100.00");

    counted = 89 * DAY + 12 * 3600;
    tap_ok(u->comps[0].span.counted == counted, "window counted seconds");
    tap_ok(u->comps[0].figure == expect(counted, 1800 * 300),
           "window figure %d", u->comps[0].figure);
    se_uptime_format(u->comps[0].figure, buf);
    tap_ok(strcmp(buf, "99.99") == 0, "window figure reads 99.99 (%s)", buf);
    tap_ok(u->comps[0].span.secs[SE_COMP_PARTIAL_OUTAGE] == 1800,
           "window partial outage seconds");

    se_uptime_free(u);

    /* the same 30 minutes as a major outage: down in full, level major */

    h[1].status = SE_COMP_MAJOR_OUTAGE;
    tap_ok(se_uptime_build(&m, NULL, NOW, 90, &w, &u) == SE_OK, "built");
    d = day_of(u, 0, "2026-11-10");
    tap_ok(d && d->figure == 9791 && d->level == SE_UPTIME_MAJOR,
           "30 min major outage: 97.91, major (%d)", d ? d->figure : -1);
    se_uptime_free(u);

    /* weights: partial_outage as 1, maintenance left out */

    h[1].status = SE_COMP_UNDER_MAINTENANCE;
    tap_ok(se_uptime_build(&m, NULL, NOW, 90, &w, &u) == SE_OK, "built");
    d = day_of(u, 0, "2026-11-10");
    tap_ok(d && d->figure == 10000 && d->span.counted == DAY - 1800,
           "maintenance is left out of the denominator");
    se_uptime_free(u);

    w.weight[SE_COMP_UNDER_MAINTENANCE] = 1000;
    tap_ok(se_uptime_build(&m, NULL, NOW, 90, &w, &u) == SE_OK, "built");
    d = day_of(u, 0, "2026-11-10");
    tap_ok(d && d->figure == 9791, "a weight set for maintenance counts it");
    se_uptime_free(u);
}


static void
test_new_york(void)
{
    se_tz_t                *tz;
    se_model_t              m;
    se_component_t          comps[1];
    se_uptime_t            *u;
    se_uptime_weights_t     w;
    const se_uptime_day_t  *d;
    se_change_t             h[3];

    tz = se_tz_load(NULL, "America/New_York", 16);
    if (!tap_ok(tz != NULL, "America/New_York loads")) {
        return;
    }

    /* 23:30 EST on Nov 1 (the 25-hour day DST ends) to 00:30 on Nov 2 */

    h[0].at = NOW - 200 * DAY;
    h[0].status = SE_COMP_OPERATIONAL;
    h[1].at = at("2026-11-01T23:30:00-05:00");
    h[1].status = SE_COMP_MAJOR_OUTAGE;
    h[2].at = at("2026-11-02T00:30:00-05:00");
    h[2].status = SE_COMP_OPERATIONAL;

    memset(&m, 0, sizeof(m));
    component(&comps[0], "api", h, 3);
    m.components = comps;
    m.ncomponents = 1;
    se_uptime_weights_default(&w);

    tap_ok(se_uptime_build(&m, tz, NOW, 90, &w, &u) == SE_OK, "built");

    d = day_of(u, 0, "2026-11-01");
    tap_ok(d && d->start == at("2026-11-01T00:00:00-04:00"),
           "Nov 1 starts at midnight EDT");
    tap_ok(d && d->end == at("2026-11-02T00:00:00-05:00"),
           "and ends at midnight EST");
    tap_ok(d && d->end - d->start == 25 * 3600, "a 25-hour day");
    tap_ok(d && d->span.secs[SE_COMP_MAJOR_OUTAGE] == 1800,
           "30 minutes down on Nov 1");
    tap_ok(d && d->figure == expect(25 * 3600, 1800 * 1000),
           "Nov 1's figure over 25 hours (%d)", d ? d->figure : -1);

    d = day_of(u, 0, "2026-11-02");
    tap_ok(d && d->span.secs[SE_COMP_MAJOR_OUTAGE] == 1800
           && d->end - d->start == DAY, "30 minutes on Nov 2, 24 hours");

    d = day_of(u, 0, "2026-11-21");
    tap_ok(d && d->start == at("2026-11-21T00:00:00-05:00")
           && d->end == NOW, "today from midnight EST to now");

    tap_ok(se_uptime_next_midnight(tz, NOW) == at("2026-11-22T05:00:00Z"),
           "the next midnight");

    se_uptime_free(u);

    /* March 8, 2026: 23 hours */

    h[0].at = at("2025-01-01T00:00:00Z");
    h[1].at = at("2026-03-08T01:00:00-05:00");
    h[2].at = at("2026-03-08T03:30:00-04:00");
    tap_ok(se_uptime_build(&m, tz, at("2026-03-20T12:00:00Z"), 90, &w, &u)
           == SE_OK, "built in March");
    d = day_of(u, 0, "2026-03-08");
    tap_ok(d && d->end - d->start == 23 * 3600, "a 23-hour day");
    tap_ok(d && d->span.secs[SE_COMP_MAJOR_OUTAGE] == 5400,
           "01:00 EST to 03:30 EDT is 90 minutes");
    se_uptime_free(u);

    se_tz_free(tz);
}


static void
test_seoul_and_new(void)
{
    char                    buf[16];
    unsigned                k, none;
    se_tz_t                *tz;
    se_model_t              m;
    se_component_t          comps[1];
    se_uptime_t            *u;
    se_uptime_weights_t     w;
    const se_uptime_day_t  *d;
    se_change_t             h[3];

    tz = se_tz_load(NULL, "Asia/Seoul", 10);
    if (!tap_ok(tz != NULL, "Asia/Seoul loads")) {
        return;
    }

    /* added 10 days ago; 14:30Z to 15:30Z is 23:30 to 00:30 KST */

    h[0].at = NOW - 10 * DAY;
    h[0].status = SE_COMP_OPERATIONAL;
    h[1].at = at("2026-11-15T14:30:00Z");
    h[1].status = SE_COMP_PARTIAL_OUTAGE;
    h[2].at = at("2026-11-15T15:30:00Z");
    h[2].status = SE_COMP_OPERATIONAL;

    memset(&m, 0, sizeof(m));
    component(&comps[0], "db", h, 3);
    m.components = comps;
    m.ncomponents = 1;
    se_uptime_weights_default(&w);

    tap_ok(se_uptime_build(&m, tz, NOW, 90, &w, &u) == SE_OK, "built");

    d = day_of(u, 0, "2026-11-15");
    tap_ok(d && d->start == at("2026-11-14T15:00:00Z")
           && d->span.secs[SE_COMP_PARTIAL_OUTAGE] == 1800,
           "30 minutes on Nov 15 KST");
    d = day_of(u, 0, "2026-11-16");
    tap_ok(d && d->span.secs[SE_COMP_PARTIAL_OUTAGE] == 1800,
           "30 minutes on Nov 16 KST");

    for (none = 0, k = 0; k < u->ndays; k++) {
        if (u->comps[0].days[k].level == SE_UPTIME_NODATA) {
            none++;
        }
    }

    /* now is 21:00 KST on Nov 21; added 21:00 KST on Nov 11 */
    tap_ok(none == 79, "79 days without data before it (%u)", none);
    d = day_of(u, 0, "2026-11-11");
    tap_ok(d && d->span.nodata == 21 * 3600 && d->span.counted == 3 * 3600,
           "the day it was added: data from then on");
    d = day_of(u, 0, "2026-11-10");
    tap_ok(d && d->figure == SE_UPTIME_NONE, "no figure before");
    tap_ok(u->comps[0].span.counted == 10 * DAY, "10 days counted");
    tap_ok(u->comps[0].figure == expect(10 * DAY, 3600 * 300),
           "the figure counts only the days with data");
    se_uptime_format(u->comps[0].figure, buf);
    tap_ok(strcmp(buf, "99.87") == 0, "99.87 (%s)", buf);

    se_uptime_free(u);

    /* no history at all: no data, no figure */

    comps[0].nhistory = 0;
    tap_ok(se_uptime_build(&m, tz, NOW, 90, &w, &u) == SE_OK, "built");
    tap_ok(u->comps[0].figure == SE_UPTIME_NONE
           && u->comps[0].days[89].level == SE_UPTIME_NODATA,
           "without history: no data, not 100 %%");
    se_uptime_free(u);

    se_tz_free(tz);
}


static void
test_group_related_json(void)
{
    char                    buf[16], *json;
    size_t                  len;
    se_model_t              m;
    se_component_t          comps[3];
    se_incident_t           inc[2];
    se_str_t                ids[1] = { STR("api") };
    se_uptime_t            *u;
    se_uptime_weights_t     w;
    se_badge_t              badge;
    const se_uptime_day_t  *d;
    se_change_t             h1[3], h2[1];

    h1[0].at = NOW - 200 * DAY;
    h1[0].status = SE_COMP_OPERATIONAL;
    h1[1].at = at("2026-11-10T10:00:00Z");
    h1[1].status = SE_COMP_MAJOR_OUTAGE;
    h1[2].at = at("2026-11-10T11:00:00Z");
    h1[2].status = SE_COMP_OPERATIONAL;
    h2[0].at = NOW - 200 * DAY;
    h2[0].status = SE_COMP_OPERATIONAL;

    memset(&m, 0, sizeof(m));
    component(&comps[0], "core", NULL, 0);
    comps[0].group = 1;
    component(&comps[1], "api", h1, 3);
    comps[1].group_id = comps[0].id;
    component(&comps[2], "web", h2, 1);
    comps[2].group_id = comps[0].id;
    m.components = comps;
    m.ncomponents = 3;

    memset(inc, 0, sizeof(inc));
    inc[0].kind = SE_KIND_INCIDENT;
    inc[0].id = (se_str_t) STR("inc1");
    inc[0].name = (se_str_t) STR("API <down>");
    inc[0].status = SE_STATUS_RESOLVED;
    inc[0].audience = SE_AUDIENCE_PUBLIC;
    inc[0].created_at = h1[1].at;
    inc[0].started_at = SE_TIME_NONE;
    inc[0].resolved_at = h1[2].at;
    inc[0].components = ids;
    inc[0].ncomponents = 1;
    inc[1] = inc[0];
    inc[1].id = (se_str_t) STR("inc2");
    inc[1].audience = SE_AUDIENCE_INTERNAL;
    m.incidents = inc;
    m.nincidents = 2;

    se_uptime_weights_default(&w);
    tap_ok(se_uptime_build(&m, NULL, NOW, 30, &w, &u) == SE_OK, "built");

    d = day_of(u, 1, "2026-11-10");
    tap_ok(d && d->nrel == 1 && d->rel[0] == &inc[0],
           "the day lists its public incident only");
    d = day_of(u, 1, "2026-11-11");
    tap_ok(d && d->nrel == 0, "the next day none");
    tap_ok(u->comps[1].nrel == 1, "one related incident in the window");

    d = day_of(u, 0, "2026-11-10");
    tap_ok(d && d->span.counted == 2 * DAY
           && d->span.secs[SE_COMP_MAJOR_OUTAGE] == 3600,
           "a group sums its children");
    tap_ok(d && d->figure == expect(2 * DAY, 3600 * 1000),
           "so its figure is their average");
    tap_ok(d && d->nrel == 1, "a group lists its children's incidents");
    tap_ok(u->comps[2].figure == 10000, "the other child is 100.00");

    comps[2].uptime = 0;
    se_uptime_free(u);
    tap_ok(se_uptime_build(&m, NULL, NOW, 30, &w, &u) == SE_OK, "built");
    tap_ok(u->comps[0].figure == u->comps[1].figure,
           "a child with uptime off is left out of its group");
    tap_ok(u->figure == u->comps[1].figure, "and out of the page's figure");

    tap_ok(se_uptime_json(u, &u->comps[1], &m, &json, &len) == SE_OK,
           "uptime.json renders");
    tap_ok(strstr(json, "\"range_start\":\"2026-10-23\"")
           && strstr(json, "\"range_end\":\"2026-11-21\""), "range");
    tap_ok(strstr(json, "\"major_outage\":3600") != NULL, "major seconds");
    tap_ok(strstr(json, "\"incidents\":[{\"id\":\"inc1\",\"name\":"
                  "\"API <down>\"}]") != NULL, "related events");
    tap_ok(strstr(json, "inc2") == NULL, "no internal incident");
    se_uptime_format(u->comps[1].figure, buf);
    tap_ok(strstr(json, buf) != NULL, "the figure %s", buf);
    se_free(json);

    tap_ok(se_badge_uptime(&comps[1], u->comps[1].figure, SE_LANG_EN, &badge)
           == SE_OK, "uptime badge");
    /* 1 hour down of 29.5 days: 99.858... */
    tap_ok(strstr(badge.data, "api: 99.85%") != NULL,
           "badge reads api: 99.85%%");
    se_badge_free(&badge);
    tap_ok(se_badge_uptime(NULL, SE_UPTIME_NONE, SE_LANG_EN, &badge) == SE_OK
           && strstr(badge.data, "uptime: no data") != NULL,
           "page badge without data");
    se_badge_free(&badge);

    se_uptime_free(u);
}


/*
 * The page is rebuilt at the next local midnight: on the night DST ends
 * that midnight is in EST, an hour after what today's EDT offset gives
 * (the old se_page_refresh_at() woke an hour early, 04:00Z).
 */
static void
test_refresh_dst(void)
{
    se_tz_t     *tz;
    se_model_t   m;
    int64_t      t;

    tz = se_tz_load(NULL, "America/New_York", 16);
    if (!tap_ok(tz != NULL, "America/New_York loads")) {
        return;
    }

    memset(&m, 0, sizeof(m));
    t = se_page_refresh_at(&m, tz, at("2026-11-01T01:30:00-04:00"));
    tap_ok(t == at("2026-11-02T00:00:00-05:00"),
           "the page is rebuilt at midnight EST after DST ends (%lld)",
           (long long) t);

    t = se_page_refresh_at(&m, tz, at("2026-03-08T01:30:00-05:00"));
    tap_ok(t == at("2026-03-09T00:00:00-04:00"),
           "and at midnight EDT after it starts");

    se_tz_free(tz);
}


static void
test_format(void)
{
    char  buf[16];

    se_uptime_format(10000, buf);
    tap_ok(strcmp(buf, "100.00") == 0, "100.00");
    se_uptime_format(9999, buf);
    tap_ok(strcmp(buf, "99.99") == 0, "99.99");
    se_uptime_format(999, buf);
    tap_ok(strcmp(buf, "9.99") == 0, "9.99");
    se_uptime_format(5, buf);
    tap_ok(strcmp(buf, "0.05") == 0, "0.05");
    se_uptime_format(SE_UPTIME_NONE, buf);
    tap_ok(buf[0] == '\0', "none is empty");
}


int
main(void)
{
    test_utc();
    test_new_york();
    test_seoul_and_new();
    test_group_related_json();
    test_refresh_dst();
    test_format();

    return tap_done();
}
