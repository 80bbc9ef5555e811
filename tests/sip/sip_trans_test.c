/* Transactions and core: the four RFC 3261 §17 machines with fake time, matching, and the core's answers.
 * Messages go in through the transport's datagram receive path (sip_tp_inject()) and come out through its
 * transmit hook, so the whole stack above the sockets is exercised. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <talloc.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/timer.h>

#include "sip/sip_build.h"
#include "sip/sip_core.h"
#include "sip/sip_trans.h"
#include "sip/sip_transport.h"
#include "testlib.h"

#define MAX_TX 256

struct txm {
	struct sip_addr dst;
	char *s;
	unsigned long at_ms;
};

static struct sip_cfg cfg;
static struct sip_core *core;
static void *tx_ctx;
static struct txm tx[MAX_TX];
static unsigned int n_tx;

static struct {
	uint16_t status;
	bool synthesized;
} rsp[64];
static unsigned int n_rsp;

static struct sip_strans *inv_st, *last_st;
static unsigned int n_handler, n_ack, n_ack_timeout, n_cancel, n_in_dialog;
static int in_dialog_rc;
static uint16_t options_status = 200;

static unsigned long now_ms(void)
{
	struct timeval tv;

	osmo_gettimeofday(&tv, NULL);
	return tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void tx_hook(void *priv, const struct sip_addr *dst, struct msgb *msg)
{
	ck_assert_uint_lt(n_tx, MAX_TX);
	tx[n_tx].dst = *dst;
	tx[n_tx].s = talloc_strndup(tx_ctx, (const char *)msgb_data(msg), msgb_length(msg));
	tx[n_tx].at_ms = now_ms();
	n_tx++;
	msgb_free(msg);
}

static void st_terminated(void *priv, struct sip_strans *st)
{
	if (inv_st == st)
		inv_st = NULL;
	if (last_st == st)
		last_st = NULL;
}

static void st_ack_timeout(void *priv, struct sip_strans *st)
{
	n_ack_timeout++;
}

static const struct sip_strans_ops st_ops = {
	.ack_timeout = st_ack_timeout,
	.terminated = st_terminated,
};

static void on_invite(void *priv, struct sip_strans *st)
{
	n_handler++;
	inv_st = st;
	sip_strans_set_ops(st, &st_ops, NULL);
}

static void on_other(void *priv, struct sip_strans *st)
{
	n_handler++;
	last_st = st;
	sip_strans_set_ops(st, &st_ops, NULL);
}

static int core_in_dialog(void *priv, struct sip_strans *st)
{
	n_in_dialog++;
	return in_dialog_rc;
}

static void core_ack(void *priv, const struct sip_rx *rx)
{
	n_ack++;
}

static void core_cancel(void *priv, struct sip_strans *invite)
{
	n_cancel++;
	sip_strans_reply(invite, 487, NULL, NULL);
}

static uint16_t core_options_status(void *priv, uint32_t *retry_after_s)
{
	if (options_status == 503)
		*retry_after_s = 30;
	return options_status;
}

static const struct sip_core_ops core_ops = {
	.in_dialog = core_in_dialog,
	.ack = core_ack,
	.cancel = core_cancel,
	.options_status = core_options_status,
};

static const char *const supported[] = { "100rel", "timer", NULL };

static void setup(void)
{
	test_setup();
	memset(&cfg, 0, sizeof(cfg));
	cfg.max_message_size = 8192;
	tx_ctx = talloc_named_const(NULL, 0, "tx");
	n_tx = n_rsp = n_handler = n_ack = n_ack_timeout = n_cancel = n_in_dialog = 0;
	inv_st = last_st = NULL;
	in_dialog_rc = -ENOENT;
	options_status = 200;
	core = sip_core_alloc(test_ctx, &cfg, &core_ops, NULL);
	ck_assert_ptr_nonnull(core);
	sip_tp_set_tx_hook(sip_core_tp(core), tx_hook, NULL);
	sip_core_set_supported(core, supported);
	sip_core_register(core, SIP_METHOD_INVITE, on_invite, NULL);
	sip_core_register(core, SIP_METHOD_BYE, on_other, NULL);
	sip_core_register(core, SIP_METHOD_MESSAGE, on_other, NULL);
}

static void teardown(void)
{
	sip_core_free(core);
	core = NULL;
	talloc_free(tx_ctx);
	test_teardown();
}

/* advance fake time in 10 ms steps so that timers scheduled from timer callbacks run on time */
static void run_ms(unsigned long ms)
{
	unsigned long i;

	for (i = 0; i < ms; i += 10)
		test_time_advance(0, 10000);
}

static struct sip_addr udp_src(void)
{
	struct sip_addr a = { .proto = SIP_TRANSPORT_UDP };

	a.remote.u.sin.sin_family = AF_INET;
	a.remote.u.sin.sin_port = htons(5099);
	inet_pton(AF_INET, "192.0.2.5", &a.remote.u.sin.sin_addr);
	return a;
}

static struct sip_addr tcp_src(void)
{
	struct sip_addr a = udp_src();

	a.proto = SIP_TRANSPORT_TCP;
	a.conn_id = 7;
	return a;
}

