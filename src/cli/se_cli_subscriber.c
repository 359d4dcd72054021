/*
 * subscriber add|remove|list: the people and systems the notifier
 * tells (docs/redis-schema.md, "Subscribers"):
 *
 *   Psubscribers           zset: id, scored by the Unix seconds it was
 *                          added
 *   Psubscriber:ID         hash: channel, target, components, audience,
 *                          lang, secret, state, created_at, source
 *   Psubscribers:targets   hash: "CHANNEL TARGET" -> id, one subscriber
 *                          per address or URL
 *
 * Subscribers are not the page's state: their writes neither bump
 * Pversion nor enter Paudit (which would carry their addresses to every
 * reader of the audit).  Each add and remove is one Lua script, so a
 * subscriber is written whole or not at all.
 */

#include <ctype.h>
#include <string.h>

#include <jansson.h>

#include "se_cli.h"
#include "se_cli_subscriber.h"
#include "se_subscribe.h"

#define SE_SECRET_LEN  24       /* random bytes of a generated secret */


/*
 * ARGV: prefix.  Every subscriber, oldest first: {id, flat hash}; an id
 * whose hash is gone has an empty one.
 */
static const char  se_sub_list_lua[] =
    "local p = ARGV[1]\n"
    "local out = {}\n"
    "for _, id in ipairs(redis.call('ZRANGE', p .. 'subscribers', 0, -1))\n"
    "do\n"
    "  out[#out + 1] = {id, redis.call('HGETALL', p .. 'subscriber:' .. id)}\n"
    "end\n"
    "return out\n";


static const char *const  se_channel_names[SE_CHANNEL_N] = {
    "webhook", "slack", "email"
};


const char *
se_channel_name(se_channel_e ch)
{
    return se_channel_names[ch];
}


int
se_check_email(const char *s)
{
    return se_subscribe_email_ok(s, strlen(s));
}


static char *
se_secret_new(void)
{
    static const char  hex[] = "0123456789abcdef";
    unsigned char      rnd[SE_SECRET_LEN];
    char              *s;
    size_t             i;

    se_random_bytes(rnd, sizeof(rnd));

    s = se_alloc(2 * sizeof(rnd) + 1);

    for (i = 0; i < sizeof(rnd); i++) {
        s[2 * i] = hex[rnd[i] >> 4];
        s[2 * i + 1] = hex[rnd[i] & 15];
    }

    return s;
}


