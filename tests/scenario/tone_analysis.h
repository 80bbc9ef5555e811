/*! \file tone_analysis.h
 * Measuring tones in recorded audio, for the end-to-end audio tests: what arrives at one end of a call
 * (16-bit linear, 8 kHz) is cut into bursts of signal between silences, and each burst is measured:
 *
 *   samples ─▶ 10 ms blocks ─▶ runs of blocks above the threshold = bursts ─▶ per burst, edges trimmed:
 *                                  level: RMS in dBm0 (SpanDSP's scale: a full-scale sine is +3.14 dBm0)
 *                                  frequency: Goertzel scan, coarse (5 Hz) on 100 ms, fine (0.05 Hz) on ≤ 1 s
 *                                  purity: share of the burst's power at that frequency (1.0: a pure tone)
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define TONE_RATE		8000
#define TONE_BLOCK		80	/* 10 ms */
#define TONE_THRESHOLD_DBM0	-40.0	/* a block at or above this level is signal */
#define TONE_MIN_BLOCKS		10	/* a burst lasts at least 100 ms */

/*! One burst of signal. */
struct tone_burst {
	double start_s;		/*!< from the start of the recording */
	double duration_s;
	double freq_hz;		/*!< the strongest frequency */
	double level_dbm0;	/*!< RMS level of the whole burst but its first and last block */
	double purity;		/*!< power at freq_hz over the burst's power, 0..1 */
};

/*! \brief The dBm0 level of a block of samples (RMS); -INFINITY for silence. */
double tone_level_dbm0(const int16_t *x, size_t n);

/*! \brief Power of x at freq_hz (Goertzel), scaled so that a sine of RMS r gives r². */
double tone_goertzel_power(const int16_t *x, size_t n, double freq_hz);

/*! \brief Cut x into bursts and measure each.
 *  \returns the number of bursts (at most max are written), or -EMSGSIZE if there are more than max. */
int tone_analyze(const int16_t *x, size_t n, struct tone_burst *out, size_t max);

/*! \brief Write a sine of freq_hz at level_dbm0 (phase 0) into x; freq_hz 0: silence. */
void tone_generate(int16_t *x, size_t n, double freq_hz, double level_dbm0);
