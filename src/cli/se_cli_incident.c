/*
 * incident open | update | resolve | postmortem.
 *
 * Times per transition: open sets created_at and updated_at (and
 * monitoring_at when opened as monitoring); every change sets
 * updated_at; the first move to monitoring sets monitoring_at; resolving
 * sets resolved_at and clears next_update_at; reopening clears
 * resolved_at.  Pincidents score = created_at.
 */

#include <string.h>

#include "se_cli.h"

typedef struct {
    const char     *id;
    const char     *name;
    const char     *status;
    const char     *impact;
    const char     *audience;
    const char     *banner;
    const char     *shortlink;
    const char     *postmortem;
    const char     *components;     /* normalized list, or NULL */
    const char    **comp_ids;
    size_t          ncomp;
    int64_t         next_update;    /* 0: not given */
    se_text_t       text;
} se_inc_t;


static int
se_inc_status(se_cli_t *cli, const char *s, se_status_e *st)
{
    if (se_parse_status(s, strlen(s), SE_KIND_INCIDENT, st) != SE_OK) {
        return se_error(cli, SE_CLI_USAGE, "bad status %s (investigating, "
                        "identified, monitoring, resolved, postmortem)",
                        se_q(s));
    }

    return SE_CLI_OK;
}


static int
se_inc_impact(se_cli_t *cli, const char *s)
{
    se_impact_e  i;

    if (se_parse_impact(s, strlen(s), SE_KIND_INCIDENT, &i) != SE_OK) {
        return se_error(cli, SE_CLI_USAGE, "bad impact %s (none, minor, "
                        "major, critical)", se_q(s));
    }

    return SE_CLI_OK;
}


/* a template's status, used for an incident */
static int
se_inc_template_status(se_cli_t *cli, const char *s)
{
    se_status_e  st;

    if (se_parse_status(s, strlen(s), SE_KIND_INCIDENT, &st) != SE_OK) {
        return se_error(cli, SE_CLI_USAGE, "template %s has status %s, not "
                        "an incident's: give --status",
                        se_q(se_arg(cli, SE_O_TEMPLATE)), se_q(s));
    }

    return SE_CLI_OK;
}


/* the options open and update share */
static int
se_inc_common(se_cli_t *cli, se_inc_t *in)
{
    se_audience_e  aud;
    int            on, rc;

    rc = se_text_collect(cli, &in->text);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    in->name = se_arg(cli, SE_O_NAME);
    if (in->name) {
        rc = se_check_name(cli, "--name", in->name);
        if (rc != SE_CLI_OK) {
            return rc;
        }
    }

    in->impact = se_arg(cli, SE_O_IMPACT);
    if (in->impact && se_inc_impact(cli, in->impact) != SE_CLI_OK) {
        return SE_CLI_USAGE;
    }

    if (se_arg(cli, SE_O_COMPONENTS)) {
        rc = se_check_ids(cli, "--components", se_arg(cli, SE_O_COMPONENTS),
                          &in->comp_ids, &in->ncomp, &in->components);
        if (rc != SE_CLI_OK) {
            return rc;
        }
    }

    if (se_arg(cli, SE_O_NEXT_UPDATE)) {
        rc = se_arg_next_update(cli, &in->next_update);
        if (rc != SE_CLI_OK) {
            return rc;
        }
    }

    in->audience = se_arg(cli, SE_O_AUDIENCE);
    if (in->audience
        && se_parse_audience(in->audience, strlen(in->audience), &aud)
           != SE_OK)
    {
        return se_error(cli, SE_CLI_USAGE, "bad --audience %s (public or "
                        "internal)", se_q(in->audience));
    }

    in->banner = se_arg(cli, SE_O_BANNER);
    if (in->banner
        && se_parse_onoff(in->banner, strlen(in->banner), &on) != SE_OK)
    {
        return se_error(cli, SE_CLI_USAGE, "bad --banner %s (on or off)",
                        se_q(in->banner));
    }

    in->shortlink = se_arg(cli, SE_O_SHORTLINK);
    if (in->shortlink
        && se_check_url(cli, "--shortlink", in->shortlink) != SE_CLI_OK)
    {
        return SE_CLI_USAGE;
    }

    return SE_CLI_OK;
}


