/* pstnsim behaviour: answers, rings, rejects and originates calls (see pstnsim.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>
#include <osmocom/core/linuxlist.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/vty.h>

#include <mgcf/log.h>
#include "isup/isup_node.h"
#include "isup/m3ua.h"
#include "src/pstnsim.h"

#define LOGSIM(lvl, fmt, args...) LOGP(DSIM, lvl, fmt, ##args)

/* Q.850 causes pstnsim uses itself */
#define CAUSE_NORMAL_CLEARING	16
#define CAUSE_NO_ANSWER		19

enum sim_counter_id {
	SIM_IN,			/* IAMs received */
	SIM_IN_ANSWERED,	/* ANM sent */
	SIM_IN_REJECTED,	/* 990CCC: released before ACM */
	SIM_IN_NOANSWER,	/* 991SSS: rang out */
	SIM_OUT,		/* IAMs sent */
	SIM_OUT_ALERTED,	/* ACM or CPG alerting received */
	SIM_OUT_ANSWERED,	/* ANM or CON received */
	SIM_OUT_SETUP_FAILED,	/* no circuit or association down: no IAM sent */
	SIM_RELEASED,		/* calls ended, either direction */
	SIM_RELEASED_BY_PEER,	/* ... by the far end (mgcfd) */
	_SIM_NUM_COUNTERS
};

static const char *const counter_names[_SIM_NUM_COUNTERS] = {
	[SIM_IN] = "in", [SIM_IN_ANSWERED] = "in_answered", [SIM_IN_REJECTED] = "in_rejected",
	[SIM_IN_NOANSWER] = "in_noanswer", [SIM_OUT] = "out", [SIM_OUT_ALERTED] = "out_alerted",
	[SIM_OUT_ANSWERED] = "out_answered", [SIM_OUT_SETUP_FAILED] = "out_setup_failed",
	[SIM_RELEASED] = "released", [SIM_RELEASED_BY_PEER] = "released_by_peer",
};

enum sim_call_plan {
	PLAN_ANSWER,		/* ACM, ANM after answer-delay */
	PLAN_RING,		/* ACM, release with 19 after ring_ms */
	PLAN_REJECT,		/* release with reject_cause before ACM */
	PLAN_ORIGINATED,	/* our own outgoing call */
};

struct sim_call {
	struct llist_head list;
	struct sim *sim;
	struct isup_call *call;
	enum sim_call_plan plan;
	uint8_t reject_cause;
	unsigned int ring_ms;
	bool waiting_cot;	/* IAM asked for continuity: behave once COT arrives */
	bool answered;
	struct osmo_timer_list timer;
	char called[40];
};

struct sim {
	void *ctx;
	const struct mgcfd_config *cfg;
	struct isup_node *node;
	struct llist_head calls;
	unsigned long counters[_SIM_NUM_COUNTERS];
	unsigned long causes[128];
	/* originator */
	char *orig_number;
	unsigned int orig_left;
	unsigned int orig_rate;
	struct osmo_timer_list orig_timer;
};

static struct sim *g_vty_sim;	/* the simulator the VTY commands act on (one per process) */

static void timer_in_ms(struct osmo_timer_list *t, unsigned int ms)
{
	osmo_timer_schedule(t, ms / 1000, (ms % 1000) * 1000);
}

static void call_timer_cb(void *data);

static struct sim_call *sim_call_alloc(struct sim *s, struct isup_call *call, enum sim_call_plan plan)
{
	struct sim_call *sc = talloc_zero(s->ctx, struct sim_call);

	sc->sim = s;
	sc->call = call;
	sc->plan = plan;
	osmo_timer_setup(&sc->timer, call_timer_cb, sc);
	llist_add_tail(&sc->list, &s->calls);
	return sc;
}

static void sim_call_free(struct sim_call *sc)
{
	osmo_timer_del(&sc->timer);
	llist_del(&sc->list);
	talloc_free(sc);
}

