
/*
 * status-edge: status_edge_events, Server-Sent Events.  A stream gets the
 * summary of the state on connect and again on every change, sent from the
 * bytes rendered once per state: the stream's buffer points into the
 * snapshot, which it references until those bytes are written.  A worker
 * keeps its streams in one queue, walked in batches on a change, and one
 * timer for the heartbeats and for ending the streams on a reload or
 * shutdown.  A stream holds at most one event unwritten.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_events.h"
#include "ngx_http_status_edge_response.h"
#include "ngx_http_status_edge_publish.h"
#include "se_state.h"


/* how often the worker looks for due heartbeats and for ngx_exiting */
#define NGX_HTTP_STATUS_EDGE_EVENTS_TICK   200

/* streams written per turn of the event loop when a state is published */
#define NGX_HTTP_STATUS_EDGE_EVENTS_BATCH  256

/* the reconnection delay an open stream gives its client, in ms */
#define NGX_HTTP_STATUS_EDGE_EVENTS_RECONNECT    5000

/*
 * The delays, random in each range, given to a stream refused by
 * status_edge_events_max and to the streams of an exiting worker: the
 * clients come back spread over the range, not all at the same moment.
 */
#define NGX_HTTP_STATUS_EDGE_EVENTS_REFUSED_MIN  5000
#define NGX_HTTP_STATUS_EDGE_EVENTS_REFUSED_MAX  15000
#define NGX_HTTP_STATUS_EDGE_EVENTS_EXIT_MIN     1000
#define NGX_HTTP_STATUS_EDGE_EVENTS_EXIT_MAX     10000

/*
 * A new stream that reaches a worker as it exits (accepted just before it
 * closed its listening sockets) is one of a few, not a herd, and the new
 * workers are already accepting: it comes back soon.  With 1 to 10 s it
 * could be refused twice in a row of reloads and wait over 20 s.
 */
#define NGX_HTTP_STATUS_EDGE_EVENTS_EXITING_MIN  1000
#define NGX_HTTP_STATUS_EDGE_EVENTS_EXITING_MAX  2000

#define NGX_HTTP_STATUS_EDGE_EVENTS_RETRY  "retry: %M\n\n"
#define NGX_HTTP_STATUS_EDGE_EVENTS_ID     "id: "
#define NGX_HTTP_STATUS_EDGE_EVENTS_DATA   "\nevent: summary\ndata: "

#define NGX_HTTP_STATUS_EDGE_EVENTS_RETRY_LEN                                \
    (sizeof("retry: \n\n") - 1 + NGX_INT_T_LEN)

#define NGX_HTTP_STATUS_EDGE_EVENTS_HEAD                                     \
    (NGX_HTTP_STATUS_EDGE_EVENTS_RETRY_LEN                                   \
     + sizeof(NGX_HTTP_STATUS_EDGE_EVENTS_ID) - 1 + NGX_INT64_LEN            \
     + sizeof(NGX_HTTP_STATUS_EDGE_EVENTS_DATA) - 1)


/* one open stream; allocated once from the request pool, reused */
typedef struct {
    ngx_queue_t                       queue;
    ngx_http_request_t               *r;
    ngx_http_status_edge_source_t    *source;
    ngx_http_status_edge_snapshot_t  *held;     /* its bytes in flight */
    uint64_t                          version;  /* of the last event */
    uint64_t                          hash;
    ngx_msec_t                        heartbeat;
    ngx_msec_t                        written;  /* last write */
    ngx_buf_t                         buf[3];   /* head, summary, "\n\n" */
    ngx_chain_t                       out[3];
    u_char                            head[NGX_HTTP_STATUS_EDGE_EVENTS_HEAD];
    unsigned                          sent:1;   /* version, hash valid */
    unsigned                          busy:1;   /* output not written */
    unsigned                          pending:1; /* a change came meanwhile */
    unsigned                          opening:1; /* in the content handler */
    unsigned                          failed:1;  /* a write failed then */
} ngx_http_status_edge_stream_t;


static ngx_int_t ngx_http_status_edge_events_refuse(ngx_http_request_t *r,
    ngx_msec_t retry);
