/*
 * The banner: choice per request context (impact, age, banner off,
 * audience, components, maintenances in progress and upcoming), markup
 * in English and Korean, hostile admin text, the return-path split, the
 * dismissal key, Accept-Language, the stylesheet, out of memory.
 */

#include "tap.h"
#include "snap.h"
#include "fixture.h"

#include "se_banner.h"
#include "se_html.h"
#include "se_pool.h"
#include "se_state.h"

#include "banner_fixture.h"


/* the id the context sees, "-" for none */
static const char *
choose(se_state_t *st, int internal, const char *comps, int64_t now)
{
    static char         buf[64];
    se_str_t            ids[8];
    se_banner_ctx_t     ctx;
    const se_incident_t *rec;
    size_t              n;

    n = fx_ids(comps, buf, sizeof(buf), ids, 8);

    ctx.internal = internal;
    ctx.components = n ? ids : NULL;
    ctx.ncomponents = n;
    ctx.now = now;

    rec = se_banner_choose(se_state_model(st), &ctx);

    return rec ? rec->id.data : "-";
}


static void
test_choice_incidents(void)
{
    fx_t         f;
    se_state_t  *st;

    /* nothing */
    fx_init(&f);
    st = fx_build(&f);
    tap_is(choose(st, 0, NULL, 0), "-", "empty state: no banner");
    tap_is(choose(st, 1, NULL, 0), "-", "empty state, internal: no banner");
    se_state_free(st);

    /* impacts: highest first, then newest; resolved never */
    fx_init(&f);
    fx_rec(f.incs, "new-minor", -60, NULL, "name", "a",
           "status", "investigating", "impact", "minor", NULL);
    fx_rec(f.incs, "mid-major", -120, NULL, "name", "b",
           "status", "monitoring", "impact", "major", NULL);
    fx_rec(f.incs, "old-major", -3600, NULL, "name", "c",
           "status", "identified", "impact", "major", NULL);
    fx_rec(f.incs, "gone-crit", -30, NULL, "name", "d",
           "status", "resolved", "impact", "critical", NULL);
    fx_rec(f.incs, "pm-crit", -40, NULL, "name", "e",
           "status", "postmortem", "impact", "critical", NULL);
    fx_rec(f.incs, "off-crit", -50, NULL, "name", "f", "banner", "off",
           "status", "investigating", "impact", "critical", NULL);
    fx_rec(f.incs, "int-crit", -70, NULL, "name", "g",
           "audience", "internal",
           "status", "investigating", "impact", "critical", NULL);
    fx_rec(f.mnts, "m-run", -600, NULL, "name", "m",
           "status", "in_progress", NULL);
    st = fx_build(&f);
    tap_is(choose(st, 0, NULL, 0), "mid-major",
           "major over minor, newer major over older; monitoring counts; "
           "resolved, postmortem, banner off, internal skipped");
    tap_is(choose(st, 1, NULL, 0), "int-crit",
           "internal audience: internal critical");
    se_state_free(st);

    /* impact none still shows, below minor */
    fx_init(&f);
    fx_rec(f.incs, "none", -10, NULL, "name", "a",
           "status", "investigating", "impact", "none", NULL);
    fx_rec(f.incs, "minor", -500, NULL, "name", "b",
           "status", "investigating", "impact", "minor", NULL);
    st = fx_build(&f);
    tap_is(choose(st, 0, NULL, 0), "minor", "minor over none");
    se_state_free(st);

    fx_init(&f);
    fx_rec(f.incs, "none", -10, NULL, "name", "a",
           "status", "investigating", "impact", "none", NULL);
    fx_rec(f.mnts, "m-run", -600, NULL, "name", "m",
           "status", "in_progress", NULL);
    st = fx_build(&f);
    tap_is(choose(st, 0, NULL, 0), "none",
           "an impact-none incident beats a maintenance");
    se_state_free(st);

    /* the same impact: newest created_at, whatever the list order */
    fx_init(&f);
    fx_rec(f.incs, "a", -100, NULL, "name", "a", "created_at", at(-900),
           "status", "investigating", "impact", "major", NULL);
    fx_rec(f.incs, "b", -200, NULL, "name", "b", "created_at", at(-300),
           "status", "investigating", "impact", "major", NULL);
    st = fx_build(&f);
    tap_is(choose(st, 0, NULL, 0), "b", "same impact: newest created_at");
    se_state_free(st);

    /* components */
    fx_init(&f);
    fx_rec(f.incs, "api-crit", -10, NULL, "name", "a",
           "components", "api,web",
           "status", "investigating", "impact", "critical", NULL);
    fx_rec(f.incs, "db-minor", -20, NULL, "name", "b", "components", "db",
           "status", "investigating", "impact", "minor", NULL);
    fx_rec(f.incs, "all-major", -30, NULL, "name", "c",
           "status", "investigating", "impact", "major", NULL);
    st = fx_build(&f);
    tap_is(choose(st, 0, NULL, 0), "api-crit", "no filter: all incidents");
    tap_is(choose(st, 0, "web", 0), "api-crit", "filter web: api,web one");
    tap_is(choose(st, 0, "db", 0), "all-major",
           "filter db: an incident without components affects everything");
    tap_is(choose(st, 0, "cache queue", 0), "all-major",
           "filter untouched: only the component-less incident");
    tap_is(choose(st, 0, "queue db api", 0), "api-crit",
           "several ids: any one matches");
    se_state_free(st);

    fx_init(&f);
    fx_rec(f.incs, "db-minor", -20, NULL, "name", "b", "components", "db",
           "status", "investigating", "impact", "minor", NULL);
    fx_rec(f.mnts, "m-api", -600, NULL, "name", "m", "components", "api",
           "status", "in_progress", NULL);
    fx_rec(f.mnts, "m-db", -700, NULL, "name", "m", "components", "db",
           "status", "verifying", NULL);
    st = fx_build(&f);
    tap_is(choose(st, 0, "db", 0), "db-minor", "filter db: db incident");
    tap_is(choose(st, 0, "api", 0), "m-api",
           "filter api: no incident, the api maintenance");
    tap_is(choose(st, 0, "API", 0), "-", "ids compare exactly");
    se_state_free(st);
}


