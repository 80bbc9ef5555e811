/* A channel's audio path sample by sample: RTP seq/ts rules, transcoding, DTMF both ways, tones both ways
 * and both laws, continuity test, RTP timeout, loss concealment. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <check.h>
#include <talloc.h>
#include <spandsp.h>

#include "testlib.h"
#include "media/media_chan.h"
#include "media/rtp_codec.h"
#include "dtmf/dtmf_dsp.h"

#define MAX_PKTS	4096
#define MAX_EVS		256

struct cap {
	unsigned int npkt;
	uint8_t pkt[MAX_PKTS][200];
	size_t len[MAX_PKTS];
	unsigned int nrtcp;
	bool last_rtcp_bye;
	unsigned int nev;
	struct media_event ev[MAX_EVS];
};

static void cap_rtp(void *priv, const uint8_t *p, size_t len)
{
	struct cap *c = priv;

	ck_assert_uint_le(len, 200);
	if (c->npkt < MAX_PKTS) {
		memcpy(c->pkt[c->npkt], p, len);
		c->len[c->npkt++] = len;
	}
}

static void cap_rtcp(void *priv, const uint8_t *p, size_t len)
{
	struct cap *c = priv;
	struct rtcp_info info;

	ck_assert_int_eq(rtcp_parse(p, len, &info, NULL), 0);
	c->nrtcp++;
	c->last_rtcp_bye = info.has_bye && info.num_bye == 1 && info.bye_ssrc[0] == info.ssrc;
}

static void cap_ev(void *priv, const struct media_event *ev)
{
	struct cap *c = priv;

	if (c->nev < MAX_EVS)
		c->ev[c->nev++] = *ev;
}

static const struct media_chan_ops cap_ops = { cap_rtp, cap_rtcp, cap_ev };

static struct media_chan *mkchan(struct cap *c, enum media_law tdm_law, uint8_t pt, enum media_dtmf_mode mode,
				 bool suppress)
{
	struct media_chan_setup s = { .id = 7, .tdm_law = tdm_law, .jitter_min_ms = 40, .jitter_max_ms = 40,
				      .dtmf_suppress = suppress, .ssrc = 0x5500aa11, .seq = 65530, .ts = 0xfffffe00 };
	struct media_chan_params p = { .pt = pt, .event_pt = 101, .ptime_ms = 20, .dtmf_mode = mode };
	struct media_chan *ch = media_chan_alloc(test_ctx, &s, &p, &cap_ops, c);

	ck_assert_ptr_nonnull(ch);
	return ch;
}

/* captures live outside the leak-checked test context */
static struct cap caps[2];
static unsigned int ncaps;

static struct cap *cap_new(void)
{
	struct cap *c = &caps[ncaps++ % 2];

	memset(c, 0, sizeof(*c));
	return c;
}

static struct rx_digits_store {
	char b[4096];
} rxd_store;

/* sine of freq at level dBm0 into n linear samples, continuing phase */
static void sine(int16_t *amp, unsigned int n, float freq, float dbm0, double *phase)
{
	float a = 32767.0f * powf(10.0f, (dbm0 - DTMF_DBM0_FULL_SCALE) / 20.0f);
	unsigned int i;

	for (i = 0; i < n; i++) {
		amp[i] = (int16_t)lrintf(a * sin(*phase));
		*phase += 2 * M_PI * freq / 8000.0;
	}
}

START_TEST(transcode_bounds)
{
	uint8_t o, back, u;
	int16_t l1, l2;
	int x, worst_a = 0, worst_u = 0;
	unsigned int i;

	/* linear → law → linear: G.711 quantisation, at most half a step: |x|/32 + a small constant */
	for (x = -32768; x < 32768; x += 7) {
		int16_t in = x, out;
		media_g711_from_linear(MEDIA_LAW_ALAW, &in, &o, 1);
		media_g711_to_linear(MEDIA_LAW_ALAW, &o, &out, 1);
		ck_assert_msg(abs(out - x) <= abs(x) / 32 + 8, "A-law %d -> %d", x, out);
		media_g711_from_linear(MEDIA_LAW_ULAW, &in, &o, 1);
		media_g711_to_linear(MEDIA_LAW_ULAW, &o, &out, 1);
		ck_assert_msg(abs(out - x) <= abs(x) / 32 + 4 + (abs(x) > 32124 ? abs(x) - 32124 : 0),
			      "µ-law %d -> %d", x, out);
	}
	/* A → µ → A and µ → A → µ: the round trip stays within one quantisation step */
	for (i = 0; i < 256; i++) {
		o = i;
		media_g711_transcode(MEDIA_LAW_ALAW, MEDIA_LAW_ULAW, &o, &u, 1);
		media_g711_transcode(MEDIA_LAW_ULAW, MEDIA_LAW_ALAW, &u, &back, 1);
		media_g711_to_linear(MEDIA_LAW_ALAW, &o, &l1, 1);
		media_g711_to_linear(MEDIA_LAW_ALAW, &back, &l2, 1);
		if (abs(l1 - l2) > worst_a)
			worst_a = abs(l1 - l2);
		ck_assert_msg(abs(l1 - l2) <= abs(l1) / 16 + 16, "A %02x -> %d vs %d", i, l1, l2);
		media_g711_transcode(MEDIA_LAW_ULAW, MEDIA_LAW_ALAW, &o, &u, 1);
		media_g711_transcode(MEDIA_LAW_ALAW, MEDIA_LAW_ULAW, &u, &back, 1);
		media_g711_to_linear(MEDIA_LAW_ULAW, &o, &l1, 1);
		media_g711_to_linear(MEDIA_LAW_ULAW, &back, &l2, 1);
		if (abs(l1 - l2) > worst_u)
			worst_u = abs(l1 - l2);
		ck_assert_msg(abs(l1 - l2) <= abs(l1) / 16 + 16, "u %02x -> %d vs %d", i, l1, l2);
	}
	ck_assert_int_gt(worst_a + worst_u, 0);	/* the laws differ: some loss is expected */
	/* the table encoder gives SpanDSP's codes for every sample value, in a run of one value (encoded once) and
	 * beside another value (~x: always different) */
	for (x = -32768; x < 32768; x++) {
		int16_t flat[3] = { x, x, x }, mixed[2] = { x, ~x };
		uint8_t of[3], om[2];
		for (i = 0; i < 2; i++) {
			enum media_law law = i ? MEDIA_LAW_ULAW : MEDIA_LAW_ALAW;
			uint8_t ref = i ? linear_to_ulaw(x) : linear_to_alaw(x);
			uint8_t ref2 = i ? linear_to_ulaw(~x) : linear_to_alaw(~x);
			media_g711_from_linear(law, flat, of, 3);
			media_g711_from_linear(law, mixed, om, 2);
			ck_assert_msg(of[0] == ref && of[1] == ref && of[2] == ref, "law %u of %d: %02x, SpanDSP %02x",
				      i, x, of[0], ref);
			ck_assert_msg(om[0] == ref && om[1] == ref2, "law %u of %d, %d: %02x %02x, SpanDSP %02x %02x",
				      i, x, ~x, om[0], om[1], ref, ref2);
		}
	}
	ck_assert_uint_eq(media_g711_idle(MEDIA_LAW_ALAW), 0xd5);
	ck_assert_uint_eq(media_g711_idle(MEDIA_LAW_ULAW), 0xff);
}
END_TEST