static ngx_msec_t ngx_http_status_edge_events_jitter(ngx_msec_t min,
    ngx_msec_t max);
static ngx_int_t ngx_http_status_edge_events_headers(ngx_http_request_t *r);
static ngx_int_t ngx_http_status_edge_events_send_header(
    ngx_http_request_t *r, off_t length);
static ngx_int_t ngx_http_status_edge_last_event_id(ngx_http_request_t *r,
    uint64_t *id);
static void ngx_http_status_edge_events_push(
    ngx_http_status_edge_stream_t *s, ngx_uint_t retry);
static void ngx_http_status_edge_events_heartbeat(
    ngx_http_status_edge_stream_t *s);
static void ngx_http_status_edge_events_send(ngx_http_status_edge_stream_t *s,
    ngx_chain_t *out);
static void ngx_http_status_edge_events_written(
    ngx_http_status_edge_stream_t *s, ngx_int_t rc);
static void ngx_http_status_edge_events_writer(ngx_http_request_t *r);
static void ngx_http_status_edge_events_end(ngx_http_status_edge_stream_t *s);
static void ngx_http_status_edge_events_finalize(ngx_http_request_t *r,
    ngx_int_t rc);
static void ngx_http_status_edge_events_cleanup(void *data);
static ngx_http_status_edge_stream_t *ngx_http_status_edge_events_stream(
    ngx_http_request_t *r);
static void ngx_http_status_edge_events_tick(ngx_event_t *ev);
static void ngx_http_status_edge_events_pass(ngx_event_t *ev);


static ngx_queue_t   ngx_http_status_edge_streams;
static ngx_event_t   ngx_http_status_edge_events_timer;
static ngx_msec_t    ngx_http_status_edge_heartbeat_due;

/* a pass over the streams after a publish: where it is, or NULL */
static ngx_queue_t  *ngx_http_status_edge_events_cursor;
static ngx_event_t   ngx_http_status_edge_events_pass_ev;

static ngx_str_t  ngx_http_status_edge_events_type =
    ngx_string("text/event-stream");

static u_char  ngx_http_status_edge_events_ping[] = ": heartbeat\n\n";
static u_char  ngx_http_status_edge_events_end_of_event[] = "\n\n";


