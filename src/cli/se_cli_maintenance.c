/*
 * maintenance schedule | start | verify | complete | cancel.
 *
 * Pmaintenances score = scheduled_for.  start sets started_at and moves
 * the maintenance's operational components to under_maintenance;
 * complete sets resolved_at and moves those still under_maintenance back
 * to operational.
 */

#include <string.h>

#include "se_cli.h"

typedef struct {
    const char     *id;
    const char     *name;
    const char     *audience;
    const char     *shortlink;
    const char     *components;
    const char    **comp_ids;
    size_t          ncomp;
    int64_t         from;
    int64_t         until;
    int64_t         lead;           /* -1: not given */
    se_text_t       text;
} se_mnt_t;


static int
se_mnt_schedule_plan(se_cli_t *cli, se_batch_t *b, void *data)
{
    se_mnt_t    *m;
    const char  *key, *now, *given;
    se_hash_t    h;
    int          rc, i, found;

    m = data;
    given = se_arg(cli, SE_O_ID);
    m->id = NULL;

    for (i = 0; i < 10 && m->id == NULL; i++) {
        m->id = given ? given
                      : se_new_id(se_sprintf("mnt-%.4s%.2s%.2s-",
                                             se_time_str(m->from),
                                             se_time_str(m->from) + 5,
                                             se_time_str(m->from) + 8));

        rc = se_redis_zscore(cli, se_key(cli, "maintenances"), m->id,
                             &found, NULL);
        if (rc == SE_CLI_OK) {
            rc = se_redis_hgetall(cli, se_key(cli, "maintenance:%s", m->id),
                                  &h);
        }

        if (rc != SE_CLI_OK) {
            return rc;
        }

        if (found || h.n) {
            if (given) {
                return se_error(cli, SE_CLI_USAGE, "maintenance %s already "
                                "exists", se_q(given));
            }
            m->id = NULL;
        }
    }

    if (m->id == NULL) {
        return se_error(cli, SE_CLI_FAIL, "cannot find a free id");
    }

    rc = se_check_components_exist(cli, m->comp_ids, m->ncomp);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    key = se_key(cli, "maintenance:%s", m->id);
    now = se_time_str(cli->now);
    b->id = m->id;

    se_batch_cmd(b, "DEL", se_sprintf("%s:updates", key), NULL);
    se_batch_hset(b, key, "name", m->name);
    se_batch_names(b, key, &m->text);
    se_batch_hset(b, key, "status", "scheduled");
    se_batch_hset(b, key, "impact", "maintenance");
    se_batch_hset(b, key, "created_at", now);
    se_batch_hset(b, key, "updated_at", now);
    se_batch_hset(b, key, "scheduled_for", se_time_str(m->from));
    se_batch_hset(b, key, "scheduled_until", se_time_str(m->until));
    se_batch_hset(b, key, "gate", se_arg(cli, SE_O_GATE) ? "on" : "off");
    se_batch_hset(b, key, "banner",
                  se_arg(cli, SE_O_NO_BANNER) ? "off" : "on");
    se_batch_hset(b, key, "audience", m->audience ? m->audience : "public");

    if (m->lead >= 0) {
        se_batch_hset(b, key, "banner_lead",
                      se_sprintf("%lld", (long long) m->lead));
    }

    if (m->components) {
        se_batch_hset(b, key, "components", m->components);
    }

    if (m->shortlink) {
        se_batch_hset(b, key, "shortlink", m->shortlink);
    }

    se_batch_cmd(b, "ZADD", se_key(cli, "maintenances"),
                 se_sprintf("%lld", (long long) m->from), m->id, NULL);
    se_batch_update(cli, b, key, "scheduled", &m->text);

    return SE_CLI_OK;
}


