/*
 * libFuzzer target: the state of fuzz_state.c (same input encoding, same
 * seeds: corpus-page is corpus-state) rendered as every HTML and XML
 * output, each checked with a real parser (fz_markup.h):
 *
 *   - the status page, in English and Korean, with and without a time
 *     zone and history: ASCII, and an HTML5 document (gumbo) without a
 *     parse error, with only the elements and attributes the renderer
 *     writes, no script, no on* attribute, no URL of a scheme other than
 *     http or https;
 *   - the Atom and RSS feeds: XML 1.0 (libxml2) without an error, with
 *     only the feeds' elements and attributes;
 *   - the banner of the records a public and an internal request see,
 *     and of every incident and maintenance (up to 8 each), in both
 *     languages, with a dismiss control: an HTML fragment in <body>
 *     without a parse error, one div.se-banner holding everything, only
 *     the banner's elements, classes and attributes;
 *   - the gate page of every maintenance (up to 8), in both languages:
 *     as the status page.
 *
 *   make fuzz FUZZ=page FUZZ_RUNS=... (see the Makefile)
 */

#define LLVMFuzzerTestOneInput  fz_state_one
#include "fuzz_state.c"
#undef LLVMFuzzerTestOneInput

#include "se_page.h"
#include "se_feed.h"
#include "se_pool.h"
#include "se_state.h"
#include "se_banner.h"
#include "se_gate.h"
#include "fz_markup.h"

#define FZ_MAX_RECORDS  8

/* a request URI with everything an attribute value must not take */
#define FZ_URI          "/a/b?c=\"d'<e>&f=%41#g"
#define FZ_URI_LEN      (sizeof(FZ_URI) - 1)


static const char  *const fz_page_tags[] = {
    "html", "head", "body", "meta", "title", "link", "style", "header",
    "main", "footer", "section", "article", "details", "summary", "h1",
    "h2", "h3", "h4", "p", "div", "span", "strong", "a", "ul", "ol",
    "li", "time", "br", NULL
};

static const char  *const fz_page_attrs[] = {
    "charset", "content", "name", "class", "id", "lang", "href", "rel",
    "datetime", "aria-labelledby", "aria-label", "aria-hidden", "role",
    "title", "type", NULL
};

static const char  *const fz_banner_tags[] = {
    "html", "div", "p", "strong", "span", "a", "br", NULL
};

static const char  *const fz_banner_attrs[] = {
    "class", "role", "aria-live", "aria-label", "aria-hidden", "lang",
    "href", "title", NULL
};

static const char  *const fz_banner_classes[] = {
    "se-content", "se-title", "se-level", "se-name", "se-update",
    "se-status", "se-text", "se-meta", "se-when", "se-next", "se-link",
    "se-dismiss", NULL
};

static const char  *const fz_feed_elements[] = {
    "feed", "id", "title", "updated", "link", "author", "name",
    "generator", "entry", "published", "category", "content", "rss",
    "channel", "description", "language", "atom:link", "item", "guid",
    "pubDate", "lastBuildDate", NULL
};

static const char  *const fz_feed_attrs[] = {
    "xml:lang", "rel", "type", "href", "term", "version", "isPermaLink",
    NULL
};


static void
fz_ascii(const char *what, const char *s, size_t len)
{
    size_t  i;

    fz_markup_what = what;

    if (s == NULL || strlen(s) != len) {
        fz_markup_fail("not NUL-terminated at len", NULL, s, len);
    }

    for (i = 0; i < len; i++) {
        if ((unsigned char) s[i] >= 0x80
            || ((unsigned char) s[i] < 0x20 && s[i] != '\n' && s[i] != '\t'
                && s[i] != '\r'))
        {
            fz_markup_fail("not ASCII text", NULL, s, len);
        }
    }
}


static void
fz_page_check(const char *what, const char *s, size_t len)
{
    size_t        n;
    GumboOutput  *out;

    fz_ascii(what, s, len);

    out = fz_html_parse(what, s, len, 0, fz_page_tags, fz_page_attrs, &n);
    gumbo_destroy_output(&kGumboDefaultOptions, out);
}


static void
fz_feed_check(const char *s, size_t len)
{
    xmlDocPtr  doc;

    doc = fz_xml_parse("fuzz_page (feed)", s, len);
    fz_xml_names(xmlDocGetRootElement(doc), fz_feed_elements,
                 fz_feed_attrs, s, len);
    xmlFreeDoc(doc);
}


/* every element below the banner's root has one of its classes, or none */
static void
fz_banner_classes_ok(const GumboNode *n, const char *s, size_t len)
{
    size_t          i;
    GumboAttribute *a;

    if (n->type != GUMBO_NODE_ELEMENT) {
        return;
    }

    a = gumbo_get_attribute(&n->v.element.attributes, "class");

    if (a && !fz_markup_in(a->value, fz_banner_classes)) {
        fz_markup_fail("a class not written by the banner", a->value, s,
                       len);
    }

    if (a == NULL && n->v.element.tag != GUMBO_TAG_BR
        && n->v.element.tag != GUMBO_TAG_SPAN)
    {
        fz_markup_fail("an element without a class", NULL, s, len);
    }

    for (i = 0; i < n->v.element.children.length; i++) {
        fz_banner_classes_ok(n->v.element.children.data[i], s, len);
    }
}


