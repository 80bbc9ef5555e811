/* One bearer channel's audio path: TDM ⇄ RTP with DTMF, tones, continuity test, jitter buffer and PLC. */
#include <errno.h>
#include <pthread.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <talloc.h>
#include <spandsp.h>

#include "media/media_chan.h"

/* ---- G.711 ---- */

static int16_t lin_of[2][256];
static uint8_t transcode_tab[2][256];	/* [from law][octet] → the other law */
/* linear → octet by table instead of SpanDSP's per-sample segment search, indexed by the magnitude the
 * encoder works on (µ-law: -x, A-law: ~x for negative x) without the bits that never matter: µ-law
 * adds a bias of 0x84 and keeps bits from 3 up, so bit 2 can carry (m >> 2, 8 KiB + 1 for -32768);
 * A-law keeps bits from 3 up (m >> 3, 4 KiB).  The entries are the codes before the sign's XOR mask.
 * Small enough for L1; the test compares every sample value with SpanDSP. */
static uint8_t ulaw_of_mag[8193];
static uint8_t alaw_of_mag[4096];
static pthread_once_t g711_once = PTHREAD_ONCE_INIT;

static void g711_tables(void)
{
	unsigned int i;

	for (i = 0; i < 256; i++) {
		lin_of[MEDIA_LAW_ALAW][i] = alaw_to_linear(i);
		lin_of[MEDIA_LAW_ULAW][i] = ulaw_to_linear(i);
		transcode_tab[MEDIA_LAW_ALAW][i] = alaw_to_ulaw(i);
		transcode_tab[MEDIA_LAW_ULAW][i] = ulaw_to_alaw(i);
	}
	for (i = 0; i < 8193; i++)
		ulaw_of_mag[i] = linear_to_ulaw(i << 2) ^ 0xff;
	for (i = 0; i < 4096; i++)
		alaw_of_mag[i] = linear_to_alaw(i << 3) ^ 0xd5;
}

void media_g711_to_linear(enum media_law law, const uint8_t *in, int16_t *out, size_t n)
{
	const int16_t *t = lin_of[law];
	size_t i;

	pthread_once(&g711_once, g711_tables);
	for (i = 0; i < n; i++)
		out[i] = t[in[i]];
}

/* the octet of one sample */
static uint8_t g711_of(enum media_law law, int x)
{
	int neg = x < 0;

	if (law == MEDIA_LAW_ALAW)
		return alaw_of_mag[(neg ? ~x : x) >> 3] ^ (neg ? 0x55 : 0xd5);
	return ulaw_of_mag[(neg ? -x : x) >> 2] ^ (neg ? 0x7f : 0xff);
}

void media_g711_from_linear(enum media_law law, const int16_t *in, uint8_t *out, size_t n)
{
	size_t i;

	pthread_once(&g711_once, g711_tables);
	/* silence (a tick of zeros when no RTP came): one octet; speech differs by its second sample */
	for (i = 1; i < n && in[i] == in[0]; i++)
		;
	if (n && i == n) {
		memset(out, g711_of(law, in[0]), n);
		return;
	}
	if (law == MEDIA_LAW_ALAW) {
		for (i = 0; i < n; i++) {
			int x = in[i], neg = x < 0;
			out[i] = alaw_of_mag[(neg ? ~x : x) >> 3] ^ (neg ? 0x55 : 0xd5);
		}
	} else {
		for (i = 0; i < n; i++) {
			int x = in[i], neg = x < 0;
			out[i] = ulaw_of_mag[(neg ? -x : x) >> 2] ^ (neg ? 0x7f : 0xff);
		}
	}
}

void media_g711_transcode(enum media_law from, enum media_law to, const uint8_t *in, uint8_t *out, size_t n)
{
	size_t i;

	pthread_once(&g711_once, g711_tables);
	if (from == to) {
		memmove(out, in, n);
		return;
	}
	for (i = 0; i < n; i++)
		out[i] = transcode_tab[from][in[i]];
}

uint8_t media_g711_idle(enum media_law law)
{
	/* G.711 silence: A-law 0x55 with even bits inverted = 0xD5; µ-law positive zero 0xFF */
	return law == MEDIA_LAW_ALAW ? 0xd5 : 0xff;
}

/* ---- channel ---- */

#define MAX_PTIME_SAMPLES	320	/* 40 ms */
#define MAX_FRAME		480	/* largest received frame we accept: 60 ms of G.711 */
typedef uint8_t frame_buf_t[MAX_FRAME];
#define POOL_FRAMES		24
#define DELAY_TICKS		3	/* TDM→RTP delay line when digits are removed from the audio */
#define RTCP_INTERVAL_TICKS	500	/* RFC 3550 §6.2: 5 s minimum */
#define EVENT_END_REPEAT	3	/* RFC 4733 §2.5.1.4: the end packet is sent three times */
#define RX_EVENT_SILENCE_TICKS	50	/* no telephone-event packet for 500 ms: take the digit as ended */

/* Call progress tone detection (tone_detect channels): per 20 ms block, the candidate tone (one or two
 * frequencies) that carries most of the block's energy; runs of blocks make the bursts whose lengths the
 * upper layer compares with the tone plan's cadences.  20 ms gives a 50 Hz main lobe: the plans'
 * candidates of one channel are far enough apart, and the cadences (≥ 200 ms) are resolved. */
#define CPT_BLOCK		160
#define CPT_MAX_CAND		8
#define CPT_MAX_FREQ		(2 * CPT_MAX_CAND)
#define CPT_MIN_BLOCKS		3	/* 60 ms: shorter bursts are not tones */
#define CPT_MIN_DBM0		(-40)
#define CPT_SHARE		0.6f	/* the tone's share of the block energy */

struct cpt_cand {
	uint16_t f1, f2;
	int g1, g2;			/* their filters, g2 -1 for a single tone */
};

/* The Goertzel filters of the distinct frequencies run side by side in one pass over the samples: their
 * recurrences are independent, so they overlap in the pipeline (a filter at a time was 2-3 times slower). */