static void inject_from(struct sip_addr src, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void inject_from(struct sip_addr src, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = talloc_vasprintf(tx_ctx, fmt, ap);
	va_end(ap);
	sip_tp_inject(sip_core_tp(core), &src, s, strlen(s));
	talloc_free(s);
}

#define inject(...) inject_from(udp_src(), __VA_ARGS__)

static unsigned int tx_status_count(uint16_t status)
{
	char pfx[16];
	unsigned int i, n = 0;

	snprintf(pfx, sizeof(pfx), "SIP/2.0 %u ", status);
	for (i = 0; i < n_tx; i++)
		if (!strncmp(tx[i].s, pfx, strlen(pfx)))
			n++;
	return n;
}

static const char *tx_last(void)
{
	ck_assert_uint_gt(n_tx, 0);
	return tx[n_tx - 1].s;
}

#define INVITE_FMT							\
	"INVITE sip:bob@192.0.2.1 SIP/2.0\r\n"				\
	"Via: SIP/2.0/UDP 192.0.2.5:5099;branch=%s;rport\r\n"		\
	"Max-Forwards: 70\r\n"						\
	"From: <sip:alice@192.0.2.5>;tag=%s\r\n"			\
	"To: <sip:bob@192.0.2.1>\r\n"					\
	"Call-ID: %s\r\n"						\
	"CSeq: %u INVITE\r\n"						\
	"Content-Length: 0\r\n\r\n"

#define ACK_FMT								\
	"ACK sip:bob@192.0.2.1 SIP/2.0\r\n"				\
	"Via: SIP/2.0/UDP 192.0.2.5:5099;branch=%s;rport\r\n"		\
	"Max-Forwards: 70\r\n"						\
	"From: <sip:alice@192.0.2.5>;tag=%s\r\n"			\
	"To: <sip:bob@192.0.2.1>;tag=%s\r\n"				\
	"Call-ID: %s\r\n"						\
	"CSeq: %u ACK\r\n"						\
	"Content-Length: 0\r\n\r\n"

#define REQ_FMT								\
	"%s sip:bob@192.0.2.1 SIP/2.0\r\n"				\
	"Via: SIP/2.0/UDP 192.0.2.5:5099;branch=%s\r\n"			\
	"Max-Forwards: %u\r\n"						\
	"From: <sip:alice@192.0.2.5>;tag=ft\r\n"			\
	"To: <sip:bob@192.0.2.1>%s\r\n"					\
	"Call-ID: %s\r\n"						\
	"CSeq: 5 %s\r\n"						\
	"%s"								\
	"Content-Length: 0\r\n\r\n"

/* ---- client transactions ----------------------------------------------------------------------------------- */

static void ct_response(void *priv, struct sip_ctrans *ct, uint16_t status, const struct sip_msg *m)
{
	ck_assert_uint_lt(n_rsp, ARRAY_SIZE(rsp));
	rsp[n_rsp].status = status;
	rsp[n_rsp].synthesized = m == NULL;
	n_rsp++;
}

static const struct sip_ctrans_ops ct_ops = { .response = ct_response };

static struct sip_addr dst_to(enum sip_transport proto)
{
	struct sip_addr d = { .proto = proto };

	d.remote.u.sin.sin_family = AF_INET;
	d.remote.u.sin.sin_port = htons(5060);
	inet_pton(AF_INET, "192.0.2.2", &d.remote.u.sin.sin_addr);
	return d;
}

static struct sip_ctrans *send_req(const char *method, enum sip_transport proto)
{
	struct msgb *m = msgb_alloc(1024, "req");
	struct sip_addr d = dst_to(proto);
	int n;

	n = snprintf((char *)msgb_data(m), 1024,
		     "%s sip:bob@192.0.2.2 SIP/2.0\r\nMax-Forwards: 70\r\nFrom: <sip:a@192.0.2.9>;tag=abc\r\n"
		     "To: <sip:bob@192.0.2.2>\r\nCall-ID: ct-1\r\nCSeq: 1 %s\r\nContent-Length: 0\r\n\r\n",
		     method, method);
	msgb_put(m, n);
	return sip_ctrans_send(sip_core_tl(core), &d, m, &ct_ops, NULL);
}

static void rsp_in(struct sip_ctrans *ct, uint16_t status, const char *method, const char *to_tag)
{
	inject("SIP/2.0 %u X\r\nVia: SIP/2.0/UDP invalid.invalid;branch=%s;rport=5060\r\n"
	       "From: <sip:a@192.0.2.9>;tag=abc\r\nTo: <sip:bob@192.0.2.2>%s%s\r\nCall-ID: ct-1\r\nCSeq: 1 %s\r\n"
	       "Content-Length: 0\r\n\r\n", status, sip_ctrans_branch(ct), to_tag ? ";tag=" : "", to_tag ? to_tag : "",
	       method);
}

START_TEST(test_nict_udp_schedule_and_timeout)
{
	static const unsigned long expect[] = { 0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500 };
	struct sip_ctrans *ct = send_req("OPTIONS", SIP_TRANSPORT_UDP);
	unsigned int i;

	ck_assert_ptr_nonnull(ct);
	ck_assert_uint_eq(n_tx, 1);
	/* the Via was inserted after the Request-Line with a new branch and rport */
	ck_assert_ptr_nonnull(strstr(tx[0].s, "\r\nVia: SIP/2.0/UDP invalid.invalid;branch=z9hG4bK"));
	ck_assert_ptr_nonnull(strstr(tx[0].s, ";rport\r\nMax-Forwards: 70"));
	run_ms(32000 + 20);
	/* Timer E: T1, doubling, capped at T2 (RFC 3261 §17.1.2.2) */
	ck_assert_uint_eq(n_tx, ARRAY_SIZE(expect));
	for (i = 0; i < n_tx; i++)
		ck_assert_uint_eq(tx[i].at_ms, expect[i]);
	/* Timer F → 408 */
	ck_assert_uint_eq(n_rsp, 1);
	ck_assert_uint_eq(rsp[0].status, 408);
	ck_assert(rsp[0].synthesized);
	ck_assert_uint_eq(sip_tl_num_trans(sip_core_tl(core)), 0);
	ck_assert_uint_eq(sip_tl_ctr(sip_core_tl(core), SIP_TL_CTR_CT_TIMEOUT), 1);
}
END_TEST

START_TEST(test_nict_proceeding_t2_and_k)
{
	struct sip_ctrans *ct = send_req("MESSAGE", SIP_TRANSPORT_UDP);

	run_ms(500);
	ck_assert_uint_eq(n_tx, 2);
	rsp_in(ct, 100, "MESSAGE", NULL);
	ck_assert_uint_eq(n_rsp, 1);
	ck_assert_int_eq(sip_ctrans_state(ct), SIP_TS_PROCEEDING);
	/* in Proceeding, E fires every T2: the next one after 1000 ms (scheduled before), then T2 */
	run_ms(1000);
	ck_assert_uint_eq(n_tx, 3);
	run_ms(4000);
	ck_assert_uint_eq(n_tx, 4);
	ck_assert_uint_eq(tx[3].at_ms - tx[2].at_ms, 4000);
	rsp_in(ct, 200, "MESSAGE", "t1");
	ck_assert_uint_eq(n_rsp, 2);
	ck_assert_uint_eq(rsp[1].status, 200);
	ck_assert(!rsp[1].synthesized);
	/* retransmitted final absorbed in Completed, no more retransmissions */
	rsp_in(ct, 200, "MESSAGE", "t1");
	ck_assert_uint_eq(n_rsp, 2);
	ck_assert_uint_eq(sip_tl_ctr(sip_core_tl(core), SIP_TL_CTR_RX_RSP_ABSORBED), 1);
	run_ms(4990);
	ck_assert_uint_eq(n_tx, 4);
	ck_assert_uint_eq(sip_tl_num_trans(sip_core_tl(core)), 1);
	run_ms(20);	/* Timer K = T4 */
	ck_assert_uint_eq(sip_tl_num_trans(sip_core_tl(core)), 0);
}
END_TEST

START_TEST(test_nict_reliable)
{
	struct sip_ctrans *ct = send_req("OPTIONS", SIP_TRANSPORT_TCP);

	ck_assert_ptr_nonnull(ct);
	run_ms(31000);
	ck_assert_uint_eq(n_tx, 1);	/* no retransmission over TCP */
	run_ms(1010);
	ck_assert_uint_eq(n_rsp, 1);
	ck_assert_uint_eq(rsp[0].status, 408);

	ct = send_req("OPTIONS", SIP_TRANSPORT_TCP);
	rsp_in(ct, 200, "OPTIONS", "x");
	ck_assert_uint_eq(n_rsp, 2);
	ck_assert_uint_eq(sip_tl_num_trans(sip_core_tl(core)), 1);
	run_ms(10);	/* K = 0 on reliable transports */
	ck_assert_uint_eq(sip_tl_num_trans(sip_core_tl(core)), 0);
}
END_TEST

START_TEST(test_response_two_vias_dropped)
{
	struct sip_ctrans *ct = send_req("OPTIONS", SIP_TRANSPORT_UDP);

	/* RFC 3261 §18.1.2: a response with more than one Via is not for a UA */
	inject("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP invalid.invalid;branch=%s\r\n"
	       "Via: SIP/2.0/UDP 10.1.1.1;branch=z9hG4bKx\r\n"
	       "From: <sip:a@192.0.2.9>;tag=abc\r\nTo: <sip:bob@192.0.2.2>;tag=t\r\nCall-ID: ct-1\r\n"
	       "CSeq: 1 OPTIONS\r\n"
	       "Content-Length: 0\r\n\r\n", sip_ctrans_branch(ct));
	ck_assert_uint_eq(n_rsp, 0);
	ck_assert_uint_eq(sip_tp_ctr(sip_core_tp(core), SIP_TP_CTR_RX_RESP_MULTI_VIA), 1);
	rsp_in(ct, 200, "OPTIONS", "t");
	ck_assert_uint_eq(n_rsp, 1);
}
END_TEST

START_TEST(test_ict_udp_schedule_and_timeout)
{
	static const unsigned long expect[] = { 0, 500, 1500, 3500, 7500, 15500, 31500 };
	unsigned int i;

	ck_assert_ptr_nonnull(send_req("INVITE", SIP_TRANSPORT_UDP));
	run_ms(32000 + 20);
	/* Timer A doubles without cap; Timer B = 64*T1 */
	ck_assert_uint_eq(n_tx, ARRAY_SIZE(expect));
	for (i = 0; i < n_tx; i++)
		ck_assert_uint_eq(tx[i].at_ms, expect[i]);
	ck_assert_uint_eq(n_rsp, 1);
	ck_assert_uint_eq(rsp[0].status, 408);
	ck_assert_uint_eq(sip_tl_num_trans(sip_core_tl(core)), 0);
}
END_TEST

START_TEST(test_ict_non2xx_ack_and_d)
{
	struct sip_ctrans *ct = send_req("INVITE", SIP_TRANSPORT_UDP);

	rsp_in(ct, 180, "INVITE", "tt");
	ck_assert_uint_eq(n_rsp, 1);
	run_ms(40000);
	ck_assert_uint_eq(n_tx, 1);	/* A stopped, no B in Proceeding */
	rsp_in(ct, 486, "INVITE", "tt");
	ck_assert_uint_eq(n_rsp, 2);
	ck_assert_uint_eq(rsp[1].status, 486);
	ck_assert_uint_eq(n_tx, 2);
	/* §17.1.1.3: ACK with the INVITE's branch, the response's To, CSeq method ACK */
	ck_assert_ptr_nonnull(strstr(tx[1].s, "ACK sip:bob@192.0.2.2 SIP/2.0\r\n"));
	ck_assert_ptr_nonnull(strstr(tx[1].s, sip_ctrans_branch(ct)));
	ck_assert_ptr_nonnull(strstr(tx[1].s, "To: <sip:bob@192.0.2.2>;tag=tt\r\n"));
	ck_assert_ptr_nonnull(strstr(tx[1].s, "CSeq: 1 ACK\r\n"));
	/* a retransmitted 486 gets the ACK again and is not reported */
	rsp_in(ct, 486, "INVITE", "tt");
	ck_assert_uint_eq(n_rsp, 2);
	ck_assert_uint_eq(n_tx, 3);
	ck_assert_str_eq(tx[2].s, tx[1].s);
	run_ms(31990);
	ck_assert_uint_eq(sip_tl_num_trans(sip_core_tl(core)), 1);
	run_ms(20);	/* Timer D */
	ck_assert_uint_eq(sip_tl_num_trans(sip_core_tl(core)), 0);

	/* reliable: D = 0 */
	ct = send_req("INVITE", SIP_TRANSPORT_TCP);
	rsp_in(ct, 603, "INVITE", "u");
	ck_assert_uint_eq(sip_tl_num_trans(sip_core_tl(core)), 1);
	run_ms(10);
	ck_assert_uint_eq(sip_tl_num_trans(sip_core_tl(core)), 0);
}
END_TEST

START_TEST(test_ict_2xx_accepted_m)
{
	struct sip_ctrans *ct = send_req("INVITE", SIP_TRANSPORT_UDP);

	rsp_in(ct, 200, "INVITE", "ok");
	ck_assert_int_eq(sip_ctrans_state(ct), SIP_TS_ACCEPTED);
	ck_assert_uint_eq(n_tx, 1);	/* no ACK from the transaction for a 2xx */
	/* RFC 6026 §8.4: retransmitted 2xx go to the TU (it resends its ACK) */
	rsp_in(ct, 200, "INVITE", "ok");
	ck_assert_uint_eq(n_rsp, 2);
	run_ms(32010);	/* Timer M */
	ck_assert_uint_eq(sip_tl_num_trans(sip_core_tl(core)), 0);
	ck_assert_uint_eq(n_tx, 1);
}
END_TEST

START_TEST(test_ct_transport_error_503)
{
	struct sip_ctrans *ct = send_req("INVITE", SIP_TRANSPORT_TCP);
	uint32_t conn = sip_ctrans_dst(ct)->conn_id;

	ck_assert_uint_ne(conn, 0);
	sip_tl_conn_closed(sip_core_tl(core), conn, true);
	ck_assert_uint_eq(n_rsp, 0);	/* reported from the loop, not inside the transport's call */
	run_ms(10);
	ck_assert_uint_eq(n_rsp, 1);
	ck_assert_uint_eq(rsp[0].status, 503);
	ck_assert(rsp[0].synthesized);
	ck_assert_uint_eq(sip_tl_num_trans(sip_core_tl(core)), 0);
}
END_TEST

START_TEST(test_ct_cancel)
{
	struct sip_ctrans *ct = send_req("INVITE", SIP_TRANSPORT_UDP), *cc;

	ck_assert_ptr_null(sip_ctrans_cancel(ct, &ct_ops, NULL));	/* nothing received yet (§9.1) */
	rsp_in(ct, 180, "INVITE", "r");
	cc = sip_ctrans_cancel(ct, &ct_ops, NULL);
	ck_assert_ptr_nonnull(cc);
	ck_assert_str_eq(sip_ctrans_branch(cc), sip_ctrans_branch(ct));
	ck_assert_ptr_nonnull(strstr(tx_last(), "CANCEL sip:bob@192.0.2.2 SIP/2.0\r\n"));
	ck_assert_ptr_nonnull(strstr(tx_last(), "CSeq: 1 CANCEL\r\n"));
	ck_assert_ptr_nonnull(strstr(tx_last(), "To: <sip:bob@192.0.2.2>\r\n"));
	/* the 200 to CANCEL goes to the CANCEL transaction, the 487 to the INVITE */
	rsp_in(cc, 200, "CANCEL", "r");
	rsp_in(ct, 487, "INVITE", "r");
	ck_assert_uint_eq(n_rsp, 3);
	ck_assert_uint_eq(rsp[1].status, 200);
	ck_assert_uint_eq(rsp[2].status, 487);
}
END_TEST

/* ---- server transactions ----------------------------------------------------------------------------------- */

START_TEST(test_ist_non2xx_g_h_i)
{
	unsigned int i, n0;

	inject(INVITE_FMT, "z9hG4bKist1", "f1", "c-ist1", 1u);
	ck_assert_uint_eq(n_handler, 1);
	ck_assert_ptr_nonnull(inv_st);
	ck_assert_uint_eq(tx_status_count(100), 1);	/* 100 Trying at once */
	/* response routing: UDP, rport → source port (RFC 3581 §4) */
	ck_assert_uint_eq(ntohs(tx[0].dst.remote.u.sin.sin_port), 5099);
	/* rport got its value and received= is added even though sent-by is the source (RFC 3581 §4) */
	ck_assert_ptr_nonnull(strstr(tx[0].s,
				     "Via: SIP/2.0/UDP 192.0.2.5:5099;branch=z9hG4bKist1;rport=5099;received=192.0.2.5\r\n"));

	ck_assert_int_eq(sip_strans_reply(inv_st, 180, NULL, NULL), 0);
	/* retransmitted INVITE replays the last provisional */
	inject(INVITE_FMT, "z9hG4bKist1", "f1", "c-ist1", 1u);
	ck_assert_uint_eq(n_handler, 1);
	ck_assert_uint_eq(tx_status_count(180), 2);

	ck_assert_int_eq(sip_strans_reply(inv_st, 486, NULL, NULL), 0);
	n0 = n_tx;
	run_ms(7600);
	/* Timer G: 500, 1000, 2000, 4000 (capped at T2) */
	ck_assert_uint_eq(n_tx - n0, 4);
	for (i = n0; i < n_tx; i++)
		ck_assert_uint_eq(strncmp(tx[i].s, "SIP/2.0 486 ", 12), 0);
	ck_assert_uint_eq(tx[n0 + 3].at_ms - tx[n0 + 2].at_ms, 4000);
	/* a retransmitted INVITE in Completed replays the 486 */
	inject(INVITE_FMT, "z9hG4bKist1", "f1", "c-ist1", 1u);
	ck_assert_uint_eq(n_tx - n0, 5);
	ck_assert_uint_eq(sip_strans_request(inv_st)->num_hdrs, 0);	/* matched on its typed values alone */
	/* ACK (same branch) → Confirmed; retransmissions stop */
	inject(ACK_FMT, "z9hG4bKist1", "f1", sip_strans_to_tag(inv_st), "c-ist1", 1u);
	ck_assert_int_eq(sip_strans_state(inv_st), SIP_TS_CONFIRMED);
	ck_assert_uint_eq(n_ack, 0);	/* absorbed by the transaction */
	n0 = n_tx;
	inject(ACK_FMT, "z9hG4bKist1", "f1", sip_strans_to_tag(inv_st), "c-ist1", 1u);
	run_ms(4990);
	ck_assert_uint_eq(n_tx, n0);
	ck_assert_ptr_nonnull(inv_st);
	run_ms(20);	/* Timer I = T4 */
	ck_assert_ptr_null(inv_st);
	ck_assert_uint_eq(n_ack_timeout, 0);
}
END_TEST

START_TEST(test_ist_timer_h)
{
	inject(INVITE_FMT, "z9hG4bKh", "f1", "c-h", 1u);
	sip_strans_reply(inv_st, 500, NULL, NULL);
	run_ms(31990);
	ck_assert_ptr_nonnull(inv_st);
	run_ms(20);
	ck_assert_ptr_null(inv_st);
	ck_assert_uint_eq(n_ack_timeout, 1);
	ck_assert_uint_eq(sip_tl_ctr(sip_core_tl(core), SIP_TL_CTR_ST_ACK_TIMEOUT), 1);
}
END_TEST

START_TEST(test_ist_reliable)
{
	inject_from(tcp_src(), INVITE_FMT, "z9hG4bKtcp", "f1", "c-tcp", 1u);
	ck_assert_ptr_nonnull(inv_st);
	ck_assert_uint_eq(tx[0].dst.conn_id, 7);	/* responses go back over the request's connection */
	sip_strans_reply(inv_st, 486, NULL, NULL);
	run_ms(10000);
	ck_assert_uint_eq(tx_status_count(486), 1);	/* no G over TCP */
	inject_from(tcp_src(), ACK_FMT, "z9hG4bKtcp", "f1", sip_strans_to_tag(inv_st), "c-tcp", 1u);
	ck_assert_ptr_nonnull(inv_st);
	run_ms(10);	/* I = 0 */
	ck_assert_ptr_null(inv_st);
}
END_TEST

START_TEST(test_ist_2xx_accepted_l)
{
	char tag[SIP_TAG_BUF];
	unsigned int n0;

	inject(INVITE_FMT, "z9hG4bKok", "f1", "c-ok", 1u);
	sip_strans_reply(inv_st, 200, NULL, NULL);
	ck_assert_int_eq(sip_strans_state(inv_st), SIP_TS_ACCEPTED);
	strcpy(tag, sip_strans_to_tag(inv_st));
	n0 = n_tx;
	run_ms(1600);
	ck_assert_uint_eq(n_tx - n0, 2);	/* 2xx retransmitted by the UAS (§13.3.1.4): 500, 1000 */
	/* a retransmitted INVITE is absorbed in Accepted (RFC 6026 §8.7) */
	inject(INVITE_FMT, "z9hG4bKok", "f1", "c-ok", 1u);
	ck_assert_uint_eq(n_tx - n0, 2);
	ck_assert_uint_eq(n_handler, 1);
	/* the ACK for the 2xx has its own branch: not the transaction's, passed to the TU, stops the 2xx */
	inject(ACK_FMT, "z9hG4bKack", "f1", tag, "c-ok", 1u);
	ck_assert_uint_eq(n_ack, 1);
	ck_assert_uint_gt(sip_strans_request(inv_st)->num_hdrs, 0);
	/* ACKed: at the next message the request is cut to its typed values, no response can follow */
	inject(INVITE_FMT, "z9hG4bKok", "f1", "c-ok", 1u);
	ck_assert_uint_eq(sip_strans_request(inv_st)->num_hdrs, 0);
	ck_assert_uint_eq(n_handler, 1);
	ck_assert_int_eq(sip_strans_reply(inv_st, 200, NULL, NULL), -EINVAL);
	run_ms(10000);
	ck_assert_uint_eq(n_tx - n0, 2);
	run_ms(32000);	/* Timer L */
	ck_assert_ptr_null(inv_st);
	ck_assert_uint_eq(n_ack_timeout, 0);
}
END_TEST

START_TEST(test_ist_2xx_never_acked)
{
	inject(INVITE_FMT, "z9hG4bKnoack", "f1", "c-noack", 1u);
	sip_strans_reply(inv_st, 200, NULL, NULL);
	run_ms(32010);
	ck_assert_ptr_null(inv_st);
	ck_assert_uint_eq(n_ack_timeout, 1);
	ck_assert_uint_ge(tx_status_count(200), 8);
}
END_TEST

START_TEST(test_nist_j_and_replay)
{
	inject(REQ_FMT, "MESSAGE", "z9hG4bKm1", 70u, "", "c-m1", "MESSAGE", "");
	ck_assert_ptr_nonnull(last_st);
	ck_assert_uint_eq(n_tx, 0);	/* no 100 for non-INVITE */
	inject(REQ_FMT, "MESSAGE", "z9hG4bKm1", 70u, "", "c-m1", "MESSAGE", "");
	ck_assert_uint_eq(n_tx, 0);	/* Trying: absorbed */
	ck_assert_uint_eq(n_handler, 1);
	sip_strans_reply(last_st, 202, NULL, NULL);
	/* the request keeps its headers until the next message (the TU may read them in this event) ... */
	ck_assert_uint_gt(sip_strans_request(last_st)->num_hdrs, 0);
	inject(REQ_FMT, "MESSAGE", "z9hG4bKm1", 70u, "", "c-m1", "MESSAGE", "");
	ck_assert_uint_eq(tx_status_count(202), 2);
	/* ... then only its typed values, which still match the retransmission (just replayed) */
	ck_assert_uint_eq(sip_strans_request(last_st)->num_hdrs, 0);
	ck_assert_uint_eq(sip_strans_request(last_st)->cseq.num, 5);	/* REQ_FMT's CSeq */
	ck_assert_int_eq(sip_strans_reply(last_st, 200, NULL, NULL), -EINVAL);
	inject(REQ_FMT, "MESSAGE", "z9hG4bKm1", 70u, "", "c-m1", "MESSAGE", "");
	ck_assert_uint_eq(tx_status_count(202), 3);
	run_ms(31990);
	ck_assert_ptr_nonnull(last_st);
	run_ms(20);	/* Timer J = 64*T1 */
	ck_assert_ptr_null(last_st);

	inject_from(tcp_src(), REQ_FMT, "MESSAGE", "z9hG4bKm2", 70u, "", "c-m2", "MESSAGE", "");
	sip_strans_reply(last_st, 200, NULL, NULL);
	ck_assert_ptr_nonnull(last_st);
	run_ms(10);	/* J = 0 on TCP */
	ck_assert_ptr_null(last_st);
}
END_TEST

static void respond_200(struct sip_strans *st, struct msgb *m)
{
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(msgb_length(m), 0);
	ck_assert_int_eq(sip_build_response(m, sip_strans_request(st), 200, NULL, sip_strans_to_tag(st)), 0);
	ck_assert_int_eq(sip_build_no_body(m), 0);
	ck_assert_int_eq(sip_strans_respond(st, 200, m), 0);
}

/* a response's build buffer serves the next response if large enough; what goes out (and is replayed) is right */
START_TEST(test_rsp_build_buffer_reuse)
{
	struct msgb *m, *m2, *big;
	struct sip_strans *st1;

	inject(REQ_FMT, "MESSAGE", "z9hG4bKb1", 70u, "", "c-b1", "MESSAGE", "");
	st1 = last_st;
	m = sip_strans_msgb(st1, 4096);
	respond_200(st1, m);
	ck_assert_uint_eq(n_tx, 1);
	ck_assert_ptr_nonnull(strstr(tx_last(), "branch=z9hG4bKb1"));

	inject(REQ_FMT, "MESSAGE", "z9hG4bKb2", 70u, "", "c-b2", "MESSAGE", "");
	ck_assert_ptr_ne(last_st, st1);
	m2 = sip_strans_msgb(last_st, 4096);
	ck_assert_ptr_eq(m2, m);	/* reused, and empty */
	/* the spare is taken: another buffer is new */
	big = sip_strans_msgb(last_st, 4096);
	ck_assert_ptr_ne(big, m);
	msgb_free(big);
	respond_200(last_st, m2);
	ck_assert_uint_eq(n_tx, 2);
	ck_assert_ptr_nonnull(strstr(tx_last(), "branch=z9hG4bKb2"));
	ck_assert_ptr_null(strstr(tx_last(), "z9hG4bKb1"));

	/* the spare has room for the headers and an SDP body */
	ck_assert_uint_ge(m->data_len, 8192);
	/* too small for a larger response: a new one, which once used is kept instead of the smaller spare */
	inject(REQ_FMT, "MESSAGE", "z9hG4bKb3", 70u, "", "c-b3", "MESSAGE", "");
	big = sip_strans_msgb(last_st, 10000);
	ck_assert_ptr_ne(big, m);
	ck_assert_uint_ge(big->data_len, 10000);
	respond_200(last_st, big);
	inject(REQ_FMT, "MESSAGE", "z9hG4bKb4", 70u, "", "c-b4", "MESSAGE", "");
	m2 = sip_strans_msgb(last_st, 4096);
	ck_assert_ptr_eq(m2, big);
	msgb_free(m2);

	/* the kept copies replay each transaction's own response */
	inject(REQ_FMT, "MESSAGE", "z9hG4bKb1", 70u, "", "c-b1", "MESSAGE", "");
	ck_assert_uint_eq(n_tx, 4);
	ck_assert_ptr_nonnull(strstr(tx_last(), "branch=z9hG4bKb1"));
	ck_assert_str_eq(tx[3].s, tx[0].s);
}
END_TEST

START_TEST(test_match_rfc2543)
{
	/* no magic cookie: matched by Request-URI, tags, Call-ID, CSeq and top Via */
	inject(INVITE_FMT, "oldbranch1", "f1", "c-2543", 1u);
	ck_assert_uint_eq(n_handler, 1);
	inject(INVITE_FMT, "oldbranch1", "f1", "c-2543", 1u);
	ck_assert_uint_eq(n_handler, 1);
	sip_strans_reply(inv_st, 404, NULL, NULL);
	/* ACK: matched with the To tag of our response */
	inject(ACK_FMT, "oldbranch1", "f1", sip_strans_to_tag(inv_st), "c-2543", 1u);
	ck_assert_int_eq(sip_strans_state(inv_st), SIP_TS_CONFIRMED);
	/* a different CSeq is a new transaction */
	inject(INVITE_FMT, "oldbranch1", "f1", "c-2543", 2u);
	ck_assert_uint_eq(n_handler, 2);
}
END_TEST

START_TEST(test_match_branch_and_sent_by)
{
	inject(INVITE_FMT, "z9hG4bKsame", "f1", "c-b1", 1u);
	ck_assert_uint_eq(n_handler, 1);
	/* same branch but another method: its own transaction (§17.2.3) */
	inject(REQ_FMT, "MESSAGE", "z9hG4bKsame", 70u, "", "c-b2", "MESSAGE", "");
	ck_assert_uint_eq(n_handler, 2);
	/* same branch, other sent-by: another transaction */
	inject("INVITE sip:bob@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.77;branch=z9hG4bKsame\r\n"
	       "From: <sip:x@y>;tag=q\r\nTo: <sip:bob@192.0.2.1>\r\nCall-ID: c-b3\r\nCSeq: 9 INVITE\r\n"
	       "Content-Length: 0\r\n\r\n");
	ck_assert_uint_eq(n_handler, 3);
}
END_TEST

START_TEST(test_cancel)
{
	struct sip_strans *inv;

	inject(INVITE_FMT, "z9hG4bKc1", "f1", "c-c1", 1u);
	inv = inv_st;
	sip_strans_reply(inv, 180, NULL, NULL);
	inject("CANCEL sip:bob@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.5:5099;branch=z9hG4bKc1;rport\r\n"
	       "Max-Forwards: 70\r\nFrom: <sip:alice@192.0.2.5>;tag=f1\r\nTo: <sip:bob@192.0.2.1>\r\n"
	       "Call-ID: c-c1\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n");
	ck_assert_uint_eq(n_cancel, 1);
	ck_assert_uint_eq(tx_status_count(200), 1);
	{
		char *want = talloc_asprintf(tx_ctx, "To: <sip:bob@192.0.2.1>;tag=%s\r\n", sip_strans_to_tag(inv));

		/* the 200 to CANCEL carries the INVITE's To tag (§9.2) */
		ck_assert_ptr_nonnull(strstr(tx[n_tx - 2].s, "CSeq: 1 CANCEL"));
		ck_assert_ptr_nonnull(strstr(tx[n_tx - 2].s, want));
	}
	ck_assert_uint_eq(tx_status_count(487), 1);
	ck_assert_ptr_nonnull(strstr(tx_last(), "CSeq: 1 INVITE"));
	ck_assert_int_eq(sip_strans_state(inv), SIP_TS_COMPLETED);
	/* a CANCEL that matches nothing: 481 */
	inject("CANCEL sip:bob@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.5:5099;branch=z9hG4bKnone\r\n"
	       "Max-Forwards: 70\r\nFrom: <sip:alice@192.0.2.5>;tag=f1\r\nTo: <sip:bob@192.0.2.1>\r\n"
	       "Call-ID: c-c9\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n");
	ck_assert_uint_eq(tx_status_count(481), 1);
	ck_assert_uint_eq(n_cancel, 1);
}
END_TEST

START_TEST(test_merged_482)
{
	inject(INVITE_FMT, "z9hG4bKfork1", "f1", "c-merge", 1u);
	ck_assert_uint_eq(n_handler, 1);
	/* the same request forked back to us over another path: new branch, same From tag/Call-ID/CSeq */
	inject(INVITE_FMT, "z9hG4bKfork2", "f1", "c-merge", 1u);
	ck_assert_uint_eq(n_handler, 1);
	ck_assert_uint_eq(tx_status_count(482), 1);
	ck_assert_uint_eq(sip_core_ctr(core, SIP_CORE_CTR_TX_482), 1);
}
END_TEST

START_TEST(test_loop_482)
{
	char *looped, *spiral, *p;

	/* our own request comes back unchanged (a proxy added its Via above ours): 482 */
	ck_assert_ptr_nonnull(send_req("MESSAGE", SIP_TRANSPORT_UDP));
	p = strstr(tx[0].s, "\r\nVia: ");
	ck_assert_ptr_nonnull(p);
	looped = talloc_asprintf(tx_ctx, "%.*s\r\nVia: SIP/2.0/UDP 192.0.2.5:5099;branch=z9hG4bKproxy%s",
				 (int)(p - tx[0].s), tx[0].s, p);
	inject("%s", looped);
	ck_assert_uint_eq(tx_status_count(482), 1);
	ck_assert_uint_eq(n_handler, 0);
	/* a spiral: same Vias, other Request-URI (e.g. a hairpin through the gateway) is served */
	spiral = talloc_strdup(tx_ctx, looped);
	memcpy(strstr(spiral, "sip:bob@192.0.2.2"), "sip:bob@192.0.2.3", 17);
	inject("%s", spiral);
	ck_assert_uint_eq(tx_status_count(482), 1);
	ck_assert_uint_eq(n_handler, 1);
}
END_TEST

START_TEST(test_max_forwards_483)
{
	inject(REQ_FMT, "MESSAGE", "z9hG4bKmf", 0u, "", "c-mf", "MESSAGE", "");
	ck_assert_uint_eq(n_handler, 0);
	ck_assert_uint_eq(tx_status_count(483), 1);
	/* OPTIONS addressed to us is still answered */
	inject(REQ_FMT, "OPTIONS", "z9hG4bKmf2", 0u, "", "c-mf2", "OPTIONS", "");
	ck_assert_uint_eq(tx_status_count(200), 1);
}
END_TEST

START_TEST(test_require_420)
{
	inject(REQ_FMT, "INVITE", "z9hG4bKr1", 70u, "", "c-r1", "INVITE", "Require: 100rel, foo\r\n");
	ck_assert_uint_eq(n_handler, 0);
	ck_assert_uint_eq(tx_status_count(420), 1);
	ck_assert_ptr_nonnull(strstr(tx_last(), "\r\nUnsupported: foo\r\n"));
	/* a supported Require passes */
	inject(REQ_FMT, "INVITE", "z9hG4bKr2", 70u, "", "c-r2", "INVITE", "Require: 100rel\r\n");
	ck_assert_uint_eq(n_handler, 1);
	/* the TU needs an extension the request does not support: 421 with Require */
	ck_assert_int_eq(sip_core_reply_421(core, inv_st, "precondition"), 0);
	ck_assert_ptr_nonnull(strstr(tx_last(), "SIP/2.0 421 "));
	ck_assert_ptr_nonnull(strstr(tx_last(), "\r\nRequire: precondition\r\n"));
}
END_TEST

START_TEST(test_405_501)
{
	inject(REQ_FMT, "SUBSCRIBE", "z9hG4bK405", 70u, "", "c-405", "SUBSCRIBE", "");
	ck_assert_uint_eq(tx_status_count(405), 1);
	ck_assert_ptr_nonnull(strstr(tx_last(), "\r\nAllow: INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE\r\n"));
	inject(REQ_FMT, "FOO", "z9hG4bK501", 70u, "", "c-501", "FOO", "");
	ck_assert_uint_eq(tx_status_count(501), 1);
	/* a stateless answer is the same for a retransmission (To tag derived from the request) */
	inject(REQ_FMT, "FOO", "z9hG4bK501", 70u, "", "c-501", "FOO", "");
	ck_assert_str_eq(tx[n_tx - 1].s, tx[n_tx - 2].s);
	ck_assert_uint_eq(n_handler, 0);
}
END_TEST

START_TEST(test_in_dialog_481)
{
	inject(REQ_FMT, "BYE", "z9hG4bKbye", 70u, ";tag=nodialog", "c-bye", "BYE", "");
	ck_assert_uint_eq(n_in_dialog, 1);
	ck_assert_uint_eq(tx_status_count(481), 1);
	ck_assert_uint_eq(n_handler, 0);
	/* the dialog layer takes it */
	in_dialog_rc = 0;
	inject(REQ_FMT, "BYE", "z9hG4bKbye2", 70u, ";tag=d", "c-bye2", "BYE", "");
	ck_assert_uint_eq(n_in_dialog, 2);
	ck_assert_uint_eq(tx_status_count(481), 1);
}
END_TEST

START_TEST(test_options_default_and_503)
{
	inject(REQ_FMT, "OPTIONS", "z9hG4bKo1", 70u, "", "c-o1", "OPTIONS", "");
	ck_assert_uint_eq(tx_status_count(200), 1);
	ck_assert_ptr_nonnull(strstr(tx_last(), "\r\nAllow: INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE\r\n"));
	ck_assert_ptr_nonnull(strstr(tx_last(), "\r\nAccept: application/sdp\r\n"));
	ck_assert_ptr_nonnull(strstr(tx_last(), "\r\nSupported: 100rel, timer\r\n"));
	ck_assert_ptr_nonnull(strstr(tx_last(), ";tag="));
	options_status = 503;
	inject(REQ_FMT, "OPTIONS", "z9hG4bKo2", 70u, "", "c-o2", "OPTIONS", "");
	ck_assert_uint_eq(tx_status_count(503), 1);
	ck_assert_ptr_nonnull(strstr(tx_last(), "\r\nRetry-After: 30\r\n"));
}
END_TEST

static const struct {
	const char *msg;
	const char *status_line;	/* NULL: dropped (not routable) */
} malformed[] = {
	{ "INVITE sip:b@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.5;branch=z9hG4bKm1\r\nFrom: <sip:a@b>;tag=1\r\n"
	  "To: <sip:b@c>\r\nCall-ID: m1\r\nCSeq: 1 INVITE\r\nMax-Forwards: abc\r\nContent-Length: 0\r\n\r\n",
	  "SIP/2.0 400 Bad Max-Forwards\r\n" },
	{ "INVITE sip:b@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.5;branch=z9hG4bKm2\r\nFrom: <sip:a@b>;tag=1\r\n"
	  "To: <sip:b@c>\r\nCall-ID: m2\r\nCSeq: 1 INVITE\r\nContent-Length: 50\r\n\r\nv=0\r\n",
	  "SIP/2.0 400 Content-Length mismatch\r\n" },
	{ "INVITE sip:b@192.0.2.1 SIP/7.0\r\nVia: SIP/2.0/UDP 192.0.2.5;branch=z9hG4bKm3\r\nFrom: <sip:a@b>;tag=1\r\n"
	  "To: <sip:b@c>\r\nCall-ID: m3\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
	  "SIP/2.0 505 Version Not Supported\r\n" },
	{ "INVITE sip:b@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.5;branch=z9hG4bKm4\r\nFrom: <sip:a@b>;tag=1\r\n"
	  "To: <sip:b@c>\r\nCall-ID: m4\r\nCSeq: x INVITE\r\nContent-Length: 0\r\n\r\n",
	  NULL },
	{ "INVITE sip:b@192.0.2.1 SIP/2.0\r\nFrom: <sip:a@b>;tag=1\r\n"
	  "To: <sip:b@c>\r\nCall-ID: m6\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
	  NULL },
	{ "INVITE sip:b@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.5;branch=z9hG4bKm5\r\nFrom: <sip:a@b>;tag=1\r\n"
	  "To: <sip:b@c>\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
	  NULL },
	{ "garbage\r\n\r\n", NULL },
};

START_TEST(test_malformed_400)
{
	const char *in = malformed[_i].msg;
	struct sip_addr src = udp_src();

	sip_tp_inject(sip_core_tp(core), &src, in, strlen(in));
	ck_assert_uint_eq(n_handler, 0);
	if (malformed[_i].status_line) {
		ck_assert_uint_eq(n_tx, 1);
		ck_assert_msg(!strncmp(tx[0].s, malformed[_i].status_line, strlen(malformed[_i].status_line)),
			      "case %d: got %s", _i, tx[0].s);
		ck_assert_ptr_nonnull(strstr(tx[0].s, "\r\nTo: <sip:b@c>;tag="));
		/* no rport: to the sent-by port */
		ck_assert_uint_eq(ntohs(tx[0].dst.remote.u.sin.sin_port), 5060);
		ck_assert_uint_eq(sip_tp_ctr(sip_core_tp(core), SIP_TP_CTR_RX_MALFORMED_ANSWERED), 1);
	} else {
		ck_assert_uint_eq(n_tx, 0);
		ck_assert_uint_eq(sip_tp_ctr(sip_core_tp(core), SIP_TP_CTR_RX_MALFORMED_DROPPED), 1);
	}
}
END_TEST

START_TEST(test_match_after_growth)
{
	enum { N = 4500 };
	unsigned int i;

	/* more live transactions than the tables have buckets at first (4096): they double; early ones are matched by
	 * branch (RFC 3261) and by Call-ID (RFC 2543, no magic cookie) afterwards */
	inject(REQ_FMT, "MESSAGE", "old2543", 70u, "", "c-g-2543", "MESSAGE", "");
	for (i = 0; i < N; i++) {
		char branch[32], callid[32];

		snprintf(branch, sizeof(branch), "z9hG4bKg%u", i);
		snprintf(callid, sizeof(callid), "c-g%u", i);
		inject(REQ_FMT, "MESSAGE", branch, 70u, "", callid, "MESSAGE", "");
		if (i % 256 == 0)
			test_log_clear();	/* the capture would grow to megabytes */
	}
	ck_assert_uint_eq(n_handler, N + 1);
	ck_assert_uint_eq(sip_tl_num_trans(sip_core_tl(core)), N + 1);
	/* retransmissions are absorbed by their (Trying) transactions */
	inject(REQ_FMT, "MESSAGE", "old2543", 70u, "", "c-g-2543", "MESSAGE", "");
	inject(REQ_FMT, "MESSAGE", "z9hG4bKg0", 70u, "", "c-g0", "MESSAGE", "");
	inject(REQ_FMT, "MESSAGE", "z9hG4bKg2999", 70u, "", "c-g2999", "MESSAGE", "");
	ck_assert_uint_eq(n_handler, N + 1);
	ck_assert_uint_eq(sip_tl_ctr(sip_core_tl(core), SIP_TL_CTR_RX_REQ_ABSORBED), 3);
	/* a merged request (new branch, same From tag, Call-ID, CSeq) is found through the grown Call-ID table */
	inject(REQ_FMT, "MESSAGE", "z9hG4bKgmerged", 70u, "", "c-g17", "MESSAGE", "");
	ck_assert_uint_eq(tx_status_count(482), 1);
	ck_assert_uint_eq(n_handler, N + 1);
	/* a new one is still new */
	inject(REQ_FMT, "MESSAGE", "z9hG4bKgnew", 70u, "", "c-gnew", "MESSAGE", "");
	ck_assert_uint_eq(n_handler, N + 2);
}
END_TEST

START_TEST(test_via_received)
{
	/* sent-by differs from the source address: received= is added even without rport */
	inject("MESSAGE sip:bob@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bKrcv\r\n"
	       "Via: SIP/2.0/UDP 10.9.9.9;branch=z9hG4bKlower\r\n"
	       "From: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCall-ID: rcv\r\nCSeq: 1 MESSAGE\r\n"
	       "Content-Length: 0\r\n\r\n");
	ck_assert_ptr_nonnull(last_st);
	sip_strans_reply(last_st, 200, NULL, NULL);
	ck_assert_ptr_nonnull(strstr(tx_last(),
				     "\r\nVia: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bKrcv;received=192.0.2.5\r\n"
				     "Via: SIP/2.0/UDP 10.9.9.9;branch=z9hG4bKlower\r\n"));
	/* §18.2.2: to the received address, sent-by port */
	ck_assert_uint_eq(ntohs(tx[n_tx - 1].dst.remote.u.sin.sin_port), 5070);
}
END_TEST

/* The source address as received= writes it (every octet width, zeros), and no received= when sent-by is the
 * source address written the same way. */
START_TEST(test_via_received_octets)
{
	static const char *const ips[] = { "0.0.0.0", "10.200.7.255", "255.255.255.255", "198.51.100.99" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ips); i++) {
		struct sip_addr src = udp_src();
		char branch[16], *want;

		snprintf(branch, sizeof(branch), "z9hG4bKo%u", i);
		inet_pton(AF_INET, ips[i], &src.remote.u.sin.sin_addr);
		inject_from(src, REQ_FMT, "MESSAGE", branch, 70u, "", ips[i], "MESSAGE", "");
		ck_assert_ptr_nonnull(last_st);
		sip_strans_reply(last_st, 200, NULL, NULL);
		want = talloc_asprintf(tx_ctx, "Via: SIP/2.0/UDP 192.0.2.5:5099;branch=%s;received=%s\r\n", branch,
				       ips[i]);
		ck_assert_msg(strstr(tx_last(), want), "%s", tx_last());
	}
	/* sent-by equal to the source: left as it is */
	inject(REQ_FMT, "MESSAGE", "z9hG4bKo9", 70u, "", "same-src", "MESSAGE", "");
	sip_strans_reply(last_st, 200, NULL, NULL);
	ck_assert_ptr_nonnull(strstr(tx_last(), "Via: SIP/2.0/UDP 192.0.2.5:5099;branch=z9hG4bKo9\r\n"));
}
END_TEST

