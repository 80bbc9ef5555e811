/* Logging and signal set-up shared by mgcfd and pstnsim. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <syslog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <talloc.h>
#include <osmocom/core/logging.h>

#include <mgcf/log.h>
#include "src/daemon.h"

int daemon_apply_logging(struct log_target **target, const struct mgcfd_log_cfg *l, const char *ident)
{
	struct log_target *t;
	unsigned int i;
	int lowest;

	switch (l->target) {
	case MGCFD_LOG_SYSLOG:
		t = log_target_create_syslog(ident, LOG_PID, LOG_DAEMON);
		break;
	case MGCFD_LOG_FILE:
		t = log_target_create_file(l->file);
		break;
	case MGCFD_LOG_STDERR:
	default:
		t = log_target_create_stderr();
		break;
	}
	if (!t) {
		LOGP(DMAIN, LOGL_ERROR, "cannot open the log target: %s\n", strerror(errno));
		return -EIO;
	}
	if (*target)
		log_target_destroy(*target);	/* also unlinks it */
	*target = t;
	log_set_print_category(t, l->print_category);
	log_set_print_category_hex(t, 0);
	log_set_use_color(t, l->target == MGCFD_LOG_STDERR && isatty(STDERR_FILENO));
	log_set_print_level(t, 1);
	log_set_print_filename2(t, LOG_FILENAME_NONE);
	log_set_print_timestamp(t, l->timestamp);
	log_set_all_filter(t, 1);
	for (i = 0; i < osmo_log_info->num_cat; i++)
		log_set_category_filter(t, i, 1, l->level);
	/* the target's own level filters before the categories do: open it to the most verbose category */
	lowest = l->level;
	for (i = 0; i < l->num_cats; i++) {
		log_set_category_filter(t, l->cats[i].cat, 1, l->cats[i].level);
		if (l->cats[i].level < lowest)
			lowest = l->cats[i].level;
	}
	log_set_log_level(t, lowest);
	log_add_target(t);
	return 0;
}

struct osmo_signalfd *daemon_signals(void *ctx, osmo_signalfd_cb *cb, void *data)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return osmo_signalfd_setup(ctx, set, cb, data);
}

void daemon_signals_free(struct osmo_signalfd *sfd)
{
	if (!sfd)
		return;
	osmo_fd_unregister(&sfd->ofd);
	close(sfd->ofd.fd);
	talloc_free(sfd);
}

int daemon_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	if (rl.rlim_cur == rl.rlim_max)
		return 0;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	LOGP(DMAIN, LOGL_INFO, "open files limit raised to %llu\n", (unsigned long long)rl.rlim_cur);
	return 0;
}