static void send_acm(struct sim_call *sc)
{
	struct isup_bci bci = {
		.charge = 2,		/* charge */
		.called_status = 1,	/* subscriber free */
		.called_category = 1,	/* ordinary subscriber */
		.isup_all_the_way = true,
	};
	struct isup_msg m;

	isup_build_acm(&m, 0, &bci);
	if (isup_call_send(sc->call, &m) < 0)
		LOGSIM(LOGL_ERROR, "CIC %u: cannot send ACM\n", isup_call_cic(sc->call));
}

/* Carry out the plan of an incoming call (at once, or when the COT it waited for arrived). */
static void run_plan(struct sim_call *sc)
{
	const struct mgcfd_sim_cfg *c = &sc->sim->cfg->sim;

	switch (sc->plan) {
	case PLAN_REJECT:
		LOGSIM(LOGL_INFO, "CIC %u to %s: rejecting with cause %u\n", isup_call_cic(sc->call), sc->called,
		       sc->reject_cause);
		sc->sim->counters[SIM_IN_REJECTED]++;
		isup_call_release(sc->call, sc->reject_cause);	/* frees sc through call_released */
		return;
	case PLAN_RING:
		send_acm(sc);
		timer_in_ms(&sc->timer, sc->ring_ms);
		return;
	case PLAN_ANSWER:
		send_acm(sc);
		timer_in_ms(&sc->timer, c->answer_delay_ms);
		return;
	case PLAN_ORIGINATED:
		return;
	}
}

static void call_timer_cb(void *data)
{
	struct sim_call *sc = data;
	const struct mgcfd_sim_cfg *c = &sc->sim->cfg->sim;
	struct isup_msg m;

	switch (sc->plan) {
	case PLAN_RING:
		LOGSIM(LOGL_INFO, "CIC %u to %s: no answer after %u ms\n", isup_call_cic(sc->call), sc->called,
		       sc->ring_ms);
		sc->sim->counters[SIM_IN_NOANSWER]++;
		isup_call_release(sc->call, CAUSE_NO_ANSWER);
		return;
	case PLAN_ANSWER:
		if (!sc->answered) {
			isup_build_anm(&m, 0);
			if (isup_call_send(sc->call, &m) < 0) {
				isup_call_release(sc->call, 41);
				return;
			}
			sc->answered = true;
			sc->sim->counters[SIM_IN_ANSWERED]++;
			LOGSIM(LOGL_INFO, "CIC %u to %s: answered\n", isup_call_cic(sc->call), sc->called);
			if (c->hold_ms)
				timer_in_ms(&sc->timer, c->hold_ms);
			return;
		}
		LOGSIM(LOGL_INFO, "CIC %u: releasing after %u ms\n", isup_call_cic(sc->call), c->hold_ms);
		isup_call_release(sc->call, CAUSE_NORMAL_CLEARING);
		return;
	case PLAN_ORIGINATED:
		LOGSIM(LOGL_INFO, "CIC %u: releasing after %u ms\n", isup_call_cic(sc->call), c->hold_ms);
		isup_call_release(sc->call, CAUSE_NORMAL_CLEARING);
		return;
	case PLAN_REJECT:
		return;
	}
}

/* Parse "990CCC" / "991SSS" test numbers. */
static enum sim_call_plan plan_for(const char *digits, uint8_t *cause, unsigned int *ring_ms)
{
	if (strlen(digits) >= 6 && !strncmp(digits, "990", 3)) {
		int c = (digits[3] - '0') * 100 + (digits[4] - '0') * 10 + (digits[5] - '0');

		if (c >= 1 && c <= 127 && strspn(digits + 3, "0123456789") >= 3) {
			*cause = c;
			return PLAN_REJECT;
		}
	}
	if (strlen(digits) >= 6 && !strncmp(digits, "991", 3) && strspn(digits + 3, "0123456789") >= 3) {
		*ring_ms = ((digits[3] - '0') * 100 + (digits[4] - '0') * 10 + (digits[5] - '0')) * 1000;
		return PLAN_RING;
	}
	return PLAN_ANSWER;
}

