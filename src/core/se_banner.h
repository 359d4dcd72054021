/*
 * The status banner injected into proxied pages (SPEC sections 2 and 3):
 * which incident or maintenance a request sees, its markup per language,
 * the stylesheet, and the key that names it for dismissal.
 *
 * Choice, for a request context (audience, components of the location):
 *
 *   1. unresolved incidents (investigating, identified, monitoring) with
 *      banner on: highest impact first (critical, major, minor, none),
 *      then the newest created_at, then model order;
 *   2. else a maintenance in progress or verifying with banner on, the
 *      first in model order (the latest scheduled_for);
 *   3. else a scheduled maintenance with banner on whose window is near:
 *      scheduled_for - banner_lead <= now < end, where end is
 *      scheduled_until when set and scheduled_for otherwise (a
 *      maintenance nobody started is not announced past its end); the
 *      soonest scheduled_for wins.  Needs a known now.
 *
 * Internal records count only for the internal audience.  A component
 * filter (the location's status_edge_banner_components) keeps records
 * that name at least one of its ids, and records that name no component
 * at all: those affect everything.  An empty filter keeps all.
 *
 * Markup (se_banner_render()), all ASCII, no inline script or style:
 *
 *   <div class="se-banner se-LEVEL" role="status" aria-live="polite"
 *        lang="en|ko">
 *    <div class="se-content">
 *     <p class="se-title"><strong class="se-level">LEVEL</strong>
 *      <span class="se-name">NAME</span></p>
 *     <p class="se-update"><span class="se-status">STATUS</span>:
 *      <span class="se-text">BODY</span></p>
 *     <p class="se-meta"><span class="se-when">window</span>
 *      <span class="se-next">Next update by ...</span>
 *      <a class="se-link" href="STATUS_URL">View status page</a></p>
 *    </div>
 *    <a class="se-dismiss" href="DISMISS?id=ID&amp;u=UPDATE&amp;r=RETURN"
 *       aria-label="Dismiss" title="Dismiss">&#215;</a>
 *   </div>
 *
 * (without the line breaks and indentation).  LEVEL is one of none,
 * minor, major, critical, maintenance; an upcoming maintenance also has
 * the class se-upcoming.  Parts without data are left out: no updates,
 * no update paragraph (the record's own status is shown in the title
 * line instead); no next_update_at, or one already past, no se-next;
 * no valid URL, no link; no dismiss URL, no dismiss control.
 */

#ifndef SE_BANNER_H
#define SE_BANNER_H

#include "se_core.h"
#include "se_html.h"
#include "se_lang.h"
#include "se_model.h"

typedef struct {
    int                  internal;      /* audience internal */
    const se_str_t      *components;    /* location's ids, NULL: all */
    size_t               ncomponents;   /* 0: all */
    int64_t              now;           /* Unix seconds, 0: model->now */
} se_banner_ctx_t;

/* the record the context sees (points into m), or NULL: no banner */
const se_incident_t *se_banner_choose(const se_model_t *m,
    const se_banner_ctx_t *ctx);

/*
 * The first moment after now at which a banner choice or its markup may
 * change with the clock alone (a maintenance entering or leaving its
 * banner window, a next_update_at passing, UTC midnight changing how
 * times are written), INT64_MAX when none: banners rendered at now stay
 * right until then.
 */
int64_t se_banner_refresh_at(const se_model_t *m, int64_t now);

/*
 * The dismissal key of a record as it is now: 16 lower-case hex digits
 * of a 64-bit hash of the record id and its latest update id ("" when it
 * has none), so a new update shows the banner again.  Safe as a cookie
 * value.  se_banner_key() computes the same key from the id and u query
 * parameters of a dismiss link.
 */
#define SE_BANNER_KEY_LEN  17           /* 16 hex digits and a NUL */

void se_banner_key(const char *id, size_t id_len, const char *uid,
    size_t uid_len, char key[SE_BANNER_KEY_LEN]);
void se_banner_record_key(const se_incident_t *rec,
    char key[SE_BANNER_KEY_LEN]);

typedef struct {
    se_lang_e            lang;
    const char          *dismiss;       /* dismiss location, NULL: none */
    size_t               dismiss_len;
    int64_t              now;           /* Unix seconds, 0: model->now */
} se_banner_opts_t;

#define SE_BANNER_NO_RET  SIZE_MAX

/*
 * Rendered markup.  data is ASCII, NUL-terminated, allocated with
 * se_malloc(); se_banner_free() releases it.  When the dismiss control
 * is present, the request's return path goes at offset ret: the filter
 * writes data[0, ret), se_banner_return_write() of the request URI,
 * then data[ret, len).  ret is SE_BANNER_NO_RET when there is no dismiss
 * control and data goes out as it is.
 */
typedef struct {
    char                *data;
    size_t               len;
    size_t               ret;
    char                 key[SE_BANNER_KEY_LEN];
} se_banner_t;

/*
 * Renders rec (from se_banner_choose() on the same model) in opts->lang:
 * admin text from the "F.ko" translation when the language is Korean and
 * it exists, else F.  The dismiss URL must be a same-site path or an
 * http(s) URL (se_html_url_ok()), else the control is left out; it may
 * hold a query already.  SE_OK, or SE_ERROR when out of memory (out is
 * then empty).
 */
int se_banner_render(const se_model_t *m, const se_incident_t *rec,
    const se_banner_opts_t *opts, se_banner_t *out);
void se_banner_free(se_banner_t *b);

/*
 * The return path of a dismiss link for the request URI (path and
 * query as the client sent them), percent-encoded for the r parameter:
 * a URI that is not a same-site path ("//host", "/\host", no leading
 * '/', longer than SE_BANNER_RET_MAX) becomes "/".  Non-allocating:
 * se_banner_return_len() bytes at most; returns the end.  The dismiss
 * handler must still check what it decodes.
 */
#define SE_BANNER_RET_MAX  2048

size_t se_banner_return_len(const char *uri, size_t len);
char *se_banner_return_write(char *dst, const char *uri, size_t len);

/*
 * The banner stylesheet (static, ASCII, NUL-terminated): scoped to
 * .se-banner, responsive, at least 7:1 contrast for every level in
 * light and dark color schemes, no motion under prefers-reduced-motion.
 * For <style nonce="...">CSS</style> or a same-origin stylesheet.
 */
const char *se_banner_css(size_t *len);

/*
 * For the gate page and operator templates (se_banner_tpl.c): a time as
 * "15:30" on the day of now (unless date), "2026-11-21 15:30" otherwise.
 */
void se_banner_time(se_html_buf_t *b, int64_t t, int64_t now, int date);

/*
 * Whether rec passes the context's component filter: it names one of
 * the filter's ids, or names none (it affects everything), or the
 * filter is empty.
 */
int se_banner_touches(const se_incident_t *rec, const se_banner_ctx_t *ctx);

/* the dismiss link's URL, escaped for an attribute, ending with "r=" */
void se_banner_dismiss_url(se_html_buf_t *b, const se_incident_t *rec,
    const se_banner_opts_t *o);

#endif /* SE_BANNER_H */
