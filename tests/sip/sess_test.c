/* Sessions and dialogs with fake time: messages go in through the transport's datagram path (sip_tp_inject())
 * and come out through its transmit hook, so core, transactions, dialogs and the sip_sess FSM all run. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <talloc.h>
#include <osmocom/core/fsm.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/timer.h>

#include <mgcf/log.h>
#include "sip/sip_build.h"
#include "sip/sip_dialog.h"
#include "sip/sip_identity.h"
#include "sip/sip_nexthop.h"
#include "sip/sip_sess.h"
#include "testlib.h"

#define MAX_TX 128

static struct sip_cfg cfg;
static struct sip_sess_ua *ua;
static void *tx_ctx;
static char *tx[MAX_TX];
static unsigned long tx_at[MAX_TX];
static char *tx_dst[MAX_TX];
static unsigned int n_tx;
static char *ev;			/* upper-layer events, "incoming;progress 183 r;..." */
static struct sip_sess *sess;
static bool auto_answer_offer;
static const char *answer_sdp;

static const char sdp_a[] = "v=0\r\no=a 1 1 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\n"
			    "m=audio 4000 RTP/AVP 8\r\n";
static const char sdp_b[] = "v=0\r\no=b 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
			    "m=audio 5000 RTP/AVP 8\r\n";
static const char sdp_pre[] = "v=0\r\no=b 1 2 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
			      "m=audio 5000 RTP/AVP 8\r\na=curr:qos local none\r\na=curr:qos remote none\r\n"
			      "a=des:qos mandatory local sendrecv\r\na=des:qos mandatory remote sendrecv\r\n";

static unsigned long now_ms(void)
{
	struct timeval tv;

	osmo_gettimeofday(&tv, NULL);
	return tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void tx_hook(void *priv, const struct sip_addr *dst, struct msgb *msg)
{
	ck_assert_uint_lt(n_tx, MAX_TX);
	tx[n_tx] = talloc_strndup(tx_ctx, (const char *)msgb_data(msg), msgb_length(msg));
	tx_at[n_tx] = now_ms();
	tx_dst[n_tx] = talloc_strdup(tx_ctx, osmo_sockaddr_to_str(&dst->remote));
	n_tx++;
	msgb_free(msg);
}

static void evf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void evf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ev = talloc_vasprintf_append(ev, fmt, ap);
	va_end(ap);
	ev = talloc_strdup_append(ev, ";");
}

static void op_incoming(void *ua_priv, struct sip_sess *s, const struct sip_sess_info *info)
{
	sess = s;
	evf("incoming%s", info->sdp.len ? " sdp" : "");
}

static void op_progress(struct sip_sess *s, void *priv, const struct sip_sess_info *info)
{
	evf("progress %u%s", info->status, info->reliable ? " r" : "");
}

static void op_established(struct sip_sess *s, void *priv, const struct sip_sess_info *info)
{
	evf("established");
}

static void op_offer(struct sip_sess *s, void *priv, const struct sip_sess_info *info)
{
	evf("offer %.*s%s", SIP_STR_FMT(info->msg->method), info->sdp.len ? " sdp" : "");
	if (auto_answer_offer)
		sip_sess_answer(s, answer_sdp);
}

static void op_answer(struct sip_sess *s, void *priv, const struct sip_sess_info *info)
{
	evf("answer");
}

static void op_offer_failed(struct sip_sess *s, void *priv, uint16_t status)
{
	evf("offer_failed %u", status);
}

static void op_ended(struct sip_sess *s, void *priv, const struct sip_sess_info *info)
{
	evf("ended %s %u %s", get_value_string(sip_sess_end_cause_names, info->cause), info->status,
	    info->by_remote ? "remote" : "local");
	if (info->id.has_reason_q850)
		evf("q850 %u", info->id.reason_q850.cause);
	if (s == sess)
		sess = NULL;
}

static const struct sip_sess_ops ops = {
	.incoming = op_incoming,
	.progress = op_progress,
	.established = op_established,
	.offer = op_offer,
	.answer = op_answer,
	.offer_failed = op_offer_failed,
	.ended = op_ended,
};

static void ua_start(void)
{
	ua = sip_sess_ua_alloc(test_ctx, &cfg, &ops, NULL);
	ck_assert_ptr_nonnull(ua);
	sip_tp_set_tx_hook(sip_core_tp(sip_sess_ua_core(ua)), tx_hook, NULL);
	sip_sess_ua_set_contact(ua, "192.0.2.1", 5060);
}

static void setup(void)
{
	test_setup();
	memset(&cfg, 0, sizeof(cfg));
	INIT_LLIST_HEAD(&cfg.next_hops);
	cfg.max_message_size = 8192;
	cfg.rel100 = SIP_EXT_SUPPORTED;
	cfg.precondition = SIP_EXT_SUPPORTED;
	cfg.session_timer = SIP_EXT_SUPPORTED;
	cfg.session_expires_s = 1800;
	cfg.min_se_s = 90;
	cfg.domain = "192.0.2.1";
	tx_ctx = talloc_named_const(NULL, 0, "tx");
	ev = talloc_strdup(tx_ctx, "");
	n_tx = 0;
	sess = NULL;
	auto_answer_offer = false;
	answer_sdp = sdp_b;
	ua = NULL;
}

static void teardown(void)
{
	/* every event reached a state that expects it */
	ck_assert_msg(!test_log_contains("not permitted"), "FSM event not permitted:\n%s", test_log());
	sip_sess_ua_free(ua);
	ua = NULL;
	talloc_free(tx_ctx);
	test_teardown();
}

static void run_ms(unsigned long ms)
{
	unsigned long i;

	for (i = 0; i < ms; i += 10)
		test_time_advance(0, 10000);
}

static struct sip_addr peer(void)
{
	struct sip_addr a = { .proto = SIP_TRANSPORT_UDP };

	a.remote.u.sin.sin_family = AF_INET;
	a.remote.u.sin.sin_port = htons(5099);
	inet_pton(AF_INET, "192.0.2.5", &a.remote.u.sin.sin_addr);
	return a;
}

static void inject_raw(const char *s)
{
	struct sip_addr src = peer();

	sip_tp_inject(sip_core_tp(sip_sess_ua_core(ua)), &src, s, strlen(s));
}

/* A message with its Content-Length computed: hdrs end with \r\n, body may be NULL. */
static void inject_msg(const char *hdrs, const char *body)
{
	char *s = talloc_asprintf(tx_ctx, "%s%sContent-Length: %zu\r\n\r\n%s", hdrs,
				  body ? "Content-Type: application/sdp\r\n" : "", body ? strlen(body) : 0,
				  body ? body : "");
	inject_raw(s);
	talloc_free(s);
}

static unsigned int tx_count(const char *prefix)
{
	unsigned int i, n = 0;

	for (i = 0; i < n_tx; i++)
		if (!strncmp(tx[i], prefix, strlen(prefix)))
			n++;
	return n;
}

/* The idx-th (0 first, -1 last) message sent that starts with prefix. */
static const char *tx_get(const char *prefix, int idx)
{
	int i, n = 0, last = -1;

	for (i = 0; i < (int)n_tx; i++) {
		if (strncmp(tx[i], prefix, strlen(prefix)))
			continue;
		if (n++ == idx)
			return tx[i];
		last = i;
	}
	if (idx < 0 && last >= 0)
		return tx[last];
	ck_abort_msg("no message \"%s\" #%d sent", prefix, idx);
	return NULL;
}

static int tx_index(const char *prefix, int idx)
{
	const char *m = tx_get(prefix, idx);
	unsigned int i;

	for (i = 0; i < n_tx; i++)
		if (tx[i] == m)
			return i;
	return -1;
}

static struct sip_msg *parse(const char *s);

/* Index of the first message sent that starts with prefix and has this CSeq, -1 if none. */
static int tx_with(const char *prefix, const char *cseq)
{
	unsigned int i;

	for (i = 0; i < n_tx; i++) {
		struct sip_msg *m;

		if (strncmp(tx[i], prefix, strlen(prefix)))
			continue;
		m = parse(tx[i]);
		if (sip_str_eq(sip_msg_hdr(m, SIP_HDR_CSEQ)->value, cseq))
			return i;
	}
	return -1;
}

static struct sip_msg *parse(const char *s)
{
	struct sip_msg *m = sip_msg_alloc(tx_ctx, 64);
	struct sip_parse_err err;

	ck_assert_int_eq(sip_msg_parse(m, s, strlen(s), NULL, &err), 0);
	return m;
}

/* Value of header name in message s, "" if absent (talloc'd). */
static char *hdr(const char *s, const char *name)
{
	struct sip_msg *m = parse(s);
	const struct sip_hdr *h = sip_msg_find_hdr(m, name);

	return h ? talloc_strndup(tx_ctx, h->value.p, h->value.len) : talloc_strdup(tx_ctx, "");
}

static char *body(const char *s)
{
	struct sip_msg *m = parse(s);

	return talloc_strndup(tx_ctx, m->body.p, m->body.len);
}

