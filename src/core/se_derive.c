/*
 * Derived state (SPEC section 2): indicator, component groups, the
 * page's updated_at; model lookups.
 */

#include <string.h>
#include <strings.h>

#include "se_build.h"
#include "se_enum.h"
#include "se_derive.h"


/* severity order: none < maintenance < minor < major < critical */
static int
se_severity(se_indicator_e ind)
{
    switch (ind) {
    case SE_INDICATOR_MAINTENANCE:
        return 1;
    case SE_INDICATOR_MINOR:
        return 2;
    case SE_INDICATOR_MAJOR:
        return 3;
    case SE_INDICATOR_CRITICAL:
        return 4;
    default:
        return 0;
    }
}


static se_indicator_e
se_worse(se_indicator_e a, se_indicator_e b)
{
    return se_severity(b) > se_severity(a) ? b : a;
}


static se_indicator_e
se_comp_indicator(se_comp_status_e s)
{
    switch (s) {
    case SE_COMP_DEGRADED_PERFORMANCE:
        return SE_INDICATOR_MINOR;
    case SE_COMP_PARTIAL_OUTAGE:
        return SE_INDICATOR_MAJOR;
    case SE_COMP_MAJOR_OUTAGE:
        return SE_INDICATOR_CRITICAL;
    case SE_COMP_UNDER_MAINTENANCE:
        return SE_INDICATOR_MAINTENANCE;
    default:
        return SE_INDICATOR_NONE;
    }
}


static se_indicator_e
se_impact_indicator(se_impact_e i)
{
    switch (i) {
    case SE_IMPACT_MINOR:
        return SE_INDICATOR_MINOR;
    case SE_IMPACT_MAJOR:
        return SE_INDICATOR_MAJOR;
    case SE_IMPACT_CRITICAL:
        return SE_INDICATOR_CRITICAL;
    default:
        return SE_INDICATOR_NONE;
    }
}


se_indicator_e
se_model_indicator(const se_model_t *m, int internal)
{
    se_indicator_e        ind;
    const se_incident_t  *inc;
    size_t                i;

    ind = SE_INDICATOR_NONE;

    for (i = 0; i < m->ncomponents; i++) {
        ind = se_worse(ind, se_comp_indicator(m->components[i].status));
    }

    for (i = 0; i < m->nincidents; i++) {
        inc = &m->incidents[i];

        if ((internal || inc->audience == SE_AUDIENCE_PUBLIC)
            && se_status_unresolved(inc->status))
        {
            ind = se_worse(ind, se_impact_indicator(inc->impact));
        }
    }

    for (i = 0; i < m->nmaintenances; i++) {
        inc = &m->maintenances[i];

        if ((internal || inc->audience == SE_AUDIENCE_PUBLIC)
            && se_status_active(inc->status))
        {
            ind = se_worse(ind, SE_INDICATOR_MAINTENANCE);
        }
    }

    return ind;
}


const se_component_t *
se_model_component(const se_model_t *m, const char *id, size_t len)
{
    size_t  i;

    for (i = 0; i < m->ncomponents; i++) {
        if (m->components[i].id.len == len
            && memcmp(m->components[i].id.data, id, len) == 0)
        {
            return &m->components[i];
        }
    }

    return NULL;
}


const se_i18n_t *
se_i18n_find(const se_i18n_t *list, const char *lang, size_t len)
{
    for ( /* void */ ; list; list = list->next) {
        if (list->lang.len == len
            && strncasecmp(list->lang.data, lang, len) == 0)
        {
            return list;
        }
    }

    return NULL;
}


static void
se_newest(int64_t *acc, int64_t t)
{
    if (t != SE_TIME_NONE && (*acc == SE_TIME_NONE || t > *acc)) {
        *acc = t;
    }
}


static void
se_newest_incident(int64_t *acc, const se_incident_t *inc)
{
    size_t  i;

    if (inc->audience != SE_AUDIENCE_PUBLIC) {
        return;
    }

    se_newest(acc, inc->updated_at);

    for (i = 0; i < inc->nupdates; i++) {
        se_newest(acc, inc->updates[i].updated_at);
    }
}


void
se_derive(se_model_t *m)
{
    size_t           i, j;
    se_component_t  *c;
    int64_t          newest;

    /* a component that some group_id names is a group */
    for (i = 0; i < m->ncomponents; i++) {
        c = &m->components[i];

        for (j = 0; j < m->ncomponents; j++) {
            if (j != i && m->components[j].group_id.data
                && m->components[j].group_id.len == c->id.len
                && memcmp(m->components[j].group_id.data, c->id.data,
                          c->id.len) == 0)
            {
                c->group = 1;
                break;
            }
        }
    }

    newest = SE_TIME_NONE;

    for (i = 0; i < m->ncomponents; i++) {
        se_newest(&newest, m->components[i].updated_at);
    }

    for (i = 0; i < m->nincidents; i++) {
        se_newest_incident(&newest, &m->incidents[i]);
    }

    for (i = 0; i < m->nmaintenances; i++) {
        se_newest_incident(&newest, &m->maintenances[i]);
    }

    m->page.updated_at = newest;
}


/* whether rec lists comp, or a child of the group comp */
int
se_record_touches(const se_model_t *m, const se_incident_t *rec,
    const se_component_t *comp)
{
    size_t                 i;
    const se_component_t  *c;

    for (i = 0; i < rec->ncomponents; i++) {
        if (rec->components[i].len == comp->id.len
            && memcmp(rec->components[i].data, comp->id.data, comp->id.len)
               == 0)
        {
            return 1;
        }

        if (!comp->group) {
            continue;
        }

        c = se_model_component(m, rec->components[i].data,
                               rec->components[i].len);

        if (c && c->group_id.len == comp->id.len
            && memcmp(c->group_id.data, comp->id.data, comp->id.len) == 0)
        {
            return 1;
        }
    }

    return 0;
}
