/*
 * The status page (see se_page.h): the built-in document, or an operator
 * template, around the sections of se_page_section.c.
 */

#include <string.h>

#include "se_page.h"
#include "se_page_section.h"
#include "se_page_tpl.h"
#include "se_html.h"
#include "se_lang.h"


/* the subscription form's labels */
static const char *const  se_page_sub_labels[SE_LANG_N][5] = {
    { "Get updates by email", "Email address",
      "Only these components (none ticked: all)",
      "Webhook URL, for developers", "Subscribe" },
    /* 이메일로 업데이트 받기, 이메일 주소,
     * 이 구성 요소만 (선택하지 않으면 전체),
     * 웹훅 URL (개발자용), 구독 */
    { "\xec\x9d\xb4\xeb\xa9\x94\xec\x9d\xbc\xeb\xa1\x9c "
      "\xec\x97\x85\xeb\x8d\xb0\xec\x9d\xb4\xed\x8a\xb8 "
      "\xeb\xb0\x9b\xea\xb8\xb0",
      "\xec\x9d\xb4\xeb\xa9\x94\xec\x9d\xbc \xec\xa3\xbc\xec\x86\x8c",
      "\xec\x9d\xb4 \xea\xb5\xac\xec\x84\xb1 \xec\x9a\x94\xec\x86\x8c"
      "\xeb\xa7\x8c (\xec\x84\xa0\xed\x83\x9d\xed\x95\x98\xec\xa7\x80 "
      "\xec\x95\x8a\xec\x9c\xbc\xeb\xa9\xb4 \xec\xa0\x84\xec\xb2\xb4)",
      "\xec\x9b\xb9\xed\x9b\x85 URL (\xea\xb0\x9c\xeb\xb0\x9c\xec\x9e\x90"
      "\xec\x9a\xa9)",
      "\xea\xb5\xac\xeb\x8f\x85" }
};


/*
 * section#subscribe: a form that works without script, posting to
 * "subscribe" beside the page (email, components ticked, a webhook)
 */
static void
se_page_subscribe(se_page_ctx_t *c)
{
    const char *const      *l;
    const se_str_t         *name;
    const se_component_t   *comp;
    size_t                  i;

    if (!c->subscribe) {
        return;
    }

    l = se_page_sub_labels[c->lang];

    se_html_str(c->b, "<section id=\"subscribe\" "
                "aria-labelledby=\"subscribe-h\"><h2 id=\"subscribe-h\">");
    se_page_text(c->b, l[0]);
    se_html_str(c->b, "</h2><form method=\"post\" action=\"subscribe\">"
                "<p><label for=\"sub-email\">");
    se_page_text(c->b, l[1]);
    se_html_str(c->b, "</label> <input id=\"sub-email\" name=\"email\" "
                "type=\"email\" required maxlength=\"254\" "
                "autocomplete=\"email\"></p>");

    if (c->m->ncomponents) {
        se_html_str(c->b, "<fieldset><legend>");
        se_page_text(c->b, l[2]);
        se_html_str(c->b, "</legend><ul class=\"sub-comps\">");

        for (i = 0; i < c->m->ncomponents; i++) {
            comp = &c->m->components[i];
            name = se_lang_i18n(&comp->name, comp->name_i18n, c->lang);

            se_html_str(c->b, "<li><label><input type=\"checkbox\" "
                        "name=\"component_ids[]\" value=\"");
            se_html_attr(c->b, comp->id.data, comp->id.len);
            se_html_str(c->b, "\"> ");
            se_html_text(c->b, name->data, name->len);
            se_html_str(c->b, "</label></li>");
        }

        se_html_str(c->b, "</ul></fieldset>");
    }

    se_html_str(c->b, "<details><summary>");
    se_page_text(c->b, l[3]);
    se_html_str(c->b, "</summary><p><input id=\"sub-endpoint\" "
                "name=\"endpoint\" type=\"url\" maxlength=\"1024\" "
                "aria-label=\"");
    se_page_text(c->b, l[3]);
    se_html_str(c->b, "\"></p></details><p><button type=\"submit\">");
    se_page_text(c->b, l[4]);
    se_html_str(c->b, "</button></p></form></section>");
}


