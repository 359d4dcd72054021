/*
 * The SVG badge: text widths (Verdana 11px, Hangul, invalid bytes,
 * controls, the cut with an ellipsis), colours per severity, the parts'
 * geometry, accessibility attributes, XML escaping of hostile names, the
 * Korean texts, component translations, out of memory.
 */

#include "tap.h"
#include "snap.h"
#include "failalloc.h"

#include "se_badge.h"
#include "se_pool.h"



static int
has(const se_badge_t *b, const char *s)
{
    return b->data != NULL && strstr(b->data, s) != NULL;
}


static void
test_widths(void)
{
    size_t  cut, w;
    char    long_text[61];

    tap_ok(se_badge_text_width("status", 6, 0, NULL) == 336,
           "\"status\": 33.6 px");
    tap_ok(se_badge_text_width("All Systems Operational", 23, 0, NULL)
           == 1324, "\"All Systems Operational\": 132.4 px");
    tap_ok(se_badge_text_width("\xec\x83\x81\xed\x83\x9c", 6, 0, NULL)
           == 220, "two Hangul syllables: 22 px");
    tap_ok(se_badge_text_width("\xc3\xa9", 2, 0, NULL) == 70,
           "other non-ASCII: 7 px");
    tap_ok(se_badge_text_width("a\xff" "b", 3, 0, NULL) == 66 + 110 + 69,
           "an invalid byte counts as U+FFFD");
    tap_ok(se_badge_text_width("a\x01\x7f", 3, 0, NULL) == 66,
           "control characters are dropped: no width");
    tap_ok(se_badge_text_width("a\xef\xbf\xbe\xef\xbf\xbf", 7, 0, NULL)
           == 66, "U+FFFE and U+FFFF are dropped: no width");

    memset(long_text, 'a', 60);
    long_text[60] = '\0';
    w = se_badge_text_width(long_text, 60, 10, &cut);
    tap_ok(w == 660 && cut == 10, "max_chars: 10 characters, 10 bytes");
    w = se_badge_text_width("\xec\x83\x81\xed\x83\x9c", 6, 1, &cut);
    tap_ok(w == 110 && cut == 3, "max_chars counts characters, not bytes");
}


static void
test_render(void)
{
    se_badge_t  b;
    char        long_text[61];
    char        want[128];

    tap_ok(se_badge_overall(SE_INDICATOR_NONE, SE_LANG_EN, &b) == SE_OK,
           "overall badge rendered");
    tap_ok(strncmp(b.data, "<svg xmlns=\"http://www.w3.org/2000/svg\" ", 40)
           == 0 && b.len == strlen(b.data)
           && strcmp(b.data + b.len - 6, "</svg>") == 0, "one SVG element");
    tap_ok(has(&b, "role=\"img\" aria-label=\"status: All Systems "
                   "Operational\"><title>status: All Systems Operational"
                   "</title>"), "role, aria-label and title");
    /* 33.6 -> 34 + 10 = 44; 132.4 -> 133 + 10 = 143 */
    tap_ok(has(&b, "width=\"187\" height=\"20\"")
           && has(&b, "<rect width=\"44\" height=\"20\" fill=\"#555\"/>")
           && has(&b, "<rect x=\"44\" width=\"143\" height=\"20\" "
                      "fill=\"#2e7d32\"/>"),
           "widths from the text: 44 + 143, green value");
    tap_ok(has(&b, "x=\"220\" y=\"140\" transform=\"scale(.1)\" "
                   "fill=\"#fff\" textLength=\"336\">status</text>")
           && has(&b, "x=\"1155\" y=\"140\" transform=\"scale(.1)\" "
                      "fill=\"#fff\" textLength=\"1324\">All Systems "
                      "Operational</text>"),
           "texts centred in their parts, with textLength");
    tap_ok(tap_ascii(b.data, b.len), "ASCII");
    se_badge_free(&b);
    tap_ok(b.data == NULL && b.len == 0, "freed");

    se_badge_overall(SE_INDICATOR_MINOR, SE_LANG_EN, &b);
    tap_ok(has(&b, "fill=\"#dfb317\"") && has(&b, "fill=\"#1b1b1b\"")
           && has(&b, "Minor Service Outage"),
           "minor: yellow with dark text");
    se_badge_free(&b);

    se_badge_overall(SE_INDICATOR_MAJOR, SE_LANG_EN, &b);
    tap_ok(has(&b, "fill=\"#c2410c\"") && has(&b, "Partial System Outage"),
           "major: orange");
    se_badge_free(&b);

    se_badge_overall(SE_INDICATOR_CRITICAL, SE_LANG_EN, &b);
    tap_ok(has(&b, "fill=\"#c62828\"") && has(&b, "Major System Outage"),
           "critical: red");
    se_badge_free(&b);

    se_badge_overall(SE_INDICATOR_MAINTENANCE, SE_LANG_EN, &b);
    tap_ok(has(&b, "fill=\"#1e63b6\"")
           && has(&b, "Service Under Maintenance"), "maintenance: blue");
    se_badge_free(&b);

    se_badge_unknown(NULL, 0, SE_LANG_EN, &b);
    tap_ok(has(&b, "fill=\"#767676\"")
           && has(&b, "<title>status: unknown</title>"), "unknown: grey");
    se_badge_free(&b);

    se_badge_unknown("api", 3, SE_LANG_EN, &b);
    tap_ok(has(&b, "<title>api: unknown</title>"),
           "unknown with a component id as label");
    se_badge_free(&b);

    se_badge_overall(SE_INDICATOR_NONE, SE_LANG_KO, &b);
    tap_ok(has(&b, "aria-label=\"&#49345;&#53468;: &#47784;&#46304; "
                   "&#49884;&#49828;&#53596; &#51221;&#49345;\""),
           "Korean: label and description as NCRs");
    /* 상태 22 -> 32; 모든 시스템 정상: 7 syllables + 2 spaces */
    snprintf(want, sizeof(want), "<rect width=\"32\" height=\"20\"");
    tap_ok(has(&b, want) && tap_ascii(b.data, b.len),
           "Korean: wide characters measured, ASCII bytes");
    se_badge_free(&b);

    /* hostile text */
    tap_ok(se_badge_render("<script>alert(1)</script>", 25,
                           "a & b \"c\" 'd'\x01", 15, SE_BADGE_RED, &b)
           == SE_OK, "hostile text rendered");
    tap_ok(!has(&b, "<script") && has(&b, "&lt;script&gt;alert(1)"
                                          "&lt;/script&gt;"),
           "markup escaped");
    tap_ok(has(&b, "aria-label=\"&lt;script&gt;alert(1)&lt;/script&gt;: "
                   "a &amp; b &quot;c&quot; &#39;d&#39;\""),
           "quotes escaped in the attribute, control dropped");
    se_badge_free(&b);

    /* what XML does not allow, not even as a reference (defect 5) */
    tap_ok(se_badge_render("api\xef\xbf\xbe", 6, "ok\xef\xbf\xbf", 5,
                           SE_BADGE_GREEN, &b) == SE_OK,
           "noncharacters rendered");
    tap_ok(!has(&b, "&#65534;") && !has(&b, "&#65535;")
           && has(&b, "aria-label=\"api: ok\""),
           "U+FFFE and U+FFFF dropped, not written as references");
    se_badge_free(&b);

    /* long text is cut */
    memset(long_text, 'm', 60);
    long_text[60] = '\0';
    se_badge_render("x", 1, long_text, 60, SE_BADGE_GREEN, &b);
    snprintf(want, sizeof(want), "textLength=\"%d\">", 47 * 107 + 110);
    tap_ok(has(&b, want) && has(&b, "mmm&#8230;</text>")
           && !has(&b, "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm<"),
           "long value: 47 characters and an ellipsis");
    se_badge_free(&b);
}


