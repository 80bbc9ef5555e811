/* Codec tables: RTP, RTCP, RFC 4733, CESoPSN, UDPTL wire bytes ⇄ fields, malformed cases, and the
 * CESoPSN receive window (loss, reordering, duplicates, late packets). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <check.h>
#include <talloc.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/utils.h>

#include "testlib.h"
#include "media/rtp_codec.h"
#include "media/cesopsn.h"
#include "media/udptl.h"
#include "media/media_ports.h"

/* ---- RTP ---- */

START_TEST(rtp_basic)
{
	/* RFC 3550 §5.1: V=2, M=1, PT=8, seq 0x1234, ts 0x00000a0b, SSRC 0xdeadbeef, 4 payload octets */
	static const uint8_t pkt[] = { 0x80, 0x88, 0x12, 0x34, 0x00, 0x00, 0x0a, 0x0b, 0xde, 0xad, 0xbe, 0xef,
				       0xd5, 0xd5, 0x55, 0x54 };
	struct rtp_hdr h;
	struct msgb *msg;

	ck_assert_int_eq(rtp_parse(pkt, sizeof(pkt), &h, NULL), 0);
	ck_assert(h.marker);
	ck_assert_uint_eq(h.pt, 8);
	ck_assert_uint_eq(h.seq, 0x1234);
	ck_assert_uint_eq(h.ts, 0xa0b);
	ck_assert_uint_eq(h.ssrc, 0xdeadbeef);
	ck_assert_uint_eq(h.payload_len, 4);
	ck_assert_ptr_eq(h.payload, pkt + 12);
	ck_assert(!h.padding && !h.extension && h.csrc_count == 0);

	msg = msgb_alloc(64, "t");
	ck_assert_int_eq(rtp_build(msg, &h, h.payload, h.payload_len), 0);
	ck_assert_uint_eq(msgb_length(msg), sizeof(pkt));
	ck_assert_mem_eq(msgb_data(msg), pkt, sizeof(pkt));
	msgb_free(msg);
}
END_TEST

START_TEST(rtp_csrc_ext_padding)
{
	/* 2 CSRC, extension of 1 word, 3 octets padding */
	static const uint8_t pkt[] = { 0xb2, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03,
				       0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22,
				       0xbe, 0xde, 0x00, 0x01, 0xaa, 0xbb, 0xcc, 0xdd,
				       0x7f, 0x00, 0x00, 0x03 };
	struct rtp_hdr h;

	ck_assert_int_eq(rtp_parse(pkt, sizeof(pkt), &h, NULL), 0);
	ck_assert_uint_eq(h.csrc_count, 2);
	ck_assert_uint_eq(h.csrc[0], 0x11111111);
	ck_assert_uint_eq(h.csrc[1], 0x22222222);
	ck_assert(h.extension);
	ck_assert_uint_eq(h.ext_profile, 0xbede);
	ck_assert_uint_eq(h.ext_len, 4);
	ck_assert_uint_eq(h.ext_data[0], 0xaa);
	ck_assert(h.padding);
	ck_assert_uint_eq(h.pad_len, 3);
	ck_assert_uint_eq(h.payload_len, 1);
	ck_assert_uint_eq(h.payload[0], 0x7f);
	ck_assert_uint_eq(rtp_hdr_len(&h), 28);
}
END_TEST

static const struct {
	const char *name;
	const char *hex;
	size_t err_off;
} rtp_bad[] = {
	{ "short", "8008000100000002000000", 11 },
	{ "version 1", "4008000100000002000000030000", 0 },
	{ "csrc beyond end", "8308000100000002000000031111111122222222", 12 },
	{ "extension header cut", "9008000100000002000000030000", 12 },
	{ "extension words beyond end", "900800010000000200000003bede0002aabbccdd", 16 },
	{ "padding count 0", "a00800010000000200000003d500", 13 },
	{ "padding longer than payload", "a00800010000000200000003d505", 13 },
};

START_TEST(rtp_malformed)
{
	uint8_t buf[64];
	struct rtp_hdr h;
	size_t off = 999;
	int len = osmo_hexparse(rtp_bad[_i].hex, buf, sizeof(buf));

	ck_assert_int_gt(len, 0);
	ck_assert_msg(rtp_parse(buf, len, &h, &off) == -EBADMSG, "%s", rtp_bad[_i].name);
	ck_assert_msg(off == rtp_bad[_i].err_off, "%s: offset %zu", rtp_bad[_i].name, off);
}
END_TEST

