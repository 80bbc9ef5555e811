/* pstnsim behaviour: answers, rings, rejects and originates calls (see pstnsim.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <talloc.h>
#include <osmocom/core/linuxlist.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/vty.h>

#include <mgcf/log.h>
#include "dtmf/dtmf_dsp.h"
#include "dtmf/dtmf_tone_plan.h"
#include "isup/isup_node.h"
#include "isup/isup_timers.h"
#include "isup/m3ua.h"
#include "media/media.h"
#include "src/pstnsim.h"

#define LOGSIM(lvl, fmt, args...) LOGP(DSIM, lvl, fmt, ##args)

/* Q.850 causes pstnsim uses itself */
#define CAUSE_NORMAL_CLEARING	16
#define CAUSE_NO_ANSWER		19

enum sim_counter_id {
	SIM_IN,			/* IAMs received */
	SIM_IN_CONTINUITY,	/* ... asking for continuity (on this or a previous circuit) */
	SIM_IN_ANSWERED,	/* ANM sent */
	SIM_IN_REJECTED,	/* 990CCC: released before ACM */
	SIM_IN_NOANSWER,	/* 991SSS: rang out */
	SIM_OUT,		/* IAMs sent */
	SIM_OUT_ALERTED,	/* ACM or CPG alerting received */
	SIM_OUT_ANSWERED,	/* ANM or CON received */
	SIM_OUT_SETUP_FAILED,	/* no circuit or association down: no IAM sent */
	SIM_RELEASED,		/* calls ended, either direction */
	SIM_RELEASED_BY_PEER,	/* ... by the far end (mgcfd) */
	SIM_DIGITS_RX,		/* in-band DTMF digits detected on our channels */
	SIM_TONES_RX,		/* tone bursts detected on our channels */
	SIM_COT_OK,		/* our continuity tests (IAM or CCR re-test) that heard the tone back */
	SIM_COT_FAILED,		/* ... that did not */
	_SIM_NUM_COUNTERS
};

static const char *const counter_names[_SIM_NUM_COUNTERS] = {
	[SIM_IN] = "in", [SIM_IN_CONTINUITY] = "in_continuity", [SIM_IN_ANSWERED] = "in_answered",
	[SIM_IN_REJECTED] = "in_rejected",
	[SIM_IN_NOANSWER] = "in_noanswer", [SIM_OUT] = "out", [SIM_OUT_ALERTED] = "out_alerted",
	[SIM_OUT_ANSWERED] = "out_answered", [SIM_OUT_SETUP_FAILED] = "out_setup_failed",
	[SIM_RELEASED] = "released", [SIM_RELEASED_BY_PEER] = "released_by_peer",
	[SIM_DIGITS_RX] = "digits_rx", [SIM_TONES_RX] = "tones_rx", [SIM_COT_OK] = "cot_ok",
	[SIM_COT_FAILED] = "cot_failed",
};

/* pstnsim's end of a bearer: one media channel on a circuit's timeslot, TDM only.  It carries a call (sc), or
 * only a continuity re-test (sc NULL): ours (the node's internal call after a failed check) or the far end's
 * (the loop while it re-tests after CCR). */
#define SIM_TONES_KEPT		64	/* detected tone bursts listed per channel; the rest are only counted */
#define SIM_DIGIT_MS		80	/* in-band digits: 80 ms tone, 80 ms pause (Q.24 asks for >= 40 each) */

struct sim_chan {
	struct llist_head list;		/* sim.chans */
	struct sim *sim;
	struct sim_call *sc;
	char *trunk;
	uint16_t cic;
	uint32_t id;			/* media channel */
	bool loop;			/* timeslot looped back */
	bool cot_loop;			/* ... for the far end's continuity check (off again at COT) */
	struct isup_call *cot_call;	/* our continuity test awaits its result for this call */
	bool cot_retest;		/* cot_call is the node's internal re-test call */
	char *digits_out;		/* digits still to play in-band */
	struct osmo_timer_list digit_timer;
	char *digits;			/* digits detected, in order */
	char *tones;			/* tone bursts detected, in order */
	unsigned int n_tones;
	char *cadences;			/* on/off pairs of consecutive bursts of one tone that fit its plan's cadence */
	unsigned int n_cadences;
	int prev_kind;			/* the previous burst: its tone in the plan (-1: none or not one) ... */
	uint32_t prev_ms;		/* ... and its length */
	enum dtmf_play playing;
	unsigned int cot_ok, cot_failed;
};

/* A circuit whose loop is commanded broken (or working) against the configuration's continuity-loop. */
struct sim_loop_override {
	struct llist_head list;
	char *trunk;
	uint16_t cic;
	bool broken;
};

enum sim_call_plan {
	PLAN_ANSWER,		/* ACM, ANM after answer-delay */
	PLAN_RING,		/* ACM, release with 19 after ring_ms */
	PLAN_REJECT,		/* release with reject_cause before ACM */
	PLAN_EARLY_MEDIA,	/* ACM with in-band information available, ANM after ring_ms */
	PLAN_SILENT,		/* no backward message at all: the caller's T7 ends the call */
	PLAN_ORIGINATED,	/* our own outgoing call */
};

/* The outcome of the check on a previous circuit that an originated call reports (Q.764 §2.1.8). */
enum sim_cot_plan {
	SIM_PREV_NONE,		/* no check announced in the IAM */
	SIM_PREV_OK,		/* COT "successful" after the delay */
	SIM_PREV_FAIL,		/* COT "failed" after the delay */
	SIM_PREV_NEVER,		/* announced, never sent: the far end's T8 runs out */
};

static const struct value_string sim_cot_plan_names[] = {
	{ SIM_PREV_NONE, "none" },
	{ SIM_PREV_OK, "previous" },
	{ SIM_PREV_FAIL, "previous-fail" },
	{ SIM_PREV_NEVER, "previous-none" },
	{ 0, NULL }
};

/* Options of one originated call (`simulator call NUMBER cic N`, `... continuity ...`). */
struct sim_orig_opts {
	int cic;			/* -1: the trunk group's hunting picks */
	enum sim_cot_plan cot;
	unsigned int cot_delay_ms;
};

