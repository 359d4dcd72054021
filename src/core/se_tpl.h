/*
 * Operator templates, the generic part: text with {{placeholders}},
 * parsed once at configuration time into literal and placeholder
 * segments.  se_banner_tpl.c (status_edge_banner_template) and
 * se_page.c (status_edge_status_page_template) name the placeholders
 * and render them, escaped.
 *
 * Syntax: "{{" NAME "}}", spaces or tabs allowed around NAME, on one
 * line.  Every other byte is literal text.  There is no way to write a
 * literal "{{".
 */

#ifndef SE_TPL_H
#define SE_TPL_H

#include "se_core.h"

typedef struct {
    int                  item;          /* 0: literal text */
    size_t               off;           /* literal text in t->text */
    size_t               len;
} se_tpl_seg_t;

typedef struct se_tpl_s {
    se_tpl_seg_t        *segs;
    size_t               nsegs;
    char                *text;
    size_t               len;
} se_tpl_t;

typedef struct {
    const char *const   *names;         /* names[1 .. nnames - 1] */
    size_t               nnames;
    int                  once;          /* an item allowed once, 0: none */
    const char          *what;          /* "banner template", in errors */
    size_t               max;           /* bytes of text */
} se_tpl_spec_t;

/*
 * Parses text (need not be NUL-terminated) into *out (se_tpl_free()).
 * SE_OK; SE_ERROR with a message in err (at most errlen bytes with the
 * NUL; err may be NULL) for: text over spec->max bytes, a NUL byte, an
 * unterminated "{{", an unknown placeholder, a second use of the "once"
 * placeholder (each naming its line), or out of memory.
 */
int se_tpl_parse(const se_tpl_spec_t *spec, const char *text, size_t len,
    se_tpl_t **out, char *err, size_t errlen);
void se_tpl_free(se_tpl_t *t);

#endif /* SE_TPL_H */
