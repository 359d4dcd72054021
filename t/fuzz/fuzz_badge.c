/*
 * libFuzzer target for the SVG badge (se_badge.h): any label and value
 * bytes give one well-formed, ASCII SVG whose text cannot open markup.
 *
 * Input: one control byte c (c % SE_BADGE_N: the colour), then the label
 * and the value separated by the first NUL byte (no NUL: all label).
 *
 * Checks, with label and value in exactly-sized heap copies:
 *   - rendering succeeds, the result is NUL-terminated at len, ASCII;
 *   - it parses as XML 1.0 with libxml2 (fz_markup.h: no error, no
 *     warning, no DTD, no network), one svg element in the SVG
 *     namespace, with exactly the elements and attributes (in order) of
 *     the badge of empty texts: the texts cannot make or break markup;
 *   - the title's text is the aria-label's value: what the escaper
 *     writes reads back the same in text and in an attribute.
 *
 *   make fuzz FUZZ_RUNS=... (links libxml2 and gumbo: see the Makefile)
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se_badge.h"
#include "fz_markup.h"


static void
fz_fail(const char *what, const se_badge_t *b)
{
    fprintf(stderr, "fuzz_badge: %s\n%.*s\n", what,
            b ? (int) b->len : 0, b ? b->data : "");
    abort();
}


/* the names of the elements and attributes, in document order */
static size_t
fz_shape(xmlNodePtr n, char *buf, size_t size, size_t at)
{
    xmlAttrPtr  a;

    for ( /* void */ ; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) {
            continue;
        }

        at += snprintf(buf + at, at < size ? size - at : 0, "<%s%s",
                       (char *) n->name,
                       n->ns && n->ns->href
                       && strcmp((char *) n->ns->href,
                                 "http://www.w3.org/2000/svg") == 0
                       ? "" : "!ns");

        for (a = n->properties; a; a = a->next) {
            at += snprintf(buf + at, at < size ? size - at : 0, " %s",
                           (char *) a->name);
        }

        at = fz_shape(n->children, buf, size, at);
    }

    return at;
}


static void
fz_eol(xmlChar *s)
{
    xmlChar  *d;

    for (d = s; *s; s++) {
        if (*s == '\r') {
            *d++ = '\n';
            if (s[1] == '\n') {
                s++;
            }
            continue;
        }
        *d++ = *s;
    }

    *d = '\0';
}


static void
fz_check_svg(const se_badge_t *b, const char *ref_shape)
{
    char        shape[2048];
    xmlDocPtr   doc;
    xmlNodePtr  root, n;
    xmlChar    *label, *title;

    doc = fz_xml_parse("fuzz_badge", b->data, b->len);
    root = xmlDocGetRootElement(doc);

    if (fz_shape(root, shape, sizeof(shape), 0) >= sizeof(shape)
        || strcmp(shape, ref_shape) != 0)
    {
        fprintf(stderr, "shape %s\nwanted %s\n", shape, ref_shape);
        fz_fail("the text made or broke markup", b);
    }

    for (n = root->children; n && n->type != XML_ELEMENT_NODE; n = n->next)
    { /* void */ }

    label = xmlGetProp(root, (const xmlChar *) "aria-label");
    title = n ? xmlNodeGetContent(n) : NULL;

    /* text, unlike the attribute, reads a raw CR or CRLF as LF */
    if (label) {
        fz_eol(label);
    }

    if (label == NULL || title == NULL
        || strcmp((char *) label, (char *) title) != 0)
    {
        fz_fail("the title and the aria-label differ", b);
    }

    xmlFree(label);
    xmlFree(title);
    xmlFreeDoc(doc);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char               *label, *value;
    static char         ref_shape[SE_BADGE_N][2048];
    size_t              i, llen, vlen;
    xmlDocPtr           doc;
    const uint8_t      *nul;
    se_badge_t          b, ref;
    se_badge_color_e    color;

    if (size == 0) {
        return 0;
    }

    color = (se_badge_color_e) (data[0] % SE_BADGE_N);
    data++;
    size--;

    nul = memchr(data, '\0', size);
    llen = nul ? (size_t) (nul - data) : size;
    vlen = nul ? size - llen - 1 : 0;

    label = malloc(llen ? llen : 1);
    value = malloc(vlen ? vlen : 1);
    if (label == NULL || value == NULL) {
        free(label);
        free(value);
        return 0;
    }

    memcpy(label, data, llen);
    if (vlen) {
        memcpy(value, data + llen + 1, vlen);
    }

    if (se_badge_render(label, llen, value, vlen, color, &b) != SE_OK) {
        fz_fail("render failed", NULL);
    }

    if (b.data == NULL || b.data[b.len] != '\0' || strlen(b.data) != b.len) {
        fz_fail("not NUL-terminated at len", &b);
    }

    for (i = 0; i < b.len; i++) {
        if ((unsigned char) b.data[i] >= 0x80 || b.data[i] == '\0') {
            fz_fail("not ASCII", &b);
        }
    }

    /* the same tags whatever the text: those of the empty badge */

    if (ref_shape[color][0] == '\0') {
        if (se_badge_render("", 0, "", 0, color, &ref) != SE_OK) {
            fz_fail("render failed", NULL);
        }

        doc = fz_xml_parse("fuzz_badge (empty texts)", ref.data, ref.len);

        if (fz_shape(xmlDocGetRootElement(doc), ref_shape[color],
                     sizeof(ref_shape[color]), 0) >= sizeof(ref_shape[color])
            || strncmp(ref_shape[color], "<svg ", 5) != 0)
        {
            fz_fail("the empty badge is not one svg element", &ref);
        }

        xmlFreeDoc(doc);
        se_badge_free(&ref);
    }

    fz_check_svg(&b, ref_shape[color]);

    se_badge_free(&b);
    free(label);
    free(value);

    return 0;
}
