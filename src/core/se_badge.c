/*
 * The SVG status badge (see se_badge.h).
 */

#include <stdio.h>
#include <string.h>

#include "se_badge.h"
#include "se_uptime.h"
#include "se_lang.h"
#include "se_html.h"
#include "se_pool.h"
#include "se_enum.h"
#include "se_derive.h"
#include "se_utf8.h"

#define SE_BADGE_PAD        50          /* tenths of a pixel, each side */
#define SE_BADGE_WIDE       110         /* Hangul, CJK, U+FFFD */
#define SE_BADGE_OTHER      70          /* other non-ASCII */
#define SE_BADGE_ELLIPSIS   110


/*
 * Advance widths of Verdana 11px, in tenths of a pixel, for ' ' to '~'
 * (the metrics shields.io measures its badges with, rounded).
 */
static const unsigned char  se_badge_widths[95] = {
     39,  43,  50,  90,  70, 118,  80,  30,  50,  50,   /*  !"#$%&'() */
     70,  90,  40,  50,  40,  50,  70,  70,  70,  70,   /* *+,-./0123 */
     70,  70,  70,  70,  70,  70,  50,  50,  90,  90,   /* 456789:;<= */
     90,  60, 110,  75,  75,  77,  85,  70,  63,  85,   /* >?@ABCDEFG */
     83,  46,  50,  76,  61,  93,  82,  87,  66,  87,   /* HIJKLMNOPQ */
     76,  75,  68,  81,  75, 109,  75,  68,  75,  50,   /* RSTUVWXYZ[ */
     50,  50,  90,  70,  70,  66,  69,  57,  69,  66,   /* \]^_`abcde */
     39,  69,  70,  30,  38,  65,  30, 107,  70,  67,   /* fghijklmno */
     69,  69,  47,  57,  43,  70,  65,  90,  65,  65,   /* pqrstuvwxy */
     58,  70,  50,  70,  90                             /* z{|}~ */
};


static const char  *se_badge_colors[SE_BADGE_N] = {
    "#2e7d32", "#dfb317", "#c2410c", "#c62828", "#1e63b6", "#767676"
};


typedef struct {
    const char          *label;
    const char          *unknown;
    const char          *indicator[SE_INDICATOR_UNKNOWN + 1];
    const char          *component[SE_COMP_N];
} se_badge_text_t;


static const se_badge_text_t  se_badge_texts[SE_LANG_N] = {

    { "status", "unknown",
      { NULL, NULL, NULL, NULL, NULL, NULL },   /* se_indicator_description */
      { "Operational", "Degraded performance", "Partial outage",
        "Major outage", "Under maintenance" } },

    { "\xec\x83\x81\xed\x83\x9c",                       /* 상태 */
      "\xec\x95\x8c \xec\x88\x98 \xec\x97\x86\xec\x9d\x8c",
                                                        /* 알 수 없음 */
      { "\xeb\xaa\xa8\xeb\x93\xa0 \xec\x8b\x9c\xec\x8a\xa4\xed\x85\x9c "
        "\xec\xa0\x95\xec\x83\x81",                     /* 모든 시스템 정상 */
        "\xea\xb2\xbd\xeb\xaf\xb8\xed\x95\x9c \xec\x84\x9c\xeb\xb9\x84"
        "\xec\x8a\xa4 \xec\x9e\xa5\xec\x95\xa0",        /* 경미한 서비스 장애 */
        "\xeb\xb6\x80\xeb\xb6\x84 \xec\x8b\x9c\xec\x8a\xa4\xed\x85\x9c "
        "\xec\x9e\xa5\xec\x95\xa0",                     /* 부분 시스템 장애 */
        "\xec\xa3\xbc\xec\x9a\x94 \xec\x8b\x9c\xec\x8a\xa4\xed\x85\x9c "
        "\xec\x9e\xa5\xec\x95\xa0",                     /* 주요 시스템 장애 */
        "\xec\x84\x9c\xeb\xb9\x84\xec\x8a\xa4 \xec\xa0\x90\xea\xb2\x80 "
        "\xec\xa4\x91",                                 /* 서비스 점검 중 */
        "\xec\x95\x8c \xec\x88\x98 \xec\x97\x86\xeb\x8a\x94 "
        "\xec\x83\x81\xed\x83\x9c" },                   /* 알 수 없는 상태 */
      { "\xec\xa0\x95\xec\x83\x81",                     /* 정상 */
        "\xec\x84\xb1\xeb\x8a\xa5 \xec\xa0\x80\xed\x95\x98",
                                                        /* 성능 저하 */
        "\xeb\xb6\x80\xeb\xb6\x84 \xec\x9e\xa5\xec\x95\xa0",
                                                        /* 부분 장애 */
        "\xec\xa3\xbc\xec\x9a\x94 \xec\x9e\xa5\xec\x95\xa0",
                                                        /* 주요 장애 */
        "\xec\xa0\x90\xea\xb2\x80 \xec\xa4\x91" } }     /* 점검 중 */
};


