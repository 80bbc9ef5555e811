/* ISUP call control (Q.764 §2.1-2.7): the isup_call FSM, one per call on a circuit, both directions, plus the
 * internal continuity re-test "calls" (CCR, standards.md §3.5) that hold a circuit after a failed check.
 *
 *  outgoing:  OUT_WAIT_ACM (T7) --ACM--> OUT_WAIT_ANM (T9) --ANM--> ANSWERED <--RES-- SUSPENDED (T6/T2)
 *                 |  \--CON/ANM------------------------------------^     \--SUS--^
 *  incoming:  IN_WAIT_COT (T8) --COT ok--> IN_PROCEEDING --ACM sent--> IN_ALERTING --ANM sent--> ANSWERED
 *                 \--COT failed--> IN_COT_FAILED (T27) --CCR--> IN_RETEST (T36)
 *  re-test:   RETEST_WAIT (T25, then T26) --CCR sent--> RETEST_TESTING (T24) --ok--> RELEASING
 *  any state --REL sent--> RELEASING (T1 repeats REL, T5 resets the circuit) --RLC--> gone
 *  any state --REL received--> RLC sent, gone
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/tdef.h>
#include <osmocom/core/utils.h>
#include <mgcf/dec.h>
#include <mgcf/log.h>

#include "isup/isup_node_int.h"

/* Q.850 causes used by call control */
#define CAUSE_NO_ANSWER			19
#define CAUSE_NORMAL_UNSPECIFIED	31
#define CAUSE_NO_CIRCUIT		34
#define CAUSE_TEMPORARY_FAILURE		41
#define CAUSE_TIMER_EXPIRY		102

/* Location of the causes we generate (Q.850 §2.2.5): public network serving the local user */
#define CALL_CAUSE_LOCATION		1

/* Re-attempts of one outgoing call (dual seizure, continuity failure, UCIC) before giving up */
#define CALL_MAX_ATTEMPTS		3

static struct osmo_fsm_inst *call_named(struct isup_call *call);

/* call_named(): a call's instance gets its id only when something logs about it (see isup_call_alloc()) */
#define LOG_CALL(call, lvl, fmt, args...) LOGPFSML_NAMED(DISUP, call_named(call), lvl, fmt, ##args)

static const struct value_string call_event_names[] = {
	{ ISUP_CALL_EV_RX, "RX" },
	{ ISUP_CALL_EV_RELEASE, "RELEASE" },
	{ ISUP_CALL_EV_COT_RESULT, "COT_RESULT" },
	{ 0, NULL }
};

/* Per-state timers (Q.764 Annex A).  SUSPENDED (T6/T2), RETEST_WAIT (T25/T26) and OUT_WAIT_ANM (T9 optional)
 * choose their timer at run time. */
static const struct osmo_tdef_state_timeout call_timeouts[32] = {
	[ISUP_CALL_ST_OUT_WAIT_ACM] = { .T = 7 },
	[ISUP_CALL_ST_IN_WAIT_COT] = { .T = 8 },
	[ISUP_CALL_ST_IN_COT_FAILED] = { .T = 27 },
	[ISUP_CALL_ST_IN_RETEST] = { .T = 36 },
	[ISUP_CALL_ST_RETEST_TESTING] = { .T = 24 },
	[ISUP_CALL_ST_RELEASING] = { .T = 1 },
};

static void call_state_chg(struct isup_call *call, uint32_t st)
{
	osmo_tdef_fsm_inst_state_chg(call->fi, st, call_timeouts, call->node->tdefs, 0);
}

static void call_state_chg_T(struct isup_call *call, uint32_t st, int T)
{
	unsigned long s = T ? osmo_tdef_get(call->node->tdefs, T, OSMO_TDEF_S, -1) : 0;

	osmo_fsm_inst_state_chg(call->fi, st, s, T);
}

static void call_report_event(struct isup_call *call, const struct isup_msg *m)
{
	if (call->up_released || !call->node->ops->call_event)
		return;
	call->node->ops->call_event(call, m, call->upper_priv);
}

static void call_report_released(struct isup_call *call, uint8_t cause, bool by_remote)
{
	if (call->up_released)
		return;
	call->up_released = true;
	if (call->in_incoming_cb) {
		/* released from inside incoming_call: report once the upper layer's pointer is known */
		call->deferred_release = true;
		call->deferred_cause = cause;
		call->deferred_by_remote = by_remote;
		return;
	}
	LOG_CALL(call, LOGL_INFO, "released (%s), cause %u (%s)\n", by_remote ? "by the far end" : "locally", cause,
		 get_value_string(isup_cause_names, cause));
	if (call->node->ops->call_released)
		call->node->ops->call_released(call, cause, by_remote, call->upper_priv);
}

static void call_done(struct isup_call *call)
{
	osmo_fsm_inst_term(call->fi, OSMO_FSM_TERM_REGULAR, NULL);
}

static void call_send_simple(struct isup_call *call, uint8_t type)
{
	isup_node_send_simple(call->cic, type);
}

