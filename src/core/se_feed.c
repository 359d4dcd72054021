/*
 * The Atom and RSS feeds (see se_feed.h).
 */

#include <stdlib.h>
#include <string.h>

#include "se_feed.h"
#include "se_derive.h"
#include "se_lang.h"
#include "se_pool.h"
#include "se_enum.h"
#include "se_valid.h"
#include "se_utf8.h"
#include "se_time.h"

#define SE_FEED_TAG  "tag:status-edge,2026:"


typedef struct {
    const se_incident_t  *rec;
    const se_update_t    *u;
} se_feed_entry_t;


static const char  *se_feed_days[7] = {
    "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"
};

static const char  *se_feed_months[12] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
    "Nov", "Dec"
};


int
se_feed_xml(se_html_buf_t *b, const char *s, size_t len, int attr)
{
    size_t                i, k;
    uint32_t              cp;
    const unsigned char  *p;

    p = (const unsigned char *) s;

    for (i = 0; i < len; i += k) {
        k = se_utf8_decode(p + i, len - i, &cp);
        if (k == 0) {
            k = 1;
            cp = SE_UTF8_BAD;
        }

        switch (cp) {
        case '&':
            se_html_str(b, "&amp;");
            continue;
        case '<':
            se_html_str(b, "&lt;");
            continue;
        case '>':
            se_html_str(b, "&gt;");
            continue;
        case '"':
            se_html_str(b, "&quot;");
            continue;
        case '\'':
            se_html_str(b, "&#39;");
            continue;
        case '\t':
            se_html_str(b, attr ? "&#9;" : "\t");
            continue;
        case '\n':
            se_html_str(b, attr ? "&#10;" : "\n");
            continue;
        case '\r':
            se_html_str(b, attr ? "&#13;" : "\r");
            continue;
        case SE_UTF8_BAD:
            se_html_str(b, "\xef\xbf\xbd");
            continue;
        default:
            break;
        }

        if (!se_utf8_markup_ok(cp)) {
            continue;
        }

        se_html_raw(b, s + i, k);
    }

    return b->failed ? SE_ERROR : SE_OK;
}


static void
se_feed_str(se_html_buf_t *b, const char *s)
{
    se_feed_xml(b, s, strlen(s), 0);
}


static void
se_feed_rfc3339(se_html_buf_t *b, int64_t t)
{
    char  buf[SE_TIME_LEN];

    if (se_time_format(t, buf) == 0) {
        se_time_format(0, buf);
    }

    se_html_str(b, buf);
}


static void
se_feed_2(se_html_buf_t *b, int64_t n)
{
    char  buf[2];

    buf[0] = (char) ('0' + n / 10 % 10);
    buf[1] = (char) ('0' + n % 10);
    se_html_raw(b, buf, 2);
}


/* RFC 822 (RFC 2822 with a 4-digit year): "Sat, 21 Nov 2026 14:30:00 +0000" */
static void
se_feed_rfc822(se_html_buf_t *b, int64_t t)
{
    char     buf[SE_TIME_LEN];
    int64_t  day, y, mo, d, secs;

    if (se_time_format(t, buf) == 0) {
        t = 0;
        se_time_format(0, buf);
    }

    day = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    secs = t - day * 86400;
    se_civil_from_days(day, &y, &mo, &d);

    se_html_str(b, se_feed_days[((day % 7) + 7) % 7]);
    se_html_str(b, ", ");
    se_feed_2(b, d);
    se_html_str(b, " ");
    se_html_str(b, se_feed_months[mo - 1]);
    se_html_str(b, " ");
    se_html_raw(b, buf, 4);
    se_html_str(b, " ");
    se_feed_2(b, secs / 3600);
    se_html_str(b, ":");
    se_feed_2(b, secs % 3600 / 60);
    se_html_str(b, ":");
    se_feed_2(b, secs % 60);
    se_html_str(b, " +0000");
}


static const se_str_t *
se_feed_base(const se_model_t *m)
{
    if (se_valid_url(m->page.status_url.data, m->page.status_url.len)
        == SE_OK)
    {
        return &m->page.status_url;
    }

    if (se_valid_url(m->page.url.data, m->page.url.len) == SE_OK) {
        return &m->page.url;
    }

    return NULL;
}


/* the page URL (with a trailing '/') followed by path */
static void
se_feed_url(se_html_buf_t *b, const se_model_t *m, const char *path)
{
    const se_str_t  *base;

    base = se_feed_base(m);

    if (base == NULL) {
        /* relative to the feed, which sits beside the page */
        if (*path == '\0' || *path == '#') {
            se_html_str(b, "./");
        }

        se_html_str(b, path);
        return;
    }

    se_feed_xml(b, base->data, base->len, 1);

    if (base->data[base->len - 1] != '/') {
        se_html_str(b, "/");
    }

    se_html_str(b, path);
}


