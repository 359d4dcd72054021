/*
 * Rendering the Statuspage v2 JSON documents with jansson: compact,
 * UTF-8 as is (no \u escapes), "/" not escaped.  Only public incidents
 * and maintenances appear.  Missing optional values are null.
 *
 * Each object (page, status, component, incident, maintenance) is built
 * and serialized by jansson once; the documents are then assembled from
 * these fragments, so an incident that appears in three documents costs
 * one serialization.
 */

#include <ctype.h>
#include <string.h>

#include <jansson.h>

#include "se_build.h"
#include "se_render.h"
#include "se_state.h"
#include "se_enum.h"
#include "se_derive.h"
#include "se_valid.h"
#include "se_time.h"

#define SE_LIST_MAX  50     /* incidents.json, scheduled-maintenances.json */

typedef struct {
    char              *data;        /* NULL: not rendered (internal) */
    size_t             len;
} se_frag_t;

typedef struct {
    char              *data;
    size_t             len;
    size_t             size;
} se_buf_t;

typedef struct {
    se_build_t        *b;
    const se_model_t  *m;
    json_t           **comps;       /* per component */
    se_frag_t          page;
    se_frag_t          status;
    se_frag_t         *comp_frags;
    se_frag_t         *inc_frags;   /* per incident, NULL data: internal */
    se_frag_t         *mnt_frags;   /* per maintenance, likewise */
    se_buf_t           buf;         /* scratch */
} se_render_t;


static json_t *
se_jstr(const se_str_t *s)
{
    if (s->data == NULL) {
        return json_null();
    }

    return json_stringn_nocheck(s->data, s->len);
}


static json_t *
se_jtime(int64_t t)
{
    char  buf[SE_TIME_LEN];

    if (t == SE_TIME_NONE || se_time_format(t, buf) == 0) {
        return json_null();
    }

    return json_string_nocheck(buf);
}


/* jansson refuses NULL values with -1, so failures just accumulate */
#define se_set(obj, key, val)  (json_object_set_new(obj, key, val) != 0)


/*
 * An addition to the Statuspage fields: {"ko":"...",...}, the field's
 * translations (F.LANG) with the tag in lowercase, set as key only when
 * there is one.  Empty translations never reach the model.
 */
static int
se_set_i18n(json_t *o, const char *key, const se_i18n_t *list)
{
    char     lang[SE_MAX_LANG + 1];
    json_t  *t;
    size_t   i;
    int      err;

    if (list == NULL) {
        return 0;
    }

    t = json_object();
    err = se_set(o, key, t);

    for ( /* void */ ; !err && list; list = list->next) {
        if (list->lang.len > SE_MAX_LANG) {
            continue;
        }

        for (i = 0; i < list->lang.len; i++) {
            lang[i] = (char) tolower((unsigned char) list->lang.data[i]);
        }

        lang[i] = '\0';

        err |= se_set(t, lang, se_jstr(&list->text));
    }

    return err;
}


static json_t *
se_render_page(se_render_t *r)
{
    const se_page_t  *p;
    json_t           *o;
    int               err;

    p = &r->m->page;

    o = json_object();
    if (o == NULL) {
        return NULL;
    }

    err = se_set(o, "id", se_jstr(&p->id));
    err |= se_set(o, "name", se_jstr(&p->name));
    err |= se_set(o, "url", se_jstr(&p->url));
    err |= se_set(o, "time_zone", se_jstr(&p->time_zone));
    err |= se_set(o, "updated_at", se_jtime(p->updated_at));

    if (err) {
        json_decref(o);
        return NULL;
    }

    return o;
}


static json_t *
se_render_status(se_indicator_e ind)
{
    json_t  *o;
    int      err;

    o = json_object();
    if (o == NULL) {
        return NULL;
    }

    err = se_set(o, "indicator", json_string(se_indicator_name(ind)));
    err |= se_set(o, "description",
                  json_string(se_indicator_description(ind)));

    if (err) {
        json_decref(o);
        return NULL;
    }

    return o;
}


