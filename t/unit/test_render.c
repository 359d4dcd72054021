/*
 * The rendered Statuspage v2 documents of a realistic state: exact
 * fields, values, order, filters; Korean text; the empty state.
 */

#include "tap.h"
#include "snap.h"
#include "jcheck.h"
#include "fixture.h"
#include "se_derive.h"

static const char *const  page_keys[] = {
    "id", "name", "url", "time_zone", "updated_at", NULL
};

static const char *const  status_keys[] = {
    "indicator", "description", NULL
};

static const char *const  comp_keys[] = {
    "id", "name", "status", "created_at", "updated_at", "position",
    "description", "showcase", "start_date", "group_id", "page_id",
    "group", "only_show_if_degraded", NULL
};

static const char *const  group_keys[] = {
    "id", "name", "status", "created_at", "updated_at", "position",
    "description", "showcase", "start_date", "group_id", "page_id",
    "group", "only_show_if_degraded", "components", NULL
};

static const char *const  inc_keys[] = {
    "id", "name", "status", "created_at", "updated_at", "monitoring_at",
    "resolved_at", "impact", "shortlink", "started_at", "page_id",
    "incident_updates", "components", "postmortem_url", "next_update_at",
    "banner", NULL
};

/* the fixture's inc-3 has a name.ko */
static const char *const  inc_i18n_keys[] = {
    "id", "name", "status", "created_at", "updated_at", "monitoring_at",
    "resolved_at", "impact", "shortlink", "started_at", "page_id",
    "incident_updates", "components", "postmortem_url", "next_update_at",
    "banner", "name_translations", NULL
};

static const char *const  mnt_keys[] = {
    "id", "name", "status", "created_at", "updated_at", "monitoring_at",
    "resolved_at", "impact", "shortlink", "started_at", "page_id",
    "incident_updates", "components", "postmortem_url", "next_update_at",
    "scheduled_for", "scheduled_until", "banner", "banner_lead", NULL
};

static const char *const  upd_keys[] = {
    "id", "status", "body", "incident_id", "created_at", "updated_at",
    "display_at", "affected_components", "deliver_notifications",
    "custom_tweet", "tweet_id", NULL
};

static const char *const  upd_i18n_keys[] = {
    "id", "status", "body", "incident_id", "created_at", "updated_at",
    "display_at", "affected_components", "deliver_notifications",
    "custom_tweet", "tweet_id", "body_translations", NULL
};


static void
check_page(json_t *doc, const char *name)
{
    char  buf[128];

    snprintf(buf, sizeof(buf), "%s page", name);
    jc_keys(json_object_get(doc, "page"), page_keys, buf);
}


static void
check_top(json_t *doc, const char *name, const char *const *keys)
{
    char  buf[128];

    snprintf(buf, sizeof(buf), "%s top level", name);
    jc_keys(doc, keys, buf);
    check_page(doc, name);
}


static void
test_status(se_state_t *st)
{
    static const char *const  keys[] = { "page", "status", NULL };
    json_t                   *d;

    d = snap_doc(st, SE_DOC_STATUS);
    tap_ok(d != NULL, "status.json parses");
    check_top(d, "status.json", keys);
    jc_keys(json_object_get(d, "status"), status_keys, "status object");

    jc_is(d, "page.id", "examplepage");
    jc_is(d, "page.name", "Example");
    jc_is(d, "page.url", "https://status.example.com");
    jc_is(d, "page.time_zone", "Asia/Seoul");
    /* newest public updated_at: inc-3 14:45; inc-2 is internal */
    jc_is(d, "page.updated_at", "2026-11-21T14:45:00Z");
    jc_is(d, "status.indicator", "major");
    jc_is(d, "status.description", "Partial System Outage");

    json_decref(d);
}