/* ---- RFC 4733 ---- */

static const struct {
	const char *hex;
	struct rtp_event ev;
} event_tab[] = {
	/* RFC 4733 §2.3: event 5, not end, volume 10, duration 160 */
	{ "050a00a0", { 5, false, 10, 160 } },
	/* '#' (11) end, volume 63, duration 800 */
	{ "0bbf0320", { 11, true, 63, 800 } },
	/* 'D' (15) end with R bit set: R is ignored */
	{ "0fca0640", { 15, true, 10, 1600 } },
};

START_TEST(event_table)
{
	uint8_t buf[8], out[4];
	struct rtp_event ev;
	int len = osmo_hexparse(event_tab[_i].hex, buf, sizeof(buf));

	ck_assert_int_eq(rtp_event_parse(buf, len, &ev, NULL), 0);
	ck_assert_uint_eq(ev.event, event_tab[_i].ev.event);
	ck_assert_int_eq(ev.end, event_tab[_i].ev.end);
	ck_assert_uint_eq(ev.volume, event_tab[_i].ev.volume);
	ck_assert_uint_eq(ev.duration, event_tab[_i].ev.duration);
	rtp_event_write(out, &ev);
	buf[1] &= ~0x40;	/* R is written as 0 */
	ck_assert_mem_eq(out, buf, 4);
}
END_TEST

START_TEST(event_malformed_and_chars)
{
	static const uint8_t three[] = { 1, 2, 3 }, five[] = { 1, 2, 3, 4, 5 };
	struct rtp_event ev;
	const char *all = "0123456789*#ABCD";
	unsigned int i;

	ck_assert_int_eq(rtp_event_parse(three, sizeof(three), &ev, NULL), -EBADMSG);
	ck_assert_int_eq(rtp_event_parse(five, sizeof(five), &ev, NULL), -EBADMSG);
	for (i = 0; i < 16; i++) {
		ck_assert_int_eq(rtp_event_to_char(i), all[i]);
		ck_assert_int_eq(rtp_event_from_char(all[i]), i);
	}
	ck_assert_int_eq(rtp_event_to_char(16), 0);
	ck_assert_int_eq(rtp_event_from_char('x'), -EINVAL);
	ck_assert_int_eq(rtp_event_from_char('b'), 13);
}
END_TEST

/* ---- RTCP ---- */

START_TEST(rtcp_sr_sdes_roundtrip)
{
	struct rtcp_info in = { .ssrc = 0x01020304, .ntp_sec = 0xe0000001, .ntp_frac = 0x80000000, .rtp_ts = 16000,
				.pkt_count = 50, .octet_count = 8000, .num_reports = 1 };
	struct rtcp_info out;
	struct msgb *msg = msgb_alloc(256, "t");
	/* SR header: V=2 RC=1 PT=200 length=12 words-1 */
	static const uint8_t sr_hdr[] = { 0x81, 0xc8, 0x00, 0x0c, 0x01, 0x02, 0x03, 0x04 };

	in.reports[0] = (struct rtcp_report){ .ssrc = 0xa0a0a0a0, .fraction_lost = 64, .cum_lost = -3,
					      .ext_highest_seq = 0x10005, .jitter = 12, .lsr = 0x1234,
					      .dlsr = 0x10000 };
	ck_assert_int_eq(rtcp_build_report(msg, true, &in, "mgcf@example"), 0);
	ck_assert_mem_eq(msgb_data(msg), sr_hdr, sizeof(sr_hdr));
	ck_assert_uint_eq(msgb_length(msg) % 4, 0);
	ck_assert_int_eq(rtcp_parse(msgb_data(msg), msgb_length(msg), &out, NULL), 0);
	ck_assert(out.has_sr && out.has_sdes && !out.has_rr);
	ck_assert_uint_eq(out.ssrc, in.ssrc);
	ck_assert_uint_eq(out.ntp_sec, in.ntp_sec);
	ck_assert_uint_eq(out.rtp_ts, 16000);
	ck_assert_uint_eq(out.pkt_count, 50);
	ck_assert_uint_eq(out.octet_count, 8000);
	ck_assert_uint_eq(out.num_reports, 1);
	ck_assert_uint_eq(out.reports[0].ssrc, 0xa0a0a0a0);
	ck_assert_uint_eq(out.reports[0].fraction_lost, 64);
	ck_assert_int_eq(out.reports[0].cum_lost, -3);
	ck_assert_uint_eq(out.reports[0].ext_highest_seq, 0x10005);
	ck_assert_uint_eq(out.reports[0].dlsr, 0x10000);
	ck_assert_uint_eq(out.cname_len, strlen("mgcf@example"));
	ck_assert(!memcmp(out.cname, "mgcf@example", out.cname_len));
	msgb_free(msg);
}
END_TEST