static void call_send_rel(struct isup_call *call)
{
	struct isup_msg m;

	isup_build_rel(&m, call->cic->cic, CALL_CAUSE_LOCATION, call->rel_cause);
	isup_node_send(call->cic->trunk, &m);
}

static void call_send_cot(struct isup_call *call, bool ok)
{
	struct isup_msg m;

	isup_msg_init(&m, ISUP_COT, call->cic->cic);
	m.continuity_ok = ok;
	isup_msg_set(&m, ISUP_P_CONTINUITY_IND);
	isup_node_send(call->cic->trunk, &m);
}

/* Q.764 §2.3: REL sent, T1 and T5 started; the upper layer is told now (it has nothing more to do). */
void isup_call_release_internal(struct isup_call *call, uint8_t cause, bool tell_up)
{
	if (call->fi->state == ISUP_CALL_ST_RELEASING)
		return;
	if (tell_up)
		call_report_released(call, cause, false);
	call->up_released = true;
	call->rel_cause = cause;
	osmo_timer_del(&call->t33);
	call_send_rel(call);
	osmo_timer_schedule(&call->t5, isup_node_timer_s(call->node, 5), 0);
	call_state_chg(call, ISUP_CALL_ST_RELEASING);
}

/*! Clear the call without signalling (circuit reset, hardware blocking, association down): the circuit is left
 *  to the caller. */
void isup_call_abort(struct isup_call *call, uint8_t cause)
{
	struct isup_cic *c = call->cic;

	call_report_released(call, cause, false);
	call->leave_cic = true;
	if (c && c->call == call)
		c->call = NULL;
	call_done(call);
}

/* T5 expired (Q.764 Annex A): stop T1, alert maintenance, reset the circuit with only T17 repeating RSC. */
static void t5_cb(void *data)
{
	struct isup_call *call = data;
	struct isup_cic *c = call->cic;

	isup_node_ctr_inc(call->node, ISUP_CTR_TIMER_EXPIRIES);
	isup_node_ctr_inc(call->node, ISUP_CTR_MAINT_ALERTS);
	LOG_CALL(call, LOGL_ERROR, "T5 expired: no RLC for REL, maintenance alerted, resetting the circuit\n");
	call->leave_cic = true;
	c->call = NULL;
	call_done(call);
	osmo_fsm_inst_dispatch(c->fi, ISUP_CIC_EV_RESET, &(bool){ true });
}

/* T33 expired (Q.764 Annex A): INR unanswered, release the call and alert maintenance. */
static void t33_cb(void *data)
{
	struct isup_call *call = data;

	isup_node_ctr_inc(call->node, ISUP_CTR_TIMER_EXPIRIES);
	isup_node_ctr_inc(call->node, ISUP_CTR_MAINT_ALERTS);
	LOG_CALL(call, LOGL_NOTICE, "T33 expired: no INF for INR, releasing (maintenance alerted)\n");
	isup_call_release_internal(call, CAUSE_TIMER_EXPIRY, true);
}

static unsigned int call_seq;

/* The instance id "<trunk>-<cic>-<in|out><seq>" (a moved outgoing call is "out" on its new circuit): built by
 * hand from the trunk name sanitised when the trunk was made, since every id update costs libosmocore
 * allocations and printfs of its own. */
static void call_set_id(struct isup_call *call)
{
	const struct isup_trunk *t = call->cic->trunk;
	size_t len = strlen(t->id_name);
	char id[128], *p = id;

	if (len > sizeof(id) - 32) {
		/* a very long trunk name: not worth a buffer of its own */
		osmo_fsm_inst_update_id_f_sanitize(call->fi, '_', "%s-%u-%s%u", t->name, call->cic->cic,
						   call->outgoing ? "out" : "in", call->seq);
		return;
	}
	memcpy(p, t->id_name, len);
	p += len;
	*p++ = '-';
	p = mgcf_put_dec(p, call->cic->cic);
	memcpy(p, call->outgoing ? "-out" : "-in", call->outgoing ? 4 : 3);
	p += call->outgoing ? 4 : 3;
	p = mgcf_put_dec(p, call->seq);
	*p = '\0';
	osmo_fsm_inst_update_id(call->fi, id);
}

static struct osmo_fsm_inst *call_named(struct isup_call *call)
{
	if (!call->fi->id)
		call_set_id(call);
	return call->fi;
}

/* The id names the call's circuit: set now if the FSM's own debug lines are logged, else left to the first
 * LOG_CALL() (most calls are never logged about). */
static void call_number(struct isup_call *call)
{
	call->seq = ++call_seq;
	if (call->fi->id || log_check_level(call->fi->fsm->log_subsys, call->fi->log_level))
		call_set_id(call);
}

struct isup_call *isup_call_alloc(struct isup_cic *c, bool outgoing)
{
	struct isup_node *node = c->trunk->node;
	struct osmo_fsm_inst *fi;
	struct isup_call *call;

