/* Tone measurements for the end-to-end audio tests (tone_analysis.h). */
#include <errno.h>
#include <math.h>
#include <stdbool.h>

#include <spandsp/telephony.h>

#include "tone_analysis.h"

#define COARSE_STEP_HZ	5.0
#define COARSE_N	800		/* 100 ms: main lobe ±10 Hz, wider than the coarse step */
#define FINE_SPAN_HZ	10.0
#define FINE_STEP_HZ	0.05
#define FINE_MAX_N	8000		/* 1 s: main lobe ±1 Hz */
#define SCAN_MIN_HZ	50.0
#define SCAN_MAX_HZ	3950.0

double tone_level_dbm0(const int16_t *x, size_t n)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += (double)x[i] * x[i];
	if (!n || sum == 0)
		return -INFINITY;
	/* SpanDSP's dBm0 scale (telephony.h): a square wave of full scale is DBM0_MAX_POWER */
	return 10.0 * log10(sum / n / (32768.0 * 32768.0)) + DBM0_MAX_POWER;
}

double tone_goertzel_power(const int16_t *x, size_t n, double freq_hz)
{
	double w = 2.0 * M_PI * freq_hz / TONE_RATE, coeff = 2.0 * cos(w), s1 = 0, s2 = 0, s, re, im;
	size_t i;

	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		s = x[i] + coeff * s1 - s2;
		s2 = s1;
		s1 = s;
	}
	re = s1 - s2 * cos(w);
	im = s2 * sin(w);
	/* |X|² of a sine of amplitude A is (A n / 2)²; its power A²/2 is 2|X|²/n² */
	return 2.0 * (re * re + im * im) / ((double)n * n);
}

static double scan(const int16_t *x, size_t n, double from, double to, double step)
{
	double f, best_f = from, best = -1, p;

	for (f = from; f <= to; f += step) {
		p = tone_goertzel_power(x, n, f);
		if (p > best) {
			best = p;
			best_f = f;
		}
	}
	return best_f;
}

static void measure(const int16_t *x, size_t n, struct tone_burst *b)
{
	size_t nc = n < COARSE_N ? n : COARSE_N, nf = n < FINE_MAX_N ? n : FINE_MAX_N;
	double f, total = 0;
	size_t i;

	f = scan(x, nc, SCAN_MIN_HZ, SCAN_MAX_HZ, COARSE_STEP_HZ);
	f = scan(x, nf, f - FINE_SPAN_HZ, f + FINE_SPAN_HZ, FINE_STEP_HZ);
	b->freq_hz = f;
	b->level_dbm0 = tone_level_dbm0(x, n);
	for (i = 0; i < nf; i++)
		total += (double)x[i] * x[i];
	b->purity = total > 0 ? tone_goertzel_power(x, nf, f) / (total / nf) : 0;
}

int tone_analyze(const int16_t *x, size_t n, struct tone_burst *out, size_t max)
{
	size_t blocks = n / TONE_BLOCK, b, start = 0, found = 0;
	bool in = false;

	for (b = 0; b <= blocks; b++) {
		bool loud = b < blocks && tone_level_dbm0(x + b * TONE_BLOCK, TONE_BLOCK) >= TONE_THRESHOLD_DBM0;

		if (loud && !in) {
			start = b;
			in = true;
		} else if (!loud && in) {
			in = false;
			if (b - start < TONE_MIN_BLOCKS)
				continue;
			if (found >= max)
				return -EMSGSIZE;
			out[found].start_s = (double)start * TONE_BLOCK / TONE_RATE;
			out[found].duration_s = (double)(b - start) * TONE_BLOCK / TONE_RATE;
			/* the edge blocks are part silence */
			measure(x + (start + 1) * TONE_BLOCK, (b - start - 2) * TONE_BLOCK, &out[found]);
			found++;
		}
	}
	return found;
}

void tone_generate(int16_t *x, size_t n, double freq_hz, double level_dbm0)
{
	/* peak of a sine at level_dbm0: full scale is DBM0_MAX_SINE_POWER */
	double a = 32768.0 * pow(10.0, (level_dbm0 - DBM0_MAX_SINE_POWER) / 20.0);
	size_t i;

	for (i = 0; i < n; i++) {
		long v = freq_hz > 0 ? lrint(a * sin(2.0 * M_PI * freq_hz * i / TONE_RATE)) : 0;

		x[i] = v > INT16_MAX ? INT16_MAX : v < INT16_MIN ? INT16_MIN : v;
	}
}