START_TEST(rtcp_rr_bye)
{
	/* RR without report blocks, then BYE of one SSRC with reason "bye" */
	static const uint8_t pkt[] = { 0x80, 0xc9, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44,
				       0x81, 0xcb, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44, 0x03, 'b', 'y', 'e' };
	struct rtcp_info info, in = { .num_bye = 1, .bye_ssrc = { 0x11223344 } };
	struct msgb *msg = msgb_alloc(64, "t");

	ck_assert_int_eq(rtcp_parse(pkt, sizeof(pkt), &info, NULL), 0);
	ck_assert(info.has_rr && info.has_bye);
	ck_assert_uint_eq(info.ssrc, 0x11223344);
	ck_assert_uint_eq(info.num_reports, 0);
	ck_assert_uint_eq(info.num_bye, 1);
	ck_assert_uint_eq(info.bye_ssrc[0], 0x11223344);
	ck_assert_uint_eq(info.bye_reason_len, 3);
	in.bye_reason = (const uint8_t *)"bye";
	in.bye_reason_len = 3;
	ck_assert_int_eq(rtcp_build_bye(msg, &in), 0);
	ck_assert_uint_eq(msgb_length(msg), 12);
	ck_assert_mem_eq(msgb_data(msg), pkt + 8, 12);
	msgb_free(msg);
}
END_TEST

static const struct {
	const char *name;
	const char *hex;
	int rc;
} rtcp_bad[] = {
	{ "short", "80c9", -EBADMSG },
	{ "length beyond end", "80c90002" "11223344", -EBADMSG },
	{ "starts with SDES", "81ca0001" "11223344", -EPROTO },
	{ "SR too short", "80c80001" "11223344", -EBADMSG },
	{ "report block cut", "81c90001" "11223344", -EBADMSG },
	{ "SDES item beyond end", "80c90001" "11223344" "81ca0002" "11223344" "0109", -EBADMSG },
	{ "BYE reason beyond end", "80c90001" "11223344" "81cb0002" "11223344" "09000000", -EBADMSG },
	{ "version 0", "00c90001" "11223344", -EBADMSG },
};

START_TEST(rtcp_malformed)
{
	uint8_t buf[64];
	struct rtcp_info info;
	int len = osmo_hexparse(rtcp_bad[_i].hex, buf, sizeof(buf));

	ck_assert_int_gt(len, 0);
	ck_assert_msg(rtcp_parse(buf, len, &info, NULL) == rtcp_bad[_i].rc, "%s", rtcp_bad[_i].name);
}
END_TEST

/* ---- CESoPSN ---- */

START_TEST(cesopsn_basic)
{
	/* 2 timeslots, 2 frames: ts A/B frame 0 then frame 1; R bit, seq 0x0102 */
	static const uint8_t pkt[] = { 0x04, 0x00, 0x01, 0x02, 0xa0, 0xb0, 0xa1, 0xb1 };
	struct cesopsn_pkt p;
	struct msgb *msg = msgb_alloc(64, "t");

	ck_assert_int_eq(cesopsn_parse(pkt, sizeof(pkt), false, 2, 2, &p, NULL), 0);
	ck_assert(!p.l && p.r && p.m == 0 && p.frg == 0 && p.length == 0);
	ck_assert_uint_eq(p.seq, 0x0102);
	ck_assert_uint_eq(p.payload_len, 4);
	ck_assert_uint_eq(p.payload[2], 0xa1);
	ck_assert_int_eq(cesopsn_build(msg, &p, p.payload, p.payload_len), 0);
	ck_assert_mem_eq(msgb_data(msg), pkt, sizeof(pkt));
	msgb_free(msg);
}
END_TEST

