/* ISUP node: associations, trunk groups, routing of received messages to circuits, the transmit path, circuit
 * selection, dual seizure control, the group supervision procedures (GRS/GRA, CGB/CGBA, CGU/CGUA, CQM/CQR,
 * Q.764 §2.9.2-2.9.3) and the compatibility procedure for unrecognised messages and parameters
 * (Q.764 §2.9.5). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/stats.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>
#include <mgcf/log.h>

#include "isup/isup_node_int.h"
#include "isup/isup_timers.h"

#define ISUP_SI		5	/* Q.704 §14.2.1: service indicator of the ISDN user part */
#define ISUP_MSG_MAX	300	/* an ISUP message fits an MSU SIF (272 octets) */

/* Q.850 causes of the compatibility procedure (Q.764 §2.9.5) and of malformed messages */
#define CAUSE_TEMPORARY_FAILURE		41
#define CAUSE_MSG_TYPE_UNKNOWN		97
#define CAUSE_PARAM_DISCARDED		99
#define CAUSE_INVALID_IE		100
#define CAUSE_MSG_PARAM_DISCARDED	110
#define CAUSE_LOCATION			1	/* public network serving the local user */

static const struct rate_ctr_desc isup_ctr_desc[] = {
	[ISUP_CTR_RX_MSGS] = { "isup:rx_msgs", "ISUP messages received" },
	[ISUP_CTR_TX_MSGS] = { "isup:tx_msgs", "ISUP messages sent" },
	[ISUP_CTR_RX_ERRORS] = { "isup:rx_errors", "received messages that failed to decode" },
	[ISUP_CTR_RX_UNROUTED] = { "isup:rx_unrouted", "received messages for no trunk group (OPC/association)" },
	[ISUP_CTR_RX_UNKNOWN_MSG] = { "isup:rx_unknown_msgs", "received messages of unrecognised type" },
	[ISUP_CTR_RX_UNEXPECTED] = { "isup:rx_unexpected", "received messages unexpected in the circuit's state" },
	[ISUP_CTR_TX_ERRORS] = { "isup:tx_errors", "messages that could not be encoded or sent" },
	[ISUP_CTR_CFN_TX] = { "isup:cfn_tx", "CFN sent" },
	[ISUP_CTR_CFN_RX] = { "isup:cfn_rx", "CFN received" },
	[ISUP_CTR_UCIC_TX] = { "isup:ucic_tx", "UCIC sent (message for an unprovisioned CIC)" },
	[ISUP_CTR_UCIC_RX] = { "isup:ucic_rx", "UCIC received (circuit taken out of service)" },
	[ISUP_CTR_DUAL_SEIZURES] = { "isup:dual_seizures", "dual seizures (Q.764 §2.9.1.4)" },
	[ISUP_CTR_CALLS_OUT] = { "isup:calls_out", "outgoing calls (IAM sent)" },
	[ISUP_CTR_CALLS_IN] = { "isup:calls_in", "incoming calls (IAM received)" },
	[ISUP_CTR_CALLS_OUT_BUSY] = { "isup:calls_out_busy", "outgoing calls refused: no circuit" },
	[ISUP_CTR_REATTEMPTS] = { "isup:reattempts", "outgoing calls repeated on another circuit" },
	[ISUP_CTR_RSC_TX] = { "isup:rsc_tx", "RSC sent" },
	[ISUP_CTR_RSC_RX] = { "isup:rsc_rx", "RSC received" },
	[ISUP_CTR_GRS_TX] = { "isup:grs_tx", "GRS sent" },
	[ISUP_CTR_GRS_RX] = { "isup:grs_rx", "GRS received" },
	[ISUP_CTR_BLO_TX] = { "isup:blo_tx", "BLO sent" },
	[ISUP_CTR_BLO_RX] = { "isup:blo_rx", "BLO received" },
	[ISUP_CTR_CGB_TX] = { "isup:cgb_tx", "CGB sent" },
	[ISUP_CTR_CGB_RX] = { "isup:cgb_rx", "CGB received" },
	[ISUP_CTR_COT_FAILURES] = { "isup:cot_failures", "continuity check failures" },
	[ISUP_CTR_TIMER_EXPIRIES] = { "isup:timer_expiries", "Q.764 timer expiries" },
	[ISUP_CTR_MAINT_ALERTS] = { "isup:maint_alerts", "maintenance alerts (T5, T13.., UCIC, T33)" },
};

const struct rate_ctr_group_desc isup_node_ctrg_desc = {
	.group_name_prefix = "isup",
	.group_description = "ISUP node",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = ARRAY_SIZE(isup_ctr_desc),
	.ctr_desc = isup_ctr_desc,
};

void isup_node_opts_default(struct isup_node_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->send_ucic = true;
	o->run_t9 = true;
}

void isup_node_ctr_inc(struct isup_node *node, enum isup_node_ctr ctr)
{
	rate_ctr_inc2(node->ctrs, ctr);
}

struct rate_ctr_group *isup_node_ctrs(struct isup_node *node)
{
	return node->ctrs;
}

uint64_t isup_node_ctr(struct isup_node *node, enum isup_node_ctr ctr)
{
	return rate_ctr_group_get_ctr(node->ctrs, ctr)->current;
}

unsigned long isup_node_timer_s(struct isup_node *node, int T)
{
	return osmo_tdef_get(node->tdefs, T, OSMO_TDEF_S, -1);
}

static struct isup_assoc *find_assoc(struct isup_node *node, const char *name)
{
	struct isup_assoc *a;

	llist_for_each_entry(a, &node->assocs, list) {
		if (!strcmp(a->name, name))
			return a;
	}
	return NULL;
}

static struct isup_trunk *find_trunk(struct isup_node *node, const char *name)
{
	struct isup_trunk *t;

	llist_for_each_entry(t, &node->trunks, list) {
		if (!strcmp(t->name, name))
			return t;
	}
	return NULL;
}

