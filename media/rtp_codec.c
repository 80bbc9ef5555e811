/* RTP / RTCP / RFC 4733 codecs.  Bounds are checked before every read: the input is untrusted. */
#include <errno.h>
#include <string.h>
#include <osmocom/core/bit16gen.h>
#include <osmocom/core/bit32gen.h>

#include "media/rtp_codec.h"

#define FAIL(off, rc) do { if (err_off) *err_off = (off); return (rc); } while (0)

int rtp_parse(const uint8_t *buf, size_t len, struct rtp_hdr *h, size_t *err_off)
{
	size_t off = RTP_HDR_LEN;
	size_t end = len;
	unsigned int i;

	memset(h, 0, sizeof(*h));
	if (len < RTP_HDR_LEN)
		FAIL(len, -EBADMSG);
	/* RFC 3550 §5.1 */
	if ((buf[0] >> 6) != RTP_VERSION)
		FAIL(0, -EBADMSG);
	h->padding = buf[0] & 0x20;
	h->extension = buf[0] & 0x10;
	h->csrc_count = buf[0] & 0x0f;
	h->marker = buf[1] & 0x80;
	h->pt = buf[1] & 0x7f;
	h->seq = osmo_load16be(buf + 2);
	h->ts = osmo_load32be(buf + 4);
	h->ssrc = osmo_load32be(buf + 8);
	if (len < off + 4u * h->csrc_count)
		FAIL(off, -EBADMSG);
	for (i = 0; i < h->csrc_count; i++, off += 4)
		h->csrc[i] = osmo_load32be(buf + off);
	if (h->extension) {
		/* RFC 3550 §5.3.1: profile, length in 32-bit words, then the words */
		size_t words;
		if (len < off + 4)
			FAIL(off, -EBADMSG);
		h->ext_profile = osmo_load16be(buf + off);
		words = osmo_load16be(buf + off + 2);
		off += 4;
		if (len - off < words * 4)
			FAIL(off, -EBADMSG);
		h->ext_data = buf + off;
		h->ext_len = words * 4;
		off += words * 4;
	}
	if (h->padding) {
		/* RFC 3550 §5.1 P: the last octet counts the padding octets, itself included */
		uint8_t pad = buf[len - 1];
		if (pad == 0 || pad > len - off)
			FAIL(len - 1, -EBADMSG);
		h->pad_len = pad;
		end = len - pad;
	}
	h->payload = buf + off;
	h->payload_len = end - off;
	return 0;
}

size_t rtp_hdr_len(const struct rtp_hdr *h)
{
	size_t l = RTP_HDR_LEN + 4u * (h->csrc_count > RTP_MAX_CSRC ? RTP_MAX_CSRC : h->csrc_count);
	if (h->extension)
		l += 4 + h->ext_len;
	return l;
}

int rtp_write_hdr(uint8_t *buf, size_t buf_len, const struct rtp_hdr *h)
{
	size_t need = rtp_hdr_len(h);
	size_t off = RTP_HDR_LEN;
	unsigned int i;

	if (buf_len < need || h->csrc_count > RTP_MAX_CSRC || (h->ext_len % 4) || h->ext_len > 4 * 0xffff)
		return -EMSGSIZE;
	buf[0] = (RTP_VERSION << 6) | (h->extension ? 0x10 : 0) | h->csrc_count;
	buf[1] = (h->marker ? 0x80 : 0) | (h->pt & 0x7f);
	osmo_store16be(h->seq, buf + 2);
	osmo_store32be(h->ts, buf + 4);
	osmo_store32be(h->ssrc, buf + 8);
	for (i = 0; i < h->csrc_count; i++, off += 4)
		osmo_store32be(h->csrc[i], buf + off);
	if (h->extension) {
		osmo_store16be(h->ext_profile, buf + off);
		osmo_store16be(h->ext_len / 4, buf + off + 2);
		off += 4;
		if (h->ext_len)
			memcpy(buf + off, h->ext_data, h->ext_len);
		off += h->ext_len;
	}
	return off;
}

