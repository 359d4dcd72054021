/*
 * The maintenance gate: which maintenance gates a location (status, gate
 * flag, audience, components), Retry-After, and the 503 page in English
 * and Korean with hostile admin text.
 */

#include "tap.h"
#include "snap.h"
#include "fixture.h"
#include "failalloc.h"

#include "se_gate.h"
#include "se_html.h"
#include "se_pool.h"
#include "se_state.h"

#include "banner_fixture.h"


/* the id that gates a filter ("db api", NULL: none), "-" for none */
static const char *
gate(se_state_t *st, const char *comps)
{
    static char          buf[64];
    se_str_t             ids[8];
    size_t               n;
    const se_incident_t  *rec;

    n = fx_ids(comps, buf, sizeof(buf), ids, 8);

    rec = se_gate_choose(se_state_model(st), n ? ids : NULL, n);

    return rec ? rec->id.data : "-";
}


static void
mnt(fx_t *f, const char *id, int64_t score, const char *status,
    const char *gate_on, const char *comps, const char *audience)
{
    fx_rec(f->mnts, id, score, NULL, "name", id, "status", status,
           "impact", "maintenance", "gate", gate_on,
           "components", comps, "audience", audience,
           "scheduled_for", at(score), "scheduled_until", at(3600), NULL);
}


static void
test_choice(void)
{
    fx_t         f;
    se_state_t  *st;

    fx_init(&f);
    st = fx_build(&f);
    tap_is(gate(st, NULL), "-", "empty state: no gate");
    se_state_free(st);

    fx_init(&f);
    mnt(&f, "sched", -60, "scheduled", "on", "", "public");
    mnt(&f, "off", -120, "in_progress", "off", "", "public");
    mnt(&f, "done", -180, "completed", "on", "", "public");
    st = fx_build(&f);
    tap_is(gate(st, NULL), "-",
           "scheduled, gate off, completed: no gate");
    se_state_free(st);

    fx_init(&f);
    mnt(&f, "internal", -60, "in_progress", "on", "", "internal");
    st = fx_build(&f);
    tap_is(gate(st, NULL), "-", "an internal maintenance gates nobody");
    se_state_free(st);

    fx_init(&f);
    mnt(&f, "verify", -60, "verifying", "on", "db", "public");
    st = fx_build(&f);
    tap_is(gate(st, NULL), "verify", "verifying gates, no filter");
    tap_is(gate(st, "db"), "verify", "verifying gates its component");
    tap_is(gate(st, "api web"), "-", "not other components");
    tap_is(gate(st, "web db"), "verify", "one of the filter's ids");
    se_state_free(st);

    fx_init(&f);
    fx_rec(f.mnts, "nobanner", -60, NULL, "name", "n",
           "status", "in_progress", "impact", "maintenance", "gate", "on",
           "banner", "off", NULL);
    mnt(&f, "older", -7200, "in_progress", "on", "api", "public");
    st = fx_build(&f);
    tap_is(gate(st, "api"), "nobanner",
           "no components: the whole site, banner off does not matter, "
           "the latest scheduled_for first");
    se_state_free(st);
}


static void
test_retry(void)
{
    se_incident_t  rec;

    memset(&rec, 0, sizeof(se_incident_t));

    rec.scheduled_until = NOW + 1800;
    tap_ok(se_gate_retry_after(&rec, NOW) == 1800,
           "Retry-After: seconds until scheduled_until");

    rec.scheduled_until = NOW;
    tap_ok(se_gate_retry_after(&rec, NOW) == SE_GATE_RETRY_DEFAULT,
           "Retry-After: scheduled_until now: the default");

    rec.scheduled_until = NOW - 600;
    tap_ok(se_gate_retry_after(&rec, NOW) == SE_GATE_RETRY_DEFAULT,
           "Retry-After: scheduled_until past: the default");

    rec.scheduled_until = SE_TIME_NONE;
    tap_ok(se_gate_retry_after(&rec, NOW) == SE_GATE_RETRY_DEFAULT,
           "Retry-After: no scheduled_until: the default");
}