START_TEST(test_destinations)
{
	struct sip_next_hop_cfg nh = { .transport = SIP_TRANSPORT_TLS };
	struct sip_addr d;

	ck_assert_int_eq(sip_core_uri_dst(SIP_STR("sip:bob@192.0.2.7"), &d), 0);
	ck_assert(d.proto == SIP_TRANSPORT_UDP);
	ck_assert_uint_eq(ntohs(d.remote.u.sin.sin_port), 5060);
	ck_assert_int_eq(sip_core_uri_dst(SIP_STR("sip:bob@192.0.2.7:5070;transport=TCP"), &d), 0);
	ck_assert(d.proto == SIP_TRANSPORT_TCP);
	ck_assert_uint_eq(ntohs(d.remote.u.sin.sin_port), 5070);
	ck_assert_int_eq(sip_core_uri_dst(SIP_STR("sips:bob@[2001:db8::1]"), &d), 0);
	ck_assert(d.proto == SIP_TRANSPORT_TLS);
	ck_assert_int_eq(d.remote.u.sa.sa_family, AF_INET6);
	ck_assert_uint_eq(ntohs(d.remote.u.sin6.sin6_port), 5061);
	/* no DNS here */
	ck_assert_int_eq(sip_core_uri_dst(SIP_STR("sip:bob@example.com"), &d), -EINVAL);
	ck_assert_int_eq(sip_core_uri_dst(SIP_STR("tel:+4930123"), &d), -EINVAL);
	ck_assert_int_eq(sip_core_uri_dst(SIP_STR("sip:bob@192.0.2.7;transport=sctp"), &d), -EINVAL);

	osmo_sockaddr_str_from_str(&nh.addr, "192.0.2.9", 5061);
	ck_assert_int_eq(sip_core_next_hop_dst(&nh, &d), 0);
	ck_assert(d.proto == SIP_TRANSPORT_TLS);
	ck_assert_uint_eq(ntohs(d.remote.u.sin.sin_port), 5061);
}
END_TEST