START_TEST(cesopsn_rtp_l_length)
{
	/* RFC 5086 §5: with an RTP header; L set and no payload */
	static const uint8_t with_rtp[] = { 0x80, 0x60, 0x00, 0x05, 0x00, 0x00, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01,
					    0x08, 0x00, 0x00, 0x07 };
	/* padded: LENGTH = 4 + 2, then 2 padding octets */
	static const uint8_t padded[] = { 0x00, 0x06, 0x00, 0x09, 0x11, 0x22, 0x00, 0x00 };
	struct cesopsn_pkt p;
	struct msgb *msg = msgb_alloc(64, "t");

	ck_assert_int_eq(cesopsn_parse(with_rtp, sizeof(with_rtp), true, 1, 8, &p, NULL), 0);
	ck_assert(p.has_rtp && p.l);
	ck_assert_uint_eq(p.rtp.pt, 96);
	ck_assert_uint_eq(p.rtp.ts, 0x50);
	ck_assert_uint_eq(p.seq, 7);
	ck_assert_uint_eq(p.payload_len, 0);
	ck_assert_int_eq(cesopsn_build(msg, &p, NULL, 0), 0);
	ck_assert_mem_eq(msgb_data(msg), with_rtp, sizeof(with_rtp));
	msgb_free(msg);

	ck_assert_int_eq(cesopsn_parse(padded, sizeof(padded), false, 2, 1, &p, NULL), 0);
	ck_assert_uint_eq(p.length, 6);
	ck_assert_uint_eq(p.payload_len, 2);
	ck_assert_uint_eq(p.seq, 9);
}
END_TEST

static const struct {
	const char *name;
	const char *hex;
	int rc;
} cesopsn_bad[] = {
	{ "short", "000000", -EBADMSG },
	{ "first nibble not 0", "10000001aabb", -EBADMSG },
	{ "fragmented", "00400001aabb", -EPROTO },
	{ "payload size", "00000001aabbcc", -EPROTO },
	{ "no payload without L", "00000001", -EPROTO },
	{ "LENGTH beyond packet", "003f0001aabb", -EBADMSG },
	{ "LENGTH below header", "00020001aabb", -EBADMSG },
};

START_TEST(cesopsn_malformed)
{
	uint8_t buf[32];
	struct cesopsn_pkt p;
	int len = osmo_hexparse(cesopsn_bad[_i].hex, buf, sizeof(buf));

	ck_assert_int_gt(len, 0);
	ck_assert_msg(cesopsn_parse(buf, len, false, 2, 1, &p, NULL) == cesopsn_bad[_i].rc, "%s",
		      cesopsn_bad[_i].name);
}
END_TEST

/* feed packets with the given sequence numbers (payload = seq low byte), pull n times, return the pulled
 * first octets (0 for missing) in out */
static void rx_run(struct cesopsn_rx *rx, const int *seqs, unsigned int nseq, uint8_t *out, unsigned int npull)
{
	unsigned int i;
	bool lost;

	for (i = 0; i < nseq; i++) {
		uint8_t pl = seqs[i] & 0xff;
		struct cesopsn_pkt p = { .seq = seqs[i], .payload = &pl, .payload_len = 1 };
		cesopsn_rx_put(rx, &p);
	}
	for (i = 0; i < npull; i++) {
		const uint8_t *d = cesopsn_rx_get(rx, &lost);
		out[i] = d ? d[0] : 0;
	}
}

