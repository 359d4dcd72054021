/*
 * The dedicated status page (status_edge_status_page): one server-rendered
 * HTML document per state, language and configuration variant, and its
 * stylesheet.  No script, no inline style, no third-party request: the
 * page links the module's stylesheet and its feeds by relative URLs, so
 * it is served from a location ending in "/" ("/status/").
 *
 * Built-in document (landmarks and headings, in this order):
 *
 *   header      h1 page name (name.ko in Korean when present)
 *   main
 *     section.overall.ind-LEVEL    the indicator's description
 *     section#active               unresolved public incidents: name,
 *                                  impact, affected components, "next
 *                                  update by", the full update timeline
 *     section#maintenance          in progress (in_progress, verifying)
 *     section#upcoming             scheduled, not yet ended; with start
 *                                  and end
 *     section#components           position order; groups with their
 *                                  children; only_show_if_degraded ones
 *                                  only while not operational
 *     section#history              the last history_days days (page
 *                                  time zone), newest first: resolved
 *                                  incidents and completed maintenances
 *                                  of each day with their updates and
 *                                  postmortem link, else "No incidents
 *                                  reported."
 *   footer      the time zone, links to history.atom and history.rss
 *
 * Only public records are shown.  Times read "Nov 21, 14:30 KST" (Korean
 * "11월 21일 14:30 KST"), with the year when it is not the current one,
 * in the page's time zone (se_tz), or UTC when it is unset or unknown.
 * Every admin string is escaped (se_html.h: non-ASCII as references).
 */

#ifndef SE_PAGE_H
#define SE_PAGE_H

#include "se_core.h"
#include "se_model.h"
#include "se_lang.h"
#include "se_tpl.h"
#include "se_tz.h"
#include "se_uptime.h"

#define SE_PAGE_TPL_MAX       65536     /* bytes of template text */
#define SE_PAGE_HISTORY_MAX   366       /* days */
#define SE_PAGE_CSS_URL       "status.css"

/*
 * Operator page templates (status_edge_status_page_template): the
 * operator's whole document with {{placeholders}} (se_tpl.h syntax).
 * Text placeholders are escaped for text and quoted attributes; section
 * placeholders insert the module's own blocks, escaped as above:
 *
 *   page_name           the page name in the language
 *   status_description  the indicator description in the language
 *   status_indicator    none, minor, major, critical or maintenance
 *   lang                en or ko
 *   stylesheet_url      the module's stylesheet (relative URL)
 *   atom_url, rss_url   the feeds (relative URLs)
 *   time_zone           the zone times are shown in ("Asia/Seoul")
 *   overall             section.overall
 *   incidents           section#active (empty when none)
 *   maintenances        section#maintenance and #upcoming (or empty)
 *   components          section#components
 *   history             section#history
 */
typedef se_tpl_t  se_page_tpl_t;

typedef struct {
    se_lang_e              lang;
    int64_t                now;           /* Unix seconds, 0: model->now */
    unsigned               history_days;  /* 0: no history section */
    const se_tz_t         *tz;            /* of page.time_zone, NULL: UTC */
    const se_page_tpl_t   *tpl;           /* NULL: the built-in document */
    const char            *css_url;       /* NULL: SE_PAGE_CSS_URL */
    const se_uptime_t     *uptime;        /* NULL: no uptime bars */
    unsigned               subscribe;     /* the form posting to subscribe */
} se_page_opts_t;

/*
 * Renders the page: *data (se_free()) is ASCII, NUL-terminated, *len
 * bytes.  SE_OK, or SE_ERROR when out of memory.
 */
int se_page_render(const se_model_t *m, const se_page_opts_t *o,
    char **data, size_t *len);

/*
 * The first moment after now at which the page changes with the clock
 * alone (a local midnight moves the history window, an upcoming
 * maintenance ends, a next_update_at passes), INT64_MAX when none.
 */
int64_t se_page_refresh_at(const se_model_t *m, const se_tz_t *tz,
    int64_t now);

#endif /* SE_PAGE_H */
