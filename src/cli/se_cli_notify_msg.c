/*
 * The notifier's messages (se_cli_notify_msg.h).  Every text is the
 * admin tool's template filled with the record's fields in the
 * subscriber's language; the HTML escapes all of it, the Slack text
 * escapes what mrkdwn reads as markup, and jansson writes the JSON.
 * Strings live in the arena in use; the JSON until se_msg_free().
 */

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "se_cli_notify_msg.h"
#include "se_html.h"
#include "se_page_labels.h"
#include "se_render.h"

#define SE_MSG_VARS  13


static const char *const  se_msg_template_names[SE_EVENT_N] = {
    "notify-incident", "notify-maintenance", "notify-component",
    "notify-reminder", "notify-confirm"
};

/* the placeholders each template may use */
static const char *const  se_msg_placeholders[] = {
    "name", "status", "components", "update", "next_update", "link",
    "window", "id", "component", "old_status", "last_update", "page",
    NULL
};

/* "incident open" -> "incident.open": the commands that tell */
static const char *const  se_msg_commands[] = {
    "incident open", "incident update", "incident resolve",
    "incident postmortem", "maintenance schedule", "maintenance start",
    "maintenance verify", "maintenance complete", "component set", NULL
};


int
se_msg_templates_load(se_cli_t *cli, se_msg_templates_t *t)
{
    se_kv_t  vars[SE_MSG_VARS];
    size_t   i, n;
    int      rc;

    for (n = 0; se_msg_placeholders[n]; n++) {
        vars[n].key = se_msg_placeholders[n];
        vars[n].lang = NULL;
        vars[n].val = "";
    }

    for (i = 0; i < SE_EVENT_N; i++) {
        rc = se_template_load(cli, se_msg_template_names[i], &t->tpl[i]);
        if (rc != SE_CLI_OK) {
            return rc;
        }

        rc = se_template_check(cli, &t->tpl[i], vars, n);
        if (rc != SE_CLI_OK) {
            return rc;
        }

        if (se_template_text(&t->tpl[i], "title", NULL) == NULL
            || se_template_text(&t->tpl[i], "body", NULL) == NULL)
        {
            return se_error(cli, SE_CLI_USAGE, "template %s needs a title "
                            "and a [body]", se_msg_template_names[i]);
        }
    }

    return SE_CLI_OK;
}


char *
se_msg_time(const se_tz_t *tz, int64_t t)
{
    const char  *abbr;
    int64_t      local, days, secs, y, mo, d;

    local = t + se_tz_offset(tz, t, &abbr);
    days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    secs = local - days * 86400;

    se_civil_from_days(days, &y, &mo, &d);

    return se_sprintf("%04lld-%02lld-%02lld %02lld:%02lld %s",
                      (long long) y, (long long) mo, (long long) d,
                      (long long) (secs / 3600),
                      (long long) (secs / 60 % 60), abbr);
}


static const char *
se_msg_str(const se_str_t *base, const se_i18n_t *list, se_lang_e lang)
{
    const se_str_t  *s;

    s = se_lang_i18n(base, list, lang);

    return s->data ? se_strndup(s->data, s->len) : "";
}


/* the page's link to a record: its shortlink, else the status page's */
static const char *
se_msg_link(const se_model_t *m, const se_incident_t *rec)
{
    const se_str_t  *base;

    if (rec && rec->shortlink.data) {
        return se_strndup(rec->shortlink.data, rec->shortlink.len);
    }

    base = m->page.status_url.data ? &m->page.status_url : &m->page.url;

    if (base->data == NULL) {
        return "";
    }

    if (rec == NULL || rec->audience == SE_AUDIENCE_INTERNAL) {
        return se_strndup(base->data, base->len);
    }

    return se_sprintf("%.*s#%s-%.*s", (int) base->len, base->data,
                      rec->kind == SE_KIND_MAINTENANCE ? "maintenance"
                                                       : "incident",
                      (int) rec->id.len, rec->id.data);
}


/* "API (Major outage), Web (Operational)" */
static const char *
se_msg_components(const se_model_t *m, const se_incident_t *rec,
    se_lang_e lang)
{
    const se_page_labels_t  *l;
    const se_component_t    *c;
    char                    *out;
    size_t                   i;

    l = se_page_labels(lang);
    out = "";

    for (i = 0; i < rec->ncomponents; i++) {
        c = se_model_component(m, rec->components[i].data,
                               rec->components[i].len);
        if (c == NULL) {
            continue;
        }

        out = se_sprintf("%s%s%s (%s)", out, *out ? ", " : "",
                         se_msg_str(&c->name, c->name_i18n, lang),
                         l->comp[c->status]);
    }

    return out;
}