static void
se_page_document(se_page_ctx_t *c)
{
    const se_str_t  *name;

    name = se_page_name(c);

    se_html_str(c->b, "<!DOCTYPE html>\n<html lang=\"");
    se_html_str(c->b, se_lang_name(c->lang));
    se_html_str(c->b, "\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, "
                "initial-scale=1\"><meta name=\"color-scheme\" "
                "content=\"light dark\"><title>");
    se_html_text(c->b, name->data, name->len);
    se_page_text(c->b, c->pt->title);
    se_html_str(c->b, "</title><link rel=\"stylesheet\" href=\"");
    se_html_attr(c->b, c->css_url, strlen(c->css_url));
    se_html_str(c->b, "\"><link rel=\"alternate\" "
                "type=\"application/atom+xml\" href=\"history.atom\" "
                "title=\"Atom\"><link rel=\"alternate\" "
                "type=\"application/rss+xml\" href=\"history.rss\" "
                "title=\"RSS\"></head>\n<body><a class=\"skip\" "
                "href=\"#main\">");
    se_page_text(c->b, c->pt->skip);
    se_html_str(c->b, "</a><header class=\"top\"><div class=\"wrap\"><h1>");

    if (se_html_url_ok(c->m->page.url.data, c->m->page.url.len) == SE_OK) {
        se_html_str(c->b, "<a href=\"");
        se_html_url(c->b, c->m->page.url.data, c->m->page.url.len);
        se_html_str(c->b, "\">");
        se_html_text(c->b, name->data, name->len);
        se_html_str(c->b, "</a>");

    } else {
        se_html_text(c->b, name->data, name->len);
    }

    se_html_str(c->b, "</h1></div></header>\n<main id=\"main\" "
                "class=\"wrap\">");

    se_page_overall(c);
    se_page_incidents(c);
    se_page_maintenances(c);
    se_page_components(c);
    se_page_history(c);
    se_page_subscribe(c);

    se_html_str(c->b, "</main>\n<footer class=\"foot\"><div class=\"wrap\">"
                "<p>");
    se_page_text(c->b, c->pt->zone);
    se_page_zone(c);
    se_html_str(c->b, ".</p><p>");
    se_page_text(c->b, c->pt->subscribe);
    se_html_str(c->b, "<a href=\"history.atom\">Atom</a> &#183; "
                "<a href=\"history.rss\">RSS</a></p></div></footer>\n"
                "</body></html>\n");
}


int
se_page_render(const se_model_t *m, const se_page_opts_t *o, char **data,
    size_t *len)
{
    se_html_buf_t  b;
    se_page_ctx_t  c;

    *data = NULL;
    *len = 0;

    se_html_buf_init(&b);

    c.m = m;
    c.b = &b;
    c.lang = o->lang < SE_LANG_N ? o->lang : SE_LANG_EN;
    c.now = o->now ? o->now : m->now;
    c.days = o->history_days < SE_PAGE_HISTORY_MAX ? o->history_days
                                                   : SE_PAGE_HISTORY_MAX;
    c.tz = o->tz;
    c.uptime = o->uptime;
    c.subscribe = o->subscribe != 0;
    c.css_url = o->css_url ? o->css_url : SE_PAGE_CSS_URL;
    c.pt = se_page_labels(c.lang);
    c.bt = se_lang_labels(c.lang);

    if (c.now == 0) {
        c.now = (int64_t) time(NULL);
    }

    if (o->tpl) {
        se_page_template(&c, o->tpl);

    } else {
        se_page_document(&c);
    }

    *data = se_html_buf_take(&b, len);

    return *data ? SE_OK : SE_ERROR;
}


static void
se_page_sooner(int64_t *at, int64_t t, int64_t now)
{
    if (t != SE_TIME_NONE && t > now && t < *at) {
        *at = t;
    }
}


int64_t
se_page_refresh_at(const se_model_t *m, const se_tz_t *tz, int64_t now)
{
    size_t                i;
    int64_t               at;
    const se_incident_t  *rec;

    at = INT64_MAX;

    /* the next local midnight: the history window and dates move */

    se_page_sooner(&at, se_uptime_next_midnight(tz, now), now);

    for (i = 0; i < m->nincidents; i++) {
        rec = &m->incidents[i];
        se_page_sooner(&at, rec->next_update_at, now);
    }

    for (i = 0; i < m->nmaintenances; i++) {
        rec = &m->maintenances[i];
        se_page_sooner(&at, rec->next_update_at, now);
        se_page_sooner(&at, rec->scheduled_for, now);
        se_page_sooner(&at, rec->scheduled_until, now);
    }

    return at;
}
