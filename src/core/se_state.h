/*
 * The status state of one page: built from one consistent Redis snapshot,
 * validated, derived and rendered once; requests only read ready bytes.
 *
 * Snapshot layout (what the read-only Lua script in se_snapshot.h returns,
 * an se_raw_t array of 6 to 8 elements):
 *
 *   [0] version        STR (decimal) or NIL when Pversion is unset
 *   [1] page           ARR flat HGETALL of Ppage: field, value, ...
 *   [2] components     ARR of [id STR, score STR, hash ARR]
 *                          in position order (ZRANGE ... WITHSCORES)
 *   [3] incidents      ARR of [id STR, score STR, hash ARR, updates ARR]
 *                          newest first; updates newest first, each a STR
 *                          holding one JSON object
 *   [4] maintenances   ARR of [id STR, score STR, hash ARR, updates ARR]
 *                          newest scheduled_for first
 *   [5] now            STR Unix seconds of the Redis server (TIME)
 *   [6] trimmed        ARR {incidents, maintenances, hashes}: what the
 *                          script left out (optional)
 *   [7] reset          STR (decimal) Preset, Unix milliseconds of the last
 *                          "status-edge reset", or NIL when unset
 *                          (optional: a state saved by a build before it
 *                          has 7 elements, and reads as never reset)
 *
 * Anything of the wrong type or shape is a bad record: skipped, counted
 * and described in the warnings, never fatal.  Only out-of-memory makes
 * se_state_build() fail.
 */

#ifndef SE_STATE_H
#define SE_STATE_H

#include "se_core.h"
#include "se_model.h"
#include "se_raw.h"


typedef enum {
    SE_DOC_STATUS = 0,                 /* status.json */
    SE_DOC_SUMMARY,                    /* summary.json */
    SE_DOC_COMPONENTS,                 /* components.json */
    SE_DOC_INCIDENTS,                  /* incidents.json */
    SE_DOC_INCIDENTS_UNRESOLVED,       /* incidents/unresolved.json */
    SE_DOC_MAINTENANCES,               /* scheduled-maintenances.json */
    SE_DOC_MAINTENANCES_UPCOMING,      /* .../upcoming.json */
    SE_DOC_MAINTENANCES_ACTIVE,        /* .../active.json */
    SE_DOC_N
} se_doc_e;

typedef struct se_state_s  se_state_t;

/* builds, validates, derives and renders; SE_OK or SE_ERROR (no memory) */
int se_state_build(const se_raw_t *snapshot, se_state_t **out);
void se_state_free(se_state_t *st);

/* Pversion as read (0 when unset) */
uint64_t se_state_version(const se_state_t *st);

/*
 * The order of states, so the served state never goes backwards: by
 * Preset (the reset), then by Pversion.  An empty state (no Ppage field,
 * no component, incident or maintenance: what a FLUSHALL or a Redis
 * restarted empty leaves) never replaces a non-empty one of the same
 * reset, whatever its version.
 */
typedef struct {
    uint64_t        reset;          /* Preset, 0 when unset */
    uint64_t        version;
    unsigned        empty:1;
} se_order_t;

typedef enum {
    SE_HOLD_NONE = 0,               /* may replace the served state */
    SE_HOLD_LOWER,                  /* (reset, version) below the served */
    SE_HOLD_EMPTY                   /* empty, after a non-empty one */
} se_hold_e;

void se_state_order(const se_state_t *st, se_order_t *order);

/* the order of a snapshot not built (a state saved on disk) */
void se_snapshot_order(const se_raw_t *snapshot, se_order_t *order);

/*
 * Whether a state built with order "built" is held back rather than
 * replace the one served with order "served": a greater reset always
 * replaces; under the same reset a lower version never does, nor an
 * empty state a non-empty one; an equal version does (a hand edit
 * without a bump).
 */
se_hold_e se_order_hold(const se_order_t *served, const se_order_t *built);

/*
 * The one reading of a Pversion value, for the builder and the version
 * poll alike: decimal digits, at most UINT64_MAX; SE_ERROR otherwise
 * (read as 0).
 */
int se_version_parse(const char *s, size_t len, uint64_t *out);

/*
 * A hash of every byte the snapshot held: differs whenever the content
 * differs, even when a hand edit did not bump Pversion.
 */
uint64_t se_state_hash(const se_state_t *st);

/*
 * FNV-1a 64 over "data", from SE_FNV_OFFSET or a previous result: the
 * one content hash for ETags and keys (not for anything adversarial).
 */
#define SE_FNV_OFFSET  0xcbf29ce484222325ULL
uint64_t se_fnv(uint64_t h, const void *data, size_t len);

se_indicator_e se_state_indicator(const se_state_t *st);

/* rendered JSON documents, UTF-8, no trailing newline */
const char *se_state_doc(const se_state_t *st, se_doc_e doc, size_t *len);

/* endpoint path ("summary.json", "incidents/unresolved.json") to doc */
int se_doc_from_path(const char *path, size_t len, se_doc_e *doc);
const char *se_doc_name(se_doc_e doc);  /* "summary", metrics labels */

/* bad records and fields skipped while building */
size_t se_state_bad_records(const se_state_t *st);
size_t se_state_nwarnings(const se_state_t *st);     /* stored, capped */
const char *se_state_warning(const se_state_t *st, size_t i);

/* the validated model, and Redis TIME at the load (0 when unknown) */
const se_model_t *se_state_model(const se_state_t *st);
int64_t se_state_now(const se_state_t *st);

#endif /* SE_STATE_H */
