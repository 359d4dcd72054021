/*
 * status-edge: main, the command table, dispatch, help, the string arena
 * and error messages.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "se_cli.h"

#define SE_G  SE_O_HELP, SE_O_REDIS, SE_O_PAGE, SE_O_ACTOR, SE_O_TEMPLATES, \
              SE_O_CACERT, SE_O_CERT, SE_O_KEY, SE_O_SNI

static const se_opt_e  se_o_none[] = { SE_G, SE_O_N };
static const se_opt_e  se_o_inc_open[] = {
    SE_G, SE_O_NAME, SE_O_IMPACT, SE_O_STATUS, SE_O_COMPONENTS, SE_O_MESSAGE,
    SE_O_NEXT_UPDATE, SE_O_AUDIENCE, SE_O_ID, SE_O_NO_BANNER, SE_O_SHORTLINK,
    SE_O_TEMPLATE, SE_O_VAR, SE_O_I18N, SE_O_N
};
static const se_opt_e  se_o_inc_update[] = {
    SE_G, SE_O_STATUS, SE_O_MESSAGE, SE_O_NEXT_UPDATE, SE_O_IMPACT,
    SE_O_COMPONENTS, SE_O_NAME, SE_O_AUDIENCE, SE_O_BANNER, SE_O_SHORTLINK,
    SE_O_TEMPLATE, SE_O_VAR, SE_O_I18N, SE_O_N
};
static const se_opt_e  se_o_inc_resolve[] = {
    SE_G, SE_O_MESSAGE, SE_O_POSTMORTEM, SE_O_TEMPLATE, SE_O_VAR, SE_O_I18N,
    SE_O_N
};
static const se_opt_e  se_o_inc_pm[] = { SE_G, SE_O_URL, SE_O_N };
static const se_opt_e  se_o_mnt_schedule[] = {
    SE_G, SE_O_NAME, SE_O_FROM, SE_O_UNTIL, SE_O_COMPONENTS, SE_O_GATE,
    SE_O_BANNER_LEAD, SE_O_MESSAGE, SE_O_ID, SE_O_AUDIENCE, SE_O_NO_BANNER,
    SE_O_SHORTLINK, SE_O_TEMPLATE, SE_O_VAR, SE_O_I18N, SE_O_N
};
static const se_opt_e  se_o_mnt_status[] = {
    SE_G, SE_O_MESSAGE, SE_O_TEMPLATE, SE_O_VAR, SE_O_I18N, SE_O_N
};
static const se_opt_e  se_o_comp_add[] = {
    SE_G, SE_O_NAME, SE_O_POSITION, SE_O_GROUP, SE_O_DESCRIPTION,
    SE_O_STATUS, SE_O_ONLY_IF_DEGRADED, SE_O_UPTIME, SE_O_I18N, SE_O_N
};
static const se_opt_e  se_o_comp_set[] = {
    SE_G, SE_O_UPTIME, SE_O_N
};
static const se_opt_e  se_o_page_set[] = {
    SE_G, SE_O_NAME, SE_O_URL, SE_O_TIME_ZONE, SE_O_STATUS_URL, SE_O_ID,
    SE_O_I18N, SE_O_N
};
static const se_opt_e  se_o_show[] = { SE_G, SE_O_JSON, SE_O_N };
static const se_opt_e  se_o_sub_add[] = {
    SE_G, SE_O_EMAIL, SE_O_WEBHOOK, SE_O_SLACK, SE_O_COMPONENTS,
    SE_O_AUDIENCE, SE_O_LANG, SE_O_SECRET, SE_O_N
};
static const se_opt_e  se_o_notify[] = {
    SE_G, SE_O_ONCE, SE_O_CONSUMER, SE_O_SMTP, SE_O_SMTP_CACERT,
    SE_O_MAIL_FROM, SE_O_SECRET_FILE, SE_O_TRIES, SE_O_RETRY,
    SE_O_RETRY_MAX, SE_O_TIMEOUT, SE_O_PARALLEL, SE_O_CLAIM_AFTER,
    SE_O_REMIND_BEFORE, SE_O_VERBOSE, SE_O_REPLAY, SE_O_N
};


const se_command_t  se_commands[] = {

    { "incident", "open", se_cmd_incident_open, se_o_inc_open, 0, 0,
      "incident open --name TEXT --impact none|minor|major|critical\n"
      "    [--status investigating|identified|monitoring]\n"
      "    [--components ID,...] [--message TEXT] [--next-update DURATION]\n"
      "    [--audience public|internal] [--id ID] [--no-banner]\n"
      "    [--shortlink URL] [--template NAME [--var KEY=VALUE]...]\n"
      "    [--name.LANG TEXT] [--message.LANG TEXT]",
      "Opens an incident with its first update and prints its id.  The\n"
      "first update's text comes from --message or --template; a\n"
      "template may also give the name, impact and status." },

    { "incident", "update", se_cmd_incident_update, se_o_inc_update, 1, 1,
      "incident update ID [--status STATUS] [--message TEXT]\n"
      "    [--next-update DURATION] [--impact IMPACT] [--components ID,...]\n"
      "    [--name TEXT] [--audience public|internal] [--banner on|off]\n"
      "    [--shortlink URL] [--template NAME [--var KEY=VALUE]...]\n"
      "    [--message.LANG TEXT]",
      "Posts an update (--message or --template; required when the\n"
      "status changes) and changes the given fields.  A new update\n"
      "without --next-update clears the promised next update time." },

    { "incident", "resolve", se_cmd_incident_resolve, se_o_inc_resolve,
      1, 1,
      "incident resolve ID [--message TEXT] [--postmortem URL]\n"
      "    [--template NAME [--var KEY=VALUE]...] [--message.LANG TEXT]",
      "Resolves the incident with a final update (default: the built-in\n"
      "\"resolved\" template, in English and Korean)." },

    { "incident", "postmortem", se_cmd_incident_postmortem, se_o_inc_pm,
      1, 1,
      "incident postmortem ID --url URL",
      "Links the published postmortem of a resolved incident and sets\n"
      "its status to postmortem." },

    { "maintenance", "schedule", se_cmd_maintenance_schedule,
      se_o_mnt_schedule, 0, 0,
      "maintenance schedule --name TEXT --from TIME --until TIME\n"
      "    [--components ID,...] [--gate] [--banner-lead DURATION]\n"
      "    [--message TEXT] [--id ID] [--audience public|internal]\n"
      "    [--no-banner] [--shortlink URL]\n"
      "    [--template NAME [--var KEY=VALUE]...] [--message.LANG TEXT]",
      "Schedules a maintenance and prints its id.  TIME is RFC 3339\n"
      "(2026-11-21T14:30:00Z, offsets allowed) or now[+-DURATION]." },

    { "maintenance", "start", se_cmd_maintenance_status, se_o_mnt_status,
      1, 1,
      "maintenance start ID [--message TEXT] [--template NAME ...]",
      "Marks the maintenance in progress; its components that are\n"
      "operational become under_maintenance." },

    { "maintenance", "verify", se_cmd_maintenance_status, se_o_mnt_status,
      1, 1,
      "maintenance verify ID [--message TEXT] [--template NAME ...]",
      "Marks the maintenance as verifying." },

    { "maintenance", "complete", se_cmd_maintenance_status,
      se_o_mnt_status, 1, 1,
      "maintenance complete ID [--message TEXT] [--template NAME ...]",
      "Completes the maintenance; its components still under_maintenance\n"
      "become operational." },

    { "maintenance", "cancel", se_cmd_maintenance_cancel, se_o_none, 1, 1,
      "maintenance cancel ID",
      "Removes a maintenance that has not started (status scheduled)." },

    { "component", "add", se_cmd_component_add, se_o_comp_add, 1, 1,
      "component add ID --name TEXT [--position N] [--group GROUP-ID]\n"
      "    [--description TEXT] [--status STATUS] [--only-if-degraded]\n"
      "    [--uptime on|off] [--name.LANG TEXT]",
      "Adds a component (default: operational, last position).  --uptime\n"
      "off: the status page shows no uptime bars for it." },

    { "component", "set", se_cmd_component_set, se_o_comp_set, 2, 2,
      "component set ID STATUS [--uptime on|off]",
      "Sets a component's status: operational, degraded_performance,\n"
      "partial_outage, major_outage or under_maintenance; and with\n"
      "--uptime whether its uptime is shown." },

    { "component", "remove", se_cmd_component_remove, se_o_none, 1, 1,
      "component remove ID",
      "Removes a component." },

    { "component", "history", se_cmd_component_history, se_o_none, 2, 2,
      "component history import FILE",
      "Adds past status changes to the components' uptime history, from\n"
      "CSV lines COMPONENT,TIME,STATUS or a JSON array of objects\n"
      "{\"component\",\"at\",\"status\"}; TIME is RFC 3339 or Unix seconds.\n"
      "Every row is checked first; nothing is written if one is bad." },

    { "page", "set", se_cmd_page_set, se_o_page_set, 0, 0,
      "page set [--name TEXT] [--url URL] [--time-zone ZONE]\n"
      "    [--status-url URL] [--id ID] [--name.LANG TEXT]",
      "Sets fields of the page (at least one)." },

    { "show", NULL, se_cmd_show, se_o_show, 0, 0,
      "show [--json]",
      "Prints the current state: the indicator, components, unresolved\n"
      "incidents with their latest update, and maintenances.  With\n"
      "--json, the summary.json document the module serves." },

    { "export", NULL, se_cmd_export, se_o_none, 0, 0,
      "export",
      "Writes the whole page as canonical JSON to stdout." },

    { "import", NULL, se_cmd_import, se_o_none, 1, 1,
      "import FILE",
      "Validates FILE (an export; - for stdin) and replaces the page\n"
      "with it atomically." },

    { "reset", NULL, se_cmd_reset, se_o_none, 0, 0,
      "reset",
      "Confirms the page Redis holds now, lower or emptier as it may be\n"
      "than the one the module serves (a Redis restarted empty, a\n"
      "FLUSHALL, a lagging replica promoted, a backup imported): the\n"
      "module holds such a state back until this.  Sets Preset to the\n"
      "time in Unix milliseconds (above the previous one) and bumps\n"
      "the version." },

    { "subscriber", "add", se_cmd_subscriber_add, se_o_sub_add, 0, 0,
      "subscriber add --email ADDRESS | --webhook URL | --slack URL\n"
      "    [--components ID,...] [--audience public|internal]\n"
      "    [--lang en|ko] [--secret TEXT]",
      "Adds a confirmed subscriber and prints its id; for a webhook\n"
      "also the secret its payloads are signed with (generated unless\n"
      "--secret).  Without --components it hears of every change;\n"
      "internal subscribers also hear of internal incidents and of\n"
      "late promised updates." },

    { "subscriber", "remove", se_cmd_subscriber_remove, se_o_none, 1, 1,
      "subscriber remove ID",
      "Removes a subscriber." },

    { "subscriber", "list", se_cmd_subscriber_list, se_o_show, 0, 0,
      "subscriber list [--json]",
      "Lists the subscribers, oldest first." },

    { "notify", NULL, se_cmd_notify, se_o_notify, 0, 0,
      "notify [--once] [--consumer NAME] [--smtp URL] [--mail-from ADDRESS]\n"
      "    [--secret-file FILE] [--tries N] [--retry DURATION]\n"
      "    [--retry-max DURATION] [--timeout DURATION] [--parallel N]\n"
      "    [--claim-after DURATION] [--remind-before DURATION]\n"
      "    [--smtp-cacert FILE] [--verbose] [--replay]",
      "Delivers every change of the audit stream to the subscribers:\n"
      "webhooks, Slack and email (docs/notifications.md).  Runs until\n"
      "SIGTERM; with --once, delivers what is there and exits.  With\n"
      "--replay, sends the dead letters again (with --smtp, --tries,\n"
      "--retry, --timeout), drops those delivered, and exits." },

    { "template", "list", se_cmd_template, se_o_none, 0, 0,
      "template list",
      "Lists the built-in templates and those of --templates DIR." },

    { "template", "show", se_cmd_template, se_o_none, 1, 1,
      "template show NAME",
      "Prints a template with its placeholders." },

    { "postmortem", NULL, se_cmd_postmortem, se_o_none, 1, 1,
      "postmortem ID",
      "Prints a Markdown postmortem draft of the incident." },

    { NULL, NULL, NULL, NULL, 0, 0, NULL, NULL }
};


static const char  se_global_help[] =
    "Global options (any command):\n"
    "  --redis URL        redis://[user:password@]host:port/db,\n"
    "                     rediss://... (TLS), unix:///path?db=N, or\n"
    "                     redis+sentinel://[user:password@]host:port[,...]\n"
    "                     /NAME[/db] (rediss+sentinel:// with TLS)\n"
    "                     (default $STATUS_EDGE_REDIS, then\n"
    "                     " SE_CLI_DEFAULT_REDIS ")\n"
    "  --cacert FILE      TLS: the CA certificates to verify the server with\n"
    "                     (default $STATUS_EDGE_REDIS_CACERT, then the\n"
    "                     system's)\n"
    "  --cert FILE        TLS: a client certificate (default\n"
    "                     $STATUS_EDGE_REDIS_CERT), with its key in\n"
    "  --key FILE         (default $STATUS_EDGE_REDIS_KEY)\n"
    "  --sni NAME         TLS: the server name to send and verify (default\n"
    "                     $STATUS_EDGE_REDIS_SNI, then the host)\n"
    "  --page PREFIX      page key prefix (default " SE_CLI_DEFAULT_PREFIX ")\n"
    "  --actor NAME       who, for the audit stream (default $USER)\n"
    "  --templates DIR    operator templates (default\n"
    "                     $STATUS_EDGE_TEMPLATES)\n"
    "  --help             this help\n"
    "Exit codes: 0 ok, 1 Redis unreachable or refused, 2 bad usage or\n"
    "invalid input.\n";


static se_arena_t   se_arena_main;
static se_arena_t  *se_arena = &se_arena_main;


static void
se_oom(void)
{
    fputs("status-edge: out of memory\n", stderr);
    exit(SE_CLI_FAIL);
}


void
se_arena_keep(void *p)
{
    void  **a;

    if (se_arena->n == se_arena->size) {
        se_arena->size = se_arena->size ? se_arena->size * 2 : 64;
        a = realloc(se_arena->p, se_arena->size * sizeof(void *));
        if (a == NULL) {
            free(p);
            se_oom();
        }
        se_arena->p = a;
    }

    se_arena->p[se_arena->n++] = p;
}


void *
se_alloc(size_t size)
{
    void  *p;

    p = calloc(1, size ? size : 1);
    if (p == NULL) {
        se_oom();
    }

    se_arena_keep(p);

    return p;
}


/* grows an arena block: the old one stays in the arena */
void *
se_realloc_arena(void *p, size_t size)
{
    void  *n;
    size_t i;

    for (i = se_arena->n; i > 0; i--) {
        if (se_arena->p[i - 1] == p) {
            break;
        }
    }

    n = realloc(p, size);
    if (n == NULL) {
        se_oom();
    }

    if (i > 0) {
        se_arena->p[i - 1] = n;

    } else {
        se_arena_keep(n);
    }

    return n;
}


