/*
 * RFC 3339 times: parsing and formatting, in Unix seconds.
 */

#ifndef SE_TIME_H
#define SE_TIME_H

#include "se_core.h"

/* "2026-11-21T14:30:00Z" */
#define SE_TIME_LEN      sizeof("2026-11-21T14:30:00Z")

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

#endif /* SE_TIME_H */
