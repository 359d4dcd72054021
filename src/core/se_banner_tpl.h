/*
 * Operator banner templates (status_edge_banner_template): the
 * operator's own markup with {{placeholders}}, parsed once at
 * configuration time and rendered like se_banner_render().
 *
 * Syntax: "{{" NAME "}}", spaces or tabs allowed around NAME.  Every
 * other byte is literal text and passes as it is (the operator's
 * markup; non-ASCII literal text is not rewritten, so write it as
 * character references for pages in other charsets).  There is no way
 * to write a literal "{{".
 *
 * Every value is escaped with se_html_attr(): & < > " ' become entities,
 * TAB, LF and CR become &#9; &#10; &#13;, non-ASCII becomes numeric
 * character references.  Values are therefore safe in HTML text and in
 * quoted attribute values; there is no raw placeholder.
 *
 *   level        the level label in the language ("Partial outage",
 *                "Scheduled maintenance" for an upcoming maintenance)
 *   level_class  none, minor, major, critical or maintenance
 *   name         the record name (name.ko for Korean when present)
 *   status       the label of the latest update's status; of the
 *                record's own status when it has no updates
 *   body         the latest update's body (body.ko for Korean when
 *                present), at most 300 characters, then "&#8230;";
 *                empty without updates
 *   next_update  "Next update by 15:30 UTC" in the language, as the
 *                built-in banner writes it; empty when there is no
 *                next_update_at or it is past
 *   status_url   the URL the built-in's link uses (page status_url,
 *                else page url, when se_html_url_ok()), else empty
 *   dismiss_url  DISMISS?id=ID&amp;u=UPDATE&amp;r= (the query joined
 *                with "&amp;" when DISMISS has one); empty when there is
 *                no valid dismiss location
 *   return       where the filter writes the percent-encoded return
 *                path (se_banner_return_write()): at most once, and
 *                anywhere (the encoded path is safe in text and
 *                attributes), normally right after {{dismiss_url}};
 *                writes nothing itself
 *   lang         en or ko
 *   key          the dismissal key (se_banner_record_key())
 */

#ifndef SE_BANNER_TPL_H
#define SE_BANNER_TPL_H

#include "se_core.h"
#include "se_model.h"
#include "se_banner.h"
#include "se_tpl.h"

#define SE_BANNER_TPL_MAX  65536        /* bytes of template text */

typedef se_tpl_t  se_banner_tpl_t;

/*
 * Parses template text (need not be NUL-terminated) into *out
 * (se_banner_tpl_free()).  SE_OK; SE_ERROR with a message in err (at
 * most errlen bytes with the NUL; err may be NULL) for: text over
 * SE_BANNER_TPL_MAX bytes, a NUL byte, an unterminated "{{", an
 * unknown placeholder, a second {{return}} (each naming its line), or
 * out of memory.
 */
int se_banner_tpl_parse(const char *text, size_t len, se_banner_tpl_t **out,
    char *err, size_t errlen);
void se_banner_tpl_free(se_banner_tpl_t *t);

/*
 * Renders rec (from se_banner_choose() on m) with the same contract as
 * se_banner_render(): out->data allocated with se_malloc()
 * (se_banner_free()), NUL-terminated; out->ret is the offset of
 * {{return}} when the template has one and opts->dismiss is valid, else
 * SE_BANNER_NO_RET; out->key is the record key.  SE_OK, or SE_ERROR
 * when out of memory (out is then empty).
 */
int se_banner_tpl_render(const se_banner_tpl_t *t, const se_model_t *m,
    const se_incident_t *rec, const se_banner_opts_t *opts,
    se_banner_t *out);

#endif /* SE_BANNER_TPL_H */
