/*! \file dtmf_dsp.h
 * The signal processing of a bearer channel, on 8 kHz 16-bit linear samples, built on SpanDSP 0.0.6:
 *
 *  - dtmf_det: DTMF detection (SpanDSP dtmf_rx) reporting each digit's start and end with sample
 *    positions, so that the RTP side can send RFC 4733 events with exact durations;
 *  - dtmf_gen: DTMF generation (SpanDSP dtmf_tx) of one digit for as long as the far end asks
 *    (RFC 4733 events: the duration is only known when the end packet arrives);
 *  - dtmf_tone: call progress tones of a tone plan, SIT and the 2000 Hz continuity tone (SpanDSP
 *    tone_gen, one descriptor per segment so that multi-frequency sequences like SIT work);
 *  - dtmf_goertzel / dtmf_cot_det: single-frequency power, and the continuity-check tone detector.
 *
 * Every object belongs to the one media thread that created it.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <osmocom/core/utils.h>

#include "dtmf/dtmf_tone_plan.h"

#define DTMF_RATE		8000
/*! SpanDSP's 0 dBm0 reference: a full-scale sine is +3.14 dBm0 (G.711 A-law). */
#define DTMF_DBM0_FULL_SCALE	3.14f

/*! \brief Level in dBm0 of a sine of peak amplitude amp. */
float dtmf_amp_to_dbm0(float amp);

/* ---- Goertzel ---- */
struct dtmf_goertzel {
	float coeff;
	float s1, s2;
	unsigned int n;
};
/*! \brief Prepare a Goertzel filter for freq_hz. */
void dtmf_goertzel_init(struct dtmf_goertzel *g, float freq_hz);
/*! \brief Feed samples. */
void dtmf_goertzel_update(struct dtmf_goertzel *g, const int16_t *amp, unsigned int n);
/*! \brief Peak amplitude of the frequency over the samples fed since init/reset; resets the filter. */
float dtmf_goertzel_amplitude(struct dtmf_goertzel *g);

/* ---- single-tone detectors: continuity check (Q.724 §7: 2000 Hz transceiver), fax CNG/CED ---- */
/*! A tone that carries most of the signal's energy, at least a level, for at least a time (10 ms blocks). */
struct dtmf_tone_det {
	struct dtmf_goertzel g;
	float energy;			/*!< sum of squares over the current block */
	unsigned int in_block;
	unsigned int hits;		/*!< consecutive blocks with the tone */
	unsigned int hits_needed;
	float threshold_amp;		/*!< minimum peak amplitude */
	bool detected;
};
#define dtmf_cot_det dtmf_tone_det
/*! \brief Prepare a detector of freq_hz at min_dbm0 or more, present for min_ms (rounded to 10 ms). */
void dtmf_tone_det_init(struct dtmf_tone_det *d, float freq_hz, float min_dbm0, unsigned int min_ms);
/*! \brief Feed samples; returns true once the tone has been detected (it stays detected). */
bool dtmf_tone_det_feed(struct dtmf_tone_det *d, const int16_t *amp, unsigned int n);
/*! \brief Feed the same samples to two detectors with the same block phase (one pass, one energy sum). */
void dtmf_tone_det_feed2(struct dtmf_tone_det *a, struct dtmf_tone_det *b, const int16_t *amp, unsigned int n);
#define DTMF_CNG_FREQ		1100	/* T.30 §5.2.1: calling tone, 0.5 s on, 3 s off */
#define DTMF_CED_FREQ		2100	/* T.30 §5.2.2 / V.25: answer tone, 2.6..4 s */
#define DTMF_FAX_MIN_DBM0	(-43)	/* T.30 §5.2: the receiver works down to -43 dBm */
#define DTMF_CNG_MIN_MS		400
#define DTMF_CED_MIN_MS		500
#define DTMF_COT_FREQ		2000
#define DTMF_COT_TX_DBM0	(-12)	/* Q.724 §7.3: check tone sent at -12 dBm0 */
#define DTMF_COT_RX_MIN_DBM0	(-30)	/* weaker than this the loop is taken as broken */
/*! \brief Prepare a continuity tone detector (30 ms of 2000 Hz); the tone must be at least min_dbm0. */
void dtmf_cot_det_init(struct dtmf_cot_det *d, float min_dbm0);
/*! \brief Feed samples; returns true once the tone has been present for 30 ms. */
bool dtmf_cot_det_feed(struct dtmf_cot_det *d, const int16_t *amp, unsigned int n);