START_TEST(rtp_seq_ts_rules)
{
	struct cap *c = cap_new();
	struct media_chan *ch = mkchan(c, MEDIA_LAW_ALAW, MEDIA_PT_PCMA, MEDIA_DTMF_INBAND, false);
	uint8_t in[MEDIA_TICK_SAMPLES], out[MEDIA_TICK_SAMPLES];
	unsigned int t, i;
	struct rtp_hdr h;

	for (t = 0; t < 20; t++) {
		for (i = 0; i < MEDIA_TICK_SAMPLES; i++)
			in[i] = (uint8_t)(t * MEDIA_TICK_SAMPLES + i);
		media_chan_tick(ch, in, out);
	}
	ck_assert_uint_eq(c->npkt, 10);		/* 20 ms ptime: one packet per two ticks */
	for (i = 0; i < c->npkt; i++) {
		ck_assert_int_eq(rtp_parse(c->pkt[i], c->len[i], &h, NULL), 0);
		ck_assert_uint_eq(h.pt, MEDIA_PT_PCMA);
		ck_assert_uint_eq(h.ssrc, 0x5500aa11);
		ck_assert_uint_eq(h.seq, (uint16_t)(65530 + i));	/* wraps through 0 */
		ck_assert_uint_eq(h.ts, (uint32_t)(0xfffffe00u + 160 * i));	/* ts += samples, wraps */
		ck_assert_int_eq(h.marker, i == 0);	/* marker on the first packet only */
		ck_assert_uint_eq(h.payload_len, 160);
		/* same law: the TDM octets go through untouched */
		ck_assert_uint_eq(h.payload[0], (uint8_t)(i * 160));
		ck_assert_uint_eq(h.payload[159], (uint8_t)(i * 160 + 159));
	}
	/* modify: ptime 10 ms, PCMU: the stream goes on with the same SSRC, seq and ts */
	{
		struct media_chan_params p = { .pt = MEDIA_PT_PCMU, .event_pt = 101, .ptime_ms = 10 };
		uint8_t a = 0xd5, u;
		ck_assert_int_eq(media_chan_modify(ch, &p), 0);
		memset(in, 0xd5, sizeof(in));
		media_chan_tick(ch, in, out);
		ck_assert_uint_eq(c->npkt, 11);
		ck_assert_int_eq(rtp_parse(c->pkt[10], c->len[10], &h, NULL), 0);
		ck_assert_uint_eq(h.pt, MEDIA_PT_PCMU);
		ck_assert_uint_eq(h.seq, (uint16_t)(65530 + 10));
		ck_assert_uint_eq(h.ts, (uint32_t)(0xfffffe00u + 1600));
		ck_assert_uint_eq(h.payload_len, 80);
		media_g711_transcode(MEDIA_LAW_ALAW, MEDIA_LAW_ULAW, &a, &u, 1);
		ck_assert_uint_eq(h.payload[0], u);	/* transcoded A → µ */
	}
	{
		struct media_chan_params bad = { .pt = 18, .ptime_ms = 20 };
		ck_assert_int_eq(media_chan_modify(ch, &bad), -EINVAL);
		bad.pt = MEDIA_PT_PCMA;
		bad.ptime_ms = 25;
		ck_assert_int_eq(media_chan_modify(ch, &bad), -EINVAL);
	}
	media_chan_free(ch);
}
END_TEST

/* ---- DTMF ---- */

static const char all_digits[] = "0123456789*#ABCD";

struct ev_seen {
	uint32_t ts;
	uint8_t event;
	unsigned int n_start, n_update, n_end;
	uint16_t last_dur, end_dur;
	bool marker_first;
};

START_TEST(dtmf_tdm_to_rfc4733)
{
	const enum media_law law = _i ? MEDIA_LAW_ULAW : MEDIA_LAW_ALAW;
	struct cap *c = cap_new();
	struct media_chan *ch = mkchan(c, law, law == MEDIA_LAW_ULAW ? MEDIA_PT_PCMU : MEDIA_PT_PCMA,
				       MEDIA_DTMF_RFC4733, true);
	dtmf_tx_state_t *tx = dtmf_tx_init(NULL);
	dtmf_rx_state_t *audio_rx = dtmf_rx_init(NULL, NULL, NULL);
	int16_t lin[MEDIA_TICK_SAMPLES];
	uint8_t in[MEDIA_TICK_SAMPLES], out[MEDIA_TICK_SAMPLES];
	struct ev_seen seen[32];
	unsigned int nseen = 0, t, i, nd = 0;
	char audio_digits[64];

	/* 100 ms tone, 100 ms gap per digit */
	dtmf_tx_set_timing(tx, 100, 100);
	dtmf_tx_put(tx, all_digits, -1);
	for (t = 0; t < 16 * 20 + 50; t++) {
		int n = dtmf_tx(tx, lin, MEDIA_TICK_SAMPLES);
		if (n < MEDIA_TICK_SAMPLES)
			memset(lin + n, 0, (MEDIA_TICK_SAMPLES - n) * sizeof(int16_t));
		media_g711_from_linear(law, lin, in, MEDIA_TICK_SAMPLES);
		media_chan_tick(ch, in, out);
	}
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < c->npkt; i++) {
		struct rtp_hdr h;
		struct rtp_event ev;
		ck_assert_int_eq(rtp_parse(c->pkt[i], c->len[i], &h, NULL), 0);
		if (h.pt != 101) {
			/* the in-band digits are removed from the audio: nothing to detect there */
			media_g711_to_linear(law, h.payload, lin, 80);
			dtmf_rx(audio_rx, lin, 80);
			media_g711_to_linear(law, h.payload + 80, lin, 80);
			dtmf_rx(audio_rx, lin, 80);
			continue;
		}
		ck_assert_int_eq(rtp_event_parse(h.payload, h.payload_len, &ev, NULL), 0);
		if (!nseen || seen[nseen - 1].ts != h.ts) {
			ck_assert_uint_lt(nseen, 32);
			seen[nseen].ts = h.ts;
			seen[nseen].event = ev.event;
			seen[nseen].marker_first = h.marker;
			nseen++;
		} else {
			ck_assert(!h.marker);
		}
		struct ev_seen *s = &seen[nseen - 1];
		ck_assert_uint_eq(ev.event, s->event);
		if (ev.end) {
			if (s->n_end)
				ck_assert_uint_eq(ev.duration, s->end_dur);	/* same duration on every end */
			s->end_dur = ev.duration;
			s->n_end++;
		} else {
			ck_assert_uint_eq(s->n_end, 0);
			ck_assert_uint_ge(ev.duration, s->last_dur);	/* durations grow */
			s->last_dur = ev.duration;
			s->n_update++;
		}
	}
	ck_assert_uint_eq(nseen, 16);
	for (i = 0; i < 16; i++) {
		ck_assert_int_eq(rtp_event_to_char(seen[i].event), all_digits[i]);
		ck_assert(seen[i].marker_first);
		ck_assert_uint_eq(seen[i].n_end, 3);
		ck_assert_uint_ge(seen[i].n_update, 2);
		/* 100 ms tones: 800 samples, detection granularity ±40 ms */
		ck_assert_msg(seen[i].end_dur >= 800 - 320 && seen[i].end_dur <= 800 + 320, "digit %c duration %u",
			      all_digits[i], seen[i].end_dur);
		if (i)
			ck_assert_int_gt((int32_t)(seen[i].ts - seen[i - 1].ts), 0);
	}
	/* the signalling side hears about every digit too */
	for (i = 0; i < c->nev; i++)
		if (c->ev[i].type == MEDIA_EV_DTMF) {
			ck_assert_int_eq(c->ev[i].digit, all_digits[nd]);
			ck_assert_uint_ge(c->ev[i].duration_ms, 60);
			ck_assert_uint_le(c->ev[i].duration_ms, 140);
			nd++;
		}
	ck_assert_uint_eq(nd, 16);
	ck_assert_uint_eq(dtmf_rx_get(audio_rx, audio_digits, sizeof(audio_digits)), 0);
	dtmf_tx_free(tx);
	dtmf_rx_free(audio_rx);
	media_chan_free(ch);
}
END_TEST