static void
test_summary(se_state_t *st)
{
    static const char *const  keys[] = {
        "page", "components", "incidents", "scheduled_maintenances",
        "status", NULL
    };
    json_t                   *d;

    d = snap_doc(st, SE_DOC_SUMMARY);
    tap_ok(d != NULL, "summary.json parses");
    check_top(d, "summary.json", keys);

    /* components, position order */
    tap_ok(jc_size(d, "components") == 3, "summary: 3 components");
    jc_keys(jc_path(d, "components.0"), comp_keys, "component object");
    jc_keys(jc_path(d, "components.2"), group_keys, "group component");
    jc_is(d, "components.0.id", "api");
    jc_is(d, "components.0.name", "API");
    jc_is(d, "components.0.status", "partial_outage");
    jc_is(d, "components.0.description", "Public REST API");
    jc_is(d, "components.0.updated_at", "2026-11-21T14:00:00Z");
    jc_null(d, "components.0.created_at");
    jc_null(d, "components.0.group_id");
    jc_null(d, "components.0.start_date");
    jc_is(d, "components.0.page_id", "examplepage");
    tap_ok(json_integer_value(jc_path(d, "components.0.position")) == 1
           && json_integer_value(jc_path(d, "components.2.position")) == 3,
           "positions 1..3");
    tap_ok(json_is_false(jc_path(d, "components.0.showcase"))
           && json_is_false(jc_path(d, "components.0.group"))
           && json_is_false(jc_path(d, "components.0.only_show_if_degraded")),
           "component booleans");
    jc_is(d, "components.1.id", "web");
    jc_is(d, "components.1.group_id", "frontend");
    tap_ok(json_is_true(jc_path(d, "components.1.only_show_if_degraded")),
           "only_show_if_degraded from 1");
    jc_is(d, "components.2.id", "frontend");
    tap_ok(json_is_true(jc_path(d, "components.2.group")),
           "a component named by a group_id is a group");
    jc_is(d, "components.2.components.0", "web");

    /* incidents: unresolved public only */
    tap_ok(jc_size(d, "incidents") == 1, "summary: 1 unresolved incident");
    jc_keys(jc_path(d, "incidents.0"), inc_i18n_keys, "incident object");
    jc_is(d, "incidents.0.id", "inc-3");
    jc_is(d, "incidents.0.name", "API errors");
    jc_is(d, "incidents.0.status", "identified");
    jc_is(d, "incidents.0.impact", "major");
    jc_is(d, "incidents.0.created_at", "2026-11-21T14:30:00Z");
    jc_is(d, "incidents.0.updated_at", "2026-11-21T14:45:00Z");
    jc_is(d, "incidents.0.started_at", "2026-11-21T14:30:00Z");
    jc_is(d, "incidents.0.next_update_at", "2026-11-21T15:30:00Z");
    jc_is(d, "incidents.0.shortlink", "https://stspg.io/x");
    jc_is(d, "incidents.0.page_id", "examplepage");
    jc_null(d, "incidents.0.monitoring_at");
    jc_null(d, "incidents.0.resolved_at");
    jc_null(d, "incidents.0.postmortem_url");

    tap_ok(jc_size(d, "incidents.0.incident_updates") == 2, "2 updates");
    jc_keys(jc_path(d, "incidents.0.incident_updates.0"), upd_keys,
            "update object");
    jc_is(d, "incidents.0.incident_updates.0.id", "u2");
    jc_is(d, "incidents.0.incident_updates.0.status", "identified");
    jc_is(d, "incidents.0.incident_updates.0.body", "Root cause found.");
    jc_is(d, "incidents.0.incident_updates.0.incident_id", "inc-3");
    jc_is(d, "incidents.0.incident_updates.0.display_at",
          "2026-11-21T14:45:00Z");
    jc_is(d, "incidents.0.incident_updates.1.id", "u1");
    jc_is(d, "incidents.0.incident_updates.1.display_at",
          "2026-11-21T14:31:00Z");
    jc_null(d, "incidents.0.incident_updates.1.affected_components");
    jc_null(d, "incidents.0.incident_updates.1.custom_tweet");
    jc_null(d, "incidents.0.incident_updates.1.tweet_id");
    tap_ok(json_is_true(jc_path(d,
               "incidents.0.incident_updates.1.deliver_notifications")),
           "deliver_notifications true");

    /* additions for the widget: banner flag, translations */
    tap_ok(json_is_true(jc_path(d, "incidents.0.banner")),
           "incident banner: true by default");
    jc_keys(jc_path(d, "incidents.0.name_translations"),
            (const char *const []) { "ko", NULL }, "name_translations");
    jc_is(d, "incidents.0.name_translations.ko", "API 오류");
    jc_keys(jc_path(d, "incidents.0.incident_updates.1"), upd_i18n_keys,
            "update object with a translation");
    jc_is(d, "incidents.0.incident_updates.1.body_translations.ko",
          "조사 중입니다.");

    /* touched components: api and web; "ghost" does not exist */
    tap_ok(jc_size(d, "incidents.0.components") == 2,
           "incident components: known ones only");
    jc_keys(jc_path(d, "incidents.0.components.0"), comp_keys,
            "incident component object");
    jc_is(d, "incidents.0.components.0.id", "api");
    jc_is(d, "incidents.0.components.1.id", "web");

    /* maintenances: upcoming and active */
    tap_ok(jc_size(d, "scheduled_maintenances") == 2,
           "summary: upcoming + active maintenances");
    jc_keys(jc_path(d, "scheduled_maintenances.0"), mnt_keys,
            "maintenance object");
    jc_is(d, "scheduled_maintenances.0.id", "m-2");
    jc_is(d, "scheduled_maintenances.0.status", "scheduled");
    jc_is(d, "scheduled_maintenances.0.impact", "maintenance");
    jc_is(d, "scheduled_maintenances.0.scheduled_for",
          "2026-11-24T16:00:00Z");
    jc_is(d, "scheduled_maintenances.0.scheduled_until",
          "2026-11-24T18:00:00Z");
    /* no created_at: the oldest update's */
    jc_is(d, "scheduled_maintenances.0.created_at", "2026-11-21T10:00:00Z");
    jc_is(d, "scheduled_maintenances.0.incident_updates.0.status",
          "scheduled");
    tap_ok(json_is_true(jc_path(d, "scheduled_maintenances.0.banner")),
           "maintenance banner: true by default");
    tap_ok(json_integer_value(jc_path(d,
               "scheduled_maintenances.0.banner_lead")) == 3600,
           "maintenance banner_lead as set");
    jc_is(d, "scheduled_maintenances.1.id", "m-1");
    jc_is(d, "scheduled_maintenances.1.status", "in_progress");
    tap_ok(json_integer_value(jc_path(d,
               "scheduled_maintenances.1.banner_lead")) == 86400,
           "maintenance banner_lead: default 86400");
    jc_null(d, "scheduled_maintenances.1.created_at");

    jc_is(d, "status.indicator", "major");
    jc_is(d, "status.description", "Partial System Outage");

    json_decref(d);
}


