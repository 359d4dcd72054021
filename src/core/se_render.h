/*
 * Rendering every JSON document of a model (internal to
 * se_state_build()), and single objects of it for the notifier.
 */

#ifndef SE_RENDER_H
#define SE_RENDER_H

#include <jansson.h>

#include "se_build.h"

/* renders every document; SE_ERROR only when oom */
int se_render(se_build_t *b, se_indicator_e ind, char **docs,
    size_t *lens);

/*
 * One incident or maintenance as the Statuspage object the documents
 * carry, internal ones too, and one component: for the notifier's
 * webhooks.  A new reference, NULL when out of memory.
 */
json_t *se_render_record_object(const se_model_t *m,
    const se_incident_t *rec);
json_t *se_render_component_object(const se_model_t *m,
    const se_component_t *c);

#endif /* SE_RENDER_H */
