/* CESoPSN codec (RFC 5086) and the receive reorder window of a span. */
#include <errno.h>
#include <string.h>
#include <osmocom/core/bit16gen.h>

#include "media/cesopsn.h"

#define FAIL(off, rc) do { if (err_off) *err_off = (off); return (rc); } while (0)

int cesopsn_parse(const uint8_t *buf, size_t len, bool with_rtp, unsigned int n_ts, unsigned int frames,
		  struct cesopsn_pkt *pkt, size_t *err_off)
{
	size_t off = 0;
	size_t end = len;
	const uint8_t *cw;
	int rc;

	memset(pkt, 0, sizeof(*pkt));
	if (with_rtp) {
		/* RFC 5086 §5: the RTP header precedes the control word when it is used */
		rc = rtp_parse(buf, len, &pkt->rtp, err_off);
		if (rc < 0)
			return rc;
		pkt->has_rtp = true;
		off = pkt->rtp.payload - buf;
		end = off + pkt->rtp.payload_len;
	}
	if (end - off < CESOPSN_CW_LEN)
		FAIL(off, -EBADMSG);
	cw = buf + off;
	/* RFC 4385 §3: the first nibble of a PW control word is 0 (tells it apart from IP) */
	if (cw[0] & 0xf0)
		FAIL(off, -EBADMSG);
	pkt->l = cw[0] & 0x08;
	pkt->r = cw[0] & 0x04;
	pkt->m = cw[0] & 0x03;
	pkt->frg = cw[1] >> 6;
	pkt->length = cw[1] & 0x3f;
	pkt->seq = osmo_load16be(cw + 2);
	if (pkt->frg)
		FAIL(off + 1, -EPROTO);	/* RFC 5086 §5.2: basic mode packets are never fragmented */
	if (pkt->length) {
		/* RFC 5086 §5.2: LENGTH is set when the packet is padded; it counts the CESoPSN header
		 * (control word, plus RTP header when present) and the payload */
		size_t hdr = off + CESOPSN_CW_LEN;
		if (pkt->length < hdr || pkt->length > end)
			FAIL(off + 1, -EBADMSG);
		end = pkt->length;
	}
	off += CESOPSN_CW_LEN;
	pkt->payload = buf + off;
	pkt->payload_len = end - off;
	if (pkt->l && pkt->payload_len == 0)
		return 0;	/* RFC 5086 §5.2: with L set, the payload may be omitted */
	if (pkt->payload_len != (size_t)n_ts * frames)
		FAIL(off, -EPROTO);
	return 0;
}

void cesopsn_write_cw(uint8_t *buf, const struct cesopsn_pkt *pkt)
{
	buf[0] = (pkt->l ? 0x08 : 0) | (pkt->r ? 0x04 : 0) | (pkt->m & 0x03);
	buf[1] = ((pkt->frg & 3) << 6) | (pkt->length & 0x3f);
	osmo_store16be(pkt->seq, buf + 2);
}

int cesopsn_build(struct msgb *msg, const struct cesopsn_pkt *pkt, const uint8_t *payload, size_t payload_len)
{
	size_t hl = pkt->has_rtp ? rtp_hdr_len(&pkt->rtp) : 0;
	int rc;

	if ((size_t)msgb_tailroom(msg) < hl + CESOPSN_CW_LEN + payload_len)
		return -EMSGSIZE;
	if (pkt->has_rtp) {
		rc = rtp_write_hdr(msgb_put(msg, hl), hl, &pkt->rtp);
		if (rc < 0) {
			msgb_get(msg, hl);
			return rc;
		}
	}
	cesopsn_write_cw(msgb_put(msg, CESOPSN_CW_LEN), pkt);
	if (payload_len)
		memcpy(msgb_put(msg, payload_len), payload, payload_len);
	return 0;
}

void cesopsn_rx_init(struct cesopsn_rx *rx, uint8_t *buf, unsigned int pkt_len, unsigned int prefill,
		     struct cesopsn_stats *stats)
{
	memset(rx, 0, sizeof(*rx));
	rx->buf = buf;
	rx->pkt_len = pkt_len;
	rx->prefill = prefill < 1 ? 1 : (prefill >= CESOPSN_RX_WIN / 2 ? CESOPSN_RX_WIN / 2 : prefill);
	rx->stats = stats;
}

/* after this many packet times without anything to play, re-synchronise on the next packet */
#define RESYNC_AFTER	(CESOPSN_RX_WIN * 4)

void cesopsn_rx_put(struct cesopsn_rx *rx, const struct cesopsn_pkt *pkt)
{
	unsigned int slot;
	int16_t d;

	rx->stats->rx_packets++;
	if (!rx->synced) {
		/* first packet (or first after a stall): play out from here once prefilled */
		rx->synced = true;
		rx->next_seq = pkt->seq;
		rx->highest_seq = pkt->seq - 1;
	}
	d = (int16_t)(pkt->seq - rx->next_seq);
	if (d < 0) {
		rx->stats->late++;	/* its slot was already played out (possibly concealed) */
		return;
	}
	if (d >= CESOPSN_RX_WIN) {
		/* too far ahead: the peer jumped.  Restart the play-out on this packet. */
		memset(rx->have, 0, sizeof(rx->have));
		rx->next_seq = pkt->seq;
		rx->highest_seq = pkt->seq - 1;
		rx->started = false;
	}
	slot = pkt->seq % CESOPSN_RX_WIN;
	if (rx->have[slot] && rx->seq_of[slot] == pkt->seq) {
		rx->stats->duplicates++;
		return;
	}
	if ((int16_t)(pkt->seq - rx->highest_seq) < 0)
		rx->stats->reordered++;
	else
		rx->highest_seq = pkt->seq;
	rx->have[slot] = true;
	rx->seq_of[slot] = pkt->seq;
	if (pkt->payload_len == rx->pkt_len)
		memcpy(rx->buf + slot * rx->pkt_len, pkt->payload, rx->pkt_len);
	else {
		/* L bit without payload: the TDM side is down; play idle (0xff is silence in neither law,
		 * so the span fills this by law when it sees the slot empty) */
		rx->stats->rx_l_bit++;
		rx->have[slot] = false;
	}
}

const uint8_t *cesopsn_rx_get(struct cesopsn_rx *rx, bool *lost)
{
	unsigned int slot;
	const uint8_t *p = NULL;

	*lost = false;
	if (!rx->started) {
		unsigned int i, n = 0;
		for (i = 0; i < CESOPSN_RX_WIN; i++)
			n += rx->have[i];
		if (n < rx->prefill)
			return NULL;
		rx->started = true;
		rx->consecutive_lost = 0;
	}
	slot = rx->next_seq % CESOPSN_RX_WIN;
	if (rx->have[slot] && rx->seq_of[slot] == rx->next_seq) {
		p = rx->buf + slot * rx->pkt_len;
		rx->have[slot] = false;
		rx->consecutive_lost = 0;
	} else {
		*lost = true;
		rx->stats->lost++;
		if (++rx->consecutive_lost >= RESYNC_AFTER) {
			/* the stream stopped: wait for it to come back and prefill again */
			rx->started = false;
			rx->synced = false;
			memset(rx->have, 0, sizeof(rx->have));
			return NULL;
		}
	}
	rx->next_seq++;
	return p;
}
