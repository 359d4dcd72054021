/*
 * The notifier's deliveries over libcurl's multi interface
 * (se_cli_deliver.h).  One easy handle per try; the multi handle keeps
 * connections to a receiver or relay open between them.  No redirect is
 * followed and only http, https and smtp(s) are spoken, so a receiver
 * cannot send a delivery elsewhere.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "se_cli_deliver.h"


int64_t
se_now_ms(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


int
se_deliver_init(se_deliver_t *dl)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        return SE_ERROR;
    }

    dl->multi = curl_multi_init();
    if (dl->multi == NULL) {
        return SE_ERROR;
    }

    curl_multi_setopt(dl->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                      (long) dl->parallel);

    return SE_OK;
}


static void
se_delivery_clean(se_deliver_t *dl, se_delivery_t *d)
{
    if (d->easy) {
        curl_multi_remove_handle(dl->multi, d->easy);
        curl_easy_cleanup(d->easy);
        d->easy = NULL;
    }

    curl_mime_free(d->mime);
    curl_slist_free_all(d->hdrs);
    curl_slist_free_all(d->rcpts);
    d->mime = NULL;
    d->hdrs = NULL;
    d->rcpts = NULL;
}


void
se_deliver_free(se_deliver_t *dl)
{
    se_delivery_t  *d;

    if (dl->multi == NULL) {
        return;
    }

    for (d = dl->waiting; d; d = d->next) {
        se_delivery_clean(dl, d);
    }

    for (d = dl->active; d; d = d->next) {
        se_delivery_clean(dl, d);
    }

    curl_multi_cleanup(dl->multi);
    dl->multi = NULL;
    curl_global_cleanup();
}


/* the waiting list is in order of arrival: the oldest change goes first */
static void
se_delivery_queue(se_deliver_t *dl, se_delivery_t *d)
{
    d->next = NULL;

    if (dl->waiting == NULL) {
        dl->waiting = d;

    } else {
        dl->waiting_tail->next = d;
    }

    dl->waiting_tail = d;
    dl->nwaiting++;
}


void
se_deliver_add(se_deliver_t *dl, se_delivery_t *d)
{
    d->due = se_now_ms();
    se_delivery_queue(dl, d);
}


size_t
se_deliver_pending(const se_deliver_t *dl)
{
    return dl->nwaiting + dl->running;
}


static int
se_delivery_email(se_deliver_t *dl, se_delivery_t *d)
{
    curl_mime      *alt;
    curl_mimepart  *part;

    curl_easy_setopt(d->easy, CURLOPT_MAIL_FROM, d->mail_from);

    d->rcpts = curl_slist_append(NULL, d->rcpt);
    if (d->rcpts == NULL) {
        return SE_ERROR;
    }

    curl_easy_setopt(d->easy, CURLOPT_MAIL_RCPT, d->rcpts);
    curl_easy_setopt(d->easy, CURLOPT_USE_SSL, (long) CURLUSESSL_TRY);

    if (dl->smtp_cacert) {
        curl_easy_setopt(d->easy, CURLOPT_CAINFO, dl->smtp_cacert);
    }

    /* multipart/alternative: the text, then the preferred HTML */
    d->mime = curl_mime_init(d->easy);
    alt = curl_mime_init(d->easy);
    if (d->mime == NULL || alt == NULL) {
        curl_mime_free(alt);
        return SE_ERROR;
    }

    part = curl_mime_addpart(alt);
    if (part == NULL
        || curl_mime_data(part, d->text, CURL_ZERO_TERMINATED) != CURLE_OK
        || curl_mime_type(part, "text/plain; charset=utf-8") != CURLE_OK
        || curl_mime_encoder(part, "quoted-printable") != CURLE_OK)
    {
        curl_mime_free(alt);
        return SE_ERROR;
    }

    part = curl_mime_addpart(alt);
    if (part == NULL
        || curl_mime_data(part, d->html, CURL_ZERO_TERMINATED) != CURLE_OK
        || curl_mime_type(part, "text/html; charset=utf-8") != CURLE_OK
        || curl_mime_encoder(part, "quoted-printable") != CURLE_OK)
    {
        curl_mime_free(alt);
        return SE_ERROR;
    }

    part = curl_mime_addpart(d->mime);
    if (part == NULL || curl_mime_subparts(part, alt) != CURLE_OK) {
        curl_mime_free(alt);
        return SE_ERROR;
    }

    if (curl_mime_type(part, "multipart/alternative") != CURLE_OK) {
        return SE_ERROR;
    }

    curl_easy_setopt(d->easy, CURLOPT_MIMEPOST, d->mime);

    return SE_OK;
}


/* what a receiver answers is not read, only its status */
static size_t
se_delivery_discard(char *data, size_t size, size_t n, void *ctx)
{
    return size * n;
}


