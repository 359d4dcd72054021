/*
 * libFuzzer target for the body-tag scanner (se_scan.h): the answer must
 * not depend on how the stream is split.
 *
 * Input: one control byte c, then 2 * (c & 7) bytes of split offsets
 * (16-bit little endian, each taken modulo the document length + 1),
 * then the document.  c >> 3 chooses the window: 0 is the default,
 * w > 0 is 2 * w * w bytes (2 to 1922), so the window edge is reached.
 *
 * Checks, with every piece fed from its own exactly-sized heap copy (so
 * ASan sees any read outside a piece):
 *   - the pieces at the chosen splits give the one-piece answer;
 *   - so does one byte at a time (documents up to 4 KiB);
 *   - an answer o is within the window, just after a '>', after a
 *     "<body" (any case), and the prefix of o - 1 bytes has no answer
 *     yet while the prefix of o bytes has the same one;
 *   - after the answer every call is declined;
 *   - through a memo (se_scan_memo_feed), the document, the document
 *     with one byte changed and the document again get the answers the
 *     scan gives them;
 *   - a browser's parser agrees (gumbo, the HTML5 algorithm): when the
 *     document's body element comes from a body tag in it, the answer
 *     is just after that tag; when the body is implied, the answer (if
 *     any) is after a later "<body" the tree builder merged into it.
 *     Documents with what the scanner does not model (svg, math,
 *     template, noscript: se_scan.h) are not compared.
 *
 *   make fuzz FUZZ=scan FUZZ_SECONDS=60 (links gumbo: see the Makefile)
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan_pieces.h"
#include "se_scan_memo.h"
#include "fz_markup.h"

#define FZ_NONE       SCAN_NONE
#define FZ_DECLINED   SCAN_DECL
#define FZ_MAX_SPLIT  8


static void
fz_fail(const char *what, size_t a, size_t b)
{
    fprintf(stderr, "fuzz_scan: %s (%zu, %zu)\n", what, a, b);
    abort();
}


/* the absolute answer for doc fed in pieces ending at cut[0..ncut) */

static size_t
fz_scan(const uint8_t *doc, size_t len, size_t window, const size_t *cut,
    size_t ncut)
{
    size_t       got;
    const char  *why = NULL;

    got = scan_pieces(doc, len, window, cut, ncut, &why);

    if (got == SCAN_BROKEN) {
        fz_fail(why, len, ncut);
    }

    return got;
}


static int
fz_cmp(const void *a, const void *b)
{
    size_t  x, y;

    x = *(const size_t *) a;
    y = *(const size_t *) b;

    return (x > y) - (x < y);
}


static void fz_memo(const uint8_t *doc, size_t len, size_t window,
    size_t first);
static void fz_browser(const uint8_t *doc, size_t len, size_t window,
    size_t one);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t          i, k, nsplit, len, window, one, got, w, *bytes;
    size_t          cut[FZ_MAX_SPLIT];
    const uint8_t  *doc;

    if (size == 0) {
        return 0;
    }

    nsplit = data[0] & 7;
    w = data[0] >> 3;
    window = w ? 2 * w * w : 0;

    if (size < 1 + 2 * nsplit) {
        return 0;
    }

    doc = data + 1 + 2 * nsplit;
    len = size - 1 - 2 * nsplit;

    for (i = 0; i < nsplit; i++) {
        cut[i] = (data[1 + 2 * i] | (size_t) data[2 + 2 * i] << 8)
                 % (len + 1);
    }

    qsort(cut, nsplit, sizeof(size_t), fz_cmp);

    one = fz_scan(doc, len, window, NULL, 0);

    fz_memo(doc, len, window, nsplit ? cut[0] : len);

    got = fz_scan(doc, len, window, cut, nsplit);
    if (got != one) {
        fz_fail("split answer differs", got, one);
    }

    if (len <= 4096) {
        bytes = malloc((len + 1) * sizeof(size_t));
        if (bytes == NULL) {
            abort();
        }

        for (i = 0; i < len; i++) {
            bytes[i] = i + 1;
        }

        got = fz_scan(doc, len, window, bytes, len);

        free(bytes);

        if (got != one) {
            fz_fail("byte-at-a-time answer differs", got, one);
        }
    }

    fz_browser(doc, len, window, one);

    if (one == FZ_NONE || one == FZ_DECLINED) {
        return 0;
    }

    if (one > (window ? window : SE_SCAN_WINDOW) || one < 6
        || doc[one - 1] != '>')
    {
        fz_fail("implausible answer", one, len);
    }

    for (k = 0; k + 5 <= one; k++) {
        if (doc[k] == '<'
            && (doc[k + 1] | 0x20) == 'b' && (doc[k + 2] | 0x20) == 'o'
            && (doc[k + 3] | 0x20) == 'd' && (doc[k + 4] | 0x20) == 'y')
        {
            break;
        }
    }

    if (k + 5 > one) {
        fz_fail("an answer without \"<body\" before it", one, len);
    }

    if (fz_scan(doc, one - 1, window, NULL, 0) != FZ_NONE) {
        fz_fail("an answer before the tag's end", one, len);
    }

    if (fz_scan(doc, one, window, NULL, 0) != one) {
        fz_fail("a prefix ending at the answer differs", one, len);
    }

    return 0;
}


