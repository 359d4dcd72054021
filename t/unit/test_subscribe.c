/*
 * Subscription requests (se_subscribe.h): form-urlencoded bodies with
 * Statuspage's names and the status page form's, %XX and '+' decoding,
 * JSON with and without the "subscriber" wrapper, content types, the
 * errors (each names the bad value), the limits, out of memory; and the
 * address check.  Every type, body and address is read from a heap copy
 * of exactly its length, without a NUL, so that ASan sees any read past
 * it; se_subscribe_free() follows every parse, so that LSan sees a leak.
 */

#include "tap.h"
#include "failalloc.h"

#include "se_pool.h"
#include "se_subscribe.h"
#include "se_valid.h"

#define FORM   "application/x-www-form-urlencoded"
#define JSON   "application/json"

#define EMAIL  "email=a@b.example"


/* a heap copy of exactly len bytes, no NUL (one byte for len 0) */
static char *
copy_of(const char *s, size_t len)
{
    char  *c;

    c = malloc(len ? len : 1);
    if (c == NULL) {
        abort();
    }

    if (len) {
        memcpy(c, s, len);
    }

    return c;
}


/* se_subscribe_parse() of type and body, both in exact heap copies */
static int
parse(const char *type, const char *body, size_t len,
    se_subscribe_req_t *req)
{
    char    *t, *b;
    size_t   tlen;
    int      rc;

    tlen = type ? strlen(type) : 0;
    t = type ? copy_of(type, tlen) : NULL;
    b = copy_of(body, len);

    /* garbage in: the parser must set every field */
    memset(req, 0x5a, sizeof(se_subscribe_req_t));

    rc = se_subscribe_parse(t, tlen, b, len, req);

    /* the request owns its strings: the body may go before they do */
    free(t);
    free(b);

    return rc;
}


/* the request's error is a NUL-terminated string of its buffer */
static int
err_ok(const se_subscribe_req_t *req)
{
    return memchr(req->err, '\0', sizeof(req->err)) != NULL;
}


/*
 * A parse that must fail with rc and an error naming want (a substring
 * of req.err; NULL: any error).  The request is freed.
 */
static void
bad(const char *type, const char *body, size_t len, int want_rc,
    const char *want, const char *name)
{
    se_subscribe_req_t  req;
    int                 rc, ok;

    rc = parse(type, body, len, &req);

    ok = rc == want_rc && err_ok(&req) && req.err[0] != '\0'
         && (want == NULL || strstr(req.err, want) != NULL);

    if (!tap_ok(ok, "%s", name)) {
        tap_diag("      rc: %d (wanted %d)", rc, want_rc);
        tap_diag("     err: %.*s", (int) sizeof(req.err),
                 rc == SE_OK ? "" : req.err);
        tap_diag("expected: ...%s...", want ? want : "");
        if (rc == SE_OK) {
            tap_diag("   email: %s", req.email);
            tap_diag("endpoint: %s", req.endpoint ? req.endpoint
                                                  : "(null)");
        }
    }

    se_subscribe_free(&req);
}

#define BAD(type, body, want, name)                                       \
    bad(type, body, sizeof(body) - 1, SE_ERROR, want, name)


/* "a,b,c" against the request's components; "": none */
static int
comps_are(const se_subscribe_req_t *req, const char *want)
{
    const char  *p, *q;
    size_t       i, n;

    i = 0;

    for (p = want; *want && p; p = q ? q + 1 : NULL) {
        q = strchr(p, ',');
        n = q ? (size_t) (q - p) : strlen(p);

        if (i == req->ncomponents || strlen(req->components[i]) != n
            || memcmp(req->components[i], p, n) != 0)
        {
            return 0;
        }

        i++;
    }

    return i == req->ncomponents;
}


/*
 * A parse that must succeed with this email, endpoint (NULL: none) and
 * components (comps_are()).  The request is freed.
 */