	fi = osmo_fsm_inst_alloc(&isup_call_fsm, node, NULL, LOGL_DEBUG, NULL);
	if (!fi)
		return NULL;
	call = talloc_zero(fi, struct isup_call);
	if (!call) {
		osmo_fsm_inst_free(fi);
		return NULL;
	}
	fi->priv = call;
	call->fi = fi;
	call->node = node;
	call->cic = c;
	call->outgoing = outgoing;
	osmo_timer_setup(&call->t5, t5_cb, call);
	osmo_timer_setup(&call->t33, t33_cb, call);
	call_number(call);
	llist_add_tail(&call->list, &node->calls);
	c->call = call;
	return call;
}

/* ---- moving an outgoing call to another circuit ---- */

enum old_cic_fate {
	OLD_CIC_FREE,		/*!< the old circuit becomes idle (dual seizure back-off, UCIC) */
	OLD_CIC_RETEST,		/*!< the old circuit is held for a continuity re-test */
};

static void call_start_cot(struct isup_call *call);

static void old_cic_settle(struct isup_cic *old, enum old_cic_fate fate)
{
	if (fate == OLD_CIC_RETEST)
		isup_call_start_retest(old);
	else
		osmo_fsm_inst_dispatch(old->fi, ISUP_CIC_EV_FREE, NULL);
}

/* Q.764 §2.9.1.4 and the continuity procedure: repeat the attempt on another circuit of the same trunk group.
 * \returns true if the call lives on (on a new circuit), false if it was released (cause 34). */
static bool call_move(struct isup_call *call, enum old_cic_fate fate, const char *why)
{
	struct isup_cic *old = call->cic, *nc;
	struct isup_node *node = call->node;

	old->call = NULL;
	nc = call->attempts + 1 < CALL_MAX_ATTEMPTS ? isup_trunk_select(old->trunk) : NULL;
	if (!nc) {
		LOG_CALL(call, LOGL_NOTICE, "%s: no other circuit for a repeat attempt\n", why);
		call->leave_cic = true;
		call_report_released(call, CAUSE_NO_CIRCUIT, false);
		call_done(call);
		old_cic_settle(old, fate);
		return false;
	}
	call->attempts++;
	isup_node_ctr_inc(node, ISUP_CTR_REATTEMPTS);
	LOG_CALL(call, LOGL_INFO, "%s: repeat attempt on CIC %u\n", why, nc->cic);
	old_cic_settle(old, fate);

	call->cic = nc;
	nc->call = call;
	call_number(call);
	osmo_fsm_inst_dispatch(nc->fi, ISUP_CIC_EV_SEIZE_OUT, NULL);
	call->backward_seen = false;
	isup_node_send_bytes(nc->trunk, nc->cic, call->iam, call->iam_len);
	call_state_chg(call, ISUP_CALL_ST_OUT_WAIT_ACM);
	if (node->ops->cic_changed)
		node->ops->cic_changed(call, nc->cic, call->upper_priv);
	call_start_cot(call);
	return true;
}

bool isup_call_reattempt(struct isup_call *call, const char *why)
{
	return call_move(call, OLD_CIC_FREE, why);
}

/* ---- continuity ---- */

static void call_start_cot(struct isup_call *call)
{
	struct isup_node *node = call->node;

	if (call->up_released || call->fi->state != ISUP_CALL_ST_OUT_WAIT_ACM)
		return;
	if (call->cot_mode == 1) {
		call->cot_pending = true;
		if (node->ops->cot_test)
			node->ops->cot_test(call, call->cic->trunk->name, call->cic->cic, call->upper_priv);
		else
			isup_call_cot_result(call, true);	/* nobody to test: the bearer is assumed good */
	} else if (call->cot_mode == 2) {
		call->cot_pending = true;		/* the upper layer sends COT */
	}
}

/* CCR, then our tone test on the circuit (the re-test's internal call, upper layer NULL) */
static void call_send_ccr(struct isup_call *call)
{
	struct isup_cic *c = call->cic;

	call_send_simple(call, ISUP_CCR);
	call_state_chg(call, ISUP_CALL_ST_RETEST_TESTING);
	if (call->node->ops->cot_test)
		call->node->ops->cot_test(call, c->trunk->name, c->cic, NULL);
	else
		isup_call_cot_result(call, true);
}

/* The node's own call holding a circuit for a continuity re-test: the upper layer never sees it.  seize: the
 * circuit is idle and becomes busy (ISUP_CIC_EV_SEIZE_IN/OUT), or -1: it is busy already. */
static struct isup_call *retest_call_alloc(struct isup_cic *c, bool outgoing, int seize)
{
	struct isup_call *call = isup_call_alloc(c, outgoing);

	if (!call)
		return NULL;
	call->retest = true;
	call->up_released = true;
	if (seize >= 0)
		osmo_fsm_inst_dispatch(c->fi, seize, NULL);
	return call;
}

void isup_call_test_idle(struct isup_cic *c)
{
	struct isup_call *call = retest_call_alloc(c, true, ISUP_CIC_EV_SEIZE_OUT);

	if (!call)
		return;
	LOG_CALL(call, LOGL_INFO, "continuity test of an idle circuit (maintenance): CCR\n");
	call_send_ccr(call);
}

