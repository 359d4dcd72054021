/*
 * A hiredis reply as an se_raw_t tree, and the reader's limit on array
 * replies: an announced count above SE_REDIS_MAX_ELEMENTS is refused at
 * once (hiredis 0.14 would allocate a pointer per element and walk them
 * all on free: "*2147483647\r\n" took 7 s and 16 GiB of address space),
 * one at the limit is not, and the tree says what the reply says.
 */

#include <stdio.h>
#include <time.h>

#include "tap.h"

#include "se_raw_codec.h"
#include "se_redis_raw.h"


static double
now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return ts.tv_sec + ts.tv_nsec / 1e9;
}


/* feeds s to a limited reader: REDIS_OK with *reply, or REDIS_ERR */
static int
feed(const char *s, size_t len, redisReply **reply, int *err)
{
    int           rc;
    void         *r;
    redisReader  *rd;

    rd = redisReaderCreate();
    se_redis_reader_limit(rd);
    se_redis_reader_limit(rd);          /* twice is once */

    r = NULL;
    redisReaderFeed(rd, s, len);
    rc = redisReaderGetReply(rd, &r);
    *err = rd->err;
    redisReaderFree(rd);

    *reply = r;

    return rc;
}


static void
test_limit(void)
{
    int          rc, err;
    char         buf[64];
    double       t;
    redisReply  *r;

    t = now();
    rc = feed("*2147483647\r\n", 13, &r, &err);
    t = now() - t;
    tap_ok(rc == REDIS_ERR && err == REDIS_ERR_OOM && r == NULL,
           "*2147483647: refused, as a reply there is no memory for");
    tap_ok(t < 0.1, "*2147483647: at once (%.3f s)", t);

    snprintf(buf, sizeof(buf), "*%d\r\n", SE_REDIS_MAX_ELEMENTS + 1);
    rc = feed(buf, strlen(buf), &r, &err);
    tap_ok(rc == REDIS_ERR && r == NULL, "one element above the limit: "
           "refused");

    snprintf(buf, sizeof(buf), "*1\r\n*%d\r\n", SE_REDIS_MAX_ELEMENTS + 1);
    rc = feed(buf, strlen(buf), &r, &err);
    tap_ok(rc == REDIS_ERR && r == NULL, "nested, above the limit: "
           "refused");

    /* at the limit: an incomplete reply, accepted so far */
    snprintf(buf, sizeof(buf), "*%d\r\n:1\r\n", SE_REDIS_MAX_ELEMENTS);
    rc = feed(buf, strlen(buf), &r, &err);
    tap_ok(rc == REDIS_OK && r == NULL && err == 0,
           "at the limit: accepted, waiting for the elements");

    rc = feed("*-1\r\n", 5, &r, &err);
    tap_ok(rc == REDIS_OK && r && r->type == REDIS_REPLY_NIL,
           "*-1: a nil reply");
    if (r) {
        freeReplyObject(r);
    }
}


static void
test_tree(void)
{
    int          rc, err;
    se_raw_t    *t;
    redisReply  *r;
    const char   in[] = "*4\r\n$3\r\nabc\r\n:-7\r\n*2\r\n$0\r\n\r\n$-1\r\n"
                        "+OK\r\n";

    rc = feed(in, sizeof(in) - 1, &r, &err);
    tap_ok(rc == REDIS_OK && r && r->type == REDIS_REPLY_ARRAY
           && r->elements == 4, "a snapshot-like array: read");
    if (r == NULL) {
        return;
    }

    t = se_raw_from_reply(r);
    tap_ok(t && t->type == SE_RAW_ARR && t->nelem == 4
           && t->elem[0].type == SE_RAW_STR && t->elem[0].len == 3
           && memcmp(t->elem[0].str, "abc", 3) == 0
           && t->elem[1].type == SE_RAW_INT && t->elem[1].integer == -7
           && t->elem[2].type == SE_RAW_ARR && t->elem[2].nelem == 2
           && t->elem[2].elem[0].type == SE_RAW_STR
           && t->elem[2].elem[0].len == 0
           && t->elem[2].elem[1].type == SE_RAW_NIL
           && t->elem[3].type == SE_RAW_STR && t->elem[3].len == 2,
           "the tree says what the reply says");
    tap_ok(t && se_redis_encoded_size(r) == se_raw_encoded_size(t)
           && se_redis_encoded_size(r) == 1 + 4 + (1 + 4 + 3) + 9
              + (1 + 4 + (1 + 4) + 1) + (1 + 4 + 2),
           "the reply's encoded size is its tree's, without the tree");

    free(t);
    freeReplyObject(r);
}


int
main(void)
{
    test_limit();
    test_tree();

    return tap_done();
}