ngx_int_t
ngx_http_status_edge_events_handler(ngx_http_request_t *r)
{
    uint64_t                          id;
    ngx_int_t                         rc;
    ngx_pool_cleanup_t               *cln;
    ngx_http_status_edge_stream_t    *s;
    ngx_http_status_edge_snapshot_t  *snap;
    ngx_http_status_edge_loc_conf_t  *slcf;

    static ngx_str_t  methods = ngx_string("GET, HEAD, OPTIONS");
    static ngx_str_t  allow_headers =
        ngx_string("Last-Event-ID, Cache-Control");

    rc = ngx_http_status_edge_method(r, NGX_HTTP_GET|NGX_HTTP_HEAD
                                        |NGX_HTTP_OPTIONS, &methods);
    if (rc != NGX_OK) {
        return rc;
    }

    /* a stream never ends: not something to include in a page */

    if (r != r->main) {
        return NGX_HTTP_NOT_FOUND;
    }

    if (r->method == NGX_HTTP_OPTIONS) {
        return ngx_http_status_edge_options(r, &allow_headers);
    }

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_status_edge_module);

    if (r->method == NGX_HTTP_HEAD) {
        r->header_only = 1;
        return ngx_http_status_edge_events_headers(r);
    }

    if (ngx_exiting) {
        return ngx_http_status_edge_events_refuse(r,
                   ngx_http_status_edge_events_jitter(
                                    NGX_HTTP_STATUS_EDGE_EVENTS_EXITING_MIN,
                                    NGX_HTTP_STATUS_EDGE_EVENTS_EXITING_MAX));
    }

    if (ngx_http_status_edge_stats.events_open >= slcf->events_max) {
        ngx_http_status_edge_stats.events_refused++;

        return ngx_http_status_edge_events_refuse(r,
                   ngx_http_status_edge_events_jitter(
                                    NGX_HTTP_STATUS_EDGE_EVENTS_REFUSED_MIN,
                                    NGX_HTTP_STATUS_EDGE_EVENTS_REFUSED_MAX));
    }

    ngx_http_status_edge_stats.requests[NGX_HTTP_STATUS_EDGE_EP_EVENTS]++;

    /*
     * A stream lives for hours: it holds no state but the ones it is
     * sending.  A banner decided for this request before an internal
     * redirect brought it here (and cleared its context) is given back.
     */

    ngx_http_status_edge_request_release_all(r);

    s = ngx_pcalloc(r->pool, sizeof(ngx_http_status_edge_stream_t));
    if (s == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_status_edge_events_headers(r);

    if (rc == NGX_ERROR || rc > NGX_OK) {
        return rc;
    }

    s->r = r;
    s->source = slcf->source;
    s->heartbeat = slcf->events_heartbeat;
    s->written = ngx_current_msec;

    s->out[0].buf = &s->buf[0];
    s->out[0].next = &s->out[1];
    s->out[1].buf = &s->buf[1];
    s->out[1].next = &s->out[2];
    s->out[2].buf = &s->buf[2];
    s->out[2].next = NULL;

    if (ngx_queue_prev(&ngx_http_status_edge_streams) == NULL) {
        ngx_queue_init(&ngx_http_status_edge_streams);
    }

    ngx_queue_insert_tail(&ngx_http_status_edge_streams, &s->queue);
    ngx_http_status_edge_stats.events_open++;

    cln->handler = ngx_http_status_edge_events_cleanup;
    cln->data = s;

    r->read_event_handler = ngx_http_test_reading;
    r->write_event_handler = ngx_http_status_edge_events_writer;
    r->main->count++;

    /* the client has this version already: only retry and what follows */

    snap = s->source->current;

    if (snap && ngx_http_status_edge_last_event_id(r, &id) == NGX_OK
        && id == se_state_version(snap->state))
    {
        s->version = id;
        s->hash = se_state_hash(snap->state);
        s->sent = 1;
    }

    if (s->heartbeat
        && (ngx_http_status_edge_heartbeat_due == 0
            || (ngx_msec_int_t) (ngx_current_msec + s->heartbeat
                                 - ngx_http_status_edge_heartbeat_due) < 0))
    {
        ngx_http_status_edge_heartbeat_due = ngx_current_msec + s->heartbeat;
    }

    if (!ngx_http_status_edge_events_timer.timer_set) {
        ngx_http_status_edge_events_timer.handler =
                                          ngx_http_status_edge_events_tick;
        ngx_http_status_edge_events_timer.log = ngx_cycle->log;
        ngx_http_status_edge_events_timer.data = NULL;

        /* keeps an exiting worker until the tick has ended the streams */
        ngx_http_status_edge_events_timer.cancelable = 0;

        ngx_add_timer(&ngx_http_status_edge_events_timer,
                      NGX_HTTP_STATUS_EDGE_EVENTS_TICK);
    }

    /*
     * A failed first write is the handler's to return: finalizing here
     * would free the request under the content phase.
     */

    s->opening = 1;
    ngx_http_status_edge_events_push(s, 1);
    s->opening = 0;

    if (s->failed) {
        return NGX_ERROR;
    }

    return NGX_DONE;
}


static ngx_int_t
ngx_http_status_edge_events_headers(ngx_http_request_t *r)
{
    ngx_int_t  rc;

    static ngx_str_t  headers[] = {
        ngx_string("Cache-Control"),
        ngx_string("no-cache, no-transform"),
        ngx_string("X-Accel-Buffering"),
        ngx_string("no"),
        ngx_string("Access-Control-Allow-Origin"),
        ngx_string("*"),
        ngx_null_string
    };

    if (ngx_http_status_edge_add_headers(r, headers) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_status_edge_events_send_header(r, -1);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc == NGX_AGAIN ? NGX_OK : rc;
    }

    return NGX_OK;
}


/* a 200 event stream, of that length (-1: open) */

