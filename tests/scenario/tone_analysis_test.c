/* The tone measurements of the audio tests, on synthetic signals: generator and analyser agree on the dBm0 scale
 * (checked against SpanDSP's own tone generator and power meter), frequencies and levels come out within what
 * the scenario tests demand (±1 %, ±1 dB) with G.711 quantisation in between, bursts are cut at silences, and
 * noise, two tones at once and too short bursts are told apart from a clean tone. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <spandsp.h>

#include "testlib.h"
#include "tone_analysis.h"

#define SEC	TONE_RATE

/* silence, then freq at level for ms, then silence */
static int16_t *burst_signal(size_t *n, double freq, double level, unsigned int ms)
{
	size_t on = (size_t)ms * SEC / 1000, pre = SEC / 2;
	int16_t *x;

	*n = pre + on + SEC / 2;
	x = calloc(*n, sizeof(*x));
	ck_assert_ptr_nonnull(x);
	tone_generate(x + pre, on, freq, level);
	return x;
}

START_TEST(test_level_scale)
{
	/* a full-scale sine is +3.14 dBm0 (G.711's maximum), and SpanDSP's generator at -10 dBm0 measures -10 */
	static int16_t x[SEC], y[SEC];
	tone_gen_descriptor_t *d;
	tone_gen_state_t *g;
	power_meter_t pm;
	size_t i;

	tone_generate(x, SEC, 1000, 3.14);
	ck_assert_int_ge(x[2], 32700);	/* 1000 Hz: sample 2 is the peak */
	ck_assert_double_eq_tol(tone_level_dbm0(x, SEC), 3.14, 0.02);

	d = tone_gen_descriptor_init(NULL, 1004, -10, 0, 0, 1000, 0, 0, 0, 0);
	g = tone_gen_init(NULL, d);
	ck_assert_int_eq(tone_gen(g, y, SEC), SEC);
	tone_gen_free(g);
	tone_gen_descriptor_free(d);
	ck_assert_double_eq_tol(tone_level_dbm0(y + 80, SEC - 160), -10.0, 0.1);

	/* and our -20 dBm0 reads -20 on SpanDSP's power meter */
	tone_generate(x, SEC, 1004, -20);
	power_meter_init(&pm, 10);
	for (i = 0; i < SEC; i++)
		power_meter_update(&pm, x[i]);
	ck_assert_double_eq_tol(power_meter_current_dbm0(&pm), -20.0, 0.3);
	ck_assert(isinf(tone_level_dbm0(y, 0)));
}
END_TEST

START_TEST(test_goertzel_power)
{
	static int16_t x[SEC];
	double rms2;

	tone_generate(x, SEC, 1004, -10);
	rms2 = pow(10.0, (-10 - DBM0_MAX_POWER) / 10.0) * 32768.0 * 32768.0;
	ck_assert_double_eq_tol(tone_goertzel_power(x, SEC, 1004) / rms2, 1.0, 0.01);
	ck_assert_double_lt(tone_goertzel_power(x, SEC, 1100) / rms2, 0.001);
	ck_assert_double_eq(tone_goertzel_power(x, 0, 1004), 0);
}
END_TEST

/* frequency and level, table driven, straight and through each G.711 law */
static const struct {
	double freq, level;
} rows[] = {
	{ 1004, -10 }, { 2804, -20 }, { 400, -10 }, { 3300, -3 }, { 300, -30 }, { 1633, 0 },
};

START_TEST(test_measure_rows)
{
	struct tone_burst b[4];
	int16_t *x;
	size_t n, i;
	int law, k;

	for (law = 0; law < 3; law++) {
		for (k = 0; k < (int)(sizeof(rows) / sizeof(rows[0])); k++) {
			x = burst_signal(&n, rows[k].freq, rows[k].level, 1000);
			for (i = 0; law && i < n; i++)
				x[i] = law == 1 ? alaw_to_linear(linear_to_alaw(x[i]))
						: ulaw_to_linear(linear_to_ulaw(x[i]));
			ck_assert_int_eq(tone_analyze(x, n, b, 4), 1);
			ck_assert_double_eq_tol(b[0].freq_hz, rows[k].freq, 0.2);
			ck_assert_double_eq_tol(b[0].level_dbm0, rows[k].level, law ? 0.3 : 0.05);
			ck_assert_double_gt(b[0].purity, law && rows[k].level <= -30 ? 0.95 : 0.99);
			ck_assert_double_eq_tol(b[0].start_s, 0.5, 0.011);
			ck_assert_double_eq_tol(b[0].duration_s, 1.0, 0.011);
			free(x);
		}
	}
}
END_TEST

