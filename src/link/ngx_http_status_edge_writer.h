
/*
 * status-edge: the writes a request makes (subscriptions), on a
 * connection of each worker's own to the address of
 * status_edge_subscribe_redis (else the first status_edge_redis one),
 * opened at the first write and kept open.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_WRITER_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_WRITER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_status_edge_types.h"


/*
 * Sends one command (argvlen NULL: the arguments are C strings, as for
 * hiredis); done(reply, data) is called once, from the event
 * loop, never inside this call: with the reply, or NULL when it failed.
 * NGX_ERROR when there is no address to write to or no memory (done is
 * not called then).
 */
ngx_int_t ngx_http_status_edge_writer_send(
    ngx_http_status_edge_main_conf_t *smcf, int argc, const char **argv,
    const size_t *argvlen, ngx_http_status_edge_write_done_pt done,
    void *data);

/* the worker exits: the connection closes, what waits fails */
void ngx_http_status_edge_writer_close(void);


#endif /* _NGX_HTTP_STATUS_EDGE_WRITER_H_INCLUDED_ */