static void
test_choice_maintenances(void)
{
    fx_t         f;
    se_state_t  *st;

    /* in progress beats upcoming; verifying is active; banner off */
    fx_init(&f);
    fx_rec(f.mnts, "soon", 1800, NULL, "name", "s", "banner_lead", "3600",
           "status", "scheduled", NULL);
    fx_rec(f.mnts, "off", -100, NULL, "name", "o", "banner", "off",
           "status", "in_progress", NULL);
    fx_rec(f.mnts, "int", -150, NULL, "name", "i", "audience", "internal",
           "status", "in_progress", NULL);
    fx_rec(f.mnts, "verif", -200, NULL, "name", "v",
           "status", "verifying", NULL);
    fx_rec(f.mnts, "done", -300, NULL, "name", "d",
           "status", "completed", NULL);
    st = fx_build(&f);
    tap_is(choose(st, 0, NULL, 0), "verif",
           "verifying counts as in progress, beats upcoming; banner off "
           "and internal skipped");
    tap_is(choose(st, 1, NULL, 0), "int",
           "internal audience: internal maintenance (list order)");
    se_state_free(st);

    /* upcoming: within the lead, soonest first */
    fx_init(&f);
    fx_rec(f.mnts, "later", 3000, NULL, "name", "l", "banner_lead", "3600",
           "status", "scheduled", NULL);
    fx_rec(f.mnts, "sooner", 1800, NULL, "name", "s", "banner_lead", "3600",
           "status", "scheduled", NULL);
    fx_rec(f.mnts, "far", 7200, NULL, "name", "f", "banner_lead", "3600",
           "status", "scheduled", NULL);
    fx_rec(f.mnts, "done", -300, NULL, "name", "d",
           "status", "completed", NULL);
    st = fx_build(&f);
    tap_is(choose(st, 0, NULL, 0), "sooner",
           "upcoming within the lead: the soonest");
    tap_is(choose(st, 0, NULL, NOW - 2000), "-",
           "an hour earlier: none within its lead");
    tap_is(choose(st, 0, NULL, NOW + 3700), "far",
           "context now: the first two ended (no until), far in its lead");
    se_state_free(st);

    /* outside the lead; the default lead of a day */
    fx_init(&f);
    fx_rec(f.mnts, "far", 7200, NULL, "name", "f", "banner_lead", "3600",
           "status", "scheduled", NULL);
    st = fx_build(&f);
    tap_is(choose(st, 0, NULL, 0), "-", "upcoming outside its lead: none");
    se_state_free(st);

    fx_init(&f);
    fx_rec(f.mnts, "tomorrow", 80000, NULL, "name", "t",
           "status", "scheduled", NULL);
    fx_rec(f.mnts, "in2days", 2 * 86400, NULL, "name", "t",
           "status", "scheduled", NULL);
    st = fx_build(&f);
    tap_is(choose(st, 0, NULL, 0), "tomorrow", "default lead 86400");
    se_state_free(st);

    /* started late: shown until scheduled_until, gone without one */
    fx_init(&f);
    fx_rec(f.mnts, "late-until", -600, NULL, "name", "l",
           "scheduled_until", at(600), "status", "scheduled", NULL);
    fx_rec(f.mnts, "late", -300, NULL, "name", "l",
           "status", "scheduled", NULL);
    st = fx_build(&f);
    tap_is(choose(st, 0, NULL, 0), "late-until",
           "past its start, before its until: still announced");
    tap_is(choose(st, 0, NULL, NOW + 600), "-", "after its until: none");
    se_state_free(st);

    /* Redis TIME unknown: no upcoming banner, active ones still */
    fx_init(&f);
    f.now = "0";
    fx_rec(f.mnts, "soon", 1800, NULL, "name", "s",
           "status", "scheduled", NULL);
    st = fx_build(&f);
    tap_is(choose(st, 0, NULL, 0), "-", "now unknown: no upcoming banner");
    tap_is(choose(st, 0, NULL, NOW), "soon",
           "now unknown in the model, given by the context");
    se_state_free(st);

    /* internal / components for upcoming */
    fx_init(&f);
    fx_rec(f.mnts, "int", 1000, NULL, "name", "s", "audience", "internal",
           "status", "scheduled", NULL);
    fx_rec(f.mnts, "db", 1800, NULL, "name", "s", "components", "db",
           "status", "scheduled", NULL);
    st = fx_build(&f);
    tap_is(choose(st, 0, NULL, 0), "db", "upcoming: internal skipped");
    tap_is(choose(st, 1, NULL, 0), "int", "upcoming: internal audience");
    tap_is(choose(st, 0, "api", 0), "-", "upcoming: component filter");
    se_state_free(st);
}