int
se_cmd_maintenance_schedule(se_cli_t *cli)
{
    se_mnt_t       m;
    se_audience_e  aud;
    se_kv_t       *ko;
    long long      version;
    const char    *s;
    int            rc;

    memset(&m, 0, sizeof(se_mnt_t));
    m.lead = -1;

    if (se_arg(cli, SE_O_ID)
        && se_check_new_id(cli, "--id", se_arg(cli, SE_O_ID)) != SE_CLI_OK)
    {
        return SE_CLI_USAGE;
    }

    rc = se_text_collect(cli, &m.text);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    m.name = se_arg(cli, SE_O_NAME);

    if (m.name) {
        if (se_check_name(cli, "--name", m.name) != SE_CLI_OK) {
            return SE_CLI_USAGE;
        }

        m.text.name = NULL;

    } else {
        m.name = m.text.name;
        m.text.name = NULL;
    }

    if (m.name == NULL) {
        return se_error(cli, SE_CLI_USAGE, "missing --name");
    }

    if (se_arg(cli, SE_O_FROM) == NULL || se_arg(cli, SE_O_UNTIL) == NULL) {
        return se_error(cli, SE_CLI_USAGE, "missing --%s TIME",
                        se_arg(cli, SE_O_FROM) ? "until" : "from");
    }

    if (se_arg_time(cli, SE_O_FROM, &m.from) != SE_CLI_OK
        || se_arg_time(cli, SE_O_UNTIL, &m.until) != SE_CLI_OK)
    {
        return SE_CLI_USAGE;
    }

    if (m.until <= m.from) {
        return se_error(cli, SE_CLI_USAGE, "--until %s is not after --from "
                        "%s", se_q(se_arg(cli, SE_O_UNTIL)),
                        se_q(se_arg(cli, SE_O_FROM)));
    }

    if (se_arg(cli, SE_O_COMPONENTS)) {
        rc = se_check_ids(cli, "--components", se_arg(cli, SE_O_COMPONENTS),
                          &m.comp_ids, &m.ncomp, &m.components);
        if (rc != SE_CLI_OK) {
            return rc;
        }
    }

    s = se_arg(cli, SE_O_BANNER_LEAD);
    if (s) {
        if (strcmp(s, "0") == 0) {
            m.lead = 0;

        } else if (se_arg_duration(cli, SE_O_BANNER_LEAD, SE_MAX_LEAD,
                                   &m.lead) != SE_CLI_OK)
        {
            return SE_CLI_USAGE;
        }
    }

    m.audience = se_arg(cli, SE_O_AUDIENCE);
    if (m.audience
        && se_parse_audience(m.audience, strlen(m.audience), &aud)
           != SE_OK)
    {
        return se_error(cli, SE_CLI_USAGE, "bad --audience %s (public or "
                        "internal)", se_q(m.audience));
    }

    m.shortlink = se_arg(cli, SE_O_SHORTLINK);
    if (m.shortlink
        && se_check_url(cli, "--shortlink", m.shortlink) != SE_CLI_OK)
    {
        return SE_CLI_USAGE;
    }

    if (m.text.body == NULL) {
        m.text.body = se_sprintf("Scheduled maintenance from %s to %s "
                                 "(UTC).", se_time_str(m.from),
                                 se_time_str(m.until));
        ko = se_alloc(sizeof(se_kv_t));
        ko->key = "body";
        ko->lang = "ko";
        ko->val = se_sprintf("\xec\x98\x88\xec\xa0\x95\xeb\x90\x9c \xec\xa0"
                             "\x90\xea\xb2\x80: %s\xeb\xb6\x80\xed\x84\xb0 "
                             "%s\xea\xb9\x8c\xec\xa7\x80 (UTC).",
                             se_time_str(m.from), se_time_str(m.until));
        m.text.i18n = ko;
        m.text.ni18n = 1;
    }

    rc = se_redis_write(cli, se_mnt_schedule_plan, &m, &version);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    printf("%s\n", m.id);

    return SE_CLI_OK;
}


/* start, verify, complete */

typedef struct {
    const char     *to;             /* new status */
    se_text_t       text;
} se_mnt_move_t;


/* components of the maintenance: from one status to another */
static int
se_mnt_components(se_cli_t *cli, se_batch_t *b, const char *list,
    const char *from, const char *to)
{
    se_hash_t    h;
    const char  *p, *e, *status, *key;
    char        *id;
    int          rc;

    for (p = list; p && *p; p = *e ? e + 1 : e) {
        e = strchr(p, ',');
        if (e == NULL) {
            e = p + strlen(p);
        }

        id = se_strndup(p, (size_t) (e - p));

        if (se_valid_id(id, strlen(id)) != SE_OK) {
            continue;
        }

        key = se_key(cli, "component:%s", id);

        rc = se_redis_hgetall(cli, key, &h);
        if (rc != SE_CLI_OK) {
            return rc;
        }

        status = se_hash_get(&h, "status");

        if (h.n && status && strcmp(status, from) == 0) {
            se_batch_hset(b, key, "status", to);
            se_batch_hset(b, key, "updated_at", se_time_str(cli->now));

            rc = se_batch_history(cli, b, id, to, cli->now);
            if (rc != SE_CLI_OK) {
                return rc;
            }
        }
    }

    return SE_CLI_OK;
}


