/* Benchmark: SIP messages parsed per second, for a typical IMS INVITE with SDP (~930 bytes, 14 headers), including
 * the typed parsing of Via, From, To, CSeq, Call-ID, Max-Forwards, Content-Length and Contact that every parse
 * does, plus the Request-URI check.  Target (issue): >= 500,000 per second on one core. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/sip_msg.h"
#include "sip_bench.h"

#define RUNS 5
#define TARGET 5e5

static const char invite[] =
	"INVITE tel:+4930999888 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP pcscf.ims.example.net:5060;branch=z9hG4bK7a3f92c1e0d;rport\r\n"
	"Max-Forwards: 69\r\n"
	"From: \"Alice\" <sip:+4930555123@ims.example.net;user=phone>;tag=9fxced76sl\r\n"
	"To: <tel:+4930999888>\r\n"
	"Call-ID: 3848276298220188511@pcscf.ims.example.net\r\n"
	"CSeq: 1 INVITE\r\n"
	"Contact: <sip:+4930555123@192.0.2.10:5060;transport=udp>\r\n"
	"Supported: 100rel, precondition, timer\r\n"
	"Require: precondition\r\n"
	"P-Asserted-Identity: <sip:+4930555123@ims.example.net;user=phone>\r\n"
	"Privacy: none\r\n"
	"Allow: INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, OPTIONS\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 325\r\n"
	"\r\n"
	"v=0\r\n"
	"o=- 8000 8000 IN IP4 192.0.2.10\r\n"
	"s=-\r\n"
	"c=IN IP4 192.0.2.10\r\n"
	"t=0 0\r\n"
	"m=audio 49170 RTP/AVP 8 0 101\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-15\r\n"
	"a=curr:qos local none\r\n"
	"a=curr:qos remote none\r\n"
	"a=des:qos mandatory local sendrecv\r\n"
	"a=des:qos none remote sendrecv\r\n"
	"a=sendrecv\r\n"
;

int main(void)
{
	struct sip_parse_opts opts = { .datagram = true, .max_size = 65535 };
	struct sip_hdr hdrs[64];
	struct sip_parse_err err;
	struct sip_msg msg;
	double rates[RUNS];
	unsigned long sink = 0;
	int r;

	sip_msg_init(&msg, hdrs, 64);
	if (sip_msg_parse(&msg, invite, sizeof(invite) - 1, &opts, &err) != 0 || msg.num_hdrs != 14) {
		fprintf(stderr, "benchmark message does not parse: %s\n", err.reason ? err.reason : "?");
		return 1;
	}
	for (r = 0; r < RUNS; r++) {
		unsigned long n = 0, i;
		double t0 = bench_cpu_now(), t;

		do {
			for (i = 0; i < 10000; i++) {
				sip_msg_parse(&msg, invite, sizeof(invite) - 1, &opts, &err);
				sink += msg.cseq.num + msg.via.branch.len + msg.to.uri.len + msg.from_tag.len;
			}
			n += i;
			t = bench_cpu_now() - t0;
		} while (t < 0.4);
		rates[r] = n / t;
	}
	qsort(rates, RUNS, sizeof(rates[0]), bench_cmp_double);
	printf("sip_parse_invite (%zu bytes, %u headers): %.2e msg/s per CPU-second "
	       "(median of %d, min %.2e, max %.2e); "
	       "target %.1e: %s\n", sizeof(invite) - 1, msg.num_hdrs, rates[RUNS / 2], RUNS, rates[0], rates[RUNS - 1],
	       TARGET, rates[RUNS / 2] >= TARGET ? "met" : "NOT met");
	return sink == 0;
}