static ngx_int_t
ngx_http_status_edge_events_send_header(ngx_http_request_t *r, off_t length)
{
    r->headers_out.status = NGX_HTTP_OK;
    ngx_http_status_edge_set_type_length(r, &ngx_http_status_edge_events_type,
                                         length);

    /* never compressed, never in ranges: gzip would hold the events back */
    r->gzip_tested = 1;
    r->gzip_ok = 0;
    r->allow_ranges = 0;

    return ngx_http_send_header(r);
}


/*
 * A stream refused (the worker is at status_edge_events_max, or exiting)
 * is still a 200 event stream, which an EventSource retries: a 503 would
 * end it for good.  It carries the delay to retry after and the current
 * summary (unless Last-Event-ID has it), and then ends, with its length
 * known.  Retry-After says the delay to other clients; no-store keeps
 * caches from serving it as the stream.
 */

static ngx_int_t
ngx_http_status_edge_events_refuse(ngx_http_request_t *r, ngx_msec_t retry)
{
    off_t                             length;
    u_char                           *p;
    size_t                            len;
    uint64_t                          id, version;
    ngx_int_t                         rc;
    ngx_str_t                         after;
    ngx_buf_t                        *head, *doc, *tail;
    const char                       *bytes;
    ngx_chain_t                       out[3];
    ngx_http_status_edge_snapshot_t  *snap;
    ngx_http_status_edge_loc_conf_t  *slcf;

    static ngx_str_t  after_key = ngx_string("Retry-After");
    static ngx_str_t  headers[] = {
        ngx_string("Cache-Control"),
        ngx_string("no-store"),
        ngx_string("Access-Control-Allow-Origin"),
        ngx_string("*"),
        ngx_null_string
    };

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "status_edge: event stream refused, retry %M", retry);

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_status_edge_module);

    after.data = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
    head = ngx_create_temp_buf(r->pool, NGX_HTTP_STATUS_EDGE_EVENTS_HEAD);

    if (after.data == NULL || head == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    after.len = ngx_sprintf(after.data, "%M", (retry + 999) / 1000)
                - after.data;

    if (ngx_http_status_edge_add_headers(r, headers) != NGX_OK
        || ngx_http_status_edge_add_header(r, &after_key, &after) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_sprintf(head->last, NGX_HTTP_STATUS_EDGE_EVENTS_RETRY, retry);

    /* referenced until the request is freed */
    snap = ngx_http_status_edge_request_acquire(r, slcf->source);

    bytes = NULL;
    len = 0;

    if (snap) {
        version = se_state_version(snap->state);

        if (ngx_http_status_edge_last_event_id(r, &id) != NGX_OK
            || id != version)
        {
            bytes = se_state_doc(snap->state, SE_DOC_SUMMARY, &len);
            p = ngx_sprintf(p, NGX_HTTP_STATUS_EDGE_EVENTS_ID "%uL"
                            NGX_HTTP_STATUS_EDGE_EVENTS_DATA, version);
        }
    }

    head->last = p;

    length = (head->last - head->pos)
        + (bytes ? len + sizeof(ngx_http_status_edge_events_end_of_event) - 1
                 : 0);

    rc = ngx_http_status_edge_events_send_header(r, length);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out[0].buf = head;
    out[0].next = NULL;
    tail = head;

    if (bytes) {
        doc = ngx_calloc_buf(r->pool);
        tail = ngx_calloc_buf(r->pool);

        if (doc == NULL || tail == NULL) {
            return NGX_ERROR;
        }

        doc->pos = (u_char *) bytes;
        doc->last = (u_char *) bytes + len;
        doc->memory = 1;

        tail->pos = ngx_http_status_edge_events_end_of_event;
        tail->last = tail->pos
                     + sizeof(ngx_http_status_edge_events_end_of_event) - 1;
        tail->memory = 1;

        out[0].next = &out[1];
        out[1].buf = doc;
        out[1].next = &out[2];
        out[2].buf = tail;
        out[2].next = NULL;
    }

    tail->last_buf = 1;
    tail->last_in_chain = 1;

    return ngx_http_output_filter(r, out);
}


/* a delay from min to max ms, at random */

static ngx_msec_t
ngx_http_status_edge_events_jitter(ngx_msec_t min, ngx_msec_t max)
{
    return min + (ngx_msec_t) ngx_random() % (max - min + 1);
}


static ngx_int_t
ngx_http_status_edge_last_event_id(ngx_http_request_t *r, uint64_t *id)
{
    u_char           *p, *last;
    uint64_t          n;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                return NGX_DECLINED;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == sizeof("Last-Event-ID") - 1
            && ngx_strncasecmp(h[i].key.data, (u_char *) "Last-Event-ID",
                               sizeof("Last-Event-ID") - 1)
               == 0)
        {
            break;
        }
    }

    p = h[i].value.data;
    last = p + h[i].value.len;

    if (p == last || h[i].value.len > 19) {
        return NGX_DECLINED;
    }

    for (n = 0; p < last; p++) {
        if (*p < '0' || *p > '9') {
            return NGX_DECLINED;
        }

        n = n * 10 + (*p - '0');
    }

    *id = n;

    return NGX_OK;
}


