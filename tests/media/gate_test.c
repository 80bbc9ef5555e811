/* Detectors skipping constant input (the idle octet): the digits, tones and positions reported must be those of
 * the detectors fed every sample, whatever the phase at which the input turns idle or comes back. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>
#include <talloc.h>

#include "testlib.h"
#include "dtmf/dtmf_dsp.h"
#include "media/media_chan.h"

#define MAX_DIGIT_EVS	64

struct digit_log {
	unsigned int n;
	struct dtmf_digit_ev ev[MAX_DIGIT_EVS];
};

static void log_digit(void *priv, const struct dtmf_digit_ev *ev)
{
	struct digit_log *l = priv;

	ck_assert_uint_lt(l->n, MAX_DIGIT_EVS);
	l->ev[l->n++] = *ev;
}

/* a test signal: sections of constant value, DTMF digits and noise */
enum sect_kind { S_FLAT, S_DIGIT, S_NOISE };
struct sect {
	enum sect_kind kind;
	unsigned int n;
	int16_t v;		/* S_FLAT: the value */
	float f1, f2;		/* S_DIGIT */
};

static unsigned int render(const struct sect *s, unsigned int ns, int16_t *out, unsigned int max)
{
	unsigned int i, k, pos = 0;
	double ph1 = 0, ph2 = 0;

	srand(7);
	for (i = 0; i < ns; i++) {
		ck_assert_uint_le(pos + s[i].n, max);
		for (k = 0; k < s[i].n; k++) {
			int16_t x = s[i].v;
			if (s[i].kind == S_DIGIT) {
				x = (int16_t)lrint(6000 * sin(ph1) + 6000 * sin(ph2));
				ph1 += 2 * M_PI * s[i].f1 / 8000;
				ph2 += 2 * M_PI * s[i].f2 / 8000;
			} else if (s[i].kind == S_NOISE) {
				x = (int16_t)(rand() % 2001 - 1000);
			}
			out[pos++] = x;
		}
	}
	return pos;
}

#define SIG_MAX		40000

/* the idle values: A-law 0xD5 (+8), µ-law 0xFF (0), a negative and a loud offset */
static const int16_t flat_values[] = { 8, 0, -8, 1000 };
/* where the digits start relative to the detector's 102-sample blocks and the 80-sample ticks */
static const unsigned int lead_in[] = { 0, 37, 150, 203, 204, 205, 80 * 7, 80 * 13 + 5, 1020, 3001 };
/* feed sizes: ticks, and odd sizes that cross block boundaries anywhere */
static const unsigned int chunks[] = { 80, 33, 160, 1 };