static json_t *
se_render_component(se_render_t *r, const se_component_t *c)
{
    json_t          *o, *kids;
    const se_str_t  *g;
    size_t           i;
    int              err;

    o = json_object();
    if (o == NULL) {
        return NULL;
    }

    err = se_set(o, "id", se_jstr(&c->id));
    err |= se_set(o, "name", se_jstr(&c->name));
    err |= se_set(o, "status",
                  json_string(se_comp_status_name(c->status)));
    err |= se_set(o, "created_at", se_jtime(c->created_at));
    err |= se_set(o, "updated_at", se_jtime(c->updated_at));
    err |= se_set(o, "position", json_integer(c->position));
    err |= se_set(o, "description", se_jstr(&c->description));
    err |= se_set(o, "showcase", json_false());
    err |= se_set(o, "start_date", json_null());
    err |= se_set(o, "group_id", se_jstr(&c->group_id));
    err |= se_set(o, "page_id", se_jstr(&r->m->page.id));
    err |= se_set(o, "group", json_boolean(c->group));
    err |= se_set(o, "only_show_if_degraded",
                  json_boolean(c->only_show_if_degraded));

    if (!err && c->group) {
        kids = json_array();
        err |= se_set(o, "components", kids);

        for (i = 0; !err && i < r->m->ncomponents; i++) {
            g = &r->m->components[i].group_id;

            if (g->data && g->len == c->id.len
                && memcmp(g->data, c->id.data, g->len) == 0
                && &r->m->components[i] != c)
            {
                err |= json_array_append_new(kids,
                           se_jstr(&r->m->components[i].id)) != 0;
            }
        }
    }

    if (err) {
        json_decref(o);
        return NULL;
    }

    return o;
}


static json_t *
se_render_update(const se_incident_t *inc, const se_update_t *u)
{
    json_t  *o;
    int      err;

    o = json_object();
    if (o == NULL) {
        return NULL;
    }

    err = se_set(o, "id", se_jstr(&u->id));
    err |= se_set(o, "status", json_string(se_status_name(u->status)));
    err |= se_set(o, "body", se_jstr(&u->body));
    err |= se_set(o, "incident_id", se_jstr(&inc->id));
    err |= se_set(o, "created_at", se_jtime(u->created_at));
    err |= se_set(o, "updated_at", se_jtime(u->updated_at));
    err |= se_set(o, "display_at", se_jtime(u->display_at));
    err |= se_set(o, "affected_components", json_null());
    err |= se_set(o, "deliver_notifications", json_true());
    err |= se_set(o, "custom_tweet", json_null());
    err |= se_set(o, "tweet_id", json_null());
    err |= se_set_i18n(o, "body_translations", u->body_i18n);

    if (err) {
        json_decref(o);
        return NULL;
    }

    return o;
}


static json_t *
se_render_incident(se_render_t *r, const se_incident_t *inc)
{
    json_t                *o, *ups, *comps;
    const se_component_t  *c;
    size_t                 i;
    int                    err;

    o = json_object();
    if (o == NULL) {
        return NULL;
    }

    err = se_set(o, "id", se_jstr(&inc->id));
    err |= se_set(o, "name", se_jstr(&inc->name));
    err |= se_set(o, "status", json_string(se_status_name(inc->status)));
    err |= se_set(o, "created_at", se_jtime(inc->created_at));
    err |= se_set(o, "updated_at", se_jtime(inc->updated_at));
    err |= se_set(o, "monitoring_at", se_jtime(inc->monitoring_at));
    err |= se_set(o, "resolved_at", se_jtime(inc->resolved_at));
    err |= se_set(o, "impact", json_string(se_impact_name(inc->impact)));
    err |= se_set(o, "shortlink", se_jstr(&inc->shortlink));
    err |= se_set(o, "started_at", se_jtime(inc->started_at));
    err |= se_set(o, "page_id", se_jstr(&r->m->page.id));

    ups = json_array();
    err |= se_set(o, "incident_updates", ups);

    for (i = 0; !err && i < inc->nupdates; i++) {
        err |= json_array_append_new(ups,
                   se_render_update(inc, &inc->updates[i])) != 0;
    }

    comps = json_array();
    err |= se_set(o, "components", comps);

    for (i = 0; !err && i < inc->ncomponents; i++) {
        c = se_model_component(r->m, inc->components[i].data,
                               inc->components[i].len);
        if (c) {
            err |= json_array_append(comps,
                                     r->comps[c - r->m->components]) != 0;
        }
    }

    err |= se_set(o, "postmortem_url", se_jstr(&inc->postmortem_url));
    err |= se_set(o, "next_update_at", se_jtime(inc->next_update_at));

    if (inc->kind == SE_KIND_MAINTENANCE) {
        err |= se_set(o, "scheduled_for", se_jtime(inc->scheduled_for));
        err |= se_set(o, "scheduled_until",
                      se_jtime(inc->scheduled_until));
    }

    /* additions: what the banner honours, for the widget */
    err |= se_set(o, "banner", json_boolean(inc->banner));

    if (inc->kind == SE_KIND_MAINTENANCE) {
        err |= se_set(o, "banner_lead", json_integer(inc->banner_lead));
    }

    err |= se_set_i18n(o, "name_translations", inc->name_i18n);

    if (err) {
        json_decref(o);
        return NULL;
    }

    return o;
}