static void
se_feed_record_url(se_html_buf_t *b, const se_model_t *m,
    const se_incident_t *rec)
{
    se_feed_url(b, m, rec->kind == SE_KIND_MAINTENANCE ? "#maintenance-"
                                                       : "#incident-");
    se_feed_xml(b, rec->id.data, rec->id.len, 1);
}


static void
se_feed_page_id(se_html_buf_t *b, const se_model_t *m)
{
    se_html_str(b, SE_FEED_TAG);

    if (m->page.id.len) {
        se_feed_xml(b, m->page.id.data, m->page.id.len, 0);

    } else {
        se_html_str(b, "page");
    }
}


static void
se_feed_entry_id(se_html_buf_t *b, const se_model_t *m,
    const se_feed_entry_t *e)
{
    se_feed_page_id(b, m);
    se_html_str(b, e->rec->kind == SE_KIND_MAINTENANCE ? ":maintenance:"
                                                       : ":incident:");
    se_feed_xml(b, e->rec->id.data, e->rec->id.len, 0);
    se_html_str(b, ":update:");
    se_feed_xml(b, e->u->id.data, e->u->id.len, 0);
}


static void
se_feed_title(se_html_buf_t *b, const se_feed_entry_t *e)
{
    const se_lang_labels_t  *txt;

    txt = se_lang_labels(SE_LANG_EN);

    se_feed_xml(b, e->rec->name.data, e->rec->name.len, 0);
    se_html_str(b, ": ");
    se_feed_str(b, txt->status[e->u->status]);
}


static int64_t
se_feed_time(const se_update_t *u)
{
    return u->display_at != SE_TIME_NONE ? u->display_at : u->created_at;
}


static int
se_feed_cmp(const void *a, const void *b)
{
    const se_feed_entry_t  *x = a, *y = b;
    int64_t                 tx, ty;
    int                     c;

    tx = se_feed_time(x->u);
    ty = se_feed_time(y->u);

    if (tx != ty) {
        return tx > ty ? -1 : 1;
    }

    /* a total order, so equal times render the same way every time */

    c = (int) x->rec->kind - (int) y->rec->kind;
    if (c) {
        return c;
    }

    c = strcmp(x->rec->id.data, y->rec->id.data);
    if (c) {
        return c;
    }

    return strcmp(x->u->id.data, y->u->id.data);
}


static se_feed_entry_t *
se_feed_entries(const se_model_t *m, const se_component_t *comp, size_t *n)
{
    size_t                i, j, k, total;
    se_feed_entry_t      *e;
    const se_incident_t  *rec;

    total = 0;

    for (k = 0; k < 2; k++) {
        for (i = 0; i < (k ? m->nmaintenances : m->nincidents); i++) {
            rec = k ? &m->maintenances[i] : &m->incidents[i];
            if (rec->audience == SE_AUDIENCE_PUBLIC) {
                total += rec->nupdates;
            }
        }
    }

    e = se_malloc((total ? total : 1) * sizeof(se_feed_entry_t));
    if (e == NULL) {
        return NULL;
    }

    *n = 0;

    for (k = 0; k < 2; k++) {
        for (i = 0; i < (k ? m->nmaintenances : m->nincidents); i++) {
            rec = k ? &m->maintenances[i] : &m->incidents[i];

            if (rec->audience != SE_AUDIENCE_PUBLIC
                || (comp && !se_record_touches(m, rec, comp)))
            {
                continue;
            }

            for (j = 0; j < rec->nupdates; j++) {
                e[*n].rec = rec;
                e[*n].u = &rec->updates[j];
                (*n)++;
            }
        }
    }

    qsort(e, *n, sizeof(se_feed_entry_t), se_feed_cmp);

    if (*n > SE_FEED_MAX) {
        *n = SE_FEED_MAX;
    }

    return e;
}


/* the feed's title: "Example status history", "Example API status ..." */
static void
se_feed_name(se_html_buf_t *b, const se_model_t *m,
    const se_component_t *comp)
{
    se_feed_xml(b, m->page.name.data, m->page.name.len, 0);

    if (comp) {
        se_html_str(b, " ");
        se_feed_xml(b, comp->name.data, comp->name.len, 0);
    }

    se_html_str(b, " status history");
}


/* "history.atom", "history.atom?component=ID" */
static void
se_feed_self(se_html_buf_t *b, const se_model_t *m,
    const se_component_t *comp, const char *name)
{
    se_feed_url(b, m, name);

    if (comp) {
        se_html_str(b, "?component=");
        se_feed_xml(b, comp->id.data, comp->id.len, 1);
    }
}