static const char *
se_badge_color(se_badge_color_e color)
{
    return se_badge_colors[color < SE_BADGE_N ? color : SE_BADGE_GREY];
}


static size_t
se_badge_char_width(uint32_t cp)
{
    if (cp >= 0x20 && cp < 0x7f) {
        return se_badge_widths[cp - 0x20];
    }

    if (cp < 0x20 || (cp != SE_UTF8_BAD && !se_utf8_markup_ok(cp))) {
        return 0;                       /* white space, or dropped */
    }

    if ((cp >= 0x1100 && cp <= 0x11ff)
        || (cp >= 0x2e80 && cp <= 0xa4cf)
        || (cp >= 0xac00 && cp <= 0xd7a3)
        || (cp >= 0xf900 && cp <= 0xfaff)
        || (cp >= 0xfe30 && cp <= 0xfe4f)
        || (cp >= 0xff00 && cp <= 0xff60)
        || (cp >= 0xffe0 && cp <= 0xffe6)
        || cp == SE_UTF8_BAD
        || cp >= 0x20000)
    {
        return SE_BADGE_WIDE;
    }

    return SE_BADGE_OTHER;
}


size_t
se_badge_text_width(const char *s, size_t len, size_t max_chars,
    size_t *cut)
{
    size_t     i, n, k, w;
    uint32_t   cp;

    w = 0;
    n = 0;

    for (i = 0; i < len; i += k) {
        if (max_chars && n == max_chars) {
            break;
        }

        k = se_utf8_decode((const unsigned char *) s + i, len - i, &cp);
        if (k == 0) {
            k = 1;
        }

        w += se_badge_char_width(cp);
        n++;
    }

    if (cut) {
        *cut = i;
    }

    return w;
}


/* the text as the badge writes it: its bytes and width */

typedef struct {
    const char          *data;
    size_t               len;
    size_t               width;         /* tenths of a pixel */
    int                  ellipsis;
} se_badge_part_t;


static void
se_badge_part(se_badge_part_t *p, const char *s, size_t len)
{
    size_t  cut;

    p->data = s;
    p->width = se_badge_text_width(s, len, SE_BADGE_TEXT_MAX, &cut);
    p->len = cut;
    p->ellipsis = (cut < len);

    if (p->ellipsis) {
        /* the last character makes room for the ellipsis */
        p->width = se_badge_text_width(s, len, SE_BADGE_TEXT_MAX - 1,
                                       &p->len)
                   + SE_BADGE_ELLIPSIS;
    }
}


static void
se_badge_text(se_html_buf_t *b, const se_badge_part_t *p)
{
    se_html_text(b, p->data, p->len);

    if (p->ellipsis) {
        se_html_str(b, "&#8230;");
    }
}


static void
se_badge_attr(se_html_buf_t *b, const se_badge_part_t *p)
{
    se_html_attr(b, p->data, p->len);

    if (p->ellipsis) {
        se_html_str(b, "&#8230;");
    }
}


static void
se_badge_num(se_html_buf_t *b, size_t n)
{
    char  buf[24];
    int   k;

    k = snprintf(buf, sizeof(buf), "%zu", n);
    se_html_raw(b, buf, (size_t) k);
}