static void
good(const char *type, const char *body, size_t len, const char *email,
    const char *endpoint, const char *comps, const char *name)
{
    se_subscribe_req_t  req;
    size_t              i;
    int                 rc;

    rc = parse(type, body, len, &req);

    if (!tap_ok(rc == SE_OK && req.email && strcmp(req.email, email) == 0
                && ((req.endpoint == NULL && endpoint == NULL)
                    || (req.endpoint && endpoint
                        && strcmp(req.endpoint, endpoint) == 0))
                && comps_are(&req, comps),
                "%s", name))
    {
        tap_diag("      rc: %d", rc);

        if (rc != SE_OK) {
            tap_diag("     err: %.*s", (int) sizeof(req.err), req.err);

        } else {
            tap_diag("   email: %s", req.email ? req.email : "(null)");
            tap_diag("endpoint: %s", req.endpoint ? req.endpoint
                                                  : "(null)");
            for (i = 0; i < req.ncomponents; i++) {
                tap_diag("  comp %zu: %s", i, req.components[i]);
            }
        }
    }

    se_subscribe_free(&req);
}

#define GOOD(type, body, email, endpoint, comps, name)                    \
    good(type, body, sizeof(body) - 1, email, endpoint, comps, name)


static void
test_form(void)
{
    GOOD(FORM, "subscriber[email]=a%40b.example"
         "&subscriber[endpoint]=https://hooks.example/x?a=1%26b%3D2"
         "&subscriber[component_ids][]=api"
         "&subscriber[component_ids][]=db",
         "a@b.example", "https://hooks.example/x?a=1&b=2", "api,db",
         "form: Statuspage's names; %40, %26 and %3D decoded");

    GOOD(FORM, "subscriber%5Bemail%5D=x%40y.example"
         "&subscriber%5Bcomponent_ids%5D%5B%5D=api"
         "&subscriber%5bcomponent_ids%5d%5b%5d=web",
         "x@y.example", NULL, "api,web",
         "form: percent-encoded brackets in names (either case)");

    GOOD(FORM, "email=c@d.example&endpoint=http://h.example/"
         "&component_ids[]=web&component_ids[]=db",
         "c@d.example", "http://h.example/", "web,db",
         "form: the bracket-less names");

    GOOD(FORM, "subscriber[email]=c@d.example"
         "&subscriber[component_ids]=a&component_ids=b",
         "c@d.example", NULL, "a,b",
         "form: component_ids without [] (both spellings)");

    GOOD(FORM, EMAIL "&components=api,db,,web,",
         "a@b.example", NULL, "api,db,web",
         "form: a components comma list, empty items skipped");

    GOOD(FORM, EMAIL "&components=api%2Cdb",
         "a@b.example", NULL, "api,db",
         "form: a components list with %2C commas");

    GOOD(FORM, EMAIL "&components=api&component_ids[]=db&components=x_Y",
         "a@b.example", NULL, "api,db,x_Y",
         "form: components and component_ids[] together, in order");

    GOOD(FORM, EMAIL "&components=&components=,,&component_ids[]="
         "&subscriber[component_ids][]=",
         "a@b.example", NULL, "",
         "form: empty components and ids: none");

    GOOD(FORM, EMAIL "&endpoint=&subscriber[endpoint]=",
         "a@b.example", NULL, "",
         "form: an empty endpoint is none (and not given twice)");

    GOOD(FORM, "email=%4A%4bo@X.Example", "jko@x.example", NULL, "",
         "form: %4A and %4b decoded, the address lowercased");

    GOOD(FORM, "email=a%2Bb@x.example", "a+b@x.example", NULL, "",
         "form: %2B is '+'");

    GOOD(FORM, "email=Alice.Smith@Example.COM",
         "alice.smith@example.com", NULL, "",
         "form: the address lowercased");


    BAD(FORM, "email=a+b@x.example", "\"a b@x.example\"",
        "form: '+' is a space (the address refused, quoted with it)");

    BAD(FORM, EMAIL "&endpoint=https://h.example/a+b",
        "\"https://h.example/a b\"",
        "form: '+' in the endpoint is a space (refused, quoted with it)");

    GOOD(FORM, "commit=Subscribe&authenticity_token=abc%20def"
         "&subscriber[name]=x&" EMAIL "&utf8=%E2%9C%93&x[]=1&=",
         "a@b.example", NULL, "", "form: unknown fields ignored");

    GOOD(FORM, "&&" EMAIL "&&&components=api&&", "a@b.example", NULL,
         "api", "form: empty pairs skipped");

    GOOD(FORM, "subscribe&" EMAIL "&endpoint&components&component_ids[]",
         "a@b.example", NULL, "",
         "form: names without '=' (unknown, endpoint, components, ids)");

    BAD(FORM, "email", "bad email address \"\"",
        "form: email without '=': an empty address, refused");

    GOOD(FORM, EMAIL "&email2=x&emails=y&Email=z&subscriber[email]x=w",
         "a@b.example", NULL, "",
         "form: names like email's are other fields");

    /* bad %-encoding, in a value and in a name */

    BAD(FORM, "email=%zz", "\"email=%zz\"", "form: %zz refused, quoted");
    BAD(FORM, "email=a@b.example%4", "\"email=a@b.example%4\"",
        "form: a truncated %4 refused, quoted");
    BAD(FORM, "email=a@b.example%", "\"email=a@b.example%\"",
        "form: a trailing % refused, quoted");
    BAD(FORM, "email=a@b.example&x=%", "\"x=%\"",
        "form: a trailing % in another field refused, quoted");
    BAD(FORM, "email=a%g1@b.example", "\"email=a%g1@b.example\"",
        "form: %g1 refused, quoted");
    BAD(FORM, "email=a%1@b.example", "\"email=a%1@b.example\"",
        "form: %1@ refused, quoted");
    BAD(FORM, EMAIL "&%zz=1", "\"%zz=1\"",
        "form: %zz in a name refused, quoted");
    BAD(FORM, EMAIL "&unknown=%", "bad form encoding",
        "form: bad encoding in an unknown field refused too");

    /*
     * The pair is decoded in place: the error quotes it as sent, not half
     * decoded ("subscriber[email]l%5D=a@b%zz" before the fix).
     */
    BAD(FORM, "subscriber%5Bemail%5D=a%40b%zz",
             "\"subscriber%5Bemail%5D=a%40b%zz\"",
             "form: a bad %zz after good %XX: the pair quoted as sent");
    BAD(FORM, "%zz=a%40b.example", "\"%zz=a%40b.example\"",
             "form: a bad name: the pair quoted as sent");

    /* twice, too many, bad values */

    BAD(FORM, EMAIL "&subscriber[email]=c@d.example", "email given twice",
        "form: email given twice (two names)");
    BAD(FORM, EMAIL "&email=a@b.example", "email given twice",
        "form: email given twice (the same)");
    BAD(FORM, EMAIL "&endpoint=https://a.example/"
        "&subscriber[endpoint]=https://b.example/", "endpoint given twice",
        "form: endpoint given twice");

    BAD(FORM, EMAIL "&component_ids[]=bad.id", "\"bad.id\"",
        "form: a bad component id, quoted");
    BAD(FORM, EMAIL "&components=api,b%20d", "\"b d\"",
        "form: a bad id in a components list, quoted");
    BAD(FORM, EMAIL "&components=api,%3Cscript%3E", "\"<script>\"",
        "form: <script> as an id, quoted");
    BAD(FORM, EMAIL "&component_ids[]=a%00b", "\"a?b\"",
        "form: a NUL in an id refused, quoted as '?'");
    BAD(FORM, EMAIL "&component_ids[]="
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"",
        "form: a 65-byte id refused, quoted cut with ...");
    GOOD(FORM, EMAIL "&component_ids[]="
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         "a@b.example", NULL,
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         "form: a 64-byte id");

    BAD(FORM, EMAIL "&endpoint=ftp://h.example/", "\"ftp://h.example/\"",
        "form: an ftp endpoint refused, quoted");
    BAD(FORM, EMAIL "&endpoint=javascript:alert(1)",
        "\"javascript:alert(1)\"", "form: a javascript: endpoint refused");
    BAD(FORM, EMAIL "&endpoint=https:///path", "\"https:///path\"",
        "form: an endpoint without a host refused");
    BAD(FORM, EMAIL "&endpoint=https://h.example/%22%3E",
        "\"https://h.example/?>\"",
        "form: quotes in an endpoint refused, quoted as '?'");

    BAD(FORM, "email=not-an-address", "\"not-an-address\"",
        "form: a bad address, quoted");
    BAD(FORM, "email=A.@B.example", "\"A.@B.example\"",
        "form: a bad address quoted as sent (not lowercased)");

    BAD(FORM, "endpoint=https://h.example/&components=api",
        "email address is required", "form: no email");
    BAD(FORM, "", "email address is required", "form: an empty body");
    BAD(FORM, "&", "email address is required", "form: \"&\"");
    BAD(FORM, "email=", "bad email address \"\"", "form: an empty email");

    /*
     * A decoded NUL is refused: before the fix it ended the value for
     * the checks (strlen), "a@b.example%00x" subscribed a@b.example.
     */
    BAD(FORM, "email=a@b.example%00x", "bad email address",
             "form: a NUL in the email refused");
    BAD(FORM, EMAIL "&endpoint=https://h.example/%00%3Cx%3E",
             "bad endpoint", "form: a NUL in the endpoint refused");
    BAD(FORM, "email=x%00a@b.example", "\"x?a@b.example\"",
             "form: a NUL in the email: the address quoted whole");
}


