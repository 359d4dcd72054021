/*
 * Operator banner templates (see se_banner_tpl.h): the banner's
 * placeholders on the generic se_tpl parser.
 */

#include <string.h>

#include "se_banner_tpl.h"
#include "se_lang.h"
#include "se_html.h"
#include "se_pool.h"
#include "se_enum.h"
#include "se_utf8.h"

#define SE_TPL_BODY_MAX  300            /* as SE_BANNER_BODY_MAX */


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


static const char *const  se_tpl_names[SE_TPL_N] = {
    NULL, "level", "level_class", "name", "status", "body", "next_update",
    "status_url", "dismiss_url", "return", "lang", "key"
};

static const se_tpl_spec_t  se_banner_tpl_spec = {
    se_tpl_names, SE_TPL_N, SE_TPL_RETURN, "banner template",
    SE_BANNER_TPL_MAX
};


int
se_banner_tpl_parse(const char *text, size_t len, se_banner_tpl_t **out,
    char *err, size_t errlen)
{
    return se_tpl_parse(&se_banner_tpl_spec, text, len, out, err, errlen);
}


void
se_banner_tpl_free(se_banner_tpl_t *t)
{
    se_tpl_free(t);
}


/* rendering */

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
    const se_lang_labels_t  *txt;
    char                  key[SE_BANNER_KEY_LEN];

    memset(out, 0, sizeof(se_banner_t));
    out->ret = SE_BANNER_NO_RET;

    lang = o->lang < SE_LANG_N ? o->lang : SE_LANG_EN;
    txt = se_lang_labels(lang);
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
            s = se_lang_i18n(&rec->name, rec->name_i18n, lang);
            se_html_attr(&b, s->data, s->len);
            break;

        case SE_TPL_STATUS:
            se_tpl_str(&b, txt->status[u ? u->status : rec->status]);
            break;

        case SE_TPL_BODY:
            if (u) {
                se_tpl_body(&b, se_lang_i18n(&u->body, u->body_i18n, lang));
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
