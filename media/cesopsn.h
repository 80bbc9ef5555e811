/*! \file cesopsn.h
 * CESoPSN, structure-aware TDM over packet (RFC 5086), basic NxDS0 mode over UDP.
 *
 * Packet: [RTP header, optional, RFC 5086 §5] control word (4 octets, RFC 5086 §5.2 / RFC 4385):
 *
 *   0                   1                   2                   3
 *   |0 0 0 0|L|R| M |FRG|  LENGTH   |        SEQUENCE NUMBER        |
 *
 * then F frames of N octets, frame by frame (timeslot order inside a frame, RFC 5086 §5.3).
 *
 * cesopsn_parse()/cesopsn_build() are the pure codec.  struct cesopsn_rx is the receive side of a
 * span: a small reorder window keyed by sequence number, with the RFC 5086 §8 counters, from which
 * the span pulls one packet's worth of frames per packet time (lost packets come back as "missing"
 * so that the channels conceal them).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <osmocom/core/msgb.h>

#include "media/rtp_codec.h"

#define CESOPSN_CW_LEN		4
#define CESOPSN_MAX_TS		32	/* E1: 0..31 */

/*! The M field (RFC 5086 §5.2, for basic mode without CAS). */
enum cesopsn_m {
	CESOPSN_M_NORMAL = 0,		/*!< normal operation */
	CESOPSN_M_RDI = 2,		/*!< remote defect indication of the AC */
};

struct cesopsn_pkt {
	bool has_rtp;
	struct rtp_hdr rtp;
	bool l;			/*!< local TDM attachment circuit failure: payload may be absent */
	bool r;			/*!< remote: the peer does not receive our packets */
	uint8_t m;		/*!< 2 bits */
	uint8_t frg;		/*!< 2 bits; basic mode never fragments: must be 0 */
	uint8_t length;		/*!< 6 bits; non-zero only when padded to a minimum frame size */
	uint16_t seq;
	const uint8_t *payload;	/*!< F*N octets, frame by frame */
	size_t payload_len;
};

/*! \brief Decode a CESoPSN packet of a span with n_ts timeslots and frames frames per packet.
 * -EBADMSG malformed, -EPROTO well-formed but not basic NxDS0 (fragmented, wrong payload size). */
int cesopsn_parse(const uint8_t *buf, size_t len, bool with_rtp, unsigned int n_ts, unsigned int frames,
		  struct cesopsn_pkt *pkt, size_t *err_off);
/*! \brief Append header (RTP if pkt->has_rtp), control word and payload to msg. */
int cesopsn_build(struct msgb *msg, const struct cesopsn_pkt *pkt, const uint8_t *payload, size_t payload_len);
/*! \brief Write the control word of pkt into buf[4] (the media threads' hot path). */
void cesopsn_write_cw(uint8_t *buf, const struct cesopsn_pkt *pkt);

/*! Receive counters of one span (RFC 5086 §8 / RFC 5604 style). */
struct cesopsn_stats {
	uint64_t rx_packets;
	uint64_t lost;			/*!< packet slots played out without a packet */
	uint64_t reordered;		/*!< arrived out of order but in time */
	uint64_t duplicates;
	uint64_t late;			/*!< arrived after their slot was played */
	uint64_t malformed;
	uint64_t rx_l_bit;		/*!< packets with L set (no payload: fill) */
	uint64_t tx_packets;
};

#define CESOPSN_RX_WIN		64	/* reorder window, packets (power of two): 64 ms at 1 ms packets */

/*! Receive side of one span. */
struct cesopsn_rx {
	unsigned int pkt_len;		/*!< F*N */
	unsigned int prefill;		/*!< packets buffered before play-out starts */
	bool synced;			/*!< next_seq follows the peer's numbering */
	bool started;			/*!< prefilled, playing out */
	uint16_t next_seq;		/*!< the sequence number played next */
	uint16_t highest_seq;
	unsigned int consecutive_lost;
	bool have[CESOPSN_RX_WIN];
	uint16_t seq_of[CESOPSN_RX_WIN];
	uint8_t *buf;			/*!< CESOPSN_RX_WIN * pkt_len octets */
	struct cesopsn_stats *stats;
};

/*! \brief Prepare rx for packets of pkt_len octets; buf must hold CESOPSN_RX_WIN * pkt_len octets. */
void cesopsn_rx_init(struct cesopsn_rx *rx, uint8_t *buf, unsigned int pkt_len, unsigned int prefill,
		     struct cesopsn_stats *stats);
/*! \brief Queue the payload of a received packet (parsed by cesopsn_parse()). */
void cesopsn_rx_put(struct cesopsn_rx *rx, const struct cesopsn_pkt *pkt);
/*! \brief The payload to play for the next packet time, or NULL when it is missing (lost, or not
 * started yet); *lost is set when a started stream missed this packet. */
const uint8_t *cesopsn_rx_get(struct cesopsn_rx *rx, bool *lost);