/* the components a record names, and their groups */
static void
se_msg_scope(se_message_t *msg, const se_model_t *m,
    const se_incident_t *rec, const se_component_t *one)
{
    const se_component_t  *c;
    size_t                 i, n;

    n = rec ? rec->ncomponents : 1;
    msg->components = se_alloc(2 * n * sizeof(char *));
    msg->ncomponents = 0;

    for (i = 0; i < n; i++) {
        c = one ? one : se_model_component(m, rec->components[i].data,
                                           rec->components[i].len);
        if (c == NULL) {
            continue;
        }

        msg->components[msg->ncomponents++] = se_strndup(c->id.data,
                                                         c->id.len);
        if (c->group_id.data) {
            msg->components[msg->ncomponents++] =
                se_strndup(c->group_id.data, c->group_id.len);
        }
    }
}


/* the text as HTML paragraphs; the link, where it stands, a link */
static char *
se_msg_html(const char *text, const char *link)
{
    se_html_buf_t  b;
    const char    *p, *end, *hit;
    size_t         ll;
    char          *out;
    int            in;

    memset(&b, 0, sizeof(se_html_buf_t));
    ll = strlen(link);
    in = 0;

    for (p = text; *p; p = *end ? end + 1 : end) {
        end = strchr(p, '\n');
        if (end == NULL) {
            end = p + strlen(p);
        }

        if (end == p) {
            if (in) {
                se_html_str(&b, "</p>\n");
                in = 0;
            }

            continue;
        }

        se_html_str(&b, in ? "<br>\n" : "<p>");
        in = 1;

        hit = ll ? memmem(p, (size_t) (end - p), link, ll) : NULL;

        if (hit && se_html_url_ok(link, ll) == SE_OK) {
            se_html_text(&b, p, (size_t) (hit - p));
            se_html_str(&b, "<a href=\"");
            se_html_url(&b, link, ll);
            se_html_str(&b, "\">");
            se_html_text(&b, link, ll);
            se_html_str(&b, "</a>");
            se_html_text(&b, hit + ll, (size_t) (end - hit - ll));

        } else {
            se_html_text(&b, p, (size_t) (end - p));
        }
    }

    if (in) {
        se_html_str(&b, "</p>\n");
    }

    if (b.failed) {
        se_html_buf_free(&b);
        return se_strdup("");
    }

    out = se_strndup(b.data, b.len);
    se_html_buf_free(&b);

    return out;
}


/* mrkdwn: &, < and > are its markup */
static char *
se_msg_mrkdwn(const char *s)
{
    char    *out;
    size_t   n;

    out = se_alloc(strlen(s) * 5 + 1);

    for (n = 0; *s; s++) {
        switch (*s) {
        case '&': memcpy(out + n, "&amp;", 5); n += 5; break;
        case '<': memcpy(out + n, "&lt;", 4); n += 4; break;
        case '>': memcpy(out + n, "&gt;", 4); n += 4; break;
        default: out[n++] = *s;
        }
    }

    out[n] = '\0';

    return out;
}


static char *
se_msg_slack(const char *subject, const char *text, const char *link)
{
    json_t  *o;
    char    *title, *s, *out;

    if (*link && se_html_url_ok(link, strlen(link)) == SE_OK
        && strpbrk(link, "|<>") == NULL)
    {
        title = se_sprintf("*<%s|%s>*", link, se_msg_mrkdwn(subject));

    } else {
        title = se_sprintf("*%s*", se_msg_mrkdwn(subject));
    }

    o = json_pack("{s:s, s:[{s:s, s:{s:s, s:s}}]}",
                  "text", subject,
                  "blocks", "type", "section", "text", "type", "mrkdwn",
                  "text", se_sprintf("%s\n%s", title, se_msg_mrkdwn(text)));
    if (o == NULL) {
        return NULL;
    }

    s = json_dumps(o, JSON_COMPACT);
    json_decref(o);

    if (s == NULL) {
        return NULL;
    }

    out = se_strdup(s);
    free(s);

    return out;
}


static json_t *
se_msg_page(const se_model_t *m, se_indicator_e ind)
{
    return json_pack("{s:s%, s:s, s:s}",
                     "id", m->page.id.data ? m->page.id.data : "",
                     m->page.id.data ? m->page.id.len : 0,
                     "status_indicator", se_indicator_name(ind),
                     "status_description", se_indicator_description(ind));
}


