/*
 * A raw Redis snapshot as a tree of strings and arrays.  The nginx glue
 * builds it from a hiredis reply; tests and fuzzers build it by hand.
 * Nodes only point at bytes owned by the caller.
 */

#ifndef SE_RAW_H
#define SE_RAW_H

#include "se_core.h"

typedef enum {
    SE_RAW_NIL = 0,
    SE_RAW_STR,
    SE_RAW_INT,
    SE_RAW_ARR
} se_raw_type_e;

typedef struct se_raw_s  se_raw_t;

struct se_raw_s {
    se_raw_type_e   type;
    long long       integer;
    const char     *str;
    size_t          len;
    se_raw_t       *elem;
    size_t          nelem;
};

#endif /* SE_RAW_H */
