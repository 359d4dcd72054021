/*
 * Operator banner templates (see se_banner_tpl.h).
 *
 * The labels, the i18n lookup and the time format below duplicate the
 * static ones of se_banner.c (se_banner_texts, se_banner_i18n(),
 * se_banner_time(), se_banner_day()); they must stay in step until
 * se_banner.c exports them.
 */

#include <stdio.h>
#include <string.h>

#include "se_banner_tpl.h"
#include "se_banner_int.h"
#include "se_html.h"
#include "se_pool.h"
#include "se_validate.h"

#define SE_TPL_BODY_MAX  300            /* as SE_BANNER_BODY_MAX */
#define SE_TPL_NAME_MAX  32             /* of a name quoted in an error */

typedef enum {
    SE_TPL_LITERAL = 0,
    SE_TPL_LEVEL,
    SE_TPL_LEVEL_CLASS,
    SE_TPL_NAME,
    SE_TPL_STATUS,
    SE_TPL_BODY,
    SE_TPL_NEXT_UPDATE,
    SE_TPL_STATUS_URL,
    SE_TPL_DISMISS_URL,
    SE_TPL_RETURN,
    SE_TPL_LANG,
    SE_TPL_KEY,
    SE_TPL_N
} se_tpl_item_e;

typedef struct {
    se_tpl_item_e        item;
    size_t               off;           /* literal text in t->text */
    size_t               len;
} se_tpl_seg_t;

struct se_banner_tpl_s {
    se_tpl_seg_t        *segs;
    size_t               nsegs;
    char                *text;
    size_t               len;
};



static const char  *se_tpl_names[SE_TPL_N] = {
    NULL, "level", "level_class", "name", "status", "body", "next_update",
    "status_url", "dismiss_url", "return", "lang", "key"
};


static void
se_tpl_error(char *err, size_t errlen, const char *fmt, const char *name,
    size_t name_len, size_t line)
{
    char    quoted[SE_TPL_NAME_MAX + 4];
    size_t  i, n;

    if (err == NULL || errlen == 0) {
        return;
    }

    /* the name as printable ASCII, cut */

    n = name_len < SE_TPL_NAME_MAX ? name_len : SE_TPL_NAME_MAX;

    for (i = 0; i < n; i++) {
        quoted[i] = (name[i] > 0x20 && name[i] < 0x7f) ? name[i] : '?';
    }

    if (n < name_len) {
        memcpy(quoted + n, "...", 3);
        n += 3;
    }

    quoted[n] = '\0';

    snprintf(err, errlen, fmt, quoted, line);
}


static se_tpl_item_e
se_tpl_item(const char *s, size_t len)
{
    size_t  i;

    for (i = 1; i < SE_TPL_N; i++) {
        if (strlen(se_tpl_names[i]) == len
            && memcmp(se_tpl_names[i], s, len) == 0)
        {
            return (se_tpl_item_e) i;
        }
    }

    return SE_TPL_LITERAL;
}


/*
 * One pass over the text: counts the segments, and fills segs when it
 * is not NULL.  SE_OK or SE_ERROR with the message.
 */
