/*
 * Operator banner templates: parse errors (each naming the placeholder
 * and line), every placeholder in English and Korean, hostile admin
 * text escaped in every placeholder, non-ASCII as NCRs, the return-path
 * split, templates without dismiss or return, out of memory.
 */

#include "tap.h"
#include "snap.h"
#include "fixture.h"

#include "se_banner.h"
#include "se_banner_tpl.h"
#include "se_html.h"
#include "se_pool.h"
#include "se_state.h"

#include "banner_fixture.h"


static const char *
has_err(const char *text, const char *want1, const char *want2)
{
    static char       err[256];
    se_banner_tpl_t  *t;
    int               rc;

    t = (se_banner_tpl_t *) 1;
    rc = se_banner_tpl_parse(text, strlen(text), &t, err, sizeof(err));

    if (rc != SE_ERROR || t != NULL || strstr(err, want1) == NULL
        || (want2 && strstr(err, want2) == NULL))
    {
        tap_diag("error: \"%s\"", err);
        return NULL;
    }

    return err;
}


static void
test_parse(void)
{
    se_banner_tpl_t  *t;
    char              err[128], *big;
    int               rc;

    tap_ok(has_err("<p>{{nmae}}</p>", "{{nmae}}", "line 1") != NULL,
           "unknown placeholder named with its line");
    tap_ok(has_err("a\nb\n\n<i>{{ level }}</i>{{bogus }}",
                   "{{bogus}}", "line 4") != NULL,
           "unknown placeholder on line 4");
    tap_ok(has_err("x\n{{name", "unterminated", "line 2") != NULL,
           "unterminated {{ at the end");
    tap_ok(has_err("{{name\n}}", "unterminated", "line 1") != NULL,
           "a placeholder does not span lines");
    tap_ok(has_err("{{}}", "{{}}", "line 1") != NULL, "empty placeholder");
    tap_ok(has_err("{{dismiss_url}}{{return}}\n{{return}}",
                   "{{return}}", "line 2") != NULL, "{{return}} twice");
    tap_ok(has_err("{{raw_body}}", "{{raw_body}}", NULL) != NULL,
           "no raw placeholder");
    tap_ok(has_err("{{<script>\"x\"}}", "{{<script>\"x\"}}", NULL) != NULL,
           "hostile name quoted as it is (printable)");
    tap_ok(has_err("{{0123456789012345678901234567890123456789}}",
                   "...}}", NULL) != NULL, "long name cut");

    rc = se_banner_tpl_parse("a\0b", 3, &t, err, sizeof(err));
    tap_ok(rc == SE_ERROR && t == NULL && strstr(err, "NUL")
           && strstr(err, "line 1"), "NUL byte refused");

    big = malloc(SE_BANNER_TPL_MAX + 1);
    memset(big, 'a', SE_BANNER_TPL_MAX + 1);

    rc = se_banner_tpl_parse(big, SE_BANNER_TPL_MAX + 1, &t, err,
                             sizeof(err));
    tap_ok(rc == SE_ERROR && t == NULL && strstr(err, "65537")
           && strstr(err, "64 KiB"), "over 64 KiB refused: %s", err);

    rc = se_banner_tpl_parse(big, SE_BANNER_TPL_MAX, &t, err, sizeof(err));
    tap_ok(rc == SE_OK && t != NULL, "exactly 64 KiB accepted");
    se_banner_tpl_free(t);
    free(big);

    rc = se_banner_tpl_parse("{{nope}}", 8, &t, NULL, 0);
    tap_ok(rc == SE_ERROR && t == NULL, "no error buffer: still an error");

    rc = se_banner_tpl_parse("{ {{name}}} }}{", 15, &t, err, sizeof(err));
    tap_ok(rc == SE_OK && t != NULL && err[0] == '\0',
           "single braces and stray }} are literal");
    se_banner_tpl_free(t);
}