/* A response from the peer to a request we sent (Via, From, To, Call-ID, CSeq copied), with a To tag. */
static void respond_to(const char *req_text, uint16_t status, const char *to_tag, const char *extra, const char *sdp)
{
	struct sip_msg *req = parse(req_text);
	struct msgb *m = msgb_alloc(8192, "peer-rsp");
	char *s;

	ck_assert_int_eq(sip_build_response(m, req, status, NULL, to_tag), 0);
	if (extra)
		memcpy(msgb_put(m, strlen(extra)), extra, strlen(extra));
	if (sdp)
		ck_assert_int_eq(sip_build_body(m, "application/sdp", sdp, strlen(sdp)), 0);
	else
		ck_assert_int_eq(sip_build_no_body(m), 0);
	s = talloc_strndup(tx_ctx, (const char *)msgb_data(m), msgb_length(m));
	msgb_free(m);
	inject_raw(s);
}

static bool ev_has(const char *needle)
{
	return strstr(ev, needle) != NULL;
}

#define ck_ev(needle) ck_assert_msg(ev_has(needle), "event \"%s\" missing in \"%s\"", needle, ev)
#define ck_no_ev(needle) ck_assert_msg(!ev_has(needle), "event \"%s\" unexpected in \"%s\"", needle, ev)

/* ---- the peer as UAC (our session is UAS) ------------------------------------------------------------------ */

static void peer_invite(const char *extra, const char *sdp)
{
	char *h = talloc_asprintf(tx_ctx,
				  "INVITE sip:bob@192.0.2.1 SIP/2.0\r\n"
				  "Via: SIP/2.0/UDP 192.0.2.5:5099;branch=z9hG4bKinv1;rport\r\n"
				  "Max-Forwards: 70\r\nFrom: <sip:alice@192.0.2.5>;tag=peer1\r\n"
				  "To: <sip:bob@192.0.2.1>\r\nCall-ID: call-1@192.0.2.5\r\nCSeq: 1 INVITE\r\n"
				  "Contact: <sip:alice@192.0.2.5:5099>\r\n"
				  "Allow: INVITE, ACK, CANCEL, BYE, PRACK, UPDATE\r\n%s",
				  extra ? extra : "");
	inject_msg(h, sdp);
	talloc_free(h);
}

/* Our To tag, from the last response we sent. */
static char *our_tag(void)
{
	struct sip_msg *m = parse(tx_get("SIP/2.0 ", -1));

	return talloc_strndup(tx_ctx, m->to_tag.p, m->to_tag.len);
}

static void peer_req(const char *method, unsigned int cseq, const char *branch, const char *extra, const char *sdp)
{
	char *h = talloc_asprintf(tx_ctx,
				  "%s sip:mgcf@192.0.2.1:5060 SIP/2.0\r\n"
				  "Via: SIP/2.0/UDP 192.0.2.5:5099;branch=z9hG4bK%s;rport\r\n"
				  "Max-Forwards: 70\r\nFrom: <sip:alice@192.0.2.5>;tag=peer1\r\n"
				  "To: <sip:bob@192.0.2.1>;tag=%s\r\nCall-ID: call-1@192.0.2.5\r\nCSeq: %u %s\r\n"
				  "Contact: <sip:alice@192.0.2.5:5099>\r\n%s",
				  method, branch, our_tag(), cseq, !strcmp(method, "ACK") ? "ACK" : method,
				  extra ? extra : "");
	inject_msg(h, sdp);
	talloc_free(h);
}

START_TEST(uas_basic_call)
{
	ua_start();
	peer_invite(NULL, sdp_a);
	ck_ev("incoming sdp");
	ck_assert_ptr_nonnull(sess);
	/* the session's FSM is named after the Call-ID, '.' (not allowed in an id) replaced by '-' */
	ck_assert_msg(test_log_contains("sip_sess(in-call-1@192-0-2-5)"), "%s", test_log());
	ck_assert_uint_eq(tx_count("SIP/2.0 100"), 1);
	ck_assert_int_eq(sip_sess_oa_state(sess), SIP_SESS_OA_REMOTE_OFFER);
	ck_assert_int_eq(sip_sess_progress(sess, 180, NULL, false), 0);
	ck_assert_int_eq(sip_sess_state(sess), SIP_SESS_ST_IN_EARLY);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 180", 0), "RSeq"), "");
	ck_assert_int_eq(sip_sess_accept(sess, sdp_b), 0);
	ck_assert_str_eq(body(tx_get("SIP/2.0 200", 0)), sdp_b);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 200", 0), "Contact"), "<sip:mgcf@192.0.2.1:5060>");
	ck_assert_int_eq(sip_sess_state(sess), SIP_SESS_ST_IN_WAIT_ACK);
	ck_assert_int_eq(sip_sess_oa_state(sess), SIP_SESS_OA_NONE);
	/* the 2xx is retransmitted over UDP until the ACK (T1, 2*T1 ...) */
	run_ms(600);
	ck_assert_uint_eq(tx_count("SIP/2.0 200"), 2);
	peer_req("ACK", 1, "ack1", NULL, NULL);
	ck_ev("established");
	ck_assert_int_eq(sip_sess_state(sess), SIP_SESS_ST_CONFIRMED);
	run_ms(4000);
	ck_assert_uint_eq(tx_count("SIP/2.0 200"), 2);
	/* a retransmitted ACK is absorbed */
	peer_req("ACK", 1, "ack1", NULL, NULL);
	ck_assert_uint_eq(tx_count("SIP/2.0 200"), 2);
	peer_req("BYE", 2, "bye1", "Reason: Q.850;cause=16\r\n", NULL);
	ck_ev("ended bye 0 remote;q850 16");
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 200", -1), "CSeq"), "2 BYE");
	ck_assert_uint_eq(sip_sess_ua_count(ua), 0);
	ck_assert_uint_eq(sip_sess_ua_ctr(ua, SIP_SESS_CTR_IN), 1);
	ck_assert_uint_eq(sip_sess_ua_ctr(ua, SIP_SESS_CTR_ESTABLISHED), 1);
	ck_assert_uint_eq(sip_sess_ua_ctr(ua, SIP_SESS_CTR_BYE), 1);
	ck_assert_uint_eq(sip_sess_ua_ctr(ua, SIP_SESS_CTR_OUT), 0);
}
END_TEST

START_TEST(uas_reliable_1xx_prack_then_200)
{
	const char *r;

	ua_start();
	peer_invite("Supported: 100rel, precondition\r\n", sdp_a);
	ck_assert_int_eq(sip_sess_progress(sess, 183, sdp_pre, true), 0);
	r = tx_get("SIP/2.0 183", 0);
	ck_assert_str_eq(hdr(r, "Require"), "100rel, precondition");
	ck_assert_str_eq(hdr(r, "RSeq"), "1");
	ck_assert_str_eq(body(r), sdp_pre);
	ck_assert_int_eq(sip_sess_oa_state(sess), SIP_SESS_OA_NONE);	/* answered reliably */
	/* RFC 3262 §3: retransmitted at T1, 2*T1, 4*T1 ... */
	run_ms(510);
	ck_assert_uint_eq(tx_count("SIP/2.0 183"), 2);
	run_ms(1000);
	ck_assert_uint_eq(tx_count("SIP/2.0 183"), 3);
	run_ms(2000);
	ck_assert_uint_eq(tx_count("SIP/2.0 183"), 4);
	/* the 200 waits for the PRACK */
	ck_assert_int_eq(sip_sess_accept(sess, sdp_b), 0);
	ck_assert_uint_eq(tx_count("SIP/2.0 200"), 0);
	/* a PRACK naming another RSeq matches nothing */
	peer_req("PRACK", 2, "prack0", "RAck: 2 1 INVITE\r\n", NULL);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 481", 0), "CSeq"), "2 PRACK");
	peer_req("PRACK", 3, "prack1", "RAck: 1 1 INVITE\r\n", NULL);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 200", 0), "CSeq"), "3 PRACK");
	r = tx_get("SIP/2.0 200", 1);
	ck_assert_str_eq(hdr(r, "CSeq"), "1 INVITE");
	ck_assert_str_eq(body(r), "");	/* the answer went in the reliable 183 */
	/* no more 183 retransmissions */
	run_ms(8000);
	ck_assert_uint_eq(tx_count("SIP/2.0 183"), 4);
	peer_req("ACK", 1, "ack1", NULL, NULL);
	ck_ev("established");
}
END_TEST

START_TEST(uas_reliable_1xx_give_up)
{
	ua_start();
	peer_invite("Require: 100rel\r\n", sdp_a);
	/* the peer requires 100rel: even a 180 asked for unreliably goes reliably */
	ck_assert_int_eq(sip_sess_progress(sess, 180, NULL, false), 0);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 180", 0), "RSeq"), "1");
	run_ms(31000);
	ck_assert_uint_eq(tx_count("SIP/2.0 500"), 0);
	ck_assert_uint_ge(tx_count("SIP/2.0 180"), 8);
	run_ms(1100);
	ck_assert_uint_eq(tx_count("SIP/2.0 500"), 1);
	ck_ev("ended no-prack 500 local");
	ck_assert_uint_eq(sip_sess_ua_ctr(ua, SIP_SESS_CTR_NO_PRACK), 1);
	ck_assert_uint_eq(sip_sess_ua_ctr(ua, SIP_SESS_CTR_REL1XX_RETX), tx_count("SIP/2.0 180") - 1);
}
END_TEST

