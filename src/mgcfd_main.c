/* mgcfd: the MGCF daemon.
 *
 * Owns the talloc root, the signalling event loop, the configuration, the
 * VTY and the daemon's own counters, and wires the protocol modules together.
 *
 * Signals: SIGTERM/SIGINT stop gracefully, SIGHUP reloads the configuration
 * (a file with errors is reported and the running configuration kept),
 * SIGUSR1 prints a talloc report to stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <syslog.h>
#include <unistd.h>

#include <talloc.h>
#include <osmocom/core/application.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/select.h>
#include <osmocom/core/stats.h>
#include <osmocom/core/utils.h>
#include <osmocom/vty/logging.h>

#include <mgcf/log.h>
#include "build_config.h"
#include "src/config.h"
#include "isup/isup_node.h"
#include "isup/isup_vty.h"
#include "media/media.h"
#include "mgcf/mgcf_call.h"
#include "mgcf/mgcf_timers.h"
#include "sip/sip_sess.h"
#include "src/daemon.h"
#include "src/vty.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG SYSCONFDIR "/mgcf/mgcfd.conf"

enum mgcfd_ctr {
	MGCFD_CTR_RELOAD_OK,
	MGCFD_CTR_RELOAD_FAILED,
};

static const struct rate_ctr_desc mgcfd_ctr_desc[] = {
	[MGCFD_CTR_RELOAD_OK] = { "mgcfd:reload_ok", "configuration reloads that took effect" },
	[MGCFD_CTR_RELOAD_FAILED] = { "mgcfd:reload_failed", "configuration reloads refused for errors" },
};

static const struct rate_ctr_group_desc mgcfd_ctrg_desc = {
	.group_name_prefix = "mgcfd",
	.group_description = "MGCF daemon",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = ARRAY_SIZE(mgcfd_ctr_desc),
	.ctr_desc = mgcfd_ctr_desc,
};

struct mgcfd {
	void *ctx;
	const char *config_file;
	struct mgcfd_config *cfg;
	struct log_target *log_target;
	struct rate_ctr_group *ctrs;
	struct isup_node *isup;
	struct media_plane *media;
	struct sip_sess_ua *ua;
	struct mgcf_iw *iw;
	bool quit;
};

static struct mgcfd g_mgcfd;

/* Media events go to the call that owns the channel. */
static void media_event(void *priv, const struct media_event *ev)
{
	struct mgcfd *d = priv;

	LOGP(DMEDIA, LOGL_DEBUG, "channel %u: %s\n", ev->chan_id, get_value_string(media_event_type_names, ev->type));
	if (d->iw)
		mgcf_iw_media_event(d->iw, ev);
}

static const struct media_plane_ops mgcfd_media_ops = {
	.event = media_event,
};

static void print_help(const char *argv0)
{
	printf("Usage: %s [-c FILE] [--check-config] [-V] [-h]\n"
	       "\n"
	       "mgcfd bridges calls between SIP/IMS networks and ISUP trunks (an MGCF with its media gateway).\n"
	       "\n"
	       "  -c, --config-file FILE  configuration file (default " DEFAULT_CONFIG ")\n"
	       "      --check-config      check the configuration file, print its errors, and exit\n"
	       "  -V, --version           print the version and exit\n"
	       "  -h, --help              print this help and exit\n"
	       "\n"
	       "Signals: SIGTERM/SIGINT stop, SIGHUP reloads the configuration, SIGUSR1 prints a memory report.\n",
	       argv0);
}

static int apply_logging(struct mgcfd *d, const struct mgcfd_config *cfg)
{
	return daemon_apply_logging(&d->log_target, &cfg->log, "mgcfd");
}

static void print_errors(const char *errors)
{
	fputs(errors, stderr);
}

