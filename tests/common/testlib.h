/*! \file testlib.h
 * Shared harness for the Check unit tests of every module.
 *
 *  - a talloc context per test, checked for leaks at teardown;
 *  - log capture into a buffer (test_log()), so tests can assert on log lines;
 *  - fake time: libosmocore's clock overrides (osmo_clock_gettime() and
 *    osmo_gettimeofday(), which 1.7's timers and FSM timeouts use), advanced by
 *    test_time_advance(), which also fires the osmo timers that became due.
 *
 * Use: tcase_add_checked_fixture(tc, test_setup, test_teardown);
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <check.h>

/*! Per-test talloc context (NULL outside a test). Everything a test allocates hangs off it. */
extern void *test_ctx;

/*! \brief Fixture set-up: talloc context, log capture, fake time at 0. */
void test_setup(void);
/*! \brief Fixture set-up for tests on real sockets and real time: like test_setup() without fake time. */
void test_setup_real_time(void);
/*! \brief Fixture tear-down: fails the test if anything is left under test_ctx. */
void test_teardown(void);

/*! \brief Everything logged since set-up or the last test_log_clear(). */
const char *test_log(void);
void test_log_clear(void);
/*! \brief Capture only what one log category logs at level and above (the others stay at debug). */
void test_log_set_level(int subsys, int level);
/*! \brief Whether the captured log contains a substring. */
bool test_log_contains(const char *needle);

/*! \brief Advance fake time and run the timers that became due. */
void test_time_advance(unsigned int secs, unsigned int usecs);

/*! \brief Run a suite, print Check's summary, and return a process exit status. */
int test_run_suite(Suite *s);

/*! \brief An even UDP port base on 127.0.0.1 such that base .. base+n-1 are all free right now (checked by binding
 * each), chosen at random above the kernel's ephemeral port range (where nothing is handed out implicitly; else in
 * 20000-29999), so that tests with several sockets and port ranges do not collide with parallel runs.  Aborts if
 * none is found. */
uint16_t test_udp_port_block(unsigned int n);

/*! \brief Path of a test data file: $top_srcdir/tests/REL (talloc'd under test_ctx). */
char *test_srcfile(const char *rel);
