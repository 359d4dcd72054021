/*
 * The maintenance gate (SPEC section 3, status_edge_gate): while a
 * maintenance with gate on is in progress, a gated location answers 503
 * with a maintenance page instead of contacting its upstream.
 *
 * Choice, for a location's component filter (the same filter and the
 * same matching as the banner's status_edge_banner_components):
 *
 *   a maintenance gates when its status is active (in_progress or
 *   verifying, se_status_active()), gate is on, its audience is public,
 *   and it passes the filter (names one of its ids, or names no
 *   component: the whole site); the first in model order (the latest
 *   scheduled_for) wins.  Its banner flag does not matter.
 *
 * An internal maintenance gates nobody: only the internal audience sees
 * it, and the internal audience bypasses the gate.  A maintenance whose
 * scheduled_until has passed still gates until an admin completes it:
 * only the admin knows the work is done.  The clock plays no part in
 * the choice, so a page rendered for a state stays right as long as the
 * state does.
 *
 * Retry-After (se_gate_retry_after()): the seconds until scheduled_until
 * when that is in the future, else SE_GATE_RETRY_DEFAULT (absent, or
 * already past).
 *
 * Page (se_gate_render()): a complete HTML document, all ASCII (non-ASCII
 * text as numeric character references), with an inline stylesheet and no
 * script or external resource:
 *
 *   <!DOCTYPE html><html lang="en|ko"><head><meta charset="utf-8">
 *   <meta name="viewport" ...><meta name="robots" content="noindex">
 *   <title>TITLE - PAGE NAME</title><style>...</style></head>
 *   <body><main class="se-gate">
 *    <p class="se-gate-level">Maintenance</p>
 *    <h1 class="se-gate-name">NAME</h1>
 *    <p class="se-gate-update"><span class="se-status">STATUS</span>:
 *     <span class="se-text">BODY</span></p>
 *    <p class="se-gate-until">Expected end: <time datetime="RFC 3339">
 *     2026-11-21 15:30 UTC</time></p>
 *    <p class="se-gate-retry">Please try again later.</p>
 *    <p class="se-gate-link"><a href="STATUS_URL">View status page</a></p>
 *   </main></body></html>
 *
 * (without the line breaks).  Parts without data are left out: no
 * updates, the record's own status in the update paragraph without a
 * body; no scheduled_until, no expected end; no valid status_url (or
 * url), no link.  Times are written with the date, as the banner writes
 * them, so the page does not depend on the day it was rendered.
 */

#ifndef SE_GATE_H
#define SE_GATE_H

#include "se_core.h"
#include "se_model.h"
#include "se_banner.h"

#define SE_GATE_RETRY_DEFAULT  60       /* seconds */
#define SE_GATE_BODY_MAX       2000     /* characters of an update body */

/* the maintenance that gates the filter's locations, or NULL */
const se_incident_t *se_gate_choose(const se_model_t *m,
    const se_str_t *components, size_t ncomponents);

/* Retry-After in seconds for rec at now (Unix seconds) */
int64_t se_gate_retry_after(const se_incident_t *rec, int64_t now);

/*
 * The maintenance page of rec in lang, NUL-terminated, allocated with
 * se_malloc() (se_free() it); SE_OK, or SE_ERROR when out of memory
 * (*data is then NULL).
 */
int se_gate_render(const se_model_t *m, const se_incident_t *rec,
    se_lang_e lang, char **data, size_t *len);

#endif /* SE_GATE_H */