/*
 * Sends the source's current summary unless the stream sent that state
 * last; while earlier output is still unwritten only marks the stream, so
 * a stream never has more than one event queued.
 */

static void
ngx_http_status_edge_events_push(ngx_http_status_edge_stream_t *s,
    ngx_uint_t retry)
{
    u_char                           *p;
    size_t                            len;
    uint64_t                          version, hash;
    const char                       *bytes;
    ngx_buf_t                        *b;
    ngx_http_status_edge_snapshot_t  *snap;

    if (s->busy) {
        s->pending = 1;
        return;
    }

    s->pending = 0;

    p = s->head;

    if (retry) {
        p = ngx_sprintf(p, NGX_HTTP_STATUS_EDGE_EVENTS_RETRY,
                        (ngx_msec_t) NGX_HTTP_STATUS_EDGE_EVENTS_RECONNECT);
    }

    snap = s->source->current;
    bytes = NULL;
    len = 0;

    if (snap) {
        version = se_state_version(snap->state);
        hash = se_state_hash(snap->state);

        if (!s->sent || s->version != version || s->hash != hash) {
            bytes = se_state_doc(snap->state, SE_DOC_SUMMARY, &len);
            s->version = version;
            s->hash = hash;
            s->sent = 1;
        }
    }

    if (bytes == NULL && p == s->head) {
        return;
    }

    ngx_memzero(s->buf, sizeof(s->buf));

    b = &s->buf[0];
    b->pos = s->head;
    b->memory = 1;

    if (bytes == NULL) {
        /* the retry field alone */
        b->last = p;
        b->flush = 1;
        s->out[0].next = NULL;
        ngx_http_status_edge_events_send(s, &s->out[0]);
        return;
    }

    b->last = ngx_sprintf(p, NGX_HTTP_STATUS_EDGE_EVENTS_ID "%uL"
                          NGX_HTTP_STATUS_EDGE_EVENTS_DATA, s->version);

    /* the snapshot's own bytes: referenced until they are written */

    b = &s->buf[1];
    b->pos = (u_char *) bytes;
    b->last = (u_char *) bytes + len;
    b->memory = 1;

    snap->refs++;
    s->held = snap;

    b = &s->buf[2];
    b->pos = ngx_http_status_edge_events_end_of_event;
    b->last = b->pos + sizeof(ngx_http_status_edge_events_end_of_event) - 1;
    b->memory = 1;
    b->flush = 1;

    s->out[0].next = &s->out[1];

    ngx_http_status_edge_events_send(s, &s->out[0]);
}


static void
ngx_http_status_edge_events_heartbeat(ngx_http_status_edge_stream_t *s)
{
    ngx_buf_t  *b;

    b = &s->buf[0];
    ngx_memzero(b, sizeof(ngx_buf_t));

    b->pos = ngx_http_status_edge_events_ping;
    b->last = b->pos + sizeof(ngx_http_status_edge_events_ping) - 1;
    b->memory = 1;
    b->flush = 1;

    s->out[0].next = NULL;

    ngx_http_status_edge_events_send(s, &s->out[0]);
}


