/* Interworking call flows with fake time: a real ISUP node (ops->tx captured, messages injected) and a real SIP
 * user agent (sip_sess_ua; tx hook captured, messages injected), the interworking layer between them, no media
 * plane.  Covers what a scenario test would need long waits for: T7 and T9 expiring on sip2isup calls, the ACM
 * supervision and no-answer timers of isup2sip calls, admission, CANCEL, association loss, and the
 * preconditions both ways (IAM + COT, delayed IAM, UPDATE after COT). */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <check.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/tdef.h>

#include <mgcf/log.h>

#include "testlib.h"
#include "isup/isup_node.h"
#include "isup/isup_timers.h"
#include "mgcf/mgcf_call.h"
#include "mgcf/mgcf_timers.h"
#include "sip/sip_sess.h"

#define MAX_OUT 64

static struct mgcf_iw *iw;
static struct isup_node *node;
static struct sip_sess_ua *ua;
static struct sip_core *core;
static struct isup_cfg *icfg;
static struct mgcf_cfg *mcfg;
static struct sip_cfg scfg;
static struct mgcf_trunk_policy *policy;
static void *tctx;		/* everything the test allocates besides the objects under test */

static char *sip_out[MAX_OUT];
static unsigned int n_sip, sip_next;
static uint8_t *isup_out[MAX_OUT];
static size_t isup_len[MAX_OUT];
static unsigned int n_isup, isup_next;
static struct isup_msg last_isup;

static void sip_tx_hook(void *priv, const struct sip_addr *dst, struct msgb *msg)
{
	ck_assert_uint_lt(n_sip, MAX_OUT);
	sip_out[n_sip++] = talloc_strndup(tctx, (const char *)msgb_data(msg), msgb_length(msg));
	msgb_free(msg);
}

static int isup_tx(struct isup_node *n, const char *assoc, const struct m3ua_data_hdr *hdr, struct msgb *msg,
		   void *priv)
{
	ck_assert_uint_lt(n_isup, MAX_OUT);
	isup_len[n_isup] = msgb_length(msg);
	isup_out[n_isup++] = talloc_memdup(tctx, msgb_data(msg), msgb_length(msg));
	msgb_free(msg);
	return 0;
}

static struct isup_node_ops test_isup_ops;

static void setup(void)
{
	struct m3ua_assoc_cfg *ac;
	struct isup_trunk_cfg *tc;
	struct mgcf_route_out *ro;
	struct mgcf_route_in *ri;
	struct isup_node_opts o;
	struct mgcf_iw_deps deps = {};

	test_setup();
	tctx = talloc_named_const(test_ctx, 0, "call_test");
	n_sip = sip_next = n_isup = isup_next = 0;
	osmo_tdefs_reset(isup_tdefs);
	osmo_tdefs_reset(mgcf_tdefs);

	icfg = talloc_zero(tctx, struct isup_cfg);
	INIT_LLIST_HEAD(&icfg->assocs);
	INIT_LLIST_HEAD(&icfg->trunks);
	ac = talloc_zero(icfg, struct m3ua_assoc_cfg);
	ac->name = talloc_strdup(ac, "a");
	ac->local_pc = 1;
	ac->adjacent_pc = 2;
	ac->network_indicator = 2;
	llist_add_tail(&ac->list, &icfg->assocs);
	tc = talloc_zero(icfg, struct isup_trunk_cfg);
	tc->name = talloc_strdup(tc, "pstn");
	tc->assoc_name = talloc_strdup(tc, "a");
	tc->assoc = ac;
	tc->dpc = 2;
	tc->cics = talloc_zero_array(tc, struct isup_cic_range, 1);
	tc->cics[0].first = 1;
	tc->cics[0].last = 4;
	tc->num_cic_ranges = 1;
	tc->hunting = ISUP_HUNT_ASCENDING;
	tc->direction = ISUP_TRUNK_BOTHWAY;
	llist_add_tail(&tc->list, &icfg->trunks);

	mcfg = talloc_zero(tctx, struct mgcf_cfg);
	INIT_LLIST_HEAD(&mcfg->routes_out);
	INIT_LLIST_HEAD(&mcfg->routes_in);
	INIT_LLIST_HEAD(&mcfg->trunks);
	ro = talloc_zero(mcfg, struct mgcf_route_out);
	ro->name = talloc_strdup(ro, "e164");
	ro->prefix = talloc_strdup(ro, "+");
	ro->trunk = talloc_strdup(ro, "pstn");
	ro->strip = 1;
	ro->nai = MGCF_NAI_INTERNATIONAL;
	llist_add_tail(&ro->list, &mcfg->routes_out);
	ri = talloc_zero(mcfg, struct mgcf_route_in);
	ri->name = talloc_strdup(ri, "in");
	ri->prefix = talloc_strdup(ri, "");
	ri->uri_template = talloc_strdup(ri, "sip:{e164}@192.0.2.9:5080;user=phone");
	ri->country_code = talloc_strdup(ri, "49");
	llist_add_tail(&ri->list, &mcfg->routes_in);
	policy = talloc_zero(mcfg, struct mgcf_trunk_policy);
	policy->name = talloc_strdup(policy, "pstn");
	llist_add_tail(&policy->list, &mcfg->trunks);

	memset(&scfg, 0, sizeof(scfg));
	scfg.domain = "mgcf.test";
	scfg.max_message_size = 8192;
	scfg.rel100 = SIP_EXT_SUPPORTED;
	scfg.precondition = SIP_EXT_SUPPORTED;
	scfg.session_timer = SIP_EXT_DISABLED;
	/* P-Asserted-Identity is taken from and given to these networks only */
	scfg.trusted = talloc_zero_array(tctx, struct sip_net, 2);
	osmo_sockaddr_str_to_sockaddr(&(struct osmo_sockaddr_str){ .af = AF_INET, .ip = "127.0.0.0" },
				      &scfg.trusted[0].addr.u.sas);
	scfg.trusted[0].prefix_len = 8;
	osmo_sockaddr_str_to_sockaddr(&(struct osmo_sockaddr_str){ .af = AF_INET, .ip = "192.0.2.0" },
				      &scfg.trusted[1].addr.u.sas);
	scfg.trusted[1].prefix_len = 24;
	scfg.num_trusted = 2;
	INIT_LLIST_HEAD(&scfg.next_hops);

	deps.cfg = mcfg;
	deps.sip_cfg = &scfg;
	iw = mgcf_iw_alloc(test_ctx, &deps);
	ck_assert_ptr_nonnull(iw);

	isup_node_opts_default(&o);
	o.no_m3ua = true;
	test_isup_ops = mgcf_iw_isup_ops;
	test_isup_ops.tx = isup_tx;
	node = isup_node_alloc(test_ctx, icfg, &o, &test_isup_ops, iw, NULL);
	ck_assert_ptr_nonnull(node);
	mgcf_iw_set_isup(iw, node);
	ck_assert_int_eq(isup_node_assoc_state(node, "a", true), 0);

	ua = sip_sess_ua_alloc(test_ctx, &scfg, &mgcf_iw_sess_ops, iw);
	ck_assert_ptr_nonnull(ua);
	core = sip_sess_ua_core(ua);
	sip_tp_set_tx_hook(sip_core_tp(core), sip_tx_hook, NULL);
	ck_assert_int_ge(sip_tp_listen(sip_core_tp(core), SIP_TRANSPORT_UDP, "127.0.0.1", 0), 0);
	mgcf_iw_set_sip(iw, ua);
}