START_TEST(dtmf_gating_exact)
{
	unsigned int vi = _i / ARRAY_SIZE(lead_in) % ARRAY_SIZE(flat_values), li = _i % ARRAY_SIZE(lead_in);
	int16_t v = flat_values[vi];
	const struct sect sig[] = {
		{ S_FLAT, lead_in[li], v },
		{ S_DIGIT, 640, 0, 770, 1336 },		/* '5', 80 ms */
		{ S_FLAT, 1500, v },
		{ S_DIGIT, 400, 0, 941, 1477 },		/* '#', 50 ms */
		{ S_FLAT, 4003, v },
		{ S_NOISE, 400 },
		{ S_FLAT, 2000, (int16_t)(v + 1) },	/* another constant */
		{ S_DIGIT, 480, 0, 697, 1209 },		/* '1' right after it */
		{ S_FLAT, 3000, v },
	};
	int16_t *x = talloc_array(test_ctx, int16_t, SIG_MAX);
	struct digit_log *la = talloc_zero(test_ctx, struct digit_log), *lb = talloc_zero(test_ctx, struct digit_log);
	unsigned int n = render(sig, ARRAY_SIZE(sig), x, SIG_MAX), c;

	for (c = 0; c < ARRAY_SIZE(chunks); c++) {
		struct dtmf_det *gated = dtmf_det_alloc(log_digit, la), *plain = dtmf_det_alloc(log_digit, lb);
		unsigned int pos, was_gated = 0, i;

		ck_assert_ptr_nonnull(gated);
		ck_assert_ptr_nonnull(plain);
		la->n = lb->n = 0;
		dtmf_det_set_gating(plain, false);
		/* a new detector records its first feeds of one value instead of running SpanDSP */
		ck_assert(dtmf_det_gated(gated));
		ck_assert(!dtmf_det_gated(plain));
		for (pos = 0; pos < n; pos += chunks[c]) {
			unsigned int k = n - pos < chunks[c] ? n - pos : chunks[c];
			bool ra = dtmf_det_feed(gated, x + pos, k), rb = dtmf_det_feed(plain, x + pos, k);
			ck_assert_int_eq(ra, rb);
			was_gated += dtmf_det_gated(gated);
			ck_assert(!dtmf_det_gated(plain));
		}
		/* the three digits, start and end each */
		ck_assert_uint_eq(lb->n, 6);
		ck_assert_int_eq(lb->ev[0].digit, '5');
		ck_assert_int_eq(lb->ev[2].digit, '#');
		ck_assert_int_eq(lb->ev[4].digit, '1');
		ck_assert_uint_eq(la->n, lb->n);
		for (i = 0; i < lb->n; i++) {
			ck_assert_int_eq(la->ev[i].digit, lb->ev[i].digit);
			ck_assert_int_eq(la->ev[i].end, lb->ev[i].end);
			ck_assert_uint_eq(la->ev[i].start, lb->ev[i].start);
			ck_assert_uint_eq(la->ev[i].duration, lb->ev[i].duration);
		}
		/* the gating did engage: most of the signal is constant */
		ck_assert_uint_gt(was_gated * chunks[c], n / 3);
		dtmf_det_free(gated);
		dtmf_det_free(plain);
	}
	talloc_free(x);
	talloc_free(la);
	talloc_free(lb);
}
END_TEST

/* switching the gating off while gated replays what was skipped: the detector goes on as the plain one */
START_TEST(dtmf_gating_switched_off)
{
	const struct sect sig[] = {
		{ S_FLAT, 2345, 8 },
		{ S_DIGIT, 640, 0, 852, 1336 },		/* '8' */
		{ S_FLAT, 800, 8 },
	};
	int16_t *x = talloc_array(test_ctx, int16_t, SIG_MAX);
	struct digit_log *la = talloc_zero(test_ctx, struct digit_log), *lb = talloc_zero(test_ctx, struct digit_log);
	unsigned int n = render(sig, ARRAY_SIZE(sig), x, SIG_MAX), pos;
	struct dtmf_det *a = dtmf_det_alloc(log_digit, la), *b = dtmf_det_alloc(log_digit, lb);

	dtmf_det_set_gating(b, false);
	for (pos = 0; pos + 80 <= n; pos += 80) {
		if (pos == 2000) {
			ck_assert(dtmf_det_gated(a));
			dtmf_det_set_gating(a, false);
			ck_assert(!dtmf_det_gated(a));
		}
		dtmf_det_feed(a, x + pos, 80);
		dtmf_det_feed(b, x + pos, 80);
		/* idle from the start: not fed to SpanDSP */
		if (pos < 2000)
			ck_assert(dtmf_det_gated(a));
	}
	ck_assert_uint_eq(lb->n, 2);
	ck_assert_uint_eq(la->n, 2);
	ck_assert_uint_eq(la->ev[0].start, lb->ev[0].start);
	ck_assert_uint_eq(la->ev[1].duration, lb->ev[1].duration);
	dtmf_det_free(a);
	dtmf_det_free(b);
	talloc_free(x);
	talloc_free(la);
	talloc_free(lb);
}
END_TEST

/* A tone detector skips a constant block below its threshold: the same hits and detection as when every block
 * is filtered (feeding 79 + 1 samples never offers a whole block at once, so nothing is skipped there). */
