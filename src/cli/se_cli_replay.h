/*
 * status-edge, the admin tool: "notify --replay" (se_cli_replay.c), the
 * dead letters of Pnotify:dead sent again.
 */

#ifndef SE_CLI_REPLAY_H
#define SE_CLI_REPLAY_H

#include "se_cli.h"
#include "se_cli_deliver.h"

/*
 * cli connected, dl set up with the notifier's options (tries, backoff,
 * timeout, parallel) and started: its done, retry and data are this
 * module's; smtp: the relay emails are sent through.  SE_CLI_FAIL when
 * a dead letter failed again.
 */
int se_notify_replay(se_cli_t *cli, se_deliver_t *dl, const char *smtp);

#endif /* SE_CLI_REPLAY_H */