START_TEST(uas_queued_reliable_1xx)
{
	ua_start();
	peer_invite("Supported: 100rel\r\n", NULL);
	ck_ev("incoming;");
	ck_assert_int_eq(sip_sess_oa_state(sess), SIP_SESS_OA_NONE);
	/* offerless INVITE: our offer goes in the reliable 183 and the PRACK answers it */
	ck_assert_int_eq(sip_sess_progress(sess, 183, sdp_b, true), 0);
	ck_assert_int_eq(sip_sess_oa_state(sess), SIP_SESS_OA_LOCAL_OFFER);
	ck_assert_int_eq(sip_sess_progress(sess, 180, NULL, true), 0);
	ck_assert_uint_eq(tx_count("SIP/2.0 180"), 0);	/* queued behind the unacknowledged 183 */
	peer_req("PRACK", 2, "prack1", "RAck: 1 1 INVITE\r\n", sdp_a);
	ck_ev("answer");
	ck_assert_int_eq(sip_sess_oa_state(sess), SIP_SESS_OA_NONE);
	ck_assert_str_eq(sip_sess_remote_sdp(sess), sdp_a);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 180", 0), "RSeq"), "2");
	/* the 200 waits for the PRACK of the 180 and carries no SDP: the offer/answer is complete */
	sip_sess_accept(sess, sdp_b);
	ck_assert_uint_eq(tx_count("SIP/2.0 200"), 1);	/* the PRACK's */
	peer_req("PRACK", 3, "prack2", "RAck: 2 1 INVITE\r\n", NULL);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 200", -1), "CSeq"), "1 INVITE");
	ck_assert_str_eq(body(tx_get("SIP/2.0 200", -1)), "");
}
END_TEST

START_TEST(uas_no_ack_sends_bye)
{
	ua_start();
	peer_invite(NULL, sdp_a);
	sip_sess_accept(sess, sdp_b);
	run_ms(31000);
	ck_assert_uint_ge(tx_count("SIP/2.0 200"), 7);
	ck_assert_uint_eq(tx_count("BYE "), 0);
	run_ms(1100);
	ck_assert_uint_eq(tx_count("BYE "), 1);
	ck_assert_str_eq(hdr(tx_get("BYE ", 0), "Route"), "");
	ck_assert(!strncmp(tx_get("BYE ", 0), "BYE sip:alice@192.0.2.5:5099 SIP/2.0", 36));
	respond_to(tx_get("BYE ", 0), 200, NULL, NULL, NULL);
	ck_ev("ended no-ack 200 local");
}
END_TEST

/* Without the FSM's debug lines a session is named at its first log line only (here a notice) */
START_TEST(uas_named_when_logged)
{
	test_log_set_level(DSIP, LOGL_NOTICE);
	ua_start();
	peer_invite(NULL, sdp_a);
	sip_sess_accept(sess, sdp_b);
	ck_assert_ptr_null(sip_sess_fsm_inst(sess)->id);
	run_ms(32100);
	ck_assert_uint_eq(tx_count("BYE "), 1);
	ck_assert_str_eq(sip_sess_fsm_inst(sess)->id, "in-call-1@192-0-2-5");
	ck_assert_msg(test_log_contains("sip_sess(in-call-1@192-0-2-5)") &&
		      test_log_contains("{IN_WAIT_ACK}: no ACK for our 2xx: BYE"), "%s", test_log());
	respond_to(tx_get("BYE ", 0), 200, NULL, NULL, NULL);
	ck_ev("ended no-ack 200 local");
}
END_TEST

START_TEST(uas_cancel)
{
	ua_start();
	peer_invite(NULL, sdp_a);
	sip_sess_progress(sess, 180, NULL, false);
	inject_msg("CANCEL sip:bob@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.5:5099;branch=z9hG4bKinv1;rport\r\n"
		   "Max-Forwards: 70\r\nFrom: <sip:alice@192.0.2.5>;tag=peer1\r\nTo: <sip:bob@192.0.2.1>\r\n"
		   "Call-ID: call-1@192.0.2.5\r\nCSeq: 1 CANCEL\r\nReason: Q.850;cause=31\r\n", NULL);
	ck_assert_uint_eq(tx_count("SIP/2.0 200"), 1);
	ck_assert_uint_eq(tx_count("SIP/2.0 487"), 1);
	ck_ev("ended cancelled 487 remote;q850 31");
}
END_TEST

START_TEST(uas_reject_with_reason)
{
	struct sip_identity_out id = { .q850_cause = 17 };

	ua_start();
	peer_invite(NULL, sdp_a);
	ck_assert_int_eq(sip_sess_reject(sess, 486, &id), 0);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 486", 0), "Reason"), "Q.850;cause=17");
	ck_ev("ended rejected 486 local");
	peer_req("ACK", 1, "inv1", NULL, NULL);	/* the transaction's ACK: absorbed */
}
END_TEST

START_TEST(uas_in_dialog_errors)
{
	ua_start();
	peer_invite(NULL, sdp_a);
	sip_sess_accept(sess, sdp_b);
	peer_req("ACK", 1, "ack1", NULL, NULL);
	peer_req("UPDATE", 5, "upd5", NULL, NULL);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 200", -1), "CSeq"), "5 UPDATE");
	/* RFC 3261 §12.2.2: a lower CSeq is out of order */
	peer_req("UPDATE", 4, "upd4", NULL, NULL);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 500", 0), "CSeq"), "4 UPDATE");
	/* OPTIONS inside the dialog */
	peer_req("OPTIONS", 6, "opt6", NULL, NULL);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 200", -1), "CSeq"), "6 OPTIONS");
	/* a request for no dialog: 481 */
	inject_msg("BYE sip:mgcf@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.5:5099;branch=z9hG4bKx1;rport\r\n"
		   "Max-Forwards: 70\r\nFrom: <sip:alice@192.0.2.5>;tag=other\r\nTo: <sip:bob@192.0.2.1>;tag=nope\r\n"
		   "Call-ID: call-1@192.0.2.5\r\nCSeq: 9 BYE\r\n", NULL);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 481", 0), "CSeq"), "9 BYE");
	ck_assert_ptr_nonnull(sess);
}
END_TEST

START_TEST(uas_422_and_421)
{
	ua_start();
	peer_invite("Supported: timer\r\nSession-Expires: 30\r\n", sdp_a);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 422", 0), "Min-SE"), "90");
	ck_assert_str_eq(ev, "");
	ck_assert_uint_eq(sip_sess_ua_count(ua), 0);
	sip_sess_ua_free(ua);
	cfg.rel100 = SIP_EXT_REQUIRED;
	ua_start();
	n_tx = 0;
	peer_invite(NULL, sdp_a);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 421", 0), "Require"), "100rel");
}
END_TEST

START_TEST(uas_update_in_early_dialog)
{
	const char *up;

	ua_start();
	peer_invite("Supported: 100rel, precondition\r\n", sdp_a);
	sip_sess_progress(sess, 183, sdp_pre, true);
	/* the reliable 183 answered the INVITE's offer, so an UPDATE may follow once it is PRACKed */
	peer_req("PRACK", 2, "prack1", "RAck: 1 1 INVITE\r\n", NULL);
	/* our resources are reserved: UPDATE with the new preconditions status in the early dialog */
	ck_assert_int_eq(sip_sess_update(sess, sdp_b), 0);
	up = tx_get("UPDATE ", 0);
	ck_assert(!strncmp(up, "UPDATE sip:alice@192.0.2.5:5099 SIP/2.0", 39));
	ck_assert(strstr(hdr(up, "From"), our_tag()));
	ck_assert_str_eq(hdr(up, "To"), "<sip:alice@192.0.2.5>;tag=peer1");
	ck_assert_str_eq(hdr(up, "CSeq"), "1 UPDATE");
	respond_to(up, 200, NULL, "Contact: <sip:alice@192.0.2.5:5099>\r\n", sdp_a);
	ck_ev("answer");
	ck_assert_int_eq(sip_sess_oa_state(sess), SIP_SESS_OA_NONE);
	ck_assert_str_eq(sip_sess_local_sdp(sess), sdp_b);
	/* the 200 to the INVITE goes without SDP: the offer/answer of the INVITE is done */
	sip_sess_accept(sess, sdp_b);
	ck_assert_str_eq(body(tx_get("SIP/2.0 200", -1)), "");
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 200", -1), "CSeq"), "1 INVITE");
}
END_TEST

START_TEST(uas_offerless_reinvite_and_hangup_before_ack)
{
	ua_start();
	peer_invite(NULL, sdp_a);
	sip_sess_accept(sess, sdp_b);
	/* hang up before the ACK: the BYE waits for it (RFC 3261 §15) */
	ck_assert_int_eq(sip_sess_hangup(sess, 0, &(struct sip_identity_out){ .q850_cause = 16 }), 0);
	ck_assert_uint_eq(tx_count("BYE "), 0);
	peer_req("ACK", 1, "ack1", NULL, NULL);
	ck_assert_uint_eq(tx_count("BYE "), 1);
	ck_assert_str_eq(hdr(tx_get("BYE ", 0), "Reason"), "Q.850;cause=16");
	respond_to(tx_get("BYE ", 0), 200, NULL, NULL, NULL);
	ck_ev("established;ended bye 200 local");
	sip_sess_ua_free(ua);

	/* an offerless re-INVITE: our offer in the 200, the answer in the ACK */
	n_tx = 0;
	ev[0] = '\0';
	ua_start();
	peer_invite(NULL, sdp_a);
	sip_sess_accept(sess, sdp_b);
	peer_req("ACK", 1, "ack1", NULL, NULL);
	auto_answer_offer = true;
	answer_sdp = sdp_pre;
	peer_req("INVITE", 2, "reinv2", NULL, NULL);
	ck_ev("offer INVITE;");
	ck_assert_str_eq(body(tx_get("SIP/2.0 200", -1)), sdp_pre);
	ck_assert_int_eq(sip_sess_oa_state(sess), SIP_SESS_OA_LOCAL_OFFER);
	peer_req("ACK", 2, "ack2", NULL, sdp_a);
	ck_assert_int_eq(sip_sess_oa_state(sess), SIP_SESS_OA_NONE);
	ck_assert_str_eq(sip_sess_local_sdp(sess), sdp_pre);
	ck_ev("answer");
}
END_TEST

