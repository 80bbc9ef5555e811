/* ISUP call control (Q.764) scenario tests: messages in, messages out, fake time. */
#include <errno.h>
#include <string.h>

#include <check.h>
#include <osmocom/core/talloc.h>

#include "testlib.h"
#include "call_harness.h"
#include "sample_msgs.h"

/* our point code 20 > DPC 10: we control the even CICs */
#define HI_PC	20
#define LO_PC	10

static struct harness *std_h(void)
{
	struct harness *h = h_alloc(HI_PC, LO_PC, 1, 8, ISUP_HUNT_ASCENDING, ISUP_TRUNK_BOTHWAY, NULL);

	h_activate(h);
	h_expect_none(h);
	return h;
}

static void rx_acm(struct harness *h, uint16_t cic)
{
	struct isup_msg m;
	struct isup_bci bci = { .charge = 2, .called_status = 1 };

	isup_build_acm(&m, cic, &bci);
	h_rx(h, &m);
}

static void rx_rel(struct harness *h, uint16_t cic, uint8_t cause)
{
	struct isup_msg m;

	isup_build_rel(&m, cic, 2, cause);
	h_rx(h, &m);
}

static void expect_rel(struct harness *h, uint16_t cic, uint8_t cause)
{
	const struct isup_msg *m = h_expect(h, ISUP_REL, cic);

	ck_assert(isup_msg_has(m, ISUP_P_CAUSE));
	ck_assert_uint_eq(m->cause.value, cause);
}

/* We release a call on cic (cause 16), the far end answers RLC. */
static void release_ours(struct harness *h, struct isup_call *call, uint16_t cic)
{
	isup_call_release(call, 16);
	expect_rel(h, cic, 16);
	h_rx_simple(h, ISUP_RLC, cic);
}

START_TEST(test_out_basic)
{
	struct harness *h = std_h();
	struct h_call *c = h_call_out(h, 1);
	struct isup_call *call = c->call;
	struct isup_msg m;

	ck_assert_str_eq(isup_call_state_name(call), "OUT_WAIT_ACM");
	ck_assert(isup_call_outgoing(call));
	ck_assert_str_eq(isup_call_trunk(call), "pstn");
	rx_acm(h, 1);
	ck_assert_str_eq(isup_call_state_name(call), "OUT_WAIT_ANM");
	isup_build_anm(&m, 1);
	h_rx(h, &m);
	ck_assert_str_eq(isup_call_state_name(call), "ANSWERED");
	ck_assert_uint_eq(c->n_events, 2);
	ck_assert_uint_eq(c->events[0], ISUP_ACM);
	ck_assert_uint_eq(c->events[1], ISUP_ANM);
	/* REL goes through isup_call_release() only */
	isup_build_rel(&m, 1, 1, 16);
	ck_assert_int_eq(isup_call_send(call, &m), -EINVAL);
	isup_call_release(call, 16);
	ck_assert(c->released);
	ck_assert(!c->by_remote);
	ck_assert_uint_eq(c->cause, 16);
	expect_rel(h, 1, 16);
	h_rx_simple(h, ISUP_RLC, 1);
	h_expect_none(h);
	h_assert_all_idle(h);
	ck_assert_uint_eq(isup_node_ctr(h->node, ISUP_CTR_CALLS_OUT), 1);
	h_free(h);
}
END_TEST

START_TEST(test_in_basic)
{
	struct harness *h = std_h();
	struct h_call *c = h_call_in(h, 5);
	struct isup_call *call = c->call;
	struct isup_bci bci = { 0 };
	struct isup_msg m;

	ck_assert_str_eq(isup_call_state_name(call), "IN_PROCEEDING");
	ck_assert_uint_eq(isup_call_cic(call), 5);
	/* overlap: SAM digits go up, the upper layer decides */
	isup_msg_init(&m, ISUP_SAM, 5);
	m.subsequent.ascii = "56";
	m.subsequent.n_digits = 2;
	isup_msg_set(&m, ISUP_P_SUBSEQUENT_NUMBER);
	h_rx(h, &m);
	ck_assert_uint_eq(c->n_events, 1);
	ck_assert_uint_eq(c->events[0], ISUP_SAM);
	/* ANM/CON before anything is fine; SAM is for outgoing calls */
	isup_build_simple(&m, ISUP_SAM, 5);
	ck_assert_int_eq(isup_call_send(call, &m), -EINVAL);
	isup_build_acm(&m, 0, &bci);
	ck_assert_int_eq(isup_call_send(call, &m), 0);
	h_expect(h, ISUP_ACM, 5);
	ck_assert_str_eq(isup_call_state_name(call), "IN_ALERTING");
	isup_build_con(&m, 0, &bci);
	ck_assert_int_eq(isup_call_send(call, &m), -EINVAL);	/* CON only without ACM */
	isup_build_anm(&m, 0);
	ck_assert_int_eq(isup_call_send(call, &m), 0);
	h_expect(h, ISUP_ANM, 5);
	rx_rel(h, 5, 16);
	h_expect(h, ISUP_RLC, 5);
	ck_assert(c->released);
	ck_assert(c->by_remote);
	ck_assert_uint_eq(c->cause, 16);
	h_assert_all_idle(h);
	ck_assert_uint_eq(isup_node_ctr(h->node, ISUP_CTR_CALLS_IN), 1);
	h_free(h);
}
END_TEST