/* ---- tones ---- */
enum dtmf_play {
	DTMF_PLAY_NONE,
	DTMF_PLAY_DIAL,
	DTMF_PLAY_RINGBACK,
	DTMF_PLAY_BUSY,
	DTMF_PLAY_CONGESTION,
	DTMF_PLAY_SIT,		/*!< 950/1400/1800 Hz, 330 ms each, then 1 s silence (ITU-T Q.35 / E.180 §2.6) */
	DTMF_PLAY_COT,		/*!< 2000 Hz continuous, the continuity check tone */
};
extern const struct value_string dtmf_play_names[];

struct dtmf_tone;	/* the tone plan's entry, from dtmf_tone_plan.h */
struct dtmf_player;
/*! \brief A player of tone what from plan (NULL: the "itu" plan); NULL on failure. Free with dtmf_player_free(). */
struct dtmf_player *dtmf_player_alloc(enum dtmf_play what, const struct dtmf_tone_plan *plan);
/*! \brief Generate n samples into amp (always fills: tones repeat until stopped). */
void dtmf_player_gen(struct dtmf_player *p, int16_t *amp, unsigned int n);
void dtmf_player_free(struct dtmf_player *p);

/* ---- DTMF detection ---- */
/*! A digit event of the detector; positions in samples since dtmf_det_init(). */
struct dtmf_digit_ev {
	char digit;
	bool end;
	uint32_t start;			/*!< sample position of the start (as detected) */
	uint32_t duration;		/*!< samples; at the end: the whole digit */
};
typedef void (*dtmf_det_cb)(void *priv, const struct dtmf_digit_ev *ev);
struct dtmf_det;
/*! \brief A detector that calls cb on every digit start and end; NULL on failure. */
struct dtmf_det *dtmf_det_alloc(dtmf_det_cb cb, void *priv);
/*! \brief Feed samples; returns true while a digit is present (for in-band removal).  Runs of one constant
 *  sample value (the idle octet) stop reaching SpanDSP once its state no longer changes with them; the digits
 *  and positions reported are the same as without (see dtmf_det_set_gating()). */
bool dtmf_det_feed(struct dtmf_det *d, const int16_t *amp, unsigned int n);
/*! \brief Allow (the default) or forbid skipping constant input; for tests, which compare both. */
void dtmf_det_set_gating(struct dtmf_det *d, bool on);
/*! \brief Whether the detector is skipping constant input right now. */
bool dtmf_det_gated(const struct dtmf_det *d);
/*! \brief Whether the n samples (n > 0) all have one value. */
bool dtmf_samples_flat(const int16_t *amp, unsigned int n);
void dtmf_det_free(struct dtmf_det *d);

/* ---- DTMF generation of one digit of open-ended duration ---- */
struct dtmf_gen;
/*! \brief A generator; NULL on failure. */
struct dtmf_gen *dtmf_gen_alloc(void);
/*! \brief Start a digit ('0'-'9', '*', '#', 'A'-'D'); -EINVAL for other characters. */
int dtmf_gen_start(struct dtmf_gen *g, char digit);
/*! \brief The far end ended the digit after duration samples: play until max(duration, 40 ms) samples. */
void dtmf_gen_end(struct dtmf_gen *g, uint32_t duration);
/*! \brief Whether a digit is being played. */
bool dtmf_gen_active(const struct dtmf_gen *g);
/*! \brief Generate up to n samples; returns how many were tone (the rest is left untouched). */
unsigned int dtmf_gen_gen(struct dtmf_gen *g, int16_t *amp, unsigned int n);
void dtmf_gen_free(struct dtmf_gen *g);
#define DTMF_GEN_MIN_SAMPLES	320	/* 40 ms: shortest digit we send toward TDM (Q.24 minimum) */
#define DTMF_GEN_MAX_SAMPLES	(8 * DTMF_RATE)	/* an end packet lost for good: stop after 8 s */