static void
ngx_http_status_edge_events_send(ngx_http_status_edge_stream_t *s,
    ngx_chain_t *out)
{
    ngx_int_t  rc;

    s->busy = 1;
    s->written = ngx_current_msec;

    rc = ngx_http_output_filter(s->r, out);

    ngx_http_status_edge_events_written(s, rc);
}


/* after a write: frees what was sent, or waits for the client to read */

static void
ngx_http_status_edge_events_written(ngx_http_status_edge_stream_t *s,
    ngx_int_t rc)
{
    ngx_event_t               *wev;
    ngx_connection_t          *c;
    ngx_http_request_t        *r;
    ngx_http_core_loc_conf_t  *clcf;

    r = s->r;
    c = r->connection;
    wev = c->write;

    if (rc == NGX_ERROR || c->error) {
        if (s->opening) {
            s->failed = 1;
            return;
        }

        ngx_http_status_edge_events_finalize(r, NGX_ERROR);
        return;
    }

    if (r->out || r->buffered || c->buffered) {

        /*
         * a slow reader: closed when it reads nothing for send_timeout;
         * the timer starts again whenever a write made progress
         */

        clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

        if (!wev->delayed) {
            ngx_add_timer(wev, clcf->send_timeout);
        }

        if (ngx_handle_write_event(wev, clcf->send_lowat) != NGX_OK) {
            if (s->opening) {
                s->failed = 1;
                return;
            }

            ngx_http_status_edge_events_finalize(r, NGX_ERROR);
        }

        return;
    }

    if (wev->timer_set) {
        wev->delayed = 0;
        ngx_del_timer(wev);
    }

    s->busy = 0;

    if (s->held) {
        ngx_http_status_edge_release(s->held);
        s->held = NULL;
    }

    if (s->pending) {
        ngx_http_status_edge_events_push(s, 0);
    }
}


static void
ngx_http_status_edge_events_writer(ngx_http_request_t *r)
{
    ngx_int_t                       rc;
    ngx_event_t                    *wev;
    ngx_http_status_edge_stream_t  *s;

    s = ngx_http_status_edge_events_stream(r);
    wev = r->connection->write;

    if (wev->timedout) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, NGX_ETIMEDOUT,
                      "status_edge: event stream client timed out");
        r->connection->timedout = 1;
        ngx_http_status_edge_events_finalize(r, NGX_HTTP_REQUEST_TIME_OUT);
        return;
    }

    if (s == NULL || !s->busy) {
        return;
    }

    if (wev->delayed) {
        return;
    }

    rc = ngx_http_output_filter(r, NULL);

    ngx_http_status_edge_events_written(s, rc);
}


/*
 * A reload or shutdown: the stream ends as a response does (the last
 * chunk, or END_STREAM), after a retry field with a random delay, so the
 * clients of all the streams come back to the new workers spread over
 * seconds, each with its Last-Event-ID.  A stream with output still
 * unwritten (a slow reader) is closed: the worker does not wait for it.
 */

static void
ngx_http_status_edge_events_end(ngx_http_status_edge_stream_t *s)
{
    ngx_int_t            rc;
    ngx_buf_t           *b;
    ngx_msec_t           retry;
    ngx_http_request_t  *r;

    r = s->r;

    if (s->busy) {
        ngx_http_status_edge_events_finalize(r, NGX_ERROR);
        return;
    }

    retry = ngx_http_status_edge_events_jitter(
                                       NGX_HTTP_STATUS_EDGE_EVENTS_EXIT_MIN,
                                       NGX_HTTP_STATUS_EDGE_EVENTS_EXIT_MAX);

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "status_edge: event stream ended by exit, retry %M",
                   retry);

    b = &s->buf[0];
    ngx_memzero(b, sizeof(ngx_buf_t));

    b->pos = s->head;
    b->last = ngx_sprintf(s->head, NGX_HTTP_STATUS_EDGE_EVENTS_RETRY, retry);
    b->memory = 1;
    b->flush = 1;
    b->last_buf = 1;
    b->last_in_chain = 1;

    s->out[0].next = NULL;

    rc = ngx_http_output_filter(r, &s->out[0]);

    ngx_http_status_edge_events_finalize(r, rc == NGX_ERROR ? NGX_ERROR
                                                            : NGX_OK);
}