/* renders text for rec; static result, "" on failure */
static const char *
tpl(const char *text, const se_model_t *m, const se_incident_t *rec,
    se_lang_e lang, const char *dismiss, se_banner_t *b)
{
    static char       buf[8192];
    se_banner_tpl_t  *t;
    char              err[128];
    int               rc;
    size_t            ret, len;

    memset(b, 0, sizeof(se_banner_t));

    if (se_banner_tpl_parse(text, strlen(text), &t, err, sizeof(err))
        != SE_OK)
    {
        tap_diag("parse: %s", err);
        return "";
    }

    rc = se_banner_tpl_render(t, m, rec,
                              &(se_banner_opts_t) { lang, dismiss,
                                  dismiss ? strlen(dismiss) : 0, 0 }, b);
    se_banner_tpl_free(t);

    if (rc != SE_OK || b->data == NULL || b->len >= sizeof(buf)
        || strlen(b->data) != b->len)
    {
        return "";
    }

    memcpy(buf, b->data, b->len + 1);
    ret = b->ret;
    len = b->len;
    se_banner_free(b);
    b->ret = ret;
    b->len = len;

    return buf;
}


static const se_incident_t *
find(const se_model_t *m, const char *id)
{
    size_t  i;

    for (i = 0; i < m->nincidents; i++) {
        if (strcmp(m->incidents[i].id.data, id) == 0) {
            return &m->incidents[i];
        }
    }

    for (i = 0; i < m->nmaintenances; i++) {
        if (strcmp(m->maintenances[i].id.data, id) == 0) {
            return &m->maintenances[i];
        }
    }

    return NULL;
}


static void
test_fixture(void)
{
    se_state_t           *st;
    const se_model_t     *m;
    const se_incident_t  *inc3, *m1, *m2;
    se_banner_t           b;
    const char           *s;
    char                  key[SE_BANNER_KEY_LEN], want[512];

    st = snap_state(fixture_full);
    m = se_state_model(st);
    inc3 = find(m, "inc-3");
    m1 = find(m, "m-1");
    m2 = find(m, "m-2");
    se_banner_record_key(inc3, key);

#define EACH "{{level}}|{{level_class}}|{{name}}|{{status}}|{{body}}|"       \
             "{{next_update}}|{{status_url}}|{{dismiss_url}}{{return}}|"     \
             "{{lang}}|{{key}}"

    s = tpl(EACH, m, inc3, SE_LANG_EN, DISMISS, &b);
    snprintf(want, sizeof(want),
             "Partial outage|major|API errors|Identified|Root cause found.|"
             "Next update by 15:30 UTC|https://status.example.com/|"
             "/_se/dismiss?id=inc-3&amp;u=u2&amp;r=|en|%s", key);
    tap_is(s, want, "en: every placeholder");
    tap_ok(b.ret == strlen(want) - strlen("|en|") - 16,
           "en: ret right after r=");
    tap_is(b.key, key, "en: key in the result");

    s = tpl(EACH, m, inc3, SE_LANG_KO, DISMISS, &b);
    snprintf(want, sizeof(want),
             "&#48512;&#48516; &#51109;&#50528;|major|API &#50724;&#47448;|"
             "&#50896;&#51064; &#54028;&#50501;|Root cause found.|"
             "&#45796;&#51020; &#50629;&#45936;&#51060;&#53944; "
             "&#50696;&#51221;: 15:30 UTC|https://status.example.com/|"
             "/_se/dismiss?id=inc-3&amp;u=u2&amp;r=|ko|%s", key);
    tap_is(s, want, "ko: every placeholder, NCRs");

    s = tpl("{{level}}|{{level_class}}|{{status}}|{{body}}", m, m1,
            SE_LANG_EN, NULL, &b);
    tap_is(s, "Maintenance|maintenance|In progress|",
           "maintenance in progress without updates: own status, no body");
    tap_ok(b.ret == SE_BANNER_NO_RET, "no dismiss: no ret");

    s = tpl("{{level}}|{{level_class}}|{{status}}|{{body}}", m, m2,
            SE_LANG_KO, NULL, &b);
    tap_is(s, "&#50696;&#51221;&#46108; &#51216;&#44160;|maintenance|"
              "&#50696;&#51221;&#46120;|We will upgrade the DB.",
           "upcoming maintenance in Korean");

    /* labels agree with the built-in banner */

    {
        se_banner_t  bi;
        const char  *l;
        int          lang, ok;

        for (ok = 1, lang = 0; lang < SE_LANG_N; lang++) {
            l = tpl("<strong class=\"se-level\">{{level}}</strong>"
                    "|<span class=\"se-status\">{{status}}</span>"
                    "|<span class=\"se-next\">{{next_update}}</span>",
                    m, inc3, lang, NULL, &b);
            snprintf(want, sizeof(want), "%s", l);
            se_banner_render(m, inc3, &(se_banner_opts_t) { lang, NULL, 0,
                                                            0 }, &bi);
            ok &= (strstr(bi.data, strtok(want, "|")) != NULL);
            ok &= (strstr(bi.data, strtok(NULL, "|")) != NULL);
            ok &= (strstr(bi.data, strtok(NULL, "|")) != NULL);
            se_banner_free(&bi);
        }

        tap_ok(ok, "level, status, next update as the built-in writes them");
    }

    /* no dismiss or return in the template */

    s = tpl("<div class=\"x {{level_class}}\">{{name}}</div>", m, inc3,
            SE_LANG_EN, DISMISS, &b);
    tap_is(s, "<div class=\"x major\">API errors</div>",
           "template without dismiss: literal markup as it is");
    tap_ok(b.ret == SE_BANNER_NO_RET, "template without return: no ret");

    s = tpl("<a href=\"{{dismiss_url}}{{return}}\">x</a>", m, inc3,
            SE_LANG_EN, "javascript:alert(1)", &b);
    tap_is(s, "<a href=\"\">x</a>", "invalid dismiss location: empty");
    tap_ok(b.ret == SE_BANNER_NO_RET, "invalid dismiss location: no ret");

    s = tpl("<a href=\"{{dismiss_url}}{{return}}\">x</a>", m, inc3,
            SE_LANG_EN, "/d?a=1", &b);
    tap_is(s, "<a href=\"/d?a=1&amp;id=inc-3&amp;u=u2&amp;r=\">x</a>",
           "dismiss location with a query");
    tap_ok(b.ret == strlen("<a href=\"/d?a=1&amp;id=inc-3&amp;u=u2&amp;r="),
           "ret offset");

    s = tpl("{{return}}<p>{{name}}</p>", m, inc3, SE_LANG_EN, DISMISS, &b);
    tap_ok(b.ret == 0 && strcmp(s, "<p>API errors</p>") == 0,
           "return anywhere: at the start");

    s = tpl("", m, inc3, SE_LANG_EN, DISMISS, &b);
    tap_ok(s[0] == '\0' && b.len == 0, "empty template renders nothing");

    se_state_free(st);
}


