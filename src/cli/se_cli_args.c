/*
 * Option parsing and the checks of option values: durations ("90s",
 * "30m", "2h", "1d", "1h30m"), times (RFC 3339 or now[+-DURATION]),
 * ids, texts, URLs, id lists; and generated ids.
 */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "se_cli.h"

typedef struct {
    const char     *name;
    int             has_arg;
} se_optdef_t;

static const se_optdef_t  se_optdefs[SE_O_N] = {
    { "help", 0 },
    { "redis", 1 },
    { "page", 1 },
    { "actor", 1 },
    { "templates", 1 },
    { "cacert", 1 },
    { "cert", 1 },
    { "key", 1 },
    { "sni", 1 },
    { "name", 1 },
    { "impact", 1 },
    { "status", 1 },
    { "components", 1 },
    { "message", 1 },
    { "next-update", 1 },
    { "audience", 1 },
    { "id", 1 },
    { "no-banner", 0 },
    { "banner", 1 },
    { "postmortem", 1 },
    { "url", 1 },
    { "from", 1 },
    { "until", 1 },
    { "gate", 0 },
    { "banner-lead", 1 },
    { "position", 1 },
    { "group", 1 },
    { "description", 1 },
    { "only-if-degraded", 0 },
    { "time-zone", 1 },
    { "status-url", 1 },
    { "shortlink", 1 },
    { "template", 1 },
    { "var", 1 },
    { "json", 0 },
    { "uptime", 1 },
    { "email", 1 },
    { "webhook", 1 },
    { "slack", 1 },
    { "lang", 1 },
    { "secret", 1 },
    { "once", 0 },
    { "consumer", 1 },
    { "smtp", 1 },
    { "mail-from", 1 },
    { "secret-file", 1 },
    { "tries", 1 },
    { "retry", 1 },
    { "retry-max", 1 },
    { "timeout", 1 },
    { "parallel", 1 },
    { "claim-after", 1 },
    { "remind-before", 1 },
    { "smtp-cacert", 1 },
    { "verbose", 0 },
    { "replay", 0 }
};


static void *
se_grow(void *p, size_t n, size_t size)
{
    void  *q;

    /* arrays of the args grow by one: double at powers of two */
    if (n && (n & (n - 1)) == 0) {
        q = se_alloc(n * 2 * size);
        memcpy(q, p, n * size);
        return q;
    }

    if (n == 0) {
        return se_alloc(size);
    }

    return p;
}


int
se_args_parse(se_args_t *a, int argc, char **argv, const char **bad)
{
    int          i, o, dashdash;
    size_t       len, k;
    const char  *arg, *val, *eq;
    char        *name;
    se_kv_t     *kv;

    dashdash = 0;

    for (i = 0; i < argc; i++) {
        arg = argv[i];

        if (dashdash || arg[0] != '-' || arg[1] == '\0') {
            a->pos = se_grow(a->pos, a->npos, sizeof(char *));
            a->pos[a->npos++] = arg;
            continue;
        }

        if (strcmp(arg, "--") == 0) {
            dashdash = 1;
            continue;
        }

        if (strcmp(arg, "-h") == 0) {
            a->opt[SE_O_HELP] = "";
            continue;
        }

        if (arg[1] != '-') {
            *bad = arg;
            return se_error(NULL, SE_CLI_USAGE, "unknown option %s",
                            se_q(arg));
        }

        arg += 2;
        eq = strchr(arg, '=');
        len = eq ? (size_t) (eq - arg) : strlen(arg);
        name = se_strndup(arg, len);

        /* --name.LANG and --message.LANG */
        if (strncmp(name, "name.", 5) == 0
            || strncmp(name, "message.", 8) == 0)
        {
            o = SE_O_I18N;

        } else {
            for (o = 0; o < SE_O_N; o++) {
                if (strcmp(se_optdefs[o].name, name) == 0) {
                    break;
                }
            }

            if (o == SE_O_N) {
                *bad = argv[i];
                return se_error(NULL, SE_CLI_USAGE, "unknown option %s",
                                se_q(argv[i]));
            }
        }

        val = "";

        if (o == SE_O_I18N || se_optdefs[o].has_arg) {
            if (eq) {
                val = eq + 1;

            } else if (i + 1 < argc) {
                val = argv[++i];

            } else {
                *bad = argv[i];
                return se_error(NULL, SE_CLI_USAGE, "option --%s needs a "
                                "value", se_qname(name));
            }

        } else if (eq) {
            *bad = argv[i];
            return se_error(NULL, SE_CLI_USAGE, "option --%s takes no "
                            "value", se_qname(name));
        }

        if (o == SE_O_I18N) {
            a->i18n = se_grow(a->i18n, a->ni18n, sizeof(se_kv_t));
            kv = &a->i18n[a->ni18n++];
            eq = strchr(name, '.');
            kv->key = se_strndup(name, (size_t) (eq - name));
            kv->lang = eq + 1;
            kv->val = val;
            continue;
        }

        if (o == SE_O_VAR) {
            a->vars = se_grow(a->vars, a->nvars, sizeof(se_kv_t));
            kv = &a->vars[a->nvars++];
            eq = strchr(val, '=');

            if (eq == NULL || eq == val) {
                *bad = val;
                return se_error(NULL, SE_CLI_USAGE, "bad --var %s "
                                "(KEY=VALUE)", se_q(val));
            }

            kv->key = se_strndup(val, (size_t) (eq - val));
            kv->val = eq + 1;
            a->opt[o] = "";

            for (k = 0; k + 1 < a->nvars; k++) {
                if (strcmp(a->vars[k].key, kv->key) == 0) {
                    *bad = val;
                    return se_error(NULL, SE_CLI_USAGE, "--var %s given "
                                    "twice", se_qname(kv->key));
                }
            }

            continue;
        }

        if (a->opt[o] != NULL && o != SE_O_HELP) {
            *bad = argv[i];
            return se_error(NULL, SE_CLI_USAGE, "option --%s given twice",
                            se_qname(name));
        }

        a->opt[o] = val;
    }

    return SE_CLI_OK;
}


