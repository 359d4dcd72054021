/*
 * Indicator derivation (SPEC section 2), as a table.
 */

#include "tap.h"
#include "snap.h"
#include "jcheck.h"
#include "se_derive.h"
#include "se_enum.h"

typedef struct {
    const char      *comp;      /* component status or NULL */
    const char      *istatus;   /* incident status or NULL */
    const char      *impact;
    const char      *audience;
    const char      *mstatus;   /* maintenance status or NULL */
    const char      *maudience;
    se_indicator_e   want;
    se_indicator_e   want_internal;
} row_t;

#define N  SE_INDICATOR_NONE
#define MI SE_INDICATOR_MINOR
#define MA SE_INDICATOR_MAJOR
#define CR SE_INDICATOR_CRITICAL
#define MT SE_INDICATOR_MAINTENANCE

static const row_t  rows[] = {
    { NULL, NULL, NULL, NULL, NULL, NULL, N, N },
    { "operational", NULL, NULL, NULL, NULL, NULL, N, N },
    { "degraded_performance", NULL, NULL, NULL, NULL, NULL, MI, MI },
    { "partial_outage", NULL, NULL, NULL, NULL, NULL, MA, MA },
    { "major_outage", NULL, NULL, NULL, NULL, NULL, CR, CR },
    { "under_maintenance", NULL, NULL, NULL, NULL, NULL, MT, MT },
    { NULL, "investigating", "none", NULL, NULL, NULL, N, N },
    { NULL, "investigating", "minor", NULL, NULL, NULL, MI, MI },
    { NULL, "identified", "major", NULL, NULL, NULL, MA, MA },
    { NULL, "monitoring", "critical", NULL, NULL, NULL, CR, CR },
    { NULL, "resolved", "critical", NULL, NULL, NULL, N, N },
    { NULL, "postmortem", "critical", NULL, NULL, NULL, N, N },
    { NULL, "investigating", NULL, NULL, NULL, NULL, N, N },
    { NULL, "investigating", "critical", "internal", NULL, NULL, N, CR },
    { NULL, "investigating", "critical", "public", NULL, NULL, CR, CR },
    { NULL, "investigating", "critical", "bogus", NULL, NULL, N, CR },
    { NULL, NULL, NULL, NULL, "in_progress", NULL, MT, MT },
    { NULL, NULL, NULL, NULL, "verifying", NULL, MT, MT },
    { NULL, NULL, NULL, NULL, "scheduled", NULL, N, N },
    { NULL, NULL, NULL, NULL, "completed", NULL, N, N },
    { NULL, NULL, NULL, NULL, "in_progress", "internal", N, MT },
    { NULL, "investigating", "minor", NULL, "in_progress", NULL, MI, MI },
    { "degraded_performance", NULL, NULL, NULL, "in_progress", NULL,
      MI, MI },
    { "operational", "investigating", "none", NULL, "in_progress", NULL,
      MT, MT },
    { "degraded_performance", "identified", "critical", NULL, NULL, NULL,
      CR, CR },
    { "major_outage", "identified", "minor", NULL, NULL, NULL, CR, CR },
    { "partial_outage", "resolved", "critical", NULL, "in_progress", NULL,
      MA, MA },
    { "under_maintenance", "identified", "minor", NULL, NULL, NULL,
      MI, MI },
};


static void
field(char *buf, size_t size, const char *key, const char *val)
{
    size_t  n;

    if (val == NULL) {
        return;
    }

    n = strlen(buf);
    snprintf(buf + n, size - n, ",\"%s\",\"%s\"", key, val);
}


int
main(void)
{
    char         comps[256], incs[512], mnts[512], snap[2048];
    char         f[256];
    size_t       i;
    se_state_t  *st;
    json_t      *d;

    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const row_t  *r = &rows[i];

        comps[0] = incs[0] = mnts[0] = '\0';

        if (r->comp) {
            snprintf(comps, sizeof(comps), "[\"c\",\"1\",[\"name\",\"C\","
                     "\"status\",\"%s\"]]", r->comp);
        }

        if (r->istatus) {
            f[0] = '\0';
            field(f, sizeof(f), "impact", r->impact);
            field(f, sizeof(f), "audience", r->audience);
            snprintf(incs, sizeof(incs), "[\"i\",\"1\",[\"name\",\"I\","
                     "\"status\",\"%s\"%s],[]]", r->istatus, f);
        }

        if (r->mstatus) {
            f[0] = '\0';
            field(f, sizeof(f), "audience", r->maudience);
            snprintf(mnts, sizeof(mnts), "[\"m\",\"1\",[\"name\",\"M\","
                     "\"status\",\"%s\"%s],[]]", r->mstatus, f);
        }

        snprintf(snap, sizeof(snap), "[\"1\",[],[%s],[%s],[%s],\"0\"]",
                 comps, incs, mnts);

        st = snap_state(snap);

        if (!tap_ok(st != NULL, "row %zu builds", i)) {
            continue;
        }

        tap_ok(se_state_indicator(st) == r->want,
               "row %zu: comp=%s inc=%s/%s/%s mnt=%s/%s -> %s", i,
               r->comp ? r->comp : "-", r->istatus ? r->istatus : "-",
               r->impact ? r->impact : "-",
               r->audience ? r->audience : "-",
               r->mstatus ? r->mstatus : "-",
               r->maudience ? r->maudience : "-",
               se_indicator_name(r->want));

        if (se_state_indicator(st) != r->want) {
            tap_diag("got %s", se_indicator_name(se_state_indicator(st)));
        }

        tap_ok(se_model_indicator(se_state_model(st), 1)
               == r->want_internal, "row %zu: internal view -> %s", i,
               se_indicator_name(r->want_internal));

        d = snap_doc(st, SE_DOC_STATUS);
        jc_is(d, "status.indicator", se_indicator_name(r->want));
        jc_is(d, "status.description", se_indicator_description(r->want));
        json_decref(d);

        se_state_free(st);
    }

    return tap_done();
}
