/*
 * The status page: structure and order of the sections, only public
 * records, groups and only_show_if_degraded, times in the page's zone
 * (TZif) and in UTC, Korean labels and admin translations, the history
 * window with postmortem links, hostile admin text escaped, operator
 * templates, the TZif reader, out of memory.
 */

#include "tap.h"
#include "snap.h"
#include "fixture.h"
#include "failalloc.h"

#include "se_page.h"
#include "se_page_css.h"
#include "se_page_tpl.h"
#include "se_tz.h"
#include "se_html.h"
#include "se_pool.h"
#include "se_state.h"

#include "banner_fixture.h"


static char *
render(const se_state_t *st, se_lang_e lang, unsigned days,
    const se_tz_t *tz, const se_page_tpl_t *tpl)
{
    char            *data;
    size_t           len;
    se_page_opts_t   o;

    memset(&o, 0, sizeof(o));
    o.lang = lang;
    o.now = NOW;
    o.history_days = days;
    o.tz = tz;
    o.tpl = tpl;

    if (se_page_render(se_state_model(st), &o, &data, &len) != SE_OK) {
        return NULL;
    }

    if (strlen(data) != len) {
        tap_diag("length %zu, strlen %zu", len, strlen(data));
    }

    return data;
}


static int
has(const char *page, const char *want)
{
    if (page && strstr(page, want)) {
        return 1;
    }

    tap_diag("missing: %s", want);
    return 0;
}


static int
ascii(const char *s)
{
    for ( /* void */ ; *s; s++) {
        if ((unsigned char) *s >= 0x80) {
            return 0;
        }
    }

    return 1;
}


/* offset of want in page, or -1 */
static long
pos(const char *page, const char *want)
{
    const char  *p;

    p = page ? strstr(page, want) : NULL;

    return p ? p - page : -1;
}


static void
test_tz(void)
{
    se_tz_t      *tz;
    const char   *abbr;
    int32_t       off;
    unsigned char junk[64];

    tz = se_tz_load(NULL, "Asia/Seoul", 10);
    tap_ok(tz != NULL, "Asia/Seoul loads");
    off = se_tz_offset(tz, NOW, &abbr);
    tap_ok(off == 9 * 3600 && strcmp(abbr, "KST") == 0,
           "Asia/Seoul: +09:00 KST (%d %s)", off, abbr);
    se_tz_free(tz);

    tz = se_tz_load(NULL, "America/New_York", 16);
    tap_ok(tz != NULL, "America/New_York loads");
    off = se_tz_offset(tz, 1783000000, &abbr);           /* 2026-07-02 */
    tap_ok(off == -4 * 3600 && strcmp(abbr, "EDT") == 0,
           "New York in July: -04:00 EDT (%d %s)", off, abbr);
    off = se_tz_offset(tz, NOW, &abbr);                  /* November 21 */
    tap_ok(off == -5 * 3600 && strcmp(abbr, "EST") == 0,
           "New York in November: -05:00 EST (%d %s)", off, abbr);

    /* the 2026 switch: 2026-03-08 07:00 UTC */
    tap_ok(se_tz_offset(tz, 1772953199, NULL) == -5 * 3600
           && se_tz_offset(tz, 1772953200, NULL) == -4 * 3600,
           "New York switches to EDT at 2026-03-08T07:00:00Z exactly");
    se_tz_free(tz);

    tap_ok(se_tz_offset(NULL, NOW, &abbr) == 0 && strcmp(abbr, "UTC") == 0,
           "no zone: UTC");

    tap_ok(se_tz_load(NULL, "../etc/passwd", 13) == NULL
           && se_tz_load(NULL, "/etc/passwd", 11) == NULL
           && se_tz_load(NULL, "Nowhere/Zone", 12) == NULL
           && se_tz_load(NULL, "", 0) == NULL,
           "bad or unknown zone names: no zone");

    memset(junk, 'x', sizeof(junk));
    memcpy(junk, "TZif2", 5);
    tap_ok(se_tz_parse(junk, sizeof(junk)) == NULL
           && se_tz_parse(junk, 10) == NULL
           && se_tz_parse((const unsigned char *) "", 0) == NULL,
           "broken TZif data refused");
}