static void
test_lists(se_state_t *st)
{
    static const char *const  ckeys[] = { "page", "components", NULL };
    static const char *const  ikeys[] = { "page", "incidents", NULL };
    static const char *const  mkeys[] = {
        "page", "scheduled_maintenances", NULL
    };
    json_t                   *d;

    d = snap_doc(st, SE_DOC_COMPONENTS);
    check_top(d, "components.json", ckeys);
    tap_ok(jc_size(d, "components") == 3, "components.json: 3");
    json_decref(d);

    d = snap_doc(st, SE_DOC_INCIDENTS);
    check_top(d, "incidents.json", ikeys);
    tap_ok(jc_size(d, "incidents") == 2,
           "incidents.json: public ones, resolved included");
    jc_is(d, "incidents.0.id", "inc-3");
    jc_is(d, "incidents.1.id", "inc-1");
    jc_is(d, "incidents.1.status", "resolved");
    jc_is(d, "incidents.1.resolved_at", "2026-11-20T02:00:00Z");
    jc_is(d, "incidents.1.postmortem_url", "https://example.com/pm/1");
    /* created_at from the hash, updated_at from the newest update */
    jc_is(d, "incidents.1.updated_at", "2026-11-20T02:00:00Z");
    json_decref(d);

    d = snap_doc(st, SE_DOC_INCIDENTS_UNRESOLVED);
    check_top(d, "incidents/unresolved.json", ikeys);
    tap_ok(jc_size(d, "incidents") == 1, "unresolved: 1");
    jc_is(d, "incidents.0.id", "inc-3");
    json_decref(d);

    d = snap_doc(st, SE_DOC_MAINTENANCES);
    check_top(d, "scheduled-maintenances.json", mkeys);
    tap_ok(jc_size(d, "scheduled_maintenances") == 3,
           "scheduled-maintenances.json: all 3");
    jc_is(d, "scheduled_maintenances.2.id", "m-0");
    jc_is(d, "scheduled_maintenances.2.status", "completed");
    jc_null(d, "scheduled_maintenances.2.scheduled_until");
    json_decref(d);

    d = snap_doc(st, SE_DOC_MAINTENANCES_UPCOMING);
    check_top(d, "upcoming.json", mkeys);
    tap_ok(jc_size(d, "scheduled_maintenances") == 1, "upcoming: 1");
    jc_is(d, "scheduled_maintenances.0.id", "m-2");
    json_decref(d);

    d = snap_doc(st, SE_DOC_MAINTENANCES_ACTIVE);
    check_top(d, "active.json", mkeys);
    tap_ok(jc_size(d, "scheduled_maintenances") == 1, "active: 1");
    jc_is(d, "scheduled_maintenances.0.id", "m-1");
    json_decref(d);
}


