/*
 * component add | set | remove.  Pcomponents score = display position.
 */

#include <string.h>

#include "se_cli.h"
#include "se_uptime.h"

typedef struct {
    const char     *id;
    const char     *name;
    const char     *status;
    const char     *description;
    const char     *group;
    uint64_t        position;       /* 0: after the last one */
    se_text_t       text;
} se_comp_t;


static int
se_comp_status(se_cli_t *cli, const char *s)
{
    se_comp_status_e  st;

    if (se_parse_comp_status(s, strlen(s), &st) != SE_OK) {
        return se_error(cli, SE_CLI_USAGE, "bad component status %s "
                        "(operational, degraded_performance, "
                        "partial_outage, major_outage, under_maintenance)",
                        se_q(s));
    }

    return SE_CLI_OK;
}


static int
se_comp_uptime(se_cli_t *cli)
{
    const char  *s;

    s = se_arg(cli, SE_O_UPTIME);

    if (s && strcmp(s, "on") != 0 && strcmp(s, "off") != 0) {
        return se_error(cli, SE_CLI_USAGE, "bad --uptime %s (on or off)",
                        se_q(s));
    }

    return SE_CLI_OK;
}


static int
se_comp_exists(se_cli_t *cli, const char *id, int *exists)
{
    se_hash_t  h;
    int        found, rc;

    found = 0;
    h.n = 0;

    rc = se_redis_zscore(cli, se_key(cli, "components"), id, &found, NULL);
    if (rc == SE_CLI_OK) {
        rc = se_redis_hgetall(cli, se_key(cli, "component:%s", id), &h);
    }

    *exists = found || h.n;

    return rc;
}


/*
 * A status recorded in Pcomponent:ID:history at "at", in the same write
 * as the change (docs/redis-schema.md): score the Unix seconds, member
 * "STATUS:SECONDS".  Entries before the longest window the module shows
 * (SE_UPTIME_DAYS_MAX days) are trimmed, but the newest of them, which
 * holds the status the window starts in.
 */
int
se_batch_history(se_cli_t *cli, se_batch_t *b, const char *id,
    const char *status, int64_t at)
{
    char         *key;
    long long     cutoff;
    redisReply   *r;

    key = se_key(cli, "component:%s:history", id);
    cutoff = (long long) (cli->now - (SE_UPTIME_DAYS_MAX + 1) * 86400LL);

    r = se_redis_cmd(cli, "ZREVRANGEBYSCORE %s (%lld -inf WITHSCORES "
                     "LIMIT 0 1", key, cutoff);
    if (r == NULL) {
        return SE_CLI_FAIL;
    }

    if (r->type == REDIS_REPLY_ARRAY && r->elements == 2
        && r->element[1]->type == REDIS_REPLY_STRING)
    {
        se_batch_cmd(b, "ZREMRANGEBYSCORE", key, "-inf",
                     se_sprintf("(%s", r->element[1]->str), NULL);
    }

    freeReplyObject(r);

    /* one status a second: a change within the second replaces it */

    se_batch_cmd(b, "ZREMRANGEBYSCORE", key, se_sprintf("%lld", (long long) at),
                 se_sprintf("%lld", (long long) at), NULL);
    se_batch_cmd(b, "ZADD", key, se_sprintf("%lld", (long long) at),
                 se_sprintf("%s:%lld", status, (long long) at), NULL);

    return SE_CLI_OK;
}


static int
se_comp_add_plan(se_cli_t *cli, se_batch_t *b, void *data)
{
    se_comp_t   *c;
    const char  *key, *now;
    double       max;
    int          rc, exists, found;

    c = data;

    rc = se_comp_exists(cli, c->id, &exists);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    if (exists) {
        return se_error(cli, SE_CLI_USAGE, "component %s already exists",
                        se_q(c->id));
    }

    if (c->group) {
        rc = se_check_components_exist(cli, &c->group, 1);
        if (rc != SE_CLI_OK) {
            return rc;
        }
    }

    rc = se_redis_zmax(cli, se_key(cli, "components"), &max, &found);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    key = se_key(cli, "component:%s", c->id);
    now = se_time_str(cli->now);
    b->id = c->id;

    se_batch_hset(b, key, "name", c->name);
    se_batch_names(b, key, &c->text);
    se_batch_hset(b, key, "status", c->status);

    if (c->description) {
        se_batch_hset(b, key, "description", c->description);
    }

    if (c->group) {
        se_batch_hset(b, key, "group_id", c->group);
    }

    se_batch_hset(b, key, "only_show_if_degraded",
                  se_arg(cli, SE_O_ONLY_IF_DEGRADED) ? "1" : "0");

    if (se_arg(cli, SE_O_UPTIME)) {
        se_batch_hset(b, key, "uptime", se_arg(cli, SE_O_UPTIME));
    }
    se_batch_hset(b, key, "created_at", now);
    se_batch_hset(b, key, "updated_at", now);

    rc = se_batch_history(cli, b, c->id, c->status, cli->now);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    se_batch_cmd(b, "ZADD", se_key(cli, "components"),
                 c->position ? se_sprintf("%llu",
                                          (unsigned long long) c->position)
                 : se_sprintf("%.0f", found && max >= 0 ? max + 1 : 1),
                 c->id, NULL);
    se_batch_field(b, "position");

    return SE_CLI_OK;
}