/* ---- the peer as UAS (our session is UAC) ------------------------------------------------------------------ */

static struct sip_sess *call_out(void)
{
	struct sip_addr d = peer();
	struct sip_sess_invite_req r = {
		.ruri = "sip:bob@192.0.2.5:5099",
		.from = "<sip:alice@192.0.2.1>",
		.sdp = sdp_a,
		.dst = &d,
	};

	sess = sip_sess_invite(ua, &r, NULL);
	ck_assert_ptr_nonnull(sess);
	return sess;
}

#define INV() tx_get("INVITE ", 0)

/* A request of the callee in the dialog with To tag tag. */
static void callee_req(const char *method, unsigned int cseq, const char *branch, const char *tag, const char *extra,
		       const char *sdp)
{
	struct sip_msg *inv = parse(INV());
	char *h = talloc_asprintf(tx_ctx,
				  "%s sip:alice@192.0.2.1:5060 SIP/2.0\r\n"
				  "Via: SIP/2.0/UDP 192.0.2.5:5099;branch=z9hG4bK%s;rport\r\n"
				  "Max-Forwards: 70\r\nFrom: <sip:bob@192.0.2.5:5099>;tag=%s\r\n"
				  "To: <sip:alice@192.0.2.1>;tag=%.*s\r\nCall-ID: %.*s\r\nCSeq: %u %s\r\n"
				  "Contact: <sip:bob@192.0.2.5:5099>\r\n%s",
				  method, branch, tag, SIP_STR_FMT(inv->from_tag), SIP_STR_FMT(inv->call_id), cseq,
				  method,
				  extra ? extra : "");
	inject_msg(h, sdp);
	talloc_free(h);
}

static const char callee_contact[] = "Contact: <sip:bob@192.0.2.5:5099>\r\nAllow: INVITE, ACK, BYE, CANCEL, PRACK, "
				     "UPDATE\r\n";

START_TEST(uac_basic_call)
{
	const char *inv;

	ua_start();
	call_out();
	inv = INV();
	ck_assert(!strncmp(inv, "INVITE sip:bob@192.0.2.5:5099 SIP/2.0\r\n", 39));
	ck_assert_str_eq(hdr(inv, "Supported"), "100rel, precondition, timer");
	ck_assert_str_eq(hdr(inv, "Session-Expires"), "1800");
	ck_assert_str_eq(hdr(inv, "Min-SE"), "90");
	ck_assert_str_eq(body(inv), sdp_a);
	ck_assert_int_eq(sip_sess_state(sess), SIP_SESS_ST_OUT_CALLING);
	respond_to(inv, 180, "t1", callee_contact, NULL);
	ck_ev("progress 180;");
	ck_assert_int_eq(sip_sess_state(sess), SIP_SESS_ST_OUT_EARLY);
	ck_assert_uint_eq(sip_sess_num_early(sess), 1);
	respond_to(inv, 200, "t1", "Contact: <sip:bob@192.0.2.5:5099>\r\nRecord-Route: <sip:p1.example;lr>\r\n"
		   "Session-Expires: 1800;refresher=uac\r\nRequire: timer\r\n", sdp_b);
	ck_ev("answer;established");
	ck_assert_int_eq(sip_sess_state(sess), SIP_SESS_ST_CONFIRMED);
	ck_assert_uint_eq(tx_count("ACK "), 1);
	ck_assert(!strncmp(tx_get("ACK ", 0), "ACK sip:bob@192.0.2.5:5099 SIP/2.0", 34));
	ck_assert_str_eq(hdr(tx_get("ACK ", 0), "Route"), "<sip:p1.example;lr>");
	ck_assert_str_eq(hdr(tx_get("ACK ", 0), "CSeq"), "1 ACK");
	ck_assert_str_eq(sip_sess_remote_sdp(sess), sdp_b);
	/* every 2xx retransmission gets the ACK again (RFC 3261 §13.2.2.4) */
	respond_to(inv, 200, "t1", "Contact: <sip:bob@192.0.2.5:5099>\r\n", sdp_b);
	ck_assert_uint_eq(tx_count("ACK "), 2);
	ck_assert_str_eq(hdr(tx_get("ACK ", 1), "Via"), hdr(tx_get("ACK ", 0), "Via"));
	ck_assert_int_eq(sip_sess_hangup(sess, 0, &(struct sip_identity_out){ .q850_cause = 16 }), 0);
	ck_assert_int_eq(sip_sess_state(sess), SIP_SESS_ST_TERMINATING);
	ck_assert_str_eq(hdr(tx_get("BYE ", 0), "CSeq"), "2 BYE");
	ck_assert_str_eq(hdr(tx_get("BYE ", 0), "Reason"), "Q.850;cause=16");
	respond_to(tx_get("BYE ", 0), 200, NULL, NULL, NULL);
	ck_ev("ended bye 200 local");
}
END_TEST

START_TEST(uac_100rel_prack_and_early_update)
{
	const char *inv, *pr, *up;

	ua_start();
	call_out();
	inv = INV();
	respond_to(inv, 183, "t1", "Contact: <sip:bob@192.0.2.5:5099>\r\nRequire: 100rel, precondition\r\nRSeq: 7\r\n"
		   "Allow: INVITE, ACK, BYE, CANCEL, PRACK, UPDATE\r\n", sdp_pre);
	ck_ev("answer;progress 183 r");
	ck_assert_int_eq(sip_sess_oa_state(sess), SIP_SESS_OA_NONE);
	pr = tx_get("PRACK ", 0);
	ck_assert_str_eq(hdr(pr, "RAck"), "7 1 INVITE");
	ck_assert_str_eq(hdr(pr, "CSeq"), "2 PRACK");
	ck_assert(strstr(hdr(pr, "To"), ";tag=t1"));
	/* the retransmitted 183 is not processed again; a gap in RSeq is discarded */
	respond_to(inv, 183, "t1", "Contact: <sip:bob@192.0.2.5:5099>\r\nRequire: 100rel\r\nRSeq: 7\r\n", sdp_pre);
	respond_to(inv, 183, "t1", "Contact: <sip:bob@192.0.2.5:5099>\r\nRequire: 100rel\r\nRSeq: 9\r\n", sdp_pre);
	ck_assert_uint_eq(tx_count("PRACK "), 1);
	respond_to(pr, 200, NULL, NULL, NULL);
	/* preconditions met locally: UPDATE with the new SDP in the early dialog (RFC 3311, RFC 3312 §6) */
	ck_assert_int_eq(sip_sess_update(sess, sdp_a), 0);
	ck_assert_int_eq(sip_sess_oa_state(sess), SIP_SESS_OA_LOCAL_OFFER);
	ck_assert_int_eq(sip_sess_update(sess, sdp_a), -EBUSY);
	up = tx_get("UPDATE ", 0);
	ck_assert_str_eq(hdr(up, "CSeq"), "3 UPDATE");
	ck_assert_str_eq(body(up), sdp_a);
	respond_to(up, 200, NULL, "Contact: <sip:bob@192.0.2.5:5099>\r\n", sdp_pre);
	ck_assert_int_eq(sip_sess_oa_state(sess), SIP_SESS_OA_NONE);
	ck_assert_str_eq(ev, "answer;progress 183 r;answer;");
	/* the callee's own UPDATE in the early dialog */
	auto_answer_offer = true;
	callee_req("UPDATE", 10, "cu1", "t1", NULL, sdp_pre);
	ck_ev("offer UPDATE sdp");
	ck_assert_str_eq(body(tx_get("SIP/2.0 200", -1)), sdp_b);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 200", -1), "CSeq"), "10 UPDATE");
	respond_to(inv, 200, "t1", "Contact: <sip:bob@192.0.2.5:5099>\r\n", NULL);
	ck_ev("established");
}
END_TEST

