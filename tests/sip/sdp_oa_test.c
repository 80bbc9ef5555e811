/* RFC 3264 offer/answer: answers to real offers, our offers, processing answers. */
#include <errno.h>
#include <string.h>

#include "sdp_testutil.h"

static const struct sdp_caps caps_all = {
	.codecs = { SDP_CODEC_PCMA, SDP_CODEC_PCMU, SDP_CODEC_TEL_EVENT, SDP_CODEC_CLEARMODE },
	.num_codecs = 4,
	.tel_event_pt = 101,
	.clearmode_pt = 97,
	.ptime = 20,
	.t38 = true,
	.t38_params = {
		.present = SDP_T38_VERSION | SDP_T38_MAX_BIT_RATE | SDP_T38_RATE_MGMT | SDP_T38_MAX_BUFFER
			   | SDP_T38_MAX_DATAGRAM | SDP_T38_UDP_EC,
		.version = 0,
		.max_bit_rate = 9600,
		.rate_mgmt = SDP_T38_RM_TRANSFERRED_TCF,
		.max_buffer = 2000,
		.max_datagram = 320,
		.udp_ec = SDP_T38_EC_REDUNDANCY,
	},
	.addr = "192.0.2.10",
	.addr_type = SDP_ADDR_IP4,
	.audio_port = 16000,
	.image_port = 16002,
	.username = "mgcf",
	.session_name = "mgcf",
};

#define OFFER_HDR \
	"v=0\r\no=alice 2890844526 2890844526 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\n"

/* Answer an offer text with caps; returns the built answer text, fills res. */
static char *answer_text(const char *offer_text, const struct sdp_caps *caps, struct sdp_oa_result *res,
			 int expect_rc)
{
	struct sdp_session *offer = sdp_parse_ok(offer_text);
	struct sdp_session *ans = talloc_zero(sdp_ctx, struct sdp_session);
	struct sdp_local_origin lo = { .sess_id = 4242, .sess_version = 7 };
	struct sdp_oa_result res2;
	struct sdp_session *reparsed;
	char *text;

	ck_assert_int_eq(sdp_answer(ans, res, offer, caps, &lo), expect_rc);
	ck_assert(lo.sess_version == 8);
	text = sdp_build_str(ans);
	reparsed = sdp_parse_ok(text);
	/* what we answer is a valid answer to what we got */
	ck_assert_int_eq(sdp_process_answer(&res2, offer, reparsed), 0);
	ck_assert_uint_eq(res2.num_accepted, res->num_accepted);
	ck_assert_uint_eq(reparsed->num_media, offer->num_media);
	return text;
}

START_TEST(test_pcmu_only)
{
	struct sdp_oa_result res;
	char *a = answer_text(OFFER_HDR "m=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n", &caps_all, &res, 0);

	ck_assert_str_eq(a, "v=0\r\n"
			    "o=mgcf 4242 7 IN IP4 192.0.2.10\r\n"
			    "s=mgcf\r\n"
			    "c=IN IP4 192.0.2.10\r\n"
			    "t=0 0\r\n"
			    "m=audio 16000 RTP/AVP 0\r\n"
			    "a=rtpmap:0 PCMU/8000\r\n"
			    "a=ptime:20\r\n"
			    "a=sendrecv\r\n");
	ck_assert_uint_eq(res.num_streams, 1);
	ck_assert_uint_eq(res.num_accepted, 1);
	ck_assert(res.s[0].accepted);
	ck_assert_int_eq(res.s[0].codec, SDP_CODEC_PCMU);
	ck_assert_uint_eq(res.s[0].pt, 0);
	ck_assert_int_eq(res.s[0].tel_event_pt, -1);
	ck_assert(sdp_str_eq(res.s[0].remote_addr, "198.51.100.1"));
	ck_assert_uint_eq(res.s[0].remote_port, 49170);
	ck_assert_int_eq(res.s[0].dir, SDP_DIR_SENDRECV);
}
END_TEST

