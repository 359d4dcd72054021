/*
 * Signed subscriber tokens (se_token.h): make and check round trips for
 * both purposes, a purpose, a key or any one character changed is
 * refused, expiry, bad ids, malformed tokens, and a known answer
 * computed with openssl(1).  Tokens are checked from buffers of exactly
 * their length and made into buffers of exactly SE_TOKEN_MAX + 1 bytes,
 * so that ASan sees any read or write past them.
 */

#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "tap.h"
#include "se_token.h"

#define KEY      ((const unsigned char *) "0123456789abcdef0123456789abcdef")
#define KEYLEN   32
#define NOW      1800000000

static const char  b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                              "vwxyz0123456789-_";


/* se_token_make() into a heap buffer of exactly SE_TOKEN_MAX + 1 bytes */
static char *
make(int purpose, const char *id, size_t idlen, int64_t expires,
    const unsigned char *key, size_t keylen, size_t *len)
{
    char  *out;

    out = malloc(SE_TOKEN_MAX + 1);
    if (out == NULL) {
        abort();
    }

    *len = se_token_make(purpose, id, idlen, expires, key, keylen, out);

    if (*len == 0) {
        free(out);
        return NULL;
    }

    return out;
}


/* se_token_check() of s from a heap copy of exactly its length */
static int
check(int purpose, const char *s, size_t len, int64_t now,
    const unsigned char *key, size_t keylen, const char **id, size_t *idlen)
{
    char  *copy;
    int    rc;

    copy = malloc(len ? len : 1);
    if (copy == NULL) {
        abort();
    }

    memcpy(copy, s, len);
    *id = NULL;
    *idlen = 0;

    rc = se_token_check(purpose, copy, len, now, key, keylen, id, idlen);

    /* *id points into the token: translate it to s before the free */
    if (rc == SE_OK && *id) {
        *id = s + (*id - copy);
    }

    free(copy);

    return rc;
}


static int
check_str(int purpose, const char *s, int64_t now, const unsigned char *key,
    size_t keylen)
{
    const char  *id;
    size_t       idlen;

    return check(purpose, s, strlen(s), now, key, keylen, &id, &idlen);
}


/*
 * The MAC the header defines, computed here with OpenSSL on its own
 * (not with the code under test), of PURPOSE "." ID "." EXPIRES where
 * EXPIRES is the given text: to build tokens whose MAC is genuine and
 * whose form is not.
 */
static void
mac_of(int purpose, const char *id, const char *expires, const char *key,
    char *out)
{
    char           msg[256];
    unsigned char  md[EVP_MAX_MD_SIZE];
    unsigned int   mdlen, v;
    size_t         i, o;
    int            n;

    n = snprintf(msg, sizeof(msg), "%c.%s.%s", purpose, id, expires);

    HMAC(EVP_sha256(), key, (int) strlen(key), (unsigned char *) msg,
         (size_t) n, md, &mdlen);

    /* base64url of the first 16 bytes, no padding: 22 characters */
    o = 0;

    for (i = 0; i < 15; i += 3) {
        v = (unsigned) md[i] << 16 | (unsigned) md[i + 1] << 8 | md[i + 2];
        out[o++] = b64url[v >> 18 & 63];
        out[o++] = b64url[v >> 12 & 63];
        out[o++] = b64url[v >> 6 & 63];
        out[o++] = b64url[v & 63];
    }

    v = (unsigned) md[15] << 16;
    out[o++] = b64url[v >> 18 & 63];
    out[o++] = b64url[v >> 12 & 63];
    out[o] = '\0';
}


/* another character of the same kind as c: a token that still parses */
static char
other(char c)
{
    if (c >= '0' && c <= '8') {
        return (char) (c + 1);
    }

    if (c == '9') {
        return '0';
    }

    if (c >= 'a' && c <= 'y') {
        return (char) (c + 1);
    }

    if (c == 'z') {
        return 'a';
    }

    if (c >= 'A' && c <= 'Z') {
        return c == 'Z' ? 'A' : (char) (c + 1);
    }

    if (c == '-') {
        return '_';
    }

    if (c == '_') {
        return '-';
    }

    return 'x';
}