/* every given option must be allowed for the command */
int
se_args_check(se_cli_t *cli)
{
    const se_command_t  *c;
    se_args_t           *a;
    size_t               i;
    int                  o, ok;

    c = cli->cmd;
    a = cli->args;

    for (o = 0; o <= SE_O_N; o++) {
        if (o < SE_O_N && a->opt[o] == NULL) {
            continue;
        }

        if (o == SE_O_N && a->ni18n == 0) {
            continue;
        }

        ok = 0;
        for (i = 0; c->opts[i] != SE_O_N; i++) {
            if ((int) c->opts[i] == (o == SE_O_N ? SE_O_I18N : o)) {
                ok = 1;
            }
        }

        if (!ok) {
            if (o == SE_O_N) {
                return se_error(cli, SE_CLI_USAGE, "unknown option "
                                "--%s.%s", se_qname(a->i18n[0].key),
                                se_qname(a->i18n[0].lang));
            }

            return se_error(cli, SE_CLI_USAGE, "unknown option --%s "
                            "(see --help)", se_optdefs[o].name);
        }
    }

    /* translations: only of fields the command takes */
    for (i = 0; i < a->ni18n; i++) {
        ok = 0;
        for (o = 0; c->opts[o] != SE_O_N; o++) {
            if ((c->opts[o] == SE_O_NAME
                 && strcmp(a->i18n[i].key, "name") == 0)
                || (c->opts[o] == SE_O_MESSAGE
                    && strcmp(a->i18n[i].key, "message") == 0))
            {
                ok = 1;
            }
        }

        if (!ok) {
            return se_error(cli, SE_CLI_USAGE, "unknown option --%s.%s",
                            se_qname(a->i18n[i].key),
                            se_qname(a->i18n[i].lang));
        }

        if (se_valid_lang(a->i18n[i].lang, strlen(a->i18n[i].lang))
            != SE_OK)
        {
            return se_error(cli, SE_CLI_USAGE, "bad language tag %s in "
                            "--%s.LANG", se_q(a->i18n[i].lang),
                            a->i18n[i].key);
        }
    }

    if (a->npos < c->min_pos) {
        return se_error(cli, SE_CLI_USAGE, "missing argument (usage: "
                        "status-edge %s)", c->synopsis);
    }

    if (a->npos > c->max_pos) {
        return se_error(cli, SE_CLI_USAGE, "unexpected argument %s",
                        se_q(a->pos[c->max_pos]));
    }

    return SE_CLI_OK;
}


const char *
se_arg(se_cli_t *cli, se_opt_e o)
{
    return cli->args->opt[o];
}