void isup_call_start_retest(struct isup_cic *c)
{
	struct isup_call *call = retest_call_alloc(c, true, -1);

	if (!call) {
		isup_cic_start_reset(c, false);
		return;
	}
	call_state_chg_T(call, ISUP_CALL_ST_RETEST_WAIT, 25);
}

/* The far end's continuity re-test (CCR received): our side of it is the loop. */
static void call_retest_loop(struct isup_call *call, bool on)
{
	struct isup_node *node = call->node;

	if (call->loop_on == on)
		return;
	call->loop_on = on;
	if (node->ops->cot_loop)
		node->ops->cot_loop(node, call->cic->trunk->name, call->cic->cic, on, node->priv);
}

void isup_call_rx_ccr_idle(struct isup_cic *c)
{
	struct isup_call *call;

	if (c->fi->state != ISUP_CIC_ST_IDLE)
		return;
	call = retest_call_alloc(c, false, ISUP_CIC_EV_SEIZE_IN);
	if (!call)
		return;
	LOG_CALL(call, LOGL_INFO, "CCR on an idle circuit: continuity re-test, loop connected\n");
	call_state_chg(call, ISUP_CALL_ST_IN_RETEST);
	call_retest_loop(call, true);
}

static void call_cot_result(struct isup_call *call, bool ok)
{
	if (call->fi->state == ISUP_CALL_ST_RETEST_TESTING) {
		if (ok) {
			/* standards.md §3.5: a successful re-test is ended by REL */
			LOG_CALL(call, LOGL_INFO, "continuity re-test successful\n");
			isup_call_release_internal(call, CAUSE_NORMAL_UNSPECIFIED, false);
		} else {
			isup_node_ctr_inc(call->node, ISUP_CTR_COT_FAILURES);
			LOG_CALL(call, LOGL_NOTICE, "continuity re-test failed: next CCR after T26\n");
			call_send_cot(call, false);
			call_state_chg_T(call, ISUP_CALL_ST_RETEST_WAIT, 26);
		}
		return;
	}
	if (!call->outgoing || !call->cot_pending || call->cot_mode != 1 || call->up_released)
		return;
	call->cot_pending = false;
	call_send_cot(call, ok);
	if (ok)
		return;
	isup_node_ctr_inc(call->node, ISUP_CTR_COT_FAILURES);
	/* standards.md §3.5: repeat the call on another circuit; the failed one is re-tested (CCR after T25) */
	call_move(call, OLD_CIC_RETEST, "continuity check failed");
}

/* ---- incoming IAM ---- */

void isup_call_rx_iam(struct isup_cic *c, const struct isup_msg *iam)
{
	struct isup_node *node = c->trunk->node;
	struct isup_call *call = c->call;
	bool test_call = isup_msg_has(iam, ISUP_P_CPC) && iam->cpc == 0x0d;	/* Q.763 §3.11: test call */
	void *upriv;

	if (call) {
		if (call->outgoing && !call->retest && call->fi->state == ISUP_CALL_ST_OUT_WAIT_ACM &&
		    !call->backward_seen) {
			/* Q.764 §2.9.1.4: dual seizure */
			isup_node_ctr_inc(node, ISUP_CTR_DUAL_SEIZURES);
			if (isup_cic_we_control(c)) {
				LOG_CALL(call, LOGL_NOTICE, "dual seizure: we control CIC %u, received IAM ignored\n",
					 c->cic);
				return;
			}
			LOG_CALL(call, LOGL_NOTICE, "dual seizure: the far end controls CIC %u, backing off\n",
				 c->cic);
			call_move(call, OLD_CIC_FREE, "dual seizure");
		} else {
			isup_node_ctr_inc(node, ISUP_CTR_RX_UNEXPECTED);
			LOG_CALL(call, LOGL_NOTICE, "IAM on a busy circuit: discarded\n");
			return;
		}
	}
	if (c->fi->state != ISUP_CIC_ST_IDLE)
		return;

	if (c->unequipped) {
		LOGP(DCIC, LOGL_NOTICE, "%s-%u: IAM on a circuit reported unequipped: back in service\n",
		     c->trunk->name, c->cic);
		c->unequipped = false;
	}
	if (!test_call && (c->blk & ISUP_BLK_RM)) {
		/* Q.764 §2.9.2: a non-test IAM unblocks what its sender had blocked */
		LOGP(DCIC, LOGL_INFO, "%s-%u: IAM on a remotely blocked circuit: remote blocking removed\n",
		     c->trunk->name, c->cic);
		c->blk &= ~ISUP_BLK_RM;
	}

	call = isup_call_alloc(c, false);
	if (!call)
		return;
	osmo_fsm_inst_dispatch(c->fi, ISUP_CIC_EV_SEIZE_IN, NULL);
	isup_node_ctr_inc(node, ISUP_CTR_CALLS_IN);

	if (!test_call && (c->blk & (ISUP_BLK_LM | ISUP_BLK_LH))) {
		/* we blocked it: the far end must not seize it */
		LOG_CALL(call, LOGL_NOTICE, "IAM on a locally blocked circuit: rejected\n");
		call->up_released = true;
		isup_call_release_internal(call, CAUSE_TEMPORARY_FAILURE, false);
		return;
	}

	call->cot_mode = isup_msg_has(iam, ISUP_P_NCI) ? iam->nci.continuity : 0;
	if (call->cot_mode == 1 || call->cot_mode == 2) {
		call->cot_pending = true;
		call_state_chg(call, ISUP_CALL_ST_IN_WAIT_COT);
	} else {
		call_state_chg_T(call, ISUP_CALL_ST_IN_PROCEEDING, 0);
	}
	LOG_CALL(call, LOGL_INFO, "incoming call\n");
	if (!node->ops->incoming_call) {
		isup_call_release_internal(call, CAUSE_TEMPORARY_FAILURE, true);
		return;
	}
	call->in_incoming_cb = true;
	upriv = node->ops->incoming_call(node, call, iam, node->priv);
	call->in_incoming_cb = false;
	call->upper_priv = upriv;
	if (call->deferred_release) {
		call->deferred_release = false;
		LOG_CALL(call, LOGL_INFO, "released locally, cause %u\n", call->deferred_cause);
		if (node->ops->call_released)
			node->ops->call_released(call, call->deferred_cause, call->deferred_by_remote, upriv);
		/* the call may have ended meanwhile (no RLC wait needed): nothing else touches it here */
	}
}

