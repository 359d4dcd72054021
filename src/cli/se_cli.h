/*
 * status-edge, the admin tool: shared definitions of the CLI files.
 *
 * Every command parses and validates all of its input first (se_args_t),
 * then connects, reads what it needs under WATCH, builds one batch of
 * writes and sends it as one EVAL inside MULTI/EXEC (se_cli_redis.c).
 * Strings are allocated from one arena freed at exit.
 */

#ifndef SE_CLI_H
#define SE_CLI_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include <hiredis/hiredis.h>

#include "se_core.h"
#include "se_model.h"
#include "se_state.h"
#include "se_enum.h"
#include "se_derive.h"
#include "se_valid.h"
#include "se_utf8.h"
#include "se_time.h"
#include "se_cli_conn.h"

/* exit codes */
#define SE_CLI_OK        0
#define SE_CLI_FAIL      1      /* Redis unreachable or refused */
#define SE_CLI_USAGE     2      /* bad usage or invalid input */

#define SE_CLI_DEFAULT_REDIS   "redis://127.0.0.1:6379/0"
#define SE_CLI_DEFAULT_PREFIX  "status:"
#define SE_CLI_MAX_PREFIX      64

typedef enum {
    SE_O_HELP = 0,
    SE_O_REDIS,
    SE_O_PAGE,
    SE_O_ACTOR,
    SE_O_TEMPLATES,
    SE_O_CACERT,
    SE_O_CERT,
    SE_O_KEY,
    SE_O_SNI,
    SE_O_NAME,
    SE_O_IMPACT,
    SE_O_STATUS,
    SE_O_COMPONENTS,
    SE_O_MESSAGE,
    SE_O_NEXT_UPDATE,
    SE_O_AUDIENCE,
    SE_O_ID,
    SE_O_NO_BANNER,
    SE_O_BANNER,
    SE_O_POSTMORTEM,
    SE_O_URL,
    SE_O_FROM,
    SE_O_UNTIL,
    SE_O_GATE,
    SE_O_BANNER_LEAD,
    SE_O_POSITION,
    SE_O_GROUP,
    SE_O_DESCRIPTION,
    SE_O_ONLY_IF_DEGRADED,
    SE_O_TIME_ZONE,
    SE_O_STATUS_URL,
    SE_O_SHORTLINK,
    SE_O_TEMPLATE,
    SE_O_VAR,
    SE_O_JSON,
    SE_O_UPTIME,
    SE_O_EMAIL,
    SE_O_WEBHOOK,
    SE_O_SLACK,
    SE_O_LANG,
    SE_O_SECRET,
    SE_O_ONCE,
    SE_O_CONSUMER,
    SE_O_SMTP,
    SE_O_MAIL_FROM,
    SE_O_SECRET_FILE,
    SE_O_TRIES,
    SE_O_RETRY,
    SE_O_RETRY_MAX,
    SE_O_TIMEOUT,
    SE_O_PARALLEL,
    SE_O_CLAIM_AFTER,
    SE_O_REMIND_BEFORE,
    SE_O_SMTP_CACERT,
    SE_O_VERBOSE,
    SE_O_REPLAY,
    SE_O_N,
    /* --name.LANG and --message.LANG */
    SE_O_I18N
} se_opt_e;

typedef struct {
    const char     *key;        /* var name, or "name" / "message" */
    const char     *lang;       /* translations only */
    const char     *val;
} se_kv_t;

typedef struct {
    const char     *opt[SE_O_N];    /* value ("" for flags), NULL: unset */
    const char    **pos;
    size_t          npos;
    se_kv_t        *vars;           /* --var key=value, in order */
    size_t          nvars;
    se_kv_t        *i18n;           /* --name.ko TEXT, --message.ko TEXT */
    size_t          ni18n;
} se_args_t;

typedef struct se_cli_s  se_cli_t;

typedef int (*se_handler_pt)(se_cli_t *cli);

typedef struct {
    const char     *group;
    const char     *name;           /* NULL: the group is the command */
    se_handler_pt   handler;
    const se_opt_e *opts;           /* allowed, ended by SE_O_N */
    size_t          min_pos;
    size_t          max_pos;
    const char     *synopsis;
    const char     *help;
} se_command_t;