START_TEST(uac_offerless_invite)
{
	struct sip_addr d = peer();
	struct sip_sess_invite_req r = { .ruri = "sip:bob@192.0.2.5:5099", .from = "<sip:alice@192.0.2.1>", .dst = &d };
	const char *inv;

	ua_start();
	auto_answer_offer = true;
	answer_sdp = sdp_a;
	/* the offer in a reliable 183: the PRACK carries the answer (RFC 3262 §5) */
	sess = sip_sess_invite(ua, &r, NULL);
	ck_assert_ptr_nonnull(sess);
	inv = INV();
	ck_assert_str_eq(body(inv), "");
	respond_to(inv, 183, "t1", "Contact: <sip:bob@192.0.2.5:5099>\r\nRequire: 100rel\r\nRSeq: 1\r\n", sdp_b);
	ck_ev("progress 183 r;offer");
	ck_assert_str_eq(body(tx_get("PRACK ", 0)), sdp_a);
	ck_assert_str_eq(hdr(tx_get("PRACK ", 0), "RAck"), "1 1 INVITE");
	ck_assert_int_eq(sip_sess_oa_state(sess), SIP_SESS_OA_NONE);
	respond_to(inv, 200, "t1", "Contact: <sip:bob@192.0.2.5:5099>\r\n", NULL);
	ck_assert_str_eq(body(tx_get("ACK ", 0)), "");
	ck_ev("established");
	sip_sess_ua_free(ua);

	/* the offer in the 2xx: the ACK carries the answer (RFC 3261 §13.2.1) */
	n_tx = 0;
	ev[0] = '\0';
	ua_start();
	sess = sip_sess_invite(ua, &r, NULL);
	inv = INV();
	respond_to(inv, 200, "t2", "Contact: <sip:bob@192.0.2.5:5099>\r\n", sdp_b);
	ck_assert_str_eq(ev, "offer  sdp;established;");
	ck_assert_str_eq(body(tx_get("ACK ", 0)), sdp_a);
	ck_assert_str_eq(sip_sess_remote_sdp(sess), sdp_b);
	/* a retransmitted 2xx gets the same ACK */
	respond_to(inv, 200, "t2", "Contact: <sip:bob@192.0.2.5:5099>\r\n", sdp_b);
	ck_assert_uint_eq(tx_count("ACK "), 2);
	ck_assert_str_eq(body(tx_get("ACK ", 1)), sdp_a);
}
END_TEST

START_TEST(early_update_481_ends_the_call)
{
	const char *inv;

	ua_start();
	call_out();
	inv = INV();
	respond_to(inv, 183, "t1", "Contact: <sip:bob@192.0.2.5:5099>\r\nRequire: 100rel\r\nRSeq: 1\r\n", sdp_pre);
	respond_to(tx_get("PRACK ", 0), 200, NULL, NULL, NULL);
	ck_assert_int_eq(sip_sess_update(sess, sdp_a), 0);
	/* the early dialog is gone at the far end: the INVITE is cancelled (RFC 3261 §12.2.1.2) */
	respond_to(tx_get("UPDATE ", 0), 481, NULL, NULL, NULL);
	ck_assert_uint_eq(tx_count("CANCEL "), 1);
	respond_to(inv, 487, "t1", NULL, NULL);
	ck_ev("ended cancelled 487 local");
	sip_sess_ua_free(ua);

	/* as UAS: our UPDATE in the early dialog gets 481: the INVITE gets 500 */
	n_tx = 0;
	ev[0] = '\0';
	ua_start();
	peer_invite("Supported: 100rel\r\n", sdp_a);
	sip_sess_progress(sess, 183, sdp_b, true);
	peer_req("PRACK", 2, "prack1", "RAck: 1 1 INVITE\r\n", NULL);
	ck_assert_int_eq(sip_sess_update(sess, sdp_b), 0);
	respond_to(tx_get("UPDATE ", 0), 481, NULL, NULL, NULL);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 500", 0), "CSeq"), "1 INVITE");
	ck_ev("ended error 500 local");
}
END_TEST

START_TEST(malformed_in_dialog)
{
	const char *inv;

	ua_start();
	peer_invite("Supported: 100rel, timer\r\nSession-Expires: 1800;refresher=bogus\r\n", sdp_a);
	/* a malformed Session-Expires is ignored: our policy's interval applies */
	ck_assert_ptr_nonnull(sess);
	sip_sess_progress(sess, 183, sdp_b, true);
	/* PRACK without RAck, with a malformed one, for another CSeq or method: 481, the 183 stays unacknowledged */
	peer_req("PRACK", 2, "p2", NULL, NULL);
	peer_req("PRACK", 3, "p3", "RAck: one 1 INVITE\r\n", NULL);
	peer_req("PRACK", 4, "p4", "RAck: 1 7 INVITE\r\n", NULL);
	peer_req("PRACK", 5, "p5", "RAck: 1 1 UPDATE\r\n", NULL);
	ck_assert_uint_eq(tx_count("SIP/2.0 481"), 4);
	peer_req("PRACK", 6, "p6", "RAck: 1 1 INVITE\r\n", NULL);
	/* an UPDATE whose body is not SDP carries no offer: answered like a refresh */
	inject_raw(talloc_asprintf(tx_ctx, "UPDATE sip:mgcf@192.0.2.1:5060 SIP/2.0\r\n"
				   "Via: SIP/2.0/UDP 192.0.2.5:5099;branch=z9hG4bKu7;rport\r\nMax-Forwards: 70\r\n"
				   "From: <sip:alice@192.0.2.5>;tag=peer1\r\nTo: <sip:bob@192.0.2.1>;tag=%s\r\n"
				   "Call-ID: call-1@192.0.2.5\r\nCSeq: 7 UPDATE\r\nContent-Type: text/plain\r\n"
				   "Content-Length: 5\r\n\r\nhello", our_tag()));
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 200", -1), "CSeq"), "7 UPDATE");
	ck_no_ev("offer");
	sip_sess_accept(sess, sdp_b);
	peer_req("ACK", 1, "ack1", NULL, NULL);
	ck_ev("established");
	ck_assert_uint_eq(sip_sess_expires(sess, NULL), 1800);
	sip_sess_ua_free(ua);

	/* as UAC: a 183 with a malformed RSeq is not reliable (no PRACK); a 2xx with a wildcard Contact keeps the
	 * target the 183 gave */
	n_tx = 0;
	ev[0] = '\0';
	ua_start();
	call_out();
	inv = INV();
	respond_to(inv, 183, "t1", "Contact: <sip:bob@192.0.2.5:5099>\r\nRequire: 100rel\r\nRSeq: x\r\n", sdp_b);
	ck_assert_uint_eq(tx_count("PRACK "), 0);
	ck_ev("progress 183;");
	respond_to(inv, 200, "t1", "Contact: *\r\n", sdp_b);
	ck_assert_uint_eq(tx_count("ACK "), 1);
	ck_assert_int_eq(sip_sess_state(sess), SIP_SESS_ST_CONFIRMED);
}
END_TEST

START_TEST(uac_forking_early_dialogs)
{
	const char *inv;

	ua_start();
	call_out();
	inv = INV();
	respond_to(inv, 180, "f1", "Contact: <sip:b1@192.0.2.5:5099>\r\n", NULL);
	respond_to(inv, 180, "f2", "Contact: <sip:b2@192.0.2.5:5099>\r\n", NULL);
	ck_assert_uint_eq(sip_sess_num_early(sess), 2);
	respond_to(inv, 200, "f2", "Contact: <sip:b2@192.0.2.5:5099>\r\n", sdp_b);
	ck_assert_str_eq(sip_sess_dialog(sess)->remote_tag, "f2");
	ck_assert(!strncmp(tx_get("ACK ", 0), "ACK sip:b2@", 11));
	/* a 2xx of the other fork: ACK and BYE it */
	respond_to(inv, 200, "f1", "Contact: <sip:b1@192.0.2.5:5099>\r\n", sdp_b);
	ck_assert(!strncmp(tx_get("ACK ", 1), "ACK sip:b1@", 11));
	ck_assert(!strncmp(tx_get("BYE ", 0), "BYE sip:b1@", 11));
	ck_assert_int_eq(sip_sess_state(sess), SIP_SESS_ST_CONFIRMED);
}
END_TEST

START_TEST(uac_cancel_before_1xx)
{
	const char *inv;

	ua_start();
	call_out();
	inv = INV();
	ck_assert_int_eq(sip_sess_cancel(sess, &(struct sip_identity_out){ .q850_cause = 16 }), 0);
	ck_assert_int_eq(sip_sess_state(sess), SIP_SESS_ST_OUT_CANCELLING);
	ck_assert_uint_eq(tx_count("CANCEL "), 0);	/* RFC 3261 §9.1: not before a provisional response */
	respond_to(inv, 100, NULL, NULL, NULL);
	ck_assert_uint_eq(tx_count("CANCEL "), 1);
	ck_assert_str_eq(hdr(tx_get("CANCEL ", 0), "Via"), hdr(inv, "Via"));
	ck_assert_str_eq(hdr(tx_get("CANCEL ", 0), "Reason"), "Q.850;cause=16");
	respond_to(tx_get("CANCEL ", 0), 200, NULL, NULL, NULL);
	respond_to(inv, 487, "t1", NULL, NULL);
	ck_assert_uint_eq(tx_count("ACK "), 1);	/* the transaction's ACK */
	ck_ev("ended cancelled 487 local");
	ck_no_ev("progress");
}
END_TEST

