/*
 * Message templates: pre-approved wording in English and Korean with
 * {placeholders}, built in, or files NAME.tmpl in the --templates
 * directory (same name: the file wins).  File format (docs/cli.md):
 *
 *   # comment
 *   description = one line
 *   status = investigating
 *   impact = minor
 *   title = High load on {component}
 *   title.ko = {component} ...
 *   [body]
 *   text lines ...
 *   [body.ko]
 *   text lines ...
 *
 * `template show NAME` prints a template in this format.
 */

#include <errno.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "se_cli.h"

#define SE_TEMPLATE_MAX_FILE  (64 * 1024)

typedef struct {
    const char     *name;
    const char     *text;           /* in the file format */
} se_builtin_t;

static const se_builtin_t  se_builtins[] = {

    { "high-load",
      "description = High load on a component\n"
      "status = investigating\n"
      "impact = minor\n"
      "title = High load on {component}\n"
      "title.ko = {component} \xeb\xb6\x80\xed\x95\x98 \xec\xa6\x9d\xea\xb0\x80"
      "\n"
      "[body]\n"
      "We are seeing unusually high load on {component}, which may cause slow r"
      "esponses or errors. We are adding capacity and will post an update withi"
      "n {eta}.\n"
      "[body.ko]\n"
      "{component}\xec\x97\x90 \xed\x8f\x89\xec\x86\x8c\xeb\xb3\xb4\xeb\x8b\xa4"
      " \xeb\x86\x92\xec\x9d\x80 \xeb\xb6\x80\xed\x95\x98\xea\xb0\x80 "
      "\xeb\xb0\x9c\xec\x83\x9d\xed\x95\x98\xec\x97\xac \xec\x9d\x91"
      "\xeb\x8b\xb5\xec\x9d\xb4 \xeb\x8a\x90\xeb\xa6\xac\xea\xb1\xb0"
      "\xeb\x82\x98 \xec\x98\xa4\xeb\xa5\x98\xea\xb0\x80 \xeb\xb0\x9c"
      "\xec\x83\x9d\xed\x95\xa0 \xec\x88\x98 \xec\x9e\x88\xec\x8a\xb5"
      "\xeb\x8b\x88\xeb\x8b\xa4. \xec\x9a\xa9\xeb\x9f\x89\xec\x9d\x84 "
      "\xeb\x8a\x98\xeb\xa6\xac\xeb\x8a\x94 \xec\xa4\x91\xec\x9d\xb4"
      "\xeb\xa9\xb0, {eta} \xec\x95\x88\xec\x97\x90 \xec\x97\x85\xeb\x8d\xb0"
      "\xec\x9d\xb4\xed\x8a\xb8\xeb\xa5\xbc \xec\x95\x8c\xeb\xa0\xa4 "
      "\xeb\x93\x9c\xeb\xa6\xac\xea\xb2\xa0\xec\x8a\xb5\xeb\x8b\x88\xeb\x8b\xa4"
      ".\n" },

    { "provider-outage",
      "description = A third-party provider outage affects a component\n"
      "status = identified\n"
      "impact = major\n"
      "title = {component} affected by a {provider} outage\n"
      "title.ko = {provider} \xec\x9e\xa5\xec\x95\xa0\xeb\xa1\x9c \xec\x9d\xb8"
      "\xed\x95\x9c {component} \xec\x98\x81\xed\x96\xa5\n"
      "[body]\n"
      "An outage at our third-party provider {provider} is affecting {component"
      "}. We are in contact with {provider} and working on mitigation. We will "
      "post an update within {eta}.\n"
      "[body.ko]\n"
      "\xec\x99\xb8\xeb\xb6\x80 \xec\x84\x9c\xeb\xb9\x84\xec\x8a\xa4 "
      "\xec\xa0\x9c\xea\xb3\xb5\xec\x97\x85\xec\xb2\xb4 {provider}\xec\x9d\x98 "
      "\xec\x9e\xa5\xec\x95\xa0\xeb\xa1\x9c {component}\xec\x97\x90 "
      "\xec\x98\x81\xed\x96\xa5\xec\x9d\xb4 \xec\x9e\x88\xec\x8a\xb5"
      "\xeb\x8b\x88\xeb\x8b\xa4. {provider}\xec\x99\x80 \xed\x98\x91"
      "\xeb\xa0\xa5\xed\x95\x98\xec\x97\xac \xec\x98\x81\xed\x96\xa5"
      "\xec\x9d\x84 \xec\xa4\x84\xec\x9d\xb4\xea\xb3\xa0 \xec\x9e\x88"
      "\xec\x9c\xbc\xeb\xa9\xb0, {eta} \xec\x95\x88\xec\x97\x90 \xec\x97\x85"
      "\xeb\x8d\xb0\xec\x9d\xb4\xed\x8a\xb8\xeb\xa5\xbc \xec\x95\x8c"
      "\xeb\xa0\xa4 \xeb\x93\x9c\xeb\xa6\xac\xea\xb2\xa0\xec\x8a\xb5"
      "\xeb\x8b\x88\xeb\x8b\xa4.\n" },

    { "database-degradation",
      "description = Degraded database performance\n"
      "status = investigating\n"
      "impact = major\n"
      "title = Degraded database performance\n"
      "title.ko = \xeb\x8d\xb0\xec\x9d\xb4\xed\x84\xb0\xeb\xb2\xa0\xec\x9d\xb4"
      "\xec\x8a\xa4 \xec\x84\xb1\xeb\x8a\xa5 \xec\xa0\x80\xed\x95\x98\n"
      "[body]\n"
      "We are investigating degraded database performance affecting {component}"
      ". Some requests may be slow or fail. We will post an update within {eta}"
      ".\n"
      "[body.ko]\n"
      "{component}\xec\x97\x90 \xec\x98\x81\xed\x96\xa5\xec\x9d\x84 "
      "\xec\xa3\xbc\xeb\x8a\x94 \xeb\x8d\xb0\xec\x9d\xb4\xed\x84\xb0"
      "\xeb\xb2\xa0\xec\x9d\xb4\xec\x8a\xa4 \xec\x84\xb1\xeb\x8a\xa5 "
      "\xec\xa0\x80\xed\x95\x98\xeb\xa5\xbc \xec\xa1\xb0\xec\x82\xac"
      "\xed\x95\x98\xea\xb3\xa0 \xec\x9e\x88\xec\x8a\xb5\xeb\x8b\x88"
      "\xeb\x8b\xa4. \xec\x9d\xbc\xeb\xb6\x80 \xec\x9a\x94\xec\xb2\xad"
      "\xec\x9d\xb4 \xeb\x8a\x90\xeb\xa6\xac\xea\xb1\xb0\xeb\x82\x98 "
      "\xec\x8b\xa4\xed\x8c\xa8\xed\x95\xa0 \xec\x88\x98 \xec\x9e\x88"
      "\xec\x8a\xb5\xeb\x8b\x88\xeb\x8b\xa4. {eta} \xec\x95\x88\xec\x97\x90 "
      "\xec\x97\x85\xeb\x8d\xb0\xec\x9d\xb4\xed\x8a\xb8\xeb\xa5\xbc "
      "\xec\x95\x8c\xeb\xa0\xa4 \xeb\x93\x9c\xeb\xa6\xac\xea\xb2\xa0"
      "\xec\x8a\xb5\xeb\x8b\x88\xeb\x8b\xa4.\n" },

    { "scheduled-maintenance",
      "description = Announcement of a scheduled maintenance\n"
      "status = scheduled\n"
      "impact = maintenance\n"
      "title = Scheduled maintenance of {component}\n"
      "title.ko = {component} \xec\xa0\x95\xea\xb8\xb0 \xec\xa0\x90\xea\xb2\x80"
      "\n"
      "[body]\n"
      "We will perform scheduled maintenance on {component}. The service may be"
      " unavailable for up to {duration} during the window. We apologize for th"
      "e inconvenience.\n"
      "[body.ko]\n"
      "{component} \xec\xa0\x95\xea\xb8\xb0 \xec\xa0\x90\xea\xb2\x80"
      "\xec\x9d\x84 \xec\xa7\x84\xed\x96\x89\xed\x95\xa0 \xec\x98\x88"
      "\xec\xa0\x95\xec\x9e\x85\xeb\x8b\x88\xeb\x8b\xa4. \xec\xa0\x90"
      "\xea\xb2\x80 \xec\x8b\x9c\xea\xb0\x84 \xec\xa4\x91 \xec\xb5\x9c"
      "\xeb\x8c\x80 {duration} \xeb\x8f\x99\xec\x95\x88 \xec\x84\x9c"
      "\xeb\xb9\x84\xec\x8a\xa4\xeb\xa5\xbc \xec\x9d\xb4\xec\x9a\xa9"
      "\xed\x95\x98\xec\x8b\xa4 \xec\x88\x98 \xec\x97\x86\xec\x9d\x84 "
      "\xec\x88\x98 \xec\x9e\x88\xec\x8a\xb5\xeb\x8b\x88\xeb\x8b\xa4. "
      "\xec\x9d\xb4\xec\x9a\xa9\xec\x97\x90 \xeb\xb6\x88\xed\x8e\xb8"
      "\xec\x9d\x84 \xeb\x93\x9c\xeb\xa0\xa4 \xec\xa3\x84\xec\x86\xa1"
      "\xed\x95\xa9\xeb\x8b\x88\xeb\x8b\xa4.\n" },

    { "security-investigation",
      "description = Investigation of a potential security issue\n"
      "status = investigating\n"
      "impact = minor\n"
      "title = Investigating a potential security issue\n"
      "title.ko = \xeb\xb3\xb4\xec\x95\x88 \xeb\xac\xb8\xec\xa0\x9c "
      "\xec\xa1\xb0\xec\x82\xac \xec\xa4\x91\n"
      "[body]\n"
      "We are investigating a potential security issue affecting {component}. A"
      "s a precaution, some functions may be limited. We will share more inform"
      "ation as soon as we can.\n"
      "[body.ko]\n"
      "{component}\xec\x97\x90 \xec\x98\x81\xed\x96\xa5\xec\x9d\x84 "
      "\xec\xa4\x84 \xec\x88\x98 \xec\x9e\x88\xeb\x8a\x94 \xeb\xb3\xb4"
      "\xec\x95\x88 \xeb\xac\xb8\xec\xa0\x9c\xeb\xa5\xbc \xec\xa1\xb0"
      "\xec\x82\xac\xed\x95\x98\xea\xb3\xa0 \xec\x9e\x88\xec\x8a\xb5"
      "\xeb\x8b\x88\xeb\x8b\xa4. \xec\x98\x88\xeb\xb0\xa9 \xec\xb0\xa8"
      "\xec\x9b\x90\xec\x97\x90\xec\x84\x9c \xec\x9d\xbc\xeb\xb6\x80 "
      "\xea\xb8\xb0\xeb\x8a\xa5\xec\x9d\xb4 \xec\xa0\x9c\xed\x95\x9c"
      "\xeb\x90\xa0 \xec\x88\x98 \xec\x9e\x88\xec\x8a\xb5\xeb\x8b\x88"
      "\xeb\x8b\xa4. \xed\x99\x95\xec\x9d\xb8\xeb\x90\x98\xeb\x8a\x94 "
      "\xeb\x8c\x80\xeb\xa1\x9c \xec\xb6\x94\xea\xb0\x80 \xec\xa0\x95"
      "\xeb\xb3\xb4\xeb\xa5\xbc \xec\x95\x8c\xeb\xa0\xa4 \xeb\x93\x9c"
      "\xeb\xa6\xac\xea\xb2\xa0\xec\x8a\xb5\xeb\x8b\x88\xeb\x8b\xa4.\n" },

    { "resolved",
      "description = Final update of a resolved incident\n"
      "status = resolved\n"
      "[body]\n"
      "This incident has been resolved. Thank you for your patience.\n"
      "[body.ko]\n"
      "\xec\x9d\xb4 \xeb\xac\xb8\xec\xa0\x9c\xeb\x8a\x94 \xed\x95\xb4"
      "\xea\xb2\xb0\xeb\x90\x98\xec\x97\x88\xec\x8a\xb5\xeb\x8b\x88\xeb\x8b\xa4"
      ". \xea\xb8\xb0\xeb\x8b\xa4\xeb\xa0\xa4 \xec\xa3\xbc\xec\x85\x94"
      "\xec\x84\x9c \xea\xb0\x90\xec\x82\xac\xed\x95\xa9\xeb\x8b\x88"
      "\xeb\x8b\xa4.\n" },

    { "maintenance-started",
      "description = A maintenance has started\n"
      "status = in_progress\n"
      "[body]\n"
      "The scheduled maintenance is now in progress.\n"
      "[body.ko]\n"
      "\xec\x98\x88\xec\xa0\x95\xeb\x90\x9c \xec\xa0\x90\xea\xb2\x80"
      "\xec\x9d\xb4 \xec\xa7\x84\xed\x96\x89 \xec\xa4\x91\xec\x9e\x85"
      "\xeb\x8b\x88\xeb\x8b\xa4.\n" },

    { "maintenance-verifying",
      "description = A maintenance is being verified\n"
      "status = verifying\n"
      "[body]\n"
      "The maintenance work is done and we are verifying the results.\n"
      "[body.ko]\n"
      "\xec\xa0\x90\xea\xb2\x80 \xec\x9e\x91\xec\x97\x85\xec\x9d\xb4 "
      "\xeb\x81\x9d\xeb\x82\x98 \xea\xb2\xb0\xea\xb3\xbc\xeb\xa5\xbc "
      "\xed\x99\x95\xec\x9d\xb8\xed\x95\x98\xea\xb3\xa0 \xec\x9e\x88"
      "\xec\x8a\xb5\xeb\x8b\x88\xeb\x8b\xa4.\n" },

    { "maintenance-completed",
      "description = A maintenance has been completed\n"
      "status = completed\n"
      "[body]\n"
      "The scheduled maintenance has been completed.\n"
      "[body.ko]\n"
      "\xec\x98\x88\xec\xa0\x95\xeb\x90\x9c \xec\xa0\x90\xea\xb2\x80"
      "\xec\x9d\xb4 \xec\x99\x84\xeb\xa3\x8c\xeb\x90\x98\xec\x97\x88"
      "\xec\x8a\xb5\xeb\x8b\x88\xeb\x8b\xa4.\n" },

    { "notify-incident",
      "description = Notification: an incident opened, updated or resolve"
      "d\n"
      "title = [{status}] {name}\n"
      "title.ko = [{status}] {name}\n"
      "[body]\n"
      "{name}\n"
      "Status: {status}\n"
      "Affected: {components}\n"
      "\n"
      "{update}\n"
      "\n"
      "Next update by {next_update}\n"
      "Details: {link}\n"
      "[body.ko]\n"
      "{name}\n"
      "\xec\x83\x81\xed\x83\x9c: {status}\n"
      "\xec\x98\x81\xed\x96\xa5 \xeb\xb0\x9b\xeb\x8a\x94 \xea\xb5\xac\xec"
      "\x84\xb1 \xec\x9a\x94\xec\x86\x8c: {components}\n"
      "\n"
      "{update}\n"
      "\n"
      "\xeb\x8b\xa4\xec\x9d\x8c \xec\x97\x85\xeb\x8d\xb0\xec\x9d\xb4\xed"
      "\x8a\xb8 \xec\x98\x88\xec\xa0\x95: {next_update}\n"
      "\xec\x9e\x90\xec\x84\xb8\xed\x9e\x88 \xeb\xb3\xb4\xea\xb8\xb0: {li"
      "nk}\n" },

    { "notify-maintenance",
      "description = Notification: a maintenance scheduled, started or co"
      "mpleted\n"
      "title = [{status}] {name}\n"
      "title.ko = [{status}] {name}\n"
      "[body]\n"
      "{name}\n"
      "Status: {status}\n"
      "Window: {window}\n"
      "Affected: {components}\n"
      "\n"
      "{update}\n"
      "\n"
      "Details: {link}\n"
      "[body.ko]\n"
      "{name}\n"
      "\xec\x83\x81\xed\x83\x9c: {status}\n"
      "\xec\xa0\x90\xea\xb2\x80 \xec\x8b\x9c\xea\xb0\x84: {window}\n"
      "\xec\x98\x81\xed\x96\xa5 \xeb\xb0\x9b\xeb\x8a\x94 \xea\xb5\xac\xec"
      "\x84\xb1 \xec\x9a\x94\xec\x86\x8c: {components}\n"
      "\n"
      "{update}\n"
      "\n"
      "\xec\x9e\x90\xec\x84\xb8\xed\x9e\x88 \xeb\xb3\xb4\xea\xb8\xb0: {li"
      "nk}\n" },

    { "notify-component",
      "description = Notification: a component's status changed\n"
      "title = {component}: {status}\n"
      "title.ko = {component}: {status}\n"
      "[body]\n"
      "{component} is now {status} (was {old_status}).\n"
      "Details: {link}\n"
      "[body.ko]\n"
      "{component} \xec\x83\x81\xed\x83\x9c\xea\xb0\x80 {old_status}\xec"
      "\x97\x90\xec\x84\x9c {status}(\xec\x9c\xbc)\xeb\xa1\x9c \xeb\xb0"
      "\x94\xeb\x80\x8c\xec\x97\x88\xec\x8a\xb5\xeb\x8b\x88\xeb\x8b\xa4."
      "\n"
      "\xec\x9e\x90\xec\x84\xb8\xed\x9e\x88 \xeb\xb3\xb4\xea\xb8\xb0: {li"
      "nk}\n" },

    { "notify-reminder",
      "description = Reminder to the team: a promised update is due or la"
      "te\n"
      "title = Update due by {next_update}: {name}\n"
      "title.ko = \xec\x97\x85\xeb\x8d\xb0\xec\x9d\xb4\xed\x8a\xb8 \xec"
      "\x98\x88\xec\xa0\x95 {next_update}: {name}\n"
      "[body]\n"
      "An update on \"{name}\" was promised by {next_update}. The last up"
      "date was posted at {last_update}.\n"
      "Post one: status-edge incident update {id} --message TEXT\n"
      "Details: {link}\n"
      "[body.ko]\n"
      "\"{name}\"\xec\x97\x90 \xeb\x8c\x80\xed\x95\x9c \xec\x97\x85\xeb"
      "\x8d\xb0\xec\x9d\xb4\xed\x8a\xb8\xea\xb0\x80 {next_update}\xea\xb9"
      "\x8c\xec\xa7\x80 \xec\x95\xbd\xec\x86\x8d\xeb\x90\x98\xec\x97\x88"
      "\xec\x8a\xb5\xeb\x8b\x88\xeb\x8b\xa4. \xeb\xa7\x88\xec\xa7\x80\xeb"
      "\xa7\x89 \xec\x97\x85\xeb\x8d\xb0\xec\x9d\xb4\xed\x8a\xb8\xeb\x8a"
      "\x94 {last_update}\xec\x97\x90 \xea\xb2\x8c\xec\x8b\x9c\xeb\x90"
      "\x98\xec\x97\x88\xec\x8a\xb5\xeb\x8b\x88\xeb\x8b\xa4.\n"
      "\xec\x97\x85\xeb\x8d\xb0\xec\x9d\xb4\xed\x8a\xb8 \xea\xb2\x8c\xec"
      "\x8b\x9c: status-edge incident update {id} --message TEXT\n"
      "\xec\x9e\x90\xec\x84\xb8\xed\x9e\x88 \xeb\xb3\xb4\xea\xb8\xb0: {li"
      "nk}\n" },

    { "notify-confirm",
      "description = The confirmation of a new subscription (double opt-i"
      "n)\n"
      "title = Confirm your subscription to {page}\n"
      "title.ko = {page} \xea\xb5\xac\xeb\x8f\x85 \xed\x99\x95\xec\x9d"
      "\xb8\n"
      "[body]\n"
      "Someone, hopefully you, asked to receive the status updates of {pa"
      "ge} at this address.\n"
      "Confirm the subscription: {link}\n"
      "The link works for 24 hours. If you did not ask, ignore this messa"
      "ge: nothing more will be sent.\n"
      "[body.ko]\n"
      "\xec\x9d\xb4 \xec\xa3\xbc\xec\x86\x8c\xeb\xa1\x9c {page}\xec\x9d"
      "\x98 \xec\x83\x81\xed\x83\x9c \xec\x97\x85\xeb\x8d\xb0\xec\x9d\xb4"
      "\xed\x8a\xb8\xeb\xa5\xbc \xeb\xb0\x9b\xea\xb2\xa0\xeb\x8b\xa4\xeb"
      "\x8a\x94 \xec\x9a\x94\xec\xb2\xad\xec\x9d\xb4 \xec\x9e\x88\xec\x97"
      "\x88\xec\x8a\xb5\xeb\x8b\x88\xeb\x8b\xa4.\n"
      "\xea\xb5\xac\xeb\x8f\x85 \xed\x99\x95\xec\x9d\xb8: {link}\n"
      "\xec\x9d\xb4 \xeb\xa7\x81\xed\x81\xac\xeb\x8a\x94 24\xec\x8b\x9c"
      "\xea\xb0\x84 \xeb\x8f\x99\xec\x95\x88 \xec\x9c\xa0\xed\x9a\xa8\xed"
      "\x95\xa9\xeb\x8b\x88\xeb\x8b\xa4. \xec\x9a\x94\xec\xb2\xad\xed\x95"
      "\x98\xec\xa7\x80 \xec\x95\x8a\xec\x9c\xbc\xec\x85\xa8\xeb\x8b\xa4"
      "\xeb\xa9\xb4 \xec\x9d\xb4 \xeb\xa9\x94\xec\x9d\xbc\xec\x9d\x84 "
      "\xeb\xac\xb4\xec\x8b\x9c\xed\x95\x98\xec\x84\xb8\xec\x9a\x94. \xeb"
      "\x8d\x94 \xec\x9d\xb4\xec\x83\x81 \xec\x95\x84\xeb\xac\xb4\xea\xb2"
      "\x83\xeb\x8f\x84 \xeb\xb0\x9c\xec\x86\xa1\xeb\x90\x98\xec\xa7\x80 "
      "\xec\x95\x8a\xec\x8a\xb5\xeb\x8b\x88\xeb\x8b\xa4.\n" },

    { NULL, NULL }
};


