/*
 * The order of states (issue 14, "never serve a regression"): the reset
 * (Preset) read from the snapshot, emptiness, the rule that holds a state
 * back, and a state saved by the build before the reset (7 elements,
 * encoded) still read, as never reset.
 */

#include "tap.h"
#include "snap.h"
#include "se_raw_codec.h"

/* a page, one component, no incident, no maintenance; reset appended */
#define PAGE_ONE  "[\"id\",\"pg\",\"name\",\"Page\"]"
#define COMP_ONE                                                              \
    "[[\"api\",\"1\",[\"name\",\"API\",\"status\",\"operational\"]]]"


static void
order_of(const char *text, se_order_t *built, se_order_t *raw, int *nwarn)
{
    se_raw_t    *r;
    se_state_t  *st;

    r = snap_new(text);

    se_snapshot_order(r, raw);

    memset(built, 0xff, sizeof(se_order_t));
    *nwarn = -1;

    if (se_state_build(r, &st) == SE_OK) {
        se_state_order(st, built);
        *nwarn = (int) se_state_nwarnings(st);
        se_state_free(st);
    }

    snap_free(r);
}


static int
same_order(const se_order_t *a, const se_order_t *b)
{
    return a->reset == b->reset && a->version == b->version
           && a->empty == b->empty;
}


typedef struct {
    const char  *name;
    const char  *snap;
    uint64_t     reset;
    uint64_t     version;
    unsigned     empty;
    int          warnings;
} read_case_t;


static const read_case_t  reads[] = {
    { "reset as a string",
      "[\"7\"," PAGE_ONE "," COMP_ONE ",[],[],\"0\",[0,0,0],"
      "\"1764742242123\"]", 1764742242123ULL, 7, 0, 0 },
    { "reset as an integer",
      "[\"7\"," PAGE_ONE "," COMP_ONE ",[],[],\"0\",[0,0,0],"
      "1764742242123]", 1764742242123ULL, 7, 0, 0 },
    { "reset unset (nil)",
      "[\"7\"," PAGE_ONE "," COMP_ONE ",[],[],\"0\",[0,0,0],null]",
      0, 7, 0, 0 },
    { "no reset element (a state of the build before)",
      "[\"7\"," PAGE_ONE "," COMP_ONE ",[],[],\"0\",[0,0,0]]", 0, 7, 0, 0 },
    { "6 elements",
      "[\"7\"," PAGE_ONE "," COMP_ONE ",[],[],\"0\"]", 0, 7, 0, 0 },
    { "reset not a number: 0, warned",
      "[\"7\"," PAGE_ONE "," COMP_ONE ",[],[],\"0\",[0,0,0],\"soon\"]",
      0, 7, 0, 1 },
    { "reset negative: 0, warned",
      "[\"7\"," PAGE_ONE "," COMP_ONE ",[],[],\"0\",[0,0,0],-5]",
      0, 7, 0, 1 },
    { "everything gone (FLUSHALL)",
      "[null,[],[],[],[],\"0\",[0,0,0],null]", 0, 0, 1, 0 },
    { "only the version left",
      "[\"58\",[],[],[],[],\"0\",[0,0,0],null]", 0, 58, 1, 0 },
    { "only the reset and version (right after a reset of an empty Redis)",
      "[\"1\",[],[],[],[],\"0\",[0,0,0],\"5\"]", 5, 1, 1, 0 },
    { "a page hash only: not empty",
      "[\"3\"," PAGE_ONE ",[],[],[],\"0\",[0,0,0],null]", 0, 3, 0, 0 },
    { "a component only: not empty",
      "[\"3\",[]," COMP_ONE ",[],[],\"0\",[0,0,0],null]", 0, 3, 0, 0 },
    { "an incident only: not empty",
      "[\"3\",[],[],[[\"i\",\"1\",[\"name\",\"I\",\"status\","
      "\"investigating\"],[]]],[],\"0\",[0,0,0],null]", 0, 3, 0, 0 },
    { "a maintenance only: not empty",
      "[\"3\",[],[],[],[[\"m\",\"1\",[\"name\",\"M\",\"status\","
      "\"scheduled\"],[]]],\"0\",[0,0,0],null]", 0, 3, 0, 0 },
    { "a component named whose hash is gone: not empty (it is data)",
      "[\"3\",[],[[\"api\",\"1\",[]]],[],[],\"0\",[0,0,0],null]",
      0, 3, 0, 1 },
    { "not an array of 6: empty, version 0",
      "[\"3\",[\"id\",\"pg\"]]", 0, 0, 1, 1 },
};