static void
test_refresh(void)
{
    fx_t         f;
    se_state_t  *st;

    fx_init(&f);
    st = fx_build(&f);
    tap_ok(se_banner_refresh_at(se_state_model(st), NOW) == INT64_MAX,
           "refresh: nothing timed, never");
    se_state_free(st);

    fx_init(&f);
    fx_rec(f.mnts, "far", 7200, NULL, "name", "f", "banner_lead", "3600",
           "status", "scheduled", NULL);
    st = fx_build(&f);
    tap_ok(se_banner_refresh_at(se_state_model(st), NOW) == NOW + 3600,
           "refresh: when an upcoming maintenance enters its lead");
    se_state_free(st);

    fx_init(&f);
    fx_rec(f.mnts, "soon", 1800, NULL, "name", "s",
           "scheduled_until", at(5400), "status", "scheduled", NULL);
    fx_rec(f.incs, "i", -60, NULL, "name", "a", "status", "identified",
           "impact", "minor", "next_update_at", at(3000), NULL);
    st = fx_build(&f);
    tap_ok(se_banner_refresh_at(se_state_model(st), NOW) == NOW + 3000,
           "refresh: next_update_at passing");
    tap_ok(se_banner_refresh_at(se_state_model(st), NOW + 3000)
           == NOW + 5400, "refresh: the window's end");
    tap_ok(se_banner_refresh_at(se_state_model(st), NOW + 5400)
           == INT64_MAX, "refresh: nothing left to wait for");
    se_state_free(st);

    fx_init(&f);
    fx_rec(f.mnts, "run", -600, NULL, "name", "r",
           "scheduled_until", at(86400), "status", "in_progress", NULL);
    st = fx_build(&f);
    tap_ok(se_banner_refresh_at(se_state_model(st), NOW) == 1795305600,
           "refresh: UTC midnight while a banner shows times");
    se_state_free(st);
}


/* markup */

static int
has(const char *s, const char *sub)
{
    if (strstr(s, sub)) {
        return 1;
    }

    tap_diag("missing: %s", sub);

    return 0;
}



static const char *
render(const se_state_t *st, const se_incident_t *rec, se_lang_e lang,
    const char *dismiss, int64_t now, se_banner_t *b)
{
    se_banner_opts_t  o;

    o.lang = lang;
    o.dismiss = dismiss;
    o.dismiss_len = dismiss ? strlen(dismiss) : 0;
    o.now = now;

    if (se_banner_render(se_state_model(st), rec, &o, b) != SE_OK) {
        return "(render failed)";
    }

    return b->data;
}


/*
 * The markup's tags are the module's only: every '<' opens or closes
 * one of them, attributes are from a fixed list, every href is http(s)
 * or a same-site path.  Returns the number of <a> tags, -1 on failure.
 */