/* an id for a new record: today's date and a random suffix */
static int
se_free_id(se_cli_t *cli, const char *kind, const char *given,
    const char **id)
{
    se_hash_t    h;
    const char  *try;
    char        *date;
    int          i, found, rc;

    date = se_time_str(cli->now);

    for (i = 0; i < 10; i++) {
        try = given ? given
                    : se_new_id(se_sprintf("%.4s%.2s%.2s-", date, date + 5,
                                           date + 8));

        rc = se_redis_zscore(cli, se_key(cli, "%ss", kind), try, &found,
                             NULL);
        if (rc == SE_CLI_OK) {
            rc = se_redis_hgetall(cli, se_key(cli, "%s:%s", kind, try), &h);
        }

        if (rc != SE_CLI_OK) {
            return rc;
        }

        if (!found && h.n == 0) {
            *id = try;
            return SE_CLI_OK;
        }

        if (given) {
            return se_error(cli, SE_CLI_USAGE, "%s %s already exists", kind,
                            se_q(given));
        }
    }

    return se_error(cli, SE_CLI_FAIL, "cannot find a free %s id", kind);
}


static int
se_inc_open_plan(se_cli_t *cli, se_batch_t *b, void *data)
{
    se_inc_t    *in;
    const char  *key, *now;
    int          rc;

    in = data;

    rc = se_free_id(cli, "incident", se_arg(cli, SE_O_ID), &in->id);
    if (rc == SE_CLI_OK) {
        rc = se_check_components_exist(cli, in->comp_ids, in->ncomp);
    }

    if (rc != SE_CLI_OK) {
        return rc;
    }

    key = se_key(cli, "incident:%s", in->id);
    now = se_time_str(cli->now);
    b->id = in->id;

    se_batch_cmd(b, "DEL", se_sprintf("%s:updates", key), NULL);
    se_batch_hset(b, key, "name", in->name);
    se_batch_names(b, key, &in->text);
    se_batch_hset(b, key, "status", in->status);
    se_batch_hset(b, key, "impact", in->impact);
    se_batch_hset(b, key, "created_at", now);
    se_batch_hset(b, key, "updated_at", now);

    if (strcmp(in->status, "monitoring") == 0) {
        se_batch_hset(b, key, "monitoring_at", now);
    }

    se_batch_hset(b, key, "audience", in->audience ? in->audience
                                                   : "public");
    se_batch_hset(b, key, "banner", in->banner ? in->banner : "on");

    if (in->components) {
        se_batch_hset(b, key, "components", in->components);
    }

    if (in->next_update) {
        se_batch_hset(b, key, "next_update_at",
                      se_time_str(in->next_update));
    }

    if (in->shortlink) {
        se_batch_hset(b, key, "shortlink", in->shortlink);
    }

    se_batch_cmd(b, "ZADD", se_key(cli, "incidents"),
                 se_sprintf("%lld", (long long) cli->now), in->id, NULL);
    se_batch_update(cli, b, key, in->status, &in->text);

    return SE_CLI_OK;
}


int
se_cmd_incident_open(se_cli_t *cli)
{
    se_inc_t     in;
    se_status_e  st;
    se_impact_e  imp;
    long long    version;
    int          rc;

    memset(&in, 0, sizeof(se_inc_t));

    if (se_arg(cli, SE_O_ID)
        && se_check_new_id(cli, "--id", se_arg(cli, SE_O_ID)) != SE_CLI_OK)
    {
        return SE_CLI_USAGE;
    }

    rc = se_inc_common(cli, &in);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    if (se_arg(cli, SE_O_NO_BANNER)) {
        in.banner = "off";
    }

    /* a template gives defaults; options win */
    if (in.name == NULL) {
        in.name = in.text.name;
    } else {
        in.text.name = NULL;
    }

    if (in.name == NULL) {
        return se_error(cli, SE_CLI_USAGE, "missing --name");
    }

    if (in.impact == NULL && in.text.impact) {
        if (se_parse_impact(in.text.impact, strlen(in.text.impact),
                            SE_KIND_INCIDENT, &imp)
            != SE_OK)
        {
            return se_error(cli, SE_CLI_USAGE, "template %s has impact %s, "
                            "not an incident's (none, minor, major, "
                            "critical): give --impact",
                            se_q(se_arg(cli, SE_O_TEMPLATE)),
                            se_q(in.text.impact));
        }

        in.impact = in.text.impact;
    }

    if (in.impact == NULL) {
        return se_error(cli, SE_CLI_USAGE, "missing --impact (none, minor, "
                        "major, critical)");
    }

    in.status = se_arg(cli, SE_O_STATUS);
    if (in.status == NULL) {
        in.status = in.text.status ? in.text.status : "investigating";

        if (in.text.status
            && se_inc_template_status(cli, in.text.status) != SE_CLI_OK)
        {
            return SE_CLI_USAGE;
        }
    }

    if (se_inc_status(cli, in.status, &st) != SE_CLI_OK) {
        return SE_CLI_USAGE;
    }

    if (!se_status_unresolved(st)) {
        return se_error(cli, SE_CLI_USAGE, "an incident opens as "
                        "investigating, identified or monitoring, not %s",
                        se_q(in.status));
    }

    if (in.text.body == NULL) {
        return se_error(cli, SE_CLI_USAGE, "missing --message (or "
                        "--template): the first update's text");
    }

    rc = se_redis_write(cli, se_inc_open_plan, &in, &version);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    printf("%s\n", in.id);

    return SE_CLI_OK;
}


