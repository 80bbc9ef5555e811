/* ISUP circuit: the isup_cic FSM (IDLE, BUSY_IN, BUSY_OUT, RESETTING) with the blocking flags beside the state,
 * and the per-circuit supervision procedures of Q.764 §2.9.2-2.9.3 (BLO/BLA, UBL/UBA, RSC), UCIC and
 * unexpected messages (standards.md §3.3-3.4).  Group procedures (GRS, CGB, CGU, CQM) live in isup_node.c. */
#include <errno.h>
#include <string.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>
#include <mgcf/log.h>

#include "isup/isup_node_int.h"

#define LOG_CIC(c, lvl, fmt, args...) \
	LOGP(DCIC, lvl, "%s-%u: " fmt, (c)->trunk->name, (c)->cic, ##args)

/* ---- repeated messages (Q.764 Annex A: the short / long timer pairs) ---- */

static void rep_short_cb(void *data)
{
	struct isup_rep *r = data;

	struct timeval rem;

	isup_node_ctr_inc(r->node, ISUP_CTR_TIMER_EXPIRIES);
	if (!r->active || r->long_phase)
		return;
	/* the long timer expires in this same round: it repeats the message (once) */
	if (osmo_timer_pending(&r->tl) && osmo_timer_remaining(&r->tl, NULL, &rem) == 0 &&
	    !timerisset(&rem))
		return;
	LOGP(DCIC, LOGL_INFO, "T%d expired: repeating %s\n", r->t_short, r->what);
	r->resend(r);
	osmo_timer_schedule(&r->ts, isup_node_timer_s(r->node, r->t_short), 0);
}

static void rep_long_cb(void *data)
{
	struct isup_rep *r = data;

	isup_node_ctr_inc(r->node, ISUP_CTR_TIMER_EXPIRIES);
	if (!r->active)
		return;
	if (r->long_expiry) {
		r->long_expiry(r);
		return;
	}
	/* Q.764 Annex A (T13, T15, T17, T19, T21, T23): alert maintenance, repeat on the long timer */
	isup_node_ctr_inc(r->node, ISUP_CTR_MAINT_ALERTS);
	LOGP(DCIC, LOGL_ERROR, "T%d expired: %s still unacknowledged, maintenance alerted, repeating every T%d\n",
	     r->t_long, r->what, r->t_long);
	r->long_phase = true;
	osmo_timer_del(&r->ts);
	r->resend(r);
	osmo_timer_schedule(&r->tl, isup_node_timer_s(r->node, r->t_long), 0);
}

void isup_rep_init(struct isup_rep *r, struct isup_node *node, const char *what, int t_short, int t_long,
		   void (*resend)(struct isup_rep *))
{
	memset(r, 0, sizeof(*r));
	r->node = node;
	r->what = what;
	r->t_short = t_short;
	r->t_long = t_long;
	r->resend = resend;
	osmo_timer_setup(&r->ts, rep_short_cb, r);
	osmo_timer_setup(&r->tl, rep_long_cb, r);
}

void isup_rep_start(struct isup_rep *r)
{
	r->active = true;
	r->long_phase = false;
	osmo_timer_schedule(&r->ts, isup_node_timer_s(r->node, r->t_short), 0);
	osmo_timer_schedule(&r->tl, isup_node_timer_s(r->node, r->t_long), 0);
}

void isup_rep_start_long_only(struct isup_rep *r)
{
	r->active = true;
	r->long_phase = true;
	osmo_timer_del(&r->ts);
	osmo_timer_schedule(&r->tl, isup_node_timer_s(r->node, r->t_long), 0);
}

void isup_rep_stop(struct isup_rep *r)
{
	r->active = false;
	r->long_phase = false;
	osmo_timer_del(&r->ts);
	osmo_timer_del(&r->tl);
}

/* ---- the FSM ---- */

static const struct value_string cic_event_names[] = {
	{ ISUP_CIC_EV_SEIZE_IN, "SEIZE_IN" },
	{ ISUP_CIC_EV_SEIZE_OUT, "SEIZE_OUT" },
	{ ISUP_CIC_EV_FREE, "FREE" },
	{ ISUP_CIC_EV_RESET, "RESET" },
	{ ISUP_CIC_EV_GRS_SENT, "GRS_SENT" },
	{ ISUP_CIC_EV_RESET_DONE, "RESET_DONE" },
	{ 0, NULL }
};

static void cic_send_rsc(struct isup_cic *c)
{
	isup_node_ctr_inc(c->trunk->node, ISUP_CTR_RSC_TX);
	isup_node_send_simple(c, ISUP_RSC);
}

static void cic_enter_resetting(struct isup_cic *c, bool after_t5)
{
	if (c->fi->state != ISUP_CIC_ST_RESETTING)
		osmo_fsm_inst_state_chg(c->fi, ISUP_CIC_ST_RESETTING, 0, 0);
	c->pend |= ISUP_PEND_RLC;
	cic_send_rsc(c);
	/* Q.764 Annex A: after T5 only T17 runs; otherwise T16 and T17 */
	if (after_t5)
		isup_rep_start_long_only(&c->rsc);
	else
		isup_rep_start(&c->rsc);
}

static void cic_idle_onenter(struct osmo_fsm_inst *fi, uint32_t prev_state)
{
	struct isup_cic *c = fi->priv;

	c->last_used = ++c->trunk->node->use_seq;
}

static void cic_fsm_idle(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct isup_cic *c = fi->priv;

	switch (event) {
	case ISUP_CIC_EV_SEIZE_IN:
		osmo_fsm_inst_state_chg(fi, ISUP_CIC_ST_BUSY_IN, 0, 0);
		break;
	case ISUP_CIC_EV_SEIZE_OUT:
		osmo_fsm_inst_state_chg(fi, ISUP_CIC_ST_BUSY_OUT, 0, 0);
		break;
	case ISUP_CIC_EV_RESET:
		cic_enter_resetting(c, data ? *(bool *)data : false);
		break;
	case ISUP_CIC_EV_GRS_SENT:
		c->pend |= ISUP_PEND_GRA;
		osmo_fsm_inst_state_chg(fi, ISUP_CIC_ST_RESETTING, 0, 0);
		break;
	default:
		break;
	}
}

static void cic_fsm_busy(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct isup_cic *c = fi->priv;

	switch (event) {
	case ISUP_CIC_EV_FREE:
		osmo_fsm_inst_state_chg(fi, ISUP_CIC_ST_IDLE, 0, 0);
		break;
	case ISUP_CIC_EV_RESET:
		cic_enter_resetting(c, data ? *(bool *)data : false);
		break;
	case ISUP_CIC_EV_GRS_SENT:
		c->pend |= ISUP_PEND_GRA;
		osmo_fsm_inst_state_chg(fi, ISUP_CIC_ST_RESETTING, 0, 0);
		break;
	case ISUP_CIC_EV_RESET_DONE:
		osmo_fsm_inst_state_chg(fi, ISUP_CIC_ST_IDLE, 0, 0);
		break;
	default:
		break;
	}
}

static void cic_fsm_resetting(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct isup_cic *c = fi->priv;

	switch (event) {
	case ISUP_CIC_EV_RESET:
		/* already resetting: a new RSC restarts the timers */
		cic_enter_resetting(c, data ? *(bool *)data : false);
		break;
	case ISUP_CIC_EV_GRS_SENT:
		isup_rep_stop(&c->rsc);
		c->pend &= ~ISUP_PEND_RLC;
		c->pend |= ISUP_PEND_GRA;
		break;
	case ISUP_CIC_EV_RESET_DONE:
	case ISUP_CIC_EV_FREE:
		isup_rep_stop(&c->rsc);
		c->pend &= ~(ISUP_PEND_RLC | ISUP_PEND_GRA);
		osmo_fsm_inst_state_chg(fi, ISUP_CIC_ST_IDLE, 0, 0);
		break;
	default:
		break;
	}
}

#define S(x) (1 << (x))

static const struct osmo_fsm_state cic_fsm_states[] = {
	[ISUP_CIC_ST_IDLE] = {
		.name = "IDLE",
		.in_event_mask = S(ISUP_CIC_EV_SEIZE_IN) | S(ISUP_CIC_EV_SEIZE_OUT) | S(ISUP_CIC_EV_RESET) |
				 S(ISUP_CIC_EV_GRS_SENT) | S(ISUP_CIC_EV_RESET_DONE) | S(ISUP_CIC_EV_FREE),
		.out_state_mask = S(ISUP_CIC_ST_BUSY_IN) | S(ISUP_CIC_ST_BUSY_OUT) | S(ISUP_CIC_ST_RESETTING),
		.onenter = cic_idle_onenter,
		.action = cic_fsm_idle,
	},
	[ISUP_CIC_ST_BUSY_IN] = {
		.name = "BUSY_IN",
		.in_event_mask = S(ISUP_CIC_EV_FREE) | S(ISUP_CIC_EV_RESET) | S(ISUP_CIC_EV_GRS_SENT) |
				 S(ISUP_CIC_EV_RESET_DONE),
		.out_state_mask = S(ISUP_CIC_ST_IDLE) | S(ISUP_CIC_ST_RESETTING),
		.action = cic_fsm_busy,
	},
	[ISUP_CIC_ST_BUSY_OUT] = {
		.name = "BUSY_OUT",
		.in_event_mask = S(ISUP_CIC_EV_FREE) | S(ISUP_CIC_EV_RESET) | S(ISUP_CIC_EV_GRS_SENT) |
				 S(ISUP_CIC_EV_RESET_DONE),
		.out_state_mask = S(ISUP_CIC_ST_IDLE) | S(ISUP_CIC_ST_RESETTING),
		.action = cic_fsm_busy,
	},
	[ISUP_CIC_ST_RESETTING] = {
		.name = "RESETTING",
		.in_event_mask = S(ISUP_CIC_EV_RESET) | S(ISUP_CIC_EV_GRS_SENT) | S(ISUP_CIC_EV_RESET_DONE) |
				 S(ISUP_CIC_EV_FREE),
		.out_state_mask = S(ISUP_CIC_ST_IDLE),
		.action = cic_fsm_resetting,
	},
};

struct osmo_fsm isup_cic_fsm = {
	.name = "isup_cic",
	.states = cic_fsm_states,
	.num_states = ARRAY_SIZE(cic_fsm_states),
	.log_subsys = DCIC,
	.event_names = cic_event_names,
};

static __attribute__((constructor)) void isup_cic_fsm_register(void)
{
	OSMO_ASSERT(osmo_fsm_register(&isup_cic_fsm) == 0);
}

/* ---- resend callbacks ---- */

static void rep_blo_resend(struct isup_rep *r)
{
	struct isup_cic *c = container_of(r, struct isup_cic, blo);

	isup_node_ctr_inc(c->trunk->node, ISUP_CTR_BLO_TX);
	isup_node_send_simple(c, ISUP_BLO);
}

static void rep_ubl_resend(struct isup_rep *r)
{
	struct isup_cic *c = container_of(r, struct isup_cic, ubl);

	isup_node_send_simple(c, ISUP_UBL);
}

static void rep_rsc_resend(struct isup_rep *r)
{
	struct isup_cic *c = container_of(r, struct isup_cic, rsc);

	cic_send_rsc(c);
}

int isup_cic_init(struct isup_cic *c, struct isup_trunk *t, uint16_t cic)
{
	char id[64];

	c->trunk = t;
	c->cic = cic;
	snprintf(id, sizeof(id), "%s-%u", t->name, cic);
	c->fi = osmo_fsm_inst_alloc(&isup_cic_fsm, t, c, LOGL_DEBUG, NULL);
	if (!c->fi)
		return -ENOMEM;
	/* ids allow only [a-zA-Z0-9-_.]: trunk names are checked by the config loader, be lenient anyway */
	if (osmo_fsm_inst_update_id(c->fi, id) < 0)
		osmo_fsm_inst_update_id_f(c->fi, "cic-%u", cic);
	isup_rep_init(&c->blo, t->node, "BLO", 12, 13, rep_blo_resend);
	isup_rep_init(&c->ubl, t->node, "UBL", 14, 15, rep_ubl_resend);
	isup_rep_init(&c->rsc, t->node, "RSC", 16, 17, rep_rsc_resend);
	return 0;
}

void isup_cic_fini(struct isup_cic *c)
{
	isup_rep_stop(&c->blo);
	isup_rep_stop(&c->ubl);
	isup_rep_stop(&c->rsc);
	if (c->fi) {
		osmo_fsm_inst_free(c->fi);
		c->fi = NULL;
	}
}

const char *isup_cic_state_name(const struct isup_cic *c)
{
	return osmo_fsm_inst_state_name(c->fi);
}

bool isup_cic_available(const struct isup_cic *c)
{
	/* the circuit's own fields first: hunting skips the busy ones without touching their FSM instances */
	return !c->call && !c->blk && !c->unequipped && !(c->pend & (ISUP_PEND_RLC | ISUP_PEND_GRA)) &&
	       c->fi->state == ISUP_CIC_ST_IDLE;
}

void isup_cic_fill_info(const struct isup_cic *c, struct isup_cic_info *info)
{
	memset(info, 0, sizeof(*info));
	info->trunk = c->trunk->name;
	info->cic = c->cic;
	info->state = isup_cic_state_name(c);
	info->idle = c->fi->state == ISUP_CIC_ST_IDLE && !c->call;
	info->blk = c->blk;
	info->pend = c->pend;
	info->unequipped = c->unequipped;
	info->we_control = isup_cic_we_control(c);
	info->call_state = c->call ? isup_call_state_name(c->call) : NULL;
}

/* ---- local procedures ---- */

void isup_cic_send_blo(struct isup_cic *c)
{
	isup_rep_stop(&c->ubl);
	c->pend &= ~ISUP_PEND_UBA;
	c->pend |= ISUP_PEND_BLA;
	rep_blo_resend(&c->blo);
	isup_rep_start(&c->blo);
}

void isup_cic_send_ubl(struct isup_cic *c)
{
	isup_rep_stop(&c->blo);
	c->pend &= ~ISUP_PEND_BLA;
	c->pend |= ISUP_PEND_UBA;
	rep_ubl_resend(&c->ubl);
	isup_rep_start(&c->ubl);
}

void isup_cic_start_reset(struct isup_cic *c, bool after_t5)
{
	if (c->call)
		isup_call_abort(c->call, 41);
	osmo_fsm_inst_dispatch(c->fi, ISUP_CIC_EV_RESET, &after_t5);
}

/*! Clear any call on the circuit towards the upper layer without signalling (reset, hardware blocking). */
void isup_cic_clear_call(struct isup_cic *c, uint8_t cause)
{
	if (c->call)
		isup_call_abort(c->call, cause);
	if (c->fi->state == ISUP_CIC_ST_BUSY_IN || c->fi->state == ISUP_CIC_ST_BUSY_OUT)
		osmo_fsm_inst_dispatch(c->fi, ISUP_CIC_EV_FREE, NULL);
}

/* ---- received messages ---- */

/* Q.764 reset (standards.md §3.3): RSC clears the call, removes remote blocking, is answered by RLC; a locally blocked
 * circuit is blocked again with BLO. */
static void rx_rsc(struct isup_cic *c)
{
	isup_node_ctr_inc(c->trunk->node, ISUP_CTR_RSC_RX);
	LOG_CIC(c, LOGL_INFO, "RSC received\n");
	isup_cic_clear_call(c, 41);
	c->blk &= ~(ISUP_BLK_RM | ISUP_BLK_RH);
	c->unequipped = false;
	isup_node_send_simple(c, ISUP_RLC);
	/* both ends reset at once: the peer's RSC stands for the RLC we await */
	if (c->fi->state == ISUP_CIC_ST_RESETTING && (c->pend & ISUP_PEND_RLC))
		osmo_fsm_inst_dispatch(c->fi, ISUP_CIC_EV_RESET_DONE, NULL);
	if (c->blk & ISUP_BLK_LM)
		isup_cic_send_blo(c);
}

static void rx_rlc_resetting(struct isup_cic *c)
{
	LOG_CIC(c, LOGL_INFO, "RLC received: reset complete\n");
	osmo_fsm_inst_dispatch(c->fi, ISUP_CIC_EV_RESET_DONE, NULL);
	if (c->blk & ISUP_BLK_LM)
		isup_cic_send_blo(c);
}

/* Messages of a call (received on an idle circuit they are unexpected, standards.md §3.4). */
static bool is_call_msg(uint8_t type)
{
	switch (type) {
	case ISUP_SAM: case ISUP_INR: case ISUP_INF: case ISUP_COT: case ISUP_ACM: case ISUP_CON:
	case ISUP_FOT: case ISUP_ANM: case ISUP_SUS: case ISUP_RES: case ISUP_CPG: case ISUP_USR:
	case ISUP_FAC: case ISUP_APM: case ISUP_CRG: case ISUP_IDR: case ISUP_IRS: case ISUP_SGM:
	case ISUP_FAR: case ISUP_FAA: case ISUP_FRJ: case ISUP_PRI: case ISUP_SDM: case ISUP_NRM:
		return true;
	default:
		return false;
	}
}

/*! A message (not a group supervision message) for this circuit. */
void isup_cic_rx(struct isup_cic *c, const struct isup_msg *m)
{
	struct isup_node *node = c->trunk->node;

	switch (m->type) {
	case ISUP_RSC:
		rx_rsc(c);
		return;
	case ISUP_BLO:
		/* Q.764 §2.9.2: blocking does not touch a call in progress; always acknowledge */
		isup_node_ctr_inc(node, ISUP_CTR_BLO_RX);
		c->blk |= ISUP_BLK_RM;
		LOG_CIC(c, LOGL_INFO, "BLO received: remotely blocked\n");
		isup_node_send_simple(c, ISUP_BLA);
		return;
	case ISUP_UBL:
		c->blk &= ~ISUP_BLK_RM;
		LOG_CIC(c, LOGL_INFO, "UBL received: remote blocking removed\n");
		isup_node_send_simple(c, ISUP_UBA);
		return;
	case ISUP_BLA:
		if (c->pend & ISUP_PEND_BLA) {
			c->pend &= ~ISUP_PEND_BLA;
			isup_rep_stop(&c->blo);
			return;
		}
		/* Q.764 §2.9.2 (unexpected BLA): if we do not consider it blocked, unblock it at the far end */
		isup_node_ctr_inc(node, ISUP_CTR_RX_UNEXPECTED);
		LOG_CIC(c, LOGL_NOTICE, "unexpected BLA\n");
		if (!(c->blk & ISUP_BLK_LM))
			isup_cic_send_ubl(c);
		return;
	case ISUP_UBA:
		if (c->pend & ISUP_PEND_UBA) {
			c->pend &= ~ISUP_PEND_UBA;
			isup_rep_stop(&c->ubl);
			return;
		}
		isup_node_ctr_inc(node, ISUP_CTR_RX_UNEXPECTED);
		LOG_CIC(c, LOGL_NOTICE, "unexpected UBA\n");
		if (c->blk & ISUP_BLK_LM)
			isup_cic_send_blo(c);
		return;
	case ISUP_UCIC:
		/* UCIC (Q.764, national option): the far end does not know the circuit; out of service, tell maintenance */
		isup_node_ctr_inc(node, ISUP_CTR_UCIC_RX);
		isup_node_ctr_inc(node, ISUP_CTR_MAINT_ALERTS);
		LOG_CIC(c, LOGL_NOTICE, "UCIC received: circuit unequipped at the far end, taken out of service "
			"(maintenance alerted)\n");
		c->unequipped = true;
		if (c->call && c->call->outgoing && !c->call->backward_seen && !c->call->up_released) {
			if (isup_call_reattempt(c->call, "UCIC"))
				return;
		}
		isup_cic_clear_call(c, 41);
		if (c->fi->state == ISUP_CIC_ST_RESETTING)
			osmo_fsm_inst_dispatch(c->fi, ISUP_CIC_EV_RESET_DONE, NULL);
		return;
	case ISUP_CFN:
		/* Q.764 §2.9.5: never answered; logged */
		isup_node_ctr_inc(node, ISUP_CTR_CFN_RX);
		LOG_CIC(c, LOGL_NOTICE, "CFN received, cause %u (%s)\n",
			isup_msg_has(m, ISUP_P_CAUSE) ? m->cause.value : 0,
			isup_msg_has(m, ISUP_P_CAUSE) ? get_value_string(isup_cause_names, m->cause.value) : "-");
		return;
	case ISUP_RLC:
		if (c->fi->state == ISUP_CIC_ST_RESETTING && (c->pend & ISUP_PEND_RLC)) {
			rx_rlc_resetting(c);
			return;
		}
		if (c->call) {
			isup_call_rx(c->call, m);
			return;
		}
		/* standards.md §3.4: an RLC on an idle circuit is discarded */
		LOG_CIC(c, LOGL_DEBUG, "RLC on an idle circuit discarded\n");
		return;
	case ISUP_REL:
		if (c->call) {
			isup_call_rx(c->call, m);
			return;
		}
		/* REL for a circuit we consider idle (or resetting): answer RLC, the far end wants it idle */
		LOG_CIC(c, LOGL_NOTICE, "REL on a circuit without call: answering RLC\n");
		isup_node_send_simple(c, ISUP_RLC);
		return;
	case ISUP_IAM:
		if (c->fi->state == ISUP_CIC_ST_RESETTING) {
			/* an IAM while awaiting RLC for our RSC is discarded (the far end has not seen the reset yet) */
			isup_node_ctr_inc(node, ISUP_CTR_RX_UNEXPECTED);
			LOG_CIC(c, LOGL_NOTICE, "IAM while resetting: discarded\n");
			return;
		}
		isup_call_rx_iam(c, m);
		return;
	case ISUP_CCR:
		if (c->call) {
			isup_call_rx(c->call, m);
			return;
		}
		isup_call_rx_ccr_idle(c);
		return;
	default:
		break;
	}

	if (c->call) {
		isup_call_rx(c->call, m);
		return;
	}
	if (is_call_msg(m->type)) {
		/* standards.md §3.4: a call message on an idle circuit: reset it */
		isup_node_ctr_inc(node, ISUP_CTR_RX_UNEXPECTED);
		LOG_CIC(c, LOGL_NOTICE, "unexpected %s on a circuit without call: resetting\n", isup_msg_name(m->type));
		if (c->fi->state != ISUP_CIC_ST_RESETTING)
			isup_cic_start_reset(c, false);
		return;
	}
	isup_node_ctr_inc(node, ISUP_CTR_RX_UNEXPECTED);
	LOG_CIC(c, LOGL_NOTICE, "%s not handled on this circuit: discarded\n", isup_msg_name(m->type));
}