struct cpt_det {
	struct cpt_cand cand[CPT_MAX_CAND];
	unsigned int n_cand;
	float coeff[CPT_MAX_FREQ], s1[CPT_MAX_FREQ], s2[CPT_MAX_FREQ];
	uint16_t freq[CPT_MAX_FREQ];
	unsigned int n_freq;
	float energy;
	unsigned int in_block;
	float min_amp;
	int cur;			/* candidate of the current run, -1: none */
	unsigned int run;		/* blocks in the run */
	bool reported;			/* the run was reported already (a long one) */
	uint64_t blocks;		/* blocks since the start: where runs start and end, for the gaps */
	uint64_t run_start;		/* block of the current run's start */
	uint64_t prev_end;		/* block after the previous burst (a run long enough to be one) */
	bool have_prev;
	/* a block's quiet beginning, not filtered yet (see cpt_feed()) */
	unsigned int held;
	int16_t held_amp[CPT_BLOCK];
};

struct media_chan {
	struct media_chan_setup setup;
	struct media_chan_params p;
	enum media_law rtp_law;
	const struct media_chan_ops *ops;
	void *priv;
	struct media_chan_stats stats;
	uint64_t ticks;
	uint32_t pos;			/* samples of TDM input processed (the TDM→RTP clock) */

	/* TDM → RTP */
	plc_state_t *plc_tdm;
	bool plc_tdm_primed;		/* SpanDSP 0.0.6's plc_fillin() before any plc_rx() overlaps its own buffers */
	struct dtmf_det *det;
	struct dtmf_tone_det fax_cng, fax_ced;
	bool fax_reported;
	int16_t delay[DELAY_TICKS][MEDIA_TICK_SAMPLES];
	unsigned int delay_ticks;
	uint32_t mute_from, mute_until;	/* sample positions [from, until) removed from the RTP audio */
	bool muting;
	uint8_t txbuf[MAX_PTIME_SAMPLES];
	unsigned int tx_fill;
	uint32_t tx_ts;			/* timestamp of txbuf[0] */
	uint16_t seq;
	bool first_sent;
	/* RFC 4733 sending */
	bool ev_active;
	uint8_t ev_code;
	uint32_t ev_start;		/* sample position of the digit start */
	uint32_t ev_duration;
	unsigned int ev_end_left;
	bool ev_first;
	uint32_t octets_tx;

	/* RTP → TDM */
	playout_state_t *jb;
	plc_state_t *plc_rtp;
	frame_buf_t *pool;
	unsigned int pool_free[POOL_FRAMES];
	unsigned int num_free;
	int16_t out[MAX_FRAME + MEDIA_TICK_SAMPLES];
	unsigned int out_len;
	bool jb_started;
	bool jb_concealed;		/* the last pull concealed the slot of jb_concealed_ts (FILLIN) */
	timestamp_t jb_concealed_ts;
	unsigned int frame_len;		/* samples in the peer's last frame: the size of a concealed one */
	/* receive statistics, RFC 3550 A.1 and A.8 */
	bool have_src;
	uint32_t src_ssrc;
	uint16_t max_seq;
	uint32_t cycles, base_seq, received, expected_prior, received_prior;
	int32_t last_transit;
	uint32_t jitter;		/* <<4 */
	uint32_t lsr;
	uint64_t lsr_tick;
	uint64_t last_rx_tick;
	bool timeout_reported;
	/* RFC 4733 receiving */
	bool rx_ev_active;
	bool rx_ev_have_ts;
	uint32_t rx_ev_ts;
	uint8_t rx_ev_code;
	uint64_t rx_ev_last_tick;
	uint16_t rx_ev_duration;	/* the last duration heard */
	struct dtmf_gen *gen;

	/* tones, continuity test, loopback */
	struct dtmf_player *player;
	enum dtmf_play playing;
	bool cot_active;
	unsigned int cot_ticks_left;
	struct dtmf_cot_det cot;
	bool loopback;
	unsigned int rtcp_countdown;
	struct cpt_det *cpt;
	/* test equipment: recording of the TDM input, playing of a file toward TDM */
	FILE *rec_f, *play_f;
	bool rec_wav;
	uint32_t rec_octets;
};

/* SpanDSP 0.0.6's plc_fillin() first rotates its history ring with overlapping memcpy() calls (undefined
 * behaviour, caught by ASan); rotate it here with memmove() so that it finds nothing to do. */
static void plc_fillin_safe(plc_state_t *s, int16_t *amp, int len)
{
	int16_t tmp[PLC_HISTORY_LEN];

	if (s->buf_ptr > 0 && s->buf_ptr < PLC_HISTORY_LEN) {
		memcpy(tmp, s->history, s->buf_ptr * sizeof(int16_t));
		memmove(s->history, s->history + s->buf_ptr, (PLC_HISTORY_LEN - s->buf_ptr) * sizeof(int16_t));
		memcpy(s->history + PLC_HISTORY_LEN - s->buf_ptr, tmp, s->buf_ptr * sizeof(int16_t));
		s->buf_ptr = 0;
	}
	plc_fillin(s, amp, len);
}

static void emit(struct media_chan *ch, struct media_event *ev)
{
	ev->chan_id = ch->setup.id;
	if (ch->ops->event)
		ch->ops->event(ch->priv, ev);
}

static enum media_law law_of_pt(uint8_t pt)
{
	return pt == MEDIA_PT_PCMU ? MEDIA_LAW_ULAW : MEDIA_LAW_ALAW;
}

static int check_params(const struct media_chan_params *p)
{
	if (p->pt != MEDIA_PT_PCMA && p->pt != MEDIA_PT_PCMU)
		return -EINVAL;
	if (p->ptime_ms < 10 || p->ptime_ms > 40 || p->ptime_ms % 10)
		return -EINVAL;
	if (p->event_pt && (p->event_pt < 96 || p->event_pt > 127))
		return -EINVAL;
	return 0;
}

