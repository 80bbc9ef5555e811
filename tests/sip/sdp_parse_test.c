/* SDP parser and builder: real SDPs, malformed ones, round trips. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sdp_testutil.h"

/* sipp 3.6 built-in uac scenario body */
static const char sipp_uac[] =
	"v=0\r\n"
	"o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"c=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\n"
	"m=audio 6000 RTP/AVP 0\r\n"
	"a=rtpmap:0 PCMU/8000\r\n";

/* sipp uac_pcap scenario: PCMA + RFC 2833 events, bare LF line ends as written in the XML */
static const char sipp_uac_pcap[] =
	"v=0\n"
	"o=user1 53655765 2353687637 IN IP4 127.0.0.1\n"
	"s=-\n"
	"c=IN IP4 127.0.0.1\n"
	"t=0 0\n"
	"m=audio 6000 RTP/AVP 8 101\n"
	"a=rtpmap:8 PCMA/8000\n"
	"a=rtpmap:101 telephone-event/8000\n"
	"a=fmtp:101 0-11,16\n";

/* baresip 1.0 offer (audio_codecs=PCMU,PCMA, dtmfmode=rtpevent) */
static const char baresip_offer[] =
	"v=0\r\n"
	"o=- 1594753431 1894217032 IN IP4 192.168.1.20\r\n"
	"s=-\r\n"
	"c=IN IP4 192.168.1.20\r\n"
	"t=0 0\r\n"
	"a=tool:baresip 1.0.0\r\n"
	"m=audio 10764 RTP/AVP 0 8 101\r\n"
	"b=AS:64\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-15\r\n"
	"a=rtcp-rsize\r\n"
	"a=sendrecv\r\n"
	"a=label:1\r\n"
	"a=ssrc:1468449532 cname:d2b0f5c4-08e6-41b2\r\n"
	"a=ptime:20\r\n";

/* IMS UE (VoLTE) INVITE offer with segmented qos preconditions */
static const char ims_offer[] =
	"v=0\r\n"
	"o=rue 3219 3219 IN IP4 172.16.106.38\r\n"
	"s=-\r\n"
	"c=IN IP4 172.16.106.38\r\n"
	"b=AS:41\r\n"
	"b=RR:1537\r\n"
	"b=RS:512\r\n"
	"t=0 0\r\n"
	"m=audio 30052 RTP/AVP 107 8 101\r\n"
	"b=AS:41\r\n"
	"a=rtpmap:107 AMR-WB/16000/1\r\n"
	"a=fmtp:107 mode-change-capability=2;max-red=0\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-15\r\n"
	"a=ptime:20\r\n"
	"a=maxptime:240\r\n"
	"a=sendrecv\r\n"
	"a=curr:qos local none\r\n"
	"a=curr:qos remote none\r\n"
	"a=des:qos mandatory local sendrecv\r\n"
	"a=des:qos optional remote sendrecv\r\n";

/* T.38 re-INVITE (Asterisk style): audio slot replaced by image */
static const char t38_reinvite[] =
	"v=0\r\n"
	"o=root 1821 1822 IN IP4 10.0.0.5\r\n"
	"s=Asterisk PBX\r\n"
	"c=IN IP4 10.0.0.5\r\n"
	"t=0 0\r\n"
	"m=image 4402 udptl t38\r\n"
	"a=T38FaxVersion:0\r\n"
	"a=T38MaxBitRate:14400\r\n"
	"a=T38FaxRateManagement:transferredTCF\r\n"
	"a=T38FaxMaxBuffer:1800\r\n"
	"a=T38FaxMaxDatagram:400\r\n"
	"a=T38FaxUdpEC:t38UDPRedundancy\r\n";

/* T.38 from a gateway writing lower case names and bare boolean attributes */
static const char t38_flags[] =
	"v=0\r\n"
	"o=gw 1 2 IN IP4 198.51.100.7\r\n"
	"s=fax\r\n"
	"t=0 0\r\n"
	"m=image 5000 UDPTL t38\r\n"
	"c=IN IP4 198.51.100.7\r\n"
	"a=t38faxversion:3\r\n"
	"a=T38FaxFillBitRemoval\r\n"
	"a=T38FaxTranscodingMMR:0\r\n"
	"a=T38FaxRateManagement:localTCF\r\n"
	"a=T38FaxUdpEC:t38UDPFEC\r\n"
	"a=T38VendorInfo:0 0 0\r\n";

