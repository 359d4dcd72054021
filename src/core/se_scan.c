/*
 * The streaming body-tag scanner (se_scan.h).
 *
 * One state of the HTML tokenizer per state below, under the spec's
 * names, except that states whose only difference is in the tokens they
 * emit are merged (RCDATA and RAWTEXT; a DOCTYPE, a CDATA section and a
 * bogus comment all end at the first '>').  Tag names are matched
 * incrementally against the few names that matter, as a bit mask of the
 * candidates still matching and a count of the bytes read.
 *
 * "Reconsume in state X" is "state = X; continue;" (the byte is not
 * consumed); "break" consumes it.
 */

#include <string.h>

#include "se_scan.h"


enum {
    sw_data = 0,
    sw_tag_open,
    sw_end_tag_open,
    sw_tag_name,
    sw_before_attr_name,
    sw_attr_name,
    sw_after_attr_name,
    sw_before_attr_value,
    sw_attr_value_dq,
    sw_attr_value_sq,
    sw_attr_value_unq,
    sw_after_attr_value,
    sw_self_closing,
    sw_markup_decl,
    sw_markup_dash,
    sw_bogus_comment,
    sw_comment_start,
    sw_comment_start_dash,
    sw_comment,
    sw_comment_end_dash,
    sw_comment_end,
    sw_comment_end_bang,
    sw_raw,
    sw_raw_lt,
    sw_raw_end_tag_open,
    sw_raw_end_tag_name,
    sw_script,
    sw_script_lt,
    sw_script_end_tag_open,
    sw_script_end_tag_name,
    sw_script_esc_start,
    sw_script_esc_start_dash,
    sw_script_esc,
    sw_script_esc_dash,
    sw_script_esc_dash_dash,
    sw_script_esc_lt,
    sw_script_esc_end_tag_open,
    sw_script_esc_end_tag_name,
    sw_script_dbl_esc_start,
    sw_script_dbl_esc,
    sw_script_dbl_esc_dash,
    sw_script_dbl_esc_dash_dash,
    sw_script_dbl_esc_lt,
    sw_script_dbl_esc_end,
    sw_found,                           /* transient: the body tag ended */
    sw_done
};


/* the names that matter, as indexes into se_scan_names[] */

enum {
    se_tag_body = 0,
    se_tag_html,
    se_tag_frameset,
    se_tag_plaintext,
    se_tag_script,
    se_tag_style,                       /* RAWTEXT and RCDATA from here */
    se_tag_textarea,
    se_tag_title,
    se_tag_xmp,
    se_tag_iframe,
    se_tag_noembed,
    se_tag_noframes,
    se_tag_noscript,
    se_tag_other
};

#define SE_SCAN_ALL  ((1u << se_tag_other) - 1)


typedef struct {
    size_t       len;
    const char  *name;
} se_scan_name_t;


static const se_scan_name_t  se_scan_names[] = {
    { 4, "body" },
    { 4, "html" },
    { 8, "frameset" },
    { 9, "plaintext" },
    { 6, "script" },
    { 5, "style" },
    { 8, "textarea" },
    { 5, "title" },
    { 3, "xmp" },
    { 6, "iframe" },
    { 7, "noembed" },
    { 8, "noframes" },
    { 8, "noscript" }
};


static void se_scan_name_char(se_scan_t *s, unsigned char ch);
static unsigned se_scan_name_end(se_scan_t *s);
static unsigned se_scan_emit(se_scan_t *s);


#define se_scan_space(ch)                                                    \
    ((ch) == ' ' || (ch) == '\t' || (ch) == '\n' || (ch) == '\r'              \
     || (ch) == '\f')

#define se_scan_alpha(ch)                                                    \
    ((unsigned char) ((ch) | 0x20) >= 'a'                                    \
     && (unsigned char) ((ch) | 0x20) <= 'z')


void
se_scan_init(se_scan_t *s, size_t window)
{
    memset(s, 0, sizeof(se_scan_t));

    s->left = window ? window : SE_SCAN_WINDOW;
    s->state = sw_data;
    s->tag = se_tag_other;
    s->raw = se_tag_other;
}


