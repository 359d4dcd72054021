/*
 * Enums, indicator names, document paths and names.
 */

#include "tap.h"
#include "se_enum.h"
#include "se_state.h"

#define S(lit)  lit, sizeof(lit) - 1


int
main(void)
{
    static const char *const  comp[] = {
        "operational", "degraded_performance", "partial_outage",
        "major_outage", "under_maintenance"
    };
    static const char *const  inc[] = {
        "investigating", "identified", "monitoring", "resolved",
        "postmortem"
    };
    static const char *const  mnt[] = {
        "scheduled", "in_progress", "verifying", "completed"
    };
    static const char *const  imp[] = {
        "none", "minor", "major", "critical", "maintenance"
    };
    static const struct {
        const char  *path;
        se_doc_e     doc;
        const char  *name;
    } docs[] = {
        { "status.json", SE_DOC_STATUS, "status" },
        { "summary.json", SE_DOC_SUMMARY, "summary" },
        { "components.json", SE_DOC_COMPONENTS, "components" },
        { "incidents.json", SE_DOC_INCIDENTS, "incidents" },
        { "incidents/unresolved.json", SE_DOC_INCIDENTS_UNRESOLVED,
          "incidents_unresolved" },
        { "scheduled-maintenances.json", SE_DOC_MAINTENANCES,
          "scheduled_maintenances" },
        { "scheduled-maintenances/upcoming.json",
          SE_DOC_MAINTENANCES_UPCOMING, "scheduled_maintenances_upcoming" },
        { "scheduled-maintenances/active.json", SE_DOC_MAINTENANCES_ACTIVE,
          "scheduled_maintenances_active" }
    };
    static const char *const  badpaths[] = {
        "", "status", "status.json/", "/status.json", "Status.json",
        "incidents/resolved.json", "scheduled_maintenances.json",
        "summary.jsonx", NULL
    };
    se_comp_status_e          cs;
    se_status_e               st;
    se_impact_e               im;
    se_audience_e             au;
    se_doc_e                  d;
    size_t                    i;

    for (i = 0; i < 5; i++) {
        tap_ok(se_parse_comp_status(comp[i], strlen(comp[i]), &cs) == SE_OK
               && cs == (se_comp_status_e) i
               && strcmp(se_comp_status_name(cs), comp[i]) == 0,
               "component status %s", comp[i]);
    }

    for (i = 0; i < 5; i++) {
        tap_ok(se_parse_status(inc[i], strlen(inc[i]), SE_KIND_INCIDENT,
                               &st) == SE_OK
               && strcmp(se_status_name(st), inc[i]) == 0,
               "incident status %s", inc[i]);
        tap_ok(se_parse_status(inc[i], strlen(inc[i]), SE_KIND_MAINTENANCE,
                               &st) == SE_ERROR,
               "%s is not a maintenance status", inc[i]);
    }

    for (i = 0; i < 4; i++) {
        tap_ok(se_parse_status(mnt[i], strlen(mnt[i]), SE_KIND_MAINTENANCE,
                               &st) == SE_OK
               && strcmp(se_status_name(st), mnt[i]) == 0,
               "maintenance status %s", mnt[i]);
        tap_ok(se_parse_status(mnt[i], strlen(mnt[i]), SE_KIND_INCIDENT,
                               &st) == SE_ERROR,
               "%s is not an incident status", mnt[i]);
    }

    for (i = 0; i < 5; i++) {
        tap_ok(se_parse_impact(imp[i], strlen(imp[i]), SE_KIND_MAINTENANCE,
                               &im) == SE_OK
               && strcmp(se_impact_name(im), imp[i]) == 0,
               "maintenance impact %s", imp[i]);
        tap_ok((se_parse_impact(imp[i], strlen(imp[i]), SE_KIND_INCIDENT,
                                &im) == SE_OK) == (i < 4),
               "incident impact %s %s", imp[i], i < 4 ? "ok" : "refused");
    }

    tap_ok(se_parse_comp_status(S("Operational"), &cs) == SE_ERROR,
           "enums are case-sensitive");
    tap_ok(se_parse_comp_status(S("operational "), &cs) == SE_ERROR,
           "no trailing blank");
    tap_ok(se_parse_comp_status(S("operationa"), &cs) == SE_ERROR,
           "no prefix match");
    tap_ok(se_parse_status(S(""), SE_KIND_INCIDENT, &st) == SE_ERROR,
           "empty status");
    tap_ok(se_parse_impact(S("majorx"), SE_KIND_INCIDENT, &im) == SE_ERROR,
           "impact majorx");
    tap_ok(se_parse_audience(S("public"), &au) == SE_OK
           && au == SE_AUDIENCE_PUBLIC, "audience public");
    tap_ok(se_parse_audience(S("internal"), &au) == SE_OK
           && au == SE_AUDIENCE_INTERNAL, "audience internal");
    tap_ok(se_parse_audience(S("Internal"), &au) == SE_ERROR,
           "audience Internal refused");

    tap_ok(se_status_unresolved(SE_STATUS_INVESTIGATING)
           && se_status_unresolved(SE_STATUS_IDENTIFIED)
           && se_status_unresolved(SE_STATUS_MONITORING)
           && !se_status_unresolved(SE_STATUS_RESOLVED)
           && !se_status_unresolved(SE_STATUS_POSTMORTEM),
           "unresolved = not resolved/postmortem");
    tap_ok(se_status_upcoming(SE_STATUS_SCHEDULED)
           && !se_status_upcoming(SE_STATUS_IN_PROGRESS),
           "upcoming = scheduled");
    tap_ok(se_status_active(SE_STATUS_IN_PROGRESS)
           && se_status_active(SE_STATUS_VERIFYING)
           && !se_status_active(SE_STATUS_SCHEDULED)
           && !se_status_active(SE_STATUS_COMPLETED),
           "active = in_progress or verifying");

    tap_is(se_indicator_name(SE_INDICATOR_NONE), "none", "name none");
    tap_is(se_indicator_name(SE_INDICATOR_MINOR), "minor", "name minor");
    tap_is(se_indicator_name(SE_INDICATOR_MAJOR), "major", "name major");
    tap_is(se_indicator_name(SE_INDICATOR_CRITICAL), "critical",
           "name critical");
    tap_is(se_indicator_name(SE_INDICATOR_MAINTENANCE), "maintenance",
           "name maintenance");
    tap_is(se_indicator_name(SE_INDICATOR_UNKNOWN), "unknown",
           "name unknown");
    tap_is(se_indicator_description(SE_INDICATOR_NONE),
           "All Systems Operational", "description none");
    tap_is(se_indicator_description(SE_INDICATOR_MINOR),
           "Minor Service Outage", "description minor");
    tap_is(se_indicator_description(SE_INDICATOR_MAJOR),
           "Partial System Outage", "description major");
    tap_is(se_indicator_description(SE_INDICATOR_CRITICAL),
           "Major System Outage", "description critical");
    tap_is(se_indicator_description(SE_INDICATOR_MAINTENANCE),
           "Service Under Maintenance", "description maintenance");
    tap_is(se_indicator_name((se_indicator_e) 99), "unknown",
           "out of range indicator");

    for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        tap_ok(se_doc_from_path(docs[i].path, strlen(docs[i].path), &d)
               == SE_OK && d == docs[i].doc, "path %s", docs[i].path);
        tap_is(se_doc_name(docs[i].doc), docs[i].name, "doc name");
    }

    tap_ok(i == SE_DOC_N, "every document has a path");

    for (i = 0; badpaths[i]; i++) {
        tap_ok(se_doc_from_path(badpaths[i], strlen(badpaths[i]), &d)
               == SE_DECLINED, "path \"%s\" declined", badpaths[i]);
    }

    tap_ok(se_doc_from_path("summary.json\0", 13, &d) == SE_DECLINED,
           "path with a NUL declined");
    tap_ok(se_doc_from_path("summary.jsonXYZ", 12, &d) == SE_OK
           && d == SE_DOC_SUMMARY, "path length is honoured");
    tap_is(se_doc_name(SE_DOC_N), "unknown", "doc name out of range");

    return tap_done();
}
