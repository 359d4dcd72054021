/*
 * status-edge core: common definitions.  Plain C, no nginx headers.
 */

#ifndef SE_CORE_H
#define SE_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SE_OK           0
#define SE_ERROR       -1
#define SE_AGAIN       -2
#define SE_DECLINED    -5

#endif /* SE_CORE_H */