static void
test_reads(void)
{
    size_t       i;
    int          nwarn;
    se_order_t   built, raw;

    for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
        order_of(reads[i].snap, &built, &raw, &nwarn);

        if (!tap_ok(built.reset == reads[i].reset
                    && built.version == reads[i].version
                    && built.empty == reads[i].empty,
                    "%s: reset %llu, version %llu, %s", reads[i].name,
                    (unsigned long long) reads[i].reset,
                    (unsigned long long) reads[i].version,
                    reads[i].empty ? "empty" : "not empty"))
        {
            tap_diag("got reset %llu, version %llu, empty %u",
                     (unsigned long long) built.reset,
                     (unsigned long long) built.version, built.empty);
        }

        tap_ok(same_order(&built, &raw),
               "%s: the order of the raw snapshot is the built one's",
               reads[i].name);

        tap_ok(nwarn == reads[i].warnings, "%s: %d warnings (got %d)",
               reads[i].name, reads[i].warnings, nwarn);
    }
}


static void
test_reset_warning(void)
{
    se_state_t  *st;
    const char  *w;

    st = snap_state("[\"7\"," PAGE_ONE "," COMP_ONE ",[],[],\"0\",[0,0,0],"
                    "\"12x\"]");

    w = st ? se_state_warning(st, 0) : NULL;
    tap_is(w, "reset: is not Unix milliseconds, read as 0 \"12x\"",
           "a bad Preset is named in the warning");

    tap_ok(st && se_state_model(st)->reset == 0, "and read as 0");

    se_state_free(st);
}


/* the reset is content: a reset alone changes the hash (and the ETag) */
static void
test_hash(void)
{
    se_state_t  *a, *b, *c;

    a = snap_state("[\"7\"," PAGE_ONE "," COMP_ONE ",[],[],\"0\",[0,0,0],"
                   "null]");
    b = snap_state("[\"7\"," PAGE_ONE "," COMP_ONE ",[],[],\"0\",[0,0,0],"
                   "\"5\"]");
    c = snap_state("[\"7\"," PAGE_ONE "," COMP_ONE ",[],[],\"0\",[0,0,0],"
                   "\"5\"]");

    tap_ok(a && b && c && se_state_hash(a) != se_state_hash(b),
           "a reset changes the state's hash");
    tap_ok(a && b && c && se_state_hash(b) == se_state_hash(c),
           "the same reset, the same hash");

    se_state_free(a);
    se_state_free(b);
    se_state_free(c);
}


typedef struct {
    const char  *name;
    se_order_t   served;
    se_order_t   built;
    se_hold_e    hold;
} hold_case_t;


static const hold_case_t  holds[] = {
    { "higher version", { 0, 57, 0 }, { 0, 58, 0 }, SE_HOLD_NONE },
    { "equal version (a hand edit without a bump)",
      { 0, 57, 0 }, { 0, 57, 0 }, SE_HOLD_NONE },
    { "lower version", { 0, 57, 0 }, { 0, 3, 0 }, SE_HOLD_LOWER },
    { "version 0 (FLUSHALL)", { 0, 57, 0 }, { 0, 0, 1 }, SE_HOLD_LOWER },
    { "empty at a higher version", { 0, 57, 0 }, { 0, 58, 1 },
      SE_HOLD_EMPTY },
    { "empty at the same version", { 0, 57, 0 }, { 0, 57, 1 },
      SE_HOLD_EMPTY },
    { "empty after empty", { 0, 5, 1 }, { 0, 6, 1 }, SE_HOLD_NONE },
    { "non-empty after empty", { 0, 5, 1 }, { 0, 5, 0 }, SE_HOLD_NONE },
    { "lower version after empty", { 0, 5, 1 }, { 0, 4, 0 },
      SE_HOLD_LOWER },
    { "greater reset, lower version", { 0, 57, 0 }, { 1000, 4, 0 },
      SE_HOLD_NONE },
    { "greater reset, empty", { 0, 57, 0 }, { 1000, 1, 1 }, SE_HOLD_NONE },
    { "lower reset, higher version", { 2000, 4, 0 }, { 1000, 90, 0 },
      SE_HOLD_LOWER },
    { "lower reset: unset after a reset", { 2000, 4, 0 }, { 0, 90, 0 },
      SE_HOLD_LOWER },
    { "same reset, higher version", { 2000, 4, 0 }, { 2000, 5, 0 },
      SE_HOLD_NONE },
    { "same reset, lower version", { 2000, 4, 0 }, { 2000, 3, 0 },
      SE_HOLD_LOWER },
    { "versions past 2^63", { 0, 9223372036854775808ULL, 0 },
      { 0, 9223372036854775807ULL, 0 }, SE_HOLD_LOWER },
};