int rtp_build(struct msgb *msg, const struct rtp_hdr *h, const uint8_t *payload, size_t payload_len)
{
	size_t hl = rtp_hdr_len(h);
	int rc;

	if ((size_t)msgb_tailroom(msg) < hl + payload_len)
		return -EMSGSIZE;
	rc = rtp_write_hdr(msgb_put(msg, hl), hl, h);
	if (rc < 0) {
		msgb_get(msg, hl);
		return rc;
	}
	if (payload_len)
		memcpy(msgb_put(msg, payload_len), payload, payload_len);
	return 0;
}

const struct value_string rtcp_pt_names[] = {
	{ RTCP_PT_SR, "SR" },
	{ RTCP_PT_RR, "RR" },
	{ RTCP_PT_SDES, "SDES" },
	{ RTCP_PT_BYE, "BYE" },
	{ RTCP_PT_APP, "APP" },
	{ 0, NULL }
};

static int parse_reports(const uint8_t *p, size_t len, unsigned int rc, struct rtcp_info *info, size_t base,
			 size_t *err_off)
{
	unsigned int i;

	/* RFC 3550 §6.4.1: 24 octets per report block */
	if (len < 24u * rc)
		FAIL(base, -EBADMSG);
	for (i = 0; i < rc; i++, p += 24) {
		struct rtcp_report *r;
		uint32_t lost;
		if (info->num_reports >= RTCP_MAX_REPORTS)
			FAIL(base, -EMSGSIZE);
		r = &info->reports[info->num_reports++];
		r->ssrc = osmo_load32be(p);
		r->fraction_lost = p[4];
		lost = osmo_load32be(p + 4) & 0xffffff;
		r->cum_lost = (lost & 0x800000) ? (int32_t)(lost | 0xff000000) : (int32_t)lost;
		r->ext_highest_seq = osmo_load32be(p + 8);
		r->jitter = osmo_load32be(p + 12);
		r->lsr = osmo_load32be(p + 16);
		r->dlsr = osmo_load32be(p + 20);
	}
	return 0;
}

static int parse_sdes(const uint8_t *p, size_t len, unsigned int sc, struct rtcp_info *info, size_t base,
		      size_t *err_off)
{
	size_t off = 0;
	unsigned int i;

	/* RFC 3550 §6.5: chunks of SSRC + items, each chunk ended by a null item and padded to 32 bits */
	for (i = 0; i < sc; i++) {
		uint32_t ssrc;
		if (len - off < 4)
			FAIL(base + off, -EBADMSG);
		ssrc = osmo_load32be(p + off);
		off += 4;
		for (;;) {
			uint8_t type, ilen;
			if (off >= len)
				FAIL(base + off, -EBADMSG);
			type = p[off];
			if (type == 0) {
				off = (off + 4) & ~(size_t)3;	/* null item, then pad to the next word */
				if (off > len)
					FAIL(base + len, -EBADMSG);
				break;
			}
			if (len - off < 2)
				FAIL(base + off, -EBADMSG);
			ilen = p[off + 1];
			if (len - off - 2 < ilen)
				FAIL(base + off, -EBADMSG);
			if (type == 1 && !info->cname) {	/* CNAME */
				info->cname_ssrc = ssrc;
				info->cname = p + off + 2;
				info->cname_len = ilen;
			}
			off += 2 + ilen;
		}
	}
	info->has_sdes = true;
	return 0;
}