static int
markup_ok(const char *s)
{
    static const char *const  tags[] = {
        "div", "p", "strong", "span", "a", "br", NULL
    };
    static const char *const  attrs[] = {
        "class", "role", "aria-live", "lang", "href", "aria-label", "title",
        "aria-hidden", NULL
    };
    const char               *p, *e, *v;
    size_t                    n, i;
    int                       links;
    char                      name[32], val[1024];

    links = 0;

    for (p = strchr(s, '<'); p; p = strchr(p, '<')) {
        p++;

        if (*p == '/') {
            p++;
        }

        n = strspn(p, "abcdefghijklmnopqrstuvwxyz");
        for (i = 0; tags[i]; i++) {
            if (strlen(tags[i]) == n && strncmp(p, tags[i], n) == 0) {
                break;
            }
        }

        if (tags[i] == NULL || (p[n] != ' ' && p[n] != '>')) {
            tap_diag("unexpected tag at: %.40s", p - 1);
            return -1;
        }

        if (p[-1] != '/' && n == 1 && *p == 'a') {
            links++;
        }

        p += n;

        while (*p == ' ') {
            p++;
            n = strspn(p, "abcdefghijklmnopqrstuvwxyz-");
            if (n == 0 || n >= sizeof(name) || p[n] != '=' || p[n + 1] != '"')
            {
                tap_diag("bad attribute at: %.40s", p);
                return -1;
            }

            memcpy(name, p, n);
            name[n] = '\0';

            for (i = 0; attrs[i]; i++) {
                if (strcmp(attrs[i], name) == 0) {
                    break;
                }
            }

            if (attrs[i] == NULL) {
                tap_diag("unexpected attribute %s", name);
                return -1;
            }

            v = p + n + 2;
            e = strchr(v, '"');
            if (e == NULL || (size_t) (e - v) >= sizeof(val)
                || memchr(v, '<', e - v) || memchr(v, '>', e - v)
                || memchr(v, '\'', e - v))
            {
                tap_diag("bad value of %s", name);
                return -1;
            }

            memcpy(val, v, e - v);
            val[e - v] = '\0';

            if (strcmp(name, "href") == 0
                && strncmp(val, "https://", 8) != 0
                && strncmp(val, "http://", 7) != 0
                && !(val[0] == '/' && val[1] != '/' && val[1] != '\\'))
            {
                tap_diag("bad href %s", val);
                return -1;
            }

            p = e + 1;
        }

        if (*p != '>') {
            tap_diag("tag not closed at: %.40s", p);
            return -1;
        }
    }

    return links;
}


static int
count(const char *s, const char *sub)
{
    int  n;

    for (n = 0; (s = strstr(s, sub)) != NULL; s++) {
        n++;
    }

    return n;
}


