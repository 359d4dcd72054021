/*
 * One synchronous Redis connection of the admin tool (se_cli_conn.h): a
 * non-blocking socket waited on with poll() against a deadline, so that
 * connecting, the TLS handshake and every reply are bounded in time;
 * OpenSSL on top for TLS; hiredis' reader and formatter for RESP.
 *
 * SIGPIPE: a write to a connection the peer closed must fail with EPIPE,
 * not kill the tool.  Plain sends use MSG_NOSIGNAL; OpenSSL writes with
 * write(2), so SIGPIPE is blocked around each OpenSSL call and one that
 * was raised meanwhile is taken off before it is unblocked.  The signal
 * keeps its default action for the tool's own output (a closed pipe on
 * stdout still ends it quietly, as before).
 */

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "se_cli.h"
#include "se_cli_conn.h"
#include "se_redis_raw.h"

#define SE_CONN_READ_SIZE  65536

struct se_tls_s {
    SSL_CTX            *ctx;
    int                 client_cert;
};

struct se_conn_s {
    int                 fd;
    SSL                *ssl;
    redisReader        *reader;
    int                 reply_ms;
    int                 failed;
    char                error[512];
};


static int64_t
se_now_ms(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


static void
se_sigpipe_block(sigset_t *old)
{
    sigset_t  set;

    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    sigprocmask(SIG_BLOCK, &set, old);
}


static void
se_sigpipe_unblock(const sigset_t *old)
{
    sigset_t         set, pending;
    struct timespec  zero;

    if (!sigismember(old, SIGPIPE)
        && sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE))
    {
        sigemptyset(&set);
        sigaddset(&set, SIGPIPE);
        zero.tv_sec = 0;
        zero.tv_nsec = 0;

        while (sigtimedwait(&set, NULL, &zero) == -1 && errno == EINTR) {
            /* again */
        }
    }

    sigprocmask(SIG_SETMASK, old, NULL);
}


/* OpenSSL's newest error reason, or dflt */
static const char *
se_ssl_reason(const char *dflt)
{
    unsigned long  e;
    const char    *s;

    e = ERR_peek_last_error();
    s = e ? ERR_reason_error_string(e) : NULL;

    ERR_clear_error();

    return s ? s : dflt;
}


/* "--cacert" FILE: readable, else why */
static const char *
se_tls_file(const char *opt, const char *file)
{
    FILE  *f;

    f = fopen(file, "r");
    if (f == NULL) {
        return se_sprintf("cannot read %s %s: %s", opt, se_q(file),
                          strerror(errno));
    }

    fclose(f);

    return NULL;
}