START_TEST(test_bursts)
{
	/* 1004 Hz 1 s, 300 ms pause, 2804 Hz 500 ms, a 50 ms blip (too short), 400 Hz to the end */
	size_t n = 4 * SEC, p = 0;
	int16_t *x = calloc(n, sizeof(*x));
	struct tone_burst b[2];

	ck_assert_ptr_nonnull(x);
	p += SEC / 5;
	tone_generate(x + p, SEC, 1004, -10);
	p += SEC + 3 * SEC / 10;
	tone_generate(x + p, SEC / 2, 2804, -20);
	p += SEC / 2 + SEC / 5;
	tone_generate(x + p, SEC / 20, 1004, -10);
	p += SEC / 20 + SEC / 5;
	tone_generate(x + p, n - p, 400, -15);

	/* two places are not enough for three bursts */
	ck_assert_int_eq(tone_analyze(x, n, b, 2), -EMSGSIZE);
	{
		struct tone_burst bb[4];

		ck_assert_int_eq(tone_analyze(x, n, bb, 4), 3);
		ck_assert_double_eq_tol(bb[0].freq_hz, 1004, 0.2);
		ck_assert_double_eq_tol(bb[1].freq_hz, 2804, 0.2);
		ck_assert_double_eq_tol(bb[1].level_dbm0, -20, 0.05);
		ck_assert_double_eq_tol(bb[1].duration_s, 0.5, 0.011);
		/* the last burst runs to the end of the recording */
		ck_assert_double_eq_tol(bb[2].freq_hz, 400, 0.2);
		ck_assert_double_eq_tol(bb[2].start_s + bb[2].duration_s, 4.0, 0.011);
	}
	free(x);
}
END_TEST

START_TEST(test_not_a_clean_tone)
{
	struct tone_burst b[2];
	int16_t *x, y[SEC];
	size_t n, i;

	/* two tones of equal level: neither holds much more than half the power */
	x = burst_signal(&n, 697, -13, 1000);
	tone_generate(y, SEC, 1209, -13);
	for (i = 0; i < SEC; i++)
		x[SEC / 2 + i] += y[i];
	ck_assert_int_eq(tone_analyze(x, n, b, 2), 1);
	ck_assert_double_lt(b[0].purity, 0.6);
	ck_assert_double_eq_tol(b[0].level_dbm0, -10, 0.1);
	free(x);

	/* noise: signal, but no tone */
	x = calloc(SEC, sizeof(*x));
	ck_assert_ptr_nonnull(x);
	srandom(1);
	for (i = 0; i < SEC; i++)
		x[i] = (int16_t)(random() % 8001 - 4000);
	ck_assert_int_eq(tone_analyze(x, SEC, b, 2), 1);
	ck_assert_double_lt(b[0].purity, 0.05);

	/* below the threshold and too short: nothing */
	tone_generate(x, SEC, 1004, -45);
	ck_assert_int_eq(tone_analyze(x, SEC, b, 2), 0);
	memset(x, 0, SEC * sizeof(*x));
	tone_generate(x + 800, 720, 1004, -10);
	ck_assert_int_eq(tone_analyze(x, SEC, b, 2), 0);
	free(x);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("tone_analysis");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_add_test(tc, test_level_scale);
	tcase_add_test(tc, test_goertzel_power);
	tcase_add_test(tc, test_measure_rows);
	tcase_add_test(tc, test_bursts);
	tcase_add_test(tc, test_not_a_clean_tone);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(suite());
}
