/*
 * libFuzzer target: arbitrary bytes -> an se_raw_t tree -> se_state_build;
 * every rendered document must parse as JSON, warnings must be bounded
 * printable ASCII, then everything is freed.
 *
 * Input encoding, one node at a time (tag byte t, then by t % 8):
 *   0      NIL
 *   1      STR, 1 length byte, bytes
 *   2      STR, 2 length bytes (little endian), bytes
 *   3      INT, 8 bytes (little endian)
 *   4, 5   ARR, 1 count byte, then the elements
 *   6, 7   STR from the dictionary below, 1 index byte
 * Truncated input reads as NIL nodes and short strings.  Depth and node
 * count are capped.
 *
 * Build with -DSE_FUZZ_MKSEED (and -It/unit) for a program that writes
 * seed inputs encoding the unit-test fixtures into a directory
 * (t/fuzz/corpus-state holds its output).
 *
 *   clang -std=c99 -D_GNU_SOURCE -g -O1 \
 *       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *       -Isrc/core t/fuzz/fuzz_state.c src/core/se_[a-z]*.c -ljansson \
 *       -o /tmp/fuzz_state
 *   mkdir -p /tmp/fuzz-corpus && cp t/fuzz/corpus-state/. -r /tmp/fuzz-corpus
 *   /tmp/fuzz_state -max_total_time=60 -max_len=65536 /tmp/fuzz-corpus
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "se_raw.h"
#include "se_state.h"
#include "se_enum.h"

#define FZ_MAX_NODES  8192
#define FZ_MAX_DEPTH  8

static const char  *fz_dict[] = {
    "name", "status", "impact", "description", "group_id",
    "only_show_if_degraded", "created_at", "updated_at", "monitoring_at",
    "resolved_at", "started_at", "next_update_at", "shortlink",
    "postmortem_url", "components", "audience", "banner", "scheduled_for",
    "scheduled_until", "gate", "banner_lead", "id", "url", "time_zone",
    "status_url", "name.ko", "description.ko", "name.en",
    "operational", "degraded_performance", "partial_outage",
    "major_outage", "under_maintenance", "investigating", "identified",
    "monitoring", "resolved", "postmortem", "scheduled", "in_progress",
    "verifying", "completed", "none", "minor", "major", "critical",
    "maintenance", "public", "internal", "on", "off", "0", "1", "86400",
    "2026-11-21T14:30:00Z", "2026-11-21T23:30:00+09:00",
    "2026-02-29T00:00:00Z", "9999-12-31T23:59:59Z",
    "0000-01-01T00:00:00Z", "1795271400", "1e400", "nan", "-inf",
    "https://status.example.com/x", "javascript:alert(1)", "api", "web",
    "api,web, db", "Asia/Seoul", "상태", "\xed\xa0\x80",
    "{\"id\":\"u1\",\"status\":\"investigating\",\"body\":\"b\","
    "\"created_at\":\"2026-11-21T14:30:00Z\"}",
    "{\"id\":\"u2\",\"status\":\"scheduled\",\"body\":\"조사\","
    "\"body.ko\":\"한\",\"created_at\":\"2026-11-21T14:30:00Z\","
    "\"display_at\":\"2026-11-21T14:31:00Z\"}",
    "{\"id\":\"u3\",\"status\":\"resolved\",\"body\":\"x\","
    "\"created_at\":\"2026-11-21T14:30:00-05:00\",\"updated_at\":5}",
    "{\"id\":1}", "[]", "{", "\"s\"", "18446744073709551615",
    "18446744073709551616", "",
    "\xef\xbf\xbe", "a\xef\xbf\xbf" "b", "\xef\xb7\x90\xf0\x9f\xbf\xbe",
    "\xe2\x80\xae\x01\x7f\xc2\x85"
};

#define FZ_NDICT  (sizeof(fz_dict) / sizeof(fz_dict[0]))

typedef struct {
    const uint8_t  *p;
    size_t          n;
    se_raw_t       *nodes;
    size_t          used;
} fz_reader_t;


static int
fz_byte(fz_reader_t *r, uint8_t *b)
{
    if (r->n == 0) {
        return 0;
    }

    *b = *r->p++;
    r->n--;

    return 1;
}


static void
fz_str(fz_reader_t *r, se_raw_t *out, size_t len)
{
    if (len > r->n) {
        len = r->n;
    }

    out->type = SE_RAW_STR;
    out->str = (const char *) r->p;
    out->len = len;

    r->p += len;
    r->n -= len;
}


static void
fz_decode(fz_reader_t *r, se_raw_t *out, unsigned depth)
{
    uint8_t   t, a, b;
    size_t    i, count;
    uint64_t  v;

    memset(out, 0, sizeof(se_raw_t));

    if (!fz_byte(r, &t)) {
        return;
    }

    switch (t % 8) {

    case 0:
        return;

    case 1:
        a = 0;
        fz_byte(r, &a);
        fz_str(r, out, a);
        return;

    case 2:
        a = b = 0;
        fz_byte(r, &a);
        fz_byte(r, &b);
        fz_str(r, out, (size_t) a | ((size_t) b << 8));
        return;

    case 3:
        v = 0;
        for (i = 0; i < 8 && fz_byte(r, &a); i++) {
            v |= (uint64_t) a << (8 * i);
        }
        out->type = SE_RAW_INT;
        out->integer = (long long) v;
        return;

    case 4:
    case 5:
        a = 0;
        fz_byte(r, &a);
        count = a;

        out->type = SE_RAW_ARR;

        if (depth >= FZ_MAX_DEPTH || r->used + count > FZ_MAX_NODES) {
            return;     /* an empty array */
        }

        out->elem = &r->nodes[r->used];
        out->nelem = count;
        r->used += count;

        for (i = 0; i < count; i++) {
            fz_decode(r, &out->elem[i], depth + 1);
        }

        return;

    default:
        a = 0;
        fz_byte(r, &a);
        out->type = SE_RAW_STR;
        out->str = fz_dict[a % FZ_NDICT];
        out->len = strlen(out->str);
        return;
    }
}


