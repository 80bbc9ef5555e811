/*! \file udptl.h
 * UDPTL framing of T.38 IFP packets (ITU-T T.38 §9.1 and Annex A ASN.1, ALIGNED PER):
 *
 *   UDPTLPacket ::= SEQUENCE {
 *     seq-number          INTEGER (0..65535),                       -- 2 octets
 *     primary-ifp-packet  TYPE-IDENTIFIER.&Type(IFPPacket),          -- open type: length + octets
 *     error-recovery      CHOICE {                                  -- 1 bit, padded to an octet
 *       secondary-ifp-packets SEQUENCE OF UDPTLPacket-primary-ifp,  -- count, then open types
 *       fec-info SEQUENCE { fec-npackets INTEGER, fec-data SEQUENCE OF OCTET STRING } } }
 *
 * PER length determinants: one octet below 128, two octets (10xxxxxx) below 16384; fragmented
 * lengths (≥ 16384) never occur in UDPTL datagrams and are rejected as -EPROTO.
 * SpanDSP 0.0.6 has no UDPTL; its t38_core exchanges the bare IFPs carried here.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <osmocom/core/msgb.h>

#define UDPTL_MAX_SECONDARY	16	/* more redundancy than this is refused (-EMSGSIZE) */
#define UDPTL_MAX_FEC		16

struct udptl_slice {
	const uint8_t *data;
	size_t len;
};

struct udptl_pkt {
	uint16_t seq;
	struct udptl_slice primary;
	bool fec;				/*!< error recovery is FEC, not redundancy */
	/* redundancy: secondary[0] is the IFP of seq-1, secondary[1] of seq-2, ... */
	unsigned int num_secondary;
	struct udptl_slice secondary[UDPTL_MAX_SECONDARY];
	/* FEC */
	unsigned int fec_npackets;
	unsigned int num_fec;
	struct udptl_slice fec_data[UDPTL_MAX_FEC];
};

/*! \brief Decode a UDPTL datagram. */
int udptl_parse(const uint8_t *buf, size_t len, struct udptl_pkt *pkt, size_t *err_off);
/*! \brief Append a UDPTL datagram with redundancy error recovery (pkt->fec must be false) or FEC. */
int udptl_build(struct msgb *msg, const struct udptl_pkt *pkt);
