/*
 * Rendering every JSON document of a model (internal to
 * se_state_build()).
 */

#ifndef SE_RENDER_H
#define SE_RENDER_H

#include "se_build.h"

/* renders every document; SE_ERROR only when oom */
int se_render(se_build_t *b, se_indicator_e ind, char **docs,
    size_t *lens);

#endif /* SE_RENDER_H */
