/*
 * The scanner's per-location memo (se_scan_memo.h).
 */

#include <string.h>

#include "se_scan_memo.h"


void
se_scan_memo_init(se_scan_memo_t *m, size_t window)
{
    m->window = window ? window : SE_SCAN_WINDOW;
    m->answer = 0;
    m->steps = 0;
}


int
se_scan_memo_feed(se_scan_memo_t *m, se_scan_t *s, const unsigned char *p,
    size_t len, size_t *pos)
{
    int     rc;
    size_t  k, n, from, step;

    if (m->answer && len >= m->answer
        && memcmp(p, m->data, m->answer) == 0)
    {
        se_scan_end(s);
        *pos = m->answer;
        return SE_OK;
    }

    /* the whole steps this stream shares with the kept one: skipped */

    n = len / SE_SCAN_MEMO_STEP;

    if (n > m->steps) {
        n = m->steps;
    }

    for (k = 0; k < n; k++) {
        if (memcmp(p + k * SE_SCAN_MEMO_STEP, m->data + k * SE_SCAN_MEMO_STEP,
                   SE_SCAN_MEMO_STEP)
            != 0)
        {
            break;
        }
    }

    if (k > 0) {
        *s = m->at[k];
    }

    m->steps = k;

    /* on from there, a step at a time, keeping the state after each */

    rc = SE_AGAIN;
    from = k * SE_SCAN_MEMO_STEP;

    while (from < len) {
        step = len - from;

        if (from < SE_SCAN_MEMO_MAX && step > SE_SCAN_MEMO_STEP) {
            step = SE_SCAN_MEMO_STEP;
        }

        rc = se_scan_feed(s, p + from, step, pos);

        if (rc == SE_OK) {
            *pos += from;
            break;
        }

        from += step;

        if (rc == SE_DECLINED) {
            break;
        }

        if (step == SE_SCAN_MEMO_STEP && from <= SE_SCAN_MEMO_MAX) {
            m->steps = from / SE_SCAN_MEMO_STEP;
            m->at[m->steps] = *s;
        }
    }

    /* keep the bytes read (up to the answer) */

    n = (rc == SE_OK) ? *pos : from;

    if (n > SE_SCAN_MEMO_MAX) {
        n = SE_SCAN_MEMO_MAX;
    }

    from = k * SE_SCAN_MEMO_STEP;

    if (n > from) {
        memcpy(m->data + from, p + from, n - from);
    }

    m->answer = (rc == SE_OK && *pos <= SE_SCAN_MEMO_MAX) ? *pos : 0;

    return rc;
}
