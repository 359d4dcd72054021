/*
 * libFuzzer target: raw RESP bytes, as a Redis server (or anything on
 * its port) may send them, through the path a snapshot reply takes in
 * the module (src/ngx_http_status_edge_redis.c and _state.c):
 *
 *   hiredis' reader (redisReaderCreate/Feed/GetReply), reply by reply;
 *   an array reply -> se_raw_from_reply() (src/redis) -> se_raw_encode()
 *   -> se_raw_decode() (the codec the shared zone keeps) ->
 *   se_state_build() -> the documents (checked as fuzz_state.c does:
 *   every one parses as a JSON object with jansson).
 *
 * Input: one control byte c, then the bytes.  The bytes are fed in
 * pieces of (c & 63) + 1 bytes (c & 64: one byte at a time for the first
 * 256), as a socket may deliver them.
 *
 * Checks:
 *   - the pieces give the replies (and the error) that one feed of the
 *     whole gives;
 *   - the tree is the reply: every node of the same type, length, bytes
 *     and integer;
 *   - what is encoded decodes to the same tree; building the state from
 *     it succeeds (only out of memory may fail) and every document
 *     parses;
 *   - the bytes, read as an encoded snapshot themselves, are refused or
 *     decode to a tree that encodes back to exactly the same bytes.
 *
 *   make fuzz FUZZ=reply FUZZ_RUNS=... (see the Makefile)
 */

#define LLVMFuzzerTestOneInput  fz_state_one
#include "fuzz_state.c"
#undef LLVMFuzzerTestOneInput

#include <hiredis/hiredis.h>

#include "se_raw_codec.h"
#include "se_redis_raw.h"

#define FZ_MAX_REPLIES  16


static void
fz_reply_fail(const char *what)
{
    fprintf(stderr, "fuzz_reply: %s\n", what);
    abort();
}


/* the replies of bytes fed in pieces of step (0: at once), up to max */
static int
fz_read(const uint8_t *p, size_t n, size_t step, size_t bytewise,
    redisReply **replies, size_t max, size_t *count)
{
    size_t        off, k;
    void         *reply;
    redisReader  *r;
    int           rc;

    *count = 0;

    r = redisReaderCreate();
    if (r == NULL) {
        abort();
    }

    se_redis_reader_limit(r);

    rc = REDIS_OK;

    for (off = 0; off < n && rc == REDIS_OK; off += k) {
        k = off < bytewise ? 1 : step ? step : n - off;
        if (k > n - off) {
            k = n - off;
        }

        if (redisReaderFeed(r, (const char *) p + off, k) != REDIS_OK) {
            rc = REDIS_ERR;
            break;
        }

        while (*count < max) {
            reply = NULL;

            if (redisReaderGetReply(r, &reply) != REDIS_OK) {
                rc = REDIS_ERR;
                break;
            }

            if (reply == NULL) {
                break;
            }

            replies[(*count)++] = reply;
        }

        if (*count == max) {
            break;
        }
    }

    redisReaderFree(r);

    return rc;
}


static int
fz_same_reply(const redisReply *a, const redisReply *b)
{
    size_t  i;

    if (a->type != b->type) {
        return 0;
    }

    switch (a->type) {

    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
        return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;

    case REDIS_REPLY_INTEGER:
        return a->integer == b->integer;

    case REDIS_REPLY_ARRAY:
        if (a->elements != b->elements) {
            return 0;
        }

        for (i = 0; i < a->elements; i++) {
            if (!fz_same_reply(a->element[i], b->element[i])) {
                return 0;
            }
        }

        return 1;

    default:
        return 1;
    }
}


/* the tree says what the reply says (se_redis_raw.h: errors are NIL) */
static int
fz_tree_is_reply(const se_raw_t *t, const redisReply *r)
{
    size_t  i;

    switch (r->type) {

    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
        return t->type == SE_RAW_STR && t->len == r->len
               && memcmp(t->str, r->str, r->len) == 0;

    case REDIS_REPLY_INTEGER:
        return t->type == SE_RAW_INT && t->integer == r->integer;

    case REDIS_REPLY_ARRAY:
        if (t->type != SE_RAW_ARR || t->nelem != r->elements) {
            return 0;
        }

        for (i = 0; i < r->elements; i++) {
            if (!fz_tree_is_reply(&t->elem[i], r->element[i])) {
                return 0;
            }
        }

        return 1;

    default:
        return t->type == SE_RAW_NIL;
    }
}


