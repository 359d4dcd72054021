/*
 * libFuzzer target for subscription requests (se_subscribe.h): any body
 * of any type gives SE_OK with a request that passes the checks, or an
 * error; nothing is read past the body, nothing is left allocated.
 *
 * Input: one control byte c, then the body.  c % 3 is the kind of the
 * Content-Type: 0 the form's, 1 JSON, 2 another; c / 3 % 4 one of its
 * spellings (fz_types).  Seeds start with '0' (form), '1' (JSON) or
 * '2' (another type).
 *
 * Checks, with the type and the body in exactly-sized heap copies:
 *   - the form's and JSON's types are never declined; another is, but
 *     for a body over SE_SUBSCRIBE_MAX_BODY (an error);
 *   - whatever the result, req.err is NUL-terminated within its size,
 *     and not empty when the result is not SE_OK;
 *   - on SE_OK: the email is there, lower case, at most
 *     SE_SUBSCRIBE_MAX_EMAIL bytes and passes se_subscribe_email_ok();
 *     the endpoint is NULL or passes se_valid_url(); at most
 *     SE_SUBSCRIBE_MAX_COMPONENTS components, each passing se_valid_id();
 *   - on SE_OK, the request written again as a form (every byte but
 *     letters and digits %XX-encoded) and as JSON reads back the same;
 *   - after se_subscribe_free() no block of the core's allocator (and
 *     jansson's: se_set_alloc_funcs()) is left.
 *
 *   make fuzz FUZZ=subscribe [FUZZ_RUNS=N | FUZZ_SECONDS=S]
 */

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se_pool.h"
#include "se_subscribe.h"
#include "se_valid.h"
#include "failalloc.h"

#define FZ_FORM   0
#define FZ_JSON   1
#define FZ_OTHER  2

static const char  *fz_types[3][4] = {
    { "application/x-www-form-urlencoded",
      "application/x-www-form-urlencoded; charset=UTF-8",
      "APPLICATION/X-WWW-FORM-URLENCODED",
      "application/x-www-form-urlencoded ;" },
    { "application/json",
      "application/json; charset=utf-8",
      "Application/JSON",
      "application/json ;x" },
    { "text/plain",
      NULL,
      "",
      "application/jsonx" }
};

/* a request written again: far more than any accepted body needs */
static char  fz_again[4 * SE_SUBSCRIBE_MAX_BODY];


static void
fz_fail(const char *what, const se_subscribe_req_t *req, int rc)
{
    fprintf(stderr, "fuzz_subscribe: %s (rc %d)\n", what, rc);

    if (req && memchr(req->err, '\0', sizeof(req->err))) {
        fprintf(stderr, "err: %s\n", req->err);
    }

    if (req && rc == SE_OK) {
        fprintf(stderr, "email: %s\nendpoint: %s\ncomponents: %zu\n",
                req->email ? req->email : "(null)",
                req->endpoint ? req->endpoint : "(null)",
                req->ncomponents);
    }

    abort();
}


/* se_subscribe_parse() of type and body from exactly-sized heap copies */
static int
fz_parse(const char *type, const char *body, size_t len,
    se_subscribe_req_t *req)
{
    char    *t, *b;
    size_t   tlen;
    int      rc;

    tlen = type ? strlen(type) : 0;
    t = type ? malloc(tlen ? tlen : 1) : NULL;
    b = malloc(len ? len : 1);

    if ((type && t == NULL) || b == NULL) {
        abort();
    }

    if (tlen) {
        memcpy(t, type, tlen);
    }

    if (len) {
        memcpy(b, body, len);
    }

    memset(req, 0x5a, sizeof(se_subscribe_req_t));

    rc = se_subscribe_parse(t, tlen, b, len, req);

    free(t);
    free(b);

    return rc;
}


static void
fz_check_ok(const se_subscribe_req_t *req)
{
    size_t  i, n;

    if (req->email == NULL) {
        fz_fail("SE_OK without an email", req, SE_OK);
    }

    n = strlen(req->email);

    if (n > SE_SUBSCRIBE_MAX_EMAIL
        || se_subscribe_email_ok(req->email, n) != SE_OK)
    {
        fz_fail("SE_OK with a bad email", req, SE_OK);
    }

    for (i = 0; i < n; i++) {
        if (isupper((unsigned char) req->email[i])) {
            fz_fail("the email is not lower case", req, SE_OK);
        }
    }

    if (req->endpoint
        && se_valid_url(req->endpoint, strlen(req->endpoint)) != SE_OK)
    {
        fz_fail("SE_OK with a bad endpoint", req, SE_OK);
    }

    if (req->ncomponents > SE_SUBSCRIBE_MAX_COMPONENTS) {
        fz_fail("too many components", req, SE_OK);
    }

    for (i = 0; i < req->ncomponents; i++) {
        if (req->components[i] == NULL
            || se_valid_id(req->components[i], strlen(req->components[i]))
               != SE_OK)
        {
            fz_fail("SE_OK with a bad component id", req, SE_OK);
        }
    }
}