static void det_cb(void *priv, const struct dtmf_digit_ev *dev)
{
	struct media_chan *ch = priv;
	int code = rtp_event_from_char(dev->digit);

	if (!dev->end) {
		if (ch->setup.dtmf_suppress) {
			/* the detector needs ~30 ms to be sure: remove from before its start too */
			ch->mute_from = dev->start > 40 * 8 ? dev->start - 40 * 8 : 0;
			ch->muting = true;
		}
		if (ch->p.dtmf_mode == MEDIA_DTMF_RFC4733 && ch->p.event_pt && code >= 0) {
			ch->ev_active = true;
			ch->ev_code = code;
			ch->ev_start = dev->start;
			ch->ev_duration = 0;
			ch->ev_end_left = 0;
			ch->ev_first = true;
		}
		return;
	}
	if (ch->setup.dtmf_suppress) {
		ch->mute_until = dev->start + dev->duration;
		ch->muting = false;
	}
	if (ch->ev_active && code == ch->ev_code) {
		ch->ev_active = false;
		ch->ev_duration = dev->duration;
		ch->ev_end_left = EVENT_END_REPEAT;
	}
	struct media_event ev = { .type = MEDIA_EV_DTMF, .digit = dev->digit, .duration_ms = dev->duration / 8 };
	emit(ch, &ev);
}

static int cpt_freq(struct cpt_det *d, uint16_t f)
{
	unsigned int i;

	for (i = 0; i < d->n_freq; i++)
		if (d->freq[i] == f)
			return i;
	d->freq[d->n_freq] = f;
	d->coeff[d->n_freq] = 2.0f * cosf(2.0f * (float)M_PI * f / DTMF_RATE);
	return d->n_freq++;
}

static void cpt_add(struct cpt_det *d, uint16_t f1, uint16_t f2)
{
	unsigned int i;

	if (!f1 || d->n_cand == CPT_MAX_CAND)
		return;
	for (i = 0; i < d->n_cand; i++)
		if (d->cand[i].f1 == f1 && d->cand[i].f2 == f2)
			return;
	d->cand[d->n_cand] = (struct cpt_cand){ .f1 = f1, .f2 = f2, .g1 = cpt_freq(d, f1),
						.g2 = f2 ? cpt_freq(d, f2) : -1 };
	d->n_cand++;
}

static void cpt_init(struct cpt_det *d, const struct dtmf_tone_plan *plan)
{
	unsigned int i;

	if (!plan)
		plan = dtmf_tone_plan_find("itu");
	d->cur = -1;
	/* peak amplitude of a sine at the minimum level (full scale is +3.14 dBm0) */
	d->min_amp = 32767.0f * powf(10.0f, (CPT_MIN_DBM0 - DTMF_DBM0_FULL_SCALE) / 20.0f);
	for (i = 0; plan && i < _NUM_DTMF_TONE; i++)
		cpt_add(d, plan->tones[i].f1_hz, plan->tones[i].f2_hz);
	cpt_add(d, 950, 0);	/* SIT, ITU-T Q.35 */
	cpt_add(d, 1400, 0);
	cpt_add(d, 1800, 0);
	cpt_add(d, DTMF_COT_FREQ, 0);
}

static void cpt_emit(struct media_chan *ch, struct cpt_det *d)
{
	struct media_event ev = { .type = MEDIA_EV_TONE, .tone_f1 = d->cand[d->cur].f1, .tone_f2 = d->cand[d->cur].f2,
				  .duration_ms = d->run * CPT_BLOCK / 8, .tone_gap_ms = -1 };

	if (d->have_prev)
		ev.tone_gap_ms = (int32_t)((d->run_start - d->prev_end) * CPT_BLOCK / 8);

	emit(ch, &ev);
}

static void cpt_block(struct media_chan *ch, struct cpt_det *d)
{
	float amp[CPT_MAX_FREQ], best = 0.0f;
	int best_i = -1;
	unsigned int i;
	uint64_t blk;

	for (i = 0; i < d->n_freq; i++) {
		float p = d->s1[i] * d->s1[i] + d->s2[i] * d->s2[i] - d->coeff[i] * d->s1[i] * d->s2[i];

		amp[i] = 2.0f * sqrtf(p > 0 ? p : 0) / CPT_BLOCK;
		d->s1[i] = d->s2[i] = 0.0f;
	}
	for (i = 0; i < d->n_cand; i++) {
		const struct cpt_cand *c = &d->cand[i];
		float a1 = amp[c->g1], a2 = c->g2 >= 0 ? amp[c->g2] : 0.0f;
		float e = (a1 * a1 + a2 * a2) / 2.0f * CPT_BLOCK;

		if (a1 < d->min_amp || (c->g2 >= 0 && a2 < d->min_amp))
			continue;
		if (e > best) {
			best = e;
			best_i = i;
		}
	}
	if (best < CPT_SHARE * d->energy)
		best_i = -1;
	d->energy = 0.0f;
	d->in_block = 0;
	blk = d->blocks++;
	if (best_i >= 0 && best_i == d->cur) {
		d->run++;
		if (!d->reported && d->run * CPT_BLOCK / 8 >= MEDIA_TONE_LONG_MS) {
			d->reported = true;
			cpt_emit(ch, d);
		}
		return;
	}
	if (d->cur >= 0 && d->run >= CPT_MIN_BLOCKS) {
		if (!d->reported)
			cpt_emit(ch, d);
		d->prev_end = d->run_start + d->run;
		d->have_prev = true;
	}
	d->cur = best_i;
	d->run = best_i >= 0 ? 1 : 0;
	d->run_start = blk;
	d->reported = false;
}

/* the Goertzel filters of the candidates and the block energy over n samples (within one block) */
static void cpt_filter(struct cpt_det *d, const int16_t *amp, unsigned int n)
{
	float s1[CPT_MAX_FREQ], s2[CPT_MAX_FREQ], e = 0.0f;
	unsigned int i, f;

	memcpy(s1, d->s1, sizeof(s1));
	memcpy(s2, d->s2, sizeof(s2));
	for (i = 0; i < n; i++) {
		float x = amp[i];

		e += x * x;
		for (f = 0; f < d->n_freq; f++) {
			float s0 = x + d->coeff[f] * s1[f] - s2[f];
			s2[f] = s1[f];
			s1[f] = s0;
		}
	}
	memcpy(d->s1, s1, sizeof(s1));
	memcpy(d->s2, s2, sizeof(s2));
	d->energy += e;
	d->in_block += n;
}

