/*
 * The streaming body-tag scanner: the insertion offset of a table of
 * documents, and the same answer whatever the split (every single split
 * point, every pair of split points, one byte at a time, random pieces).
 * Every piece is fed from its own exactly-sized heap copy, so ASan sees
 * any read outside it.
 */

#include "tap.h"
#include "scan_pieces.h"
#include "se_scan_memo.h"


#define NONE  SCAN_NONE             /* no body tag: SE_AGAIN at the end */
#define DECL  SCAN_DECL             /* SE_DECLINED */


typedef struct {
    const char  *name;
    const char  *head;              /* the insertion point is after it */
    const char  *tail;
    int          found;
} scan_case_t;


static const scan_case_t  cases[] = {

    /* found */

    { "simple", "<body>", "x", 1 },
    { "simple, nothing after", "<html><body>", "", 1 },
    { "upper case", "<HTML><BODY>", "<P>x", 1 },
    { "mixed case", "<Html><bOdY Class=a>", "", 1 },
    { "attributes", "<body class=\"a b\" id='c' data-x=1 hidden>", "x", 1 },
    { "double-quoted >", "<body data-x=\"a>b\">", "x", 1 },
    { "single-quoted >", "<body data-x='a>b' onload='f(\"x>\")'>", "", 1 },
    { "unquoted value", "<body class=a/b>", "x", 1 },
    { "unquoted value with quote", "<body class=a\"b>", "\">", 1 },
    { "spaces around =", "<body class = \"a>b\" >", "", 1 },
    { "attribute named =", "<body =\"a>", "b\">", 1 },
    { "quote in attribute name", "<body a\"b>", "c\">", 1 },
    { "self-closing", "<body/>", "x", 1 },
    { "self-closing with attribute", "<body class=\"x\"/>", "x", 1 },
    { "slash in attributes", "<body / a=b / >", "x", 1 },
    { "CRLF and tabs", "<html>\r\n<body\r\n\tclass=\"x\"\r\n>", "\r\n", 1 },
    { "form feed", "<body\fclass=x>", "", 1 },
    { "full page",
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>Body <body> title</title>"
      "<style>body > p { color: red } /* <body> */</style>"
      "<script>if (a < b && c > d) document.write(\"<body>\");</script>"
      "</head>\n<body class=\"x\">", "\n<p>hello</p></body></html>", 1 },
    { "valueless attribute, self-closing", "<body hidden/>", "", 1 },
    { "empty unquoted value", "<body a=>", "", 1 },
    { "quoted value then name", "<body a=\"b\"c='>'>", "", 1 },
    { "quoted value, self-closing", "<body a='b'/>", "", 1 },
    { "slash then name", "<body/a>", "", 1 },
    { "BOM and leading bytes", "\xef\xbb\xbf \n<body>", "", 1 },
    { "second body tag", "<body>", "<body>", 1 },
    { "bodyx then body", "<bodyx><body>", "", 1 },
    { "body in attribute value", "<div title=\"<body>\"><body>", "", 1 },
    { "body as attribute name", "<div <body><body>", "", 1 },
    { "body in single-quoted value", "<a href='<body>'><body>", "", 1 },
    { "less-than-less-than", "<<body>", "", 1 },
    { "lt space", "< body><body>", "", 1 },
    { "empty end tag", "</><body>", "", 1 },
    { "bogus end tag", "</ <body><body>", "", 1 },
    { "end tag with quoted >", "</p title=\">\"><body>", "", 1 },
    { "processing instruction", "<?xml version=\"1.0\"?><body>", "", 1 },
    { "PI with body", "<?x <body x><body>", "", 1 },
    { "doctype with quoted id",
      "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0//EN\" "
      "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\"><body>", "", 1 },
    { "doctype ends at > in quotes", "<!DOCTYPE x \"a><body>", "\">", 1 },
    { "cdata is a bogus comment", "<![CDATA[ <body x]]><body>", "", 1 },

    /* comments */

    { "comment", "<!-- <body> --><body>", "", 1 },
    { "comment with dashes", "<!-- a -- b --- <body> ---><body>", "", 1 },
    { "empty comment <!---->", "<!----><body>", "", 1 },
    { "abrupt comment <!-->", "<!--><body>", "", 1 },
    { "abrupt comment <!--->", "<!---><body>", "", 1 },
    { "comment closed by --!>", "<!-- x --!><body>", "", 1 },
    { "--! not closing", "<!-- --!x <body> --><body>", "", 1 },
    { "nested comment open", "<!-- <!-- <body> --><body>", "", 1 },
    { "bogus <!-", "<!- <body><body>", "", 1 },
    { "bogus <!>", "<!><body>", "", 1 },
    { "comment with > inside", "<!-- a > b <body> -- > --><body>", "", 1 },

    { "comment single dashes", "<!--a-b-<body>-x--><body>", "", 1 },
    { "comment start dash", "<!---x <body>--><body>", "", 1 },
    { "comment --!- does not close", "<!-- --!-><body>--><body>", "", 1 },

    /* raw text */

    { "script", "<script><body></script><body>", "", 1 },
    { "script with attributes",
      "<script type=\"text/javascript\" src=\"a>b\"><body></script><body>",
      "", 1 },
    { "script decoys",
      "<script></scrip> </scriptx> </script-> <body></script><body>", "", 1 },
    { "script closed inside a JS string",
      "<script>var s = \"</script>\"<body>", "\";</script>", 1 },
    { "script close with attributes",
      "<script>x</script foo=\">\"><body>", "", 1 },
    { "script close upper case", "<SCRIPT><body></ScRiPt\t><body>", "", 1 },
    { "script close self-closing", "<script><body></script/><body>", "", 1 },
    { "script self-closing start", "<script/><body></script><body>", "", 1 },
    { "script escaped",
      "<script><!-- <body> --></script><body>", "", 1 },
    { "script escaped, closed inside",
      "<script><!-- x </script><body>", "", 1 },
    { "script double-escaped",
      "<script><!-- <script> </script> <body> --></script><body>", "", 1 },
    { "script double-escaped, double end",
      "<script><!--<script></script></script><body>", "", 1 },
    { "script double-escape needs a terminator",
      "<script><!--<scriptx></script><body>", "", 1 },
    { "script escape then -->",
      "<script><!-- --> </script><body>", "", 1 },
    { "script <!- is not an escape",
      "<script><!-<script></script><body>", "", 1 },
    { "script with lt", "<script>a<b</b</s</script><body>", "", 1 },
    { "script end tag open, not a name",
      "<script></ <body></1</script><body>", "", 1 },
    { "script <! without dash", "<script><!x</script><body>", "", 1 },
    { "script escaped end tag open, not a name",
      "<script><!--</ <body></script><body>", "", 1 },
    { "script escaped single dash", "<script><!-- -<body></script><body>", "",
      1 },
    { "script escaped lt, not a name",
      "<script><!--<1 <<body></script><body>", "", 1 },
    { "script double-escape start, not a name",
      "<script><!--<scr1</script><body>", "", 1 },
    { "script double-escaped dashes",
      "<script><!--<script> - -<x -- --> </script><body>", "", 1 },
    { "script double-escaped dash lt",
      "<script><!--<script>-</script>--</script><body>", "", 1 },
    { "script double-escaped dash dash lt",
      "<script><!--<script>--</script></script><body>", "", 1 },
    { "script double-escape end, not a name",
      "<script><!--<script></scr1 </script> --></script><body>", "", 1 },
    { "raw end tag open, not a name", "<title></ </1<body></title><body>", "",
      1 },
    { "style", "<style>p{} <body> </styles></style><body>", "", 1 },
    { "style with comment-like text",
      "<style><!-- </style> --><body>", " -->", 1 },
    { "textarea", "<textarea><body></textarea ><body>", "", 1 },
    { "title", "<title><body>: a </title-> b</title><body>", "", 1 },
    { "title with comment", "<title><!--</title>--><body>", "", 1 },
    { "xmp", "<xmp><body></xmp><body>", "", 1 },
    { "iframe", "<iframe><body></iframe><body>", "", 1 },
    { "noscript", "<noscript><body></noscript><body>", "", 1 },
    { "noframes", "<noframes><body></noframes><body>", "", 1 },
    { "noembed", "<noembed><body></noembed><body>", "", 1 },
    { "titlex is no title", "<titlex><body>", "</title>", 1 },
    { "raw end tag of another element",
      "<style></script><body></style><body>", "", 1 },
    { "raw lt lt", "<title><</title><body>", "", 1 },

    /* a quote that does not open a value (the one-pass tag reader) */

    { "quote in unquoted value after slash", "<p a=x/b=\"><body>", "\">",
      1 },
    { "quote in unquoted value after space", "<p a= b=\"><body>", "\">", 1 },
    { "quote in unquoted value starting with =", "<p a= =\"><body>", "\">",
      1 },
    { "quote in unquoted value after ==", "<p a==x\"><body>", "\">", 1 },
    { "quote in attribute named =", "<p =\"><body>", "\">", 1 },
    { "quote in attribute named = after a value", "<p a='x'=\"><body>",
      "\">", 1 },
    { "quote in tag name", "<p=\"><body>", "\">", 1 },
    { "quote after a value", "<p a=\"x\"\"><body>", "\">", 1 },
    { "quotes in an end tag", "</p a=x/b=\"><body>", "\">", 1 },
    { "ordinary tags in one piece",
      "<html lang=\"en\"><meta charset='utf-8'><link rel=\"a\" "
      "href=\"/b>\"/><div\tid = \"x\"\nclass=y hidden>"
      "<img alt=\"\" src=z.png><body>", "", 1 },

    /* not found */

    { "no body", "", "<html><head></head><p>x</p></html>", 0 },
    { "empty", "", "", 0 },
    { "bodyx", "", "<bodyx>", 0 },
    { "bodyx upper", "", "<BODYX class=a>", 0 },
    { "body-x", "", "<body-x>", 0 },
    { "bod", "", "<bod>", 0 },
    { "body followed by <", "", "<body<p>", 0 },
    { "end tag", "", "</body><p>", 0 },
    { "unterminated body", "", "<body class=\"a>", 0 },
    { "unterminated body, quote", "", "<body class='a\">", 0 },
    { "unterminated body tag", "", "<body", 0 },
    { "body in comment", "", "<!-- <body> -->", 0 },
    { "body in unterminated comment", "", "<!-- <body> -- >", 0 },
    { "comment --!", "", "<!-- --! <body>", 0 },
    { "body in doctype", "", "<!DOCTYPE <body", 0 },
    { "body in script", "", "<script><body>", 0 },
    { "body in script, decoys", "", "<script></scrip><body></scriptx>", 0 },
    { "script double-escaped, single end", "",
      "<script><!--<script></script><body>", 0 },
    { "body in style", "", "<style><body></style >", 0 },
    { "body in textarea", "", "<textarea><body>", 0 },
    { "body in title", "", "<title><body></titl><body>", 0 },
    { "body in attribute", "", "<div data-x=\"<body>\">", 0 },
    { "body in attribute, single quotes", "", "<div data-x='<body>'>", 0 },
    { "lt space body", "", "< body>", 0 },
    { "entity", "", "&lt;body&gt;", 0 },
    { "nul in name", "", "<bo\0dy>", 0 },

    /* a quote that opens a value hides the body tag */

    { "value after slash", "", "<p/b=\"><body>\">", 0 },
    { "value after a value", "", "<p a=\"x\"b=\"><body>\">", 0 },
    { "value after an unquoted value", "", "<p a=b c=\"><body>\">", 0 },
    { "value after slash and space", "", "<p a=x/ b=\"><body>\">", 0 },
    { "value after form feed", "", "<p\fa=\"><body>\">", 0 },
    { "value after a quote in a name", "", "<p a\"=\"><body>\">", 0 },
    { "value in an end tag", "", "</p a=\"><body>\">", 0 },
    { "value with spaces around =", "", "<p a \t=\n '><body>'>", 0 },

    /* declined */

    { "frameset", "", "<html><frameset><body>", 0 },
    { "plaintext", "", "<plaintext><body>", 0 },
    { "after </html>", "", "<html></html><body>", 0 },
    { "after </body>", "", "<p></body><body>", 0 },
    { "after </HTML >", "", "</HTML ><body>", 0 },
};


