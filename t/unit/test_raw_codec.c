/*
 * The snapshot byte encoding kept in shared memory: round trips exactly,
 * and rejects every truncation and corruption without reading past the
 * buffer.
 */

#include "tap.h"
#include "se_raw_codec.h"


static int
raw_equal(const se_raw_t *a, const se_raw_t *b)
{
    size_t  i;

    if (a->type != b->type) {
        return 0;
    }

    switch (a->type) {
    case SE_RAW_STR:
        return a->len == b->len
               && (a->len == 0 || memcmp(a->str, b->str, a->len) == 0);
    case SE_RAW_INT:
        return a->integer == b->integer;
    case SE_RAW_ARR:
        if (a->nelem != b->nelem) {
            return 0;
        }
        for (i = 0; i < a->nelem; i++) {
            if (!raw_equal(&a->elem[i], &b->elem[i])) {
                return 0;
            }
        }
        return 1;
    default:
        return 1;
    }
}


int
main(void)
{
    size_t          len, i, bad;
    se_raw_t        leaf[5], inner[2], root, *out;
    unsigned char  *buf, *copy;

    static const char  bin[] = { 'a', '\0', (char) 0xff, 'z' };

    memset(leaf, 0, sizeof(leaf));
    leaf[0].type = SE_RAW_STR;
    leaf[0].str = "상태 status";
    leaf[0].len = strlen(leaf[0].str);
    leaf[1].type = SE_RAW_NIL;
    leaf[2].type = SE_RAW_INT;
    leaf[2].integer = -1234567890123LL;
    leaf[3].type = SE_RAW_STR;
    leaf[3].str = bin;
    leaf[3].len = sizeof(bin);
    leaf[4].type = SE_RAW_STR;
    leaf[4].str = "";
    leaf[4].len = 0;

    memset(inner, 0, sizeof(inner));
    inner[0].type = SE_RAW_ARR;
    inner[0].elem = leaf;
    inner[0].nelem = 5;
    inner[1].type = SE_RAW_ARR;
    inner[1].elem = NULL;
    inner[1].nelem = 0;

    memset(&root, 0, sizeof(root));
    root.type = SE_RAW_ARR;
    root.elem = inner;
    root.nelem = 2;

    len = se_raw_encoded_size(&root);
    tap_ok(len > 0, "encoded size %zu", len);

    buf = malloc(len);
    se_raw_encode(&root, buf);

    out = NULL;
    tap_ok(se_raw_decode(buf, len, &out) == SE_OK, "decodes");
    tap_ok(out != NULL && raw_equal(&root, out), "round trip is exact");
    free(out);

    /* every truncation fails, read from an exact-size copy (ASan checks) */
    bad = 0;
    for (i = 0; i < len; i++) {
        copy = malloc(i ? i : 1);
        memcpy(copy, buf, i);
        out = NULL;
        if (se_raw_decode(copy, i, &out) == SE_OK) {
            bad++;
            free(out);
        }
        free(copy);
    }
    tap_ok(bad == 0, "all %zu truncations rejected", len);

    /* trailing garbage fails */
    copy = malloc(len + 1);
    memcpy(copy, buf, len);
    copy[len] = 'n';
    tap_ok(se_raw_decode(copy, len + 1, &out) == SE_ERROR,
           "trailing bytes rejected");
    free(copy);

    /* a corrupted tag or a huge length fails */
    copy = malloc(len);
    memcpy(copy, buf, len);
    copy[0] = 'x';
    tap_ok(se_raw_decode(copy, len, &out) == SE_ERROR, "bad tag rejected");
    memcpy(copy, buf, len);
    copy[1] = 0xff;
    copy[2] = 0xff;
    copy[3] = 0xff;
    copy[4] = 0x7f;
    tap_ok(se_raw_decode(copy, len, &out) == SE_ERROR,
           "huge count rejected");
    free(copy);

    /* nesting beyond the depth limit is neither encoded nor decoded */
    {
        se_raw_t  deep[SE_RAW_MAX_DEPTH + 2];

        memset(deep, 0, sizeof(deep));
        for (i = 0; i < SE_RAW_MAX_DEPTH + 1; i++) {
            deep[i].type = SE_RAW_ARR;
            deep[i].elem = &deep[i + 1];
            deep[i].nelem = 1;
        }
        deep[SE_RAW_MAX_DEPTH + 1].type = SE_RAW_NIL;

        tap_ok(se_raw_encoded_size(&deep[0]) == 0, "too deep: not encoded");
        tap_ok(se_raw_encoded_size(&deep[1]) > 0, "at the limit: encoded");
    }

    free(buf);

    return tap_done();
}