char *
se_strndup(const char *s, size_t len)
{
    char  *p;

    p = se_alloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';

    return p;
}


char *
se_strdup(const char *s)
{
    return se_strndup(s, strlen(s));
}


char *
se_sprintf(const char *fmt, ...)
{
    va_list  ap;
    int      n;
    char    *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);

    if (n < 0) {
        se_oom();
    }

    p = se_alloc((size_t) n + 1);

    va_start(ap, fmt);
    vsnprintf(p, (size_t) n + 1, fmt, ap);
    va_end(ap);

    return p;
}


void
se_arena_free(void)
{
    se_arena_release(&se_arena_main);
    se_arena = &se_arena_main;
}


se_arena_t *
se_arena_use(se_arena_t *a)
{
    se_arena_t  *prev;

    prev = se_arena;
    se_arena = a ? a : &se_arena_main;

    return prev;
}


void
se_arena_release(se_arena_t *a)
{
    size_t  i;

    for (i = 0; i < a->n; i++) {
        free(a->p[i]);
    }

    free(a->p);
    a->p = NULL;
    a->n = 0;
    a->size = 0;
}


int
se_error(se_cli_t *cli, int code, const char *fmt, ...)
{
    va_list  ap;

    fputs("status-edge: ", stderr);

    if (cli && cli->what) {
        fprintf(stderr, "%s: ", cli->what);
    }

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);

    fputc('\n', stderr);

    return code;
}


