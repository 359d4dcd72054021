/*
 * show: the current state for humans (the derived indicator, components,
 * unresolved incidents with their latest update, upcoming and active
 * maintenances, records the module skips); show --json: the bytes of
 * summary.json as the module renders them from the same snapshot.
 */

#include <string.h>

#include "se_cli.h"
#include "se_snapshot.h"


static const char *
se_t(int64_t t)
{
    return t == SE_TIME_NONE ? "-" : se_time_str(t);
}


/* text with every line after the first indented */
static void
se_print_indented(const char *s, size_t len, const char *indent)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (s[i] == '\r') {
            continue;
        }

        putchar(s[i]);

        if (s[i] == '\n' && i + 1 < len) {
            fputs(indent, stdout);
        }
    }

    putchar('\n');
}


static void
se_show_record(const se_model_t *m, const se_incident_t *inc)
{
    const se_update_t  *u;
    size_t              i;

    printf("  %s  %s  %s%s%s\n", inc->id.data, se_status_name(inc->status),
           inc->name.data,
           inc->audience == SE_AUDIENCE_INTERNAL ? "  [internal]" : "",
           inc->banner ? "" : "  [no banner]");

    if (inc->kind == SE_KIND_INCIDENT) {
        printf("      impact %s, since %s, updated %s",
               se_impact_name(inc->impact), se_t(inc->created_at),
               se_t(inc->updated_at));

        if (inc->next_update_at != SE_TIME_NONE) {
            printf(", next update by %s", se_t(inc->next_update_at));
        }

    } else {
        printf("      %s to %s%s", se_t(inc->scheduled_for),
               se_t(inc->scheduled_until), inc->gate ? ", gate on" : "");
    }

    putchar('\n');

    if (inc->ncomponents) {
        fputs("      components:", stdout);

        for (i = 0; i < inc->ncomponents; i++) {
            printf(" %s%s", inc->components[i].data,
                   se_model_component(m, inc->components[i].data,
                                      inc->components[i].len)
                   ? "" : " (unknown)");
        }

        putchar('\n');
    }

    if (inc->nupdates) {
        u = &inc->updates[0];
        printf("      latest (%s, %s): ", se_status_name(u->status),
               se_t(u->created_at));
        se_print_indented(u->body.data, u->body.len, "        ");
    }
}


int
se_cmd_show(se_cli_t *cli)
{
    se_state_t        *st;
    const se_model_t  *m;
    const char        *doc;
    se_indicator_e     ind, all;
    size_t             i, n, len;
    int                rc;

    st = NULL;

    rc = se_redis_state(cli, SE_SNAPSHOT_MAX_HISTORY,
                        SE_SNAPSHOT_MAX_UPDATES, &st);
    if (rc != SE_CLI_OK) {
        return rc;
    }

    if (se_arg(cli, SE_O_JSON)) {
        doc = se_state_doc(st, SE_DOC_SUMMARY, &len);
        fwrite(doc, 1, len, stdout);
        putchar('\n');
        se_state_free(st);
        return SE_CLI_OK;
    }

    m = se_state_model(st);
    ind = se_state_indicator(st);
    all = se_model_indicator(m, 1);

    printf("Page:      %s (prefix %s, version %llu)\n",
           m->page.name.data ? m->page.name.data : "(no name)",
           cli->prefix, (unsigned long long) m->version);

    if (m->reset) {
        printf("Reset:     %llu (%s, by status-edge reset)\n",
               (unsigned long long) m->reset,
               m->reset / 1000 <= INT64_MAX
               ? se_time_str((int64_t) (m->reset / 1000)) : "-");
    }

    printf("Indicator: %s - %s\n", se_indicator_name(ind),
           se_indicator_description(ind));

    if (all != ind) {
        printf("           with internal incidents: %s - %s\n",
               se_indicator_name(all), se_indicator_description(all));
    }

    printf("\nComponents:\n");

    for (i = 0; i < m->ncomponents; i++) {
        printf("  %-20s %-22s %s%s%s\n", m->components[i].id.data,
               se_comp_status_name(m->components[i].status),
               m->components[i].name.data,
               m->components[i].group_id.data ? "  (group " : "",
               m->components[i].group_id.data
               ? se_sprintf("%s)", m->components[i].group_id.data) : "");
    }

    if (m->ncomponents == 0) {
        printf("  none\n");
    }

    printf("\nUnresolved incidents:\n");

    for (i = 0, n = 0; i < m->nincidents; i++) {
        if (se_status_unresolved(m->incidents[i].status)) {
            se_show_record(m, &m->incidents[i]);
            n++;
        }
    }

    if (n == 0) {
        printf("  none\n");
    }

    printf("\nMaintenances (upcoming and in progress):\n");

    for (i = 0, n = 0; i < m->nmaintenances; i++) {
        if (se_status_upcoming(m->maintenances[i].status)
            || se_status_active(m->maintenances[i].status))
        {
            se_show_record(m, &m->maintenances[i]);
            n++;
        }
    }

    if (n == 0) {
        printf("  none\n");
    }

    if (se_state_bad_records(st)) {
        printf("\nSkipped by the module (%zu bad records or fields):\n",
               se_state_bad_records(st));

        for (i = 0; i < se_state_nwarnings(st); i++) {
            printf("  %s\n", se_state_warning(st, i));
        }
    }

    se_state_free(st);

    return SE_CLI_OK;
}