/* Whether samples this small throughout a block make it a block without a tone: a frequency's amplitude over a
 * block is at most twice the largest sample (|X| <= N max|x|), so with a margin of two for rounding, below a
 * quarter of the weakest tone's amplitude no candidate reaches it.  The idle octet (+8 or 0) is far below. */
static bool cpt_quiet(const struct cpt_det *d, const int16_t *amp, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (4.0f * abs(amp[i]) >= d->min_amp)
			return false;
	return true;
}

/* A block that starts quiet is held back unfiltered: if it stays quiet to its end, it is a block without a tone
 * (cpt_block() on the filters' reset state finds none either, with the same bookkeeping of runs and gaps);
 * once a sample is not quiet, the held samples are filtered first and the block goes on as usual. */
static void cpt_feed(struct media_chan *ch, struct cpt_det *d, const int16_t *amp, unsigned int n)
{
	while (n) {
		unsigned int k;

		if (d->in_block == 0) {
			k = CPT_BLOCK - d->held;
			if (k > n)
				k = n;
			if (cpt_quiet(d, amp, k)) {
				memcpy(d->held_amp + d->held, amp, k * sizeof(*amp));
				d->held += k;
				amp += k;
				n -= k;
				if (d->held == CPT_BLOCK) {
					d->held = 0;
					cpt_block(ch, d);
				}
				continue;
			}
			if (d->held) {
				cpt_filter(d, d->held_amp, d->held);
				d->held = 0;
			}
		}
		k = CPT_BLOCK - d->in_block;
		if (k > n)
			k = n;
		cpt_filter(d, amp, k);
		amp += k;
		n -= k;
		if (d->in_block == CPT_BLOCK)
			cpt_block(ch, d);
	}
}

static void put_le32(FILE *f, long pos, uint32_t v)
{
	uint8_t b[4] = { v, v >> 8, v >> 16, v >> 24 };

	if (fseek(f, pos, SEEK_SET) == 0)
		fwrite(b, 1, 4, f);
}

void media_chan_record(struct media_chan *ch, FILE *f, bool wav)
{
	if (ch->rec_f) {
		if (ch->rec_wav) {
			/* RIFF size: everything after its own 8 octets; data size (RIFF/WAVE header of 44 octets) */
			put_le32(ch->rec_f, 4, 36 + ch->rec_octets);
			put_le32(ch->rec_f, 40, ch->rec_octets);
		}
		fclose(ch->rec_f);
	}
	ch->rec_f = f;
	ch->rec_wav = wav;
	ch->rec_octets = 0;
}

void media_chan_play_file(struct media_chan *ch, FILE *f)
{
	if (ch->play_f)
		fclose(ch->play_f);
	ch->play_f = f;
}

/* the next tick of the file into lin; the file is closed at its end (the rest of the tick is silence) */
static void play_file_tick(struct media_chan *ch, int16_t *lin)
{
	size_t n = fread(lin, sizeof(int16_t), MEDIA_TICK_SAMPLES, ch->play_f);

	if (n < MEDIA_TICK_SAMPLES) {
		memset(lin + n, 0, (MEDIA_TICK_SAMPLES - n) * sizeof(int16_t));
		media_chan_play_file(ch, NULL);
	}
}

static int chan_destructor(struct media_chan *ch)
{
	playout_frame_t *f;

	media_chan_record(ch, NULL, false);
	media_chan_play_file(ch, NULL);
	if (ch->jb) {
		while ((f = playout_get_unconditional(ch->jb)))
			;	/* frame data lives in our pool, freed with the channel */
		playout_free(ch->jb);
	}
	if (ch->plc_tdm)
		plc_free(ch->plc_tdm);
	if (ch->plc_rtp)
		plc_free(ch->plc_rtp);
	dtmf_det_free(ch->det);
	dtmf_gen_free(ch->gen);
	dtmf_player_free(ch->player);
	return 0;
}

struct media_chan *media_chan_alloc(void *ctx, const struct media_chan_setup *setup, const struct media_chan_params *p,
				    const struct media_chan_ops *ops, void *priv)
{
	struct media_chan *ch;
	unsigned int i, jmin, jmax;

	if (check_params(p) < 0)
		return NULL;
	pthread_once(&g711_once, g711_tables);
	ch = talloc_zero(ctx, struct media_chan);
	if (!ch)
		return NULL;
	talloc_set_destructor(ch, chan_destructor);
	ch->setup = *setup;
	ch->setup.cname = NULL;
	ch->p = *p;
	ch->rtp_law = law_of_pt(p->pt);
	ch->ops = ops;
	ch->priv = priv;
	ch->seq = setup->seq;
	ch->tx_ts = setup->ts;
	ch->delay_ticks = setup->dtmf_suppress ? DELAY_TICKS : 0;
	ch->pool = talloc_array(ch, frame_buf_t, POOL_FRAMES);
	if (setup->cname)
		ch->setup.cname = talloc_strdup(ch, setup->cname);
	if (!ch->pool || (setup->cname && !ch->setup.cname))
		goto fail;
	for (i = 0; i < POOL_FRAMES; i++)
		ch->pool_free[i] = i;
	ch->num_free = POOL_FRAMES;
	jmin = (setup->jitter_min_ms ? setup->jitter_min_ms : 20) * 8;
	jmax = (setup->jitter_max_ms ? setup->jitter_max_ms : 200) * 8;
	if (jmax < jmin)
		jmax = jmin;
	ch->jb = playout_init(jmin, jmax);
	/* SpanDSP 0.0.6's adaptive playout starts with since_last_step at INT_MAX and no just-in-time history, so
	 * the very first frame "shrinks" the buffer by skipping one frame ahead: when that frame is the only one
	 * queued (the peer's packets arrive just before they are due) it is dropped as late, and every later frame
	 * stays one frame late for good (lateness is judged by receive time, which is on time): a silent call but
	 * for the late-frame rule of jb_pull().  Counting from 0, the buffer shrinks only after 500 frames that came
	 * early, as intended, and the call starts without a concealed frame. */
	if (ch->jb)
		ch->jb->since_last_step = 0;
	ch->plc_tdm = plc_init(NULL);
	ch->plc_rtp = plc_init(NULL);
	ch->gen = dtmf_gen_alloc();
	ch->det = p->dtmf_mode != MEDIA_DTMF_INBAND || setup->dtmf_suppress ? dtmf_det_alloc(det_cb, ch) : NULL;
	if (!ch->jb || !ch->plc_tdm || !ch->plc_rtp || !ch->gen ||
	    (!ch->det && (p->dtmf_mode != MEDIA_DTMF_INBAND || setup->dtmf_suppress)))
		goto fail;
	/* two Goertzel filters cost a fraction of SpanDSP's modem_connect_tones_rx (which ran at ~25 ns/sample
	 * for CNG+CED here); the tones are pure and long, so energy share and duration suffice */
	dtmf_tone_det_init(&ch->fax_cng, DTMF_CNG_FREQ, DTMF_FAX_MIN_DBM0, DTMF_CNG_MIN_MS);
	dtmf_tone_det_init(&ch->fax_ced, DTMF_CED_FREQ, DTMF_FAX_MIN_DBM0, DTMF_CED_MIN_MS);
	if (setup->tone_detect) {
		ch->cpt = talloc_zero(ch, struct cpt_det);
		if (!ch->cpt)
			goto fail;
		cpt_init(ch->cpt, setup->plan);
	}
	ch->rtcp_countdown = RTCP_INTERVAL_TICKS;
	return ch;
fail:
	talloc_free(ch);
	return NULL;
}

