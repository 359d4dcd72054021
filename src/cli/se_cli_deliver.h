/*
 * status-edge, the admin tool: delivery of the notifier's messages with
 * libcurl's multi interface (se_cli_deliver.c): HTTP POSTs for webhooks
 * and Slack, SMTP transactions for email, many at once, each with a
 * timeout; a failed try is tried again after a capped, jittered
 * backoff, up to the configured number of tries.
 */

#ifndef SE_CLI_DELIVER_H
#define SE_CLI_DELIVER_H

#include <stdint.h>

#include <curl/curl.h>

#include "se_cli_subscriber.h"

typedef struct se_delivery_s  se_delivery_t;
typedef struct se_deliver_s   se_deliver_t;

struct se_delivery_s {
    se_channel_e        channel;
    const char         *url;        /* http(s):// or smtp:// */
    const char         *body;       /* HTTP: the JSON body */
    size_t              len;
    const char        **headers;    /* "Name: value", HTTP and email */
    size_t              nheaders;
    const char         *mail_from;  /* email */
    const char         *rcpt;
    const char         *text;       /* email: text/plain part */
    const char         *html;       /* email: text/html part */
    const char         *key;        /* idempotency key */
    const char         *sub;        /* the subscriber id, for logs */

    unsigned            tries;      /* made so far */
    int64_t             due;        /* ms: when the next try may start */
    long                status;     /* HTTP status or SMTP reply code */
    char                error[CURL_ERROR_SIZE];
    int64_t             started;    /* ms: the last try's start */

    void               *data;       /* the caller's */

    CURL               *easy;
    struct curl_slist  *hdrs;
    struct curl_slist  *rcpts;
    curl_mime          *mime;
    se_delivery_t      *next;       /* in the waiting or active list */
};

/* a delivery that is over: delivered (ok), or out of tries */
typedef void (*se_delivery_done_pt)(se_deliver_t *dl, se_delivery_t *d,
    int ok);
/* a try that failed and will be made again */
typedef void (*se_delivery_retry_pt)(se_deliver_t *dl, se_delivery_t *d);

struct se_deliver_s {
    CURLM                *multi;
    se_delivery_t        *waiting;      /* not running, oldest first */
    se_delivery_t        *waiting_tail;
    se_delivery_t        *active;       /* running */
    size_t                nwaiting;
    size_t                running;
    size_t                parallel;
    unsigned              tries;
    int64_t               retry_ms;     /* before the second try */
    int64_t               retry_max_ms; /* the longest wait */
    int64_t               timeout_ms;   /* of one try */
    const char           *smtp_cacert;
    const char           *user_agent;
    se_delivery_done_pt   done;
    se_delivery_retry_pt  retry;
    void                 *data;
};

int64_t se_now_ms(void);

/* SE_OK, or SE_ERROR when libcurl cannot start */
int se_deliver_init(se_deliver_t *dl);
void se_deliver_free(se_deliver_t *dl);

/* queues d (zeroed but for the message fields) for a try now */
void se_deliver_add(se_deliver_t *dl, se_delivery_t *d);

/*
 * Starts the tries that are due (up to parallel at once), moves the
 * transfers on, waits up to wait_ms for one of them, and reports those
 * that ended.  Returns the ms until a waiting try is due (0: now), or
 * -1 when none waits.
 */
int64_t se_deliver_run(se_deliver_t *dl, int64_t wait_ms);

/* deliveries not over yet: waiting or running */
size_t se_deliver_pending(const se_deliver_t *dl);

#endif /* SE_CLI_DELIVER_H */
