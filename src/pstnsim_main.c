/* pstnsim: the simulated PSTN exchange (see pstnsim.h for its behaviour).
 *
 * Runs until SIGTERM/SIGINT, until --duration seconds have passed, or (--exit-when-done) until the calls it
 * was asked to originate are over.  At exit it prints its report (KEY=VALUE words) and checks every
 * --expect KEY=VALUE; any mismatch makes the exit status 1.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>

#include <talloc.h>
#include <osmocom/core/application.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>

#include <mgcf/log.h>
#include "build_config.h"
#include "isup/isup_vty.h"
#include "src/config.h"
#include "src/daemon.h"
#include "src/pstnsim.h"
#include "src/vty.h"

struct pstnsim {
	void *ctx;
	struct mgcfd_config *cfg;
	struct log_target *log_target;
	struct sim *sim;
	bool quit;
	bool exit_when_done;
	char **expect;
	unsigned int num_expect;
	struct osmo_timer_list done_timer;
};

static void print_help(const char *argv0)
{
	printf("Usage: %s -c FILE [--expect KEY=VALUE]... [--duration SECONDS] [--exit-when-done]\n"
	       "\n"
	       "pstnsim simulates a PSTN exchange: the M3UA signalling gateway, ISUP call control and circuits.\n"
	       "\n"
	       "  -c, --config-file FILE   configuration (conf/pstnsim.conf)\n"
	       "      --check-config       check the configuration file and exit\n"
	       "  -e, --expect KEY=VALUE   at exit, require a report counter to have this value (repeatable)\n"
	       "  -d, --duration SECONDS   stop after this long\n"
	       "  -x, --exit-when-done     stop once the calls to originate are over\n"
	       "  -V, --version, -h, --help\n"
	       "\n"
	       "Called numbers: 990CCC releases with cause CCC, 991SSS rings SSS seconds, others answer.\n"
	       "Report keys: in in_answered in_rejected in_noanswer out out_alerted out_answered out_setup_failed\n"
	       "released released_by_peer active cause_N digits_rx tones_rx cot_ok cot_failed channels\n"
	       "media_channels.\n", argv0);
}

static void print_line(void *arg, const char *line)
{
	fprintf(arg, "%s\n", line);
}

static void signal_cb(struct osmo_signalfd *osfd, const struct signalfd_siginfo *fdsi)
{
	struct pstnsim *p = osfd->data;

	switch (fdsi->ssi_signo) {
	case SIGTERM:
	case SIGINT:
		p->quit = true;
		break;
	case SIGUSR1:
		talloc_report_full(p->ctx, stderr);
		break;
	case SIGHUP:
		LOGP(DSIM, LOGL_NOTICE, "SIGHUP: pstnsim reads its configuration only at start\n");
		break;
	}
}

static void duration_cb(void *data)
{
	struct pstnsim *p = data;

	p->quit = true;
}

/* --exit-when-done: poll every 100 ms whether all originated calls are over */
static void done_cb(void *data)
{
	struct pstnsim *p = data;

	if (sim_idle(p->sim) && sim_counter(p->sim, "out") + sim_counter(p->sim, "out_setup_failed") > 0)
		p->quit = true;
	else
		osmo_timer_schedule(&p->done_timer, 0, 100000);
}

