/* Shared Check harness: leak-checked talloc context, log capture, fake time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <talloc.h>
#include <osmocom/core/application.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/select.h>

#include <mgcf/log.h>
#include "testlib.h"

void *test_ctx;
static void *log_ctx;
static char *log_buf;
static struct log_target *capture;

static void capture_output(struct log_target *target, unsigned int level, const char *line)
{
	log_buf = talloc_strdup_append(log_buf, line);
}

static bool fake_time;

void test_setup(void)
{
	test_setup_real_time();
	fake_time = true;
	osmo_clock_override_enable(CLOCK_MONOTONIC, true);
	osmo_clock_override_enable(CLOCK_REALTIME, true);
	struct timespec *ts = osmo_clock_override_gettimespec(CLOCK_MONOTONIC);
	ts->tv_sec = 0;
	ts->tv_nsec = 0;
	ts = osmo_clock_override_gettimespec(CLOCK_REALTIME);
	ts->tv_sec = 0;
	ts->tv_nsec = 0;
	/* libosmocore 1.7 timers (and so osmo_fsm timeouts) run on osmo_gettimeofday() */
	osmo_gettimeofday_override = true;
	osmo_gettimeofday_override_time = (struct timeval){ 0, 0 };
}

void test_setup_real_time(void)
{
	fake_time = false;
	test_ctx = talloc_named_const(NULL, 0, "test");
	log_ctx = talloc_named_const(NULL, 0, "test-log");
	log_buf = talloc_strdup(log_ctx, "");

	/* logging lives for the whole process (tests may run without fork) */
	if (!osmo_log_info)
		log_init(&mgcf_log_info, NULL);
	capture = log_target_create();
	ck_assert_ptr_nonnull(capture);
	capture->output = capture_output;
	log_set_print_category(capture, 1);
	log_set_print_level(capture, 1);
	log_set_print_filename2(capture, LOG_FILENAME_NONE);
	log_set_all_filter(capture, 1);
	log_set_log_level(capture, LOGL_DEBUG);
	log_add_target(capture);
}

void test_log_set_level(int subsys, int level)
{
	int i;

	/* per-category levels only count with the target's own level at 0 */
	log_set_log_level(capture, 0);
	for (i = 0; i < (int)osmo_log_info->num_cat; i++)
		log_set_category_filter(capture, i, 1, i == subsys ? level : LOGL_DEBUG);
}

void test_teardown(void)
{
	size_t blocks = talloc_total_blocks(test_ctx);

	if (blocks != 1) {
		fprintf(stderr, "talloc leak: %zu blocks left under the test context\n", blocks - 1);
		talloc_report_full(test_ctx, stderr);
	}
	log_target_destroy(capture); /* also unlinks it */
	capture = NULL;
	talloc_free(log_ctx);
	log_ctx = NULL;
	log_buf = NULL;
	talloc_free(test_ctx);
	test_ctx = NULL;
	if (fake_time) {
		osmo_clock_override_enable(CLOCK_MONOTONIC, false);
		osmo_clock_override_enable(CLOCK_REALTIME, false);
		osmo_gettimeofday_override = false;
	}
	ck_assert_msg(blocks == 1, "talloc leak: %zu blocks left under the test context", blocks - 1);
}

const char *test_log(void)
{
	return log_buf ? log_buf : "";
}

void test_log_clear(void)
{
	if (log_buf)
		log_buf[0] = '\0';
	log_buf = talloc_realloc(log_ctx, log_buf, char, 1);
}

bool test_log_contains(const char *needle)
{
	return strstr(test_log(), needle) != NULL;
}

void test_time_advance(unsigned int secs, unsigned int usecs)
{
	ck_assert_msg(fake_time, "test_time_advance() needs the test_setup() fixture");
	osmo_clock_override_add(CLOCK_MONOTONIC, secs, usecs * 1000L);
	osmo_clock_override_add(CLOCK_REALTIME, secs, usecs * 1000L);
	osmo_gettimeofday_override_add(secs, usecs);
	osmo_timers_prepare();
	osmo_timers_update();
}

int test_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

char *test_srcfile(const char *rel)
{
	const char *top = getenv("top_srcdir");

	return talloc_asprintf(test_ctx, "%s/tests/%s", top ? top : "..", rel);
}

static bool udp_port_free(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	bool ok;

	if (fd < 0)
		return false;
	ok = bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	close(fd);
	return ok;
}

uint16_t test_udp_port_block(unsigned int n)
{
	unsigned int seed = getpid() ^ time(NULL), tries, i, lo = 20000, hi = 30000, eph_lo, eph_hi;
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");

	/* above the ephemeral range if there is room: the kernel gives out nothing there, and only programs that
	 * bind a port on purpose use it */
	if (f) {
		if (fscanf(f, "%u %u", &eph_lo, &eph_hi) == 2 && eph_hi + 2 + 4 * n < 65536) {
			lo = eph_hi + 2;
			hi = 65536;
		}
		fclose(f);
	}
	for (tries = 0; tries < 200; tries++) {
		uint16_t base = lo + 2 * (rand_r(&seed) % ((hi - lo - n) / 2));

		for (i = 0; i < n && udp_port_free(base + i); i++)
			;
		if (i == n)
			return base;
	}
	fprintf(stderr, "no block of %u free UDP ports in %u-%u\n", n, lo, hi - 1);
	abort();
}