START_TEST(test_pcma_pcmu_te)
{
	struct sdp_oa_result res;
	/* the offerer prefers PCMU: its order decides, not ours */
	char *a = answer_text(OFFER_HDR "m=audio 49170 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n"
					"a=fmtp:101 0-16\r\na=ptime:30\r\n",
			      &caps_all, &res, 0);

	ck_assert_line(a, "m=audio 16000 RTP/AVP 0 101");
	ck_assert_line(a, "a=rtpmap:0 PCMU/8000");
	ck_assert_line(a, "a=rtpmap:101 telephone-event/8000");
	ck_assert_line(a, "a=fmtp:101 0-15");
	ck_assert_no_line(a, "a=rtpmap:8 PCMA/8000");
	ck_assert_int_eq(res.s[0].codec, SDP_CODEC_PCMU);
	ck_assert_int_eq(res.s[0].tel_event_pt, 101);
	ck_assert_uint_eq(res.s[0].remote_ptime, 30);

	/* PCMA first this time */
	a = answer_text(OFFER_HDR "m=audio 49170 RTP/AVP 8 0 101\r\na=rtpmap:101 telephone-event/8000\r\n", &caps_all,
			&res, 0);
	ck_assert_line(a, "m=audio 16000 RTP/AVP 8 101");
	ck_assert_int_eq(res.s[0].codec, SDP_CODEC_PCMA);
}
END_TEST

START_TEST(test_dynamic_te_pt)
{
	struct sdp_oa_result res;
	char *a = answer_text(OFFER_HDR "m=audio 49170 RTP/AVP 96 8 97 98\r\na=rtpmap:96 AMR/8000\r\n"
					"a=rtpmap:97 telephone-event/8000\r\na=rtpmap:98 CLEARMODE/8000\r\n",
			      &caps_all, &res, 0);

	/* AMR skipped; PCMA chosen; telephone-event keeps the offerer's 97 */
	ck_assert_line(a, "m=audio 16000 RTP/AVP 8 97");
	ck_assert_line(a, "a=rtpmap:97 telephone-event/8000");
	ck_assert_line(a, "a=fmtp:97 0-15");
	ck_assert_int_eq(res.s[0].tel_event_pt, 97);
	ck_assert_uint_eq(res.s[0].pt, 8);
}
END_TEST

START_TEST(test_clearmode)
{
	struct sdp_oa_result res;
	char *a = answer_text(OFFER_HDR "m=audio 49170 RTP/AVP 100\r\na=rtpmap:100 clearmode/8000\r\n", &caps_all,
			      &res, 0);

	ck_assert_line(a, "m=audio 16000 RTP/AVP 100");
	ck_assert_line(a, "a=rtpmap:100 CLEARMODE/8000");
	ck_assert_int_eq(res.s[0].codec, SDP_CODEC_CLEARMODE);
	ck_assert_uint_eq(res.s[0].pt, 100);
}
END_TEST

START_TEST(test_no_common_codec)
{
	struct sdp_oa_result res;
	char *a = answer_text(OFFER_HDR "m=audio 49170 RTP/AVP 96 101\r\na=rtpmap:96 AMR-WB/16000\r\n"
					"a=rtpmap:101 telephone-event/8000\r\nm=video 51372 RTP/AVP 31\r\n",
			      &caps_all, &res, -EPROTO);

	/* every stream rejected with port 0, m= lines kept */
	ck_assert_line(a, "m=audio 0 RTP/AVP 96");
	ck_assert_line(a, "m=video 0 RTP/AVP 31");
	ck_assert_uint_eq(res.num_accepted, 0);
	ck_assert(!res.s[0].accepted);
	ck_assert(!res.s[1].accepted);

	/* PCMU-only offer to a PCMA-only gateway */
	{
		struct sdp_caps c = caps_all;

		c.codecs[0] = SDP_CODEC_PCMA;
		c.codecs[1] = SDP_CODEC_TEL_EVENT;
		c.num_codecs = 2;
		a = answer_text(OFFER_HDR "m=audio 49170 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n", &c,
				&res, -EPROTO);
		ck_assert_line(a, "m=audio 0 RTP/AVP 0");
	}
}
END_TEST

