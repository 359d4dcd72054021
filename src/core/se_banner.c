/*
 * The status banner: choice, markup, stylesheet, dismissal key (see
 * se_banner.h).
 */

#include <string.h>

#include "se_banner.h"
#include "se_html.h"
#include "se_lang.h"
#include "se_pool.h"
#include "se_state.h"
#include "se_enum.h"
#include "se_time.h"

#define SE_BANNER_BODY_MAX  300         /* characters of an update body */


static const char  se_banner_stylesheet[] =
    ".se-banner,.se-banner *{box-sizing:border-box;margin:0;padding:0;"
    "border:0;float:none;text-transform:none;letter-spacing:normal;"
    "text-shadow:none;background:none;color:inherit;font:inherit}\n"
    ".se-banner{display:flex;align-items:flex-start;gap:.75em;"
    "position:relative;z-index:2147483000;width:100%;margin:0;"
    "padding:.75em 1em;font:15px/1.45 system-ui,-apple-system,"
    "\"Segoe UI\",Roboto,\"Noto Sans KR\",\"Apple SD Gothic Neo\","
    "\"Malgun Gothic\",sans-serif;text-align:left;"
    "border-bottom:3px solid;background:#e8f0fe;color:#0b3d91;"
    "animation:se-in .25s ease-out}\n"
    ".se-banner .se-content{flex:1 1 auto;min-width:0;"
    "overflow-wrap:anywhere}\n"
    ".se-banner p{margin:0 0 .25em}\n"
    ".se-banner p:last-child{margin-bottom:0}\n"
    ".se-banner .se-level{font-weight:700;margin-right:.5em}\n"
    ".se-banner .se-name{font-weight:600}\n"
    ".se-banner .se-status{font-weight:600}\n"
    ".se-banner .se-meta{font-size:.9em}\n"
    ".se-banner .se-meta>*{margin-right:1em}\n"
    ".se-banner a{color:inherit;text-decoration:underline;cursor:pointer}\n"
    ".se-banner a:focus-visible{outline:2px solid currentColor;"
    "outline-offset:2px}\n"
    ".se-banner .se-dismiss{flex:0 0 auto;display:inline-block;"
    "min-width:2em;min-height:2em;line-height:2em;text-align:center;"
    "font-size:1.25em;text-decoration:none;border-radius:4px}\n"
    ".se-banner .se-dismiss:hover{background:rgba(127,127,127,.2)}\n"
    ".se-banner.se-none{background:#e8f0fe;color:#0b3d91}\n"
    ".se-banner.se-minor{background:#fff4c2;color:#3d3000}\n"
    ".se-banner.se-major{background:#ffe0c2;color:#5a2600}\n"
    ".se-banner.se-critical{background:#9b1c1c;color:#fff}\n"
    ".se-banner.se-maintenance{background:#1e4e8c;color:#fff}\n"
    ".se-banner.se-maintenance.se-upcoming{background:#e6eefa;"
    "color:#143a6b}\n"
    "@media (prefers-color-scheme:dark){\n"
    ".se-banner,.se-banner.se-none{background:#10213d;color:#cfe0ff}\n"
    ".se-banner.se-minor{background:#332b00;color:#ffec99}\n"
    ".se-banner.se-major{background:#3d1d05;color:#ffd2a8}\n"
    ".se-banner.se-critical{background:#5c0f0f;color:#ffd6d6}\n"
    ".se-banner.se-maintenance{background:#0f2747;color:#d6e6ff}\n"
    ".se-banner.se-maintenance.se-upcoming{background:#13233a;"
    "color:#cfe0ff}}\n"
    "@media (max-width:600px){\n"
    ".se-banner{font-size:14px;padding:.6em .75em;gap:.5em}\n"
    ".se-banner .se-level{display:block;margin:0}\n"
    ".se-banner .se-meta>*{display:block;margin:0}}\n"
    "@media (prefers-reduced-motion:reduce){\n"
    ".se-banner{animation:none}}\n"
    "@keyframes se-in{from{opacity:0;transform:translateY(-.5em)}"
    "to{opacity:1;transform:none}}\n";


const char *
se_banner_css(size_t *len)
{
    if (len) {
        *len = sizeof(se_banner_stylesheet) - 1;
    }

    return se_banner_stylesheet;
}


/* choice */

int
se_banner_touches(const se_incident_t *rec, const se_banner_ctx_t *ctx)
{
    size_t  i, j;

    if (ctx->ncomponents == 0 || ctx->components == NULL
        || rec->ncomponents == 0)
    {
        return 1;
    }

    for (i = 0; i < rec->ncomponents; i++) {
        for (j = 0; j < ctx->ncomponents; j++) {
            if (rec->components[i].len == ctx->components[j].len
                && memcmp(rec->components[i].data, ctx->components[j].data,
                          rec->components[i].len) == 0)
            {
                return 1;
            }
        }
    }

    return 0;
}


