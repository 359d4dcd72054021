/*
 * reset: the operator's confirmation that the page Redis holds now is the
 * one to serve, even when it is lower than the one the module serves (a
 * Redis restarted empty, a FLUSHALL, a promoted replica that lagged, a
 * backup imported): the module holds such a state back until a higher
 * version or a higher Preset arrives.  Preset becomes max(now in Unix
 * milliseconds, Preset + 1), so it grows even when clocks disagree; the
 * version is bumped, published and audited with it, in one write.
 */

#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "se_cli.h"


typedef struct {
    uint64_t        reset;          /* the new Preset */
} se_reset_t;


static int
se_reset_plan(se_cli_t *cli, se_batch_t *b, void *data)
{
    se_reset_t      *rs = data;
    redisReply      *r;
    struct timeval   tv;
    const char      *key;
    uint64_t         old, now;

    key = se_key(cli, "reset");

    if (se_redis_watch(cli, key) != SE_CLI_OK) {
        return SE_CLI_FAIL;
    }

    r = se_redis_cmd(cli, "GET %s", key);
    if (r == NULL) {
        return SE_CLI_FAIL;
    }

    old = 0;

    if (r->type == REDIS_REPLY_STRING
        && se_parse_uint(r->str, r->len, UINT64_MAX - 1, &old) != SE_OK)
    {
        /* a hand edit: the module reads it as 0, and so does this */
        se_error(cli, SE_CLI_OK, "note: %s held %s, not Unix milliseconds: "
                 "replaced", se_q(key), se_q(se_strndup(r->str, r->len)));
        old = 0;
    }

    freeReplyObject(r);

    gettimeofday(&tv, NULL);
    now = (uint64_t) tv.tv_sec * 1000 + (uint64_t) tv.tv_usec / 1000;

    rs->reset = now > old ? now : old + 1;

    b->id = "page";

    se_batch_cmd(b, "SET", key,
                 se_sprintf("%llu", (unsigned long long) rs->reset), NULL);
    se_batch_field(b, "reset");

    return SE_CLI_OK;
}


int
se_cmd_reset(se_cli_t *cli)
{
    se_reset_t  rs;
    long long   version;
    int         rc;

    memset(&rs, 0, sizeof(se_reset_t));

    rc = se_redis_write(cli, se_reset_plan, &rs, &version);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    printf("reset %llu, version %lld\n", (unsigned long long) rs.reset,
           version);

    return SE_CLI_OK;
}
