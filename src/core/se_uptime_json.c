/*
 * components/ID/uptime.json (se_uptime.h), with jansson.
 */

#include <string.h>

#include <jansson.h>

#include "se_pool.h"
#include "se_enum.h"
#include "se_uptime.h"


/* jansson refuses NULL values with -1, so failures just accumulate */
#define se_set(obj, key, val)  (json_object_set_new(obj, key, val) != 0)


static json_t *
se_uptime_jfigure(int32_t figure)
{
    if (figure == SE_UPTIME_NONE) {
        return json_null();
    }

    return json_real((double) figure / 100.0);
}


static json_t *
se_uptime_jdate(int64_t date)
{
    char  buf[11];

    se_uptime_date(date, buf);

    return json_string_nocheck(buf);
}


static int
se_uptime_jsecs(json_t *o, const se_uptime_span_t *s)
{
    int  err, i;

    err = 0;

    for (i = 0; i < SE_COMP_N; i++) {
        if (i != SE_COMP_OPERATIONAL) {
            err |= se_set(o, se_comp_status_name((se_comp_status_e) i),
                          json_integer(s->secs[i]));
        }
    }

    err |= se_set(o, "no_data", json_integer(s->nodata));

    return err;
}


static json_t *
se_uptime_jref(const se_incident_t *rec)
{
    json_t  *o;
    int      err;

    o = json_object();
    err = se_set(o, "id", json_stringn_nocheck(rec->id.data, rec->id.len));
    err |= se_set(o, "name",
                  json_stringn_nocheck(rec->name.data, rec->name.len));

    if (err) {
        json_decref(o);
        return NULL;
    }

    return o;
}


int
se_uptime_json(const se_uptime_t *u, const se_uptime_comp_t *uc,
    const se_model_t *m, char **out, size_t *len)
{
    int                     err;
    char                   *s, buf[64];
    size_t                  i, k;
    json_t                 *o, *ev, *incs, *mnts, *days, *d, *ids, *warn;
    const se_component_t   *c;
    const se_uptime_day_t  *day;

    c = uc->comp;
    o = json_object();
    err = (o == NULL);

    err |= se_set(o, "id", json_stringn_nocheck(c->id.data, c->id.len));
    err |= se_set(o, "name", json_stringn_nocheck(c->name.data, c->name.len));
    err |= se_set(o, "range_start", se_uptime_jdate(uc->days[0].date));
    err |= se_set(o, "range_end",
                  se_uptime_jdate(uc->days[u->ndays - 1].date));
    err |= se_set(o, "uptime_percentage", se_uptime_jfigure(uc->figure));
    err |= se_uptime_jsecs(o, &uc->span);
    err |= se_set(o, "time_zone", m->page.time_zone.data
                  ? json_stringn_nocheck(m->page.time_zone.data,
                                         m->page.time_zone.len)
                  : json_string_nocheck("UTC"));

    warn = json_array();
    err |= se_set(o, "warnings", warn);

    for (k = 0; !err && k < u->ndays; k++) {
        if (uc->days[k].span.nodata == 0) {
            break;
        }
    }

    if (!err && k == u->ndays) {
        err |= json_array_append_new(warn, json_string_nocheck(
                   "no history: the component has no status change "
                   "recorded in the range"));

    } else if (!err && k > 0) {
        memcpy(buf, "no data before ", 15);
        se_uptime_date(uc->days[k].date, buf + 15);
        err |= json_array_append_new(warn, json_string_nocheck(buf));
    }

    ev = json_object();
    incs = json_array();
    mnts = json_array();
    err |= se_set(o, "related_events", ev);
    err |= se_set(ev, "incidents", incs);
    err |= se_set(ev, "scheduled_maintenances", mnts);

    for (i = 0; !err && i < uc->nrel; i++) {
        err |= json_array_append_new(uc->rel[i]->kind == SE_KIND_INCIDENT
                                     ? incs : mnts,
                                     se_uptime_jref(uc->rel[i]));
    }

    days = json_array();
    err |= se_set(o, "days", days);

    for (k = 0; !err && k < u->ndays; k++) {
        day = &uc->days[k];
        d = json_object();
        err |= json_array_append_new(days, d);
        err |= se_set(d, "date", se_uptime_jdate(day->date));
        err |= se_set(d, "uptime_percentage", se_uptime_jfigure(day->figure));
        err |= se_set(d, "level", json_string_nocheck(
                                      se_uptime_level_name(day->level)));
        err |= se_uptime_jsecs(d, &day->span);

        ids = json_array();
        err |= se_set(d, "related_events", ids);

        for (i = 0; !err && i < day->nrel; i++) {
            err |= json_array_append_new(ids, json_stringn_nocheck(
                       day->rel[i]->id.data, day->rel[i]->id.len));
        }
    }

    if (err) {
        json_decref(o);
        return SE_ERROR;
    }

    s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
    json_decref(o);

    if (s == NULL) {
        return SE_ERROR;
    }

    /* jansson allocates with se_malloc() (se_set_alloc_funcs()) */
    *len = strlen(s);
    *out = s;

    return SE_OK;
}
