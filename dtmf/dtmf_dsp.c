/* SpanDSP-based DTMF, tones and continuity tone of a bearer channel. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
/* the DTMF detector's state is compared and its block position read (dtmf_det gating) */
#define SPANDSP_EXPOSE_INTERNAL_STRUCTURES
#include <spandsp.h>

#include "dtmf/dtmf_dsp.h"

float dtmf_amp_to_dbm0(float amp)
{
	if (amp <= 0.0f)
		return -99.0f;
	return 20.0f * log10f(amp / 32767.0f) + DTMF_DBM0_FULL_SCALE;
}

static float dbm0_to_amp(float dbm0)
{
	return 32767.0f * powf(10.0f, (dbm0 - DTMF_DBM0_FULL_SCALE) / 20.0f);
}

void dtmf_goertzel_init(struct dtmf_goertzel *g, float freq_hz)
{
	g->coeff = 2.0f * cosf(2.0f * (float)M_PI * freq_hz / DTMF_RATE);
	g->s1 = g->s2 = 0.0f;
	g->n = 0;
}

void dtmf_goertzel_update(struct dtmf_goertzel *g, const int16_t *amp, unsigned int n)
{
	float s1 = g->s1, s2 = g->s2, c = g->coeff;
	unsigned int i;

	for (i = 0; i < n; i++) {
		float s0 = amp[i] + c * s1 - s2;
		s2 = s1;
		s1 = s0;
	}
	g->s1 = s1;
	g->s2 = s2;
	g->n += n;
}

float dtmf_goertzel_amplitude(struct dtmf_goertzel *g)
{
	float p = g->s1 * g->s1 + g->s2 * g->s2 - g->coeff * g->s1 * g->s2;
	float a = g->n ? 2.0f * sqrtf(p > 0 ? p : 0) / g->n : 0.0f;

	g->s1 = g->s2 = 0.0f;
	g->n = 0;
	return a;
}

#define TONE_BLOCK	80	/* 10 ms */
/* Q.724 §7.4: recognition time 30..60 ms */
#define COT_MIN_MS	30

void dtmf_tone_det_init(struct dtmf_tone_det *d, float freq_hz, float min_dbm0, unsigned int min_ms)
{
	memset(d, 0, sizeof(*d));
	dtmf_goertzel_init(&d->g, freq_hz);
	d->threshold_amp = dbm0_to_amp(min_dbm0);
	d->hits_needed = min_ms / 10 ? min_ms / 10 : 1;
}

void dtmf_cot_det_init(struct dtmf_cot_det *d, float min_dbm0)
{
	dtmf_tone_det_init(d, DTMF_COT_FREQ, min_dbm0, COT_MIN_MS);
}

/* A block of one constant value v cannot be a hit: its Goertzel amplitude is at most 2|v| (|X| <= N|v|), so below
 * a threshold of more than twice that (a margin for rounding) the block only clears the run of hits, and the
 * filters and the energy, reset at the block's start, stay reset.  The idle octet (A-law +8, µ-law 0) is far below
 * every threshold (-43 dBm0 is an amplitude of ~160). */
static bool quiet_block(const int16_t *amp, float threshold_amp)
{
	return 4.0f * abs(amp[0]) < threshold_amp && dtmf_samples_flat(amp, TONE_BLOCK);
}

static void block_done(struct dtmf_tone_det *d)
{
	float a = dtmf_goertzel_amplitude(&d->g);
	/* the tone must carry most of the block's energy (a^2/2 per sample), not just be present in speech or noise */
	float tone_energy = a * a / 2.0f * TONE_BLOCK;
	bool hit = a >= d->threshold_amp && tone_energy >= 0.7f * d->energy;

	d->hits = hit ? d->hits + 1 : 0;
	if (d->hits >= d->hits_needed)
		d->detected = true;
	d->energy = 0.0f;
	d->in_block = 0;
}

bool dtmf_tone_det_feed(struct dtmf_tone_det *d, const int16_t *amp, unsigned int n)
{
	while (n) {
		unsigned int k = TONE_BLOCK - d->in_block, i;
		if (k == TONE_BLOCK && n >= TONE_BLOCK && quiet_block(amp, d->threshold_amp)) {
			d->hits = 0;
			amp += TONE_BLOCK;
			n -= TONE_BLOCK;
			continue;
		}
		if (k > n)
			k = n;
		dtmf_goertzel_update(&d->g, amp, k);
		for (i = 0; i < k; i++)
			d->energy += (float)amp[i] * amp[i];
		d->in_block += k;
		amp += k;
		n -= k;
		if (d->in_block == TONE_BLOCK)
			block_done(d);
	}
	return d->detected;
}