START_TEST(uac_cancel_crossing_200)
{
	const char *inv;

	ua_start();
	call_out();
	inv = INV();
	respond_to(inv, 180, "t1", callee_contact, NULL);
	sip_sess_cancel(sess, NULL);
	ck_assert_uint_eq(tx_count("CANCEL "), 1);
	/* the 200 crossed the CANCEL: ACK, then BYE */
	respond_to(inv, 200, "t1", callee_contact, sdp_b);
	respond_to(tx_get("CANCEL ", 0), 200, NULL, NULL, NULL);
	ck_assert_uint_eq(tx_count("ACK "), 1);
	ck_assert_uint_eq(tx_count("BYE "), 1);
	ck_assert_int_lt(tx_index("ACK ", 0), tx_index("BYE ", 0));
	ck_no_ev("established");
	respond_to(tx_get("BYE ", 0), 200, NULL, NULL, NULL);
	ck_ev("ended cancelled 200 local");
}
END_TEST

START_TEST(uac_rejected_and_422_retry)
{
	const char *inv;

	ua_start();
	call_out();
	inv = INV();
	/* RFC 4028 §7.4: ask again with the Min-SE of the 422 */
	respond_to(inv, 422, "t0", "Min-SE: 3600\r\n", NULL);
	ck_assert_uint_eq(tx_count("INVITE "), 2);
	inv = tx_get("INVITE ", 1);
	ck_assert_str_eq(hdr(inv, "Session-Expires"), "3600");
	ck_assert_str_eq(hdr(inv, "CSeq"), "2 INVITE");
	ck_no_ev("ended");
	respond_to(inv, 486, "t1", "Reason: Q.850;cause=17\r\n", NULL);
	ck_ev("ended rejected 486 remote;q850 17");
}
END_TEST

/* A confirmed call, our side UAC; returns the INVITE text. */
static const char *uac_confirmed(const char *rsp_extra)
{
	const char *inv;

	ua_start();
	call_out();
	inv = INV();
	respond_to(inv, 200, "t1", rsp_extra, sdp_b);
	ck_assert_int_eq(sip_sess_state(sess), SIP_SESS_ST_CONFIRMED);
	return inv;
}

START_TEST(reinvite_both_ways)
{
	const char *ri;

	uac_confirmed(callee_contact);
	ck_assert_int_eq(sip_sess_reinvite(sess, sdp_a), 0);
	ri = tx_get("INVITE ", 1);
	ck_assert(!strncmp(ri, "INVITE sip:bob@192.0.2.5:5099 SIP/2.0", 37));
	ck_assert_str_eq(hdr(ri, "CSeq"), "2 INVITE");
	respond_to(ri, 200, NULL, callee_contact, sdp_b);
	ck_assert_str_eq(hdr(tx_get("ACK ", 1), "CSeq"), "2 ACK");
	ck_assert_str_eq(ev, "answer;established;answer;");
	/* the callee's re-INVITE, answered by the upper layer */
	auto_answer_offer = true;
	callee_req("INVITE", 20, "cri", "t1", NULL, sdp_pre);
	ck_ev("offer INVITE sdp");
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 200", -1), "CSeq"), "20 INVITE");
	ck_assert_str_eq(body(tx_get("SIP/2.0 200", -1)), sdp_b);
	callee_req("ACK", 20, "cack", "t1", NULL, NULL);
	ck_assert_str_eq(sip_sess_remote_sdp(sess), sdp_pre);
	/* the callee's UPDATE, answered */
	callee_req("UPDATE", 21, "cup", "t1", NULL, sdp_a);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 200", -1), "CSeq"), "21 UPDATE");
	/* the callee BYEs */
	callee_req("BYE", 22, "cbye", "t1", NULL, NULL);
	ck_ev("ended bye 0 remote");
	/* the server transactions of the re-INVITE and the UPDATE outlive the session: no callback may reach it */
	run_ms(40000);
}
END_TEST

START_TEST(glare_491_backoff)
{
	const char *ri;
	unsigned long t0;

	uac_confirmed(callee_contact);
	ck_assert_int_eq(sip_sess_reinvite(sess, sdp_a), 0);
	/* the callee's re-INVITE crosses ours: 491 (RFC 3261 §14.2) */
	callee_req("INVITE", 20, "cri", "t1", NULL, sdp_pre);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 491", 0), "CSeq"), "20 INVITE");
	ri = tx_get("INVITE ", 1);
	t0 = now_ms();
	respond_to(ri, 491, NULL, NULL, NULL);
	ck_assert_uint_eq(tx_count("INVITE "), 2);
	/* we own the Call-ID: retry after 2.1 to 4 s */
	run_ms(2090);
	ck_assert_int_lt(tx_with("INVITE ", "3 INVITE"), 0);
	run_ms(1950);
	ck_assert_int_ge(tx_with("INVITE ", "3 INVITE"), 0);
	ck_assert_uint_ge(tx_at[tx_with("INVITE ", "3 INVITE")] - t0, 2100);
	ck_assert_uint_le(tx_at[tx_with("INVITE ", "3 INVITE")] - t0, 4010);
	ck_assert_str_eq(body(tx[tx_with("INVITE ", "3 INVITE")]), sdp_a);
	/* a second 491 is reported */
	respond_to(tx[tx_with("INVITE ", "3 INVITE")], 491, NULL, NULL, NULL);
	ck_ev("offer_failed 491");
	ck_assert_uint_eq(sip_sess_ua_ctr(ua, SIP_SESS_CTR_TX_491), 1);
	ck_assert_uint_eq(sip_sess_ua_ctr(ua, SIP_SESS_CTR_RX_491), 2);
}
END_TEST

START_TEST(glare_uas_side_backoff)
{
	unsigned long t0;

	ua_start();
	peer_invite("Supported: 100rel\r\n", sdp_a);
	sip_sess_accept(sess, sdp_b);
	peer_req("ACK", 1, "ack1", NULL, NULL);
	ck_assert_int_eq(sip_sess_update(sess, sdp_b), 0);
	/* an offer of the peer while ours is outstanding: 491 */
	peer_req("UPDATE", 2, "upd2", NULL, sdp_a);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 491", 0), "CSeq"), "2 UPDATE");
	t0 = now_ms();
	respond_to(tx_get("UPDATE ", 0), 491, NULL, NULL, NULL);
	/* the peer owns the Call-ID: 0 to 2 s */
	run_ms(2010);
	ck_assert_int_ge(tx_with("UPDATE ", "2 UPDATE"), 0);
	ck_assert_uint_le(tx_at[tx_with("UPDATE ", "2 UPDATE")] - t0, 2010);
	respond_to(tx[tx_with("UPDATE ", "2 UPDATE")], 200, NULL, NULL, sdp_a);
	ck_ev("answer");
	/* the peer's offer while its earlier one is unanswered: 500 with Retry-After */
	peer_req("UPDATE", 3, "upd3", NULL, sdp_a);
	ck_ev("offer UPDATE sdp");
	peer_req("UPDATE", 4, "upd4", NULL, sdp_a);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 500", 0), "CSeq"), "4 UPDATE");
	ck_assert_str_ne(hdr(tx_get("SIP/2.0 500", 0), "Retry-After"), "");
	ck_assert_int_eq(sip_sess_answer(sess, sdp_b), 0);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 200", -1), "CSeq"), "3 UPDATE");
}
END_TEST

START_TEST(session_timer_refresh_uas)
{
	ua_start();
	peer_invite("Supported: timer\r\nSession-Expires: 180;refresher=uas\r\n", sdp_a);
	sip_sess_accept(sess, sdp_b);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 200", 0), "Session-Expires"), "180;refresher=uas");
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 200", 0), "Require"), "timer");
	peer_req("ACK", 1, "ack1", NULL, NULL);
	/* we refresh at half the interval, by UPDATE as the peer allows it */
	run_ms(89000);
	ck_assert_uint_eq(tx_count("UPDATE "), 0);
	run_ms(1100);
	ck_assert_uint_eq(tx_count("UPDATE "), 1);
	ck_assert_str_eq(hdr(tx_get("UPDATE ", 0), "Session-Expires"), "180;refresher=uac");
	respond_to(tx_get("UPDATE ", 0), 200, NULL, "Session-Expires: 180;refresher=uac\r\nRequire: timer\r\n", NULL);
	run_ms(89000);
	ck_assert_uint_eq(tx_count("UPDATE "), 1);
	run_ms(1100);
	ck_assert_uint_eq(tx_count("UPDATE "), 2);
	ck_no_ev("ended");
}
END_TEST

START_TEST(session_timer_expiry_uac)
{
	/* the callee refreshes (refresher=uas) and never does: BYE min(32, SE/3) s before the end */
	uac_confirmed("Contact: <sip:bob@192.0.2.5:5099>\r\nSession-Expires: 120;refresher=uas\r\nRequire: timer\r\n");
	ck_assert_uint_eq(sip_sess_expires(sess, NULL), 120);
	run_ms(79000);
	ck_assert_uint_eq(tx_count("BYE "), 0);
	/* a refresh by the callee restarts the interval */
	callee_req("UPDATE", 5, "ref1", "t1", "Session-Expires: 120;refresher=uac\r\n", NULL);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 200", -1), "Session-Expires"), "120;refresher=uac");
	run_ms(87000);
	ck_assert_uint_eq(tx_count("BYE "), 0);
	run_ms(1100);
	ck_assert_uint_eq(tx_count("BYE "), 1);
	respond_to(tx_get("BYE ", 0), 200, NULL, NULL, NULL);
	ck_ev("ended session-expired 200 local");
}
END_TEST

