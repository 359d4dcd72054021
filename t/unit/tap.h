/*
 * A tiny TAP producer for the unit tests: plan at the end ("1..N"),
 * exit status non-zero when any test failed.
 */

#ifndef SE_TAP_H
#define SE_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int  tap_n;
static int  tap_failed;


static inline int
tap_ok(int cond, const char *fmt, ...)
{
    va_list  ap;

    tap_n++;

    printf("%sok %d - ", cond ? "" : "not ", tap_n);

    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);

    printf("\n");

    if (!cond) {
        tap_failed++;
    }

    fflush(stdout);

    return cond;
}


static inline void
tap_diag(const char *fmt, ...)
{
    va_list  ap;

    printf("# ");

    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);

    printf("\n");
}


/* equality of a NUL-terminated string with a diagnostic on failure */
static inline int
tap_is(const char *got, const char *want, const char *name)
{
    int  ok;

    ok = (got == NULL && want == NULL)
         || (got && want && strcmp(got, want) == 0);

    if (!tap_ok(ok, "%s", name)) {
        tap_diag("     got: %s", got ? got : "(null)");
        tap_diag("expected: %s", want ? want : "(null)");
    }

    return ok;
}


/* 1 when the len bytes are all ASCII and none is NUL */
static inline int
tap_ascii(const char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if ((unsigned char) s[i] >= 0x80 || s[i] == '\0') {
            return 0;
        }
    }

    return 1;
}


static inline int
tap_done(void)
{
    printf("1..%d\n", tap_n);

    if (tap_failed) {
        tap_diag("failed %d of %d", tap_failed, tap_n);
    }

    return tap_failed ? 1 : 0;
}

#endif /* SE_TAP_H */