se_tls_t *
se_tls_create(const char *cacert, const char *cert, const char *key,
    const char **why)
{
    se_tls_t  *tls;

    if ((cert == NULL) != (key == NULL)) {
        *why = cert ? "--cert needs --key (the client certificate's key)"
                    : "--key needs --cert (the client certificate)";
        return NULL;
    }

    *why = cacert ? se_tls_file("--cacert", cacert) : NULL;
    if (*why == NULL && cert) {
        *why = se_tls_file("--cert", cert);
    }
    if (*why == NULL && key) {
        *why = se_tls_file("--key", key);
    }
    if (*why) {
        return NULL;
    }

    tls = malloc(sizeof(se_tls_t));
    if (tls == NULL) {
        *why = "out of memory";
        return NULL;
    }

    tls->client_cert = cert != NULL;
    tls->ctx = SSL_CTX_new(TLS_client_method());
    if (tls->ctx == NULL) {
        *why = se_sprintf("TLS: %s", se_ssl_reason("cannot start OpenSSL"));
        free(tls);
        return NULL;
    }

    SSL_CTX_set_min_proto_version(tls->ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(tls->ctx, SSL_VERIFY_PEER, NULL);

    if (cacert) {
        if (SSL_CTX_load_verify_locations(tls->ctx, cacert, NULL) != 1) {
            *why = se_sprintf("cannot use --cacert %s: %s", se_q(cacert),
                              se_ssl_reason("not a PEM certificate"));
        }

    } else if (SSL_CTX_set_default_verify_paths(tls->ctx) != 1) {
        *why = se_sprintf("cannot load the system's CA certificates: %s",
                          se_ssl_reason("unknown error"));
    }

    if (*why == NULL && cert) {
        if (SSL_CTX_use_certificate_chain_file(tls->ctx, cert) != 1) {
            *why = se_sprintf("cannot use --cert %s: %s", se_q(cert),
                              se_ssl_reason("not a PEM certificate"));

        } else if (SSL_CTX_use_PrivateKey_file(tls->ctx, key,
                                               SSL_FILETYPE_PEM) != 1)
        {
            *why = se_sprintf("cannot use --key %s with --cert %s: %s",
                              se_q(key), se_q(cert),
                              se_ssl_reason("not a PEM private key"));

        } else if (SSL_CTX_check_private_key(tls->ctx) != 1) {
            *why = se_sprintf("--key %s is not the key of --cert %s: %s",
                              se_q(key), se_q(cert),
                              se_ssl_reason("they do not match"));
        }
    }

    if (*why) {
        se_tls_free(tls);
        return NULL;
    }

    return tls;
}


void
se_tls_free(se_tls_t *tls)
{
    if (tls) {
        SSL_CTX_free(tls->ctx);
        free(tls);
    }
}


static void
se_conn_fail(se_conn_t *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));


static void
se_conn_fail(se_conn_t *c, const char *fmt, ...)
{
    va_list  ap;

    if (c->failed) {
        return;
    }

    c->failed = 1;

    va_start(ap, fmt);
    vsnprintf(c->error, sizeof(c->error), fmt, ap);
    va_end(ap);
}


/* waits for events on the socket until deadline: SE_OK, or failed */
static int
se_conn_wait(se_conn_t *c, short events, int64_t deadline,
    const char *doing)
{
    struct pollfd  pfd;
    int64_t        left;
    int            n;

    for ( ;; ) {
        left = deadline - se_now_ms();

        if (left <= 0) {
            se_conn_fail(c, "timed out after %d ms %s", c->reply_ms,
                         doing);
            return SE_ERROR;
        }

        pfd.fd = c->fd;
        pfd.events = events;
        pfd.revents = 0;

        n = poll(&pfd, 1, (int) left);

        if (n > 0) {
            return SE_OK;
        }

        if (n < 0 && errno != EINTR) {
            se_conn_fail(c, "poll: %s", strerror(errno));
            return SE_ERROR;
        }
    }
}


/* after an OpenSSL call returned rc: waits and SE_AGAIN, or failed */
static int
se_conn_ssl_again(se_conn_t *c, int rc, int64_t deadline,
    const char *doing)
{
    const char  *reason;
    int          e;

    e = SSL_get_error(c->ssl, rc);

    switch (e) {

    case SSL_ERROR_WANT_READ:
        return se_conn_wait(c, POLLIN, deadline, doing) == SE_OK
               ? SE_AGAIN : SE_ERROR;

    case SSL_ERROR_WANT_WRITE:
        return se_conn_wait(c, POLLOUT, deadline, doing) == SE_OK
               ? SE_AGAIN : SE_ERROR;

    case SSL_ERROR_ZERO_RETURN:
        se_conn_fail(c, "the server closed the connection");
        return SE_ERROR;

    case SSL_ERROR_SYSCALL:
        if (ERR_peek_last_error() == 0) {
            if (errno == 0 || errno == EPIPE || errno == ECONNRESET) {
                se_conn_fail(c, "the server closed the connection");

            } else {
                se_conn_fail(c, "%s", strerror(errno));
            }

            return SE_ERROR;
        }

        /* fall through */

    default:
        reason = se_ssl_reason("protocol error");

        se_conn_fail(c, "TLS: %s%s",
                     strstr(reason, "certificate required")
                     ? "the server wants a client certificate (--cert and "
                       "--key): " : "",
                     reason);
        return SE_ERROR;
    }
}


