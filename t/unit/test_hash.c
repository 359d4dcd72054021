/*
 * se_state_hash(): changes with any byte of the snapshot (not with the
 * clock), and is framing-safe.
 */

#include "tap.h"
#include "snap.h"
#include "fixture.h"


static uint64_t
hash_of(const se_raw_t *r)
{
    se_state_t  *st;
    uint64_t     h;

    if (se_state_build(r, &st) != SE_OK) {
        return 0;
    }

    h = se_state_hash(st);
    se_state_free(st);

    return h;
}


static uint64_t
hash_text(const char *text)
{
    se_raw_t  *r;
    uint64_t   h;

    r = snap_new(text);
    h = hash_of(r);
    snap_free(r);

    return h;
}


/* changes every string byte in turn, and every string's length */
static void
flip_all(se_raw_t *root, se_raw_t *n, uint64_t base, size_t *tried,
    size_t *same)
{
    size_t          i, b;
    unsigned char  *p;

    if (n->type == SE_RAW_ARR) {
        for (i = 0; i < n->nelem; i++) {
            if (n == root && i == 5) {
                continue;       /* now */
            }
            flip_all(root, &n->elem[i], base, tried, same);
        }
        return;
    }

    if (n->type != SE_RAW_STR) {
        return;
    }

    p = (unsigned char *) (uintptr_t) n->str;

    for (i = 0; i < n->len; i++) {
        b = i % 8;          /* one bit per byte, each bit in turn */
        p[i] ^= (unsigned char) (1u << b);
        (*tried)++;
        if (hash_of(root) == base) {
            (*same)++;
        }
        p[i] ^= (unsigned char) (1u << b);
    }

    /* and a shorter string */
    if (n->len) {
        n->len--;
        (*tried)++;
        if (hash_of(root) == base) {
            (*same)++;
        }
        n->len++;
    }
}


int
main(void)
{
    se_raw_t  *r;
    uint64_t   base;
    size_t     tried, same;

    r = snap_new(fixture_full);
    base = hash_of(r);

    tap_ok(base != 0, "fixture hashes");
    tap_ok(hash_of(r) == base, "deterministic");
    tap_ok(hash_text(fixture_full) == base, "same content, same hash");

    tried = same = 0;
    flip_all(r, r, base, &tried, &same);
    tap_ok(tried > 1500 && same == 0, "every byte change changes the hash "
           "(%zu changes tried)", tried);
    tap_ok(hash_of(r) == base, "restored tree hashes as before");

    /* the clock is not content */
    r->elem[5].len = 1;
    tap_ok(hash_of(r) == base, "a different now keeps the hash");

    snap_free(r);

    tap_ok(hash_text("[\"1\",[\"ab\",\"c\"],[],[],[],\"0\"]")
           != hash_text("[\"1\",[\"a\",\"bc\"],[],[],[],\"0\"]"),
           "framing: ab|c differs from a|bc");
    tap_ok(hash_text("[\"1\",[\"a\",\"\"],[],[],[],\"0\"]")
           != hash_text("[\"1\",[\"a\"],[],[],[],\"0\"]"),
           "framing: an empty string counts");
    tap_ok(hash_text("[null,[],[],[],[],\"0\"]")
           != hash_text("[\"\",[],[],[],[],\"0\"]"),
           "NIL differs from an empty string");
    tap_ok(hash_text("[null,[],[],[],[],\"0\"]")
           != hash_text("[null,null,[],[],[],\"0\"]"),
           "an empty array differs from NIL");
    tap_ok(hash_text("[null,[],[[]],[],[],\"0\"]")
           != hash_text("[null,[],[],[[]],[],\"0\"]"),
           "moving an element between lists changes the hash");
    tap_ok(hash_text("[\"1\",[],[],[],[],\"0\"]")
           != hash_text("[\"2\",[],[],[],[],\"0\"]"),
           "the version counts");
    tap_ok(hash_text("[1,[],[],[],[],\"0\"]")
           != hash_text("[\"1\",[],[],[],[],\"0\"]"),
           "INT differs from STR");
    tap_ok(hash_text("[null,[],[],[],[],\"0\"]")
           == hash_text("[null,[],[],[],[],\"99\"]"),
           "now is left out");

    return tap_done();
}
