/*
 * The SVG status badge (SPEC section 3, status_edge_badge): a two-part
 * badge in the look of shields.io's "flat" style, a grey label on the
 * left and a coloured value on the right:
 *
 *   overall      "status" | the indicator's description
 *   component    its name | its status label
 *   no state     "status" (or the component id) | "unknown", grey
 *
 * in English or Korean ("상태", "모든 시스템 정상", ...).  The value's
 * colour follows the severity:
 *
 *   none, operational                         green   #2e7d32
 *   minor, degraded_performance               yellow  #dfb317
 *   major, partial_outage                     orange  #c2410c
 *   critical, major_outage                    red     #c62828
 *   maintenance, under_maintenance            blue    #1e63b6
 *   unknown                                   grey    #767676
 *
 * White text on all of them except yellow (dark text), at least 4.5:1.
 * Each part is as wide as its text measured with the advance widths of
 * Verdana 11px (shields' own table for ASCII; 11 px for Hangul and CJK,
 * 7 px for other characters) plus 5 px of padding on each side; the
 * text also carries textLength, so a renderer with another font
 * squeezes it into the same box.  Text longer than SE_BADGE_TEXT_MAX
 * characters is cut and ends with an ellipsis.
 *
 * The SVG has role="img", an aria-label and a <title> ("status: All
 * Systems Operational"); all text is escaped for XML (se_html.h: & < >
 * " ' as entities, non-ASCII as numeric character references, control
 * characters dropped), so the bytes are ASCII.
 */

#ifndef SE_BADGE_H
#define SE_BADGE_H

#include "se_core.h"
#include "se_model.h"
#include "se_state.h"
#include "se_lang.h"

#define SE_BADGE_TEXT_MAX  48           /* characters of label or value */

typedef enum {
    SE_BADGE_GREEN = 0,
    SE_BADGE_YELLOW,
    SE_BADGE_ORANGE,
    SE_BADGE_RED,
    SE_BADGE_BLUE,
    SE_BADGE_GREY,
    SE_BADGE_N
} se_badge_color_e;

/* rendered SVG, ASCII, NUL-terminated, se_malloc()ed; data NULL: none */
typedef struct {
    char                *data;
    size_t               len;
} se_badge_t;


/*
 * The width of UTF-8 text in tenths of a pixel (Verdana 11px), at most
 * max_chars characters (0: all); *cut gets the bytes those characters
 * take (NULL: not wanted).
 */
size_t se_badge_text_width(const char *s, size_t len, size_t max_chars,
    size_t *cut);

/* a badge of any label and value; SE_OK or SE_ERROR (out of memory) */
int se_badge_render(const char *label, size_t label_len, const char *value,
    size_t value_len, se_badge_color_e color, se_badge_t *out);

/* the overall badge of an indicator */
int se_badge_overall(se_indicator_e ind, se_lang_e lang, se_badge_t *out);

/* a component's badge: its "name.LANG" when set (English too), else name */
int se_badge_component(const se_component_t *c, se_lang_e lang,
    se_badge_t *out);

/*
 * The uptime badge of a component (c NULL: the page): its name and the
 * figure ("api | 99.95%"), figure in 1/100 % or SE_UPTIME_NONE
 */
int se_badge_uptime(const se_component_t *c, int32_t figure, se_lang_e lang,
    se_badge_t *out);

/* the grey "unknown" badge; label NULL: "status" */
int se_badge_unknown(const char *label, size_t label_len, se_lang_e lang,
    se_badge_t *out);

void se_badge_free(se_badge_t *b);

#endif /* SE_BADGE_H */
