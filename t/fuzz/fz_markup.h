/*
 * Checks of the fuzzers' HTML and XML outputs with real parsers.
 *
 * XML: libxml2, no network, no entity substitution, no DTD loaded; any
 * error or warning at all, or a document type declaration, aborts.  The
 * caller then checks the tree (element and attribute names).
 *
 * HTML: gumbo (the HTML5 parsing algorithm), as a document or as a
 * fragment in <body>; any parse error aborts, and so does any element
 * outside the caller's list (in the HTML namespace: no SVG or MathML),
 * any script, any attribute named on*, any attribute outside the list,
 * and any href or src whose scheme (as a browser reads it, with tabs and
 * line breaks removed) is not http or https.
 */

#ifndef FZ_MARKUP_H
#define FZ_MARKUP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gumbo.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>


static const char  *fz_markup_what;
static size_t       fz_xml_nerrors;


static void
fz_markup_fail(const char *why, const char *detail, const char *s,
    size_t len)
{
    fprintf(stderr, "%s: %s%s%s\n%.*s\n", fz_markup_what, why,
            detail ? ": " : "", detail ? detail : "",
            len > 8192 ? 8192 : (int) len, s ? s : "");
    abort();
}


static void
fz_xml_error(void *data, xmlErrorPtr e)
{
    (void) data;

    if (e != NULL) {
        fprintf(stderr, "libxml2: %d:%d: %s", e->line, e->int2,
                e->message ? e->message : "?\n");
    }

    fz_xml_nerrors++;
}