/* IPv6, two streams, held audio, rtcp attribute, session-level direction */
static const char ipv6_two[] =
	"v=0\r\n"
	"o=bob 2808844564 2808844565 IN IP6 2001:db8::2\r\n"
	"s=call\r\n"
	"i=two streams\r\n"
	"u=http://example.com/\r\n"
	"e=bob@example.com\r\n"
	"p=+1 617 555-6011\r\n"
	"c=IN IP6 2001:db8::2\r\n"
	"t=2873397496 2873404696\r\n"
	"r=7d 1h 0 25h\r\n"
	"z=2882844526 -1h 2898848070 0\r\n"
	"k=prompt\r\n"
	"a=recvonly\r\n"
	"m=audio 49170/2 RTP/AVP 96 0\r\n"
	"a=rtpmap:96 L16/16000/2\r\n"
	"a=rtcp:53020 IN IP6 2001:db8::3\r\n"
	"a=sendonly\r\n"
	"m=video 0 RTP/AVP 31\r\n"
	"c=IN IP6 ff15::101/3\r\n";

struct parse_case {
	const char *name;
	const char *text;
	unsigned int num_media;
	enum sdp_media_type type0;
	uint16_t port0;
	enum sdp_proto proto0;
	unsigned int num_fmt0;
	const char *fmt0;
	unsigned int num_rtpmap0;
	unsigned int ptime0;
	enum sdp_dir dir0;	/* effective */
	unsigned int num_pc0;
	const char *addr0;	/* effective c= of stream 0 */
	uint64_t version;
};

static const struct parse_case parse_cases[] = {
	{ "sipp_uac", sipp_uac, 1, SDP_MEDIA_AUDIO, 6000, SDP_PROTO_RTP_AVP, 1, "0", 1, 0, SDP_DIR_SENDRECV, 0,
	  "127.0.0.1", 2353687637ULL },
	{ "sipp_uac_pcap", sipp_uac_pcap, 1, SDP_MEDIA_AUDIO, 6000, SDP_PROTO_RTP_AVP, 2, "8", 2, 0,
	  SDP_DIR_SENDRECV, 0, "127.0.0.1", 2353687637ULL },
	{ "baresip", baresip_offer, 1, SDP_MEDIA_AUDIO, 10764, SDP_PROTO_RTP_AVP, 3, "0", 3, 20, SDP_DIR_SENDRECV,
	  0, "192.168.1.20", 1894217032ULL },
	{ "ims", ims_offer, 1, SDP_MEDIA_AUDIO, 30052, SDP_PROTO_RTP_AVP, 3, "107", 3, 20, SDP_DIR_SENDRECV, 4,
	  "172.16.106.38", 3219 },
	{ "t38", t38_reinvite, 1, SDP_MEDIA_IMAGE, 4402, SDP_PROTO_UDPTL, 1, "t38", 0, 0, SDP_DIR_SENDRECV, 0,
	  "10.0.0.5", 1822 },
	{ "t38_flags", t38_flags, 1, SDP_MEDIA_IMAGE, 5000, SDP_PROTO_UDPTL, 1, "t38", 0, 0, SDP_DIR_SENDRECV, 0,
	  "198.51.100.7", 2 },
	{ "ipv6_two", ipv6_two, 2, SDP_MEDIA_AUDIO, 49170, SDP_PROTO_RTP_AVP, 2, "96", 1, 0, SDP_DIR_SENDONLY, 0,
	  "2001:db8::2", 2808844565ULL },
};

START_TEST(test_parse_table)
{
	const struct parse_case *c = &parse_cases[_i];
	struct sdp_session *s = sdp_parse_ok(c->text);
	const struct sdp_media *m = &s->media[0];

	ck_assert_msg(s->num_media == c->num_media, "%s", c->name);
	ck_assert_int_eq(m->type, c->type0);
	ck_assert_uint_eq(m->port, c->port0);
	ck_assert_int_eq(m->proto, c->proto0);
	ck_assert_uint_eq(m->num_fmt, c->num_fmt0);
	ck_assert(sdp_str_eq(m->fmt[0], c->fmt0));
	ck_assert_uint_eq(m->num_rtpmap, c->num_rtpmap0);
	ck_assert_uint_eq(m->ptime, c->ptime0);
	ck_assert_int_eq(sdp_media_dir(s, 0), c->dir0);
	ck_assert_uint_eq(m->num_pc, c->num_pc0);
	ck_assert(sdp_str_eq(sdp_media_conn(s, 0)->addr, c->addr0));
	ck_assert(s->origin.sess_version == c->version);
}
END_TEST