static void
se_feed_atom(se_html_buf_t *b, const se_model_t *m,
    const se_component_t *comp, se_feed_entry_t *e, size_t n)
{
    size_t           i;
    int64_t          updated;
    const se_str_t  *body;

    /* the newest entry, so the feed's updated stays put between states */

    updated = n ? e[0].u->updated_at : m->page.updated_at;
    for (i = 1; i < n; i++) {
        if (e[i].u->updated_at > updated) {
            updated = e[i].u->updated_at;
        }
    }

    if (updated == SE_TIME_NONE) {
        updated = 0;
    }

    se_html_str(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
                "xml:lang=\"en\">\n<id>");
    se_feed_page_id(b, m);

    if (comp) {
        se_html_str(b, ":component:");
        se_feed_xml(b, comp->id.data, comp->id.len, 0);
    }

    se_html_str(b, "</id>\n<title>");
    se_feed_name(b, m, comp);
    se_html_str(b, "</title>\n<updated>");
    se_feed_rfc3339(b, updated);
    se_html_str(b, "</updated>\n<link rel=\"self\" "
                "type=\"application/atom+xml\" href=\"");
    se_feed_self(b, m, comp, "history.atom");
    se_html_str(b, "\"/>\n<link rel=\"alternate\" type=\"text/html\" "
                "href=\"");
    se_feed_url(b, m, "");
    se_html_str(b, "\"/>\n<author><name>");
    se_feed_xml(b, m->page.name.data, m->page.name.len, 0);
    se_html_str(b, "</name></author>\n<generator>status-edge</generator>\n");

    for (i = 0; i < n; i++) {
        se_html_str(b, "<entry>\n<id>");
        se_feed_entry_id(b, m, &e[i]);
        se_html_str(b, "</id>\n<title>");
        se_feed_title(b, &e[i]);
        se_html_str(b, "</title>\n<updated>");
        se_feed_rfc3339(b, e[i].u->updated_at);
        se_html_str(b, "</updated>\n<published>");
        se_feed_rfc3339(b, se_feed_time(e[i].u));
        se_html_str(b, "</published>\n<link rel=\"alternate\" "
                    "type=\"text/html\" href=\"");
        se_feed_record_url(b, m, e[i].rec);
        se_html_str(b, "\"/>\n<category term=\"");
        se_html_str(b, se_impact_name(e[i].rec->impact));
        se_html_str(b, "\"/>\n<content type=\"text\">");
        body = &e[i].u->body;
        se_feed_xml(b, body->data, body->len, 0);
        se_html_str(b, "</content>\n</entry>\n");
    }

    se_html_str(b, "</feed>\n");
}


static void
se_feed_rss(se_html_buf_t *b, const se_model_t *m,
    const se_component_t *comp, se_feed_entry_t *e, size_t n)
{
    size_t  i;

    se_html_str(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                "<rss version=\"2.0\" "
                "xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n"
                "<title>");
    se_feed_name(b, m, comp);
    se_html_str(b, "</title>\n<link>");
    se_feed_url(b, m, "");
    se_html_str(b, "</link>\n<description>Incident and maintenance "
                "updates of ");
    se_feed_xml(b, m->page.name.data, m->page.name.len, 0);
    se_html_str(b, "</description>\n<language>en</language>\n"
                "<atom:link rel=\"self\" type=\"application/rss+xml\" "
                "href=\"");
    se_feed_self(b, m, comp, "history.rss");
    se_html_str(b, "\"/>\n<generator>status-edge</generator>\n");

    if (n) {
        se_html_str(b, "<lastBuildDate>");
        se_feed_rfc822(b, se_feed_time(e[0].u));
        se_html_str(b, "</lastBuildDate>\n");
    }

    for (i = 0; i < n; i++) {
        se_html_str(b, "<item>\n<title>");
        se_feed_title(b, &e[i]);
        se_html_str(b, "</title>\n<link>");
        se_feed_record_url(b, m, e[i].rec);
        se_html_str(b, "</link>\n<guid isPermaLink=\"false\">");
        se_feed_entry_id(b, m, &e[i]);
        se_html_str(b, "</guid>\n<pubDate>");
        se_feed_rfc822(b, se_feed_time(e[i].u));
        se_html_str(b, "</pubDate>\n<description>");
        se_feed_xml(b, e[i].u->body.data, e[i].u->body.len, 0);
        se_html_str(b, "</description>\n</item>\n");
    }

    se_html_str(b, "</channel>\n</rss>\n");
}


int
se_feed_render(const se_model_t *m, se_feed_e kind, char **data,
    size_t *len)
{
    return se_feed_render_component(m, kind, NULL, data, len);
}


int
se_feed_render_component(const se_model_t *m, se_feed_e kind,
    const se_component_t *comp, char **data, size_t *len)
{
    size_t            n;
    se_html_buf_t     b;
    se_feed_entry_t  *e;

    *data = NULL;
    *len = 0;

    n = 0;
    e = se_feed_entries(m, comp, &n);
    if (e == NULL) {
        return SE_ERROR;
    }

    se_html_buf_init(&b);

    if (kind == SE_FEED_RSS) {
        se_feed_rss(&b, m, comp, e, n);

    } else {
        se_feed_atom(&b, m, comp, e, n);
    }

    se_free(e);

    *data = se_html_buf_take(&b, len);

    return *data ? SE_OK : SE_ERROR;
}
