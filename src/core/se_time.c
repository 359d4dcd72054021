/*
 * RFC 3339 timestamps: parse any offset, format UTC with "Z".
 */

#include <stdio.h>

#include "se_time.h"


/* days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant) */
static int64_t
se_days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t  era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}


void
se_civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    int64_t  era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;

    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}


static int
se_digits(const char *s, size_t n, int64_t *out)
{
    size_t   i;
    int64_t  v;

    v = 0;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return SE_ERROR;
        }
        v = v * 10 + (s[i] - '0');
    }

    *out = v;

    return SE_OK;
}


static int64_t
se_days_in_month(int64_t y, int64_t m)
{
    static const int64_t  days[12] = {
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };

    if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) {
        return 29;
    }

    return days[m - 1];
}


int
se_time_parse(const char *s, size_t len, int64_t *t)
{
    size_t   i;
    int64_t  y, mo, d, h, mi, sec, oh, om, v;

    /* YYYY-MM-DDTHH:MM:SS is 19 bytes, then at least "Z" */
    if (s == NULL || len < 20 || len > 64) {
        return SE_ERROR;
    }

    if (se_digits(s, 4, &y) != SE_OK || s[4] != '-'
        || se_digits(s + 5, 2, &mo) != SE_OK || s[7] != '-'
        || se_digits(s + 8, 2, &d) != SE_OK
        || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
        || se_digits(s + 11, 2, &h) != SE_OK || s[13] != ':'
        || se_digits(s + 14, 2, &mi) != SE_OK || s[16] != ':'
        || se_digits(s + 17, 2, &sec) != SE_OK)
    {
        return SE_ERROR;
    }

    if (mo < 1 || mo > 12 || d < 1 || d > se_days_in_month(y, mo)
        || h > 23 || mi > 59 || sec > 60)
    {
        return SE_ERROR;
    }

    i = 19;

    if (s[i] == '.') {
        i++;

        if (i >= len || s[i] < '0' || s[i] > '9') {
            return SE_ERROR;
        }

        while (i < len && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
    }

    if (i >= len) {
        return SE_ERROR;
    }

    v = se_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;

    if (s[i] == 'Z' || s[i] == 'z') {
        i++;

    } else if (s[i] == '+' || s[i] == '-') {
        if (len - i != 6 || se_digits(s + i + 1, 2, &oh) != SE_OK
            || s[i + 3] != ':' || se_digits(s + i + 4, 2, &om) != SE_OK
            || oh > 23 || om > 59)
        {
            return SE_ERROR;
        }

        /* local = UTC + offset */
        if (s[i] == '+') {
            v -= oh * 3600 + om * 60;
        } else {
            v += oh * 3600 + om * 60;
        }

        i += 6;

    } else {
        return SE_ERROR;
    }

    if (i != len) {
        return SE_ERROR;
    }

    if (v < se_days_from_civil(0, 1, 1) * 86400
        || v >= se_days_from_civil(10000, 1, 1) * 86400)
    {
        return SE_ERROR;
    }

    *t = v;

    return SE_OK;
}


size_t
se_time_format(int64_t t, char *buf)
{
    int64_t  days, rem, y, m, d;
    int      n;

    if (t < se_days_from_civil(0, 1, 1) * 86400
        || t >= se_days_from_civil(10000, 1, 1) * 86400)
    {
        buf[0] = '\0';
        return 0;
    }

    days = t / 86400;
    rem = t % 86400;

    if (rem < 0) {
        rem += 86400;
        days--;
    }

    se_civil_from_days(days, &y, &m, &d);

    n = snprintf(buf, SE_TIME_LEN, "%04d-%02d-%02dT%02d:%02d:%02dZ",
                 (int) y, (int) m, (int) d, (int) (rem / 3600),
                 (int) (rem / 60 % 60), (int) (rem % 60));

    if (n != (int) SE_TIME_LEN - 1) {
        buf[0] = '\0';
        return 0;
    }

    return (size_t) n;
}