/* fills the texts of msg from template t in each language */
static int
se_msg_render(se_cli_t *cli, se_message_t *msg, const se_template_t *t,
    se_kv_t vars[][SE_MSG_VARS], size_t nvars)
{
    const char  *title, *body, *lang;
    size_t       i;

    for (i = 0; i < SE_LANG_N; i++) {
        lang = i == SE_LANG_EN ? NULL : se_lang_name((se_lang_e) i);

        title = se_template_text(t, "title", lang);
        body = se_template_text(t, "body", lang);

        msg->subject[i] = se_template_fill(title ? title
                                           : se_template_text(t, "title",
                                                              NULL),
                                           vars[i], nvars);
        msg->text[i] = se_template_fill(body ? body
                                        : se_template_text(t, "body", NULL),
                                        vars[i], nvars);

        /* a subject is one line */
        msg->subject[i] = se_strndup(msg->subject[i],
                                     strcspn(msg->subject[i], "\r\n"));

        msg->html[i] = se_msg_html(msg->text[i], msg->link);
        msg->slack[i] = se_msg_slack(msg->subject[i], msg->text[i],
                                     msg->link);

        if (msg->slack[i] == NULL) {
            return se_error(cli, SE_CLI_FAIL, "out of memory");
        }
    }

    return SE_CLI_OK;
}


static void
se_kv(se_kv_t *v, size_t *n, const char *key, const char *val)
{
    v[*n].key = key;
    v[*n].lang = NULL;
    v[*n].val = val ? val : "";
    (*n)++;
}


/* the update the entry posted: the newest not after its time */
static const se_update_t *
se_msg_update(const se_incident_t *rec, int64_t at)
{
    size_t  i;

    for (i = 0; i < rec->nupdates; i++) {
        if (at == SE_TIME_NONE || rec->updates[i].created_at <= at + 1) {
            return &rec->updates[i];
        }
    }

    return rec->nupdates ? &rec->updates[rec->nupdates - 1] : NULL;
}


static const se_incident_t *
se_msg_find(const se_incident_t *recs, size_t n, const char *id)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (recs[i].id.len == strlen(id)
            && memcmp(recs[i].id.data, id, recs[i].id.len) == 0)
        {
            return &recs[i];
        }
    }

    return NULL;
}


static se_message_t *
se_msg_new(se_event_e event, const char *name, const se_model_t *m,
    se_indicator_e ind)
{
    se_message_t  *msg;

    msg = se_alloc(sizeof(se_message_t));
    msg->event = event;
    msg->name = name;
    msg->webhook = se_msg_page(m, ind);

    if (msg->webhook) {
        msg->webhook = json_pack("{s:o}", "page", msg->webhook);
    }

    return msg;
}


/* the fields of a record in every language, into vars */
static size_t
se_msg_record_vars(const se_model_t *m, const se_incident_t *rec,
    const se_update_t *u, const se_tz_t *tz, const char *link,
    se_kv_t vars[][SE_MSG_VARS])
{
    const se_lang_labels_t  *l;
    const char              *window;
    size_t                   i, n;

    n = 0;

    for (i = 0; i < SE_LANG_N; i++) {
        l = se_lang_labels((se_lang_e) i);
        n = 0;

        window = "";
        if (rec->kind == SE_KIND_MAINTENANCE
            && rec->scheduled_for != SE_TIME_NONE
            && rec->scheduled_until != SE_TIME_NONE)
        {
            window = se_sprintf("%s %s %s", se_msg_time(tz, rec->scheduled_for),
                                l->to, se_msg_time(tz, rec->scheduled_until));
        }

        se_kv(vars[i], &n, "name",
              se_msg_str(&rec->name, rec->name_i18n, (se_lang_e) i));
        se_kv(vars[i], &n, "status", l->status[rec->status]);
        se_kv(vars[i], &n, "components",
              se_msg_components(m, rec, (se_lang_e) i));
        se_kv(vars[i], &n, "update",
              u ? se_msg_str(&u->body, u->body_i18n, (se_lang_e) i) : "");
        se_kv(vars[i], &n, "next_update",
              rec->next_update_at != SE_TIME_NONE
              ? se_msg_time(tz, rec->next_update_at) : "");
        se_kv(vars[i], &n, "link", link);
        se_kv(vars[i], &n, "window", window);
        se_kv(vars[i], &n, "id", se_strndup(rec->id.data, rec->id.len));
        se_kv(vars[i], &n, "last_update",
              rec->nupdates ? se_msg_time(tz, rec->updates[0].created_at)
                            : "");
    }

    return n;
}


static se_tz_t *
se_msg_tz(const se_model_t *m)
{
    if (m->page.time_zone.data == NULL) {
        return NULL;
    }

    return se_tz_load(NULL, m->page.time_zone.data, m->page.time_zone.len);
}


