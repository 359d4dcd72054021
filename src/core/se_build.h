/*
 * Internal: the context of one se_state_build() run, shared by the files
 * that read records (se_record.h, se_update.h), warn (se_warn.h) and
 * render (se_render.h).
 */

#ifndef SE_BUILD_H
#define SE_BUILD_H

#include "se_model.h"
#include "se_pool.h"
#include "se_raw.h"

#define SE_MAX_WARNINGS  32
#define SE_WARNING_LEN   400    /* bytes of one stored warning, with NUL */

typedef struct {
    se_pool_t      *pool;
    se_model_t     *model;
    size_t          bad;
    char           *warnings[SE_MAX_WARNINGS];
    size_t          nwarnings;
    unsigned        oom:1;
} se_build_t;

#endif /* SE_BUILD_H */