void dtmf_tone_det_feed2(struct dtmf_tone_det *a, struct dtmf_tone_det *b, const int16_t *amp, unsigned int n)
{
	while (n) {
		unsigned int k = TONE_BLOCK - a->in_block, i;
		float s1a = a->g.s1, s2a = a->g.s2, ca = a->g.coeff;
		float s1b = b->g.s1, s2b = b->g.s2, cb = b->g.coeff;
		float e = 0.0f;
		if (k == TONE_BLOCK && n >= TONE_BLOCK &&
		    quiet_block(amp, a->threshold_amp < b->threshold_amp ? a->threshold_amp : b->threshold_amp)) {
			a->hits = b->hits = 0;
			amp += TONE_BLOCK;
			n -= TONE_BLOCK;
			continue;
		}
		if (k > n)
			k = n;
		for (i = 0; i < k; i++) {
			float x = amp[i];
			float s0a = x + ca * s1a - s2a;
			float s0b = x + cb * s1b - s2b;
			s2a = s1a;
			s1a = s0a;
			s2b = s1b;
			s1b = s0b;
			e += x * x;
		}
		a->g.s1 = s1a;
		a->g.s2 = s2a;
		b->g.s1 = s1b;
		b->g.s2 = s2b;
		a->g.n += k;
		b->g.n += k;
		a->energy += e;
		b->energy += e;
		a->in_block += k;
		b->in_block = a->in_block;
		amp += k;
		n -= k;
		if (a->in_block == TONE_BLOCK) {
			block_done(a);
			block_done(b);
		}
	}
}

bool dtmf_cot_det_feed(struct dtmf_cot_det *d, const int16_t *amp, unsigned int n)
{
	return dtmf_tone_det_feed(d, amp, n);
}

const struct value_string dtmf_play_names[] = {
	{ DTMF_PLAY_NONE, "none" },
	{ DTMF_PLAY_DIAL, "dial" },
	{ DTMF_PLAY_RINGBACK, "ringback" },
	{ DTMF_PLAY_BUSY, "busy" },
	{ DTMF_PLAY_CONGESTION, "congestion" },
	{ DTMF_PLAY_SIT, "sit" },
	{ DTMF_PLAY_COT, "cot" },
	{ 0, NULL }
};

#define MAX_SEG 4

struct dtmf_player {
	unsigned int num_seg, cur;
	tone_gen_descriptor_t *desc[MAX_SEG];
	tone_gen_state_t *gen;
};

/* ITU-T E.180 §2.6 / Q.35: special information tone, 950, 1400, 1800 Hz in sequence */
static const struct {
	int f, ms;
} sit_segments[MAX_SEG] = {
	{ 950, 330 }, { 1400, 330 }, { 1800, 330 }, { 0, 1000 },
};
#define SIT_DBM0	(-24)	/* E.180 §2.6 */

void dtmf_player_free(struct dtmf_player *p)
{
	unsigned int i;

	if (!p)
		return;
	if (p->gen)
		tone_gen_free(p->gen);
	for (i = 0; i < p->num_seg; i++)
		tone_gen_descriptor_free(p->desc[i]);
	free(p);
}

struct dtmf_player *dtmf_player_alloc(enum dtmf_play what, const struct dtmf_tone_plan *plan)
{
	struct dtmf_player *p = calloc(1, sizeof(*p));
	const struct dtmf_tone *t = NULL;
	unsigned int i;