static void teardown(void)
{
	mgcf_iw_free(iw);
	isup_node_free(node);
	sip_sess_ua_free(ua);
	talloc_free(tctx);
	test_teardown();
}

/* ---- helpers ---- */

static struct sip_addr peer(void)
{
	struct sip_addr a = { .proto = SIP_TRANSPORT_UDP };

	a.remote.u.sin.sin_family = AF_INET;
	a.remote.u.sin.sin_port = htons(5099);
	inet_pton(AF_INET, "127.0.0.1", &a.remote.u.sin.sin_addr);
	return a;
}

static void sip_in(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sip_in(const char *fmt, ...)
{
	struct sip_addr src = peer();
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = talloc_vasprintf(tctx, fmt, ap);
	va_end(ap);
	sip_tp_inject(sip_core_tp(core), &src, s, strlen(s));
	talloc_free(s);
}

static const char sdp_offer[] =
	"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
	"m=audio 4000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n";

static void invite(const char *callid, const char *number)
{
	sip_in("INVITE sip:%s@127.0.0.1;user=phone SIP/2.0\r\n"
	       "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-%s\r\n"
	       "From: <sip:+4930111@127.0.0.1;user=phone>;tag=ft-%s\r\n"
	       "To: <sip:%s@127.0.0.1;user=phone>\r\n"
	       "Call-ID: %s\r\nCSeq: 1 INVITE\r\nContact: <sip:ue@127.0.0.1:5099>\r\nMax-Forwards: 70\r\n"
	       "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
	       number, callid, callid, number, callid, strlen(sdp_offer), sdp_offer);
}

/* The next SIP message sent: asserts its first line starts with start; returns it. */
static const char *sip_expect(const char *start)
{
	const char *m;

	ck_assert_msg(sip_next < n_sip, "no SIP message sent, expected '%s'", start);
	m = sip_out[sip_next++];
	ck_assert_msg(!strncmp(m, start, strlen(start)), "expected '%s', sent:\n%s", start, m);
	return m;
}

/* Skip 100 Trying. */
static const char *sip_expect_skip100(const char *start)
{
	if (sip_next < n_sip && !strncmp(sip_out[sip_next], "SIP/2.0 100 ", 12))
		sip_next++;
	return sip_expect(start);
}

static void sip_expect_none(void)
{
	ck_assert_msg(sip_next == n_sip, "unexpected SIP message:\n%s", sip_next < n_sip ? sip_out[sip_next] : "");
}

static void hdr_val(const char *msg, const char *name, char *buf, size_t len)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\r\n%s: ", name);
	p = strstr(msg, pat);
	ck_assert_msg(p != NULL, "no %s in:\n%s", name, msg);
	p += strlen(pat);
	snprintf(buf, len, "%.*s", (int)strcspn(p, "\r"), p);
}

static void our_tag(const char *rsp, char *buf, size_t len)
{
	const char *p = strstr(strstr(rsp, "\r\nTo: "), ";tag=");

	ck_assert_ptr_nonnull(p);
	p += 5;
	snprintf(buf, len, "%.*s", (int)strcspn(p, "\r\n;"), p);
}

static const struct isup_msg *isup_expect(uint8_t type)
{
	int rc;

	ck_assert_msg(isup_next < n_isup, "no ISUP message sent, expected %s", isup_msg_name(type));
	rc = isup_decode(&last_isup, isup_out[isup_next], isup_len[isup_next], NULL);
	isup_next++;
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(last_isup.type == type, "expected %s, sent %s", isup_msg_name(type),
		      isup_msg_name(last_isup.type));
	return &last_isup;
}

static void isup_in(const struct isup_msg *m)
{
	struct m3ua_data_hdr hdr = { .opc = 2, .dpc = 1, .si = 5, .ni = 2, .sls = m->cic & 0xf };
	uint8_t buf[300];
	int n = isup_encode_buf(buf, sizeof(buf), m);

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(isup_node_rx(node, "a", &hdr, buf, n), 0);
}

static void isup_in_simple(uint8_t type, uint16_t cic)
{
	struct isup_msg m;

	if (type == ISUP_RLC)
		isup_build_rlc(&m, cic);
	else
		isup_build_simple(&m, type, cic);
	isup_in(&m);
}

static void advance_s(unsigned int s)
{
	unsigned int i;

	for (i = 0; i < s * 10; i++)
		test_time_advance(0, 100000);
}

static bool all_idle(void)
{
	struct isup_cic_info info;
	uint16_t cic;

	for (cic = 1; cic <= 4; cic++) {
		if (isup_node_cic_get(node, "pstn", cic, &info) < 0 || !info.idle)
			return false;
	}
	return true;
}

