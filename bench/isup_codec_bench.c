/* ISUP codec benchmark: encode + decode of a typical IAM (called and calling number, hop counter, user service
 * information, optional forward call indicators) on one core.  The msgb is reused (reset per message) and nothing
 * is allocated per message.  Target: >= 5,000,000 encode+decode pairs per second.  Time is this thread's CPU
 * time, so that other load on a shared machine does not count against the codec.
 *
 * ISUP_BENCH_ITER=N makes every run exactly N pairs with no calibration, so that an instruction count (valgrind
 * --tool=callgrind) divides into a per-pair figure: the total covers 1 self-check pair plus RUNS * N pairs. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <osmocom/core/msgb.h>

#include "isup/isup_codec.h"

#define TARGET	5e6
#define RUNS	5

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(void)
{
	static struct isup_msg m, d;
	struct isup_iam_args ia = { .called = "4930123456789F", .calling = "4940987654321", .hop_counter = 20 };
	struct msgb *msg = msgb_alloc(512, "bench");
	double rates[RUNS], t0, t1;
	unsigned long i, n = 1000000, sink = 0;
	const char *iter = getenv("ISUP_BENCH_ITER");
	int r, len;

	if (!msg || isup_build_iam(&m, 42, &ia))
		return 1;
	m.usi.ext3 = true;
	m.usi.itc = 0;
	m.usi.ext4 = true;
	m.usi.itr = 16;
	m.usi.has_l1 = true;
	m.usi.l1_proto = 3;
	isup_msg_set(&m, ISUP_P_USI);
	m.ofci.connected_line_id_req = true;
	isup_msg_set(&m, ISUP_P_OFCI);

	len = isup_encode(msg, &m);
	if (len <= 0 || isup_decode(&d, msgb_data(msg), len, NULL) || !isup_msg_equal(&m, &d)) {
		fprintf(stderr, "self-check failed\n");
		return 1;
	}
	printf("isup_iam_codec: message of %d octets\n", len);

	if (iter) {
		n = strtoul(iter, NULL, 10);
		if (!n) {
			fprintf(stderr, "ISUP_BENCH_ITER must be a positive count\n");
			return 1;
		}
	} else {
		/* calibrate so that one run takes ~0.3 s */
		t0 = now();
		for (i = 0; i < 100000; i++) {
			msgb_reset(msg);
			len = isup_encode(msg, &m);
			sink += isup_decode(&d, msgb_data(msg), len, NULL) + d.called.n_digits;
		}
		t1 = now();
		n = 0.3 / ((t1 - t0) / 100000);
		if (n < 100000)
			n = 100000;
	}

	for (r = 0; r < RUNS; r++) {
		t0 = now();
		for (i = 0; i < n; i++) {
			msgb_reset(msg);
			len = isup_encode(msg, &m);
			sink += isup_decode(&d, msgb_data(msg), len, NULL) + d.called.n_digits;
		}
		t1 = now();
		rates[r] = n / (t1 - t0);
	}
	qsort(rates, RUNS, sizeof(rates[0]), cmp_double);
	printf("isup_iam_codec: %.2e encode+decode/s (median of %d runs of %lu, min %.2e, max %.2e); target %.1e: %s\n",
	       rates[RUNS / 2], RUNS, n, rates[0], rates[RUNS - 1], TARGET,
	       rates[RUNS / 2] >= TARGET ? "met" : "NOT met");
	if (sink == 42)
		printf("\n");
	msgb_free(msg);
	return 0;
}
