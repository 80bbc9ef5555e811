/* ISUP circuit supervision tests (Q.764 §2.9.2-2.9.3, §2.10.3): blocking, reset, group procedures, UCIC, CQM. */
#include <errno.h>
#include <string.h>

#include <check.h>
#include <osmocom/core/talloc.h>

#include "testlib.h"
#include <osmocom/vty/command.h>
#include <osmocom/vty/vty.h>

#include "call_harness.h"
#include "isup/isup_vty.h"

#define HI_PC	20
#define LO_PC	10

static struct harness *std_h(uint16_t first, uint16_t last)
{
	struct harness *h = h_alloc(HI_PC, LO_PC, first, last, ISUP_HUNT_ASCENDING, ISUP_TRUNK_BOTHWAY, NULL);

	h_activate(h);
	h_expect_none(h);
	return h;
}

static uint8_t blk_of(struct harness *h, uint16_t cic)
{
	struct isup_cic_info info;

	ck_assert_int_eq(isup_node_cic_get(h->node, "pstn", cic, &info), 0);
	return info.blk;
}

static struct isup_cic_info info_of(struct harness *h, uint16_t cic)
{
	struct isup_cic_info info;

	ck_assert_int_eq(isup_node_cic_get(h->node, "pstn", cic, &info), 0);
	return info;
}

static void rx_group(struct harness *h, uint8_t type, uint16_t cic, uint8_t cgsmt, uint8_t range, uint32_t status)
{
	struct isup_msg m;

	if (type == ISUP_GRS)
		isup_build_grs(&m, cic, range);
	else
		ck_assert_int_eq(isup_build_group(&m, type, cic, cgsmt, range, status), 0);
	h_rx(h, &m);
}

static uint32_t status_of(const struct isup_msg *m)
{
	uint32_t s = 0;
	unsigned int i;

	for (i = 0; i <= m->rs.range; i++) {
		if (isup_rs_status_bit(&m->rs, i))
			s |= 1u << i;
	}
	return s;
}

static void release_out(struct harness *h, struct h_call *c, uint16_t cic)
{
	isup_call_release(c->call, 16);
	h_expect(h, ISUP_REL, cic);
	h_rx_simple(h, ISUP_RLC, cic);
}