static int
se_conn_send(se_conn_t *c, const char *buf, size_t len, int64_t deadline)
{
    sigset_t  old;
    ssize_t   n;
    int       rc;

    while (len > 0) {
        if (c->ssl) {
            ERR_clear_error();
            se_sigpipe_block(&old);
            rc = SSL_write(c->ssl, buf, (int) len);
            n = rc;
            if (rc <= 0) {
                rc = se_conn_ssl_again(c, rc, deadline, "sending");
            }
            se_sigpipe_unblock(&old);

            if (n <= 0) {
                if (rc != SE_AGAIN) {
                    return SE_ERROR;
                }
                continue;
            }

        } else {
            n = send(c->fd, buf, len, MSG_NOSIGNAL);

            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }

                if (errno == EAGAIN || errno == EWOULDBLOCK) {
                    if (se_conn_wait(c, POLLOUT, deadline, "sending")
                        != SE_OK)
                    {
                        return SE_ERROR;
                    }
                    continue;
                }

                if (errno == EPIPE || errno == ECONNRESET) {
                    se_conn_fail(c, "the server closed the connection");

                } else {
                    se_conn_fail(c, "%s", strerror(errno));
                }

                return SE_ERROR;
            }
        }

        buf += n;
        len -= (size_t) n;
    }

    return SE_OK;
}


/* some bytes into buf: their number, or -1 (failed) */
static ssize_t
se_conn_recv(se_conn_t *c, char *buf, size_t size, int64_t deadline)
{
    sigset_t  old;
    ssize_t   n;
    int       rc;

    for ( ;; ) {
        if (c->ssl) {
            ERR_clear_error();
            se_sigpipe_block(&old);
            rc = SSL_read(c->ssl, buf, (int) size);
            n = rc;
            if (rc <= 0) {
                rc = se_conn_ssl_again(c, rc, deadline, "waiting for the "
                                       "reply");
            }
            se_sigpipe_unblock(&old);

            if (n > 0) {
                return n;
            }

            if (rc != SE_AGAIN) {
                return -1;
            }

            continue;
        }

        n = recv(c->fd, buf, size, 0);

        if (n > 0) {
            return n;
        }

        if (n == 0) {
            se_conn_fail(c, "the server closed the connection");
            return -1;
        }

        if (errno == EINTR) {
            continue;
        }

        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            se_conn_fail(c, "%s", errno == ECONNRESET
                                  ? "the server closed the connection"
                                  : strerror(errno));
            return -1;
        }

        if (se_conn_wait(c, POLLIN, deadline, "waiting for the reply")
            != SE_OK)
        {
            return -1;
        }
    }
}


/* sends one formatted command, reads its reply */
static redisReply *
se_conn_exchange(se_conn_t *c, const char *cmd, int len)
{
    void     *reply;
    char      buf[SE_CONN_READ_SIZE];
    int64_t   deadline;
    ssize_t   n;

    if (len < 0) {
        se_conn_fail(c, "out of memory");
        return NULL;
    }

    if (c->failed) {
        return NULL;
    }

    deadline = se_now_ms() + c->reply_ms;

    if (se_conn_send(c, cmd, (size_t) len, deadline) != SE_OK) {
        return NULL;
    }

    for ( ;; ) {
        reply = NULL;

        if (redisReaderGetReply(c->reader, &reply) != REDIS_OK) {
            se_conn_fail(c, "a bad reply (%s)", c->reader->errstr);
            return NULL;
        }

        if (reply) {
            return reply;
        }

        n = se_conn_recv(c, buf, sizeof(buf), deadline);
        if (n < 0) {
            return NULL;
        }

        if (redisReaderFeed(c->reader, buf, (size_t) n) != REDIS_OK) {
            se_conn_fail(c, "a bad reply (%s)", c->reader->errstr);
            return NULL;
        }
    }
}