START_TEST(cesopsn_rx_window)
{
	uint8_t win[CESOPSN_RX_WIN], out[8];
	struct cesopsn_stats st = { 0 };
	struct cesopsn_rx rx;
	bool lost;
	/* 10, 12, 11 (reordered), 11 (duplicate), 14 (13 lost) */
	static const int seqs[] = { 10, 12, 11, 11, 14 };
	static const uint8_t expect[] = { 10, 11, 12, 0, 14 };
	static const int late[] = { 13 };

	cesopsn_rx_init(&rx, win, 1, 2, &st);
	ck_assert_ptr_null(cesopsn_rx_get(&rx, &lost));	/* nothing yet */
	ck_assert(!lost);
	rx_run(&rx, seqs, 5, out, 5);
	ck_assert_mem_eq(out, expect, 5);
	ck_assert_uint_eq(st.rx_packets, 5);
	ck_assert_uint_eq(st.reordered, 1);
	ck_assert_uint_eq(st.duplicates, 1);
	ck_assert_uint_eq(st.lost, 1);
	/* 13 arrives after its slot was played */
	rx_run(&rx, late, 1, out, 0);
	ck_assert_uint_eq(st.late, 1);
	/* sequence number wrap: 65535 → 0 continues */
	cesopsn_rx_init(&rx, win, 1, 1, &st);
	memset(&st, 0, sizeof(st));
	{
		static const int wrap[] = { 65534, 65535, 0, 1 };
		static const uint8_t wexp[] = { 0xfe, 0xff, 0, 1 };
		rx_run(&rx, wrap, 4, out, 4);
		ck_assert_mem_eq(out, wexp, 4);
		ck_assert_uint_eq(st.lost, 0);
		ck_assert_uint_eq(st.reordered, 0);
	}
}
END_TEST

/* ---- UDPTL ---- */

START_TEST(udptl_redundancy)
{
	/* seq 3, primary IFP 3 octets, redundancy with 2 secondaries of 2 and 1 octets */
	static const uint8_t pkt[] = { 0x00, 0x03, 0x03, 0x06, 0x01, 0x02, 0x00, 0x02, 0x02, 0xaa, 0xbb, 0x01, 0xcc };
	struct udptl_pkt p;
	struct msgb *msg = msgb_alloc(64, "t");

	ck_assert_int_eq(udptl_parse(pkt, sizeof(pkt), &p, NULL), 0);
	ck_assert_uint_eq(p.seq, 3);
	ck_assert_uint_eq(p.primary.len, 3);
	ck_assert_uint_eq(p.primary.data[0], 0x06);
	ck_assert(!p.fec);
	ck_assert_uint_eq(p.num_secondary, 2);
	ck_assert_uint_eq(p.secondary[0].len, 2);
	ck_assert_uint_eq(p.secondary[1].data[0], 0xcc);
	ck_assert_int_eq(udptl_build(msg, &p), 0);
	ck_assert_uint_eq(msgb_length(msg), sizeof(pkt));
	ck_assert_mem_eq(msgb_data(msg), pkt, sizeof(pkt));
	msgb_free(msg);
}
END_TEST

START_TEST(udptl_fec_and_long)
{
	/* FEC: npackets 3, one FEC entry of 2 octets */
	static const uint8_t fec[] = { 0x12, 0x34, 0x01, 0x00, 0x80, 0x01, 0x03, 0x01, 0x02, 0x55, 0x66 };
	uint8_t big[300], ifp[200];
	struct udptl_pkt p, q;
	struct msgb *msg = msgb_alloc(512, "t");

	ck_assert_int_eq(udptl_parse(fec, sizeof(fec), &p, NULL), 0);
	ck_assert(p.fec);
	ck_assert_uint_eq(p.seq, 0x1234);
	ck_assert_uint_eq(p.fec_npackets, 3);
	ck_assert_uint_eq(p.num_fec, 1);
	ck_assert_uint_eq(p.fec_data[0].data[1], 0x66);
	ck_assert_int_eq(udptl_build(msg, &p), 0);
	ck_assert_mem_eq(msgb_data(msg), fec, sizeof(fec));
	msgb_reset(msg);

	/* a 200-octet IFP needs a two-octet length determinant (X.691 §10.9.3.7) */
	memset(ifp, 0x5a, sizeof(ifp));
	p = (struct udptl_pkt){ .seq = 7, .primary = { ifp, sizeof(ifp) } };
	ck_assert_int_eq(udptl_build(msg, &p), 0);
	ck_assert_uint_eq(msgb_data(msg)[2], 0x80);
	ck_assert_uint_eq(msgb_data(msg)[3], 200);
	memcpy(big, msgb_data(msg), msgb_length(msg));
	ck_assert_int_eq(udptl_parse(big, msgb_length(msg), &q, NULL), 0);
	ck_assert_uint_eq(q.primary.len, 200);
	ck_assert_uint_eq(q.num_secondary, 0);
	msgb_free(msg);
}
END_TEST