static int
se_template_name_ok(const char *s)
{
    size_t  n;

    for (n = 0; s[n]; n++) {
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9')
              || s[n] == '-'))
        {
            return 0;
        }
    }

    return n > 0 && n <= SE_MAX_ID;
}


static void
se_template_add(se_template_t *t, const char *key, const char *lang,
    const char *val)
{
    se_kv_t  *texts;

    texts = se_alloc((t->ntexts + 1) * sizeof(se_kv_t));
    if (t->ntexts) {
        memcpy(texts, t->texts, t->ntexts * sizeof(se_kv_t));
    }

    texts[t->ntexts].key = key;
    texts[t->ntexts].lang = lang;
    texts[t->ntexts].val = val;
    t->texts = texts;
    t->ntexts++;
}


static char *
se_trim(const char *s, size_t len)
{
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }

    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'
                   || s[len - 1] == '\r' || s[len - 1] == '\n'))
    {
        len--;
    }

    return se_strndup(s, len);
}


/* parses the file format; src names the file in messages */
static int
se_template_parse(se_cli_t *cli, const char *src, const char *text,
    se_template_t *t)
{
    const char  *p, *e, *eq;
    char        *key, *val, *dot, *body, *lang;
    size_t       line, blen;
    se_kv_t     *cur;
    se_status_e  st;
    se_impact_e  im;

    cur = NULL;
    body = NULL;
    blen = 0;
    line = 0;

    for (p = text; *p; p = *e ? e + 1 : e) {
        e = strchr(p, '\n');
        if (e == NULL) {
            e = p + strlen(p);
        }

        line++;

        if (*p == '[' && e > p && (e[-1] == ']'
                                   || (e[-1] == '\r' && e - 1 > p
                                       && e[-2] == ']')))
        {
            key = se_trim(p + 1, (size_t) (e - p - 1));
            key[strcspn(key, "]")] = '\0';

            lang = NULL;
            dot = strchr(key, '.');
            if (dot) {
                *dot = '\0';
                lang = dot + 1;
            }

            if (strcmp(key, "body") != 0
                || (lang && se_valid_lang(lang, strlen(lang)) != SE_OK))
            {
                return se_error(cli, SE_CLI_USAGE, "template %s line %zu: "
                                "unknown section %s (expected [body] or "
                                "[body.LANG])", src, line,
                                se_q(se_sprintf("[%s%s%s]", key,
                                                lang ? "." : "",
                                                lang ? lang : "")));
            }

            if (cur) {
                cur->val = se_trim(body, blen);
            }

            se_template_add(t, "body", lang, "");
            cur = &t->texts[t->ntexts - 1];
            body = se_alloc(strlen(p) + 1);
            blen = 0;
            continue;
        }

        if (cur) {
            memcpy(body + blen, p, (size_t) (e - p));
            blen += (size_t) (e - p);
            body[blen++] = '\n';
            continue;
        }

        if (*p == '#' || strspn(p, " \t\r") == (size_t) (e - p)) {
            continue;
        }

        eq = memchr(p, '=', (size_t) (e - p));
        if (eq == NULL) {
            return se_error(cli, SE_CLI_USAGE, "template %s line %zu: "
                            "expected KEY = VALUE or [body]", src, line);
        }

        key = se_trim(p, (size_t) (eq - p));
        val = se_trim(eq + 1, (size_t) (e - eq - 1));

        if (strcmp(key, "description") == 0) {
            t->description = val;

        } else if (strcmp(key, "status") == 0) {
            if (se_parse_status(val, strlen(val), SE_KIND_INCIDENT, &st)
                != SE_OK
                && se_parse_status(val, strlen(val), SE_KIND_MAINTENANCE,
                                   &st)
                   != SE_OK)
            {
                return se_error(cli, SE_CLI_USAGE, "template %s line %zu: "
                                "bad status %s (an incident or maintenance "
                                "status)", src, line, se_q(val));
            }

            t->status = val;

        } else if (strcmp(key, "impact") == 0) {
            if (se_parse_impact(val, strlen(val), SE_KIND_MAINTENANCE, &im)
                != SE_OK)
            {
                return se_error(cli, SE_CLI_USAGE, "template %s line %zu: "
                                "bad impact %s (none, minor, major, "
                                "critical, maintenance)", src, line,
                                se_q(val));
            }

            t->impact = val;

        } else if (strncmp(key, "title", 5) == 0
                   && (key[5] == '\0'
                       || (key[5] == '.'
                           && se_valid_lang(key + 6, strlen(key + 6))
                              == SE_OK)))
        {
            se_template_add(t, "title", key[5] ? key + 6 : NULL, val);

        } else {
            return se_error(cli, SE_CLI_USAGE, "template %s line %zu: "
                            "unknown key %s", src, line, se_q(key));
        }
    }

    if (cur) {
        cur->val = se_trim(body, blen);
    }

    if (se_template_text(t, "body", NULL) == NULL) {
        return se_error(cli, SE_CLI_USAGE, "template %s has no [body]",
                        src);
    }

    return SE_CLI_OK;
}


