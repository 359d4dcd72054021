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
#include "se_scan_tables.h"


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


#define se_scan_skip(p, last, stop)                                          \
    p = se_scan_skip_to(p, last, stop)

#define se_scan_skip_space(p, last)                                          \
    while ((p) < (last) && (se_scan_class[*(p)] & SE_SCAN_SP)) {             \
        (p)++;                                                               \
    }

/*
 * Consumes the byte and goes on in the state st, at its label: what
 * "state = st; break;" does, without a round through the switch.
 */

#define se_scan_next(st, label)                                              \
    state = st;                                                              \
                                                                             \
    if (++p == last) {                                                       \
        goto end;                                                            \
    }                                                                        \
                                                                             \
    ch = *p;                                                                 \
    goto label

#if defined(__GNUC__)
#define se_scan_ctz(m)  ((unsigned) __builtin_ctz(m))
#else
static unsigned se_scan_ctz(unsigned m);
#endif


static inline unsigned se_scan_match(unsigned mask, unsigned n,
    unsigned ch);
static void se_scan_name_char(se_scan_t *s, unsigned char ch);
static inline const unsigned char *se_scan_skip_to(const unsigned char *p,
    const unsigned char *last, unsigned stop);
static inline unsigned se_scan_name_end(se_scan_t *s);
static inline const unsigned char *se_scan_find(const unsigned char *p,
    const unsigned char *last, unsigned char c);
static inline unsigned se_scan_emit(se_scan_t *s);


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
    unsigned              state, tag, mask, n;
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
data:
            q = se_scan_find(p, last, '<');
            if (q == NULL) {
                p = last;
                continue;
            }

            p = q;
            se_scan_next(sw_tag_open, tag_open);

        case sw_tag_open:
tag_open:
            if (ch == '!') {
                se_scan_next(sw_markup_decl, markup_decl);
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
                s->mask = se_scan_at[0][(ch | 0x20) - 'a'];
                s->n = 1;
                se_scan_next(sw_tag_name, tag_name);
            }

            state = sw_data;
            continue;

        case sw_end_tag_open:
            if (se_scan_alpha(ch)) {
                s->end = 1;
                s->mask = se_scan_at[0][(ch | 0x20) - 'a'];
                s->n = 1;
                se_scan_next(sw_tag_name, tag_name);
            }

            /* "</>" is dropped, anything else is a bogus comment */

            state = (ch == '>') ? sw_data : sw_bogus_comment;
            break;

        case sw_tag_name:
tag_name:
            mask = s->mask;
            n = s->n;

            while (mask && !(se_scan_class[ch] & SE_SCAN_NAME_END)) {
                mask = se_scan_match(mask, n++, ch);

                if (++p == last) {
                    break;
                }

                ch = *p;
            }

            s->mask = (uint16_t) mask;
            s->n = (uint8_t) n;

            /* not one of the names: skip to its end */

            se_scan_skip(p, last, SE_SCAN_NAME_END);

            if (p == last) {
                continue;
            }

            ch = *p;

            if (se_scan_space(ch)) {
                s->tag = se_scan_name_end(s);
                se_scan_next(sw_before_attr_name, before_attr_name);
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
before_attr_name:
            if (se_scan_space(ch)) {
                se_scan_skip_space(p, last);

                if (p == last) {
                    continue;
                }

                ch = *p;
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
                se_scan_next(sw_before_attr_value, before_attr_value);
            }

            /* an attribute name, even one that starts with '=' or '"' */

            se_scan_next(sw_attr_name, attr_name);

        case sw_attr_name:
attr_name:
            se_scan_skip(p, last,
                         SE_SCAN_SP|SE_SCAN_SL|SE_SCAN_GT|SE_SCAN_EQ);

            if (p == last) {
                continue;
            }

            ch = *p;

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

            /* '=' */

            se_scan_next(sw_before_attr_value, before_attr_value);

        case sw_before_attr_value:
before_attr_value:
            if (se_scan_space(ch)) {
                se_scan_skip_space(p, last);

                if (p == last) {
                    continue;
                }

                ch = *p;
            }

            if (ch == '"') {
                se_scan_next(sw_attr_value_dq, attr_value_q);
            }

            if (ch == '\'') {
                se_scan_next(sw_attr_value_sq, attr_value_q);
            }

            if (ch == '>') {
                p++;
                state = se_scan_emit(s);
                continue;
            }

            se_scan_next(sw_attr_value_unq, attr_value_unq);

        case sw_attr_value_dq:
        case sw_attr_value_sq:
attr_value_q:
            q = se_scan_find(p, last, state == sw_attr_value_dq ? '"' : '\'');
            if (q == NULL) {
                p = last;
                continue;
            }

            p = q;
            se_scan_next(sw_after_attr_value, after_attr_value);

        case sw_attr_value_unq:
attr_value_unq:
            se_scan_skip(p, last, SE_SCAN_SP|SE_SCAN_GT);

            if (p == last) {
                continue;
            }

            ch = *p;

            if (se_scan_space(ch)) {
                se_scan_next(sw_before_attr_name, before_attr_name);
            }

            if (ch == '>') {
                p++;
                state = se_scan_emit(s);
                continue;
            }

            break;

        case sw_after_attr_value:
after_attr_value:
            if (se_scan_space(ch)) {
                se_scan_next(sw_before_attr_name, before_attr_name);
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
            goto before_attr_name;

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
markup_decl:
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
            se_scan_next(sw_data, data);

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
                se_scan_next(sw_data, data);
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
                s->mask = (uint16_t) ((1u << s->raw)
                                      & se_scan_at[0][(ch | 0x20) - 'a']);
                s->n = 1;
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
            mask = s->mask;
            n = s->n;

            while (se_scan_alpha(ch)) {
                if (mask) {
                    mask = se_scan_match(mask, n++, ch);
                }

                if (++p == last) {
                    break;
                }

                ch = *p;
            }

            s->mask = (uint16_t) mask;
            s->n = (uint8_t) n;

            if (p == last) {
                continue;
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

end:

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


void
se_scan_end(se_scan_t *s)
{
    s->state = sw_done;
}


/*
 * Drops from the mask the names whose byte n is not ch: the first byte
 * through a table, the next ones walking only the names left.
 */

static inline unsigned
se_scan_match(unsigned mask, unsigned n, unsigned ch)
{
    unsigned  c;

    c = (ch | 0x20) - 'a';

    if (c >= 26 || n >= 9) {
        return 0;
    }

    return mask & se_scan_at[n][c];
}


static void
se_scan_name_char(se_scan_t *s, unsigned char ch)
{
    if (s->mask) {
        s->mask = (uint16_t) se_scan_match(s->mask, s->n, ch);
        s->n++;
    }
}


/* the first byte in p..last of the class stop, or last */

static inline const unsigned char *
se_scan_skip_to(const unsigned char *p, const unsigned char *last,
    unsigned stop)
{
    while (last - p >= 4) {
        if (se_scan_class[p[0]] & stop) {
            return p;
        }

        if (se_scan_class[p[1]] & stop) {
            return p + 1;
        }

        if (se_scan_class[p[2]] & stop) {
            return p + 2;
        }

        if (se_scan_class[p[3]] & stop) {
            return p + 3;
        }

        p += 4;
    }

    while (p < last && !(se_scan_class[*p] & stop)) {
        p++;
    }

    return p;
}


/* the name read, when it is one of the names, or se_tag_other */

static inline unsigned
se_scan_name_end(se_scan_t *s)
{
    unsigned  mask;

    /* a name still matching is at most as long as the longest one */

    if (s->mask == 0 || s->n >= 10) {
        return se_tag_other;
    }

    mask = s->mask & se_scan_length[s->n];

    return mask ? se_scan_ctz(mask) : se_tag_other;
}


#if !defined(__GNUC__)

static unsigned
se_scan_ctz(unsigned m)
{
    unsigned  k;

    for (k = 0; !(m & 1); k++) {
        m >>= 1;
    }

    return k;
}

#endif


/* a tag ended with '>': the state to go on in */

static inline unsigned
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


/*
 * memchr(), after a look at the first few bytes: the runs between tags
 * and most attribute values are short, shorter than memchr's set-up.
 */

static inline const unsigned char *
se_scan_find(const unsigned char *p, const unsigned char *last,
    unsigned char c)
{
    const unsigned char  *end;

    end = (last - p > 16) ? p + 16 : last;

    for ( /* void */ ; p < end; p++) {
        if (*p == c) {
            return p;
        }
    }

    return (p < last) ? memchr(p, c, last - p) : NULL;
}