static void
test_no_internal(se_state_t *st)
{
    const char  *s;
    size_t       len, i;
    int          leak;

    leak = 0;

    for (i = 0; i < SE_DOC_N; i++) {
        s = se_state_doc(st, (se_doc_e) i, &len);
        if (s == NULL || memmem(s, len, "Internal only", 13)
            || memmem(s, len, "inc-2", 5))
        {
            leak = 1;
            tap_diag("internal incident in %s", se_doc_name((se_doc_e) i));
        }
    }

    tap_ok(!leak, "the internal incident is in no document");

    /* but the model has it, and an internal indicator sees it */
    tap_ok(se_state_model(st)->nincidents == 3, "model keeps it");
    tap_ok(se_model_indicator(se_state_model(st), 1)
           == SE_INDICATOR_CRITICAL, "internal indicator: critical");
}


static void
test_compact(se_state_t *st)
{
    const char  *s;
    size_t       len, i;
    int          ok;

    ok = 1;

    for (i = 0; i < SE_DOC_N; i++) {
        s = se_state_doc(st, (se_doc_e) i, &len);

        if (s == NULL || len == 0 || strlen(s) != len || s[len - 1] != '}'
            || memchr(s, '\n', len) || memmem(s, len, "\":  ", 4)
            || memmem(s, len, "\\/", 2))
        {
            ok = 0;
            tap_diag("doc %s is not compact", se_doc_name((se_doc_e) i));
        }
    }

    tap_ok(ok, "documents are compact, NUL-terminated, '/' unescaped");
}