/* The To tag of our response (ACK and BYE are matched by Call-ID and our tag) into buf. */
static void to_tag_of(const char *rsp, char *buf, size_t size)
{
	const char *to = strstr(rsp, "\r\nTo: "), *tag = to ? strstr(to, ";tag=") : NULL;

	ck_assert_ptr_nonnull(tag);
	tag += 5;
	snprintf(buf, size, "%.*s", (int)strcspn(tag, "\r\n;"), tag);
}

/* ---- sip2isup ---- */

START_TEST(test_s2i_answer_bye)
{
	struct isup_msg m;
	struct isup_bci bci = { .called_status = 1 };
	const struct isup_msg *iam, *rel;
	const char *ok;
	char ourtag[32];

	invite("c1", "+4930123");
	iam = isup_expect(ISUP_IAM);
	ck_assert_uint_eq(iam->cic, 1);
	ck_assert_uint_eq(iam->called.nai, 4);
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 1);
	isup_build_acm(&m, 1, &bci);
	isup_in(&m);
	sip_expect_skip100("SIP/2.0 180 ");
	isup_build_anm(&m, 1);
	isup_in(&m);
	ok = sip_expect("SIP/2.0 200 ");
	ck_assert_ptr_nonnull(strstr(ok, "m=audio 9 RTP/AVP 8"));
	/* ACK and BYE are matched by Call-ID and our tag: take our tag from the 200 */
	to_tag_of(ok, ourtag, sizeof(ourtag));
	sip_in("ACK sip:mgcf@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-a1\r\n"
	       "From: <sip:+4930111@127.0.0.1;user=phone>;tag=ft-c1\r\nTo: <sip:+4930123@127.0.0.1>;tag=%s\r\n"
	       "Call-ID: c1\r\nCSeq: 1 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", ourtag);
	sip_expect_none();
	sip_in("BYE sip:mgcf@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-b1\r\n"
	       "From: <sip:+4930111@127.0.0.1;user=phone>;tag=ft-c1\r\nTo: <sip:+4930123@127.0.0.1>;tag=%s\r\n"
	       "Call-ID: c1\r\nCSeq: 2 BYE\r\nReason: Q.850;cause=31\r\nMax-Forwards: 70\r\n"
	       "Content-Length: 0\r\n\r\n", ourtag);
	sip_expect("SIP/2.0 200 ");
	/* Reason: Q.850 in the BYE wins over the default cause 16 */
	rel = isup_expect(ISUP_REL);
	ck_assert_uint_eq(rel->cause.value, 31);
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 0);
	isup_in_simple(ISUP_RLC, 1);
	ck_assert(all_idle());
}
END_TEST

/* A call's strings come from a pool of its own (1 kB): an offer larger than the pool is allocated outside it,
 * the call still answers with its SDP, and everything is freed with the call (the teardown's leak check). */
START_TEST(test_s2i_offer_beyond_pool)
{
	struct isup_bci bci = { .called_status = 1 };
	struct isup_msg m;
	const char *ok;
	char ourtag[32], pad[1500], *sdp;

	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	sdp = talloc_asprintf(tctx, "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=%s\r\nc=IN IP4 127.0.0.5\r\nt=0 0\r\n"
			      "m=audio 4000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\n"
			      "a=rtpmap:101 telephone-event/8000\r\n", pad);
	ck_assert_ptr_nonnull(sdp);
	sip_in("INVITE sip:+4930123@127.0.0.1;user=phone SIP/2.0\r\n"
	       "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-big\r\n"
	       "From: <sip:+4930111@127.0.0.1;user=phone>;tag=ft-big\r\nTo: <sip:+4930123@127.0.0.1;user=phone>\r\n"
	       "Call-ID: big\r\nCSeq: 1 INVITE\r\nContact: <sip:ue@127.0.0.1:5099>\r\nMax-Forwards: 70\r\n"
	       "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s", strlen(sdp), sdp);
	talloc_free(sdp);
	ck_assert_uint_eq(isup_expect(ISUP_IAM)->cic, 1);
	isup_build_acm(&m, 1, &bci);
	isup_in(&m);
	sip_expect_skip100("SIP/2.0 180 ");
	isup_build_anm(&m, 1);
	isup_in(&m);
	ok = sip_expect("SIP/2.0 200 ");
	ck_assert_ptr_nonnull(strstr(ok, "m=audio 9 RTP/AVP 8"));
	to_tag_of(ok, ourtag, sizeof(ourtag));
	sip_in("ACK sip:mgcf@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-abig\r\n"
	       "From: <sip:+4930111@127.0.0.1;user=phone>;tag=ft-big\r\nTo: <sip:+4930123@127.0.0.1>;tag=%s\r\n"
	       "Call-ID: big\r\nCSeq: 1 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", ourtag);
	sip_in("BYE sip:mgcf@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-bbig\r\n"
	       "From: <sip:+4930111@127.0.0.1;user=phone>;tag=ft-big\r\nTo: <sip:+4930123@127.0.0.1>;tag=%s\r\n"
	       "Call-ID: big\r\nCSeq: 2 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", ourtag);
	sip_expect("SIP/2.0 200 ");
	ck_assert_uint_eq(isup_expect(ISUP_REL)->cause.value, 16);
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 0);
	isup_in_simple(ISUP_RLC, 1);
	ck_assert(all_idle());
}
END_TEST

START_TEST(test_s2i_t7_expiry)
{
	const char *rsp;

	/* the shortest T7 the node allows */
	ck_assert_int_eq(osmo_tdef_set(isup_tdefs, 7, 20, OSMO_TDEF_S), 0);
	invite("c2", "+4930123");
	isup_expect(ISUP_IAM);
	advance_s(19);
	ck_assert_uint_eq(n_isup, 1);
	advance_s(2);
	/* T7: the node releases with cause 102 (recovery on timer expiry) → 504 with Reason */
	ck_assert_uint_eq(isup_expect(ISUP_REL)->cause.value, 102);
	rsp = sip_expect_skip100("SIP/2.0 504 ");
	ck_assert_ptr_nonnull(strstr(rsp, "Reason: Q.850;cause=102"));
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 0);
	ck_assert_uint_eq(mgcf_iw_ctr(iw, MGCF_CTR_TIMEOUTS), 1);
	isup_in_simple(ISUP_RLC, 1);
	ck_assert(all_idle());
}
END_TEST

