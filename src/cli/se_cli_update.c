/*
 * What the incident and maintenance writers share: the text of an update
 * (--message, --message.LANG, or a template), the update's JSON, record
 * reads and component checks.
 */

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "se_cli.h"


static void
se_kv_push(se_kv_t **list, size_t *n, const char *key, const char *lang,
    const char *val)
{
    se_kv_t  *l;
    size_t    i;

    for (i = 0; i < *n; i++) {
        if (strcmp((*list)[i].lang, lang) == 0) {
            (*list)[i].val = val;         /* an option overrides */
            return;
        }
    }

    l = se_alloc((*n + 1) * sizeof(se_kv_t));
    if (*n) {
        memcpy(l, *list, *n * sizeof(se_kv_t));
    }

    l[*n].key = key;
    l[*n].lang = lang;
    l[*n].val = val;
    *list = l;
    (*n)++;
}


/*
 * Collects the texts from the options: --message and its translations,
 * or a template (body, body.LANG, status, impact, and title,
 * title.LANG when a record is created without --name), and --name.LANG.
 * Everything is validated; t->body may stay NULL.
 */
int
se_text_collect(se_cli_t *cli, se_text_t *t)
{
    se_args_t      *a;
    se_template_t   tp;
    const char     *what;
    size_t          i;
    int             rc, titles;

    memset(t, 0, sizeof(se_text_t));
    a = cli->args;

    titles = a->opt[SE_O_NAME] == NULL
             && (strcmp(cli->cmd->name, "open") == 0
                 || strcmp(cli->cmd->name, "schedule") == 0);

    if (a->opt[SE_O_TEMPLATE] && a->opt[SE_O_MESSAGE]) {
        return se_error(cli, SE_CLI_USAGE, "use either --message or "
                        "--template, not both");
    }

    if (a->nvars && a->opt[SE_O_TEMPLATE] == NULL) {
        return se_error(cli, SE_CLI_USAGE, "--var %s needs --template",
                        se_qname(a->vars[0].key));
    }

    if (a->opt[SE_O_TEMPLATE]) {
        rc = se_template_load(cli, a->opt[SE_O_TEMPLATE], &tp);
        if (rc == SE_CLI_OK) {
            rc = se_template_apply(cli, &tp);
        }

        if (rc != SE_CLI_OK) {
            return rc;
        }

        for (i = 0; i < tp.ntexts; i++) {
            what = se_sprintf("%s%s%s of template %s", tp.texts[i].key,
                              tp.texts[i].lang ? "." : "",
                              tp.texts[i].lang ? tp.texts[i].lang : "",
                              tp.name);

            if (strcmp(tp.texts[i].key, "title") == 0) {
                rc = se_check_name(cli, what, tp.texts[i].val);

            } else {
                rc = se_check_body(cli, what, tp.texts[i].val);
            }

            if (rc != SE_CLI_OK) {
                return rc;
            }

            if (strcmp(tp.texts[i].key, "title") == 0) {
                /* names only a new record, and only without --name */
                if (!titles) {
                    continue;
                }

                if (tp.texts[i].lang == NULL) {
                    t->name = tp.texts[i].val;

                } else {
                    se_kv_push(&t->name_i18n, &t->nname_i18n, "name",
                               tp.texts[i].lang, tp.texts[i].val);
                }

            } else if (tp.texts[i].lang == NULL) {
                t->body = tp.texts[i].val;

            } else {
                se_kv_push(&t->i18n, &t->ni18n, "body", tp.texts[i].lang,
                           tp.texts[i].val);
            }
        }

        t->status = tp.status;
        t->impact = tp.impact;
    }

    if (a->opt[SE_O_MESSAGE]) {
        rc = se_check_body(cli, "--message", a->opt[SE_O_MESSAGE]);
        if (rc != SE_CLI_OK) {
            return rc;
        }

        t->body = a->opt[SE_O_MESSAGE];
    }

    rc = se_check_i18n(cli, "message");
    if (rc == SE_CLI_OK) {
        rc = se_check_i18n(cli, "name");
    }

    if (rc != SE_CLI_OK) {
        return rc;
    }

    for (i = 0; i < a->ni18n; i++) {
        if (strcmp(a->i18n[i].key, "message") == 0) {
            se_kv_push(&t->i18n, &t->ni18n, "body", a->i18n[i].lang,
                       a->i18n[i].val);

        } else {
            se_kv_push(&t->name_i18n, &t->nname_i18n, "name",
                       a->i18n[i].lang, a->i18n[i].val);
        }
    }

    if (t->ni18n && t->body == NULL) {
        return se_error(cli, SE_CLI_USAGE, "--message.%s needs --message",
                        t->i18n[0].lang);
    }

    return SE_CLI_OK;
}


/* {"body","body.LANG"...,"created_at","id","status"}, compact, sorted */
char *
se_update_json(se_cli_t *cli, const char *status, const se_text_t *t)
{
    json_t  *o;
    char    *s, *copy;
    size_t   i;
    int      err;

    o = json_object();
    if (o == NULL) {
        return NULL;
    }

    err = json_object_set_new(o, "id", json_string(se_new_id("upd-")));
    err |= json_object_set_new(o, "status", json_string(status));
    err |= json_object_set_new(o, "body", json_string(t->body));
    err |= json_object_set_new(o, "created_at",
                               json_string(se_time_str(cli->now)));

    for (i = 0; i < t->ni18n; i++) {
        err |= json_object_set_new(o, se_sprintf("body.%s", t->i18n[i].lang),
                                   json_string(t->i18n[i].val));
    }

    s = err ? NULL : json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);

    if (s == NULL) {
        fputs("status-edge: out of memory\n", stderr);
        exit(SE_CLI_FAIL);
    }

    copy = se_strdup(s);
    free(s);

    return copy;
}


/* LPUSH of a new update, newest first */
void
se_batch_update(se_cli_t *cli, se_batch_t *b, const char *key,
    const char *status, const se_text_t *t)
{
    se_batch_cmd(b, "LPUSH", se_sprintf("%s:updates", key),
                 se_update_json(cli, status, t), NULL);
    se_batch_field(b, "update");
}


void
se_batch_names(se_batch_t *b, const char *key, const se_text_t *t)
{
    size_t  i;

    if (t->name) {
        se_batch_hset(b, key, "name", t->name);
    }

    for (i = 0; i < t->nname_i18n; i++) {
        se_batch_hset(b, key, se_sprintf("name.%s", t->name_i18n[i].lang),
                      t->name_i18n[i].val);
    }
}


int
se_check_components_exist(se_cli_t *cli, const char **ids, size_t n)
{
    size_t  i;
    int     found, rc;

    for (i = 0; i < n; i++) {
        rc = se_redis_zscore(cli, se_key(cli, "components"), ids[i], &found,
                             NULL);
        if (rc != SE_CLI_OK) {
            return rc;
        }

        if (!found) {
            return se_error(cli, SE_CLI_USAGE, "unknown component %s (see "
                            "status-edge show)", se_q(ids[i]));
        }
    }

    return SE_CLI_OK;
}


/* an incident or maintenance that must exist: in the zset, with a hash */
int
se_read_record(se_cli_t *cli, const char *kind, const char *id,
    se_hash_t *h)
{
    int  found, rc;

    rc = se_redis_zscore(cli, se_key(cli, "%ss", kind), id, &found, NULL);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    rc = se_redis_hgetall(cli, se_key(cli, "%s:%s", kind, id), h);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    if (!found || h->n == 0) {
        return se_error(cli, SE_CLI_USAGE, "no %s %s", kind, se_q(id));
    }

    return SE_CLI_OK;
}