static int
se_tpl_scan(const char *text, size_t len, se_tpl_seg_t *segs, size_t *nsegs,
    char *err, size_t errlen)
{
    size_t          i, n, line, start, open, name, name_end, close;
    int             returns;
    se_tpl_item_e   item;

    n = 0;
    line = 1;
    start = 0;
    returns = 0;

    for (i = 0; i < len; i++) {

        if (text[i] == '\n') {
            line++;
            continue;
        }

        if (text[i] == '\0') {
            se_tpl_error(err, errlen, "NUL byte%s in the banner template "
                         "on line %zu", "", 0, line);
            return SE_ERROR;
        }

        if (text[i] != '{' || i + 1 >= len || text[i + 1] != '{') {
            continue;
        }

        open = i;

        for (close = i + 2; close + 1 < len; close++) {
            if (text[close] == '}' && text[close + 1] == '}') {
                break;
            }

            if (text[close] == '\n' || text[close] == '\0') {
                close = len;
                break;
            }
        }

        if (close + 1 >= len) {
            se_tpl_error(err, errlen, "unterminated \"{{%s\" in the banner "
                         "template on line %zu", "", 0, line);
            return SE_ERROR;
        }

        name = open + 2;
        name_end = close;

        while (name < name_end && (text[name] == ' ' || text[name] == '\t')) {
            name++;
        }

        while (name_end > name
               && (text[name_end - 1] == ' ' || text[name_end - 1] == '\t'))
        {
            name_end--;
        }

        item = se_tpl_item(text + name, name_end - name);

        if (item == SE_TPL_LITERAL) {
            se_tpl_error(err, errlen, "unknown placeholder \"{{%s}}\" in the "
                         "banner template on line %zu", text + name,
                         name_end - name, line);
            return SE_ERROR;
        }

        if (item == SE_TPL_RETURN && returns++) {
            se_tpl_error(err, errlen, "placeholder \"{{%s}}\" used twice in "
                         "the banner template, again on line %zu",
                         "return", 6, line);
            return SE_ERROR;
        }

        if (open > start) {
            if (segs) {
                segs[n].item = SE_TPL_LITERAL;
                segs[n].off = start;
                segs[n].len = open - start;
            }

            n++;
        }

        if (segs) {
            segs[n].item = item;
            segs[n].off = 0;
            segs[n].len = 0;
        }

        n++;

        i = close + 1;
        start = close + 2;
    }

    if (len > start) {
        if (segs) {
            segs[n].item = SE_TPL_LITERAL;
            segs[n].off = start;
            segs[n].len = len - start;
        }

        n++;
    }

    *nsegs = n;

    return SE_OK;
}


int
se_banner_tpl_parse(const char *text, size_t len, se_banner_tpl_t **out,
    char *err, size_t errlen)
{
    size_t            nsegs, size;
    se_banner_tpl_t  *t;

    *out = NULL;

    if (err && errlen) {
        err[0] = '\0';
    }

    if (len > SE_BANNER_TPL_MAX) {
        if (err && errlen) {
            snprintf(err, errlen, "the banner template is %zu bytes, over "
                     "the limit of %d (64 KiB)", len, SE_BANNER_TPL_MAX);
        }

        return SE_ERROR;
    }

    if (text == NULL) {
        len = 0;
        text = "";
    }

    if (se_tpl_scan(text, len, NULL, &nsegs, err, errlen) != SE_OK) {
        return SE_ERROR;
    }

    /* one block: the template, the segments, the text and a NUL */

    size = sizeof(se_banner_tpl_t) + nsegs * sizeof(se_tpl_seg_t) + len + 1;

    t = se_malloc(size);
    if (t == NULL) {
        if (err && errlen) {
            snprintf(err, errlen, "out of memory parsing the banner "
                     "template");
        }

        return SE_ERROR;
    }

    t->segs = (se_tpl_seg_t *) (t + 1);
    t->nsegs = nsegs;
    t->text = (char *) (t->segs + nsegs);
    t->len = len;

    memcpy(t->text, text, len);
    t->text[len] = '\0';

    (void) se_tpl_scan(t->text, len, t->segs, &nsegs, NULL, 0);

    *out = t;

    return SE_OK;
}


void
se_banner_tpl_free(se_banner_tpl_t *t)
{
    se_free(t);
}


/* rendering; copies of se_banner.c helpers */

static void
se_tpl_str(se_html_buf_t *b, const char *s)
{
    se_html_attr(b, s, strlen(s));
}


/* at most SE_TPL_BODY_MAX characters, as se_html_lines() cuts them */
static void
se_tpl_body(se_html_buf_t *b, const se_str_t *s)
{
    size_t                n, i, k;
    uint32_t              cp;
    const unsigned char  *p;

    p = (const unsigned char *) s->data;

    for (i = 0, n = 0; i < s->len && n < SE_TPL_BODY_MAX; n++) {
        k = se_utf8_decode(p + i, s->len - i, &cp);
        i += k ? k : 1;
    }

    if (i >= s->len) {
        se_html_attr(b, s->data, s->len);
        return;
    }

    while (i > 0 && (p[i - 1] == ' ' || p[i - 1] == '\t'
                     || p[i - 1] == '\n' || p[i - 1] == '\r'))
    {
        i--;
    }

    se_html_attr(b, s->data, i);
    se_html_str(b, "&#8230;");
}