START_TEST(identity_in_calls)
{
	struct sip_net net = { .prefix_len = 32 };
	struct sip_addr d = peer();
	struct sip_identity_out id = { .pai = "<sip:+4930123@ims.example>", .priv_id = true };
	struct sip_sess_invite_req r = { .ruri = "sip:bob@192.0.2.5:5099", .from = "<sip:anonymous@anonymous.invalid>",
					 .sdp = sdp_a, .dst = &d, .id = &id };

	/* towards an untrusted peer the asserted identity and Privacy are stripped */
	ua_start();
	ck_assert_ptr_nonnull(sip_sess_invite(ua, &r, NULL));
	ck_assert_str_eq(hdr(INV(), "P-Asserted-Identity"), "");
	ck_assert_str_eq(hdr(INV(), "Privacy"), "");
	sip_sess_ua_free(ua);
	/* trusted */
	net.addr = d.remote;
	cfg.trusted = &net;
	cfg.num_trusted = 1;
	n_tx = 0;
	ua_start();
	ck_assert_ptr_nonnull(sip_sess_invite(ua, &r, NULL));
	ck_assert_str_eq(hdr(INV(), "P-Asserted-Identity"), "<sip:+4930123@ims.example>");
	ck_assert_str_eq(hdr(INV(), "Privacy"), "id");
	/* as UAS: the connected identity in the 200, only because the peer is trusted */
	peer_invite("P-Asserted-Identity: <sip:alice@192.0.2.5>\r\n", sdp_a);
	ck_assert_ptr_nonnull(sess);
	sip_sess_set_identity(sess, &(struct sip_identity_out){ .pai = "sip:+4940555@ims.example" });
	sip_sess_accept(sess, sdp_b);
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 200", 0), "P-Asserted-Identity"), "<sip:+4940555@ims.example>");
	cfg.trusted = NULL;
	cfg.num_trusted = 0;
}
END_TEST

START_TEST(session_timer_refresh_by_reinvite)
{
	const char *ri;

	ua_start();
	/* the peer does not allow UPDATE: the refresh is a re-INVITE with our last SDP (RFC 4028 §10) */
	inject_msg("INVITE sip:bob@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.5:5099;branch=z9hG4bKinv1;rport\r\n"
		   "Max-Forwards: 70\r\nFrom: <sip:alice@192.0.2.5>;tag=peer1\r\nTo: <sip:bob@192.0.2.1>\r\n"
		   "Call-ID: call-1@192.0.2.5\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@192.0.2.5:5099>\r\n"
		   "Allow: INVITE, ACK, CANCEL, BYE\r\nSession-Expires: 120\r\n", sdp_a);
	sip_sess_accept(sess, sdp_b);
	/* the UAC does not support "timer": we refresh, without Require: timer */
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 200", 0), "Session-Expires"), "120;refresher=uas");
	ck_assert_str_eq(hdr(tx_get("SIP/2.0 200", 0), "Require"), "");
	peer_req("ACK", 1, "ack1", NULL, NULL);
	run_ms(60100);
	ck_assert_uint_eq(tx_count("UPDATE "), 0);
	ri = tx_get("INVITE ", 0);
	ck_assert_str_eq(body(ri), sdp_b);
	ck_assert_str_eq(hdr(ri, "Session-Expires"), "120;refresher=uac");
	respond_to(ri, 200, NULL, "Contact: <sip:alice@192.0.2.5:5099>\r\nSession-Expires: 120;refresher=uac\r\n",
		   sdp_a);
	ck_assert_str_eq(hdr(tx_get("ACK ", 0), "CSeq"), "1 ACK");
	ck_no_ev("offer_failed");
	run_ms(60100);
	ck_assert_int_ge(tx_with("INVITE ", "2 INVITE"), 0);
}
END_TEST

START_TEST(counter_names)
{
	const struct rate_ctr_group_desc *d;
	unsigned int i, j;

	ua_start();
	d = sip_sess_ua_ctrs(ua)->desc;
	ck_assert_uint_eq(d->num_ctr, _NUM_SIP_SESS_CTR);
	for (i = 0; i < d->num_ctr; i++) {
		ck_assert_ptr_nonnull(d->ctr_desc[i].name);
		ck_assert_msg(!strncmp(d->ctr_desc[i].name, "sip:sess_", 9), "%s", d->ctr_desc[i].name);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(d->ctr_desc[i].name, d->ctr_desc[j].name);
	}
}
END_TEST

/* ---- dialogs, identity, next hops ---------------------------------------------------------------------------- */

/* The name-addr a dialog keeps for From/To: the header as received, without its tag parameter. */
START_TEST(dialog_name_addr_no_tag)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "<sip:a@x>;tag=1", "<sip:a@x>" },
		{ "\"A \\\"q\\\"\" <sip:a@x>;tag=1;p=2;lr", "\"A \\\"q\\\"\" <sip:a@x>;p=2;lr" },
		{ "Bob Smith <sip:b@y;user=phone>;x=1;TAG=abc;y", "Bob Smith <sip:b@y;user=phone>;x=1;y" },
		{ "sip:c@z;tag=9", "<sip:c@z>" },
		{ "<tel:+4930>", "<tel:+4930>" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct sip_name_addr na;
		char *s;

		ck_assert_int_eq(sip_name_addr_parse(&na, sip_str_c(t[i].in), false), 0);
		s = sip_name_addr_no_tag(test_ctx, &na);
		ck_assert_str_eq(s, t[i].out);
		talloc_free(s);
	}
}
END_TEST

START_TEST(dialog_route_sets)
{
	static const char rsp[] = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKa\r\n"
				  "From: <sip:a@x>;tag=l1\r\nTo: \"B\" <sip:b@y>;tag=r1\r\nCall-ID: c1\r\n"
				  "CSeq: 4 INVITE\r\nContact: <sip:b@192.0.2.7:5070>\r\n"
				  "Record-Route: <sip:p2.example;lr>, <sip:192.0.2.8>\r\n"
				  "Content-Length: 0\r\n\r\n";
	struct sip_dialog *d;
	struct msgb *m = msgb_alloc(2048, "t");
	struct sip_msg *r;
	struct sip_addr dst;
	char *s;

	test_setup();
	tx_ctx = talloc_named_const(NULL, 0, "tx");
	r = parse(rsp);
	d = sip_dialog_uac_create(test_ctx, "c1", "l1", "<sip:a@x>", "\"B\" <sip:b@y>", 4, false, r);
	ck_assert_ptr_nonnull(d);
	ck_assert(!d->early);
	/* UAC: the Record-Route in reverse; the first (192.0.2.8, no ;lr) is a strict router */
	ck_assert_uint_eq(d->num_route, 2);
	ck_assert_str_eq(d->route[0], "<sip:192.0.2.8>");
	ck_assert_str_eq(d->remote_target, "sip:b@192.0.2.7:5070");
	ck_assert_uint_eq(sip_dialog_next_cseq(d), 5);
	ck_assert_int_eq(sip_dialog_build_request(d, m, "BYE", 5), 0);
	s = talloc_strndup(tx_ctx, (const char *)msgb_data(m), msgb_length(m));
	ck_assert_str_eq(s, "BYE sip:192.0.2.8 SIP/2.0\r\nRoute: <sip:p2.example;lr>\r\n"
			    "Route: <sip:b@192.0.2.7:5070>\r\nMax-Forwards: 70\r\nFrom: <sip:a@x>;tag=l1\r\n"
			    "To: \"B\" <sip:b@y>;tag=r1\r\nCall-ID: c1\r\n"
			    "CSeq: 5 BYE\r\n");
	ck_assert_int_eq(sip_dialog_dst(d, &dst), 0);
	ck_assert_str_eq(osmo_sockaddr_to_str(&dst.remote), "192.0.2.8:5060");
	/* CSeq ordering of the peer's requests (§12.2.2) */
	r = parse("BYE sip:a@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKb\r\nFrom: <sip:b@y>;tag=r1\r\n"
		  "To: <sip:a@x>;tag=l1\r\nCall-ID: c1\r\nCSeq: 10 BYE\r\nContent-Length: 0\r\n\r\n");
	ck_assert(sip_dialog_matches(d, r));
	ck_assert_int_eq(sip_dialog_rx_cseq(d, r), 0);
	r->cseq.num = 9;
	ck_assert_int_eq(sip_dialog_rx_cseq(d, r), -ERANGE);
	r->call_id = SIP_STR("c2");
	ck_assert(!sip_dialog_matches(d, r));
	msgb_free(m);
	talloc_free(d);
	talloc_free(tx_ctx);
	test_teardown();
}
END_TEST

