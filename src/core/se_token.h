/*
 * Signed subscriber tokens: the confirmation link of a double opt-in
 * and the one-click unsubscribe link.  The admin tool's notifier makes
 * them, the module checks them, with the same secret (a file read at
 * configuration time).
 *
 *   TOKEN = ID "." EXPIRES "." MAC
 *   MAC   = base64url, no padding, of the first 16 bytes of
 *           HMAC-SHA256(secret, PURPOSE "." ID "." EXPIRES)
 *
 * ID is a subscriber id ([a-z0-9-], at most SE_TOKEN_MAX_ID bytes),
 * EXPIRES Unix seconds in decimal (0: never), PURPOSE one byte, so a
 * confirmation token never unsubscribes and the reverse.
 */

#ifndef SE_TOKEN_H
#define SE_TOKEN_H

#include "se_core.h"

#define SE_TOKEN_CONFIRM      'c'
#define SE_TOKEN_UNSUBSCRIBE  'u'

#define SE_TOKEN_MAX_ID       64
#define SE_TOKEN_MAX          (SE_TOKEN_MAX_ID + 1 + 20 + 1 + 22)

#define SE_TOKEN_FORGED       -2        /* also: malformed */
#define SE_TOKEN_EXPIRED      -3

/*
 * Writes the token and its NUL into out (SE_TOKEN_MAX + 1 bytes); its
 * length, or 0 for a bad id or a failure of the HMAC.
 */
size_t se_token_make(int purpose, const char *id, size_t idlen,
    int64_t expires, const unsigned char *key, size_t keylen, char *out);

/*
 * SE_OK with *id, *idlen pointing into token; SE_TOKEN_FORGED for a
 * token this key did not make for this purpose (or not a token at all);
 * SE_TOKEN_EXPIRED for a genuine one whose time is before now.
 */
int se_token_check(int purpose, const char *token, size_t len, int64_t now,
    const unsigned char *key, size_t keylen, const char **id,
    size_t *idlen);

#endif /* SE_TOKEN_H */