/* email=a@b.example and n component ids c0, c1, ...: a list or repeated */
static char *
form_with_comps(size_t n, int list, size_t *len)
{
    char    *s;
    size_t   i, at, size;

    size = 64 + n * 40;
    s = malloc(size);
    if (s == NULL) {
        abort();
    }

    at = (size_t) snprintf(s, size, "%s", list ? EMAIL "&components="
                                               : EMAIL);

    for (i = 0; i < n; i++) {
        if (list) {
            at += (size_t) snprintf(s + at, size - at, "%sc%zu",
                                    i ? "," : "", i);

        } else {
            at += (size_t) snprintf(s + at, size - at,
                                    "&subscriber[component_ids][]=c%zu", i);
        }
    }

    *len = at;

    return s;
}


static void
test_limits(void)
{
    se_subscribe_req_t   req;
    char                *s, name[32];
    size_t               len, i;
    int                  rc, list, ok;

    for (list = 0; list < 2; list++) {
        s = form_with_comps(SE_SUBSCRIBE_MAX_COMPONENTS, list, &len);
        rc = parse(FORM, s, len, &req);

        ok = rc == SE_OK && req.ncomponents == SE_SUBSCRIBE_MAX_COMPONENTS;
        for (i = 0; ok && i < req.ncomponents; i++) {
            snprintf(name, sizeof(name), "c%zu", i);
            ok = strcmp(req.components[i], name) == 0;
        }

        tap_ok(ok, "form: %d components (%s)", SE_SUBSCRIBE_MAX_COMPONENTS,
               list ? "a list" : "repeated");
        se_subscribe_free(&req);
        free(s);

        s = form_with_comps(SE_SUBSCRIBE_MAX_COMPONENTS + 1, list, &len);
        bad(FORM, s, len, SE_ERROR, "more than 64 components",
            list ? "form: 65 components (a list) refused"
                 : "form: 65 components (repeated) refused");
        free(s);
    }

    /* a body of SE_SUBSCRIBE_MAX_BODY bytes, then one more */

    s = malloc(SE_SUBSCRIBE_MAX_BODY + 1);
    if (s == NULL) {
        abort();
    }

    memset(s, 'x', SE_SUBSCRIBE_MAX_BODY + 1);
    memcpy(s, EMAIL "&pad=", sizeof(EMAIL "&pad=") - 1);

    good(FORM, s, SE_SUBSCRIBE_MAX_BODY, "a@b.example", NULL, "",
         "form: a body of SE_SUBSCRIBE_MAX_BODY bytes");
    bad(FORM, s, SE_SUBSCRIBE_MAX_BODY + 1, SE_ERROR,
        "larger than 8192 bytes", "form: a body of SE_SUBSCRIBE_MAX_BODY + 1 "
        "bytes refused");
    bad(JSON, s, SE_SUBSCRIBE_MAX_BODY + 1, SE_ERROR,
        "larger than 8192 bytes", "JSON: a body of SE_SUBSCRIBE_MAX_BODY + 1 "
        "bytes refused");

    /* the same size as JSON: {"email":"a@b.example","pad":"xxx...x"} */
    memcpy(s, "{\"email\":\"a@b.example\",\"pad\":\"",
           sizeof("{\"email\":\"a@b.example\",\"pad\":\"") - 1);
    memcpy(s + SE_SUBSCRIBE_MAX_BODY - 2, "\"}", 2);
    good(JSON, s, SE_SUBSCRIBE_MAX_BODY, "a@b.example", NULL, "",
         "JSON: a body of SE_SUBSCRIBE_MAX_BODY bytes");
    free(s);

    /* a long bad endpoint: quoted cut */
    s = malloc(2048);
    if (s == NULL) {
        abort();
    }

    len = (size_t) snprintf(s, 2048, "%s&endpoint=https://h.example/", EMAIL);
    memset(s + len, 'p', 1100);
    len += 1100;
    bad(FORM, s, len, SE_ERROR, "\"https://h.example/pppppppppppppppppppppp"
        "...\"", "form: an endpoint over 1 KiB refused, quoted cut");
    free(s);
}


