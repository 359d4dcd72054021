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

/*
 * se_raw_encoded_size() of the reply's tree, without building it: a
 * buffer meant to outlive the tree can be allocated before it.  Where
 * the codec cannot encode the reply (too deep, a string over 4 GiB) the
 * two differ: compare them once the tree is built.
 */
size_t se_redis_encoded_size(const redisReply *reply);

/*
 * The most elements an array reply may announce: a snapshot reply is at
 * most SE_SNAPSHOT_MAX_BYTES (4 MiB) and every element takes at least 4
 * bytes ("*0\r\n", ":1\r\n"); no other reply the module or the admin
 * tool reads comes near.
 */
#define SE_REDIS_MAX_ELEMENTS  (1024 * 1024)

/*
 * Makes reader r refuse an array reply that announces more than
 * SE_REDIS_MAX_ELEMENTS elements, as a reply it has no memory for (the
 * reader's error is then REDIS_ERR_OOM, "Out of memory", the only one
 * hiredis lets a reply function give).  Without it hiredis 0.14
 * allocates a pointer per announced element at once ("*2147483647\r\n"
 * is 16 GiB) and walks them all when it frees the reply: seconds on the
 * event loop for 14 bytes from whatever answers on the Redis port.
 * Keeps hiredis' own functions for everything else.
 */
void se_redis_reader_limit(redisReader *r);

#endif /* SE_REDIS_RAW_H */