static void *incoming_call(struct isup_node *node, struct isup_call *call, const struct isup_msg *iam, void *priv)
{
	struct sim *s = priv;
	struct sim_call *sc;
	char digits[40] = "";
	uint8_t cause = 0;
	unsigned int ring_ms = 0;
	size_t n;

	if (isup_msg_has(iam, ISUP_P_CALLED_NUMBER))
		isup_number_get_digits(&iam->called, digits, sizeof(digits));
	n = strlen(digits);
	if (n && digits[n - 1] == 'F')	/* ST: end of pulsing */
		digits[n - 1] = '\0';
	s->counters[SIM_IN]++;
	sc = sim_call_alloc(s, call, plan_for(digits, &cause, &ring_ms));
	sc->reject_cause = cause;
	sc->ring_ms = ring_ms;
	osmo_strlcpy(sc->called, digits, sizeof(sc->called));
	LOGSIM(LOGL_INFO, "CIC %u: IAM to %s\n", isup_call_cic(call), digits);
	/* Q.764 §2.1.8: with a continuity check pending no ACM may go back before the COT */
	if (isup_msg_has(iam, ISUP_P_NCI) && iam->nci.continuity != 0)
		sc->waiting_cot = true;
	else
		run_plan(sc);
	return sc;
}

static void call_event(struct isup_call *call, const struct isup_msg *msg, void *upper_priv)
{
	struct sim_call *sc = upper_priv;
	const struct mgcfd_sim_cfg *c;

	if (!sc)
		return;
	c = &sc->sim->cfg->sim;
	switch (msg->type) {
	case ISUP_COT:
		if (sc->waiting_cot && msg->continuity_ok) {
			sc->waiting_cot = false;
			run_plan(sc);
		}
		break;
	case ISUP_ACM:
	case ISUP_CPG:
		if (sc->plan == PLAN_ORIGINATED)
			sc->sim->counters[SIM_OUT_ALERTED]++;
		break;
	case ISUP_ANM:
	case ISUP_CON:
		if (sc->plan == PLAN_ORIGINATED && !sc->answered) {
			sc->answered = true;
			sc->sim->counters[SIM_OUT_ANSWERED]++;
			LOGSIM(LOGL_INFO, "CIC %u to %s: answered by the far end\n", isup_call_cic(call), sc->called);
			if (c->hold_ms)
				timer_in_ms(&sc->timer, c->hold_ms);
		}
		break;
	default:
		break;
	}
}

static void call_released(struct isup_call *call, uint8_t cause, bool by_remote, void *upper_priv)
{
	struct sim_call *sc = upper_priv;

	if (!sc)
		return;
	sc->sim->counters[SIM_RELEASED]++;
	if (by_remote)
		sc->sim->counters[SIM_RELEASED_BY_PEER]++;
	sc->sim->causes[cause & 0x7f]++;
	LOGSIM(LOGL_INFO, "CIC %u: released with cause %u by %s\n", isup_call_cic(call), cause,
	       by_remote ? "the far end" : "pstnsim");
	sim_call_free(sc);
}

static void assoc_state(struct isup_node *node, const char *name, bool active, void *priv)
{
	LOGSIM(LOGL_NOTICE, "association %s is %s\n", name, active ? "active" : "down");
}

static const struct isup_node_ops sim_ops = {
	.incoming_call = incoming_call,
	.call_event = call_event,
	.call_released = call_released,
	.assoc_state = assoc_state,
};

static const char *orig_trunk(struct sim *s)
{
	const struct isup_trunk_cfg *t;

	if (s->cfg->sim.trunk)
		return s->cfg->sim.trunk;
	t = llist_first_entry_or_null(&s->cfg->isup.trunks, struct isup_trunk_cfg, list);
	return t ? t->name : NULL;
}

