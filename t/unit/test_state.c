/*
 * Bad data of every kind: skipped or dropped, counted, described in a
 * log-safe warning; the rest of the state intact.
 */

#include "tap.h"
#include "snap.h"
#include "jcheck.h"
#include "se_derive.h"

/* a good update, as a JSON string inside the snapshot JSON */
#define GOOD_UPD                                                              \
    "\"{\\\"id\\\":\\\"g1\\\",\\\"status\\\":\\\"identified\\\","             \
    "\\\"body\\\":\\\"ok\\\",\\\"created_at\\\":\\\"2026-11-21T14:30:00Z\\\"}\""

typedef struct case_s  case_t;

struct case_s {
    const char  *name;
    const char  *version;   /* JSON node, default "1" */
    const char  *page;      /* JSON node, default a good page */
    const char  *comp;      /* extra component records */
    const char  *inc;       /* extra incident records */
    const char  *mnt;       /* extra maintenance records */
    const char  *upd;       /* update JSON text, added to incident "upd" */
    const char  *updnode;   /* update node as snapshot JSON, likewise */
    size_t       nc, ni, nm;        /* records kept */
    size_t       bad;               /* se_state_bad_records() */
    const char  *warn;              /* substring of the first warning */
    void       (*check)(const case_t *c, se_state_t *st);
};


static const se_incident_t *
find_inc(const se_model_t *m, const char *id)
{
    size_t  i;

    for (i = 0; i < m->nincidents; i++) {
        if (strcmp(m->incidents[i].id.data, id) == 0) {
            return &m->incidents[i];
        }
    }

    for (i = 0; i < m->nmaintenances; i++) {
        if (strcmp(m->maintenances[i].id.data, id) == 0) {
            return &m->maintenances[i];
        }
    }

    return NULL;
}


static void
check_version0(const case_t *c, se_state_t *st)
{
    tap_ok(se_state_version(st) == 0, "%s: version 0", c->name);
}


static void
check_version7(const case_t *c, se_state_t *st)
{
    tap_ok(se_state_version(st) == 7, "%s: version 7", c->name);
}


static void
check_version_max(const case_t *c, se_state_t *st)
{
    tap_ok(se_state_version(st) == UINT64_MAX, "%s: version max", c->name);
}


static void
check_page_empty(const case_t *c, se_state_t *st)
{
    tap_ok(se_state_model(st)->page.id.data == NULL, "%s: page unset",
           c->name);
}


static void
check_page_no_url(const case_t *c, se_state_t *st)
{
    const se_page_t  *p = &se_state_model(st)->page;

    tap_ok(p->url.data == NULL && p->id.data
           && strcmp(p->id.data, "pg") == 0, "%s: url dropped, id kept",
           c->name);
}


static void
check_page_no_tz(const case_t *c, se_state_t *st)
{
    tap_ok(se_state_model(st)->page.time_zone.data == NULL,
           "%s: time_zone dropped", c->name);
}


static void
check_x_no_desc(const case_t *c, se_state_t *st)
{
    const se_component_t  *x;

    x = se_model_component(se_state_model(st), "x", 1);
    tap_ok(x && x->description.data == NULL && strcmp(x->name.data, "X")
           == 0, "%s: description dropped, component kept", c->name);
}


static void
check_x_flags(const case_t *c, se_state_t *st)
{
    const se_component_t  *x;

    x = se_model_component(se_state_model(st), "x", 1);
    tap_ok(x && x->only_show_if_degraded == 0
           && x->updated_at == SE_TIME_NONE && x->group_id.data == NULL,
           "%s: bad fields at their defaults", c->name);
}


static void
check_x_no_i18n(const case_t *c, se_state_t *st)
{
    const se_component_t  *x;

    x = se_model_component(se_state_model(st), "x", 1);
    tap_ok(x && x->name_i18n == NULL, "%s: translation dropped", c->name);
}


static void
check_x_i18n(const case_t *c, se_state_t *st)
{
    const se_component_t  *x;
    const se_i18n_t       *t;

    x = se_model_component(se_state_model(st), "x", 1);
    t = x ? se_i18n_find(x->name_i18n, "ko", 2) : NULL;
    tap_ok(t && strcmp(t->text.data, "엑스") == 0 && t->next == NULL,
           "%s: one translation kept", c->name);
}


static void
check_x_255(const case_t *c, se_state_t *st)
{
    const se_component_t  *x;

    x = se_model_component(se_state_model(st), "x", 1);
    tap_ok(x && x->name.len == 255, "%s: 255-byte name kept", c->name);
}


static void
check_i_score(const case_t *c, se_state_t *st)
{
    const se_incident_t  *i;

    i = find_inc(se_state_model(st), "i");
    tap_ok(i && i->created_at == 1795271400, "%s: created_at from score",
           c->name);
}


