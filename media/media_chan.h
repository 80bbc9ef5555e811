/*! \file media_chan.h
 * One bearer channel's audio path, free of sockets and threads so that it can be tested sample by
 * sample: the media thread feeds it one 10 ms tick of TDM input and received RTP packets, and it hands
 * back the tick's TDM output, RTP/RTCP packets to send (ops->rtp_tx/rtcp_tx) and events (ops->event).
 *
 *  TDM in (trunk law) ─▶ linear ─┬▶ COT detector (during a continuity test)
 *   (lost: PLC fill-in)          ├▶ fax CNG/CED detector (fax_detect)
 *                                ├▶ DTMF detector ─▶ RFC 4733 events (start, updates, 3 × end)
 *                                └▶ [digit: silence] ─▶ RTP law ─▶ ptime packets (seq, ts, marker)
 *
 *  RTP in ─▶ RFC 4733 ─▶ DTMF generator ─┐
 *         └▶ audio ─▶ jitter buffer ─▶ PLC ┴▶ [loopback | COT tone | tone | digit | audio] ─▶ TDM out
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "media/media.h"
#include "media/rtp_codec.h"

struct media_chan;

struct media_chan_ops {
	void (*rtp_tx)(void *priv, const uint8_t *pkt, size_t len);
	void (*rtcp_tx)(void *priv, const uint8_t *pkt, size_t len);
	/*! ev->chan_id is filled in; the callee copies what it keeps */
	void (*event)(void *priv, const struct media_event *ev);
};

/*! Everything fixed for a channel's life. */
struct media_chan_setup {
	uint32_t id;
	enum media_law tdm_law;
	const struct dtmf_tone_plan *plan;	/*!< NULL: "itu" */
	unsigned int jitter_min_ms, jitter_max_ms;
	unsigned int rtp_timeout_s;		/*!< 0: none */
	bool fax_detect;
	bool tone_detect;			/*!< MEDIA_EV_TONE for the plan's tones, SIT and 2000 Hz */
	bool dtmf_suppress;			/*!< remove detected digits from the RTP audio (RFC 4733 mode) */
	uint32_t ssrc;
	uint16_t seq;				/*!< first sequence number (random per RFC 3550 §5.1) */
	uint32_t ts;				/*!< first timestamp (random) */
	const char *cname;			/*!< RTCP CNAME */
};

/*! Counters of one channel. */
struct media_chan_stats {
	uint64_t rtp_tx, rtp_rx, rtp_rx_bad, rtp_rx_wrong_pt, jb_fillin, jb_drop, events_tx, events_rx;
	uint64_t jb_grown;	/*!< frames played one frame late (the jitter buffer grew) */
	uint64_t rtcp_tx, rtcp_rx;
	uint32_t rx_cum_lost, rx_jitter;
};

/*! \brief A channel (talloc'd under ctx), NULL on failure. */
struct media_chan *media_chan_alloc(void *ctx, const struct media_chan_setup *setup, const struct media_chan_params *p,
				    const struct media_chan_ops *ops, void *priv);
void media_chan_free(struct media_chan *ch);
/*! \brief Send an RTCP BYE (RFC 3550 §6.6) for our SSRC: the channel is going away. */
void media_chan_bye(struct media_chan *ch);
/*! \brief Change what is sent (PT, law, ptime, DTMF mode); the stream's SSRC/seq/ts go on. */
int media_chan_modify(struct media_chan *ch, const struct media_chan_params *p);
/*! \brief Process one tick: tdm_in is MEDIA_TICK_SAMPLES octets in the trunk law, or NULL if lost;
 * tdm_out receives MEDIA_TICK_SAMPLES octets. */
void media_chan_tick(struct media_chan *ch, const uint8_t *tdm_in, uint8_t *tdm_out);
/*! \brief A received RTP packet. */
void media_chan_rtp_rx(struct media_chan *ch, const uint8_t *buf, size_t len);
/*! \brief A received RTCP packet. */
void media_chan_rtcp_rx(struct media_chan *ch, const uint8_t *buf, size_t len);
/*! \brief Play a tone toward TDM until stopped (DTMF_PLAY_NONE stops). */
int media_chan_play(struct media_chan *ch, enum dtmf_play what);
/*! \brief Start a continuity test: send 2000 Hz, expect it back within timeout_ms. */
int media_chan_cot_start(struct media_chan *ch, unsigned int timeout_ms);
/*! \brief Send a digit in-band toward TDM for duration_ms (at least 40 ms). */
int media_chan_send_digit(struct media_chan *ch, char digit, unsigned int duration_ms);
/*! \brief Loop the TDM input back to the TDM output (the far end's continuity test). */
void media_chan_loopback(struct media_chan *ch, bool on);
/*! \brief Record the TDM input (what the far end sends) into f as 16-bit linear 8 kHz samples, host order; the
 *  channel owns f and closes it when the recording stops (f NULL) or the channel goes.  wav: f starts with a
 *  44-octet RIFF/WAVE header whose sizes are filled in at the end. */
void media_chan_record(struct media_chan *ch, FILE *f, bool wav);
/*! \brief Play 16-bit linear 8 kHz samples from f (positioned at the first sample) toward TDM instead of the
 *  RTP audio, until its end or f NULL; the channel owns f and closes it. */
void media_chan_play_file(struct media_chan *ch, FILE *f);
const struct media_chan_stats *media_chan_stats(const struct media_chan *ch);
uint32_t media_chan_id(const struct media_chan *ch);

/*! \brief Convert G.711 octets between laws / to and from linear (256-entry tables). */
void media_g711_to_linear(enum media_law law, const uint8_t *in, int16_t *out, size_t n);
void media_g711_from_linear(enum media_law law, const int16_t *in, uint8_t *out, size_t n);
void media_g711_transcode(enum media_law from, enum media_law to, const uint8_t *in, uint8_t *out, size_t n);
/*! \brief The idle (silence) octet of a law: 0xD5 A-law, 0xFF µ-law. */
uint8_t media_g711_idle(enum media_law law);