static int originate_one(struct sim *s)
{
	struct isup_iam_args a = {
		.called = s->orig_number,
		.called_nai = 4,	/* international: mgcfd turns it into +digits */
		.calling = s->cfg->sim.calling,
		.calling_nai = 4,
	};
	struct sim_call *sc;
	struct isup_call *call;
	struct isup_msg iam;
	const char *trunk = orig_trunk(s);
	int rc;

	if (!trunk || isup_build_iam(&iam, 0, &a) < 0) {
		s->counters[SIM_OUT_SETUP_FAILED]++;
		return -EINVAL;
	}
	sc = sim_call_alloc(s, NULL, PLAN_ORIGINATED);
	osmo_strlcpy(sc->called, s->orig_number, sizeof(sc->called));
	rc = isup_call_setup(s->node, trunk, &iam, sc, &call);
	if (rc < 0) {
		sim_call_free(sc);
		if (rc == -ENETDOWN)
			return rc;
		LOGSIM(LOGL_NOTICE, "call to %s not set up: %s\n", s->orig_number, strerror(-rc));
		s->counters[SIM_OUT_SETUP_FAILED]++;
		return rc;
	}
	sc->call = call;
	s->counters[SIM_OUT]++;
	LOGSIM(LOGL_INFO, "CIC %u: IAM sent to %s\n", isup_call_cic(call), s->orig_number);
	return 0;
}

static void orig_timer_cb(void *data)
{
	struct sim *s = data;
	int rc;

	if (!s->orig_left)
		return;
	rc = originate_one(s);
	if (rc == -ENETDOWN) {
		/* the association is not (yet) active: try again shortly, the call is not lost */
		timer_in_ms(&s->orig_timer, 100);
		return;
	}
	s->orig_left--;
	if (s->orig_left)
		timer_in_ms(&s->orig_timer, 1000 / s->orig_rate ? 1000 / s->orig_rate : 1);
}

void sim_originate(struct sim *s, const char *number, unsigned int count, unsigned int rate)
{
	talloc_free(s->orig_number);
	s->orig_number = talloc_strdup(s->ctx, number);
	s->orig_left += count;
	s->orig_rate = rate ? rate : 1;
	if (s->orig_left && !osmo_timer_pending(&s->orig_timer))
		timer_in_ms(&s->orig_timer, 0);
}

static int sim_destructor(struct sim *s)
{
	struct sim_call *sc, *tmp;

	osmo_timer_del(&s->orig_timer);
	/* the node releases its calls towards us while it is freed */
	isup_node_free(s->node);
	llist_for_each_entry_safe(sc, tmp, &s->calls, list)
		sim_call_free(sc);
	if (g_vty_sim == s)
		g_vty_sim = NULL;
	return 0;
}

struct sim *sim_alloc(void *ctx, const struct mgcfd_config *cfg)
{
	struct sim *s = talloc_zero(ctx, struct sim);
	struct isup_node_opts opts;

	s->ctx = s;
	s->cfg = cfg;
	INIT_LLIST_HEAD(&s->calls);
	osmo_timer_setup(&s->orig_timer, orig_timer_cb, s);
	isup_node_opts_default(&opts);
	s->node = isup_node_alloc(s, &cfg->isup, &opts, &sim_ops, s, NULL);
	if (!s->node) {
		talloc_free(s);
		return NULL;
	}
	talloc_set_destructor(s, sim_destructor);
	return s;
}

struct isup_node *sim_node(struct sim *s)
{
	return s->node;
}

int sim_start(struct sim *s)
{
	int rc = isup_node_start(s->node);

	if (rc < 0)
		return rc;
	if (s->cfg->sim.originate_number && s->cfg->sim.originate_count)
		sim_originate(s, s->cfg->sim.originate_number, s->cfg->sim.originate_count, s->cfg->sim.originate_rate);
	return 0;
}

bool sim_idle(struct sim *s)
{
	/* the node keeps a released call until RLC: only then has the far end seen the REL */
	return llist_empty(&s->calls) && !s->orig_left && isup_node_num_calls(s->node) == 0;
}