static int
clean(const char *s)
{
    const char  *p;

    /* nothing the template did not write: no tag, quote, raw & */

    for (p = s; *p; p++) {
        if (*p == '<' || *p == '>' || *p == '"' || *p == '\''
            || (unsigned char) *p >= 0x80 || *p == '\n' || *p == '\t')
        {
            return 0;
        }

        if (*p == '&' && p[1] != '#' && strncmp(p, "&amp;", 5) != 0
            && strncmp(p, "&lt;", 4) != 0 && strncmp(p, "&gt;", 4) != 0
            && strncmp(p, "&quot;", 6) != 0)
        {
            return 0;
        }
    }

    return 1;
}


static void
test_hostile(void)
{
    fx_t                  f;
    se_state_t           *st;
    const se_model_t     *m;
    const se_incident_t  *rec;
    se_banner_t           b;
    const char           *s;
    const char           *evil, *name;
    int                   lang, ok;
    char                  body[2048];
    size_t                i;

    evil = "\"'><script>alert(1)</script>&amp;\t\n{{name}}\xc3\xa9"
           "\xed\x95\x9c";
    name = "\"'><script>alert(1)</script>&amp;\t{{name}}\xc3\xa9"
           "\xed\x95\x9c";

    fx_init(&f);
    json_decref(f.page);
    f.page = json_pack("[ssssssss]", "id", "p", "name", "Example",
                       "url", "javascript:alert(1)",
                       "status_url", "https://x.example/?a=1&b=2");
    fx_rec(f.incs, "inc-1", -60,
           json_pack("[o]", upd("u-1", "identified", evil,
                                "body.ko", evil, NULL)),
           "name", name, "name.ko", name, "status", "identified",
           "impact", "critical", "next_update_at", at(3600), NULL);
    st = fx_build(&f);
    m = se_state_model(st);
    rec = m->nincidents ? &m->incidents[0] : NULL;

    tap_ok(rec != NULL, "hostile record built");

    for (ok = 1, lang = 0; rec && lang < SE_LANG_N; lang++) {
        s = tpl("{{level}}{{level_class}}{{name}}{{status}}{{body}}"
                "{{next_update}}{{status_url}}{{dismiss_url}}{{return}}"
                "{{lang}}{{key}}", m, rec, lang, "/d?x=\"<", &b);
        ok &= (s[0] != '\0' && clean(s));

        if (!clean(s)) {
            tap_diag("unclean: %s", s);
        }
    }

    tap_ok(ok, "hostile text escaped in every placeholder, en and ko");

    s = tpl("{{name}}", m, rec, SE_LANG_EN, NULL, &b);
    tap_ok(strstr(s, "&quot;&#39;&gt;&lt;script&gt;") != NULL
           && strstr(s, "&amp;amp;") != NULL
           && strstr(s, "{{name}}") != NULL
           && strstr(s, "&#233;&#54620;") != NULL,
           "name: entities, {{ in values stays text, non-ASCII as NCRs");

    s = tpl("{{body}}", m, rec, SE_LANG_KO, NULL, &b);
    tap_ok(strstr(s, "&#9;&#10;") != NULL, "body: TAB and LF as NCRs");

    s = tpl("[{{status_url}}]", m, rec, SE_LANG_EN, NULL, &b);
    tap_is(s, "[https://x.example/?a=1&amp;b=2]",
           "status_url escaped");

    s = tpl("[{{dismiss_url}}]", m, rec, SE_LANG_EN, "/d", &b);
    tap_is(s, "[/d?id=inc-1&amp;u=u-1&amp;r=]",
           "dismiss_url: escaped, no hostile location");

    se_state_free(st);

    /* a long body is cut at 300 characters */

    fx_init(&f);

    for (i = 0; i < 400; i++) {
        body[i] = (i % 10 == 9) ? ' ' : 'a';
    }

    body[400] = '\0';

    fx_rec(f.incs, "long", -60,
           json_pack("[o]", upd("u1", "identified", body, NULL)),
           "name", "n", "status", "identified", NULL);
    st = fx_build(&f);
    m = se_state_model(st);

    s = tpl("{{body}}", m, &m->incidents[0], SE_LANG_EN, NULL, &b);
    tap_ok(strlen(s) == 299 + 7 && strcmp(s + 299, "&#8230;") == 0,
           "body cut at 300 characters, trailing space dropped, ellipsis");

    s = tpl("{{next_update}}|{{status_url}}", m, &m->incidents[0],
            SE_LANG_EN, NULL, &b);
    tap_is(s, "|https://status.example.com/", "no next update: empty");

    se_state_free(st);
}