	if (!p)
		return NULL;
	if (!plan)
		plan = dtmf_tone_plan_find("itu");
	switch (what) {
	case DTMF_PLAY_DIAL:
		t = &plan->tones[DTMF_TONE_DIAL];
		break;
	case DTMF_PLAY_RINGBACK:
		t = &plan->tones[DTMF_TONE_RINGBACK];
		break;
	case DTMF_PLAY_BUSY:
		t = &plan->tones[DTMF_TONE_BUSY];
		break;
	case DTMF_PLAY_CONGESTION:
		t = &plan->tones[DTMF_TONE_CONGESTION];
		break;
	case DTMF_PLAY_SIT:
		for (i = 0; i < MAX_SEG; i++) {
			p->desc[i] = sit_segments[i].f ?
				tone_gen_descriptor_init(NULL, sit_segments[i].f, SIT_DBM0, 0, 0, sit_segments[i].ms,
							 0, 0, 0, 0) :
				tone_gen_descriptor_init(NULL, 0, 0, 0, 0, 0, sit_segments[i].ms, 0, 0, 0);
			if (!p->desc[i])
				goto fail;
			p->num_seg++;
		}
		break;
	case DTMF_PLAY_COT:
		p->desc[0] = tone_gen_descriptor_init(NULL, DTMF_COT_FREQ, DTMF_COT_TX_DBM0, 0, 0, 1000, 0, 0, 0, 1);
		if (!p->desc[0])
			goto fail;
		p->num_seg = 1;
		break;
	default:
		goto fail;
	}
	if (t) {
		/* a plan tone is one repeating cadence: {0} is continuous */
		const uint16_t *c = t->cadence_ms;
		if (c[0] == 0)
			p->desc[0] = tone_gen_descriptor_init(NULL, t->f1_hz, t->level_dbm0, t->f2_hz ? t->f2_hz : 0,
							      t->level_dbm0, 1000, 0, 0, 0, 1);
		else
			p->desc[0] = tone_gen_descriptor_init(NULL, t->f1_hz, t->level_dbm0, t->f2_hz ? t->f2_hz : 0,
							      t->level_dbm0, c[0], c[1], c[2], c[3], 1);
		if (!p->desc[0])
			goto fail;
		p->num_seg = 1;
	}
	p->gen = tone_gen_init(NULL, p->desc[0]);
	if (!p->gen)
		goto fail;
	return p;
fail:
	dtmf_player_free(p);
	return NULL;
}

void dtmf_player_gen(struct dtmf_player *p, int16_t *amp, unsigned int n)
{
	unsigned int guard = 0;

	while (n) {
		int k = tone_gen(p->gen, amp, n);
		if (k < 0)
			k = 0;
		amp += k;
		n -= k;
		if (n) {
			/* segment over: next one (sequences repeat forever) */
			p->cur = (p->cur + 1) % p->num_seg;
			tone_gen_init(p->gen, p->desc[p->cur]);
			if (k == 0 && ++guard > MAX_SEG) {
				memset(amp, 0, n * sizeof(*amp));
				return;
			}
		}
	}
}

/* SpanDSP 0.0.6 dtmf_rx works in blocks of 102 samples (DTMF_SAMPLES_PER_BLOCK, private to its dtmf.c): the
 * Goertzel filters and the energy are reset at each block's end, where the digit state machine moves.  Should
 * the value be wrong, a feed never ends on a block boundary and the gating never engages: correct either way. */
#define DET_BLOCK	102

/* Gating: a channel's TDM input is the idle octet most of the time, one constant sample value.  Fed a block of
 * one constant value, dtmf_rx goes from its state at a block boundary to the next boundary's state; once that
 * state comes out identical (compared byte by byte with the copy taken one block earlier) it is a fixed point:
 * every further block of that value leaves it as it is and reports nothing.  From then on such samples are only
 * counted; the first other sample first replays the count's unfinished block (up to DET_BLOCK - 1 samples) so
 * that the detector is in exactly the state in which it would have been.  The one field that changes with
 * every sample, the duration since the last report (handed to the realtime callback, and not used by us), is
 * left out of the comparison and brought forward by the skipped samples.
 *
 * A new detector is a fixed point itself (taken as the first snapshot), and most channels of a short call never
 * hear anything but the idle octet: the first feeds of one constant value are only recorded, up to two blocks'
 * worth, and replayed as they came (each from its own position) when other input comes or the two blocks are
 * reached, whereupon the detector goes on as above.  A channel gone before then never ran dtmf_rx at all. */
#define DET_DEFER_FEEDS	4
struct dtmf_det {
	dtmf_rx_state_t *rx;
	dtmf_det_cb cb;
	void *priv;
	uint32_t pos;		/* samples fed before the current block */
	uint32_t block_start;	/* position of the block being processed */
	char cur;
	uint32_t cur_start;
	bool gate;		/* gating allowed */
	bool gated;		/* rx is at a boundary in its fixed point for flat_v; skipped samples not fed */
	bool have_snap;		/* snap: rx at the previous boundary, fed only flat_v since */
	int16_t flat_v;
	unsigned int skipped;	/* samples of the unfinished block (mod DET_BLOCK) not fed while gated */
	uint64_t skipped_total;
	bool snap_run;		/* flat_v is the value fed since the snapshot (false: nothing fed since) */
	dtmf_rx_state_t snap;
	/* the first feeds, while they are of one value: not fed to rx yet */
	bool deferring;
	int16_t defer_v;
	unsigned int n_deferred;
	unsigned int deferred_n[DET_DEFER_FEEDS];
	uint64_t deferred_total;
};

