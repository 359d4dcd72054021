/*
 * The maintenance gate: which maintenance closes a location, Retry-After
 * and the 503 page (see se_gate.h).
 */

#include <string.h>

#include "se_gate.h"
#include "se_banner.h"
#include "se_lang.h"
#include "se_html.h"
#include "se_enum.h"
#include "se_time.h"


/* the gate's own words; labels, statuses and times come from the banner */

typedef struct {
    const char          *title;
    const char          *until;         /* before the expected end */
    const char          *retry;
} se_gate_text_t;


static const se_gate_text_t  se_gate_texts[SE_LANG_N] = {

    { "Service under maintenance",
      "Expected end: ",
      "Please try again later." },

    { "\xec\x84\x9c\xeb\xb9\x84\xec\x8a\xa4 \xec\xa0\x90\xea\xb2\x80 "
      "\xec\xa4\x91",                                   /* 서비스 점검 중 */
      "\xec\xa2\x85\xeb\xa3\x8c \xec\x98\x88\xec\xa0\x95: ",
                                                        /* 종료 예정: */
      "\xec\x9e\xa0\xec\x8b\x9c \xed\x9b\x84 \xeb\x8b\xa4\xec\x8b\x9c "
      "\xec\x8b\x9c\xeb\x8f\x84\xed\x95\xb4 \xec\xa3\xbc\xec\x84\xb8"
      "\xec\x9a\x94." }                                 /* 잠시 후 ... */
};


static const char  se_gate_style[] =
    "html{color-scheme:light dark}"
    "body{margin:0;min-height:100vh;display:flex;align-items:center;"
    "justify-content:center;background:#f4f6fa;color:#1b2733;"
    "font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,"
    "\"Noto Sans KR\",\"Apple SD Gothic Neo\",\"Malgun Gothic\","
    "sans-serif}"
    ".se-gate{box-sizing:border-box;max-width:40em;margin:1em;"
    "padding:2em;background:#fff;border-top:6px solid #1e4e8c;"
    "border-radius:8px;box-shadow:0 2px 12px rgba(0,0,0,.08);"
    "overflow-wrap:anywhere}"
    ".se-gate-level{margin:0;color:#1e4e8c;font-weight:700;"
    "text-transform:uppercase;letter-spacing:.05em;font-size:.85em}"
    ".se-gate h1{margin:.25em 0 .75em;font-size:1.6em;line-height:1.25}"
    ".se-gate p{margin:0 0 .75em}"
    ".se-status{font-weight:600}"
    ".se-gate a{color:#1e4e8c}"
    "@media (prefers-color-scheme:dark){"
    "body{background:#0f1724;color:#dce6f5}"
    ".se-gate{background:#162235;border-top-color:#7fb0ff}"
    ".se-gate-level,.se-gate a{color:#9cc2ff}}";


const se_incident_t *
se_gate_choose(const se_model_t *m, const se_str_t *components,
    size_t ncomponents)
{
    size_t               i;
    se_banner_ctx_t      ctx;
    const se_incident_t  *rec;

    memset(&ctx, 0, sizeof(se_banner_ctx_t));
    ctx.components = components;
    ctx.ncomponents = ncomponents;

    for (i = 0; i < m->nmaintenances; i++) {
        rec = &m->maintenances[i];

        if (rec->gate
            && se_status_active(rec->status)
            && rec->audience == SE_AUDIENCE_PUBLIC
            && se_banner_touches(rec, &ctx))
        {
            return rec;
        }
    }

    return NULL;
}


int64_t
se_gate_retry_after(const se_incident_t *rec, int64_t now)
{
    if (rec->scheduled_until == SE_TIME_NONE
        || rec->scheduled_until <= now)
    {
        return SE_GATE_RETRY_DEFAULT;
    }

    return rec->scheduled_until - now;
}


static void
se_gate_label(se_html_buf_t *b, const char *open, const char *label,
    const char *close)
{
    se_html_str(b, open);
    se_html_text(b, label, strlen(label));
    se_html_str(b, close);
}


int
se_gate_render(const se_model_t *m, const se_incident_t *rec,
    se_lang_e lang, char **data, size_t *len)
{
    char                     iso[SE_TIME_LEN];
    se_html_buf_t            b;
    const se_str_t          *s, *url;
    const se_update_t       *u;
    const se_gate_text_t    *gt;
    const se_lang_labels_t  *txt;

    lang = lang < SE_LANG_N ? lang : SE_LANG_EN;
    gt = &se_gate_texts[lang];
    txt = se_lang_labels(lang);
    u = rec->nupdates ? &rec->updates[0] : NULL;

    se_html_buf_init(&b);

    se_html_str(&b, "<!DOCTYPE html><html lang=\"");
    se_html_str(&b, txt->lang);
    se_html_str(&b, "\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width,"
                    "initial-scale=1\">"
                    "<meta name=\"robots\" content=\"noindex\"><title>");
    se_html_text(&b, gt->title, strlen(gt->title));

    s = se_lang_i18n(&m->page.name, m->page.name_i18n, lang);
    if (s->len) {
        se_html_str(&b, " - ");
        se_html_text(&b, s->data, s->len);
    }

    se_html_str(&b, "</title><style>");
    se_html_raw(&b, se_gate_style, sizeof(se_gate_style) - 1);
    se_html_str(&b, "</style></head><body><main class=\"se-gate\">");

    se_gate_label(&b, "<p class=\"se-gate-level\">",
                  txt->level[SE_IMPACT_MAINTENANCE], "</p>");

    se_html_str(&b, "<h1 class=\"se-gate-name\">");
    s = se_lang_i18n(&rec->name, rec->name_i18n, lang);
    se_html_text(&b, s->data, s->len);
    se_html_str(&b, "</h1>");

    /* the latest update, or the record's own status */

    se_gate_label(&b, "<p class=\"se-gate-update\"><span class=\"se-status\">",
                  txt->status[u ? u->status : rec->status], "</span>");

    if (u) {
        s = se_lang_i18n(&u->body, u->body_i18n, lang);

        if (s->len) {
            se_html_str(&b, ": <span class=\"se-text\">");
            se_html_lines(&b, s->data, s->len, SE_GATE_BODY_MAX);
            se_html_str(&b, "</span>");
        }
    }

    se_html_str(&b, "</p>");

    if (rec->scheduled_until != SE_TIME_NONE
        && se_time_format(rec->scheduled_until, iso) != 0)
    {
        se_gate_label(&b, "<p class=\"se-gate-until\">", gt->until,
                      "<time datetime=\"");
        se_html_str(&b, iso);
        se_html_str(&b, "\">");
        se_banner_time(&b, rec->scheduled_until, 0, 1);
        se_html_str(&b, " UTC</time></p>");
    }

    se_gate_label(&b, "<p class=\"se-gate-retry\">", gt->retry, "</p>");

    url = &m->page.status_url;
    if (se_html_url_ok(url->data, url->len) != SE_OK) {
        url = &m->page.url;
    }

    if (se_html_url_ok(url->data, url->len) == SE_OK) {
        se_html_str(&b, "<p class=\"se-gate-link\"><a href=\"");
        se_html_url(&b, url->data, url->len);
        se_gate_label(&b, "\">", txt->link, "</a></p>");
    }

    se_html_str(&b, "</main></body></html>\n");

    *data = se_html_buf_take(&b, len);
    if (*data == NULL) {
        *len = 0;
        return SE_ERROR;
    }

    return SE_OK;
}
