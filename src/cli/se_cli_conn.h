/*
 * status-edge, the admin tool: one synchronous Redis connection of its
 * own, on a socket (TCP or unix) with connect and reply timeouts and
 * OpenSSL for TLS; hiredis is only the reply parser (redisReader, with
 * the module's array limit, se_redis_reader_limit) and the command
 * formatter.  Debian 12's hiredis 0.14 has no TLS, hence no
 * redisContext.
 *
 * A connection that failed (I/O, timeout, a protocol error) stays
 * failed: every later command returns NULL, and se_conn_error() says
 * what happened first.
 */

#ifndef SE_CLI_CONN_H
#define SE_CLI_CONN_H

#include <stdarg.h>

#include <hiredis/hiredis.h>

typedef struct se_conn_s  se_conn_t;
typedef struct se_tls_s   se_tls_t;

/*
 * The TLS settings shared by every connection of one run: verification
 * is always on, against cacert (NULL: the system's trust store); cert
 * and key: a client certificate (both or neither).  NULL and *why set
 * when a file cannot be used.
 */
se_tls_t *se_tls_create(const char *cacert, const char *cert,
    const char *key, const char **why);
void se_tls_free(se_tls_t *tls);

/*
 * Connects to path (a unix socket) or host:port within connect_ms, over
 * TLS when tls is not NULL: the certificate must be valid for name
 * (NULL: host), which is also sent as SNI unless it is an IP address.
 * Each reply then has reply_ms.  NULL and *why set on failure.
 */
se_conn_t *se_conn_open(const char *host, int port, const char *path,
    se_tls_t *tls, const char *name, int connect_ms, int reply_ms,
    const char **why);
void se_conn_close(se_conn_t *c);

/* hiredis' redisvCommand and redisCommandArgv on the connection */
redisReply *se_conn_vcommand(se_conn_t *c, const char *fmt, va_list ap);
redisReply *se_conn_command(se_conn_t *c, const char *fmt, ...);
redisReply *se_conn_argv(se_conn_t *c, int argc, const char **argv,
    const size_t *argvlen);

/* what made the connection fail; "" while it works */
const char *se_conn_error(const se_conn_t *c);

#endif /* SE_CLI_CONN_H */