static void
test_json(void)
{
    GOOD(JSON, "{\"subscriber\": {\"email\": \"A@B.example\", "
         "\"endpoint\": \"https://h.example/hook\", "
         "\"component_ids\": [\"api\", \"db\"]}}",
         "a@b.example", "https://h.example/hook", "api,db",
         "JSON: {\"subscriber\": {...}}, the address lowercased");

    GOOD(JSON, "{\"email\":\"a@b.example\",\"component_ids\":[\"web\"]}",
         "a@b.example", NULL, "web", "JSON: a bare object");

    GOOD(JSON, " \n{\"email\":\"a@b.example\",\"component_ids\":[]}\n ",
         "a@b.example", NULL, "", "JSON: no ids, white space around");

    GOOD(JSON, "{\"subscriber\":{\"email\":\"a@b.example\","
         "\"endpoint\":null,\"component_ids\":null}}",
         "a@b.example", NULL, "", "JSON: null endpoint and ids");

    GOOD(JSON, "{\"email\":\"a@b.example\",\"endpoint\":\"\","
         "\"component_ids\":[\"\",\"api\",\"\"]}",
         "a@b.example", NULL, "api", "JSON: empty endpoint and ids: none");

    GOOD(JSON, "{\"email\":\"\\u0041@b.example\"}", "a@b.example", NULL, "",
         "JSON: \\u escapes decoded");

    GOOD(JSON, "{\"subscriber\":{\"email\":\"a@b.example\",\"name\":\"x\","
         "\"extra\":{\"k\":[1,2]}},\"other\":true}",
         "a@b.example", NULL, "", "JSON: unknown keys ignored");

    GOOD(JSON, "{\"subscriber\":{\"email\":\"a@b.example\"},"
         "\"email\":\"c@d.example\"}",
         "a@b.example", NULL, "", "JSON: \"subscriber\" wins over the "
         "bare keys");

    BAD(JSON, "{\"email\":null}", "email address is required",
        "JSON: a null email: none");
    BAD(JSON, "{\"email\":\"\"}", "email address is required",
        "JSON: an empty email: none");
    BAD(JSON, "{\"subscriber\":{}}", "email address is required",
        "JSON: an empty subscriber");
    BAD(JSON, "{}", "email address is required", "JSON: {}");

    BAD(JSON, "{\"email\":5}", "email is not a string",
        "JSON: an email not a string");
    BAD(JSON, "{\"email\":\"a@b.example\",\"endpoint\":5}",
        "endpoint is not a string", "JSON: an endpoint not a string");

    BAD(JSON, "{\"email\":\"a@b.example\",\"component_ids\":\"api\"}",
        "component_ids is not an array", "JSON: ids a string");
    BAD(JSON, "{\"email\":\"a@b.example\",\"component_ids\":{\"a\":1}}",
        "component_ids is not an array", "JSON: ids an object");
    BAD(JSON, "{\"email\":\"a@b.example\",\"component_ids\":[\"api\",3]}",
        "component_ids[1] is not a string", "JSON: an id a number");
    BAD(JSON, "{\"email\":\"a@b.example\",\"component_ids\":[null]}",
        "component_ids[0] is not a string", "JSON: an id null");
    BAD(JSON, "{\"email\":\"a@b.example\","
        "\"component_ids\":[\"api\",\"bad id\"]}", "\"bad id\"",
        "JSON: a bad id, quoted");
    BAD(JSON, "{\"email\":\"a@b.example\","
        "\"component_ids\":[\"api\",\"a\\\"b\"]}", "\"a?b\"",
        "JSON: an id with a quote, quoted as '?'");

    BAD(JSON, "{\"subscriber\":{\"email\":\"a@b.example\","
        "\"email\":\"c@d.example\"}}", "duplicate object key near '\"email\"'",
        "JSON: a duplicate email refused");
    BAD(JSON, "{\"subscriber\":{\"email\":\"a@b.example\"},"
        "\"subscriber\":{\"email\":\"c@d.example\"}}",
        "duplicate object key near '\"subscriber\"'",
        "JSON: a duplicate subscriber refused");
    BAD(JSON, "{\"email\":\"a@b.example\",\"component_ids\":[\"a\"],"
        "\"component_ids\":[\"b\"]}",
        "duplicate object key near '\"component_ids\"'",
        "JSON: duplicate ids refused");
    BAD(JSON, "{\"email\":\"a@b.example\",\"x\":{\"k\":1,\"k\":2}}",
        "duplicate object key near '\"k\"'",
        "JSON: a duplicate key in an ignored object refused");

    BAD(JSON, "{\"subscriber\":[1]}", "\"subscriber\" is not an object",
        "JSON: subscriber an array");
    BAD(JSON, "{\"subscriber\":null}", "\"subscriber\" is not an object",
        "JSON: subscriber null");
    BAD(JSON, "{\"subscriber\":\"a@b.example\"}",
        "\"subscriber\" is not an object", "JSON: subscriber a string");
    BAD(JSON, "[\"a@b.example\"]", "not an object", "JSON: an array");

    BAD(JSON, "{", "bad JSON", "JSON: \"{\"");
    BAD(JSON, "", "bad JSON", "JSON: an empty body");
    BAD(JSON, "email=a@b.example", "bad JSON", "JSON: a form body");
    BAD(JSON, "\"a@b.example\"", "bad JSON", "JSON: a string");
    BAD(JSON, "{\"email\":\"a@b.example\"} x", "bad JSON",
        "JSON: text after the object");
    BAD(JSON, "{\"email\":\"a@b.example\\u0000x\"}", "bad JSON",
        "JSON: a \\u0000 refused");
    BAD(JSON, "{\"email\":\"a\xff@b.example\"}", "bad JSON",
        "JSON: invalid UTF-8 refused");
    BAD(JSON, "{\"email\":\"a@b.example\",}", "bad JSON",
        "JSON: a trailing comma");

    BAD(JSON, "{\"email\":\"a@b.example\",\"endpoint\":\"ftp://h.example/\"}",
        "\"ftp://h.example/\"", "JSON: a bad endpoint, quoted");
    BAD(JSON, "{\"email\":\"a@@b.example\"}", "\"a@@b.example\"",
        "JSON: a bad address, quoted");
    BAD(JSON, "{\"email\":\"a\\\"b@x.example\"}", "\"a?b@x.example\"",
        "JSON: an address with a quote, quoted as '?'");
    BAD(JSON, "{\"subscriber\":{\"endpoint\":\"https://h.example/\"}}",
        "email address is required", "JSON: no email");
}