typedef struct {
    size_t   off;                   /* absolute insertion offset */
    int      rc;                    /* SE_OK, SE_AGAIN, SE_DECLINED */
    size_t   size;
} scan_doc_t;


static size_t        window;
static unsigned long rnd_state = 20260121;


static unsigned long
rnd(void)
{
    rnd_state = rnd_state * 6364136223846793005UL + 1442695040888963407UL;
    return rnd_state >> 33;
}


/* the answer for doc in the pieces ending at cut[], or a broken one */

static size_t
scan_doc(const unsigned char *doc, size_t len, const size_t *cut,
    size_t ncut)
{
    size_t       got;
    const char  *why = NULL;

    got = scan_pieces(doc, len, window, cut, ncut, &why);

    if (got == SCAN_BROKEN) {
        tap_diag("the scanner broke its contract: %s", why);
    }

    return got;
}


static const char *
show(size_t off, char *buf)
{
    if (off == NONE) {
        return "none";
    }

    if (off == DECL) {
        return "declined";
    }

    sprintf(buf, "%zu", off);

    return buf;
}


/* the answer in one piece, then every kind of split must agree */

static void
check_doc(const char *name, const unsigned char *doc, size_t len,
    size_t want, int full)
{
    char    b1[32], b2[32];
    size_t  i, j, k, n, got, one, bad, step, *cut;

    one = scan_doc(doc, len, NULL, 0);

    if (!tap_ok(one == want || (want == NONE && one == DECL),
                "%s: one piece: %s", name, show(one, b1)))
    {
        tap_diag("expected %s", show(want, b2));
    }

    cut = malloc((len + 2) * sizeof(size_t));
    if (cut == NULL) {
        abort();
    }

    /* every single split point */

    bad = 0;

    step = (len > 2000) ? 97 : 1;

    for (i = 0; i <= len; i += step) {
        cut[0] = i;
        got = scan_doc(doc, len, cut, 1);

        if (got != one && bad++ == 0) {
            tap_diag("split at %zu: %s", i, show(got, b1));
        }
    }

    tap_ok(bad == 0, "%s: %zu two-piece splits agree", name,
           len / step + 1);

    /* every pair of split points */

    if (full) {
        bad = 0;
        n = 0;

        for (i = 0; i <= len; i++) {
            for (j = i; j <= len; j++) {
                cut[0] = i;
                cut[1] = j;
                got = scan_doc(doc, len, cut, 2);
                n++;

                if (got != one && bad++ == 0) {
                    tap_diag("split at %zu, %zu: %s", i, j, show(got, b1));
                }
            }
        }

        tap_ok(bad == 0, "%s: %zu three-piece splits agree", name, n);
    }

    /* one byte at a time */

    for (i = 0; i < len; i++) {
        cut[i] = i + 1;
    }

    got = scan_doc(doc, len, cut, len);

    tap_ok(got == one, "%s: one byte at a time: %s", name, show(got, b1));

    /* random pieces, empty ones included */

    bad = 0;

    for (k = 0; k < 50; k++) {
        n = 0;
        i = 0;

        while (i < len && n < len + 1) {
            i += rnd() % 8;
            cut[n++] = i < len ? i : len;
        }

        got = scan_doc(doc, len, cut, n);

        if (got != one && bad++ == 0) {
            tap_diag("random split #%zu: %s", k, show(got, b1));
        }
    }

    tap_ok(bad == 0, "%s: 50 random splits agree", name);

    free(cut);
}


