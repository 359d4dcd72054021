/*
 * The built-in languages of the banner, the status page, the feeds, the
 * badge and the gate page: their labels, their names, the choice of one
 * from an Accept-Language header, and the translation of a field.
 */

#ifndef SE_LANG_H
#define SE_LANG_H

#include "se_core.h"
#include "se_model.h"

typedef enum {
    SE_LANG_EN = 0,
    SE_LANG_KO,
    SE_LANG_N
} se_lang_e;

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
} se_lang_labels_t;

/* "en", "ko" */
const char *se_lang_name(se_lang_e lang);

/*
 * The built-in language an Accept-Language header prefers: the highest
 * q of "ko" and "en" (any region: "ko-KR"); on a tie the earlier one;
 * English when neither is named (or the header is empty or broken).
 */
se_lang_e se_lang_negotiate(const char *accept_language, size_t len);

/* the labels of a language */
const se_lang_labels_t *se_lang_labels(se_lang_e lang);

/* the translation of a field into lang when there is one, else base */
const se_str_t *se_lang_i18n(const se_str_t *base, const se_i18n_t *list,
    se_lang_e lang);

#endif /* SE_LANG_H */