redisReply *
se_conn_vcommand(se_conn_t *c, const char *fmt, va_list ap)
{
    redisReply  *r;
    char        *cmd;
    int          len;

    cmd = NULL;
    len = redisvFormatCommand(&cmd, fmt, ap);

    r = se_conn_exchange(c, cmd, len);

    if (len >= 0) {
        redisFreeCommand(cmd);
    }

    return r;
}


redisReply *
se_conn_command(se_conn_t *c, const char *fmt, ...)
{
    va_list      ap;
    redisReply  *r;

    va_start(ap, fmt);
    r = se_conn_vcommand(c, fmt, ap);
    va_end(ap);

    return r;
}


redisReply *
se_conn_argv(se_conn_t *c, int argc, const char **argv,
    const size_t *argvlen)
{
    redisReply  *r;
    char        *cmd;
    int          len;

    cmd = NULL;
    len = redisFormatCommandArgv(&cmd, argc, argv, argvlen);

    r = se_conn_exchange(c, cmd, len);

    if (len >= 0) {
        redisFreeCommand(cmd);
    }

    return r;
}


const char *
se_conn_error(const se_conn_t *c)
{
    return c->error;
}


/* a connected socket, or -1 and c->error */
static int
se_conn_socket(se_conn_t *c, const char *host, int port, const char *path,
    int connect_ms, int64_t deadline)
{
    struct addrinfo     hints, *res, *ai;
    struct sockaddr_un  sun;
    char                service[8];
    socklen_t           len;
    int                 fd, rc, err, one;

    if (path) {
        if (strlen(path) >= sizeof(sun.sun_path)) {
            se_conn_fail(c, "the socket path is too long");
            return -1;
        }

        memset(&sun, 0, sizeof(sun));
        sun.sun_family = AF_UNIX;
        memcpy(sun.sun_path, path, strlen(path));

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            se_conn_fail(c, "socket: %s", strerror(errno));
            return -1;
        }

        if (connect(fd, (struct sockaddr *) &sun, sizeof(sun)) == 0) {
            return fd;
        }

        se_conn_fail(c, "%s", strerror(errno));
        close(fd);

        return -1;
    }

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(service, sizeof(service), "%d", port);

    rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        se_conn_fail(c, "cannot resolve %s: %s", se_q(host),
                     gai_strerror(rc));
        return -1;
    }

    fd = -1;
    err = ECONNREFUSED;

    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family,
                    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }

        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            break;
        }

        err = errno;

        if (err == EINPROGRESS) {
            c->fd = fd;
            c->reply_ms = connect_ms;

            if (se_conn_wait(c, POLLOUT, deadline, "connecting") != SE_OK) {
                close(fd);
                fd = -1;
                break;
            }

            len = sizeof(err);
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0
                && err == 0)
            {
                break;
            }
        }

        close(fd);
        fd = -1;
    }

    freeaddrinfo(res);

    if (fd < 0) {
        se_conn_fail(c, "%s", strerror(err));
        return -1;
    }

    one = 1;
    (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

    return fd;
}


static int
se_is_ip(const char *s)
{
    struct in6_addr  a;

    return inet_pton(AF_INET, s, &a) == 1 || inet_pton(AF_INET6, s, &a) == 1;
}