static void
test_markup_fixture(void)
{
    se_state_t          *st;
    const se_model_t    *m;
    const se_incident_t *inc3, *inc2, *m1, *m2;
    se_banner_t          b;
    const char          *s;
    char                 key[SE_BANNER_KEY_LEN];
    size_t               i;

    st = snap_state(fixture_full);
    m = se_state_model(st);

    inc3 = inc2 = m1 = m2 = NULL;

    for (i = 0; i < m->nincidents; i++) {
        if (strcmp(m->incidents[i].id.data, "inc-3") == 0) {
            inc3 = &m->incidents[i];
        } else if (strcmp(m->incidents[i].id.data, "inc-2") == 0) {
            inc2 = &m->incidents[i];
        }
    }

    for (i = 0; i < m->nmaintenances; i++) {
        if (strcmp(m->maintenances[i].id.data, "m-1") == 0) {
            m1 = &m->maintenances[i];
        } else if (strcmp(m->maintenances[i].id.data, "m-2") == 0) {
            m2 = &m->maintenances[i];
        }
    }

    tap_ok(inc3 && inc2 && m1 && m2, "fixture records found");
    tap_is(choose(st, 0, NULL, 0), "inc-3", "fixture: public sees inc-3");
    tap_is(choose(st, 1, NULL, 0), "inc-2", "fixture: internal sees inc-2");

    /* English */
    s = render(st, inc3, SE_LANG_EN, DISMISS, 0, &b);
    tap_ok(has(s, "<div class=\"se-banner se-major\" role=\"status\" "
                  "aria-live=\"polite\" lang=\"en\">")
           && has(s, "<strong class=\"se-level\">Partial outage</strong>")
           && has(s, "<span class=\"se-name\">API errors</span>")
           && has(s, "<span class=\"se-status\">Identified</span>: "
                     "<span class=\"se-text\">Root cause found.</span>")
           && has(s, "<span class=\"se-next\">Next update by 15:30 UTC"
                     "</span>")
           && has(s, "<a class=\"se-link\" href=\"https://status.example.com/"
                     "\">View status page</a>")
           && has(s, "<a class=\"se-dismiss\" href=\"/_se/dismiss?id=inc-3"
                     "&amp;u=u2&amp;r=\" aria-label=\"Dismiss\"")
           && has(s, "&#215;"),
           "en: level, name, update, status, next update, link, dismiss");
    tap_ok(tap_ascii(s, b.len) && strlen(s) == b.len, "en: ASCII, NUL-free");
    tap_ok(markup_ok(s) == 2, "en: only the module's tags, 2 links");
    tap_ok(count(s, "<div") == count(s, "</div>")
           && count(s, "<p ") == count(s, "</p>")
           && count(s, "<span") == count(s, "</span>")
           && count(s, "<a ") == count(s, "</a>"), "en: tags balanced");
    tap_ok(b.ret != SE_BANNER_NO_RET && b.ret < b.len
           && strncmp(s + b.ret - 7, "&amp;r=", 7) == 0 && s[b.ret] == '"',
           "en: return path goes right after r=");
    se_banner_key("inc-3", 5, "u2", 2, key);
    tap_ok(strcmp(b.key, key) == 0 && strlen(key) == 16
           && strspn(key, "0123456789abcdef") == 16,
           "key: 16 hex digits of inc-3 + u2");
    tap_ok(strstr(s, "15:30 UTC") && !strstr(s, "2026-11-21"),
           "en: next update today: time only");
    se_banner_free(&b);

    s = render(st, inc3, SE_LANG_EN, DISMISS, NOW - 86400, &b);
    tap_ok(has(s, "Next update by 2026-11-21 15:30 UTC"),
           "next update another day: with the date");
    se_banner_free(&b);

    s = render(st, inc3, SE_LANG_EN, DISMISS, NOW + 7200, &b);
    tap_ok(!strstr(s, "se-next") && !strstr(s, "Next update"),
           "next update already past: left out");
    se_banner_free(&b);

    /* Korean: translations when present, English fallback, NCRs */
    s = render(st, inc3, SE_LANG_KO, DISMISS, 0, &b);
    tap_ok(has(s, "lang=\"ko\"")
           && has(s, "<strong class=\"se-level\">&#48512;&#48516; "
                     "&#51109;&#50528;</strong>")
           && has(s, "<span class=\"se-name\">API &#50724;&#47448;</span>")
           && has(s, "<span class=\"se-status\">&#50896;&#51064; "
                     "&#54028;&#50501;</span>")
           && has(s, "<span class=\"se-text\">Root cause found.</span>")
           && has(s, "<span class=\"se-next\">&#45796;&#51020; "
                     "&#50629;&#45936;&#51060;&#53944; &#50696;&#51221;: "
                     "15:30 UTC</span>")
           && has(s, "\">&#49345;&#53468; &#54168;&#51060;&#51648; "
                     "&#48372;&#44592;</a>")
           && has(s, "aria-label=\"&#45803;&#44592;\""),
           "ko: labels and name.ko as NCRs, body falls back to English");
    tap_ok(tap_ascii(s, b.len), "ko: output bytes all ASCII");
    tap_ok(markup_ok(s) == 2, "ko: only the module's tags");
    se_banner_free(&b);

    /* internal critical incident without updates */
    s = render(st, inc2, SE_LANG_EN, DISMISS, 0, &b);
    tap_ok(has(s, "se-banner se-critical\"")
           && has(s, "<strong class=\"se-level\">Major outage</strong> "
                     "<span class=\"se-name\">Internal only</span> "
                     "<span class=\"se-status\">Investigating</span></p>")
           && !strstr(s, "se-update")
           && has(s, "?id=inc-2&amp;u=&amp;r="),
           "no updates: status in the title line, empty u");
    se_banner_record_key(inc2, key);
    tap_ok(strcmp(b.key, key) == 0, "record key of an update-less record");
    se_banner_key("inc-2", 5, "", 0, key);
    tap_ok(strcmp(b.key, key) == 0, "... is the key of id and \"\"");
    se_banner_free(&b);

    /* maintenance in progress */
    s = render(st, m1, SE_LANG_EN, NULL, 0, &b);
    tap_ok(has(s, "se-banner se-maintenance\"")
           && has(s, ">Maintenance</strong> <span class=\"se-name\">"
                     "Network work</span> <span class=\"se-status\">"
                     "In progress</span>")
           && has(s, "<span class=\"se-when\">Scheduled for "
                     "13:00&#8211;15:00 UTC</span>"),
           "maintenance in progress: level, status, window");
    tap_ok(b.ret == SE_BANNER_NO_RET && !strstr(s, "se-dismiss"),
           "no dismiss URL: no dismiss control, ret NO_RET");
    se_banner_free(&b);

    s = render(st, m1, SE_LANG_KO, NULL, 0, &b);
    tap_ok(has(s, ">&#51216;&#44160;</strong>")
           && has(s, "&#51652;&#54665; &#51473;</span>")
           && has(s, "&#51216;&#44160; &#51068;&#51221;: 13:00~15:00 UTC"),
           "ko maintenance: \"점검\", \"진행 중\", window");
    se_banner_free(&b);

    /* upcoming maintenance, another day */
    s = render(st, m2, SE_LANG_EN, DISMISS "?x=1", 0, &b);
    tap_ok(has(s, "se-banner se-maintenance se-upcoming\"")
           && has(s, ">Scheduled maintenance</strong>")
           && has(s, "Scheduled for 2026-11-24 16:00&#8211;18:00 UTC")
           && has(s, "<span class=\"se-status\">Scheduled</span>: "
                     "<span class=\"se-text\">We will upgrade the DB.")
           && has(s, "href=\"/_se/dismiss?x=1&amp;id=m-2&amp;u=s1&amp;r="),
           "upcoming: class, label, dated window, update; dismiss URL "
           "with a query");
    se_banner_free(&b);

    s = render(st, m2, SE_LANG_EN, "javascript:alert(1)", 0, &b);
    tap_ok(!strstr(s, "javascript") && !strstr(s, "se-dismiss")
           && b.ret == SE_BANNER_NO_RET, "javascript: dismiss URL refused");
    se_banner_free(&b);

    s = render(st, m2, SE_LANG_EN, "//evil.example/d", 0, &b);
    tap_ok(!strstr(s, "evil") && b.ret == SE_BANNER_NO_RET,
           "//host dismiss URL refused");
    se_banner_free(&b);

    se_state_free(st);
}