START_TEST(test_t38_image)
{
	struct sdp_oa_result res;
	char *a = answer_text(OFFER_HDR "m=image 4402 udptl t38\r\na=T38FaxVersion:1\r\na=T38MaxBitRate:14400\r\n"
					"a=T38FaxRateManagement:transferredTCF\r\na=T38FaxMaxBuffer:1800\r\n"
					"a=T38FaxMaxDatagram:400\r\na=T38FaxUdpEC:t38UDPFEC\r\n",
			      &caps_all, &res, 0);

	ck_assert_line(a, "m=image 16002 udptl t38");
	ck_assert_line(a, "a=T38FaxVersion:0");
	ck_assert_line(a, "a=T38MaxBitRate:9600");
	ck_assert_line(a, "a=T38FaxRateManagement:transferredTCF");
	ck_assert_line(a, "a=T38FaxMaxBuffer:2000");
	ck_assert_line(a, "a=T38FaxMaxDatagram:320");
	/* we do not do FEC: fall back to redundancy */
	ck_assert_line(a, "a=T38FaxUdpEC:t38UDPRedundancy");
	ck_assert(res.s[0].accepted);
	ck_assert_int_eq(res.s[0].type, SDP_MEDIA_IMAGE);
	ck_assert_uint_eq(res.s[0].remote_port, 4402);
	ck_assert_uint_eq(res.s[0].t38.max_bit_rate, 9600);

	/* T.38 not allowed: rejected */
	{
		struct sdp_caps c = caps_all;

		c.t38 = false;
		a = answer_text(OFFER_HDR "m=image 4402 udptl t38\r\n", &c, &res, -EPROTO);
		ck_assert_line(a, "m=image 0 udptl t38");
	}
}
END_TEST

START_TEST(test_hold)
{
	struct sdp_oa_result res;
	char *a = answer_text(OFFER_HDR "m=audio 49170 RTP/AVP 8\r\na=sendonly\r\n", &caps_all, &res, 0);

	ck_assert_line(a, "a=recvonly");
	ck_assert_int_eq(res.s[0].dir, SDP_DIR_RECVONLY);

	a = answer_text(OFFER_HDR "a=inactive\r\nm=audio 49170 RTP/AVP 8\r\n", &caps_all, &res, 0);
	ck_assert_line(a, "a=inactive");
	a = answer_text(OFFER_HDR "m=audio 49170 RTP/AVP 8\r\na=recvonly\r\n", &caps_all, &res, 0);
	ck_assert_line(a, "a=sendonly");
	ck_assert_int_eq(sdp_dir_answer(SDP_DIR_UNSPEC), SDP_DIR_SENDRECV);

	/* RFC 2543-style hold: c=0.0.0.0 */
	a = answer_text("v=0\r\no=a 1 2 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
			"m=audio 49170 RTP/AVP 8\r\n", &caps_all, &res, 0);
	ck_assert_line(a, "a=recvonly");
	ck_assert_int_eq(res.s[0].dir, SDP_DIR_RECVONLY);
}
END_TEST

START_TEST(test_port0_and_two_mlines)
{
	struct sdp_oa_result res;
	/* a disabled audio stream, a live one, and an image stream */
	char *a = answer_text(OFFER_HDR "m=audio 0 RTP/AVP 0\r\nm=audio 49172 RTP/AVP 8 0\r\nc=IN IP4 198.51.100.9\r\n"
					"m=image 4402 udptl t38\r\n",
			      &caps_all, &res, 0);
	struct sdp_session *s = sdp_parse_ok(a);

	ck_assert_uint_eq(s->num_media, 3);
	ck_assert_uint_eq(s->media[0].port, 0);
	ck_assert_uint_eq(s->media[1].port, 16000);
	ck_assert_uint_eq(s->media[2].port, 16002);
	ck_assert_uint_eq(res.num_accepted, 2);
	ck_assert(!res.s[0].accepted);
	ck_assert(res.s[1].accepted);
	ck_assert(sdp_str_eq(res.s[1].remote_addr, "198.51.100.9"));
	ck_assert_uint_eq(res.s[1].pt, 8);
	ck_assert(res.s[2].accepted);
}
END_TEST