int rtcp_parse(const uint8_t *buf, size_t len, struct rtcp_info *info, size_t *err_off)
{
	size_t off = 0;
	int rc;

	memset(info, 0, sizeof(*info));
	if (len < 4)
		FAIL(0, -EBADMSG);
	while (off < len) {
		const uint8_t *p = buf + off;
		unsigned int count, pt;
		size_t plen;

		if (len - off < 4)
			FAIL(off, -EBADMSG);
		if ((p[0] >> 6) != RTP_VERSION)
			FAIL(off, -EBADMSG);
		count = p[0] & 0x1f;
		pt = p[1];
		plen = (osmo_load16be(p + 2) + 1u) * 4;	/* length in words minus one */
		if (plen > len - off)
			FAIL(off + 2, -EBADMSG);
		if (off == 0 && pt != RTCP_PT_SR && pt != RTCP_PT_RR)
			FAIL(1, -EPROTO);	/* RFC 3550 §6.1: a compound packet begins with SR or RR */
		/* padding may only be set on the last packet: take its count off */
		if (p[0] & 0x20) {
			uint8_t pad;
			if (off + plen != len)
				FAIL(off, -EBADMSG);
			pad = p[plen - 1];
			if (pad == 0 || pad > plen - 4)
				FAIL(off + plen - 1, -EBADMSG);
			plen -= pad;
		}
		switch (pt) {
		case RTCP_PT_SR:
			/* RFC 3550 §6.4.1 */
			if (plen < 28)
				FAIL(off, -EBADMSG);
			info->has_sr = true;
			info->ssrc = osmo_load32be(p + 4);
			info->ntp_sec = osmo_load32be(p + 8);
			info->ntp_frac = osmo_load32be(p + 12);
			info->rtp_ts = osmo_load32be(p + 16);
			info->pkt_count = osmo_load32be(p + 20);
			info->octet_count = osmo_load32be(p + 24);
			rc = parse_reports(p + 28, plen - 28, count, info, off + 28, err_off);
			if (rc < 0)
				return rc;
			break;
		case RTCP_PT_RR:
			/* RFC 3550 §6.4.2 */
			if (plen < 8)
				FAIL(off, -EBADMSG);
			info->has_rr = true;
			info->ssrc = osmo_load32be(p + 4);
			rc = parse_reports(p + 8, plen - 8, count, info, off + 8, err_off);
			if (rc < 0)
				return rc;
			break;
		case RTCP_PT_SDES:
			rc = parse_sdes(p + 4, plen - 4, count, info, off + 4, err_off);
			if (rc < 0)
				return rc;
			break;
		case RTCP_PT_BYE: {
			/* RFC 3550 §6.6: SC SSRCs, then an optional length-prefixed reason */
			unsigned int i;
			size_t o = 4;
			if (plen < 4 + 4u * count)
				FAIL(off, -EBADMSG);
			if (count > RTCP_MAX_BYE)
				FAIL(off, -EMSGSIZE);
			for (i = 0; i < count; i++, o += 4)
				info->bye_ssrc[i] = osmo_load32be(p + o);
			info->num_bye = count;
			if (o < plen) {
				uint8_t rl = p[o];
				if (plen - o - 1 < rl)
					FAIL(off + o, -EBADMSG);
				info->bye_reason = p + o + 1;
				info->bye_reason_len = rl;
			}
			info->has_bye = true;
			break;
		}
		default:
			break;	/* APP and types we do not know are skipped by their length */
		}
		off += (osmo_load16be(p + 2) + 1u) * 4;
	}
	return 0;
}

static void put_hdr(uint8_t *p, unsigned int count, uint8_t pt, size_t bytes)
{
	p[0] = (RTP_VERSION << 6) | (count & 0x1f);
	p[1] = pt;
	osmo_store16be(bytes / 4 - 1, p + 2);
}