START_TEST(test_s2i_t9_expiry)
{
	struct isup_msg m;
	struct isup_bci bci = { .called_status = 1 };
	const char *rsp;

	ck_assert_int_eq(osmo_tdef_set(isup_tdefs, 9, 60, OSMO_TDEF_S), 0);
	invite("c3", "+4930123");
	isup_expect(ISUP_IAM);
	isup_build_acm(&m, 1, &bci);
	isup_in(&m);
	sip_expect_skip100("SIP/2.0 180 ");
	advance_s(59);
	ck_assert_uint_eq(n_isup, 1);
	advance_s(2);
	/* T9: cause 19 (no answer) → 480 */
	isup_expect(ISUP_REL);
	rsp = sip_expect("SIP/2.0 480 ");
	ck_assert_ptr_nonnull(strstr(rsp, "Reason: Q.850;cause=19"));
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 0);
}
END_TEST

START_TEST(test_s2i_rel_reject)
{
	struct isup_msg m;
	const char *rsp;

	invite("c4", "+4930123");
	isup_expect(ISUP_IAM);
	isup_build_rel(&m, 1, 4, 17);
	isup_in(&m);
	isup_expect(ISUP_RLC);
	rsp = sip_expect_skip100("SIP/2.0 486 ");
	ck_assert_ptr_nonnull(strstr(rsp, "Reason: Q.850;cause=17"));
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 0);
	ck_assert(all_idle());
}
END_TEST

START_TEST(test_s2i_cancel)
{
	const struct isup_msg *rel;

	invite("c5", "+4930123");
	isup_expect(ISUP_IAM);
	sip_in("CANCEL sip:+4930123@127.0.0.1;user=phone SIP/2.0\r\n"
	       "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-c5\r\n"
	       "From: <sip:+4930111@127.0.0.1;user=phone>;tag=ft-c5\r\nTo: <sip:+4930123@127.0.0.1;user=phone>\r\n"
	       "Call-ID: c5\r\nCSeq: 1 CANCEL\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
	sip_expect_skip100("SIP/2.0 200 ");
	sip_expect("SIP/2.0 487 ");
	/* CANCEL → REL cause 31 (standards.md §4(d)) */
	rel = isup_expect(ISUP_REL);
	ck_assert_uint_eq(rel->cause.value, 31);
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 0);
}
END_TEST

START_TEST(test_s2i_admission)
{
	const char *rsp;

	policy->max_calls = 1;
	invite("c6", "+4930123");
	isup_expect(ISUP_IAM);
	sip_next = n_sip;
	invite("c7", "+4930124");
	rsp = sip_expect_skip100("SIP/2.0 503 ");
	ck_assert_ptr_nonnull(strstr(rsp, "Reason: Q.850;cause=34"));
	ck_assert_ptr_nonnull(strstr(rsp, "\r\nRetry-After: 10\r\n"));	/* MGCF_T_RETRY_AFTER's default */
	ck_assert_uint_eq(n_isup, 1);
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 1);
	ck_assert_uint_eq(mgcf_iw_ctr(iw, MGCF_CTR_REJECTED_ADMISSION), 1);
}
END_TEST

START_TEST(test_s2i_no_circuit)
{
	const char *rsp;
	unsigned int i;
	char callid[8];

	for (i = 0; i < 4; i++) {
		snprintf(callid, sizeof(callid), "n%u", i);
		invite(callid, "+4930123");
		isup_expect(ISUP_IAM);
	}
	sip_next = n_sip;
	invite("n5", "+4930123");
	rsp = sip_expect_skip100("SIP/2.0 503 ");
	ck_assert_ptr_nonnull(strstr(rsp, "Reason: Q.850;cause=34"));
	ck_assert_ptr_nonnull(strstr(rsp, "\r\nRetry-After: 10\r\n"));
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 4);
}
END_TEST

START_TEST(test_s2i_no_route)
{
	invite("c8", "4930123");
	sip_expect_skip100("SIP/2.0 404 ");
	ck_assert_uint_eq(n_isup, 0);
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 0);
}
END_TEST

/* ---- isup2sip ---- */

static void iam_in_cc(uint16_t cic, bool previous)
{
	struct isup_msg m;
	struct isup_iam_args a = { .called = "30123F", .called_nai = 3, .calling = "30111", .calling_nai = 3,
				   .continuity_previous = previous };

	ck_assert_int_eq(isup_build_iam(&m, cic, &a), 0);
	isup_in(&m);
}

static void iam_in(uint16_t cic)
{
	iam_in_cc(cic, false);
}

static void sip_rsp_in_body(const char *invite_msg, uint16_t status, const char *extra, const char *body);

static void sip_rsp_in(const char *invite_msg, uint16_t status, const char *extra)
{
	sip_rsp_in_body(invite_msg, status, extra, NULL);
}

static void sip_rsp_in_body(const char *invite_msg, uint16_t status, const char *extra, const char *body)
{
	char via[256], from[256], callid[128], cseq[64];
	const char *p;

	p = strstr(invite_msg, "\r\nVia: ") + 2;
	snprintf(via, sizeof(via), "%.*s", (int)strcspn(p, "\r"), p);
	p = strstr(invite_msg, "\r\nFrom: ") + 2;
	snprintf(from, sizeof(from), "%.*s", (int)strcspn(p, "\r"), p);
	p = strstr(invite_msg, "\r\nCall-ID: ") + 2;
	snprintf(callid, sizeof(callid), "%.*s", (int)strcspn(p, "\r"), p);
	p = strstr(invite_msg, "\r\nCSeq: ") + 2;
	snprintf(cseq, sizeof(cseq), "%.*s", (int)strcspn(p, "\r"), p);
	sip_in("SIP/2.0 %u X\r\n%s\r\n%s\r\nTo: <sip:+4930123@192.0.2.9>;tag=uas1\r\n%s\r\n%s\r\n%s"
	       "%sContent-Length: %zu\r\n\r\n%s", status, via, from, callid, cseq, extra ? extra : "",
	       body ? "Content-Type: application/sdp\r\n" : "", body ? strlen(body) : 0, body ? body : "");
}