static void
test_components(void)
{
    se_state_t        *st;
    se_badge_t         b;
    const se_model_t  *m;

    st = snap_state("[\"3\", [\"name\", \"P\"], ["
        "[\"api\", \"1\", [\"name\", \"API\", \"status\", "
        "\"partial_outage\"]],"
        "[\"web\", \"2\", [\"name\", \"Web <b>&amp;\", \"status\", "
        "\"under_maintenance\", \"name.ko\", \"\xec\x9b\xb9\"]],"
        "[\"db\", \"3\", [\"name\", \"DB\", \"status\", "
        "\"degraded_performance\"]],"
        "[\"pay\", \"4\", [\"name\", \"\xea\xb2\xb0\xec\xa0\x9c\", "
        "\"name.en\", \"Payments\", \"status\", \"operational\"]]"
        "], [], [], \"1795272000\"]");

    if (!tap_ok(st != NULL, "state with components")) {
        return;
    }

    m = se_state_model(st);

    se_badge_component(&m->components[0], SE_LANG_EN, &b);
    tap_ok(has(&b, "<title>API: Partial outage</title>")
           && has(&b, "fill=\"#c2410c\""), "api: partial outage, orange");
    se_badge_free(&b);

    se_badge_component(&m->components[1], SE_LANG_EN, &b);
    tap_ok(has(&b, "<title>Web &lt;b&gt;&amp;amp;: Under maintenance"
                   "</title>") && has(&b, "fill=\"#1e63b6\""),
           "web: hostile name escaped, blue");
    se_badge_free(&b);

    se_badge_component(&m->components[1], SE_LANG_KO, &b);
    tap_ok(has(&b, "<title>&#50937;: &#51216;&#44160; &#51473;</title>"),
           "web in Korean: the translated name and status");
    se_badge_free(&b);

    se_badge_component(&m->components[2], SE_LANG_KO, &b);
    tap_ok(has(&b, "<title>DB: &#49457;&#45733; &#51200;&#54616;</title>")
           && has(&b, "fill=\"#dfb317\""),
           "db in Korean: no translation, the name; yellow");
    se_badge_free(&b);

    se_badge_component(&m->components[3], SE_LANG_EN, &b);
    tap_ok(has(&b, "<title>Payments: Operational</title>"),
           "a Korean name with name.en: English badge in English");
    se_badge_free(&b);

    se_badge_component(&m->components[3], SE_LANG_KO, &b);
    tap_ok(has(&b, "<title>&#44208;&#51228;: &#51221;&#49345;</title>"),
           "and the Korean name in Korean");
    se_badge_free(&b);

    se_state_free(st);
}


static void
test_oom(void)
{
    int         rc;
    long        n;
    se_badge_t  b;

    se_set_alloc_funcs(t_malloc, t_free);

    for (n = 1; n < 64; n++) {
        fail_at = n;
        nalloc = 0;
        live = 0;

        rc = se_badge_overall(SE_INDICATOR_NONE, SE_LANG_KO, &b);

        if (rc == SE_OK) {
            se_badge_free(&b);
        }

        if (live != 0 || (rc != SE_OK && b.data != NULL)) {
            break;
        }

        if (rc == SE_OK && nalloc < n) {
            break;
        }
    }

    fail_at = 0;
    se_set_alloc_funcs(NULL, NULL);

    tap_ok(rc == SE_OK && live == 0 && n > 1,
           "out of memory at every allocation: SE_ERROR, no data, no leak "
           "(%ld allocations)", n - 1);
}


int
main(void)
{
    test_widths();
    test_render();
    test_components();
    test_oom();

    return tap_done();
}
