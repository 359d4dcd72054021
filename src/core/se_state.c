/*
 * se_state_build(): snapshot -> validated model -> derived state ->
 * rendered documents, and the accessors of se_state.h.
 */

#include <string.h>

#include "se_build.h"
#include "se_record.h"
#include "se_render.h"
#include "se_warn.h"
#include "se_derive.h"
#include "se_valid.h"
#include "se_state.h"

#define SE_SNAP_VERSION       0
#define SE_SNAP_PAGE          1
#define SE_SNAP_COMPONENTS    2
#define SE_SNAP_INCIDENTS     3
#define SE_SNAP_MAINTENANCES  4
#define SE_SNAP_NOW           5
#define SE_SNAP_N             6
#define SE_SNAP_TRIMMED       6     /* optional: what the reader left out */
#define SE_SNAP_RESET         7     /* optional: Preset */

#define SE_FNV_PRIME   0x100000001b3ULL

struct se_state_s {
    se_pool_t      *pool;
    se_model_t      model;
    se_order_t      order;
    uint64_t        hash;
    se_indicator_e  indicator;
    char           *docs[SE_DOC_N];
    size_t          lens[SE_DOC_N];
    size_t          bad;
    char          **warnings;
    size_t          nwarnings;
};


static const struct {
    const char     *path;
    const char     *name;
} se_docs[SE_DOC_N] = {
    { "status.json", "status" },
    { "summary.json", "summary" },
    { "components.json", "components" },
    { "incidents.json", "incidents" },
    { "incidents/unresolved.json", "incidents_unresolved" },
    { "scheduled-maintenances.json", "scheduled_maintenances" },
    { "scheduled-maintenances/upcoming.json",
      "scheduled_maintenances_upcoming" },
    { "scheduled-maintenances/active.json",
      "scheduled_maintenances_active" }
};


uint64_t
se_fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char  *p;
    size_t                i;

    p = data;

    for (i = 0; i < len; i++) {
        h ^= p[i];
        h *= SE_FNV_PRIME;
    }

    return h;
}


static uint64_t
se_fnv_u64(uint64_t h, uint64_t v)
{
    unsigned char  b[8];
    int            i;

    for (i = 0; i < 8; i++) {
        b[i] = (unsigned char) (v >> (8 * i));
    }

    return se_fnv(h, b, 8);
}


/*
 * Framing: every node is its type byte, then for STR its length and
 * bytes, for INT its value, for ARR its count and elements; so distinct
 * trees always feed distinct byte strings.  "now" ([5]) is left out:
 * the clock is not content.
 */
static uint64_t
se_hash_node(uint64_t h, const se_raw_t *n, unsigned depth)
{
    size_t          i;
    unsigned char   t;

    t = (unsigned char) n->type;
    h = se_fnv(h, &t, 1);

    switch (n->type) {

    case SE_RAW_STR:
        h = se_fnv_u64(h, n->len);
        h = se_fnv(h, n->str, n->str ? n->len : 0);
        break;

    case SE_RAW_INT:
        h = se_fnv_u64(h, (uint64_t) n->integer);
        break;

    case SE_RAW_ARR:
        h = se_fnv_u64(h, n->nelem);

        for (i = 0; i < n->nelem; i++) {
            if (depth == 0 && i == SE_SNAP_NOW) {
                continue;
            }

            h = se_hash_node(h, &n->elem[i], depth + 1);
        }

        break;

    default:
        break;
    }

    return h;
}


/* a non-negative integer: INT, or STR of decimal digits up to max */
static int
se_raw_uint(const se_raw_t *v, uint64_t max, uint64_t *out)
{
    if (v->type == SE_RAW_INT && v->integer >= 0
        && (uint64_t) v->integer <= max)
    {
        *out = (uint64_t) v->integer;
        return SE_OK;
    }

    if (v->type == SE_RAW_STR) {
        return se_parse_uint(v->str, v->len, max, out);
    }

    return SE_ERROR;
}


/* Pversion and Preset: unset is 0; anything else not a number is warned */
static void
se_read_uint(se_build_t *b, const se_raw_t *v, const char *what,
    const char *why, uint64_t *out)
{
    if (v->type == SE_RAW_NIL || se_raw_uint(v, UINT64_MAX, out) == SE_OK) {
        return;
    }

    se_warn(b, what, NULL, 0, why, v->type == SE_RAW_STR ? v->str : NULL,
            v->type == SE_RAW_STR ? v->len : 0);
}


int
se_version_parse(const char *s, size_t len, uint64_t *out)
{
    return se_parse_uint(s, len, UINT64_MAX, out);
}


static void
se_read_now(se_build_t *b, const se_raw_t *v)
{
    uint64_t  u;

    if (v->type == SE_RAW_NIL) {
        return;
    }

    if (se_raw_uint(v, INT64_MAX, &u) == SE_OK) {
        b->model->now = (int64_t) u;
        return;
    }

    se_warn(b, "now", NULL, 0, "is not Unix seconds, read as 0",
            v->type == SE_RAW_STR ? v->str : NULL,
            v->type == SE_RAW_STR ? v->len : 0);
}