struct rx_digits {
	char digits[64];
	unsigned int n;
	uint32_t pos, start[64], dur[64];
};

static void rx_rt(void *user, int code, int level, int delay)
{
	struct rx_digits *r = user;

	(void)level;
	(void)delay;
	if (code && r->n < 64) {
		r->digits[r->n] = code;
		r->start[r->n++] = r->pos;
	} else if (!code && r->n) {
		r->dur[r->n - 1] = r->pos - r->start[r->n - 1];
	}
}

START_TEST(dtmf_rfc4733_to_tdm)
{
	const enum media_law law = _i ? MEDIA_LAW_ULAW : MEDIA_LAW_ALAW;
	struct cap *c = cap_new();
	struct media_chan *ch = mkchan(c, law, MEDIA_PT_PCMA, MEDIA_DTMF_RFC4733, false);
	struct rx_digits *r = (struct rx_digits *)memset(&rxd_store, 0, sizeof(rxd_store));
	dtmf_rx_state_t *rx = dtmf_rx_init(NULL, NULL, NULL);
	uint8_t in[MEDIA_TICK_SAMPLES], out[MEDIA_TICK_SAMPLES];
	int16_t lin[MEDIA_TICK_SAMPLES];
	uint16_t seq = 100;
	uint32_t ts = 1000;
	unsigned int d, t, i, nrfc = 0;

	dtmf_rx_set_realtime_callback(rx, rx_rt, r);
	memset(in, media_g711_idle(law), sizeof(in));
	for (d = 0; d < 16; d++) {
		/* each digit: 120 ms of events every 20 ms, three end packets, 100 ms quiet */
		for (t = 0; t < 30; t++) {
			if (t % 2 == 0 && t <= 16) {
				uint8_t pkt[16];
				struct rtp_hdr h = { .pt = 101, .seq = seq++, .ts = ts, .ssrc = 9, .marker = t == 0 };
				struct rtp_event ev = { .event = rtp_event_from_char(all_digits[d]), .volume = 10,
							.end = t >= 12, .duration = t >= 12 ? 960 : (t + 2) * 80 };
				rtp_write_hdr(pkt, sizeof(pkt), &h);
				rtp_event_write(pkt + 12, &ev);
				media_chan_rtp_rx(ch, pkt, 16);
			}
			media_chan_tick(ch, in, out);
			media_g711_to_linear(law, out, lin, MEDIA_TICK_SAMPLES);
			dtmf_rx(rx, lin, MEDIA_TICK_SAMPLES);
			r->pos += MEDIA_TICK_SAMPLES;
		}
		ts += 960 + 800;
	}
	r->digits[r->n] = 0;
	ck_assert_str_eq(r->digits, all_digits);
	for (i = 0; i < r->n; i++)
		ck_assert_msg(r->dur[i] >= 960 - 240 && r->dur[i] <= 960 + 240, "digit %c lasted %u samples",
			      r->digits[i], r->dur[i]);
	for (i = 0; i < c->nev; i++)
		if (c->ev[i].type == MEDIA_EV_RFC4733) {
			ck_assert_int_eq(c->ev[i].digit, all_digits[nrfc]);
			ck_assert_uint_eq(c->ev[i].duration_ms, 120);
			nrfc++;
		}
	ck_assert_uint_eq(nrfc, 16);	/* once per digit, not per end packet */
	dtmf_rx_free(rx);
	media_chan_free(ch);
}
END_TEST

START_TEST(digit_command_min_40ms)
{
	struct cap *c = cap_new();
	struct media_chan *ch = mkchan(c, MEDIA_LAW_ALAW, MEDIA_PT_PCMA, MEDIA_DTMF_RFC4733, false);
	struct rx_digits *r = (struct rx_digits *)memset(&rxd_store, 0, sizeof(rxd_store));
	dtmf_rx_state_t *rx = dtmf_rx_init(NULL, NULL, NULL);
	uint8_t in[MEDIA_TICK_SAMPLES], out[MEDIA_TICK_SAMPLES];
	int16_t lin[MEDIA_TICK_SAMPLES];
	unsigned int t, tone = 0;

	dtmf_rx_set_realtime_callback(rx, rx_rt, r);
	memset(in, 0xd5, sizeof(in));
	ck_assert_int_eq(media_chan_send_digit(ch, 'x', 100), -EINVAL);
	ck_assert_int_eq(media_chan_send_digit(ch, '7', 10), 0);	/* too short: stretched to 40 ms */
	for (t = 0; t < 20; t++) {
		unsigned int k;
		media_chan_tick(ch, in, out);
		media_g711_to_linear(MEDIA_LAW_ALAW, out, lin, MEDIA_TICK_SAMPLES);
		for (k = 0; k < MEDIA_TICK_SAMPLES; k++)
			tone += abs(lin[k]) > 100;
		dtmf_rx(rx, lin, MEDIA_TICK_SAMPLES);
		r->pos += MEDIA_TICK_SAMPLES;
	}
	ck_assert_uint_ge(tone, 300);
	ck_assert_uint_le(tone, 320);
	ck_assert_uint_eq(r->n, 1);
	ck_assert_int_eq(r->digits[0], '7');
	dtmf_rx_free(rx);
	media_chan_free(ch);
}
END_TEST

/* ---- tones both ways, both laws ---- */

static void measure(const int16_t *amp, unsigned int n, float freq, float *dbm0)
{
	struct dtmf_goertzel g;

	dtmf_goertzel_init(&g, freq);
	dtmf_goertzel_update(&g, amp, n);
	*dbm0 = dtmf_amp_to_dbm0(dtmf_goertzel_amplitude(&g));
}

