/*
 * The status page's stylesheet.
 */

#ifndef SE_PAGE_CSS_H
#define SE_PAGE_CSS_H

#include "se_core.h"

/* the stylesheet (static, ASCII, NUL-terminated) */
const char *se_page_css(size_t *len);

#endif /* SE_PAGE_CSS_H */