static int
fz_same_tree(const se_raw_t *a, const se_raw_t *b)
{
    size_t  i;

    if (a->type != b->type) {
        return 0;
    }

    switch (a->type) {

    case SE_RAW_STR:
        return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;

    case SE_RAW_INT:
        return a->integer == b->integer;

    case SE_RAW_ARR:
        if (a->nelem != b->nelem) {
            return 0;
        }

        for (i = 0; i < a->nelem; i++) {
            if (!fz_same_tree(&a->elem[i], &b->elem[i])) {
                return 0;
            }
        }

        return 1;

    default:
        return 1;
    }
}


/* what the module does with a snapshot reply */
static void
fz_snapshot(const redisReply *reply)
{
    size_t          len;
    se_raw_t       *raw, *back;
    se_state_t     *st;
    unsigned char  *buf;

    raw = se_raw_from_reply(reply);
    if (raw == NULL) {
        abort();
    }

    if (!fz_tree_is_reply(raw, reply)) {
        fz_reply_fail("the tree is not the reply");
    }

    len = se_raw_encoded_size(raw);
    if (len == 0) {
        fz_reply_fail("a reply the codec cannot encode");
    }

    if (se_redis_encoded_size(reply) != len) {
        fz_reply_fail("the reply's encoded size is not its tree's");
    }

    buf = malloc(len);
    if (buf == NULL) {
        abort();
    }

    se_raw_encode(raw, buf);

    if (se_raw_decode(buf, len, &back) != SE_OK) {
        fz_reply_fail("an encoded snapshot does not decode");
    }

    if (!fz_same_tree(raw, back)) {
        fz_reply_fail("the decoded tree differs");
    }

    free(raw);

    if (se_state_build(back, &st) != SE_OK) {
        abort();            /* only out of memory may fail */
    }

    fz_check(st);
    se_state_free(st);

    free(back);
    free(buf);
}


/* the bytes as an encoded snapshot: refused, or read back exactly */
static void
fz_codec(const uint8_t *p, size_t n)
{
    size_t          len;
    se_raw_t       *raw;
    unsigned char  *buf;

    if (se_raw_decode(p, n, &raw) != SE_OK) {
        return;
    }

    len = se_raw_encoded_size(raw);
    buf = malloc(len ? len : 1);
    if (buf == NULL) {
        abort();
    }

    if (len != n) {
        fz_reply_fail("a decoded snapshot encodes to another size");
    }

    se_raw_encode(raw, buf);

    if (memcmp(buf, p, n) != 0) {
        fz_reply_fail("a decoded snapshot encodes to other bytes");
    }

    free(buf);
    free(raw);
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int          rc_all, rc_cut;
    size_t       i, n_all, n_cut, step, bytewise;
    redisReply  *all[FZ_MAX_REPLIES], *cut[FZ_MAX_REPLIES];

    if (size == 0) {
        return 0;
    }

    step = (data[0] & 63) + 1;
    bytewise = (data[0] & 64) ? 256 : 0;
    data++;
    size--;

    fz_codec(data, size);

    rc_all = fz_read(data, size, 0, 0, all, FZ_MAX_REPLIES, &n_all);
    rc_cut = fz_read(data, size, step, bytewise, cut, FZ_MAX_REPLIES,
                     &n_cut);

    if (n_all != n_cut || rc_all != rc_cut) {
        fprintf(stderr, "%zu replies (%d) at once, %zu (%d) in pieces\n",
                n_all, rc_all, n_cut, rc_cut);
        fz_reply_fail("the pieces give other replies");
    }

    for (i = 0; i < n_all; i++) {
        if (!fz_same_reply(all[i], cut[i])) {
            fz_reply_fail("a reply differs in pieces");
        }

        /* the module builds a state from an array, logs anything else */
        if (all[i]->type == REDIS_REPLY_ARRAY) {
            fz_snapshot(all[i]);
        }

        freeReplyObject(all[i]);
        freeReplyObject(cut[i]);
    }

    return 0;
}