static void det_realtime(void *user_data, int code, int level, int delay)
{
	struct dtmf_det *d = user_data;
	struct dtmf_digit_ev ev = { 0 };

	(void)level;
	(void)delay;
	if (code) {
		if (d->cur) {
			/* a digit change without a gap: end the previous one first */
			ev = (struct dtmf_digit_ev){ .digit = d->cur, .end = true, .start = d->cur_start,
						     .duration = d->block_start - d->cur_start };
			d->cb(d->priv, &ev);
		}
		d->cur = code;
		d->cur_start = d->block_start;
		ev = (struct dtmf_digit_ev){ .digit = code, .start = d->cur_start, .duration = 0 };
		d->cb(d->priv, &ev);
	} else if (d->cur) {
		ev = (struct dtmf_digit_ev){ .digit = d->cur, .end = true, .start = d->cur_start,
					     .duration = d->block_start - d->cur_start };
		d->cur = 0;
		d->cb(d->priv, &ev);
	}
}

static void det_digits(void *user_data, const char *digits, int len)
{
	/* the realtime callback reports everything we need */
	(void)user_data;
	(void)digits;
	(void)len;
}

struct dtmf_det *dtmf_det_alloc(dtmf_det_cb cb, void *priv)
{
	struct dtmf_det *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->rx = dtmf_rx_init(NULL, det_digits, d);
	if (!d->rx) {
		free(d);
		return NULL;
	}
	dtmf_rx_set_realtime_callback(d->rx, det_realtime, d);
	d->cb = cb;
	d->priv = priv;
	d->gate = true;
	d->deferring = true;
	memcpy(&d->snap, d->rx, sizeof(d->snap));
	d->have_snap = true;
	return d;
}

static void det_ungate(struct dtmf_det *d);
static void det_undefer(struct dtmf_det *d);

void dtmf_det_set_gating(struct dtmf_det *d, bool on)
{
	if (!on && d->deferring)
		det_undefer(d);
	if (!on && d->gated)
		det_ungate(d);
	d->gate = on;
	d->have_snap = false;
}

bool dtmf_det_gated(const struct dtmf_det *d)
{
	return d->gated || d->deferring;
}

bool dtmf_samples_flat(const int16_t *amp, unsigned int n)
{
	unsigned int i;

	for (i = 1; i < n; i++)
		if (amp[i] != amp[0])
			return false;
	return n > 0;
}

static void det_rx(struct dtmf_det *d, const int16_t *amp, unsigned int n)
{
	dtmf_rx(d->rx, amp, n);
	/* the digit queue of dtmf_rx is not used: keep it from filling up */
	if (dtmf_rx_status(d->rx) >= 0) {
		char buf[8];
		dtmf_rx_get(d->rx, buf, sizeof(buf));
	}
}

/* leave the fixed point: the skipped samples of the unfinished block, which cannot complete a block (no
 * callback), then the detector is where the ungated one would be */
static void det_ungate(struct dtmf_det *d)
{
	int16_t fill[DET_BLOCK];
	unsigned int i;

	d->gated = false;
	d->have_snap = false;
	/* as dtmf_rx() counts it: saturating below INT_MAX; the replay below counts the rest */
	d->skipped_total -= d->skipped;
	if (d->skipped_total < (uint64_t)(INT_MAX - d->rx->duration))
		d->rx->duration += d->skipped_total;
	d->skipped_total = 0;
	if (!d->skipped)
		return;
	for (i = 0; i < d->skipped; i++)
		fill[i] = d->flat_v;
	det_rx(d, fill, d->skipped);
	d->skipped = 0;
}

/* n samples at d->pos, in the block of d->block_start (set by the caller, once per feed) */
static void det_feed(struct dtmf_det *d, const int16_t *amp, unsigned int n)
{
	bool flat = dtmf_samples_flat(amp, n);
	unsigned int k;

	if (d->gated) {
		if (flat && amp[0] == d->flat_v) {
			d->skipped = (d->skipped + n) % DET_BLOCK;
			d->skipped_total += n;
			d->pos += n;
			return;
		}
		det_ungate(d);
	}
	if (d->have_snap && !d->snap_run && flat) {
		d->flat_v = amp[0];
		d->snap_run = true;
	} else if (!flat || amp[0] != d->flat_v) {
		d->have_snap = false;
	}
	k = DET_BLOCK - d->rx->current_sample;
	if (flat && d->gate && k <= n) {
		/* up to the block boundary, where the state is compared with the previous boundary's */
		det_rx(d, amp, k);
		if (d->have_snap)
			d->snap.duration = d->rx->duration;
		if (d->rx->current_sample || d->cur) {
			d->have_snap = false;
		} else if (d->have_snap && !memcmp(&d->snap, d->rx, sizeof(d->snap))) {
			d->gated = true;
			d->skipped = (n - k) % DET_BLOCK;
			d->skipped_total = n - k;
			d->pos += n;
			return;
		} else {
			memcpy(&d->snap, d->rx, sizeof(d->snap));
			d->flat_v = amp[0];
			d->snap_run = true;
			d->have_snap = true;
		}
		if (n > k)
			det_rx(d, amp + k, n - k);
	} else {
		det_rx(d, amp, n);
	}
	d->pos += n;
}