/* ---- received messages ---- */

static void call_rx_releasing(struct isup_call *call, const struct isup_msg *m)
{
	switch (m->type) {
	case ISUP_REL:
		/* Q.764 §2.3: REL collision: answer with RLC, idle once RLC went both ways */
		LOG_CALL(call, LOGL_INFO, "REL collision: answering RLC\n");
		call_send_simple(call, ISUP_RLC);
		call->rlc_sent = true;
		break;
	case ISUP_RLC:
		call->rlc_rcvd = true;
		call_done(call);
		break;
	default:
		LOG_CALL(call, LOGL_DEBUG, "%s while releasing: discarded\n", isup_msg_name(m->type));
		break;
	}
}

static void call_rx_msg(struct isup_call *call, const struct isup_msg *m)
{
	uint32_t st = call->fi->state;

	if (st == ISUP_CALL_ST_RELEASING) {
		call_rx_releasing(call, m);
		return;
	}
	if (m->type == ISUP_REL) {
		uint8_t cause = isup_msg_has(m, ISUP_P_CAUSE) ? m->cause.value : CAUSE_NORMAL_UNSPECIFIED;

		call_send_simple(call, ISUP_RLC);
		call_report_released(call, cause, true);
		call_done(call);
		return;
	}
	if (m->type == ISUP_RLC) {
		/* RLC out of the blue: release properly so both ends agree the circuit is idle */
		isup_node_ctr_inc(call->node, ISUP_CTR_RX_UNEXPECTED);
		LOG_CALL(call, LOGL_NOTICE, "unexpected RLC: releasing\n");
		isup_call_release_internal(call, CAUSE_TEMPORARY_FAILURE, true);
		return;
	}
	if (m->type == ISUP_INF)
		osmo_timer_del(&call->t33);

	switch (st) {
	case ISUP_CALL_ST_OUT_WAIT_ACM:
		switch (m->type) {
		case ISUP_ACM:
			call->backward_seen = true;
			if (call->node->opts.run_t9)
				call_state_chg_T(call, ISUP_CALL_ST_OUT_WAIT_ANM, 9);
			else
				call_state_chg_T(call, ISUP_CALL_ST_OUT_WAIT_ANM, 0);
			break;
		case ISUP_CON:
		case ISUP_ANM:
			call->backward_seen = true;
			call_state_chg_T(call, ISUP_CALL_ST_ANSWERED, 0);
			break;
		case ISUP_CPG: case ISUP_INR: case ISUP_APM: case ISUP_FAC: case ISUP_CRG: case ISUP_USR:
			call->backward_seen = true;
			break;
		default:
			break;
		}
		break;
	case ISUP_CALL_ST_OUT_WAIT_ANM:
		if (m->type == ISUP_ANM || m->type == ISUP_CON)
			call_state_chg_T(call, ISUP_CALL_ST_ANSWERED, 0);
		break;
	case ISUP_CALL_ST_IN_WAIT_COT:
		if (m->type == ISUP_COT) {
			call->cot_pending = false;
			if (m->continuity_ok) {
				call_state_chg_T(call, ISUP_CALL_ST_IN_PROCEEDING, 0);
			} else if (call->cot_mode == 2) {
				/* the check failed on a previous circuit: no CCR will come for this one, the
				 * connection is released as at T8 expiry (Q.764 §2.1.8) */
				isup_node_ctr_inc(call->node, ISUP_CTR_COT_FAILURES);
				LOG_CALL(call, LOGL_NOTICE, "COT: the check on a previous circuit failed\n");
				call_report_released(call, CAUSE_TEMPORARY_FAILURE, true);
				isup_call_release_internal(call, CAUSE_TEMPORARY_FAILURE, false);
				return;
			} else {
				/* standards.md §3.5: the call is repeated elsewhere by the far end; await CCR (T27) */
				isup_node_ctr_inc(call->node, ISUP_CTR_COT_FAILURES);
				call_report_released(call, CAUSE_TEMPORARY_FAILURE, true);
				call->retest = true;
				call_state_chg(call, ISUP_CALL_ST_IN_COT_FAILED);
				return;
			}
		}
		break;
	case ISUP_CALL_ST_ANSWERED:
		if (m->type == ISUP_SUS) {
			/* Q.764 Annex A: T6 for a network initiated suspension, T2 for a user initiated one */
			call_state_chg_T(call, ISUP_CALL_ST_SUSPENDED, m->sus_res_network ? 6 : 2);
		}
		break;
	case ISUP_CALL_ST_SUSPENDED:
		if (m->type == ISUP_RES)
			call_state_chg_T(call, ISUP_CALL_ST_ANSWERED, 0);
		break;
	case ISUP_CALL_ST_IN_COT_FAILED:
		if (m->type == ISUP_CCR) {
			call_state_chg(call, ISUP_CALL_ST_IN_RETEST);
			call_retest_loop(call, true);
		}
		return;
	case ISUP_CALL_ST_IN_RETEST:
		if (m->type == ISUP_COT && !m->continuity_ok) {
			call_retest_loop(call, false);
			call_state_chg(call, ISUP_CALL_ST_IN_COT_FAILED);
		} else if (m->type == ISUP_CCR)
			call_state_chg(call, ISUP_CALL_ST_IN_RETEST);
		return;
	case ISUP_CALL_ST_RETEST_WAIT:
	case ISUP_CALL_ST_RETEST_TESTING:
		LOG_CALL(call, LOGL_DEBUG, "%s during a re-test: discarded\n", isup_msg_name(m->type));
		return;
	default:
		break;
	}
	call_report_event(call, m);
}