static char *
se_read_small_file(se_cli_t *cli, const char *path, int *rc)
{
    FILE    *f;
    char    *buf;
    size_t   n;

    f = fopen(path, "rb");
    if (f == NULL) {
        *rc = errno == ENOENT ? SE_CLI_OK
                              : se_error(cli, SE_CLI_USAGE, "cannot read "
                                         "%s: %s", se_q(path),
                                         strerror(errno));
        return NULL;
    }

    buf = se_alloc(SE_TEMPLATE_MAX_FILE + 1);
    n = fread(buf, 1, SE_TEMPLATE_MAX_FILE + 1, f);
    fclose(f);

    if (n > SE_TEMPLATE_MAX_FILE || memchr(buf, '\0', n)
        || se_utf8_valid(buf, n) != SE_OK)
    {
        *rc = se_error(cli, SE_CLI_USAGE, "template file %s is too large, "
                       "or not UTF-8 text", se_q(path));
        return NULL;
    }

    buf[n] = '\0';
    *rc = SE_CLI_OK;

    return buf;
}


/* the source text of template name: a file first, then the built-ins */
static const char *
se_template_source(se_cli_t *cli, const char *name, const char **src,
    int *rc)
{
    const se_builtin_t  *b;
    const char          *text;
    char                *path;
    struct stat          st;

    *rc = SE_CLI_OK;

    if (cli->templates) {
        if (stat(cli->templates, &st) != 0) {
            *rc = se_error(cli, SE_CLI_USAGE, "cannot read the templates "
                           "directory %s: %s", se_q(cli->templates),
                           strerror(errno));
            return NULL;
        }

        if (!S_ISDIR(st.st_mode)) {
            *rc = se_error(cli, SE_CLI_USAGE, "the templates directory %s "
                           "is not a directory", se_q(cli->templates));
            return NULL;
        }

        path = se_sprintf("%s/%s.tmpl", cli->templates, name);
        text = se_read_small_file(cli, path, rc);

        if (text || *rc != SE_CLI_OK) {
            *src = se_q(path);
            return text;
        }
    }

    for (b = se_builtins; b->name; b++) {
        if (strcmp(b->name, name) == 0) {
            *src = se_sprintf("\"%s\" (built-in)", name);
            return b->text;
        }
    }

    return NULL;
}