static int
se_buf_add(se_buf_t *buf, const char *s, size_t len)
{
    char    *p;
    size_t   size;

    if (len > buf->size - buf->len) {
        size = buf->size ? buf->size : 4096;

        while (len > size - buf->len) {
            if (size > SIZE_MAX / 4) {
                return SE_ERROR;
            }
            size *= 2;
        }

        p = se_malloc(size);
        if (p == NULL) {
            return SE_ERROR;
        }

        if (buf->len) {
            memcpy(p, buf->data, buf->len);
        }

        se_free(buf->data);
        buf->data = p;
        buf->size = size;
    }

    if (len) {
        memcpy(buf->data + buf->len, s, len);
        buf->len += len;
    }

    return SE_OK;
}


static int
se_buf_str(se_buf_t *buf, const char *s)
{
    return se_buf_add(buf, s, strlen(s));
}


/*
 * U+2028 and U+2029 are valid in JSON strings but end a line in
 * JavaScript before ES2019, which breaks JSONP: write them escaped.
 * jansson hands over whole code points, so a sequence is never split.
 */
static int
se_dump_cb(const char *s, size_t len, void *data)
{
    size_t       i, start;
    const char  *esc;

    start = 0;

    for (i = 0; i + 2 < len; i++) {
        if ((unsigned char) s[i] != 0xe2 || (unsigned char) s[i + 1] != 0x80
            || ((unsigned char) s[i + 2] != 0xa8
                && (unsigned char) s[i + 2] != 0xa9))
        {
            continue;
        }

        esc = ((unsigned char) s[i + 2] == 0xa8) ? "\\u2028" : "\\u2029";

        if (se_buf_add(data, s + start, i - start) != SE_OK
            || se_buf_add(data, esc, 6) != SE_OK)
        {
            return -1;
        }

        i += 2;
        start = i + 1;
    }

    return se_buf_add(data, s + start, len - start) == SE_OK ? 0 : -1;
}


/* the scratch buffer as a NUL-terminated pool copy */
static int
se_buf_copy(se_render_t *r, char **out, size_t *len)
{
    char  *p;

    p = se_pcalloc(r->b->pool, r->buf.len + 1);
    if (p == NULL) {
        return SE_ERROR;
    }

    if (r->buf.len) {
        memcpy(p, r->buf.data, r->buf.len);
    }

    *out = p;
    *len = r->buf.len;

    return SE_OK;
}


/* serializes and releases obj; SE_ERROR when obj is NULL or no memory */
static int
se_frag(se_render_t *r, json_t *obj, se_frag_t *f)
{
    int  rc;

    if (obj == NULL) {
        return SE_ERROR;
    }

    r->buf.len = 0;

    rc = json_dump_callback(obj, se_dump_cb, &r->buf, JSON_COMPACT);

    json_decref(obj);

    if (rc != 0) {
        return SE_ERROR;
    }

    return se_buf_copy(r, &f->data, &f->len);
}


typedef int (*se_pick_pt)(const se_incident_t *inc);


static int
se_pick_all(const se_incident_t *inc)
{
    (void) inc;
    return 1;
}