static void
check_i_times(const case_t *c, se_state_t *st)
{
    const se_incident_t  *i;

    i = find_inc(se_state_model(st), "i");
    tap_ok(i && i->monitoring_at == SE_TIME_NONE
           && i->resolved_at == SE_TIME_NONE
           && i->next_update_at == SE_TIME_NONE
           && i->updated_at == i->created_at,
           "%s: bad times dropped", c->name);
}


static void
check_i_urls(const case_t *c, se_state_t *st)
{
    const se_incident_t  *i;

    i = find_inc(se_state_model(st), "i");
    tap_ok(i && i->shortlink.data == NULL && i->postmortem_url.data == NULL,
           "%s: bad urls dropped", c->name);
}


static void
check_i_refs(const case_t *c, se_state_t *st)
{
    const se_incident_t  *i;

    i = find_inc(se_state_model(st), "i");
    tap_ok(i && i->ncomponents == 2 && strcmp(i->components[0].data, "ok")
           == 0 && strcmp(i->components[1].data, "web") == 0,
           "%s: good ids kept, bad and duplicate ones dropped", c->name);
}


static void
check_i_internal(const case_t *c, se_state_t *st)
{
    const se_incident_t  *i;
    const char           *s;
    size_t                len;

    i = find_inc(se_state_model(st), "i");
    s = se_state_doc(st, SE_DOC_INCIDENTS, &len);
    tap_ok(i && i->audience == SE_AUDIENCE_INTERNAL
           && memmem(s, len, "\"id\":\"i\"", 8) == NULL,
           "%s: fails closed (internal, not published)", c->name);
}


static void
check_i_banner(const case_t *c, se_state_t *st)
{
    const se_incident_t  *i;

    i = find_inc(se_state_model(st), "i");
    tap_ok(i && i->banner == 1, "%s: banner stays on", c->name);
}


static void
check_i_no_updates(const case_t *c, se_state_t *st)
{
    const se_incident_t  *i;

    i = find_inc(se_state_model(st), "i");
    tap_ok(i && i->nupdates == 0, "%s: no updates", c->name);
}


static void
check_upd1(const case_t *c, se_state_t *st)
{
    const se_incident_t  *i;

    i = find_inc(se_state_model(st), "upd");
    tap_ok(i && i->nupdates == 1 && strcmp(i->updates[0].id.data, "g1")
           == 0, "%s: the good update kept, the bad one skipped", c->name);
}


static void
check_upd2(const case_t *c, se_state_t *st)
{
    const se_incident_t  *i;

    i = find_inc(se_state_model(st), "upd");
    tap_ok(i && i->nupdates == 2, "%s: both updates kept", c->name);
}


static void
check_upd_display(const case_t *c, se_state_t *st)
{
    const se_incident_t  *i;

    i = find_inc(se_state_model(st), "upd");
    tap_ok(i && i->nupdates == 2
           && i->updates[1].display_at == i->updates[1].created_at,
           "%s: display_at dropped to created_at", c->name);
}


static void
check_m_defaults(const case_t *c, se_state_t *st)
{
    const se_incident_t  *m;

    m = find_inc(se_state_model(st), "m");
    tap_ok(m && m->gate == 0 && m->banner_lead == 86400,
           "%s: gate off, banner_lead 86400", c->name);
}


static void
check_m_impact(const case_t *c, se_state_t *st)
{
    const se_incident_t  *m;

    m = find_inc(se_state_model(st), "m");
    tap_ok(m && m->impact == SE_IMPACT_MAJOR, "%s: impact major", c->name);
}


static void
check_x_pos10(const case_t *c, se_state_t *st)
{
    const se_component_t  *x;

    x = se_model_component(se_state_model(st), "x", 1);
    tap_ok(x && x->position == 10, "%s: position is the score", c->name);
}


static void
check_x_pos_rank(const case_t *c, se_state_t *st)
{
    const se_component_t  *x;

    x = se_model_component(se_state_model(st), "x", 1);
    tap_ok(x && x->position == 2, "%s: position is the rank", c->name);
}