static const struct {
	enum media_law tdm;
	uint8_t pt;
} law_combos[] = {
	{ MEDIA_LAW_ALAW, MEDIA_PT_PCMA },
	{ MEDIA_LAW_ULAW, MEDIA_PT_PCMU },
	{ MEDIA_LAW_ALAW, MEDIA_PT_PCMU },	/* transcoding */
	{ MEDIA_LAW_ULAW, MEDIA_PT_PCMA },
};

START_TEST(tone_tdm_to_rtp)
{
	struct cap *c = cap_new();
	struct media_chan *ch = mkchan(c, law_combos[_i].tdm, law_combos[_i].pt, MEDIA_DTMF_INBAND, false);
	enum media_law rtp_law = law_combos[_i].pt == MEDIA_PT_PCMU ? MEDIA_LAW_ULAW : MEDIA_LAW_ALAW;
	int16_t lin[MEDIA_TICK_SAMPLES], rx[800];
	uint8_t in[MEDIA_TICK_SAMPLES], out[MEDIA_TICK_SAMPLES];
	double ph = 0;
	unsigned int t;
	float lvl, other;
	struct rtp_hdr h;

	for (t = 0; t < 20; t++) {
		sine(lin, MEDIA_TICK_SAMPLES, 1004, -10, &ph);
		media_g711_from_linear(law_combos[_i].tdm, lin, in, MEDIA_TICK_SAMPLES);
		media_chan_tick(ch, in, out);
	}
	ck_assert_uint_eq(c->npkt, 10);
	for (t = 0; t < 5; t++) {
		ck_assert_int_eq(rtp_parse(c->pkt[5 + t], c->len[5 + t], &h, NULL), 0);
		media_g711_to_linear(rtp_law, h.payload, rx + 160 * t, 160);
	}
	measure(rx, 800, 1004, &lvl);
	measure(rx, 800, 1500, &other);
	ck_assert_msg(fabsf(lvl + 10) < 0.5f, "level %.2f dBm0", lvl);
	ck_assert_msg(other < -40, "energy at 1500 Hz: %.2f dBm0", other);
	media_chan_free(ch);
}
END_TEST

START_TEST(tone_rtp_to_tdm)
{
	struct cap *c = cap_new();
	struct media_chan *ch = mkchan(c, law_combos[_i].tdm, law_combos[_i].pt, MEDIA_DTMF_INBAND, false);
	enum media_law rtp_law = law_combos[_i].pt == MEDIA_PT_PCMU ? MEDIA_LAW_ULAW : MEDIA_LAW_ALAW;
	int16_t lin[160], tdm[4000];
	uint8_t pkt[12 + 160], in[MEDIA_TICK_SAMPLES], out[MEDIA_TICK_SAMPLES];
	double ph = 0;
	unsigned int t;
	float lvl, other;

	memset(in, media_g711_idle(law_combos[_i].tdm), sizeof(in));
	for (t = 0; t < 50; t++) {
		if (t % 2 == 0) {
			struct rtp_hdr h = { .pt = law_combos[_i].pt, .seq = t / 2, .ts = 80 * t, .ssrc = 1 };
			sine(lin, 160, 697, -6, &ph);
			rtp_write_hdr(pkt, sizeof(pkt), &h);
			media_g711_from_linear(rtp_law, lin, pkt + 12, 160);
			media_chan_rtp_rx(ch, pkt, sizeof(pkt));
		}
		media_chan_tick(ch, in, out);
		media_g711_to_linear(law_combos[_i].tdm, out, tdm + 80 * t, 80);
	}
	/* after the jitter buffer's delay the tone plays steadily */
	measure(tdm + 2000, 1600, 697, &lvl);
	measure(tdm + 2000, 1600, 1209, &other);
	ck_assert_msg(fabsf(lvl + 6) < 0.5f, "level %.2f dBm0", lvl);
	ck_assert_msg(other < -40, "energy at 1209 Hz: %.2f dBm0", other);
	ck_assert_uint_eq(media_chan_stats(ch)->rtp_rx, 25);
	media_chan_free(ch);
}
END_TEST

/* The adaptive jitter buffer (min 20 < max 200 ms, as configured by default) with packets that arrive just in time:
 * a peer's 20 ms packets reach the channel at any phase of the 10 ms ticks (the thread reads RTP every other tick),
 * on time or with up to 15 ms of jitter.  SpanDSP 0.0.6's playout once skipped ahead at the first frame, or after
 * one late packet, and then dropped every frame as late: silence, or half the frames lost. */
START_TEST(tone_rtp_to_tdm_adaptive_jb)
{
	struct media_chan_setup s = { .id = 9, .tdm_law = MEDIA_LAW_ALAW, .jitter_min_ms = 20, .jitter_max_ms = 200,
				      .ssrc = 1 };
	struct media_chan_params p = { .pt = MEDIA_PT_PCMU, .event_pt = 101, .ptime_ms = 20 };
	uint8_t pkt[12 + 160], in[MEDIA_TICK_SAMPLES], out[MEDIA_TICK_SAMPLES];
	int16_t lin[160], tdm[8000];
	unsigned int phase, parity, t, k, jitter, rnd = 1;
	double ph;
	float lvl;

	memset(in, media_g711_idle(MEDIA_LAW_ALAW), sizeof(in));
	for (jitter = 0; jitter <= 15; jitter += 15)
	for (parity = 0; parity < 2; parity++) {
		for (phase = 0; phase < 40; phase += 3) {
			struct cap *c = cap_new();
			struct media_chan *ch = media_chan_alloc(test_ctx, &s, &p, &cap_ops, c);

			ck_assert_ptr_nonnull(ch);
			ph = 0;
			for (t = 0, k = 0; t < 200; t++) {
				/* packet k arrives at phase + 20k ms (+ up to jitter ms, in order), read on the
				 * ticks of the channel's parity */
				while ((t + parity) % 2 == 0 &&
				       phase + 20 * k + (jitter ? rnd % (jitter + 1) : 0) <= 10 * t) {
					struct rtp_hdr h = { .pt = MEDIA_PT_PCMU, .seq = k, .ts = 0x10000000 + 160 * k,
							     .ssrc = 2 };

					sine(lin, 160, 1004, -10, &ph);
					rtp_write_hdr(pkt, sizeof(pkt), &h);
					media_g711_from_linear(MEDIA_LAW_ULAW, lin, pkt + 12, 160);
					media_chan_rtp_rx(ch, pkt, sizeof(pkt));
					k++;
					rnd = rnd * 1103515245 + 12345;
				}
				media_chan_tick(ch, in, out);
				if (t >= 100)
					media_g711_to_linear(MEDIA_LAW_ALAW, out, tdm + 80 * (t - 100), 80);
			}
			measure(tdm, 8000, 1004, &lvl);
			ck_assert_msg(fabsf(lvl + 10) < 0.5f, "jitter %u parity %u phase %u ms: level %.2f dBm0",
				      jitter, parity, phase, lvl);
			ck_assert_uint_eq(media_chan_stats(ch)->jb_drop, 0);
			media_chan_free(ch);
		}
	}
}
END_TEST

