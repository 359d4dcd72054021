/*
 * sse_clients: N concurrent Server-Sent Events streams on one epoll loop,
 * for tools/bench (part "events").
 *
 *   sse_clients PORT PATH N
 *
 * Opens N connections to 127.0.0.1:PORT, GET PATH over HTTP/1.1, and
 * follows the "id: " lines of each stream (any framing, any split across
 * reads).  Talks to the bench on stdin/stdout, one line each:
 *
 *   prints  "ready N OPEN FAILED"   once every stream got an event id
 *                                   (or after 60 s: OPEN of N did)
 *   reads   "wait V"                takes t0 now, then waits until every
 *                                   open stream saw an id >= V (10 s at
 *                                   most) and prints
 *           "done GOT N P50 P99 MAX WITHIN1S" latencies in ms from t0
 *   reads   "quit"                  closes everything and exits
 *
 * Raises RLIMIT_NOFILE to its hard limit.  Exit 0, or 1 with a message.
 */

#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>


#define LINE_MAX_KEEP  32


typedef struct {
    int       fd;
    int       sent;        /* request written */
    int       closed;
    uint64_t  last_id;     /* highest id seen, + 1 (0: none) */
    int64_t   got_at;      /* ns, when the awaited id arrived */
    int       line_len;    /* bytes kept of the current line */
    int       line_skip;   /* the current line is not an id line */
    char      line[LINE_MAX_KEEP];
} conn_t;


static conn_t    *conns;
static int        nconns;
static int        ep;
static uint64_t   awaited;     /* id + 1 */
static int        waiting;
static int        pending;     /* streams without the awaited id */
static char       request[512];
static size_t     request_len;


static int64_t
now_ns(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}


static void
die(const char *msg)
{
    fprintf(stderr, "sse_clients: %s: %s\n", msg, strerror(errno));
    exit(1);
}


static void
seen_id(conn_t *c, uint64_t id)
{
    if (id + 1 > c->last_id) {
        c->last_id = id + 1;
    }

    if (waiting && c->got_at == 0 && c->last_id >= awaited) {
        c->got_at = now_ns();
        pending--;
    }
}


/* the body and headers alike: only lines "id: <digits>" count */

static void
feed(conn_t *c, const char *p, size_t n)
{
    size_t    i;
    uint64_t  id;
    int       k;

    for (i = 0; i < n; i++) {
        char  ch = p[i];

        if (ch == '\n' || ch == '\r') {
            if (!c->line_skip && c->line_len > 4
                && memcmp(c->line, "id: ", 4) == 0)
            {
                id = 0;
                for (k = 4; k < c->line_len; k++) {
                    if (c->line[k] < '0' || c->line[k] > '9') {
                        break;
                    }
                    id = id * 10 + (c->line[k] - '0');
                }

                if (k == c->line_len) {
                    seen_id(c, id);
                }
            }

            c->line_len = 0;
            c->line_skip = 0;
            continue;
        }

        if (c->line_skip) {
            continue;
        }

        if (c->line_len == LINE_MAX_KEEP
            || (c->line_len < 4 && ch != "id: "[c->line_len]))
        {
            c->line_skip = 1;
            continue;
        }

        c->line[c->line_len++] = ch;
    }
}


static void
close_conn(conn_t *c)
{
    if (c->closed) {
        return;
    }

    close(c->fd);
    c->closed = 1;

    if (waiting && c->got_at == 0) {
        pending--;
    }
}


static void
on_event(conn_t *c, uint32_t events)
{
    char     buf[16384];
    ssize_t  n;

    if (c->closed) {
        return;
    }

    if ((events & EPOLLOUT) && !c->sent) {
        n = send(c->fd, request, request_len, MSG_NOSIGNAL);
        if (n != (ssize_t) request_len) {
            close_conn(c);
            return;
        }

        c->sent = 1;
    }

    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        for ( ;; ) {
            n = recv(c->fd, buf, sizeof(buf), 0);

            if (n > 0) {
                feed(c, buf, n);
                continue;
            }

            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                break;
            }

            close_conn(c);
            break;
        }
    }
}


static void
poll_once(int timeout_ms)
{
    int                 i, n;
    struct epoll_event  ev[1024];

    n = epoll_wait(ep, ev, 1024, timeout_ms);

    if (n < 0 && errno != EINTR) {
        die("epoll_wait");
    }

    for (i = 0; i < n; i++) {
        on_event(&conns[ev[i].data.u32], ev[i].events);
    }
}