static const case_t  cases[] = {
    { "garbage version", "\"abc\"", 0, 0, 0, 0, 0, 0, 1, 1, 1, 1,
      "version: is not a non-negative integer", check_version0 },
    { "negative version", "\"-1\"", 0, 0, 0, 0, 0, 0, 1, 1, 1, 1,
      "\"-1\"", check_version0 },
    { "fractional version", "\"1.5\"", 0, 0, 0, 0, 0, 0, 1, 1, 1, 1,
      "version", check_version0 },
    { "overflowing version", "\"18446744073709551616\"", 0, 0, 0, 0, 0, 0,
      1, 1, 1, 1, "version", check_version0 },
    { "max version", "\"18446744073709551615\"", 0, 0, 0, 0, 0, 0,
      1, 1, 1, 0, NULL, check_version_max },
    { "array version", "[]", 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, "version",
      check_version0 },
    { "integer version", "7", 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, NULL,
      check_version7 },
    { "empty version", "\"\"", 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, "version",
      check_version0 },

    { "odd page hash", 0, "[\"id\",\"pg\",\"name\"]", 0, 0, 0, 0, 0,
      1, 1, 1, 1, "page: ignored: the hash is malformed",
      check_page_empty },
    { "page not a hash", 0, "\"page\"", 0, 0, 0, 0, 0, 1, 1, 1, 1, "page",
      check_page_empty },
    { "page javascript url", 0,
      "[\"id\",\"pg\",\"url\",\"javascript:alert(1)\"]", 0, 0, 0, 0, 0,
      1, 1, 1, 1, "page: dropped a bad \"url\" \"javascript:alert(1)\"",
      check_page_no_url },
    { "page bad time zone", 0, "[\"id\",\"pg\",\"time_zone\",\"../x\"]",
      0, 0, 0, 0, 0, 1, 1, 1, 1, "time_zone", check_page_no_tz },
    { "page bad id", 0, "[\"id\",\"p g\"]", 0, 0, 0, 0, 0, 1, 1, 1, 1,
      "page: dropped a bad \"id\" \"p g\"", check_page_empty },

    { "component not an array", 0, 0, "\"x\"", 0, 0, 0, 0, 1, 1, 1, 1,
      "component: skipped a record that is not", NULL },
    { "component too short", 0, 0, "[\"x\",\"1\"]", 0, 0, 0, 0, 1, 1, 1, 1,
      "component: skipped a record", NULL },
    { "component bad id", 0, 0,
      "[\"a b\",\"1\",[\"name\",\"X\",\"status\",\"operational\"]]",
      0, 0, 0, 0, 1, 1, 1, 1, "skipped a record with a bad id \"a b\"",
      NULL },
    { "component long id", 0, 0,
      "[\"=rep:65:a\",\"1\",[\"name\",\"X\",\"status\",\"operational\"]]",
      0, 0, 0, 0, 1, 1, 1, 1, "bad id", NULL },
    { "component integer id", 0, 0,
      "[5,\"1\",[\"name\",\"X\",\"status\",\"operational\"]]",
      0, 0, 0, 0, 1, 1, 1, 1, "bad id", NULL },
    { "component empty hash", 0, 0, "[\"x\",\"1\",[]]", 0, 0, 0, 0,
      1, 1, 1, 1, "component \"x\": skipped: the hash is missing", NULL },
    { "component nil hash", 0, 0, "[\"x\",\"1\",null]", 0, 0, 0, 0,
      1, 1, 1, 1, "the hash is missing or empty", NULL },
    { "component odd hash", 0, 0,
      "[\"x\",\"1\",[\"name\",\"X\",\"status\"]]", 0, 0, 0, 0, 1, 1, 1, 1,
      "odd number", NULL },
    { "component missing name", 0, 0,
      "[\"x\",\"1\",[\"status\",\"operational\"]]", 0, 0, 0, 0, 1, 1, 1, 1,
      "component \"x\": skipped: missing \"name\"", NULL },
    { "component empty name", 0, 0,
      "[\"x\",\"1\",[\"name\",\"\",\"status\",\"operational\"]]",
      0, 0, 0, 0, 1, 1, 1, 1, "skipped: missing \"name\"", NULL },
    { "component unknown status", 0, 0,
      "[\"x\",\"1\",[\"name\",\"X\",\"status\",\"down\"]]", 0, 0, 0, 0,
      1, 1, 1, 1, "component \"x\": skipped: bad \"status\" \"down\"",
      NULL },
    { "component status not a string", 0, 0,
      "[\"x\",\"1\",[\"name\",\"X\",\"status\",[]]]", 0, 0, 0, 0,
      1, 1, 1, 1, "skipped: bad \"status\"", NULL },
    { "component name too long", 0, 0,
      "[\"x\",\"1\",[\"name\",\"=rep:256:n\",\"status\",\"operational\"]]",
      0, 0, 0, 0, 1, 1, 1, 1, "skipped: bad \"name\" \"nnnnnnnn", NULL },
    { "component name 255 bytes", 0, 0,
      "[\"x\",\"1\",[\"name\",\"=rep:255:n\",\"status\",\"operational\"]]",
      0, 0, 0, 0, 2, 1, 1, 0, NULL, check_x_255 },
    { "component name invalid UTF-8", 0, 0,
      "[\"x\",\"1\",[\"name\",\"=hex:41c328\",\"status\",\"operational\"]]",
      0, 0, 0, 0, 1, 1, 1, 1, "skipped: bad \"name\" \"A\\xc3(\"", NULL },
    { "component name with NUL", 0, 0,
      "[\"x\",\"1\",[\"name\",\"=hex:410042\",\"status\",\"operational\"]]",
      0, 0, 0, 0, 1, 1, 1, 1, "\"A\\x00B\"", NULL },
    { "component name with newline", 0, 0,
      "[\"x\",\"1\",[\"name\",\"a\\nb\",\"status\",\"operational\"]]",
      0, 0, 0, 0, 1, 1, 1, 1, "\"a\\x0ab\"", NULL },
    { "component bad description", 0, 0,
      "[\"x\",\"1\",[\"name\",\"X\",\"status\",\"operational\","
      "\"description\",\"=hex:ff\"]]", 0, 0, 0, 0, 2, 1, 1, 1,
      "component \"x\": dropped a bad \"description\" \"\\xff\"",
      check_x_no_desc },
    { "component huge description", 0, 0,
      "[\"x\",\"1\",[\"name\",\"X\",\"status\",\"operational\","
      "\"description\",\"=rep:1025:d\"]]", 0, 0, 0, 0, 2, 1, 1, 1,
      "\"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
      "...\"", check_x_no_desc },
    { "component bad optional fields", 0, 0,
      "[\"x\",\"1\",[\"name\",\"X\",\"status\",\"operational\","
      "\"only_show_if_degraded\",\"yes\",\"updated_at\",\"yesterday\","
      "\"group_id\",\"a b\"]]", 0, 0, 0, 0, 2, 1, 1, 3,
      "dropped a bad \"only_show_if_degraded\" \"yes\"", check_x_flags },
    { "component field name not a string", 0, 0,
      "[\"x\",\"1\",[\"name\",\"X\",[],\"v\",\"status\",\"operational\"]]",
      0, 0, 0, 0, 2, 1, 1, 1, "field whose name is not a string", NULL },
    { "component optional not a string", 0, 0,
      "[\"x\",\"1\",[\"name\",\"X\",\"status\",\"operational\","
      "\"description\",[\"a\"]]]", 0, 0, 0, 0, 2, 1, 1, 1,
      "dropped a non-string \"description\"", check_x_no_desc },
    { "component bad translation", 0, 0,
      "[\"x\",\"1\",[\"name\",\"X\",\"status\",\"operational\","
      "\"name.ko\",\"=hex:edbf\"]]", 0, 0, 0, 0, 2, 1, 1, 1,
      "dropped a bad \"name.ko\"", check_x_no_i18n },
    { "component bad language tag", 0, 0,
      "[\"x\",\"1\",[\"name\",\"X\",\"status\",\"operational\","
      "\"name.k!\",\"x\"]]", 0, 0, 0, 0, 2, 1, 1, 1,
      "dropped a bad language tag \"name.k!\"", check_x_no_i18n },
    { "component ignored and empty fields", 0, 0,
      "[\"x\",\"1\",[\"name\",\"X\",\"status\",\"operational\","
      "\"status.ko\",\"x\",\"foo\",\"bar\",\"description\",\"\","
      "\"name.ko\",\"엑스\",\"name.KO\",\"dup\",\"name.en\",\"\"]]",
      0, 0, 0, 0, 2, 1, 1, 0, NULL, check_x_i18n },

    { "incident missing status", 0, 0, 0,
      "[\"i\",\"1\",[\"name\",\"I\"],[]]", 0, 0, 0, 1, 1, 1, 1,
      "incident \"i\": skipped: missing \"status\"", NULL },
    { "incident missing name", 0, 0, 0,
      "[\"i\",\"1\",[\"status\",\"identified\"],[]]", 0, 0, 0, 1, 1, 1, 1,
      "incident \"i\": skipped: missing \"name\"", NULL },
    { "incident unknown status", 0, 0, 0,
      "[\"i\",\"1\",[\"name\",\"I\",\"status\",\"fixed\"],[]]",
      0, 0, 0, 1, 1, 1, 1, "skipped: bad \"status\" \"fixed\"", NULL },
    { "incident maintenance status", 0, 0, 0,
      "[\"i\",\"1\",[\"name\",\"I\",\"status\",\"in_progress\"],[]]",
      0, 0, 0, 1, 1, 1, 1, "skipped: bad \"status\" \"in_progress\"",
      NULL },
    { "incident unknown impact", 0, 0, 0,
      "[\"i\",\"1\",[\"name\",\"I\",\"status\",\"identified\","
      "\"impact\",\"huge\"],[]]", 0, 0, 0, 1, 1, 1, 1,
      "incident \"i\": skipped: bad \"impact\" \"huge\"", NULL },
    { "incident impact maintenance", 0, 0, 0,
      "[\"i\",\"1\",[\"name\",\"I\",\"status\",\"identified\","
      "\"impact\",\"maintenance\"],[]]", 0, 0, 0, 1, 1, 1, 1,
      "bad \"impact\"", NULL },
    { "incident bad created_at", 0, 0, 0,
      "[\"i\",\"1795271400\",[\"name\",\"I\",\"status\",\"identified\","
      "\"created_at\",\"2026-11-21\"],[]]", 0, 0, 0, 1, 2, 1, 1,
      "dropped a bad \"created_at\" \"2026-11-21\"", check_i_score },
    { "incident bad created_at and score", 0, 0, 0,
      "[\"i\",\"x\",[\"name\",\"I\",\"status\",\"identified\","
      "\"created_at\",\"now\"],[]]", 0, 0, 0, 1, 2, 1, 2,
      "created_at", NULL },
    { "incident bad times", 0, 0, 0,
      "[\"i\",\"1795271400\",[\"name\",\"I\",\"status\",\"identified\","
      "\"monitoring_at\",\"2026-02-30T00:00:00Z\",\"resolved_at\",\"0\","
      "\"next_update_at\",\"soon\",\"updated_at\",\"=hex:ff\"],[]]",
      0, 0, 0, 1, 2, 1, 4, "monitoring_at", check_i_times },
    { "incident bad urls", 0, 0, 0,
      "[\"i\",\"1\",[\"name\",\"I\",\"status\",\"identified\","
      "\"shortlink\",\"javascript:alert(1)\",\"postmortem_url\","
      "\"https://x/\\\"><script>\"],[]]", 0, 0, 0, 1, 2, 1, 2,
      "shortlink", check_i_urls },
    { "incident bad component ids", 0, 0, 0,
      "[\"i\",\"1\",[\"name\",\"I\",\"status\",\"identified\","
      "\"components\",\" ok ,b d,,web,ok,x:y\"],[]]", 0, 0, 0, 1, 2, 1, 2,
      "dropped a bad id in \"components\" \"b d\"", check_i_refs },
    { "incident bad audience", 0, 0, 0,
      "[\"i\",\"1\",[\"name\",\"I\",\"status\",\"identified\","
      "\"audience\",\"Internal\"],[]]", 0, 0, 0, 1, 2, 1, 1,
      "dropped a bad \"audience\" \"Internal\"", check_i_internal },
    { "incident bad banner", 0, 0, 0,
      "[\"i\",\"1\",[\"name\",\"I\",\"status\",\"identified\","
      "\"banner\",\"yes\"],[]]", 0, 0, 0, 1, 2, 1, 1,
      "dropped a bad \"banner\" \"yes\"", check_i_banner },
    { "incident updates not a list", 0, 0, 0,
      "[\"i\",\"1\",[\"name\",\"I\",\"status\",\"identified\"],\"u\"]",
      0, 0, 0, 1, 2, 1, 1, "ignored updates that are not a list",
      check_i_no_updates },
    { "incident without updates element", 0, 0, 0,
      "[\"i\",\"1\",[\"name\",\"I\",\"status\",\"identified\"]]",
      0, 0, 0, 1, 2, 1, 0, NULL, check_i_no_updates },
    { "incident huge name", 0, 0, 0,
      "[\"i\",\"1\",[\"name\",\"=rep:100000:z\",\"status\",\"identified\"],"
      "[]]", 0, 0, 0, 1, 1, 1, 1, "zzz...\"", NULL },
    { "incidents not a list", 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1,
      "incidents: ignored: not a list", NULL },

    { "update not a string", 0, 0, 0, 0, 0, 0, "[\"x\"]", 1, 2, 1, 1,
      "incident \"upd\": update 2: skipped: not a string", check_upd1 },
    { "update broken JSON", 0, 0, 0, 0, 0, "{\"id\":\"u\",", 0, 1, 2, 1, 1,
      "update 2: skipped: not JSON \"{\\x22id\\x22:\\x22u\\x22,\"",
      check_upd1 },
    { "update trailing garbage", 0, 0, 0, 0, 0,
      "{\"id\":\"u\",\"status\":\"identified\",\"body\":\"b\","
      "\"created_at\":\"2026-11-21T14:30:00Z\"} x", 0, 1, 2, 1, 1,
      "not JSON", check_upd1 },
    { "update duplicate keys", 0, 0, 0, 0, 0,
      "{\"id\":\"u\",\"id\":\"v\",\"status\":\"identified\",\"body\":\"b\","
      "\"created_at\":\"2026-11-21T14:30:00Z\"}", 0, 1, 2, 1, 1,
      "not JSON", check_upd1 },
    { "update JSON array", 0, 0, 0, 0, 0, "[1]", 0, 1, 2, 1, 1,
      "skipped: not a JSON object", check_upd1 },
    { "update JSON string", 0, 0, 0, 0, 0, "\"s\"", 0, 1, 2, 1, 1,
      "not JSON", check_upd1 },
    { "update missing id", 0, 0, 0, 0, 0,
      "{\"status\":\"identified\",\"body\":\"b\","
      "\"created_at\":\"2026-11-21T14:30:00Z\"}", 0, 1, 2, 1, 1,
      "update 2: skipped: missing \"id\"", check_upd1 },
    { "update bad id", 0, 0, 0, 0, 0,
      "{\"id\":\"a b\",\"status\":\"identified\",\"body\":\"b\","
      "\"created_at\":\"2026-11-21T14:30:00Z\"}", 0, 1, 2, 1, 1,
      "update 2: skipped: bad \"id\" \"a b\"", check_upd1 },
    { "update numeric id", 0, 0, 0, 0, 0,
      "{\"id\":5,\"status\":\"identified\",\"body\":\"b\","
      "\"created_at\":\"2026-11-21T14:30:00Z\"}", 0, 1, 2, 1, 1,
      "skipped: bad \"id\"", check_upd1 },
    { "update missing status", 0, 0, 0, 0, 0,
      "{\"id\":\"u\",\"body\":\"b\","
      "\"created_at\":\"2026-11-21T14:30:00Z\"}", 0, 1, 2, 1, 1,
      "update \"u\": skipped: missing \"status\"", check_upd1 },
    { "update bad status", 0, 0, 0, 0, 0,
      "{\"id\":\"u\",\"status\":\"scheduled\",\"body\":\"b\","
      "\"created_at\":\"2026-11-21T14:30:00Z\"}", 0, 1, 2, 1, 1,
      "update \"u\": skipped: bad \"status\" \"scheduled\"", check_upd1 },
    { "update missing body", 0, 0, 0, 0, 0,
      "{\"id\":\"u\",\"status\":\"identified\","
      "\"created_at\":\"2026-11-21T14:30:00Z\"}", 0, 1, 2, 1, 1,
      "skipped: missing \"body\"", check_upd1 },
    { "update body not a string", 0, 0, 0, 0, 0,
      "{\"id\":\"u\",\"status\":\"identified\",\"body\":{},"
      "\"created_at\":\"2026-11-21T14:30:00Z\"}", 0, 1, 2, 1, 1,
      "skipped: bad \"body\"", check_upd1 },
    { "update body too long", 0, 0, 0, 0, 0, NULL,
      "\"=rep:20000:x\"", 1, 2, 1, 1, "not JSON", check_upd1 },
    { "update missing created_at", 0, 0, 0, 0, 0,
      "{\"id\":\"u\",\"status\":\"identified\",\"body\":\"b\"}", 0,
      1, 2, 1, 1, "skipped: missing \"created_at\"", check_upd1 },
    { "update bad created_at", 0, 0, 0, 0, 0,
      "{\"id\":\"u\",\"status\":\"identified\",\"body\":\"b\","
      "\"created_at\":1795271400}", 0, 1, 2, 1, 1,
      "skipped: bad \"created_at\"", check_upd1 },
    { "update invalid UTF-8", 0, 0, 0, 0, 0, NULL,
      "\"=hex:7b226964223a2275222c2273746174757322"
      "3a226964656e746966696564222c22626f6479223a22ff227d\"", 1, 2, 1, 1,
      "not JSON", check_upd1 },
    { "update lone surrogate", 0, 0, 0, 0, 0,
      "{\"id\":\"u\",\"status\":\"identified\",\"body\":\"\\ud800\","
      "\"created_at\":\"2026-11-21T14:30:00Z\"}", 0, 1, 2, 1, 1,
      "not JSON", check_upd1 },
    { "update escaped NUL", 0, 0, 0, 0, 0,
      "{\"id\":\"u\",\"status\":\"identified\",\"body\":\"a\\u0000\","
      "\"created_at\":\"2026-11-21T14:30:00Z\"}", 0, 1, 2, 1, 1,
      "not JSON", check_upd1 },
    { "update control character", 0, 0, 0, 0, 0,
      "{\"id\":\"u\",\"status\":\"identified\",\"body\":\"a\\u001b[31m\","
      "\"created_at\":\"2026-11-21T14:30:00Z\"}", 0, 1, 2, 1, 1,
      "skipped: bad \"body\" \"a\\x1b[31m\"", check_upd1 },
    { "update over 64 KiB", 0, 0, 0, 0, 0, NULL,
      "\"=rep:65537:x\"", 1, 2, 1, 1, "skipped: larger than 64 KiB",
      check_upd1 },
    { "update bad display_at", 0, 0, 0, 0, 0,
      "{\"id\":\"u\",\"status\":\"identified\",\"body\":\"b\","
      "\"created_at\":\"2026-11-21T14:30:00Z\",\"display_at\":\"x\"}", 0,
      1, 2, 1, 1, "update \"u\": dropped a bad \"display_at\" \"x\"",
      check_upd_display },
    { "update bad translation", 0, 0, 0, 0, 0,
      "{\"id\":\"u\",\"status\":\"identified\",\"body\":\"b\","
      "\"created_at\":\"2026-11-21T14:30:00Z\",\"body.ko\":5,"
      "\"body.!\":\"x\"}", 0, 1, 2, 1, 2, "body.ko", check_upd2 },

    { "maintenance incident status", 0, 0, 0, 0,
      "[\"m\",\"1\",[\"name\",\"M\",\"status\",\"investigating\"],[]]",
      0, 0, 1, 1, 1, 1, "maintenance \"m\": skipped: bad \"status\"",
      NULL },
    { "maintenance bad gate and lead", 0, 0, 0, 0,
      "[\"m\",\"1\",[\"name\",\"M\",\"status\",\"scheduled\",\"gate\","
      "\"1\",\"banner_lead\",\"-5\"],[]]", 0, 0, 1, 1, 2, 2,
      "dropped a bad \"gate\" \"1\"", check_m_defaults },
    { "maintenance huge lead", 0, 0, 0, 0,
      "[\"m\",\"1\",[\"name\",\"M\",\"status\",\"scheduled\","
      "\"banner_lead\",\"99999999999\"],[]]", 0, 0, 1, 1, 2, 1,
      "banner_lead", check_m_defaults },
    { "maintenance major impact", 0, 0, 0, 0,
      "[\"m\",\"1\",[\"name\",\"M\",\"status\",\"in_progress\","
      "\"impact\",\"major\"],[]]", 0, 0, 1, 1, 2, 0, NULL,
      check_m_impact },
    { "component position score", 0, 0,
      "[\"x\",\"10\",[\"name\",\"X\",\"status\",\"operational\"]]",
      0, 0, 0, 0, 2, 1, 1, 0, NULL, check_x_pos10 },
    { "component fractional score", 0, 0,
      "[\"x\",\"10.75\",[\"name\",\"X\",\"status\",\"operational\"]]",
      0, 0, 0, 0, 2, 1, 1, 0, NULL, check_x_pos10 },
    { "component infinite score", 0, 0,
      "[\"x\",\"-inf\",[\"name\",\"X\",\"status\",\"operational\"]]",
      0, 0, 0, 0, 2, 1, 1, 1, "component \"x\": ignored a bad score \"-inf\"",
      check_x_pos_rank },
    { "component oversize name", 0, 0,
      "[\"x\",\"1\",[\"name\",\"=hex:006f76657273697a653a3730303030\","
      "\"status\",\"operational\"]]", 0, 0, 0, 0, 1, 1, 1, 1,
      "skipped: bad \"name\" \"\\x00oversize:70000\"", NULL },
    { "component oversize description", 0, 0,
      "[\"x\",\"1\",[\"name\",\"X\",\"status\",\"operational\","
      "\"description\",\"=hex:006f76657273697a653a3730303030\"]]",
      0, 0, 0, 0, 2, 1, 1, 1, "oversize", check_x_no_desc },
    { "oversize update", 0, 0, 0, 0, 0, NULL,
      "\"=hex:006f76657273697a653a3730303030\"", 1, 2, 1, 1,
      "skipped: not JSON \"\\x00oversize:70000\"", check_upd1 },
    { "oversize record id", 0, 0,
      "[\"=hex:006f76657273697a653a3730303030\",\"1\",[\"name\",\"X\","
      "\"status\",\"operational\"]]", 0, 0, 0, 0, 1, 1, 1, 1,
      "bad id \"\\x00oversize:70000\"", NULL },
    { "record with extra elements", 0, 0, 0, 0,
      "[\"m\",\"1\",[\"name\",\"M\",\"status\",\"scheduled\"],[],\"x\"]",
      0, 0, 1, 1, 2, 0, NULL, NULL },
};