int
se_banner_tpl_render(const se_banner_tpl_t *t, const se_model_t *m,
    const se_incident_t *rec, const se_banner_opts_t *o, se_banner_t *out)
{
    int                   upcoming, dismiss;
    size_t                i, ret;
    int64_t               now;
    se_lang_e             lang;
    se_impact_e           level;
    se_html_buf_t         b;
    const se_str_t       *s, *url;
    const se_update_t    *u;
    const se_tpl_seg_t   *seg;
    const se_banner_text_t  *txt;
    char                  key[SE_BANNER_KEY_LEN];

    memset(out, 0, sizeof(se_banner_t));
    out->ret = SE_BANNER_NO_RET;

    lang = o->lang < SE_LANG_N ? o->lang : SE_LANG_EN;
    txt = se_banner_text(lang);
    now = o->now ? o->now : m->now;
    u = rec->nupdates ? &rec->updates[0] : NULL;
    upcoming = (rec->kind == SE_KIND_MAINTENANCE
                && se_status_upcoming(rec->status));
    level = rec->kind == SE_KIND_MAINTENANCE ? SE_IMPACT_MAINTENANCE
                                             : rec->impact;
    dismiss = (o->dismiss != NULL
               && se_html_url_ok(o->dismiss, o->dismiss_len) == SE_OK);
    ret = SE_BANNER_NO_RET;

    se_banner_record_key(rec, key);

    url = &m->page.status_url;
    if (se_html_url_ok(url->data, url->len) != SE_OK) {
        url = &m->page.url;
    }

    se_html_buf_init(&b);

    for (i = 0; i < t->nsegs; i++) {
        seg = &t->segs[i];

        switch (seg->item) {

        case SE_TPL_LITERAL:
            se_html_raw(&b, t->text + seg->off, seg->len);
            break;

        case SE_TPL_LEVEL:
            se_tpl_str(&b, upcoming ? txt->upcoming : txt->level[level]);
            break;

        case SE_TPL_LEVEL_CLASS:
            se_tpl_str(&b, se_impact_name(level));
            break;

        case SE_TPL_NAME:
            s = se_banner_i18n(&rec->name, rec->name_i18n, lang);
            se_html_attr(&b, s->data, s->len);
            break;

        case SE_TPL_STATUS:
            se_tpl_str(&b, txt->status[u ? u->status : rec->status]);
            break;

        case SE_TPL_BODY:
            if (u) {
                se_tpl_body(&b, se_banner_i18n(&u->body, u->body_i18n, lang));
            }

            break;

        case SE_TPL_NEXT_UPDATE:
            if (rec->next_update_at != SE_TIME_NONE
                && (now == 0 || rec->next_update_at > now))
            {
                se_tpl_str(&b, txt->next);
                se_banner_time(&b, rec->next_update_at, now, 0);
                se_html_str(&b, " UTC");
            }

            break;

        case SE_TPL_STATUS_URL:
            (void) se_html_url(&b, url->data, url->len);
            break;

        case SE_TPL_DISMISS_URL:
            if (dismiss) {
                se_banner_dismiss_url(&b, rec, o);
            }

            break;

        case SE_TPL_RETURN:
            if (dismiss) {
                ret = b.len;
            }

            break;

        case SE_TPL_LANG:
            se_tpl_str(&b, se_lang_name(lang));
            break;

        case SE_TPL_KEY:
            se_tpl_str(&b, key);
            break;

        default:
            break;
        }
    }

    out->data = se_html_buf_take(&b, &out->len);
    if (out->data == NULL) {
        out->len = 0;
        return SE_ERROR;
    }

    out->ret = ret;
    memcpy(out->key, key, SE_BANNER_KEY_LEN);

    return SE_OK;
}
