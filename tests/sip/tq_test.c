/* Timer queues (sip_tq): expiry order and time, cancellation (of the head too), re-arming from the callback, a
 * changed duration taking its own FIFO, and freeing with entries armed. */
#include <talloc.h>

#include <osmocom/core/utils.h>

#include "sip/sip_tq.h"
#include "testlib.h"

#define N_ENT 8

struct ent {
	struct sip_tq_entry e;
	unsigned int id;
	unsigned long rearm_ms;		/* arm again from the callback with this duration, once */
};

static struct sip_tq *cur_tq;
static unsigned int fired[64], n_fired;

static void ent_cb(struct sip_tq_entry *e)
{
	struct ent *x = container_of(e, struct ent, e);

	ck_assert(!sip_tq_pending(e));
	ck_assert_uint_lt(n_fired, ARRAY_SIZE(fired));
	fired[n_fired++] = x->id;
	if (x->rearm_ms) {
		unsigned long ms = x->rearm_ms;

		x->rearm_ms = 0;
		ck_assert_int_eq(sip_tq_schedule(cur_tq, e, ms), 0);
	}
}

static struct ent ents[N_ENT];

static void setup_ents(void)
{
	unsigned int i;

	cur_tq = sip_tq_alloc(test_ctx, ent_cb);
	ck_assert_ptr_nonnull(cur_tq);
	n_fired = 0;
	for (i = 0; i < N_ENT; i++) {
		ents[i] = (struct ent){ .id = i };
		sip_tq_entry_init(&ents[i].e);
		ck_assert(!sip_tq_pending(&ents[i].e));
	}
}

static void expect_fired(const unsigned int *ids, unsigned int n)
{
	unsigned int i;

	ck_assert_uint_eq(n_fired, n);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(fired[i], ids[i]);
}

/* one duration: armed 100 ms apart, they fire in arming order, each at its own time, not before */
START_TEST(test_order_and_time)
{
	unsigned int i;

	setup_ents();
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(sip_tq_schedule(cur_tq, &ents[i].e, 32000), 0);
		ck_assert(sip_tq_pending(&ents[i].e));
		test_time_advance(0, 100000);
	}
	ck_assert_uint_eq(sip_tq_num_fifos(cur_tq), 1);
	/* now = 400 ms; entry 0 is due at 32,000 ms */
	test_time_advance(31, 599000);
	ck_assert_uint_eq(n_fired, 0);
	test_time_advance(0, 1000);
	expect_fired((const unsigned int[]){ 0 }, 1);
	test_time_advance(0, 99999);
	expect_fired((const unsigned int[]){ 0 }, 1);
	test_time_advance(0, 1);
	expect_fired((const unsigned int[]){ 0, 1 }, 2);
	test_time_advance(1, 0);
	expect_fired((const unsigned int[]){ 0, 1, 2, 3 }, 4);
	for (i = 0; i < 4; i++)
		ck_assert(!sip_tq_pending(&ents[i].e));
	sip_tq_free(cur_tq);
}
END_TEST

/* cancelling the head, the middle and the tail; re-arming moves an entry to the tail */
START_TEST(test_cancel_and_rearm)
{
	unsigned int i;

	setup_ents();
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(sip_tq_schedule(cur_tq, &ents[i].e, 1000), 0);
		test_time_advance(0, 10000);
	}
	sip_tq_cancel(&ents[0].e);	/* head: its osmo_timer still fires, early, and re-arms for entry 1 */
	sip_tq_cancel(&ents[3].e);
	sip_tq_cancel(&ents[5].e);
	sip_tq_cancel(&ents[5].e);	/* twice is harmless */
	ck_assert(!sip_tq_pending(&ents[0].e));
	ck_assert_int_eq(sip_tq_schedule(cur_tq, &ents[2].e, 1000), 0);	/* now due at 1,060 ms */
	test_time_advance(0, 940000);	/* now = 1,000 ms: nothing due (entry 1 at 1,010) */
	ck_assert_uint_eq(n_fired, 0);
	test_time_advance(0, 10000);
	expect_fired((const unsigned int[]){ 1 }, 1);
	test_time_advance(0, 30000);
	expect_fired((const unsigned int[]){ 1, 4 }, 2);
	test_time_advance(0, 20000);
	expect_fired((const unsigned int[]){ 1, 4, 2 }, 3);
	test_time_advance(10, 0);
	expect_fired((const unsigned int[]){ 1, 4, 2 }, 3);
	sip_tq_free(cur_tq);
}
END_TEST