/*
 * "value" quoted for a message: controls, quotes and backslashes as \xHH,
 * and every non-ASCII byte too unless the value is valid UTF-8; cut at
 * 80 bytes on a character boundary.
 */
const char *
se_q(const char *s)
{
    size_t          i, n, len, cut;
    char           *out;
    unsigned char   c;
    int             utf8;

    if (s == NULL) {
        return "(none)";
    }

    len = strlen(s);
    utf8 = se_utf8_valid(s, len) == SE_OK;

    cut = len < 80 ? len : 80;
    while (utf8 && cut < len && ((unsigned char) s[cut] & 0xc0) == 0x80) {
        cut--;
    }

    out = se_alloc(cut * 4 + 8);
    n = 0;
    out[n++] = '"';

    for (i = 0; i < cut; i++) {
        c = (unsigned char) s[i];

        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\'
            || (c >= 0x80 && !utf8))
        {
            n += (size_t) sprintf(out + n, "\\x%02x", c);

        } else {
            out[n++] = (char) c;
        }
    }

    if (cut < len) {
        memcpy(out + n, "...", 3);
        n += 3;
    }

    out[n++] = '"';
    out[n] = '\0';

    return out;
}


/* a name for a message: as is when plain ([A-Za-z0-9_.-]), else se_q() */
const char *
se_qname(const char *s)
{
    size_t  n;

    if (s == NULL) {
        return "(none)";
    }

    n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                  "0123456789_.-");

    return (n > 0 && n <= 64 && s[n] == '\0') ? s : se_q(s);
}


