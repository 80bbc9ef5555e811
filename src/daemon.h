/*! \file daemon.h
 * What mgcfd and pstnsim share as daemons: logging set-up from the configuration and signal
 * handling through the select loop.
 */
#pragma once

#include <osmocom/core/select.h>

#include "src/config.h"

struct log_target;

/*! \brief Replace *target by a log target made as the configuration says (stderr, syslog as ident, file),
 *  with its levels. \returns 0 or -EIO (the old target is kept). */
int daemon_apply_logging(struct log_target **target, const struct mgcfd_log_cfg *l, const char *ident);

/*! \brief Block SIGTERM, SIGINT, SIGHUP and SIGUSR1 and deliver them to cb through the select loop. */
struct osmo_signalfd *daemon_signals(void *ctx, osmo_signalfd_cb *cb, void *data);

/*! \brief Raise the soft limit of open files to the hard limit.
 *
 * The media plane keeps the sockets of released RTP port pairs open for reuse, in a pool bounded by half the
 * soft limit at its start; the usual soft default (1,024) would keep that pool to a few hundred sockets.
 * \returns 0, or a negative errno (the limit stays as it was). */
int daemon_raise_nofile(void);

/*! \brief Undo daemon_signals(). */
void daemon_signals_free(struct osmo_signalfd *sfd);
