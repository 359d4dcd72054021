/*
 * status-edge, the admin tool: the notifier's messages
 * (se_cli_notify_msg.c).  A change is rendered once per language, with
 * the notify-* templates, into the subject and text every channel sends;
 * the email's HTML, the Slack message and the webhook's Statuspage
 * objects come from the same rendering.
 */

#ifndef SE_CLI_NOTIFY_MSG_H
#define SE_CLI_NOTIFY_MSG_H

#include <jansson.h>

#include "se_cli_subscriber.h"
#include "se_tz.h"

typedef enum {
    SE_EVENT_INCIDENT = 0,
    SE_EVENT_MAINTENANCE,
    SE_EVENT_COMPONENT,
    SE_EVENT_REMINDER,
    SE_EVENT_CONFIRM,
    SE_EVENT_N
} se_event_e;

typedef struct {
    se_template_t   tpl[SE_EVENT_N];
} se_msg_templates_t;

typedef struct {
    se_event_e      event;
    const char     *name;           /* "incident.update", for receivers */
    const char     *key;            /* a reminder's: of its promise */
    se_audience_e   audience;
    const char    **components;     /* what it is about, and their groups */
    size_t          ncomponents;
    const char     *link;           /* the status page, or "" */
    const char     *subject[SE_LANG_N];
    const char     *text[SE_LANG_N];
    const char     *html[SE_LANG_N];    /* the body, escaped */
    const char     *slack[SE_LANG_N];   /* the whole JSON payload */
    json_t         *webhook;        /* "page" and "incident" or "component" */
} se_message_t;

/* loads notify-incident ... notify-reminder and checks them */
int se_msg_templates_load(se_cli_t *cli, se_msg_templates_t *t);

/*
 * The message of an audit entry (its command, "incident open", and the
 * record's id), rendered from the model m read after it; at: the
 * entry's time, which picks the update it posted.  SE_CLI_OK with
 * *msg NULL when the command tells nobody anything (a cancel, an
 * import) or the record is gone.
 */
int se_msg_for_entry(se_cli_t *cli, const se_msg_templates_t *t,
    const se_model_t *m, se_indicator_e ind, const char *command,
    const char *id, int64_t at, se_message_t **msg);

/* the reminder of an incident's promised update, for the team */
int se_msg_reminder(se_cli_t *cli, const se_msg_templates_t *t,
    const se_model_t *m, se_indicator_e ind, const se_incident_t *rec,
    se_message_t **msg);

/* the confirmation of a new subscriber: link is its confirm URL */
int se_msg_confirm(se_cli_t *cli, const se_msg_templates_t *t,
    const se_model_t *m, const char *link, se_message_t **msg);

/* whether sub is to hear of msg: audience, state and components */
int se_msg_matches(const se_message_t *msg, const se_subscriber_t *sub);

void se_msg_free(se_message_t *msg);

/*
 * Adds to h[*nh] (room for 4) the headers of a webhook's POST of body:
 * its type, the idempotency key, the event, and with the subscriber's
 * secret the signature, "sha256=" and the hex of HMAC-SHA256(secret,
 * body).  SE_ERROR: out of memory.
 */
int se_msg_webhook_headers(const char **h, size_t *nh, const char *key,
    const char *event, const char *secret, const char *body, size_t len);

/* "2026-12-07 14:30 KST" in zone tz (NULL: UTC), arena memory */
char *se_msg_time(const se_tz_t *tz, int64_t t);

#endif /* SE_CLI_NOTIFY_MSG_H */
