/*
 * HTML escaping into ASCII: special characters, controls, non-ASCII as
 * numeric character references, invalid UTF-8, line breaks and cuts,
 * URL checks, percent-encoding, out of memory; random input never
 * yields markup.
 */

#include "tap.h"

#include "se_html.h"
#include "se_pool.h"
#include "se_utf8.h"

#define ESC_TEXT   0
#define ESC_ATTR   1
#define ESC_LINES  2


static char *
esc(int mode, const char *s, size_t len, size_t max)
{
    static char    out[4096];
    se_html_buf_t  b;
    int            rc;

    se_html_buf_init(&b);

    switch (mode) {
    case ESC_TEXT:
        rc = se_html_text(&b, s, len);
        break;
    case ESC_ATTR:
        rc = se_html_attr(&b, s, len);
        break;
    default:
        rc = se_html_lines(&b, s, len, max);
    }

    if (rc != SE_OK || b.len >= sizeof(out)) {
        se_html_buf_free(&b);
        return NULL;
    }

    memcpy(out, b.data ? b.data : "", b.len);
    out[b.len] = '\0';
    se_html_buf_free(&b);

    return out;
}


#define T(in, want)   tap_is(esc(ESC_TEXT, in, sizeof(in) - 1, 0), want, \
                             "text " #in)
#define A(in, want)   tap_is(esc(ESC_ATTR, in, sizeof(in) - 1, 0), want, \
                             "attr " #in)
#define L(in, m, want) tap_is(esc(ESC_LINES, in, sizeof(in) - 1, m), want, \
                              "lines " #in " max " #m)