static void
test_status_labels(void)
{
    static const char *const  ko[] = {
        "&#51312;&#49324; &#51473;",            /* investigating */
        "&#50896;&#51064; &#54028;&#50501;",    /* identified */
        "&#47784;&#45768;&#53552;&#47553; &#51473;",
        "&#54644;&#44208;&#46120;",             /* resolved */
        "&#49324;&#54980; &#48516;&#49437;",    /* postmortem */
        "&#50696;&#51221;&#46120;",             /* scheduled */
        "&#51652;&#54665; &#51473;",            /* in_progress */
        "&#44160;&#51613; &#51473;",            /* verifying */
        "&#50756;&#47308;&#46120;"              /* completed */
    };
    static const char *const  en[] = {
        "Investigating", "Identified", "Monitoring", "Resolved",
        "Postmortem", "Scheduled", "In progress", "Verifying", "Completed"
    };
    se_model_t                m;
    se_incident_t             rec;
    se_update_t               u;
    se_banner_opts_t          o;
    se_banner_t               b;
    char                      want[128];
    int                       s, ok;

    memset(&m, 0, sizeof(m));
    memset(&rec, 0, sizeof(rec));
    memset(&u, 0, sizeof(u));
    memset(&o, 0, sizeof(o));

    rec.id.data = "x";
    rec.id.len = 1;
    rec.name.data = "n";
    rec.name.len = 1;
    rec.next_update_at = SE_TIME_NONE;
    rec.scheduled_for = SE_TIME_NONE;
    rec.scheduled_until = SE_TIME_NONE;
    rec.updates = &u;
    rec.nupdates = 1;
    u.id.data = "u";
    u.id.len = 1;
    u.body.data = "";

    for (ok = 1, s = 0; s < SE_STATUS_N; s++) {
        u.status = (se_status_e) s;

        o.lang = SE_LANG_EN;
        se_banner_render(&m, &rec, &o, &b);
        snprintf(want, sizeof(want), "<span class=\"se-status\">%s</span>",
                 en[s]);
        ok &= has(b.data, want);
        se_banner_free(&b);

        o.lang = SE_LANG_KO;
        se_banner_render(&m, &rec, &o, &b);
        snprintf(want, sizeof(want), "<span class=\"se-status\">%s</span>",
                 ko[s]);
        ok &= has(b.data, want);
        se_banner_free(&b);
    }

    tap_ok(ok, "every status has its English and Korean label");

    /* no URL at all: no link, no meta paragraph */
    o.lang = SE_LANG_EN;
    se_banner_render(&m, &rec, &o, &b);
    tap_ok(!strstr(b.data, "se-link") && !strstr(b.data, "se-meta")
           && !strstr(b.data, "se-text"),
           "no status_url, no next update, empty body: left out");
    se_banner_free(&b);

    /* URLs straight into the model: a bad status_url falls back to url */
    m.page.status_url.data = "javascript:alert(1)";
    m.page.status_url.len = strlen(m.page.status_url.data);
    m.page.url.data = "https://status.example.com";
    m.page.url.len = strlen(m.page.url.data);
    se_banner_render(&m, &rec, &o, &b);
    tap_ok(has(b.data, "<p class=\"se-meta\"><a class=\"se-link\" "
                       "href=\"https://status.example.com\">")
           && !strstr(b.data, "javascript"),
           "bad status_url: the page url instead");
    se_banner_free(&b);

    m.page.url.data = "/status\"onclick=\"x";
    m.page.url.len = strlen(m.page.url.data);
    se_banner_render(&m, &rec, &o, &b);
    tap_ok(!strstr(b.data, "se-link") && !strstr(b.data, "onclick"),
           "both bad: no link");
    se_banner_free(&b);

    m.page.url.data = "/status";
    m.page.url.len = strlen(m.page.url.data);
    se_banner_render(&m, &rec, &o, &b);
    tap_ok(has(b.data, "href=\"/status\">View status page</a>"),
           "a same-site path is a valid link");
    se_banner_free(&b);

    /* invalid UTF-8 and controls straight into the model */
    rec.name.data = "bad\xff" "x\xed\xa0\x80" "y\x01z";
    rec.name.len = strlen(rec.name.data);
    u.body.data = "line1\nline2\r\nline3";
    u.body.len = strlen(u.body.data);
    se_banner_render(&m, &rec, &o, &b);
    tap_ok(has(b.data, ">bad&#65533;x&#65533;&#65533;&#65533;yz</span>")
           && has(b.data, "line1<br>line2<br>line3"),
           "invalid UTF-8 as &#65533;, controls dropped, line breaks <br>");
    tap_ok(tap_ascii(b.data, b.len), "still ASCII");
    se_banner_free(&b);
}


