/*
 * Reading the page, component and incident records of a snapshot into
 * the model (internal to se_state_build()).
 */

#ifndef SE_RECORD_H
#define SE_RECORD_H

#include "se_build.h"
#include "se_raw.h"

/* page hash [1] into the model */
int se_read_page(se_build_t *b, const se_raw_t *hash);

/* one component record [id, score, hash]; SE_ERROR only when oom */
int se_read_component(se_build_t *b, const se_raw_t *rec);

/* one incident/maintenance record [id, score, hash, updates] */
int se_read_incident(se_build_t *b, const se_raw_t *rec, se_kind_e kind);

#endif /* SE_RECORD_H */
