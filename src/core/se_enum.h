/*
 * The enums of the data model: their Statuspage names, their parsing
 * and the status predicates.
 */

#ifndef SE_ENUM_H
#define SE_ENUM_H

#include "se_core.h"
#include "se_model.h"

/* enum names as in the Statuspage API ("degraded_performance", ...) */
const char *se_comp_status_name(se_comp_status_e s);
const char *se_status_name(se_status_e s);
const char *se_impact_name(se_impact_e i);
const char *se_audience_name(se_audience_e a);

/* status predicates (SPEC section 2) */
int se_status_unresolved(se_status_e s);  /* incident not resolved/pm */
int se_status_upcoming(se_status_e s);    /* maintenance scheduled */
int se_status_active(se_status_e s);      /* in_progress or verifying */

const char *se_indicator_name(se_indicator_e ind);  /* "none", ... */
const char *se_indicator_description(se_indicator_e ind);

/* enums, exactly Statuspage's */
int se_parse_comp_status(const char *s, size_t len, se_comp_status_e *out);

/* incident statuses for SE_KIND_INCIDENT, maintenance ones otherwise */
int se_parse_status(const char *s, size_t len, se_kind_e kind,
    se_status_e *out);

/* none/minor/major/critical, plus maintenance for SE_KIND_MAINTENANCE */
int se_parse_impact(const char *s, size_t len, se_kind_e kind,
    se_impact_e *out);

int se_parse_audience(const char *s, size_t len, se_audience_e *out);

#endif /* SE_ENUM_H */