/* BLO/UBL received: acknowledged, remote maintenance blocking keeps our calls off the circuit, not the far end's */
START_TEST(test_blo_ubl_received)
{
	struct harness *h = std_h(1, 4);
	struct h_call *c, *in;

	c = h_call_out(h, 1);
	h_rx_simple(h, ISUP_BLO, 1);		/* a call in progress is not affected */
	h_expect(h, ISUP_BLA, 1);
	ck_assert_uint_eq(blk_of(h, 1), ISUP_BLK_RM);
	ck_assert(!c->released);
	release_out(h, c, 1);
	h_call_out(h, 2);			/* CIC 1 skipped */
	/* the far end may still seize it: a non-test IAM clears the remote blocking */
	in = h_call_in(h, 1);
	ck_assert_uint_eq(blk_of(h, 1), 0);
	isup_call_release(in->call, 16);
	h_expect(h, ISUP_REL, 1);
	h_rx_simple(h, ISUP_RLC, 1);
	release_out(h, &h->calls[1], 2);

	h_rx_simple(h, ISUP_BLO, 3);
	h_expect(h, ISUP_BLA, 3);
	{
		/* a test call does not unblock */
		struct isup_msg iam;

		h_iam(&iam, 3, 0);
		iam.cpc = 0x0d;
		h_rx(h, &iam);
		ck_assert_uint_eq(blk_of(h, 3), ISUP_BLK_RM);
		in = h_last_incoming(h);
		isup_call_release(in->call, 16);
		h_expect(h, ISUP_REL, 3);
		h_rx_simple(h, ISUP_RLC, 3);
	}
	h_rx_simple(h, ISUP_UBL, 3);
	h_expect(h, ISUP_UBA, 3);
	ck_assert_uint_eq(blk_of(h, 3), 0);
	ck_assert_uint_eq(isup_node_ctr(h->node, ISUP_CTR_BLO_RX), 2);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

/* Local blocking: BLO repeated on T12, after T13 maintenance alerted and repeated on T13 only; UBL/T14/T15. */
START_TEST(test_blo_local_timers)
{
	struct harness *h = std_h(1, 4);
	struct isup_cic_info i;
	unsigned int n = 0;
	const struct isup_msg *m;

	ck_assert_int_eq(isup_cic_block(h->node, "pstn", 2, 2, false), 0);
	h_expect(h, ISUP_BLO, 2);
	i = info_of(h, 2);
	ck_assert_uint_eq(i.blk, ISUP_BLK_LM);
	ck_assert(i.pend & ISUP_PEND_BLA);
	h_advance(14);
	h_expect_none(h);
	h_advance(1);
	h_expect(h, ISUP_BLO, 2);		/* T12 */
	h_advance(285);
	while ((m = h_pop(h))) {
		ck_assert_uint_eq(m->type, ISUP_BLO);
		n++;
	}
	ck_assert_uint_ge(n, 19);		/* T12 repeats and the T13 one */
	ck_assert_uint_eq(isup_node_ctr(h->node, ISUP_CTR_MAINT_ALERTS), 1);
	h_advance(100);
	h_expect_none(h);			/* T12 stopped */
	h_advance(200);
	h_expect(h, ISUP_BLO, 2);		/* T13 */
	h_rx_simple(h, ISUP_BLA, 2);
	ck_assert(!(info_of(h, 2).pend & ISUP_PEND_BLA));
	h_advance(400);
	h_expect_none(h);
	/* our own calls avoid it, incoming non-test calls are refused */
	h_call_out(h, 1);
	h_call_out(h, 3);
	{
		struct isup_msg iam;

		h_iam(&iam, 2, 0);
		h_rx(h, &iam);
		h_expect(h, ISUP_REL, 2);
		h_rx_simple(h, ISUP_RLC, 2);
		ck_assert_uint_eq(h->n_calls, 2);
	}
	release_out(h, &h->calls[0], 1);
	release_out(h, &h->calls[1], 3);

	ck_assert_int_eq(isup_cic_unblock(h->node, "pstn", 2, 2, false), 0);
	h_expect(h, ISUP_UBL, 2);
	h_advance(15);
	h_expect(h, ISUP_UBL, 2);		/* T14 */
	h_rx_simple(h, ISUP_UBA, 2);
	h_advance(30);
	h_expect_none(h);
	ck_assert_uint_eq(blk_of(h, 2), 0);
	/* unexpected BLA for a circuit we do not block: UBL */
	h_rx_simple(h, ISUP_BLA, 2);
	h_expect(h, ISUP_UBL, 2);
	h_rx_simple(h, ISUP_UBA, 2);
	h_assert_all_idle(h);
	ck_assert_int_eq(isup_cic_block(h->node, "nope", 2, 2, false), -ENOENT);
	ck_assert_int_eq(isup_cic_block(h->node, "pstn", 2, 9, false), -ERANGE);
	h_free(h);
}
END_TEST

/* CGB hardware received: calls on the affected circuits are released at once; CGBA echoes the status. */
START_TEST(test_cgb_hw_received)
{
	struct harness *h = std_h(1, 8);
	struct h_call *a = h_call_out(h, 1);
	struct h_call *b = h_call_out(h, 2);
	const struct isup_msg *m;

	rx_group(h, ISUP_CGB, 1, 1, 3, 0x5);		/* CICs 1 and 3 */
	m = h_expect(h, ISUP_CGBA, 1);
	ck_assert_uint_eq(m->cgsmt, 1);
	ck_assert_uint_eq(m->rs.range, 3);
	ck_assert_uint_eq(status_of(m), 0x5);
	ck_assert(a->released);
	ck_assert_uint_eq(a->cause, 41);
	ck_assert(!b->released);
	ck_assert_uint_eq(blk_of(h, 1), ISUP_BLK_RH);
	ck_assert_uint_eq(blk_of(h, 3), ISUP_BLK_RH);
	ck_assert_uint_eq(blk_of(h, 2), 0);
	/* maintenance CGB leaves calls alone */
	rx_group(h, ISUP_CGB, 2, 0, 1, 0x1);
	m = h_expect(h, ISUP_CGBA, 2);
	ck_assert_uint_eq(m->cgsmt, 0);
	ck_assert(!b->released);
	ck_assert_uint_eq(blk_of(h, 2), ISUP_BLK_RM);
	/* bad range: discarded */
	rx_group(h, ISUP_CGB, 1, 1, 0, 0x1);
	h_expect_none(h);
	rx_group(h, ISUP_CGU, 1, 1, 3, 0x5);
	m = h_expect(h, ISUP_CGUA, 1);
	ck_assert_uint_eq(status_of(m), 0x5);
	rx_group(h, ISUP_CGU, 2, 0, 1, 0x1);
	h_expect(h, ISUP_CGUA, 2);
	ck_assert_uint_eq(blk_of(h, 1) | blk_of(h, 2) | blk_of(h, 3), 0);
	release_out(h, b, 2);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

/* Local CGB (hardware) over a range: our calls released, CGB repeated on T18, CGBA ends it; CGU likewise. */
START_TEST(test_cgb_local)
{
	struct harness *h = std_h(1, 8);
	struct h_call *a = h_call_out(h, 1);
	const struct isup_msg *m;
	struct isup_cic_info i;

	ck_assert_int_eq(isup_cic_block(h->node, "pstn", 1, 4, true), 0);
	m = h_expect(h, ISUP_CGB, 1);
	ck_assert_uint_eq(m->cgsmt, 1);
	ck_assert_uint_eq(m->rs.range, 3);
	ck_assert_uint_eq(status_of(m), 0xf);
	ck_assert(a->released);
	i = info_of(h, 1);
	ck_assert(i.idle);
	ck_assert_uint_eq(i.blk, ISUP_BLK_LH);
	ck_assert(i.pend & ISUP_PEND_CGBA);
	h_advance(15);
	h_expect(h, ISUP_CGB, 1);		/* T18 */
	/* wrong status: still pending */
	rx_group(h, ISUP_CGBA, 1, 1, 3, 0x7);
	ck_assert(info_of(h, 1).pend & ISUP_PEND_CGBA);
	rx_group(h, ISUP_CGBA, 1, 1, 3, 0xf);
	ck_assert(!(info_of(h, 1).pend & ISUP_PEND_CGBA));
	h_advance(400);
	h_expect_none(h);
	h_call_out(h, 5);
	h_call_out(h, 6);
	release_out(h, &h->calls[1], 5);
	release_out(h, &h->calls[2], 6);

	ck_assert_int_eq(isup_cic_unblock(h->node, "pstn", 1, 4, true), 0);
	m = h_expect(h, ISUP_CGU, 1);
	ck_assert_uint_eq(status_of(m), 0xf);
	h_advance(15);
	h_expect(h, ISUP_CGU, 1);		/* T20 */
	rx_group(h, ISUP_CGUA, 1, 1, 3, 0xf);
	ck_assert_uint_eq(blk_of(h, 4), 0);
	/* hardware blocking of one circuit: CGB with range 1 and one status bit */
	ck_assert_int_eq(isup_cic_block(h->node, "pstn", 8, 8, true), 0);
	m = h_expect(h, ISUP_CGB, 8);
	ck_assert_uint_eq(m->rs.range, 1);
	ck_assert_uint_eq(status_of(m), 0x1);
	rx_group(h, ISUP_CGBA, 8, 1, 1, 0x1);
	/* unexpected CGBA: discarded */
	rx_group(h, ISUP_CGBA, 1, 1, 1, 0x1);
	h_expect_none(h);
	ck_assert_uint_eq(isup_node_ctr(h->node, ISUP_CTR_CGB_TX), 3);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

/* GRS received: calls cleared, remote blocking removed, GRA flags our maintenance blocked circuits. */
START_TEST(test_grs_received)
{
	struct harness *h = std_h(1, 8);
	struct h_call *a = h_call_out(h, 1);
	const struct isup_msg *m;

	h_rx_simple(h, ISUP_BLO, 4);
	h_expect(h, ISUP_BLA, 4);
	ck_assert_int_eq(isup_cic_block(h->node, "pstn", 3, 3, false), 0);
	h_expect(h, ISUP_BLO, 3);
	h_rx_simple(h, ISUP_BLA, 3);
	rx_group(h, ISUP_GRS, 1, 0, 4, 0);
	m = h_expect(h, ISUP_GRA, 1);
	ck_assert_uint_eq(m->rs.range, 4);
	ck_assert_uint_eq(status_of(m), 0x4);	/* CIC 3 */
	ck_assert(a->released);
	ck_assert_uint_eq(blk_of(h, 4), 0);
	ck_assert_uint_eq(blk_of(h, 3), ISUP_BLK_LM);
	/* range 0 is not allowed for GRS: discarded */
	rx_group(h, ISUP_GRS, 1, 0, 0, 0);
	h_expect_none(h);
	ck_assert_uint_eq(isup_node_ctr(h->node, ISUP_CTR_GRS_RX), 2);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

/* the two GRS repeated by T22 in one second, in either order */
static const struct isup_msg *h_expect_grs_pair(struct harness *h)
{
	const struct isup_msg *m = h_pop(h);
	uint16_t first;

	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->type, ISUP_GRS);
	first = m->cic;
	m = h_pop(h);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->type, ISUP_GRS);
	ck_assert_uint_eq(first + m->cic, 34);
	return m;
}

/* Association active with reset_circuits_on_active: GRS in chunks of <= 32 circuits, then BLO/CGB for what we
 * block locally; the GRS sender marks the circuits flagged in the GRA remotely blocked. */
START_TEST(test_grs_on_active)
{
	struct harness *h;
	const struct isup_msg *m;
	struct h_call *c;
	unsigned int n;

	h_cfg_reset_on_active = true;
	h = h_alloc(HI_PC, LO_PC, 1, 40, ISUP_HUNT_ASCENDING, ISUP_TRUNK_BOTHWAY, NULL);
	h_cfg_reset_on_active = false;
	/* locally blocked before the association comes up */
	ck_assert_int_eq(isup_cic_block(h->node, "pstn", 5, 5, false), 0);
	ck_assert_int_eq(isup_cic_block(h->node, "pstn", 35, 35, false), 0);
	ck_assert_int_eq(isup_cic_block(h->node, "pstn", 36, 36, false), 0);
	h_flush(h);
	h_activate(h);
	m = h_expect(h, ISUP_GRS, 1);
	ck_assert_uint_eq(m->rs.range, 31);
	m = h_expect(h, ISUP_GRS, 33);
	ck_assert_uint_eq(m->rs.range, 7);
	h_expect_none(h);
	ck_assert_str_eq(info_of(h, 2).state, "RESETTING");
	{
		struct isup_msg iam;
		struct isup_call *call;

		h_iam(&iam, 0, 0);
		ck_assert_int_eq(isup_call_setup(h->node, "pstn", &iam, NULL, &call), -EBUSY);
	}
	/* T22 repeats */
	h_advance(15);
	m = h_expect_grs_pair(h);
	rx_group(h, ISUP_GRA, 1, 0, 31, 0x2);		/* the far end blocks CIC 2 */
	h_expect(h, ISUP_BLO, 5);
	ck_assert_uint_eq(blk_of(h, 2), ISUP_BLK_RM);
	ck_assert_str_eq(info_of(h, 2).state, "IDLE");
	rx_group(h, ISUP_GRA, 33, 0, 7, 0);
	m = h_expect(h, ISUP_CGB, 33);
	ck_assert_uint_eq(status_of(m), 0x3 << 2);	/* 35 and 36 */
	rx_group(h, ISUP_CGBA, 33, 0, 7, 0x3 << 2);
	h_rx_simple(h, ISUP_BLA, 5);
	h_advance(400);
	h_expect_none(h);
	c = h_call_out(h, 1);
	h_call_out(h, 3);			/* 2 is blocked by the far end */

	/* the association drops: calls released with cause 41; back up: reset again */
	ck_assert_int_eq(isup_node_assoc_state(h->node, "a", false), 0);
	ck_assert(c->released);
	ck_assert_uint_eq(c->cause, 41);
	ck_assert(h->calls[1].released);
	h_assert_all_idle(h);
	h_activate(h);
	h_expect(h, ISUP_GRS, 1);
	h_expect(h, ISUP_GRS, 33);
	rx_group(h, ISUP_GRA, 1, 0, 31, 0);
	h_expect(h, ISUP_BLO, 5);
	rx_group(h, ISUP_GRA, 33, 0, 7, 0);
	h_expect(h, ISUP_CGB, 33);
	ck_assert_uint_eq(blk_of(h, 2), 0);
	n = isup_node_ctr(h->node, ISUP_CTR_GRS_TX);
	ck_assert_uint_eq(n, 6);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

/* GRS repeated on T22, then on T23 only after maintenance is alerted */
START_TEST(test_grs_t23)
{
	struct harness *h = std_h(1, 4);
	unsigned int n = 0;
	const struct isup_msg *m;

	ck_assert_int_eq(isup_cic_reset(h->node, "pstn", 1, 4), 0);
	h_expect(h, ISUP_GRS, 1);
	h_advance(300);
	while ((m = h_pop(h))) {
		ck_assert_uint_eq(m->type, ISUP_GRS);
		n++;
	}
	ck_assert_uint_ge(n, 20);
	ck_assert_uint_eq(isup_node_ctr(h->node, ISUP_CTR_MAINT_ALERTS), 1);
	h_advance(299);
	h_expect_none(h);
	h_advance(1);
	h_expect(h, ISUP_GRS, 1);
	rx_group(h, ISUP_GRA, 1, 0, 3, 0);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

/* RSC received during a call: call cleared, remote blocking dropped, RLC, BLO again if locally blocked. */
START_TEST(test_rsc_received)
{
	struct harness *h = std_h(1, 4);
	struct h_call *c = h_call_in(h, 2);

	ck_assert_int_eq(isup_cic_block(h->node, "pstn", 2, 2, false), 0);
	h_expect(h, ISUP_BLO, 2);
	h_rx_simple(h, ISUP_BLA, 2);
	ck_assert(!c->released);		/* maintenance blocking leaves the call alone */
	h_rx_simple(h, ISUP_BLO, 2);
	h_expect(h, ISUP_BLA, 2);
	ck_assert_uint_eq(blk_of(h, 2), ISUP_BLK_LM | ISUP_BLK_RM);
	h_rx_simple(h, ISUP_RSC, 2);
	h_expect(h, ISUP_RLC, 2);
	h_expect(h, ISUP_BLO, 2);
	ck_assert(c->released);
	ck_assert_uint_eq(c->cause, 41);
	ck_assert_uint_eq(blk_of(h, 2), ISUP_BLK_LM);
	h_rx_simple(h, ISUP_BLA, 2);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

/* RSC sent: T16 repeats, T17 alerts; RLC ends it. */
START_TEST(test_rsc_timers)
{
	struct harness *h = std_h(1, 4);
	unsigned int n = 0;
	const struct isup_msg *m;

	ck_assert_int_eq(isup_cic_reset(h->node, "pstn", 3, 3), 0);
	h_expect(h, ISUP_RSC, 3);
	ck_assert(info_of(h, 3).pend & ISUP_PEND_RLC);
	h_advance(15);
	h_expect(h, ISUP_RSC, 3);
	h_advance(285);
	while ((m = h_pop(h))) {
		ck_assert_uint_eq(m->type, ISUP_RSC);
		n++;
	}
	ck_assert_uint_ge(n, 19);
	ck_assert_uint_eq(isup_node_ctr(h->node, ISUP_CTR_MAINT_ALERTS), 1);
	/* an IAM while we wait for RLC is discarded */
	{
		struct isup_msg iam;

		h_iam(&iam, 3, 0);
		h_rx(h, &iam);
		ck_assert_uint_eq(h->n_calls, 0);
	}
	h_rx_simple(h, ISUP_RLC, 3);
	h_advance(600);
	h_expect_none(h);
	h_assert_all_idle(h);
	ck_assert_uint_ge(isup_node_ctr(h->node, ISUP_CTR_RSC_TX), 21);
	h_free(h);
}
END_TEST

/* UCIC: sent for unprovisioned CICs (option), received -> circuit out of service, outgoing call moved. */
START_TEST(test_ucic)
{
	struct harness *h = std_h(1, 4);
	struct h_call *c;
	struct isup_msg iam;
	struct isup_node_opts o;

	h_iam(&iam, 99, 0);
	h_rx(h, &iam);
	h_expect(h, ISUP_UCIC, 99);
	ck_assert_uint_eq(isup_node_ctr(h->node, ISUP_CTR_UCIC_TX), 1);
	h_rx_simple(h, ISUP_UCIC, 99);		/* never a UCIC for a UCIC */
	h_expect_none(h);

	c = h_call_out(h, 1);
	h_rx_simple(h, ISUP_UCIC, 1);
	h_expect(h, ISUP_IAM, 2);
	ck_assert(!c->released);
	ck_assert_uint_eq(c->last_cic, 2);
	ck_assert(info_of(h, 1).unequipped);
	ck_assert(test_log_contains("UCIC received"));
	ck_assert_uint_eq(isup_node_ctr(h->node, ISUP_CTR_UCIC_RX), 1);
	h_call_out(h, 3);			/* 1 is out of service */
	release_out(h, c, 2);
	release_out(h, &h->calls[1], 3);
	/* an RSC from the far end puts it back */
	h_rx_simple(h, ISUP_RSC, 1);
	h_expect(h, ISUP_RLC, 1);
	ck_assert(!info_of(h, 1).unequipped);
	h_assert_all_idle(h);
	h_free(h);

	isup_node_opts_default(&o);
	o.send_ucic = false;
	h = h_alloc(HI_PC, LO_PC, 1, 4, ISUP_HUNT_ASCENDING, ISUP_TRUNK_BOTHWAY, &o);
	h_activate(h);
	h_rx(h, &iam);
	h_expect_none(h);
	h_free(h);
}
END_TEST

/* CQM -> CQR with the circuit state indicators of Q.763 §3.14 */
START_TEST(test_cqm)
{
	struct harness *h = std_h(1, 4);
	struct h_call *c, *in;
	struct isup_msg m;
	const struct isup_msg *r;

	h_rx_simple(h, ISUP_BLO, 1);
	h_expect(h, ISUP_BLA, 1);
	c = h_call_out(h, 2);
	in = h_call_in(h, 3);
	isup_msg_init(&m, ISUP_CQM, 1);
	m.rs.range = 4;
	isup_msg_set(&m, ISUP_P_RANGE_STATUS);
	h_rx(h, &m);
	r = h_expect(h, ISUP_CQR, 1);
	ck_assert_uint_eq(r->rs.range, 4);
	ck_assert_uint_eq(r->mand[1].len, 5);
	ck_assert_uint_eq(r->mand[1].data[0], 0x0c | 0x02);	/* idle, remotely blocked */
	ck_assert_uint_eq(r->mand[1].data[1], 0x08);		/* outgoing busy */
	ck_assert_uint_eq(r->mand[1].data[2], 0x04);		/* incoming busy */
	ck_assert_uint_eq(r->mand[1].data[3], 0x0c);		/* idle */
	ck_assert_uint_eq(r->mand[1].data[4], 0x03);		/* CIC 5: unequipped */
	release_out(h, c, 2);
	isup_call_release(in->call, 16);
	h_expect(h, ISUP_REL, 3);
	h_rx_simple(h, ISUP_RLC, 3);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

static void collect(void *arg, const char *line)
{
	char **all = arg;

	*all = talloc_asprintf_append(*all, "%s\n", line);
}

START_TEST(test_show_and_counters)
{
	struct harness *h = std_h(1, 3);
	const struct rate_ctr_group_desc *d = &isup_node_ctrg_desc;
	char *all = talloc_strdup(test_ctx, "");
	unsigned int i, j;

	for (i = 0; i < d->num_ctr; i++) {
		ck_assert_msg(!strncmp(d->ctr_desc[i].name, "isup:", 5), "%s", d->ctr_desc[i].name);
		ck_assert_ptr_nonnull(d->ctr_desc[i].description);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(d->ctr_desc[i].name, d->ctr_desc[j].name);
	}
	ck_assert_uint_eq(d->num_ctr, _ISUP_CTR_COUNT);
	h_call_out(h, 1);
	ck_assert_int_eq(isup_cic_block(h->node, "pstn", 2, 2, false), 0);
	h_rx_simple(h, ISUP_BLO, 3);
	ck_assert_int_eq(isup_node_show_circuits(h->node, "pstn", collect, &all), 0);
	ck_assert_msg(strstr(all, "pstn             1  BUSY_OUT   -- -- -- --   call:OUT_WAIT_ACM"), "%s", all);
	ck_assert_msg(strstr(all, "pstn             2  IDLE       LM -- -- --   wait-BLA"), "%s", all);
	ck_assert_msg(strstr(all, "pstn             3  IDLE       -- RM -- --"), "%s", all);
	ck_assert_int_eq(isup_node_show_circuits(h->node, "nope", collect, &all), -ENOENT);
	isup_node_show_calls(h->node, collect, &all);
	ck_assert_msg(strstr(all, "outgoing  OUT_WAIT_ACM"), "%s", all);
	ck_assert_msg(strstr(all, "1 call(s)"), "%s", all);
	isup_node_show_m3ua(h->node, collect, &all);
	ck_assert_msg(strstr(all, "association a: active"), "%s", all);
	talloc_free(all);
	h_free(h);
}
END_TEST



/* The long timers of the group and unblocking procedures: T19 (CGB), T21 (CGU), T15 (UBL).  Until the long timer
 * the message repeats on the short one; at the long timer maintenance is alerted and it repeats on the long one. */
static void long_timer_case(struct harness *h, uint8_t type, uint16_t cic, unsigned int alerts_before)
{
	const struct isup_msg *m;
	unsigned int n = 0;

	h_advance(299);
	while ((m = h_pop(h))) {
		ck_assert_uint_eq(m->type, type);
		ck_assert_uint_eq(m->cic, cic);
		n++;
	}
	ck_assert_uint_eq(n, 19);			/* every 15 s */
	ck_assert_uint_eq(isup_node_ctr(h->node, ISUP_CTR_MAINT_ALERTS), alerts_before);
	h_advance(1);
	h_expect(h, type, cic);
	h_expect_none(h);
	ck_assert_uint_eq(isup_node_ctr(h->node, ISUP_CTR_MAINT_ALERTS), alerts_before + 1);
	h_advance(299);
	h_expect_none(h);
	h_advance(1);
	h_expect(h, type, cic);
}

START_TEST(test_long_timers)
{
	struct harness *h = std_h(1, 8);

	ck_assert_int_eq(isup_cic_block(h->node, "pstn", 1, 4, false), 0);
	h_expect(h, ISUP_CGB, 1);
	long_timer_case(h, ISUP_CGB, 1, 0);		/* T18 / T19 */
	rx_group(h, ISUP_CGBA, 1, 0, 3, 0xf);
	ck_assert_int_eq(isup_cic_unblock(h->node, "pstn", 1, 4, false), 0);
	h_expect(h, ISUP_CGU, 1);
	long_timer_case(h, ISUP_CGU, 1, 2);		/* T20 / T21 */
	rx_group(h, ISUP_CGUA, 1, 0, 3, 0xf);
	ck_assert_int_eq(isup_cic_block(h->node, "pstn", 6, 6, false), 0);
	h_expect(h, ISUP_BLO, 6);
	h_rx_simple(h, ISUP_BLA, 6);
	ck_assert_int_eq(isup_cic_unblock(h->node, "pstn", 6, 6, false), 0);
	h_expect(h, ISUP_UBL, 6);
	long_timer_case(h, ISUP_UBL, 6, 4);		/* T14 / T15 */
	h_rx_simple(h, ISUP_UBA, 6);
	h_advance(900);
	h_expect_none(h);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

static int vty_run(struct vty *vty, const char *cmd)
{
	vector v = cmd_make_strvec(cmd);
	int rc;

	ck_assert_ptr_nonnull(v);
	rc = cmd_execute_command(v, vty, NULL, 0);
	cmd_free_strvec(v);
	return rc;
}

START_TEST(test_vty_commands)
{
	static struct vty_app_info info = { .name = "cic_test" };
	struct harness *h = std_h(1, 8);
	const struct isup_msg *m;
	struct vty *vty;

	vty_init(&info);
	isup_vty_init(h->node);
	vty = vty_new();
	ck_assert_ptr_nonnull(vty);
	vty->node = ENABLE_NODE;
	ck_assert_int_eq(vty_run(vty, "isup block pstn 2"), CMD_SUCCESS);
	h_expect(h, ISUP_BLO, 2);
	ck_assert_int_eq(vty_run(vty, "isup block pstn 3 6 hardware"), CMD_SUCCESS);
	m = h_expect(h, ISUP_CGB, 3);
	ck_assert_uint_eq(m->cgsmt, 1);
	ck_assert_uint_eq(m->rs.range, 3);
	ck_assert_int_eq(vty_run(vty, "isup unblock pstn 2"), CMD_SUCCESS);
	h_expect(h, ISUP_UBL, 2);
	ck_assert_int_eq(vty_run(vty, "isup unblock pstn 3 6 hardware"), CMD_SUCCESS);
	h_expect(h, ISUP_CGU, 3);
	ck_assert_int_eq(vty_run(vty, "isup reset pstn 7"), CMD_SUCCESS);
	h_expect(h, ISUP_RSC, 7);
	ck_assert_int_eq(vty_run(vty, "isup reset pstn 1 8"), CMD_SUCCESS);
	m = h_expect(h, ISUP_GRS, 1);
	ck_assert_uint_eq(m->rs.range, 7);
	ck_assert_int_eq(vty_run(vty, "isup block nope 1"), CMD_WARNING);
	ck_assert_int_eq(vty_run(vty, "isup block pstn 9"), CMD_WARNING);
	ck_assert_int_eq(vty_run(vty, "show isup circuits"), CMD_SUCCESS);
	ck_assert_int_eq(vty_run(vty, "show isup circuits pstn"), CMD_SUCCESS);
	ck_assert_int_eq(vty_run(vty, "show isup circuits nope"), CMD_WARNING);
	ck_assert_int_eq(vty_run(vty, "show isup calls"), CMD_SUCCESS);
	ck_assert_int_eq(vty_run(vty, "show m3ua"), CMD_SUCCESS);
	vty->node = VIEW_NODE;
	ck_assert_int_ne(vty_run(vty, "isup reset pstn 7"), CMD_SUCCESS);	/* maintenance needs enable */
	ck_assert_int_eq(vty_run(vty, "show isup calls"), CMD_SUCCESS);
	vty_close(vty);
	h_free(h);
}
END_TEST

static Suite *cic_suite(void)
{
	Suite *s = suite_create("isup_cic");
	TCase *tc = tcase_create("cic");

	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_add_test(tc, test_blo_ubl_received);
	tcase_add_test(tc, test_blo_local_timers);
	tcase_add_test(tc, test_cgb_hw_received);
	tcase_add_test(tc, test_cgb_local);
	tcase_add_test(tc, test_grs_received);
	tcase_add_test(tc, test_grs_on_active);
	tcase_add_test(tc, test_grs_t23);
	tcase_add_test(tc, test_rsc_received);
	tcase_add_test(tc, test_rsc_timers);
	tcase_add_test(tc, test_ucic);
	tcase_add_test(tc, test_cqm);
	tcase_add_test(tc, test_show_and_counters);
	tcase_add_test(tc, test_vty_commands);
	tcase_add_test(tc, test_long_timers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(cic_suite());
}
