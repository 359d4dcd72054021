/*
 * libFuzzer target for the SVG badge (se_badge.h): any label and value
 * bytes give one well-formed, ASCII SVG whose text cannot open markup.
 *
 * Input: one control byte c (c % SE_BADGE_N: the colour), then the label
 * and the value separated by the first NUL byte (no NUL: all label).
 *
 * Checks, with label and value in exactly-sized heap copies:
 *   - rendering succeeds, the result is NUL-terminated at len, ASCII;
 *   - it is one <svg ...>...</svg> with exactly as many '<', '>' and '"'
 *     as the badge of empty texts: the text, the title and the
 *     aria-label cannot open or close a tag or an attribute.
 *
 *   clang -std=c99 -D_GNU_SOURCE -g -O1 \
 *       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *       -Isrc/core t/fuzz/fuzz_badge.c src/core/se_[a-z]*.c -ljansson \
 *       -o /tmp/fuzz_badge
 *   /tmp/fuzz_badge -max_total_time=60 t/fuzz/corpus-badge
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se_badge.h"


static void
fz_fail(const char *what, const se_badge_t *b)
{
    fprintf(stderr, "fuzz_badge: %s\n%.*s\n", what,
            b ? (int) b->len : 0, b ? b->data : "");
    abort();
}


static size_t
fz_count(const char *s, size_t len, char c)
{
    size_t  i, n;

    for (i = 0, n = 0; i < len; i++) {
        n += (s[i] == c);
    }

    return n;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char               *label, *value;
    size_t              i, llen, vlen, tags;
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

    if (se_badge_render("", 0, "", 0, color, &ref) != SE_OK) {
        fz_fail("render failed", NULL);
    }

    tags = fz_count(ref.data, ref.len, '<');

    if (fz_count(b.data, b.len, '<') != tags
        || fz_count(b.data, b.len, '>') != fz_count(ref.data, ref.len, '>')
        || fz_count(b.data, b.len, '"') != fz_count(ref.data, ref.len, '"'))
    {
        fz_fail("text opened markup or an attribute", &b);
    }

    if (strncmp(b.data, "<svg ", 5) != 0
        || strcmp(b.data + b.len - 6, "</svg>") != 0)
    {
        fz_fail("not one svg element", &b);
    }

    se_badge_free(&ref);
    se_badge_free(&b);
    free(label);
    free(value);

    return 0;
}