/* SIGHUP: load the file again; only a file without errors replaces the running configuration. */
static void reload(struct mgcfd *d)
{
	char *errors;
	struct mgcfd_config *cfg = mgcfd_config_load(d->ctx, d->config_file, &errors);

	if (!cfg) {
		LOGP(DMAIN, LOGL_ERROR, "reload of %s refused, keeping the running configuration:\n%s",
		     d->config_file, errors);
		talloc_free(errors);
		rate_ctr_inc(rate_ctr_group_get_ctr(d->ctrs, MGCFD_CTR_RELOAD_FAILED));
		return;
	}
	/* The VTY address/port, listeners, associations and circuits are set up once; changes need a restart. */
	if (strcmp(cfg->vty.address, d->cfg->vty.address) || cfg->vty.port != d->cfg->vty.port)
		LOGP(DMAIN, LOGL_NOTICE, "the VTY address changed; it takes effect at the next restart\n");
	talloc_free(d->cfg);
	d->cfg = cfg;
	apply_logging(d, cfg);
	mgcfd_config_apply_timers(cfg);
	if (d->iw)
		mgcf_iw_set_cfg(d->iw, &cfg->mgcf, &cfg->sip);
	rate_ctr_inc(rate_ctr_group_get_ctr(d->ctrs, MGCFD_CTR_RELOAD_OK));
	LOGP(DMAIN, LOGL_NOTICE, "configuration reloaded from %s\n", d->config_file);
}