void media_chan_free(struct media_chan *ch)
{
	talloc_free(ch);
}

int media_chan_modify(struct media_chan *ch, const struct media_chan_params *p)
{
	int rc = check_params(p);

	if (rc < 0)
		return rc;
	/* a ptime change flushes what was collected so far into one shorter packet's worth: drop it */
	if (p->ptime_ms != ch->p.ptime_ms || p->pt != ch->p.pt) {
		ch->tx_ts += ch->tx_fill;
		ch->tx_fill = 0;
	}
	if (!ch->det && p->dtmf_mode != MEDIA_DTMF_INBAND) {
		ch->det = dtmf_det_alloc(det_cb, ch);
		if (!ch->det)
			return -ENOMEM;
	}
	ch->p = *p;
	ch->rtp_law = law_of_pt(p->pt);
	return 0;
}

const struct media_chan_stats *media_chan_stats(const struct media_chan *ch)
{
	return &ch->stats;
}

uint32_t media_chan_id(const struct media_chan *ch)
{
	return ch->setup.id;
}

int media_chan_play(struct media_chan *ch, enum dtmf_play what)
{
	struct dtmf_player *pl = NULL;

	if (what != DTMF_PLAY_NONE) {
		pl = dtmf_player_alloc(what, ch->setup.plan);
		if (!pl)
			return -EINVAL;
	}
	dtmf_player_free(ch->player);
	ch->player = pl;
	ch->playing = what;
	return 0;
}

int media_chan_cot_start(struct media_chan *ch, unsigned int timeout_ms)
{
	int rc = media_chan_play(ch, DTMF_PLAY_COT);

	if (rc < 0)
		return rc;
	if (!timeout_ms)
		timeout_ms = MEDIA_COT_TIMEOUT_MS;
	dtmf_cot_det_init(&ch->cot, DTMF_COT_RX_MIN_DBM0);
	ch->cot_active = true;
	ch->cot_ticks_left = (timeout_ms + MEDIA_TICK_MS - 1) / MEDIA_TICK_MS;
	return 0;
}

int media_chan_send_digit(struct media_chan *ch, char digit, unsigned int duration_ms)
{
	int rc = dtmf_gen_start(ch->gen, digit);

	if (rc < 0)
		return rc;
	dtmf_gen_end(ch->gen, duration_ms * 8);
	return 0;
}

void media_chan_loopback(struct media_chan *ch, bool on)
{
	ch->loopback = on;
}

static void send_rtp(struct media_chan *ch, uint8_t pt, bool marker, uint32_t ts, const uint8_t *pl, size_t len)
{
	uint8_t pkt[RTP_HDR_LEN + MAX_PTIME_SAMPLES];
	struct rtp_hdr h = { .marker = marker, .pt = pt, .seq = ch->seq++, .ts = ts, .ssrc = ch->setup.ssrc };

	rtp_write_hdr(pkt, sizeof(pkt), &h);
	memcpy(pkt + RTP_HDR_LEN, pl, len);
	ch->stats.rtp_tx++;
	ch->octets_tx += len;
	if (ch->ops->rtp_tx)
		ch->ops->rtp_tx(ch->priv, pkt, RTP_HDR_LEN + len);
}

static void send_event_pkt(struct media_chan *ch)
{
	uint8_t pl[RTP_EVENT_LEN];
	struct rtp_event ev = { .event = ch->ev_code, .volume = 10 };
	bool marker = false;

	if (ch->ev_end_left) {
		ev.end = true;
		ev.duration = ch->ev_duration > 0xffff ? 0xffff : ch->ev_duration;
		ch->ev_end_left--;
	} else {
		/* RFC 4733 §2.5.1.2: the duration so far, up to the end of this packet */
		uint32_t d = ch->pos - ch->ev_start;
		ev.duration = d > 0xffff ? 0xffff : d;
		marker = ch->ev_first;	/* §2.5.1.1: M on the first packet of an event */
		ch->ev_first = false;
	}
	rtp_event_write(pl, &ev);
	ch->stats.events_tx++;
	/* on the audio timeline: the delay line shifts the audio by delay_ticks */
	send_rtp(ch, ch->p.event_pt, marker, ch->setup.ts + ch->ev_start + ch->delay_ticks * MEDIA_TICK_SAMPLES, pl,
		 sizeof(pl));
}