/* {"email": "a@b.example", "component_ids": ["c0", ...]} */
static void
json_comps(size_t n, int want_ok)
{
    se_subscribe_req_t   req;
    char                *s;
    size_t               i, at, size;
    int                  rc;

    size = 64 + n * 8;
    s = malloc(size);
    if (s == NULL) {
        abort();
    }

    at = (size_t) snprintf(s, size, "{\"email\":\"a@b.example\","
                           "\"component_ids\":[");

    for (i = 0; i < n; i++) {
        at += (size_t) snprintf(s + at, size - at, "%s\"c%zu\"",
                                i ? "," : "", i);
    }

    at += (size_t) snprintf(s + at, size - at, "]}");

    if (want_ok) {
        rc = parse(JSON, s, at, &req);
        tap_ok(rc == SE_OK && req.ncomponents == n
               && strcmp(req.components[n - 1], "c63") == 0,
               "JSON: %zu components", n);
        se_subscribe_free(&req);

    } else {
        bad(JSON, s, at, SE_ERROR, "more than 64 components",
            "JSON: 65 components refused");
    }

    free(s);
}


static void
test_types(void)
{
    GOOD("application/json; charset=utf-8", "{\"email\":\"a@b.example\"}",
         "a@b.example", NULL, "", "type: application/json; charset=utf-8");
    GOOD("APPLICATION/Json;charset=UTF-8", "{\"email\":\"a@b.example\"}",
         "a@b.example", NULL, "", "type: upper case, no space");
    GOOD("application/json ", "{\"email\":\"a@b.example\"}",
         "a@b.example", NULL, "", "type: a space after");
    GOOD("application/x-www-form-urlencoded; charset=UTF-8", EMAIL,
         "a@b.example", NULL, "", "type: the form's, with a charset");
    GOOD("Application/X-WWW-Form-URLEncoded", EMAIL,
         "a@b.example", NULL, "", "type: the form's, mixed case");

    bad("text/plain", EMAIL, sizeof(EMAIL) - 1, SE_DECLINED,
        "application/x-www-form-urlencoded or application/json",
        "type: text/plain declined");
    bad(NULL, EMAIL, sizeof(EMAIL) - 1, SE_DECLINED,
        "application/x-www-form-urlencoded or application/json",
        "type: none declined");
    bad("", EMAIL, sizeof(EMAIL) - 1, SE_DECLINED, NULL,
        "type: empty declined");
    bad("application/jsonx", "{}", 2, SE_DECLINED, NULL,
        "type: application/jsonx declined");
    bad("application/json-patch+json", "{}", 2, SE_DECLINED, NULL,
        "type: application/json-patch+json declined");
    bad("application/js", "{}", 2, SE_DECLINED, NULL,
        "type: application/js declined");
    bad("text/json", "{}", 2, SE_DECLINED, NULL,
        "type: text/json declined");
    bad("multipart/form-data; boundary=x", EMAIL, sizeof(EMAIL) - 1,
        SE_DECLINED, NULL, "type: multipart/form-data declined");
    bad("application/x-www-form-urlencodedx", EMAIL, sizeof(EMAIL) - 1,
        SE_DECLINED, NULL, "type: a longer form type declined");

    BAD(FORM, "{\"email\":\"a@b.example\"}", "email address is required",
        "type: JSON sent as a form: no email");
}


