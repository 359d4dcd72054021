/*
 * RFC 3339 parsing and UTC formatting.
 */

#include "tap.h"
#include "se_time.h"


static void
parse_is(const char *in, const char *want)
{
    int64_t  t;
    char     buf[SE_TIME_LEN];
    int      rc;

    rc = se_time_parse(in, strlen(in), &t);

    if (want == NULL) {
        tap_ok(rc == SE_ERROR, "rejects \"%s\"", in);
        return;
    }

    if (!tap_ok(rc == SE_OK, "parses \"%s\"", in)) {
        return;
    }

    se_time_format(t, buf);
    tap_is(buf, want, "  ... as UTC");
}


int
main(void)
{
    static const char *const  bad[] = {
        "", "2026-11-21", "2026-11-21T14:30:00", "2026-11-21T14:30Z",
        "2026-11-21T14:30:00ZZ", "2026-11-21T14:30:00+0900",
        "2026-11-21T14:30:00+09", "2026-11-21T14:30:00+24:00",
        "2026-11-21T14:30:00+09:60", "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z", "2026-11-00T00:00:00Z",
        "2026-11-31T00:00:00Z", "2026-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z", "2026-11-21T24:00:00Z",
        "2026-11-21T23:60:00Z", "2026-11-21T23:59:61Z",
        "2026-11-21T14:30:00.Z", "2026-11-21X14:30:00Z",
        "2026/11/21T14:30:00Z", "+2026-11-21T14:30:00Z",
        " 2026-11-21T14:30:00Z", "2026-11-21T14:30:00Z ",
        "2026-11-21T14:30:00 Z", "２026-11-21T14:30:00Z",
        "0000-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01",
        "1795271400", "2026-1-21T14:30:00Z", "2026-11-21T4:30:00Z",
        "2026-11-21T14:30:00.12345678901234567890123456789012345678901234Z",
        NULL
    };
    int64_t                   t;
    char                      buf[SE_TIME_LEN];
    size_t                    i;

    parse_is("2026-11-21T14:30:00Z", "2026-11-21T14:30:00Z");
    parse_is("2026-11-21t14:30:00z", "2026-11-21T14:30:00Z");
    parse_is("2026-11-21 14:30:00Z", "2026-11-21T14:30:00Z");
    parse_is("2026-11-21T23:30:00+09:00", "2026-11-21T14:30:00Z");
    parse_is("2026-11-21T09:00:00-05:30", "2026-11-21T14:30:00Z");
    parse_is("2026-11-21T14:30:00+00:00", "2026-11-21T14:30:00Z");
    parse_is("2026-11-21T14:30:00-00:00", "2026-11-21T14:30:00Z");
    parse_is("2026-11-21T14:30:00.999Z", "2026-11-21T14:30:00Z");
    parse_is("2026-11-21T14:30:00.5+01:00", "2026-11-21T13:30:00Z");
    parse_is("2026-11-21T14:30:00.123456789012345678901234567890123456789Z",
             "2026-11-21T14:30:00Z");
    parse_is("2026-01-01T01:00:00+02:00", "2025-12-31T23:00:00Z");
    parse_is("2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z");
    parse_is("2000-02-29T12:00:00Z", "2000-02-29T12:00:00Z");
    parse_is("2016-12-31T23:59:60Z", "2017-01-01T00:00:00Z");
    parse_is("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z");
    parse_is("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z");
    parse_is("0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z");
    parse_is("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z");
    parse_is("2038-01-19T03:14:08Z", "2038-01-19T03:14:08Z");

    for (i = 0; bad[i]; i++) {
        parse_is(bad[i], NULL);
    }

    tap_ok(se_time_parse("1970-01-01T00:00:00Z", 20, &t) == SE_OK && t == 0,
           "epoch is 0");
    tap_ok(se_time_parse("2026-11-21T14:30:00Z", 20, &t) == SE_OK
           && t == 1795271400, "2026-11-21T14:30:00Z is 1795271400");
    tap_ok(se_time_parse("2026-11-21T14:30:00Zjunk", 20, &t) == SE_OK,
           "length bounds the input (no NUL needed)");
    tap_ok(se_time_parse(NULL, 0, &t) == SE_ERROR, "NULL rejected");

    tap_ok(se_time_format(1795271400, buf) == 20
           && strcmp(buf, "2026-11-21T14:30:00Z") == 0, "format");
    tap_ok(se_time_format(-62167219201LL, buf) == 0 && buf[0] == '\0',
           "format refuses year -1");
    tap_ok(se_time_format(253402300800LL, buf) == 0,
           "format refuses year 10000");
    tap_ok(se_time_format(INT64_MIN, buf) == 0, "format refuses INT64_MIN");
    tap_ok(se_time_format(INT64_MAX, buf) == 0, "format refuses INT64_MAX");

    /* round trip of every day boundary over 50 years, every 7 hours */
    {
        int64_t  x, y;
        int      ok;

        ok = 1;

        for (x = -200000000LL; x < 2000000000LL; x += 25199) {
            if (se_time_format(x, buf) != 20
                || se_time_parse(buf, 20, &y) != SE_OK || y != x)
            {
                ok = 0;
                tap_diag("round trip fails at %lld", (long long) x);
                break;
            }
        }

        tap_ok(ok, "format/parse round trip");
    }

    return tap_done();
}