int
se_cmd_component_add(se_cli_t *cli)
{
    se_comp_t    c;
    const char  *s;
    long long    version;
    int          rc;

    memset(&c, 0, sizeof(se_comp_t));
    c.id = cli->args->pos[0];

    rc = se_check_new_id(cli, "component id", c.id);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    c.name = se_arg(cli, SE_O_NAME);
    if (c.name == NULL) {
        return se_error(cli, SE_CLI_USAGE, "missing --name");
    }

    if (se_check_name(cli, "--name", c.name) != SE_CLI_OK
        || se_text_collect(cli, &c.text) != SE_CLI_OK)
    {
        return SE_CLI_USAGE;
    }

    c.status = se_arg(cli, SE_O_STATUS) ? se_arg(cli, SE_O_STATUS)
                                        : "operational";

    if (se_comp_status(cli, c.status) != SE_CLI_OK
        || se_comp_uptime(cli) != SE_CLI_OK)
    {
        return SE_CLI_USAGE;
    }

    s = se_arg(cli, SE_O_POSITION);
    if (s && (se_parse_uint(s, strlen(s), 1000000000, &c.position) != SE_OK
              || c.position == 0))
    {
        return se_error(cli, SE_CLI_USAGE, "bad --position %s (1 to "
                        "1000000000)", se_q(s));
    }

    c.description = se_arg(cli, SE_O_DESCRIPTION);
    if (c.description
        && (*c.description == '\0'
            || se_valid_text(c.description, strlen(c.description),
                             SE_MAX_FIELD, 1) != SE_OK))
    {
        return se_error(cli, SE_CLI_USAGE, "bad --description %s (UTF-8 "
                        "text, 1 to %d bytes)", se_q(c.description),
                        SE_MAX_FIELD);
    }

    c.group = se_arg(cli, SE_O_GROUP);
    if (c.group) {
        if (se_check_id(cli, "--group", c.group) != SE_CLI_OK) {
            return SE_CLI_USAGE;
        }

        if (strcmp(c.group, c.id) == 0) {
            return se_error(cli, SE_CLI_USAGE, "component %s cannot be its "
                            "own --group", se_q(c.id));
        }
    }

    return se_redis_write(cli, se_comp_add_plan, &c, &version);
}


static int
se_comp_set_plan(se_cli_t *cli, se_batch_t *b, void *data)
{
    const char  *id, *key;
    int          rc, exists;

    id = cli->args->pos[0];

    rc = se_comp_exists(cli, id, &exists);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    if (!exists) {
        return se_error(cli, SE_CLI_USAGE, "no component %s", se_q(id));
    }

    key = se_key(cli, "component:%s", id);
    b->id = id;

    if (data) {
        se_batch_hset(b, key, "status", data);
        se_batch_hset(b, key, "updated_at", se_time_str(cli->now));

        if (se_arg(cli, SE_O_UPTIME)) {
            se_batch_hset(b, key, "uptime", se_arg(cli, SE_O_UPTIME));
        }

        return se_batch_history(cli, b, id, data, cli->now);
    }

    se_batch_cmd(b, "ZREM", se_key(cli, "components"), id, NULL);
    se_batch_cmd(b, "DEL", key, NULL);
    se_batch_cmd(b, "DEL", se_key(cli, "component:%s:history", id), NULL);
    se_batch_field(b, "deleted");

    return SE_CLI_OK;
}


int
se_cmd_component_set(se_cli_t *cli)
{
    long long  version;

    if (se_check_id(cli, "component id", cli->args->pos[0]) != SE_CLI_OK
        || se_comp_status(cli, cli->args->pos[1]) != SE_CLI_OK
        || se_comp_uptime(cli) != SE_CLI_OK)
    {
        return SE_CLI_USAGE;
    }

    return se_redis_write(cli, se_comp_set_plan,
                          (void *) cli->args->pos[1], &version);
}


int
se_cmd_component_remove(se_cli_t *cli)
{
    long long  version;

    if (se_check_id(cli, "component id", cli->args->pos[0]) != SE_CLI_OK) {
        return SE_CLI_USAGE;
    }

    return se_redis_write(cli, se_comp_set_plan, NULL, &version);
}