struct se_cli_s {
    se_conn_t          *conn;
    se_tls_t           *tls;
    const char         *url;
    const char         *where;      /* the server, quoted, for messages */
    const char         *cacert;     /* TLS: --cacert, --cert, --key, */
    const char         *cert;       /* --sni or their environment */
    const char         *key;
    const char         *sni;
    const char         *prefix;
    const char         *actor;
    const char         *templates;
    const char         *what;       /* "incident open", for messages */
    const se_command_t *cmd;
    se_args_t          *args;
    int64_t             now;
    const char         *history_window; /* seconds of component history */
};

/* one record's hash as read: field/value pairs */
typedef struct {
    const char     *name;
    const char     *value;
    size_t          len;
} se_field_t;

typedef struct {
    se_field_t     *f;
    size_t          n;
} se_hash_t;

/* one command of a batch */
typedef struct {
    const char    **argv;
    size_t          argc;
    size_t          size;
} se_cmd_t;

typedef struct {
    se_cmd_t       *cmds;
    size_t          n;
    size_t          size;
    const char     *id;             /* audit: the record id */
    char           *fields;         /* audit: changed fields, a,b,c */
    size_t          flen;
    size_t          fsize;
    unsigned        quiet:1;        /* hash fields not listed in audit */
} se_batch_t;

typedef int (*se_plan_pt)(se_cli_t *cli, se_batch_t *b, void *data);


/* se_cli.c */
extern const se_command_t  se_commands[];
void se_cli_usage(FILE *f, const se_command_t *cmd);

/* memory: everything lives until se_arena_free() */
void *se_alloc(size_t size);
void *se_realloc_arena(void *p, size_t size);
char *se_strdup(const char *s);
char *se_strndup(const char *s, size_t len);
char *se_sprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
void se_arena_keep(void *p);            /* frees p at exit too */
void se_arena_free(void);

/*
 * Arenas of their own, for a long-running command (notify): what is
 * allocated while one is in use is freed with it, by se_arena_release().
 * se_arena_use() returns the arena in use before (NULL: the default).
 */
typedef struct {
    void          **p;
    size_t          n;
    size_t          size;
} se_arena_t;

se_arena_t *se_arena_use(se_arena_t *a);
void se_arena_release(se_arena_t *a);