/* a duration changed while entries are armed (a timer reconfigured): the shorter new ones fire first, the old ones
 * keep their time; 0 ms fires on the next timer run */
START_TEST(test_changed_duration)
{
	setup_ents();
	ck_assert_int_eq(sip_tq_schedule(cur_tq, &ents[0].e, 32000), 0);
	ck_assert_int_eq(sip_tq_schedule(cur_tq, &ents[1].e, 32000), 0);
	test_time_advance(1, 0);
	ck_assert_int_eq(sip_tq_schedule(cur_tq, &ents[2].e, 5000), 0);
	ck_assert_int_eq(sip_tq_schedule(cur_tq, &ents[3].e, 0), 0);
	ck_assert_int_eq(sip_tq_schedule(cur_tq, &ents[4].e, 32000), 0);
	ck_assert_uint_eq(sip_tq_num_fifos(cur_tq), 3);
	test_time_advance(0, 0);
	expect_fired((const unsigned int[]){ 3 }, 1);
	test_time_advance(5, 0);
	expect_fired((const unsigned int[]){ 3, 2 }, 2);
	test_time_advance(25, 999999);
	expect_fired((const unsigned int[]){ 3, 2 }, 2);
	test_time_advance(0, 1);
	expect_fired((const unsigned int[]){ 3, 2, 0, 1 }, 4);
	test_time_advance(1, 0);
	expect_fired((const unsigned int[]){ 3, 2, 0, 1, 4 }, 5);
	sip_tq_free(cur_tq);
}
END_TEST

/* the callback arms its entry again (same or other duration); more durations than kept: empty FIFOs are freed */
START_TEST(test_rearm_from_cb_and_fifo_reuse)
{
	unsigned int i;

	setup_ents();
	ents[0].rearm_ms = 100;
	ck_assert_int_eq(sip_tq_schedule(cur_tq, &ents[0].e, 100), 0);
	ck_assert_int_eq(sip_tq_schedule(cur_tq, &ents[1].e, 150), 0);
	test_time_advance(0, 100000);
	expect_fired((const unsigned int[]){ 0 }, 1);
	ck_assert(sip_tq_pending(&ents[0].e));
	test_time_advance(0, 50000);
	expect_fired((const unsigned int[]){ 0, 1 }, 2);
	test_time_advance(0, 50000);
	expect_fired((const unsigned int[]){ 0, 1, 0 }, 3);

	for (i = 0; i < N_ENT; i++)
		ck_assert_int_eq(sip_tq_schedule(cur_tq, &ents[i].e, 1000 + i), 0);
	ck_assert_uint_eq(sip_tq_num_fifos(cur_tq), 2 + N_ENT);
	test_time_advance(2, 0);
	ck_assert_uint_eq(n_fired, 3 + N_ENT);
	ck_assert_uint_le(sip_tq_num_fifos(cur_tq), 4);
	sip_tq_free(cur_tq);
}
END_TEST

/* freeing the queue with entries armed: they read disarmed, nothing fires later (teardown checks leaks) */
START_TEST(test_free_armed)
{
	setup_ents();
	ck_assert_int_eq(sip_tq_schedule(cur_tq, &ents[0].e, 100), 0);
	ck_assert_int_eq(sip_tq_schedule(cur_tq, &ents[1].e, 200), 0);
	sip_tq_free(cur_tq);
	ck_assert(!sip_tq_pending(&ents[0].e));
	ck_assert(!sip_tq_pending(&ents[1].e));
	test_time_advance(1, 0);
	ck_assert_uint_eq(n_fired, 0);
}
END_TEST

static Suite *tq_suite(void)
{
	Suite *s = suite_create("sip_tq");
	TCase *tc = tcase_create("tq");

	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_add_test(tc, test_order_and_time);
	tcase_add_test(tc, test_cancel_and_rearm);
	tcase_add_test(tc, test_changed_duration);
	tcase_add_test(tc, test_rearm_from_cb_and_fifo_reuse);
	tcase_add_test(tc, test_free_armed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(tq_suite());
}
