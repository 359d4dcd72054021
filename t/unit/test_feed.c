/*
 * The feeds: Atom and RSS structure, entries (one per public update,
 * newest first), stable ids, absolute and relative links, RFC 3339 and
 * RFC 822 dates, XML escaping of hostile text (controls and non-
 * characters dropped, invalid UTF-8 replaced, Korean as UTF-8).
 */

#include "tap.h"
#include "snap.h"
#include "fixture.h"

#include "se_feed.h"
#include "se_html.h"
#include "se_pool.h"
#include "se_state.h"

#include "banner_fixture.h"


static char *
feed(const se_state_t *st, se_feed_e kind)
{
    char    *data;
    size_t   len;

    if (se_feed_render(se_state_model(st), kind, &data, &len) != SE_OK) {
        return NULL;
    }

    return data;
}


static int
has(const char *doc, const char *want)
{
    if (doc && strstr(doc, want)) {
        return 1;
    }

    tap_diag("missing: %s", want);
    return 0;
}


static long
pos(const char *doc, const char *want)
{
    const char  *p;

    p = doc ? strstr(doc, want) : NULL;

    return p ? p - doc : -1;
}


static size_t
count(const char *doc, const char *what)
{
    size_t       n;
    const char  *p;

    for (n = 0, p = doc; p && (p = strstr(p, what)); p++) {
        n++;
    }

    return n;
}


static void
test_xml(void)
{
    se_html_buf_t  b;
    char          *s;
    size_t         len;
    const char     in[] = "<a href='x'>&\"]]>\x01\x1f\x7f\xc2\x85"
                          "\xef\xbf\xbe\xef\xbf\xbf\xff\t\n\r"
                          "\xed\x95\x9c";

    se_html_buf_init(&b);
    se_feed_xml(&b, in, sizeof(in) - 1, 0);
    s = se_html_buf_take(&b, &len);

    tap_is(s, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;]]&gt;"
              "\xef\xbf\xbd\t\n\r\xed\x95\x9c",
           "xml text: markup escaped, controls and U+FFFE/U+FFFF dropped, "
           "invalid byte replaced, UTF-8 kept");
    se_free(s);

    se_html_buf_init(&b);
    se_feed_xml(&b, "a\xef\xb7\x90" "b\xf0\x9f\xbf\xbf" "c\xef\xb7\xb0",
                14, 1);
    s = se_html_buf_take(&b, &len);
    tap_is(s, "ab" "c\xef\xb7\xb0", "xml: every noncharacter dropped "
           "(U+FDD0, U+1FFFF), the one after kept");
    se_free(s);

    se_html_buf_init(&b);
    se_feed_xml(&b, "a\tb\nc\rd\"", 8, 1);
    s = se_html_buf_take(&b, &len);
    tap_is(s, "a&#9;b&#10;c&#13;d&quot;", "xml attribute: white space as "
           "references");
    se_free(s);
}


static void
test_atom(se_state_t *st)
{
    char  *a, *again;

    a = feed(st, SE_FEED_ATOM);

    tap_ok(a && strncmp(a, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                        "<feed xmlns=\"http://www.w3.org/2005/Atom\"", 79)
           == 0, "atom: declaration and namespace");
    tap_ok(has(a, "<id>tag:status-edge,2026:examplepage</id>"),
           "atom: feed id from the page id");
    tap_ok(has(a, "<title>Example status history</title>"), "atom: title");
    tap_ok(has(a, "<updated>2026-11-21T14:45:00Z</updated>\n<link"),
           "atom: updated = the newest entry");
    tap_ok(has(a, "<link rel=\"self\" type=\"application/atom+xml\" "
               "href=\"https://status.example.com/history.atom\"/>"),
           "atom: self link under status_url (no double slash)");
    tap_ok(has(a, "<author><name>Example</name></author>"), "atom: author");

    tap_ok(count(a, "<entry>") == 4, "atom: one entry per public update "
           "(%zu)", count(a, "<entry>"));
    tap_ok(has(a, "<id>tag:status-edge,2026:examplepage:incident:inc-3:"
               "update:u2</id>\n<title>API errors: Identified</title>\n"
               "<updated>2026-11-21T14:45:00Z</updated>"),
           "atom: entry id, title with the status, updated");
    tap_ok(has(a, "<link rel=\"alternate\" type=\"text/html\" "
               "href=\"https://status.example.com/#incident-inc-3\"/>"),
           "atom: entry link to the incident on the page");
    tap_ok(has(a, "<content type=\"text\">Root cause found.</content>"),
           "atom: content");
    tap_ok(has(a, ":maintenance:m-2:update:s1</id>"),
           "atom: maintenance updates too");
    tap_ok(pos(a, ":update:u2<") < pos(a, ":update:u1<")
           && pos(a, ":update:u1<") < pos(a, ":update:s1<")
           && pos(a, ":update:s1<") < pos(a, ":update:r1<"),
           "atom: newest first");
    tap_ok(a && strstr(a, "Internal only") == NULL, "atom: no internal "
           "records");

    again = feed(st, SE_FEED_ATOM);
    tap_ok(a && again && strcmp(a, again) == 0, "atom: the same bytes "
           "every time");

    se_free(again);
    se_free(a);
}


