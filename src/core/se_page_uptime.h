/*
 * The status page's uptime bars: under each component with uptime on
 * and some history in the window, one bar per day of the window (oldest
 * first, today last), coloured by
 * the day's downtime (se_uptime.h), and the window's figure:
 *
 *   div.uptime
 *     ol.bars[aria-label]     li.b.d-LEVEL[tabindex=0] per day, each
 *                             holding span.t: the date, the day's
 *                             figure, the time in each status other
 *                             than operational, and the day's incidents
 *                             and maintenances (links to the page's
 *                             "#incident-ID" when it shows them, else to
 *                             their shortlink)
 *     p.ax                    "90 days ago", the figure, "Today"
 *
 * span.t is the bar's text alternative: visually hidden, read by screen
 * readers, and shown as a tooltip on hover and on keyboard focus by the
 * stylesheet alone (no script).  Narrow screens show the last 30 days.
 */

#ifndef SE_PAGE_UPTIME_H
#define SE_PAGE_UPTIME_H

#include "se_page_section.h"

/* the bars of comp, nothing when c->uptime is NULL or its uptime is off */
void se_page_uptime(se_page_ctx_t *c, const se_component_t *comp);

#endif /* SE_PAGE_UPTIME_H */