static int
se_conn_handshake(se_conn_t *c, se_tls_t *tls, const char *name,
    int64_t deadline)
{
    X509_VERIFY_PARAM  *param;
    sigset_t            old;
    long                v;
    int                 rc;

    c->ssl = SSL_new(tls->ctx);
    if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
        se_conn_fail(c, "TLS: %s", se_ssl_reason("out of memory"));
        return SE_ERROR;
    }

    param = SSL_get0_param(c->ssl);
    X509_VERIFY_PARAM_set_hostflags(param,
                                    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);

    if (se_is_ip(name)) {
        rc = X509_VERIFY_PARAM_set1_ip_asc(param, name);

    } else {
        rc = SSL_set1_host(c->ssl, name) == 1
             && SSL_set_tlsext_host_name(c->ssl, name) == 1;
    }

    if (rc != 1) {
        se_conn_fail(c, "TLS: cannot check the name %s: %s", se_q(name),
                     se_ssl_reason("a bad name"));
        return SE_ERROR;
    }

    do {
        ERR_clear_error();
        se_sigpipe_block(&old);
        rc = SSL_connect(c->ssl);

        if (rc == 1) {
            rc = SE_OK;

        } else if (SSL_get_verify_result(c->ssl) != X509_V_OK) {
            rc = SE_ERROR;

        } else {
            rc = se_conn_ssl_again(c, rc, deadline, "in the TLS handshake");
        }

        se_sigpipe_unblock(&old);

    } while (rc == SE_AGAIN);

    if (rc == SE_OK) {
        return SE_OK;
    }

    v = SSL_get_verify_result(c->ssl);

    if (v == X509_V_ERR_HOSTNAME_MISMATCH
        || v == X509_V_ERR_IP_ADDRESS_MISMATCH)
    {
        se_conn_fail(c, "TLS: the server's certificate is not valid for "
                     "%s (%s)", se_q(name), X509_verify_cert_error_string(v));

    } else if (v != X509_V_OK) {
        se_conn_fail(c, "TLS: the server's certificate cannot be "
                     "verified: %s", X509_verify_cert_error_string(v));
    }

    return SE_ERROR;
}


se_conn_t *
se_conn_open(const char *host, int port, const char *path, se_tls_t *tls,
    const char *name, int connect_ms, int reply_ms, const char **why)
{
    se_conn_t   *c;
    redisReply  *r;
    int64_t      deadline;

    c = calloc(1, sizeof(se_conn_t));
    if (c == NULL) {
        *why = "out of memory";
        return NULL;
    }

    c->fd = -1;
    deadline = se_now_ms() + connect_ms;

    c->reader = redisReaderCreate();
    if (c->reader == NULL) {
        se_conn_fail(c, "out of memory");
        goto failed;
    }

    se_redis_reader_limit(c->reader);

    c->fd = se_conn_socket(c, host, port, path, connect_ms, deadline);
    if (c->fd < 0) {
        goto failed;
    }

    c->reply_ms = connect_ms;

    if (tls) {
        if (se_conn_handshake(c, tls, name ? name : host, deadline)
            != SE_OK)
        {
            goto failed;
        }

        /*
         * With TLS 1.3 a server that wants a client certificate it did
         * not get says so only after the handshake: a PING (any reply,
         * NOAUTH too) tells that it took the connection.  Its alert is
         * lost when the PING reaches a socket it already closed.
         */
        r = se_conn_command(c, "PING");
        if (r == NULL) {
            if (!tls->client_cert
                && strcmp(c->error, "the server closed the connection") == 0)
            {
                snprintf(c->error, sizeof(c->error), "TLS: the server "
                         "closed the connection after the handshake (does "
                         "it want a client certificate? --cert and --key)");
            }

            goto failed;
        }

        freeReplyObject(r);
    }

    c->reply_ms = reply_ms;

    return c;

failed:

    *why = se_sprintf("%s", c->error);
    se_conn_close(c);

    return NULL;
}


void
se_conn_close(se_conn_t *c)
{
    sigset_t  old;

    if (c == NULL) {
        return;
    }

    if (c->ssl) {
        if (!c->failed) {
            se_sigpipe_block(&old);
            (void) SSL_shutdown(c->ssl);
            se_sigpipe_unblock(&old);
        }

        SSL_free(c->ssl);
        ERR_clear_error();
    }

    if (c->fd >= 0) {
        close(c->fd);
    }

    if (c->reader) {
        redisReaderFree(c->reader);
    }

    free(c);
}