/* sdp_parse() empties only the session part and each media entry it adds (the whole struct is 37 kB): a
 * session that held garbage, or a bigger SDP before, must parse to the same bytes as a zeroed one, up to
 * num_media. */
START_TEST(test_parse_reused_session)
{
	static const char *const texts[] = { baresip_offer, sipp_uac_pcap, sipp_uac };
	struct sdp_session *fresh = talloc(sdp_ctx, struct sdp_session);
	struct sdp_session *used = talloc(sdp_ctx, struct sdp_session);
	unsigned int i, k;

	ck_assert_ptr_nonnull(fresh);
	ck_assert_ptr_nonnull(used);
	memset(used, 0xa5, sizeof(*used));
	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		memset(fresh, 0, sizeof(*fresh));
		ck_assert_int_eq(sdp_parse(fresh, texts[i], strlen(texts[i]), NULL), 0);
		ck_assert_int_eq(sdp_parse(used, texts[i], strlen(texts[i]), NULL), 0);
		ck_assert_int_eq(memcmp(fresh, used, offsetof(struct sdp_session, media)), 0);
		ck_assert_uint_eq(used->num_media, fresh->num_media);
		for (k = 0; k < fresh->num_media; k++)
			ck_assert_int_eq(memcmp(&fresh->media[k], &used->media[k], sizeof(fresh->media[k])), 0);
		ck_assert_str_eq(sdp_build_str(used), sdp_build_str(fresh));
	}
}
END_TEST

START_TEST(test_parse_fields)
{
	struct sdp_session *s = sdp_parse_ok(sipp_uac_pcap);
	const struct sdp_media *m = &s->media[0];
	const struct sdp_rtpmap *r;

	ck_assert(sdp_str_eq(s->origin.username, "user1"));
	ck_assert(s->origin.sess_id == 53655765);
	ck_assert_int_eq(s->origin.type, SDP_ADDR_IP4);
	ck_assert(sdp_str_eq(s->name, "-"));
	ck_assert_uint_eq(m->pt[1], 101);
	r = sdp_media_rtpmap(m, 101);
	ck_assert_ptr_nonnull(r);
	ck_assert(sdp_str_eq(r->enc, "telephone-event"));
	ck_assert_uint_eq(r->clock, 8000);
	ck_assert(sdp_str_eq(sdp_media_fmtp(m, 101)->params, "0-11,16"));
	ck_assert_int_eq(sdp_media_codec(m, 8), SDP_CODEC_PCMA);
	ck_assert_int_eq(sdp_media_codec(m, 101), SDP_CODEC_TEL_EVENT);

	s = sdp_parse_ok(baresip_offer);
	m = &s->media[0];
	ck_assert_uint_eq(s->num_attr, 1);
	ck_assert(sdp_str_eq(s->attr[0].name, "tool"));
	ck_assert(sdp_str_eq(s->attr[0].value, "baresip 1.0.0"));
	ck_assert_uint_eq(m->num_bw, 1);
	ck_assert(sdp_str_eq(m->bw[0].type, "AS"));
	ck_assert_uint_eq(m->bw[0].value, 64);
	ck_assert_int_eq(m->dir, SDP_DIR_SENDRECV);
	/* rtcp-rsize, label, ssrc stay raw, in order */
	ck_assert_uint_eq(m->num_attr, 3);
	ck_assert(sdp_str_eq(m->attr[0].name, "rtcp-rsize"));
	ck_assert(!m->attr[0].has_value);
	ck_assert(sdp_str_eq(m->attr[2].value, "1468449532 cname:d2b0f5c4-08e6-41b2"));
}
END_TEST