struct isup_cic *isup_trunk_find_cic(struct isup_trunk *t, uint16_t cic)
{
	unsigned int lo = 0, hi = t->n_cics;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (t->cics[mid].cic == cic)
			return &t->cics[mid];
		if (t->cics[mid].cic < cic)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Q.764 §2.9.1.4: the exchange with the higher point code controls the even CICs, the other the odd ones. */
static int controlled_parity(const struct isup_trunk *t)
{
	return t->assoc->local_pc > t->dpc ? 0 : 1;
}

bool isup_cic_we_control(const struct isup_cic *c)
{
	return (c->cic & 1) == controlled_parity(c->trunk);
}

/* ---- transmit ---- */

static int node_tx(struct isup_trunk *t, uint16_t cic, struct msgb *msg)
{
	struct isup_node *node = t->node;
	struct m3ua_data_hdr hdr = {
		.opc = t->assoc->local_pc,
		.dpc = t->dpc,
		.si = ISUP_SI,
		.ni = t->assoc->ni,
		.mp = 0,
		.sls = cic & 0xf,
	};
	int rc;

	if (!t->assoc->active) {
		msgb_free(msg);
		rc = -ENOTCONN;
	} else if (node->ops->tx)
		rc = node->ops->tx(node, t->assoc->name, &hdr, msg, node->priv);
	else if (t->assoc->m3ua)
		rc = m3ua_assoc_send_data(t->assoc->m3ua, &hdr, msg);
	else {
		msgb_free(msg);
		rc = -ENOTCONN;
	}
	if (rc < 0) {
		isup_node_ctr_inc(node, ISUP_CTR_TX_ERRORS);
		LOGP(DISUP, LOGL_NOTICE, "%s-%u: sending failed: %s\n", t->name, cic, strerror(-rc));
		return rc;
	}
	isup_node_ctr_inc(node, ISUP_CTR_TX_MSGS);
	return 0;
}

int isup_node_send(struct isup_trunk *t, struct isup_msg *m)
{
	struct msgb *msg = msgb_alloc(ISUP_MSG_MAX, "isup-tx");
	int rc;

	if (!msg)
		return -ENOMEM;
	rc = isup_encode(msg, m);
	if (rc < 0) {
		msgb_free(msg);
		isup_node_ctr_inc(t->node, ISUP_CTR_TX_ERRORS);
		LOGP(DISUP, LOGL_ERROR, "%s-%u: cannot encode %s: %s\n", t->name, m->cic, isup_msg_name(m->type),
		     strerror(-rc));
		return rc;
	}
	LOGP(DISUP, LOGL_DEBUG, "%s-%u: tx %s\n", t->name, m->cic, isup_msg_name(m->type));
	return node_tx(t, m->cic, msg);
}

int isup_node_send_bytes(struct isup_trunk *t, uint16_t cic, const uint8_t *bytes, size_t len)
{
	struct msgb *msg = msgb_alloc(len + 16, "isup-tx");
	uint8_t *p;

	if (!msg)
		return -ENOMEM;
	p = msgb_put(msg, len);
	memcpy(p, bytes, len);
	p[0] = cic & 0xff;
	p[1] = (p[1] & 0xf0) | ((cic >> 8) & 0x0f);
	LOGP(DISUP, LOGL_DEBUG, "%s-%u: tx %s\n", t->name, cic, isup_msg_name(len > 2 ? bytes[2] : 0));
	return node_tx(t, cic, msg);
}

void isup_node_send_simple(struct isup_cic *c, uint8_t type)
{
	struct isup_msg m;

	if (type == ISUP_RLC)
		isup_build_rlc(&m, c->cic);
	else
		isup_build_simple(&m, type, c->cic);
	isup_node_send(c->trunk, &m);
}

static void send_cfn(struct isup_trunk *t, uint16_t cic, uint8_t cause, const uint8_t *diag, uint8_t diag_len)
{
	struct isup_msg m;

	isup_build_cfn(&m, cic, CAUSE_LOCATION, cause, diag, diag_len);
	isup_node_ctr_inc(t->node, ISUP_CTR_CFN_TX);
	isup_node_send(t, &m);
}

/* ---- circuit selection ---- */

static struct isup_cic *sel_scan(struct isup_trunk *t, bool descending, int parity)
{
	unsigned int i;

	for (i = 0; i < t->n_cics; i++) {
		struct isup_cic *c = &t->cics[descending ? t->n_cics - 1 - i : i];

		if (parity >= 0 && (c->cic & 1) != parity)
			continue;
		if (isup_cic_available(c))
			return c;
	}
	return NULL;
}

/*! Select an idle, unblocked, equipped circuit per the trunk group's hunting strategy (NULL: none). */
struct isup_cic *isup_trunk_select(struct isup_trunk *t)
{
	struct isup_cic *c = NULL, *best = NULL;
	unsigned int i;

	if (t->direction == ISUP_TRUNK_INCOMING || !t->n_cics)
		return NULL;
	switch (t->hunting) {
	case ISUP_HUNT_ASCENDING:
		return sel_scan(t, false, -1);
	case ISUP_HUNT_DESCENDING:
		return sel_scan(t, true, -1);
	case ISUP_HUNT_ODD:
		c = sel_scan(t, false, 1);
		return c ? c : sel_scan(t, false, 0);
	case ISUP_HUNT_EVEN:
		c = sel_scan(t, false, 0);
		return c ? c : sel_scan(t, false, 1);
	case ISUP_HUNT_ROUND_ROBIN:
		for (i = 0; i < t->n_cics; i++) {
			unsigned int idx = (t->rr_next + i) % t->n_cics;

			if (isup_cic_available(&t->cics[idx])) {
				t->rr_next = (idx + 1) % t->n_cics;
				return &t->cics[idx];
			}
		}
		return NULL;
	case ISUP_HUNT_LRU:
		for (i = 0; i < t->n_cics; i++) {
			c = &t->cics[i];
			if (isup_cic_available(c) && (!best || c->last_used < best->last_used))
				best = c;
		}
		return best;
	case ISUP_HUNT_CONTROLLED:
		/* Q.764 §2.9.1.4: prefer the circuits we control, the others from the other end of the group */
		c = sel_scan(t, false, controlled_parity(t));
		return c ? c : sel_scan(t, true, -1);
	}
	return NULL;
}

/* ---- group procedures we start ---- */

static void grp_send(struct isup_grp *g)
{
	struct isup_msg m;

	if (g->type == ISUP_GRS) {
		isup_build_grs(&m, g->cic, g->range);
		isup_node_ctr_inc(g->trunk->node, ISUP_CTR_GRS_TX);
	} else {
		isup_build_group(&m, g->type, g->cic, g->cgsmt, g->range, g->status);
		if (g->type == ISUP_CGB)
			isup_node_ctr_inc(g->trunk->node, ISUP_CTR_CGB_TX);
	}
	isup_node_send(g->trunk, &m);
}

static void grp_resend(struct isup_rep *r)
{
	grp_send(container_of(r, struct isup_grp, rep));
}

static void grp_free(struct isup_grp *g)
{
	isup_rep_stop(&g->rep);
	llist_del(&g->list);
	talloc_free(g);
}

/* A newer group procedure of the same kind over the same circuits replaces the older one. */
static void grp_cancel_overlapping(struct isup_trunk *t, uint8_t type, uint16_t cic, uint8_t range)
{
	struct isup_grp *g, *g2;

	llist_for_each_entry_safe(g, g2, &t->node->grps, list) {
		if (g->trunk != t)
			continue;
		if ((type == ISUP_GRS) != (g->type == ISUP_GRS))
			continue;
		if (g->cic + g->range < cic || cic + range < g->cic)
			continue;
		grp_free(g);
	}
}

static struct isup_grp *grp_start(struct isup_trunk *t, uint8_t type, uint16_t cic, uint8_t range, uint8_t cgsmt,
				  uint32_t status)
{
	struct isup_grp *g = talloc_zero(t->node, struct isup_grp);
	int ts, tl;

	if (!g)
		return NULL;
	grp_cancel_overlapping(t, type, cic, range);
	g->trunk = t;
	g->type = type;
	g->cic = cic;
	g->range = range;
	g->cgsmt = cgsmt;
	g->status = status;
	switch (type) {
	case ISUP_GRS:
		ts = 22, tl = 23;
		break;
	case ISUP_CGB:
		ts = 18, tl = 19;
		break;
	default:
		ts = 20, tl = 21;
		break;
	}
	isup_rep_init(&g->rep, t->node, isup_msg_name(type), ts, tl, grp_resend);
	llist_add_tail(&g->list, &t->node->grps);
	grp_send(g);
	isup_rep_start(&g->rep);
	return g;
}

static struct isup_grp *grp_find(struct isup_trunk *t, uint8_t type, uint16_t cic, uint8_t range)
{
	struct isup_grp *g;

