/*
 * Feeds a document to the body-tag scanner in the pieces that end at the
 * sorted offsets cut[0..ncut), every piece a heap copy of exactly its
 * size (an empty piece is passed as NULL), so ASan sees any read outside
 * a piece.  Shared by the unit test (t/unit/test_scan.c) and the fuzz
 * target (t/fuzz/fuzz_scan.c).
 *
 * Returns the absolute insertion offset, SCAN_NONE (no body tag: still
 * SE_AGAIN at the end), SCAN_DECL (declined) or SCAN_BROKEN with *why
 * set: the scanner broke its contract (an offset outside the piece, a
 * call after the answer not declined, an unknown return code).
 */

#ifndef SCAN_PIECES_H
#define SCAN_PIECES_H

#include <stdlib.h>
#include <string.h>

#include "se_scan.h"

#define SCAN_NONE    ((size_t) -1)
#define SCAN_DECL    ((size_t) -2)
#define SCAN_BROKEN  ((size_t) -3)


static size_t
scan_pieces(const unsigned char *doc, size_t len, size_t window,
    const size_t *cut, size_t ncut, const char **why)
{
    int             rc;
    size_t          i, from, to, pos, result;
    se_scan_t       s;
    unsigned char  *piece;

    se_scan_init(&s, window);

    result = SCAN_NONE;
    from = 0;

    for (i = 0; i <= ncut; i++) {
        to = (i < ncut) ? cut[i] : len;

        piece = NULL;

        if (to > from) {
            piece = malloc(to - from);
            if (piece == NULL) {
                abort();
            }

            memcpy(piece, doc + from, to - from);
        }

        pos = (size_t) -3;
        rc = se_scan_feed(&s, piece, to - from, &pos);

        free(piece);

        if (result != SCAN_NONE) {

            /* the scan is over: every later piece is declined */

            if (rc != SE_DECLINED) {
                *why = "a call after the answer is not declined";
                return SCAN_BROKEN;
            }

        } else if (rc == SE_OK) {
            if (pos == 0 || pos > to - from) {
                *why = "offset outside the piece";
                return SCAN_BROKEN;
            }

            result = from + pos;

        } else if (rc == SE_DECLINED) {
            result = SCAN_DECL;

        } else if (rc != SE_AGAIN) {
            *why = "unexpected return code";
            return SCAN_BROKEN;
        }

        from = to;
    }

    if (result != SCAN_NONE
        && se_scan_feed(&s, (const unsigned char *) "<body>", 6, &pos)
           != SE_DECLINED)
    {
        *why = "a call after the answer is not declined";
        return SCAN_BROKEN;
    }

    return result;
}

#endif /* SCAN_PIECES_H */
