/*
 * notify: the delivery process.  It reads the audit stream Paudit
 * through the consumer group "status-edge-notify" and delivers each
 * change that tells something to the subscribers it concerns
 * (docs/notifications.md).
 *
 * At least once: an entry is acknowledged (XACK) only when each of its
 * deliveries is over, delivered or dead-lettered; a notifier that dies
 * before leaves it pending, and the next one with the same --consumer
 * name starts with its pending entries, or another notifier claims it
 * (XAUTOCLAIM) once it has been idle --claim-after.  The subscribers an
 * entry is over for are kept in Pnotify:sent:ENTRY until the XACK, so a
 * restart sends again only the deliveries that were not over; those
 * carry the same idempotency key.
 *
 * Each round of the loop: flush what Redis must learn (sent sets, dead
 * letters, acknowledgements, metrics), claim, remind, read new entries,
 * then move the deliveries on.  Memory: a round's reads live in the
 * round's arena, an entry's message and deliveries in the entry's.
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "se_cli.h"
#include "se_cli_deliver.h"
#include "se_cli_notify_msg.h"
#include "se_cli_replay.h"
#include "se_snapshot.h"
#include "se_token.h"

#define SE_NOTIFY_GROUP      "status-edge-notify"
#define SE_NOTIFY_COUNT      "64"       /* entries per read */
#define SE_NOTIFY_MAX_JOBS   256        /* entries in memory at most */
#define SE_NOTIFY_BLOCK_MS   1000       /* longest wait for new entries */
#define SE_NOTIFY_REMIND_MS  10000      /* between checks of promises */
#define SE_NOTIFY_SENT_TTL   "604800"   /* seconds a sent set is kept */
#define SE_NOTIFY_REMINDED_TTL  "2592000"
#define SE_NOTIFY_DEAD_MAX   "10000"    /* dead letters kept, about */
#define SE_NOTIFY_SECRET_MAX 4096
#define SE_NOTIFY_CONFIRM_TTL  86400    /* seconds a confirm link works */

enum {
    SE_M_QUEUED = 0,
    SE_M_DELIVERED,
    SE_M_RETRIED,
    SE_M_DEAD,
    SE_M_N
};

static const char *const  se_metric_names[SE_M_N] = {
    "queued", "delivered", "retried", "dead_lettered"
};

/* the streams read: the changes, and the subscriptions to confirm */
enum {
    SE_STREAM_AUDIT = 0,
    SE_STREAM_CONFIRM,
    SE_STREAM_N
};

typedef struct se_job_s  se_job_t;

/* one entry (or reminder) and its deliveries */
struct se_job_s {
    se_arena_t          arena;
    const char         *entry;          /* stream id; NULL: a reminder */
    int                 stream;         /* SE_STREAM_AUDIT or _CONFIRM */
    se_message_t       *msg;
    size_t              left;           /* deliveries not over */
    const char        **sent;           /* over, not yet in the sent set */
    size_t              nsent;
    const char       ***dead;           /* dead letters not yet written */
    size_t              ndead;
    size_t              size;
    unsigned            ready:1;        /* every delivery queued */
    se_job_t           *next;
};

typedef struct {
    se_cli_t           *cli;
    se_deliver_t        dl;
    se_msg_templates_t  tpl;
    const char         *streams[SE_STREAM_N];
    size_t              nstreams;       /* confirm: with --secret-file */
    const char         *consumer;
    const char         *smtp;
    const char         *mail_from;
    unsigned char      *secret;
    size_t              secret_len;
    int64_t             claim_after_ms;
    int64_t             remind_before;  /* seconds */
    unsigned            once:1;
    unsigned            verbose:1;

    se_job_t           *jobs;
    size_t              njobs;

    /* the round's reads, in the round's arena */
    se_state_t         *st;
    se_subscriber_t    *subs;
    size_t              nsubs;
    unsigned            have_subs:1;

    /* reading this consumer's pending entries first, from pending_id */
    unsigned            pending:1;
    char               *pending_id[SE_STREAM_N];

    int64_t             next_claim;
    int64_t             next_refresh;
    int64_t             next_remind;
    unsigned            reminded_once:1;

    uint64_t            counts[SE_CHANNEL_N][SE_M_N];
    uint64_t            flushed[SE_CHANNEL_N][SE_M_N];
} se_notify_t;


static volatile sig_atomic_t  se_notify_stop;


static void
se_notify_signal(int sig)
{
    se_notify_stop = 1;
}


