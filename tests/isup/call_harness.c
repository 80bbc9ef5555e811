/* Test harness for the ISUP node (see call_harness.h). */
#include <string.h>

#include <check.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/tdef.h>

#include "testlib.h"
#include "call_harness.h"
#include "isup/isup_timers.h"

static int h_tx(struct isup_node *node, const char *assoc, const struct m3ua_data_hdr *hdr, struct msgb *msg,
		void *priv)
{
	struct harness *h = priv;
	struct h_sent *s;

	ck_assert_msg(h->n_sent < H_MAX_SENT, "too many messages sent");
	ck_assert_str_eq(assoc, "a");
	s = &h->sent[h->n_sent++];
	s->len = msgb_length(msg);
	s->bytes = talloc_memdup(h, msgb_data(msg), s->len);
	s->opc = hdr->opc;
	s->dpc = hdr->dpc;
	s->sls = hdr->sls;
	s->ni = hdr->ni;
	msgb_free(msg);
	return 0;
}

static struct h_call *h_new(struct harness *h, struct isup_call *call, bool incoming)
{
	struct h_call *hc;

	ck_assert_int_lt(h->n_calls, H_MAX_CALLS);
	hc = &h->calls[h->n_calls++];
	memset(hc, 0, sizeof(*hc));
	hc->call = call;
	hc->incoming = incoming;
	return hc;
}

static void *h_incoming(struct isup_node *node, struct isup_call *call, const struct isup_msg *iam, void *priv)
{
	struct harness *h = priv;
	struct h_call *hc = h_new(h, call, true);

	ck_assert_int_eq(iam->type, ISUP_IAM);
	if (h->rx_in_incoming) {
		const struct isup_msg *m = h->rx_in_incoming;
		uint16_t cic = iam->cic;

		h->rx_in_incoming = NULL;
		h_rx(h, m);
		/* the message being handled is not the one received meanwhile */
		ck_assert_uint_eq(iam->cic, cic);
		ck_assert_uint_eq(iam->type, ISUP_IAM);
	}
	if (h->release_in_incoming)
		isup_call_release(call, 17);
	return hc;
}

static void h_event(struct isup_call *call, const struct isup_msg *msg, void *upper_priv)
{
	struct h_call *hc = upper_priv;

	ck_assert_ptr_nonnull(hc);
	ck_assert_msg(!hc->released, "event after release");
	if (hc->n_events < 32)
		hc->events[hc->n_events++] = msg->type;
}

static void h_released(struct isup_call *call, uint8_t cause, bool by_remote, void *upper_priv)
{
	struct h_call *hc = upper_priv;

	ck_assert_ptr_nonnull(hc);
	ck_assert_msg(!hc->released, "released twice");
	hc->released = true;
	hc->cause = cause;
	hc->by_remote = by_remote;
	hc->call = NULL;
}

static void h_cic_changed(struct isup_call *call, uint16_t cic, void *upper_priv)
{
	struct h_call *hc = upper_priv;

	hc->cic_changes++;
	hc->last_cic = cic;
}

struct isup_call *h_retest_call;
unsigned int h_retests;
bool h_cfg_reset_on_active;

static void h_cot_test(struct isup_call *call, const char *trunk, uint16_t cic, void *upper_priv)
{
	struct h_call *hc = upper_priv;

	ck_assert_str_eq(trunk, "pstn");
	ck_assert_uint_eq(cic, isup_call_cic(call));
	if (hc) {
		hc->cot_tests++;
	} else {
		h_retest_call = call;
		h_retests++;
	}
}

static void h_cot_loop(struct isup_node *node, const char *trunk, uint16_t cic, bool on, void *priv)
{
	struct harness *h = priv;

	ck_assert_str_eq(trunk, "pstn");
	ck_assert_msg(on != h->loop_on || cic != h->loop_cic, "cot_loop %s twice on CIC %u", on ? "on" : "off", cic);
	if (on)
		h->loop_ons++;
	else
		h->loop_offs++;
	h->loop_cic = cic;
	h->loop_on = on;
}

static const struct isup_node_ops h_ops = {
	.incoming_call = h_incoming,
	.call_event = h_event,
	.call_released = h_released,
	.cic_changed = h_cic_changed,
	.cot_test = h_cot_test,
	.cot_loop = h_cot_loop,
	.tx = h_tx,
};

struct harness *h_alloc(uint16_t local_pc, uint16_t dpc, uint16_t first, uint16_t last, enum isup_hunting hunt,
			enum isup_trunk_direction dir, const struct isup_node_opts *opts)
{
	struct harness *h = talloc_zero(test_ctx, struct harness);
	struct m3ua_assoc_cfg *ac;
	struct isup_trunk_cfg *tc;
	struct isup_node_opts o;

	osmo_tdefs_reset(isup_tdefs);
	h->local_pc = local_pc;
	h->dpc = dpc;
	h->cfg = talloc_zero(h, struct isup_cfg);
	INIT_LLIST_HEAD(&h->cfg->assocs);
	INIT_LLIST_HEAD(&h->cfg->trunks);
	ac = talloc_zero(h->cfg, struct m3ua_assoc_cfg);
	ac->name = talloc_strdup(ac, "a");
	ac->local_pc = local_pc;
	ac->adjacent_pc = dpc;
	ac->network_indicator = 2;
	ac->reset_circuits_on_active = h_cfg_reset_on_active;
	h_retest_call = NULL;
	h_retests = 0;
	llist_add_tail(&ac->list, &h->cfg->assocs);
	tc = talloc_zero(h->cfg, struct isup_trunk_cfg);
	tc->name = talloc_strdup(tc, "pstn");
	tc->assoc_name = talloc_strdup(tc, "a");
	tc->assoc = ac;
	tc->dpc = dpc;
	tc->cics = talloc_zero_array(tc, struct isup_cic_range, 1);
	tc->cics[0].first = first;
	tc->cics[0].last = last;
	tc->num_cic_ranges = 1;
	tc->hunting = hunt;
	tc->direction = dir;
	llist_add_tail(&tc->list, &h->cfg->trunks);

