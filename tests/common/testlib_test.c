/* Tests of the shared harness itself: fake time drives osmo timers, logs are captured,
 * and a test that leaks under test_ctx fails. */
#include <string.h>

#include <talloc.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/logging.h>

#include <mgcf/log.h>
#include "testlib.h"

static int fired;

static void timer_cb(void *data)
{
	fired++;
}

START_TEST(test_fake_time_fires_timers)
{
	struct osmo_timer_list t;

	osmo_timer_setup(&t, timer_cb, NULL);
	osmo_timer_schedule(&t, 10, 0);
	test_time_advance(9, 999999);
	ck_assert_int_eq(fired, 0);
	test_time_advance(0, 1);
	ck_assert_int_eq(fired, 1);
	ck_assert(!osmo_timer_pending(&t));
}
END_TEST

START_TEST(test_log_capture)
{
	LOGP(DISUP, LOGL_NOTICE, "CIC 17: unexpected RLC\n");
	ck_assert(test_log_contains("CIC 17: unexpected RLC"));
	ck_assert(test_log_contains("DISUP"));
	test_log_clear();
	ck_assert(!test_log_contains("unexpected"));
}
END_TEST

/* Runs in a forked child whose teardown must fail: Check reports that as a failure of this
 * test, which the suite below expects (see main). */
START_TEST(test_leak_is_caught)
{
	talloc_strdup(test_ctx, "left behind");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("testlib");
	TCase *tc = tcase_create("harness"), *leak = tcase_create("leak");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_add_test(tc, test_fake_time_fires_timers);
	tcase_add_test(tc, test_log_capture);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(leak, test_setup, test_teardown);
	tcase_add_test(leak, test_leak_is_caught);
	suite_add_tcase(s, leak);

	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	/* exactly the leaking test must have failed */
	return failed == 1 ? 0 : 1;
}