/* A duplicate of a frame already played is dropped, not played again (the late-frame rule of jb_pull() only takes a
 * frame whose slot was just concealed). */
START_TEST(rtp_duplicate_not_replayed)
{
	struct cap *c = cap_new();
	struct media_chan *ch = mkchan(c, MEDIA_LAW_ALAW, MEDIA_PT_PCMA, MEDIA_DTMF_INBAND, false);
	uint8_t pkt[40][12 + 160], in[MEDIA_TICK_SAMPLES], out[MEDIA_TICK_SAMPLES];
	int16_t lin[160];
	double ph = 0;
	unsigned int t;

	memset(in, media_g711_idle(MEDIA_LAW_ALAW), sizeof(in));
	for (t = 0; t < 80; t++) {
		if (t % 2 == 0) {
			struct rtp_hdr h = { .pt = MEDIA_PT_PCMA, .seq = t / 2, .ts = 80 * t, .ssrc = 1 };

			sine(lin, 160, 697, -6, &ph);
			rtp_write_hdr(pkt[t / 2], sizeof(pkt[0]), &h);
			media_g711_from_linear(MEDIA_LAW_ALAW, lin, pkt[t / 2] + 12, 160);
			media_chan_rtp_rx(ch, pkt[t / 2], sizeof(pkt[0]));
			/* the frame before the last one again, once it has been played */
			if (t == 60)
				media_chan_rtp_rx(ch, pkt[t / 2 - 2], sizeof(pkt[0]));
		}
		media_chan_tick(ch, in, out);
	}
	ck_assert_uint_eq(media_chan_stats(ch)->jb_grown, 0);
	ck_assert_uint_eq(media_chan_stats(ch)->jb_drop, 1);
	media_chan_free(ch);
}
END_TEST

START_TEST(tone_player)
{
	struct cap *c = cap_new();
	struct media_chan *ch = mkchan(c, _i ? MEDIA_LAW_ULAW : MEDIA_LAW_ALAW, MEDIA_PT_PCMA, MEDIA_DTMF_INBAND,
				       false);
	int16_t tdm[8000 * 3];
	uint8_t in[MEDIA_TICK_SAMPLES], out[MEDIA_TICK_SAMPLES];
	unsigned int t;
	float l950, l1400, l1800, l425;

	memset(in, 0xd5, sizeof(in));
	/* ITU ringback: 425 Hz -13 dBm0, 1 s on, 4 s off */
	ck_assert_int_eq(media_chan_play(ch, DTMF_PLAY_RINGBACK), 0);
	for (t = 0; t < 150; t++) {
		media_chan_tick(ch, in, out);
		media_g711_to_linear(_i ? MEDIA_LAW_ULAW : MEDIA_LAW_ALAW, out, tdm + 80 * t, 80);
	}
	measure(tdm + 800, 4000, 425, &l425);
	ck_assert_msg(fabsf(l425 + 13) < 0.5f, "ringback %.2f dBm0", l425);
	measure(tdm + 8800, 2400, 425, &l425);
	ck_assert_msg(l425 < -50, "ringback pause %.2f dBm0", l425);

	/* SIT: 950, 1400, 1800 Hz, 330 ms each, then silence */
	ck_assert_int_eq(media_chan_play(ch, DTMF_PLAY_SIT), 0);
	for (t = 0; t < 300; t++) {
		media_chan_tick(ch, in, out);
		media_g711_to_linear(_i ? MEDIA_LAW_ULAW : MEDIA_LAW_ALAW, out, tdm + 80 * t, 80);
	}
	measure(tdm + 400, 2000, 950, &l950);
	measure(tdm + 2640 + 400, 2000, 1400, &l1400);
	measure(tdm + 5280 + 400, 2000, 1800, &l1800);
	ck_assert_msg(fabsf(l950 + 24) < 1 && fabsf(l1400 + 24) < 1 && fabsf(l1800 + 24) < 1, "SIT %.1f %.1f %.1f",
		      l950, l1400, l1800);
	measure(tdm + 5280 + 400, 2000, 950, &l950);
	ck_assert(l950 < -40);
	measure(tdm + 7920 + 400, 6000, 1800, &l1800);
	ck_assert(l1800 < -50);	/* the 1 s silence */
	measure(tdm + 15920 + 400, 2000, 950, &l950);
	ck_assert(fabsf(l950 + 24) < 1);	/* and again */
	ck_assert_int_eq(media_chan_play(ch, DTMF_PLAY_NONE), 0);
	media_chan_tick(ch, in, out);
	ck_assert_uint_eq(out[0], media_g711_idle(_i ? MEDIA_LAW_ULAW : MEDIA_LAW_ALAW));
	media_chan_free(ch);
}
END_TEST

/* ---- continuity ---- */

static unsigned int cot_run(struct cap *c, struct media_chan *ch, bool looped, unsigned int max_ticks)
{
	uint8_t in[MEDIA_TICK_SAMPLES], out[MEDIA_TICK_SAMPLES];
	unsigned int t, i;

	memset(in, 0xd5, sizeof(in));
	for (t = 0; t < max_ticks; t++) {
		media_chan_tick(ch, in, out);
		if (looped)
			memcpy(in, out, sizeof(in));	/* the far end loops the timeslot back */
		for (i = 0; i < c->nev; i++)
			if (c->ev[i].type == MEDIA_EV_COT_RESULT)
				return t + 1;
	}
	return 0;
}

START_TEST(cot_looped_and_broken)
{
	struct cap *c = cap_new();
	struct media_chan *ch = mkchan(c, MEDIA_LAW_ALAW, MEDIA_PT_PCMA, MEDIA_DTMF_INBAND, false);
	struct cap *c2 = cap_new();
	struct media_chan *far = mkchan(c2, MEDIA_LAW_ALAW, MEDIA_PT_PCMA, MEDIA_DTMF_INBAND, false);
	unsigned int t;

	ck_assert_int_eq(media_chan_cot_start(ch, 2000), 0);
	t = cot_run(c, ch, true, 300);
	ck_assert_uint_gt(t, 0);
	ck_assert_uint_le(t, 10);	/* 30 ms of tone recognised, plus the loop's tick */
	ck_assert(c->ev[c->nev - 1].cot_ok);
	ck_assert_uint_eq(c->ev[c->nev - 1].chan_id, 7);

	c->nev = 0;
	ck_assert_int_eq(media_chan_cot_start(ch, 2000), 0);
	t = cot_run(c, ch, false, 300);
	ck_assert_uint_eq(t, 200);	/* T24 = 2 s exactly */
	ck_assert(!c->ev[c->nev - 1].cot_ok);

	/* the far end's loopback (media_chan_loopback) as the loop */
	c->nev = 0;
	media_chan_loopback(far, true);
	ck_assert_int_eq(media_chan_cot_start(ch, 1000), 0);
	{
		uint8_t a[MEDIA_TICK_SAMPLES], b[MEDIA_TICK_SAMPLES], x[MEDIA_TICK_SAMPLES];
		memset(b, 0xd5, sizeof(b));
		for (t = 0; t < 100 && !c->nev; t++) {
			media_chan_tick(ch, b, a);
			media_chan_tick(far, a, b);
		}
		ck_assert_uint_eq(c->nev, 1);
		ck_assert(c->ev[0].cot_ok);
		/* a speech-like mix of frequencies is not a continuity tone */
		c->nev = 0;
		media_chan_loopback(far, false);
		ck_assert_int_eq(media_chan_cot_start(ch, 500), 0);
		double p1 = 0, p2 = 0;
		int16_t l1[80], l2[80];
		for (t = 0; t < 100 && !c->nev; t++) {
			unsigned int k;
			sine(l1, 80, 2000, -20, &p1);
			sine(l2, 80, 700, -8, &p2);
			for (k = 0; k < 80; k++)
				l1[k] += l2[k];
			media_g711_from_linear(MEDIA_LAW_ALAW, l1, x, 80);
			media_chan_tick(ch, x, a);
		}
		ck_assert_uint_eq(c->nev, 1);
		ck_assert(!c->ev[0].cot_ok);
	}
	media_chan_free(ch);
	media_chan_free(far);
}
END_TEST