/* {trimmed incidents, trimmed maintenances, hashes read field by field} */
static void
se_read_trimmed(se_build_t *b, const se_raw_t *snap)
{
    const se_raw_t  *t;
    uint64_t        *to[3];
    uint64_t         u;
    size_t           i;

    if (snap->nelem <= SE_SNAP_TRIMMED) {
        return;
    }

    t = &snap->elem[SE_SNAP_TRIMMED];

    if (t->type != SE_RAW_ARR) {
        return;
    }

    to[0] = &b->model->trimmed_incidents;
    to[1] = &b->model->trimmed_maintenances;
    to[2] = &b->model->limited_hashes;

    for (i = 0; i < t->nelem && i < 3; i++) {
        if (se_raw_uint(&t->elem[i], UINT64_MAX, &u) == SE_OK) {
            *to[i] = u;
        }
    }
}


/* the list node of a kind, or NULL (warned) when it is not a list */
static const se_raw_t *
se_snap_list(se_build_t *b, const se_raw_t *snap, size_t i,
    const char *what)
{
    const se_raw_t  *l;

    if (snap->nelem <= i) {
        return NULL;
    }

    l = &snap->elem[i];

    if (l->type == SE_RAW_ARR) {
        return l;
    }

    if (l->type != SE_RAW_NIL) {
        se_warn(b, what, NULL, 0, "ignored: not a list", NULL, 0);
    }

    return NULL;
}


static int
se_read_all(se_build_t *b, const se_raw_t *snap)
{
    const se_raw_t  *comps, *incs, *mnts;
    se_model_t      *m;
    size_t           i;

    m = b->model;

    if (snap == NULL || snap->type != SE_RAW_ARR
        || snap->nelem < SE_SNAP_N)
    {
        se_warn(b, "snapshot", NULL, 0, "ignored: not an array of 6",
                NULL, 0);
        return SE_OK;
    }

    se_read_uint(b, &snap->elem[SE_SNAP_VERSION], "version",
                 "is not a non-negative integer, read as 0", &m->version);

    if (snap->nelem > SE_SNAP_RESET) {
        se_read_uint(b, &snap->elem[SE_SNAP_RESET], "reset",
                     "is not Unix milliseconds, read as 0", &m->reset);
    }

    se_read_now(b, &snap->elem[SE_SNAP_NOW]);
    se_read_trimmed(b, snap);

    if (se_read_page(b, &snap->elem[SE_SNAP_PAGE]) != SE_OK) {
        return SE_ERROR;
    }

    comps = se_snap_list(b, snap, SE_SNAP_COMPONENTS, "components");
    incs = se_snap_list(b, snap, SE_SNAP_INCIDENTS, "incidents");
    mnts = se_snap_list(b, snap, SE_SNAP_MAINTENANCES, "maintenances");

    if (comps && comps->nelem) {
        m->components = se_pcalloc_n(b->pool, comps->nelem,
                                     sizeof(se_component_t));
        if (m->components == NULL) {
            return SE_ERROR;
        }

        for (i = 0; i < comps->nelem; i++) {
            if (se_read_component(b, &comps->elem[i]) != SE_OK) {
                return SE_ERROR;
            }
        }
    }

    if (incs && incs->nelem) {
        m->incidents = se_pcalloc_n(b->pool, incs->nelem,
                                    sizeof(se_incident_t));
        if (m->incidents == NULL) {
            return SE_ERROR;
        }

        for (i = 0; i < incs->nelem; i++) {
            if (se_read_incident(b, &incs->elem[i], SE_KIND_INCIDENT)
                != SE_OK)
            {
                return SE_ERROR;
            }
        }
    }

    if (mnts && mnts->nelem) {
        m->maintenances = se_pcalloc_n(b->pool, mnts->nelem,
                                       sizeof(se_maintenance_t));
        if (m->maintenances == NULL) {
            return SE_ERROR;
        }

        for (i = 0; i < mnts->nelem; i++) {
            if (se_read_incident(b, &mnts->elem[i], SE_KIND_MAINTENANCE)
                != SE_OK)
            {
                return SE_ERROR;
            }
        }
    }

    return b->oom ? SE_ERROR : SE_OK;
}


/* no Ppage field, no component, incident or maintenance: nothing there */
static unsigned
se_snap_empty(const se_raw_t *snap)
{
    size_t  i;

    if (snap == NULL || snap->type != SE_RAW_ARR
        || snap->nelem < SE_SNAP_N)
    {
        return 1;
    }

    for (i = SE_SNAP_PAGE; i <= SE_SNAP_MAINTENANCES; i++) {
        if (snap->elem[i].type == SE_RAW_ARR && snap->elem[i].nelem) {
            return 0;
        }
    }

    return 1;
}