void
se_cli_usage(FILE *f, const se_command_t *cmd)
{
    const se_command_t  *c;

    if (cmd) {
        fprintf(f, "Usage: status-edge [global options] %s\n\n%s\n\n%s",
                cmd->synopsis, cmd->help, se_global_help);
        return;
    }

    fputs("Usage: status-edge [global options] COMMAND [ARGS]\n\n"
          "Writes the status page state to Redis safely: validation,\n"
          "one atomic write with version bump, publish and audit.\n\n"
          "Commands:\n", f);

    for (c = se_commands; c->group; c++) {
        fprintf(f, "  %s\n", c->synopsis);
    }

    fprintf(f, "\nRun status-edge COMMAND --help for details.\n\n%s",
            se_global_help);
}


static const se_command_t *
se_find_command(se_args_t *a, size_t *used, int *group_only)
{
    const se_command_t  *c;

    *group_only = 0;

    if (a->npos == 0) {
        return NULL;
    }

    for (c = se_commands; c->group; c++) {
        if (strcmp(c->group, a->pos[0]) != 0) {
            continue;
        }

        if (c->name == NULL) {
            *used = 1;
            return c;
        }

        *group_only = 1;

        if (a->npos > 1 && strcmp(c->name, a->pos[1]) == 0) {
            *used = 2;
            return c;
        }
    }

    return NULL;
}