static const struct {
	const char *name;
	const char *hex;
	int rc;
} udptl_bad[] = {
	{ "short", "00", -EBADMSG },
	{ "primary beyond end", "000105aa", -EBADMSG },
	{ "no error recovery", "000101aa", -EBADMSG },
	{ "choice padding not zero", "000101aa01", -EBADMSG },
	{ "fragmented length", "0001c0", -EPROTO },
	{ "secondary beyond end", "000101aa000102bb", -EBADMSG },
	{ "trailing octets", "000101aa0000ff", -EBADMSG },
	{ "too many secondaries", "000101aa0011", -EMSGSIZE },
	{ "fec npackets negative", "000101aa800180", -EPROTO },
};

START_TEST(udptl_malformed)
{
	uint8_t buf[32];
	struct udptl_pkt p;
	int len = osmo_hexparse(udptl_bad[_i].hex, buf, sizeof(buf));

	ck_assert_int_gt(len, 0);
	ck_assert_msg(udptl_parse(buf, len, &p, NULL) == udptl_bad[_i].rc, "%s", udptl_bad[_i].name);
}
END_TEST

START_TEST(ports_quarantine)
{
	/* 1001..1008: min rounded up to even, so pairs 1002, 1004, 1006 (1008 has no odd partner) */
	struct media_ports *p = media_ports_alloc(test_ctx, 1001, 1008, 0);
	unsigned int used, total;
	int socks[2];

	ck_assert_ptr_nonnull(p);
	media_ports_in_use(p, &used, &total);
	ck_assert_uint_eq(total, 3);
	ck_assert_int_eq(media_ports_get(p, socks), 1002);
	ck_assert_int_eq(socks[0], -1);
	ck_assert_int_eq(socks[1], -1);
	ck_assert_int_eq(media_ports_get(p, socks), 1004);
	media_ports_put(p, 1002);
	/* never used before the pair just released */
	ck_assert_int_eq(media_ports_get(p, socks), 1006);
	media_ports_in_use(p, &used, &total);
	ck_assert_uint_eq(used, 2);
	/* the only free pair was released just now: taken anyway rather than failing the call */
	ck_assert_int_eq(media_ports_get(p, socks), 1002);
	ck_assert_int_eq(media_ports_get(p, socks), -EADDRNOTAVAIL);
	media_ports_put(p, 1004);
	media_ports_put(p, 1006);
	media_ports_put(p, 1002);
	/* the one released longest ago first, the one released last at the end */
	ck_assert_int_eq(media_ports_get(p, socks), 1004);
	ck_assert_int_eq(media_ports_get(p, socks), 1006);
	ck_assert_int_eq(media_ports_get(p, socks), 1002);
	media_ports_put(p, 1234);	/* not ours: ignored */
	media_ports_put(p, 1005);	/* an RTCP port: ignored */
	media_ports_put(p, 1004);
	media_ports_put(p, 1004);	/* twice: ignored (queued once) */
	media_ports_in_use(p, &used, &total);
	ck_assert_uint_eq(used, 2);
	ck_assert_int_eq(media_ports_get(p, socks), 1004);
	ck_assert_int_eq(media_ports_get(p, socks), -EADDRNOTAVAIL);
	ck_assert_ptr_null(media_ports_alloc(test_ctx, 1000, 1000, 0));
	talloc_free(p);
}
END_TEST

/* The queue wraps around its ring many times over with the order kept (a pair is reused last). */
START_TEST(ports_fifo_wraps)
{
	struct media_ports *p = media_ports_alloc(test_ctx, 2000, 2009, 0);	/* 5 pairs */
	int socks[2], held[2], i;

	held[0] = media_ports_get(p, socks);
	held[1] = media_ports_get(p, socks);
	ck_assert_int_eq(held[0], 2000);
	ck_assert_int_eq(held[1], 2002);
	for (i = 0; i < 1000; i++) {
		/* two pairs held, three free: the never-used ones, then each pair released three takes ago, so the
		 * pairs go round in port order */
		int port = media_ports_get(p, socks);
		ck_assert_int_eq(port, 2000 + 2 * ((i + 2) % 5));
		media_ports_put(p, held[0]);
		held[0] = held[1];
		held[1] = port;
	}
	talloc_free(p);
}
END_TEST