static void
test_escape(void)
{
    T("", "");
    T("plain text 123", "plain text 123");
    T("a & b < c > d \" e ' f", "a &amp; b &lt; c &gt; d &quot; e &#39; f");
    T("<script>alert(1)</script>",
      "&lt;script&gt;alert(1)&lt;/script&gt;");
    T("\"><img src=x onerror=alert(1)>",
      "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    T("&amp;", "&amp;amp;");
    T("tab\tlf\ncr\r", "tab\tlf\ncr\r");
    A("tab\tlf\ncr\r", "tab&#9;lf&#10;cr&#13;");
    A("x\" onmouseover='y'", "x&quot; onmouseover=&#39;y&#39;");

    /* NUL, C0, DEL and C1 controls are dropped */
    tap_is(esc(ESC_TEXT, "a\0b\x01" "c\x1b" "d\x7f" "e", 9, 0), "abcde",
           "text: NUL, C0 and DEL dropped");
    T("a\xc2\x85" "b\xc2\x9f" "c", "abc");
    T("\xc2\xa0", "&#160;");

    /* noncharacters are dropped, never written as references */
    T("a\xef\xbf\xbe" "b\xef\xbf\xbf" "c", "abc");
    A("a\xef\xbf\xbe" "b\xef\xbf\xbf" "c", "abc");
    T("\xef\xb7\x90\xef\xb7\xaf", "");
    T("\xf0\x9f\xbf\xbe" "x\xf4\x8f\xbf\xbf", "x");
    T("\xef\xb7\x8f\xef\xb7\xb0\xef\xbf\xbd",
      "&#64975;&#65008;&#65533;");
    tap_is(esc(ESC_LINES, "a\xef\xbf\xbe\nb", 6, 0), "a<br>b",
           "lines: noncharacter dropped");

    /* non-ASCII as references */
    T("\xed\x95\x9c", "&#54620;");
    T("\xed\x95\x9c\xea\xb8\x80 ok", "&#54620;&#44544; ok");
    T("caf\xc3\xa9", "caf&#233;");
    T("\xf0\x9f\x98\x80", "&#128512;");
    T("\xef\xbb\xbf" "x", "&#65279;x");

    /* invalid UTF-8: U+FFFD per maximal subpart */
    T("\xc3\x28", "&#65533;(");
    T("\x80", "&#65533;");
    T("a\xff" "b", "a&#65533;b");
    T("\xe2\x82", "&#65533;");
    T("\xe2\x82" "x", "&#65533;x");
    T("\xc0\xaf", "&#65533;&#65533;");
    T("\xed\xa0\x80", "&#65533;&#65533;&#65533;");
    T("\xf4\x90\x80\x80", "&#65533;&#65533;&#65533;&#65533;");
    T("\xf0\x9f\x98", "&#65533;");
    T("\xf0\x9f\x98<", "&#65533;&lt;");
}


static void
test_lines(void)
{
    L("a\nb\r\nc\rd", 0, "a<br>b<br>c<br>d");
    L("<b>\n</b>", 0, "&lt;b&gt;<br>&lt;/b&gt;");
    L("abcdef", 6, "abcdef");
    L("abcdef", 3, "abc&#8230;");
    L("ab cdef", 3, "ab&#8230;");
    L("ab\n\ncd", 4, "ab&#8230;");
    L("\xed\x95\x9c\xea\xb8\x80\xeb\xa7\x90", 2, "&#54620;&#44544;&#8230;");
    L("a&b", 2, "a&amp;&#8230;");
    L("x\xff\xffy", 2, "x&#65533;&#8230;");
}


static void
test_urls(void)
{
    static const char *const  good[] = {
        "https://status.example.com/", "http://a.example/x?y=1&z=2#f",
        "/status", "/", "/a/b?c=d", NULL
    };
    static const char *const  bad[] = {
        "javascript:alert(1)", "JavaScript:alert(1)", " javascript:x",
        "data:text/html,<b>", "vbscript:x", "//evil.example/",
        "/\\evil.example/", "\\\\evil", "status", "", "https://",
        "https:///x", "https://a b", "https://a\"onx=", "/a\"b", "/a<b",
        "/a'b", "/a b", "/a\tb", "/a`b", "/caf\xc3\xa9", "ftp://x/",
        "http:/x", "https:evil", NULL
    };
    se_html_buf_t             b;
    size_t                    i;
    int                       ok;

    for (ok = 1, i = 0; good[i]; i++) {
        if (se_html_url_ok(good[i], strlen(good[i])) != SE_OK) {
            tap_diag("refused: %s", good[i]);
            ok = 0;
        }
    }

    tap_ok(ok, "http(s) URLs and same-site paths accepted");

    for (ok = 1, i = 0; bad[i]; i++) {
        if (se_html_url_ok(bad[i], strlen(bad[i])) == SE_OK) {
            tap_diag("accepted: %s", bad[i]);
            ok = 0;
        }
    }

    tap_ok(ok, "javascript:, data:, //host, /\\host, relative refused");

    tap_ok(se_html_path_ok("https://a.example/", 18) != SE_OK,
           "path_ok: an absolute URL is not a path");
    tap_ok(se_html_url_ok(NULL, 0) != SE_OK, "url_ok: NULL refused");

    se_html_buf_init(&b);
    tap_ok(se_html_url(&b, "javascript:alert(1)", 19) == SE_DECLINED
           && b.len == 0, "url: refused URL appends nothing, SE_DECLINED");
    tap_ok(se_html_url(&b, "https://a.example/?x=1&y=2", 26) == SE_OK
           && b.len == 30
           && memcmp(b.data, "https://a.example/?x=1&amp;y=2", 30) == 0,
           "url: & escaped in the attribute");
    se_html_buf_free(&b);
}


/* runs of kept bytes at either end, alone, or none at all */
static void
test_pct_runs(void)
{
#define PCT(in, want)  { in, sizeof(in) - 1, want }
    static const struct {
        const char  *in;
        size_t       len;
        const char  *want;
    } cases[] = {
        PCT("", ""),
        PCT("/banner/page.html", "/banner/page.html"),
        PCT(" ", "%20"),
        PCT("\x00\xff", "%00%FF"),
        PCT("?a", "%3Fa"),
        PCT("a?", "a%3F"),
        PCT("??ab??cd", "%3F%3Fab%3F%3Fcd"),
        PCT("/x%2Fy", "/x%252Fy"),
    };
#undef PCT
    char    out[64], *end;
    size_t  i, n;
    int     ok;

    for (ok = 1, i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(out, '#', sizeof(out));
        end = se_html_pct_write(out, cases[i].in, cases[i].len);
        n = end - out;

        if (n != strlen(cases[i].want)
            || n != se_html_pct_len(cases[i].in, cases[i].len)
            || memcmp(out, cases[i].want, n) != 0
            || *end != '#')
        {
            tap_diag("pct of case %zu", i);
            ok = 0;
        }
    }

    tap_ok(ok, "pct_write: kept runs at the start, the end, alone, none");
}


static void
test_pct(void)
{
    static const char  in[] = "/a b/c?d=e&f=\"<'>\xed\x95\x9c~._-";
    static const char  want[] =
        "/a%20b/c%3Fd%3De%26f%3D%22%3C%27%3E%ED%95%9C~._-";
    char               out[128], *end;
    se_html_buf_t      b;

    tap_ok(se_html_pct_len(in, sizeof(in) - 1) == sizeof(want) - 1,
           "pct_len");
    end = se_html_pct_write(out, in, sizeof(in) - 1);
    *end = '\0';
    tap_is(out, want, "pct_write");

    se_html_buf_init(&b);
    se_html_str(&b, "r=");
    se_html_pct(&b, in, sizeof(in) - 1);
    tap_ok(b.len == 2 + sizeof(want) - 1
           && memcmp(b.data + 2, want, sizeof(want) - 1) == 0, "pct append");
    se_html_buf_free(&b);

    test_pct_runs();
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
    se_html_buf_t  b;
    char           big[3000];
    char          *p;
    size_t         len;
    int            rc;

    memset(big, 'x', sizeof(big));

    se_set_alloc_funcs(fail_malloc, free);

    fail_after = 1;
    se_html_buf_init(&b);
    rc = se_html_raw(&b, "abc", 3);
    rc |= se_html_text(&b, big, sizeof(big));
    tap_ok(rc != SE_OK && b.failed, "grow failure: SE_ERROR, failed set");
    tap_ok(se_html_str(&b, "x") == SE_ERROR && se_html_pct(&b, "a", 1)
           == SE_ERROR, "failure is sticky");
    p = se_html_buf_take(&b, &len);
    tap_ok(p == NULL && b.data == NULL, "take after failure: NULL, freed");

    fail_after = 0;
    se_html_buf_init(&b);
    tap_ok(se_html_str(&b, "a") == SE_ERROR, "first allocation fails");
    se_html_buf_free(&b);

    se_set_alloc_funcs(NULL, NULL);

    se_html_buf_init(&b);
    se_html_text(&b, big, sizeof(big));
    p = se_html_buf_take(&b, &len);
    tap_ok(p && len == sizeof(big) && p[len] == '\0' && b.data == NULL,
           "take: NUL-terminated, buffer left empty");
    se_free(p);

    se_html_buf_init(&b);
    p = se_html_buf_take(&b, &len);
    tap_ok(p && len == 0 && p[0] == '\0', "take of an empty buffer: \"\"");
    se_free(p);
}


/* every '&' in the output starts a reference of the escapers' kind */
static int
refs_ok(const char *s, size_t len)
{
    size_t  i, j;

    for (i = 0; i < len; i++) {
        if (s[i] != '&') {
            continue;
        }

        if (strncmp(s + i, "&amp;", 5) == 0 || strncmp(s + i, "&lt;", 4) == 0
            || strncmp(s + i, "&gt;", 4) == 0
            || strncmp(s + i, "&quot;", 6) == 0)
        {
            continue;
        }

        if (s[i + 1] != '#') {
            return 0;
        }

        for (j = i + 2; j < len && s[j] >= '0' && s[j] <= '9'; j++) {
            /* void */
        }

        if (j == i + 2 || j >= len || s[j] != ';') {
            return 0;
        }
    }

    return 1;
}


static void
test_random(void)
{
    se_html_buf_t  b;
    unsigned char  in[64];
    uint32_t       x;
    size_t         i, n, k;
    int            ascii, markup, refs, mode;

    x = 12345;
    ascii = 1;
    markup = 0;
    refs = 1;

    for (n = 0; n < 20000; n++) {
        for (i = 0; i < sizeof(in); i++) {
            x = x * 1103515245 + 12345;
            in[i] = (unsigned char) (x >> 16);

            /* lean toward interesting bytes */
            if ((x >> 8) % 4 == 0) {
                in[i] = (unsigned char) "<>&\"'\n\r\0\xed\x95\x9c\xc3\x80"
                                        "\xf0\x9f"[(x >> 4) % 16];
            }
        }

        mode = n % 3;
        se_html_buf_init(&b);

        if (mode == 0) {
            se_html_text(&b, (char *) in, n % sizeof(in));
        } else if (mode == 1) {
            se_html_attr(&b, (char *) in, n % sizeof(in));
        } else {
            se_html_lines(&b, (char *) in, n % sizeof(in), n % 7);
        }

        for (k = 0; k < b.len; k++) {
            if ((unsigned char) b.data[k] >= 0x80 || b.data[k] == '\0') {
                ascii = 0;
            }

            if (b.data[k] == '"' || b.data[k] == '\''
                || (mode != 2 && (b.data[k] == '<' || b.data[k] == '>')))
            {
                markup = 1;
            }
        }

        if (mode == 2) {
            /* the only markup: <br> */
            for (k = 0; k < b.len; k++) {
                if (b.data[k] == '<'
                    && (k + 4 > b.len || memcmp(b.data + k, "<br>", 4)))
                {
                    markup = 1;
                }
            }
        }

        if (b.len && !refs_ok(b.data, b.len)) {
            refs = 0;
        }

        se_html_buf_free(&b);
    }

    tap_ok(ascii, "random input: output is ASCII without NUL");
    tap_ok(!markup, "random input: no < > \" ' (lines: only <br>)");
    tap_ok(refs, "random input: every & starts a reference");
}


static void
test_markup_ok(void)
{
    uint32_t  cp, bad;

    bad = 0;

    for (cp = 0; cp <= 0x110000; cp++) {
        if (se_utf8_markup_ok(cp)
            != !((cp < 0x20 && cp != 9 && cp != 10 && cp != 13)
                 || (cp >= 0x7f && cp <= 0x9f)
                 || (cp >= 0xd800 && cp <= 0xdfff)
                 || (cp >= 0xfdd0 && cp <= 0xfdef)
                 || (cp & 0xffff) == 0xfffe || (cp & 0xffff) == 0xffff
                 || cp > 0x10ffff))
        {
            bad++;
        }
    }

    tap_ok(bad == 0, "markup_ok: every code point as XML 1.0 and HTML "
           "allow it");
    tap_ok(!se_utf8_markup_ok(SE_UTF8_BAD), "markup_ok: not an invalid "
           "sequence");
}


int
main(void)
{
    test_escape();
    test_markup_ok();
    test_lines();
    test_urls();
    test_pct();
    test_oom();
    test_random();

    return tap_done();
}