/* incident update */

static int
se_inc_update_plan(se_cli_t *cli, se_batch_t *b, void *data)
{
    se_inc_t     *in;
    se_hash_t     h;
    se_status_e   cur, st;
    const char   *key, *now, *status, *id, *ns;
    int           rc, was_open, is_open;

    in = data;
    id = cli->args->pos[0];
    key = se_key(cli, "incident:%s", id);
    now = se_time_str(cli->now);
    b->id = id;

    rc = se_read_record(cli, "incident", id, &h);
    if (rc == SE_CLI_OK) {
        rc = se_check_components_exist(cli, in->comp_ids, in->ncomp);
    }

    if (rc != SE_CLI_OK) {
        return rc;
    }

    status = se_hash_get(&h, "status");

    if (status == NULL
        || se_parse_status(status, strlen(status), SE_KIND_INCIDENT, &cur)
           != SE_OK)
    {
        cur = SE_STATUS_INVESTIGATING;
        status = NULL;
    }

    ns = in->status ? in->status : (status ? status : "investigating");

    se_parse_status(ns, strlen(ns), SE_KIND_INCIDENT, &st);

    if (st == SE_STATUS_POSTMORTEM && cur != SE_STATUS_POSTMORTEM) {
        return se_error(cli, SE_CLI_USAGE, "use status-edge incident "
                        "postmortem %s --url URL", id);
    }

    if ((status == NULL || strcmp(status, ns) != 0)
        && in->text.body == NULL)
    {
        return se_error(cli, SE_CLI_USAGE, "--message (or --template) is "
                        "required when the status changes");
    }

    was_open = se_status_unresolved(cur);
    is_open = se_status_unresolved(st);

    if (in->next_update && !is_open) {
        return se_error(cli, SE_CLI_USAGE, "--next-update makes no sense "
                        "for a %s incident", ns);
    }

    se_batch_hset(b, key, "status", ns);
    se_batch_hset(b, key, "updated_at", now);

    if (st == SE_STATUS_MONITORING
        && se_hash_get(&h, "monitoring_at") == NULL)
    {
        se_batch_hset(b, key, "monitoring_at", now);
    }

    if (was_open && !is_open) {
        se_batch_hset(b, key, "resolved_at", now);
    }

    if (!was_open && is_open && se_hash_get(&h, "resolved_at")) {
        se_batch_hdel(b, key, "resolved_at");
    }

    if (in->name) {
        se_batch_hset(b, key, "name", in->name);
    }

    se_batch_names(b, key, &in->text);

    if (in->impact) {
        se_batch_hset(b, key, "impact", in->impact);
    }

    if (in->components) {
        se_batch_hset(b, key, "components", in->components);
    }

    if (in->audience) {
        se_batch_hset(b, key, "audience", in->audience);
    }

    if (in->banner) {
        se_batch_hset(b, key, "banner", in->banner);
    }

    if (in->shortlink) {
        se_batch_hset(b, key, "shortlink", in->shortlink);
    }

    if (in->postmortem) {
        se_batch_hset(b, key, "postmortem_url", in->postmortem);
    }

    if (in->next_update) {
        se_batch_hset(b, key, "next_update_at",
                      se_time_str(in->next_update));

    } else if ((in->text.body || !is_open)
               && se_hash_get(&h, "next_update_at"))
    {
        /* a new update without a new promise, or resolved */
        se_batch_hdel(b, key, "next_update_at");
    }

    if (in->text.body) {
        se_batch_update(cli, b, key, ns, &in->text);
    }

    return SE_CLI_OK;
}