START_TEST(test_i2s_acm_supervision_and_no_answer)
{
	const struct isup_msg *acm, *rel;
	const char *inv;

	ck_assert_int_eq(osmo_tdef_set(mgcf_tdefs, MGCF_T_ACM_SUPERVISION, 2, OSMO_TDEF_S), 0);
	ck_assert_int_eq(osmo_tdef_set(mgcf_tdefs, MGCF_T_NO_ANSWER, 10, OSMO_TDEF_S), 0);
	iam_in(2);
	inv = sip_expect("INVITE sip:+4930123@192.0.2.9:5080;user=phone ");
	ck_assert_ptr_nonnull(strstr(inv, "P-Asserted-Identity: <tel:+4930111>"));
	ck_assert_ptr_nonnull(strstr(inv, "m=audio "));
	sip_rsp_in(inv, 100, NULL);
	/* no 18x within the ACM supervision: ACM "no indication" so that the far end's T7 does not fire */
	advance_s(3);
	acm = isup_expect(ISUP_ACM);
	ck_assert_uint_eq(acm->bci.called_status, 0);
	ck_assert(acm->bci.interworking);
	/* no answer in time: REL cause 19 */
	advance_s(10);
	rel = isup_expect(ISUP_REL);
	ck_assert_uint_eq(rel->cause.value, 19);
	isup_in_simple(ISUP_RLC, 2);
	/* no provisional response with a tag came: the CANCEL waits, Timer B ends the INVITE */
	advance_s(40);
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 0);
	ck_assert(all_idle());
}
END_TEST

START_TEST(test_i2s_ringing_then_busy)
{
	const struct isup_msg *acm, *rel;
	const char *inv;

	iam_in(2);
	inv = sip_expect("INVITE ");
	sip_rsp_in(inv, 180, NULL);
	acm = isup_expect(ISUP_ACM);
	ck_assert_uint_eq(acm->bci.called_status, 1);
	sip_rsp_in(inv, 486, NULL);
	sip_expect("ACK ");
	rel = isup_expect(ISUP_REL);
	ck_assert_uint_eq(rel->cause.value, 17);
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 0);
}
END_TEST

START_TEST(test_i2s_reason_wins)
{
	const struct isup_msg *rel;
	const char *inv;

	iam_in(3);
	inv = sip_expect("INVITE ");
	/* 480 maps to 20, but the Reason header's cause 18 wins (RFC 6432) */
	sip_rsp_in(inv, 480, "Reason: Q.850;cause=18\r\n");
	sip_expect("ACK ");
	rel = isup_expect(ISUP_REL);
	ck_assert_uint_eq(rel->cause.value, 18);
}
END_TEST

/* 200 to a BYE we sent */
static void bye_ok(const char *bye)
{
	char via[256], from[256], to[256], callid[128], cseq[64];

	hdr_val(bye, "Via", via, sizeof(via));
	hdr_val(bye, "From", from, sizeof(from));
	hdr_val(bye, "To", to, sizeof(to));
	hdr_val(bye, "Call-ID", callid, sizeof(callid));
	hdr_val(bye, "CSeq", cseq, sizeof(cseq));
	sip_in("SIP/2.0 200 OK\r\nVia: %s\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\n"
	       "Content-Length: 0\r\n\r\n",
	       via, from, to, callid, cseq);
}

START_TEST(test_i2s_answer_rel)
{
	const struct isup_msg *con;
	struct isup_msg m;
	const char *inv, *bye;

	iam_in(2);
	inv = sip_expect("INVITE ");
	/* 200 without a 18x first: CON */
	sip_rsp_in(inv, 200, "Contact: <sip:uas@127.0.0.1:5099>\r\n");
	sip_expect("ACK sip:uas@127.0.0.1:5099 ");
	con = isup_expect(ISUP_CON);
	ck_assert_uint_eq(con->bci.called_status, 1);
	isup_build_rel(&m, 2, 4, 16);
	isup_in(&m);
	bye = sip_expect("BYE sip:uas@127.0.0.1:5099 ");
	ck_assert_ptr_nonnull(strstr(bye, "Reason: Q.850;cause=16"));
	ck_assert_ptr_nonnull(strstr(bye, ";tag=uas1"));
	isup_expect(ISUP_RLC);
	/* the call ends with the BYE's transaction */
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 1);
	bye_ok(bye);
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 0);
	ck_assert(all_idle());
}
END_TEST

static const char *options_in(const char *branch)
{
	char *req = talloc_asprintf(test_ctx, "OPTIONS sip:mgcf@127.0.0.1 SIP/2.0\r\n"
				    "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-%s\r\n"
				    "From: <sip:lb@127.0.0.1>;tag=o1\r\nTo: <sip:mgcf@127.0.0.1>\r\nCall-ID: %s\r\n"
				    "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", branch, branch);

	sip_next = n_sip;
	sip_in("%s", req);
	talloc_free(req);
	return sip_expect("SIP/2.0 ");
}

/* OPTIONS answered with our state: 200 while a route's trunk group admits a call; 503 with Retry-After when the
 * association is down or the call limit is reached */
START_TEST(test_options)
{
	const char *rsp;

	rsp = options_in("o1");
	ck_assert(!strncmp(rsp, "SIP/2.0 200 ", 12));
	ck_assert_ptr_nonnull(strstr(rsp, "\r\nAllow: "));
	ck_assert_ptr_nonnull(strstr(rsp, "\r\nAccept: application/sdp\r\n"));
	ck_assert_ptr_null(strstr(rsp, "Retry-After"));

	policy->max_calls = 1;
	invite("o-c1", "+4930123");
	isup_expect(ISUP_IAM);
	rsp = options_in("o2");
	ck_assert(!strncmp(rsp, "SIP/2.0 503 ", 12));
	ck_assert_ptr_nonnull(strstr(rsp, "\r\nRetry-After: 10\r\n"));
	policy->max_calls = 2;
	rsp = options_in("o3");
	ck_assert(!strncmp(rsp, "SIP/2.0 200 ", 12));

	ck_assert_int_eq(isup_node_assoc_state(node, "a", false), 0);
	rsp = options_in("o4");
	ck_assert(!strncmp(rsp, "SIP/2.0 503 ", 12));
	ck_assert_ptr_nonnull(strstr(rsp, "\r\nRetry-After: 10\r\n"));
}
END_TEST