static void call_fsm_action(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct isup_call *call = fi->priv;

	switch (event) {
	case ISUP_CALL_EV_RX:
		call_rx_msg(call, data);
		break;
	case ISUP_CALL_EV_RELEASE:
		isup_call_release_internal(call, *(uint8_t *)data, true);
		break;
	case ISUP_CALL_EV_COT_RESULT:
		call_cot_result(call, *(bool *)data);
		break;
	default:
		break;
	}
}

static int call_fsm_timer_cb(struct osmo_fsm_inst *fi)
{
	struct isup_call *call = fi->priv;
	struct isup_cic *c = call->cic;

	isup_node_ctr_inc(call->node, ISUP_CTR_TIMER_EXPIRIES);
	LOG_CALL(call, LOGL_NOTICE, "T%d expired\n", fi->T);
	switch (fi->T) {
	case 1:
		/* Q.764 Annex A: repeat REL, restart T1 (T5 keeps running) */
		call_send_rel(call);
		call_state_chg(call, ISUP_CALL_ST_RELEASING);
		break;
	/* Q.764 Annex A says "release" without a cause.  T7: a missing ACM is an abnormal condition, not a normal
	 * event (Q.850 keeps 31 for those); Q.850 cause No. 102 "recovery on timer expiry" names a procedure started
	 * by a timer's expiry in error handling.  T8 41, T9 19 (no answer, Q.118). */
	case 7:		/* no ACM/CON after the latest address message: release all equipment, send REL */
		isup_call_release_internal(call, CAUSE_TIMER_EXPIRY, true);
		break;
	case 8:		/* no COT: release all equipment, send REL */
		isup_call_release_internal(call, CAUSE_TEMPORARY_FAILURE, true);
		break;
	case 2:		/* SUS (user) not followed by RES */
	case 6:		/* SUS (network) not followed by RES */
		isup_call_release_internal(call, CAUSE_TIMER_EXPIRY, true);
		break;
	case 9:
		/* Q.764 Annex A / Q.118: no answer: release with cause 19 */
		isup_call_release_internal(call, CAUSE_NO_ANSWER, true);
		break;
	case 27:	/* COT failed received, no CCR: reset the circuit */
	case 36:	/* CCR received, no COT/REL: reset the circuit */
		isup_cic_start_reset(c, false);
		break;
	case 25:
	case 26:
		/* Q.764 Annex A (T25/T26): send CCR, attach the transceiver, test again */
		call_send_ccr(call);
		break;
	case 24:
		/* the tone did not come back in time */
		call_cot_result(call, false);
		break;
	default:
		isup_call_release_internal(call, CAUSE_TIMER_EXPIRY, true);
		break;
	}
	return 0;
}

static void call_fsm_cleanup(struct osmo_fsm_inst *fi, enum osmo_fsm_term_cause cause)
{
	struct isup_call *call = fi->priv;
	struct isup_cic *c = call->cic;

	osmo_timer_del(&call->t5);
	osmo_timer_del(&call->t33);
	call_retest_loop(call, false);
	llist_del(&call->list);
	call_report_released(call, CAUSE_TEMPORARY_FAILURE, false);
	if (c && c->call == call) {
		c->call = NULL;
		if (!call->leave_cic)
			osmo_fsm_inst_dispatch(c->fi, ISUP_CIC_EV_FREE, NULL);
	}
}

