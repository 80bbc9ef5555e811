/* Fuzz harness for the SDP parser, builder and answer generator.
 *
 * Parse the input; if it parses, build it, re-parse the result and abort() if that
 * fails or differs from the first parse; then answer it as an offer, build and
 * re-parse the answer, check it against the offer as an answer, and feed it to the
 * precondition tables. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/msgb.h>
#include <talloc.h>

#include "sip/sdp.h"
#include "sip/sdp_precond.h"
#include "../sip/sdp_compare.h"

static const struct sdp_caps caps = {
	.codecs = { SDP_CODEC_PCMA, SDP_CODEC_PCMU, SDP_CODEC_TEL_EVENT, SDP_CODEC_CLEARMODE },
	.num_codecs = 4,
	.tel_event_pt = 101,
	.clearmode_pt = 97,
	.ptime = 20,
	.t38 = true,
	.t38_params = {
		.present = SDP_T38_VERSION | SDP_T38_MAX_BIT_RATE | SDP_T38_RATE_MGMT | SDP_T38_MAX_BUFFER
			   | SDP_T38_MAX_DATAGRAM | SDP_T38_UDP_EC,
		.version = 0, .max_bit_rate = 14400, .rate_mgmt = SDP_T38_RM_TRANSFERRED_TCF,
		.max_buffer = 2000, .max_datagram = 400, .udp_ec = SDP_T38_EC_REDUNDANCY,
	},
	.addr = "192.0.2.10",
	.addr_type = SDP_ADDR_IP4,
	.audio_port = 16000,
	.image_port = 16002,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct work {
	struct sdp_session a, b, ans, ans2;
	struct sdp_oa_result res, res2;
	struct sdp_precond pc;
};

static struct msgb *build(const struct sdp_session *s)
{
	struct msgb *msg = msgb_alloc(60000, "sdp_fuzz");

	if (!msg)
		abort();
	if (sdp_build(msg, s) != 0)
		abort();
	return msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdp_local_origin lo = { .sess_id = 1, .sess_version = 1 };
	struct sdp_parse_err err;
	struct work *w;
	struct msgb *msg, *msg2;
	int rc;

	if (size > 16384)
		return 0;
	w = malloc(sizeof(*w));
	if (!w)
		abort();
	if (sdp_parse(&w->a, (const char *)data, size, &err) != 0) {
		free(w);
		return 0;
	}
	msg = build(&w->a);
	if (sdp_parse(&w->b, (const char *)msgb_data(msg), msgb_length(msg), &err) != 0)
		abort();
	if (sdp_compare(&w->a, &w->b))
		abort();

	rc = sdp_answer(&w->ans, &w->res, &w->a, &caps, &lo);
	if (rc != 0 && rc != -EPROTO)
		abort();
	if (w->ans.num_media != w->a.num_media)
		abort();
	msg2 = build(&w->ans);
	if (sdp_parse(&w->ans2, (const char *)msgb_data(msg2), msgb_length(msg2), &err) != 0)
		abort();
	/* our own answer must be a valid answer to the offer */
	if (sdp_process_answer(&w->res2, &w->a, &w->ans2) != 0)
		abort();
	if (w->res2.num_accepted != w->res.num_accepted)
		abort();

	sdp_precond_init(&w->pc);
	sdp_precond_update(&w->pc, &w->a);
	(void)sdp_precond_met(&w->pc);
	(void)sdp_precond_failed(&w->pc);
	if (sdp_precond_write(&w->pc, &w->ans, false) == 0) {
		msgb_free(msg2);
		msg2 = build(&w->ans);
		if (sdp_parse(&w->ans2, (const char *)msgb_data(msg2), msgb_length(msg2), &err) != 0)
			abort();
	}

	msgb_free(msg2);
	msgb_free(msg);
	free(w);
	return 0;
}