static void
fz_banner_check(const se_model_t *m, const se_incident_t *rec,
    se_lang_e lang, int64_t now)
{
    char              *html, *p;
    size_t             i, n, roots, hlen;
    se_banner_t        b;
    GumboNode         *root, *el, *kid;
    GumboOutput       *out;
    GumboAttribute    *cls;
    se_banner_opts_t   o;

    memset(&o, 0, sizeof(o));
    o.lang = lang;
    o.dismiss = "/.status-edge/dismiss";
    o.dismiss_len = sizeof("/.status-edge/dismiss") - 1;
    o.now = now;

    if (se_banner_render(m, rec, &o, &b) != SE_OK) {
        abort();
    }

    fz_ascii("fuzz_page (banner)", b.data, b.len);

    if (b.ret != SE_BANNER_NO_RET && b.ret > b.len) {
        fz_markup_fail("the return path beyond the banner", NULL, b.data,
                       b.len);
    }

    /* as the filter sends it: the request's return path at ret */

    html = b.data;
    hlen = b.len;

    if (b.ret != SE_BANNER_NO_RET) {
        html = malloc(b.len + se_banner_return_len(FZ_URI, FZ_URI_LEN) + 1);
        if (html == NULL) {
            abort();
        }

        memcpy(html, b.data, b.ret);
        p = se_banner_return_write(html + b.ret, FZ_URI, FZ_URI_LEN);
        memcpy(p, b.data + b.ret, b.len - b.ret);
        hlen = (p - html) + b.len - b.ret;
        html[hlen] = '\0';
    }

    out = fz_html_parse("fuzz_page (banner)", html, hlen, 1,
                        fz_banner_tags, fz_banner_attrs, &n);

    /* the fragment's html holds one div.se-banner and nothing else */

    root = out->root;
    el = NULL;
    roots = 0;

    for (i = 0; i < root->v.element.children.length; i++) {
        kid = root->v.element.children.data[i];

        if (kid->type == GUMBO_NODE_WHITESPACE) {
            continue;
        }

        if (kid->type != GUMBO_NODE_ELEMENT) {
            fz_markup_fail("text outside the banner", NULL, html, hlen);
        }

        el = kid;
        roots++;
    }

    cls = el ? gumbo_get_attribute(&el->v.element.attributes, "class")
             : NULL;

    if (roots != 1 || el->v.element.tag != GUMBO_TAG_DIV || cls == NULL
        || strncmp(cls->value, "se-banner se-", 13) != 0)
    {
        fz_markup_fail("not one div.se-banner", NULL, html, hlen);
    }

    for (i = 0; i < el->v.element.children.length; i++) {
        fz_banner_classes_ok(el->v.element.children.data[i], html, hlen);
    }

    gumbo_destroy_output(&kGumboDefaultOptions, out);

    if (html != b.data) {
        free(html);
    }

    se_banner_free(&b);
}


static void
fz_records_check(const se_model_t *m, int64_t now)
{
    size_t                i;
    int                   lang;
    char                 *out;
    size_t                len;
    se_banner_ctx_t       ctx;
    const se_incident_t  *rec;

    for (lang = 0; lang < SE_LANG_N; lang++) {
        memset(&ctx, 0, sizeof(ctx));
        ctx.now = now;

        for (ctx.internal = 0; ctx.internal < 2; ctx.internal++) {
            rec = se_banner_choose(m, &ctx);
            if (rec) {
                fz_banner_check(m, rec, (se_lang_e) lang, now);
            }
        }

        for (i = 0; i < m->nincidents && i < FZ_MAX_RECORDS; i++) {
            fz_banner_check(m, &m->incidents[i], (se_lang_e) lang, now);
        }

        for (i = 0; i < m->nmaintenances && i < FZ_MAX_RECORDS; i++) {
            fz_banner_check(m, &m->maintenances[i], (se_lang_e) lang, now);

            if (se_gate_render(m, &m->maintenances[i], (se_lang_e) lang,
                               &out, &len)
                != SE_OK)
            {
                abort();
            }

            fz_page_check("fuzz_page (gate)", out, len);
            se_free(out);
        }
    }
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static se_raw_t  nodes[FZ_MAX_NODES];
    static se_tz_t  *seoul;
    static int       loaded;
    fz_reader_t      r;
    se_raw_t         root;
    se_state_t      *st;
    se_page_opts_t   o;
    char            *out;
    size_t           len;
    int              lang, k;

    if (!loaded) {
        seoul = se_tz_load(NULL, "Asia/Seoul", 10);
        loaded = 1;
    }

    r.p = data;
    r.n = size;
    r.nodes = nodes;
    r.used = 0;

    fz_decode(&r, &root, 0);

    if (se_state_build(&root, &st) != SE_OK) {
        abort();
    }

    memset(&o, 0, sizeof(o));
    o.now = 1795272000;

    for (lang = 0; lang < SE_LANG_N; lang++) {
        for (k = 0; k < 2; k++) {
            o.lang = (se_lang_e) lang;
            o.tz = k ? seoul : NULL;
            o.history_days = k ? 14 : 0;

            if (se_page_render(se_state_model(st), &o, &out, &len) != SE_OK) {
                abort();
            }

            fz_page_check("fuzz_page (status page)", out, len);
            se_free(out);
        }
    }

    for (k = 0; k < SE_FEED_N; k++) {
        if (se_feed_render(se_state_model(st), (se_feed_e) k, &out, &len)
            != SE_OK)
        {
            abort();
        }

        fz_feed_check(out, len);
        se_free(out);
    }

    fz_records_check(se_state_model(st), o.now);

    (void) se_page_refresh_at(se_state_model(st), seoul, o.now);

    se_state_free(st);

    return 0;
}
