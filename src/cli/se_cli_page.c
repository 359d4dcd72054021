/*
 * page set: the fields of the Ppage hash.
 */

#include <string.h>

#include "se_cli.h"


static int
se_page_plan(se_cli_t *cli, se_batch_t *b, void *data)
{
    se_text_t   *t;
    const char  *key, *s;

    t = data;
    key = se_key(cli, "page");
    b->id = "page";

    if ((s = se_arg(cli, SE_O_ID)) != NULL) {
        se_batch_hset(b, key, "id", s);
    }

    if ((s = se_arg(cli, SE_O_NAME)) != NULL) {
        se_batch_hset(b, key, "name", s);
    }

    se_batch_names(b, key, t);

    if ((s = se_arg(cli, SE_O_URL)) != NULL) {
        se_batch_hset(b, key, "url", s);
    }

    if ((s = se_arg(cli, SE_O_TIME_ZONE)) != NULL) {
        se_batch_hset(b, key, "time_zone", s);
    }

    if ((s = se_arg(cli, SE_O_STATUS_URL)) != NULL) {
        se_batch_hset(b, key, "status_url", s);
    }

    return SE_CLI_OK;
}


int
se_cmd_page_set(se_cli_t *cli)
{
    se_text_t    t;
    const char  *s;
    long long    version;
    int          rc;

    rc = se_text_collect(cli, &t);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    t.name = NULL;

    s = se_arg(cli, SE_O_ID);
    if (s && se_check_id(cli, "--id", s) != SE_CLI_OK) {
        return SE_CLI_USAGE;
    }

    s = se_arg(cli, SE_O_NAME);
    if (s && se_check_name(cli, "--name", s) != SE_CLI_OK) {
        return SE_CLI_USAGE;
    }

    s = se_arg(cli, SE_O_URL);
    if (s && se_check_url(cli, "--url", s) != SE_CLI_OK) {
        return SE_CLI_USAGE;
    }

    s = se_arg(cli, SE_O_STATUS_URL);
    if (s && se_check_url(cli, "--status-url", s) != SE_CLI_OK) {
        return SE_CLI_USAGE;
    }

    s = se_arg(cli, SE_O_TIME_ZONE);
    if (s && se_valid_time_zone(s, strlen(s)) != SE_OK) {
        return se_error(cli, SE_CLI_USAGE, "bad --time-zone %s (an IANA "
                        "zone like Asia/Seoul)", se_q(s));
    }

    if (se_arg(cli, SE_O_ID) == NULL && se_arg(cli, SE_O_NAME) == NULL
        && se_arg(cli, SE_O_URL) == NULL && se_arg(cli, SE_O_TIME_ZONE) == NULL
        && se_arg(cli, SE_O_STATUS_URL) == NULL && t.nname_i18n == 0)
    {
        return se_error(cli, SE_CLI_USAGE, "nothing to set (see --help)");
    }

    return se_redis_write(cli, se_page_plan, &t, &version);
}