static int
se_banner_visible(const se_incident_t *rec, const se_banner_ctx_t *ctx)
{
    return rec->banner
           && (ctx->internal || rec->audience == SE_AUDIENCE_PUBLIC)
           && se_banner_touches(rec, ctx);
}


/* the end of an upcoming maintenance's banner window */
static int64_t
se_banner_upcoming_end(const se_incident_t *rec)
{
    return rec->scheduled_until != SE_TIME_NONE ? rec->scheduled_until
                                                : rec->scheduled_for;
}


static int64_t
se_banner_upcoming_start(const se_incident_t *rec)
{
    return rec->scheduled_for - rec->banner_lead;
}


static int
se_banner_upcoming(const se_incident_t *rec, int64_t now)
{
    return se_status_upcoming(rec->status)
           && now != 0
           && rec->scheduled_for != SE_TIME_NONE
           && se_banner_upcoming_start(rec) <= now
           && now < se_banner_upcoming_end(rec);
}


const se_incident_t *
se_banner_choose(const se_model_t *m, const se_banner_ctx_t *ctx)
{
    size_t               i;
    int64_t              now;
    const se_incident_t  *rec, *best;

    now = ctx->now ? ctx->now : m->now;
    best = NULL;

    for (i = 0; i < m->nincidents; i++) {
        rec = &m->incidents[i];

        if (!se_status_unresolved(rec->status)
            || !se_banner_visible(rec, ctx))
        {
            continue;
        }

        if (best == NULL || rec->impact > best->impact
            || (rec->impact == best->impact
                && rec->created_at > best->created_at))
        {
            best = rec;
        }
    }

    if (best) {
        return best;
    }

    for (i = 0; i < m->nmaintenances; i++) {
        rec = &m->maintenances[i];

        if (se_status_active(rec->status) && se_banner_visible(rec, ctx)) {
            return rec;
        }
    }

    for (i = 0; i < m->nmaintenances; i++) {
        rec = &m->maintenances[i];

        if (se_banner_upcoming(rec, now) && se_banner_visible(rec, ctx)
            && (best == NULL || rec->scheduled_for < best->scheduled_for))
        {
            best = rec;
        }
    }

    return best;
}


static int64_t
se_banner_day(int64_t t)
{
    return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}


static void
se_banner_sooner(int64_t *at, int64_t t, int64_t now)
{
    if (t != SE_TIME_NONE && t > now && t < *at) {
        *at = t;
    }
}


int64_t
se_banner_refresh_at(const se_model_t *m, int64_t now)
{
    size_t               i;
    int64_t              at;
    int                  times;
    const se_incident_t  *rec;

    if (now == 0) {
        return INT64_MAX;
    }

    at = INT64_MAX;
    times = 0;

    for (i = 0; i < m->nincidents; i++) {
        rec = &m->incidents[i];

        if (rec->banner && se_status_unresolved(rec->status)
            && rec->next_update_at != SE_TIME_NONE
            && rec->next_update_at > now)
        {
            se_banner_sooner(&at, rec->next_update_at, now);
            times = 1;
        }
    }

    for (i = 0; i < m->nmaintenances; i++) {
        rec = &m->maintenances[i];

        if (!rec->banner) {
            continue;
        }

        if (se_status_upcoming(rec->status)
            && rec->scheduled_for != SE_TIME_NONE)
        {
            se_banner_sooner(&at, se_banner_upcoming_start(rec), now);
            se_banner_sooner(&at, se_banner_upcoming_end(rec), now);

            if (se_banner_upcoming(rec, now)) {
                times = 1;
            }

        } else if (se_status_active(rec->status)) {
            times = 1;
        }

        if ((se_status_upcoming(rec->status)
             || se_status_active(rec->status))
            && rec->next_update_at != SE_TIME_NONE)
        {
            se_banner_sooner(&at, rec->next_update_at, now);
        }
    }

    /* "15:30" becomes "2026-11-21 15:30" after midnight, and back */
    if (times) {
        se_banner_sooner(&at, (se_banner_day(now) + 1) * 86400, now);
    }

    return at;
}


/* key */