/* se_subscribe_email_ok() of s, len bytes, from an exact heap copy */
static int
email_ok(const char *s, size_t len)
{
    char  *c;
    int    rc;

    c = copy_of(s, len);
    rc = se_subscribe_email_ok(c, len);
    free(c);

    return rc;
}

#define E_OK(s)   tap_ok(email_ok(s, sizeof(s) - 1) == SE_OK,            \
                         "address ok: %s", s)
#define E_BAD(s)  tap_ok(email_ok(s, sizeof(s) - 1) == SE_ERROR,         \
                         "address refused: %s", s)


static void
test_email(void)
{
    char    s[300];
    size_t  n;

    E_OK("a@b.example");
    E_OK("first.last@example.com");
    E_OK("A.B@EXAMPLE.COM");
    E_OK("x!#$%&'*+/=?^_`{|}~-y@example.com");
    E_OK("a@localhost");
    E_OK("a@b-c.example");
    E_OK("1@2.3");
    E_OK("a.b.c@d.e.f");

    E_BAD("");
    E_BAD("a");
    E_BAD("@");
    E_BAD("@example.com");
    E_BAD("a@");
    E_BAD(".a@example.com");
    E_BAD("a.@example.com");
    E_BAD("a..b@example.com");
    E_BAD(".@example.com");
    E_BAD("a@.example.com");
    E_BAD("a@example.com.");
    E_BAD("a@example..com");
    E_BAD("a@.");
    E_BAD("a@b@example.com");
    E_BAD("a@example.com@");
    E_BAD("a@-example.com");
    E_BAD("a b@example.com");
    E_BAD(" a@example.com");
    E_BAD("a@example.com ");
    E_BAD("a@exa mple.com");
    E_BAD("a(b)@example.com");
    E_BAD("a\"b@example.com");
    E_BAD("a,b@example.com");
    E_BAD("a@exa_mple.com");
    E_BAD("a@[127.0.0.1]");
    tap_ok(email_ok("a@example.com\n", 14) == SE_ERROR,
           "address refused: a@example.com and a line feed");
    E_BAD("\xc3\xa9@example.com");
    E_BAD("a@\xc3\xa9.example");

    tap_ok(email_ok("a@b.example\0", 12) == SE_ERROR,
           "address refused: a NUL in the domain");
    tap_ok(email_ok("a@b.examplefoo", 11) == SE_OK,
           "address: only len bytes are read");

    /* strchr() would find its own terminator for a NUL */
    tap_ok(email_ok("a\0b@example.com", 15) == SE_ERROR,
           "address refused: a NUL in the local part");

    /* a local part of 64 bytes, then 65 */
    memset(s, 'l', 64);
    memcpy(s + 64, "@example.com", 12);
    tap_ok(email_ok(s, 76) == SE_OK, "address ok: a 64-byte local part");

    memset(s, 'l', 65);
    memcpy(s + 65, "@example.com", 12);
    tap_ok(email_ok(s, 77) == SE_ERROR,
           "address refused: a 65-byte local part");

    /* 254 bytes (64 + "@" + 63 "." 63 "." 61), then 255 */
    memset(s, 'l', 64);
    n = 64;
    s[n++] = '@';
    memset(s + n, 'x', 63);
    n += 63;
    s[n++] = '.';
    memset(s + n, 'y', 63);
    n += 63;
    s[n++] = '.';
    memset(s + n, 'z', 62);
    tap_ok(n + 61 == SE_SUBSCRIBE_MAX_EMAIL
           && email_ok(s, n + 61) == SE_OK, "address ok: 254 bytes");
    tap_ok(email_ok(s, n + 62) == SE_ERROR, "address refused: 255 bytes");

    /* and through the parser */
    n = (size_t) snprintf(s, sizeof(s), "email=");
    memset(s + n, 'l', 65);
    n += 65;
    n += (size_t) snprintf(s + n, sizeof(s) - n, "@example.com");
    bad(FORM, s, n, SE_ERROR, "\"llllllllllllllllllllllllllllllllllllllll"
        "...\"", "form: a 65-byte local part refused, quoted cut");
}