int
se_template_load(se_cli_t *cli, const char *name, se_template_t *t)
{
    const char  *text, *src;
    int          rc;

    memset(t, 0, sizeof(se_template_t));

    if (!se_template_name_ok(name)) {
        return se_error(cli, SE_CLI_USAGE, "bad template name %s "
                        "(expected [a-z0-9-])", se_q(name));
    }

    text = se_template_source(cli, name, &src, &rc);

    if (rc != SE_CLI_OK) {
        return rc;
    }

    if (text == NULL) {
        return se_error(cli, SE_CLI_USAGE, "unknown template %s (see "
                        "status-edge template list)", se_q(name));
    }

    t->name = name;

    return se_template_parse(cli, src, text, t);
}


const char *
se_template_text(const se_template_t *t, const char *key, const char *lang)
{
    size_t  i;

    for (i = 0; i < t->ntexts; i++) {
        if (strcmp(t->texts[i].key, key) != 0) {
            continue;
        }

        if ((lang == NULL && t->texts[i].lang == NULL)
            || (lang && t->texts[i].lang
                && strcmp(lang, t->texts[i].lang) == 0))
        {
            return t->texts[i].val;
        }
    }

    return NULL;
}


/* the placeholder at s ("{name}"): its name length, 0 if none */
static size_t
se_placeholder(const char *s)
{
    size_t  n;

    if (*s != '{') {
        return 0;
    }

    for (n = 1; (s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9')
                || s[n] == '_' || s[n] == '-'; n++)
    {
        /* void */
    }

    return (n > 1 && s[n] == '}') ? n - 1 : 0;
}


static const se_kv_t *
se_var_find(se_cli_t *cli, const char *name, size_t len)
{
    size_t  i;

    for (i = 0; i < cli->args->nvars; i++) {
        if (strlen(cli->args->vars[i].key) == len
            && memcmp(cli->args->vars[i].key, name, len) == 0)
        {
            return &cli->args->vars[i];
        }
    }

    return NULL;
}


int
se_template_apply(se_cli_t *cli, se_template_t *t)
{
    size_t          i, j, n, size, len;
    const char     *s;
    const se_kv_t  *v;
    char           *out, *used;
    int             rc;

    used = se_alloc(cli->args->nvars + 1);

    for (i = 0; i < cli->args->nvars; i++) {
        s = se_sprintf("--var %s", cli->args->vars[i].key);
        rc = se_check_name(cli, s, cli->args->vars[i].val);
        if (rc != SE_CLI_OK) {
            return rc;
        }
    }

    for (i = 0; i < t->ntexts; i++) {
        s = t->texts[i].val;
        size = strlen(s) + 1;

        for (j = 0; s[j]; j++) {
            n = se_placeholder(s + j);
            if (n == 0) {
                continue;
            }

            v = se_var_find(cli, s + j + 1, n);
            if (v == NULL) {
                return se_error(cli, SE_CLI_USAGE, "template %s needs a "
                                "value for {%.*s} (--var %.*s=VALUE)",
                                t->name, (int) n, s + j + 1, (int) n,
                                s + j + 1);
            }

            used[v - cli->args->vars] = 1;
            size += strlen(v->val);
        }

        out = se_alloc(size);
        len = 0;

        for (j = 0; s[j]; j++) {
            n = se_placeholder(s + j);
            if (n == 0) {
                out[len++] = s[j];
                continue;
            }

            v = se_var_find(cli, s + j + 1, n);
            memcpy(out + len, v->val, strlen(v->val));
            len += strlen(v->val);
            j += n + 1;
        }

        out[len] = '\0';
        t->texts[i].val = out;
    }

    for (i = 0; i < cli->args->nvars; i++) {
        if (!used[i]) {
            s = cli->args->vars[i].key;

            if (se_placeholder(se_sprintf("{%s}", s)) != strlen(s)) {
                return se_error(cli, SE_CLI_USAGE, "bad --var %s (a "
                                "placeholder name: [a-z0-9_-])", se_q(s));
            }

            return se_error(cli, SE_CLI_USAGE, "template %s has no "
                            "placeholder {%s} (unknown --var %s)", t->name,
                            s, s);
        }
    }

    return SE_CLI_OK;
}


static const se_kv_t *
se_kv_find(const se_kv_t *vars, size_t n, const char *name, size_t len)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (strlen(vars[i].key) == len
            && memcmp(vars[i].key, name, len) == 0)
        {
            return &vars[i];
        }
    }

    return NULL;
}