START_TEST(test_i2s_admission)
{
	const struct isup_msg *rel;

	policy->max_calls = 1;
	iam_in(2);
	sip_expect("INVITE ");
	iam_in(3);
	/* over the trunk group's limit: released at once with cause 42, no INVITE */
	rel = isup_expect(ISUP_REL);
	ck_assert_uint_eq(rel->cic, 3);
	ck_assert_uint_eq(rel->cause.value, 42);
	sip_expect_none();
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 1);
}
END_TEST

START_TEST(test_s2i_association_loss)
{
	struct isup_msg m;
	const char *ok, *bye;
	char tag[32];

	invite("c9", "+4930123");
	isup_expect(ISUP_IAM);
	isup_build_anm(&m, 1);
	isup_in(&m);
	ok = sip_expect_skip100("SIP/2.0 200 ");
	our_tag(ok, tag, sizeof(tag));
	sip_in("ACK sip:mgcf@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-a9\r\n"
	       "From: <sip:+4930111@127.0.0.1;user=phone>;tag=ft-c9\r\nTo: <sip:+4930123@127.0.0.1>;tag=%s\r\n"
	       "Call-ID: c9\r\nCSeq: 1 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", tag);
	/* the association goes down: the answered call ends with BYE and the node's cause in Reason */
	ck_assert_int_eq(isup_node_assoc_state(node, "a", false), 0);
	bye = sip_expect("BYE sip:ue@127.0.0.1:5099 ");
	ck_assert_ptr_nonnull(strstr(bye, "Reason: Q.850;cause="));
	bye_ok(bye);
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 0);
}
END_TEST

/* ---- preconditions ---- */

static const char sdp_pc_none[] =
	"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
	"m=audio 4000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
	"a=curr:qos local none\r\na=curr:qos remote none\r\n"
	"a=des:qos mandatory local sendrecv\r\na=des:qos none remote sendrecv\r\n";
static const char sdp_pc_met[] =
	"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
	"m=audio 4000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
	"a=curr:qos local sendrecv\r\na=curr:qos remote sendrecv\r\n"
	"a=des:qos mandatory local sendrecv\r\na=des:qos mandatory remote sendrecv\r\n";

static void invite_pc(const char *callid)
{
	sip_in("INVITE sip:+4930123@127.0.0.1;user=phone SIP/2.0\r\n"
	       "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-%s\r\n"
	       "From: <sip:+4930111@127.0.0.1;user=phone>;tag=ft-%s\r\nTo: <sip:+4930123@127.0.0.1;user=phone>\r\n"
	       "Call-ID: %s\r\nCSeq: 1 INVITE\r\nContact: <sip:ue@127.0.0.1:5099>\r\nMax-Forwards: 70\r\n"
	       "Supported: 100rel, precondition\r\nAllow: INVITE, ACK, CANCEL, BYE, PRACK, UPDATE\r\n"
	       "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
	       callid, callid, callid, strlen(sdp_pc_none), sdp_pc_none);
}

/* The reliable 183 with our answer, PRACKed, then the UE's UPDATE saying its segment is ready. */
static void s2i_pc_until_met(const char *callid)
{
	char tag[32], rseq[16];
	const char *rsp;

	rsp = sip_expect_skip100("SIP/2.0 183 ");
	ck_assert_ptr_nonnull(strstr(rsp, "a=curr:qos"));
	ck_assert_ptr_nonnull(strstr(rsp, "Require: 100rel"));
	hdr_val(rsp, "RSeq", rseq, sizeof(rseq));
	our_tag(rsp, tag, sizeof(tag));
	sip_in("PRACK sip:mgcf@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-%s-pr\r\n"
	       "From: <sip:+4930111@127.0.0.1;user=phone>;tag=ft-%s\r\n"
	       "To: <sip:+4930123@127.0.0.1;user=phone>;tag=%s\r\n"
	       "Call-ID: %s\r\nCSeq: 2 PRACK\r\nRAck: %s 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
	       callid, callid, tag, callid, rseq);
	sip_expect("SIP/2.0 200 ");
	sip_in("UPDATE sip:mgcf@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-%s-up\r\n"
	       "From: <sip:+4930111@127.0.0.1;user=phone>;tag=ft-%s\r\n"
	       "To: <sip:+4930123@127.0.0.1;user=phone>;tag=%s\r\n"
	       "Call-ID: %s\r\nCSeq: 3 UPDATE\r\nContact: <sip:ue@127.0.0.1:5099>\r\nMax-Forwards: 70\r\n"
	       "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
	       callid, callid, tag, callid, strlen(sdp_pc_met), sdp_pc_met);
	rsp = sip_expect("SIP/2.0 200 ");
	ck_assert_ptr_nonnull(strstr(rsp, "a=curr:qos local sendrecv"));
}

START_TEST(test_s2i_precond_iam_cot)
{
	const struct isup_msg *iam, *cot;

	invite_pc("p1");
	/* TS 29.163 §7.2.3.1.2 option 1: the IAM at once, continuity check performed on a previous circuit */
	iam = isup_expect(ISUP_IAM);
	ck_assert_uint_eq(iam->nci.continuity, 2);
	s2i_pc_until_met("p1");
	/* the preconditions are met: COT "successful" */
	cot = isup_expect(ISUP_COT);
	ck_assert(cot->continuity_ok);
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 1);
}
END_TEST