int
se_cmd_incident_update(se_cli_t *cli)
{
    se_inc_t     in;
    se_status_e  st;
    long long    version;
    int          rc;

    memset(&in, 0, sizeof(se_inc_t));

    rc = se_check_id(cli, "incident id", cli->args->pos[0]);
    if (rc == SE_CLI_OK) {
        rc = se_inc_common(cli, &in);
    }

    if (rc != SE_CLI_OK) {
        return rc;
    }

    in.text.name = NULL;        /* a template's title renames nothing */
    in.status = se_arg(cli, SE_O_STATUS);

    if (in.status == NULL && in.text.status) {
        if (se_inc_template_status(cli, in.text.status) != SE_CLI_OK) {
            return SE_CLI_USAGE;
        }

        in.status = in.text.status;
    }

    if (in.status && se_inc_status(cli, in.status, &st) != SE_CLI_OK) {
        return SE_CLI_USAGE;
    }

    if (in.status == NULL && in.text.body == NULL && in.name == NULL
        && in.text.nname_i18n == 0 && in.impact == NULL
        && in.components == NULL && in.audience == NULL
        && in.banner == NULL && in.shortlink == NULL && !in.next_update)
    {
        return se_error(cli, SE_CLI_USAGE, "nothing to change (see "
                        "--help)");
    }

    return se_redis_write(cli, se_inc_update_plan, &in, &version);
}


/* incident resolve */

static int
se_inc_resolve_plan(se_cli_t *cli, se_batch_t *b, void *data)
{
    se_hash_t     h;
    se_status_e   cur;
    const char   *status;
    int           rc;

    rc = se_read_record(cli, "incident", cli->args->pos[0], &h);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    status = se_hash_get(&h, "status");

    if (status
        && se_parse_status(status, strlen(status), SE_KIND_INCIDENT, &cur)
           == SE_OK
        && !se_status_unresolved(cur))
    {
        return se_error(cli, SE_CLI_USAGE, "incident %s is already %s",
                        se_q(cli->args->pos[0]), status);
    }

    return se_inc_update_plan(cli, b, data);
}


int
se_cmd_incident_resolve(se_cli_t *cli)
{
    se_inc_t   in;
    long long  version;
    int        rc;

    memset(&in, 0, sizeof(se_inc_t));

    rc = se_check_id(cli, "incident id", cli->args->pos[0]);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    if (se_arg(cli, SE_O_MESSAGE) == NULL
        && se_arg(cli, SE_O_TEMPLATE) == NULL)
    {
        cli->args->opt[SE_O_TEMPLATE] = "resolved";
    }

    rc = se_text_collect(cli, &in.text);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    in.text.name = NULL;
    in.status = "resolved";
    in.postmortem = se_arg(cli, SE_O_POSTMORTEM);

    if (in.postmortem
        && se_check_url(cli, "--postmortem", in.postmortem) != SE_CLI_OK)
    {
        return SE_CLI_USAGE;
    }

    return se_redis_write(cli, se_inc_resolve_plan, &in, &version);
}


/* incident postmortem ID --url URL */

static int
se_inc_pm_plan(se_cli_t *cli, se_batch_t *b, void *data)
{
    se_hash_t     h;
    se_status_e   cur;
    const char   *status, *key;
    int           rc;

    rc = se_read_record(cli, "incident", cli->args->pos[0], &h);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    status = se_hash_get(&h, "status");

    if (status == NULL
        || se_parse_status(status, strlen(status), SE_KIND_INCIDENT, &cur)
           != SE_OK
        || se_status_unresolved(cur))
    {
        return se_error(cli, SE_CLI_USAGE, "incident %s is not resolved "
                        "(status %s)", se_q(cli->args->pos[0]),
                        se_q(status));
    }

    key = se_key(cli, "incident:%s", cli->args->pos[0]);
    b->id = cli->args->pos[0];

    se_batch_hset(b, key, "postmortem_url", data);
    se_batch_hset(b, key, "status", "postmortem");
    se_batch_hset(b, key, "updated_at", se_time_str(cli->now));

    return SE_CLI_OK;
}


int
se_cmd_incident_postmortem(se_cli_t *cli)
{
    const char  *url;
    long long    version;

    if (se_check_id(cli, "incident id", cli->args->pos[0]) != SE_CLI_OK) {
        return SE_CLI_USAGE;
    }

    url = se_arg(cli, SE_O_URL);
    if (url == NULL) {
        return se_error(cli, SE_CLI_USAGE, "missing --url");
    }

    if (se_check_url(cli, "--url", url) != SE_CLI_OK) {
        return SE_CLI_USAGE;
    }

    return se_redis_write(cli, se_inc_pm_plan, (void *) url, &version);
}