static int
cmp_i64(const void *a, const void *b)
{
    int64_t  x = *(const int64_t *) a, y = *(const int64_t *) b;

    return (x > y) - (x < y);
}


static void
wait_for(uint64_t id)
{
    int       i, got, within;
    int64_t   t0, *lat, deadline;

    t0 = now_ns();
    awaited = id + 1;
    waiting = 1;
    pending = 0;

    for (i = 0; i < nconns; i++) {
        conns[i].got_at = 0;

        if (conns[i].closed) {
            continue;
        }

        if (conns[i].last_id >= awaited) {
            conns[i].got_at = t0;
        } else {
            pending++;
        }
    }

    deadline = t0 + 10 * (int64_t) 1000000000;

    while (pending > 0 && now_ns() < deadline) {
        poll_once(50);
    }

    waiting = 0;

    lat = calloc(nconns, sizeof(int64_t));
    if (lat == NULL) {
        die("calloc");
    }

    got = 0;
    within = 0;

    for (i = 0; i < nconns; i++) {
        if (conns[i].got_at) {
            lat[got] = conns[i].got_at - t0;
            if (lat[got] <= 1000000000) {
                within++;
            }
            got++;
        }
    }

    qsort(lat, got, sizeof(int64_t), cmp_i64);

    if (got == 0) {
        printf("done 0 %d - - - 0\n", nconns);

    } else {
        printf("done %d %d %.2f %.2f %.2f %d\n", got, nconns,
               lat[(got - 1) / 2] / 1e6,
               lat[(int) ((got * 99 + 99) / 100) - 1] / 1e6,
               lat[got - 1] / 1e6, within);
    }

    fflush(stdout);
    free(lat);
}


int
main(int argc, char **argv)
{
    int                  i, fd, port, open_n, failed, with_id, one = 1;
    char                 cmd[128];
    int64_t              deadline;
    struct rlimit        rl;
    struct sockaddr_in   sin;
    struct epoll_event   ev;

    if (argc != 4) {
        fprintf(stderr, "usage: sse_clients PORT PATH N\n");
        return 1;
    }

    port = atoi(argv[1]);
    nconns = atoi(argv[3]);

    if (port <= 0 || nconns <= 0) {
        fprintf(stderr, "sse_clients: bad PORT or N\n");
        return 1;
    }

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);

        if ((rlim_t) nconns + 16 > rl.rlim_cur) {
            fprintf(stderr, "sse_clients: RLIMIT_NOFILE %lu is too low for "
                    "%d streams\n", (unsigned long) rl.rlim_cur, nconns);
            return 1;
        }
    }

    request_len = snprintf(request, sizeof(request),
                           "GET %s HTTP/1.1\r\nHost: localhost\r\n"
                           "Accept: text/event-stream\r\n\r\n", argv[2]);

    conns = calloc(nconns, sizeof(conn_t));
    if (conns == NULL) {
        die("calloc");
    }

    ep = epoll_create1(0);
    if (ep < 0) {
        die("epoll_create1");
    }

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    failed = 0;

    for (i = 0; i < nconns; i++) {
        conn_t  *c = &conns[i];

        fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            die("socket");
        }

        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

        c->fd = fd;

        if (connect(fd, (struct sockaddr *) &sin, sizeof(sin)) < 0
            && errno != EINPROGRESS)
        {
            close(fd);
            c->closed = 1;
            failed++;
            continue;
        }

        ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
        ev.data.u32 = i;

        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
            die("epoll_ctl");
        }

        /* not all at once: the listen queue holds a few thousand */
        if (i % 500 == 499) {
            poll_once(0);
        }
    }

    deadline = now_ns() + 60 * (int64_t) 1000000000;

    for ( ;; ) {
        with_id = 0;
        open_n = 0;

        for (i = 0; i < nconns; i++) {
            if (!conns[i].closed) {
                open_n++;
                if (conns[i].last_id) {
                    with_id++;
                }
            }
        }

        if (with_id == open_n || now_ns() > deadline) {
            break;
        }

        poll_once(100);
    }

    printf("ready %d %d %d\n", nconns, with_id, nconns - open_n);
    fflush(stdout);

    while (fgets(cmd, sizeof(cmd), stdin)) {
        unsigned long long  v;

        if (sscanf(cmd, "wait %llu", &v) == 1) {
            wait_for(v);
            continue;
        }

        if (strncmp(cmd, "quit", 4) == 0) {
            break;
        }
    }

    for (i = 0; i < nconns; i++) {
        if (!conns[i].closed) {
            close(conns[i].fd);
        }
    }

    return 0;
}