/* the answer for doc fed whole to a scanner of the window w */

static size_t
plain_scan(const unsigned char *doc, size_t len, size_t w)
{
    int        rc;
    size_t     pos;
    se_scan_t  s;

    se_scan_init(&s, w);

    rc = se_scan_feed(&s, len ? doc : NULL, len, &pos);

    return rc == SE_OK ? pos : rc == SE_DECLINED ? DECL : NONE;
}


/*
 * The answer for doc through the memo: its first "first" bytes as the
 * first piece (se_scan_memo_feed), the rest as a second piece.
 */

static size_t
memo_scan(se_scan_memo_t *m, const unsigned char *doc, size_t len,
    size_t first)
{
    int        rc;
    size_t     pos;
    se_scan_t  s;

    se_scan_init(&s, m->window);

    if (first > len) {
        first = len;
    }

    rc = se_scan_memo_feed(m, &s, doc, first, &pos);

    if (rc == SE_AGAIN && len > first) {
        rc = se_scan_feed(&s, doc + first, len - first, &pos);
        pos += first;
    }

    return rc == SE_OK ? pos : rc == SE_DECLINED ? DECL : NONE;
}


/*
 * The memo never changes an answer: for every case document after the
 * memo kept another one; and for a long document after the memo kept it,
 * with one byte changed (to a quote, '<', '>', '-' or its other case) at
 * positions all along it, cut into a first piece of several lengths.
 */