	llist_for_each_entry(g, &t->node->grps, list) {
		if (g->trunk == t && g->type == type && g->cic == cic && g->range == range)
			return g;
	}
	return NULL;
}

/* GRS over first..first+range; range >= 1 (Q.763 §3.43). */
static void send_grs(struct isup_trunk *t, uint16_t first, uint8_t range)
{
	unsigned int i;

	for (i = 0; i <= range; i++) {
		struct isup_cic *c = isup_trunk_find_cic(t, first + i);

		if (!c)
			continue;
		isup_cic_clear_call(c, CAUSE_TEMPORARY_FAILURE);
		/* local blocking is sent again after the GRA */
		isup_rep_stop(&c->blo);
		isup_rep_stop(&c->ubl);
		c->pend &= ~(ISUP_PEND_BLA | ISUP_PEND_UBA);
		osmo_fsm_inst_dispatch(c->fi, ISUP_CIC_EV_GRS_SENT, NULL);
	}
	LOGP(DCIC, LOGL_INFO, "%s: GRS for CIC %u..%u\n", t->name, first, first + range);
	grp_start(t, ISUP_GRS, first, range, 0, 0);
}

/* Reset every circuit of a trunk group: GRS over runs of consecutive CICs (at most 32 per GRS), RSC for a CIC
 * without neighbour. */
static void reset_trunk(struct isup_trunk *t)
{
	unsigned int i = 0;

	while (i < t->n_cics) {
		unsigned int j = i;

		while (j + 1 < t->n_cics && t->cics[j + 1].cic == t->cics[j].cic + 1 && j + 1 - i < 32)
			j++;
		if (j == i)
			isup_cic_start_reset(&t->cics[i], false);
		else
			send_grs(t, t->cics[i].cic, j - i);
		i = j + 1;
	}
}

/* After a GRA: circuits we block locally are blocked again at the far end (Q.764 §2.9.3). */
static void reblock_after_gra(struct isup_trunk *t, uint16_t first, uint8_t range)
{
	uint32_t lm = 0, lh = 0;
	unsigned int i, n_lm = 0;
	struct isup_cic *one = NULL;

	for (i = 0; i <= range; i++) {
		struct isup_cic *c = isup_trunk_find_cic(t, first + i);

		if (!c)
			continue;
		if (c->blk & ISUP_BLK_LM) {
			lm |= 1u << i;
			n_lm++;
			one = c;
		}
		if (c->blk & ISUP_BLK_LH)
			lh |= 1u << i;
	}
	if (n_lm == 1) {
		isup_cic_send_blo(one);
	} else if (n_lm > 1) {
		for (i = 0; i <= range; i++) {
			struct isup_cic *c = isup_trunk_find_cic(t, first + i);

			if (c && (lm & (1u << i)))
				c->pend |= ISUP_PEND_CGBA;
		}
		grp_start(t, ISUP_CGB, first, range, 0, lm);
	}
	if (lh) {
		for (i = 0; i <= range; i++) {
			struct isup_cic *c = isup_trunk_find_cic(t, first + i);

			if (c && (lh & (1u << i)))
				c->pend |= ISUP_PEND_CGBA;
		}
		grp_start(t, ISUP_CGB, first, range, 1, lh);
	}
}

/* ---- group messages received ---- */

static bool range_ok(const struct isup_msg *m, bool need_status)
{
	/* Q.763 §3.43: 1..31 for the group messages; status bits for range + 1 circuits */
	if (m->rs.range < 1 || m->rs.range > 31)
		return false;
	if (need_status && m->rs.status_len < (m->rs.range + 1 + 7) / 8)
		return false;
	return true;
}

static void rx_grs(struct isup_trunk *t, const struct isup_msg *m)
{
	uint32_t status = 0;
	unsigned int i;
	struct isup_msg a;

	isup_node_ctr_inc(t->node, ISUP_CTR_GRS_RX);
	if (!range_ok(m, false)) {
		/* Q.764 §2.9.3: a GRS with a range out of bounds is discarded */
		isup_node_ctr_inc(t->node, ISUP_CTR_RX_ERRORS);
		LOGP(DCIC, LOGL_NOTICE, "%s: GRS with range %u discarded\n", t->name, m->rs.range);
		return;
	}
	LOGP(DCIC, LOGL_INFO, "%s: GRS received for CIC %u..%u\n", t->name, m->cic, m->cic + m->rs.range);
	for (i = 0; i <= m->rs.range; i++) {
		struct isup_cic *c = isup_trunk_find_cic(t, m->cic + i);

		if (!c)
			continue;
		isup_cic_clear_call(c, CAUSE_TEMPORARY_FAILURE);
		c->blk &= ~(ISUP_BLK_RM | ISUP_BLK_RH);
		c->unequipped = false;
		/* our own RSC for it is answered by the reset */
		if (c->fi->state == ISUP_CIC_ST_RESETTING && (c->pend & ISUP_PEND_RLC))
			osmo_fsm_inst_dispatch(c->fi, ISUP_CIC_EV_RESET_DONE, NULL);
		if (c->blk & ISUP_BLK_LM)
			status |= 1u << i;
	}
	isup_build_group(&a, ISUP_GRA, m->cic, 0, m->rs.range, status);
	isup_node_send(t, &a);
}

static void rx_gra(struct isup_trunk *t, const struct isup_msg *m)
{
	struct isup_grp *g = grp_find(t, ISUP_GRS, m->cic, m->rs.range);
	unsigned int i;

	if (!g || !range_ok(m, true)) {
		isup_node_ctr_inc(t->node, ISUP_CTR_RX_UNEXPECTED);
		LOGP(DCIC, LOGL_NOTICE, "%s: unexpected GRA for CIC %u range %u discarded\n", t->name, m->cic,
		     m->rs.range);
		return;
	}
	grp_free(g);
	for (i = 0; i <= m->rs.range; i++) {
		struct isup_cic *c = isup_trunk_find_cic(t, m->cic + i);

		if (!c)
			continue;
		/* Q.764 §2.9.3: a status bit marks a circuit the far end blocks for maintenance */
		if (isup_rs_status_bit(&m->rs, i))
			c->blk |= ISUP_BLK_RM;
		else
			c->blk &= ~ISUP_BLK_RM;
		c->blk &= ~ISUP_BLK_RH;
		if (c->pend & ISUP_PEND_GRA)
			osmo_fsm_inst_dispatch(c->fi, ISUP_CIC_EV_RESET_DONE, NULL);
	}
	LOGP(DCIC, LOGL_INFO, "%s: GRA for CIC %u..%u: reset complete\n", t->name, m->cic, m->cic + m->rs.range);
	reblock_after_gra(t, m->cic, m->rs.range);
}

static void rx_cgb_cgu(struct isup_trunk *t, const struct isup_msg *m)
{
	bool block = m->type == ISUP_CGB;
	bool hw = m->cgsmt == 1;
	uint8_t flag = hw ? ISUP_BLK_RH : ISUP_BLK_RM;
	uint32_t ack = 0;
	unsigned int i;
	struct isup_msg a;

	if (block)
		isup_node_ctr_inc(t->node, ISUP_CTR_CGB_RX);
	if (!range_ok(m, true) || m->cgsmt > 1) {
		isup_node_ctr_inc(t->node, ISUP_CTR_RX_ERRORS);
		LOGP(DCIC, LOGL_NOTICE, "%s: %s with range %u / type %u discarded\n", t->name, isup_msg_name(m->type),
		     m->rs.range, m->cgsmt);
		return;
	}
	for (i = 0; i <= m->rs.range; i++) {
		struct isup_cic *c;

		if (!isup_rs_status_bit(&m->rs, i))
			continue;
		c = isup_trunk_find_cic(t, m->cic + i);
		if (!c)
			continue;
		ack |= 1u << i;
		if (block) {
			c->blk |= flag;
			/* Q.764 §2.9.2: hardware failure oriented blocking releases the calls at once */
			if (hw)
				isup_cic_clear_call(c, CAUSE_TEMPORARY_FAILURE);
		} else {
			c->blk &= ~flag;
		}
	}
	LOGP(DCIC, LOGL_INFO, "%s: %s (%s) for CIC %u range %u status 0x%x\n", t->name, isup_msg_name(m->type),
	     hw ? "hardware" : "maintenance", m->cic, m->rs.range, ack);
	isup_build_group(&a, block ? ISUP_CGBA : ISUP_CGUA, m->cic, m->cgsmt, m->rs.range, ack);
	isup_node_send(t, &a);
}

static void rx_cgba_cgua(struct isup_trunk *t, const struct isup_msg *m)
{
	uint8_t type = m->type == ISUP_CGBA ? ISUP_CGB : ISUP_CGU;
	uint8_t pend = m->type == ISUP_CGBA ? ISUP_PEND_CGBA : ISUP_PEND_CGUA;
	struct isup_grp *g = grp_find(t, type, m->cic, m->rs.range);
	uint32_t got = 0;
	unsigned int i;

	if (!g || !range_ok(m, true) || m->cgsmt != g->cgsmt) {
		isup_node_ctr_inc(t->node, ISUP_CTR_RX_UNEXPECTED);
		LOGP(DCIC, LOGL_NOTICE, "%s: unexpected %s for CIC %u range %u discarded\n", t->name,
		     isup_msg_name(m->type), m->cic, m->rs.range);
		return;
	}
	for (i = 0; i <= m->rs.range; i++) {
		if (isup_rs_status_bit(&m->rs, i))
			got |= 1u << i;
	}
	if (got != g->status) {
		/* Q.764 §2.9.3: keep repeating (the timers run on) and tell maintenance */
		isup_node_ctr_inc(t->node, ISUP_CTR_MAINT_ALERTS);
		LOGP(DCIC, LOGL_NOTICE, "%s: %s status 0x%x does not acknowledge 0x%x (maintenance alerted)\n", t->name,
		     isup_msg_name(m->type), got, g->status);
		return;
	}
	for (i = 0; i <= m->rs.range; i++) {
		struct isup_cic *c = isup_trunk_find_cic(t, m->cic + i);

		if (c)
			c->pend &= ~pend;
	}
	grp_free(g);
}

/* Q.763 §3.14: circuit state indicator of one circuit */
static uint8_t cqr_state(const struct isup_cic *c)
{
	uint8_t v = 0;

	if (!c || c->unequipped)
		return 0x03;		/* DC 00, BA 11: unequipped */
	if (c->fi->state == ISUP_CIC_ST_RESETTING ||
	    (c->call && c->call->fi->state == ISUP_CALL_ST_RELEASING))
		return 0x00;		/* transient */
	if (c->blk & ISUP_BLK_LM)
		v |= 0x01;
	if (c->blk & ISUP_BLK_RM)
		v |= 0x02;
	if (c->blk & ISUP_BLK_LH)
		v |= 0x10;
	if (c->blk & ISUP_BLK_RH)
		v |= 0x20;
	if (c->fi->state == ISUP_CIC_ST_BUSY_IN)
		v |= 0x04;
	else if (c->fi->state == ISUP_CIC_ST_BUSY_OUT)
		v |= 0x08;
	else
		v |= 0x0c;
	return v;
}

static void rx_cqm(struct isup_trunk *t, const struct isup_msg *m)
{
	uint8_t csi[32];
	unsigned int i;
	struct isup_msg r;

	if (m->rs.range > 31) {
		isup_node_ctr_inc(t->node, ISUP_CTR_RX_ERRORS);
		return;
	}
	for (i = 0; i <= m->rs.range; i++)
		csi[i] = cqr_state(isup_trunk_find_cic(t, m->cic + i));
	isup_msg_init(&r, ISUP_CQR, m->cic);
	r.rs.range = m->rs.range;
	r.rs.status_len = 0;
	isup_msg_set(&r, ISUP_P_RANGE_STATUS);
	/* the circuit state indicator is untyped: second mandatory (variable) parameter of CQR */
	r.mand[1].data = csi;
	r.mand[1].len = m->rs.range + 1;
	isup_node_send(t, &r);
}

/* ---- compatibility (Q.764 §2.9.5) ---- */

/* Q.763 §3.33: message compatibility information, first octet */
static void mci_from_octet(struct isup_instr *in, uint8_t v)
{
	memset(in, 0, sizeof(*in));
	in->transit = v & 0x01;
	in->release_call = v & 0x02;
	in->send_notification = v & 0x04;
	in->discard_msg = v & 0x08;
	in->pass_on_not_possible = (v >> 4) & 0x01;
}

/* An unrecognised message is read in the general format of new messages (Q.764 §2.9.5): no mandatory part, a
 * pointer, then name/length/value triples.  Find its message compatibility information.  \returns true if found. */
static bool unknown_msg_mci(const uint8_t *buf, size_t len, struct isup_instr *in)
{
	size_t q;

	if (len < 4 || !buf[3])
		return false;
	q = 3 + buf[3];
	while (q + 1 < len && buf[q] != ISUP_P_END_OF_OPTIONAL) {
		uint8_t code = buf[q], l = buf[q + 1];

		if (q + 2 + l > len)
			return false;
		if (code == ISUP_P_MCI && l >= 1) {
			mci_from_octet(in, buf[q + 2]);
			return true;
		}
		q += 2 + l;
	}
	return false;
}

static void rx_unknown_msg(struct isup_trunk *t, struct isup_cic *c, const uint8_t *buf, size_t len)
{
	uint8_t type = buf[2];
	struct isup_instr in;
	bool release = false, notify = true;

	isup_node_ctr_inc(t->node, ISUP_CTR_RX_UNKNOWN_MSG);
	if (unknown_msg_mci(buf, len, &in)) {
		/* we are an end node: "pass on" is not possible, so the pass-on-not-possible indicator decides */
		if (in.release_call)
			release = true;
		else if (in.discard_msg || in.pass_on_not_possible)
			release = false;
		else
			release = true;
		notify = in.send_notification;
	}
	LOGP(DISUP, LOGL_NOTICE, "%s-%u: unrecognised message type 0x%02x: %s%s\n", t->name, c->cic, type,
	     release ? "releasing the call" : "discarded", notify ? ", notifying" : "");
	if (release && c->call && !c->call->retest && c->call->fi->state != ISUP_CALL_ST_RELEASING) {
		isup_call_release_internal(c->call, CAUSE_MSG_TYPE_UNKNOWN, true);
		return;
	}
	if (notify)
		send_cfn(t, c->cic, CAUSE_MSG_TYPE_UNKNOWN, &type, 1);
}

/* Unrecognised parameters of a recognised message. \returns true if the message is to be processed. */
static bool check_unknown_params(struct isup_trunk *t, struct isup_cic *c, const struct isup_msg *m)
{
	uint8_t diag_disc[ISUP_MAX_OPT], diag_msg[ISUP_MAX_OPT];
	unsigned int i, n_disc = 0, n_msg = 0;
	bool release = false, discard_msg = false;

	for (i = 0; i < m->n_raw; i++) {
		const struct isup_raw_param *r = &m->raw[i];

		if (r->known)
			continue;
		if (!r->has_instr) {
			/* no instructions: discard the parameter, notify (cause 99) */
			diag_disc[n_disc++] = r->code;
			continue;
		}
		if (r->instr.release_call) {
			release = true;
		} else if (r->instr.discard_msg) {
			discard_msg = true;
			if (r->instr.send_notification)
				diag_msg[n_msg++] = r->code;
		} else if (r->instr.discard_param) {
			if (r->instr.send_notification)
				diag_disc[n_disc++] = r->code;
		} else {
			/* "pass on", impossible at an end node: the pass-on-not-possible indicator decides */
			switch (r->instr.pass_on_not_possible) {
			case 0:
				release = true;
				break;
			case 1:
				discard_msg = true;
				if (r->instr.send_notification)
					diag_msg[n_msg++] = r->code;
				break;
			default:
				if (r->instr.send_notification)
					diag_disc[n_disc++] = r->code;
				break;
			}
		}
	}
	if (release && m->type != ISUP_REL && m->type != ISUP_RLC) {
		LOGP(DISUP, LOGL_NOTICE, "%s-%u: %s with an unrecognised parameter: releasing (cause 99)\n", t->name,
		     c->cic, isup_msg_name(m->type));
		if (c->call && !c->call->retest && c->call->fi->state != ISUP_CALL_ST_RELEASING) {
			isup_call_release_internal(c->call, CAUSE_PARAM_DISCARDED, true);
			return false;
		}
		if (m->type == ISUP_IAM && !c->call && c->fi->state == ISUP_CIC_ST_IDLE) {
			/* no call yet: take the circuit and release it */
			struct isup_call *call = isup_call_alloc(c, false);

			if (call) {
				call->up_released = true;
				osmo_fsm_inst_dispatch(c->fi, ISUP_CIC_EV_SEIZE_IN, NULL);
				isup_call_release_internal(call, CAUSE_PARAM_DISCARDED, false);
			}
			return false;
		}
		discard_msg = true;
	}
	if (m->type == ISUP_CFN)
		return !discard_msg;	/* never a CFN for a CFN */
	if (discard_msg) {
		LOGP(DISUP, LOGL_NOTICE, "%s-%u: %s with an unrecognised parameter discarded\n", t->name, c->cic,
		     isup_msg_name(m->type));
		if (n_msg)
			send_cfn(t, c->cic, CAUSE_MSG_PARAM_DISCARDED, diag_msg, n_msg);
		return false;
	}
	if (n_disc) {
		LOGP(DISUP, LOGL_NOTICE, "%s-%u: %s: %u unrecognised parameter(s) discarded\n", t->name, c->cic,
		     isup_msg_name(m->type), n_disc);
		send_cfn(t, c->cic, CAUSE_PARAM_DISCARDED, diag_disc, n_disc);
	}
	return true;
}

/* A message that failed to decode: Q.764 §2.9.5 answers with CFN or release with a cause of 95..111; 100 "invalid
 * information element contents" is the one that fits a parameter that does not parse. */
static void rx_malformed(struct isup_trunk *t, struct isup_cic *c, const uint8_t *buf, size_t len,
			 const struct isup_decode_err *err)
{
	uint8_t type = buf[2];
	struct isup_msg fake;

	LOGP(DISUP, LOGL_NOTICE, "%s-%u: malformed %s at octet %zu: %s\n", t->name, c->cic, isup_msg_name(type),
	     err->offset, err->reason ? err->reason : "?");
	switch (type) {
	case ISUP_IAM:
		/* a call we cannot understand: take the circuit and release it, "invalid information element
		 * contents" (the peer answers RLC and the circuit is idle again) */
		if (c->call || c->fi->state != ISUP_CIC_ST_IDLE) {
			send_cfn(t, c->cic, CAUSE_INVALID_IE, &type, 1);
			return;
		}
		{
			struct isup_call *call = isup_call_alloc(c, false);

			if (!call)
				return;
			call->up_released = true;
			osmo_fsm_inst_dispatch(c->fi, ISUP_CIC_EV_SEIZE_IN, NULL);
			isup_call_release_internal(call, CAUSE_INVALID_IE, false);
		}
		return;
	case ISUP_REL:
		/* the peer wants the circuit released whatever its cause says: do so, so nothing stays busy */
		isup_msg_init(&fake, ISUP_REL, c->cic);
		isup_cic_rx(c, &fake);
		return;
	case ISUP_RLC:
		isup_msg_init(&fake, ISUP_RLC, c->cic);
		isup_cic_rx(c, &fake);
		return;
	case ISUP_CFN:
		return;		/* never a CFN for a CFN */
	case ISUP_GRS: case ISUP_GRA: case ISUP_CGB: case ISUP_CGBA: case ISUP_CGU: case ISUP_CGUA: case ISUP_CQM:
	case ISUP_CQR:
		/* Q.764 §2.9.3: group supervision messages with bad contents are discarded */
		return;
	default:
		send_cfn(t, c->cic, CAUSE_INVALID_IE, &type, 1);
		return;
	}
}

/* ---- receive ---- */

static void send_ucic(struct isup_trunk *t, uint16_t cic)
{
	struct isup_msg m;

	isup_node_ctr_inc(t->node, ISUP_CTR_UCIC_TX);
	isup_build_simple(&m, ISUP_UCIC, cic);
	isup_node_send(t, &m);
}

int isup_node_rx(struct isup_node *node, const char *assoc, const struct m3ua_data_hdr *hdr, const uint8_t *data,
		 size_t len)
{
	struct isup_assoc *a = find_assoc(node, assoc);
	struct isup_trunk *t, *dpc_trunk = NULL, *trunk = NULL;
	struct isup_decode_err err = { 0 };
	struct isup_msg *m;
	struct isup_cic *c = NULL;
	uint16_t cic;
	int rc;

	if (!a)
		return -ENOENT;
	isup_node_ctr_inc(node, ISUP_CTR_RX_MSGS);
	if (hdr->si != ISUP_SI || len < 3) {
		isup_node_ctr_inc(node, ISUP_CTR_RX_ERRORS);
		LOGP(DISUP, LOGL_NOTICE, "%s: SI %u / %zu octets: not an ISUP message, discarded\n", assoc, hdr->si,
		     len);
		return 0;
	}
	cic = data[0] | (data[1] & 0x0f) << 8;
	llist_for_each_entry(t, &node->trunks, list) {
		if (t->assoc != a || t->dpc != hdr->opc)
			continue;
		if (!dpc_trunk)
			dpc_trunk = t;
		c = isup_trunk_find_cic(t, cic);
		if (c) {
			trunk = t;
			break;
		}
	}
	if (!dpc_trunk) {
		isup_node_ctr_inc(node, ISUP_CTR_RX_UNROUTED);
		LOGP(DISUP, LOGL_NOTICE, "%s: message from OPC %u for no trunk group, discarded\n", assoc, hdr->opc);
		return 0;
	}
	if (!trunk) {
		LOGP(DISUP, LOGL_NOTICE, "%s: %s for unprovisioned CIC %u from OPC %u%s\n", assoc,
		     isup_msg_name(data[2]), cic, hdr->opc, node->opts.send_ucic ? ": UCIC" : "");
		isup_node_ctr_inc(node, ISUP_CTR_RX_UNROUTED);
		/* never a UCIC for a UCIC (or for a CFN) */
		if (node->opts.send_ucic && data[2] != ISUP_UCIC && data[2] != ISUP_CFN)
			send_ucic(dpc_trunk, cic);
		return 0;
	}

	if (node->rx_busy) {
		m = talloc(node, struct isup_msg);
		if (!m)
			return -ENOMEM;
	} else {
		m = node->rx_msg;
		node->rx_busy = true;
	}
	rc = isup_decode(m, data, len, &err);
	if (rc == -ENOMSG) {
		rx_unknown_msg(trunk, c, data, len);
		goto out;
	}
	if (rc < 0) {
		isup_node_ctr_inc(node, ISUP_CTR_RX_ERRORS);
		rx_malformed(trunk, c, data, len, &err);
		goto out;
	}
	LOGP(DISUP, LOGL_DEBUG, "%s-%u: rx %s\n", trunk->name, cic, isup_msg_name(m->type));
	if (m->n_raw && !check_unknown_params(trunk, c, m))
		goto out;

	switch (m->type) {
	case ISUP_GRS:
		rx_grs(trunk, m);
		break;
	case ISUP_GRA:
		rx_gra(trunk, m);
		break;
	case ISUP_CGB:
	case ISUP_CGU:
		rx_cgb_cgu(trunk, m);
		break;
	case ISUP_CGBA:
	case ISUP_CGUA:
		rx_cgba_cgua(trunk, m);
		break;
	case ISUP_CQM:
		rx_cqm(trunk, m);
		break;
	case ISUP_CQR:
		LOGP(DCIC, LOGL_INFO, "%s-%u: CQR received\n", trunk->name, cic);
		break;
	default:
		isup_cic_rx(c, m);
		break;
	}
out:
	if (m == node->rx_msg)
		node->rx_busy = false;
	else
		talloc_free(m);
	return 0;
}

/* ---- associations ---- */

static void assoc_went_down(struct isup_assoc *a)
{
	struct isup_node *node = a->node;
	struct isup_trunk *t;
	struct isup_grp *g, *g2;
	unsigned int i;

	llist_for_each_entry_safe(g, g2, &node->grps, list) {
		if (g->trunk->assoc == a)
			grp_free(g);
	}
	llist_for_each_entry(t, &node->trunks, list) {
		if (t->assoc != a)
			continue;
		for (i = 0; i < t->n_cics; i++) {
			struct isup_cic *c = &t->cics[i];

			isup_cic_clear_call(c, CAUSE_TEMPORARY_FAILURE);
			isup_rep_stop(&c->blo);
			isup_rep_stop(&c->ubl);
			c->pend = 0;
			if (c->fi->state == ISUP_CIC_ST_RESETTING)
				osmo_fsm_inst_dispatch(c->fi, ISUP_CIC_EV_RESET_DONE, NULL);
		}
	}
}

static void assoc_went_up(struct isup_assoc *a)
{
	struct isup_trunk *t;

	if (!a->reset_on_active && !a->was_active)
		return;
	llist_for_each_entry(t, &a->node->trunks, list) {
		if (t->assoc == a)
			reset_trunk(t);
	}
}

int isup_node_assoc_state(struct isup_node *node, const char *assoc, bool active)
{
	struct isup_assoc *a = find_assoc(node, assoc);

	if (!a)
		return -ENOENT;
	if (node->freeing)
		return 0;
	if (a->active == active)
		return 0;
	a->active = active;
	LOGP(DISUP, LOGL_NOTICE, "association %s %s\n", a->name, active ? "active" : "down");
	if (active) {
		assoc_went_up(a);
	} else {
		assoc_went_down(a);
		a->was_active = true;
	}
	if (node->ops->assoc_state)
		node->ops->assoc_state(node, a->name, active, node->priv);
	return 0;
}

static void m3ua_state_changed(struct m3ua_assoc *m3, bool active, void *priv)
{
	struct isup_assoc *a = priv;

	isup_node_assoc_state(a->node, a->name, active);
}

static void m3ua_data_ind(struct m3ua_assoc *m3, const struct m3ua_data_hdr *hdr, const uint8_t *data, size_t len,
			  void *priv)
{
	struct isup_assoc *a = priv;

	isup_node_rx(a->node, a->name, hdr, data, len);
}

static const struct m3ua_assoc_ops node_m3ua_ops = {
	.state_changed = m3ua_state_changed,
	.data_ind = m3ua_data_ind,
};

struct m3ua_assoc *isup_node_m3ua(struct isup_node *node, const char *assoc)
{
	struct isup_assoc *a = find_assoc(node, assoc);