/*
 * The memo never changes an answer: the document, then the document
 * with one byte changed (the position and the byte from the document
 * itself), then the document again, each through a memo that kept the
 * one before, the first piece cut at the first split.
 */

static void
fz_memo(const uint8_t *doc, size_t len, size_t window, size_t first)
{
    int              rc;
    size_t           i, j, pos, got, want;
    uint8_t         *other;
    se_scan_t        s;
    se_scan_memo_t  *memo;
    const uint8_t   *d;

    memo = malloc(sizeof(se_scan_memo_t));
    other = malloc(len + 1);
    if (memo == NULL || other == NULL) {
        abort();
    }

    memcpy(other, doc, len);
    j = len ? (doc[0] * 251 + doc[len - 1] * 13 + len / 3) % len : 0;
    if (len) {
        other[j] = "<>\"'-/="[doc[len / 2] % 7];
    }

    se_scan_memo_init(memo, window);

    for (i = 0; i < 3; i++) {
        d = (i == 1) ? other : doc;

        se_scan_init(&s, window);

        rc = se_scan_memo_feed(memo, &s, d, first, &pos);

        if (rc == SE_AGAIN && len > first) {
            rc = se_scan_feed(&s, d + first, len - first, &pos);
            pos += first;
        }

        got = rc == SE_OK ? pos : rc == SE_DECLINED ? FZ_DECLINED : FZ_NONE;
        want = fz_scan(d, len, window, NULL, 0);

        if (got != want) {
            fz_fail("the memo's answer differs", got, want);
        }
    }

    free(memo);
    free(other);
}


/* whether doc has name ("<svg") in any case */
static int
fz_has(const uint8_t *doc, size_t len, const char *name)
{
    size_t  i, k, n;

    n = strlen(name);

    for (i = 0; i + n <= len; i++) {
        for (k = 0; k < n && (doc[i + k] | 0x20) == name[k]; k++) {
            /* void */
        }

        if (k == n) {
            return 1;
        }
    }

    return 0;
}


static void
fz_browser(const uint8_t *doc, size_t len, size_t window, size_t one)
{
    size_t        i, want;
    GumboNode    *html, *body, *kid;
    GumboOutput  *out;

    if (one == FZ_DECLINED
        || (one == FZ_NONE && len > (window ? window : SE_SCAN_WINDOW))
        || fz_has(doc, len, "<svg") || fz_has(doc, len, "<math")
        || fz_has(doc, len, "<template") || fz_has(doc, len, "<noscript"))
    {
        return;
    }

    out = gumbo_parse_with_options(&kGumboDefaultOptions,
                                   (const char *) doc, len);
    if (out == NULL) {
        abort();
    }

    html = out->root;
    body = NULL;

    for (i = 0; i < html->v.element.children.length; i++) {
        kid = html->v.element.children.data[i];

        if (kid->type == GUMBO_NODE_ELEMENT
            && kid->v.element.tag == GUMBO_TAG_BODY)
        {
            body = kid;
            break;
        }
    }

    if (body && body->v.element.original_tag.length) {
        want = body->v.element.start_pos.offset
               + body->v.element.original_tag.length;

        if (one != want) {
            gumbo_destroy_output(&kGumboDefaultOptions, out);
            fz_fail("the browser's body tag ends elsewhere", one, want);
        }

    } else if (one != FZ_NONE && body
               && one <= body->v.element.start_pos.offset)
    {
        gumbo_destroy_output(&kGumboDefaultOptions, out);
        fz_fail("an answer before the browser's implied body", one, 0);
    }

    gumbo_destroy_output(&kGumboDefaultOptions, out);
}
