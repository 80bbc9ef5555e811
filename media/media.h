/*! \file media.h
 * The media plane: bearer channels between RTP (IMS side) and TDM timeslots carried on CESoPSN spans
 * (PSTN side), run by N media threads and driven by the signalling thread through two kinds of queue.
 *
 *   signalling (main) thread                          media thread k (k = 0..N-1), own osmo_select loop
 *  ┌──────────────────────────┐  cmd it_q "media-cmd-k"  ┌─────────────────────────────────────────────┐
 *  │ media_plane_*() commands ├─────────────────────────▶│ 10 ms timerfd tick:                         │
 *  │  create/modify/destroy,  │  (one queue per thread)  │  for each span it owns:                     │
 *  │  tone, COT, digit, loop  │                          │   CESoPSN rx (recvmmsg) ─▶ reorder window   │
 *  │ RTP port allocator with  │                          │   for each channel (timeslot) of the span:  │
 *  │  reuse quarantine        │  event it_q "media-ev"   │    TDM in ─▶ DTMF/COT/fax det ─▶ RTP tx     │
 *  │ media_plane_ops.event() ◀├──────────────────────────┤    RTP rx ─▶ jitter buffer+PLC ─▶ TDM out   │
 *  └──────────────────────────┘ (shared by all threads)  │   one CESoPSN packet per packet time        │
 *                                                        │  channels without a span: RTP only          │
 *                                                        │  io_uring: all RTP/RTCP received at the     │
 *                                                        │  tick's start, its sends submitted at once  │
 *                                                        │  (else recvmmsg per ptime, send per packet) │
 *                                                        └─────────────────────────────────────────────┘
 *
 * A channel lives on one thread for its life: the span of its timeslot decides which (spans are spread
 * over the threads at start), RTP-only channels go round robin.  Nothing on the audio path takes a
 * lock; the only shared objects are the two osmo_it_q (mutex inside libosmocore).  Neither side wakes the
 * other per item: the command queues have no eventfd (a thread takes its commands at each tick, so a command
 * waits MEDIA_TICK_MS at most), and a thread hands a tick's events over together with one eventfd write.
 * Commands and events are malloc()ed plain structs: talloc trees are per thread and never cross.
 * Ports are allocated and released on the signalling thread only (released when the thread reports
 * MEDIA_EV_CHAN_DESTROYED), so the allocator needs no lock either.  A released pair's sockets come back with
 * that event (or, while io_uring still cancels its receives, with MEDIA_EV_SOCKET_FREE once it has) and stay
 * open in a bounded pool for the pair's next call (see media_ports.h).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <osmocom/core/linuxlist.h>
#include <osmocom/core/sockaddr_str.h>
#include <osmocom/core/utils.h>

#include "media/media_cfg.h"
#include "dtmf/dtmf_dsp.h"

#define MEDIA_TICK_MS		10
#define MEDIA_TICK_SAMPLES	80
#define MEDIA_PT_PCMU		0	/* RFC 3551 Table 4 */
#define MEDIA_PT_PCMA		8
#define MEDIA_PT_EVENT_DEFAULT	101	/* dynamic; what SDP usually negotiates for telephone-event */
#define MEDIA_COT_TIMEOUT_MS	2000	/* T24 < 2 s, Q.764 Annex A */
#define MEDIA_TONE_LONG_MS	3000	/* a tone this long is reported without waiting for its end */