int
se_scan_feed(se_scan_t *s, const unsigned char *p, size_t len, size_t *pos)
{
    unsigned              state, tag;
    unsigned char         ch;
    const unsigned char  *start, *last, *q;

    state = s->state;

    if (state == sw_done) {
        return SE_DECLINED;
    }

    if (len == 0) {
        return SE_AGAIN;
    }

    start = p;
    last = p + (len < s->left ? len : s->left);

    while (p < last) {
        ch = *p;

        switch (state) {

        case sw_data:
            q = memchr(p, '<', last - p);
            if (q == NULL) {
                p = last;
                continue;
            }

            p = q;
            state = sw_tag_open;
            break;

        case sw_tag_open:
            if (ch == '!') {
                state = sw_markup_decl;
                break;
            }

            if (ch == '/') {
                state = sw_end_tag_open;
                break;
            }

            if (ch == '?') {
                state = sw_bogus_comment;
                break;
            }

            if (se_scan_alpha(ch)) {
                s->end = 0;
                s->mask = SE_SCAN_ALL;
                s->n = 0;
                se_scan_name_char(s, ch);
                state = sw_tag_name;
                break;
            }

            state = sw_data;
            continue;

        case sw_end_tag_open:
            if (se_scan_alpha(ch)) {
                s->end = 1;
                s->mask = SE_SCAN_ALL;
                s->n = 0;
                se_scan_name_char(s, ch);
                state = sw_tag_name;
                break;
            }

            /* "</>" is dropped, anything else is a bogus comment */

            state = (ch == '>') ? sw_data : sw_bogus_comment;
            break;

        case sw_tag_name:
            if (se_scan_space(ch)) {
                s->tag = se_scan_name_end(s);
                state = sw_before_attr_name;
                break;
            }

            if (ch == '/') {
                s->tag = se_scan_name_end(s);
                state = sw_self_closing;
                break;
            }

            if (ch == '>') {
                s->tag = se_scan_name_end(s);
                p++;
                state = se_scan_emit(s);
                continue;
            }

            se_scan_name_char(s, ch);
            break;

        case sw_before_attr_name:
        case sw_after_attr_name:
            if (se_scan_space(ch)) {
                break;
            }

            if (ch == '/') {
                state = sw_self_closing;
                break;
            }

            if (ch == '>') {
                p++;
                state = se_scan_emit(s);
                continue;
            }

            if (ch == '=' && state == sw_after_attr_name) {
                state = sw_before_attr_value;
                break;
            }

            /* an attribute name, even one that starts with '=' or '"' */

            state = sw_attr_name;
            break;

        case sw_attr_name:
            if (se_scan_space(ch)) {
                state = sw_after_attr_name;
                break;
            }

            if (ch == '/') {
                state = sw_self_closing;
                break;
            }

            if (ch == '>') {
                p++;
                state = se_scan_emit(s);
                continue;
            }

            if (ch == '=') {
                state = sw_before_attr_value;
            }

            break;

        case sw_before_attr_value:
            if (se_scan_space(ch)) {
                break;
            }

            if (ch == '"') {
                state = sw_attr_value_dq;
                break;
            }

            if (ch == '\'') {
                state = sw_attr_value_sq;
                break;
            }

            if (ch == '>') {
                p++;
                state = se_scan_emit(s);
                continue;
            }

            state = sw_attr_value_unq;
            break;

        case sw_attr_value_dq:
        case sw_attr_value_sq:
            q = memchr(p, state == sw_attr_value_dq ? '"' : '\'', last - p);
            if (q == NULL) {
                p = last;
                continue;
            }

            p = q;
            state = sw_after_attr_value;
            break;

        case sw_attr_value_unq:
            if (se_scan_space(ch)) {
                state = sw_before_attr_name;
                break;
            }

            if (ch == '>') {
                p++;
                state = se_scan_emit(s);
                continue;
            }

            break;

        case sw_after_attr_value:
            if (se_scan_space(ch)) {
                state = sw_before_attr_name;
                break;
            }

            if (ch == '/') {
                state = sw_self_closing;
                break;
            }

            if (ch == '>') {
                p++;
                state = se_scan_emit(s);
                continue;
            }

            state = sw_before_attr_name;
            continue;

        case sw_self_closing:
            if (ch == '>') {
                p++;
                state = se_scan_emit(s);
                continue;
            }

            state = sw_before_attr_name;
            continue;

        /* "<!": a comment, or a DOCTYPE or bogus comment up to '>' */

        case sw_markup_decl:
            if (ch == '-') {
                state = sw_markup_dash;
                break;
            }

            state = sw_bogus_comment;
            continue;

        case sw_markup_dash:
            if (ch == '-') {
                state = sw_comment_start;
                break;
            }

            state = sw_bogus_comment;
            continue;

        case sw_bogus_comment:
            q = memchr(p, '>', last - p);
            if (q == NULL) {
                p = last;
                continue;
            }

            p = q;
            state = sw_data;
            break;

        case sw_comment_start:
            if (ch == '-') {
                state = sw_comment_start_dash;
                break;
            }

            if (ch == '>') {
                state = sw_data;                /* "<!-->" */
                break;
            }

            state = sw_comment;
            continue;

        case sw_comment_start_dash:
            if (ch == '-') {
                state = sw_comment_end;
                break;
            }

            if (ch == '>') {
                state = sw_data;                /* "<!--->" */
                break;
            }

            state = sw_comment;
            continue;

        case sw_comment:
            q = memchr(p, '-', last - p);
            if (q == NULL) {
                p = last;
                continue;
            }

            p = q;
            state = sw_comment_end_dash;
            break;

        case sw_comment_end_dash:
            if (ch == '-') {
                state = sw_comment_end;
                break;
            }

            state = sw_comment;
            continue;

        case sw_comment_end:
            if (ch == '>') {
                state = sw_data;
                break;
            }

            if (ch == '!') {
                state = sw_comment_end_bang;
                break;
            }

            if (ch == '-') {
                break;
            }

            state = sw_comment;
            continue;

        case sw_comment_end_bang:
            if (ch == '-') {
                state = sw_comment_end_dash;
                break;
            }

            if (ch == '>') {
                state = sw_data;                /* "--!>" */
                break;
            }

            state = sw_comment;
            continue;

        /* RCDATA and RAWTEXT: <style>, <textarea>, <title>, ... */

        case sw_raw:
        case sw_script:
            q = memchr(p, '<', last - p);
            if (q == NULL) {
                p = last;
                continue;
            }

            p = q;
            state = (state == sw_raw) ? sw_raw_lt : sw_script_lt;
            break;

        case sw_raw_lt:
            if (ch == '/') {
                state = sw_raw_end_tag_open;
                break;
            }

            state = sw_raw;
            continue;

        case sw_raw_end_tag_open:
        case sw_script_end_tag_open:
        case sw_script_esc_end_tag_open:
            if (se_scan_alpha(ch)) {
                s->mask = (uint16_t) (1u << s->raw);
                s->n = 0;
                se_scan_name_char(s, ch);
                state++;                        /* the end tag name state */
                break;
            }

            state = (state == sw_raw_end_tag_open) ? sw_raw
                    : (state == sw_script_end_tag_open) ? sw_script
                    : sw_script_esc;
            continue;

        case sw_raw_end_tag_name:
        case sw_script_end_tag_name:
        case sw_script_esc_end_tag_name:
            if (se_scan_alpha(ch)) {
                se_scan_name_char(s, ch);
                break;
            }

            if ((se_scan_space(ch) || ch == '/' || ch == '>')
                && se_scan_name_end(s) == s->raw)
            {
                /* the appropriate end tag: a tag like any other */

                s->end = 1;
                s->tag = s->raw;

                if (ch == '>') {
                    p++;
                    state = se_scan_emit(s);
                    continue;
                }

                state = (ch == '/') ? sw_self_closing : sw_before_attr_name;
                break;
            }

            state = (state == sw_raw_end_tag_name) ? sw_raw
                    : (state == sw_script_end_tag_name) ? sw_script
                    : sw_script_esc;
            continue;

        /* script data */

        case sw_script_lt:
            if (ch == '/') {
                state = sw_script_end_tag_open;
                break;
            }

            if (ch == '!') {
                state = sw_script_esc_start;
                break;
            }

            state = sw_script;
            continue;

        case sw_script_esc_start:
            if (ch == '-') {
                state = sw_script_esc_start_dash;
                break;
            }

            state = sw_script;
            continue;

        case sw_script_esc_start_dash:
            if (ch == '-') {
                state = sw_script_esc_dash_dash;
                break;
            }

            state = sw_script;
            continue;

        case sw_script_esc:
        case sw_script_esc_dash:
        case sw_script_esc_dash_dash:
            if (ch == '-') {
                state = (state == sw_script_esc) ? sw_script_esc_dash
                                                 : sw_script_esc_dash_dash;
                break;
            }

            if (ch == '<') {
                state = sw_script_esc_lt;
                break;
            }

            if (ch == '>' && state == sw_script_esc_dash_dash) {
                state = sw_script;
                break;
            }

            state = sw_script_esc;
            break;

        case sw_script_esc_lt:
            if (ch == '/') {
                state = sw_script_esc_end_tag_open;
                break;
            }

            if (se_scan_alpha(ch)) {
                s->mask = (uint16_t) (1u << se_tag_script);
                s->n = 0;
                se_scan_name_char(s, ch);
                state = sw_script_dbl_esc_start;
                break;
            }

            state = sw_script_esc;
            continue;

        case sw_script_dbl_esc_start:
        case sw_script_dbl_esc_end:
            if (se_scan_alpha(ch)) {
                se_scan_name_char(s, ch);
                break;
            }

            tag = se_scan_name_end(s);

            if (se_scan_space(ch) || ch == '/' || ch == '>') {
                if (state == sw_script_dbl_esc_start) {
                    state = (tag == se_tag_script) ? sw_script_dbl_esc
                                                   : sw_script_esc;
                } else {
                    state = (tag == se_tag_script) ? sw_script_esc
                                                   : sw_script_dbl_esc;
                }

                break;
            }

            state = (state == sw_script_dbl_esc_start) ? sw_script_esc
                                                       : sw_script_dbl_esc;
            continue;

        case sw_script_dbl_esc:
        case sw_script_dbl_esc_dash:
        case sw_script_dbl_esc_dash_dash:
            if (ch == '-') {
                state = (state == sw_script_dbl_esc)
                        ? sw_script_dbl_esc_dash : sw_script_dbl_esc_dash_dash;
                break;
            }

            if (ch == '<') {
                state = sw_script_dbl_esc_lt;
                break;
            }

            if (ch == '>' && state == sw_script_dbl_esc_dash_dash) {
                state = sw_script;
                break;
            }

            state = sw_script_dbl_esc;
            break;

        case sw_script_dbl_esc_lt:
            if (ch == '/') {
                s->mask = (uint16_t) (1u << se_tag_script);
                s->n = 0;
                state = sw_script_dbl_esc_end;
                break;
            }

            state = sw_script_dbl_esc;
            continue;

        case sw_found:
            s->state = sw_done;
            *pos = p - start;
            return SE_OK;

        default: /* sw_done */
            s->state = sw_done;
            return SE_DECLINED;
        }

        p++;
    }

    /* the body tag may end on the last byte of the piece */

    if (state == sw_found) {
        s->state = sw_done;
        *pos = p - start;
        return SE_OK;
    }

    if (state == sw_done) {
        s->state = sw_done;
        return SE_DECLINED;
    }

    s->left -= p - start;

    if (s->left == 0) {
        s->state = sw_done;
        return SE_DECLINED;
    }

    s->state = (uint8_t) state;

    return SE_AGAIN;
}