struct sim_call {
	struct llist_head list;
	struct sim *sim;
	struct isup_call *call;
	enum sim_call_plan plan;
	uint8_t reject_cause;
	unsigned int ring_ms;		/* PLAN_RING: until the release; PLAN_EARLY_MEDIA: until the ANM */
	bool waiting_cot;	/* IAM asked for continuity: behave once COT arrives */
	bool answered;
	struct sim_chan *chan;	/* the call's bearer, NULL without a span for its circuit */
	struct osmo_timer_list timer;
	char called[40];
	/* originated with "continuity check performed on a previous circuit": the COT it sends later */
	enum sim_cot_plan cot_plan;
	struct osmo_timer_list cot_timer;
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
	/* bearer side */
	struct media_plane *mp;		/* NULL when no span is configured */
	struct llist_head chans;	/* struct sim_chan */
	struct llist_head loop_overrides;	/* struct sim_loop_override */
};

static struct sim *g_vty_sim;	/* the simulator the VTY commands act on (one per process) */
/* the node's re-test callbacks carry no pointer of ours (upper_priv NULL): one simulator per process */
static struct sim *g_sim;

/* ---------------------------------------------------------------- bearer channels */

static struct sim_chan *chan_find(struct sim *s, const char *trunk, uint16_t cic)
{
	struct sim_chan *ch;

	llist_for_each_entry(ch, &s->chans, list)
		if (ch->cic == cic && !strcmp(ch->trunk, trunk))
			return ch;
	return NULL;
}

static struct sim_chan *chan_by_id(struct sim *s, uint32_t id)
{
	struct sim_chan *ch;

	llist_for_each_entry(ch, &s->chans, list)
		if (ch->id == id)
			return ch;
	return NULL;
}

static void chan_free(struct sim_chan *ch)
{
	if (!ch)
		return;
	if (ch->sc && ch->sc->chan == ch)
		ch->sc->chan = NULL;
	media_plane_chan_destroy(ch->sim->mp, ch->id);
	osmo_timer_del(&ch->digit_timer);
	llist_del(&ch->list);
	talloc_free(ch);
}

static void digit_timer_cb(void *data);

/* A channel on the circuit's timeslot; NULL if no span carries it (or the media plane refuses). */
static struct sim_chan *chan_open(struct sim *s, struct sim_call *sc, const char *trunk, uint16_t cic)
{
	struct media_chan_req req = { .trunk = trunk, .cic = cic, .tdm_only = true, .tone_detect = true };
	struct sim_chan *ch;
	unsigned int span, ts;
	int64_t id;

	if (!s->mp || media_plane_cic_lookup(s->mp, trunk, cic, &span, &ts) < 0)
		return NULL;
	/* a channel left on the circuit (a re-test's) gives way: the media thread runs the destroy first */
	chan_free(chan_find(s, trunk, cic));
	media_plane_default_params(s->mp, &req.p);
	/* no RTP: the detector still runs in "info" mode, and nothing goes anywhere out of band */
	req.p.dtmf_mode = MEDIA_DTMF_INFO;
	id = media_plane_chan_create(s->mp, &req);
	if (id < 0) {
		LOGSIM(LOGL_ERROR, "%s CIC %u: no media channel: %s\n", trunk, cic, strerror(-id));
		return NULL;
	}
	ch = talloc_zero(s, struct sim_chan);
	ch->sim = s;
	ch->sc = sc;
	ch->trunk = talloc_strdup(ch, trunk);
	ch->cic = cic;
	ch->id = id;
	ch->digits = talloc_strdup(ch, "");
	ch->tones = talloc_strdup(ch, "");
	ch->cadences = talloc_strdup(ch, "");
	ch->prev_kind = -1;
	osmo_timer_setup(&ch->digit_timer, digit_timer_cb, ch);
	llist_add_tail(&ch->list, &s->chans);
	LOGSIM(LOGL_DEBUG, "%s CIC %u: media channel %u\n", trunk, cic, ch->id);
	return ch;
}

static bool loop_broken(struct sim *s, const char *trunk, uint16_t cic)
{
	struct sim_loop_override *o;

	llist_for_each_entry(o, &s->loop_overrides, list)
		if (o->cic == cic && !strcmp(o->trunk, trunk))
			return o->broken;
	return s->cfg->sim.loop_broken;
}

static void chan_loopback(struct sim_chan *ch, bool on)
{
	ch->loop = on;
	media_plane_chan_loopback(ch->sim->mp, ch->id, on);
}

static void chan_tone(struct sim_chan *ch, enum dtmf_play t)
{
	ch->playing = t;
	media_plane_chan_play(ch->sim->mp, ch->id, t);
}

/* Connect the loop for the far end's continuity check, unless this circuit's loop is broken. */
static void chan_cot_loop(struct sim_chan *ch)
{
	if (loop_broken(ch->sim, ch->trunk, ch->cic)) {
		LOGSIM(LOGL_INFO, "%s CIC %u: continuity check: the loop is broken here\n", ch->trunk, ch->cic);
		return;
	}
	LOGSIM(LOGL_INFO, "%s CIC %u: continuity check: loop connected\n", ch->trunk, ch->cic);
	ch->cot_loop = true;
	chan_loopback(ch, true);
}

static void digit_timer_cb(void *data)
{
	struct sim_chan *ch = data;
	char d = ch->digits_out ? ch->digits_out[0] : '\0';

	if (!d) {
		TALLOC_FREE(ch->digits_out);
		return;
	}
	media_plane_chan_digit(ch->sim->mp, ch->id, d, SIM_DIGIT_MS);
	memmove(ch->digits_out, ch->digits_out + 1, strlen(ch->digits_out));
	osmo_timer_schedule(&ch->digit_timer, 0, 2 * SIM_DIGIT_MS * 1000);
}

static void chan_play_digits(struct sim_chan *ch, const char *digits)
{
	if (ch->digits_out) {
		ch->digits_out = talloc_strdup_append(ch->digits_out, digits);
		return;
	}
	ch->digits_out = talloc_strdup(ch, digits);
	digit_timer_cb(ch);
}

static const char *const tone_kind_names[_NUM_DTMF_TONE] = {
	[DTMF_TONE_DIAL] = "dial", [DTMF_TONE_RINGBACK] = "ringback", [DTMF_TONE_BUSY] = "busy",
	[DTMF_TONE_CONGESTION] = "congestion",
};

static const struct dtmf_tone_plan *trunk_plan(struct sim *s, const char *trunk)
{
	const struct dtmf_tone_plan *plan = NULL;
	const struct media_trunk_cfg *mt;

	llist_for_each_entry(mt, &s->cfg->media.trunks, list)
		if (!strcmp(mt->name, trunk) && mt->tone_plan)
			plan = dtmf_tone_plan_find(mt->tone_plan);
	return plan ? plan : dtmf_tone_plan_find("itu");
}

/* A measured time fits a nominal one within 20 % (at least 60 ms: the detector's block is 20 ms, and a burst's
 * edges each cost up to one). */