static void
test_hold(void)
{
    size_t     i;
    se_hold_e  got;

    for (i = 0; i < sizeof(holds) / sizeof(holds[0]); i++) {
        got = se_order_hold(&holds[i].served, &holds[i].built);

        if (!tap_ok(got == holds[i].hold, "hold: %s", holds[i].name)) {
            tap_diag("got %d, want %d", (int) got, (int) holds[i].hold);
        }
    }
}


/*
 * The bytes a build before the reset kept in the zone and on disk: the
 * same encoding of a 7-element snapshot.  They decode, build the same
 * documents as the same state read now with Preset unset, and order as
 * never reset.
 */
static void
test_previous_build(void)
{
    const char      *old_text, *new_text;
    const char      *d1, *d2;
    size_t           len, l1, l2, i;
    int              same;
    se_raw_t        *old_raw, *decoded;
    se_state_t      *old_st, *new_st;
    se_order_t       o;
    unsigned char   *buf;

    old_text = "[\"57\"," PAGE_ONE "," COMP_ONE ",[[\"i\",\"1700000000\","
               "[\"name\",\"Down\",\"status\",\"investigating\",\"impact\","
               "\"major\"],[]]],[],\"1700000100\",[0,0,0]]";
    new_text = "[\"57\"," PAGE_ONE "," COMP_ONE ",[[\"i\",\"1700000000\","
               "[\"name\",\"Down\",\"status\",\"investigating\",\"impact\","
               "\"major\"],[]]],[],\"1700000100\",[0,0,0],null]";

    old_raw = snap_new(old_text);

    len = se_raw_encoded_size(old_raw);
    buf = malloc(len ? len : 1);
    se_raw_encode(old_raw, buf);
    snap_free(old_raw);

    decoded = NULL;
    old_st = NULL;

    tap_ok(len > 0 && se_raw_decode(buf, len, &decoded) == SE_OK,
           "previous build: its encoded state decodes");

    if (decoded == NULL) {
        free(buf);
        return;
    }

    tap_ok(decoded->type == SE_RAW_ARR && decoded->nelem == 7,
           "previous build: 7 elements");

    se_snapshot_order(decoded, &o);
    tap_ok(o.reset == 0 && o.version == 57 && !o.empty,
           "previous build: ordered as version 57, never reset, not empty");

    tap_ok(se_state_build(decoded, &old_st) == SE_OK && old_st,
           "previous build: builds");

    new_st = snap_state(new_text);

    same = old_st && new_st;

    for (i = 0; same && i < SE_DOC_N; i++) {
        d1 = se_state_doc(old_st, (se_doc_e) i, &l1);
        d2 = se_state_doc(new_st, (se_doc_e) i, &l2);
        same = l1 == l2 && memcmp(d1, d2, l1) == 0;
    }

    tap_ok(same, "previous build: the same documents as the state read "
           "now with Preset unset");

    tap_ok(old_st && se_state_nwarnings(old_st) == 0,
           "previous build: no warning");

    se_state_free(old_st);
    se_state_free(new_st);
    free(decoded);
    free(buf);
}


int
main(void)
{
    test_reads();
    test_reset_warning();
    test_hash();
    test_hold();
    test_previous_build();

    return tap_done();
}