/* the recorded first feeds, as they came */
static void det_undefer(struct dtmf_det *d)
{
	int16_t fill[DET_BLOCK];
	unsigned int i, m, k;

	d->deferring = false;
	for (i = 0; i < DET_BLOCK; i++)
		fill[i] = d->defer_v;
	d->pos -= d->deferred_total;
	for (i = 0; i < d->n_deferred; i++) {
		d->block_start = d->pos;
		for (m = d->deferred_n[i]; m; m -= k) {
			k = m < DET_BLOCK ? m : DET_BLOCK;
			det_feed(d, fill, k);
		}
	}
	d->n_deferred = 0;
	d->deferred_total = 0;
}

bool dtmf_det_feed(struct dtmf_det *d, const int16_t *amp, unsigned int n)
{
	if (d->deferring) {
		if (dtmf_samples_flat(amp, n) && (!d->n_deferred || amp[0] == d->defer_v) &&
		    d->n_deferred < DET_DEFER_FEEDS) {
			d->defer_v = amp[0];
			d->deferred_n[d->n_deferred++] = n;
			d->deferred_total += n;
			d->pos += n;
			if (d->deferred_total >= 2 * DET_BLOCK)
				det_undefer(d);
			return d->cur != 0;
		}
		det_undefer(d);
	}
	d->block_start = d->pos;
	det_feed(d, amp, n);
	return d->cur != 0;
}

void dtmf_det_free(struct dtmf_det *d)
{
	if (!d)
		return;
	dtmf_rx_free(d->rx);
	free(d);
}

struct dtmf_gen {
	dtmf_tx_state_t *tx;
	bool active;
	bool ended;
	uint32_t played;
	uint32_t target;
};

struct dtmf_gen *dtmf_gen_alloc(void)
{
	struct dtmf_gen *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->tx = dtmf_tx_init(NULL);
	if (!g->tx) {
		free(g);
		return NULL;
	}
	return g;
}

int dtmf_gen_start(struct dtmf_gen *g, char digit)
{
	char s[2] = { digit, 0 };

	if (!digit || !strchr("0123456789*#ABCD", digit))
		return -EINVAL;
	/* the tone lasts until the end event tells us how long: give dtmf_tx an on-time longer than any
	 * digit and cut it ourselves */
	dtmf_tx_init(g->tx);
	dtmf_tx_set_timing(g->tx, DTMF_GEN_MAX_SAMPLES / 8, 0);
	dtmf_tx_put(g->tx, s, 1);
	g->active = true;
	g->ended = false;
	g->played = 0;
	g->target = DTMF_GEN_MAX_SAMPLES;
	return 0;
}

void dtmf_gen_end(struct dtmf_gen *g, uint32_t duration)
{
	if (!g->active || g->ended)
		return;
	g->ended = true;
	g->target = duration < DTMF_GEN_MIN_SAMPLES ? DTMF_GEN_MIN_SAMPLES : duration;
	if (g->target > DTMF_GEN_MAX_SAMPLES)
		g->target = DTMF_GEN_MAX_SAMPLES;
	if (g->played >= g->target)
		g->active = false;
}

bool dtmf_gen_active(const struct dtmf_gen *g)
{
	return g->active;
}

unsigned int dtmf_gen_gen(struct dtmf_gen *g, int16_t *amp, unsigned int n)
{
	int k;

	if (!g->active)
		return 0;
	if (n > g->target - g->played)
		n = g->target - g->played;
	k = dtmf_tx(g->tx, amp, n);
	if (k < 0)
		k = 0;
	g->played += k;
	if (g->played >= g->target || (unsigned int)k < n)
		g->active = false;
	return k;
}

void dtmf_gen_free(struct dtmf_gen *g)
{
	if (!g)
		return;
	dtmf_tx_free(g->tx);
	free(g);
}