static bool ms_fit(uint32_t ms, unsigned int nominal)
{
	unsigned int tol = nominal / 5 > 60 ? nominal / 5 : 60;

	return ms + tol >= nominal && ms <= nominal + tol;
}

/* The plan's tone a burst is (frequencies, and an "on" time of its cadence), -1 if none; continuous tones once
 * they lasted MEDIA_TONE_LONG_MS. */
static int tone_kind(const struct dtmf_tone_plan *plan, const struct media_event *ev)
{
	unsigned int i, k;

	for (i = 0; plan && i < _NUM_DTMF_TONE; i++) {
		const struct dtmf_tone *t = &plan->tones[i];

		if (t->f1_hz != ev->tone_f1 || t->f2_hz != ev->tone_f2)
			continue;
		if (!t->cadence_ms[0]) {
			if (ev->duration_ms >= MEDIA_TONE_LONG_MS)
				return i;
			continue;
		}
		for (k = 0; k < 4; k += 2)
			if (t->cadence_ms[k] && ms_fit(ev->duration_ms, t->cadence_ms[k]))
				return i;
	}
	return -1;
}

/* Whether a burst of on_ms followed by gap_ms of something else is an on/off pair of the tone's cadence. */
static bool cadence_fits(const struct dtmf_tone *t, uint32_t on_ms, int32_t gap_ms)
{
	unsigned int k;

	for (k = 0; gap_ms >= 0 && k < 4; k += 2)
		if (t->cadence_ms[k] && t->cadence_ms[k + 1] && ms_fit(on_ms, t->cadence_ms[k]) &&
		    ms_fit(gap_ms, t->cadence_ms[k + 1]))
			return true;
	return false;
}

/* Name of a tone burst: the continuity tone, SIT (ITU-T Q.35: 950, 1400, 1800 Hz, 330 ms each) or the tone
 * plan's (kind from tone_kind()); NULL if nothing fits. */
static const char *tone_name(const struct media_event *ev, int kind)
{
	if (ev->tone_f1 == DTMF_COT_FREQ && !ev->tone_f2)
		return "cot";
	if ((ev->tone_f1 == 950 || ev->tone_f1 == 1400 || ev->tone_f1 == 1800) && !ev->tone_f2 &&
	    ev->duration_ms >= 270 && ev->duration_ms <= 400)
		return "sit";
	return kind >= 0 ? tone_kind_names[kind] : NULL;
}

/* A burst heard: listed by name, and when it follows a burst of the same tone after the gap the plan's cadence
 * has, the on/off pair is listed as a cadence (ringing tone is told from a stray burst by its rhythm). */
static void chan_tone_heard(struct sim_chan *ch, const struct media_event *ev)
{
	const struct dtmf_tone_plan *plan = trunk_plan(ch->sim, ch->trunk);
	int kind = tone_kind(plan, ev);
	const char *name = tone_name(ev, kind);

	LOGSIM(LOGL_INFO, "%s CIC %u: tone %u%s%.0u Hz for %u ms after %d ms (%s)\n", ch->trunk, ch->cic, ev->tone_f1,
	       ev->tone_f2 ? "+" : "", ev->tone_f2, ev->duration_ms, ev->tone_gap_ms, name ? name : "unknown");
	if (ch->n_tones++ < SIM_TONES_KEPT) {
		ch->tones = talloc_asprintf_append(ch->tones, "%s%s(%u", *ch->tones ? " " : "", name ? name : "tone",
						   ev->tone_f1);
		if (ev->tone_f2)
			ch->tones = talloc_asprintf_append(ch->tones, "+%u", ev->tone_f2);
		ch->tones = talloc_asprintf_append(ch->tones, "Hz/%ums)", ev->duration_ms);
	}
	/* the pair is the previous burst and the gap after it: this burst may be cut short (the tone stopped) */
	if (ch->prev_kind >= 0 && plan->tones[ch->prev_kind].f1_hz == ev->tone_f1 &&
	    plan->tones[ch->prev_kind].f2_hz == ev->tone_f2 &&
	    cadence_fits(&plan->tones[ch->prev_kind], ch->prev_ms, ev->tone_gap_ms) &&
	    ch->n_cadences++ < SIM_TONES_KEPT)
		ch->cadences = talloc_asprintf_append(ch->cadences, "%s%s(%u/%dms)", *ch->cadences ? " " : "",
						      tone_kind_names[ch->prev_kind], ch->prev_ms, ev->tone_gap_ms);
	ch->prev_kind = kind;
	ch->prev_ms = ev->duration_ms;
}

static void chan_cot_result(struct sim_chan *ch, bool ok)
{
	struct sim *s = ch->sim;
	struct isup_call *call = ch->cot_call;
	bool retest = ch->cot_retest;

	if (!call)
		return;
	ch->cot_call = NULL;
	s->counters[ok ? SIM_COT_OK : SIM_COT_FAILED]++;
	if (ok)
		ch->cot_ok++;
	else
		ch->cot_failed++;
	LOGSIM(ok ? LOGL_INFO : LOGL_NOTICE, "%s CIC %u: continuity test %s%s\n", ch->trunk, ch->cic,
	       ok ? "successful" : "failed", retest ? " (re-test)" : "");
	if (retest) {
		/* the internal call is the node's: it may have gone with a reset.  The node's answer (REL, or COT
		 * failed) calls no op that touches this channel. */
		isup_node_retest_result(s->node, ch->trunk, ch->cic, ok);
		chan_free(ch);
		return;
	}
	/* may move the call to another circuit (cic_changed frees ch) */
	isup_call_cot_result(call, ok);
}

static void media_event(void *priv, const struct media_event *ev)
{
	struct sim *s = priv;
	struct sim_chan *ch = chan_by_id(s, ev->chan_id);

	if (!ch)
		return;
	switch (ev->type) {
	case MEDIA_EV_DTMF:
		s->counters[SIM_DIGITS_RX]++;
		ch->digits = talloc_asprintf_append(ch->digits, "%c", ev->digit);
		LOGSIM(LOGL_INFO, "%s CIC %u: digit %c (%u ms)\n", ch->trunk, ch->cic, ev->digit, ev->duration_ms);
		break;
	case MEDIA_EV_TONE:
		s->counters[SIM_TONES_RX]++;
		chan_tone_heard(ch, ev);
		break;
	case MEDIA_EV_FAX_TONE:
		if (ch->n_tones++ < SIM_TONES_KEPT)
			ch->tones = talloc_asprintf_append(ch->tones, "%s%s", *ch->tones ? " " : "",
							   ev->fax_tone == MEDIA_FAX_TONE_CNG ? "fax-cng" : "fax-ced");
		break;
	case MEDIA_EV_COT_RESULT:
		chan_cot_result(ch, ev->cot_ok);
		break;
	case MEDIA_EV_CHAN_FAILED:
		LOGSIM(LOGL_ERROR, "%s CIC %u: media channel failed (%d)\n", ch->trunk, ch->cic, ev->rc);
		break;
	default:
		break;
	}
}