int
se_template_check(se_cli_t *cli, const se_template_t *t,
    const se_kv_t *vars, size_t n)
{
    size_t       i, j, len;
    const char  *s;

    for (i = 0; i < t->ntexts; i++) {
        s = t->texts[i].val;

        for (j = 0; s[j]; j++) {
            len = se_placeholder(s + j);

            if (len && se_kv_find(vars, n, s + j + 1, len) == NULL) {
                return se_error(cli, SE_CLI_USAGE, "template %s has an "
                                "unknown placeholder {%.*s}", t->name,
                                (int) len, s + j + 1);
            }
        }
    }

    return SE_CLI_OK;
}


char *
se_template_fill(const char *text, const se_kv_t *vars, size_t n)
{
    const char     *line, *end, *p;
    const se_kv_t  *v;
    char           *out;
    size_t          size, len, k, start;
    int             named, filled, blank;

    size = strlen(text) + 1;

    for (p = text; *p; p++) {
        k = se_placeholder(p);
        v = k ? se_kv_find(vars, n, p + 1, k) : NULL;
        size += v ? strlen(v->val) : 0;
    }

    out = se_alloc(size + 1);
    len = 0;
    blank = 1;              /* the output ends in an empty line, or none */

    for (line = text; *line; line = *end ? end + 1 : end) {
        end = strchr(line, '\n');
        if (end == NULL) {
            end = line + strlen(line);
        }

        start = len;
        named = 0;
        filled = 0;

        for (p = line; p < end; p++) {
            k = se_placeholder(p);
            v = k ? se_kv_find(vars, n, p + 1, k) : NULL;

            if (v == NULL) {
                out[len++] = *p;
                continue;
            }

            named = 1;
            filled |= v->val[0] != '\0';
            memcpy(out + len, v->val, strlen(v->val));
            len += strlen(v->val);
            p += k + 1;
        }

        if (named && !filled) {
            len = start;
            continue;
        }

        if (len == start) {
            if (blank) {
                continue;
            }

            blank = 1;

        } else {
            blank = 0;
        }

        out[len++] = '\n';
    }

    while (len && out[len - 1] == '\n') {
        len--;
    }

    out[len] = '\0';

    return out;
}