static size_t  memo_bad, memo_runs;

static void
memo_check(se_scan_memo_t *m, const unsigned char *doc, size_t len,
    size_t first, const char *what)
{
    size_t  got, want;

    got = memo_scan(m, doc, len, first);
    want = plain_scan(doc, len, m->window);

    memo_runs++;

    if (got != want && memo_bad++ < 5) {
        tap_diag("memo: %s (%zu bytes, first piece %zu): %zu, want %zu",
                 what, len, first, got, want);
    }
}


static void
check_memo_cases(const unsigned char **docs, const size_t *lens,
    size_t ndocs)
{
    size_t           i, j;
    se_scan_memo_t  *m;

    m = malloc(sizeof(se_scan_memo_t));
    if (m == NULL) {
        abort();
    }

    memo_bad = 0;
    memo_runs = 0;

    for (i = 0; i < ndocs; i++) {
        for (j = 0; j < ndocs; j++) {
            se_scan_memo_init(m, 0);
            memo_check(m, docs[i], lens[i], lens[i], "a case");
            memo_check(m, docs[j], lens[j], lens[j], "after another case");
            memo_check(m, docs[j], lens[j], lens[j] / 2,
                       "after another case, half");
        }
    }

    tap_ok(memo_bad == 0, "memo: every case after every other: %zu of %zu "
           "answers differ", memo_bad, memo_runs);

    free(m);
}


