/*
 * The sections of the status page, shared by the built-in document
 * (se_page.c) and operator templates (se_page_tpl.c): each writes one
 * block of the page into c->b, escaped (se_page.h describes them).
 */

#ifndef SE_PAGE_SECTION_H
#define SE_PAGE_SECTION_H

#include "se_core.h"
#include "se_html.h"
#include "se_lang.h"
#include "se_model.h"
#include "se_page_labels.h"
#include "se_tz.h"
#include "se_uptime.h"

typedef struct {
    const se_model_t        *m;
    se_html_buf_t           *b;
    se_lang_e                lang;
    int64_t                  now;
    unsigned                 days;
    const se_tz_t           *tz;
    const char              *css_url;
    const se_page_labels_t  *pt;
    const se_lang_labels_t  *bt;
    const se_uptime_t       *uptime;    /* NULL: no uptime bars */
    unsigned                 subscribe:1;   /* the subscription form */
} se_page_ctx_t;

/* a label, escaped for text */
void se_page_text(se_html_buf_t *b, const char *s);

/* n in decimal, zero-padded to width digits */
void se_page_num(se_html_buf_t *b, int64_t n, int width);

/* "Nov 21, 2026" or "2026년 11월 21일" of a local day; year 0: without */
void se_page_date(se_page_ctx_t *c, int64_t day, int year);

/* whether the page shows rec, so that "#incident-ID" links to it */
int se_page_shows(se_page_ctx_t *c, const se_incident_t *rec);

/* a / b rounded towards minus infinity */
int64_t se_page_floor_div(int64_t a, int64_t b);

/* the page name in the language */
const se_str_t *se_page_name(se_page_ctx_t *c);

/* the time zone times are shown in ("Asia/Seoul") */
void se_page_zone(se_page_ctx_t *c);

/* section.overall */
void se_page_overall(se_page_ctx_t *c);

/* section#active, empty when there is no unresolved incident */
void se_page_incidents(se_page_ctx_t *c);

/* section#maintenance and section#upcoming, or empty */
void se_page_maintenances(se_page_ctx_t *c);

/* section#components */
void se_page_components(se_page_ctx_t *c);

/* section#history */
void se_page_history(se_page_ctx_t *c);

#endif /* SE_PAGE_SECTION_H */