START_TEST(rtp_timeout_and_plc)
{
	struct cap *c = cap_new();
	struct media_chan_setup s = { .id = 3, .tdm_law = MEDIA_LAW_ALAW, .jitter_min_ms = 40, .jitter_max_ms = 40,
				      .rtp_timeout_s = 1, .ssrc = 1 };
	struct media_chan_params p = { .pt = MEDIA_PT_PCMA, .ptime_ms = 20 };
	struct media_chan *ch = media_chan_alloc(test_ctx, &s, &p, &cap_ops, c);
	uint8_t in[MEDIA_TICK_SAMPLES], out[MEDIA_TICK_SAMPLES], pkt[172];
	int16_t lin[160], tdm[80 * 60];
	double ph = 0;
	unsigned int t, i, timeouts = 0;
	float lvl;

	ck_assert_ptr_nonnull(ch);
	memset(in, 0xd5, sizeof(in));
	for (t = 0; t < 60; t++) {
		/* packet 10 (ticks 20-21) is lost */
		if (t % 2 == 0) {
			struct rtp_hdr h = { .pt = 8, .seq = t / 2, .ts = 80 * t, .ssrc = 2 };
			sine(lin, 160, 500, -10, &ph);
			rtp_write_hdr(pkt, sizeof(pkt), &h);
			media_g711_from_linear(MEDIA_LAW_ALAW, lin, pkt + 12, 160);
			if (t != 20)
				media_chan_rtp_rx(ch, pkt, sizeof(pkt));
		}
		media_chan_tick(ch, in, out);
		media_g711_to_linear(MEDIA_LAW_ALAW, out, tdm + 80 * t, 80);
	}
	ck_assert_uint_ge(media_chan_stats(ch)->jb_fillin, 1);
	/* concealment keeps the tone going through the lost packet (no 20 ms hole) */
	for (t = 10; t < 55; t += 2) {
		measure(tdm + 80 * t, 160, 500, &lvl);
		ck_assert_msg(lvl > -16, "tick %u: %.1f dBm0", t, lvl);
	}
	/* then nothing for a second: one RTP timeout event */
	for (t = 0; t < 250; t++)
		media_chan_tick(ch, in, out);
	for (i = 0; i < c->nev; i++)
		timeouts += c->ev[i].type == MEDIA_EV_RTP_TIMEOUT;
	ck_assert_uint_eq(timeouts, 1);
	ck_assert_uint_eq(c->ev[0].chan_id, 3);
	/* RTCP went out (an SR: we sent RTP) every 5 s: at 3.1 s none yet */
	ck_assert_uint_eq(c->nrtcp, 0);
	for (t = 0; t < 200; t++)
		media_chan_tick(ch, in, out);
	ck_assert_uint_eq(c->nrtcp, 1);
	ck_assert(!c->last_rtcp_bye);
	media_chan_bye(ch);
	ck_assert_uint_eq(c->nrtcp, 2);
	ck_assert(c->last_rtcp_bye);
	media_chan_free(ch);
}
END_TEST

START_TEST(fax_tones)
{
	static const struct {
		float f, dbm0;
		unsigned int ms;
		int expect;	/* -1: none */
	} cases[] = {
		{ DTMF_CNG_FREQ, -20, 600, MEDIA_FAX_TONE_CNG },
		{ DTMF_CED_FREQ, -12, 800, MEDIA_FAX_TONE_CED },
		{ DTMF_CNG_FREQ, -20, 300, -1 },	/* too short for CNG */
		{ DTMF_CED_FREQ, -50, 800, -1 },	/* too weak */
		{ 1000, -10, 800, -1 },			/* another tone */
	};
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(cases); k++) {
		struct cap *c = cap_new();
		struct media_chan_setup su = { .id = 1, .tdm_law = MEDIA_LAW_ULAW, .fax_detect = true };
		struct media_chan_params p = { .pt = MEDIA_PT_PCMU, .ptime_ms = 20, .dtmf_mode = MEDIA_DTMF_INBAND };
		struct media_chan *ch = media_chan_alloc(test_ctx, &su, &p, &cap_ops, c);
		uint8_t in[MEDIA_TICK_SAMPLES], out[MEDIA_TICK_SAMPLES];
		int16_t lin[MEDIA_TICK_SAMPLES];
		double ph = 0;
		unsigned int t, i, n = 0;
		int got = -1;

		ck_assert_ptr_nonnull(ch);
		for (t = 0; t < 150; t++) {
			if (t * 10 < cases[k].ms)
				sine(lin, MEDIA_TICK_SAMPLES, cases[k].f, cases[k].dbm0, &ph);
			else
				memset(lin, 0, sizeof(lin));
			media_g711_from_linear(MEDIA_LAW_ULAW, lin, in, MEDIA_TICK_SAMPLES);
			media_chan_tick(ch, in, out);
		}
		for (i = 0; i < c->nev; i++)
			if (c->ev[i].type == MEDIA_EV_FAX_TONE) {
				got = c->ev[i].fax_tone;
				n++;
			}
		ck_assert_msg(got == cases[k].expect, "case %u: got %d", k, got);
		ck_assert_uint_le(n, 1);	/* reported once */
		media_chan_free(ch);
	}
}
END_TEST

/* The call progress tone detector (tone_detect): bursts reported with their frequencies, length and the gap since
 * the previous burst (the cadence), nothing for tones outside the plan, DTMF, weak or short signals; a continuous
 * tone reported once at MEDIA_TONE_LONG_MS. */
