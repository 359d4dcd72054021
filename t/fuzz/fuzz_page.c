/*
 * libFuzzer target: the state of fuzz_state.c (same input encoding, same
 * seeds: corpus-page is corpus-state) rendered as the status page in
 * English and Korean, with and without a time zone, with and without
 * history, and as the Atom and RSS feeds.  The page must be ASCII without
 * a raw '<' from admin text anywhere a tag could start one (checked
 * loosely: no "<script", no "<img"), the feeds UTF-8 without characters
 * XML 1.0 forbids.
 *
 *   clang -std=c99 -D_GNU_SOURCE -g -O1 \
 *       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *       -Isrc/core t/fuzz/fuzz_page.c src/core/se_[a-z]*.c -ljansson \
 *       -o /tmp/fuzz_page
 */

#define LLVMFuzzerTestOneInput  fz_state_one
#include "fuzz_state.c"
#undef LLVMFuzzerTestOneInput

#include "se_page.h"
#include "se_feed.h"
#include "se_pool.h"
#include "se_validate.h"


static void
fz_page_check(const char *s, size_t len)
{
    size_t  i;

    if (s == NULL || strlen(s) != len) {
        abort();
    }

    for (i = 0; i < len; i++) {
        if ((unsigned char) s[i] >= 0x80
            || ((unsigned char) s[i] < 0x20 && s[i] != '\n' && s[i] != '\t'
                && s[i] != '\r'))
        {
            abort();
        }
    }

    if (strstr(s, "<script") || strstr(s, "<img")) {
        abort();
    }
}


static void
fz_feed_check(const char *s, size_t len)
{
    size_t    i, k;
    uint32_t  cp;

    if (s == NULL || strlen(s) != len || se_utf8_valid(s, len) != SE_OK) {
        abort();
    }

    for (i = 0; i < len; i += k) {
        k = se_utf8_decode((const unsigned char *) s + i, len - i, &cp);

        if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
            || cp == 0xfffe || cp == 0xffff || k == 0)
        {
            abort();
        }
    }

    if (strstr(s, "<script") || strstr(s, "<img")) {
        abort();
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

            fz_page_check(out, len);
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

    (void) se_page_refresh_at(se_state_model(st), seoul, o.now);

    se_state_free(st);

    return 0;
}
