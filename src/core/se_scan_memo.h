/*
 * The scanner's per-location memo (se_scan.h): what the last stream
 * scanned began with, to scan less of the next one:
 * pages behind one location often begin with the same bytes (one
 * template, one static page).  The scan of a prefix depends on nothing
 * else, so a stream that begins with the kept answer's bytes has that
 * answer, and one that begins with the same first k * SE_SCAN_MEMO_STEP
 * bytes resumes from the scanner's state kept there.  A memo belongs to
 * one window size and to one thread.
 */

#ifndef SE_SCAN_MEMO_H
#define SE_SCAN_MEMO_H

#include "se_scan.h"

#define SE_SCAN_MEMO_MAX   16384
#define SE_SCAN_MEMO_STEP  512

typedef struct {
    size_t         window;
    size_t         answer;              /* 0: none kept */
    size_t         steps;               /* at[1..steps] are kept */
    se_scan_t      at[SE_SCAN_MEMO_MAX / SE_SCAN_MEMO_STEP + 1];
    unsigned char  data[SE_SCAN_MEMO_MAX];
} se_scan_memo_t;


void se_scan_memo_init(se_scan_memo_t *m, size_t window);

/*
 * se_scan_feed() for the first piece of a stream, s being a scanner
 * started with se_scan_init(s, window) that has read nothing yet: the
 * same answer and, on SE_AGAIN, the same state of s to go on with, found
 * with the memo's help; the memo then keeps this stream's beginning.
 */
int se_scan_memo_feed(se_scan_memo_t *m, se_scan_t *s,
    const unsigned char *p, size_t len, size_t *pos);

#endif /* SE_SCAN_MEMO_H */