/* a head of about n bytes: tags, quotes, a comment, a script, then body */

static unsigned char *
long_doc(size_t n, size_t *len)
{
    size_t          i;
    unsigned char  *doc;

    doc = malloc(n + 400);
    if (doc == NULL) {
        abort();
    }

    i = (size_t) sprintf((char *) doc, "<!DOCTYPE html><html><head>");

    while (i < n) {
        i += (size_t) sprintf((char *) doc + i,
                              "<meta name=\"m%zu\" content='a>b'>"
                              "<!-- <body> %zu --><script>if (a<b) "
                              "x(\"</scr\"+\"ipt>\");</script>\n", i, i);
    }

    i += (size_t) sprintf((char *) doc + i,
                          "</head><body class=\"x\"><p>after</p>");
    *len = i;

    return doc;
}


static void
check_memo_long(size_t n, size_t window)
{
    size_t           i, j, k, len, every;
    unsigned char   *doc, *b;
    se_scan_memo_t  *m;

    static const unsigned char  subst[] = { '"', '<', '>', '-', 0 };
    static const size_t         firsts[] = { 100, 511, 512, 513, 1500, 0 };

    doc = long_doc(n, &len);
    b = malloc(len);
    m = malloc(sizeof(se_scan_memo_t));
    if (b == NULL || m == NULL) {
        abort();
    }

    memo_bad = 0;
    memo_runs = 0;
    every = len > 3000 ? 97 : 1;

    for (i = 0; i < len; i += every) {
        for (k = 0; k < sizeof(subst); k++) {
            memcpy(b, doc, len);
            b[i] = subst[k] ? subst[k] : (unsigned char) (doc[i] ^ 0x20);

            se_scan_memo_init(m, window);
            memo_check(m, doc, len, len, "the document");
            memo_check(m, b, len, len, "one byte changed");
            memo_check(m, doc, len, len, "the document again");

            j = (i + k) % (sizeof(firsts) / sizeof(firsts[0]));
            memo_check(m, b, len, firsts[j] ? firsts[j] : len,
                       "one byte changed, first piece cut");
            memo_check(m, doc, len, len, "the document after");
        }
    }

    tap_ok(memo_bad == 0, "memo: %zu-byte document, window %zu, one byte "
           "changed at every %zu: %zu of %zu answers differ", len, window,
           every, memo_bad, memo_runs);

    free(m);
    free(b);
    free(doc);
}