void
se_snapshot_order(const se_raw_t *snapshot, se_order_t *order)
{
    uint64_t  u;

    order->reset = 0;
    order->version = 0;
    order->empty = se_snap_empty(snapshot);

    if (snapshot == NULL || snapshot->type != SE_RAW_ARR
        || snapshot->nelem < SE_SNAP_N)
    {
        return;
    }

    if (se_raw_uint(&snapshot->elem[SE_SNAP_VERSION], UINT64_MAX, &u)
        == SE_OK)
    {
        order->version = u;
    }

    if (snapshot->nelem > SE_SNAP_RESET
        && se_raw_uint(&snapshot->elem[SE_SNAP_RESET], UINT64_MAX, &u)
           == SE_OK)
    {
        order->reset = u;
    }
}


se_hold_e
se_order_hold(const se_order_t *served, const se_order_t *built)
{
    if (built->reset != served->reset) {
        return built->reset > served->reset ? SE_HOLD_NONE : SE_HOLD_LOWER;
    }

    if (built->version < served->version) {
        return SE_HOLD_LOWER;
    }

    if (built->empty && !served->empty) {
        return SE_HOLD_EMPTY;
    }

    return SE_HOLD_NONE;
}


int
se_state_build(const se_raw_t *snapshot, se_state_t **out)
{
    se_state_t  *st;
    se_pool_t   *pool;
    se_build_t   b;

    *out = NULL;

    pool = se_pool_create();
    if (pool == NULL) {
        return SE_ERROR;
    }

    st = se_pcalloc(pool, sizeof(se_state_t));
    if (st == NULL) {
        se_pool_destroy(pool);
        return SE_ERROR;
    }

    st->pool = pool;
    st->model.page.updated_at = SE_TIME_NONE;

    memset(&b, 0, sizeof(se_build_t));
    b.pool = pool;
    b.model = &st->model;

    if (se_read_all(&b, snapshot) != SE_OK || b.oom) {
        goto failed;
    }

    st->order.reset = st->model.reset;
    st->order.version = st->model.version;
    st->order.empty = se_snap_empty(snapshot);

    se_derive(&st->model);

    st->indicator = se_model_indicator(&st->model, 0);

    if (se_render(&b, st->indicator, st->docs, st->lens) != SE_OK
        || b.oom)
    {
        goto failed;
    }

    st->hash = snapshot ? se_hash_node(SE_FNV_OFFSET, snapshot, 0)
                        : SE_FNV_OFFSET;

    st->bad = b.bad;
    st->nwarnings = b.nwarnings;
    st->warnings = se_pcalloc_n(pool, SE_MAX_WARNINGS, sizeof(char *));

    if (st->warnings == NULL) {
        goto failed;
    }

    memcpy(st->warnings, b.warnings, sizeof(b.warnings));

    *out = st;

    return SE_OK;

failed:

    se_pool_destroy(pool);

    return SE_ERROR;
}


void
se_state_free(se_state_t *st)
{
    if (st) {
        se_pool_destroy(st->pool);
    }
}


uint64_t
se_state_version(const se_state_t *st)
{
    return st->model.version;
}


void
se_state_order(const se_state_t *st, se_order_t *order)
{
    *order = st->order;
}


uint64_t
se_state_hash(const se_state_t *st)
{
    return st->hash;
}


se_indicator_e
se_state_indicator(const se_state_t *st)
{
    return st->indicator;
}


const char *
se_state_doc(const se_state_t *st, se_doc_e doc, size_t *len)
{
    if ((unsigned) doc >= SE_DOC_N) {
        *len = 0;
        return NULL;
    }

    *len = st->lens[doc];

    return st->docs[doc];
}


int
se_doc_from_path(const char *path, size_t len, se_doc_e *doc)
{
    size_t  i;

    for (i = 0; i < SE_DOC_N; i++) {
        if (strlen(se_docs[i].path) == len
            && memcmp(se_docs[i].path, path, len) == 0)
        {
            *doc = (se_doc_e) i;
            return SE_OK;
        }
    }

    return SE_DECLINED;
}


const char *
se_doc_name(se_doc_e doc)
{
    if ((unsigned) doc >= SE_DOC_N) {
        return "unknown";
    }

    return se_docs[doc].name;
}


size_t
se_state_bad_records(const se_state_t *st)
{
    return st->bad;
}


size_t
se_state_nwarnings(const se_state_t *st)
{
    return st->nwarnings;
}


const char *
se_state_warning(const se_state_t *st, size_t i)
{
    return i < st->nwarnings ? st->warnings[i] : NULL;
}


const se_model_t *
se_state_model(const se_state_t *st)
{
    return &st->model;
}


int64_t
se_state_now(const se_state_t *st)
{
    return st->model.now;
}
