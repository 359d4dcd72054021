/*
 * Operator templates, the generic part (see se_tpl.h).
 */

#include <stdio.h>
#include <string.h>

#include "se_tpl.h"
#include "se_pool.h"

#define SE_TPL_NAME_MAX  32             /* of a name quoted in an error */


static void
se_tpl_error(char *err, size_t errlen, const char *fmt, const char *name,
    size_t name_len, const char *what, size_t line)
{
    char    quoted[SE_TPL_NAME_MAX + 4];
    size_t  i, n;

    if (err == NULL || errlen == 0) {
        return;
    }

    /* the name as printable ASCII, cut */

    n = name_len < SE_TPL_NAME_MAX ? name_len : SE_TPL_NAME_MAX;

    for (i = 0; i < n; i++) {
        quoted[i] = (name[i] > 0x20 && name[i] < 0x7f) ? name[i] : '?';
    }

    if (n < name_len) {
        memcpy(quoted + n, "...", 3);
        n += 3;
    }

    quoted[n] = '\0';

    snprintf(err, errlen, fmt, quoted, what, line);
}


static int
se_tpl_item(const se_tpl_spec_t *spec, const char *s, size_t len)
{
    size_t  i;

    for (i = 1; i < spec->nnames; i++) {
        if (strlen(spec->names[i]) == len
            && memcmp(spec->names[i], s, len) == 0)
        {
            return (int) i;
        }
    }

    return 0;
}


/*
 * One pass over the text: counts the segments, and fills segs when it
 * is not NULL.  SE_OK or SE_ERROR with the message.
 */
static int
se_tpl_scan(const se_tpl_spec_t *spec, const char *text, size_t len,
    se_tpl_seg_t *segs, size_t *nsegs, char *err, size_t errlen)
{
    int      item, once;
    size_t   i, n, line, start, open, name, name_end, close;

    n = 0;
    line = 1;
    start = 0;
    once = 0;

    for (i = 0; i < len; i++) {

        if (text[i] == '\n') {
            line++;
            continue;
        }

        if (text[i] == '\0') {
            se_tpl_error(err, errlen, "NUL byte%s in the %s on line %zu",
                         "", 0, spec->what, line);
            return SE_ERROR;
        }

        if (text[i] != '{' || i + 1 >= len || text[i + 1] != '{') {
            continue;
        }

        open = i;

        for (close = i + 2; close + 1 < len; close++) {
            if (text[close] == '}' && text[close + 1] == '}') {
                break;
            }

            if (text[close] == '\n' || text[close] == '\0') {
                close = len;
                break;
            }
        }

        if (close + 1 >= len) {
            se_tpl_error(err, errlen, "unterminated \"{{%s\" in the %s on "
                         "line %zu", "", 0, spec->what, line);
            return SE_ERROR;
        }

        name = open + 2;
        name_end = close;

        while (name < name_end && (text[name] == ' ' || text[name] == '\t')) {
            name++;
        }

        while (name_end > name
               && (text[name_end - 1] == ' ' || text[name_end - 1] == '\t'))
        {
            name_end--;
        }

        item = se_tpl_item(spec, text + name, name_end - name);

        if (item == 0) {
            se_tpl_error(err, errlen, "unknown placeholder \"{{%s}}\" in the "
                         "%s on line %zu", text + name, name_end - name,
                         spec->what, line);
            return SE_ERROR;
        }

        if (spec->once && item == spec->once && once++) {
            se_tpl_error(err, errlen, "placeholder \"{{%s}}\" used twice in "
                         "the %s, again on line %zu", spec->names[item],
                         strlen(spec->names[item]), spec->what, line);
            return SE_ERROR;
        }

        if (open > start) {
            if (segs) {
                segs[n].item = 0;
                segs[n].off = start;
                segs[n].len = open - start;
            }

            n++;
        }

        if (segs) {
            segs[n].item = item;
            segs[n].off = 0;
            segs[n].len = 0;
        }

        n++;

        i = close + 1;
        start = close + 2;
    }

    if (len > start) {
        if (segs) {
            segs[n].item = 0;
            segs[n].off = start;
            segs[n].len = len - start;
        }

        n++;
    }

    *nsegs = n;

    return SE_OK;
}


int
se_tpl_parse(const se_tpl_spec_t *spec, const char *text, size_t len,
    se_tpl_t **out, char *err, size_t errlen)
{
    size_t     nsegs, size;
    se_tpl_t  *t;

    *out = NULL;

    if (err && errlen) {
        err[0] = '\0';
    }

    if (len > spec->max) {
        if (err && errlen) {
            snprintf(err, errlen, "the %s is %zu bytes, over the limit of "
                     "%zu (%zu KiB)", spec->what, len, spec->max,
                     spec->max / 1024);
        }

        return SE_ERROR;
    }

    if (text == NULL) {
        len = 0;
        text = "";
    }

    if (se_tpl_scan(spec, text, len, NULL, &nsegs, err, errlen) != SE_OK) {
        return SE_ERROR;
    }

    /* one block: the template, the segments, the text and a NUL */

    size = sizeof(se_tpl_t) + nsegs * sizeof(se_tpl_seg_t) + len + 1;

    t = se_malloc(size);
    if (t == NULL) {
        if (err && errlen) {
            snprintf(err, errlen, "out of memory parsing the %s",
                     spec->what);
        }

        return SE_ERROR;
    }

    t->segs = (se_tpl_seg_t *) (t + 1);
    t->nsegs = nsegs;
    t->text = (char *) (t->segs + nsegs);
    t->len = len;

    memcpy(t->text, text, len);
    t->text[len] = '\0';

    (void) se_tpl_scan(spec, t->text, len, t->segs, &nsegs, NULL, 0);

    *out = t;

    return SE_OK;
}


void
se_tpl_free(se_tpl_t *t)
{
    se_free(t);
}