static void
test_hostile(void)
{
    static const char  body[] =
        "</div></p><a href=\"javascript:alert(1)\">x</a> 'q' \"q\" "
        "& done <style>*{display:none}</style>\n"
        "<script src=//evil.example/x.js></script>";
    fx_t                f;
    se_state_t         *st;
    const se_incident_t *rec;
    se_banner_ctx_t     ctx;
    se_banner_t         b;
    const char         *s;
    int                 lang;

    fx_init(&f);
    json_decref(f.page);
    f.page = json_pack("[ssssssss]", "id", "p", "name", "<b>x</b>",
                       "url", "javascript:alert(1)",
                       "status_url", "javascript:alert(1)//http://x");
    fx_rec(f.incs, "evil", -10,
           json_pack("[o]", upd("u-1", "identified", body,
                                "body.ko", "\"><img src=x onerror=alert(1)>"
                                "\xed\x95\x9c", NULL)),
           "name", "<script>alert(1)</script>",
           "name.ko", "\"><img src=x onerror=alert(1)>",
           "shortlink", "javascript:alert(1)",
           "status", "investigating", "impact", "critical", NULL);
    st = fx_build(&f);

    memset(&ctx, 0, sizeof(ctx));
    rec = se_banner_choose(se_state_model(st), &ctx);
    tap_ok(rec && strcmp(rec->id.data, "evil") == 0, "hostile incident");

    for (lang = 0; lang < SE_LANG_N && rec; lang++) {
        s = render(st, rec, (se_lang_e) lang, DISMISS, 0, &b);

        tap_ok(markup_ok(s) == 1,
               "%s: only the module's tags and attributes, one link "
               "(dismiss), hrefs http(s) or same-site",
               se_lang_name((se_lang_e) lang));
        tap_ok(count(s, "javascript") == (lang == SE_LANG_EN)
               && (lang != SE_LANG_EN
                   || strstr(s, "&lt;a href=&quot;javascript:alert(1)"))
               && !strstr(s, "<script") && !strstr(s, "<img")
               && !strstr(s, "<style") && !strstr(s, "'")
               && tap_ascii(s, b.len),
               "%s: javascript: only as escaped body text, no <script, "
               "<img, <style or '; ASCII", se_lang_name((se_lang_e) lang));
        tap_ok(count(s, "<div") == 2 && count(s, "</div>") == 2
               && count(s, "</p>") == count(s, "<p "),
               "%s: </div> and </p> in the text do not close anything",
               se_lang_name((se_lang_e) lang));

        if (lang == SE_LANG_EN) {
            tap_ok(has(s, "&lt;script&gt;alert(1)&lt;/script&gt;")
                   && has(s, "&lt;/div&gt;&lt;/p&gt;&lt;a href=&quot;")
                   && has(s, "&#39;q&#39; &quot;q&quot; &amp; done")
                   && has(s, "<br>&lt;script src=//evil.example/x.js&gt;"),
                   "en: admin text appears escaped");

        } else {
            tap_ok(has(s, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
                          "</span>")
                   && has(s, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
                             "&#54620;</span>"),
                   "ko: name.ko and body.ko escaped, Korean as NCR");
        }

        se_banner_free(&b);
    }

    se_state_free(st);
}


/* where the filter puts the request URI */
static void
test_return(void)
{
    static const struct {
        const char  *uri;
        const char  *want;
    } cases[] = {
        { "/", "/" },
        { "/news/today?x=1&y=<z>\"'", "/news/today%3Fx%3D1%26y%3D%3Cz%3E"
                                      "%22%27" },
        { "/caf\xc3\xa9 x", "/caf%C3%A9%20x" },
        { "//evil.example/", "/" },
        { "/\\evil.example/", "/" },
        { "http://evil.example/", "/" },
        { "javascript:alert(1)", "/" },
        { "", "/" },
    };
    se_state_t  *st;
    se_banner_t  b;
    char         out[4096], *p, big[SE_BANNER_RET_MAX + 2];
    size_t       i, n;
    int          ok;

    st = snap_state(fixture_full);
    render(st, &se_state_model(st)->incidents[0], SE_LANG_EN, DISMISS, 0,
           &b);

    for (ok = 1, i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        n = se_banner_return_len(cases[i].uri, strlen(cases[i].uri));

        memcpy(out, b.data, b.ret);
        p = se_banner_return_write(out + b.ret, cases[i].uri,
                                   strlen(cases[i].uri));

        if ((size_t) (p - out - b.ret) != n
            || n != strlen(cases[i].want)
            || memcmp(out + b.ret, cases[i].want, n) != 0)
        {
            tap_diag("return of %s", cases[i].uri);
            ok = 0;
            continue;
        }

        memcpy(p, b.data + b.ret, b.len - b.ret + 1);

        if (markup_ok(out) != 2 || !strstr(out, "&amp;r=")) {
            ok = 0;
        }
    }

    tap_ok(ok, "return paths: percent-encoded, off-site ones become /, "
               "the joined markup stays clean");

    memset(big, 'a', sizeof(big));
    big[0] = '/';
    tap_ok(se_banner_return_len(big, sizeof(big)) == 1,
           "an over-long URI returns to /");

    se_banner_free(&b);
    se_state_free(st);
}