	if (opts)
		o = *opts;
	else
		isup_node_opts_default(&o);
	o.no_m3ua = true;
	h->node = isup_node_alloc(h, h->cfg, &o, &h_ops, h, NULL);
	ck_assert_ptr_nonnull(h->node);
	return h;
}

void h_free(struct harness *h)
{
	isup_node_free(h->node);
	talloc_free(h);
}

void h_activate(struct harness *h)
{
	ck_assert_int_eq(isup_node_assoc_state(h->node, "a", true), 0);
}

void h_rx_bytes(struct harness *h, const uint8_t *b, size_t len)
{
	struct m3ua_data_hdr hdr = { .opc = h->dpc, .dpc = h->local_pc, .si = 5, .ni = 2, .sls = b[0] & 0xf };

	ck_assert_int_eq(isup_node_rx(h->node, "a", &hdr, b, len), 0);
}

void h_rx(struct harness *h, const struct isup_msg *m)
{
	uint8_t buf[300];
	int n = isup_encode_buf(buf, sizeof(buf), m);

	ck_assert_int_gt(n, 0);
	h_rx_bytes(h, buf, n);
}

void h_rx_simple(struct harness *h, uint8_t type, uint16_t cic)
{
	struct isup_msg m;

	if (type == ISUP_RLC)
		isup_build_rlc(&m, cic);
	else
		isup_build_simple(&m, type, cic);
	h_rx(h, &m);
}

const struct isup_msg *h_pop(struct harness *h)
{
	struct h_sent *s;
	int rc;

	if (h->next >= h->n_sent)
		return NULL;
	s = &h->sent[h->next++];
	ck_assert_uint_eq(s->opc, h->local_pc);
	ck_assert_uint_eq(s->dpc, h->dpc);
	ck_assert_uint_eq(s->ni, 2);
	rc = isup_decode(&h->last, s->bytes, s->len, NULL);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(s->sls, h->last.cic & 0xf);
	return &h->last;
}

const struct isup_msg *h_expect(struct harness *h, uint8_t type, uint16_t cic)
{
	const struct isup_msg *m = h_pop(h);

	ck_assert_msg(m, "expected %s on CIC %u, nothing sent\n%s", isup_msg_name(type), cic, test_log());
	ck_assert_msg(m->type == type && m->cic == cic, "expected %s on CIC %u, got %s on CIC %u", isup_msg_name(type),
		      cic, isup_msg_name(m->type), m->cic);
	return m;
}

void h_expect_none(struct harness *h)
{
	const struct isup_msg *m = h_pop(h);

	ck_assert_msg(!m, "unexpected %s on CIC %u", m ? isup_msg_name(m->type) : "", m ? m->cic : 0);
}

void h_flush(struct harness *h)
{
	unsigned int i;

	/* h->last may point into the bytes: it is invalid after a flush */
	for (i = 0; i < h->n_sent; i++)
		talloc_free(h->sent[i].bytes);
	h->n_sent = 0;
	h->next = 0;
}

void h_advance(unsigned int secs)
{
	while (secs--)
		test_time_advance(1, 0);
}

struct h_call *h_find(struct harness *h, struct isup_call *call)
{
	unsigned int i;

	for (i = 0; i < h->n_calls; i++) {
		if (h->calls[i].call == call)
			return &h->calls[i];
	}
	return NULL;
}

struct h_call *h_last_incoming(struct harness *h)
{
	unsigned int i = h->n_calls;

	while (i-- > 0) {
		if (h->calls[i].incoming)
			return &h->calls[i];
	}
	return NULL;
}

static int idle_cb(const struct isup_cic_info *i, void *arg)
{
	ck_assert_msg(i->idle && !strcmp(i->state, "IDLE"), "CIC %u left in %s (call %s)", i->cic, i->state,
		      i->call_state ? i->call_state : "-");
	ck_assert_msg(!(i->pend & (ISUP_PEND_RLC | ISUP_PEND_GRA)), "CIC %u still resetting", i->cic);
	return 0;
}

void h_assert_all_idle(struct harness *h)
{
	ck_assert_int_eq(isup_node_cic_state(h->node, NULL, idle_cb, NULL), 0);
	ck_assert_uint_eq(isup_node_num_calls(h->node), 0);
}

void h_iam(struct isup_msg *m, uint16_t cic, uint8_t cc)
{
	struct isup_iam_args a = { .called = "1234F", .calling = "5678" };

	ck_assert_int_eq(isup_build_iam(m, cic, &a), 0);
	m->nci.continuity = cc;
}

struct h_call *h_call_out(struct harness *h, uint16_t expect_cic)
{
	struct isup_msg iam;
	struct isup_call *call = NULL;
	struct h_call *hc = h_new(h, NULL, false);

	h_iam(&iam, 0, 0);
	ck_assert_int_eq(isup_call_setup(h->node, "pstn", &iam, hc, &call), 0);
	hc->call = call;
	ck_assert_uint_eq(isup_call_cic(call), expect_cic);
	h_expect(h, ISUP_IAM, expect_cic);
	return hc;
}

struct h_call *h_call_in(struct harness *h, uint16_t cic)
{
	struct isup_msg iam;
	unsigned int before = h->n_calls;

	h_iam(&iam, cic, 0);
	h_rx(h, &iam);
	ck_assert_uint_eq(h->n_calls, before + 1);
	return &h->calls[h->n_calls - 1];
}