static void
se_log(se_notify_t *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
se_log(se_notify_t *n, const char *fmt, ...)
{
    va_list  ap;

    fputs("status-edge: notify: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}


/* "250ms", or a duration (se_parse_duration), into milliseconds */
static int
se_notify_ms(se_cli_t *cli, se_opt_e o, const char *name, int64_t dflt,
    int64_t max_s, int64_t *out)
{
    const char  *s;
    char        *end;
    long long    v;
    int64_t      secs;

    s = se_arg(cli, o);
    if (s == NULL) {
        *out = dflt;
        return SE_CLI_OK;
    }

    errno = 0;
    v = strtoll(s, &end, 10);

    if (end != s && strcmp(end, "ms") == 0 && errno == 0 && v > 0
        && v <= max_s * 1000)
    {
        *out = v;
        return SE_CLI_OK;
    }

    if (se_parse_duration(s, max_s, &secs) != SE_OK) {
        return se_error(cli, SE_CLI_USAGE, "bad --%s %s (like 250ms, 5s, "
                        "2m; at most %llds)", name, se_q(s),
                        (long long) max_s);
    }

    *out = secs * 1000;

    return SE_CLI_OK;
}


static int
se_notify_count(se_cli_t *cli, se_opt_e o, const char *name, long dflt,
    long max, size_t *out)
{
    const char  *s;
    char        *end;
    long         v;

    s = se_arg(cli, o);
    if (s == NULL) {
        *out = (size_t) dflt;
        return SE_CLI_OK;
    }

    errno = 0;
    v = strtol(s, &end, 10);

    if (*s < '0' || *s > '9' || *end != '\0' || errno || v < 1 || v > max) {
        return se_error(cli, SE_CLI_USAGE, "bad --%s %s (a number from 1 "
                        "to %ld)", name, se_q(s), max);
    }

    *out = (size_t) v;

    return SE_CLI_OK;
}


static int
se_notify_secret(se_notify_t *n, const char *file)
{
    size_t  len;
    char   *s;
    int     rc;

    s = se_read_file(n->cli, file, &len, &rc);
    if (s == NULL) {
        return rc;
    }

    while (len && (s[len - 1] == '\n' || s[len - 1] == '\r')) {
        len--;
    }

    if (len < 16 || len > SE_NOTIFY_SECRET_MAX) {
        return se_error(n->cli, SE_CLI_USAGE, "the secret in %s is too %s "
                        "(16 to %d bytes; make one with: openssl rand -hex "
                        "32)", se_q(file), len < 16 ? "short" : "long",
                        SE_NOTIFY_SECRET_MAX);
    }

    n->secret = (unsigned char *) s;
    n->secret_len = len;

    return SE_CLI_OK;
}


static int
se_notify_options(se_notify_t *n)
{
    se_cli_t    *cli;
    const char  *s;
    char         host[256];
    size_t       tries, parallel;
    int64_t      timeout, remind;
    int          rc;

    cli = n->cli;

    n->once = se_arg(cli, SE_O_ONCE) != NULL;
    n->verbose = se_arg(cli, SE_O_VERBOSE) != NULL;

    if (gethostname(host, sizeof(host)) != 0) {
        strcpy(host, "localhost");
    }

    host[sizeof(host) - 1] = '\0';

    n->consumer = se_arg(cli, SE_O_CONSUMER) ? se_arg(cli, SE_O_CONSUMER)
                                             : se_strdup(host);

    if (se_valid_text(n->consumer, strlen(n->consumer), SE_MAX_NAME, 0)
        != SE_OK || *n->consumer == '\0')
    {
        return se_error(cli, SE_CLI_USAGE, "bad --consumer %s",
                        se_q(n->consumer));
    }

    n->smtp = se_arg(cli, SE_O_SMTP) ? se_arg(cli, SE_O_SMTP)
                                     : "smtp://localhost:25";

    if (strncmp(n->smtp, "smtp://", 7) != 0
        && strncmp(n->smtp, "smtps://", 8) != 0)
    {
        return se_error(cli, SE_CLI_USAGE, "bad --smtp %s (smtp://HOST:PORT "
                        "or smtps://HOST:PORT)", se_q(n->smtp));
    }

    n->mail_from = se_arg(cli, SE_O_MAIL_FROM)
                   ? se_arg(cli, SE_O_MAIL_FROM)
                   : se_sprintf("status-edge@%s", host);

    if (se_check_email(n->mail_from) != SE_OK) {
        return se_error(cli, SE_CLI_USAGE, "bad --mail-from %s (an address "
                        "like status@example.com)", se_q(n->mail_from));
    }

    s = se_arg(cli, SE_O_SECRET_FILE);
    if (s) {
        rc = se_notify_secret(n, s);
        if (rc != SE_CLI_OK) {
            return rc;
        }
    }

    rc = se_notify_count(cli, SE_O_TRIES, "tries", 8, 100, &tries);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    rc = se_notify_count(cli, SE_O_PARALLEL, "parallel", 32, 1024,
                         &parallel);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    n->dl.tries = (unsigned) tries;
    n->dl.parallel = parallel;

    if ((rc = se_notify_ms(cli, SE_O_RETRY, "retry", 2000, 3600,
                           &n->dl.retry_ms)) != SE_CLI_OK
        || (rc = se_notify_ms(cli, SE_O_RETRY_MAX, "retry-max", 600000,
                              86400, &n->dl.retry_max_ms)) != SE_CLI_OK
        || (rc = se_notify_ms(cli, SE_O_TIMEOUT, "timeout", 10000, 300,
                              &timeout)) != SE_CLI_OK
        || (rc = se_notify_ms(cli, SE_O_CLAIM_AFTER, "claim-after", 60000,
                              86400, &n->claim_after_ms)) != SE_CLI_OK
        || (rc = se_notify_ms(cli, SE_O_REMIND_BEFORE, "remind-before",
                              300000, 86400, &remind)) != SE_CLI_OK)
    {
        return rc;
    }

    if (n->dl.retry_max_ms < n->dl.retry_ms) {
        n->dl.retry_max_ms = n->dl.retry_ms;
    }

    n->dl.timeout_ms = timeout;
    n->remind_before = remind / 1000;
    n->dl.smtp_cacert = se_arg(cli, SE_O_SMTP_CACERT);
    n->dl.user_agent = "status-edge-notify/1";

    return SE_CLI_OK;
}


/* the Redis reply of a command given as argv; NULL: failed (said) */
static redisReply *
se_notify_cmd(se_notify_t *n, const char *doing, size_t argc,
    const char **argv)
{
    redisReply  *r;

    r = se_conn_argv(n->cli->conn, (int) argc, argv, NULL);

    if (r == NULL || r->type == REDIS_REPLY_ERROR) {
        se_redis_fail(n->cli, r, doing);
        return NULL;
    }

    return r;
}


/* the consumer groups: of the changes from now on, of every request */
static int
se_notify_group(se_notify_t *n)
{
    const char  *argv[6];
    redisReply  *r;
    size_t       i;

    for (i = 0; i < n->nstreams; i++) {
        argv[0] = "XGROUP";
        argv[1] = "CREATE";
        argv[2] = n->streams[i];
        argv[3] = SE_NOTIFY_GROUP;
        argv[4] = i == SE_STREAM_AUDIT ? "$" : "0";
        argv[5] = "MKSTREAM";

        r = se_conn_argv(n->cli->conn, 6, argv, NULL);

        if (r && r->type == REDIS_REPLY_ERROR
            && strncmp(r->str, "BUSYGROUP", 9) == 0)
        {
            freeReplyObject(r);
            continue;
        }

        if (r == NULL || r->type == REDIS_REPLY_ERROR) {
            return se_redis_fail(n->cli, r, "creating the consumer group");
        }

        freeReplyObject(r);

        if (i == SE_STREAM_AUDIT) {
            se_log(n, "created the consumer group " SE_NOTIFY_GROUP " of "
                   "%s: it starts with the changes made from now on",
                   n->streams[i]);
        }
    }

    return SE_CLI_OK;
}


/* job memory */

static void *
se_job_grow(se_job_t *job)
{
    se_arena_t  *prev;
    size_t       size;
    void        *p;

    size = job->size ? job->size * 2 : 16;
    prev = se_arena_use(&job->arena);

    p = se_alloc(size * sizeof(char *));
    if (job->nsent) {
        memcpy(p, job->sent, job->nsent * sizeof(char *));
    }

    job->sent = p;

    p = se_alloc(size * sizeof(char **));
    if (job->ndead) {
        memcpy(p, job->dead, job->ndead * sizeof(char **));
    }

    job->dead = p;

    se_arena_use(prev);
    job->size = size;

    return p;
}


static void
se_job_free(se_notify_t *n, se_job_t *job)
{
    se_job_t  **pj;

    for (pj = &n->jobs; *pj; pj = &(*pj)->next) {
        if (*pj == job) {
            *pj = job->next;
            n->njobs--;
            break;
        }
    }

    se_msg_free(job->msg);
    se_arena_release(&job->arena);
    free(job);
}


static void
se_count(se_notify_t *n, se_channel_e ch, int m)
{
    n->counts[ch][m]++;
}


/* a delivery is over: note it for the sent set, or as a dead letter */
static void
se_notify_done(se_deliver_t *dl, se_delivery_t *d, int ok)
{
    se_notify_t  *n;
    se_job_t     *job;
    se_arena_t   *prev;
    char         *headers;
    size_t        i;
    const char  **dead;

    n = dl->data;
    job = d->data;

    if (job->nsent == job->size || job->ndead == job->size) {
        se_job_grow(job);
    }

    job->sent[job->nsent++] = d->sub;
    job->left--;

    if (ok) {
        se_count(n, d->channel, SE_M_DELIVERED);

        if (n->verbose) {
            se_log(n, "delivered %s to %s (%s) in %u %s", job->msg->name,
                   d->sub, se_channel_name(d->channel), d->tries,
                   d->tries == 1 ? "try" : "tries");
        }

        return;
    }

    se_count(n, d->channel, SE_M_DEAD);
    se_log(n, "gave up on %s to %s (%s) after %u tries: %s; it is in the "
           "dead-letter stream", job->msg->name, d->sub,
           se_channel_name(d->channel), d->tries, d->error);

    prev = se_arena_use(&job->arena);

    /* field, value, ...: an email's whole message, to send it again */
    dead = se_alloc(23 * sizeof(char *));
    dead[0] = "entry";
    dead[1] = job->entry ? job->entry : "";
    dead[2] = "subscriber";
    dead[3] = d->sub;
    dead[4] = "channel";
    dead[5] = se_channel_name(d->channel);
    dead[6] = "target";
    dead[7] = d->channel == SE_CHANNEL_EMAIL ? d->rcpt : d->url;
    dead[8] = "key";
    dead[9] = d->key;
    dead[10] = "tries";
    dead[11] = se_sprintf("%u", d->tries);
    dead[12] = "error";
    dead[13] = se_strdup(d->error);
    dead[14] = "body";
    dead[15] = d->channel == SE_CHANNEL_EMAIL ? d->text : d->body;
    dead[16] = NULL;

    if (d->channel == SE_CHANNEL_EMAIL) {
        headers = "";

        for (i = 0; i < d->nheaders; i++) {
            headers = se_sprintf("%s%s%s", headers, i ? "\n" : "",
                                 d->headers[i]);
        }

        dead[16] = "mail_from";
        dead[17] = d->mail_from;
        dead[18] = "headers";
        dead[19] = headers;
        dead[20] = "html";
        dead[21] = d->html;
        dead[22] = NULL;
    }

    se_arena_use(prev);

    job->dead[job->ndead++] = dead;
}


static void
se_notify_retry(se_deliver_t *dl, se_delivery_t *d)
{
    se_notify_t  *n;

    n = dl->data;
    se_count(n, d->channel, SE_M_RETRIED);

    if (n->verbose) {
        se_log(n, "try %u of %s to %s (%s) failed: %s", d->tries,
               ((se_job_t *) d->data)->msg->name, d->sub,
               se_channel_name(d->channel), d->error);
    }
}


/* message composition, per subscriber, in the job's arena */

/* a header value as RFC 2047 encoded words when it is not ASCII */
static char *
se_mime_word(const char *s)
{
    const unsigned char  *p;
    unsigned char         b64[64];
    char                 *out;
    size_t                len, k, n;

    for (p = (const unsigned char *) s; *p; p++) {
        if (*p < 0x20 || *p > 0x7e) {
            break;
        }
    }

    if (*p == '\0') {
        return se_strdup(s);
    }

    out = "";
    len = strlen(s);

    /* words of at most 45 bytes, never cutting a UTF-8 sequence */
    for (k = 0; k < len; k += n) {
        n = len - k > 45 ? 45 : len - k;

        while (n < len - k && ((unsigned char) s[k + n] & 0xc0) == 0x80) {
            n--;
        }

        EVP_EncodeBlock(b64, (const unsigned char *) s + k, (int) n);
        out = se_sprintf("%s%s=?UTF-8?B?%s?=", out, k ? " " : "", b64);
    }

    return out;
}


static const char *
se_notify_base(const se_model_t *m)
{
    const se_str_t  *b;

    b = m->page.status_url.data ? &m->page.status_url : &m->page.url;

    if (b->data == NULL) {
        return NULL;
    }

    return se_sprintf("%.*s%s", (int) b->len, b->data,
                      b->data[b->len - 1] == '/' ? "" : "/");
}


/* the one-click unsubscribe link of a subscriber, or NULL */
static const char *
se_unsubscribe_url(se_notify_t *n, const char *base, const char *sub)
{
    char  tok[SE_TOKEN_MAX + 1];

    if (n->secret == NULL || base == NULL
        || se_token_make(SE_TOKEN_UNSUBSCRIBE, sub, strlen(sub), 0,
                         n->secret, n->secret_len, tok) == 0)
    {
        return NULL;
    }

    return se_sprintf("%sunsubscribe?token=%s", base, tok);
}


static const char *const  se_unsubscribe_label[SE_LANG_N] = {
    "Unsubscribe: ",
    "\xec\x88\x98\xec\x8b\xa0 \xea\xb1\xb0\xeb\xb6\x80: "   /* 수신 거부 */
};


/* deliveries half queued cannot be taken back: out of memory ends it */
static void
se_notify_oom(se_notify_t *n)
{
    se_error(n->cli, SE_CLI_FAIL, "out of memory");
    exit(SE_CLI_FAIL);
}


static void
se_notify_compose(se_notify_t *n, se_job_t *job, const se_model_t *m,
    const se_subscriber_t *sub, const char *base, se_delivery_t *d)
{
    const se_message_t  *msg;
    const char         **h, *unsub, *key;
    se_lang_e            lang;
    json_t              *o, *v;
    const char          *k;
    char                 date[64], *s, *k2;
    struct tm            tm;
    time_t               now;
    size_t               nh;

    msg = job->msg;
    lang = sub->lang;

    key = job->entry ? se_sprintf("%s:%s", job->entry, sub->id)
                     : se_sprintf("%s:%s", msg->key, sub->id);

    d->channel = sub->channel;
    d->key = key;
    d->sub = se_strdup(sub->id);
    d->data = job;

    unsub = msg->event == SE_EVENT_CONFIRM
            ? NULL : se_unsubscribe_url(n, base, sub->id);

    h = se_alloc(12 * sizeof(char *));
    nh = 0;

    switch (sub->channel) {

    case SE_CHANNEL_WEBHOOK:
        o = json_object();
        json_object_set_new(o, "meta", json_pack("{s:s?, s:s}",
                            "unsubscribe", unsub,
                            "generated_at", se_time_str(n->cli->now)));

        json_object_foreach(msg->webhook, k, v) {
            json_object_set(o, k, v);
        }

        json_object_set_new(o, "status_edge", json_pack(
            "{s:s, s:s, s:s, s:s, s:s}", "event", msg->name,
            "idempotency_key", key, "language", se_lang_name(lang),
            "subject", msg->subject[lang], "text", msg->text[lang]));

        s = json_dumps(o, JSON_COMPACT);
        json_decref(o);

        if (s == NULL) {
            se_notify_oom(n);
        }

        d->body = se_strdup(s);
        d->len = strlen(s);
        free(s);

        if (se_msg_webhook_headers(h, &nh, key, msg->name, sub->secret,
                                   d->body, d->len)
            != SE_OK)
        {
            se_notify_oom(n);
        }

        d->url = se_strdup(sub->target);
        break;

    case SE_CHANNEL_SLACK:
        d->body = msg->slack[lang];
        d->len = strlen(d->body);
        h[nh++] = "Content-Type: application/json";
        d->url = se_strdup(sub->target);
        break;

    default:
        now = (time_t) n->cli->now;
        gmtime_r(&now, &tm);
        strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);

        d->url = n->smtp;
        d->mail_from = se_sprintf("<%s>", n->mail_from);
        d->rcpt = se_sprintf("<%s>", sub->target);

        h[nh++] = se_sprintf("From: %s <%s>",
                             m->page.name.data
                             ? se_mime_word(se_strndup(m->page.name.data,
                                                       m->page.name.len))
                             : "status-edge", n->mail_from);
        h[nh++] = se_sprintf("To: <%s>", sub->target);
        h[nh++] = se_sprintf("Subject: %s", se_mime_word(msg->subject[lang]));
        h[nh++] = se_sprintf("Date: %s", date);
        /* a dot-atom: the key's ':' is not allowed there */
        s = se_strdup(key);
        for (k2 = s; *k2; k2++) {
            *k2 = *k2 == ':' ? '.' : *k2;
        }

        h[nh++] = se_sprintf("Message-ID: <%s@status-edge>", s);
        h[nh++] = "Auto-Submitted: auto-generated";
        h[nh++] = se_sprintf("Content-Language: %s", se_lang_name(lang));

        if (unsub) {
            h[nh++] = se_sprintf("List-Unsubscribe: <%s>", unsub);
            h[nh++] = "List-Unsubscribe-Post: List-Unsubscribe=One-Click";
        }

        d->text = unsub ? se_sprintf("%s\n\n-- \n%s%s\n", msg->text[lang],
                                     se_unsubscribe_label[lang], unsub)
                        : se_sprintf("%s\n", msg->text[lang]);

        d->html = se_sprintf("<!DOCTYPE html>\n<html lang=\"%s\"><head>"
                             "<meta charset=\"utf-8\"></head><body>\n"
                             "%s%s%s%s</body></html>\n", se_lang_name(lang),
                             msg->html[lang],
                             unsub ? "<hr>\n<p>" : "",
                             unsub ? se_unsubscribe_label[lang] : "", "");

        if (unsub) {
            d->html = se_sprintf("%.*s<a href=\"%s\">%s</a></p>\n"
                                 "</body></html>\n",
                                 (int) (strlen(d->html)
                                        - sizeof("</body></html>\n") + 1),
                                 d->html, unsub, unsub);
        }

        break;
    }

    d->headers = h;
    d->nheaders = nh;
}


/* Redis reads of the round */

static int
se_notify_state(se_notify_t *n, const se_model_t **m)
{
    int  rc;

    if (n->st == NULL) {
        rc = se_redis_state(n->cli, SE_SNAPSHOT_MAX_HISTORY,
                            SE_SNAPSHOT_MAX_UPDATES, &n->st);
        if (rc != SE_CLI_OK) {
            n->st = NULL;
            return rc;
        }
    }

    *m = se_state_model(n->st);

    return SE_CLI_OK;
}


static int
se_notify_subscribers(se_notify_t *n)
{
    size_t  bad;
    int     rc;

    if (n->have_subs) {
        return SE_CLI_OK;
    }

    rc = se_subscribers_read(n->cli, &n->subs, &n->nsubs, &bad);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    if (bad) {
        se_log(n, "%zu subscriber records are broken (no channel or "
               "target) and were left out", bad);
    }

    n->have_subs = 1;

    return SE_CLI_OK;
}


/* the subscribers an entry is already over for (a re-read entry) */
static int
se_notify_sent(se_notify_t *n, const char *entry, redisReply **sent)
{
    const char  *argv[2];

    argv[0] = "SMEMBERS";
    argv[1] = se_key(n->cli, "notify:sent:%s", entry);

    *sent = se_notify_cmd(n, "reading a sent set", 2, argv);

    return *sent ? SE_CLI_OK : SE_CLI_FAIL;
}


static int
se_in_reply(const redisReply *set, const char *id)
{
    size_t  i;

    for (i = 0; set && i < set->elements; i++) {
        if (set->element[i]->type == REDIS_REPLY_STRING
            && strcmp(set->element[i]->str, id) == 0)
        {
            return 1;
        }
    }

    return 0;
}


/* a new job in the list: an entry's, or a reminder's (entry NULL) */
static se_job_t *
se_job_new(se_notify_t *n, const char *entry, int stream)
{
    se_arena_t  *prev;
    se_job_t    *job;

    job = calloc(1, sizeof(se_job_t));
    if (job == NULL) {
        return NULL;
    }

    if (entry) {
        prev = se_arena_use(&job->arena);
        job->entry = se_strdup(entry);
        se_arena_use(prev);
    }

    job->stream = stream;
    job->next = n->jobs;
    n->jobs = job;
    n->njobs++;

    return job;
}


/* queues the deliveries of the job's message to whom it concerns */
static int
se_notify_queue(se_notify_t *n, se_job_t *job, const se_model_t *m,
    const redisReply *sent)
{
    se_delivery_t  *d;
    se_arena_t     *prev;
    const char     *base;
    size_t          i;
    int             rc;

    rc = se_notify_subscribers(n);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    prev = se_arena_use(&job->arena);

    base = se_notify_base(m);

    for (i = 0; i < n->nsubs; i++) {
        if (!se_msg_matches(job->msg, &n->subs[i])
            || se_in_reply(sent, n->subs[i].id))
        {
            continue;
        }

        d = se_alloc(sizeof(se_delivery_t));

        se_notify_compose(n, job, m, &n->subs[i], base, d);

        job->left++;
        se_count(n, d->channel, SE_M_QUEUED);
        se_deliver_add(&n->dl, d);
    }

    se_arena_use(prev);

    if (n->verbose || job->left) {
        se_log(n, "%s %s: %zu %s", job->entry ? job->entry : "reminder",
               job->msg->name, job->left,
               job->left == 1 ? "delivery" : "deliveries");
    }

    return rc;
}


/*
 * A subscription to confirm (Pnotify:confirm: id ID): a pending
 * subscriber gets the link that confirms it, valid for a day, at its
 * address.  Anything else (confirmed meanwhile, removed) is done.
 */
static int
se_notify_confirm(se_notify_t *n, const redisReply *e)
{
    const se_model_t  *m;
    const char        *id, *base, *argv[2], *v;
    se_subscriber_t    sub;
    se_delivery_t     *d;
    se_arena_t        *prev;
    redisReply        *h;
    se_job_t          *job;
    char               tok[SE_TOKEN_MAX + 1];
    int                rc;

    job = se_job_new(n, e->element[0]->str, SE_STREAM_CONFIRM);
    if (job == NULL) {
        return se_error(n->cli, SE_CLI_FAIL, "out of memory");
    }

    id = se_reply_field(e->element[1], "id");

    job->ready = 1;

    if (id == NULL) {
        return SE_CLI_OK;
    }

    argv[0] = "HGETALL";
    argv[1] = se_key(n->cli, "subscriber:%s", id);

    h = se_notify_cmd(n, "reading a subscriber", 2, argv);
    if (h == NULL) {
        se_job_free(n, job);
        return SE_CLI_FAIL;
    }

    memset(&sub, 0, sizeof(se_subscriber_t));
    sub.channel = SE_CHANNEL_EMAIL;

    v = se_reply_field(h, "email");
    sub.target = v ? se_strdup(v) : NULL;

    v = se_reply_field(h, "lang");
    sub.lang = (v && strcmp(v, "ko") == 0) ? SE_LANG_KO : SE_LANG_EN;

    v = se_reply_field(h, "state");
    rc = v && strcmp(v, "pending") == 0 && sub.target;
    freeReplyObject(h);

    if (!rc) {
        if (n->verbose) {
            se_log(n, "%s: subscriber %s is not waiting for a "
                   "confirmation", job->entry, se_q(id));
        }

        return SE_CLI_OK;
    }

    rc = se_notify_state(n, &m);
    if (rc != SE_CLI_OK) {
        se_job_free(n, job);
        return rc;
    }

    prev = se_arena_use(&job->arena);

    base = se_notify_base(m);

    if (base == NULL
        || se_token_make(SE_TOKEN_CONFIRM, id, strlen(id),
                         n->cli->now + SE_NOTIFY_CONFIRM_TTL, n->secret,
                         n->secret_len, tok) == 0)
    {
        se_arena_use(prev);
        se_log(n, "cannot send subscriber %s its confirmation: %s",
               se_q(id), base ? "a bad id" : "the page has no status_url "
               "(status-edge page set --status-url URL)");
        return SE_CLI_OK;
    }

    rc = se_msg_confirm(n->cli, &n->tpl, m,
                        se_sprintf("%sconfirm?token=%s", base, tok),
                        &job->msg);

    if (rc == SE_CLI_OK) {
        sub.id = se_strdup(id);
        sub.active = 1;

        d = se_alloc(sizeof(se_delivery_t));
        se_notify_compose(n, job, m, &sub, base, d);

        job->left++;
        se_count(n, d->channel, SE_M_QUEUED);
        se_deliver_add(&n->dl, d);
    }

    se_arena_use(prev);

    if (rc != SE_CLI_OK) {
        se_job_free(n, job);
        return rc;
    }

    if (n->verbose) {
        se_log(n, "%s: the confirmation of %s", job->entry, id);
    }

    return SE_CLI_OK;
}


/*
 * An entry read from the stream: [id, [field, value, ...]], or [id, nil]
 * once trimmed.  It becomes a job, with no delivery when it tells
 * nobody anything: the next flush acknowledges it.
 */
static int
se_notify_entry(se_notify_t *n, const redisReply *e, int stream, int reread)
{
    const se_model_t  *m;
    const char        *command, *id, *time_s;
    redisReply        *sent;
    se_arena_t        *prev;
    se_job_t          *job;
    int64_t            at;
    int                rc;

    m = NULL;

    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2
        || e->element[0]->type != REDIS_REPLY_STRING)
    {
        return SE_CLI_OK;
    }

    for (job = n->jobs; job; job = job->next) {
        if (job->entry && job->stream == stream
            && strcmp(job->entry, e->element[0]->str) == 0)
        {
            return SE_CLI_OK;
        }
    }

    if (stream == SE_STREAM_CONFIRM) {
        return se_notify_confirm(n, e);
    }

    command = se_reply_field(e->element[1], "command");
    id = se_reply_field(e->element[1], "id");
    time_s = se_reply_field(e->element[1], "time");

    if (command && id && *id) {
        rc = se_notify_state(n, &m);
        if (rc != SE_CLI_OK) {
            return rc;
        }
    }

    job = se_job_new(n, e->element[0]->str, SE_STREAM_AUDIT);
    if (job == NULL) {
        return se_error(n->cli, SE_CLI_FAIL, "out of memory");
    }

    if (command == NULL || id == NULL || *id == '\0') {
        job->ready = 1;
        return SE_CLI_OK;
    }

    if (time_s == NULL || se_time_parse(time_s, strlen(time_s), &at) != SE_OK)
    {
        at = SE_TIME_NONE;
    }

    prev = se_arena_use(&job->arena);
    rc = se_msg_for_entry(n->cli, &n->tpl, m, se_state_indicator(n->st),
                          command, id, at, &job->msg);
    se_arena_use(prev);

    if (rc != SE_CLI_OK) {
        /* the entry stays pending, claimed again once idle */
        se_job_free(n, job);
        return rc;
    }

    if (job->msg == NULL) {
        if (n->verbose) {
            se_log(n, "%s %s %s: nothing to tell", job->entry, command, id);
        }

        job->ready = 1;
        return SE_CLI_OK;
    }

    sent = NULL;

    if (reread) {
        rc = se_notify_sent(n, job->entry, &sent);
        if (rc != SE_CLI_OK) {
            se_job_free(n, job);
            return rc;
        }
    }

    rc = se_notify_queue(n, job, m, sent);

    if (sent) {
        freeReplyObject(sent);
    }

    if (rc != SE_CLI_OK) {
        se_job_free(n, job);
        return rc;
    }

    job->ready = 1;

    return SE_CLI_OK;
}


/* what Redis must learn: sent sets, dead letters, acks, metrics */
static int
se_notify_flush(se_notify_t *n)
{
    se_job_t     *job, *next;
    const char  **argv, *key;
    redisReply   *r;
    size_t        i, k, argc;
    int           ch, m;

    for (job = n->jobs; job; job = next) {
        next = job->next;
        key = (job->entry && job->stream == SE_STREAM_AUDIT)
              ? se_key(n->cli, "notify:sent:%s", job->entry) : NULL;

        if (job->nsent && key) {
            argv = se_alloc((job->nsent + 2) * sizeof(char *));
            argv[0] = "SADD";
            argv[1] = key;
            memcpy(argv + 2, job->sent, job->nsent * sizeof(char *));

            r = se_notify_cmd(n, "writing a sent set", job->nsent + 2, argv);
            if (r == NULL) {
                return SE_CLI_FAIL;
            }

            freeReplyObject(r);

            argv[0] = "EXPIRE";
            argv[2] = SE_NOTIFY_SENT_TTL;

            r = se_notify_cmd(n, "writing a sent set", 3, argv);
            if (r == NULL) {
                return SE_CLI_FAIL;
            }

            freeReplyObject(r);
        }

        job->nsent = 0;

        for (i = 0; i < job->ndead; i++) {
            argv = se_alloc(28 * sizeof(char *));
            argc = 0;
            argv[argc++] = "XADD";
            argv[argc++] = se_key(n->cli, "notify:dead");
            argv[argc++] = "MAXLEN";
            argv[argc++] = "~";
            argv[argc++] = SE_NOTIFY_DEAD_MAX;
            argv[argc++] = "*";

            for (k = 0; job->dead[i][k]; k++) {
                argv[argc++] = job->dead[i][k];
            }

            r = se_notify_cmd(n, "writing a dead letter", argc, argv);
            if (r == NULL) {
                job->ndead -= i;
                memmove(job->dead, job->dead + i,
                        job->ndead * sizeof(char **));
                return SE_CLI_FAIL;
            }

            freeReplyObject(r);
        }

        job->ndead = 0;

        if (job->left || !job->ready) {
            continue;
        }

        if (job->entry) {
            argv = se_alloc(4 * sizeof(char *));
            argv[0] = "XACK";
            argv[1] = n->streams[job->stream];
            argv[2] = SE_NOTIFY_GROUP;
            argv[3] = job->entry;

            r = se_notify_cmd(n, "acknowledging an entry", 4, argv);
            if (r == NULL) {
                return SE_CLI_FAIL;
            }

            freeReplyObject(r);
        }

        if (key) {
            argv = se_alloc(2 * sizeof(char *));
            argv[0] = "DEL";
            argv[1] = key;

            r = se_notify_cmd(n, "deleting a sent set", 2, argv);
            if (r == NULL) {
                return SE_CLI_FAIL;
            }

            freeReplyObject(r);
        }

        se_job_free(n, job);
    }

    argv = se_alloc((3 + 2 * SE_CHANNEL_N * SE_M_N) * sizeof(char *));
    argc = 0;
    argv[argc++] = "EVAL";
    argv[argc++] = "for i = 2, #ARGV, 2 do\n"
                   "  redis.call('HINCRBY', ARGV[1], ARGV[i], ARGV[i + 1])\n"
                   "end\n"
                   "return 1\n";
    argv[argc++] = "0";
    argv[argc++] = se_key(n->cli, "notify:metrics");

    for (ch = 0; ch < SE_CHANNEL_N; ch++) {
        for (m = 0; m < SE_M_N; m++) {
            if (n->counts[ch][m] != n->flushed[ch][m]) {
                argv[argc++] = se_sprintf("%s_%s",
                                          se_channel_name((se_channel_e) ch),
                                          se_metric_names[m]);
                argv[argc++] = se_sprintf("%llu", (unsigned long long)
                                          (n->counts[ch][m]
                                           - n->flushed[ch][m]));
            }
        }
    }

    if (argc > 4) {
        r = se_notify_cmd(n, "writing the metrics", argc, argv);
        if (r == NULL) {
            return SE_CLI_FAIL;
        }

        freeReplyObject(r);
        memcpy(n->flushed, n->counts, sizeof(n->counts));
    }

    return SE_CLI_OK;
}


/* the entries of an XREADGROUP or XAUTOCLAIM reply */
static int
se_notify_entries(se_notify_t *n, const redisReply *list, int stream,
    int reread, size_t *got, const char **last)
{
    size_t  i;
    int     rc;

    /* the state to render them from is read after them, never before */
    if (list && list->type == REDIS_REPLY_ARRAY && list->elements
        && n->st)
    {
        se_state_free(n->st);
        n->st = NULL;
    }

    for (i = 0; list && list->type == REDIS_REPLY_ARRAY
                && i < list->elements; i++)
    {
        rc = se_notify_entry(n, list->element[i], stream, reread);
        if (rc != SE_CLI_OK) {
            return rc;
        }

        if (last && list->element[i]->type == REDIS_REPLY_ARRAY
            && list->element[i]->elements
            && list->element[i]->element[0]->type == REDIS_REPLY_STRING)
        {
            *last = se_strdup(list->element[i]->element[0]->str);
        }

        (*got)++;
    }

    return SE_CLI_OK;
}


/* takes over the entries other notifiers left idle for --claim-after */
static int
se_notify_claim(se_notify_t *n)
{
    const char  **argv;
    redisReply   *r;
    se_job_t     *job;
    size_t        got, argc, i;
    int           rc;

    for (i = 0; i < n->nstreams; i++) {
        argv = se_alloc((n->njobs + 9) * sizeof(char *));
        argv[0] = "XAUTOCLAIM";
        argv[1] = n->streams[i];
        argv[2] = SE_NOTIFY_GROUP;
        argv[3] = n->consumer;
        argv[4] = se_sprintf("%lld", (long long) n->claim_after_ms);
        argv[5] = "0-0";
        argv[6] = "COUNT";
        argv[7] = SE_NOTIFY_COUNT;

        r = se_notify_cmd(n, "claiming idle entries", 8, argv);
        if (r == NULL) {
            return SE_CLI_FAIL;
        }

        got = 0;
        rc = SE_CLI_OK;

        if (r->type == REDIS_REPLY_ARRAY && r->elements >= 2) {
            rc = se_notify_entries(n, r->element[1], (int) i, 1, &got,
                                   NULL);
        }

        freeReplyObject(r);

        if (rc != SE_CLI_OK) {
            return rc;
        }

        if (got) {
            se_log(n, "claimed %zu idle %s of %s", got,
                   got == 1 ? "entry" : "entries", n->streams[i]);
        }

        /* and keeps its own from looking idle to the others */
        argv[0] = "XCLAIM";
        argv[4] = "0";
        argc = 5;

        for (job = n->jobs; job; job = job->next) {
            if (job->entry && job->stream == (int) i) {
                argv[argc++] = job->entry;
            }
        }

        if (argc == 5) {
            continue;
        }

        argv[argc++] = "JUSTID";

        r = se_notify_cmd(n, "keeping entries claimed", argc, argv);
        if (r == NULL) {
            return SE_CLI_FAIL;
        }

        freeReplyObject(r);
    }

    return SE_CLI_OK;
}


/*
 * The promises of the next update: an unresolved incident whose
 * next_update_at is --remind-before away, or past, reminds the internal
 * subscribers once per promise (SET NX of Pnotify:reminded:ID:TIME,
 * which also keeps several notifiers from reminding twice).
 */
static int
se_notify_remind(se_notify_t *n)
{
    const se_model_t     *m;
    const se_incident_t  *rec;
    const char           *argv[7];
    se_arena_t           *prev;
    se_job_t             *job;
    redisReply           *r;
    int64_t               now;
    size_t                i;
    int                   rc, won;

    rc = se_notify_state(n, &m);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    now = m->now ? m->now : (int64_t) time(NULL);

    for (i = 0; i < m->nincidents; i++) {
        rec = &m->incidents[i];

        if (!se_status_unresolved(rec->status)
            || rec->next_update_at == SE_TIME_NONE
            || now < rec->next_update_at - n->remind_before)
        {
            continue;
        }

        argv[0] = "SET";
        argv[1] = se_key(n->cli, "notify:reminded:%.*s:%lld",
                         (int) rec->id.len, rec->id.data,
                         (long long) rec->next_update_at);
        argv[2] = "1";
        argv[3] = "NX";
        argv[4] = "EX";
        argv[5] = SE_NOTIFY_REMINDED_TTL;

        r = se_notify_cmd(n, "marking a reminder", 6, argv);
        if (r == NULL) {
            return SE_CLI_FAIL;
        }

        won = r->type == REDIS_REPLY_STATUS;
        freeReplyObject(r);

        if (!won) {
            continue;
        }

        job = se_job_new(n, NULL, SE_STREAM_AUDIT);
        if (job == NULL) {
            return se_error(n->cli, SE_CLI_FAIL, "out of memory");
        }

        prev = se_arena_use(&job->arena);
        rc = se_msg_reminder(n->cli, &n->tpl, m, se_state_indicator(n->st),
                             rec, &job->msg);
        se_arena_use(prev);

        if (rc == SE_CLI_OK) {
            rc = se_notify_queue(n, job, m, NULL);
        }

        if (rc != SE_CLI_OK) {
            se_job_free(n, job);
            return rc;
        }

        job->ready = 1;
    }

    return SE_CLI_OK;
}


/* new entries (or this consumer's pending ones first) of each stream */
static int
se_notify_read(se_notify_t *n, int64_t block_ms, size_t *got)
{
    const char        *argv[14], *last;
    const redisReply  *e;
    redisReply        *r;
    size_t             argc, i, k, one;
    int                rc;

    argc = 0;
    argv[argc++] = "XREADGROUP";
    argv[argc++] = "GROUP";
    argv[argc++] = SE_NOTIFY_GROUP;
    argv[argc++] = n->consumer;
    argv[argc++] = "COUNT";
    argv[argc++] = SE_NOTIFY_COUNT;

    if (block_ms > 0 && !n->pending) {
        argv[argc++] = "BLOCK";
        argv[argc++] = se_sprintf("%lld", (long long) block_ms);
    }

    argv[argc++] = "STREAMS";

    for (i = 0; i < n->nstreams; i++) {
        argv[argc++] = n->streams[i];
    }

    for (i = 0; i < n->nstreams; i++) {
        argv[argc++] = n->pending ? n->pending_id[i] : ">";
    }

    r = se_notify_cmd(n, "reading the audit stream", argc, argv);
    if (r == NULL) {
        return SE_CLI_FAIL;
    }

    *got = 0;
    rc = SE_CLI_OK;

    for (k = 0; rc == SE_CLI_OK && r->type == REDIS_REPLY_ARRAY
                && k < r->elements; k++)
    {
        e = r->element[k];

        if (e->type != REDIS_REPLY_ARRAY || e->elements != 2
            || e->element[0]->type != REDIS_REPLY_STRING)
        {
            continue;
        }

        for (i = 0; i < n->nstreams; i++) {
            if (strcmp(e->element[0]->str, n->streams[i]) == 0) {
                break;
            }
        }

        if (i == n->nstreams) {
            continue;
        }

        one = 0;
        last = NULL;
        rc = se_notify_entries(n, e->element[1], (int) i, n->pending, &one,
                               &last);
        *got += one;

        if (n->pending && last) {
            /* arena memory of the round: keep a copy of its own */
            free(n->pending_id[i]);
            n->pending_id[i] = strdup(last);
            if (n->pending_id[i] == NULL) {
                rc = se_error(n->cli, SE_CLI_FAIL, "out of memory");
            }
        }
    }

    freeReplyObject(r);

    if (n->pending && *got == 0 && rc == SE_CLI_OK) {
        n->pending = 0;
    }

    return rc;
}


static void
se_notify_round_end(se_notify_t *n, se_arena_t *round, se_arena_t *prev)
{
    if (n->st) {
        se_state_free(n->st);
        n->st = NULL;
    }

    n->subs = NULL;
    n->nsubs = 0;
    n->have_subs = 0;

    se_arena_use(prev);
    se_arena_release(round);
}


static void
se_notify_summary(se_notify_t *n)
{
    uint64_t  t[SE_M_N];
    int       ch, m;

    memset(t, 0, sizeof(t));

    for (ch = 0; ch < SE_CHANNEL_N; ch++) {
        for (m = 0; m < SE_M_N; m++) {
            t[m] += n->counts[ch][m];
        }
    }

    printf("queued %llu delivered %llu retried %llu dead_lettered %llu\n",
           (unsigned long long) t[SE_M_QUEUED],
           (unsigned long long) t[SE_M_DELIVERED],
           (unsigned long long) t[SE_M_RETRIED],
           (unsigned long long) t[SE_M_DEAD]);
}


/* --replay: once, the dead letters */
static int
se_notify_replay_run(se_notify_t *n)
{
    int  rc;

    if (se_deliver_init(&n->dl) != SE_OK) {
        return se_error(n->cli, SE_CLI_FAIL, "libcurl cannot start");
    }

    rc = se_redis_connect(n->cli);

    if (rc == SE_CLI_OK) {
        rc = se_notify_replay(n->cli, &n->dl, n->smtp);
    }

    se_deliver_free(&n->dl);

    return rc;
}


int
se_cmd_notify(se_cli_t *cli)
{
    se_notify_t       n;
    se_arena_t        round, *prev;
    struct sigaction  sa;
    int64_t           now, due, block, pause;
    size_t            got, i;
    int               rc, connected;

    memset(&n, 0, sizeof(se_notify_t));
    memset(&round, 0, sizeof(se_arena_t));

    n.cli = cli;
    n.dl.data = &n;
    n.dl.done = se_notify_done;
    n.dl.retry = se_notify_retry;

    rc = se_notify_options(&n);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    if (se_arg(cli, SE_O_REPLAY)) {
        return se_notify_replay_run(&n);
    }

    rc = se_msg_templates_load(cli, &n.tpl);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    if (se_deliver_init(&n.dl) != SE_OK) {
        return se_error(cli, SE_CLI_FAIL, "libcurl cannot start");
    }

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = se_notify_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);

    srandom((unsigned) (time(NULL) ^ getpid()));

    /* a component's change and the status before it */
    cli->history_window = "172800";

    n.streams[SE_STREAM_AUDIT] = se_key(cli, "audit");
    n.streams[SE_STREAM_CONFIRM] = se_key(cli, "notify:confirm");
    n.nstreams = n.secret ? SE_STREAM_N : 1;
    n.pending = 1;

    for (i = 0; i < SE_STREAM_N; i++) {
        n.pending_id[i] = strdup("0");
        if (n.pending_id[i] == NULL) {
            return se_error(cli, SE_CLI_FAIL, "out of memory");
        }
    }

    if (n.secret == NULL) {
        se_log(&n, "no --secret-file: no unsubscribe links, and no "
               "confirmations of new subscribers are sent");
    }
    connected = 0;
    pause = 250;
    due = -1;

    while (!se_notify_stop) {
        prev = se_arena_use(&round);
        cli->now = (int64_t) time(NULL);
        now = se_now_ms();
        got = 0;

        if (cli->conn == NULL) {
            rc = se_redis_connect(cli);

            if (rc == SE_CLI_OK) {
                rc = se_notify_group(&n);
            }

            if (rc == SE_CLI_USAGE || (rc != SE_CLI_OK && n.once)) {
                se_notify_round_end(&n, &round, prev);
                break;
            }

            if (rc == SE_CLI_OK && !connected) {
                se_log(&n, "delivering the changes of %s as consumer %s",
                       n.streams[SE_STREAM_AUDIT], se_q(n.consumer));
            }

            connected |= rc == SE_CLI_OK;
        }

        if (cli->conn) {
            rc = se_notify_flush(&n);
        }

        if (cli->conn && rc == SE_CLI_OK && now >= n.next_claim) {
            rc = se_notify_claim(&n);
            n.next_claim = now + n.claim_after_ms / 3;
        }

        if (cli->conn && rc == SE_CLI_OK && !n.pending
            && (n.once ? !n.reminded_once : now >= n.next_remind))
        {
            rc = se_notify_remind(&n);
            n.next_remind = now + SE_NOTIFY_REMIND_MS;
            n.reminded_once |= rc == SE_CLI_OK;
        }

        if (cli->conn && rc == SE_CLI_OK && n.njobs < SE_NOTIFY_MAX_JOBS) {
            block = 0;

            if (!n.once && n.dl.running == 0) {
                block = due >= 0 && due < SE_NOTIFY_BLOCK_MS
                        ? due : SE_NOTIFY_BLOCK_MS;
            }

            rc = se_notify_read(&n, block, &got);
        }

        if (cli->conn && rc == SE_CLI_OK) {
            pause = 250;

        } else {
            rc = SE_CLI_FAIL;

            if (n.once) {
                se_notify_round_end(&n, &round, prev);
                break;
            }

            /* Redis is away: deliveries go on, and so does the retry */
            se_redis_close(cli);
            se_log(&n, "Redis: trying again in %lld ms", (long long) pause);
        }

        se_notify_round_end(&n, &round, prev);

        due = se_deliver_run(&n.dl, n.dl.running ? (got ? 0 : 100) : 0);

        if (rc != SE_CLI_OK) {
            usleep((useconds_t) pause * 1000);
            pause = pause * 2 > 5000 ? 5000 : pause * 2;
            continue;
        }

        if (n.once && !n.pending && got == 0 && n.reminded_once
            && se_deliver_pending(&n.dl) == 0)
        {
            /* the last flush: what the last deliveries changed */
            prev = se_arena_use(&round);
            rc = se_notify_flush(&n);
            se_notify_round_end(&n, &round, prev);

            if (rc == SE_CLI_OK && n.jobs == NULL) {
                break;
            }
        }

        if (n.once && n.dl.running == 0 && due > 0) {
            usleep((useconds_t) (due < 100 ? due : 100) * 1000);
        }
    }

    if (n.once && rc == SE_CLI_OK) {
        se_notify_summary(&n);
    }

    while (n.jobs) {
        se_job_free(&n, n.jobs);
    }

    se_deliver_free(&n.dl);

    for (i = 0; i < SE_STREAM_N; i++) {
        free(n.pending_id[i]);
    }

    return se_notify_stop ? SE_CLI_OK : rc;
}