/* placeholders of a template, "{a} {b}" */
static char *
se_template_vars(const se_template_t *t)
{
    size_t  i, j, n;
    char   *out, *name;

    out = se_strdup("");

    for (i = 0; i < t->ntexts; i++) {
        for (j = 0; t->texts[i].val[j]; j++) {
            n = se_placeholder(t->texts[i].val + j);
            if (n == 0) {
                continue;
            }

            name = se_strndup(t->texts[i].val + j, n + 2);

            if (strstr(out, name) == NULL) {
                out = se_sprintf("%s%s%s", out, *out ? " " : "", name);
            }
        }
    }

    return out;
}


static void
se_template_print(const se_template_t *t)
{
    size_t  i;

    printf("# template %s; placeholders: %s\n", t->name,
           *se_template_vars(t) ? se_template_vars(t) : "none");

    if (t->description) {
        printf("description = %s\n", t->description);
    }

    if (t->status) {
        printf("status = %s\n", t->status);
    }

    if (t->impact) {
        printf("impact = %s\n", t->impact);
    }

    for (i = 0; i < t->ntexts; i++) {
        if (strcmp(t->texts[i].key, "title") == 0) {
            printf("title%s%s = %s\n", t->texts[i].lang ? "." : "",
                   t->texts[i].lang ? t->texts[i].lang : "",
                   t->texts[i].val);
        }
    }

    for (i = 0; i < t->ntexts; i++) {
        if (strcmp(t->texts[i].key, "body") == 0) {
            printf("[body%s%s]\n%s\n", t->texts[i].lang ? "." : "",
                   t->texts[i].lang ? t->texts[i].lang : "",
                   t->texts[i].val);
        }
    }
}


