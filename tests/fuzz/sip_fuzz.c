/* libFuzzer harness for the SIP message parser, the header/URI parsers and the builder.
 *
 * Each input is parsed as a datagram and as a stream.  On success every typed accessor and the URI parser run on
 * what was found, and a response is built from a request and parsed again: a response to a valid request must
 * itself be valid, so a failure there is a bug and aborts.  A refused but routable request gets its 400/505/513.
 * A parsed message is also kept with sip_msg_copy(), as a server transaction keeps its request, from octets that
 * are freed before the copy is used: a slice left pointing into them is a use after free for the sanitizer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>
#include <osmocom/core/msgb.h>

#include "sip/sip_msg.h"
#include "sip/sip_build.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise_uri(struct sip_str s)
{
	struct sip_uri u;
	struct sip_param prm;
	struct sip_str rest;
	char buf[256];

	if (sip_uri_parse(&u, s, NULL) < 0)
		return;
	sip_unescape(buf, sizeof(buf), u.user);
	sip_unescape(buf, sizeof(buf), u.password);
	rest = u.params;
	while (sip_param_next(&rest, &prm) > 0)
		;
	sip_param_find(u.params, "transport", NULL);
}

static void exercise_name_addr(const struct sip_name_addr *na)
{
	char buf[256];

	sip_unquote(buf, sizeof(buf), na->display);
	if (!na->wildcard)
		exercise_uri(na->uri);
	sip_name_addr_tag(na, NULL);
}

static void exercise_headers(const struct sip_msg *msg)
{
	struct sip_session_expires se;
	struct sip_retry_after ra;
	struct sip_media_type mt;
	struct sip_name_addr na;
	struct sip_contact ct;
	struct sip_hdr_iter it;
	struct sip_reason r;
	struct sip_event ev;
	struct sip_rack rack;
	struct sip_via via;
	struct sip_str e;
	uint32_t u32;
	int id;

	for (id = SIP_HDR_OTHER + 1; id < _NUM_SIP_HDR; id++) {
		sip_hdr_iter_init(&it, msg, id);
		while (sip_hdr_iter_next(&it, &e) > 0) {
			switch (id) {
			case SIP_HDR_VIA:
				if (sip_via_parse(&via, e) == 0)
					sip_via_branch_is_rfc3261(&via);
				break;
			case SIP_HDR_CONTACT:
				if (sip_contact_parse(&ct, e) == 0)
					exercise_name_addr(&ct.na);
				break;
			case SIP_HDR_ROUTE:
			case SIP_HDR_RECORD_ROUTE:
			case SIP_HDR_P_ASSERTED_IDENTITY:
			case SIP_HDR_P_PREFERRED_IDENTITY:
			case SIP_HDR_REFER_TO:
			case SIP_HDR_REFERRED_BY:
				if (sip_name_addr_parse(&na, e, false) == 0)
					exercise_name_addr(&na);
				break;
			case SIP_HDR_ACCEPT:
				sip_media_type_parse(&mt, e, true);
				break;
			case SIP_HDR_REASON:
				if (sip_reason_parse(&r, e) == 0) {
					char buf[128];

					sip_unquote(buf, sizeof(buf), r.text);
				}
				break;
			default:
				sip_token_parse(e);
				break;
			}
		}
	}
	sip_msg_rseq(msg, &u32);
	sip_msg_rack(msg, &rack);
	sip_msg_session_expires(msg, &se);
	sip_msg_min_se(msg, &se);
	sip_msg_event(msg, &ev);
	sip_msg_content_type(msg, &mt);
	sip_msg_retry_after(msg, &ra);
	sip_msg_privacy(msg, &u32);
	sip_msg_reason(msg, "Q.850", &r);
	sip_msg_expires(msg, &u32);
	sip_msg_has_option_tag(msg, SIP_HDR_REQUIRE, "100rel");
	sip_msg_allows(msg, SIP_METHOD_UPDATE);
	{
		static const char *const ours[] = { "100rel", "precondition", "timer", NULL };
		struct sip_str tag;

		sip_msg_unsupported_tag(msg, SIP_HDR_REQUIRE, ours, &tag);
		sip_msg_accepts(msg, "application", "sdp");
	}
	sip_msg_find_hdr(msg, "X-Unknown");
	if (msg->num_hdrs)
		sip_msg_find_next_hdr(msg, &msg->hdrs[0]);
}

static void check_response(const struct sip_msg *req, const struct sip_parse_err *perr)
{
	struct msgb *m = msgb_alloc_c(NULL, 8192, "sip_fuzz");
	/* the response can have one header more than the request (Content-Length) */
	struct sip_hdr hdrs[65];
	struct sip_parse_err err;
	struct sip_msg rsp;
	int rc;

	if (!m)
		return;
	if (perr) {
		sip_build_error_response(m, req, perr, "fuzztag");
		msgb_free(m);
		return;
	}
	rc = sip_build_response(m, req, 200, NULL, "fuzztag");
	if (rc == 0)
		rc = sip_build_no_body(m);
	if (rc == 0) {
		sip_msg_init(&rsp, hdrs, ARRAY_SIZE(hdrs));
		if (sip_msg_parse(&rsp, (const char *)msgb_data(m), msgb_length(m), NULL, &err) != 0)
			abort();
		if (rsp.status != 200 || rsp.cseq.num != req->cseq.num || rsp.num_via != req->num_via)
			abort();
	}
	msgb_free(m);
}

static void check_copy(const uint8_t *data, size_t len)
{
	struct sip_parse_opts dgram = { .datagram = true, .max_size = 65535 };
	char *dup = malloc(len ? len : 1);
	struct sip_hdr hdrs[64];
	struct sip_parse_err err;
	struct sip_msg orig, *kept;

	if (!dup)
		return;
	memcpy(dup, data, len);
	sip_msg_init(&orig, hdrs, 64);
	if (sip_msg_parse(&orig, dup, len, &dgram, &err) != 0) {
		free(dup);
		return;
	}
	kept = sip_msg_alloc_with_buf(NULL, orig.num_hdrs ? orig.num_hdrs : 1, dup, orig.len);
	if (!kept || sip_msg_copy(kept, &orig, kept->buf) != 0)
		abort();
	free(dup);
	if (memcmp(kept->buf, data, kept->len) != 0)
		abort();
	exercise_headers(kept);
	exercise_name_addr(&kept->from);
	exercise_name_addr(&kept->to);
	if (kept->is_request) {
		exercise_uri(kept->ruri);
		check_response(kept, NULL);
	}
	talloc_free(kept);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_parse_opts dgram = { .datagram = true, .max_size = 65535 };
	struct sip_parse_opts stream = { .datagram = false, .max_size = 65535 };
	struct sip_hdr hdrs[64];
	struct sip_parse_err err;
	struct sip_msg msg;
	int rc;

	sip_msg_init(&msg, hdrs, 64);
	rc = sip_msg_parse(&msg, (const char *)data, size, &stream, &err);
	if (rc == 0 && msg.len > size)
		abort();

	rc = sip_msg_parse(&msg, (const char *)data, size, &dgram, &err);
	if (rc == 0) {
		if (msg.len > size || msg.body.p + msg.body.len > (const char *)data + size)
			abort();
		exercise_headers(&msg);
		exercise_name_addr(&msg.from);
		exercise_name_addr(&msg.to);
		if (msg.is_request) {
			exercise_uri(msg.ruri);
			check_response(&msg, NULL);
		}
		check_copy(data, msg.len);
	} else if (err.routable && msg.is_request) {
		check_response(&msg, &err);
	}
	return 0;
}