static void
se_scan_name_char(se_scan_t *s, unsigned char ch)
{
    unsigned  k, mask;

    mask = s->mask;

    if (mask == 0) {
        return;
    }

    if (ch >= 'A' && ch <= 'Z') {
        ch |= 0x20;
    }

    for (k = 0; k < se_tag_other; k++) {
        if ((mask & (1u << k))
            && (s->n >= se_scan_names[k].len
                || (unsigned char) se_scan_names[k].name[s->n] != ch))
        {
            mask &= ~(1u << k);
        }
    }

    s->mask = (uint16_t) mask;
    s->n++;
}


/* the name read, when it is one of se_scan_names[], or se_tag_other */

static unsigned
se_scan_name_end(se_scan_t *s)
{
    unsigned  k;

    for (k = 0; k < se_tag_other; k++) {
        if ((s->mask & (1u << k)) && s->n == se_scan_names[k].len) {
            return k;
        }
    }

    return se_tag_other;
}


/* a tag ended with '>': the state to go on in */

static unsigned
se_scan_emit(se_scan_t *s)
{
    if (s->end) {
        if (s->tag == se_tag_body || s->tag == se_tag_html) {
            return sw_done;
        }

        return sw_data;
    }

    switch (s->tag) {

    case se_tag_body:
        return sw_found;

    case se_tag_frameset:
    case se_tag_plaintext:
        return sw_done;

    case se_tag_script:
        s->raw = se_tag_script;
        return sw_script;

    case se_tag_other:
    case se_tag_html:
        return sw_data;

    default:
        s->raw = s->tag;
        return sw_raw;
    }
}