static const struct media_plane_ops sim_media_ops = {
	.event = media_event,
};

/* The call's bearer on circuit cic (moved there if it was elsewhere). */
static struct sim_chan *call_bearer(struct sim_call *sc, const char *trunk, uint16_t cic)
{
	if (sc->chan && sc->chan->cic == cic && !strcmp(sc->chan->trunk, trunk))
		return sc->chan;
	chan_free(sc->chan);
	sc->chan = chan_open(sc->sim, sc, trunk, cic);
	return sc->chan;
}

static void timer_in_ms(struct osmo_timer_list *t, unsigned int ms)
{
	osmo_timer_schedule(t, ms / 1000, (ms % 1000) * 1000);
}

static void call_timer_cb(void *data);
static void run_on_answer(struct sim_call *sc);
static void orig_backward(struct sim_call *sc, const struct isup_msg *msg);

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
	chan_free(sc->chan);
	osmo_timer_del(&sc->timer);
	osmo_timer_del(&sc->cot_timer);
	llist_del(&sc->list);
	talloc_free(sc);
}

/* ACM "subscriber free"; with inband, the optional backward call indicators say in-band information (its own
 * ringing tone, an announcement) is available, which the far end maps to early media (TS 29.163 §7.2.3.1.4). */
static void send_acm(struct sim_call *sc, bool inband)
{
	struct isup_bci bci = {
		.charge = 2,		/* charge */
		.called_status = 1,	/* subscriber free */
		.called_category = 1,	/* ordinary subscriber */
		.isup_all_the_way = true,
	};
	struct isup_msg m;

	isup_build_acm(&m, 0, &bci);
	if (inband) {
		m.obci = (struct isup_obci){ .inband = true };
		isup_msg_set(&m, ISUP_P_OBCI);
	}
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
		send_acm(sc, false);
		timer_in_ms(&sc->timer, sc->ring_ms);
		return;
	case PLAN_ANSWER:
		send_acm(sc, false);
		timer_in_ms(&sc->timer, c->answer_delay_ms);
		return;
	case PLAN_EARLY_MEDIA:
		send_acm(sc, true);
		timer_in_ms(&sc->timer, sc->ring_ms);
		return;
	case PLAN_SILENT:
		LOGSIM(LOGL_INFO, "CIC %u to %s: no ACM will follow\n", isup_call_cic(sc->call), sc->called);
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
	case PLAN_EARLY_MEDIA:
		if (!sc->answered) {
			isup_build_anm(&m, 0);
			if (isup_call_send(sc->call, &m) < 0) {
				isup_call_release(sc->call, 41);
				return;
			}
			sc->answered = true;
			sc->sim->counters[SIM_IN_ANSWERED]++;
			LOGSIM(LOGL_INFO, "CIC %u to %s: answered\n", isup_call_cic(sc->call), sc->called);
			run_on_answer(sc);
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
	case PLAN_SILENT:
		return;
	}
}

/* Three decimal digits after a test number's prefix (990CCC, 991SSS, 992SSS), or -1. */
static int test_number_arg(const char *digits, const char *prefix)
{
	if (strlen(digits) < 6 || strncmp(digits, prefix, 3) || strspn(digits + 3, "0123456789") < 3)
		return -1;
	return (digits[3] - '0') * 100 + (digits[4] - '0') * 10 + (digits[5] - '0');
}

/* Parse the test numbers: 990CCC reject, 991SSS ring, 992SSS early media, 993... silent. */
static enum sim_call_plan plan_for(const char *digits, uint8_t *cause, unsigned int *ring_ms)
{
	int arg;