int
se_msg_for_entry(se_cli_t *cli, const se_msg_templates_t *t,
    const se_model_t *m, se_indicator_e ind, const char *command,
    const char *id, int64_t at, se_message_t **out)
{
    const se_incident_t   *rec;
    const se_component_t  *c;
    const se_update_t     *u;
    se_comp_status_e       old;
    se_kv_t                vars[SE_LANG_N][SE_MSG_VARS];
    se_message_t          *msg;
    se_tz_t               *tz;
    json_t                *o;
    char                  *name, *sp;
    size_t                 i, n;
    int                    rc;

    *out = NULL;

    for (i = 0; se_msg_commands[i]; i++) {
        if (strcmp(command, se_msg_commands[i]) == 0) {
            break;
        }
    }

    if (se_msg_commands[i] == NULL) {
        return SE_CLI_OK;
    }

    name = se_strdup(command);
    sp = strchr(name, ' ');
    *sp = '.';

    tz = se_msg_tz(m);

    if (strncmp(command, "component ", 10) == 0) {
        c = se_model_component(m, id, strlen(id));
        if (c == NULL) {
            se_tz_free(tz);
            return SE_CLI_OK;
        }

        old = c->nhistory >= 2 ? c->history[c->nhistory - 2].status
                               : SE_COMP_OPERATIONAL;
        if (old == c->status) {
            se_tz_free(tz);
            return SE_CLI_OK;
        }

        msg = se_msg_new(SE_EVENT_COMPONENT, name, m, ind);
        msg->audience = SE_AUDIENCE_PUBLIC;
        msg->link = se_msg_link(m, NULL);
        se_msg_scope(msg, m, NULL, c);

        n = 0;
        for (i = 0; i < SE_LANG_N; i++) {
            n = 0;
            se_kv(vars[i], &n, "component",
                  se_msg_str(&c->name, c->name_i18n, (se_lang_e) i));
            se_kv(vars[i], &n, "status",
                  se_page_labels((se_lang_e) i)->comp[c->status]);
            se_kv(vars[i], &n, "old_status",
                  se_page_labels((se_lang_e) i)->comp[old]);
            se_kv(vars[i], &n, "link", msg->link);
        }

        o = se_render_component_object(m, c);

        if (msg->webhook == NULL || o == NULL
            || json_object_set_new(msg->webhook, "component", o) != 0
            || json_object_set_new(msg->webhook, "component_update",
                   json_pack("{s:s, s:s, s:s, s:s%}",
                       "created_at", se_time_str(at),
                       "old_status", se_comp_status_name(old),
                       "new_status", se_comp_status_name(c->status),
                       "component_id", c->id.data, c->id.len)) != 0)
        {
            se_tz_free(tz);
            se_msg_free(msg);
            return se_error(cli, SE_CLI_FAIL, "out of memory");
        }

        rc = se_msg_render(cli, msg, &t->tpl[SE_EVENT_COMPONENT], vars, n);

    } else {
        rec = strncmp(command, "incident ", 9) == 0
              ? se_msg_find(m->incidents, m->nincidents, id)
              : se_msg_find(m->maintenances, m->nmaintenances, id);

        if (rec == NULL) {
            se_tz_free(tz);
            return SE_CLI_OK;
        }

        msg = se_msg_new(rec->kind == SE_KIND_MAINTENANCE
                         ? SE_EVENT_MAINTENANCE : SE_EVENT_INCIDENT,
                         name, m, ind);
        msg->audience = rec->audience;
        msg->link = se_msg_link(m, rec);
        se_msg_scope(msg, m, rec, NULL);

        u = se_msg_update(rec, at);
        n = se_msg_record_vars(m, rec, u, tz, msg->link, vars);

        o = se_render_record_object(m, rec);

        if (msg->webhook == NULL || o == NULL
            || json_object_set_new(msg->webhook, "incident", o) != 0)
        {
            se_tz_free(tz);
            se_msg_free(msg);
            return se_error(cli, SE_CLI_FAIL, "out of memory");
        }

        rc = se_msg_render(cli, msg, &t->tpl[msg->event], vars, n);
    }

    se_tz_free(tz);

    if (rc != SE_CLI_OK) {
        se_msg_free(msg);
        return rc;
    }

    *out = msg;

    return SE_CLI_OK;
}


