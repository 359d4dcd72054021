/*
 * Pieces of the built-in banner that operator templates (se_banner_tpl.c)
 * share with it: labels, translations, times and the dismiss link.
 * Internal to the core.
 */

#ifndef SE_BANNER_INT_H
#define SE_BANNER_INT_H

#include "se_banner.h"
#include "se_html.h"

typedef struct {
    const char          *lang;
    const char          *level[SE_IMPACT_N];
    const char          *upcoming;
    const char          *status[SE_STATUS_N];
    const char          *next;          /* before the time */
    const char          *when;          /* before a maintenance window */
    const char          *to;            /* between start and end */
    const char          *link;
    const char          *dismiss;
} se_banner_text_t;

/* the labels of a language */
const se_banner_text_t *se_banner_text(se_lang_e lang);

/* the translation of a field into lang when there is one, else base */
const se_str_t *se_banner_i18n(const se_str_t *base, const se_i18n_t *list,
    se_lang_e lang);

/* "15:30" on the day of now (unless date), "2026-11-21 15:30" otherwise */
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

#endif /* SE_BANNER_INT_H */