#define S(x) (1 << (x))
#define ALL_EVENTS (S(ISUP_CALL_EV_RX) | S(ISUP_CALL_EV_RELEASE) | S(ISUP_CALL_EV_COT_RESULT))
#define ALL_STATES 0xfff

static const struct osmo_fsm_state call_fsm_states[] = {
#define ST(s, n) [s] = { .name = n, .in_event_mask = ALL_EVENTS, .out_state_mask = ALL_STATES, \
			 .action = call_fsm_action }
	ST(ISUP_CALL_ST_OUT_WAIT_ACM, "OUT_WAIT_ACM"),
	ST(ISUP_CALL_ST_OUT_WAIT_ANM, "OUT_WAIT_ANM"),
	ST(ISUP_CALL_ST_IN_WAIT_COT, "IN_WAIT_COT"),
	ST(ISUP_CALL_ST_IN_PROCEEDING, "IN_PROCEEDING"),
	ST(ISUP_CALL_ST_IN_ALERTING, "IN_ALERTING"),
	ST(ISUP_CALL_ST_ANSWERED, "ANSWERED"),
	ST(ISUP_CALL_ST_SUSPENDED, "SUSPENDED"),
	ST(ISUP_CALL_ST_IN_COT_FAILED, "IN_COT_FAILED"),
	ST(ISUP_CALL_ST_IN_RETEST, "IN_RETEST"),
	ST(ISUP_CALL_ST_RETEST_WAIT, "RETEST_WAIT"),
	ST(ISUP_CALL_ST_RETEST_TESTING, "RETEST_TESTING"),
	ST(ISUP_CALL_ST_RELEASING, "RELEASING"),
#undef ST
};

struct osmo_fsm isup_call_fsm = {
	.name = "isup_call",
	.states = call_fsm_states,
	.num_states = ARRAY_SIZE(call_fsm_states),
	.log_subsys = DISUP,
	.event_names = call_event_names,
	.timer_cb = call_fsm_timer_cb,
	.cleanup = call_fsm_cleanup,
};

static __attribute__((constructor)) void isup_call_fsm_register(void)
{
	OSMO_ASSERT(osmo_fsm_register(&isup_call_fsm) == 0);
}

void isup_call_rx(struct isup_call *call, const struct isup_msg *m)
{
	osmo_fsm_inst_dispatch(call->fi, ISUP_CALL_EV_RX, (void *)m);
}

/* ---- upper layer API ---- */

/* room for an encoded IAM: more than an MSU carries (272 octets) */
#define ISUP_IAM_MAX	512

/* An outgoing call on the circuit the hunting picks (cic < 0) or on one circuit only. */
static int call_setup(struct isup_node *node, const char *trunk_name, int cic, const struct isup_msg *iam_template,
		      void *upper_priv, struct isup_call **out)
{
	struct isup_trunk *t, *found = NULL;
	uint8_t iam_buf[ISUP_IAM_MAX];
	struct isup_call *call;
	struct isup_cic *c;
	int rc;

	llist_for_each_entry(t, &node->trunks, list) {
		if (!strcmp(t->name, trunk_name)) {
			found = t;
			break;
		}
	}
	if (!found)
		return -ENOENT;
	t = found;
	if (!iam_template || iam_template->type != ISUP_IAM)
		return -EINVAL;
	if (t->direction == ISUP_TRUNK_INCOMING) {
		isup_node_ctr_inc(node, ISUP_CTR_CALLS_OUT_BUSY);
		return -EBUSY;
	}
	if (!t->assoc->active)
		return -ENETDOWN;
	if (cic < 0) {
		c = isup_trunk_select(t);
	} else {
		c = isup_trunk_find_cic(t, cic);
		if (!c)
			return -ERANGE;
		if (!isup_cic_available(c))
			c = NULL;
	}
	if (!c) {
		isup_node_ctr_inc(node, ISUP_CTR_CALLS_OUT_BUSY);
		LOGP(DISUP, LOGL_NOTICE, "%s: no circuit available for an outgoing call\n", t->name);
		return -EBUSY;
	}

	/* encoded once: the copy kept for repeat attempts is what goes out */
	rc = isup_encode_buf(iam_buf, sizeof(iam_buf), iam_template);
	if (rc < 0)
		return -EINVAL;
	call = isup_call_alloc(c, true);
	if (!call)
		return -ENOMEM;
	call->iam = talloc_memdup(call, iam_buf, rc);
	call->iam_len = rc;
	if (!call->iam) {
		call->up_released = true;
		call->leave_cic = true;
		c->call = NULL;
		call_done(call);
		return -ENOMEM;
	}
	call->upper_priv = upper_priv;
	call->cot_mode = isup_msg_has(iam_template, ISUP_P_NCI) ? iam_template->nci.continuity : 0;
	osmo_fsm_inst_dispatch(c->fi, ISUP_CIC_EV_SEIZE_OUT, NULL);
	isup_node_ctr_inc(node, ISUP_CTR_CALLS_OUT);
	*out = call;
	LOG_CALL(call, LOGL_INFO, "outgoing call\n");
	isup_node_send_bytes(t, c->cic, call->iam, call->iam_len);
	call_state_chg(call, ISUP_CALL_ST_OUT_WAIT_ACM);
	call_start_cot(call);
	return 0;
}

