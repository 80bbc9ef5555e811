/* UDPTL (T.38 §9.1) codec, aligned PER as in T.38 Annex A. */
#include <errno.h>
#include <string.h>
#include <osmocom/core/bit16gen.h>

#include "media/udptl.h"

#define FAIL(off, rc) do { if (err_off) *err_off = (off); return (rc); } while (0)

/* X.691 §10.9.3.6/.7: a length determinant of one or two octets */
static int get_len(const uint8_t *buf, size_t len, size_t *off, size_t *out, size_t *err_off)
{
	if (*off >= len)
		FAIL(*off, -EBADMSG);
	if (!(buf[*off] & 0x80)) {
		*out = buf[*off];
		*off += 1;
		return 0;
	}
	if ((buf[*off] & 0xc0) == 0xc0)
		FAIL(*off, -EPROTO);	/* fragmented: never needed within one datagram */
	if (len - *off < 2)
		FAIL(*off, -EBADMSG);
	*out = ((buf[*off] & 0x3f) << 8) | buf[*off + 1];
	*off += 2;
	return 0;
}

static int get_octets(const uint8_t *buf, size_t len, size_t *off, struct udptl_slice *s, size_t *err_off)
{
	size_t l;
	int rc = get_len(buf, len, off, &l, err_off);

	if (rc < 0)
		return rc;
	if (len - *off < l)
		FAIL(*off, -EBADMSG);
	s->data = buf + *off;
	s->len = l;
	*off += l;
	return 0;
}

int udptl_parse(const uint8_t *buf, size_t len, struct udptl_pkt *pkt, size_t *err_off)
{
	size_t off = 2, n, i;
	int rc;

	memset(pkt, 0, sizeof(*pkt));
	if (len < 2)
		FAIL(len, -EBADMSG);
	pkt->seq = osmo_load16be(buf);
	rc = get_octets(buf, len, &off, &pkt->primary, err_off);
	if (rc < 0)
		return rc;
	if (off >= len)
		FAIL(off, -EBADMSG);	/* the error-recovery CHOICE is mandatory */
	if (buf[off] & 0x7f)
		FAIL(off, -EBADMSG);	/* CHOICE index bit then zero padding */
	pkt->fec = buf[off] & 0x80;
	off++;
	if (!pkt->fec) {
		rc = get_len(buf, len, &off, &n, err_off);
		if (rc < 0)
			return rc;
		if (n > UDPTL_MAX_SECONDARY)
			FAIL(off, -EMSGSIZE);
		for (i = 0; i < n; i++) {
			rc = get_octets(buf, len, &off, &pkt->secondary[i], err_off);
			if (rc < 0)
				return rc;
		}
		pkt->num_secondary = n;
	} else {
		/* fec-npackets: unconstrained INTEGER = length + two's complement octets */
		struct udptl_slice v;
		rc = get_octets(buf, len, &off, &v, err_off);
		if (rc < 0)
			return rc;
		if (v.len < 1 || v.len > 2 || (v.data[0] & 0x80))
			FAIL(off - v.len, -EPROTO);
		pkt->fec_npackets = v.len == 1 ? v.data[0] : osmo_load16be(v.data);
		rc = get_len(buf, len, &off, &n, err_off);
		if (rc < 0)
			return rc;
		if (n > UDPTL_MAX_FEC)
			FAIL(off, -EMSGSIZE);
		for (i = 0; i < n; i++) {
			rc = get_octets(buf, len, &off, &pkt->fec_data[i], err_off);
			if (rc < 0)
				return rc;
		}
		pkt->num_fec = n;
	}
	if (off != len)
		FAIL(off, -EBADMSG);
	return 0;
}

static int put_len(struct msgb *msg, size_t l)
{
	if (l >= 16384)
		return -EMSGSIZE;
	if (l < 128) {
		if ((size_t)msgb_tailroom(msg) < 1)
			return -EMSGSIZE;
		msgb_put_u8(msg, l);
	} else {
		if ((size_t)msgb_tailroom(msg) < 2)
			return -EMSGSIZE;
		msgb_put_u16(msg, 0x8000 | l);
	}
	return 0;
}

static int put_octets(struct msgb *msg, const uint8_t *d, size_t l)
{
	int rc = put_len(msg, l);

	if (rc < 0)
		return rc;
	if ((size_t)msgb_tailroom(msg) < l)
		return -EMSGSIZE;
	if (l)
		memcpy(msgb_put(msg, l), d, l);
	return 0;
}

int udptl_build(struct msgb *msg, const struct udptl_pkt *pkt)
{
	unsigned int i;
	int rc;

	if (pkt->num_secondary > UDPTL_MAX_SECONDARY || pkt->num_fec > UDPTL_MAX_FEC)
		return -EINVAL;
	if ((size_t)msgb_tailroom(msg) < 2)
		return -EMSGSIZE;
	msgb_put_u16(msg, pkt->seq);
	rc = put_octets(msg, pkt->primary.data, pkt->primary.len);
	if (rc < 0)
		return rc;
	if ((size_t)msgb_tailroom(msg) < 1)
		return -EMSGSIZE;
	msgb_put_u8(msg, pkt->fec ? 0x80 : 0x00);
	if (!pkt->fec) {
		rc = put_len(msg, pkt->num_secondary);
		for (i = 0; rc == 0 && i < pkt->num_secondary; i++)
			rc = put_octets(msg, pkt->secondary[i].data, pkt->secondary[i].len);
		return rc;
	}
	if (pkt->fec_npackets > 0x7fff)
		return -EINVAL;
	if (pkt->fec_npackets < 128) {
		uint8_t v = pkt->fec_npackets;
		rc = put_octets(msg, &v, 1);
	} else {
		uint8_t v[2];
		osmo_store16be(pkt->fec_npackets, v);
		rc = put_octets(msg, v, 2);
	}
	if (rc == 0)
		rc = put_len(msg, pkt->num_fec);
	for (i = 0; rc == 0 && i < pkt->num_fec; i++)
		rc = put_octets(msg, pkt->fec_data[i].data, pkt->fec_data[i].len);
	return rc;
}