static int
se_mnt_move_plan(se_cli_t *cli, se_batch_t *b, void *data)
{
    se_mnt_move_t  *mv;
    se_hash_t       h;
    const char     *id, *key, *now, *cur, *comps;
    int             rc, ok;

    mv = data;
    id = cli->args->pos[0];
    key = se_key(cli, "maintenance:%s", id);
    now = se_time_str(cli->now);

    rc = se_read_record(cli, "maintenance", id, &h);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    cur = se_hash_get(&h, "status");
    cur = cur ? cur : "scheduled";
    comps = se_hash_get(&h, "components");

    if (strcmp(mv->to, "in_progress") == 0) {
        ok = strcmp(cur, "scheduled") == 0;

    } else if (strcmp(mv->to, "verifying") == 0) {
        ok = strcmp(cur, "in_progress") == 0;

    } else {
        ok = strcmp(cur, "in_progress") == 0
             || strcmp(cur, "verifying") == 0;
    }

    if (!ok) {
        return se_error(cli, SE_CLI_USAGE, "maintenance %s is %s: it "
                        "cannot become %s", se_q(id), cur, mv->to);
    }

    b->id = id;

    se_batch_hset(b, key, "status", mv->to);
    se_batch_hset(b, key, "updated_at", now);

    if (strcmp(mv->to, "in_progress") == 0) {
        se_batch_hset(b, key, "started_at", now);
        rc = se_mnt_components(cli, b, comps, "operational",
                               "under_maintenance");

    } else if (strcmp(mv->to, "completed") == 0) {
        se_batch_hset(b, key, "resolved_at", now);
        rc = se_mnt_components(cli, b, comps, "under_maintenance",
                               "operational");
    }

    if (rc != SE_CLI_OK) {
        return rc;
    }

    se_batch_update(cli, b, key, mv->to, &mv->text);

    return SE_CLI_OK;
}


int
se_cmd_maintenance_status(se_cli_t *cli)
{
    se_mnt_move_t  mv;
    long long      version;
    const char    *name, *tmpl;
    int            rc;

    memset(&mv, 0, sizeof(se_mnt_move_t));

    rc = se_check_id(cli, "maintenance id", cli->args->pos[0]);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    name = cli->cmd->name;

    if (strcmp(name, "start") == 0) {
        mv.to = "in_progress";
        tmpl = "maintenance-started";

    } else if (strcmp(name, "verify") == 0) {
        mv.to = "verifying";
        tmpl = "maintenance-verifying";

    } else {
        mv.to = "completed";
        tmpl = "maintenance-completed";
    }

    if (se_arg(cli, SE_O_MESSAGE) == NULL
        && se_arg(cli, SE_O_TEMPLATE) == NULL)
    {
        cli->args->opt[SE_O_TEMPLATE] = tmpl;
    }

    rc = se_text_collect(cli, &mv.text);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    mv.text.name = NULL;
    mv.text.nname_i18n = 0;

    return se_redis_write(cli, se_mnt_move_plan, &mv, &version);
}


static int
se_mnt_cancel_plan(se_cli_t *cli, se_batch_t *b, void *data)
{
    se_hash_t    h;
    const char  *id, *key, *cur;
    int          rc;

    id = cli->args->pos[0];
    key = se_key(cli, "maintenance:%s", id);

    rc = se_read_record(cli, "maintenance", id, &h);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    cur = se_hash_get(&h, "status");

    if (cur && strcmp(cur, "scheduled") != 0) {
        return se_error(cli, SE_CLI_USAGE, "maintenance %s is %s, not "
                        "scheduled: complete it instead", se_q(id), cur);
    }

    b->id = id;

    se_batch_cmd(b, "ZREM", se_key(cli, "maintenances"), id, NULL);
    se_batch_cmd(b, "DEL", key, se_sprintf("%s:updates", key), NULL);
    se_batch_field(b, "deleted");

    return SE_CLI_OK;
}


int
se_cmd_maintenance_cancel(se_cli_t *cli)
{
    long long  version;

    if (se_check_id(cli, "maintenance id", cli->args->pos[0])
        != SE_CLI_OK)
    {
        return SE_CLI_USAGE;
    }

    return se_redis_write(cli, se_mnt_cancel_plan, NULL, &version);
}
