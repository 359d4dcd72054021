/*
 * Warnings of one se_state_build() run (internal).
 */

#ifndef SE_WARN_H
#define SE_WARN_H

#include "se_build.h"

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

#endif /* SE_WARN_H */