void
se_banner_key(const char *id, size_t id_len, const char *uid,
    size_t uid_len, char key[SE_BANNER_KEY_LEN])
{
    static const char  hex[] = "0123456789abcdef";
    uint64_t           h;
    size_t             i;

    /* FNV-1a 64 of id NUL uid, then the splitmix64 finalizer */

    h = se_fnv(SE_FNV_OFFSET, id, id_len);
    h = se_fnv(h, "", 1);
    h = se_fnv(h, uid, uid_len);

    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;

    for (i = 0; i < 16; i++) {
        key[15 - i] = hex[h & 0x0f];
        h >>= 4;
    }

    key[16] = '\0';
}


void
se_banner_record_key(const se_incident_t *rec, char key[SE_BANNER_KEY_LEN])
{
    if (rec->nupdates) {
        se_banner_key(rec->id.data, rec->id.len, rec->updates[0].id.data,
                      rec->updates[0].id.len, key);

    } else {
        se_banner_key(rec->id.data, rec->id.len, "", 0, key);
    }
}


/* markup */

void
se_banner_time(se_html_buf_t *b, int64_t t, int64_t now, int date)
{
    char  buf[SE_TIME_LEN];

    if (se_time_format(t, buf) == 0) {
        se_html_str(b, "?");
        return;
    }

    if (date || now == 0 || se_banner_day(t) != se_banner_day(now)) {
        se_html_raw(b, buf, 10);
        se_html_raw(b, " ", 1);
    }

    se_html_raw(b, buf + 11, 5);
}


static void
se_banner_window(se_html_buf_t *b, const se_incident_t *rec, int64_t now,
    const se_lang_labels_t *txt)
{
    int  date;

    if (rec->scheduled_for == SE_TIME_NONE) {
        return;
    }

    date = (now == 0 || se_banner_day(rec->scheduled_for)
                        != se_banner_day(now));

    se_html_str(b, "<span class=\"se-when\">");
    se_html_text(b, txt->when, strlen(txt->when));
    se_banner_time(b, rec->scheduled_for, now, date);

    if (rec->scheduled_until != SE_TIME_NONE
        && rec->scheduled_until > rec->scheduled_for)
    {
        se_html_text(b, txt->to, strlen(txt->to));
        se_banner_time(b, rec->scheduled_until, rec->scheduled_for, 0);
    }

    se_html_str(b, " UTC</span> ");
}


static void
se_banner_label(se_html_buf_t *b, const char *cls, const char *label)
{
    se_html_str(b, cls);
    se_html_text(b, label, strlen(label));
}


void
se_banner_dismiss_url(se_html_buf_t *b, const se_incident_t *rec,
    const se_banner_opts_t *o)
{
    const se_str_t  *uid;

    se_html_attr(b, o->dismiss, o->dismiss_len);
    se_html_str(b, memchr(o->dismiss, '?', o->dismiss_len) ? "&amp;id="
                                                          : "?id=");
    se_html_pct(b, rec->id.data, rec->id.len);
    se_html_str(b, "&amp;u=");

    if (rec->nupdates) {
        uid = &rec->updates[0].id;
        se_html_pct(b, uid->data, uid->len);
    }

    se_html_str(b, "&amp;r=");
}


static void
se_banner_dismiss(se_html_buf_t *b, const se_incident_t *rec,
    const se_banner_opts_t *o, const se_lang_labels_t *txt, size_t *ret)
{
    se_html_str(b, "<a class=\"se-dismiss\" href=\"");
    se_banner_dismiss_url(b, rec, o);
    *ret = b->len;

    se_html_str(b, "\" aria-label=\"");
    se_html_attr(b, txt->dismiss, strlen(txt->dismiss));
    se_html_str(b, "\" title=\"");
    se_html_attr(b, txt->dismiss, strlen(txt->dismiss));
    se_html_str(b, "\"><span aria-hidden=\"true\">&#215;</span></a>");
}


