/*
 * Operator status page templates (se_page_tpl.h).
 */

#include <string.h>

#include "se_page_tpl.h"
#include "se_derive.h"
#include "se_enum.h"


typedef enum {
    SE_PTPL_LITERAL = 0,
    SE_PTPL_PAGE_NAME,
    SE_PTPL_STATUS_DESCRIPTION,
    SE_PTPL_STATUS_INDICATOR,
    SE_PTPL_LANG,
    SE_PTPL_STYLESHEET_URL,
    SE_PTPL_ATOM_URL,
    SE_PTPL_RSS_URL,
    SE_PTPL_TIME_ZONE,
    SE_PTPL_OVERALL,
    SE_PTPL_INCIDENTS,
    SE_PTPL_MAINTENANCES,
    SE_PTPL_COMPONENTS,
    SE_PTPL_HISTORY,
    SE_PTPL_N
} se_page_tpl_item_e;


static const char *const  se_page_tpl_names[SE_PTPL_N] = {
    NULL, "page_name", "status_description", "status_indicator", "lang",
    "stylesheet_url", "atom_url", "rss_url", "time_zone", "overall",
    "incidents", "maintenances", "components", "history"
};

static const se_tpl_spec_t  se_page_tpl_spec = {
    se_page_tpl_names, SE_PTPL_N, 0, "status page template",
    SE_PAGE_TPL_MAX
};


int
se_page_tpl_parse(const char *text, size_t len, se_page_tpl_t **out,
    char *err, size_t errlen)
{
    return se_tpl_parse(&se_page_tpl_spec, text, len, out, err, errlen);
}


void
se_page_tpl_free(se_page_tpl_t *t)
{
    se_tpl_free(t);
}


void
se_page_template(se_page_ctx_t *c, const se_page_tpl_t *t)
{
    size_t               i;
    se_indicator_e       ind;
    const se_str_t      *s;
    const se_tpl_seg_t  *seg;

    ind = se_model_indicator(c->m, 0);

    for (i = 0; i < t->nsegs; i++) {
        seg = &t->segs[i];

        switch (seg->item) {

        case SE_PTPL_LITERAL:
            se_html_raw(c->b, t->text + seg->off, seg->len);
            break;

        case SE_PTPL_PAGE_NAME:
            s = se_page_name(c);
            se_html_attr(c->b, s->data, s->len);
            break;

        case SE_PTPL_STATUS_DESCRIPTION:
            se_html_attr(c->b, c->pt->indicator[ind],
                         strlen(c->pt->indicator[ind]));
            break;

        case SE_PTPL_STATUS_INDICATOR:
            se_html_str(c->b, se_indicator_name(ind));
            break;

        case SE_PTPL_LANG:
            se_html_str(c->b, se_lang_name(c->lang));
            break;

        case SE_PTPL_STYLESHEET_URL:
            se_html_attr(c->b, c->css_url, strlen(c->css_url));
            break;

        case SE_PTPL_ATOM_URL:
            se_html_str(c->b, "history.atom");
            break;

        case SE_PTPL_RSS_URL:
            se_html_str(c->b, "history.rss");
            break;

        case SE_PTPL_TIME_ZONE:
            se_page_zone(c);
            break;

        case SE_PTPL_OVERALL:
            se_page_overall(c);
            break;

        case SE_PTPL_INCIDENTS:
            se_page_incidents(c);
            break;

        case SE_PTPL_MAINTENANCES:
            se_page_maintenances(c);
            break;

        case SE_PTPL_COMPONENTS:
            se_page_components(c);
            break;

        case SE_PTPL_HISTORY:
            se_page_history(c);
            break;

        default:
            break;
        }
    }
}
