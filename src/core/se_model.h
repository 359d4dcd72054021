/*
 * The validated status model of one page (Redis data model version 1,
 * SPEC section 1), as built by se_state_build().  Read only: everything
 * is owned by the se_state_t it came from and lives as long as it does.
 *
 * Strings are UTF-8, validated, NUL-terminated, never NULL when present;
 * an absent optional string has data == NULL.  Times are Unix seconds,
 * SE_TIME_NONE when absent.
 */

#ifndef SE_MODEL_H
#define SE_MODEL_H

#include "se_core.h"

#define SE_TIME_NONE  INT64_MIN

typedef enum {
    SE_INDICATOR_NONE = 0,
    SE_INDICATOR_MINOR,
    SE_INDICATOR_MAJOR,
    SE_INDICATOR_CRITICAL,
    SE_INDICATOR_MAINTENANCE,
    SE_INDICATOR_UNKNOWN
} se_indicator_e;

typedef struct {
    const char     *data;
    size_t          len;
} se_str_t;

/* a translation of one field: "name.ko" gives lang "ko" */
typedef struct se_i18n_s  se_i18n_t;

struct se_i18n_s {
    se_str_t        lang;
    se_str_t        text;
    se_i18n_t      *next;
};

typedef enum {
    SE_COMP_OPERATIONAL = 0,
    SE_COMP_DEGRADED_PERFORMANCE,
    SE_COMP_PARTIAL_OUTAGE,
    SE_COMP_MAJOR_OUTAGE,
    SE_COMP_UNDER_MAINTENANCE,
    SE_COMP_N
} se_comp_status_e;

/* incident statuses, then maintenance statuses: one enum for updates */
typedef enum {
    SE_STATUS_INVESTIGATING = 0,
    SE_STATUS_IDENTIFIED,
    SE_STATUS_MONITORING,
    SE_STATUS_RESOLVED,
    SE_STATUS_POSTMORTEM,
    SE_STATUS_SCHEDULED,
    SE_STATUS_IN_PROGRESS,
    SE_STATUS_VERIFYING,
    SE_STATUS_COMPLETED,
    SE_STATUS_N
} se_status_e;

typedef enum {
    SE_IMPACT_NONE = 0,
    SE_IMPACT_MINOR,
    SE_IMPACT_MAJOR,
    SE_IMPACT_CRITICAL,
    SE_IMPACT_MAINTENANCE,
    SE_IMPACT_N
} se_impact_e;

typedef enum {
    SE_AUDIENCE_PUBLIC = 0,
    SE_AUDIENCE_INTERNAL
} se_audience_e;

typedef enum {
    SE_KIND_INCIDENT = 0,
    SE_KIND_MAINTENANCE
} se_kind_e;

typedef struct {
    se_str_t        id;
    se_str_t        name;
    se_i18n_t      *name_i18n;
    se_str_t        url;
    se_str_t        time_zone;
    se_str_t        status_url;
    int64_t         updated_at;     /* derived: newest public updated_at */
} se_page_t;

/* one change of a component's status, from Pcomponent:ID:history */
typedef struct {
    int64_t           at;           /* Unix seconds */
    se_comp_status_e  status;       /* from then on */
} se_change_t;

typedef struct {
    se_str_t        id;
    se_str_t        name;
    se_i18n_t      *name_i18n;
    se_str_t        description;
    se_i18n_t      *description_i18n;
    se_str_t        group_id;
    se_comp_status_e  status;
    int             only_show_if_degraded;
    int             uptime;         /* default on (1): show its uptime */
    int             group;          /* derived: some group_id names it */
    int64_t         position;       /* zset score (floor), else rank */
    int64_t         created_at;
    int64_t         updated_at;
    se_change_t    *history;        /* oldest first, valid entries only */
    size_t          nhistory;
} se_component_t;

typedef struct {
    se_str_t        id;
    se_status_e     status;
    se_str_t        body;
    se_i18n_t      *body_i18n;
    int64_t         created_at;
    int64_t         updated_at;     /* defaults to created_at */
    int64_t         display_at;     /* defaults to created_at */
} se_update_t;

/* an incident or a scheduled maintenance (kind says which) */
typedef struct {
    se_kind_e       kind;
    se_str_t        id;
    se_str_t        name;
    se_i18n_t      *name_i18n;
    se_status_e     status;
    se_impact_e     impact;
    se_audience_e   audience;
    int             banner;         /* default on (1) */
    int             gate;           /* maintenances; default off (0) */
    int64_t         banner_lead;    /* maintenances; default 86400 */
    int64_t         created_at;     /* falls back to the zset score */
    int64_t         updated_at;
    int64_t         monitoring_at;
    int64_t         resolved_at;
    int64_t         started_at;     /* defaults to created_at */
    int64_t         next_update_at;
    int64_t         scheduled_for;  /* maintenances; falls back to score */
    int64_t         scheduled_until;
    se_str_t        shortlink;
    se_str_t        postmortem_url;
    se_str_t       *components;     /* ids as written, valid ids only */
    size_t          ncomponents;
    se_update_t    *updates;        /* newest first */
    size_t          nupdates;
} se_incident_t;

typedef se_incident_t  se_maintenance_t;

typedef struct {
    uint64_t        version;
    uint64_t        reset;          /* Preset, Unix ms, 0 when unset */
    int64_t         now;            /* Redis TIME, 0 when unknown */
    se_page_t       page;
    se_component_t *components;     /* position order */
    size_t          ncomponents;
    se_incident_t  *incidents;      /* newest first */
    size_t          nincidents;
    se_maintenance_t  *maintenances;  /* newest scheduled_for first */
    size_t          nmaintenances;
    uint64_t        trimmed_incidents;     /* resolved history left out */
    uint64_t        trimmed_maintenances;
    uint64_t        limited_hashes;        /* read known fields only */
} se_model_t;

#endif /* SE_MODEL_H */