int
se_banner_render(const se_model_t *m, const se_incident_t *rec,
    const se_banner_opts_t *o, se_banner_t *out)
{
    int                      upcoming, next;
    size_t                   ret;
    int64_t                  now;
    se_lang_e                lang;
    se_html_buf_t            b;
    const se_str_t          *s, *url;
    const se_update_t       *u;
    const se_lang_labels_t  *txt;

    memset(out, 0, sizeof(se_banner_t));
    out->ret = SE_BANNER_NO_RET;

    lang = o->lang < SE_LANG_N ? o->lang : SE_LANG_EN;
    txt = se_lang_labels(lang);
    now = o->now ? o->now : m->now;
    u = rec->nupdates ? &rec->updates[0] : NULL;
    upcoming = (rec->kind == SE_KIND_MAINTENANCE
                && se_status_upcoming(rec->status));
    ret = SE_BANNER_NO_RET;

    se_html_buf_init(&b);

    se_html_str(&b, "<div class=\"se-banner se-");
    se_html_str(&b, se_impact_name(rec->kind == SE_KIND_MAINTENANCE
                                   ? SE_IMPACT_MAINTENANCE : rec->impact));
    se_html_str(&b, upcoming ? " se-upcoming\"" : "\"");
    se_html_str(&b, " role=\"status\" aria-live=\"polite\" lang=\"");
    se_html_str(&b, txt->lang);
    se_html_str(&b, "\"><div class=\"se-content\">");

    /* level and name */

    se_banner_label(&b, "<p class=\"se-title\"><strong class=\"se-level\">",
                    upcoming ? txt->upcoming
                    : txt->level[rec->kind == SE_KIND_MAINTENANCE
                                 ? SE_IMPACT_MAINTENANCE : rec->impact]);
    se_html_str(&b, "</strong> <span class=\"se-name\">");
    s = se_lang_i18n(&rec->name, rec->name_i18n, lang);
    se_html_text(&b, s->data, s->len);
    se_html_str(&b, "</span>");

    if (u == NULL) {
        se_banner_label(&b, " <span class=\"se-status\">",
                        txt->status[rec->status]);
        se_html_str(&b, "</span>");
    }

    se_html_str(&b, "</p>");

    /* the latest update */

    if (u) {
        se_banner_label(&b, "<p class=\"se-update\"><span class=\"se-status\">",
                        txt->status[u->status]);
        se_html_str(&b, "</span>");

        s = se_lang_i18n(&u->body, u->body_i18n, lang);

        if (s->len) {
            se_html_str(&b, ": <span class=\"se-text\">");
            se_html_lines(&b, s->data, s->len, SE_BANNER_BODY_MAX);
            se_html_str(&b, "</span>");
        }

        se_html_str(&b, "</p>");
    }

    /* window, next update, link */

    next = (rec->next_update_at != SE_TIME_NONE
            && (now == 0 || rec->next_update_at > now));

    url = &m->page.status_url;
    if (se_html_url_ok(url->data, url->len) != SE_OK) {
        url = &m->page.url;
    }

    if (rec->kind == SE_KIND_MAINTENANCE || next
        || se_html_url_ok(url->data, url->len) == SE_OK)
    {
        se_html_str(&b, "<p class=\"se-meta\">");

        if (rec->kind == SE_KIND_MAINTENANCE) {
            se_banner_window(&b, rec, now, txt);
        }

        if (next) {
            se_banner_label(&b, "<span class=\"se-next\">", txt->next);
            se_banner_time(&b, rec->next_update_at, now, 0);
            se_html_str(&b, " UTC</span> ");
        }

        if (se_html_url_ok(url->data, url->len) == SE_OK) {
            se_html_str(&b, "<a class=\"se-link\" href=\"");
            se_html_url(&b, url->data, url->len);
            se_banner_label(&b, "\">", txt->link);
            se_html_str(&b, "</a>");
        }

        /* no trailing space before </p> */
        if (b.len && b.data[b.len - 1] == ' ') {
            b.len--;
        }

        se_html_str(&b, "</p>");
    }

    se_html_str(&b, "</div>");

    if (o->dismiss && se_html_url_ok(o->dismiss, o->dismiss_len) == SE_OK) {
        se_banner_dismiss(&b, rec, o, txt, &ret);
    }

    se_html_str(&b, "</div>");

    out->data = se_html_buf_take(&b, &out->len);
    if (out->data == NULL) {
        out->len = 0;
        return SE_ERROR;
    }

    out->ret = ret;
    se_banner_record_key(rec, out->key);

    return SE_OK;
}


void
se_banner_free(se_banner_t *b)
{
    se_free(b->data);
    b->data = NULL;
    b->len = 0;
    b->ret = SE_BANNER_NO_RET;
}


/* the dismiss link's return path */

static inline int
se_banner_return_ok(const char *uri, size_t len)
{
    return uri != NULL && len > 0 && len <= SE_BANNER_RET_MAX
           && uri[0] == '/'
           && !(len > 1 && (uri[1] == '/' || uri[1] == '\\'));
}


size_t
se_banner_return_len(const char *uri, size_t len)
{
    if (!se_banner_return_ok(uri, len)) {
        return 1;
    }

    return se_html_pct_len(uri, len);
}


char *
se_banner_return_write(char *dst, const char *uri, size_t len)
{
    if (!se_banner_return_ok(uri, len)) {
        *dst++ = '/';
        return dst;
    }

    return se_html_pct_write(dst, uri, len);
}