/* %XX-encoded s appended at *at; 0 when it does not fit */
static int
fz_form_put(size_t *at, const char *name, const char *s)
{
    static const char  hex[] = "0123456789ABCDEF";
    size_t             n;

    n = strlen(name);

    if (*at + n + 3 * strlen(s) + 1 >= sizeof(fz_again)) {
        return 0;
    }

    memcpy(fz_again + *at, name, n);
    *at += n;

    for ( /* void */ ; *s; s++) {
        if (isalnum((unsigned char) *s)) {
            fz_again[(*at)++] = *s;

        } else {
            fz_again[(*at)++] = '%';
            fz_again[(*at)++] = hex[(unsigned char) *s >> 4];
            fz_again[(*at)++] = hex[(unsigned char) *s & 15];
        }
    }

    return 1;
}


/* req as a form with Statuspage's names; 0 when too long */
static size_t
fz_as_form(const se_subscribe_req_t *req)
{
    size_t  at, i;

    at = 0;

    if (!fz_form_put(&at, "subscriber%5Bemail%5D=", req->email)
        || (req->endpoint
            && !fz_form_put(&at, "&subscriber[endpoint]=", req->endpoint)))
    {
        return 0;
    }

    for (i = 0; i < req->ncomponents; i++) {
        if (!fz_form_put(&at, "&subscriber[component_ids][]=",
                         req->components[i]))
        {
            return 0;
        }
    }

    return at;
}


/*
 * req as JSON: none of its strings has a byte to escape (the address,
 * URL and id checks allow no '"', '\\' or control).  0 when too long.
 */
static size_t
fz_as_json(const se_subscribe_req_t *req)
{
    size_t  at, i, size;
    int     n;

    size = sizeof(fz_again);

    n = snprintf(fz_again, size, "{\"subscriber\":{\"email\":\"%s\"",
                 req->email);
    at = (size_t) n;

    if (req->endpoint && at < size) {
        n = snprintf(fz_again + at, size - at, ",\"endpoint\":\"%s\"",
                     req->endpoint);
        at += (size_t) n;
    }

    for (i = 0; i < req->ncomponents && at < size; i++) {
        n = snprintf(fz_again + at, size - at, "%s\"%s\"",
                     i ? "," : ",\"component_ids\":[", req->components[i]);
        at += (size_t) n;
    }

    if (at < size) {
        n = snprintf(fz_again + at, size - at, "%s}}",
                     req->ncomponents ? "]" : "");
        at += (size_t) n;
    }

    return at < size ? at : 0;
}


static int
fz_same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}


/* the request written again in the kind reads back the same */
static void
fz_again_check(const se_subscribe_req_t *req, int kind)
{
    se_subscribe_req_t  again;
    size_t              len, i;
    int                 rc;

    len = kind == FZ_FORM ? fz_as_form(req) : fz_as_json(req);

    if (len == 0 || len > SE_SUBSCRIBE_MAX_BODY) {
        return;
    }

    rc = fz_parse(fz_types[kind][0], fz_again, len, &again);

    if (rc != SE_OK) {
        fprintf(stderr, "written again: %.*s\n", (int) len, fz_again);
        fz_fail(kind == FZ_FORM ? "the request as a form is refused"
                                : "the request as JSON is refused",
                &again, rc);
    }

    if (!fz_same_str(again.email, req->email)
        || !fz_same_str(again.endpoint, req->endpoint)
        || again.ncomponents != req->ncomponents)
    {
        fprintf(stderr, "written again: %.*s\n", (int) len, fz_again);
        fz_fail("the request written again reads back otherwise", &again,
                rc);
    }

    for (i = 0; i < req->ncomponents; i++) {
        if (strcmp(again.components[i], req->components[i]) != 0) {
            fz_fail("a component written again reads back otherwise",
                    &again, rc);
        }
    }

    se_subscribe_free(&again);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                  kind, rc;
    const char          *type;
    se_subscribe_req_t   req;

    if (size == 0) {
        return 0;
    }

    kind = data[0] % 3;
    type = fz_types[kind][data[0] / 3 % 4];
    data++;
    size--;

    /* every block of the core and of jansson counted */
    se_set_alloc_funcs(t_malloc, t_free);
    fail_at = 0;
    live = 0;

    rc = fz_parse(type, (const char *) data, size, &req);

    if (memchr(req.err, '\0', sizeof(req.err)) == NULL) {
        fz_fail("err is not NUL-terminated", NULL, rc);
    }

    if (rc != SE_OK && rc != SE_ERROR && rc != SE_DECLINED) {
        fz_fail("an unknown result", &req, rc);
    }

    if (rc != SE_OK && req.err[0] == '\0') {
        fz_fail("an error without a message", &req, rc);
    }

    if (kind == FZ_OTHER) {
        if (rc != (size > SE_SUBSCRIBE_MAX_BODY ? SE_ERROR : SE_DECLINED)) {
            fz_fail("another type is not declined", &req, rc);
        }

    } else if (rc == SE_DECLINED) {
        fz_fail("the form's or JSON's type declined", &req, rc);
    }

    if (rc == SE_OK) {
        fz_check_ok(&req);
        fz_again_check(&req, FZ_FORM);
        fz_again_check(&req, FZ_JSON);
    }

    se_subscribe_free(&req);

    if (live != 0) {
        fprintf(stderr, "fuzz_subscribe: %ld blocks left after "
                "se_subscribe_free() (rc %d)\n", live, rc);
        abort();
    }

    se_set_alloc_funcs(NULL, NULL);

    return 0;
}
