/*! \file media_cfg.h
 * Typed configuration of the media plane: RTP, threads, DTMF/fax policy,
 * and the E1/T1 bearer spans (CESoPSN pseudowires) of each trunk group.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <osmocom/core/linuxlist.h>
#include <osmocom/core/sockaddr_str.h>
#include <osmocom/core/utils.h>

enum media_law {
	MEDIA_LAW_ALAW,		/*!< G.711 A-law (E1, most of the world) */
	MEDIA_LAW_ULAW,		/*!< G.711 µ-law (T1, North America, Japan) */
};

enum media_span_type {
	MEDIA_SPAN_E1,		/*!< 32 timeslots, 1..31 usable */
	MEDIA_SPAN_T1,		/*!< 24 timeslots, 1..24 */
};

enum media_dtmf_mode {
	MEDIA_DTMF_RFC4733,	/*!< telephone-event in RTP */
	MEDIA_DTMF_INBAND,	/*!< leave the tones in the audio */
	MEDIA_DTMF_INFO,	/*!< SIP INFO application/dtmf-relay */
};

enum media_fax_mode {
	MEDIA_FAX_T38,		/*!< T.30 terminated, T.38 over UDPTL */
	MEDIA_FAX_PASSTHROUGH,	/*!< G.711 pass-through */
};

/*! One E1/T1 span carried as a CESoPSN pseudowire (RFC 5086). */
struct media_span_cfg {
	struct llist_head list;
	char *name;
	char *trunk;			/*!< trunk group whose circuits this span carries */
	enum media_span_type type;
	uint16_t cic_base;		/*!< CIC of timeslot ts = cic_base + ts */
	uint32_t timeslots;		/*!< bit ts set: timeslot ts carries a bearer */
	struct osmo_sockaddr_str local;	/*!< our UDP end of the pseudowire */
	struct osmo_sockaddr_str remote;	/*!< the TDM gateway's (or pstnsim's) end */
	unsigned int frames_per_packet;	/*!< TDM frames (125 µs each) per CESoPSN packet */
};

/*! Media properties of one trunk group. */
struct media_trunk_cfg {
	struct llist_head list;
	char *name;
	enum media_law law;
	char *tone_plan;		/*!< country code of the tone plan ("itu", "de", "gb", "us", …) */
	bool echo_control;		/*!< an echo canceller is inserted on this trunk's channels */
	bool failure_tones;		/*!< play busy/congestion/SIT to the PSTN caller on failures */
};

struct media_cfg {
	struct osmo_sockaddr_str rtp_addr;	/*!< address RTP binds and advertises (port unused) */
	uint16_t rtp_port_min;
	uint16_t rtp_port_max;
	unsigned int threads;
	enum media_dtmf_mode dtmf_mode;
	enum media_fax_mode fax_mode;
	unsigned int jitter_min_ms;
	unsigned int jitter_max_ms;
	unsigned int ptime_ms;
	unsigned int rtp_timeout_s;	/*!< 0: no RTP timeout detection */
	bool symmetric_rtp;
	bool plain_sockets;		/*!< no io_uring even where the kernel has it (tests, benchmark) */
	struct llist_head spans;	/*!< struct media_span_cfg */
	struct llist_head trunks;	/*!< struct media_trunk_cfg */
};

extern const struct value_string media_law_names[];
extern const struct value_string media_span_type_names[];
extern const struct value_string media_dtmf_mode_names[];
extern const struct value_string media_fax_mode_names[];