int isup_call_setup(struct isup_node *node, const char *trunk_name, const struct isup_msg *iam_template,
		    void *upper_priv, struct isup_call **out)
{
	return call_setup(node, trunk_name, -1, iam_template, upper_priv, out);
}

int isup_call_setup_cic(struct isup_node *node, const char *trunk_name, uint16_t cic,
			const struct isup_msg *iam_template, void *upper_priv, struct isup_call **out)
{
	return call_setup(node, trunk_name, cic, iam_template, upper_priv, out);
}

int isup_call_send(struct isup_call *call, struct isup_msg *msg)
{
	uint32_t st;

	if (!call || call->up_released)
		return -ENOTCONN;
	st = call->fi->state;
	switch (msg->type) {
	case ISUP_IAM: case ISUP_REL: case ISUP_RLC: case ISUP_RSC: case ISUP_GRS: case ISUP_GRA: case ISUP_BLO:
	case ISUP_BLA: case ISUP_UBL: case ISUP_UBA: case ISUP_CGB: case ISUP_CGBA: case ISUP_CGU: case ISUP_CGUA:
	case ISUP_CQM: case ISUP_CQR: case ISUP_UCIC: case ISUP_CFN: case ISUP_CCR: case ISUP_LPA:
		return -EINVAL;
	case ISUP_ACM:
		if (call->outgoing || st != ISUP_CALL_ST_IN_PROCEEDING)
			return -EINVAL;
		break;
	case ISUP_CON:
		if (call->outgoing || st != ISUP_CALL_ST_IN_PROCEEDING)
			return -EINVAL;
		break;
	case ISUP_ANM:
		if (call->outgoing || (st != ISUP_CALL_ST_IN_PROCEEDING && st != ISUP_CALL_ST_IN_ALERTING))
			return -EINVAL;
		break;
	case ISUP_CPG:
		/* standards.md §3.5: no backward progress before the continuity check is complete */
		if (!call->outgoing && st == ISUP_CALL_ST_IN_WAIT_COT)
			return -EINVAL;
		break;
	case ISUP_COT:
		/* "continuity check performed on a previous circuit": the upper layer reports the outcome of the
		 * check on the previous circuit, success or (a transit exchange passing it on) failure */
		if (!call->outgoing || call->cot_mode != 2 || !call->cot_pending ||
		    !isup_msg_has(msg, ISUP_P_CONTINUITY_IND))
			return -EINVAL;
		break;
	case ISUP_SAM:
		if (!call->outgoing || st != ISUP_CALL_ST_OUT_WAIT_ACM)
			return -EINVAL;
		break;
	case ISUP_SUS:
	case ISUP_RES:
		if (st != ISUP_CALL_ST_ANSWERED && st != ISUP_CALL_ST_SUSPENDED)
			return -EINVAL;
		break;
	default:
		break;
	}
	msg->cic = call->cic->cic;
	if (isup_node_send(call->cic->trunk, msg) < 0)
		return -EINVAL;

	switch (msg->type) {
	case ISUP_ACM:
		call_state_chg_T(call, ISUP_CALL_ST_IN_ALERTING, 0);
		break;
	case ISUP_CON:
	case ISUP_ANM:
		call_state_chg_T(call, ISUP_CALL_ST_ANSWERED, 0);
		break;
	case ISUP_COT:
		call->cot_pending = false;
		break;
	case ISUP_SAM:
		/* Q.764 Annex A: T7 runs from the latest address message */
		call_state_chg(call, ISUP_CALL_ST_OUT_WAIT_ACM);
		break;
	case ISUP_INR:
		osmo_timer_schedule(&call->t33, isup_node_timer_s(call->node, 33), 0);
		break;
	default:
		break;
	}
	return 0;
}

void isup_call_release(struct isup_call *call, uint8_t cause)
{
	if (!call || call->up_released) {
		LOGP(DISUP, LOGL_ERROR, "release of a call already released\n");
		return;
	}
	osmo_fsm_inst_dispatch(call->fi, ISUP_CALL_EV_RELEASE, &cause);
}

void isup_call_cot_result(struct isup_call *call, bool ok)
{
	osmo_fsm_inst_dispatch(call->fi, ISUP_CALL_EV_COT_RESULT, &ok);
}

void *isup_call_node_priv(const struct isup_call *call)
{
	return call->node->priv;
}

uint16_t isup_call_cic(const struct isup_call *call)
{
	return call->cic->cic;
}

const char *isup_call_trunk(const struct isup_call *call)
{
	return call->cic->trunk->name;
}

bool isup_call_outgoing(const struct isup_call *call)
{
	return call->outgoing;
}

const char *isup_call_state_name(const struct isup_call *call)
{
	return osmo_fsm_inst_state_name(call->fi);
}