int rtcp_build_report(struct msgb *msg, bool sr, const struct rtcp_info *info, const char *cname)
{
	unsigned int rc = info->num_reports ? 1 : 0;
	size_t rlen = (sr ? 28 : 8) + 24 * rc;
	size_t cl = cname ? strlen(cname) : 0;
	/* SDES: header, SSRC, CNAME item, null item, padded to a word */
	size_t slen = (4 + 4 + 2 + cl + 1 + 3) & ~(size_t)3;
	uint8_t *p;

	if (cl > 255)
		return -EINVAL;
	if ((size_t)msgb_tailroom(msg) < rlen + (cname ? slen : 0))
		return -EMSGSIZE;
	p = msgb_put(msg, rlen);
	put_hdr(p, rc, sr ? RTCP_PT_SR : RTCP_PT_RR, rlen);
	osmo_store32be(info->ssrc, p + 4);
	p += 8;
	if (sr) {
		osmo_store32be(info->ntp_sec, p);
		osmo_store32be(info->ntp_frac, p + 4);
		osmo_store32be(info->rtp_ts, p + 8);
		osmo_store32be(info->pkt_count, p + 12);
		osmo_store32be(info->octet_count, p + 16);
		p += 20;
	}
	if (rc) {
		const struct rtcp_report *r = &info->reports[0];
		osmo_store32be(r->ssrc, p);
		osmo_store32be(((uint32_t)r->fraction_lost << 24) | ((uint32_t)r->cum_lost & 0xffffff), p + 4);
		osmo_store32be(r->ext_highest_seq, p + 8);
		osmo_store32be(r->jitter, p + 12);
		osmo_store32be(r->lsr, p + 16);
		osmo_store32be(r->dlsr, p + 20);
	}
	if (cname) {
		p = msgb_put(msg, slen);
		memset(p, 0, slen);
		put_hdr(p, 1, RTCP_PT_SDES, slen);
		osmo_store32be(info->ssrc, p + 4);
		p[8] = 1;
		p[9] = cl;
		memcpy(p + 10, cname, cl);
	}
	return 0;
}

int rtcp_build_bye(struct msgb *msg, const struct rtcp_info *info)
{
	size_t blen = 4 + 4 * info->num_bye;
	size_t rl = info->bye_reason ? info->bye_reason_len : 0;
	uint8_t *p;
	unsigned int i;

	if (info->num_bye > RTCP_MAX_BYE || rl > 255)
		return -EINVAL;
	if (info->bye_reason)
		blen = (blen + 1 + rl + 3) & ~(size_t)3;
	if ((size_t)msgb_tailroom(msg) < blen)
		return -EMSGSIZE;
	p = msgb_put(msg, blen);
	memset(p, 0, blen);
	put_hdr(p, info->num_bye, RTCP_PT_BYE, blen);
	for (i = 0; i < info->num_bye; i++)
		osmo_store32be(info->bye_ssrc[i], p + 4 + 4 * i);
	if (info->bye_reason) {
		p[4 + 4 * i] = rl;
		memcpy(p + 5 + 4 * i, info->bye_reason, rl);
	}
	return 0;
}

int rtp_event_parse(const uint8_t *buf, size_t len, struct rtp_event *ev, size_t *err_off)
{
	/* RFC 4733 §2.3: event(8) E(1) R(1) volume(6) duration(16) */
	if (len < RTP_EVENT_LEN || len % RTP_EVENT_LEN)
		FAIL(len, -EBADMSG);
	ev->event = buf[0];
	ev->end = buf[1] & 0x80;
	ev->volume = buf[1] & 0x3f;
	ev->duration = osmo_load16be(buf + 2);
	return 0;
}

void rtp_event_write(uint8_t *buf, const struct rtp_event *ev)
{
	buf[0] = ev->event;
	buf[1] = (ev->end ? 0x80 : 0) | (ev->volume & 0x3f);
	osmo_store16be(ev->duration, buf + 2);
}

int rtp_event_build(struct msgb *msg, const struct rtp_event *ev)
{
	if ((size_t)msgb_tailroom(msg) < RTP_EVENT_LEN)
		return -EMSGSIZE;
	rtp_event_write(msgb_put(msg, RTP_EVENT_LEN), ev);
	return 0;
}

/* RFC 4733 §3.2 Table 1 */
static const char event_chars[16] = "0123456789*#ABCD";

char rtp_event_to_char(uint8_t event)
{
	return event < 16 ? event_chars[event] : 0;
}

int rtp_event_from_char(char c)
{
	const char *p;

	if (c >= 'a' && c <= 'd')
		c = c - 'a' + 'A';
	p = c ? memchr(event_chars, c, sizeof(event_chars)) : NULL;
	return p ? (int)(p - event_chars) : -EINVAL;
}