START_TEST(test_counter_names)
{
	struct rate_ctr_group *g[] = { sip_tp_ctrs(sip_core_tp(core)), sip_tl_ctrs(sip_core_tl(core)),
				       sip_core_ctrs(core) };
	const char *names[128];
	unsigned int n = 0, i, j, k;

	/* every counter of the three layers: "sip:" prefix, a description, no name twice */
	for (k = 0; k < ARRAY_SIZE(g); k++) {
		for (i = 0; i < g[k]->desc->num_ctr; i++) {
			const char *name = g[k]->desc->ctr_desc[i].name;

			ck_assert_ptr_nonnull(name);
			ck_assert_msg(!strncmp(name, "sip:", 4), "%s", name);
			ck_assert_ptr_nonnull(g[k]->desc->ctr_desc[i].description);
			for (j = 0; j < n; j++)
				ck_assert_str_ne(name, names[j]);
			ck_assert_uint_lt(n, ARRAY_SIZE(names));
			names[n++] = name;
		}
	}
	ck_assert_uint_eq(n, _NUM_SIP_TP_CTR + _NUM_SIP_TL_CTR + _NUM_SIP_CORE_CTR);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sip_trans");
	TCase *tc = tcase_create("trans");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_nict_udp_schedule_and_timeout);
	tcase_add_test(tc, test_nict_proceeding_t2_and_k);
	tcase_add_test(tc, test_nict_reliable);
	tcase_add_test(tc, test_response_two_vias_dropped);
	tcase_add_test(tc, test_ict_udp_schedule_and_timeout);
	tcase_add_test(tc, test_ict_non2xx_ack_and_d);
	tcase_add_test(tc, test_ict_2xx_accepted_m);
	tcase_add_test(tc, test_ct_transport_error_503);
	tcase_add_test(tc, test_ct_cancel);
	tcase_add_test(tc, test_ist_non2xx_g_h_i);
	tcase_add_test(tc, test_ist_timer_h);
	tcase_add_test(tc, test_ist_reliable);
	tcase_add_test(tc, test_ist_2xx_accepted_l);
	tcase_add_test(tc, test_ist_2xx_never_acked);
	tcase_add_test(tc, test_nist_j_and_replay);
	tcase_add_test(tc, test_rsp_build_buffer_reuse);
	tcase_add_test(tc, test_match_rfc2543);
	tcase_add_test(tc, test_match_branch_and_sent_by);
	tcase_add_test(tc, test_cancel);
	tcase_add_test(tc, test_merged_482);
	tcase_add_test(tc, test_loop_482);
	tcase_add_test(tc, test_max_forwards_483);
	tcase_add_test(tc, test_require_420);
	tcase_add_test(tc, test_405_501);
	tcase_add_test(tc, test_in_dialog_481);
	tcase_add_test(tc, test_options_default_and_503);
	tcase_add_loop_test(tc, test_malformed_400, 0, ARRAY_SIZE(malformed));
	tcase_add_test(tc, test_via_received);
	tcase_add_test(tc, test_via_received_octets);
	tcase_add_test(tc, test_match_after_growth);
	tcase_add_test(tc, test_destinations);
	tcase_add_test(tc, test_counter_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(suite());
}
