/*
 * Subscriptions: a visitor's request to subscribe, as the status page's
 * form and POST /api/v2/subscribers.json send it (Statuspage's shape),
 * read and checked; the address check the admin tool shares; and the
 * Lua scripts that write subscribers, the one definition of those
 * writes for the module and the admin tool (docs/redis-schema.md).
 *
 * Accepted bodies, at most SE_SUBSCRIBE_MAX_BODY bytes:
 *
 *   application/x-www-form-urlencoded
 *       subscriber[email]=a%40b.example&subscriber[endpoint]=https://...
 *       &subscriber[component_ids][]=api&subscriber[component_ids][]=db
 *       (also "email", "endpoint", "component_ids[]" and "components",
 *       a comma list, the status page form's names)
 *   application/json
 *       {"subscriber": {"email": "...", "endpoint": "...",
 *                       "component_ids": ["api", "db"]}}
 *
 * An email is required; with an endpoint the subscriber is a webhook,
 * confirmed, like an email, by the address.
 */

#ifndef SE_SUBSCRIBE_H
#define SE_SUBSCRIBE_H

#include "se_core.h"

#define SE_SUBSCRIBE_MAX_BODY        8192
#define SE_SUBSCRIBE_MAX_COMPONENTS  64
#define SE_SUBSCRIBE_MAX_EMAIL       254
#define SE_SUBSCRIBE_ERR             200

typedef struct {
    char           *email;          /* NUL-terminated, lower case */
    char           *endpoint;       /* NULL: an email subscriber */
    char           *components[SE_SUBSCRIBE_MAX_COMPONENTS];
    size_t          ncomponents;
    char            err[SE_SUBSCRIBE_ERR];  /* what is wrong, for people */
} se_subscribe_req_t;

/*
 * Reads body of Content-Type type.  SE_OK; SE_ERROR with req->err
 * saying what is wrong, quoting the bad value; SE_DECLINED for a type
 * that is neither form nor JSON.  se_subscribe_free() in every case.
 */
int se_subscribe_parse(const char *type, size_t type_len, const char *body,
    size_t len, se_subscribe_req_t *req);
void se_subscribe_free(se_subscribe_req_t *req);

/* name@example.com: SE_OK or SE_ERROR */
int se_subscribe_email_ok(const char *s, size_t len);

/*
 * Adds a subscriber, whole or not at all.  ARGV: prefix, id, target key
 * ("CHANNEL TARGET"), score (Unix seconds), then field/value pairs, then
 * the limits as "LIMIT", key, count, seconds, ... (none for the admin
 * tool).  Returns {1, id} when added; {0, id} when the target already
 * has one; {-1, key} when a limit is reached.  A pending subscriber is
 * also queued for its confirmation: XADD Pnotify:confirm * id ID; and
 * again when its target subscribes again (its first link expired).
 */
extern const char  se_subscribe_add_lua[];

/* ARGV: prefix, id.  1 when removed, 0 when there was none. */
extern const char  se_subscribe_remove_lua[];

/*
 * ARGV: prefix, id, time (RFC 3339).  1: confirmed now; 2: it already
 * was; 0: no such subscriber (removed, or never added).
 */
extern const char  se_subscribe_confirm_lua[];

#endif /* SE_SUBSCRIBE_H */