int
se_cmd_subscriber_add(se_cli_t *cli)
{
    const char     *email, *webhook, *slack, *target, *comps, *lang;
    const char     *secret, *argv[32], **ids, *joined;
    char           *lower, *index, *id;
    size_t          argc, n, i;
    se_channel_e    ch;
    se_audience_e   aud;
    redisReply     *r;
    int             rc;

    email = se_arg(cli, SE_O_EMAIL);
    webhook = se_arg(cli, SE_O_WEBHOOK);
    slack = se_arg(cli, SE_O_SLACK);

    if ((email != NULL) + (webhook != NULL) + (slack != NULL) != 1) {
        return se_error(cli, SE_CLI_USAGE, "give one of --email, --webhook "
                        "and --slack");
    }

    if (email) {
        ch = SE_CHANNEL_EMAIL;
        target = email;

        if (se_check_email(email) != SE_OK) {
            return se_error(cli, SE_CLI_USAGE, "bad --email %s (an address "
                            "like name@example.com)", se_q(email));
        }

    } else {
        ch = webhook ? SE_CHANNEL_WEBHOOK : SE_CHANNEL_SLACK;
        target = webhook ? webhook : slack;

        rc = se_check_url(cli, webhook ? "--webhook URL" : "--slack URL",
                          target);
        if (rc != SE_CLI_OK) {
            return rc;
        }
    }

    joined = "";
    comps = se_arg(cli, SE_O_COMPONENTS);

    if (comps) {
        rc = se_check_ids(cli, "--components", comps, &ids, &n, &joined);
        if (rc != SE_CLI_OK) {
            return rc;
        }
    }

    aud = SE_AUDIENCE_PUBLIC;

    if (se_arg(cli, SE_O_AUDIENCE)
        && se_parse_audience(se_arg(cli, SE_O_AUDIENCE),
                             strlen(se_arg(cli, SE_O_AUDIENCE)), &aud)
           != SE_OK)
    {
        return se_error(cli, SE_CLI_USAGE, "bad --audience %s (public or "
                        "internal)", se_q(se_arg(cli, SE_O_AUDIENCE)));
    }

    lang = se_arg(cli, SE_O_LANG) ? se_arg(cli, SE_O_LANG) : "en";

    if (strcmp(lang, "en") != 0 && strcmp(lang, "ko") != 0) {
        return se_error(cli, SE_CLI_USAGE, "bad --lang %s (en or ko)",
                        se_q(lang));
    }

    secret = se_arg(cli, SE_O_SECRET);

    if (secret && ch != SE_CHANNEL_WEBHOOK) {
        return se_error(cli, SE_CLI_USAGE, "--secret is for --webhook "
                        "subscribers");
    }

    if (secret && (strlen(secret) < 16 || strlen(secret) > 256
                   || se_valid_text(secret, strlen(secret), 256, 0)
                      != SE_OK))
    {
        return se_error(cli, SE_CLI_USAGE, "bad --secret (16 to 256 "
                        "characters of text)");
    }

    if (ch == SE_CHANNEL_WEBHOOK && secret == NULL) {
        secret = se_secret_new();
    }

    rc = se_redis_connect(cli);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    if (comps && n) {
        rc = se_check_components_exist(cli, ids, n);
        if (rc != SE_CLI_OK) {
            return rc;
        }
    }

    lower = se_strdup(target);

    if (ch == SE_CHANNEL_EMAIL) {
        for (i = 0; lower[i]; i++) {
            lower[i] = (char) tolower((unsigned char) lower[i]);
        }
    }

    index = se_sprintf("%s %s", se_channel_name(ch), lower);
    id = se_new_id("sub-");

    argc = 0;
    argv[argc++] = "EVAL";
    argv[argc++] = se_subscribe_add_lua;
    argv[argc++] = "0";
    argv[argc++] = cli->prefix;
    argv[argc++] = id;
    argv[argc++] = index;
    argv[argc++] = se_sprintf("%lld", (long long) cli->now);
    argv[argc++] = "channel";
    argv[argc++] = se_channel_name(ch);
    argv[argc++] = "target";
    argv[argc++] = ch == SE_CHANNEL_EMAIL ? lower : target;
    argv[argc++] = "components";
    argv[argc++] = joined;
    argv[argc++] = "audience";
    argv[argc++] = se_audience_name(aud);
    argv[argc++] = "lang";
    argv[argc++] = lang;
    argv[argc++] = "state";
    argv[argc++] = "active";
    argv[argc++] = "created_at";
    argv[argc++] = se_time_str(cli->now);
    argv[argc++] = "source";
    argv[argc++] = "cli";

    if (secret) {
        argv[argc++] = "secret";
        argv[argc++] = secret;
    }

    r = se_conn_argv(cli->conn, (int) argc, argv, NULL);

    if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2
        || r->element[0]->type != REDIS_REPLY_INTEGER
        || r->element[1]->type != REDIS_REPLY_STRING)
    {
        return se_redis_fail(cli, r, "adding the subscriber");
    }

    if (r->element[0]->integer == 0) {
        rc = se_error(cli, SE_CLI_USAGE, "%s is already subscriber %s",
                      se_q(target), se_qname(r->element[1]->str));
        freeReplyObject(r);
        return rc;
    }

    freeReplyObject(r);

    puts(id);

    if (ch == SE_CHANNEL_WEBHOOK && se_arg(cli, SE_O_SECRET) == NULL) {
        printf("secret %s\n", secret);
    }

    return SE_CLI_OK;
}


int
se_cmd_subscriber_remove(se_cli_t *cli)
{
    const char  *id, *argv[5];
    redisReply  *r;
    int          rc;

    id = cli->args->pos[0];

    rc = se_check_id(cli, "subscriber id", id);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    rc = se_redis_connect(cli);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    argv[0] = "EVAL";
    argv[1] = se_subscribe_remove_lua;
    argv[2] = "0";
    argv[3] = cli->prefix;
    argv[4] = id;

    r = se_conn_argv(cli->conn, 5, argv, NULL);

    if (r == NULL || r->type != REDIS_REPLY_INTEGER) {
        return se_redis_fail(cli, r, "removing the subscriber");
    }

    rc = r->integer ? SE_CLI_OK
         : se_error(cli, SE_CLI_USAGE, "no subscriber %s", se_qname(id));

    freeReplyObject(r);

    return rc;
}


