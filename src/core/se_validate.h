/*
 * Field validators of the Redis data model, shared by se_state_build()
 * and the admin tool.  All return SE_OK when the value is acceptable and
 * SE_ERROR otherwise; none allocates.  Inputs are (pointer, length) and
 * need not be NUL-terminated.
 */

#ifndef SE_VALIDATE_H
#define SE_VALIDATE_H

#include "se_core.h"
#include "se_model.h"

#define SE_MAX_ID        64
#define SE_MAX_NAME      255            /* name, name.LANG */
#define SE_MAX_BODY      (16 * 1024)    /* update body, body.LANG */
#define SE_MAX_FIELD     1024           /* every other hash field */
#define SE_MAX_UPDATE    (64 * 1024)    /* one update's JSON */
#define SE_MAX_LANG      35             /* BCP 47 tag */
#define SE_MAX_I18N      32             /* translations kept per field */
#define SE_MAX_REFS      64             /* ids in a components field */
#define SE_MAX_LEAD      (366 * 86400)  /* banner_lead cap, seconds */

/* "2026-11-21T14:30:00Z" */
#define SE_TIME_LEN      sizeof("2026-11-21T14:30:00Z")

/*
 * Ids: [A-Za-z0-9_-]{1,64}.  Writers (the admin tool) should create only
 * [a-z0-9-]; readers also accept upper case and '_' that redis-cli users
 * may type.
 */
int se_valid_id(const char *s, size_t len);

/* what se_utf8_decode() gives an invalid sequence: no code point */
#define SE_UTF8_BAD      0x110000

/*
 * Decodes one character at p (left > 0 bytes): its length, and the code
 * point in *cp, or SE_UTF8_BAD for the maximal subpart of an invalid
 * sequence (at least one byte), as the WHATWG UTF-8 decoder splits it.
 */
size_t se_utf8_decode(const unsigned char *p, size_t left, uint32_t *cp);

/*
 * Whether a code point may be written into markup (HTML or XML), raw or
 * as a character reference.  It may not when it is NUL, a C0 control
 * other than TAB, LF and CR, DEL, a C1 control, a surrogate or a
 * noncharacter (U+FDD0-U+FDEF and the last two code points of every
 * plane, U+FFFE and U+FFFF among them); nor SE_UTF8_BAD.  XML 1.0 makes
 * a document with the C0 controls, surrogates, U+FFFE or U+FFFF not
 * well-formed, and HTML makes every one of them a parse error: every
 * escaper of the HTML and XML outputs drops them (and writes an invalid
 * sequence as U+FFFD).
 */
int se_utf8_markup_ok(uint32_t cp);

/* well-formed UTF-8 (RFC 3629: no overlongs, surrogates, > U+10FFFF) */
int se_utf8_valid(const char *s, size_t len);

/*
 * Text of at most max bytes: UTF-8 without NUL, C0 controls, DEL or C1
 * controls; with multiline, TAB, LF and CR are allowed.  Single-line
 * text also allows TAB.  Empty text is valid here; callers decide.
 */
int se_valid_text(const char *s, size_t len, size_t max, int multiline);

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

/*
 * RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM);
 * 'T' may be 't' or ' ', 'Z' may be 'z'; second 60 is accepted (leap
 * second, counted as the next second); fractions are truncated.  The
 * UTC result must lie within years 0000-9999.
 */
int se_time_parse(const char *s, size_t len, int64_t *t);

/* the proleptic Gregorian date of a day number (days since 1970-01-01) */
void se_civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d);

/* UTC "YYYY-MM-DDTHH:MM:SSZ" into buf[SE_TIME_LEN]; length or 0 */
size_t se_time_format(int64_t t, char *buf);

/* enums, exactly Statuspage's */
int se_parse_comp_status(const char *s, size_t len, se_comp_status_e *out);

/* incident statuses for SE_KIND_INCIDENT, maintenance ones otherwise */
int se_parse_status(const char *s, size_t len, se_kind_e kind,
    se_status_e *out);

/* none/minor/major/critical, plus maintenance for SE_KIND_MAINTENANCE */
int se_parse_impact(const char *s, size_t len, se_kind_e kind,
    se_impact_e *out);

int se_parse_audience(const char *s, size_t len, se_audience_e *out);

#endif /* SE_VALIDATE_H */