	arg = test_number_arg(digits, "990");
	if (arg >= 1 && arg <= 127) {
		*cause = arg;
		return PLAN_REJECT;
	}
	arg = test_number_arg(digits, "991");
	if (arg >= 0) {
		*ring_ms = arg * 1000;
		return PLAN_RING;
	}
	arg = test_number_arg(digits, "992");
	if (arg >= 0) {
		*ring_ms = arg * 1000;
		return PLAN_EARLY_MEDIA;
	}
	if (strlen(digits) >= 3 && !strncmp(digits, "993", 3))
		return PLAN_SILENT;
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
	call_bearer(sc, isup_call_trunk(call), isup_call_cic(call));
	/* Q.764 §2.1.8: with a continuity check pending no ACM may go back before the COT; "required on this
	 * circuit" asks for the loop, "on a previous circuit" has nothing to connect here */
	if (isup_msg_has(iam, ISUP_P_NCI) && iam->nci.continuity != 0) {
		s->counters[SIM_IN_CONTINUITY]++;
		sc->waiting_cot = true;
		if (iam->nci.continuity == 1 && sc->chan)
			chan_cot_loop(sc->chan);
	} else {
		run_plan(sc);
	}
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
		if (sc->chan && sc->chan->cot_loop) {
			sc->chan->cot_loop = false;
			chan_loopback(sc->chan, false);
		}
		if (sc->waiting_cot && msg->continuity_ok) {
			sc->waiting_cot = false;
			run_plan(sc);
		}
		break;
	case ISUP_ACM:
	case ISUP_CPG:
		if (sc->plan == PLAN_ORIGINATED) {
			sc->sim->counters[SIM_OUT_ALERTED]++;
			orig_backward(sc, msg);
		}
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

/* Our continuity test: the 2000 Hz tone through the media plane, on the call's bearer or, for the node's
 * re-test after a failure (upper_priv NULL), on a channel of its own. */
static void cot_test(struct isup_call *call, const char *trunk, uint16_t cic, void *upper_priv)
{
	struct sim_call *sc = upper_priv;
	struct sim *s = sc ? sc->sim : g_sim;
	struct sim_chan *ch;

	if (sc) {
		sc->call = call;	/* the test starts inside isup_call_setup() */
		ch = call_bearer(sc, trunk, cic);
	} else {
		ch = chan_open(s, NULL, trunk, cic);
	}
	if (!ch) {
		/* no transceiver on this circuit: the bearer is taken as good, as the node does without one */
		LOGSIM(LOGL_NOTICE, "%s CIC %u: no bearer for the continuity test: taken as successful\n", trunk, cic);
		isup_call_cot_result(call, true);
		return;
	}
	LOGSIM(LOGL_INFO, "%s CIC %u: continuity test%s: 2000 Hz out\n", trunk, cic, sc ? "" : " (re-test, CCR)");
	ch->cot_call = call;
	ch->cot_retest = !sc;
	media_plane_chan_cot(s->mp, ch->id, isup_cot_tone_timeout_ms());
}

static void cic_changed(struct isup_call *call, uint16_t cic, void *upper_priv)
{
	struct sim_call *sc = upper_priv;

	if (!sc)
		return;
	LOGSIM(LOGL_INFO, "call to %s moved to CIC %u\n", sc->called, cic);
	call_bearer(sc, isup_call_trunk(call), cic);
}

/* The far end re-tests a circuit after its check failed (CCR): loop it while the re-test lasts. */
static void cot_loop(struct isup_node *node, const char *trunk, uint16_t cic, bool on, void *priv)
{
	struct sim *s = priv;
	struct sim_chan *ch = chan_find(s, trunk, cic);

	if (!on) {
		if (ch && !ch->sc)
			chan_free(ch);
		return;
	}
	LOGSIM(LOGL_INFO, "%s CIC %u: CCR: the far end re-tests continuity\n", trunk, cic);
	if (!ch)
		ch = chan_open(s, NULL, trunk, cic);
	if (ch)
		chan_cot_loop(ch);
}

static const struct isup_node_ops sim_ops = {
	.incoming_call = incoming_call,
	.call_event = call_event,
	.call_released = call_released,
	.cic_changed = cic_changed,
	.cot_test = cot_test,
	.cot_loop = cot_loop,
	.assoc_state = assoc_state,
};

/* ---------------------------------------------------------------- originated calls with options */

/* The trunk group that has the circuit, NULL if none. */
static const char *cic_trunk(struct sim *s, uint16_t cic)
{
	const struct isup_trunk_cfg *t;
	struct isup_cic_info info;

	llist_for_each_entry(t, &s->cfg->isup.trunks, list)
		if (isup_node_cic_get(s->node, t->name, cic, &info) == 0)
			return t->name;
	return NULL;
}

static void orig_cot_cb(void *data)
{
	struct sim_call *sc = data;
	struct isup_msg m;

	isup_msg_init(&m, ISUP_COT, 0);
	m.continuity_ok = sc->cot_plan == SIM_PREV_OK;
	isup_msg_set(&m, ISUP_P_CONTINUITY_IND);
	if (isup_call_send(sc->call, &m) < 0) {
		LOGSIM(LOGL_ERROR, "CIC %u: cannot send COT\n", isup_call_cic(sc->call));
		return;
	}
	LOGSIM(LOGL_INFO, "CIC %u: COT sent (check on a previous circuit %s)\n", isup_call_cic(sc->call),
	       m.continuity_ok ? "successful" : "failed");
	sc->cot_plan = SIM_PREV_NONE;
}

/* The IAM announced a check on a previous circuit: its outcome goes out after the delay (or never). */
static void orig_cot_arm(struct sim_call *sc, const struct sim_orig_opts *o)
{
	sc->cot_plan = o->cot;
	osmo_timer_setup(&sc->cot_timer, orig_cot_cb, sc);
	if (o->cot != SIM_PREV_NEVER)
		timer_in_ms(&sc->cot_timer, o->cot_delay_ms);
}

/* Q.764 §2.1.8: with the check outstanding the far end must not alert; a backward message before our COT is
 * logged as the violation it is (the scenario tests look for it). */
static void orig_backward(struct sim_call *sc, const struct isup_msg *msg)
{
	if (sc->cot_plan != SIM_PREV_NONE)
		LOGSIM(LOGL_NOTICE, "CIC %u: %s before the COT (continuity %s): not allowed\n",
		       isup_call_cic(sc->call), isup_msg_name(msg->type),
		       get_value_string(sim_cot_plan_names, sc->cot_plan));
	else
		LOGSIM(LOGL_INFO, "CIC %u: %s received\n", isup_call_cic(sc->call), isup_msg_name(msg->type));
}

static const char *orig_trunk(struct sim *s)
{
	const struct isup_trunk_cfg *t;

	if (s->cfg->sim.trunk)
		return s->cfg->sim.trunk;
	t = llist_first_entry_or_null(&s->cfg->isup.trunks, struct isup_trunk_cfg, list);
	return t ? t->name : NULL;
}

static int originate_call(struct sim *s, const char *number, const struct sim_orig_opts *o)
{
	struct isup_iam_args a = {
		.called = number,
		.called_nai = 4,	/* international: mgcfd turns it into +digits */
		.calling = s->cfg->sim.calling,
		.calling_nai = 4,
	};
	struct sim_call *sc;
	struct isup_call *call;
	struct isup_msg iam;
	const char *trunk = o && o->cic >= 0 ? cic_trunk(s, o->cic) : orig_trunk(s);
	int rc;

	if (!trunk || isup_build_iam(&iam, 0, &a) < 0) {
		s->counters[SIM_OUT_SETUP_FAILED]++;
		return -EINVAL;
	}
	if (s->cfg->sim.continuity)
		iam.nci.continuity = 1;	/* Q.763 §3.35: continuity check required on this circuit */
	if (o && o->cot != SIM_PREV_NONE)
		iam.nci.continuity = 2;	/* Q.763 §3.35: continuity check performed on a previous circuit */
	sc = sim_call_alloc(s, NULL, PLAN_ORIGINATED);
	osmo_strlcpy(sc->called, number, sizeof(sc->called));
	if (o && o->cic >= 0)
		rc = isup_call_setup_cic(s->node, trunk, o->cic, &iam, sc, &call);
	else
		rc = isup_call_setup(s->node, trunk, &iam, sc, &call);
	if (rc < 0) {
		sim_call_free(sc);
		if (rc == -ENETDOWN)
			return rc;
		LOGSIM(LOGL_NOTICE, "call to %s not set up: %s\n", number, strerror(-rc));
		s->counters[SIM_OUT_SETUP_FAILED]++;
		return rc;
	}
	sc->call = call;
	call_bearer(sc, trunk, isup_call_cic(call));
	s->counters[SIM_OUT]++;
	LOGSIM(LOGL_INFO, "CIC %u: IAM sent to %s\n", isup_call_cic(call), number);
	if (o && o->cot != SIM_PREV_NONE)
		orig_cot_arm(sc, o);
	return 0;
}

static int originate_one(struct sim *s)
{
	return originate_call(s, s->orig_number, NULL);
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

	struct sim_chan *ch, *ctmp;
	struct sim_loop_override *o, *otmp;

	osmo_timer_del(&s->orig_timer);
	/* the node releases its calls towards us while it is freed */
	isup_node_free(s->node);
	llist_for_each_entry_safe(sc, tmp, &s->calls, list)
		sim_call_free(sc);
	llist_for_each_entry_safe(ch, ctmp, &s->chans, list)
		chan_free(ch);
	llist_for_each_entry_safe(o, otmp, &s->loop_overrides, list)
		talloc_free(o);
	if (s->mp) {
		media_plane_stop(s->mp);
		talloc_free(s->mp);
	}
	if (g_vty_sim == s)
		g_vty_sim = NULL;
	if (g_sim == s)
		g_sim = NULL;
	return 0;
}

struct sim *sim_alloc(void *ctx, const struct mgcfd_config *cfg)
{
	struct sim *s = talloc_zero(ctx, struct sim);
	struct isup_node_opts opts;

