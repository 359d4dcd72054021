/*
 * Test helper: checks on parsed JSON documents.
 */

#ifndef SE_TEST_JCHECK_H
#define SE_TEST_JCHECK_H

#include <string.h>

#include <jansson.h>

#include "tap.h"


/* obj has exactly these keys, in this order (NULL-terminated list) */
static inline int
jc_keys(json_t *obj, const char *const *keys, const char *name)
{
    const char  *k;
    json_t      *v;
    size_t       i;
    int          ok;

    ok = json_is_object(obj);
    i = 0;

    if (ok) {
        json_object_foreach(obj, k, v) {
            (void) v;

            if (keys[i] == NULL || strcmp(keys[i], k) != 0) {
                tap_diag("key %zu: got \"%s\", expected \"%s\"", i, k,
                         keys[i] ? keys[i] : "(end)");
                ok = 0;
                break;
            }

            i++;
        }

        if (ok && keys[i] != NULL) {
            tap_diag("missing key \"%s\"", keys[i]);
            ok = 0;
        }
    }

    return tap_ok(ok, "%s: exact keys", name);
}


/* a string member, or NULL */
static inline const char *
jc_str(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}


/* follows a path like "incidents.0.incident_updates.1.body" */
static inline json_t *
jc_path(json_t *j, const char *path)
{
    char    buf[256], *p, *tok, *end;
    size_t  idx;

    snprintf(buf, sizeof(buf), "%s", path);

    for (p = buf; j && (tok = strsep(&p, ".")) != NULL; ) {
        if (json_is_array(j)) {
            idx = strtoul(tok, &end, 10);
            j = *end ? NULL : json_array_get(j, idx);

        } else {
            j = json_object_get(j, tok);
        }
    }

    return j;
}


static inline int
jc_is(json_t *doc, const char *path, const char *want)
{
    json_t      *v;
    const char  *got;

    v = jc_path(doc, path);
    got = json_is_string(v) ? json_string_value(v)
          : json_is_null(v) ? "(json null)" : v ? "(not a string)"
          : "(absent)";

    return tap_is(got, want, path);
}


static inline int
jc_null(json_t *doc, const char *path)
{
    return tap_ok(json_is_null(jc_path(doc, path)), "%s is null", path);
}


static inline size_t
jc_size(json_t *doc, const char *path)
{
    return json_array_size(jc_path(doc, path));
}

#endif /* SE_TEST_JCHECK_H */