/* "90s", "30m", "2h", "1d", "1h30m", "600" (seconds); 0 < value <= max */
int
se_parse_duration(const char *s, int64_t max, int64_t *out)
{
    int64_t  total, n, unit;
    int      digits;

    if (s == NULL || *s == '\0') {
        return SE_ERROR;
    }

    total = 0;

    while (*s) {
        n = 0;
        digits = 0;

        while (*s >= '0' && *s <= '9') {
            n = n * 10 + (*s++ - '0');
            if (++digits > 9) {
                return SE_ERROR;
            }
        }

        if (digits == 0) {
            return SE_ERROR;
        }

        switch (*s) {
        case 's': unit = 1; s++; break;
        case 'm': unit = 60; s++; break;
        case 'h': unit = 3600; s++; break;
        case 'd': unit = 86400; s++; break;
        case 'w': unit = 7 * 86400; s++; break;
        case '\0':
            if (total != 0) {
                return SE_ERROR;
            }
            unit = 1;
            break;
        default:
            return SE_ERROR;
        }

        total += n * unit;

        if (total > max) {
            return SE_ERROR;
        }
    }

    if (total <= 0) {
        return SE_ERROR;
    }

    *out = total;

    return SE_OK;
}


int
se_arg_duration(se_cli_t *cli, se_opt_e o, int64_t max, int64_t *out)
{
    const char  *s;

    s = cli->args->opt[o];

    if (se_parse_duration(s, max, out) != SE_OK) {
        return se_error(cli, SE_CLI_USAGE, "bad --%s duration %s (like "
                        "90s, 30m, 2h, 1d; at most %lld seconds)",
                        se_optdefs[o].name, se_q(s), (long long) max);
    }

    return SE_CLI_OK;
}


/* RFC 3339 or now, now+DURATION, now-DURATION */
static int
se_parse_when(const char *s, int64_t now, int64_t *out)
{
    int64_t  d;

    if (strncmp(s, "now", 3) == 0) {
        if (s[3] == '\0') {
            *out = now;
            return SE_OK;
        }

        if ((s[3] == '+' || s[3] == '-')
            && se_parse_duration(s + 4, 10 * 366 * 86400LL, &d) == SE_OK)
        {
            *out = s[3] == '+' ? now + d : now - d;
            return SE_OK;
        }

        return SE_ERROR;
    }

    if (se_time_parse(s, strlen(s), out) != SE_OK) {
        return SE_ERROR;
    }

    if (se_time_str(*out)[0] == '\0') {
        return SE_ERROR;
    }

    return SE_OK;
}


int
se_arg_time(se_cli_t *cli, se_opt_e o, int64_t *out)
{
    const char  *s;

    s = cli->args->opt[o];

    if (s == NULL || se_parse_when(s, cli->now, out) != SE_OK) {
        return se_error(cli, SE_CLI_USAGE, "bad --%s time %s (RFC 3339 "
                        "like 2026-11-21T14:30:00Z, or now+30m)",
                        se_optdefs[o].name, se_q(s));
    }

    return SE_CLI_OK;
}


/* --next-update: a duration from now, or a time in the future */
int
se_arg_next_update(se_cli_t *cli, int64_t *out)
{
    const char  *s;
    int64_t      d;

    s = cli->args->opt[SE_O_NEXT_UPDATE];

    if (se_parse_duration(s, 7 * 86400, &d) == SE_OK) {
        *out = cli->now + d;
        return SE_CLI_OK;
    }

    if (se_parse_when(s, cli->now, out) == SE_OK && *out > cli->now) {
        return SE_CLI_OK;
    }

    return se_error(cli, SE_CLI_USAGE, "bad --next-update %s (a duration "
                    "like 30m, at most 7d, or a future RFC 3339 time)",
                    se_q(s));
}


/* ids the tool creates or names: [a-z0-9-]{1,64}, or [A-Za-z0-9_-] */
int
se_check_id(se_cli_t *cli, const char *what, const char *id)
{
    if (id == NULL || se_valid_id(id, strlen(id)) != SE_OK) {
        return se_error(cli, SE_CLI_USAGE, "bad %s %s (expected "
                        "[a-z0-9-], 1 to %d characters)", what, se_q(id),
                        SE_MAX_ID);
    }

    return SE_CLI_OK;
}


int
se_check_new_id(se_cli_t *cli, const char *what, const char *id)
{
    const char  *p;

    if (se_check_id(cli, what, id) != SE_CLI_OK) {
        return SE_CLI_USAGE;
    }

    for (p = id; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
              || *p == '-'))
        {
            return se_error(cli, SE_CLI_USAGE, "bad %s %s (expected "
                            "[a-z0-9-], 1 to %d characters)", what,
                            se_q(id), SE_MAX_ID);
        }
    }

    return SE_CLI_OK;
}


/* non-empty text of at most max bytes, UTF-8 without control characters */

static int
se_check_text(se_cli_t *cli, const char *what, const char *s, size_t max,
    int multiline)
{
    size_t  len;

    len = s ? strlen(s) : 0;

    if (len == 0) {
        return se_error(cli, SE_CLI_USAGE, "empty %s", what);
    }

    if (len > max) {
        return se_error(cli, SE_CLI_USAGE, "%s is too long (%zu bytes, at "
                        "most %zu): %s", what, len, max, se_q(s));
    }

    if (se_valid_text(s, len, max, multiline) != SE_OK) {
        return se_error(cli, SE_CLI_USAGE, "bad %s %s (invalid UTF-8 or "
                        "control characters)", what, se_q(s));
    }

    return SE_CLI_OK;
}