static void
test_korean(void)
{
    se_state_t        *st;
    json_t            *d;
    const char        *s;
    size_t             len;
    const se_model_t  *m;
    const se_i18n_t   *t;

    st = snap_state(
        "[\"1\",[\"name\",\"상태 페이지\"],"
        " [[\"db\",\"1\",[\"name\",\"데이터베이스\",\"status\","
        "   \"degraded_performance\",\"description\",\"주 데이터베이스\"]]],"
        " [[\"i1\",\"1795271400\",[\"name\",\"결제 지연\",\"name.en\","
        "   \"Payment delays\",\"status\",\"investigating\",\"impact\","
        "   \"minor\"],"
        "   [\"{\\\"id\\\":\\\"a\\\",\\\"status\\\":\\\"investigating\\\","
        "\\\"body\\\":\\\"조사 중입니다 \\\\ud55c \\\\\\\"따옴표\\\\\\\"\\\","
        "\\\"body.en\\\":\\\"Investigating\\\","
        "\\\"created_at\\\":\\\"2026-11-21T14:30:00Z\\\"}\"]]],"
        " [],\"0\"]");

    tap_ok(st != NULL, "korean: built");
    if (st == NULL) {
        return;
    }

    tap_ok(se_state_bad_records(st) == 0, "korean: nothing bad");
    snap_warnings(st);

    s = se_state_doc(st, SE_DOC_SUMMARY, &len);
    tap_ok(memmem(s, len, "결제 지연", strlen("결제 지연")) != NULL,
           "korean is written as UTF-8, not \\u escapes");
    tap_ok(memmem(s, len, "\\u", 2) == NULL, "no \\u escapes at all");

    d = snap_doc(st, SE_DOC_SUMMARY);
    jc_is(d, "page.name", "상태 페이지");
    jc_is(d, "components.0.name", "데이터베이스");
    jc_is(d, "components.0.description", "주 데이터베이스");
    jc_is(d, "incidents.0.name", "결제 지연");
    jc_is(d, "incidents.0.incident_updates.0.body",
          "조사 중입니다 한 \"따옴표\"");
    jc_is(d, "status.indicator", "minor");
    jc_is(d, "status.description", "Minor Service Outage");
    json_decref(d);

    m = se_state_model(st);
    t = se_i18n_find(m->incidents[0].name_i18n, "EN", 2);
    tap_ok(t && strcmp(t->text.data, "Payment delays") == 0,
           "name.en kept as a translation (case-insensitive lookup)");
    t = se_i18n_find(m->incidents[0].updates[0].body_i18n, "en", 2);
    tap_ok(t && strcmp(t->text.data, "Investigating") == 0,
           "body.en kept as a translation");

    se_state_free(st);
}


static void
test_full_model(se_state_t *st)
{
    const se_model_t     *m;
    const se_incident_t  *mn;
    const se_i18n_t      *t;

    m = se_state_model(st);

    tap_ok(m->version == 42 && se_state_version(st) == 42, "version 42");
    tap_ok(m->now == 1795272000 && se_state_now(st) == 1795272000, "now");
    tap_ok(strcmp(m->page.status_url.data, "https://status.example.com/")
           == 0, "page status_url");
    t = se_i18n_find(m->page.name_i18n, "ko", 2);
    tap_ok(t && strcmp(t->text.data, "예제") == 0, "page name.ko");
    t = se_i18n_find(m->components[0].name_i18n, "ko", 2);
    tap_ok(t && strcmp(t->text.data, "API 서버") == 0, "component name.ko");
    t = se_i18n_find(m->incidents[0].updates[1].body_i18n, "ko", 2);
    tap_ok(t && strcmp(t->text.data, "조사 중입니다.") == 0,
           "update body.ko");
    tap_ok(m->incidents[0].ncomponents == 3, "3 component refs kept");
    tap_ok(m->incidents[0].banner == 1 && m->incidents[1].audience
           == SE_AUDIENCE_INTERNAL, "banner default on; audience");

    mn = &m->maintenances[0];
    tap_ok(mn->gate == 1 && mn->banner_lead == 3600
           && m->maintenances[1].gate == 0
           && m->maintenances[1].banner_lead == 86400,
           "gate and banner_lead, with defaults");
    tap_ok(se_model_component(m, "web", 3) == &m->components[1]
           && se_model_component(m, "nope", 4) == NULL,
           "se_model_component");
}


