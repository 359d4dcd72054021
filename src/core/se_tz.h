/*
 * Time zones for the status page: a small reader of the TZif files in
 * /usr/share/zoneinfo (RFC 8536), giving the UTC offset and abbreviation
 * in effect at an instant.
 *
 * Only the transitions the file lists are used, not its POSIX TZ footer:
 * after the last transition the last type stays in effect.  Debian's
 * tzdata ships "fat" files whose transitions run to 2037, so this is
 * exact until then.  Loading reads a file: call it off the event loop
 * (the state build runs in nginx's thread pool).
 */

#ifndef SE_TZ_H
#define SE_TZ_H

#include "se_core.h"

#define SE_TZ_DIR       "/usr/share/zoneinfo"
#define SE_TZ_FILE_MAX  (256 * 1024)
#define SE_TZ_ABBR_MAX  16

typedef struct se_tz_s  se_tz_t;

/*
 * The zone named name (an IANA name, se_valid_time_zone()) under dir
 * (NULL: SE_TZ_DIR); NULL when the name is invalid, the file is missing,
 * unreadable or not TZif, or out of memory.  se_tz_free() releases it.
 */
se_tz_t *se_tz_load(const char *dir, const char *name, size_t len);

/* a zone from the bytes of a TZif file; NULL when broken or no memory */
se_tz_t *se_tz_parse(const unsigned char *data, size_t len);

void se_tz_free(se_tz_t *tz);

/*
 * Seconds east of UTC at Unix time t, and the abbreviation then ("KST",
 * "EDT", "+09"), NUL-terminated, owned by tz.  A NULL tz is UTC.
 */
int32_t se_tz_offset(const se_tz_t *tz, int64_t t, const char **abbr);

#endif /* SE_TZ_H */