START_TEST(identity_trust)
{
	static const char req[] = "INVITE sip:b@y SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKa\r\n"
				  "From: <sip:anonymous@anonymous.invalid>;tag=1\r\nTo: <sip:b@y>\r\nCall-ID: c1\r\n"
				  "CSeq: 1 INVITE\r\nP-Asserted-Identity: \"Alice\" <sip:+4930123@ims.example>, "
				  "<tel:+4930123>\r\nPrivacy: id;header\r\nReason: Q.850;cause=31;text=\"x\"\r\n"
				  "Content-Length: 0\r\n\r\n";
	struct sip_net net = { .prefix_len = 24 };
	struct sip_identity id;
	struct sip_addr a = peer();
	struct msgb *m;
	struct sip_msg *r;

	tx_ctx = talloc_named_const(NULL, 0, "tx");
	r = parse(req);
	memset(&cfg, 0, sizeof(cfg));
	net.addr = a.remote;
	cfg.trusted = &net;
	cfg.num_trusted = 1;
	ck_assert_int_eq(sip_identity_parse(&id, r, &cfg, &a.remote), 0);
	ck_assert(id.trusted);
	ck_assert_uint_eq(id.num_pai, 2);
	ck_assert(sip_str_eq(id.pai_uri[0], "sip:+4930123@ims.example"));
	ck_assert(sip_str_eq(id.pai_uri[1], "tel:+4930123"));
	ck_assert(id.priv_id && id.priv_header && !id.priv_none);
	ck_assert(id.has_reason_q850 && id.reason_q850.cause == 31);
	/* from an untrusted address the assertion and privacy mean nothing; Reason still counts */
	inet_pton(AF_INET, "198.51.100.1", &a.remote.u.sin.sin_addr);
	ck_assert_int_eq(sip_identity_parse(&id, r, &cfg, &a.remote), 0);
	ck_assert(!id.trusted);
	ck_assert_uint_eq(id.num_pai, 0);
	ck_assert(!id.priv_id);
	ck_assert(id.has_reason_q850);
	/* without a known source address (an ACK handed up on its own) nothing is trusted, and nothing crashes */
	ck_assert_int_eq(sip_identity_parse(&id, r, &cfg, NULL), 0);
	ck_assert(!id.trusted);
	ck_assert_uint_eq(id.num_pai, 0);
	/* sending: stripped towards untrusted next hops */
	m = msgb_alloc(1024, "t");
	ck_assert_int_eq(sip_identity_build(m, &(struct sip_identity_out){ .pai = "sip:+4930123@ims.example",
		.priv_id = true, .q850_cause = 16 }, false), 0);
	ck_assert_str_eq(talloc_strndup(tx_ctx, (char *)msgb_data(m), msgb_length(m)), "Reason: Q.850;cause=16\r\n");
	msgb_reset(m);
	ck_assert_int_eq(sip_identity_build(m, &(struct sip_identity_out){ .pai = "sip:+4930123@ims.example",
		.priv_id = true }, true), 0);
	ck_assert_str_eq(talloc_strndup(tx_ctx, (char *)msgb_data(m), msgb_length(m)),
			 "P-Asserted-Identity: <sip:+4930123@ims.example>\r\nPrivacy: id\r\n");
	msgb_free(m);
	talloc_free(tx_ctx);
	tx_ctx = NULL;
}
END_TEST

static struct sip_next_hop_cfg hop_a, hop_b;

static void two_hops(unsigned int options_interval)
{
	hop_a = (struct sip_next_hop_cfg){ .name = "a", .transport = SIP_TRANSPORT_UDP, .priority = 1,
					   .options_interval_s = options_interval };
	hop_b = (struct sip_next_hop_cfg){ .name = "b", .transport = SIP_TRANSPORT_UDP, .priority = 2 };
	osmo_sockaddr_str_from_str(&hop_a.addr, "192.0.2.10", 5060);
	osmo_sockaddr_str_from_str(&hop_b.addr, "192.0.2.11", 5060);
	llist_add_tail(&hop_b.list, &cfg.next_hops);
	llist_add_tail(&hop_a.list, &cfg.next_hops);
}

START_TEST(nexthop_failover_invite)
{
	struct sip_sess_invite_req r = { .ruri = "sip:+4930123@ims.example", .from = "<sip:alice@192.0.2.1>",
					 .sdp = sdp_a };
	const struct sip_next_hop_cfg *h;
	struct sip_addr d;
	uint32_t tried = 0;

	two_hops(0);
	ua_start();
	ck_assert_int_eq(sip_nexthop_select(sip_sess_ua_nexthops(ua), &tried, &d, &h), 0);
	ck_assert_str_eq(h->name, "a");
	ck_assert_int_eq(sip_nexthop_select(sip_sess_ua_nexthops(ua), &tried, &d, &h), 0);
	ck_assert_str_eq(h->name, "b");
	ck_assert_int_eq(sip_nexthop_select(sip_sess_ua_nexthops(ua), &tried, &d, &h), -ENOENT);
	sess = sip_sess_invite(ua, &r, NULL);
	ck_assert_ptr_nonnull(sess);
	ck_assert_str_eq(tx_dst[tx_index("INVITE ", 0)], "192.0.2.10:5060");
	/* Timer B: 408 from the transaction layer, the INVITE goes to the next hop */
	run_ms(32100);
	ck_assert_uint_eq(tx_count("INVITE "), 8);
	ck_assert_str_eq(tx_dst[tx_index("INVITE ", -1)], "192.0.2.11:5060");
	ck_assert_str_ne(hdr(tx_get("INVITE ", 0), "Via"), hdr(tx_get("INVITE ", -1), "Via"));
	ck_assert_str_eq(hdr(tx_get("INVITE ", 0), "CSeq"), hdr(tx_get("INVITE ", -1), "CSeq"));
	ck_assert(!sip_nexthop_is_up(sip_sess_ua_nexthops(ua), "a"));
	ck_assert(sip_nexthop_is_up(sip_sess_ua_nexthops(ua), "b"));
	ck_no_ev("ended");
	/* both failed: the call fails */
	run_ms(32100);
	ck_ev("ended rejected 408 remote");
}
END_TEST

START_TEST(nexthop_options_keepalive)
{
	two_hops(60);
	ua_start();
	run_ms(20);
	ck_assert_uint_eq(tx_count("OPTIONS "), 1);
	ck_assert_str_eq(tx_dst[tx_index("OPTIONS ", 0)], "192.0.2.10:5060");
	/* no answer: Timer F, the hop is down */
	run_ms(32100);
	ck_assert(!sip_nexthop_is_up(sip_sess_ua_nexthops(ua), "a"));
	ck_assert_int_lt(tx_with("OPTIONS ", "2 OPTIONS"), 0);
	run_ms(28000);
	ck_assert_int_ge(tx_with("OPTIONS ", "2 OPTIONS"), 0);
	ck_assert_str_eq(tx_dst[tx_with("OPTIONS ", "2 OPTIONS")], "192.0.2.10:5060");
	respond_to(tx[tx_with("OPTIONS ", "2 OPTIONS")], 200, "x", NULL, NULL);
	ck_assert(sip_nexthop_is_up(sip_sess_ua_nexthops(ua), "a"));
	run_ms(60000);
	respond_to(tx[tx_with("OPTIONS ", "3 OPTIONS")], 503, "x", NULL, NULL);
	ck_assert(!sip_nexthop_is_up(sip_sess_ua_nexthops(ua), "a"));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sip_sess");
	TCase *tc = tcase_create("uas");
	TCase *tc2 = tcase_create("uac");
	TCase *tc3 = tcase_create("both");
	TCase *tc4 = tcase_create("parts");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, uas_basic_call);
	tcase_add_test(tc, uas_reliable_1xx_prack_then_200);
	tcase_add_test(tc, uas_reliable_1xx_give_up);
	tcase_add_test(tc, uas_queued_reliable_1xx);
	tcase_add_test(tc, uas_no_ack_sends_bye);
	tcase_add_test(tc, uas_named_when_logged);
	tcase_add_test(tc, uas_cancel);
	tcase_add_test(tc, uas_reject_with_reason);
	tcase_add_test(tc, uas_in_dialog_errors);
	tcase_add_test(tc, uas_422_and_421);
	tcase_add_test(tc, uas_update_in_early_dialog);
	tcase_add_test(tc, uas_offerless_reinvite_and_hangup_before_ack);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tc2, setup, teardown);
	tcase_add_test(tc2, uac_basic_call);
	tcase_add_test(tc2, uac_100rel_prack_and_early_update);
	tcase_add_test(tc2, uac_forking_early_dialogs);
	tcase_add_test(tc2, uac_offerless_invite);
	tcase_add_test(tc2, early_update_481_ends_the_call);
	tcase_add_test(tc2, malformed_in_dialog);
	tcase_add_test(tc2, uac_cancel_before_1xx);
	tcase_add_test(tc2, uac_cancel_crossing_200);
	tcase_add_test(tc2, uac_rejected_and_422_retry);
	suite_add_tcase(s, tc2);
	tcase_add_checked_fixture(tc3, setup, teardown);
	tcase_add_test(tc3, reinvite_both_ways);
	tcase_add_test(tc3, glare_491_backoff);
	tcase_add_test(tc3, glare_uas_side_backoff);
	tcase_add_test(tc3, session_timer_refresh_uas);
	tcase_add_test(tc3, session_timer_expiry_uac);
	tcase_add_test(tc3, session_timer_refresh_by_reinvite);
	tcase_add_test(tc3, identity_in_calls);
	tcase_add_test(tc3, counter_names);
	tcase_add_test(tc3, nexthop_failover_invite);
	tcase_add_test(tc3, nexthop_options_keepalive);
	suite_add_tcase(s, tc3);
	tcase_add_test(tc4, dialog_route_sets);
	tcase_add_test(tc4, dialog_name_addr_no_tag);
	tcase_add_test(tc4, identity_trust);
	suite_add_tcase(s, tc4);
	return s;
}

int main(void)
{
	return test_run_suite(suite());
}