	s->ctx = s;
	s->cfg = cfg;
	INIT_LLIST_HEAD(&s->calls);
	INIT_LLIST_HEAD(&s->chans);
	INIT_LLIST_HEAD(&s->loop_overrides);
	osmo_timer_setup(&s->orig_timer, orig_timer_cb, s);
	if (!llist_empty(&cfg->media.spans)) {
		s->mp = media_plane_alloc(s, &cfg->media, &sim_media_ops, s);
		if (!s->mp) {
			talloc_free(s);
			return NULL;
		}
	}
	isup_node_opts_default(&opts);
	s->node = isup_node_alloc(s, &cfg->isup, &opts, &sim_ops, s, NULL);
	if (!s->node) {
		talloc_free(s);
		return NULL;
	}
	talloc_set_destructor(s, sim_destructor);
	g_sim = s;
	return s;
}

struct isup_node *sim_node(struct sim *s)
{
	return s->node;
}

int sim_start(struct sim *s)
{
	int rc;

	if (s->mp) {
		rc = media_plane_start(s->mp);
		if (rc < 0) {
			LOGSIM(LOGL_ERROR, "cannot start the media plane: %s\n", strerror(-rc));
			return rc;
		}
	}
	rc = isup_node_start(s->node);
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

/* channels alive in the media threads (they follow our destroy commands within a tick) */
static long media_channels(struct sim *s)
{
	struct media_plane_stats st;

	if (!s->mp)
		return 0;
	media_plane_stats(s->mp, &st);
	return st.channels;
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
	if (!strcmp(key, "channels"))
		return llist_count(&s->chans);
	if (!strcmp(key, "media_channels"))
		return media_channels(s);
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
	line = talloc_asprintf_append(line, " active=%u channels=%u media_channels=%ld", llist_count(&s->calls),
				      llist_count(&s->chans), media_channels(s));
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

/* One call with options, now (the association must be active). */
static int vty_originate(struct vty *vty, const char *number, const struct sim_orig_opts *o)
{
	int rc;

	if (!g_vty_sim)
		return CMD_WARNING;
	if (strspn(number, "0123456789*#") != strlen(number)) {
		vty_out(vty, "%% the number must be digits%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	rc = originate_call(g_vty_sim, number, o);
	if (rc < 0) {
		vty_out(vty, "%% no call: %s%s", strerror(-rc), VTY_NEWLINE);
		return CMD_WARNING;
	}
	return CMD_SUCCESS;
}

DEFUN(sim_call_cic, sim_call_cic_cmd, "simulator call NUMBER cic <0-65535>",
      "Simulated exchange\n" "Originate calls\n" "Called number (digits)\n"
      "On one circuit, without hunting (dual seizure tests)\n" "CIC\n")
{
	struct sim_orig_opts o = { .cic = atoi(argv[1]) };

	return vty_originate(vty, argv[0], &o);
}

DEFUN(sim_call_cot, sim_call_cot_cmd, "simulator call NUMBER continuity (previous|previous-fail|previous-none) "
      "[<0-60000>]",
      "Simulated exchange\n" "Originate calls\n" "Called number (digits)\n"
      "IAM with continuity check performed on a previous circuit (Q.763 §3.35)\n"
      "Then COT successful\n" "Then COT failed\n" "Never a COT\n" "Delay before the COT in ms (default 1000)\n")
{
	struct sim_orig_opts o = {
		.cic = -1,
		.cot = get_string_value(sim_cot_plan_names, argv[1]),
		.cot_delay_ms = argc > 2 ? atoi(argv[2]) : 1000,
	};

	return vty_originate(vty, argv[0], &o);
}

DEFUN(sim_assoc_hold, sim_assoc_hold_cmd, "simulator association NAME hold-rx <1-60000>",
      "Simulated exchange\n" "M3UA association\n" "Association name\n"
      "Read nothing for a while (what arrives is buffered, not dropped): messages cross on the wire\n"
      "Milliseconds\n")
{
	struct m3ua_assoc *a = g_vty_sim ? isup_node_m3ua(g_vty_sim->node, argv[0]) : NULL;

	if (!a) {
		vty_out(vty, "%% no association '%s'%s", argv[0], VTY_NEWLINE);
		return CMD_WARNING;
	}
	m3ua_assoc_hold_rx(a, atoi(argv[1]));
	return CMD_SUCCESS;
}

#define CIC_STR "Simulated exchange\n" "A circuit's bearer channel\n" "Trunk group\n" "CIC\n"

static struct sim_chan *vty_chan(struct vty *vty, const char *trunk, const char *cic)
{
	struct sim_chan *ch = g_vty_sim ? chan_find(g_vty_sim, trunk, atoi(cic)) : NULL;

	if (!ch)
		vty_out(vty, "%% no channel on %s CIC %s (no call, or no span carries it)%s", trunk, cic, VTY_NEWLINE);
	return ch;
}

DEFUN(show_sim_cic, show_sim_cic_cmd, "show simulator cic TRUNK <0-65535>",
      SHOW_STR "What the simulated exchange did\n" "A circuit's bearer channel\n" "Trunk group\n" "CIC\n")
{
	struct sim_chan *ch = vty_chan(vty, argv[0], argv[1]);

	if (!ch)
		return CMD_WARNING;
	vty_out(vty, "%s CIC %u: channel %u, %s%s%s", ch->trunk, ch->cic, ch->id,
		ch->sc ? (isup_call_outgoing(ch->sc->call) ? "outgoing call" : "incoming call") : "continuity re-test",
		ch->loop ? ", looped back" : "", VTY_NEWLINE);
	vty_out(vty, "playing: %s%s%s", get_value_string(dtmf_play_names, ch->playing),
		ch->digits_out ? ", digits still to play: " : "", ch->digits_out ? ch->digits_out : "");
	vty_out(vty, "%s", VTY_NEWLINE);
	vty_out(vty, "digits: %s%s", ch->digits, VTY_NEWLINE);
	vty_out(vty, "tones: %s", ch->tones);
	if (ch->n_tones > SIM_TONES_KEPT)
		vty_out(vty, " (and %u more)", ch->n_tones - SIM_TONES_KEPT);
	vty_out(vty, "%s", VTY_NEWLINE);
	vty_out(vty, "cadences: %s", ch->cadences);
	if (ch->n_cadences > SIM_TONES_KEPT)
		vty_out(vty, " (and %u more)", ch->n_cadences - SIM_TONES_KEPT);
	vty_out(vty, "%s", VTY_NEWLINE);
	vty_out(vty, "continuity tests: %u successful, %u failed%s", ch->cot_ok, ch->cot_failed, VTY_NEWLINE);
	return CMD_SUCCESS;
}

DEFUN(sim_cic_digits, sim_cic_digits_cmd, "simulator cic TRUNK <0-65535> play-digits DIGITS",
      CIC_STR "Play DTMF digits in-band toward the far end (80 ms on, 80 ms off)\n" "Digits 0-9 * # A-D\n")
{
	struct sim_chan *ch = vty_chan(vty, argv[0], argv[1]);

	if (!ch)
		return CMD_WARNING;
	if (strspn(argv[2], "0123456789*#ABCD") != strlen(argv[2])) {
		vty_out(vty, "%% digits are 0-9 * # A-D%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	chan_play_digits(ch, argv[2]);
	return CMD_SUCCESS;
}

DEFUN(sim_cic_tone, sim_cic_tone_cmd,
      "simulator cic TRUNK <0-65535> play-tone (dial|ringback|busy|congestion|sit|cot|none)",
      CIC_STR "Play a tone (of the trunk group's tone plan) toward the far end until another one or none\n"
      "Dial tone\n" "Ringing tone\n" "Busy tone\n" "Congestion tone\n" "Special information tone\n"
      "2000 Hz continuity check tone\n" "Stop\n")
{
	struct sim_chan *ch = vty_chan(vty, argv[0], argv[1]);
	int t = get_string_value(dtmf_play_names, argv[2]);

	if (!ch || t < 0)
		return CMD_WARNING;
	chan_tone(ch, t);
	return CMD_SUCCESS;
}

DEFUN(sim_cic_loop, sim_cic_loop_cmd, "simulator cic TRUNK <0-65535> loopback (on|off)",
      CIC_STR "Loop the timeslot back toward the far end\n" "Loop\n" "Do not loop\n")
{
	struct sim_chan *ch = vty_chan(vty, argv[0], argv[1]);

	if (!ch)
		return CMD_WARNING;
	chan_loopback(ch, !strcmp(argv[2], "on"));
	return CMD_SUCCESS;
}

DEFUN(sim_cic_release, sim_cic_release_cmd, "simulator cic TRUNK <0-65535> release [<1-127>]",
      CIC_STR "Release the call on this circuit\n" "Q.850 cause (default 16)\n")
{
	struct sim_chan *ch = vty_chan(vty, argv[0], argv[1]);

	if (!ch || !ch->sc || !ch->sc->call) {
		if (ch)
			vty_out(vty, "%% no call on this circuit%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	isup_call_release(ch->sc->call, argc > 2 ? atoi(argv[2]) : CAUSE_NORMAL_CLEARING);
	return CMD_SUCCESS;
}

static bool is_wav_name(const char *path)
{
	size_t n = strlen(path);

	return n >= 4 && !strcasecmp(path + n - 4, ".wav");
}

static uint32_t le32(const uint8_t *b)
{
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Position f at the samples of a RIFF/WAVE file of 16-bit mono 8 kHz PCM; a file that is not RIFF is raw
 * samples from its start.  \returns 0, or -EINVAL with *why for a WAVE file in another format. */
static int wav_seek_data(FILE *f, const char **why)
{
	uint8_t h[12], ck[8], fmt[16];
	bool have_fmt = false;

	if (fread(h, 1, 12, f) != 12 || memcmp(h, "RIFF", 4) || memcmp(h + 8, "WAVE", 4)) {
		rewind(f);
		return 0;
	}
	while (fread(ck, 1, 8, f) == 8) {
		uint32_t len = le32(ck + 4);

		if (!memcmp(ck, "fmt ", 4) && len >= 16) {
			if (fread(fmt, 1, 16, f) != 16)
				break;
			/* format 1 (PCM), 1 channel, 8000 Hz, 16 bits */
			if (fmt[0] != 1 || fmt[1] || fmt[2] != 1 || fmt[3] || le32(fmt + 4) != 8000 || fmt[14] != 16) {
				*why = "not 16-bit mono 8 kHz PCM";
				return -EINVAL;
			}
			have_fmt = true;
			len -= 16;
		} else if (!memcmp(ck, "data", 4)) {
			if (!have_fmt)
				break;
			return 0;
		}
		if (fseek(f, len + (len & 1), SEEK_CUR) < 0)
			break;
	}
	*why = "no fmt and data chunks";
	return -EINVAL;
}

/* Record the channel's TDM input into path (WAV if it ends in .wav).  \returns 0 or -errno. */
static int chan_record(struct sim_chan *ch, const char *path)
{
	static const uint8_t wav_hdr[44] = {
		'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E',
		'f', 'm', 't', ' ', 16, 0, 0, 0, 1, 0, 1, 0,		/* PCM, mono */
		0x40, 0x1f, 0, 0, 0x80, 0x3e, 0, 0, 2, 0, 16, 0,	/* 8000 Hz, 16000 octets/s, 16 bits */
		'd', 'a', 't', 'a', 0, 0, 0, 0,				/* sizes: when the recording ends */
	};
	bool wav = is_wav_name(path);
	FILE *f = fopen(path, "wb");
	int rc;

	if (!f || (wav && fwrite(wav_hdr, 1, sizeof(wav_hdr), f) != sizeof(wav_hdr))) {
		rc = -errno;
		LOGSIM(LOGL_ERROR, "%s CIC %u: cannot write %s: %s\n", ch->trunk, ch->cic, path, strerror(errno));
		if (f)
			fclose(f);
		return rc;
	}
	LOGSIM(LOGL_INFO, "%s CIC %u: recording into %s\n", ch->trunk, ch->cic, path);
	return media_plane_chan_record(ch->sim->mp, ch->id, f, wav);
}

/* Play path toward the far end.  \returns 0 or -errno. */
static int chan_play(struct sim_chan *ch, const char *path)
{
	const char *why = NULL;
	FILE *f = fopen(path, "rb");
	int rc;

	if (!f) {
		rc = -errno;
		LOGSIM(LOGL_ERROR, "%s CIC %u: cannot read %s: %s\n", ch->trunk, ch->cic, path, strerror(errno));
		return rc;
	}
	if (wav_seek_data(f, &why) < 0) {
		LOGSIM(LOGL_ERROR, "%s CIC %u: %s: %s\n", ch->trunk, ch->cic, path, why);
		fclose(f);
		return -EINVAL;
	}
	LOGSIM(LOGL_INFO, "%s CIC %u: playing %s\n", ch->trunk, ch->cic, path);
	return media_plane_chan_play_file(ch->sim->mp, ch->id, f);
}

/* The configuration's on-answer actions (checked when it was loaded), on the bearer of a call just answered.
 * "%c" in a file name stands for the CIC. */
static void run_on_answer(struct sim_call *sc)
{
	const struct mgcfd_sim_cfg *c = &sc->sim->cfg->sim;
	struct sim_chan *ch = sc->chan;
	unsigned int i;

	for (i = 0; ch && i < c->num_on_answer; i++) {
		const char *item = c->on_answer[i], *arg = strchr(item, ' ') + 1;
		char *path = talloc_strdup(ch, ""), cic[8];
		const char *p;

		snprintf(cic, sizeof(cic), "%u", ch->cic);
		for (p = arg; *p; p++) {
			if (p[0] == '%' && p[1] == 'c') {
				path = talloc_strdup_append(path, cic);
				p++;
			} else {
				path = talloc_strndup_append(path, p, 1);
			}
		}
		if (!strncmp(item, "play-digits ", 12))
			chan_play_digits(ch, arg);
		else if (!strncmp(item, "play-tone ", 10))
			chan_tone(ch, get_string_value(dtmf_play_names, arg));
		else if (!strncmp(item, "loopback ", 9))
			chan_loopback(ch, !strcmp(arg, "on"));
		else if (!strncmp(item, "record ", 7))
			chan_record(ch, path);
		else if (!strncmp(item, "play ", 5))
			chan_play(ch, path);
		talloc_free(path);
	}
}

DEFUN(sim_cic_record, sim_cic_record_cmd, "simulator cic TRUNK <0-65535> record FILE",
      CIC_STR "Record what the far end sends (until stop-recording or the call's end)\n"
      "File: 16-bit linear 8 kHz, WAV if it ends in .wav, else raw host-order samples\n")
{
	struct sim_chan *ch = vty_chan(vty, argv[0], argv[1]);
	int rc;

	if (!ch)
		return CMD_WARNING;
	rc = chan_record(ch, argv[2]);
	if (rc < 0) {
		vty_out(vty, "%% cannot record into %s: %s%s", argv[2], strerror(-rc), VTY_NEWLINE);
		return CMD_WARNING;
	}
	return CMD_SUCCESS;
}

DEFUN(sim_cic_play, sim_cic_play_cmd, "simulator cic TRUNK <0-65535> play FILE",
      CIC_STR "Play a file toward the far end (until its end or stop-playing)\n"
      "File: WAV (16-bit mono 8 kHz PCM), or raw 16-bit linear 8 kHz host-order samples\n")
{
	struct sim_chan *ch = vty_chan(vty, argv[0], argv[1]);
	int rc;

	if (!ch)
		return CMD_WARNING;
	rc = chan_play(ch, argv[2]);
	if (rc < 0) {
		vty_out(vty, "%% cannot play %s: %s%s", argv[2], strerror(-rc), VTY_NEWLINE);
		return CMD_WARNING;
	}
	return CMD_SUCCESS;
}

DEFUN(sim_cic_stop_rec, sim_cic_stop_rec_cmd, "simulator cic TRUNK <0-65535> (stop-recording|stop-playing)",
      CIC_STR "End the recording (the file is complete)\n" "Stop playing the file\n")
{
	struct sim_chan *ch = vty_chan(vty, argv[0], argv[1]);

	if (!ch)
		return CMD_WARNING;
	if (!strcmp(argv[2], "stop-recording"))
		media_plane_chan_record(ch->sim->mp, ch->id, NULL, false);
	else
		media_plane_chan_play_file(ch->sim->mp, ch->id, NULL);
	return CMD_SUCCESS;
}

DEFUN(sim_cic_cot_loop, sim_cic_cot_loop_cmd, "simulator cic TRUNK <0-65535> continuity-loop (broken|working)",
      CIC_STR "The loop this circuit offers to the far end's continuity checks (from the next check on)\n"
      "No loop: the far end's checks fail\n" "Loop connected for each check\n")
{
	struct sim_loop_override *o;
	uint16_t cic = atoi(argv[1]);

	if (!g_vty_sim)
		return CMD_WARNING;
	llist_for_each_entry(o, &g_vty_sim->loop_overrides, list)
		if (o->cic == cic && !strcmp(o->trunk, argv[0]))
			break;
	if (&o->list == &g_vty_sim->loop_overrides) {
		o = talloc_zero(g_vty_sim, struct sim_loop_override);
		o->trunk = talloc_strdup(o, argv[0]);
		o->cic = cic;
		llist_add_tail(&o->list, &g_vty_sim->loop_overrides);
	}
	o->broken = !strcmp(argv[2], "broken");
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
	install_element(ENABLE_NODE, &sim_call_cic_cmd);
	install_element(ENABLE_NODE, &sim_call_cot_cmd);
	install_element(ENABLE_NODE, &sim_assoc_hold_cmd);
	install_element_ve(&show_sim_cic_cmd);
	install_element(ENABLE_NODE, &sim_cic_digits_cmd);
	install_element(ENABLE_NODE, &sim_cic_tone_cmd);
	install_element(ENABLE_NODE, &sim_cic_loop_cmd);
	install_element(ENABLE_NODE, &sim_cic_release_cmd);
	install_element(ENABLE_NODE, &sim_cic_cot_loop_cmd);
	install_element(ENABLE_NODE, &sim_cic_record_cmd);
	install_element(ENABLE_NODE, &sim_cic_play_cmd);
	install_element(ENABLE_NODE, &sim_cic_stop_rec_cmd);
}