static int check_expectations(struct pstnsim *p)
{
	unsigned int i;
	int failed = 0;

	for (i = 0; i < p->num_expect; i++) {
		char *key = talloc_strdup(p->ctx, p->expect[i]), *eq = strchr(key, '=');
		long have, want;

		*eq = '\0';
		want = atol(eq + 1);
		have = sim_counter(p->sim, key);
		if (have < 0) {
			fprintf(stderr, "pstnsim: expectation %s: unknown key '%s'\n", p->expect[i], key);
			failed = 1;
		} else if (have != want) {
			fprintf(stderr, "pstnsim: expectation failed: %s is %ld, expected %ld\n", key, have, want);
			failed = 1;
		}
		talloc_free(key);
	}
	return failed;
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "config-file", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "expect", required_argument, NULL, 'e' },
		{ "duration", required_argument, NULL, 'd' },
		{ "exit-when-done", no_argument, NULL, 'x' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct pstnsim p = {};
	struct osmo_timer_list duration_timer;
	struct osmo_signalfd *sfd = NULL;
	const char *config_file = NULL;
	unsigned long duration = 0;
	bool check_only = false;
	char *errors = NULL, *end;
	int c, rc = 1, nofile_rc;

	p.ctx = talloc_named_const(NULL, 0, "pstnsim");
	while ((c = getopt_long(argc, argv, "c:e:d:xVh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_file = optarg;
			break;
		case 'C':
			check_only = true;
			break;
		case 'e':
			if (!strchr(optarg, '=') || !strchr(optarg, '=')[1]) {
				fprintf(stderr, "%s: --expect wants KEY=VALUE, not '%s'\n", argv[0], optarg);
				goto out_usage;
			}
			p.expect = talloc_realloc(p.ctx, p.expect, char *, p.num_expect + 1);
			p.expect[p.num_expect++] = optarg;
			break;
		case 'd':
			duration = strtoul(optarg, &end, 10);
			if (*end || !duration) {
				fprintf(stderr, "%s: --duration wants a number of seconds\n", argv[0]);
				goto out_usage;
			}
			break;
		case 'x':
			p.exit_when_done = true;
			break;
		case 'V':
			printf("pstnsim %s\n", PACKAGE_VERSION);
			talloc_free(p.ctx);
			return 0;
		case 'h':
			print_help(argv[0]);
			talloc_free(p.ctx);
			return 0;
		default:
			goto out_usage;
		}
	}
	if (!config_file || optind < argc) {
		fprintf(stderr, "%s: %s. Try '%s --help'.\n", argv[0], config_file ? "unexpected argument" :
			"-c FILE is required", argv[0]);
		goto out_usage;
	}

	msgb_talloc_ctx_init(p.ctx, 0);
	osmo_init_logging2(p.ctx, &mgcf_log_info);
	log_target_destroy(osmo_stderr_target);
	osmo_stderr_target = NULL;

	p.cfg = mgcfd_config_load(p.ctx, config_file, &errors);
	if (!p.cfg) {
		fputs(errors, stderr);
		goto out;
	}
	if (check_only) {
		rc = 0;
		goto out;
	}
	if (daemon_apply_logging(&p.log_target, &p.cfg->log, "pstnsim") < 0)
		goto out;
	nofile_rc = daemon_raise_nofile();
	if (nofile_rc < 0)
		LOGP(DMAIN, LOGL_NOTICE, "cannot raise the open files limit: %s\n", strerror(-nofile_rc));
	mgcfd_vty_init(p.ctx, "pstnsim", "Copyright (C) the mgcf authors. License AGPLv3+.\r\n");
	/* after the VTY: osmo_tdef_vty_groups_init() resets every timer to its default */
	mgcfd_config_apply_timers(p.cfg);
	p.sim = sim_alloc(p.ctx, p.cfg);
	if (!p.sim) {
		LOGP(DSIM, LOGL_FATAL, "cannot create the simulated exchange\n");
		goto out_vty;
	}
	isup_vty_init(sim_node(p.sim));
	sim_vty_init(p.sim);
	if (mgcfd_vty_listen(p.ctx, p.cfg->vty.address, p.cfg->vty.port) < 0) {
		LOGP(DSIM, LOGL_FATAL, "cannot listen for the VTY on %s:%u\n", p.cfg->vty.address, p.cfg->vty.port);
		goto out_vty;
	}
	sfd = daemon_signals(p.ctx, signal_cb, &p);
	if (!sfd || sim_start(p.sim) < 0) {
		LOGP(DSIM, LOGL_FATAL, "cannot start\n");
		goto out_vty;
	}
	osmo_timer_setup(&duration_timer, duration_cb, &p);
	if (duration)
		osmo_timer_schedule(&duration_timer, duration, 0);
	osmo_timer_setup(&p.done_timer, done_cb, &p);
	if (p.exit_when_done)
		osmo_timer_schedule(&p.done_timer, 0, 100000);

	LOGP(DSIM, LOGL_NOTICE, "pstnsim %s started with %s, VTY on %s:%u\n", PACKAGE_VERSION, config_file,
	     p.cfg->vty.address, p.cfg->vty.port);
	while (!p.quit)
		osmo_select_main_ctx(0);
	osmo_timer_del(&duration_timer);
	osmo_timer_del(&p.done_timer);

	if (p.cfg->sim.report_file) {
		FILE *f = fopen(p.cfg->sim.report_file, "w");

		if (f) {
			sim_report(p.sim, print_line, f);
			fclose(f);
		} else {
			LOGP(DSIM, LOGL_ERROR, "cannot write %s\n", p.cfg->sim.report_file);
		}
	}
	sim_report(p.sim, print_line, stdout);
	fflush(stdout);
	rc = check_expectations(&p);
out_vty:
	daemon_signals_free(sfd);
	if (p.sim)
		sim_free(p.sim);
	mgcfd_vty_close();
out:
	if (p.log_target)
		log_target_destroy(p.log_target);
	log_fini();
	talloc_free(p.ctx);
	return rc;
out_usage:
	talloc_free(p.ctx);
	return 2;
}