	return a ? a->m3ua : NULL;
}

/* ---- node ---- */

static int cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static int trunk_alloc(struct isup_node *node, const struct isup_trunk_cfg *tc)
{
	struct isup_trunk *t = talloc_zero(node, struct isup_trunk);
	uint16_t *list;
	unsigned int i, j, n = 0;

	if (!t)
		return -ENOMEM;
	t->node = node;
	t->name = talloc_strdup(t, tc->name);
	t->id_name = talloc_strdup(t, tc->name);
	if (!t->name || !t->id_name) {
		talloc_free(t);
		return -ENOMEM;
	}
	osmo_identifier_sanitize_buf(t->id_name, NULL, '_');
	t->assoc = find_assoc(node, tc->assoc ? tc->assoc->name : tc->assoc_name);
	if (!t->assoc) {
		LOGP(DISUP, LOGL_ERROR, "trunk %s: unknown association %s\n", tc->name, tc->assoc_name);
		talloc_free(t);
		return -EINVAL;
	}
	t->dpc = tc->dpc;
	t->hunting = tc->hunting;
	t->direction = tc->direction;
	t->n_cics = isup_trunk_cfg_num_cics(tc);
	list = talloc_array(t, uint16_t, t->n_cics ? t->n_cics : 1);
	t->cics = talloc_zero_array(t, struct isup_cic, t->n_cics ? t->n_cics : 1);
	if (!list || !t->cics) {
		talloc_free(t);
		return -ENOMEM;
	}
	for (i = 0; i < tc->num_cic_ranges; i++) {
		for (j = tc->cics[i].first; j <= tc->cics[i].last; j++)
			list[n++] = j;
	}
	qsort(list, n, sizeof(*list), cmp_u16);
	llist_add_tail(&t->list, &node->trunks);
	for (i = 0; i < n; i++) {
		if (isup_cic_init(&t->cics[i], t, list[i]) < 0) {
			t->n_cics = i;
			return -ENOMEM;
		}
	}
	talloc_free(list);
	return 0;
}

struct isup_node *isup_node_alloc(void *ctx, const struct isup_cfg *cfg, const struct isup_node_opts *opts,
				  const struct isup_node_ops *ops, void *priv, struct osmo_tdef *tdefs)
{
	static const struct isup_node_ops no_ops;
	struct isup_node *node = talloc_zero(ctx, struct isup_node);
	struct m3ua_assoc_cfg *ac;
	struct isup_trunk_cfg *tc;
	unsigned int idx = 0;

	if (!node)
		return NULL;
	INIT_LLIST_HEAD(&node->assocs);
	INIT_LLIST_HEAD(&node->trunks);
	INIT_LLIST_HEAD(&node->calls);
	INIT_LLIST_HEAD(&node->grps);
	node->priv = priv;
	node->ops = ops ? ops : &no_ops;
	if (opts)
		node->opts = *opts;
	else
		isup_node_opts_default(&node->opts);
	node->tdefs = tdefs ? tdefs : isup_tdefs;
	while (rate_ctr_get_group_by_name_idx(isup_node_ctrg_desc.group_name_prefix, idx))
		idx++;
	node->ctrs = rate_ctr_group_alloc(node, &isup_node_ctrg_desc, idx);
	node->rx_msg = talloc(node, struct isup_msg);
	if (!node->ctrs || !node->rx_msg)
		goto fail;

	llist_for_each_entry(ac, &cfg->assocs, list) {
		struct isup_assoc *a = talloc_zero(node, struct isup_assoc);

		if (!a)
			goto fail;
		a->node = node;
		a->name = talloc_strdup(a, ac->name);
		a->local_pc = ac->local_pc;
		a->ni = ac->network_indicator;
		a->reset_on_active = ac->reset_circuits_on_active;
		llist_add_tail(&a->list, &node->assocs);
		if (!node->opts.no_m3ua) {
			a->m3ua = m3ua_assoc_alloc(a, ac, &node_m3ua_ops, a);
			if (!a->m3ua)
				goto fail;
		}
	}
	llist_for_each_entry(tc, &cfg->trunks, list) {
		if (trunk_alloc(node, tc) < 0)
			goto fail;
	}
	return node;
fail:
	isup_node_free(node);
	return NULL;
}

int isup_node_start(struct isup_node *node)
{
	struct isup_assoc *a;
	int rc, first = 0;

	llist_for_each_entry(a, &node->assocs, list) {
		if (!a->m3ua)
			continue;
		rc = m3ua_assoc_start(a->m3ua);
		if (rc < 0 && !first)
			first = rc;
	}
	return first;
}

void isup_node_free(struct isup_node *node)
{
	struct isup_call *call, *call2;
	struct isup_grp *g, *g2;
	struct isup_trunk *t;
	struct isup_assoc *a;
	unsigned int i;

	if (!node)
		return;
	llist_for_each_entry_safe(call, call2, &node->calls, list) {
		call->leave_cic = true;
		isup_call_abort(call, CAUSE_TEMPORARY_FAILURE);
	}
	/* the associations report going down while they are freed: nobody listens any more */
	node->freeing = true;
	llist_for_each_entry(a, &node->assocs, list) {
		if (a->m3ua) {
			m3ua_assoc_free(a->m3ua);
			a->m3ua = NULL;
		}
	}
	llist_for_each_entry_safe(g, g2, &node->grps, list)
		grp_free(g);
	llist_for_each_entry(t, &node->trunks, list) {
		for (i = 0; i < t->n_cics; i++)
			isup_cic_fini(&t->cics[i]);
	}
	if (node->ctrs)
		rate_ctr_group_free(node->ctrs);
	talloc_free(node);
}

unsigned int isup_node_num_calls(struct isup_node *node)
{
	return llist_count(&node->calls);
}

int isup_trunk_can_setup(struct isup_node *node, const char *trunk)
{
	struct isup_trunk *t = find_trunk(node, trunk);
	unsigned int i;

	if (!t)
		return -ENOENT;
	if (!t->assoc->active)
		return -ENETDOWN;
	if (t->direction == ISUP_TRUNK_INCOMING)
		return -EBUSY;
	/* as isup_trunk_select() would find, without moving a round-robin position */
	for (i = 0; i < t->n_cics; i++) {
		if (isup_cic_available(&t->cics[i]))
			return 0;
	}
	return -EBUSY;
}

/* ---- maintenance ---- */

static int maint_range(struct isup_node *node, const char *trunk, uint16_t first, uint16_t last,
		       struct isup_trunk **tp)
{
	struct isup_trunk *t = find_trunk(node, trunk);