int
se_check_name(se_cli_t *cli, const char *what, const char *s)
{
    return se_check_text(cli, what, s, SE_MAX_NAME, 0);
}


int
se_check_body(se_cli_t *cli, const char *what, const char *s)
{
    return se_check_text(cli, what, s, SE_MAX_BODY, 1);
}


int
se_check_url(se_cli_t *cli, const char *what, const char *s)
{
    if (s == NULL || se_valid_url(s, strlen(s)) != SE_OK) {
        return se_error(cli, SE_CLI_USAGE, "bad %s %s (an absolute http:// "
                        "or https:// URL)", what, se_q(s));
    }

    return SE_CLI_OK;
}


/* "a,b" into ids; joined is the normalized list; an empty list is ok */
int
se_check_ids(se_cli_t *cli, const char *what, const char *list,
    const char ***ids, size_t *n, const char **joined)
{
    const char  **out, *p, *q;
    char         *id, *j;
    size_t        max, i, k, jl;

    max = 1;
    for (p = list; *p; p++) {
        max += *p == ',';
    }

    if (max > SE_MAX_REFS) {
        return se_error(cli, SE_CLI_USAGE, "too many %s (at most %d): %s",
                        what, SE_MAX_REFS, se_q(list));
    }

    out = se_alloc(max * sizeof(char *));
    j = se_alloc(strlen(list) + 1);
    jl = 0;
    k = 0;

    for (p = list; ; p = q + 1) {
        q = strchr(p, ',');
        if (q == NULL) {
            q = p + strlen(p);
        }

        id = se_strndup(p, (size_t) (q - p));

        if (*id != '\0') {
            if (se_check_id(cli, "component id", id) != SE_CLI_OK) {
                return SE_CLI_USAGE;
            }

            for (i = 0; i < k; i++) {
                if (strcmp(out[i], id) == 0) {
                    break;
                }
            }

            if (i == k) {
                out[k++] = id;
                if (jl) {
                    j[jl++] = ',';
                }
                memcpy(j + jl, id, strlen(id));
                jl += strlen(id);
            }
        }

        if (*q == '\0') {
            break;
        }
    }

    j[jl] = '\0';

    *ids = out;
    *n = k;
    *joined = j;

    return SE_CLI_OK;
}


/* the translations given for field ("name", "message") */
int
se_check_i18n(se_cli_t *cli, const char *field)
{
    se_args_t  *a;
    size_t      i;
    const char *what;
    int         rc;

    a = cli->args;

    for (i = 0; i < a->ni18n; i++) {
        if (strcmp(a->i18n[i].key, field) != 0) {
            continue;
        }

        what = se_sprintf("--%s.%s", field, a->i18n[i].lang);

        rc = strcmp(field, "name") == 0
             ? se_check_name(cli, what, a->i18n[i].val)
             : se_check_body(cli, what, a->i18n[i].val);

        if (rc != SE_CLI_OK) {
            return rc;
        }
    }

    return SE_CLI_OK;
}


/* id-making and other helpers */

char *
se_time_str(int64_t t)
{
    char  *buf;

    buf = se_alloc(SE_TIME_LEN);
    se_time_format(t, buf);

    return buf;
}


void
se_random_bytes(unsigned char *buf, size_t n)
{
    static unsigned  seed;
    size_t           i;
    int              fd;
    ssize_t          r;

    fd = open("/dev/urandom", O_RDONLY);
    r = fd >= 0 ? read(fd, buf, n) : -1;

    if (fd >= 0) {
        close(fd);
    }

    if (r == (ssize_t) n) {
        return;
    }

    if (seed == 0) {
        seed = (unsigned) getpid() ^ (unsigned) time(NULL);
    }

    for (i = 0; i < n; i++) {
        buf[i] = (unsigned char) rand_r(&seed);
    }
}


/* prefix + 8 random [a-z0-9] */
char *
se_new_id(const char *prefix)
{
    static const char  abc[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char      rnd[8];
    char              *id;
    size_t             i, n;

    se_random_bytes(rnd, sizeof(rnd));

    n = strlen(prefix);
    id = se_alloc(n + sizeof(rnd) + 1);
    memcpy(id, prefix, n);

    for (i = 0; i < sizeof(rnd); i++) {
        id[n + i] = abc[rnd[i] % 36];
    }

    return id;
}
