/*
 * A hiredis reply as an se_raw_t tree (se_redis_raw.h).
 */

#include <stdlib.h>
#include <string.h>

#include "se_redis_raw.h"

static void se_raw_count(const redisReply *r, size_t *nodes, size_t *bytes);
static void se_raw_fill(se_raw_t *node, const redisReply *r,
    se_raw_t **next);


/* hiredis' own reply functions, and ours: the same but for arrays */
static redisReplyObjectFunctions  se_redis_default_fn;
static redisReplyObjectFunctions  se_redis_limit_fn;


static void *
se_redis_create_array(const redisReadTask *task, int elements)
{
    if (elements < 0 || (size_t) elements > SE_REDIS_MAX_ELEMENTS) {
        return NULL;
    }

    return se_redis_default_fn.createArray(task, elements);
}


void
se_redis_reader_limit(redisReader *r)
{
    if (r == NULL || r->fn == NULL || r->fn == &se_redis_limit_fn) {
        return;
    }

    if (se_redis_limit_fn.createArray == NULL) {
        se_redis_default_fn = *r->fn;
        se_redis_limit_fn = *r->fn;
        se_redis_limit_fn.createArray = se_redis_create_array;

    } else if (r->fn->createArray != se_redis_default_fn.createArray) {
        return;                     /* someone else's functions */
    }

    r->fn = &se_redis_limit_fn;
}


se_raw_t *
se_raw_from_reply(const redisReply *reply)
{
    size_t     nodes, bytes;
    se_raw_t  *raw, *next;

    nodes = 0;
    bytes = 0;
    se_raw_count(reply, &nodes, &bytes);

    raw = malloc(nodes * sizeof(se_raw_t));
    if (raw == NULL) {
        return NULL;
    }

    next = raw + 1;
    se_raw_fill(raw, reply, &next);

    return raw;
}


size_t
se_redis_encoded_size(const redisReply *reply)
{
    size_t  nodes, bytes;

    nodes = 0;
    bytes = 0;
    se_raw_count(reply, &nodes, &bytes);

    return bytes;
}


/*
 * The nodes of the reply's tree, and the bytes se_raw_encode() writes
 * for them (the codec's own limits, its depth and 32-bit lengths, are
 * not checked here: se_raw_encoded_size() of the tree does)
 */
static void
se_raw_count(const redisReply *r, size_t *nodes, size_t *bytes)
{
    size_t  i;

    (*nodes)++;

    switch (r->type) {

    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
        *bytes += 1 + 4 + r->len;
        break;

    case REDIS_REPLY_INTEGER:
        *bytes += 1 + 8;
        break;

    case REDIS_REPLY_ARRAY:
        *bytes += 1 + 4;

        for (i = 0; i < r->elements; i++) {
            se_raw_count(r->element[i], nodes, bytes);
        }

        break;

    default:
        *bytes += 1;
        break;
    }
}


static void
se_raw_fill(se_raw_t *node, const redisReply *r, se_raw_t **next)
{
    size_t  i;

    memset(node, 0, sizeof(se_raw_t));

    switch (r->type) {

    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
        node->type = SE_RAW_STR;
        node->str = r->str;
        node->len = r->len;
        break;

    case REDIS_REPLY_INTEGER:
        node->type = SE_RAW_INT;
        node->integer = r->integer;
        break;

    case REDIS_REPLY_ARRAY:
        node->type = SE_RAW_ARR;
        node->nelem = r->elements;
        node->elem = *next;
        *next += r->elements;

        for (i = 0; i < r->elements; i++) {
            se_raw_fill(&node->elem[i], r->element[i], next);
        }

        break;

    default:
        node->type = SE_RAW_NIL;
        break;
    }
}