START_TEST(test_s2i_continuity_required)
{
	struct isup_msg m;
	struct isup_bci bci = { .called_status = 1 };
	const struct isup_msg *iam, *cot;

	/* the trunk tests every circuit (Q.764 §2.1.8): NCI "required on this circuit", then the tone test; without
	 * a media plane (no transceiver) the bearer is taken as good and COT(successful) follows at once */
	policy->continuity = MGCF_CONTINUITY_REQUIRED;
	invite("c9", "+4930123");
	iam = isup_expect(ISUP_IAM);
	ck_assert_uint_eq(iam->nci.continuity, 1);
	cot = isup_expect(ISUP_COT);
	ck_assert(cot->continuity_ok);
	isup_build_acm(&m, 1, &bci);
	isup_in(&m);
	sip_expect_skip100("SIP/2.0 180 ");
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 1);
}
END_TEST

START_TEST(test_s2i_precond_delay_iam)
{
	const struct isup_msg *iam;

	policy->precond_mode = MGCF_PRECOND_DELAY_IAM;
	invite_pc("p2");
	ck_assert_uint_eq(n_isup, 0);
	s2i_pc_until_met("p2");
	/* option 2: the IAM only now, without continuity indication */
	iam = isup_expect(ISUP_IAM);
	ck_assert_uint_eq(iam->nci.continuity, 0);
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 1);
}
END_TEST

START_TEST(test_s2i_precond_timeout)
{
	const char *rsp;

	ck_assert_int_eq(osmo_tdef_set(mgcf_tdefs, MGCF_T_PRECOND, 5, OSMO_TDEF_S), 0);
	invite_pc("p3");
	isup_expect(ISUP_IAM);
	sip_expect_skip100("SIP/2.0 183 ");
	/* no PRACK, no UPDATE: the reliable 183 is retransmitted; then the preconditions time out */
	advance_s(6);
	ck_assert_uint_eq(isup_expect(ISUP_REL)->cause.value, 47);
	while (sip_next < n_sip && !strncmp(sip_out[sip_next], "SIP/2.0 183 ", 12))
		sip_next++;
	rsp = sip_expect("SIP/2.0 580 ");
	ck_assert_ptr_nonnull(strstr(rsp, "Reason: Q.850;cause=47"));
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 0);
}
END_TEST

START_TEST(test_i2s_precond_update_after_cot)
{
	struct isup_msg m;
	const char *inv, *upd;
	const struct isup_msg *acm;

	iam_in_cc(2, true);
	/* preconditions towards the IMS: the INVITE at once, our segment not ready */
	inv = sip_expect("INVITE ");
	ck_assert_ptr_nonnull(strstr(inv, "a=des:qos mandatory local sendrecv"));
	ck_assert_ptr_nonnull(strstr(inv, "a=curr:qos local none"));
	sip_rsp_in_body(inv, 183, "Contact: <sip:uas@127.0.0.1:5099>\r\nRequire: 100rel\r\nRSeq: 1\r\n",
			"v=0\r\no=- 7 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
			"m=audio 4002 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n"
			"a=curr:qos local sendrecv\r\na=curr:qos remote none\r\n"
			"a=des:qos mandatory local sendrecv\r\na=des:qos mandatory remote sendrecv\r\n");
	sip_expect("PRACK sip:uas@127.0.0.1:5099 ");
	/* no ACM before COT */
	ck_assert_uint_eq(n_isup, 0);
	isup_msg_init(&m, ISUP_COT, 2);
	m.continuity_ok = true;
	isup_msg_set(&m, ISUP_P_CONTINUITY_IND);
	isup_in(&m);
	acm = isup_expect(ISUP_ACM);
	ck_assert_uint_eq(acm->bci.called_status, 0);
	/* COT: our segment is ready: UPDATE (RFC 3312 §6) */
	upd = sip_expect("UPDATE sip:uas@127.0.0.1:5099 ");
	ck_assert_ptr_nonnull(strstr(upd, "a=curr:qos local sendrecv"));
}
END_TEST

START_TEST(test_i2s_invite_waits_for_cot)
{
	struct isup_msg m;

	/* continuity checked on a previous circuit, preconditions disabled: the INVITE waits for COT */
	scfg.precondition = SIP_EXT_DISABLED;
	iam_in_cc(2, true);
	sip_expect_none();
	isup_msg_init(&m, ISUP_COT, 2);
	m.continuity_ok = true;
	isup_msg_set(&m, ISUP_P_CONTINUITY_IND);
	isup_in(&m);
	ck_assert_ptr_null(strstr(sip_expect("INVITE "), "a=curr:qos"));
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 1);
}
END_TEST

START_TEST(test_s2i_congestion_reattempt)
{
	struct isup_msg m;
	const struct isup_msg *iam;
	const char *rsp;

	invite("r1", "+4930123");
	ck_assert_uint_eq(isup_expect(ISUP_IAM)->cic, 1);
	/* congestion before any backward message: once more on another circuit */
	isup_build_rel(&m, 1, 4, 34);
	isup_in(&m);
	isup_expect(ISUP_RLC);
	iam = isup_expect(ISUP_IAM);
	ck_assert_uint_ne(iam->cic, 1);
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 1);
	/* congestion again: given up, 480 (TS 29.163's row for 42) with Reason cause 42 */
	isup_build_rel(&m, iam->cic, 4, 42);
	isup_in(&m);
	isup_expect(ISUP_RLC);
	rsp = sip_expect_skip100("SIP/2.0 480 ");
	ck_assert_ptr_nonnull(strstr(rsp, "Reason: Q.850;cause=42"));
	ck_assert_uint_eq(mgcf_iw_num_calls(iw), 0);
	ck_assert(all_idle());
}
END_TEST

/* Instance ids: "callN" from the start when the FSM's debug lines are logged, "callN-<trunk>-cic<cic>" once the
 * circuit is known and again when the call moves to another circuit; the ISUP leg's names its direction. */
