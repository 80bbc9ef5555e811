/* Fuzz harness for the RTP, RTCP and RFC 4733 decoders.
 *
 * The first octet picks the decoder.  Whatever decodes is built again and decoded again; abort() if the
 * second decode fails or differs (the builders drop padding, so the RTP comparison is field by field). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <osmocom/core/msgb.h>

#include "media/rtp_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msgb *msg;

	if (size < 1)
		return 0;
	msg = msgb_alloc(size + 1024, "fuzz");
	if (!msg)
		return 0;
	switch (data[0] % 3) {
	case 0: {
		struct rtp_hdr h, h2;
		if (rtp_parse(data + 1, size - 1, &h, NULL) < 0)
			break;
		if (rtp_build(msg, &h, h.payload, h.payload_len) < 0)
			abort();
		if (rtp_parse(msgb_data(msg), msgb_length(msg), &h2, NULL) < 0)
			abort();
		if (h2.seq != h.seq || h2.ts != h.ts || h2.ssrc != h.ssrc || h2.pt != h.pt || h2.marker != h.marker ||
		    h2.csrc_count != h.csrc_count || h2.payload_len != h.payload_len || h2.ext_len != h.ext_len ||
		    memcmp(h2.payload, h.payload, h.payload_len))
			abort();
		break;
	}
	case 1: {
		struct rtcp_info info, info2;
		if (rtcp_parse(data + 1, size - 1, &info, NULL) < 0)
			break;
		if (info.num_reports > 1)
			info.num_reports = 1;
		if (info.cname_len > 0) {
			/* the builder takes a C string */
			char cname[256];
			memcpy(cname, info.cname, info.cname_len);
			cname[info.cname_len] = 0;
			if (strlen(cname) != info.cname_len)
				break;
			if (rtcp_build_report(msg, info.has_sr, &info, cname) < 0)
				abort();
		} else if (rtcp_build_report(msg, info.has_sr, &info, NULL) < 0) {
			abort();
		}
		if (rtcp_parse(msgb_data(msg), msgb_length(msg), &info2, NULL) < 0)
			abort();
		if (info2.ssrc != info.ssrc || info2.num_reports != info.num_reports || info2.has_sr != info.has_sr)
			abort();
		if (info.num_reports && info2.reports[0].cum_lost != info.reports[0].cum_lost)
			abort();
		break;
	}
	default: {
		struct rtp_event ev, ev2;
		if (rtp_event_parse(data + 1, size - 1, &ev, NULL) < 0)
			break;
		if (rtp_event_build(msg, &ev) < 0)
			abort();
		if (rtp_event_parse(msgb_data(msg), msgb_length(msg), &ev2, NULL) < 0 || ev.event != ev2.event ||
		    ev.end != ev2.end || ev.volume != ev2.volume || ev.duration != ev2.duration)
			abort();
		break;
	}
	}
	msgb_free(msg);
	return 0;
}
