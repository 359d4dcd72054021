/*
 * Test helper: snapshots written as JSON text, turned into se_raw_t
 * trees.  Strings become SE_RAW_STR, arrays SE_RAW_ARR, null SE_RAW_NIL,
 * integers SE_RAW_INT.  A string "=hex:c328" stands for the raw bytes
 * c3 28, so tests can feed invalid UTF-8; "=rep:N:x" for N bytes 'x'.
 */

#ifndef SE_TEST_SNAP_H
#define SE_TEST_SNAP_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "se_model.h"
#include "se_raw.h"
#include "se_state.h"


static inline int
snap_hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    return -1;
}


static inline void
snap_fill(se_raw_t *r, json_t *j)
{
    const char  *s;
    char        *p, *q;
    size_t       i, n, len;

    memset(r, 0, sizeof(se_raw_t));

    if (json_is_string(j)) {
        s = json_string_value(j);
        len = json_string_length(j);
        r->type = SE_RAW_STR;

        if (strncmp(s, "=hex:", 5) == 0) {
            n = (len - 5) / 2;
            p = malloc(n + 1);
            for (i = 0; i < n; i++) {
                p[i] = (char) (snap_hexval(s[5 + 2 * i]) * 16
                               + snap_hexval(s[6 + 2 * i]));
            }
            r->str = p;
            r->len = n;
            return;
        }

        if (strncmp(s, "=rep:", 5) == 0) {
            n = strtoul(s + 5, &p, 10);
            q = malloc(n + 1);
            memset(q, p[1], n);
            r->str = q;
            r->len = n;
            return;
        }

        p = malloc(len + 1);
        memcpy(p, s, len + 1);
        r->str = p;
        r->len = len;

    } else if (json_is_integer(j)) {
        r->type = SE_RAW_INT;
        r->integer = json_integer_value(j);

    } else if (json_is_array(j)) {
        r->type = SE_RAW_ARR;
        r->nelem = json_array_size(j);
        r->elem = calloc(r->nelem ? r->nelem : 1, sizeof(se_raw_t));

        for (i = 0; i < r->nelem; i++) {
            snap_fill(&r->elem[i], json_array_get(j, i));
        }

    } else {
        r->type = SE_RAW_NIL;
    }
}


static inline void
snap_clear(se_raw_t *r)
{
    size_t  i;

    if (r->type == SE_RAW_ARR) {
        for (i = 0; i < r->nelem; i++) {
            snap_clear(&r->elem[i]);
        }
        free(r->elem);
    }

    if (r->type == SE_RAW_STR) {
        free((void *) (uintptr_t) r->str);
    }
}


/* a tree from JSON text; aborts on a syntax error in the test itself */
static inline se_raw_t *
snap_new(const char *text)
{
    json_t        *j;
    json_error_t   err;
    se_raw_t      *r;

    j = json_loads(text, JSON_DECODE_ANY, &err);
    if (j == NULL) {
        fprintf(stderr, "bad test JSON at %d:%d: %s\n%s\n", err.line,
                err.column, err.text, text);
        exit(2);
    }

    r = malloc(sizeof(se_raw_t));
    snap_fill(r, j);
    json_decref(j);

    return r;
}


static inline void
snap_free(se_raw_t *r)
{
    if (r) {
        snap_clear(r);
        free(r);
    }
}


/* builds a state from JSON text; NULL when se_state_build failed */
static inline se_state_t *
snap_state(const char *text)
{
    se_raw_t    *r;
    se_state_t  *st;

    r = snap_new(text);

    if (se_state_build(r, &st) != SE_OK) {
        st = NULL;
    }

    snap_free(r);

    return st;
}


/* a rendered document parsed back; the caller decrefs */
static inline json_t *
snap_doc(const se_state_t *st, se_doc_e doc)
{
    const char    *s;
    size_t         len;
    json_error_t   err;
    json_t        *j;

    s = se_state_doc(st, doc, &len);
    if (s == NULL) {
        return NULL;
    }

    j = json_loadb(s, len, 0, &err);
    if (j == NULL) {
        fprintf(stderr, "# doc %s does not parse: %s\n", se_doc_name(doc),
                err.text);
    }

    return j;
}


static inline void
snap_warnings(const se_state_t *st)
{
    size_t  i;

    for (i = 0; i < se_state_nwarnings(st); i++) {
        printf("# warning: %s\n", se_state_warning(st, i));
    }
}

#endif /* SE_TEST_SNAP_H */
