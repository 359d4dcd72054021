/*
 * The Statuspage enums: names, parsers, predicates.
 */

#include <string.h>

#include "se_enum.h"


static const char  *se_comp_status_names[SE_COMP_N] = {
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance"
};

static const char  *se_status_names[SE_STATUS_N] = {
    "investigating",
    "identified",
    "monitoring",
    "resolved",
    "postmortem",
    "scheduled",
    "in_progress",
    "verifying",
    "completed"
};

static const char  *se_impact_names[SE_IMPACT_N] = {
    "none",
    "minor",
    "major",
    "critical",
    "maintenance"
};

static const char  *se_indicator_names[] = {
    "none",
    "minor",
    "major",
    "critical",
    "maintenance",
    "unknown"
};

static const char  *se_indicator_descriptions[] = {
    "All Systems Operational",
    "Minor Service Outage",
    "Partial System Outage",
    "Major System Outage",
    "Service Under Maintenance",
    "Status Unknown"
};


/* index of s in names[lo, hi), or -1 */
static int
se_lookup(const char **names, int lo, int hi, const char *s, size_t len)
{
    int  i;

    if (s == NULL) {
        return -1;
    }

    for (i = lo; i < hi; i++) {
        if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0) {
            return i;
        }
    }

    return -1;
}


const char *
se_comp_status_name(se_comp_status_e s)
{
    return (unsigned) s < SE_COMP_N ? se_comp_status_names[s] : "";
}


const char *
se_status_name(se_status_e s)
{
    return (unsigned) s < SE_STATUS_N ? se_status_names[s] : "";
}


const char *
se_impact_name(se_impact_e i)
{
    return (unsigned) i < SE_IMPACT_N ? se_impact_names[i] : "";
}


const char *
se_audience_name(se_audience_e a)
{
    return a == SE_AUDIENCE_INTERNAL ? "internal" : "public";
}


const char *
se_indicator_name(se_indicator_e ind)
{
    if ((unsigned) ind > SE_INDICATOR_UNKNOWN) {
        ind = SE_INDICATOR_UNKNOWN;
    }

    return se_indicator_names[ind];
}


const char *
se_indicator_description(se_indicator_e ind)
{
    if ((unsigned) ind > SE_INDICATOR_UNKNOWN) {
        ind = SE_INDICATOR_UNKNOWN;
    }

    return se_indicator_descriptions[ind];
}


int
se_parse_comp_status(const char *s, size_t len, se_comp_status_e *out)
{
    int  i;

    i = se_lookup(se_comp_status_names, 0, SE_COMP_N, s, len);
    if (i < 0) {
        return SE_ERROR;
    }

    *out = (se_comp_status_e) i;

    return SE_OK;
}


int
se_parse_status(const char *s, size_t len, se_kind_e kind,
    se_status_e *out)
{
    int  i;

    if (kind == SE_KIND_INCIDENT) {
        i = se_lookup(se_status_names, SE_STATUS_INVESTIGATING,
                      SE_STATUS_POSTMORTEM + 1, s, len);
    } else {
        i = se_lookup(se_status_names, SE_STATUS_SCHEDULED,
                      SE_STATUS_COMPLETED + 1, s, len);
    }

    if (i < 0) {
        return SE_ERROR;
    }

    *out = (se_status_e) i;

    return SE_OK;
}


int
se_parse_impact(const char *s, size_t len, se_kind_e kind,
    se_impact_e *out)
{
    int  i;

    i = se_lookup(se_impact_names, 0,
                  kind == SE_KIND_INCIDENT ? SE_IMPACT_CRITICAL + 1
                                           : SE_IMPACT_N, s, len);
    if (i < 0) {
        return SE_ERROR;
    }

    *out = (se_impact_e) i;

    return SE_OK;
}


int
se_parse_audience(const char *s, size_t len, se_audience_e *out)
{
    static const char  *names[] = { "public", "internal" };
    int                 i;

    i = se_lookup(names, 0, 2, s, len);
    if (i < 0) {
        return SE_ERROR;
    }

    *out = (se_audience_e) i;

    return SE_OK;
}


int
se_status_unresolved(se_status_e s)
{
    return s <= SE_STATUS_MONITORING;
}


int
se_status_upcoming(se_status_e s)
{
    return s == SE_STATUS_SCHEDULED;
}


int
se_status_active(se_status_e s)
{
    return s == SE_STATUS_IN_PROGRESS || s == SE_STATUS_VERIFYING;
}
