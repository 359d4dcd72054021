/*
 * A hiredis reply as an se_raw_t tree, shared by the nginx module and the
 * admin tool.  Plain C; needs hiredis, not nginx.
 */

#ifndef SE_REDIS_RAW_H
#define SE_REDIS_RAW_H

#include <hiredis/hiredis.h>

#include "se_raw.h"

/*
 * One malloc'ed block of nodes (free() it) whose strings point into the
 * reply, which must outlive the tree; NULL when out of memory.
 */
se_raw_t *se_raw_from_reply(const redisReply *reply);

#endif /* SE_REDIS_RAW_H */