static int
se_pick_unresolved(const se_incident_t *inc)
{
    return se_status_unresolved(inc->status);
}


static int
se_pick_upcoming(const se_incident_t *inc)
{
    return se_status_upcoming(inc->status);
}


static int
se_pick_active(const se_incident_t *inc)
{
    return se_status_active(inc->status);
}


static int
se_pick_summary(const se_incident_t *inc)
{
    return se_status_upcoming(inc->status) || se_status_active(inc->status);
}


/* ,"key":[fragments of public records that pick() selects, <= max] */
static int
se_add_list(se_render_t *r, const char *key, const se_frag_t *frags,
    const se_incident_t *recs, size_t n, se_pick_pt pick, size_t max)
{
    size_t  i, k;

    if (se_buf_str(&r->buf, ",\"") != SE_OK
        || se_buf_str(&r->buf, key) != SE_OK
        || se_buf_str(&r->buf, "\":[") != SE_OK)
    {
        return SE_ERROR;
    }

    for (i = 0, k = 0; i < n && k < max; i++) {
        if (frags[i].data == NULL || !pick(&recs[i])) {
            continue;
        }

        if ((k && se_buf_add(&r->buf, ",", 1) != SE_OK)
            || se_buf_add(&r->buf, frags[i].data, frags[i].len) != SE_OK)
        {
            return SE_ERROR;
        }

        k++;
    }

    return se_buf_add(&r->buf, "]", 1);
}


static int
se_add_components(se_render_t *r)
{
    size_t  i;

    if (se_buf_str(&r->buf, ",\"components\":[") != SE_OK) {
        return SE_ERROR;
    }

    for (i = 0; i < r->m->ncomponents; i++) {
        if ((i && se_buf_add(&r->buf, ",", 1) != SE_OK)
            || se_buf_add(&r->buf, r->comp_frags[i].data,
                          r->comp_frags[i].len) != SE_OK)
        {
            return SE_ERROR;
        }
    }

    return se_buf_add(&r->buf, "]", 1);
}


static int
se_render_doc(se_render_t *r, se_doc_e doc, char **out, size_t *len)
{
    const se_model_t  *m;
    int                rc;

    m = r->m;
    r->buf.len = 0;

    rc = se_buf_str(&r->buf, "{\"page\":");
    rc |= se_buf_add(&r->buf, r->page.data, r->page.len);

    switch (doc) {

    case SE_DOC_STATUS:
        break;

    case SE_DOC_SUMMARY:
        rc |= se_add_components(r);
        rc |= se_add_list(r, "incidents", r->inc_frags, m->incidents,
                          m->nincidents, se_pick_unresolved, SIZE_MAX);
        rc |= se_add_list(r, "scheduled_maintenances", r->mnt_frags,
                          m->maintenances, m->nmaintenances,
                          se_pick_summary, SIZE_MAX);
        break;

    case SE_DOC_COMPONENTS:
        rc |= se_add_components(r);
        break;

    case SE_DOC_INCIDENTS:
        rc |= se_add_list(r, "incidents", r->inc_frags, m->incidents,
                          m->nincidents, se_pick_all, SE_LIST_MAX);
        break;

    case SE_DOC_INCIDENTS_UNRESOLVED:
        rc |= se_add_list(r, "incidents", r->inc_frags, m->incidents,
                          m->nincidents, se_pick_unresolved, SIZE_MAX);
        break;

    case SE_DOC_MAINTENANCES:
        rc |= se_add_list(r, "scheduled_maintenances", r->mnt_frags,
                          m->maintenances, m->nmaintenances, se_pick_all,
                          SE_LIST_MAX);
        break;

    case SE_DOC_MAINTENANCES_UPCOMING:
        rc |= se_add_list(r, "scheduled_maintenances", r->mnt_frags,
                          m->maintenances, m->nmaintenances,
                          se_pick_upcoming, SIZE_MAX);
        break;

    case SE_DOC_MAINTENANCES_ACTIVE:
        rc |= se_add_list(r, "scheduled_maintenances", r->mnt_frags,
                          m->maintenances, m->nmaintenances,
                          se_pick_active, SIZE_MAX);
        break;

    default:
        break;
    }

    if (doc == SE_DOC_STATUS || doc == SE_DOC_SUMMARY) {
        rc |= se_buf_str(&r->buf, ",\"status\":");
        rc |= se_buf_add(&r->buf, r->status.data, r->status.len);
    }

    rc |= se_buf_add(&r->buf, "}", 1);

    if (rc != SE_OK) {
        return SE_ERROR;
    }

    return se_buf_copy(r, out, len);
}