static void
fz_check(se_state_t *st)
{
    size_t         i, len;
    const char    *s, *w;
    json_t        *j;
    json_error_t   err;

    for (i = 0; i < SE_DOC_N; i++) {
        s = se_state_doc(st, (se_doc_e) i, &len);

        if (s == NULL || strlen(s) != len) {
            abort();
        }

        j = json_loadb(s, len, 0, &err);
        if (j == NULL || !json_is_object(j)) {
            fprintf(stderr, "doc %s does not parse: %s\n%.*s\n",
                    se_doc_name((se_doc_e) i), err.text, (int) len, s);
            abort();
        }

        json_decref(j);
    }

    for (i = 0; i < se_state_nwarnings(st); i++) {
        w = se_state_warning(st, i);

        if (w == NULL || strlen(w) >= 400) {
            abort();
        }

        for ( /* void */ ; *w; w++) {
            if ((unsigned char) *w < 0x20 || (unsigned char) *w > 0x7e) {
                abort();
            }
        }
    }

    if (se_state_nwarnings(st) > 32
        || se_state_nwarnings(st) > se_state_bad_records(st))
    {
        abort();
    }

    (void) se_state_hash(st);
    (void) se_state_version(st);
    (void) se_indicator_name(se_state_indicator(st));
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static se_raw_t  nodes[FZ_MAX_NODES];
    fz_reader_t      r;
    se_raw_t         root;
    se_state_t      *st;

    r.p = data;
    r.n = size;
    r.nodes = nodes;
    r.used = 0;

    fz_decode(&r, &root, 0);

    if (se_state_build(&root, &st) != SE_OK) {
        abort();        /* only out of memory may fail */
    }

    fz_check(st);
    se_state_free(st);

    return 0;
}


#ifdef SE_FUZZ_MKSEED

#include "snap.h"
#include "fixture.h"


static void
fz_encode(FILE *f, const se_raw_t *n)
{
    size_t  i, len;

    switch (n->type) {

    case SE_RAW_STR:
        len = n->len > 65535 ? 65535 : n->len;
        fputc(2, f);
        fputc((int) (len & 0xff), f);
        fputc((int) (len >> 8), f);
        fwrite(n->str, 1, len, f);
        break;

    case SE_RAW_INT:
        fputc(3, f);
        for (i = 0; i < 8; i++) {
            fputc((int) (((unsigned long long) n->integer >> (8 * i))
                         & 0xff), f);
        }
        break;

    case SE_RAW_ARR:
        fputc(4, f);
        fputc((int) (n->nelem > 255 ? 255 : n->nelem), f);
        for (i = 0; i < n->nelem && i < 255; i++) {
            fz_encode(f, &n->elem[i]);
        }
        break;

    default:
        fputc(0, f);
        break;
    }
}


static void
fz_seed(const char *dir, const char *name, const char *json)
{
    char       path[1024];
    FILE      *f;
    se_raw_t  *r;

    snprintf(path, sizeof(path), "%s/%s", dir, name);

    f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        exit(1);
    }

    r = snap_new(json);
    fz_encode(f, r);
    snap_free(r);
    fclose(f);
}


int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s corpus-dir\n", argv[0]);
        return 2;
    }

    fz_seed(argv[1], "seed-full", fixture_full);
    fz_seed(argv[1], "seed-empty", fixture_empty);

    return 0;
}

#endif /* SE_FUZZ_MKSEED */