static int
warning_safe(const char *w)
{
    for ( /* void */ ; *w; w++) {
        if ((unsigned char) *w < 0x20 || (unsigned char) *w > 0x7e) {
            return 0;
        }
    }

    return 1;
}


/* a JSON string literal holding text */
static void
quote(char *dst, size_t size, const char *text)
{
    size_t  o;

    o = 0;
    dst[o++] = '"';

    for ( /* void */ ; *text && o + 3 < size; text++) {
        if (*text == '"' || *text == '\\') {
            dst[o++] = '\\';
        }
        dst[o++] = *text;
    }

    dst[o++] = '"';
    dst[o] = '\0';
}


static void
run(const case_t *c)
{
    static char       snap[300000], upd[1024], incs[2048];
    static char       incl[200000];
    const char       *w;
    se_state_t       *st;
    const se_model_t *m;
    size_t            i;
    int               found, ok;
    json_t           *d;

    incs[0] = '\0';

    if (c->upd || c->updnode) {
        if (c->upd) {
            quote(upd, sizeof(upd), c->upd);
        }

        snprintf(incs, sizeof(incs), ",[\"upd\",\"1\",[\"name\",\"U\","
                 "\"status\",\"identified\"],[" GOOD_UPD ",%s]]",
                 c->upd ? upd : c->updnode);
    }

    if (strcmp(c->name, "incidents not a list") == 0) {
        snprintf(incl, sizeof(incl), "\"x\"");

    } else {
        snprintf(incl, sizeof(incl),
                 "[[\"good\",\"1\",[\"name\",\"Good\",\"status\","
                 "\"investigating\",\"impact\",\"minor\"],[" GOOD_UPD "]]"
                 "%s%s%s]", c->inc ? "," : "", c->inc ? c->inc : "", incs);
    }

    snprintf(snap, sizeof(snap),
             "[%s,%s,"
             "[[\"ok\",\"1\",[\"name\",\"OK\",\"status\",\"operational\"]]"
             "%s%s],%s,"
             "[[\"mgood\",\"2\",[\"name\",\"MG\",\"status\",\"scheduled\"],"
             "[]]%s%s],\"0\"]",
             c->version ? c->version : "\"1\"",
             c->page ? c->page : "[\"id\",\"pg\"]",
             c->comp ? "," : "", c->comp ? c->comp : "", incl,
             c->mnt ? "," : "", c->mnt ? c->mnt : "");

    st = snap_state(snap);

    if (!tap_ok(st != NULL, "%s: builds", c->name)) {
        return;
    }

    m = se_state_model(st);

    tap_ok(m->ncomponents == c->nc && m->nincidents == c->ni
           && m->nmaintenances == c->nm, "%s: kept %zu/%zu/%zu records",
           c->name, c->nc, c->ni, c->nm);

    if (m->ncomponents != c->nc || m->nincidents != c->ni
        || m->nmaintenances != c->nm)
    {
        tap_diag("got %zu/%zu/%zu", m->ncomponents, m->nincidents,
                 m->nmaintenances);
    }

    if (!tap_ok(se_state_bad_records(st) == c->bad, "%s: %zu bad",
                c->name, c->bad))
    {
        tap_diag("got %zu", se_state_bad_records(st));
        snap_warnings(st);
    }

    tap_ok(se_state_nwarnings(st) == (c->bad < 32 ? c->bad : 32),
           "%s: one warning per bad thing", c->name);

    if (c->warn) {
        w = se_state_warning(st, 0);
        found = w && strstr(w, c->warn) != NULL;

        if (!tap_ok(found, "%s: warning names it", c->name)) {
            tap_diag("want substring: %s", c->warn);
            snap_warnings(st);
        }
    }

    ok = 1;
    for (i = 0; i < se_state_nwarnings(st); i++) {
        w = se_state_warning(st, i);
        ok &= w != NULL && warning_safe(w) && strlen(w) < 400;
    }
    tap_ok(ok, "%s: warnings are printable ASCII, bounded", c->name);

    /* the good records are intact, every document parses */
    tap_ok(se_model_component(m, "ok", 2) != NULL
           && (strcmp(c->name, "incidents not a list") == 0
               || (m->nincidents && strcmp(m->incidents[0].id.data, "good")
                   == 0 && m->incidents[0].nupdates == 1))
           && m->nmaintenances
           && strcmp(m->maintenances[0].id.data, "mgood") == 0,
           "%s: good records intact", c->name);

    ok = 1;
    for (i = 0; i < SE_DOC_N; i++) {
        d = snap_doc(st, (se_doc_e) i);
        ok &= d != NULL;
        json_decref(d);
    }
    tap_ok(ok, "%s: documents parse", c->name);

    if (c->check) {
        c->check(c, st);
    }

    se_state_free(st);
}


