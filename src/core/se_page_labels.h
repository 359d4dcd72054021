/*
 * The status page's labels in each built-in language.
 */

#ifndef SE_PAGE_LABELS_H
#define SE_PAGE_LABELS_H

#include "se_core.h"
#include "se_lang.h"
#include "se_model.h"

typedef struct {
    const char          *title;         /* after the page name */
    const char          *skip;
    const char          *overall;
    const char          *indicator[SE_INDICATOR_UNKNOWN + 1];
    const char          *active;
    const char          *in_progress;
    const char          *upcoming;
    const char          *components;
    const char          *comp[SE_COMP_N];
    const char          *affected;
    const char          *history;
    const char          *none;
    const char          *postmortem;
    const char          *updates;
    const char          *resolved;
    const char          *zone;
    const char          *subscribe;
    const char          *uptime;        /* "99.95% uptime": after */
    const char          *uptime_before; /* ... before the figure */
    const char          *days_ago;      /* after the number */
    const char          *today;
    const char          *no_data;
    const char          *bars[2];       /* "Uptime, last " N " days" */
    const char          *hours;         /* after a number: " h" */
    const char          *minutes;       /* " min" */
    const char          *more;          /* "+3 more": after the number */
} se_page_labels_t;

/* the labels of a language */
const se_page_labels_t *se_page_labels(se_lang_e lang);

#endif /* SE_PAGE_LABELS_H */