/* a new easy handle for the next try of d */
static int
se_delivery_start(se_deliver_t *dl, se_delivery_t *d)
{
    size_t              i;
    struct curl_slist  *h;

    d->easy = curl_easy_init();
    if (d->easy == NULL) {
        return SE_ERROR;
    }

    d->error[0] = '\0';
    d->status = 0;
    d->started = se_now_ms();
    d->tries++;

    curl_easy_setopt(d->easy, CURLOPT_URL, d->url);
    curl_easy_setopt(d->easy, CURLOPT_PRIVATE, d);
    curl_easy_setopt(d->easy, CURLOPT_ERRORBUFFER, d->error);
    curl_easy_setopt(d->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(d->easy, CURLOPT_TIMEOUT_MS, (long) dl->timeout_ms);
    curl_easy_setopt(d->easy, CURLOPT_CONNECTTIMEOUT_MS,
                     (long) (dl->timeout_ms < 10000 ? dl->timeout_ms
                                                    : 10000));
    curl_easy_setopt(d->easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(d->easy, CURLOPT_WRITEFUNCTION, se_delivery_discard);

    for (i = 0; i < d->nheaders; i++) {
        h = curl_slist_append(d->hdrs, d->headers[i]);
        if (h == NULL) {
            return SE_ERROR;
        }

        d->hdrs = h;
    }

    if (d->channel == SE_CHANNEL_EMAIL) {
        curl_easy_setopt(d->easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");

        if (se_delivery_email(dl, d) != SE_OK) {
            return SE_ERROR;
        }

    } else {
        curl_easy_setopt(d->easy, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(d->easy, CURLOPT_USERAGENT, dl->user_agent);
        curl_easy_setopt(d->easy, CURLOPT_POSTFIELDS, d->body);
        curl_easy_setopt(d->easy, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t) d->len);

        /* no "Expect: 100-continue": a second round trip for nothing */
        h = curl_slist_append(d->hdrs, "Expect:");
        if (h == NULL) {
            return SE_ERROR;
        }

        d->hdrs = h;
    }

    curl_easy_setopt(d->easy, CURLOPT_HTTPHEADER, d->hdrs);

    if (curl_multi_add_handle(dl->multi, d->easy) != CURLM_OK) {
        return SE_ERROR;
    }

    d->next = dl->active;
    dl->active = d;
    dl->running++;

    return SE_OK;
}


/* the wait before the try after "tries" ones: capped, with jitter */
static int64_t
se_backoff(se_deliver_t *dl, unsigned tries)
{
    int64_t  wait;
    unsigned i;

    wait = dl->retry_ms;

    for (i = 1; i < tries && wait < dl->retry_max_ms; i++) {
        wait *= 2;
    }

    if (wait > dl->retry_max_ms) {
        wait = dl->retry_max_ms;
    }

    /* "equal jitter": half the wait, plus up to the other half */
    return wait / 2 + (wait > 1 ? random() % (wait / 2 + 1) : 0);
}


/* back to the waiting list, due after the backoff */
static void
se_delivery_wait(se_deliver_t *dl, se_delivery_t *d)
{
    d->due = se_now_ms() + se_backoff(dl, d->tries);
    se_delivery_queue(dl, d);
}


/* the end of one try: over, or waiting for the next */
static void
se_delivery_ended(se_deliver_t *dl, se_delivery_t *d, CURLcode code)
{
    se_delivery_t  **pd;
    int              ok;

    curl_easy_getinfo(d->easy, CURLINFO_RESPONSE_CODE, &d->status);

    if (code != CURLE_OK && d->error[0] == '\0') {
        strncpy(d->error, curl_easy_strerror(code), CURL_ERROR_SIZE - 1);
    }

    if (d->channel == SE_CHANNEL_EMAIL) {
        ok = code == CURLE_OK;

    } else {
        ok = code == CURLE_OK && d->status >= 200 && d->status <= 299;

        if (code == CURLE_OK && !ok) {
            snprintf(d->error, CURL_ERROR_SIZE, "HTTP status %ld",
                     d->status);
        }
    }

    for (pd = &dl->active; *pd != d; pd = &(*pd)->next) {
        /* void */
    }

    *pd = d->next;
    dl->running--;
    se_delivery_clean(dl, d);

    if (ok || d->tries >= dl->tries) {
        dl->done(dl, d, ok);
        return;
    }

    dl->retry(dl, d);
    se_delivery_wait(dl, d);
}


int64_t
se_deliver_run(se_deliver_t *dl, int64_t wait_ms)
{
    int64_t         now, next;
    se_delivery_t  *d, **pd, *failed, *prev;
    CURLMsg        *msg;
    int             still, left, n;

    now = se_now_ms();

    failed = NULL;
    prev = NULL;

    for (pd = &dl->waiting; *pd && dl->running < dl->parallel; ) {
        d = *pd;

        if (d->due > now) {
            prev = d;
            pd = &d->next;
            continue;
        }

        *pd = d->next;
        dl->nwaiting--;

        if (dl->waiting_tail == d) {
            dl->waiting_tail = prev;
        }

        if (se_delivery_start(dl, d) != SE_OK) {
            se_delivery_clean(dl, d);
            d->next = failed;
            failed = d;
        }
    }

    /* libcurl out of memory: a failed try */
    while (failed) {
        d = failed;
        failed = d->next;
        strcpy(d->error, "libcurl could not start the transfer");

        if (d->tries >= dl->tries) {
            dl->done(dl, d, 0);

        } else {
            se_delivery_wait(dl, d);
        }
    }

    if (dl->running) {
        curl_multi_perform(dl->multi, &still);

        /* wait only when nothing ended: else the ended are reported, and
         * the next tries start, at once */
        if (wait_ms > 0 && (size_t) still == dl->running) {
            curl_multi_poll(dl->multi, NULL, 0, (int) wait_ms, &n);
            curl_multi_perform(dl->multi, &still);
        }

        while ((msg = curl_multi_info_read(dl->multi, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE) {
                continue;
            }

            d = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
                              (char **) &d);
            se_delivery_ended(dl, d, msg->data.result);
        }
    }

    next = -1;
    now = se_now_ms();

    for (d = dl->waiting; d; d = d->next) {
        if (next < 0 || d->due - now < next) {
            next = d->due > now ? d->due - now : 0;
        }
    }

    return next;
}
