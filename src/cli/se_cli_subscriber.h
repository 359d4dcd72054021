/*
 * status-edge, the admin tool: subscribers as the notifier reads them
 * (se_cli_subscriber.c).
 */

#ifndef SE_CLI_SUBSCRIBER_H
#define SE_CLI_SUBSCRIBER_H

#include "se_cli.h"
#include "se_lang.h"

typedef enum {
    SE_CHANNEL_WEBHOOK = 0,
    SE_CHANNEL_SLACK,
    SE_CHANNEL_EMAIL,
    SE_CHANNEL_N
} se_channel_e;

typedef struct {
    const char     *id;
    se_channel_e    channel;
    const char     *target;         /* URL, or address */
    const char     *secret;         /* webhooks; may be NULL */
    const char    **components;     /* none: every component */
    size_t          ncomponents;
    const char     *components_list;
    se_audience_e   audience;
    se_lang_e       lang;
    const char     *state;          /* "active", "pending" */
    const char     *created_at;
    unsigned        active:1;
} se_subscriber_t;

const char *se_channel_name(se_channel_e ch);

/* name@example.com: SE_OK or SE_ERROR */
int se_check_email(const char *s);

/* every subscriber, oldest first (arena memory); bad: broken records */
int se_subscribers_read(se_cli_t *cli, se_subscriber_t **out, size_t *n,
    size_t *bad);

#endif /* SE_CLI_SUBSCRIBER_H */