static void
test_structure(se_state_t *st, se_tz_t *tz)
{
    char  *p;
    long   overall, active, maint, upcoming, comps, hist;

    p = render(st, SE_LANG_EN, 14, tz, NULL);
    tap_ok(p != NULL, "page renders");

    tap_ok(p && strncmp(p, "<!DOCTYPE html>\n<html lang=\"en\">", 31) == 0,
           "doctype and lang=en");
    tap_ok(p && ascii(p), "all ASCII (non-ASCII as references)");
    tap_ok(has(p, "<title>Example Status</title>"), "title");
    tap_ok(has(p, "<link rel=\"stylesheet\" href=\"status.css\">"),
           "the module's stylesheet, relative");
    tap_ok(has(p, "href=\"history.atom\"") && has(p, "href=\"history.rss\""),
           "feed links");
    tap_ok(p && strstr(p, "<script") == NULL && strstr(p, "style=") == NULL
           && strstr(p, "<style") == NULL, "no script, no inline style");
    tap_ok(has(p, "<header") && has(p, "<main id=\"main\"")
           && has(p, "<footer") && has(p, "<h1>"), "landmarks and h1");

    overall = pos(p, "<section class=\"overall ind-major\"");
    active = pos(p, "<section id=\"active\"");
    maint = pos(p, "<section id=\"maintenance\"");
    upcoming = pos(p, "<section id=\"upcoming\"");
    comps = pos(p, "<section id=\"components\"");
    hist = pos(p, "<section id=\"history\"");

    tap_ok(overall >= 0 && overall < active && active < maint
           && maint < upcoming && upcoming < comps && comps < hist,
           "sections in order: overall, active, maintenance, upcoming, "
           "components, history");

    tap_ok(has(p, "<p class=\"ind\">Partial System Outage</p>"),
           "overall status of public records only (internal critical "
           "not counted)");
    tap_ok(p && strstr(p, "Internal only") == NULL, "internal incident "
           "not shown");

    tap_ok(has(p, "<h3 id=\"incident-inc-3-h\">API errors</h3>"),
           "active incident named");
    tap_ok(has(p, "Affected components: API, Website</p>"),
           "affected components by name, unknown ids left out");
    tap_ok(has(p, "<p class=\"next\">Next update by <time "
               "datetime=\"2026-11-21T15:30:00Z\">Nov 22, 00:30 KST</time>"),
           "next update by, in the page's zone (next day in Seoul)");
    tap_ok(has(p, "<strong class=\"st st-identified\">Identified</strong> "
               "<time datetime=\"2026-11-21T14:45:00Z\">Nov 21, 23:45 KST"
               "</time></p><p class=\"body\">Root cause found.</p>"),
           "timeline: newest update with status, local time, body");
    tap_ok(has(p, "<time datetime=\"2026-11-21T14:31:00Z\">Nov 21, 23:31 "
               "KST</time></p><p class=\"body\">We are investigating."),
           "timeline: older update at its display_at");
    tap_ok(pos(p, "Root cause found.") < pos(p, "We are investigating."),
           "timeline newest first");

    tap_ok(has(p, "<h3 id=\"maintenance-m-1-h\">Network work</h3>"),
           "maintenance in progress");
    tap_ok(has(p, "<p class=\"when\">Scheduled for <time "
               "datetime=\"2026-11-24T16:00:00Z\">Nov 25, 01:00 KST</time> "
               "&#8211; <time datetime=\"2026-11-24T18:00:00Z\">03:00 KST"
               "</time></p>"),
           "upcoming maintenance with start and end (same local day)");
    tap_ok(pos(p, "Network work") < pos(p, "DB upgrade")
           && pos(p, "DB upgrade") < comps, "upcoming after in progress");

    tap_ok(has(p, "<li class=\"comp\"><div class=\"row\"><span "
               "class=\"name\">API</span> <span class=\"cs "
               "cs-partial_outage\">Partial outage</span></div><p "
               "class=\"desc\">Public REST API</p></li>"),
           "component with status and description");
    tap_ok(has(p, "<li class=\"comp group\"><div class=\"row\"><span "
               "class=\"name\">Frontend</span> <span class=\"cs "
               "cs-operational\">Operational</span></div></li>"),
           "group without visible children");
    tap_ok(p && strstr(p, "<span class=\"name\">Website</span>") == NULL,
           "only_show_if_degraded component hidden while operational");

    tap_ok(has(p, "<time datetime=\"2026-11-21\">Nov 21, 2026</time>"),
           "history starts today (local)");
    tap_ok(has(p, "<time datetime=\"2026-11-08\">Nov 8, 2026</time>")
           && pos(p, "datetime=\"2026-11-07\"") < 0,
           "14 days of history");
    tap_ok(has(p, "<article class=\"past imp-critical\" "
               "id=\"incident-inc-1\"><h4>Old outage</h4>"),
           "resolved incident in its day");
    tap_ok(pos(p, "datetime=\"2026-11-20\"") < pos(p, "Old outage")
           && pos(p, "Old outage") < pos(p, "datetime=\"2026-11-19\""),
           "... under Nov 20 (local)");
    tap_ok(has(p, "<p class=\"pm\"><a href=\"https://example.com/pm/1\">"
               "Read the postmortem</a></p>"), "postmortem link");
    tap_ok(has(p, "id=\"maintenance-m-0\"><h4>Done work</h4>"),
           "completed maintenance in the history");
    tap_ok(has(p, "<p class=\"none\">No incidents reported.</p>"),
           "empty days say so");
    tap_ok(has(p, "Times are shown in Asia/Seoul (KST)."), "zone named");

    se_free(p);

    p = render(st, SE_LANG_EN, 3, tz, NULL);
    tap_ok(p && pos(p, "Old outage") > 0 && pos(p, "Done work") < 0
           && pos(p, "datetime=\"2026-11-18\"") < 0,
           "history_days 3: Nov 19-21 only");
    se_free(p);

    p = render(st, SE_LANG_EN, 0, tz, NULL);
    tap_ok(p && pos(p, "id=\"history\"") < 0, "history_days 0: none");
    se_free(p);

    p = render(st, SE_LANG_EN, 14, NULL, NULL);
    tap_ok(has(p, "datetime=\"2026-11-21T15:30:00Z\">Nov 21, 15:30 UTC"
               "</time>"), "no zone: UTC times");
    tap_ok(has(p, "Times are shown in UTC (UTC)."), "... and said so");
    se_free(p);
}