/* "<!--", n - 11 filler bytes, "--><body>": the body tag ends at n */

static unsigned char *
padded(size_t n)
{
    unsigned char  *doc;

    doc = malloc(n);
    if (doc == NULL) {
        abort();
    }

    memcpy(doc, "<!--", 4);
    memset(doc + 4, 'x', n - 13);
    memcpy(doc + n - 9, "--><body>", 9);

    return doc;
}


int
main(void)
{
    int              rc;
    char             name[64];
    size_t           i, hl, tl, pos, want, sizes[] = { 100, 1000 };
    size_t           ndocs, *lens;
    se_scan_t        s;
    unsigned char   *doc, **docs;
    se_scan_memo_t  *m;

    tap_diag("sizeof(se_scan_t) = %zu", sizeof(se_scan_t));
    tap_ok(sizeof(se_scan_t) <= 2 * sizeof(size_t),
           "state is small: %zu bytes", sizeof(se_scan_t));

    /* the table */

    ndocs = sizeof(cases) / sizeof(cases[0]);
    docs = calloc(ndocs, sizeof(unsigned char *));
    lens = calloc(ndocs, sizeof(size_t));
    if (docs == NULL || lens == NULL) {
        abort();
    }

    for (i = 0; i < ndocs; i++) {
        hl = strlen(cases[i].head);
        tl = strlen(cases[i].tail);

        /* "nul in name" has a NUL byte inside its tail */

        if (strcmp(cases[i].name, "nul in name") == 0) {
            tl = 7;
        }

        doc = malloc(hl + tl + 1);
        if (doc == NULL) {
            abort();
        }

        memcpy(doc, cases[i].head, hl);
        memcpy(doc + hl, cases[i].tail, tl);

        want = cases[i].found ? hl : NONE;

        check_doc(cases[i].name, doc, hl + tl, want, hl + tl <= 160);

        docs[i] = doc;
        lens[i] = hl + tl;
    }

    check_memo_cases((const unsigned char **) docs, lens, ndocs);

    for (i = 0; i < ndocs; i++) {
        free(docs[i]);
    }

    free(docs);
    free(lens);

    /* declined, not merely not found */

    window = 0;

    {
        static const char  *declined[] = {
            "<html><frameset><body>", "<plaintext><body>",
            "<html></html><body>", "<p></body><body>",
            "<HTML><FRAMESET ROWS=\"*\"></FRAMESET>"
        };

        for (i = 0; i < sizeof(declined) / sizeof(declined[0]); i++) {
            tap_ok(scan_doc((const unsigned char *) declined[i],
                               strlen(declined[i]), NULL, 0) == DECL,
                   "declined: %s", declined[i]);
        }
    }

    /* the window: the body tag must end within it */

    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        window = sizes[i];

        doc = padded(sizes[i]);
        snprintf(name, sizeof(name), "window %zu, body ends at %zu",
                 sizes[i], sizes[i]);
        check_doc(name, doc, sizes[i], sizes[i], sizes[i] <= 100);
        free(doc);

        doc = padded(sizes[i] + 1);
        snprintf(name, sizeof(name), "window %zu, body ends at %zu",
                 sizes[i], sizes[i] + 1);
        check_doc(name, doc, sizes[i] + 1, DECL, sizes[i] <= 100);
        tap_ok(scan_doc(doc, sizes[i] + 1, NULL, 0) == DECL,
               "window %zu exceeded: declined", sizes[i]);
        free(doc);
    }

    window = 0;

    doc = padded(SE_SCAN_WINDOW);
    tap_ok(scan_doc(doc, SE_SCAN_WINDOW, NULL, 0) == SE_SCAN_WINDOW,
           "default window: body ending at %d found", SE_SCAN_WINDOW);
    free(doc);

    doc = padded(SE_SCAN_WINDOW + 1);
    tap_ok(scan_doc(doc, SE_SCAN_WINDOW + 1, NULL, 0) == DECL,
           "default window: body ending at %d declined",
           SE_SCAN_WINDOW + 1);
    free(doc);

    /* a stream that ends exactly at the window is over */

    se_scan_init(&s, 4);
    tap_ok(se_scan_feed(&s, (const unsigned char *) "<p>", 3, &pos)
           == SE_AGAIN, "3 bytes of a 4-byte window: again");
    tap_ok(se_scan_feed(&s, (const unsigned char *) "x", 1, &pos)
           == SE_DECLINED, "4 bytes of a 4-byte window: declined");

    /* calls after the answer, empty pieces */

    se_scan_init(&s, 0);
    tap_ok(se_scan_feed(&s, NULL, 0, &pos) == SE_AGAIN,
           "empty piece: again");
    pos = 0;
    rc = se_scan_feed(&s, (const unsigned char *) "<body><p>", 9, &pos);
    tap_ok(rc == SE_OK && pos == 6, "found at %zu", pos);
    tap_ok(se_scan_feed(&s, (const unsigned char *) "<body>", 6, &pos)
           == SE_DECLINED, "after the answer: declined");
    tap_ok(se_scan_feed(&s, NULL, 0, &pos) == SE_DECLINED,
           "after the answer, empty piece: declined");

    se_scan_init(&s, 0);
    tap_ok(se_scan_feed(&s, (const unsigned char *) "<frameset>", 10, &pos)
           == SE_DECLINED, "frameset: declined");
    tap_ok(se_scan_feed(&s, (const unsigned char *) "<body>", 6, &pos)
           == SE_DECLINED, "after declining: declined");

    /* a long document in large pieces: the data fast path */

    doc = malloc(40000);
    if (doc == NULL) {
        abort();
    }

    for (i = 0; i < 40000; i++) {
        doc[i] = "abc <p>def</p>\n"[i % 15];
    }

    memcpy(doc + 30000, "<BODY\tclass=\"x>y\">", 18);
    check_doc("40000-byte document", doc, 40000, 30018, 0);

    /* the memo along long heads: shared steps, the answer, windows */

    check_memo_long(300, 0);
    check_memo_long(1400, 0);
    check_memo_long(6000, 0);
    check_memo_long(20000, 0);
    check_memo_long(1400, 1000);
    check_memo_long(6000, 5000);

    /* a first piece that ends before the kept answer is scanned */

    m = malloc(sizeof(se_scan_memo_t));
    if (m == NULL) {
        abort();
    }

    memcpy(doc + 100, "<body>", 6);
    se_scan_memo_init(m, 0);
    tap_ok(memo_scan(m, doc, 40000, 40000) == 106, "memo: found at 106");
    tap_ok(m->answer == 106, "memo: keeps the answer 106");
    tap_ok(memo_scan(m, doc, 40000, 105) == 106,
           "memo: a first piece of 105 bytes: still 106");
    tap_ok(memo_scan(m, doc, 105, 105) == NONE,
           "memo: a stream of 105 bytes: none");
    free(m);
    free(doc);

    return tap_done();
}
