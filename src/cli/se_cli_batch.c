/*
 * Batches: the commands of one change, sent as the ARGV of the write
 * script (se_cli_redis.c), and the changed fields for the audit entry.
 * Consecutive HSET/HDEL of one key merge into one command.
 */

#include <string.h>

#include "se_cli.h"

#define SE_ARGS_PER_CMD  200        /* Lua unpack() stays far from limits */


static se_cmd_t *
se_batch_new(se_batch_t *b)
{
    se_cmd_t  *c;

    if (b->n == b->size) {
        b->size = b->size ? b->size * 2 : 16;
        c = se_alloc(b->size * sizeof(se_cmd_t));
        if (b->n) {
            memcpy(c, b->cmds, b->n * sizeof(se_cmd_t));
        }
        b->cmds = c;
    }

    c = &b->cmds[b->n++];
    memset(c, 0, sizeof(se_cmd_t));

    return c;
}


void
se_batch_arg(se_batch_t *b, const char *arg)
{
    se_cmd_t     *c;
    const char  **a;

    c = &b->cmds[b->n - 1];

    if (c->argc == c->size) {
        c->size = c->size ? c->size * 2 : 8;
        a = se_alloc(c->size * sizeof(char *));
        if (c->argc) {
            memcpy(a, c->argv, c->argc * sizeof(char *));
        }
        c->argv = a;
    }

    c->argv[c->argc++] = arg;
}


void
se_batch_start(se_batch_t *b, const char *op, const char *key)
{
    se_batch_new(b);
    se_batch_arg(b, op);
    se_batch_arg(b, key);
}


void
se_batch_cmd(se_batch_t *b, const char *first, ...)
{
    va_list      ap;
    const char  *a;

    se_batch_new(b);
    se_batch_arg(b, first);

    va_start(ap, first);
    while ((a = va_arg(ap, const char *)) != NULL) {
        se_batch_arg(b, a);
    }
    va_end(ap);
}


void
se_batch_field(se_batch_t *b, const char *field)
{
    size_t  n;
    char   *f, *p;

    n = strlen(field);

    /* already listed? */
    for (p = b->fields; p && (p = strstr(p, field)) != NULL; p += n) {
        if ((p == b->fields || p[-1] == ',') && (p[n] == ',' || !p[n])) {
            return;
        }
    }

    if (b->flen + n + 2 > b->fsize) {
        b->fsize = (b->flen + n + 2) * 2;
        f = se_alloc(b->fsize);
        if (b->flen) {
            memcpy(f, b->fields, b->flen);
        }
        b->fields = f;
    }

    if (b->flen) {
        b->fields[b->flen++] = ',';
    }

    memcpy(b->fields + b->flen, field, n);
    b->flen += n;
    b->fields[b->flen] = '\0';
}


static void
se_batch_hop(se_batch_t *b, const char *op, const char *key,
    const char *field, const char *value)
{
    se_cmd_t  *c;

    c = b->n ? &b->cmds[b->n - 1] : NULL;

    if (c == NULL || strcmp(c->argv[0], op) != 0
        || strcmp(c->argv[1], key) != 0 || c->argc >= SE_ARGS_PER_CMD)
    {
        se_batch_start(b, op, key);
    }

    se_batch_arg(b, field);

    if (value) {
        se_batch_arg(b, value);
    }

    if (!b->quiet) {
        se_batch_field(b, field);
    }
}


void
se_batch_hset(se_batch_t *b, const char *key, const char *field,
    const char *value)
{
    se_batch_hop(b, "HSET", key, field, value);
}


void
se_batch_hdel(se_batch_t *b, const char *key, const char *field)
{
    se_batch_hop(b, "HDEL", key, field, NULL);
}
