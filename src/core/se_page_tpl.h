/*
 * Operator status page templates (se_page.h describes the placeholders):
 * parsing, and writing a template with the page's sections.
 */

#ifndef SE_PAGE_TPL_H
#define SE_PAGE_TPL_H

#include "se_core.h"
#include "se_page.h"
#include "se_page_section.h"

int se_page_tpl_parse(const char *text, size_t len, se_page_tpl_t **out,
    char *err, size_t errlen);
void se_page_tpl_free(se_page_tpl_t *t);

/* the template t with the placeholders of the context c */
void se_page_template(se_page_ctx_t *c, const se_page_tpl_t *t);

#endif /* SE_PAGE_TPL_H */