/* the document, to xmlFreeDoc(); aborts when it is not clean XML 1.0 */
static xmlDocPtr
fz_xml_parse(const char *what, const char *s, size_t len)
{
    xmlDocPtr  doc;

    fz_markup_what = what;

    if (len > 0x7fffffff) {
        fz_markup_fail("too long for libxml2", NULL, NULL, 0);
    }

    xmlSetStructuredErrorFunc(NULL, fz_xml_error);
    fz_xml_nerrors = 0;

    doc = xmlReadMemory(s, (int) len, "fuzz.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOCDATA);

    if (doc == NULL || fz_xml_nerrors) {
        fz_markup_fail("not well-formed XML", NULL, s, len);
    }

    if (doc->intSubset || doc->extSubset) {
        fz_markup_fail("a document type declaration", NULL, s, len);
    }

    return doc;
}


/* whether name is one of list (NULL-terminated) */
static int
fz_markup_in(const char *name, const char *const *list)
{
    for ( /* void */ ; *list; list++) {
        if (strcmp(name, *list) == 0) {
            return 1;
        }
    }

    return 0;
}


/*
 * Every element and attribute of the tree is named in the lists (a
 * name with its namespace prefix, "atom:link", "xml:lang"), and there
 * are no comments, processing instructions or entity references.
 */
static void
fz_xml_names(xmlNodePtr n, const char *const *elements,
    const char *const *attrs, const char *s, size_t len)
{
    char        name[128];
    xmlAttrPtr  a;

    for ( /* void */ ; n; n = n->next) {

        switch (n->type) {

        case XML_ELEMENT_NODE:
            snprintf(name, sizeof(name), "%s%s%s",
                     n->ns && n->ns->prefix ? (char *) n->ns->prefix : "",
                     n->ns && n->ns->prefix ? ":" : "", (char *) n->name);

            if (!fz_markup_in(name, elements)) {
                fz_markup_fail("an element not written by the renderer",
                               name, s, len);
            }

            for (a = n->properties; a; a = a->next) {
                snprintf(name, sizeof(name), "%s%s%s",
                         a->ns && a->ns->prefix ? (char *) a->ns->prefix
                                                : "",
                         a->ns && a->ns->prefix ? ":" : "",
                         (char *) a->name);

                if (!fz_markup_in(name, attrs)
                    || strncasecmp(name, "on", 2) == 0)
                {
                    fz_markup_fail("an attribute not written by the "
                                   "renderer", name, s, len);
                }
            }

            fz_xml_names(n->children, elements, attrs, s, len);
            break;

        case XML_TEXT_NODE:
            break;

        default:
            fz_markup_fail("a node that is not an element or text", NULL,
                           s, len);
        }
    }
}


/* a URL's scheme as a browser reads it: only http and https pass */
static int
fz_url_scheme_ok(const char *v)
{
    char    buf[16];
    size_t  n;

    /* leading C0 controls and spaces are stripped, tab and LF removed */
    while (*v && (unsigned char) *v <= 0x20) {
        v++;
    }

    for (n = 0; *v && n < sizeof(buf) - 1; v++) {
        if (*v == '\t' || *v == '\n' || *v == '\r') {
            continue;
        }

        if (*v == ':') {
            buf[n] = '\0';
            return strcasecmp(buf, "http") == 0
                   || strcasecmp(buf, "https") == 0;
        }

        if (*v == '/' || *v == '?' || *v == '#') {
            return 1;               /* relative: no scheme */
        }

        buf[n++] = *v;
    }

    /* a long first segment: relative unless a ':' ends it */
    return v[strcspn(v, ":/?#")] != ':';
}


static void
fz_html_walk(const GumboNode *n, const char *const *tags,
    const char *const *attrs, const char *s, size_t len, size_t *count)
{
    size_t                i;
    const char           *tag;
    const GumboVector    *kids;
    const GumboAttribute *a;

    if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_TEMPLATE) {
        if (n->type == GUMBO_NODE_COMMENT) {
            fz_markup_fail("a comment", NULL, s, len);
        }
        return;
    }

    tag = gumbo_normalized_tagname(n->v.element.tag);

    if (n->v.element.tag_namespace != GUMBO_NAMESPACE_HTML) {
        fz_markup_fail("an element outside HTML", tag, s, len);
    }

    if (n->v.element.tag == GUMBO_TAG_SCRIPT
        || n->v.element.tag == GUMBO_TAG_UNKNOWN
        || !fz_markup_in(tag, tags))
    {
        fz_markup_fail("an element not written by the renderer", tag, s,
                       len);
    }

    (*count)++;

    for (i = 0; i < n->v.element.attributes.length; i++) {
        a = n->v.element.attributes.data[i];

        if (strncasecmp(a->name, "on", 2) == 0
            || !fz_markup_in(a->name, attrs))
        {
            fz_markup_fail("an attribute not written by the renderer",
                           a->name, s, len);
        }

        if ((strcmp(a->name, "href") == 0 || strcmp(a->name, "src") == 0)
            && !fz_url_scheme_ok(a->value))
        {
            fz_markup_fail("a URL of another scheme", a->value, s, len);
        }
    }

    kids = &n->v.element.children;

    for (i = 0; i < kids->length; i++) {
        fz_html_walk(kids->data[i], tags, attrs, s, len, count);
    }
}


/*
 * Parses s as a document (fragment 0) or as a fragment in <body>; the
 * output, to gumbo_destroy_output().  The element count in *count.
 */
static GumboOutput *
fz_html_parse(const char *what, const char *s, size_t len, int fragment,
    const char *const *tags, const char *const *attrs, size_t *count)
{
    GumboOutput   *out;
    GumboOptions   o;

    fz_markup_what = what;

    o = kGumboDefaultOptions;
    o.max_errors = 1;

    if (fragment) {
        o.fragment_context = GUMBO_TAG_BODY;
        o.fragment_namespace = GUMBO_NAMESPACE_HTML;
    }

    out = gumbo_parse_with_options(&o, s, len);
    if (out == NULL) {
        fz_markup_fail("gumbo failed", NULL, s, len);
    }

    if (out->errors.length) {
        fz_markup_fail("an HTML parse error", NULL, s, len);
    }

    *count = 0;
    fz_html_walk(out->root, tags, attrs, s, len, count);

    return out;
}


#endif /* FZ_MARKUP_H */