	if (!t)
		return -ENOENT;
	if (last < first || last - first > 31 || !isup_trunk_find_cic(t, first) || !isup_trunk_find_cic(t, last))
		return -ERANGE;
	*tp = t;
	return 0;
}

static int block_unblock(struct isup_node *node, const char *trunk, uint16_t first, uint16_t last, bool hw,
			 bool block)
{
	uint8_t flag = hw ? ISUP_BLK_LH : ISUP_BLK_LM;
	struct isup_trunk *t;
	uint32_t status = 0;
	unsigned int i, range;
	int rc = maint_range(node, trunk, first, last, &t);

	if (rc < 0)
		return rc;
	range = last - first;
	if (!hw && range == 0) {
		struct isup_cic *c = isup_trunk_find_cic(t, first);

		if (block) {
			c->blk |= ISUP_BLK_LM;
			isup_node_ctr_inc(node, ISUP_CTR_BLO_TX);
			isup_cic_send_blo(c);
		} else {
			c->blk &= ~ISUP_BLK_LM;
			isup_cic_send_ubl(c);
		}
		return 0;
	}
	/* hardware blocking of a single circuit: a range of 1 with only the first status bit set (Q.763 §3.43:
	 * range 0 is not allowed for CGB/CGU) */
	if (range == 0)
		range = 1;
	for (i = 0; i <= range; i++) {
		struct isup_cic *c = isup_trunk_find_cic(t, first + i);

		if (!c || first + i > last)
			continue;
		status |= 1u << i;
		if (block) {
			c->blk |= flag;
			c->pend |= ISUP_PEND_CGBA;
			if (hw)
				isup_cic_clear_call(c, CAUSE_TEMPORARY_FAILURE);
		} else {
			c->blk &= ~flag;
			c->pend |= ISUP_PEND_CGUA;
		}
	}
	grp_start(t, block ? ISUP_CGB : ISUP_CGU, first, range, hw ? 1 : 0, status);
	return 0;
}

int isup_cic_block(struct isup_node *node, const char *trunk, uint16_t first, uint16_t last, bool hardware)
{
	return block_unblock(node, trunk, first, last, hardware, true);
}

int isup_cic_unblock(struct isup_node *node, const char *trunk, uint16_t first, uint16_t last, bool hardware)
{
	return block_unblock(node, trunk, first, last, hardware, false);
}

int isup_cic_reset(struct isup_node *node, const char *trunk, uint16_t first, uint16_t last)
{
	struct isup_trunk *t;
	int rc = maint_range(node, trunk, first, last, &t);

	if (rc < 0)
		return rc;
	if (first == last)
		isup_cic_start_reset(isup_trunk_find_cic(t, first), false);
	else
		send_grs(t, first, last - first);
	return 0;
}

int isup_cic_continuity_test(struct isup_node *node, const char *trunk, uint16_t cic)
{
	struct isup_trunk *t;
	int rc = maint_range(node, trunk, cic, cic, &t);
	struct isup_cic *c;

	if (rc < 0)
		return rc;
	c = isup_trunk_find_cic(t, cic);
	if (!isup_cic_available(c))
		return -EBUSY;
	isup_call_test_idle(c);
	return 0;
}

/* ---- inspection ---- */

int isup_node_cic_state(struct isup_node *node, const char *trunk,
			int (*cb)(const struct isup_cic_info *info, void *arg), void *arg)
{
	struct isup_trunk *t;
	struct isup_cic_info info;
	unsigned int i;
	bool found = !trunk;
	int rc;

	llist_for_each_entry(t, &node->trunks, list) {
		if (trunk && strcmp(t->name, trunk))
			continue;
		found = true;
		for (i = 0; i < t->n_cics; i++) {
			isup_cic_fill_info(&t->cics[i], &info);
			rc = cb(&info, arg);
			if (rc)
				return rc;
		}
	}
	return found ? 0 : -ENOENT;
}

int isup_node_retest_result(struct isup_node *node, const char *trunk, uint16_t cic, bool ok)
{
	struct isup_trunk *t = find_trunk(node, trunk);
	struct isup_cic *c = t ? isup_trunk_find_cic(t, cic) : NULL;

	if (!c || !c->call || c->call->fi->state != ISUP_CALL_ST_RETEST_TESTING)
		return -ENOENT;
	isup_call_cot_result(c->call, ok);
	return 0;
}

int isup_node_cic_get(struct isup_node *node, const char *trunk, uint16_t cic, struct isup_cic_info *info)
{
	struct isup_trunk *t = find_trunk(node, trunk);
	struct isup_cic *c = t ? isup_trunk_find_cic(t, cic) : NULL;

	if (!c)
		return -ENOENT;
	isup_cic_fill_info(c, info);
	return 0;
}

const char *isup_blk_str(char *dst, size_t len, uint8_t blk)
{
	snprintf(dst, len, "%s %s %s %s", blk & ISUP_BLK_LM ? "LM" : "--", blk & ISUP_BLK_RM ? "RM" : "--",
		 blk & ISUP_BLK_LH ? "LH" : "--", blk & ISUP_BLK_RH ? "RH" : "--");
	return dst;
}

struct show_ctx {
	void (*out)(void *arg, const char *line);
	void *arg;
};

static int show_cic(const struct isup_cic_info *i, void *arg)
{
	struct show_ctx *s = arg;
	char blk[16], line[160];

	snprintf(line, sizeof(line), "%-12s %5u  %-9s  %s  %s%s%s%s%s%s%s%s%s", i->trunk, i->cic, i->state,
		 isup_blk_str(blk, sizeof(blk), i->blk), i->unequipped ? " UNEQUIPPED" : "",
		 i->pend & ISUP_PEND_BLA ? " wait-BLA" : "", i->pend & ISUP_PEND_UBA ? " wait-UBA" : "",
		 i->pend & ISUP_PEND_CGBA ? " wait-CGBA" : "", i->pend & ISUP_PEND_CGUA ? " wait-CGUA" : "",
		 i->pend & ISUP_PEND_GRA ? " wait-GRA" : "", i->pend & ISUP_PEND_RLC ? " wait-RLC" : "",
		 i->call_state ? " call:" : "", i->call_state ? i->call_state : "");
	s->out(s->arg, line);
	return 0;
}

int isup_node_show_circuits(struct isup_node *node, const char *trunk, void (*out)(void *arg, const char *line),
			    void *arg)
{
	struct show_ctx s = { out, arg };

	out(arg, "trunk          CIC  state      LM RM LH RH  pending / call");
	return isup_node_cic_state(node, trunk, show_cic, &s);
}

void isup_node_show_calls(struct isup_node *node, void (*out)(void *arg, const char *line), void *arg)
{
	struct isup_call *call;
	char line[160];
	unsigned int n = 0;

	llist_for_each_entry(call, &node->calls, list) {
		snprintf(line, sizeof(line), "%-12s %5u  %-8s  %-15s%s", call->cic->trunk->name, call->cic->cic,
			 call->retest ? "re-test" : call->outgoing ? "outgoing" : "incoming",
			 osmo_fsm_inst_state_name(call->fi), call->up_released ? "  (released upwards)" : "");
		out(arg, line);
		n++;
	}
	snprintf(line, sizeof(line), "%u call(s)", n);
	out(arg, line);
}

void isup_node_show_m3ua(struct isup_node *node, void (*out)(void *arg, const char *line), void *arg)
{
	struct isup_assoc *a;
	char line[160];

	llist_for_each_entry(a, &node->assocs, list) {
		if (a->m3ua) {
			m3ua_assoc_show(a->m3ua, out, arg);
		} else {
			snprintf(line, sizeof(line), "association %s: %s (no M3UA, external transport)", a->name,
				 a->active ? "active" : "not active");
			out(arg, line);
		}
	}
}