static void
test_korean(se_state_t *st, se_tz_t *tz)
{
    char  *p;

    p = render(st, SE_LANG_KO, 14, tz, NULL);

    tap_ok(p && strncmp(p, "<!DOCTYPE html>\n<html lang=\"ko\">", 31) == 0,
           "Korean: lang=ko");
    tap_ok(p && ascii(p), "Korean: all ASCII");
    /* 예제 상태 */
    tap_ok(has(p, "<title>&#50696;&#51228; &#49345;&#53468;</title>"),
           "Korean: name.ko and label in the title");
    /* API 오류 */
    tap_ok(has(p, ">API &#50724;&#47448;</h3>"), "Korean: incident name.ko");
    /* 조사 중입니다. */
    tap_ok(has(p, "<p class=\"body\">&#51312;&#49324; &#51473;&#51077;"
               "&#45768;&#45796;.</p>"), "Korean: body.ko");
    tap_ok(has(p, "<p class=\"body\">Root cause found.</p>"),
           "Korean: body without body.ko falls back");
    /* 11월 22일 00:30 KST */
    tap_ok(has(p, ">11&#50900; 22&#51068; 00:30 KST</time>"),
           "Korean: date format");
    /* 부분 시스템 장애 */
    tap_ok(has(p, "<p class=\"ind\">&#48512;&#48516; &#49884;&#49828;&#53596;"
               " &#51109;&#50528;</p>"), "Korean: indicator description");
    /* 2026년 11월 21일 */
    tap_ok(has(p, ">2026&#45380; 11&#50900; 21&#51068;</time></h3>"),
           "Korean: history day heading");
    /* API 서버 */
    tap_ok(has(p, "<span class=\"name\">API &#49436;&#48260;</span>"),
           "Korean: component name.ko");

    se_free(p);
}


static void
test_hostile(void)
{
    fx_t         f;
    se_state_t  *st;
    char        *p;
    const char  *evil;

    evil = "<script>alert(1)</script>\"onmouseover=x ']]> & \xed\x95\x9c";

    fx_init(&f);
    json_decref(f.page);
    f.page = json_pack("[ssssss]", "id", "p", "name", evil,
                       "url", "javascript:alert(1)");

    fx_rec(f.incs, "inc-x", -600,
           json_pack("[o]", upd("u1", "investigating",
                                "<img src=x onerror=alert(1)>\nline 2 "
                                "]]> &amp;", NULL)),
           "name", evil, "status", "investigating", "impact", "critical",
           "created_at", at(-600), "components", "c1", NULL);
    fx_rec(f.incs, "inc-y", -3 * 86400,
           json_pack("[o]", upd("u1", "resolved", "ok", NULL)),
           "name", "old", "status", "resolved", "impact", "minor",
           "created_at", at(-3 * 86400),
           "postmortem_url", "javascript:alert(1)", NULL);

    st = fx_build(&f);
    p = render(st, SE_LANG_EN, 14, NULL, NULL);

    tap_ok(p && ascii(p), "hostile: page renders, ASCII");
    tap_ok(p && strstr(p, "<script") == NULL && strstr(p, "<img") == NULL,
           "hostile: no markup from admin text");
    tap_ok(p && strstr(p, "\"onmouseover") == NULL
           && strstr(p, "'onmouseover") == NULL, "hostile: no quote breaks");
    tap_ok(has(p, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;onmouseover=x"
               " &#39;]]&gt; &amp; &#54620;"), "hostile: name escaped");
    tap_ok(has(p, "&lt;img src=x onerror=alert(1)&gt;<br>line 2 ]]&gt; "
               "&amp;amp;"), "hostile: body escaped, lines kept");
    tap_ok(p && strstr(p, "javascript:") == NULL,
           "hostile: javascript: URLs never linked");
    tap_ok(has(p, "<h1>&lt;script&gt;"), "hostile: no page link for a "
           "bad URL, name as text");

    se_free(p);
    se_state_free(st);
}


