/*
 * A compact, self-checking byte encoding of an se_raw_t tree, so a
 * snapshot can be kept in shared memory and rebuilt by a new worker
 * (after a reload or a crash) without asking Redis.
 *
 * Node: one tag byte, then
 *   'n'  nothing                      (NIL)
 *   's'  4-byte length, the bytes     (STR)
 *   'i'  8-byte integer               (INT)
 *   'a'  4-byte count, the elements   (ARR)
 * Integers are little endian.
 */

#ifndef SE_RAW_CODEC_H
#define SE_RAW_CODEC_H

#include "se_raw.h"

#define SE_RAW_MAX_DEPTH  16

/* bytes se_raw_encode() writes for the tree; 0 when it cannot be encoded */
size_t se_raw_encoded_size(const se_raw_t *raw);

/* writes the encoding into out (se_raw_encoded_size() bytes) */
void se_raw_encode(const se_raw_t *raw, unsigned char *out);

/*
 * Decodes buf into a tree of nodes allocated in one malloc'ed block
 * (free() it); strings point into buf, which must outlive the tree.
 * SE_ERROR on malformed input or no memory.
 */
int se_raw_decode(const unsigned char *buf, size_t len, se_raw_t **out);

#endif /* SE_RAW_CODEC_H */