/* one text element and its shadow, centred at x (tenths) */
static void
se_badge_texts_at(se_html_buf_t *b, const se_badge_part_t *p, size_t x,
    const char *fill, const char *shadow)
{
    se_html_str(b, "<text aria-hidden=\"true\" x=\"");
    se_badge_num(b, x);
    se_html_str(b, "\" y=\"150\" fill=\"");
    se_html_str(b, shadow);
    se_html_str(b, "\" fill-opacity=\".3\" transform=\"scale(.1)\" "
                   "textLength=\"");
    se_badge_num(b, p->width);
    se_html_str(b, "\">");
    se_badge_text(b, p);
    se_html_str(b, "</text><text x=\"");
    se_badge_num(b, x);
    se_html_str(b, "\" y=\"140\" transform=\"scale(.1)\" fill=\"");
    se_html_str(b, fill);
    se_html_str(b, "\" textLength=\"");
    se_badge_num(b, p->width);
    se_html_str(b, "\">");
    se_badge_text(b, p);
    se_html_str(b, "</text>");
}


int
se_badge_render(const char *label, size_t label_len, const char *value,
    size_t value_len, se_badge_color_e color, se_badge_t *out)
{
    size_t           lw, vw, w;
    se_html_buf_t    b;
    se_badge_part_t  l, v;
    const char      *fill, *shadow;

    out->data = NULL;
    out->len = 0;

    se_badge_part(&l, label, label_len);
    se_badge_part(&v, value, value_len);

    /* whole pixels: each part's text rounded up, plus the padding */
    lw = (l.width + 9) / 10 * 10 + 2 * SE_BADGE_PAD;
    vw = (v.width + 9) / 10 * 10 + 2 * SE_BADGE_PAD;
    w = lw + vw;

    if (color == SE_BADGE_YELLOW) {
        fill = "#1b1b1b";
        shadow = "#ccc";

    } else {
        fill = "#fff";
        shadow = "#010101";
    }

    se_html_buf_init(&b);

    se_html_str(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"");
    se_badge_num(&b, w / 10);
    se_html_str(&b, "\" height=\"20\" role=\"img\" aria-label=\"");
    se_badge_attr(&b, &l);
    se_html_str(&b, ": ");
    se_badge_attr(&b, &v);
    se_html_str(&b, "\"><title>");
    se_badge_text(&b, &l);
    se_html_str(&b, ": ");
    se_badge_text(&b, &v);
    se_html_str(&b, "</title><linearGradient id=\"s\" x2=\"0\" y2=\"100%\">"
                    "<stop offset=\"0\" stop-color=\"#bbb\" "
                    "stop-opacity=\".1\"/><stop offset=\"1\" "
                    "stop-opacity=\".1\"/></linearGradient>"
                    "<clipPath id=\"r\"><rect width=\"");
    se_badge_num(&b, w / 10);
    se_html_str(&b, "\" height=\"20\" rx=\"3\" fill=\"#fff\"/></clipPath>"
                    "<g clip-path=\"url(#r)\"><rect width=\"");
    se_badge_num(&b, lw / 10);
    se_html_str(&b, "\" height=\"20\" fill=\"#555\"/><rect x=\"");
    se_badge_num(&b, lw / 10);
    se_html_str(&b, "\" width=\"");
    se_badge_num(&b, vw / 10);
    se_html_str(&b, "\" height=\"20\" fill=\"");
    se_html_str(&b, se_badge_color(color));
    se_html_str(&b, "\"/><rect width=\"");
    se_badge_num(&b, w / 10);
    se_html_str(&b, "\" height=\"20\" fill=\"url(#s)\"/></g>"
                    "<g fill=\"#fff\" text-anchor=\"middle\" "
                    "font-family=\"Verdana,Geneva,DejaVu Sans,sans-serif\" "
                    "text-rendering=\"geometricPrecision\" "
                    "font-size=\"110\">");
    se_badge_texts_at(&b, &l, lw / 2, "#fff", "#010101");
    se_badge_texts_at(&b, &v, lw + vw / 2, fill, shadow);
    se_html_str(&b, "</g></svg>");

    out->data = se_html_buf_take(&b, &out->len);
    if (out->data == NULL) {
        out->len = 0;
        return SE_ERROR;
    }

    return SE_OK;
}


static const se_badge_text_t *
se_badge_lang_text(se_lang_e lang)
{
    return &se_badge_texts[lang < SE_LANG_N ? lang : SE_LANG_EN];
}