START_TEST(test_release_in_incoming_cb)
{
	struct harness *h = std_h();
	struct isup_msg iam;

	h->release_in_incoming = true;
	h_iam(&iam, 3, 0);
	h_rx(h, &iam);
	ck_assert(h->calls[0].released);
	expect_rel(h, 3, 17);
	h_rx_simple(h, ISUP_RLC, 3);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

/* A message received while another is handled (an upper layer feeding one back at once) is decoded into a
 * message of its own: both calls come up on their circuits. */
START_TEST(test_rx_nested)
{
	struct harness *h = std_h();
	struct isup_msg iam, iam2;

	h_iam(&iam, 3, 0);
	h_iam(&iam2, 4, 0);
	h->rx_in_incoming = &iam2;
	h_rx(h, &iam);
	ck_assert_uint_eq(h->n_calls, 2);
	ck_assert_uint_eq(isup_call_cic(h->calls[0].call), 3);
	ck_assert_uint_eq(isup_call_cic(h->calls[1].call), 4);
	ck_assert_uint_eq(isup_node_ctr(h->node, ISUP_CTR_CALLS_IN), 2);
	/* and the node's own message is free again afterwards */
	release_ours(h, h->calls[0].call, 3);
	release_ours(h, h->calls[1].call, 4);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

/* T7 (Q.764 Annex A): no ACM -> REL cause 102 (recovery on timer expiry); T1 repeats the REL */
START_TEST(test_t7_t1)
{
	struct harness *h = std_h();
	struct h_call *c = h_call_out(h, 1);

	h_advance(24);
	h_expect_none(h);
	h_advance(1);
	expect_rel(h, 1, 102);
	ck_assert(c->released);
	ck_assert_uint_eq(c->cause, 102);
	h_advance(14);
	h_expect_none(h);
	h_advance(1);
	expect_rel(h, 1, 102);		/* T1 */
	h_advance(15);
	expect_rel(h, 1, 102);
	h_rx_simple(h, ISUP_RLC, 1);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

/* T5: no RLC at all -> RSC (only T17 repeats it), maintenance alerted */
START_TEST(test_t5)
{
	struct harness *h = std_h();
	struct h_call *c = h_call_out(h, 1);
	struct isup_cic_info info;
	unsigned int rels = 0;
	const struct isup_msg *m;

	isup_call_release(c->call, 16);
	h_advance(299);
	while ((m = h_pop(h))) {
		ck_assert_uint_eq(m->type, ISUP_REL);
		rels++;
	}
	ck_assert_uint_ge(rels, 19);		/* the initial one and one per T1 */
	h_advance(1);
	/* T1 and T5 may expire in the same second */
	while ((m = h_pop(h)) && m->type == ISUP_REL)
		;
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->type, ISUP_RSC);
	ck_assert_uint_eq(m->cic, 1);
	h_expect_none(h);
	ck_assert_uint_eq(isup_node_ctr(h->node, ISUP_CTR_MAINT_ALERTS), 1);
	ck_assert_int_eq(isup_node_cic_get(h->node, "pstn", 1, &info), 0);
	ck_assert_str_eq(info.state, "RESETTING");
	h_advance(30);
	h_expect_none(h);			/* no T16 after T5 */
	h_advance(270);
	h_expect(h, ISUP_RSC, 1);		/* T17 */
	h_rx_simple(h, ISUP_RLC, 1);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

START_TEST(test_t9)
{
	struct harness *h = std_h();
	struct h_call *c = h_call_out(h, 1);

	rx_acm(h, 1);
	h_advance(89);
	h_expect_none(h);
	h_advance(1);
	expect_rel(h, 1, 19);
	ck_assert_uint_eq(c->cause, 19);
	h_rx_simple(h, ISUP_RLC, 1);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

START_TEST(test_t9_off)
{
	struct isup_node_opts o;
	struct harness *h;
	struct h_call *c;

	isup_node_opts_default(&o);
	o.run_t9 = false;
	h = h_alloc(HI_PC, LO_PC, 1, 8, ISUP_HUNT_ASCENDING, ISUP_TRUNK_BOTHWAY, &o);
	h_activate(h);
	c = h_call_out(h, 1);
	rx_acm(h, 1);
	h_advance(400);
	h_expect_none(h);
	ck_assert(!c->released);
	rx_rel(h, 1, 16);
	h_expect(h, ISUP_RLC, 1);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

/* Q.764 §2.3.1: both ends send REL */
START_TEST(test_rel_collision)
{
	struct harness *h = std_h();
	struct h_call *c = h_call_in(h, 4);

	isup_call_release(c->call, 16);
	expect_rel(h, 4, 16);
	rx_rel(h, 4, 31);
	h_expect(h, ISUP_RLC, 4);
	ck_assert(!c->by_remote);		/* reported once, at our release */
	ck_assert_uint_eq(isup_node_num_calls(h->node), 1);
	h_rx_simple(h, ISUP_RLC, 4);
	h_expect_none(h);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

/* T8: IAM with continuity required, no COT */
START_TEST(test_t8)
{
	struct harness *h = std_h();
	struct isup_msg iam, m;
	struct isup_bci bci = { 0 };
	struct h_call *c;

	h_iam(&iam, 2, 1);
	h_rx(h, &iam);
	c = h_last_incoming(h);
	ck_assert_str_eq(isup_call_state_name(c->call), "IN_WAIT_COT");
	isup_build_acm(&m, 0, &bci);
	ck_assert_int_eq(isup_call_send(c->call, &m), -EINVAL);	/* not before COT */
	h_advance(12);
	expect_rel(h, 2, 41);
	ck_assert_uint_eq(c->cause, 41);
	ck_assert(c->released);
	h_rx_simple(h, ISUP_RLC, 2);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

static void rx_cot(struct harness *h, uint16_t cic, bool ok)
{
	struct isup_msg m;

	isup_msg_init(&m, ISUP_COT, cic);
	m.continuity_ok = ok;
	isup_msg_set(&m, ISUP_P_CONTINUITY_IND);
	h_rx(h, &m);
}

START_TEST(test_in_cot_ok_and_failed)
{
	struct harness *h = std_h();
	struct isup_msg iam;
	struct h_call *c;

	/* performed on a previous circuit, COT successful */
	h_iam(&iam, 2, 2);
	h_rx(h, &iam);
	c = h_last_incoming(h);
	rx_cot(h, 2, true);
	ck_assert_str_eq(isup_call_state_name(c->call), "IN_PROCEEDING");
	ck_assert_uint_eq(c->events[0], ISUP_COT);
	isup_call_release(c->call, 16);
	expect_rel(h, 2, 16);
	h_rx_simple(h, ISUP_RLC, 2);

	/* required on this circuit, COT failed: wait for CCR (T27), then RSC */
	h_iam(&iam, 3, 1);
	h_rx(h, &iam);
	c = h_last_incoming(h);
	rx_cot(h, 3, false);
	ck_assert(c->released);
	ck_assert_uint_eq(c->cause, 41);
	h_advance(239);
	h_expect_none(h);
	h_advance(1);
	h_expect(h, ISUP_RSC, 3);
	h_rx_simple(h, ISUP_RLC, 3);
	h_assert_all_idle(h);

	/* COT failed, then CCR: re-test ended by REL; the loop (ops->cot_loop) is connected for the re-test only */
	h_iam(&iam, 4, 1);
	h_rx(h, &iam);
	rx_cot(h, 4, false);
	ck_assert_uint_eq(h->loop_ons, 0);
	h_rx_simple(h, ISUP_CCR, 4);
	ck_assert_uint_eq(h->loop_ons, 1);
	ck_assert_uint_eq(h->loop_cic, 4);
	ck_assert(h->loop_on);
	h_rx_simple(h, ISUP_CCR, 4);
	ck_assert_uint_eq(h->loop_ons, 1);
	rx_rel(h, 4, 31);
	ck_assert_uint_eq(h->loop_offs, 1);
	ck_assert(!h->loop_on);
	h_expect(h, ISUP_RLC, 4);
	h_expect_none(h);
	h_assert_all_idle(h);
	ck_assert_uint_eq(isup_node_ctr(h->node, ISUP_CTR_COT_FAILURES), 2);

	/* CCR, re-test failed (COT failed): loop off until the next CCR; CCR on an idle circuit: loop on */
	h_iam(&iam, 5, 1);
	h_rx(h, &iam);
	rx_cot(h, 5, false);
	h_rx_simple(h, ISUP_CCR, 5);
	ck_assert(h->loop_on);
	rx_cot(h, 5, false);
	ck_assert(!h->loop_on);
	ck_assert_uint_eq(h->loop_offs, 2);
	h_rx_simple(h, ISUP_CCR, 5);
	ck_assert(h->loop_on);
	rx_rel(h, 5, 31);
	h_expect(h, ISUP_RLC, 5);
	ck_assert(!h->loop_on);
	h_rx_simple(h, ISUP_CCR, 6);
	ck_assert(h->loop_on);
	ck_assert_uint_eq(h->loop_cic, 6);
	rx_rel(h, 6, 31);
	h_expect(h, ISUP_RLC, 6);
	h_expect_none(h);
	ck_assert(!h->loop_on);
	ck_assert_uint_eq(h->loop_ons, 4);
	ck_assert_uint_eq(h->loop_offs, 4);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

/* Outgoing continuity check: success sends COT; failure sends COT failed, repeats the call on another circuit and
 * re-tests the failed one with CCR after T25. */
START_TEST(test_out_cot)
{
	struct harness *h = std_h();
	struct isup_msg iam;
	struct isup_call *call = NULL;
	struct h_call *c = &h->calls[h->n_calls++];
	const struct isup_msg *m;

	memset(c, 0, sizeof(*c));
	h_iam(&iam, 0, 1);
	ck_assert_int_eq(isup_call_setup(h->node, "pstn", &iam, c, &call), 0);
	c->call = call;
	h_expect(h, ISUP_IAM, 1);
	/* the instance id names the trunk, the circuit and the direction, and follows the call to its new circuit */
	ck_assert_msg(test_log_contains("isup_call(pstn-1-out"), "%s", test_log());
	ck_assert_uint_eq(c->cot_tests, 1);
	isup_call_cot_result(call, false);
	m = h_expect(h, ISUP_COT, 1);
	ck_assert(!m->continuity_ok);
	h_expect(h, ISUP_IAM, 2);
	ck_assert_msg(test_log_contains("isup_call(pstn-2-out"), "%s", test_log());
	ck_assert_uint_eq(c->cic_changes, 1);
	ck_assert_uint_eq(c->last_cic, 2);
	ck_assert_uint_eq(isup_call_cic(call), 2);
	ck_assert_uint_eq(c->cot_tests, 2);
	isup_call_cot_result(call, true);
	m = h_expect(h, ISUP_COT, 2);
	ck_assert(m->continuity_ok);
	ck_assert(!c->released);
	rx_acm(h, 2);
	isup_call_release(call, 16);
	expect_rel(h, 2, 16);
	h_rx_simple(h, ISUP_RLC, 2);

	/* T25 on CIC 1: CCR and a re-test */
	h_advance(5);
	h_expect(h, ISUP_CCR, 1);
	ck_assert_uint_eq(h_retests, 1);
	isup_call_cot_result(h_retest_call, false);
	m = h_expect(h, ISUP_COT, 1);
	ck_assert(!m->continuity_ok);
	h_advance(119);
	h_expect_none(h);
	h_advance(1);				/* T26 */
	h_expect(h, ISUP_CCR, 1);
	ck_assert_uint_eq(h_retests, 2);
	isup_call_cot_result(h_retest_call, true);
	h_expect(h, ISUP_REL, 1);
	h_rx_simple(h, ISUP_RLC, 1);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

/* Maintenance continuity test of an idle circuit: CCR at once, the result by circuit (isup_node_retest_result());
 * success ends with REL, failure sends COT(failed) and holds the circuit for a re-test after T26. */
START_TEST(test_cot_test_idle)
{
	struct harness *h = std_h();
	struct isup_cic_info info;
	const struct isup_msg *m;

	ck_assert_int_eq(isup_cic_continuity_test(h->node, "nope", 3), -ENOENT);
	ck_assert_int_eq(isup_cic_continuity_test(h->node, "pstn", 99), -ERANGE);
	ck_assert_int_eq(isup_node_retest_result(h->node, "pstn", 3, true), -ENOENT);
	ck_assert_int_eq(isup_cic_continuity_test(h->node, "pstn", 3), 0);
	h_expect(h, ISUP_CCR, 3);
	ck_assert_uint_eq(h_retests, 1);
	/* the circuit is held: no second test, no call on it */
	ck_assert_int_eq(isup_cic_continuity_test(h->node, "pstn", 3), -EBUSY);
	ck_assert_int_eq(isup_node_cic_get(h->node, "pstn", 3, &info), 0);
	ck_assert(!info.idle);
	ck_assert_int_eq(isup_node_retest_result(h->node, "pstn", 3, false), 0);
	m = h_expect(h, ISUP_COT, 3);
	ck_assert(!m->continuity_ok);
	/* waiting for T26: no result is taken */
	ck_assert_int_eq(isup_node_retest_result(h->node, "pstn", 3, true), -ENOENT);
	h_advance(120);
	h_expect(h, ISUP_CCR, 3);
	ck_assert_uint_eq(h_retests, 2);
	ck_assert_int_eq(isup_node_retest_result(h->node, "pstn", 3, true), 0);
	h_expect(h, ISUP_REL, 3);
	h_rx_simple(h, ISUP_RLC, 3);
	h_assert_all_idle(h);

	/* a blocked circuit is not tested */
	ck_assert_int_eq(isup_cic_block(h->node, "pstn", 4, 4, false), 0);
	h_expect(h, ISUP_BLO, 4);
	ck_assert_int_eq(isup_cic_continuity_test(h->node, "pstn", 4), -EBUSY);
	h_expect_none(h);
	h_free(h);
}
END_TEST

/* Continuity "performed on a previous circuit": the upper layer sends COT later */
START_TEST(test_out_cot_previous)
{
	struct harness *h = std_h();
	struct isup_msg iam, m;
	struct isup_call *call = NULL;
	struct h_call *c = &h->calls[h->n_calls++];

	memset(c, 0, sizeof(*c));
	h_iam(&iam, 0, 2);
	ck_assert_int_eq(isup_call_setup(h->node, "pstn", &iam, c, &call), 0);
	c->call = call;
	h_expect(h, ISUP_IAM, 1);
	ck_assert_uint_eq(c->cot_tests, 0);
	isup_msg_init(&m, ISUP_COT, 0);
	ck_assert_int_eq(isup_call_send(call, &m), -EINVAL);	/* no continuity indicators */
	m.continuity_ok = true;
	isup_msg_set(&m, ISUP_P_CONTINUITY_IND);
	ck_assert_int_eq(isup_call_send(call, &m), 0);
	ck_assert(h_expect(h, ISUP_COT, 1)->continuity_ok);
	ck_assert_int_eq(isup_call_send(call, &m), -EINVAL);	/* only once */
	isup_call_release(call, 16);
	expect_rel(h, 1, 16);
	h_rx_simple(h, ISUP_RLC, 1);

	/* a transit exchange passes a failed check on: COT failed, once; the far end releases */
	c = &h->calls[h->n_calls++];
	memset(c, 0, sizeof(*c));
	ck_assert_int_eq(isup_call_setup(h->node, "pstn", &iam, c, &call), 0);
	c->call = call;
	h_expect(h, ISUP_IAM, 1);
	m.continuity_ok = false;
	ck_assert_int_eq(isup_call_send(call, &m), 0);
	ck_assert(!h_expect(h, ISUP_COT, 1)->continuity_ok);
	ck_assert_int_eq(isup_call_send(call, &m), -EINVAL);
	rx_rel(h, 1, 41);
	h_expect(h, ISUP_RLC, 1);
	ck_assert(c->released);
	ck_assert_uint_eq(c->cause, 41);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

/* "Performed on a previous circuit" and COT failed: no CCR will come for this circuit; released at once (REL 41)
 * as at T8 expiry, reported as the far end's release. */
START_TEST(test_in_cot_previous_failed)
{
	struct harness *h = std_h();
	struct isup_msg iam;
	struct h_call *c;

	h_iam(&iam, 2, 2);
	h_rx(h, &iam);
	c = h_last_incoming(h);
	rx_cot(h, 2, false);
	ck_assert(c->released);
	ck_assert_uint_eq(c->cause, 41);
	expect_rel(h, 2, 41);
	h_rx_simple(h, ISUP_RLC, 2);
	h_expect_none(h);
	h_assert_all_idle(h);
	ck_assert_uint_eq(isup_node_ctr(h->node, ISUP_CTR_COT_FAILURES), 1);
	h_free(h);
}
END_TEST

/* A call on one given circuit (no hunting), and whether the trunk group can take a call. */
START_TEST(test_setup_cic)
{
	struct harness *h = h_alloc(HI_PC, LO_PC, 1, 2, ISUP_HUNT_ASCENDING, ISUP_TRUNK_BOTHWAY, NULL);
	struct isup_msg iam;
	struct isup_call *call = NULL;
	struct h_call *c;

	h_iam(&iam, 0, 0);
	ck_assert_int_eq(isup_trunk_can_setup(h->node, "nope"), -ENOENT);
	ck_assert_int_eq(isup_trunk_can_setup(h->node, "pstn"), -ENETDOWN);
	ck_assert_int_eq(isup_call_setup_cic(h->node, "pstn", 2, &iam, NULL, &call), -ENETDOWN);
	h_activate(h);
	ck_assert_int_eq(isup_trunk_can_setup(h->node, "pstn"), 0);
	ck_assert_int_eq(isup_call_setup_cic(h->node, "pstn", 7, &iam, NULL, &call), -ERANGE);
	c = &h->calls[h->n_calls++];
	memset(c, 0, sizeof(*c));
	ck_assert_int_eq(isup_call_setup_cic(h->node, "pstn", 2, &iam, c, &call), 0);
	c->call = call;
	h_expect(h, ISUP_IAM, 2);
	ck_assert_uint_eq(isup_call_cic(call), 2);
	ck_assert_int_eq(isup_call_setup_cic(h->node, "pstn", 2, &iam, NULL, &call), -EBUSY);
	ck_assert_int_eq(isup_trunk_can_setup(h->node, "pstn"), 0);		/* CIC 1 is left */
	h_call_out(h, 1);
	ck_assert_int_eq(isup_trunk_can_setup(h->node, "pstn"), -EBUSY);
	release_ours(h, c->call, 2);
	release_ours(h, h->calls[1].call, 1);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

START_TEST(test_sus_res)
{
	struct harness *h = std_h();
	struct h_call *c = h_call_out(h, 1);
	struct isup_msg m;

	rx_acm(h, 1);
	isup_build_anm(&m, 1);
	h_rx(h, &m);
	/* network SUS: T6 */
	isup_msg_init(&m, ISUP_SUS, 1);
	m.sus_res_network = true;
	isup_msg_set(&m, ISUP_P_SUS_RES_IND);
	h_rx(h, &m);
	ck_assert_str_eq(isup_call_state_name(c->call), "SUSPENDED");
	h_advance(100);
	m.type = ISUP_RES;
	h_rx(h, &m);
	ck_assert_str_eq(isup_call_state_name(c->call), "ANSWERED");
	h_advance(100);
	h_expect_none(h);
	/* user SUS: T2 (180 s) */
	m.type = ISUP_SUS;
	m.sus_res_network = false;
	h_rx(h, &m);
	h_advance(179);
	h_expect_none(h);
	h_advance(1);
	expect_rel(h, 1, 102);
	ck_assert(c->released);
	h_rx_simple(h, ISUP_RLC, 1);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

START_TEST(test_t33)
{
	struct harness *h = std_h();
	struct h_call *c = h_call_in(h, 6);
	struct isup_msg m;

	isup_msg_init(&m, ISUP_INR, 0);
	m.mand[0].data = (const uint8_t *)"\x01\x00";
	m.mand[0].len = 2;
	ck_assert_int_eq(isup_call_send(c->call, &m), 0);
	h_expect(h, ISUP_INR, 6);
	h_advance(13);
	h_expect_none(h);
	h_advance(1);
	expect_rel(h, 6, 102);
	ck_assert(c->released);
	h_rx_simple(h, ISUP_RLC, 6);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

/* Q.764 §2.9.1.4: dual seizure, both point code orders, even and odd CICs */
static void glare(uint16_t local_pc, uint16_t dpc, uint16_t cic, bool we_win)
{
	struct harness *h = h_alloc(local_pc, dpc, cic, cic + 3, ISUP_HUNT_ASCENDING, ISUP_TRUNK_BOTHWAY, NULL);
	struct h_call *c, *in;
	struct isup_msg iam;
	struct isup_cic_info info;

	h_activate(h);
	c = h_call_out(h, cic);
	ck_assert_int_eq(isup_node_cic_get(h->node, "pstn", cic, &info), 0);
	ck_assert_int_eq(info.we_control, we_win);
	h_iam(&iam, cic, 0);
	h_rx(h, &iam);
	ck_assert_uint_eq(isup_node_ctr(h->node, ISUP_CTR_DUAL_SEIZURES), 1);
	if (we_win) {
		h_expect_none(h);
		ck_assert_uint_eq(h->n_calls, 1);
		ck_assert_uint_eq(isup_call_cic(c->call), cic);
	} else {
		/* backed off: our call goes out again on the next circuit, the incoming one is offered */
		h_expect(h, ISUP_IAM, cic + 1);
		h_expect_none(h);
		ck_assert(!c->released);
		ck_assert_uint_eq(c->cic_changes, 1);
		ck_assert_uint_eq(isup_call_cic(c->call), cic + 1);
		in = h_last_incoming(h);
		ck_assert_ptr_nonnull(in);
		ck_assert_uint_eq(isup_call_cic(in->call), cic);
		rx_rel(h, cic, 16);
		h_expect(h, ISUP_RLC, cic);
	}
	isup_call_release(c->call, 16);
	expect_rel(h, we_win ? cic : cic + 1, 16);
	h_rx_simple(h, ISUP_RLC, we_win ? cic : cic + 1);
	h_assert_all_idle(h);
	h_free(h);
}

START_TEST(test_dual_seizure)
{
	glare(HI_PC, LO_PC, 2, true);	/* higher PC controls even */
	glare(HI_PC, LO_PC, 3, false);
	glare(LO_PC, HI_PC, 2, false);	/* lower PC controls odd */
	glare(LO_PC, HI_PC, 3, true);
}
END_TEST

START_TEST(test_glare_no_other_circuit)
{
	struct harness *h = h_alloc(HI_PC, LO_PC, 3, 3, ISUP_HUNT_ASCENDING, ISUP_TRUNK_BOTHWAY, NULL);
	struct h_call *c, *in;
	struct isup_msg iam;

	h_activate(h);
	c = h_call_out(h, 3);
	h_iam(&iam, 3, 0);
	h_rx(h, &iam);
	ck_assert(c->released);
	ck_assert_uint_eq(c->cause, 34);
	in = h_last_incoming(h);
	ck_assert_ptr_nonnull(in);
	isup_call_release(in->call, 16);
	expect_rel(h, 3, 16);
	h_rx_simple(h, ISUP_RLC, 3);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

START_TEST(test_unexpected)
{
	struct harness *h = std_h();
	struct isup_msg m;

	/* RLC on idle: discarded */
	h_rx_simple(h, ISUP_RLC, 2);
	h_expect_none(h);
	/* REL on idle: RLC */
	rx_rel(h, 2, 16);
	h_expect(h, ISUP_RLC, 2);
	/* ANM on idle: reset */
	isup_build_anm(&m, 3);
	h_rx(h, &m);
	h_expect(h, ISUP_RSC, 3);
	h_rx_simple(h, ISUP_RLC, 3);
	/* CFN is never answered */
	isup_build_cfn(&m, 4, 1, 97, NULL, 0);
	h_rx(h, &m);
	h_expect_none(h);
	ck_assert_uint_eq(isup_node_ctr(h->node, ISUP_CTR_CFN_RX), 1);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

/* Q.764 §2.9.5.1: unrecognised message types */
START_TEST(test_unknown_msg)
{
	struct harness *h = std_h();
	const struct isup_msg *m;
	struct h_call *c;
	/* type 0x70 (not in Q.763), general format: pointer, then the optional part */
	const uint8_t no_mci[] = { 0x02, 0x00, 0x70, 0x00 };
	const uint8_t mci_release[] = { 0x02, 0x00, 0x70, 0x01, 0x38, 0x01, 0x02 | 0x80, 0x00 };
	const uint8_t mci_discard_silent[] = { 0x02, 0x00, 0x70, 0x01, 0x38, 0x01, 0x08 | 0x80, 0x00 };
	const uint8_t mci_discard_notify[] = { 0x02, 0x00, 0x70, 0x01, 0x38, 0x01, 0x0c | 0x80, 0x00 };

	h_rx_bytes(h, no_mci, sizeof(no_mci));
	m = h_expect(h, ISUP_CFN, 2);
	ck_assert_uint_eq(m->cause.value, 97);
	ck_assert_uint_eq(m->cause.diag.len, 1);
	ck_assert_uint_eq(m->cause.diag.data[0], 0x70);
	h_rx_bytes(h, mci_discard_silent, sizeof(mci_discard_silent));
	h_expect_none(h);
	h_rx_bytes(h, mci_discard_notify, sizeof(mci_discard_notify));
	m = h_expect(h, ISUP_CFN, 2);
	ck_assert_uint_eq(m->cause.value, 97);

	c = h_call_in(h, 2);
	h_rx_bytes(h, mci_release, sizeof(mci_release));
	expect_rel(h, 2, 97);
	ck_assert(c->released);
	ck_assert_uint_eq(c->cause, 97);
	h_rx_simple(h, ISUP_RLC, 2);
	ck_assert_uint_eq(isup_node_ctr(h->node, ISUP_CTR_CFN_TX), 2);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

/* Q.764 §2.9.5.2: unrecognised parameters, with and without compatibility instructions */
static void acm_with_unknown(struct isup_msg *m, uint16_t cic, int pci_instr)
{
	static uint8_t pci[2];
	struct isup_bci bci = { 0 };

	isup_build_acm(m, cic, &bci);
	ck_assert_int_eq(isup_msg_add_raw(m, 0xf0, (const uint8_t *)"\x55", 1), 0);
	if (pci_instr >= 0) {
		pci[0] = 0xf0;
		pci[1] = 0x80 | pci_instr;
		m->pci.data = pci;
		m->pci.len = 2;
		isup_msg_set(m, ISUP_P_PCI);
	}
}

START_TEST(test_unknown_param)
{
	struct harness *h = std_h();
	struct h_call *c;
	struct isup_msg m;
	const struct isup_msg *r;

	/* no PCI: parameter discarded, message processed, CFN 99 */
	c = h_call_out(h, 1);
	acm_with_unknown(&m, 1, -1);
	h_rx(h, &m);
	r = h_expect(h, ISUP_CFN, 1);
	ck_assert_uint_eq(r->cause.value, 99);
	ck_assert_uint_eq(r->cause.diag.data[0], 0xf0);
	ck_assert_str_eq(isup_call_state_name(c->call), "OUT_WAIT_ANM");

	/* PCI: discard message and notify -> CFN 110, message not processed */
	c = h_call_out(h, 2);
	acm_with_unknown(&m, 2, 0x08 | 0x04);
	h_rx(h, &m);
	r = h_expect(h, ISUP_CFN, 2);
	ck_assert_uint_eq(r->cause.value, 110);
	ck_assert_str_eq(isup_call_state_name(c->call), "OUT_WAIT_ACM");

	/* PCI: discard parameter silently */
	acm_with_unknown(&m, 2, 0x10);
	h_rx(h, &m);
	h_expect_none(h);
	ck_assert_str_eq(isup_call_state_name(c->call), "OUT_WAIT_ANM");

	/* PCI: release call -> REL 99 */
	c = h_call_out(h, 3);
	acm_with_unknown(&m, 3, 0x02);
	h_rx(h, &m);
	expect_rel(h, 3, 99);
	ck_assert(c->released);
	ck_assert_uint_eq(c->cause, 99);
	h_rx_simple(h, ISUP_RLC, 3);

	isup_call_release(h->calls[0].call, 16);
	isup_call_release(h->calls[1].call, 16);
	expect_rel(h, 1, 16);
	expect_rel(h, 2, 16);
	h_rx_simple(h, ISUP_RLC, 1);
	h_rx_simple(h, ISUP_RLC, 2);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

START_TEST(test_malformed)
{
	struct harness *h = std_h();
	struct isup_msg iam;
	uint8_t buf[300];
	int n;
	const struct isup_msg *r;
	struct h_call *c;
	/* ACM whose optional parameter runs past the end */
	const uint8_t bad_acm[] = { 0x01, 0x00, 0x06, 0x16, 0x14, 0x01, 0x29, 0x05, 0x01 };

	/* truncated IAM: REL with cause 100, the upper layer never sees it */
	h_iam(&iam, 7, 0);
	n = isup_encode_buf(buf, sizeof(buf), &iam);
	ck_assert_int_gt(n, 11);
	h_rx_bytes(h, buf, 11);
	expect_rel(h, 7, 100);
	ck_assert_uint_eq(h->n_calls, 0);
	h_rx_simple(h, ISUP_RLC, 7);
	ck_assert_uint_eq(isup_node_ctr(h->node, ISUP_CTR_RX_ERRORS), 1);

	/* malformed ACM during a call: CFN 100, the call goes on */
	c = h_call_out(h, 1);
	h_rx_bytes(h, bad_acm, sizeof(bad_acm));
	r = h_expect(h, ISUP_CFN, 1);
	ck_assert_uint_eq(r->cause.value, 100);
	ck_assert_str_eq(isup_call_state_name(c->call), "OUT_WAIT_ACM");
	/* a malformed REL still releases */
	{
		const uint8_t bad_rel[] = { 0x01, 0x00, 0x0c, 0x02, 0x00, 0x05, 0x80 };

		h_rx_bytes(h, bad_rel, sizeof(bad_rel));
		h_expect(h, ISUP_RLC, 1);
		ck_assert(c->released);
	}
	/* too short to have a message type */
	{
		const uint8_t tiny[] = { 0x01, 0x00 };

		h_rx_bytes(h, tiny, sizeof(tiny));
		h_expect_none(h);
	}
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

START_TEST(test_setup_errors)
{
	struct harness *h = h_alloc(HI_PC, LO_PC, 1, 2, ISUP_HUNT_ASCENDING, ISUP_TRUNK_INCOMING, NULL);
	struct isup_msg iam;
	struct isup_call *call;

	h_iam(&iam, 0, 0);
	ck_assert_int_eq(isup_call_setup(h->node, "nope", &iam, NULL, &call), -ENOENT);
	ck_assert_int_eq(isup_call_setup(h->node, "pstn", &iam, NULL, &call), -EBUSY);
	h_free(h);

	h = h_alloc(HI_PC, LO_PC, 1, 1, ISUP_HUNT_ASCENDING, ISUP_TRUNK_BOTHWAY, NULL);
	ck_assert_int_eq(isup_call_setup(h->node, "pstn", &iam, NULL, &call), -ENETDOWN);
	h_activate(h);
	h_call_out(h, 1);
	ck_assert_int_eq(isup_call_setup(h->node, "pstn", &iam, NULL, &call), -EBUSY);
	ck_assert_uint_eq(isup_node_ctr(h->node, ISUP_CTR_CALLS_OUT_BUSY), 1);
	isup_build_anm(&iam, 0);
	ck_assert_int_eq(isup_call_setup(h->node, "pstn", &iam, NULL, &call), -EINVAL);
	/* the association goes down: the call is released towards the upper layer with cause 41 */
	ck_assert_int_eq(isup_node_assoc_state(h->node, "a", false), 0);
	ck_assert(h->calls[0].released);
	ck_assert_uint_eq(h->calls[0].cause, 41);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

/* Circuit selection per hunting strategy, skipping busy and blocked circuits. */
static void hunt_seq(enum isup_hunting hunt, uint16_t local_pc, const uint16_t *expect, unsigned int n)
{
	struct harness *h = h_alloc(local_pc, LO_PC + 5, 1, 6, hunt, ISUP_TRUNK_BOTHWAY, NULL);
	unsigned int i;

	h_activate(h);
	for (i = 0; i < n; i++)
		h_call_out(h, expect[i]);
	for (i = 0; i < n; i++) {
		isup_call_release(h->calls[i].call, 16);
		expect_rel(h, expect[i], 16);
		h_rx_simple(h, ISUP_RLC, expect[i]);
	}
	h_assert_all_idle(h);
	h_free(h);
}

START_TEST(test_hunting)
{
	static const uint16_t asc[] = { 1, 2, 3, 4, 5, 6 };
	static const uint16_t desc[] = { 6, 5, 4, 3, 2, 1 };
	static const uint16_t odd[] = { 1, 3, 5, 2, 4, 6 };
	static const uint16_t even[] = { 2, 4, 6, 1, 3, 5 };
	static const uint16_t ctl_hi[] = { 2, 4, 6, 5, 3, 1 };	/* PC 20 > 15: even, then the rest downwards */
	static const uint16_t ctl_lo[] = { 1, 3, 5, 6, 4, 2 };	/* PC 10 < 15: odd first */
	struct harness *h;
	struct isup_call *c;
	unsigned int i;

	hunt_seq(ISUP_HUNT_ASCENDING, HI_PC, asc, 6);
	hunt_seq(ISUP_HUNT_DESCENDING, HI_PC, desc, 6);
	hunt_seq(ISUP_HUNT_ODD, HI_PC, odd, 6);
	hunt_seq(ISUP_HUNT_EVEN, HI_PC, even, 6);
	hunt_seq(ISUP_HUNT_CONTROLLED, HI_PC, ctl_hi, 6);
	hunt_seq(ISUP_HUNT_CONTROLLED, LO_PC, ctl_lo, 6);

	/* round robin continues after the last one used; LRU takes the longest idle */
	h = h_alloc(HI_PC, LO_PC, 1, 4, ISUP_HUNT_ROUND_ROBIN, ISUP_TRUNK_BOTHWAY, NULL);
	h_activate(h);
	for (i = 0; i < 6; i++) {
		struct h_call *hc = h_call_out(h, (i % 4) + 1);

		c = hc->call;
		isup_call_release(c, 16);
		h_flush(h);
		h_rx_simple(h, ISUP_RLC, (i % 4) + 1);
	}
	/* blocked (remotely) and busy circuits are skipped */
	h_rx_simple(h, ISUP_BLO, 4);
	h_expect(h, ISUP_BLA, 4);
	h_call_in(h, 1);
	h_call_out(h, 3);
	h_call_out(h, 2);
	h_free(h);

	h = h_alloc(HI_PC, LO_PC, 1, 4, ISUP_HUNT_LRU, ISUP_TRUNK_BOTHWAY, NULL);
	h_activate(h);
	h_call_in(h, 1);
	isup_call_release(h->calls[0].call, 16);
	h_flush(h);
	h_rx_simple(h, ISUP_RLC, 1);		/* CIC 1 used last */
	h_call_out(h, 2);
	h_call_out(h, 3);
	h_call_out(h, 4);
	h_call_out(h, 1);
	h_free(h);
}
END_TEST


/* Robustness: thousands of valid, mutated and truncated messages of every type on provisioned and unprovisioned
 * CICs, with outgoing calls and time passing in between.  Nothing may crash, every release is reported once (the
 * harness checks), and after an RSC from the far end on every circuit everything is idle. */
static uint32_t rnd_state = 0x12345678;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

START_TEST(test_robustness)
{
	struct harness *h = std_h();
	uint8_t types[256], buf[300];
	unsigned int n_types = 0, i, t;
	struct isup_msg m;

	for (t = 0; t < 256; t++) {
		if (isup_msg_known(t))
			types[n_types++] = t;
	}
	for (i = 0; i < 2000; i++) {
		int n;
		size_t len;

		isup_sample_msg(&m, rnd() % 8 ? types[rnd() % n_types] : ISUP_IAM, rnd() & 1);
		m.cic = 1 + rnd() % 10;
		n = isup_encode_buf(buf, sizeof(buf), &m);
		ck_assert_int_gt(n, 0);
		len = n;
		switch (rnd() % 4) {
		case 0:
			break;
		case 1:
			buf[3 + rnd() % (len > 3 ? len - 3 : 1)] ^= 1 << (rnd() % 8);
			break;
		case 2:
			buf[rnd() % len] = rnd();
			buf[2] = rnd() % 4 ? buf[2] : rnd();	/* sometimes an unknown type */
			break;
		default:
			len = 1 + rnd() % len;
			break;
		}
		if (len < 2)
			len = 2;
		ck_assert_uint_lt(h->n_calls, H_MAX_CALLS - 1);
		h_rx_bytes(h, buf, len);
		if (rnd() % 16 == 0) {
			struct isup_msg iam;
			struct isup_call *call;

			struct h_call *hc;

			ck_assert_uint_lt(h->n_calls, H_MAX_CALLS);
			hc = &h->calls[h->n_calls++];
			memset(hc, 0, sizeof(*hc));
			h_iam(&iam, 0, rnd() % 3);
			if (isup_call_setup(h->node, "pstn", &iam, hc, &call) == 0)
				hc->call = call;
		}
		if (rnd() % 32 == 0)
			h_advance(1 + rnd() % 30);
		if (i % 100 == 99) {
			/* the far end resets everything now and then, so that new calls find circuits */
			for (t = 1; t <= 8; t++)
				h_rx_simple(h, ISUP_RSC, t);
			for (t = 1; t <= 8; t++)
				h_rx_simple(h, ISUP_RLC, t);
		}
		h_flush(h);
	}
	/* the run went through the interesting branches */
	ck_assert_uint_gt(isup_node_ctr(h->node, ISUP_CTR_RX_ERRORS), 100);
	ck_assert_uint_gt(isup_node_ctr(h->node, ISUP_CTR_RX_UNKNOWN_MSG), 10);
	ck_assert_uint_gt(isup_node_ctr(h->node, ISUP_CTR_CALLS_IN), 10);
	ck_assert_uint_gt(isup_node_ctr(h->node, ISUP_CTR_CALLS_OUT), 10);
	ck_assert_uint_gt(isup_node_ctr(h->node, ISUP_CTR_CFN_TX), 10);
	ck_assert_uint_gt(isup_node_ctr(h->node, ISUP_CTR_UCIC_TX), 10);
	ck_assert_uint_gt(isup_node_ctr(h->node, ISUP_CTR_RSC_TX), 10);
	for (t = 1; t <= 8; t++)
		h_rx_simple(h, ISUP_RSC, t);
	h_flush(h);
	h_assert_all_idle(h);
	h_free(h);
}
END_TEST

static Suite *call_suite(void)
{
	Suite *s = suite_create("isup_call");
	TCase *tc = tcase_create("call");

	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_set_timeout(tc, 60);	/* the robustness run under sanitizers */
	tcase_add_test(tc, test_out_basic);
	tcase_add_test(tc, test_in_basic);
	tcase_add_test(tc, test_release_in_incoming_cb);
	tcase_add_test(tc, test_rx_nested);
	tcase_add_test(tc, test_t7_t1);
	tcase_add_test(tc, test_t5);
	tcase_add_test(tc, test_t9);
	tcase_add_test(tc, test_t9_off);
	tcase_add_test(tc, test_rel_collision);
	tcase_add_test(tc, test_t8);
	tcase_add_test(tc, test_in_cot_ok_and_failed);
	tcase_add_test(tc, test_out_cot);
	tcase_add_test(tc, test_cot_test_idle);
	tcase_add_test(tc, test_out_cot_previous);
	tcase_add_test(tc, test_sus_res);
	tcase_add_test(tc, test_t33);
	tcase_add_test(tc, test_dual_seizure);
	tcase_add_test(tc, test_in_cot_previous_failed);
	tcase_add_test(tc, test_setup_cic);
	tcase_add_test(tc, test_glare_no_other_circuit);
	tcase_add_test(tc, test_unexpected);
	tcase_add_test(tc, test_unknown_msg);
	tcase_add_test(tc, test_unknown_param);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_setup_errors);
	tcase_add_test(tc, test_hunting);
	tcase_add_test(tc, test_robustness);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(call_suite());
}