enum media_event_type {
	MEDIA_EV_CHAN_READY,		/*!< channel created: local_port (RTP; RTCP is +1) */
	MEDIA_EV_CHAN_FAILED,		/*!< create failed: rc */
	MEDIA_EV_DTMF,			/*!< in-band digit detected on the TDM side: digit, duration_ms (at its end) */
	MEDIA_EV_RFC4733,		/*!< telephone-event received from RTP: digit/event, duration_ms (at its end) */
	MEDIA_EV_COT_RESULT,		/*!< continuity test over: cot_ok */
	MEDIA_EV_RTP_TIMEOUT,		/*!< no RTP for rtp_timeout_s */
	MEDIA_EV_FAX_TONE,		/*!< fax CNG/CED detected on the TDM side: fax_tone */
	MEDIA_EV_CHAN_DESTROYED,	/*!< channel gone, its port released */
	MEDIA_EV_TONE,			/*!< a call progress tone burst on the TDM side (tone_detect channels):
					 *   tone_f1/tone_f2 (Hz, f2 0: single), duration_ms at its end (or once
					 *   it lasted MEDIA_TONE_LONG_MS: a continuous tone is reported once) */
	MEDIA_EV_SOCKET_FREE,		/*!< plane-internal, never passed to media_plane_ops: a released pair's
					 *   socket (sock_fd) handed back once io_uring no longer receives on it */
};
extern const struct value_string media_event_type_names[];

enum media_fax_tone {
	MEDIA_FAX_TONE_CNG,	/*!< calling fax, 1100 Hz */
	MEDIA_FAX_TONE_CED,	/*!< called fax/modem answer tone, 2100 Hz */
};

/*! An event from a media thread, delivered on the signalling thread. */
struct media_event {
	struct llist_head list;		/*!< it_q entry */
	enum media_event_type type;
	uint32_t chan_id;
	uint16_t local_port;
	int rc;
	char digit;
	uint8_t event;			/*!< RFC 4733 event code */
	uint32_t duration_ms;
	bool cot_ok;
	enum media_fax_tone fax_tone;
	uint16_t tone_f1, tone_f2;
	int32_t tone_gap_ms;		/*!< MEDIA_EV_TONE: silence (or other sound) between the end of the channel's
					 *   previous burst and this one's start, for cadences; -1: the first burst */
	bool socks_back;		/*!< plane-internal: sock_fd[] (RTP, RTCP; -1: none) are the released pair's
					 *   sockets, for the pool (closed by the plane if it does not keep them) */
	int sock_fd[2];
};

/*! What a channel sends and how (create and modify). */
struct media_chan_params {
	struct osmo_sockaddr_str remote;	/*!< remote RTP address; port 0: not known yet */
	uint8_t pt;				/*!< MEDIA_PT_PCMA or MEDIA_PT_PCMU */
	uint8_t event_pt;			/*!< telephone-event PT, 0: none */
	unsigned int ptime_ms;			/*!< 10, 20, 30 or 40 */
	enum media_dtmf_mode dtmf_mode;
	bool symmetric_rtp;			/*!< learn the remote address from the first packet */
};

/*! What the signalling thread asks for when creating a channel. */
struct media_chan_req {
	const char *trunk;		/*!< trunk group (law, tone plan, spans); NULL: RTP only, A-law, "itu" */
	int cic;			/*!< circuit: its span and timeslot carry the TDM side; < 0: none */
	bool tdm_only;			/*!< no RTP socket (needs a cic): a test exchange's end of the span */
	bool tone_detect;		/*!< report call progress tones heard on the TDM side (MEDIA_EV_TONE) */
	struct media_chan_params p;
};

struct media_plane_ops {
	/*! called on the signalling thread for every event; ev is freed after the call */
	void (*event)(void *priv, const struct media_event *ev);
};