static int
se_render_records(se_render_t *r, se_frag_t *frags,
    const se_incident_t *recs, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (recs[i].audience != SE_AUDIENCE_PUBLIC) {
            continue;
        }

        if (se_frag(r, se_render_incident(r, &recs[i]), &frags[i])
            != SE_OK)
        {
            return SE_ERROR;
        }
    }

    return SE_OK;
}


int
se_render(se_build_t *b, se_indicator_e ind, char **docs, size_t *lens)
{
    se_render_t   r;
    se_pool_t    *pool;
    size_t        i, nc;
    int           rc;

    memset(&r, 0, sizeof(se_render_t));

    r.b = b;
    r.m = b->model;
    pool = b->pool;
    nc = r.m->ncomponents;
    rc = SE_ERROR;

    /* pool memory: zeroed, released with the state */
    r.comps = se_pcalloc_n(pool, nc, sizeof(json_t *));
    r.comp_frags = se_pcalloc_n(pool, nc, sizeof(se_frag_t));
    r.inc_frags = se_pcalloc_n(pool, r.m->nincidents, sizeof(se_frag_t));
    r.mnt_frags = se_pcalloc_n(pool, r.m->nmaintenances, sizeof(se_frag_t));

    if (r.comps == NULL || r.comp_frags == NULL || r.inc_frags == NULL
        || r.mnt_frags == NULL)
    {
        goto done;
    }

    if (se_frag(&r, se_render_page(&r), &r.page) != SE_OK
        || se_frag(&r, se_render_status(ind), &r.status) != SE_OK)
    {
        goto done;
    }

    /* component objects stay alive: incidents embed them */
    for (i = 0; i < nc; i++) {
        r.comps[i] = se_render_component(&r, &r.m->components[i]);

        if (r.comps[i] == NULL
            || se_frag(&r, json_incref(r.comps[i]), &r.comp_frags[i])
               != SE_OK)
        {
            goto done;
        }
    }

    if (se_render_records(&r, r.inc_frags, r.m->incidents,
                          r.m->nincidents) != SE_OK
        || se_render_records(&r, r.mnt_frags, r.m->maintenances,
                             r.m->nmaintenances) != SE_OK)
    {
        goto done;
    }

    for (i = 0; i < SE_DOC_N; i++) {
        if (se_render_doc(&r, (se_doc_e) i, &docs[i], &lens[i]) != SE_OK) {
            goto done;
        }
    }

    rc = SE_OK;

done:

    if (rc != SE_OK) {
        b->oom = 1;
    }

    if (r.comps) {
        for (i = 0; i < nc; i++) {
            json_decref(r.comps[i]);
        }
    }

    se_free(r.buf.data);

    return rc;
}


json_t *
se_render_record_object(const se_model_t *m, const se_incident_t *rec)
{
    json_t       *o;
    size_t        i;
    se_render_t   r;

    memset(&r, 0, sizeof(se_render_t));

    r.m = m;
    o = NULL;

    r.comps = se_malloc((m->ncomponents + 1) * sizeof(json_t *));
    if (r.comps == NULL) {
        return NULL;
    }

    for (i = 0; i < m->ncomponents; i++) {
        r.comps[i] = se_render_component(&r, &m->components[i]);
        if (r.comps[i] == NULL) {
            goto done;
        }
    }

    o = se_render_incident(&r, rec);

done:

    while (i-- > 0) {
        json_decref(r.comps[i]);
    }

    se_free(r.comps);

    return o;
}


json_t *
se_render_component_object(const se_model_t *m, const se_component_t *c)
{
    se_render_t  r;

    memset(&r, 0, sizeof(se_render_t));

    r.m = m;

    return se_render_component(&r, c);
}