int
se_msg_reminder(se_cli_t *cli, const se_msg_templates_t *t,
    const se_model_t *m, se_indicator_e ind, const se_incident_t *rec,
    se_message_t **out)
{
    se_kv_t        vars[SE_LANG_N][SE_MSG_VARS];
    se_message_t  *msg;
    se_tz_t       *tz;
    json_t        *o;
    size_t         n;
    int            rc;

    *out = NULL;

    tz = se_msg_tz(m);

    msg = se_msg_new(SE_EVENT_REMINDER, "incident.reminder", m, ind);
    msg->key = se_sprintf("reminder:%.*s:%lld", (int) rec->id.len,
                          rec->id.data, (long long) rec->next_update_at);
    msg->audience = SE_AUDIENCE_INTERNAL;
    msg->link = se_msg_link(m, rec);
    se_msg_scope(msg, m, rec, NULL);

    n = se_msg_record_vars(m, rec, rec->nupdates ? &rec->updates[0] : NULL,
                           tz, msg->link, vars);
    se_tz_free(tz);

    o = se_render_record_object(m, rec);

    if (msg->webhook == NULL || o == NULL
        || json_object_set_new(msg->webhook, "incident", o) != 0
        || json_object_set_new(msg->webhook, "reminder",
               json_pack("{s:s%, s:s, s:b}",
                   "incident_id", rec->id.data, rec->id.len,
                   "next_update_at", se_time_str(rec->next_update_at),
                   "late", m->now >= rec->next_update_at)) != 0)
    {
        se_msg_free(msg);
        return se_error(cli, SE_CLI_FAIL, "out of memory");
    }

    rc = se_msg_render(cli, msg, &t->tpl[SE_EVENT_REMINDER], vars, n);

    if (rc != SE_CLI_OK) {
        se_msg_free(msg);
        return rc;
    }

    *out = msg;

    return SE_CLI_OK;
}


int
se_msg_confirm(se_cli_t *cli, const se_msg_templates_t *t,
    const se_model_t *m, const char *link, se_message_t **out)
{
    se_kv_t        vars[SE_LANG_N][SE_MSG_VARS];
    se_message_t  *msg;
    size_t         i, n;
    int            rc;

    msg = se_alloc(sizeof(se_message_t));
    msg->event = SE_EVENT_CONFIRM;
    msg->name = "subscriber.confirm";
    msg->key = "confirm";
    msg->audience = SE_AUDIENCE_PUBLIC;
    msg->link = link;

    n = 0;
    for (i = 0; i < SE_LANG_N; i++) {
        n = 0;
        se_kv(vars[i], &n, "page",
              se_msg_str(&m->page.name, m->page.name_i18n, (se_lang_e) i));
        se_kv(vars[i], &n, "link", link);
    }

    rc = se_msg_render(cli, msg, &t->tpl[SE_EVENT_CONFIRM], vars, n);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    *out = msg;

    return SE_CLI_OK;
}


int
se_msg_matches(const se_message_t *msg, const se_subscriber_t *sub)
{
    size_t  i, j;

    if (!sub->active
        || (msg->audience == SE_AUDIENCE_INTERNAL
            && sub->audience != SE_AUDIENCE_INTERNAL))
    {
        return 0;
    }

    if (sub->ncomponents == 0) {
        return 1;
    }

    for (i = 0; i < sub->ncomponents; i++) {
        for (j = 0; j < msg->ncomponents; j++) {
            if (strcmp(sub->components[i], msg->components[j]) == 0) {
                return 1;
            }
        }
    }

    return 0;
}


void
se_msg_free(se_message_t *msg)
{
    if (msg && msg->webhook) {
        json_decref(msg->webhook);
        msg->webhook = NULL;
    }
}


int
se_msg_webhook_headers(const char **h, size_t *nh, const char *key,
    const char *event, const char *secret, const char *body, size_t len)
{
    static const char  hex[] = "0123456789abcdef";
    unsigned char      md[EVP_MAX_MD_SIZE];
    unsigned int       mdlen, i;
    char               sig[2 * EVP_MAX_MD_SIZE + 1];

    h[(*nh)++] = "Content-Type: application/json";
    h[(*nh)++] = se_sprintf("Idempotency-Key: %s", key);
    h[(*nh)++] = se_sprintf("X-Status-Edge-Event: %s", event);

    if (secret == NULL) {
        return SE_OK;
    }

    if (HMAC(EVP_sha256(), secret, (int) strlen(secret),
             (const unsigned char *) body, len, md, &mdlen) == NULL)
    {
        return SE_ERROR;
    }

    for (i = 0; i < mdlen; i++) {
        sig[2 * i] = hex[md[i] >> 4];
        sig[2 * i + 1] = hex[md[i] & 15];
    }

    sig[2 * mdlen] = '\0';
    h[(*nh)++] = se_sprintf("X-Status-Edge-Signature: sha256=%s", sig);

    return SE_OK;
}
