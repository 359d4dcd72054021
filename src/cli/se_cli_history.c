/*
 * component history import FILE: past status changes into the
 * components' Pcomponent:ID:history (docs/redis-schema.md), all checked
 * before one write.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "se_cli.h"
#include "se_time.h"

#define SE_HISTORY_ROWS_MAX  1000000

typedef struct {
    const char     *component;
    const char     *status;
    int64_t         at;
} se_hist_row_t;

typedef struct {
    se_hist_row_t  *rows;
    size_t          n;
} se_hist_t;


/* RFC 3339, or Unix seconds */
static int
se_hist_time(const char *s, size_t len, int64_t *t)
{
    size_t     i;
    uint64_t   v;

    for (i = 0; i < len && isdigit((unsigned char) s[i]); i++) {
        /* void */
    }

    if (len && i == len) {
        if (se_parse_uint(s, len, 100000000000ULL, &v) != SE_OK) {
            return SE_ERROR;
        }

        *t = (int64_t) v;
        return SE_OK;
    }

    return se_time_parse(s, len, t);
}


static int
se_hist_row(se_cli_t *cli, const char *where, se_hist_row_t *row,
    const char *comp, size_t clen, const char *at, size_t alen,
    const char *status, size_t slen)
{
    se_comp_status_e  st;

    row->component = se_strndup(comp, clen);
    row->status = se_strndup(status, slen);

    if (se_valid_id(comp, clen) != SE_OK) {
        return se_error(cli, SE_CLI_USAGE, "%s: bad component id %s", where,
                        se_q(row->component));
    }

    if (se_parse_comp_status(status, slen, &st) != SE_OK) {
        return se_error(cli, SE_CLI_USAGE, "%s: bad status %s (operational, "
                        "degraded_performance, partial_outage, major_outage, "
                        "under_maintenance)", where, se_q(row->status));
    }

    if (se_hist_time(at, alen, &row->at) != SE_OK || row->at < 0) {
        return se_error(cli, SE_CLI_USAGE, "%s: bad time %s (RFC 3339 or "
                        "Unix seconds)", where, se_q(se_strndup(at, alen)));
    }

    if (row->at > cli->now) {
        return se_error(cli, SE_CLI_USAGE, "%s: time %s is in the future",
                        where, se_q(se_strndup(at, alen)));
    }

    return SE_CLI_OK;
}


static int
se_hist_csv(se_cli_t *cli, const char *file, char *buf, size_t len,
    se_hist_t *h)
{
    char        *p, *end, *line, *f[3], *where;
    size_t       lineno, k, flen[3];
    const char  *c;
    int          rc;

    lineno = 0;

    for (p = buf; p < buf + len; p = end + 1) {
        end = memchr(p, '\n', buf + len - p);
        if (end == NULL) {
            end = buf + len;
        }

        lineno++;
        line = p;

        if (end > line && end[-1] == '\r') {
            end[-1] = '\0';
        }

        *end = '\0';

        while (*line == ' ' || *line == '\t') {
            line++;
        }

        if (*line == '\0' || *line == '#'
            || (lineno == 1 && strncmp(line, "component,", 10) == 0))
        {
            continue;
        }

        where = se_sprintf("%s:%zu", se_qname(file), lineno);

        for (k = 0, c = line; k < 3; k++) {
            f[k] = (char *) c;

            while (*c && *c != ',') {
                c++;
            }

            flen[k] = (size_t) (c - f[k]);

            while (flen[k] && (f[k][flen[k] - 1] == ' '
                               || f[k][flen[k] - 1] == '\t'))
            {
                flen[k]--;
            }

            if (k < 2) {
                if (*c != ',') {
                    return se_error(cli, SE_CLI_USAGE, "%s: %s is not "
                                    "COMPONENT,TIME,STATUS", where,
                                    se_q(line));
                }

                c++;

                while (*c == ' ' || *c == '\t') {
                    c++;
                }
            }
        }

        if (*c != '\0') {
            return se_error(cli, SE_CLI_USAGE, "%s: %s has more than three "
                            "fields", where, se_q(line));
        }

        if (h->n >= SE_HISTORY_ROWS_MAX) {
            return se_error(cli, SE_CLI_USAGE, "%s: more than %d rows",
                            se_qname(file), SE_HISTORY_ROWS_MAX);
        }

        rc = se_hist_row(cli, where, &h->rows[h->n], f[0], flen[0], f[1],
                         flen[1], f[2], flen[2]);
        if (rc != SE_CLI_OK) {
            return rc;
        }

        h->n++;
    }

    return SE_CLI_OK;
}