int
se_badge_overall(se_indicator_e ind, se_lang_e lang, se_badge_t *out)
{
    const char             *value;
    se_badge_color_e        color;
    const se_badge_text_t  *txt;

    static const se_badge_color_e  colors[] = {
        SE_BADGE_GREEN, SE_BADGE_YELLOW, SE_BADGE_ORANGE, SE_BADGE_RED,
        SE_BADGE_BLUE, SE_BADGE_GREY
    };

    if ((unsigned) ind > SE_INDICATOR_UNKNOWN) {
        ind = SE_INDICATOR_UNKNOWN;
    }

    txt = se_badge_lang_text(lang);
    color = colors[ind];
    value = txt->indicator[ind] ? txt->indicator[ind]
                                : se_indicator_description(ind);

    return se_badge_render(txt->label, strlen(txt->label), value,
                           strlen(value), color, out);
}


int
se_badge_component(const se_component_t *c, se_lang_e lang, se_badge_t *out)
{
    const char             *value;
    const se_str_t         *name;
    const se_i18n_t        *t;
    se_comp_status_e        s;
    const se_badge_text_t  *txt;

    static const se_badge_color_e  colors[SE_COMP_N] = {
        SE_BADGE_GREEN, SE_BADGE_YELLOW, SE_BADGE_ORANGE, SE_BADGE_RED,
        SE_BADGE_BLUE
    };

    txt = se_badge_lang_text(lang);
    s = c->status < SE_COMP_N ? c->status : SE_COMP_OPERATIONAL;
    value = txt->component[s];
    /* "name.LANG" for any language, English too: a name may be Korean */
    t = se_i18n_find(c->name_i18n, se_lang_name(lang), 2);
    name = (t && t->text.len) ? &t->text : &c->name;

    if (name->data == NULL || name->len == 0) {
        name = &c->id;
    }

    return se_badge_render(name->data, name->len, value, strlen(value),
                           colors[s], out);
}


/*
 * An uptime badge ("?metric=uptime"): "api | 99.95%", or for the page
 * (c NULL) "uptime | 99.95%"; green from 99.90, yellow from 99.00,
 * orange from 95.00, red below, grey "no data" without a figure.
 */
int
se_badge_uptime(const se_component_t *c, int32_t figure, se_lang_e lang,
    se_badge_t *out)
{
    char                    value[16];
    const char             *label, *none;
    size_t                  label_len, n;
    const se_str_t         *name;
    const se_i18n_t        *t;
    se_badge_color_e        color;

    if (c) {
        t = se_i18n_find(c->name_i18n, se_lang_name(lang), 2);
        name = (t && t->text.len) ? &t->text : &c->name;

        if (name->data == NULL || name->len == 0) {
            name = &c->id;
        }

        label = name->data;
        label_len = name->len;

    } else {
        label = lang == SE_LANG_KO
                ? "\xea\xb0\x80\xeb\x8f\x99\xeb\xa5\xa0"       /* 가동률 */
                : "uptime";
        label_len = strlen(label);
    }

    if (figure == SE_UPTIME_NONE) {
        none = lang == SE_LANG_KO
               ? "\xeb\x8d\xb0\xec\x9d\xb4\xed\x84\xb0 "       /* 데이터 없음 */
                 "\xec\x97\x86\xec\x9d\x8c"
               : "no data";

        return se_badge_render(label, label_len, none, strlen(none),
                               SE_BADGE_GREY, out);
    }

    se_uptime_format(figure, value);
    n = strlen(value);
    value[n++] = '%';
    value[n] = '\0';

    color = figure >= 9990 ? SE_BADGE_GREEN
            : figure >= 9900 ? SE_BADGE_YELLOW
            : figure >= 9500 ? SE_BADGE_ORANGE : SE_BADGE_RED;

    return se_badge_render(label, label_len, value, n, color, out);
}


int
se_badge_unknown(const char *label, size_t label_len, se_lang_e lang,
    se_badge_t *out)
{
    const se_badge_text_t  *txt;

    txt = se_badge_lang_text(lang);

    if (label == NULL) {
        label = txt->label;
        label_len = strlen(label);
    }

    return se_badge_render(label, label_len, txt->unknown,
                           strlen(txt->unknown), SE_BADGE_GREY, out);
}


void
se_badge_free(se_badge_t *b)
{
    se_free(b->data);
    b->data = NULL;
    b->len = 0;
}