START_TEST(test_parse_preconditions)
{
	struct sdp_session *s = sdp_parse_ok(ims_offer);
	const struct sdp_media *m = &s->media[0];

	ck_assert_uint_eq(s->num_bw, 3);
	ck_assert_uint_eq(s->bw[1].value, 1537);
	ck_assert_int_eq(m->pc[0].kind, SDP_PC_CURR);
	ck_assert(sdp_str_eq(m->pc[0].type, "qos"));
	ck_assert_int_eq(m->pc[0].status, SDP_PC_LOCAL);
	ck_assert_int_eq(m->pc[0].dir, SDP_PC_DIR_NONE);
	ck_assert_int_eq(m->pc[1].status, SDP_PC_REMOTE);
	ck_assert_int_eq(m->pc[2].kind, SDP_PC_DES);
	ck_assert_int_eq(m->pc[2].strength, SDP_PC_STR_MANDATORY);
	ck_assert_int_eq(m->pc[2].dir, SDP_PC_DIR_SENDRECV);
	ck_assert_int_eq(m->pc[3].strength, SDP_PC_STR_OPTIONAL);
	ck_assert_uint_eq(m->maxptime, 240);
	ck_assert_uint_eq(sdp_media_rtpmap(m, 107)->channels, 1);
	ck_assert_uint_eq(sdp_media_rtpmap(m, 107)->clock, 16000);
	ck_assert_int_eq(sdp_media_codec(m, 107), SDP_CODEC_NONE);

	s = sdp_parse_ok("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\n"
			 "m=audio 1000 RTP/AVP 0\r\na=curr:qos e2e send\r\na=des:qos failure e2e recv\r\n"
			 "a=des:qos unknown e2e send\r\na=conf:qos e2e sendrecv\r\na=des:foo mandatory e2e none\r\n");
	m = &s->media[0];
	ck_assert_uint_eq(m->num_pc, 5);
	ck_assert_int_eq(m->pc[0].dir, SDP_PC_DIR_SEND);
	ck_assert_int_eq(m->pc[1].strength, SDP_PC_STR_FAILURE);
	ck_assert_int_eq(m->pc[2].strength, SDP_PC_STR_UNKNOWN);
	ck_assert_int_eq(m->pc[3].kind, SDP_PC_CONF);
	ck_assert(sdp_str_eq(m->pc[4].type, "foo"));
}
END_TEST

START_TEST(test_parse_t38)
{
	struct sdp_session *s = sdp_parse_ok(t38_reinvite);
	const struct sdp_t38 *t = &s->media[0].t38;

	ck_assert_uint_eq(t->present, SDP_T38_VERSION | SDP_T38_MAX_BIT_RATE | SDP_T38_RATE_MGMT | SDP_T38_MAX_BUFFER
					      | SDP_T38_MAX_DATAGRAM | SDP_T38_UDP_EC);
	ck_assert_uint_eq(t->version, 0);
	ck_assert_uint_eq(t->max_bit_rate, 14400);
	ck_assert_int_eq(t->rate_mgmt, SDP_T38_RM_TRANSFERRED_TCF);
	ck_assert_uint_eq(t->max_buffer, 1800);
	ck_assert_uint_eq(t->max_datagram, 400);
	ck_assert_int_eq(t->udp_ec, SDP_T38_EC_REDUNDANCY);
	ck_assert_uint_eq(s->media[0].num_attr, 0);

	s = sdp_parse_ok(t38_flags);
	t = &s->media[0].t38;
	ck_assert_uint_eq(t->version, 3);
	ck_assert(t->present & SDP_T38_FILL_BIT_REMOVAL);
	ck_assert(t->fill_bit_removal);
	ck_assert(t->present & SDP_T38_TRANSCODING_MMR);
	ck_assert(!t->transcoding_mmr);
	ck_assert(!(t->present & SDP_T38_TRANSCODING_JBIG));
	ck_assert_int_eq(t->rate_mgmt, SDP_T38_RM_LOCAL_TCF);
	ck_assert_int_eq(t->udp_ec, SDP_T38_EC_FEC);
	ck_assert_uint_eq(s->media[0].num_attr, 1);
	ck_assert(sdp_str_eq(s->media[0].attr[0].name, "T38VendorInfo"));
}
END_TEST