static int
se_hist_json(se_cli_t *cli, const char *file, const char *buf, size_t len,
    se_hist_t *h)
{
    json_t        *doc, *o, *comp, *at, *status;
    json_error_t   err;
    size_t         i;
    char          *where, tbuf[24];
    const char    *ats;
    size_t         alen;
    int            rc;

    doc = json_loadb(buf, len, 0, &err);
    if (doc == NULL) {
        return se_error(cli, SE_CLI_USAGE, "%s:%d: %s", se_qname(file),
                        err.line, err.text);
    }

    if (!json_is_array(doc)) {
        json_decref(doc);
        return se_error(cli, SE_CLI_USAGE, "%s: not a JSON array of "
                        "{\"component\",\"at\",\"status\"}", se_qname(file));
    }

    rc = SE_CLI_OK;

    json_array_foreach(doc, i, o) {
        where = se_sprintf("%s: [%zu]", se_qname(file), i);
        comp = json_object_get(o, "component");
        at = json_object_get(o, "at");
        status = json_object_get(o, "status");

        if (!json_is_object(o) || !json_is_string(comp)
            || !json_is_string(status)
            || !(json_is_string(at) || json_is_integer(at))
            || json_object_size(o) != 3)
        {
            rc = se_error(cli, SE_CLI_USAGE, "%s: not an object of exactly "
                          "\"component\", \"at\" and \"status\" (strings; "
                          "\"at\" may be Unix seconds)", where);
            break;
        }

        if (i >= SE_HISTORY_ROWS_MAX) {
            rc = se_error(cli, SE_CLI_USAGE, "%s: more than %d rows",
                          se_qname(file), SE_HISTORY_ROWS_MAX);
            break;
        }

        if (json_is_integer(at)) {
            alen = (size_t) snprintf(tbuf, sizeof(tbuf), "%lld",
                                     (long long) json_integer_value(at));
            ats = tbuf;

        } else {
            ats = json_string_value(at);
            alen = json_string_length(at);
        }

        rc = se_hist_row(cli, where, &h->rows[h->n],
                         json_string_value(comp), json_string_length(comp),
                         ats, alen, json_string_value(status),
                         json_string_length(status));
        if (rc != SE_CLI_OK) {
            break;
        }

        h->n++;
    }

    json_decref(doc);

    return rc;
}


static int
se_hist_plan(se_cli_t *cli, se_batch_t *b, void *data)
{
    se_hist_t    *h;
    size_t        i, j;
    int           rc;
    const char   *ids[1];

    h = data;
    b->id = "history";
    b->quiet = 1;

    for (i = 0; i < h->n; i++) {
        for (j = 0; j < i; j++) {
            if (strcmp(h->rows[j].component, h->rows[i].component) == 0) {
                break;
            }
        }

        if (j == i) {
            ids[0] = h->rows[i].component;

            rc = se_check_components_exist(cli, ids, 1);
            if (rc != SE_CLI_OK) {
                return rc;
            }
        }

        se_batch_cmd(b, "ZADD",
                     se_key(cli, "component:%s:history", h->rows[i].component),
                     se_sprintf("%lld", (long long) h->rows[i].at),
                     se_sprintf("%s:%lld", h->rows[i].status,
                                (long long) h->rows[i].at),
                     NULL);
    }

    se_batch_field(b, se_sprintf("history (%zu changes)", h->n));

    return SE_CLI_OK;
}


int
se_cmd_component_history(se_cli_t *cli)
{
    char        *buf, *p;
    size_t       len, rows;
    se_hist_t    h;
    long long    version;
    int          rc;
    const char  *file;

    if (strcmp(cli->args->pos[0], "import") != 0) {
        return se_error(cli, SE_CLI_USAGE, "unknown history command %s "
                        "(import)", se_q(cli->args->pos[0]));
    }

    file = cli->args->pos[1];

    buf = se_read_file(cli, file, &len, &rc);
    if (buf == NULL) {
        return rc;
    }

    for (rows = 1, p = buf; p < buf + len; p++) {
        rows += (*p == '\n');
    }

    h.n = 0;
    h.rows = se_alloc((rows < SE_HISTORY_ROWS_MAX ? rows
                       : SE_HISTORY_ROWS_MAX) * sizeof(se_hist_row_t)
                      + sizeof(se_hist_row_t));

    for (p = buf; p < buf + len && isspace((unsigned char) *p); p++) {
        /* void */
    }

    rc = (p < buf + len && *p == '[')
         ? se_hist_json(cli, file, buf, len, &h)
         : se_hist_csv(cli, file, buf, len, &h);

    if (rc != SE_CLI_OK) {
        return rc;
    }

    if (h.n == 0) {
        return se_error(cli, SE_CLI_USAGE, "%s has no history rows",
                        se_qname(file));
    }

    return se_redis_write(cli, se_hist_plan, &h, &version);
}