START_TEST(test_savp_rejected)
{
	struct sdp_oa_result res;
	char *a = answer_text(OFFER_HDR "m=audio 49170 RTP/SAVP 8\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:x\r\n",
			      &caps_all, &res, -EPROTO);

	ck_assert_line(a, "m=audio 0 RTP/SAVP 8");
	ck_assert_no_line(a, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:x");
}
END_TEST

START_TEST(test_offer_and_answer)
{
	struct sdp_session *offer = talloc_zero(sdp_ctx, struct sdp_session);
	struct sdp_local_origin lo = { .sess_id = 99, .sess_version = 1 };
	struct sdp_oa_result res;
	struct sdp_session *ans;
	char *text;

	ck_assert_int_eq(sdp_offer(offer, &caps_all, &lo, false, SDP_DIR_SENDRECV), 0);
	text = sdp_build_str(offer);
	ck_assert_str_eq(text, "v=0\r\n"
			       "o=mgcf 99 1 IN IP4 192.0.2.10\r\n"
			       "s=mgcf\r\n"
			       "c=IN IP4 192.0.2.10\r\n"
			       "t=0 0\r\n"
			       "m=audio 16000 RTP/AVP 8 0 101 97\r\n"
			       "a=rtpmap:8 PCMA/8000\r\n"
			       "a=rtpmap:0 PCMU/8000\r\n"
			       "a=rtpmap:101 telephone-event/8000\r\n"
			       "a=rtpmap:97 CLEARMODE/8000\r\n"
			       "a=fmtp:101 0-15\r\n"
			       "a=ptime:20\r\n"
			       "a=sendrecv\r\n");
	/* the next SDP of the dialog has the next version */
	ck_assert(lo.sess_version == 2);

	/* baresip-style answer picking PCMU and keeping telephone-event */
	ans = sdp_parse_ok("v=0\r\no=- 1 2 IN IP4 198.51.100.2\r\ns=-\r\nc=IN IP4 198.51.100.2\r\nt=0 0\r\n"
			   "m=audio 10000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
			   "a=rtpmap:101 telephone-event/8000\r\n"
			   "a=fmtp:101 0-15\r\na=recvonly\r\n");
	ck_assert_int_eq(sdp_process_answer(&res, offer, ans), 0);
	ck_assert_uint_eq(res.num_accepted, 1);
	ck_assert_int_eq(res.s[0].codec, SDP_CODEC_PCMU);
	ck_assert_int_eq(res.s[0].tel_event_pt, 101);
	ck_assert_uint_eq(res.s[0].remote_port, 10000);
	/* they only receive: we only send */
	ck_assert_int_eq(res.s[0].dir, SDP_DIR_SENDONLY);

	/* rejected stream */
	ans = sdp_parse_ok("v=0\r\no=- 1 2 IN IP4 198.51.100.2\r\ns=-\r\nc=IN IP4 198.51.100.2\r\nt=0 0\r\n"
			   "m=audio 0 RTP/AVP 8\r\n");
	ck_assert_int_eq(sdp_process_answer(&res, offer, ans), 0);
	ck_assert_uint_eq(res.num_accepted, 0);
	ck_assert(!res.s[0].accepted);

	/* invalid answers */
	ans = sdp_parse_ok("v=0\r\no=- 1 2 IN IP4 198.51.100.2\r\ns=-\r\nc=IN IP4 198.51.100.2\r\nt=0 0\r\n"
			   "m=audio 10000 RTP/AVP 8\r\nm=audio 10002 RTP/AVP 8\r\n");
	ck_assert_int_eq(sdp_process_answer(&res, offer, ans), -EPROTO);
	ans = sdp_parse_ok("v=0\r\no=- 1 2 IN IP4 198.51.100.2\r\ns=-\r\nc=IN IP4 198.51.100.2\r\nt=0 0\r\n"
			   "m=audio 10000 RTP/AVP 18\r\n");
	ck_assert_int_eq(sdp_process_answer(&res, offer, ans), -EPROTO);
	ans = sdp_parse_ok("v=0\r\no=- 1 2 IN IP4 198.51.100.2\r\ns=-\r\nc=IN IP4 198.51.100.2\r\nt=0 0\r\n"
			   "m=image 10000 udptl t38\r\n");
	ck_assert_int_eq(sdp_process_answer(&res, offer, ans), -EPROTO);
	ans = sdp_parse_ok("v=0\r\no=- 1 2 IN IP4 198.51.100.2\r\ns=-\r\nc=IN IP4 198.51.100.2\r\nt=0 0\r\n");
	ck_assert_int_eq(sdp_process_answer(&res, offer, ans), -EPROTO);
}
END_TEST

START_TEST(test_offer_t38)
{
	struct sdp_session *offer = talloc_zero(sdp_ctx, struct sdp_session);
	struct sdp_local_origin lo = { .sess_id = 99, .sess_version = 5 };
	struct sdp_oa_result res;
	struct sdp_session *ans;
	char *text;

	ck_assert_int_eq(sdp_offer(offer, &caps_all, &lo, true, SDP_DIR_UNSPEC), 0);
	text = sdp_build_str(offer);
	ck_assert_line(text, "o=mgcf 99 5 IN IP4 192.0.2.10");
	ck_assert_line(text, "m=image 16002 udptl t38");
	ck_assert_line(text, "a=T38MaxBitRate:9600");
	ck_assert_line(text, "a=T38FaxUdpEC:t38UDPRedundancy");
	ck_assert_no_line(text, "a=sendrecv");

	ans = sdp_parse_ok("v=0\r\no=- 1 2 IN IP4 198.51.100.2\r\ns=-\r\nc=IN IP4 198.51.100.2\r\nt=0 0\r\n"
			   "m=image 5000 udptl t38\r\na=T38FaxVersion:0\r\na=T38FaxMaxDatagram:200\r\n");
	ck_assert_int_eq(sdp_process_answer(&res, offer, ans), 0);
	ck_assert(res.s[0].accepted);
	ck_assert_uint_eq(res.s[0].t38.max_datagram, 200);

	/* no address: nothing can be built */
	{
		struct sdp_caps c = caps_all;

		c.addr = NULL;
		ck_assert_int_eq(sdp_offer(offer, &c, &lo, false, SDP_DIR_SENDRECV), -EINVAL);
		ck_assert_int_eq(sdp_answer(offer, &res, ans, &c, &lo), -EINVAL);
	}

	/* no audio codec: no offer */
	{
		struct sdp_caps c = caps_all;

		c.codecs[0] = SDP_CODEC_TEL_EVENT;
		c.num_codecs = 1;
		ck_assert_int_eq(sdp_offer(offer, &c, &lo, false, SDP_DIR_SENDRECV), -EINVAL);
	}
}
END_TEST

static Suite *sdp_oa_suite(void)
{
	Suite *s = suite_create("sdp_oa");
	TCase *tc = tcase_create("oa");

	tcase_add_checked_fixture(tc, sdp_test_setup, sdp_test_teardown);
	tcase_add_test(tc, test_pcmu_only);
	tcase_add_test(tc, test_pcma_pcmu_te);
	tcase_add_test(tc, test_dynamic_te_pt);
	tcase_add_test(tc, test_clearmode);
	tcase_add_test(tc, test_no_common_codec);
	tcase_add_test(tc, test_t38_image);
	tcase_add_test(tc, test_hold);
	tcase_add_test(tc, test_port0_and_two_mlines);
	tcase_add_test(tc, test_savp_rejected);
	tcase_add_test(tc, test_offer_and_answer);
	tcase_add_test(tc, test_offer_t38);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(sdp_oa_suite());
}