/* TDM → RTP for one tick of linear audio (already delayed when digits are removed) */
static void tdm_to_rtp(struct media_chan *ch, const int16_t *lin, const uint8_t *raw, uint32_t lin_pos)
{
	unsigned int ptime = ch->p.ptime_ms * 8;
	/* remove the digits only where they go out of band: without a negotiated telephone-event they
	 * must stay in the audio */
	bool oob = ch->p.dtmf_mode == MEDIA_DTMF_INFO || (ch->p.dtmf_mode == MEDIA_DTMF_RFC4733 && ch->p.event_pt);
	bool mute = ch->setup.dtmf_suppress && oob &&
		    (ch->muting ? lin_pos + MEDIA_TICK_SAMPLES > ch->mute_from :
				  lin_pos < ch->mute_until && lin_pos + MEDIA_TICK_SAMPLES > ch->mute_from);
	uint8_t *dst = ch->txbuf + ch->tx_fill;

	if (mute)
		memset(dst, media_g711_idle(ch->rtp_law), MEDIA_TICK_SAMPLES);
	else if (raw)
		media_g711_transcode(ch->setup.tdm_law, ch->rtp_law, raw, dst, MEDIA_TICK_SAMPLES);
	else
		media_g711_from_linear(ch->rtp_law, lin, dst, MEDIA_TICK_SAMPLES);
	ch->tx_fill += MEDIA_TICK_SAMPLES;
	if (ch->tx_fill < ptime)
		return;
	send_rtp(ch, ch->p.pt, !ch->first_sent, ch->tx_ts, ch->txbuf, ptime);
	ch->first_sent = true;
	ch->tx_ts += ptime;
	ch->tx_fill = 0;
	if (ch->ev_active || ch->ev_end_left)
		send_event_pkt(ch);
}

static unsigned int pool_index(struct media_chan *ch, const void *data)
{
	return ((const uint8_t *)data - (const uint8_t *)ch->pool) / MAX_FRAME;
}

/* refill ch->out with at least n samples from the jitter buffer */
static void jb_pull(struct media_chan *ch, unsigned int n)
{
	timestamp_t now = (timestamp_t)(ch->ticks * MEDIA_TICK_SAMPLES);
	playout_frame_t f;
	unsigned int guard = 0;

	while (ch->out_len < n && guard++ < 8) {
		int rc = playout_get(ch->jb, &f, now);

		/* SpanDSP 0.0.6 judges lateness by receive time only: once the peer's packets come in just after
		 * they are due (jitter beyond the slack, a packet read a tick late) they stay one frame late for
		 * good and it drops every one of them.  A frame late by exactly one frame, whose slot was just
		 * concealed, is played instead: the buffer grows by that frame.  (A duplicate of a frame that was
		 * played finds its slot not concealed and is dropped.) */
		if (rc == PLAYOUT_DROP && ch->jb_concealed && f.sender_stamp == ch->jb_concealed_ts &&
		    f.sender_stamp == ch->jb->last_speech_sender_stamp) {
			ch->stats.jb_grown++;
			rc = PLAYOUT_OK;
		}
		ch->jb_concealed = rc == PLAYOUT_FILLIN;
		ch->jb_concealed_ts = ch->jb->last_speech_sender_stamp;
		switch (rc) {
		case PLAYOUT_OK:
			media_g711_to_linear(ch->rtp_law, f.data, ch->out + ch->out_len, f.sender_len);
			plc_rx(ch->plc_rtp, ch->out + ch->out_len, f.sender_len);
			ch->frame_len = f.sender_len;
			ch->out_len += f.sender_len;
			ch->pool_free[ch->num_free++] = pool_index(ch, f.data);
			ch->jb_started = true;
			break;
		case PLAYOUT_DROP:
			ch->stats.jb_drop++;
			ch->pool_free[ch->num_free++] = pool_index(ch, f.data);
			break;
		case PLAYOUT_FILLIN: {
			/* the frame of a FILLIN carries no length: conceal one frame of the peer's size */
			unsigned int len = ch->frame_len ? ch->frame_len : MEDIA_TICK_SAMPLES;
			ch->stats.jb_fillin++;
			if (ch->jb_started)
				plc_fillin_safe(ch->plc_rtp, ch->out + ch->out_len, len);
			else
				memset(ch->out + ch->out_len, 0, len * sizeof(int16_t));
			ch->out_len += len;
			break;
		}
		default:	/* NOFRAME, EMPTY */
			if (ch->jb_started)
				plc_fillin_safe(ch->plc_rtp, ch->out + ch->out_len, n - ch->out_len);
			else
				memset(ch->out + ch->out_len, 0, (n - ch->out_len) * sizeof(int16_t));
			ch->out_len = n;
			break;
		}
	}
	if (ch->out_len < n) {
		memset(ch->out + ch->out_len, 0, (n - ch->out_len) * sizeof(int16_t));
		ch->out_len = n;
	}
}

static void send_rtcp(struct media_chan *ch)
{
	struct rtcp_info info = { .ssrc = ch->setup.ssrc };
	/* under the channel (this thread's talloc tree): the global msgb context belongs to the main thread */
	struct msgb *msg = msgb_alloc_c(ch, 256, "rtcp");
	struct timespec tv;

	if (!msg)
		return;
	clock_gettime(CLOCK_REALTIME, &tv);
	/* RFC 3550 §4: NTP seconds since 1900 */
	info.ntp_sec = tv.tv_sec + 2208988800u;
	info.ntp_frac = (uint32_t)(((uint64_t)tv.tv_nsec << 32) / 1000000000u);
	info.rtp_ts = ch->tx_ts + ch->tx_fill;
	info.pkt_count = ch->stats.rtp_tx;
	info.octet_count = ch->octets_tx;
	if (ch->have_src) {
		/* RFC 3550 A.3 */
		struct rtcp_report *r = &info.reports[0];
		uint32_t ext_max = ch->cycles + ch->max_seq;
		uint32_t expected = ext_max - ch->base_seq + 1;
		uint32_t exp_int = expected - ch->expected_prior;
		uint32_t rec_int = ch->received - ch->received_prior;
		int32_t lost_int = exp_int - rec_int;
		info.num_reports = 1;
		r->ssrc = ch->src_ssrc;
		r->cum_lost = (int32_t)(expected - ch->received);
		r->fraction_lost = (exp_int == 0 || lost_int <= 0) ? 0 : (lost_int << 8) / exp_int;
		r->ext_highest_seq = ext_max;
		r->jitter = ch->jitter >> 4;
		r->lsr = ch->lsr;
		r->dlsr = ch->lsr ? (uint32_t)((ch->ticks - ch->lsr_tick) * 65536 / 100) : 0;
		ch->expected_prior = expected;
		ch->received_prior = ch->received;
		ch->stats.rx_cum_lost = r->cum_lost;
		ch->stats.rx_jitter = r->jitter;
	}
	if (rtcp_build_report(msg, ch->stats.rtp_tx > 0, &info, ch->setup.cname ? ch->setup.cname : "mgcf") == 0) {
		ch->stats.rtcp_tx++;
		if (ch->ops->rtcp_tx)
			ch->ops->rtcp_tx(ch->priv, msgb_data(msg), msgb_length(msg));
	}
	msgb_free(msg);
}

