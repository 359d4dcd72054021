/*
 * Out of memory at every allocation of se_state_build(): SE_ERROR, no
 * state, nothing leaked (counted here, and LeakSanitizer at exit).
 */

#include "tap.h"
#include "snap.h"
#include "fixture.h"
#include "se_pool.h"

#include "failalloc.h"


int
main(void)
{
    se_raw_t    *r;
    se_state_t  *st;
    long         n, total, failed, degraded, leaked;
    int          rc;
    size_t       i, len, bad0;

    r = snap_new(fixture_full);

    se_set_alloc_funcs(t_malloc, t_free);

    /* a run without failures: the number of allocations */
    fail_at = 0;
    nalloc = 0;
    rc = se_state_build(r, &st);
    total = nalloc;
    tap_ok(rc == SE_OK && st != NULL && total > 10,
           "builds with counted allocations (%ld)", total);
    bad0 = se_state_bad_records(st);
    se_state_free(st);
    tap_ok(live == 0, "free returns everything");

    failed = degraded = leaked = 0;

    for (n = 1; n <= total; n++) {
        fail_at = n;
        nalloc = 0;
        st = (se_state_t *) 1;

        rc = se_state_build(r, &st);

        if (rc == SE_ERROR) {
            failed++;
            if (st != NULL) {
                tap_diag("allocation %ld: SE_ERROR but *out set", n);
                degraded += 1000;
            }

        } else {
            /*
             * jansson 2.14 may lose a byte of a string when an
             * allocation fails in its lexer: that reads as bad data
             */
            if (se_state_bad_records(st) != bad0) {
                degraded++;
                tap_diag("allocation %ld: bad %zu", n,
                         se_state_bad_records(st));
                snap_warnings(st);
            }

            for (i = 0; i < SE_DOC_N; i++) {
                if (se_state_doc(st, (se_doc_e) i, &len) == NULL) {
                    tap_diag("allocation %ld: SE_OK without doc %zu", n, i);
                    degraded += 1000;
                }
            }

            se_state_free(st);
        }

        if (live != 0) {
            tap_diag("allocation %ld: %ld blocks leaked", n, live);
            leaked++;
            live = 0;
        }
    }

    tap_ok(failed > 0 && failed >= total / 2,
           "failures reported as SE_ERROR (%ld of %ld)", failed, total);
    tap_ok(degraded < 1000, "never a half-built state");
    tap_ok(leaked == 0, "nothing leaked after any failure");

    if (degraded) {
        tap_diag("%ld failures read as bad data (jansson)", degraded);
    }

    se_set_alloc_funcs(NULL, NULL);
    fail_at = 0;

    tap_ok(se_state_build(r, &st) == SE_OK, "builds again after restore");
    se_state_free(st);

    snap_free(r);

    return tap_done();
}