/* every one-character change in part [from, to) of tok is refused */
static void
each_change(const char *what, const char *tok, size_t from, size_t to,
    int purpose)
{
    char         buf[SE_TOKEN_MAX + 1];
    const char  *id;
    size_t       i, len, idlen, ok, expired;
    int          rc;

    len = strlen(tok);
    ok = 0;
    expired = 0;

    for (i = from; i < to; i++) {
        memcpy(buf, tok, len + 1);
        buf[i] = other(buf[i]);

        rc = check(purpose, buf, len, NOW, KEY, KEYLEN, &id, &idlen);

        if (rc == SE_OK) {
            ok++;
            tap_diag("accepted with character %zu changed: %s", i, buf);
        }

        if (rc == SE_TOKEN_EXPIRED) {
            expired++;
        }

        if (rc != SE_TOKEN_FORGED && rc != SE_OK) {
            tap_diag("character %zu changed: rc %d, not SE_TOKEN_FORGED",
                     i, rc);
        }
    }

    if (to - from == 1) {
        tap_ok(ok == 0 && expired == 0, "the %s changed: forged", what);
        return;
    }

    tap_ok(ok == 0 && expired == 0, "each of the %zu characters of the %s "
           "changed: forged", to - from, what);
}


int
main(void)
{
    static const int  purposes[] = { SE_TOKEN_CONFIRM, SE_TOKEN_UNSUBSCRIBE };
    char              id65[66], id64[65], mac[32], s[256], *tok, *t2;
    const char       *id, *dot1, *dot2;
    size_t            len, len2, idlen, i;
    int               p, q, rc;

    /* --- round trips ---------------------------------------------------- */

    for (i = 0; i < 2; i++) {
        p = purposes[i];
        q = purposes[1 - i];

        tok = make(p, "sub-abc123", 10, 0, KEY, KEYLEN, &len);
        tap_ok(tok != NULL && len == strlen(tok), "purpose %c: made, its "
               "length returned", p);

        if (tok == NULL) {
            continue;
        }

        rc = check(p, tok, len, NOW, KEY, KEYLEN, &id, &idlen);
        tap_ok(rc == SE_OK && id == tok && idlen == 10
               && memcmp(id, "sub-abc123", 10) == 0,
               "purpose %c: checks, the id pointing into the token", p);

        tap_ok(check(q, tok, len, NOW, KEY, KEYLEN, &id, &idlen)
               == SE_TOKEN_FORGED && id == NULL,
               "a %c token is refused as a %c token, *id untouched", p, q);

        t2 = make(p, "sub-abc123", 10, NOW + 3600, KEY, KEYLEN, &len2);
        tap_ok(t2 != NULL
               && check(p, t2, len2, NOW, KEY, KEYLEN, &id, &idlen) == SE_OK
               && idlen == 10,
               "purpose %c: with an expiry ahead, checks", p);
        free(t2);
        free(tok);
    }

    tok = make(SE_TOKEN_UNSUBSCRIBE, "sub-abc", 7, 0, KEY, KEYLEN, &len);
    t2 = make(SE_TOKEN_CONFIRM, "sub-abc", 7, 0, KEY, KEYLEN, &len2);
    tap_ok(tok && t2 && len == len2 && strcmp(tok, t2) != 0
           && memcmp(tok, t2, 10) == 0,
           "the two purposes: same id and expiry, different MACs");
    free(t2);
    free(tok);

    /* --- one character changed, in each part -------------------------- */

    tok = make(SE_TOKEN_UNSUBSCRIBE, "sub-abc", 7, NOW + 86400, KEY, KEYLEN,
               &len);
    dot1 = tok ? strchr(tok, '.') : NULL;
    dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;

    tap_ok(dot1 && dot2 && strchr(dot2 + 1, '.') == NULL
           && strlen(dot2 + 1) == 22,
           "a token is ID.EXPIRES.MAC, its MAC 22 characters");

    if (dot1 && dot2) {
        each_change("id", tok, 0, (size_t) (dot1 - tok),
                    SE_TOKEN_UNSUBSCRIBE);
        each_change("expiry", tok, (size_t) (dot1 - tok) + 1,
                    (size_t) (dot2 - tok), SE_TOKEN_UNSUBSCRIBE);
        each_change("MAC", tok, (size_t) (dot2 - tok) + 1, len,
                    SE_TOKEN_UNSUBSCRIBE);
        each_change("first dot", tok, (size_t) (dot1 - tok),
                    (size_t) (dot1 - tok) + 1, SE_TOKEN_UNSUBSCRIBE);
        each_change("second dot", tok, (size_t) (dot2 - tok),
                    (size_t) (dot2 - tok) + 1, SE_TOKEN_UNSUBSCRIBE);
    }

    /* --- keys --------------------------------------------------------- */

    tap_ok(tok && check(SE_TOKEN_UNSUBSCRIBE, tok, len, NOW,
                        (const unsigned char *) "another key, 32 bytes long"
                        "....", 30, &id, &idlen) == SE_TOKEN_FORGED,
           "another key: forged");
    tap_ok(tok && check(SE_TOKEN_UNSUBSCRIBE, tok, len, NOW, KEY, KEYLEN - 1,
                        &id, &idlen) == SE_TOKEN_FORGED,
           "the key one byte shorter: forged");
    free(tok);

    /* --- expiry -------------------------------------------------------- */

    tok = make(SE_TOKEN_CONFIRM, "sub-x", 5, NOW - 1, KEY, KEYLEN, &len);
    tap_ok(tok && check(SE_TOKEN_CONFIRM, tok, len, NOW, KEY, KEYLEN, &id,
                        &idlen) == SE_TOKEN_EXPIRED,
           "expires one second before now: SE_TOKEN_EXPIRED");
    tap_ok(tok && check(SE_TOKEN_CONFIRM, tok, len, NOW - 1, KEY, KEYLEN,
                        &id, &idlen) == SE_OK,
           "expires == now: still good");
    tap_ok(tok && check(SE_TOKEN_CONFIRM, tok, len, NOW, (const unsigned char
                        *) "wrong", 5, &id, &idlen) == SE_TOKEN_FORGED,
           "an expired token under another key: forged, not expired");
    tap_ok(tok && check(SE_TOKEN_UNSUBSCRIBE, tok, len, NOW, KEY, KEYLEN,
                        &id, &idlen) == SE_TOKEN_FORGED,
           "an expired token of the other purpose: forged, not expired");
    free(tok);

    tok = make(SE_TOKEN_UNSUBSCRIBE, "sub-x", 5, 0, KEY, KEYLEN, &len);
    tap_ok(tok && check(SE_TOKEN_UNSUBSCRIBE, tok, len, INT64_MAX, KEY,
                        KEYLEN, &id, &idlen) == SE_OK,
           "expires 0: never expires (now = INT64_MAX)");
    tap_ok(tok && strncmp(tok, "sub-x.0.", 8) == 0,
           "expires 0 is written 0");
    free(tok);

    tok = make(SE_TOKEN_CONFIRM, "sub-x", 5, -1, KEY, KEYLEN, &len);
    tap_ok(tok == NULL && len == 0, "a negative expiry: 0");
    free(tok);

    /* --- ids ------------------------------------------------------------ */

    memset(id64, 'a', 64);
    id64[64] = '\0';
    memset(id65, 'a', 65);
    id65[65] = '\0';

    tok = make(SE_TOKEN_CONFIRM, "", 0, 0, KEY, KEYLEN, &len);
    tap_ok(tok == NULL && len == 0, "an empty id: 0");
    tok = make(SE_TOKEN_CONFIRM, "Sub-abc", 7, 0, KEY, KEYLEN, &len);
    tap_ok(tok == NULL && len == 0, "an id with an uppercase letter: 0");
    tok = make(SE_TOKEN_CONFIRM, id65, 65, 0, KEY, KEYLEN, &len);
    tap_ok(tok == NULL && len == 0, "an id of 65 bytes: 0");
    tok = make(SE_TOKEN_CONFIRM, "sub.abc", 7, 0, KEY, KEYLEN, &len);
    tap_ok(tok == NULL && len == 0, "an id with a '.': 0");
    tok = make(SE_TOKEN_CONFIRM, "sub_abc", 7, 0, KEY, KEYLEN, &len);
    tap_ok(tok == NULL && len == 0, "an id with a '_': 0");
    tok = make(SE_TOKEN_CONFIRM, "sub abc", 7, 0, KEY, KEYLEN, &len);
    tap_ok(tok == NULL && len == 0, "an id with a blank: 0");
    tok = make(SE_TOKEN_CONFIRM, "sub-abc\0x", 9, 0, KEY, KEYLEN, &len);
    tap_ok(tok == NULL && len == 0, "an id with a NUL inside idlen: 0");

    /* the longest id with an 18-digit expiry: SE_TOKEN_MAX fits it */
    tok = make(SE_TOKEN_UNSUBSCRIBE, id64, 64, INT64_C(999999999999999999),
               KEY, KEYLEN, &len);
    tap_ok(tok && len == 64 + 1 + 18 + 1 + 22 && len <= SE_TOKEN_MAX
           && check(SE_TOKEN_UNSUBSCRIBE, tok, len, NOW, KEY, KEYLEN, &id,
                    &idlen) == SE_OK && idlen == 64,
           "a 64-byte id and an 18-digit expiry: made and checked");
    free(tok);

    /* only idlen bytes of id count */
    tok = make(SE_TOKEN_CONFIRM, "sub-abcXYZ", 7, 0, KEY, KEYLEN, &len);
    tap_ok(tok && strncmp(tok, "sub-abc.0.", 10) == 0,
           "only idlen bytes of the id are used");
    free(tok);

    /* --- malformed tokens, whose MAC would be right ------------------- */

    mac_of(SE_TOKEN_UNSUBSCRIBE, "sub-abc", "0", "k", mac);
    snprintf(s, sizeof(s), "sub-abc.0.%s", mac);
    tap_ok(check_str(SE_TOKEN_UNSUBSCRIBE, s, NOW,
                     (const unsigned char *) "k", 1) == SE_OK,
           "the MAC computed here is the code's (the base case)");

    tap_ok(check_str(SE_TOKEN_UNSUBSCRIBE, "", NOW, KEY, KEYLEN)
           == SE_TOKEN_FORGED, "an empty token: forged");
    tap_ok(check_str(SE_TOKEN_UNSUBSCRIBE, "sub-abc", NOW, KEY, KEYLEN)
           == SE_TOKEN_FORGED, "no dots: forged");

    snprintf(s, sizeof(s), "sub-abc0%s", mac);
    tap_ok(check_str(SE_TOKEN_UNSUBSCRIBE, s, NOW, (const unsigned char *)
                     "k", 1) == SE_TOKEN_FORGED, "no dots, with a MAC: "
           "forged");

    snprintf(s, sizeof(s), "sub-abc.0%s", mac);
    tap_ok(check_str(SE_TOKEN_UNSUBSCRIBE, s, NOW, (const unsigned char *)
                     "k", 1) == SE_TOKEN_FORGED, "one dot: forged");

    snprintf(s, sizeof(s), "sub-abc..%s", mac);
    tap_ok(check_str(SE_TOKEN_UNSUBSCRIBE, s, NOW, (const unsigned char *)
                     "k", 1) == SE_TOKEN_FORGED, "an empty expiry: forged");

    snprintf(s, sizeof(s), ".0.%s", mac);
    tap_ok(check_str(SE_TOKEN_UNSUBSCRIBE, s, NOW, (const unsigned char *)
                     "k", 1) == SE_TOKEN_FORGED, "an empty id: forged");

    mac_of(SE_TOKEN_UNSUBSCRIBE, "sub-abc", "17x0", "k", mac);
    snprintf(s, sizeof(s), "sub-abc.17x0.%s", mac);
    tap_ok(check_str(SE_TOKEN_UNSUBSCRIBE, s, NOW, (const unsigned char *)
                     "k", 1) == SE_TOKEN_FORGED, "a non-digit in the "
           "expiry: forged");

    mac_of(SE_TOKEN_UNSUBSCRIBE, "sub-abc", "-5", "k", mac);
    snprintf(s, sizeof(s), "sub-abc.-5.%s", mac);
    tap_ok(check_str(SE_TOKEN_UNSUBSCRIBE, s, NOW, (const unsigned char *)
                     "k", 1) == SE_TOKEN_FORGED, "a negative expiry: "
           "forged");

    mac_of(SE_TOKEN_UNSUBSCRIBE, "sub-abc", "1000000000000000000", "k",
           mac);
    snprintf(s, sizeof(s), "sub-abc.1000000000000000000.%s", mac);
    tap_ok(check_str(SE_TOKEN_UNSUBSCRIBE, s, NOW, (const unsigned char *)
                     "k", 1) == SE_TOKEN_FORGED, "a 19-digit expiry, its "
           "MAC genuine: forged");

    mac_of(SE_TOKEN_UNSUBSCRIBE, "sub-abc", "100000000000000000", "k", mac);
    snprintf(s, sizeof(s), "sub-abc.100000000000000000.%s", mac);
    tap_ok(check_str(SE_TOKEN_UNSUBSCRIBE, s, NOW, (const unsigned char *)
                     "k", 1) == SE_OK, "an 18-digit expiry: good");

    mac_of(SE_TOKEN_UNSUBSCRIBE, "sub-abc", "01700000000", "k", mac);
    snprintf(s, sizeof(s), "sub-abc.01700000000.%s", mac);
    tap_ok(check_str(SE_TOKEN_UNSUBSCRIBE, s, NOW, (const unsigned char *)
                     "k", 1) == SE_TOKEN_FORGED, "a leading zero in the "
           "expiry, its MAC genuine: forged (one way to write a time)");

    tap_ok(se_token_make(SE_TOKEN_UNSUBSCRIBE, "sub-abc", 7,
                         1000000000000000000LL, (const unsigned char *) "k",
                         1, s) == 0,
           "make: a 19-digit expiry, which check refuses, is not made");

    mac_of(SE_TOKEN_UNSUBSCRIBE, "sub-abc", "0", "k", mac);
    snprintf(s, sizeof(s), "sub-abc.0.%.21s", mac);
    tap_ok(check_str(SE_TOKEN_UNSUBSCRIBE, s, NOW, (const unsigned char *)
                     "k", 1) == SE_TOKEN_FORGED, "a MAC of 21 characters: "
           "forged");

    snprintf(s, sizeof(s), "sub-abc.0.%sA", mac);
    tap_ok(check_str(SE_TOKEN_UNSUBSCRIBE, s, NOW, (const unsigned char *)
                     "k", 1) == SE_TOKEN_FORGED, "a MAC of 23 characters: "
           "forged");

    snprintf(s, sizeof(s), "sub-abc.0.%s==", mac);
    tap_ok(check_str(SE_TOKEN_UNSUBSCRIBE, s, NOW, (const unsigned char *)
                     "k", 1) == SE_TOKEN_FORGED, "a padded MAC: forged");

    snprintf(s, sizeof(s), "sub-abc.0.");
    tap_ok(check_str(SE_TOKEN_UNSUBSCRIBE, s, NOW, (const unsigned char *)
                     "k", 1) == SE_TOKEN_FORGED, "an empty MAC: forged");

    mac_of(SE_TOKEN_UNSUBSCRIBE, "Sub-abc", "0", "k", mac);
    snprintf(s, sizeof(s), "Sub-abc.0.%s", mac);
    tap_ok(check_str(SE_TOKEN_UNSUBSCRIBE, s, NOW, (const unsigned char *)
                     "k", 1) == SE_TOKEN_FORGED, "an uppercase id, its MAC "
           "genuine: forged");

    mac_of(SE_TOKEN_UNSUBSCRIBE, id65, "0", "k", mac);
    snprintf(s, sizeof(s), "%s.0.%s", id65, mac);
    tap_ok(check_str(SE_TOKEN_UNSUBSCRIBE, s, NOW, (const unsigned char *)
                     "k", 1) == SE_TOKEN_FORGED, "a 65-byte id, its MAC "
           "genuine: forged");

    /* len, not the NUL, ends the token */
    mac_of(SE_TOKEN_UNSUBSCRIBE, "sub-abc", "0", "k", mac);
    snprintf(s, sizeof(s), "sub-abc.0.%s", mac);
    len = strlen(s);
    tap_ok(check(SE_TOKEN_UNSUBSCRIBE, s, len - 1, NOW,
                 (const unsigned char *) "k", 1, &id, &idlen)
           == SE_TOKEN_FORGED, "the token one byte short of its length: "
           "forged");
    tap_ok(check(SE_TOKEN_UNSUBSCRIBE, s, 7, NOW,
                 (const unsigned char *) "k", 1, &id, &idlen)
           == SE_TOKEN_FORGED, "the id alone: forged");

    /* --- a known answer ------------------------------------------------ */

    /*
     * printf 'u.sub-abc.1700000000' | openssl dgst -sha256 -hmac k \
     *     -binary | head -c 16 | base64 | tr '+/' '-_' | tr -d '='
     */
    tok = make(SE_TOKEN_UNSUBSCRIBE, "sub-abc", 7, 1700000000,
               (const unsigned char *) "k", 1, &len);
    tap_is(tok, "sub-abc.1700000000.AS0E-Oh-ZftipOis92pcuw",
           "known answer: unsubscribe sub-abc, 1700000000, key \"k\"");
    tap_ok(tok && check(SE_TOKEN_UNSUBSCRIBE, tok, len, 1700000000,
                        (const unsigned char *) "k", 1, &id, &idlen) == SE_OK
           && check(SE_TOKEN_UNSUBSCRIBE, tok, len, 1700000001,
                    (const unsigned char *) "k", 1, &id, &idlen)
              == SE_TOKEN_EXPIRED,
           "known answer: good until 1700000000, expired after");
    free(tok);

    /* printf 'c.sub-abc.0' | openssl dgst -sha256 -hmac k -binary | ... */
    tok = make(SE_TOKEN_CONFIRM, "sub-abc", 7, 0,
               (const unsigned char *) "k", 1, &len);
    tap_is(tok, "sub-abc.0.Oy_H6krzx-PG5MntjVbSZQ",
           "known answer: confirm sub-abc, never expires, key \"k\"");
    free(tok);

    return tap_done();
}