static int
se_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}


int
se_cmd_template(se_cli_t *cli)
{
    const se_builtin_t  *b;
    se_template_t        t;
    DIR                 *d;
    struct dirent       *de;
    const char         **names;
    size_t               n, i, len;
    int                  rc, bad;

    if (strcmp(cli->cmd->name, "show") == 0) {
        rc = se_template_load(cli, cli->args->pos[0], &t);
        if (rc == SE_CLI_OK) {
            se_template_print(&t);
        }
        return rc;
    }

    n = 0;
    for (b = se_builtins; b->name; b++) {
        n++;
    }

    names = se_alloc((n + 1) * sizeof(char *));
    n = 0;

    for (b = se_builtins; b->name; b++) {
        names[n++] = b->name;
    }

    if (cli->templates) {
        d = opendir(cli->templates);
        if (d == NULL) {
            return se_error(cli, SE_CLI_USAGE, "cannot read the templates "
                            "directory %s: %s", se_q(cli->templates),
                            strerror(errno));
        }

        while ((de = readdir(d)) != NULL) {
            len = strlen(de->d_name);

            if (len <= 5 || strcmp(de->d_name + len - 5, ".tmpl") != 0) {
                continue;
            }

            names = se_realloc_arena(names, (n + 2) * sizeof(char *));
            names[n] = se_strndup(de->d_name, len - 5);

            for (i = 0; i < n; i++) {
                if (strcmp(names[i], names[n]) == 0) {
                    break;
                }
            }

            if (i == n && se_template_name_ok(names[n])) {
                n++;
            }
        }

        closedir(d);
    }

    qsort(names, n, sizeof(char *), se_name_cmp);

    bad = SE_CLI_OK;

    for (i = 0; i < n; i++) {
        rc = se_template_load(cli, names[i], &t);
        if (rc != SE_CLI_OK) {
            /* list the others: a linter for the directory */
            printf("%-24s (invalid, see the error)\n", names[i]);
            bad = rc;
            continue;
        }

        printf("%-24s %s%s%s\n", names[i],
               t.description ? t.description : "",
               *se_template_vars(&t) ? "; " : "", se_template_vars(&t));
    }

    return bad;
}
