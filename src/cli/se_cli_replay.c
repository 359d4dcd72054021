/*
 * status-edge, the admin tool: "notify --replay".  Each webhook and
 * Slack dead letter of Pnotify:dead is posted again, oldest first, with
 * its body and idempotency key, to the subscriber's URL of now, a
 * webhook signed with the subscriber's secret of now; an email's whole
 * message is sent again through --smtp; with the notifier's tries,
 * backoff and timeout.  Delivered, it leaves the stream; failed again, it
 * stays as it was.  The dead letters of a subscriber removed since leave
 * the stream unsent: nobody wants them any more.  An entry that is not
 * one of the notifier's stays.
 */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "se_cli_replay.h"
#include "se_cli_notify_msg.h"
#include "se_cli_subscriber.h"

#define SE_REPLAY_MAX  "10000"          /* the stream's MAXLEN, about */

typedef struct {
    se_cli_t           *cli;
    const char         *smtp;
    const char         *stream;
    size_t              queued;
    size_t              delivered;
    size_t              failed;
    size_t              kept;           /* emails, and entries not ours */
    size_t              dropped;
    int                 rc;
} se_replay_t;


static void
se_replay_log(const char *fmt, const char *id, const char *what)
{
    fprintf(stderr, "status-edge: notify: dead letter %s: ", id);
    fprintf(stderr, fmt, what);
    fputc('\n', stderr);
}


static int
se_replay_forget(se_replay_t *rp, const char *id)
{
    redisReply  *r;

    r = se_redis_cmd(rp->cli, "XDEL %s %s", rp->stream, id);
    if (r == NULL) {
        return SE_CLI_FAIL;
    }

    freeReplyObject(r);

    return SE_CLI_OK;
}


static void
se_replay_done(se_deliver_t *dl, se_delivery_t *d, int ok)
{
    se_replay_t  *rp;

    rp = dl->data;

    if (!ok) {
        rp->failed++;
        se_replay_log("failed again (%s), kept", (const char *) d->data,
                      d->error);
        return;
    }

    rp->delivered++;

    if (rp->rc == SE_CLI_OK && se_replay_forget(rp, d->data) != SE_CLI_OK) {
        rp->rc = SE_CLI_FAIL;
    }
}


static void
se_replay_retry(se_deliver_t *dl, se_delivery_t *d)
{
}


/* the event a webhook's body says: "status_edge": {"event": ...} */
static const char *
se_replay_event(const char *body)
{
    json_t      *o;
    const char  *e, *s;

    o = json_loads(body, 0, NULL);
    e = json_string_value(json_object_get(json_object_get(o, "status_edge"),
                                          "event"));
    s = e ? se_strdup(e) : NULL;
    json_decref(o);

    return s;
}