/*! Counters of the plane, summed over the threads (read racily: for show commands and tests). */
struct media_plane_stats {
	unsigned int channels;		/*!< channels alive in the threads */
	size_t thread_talloc_blocks;	/*!< talloc blocks under the threads' roots (leak checks): counted
					 *   when a thread's last channel is gone and once a second */
	uint64_t ticks;			/*!< ticks run by thread 0 */
	uint64_t tick_overruns;		/*!< ticks run late (caught up after the thread was held up) */
	uint64_t events_dropped;
	uint64_t span_rx, span_tx, span_lost, span_reordered, span_dup, span_late, span_malformed;
	unsigned int ports_in_use;
	unsigned int sockets_pooled;	/*!< sockets of free port pairs kept open for reuse */
	uint64_t cpu_ns;		/*!< CPU time used by the media threads */
	uint64_t cpu_user_ns, cpu_sys_ns;	/*!< the same split into user and kernel time (sampled once a second;
						 *   getrusage(): tick-sampled on most kernels, an estimate) */
	uint64_t rtp_rx, rtp_tx;	/*!< RTP packets received and sent by the threads */
	uint64_t tx_errors;		/*!< sendto() failures (socket buffer full, no route) */
	unsigned int uring_threads;	/*!< threads doing their channels' packet I/O through io_uring */
};

struct media_plane;
/*! \brief Allocate the plane for cfg (kept by reference: it must outlive the plane); NULL on failure. */
struct media_plane *media_plane_alloc(void *ctx, const struct media_cfg *cfg, const struct media_plane_ops *ops,
				      void *priv);
/*! \brief Bind the spans' sockets and start the threads; negative errno on failure. */
int media_plane_start(struct media_plane *mp);
/*! \brief Stop and join the threads, close everything; then talloc_free() the plane. */
void media_plane_stop(struct media_plane *mp);
/*! \brief Map a CIC of a trunk to its span and timeslot; -ENOENT if no span carries it. */
int media_plane_cic_lookup(const struct media_plane *mp, const char *trunk, int cic, unsigned int *span_idx,
			   unsigned int *ts);
void media_plane_stats(const struct media_plane *mp, struct media_plane_stats *st);

/*! \brief Channel parameters from the configuration (ptime, DTMF mode, symmetric RTP), PCMA, event PT 101,
 * no remote yet: what the call object starts from before SDP says more. */
void media_plane_default_params(const struct media_plane *mp, struct media_chan_params *p);
/*! \brief Create a channel; returns its id (> 0) or a negative errno.  MEDIA_EV_CHAN_READY (or
 * MEDIA_EV_CHAN_FAILED) follows with the local RTP port. */
int64_t media_plane_chan_create(struct media_plane *mp, const struct media_chan_req *req);
/*! \brief Change remote address, PT, law, ptime, DTMF mode. */
int media_plane_chan_modify(struct media_plane *mp, uint32_t id, const struct media_chan_params *p);
/*! \brief Destroy a channel; MEDIA_EV_CHAN_DESTROYED follows once it is gone (its port free again). */
int media_plane_chan_destroy(struct media_plane *mp, uint32_t id);
/*! \brief Play a tone toward the TDM side (DTMF_PLAY_NONE stops it). */
int media_plane_chan_play(struct media_plane *mp, uint32_t id, enum dtmf_play tone);
/*! \brief Continuity test: 2000 Hz out, MEDIA_EV_COT_RESULT within timeout_ms (0: 2000 ms, T24). */
int media_plane_chan_cot(struct media_plane *mp, uint32_t id, unsigned int timeout_ms);
/*! \brief Send a DTMF digit in-band toward the TDM side. */
int media_plane_chan_digit(struct media_plane *mp, uint32_t id, char digit, unsigned int duration_ms);
/*! \brief Loop the timeslot back (the far end tests continuity). */
int media_plane_chan_loopback(struct media_plane *mp, uint32_t id, bool on);
/*! \brief Record what the channel receives on the TDM side into f (see media_chan_record(); NULL stops).  The
 *  plane owns f from this call on, also when it fails.  For test equipment: the media thread writes the file. */
int media_plane_chan_record(struct media_plane *mp, uint32_t id, FILE *f, bool wav);
/*! \brief Play f toward the TDM side (see media_chan_play_file(); NULL stops).  The plane owns f from this call
 *  on, also when it fails.  For test equipment: the media thread reads the file. */
int media_plane_chan_play_file(struct media_plane *mp, uint32_t id, FILE *f);