static void
test_key(void)
{
    char  a[SE_BANNER_KEY_LEN], b[SE_BANNER_KEY_LEN], c[SE_BANNER_KEY_LEN];

    se_banner_key("inc-3", 5, "u2", 2, a);
    se_banner_key("inc-3", 5, "u3", 2, b);
    se_banner_key("inc-3u", 6, "2", 1, c);

    tap_ok(strcmp(a, b) != 0, "key: a new update changes it");
    tap_ok(strcmp(a, c) != 0, "key: id and update do not run together");
    se_banner_key("inc-3", 5, "u2", 2, b);
    tap_ok(strcmp(a, b) == 0, "key: stable");
}


static void
test_lang(void)
{
    static const struct {
        const char  *h;
        se_lang_e    want;
    } cases[] = {
        { "", SE_LANG_EN },
        { "ko", SE_LANG_KO },
        { "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", SE_LANG_KO },
        { "en-US,en;q=0.9,ko;q=0.8", SE_LANG_EN },
        { "fr-FR, ko;q=0.5", SE_LANG_KO },
        { "fr-FR, de", SE_LANG_EN },
        { "ko;q=0, en;q=0.1", SE_LANG_EN },
        { "ko;q=0", SE_LANG_EN },
        { "en;q=0.5, KO-kr;q=0.6", SE_LANG_KO },
        { "en, ko", SE_LANG_EN },
        { "ko, en", SE_LANG_KO },
        { "kor, kok", SE_LANG_EN },
        { " ko-KR ; q=0.9 , en ; q=0.8", SE_LANG_KO },
        { "ko;q=2", SE_LANG_EN },
        { "ko;q=abc", SE_LANG_EN },
        { "*", SE_LANG_EN },
        { ",,,;;;", SE_LANG_EN },
    };
    size_t  i;
    int     ok;

    for (ok = 1, i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (se_lang_negotiate(cases[i].h, strlen(cases[i].h)) != cases[i].want)
        {
            tap_diag("Accept-Language: %s", cases[i].h);
            ok = 0;
        }
    }

    tap_ok(ok, "Accept-Language: %u cases", (unsigned) i);
    tap_ok(se_lang_negotiate(NULL, 0) == SE_LANG_EN, "no header: English");
    tap_is(se_lang_name(SE_LANG_KO), "ko", "lang name ko");
}


static void
test_css(void)
{
    const char  *css;
    size_t       len;

    css = se_banner_css(&len);

    tap_ok(css && len > 500 && strlen(css) == len && tap_ascii(css, len),
           "css: ASCII, NUL-terminated");
    tap_ok(!strchr(css, '<') && !strstr(css, "url(")
           && !strstr(css, "@import") && !strstr(css, "expression"),
           "css: nothing that closes <style> or loads anything");
    tap_ok(strstr(css, "prefers-reduced-motion:reduce")
           && strstr(css, "prefers-color-scheme:dark")
           && strstr(css, "max-width:600px"),
           "css: reduced motion, dark scheme, narrow screens");
    tap_ok(strstr(css, ".se-banner.se-critical")
           && strstr(css, ".se-banner.se-major")
           && strstr(css, ".se-banner.se-minor")
           && strstr(css, ".se-banner.se-none")
           && strstr(css, ".se-banner.se-maintenance")
           && strstr(css, ".se-upcoming"), "css: a rule for every level");
}


static size_t  fail_after;


static void *
fail_malloc(size_t size)
{
    if (fail_after == 0) {
        return NULL;
    }

    fail_after--;

    return malloc(size);
}


static void
test_oom(void)
{
    se_state_t   *st;
    se_banner_t   b;
    size_t        k;
    int           rc, ok;

    st = snap_state(fixture_full);

    for (ok = 1, k = 0; k < 64; k++) {
        se_set_alloc_funcs(fail_malloc, free);
        fail_after = k;

        rc = se_banner_render(se_state_model(st),
                              &se_state_model(st)->incidents[0],
                              &(se_banner_opts_t) { SE_LANG_KO, DISMISS,
                                                    sizeof(DISMISS) - 1, 0 },
                              &b);
        se_set_alloc_funcs(NULL, NULL);

        if (rc == SE_OK) {
            ok &= (b.data != NULL && tap_ascii(b.data, b.len));
            se_banner_free(&b);
            break;
        }

        ok &= (b.data == NULL && b.len == 0);
    }

    tap_ok(ok && k > 0 && k < 64,
           "render under allocation failures: SE_ERROR and nothing, then "
           "SE_OK (after %u failures)", (unsigned) k);

    se_state_free(st);
}


int
main(void)
{
    test_choice_incidents();
    test_choice_maintenances();
    test_refresh();
    test_markup_fixture();
    test_status_labels();
    test_hostile();
    test_return();
    test_key();
    test_lang();
    test_css();
    test_oom();

    return tap_done();
}