int
se_subscribers_read(se_cli_t *cli, se_subscriber_t **out, size_t *n,
    size_t *bad)
{
    const char       *argv[4], *v, *c;
    redisReply       *r, *e, *h;
    se_subscriber_t  *s, *subs;
    size_t            i, k, nc;
    int               ch;

    argv[0] = "EVAL";
    argv[1] = se_sub_list_lua;
    argv[2] = "0";
    argv[3] = cli->prefix;

    r = se_conn_argv(cli->conn, 4, argv, NULL);

    if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
        return se_redis_fail(cli, r, "reading the subscribers");
    }

    subs = se_alloc((r->elements + 1) * sizeof(se_subscriber_t));
    *n = 0;
    *bad = 0;

    for (i = 0; i < r->elements; i++) {
        e = r->element[i];

        if (e->type != REDIS_REPLY_ARRAY || e->elements != 2
            || e->element[0]->type != REDIS_REPLY_STRING
            || e->element[1]->type != REDIS_REPLY_ARRAY)
        {
            (*bad)++;
            continue;
        }

        h = e->element[1];
        s = &subs[*n];
        memset(s, 0, sizeof(se_subscriber_t));

        s->id = se_strdup(e->element[0]->str);

        v = se_reply_field(h, "channel");
        for (ch = 0; v && ch < SE_CHANNEL_N; ch++) {
            if (strcmp(v, se_channel_names[ch]) == 0) {
                break;
            }
        }

        s->target = se_reply_field(h, "target");

        if (v == NULL || ch == SE_CHANNEL_N || s->target == NULL) {
            (*bad)++;
            continue;
        }

        s->channel = (se_channel_e) ch;
        s->target = se_strdup(s->target);

        v = se_reply_field(h, "secret");
        s->secret = v ? se_strdup(v) : NULL;

        v = se_reply_field(h, "audience");
        s->audience = (v && strcmp(v, "internal") == 0)
                      ? SE_AUDIENCE_INTERNAL : SE_AUDIENCE_PUBLIC;

        v = se_reply_field(h, "lang");
        s->lang = (v && strcmp(v, "ko") == 0) ? SE_LANG_KO : SE_LANG_EN;

        v = se_reply_field(h, "state");
        s->active = v == NULL || strcmp(v, "active") == 0;
        s->state = se_strdup(v ? v : "active");

        v = se_reply_field(h, "created_at");
        s->created_at = se_strdup(v ? v : "");

        c = se_reply_field(h, "components");
        s->components_list = se_strdup(c ? c : "");
        nc = 0;

        if (c && *c) {
            nc = 1;
            for (k = 0; c[k]; k++) {
                nc += c[k] == ',';
            }

            s->components = se_alloc(nc * sizeof(char *));
            nc = 0;

            for (v = c; ; v = strchr(v, ',') + 1) {
                k = strchr(v, ',') ? (size_t) (strchr(v, ',') - v)
                                   : strlen(v);
                if (k) {
                    s->components[nc++] = se_strndup(v, k);
                }

                if (strchr(v, ',') == NULL) {
                    break;
                }
            }
        }

        s->ncomponents = nc;
        (*n)++;
    }

    freeReplyObject(r);

    *out = subs;

    return SE_CLI_OK;
}


int
se_cmd_subscriber_list(se_cli_t *cli)
{
    se_subscriber_t  *subs, *s;
    json_t           *a, *o;
    size_t            n, bad, i;
    int               rc;

    rc = se_redis_connect(cli);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    rc = se_subscribers_read(cli, &subs, &n, &bad);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    if (se_arg(cli, SE_O_JSON)) {
        a = json_array();

        for (i = 0; i < n; i++) {
            s = &subs[i];
            o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                          "id", s->id, "channel", se_channel_name(s->channel),
                          "target", s->target,
                          "components", s->components_list,
                          "audience", se_audience_name(s->audience),
                          "lang", se_lang_name(s->lang), "state", s->state,
                          "created_at", s->created_at);
            json_array_append_new(a, o);
        }

        json_dumpf(a, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
        json_decref(a);

    } else {
        for (i = 0; i < n; i++) {
            s = &subs[i];
            printf("%s  %s  %s  %s  %s  %s  %s\n", s->id,
                   se_channel_name(s->channel), s->target,
                   *s->components_list ? s->components_list : "*",
                   se_audience_name(s->audience), se_lang_name(s->lang),
                   s->state);
        }
    }

    if (bad) {
        fprintf(stderr, "status-edge: %s: %zu subscriber records are "
                "broken (no channel or target) and were left out\n",
                cli->what, bad);
    }

    return SE_CLI_OK;
}