START_TEST(progress_tones)
{
	static const struct {
		const char *plan;
		enum media_law law;
		uint16_t f1, f2;
		float dbm0;
		unsigned int on_ms, off_ms, bursts;
		unsigned int expect_events, expect_ms;	/* events of (f1, f2), each expect_ms ± 20 */
	} cases[] = {
		{ "itu", MEDIA_LAW_ALAW, 425, 0, -13, 500, 500, 3, 3, 500 },	/* busy */
		{ "itu", MEDIA_LAW_ULAW, 425, 0, -13, 200, 200, 4, 4, 200 },	/* congestion */
		{ "us", MEDIA_LAW_ULAW, 480, 620, -13, 500, 500, 2, 2, 500 },	/* busy, two frequencies */
		{ "us", MEDIA_LAW_ALAW, 440, 480, -19, 2000, 1000, 1, 1, 2000 },	/* ringback */
		{ "itu", MEDIA_LAW_ALAW, 425, 0, -13, 1000, 4000, 2, 2, 1000 },	/* ringback, 4 s apart */
		{ "itu", MEDIA_LAW_ALAW, 2000, 0, -12, 700, 300, 1, 1, 700 },	/* continuity tone */
		{ "itu", MEDIA_LAW_ALAW, 950, 0, -13, 330, 0, 1, 1, 330 },	/* SIT segment */
		{ "itu", MEDIA_LAW_ALAW, 425, 0, -13, 3500, 0, 1, 1, 3000 },	/* continuous: once, at 3 s */
		{ "itu", MEDIA_LAW_ALAW, 425, 0, -50, 500, 500, 2, 0, 0 },	/* too weak */
		{ "itu", MEDIA_LAW_ALAW, 425, 0, -13, 40, 500, 2, 0, 0 },	/* too short */
		{ "itu", MEDIA_LAW_ALAW, 1000, 0, -13, 500, 500, 2, 0, 0 },	/* not a tone of the plan */
		{ "itu", MEDIA_LAW_ALAW, 941, 1336, -10, 500, 500, 2, 0, 0 },	/* DTMF '0' is no SIT */
	};
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(cases); k++) {
		struct cap *c = cap_new();
		struct media_chan_setup su = { .id = 5, .tdm_law = cases[k].law, .tone_detect = true,
					       .plan = dtmf_tone_plan_find(cases[k].plan) };
		struct media_chan_params p = { .pt = MEDIA_PT_PCMA, .ptime_ms = 20, .dtmf_mode = MEDIA_DTMF_INBAND };
		struct media_chan *ch = media_chan_alloc(test_ctx, &su, &p, &cap_ops, c);
		unsigned int period = cases[k].on_ms + cases[k].off_ms, total = period * cases[k].bursts + 500;
		uint8_t in[MEDIA_TICK_SAMPLES], out[MEDIA_TICK_SAMPLES];
		int16_t lin[MEDIA_TICK_SAMPLES], l2[MEDIA_TICK_SAMPLES];
		double ph1 = 0, ph2 = 0;
		unsigned int t, i, n = 0, other = 0;

		ck_assert_ptr_nonnull(ch);
		for (t = 0; t * 10 < total; t++) {
			unsigned int ms = t * 10;
			if (ms < period * cases[k].bursts && ms % period < cases[k].on_ms) {
				sine(lin, MEDIA_TICK_SAMPLES, cases[k].f1, cases[k].dbm0, &ph1);
				if (cases[k].f2) {
					sine(l2, MEDIA_TICK_SAMPLES, cases[k].f2, cases[k].dbm0, &ph2);
					for (i = 0; i < MEDIA_TICK_SAMPLES; i++)
						lin[i] += l2[i];
				}
			} else {
				memset(lin, 0, sizeof(lin));
			}
			media_g711_from_linear(cases[k].law, lin, in, MEDIA_TICK_SAMPLES);
			media_chan_tick(ch, in, out);
		}
		for (i = 0; i < c->nev; i++) {
			if (c->ev[i].type != MEDIA_EV_TONE)
				continue;
			if (c->ev[i].tone_f1 != cases[k].f1 || c->ev[i].tone_f2 != cases[k].f2) {
				other++;
				continue;
			}
			n++;
			ck_assert_msg(c->ev[i].duration_ms + 20 >= cases[k].expect_ms &&
				      c->ev[i].duration_ms <= cases[k].expect_ms + 20, "case %u: burst of %u ms", k,
				      c->ev[i].duration_ms);
			ck_assert_uint_eq(c->ev[i].chan_id, 5);
			if (n == 1)
				ck_assert_msg(c->ev[i].tone_gap_ms == -1, "case %u: first burst after %d ms", k,
					      c->ev[i].tone_gap_ms);
			else
				ck_assert_msg(c->ev[i].tone_gap_ms + 20 >= (int32_t)cases[k].off_ms &&
					      c->ev[i].tone_gap_ms <= (int32_t)cases[k].off_ms + 20,
					      "case %u: gap of %d ms", k, c->ev[i].tone_gap_ms);
		}
		ck_assert_msg(n == cases[k].expect_events, "case %u: %u bursts", k, n);
		ck_assert_msg(other == 0, "case %u: %u bursts of other tones", k, other);
		media_chan_free(ch);
	}
}
END_TEST

/* Test equipment: a WAV recording of the TDM input (header sizes filled in at the end, the samples as heard), and
 * a file played toward TDM until its end, then the RTP audio (silence here) again. */
START_TEST(record_and_play_file)
{
	struct cap *c = cap_new();
	struct media_chan_setup su = { .id = 2, .tdm_law = MEDIA_LAW_ALAW };
	struct media_chan_params p = { .pt = MEDIA_PT_PCMA, .ptime_ms = 20, .dtmf_mode = MEDIA_DTMF_INBAND };
	struct media_chan *ch = media_chan_alloc(test_ctx, &su, &p, &cap_ops, c);
	uint8_t in[MEDIA_TICK_SAMPLES], out[MEDIA_TICK_SAMPLES], hdr[44] = "RIFF";
	int16_t lin[MEDIA_TICK_SAMPLES], back[MEDIA_TICK_SAMPLES], file[MEDIA_TICK_SAMPLES * 10];
	FILE *f = tmpfile(), *g = tmpfile();
	double ph = 0;
	unsigned int t, i;
	float lvl;

	ck_assert_ptr_nonnull(ch);
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(g);
	ck_assert_uint_eq(fwrite(hdr, 1, sizeof(hdr), f), sizeof(hdr));
	media_chan_record(ch, f, true);
	for (t = 0; t < 10; t++) {
		sine(lin, MEDIA_TICK_SAMPLES, 1000, -10, &ph);
		media_g711_from_linear(MEDIA_LAW_ALAW, lin, in, MEDIA_TICK_SAMPLES);
		media_chan_tick(ch, in, out);
		media_g711_to_linear(MEDIA_LAW_ALAW, in, back, MEDIA_TICK_SAMPLES);
		memcpy(file + t * MEDIA_TICK_SAMPLES, back, sizeof(back));
	}
	/* the recording ends: f is finished and closed by the channel; read it through a second handle */
	{
		int fd = dup(fileno(f));
		FILE *r;
		uint8_t h[44];
		int16_t samples[MEDIA_TICK_SAMPLES * 10];

		ck_assert_int_ge(fd, 0);
		media_chan_record(ch, NULL, false);
		r = fdopen(fd, "rb");
		ck_assert_ptr_nonnull(r);
		rewind(r);
		ck_assert_uint_eq(fread(h, 1, 44, r), 44);
		ck_assert_uint_eq(h[4] | h[5] << 8 | h[6] << 16, 36 + sizeof(samples));
		ck_assert_uint_eq(h[40] | h[41] << 8 | h[42] << 16, sizeof(samples));
		ck_assert_uint_eq(fread(samples, sizeof(int16_t), MEDIA_TICK_SAMPLES * 10, r), MEDIA_TICK_SAMPLES * 10);
		ck_assert_int_eq(memcmp(samples, file, sizeof(samples)), 0);
		fclose(r);
	}
	/* play 10 ticks of 1000 Hz toward TDM, then nothing */
	ck_assert_uint_eq(fwrite(file, sizeof(file), 1, g), 1);
	rewind(g);
	media_chan_play_file(ch, g);
	memset(in, 0xd5, sizeof(in));
	for (t = 0; t < 12; t++) {
		media_chan_tick(ch, in, out);
		media_g711_to_linear(MEDIA_LAW_ALAW, out, lin, MEDIA_TICK_SAMPLES);
		measure(lin, MEDIA_TICK_SAMPLES, 1000, &lvl);
		if (t < 10)
			ck_assert_msg(lvl > -11 && lvl < -9, "tick %u: %.1f dBm0", t, lvl);
		else
			for (i = 0; i < MEDIA_TICK_SAMPLES; i++)
				ck_assert_int_le(abs(lin[i]), 8);
	}
	media_chan_free(ch);
}
END_TEST