START_TEST(test_parse_ipv6_session_fields)
{
	struct sdp_session *s = sdp_parse_ok(ipv6_two);

	ck_assert_int_eq(s->origin.type, SDP_ADDR_IP6);
	ck_assert(sdp_str_eq(s->info, "two streams"));
	ck_assert(sdp_str_eq(s->uri, "http://example.com/"));
	ck_assert_uint_eq(s->num_email, 1);
	ck_assert(sdp_str_eq(s->phone[0], "+1 617 555-6011"));
	ck_assert(s->time[0].start == 2873397496ULL);
	ck_assert_uint_eq(s->num_repeat, 1);
	ck_assert(sdp_str_eq(s->zone, "2882844526 -1h 2898848070 0"));
	ck_assert(sdp_str_eq(s->key, "prompt"));
	ck_assert_int_eq(s->dir, SDP_DIR_RECVONLY);
	ck_assert_uint_eq(s->media[0].port_count, 2);
	ck_assert_uint_eq(sdp_media_rtpmap(&s->media[0], 96)->channels, 2);
	ck_assert(s->media[0].rtcp.present);
	ck_assert_uint_eq(s->media[0].rtcp.port, 53020);
	ck_assert(sdp_str_eq(s->media[0].rtcp.conn.addr, "2001:db8::3"));
	/* media-level direction wins, else the session's */
	ck_assert_int_eq(sdp_media_dir(s, 0), SDP_DIR_SENDONLY);
	ck_assert_int_eq(sdp_media_dir(s, 1), SDP_DIR_RECVONLY);
	ck_assert_int_eq(s->media[1].type, SDP_MEDIA_VIDEO);
	ck_assert_uint_eq(s->media[1].port, 0);
	ck_assert(sdp_str_eq(sdp_media_conn(s, 1)->addr, "ff15::101"));
	ck_assert_uint_eq(sdp_media_conn(s, 1)->num, 3);
	ck_assert_uint_eq(sdp_media_conn(s, 1)->ttl, 0);
}
END_TEST

START_TEST(test_parse_not_nul_terminated)
{
	/* the body sits in a larger buffer followed by junk: only len bytes count */
	char buf[sizeof(sipp_uac) + 16];
	struct sdp_session *s = talloc_zero(sdp_ctx, struct sdp_session);
	struct sdp_parse_err err;
	size_t len = strlen(sipp_uac);

	memcpy(buf, sipp_uac, len);
	memcpy(buf + len, "x=garbage\r\n\0\0\0\0\0", 16);
	ck_assert_int_eq(sdp_parse(s, buf, len, &err), 0);
	/* without the final line end */
	ck_assert_int_eq(sdp_parse(s, buf, len - 2, &err), 0);
	ck_assert(sdp_str_eq(s->media[0].rtpmap[0].enc, "PCMU"));
	/* trailing blank line tolerated */
	memcpy(buf + len, "\r\n", 2);
	ck_assert_int_eq(sdp_parse(s, buf, len + 2, &err), 0);
}
END_TEST

#define HDR "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\n"	/* lines 1-5 */
#define M6 HDR "m=audio 1000 RTP/AVP 0 8\r\n"					/* line 6 */

struct bad_case {
	const char *text;
	int rc;
	unsigned int line;
	const char *reason;
};

