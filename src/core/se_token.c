/*
 * Signed subscriber tokens (se_token.h).  The MAC is OpenSSL's
 * HMAC-SHA256, truncated to 128 bits, compared in constant time.
 */

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "se_token.h"

#define SE_TOKEN_MAC      16
#define SE_TOKEN_MAC_B64  22


static void
se_b64url(const unsigned char *in, size_t len, char *out)
{
    static const char  abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
                               "qrstuvwxyz0123456789-_";
    size_t             i, o;
    uint32_t           v;

    o = 0;

    for (i = 0; i + 2 < len; i += 3) {
        v = (uint32_t) in[i] << 16 | (uint32_t) in[i + 1] << 8 | in[i + 2];
        out[o++] = abc[v >> 18 & 63];
        out[o++] = abc[v >> 12 & 63];
        out[o++] = abc[v >> 6 & 63];
        out[o++] = abc[v & 63];
    }

    if (len - i == 1) {
        v = (uint32_t) in[i] << 16;
        out[o++] = abc[v >> 18 & 63];
        out[o++] = abc[v >> 12 & 63];

    } else if (len - i == 2) {
        v = (uint32_t) in[i] << 16 | (uint32_t) in[i + 1] << 8;
        out[o++] = abc[v >> 18 & 63];
        out[o++] = abc[v >> 12 & 63];
        out[o++] = abc[v >> 6 & 63];
    }

    out[o] = '\0';
}


static int
se_token_id_ok(const char *id, size_t len)
{
    size_t  i;

    if (len == 0 || len > SE_TOKEN_MAX_ID) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9')
              || id[i] == '-'))
        {
            return 0;
        }
    }

    return 1;
}


/* the base64url MAC of PURPOSE.ID.EXPIRES into mac (23 bytes) */
static int
se_token_mac(int purpose, const char *id, size_t idlen, int64_t expires,
    const unsigned char *key, size_t keylen, char *mac)
{
    char           msg[SE_TOKEN_MAX + 4];
    unsigned char  md[EVP_MAX_MD_SIZE];
    unsigned int   mdlen;
    int            n;

    n = snprintf(msg, sizeof(msg), "%c.%.*s.%lld", purpose, (int) idlen, id,
                 (long long) expires);
    if (n < 0 || (size_t) n >= sizeof(msg)) {
        return SE_ERROR;
    }

    if (HMAC(EVP_sha256(), key, (int) keylen, (unsigned char *) msg,
             (size_t) n, md, &mdlen) == NULL
        || mdlen < SE_TOKEN_MAC)
    {
        return SE_ERROR;
    }

    se_b64url(md, SE_TOKEN_MAC, mac);

    return SE_OK;
}


size_t
se_token_make(int purpose, const char *id, size_t idlen, int64_t expires,
    const unsigned char *key, size_t keylen, char *out)
{
    char  mac[SE_TOKEN_MAC_B64 + 1];
    int   n;

    if (!se_token_id_ok(id, idlen) || expires < 0
        || expires > 999999999999999999LL
        || se_token_mac(purpose, id, idlen, expires, key, keylen, mac)
           != SE_OK)
    {
        return 0;
    }

    n = snprintf(out, SE_TOKEN_MAX + 1, "%.*s.%lld.%s", (int) idlen, id,
                 (long long) expires, mac);

    return (n > 0 && n <= SE_TOKEN_MAX) ? (size_t) n : 0;
}


int
se_token_check(int purpose, const char *token, size_t len, int64_t now,
    const unsigned char *key, size_t keylen, const char **id,
    size_t *idlen)
{
    const char  *p, *end, *dot;
    char         mac[SE_TOKEN_MAC_B64 + 1];
    int64_t      expires;
    size_t       n;

    end = token + len;

    dot = memchr(token, '.', len);
    if (dot == NULL || !se_token_id_ok(token, (size_t) (dot - token))) {
        return SE_TOKEN_FORGED;
    }

    expires = 0;
    n = 0;

    for (p = dot + 1; p < end && *p >= '0' && *p <= '9'; p++) {
        if (++n > 18) {
            return SE_TOKEN_FORGED;
        }

        expires = expires * 10 + (*p - '0');
    }

    /* one way to write a time: no leading zero */
    if (n == 0 || (n > 1 && dot[1] == '0') || p == end || *p != '.'
        || (size_t) (end - p - 1) != SE_TOKEN_MAC_B64)
    {
        return SE_TOKEN_FORGED;
    }

    if (se_token_mac(purpose, token, (size_t) (dot - token), expires, key,
                     keylen, mac) != SE_OK
        || CRYPTO_memcmp(mac, p + 1, SE_TOKEN_MAC_B64) != 0)
    {
        return SE_TOKEN_FORGED;
    }

    if (expires != 0 && expires < now) {
        return SE_TOKEN_EXPIRED;
    }

    *id = token;
    *idlen = (size_t) (dot - token);

    return SE_OK;
}