#include "failalloc.h"


static void
test_oom(void)
{
    se_state_t           *st;
    const se_model_t     *m;
    se_banner_tpl_t      *t;
    se_banner_t           b;
    se_banner_opts_t      o;
    char                  err[128], big[6000];
    long                  n, total;
    int                   rc, ok;
    size_t                i;

    st = snap_state(fixture_full);
    m = se_state_model(st);
    o = (se_banner_opts_t) { SE_LANG_KO, DISMISS, sizeof(DISMISS) - 1, 0 };

    /* a template that makes the buffer grow */

    for (i = 0; i < sizeof(big) - 200; i++) {
        big[i] = 'x';
    }

    strcpy(big + i, EACH "{{name}}");

    se_set_alloc_funcs(t_malloc, t_free);

    fail_at = 0;
    nalloc = 0;
    rc = se_banner_tpl_parse(big, strlen(big), &t, err, sizeof(err));
    rc |= se_banner_tpl_render(t, m, find(m, "inc-3"), &o, &b);
    total = nalloc;
    se_banner_free(&b);
    se_banner_tpl_free(t);

    tap_ok(rc == SE_OK && total >= 2 && live == 0,
           "parse and render with %ld allocations", total);

    for (ok = 1, n = 1; n <= total; n++) {
        fail_at = n;
        nalloc = 0;

        rc = se_banner_tpl_parse(big, strlen(big), &t, err, sizeof(err));

        if (rc != SE_OK) {
            ok &= (t == NULL && strstr(err, "out of memory") != NULL);
            continue;
        }

        rc = se_banner_tpl_render(t, m, find(m, "inc-3"), &o, &b);

        if (rc == SE_OK) {
            ok = 0;
        } else {
            ok &= (b.data == NULL && b.len == 0
                   && b.ret == SE_BANNER_NO_RET);
        }

        se_banner_free(&b);
        se_banner_tpl_free(t);
        ok &= (live == 0);
    }

    se_set_alloc_funcs(NULL, NULL);

    tap_ok(ok, "each allocation failing in turn: SE_ERROR, nothing leaked");

    se_state_free(st);
}


int
main(void)
{
    test_parse();
    test_fixture();
    test_hostile();
    test_oom();

    return tap_done();
}