static int dgram_socket(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	ck_assert_int_ge(fd, 0);
	return fd;
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* Sockets kept with free pairs come back with their pair, the pool is bounded, and freeing closes them. */
START_TEST(ports_socket_pool)
{
	struct media_ports *p = media_ports_alloc(test_ctx, 3000, 3005, 3);	/* 3 pairs, 3 sockets kept */
	int socks[2], a = dgram_socket(), b = dgram_socket(), c = dgram_socket(), d = dgram_socket();

	ck_assert_int_eq(media_ports_get(p, socks), 3000);
	ck_assert_int_eq(media_ports_get(p, socks), 3002);
	ck_assert_int_eq(media_ports_get(p, socks), 3004);
	ck_assert(!media_ports_keep_sock(p, 3000, false, a));	/* still in use */
	media_ports_put(p, 3000);
	media_ports_put(p, 3002);
	ck_assert(media_ports_keep_sock(p, 3000, false, a));
	ck_assert(media_ports_keep_sock(p, 3000, true, b));
	ck_assert(!media_ports_keep_sock(p, 3000, true, c));	/* one per port */
	ck_assert(!media_ports_keep_sock(p, 3001, false, c));	/* not a pair's RTP port */
	ck_assert(!media_ports_keep_sock(p, 3000, false, -1));
	ck_assert(media_ports_keep_sock(p, 3002, true, c));
	ck_assert_uint_eq(media_ports_pooled(p), 3);
	media_ports_put(p, 3004);
	ck_assert(!media_ports_keep_sock(p, 3004, false, d));	/* the pool is full */
	close(d);
	/* reuse order is the pairs', their sockets come along */
	ck_assert_int_eq(media_ports_get(p, socks), 3000);
	ck_assert_int_eq(socks[0], a);
	ck_assert_int_eq(socks[1], b);
	ck_assert_uint_eq(media_ports_pooled(p), 1);
	ck_assert_int_eq(media_ports_get(p, socks), 3002);
	ck_assert_int_eq(socks[0], -1);
	ck_assert_int_eq(socks[1], c);
	ck_assert_uint_eq(media_ports_pooled(p), 0);
	ck_assert_int_eq(media_ports_get(p, socks), 3004);
	ck_assert_int_eq(socks[0], -1);
	ck_assert_int_eq(socks[1], -1);
	/* what the pool keeps at the end is closed with it */
	media_ports_put(p, 3000);
	ck_assert(media_ports_keep_sock(p, 3000, false, a));
	ck_assert(fd_open(a));
	talloc_free(p);
	ck_assert(!fd_open(a));
	ck_assert(fd_open(b) && fd_open(c));
	close(b);
	close(c);
}
END_TEST

static Suite *codec_suite(void)
{
	Suite *s = suite_create("media codecs");
	TCase *tc = tcase_create("codecs");

	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_add_test(tc, rtp_basic);
	tcase_add_test(tc, rtp_csrc_ext_padding);
	tcase_add_loop_test(tc, rtp_malformed, 0, ARRAY_SIZE(rtp_bad));
	tcase_add_loop_test(tc, event_table, 0, ARRAY_SIZE(event_tab));
	tcase_add_test(tc, event_malformed_and_chars);
	tcase_add_test(tc, rtcp_sr_sdes_roundtrip);
	tcase_add_test(tc, rtcp_rr_bye);
	tcase_add_loop_test(tc, rtcp_malformed, 0, ARRAY_SIZE(rtcp_bad));
	tcase_add_test(tc, cesopsn_basic);
	tcase_add_test(tc, cesopsn_rtp_l_length);
	tcase_add_loop_test(tc, cesopsn_malformed, 0, ARRAY_SIZE(cesopsn_bad));
	tcase_add_test(tc, cesopsn_rx_window);
	tcase_add_test(tc, udptl_redundancy);
	tcase_add_test(tc, udptl_fec_and_long);
	tcase_add_loop_test(tc, udptl_malformed, 0, ARRAY_SIZE(udptl_bad));
	tcase_add_test(tc, ports_quarantine);
	tcase_add_test(tc, ports_fifo_wraps);
	tcase_add_test(tc, ports_socket_pool);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(codec_suite());
}