START_TEST(test_call_ids)
{
	struct isup_msg m;

	invite("id1", "+4930123");
	ck_assert_uint_eq(isup_expect(ISUP_IAM)->cic, 1);
	ck_assert(test_log_contains("mgcf_call(call1)["));
	ck_assert(test_log_contains("mgcf_call(call1-pstn-cic1)["));
	ck_assert(test_log_contains("isup_call(pstn-1-out"));
	isup_build_rel(&m, 1, 4, 34);
	isup_in(&m);
	isup_expect(ISUP_RLC);
	ck_assert_uint_eq(isup_expect(ISUP_IAM)->cic, 2);
	ck_assert(test_log_contains("isup_call(pstn-2-out"));
	/* the next event logs the call's new name */
	isup_build_acm(&m, 2, &(struct isup_bci){ .called_status = 1 });
	isup_in(&m);
	sip_expect_skip100("SIP/2.0 180 ");
	ck_assert(test_log_contains("mgcf_call(call1-pstn-cic2)["));
	/* the far end's IAM */
	iam_in(4);
	sip_expect("INVITE ");
	ck_assert(test_log_contains("mgcf_call(call2)["));
	ck_assert(test_log_contains("mgcf_call(call2-pstn-cic4)["));
	ck_assert(test_log_contains("isup_call(pstn-4-in"));
}
END_TEST

/* Without the FSM's debug lines a call gets its id when first logged about: with its circuit normally, or the bare
 * "callN" when refused before one is chosen. */
START_TEST(test_call_ids_lazy)
{
	/* the harness's capture target, the only one (created as libosmocore's type 0) */
	struct log_target *t = log_target_find(LOG_TGT_TYPE_VTY, NULL);

	ck_assert_ptr_nonnull(t);
	/* a target's own level overrides its categories' */
	log_set_log_level(t, 0);
	log_set_category_filter(t, DMGCF, 1, LOGL_INFO);
	log_set_category_filter(t, DISUP, 1, LOGL_INFO);
	invite("id1", "+4930123");
	isup_expect(ISUP_IAM);
	ck_assert(test_log_contains("mgcf_call(call1-pstn-cic1)["));
	ck_assert(!test_log_contains("mgcf_call(call1)["));
	/* the ISUP leg: unnamed at its allocation, named with its circuit when first logged about */
	ck_assert(!test_log_contains("isup_call[0x"));
	ck_assert(test_log_contains("isup_call(pstn-1-out"));
	sip_next = n_sip;
	invite("id2", "4930123");
	sip_expect_skip100("SIP/2.0 404 ");
	ck_assert(test_log_contains("mgcf_call(call2)[0x"));
	ck_assert(test_log_contains("no route: 404"));
	/* the far end's IAM: the call is named with its circuit at once */
	iam_in(4);
	sip_expect("INVITE ");
	ck_assert(test_log_contains("mgcf_call(call3-pstn-cic4)["));
	ck_assert(!test_log_contains("mgcf_call(call3)["));
}
END_TEST

/* Named lazily, a call that moves to another circuit logs under its new one from then on: the move marks the id
 * stale, the next line renames. */
START_TEST(test_call_ids_lazy_moved)
{
	struct log_target *t = log_target_find(LOG_TGT_TYPE_VTY, NULL);
	struct isup_msg m;

	ck_assert_ptr_nonnull(t);
	log_set_log_level(t, 0);
	log_set_category_filter(t, DMGCF, 1, LOGL_INFO);
	log_set_category_filter(t, DISUP, 1, LOGL_INFO);
	invite("id1", "+4930123");
	ck_assert_uint_eq(isup_expect(ISUP_IAM)->cic, 1);
	ck_assert(test_log_contains("mgcf_call(call1-pstn-cic1)["));
	/* the far end's congestion: the re-attempt is logged under CIC 1, then the call moves to CIC 2 */
	isup_build_rel(&m, 1, 4, 34);
	isup_in(&m);
	isup_expect(ISUP_RLC);
	ck_assert_uint_eq(isup_expect(ISUP_IAM)->cic, 2);
	ck_assert(test_log_contains("mgcf_call(call1-pstn-cic1)[0x") &&
		  strstr(strstr(test_log(), "mgcf_call(call1-pstn-cic1)[0x"), "re-attempt on CIC 2"));
	test_log_clear();
	isup_build_rel(&m, 2, 4, 42);
	isup_in(&m);
	isup_expect(ISUP_RLC);
	ck_assert(test_log_contains("mgcf_call(call1-pstn-cic2)["));
	ck_assert(!test_log_contains("mgcf_call(call1-pstn-cic1)["));
	ck_assert(!test_log_contains("mgcf_call(call1)["));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("mgcf_call");
	TCase *tc = tcase_create("flows");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_s2i_answer_bye);
	tcase_add_test(tc, test_s2i_offer_beyond_pool);
	tcase_add_test(tc, test_s2i_t7_expiry);
	tcase_add_test(tc, test_s2i_t9_expiry);
	tcase_add_test(tc, test_s2i_rel_reject);
	tcase_add_test(tc, test_s2i_cancel);
	tcase_add_test(tc, test_s2i_admission);
	tcase_add_test(tc, test_s2i_no_circuit);
	tcase_add_test(tc, test_s2i_no_route);
	tcase_add_test(tc, test_i2s_acm_supervision_and_no_answer);
	tcase_add_test(tc, test_i2s_ringing_then_busy);
	tcase_add_test(tc, test_i2s_reason_wins);
	tcase_add_test(tc, test_i2s_answer_rel);
	tcase_add_test(tc, test_options);
	tcase_add_test(tc, test_i2s_admission);
	tcase_add_test(tc, test_s2i_association_loss);
	tcase_add_test(tc, test_s2i_congestion_reattempt);
	tcase_add_test(tc, test_i2s_invite_waits_for_cot);
	tcase_add_test(tc, test_s2i_precond_iam_cot);
	tcase_add_test(tc, test_s2i_precond_delay_iam);
	tcase_add_test(tc, test_s2i_continuity_required);
	tcase_add_test(tc, test_s2i_precond_timeout);
	tcase_add_test(tc, test_i2s_precond_update_after_cot);
	tcase_add_test(tc, test_call_ids);
	tcase_add_test(tc, test_call_ids_lazy);
	tcase_add_test(tc, test_call_ids_lazy_moved);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(suite());
}