START_TEST(tone_det_quiet_blocks)
{
	/* a 1100 Hz tone broken by one idle tick before it lasted 400 ms, then long enough; constants near the
	 * thresholds; the 2100 Hz detector sees none of it */
	static const struct {
		unsigned int ticks;
		int16_t v;		/* 0x7fff: the tone */
	} plan[] = {
		{ 5, 8 }, { 30, 0x7fff }, { 1, 8 }, { 35, 0x7fff }, { 3, 0 }, { 2, 39 }, { 2, 41 }, { 2, 200 },
		{ 3, -8 }, { 45, 0x7fff }, { 10, 8 },
	};
	struct dtmf_tone_det a1, b1, a2, b2, c1, c2;
	unsigned int p, t, i;
	double ph = 0;
	bool detected_seen = false;

	dtmf_tone_det_init(&a1, DTMF_CNG_FREQ, DTMF_FAX_MIN_DBM0, DTMF_CNG_MIN_MS);
	dtmf_tone_det_init(&b1, DTMF_CED_FREQ, DTMF_FAX_MIN_DBM0, DTMF_CED_MIN_MS);
	dtmf_tone_det_init(&c1, DTMF_CNG_FREQ, DTMF_FAX_MIN_DBM0, 300);
	a2 = a1;
	b2 = b1;
	c2 = c1;
	for (p = 0; p < ARRAY_SIZE(plan); p++) {
		for (t = 0; t < plan[p].ticks; t++) {
			int16_t x[80];
			for (i = 0; i < 80; i++) {
				x[i] = plan[p].v;
				if (plan[p].v == 0x7fff) {
					x[i] = (int16_t)lrint(3000 * sin(ph));
					ph += 2 * M_PI * DTMF_CNG_FREQ / 8000;
				}
			}
			dtmf_tone_det_feed2(&a1, &b1, x, 80);
			dtmf_tone_det_feed2(&a2, &b2, x, 79);
			dtmf_tone_det_feed2(&a2, &b2, x + 79, 1);
			dtmf_tone_det_feed(&c1, x, 80);
			dtmf_tone_det_feed(&c2, x, 79);
			dtmf_tone_det_feed(&c2, x + 79, 1);
			ck_assert_uint_eq(a1.hits, a2.hits);
			ck_assert_uint_eq(b1.hits, b2.hits);
			ck_assert_uint_eq(c1.hits, c2.hits);
			ck_assert_int_eq(a1.detected, a2.detected);
			ck_assert_int_eq(b1.detected, b2.detected);
			ck_assert_int_eq(c1.detected, c2.detected);
			ck_assert_uint_eq(a1.in_block, 0);
			/* the broken tone (30 + 35 ticks) must not have been taken as 400 ms */
			if (p < 9)
				ck_assert(!a1.detected);
			detected_seen |= a1.detected;
		}
	}
	ck_assert(detected_seen);
	ck_assert(!b1.detected);
	ck_assert(c1.detected);
}
END_TEST

#define MAX_TONE_EVS	32

struct tone_log {
	unsigned int n;
	struct media_event ev[MAX_TONE_EVS];
};

static void log_tone(void *priv, const struct media_event *ev)
{
	struct tone_log *l = priv;

	if (ev->type != MEDIA_EV_TONE)
		return;
	ck_assert_uint_lt(l->n, MAX_TONE_EVS);
	l->ev[l->n++] = *ev;
}

static const struct media_chan_ops tone_ops = { .event = log_tone };

/* Call progress tone detection holds quiet blocks back unfiltered: bursts and gaps come out exactly as when the
 * gaps are filtered.  Bursts on 20 ms block boundaries, so the expected figures are exact too. */