static void
test_many_warnings(void)
{
    static char   snap[20000];
    size_t        i, o;
    se_state_t   *st;

    o = (size_t) snprintf(snap, sizeof(snap), "[\"1\",[],[");

    for (i = 0; i < 40; i++) {
        o += (size_t) snprintf(snap + o, sizeof(snap) - o,
                               "%s[\"c%zu\",\"1\",[\"name\",\"C\","
                               "\"status\",\"bad\"]]", i ? "," : "", i);
    }

    snprintf(snap + o, sizeof(snap) - o, "],[],[],\"0\"]");

    st = snap_state(snap);
    tap_ok(st && se_state_bad_records(st) == 40, "40 bad records counted");
    tap_ok(st && se_state_nwarnings(st) == 32, "32 warnings stored");
    tap_ok(st && se_state_warning(st, 31) != NULL
           && strstr(se_state_warning(st, 31), "c31") != NULL
           && se_state_warning(st, 32) == NULL, "warnings in order, capped");
    tap_ok(st && se_state_model(st)->ncomponents == 0, "all skipped");
    se_state_free(st);
}


static void
test_hostile_warning(void)
{
    se_state_t  *st;
    const char  *w;

    /* quotes, backslashes, escapes, newlines, UTF-8 in id and value */
    st = snap_state("[\"1\",[],[[\"a\\\"b\\n\\u001b\",\"1\",[\"name\",\"X\","
                    "\"status\",\"operational\"]],"
                    "[\"c\",\"1\",[\"name\",\"X\",\"status\","
                    "\"\\\"\\\\\\r\\n한\"]]],[],[],\"0\"]");

    tap_ok(st && se_state_nwarnings(st) == 2, "hostile: 2 warnings");

    w = st ? se_state_warning(st, 0) : NULL;
    tap_is(w, "component: skipped a record with a bad id "
           "\"a\\x22b\\x0a\\x1b\"", "hostile id escaped");

    w = st ? se_state_warning(st, 1) : NULL;
    tap_is(w, "component \"c\": skipped: bad \"status\" "
           "\"\\x22\\x5c\\x0d\\x0a\\xed\\x95\\x9c\"", "hostile value escaped");

    se_state_free(st);
}


int
main(void)
{
    size_t  i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run(&cases[i]);
    }

    test_many_warnings();
    test_hostile_warning();

    return tap_done();
}