static void signal_cb(struct osmo_signalfd *osfd, const struct signalfd_siginfo *fdsi)
{
	struct mgcfd *d = osfd->data;

	switch (fdsi->ssi_signo) {
	case SIGTERM:
	case SIGINT:
		LOGP(DMAIN, LOGL_NOTICE, "signal %u: stopping\n", fdsi->ssi_signo);
		d->quit = true;
		break;
	case SIGHUP:
		reload(d);
		break;
	case SIGUSR1:
		talloc_report_full(d->ctx, stderr);
		break;
	}
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "config-file", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct mgcfd *d = &g_mgcfd;
	struct osmo_signalfd *sfd = NULL;
	bool check_only = false;
	char *errors = NULL;
	int c, rc, nofile_rc;

	/* Calls come and go by the thousand per second: without these, every few calls free()
	 * gave the top of the heap back with brk() (a media thread: mprotect()) and the next
	 * call took it again.  The heap keeps what it had at its busiest instead. */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_TOP_PAD, 1 << 20);
	d->config_file = DEFAULT_CONFIG;
	while ((c = getopt_long(argc, argv, "c:Vh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			d->config_file = optarg;
			break;
		case 'C':
			check_only = true;
			break;
		case 'V':
			printf("mgcfd %s\n", PACKAGE_VERSION);
			return EXIT_SUCCESS;
		case 'h':
			print_help(argv[0]);
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, "Try '%s --help'.\n", argv[0]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'. Try '%s --help'.\n", argv[0], argv[optind], argv[0]);
		return 2;
	}

	d->ctx = talloc_named_const(NULL, 0, "mgcfd");
	msgb_talloc_ctx_init(d->ctx, 0);
	osmo_init_logging2(d->ctx, &mgcf_log_info);
	/* osmo_init_logging2 adds a stderr target; ours replaces it once the config is read */
	log_target_destroy(osmo_stderr_target);
	osmo_stderr_target = NULL;

	d->cfg = mgcfd_config_load(d->ctx, d->config_file, &errors);
	if (!d->cfg) {
		print_errors(errors);
		rc = 1;
		goto out_free;
	}
	if (check_only) {
		rc = 0;
		goto out_free;
	}
	if (apply_logging(d, d->cfg) < 0) {
		rc = 1;
		goto out_free;
	}
	nofile_rc = daemon_raise_nofile();
	if (nofile_rc < 0)
		LOGP(DMAIN, LOGL_NOTICE, "cannot raise the open files limit: %s\n", strerror(-nofile_rc));
	d->ctrs = rate_ctr_group_alloc(d->ctx, &mgcfd_ctrg_desc, 0);
	/* before any thread starts: threads inherit the mask, and a signal must reach the select loop only */
	sfd = daemon_signals(d->ctx, signal_cb, d);
	if (!sfd) {
		LOGP(DMAIN, LOGL_FATAL, "cannot set up signal handling\n");
		rc = 1;
		goto out_vty;
	}

	mgcfd_vty_init(d->ctx, "mgcfd", "Copyright (C) the mgcf authors. License AGPLv3+.\r\n");
	/* after the VTY: osmo_tdef_vty_groups_init() resets every timer to its default */
	mgcfd_config_apply_timers(d->cfg);
	{
		struct mgcf_iw_deps deps = {
			.media_cfg = &d->cfg->media,
			.cfg = &d->cfg->mgcf,
			.sip_cfg = &d->cfg->sip,
			.tdefs = mgcf_tdefs,
		};

		d->iw = mgcf_iw_alloc(d->ctx, &deps);
		if (!d->iw || mgcf_iw_set_cdr_file(d->iw, d->cfg->mgcf.cdr_file) < 0) {
			LOGP(DMAIN, LOGL_FATAL, "cannot create the interworking layer (CDR file %s)\n",
			     d->cfg->mgcf.cdr_file ? d->cfg->mgcf.cdr_file : "-");
			rc = 1;
			goto out_vty;
		}
		mgcf_iw_vty_init(d->iw);
	}
	{
		struct isup_node_opts opts;

		isup_node_opts_default(&opts);
		d->isup = isup_node_alloc(d->ctx, &d->cfg->isup, &opts, &mgcf_iw_isup_ops, d->iw, NULL);
		if (!d->isup) {
			LOGP(DMAIN, LOGL_FATAL, "cannot create the ISUP node\n");
			rc = 1;
			goto out_vty;
		}
		isup_vty_init(d->isup);
		mgcf_iw_set_isup(d->iw, d->isup);
	}
	d->media = media_plane_alloc(d->ctx, &d->cfg->media, &mgcfd_media_ops, d);
	rc = d->media ? media_plane_start(d->media) : -ENOMEM;
	if (rc < 0) {
		LOGP(DMAIN, LOGL_FATAL, "cannot start the media plane: %s\n", strerror(-rc));
		rc = 1;
		goto out_vty;
	}
	mgcfd_media_vty_init(d->media);
	mgcf_iw_set_media(d->iw, d->media);
	d->ua = sip_sess_ua_alloc(d->ctx, &d->cfg->sip, &mgcf_iw_sess_ops, d->iw);
	rc = d->ua ? sip_tp_listen_cfg(sip_core_tp(sip_sess_ua_core(d->ua))) : -ENOMEM;
	if (rc == 0)
		mgcf_iw_set_sip(d->iw, d->ua);
	if (rc < 0) {
		LOGP(DMAIN, LOGL_FATAL, "cannot start SIP: %s\n", strerror(-rc));
		rc = 1;
		goto out_vty;
	}
	rc = mgcfd_vty_listen(d->ctx, d->cfg->vty.address, d->cfg->vty.port);
	if (rc < 0) {
		LOGP(DMAIN, LOGL_FATAL, "cannot listen for the VTY on %s:%u: %s\n", d->cfg->vty.address,
		     d->cfg->vty.port, strerror(-rc));
		rc = 1;
		goto out_vty;
	}


	/* associations that cannot connect yet keep retrying with back-off */
	if (isup_node_start(d->isup) < 0)
		LOGP(DMAIN, LOGL_ERROR, "not every M3UA association could be started; retrying\n");
	LOGP(DMAIN, LOGL_NOTICE, "mgcfd %s started with %s, VTY on %s:%u\n", PACKAGE_VERSION, d->config_file,
	     d->cfg->vty.address, d->cfg->vty.port);
	while (!d->quit)
		osmo_select_main_ctx(0);
	LOGP(DMAIN, LOGL_NOTICE, "mgcfd stopped\n");

	rc = 0;
out_vty:
	/* calls first: they release both legs (cause 41) and write their CDR lines */
	if (d->iw)
		mgcf_iw_free(d->iw);
	d->iw = NULL;
	if (d->ua)
		sip_sess_ua_free(d->ua);
	if (d->isup)
		isup_node_free(d->isup);
	if (d->media)
		media_plane_stop(d->media);
	daemon_signals_free(sfd);
	mgcfd_vty_close();
	if (d->ctrs)
		rate_ctr_group_free(d->ctrs);
out_free:
	if (d->log_target) {
		log_target_destroy(d->log_target);
	}
	log_fini();
	talloc_free(d->cfg);
	talloc_free(errors);
	talloc_free(d->ctx);
	return rc;
}
