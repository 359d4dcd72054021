/*
 * Field validators of the Redis data model and its limits, shared by
 * se_state_build() and the admin tool.  All return SE_OK when the value
 * is acceptable and SE_ERROR otherwise; none allocates.  Inputs are
 * (pointer, length) and need not be NUL-terminated.
 */

#ifndef SE_VALID_H
#define SE_VALID_H

#include "se_core.h"

#define SE_MAX_ID        64
#define SE_MAX_NAME      255            /* name, name.LANG */
#define SE_MAX_BODY      (16 * 1024)    /* update body, body.LANG */
#define SE_MAX_FIELD     1024           /* every other hash field */
#define SE_MAX_UPDATE    (64 * 1024)    /* one update's JSON */
#define SE_MAX_LANG      35             /* BCP 47 tag */
#define SE_MAX_I18N      32             /* translations kept per field */
#define SE_MAX_REFS      64             /* ids in a components field */
#define SE_MAX_LEAD      (366 * 86400)  /* banner_lead cap, seconds */

/*
 * Ids: [A-Za-z0-9_-]{1,64}.  Writers (the admin tool) should create only
 * [a-z0-9-]; readers also accept upper case and '_' that redis-cli users
 * may type.
 */
int se_valid_id(const char *s, size_t len);

/* an absolute http:// or https:// URL, printable ASCII, <= 1 KiB */
int se_valid_url(const char *s, size_t len);

/* BCP 47-ish tag: [A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*, <= 35 bytes */
int se_valid_lang(const char *s, size_t len);

/* IANA zone name: [A-Za-z0-9_+-] segments joined by '/', <= 64 bytes */
int se_valid_time_zone(const char *s, size_t len);

/* decimal digits only, no sign, value <= max */
int se_parse_uint(const char *s, size_t len, uint64_t max, uint64_t *out);

/* "on" / "off" */
int se_parse_onoff(const char *s, size_t len, int *on);

/* "1" / "0" (also "true" / "false") */
int se_parse_bool(const char *s, size_t len, int *on);

#endif /* SE_VALID_H */
