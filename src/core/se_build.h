/*
 * Internal: the context of one se_state_build() run, shared by the files
 * that read records (se_record.c, se_update.c), warn (se_warn.c), derive
 * and render.
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

/*
 * Counts one bad record or field and stores the warning
 *   <what> "<id>": <message> "<value>"
 * with id and value escaped to printable ASCII and truncated; id and
 * value may be NULL.  Out of memory sets b->oom.
 */
void se_warn(se_build_t *b, const char *what, const char *id,
    size_t idlen, const char *msg, const char *val, size_t vallen);

/* the same with the message  <reason> "<key>"  (key escaped) */
void se_warn_key(se_build_t *b, const char *what, const char *id,
    size_t idlen, const char *reason, const char *key, size_t keylen,
    const char *val, size_t vallen);

/* escaped, truncated copy for log lines: dst has room for dstsize */
void se_escape(char *dst, size_t dstsize, const char *s, size_t len,
    size_t max);

/* page hash [1] into the model */
int se_read_page(se_build_t *b, const se_raw_t *hash);

/* one component record [id, score, hash]; SE_ERROR only when oom */
int se_read_component(se_build_t *b, const se_raw_t *rec);

/* one incident/maintenance record [id, score, hash, updates] */
int se_read_incident(se_build_t *b, const se_raw_t *rec, se_kind_e kind);

/*
 * one update (a JSON object string, at position pos of the list) into u;
 * SE_DECLINED when bad
 */
int se_read_update(se_build_t *b, const se_incident_t *inc,
    const se_raw_t *raw, size_t pos, se_update_t *u);

/* renders every document; SE_ERROR only when oom */
int se_render(se_build_t *b, se_indicator_e ind, char **docs,
    size_t *lens);

#endif /* SE_BUILD_H */