static void
test_page(void)
{
    fx_t                 f;
    char                *html;
    size_t               len;
    json_t              *u;
    se_state_t          *st;
    const se_model_t    *m;
    const se_incident_t  *rec;

    fx_init(&f);
    u = json_pack("[ss]", "name.ko", "\xec\x98\x88\xec\xa0\x9c");
    json_array_extend(f.page, u);
    json_decref(u);
    u = json_array();
    json_array_append_new(u, upd("u2", "in_progress",
                                 "Upgrading <db> & \"friends\"\nline 2",
                                 "body.ko", "\xec\xa7\x84\xed\x96\x89",
                                 NULL));
    fx_rec(f.mnts, "m1", -600, u,
           "name", "DB <script>alert(1)</script>",
           "name.ko", "\xeb\x8d\xb0\xec\x9d\xb4\xed\x84\xb0",
           "status", "in_progress", "impact", "maintenance", "gate", "on",
           "scheduled_for", at(-600), "scheduled_until", at(7200), NULL);
    st = fx_build(&f);
    m = se_state_model(st);
    rec = se_gate_choose(m, NULL, 0);
    tap_ok(rec != NULL, "the maintenance gates");

    if (rec == NULL) {
        se_state_free(st);
        return;
    }

    html = NULL;
    tap_ok(se_gate_render(m, rec, SE_LANG_EN, &html, &len) == SE_OK
           && html && strlen(html) == len, "English page rendered");

    if (html) {
        tap_ok(strncmp(html, "<!DOCTYPE html><html lang=\"en\">", 31) == 0,
               "a document in English");
        tap_ok(strstr(html, "<title>Service under maintenance - Example"
                            "</title>") != NULL, "title with the page name");
        tap_ok(strstr(html, "<h1 class=\"se-gate-name\">DB &lt;script&gt;"
                            "alert(1)&lt;/script&gt;</h1>") != NULL,
               "the name, escaped");
        tap_ok(strstr(html, "<span class=\"se-status\">In progress</span>: "
                            "<span class=\"se-text\">Upgrading &lt;db&gt; "
                            "&amp; &quot;friends&quot;<br>line 2</span>")
               != NULL, "the latest update and its status, escaped");
        tap_ok(strstr(html, "Expected end: <time datetime=\"2026-11-21T16:40"
                            ":00Z\">2026-11-21 16:40 UTC</time>") != NULL,
               "the expected end with its date");
        tap_ok(strstr(html, "<a href=\"https://status.example.com/\">View "
                            "status page</a>") != NULL,
               "a link to the status page");
        tap_ok(strstr(html, "<script") == NULL, "no script element");
        tap_ok(tap_ascii(html, len), "all ASCII");
        se_free(html);
    }

    html = NULL;
    tap_ok(se_gate_render(m, rec, SE_LANG_KO, &html, &len) == SE_OK
           && html, "Korean page rendered");

    if (html) {
        tap_ok(strncmp(html, "<!DOCTYPE html><html lang=\"ko\">", 31) == 0,
               "a document in Korean");
        tap_ok(strstr(html, "<h1 class=\"se-gate-name\">&#45936;&#51060;"
                            "&#53552;</h1>") != NULL,
               "the Korean name as NCRs");
        tap_ok(strstr(html, "<span class=\"se-text\">&#51652;&#54665;"
                            "</span>") != NULL, "the Korean body");
        tap_ok(strstr(html, " - &#50696;&#51228;</title>") != NULL,
               "the Korean page name");
        tap_ok(tap_ascii(html, len), "all ASCII");
        se_free(html);
    }

    se_state_free(st);

    /* no update, no end, no URL */

    fx_init(&f);
    json_decref(f.page);
    f.page = json_pack("[ssssss]", "id", "p", "name", "Example",
                       "url", "javascript:alert(1)");
    fx_rec(f.mnts, "m2", -600, NULL, "name", "Bare",
           "status", "verifying", "impact", "maintenance", "gate", "on",
           NULL);
    st = fx_build(&f);
    m = se_state_model(st);
    rec = se_gate_choose(m, NULL, 0);
    html = NULL;

    if (rec && se_gate_render(m, rec, SE_LANG_EN, &html, &len) == SE_OK) {
        tap_ok(strstr(html, "<p class=\"se-gate-update\"><span "
                            "class=\"se-status\">Verifying</span></p>")
               != NULL, "no update: the record's status");
        tap_ok(strstr(html, "se-gate-until") == NULL, "no end: none shown");
        tap_ok(strstr(html, "<a ") == NULL && strstr(html, "javascript")
               == NULL, "no valid URL: no link");
        se_free(html);

    } else {
        tap_ok(0, "bare maintenance rendered");
    }

    se_state_free(st);
}


/* every allocation of the page failing in turn: SE_ERROR, no leak */
static void
test_oom(void)
{
    int                  rc;
    long                 n;
    char                *html;
    size_t               len;
    json_t              *u;
    fx_t                 f;
    se_state_t          *st;
    const se_model_t    *m;
    const se_incident_t  *rec;

    fx_init(&f);
    u = json_array();
    json_array_append_new(u, upd("u1", "in_progress", "Body <b>", NULL));
    fx_rec(f.mnts, "m", -60, u, "name", "\xeb\x8d\xb0 name",
           "status", "in_progress", "impact", "maintenance", "gate", "on",
           "scheduled_until", at(600), NULL);
    st = fx_build(&f);
    m = se_state_model(st);
    rec = se_gate_choose(m, NULL, 0);

    se_set_alloc_funcs(t_malloc, t_free);

    rc = SE_ERROR;

    for (n = 1; rec && n < 64; n++) {
        fail_at = n;
        nalloc = 0;
        live = 0;
        html = NULL;

        rc = se_gate_render(m, rec, SE_LANG_KO, &html, &len);

        if (rc == SE_OK) {
            se_free(html);
        }

        if (live != 0 || (rc != SE_OK && html != NULL)
            || (rc == SE_OK && nalloc < n))
        {
            break;
        }
    }

    fail_at = 0;
    se_set_alloc_funcs(NULL, NULL);

    tap_ok(rc == SE_OK && live == 0 && n > 1,
           "out of memory at every allocation of the page: SE_ERROR, no "
           "page, no leak (%ld allocations)", n - 1);

    se_state_free(st);
}


int
main(void)
{
    test_choice();
    test_retry();
    test_page();
    test_oom();

    return tap_done();
}
