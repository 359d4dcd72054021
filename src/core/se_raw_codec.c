/*
 * The byte encoding of se_raw_t trees (se_raw_codec.h).
 */

#include <stdlib.h>
#include <string.h>

#include "se_raw_codec.h"

typedef struct {
    const unsigned char  *p;
    const unsigned char  *end;
    se_raw_t             *next;       /* NULL while counting */
    size_t                nodes;
} se_raw_reader_t;

static size_t se_raw_size(const se_raw_t *raw, unsigned depth);
static unsigned char *se_raw_put(const se_raw_t *raw, unsigned char *p);
static unsigned char *se_raw_put_uint(unsigned char *p, uint64_t v,
    unsigned bytes);
static int se_raw_read(se_raw_reader_t *rd, se_raw_t *node, unsigned depth);
static int se_raw_get_uint(se_raw_reader_t *rd, unsigned bytes,
    uint64_t *v);


size_t
se_raw_encoded_size(const se_raw_t *raw)
{
    return se_raw_size(raw, 0);
}


static size_t
se_raw_size(const se_raw_t *raw, unsigned depth)
{
    size_t  i, n, size;

    if (depth > SE_RAW_MAX_DEPTH) {
        return 0;
    }

    switch (raw->type) {

    case SE_RAW_STR:
        return raw->len > UINT32_MAX ? 0 : 1 + 4 + raw->len;

    case SE_RAW_INT:
        return 1 + 8;

    case SE_RAW_ARR:
        if (raw->nelem > UINT32_MAX) {
            return 0;
        }

        size = 1 + 4;

        for (i = 0; i < raw->nelem; i++) {
            n = se_raw_size(&raw->elem[i], depth + 1);
            if (n == 0) {
                return 0;
            }

            size += n;
        }

        return size;

    default:
        return 1;
    }
}


void
se_raw_encode(const se_raw_t *raw, unsigned char *out)
{
    (void) se_raw_put(raw, out);
}


static unsigned char *
se_raw_put(const se_raw_t *raw, unsigned char *p)
{
    size_t  i;

    switch (raw->type) {

    case SE_RAW_STR:
        *p++ = 's';
        p = se_raw_put_uint(p, raw->len, 4);
        if (raw->len) {
            memcpy(p, raw->str, raw->len);
        }
        return p + raw->len;

    case SE_RAW_INT:
        *p++ = 'i';
        return se_raw_put_uint(p, (uint64_t) raw->integer, 8);

    case SE_RAW_ARR:
        *p++ = 'a';
        p = se_raw_put_uint(p, raw->nelem, 4);

        for (i = 0; i < raw->nelem; i++) {
            p = se_raw_put(&raw->elem[i], p);
        }

        return p;

    default:
        *p++ = 'n';
        return p;
    }
}


static unsigned char *
se_raw_put_uint(unsigned char *p, uint64_t v, unsigned bytes)
{
    unsigned  i;

    for (i = 0; i < bytes; i++) {
        *p++ = (unsigned char) (v >> (8 * i));
    }

    return p;
}


int
se_raw_decode(const unsigned char *buf, size_t len, se_raw_t **out)
{
    se_raw_t         scratch, *nodes;
    se_raw_reader_t  rd;

    /* first pass: validate and count */

    rd.p = buf;
    rd.end = buf + len;
    rd.next = NULL;
    rd.nodes = 1;

    if (se_raw_read(&rd, &scratch, 0) != SE_OK || rd.p != rd.end) {
        return SE_ERROR;
    }

    nodes = malloc(rd.nodes * sizeof(se_raw_t));
    if (nodes == NULL) {
        return SE_ERROR;
    }

    rd.p = buf;
    rd.next = nodes + 1;

    if (se_raw_read(&rd, nodes, 0) != SE_OK) {
        free(nodes);
        return SE_ERROR;
    }

    *out = nodes;

    return SE_OK;
}


static int
se_raw_read(se_raw_reader_t *rd, se_raw_t *node, unsigned depth)
{
    size_t     i;
    uint64_t   v;
    se_raw_t  *elem, scratch;

    if (depth > SE_RAW_MAX_DEPTH || rd->p >= rd->end) {
        return SE_ERROR;
    }

    memset(node, 0, sizeof(se_raw_t));

    switch (*rd->p++) {

    case 'n':
        node->type = SE_RAW_NIL;
        return SE_OK;

    case 's':
        if (se_raw_get_uint(rd, 4, &v) != SE_OK
            || v > (uint64_t) (rd->end - rd->p))
        {
            return SE_ERROR;
        }

        node->type = SE_RAW_STR;
        node->str = (const char *) rd->p;
        node->len = v;
        rd->p += v;
        return SE_OK;

    case 'i':
        if (se_raw_get_uint(rd, 8, &v) != SE_OK) {
            return SE_ERROR;
        }

        node->type = SE_RAW_INT;
        node->integer = (long long) v;
        return SE_OK;

    case 'a':
        /* every element takes at least one byte */
        if (se_raw_get_uint(rd, 4, &v) != SE_OK
            || v > (uint64_t) (rd->end - rd->p))
        {
            return SE_ERROR;
        }

        node->type = SE_RAW_ARR;
        node->nelem = v;

        if (rd->next == NULL) {
            rd->nodes += v;

            for (i = 0; i < v; i++) {
                if (se_raw_read(rd, &scratch, depth + 1) != SE_OK) {
                    return SE_ERROR;
                }
            }

            return SE_OK;
        }

        elem = rd->next;
        rd->next += v;
        node->elem = v ? elem : NULL;

        for (i = 0; i < v; i++) {
            if (se_raw_read(rd, &elem[i], depth + 1) != SE_OK) {
                return SE_ERROR;
            }
        }

        return SE_OK;

    default:
        return SE_ERROR;
    }
}


static int
se_raw_get_uint(se_raw_reader_t *rd, unsigned bytes, uint64_t *v)
{
    unsigned  i;

    if ((size_t) (rd->end - rd->p) < bytes) {
        return SE_ERROR;
    }

    *v = 0;

    for (i = 0; i < bytes; i++) {
        *v |= (uint64_t) rd->p[i] << (8 * i);
    }

    rd->p += bytes;

    return SE_OK;
}