/* messages: "status-edge: <what>: ..." on stderr; return the code */
int se_error(se_cli_t *cli, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* printable, quoted, truncated copy of user input for messages */
const char *se_q(const char *s);
/* a name as is when plain ([A-Za-z0-9_.-]{1,64}), else se_q() */
const char *se_qname(const char *s);

/* se_cli_args.c */
int se_args_parse(se_args_t *a, int argc, char **argv, const char **bad);
int se_args_check(se_cli_t *cli);
const char *se_arg(se_cli_t *cli, se_opt_e o);
int se_parse_duration(const char *s, int64_t max, int64_t *out);
int se_arg_duration(se_cli_t *cli, se_opt_e o, int64_t max, int64_t *out);
int se_arg_time(se_cli_t *cli, se_opt_e o, int64_t *out);
int se_arg_next_update(se_cli_t *cli, int64_t *out);
int se_check_id(se_cli_t *cli, const char *what, const char *id);
int se_check_new_id(se_cli_t *cli, const char *what, const char *id);
int se_check_name(se_cli_t *cli, const char *what, const char *s);
int se_check_body(se_cli_t *cli, const char *what, const char *s);
int se_check_url(se_cli_t *cli, const char *what, const char *s);
int se_check_ids(se_cli_t *cli, const char *what, const char *list,
    const char ***ids, size_t *n, const char **joined);
int se_check_i18n(se_cli_t *cli, const char *field);
char *se_time_str(int64_t t);
char *se_new_id(const char *prefix);
void se_random_bytes(unsigned char *buf, size_t n);

/* se_cli_redis.c */
int se_redis_connect(se_cli_t *cli);
void se_redis_close(se_cli_t *cli);
char *se_key(se_cli_t *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
redisReply *se_redis_cmd(se_cli_t *cli, const char *fmt, ...);
int se_redis_watch(se_cli_t *cli, const char *key);
int se_redis_scan_del(se_cli_t *cli, se_batch_t *b, const char *match);
int se_redis_hgetall(se_cli_t *cli, const char *key, se_hash_t *h);
int se_redis_zscore(se_cli_t *cli, const char *zkey, const char *member,
    int *found, double *score);
int se_redis_zmax(se_cli_t *cli, const char *zkey, double *max, int *found);
int se_redis_snapshot(se_cli_t *cli, const char *script,
    const char *history, const char *updates, const char *value,
    const char *bytes, redisReply **reply, se_raw_t **raw);
int se_redis_state(se_cli_t *cli, const char *history,
    const char *updates, se_state_t **st);
int se_redis_write(se_cli_t *cli, se_plan_pt plan, void *data,
    long long *version);
int se_redis_fail(se_cli_t *cli, redisReply *r, const char *doing);
const char *se_url_redacted(const char *url);
const char *se_hash_get(const se_hash_t *h, const char *name);
const char *se_reply_field(const redisReply *r, const char *name);

/* batch building */
void se_batch_cmd(se_batch_t *b, const char *first, ...);
void se_batch_start(se_batch_t *b, const char *op, const char *key);
void se_batch_arg(se_batch_t *b, const char *arg);
void se_batch_hset(se_batch_t *b, const char *key, const char *field,
    const char *value);
void se_batch_hdel(se_batch_t *b, const char *key, const char *field);
void se_batch_field(se_batch_t *b, const char *field);

/* se_cli_template.c */
typedef struct {
    const char     *name;
    const char     *description;
    const char     *status;         /* default status, may be NULL */
    const char     *impact;         /* default impact, may be NULL */
    se_kv_t        *texts;          /* key "title"/"body", lang or NULL */
    size_t          ntexts;
} se_template_t;

int se_template_load(se_cli_t *cli, const char *name, se_template_t *t);
/* expands every text with the --var values; SE_CLI_USAGE on errors */
int se_template_apply(se_cli_t *cli, se_template_t *t);
const char *se_template_text(const se_template_t *t, const char *key,
    const char *lang);
int se_cmd_template(se_cli_t *cli);
/* SE_CLI_USAGE naming a placeholder of t that vars lacks */
int se_template_check(se_cli_t *cli, const se_template_t *t,
    const se_kv_t *vars, size_t n);
/*
 * text with its placeholders replaced by the values of vars; a line
 * whose placeholders all have empty values is left out, runs of empty
 * lines become one, and none leads or trails
 */
char *se_template_fill(const char *text, const se_kv_t *vars, size_t n);

/* se_cli_update.c: the update JSON and texts shared by the writers */
typedef struct {
    const char     *body;
    se_kv_t        *i18n;           /* key "body", lang, text */
    size_t          ni18n;
    const char     *name;           /* from a template, may be NULL */
    se_kv_t        *name_i18n;
    size_t          nname_i18n;
    const char     *status;         /* from a template, may be NULL */
    const char     *impact;
} se_text_t;

int se_text_collect(se_cli_t *cli, se_text_t *t);
char *se_update_json(se_cli_t *cli, const char *status, const se_text_t *t);
void se_batch_update(se_cli_t *cli, se_batch_t *b, const char *key,
    const char *status, const se_text_t *t);
void se_batch_names(se_batch_t *b, const char *key, const se_text_t *t);
int se_check_components_exist(se_cli_t *cli, const char **ids, size_t n);
char *se_read_file(se_cli_t *cli, const char *file, size_t *len, int *rc);
int se_batch_history(se_cli_t *cli, se_batch_t *b, const char *id,
    const char *status, int64_t at);
int se_read_record(se_cli_t *cli, const char *kind, const char *id,
    se_hash_t *h);

/* command handlers */
int se_cmd_incident_open(se_cli_t *cli);
int se_cmd_incident_update(se_cli_t *cli);
int se_cmd_incident_resolve(se_cli_t *cli);
int se_cmd_incident_postmortem(se_cli_t *cli);
int se_cmd_maintenance_schedule(se_cli_t *cli);
int se_cmd_maintenance_status(se_cli_t *cli);
int se_cmd_maintenance_cancel(se_cli_t *cli);
int se_cmd_component_add(se_cli_t *cli);
int se_cmd_component_set(se_cli_t *cli);
int se_cmd_component_remove(se_cli_t *cli);
int se_cmd_component_history(se_cli_t *cli);
int se_cmd_page_set(se_cli_t *cli);
int se_cmd_show(se_cli_t *cli);
int se_cmd_export(se_cli_t *cli);
int se_cmd_import(se_cli_t *cli);
int se_cmd_postmortem(se_cli_t *cli);
int se_cmd_reset(se_cli_t *cli);
int se_cmd_subscriber_add(se_cli_t *cli);
int se_cmd_subscriber_remove(se_cli_t *cli);
int se_cmd_subscriber_list(se_cli_t *cli);
int se_cmd_notify(se_cli_t *cli);

#endif /* SE_CLI_H */
