/*
 * Test fixture: a realistic snapshot as the snapshot Lua returns it
 * (layout in se_state.h), written as JSON for snap.h.
 */

#ifndef SE_TEST_FIXTURE_H
#define SE_TEST_FIXTURE_H

#define FIX_UPDATE(id, st, body, at)                                          \
    "\"{\\\"id\\\":\\\"" id "\\\",\\\"status\\\":\\\"" st "\\\","             \
    "\\\"body\\\":\\\"" body "\\\",\\\"created_at\\\":\\\"" at "\\\"}\""

static const char  fixture_full[] =
    "[\"42\","
    " [\"id\",\"examplepage\",\"name\",\"Example\",\"name.ko\",\"예제\","
    "  \"url\",\"https://status.example.com\",\"time_zone\",\"Asia/Seoul\","
    "  \"status_url\",\"https://status.example.com/\"],"
    " [[\"api\",\"1\",[\"name\",\"API\",\"status\",\"partial_outage\","
    "    \"description\",\"Public REST API\",\"updated_at\","
    "    \"2026-11-21T14:00:00Z\",\"name.ko\",\"API 서버\"]],"
    "  [\"web\",\"2\",[\"name\",\"Website\",\"status\",\"operational\","
    "    \"group_id\",\"frontend\",\"only_show_if_degraded\",\"1\","
    "    \"created_at\",\"2026-01-01T00:00:00Z\"]],"
    "  [\"frontend\",\"3\",[\"name\",\"Frontend\","
    "    \"status\",\"operational\"]]],"
    " [[\"inc-3\",\"1795271400\",[\"name\",\"API errors\",\"name.ko\","
    "    \"API 오류\",\"status\",\"identified\",\"impact\",\"major\","
    "    \"created_at\",\"2026-11-21T23:30:00+09:00\","
    "    \"updated_at\",\"2026-11-21T14:45:00Z\","
    "    \"shortlink\",\"https://stspg.io/x\","
    "    \"components\",\"api, web,ghost\","
    "    \"next_update_at\",\"2026-11-21T15:30:00Z\"],"
    "   [" FIX_UPDATE("u2", "identified", "Root cause found.",
                      "2026-11-21T14:45:00Z") ","
    "    \"{\\\"id\\\":\\\"u1\\\",\\\"status\\\":\\\"investigating\\\","
    "\\\"body\\\":\\\"We are investigating.\\\",\\\"body.ko\\\":"
    "\\\"조사 중입니다.\\\",\\\"created_at\\\":\\\"2026-11-21T14:30:00Z\\\","
    "\\\"display_at\\\":\\\"2026-11-21T14:31:00Z\\\"}\"]],"
    "  [\"inc-2\",\"1763700000\",[\"name\",\"Internal only\",\"status\","
    "    \"investigating\",\"impact\",\"critical\",\"audience\",\"internal\","
    "    \"created_at\",\"2026-11-21T04:40:00Z\","
    "    \"updated_at\",\"2026-11-21T20:00:00Z\"],[]],"
    "  [\"inc-1\",\"1763600000\",[\"name\",\"Old outage\",\"status\","
    "    \"resolved\",\"impact\",\"critical\","
    "    \"created_at\",\"2026-11-20T00:53:20Z\","
    "    \"resolved_at\",\"2026-11-20T02:00:00Z\","
    "    \"postmortem_url\",\"https://example.com/pm/1\"],"
    "   [" FIX_UPDATE("r1", "resolved", "Fixed.",
                      "2026-11-20T02:00:00Z") "]]],"
    " [[\"m-2\",\"1764000000\",[\"name\",\"DB upgrade\",\"status\","
    "    \"scheduled\",\"scheduled_for\",\"2026-11-24T16:00:00Z\","
    "    \"scheduled_until\",\"2026-11-24T18:00:00Z\",\"gate\",\"on\","
    "    \"banner_lead\",\"3600\",\"components\",\"api\"],"
    "   [" FIX_UPDATE("s1", "scheduled", "We will upgrade the DB.",
                      "2026-11-21T10:00:00Z") "]],"
    "  [\"m-1\",\"1763730000\",[\"name\",\"Network work\",\"status\","
    "    \"in_progress\",\"scheduled_for\",\"2026-11-21T13:00:00Z\","
    "    \"scheduled_until\",\"2026-11-21T15:00:00Z\"],[]],"
    "  [\"m-0\",\"1763000000\",[\"name\",\"Done work\",\"status\","
    "    \"completed\",\"scheduled_for\",\"2026-11-13T02:13:20Z\"],[]]],"
    " \"1795272000\"]";

static const char  fixture_empty[] = "[null,[],[],[],[],\"1795272000\"]";

#endif /* SE_TEST_FIXTURE_H */
