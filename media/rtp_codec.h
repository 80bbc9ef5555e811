/*! \file rtp_codec.h
 * Pure codecs of the IMS-side media packets: the RTP fixed header (RFC 3550 §5.1), RTCP SR/RR/SDES/BYE
 * (RFC 3550 §6.4-6.6) and the RFC 4733 telephone-event payload (§2.3).
 *
 * Decoders fill a typed struct whose pointers are slices into the input; they allocate nothing and
 * return 0 or a negative errno (-EBADMSG malformed, -EMSGSIZE more items than the struct holds,
 * -EPROTO well-formed but not something we accept), with the failing offset in *err_off.
 * Encoders append to a struct msgb and return -EMSGSIZE when the msgb lacks room.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/utils.h>

#define RTP_VERSION		2
#define RTP_HDR_LEN		12	/* RFC 3550 §5.1: the fixed part */
#define RTP_MAX_CSRC		15

/*! A decoded RTP packet (RFC 3550 §5.1). */
struct rtp_hdr {
	bool padding;
	bool extension;
	uint8_t csrc_count;
	bool marker;
	uint8_t pt;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	uint32_t csrc[RTP_MAX_CSRC];
	uint16_t ext_profile;		/*!< RFC 3550 §5.3.1 "defined by profile" */
	const uint8_t *ext_data;	/*!< extension body, ext_len bytes (a multiple of 4) */
	size_t ext_len;
	const uint8_t *payload;		/*!< slice into the packet, padding removed */
	size_t payload_len;
	uint8_t pad_len;		/*!< padding octets including the count octet */
};

/*! \brief Decode an RTP packet; 0 or -EBADMSG (version != 2, truncated, bad padding). */
int rtp_parse(const uint8_t *buf, size_t len, struct rtp_hdr *h, size_t *err_off);
/*! \brief Bytes rtp_write_hdr() writes for h: 12 + 4 CSRC each (+ extension). */
size_t rtp_hdr_len(const struct rtp_hdr *h);
/*! \brief Write the header of h into buf (buf_len >= rtp_hdr_len(h)); returns its length or -EMSGSIZE.
 * The hot path of the media threads uses this directly on a stack buffer. */
int rtp_write_hdr(uint8_t *buf, size_t buf_len, const struct rtp_hdr *h);
/*! \brief Append header and payload to msg (no padding is generated; h->padding is ignored). */
int rtp_build(struct msgb *msg, const struct rtp_hdr *h, const uint8_t *payload, size_t payload_len);

/* RTCP, RFC 3550 §6.4 */
enum rtcp_pt {
	RTCP_PT_SR = 200,
	RTCP_PT_RR = 201,
	RTCP_PT_SDES = 202,
	RTCP_PT_BYE = 203,
	RTCP_PT_APP = 204,
};
extern const struct value_string rtcp_pt_names[];

#define RTCP_MAX_REPORTS	31	/* RC is 5 bits */
#define RTCP_MAX_BYE		31

/*! One reception report block (RFC 3550 §6.4.1). */
struct rtcp_report {
	uint32_t ssrc;
	uint8_t fraction_lost;
	int32_t cum_lost;		/*!< signed 24 bits */
	uint32_t ext_highest_seq;
	uint32_t jitter;
	uint32_t lsr;
	uint32_t dlsr;
};

/*! What we use of an RTCP compound packet. APP and unknown packet types are skipped. */
struct rtcp_info {
	bool has_sr, has_rr, has_sdes, has_bye;
	uint32_t ssrc;			/*!< sender of the SR/RR */
	uint32_t ntp_sec, ntp_frac, rtp_ts, pkt_count, octet_count;	/*!< SR sender info */
	unsigned int num_reports;
	struct rtcp_report reports[RTCP_MAX_REPORTS];
	uint32_t cname_ssrc;
	const uint8_t *cname;		/*!< slice: SDES CNAME of the first chunk that has one */
	size_t cname_len;
	unsigned int num_bye;
	uint32_t bye_ssrc[RTCP_MAX_BYE];
	const uint8_t *bye_reason;
	size_t bye_reason_len;
};

/*! \brief Decode an RTCP compound packet (RFC 3550 §6.1: version 2, lengths add up). */
int rtcp_parse(const uint8_t *buf, size_t len, struct rtcp_info *info, size_t *err_off);
/*! \brief Append an SR (if sr) or RR with up to one report block, then SDES with CNAME (RFC 3550 §6.1:
 * a compound packet starts with SR/RR and carries a CNAME). */
int rtcp_build_report(struct msgb *msg, bool sr, const struct rtcp_info *info, const char *cname);
/*! \brief Append a BYE for info->bye_ssrc[0..num_bye) with the optional reason. */
int rtcp_build_bye(struct msgb *msg, const struct rtcp_info *info);

/* RFC 4733 §2.3 telephone-event payload */
#define RTP_EVENT_LEN		4
/*! One named event (RFC 4733 §3.2: 0-9 digits, 10 '*', 11 '#', 12-15 A-D). */
struct rtp_event {
	uint8_t event;
	bool end;
	uint8_t volume;		/*!< 0..63, -dBm0 */
	uint16_t duration;	/*!< in timestamp units */
};
/*! \brief Decode the first event block of a telephone-event payload (length a multiple of 4, RFC 4733
 * §2.3: several blocks may be stacked; reserved bit R is ignored on receipt). */
int rtp_event_parse(const uint8_t *buf, size_t len, struct rtp_event *ev, size_t *err_off);
/*! \brief Write one event block into buf[4]. */
void rtp_event_write(uint8_t *buf, const struct rtp_event *ev);
/*! \brief Append one event block to msg. */
int rtp_event_build(struct msgb *msg, const struct rtp_event *ev);
/*! \brief The DTMF character of event 0..15, 0 otherwise. */
char rtp_event_to_char(uint8_t event);
/*! \brief The event code of a DTMF character, -EINVAL if it is none. */
int rtp_event_from_char(char c);