static void
ngx_http_status_edge_events_finalize(ngx_http_request_t *r, ngx_int_t rc)
{
    ngx_connection_t  *c;

    c = r->connection;

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


static void
ngx_http_status_edge_events_cleanup(void *data)
{
    ngx_http_status_edge_stream_t  *s = data;

    if (ngx_http_status_edge_events_cursor == &s->queue) {
        ngx_http_status_edge_events_cursor = ngx_queue_next(&s->queue);
    }

    ngx_queue_remove(&s->queue);
    ngx_http_status_edge_stats.events_open--;

    if (s->held) {
        ngx_http_status_edge_release(s->held);
        s->held = NULL;
    }

    if (ngx_queue_empty(&ngx_http_status_edge_streams)
        && ngx_http_status_edge_events_pass_ev.posted)
    {
        ngx_http_status_edge_events_cursor = NULL;
        ngx_delete_posted_event(&ngx_http_status_edge_events_pass_ev);
    }

    if (ngx_queue_empty(&ngx_http_status_edge_streams)
        && ngx_http_status_edge_events_timer.timer_set)
    {
        ngx_del_timer(&ngx_http_status_edge_events_timer);
        ngx_http_status_edge_heartbeat_due = 0;
    }
}


/*
 * The request's stream, found by its pool cleanup: the module's request
 * context belongs to the banner filter, and a request has few cleanups.
 */

static ngx_http_status_edge_stream_t *
ngx_http_status_edge_events_stream(ngx_http_request_t *r)
{
    ngx_pool_cleanup_t  *cln;

    for (cln = r->pool->cleanup; cln; cln = cln->next) {
        if (cln->handler == ngx_http_status_edge_events_cleanup) {
            return cln->data;
        }
    }

    return NULL;
}


/*
 * A published state (a publication hook, added by the module file): a
 * pass over the worker's streams sends it to those of the source, a batch
 * per turn of the event loop, so that thousands of streams do not hold up
 * the worker's other connections.  A newer state during a pass starts it
 * again: the streams passed already skip it.
 */

void
ngx_http_status_edge_events_notify(ngx_http_status_edge_source_t *source)
{
    ngx_event_t  *ev;

    if (ngx_queue_prev(&ngx_http_status_edge_streams) == NULL
        || ngx_queue_empty(&ngx_http_status_edge_streams))
    {
        return;
    }

    ngx_http_status_edge_events_cursor =
                                ngx_queue_head(&ngx_http_status_edge_streams);

    ev = &ngx_http_status_edge_events_pass_ev;

    if (!ev->posted) {
        ev->handler = ngx_http_status_edge_events_pass;
        ev->log = ngx_cycle->log;
        ev->data = NULL;

        ngx_http_status_edge_events_pass(ev);
    }
}


static void
ngx_http_status_edge_events_pass(ngx_event_t *ev)
{
    ngx_uint_t                      n;
    ngx_queue_t                    *q;
    ngx_http_status_edge_stream_t  *s;

    for (n = 0; n < NGX_HTTP_STATUS_EDGE_EVENTS_BATCH; n++) {
        q = ngx_http_status_edge_events_cursor;

        if (q == NULL
            || q == ngx_queue_sentinel(&ngx_http_status_edge_streams))
        {
            ngx_http_status_edge_events_cursor = NULL;
            return;
        }

        /* moved on first: the push may end this stream, or others */
        ngx_http_status_edge_events_cursor = ngx_queue_next(q);

        s = ngx_queue_data(q, ngx_http_status_edge_stream_t, queue);
        ngx_http_status_edge_events_push(s, 0);
    }

    if (ngx_http_status_edge_events_cursor
        && ngx_http_status_edge_events_cursor
           != ngx_queue_sentinel(&ngx_http_status_edge_streams))
    {
        /* the rest after the loop has looked at the sockets once */
        ngx_post_event(ev, &ngx_posted_next_events);

    } else {
        ngx_http_status_edge_events_cursor = NULL;
    }
}


static void
ngx_http_status_edge_events_tick(ngx_event_t *ev)
{
    ngx_msec_t                      now, due, at;
    ngx_queue_t                    *q, *next;
    ngx_http_status_edge_stream_t  *s;

    if (ngx_queue_prev(&ngx_http_status_edge_streams) == NULL
        || ngx_queue_empty(&ngx_http_status_edge_streams))
    {
        return;
    }

    if (ngx_exiting || ngx_terminate || ngx_quit) {

        /* each end unlinks its stream; the timer is not armed again */

        ngx_http_status_edge_events_cursor = NULL;

        if (ngx_http_status_edge_events_pass_ev.posted) {
            ngx_delete_posted_event(&ngx_http_status_edge_events_pass_ev);
        }

        while (!ngx_queue_empty(&ngx_http_status_edge_streams)) {
            q = ngx_queue_head(&ngx_http_status_edge_streams);
            s = ngx_queue_data(q, ngx_http_status_edge_stream_t, queue);

            ngx_queue_remove(q);
            ngx_queue_init(q);

            ngx_http_status_edge_events_end(s);
        }

        return;
    }

    now = ngx_current_msec;

    if (ngx_http_status_edge_heartbeat_due
        && (ngx_msec_int_t) (now - ngx_http_status_edge_heartbeat_due) >= 0)
    {
        due = 0;

        for (q = ngx_queue_head(&ngx_http_status_edge_streams);
             q != ngx_queue_sentinel(&ngx_http_status_edge_streams);
             q = next)
        {
            next = ngx_queue_next(q);
            s = ngx_queue_data(q, ngx_http_status_edge_stream_t, queue);

            if (s->heartbeat == 0) {
                continue;
            }

            if (!s->busy
                && (ngx_msec_int_t) (now - s->written - s->heartbeat)
                   > -(NGX_HTTP_STATUS_EDGE_EVENTS_TICK / 2))
            {
                ngx_http_status_edge_events_heartbeat(s);
                at = now + s->heartbeat;

            } else {
                at = s->written + s->heartbeat;
            }

            if (due == 0 || (ngx_msec_int_t) (at - due) < 0) {
                due = at;
            }
        }

        ngx_http_status_edge_heartbeat_due = due;
    }

    if (!ngx_queue_empty(&ngx_http_status_edge_streams)
        && !ev->timer_set)
    {
        ngx_add_timer(ev, NGX_HTTP_STATUS_EDGE_EVENTS_TICK);
    }
}


/* status_edge_events_max N: streams per worker, 1 to 1000000 */

char *
ngx_http_status_edge_events_max_slot(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_status_edge_loc_conf_t *slcf = conf;

    ngx_int_t   n;
    ngx_str_t  *value;

    if (slcf->events_max != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    n = ngx_atoi(value[1].data, value[1].len);

    if (n == NGX_ERROR || n < 1 || n > 1000000) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\": a number of "
                           "streams from 1 to 1000000",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    slcf->events_max = n;

    return NGX_CONF_OK;
}


/* status_edge_events_heartbeat TIME | off; 0 is off too */

char *
ngx_http_status_edge_events_heartbeat_slot(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf)
{
    ngx_http_status_edge_loc_conf_t *slcf = conf;

    ngx_int_t   n;
    ngx_str_t  *value;

    if (slcf->events_heartbeat != NGX_CONF_UNSET_MSEC) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 3
        && ngx_strncmp(value[1].data, "off", 3) == 0)
    {
        slcf->events_heartbeat = 0;
        return NGX_CONF_OK;
    }

    n = ngx_parse_time(&value[1], 0);

    if (n == NGX_ERROR || (n > 0 && n < 100) || n > 3600000) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\": \"off\" or a "
                           "time from 100ms to 1h",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    slcf->events_heartbeat = n;

    return NGX_CONF_OK;
}