/* one dead letter (the stream's entry e): queued, kept or dropped */
static void
se_replay_entry(se_replay_t *rp, se_deliver_t *dl, const redisReply *e,
    const se_subscriber_t *subs, size_t nsubs)
{
    char                   *p;
    const char             *id, *channel, *sub, *key, *body, *event;
    const char             *headers, *html, *mail_from, *rcpt;
    const char            **h;
    size_t                  i, n;
    se_delivery_t          *d;
    const redisReply       *f;
    const se_subscriber_t  *s;

    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2
        || e->element[0]->type != REDIS_REPLY_STRING)
    {
        return;
    }

    id = e->element[0]->str;
    f = e->element[1];
    channel = se_reply_field(f, "channel");
    sub = se_reply_field(f, "subscriber");
    key = se_reply_field(f, "key");
    body = se_reply_field(f, "body");

    headers = se_reply_field(f, "headers");
    html = se_reply_field(f, "html");
    mail_from = se_reply_field(f, "mail_from");
    rcpt = se_reply_field(f, "target");

    if (channel == NULL || sub == NULL || key == NULL || body == NULL
        || (strcmp(channel, "webhook") != 0 && strcmp(channel, "slack") != 0
            && (strcmp(channel, "email") != 0 || headers == NULL
                || html == NULL || mail_from == NULL || rcpt == NULL)))
    {
        rp->kept++;
        se_replay_log("%s", id, "not a dead letter of status-edge's, kept");
        return;
    }

    s = NULL;

    for (i = 0; i < nsubs; i++) {
        if (strcmp(subs[i].id, sub) == 0) {
            s = &subs[i];
            break;
        }
    }

    if (s && !s->active) {
        rp->kept++;
        se_replay_log("subscriber %s not active, kept", id, se_q(sub));
        return;
    }

    if (s == NULL) {
        rp->dropped++;
        se_replay_log("subscriber %s removed since, dropped", id,
                      se_q(sub));

        if (rp->rc == SE_CLI_OK && se_replay_forget(rp, id) != SE_CLI_OK) {
            rp->rc = SE_CLI_FAIL;
        }

        return;
    }

    /* the message is the dead letter's channel's: not sent elsewhere */

    if (strcmp(channel, se_channel_name(s->channel)) != 0) {
        rp->kept++;
        se_replay_log("subscriber %s is not of that channel, kept", id,
                      se_q(sub));
        return;
    }

    d = se_alloc(sizeof(se_delivery_t));
    memset(d, 0, sizeof(se_delivery_t));

    d->channel = s->channel;
    d->key = key;
    d->sub = s->id;
    d->data = (void *) id;

    if (s->channel == SE_CHANNEL_EMAIL) {

        /* the message as it was: its header lines, one a line */

        n = 1;

        for (i = 0; headers[i]; i++) {
            n += headers[i] == '\n';
        }

        h = se_alloc(n * sizeof(char *));
        p = se_strdup(headers);

        for (i = 0; i < n; i++) {
            h[i] = p;
            p = strchr(p, '\n');

            if (p) {
                *p++ = '\0';
            }
        }

        d->url = rp->smtp;
        d->mail_from = mail_from;
        d->rcpt = rcpt;
        d->text = body;
        d->html = html;
        d->headers = h;
        d->nheaders = n;

        rp->queued++;
        se_deliver_add(dl, d);
        return;
    }

    h = se_alloc(4 * sizeof(char *));

    d->url = s->target;
    d->body = body;
    d->len = strlen(body);
    d->headers = h;

    if (s->channel == SE_CHANNEL_SLACK) {
        h[d->nheaders++] = "Content-Type: application/json";

    } else {
        event = se_replay_event(body);

        if (event == NULL
            || se_msg_webhook_headers(h, &d->nheaders, key, event,
                                      s->secret, body, d->len)
               != SE_OK)
        {
            rp->kept++;
            se_replay_log("%s", id, "a webhook's body without its event, "
                          "kept");
            return;
        }
    }

    rp->queued++;
    se_deliver_add(dl, d);
}


int
se_notify_replay(se_cli_t *cli, se_deliver_t *dl, const char *smtp)
{
    size_t            i, nsubs, bad;
    int64_t           due;
    se_replay_t       rp;
    redisReply       *r;
    se_subscriber_t  *subs;
    int               rc;

    memset(&rp, 0, sizeof(se_replay_t));
    rp.cli = cli;
    rp.smtp = smtp;
    rp.stream = se_key(cli, "notify:dead");
    rp.rc = SE_CLI_OK;

    dl->data = &rp;
    dl->done = se_replay_done;
    dl->retry = se_replay_retry;

    rc = se_subscribers_read(cli, &subs, &nsubs, &bad);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    r = se_redis_cmd(cli, "XRANGE %s - + COUNT " SE_REPLAY_MAX, rp.stream);
    if (r == NULL) {
        return SE_CLI_FAIL;
    }

    if (r->type != REDIS_REPLY_ARRAY) {
        return se_redis_fail(cli, r, "reading the dead letters");
    }

    /* the replies' strings are the deliveries' until the end */

    for (i = 0; i < r->elements && rp.rc == SE_CLI_OK; i++) {
        se_replay_entry(&rp, dl, r->element[i], subs, nsubs);
    }

    while (se_deliver_pending(dl)) {
        due = se_deliver_run(dl, 100);

        if (dl->running == 0 && due > 0) {
            usleep((useconds_t) (due < 100 ? due : 100) * 1000);
        }
    }

    freeReplyObject(r);

    if (rp.rc != SE_CLI_OK) {
        return rp.rc;
    }

    printf("%zu dead letters sent again: %zu delivered (dropped from %s), "
           "%zu failed again; %zu kept (not status-edge's), %zu of "
           "removed subscribers dropped\n", rp.queued, rp.delivered,
           rp.stream, rp.failed, rp.kept, rp.dropped);

    if (rp.failed) {
        return se_error(cli, SE_CLI_FAIL, "%zu dead letters failed again",
                        rp.failed);
    }

    return SE_CLI_OK;
}
