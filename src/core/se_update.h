/*
 * Reading one update of an incident or maintenance (internal to
 * se_state_build()).
 */

#ifndef SE_UPDATE_H
#define SE_UPDATE_H

#include "se_build.h"
#include "se_raw.h"

/*
 * one update (a JSON object string, at position pos of the list) into u;
 * SE_DECLINED when bad
 */
int se_read_update(se_build_t *b, const se_incident_t *inc,
    const se_raw_t *raw, size_t pos, se_update_t *u);

#endif /* SE_UPDATE_H */