static void
test_rss(se_state_t *st)
{
    char  *r;

    r = feed(st, SE_FEED_RSS);

    tap_ok(has(r, "<rss version=\"2.0\""), "rss: version 2.0");
    tap_ok(has(r, "<channel>\n<title>Example status history</title>\n"
               "<link>https://status.example.com/</link>\n<description>"),
           "rss: channel title, link, description");
    tap_ok(count(r, "<item>") == 4, "rss: one item per public update");
    tap_ok(has(r, "<guid isPermaLink=\"false\">tag:status-edge,2026:"
               "examplepage:incident:inc-3:update:u2</guid>"),
           "rss: guid = the atom id");
    tap_ok(has(r, "<pubDate>Sat, 21 Nov 2026 14:45:00 +0000</pubDate>"),
           "rss: RFC 822 date");
    tap_ok(has(r, "<pubDate>Fri, 20 Nov 2026 02:00:00 +0000</pubDate>"),
           "rss: weekday of another day");

    se_free(r);
}


static void
test_relative(void)
{
    fx_t         f;
    se_state_t  *st;
    char        *a, *r;

    fx_init(&f);
    json_decref(f.page);
    f.page = json_pack("[ss]", "name", "<b>&</b>");

    fx_rec(f.incs, "inc-x", -600,
           json_pack("[o]", upd("u1", "investigating",
                                "<script>]]>\" \xea\xb2\xb0\xec\xa0\x9c",
                                NULL)),
           "name", "A & B <c>", "status", "investigating",
           "impact", "critical", "created_at", at(-600), NULL);

    st = fx_build(&f);
    a = feed(st, SE_FEED_ATOM);
    r = feed(st, SE_FEED_RSS);

    tap_ok(has(a, "<id>tag:status-edge,2026:page</id>"),
           "no page id: a fixed feed id");
    tap_ok(has(a, "href=\"history.atom\"/>") && has(a, "href=\"./\"/>")
           && has(a, "href=\"./#incident-inc-x\"/>"),
           "no page URL: links relative to the feed");
    tap_ok(has(a, "<title>&lt;b&gt;&amp;&lt;/b&gt; status history</title>")
           && has(a, "<title>A &amp; B &lt;c&gt;: Investigating</title>"),
           "hostile names escaped");
    tap_ok(has(a, "<content type=\"text\">&lt;script&gt;]]&gt;&quot; "
               "\xea\xb2\xb0\xec\xa0\x9c</content>"),
           "hostile body escaped, Korean as UTF-8");
    tap_ok(has(r, "<description>&lt;script&gt;]]&gt;&quot; "
               "\xea\xb2\xb0\xec\xa0\x9c</description>"),
           "rss: hostile body escaped");
    tap_ok(a && strstr(a, "<script") == NULL && r
           && strstr(r, "<script") == NULL, "no raw markup");

    se_free(a);
    se_free(r);
    se_state_free(st);
}


int
main(void)
{
    se_state_t  *st;

    test_xml();

    st = snap_state(fixture_full);
    test_atom(st);
    test_rss(st);
    se_state_free(st);

    test_relative();

    return tap_done();
}