long sim_counter(struct sim *s, const char *key)
{
	unsigned int i;

	for (i = 0; i < _SIM_NUM_COUNTERS; i++) {
		if (!strcmp(key, counter_names[i]))
			return s->counters[i];
	}
	if (!strcmp(key, "active"))
		return llist_count(&s->calls);
	if (!strncmp(key, "cause_", 6)) {
		char *end;
		unsigned long c = strtoul(key + 6, &end, 10);

		if (!*end && key[6] && c < 128)
			return s->causes[c];
	}
	return -1;
}

void sim_report(struct sim *s, void (*out)(void *arg, const char *line), void *arg)
{
	char *line = talloc_strdup(s, "pstnsim:");
	unsigned int i;

	for (i = 0; i < _SIM_NUM_COUNTERS; i++)
		line = talloc_asprintf_append(line, " %s=%lu", counter_names[i], s->counters[i]);
	line = talloc_asprintf_append(line, " active=%u", llist_count(&s->calls));
	for (i = 0; i < 128; i++) {
		if (s->causes[i])
			line = talloc_asprintf_append(line, " cause_%u=%lu", i, s->causes[i]);
	}
	out(arg, line);
	talloc_free(line);
}

int sim_assoc(struct sim *s, const char *name, bool up)
{
	struct m3ua_assoc *a = isup_node_m3ua(s->node, name);

	if (!a)
		return -ENOENT;
	LOGSIM(LOGL_NOTICE, "association %s: %s by request\n", name, up ? "restored" : "dropped");
	if (up)
		return m3ua_assoc_start(a);
	m3ua_assoc_stop(a);
	return 0;
}

void sim_free(struct sim *s)
{
	talloc_free(s);
}

/* ---------------------------------------------------------------- VTY */

static void vty_line(void *arg, const char *line)
{
	struct vty *vty = arg;

	vty_out(vty, "%s%s", line, VTY_NEWLINE);
}

DEFUN(show_simulator, show_simulator_cmd, "show simulator",
      SHOW_STR "What the simulated exchange did (counters as KEY=VALUE)\n")
{
	if (!g_vty_sim)
		return CMD_WARNING;
	sim_report(g_vty_sim, vty_line, vty);
	return CMD_SUCCESS;
}

DEFUN(sim_call, sim_call_cmd, "simulator call NUMBER [<1-1000000>] [<1-10000>]",
      "Simulated exchange\n" "Originate calls\n" "Called number (digits)\n" "Number of calls (default 1)\n"
      "Calls per second (default 1)\n")
{
	unsigned int count = argc > 1 ? atoi(argv[1]) : 1, rate = argc > 2 ? atoi(argv[2]) : 1;

	if (!g_vty_sim)
		return CMD_WARNING;
	if (strspn(argv[0], "0123456789*#") != strlen(argv[0])) {
		vty_out(vty, "%% the number must be digits%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	sim_originate(g_vty_sim, argv[0], count, rate);
	return CMD_SUCCESS;
}

DEFUN(sim_assoc_cmd_fn, sim_assoc_cmd, "simulator association NAME (drop|restore)",
      "Simulated exchange\n" "M3UA association\n" "Association name\n" "Stop it (connections closed)\n"
      "Start it again\n")
{
	if (!g_vty_sim)
		return CMD_WARNING;
	if (sim_assoc(g_vty_sim, argv[0], !strcmp(argv[1], "restore")) < 0) {
		vty_out(vty, "%% no association '%s'%s", argv[0], VTY_NEWLINE);
		return CMD_WARNING;
	}
	return CMD_SUCCESS;
}

void sim_vty_init(struct sim *s)
{
	static bool installed;

	g_vty_sim = s;
	if (installed)
		return;
	installed = true;
	install_element_ve(&show_simulator_cmd);
	install_element(ENABLE_NODE, &sim_call_cmd);
	install_element(ENABLE_NODE, &sim_assoc_cmd);
}