static const struct bad_case bad_cases[] = {
	{ "", -EBADMSG, 0, "empty SDP" },
	{ "m=audio 1 RTP/AVP 0\r\nv=0\r\n", -EBADMSG, 1, "m= before v=" },
	{ "o=- 1 1 IN IP4 1.2.3.4\r\n", -EBADMSG, 1, "first line is not v=" },
	{ "v=1\r\n", -EBADMSG, 1, "v= is not 0" },
	{ "v=0\r\ns=-\r\n", -EBADMSG, 2, "o= missing after v=" },
	{ "v=0\r\no=- 1 1 IN IP4\r\n", -EBADMSG, 2, "o= needs 6 fields" },
	{ "v=0\r\no=- x 1 IN IP4 1.2.3.4\r\n", -EBADMSG, 2, "o= session id is not a number" },
	{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\n", -EBADMSG, 3, "s= missing after o=" },
	{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP5 1.2.3.4\r\n", -EBADMSG, 4,
	  "c= network/address type is not IN IP4 or IN IP6" },
	{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nc=IN IP4 1.2.3.4\r\n", -EBADMSG, 5, "line out of order" },
	{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nm=audio 1 RTP/AVP 0\r\n", -EBADMSG, 5,
	  "t= missing" },
	{ HDR "m=audio 70000 RTP/AVP 0\r\n", -EBADMSG, 6, "m= bad port" },
	{ HDR "m=audio 1000 RTP/AVP abc\r\n", -EBADMSG, 6, "m= RTP format is not a payload type 0..127" },
	{ HDR "m=audio 1000 RTP/AVP 128\r\n", -EBADMSG, 6, "m= RTP format is not a payload type 0..127" },
	{ HDR "m=audio 1000 RTP/AVP\r\n", -EBADMSG, 6, "m= needs at least one format" },
	{ M6 "a=rtpmap:8 PCMA\r\n", -EBADMSG, 7, "rtpmap needs <encoding>/<clock>" },
	{ M6 "a=rtpmap:8 PCMA/8000\r\na=rtpmap:8 PCMA/8000\r\n", -EBADMSG, 8, "duplicate rtpmap for a payload type" },
	{ M6 "a=ptime:0\r\n", -EBADMSG, 7, "ptime/maxptime needs a positive number of ms" },
	{ M6 "a=sendonly\r\na=recvonly\r\n", -EBADMSG, 8, "more than one direction attribute" },
	{ M6 "a=des:qos always e2e sendrecv\r\n", -EBADMSG, 7, "a=des bad strength tag" },
	{ M6 "a=curr:qos e2e both\r\n", -EBADMSG, 7, "precondition attribute bad direction tag" },
	{ M6 "a=curr:qos segment send\r\n", -EBADMSG, 7, "precondition attribute bad status type" },
	{ M6 "a=conf:qos e2e none\r\n", -EBADMSG, 7, "a=conf direction tag must not be none" },
	{ M6 "a=T38FaxRateManagement:remoteTCF\r\n", -EBADMSG, 7,
	  "T38FaxRateManagement must be localTCF or transferredTCF" },
	{ M6 "a=T38FaxVersion:x\r\n", -EBADMSG, 7, "T.38 attribute needs a number" },
	{ M6 "b=AS:fast\r\n", -EBADMSG, 7, "b= needs <bwtype>:<bandwidth>" },
	{ M6 "t=0 0\r\n", -EBADMSG, 7, "session-level line in a media section" },
	{ M6 "x=unknown\r\n", -EBADMSG, 7, "unknown line type" },
	{ M6 "\r\na=sendrecv\r\n", -EBADMSG, 7, "empty line" },
	{ M6 "a=foo\rbar\r\n", -EBADMSG, 7, "NUL or CR inside a line" },
	{ M6 "a\r\n", -EBADMSG, 7, "line is not <type>=<value>" },
	{ M6 "a=rtcp:99999\r\n", -EBADMSG, 7, "rtcp needs <port> [IN IP4|IP6 <address>]" },
	{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\n", -EBADMSG, 5,
	  "m= without c= at media or session level" },
	{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n", -EBADMSG, 0, "t= missing" },
	{ M6 "m=audio 1 RTP/AVP 0\r\nm=audio 1 RTP/AVP 0\r\nm=audio 1 RTP/AVP 0\r\nm=audio 1 RTP/AVP 0\r\n"
	     "m=audio 1 RTP/AVP 0\r\nm=audio 1 RTP/AVP 0\r\nm=audio 1 RTP/AVP 0\r\nm=audio 1 RTP/AVP 0\r\n",
	  -EMSGSIZE, 14, "too many m= lines" },
	{ HDR "m=audio 1 RTP/AVP 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31"
	      " 32\r\n",
	  -EMSGSIZE, 6, "too many formats on m= line" },
};

START_TEST(test_malformed)
{
	const struct bad_case *c = &bad_cases[_i];
	struct sdp_session *s = talloc_zero(sdp_ctx, struct sdp_session);
	struct sdp_parse_err err = { 0 };
	int rc = sdp_parse(s, c->text, strlen(c->text), &err);

	ck_assert_msg(rc == c->rc, "case %d: rc %d, want %d (line %u: %s)", _i, rc, c->rc, err.line,
		      err.reason ? err.reason : "");
	ck_assert_msg(err.line == c->line, "case %d: line %u, want %u (%s)", _i, err.line, c->line, err.reason);
	ck_assert_str_eq(err.reason, c->reason);
}
END_TEST

START_TEST(test_too_many_attrs)
{
	char *text = talloc_strdup(sdp_ctx, M6);
	struct sdp_session *s = talloc_zero(sdp_ctx, struct sdp_session);
	struct sdp_parse_err err;
	int i;

	for (i = 0; i < SDP_MAX_ATTR; i++)
		text = talloc_asprintf_append(text, "a=x-%d:%d\r\n", i, i);
	ck_assert_int_eq(sdp_parse(s, text, strlen(text), &err), 0);
	ck_assert_uint_eq(s->media[0].num_attr, SDP_MAX_ATTR);
	text = talloc_asprintf_append(text, "a=one-too-many\r\n");
	ck_assert_int_eq(sdp_parse(s, text, strlen(text), &err), -EMSGSIZE);
	ck_assert_uint_eq(err.line, 6 + SDP_MAX_ATTR + 1);
	ck_assert_str_eq(err.reason, "too many a= lines");
}
END_TEST

static const char *const roundtrip_texts[] = {
	sipp_uac, sipp_uac_pcap, baresip_offer, ims_offer, t38_reinvite, t38_flags, ipv6_two,
};

START_TEST(test_roundtrip)
{
	struct sdp_session *a = sdp_parse_ok(roundtrip_texts[_i]);
	char *text = sdp_build_str(a);
	struct sdp_session *b = sdp_parse_ok(text);
	const char *diff = sdp_compare(a, b);

	ck_assert_msg(diff == NULL, "case %d differs in %s:\n%s", _i, diff, text);
	/* and building again gives the same bytes */
	ck_assert_str_eq(sdp_build_str(b), text);
}
END_TEST

START_TEST(test_build_exact)
{
	struct sdp_session *s = sdp_parse_ok(sipp_uac_pcap);
	char *text = sdp_build_str(s);

	/* LF input comes out CRLF; typed attributes first */
	ck_assert_str_eq(text, "v=0\r\n"
			       "o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"
			       "s=-\r\n"
			       "c=IN IP4 127.0.0.1\r\n"
			       "t=0 0\r\n"
			       "m=audio 6000 RTP/AVP 8 101\r\n"
			       "a=rtpmap:8 PCMA/8000\r\n"
			       "a=rtpmap:101 telephone-event/8000\r\n"
			       "a=fmtp:101 0-11,16\r\n");

	s = sdp_parse_ok(t38_flags);
	text = sdp_build_str(s);
	ck_assert_line(text, "m=image 5000 UDPTL t38");
	ck_assert_line(text, "a=T38FaxVersion:3");
	ck_assert_line(text, "a=T38FaxFillBitRemoval");
	ck_assert_line(text, "a=T38FaxTranscodingMMR:0");
	ck_assert_line(text, "a=T38FaxRateManagement:localTCF");
	ck_assert_line(text, "a=T38FaxUdpEC:t38UDPFEC");
	ck_assert_line(text, "a=T38VendorInfo:0 0 0");
}
END_TEST

START_TEST(test_build_emsgsize)
{
	struct sdp_session *s = sdp_parse_ok(baresip_offer);
	struct msgb *msg = msgb_alloc_c(sdp_ctx, 64, "small");

	msgb_put(msg, 3);
	ck_assert_int_eq(sdp_build(msg, s), -EMSGSIZE);
	/* left as it was */
	ck_assert_uint_eq(msgb_length(msg), 3);
	msgb_free(msg);
}
END_TEST

static Suite *sdp_parse_suite(void)
{
	Suite *s = suite_create("sdp_parse");
	TCase *tc = tcase_create("parse");

	tcase_add_checked_fixture(tc, sdp_test_setup, sdp_test_teardown);
	tcase_add_loop_test(tc, test_parse_table, 0, ARRAY_SIZE(parse_cases));
	tcase_add_test(tc, test_parse_fields);
	tcase_add_test(tc, test_parse_reused_session);
	tcase_add_test(tc, test_parse_preconditions);
	tcase_add_test(tc, test_parse_t38);
	tcase_add_test(tc, test_parse_ipv6_session_fields);
	tcase_add_test(tc, test_parse_not_nul_terminated);
	tcase_add_loop_test(tc, test_malformed, 0, ARRAY_SIZE(bad_cases));
	tcase_add_test(tc, test_too_many_attrs);
	tcase_add_loop_test(tc, test_roundtrip, 0, ARRAY_SIZE(roundtrip_texts));
	tcase_add_test(tc, test_build_exact);
	tcase_add_test(tc, test_build_emsgsize);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(sdp_parse_suite());
}