void media_chan_tick(struct media_chan *ch, const uint8_t *tdm_in, uint8_t *tdm_out)
{
	int16_t lin[MEDIA_TICK_SAMPLES];
	int16_t *tx_lin = lin;
	const uint8_t *tx_raw = tdm_in;
	uint32_t tx_pos = ch->pos;

	/* ---- TDM → RTP ---- */
	if (tdm_in) {
		media_g711_to_linear(ch->setup.tdm_law, tdm_in, lin, MEDIA_TICK_SAMPLES);
		plc_rx(ch->plc_tdm, lin, MEDIA_TICK_SAMPLES);
		ch->plc_tdm_primed = true;
	} else if (ch->plc_tdm_primed) {
		/* the CESoPSN packet of this tick was lost: conceal it */
		plc_fillin_safe(ch->plc_tdm, lin, MEDIA_TICK_SAMPLES);
	} else {
		memset(lin, 0, sizeof(lin));
	}
	if (ch->cot_active) {
		if (dtmf_cot_det_feed(&ch->cot, lin, MEDIA_TICK_SAMPLES) || --ch->cot_ticks_left == 0) {
			struct media_event ev = { .type = MEDIA_EV_COT_RESULT, .cot_ok = ch->cot.detected };
			ch->cot_active = false;
			media_chan_play(ch, DTMF_PLAY_NONE);
			emit(ch, &ev);
		}
	}
	if (ch->setup.fax_detect && !ch->fax_reported && !ch->cot_active) {
		bool cng, ced;
		dtmf_tone_det_feed2(&ch->fax_cng, &ch->fax_ced, lin, MEDIA_TICK_SAMPLES);
		cng = ch->fax_cng.detected;
		ced = ch->fax_ced.detected;
		if (cng || ced) {
			struct media_event ev = { .type = MEDIA_EV_FAX_TONE,
						  .fax_tone = cng ? MEDIA_FAX_TONE_CNG : MEDIA_FAX_TONE_CED };
			ch->fax_reported = true;
			emit(ch, &ev);
		}
	}
	if (ch->det)
		dtmf_det_feed(ch->det, lin, MEDIA_TICK_SAMPLES);
	if (ch->cpt)
		cpt_feed(ch, ch->cpt, lin, MEDIA_TICK_SAMPLES);
	if (ch->rec_f) {
		size_t n = fwrite(lin, sizeof(int16_t), MEDIA_TICK_SAMPLES, ch->rec_f);
		ch->rec_octets += n * sizeof(int16_t);
		if (n < MEDIA_TICK_SAMPLES)
			media_chan_record(ch, NULL, false);	/* disk full: stop rather than fail every tick */
	}
	if (ch->delay_ticks) {
		/* rotate the delay line: send what came in DELAY_TICKS ago, so that a digit detected late
		 * can still be removed from its beginning */
		int16_t tmp[MEDIA_TICK_SAMPLES];
		memcpy(tmp, ch->delay[0], sizeof(tmp));
		memmove(ch->delay[0], ch->delay[1], sizeof(ch->delay[0]) * (DELAY_TICKS - 1));
		memcpy(ch->delay[DELAY_TICKS - 1], lin, sizeof(lin));
		memcpy(lin, tmp, sizeof(lin));
		tx_raw = NULL;
		tx_pos = ch->pos >= DELAY_TICKS * MEDIA_TICK_SAMPLES ? ch->pos - DELAY_TICKS * MEDIA_TICK_SAMPLES : 0;
	} else if (!tdm_in) {
		tx_raw = NULL;
	}
	ch->pos += MEDIA_TICK_SAMPLES;
	tdm_to_rtp(ch, tx_lin, tx_raw, tx_pos);

	/* ---- RTP → TDM ---- */
	jb_pull(ch, MEDIA_TICK_SAMPLES);
	memcpy(lin, ch->out, sizeof(lin));
	ch->out_len -= MEDIA_TICK_SAMPLES;
	memmove(ch->out, ch->out + MEDIA_TICK_SAMPLES, ch->out_len * sizeof(int16_t));
	if (ch->play_f)
		play_file_tick(ch, lin);
	if (ch->rx_ev_active && ch->ticks - ch->rx_ev_last_tick > RX_EVENT_SILENCE_TICKS) {
		/* the end packets were all lost: end the digit with what we heard of it */
		struct media_event e = { .type = MEDIA_EV_RFC4733, .event = ch->rx_ev_code,
					 .digit = rtp_event_to_char(ch->rx_ev_code), .duration_ms = ch->rx_ev_duration / 8 };
		ch->rx_ev_active = false;
		dtmf_gen_end(ch->gen, 0);
		emit(ch, &e);
	}
	if (dtmf_gen_active(ch->gen)) {
		unsigned int k = dtmf_gen_gen(ch->gen, lin, MEDIA_TICK_SAMPLES);
		if (k < MEDIA_TICK_SAMPLES)
			memset(lin + k, 0, (MEDIA_TICK_SAMPLES - k) * sizeof(int16_t));
	}
	if (ch->player)
		dtmf_player_gen(ch->player, lin, MEDIA_TICK_SAMPLES);
	if (ch->loopback) {
		if (tdm_in)
			memcpy(tdm_out, tdm_in, MEDIA_TICK_SAMPLES);
		else
			memset(tdm_out, media_g711_idle(ch->setup.tdm_law), MEDIA_TICK_SAMPLES);
	} else {
		media_g711_from_linear(ch->setup.tdm_law, lin, tdm_out, MEDIA_TICK_SAMPLES);
	}

	/* ---- timers, counted in ticks ---- */
	ch->ticks++;
	if (ch->setup.rtp_timeout_s && !ch->timeout_reported &&
	    ch->ticks - ch->last_rx_tick >= (uint64_t)ch->setup.rtp_timeout_s * (1000 / MEDIA_TICK_MS)) {
		struct media_event ev = { .type = MEDIA_EV_RTP_TIMEOUT };
		ch->timeout_reported = true;
		emit(ch, &ev);
	}
	if (--ch->rtcp_countdown == 0) {
		ch->rtcp_countdown = RTCP_INTERVAL_TICKS;
		send_rtcp(ch);
	}
}