START_TEST(dtmf_kept_without_event_pt)
{
	struct cap *c = cap_new();
	struct media_chan_setup su = { .id = 2, .tdm_law = MEDIA_LAW_ALAW, .dtmf_suppress = true };
	struct media_chan_params p = { .pt = MEDIA_PT_PCMA, .event_pt = 0, .ptime_ms = 20,
				       .dtmf_mode = MEDIA_DTMF_RFC4733 };
	struct media_chan *ch = media_chan_alloc(test_ctx, &su, &p, &cap_ops, c);
	dtmf_tx_state_t *tx = dtmf_tx_init(NULL);
	dtmf_rx_state_t *rx = dtmf_rx_init(NULL, NULL, NULL);
	uint8_t in[MEDIA_TICK_SAMPLES], out[MEDIA_TICK_SAMPLES];
	int16_t lin[MEDIA_TICK_SAMPLES];
	char digits[16];
	unsigned int t, i;

	ck_assert_ptr_nonnull(ch);
	dtmf_tx_set_timing(tx, 100, 100);
	dtmf_tx_put(tx, "48", -1);
	for (t = 0; t < 60; t++) {
		int n = dtmf_tx(tx, lin, MEDIA_TICK_SAMPLES);
		if (n < MEDIA_TICK_SAMPLES)
			memset(lin + n, 0, (MEDIA_TICK_SAMPLES - n) * sizeof(int16_t));
		media_g711_from_linear(MEDIA_LAW_ALAW, lin, in, MEDIA_TICK_SAMPLES);
		media_chan_tick(ch, in, out);
	}
	for (i = 0; i < c->npkt; i++) {
		struct rtp_hdr h;
		int16_t a[160];
		ck_assert_int_eq(rtp_parse(c->pkt[i], c->len[i], &h, NULL), 0);
		ck_assert_uint_eq(h.pt, MEDIA_PT_PCMA);	/* no telephone-event packets */
		media_g711_to_linear(MEDIA_LAW_ALAW, h.payload, a, 160);
		dtmf_rx(rx, a, 160);
	}
	ck_assert_uint_eq(dtmf_rx_get(rx, digits, sizeof(digits)), 2);
	ck_assert(!strncmp(digits, "48", 2));
	dtmf_tx_free(tx);
	dtmf_rx_free(rx);
	media_chan_free(ch);
}
END_TEST

START_TEST(rfc4733_end_lost)
{
	struct cap *c = cap_new();
	struct media_chan *ch = mkchan(c, MEDIA_LAW_ALAW, MEDIA_PT_PCMA, MEDIA_DTMF_RFC4733, false);
	uint8_t in[MEDIA_TICK_SAMPLES], out[MEDIA_TICK_SAMPLES], pkt[16];
	unsigned int t, i, n = 0, tone_ticks = 0;

	memset(in, 0xd5, sizeof(in));
	for (t = 0; t < 100; t++) {
		if (t < 10 && t % 2 == 0) {
			/* '9' for 100 ms, then every packet of it is lost, the end packets included */
			struct rtp_hdr h = { .pt = 101, .seq = t, .ts = 800, .ssrc = 4, .marker = t == 0 };
			struct rtp_event ev = { .event = 9, .volume = 10, .duration = (t + 2) * 80 };
			rtp_write_hdr(pkt, sizeof(pkt), &h);
			rtp_event_write(pkt + 12, &ev);
			media_chan_rtp_rx(ch, pkt, sizeof(pkt));
		}
		media_chan_tick(ch, in, out);
		tone_ticks += out[0] != 0xd5 || out[40] != 0xd5;
	}
	for (i = 0; i < c->nev; i++)
		if (c->ev[i].type == MEDIA_EV_RFC4733) {
			ck_assert_int_eq(c->ev[i].digit, '9');
			ck_assert_uint_eq(c->ev[i].duration_ms, 100);
			n++;
		}
	ck_assert_uint_eq(n, 1);
	/* the tone stopped after the 500 ms without news, not at 8 s */
	ck_assert_uint_ge(tone_ticks, 50);
	ck_assert_uint_le(tone_ticks, 62);
	media_chan_free(ch);
}
END_TEST

static Suite *chan_suite(void)
{
	Suite *s = suite_create("media channel");
	TCase *tc = tcase_create("chan");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_add_test(tc, transcode_bounds);
	tcase_add_test(tc, rtp_seq_ts_rules);
	tcase_add_loop_test(tc, dtmf_tdm_to_rfc4733, 0, 2);
	tcase_add_loop_test(tc, dtmf_rfc4733_to_tdm, 0, 2);
	tcase_add_test(tc, digit_command_min_40ms);
	tcase_add_loop_test(tc, tone_tdm_to_rtp, 0, ARRAY_SIZE(law_combos));
	tcase_add_loop_test(tc, tone_rtp_to_tdm, 0, ARRAY_SIZE(law_combos));
	tcase_add_test(tc, tone_rtp_to_tdm_adaptive_jb);
	tcase_add_test(tc, rtp_duplicate_not_replayed);
	tcase_add_loop_test(tc, tone_player, 0, 2);
	tcase_add_test(tc, cot_looped_and_broken);
	tcase_add_test(tc, rtp_timeout_and_plc);
	tcase_add_test(tc, fax_tones);
	tcase_add_test(tc, progress_tones);
	tcase_add_test(tc, record_and_play_file);
	tcase_add_test(tc, dtmf_kept_without_event_pt);
	tcase_add_test(tc, rfc4733_end_lost);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(chan_suite());
}