START_TEST(cpt_quiet_blocks)
{
	static const struct {
		unsigned int on_ms, off_ms;
	} bursts[] = { { 500, 500 }, { 200, 200 }, { 1000, 4000 }, { 40, 500 }, { 3500, 60 }, { 300, 20 }, { 300, 0 } };
	struct media_chan_setup su = { .id = 3, .tdm_law = MEDIA_LAW_ALAW, .tone_detect = true,
				       .plan = dtmf_tone_plan_find("itu") };
	struct media_chan_params p = { .pt = MEDIA_PT_PCMA, .ptime_ms = 20, .dtmf_mode = MEDIA_DTMF_INBAND };
	struct tone_log *la = talloc_zero(test_ctx, struct tone_log), *lb = talloc_zero(test_ctx, struct tone_log);
	struct media_chan *a = media_chan_alloc(test_ctx, &su, &p, &tone_ops, la);
	struct media_chan *b = media_chan_alloc(test_ctx, &su, &p, &tone_ops, lb);
	uint8_t quiet[80], loud[80], tone[80], out[80];
	int16_t lin[80];
	unsigned int k, t, i;
	double ph = 0;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	/* the gaps: a channel's idle octet (+8: quiet) and a constant of 100 (not quiet: filtered) */
	memset(quiet, media_g711_idle(MEDIA_LAW_ALAW), sizeof(quiet));
	for (i = 0; i < 80; i++)
		lin[i] = 100;
	media_g711_from_linear(MEDIA_LAW_ALAW, lin, loud, 80);
	for (k = 0; k < ARRAY_SIZE(bursts); k++) {
		for (t = 0; t < bursts[k].on_ms / 10; t++) {
			for (i = 0; i < 80; i++) {
				lin[i] = (int16_t)lrint(6000 * sin(ph));
				ph += 2 * M_PI * 425 / 8000;
			}
			media_g711_from_linear(MEDIA_LAW_ALAW, lin, tone, 80);
			media_chan_tick(a, tone, out);
			media_chan_tick(b, tone, out);
		}
		for (t = 0; t < bursts[k].off_ms / 10 + (k + 1 == ARRAY_SIZE(bursts) ? 10 : 0); t++) {
			media_chan_tick(a, quiet, out);
			media_chan_tick(b, loud, out);
		}
	}
	/* each burst long enough once (the continuous one at 3 s), the 40 ms one is no tone */
	ck_assert_uint_eq(lb->n, 6);
	ck_assert_uint_eq(la->n, lb->n);
	for (i = 0; i < lb->n; i++) {
		ck_assert_uint_eq(la->ev[i].tone_f1, 425);
		ck_assert_uint_eq(la->ev[i].tone_f1, lb->ev[i].tone_f1);
		ck_assert_uint_eq(la->ev[i].tone_f2, lb->ev[i].tone_f2);
		ck_assert_uint_eq(la->ev[i].duration_ms, lb->ev[i].duration_ms);
		ck_assert_int_eq(la->ev[i].tone_gap_ms, lb->ev[i].tone_gap_ms);
	}
	ck_assert_uint_eq(la->ev[0].duration_ms, 500);
	ck_assert_int_eq(la->ev[0].tone_gap_ms, -1);
	ck_assert_uint_eq(la->ev[1].duration_ms, 200);
	ck_assert_int_eq(la->ev[1].tone_gap_ms, 500);
	ck_assert_int_eq(la->ev[2].tone_gap_ms, 200);
	/* the gap before the continuous tone runs from the 1000 ms burst's end over the 40 ms one */
	ck_assert_uint_eq(la->ev[3].duration_ms, MEDIA_TONE_LONG_MS);
	ck_assert_int_eq(la->ev[3].tone_gap_ms, 4000 + 40 + 500);
	ck_assert_int_eq(la->ev[4].tone_gap_ms, 60);
	ck_assert_uint_eq(la->ev[5].duration_ms, 300);
	ck_assert_int_eq(la->ev[5].tone_gap_ms, 20);
	media_chan_free(a);
	media_chan_free(b);
	talloc_free(la);
	talloc_free(lb);
}
END_TEST

START_TEST(samples_flat)
{
	int16_t a[80];

	memset(a, 0, sizeof(a));
	ck_assert(dtmf_samples_flat(a, 80));
	ck_assert(dtmf_samples_flat(a, 1));
	ck_assert(!dtmf_samples_flat(a, 0));
	a[79] = 1;
	ck_assert(!dtmf_samples_flat(a, 80));
	ck_assert(dtmf_samples_flat(a, 79));
	a[0] = 1;
	ck_assert(!dtmf_samples_flat(a, 2));
}
END_TEST

static Suite *gate_suite(void)
{
	Suite *s = suite_create("detector gating");
	TCase *tc = tcase_create("gate");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_add_loop_test(tc, dtmf_gating_exact, 0, ARRAY_SIZE(flat_values) * ARRAY_SIZE(lead_in));
	tcase_add_test(tc, dtmf_gating_switched_off);
	tcase_add_test(tc, tone_det_quiet_blocks);
	tcase_add_test(tc, cpt_quiet_blocks);
	tcase_add_test(tc, samples_flat);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(gate_suite());
}