static void rx_stats(struct media_chan *ch, const struct rtp_hdr *h)
{
	/* RFC 3550 A.1 (simplified: a new SSRC or a big jump restarts the statistics) */
	uint16_t udelta = h->seq - ch->max_seq;
	int32_t transit, d;

	if (!ch->have_src || h->ssrc != ch->src_ssrc || (udelta >= 3000 && udelta <= 65536 - 100)) {
		ch->have_src = true;
		ch->src_ssrc = h->ssrc;
		ch->base_seq = h->seq;
		ch->max_seq = h->seq;
		ch->cycles = 0;
		ch->received = 0;
		ch->expected_prior = ch->received_prior = 0;
		ch->jitter = 0;
		ch->last_transit = (int32_t)(ch->ticks * MEDIA_TICK_SAMPLES - h->ts);
	} else if (udelta < 3000) {
		if (h->seq < ch->max_seq)
			ch->cycles += 65536;
		ch->max_seq = h->seq;
	}
	ch->received++;
	/* RFC 3550 A.8 */
	transit = (int32_t)(ch->ticks * MEDIA_TICK_SAMPLES - h->ts);
	d = transit - ch->last_transit;
	ch->last_transit = transit;
	if (d < 0)
		d = -d;
	ch->jitter += d - ((ch->jitter + 8) >> 4);
}

static void rx_event(struct media_chan *ch, const struct rtp_hdr *h)
{
	struct rtp_event ev;
	char c;

	if (rtp_event_parse(h->payload, h->payload_len, &ev, NULL) < 0) {
		ch->stats.rtp_rx_bad++;
		return;
	}
	ch->stats.events_rx++;
	c = rtp_event_to_char(ev.event);
	if (!ch->rx_ev_have_ts || h->ts != ch->rx_ev_ts) {
		/* RFC 4733 §2.5.2.1: a new timestamp is a new event */
		ch->rx_ev_have_ts = true;
		ch->rx_ev_ts = h->ts;
		ch->rx_ev_code = ev.event;
		ch->rx_ev_active = true;
		if (c)
			dtmf_gen_start(ch->gen, c);
	} else if (!ch->rx_ev_active) {
		return;	/* a repeated end packet */
	}
	ch->rx_ev_last_tick = ch->ticks;
	ch->rx_ev_duration = ev.duration;
	if (ev.end) {
		struct media_event e = { .type = MEDIA_EV_RFC4733, .event = ev.event, .digit = c,
					 .duration_ms = ev.duration / 8 };
		ch->rx_ev_active = false;
		dtmf_gen_end(ch->gen, ev.duration);
		emit(ch, &e);
	}
}

void media_chan_rtp_rx(struct media_chan *ch, const uint8_t *buf, size_t len)
{
	struct rtp_hdr h;
	unsigned int idx;

	if (rtp_parse(buf, len, &h, NULL) < 0) {
		ch->stats.rtp_rx_bad++;
		return;
	}
	ch->stats.rtp_rx++;
	ch->last_rx_tick = ch->ticks;
	ch->timeout_reported = false;
	if (ch->p.event_pt && h.pt == ch->p.event_pt) {
		rx_event(ch, &h);
		return;
	}
	if (h.pt != MEDIA_PT_PCMA && h.pt != MEDIA_PT_PCMU) {
		ch->stats.rtp_rx_wrong_pt++;
		return;
	}
	rx_stats(ch, &h);
	if (h.payload_len == 0 || h.payload_len > MAX_FRAME || !ch->num_free) {
		ch->stats.jb_drop++;
		return;
	}
	/* the peer may send the other law than the one we send: decode what it says it is */
	idx = ch->pool_free[--ch->num_free];
	media_g711_transcode(law_of_pt(h.pt), ch->rtp_law, h.payload, ch->pool[idx], h.payload_len);
	if (playout_put(ch->jb, ch->pool[idx], PLAYOUT_TYPE_SPEECH, h.payload_len, h.ts,
			(timestamp_t)(ch->ticks * MEDIA_TICK_SAMPLES)) != PLAYOUT_OK) {
		ch->pool_free[ch->num_free++] = idx;
		ch->stats.jb_drop++;
	}
}

void media_chan_bye(struct media_chan *ch)
{
	/* RFC 3550 §6.1: even a BYE goes in a compound packet that starts with a report */
	struct rtcp_info info = { .ssrc = ch->setup.ssrc, .num_bye = 1, .bye_ssrc = { ch->setup.ssrc } };
	struct msgb *msg = msgb_alloc_c(ch, 128, "rtcp-bye");

	if (!msg)
		return;
	if (rtcp_build_report(msg, false, &info, NULL) == 0 && rtcp_build_bye(msg, &info) == 0) {
		ch->stats.rtcp_tx++;
		if (ch->ops->rtcp_tx)
			ch->ops->rtcp_tx(ch->priv, msgb_data(msg), msgb_length(msg));
	}
	msgb_free(msg);
}

void media_chan_rtcp_rx(struct media_chan *ch, const uint8_t *buf, size_t len)
{
	struct rtcp_info info;

	if (rtcp_parse(buf, len, &info, NULL) < 0)
		return;
	ch->stats.rtcp_rx++;
	if (info.has_sr) {
		/* RFC 3550 §6.4.1 LSR: the middle 32 bits of the NTP timestamp */
		ch->lsr = (info.ntp_sec << 16) | (info.ntp_frac >> 16);
		ch->lsr_tick = ch->ticks;
	}
}