static const char *
se_default_actor(void)
{
    const char  *u;

    u = getenv("USER");
    if (u == NULL || *u == '\0') {
        u = getenv("LOGNAME");
    }

    return (u && *u) ? u : "unknown";
}


/* the option's value, else the environment variable's; NULL when empty */
static const char *
se_opt_env(const se_args_t *args, se_opt_e o, const char *name)
{
    const char  *v;

    v = args->opt[o] ? args->opt[o] : getenv(name);

    return (v && *v) ? v : NULL;
}


static int
se_run(int argc, char **argv)
{
    se_args_t            args;
    se_cli_t             cli;
    const se_command_t  *cmd;
    const char          *bad, *env;
    size_t               used;
    int                  rc, group_only;

    memset(&args, 0, sizeof(se_args_t));
    memset(&cli, 0, sizeof(se_cli_t));

    cli.args = &args;
    cli.now = (int64_t) time(NULL);

    rc = se_args_parse(&args, argc - 1, argv + 1, &bad);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    used = 0;
    cmd = se_find_command(&args, &used, &group_only);

    if (cmd == NULL) {
        if (args.opt[SE_O_HELP] && args.npos <= 1) {
            if (args.npos == 1 && group_only) {
                for (cmd = se_commands; cmd->group; cmd++) {
                    if (strcmp(cmd->group, args.pos[0]) == 0) {
                        printf("  status-edge %s\n", cmd->synopsis);
                    }
                }
                return SE_CLI_OK;
            }

            if (args.npos == 0) {
                se_cli_usage(stdout, NULL);
                return SE_CLI_OK;
            }
        }

        if (args.npos == 0) {
            se_cli_usage(stderr, NULL);
            return SE_CLI_USAGE;
        }

        if (group_only) {
            return se_error(NULL, SE_CLI_USAGE, "%s: unknown or missing "
                            "subcommand %s (try status-edge %s --help)",
                            args.pos[0],
                            args.npos > 1 ? se_q(args.pos[1]) : "",
                            args.pos[0]);
        }

        return se_error(NULL, SE_CLI_USAGE, "unknown command %s (try "
                        "status-edge --help)", se_q(args.pos[0]));
    }

    cli.cmd = cmd;
    cli.what = cmd->name ? se_sprintf("%s %s", cmd->group, cmd->name)
                         : cmd->group;

    if (args.opt[SE_O_HELP]) {
        se_cli_usage(stdout, cmd);
        return SE_CLI_OK;
    }

    args.pos += used;
    args.npos -= used;

    rc = se_args_check(&cli);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    cli.url = args.opt[SE_O_REDIS];
    if (cli.url == NULL) {
        env = getenv("STATUS_EDGE_REDIS");
        cli.url = (env && *env) ? env : SE_CLI_DEFAULT_REDIS;
    }

    cli.cacert = se_opt_env(&args, SE_O_CACERT, "STATUS_EDGE_REDIS_CACERT");
    cli.cert = se_opt_env(&args, SE_O_CERT, "STATUS_EDGE_REDIS_CERT");
    cli.key = se_opt_env(&args, SE_O_KEY, "STATUS_EDGE_REDIS_KEY");
    cli.sni = se_opt_env(&args, SE_O_SNI, "STATUS_EDGE_REDIS_SNI");

    cli.prefix = args.opt[SE_O_PAGE] ? args.opt[SE_O_PAGE]
                                     : SE_CLI_DEFAULT_PREFIX;

    if (*cli.prefix == '\0' || strlen(cli.prefix) > SE_CLI_MAX_PREFIX
        || se_valid_text(cli.prefix, strlen(cli.prefix), SE_CLI_MAX_PREFIX,
                         0) != SE_OK
        || strpbrk(cli.prefix, " \t") != NULL)
    {
        return se_error(&cli, SE_CLI_USAGE, "bad --page prefix %s "
                        "(1 to %d printable bytes, no blanks)",
                        se_q(cli.prefix), SE_CLI_MAX_PREFIX);
    }

    cli.actor = args.opt[SE_O_ACTOR] ? args.opt[SE_O_ACTOR]
                                     : se_default_actor();

    if (se_valid_text(cli.actor, strlen(cli.actor), SE_MAX_NAME, 0)
        != SE_OK || *cli.actor == '\0')
    {
        return se_error(&cli, SE_CLI_USAGE, "bad --actor %s",
                        se_q(cli.actor));
    }

    cli.templates = args.opt[SE_O_TEMPLATES];
    if (cli.templates == NULL) {
        env = getenv("STATUS_EDGE_TEMPLATES");
        cli.templates = (env && *env) ? env : NULL;
    }

    rc = cmd->handler(&cli);

    se_redis_close(&cli);

    return rc;
}


int
main(int argc, char **argv)
{
    int  rc;

    rc = se_run(argc, argv);

    if (fflush(stdout) != 0 && rc == SE_CLI_OK) {
        fputs("status-edge: cannot write the output\n", stderr);
        rc = SE_CLI_FAIL;
    }

    se_arena_free();

    return rc;
}