/* the additions the widget reads: banner off, lowercase tags, absent */
static void
test_additions(void)
{
    se_state_t  *st;
    json_t      *d;

    st = snap_state(
        "[\"1\",[\"name\",\"P\"],[],"
        " [[\"i1\",\"1795271400\",[\"name\",\"Quiet\",\"status\","
        "   \"investigating\",\"impact\",\"minor\",\"banner\",\"off\"],"
        "   [" FIX_UPDATE("a", "investigating", "Looking.",
                          "2026-11-21T14:30:00Z") "]],"
        "  [\"i2\",\"1795271000\",[\"name\",\"Loud\",\"name.KO\","
        "   \"시끄러움\",\"name.ja\",\"騒音\",\"status\",\"identified\"],"
        "   [\"{\\\"id\\\":\\\"b\\\",\\\"status\\\":"
        "\\\"identified\\\",\\\"body\\\":\\\"Found.\\\","
        "\\\"body.Ko\\\":\\\"찾음\\\",\\\"body.ja\\\":\\\"\\\","
        "\\\"created_at\\\":\\\"2026-11-21T14:30:00Z\\\"}\"]]],"
        " [[\"m1\",\"1795300000\",[\"name\",\"Off\",\"status\","
        "   \"scheduled\",\"banner\",\"off\",\"banner_lead\",\"0\","
        "   \"scheduled_for\",\"2026-11-24T16:00:00Z\"],[]]],"
        " \"1795272000\"]");

    tap_ok(st != NULL, "additions: built");
    if (st == NULL) {
        return;
    }

    tap_ok(se_state_bad_records(st) == 0, "additions: nothing bad");
    snap_warnings(st);

    d = snap_doc(st, SE_DOC_SUMMARY);
    jc_is(d, "incidents.0.id", "i1");
    jc_keys(jc_path(d, "incidents.0"), inc_keys,
            "no translations: no name_translations key");
    tap_ok(json_is_false(jc_path(d, "incidents.0.banner")),
           "banner off: \"banner\":false");
    jc_keys(jc_path(d, "incidents.0.incident_updates.0"), upd_keys,
            "no translations: no body_translations key");

    jc_is(d, "incidents.1.id", "i2");
    tap_ok(json_is_true(jc_path(d, "incidents.1.banner")), "banner on");
    jc_keys(jc_path(d, "incidents.1.name_translations"),
            (const char *const []) { "ko", "ja", NULL },
            "every translation, in hash order, tags in lowercase");
    jc_is(d, "incidents.1.name_translations.ko", "시끄러움");
    jc_is(d, "incidents.1.name_translations.ja", "騒音");
    jc_keys(jc_path(d, "incidents.1.incident_updates.0.body_translations"),
            (const char *const []) { "ko", NULL },
            "body_translations: an empty one is left out");
    jc_is(d, "incidents.1.incident_updates.0.body_translations.ko", "찾음");

    jc_keys(jc_path(d, "scheduled_maintenances.0"), mnt_keys,
            "maintenance with banner off");
    tap_ok(json_is_false(jc_path(d, "scheduled_maintenances.0.banner"))
           && json_is_integer(jc_path(d,
                  "scheduled_maintenances.0.banner_lead"))
           && json_integer_value(jc_path(d,
                  "scheduled_maintenances.0.banner_lead")) == 0,
           "maintenance: banner false, banner_lead 0 as set");
    json_decref(d);

    /* the other documents carry the same objects */
    d = snap_doc(st, SE_DOC_INCIDENTS);
    tap_ok(json_is_false(jc_path(d, "incidents.0.banner")),
           "incidents.json: banner false too");
    json_decref(d);

    se_state_free(st);
}


static void
test_empty(void)
{
    static const char *const  keys[] = {
        "page", "components", "incidents", "scheduled_maintenances",
        "status", NULL
    };
    static const char *const  snaps[] = {
        fixture_empty,
        "[null,null,null,null,null,null]",
        "[]",
        "null",
        "\"garbage\"",
        "[null,[],[],[],[]]"
    };
    se_state_t               *st;
    json_t                   *d;
    size_t                    i, k;
    int                       ok;

    for (k = 0; k < sizeof(snaps) / sizeof(snaps[0]); k++) {
        st = snap_state(snaps[k]);
        if (!tap_ok(st != NULL, "empty %zu: built", k)) {
            continue;
        }

        ok = 1;
        for (i = 0; i < SE_DOC_N; i++) {
            d = snap_doc(st, (se_doc_e) i);
            ok &= d != NULL;
            json_decref(d);
        }
        tap_ok(ok, "empty %zu: every document parses", k);

        d = snap_doc(st, SE_DOC_SUMMARY);
        jc_keys(d, keys, "empty summary");
        jc_null(d, "page.id");
        jc_null(d, "page.updated_at");
        jc_is(d, "status.indicator", "none");
        jc_is(d, "status.description", "All Systems Operational");
        tap_ok(jc_size(d, "components") == 0 && jc_size(d, "incidents") == 0
               && jc_size(d, "scheduled_maintenances") == 0
               && json_is_array(jc_path(d, "components")),
               "empty %zu: empty arrays", k);
        json_decref(d);

        tap_ok(se_state_version(st) == 0, "empty %zu: version 0", k);
        tap_ok(se_state_indicator(st) == SE_INDICATOR_NONE,
               "empty %zu: indicator none", k);

        /* the well-formed empty snapshots are not bad data */
        if (k < 2) {
            tap_ok(se_state_bad_records(st) == 0, "empty %zu: not bad", k);
        } else {
            tap_ok(se_state_bad_records(st) > 0, "empty %zu: bad shape"
                   " counted", k);
        }

        se_state_free(st);
    }

    tap_ok(se_state_build(NULL, &st) == SE_OK && st != NULL,
           "NULL snapshot builds an empty state");
    se_state_free(st);
}