static void
test_template(se_state_t *st, se_tz_t *tz)
{
    se_page_tpl_t  *t;
    char           *p, err[256];
    const char     *text;

    tap_ok(se_page_tpl_parse("<p>{{page_nmae}}</p>", 20, &t, err,
                             sizeof(err)) == SE_ERROR && t == NULL
           && strstr(err, "{{page_nmae}}") && strstr(err, "line 1")
           && strstr(err, "status page template"),
           "template: unknown placeholder named: %s", err);
    tap_ok(se_page_tpl_parse("a\n{{history", 11, &t, err, sizeof(err))
           == SE_ERROR && strstr(err, "line 2"),
           "template: unterminated placeholder: %s", err);

    text = "<!doctype html><html lang=\"{{lang}}\"><title>{{ page_name }}"
           "</title><link rel=stylesheet href=\"{{stylesheet_url}}\">"
           "<h1 class=\"{{status_indicator}}\">{{status_description}}</h1>"
           "{{incidents}}{{maintenances}}{{components}}{{history}}"
           "<p>{{time_zone}} {{atom_url}} {{rss_url}}</p>{{overall}}";

    tap_ok(se_page_tpl_parse(text, strlen(text), &t, err, sizeof(err))
           == SE_OK, "template parses");

    p = render(st, SE_LANG_KO, 2, tz, t);

    tap_ok(p && strncmp(p, "<!doctype html><html lang=\"ko\"><title>"
                        "&#50696;&#51228;</title>", 56) == 0,
           "template: lang and page name");
    tap_ok(has(p, "<h1 class=\"major\">&#48512;&#48516;"),
           "template: indicator and description");
    tap_ok(has(p, "<section id=\"active\"") && has(p, "id=\"upcoming\"")
           && has(p, "id=\"components\"") && has(p, "id=\"history\"")
           && has(p, "<section class=\"overall"),
           "template: the module's sections");
    tap_ok(has(p, "<p>Asia/Seoul (KST) history.atom history.rss</p>"),
           "template: zone and feed URLs");
    tap_ok(p && strstr(p, "{{") == NULL, "template: no placeholder left");

    se_free(p);
    se_page_tpl_free(t);
}


static void
test_oom(se_state_t *st, se_tz_t *tz)
{
    char            *data;
    size_t           len;
    long             n;
    int              rc, ok;
    se_page_opts_t   o;

    memset(&o, 0, sizeof(o));
    o.now = NOW;
    o.history_days = 14;
    o.tz = tz;

    se_set_alloc_funcs(t_malloc, t_free);

    ok = 1;

    for (n = 1; n < 200; n++) {
        fail_at = n;
        nalloc = 0;
        live = 0;

        rc = se_page_render(se_state_model(st), &o, &data, &len);

        if (rc == SE_OK) {
            se_free(data);
            if (nalloc < n) {
                break;
            }
        }

        if (live != 0 || (rc != SE_OK && data != NULL)) {
            ok = 0;
            tap_diag("allocation %ld: rc %d, %ld live", n, rc, live);
        }
    }

    fail_at = 0;
    se_set_alloc_funcs(NULL, NULL);

    tap_ok(ok, "out of memory at every allocation: SE_ERROR, no leak "
           "(%ld allocations)", n);
}


int
main(void)
{
    se_state_t  *st;
    se_tz_t     *tz;
    size_t       len;
    const char  *css;

    test_tz();

    st = snap_state(fixture_full);
    tz = se_tz_load(NULL, "Asia/Seoul", 10);

    test_structure(st, tz);
    test_korean(st, tz);
    test_hostile();
    test_template(st, tz);
    test_oom(st, tz);

    css = se_page_css(&len);
    tap_ok(len == strlen(css) && ascii(css)
           && strstr(css, "prefers-color-scheme:dark")
           && strstr(css, "max-width:600px"),
           "stylesheet: ASCII, dark scheme, narrow screens");

    se_tz_free(tz);
    se_state_free(st);

    return tap_done();
}