/*
 * Out of memory at each allocation in turn, until none fails: SE_ERROR
 * with an error, nothing left allocated.  strict 0: a failed allocation
 * may go unseen (jansson 2.14's lexer drops the byte it could not save,
 * lex_save(), and reads on: "https://h.examle/"), only no leak and an
 * error when it fails are checked then.
 */
static void
oom(const char *type, const char *body, int strict, const char *name)
{
    se_subscribe_req_t  req;
    long                n, unseen;
    int                 rc, ok;

    se_set_alloc_funcs(t_malloc, t_free);

    ok = 1;
    unseen = 0;

    for (n = 1; n < 200; n++) {
        fail_at = n;
        nalloc = 0;
        live = 0;

        rc = parse(type, body, strlen(body), &req);

        if (!err_ok(&req) || (rc != SE_OK && rc != SE_ERROR)
            || (rc == SE_ERROR && req.err[0] == '\0'))
        {
            ok = 0;
        }

        if (rc == SE_OK && nalloc >= n) {
            unseen++;
        }

        se_subscribe_free(&req);

        if (live != 0) {
            ok = 0;
        }

        if (nalloc < n) {
            break;
        }
    }

    fail_at = 0;
    se_set_alloc_funcs(NULL, NULL);

    if (unseen) {
        tap_diag("%s: %ld failed allocations went unseen", name, unseen);
    }

    tap_ok(ok && rc == SE_OK && n > 2 && (!strict || unseen == 0),
           "out of memory at each allocation: SE_ERROR, no leak (%s, "
           "%ld allocations)", name, nalloc);
}


static void
test_oom(void)
{
    oom(FORM, "subscriber%5Bemail%5D=a@b.example"
        "&endpoint=https://h.example/&components=api,db,web", 1, "form");
    oom(JSON, "{\"subscriber\":{\"email\":\"a@b.example\","
        "\"endpoint\":\"https://h.example/\","
        "\"component_ids\":[\"api\",\"db\"]}}", 0, "JSON");
}


int
main(void)
{
    test_form();
    test_limits();
    test_json();
    json_comps(SE_SUBSCRIBE_MAX_COMPONENTS, 1);
    json_comps(SE_SUBSCRIBE_MAX_COMPONENTS + 1, 0);
    test_types();
    test_email();
    test_oom();

    return tap_done();
}