static void
test_caps(void)
{
    static char   snap[40000];
    size_t        i, o;
    se_state_t   *st;
    json_t       *d;

    o = (size_t) snprintf(snap, sizeof(snap), "[\"1\",[],[],[");

    for (i = 0; i < 60; i++) {
        o += (size_t) snprintf(snap + o, sizeof(snap) - o,
                               "%s[\"i%zu\",\"1\",[\"name\",\"I\","
                               "\"status\",\"investigating\"],[]]",
                               i ? "," : "", i);
    }

    o += (size_t) snprintf(snap + o, sizeof(snap) - o, "],[");

    for (i = 0; i < 55; i++) {
        o += (size_t) snprintf(snap + o, sizeof(snap) - o,
                               "[\"m%zu\",\"1\",[\"name\",\"M\","
                               "\"status\",\"scheduled\"],[]],", i);
    }

    snprintf(snap + o, sizeof(snap) - o,
             "[\"mi\",\"1\",[\"name\",\"M\",\"status\",\"in_progress\","
             "\"audience\",\"internal\"],[]]],\"0\"]");

    st = snap_state(snap);
    if (!tap_ok(st != NULL, "caps: built")) {
        return;
    }

    d = snap_doc(st, SE_DOC_INCIDENTS);
    tap_ok(jc_size(d, "incidents") == 50, "incidents.json: at most 50");
    jc_is(d, "incidents.0.id", "i0");
    jc_is(d, "incidents.49.id", "i49");
    json_decref(d);

    d = snap_doc(st, SE_DOC_INCIDENTS_UNRESOLVED);
    tap_ok(jc_size(d, "incidents") == 60, "unresolved.json: all 60");
    json_decref(d);

    d = snap_doc(st, SE_DOC_MAINTENANCES);
    tap_ok(jc_size(d, "scheduled_maintenances") == 50,
           "scheduled-maintenances.json: at most 50");
    json_decref(d);

    d = snap_doc(st, SE_DOC_MAINTENANCES_UPCOMING);
    tap_ok(jc_size(d, "scheduled_maintenances") == 55, "upcoming: all 55");
    json_decref(d);

    d = snap_doc(st, SE_DOC_MAINTENANCES_ACTIVE);
    tap_ok(jc_size(d, "scheduled_maintenances") == 0,
           "active: the internal maintenance is not shown");
    json_decref(d);

    tap_ok(se_state_indicator(st) == SE_INDICATOR_NONE,
           "impact none incidents and an internal maintenance: none");
    tap_ok(se_model_indicator(se_state_model(st), 1)
           == SE_INDICATOR_MAINTENANCE, "internal view: maintenance");

    se_state_free(st);
}


int
main(void)
{
    se_state_t  *st;

    st = snap_state(fixture_full);

    if (!tap_ok(st != NULL, "fixture builds")) {
        return tap_done();
    }

    tap_ok(se_state_bad_records(st) == 0, "fixture: no bad records");
    tap_ok(se_state_nwarnings(st) == 0, "fixture: no warnings");
    snap_warnings(st);

    test_status(st);
    test_summary(st);
    test_lists(st);
    test_no_internal(st);
    test_compact(st);
    test_full_model(st);

    se_state_free(st);

    test_korean();
    test_additions();
    test_empty();
    test_caps();

    return tap_done();
}
