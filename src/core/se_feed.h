/*
 * The status page's feeds: history.atom (RFC 4287) and history.rss
 * (RSS 2.0), one entry per update of every public incident and
 * maintenance, newest first, at most SE_FEED_MAX entries.  Rendered once
 * per state, in English (the base text of every field).
 *
 * Stable ids (they never change while the records exist):
 *
 *   feed    tag:status-edge,2026:PAGE
 *   entry   tag:status-edge,2026:PAGE:incident:ID:update:UPDATE
 *           (":maintenance:" for maintenances)
 *
 * where PAGE is the page id ("page" when unset).  Links are absolute
 * under the page's status_url (else url) when it is a valid http(s) URL,
 * else relative to the feed ("./#incident-ID").  The documents are
 * UTF-8 XML 1.0; every admin string is escaped by se_feed_xml().
 */

#ifndef SE_FEED_H
#define SE_FEED_H

#include "se_core.h"
#include "se_model.h"
#include "se_html.h"

#define SE_FEED_MAX  100

typedef enum {
    SE_FEED_ATOM = 0,
    SE_FEED_RSS,
    SE_FEED_N
} se_feed_e;

/*
 * Renders the feed: *data (se_free()) is UTF-8, NUL-terminated, *len
 * bytes.  SE_OK, or SE_ERROR when out of memory.
 */
int se_feed_render(const se_model_t *m, se_feed_e kind, char **data,
    size_t *len);

/*
 * The feed of one component (history.atom?component=ID): only the
 * records that list it (a group: it or one of its children); feed id
 * tag:status-edge,2026:PAGE:component:ID, entries as in the page's feed.
 */
int se_feed_render_component(const se_model_t *m, se_feed_e kind,
    const se_component_t *comp, char **data, size_t *len);

/*
 * XML 1.0 character data and attribute values: & < > " ' become
 * entities; UTF-8 passes as it is; what markup may not carry
 * (se_utf8_markup_ok(): C0 controls other than TAB, LF and CR, DEL, C1
 * controls, noncharacters such as U+FFFE and U+FFFF) is dropped; invalid
 * UTF-8 becomes U+FFFD.  With attr, TAB, LF and CR become &#9; &#10;
 * &#13;.
 */
int se_feed_xml(se_html_buf_t *b, const char *s, size_t len, int attr);

#endif /* SE_FEED_H */
