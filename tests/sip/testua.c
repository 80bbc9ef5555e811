/* testua: a small SIP user agent on the mgcf SIP stack, for shell tests with sipp and with itself over TLS.
 *
 *   testua [options]
 *     --listen PROTO:IP:PORT   udp/tcp/tls listener (repeatable; port 0: any free port)
 *     --cert F --key F         TLS certificate and key (server, and client certificate if set)
 *     --ca F                   CA file for verifying TLS servers; --no-verify disables verification
 *     --tls-name NAME          name the server certificate must carry (default: the URI host)
 *     --uac METHOD URI         send one request (OPTIONS, MESSAGE, ...) and exit: 0 on 2xx, 1 otherwise
 *     --max-conns N            connection limit;  --idle S   idle timeout of connections
 *     --exit-after S           stop after S seconds (UAS mode runs until SIGTERM otherwise)
 *     --options-503            answer OPTIONS with 503 (overload)
 *     --answer-delay MS        answer the first MESSAGE/BYE only after MS milliseconds
 *     -d                       debug log to stderr
 *   Session mode (the dialog/session layer, sip_sess.h):
 *     --sess                   serve INVITE through sip_sess_ua (UAS) and run --script for every call
 *     --call URI               (with --sess) place one call; exit 0 when it ends as --expect says (default bye)
 *     --script STEPS           comma-separated: 180 183 (unreliable, 183 with SDP), 180r 183r (reliable), 200,
 *                              4xx-6xx (reject), wait:MS, prog (wait for a 18x), est (wait for the session),
 *                              update, reinvite, cancel, bye
 *     --expect CAUSE           end cause the --call must see: bye, cancelled, rejected, ...
 *     --100rel P --precondition P --timer-policy P   disabled|supported|required (default supported)
 *     --timer S --min-se S     session interval we ask for / accept at least (session timer on)
 *     Events: "sess incoming", "sess progress 183 r", "sess established", "sess offer", "sess answer",
 *     "sess ended bye 200 local" ...
 *
 * As UAS it answers OPTIONS (core default), INVITE with 180 then 200 (fixed SDP), BYE with 200, and absorbs ACK.
 * One line per event on stdout: "listening udp 127.0.0.1 5060", "rx INVITE", "tx 180", "tx 200", "rx ACK",
 * "rx BYE", "final 200", "counter sip:tls_handshake_failed 1" (at exit) ...
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <talloc.h>
#include <osmocom/core/application.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>

#include <mgcf/log.h>
#include "sip/sip_build.h"
#include "sip/sip_core.h"
#include "sip/sip_sess.h"

static const char sdp[] =
	"v=0\r\n"
	"o=testua 1 1 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"c=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\n"
	"m=audio 40000 RTP/AVP 8 0\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:0 PCMU/8000\r\n";

static struct sip_cfg cfg;
static struct sip_core *core;
static bool done;
static int exit_code;
static bool options_503;
static char contact_host[64] = "127.0.0.1";
static uint16_t contact_port;

static void event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void event(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void reply(struct sip_strans *st, uint16_t status, bool with_sdp)
{
	const struct sip_msg *req = sip_strans_request(st);
	struct msgb *m = msgb_alloc(4096, "testua-rsp");
	int rc;

	rc = sip_build_response(m, req, status, NULL, sip_strans_to_tag(st));
	if (!rc && req->method_id == SIP_METHOD_INVITE)
		rc = sip_build_hdr(m, "Contact", "<sip:testua@%s:%u>", contact_host, contact_port);
	if (!rc)
		rc = with_sdp ? sip_build_body(m, "application/sdp", sdp, strlen(sdp)) : sip_build_no_body(m);
	if (rc) {
		msgb_free(m);
		event("error building %u", status);
		return;
	}
	if (sip_strans_respond(st, status, m) == 0)
		event("tx %u", status);
}

static void on_invite(void *priv, struct sip_strans *st)
{
	event("rx INVITE");
	reply(st, 180, false);
	reply(st, 200, true);
}

static unsigned int answer_delay_ms;
static struct sip_strans *delayed_st;
static struct osmo_timer_list delay_timer;

static void delayed_terminated(void *priv, struct sip_strans *st)
{
	if (st == delayed_st)
		delayed_st = NULL;
}

static const struct sip_strans_ops delayed_ops = { .terminated = delayed_terminated };

static void delay_cb(void *data)
{
	if (delayed_st)
		reply(delayed_st, 200, false);
	delayed_st = NULL;
}

static void on_message(void *priv, struct sip_strans *st)
{
	event("rx %.*s", SIP_STR_FMT(sip_strans_request(st)->method));
	if (answer_delay_ms && !delayed_st) {
		/* the client retransmits meanwhile (UDP), and our server transaction absorbs the copies */
		delayed_st = st;
		sip_strans_set_ops(st, &delayed_ops, NULL);
		osmo_timer_setup(&delay_timer, delay_cb, NULL);
		osmo_timer_schedule(&delay_timer, answer_delay_ms / 1000, (answer_delay_ms % 1000) * 1000);
		return;
	}
	reply(st, 200, false);
}

static int on_in_dialog(void *priv, struct sip_strans *st)
{
	const struct sip_msg *req = sip_strans_request(st);

	event("rx %.*s", SIP_STR_FMT(req->method));
	/* a test UA keeps no dialog state: it ends whatever call the peer hangs up */
	if (req->method_id != SIP_METHOD_BYE)
		return -ENOENT;
	reply(st, 200, false);
	return 0;
}

static void on_ack(void *priv, const struct sip_rx *rx)
{
	event("rx ACK");
}

static uint16_t on_options(void *priv, uint32_t *retry_after_s)
{
	event("rx OPTIONS");
	return options_503 ? 503 : 200;
}

static const struct sip_core_ops ops = {
	.in_dialog = on_in_dialog,
	.ack = on_ack,
	.options_status = on_options,
};

static void on_response(void *priv, struct sip_ctrans *ct, uint16_t status, const struct sip_msg *rsp)
{
	event("%s %u", status < 200 ? "provisional" : "final", status);
	if (status >= 200) {
		exit_code = status < 300 ? 0 : 1;
		done = true;
	}
}

static const struct sip_ctrans_ops ct_ops = { .response = on_response };

static int uac_send(const char *method, const char *uri, const char *tls_name)
{
	struct sip_addr dst;
	char tag[SIP_TAG_BUF], callid[SIP_TAG_BUF];
	struct msgb *m;
	int rc;

	if (sip_core_uri_dst(sip_str_c(uri), &dst) < 0) {
		fprintf(stderr, "cannot send to %s (IP literal host needed)\n", uri);
		return -EINVAL;
	}
	if (tls_name)
		dst.tls_name = tls_name;
	sip_gen_tag(tag, sizeof(tag));
	sip_gen_tag(callid, sizeof(callid));
	m = msgb_alloc(4096, "testua-req");
	rc = sip_build_request_line(m, method, uri);
	rc = rc ?: sip_build_max_forwards(m, 70);
	rc = rc ?: sip_build_name_addr(m, SIP_HDR_FROM, NULL, "sip:testua@127.0.0.1", tag, NULL);
	rc = rc ?: sip_build_name_addr(m, SIP_HDR_TO, NULL, uri, NULL, NULL);
	rc = rc ?: sip_build_call_id(m, callid);
	rc = rc ?: sip_build_cseq(m, 1, method);
	rc = rc ?: sip_build_hdr(m, "Contact", "<sip:testua@%s:%u>", contact_host, contact_port);
	rc = rc ?: (strcmp(method, "MESSAGE") ? sip_build_no_body(m)
					      : sip_build_body(m, "text/plain", "hello", 5));
	if (rc) {
		msgb_free(m);
		return rc;
	}
	event("tx %s", method);
	if (!sip_core_request(core, &dst, m, &ct_ops, NULL))
		return -EIO;
	return 0;
}

static void stop_cb(void *data);

/* ---- session mode ------------------------------------------------------------------------------------------ */

static const char sdp2[] =
	"v=0\r\n"
	"o=testua 1 2 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"c=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\n"
	"m=audio 40002 RTP/AVP 8\r\n"
	"a=rtpmap:8 PCMA/8000\r\n";

static struct sip_sess_ua *sua;
static const char *script = "";
static const char *expect_end = "bye";
static bool uac_call;

/* One call and where its script stands. */
struct call {
	struct sip_sess *s;
	const char *pos;
	bool established, progressed;
	bool wait_est, wait_prog;
	bool running, dead;		/* the call ended during a step: freed once the step returns */
	struct osmo_timer_list t;
};

static void script_run(struct call *c);

static void script_timer_cb(void *data)
{
	script_run(data);
}

static void script_steps(struct call *c);

static void script_run(struct call *c)
{
	c->running = true;
	script_steps(c);
	c->running = false;
	if (c->dead)
		talloc_free(c);
}

static void script_steps(struct call *c)
{
	char step[32];
	size_t n;
	int rc = 0;

	while (c->s && *c->pos) {
		n = strcspn(c->pos, ",");
		snprintf(step, sizeof(step), "%.*s", (int)n, c->pos);
		c->pos += n + (c->pos[n] == ',');
		if (!strncmp(step, "wait:", 5)) {
			unsigned int ms = atoi(step + 5);

			osmo_timer_schedule(&c->t, ms / 1000, (ms % 1000) * 1000);
			return;
		} else if (!strcmp(step, "est")) {
			if (!c->established) {
				c->wait_est = true;
				return;
			}
		} else if (!strcmp(step, "prog")) {
			if (!c->progressed) {
				c->wait_prog = true;
				return;
			}
		} else if (!strcmp(step, "update")) {
			rc = sip_sess_update(c->s, sdp2);
		} else if (!strcmp(step, "reinvite")) {
			rc = sip_sess_reinvite(c->s, sdp2);
		} else if (!strcmp(step, "cancel")) {
			rc = sip_sess_cancel(c->s, NULL);
		} else if (!strcmp(step, "bye")) {
			rc = sip_sess_hangup(c->s, 480, NULL);
		} else if (!strcmp(step, "200")) {
			rc = sip_sess_accept(c->s, sdp);
		} else if (atoi(step) >= 300) {
			rc = sip_sess_reject(c->s, atoi(step), NULL);
		} else if (atoi(step) > 100) {
			uint16_t st = atoi(step);

			rc = sip_sess_progress(c->s, st, st == 183 ? sdp : NULL, strchr(step, 'r') != NULL);
		} else {
			event("bad step %s", step);
			continue;
		}
		event("step %s%s", step, rc ? " failed" : "");
		if (!c->s)
			return;	/* the step ended the call */
	}
}

static void *calls_ctx;	/* calls still running at exit are freed with it */

static int call_destructor(struct call *c)
{
	osmo_timer_del(&c->t);
	return 0;
}

static struct call *call_new(struct sip_sess *s)
{
	struct call *c = talloc_zero(calls_ctx, struct call);

	talloc_set_destructor(c, call_destructor);
	c->s = s;
	c->pos = script;
	osmo_timer_setup(&c->t, script_timer_cb, c);
	sip_sess_set_priv(s, c);
	return c;
}

static void sess_incoming(void *ua_priv, struct sip_sess *s, const struct sip_sess_info *info)
{
	event("sess incoming%s", info->sdp.len ? " sdp" : "");
	script_run(call_new(s));
}

static void sess_progress(struct sip_sess *s, void *priv, const struct sip_sess_info *info)
{
	struct call *c = priv;

	event("sess progress %u%s", info->status, info->reliable ? " r" : "");
	c->progressed = true;
	if (c->wait_prog) {
		c->wait_prog = false;
		script_run(c);
	}
}

static void sess_established(struct sip_sess *s, void *priv, const struct sip_sess_info *info)
{
	struct call *c = priv;
	bool we_refresh;
	uint32_t se = sip_sess_expires(s, &we_refresh);

	event("sess established");
	if (se)
		event("sess timer %u %s", se, we_refresh ? "we-refresh" : "peer-refreshes");
	c->established = true;
	if (c->wait_est) {
		c->wait_est = false;
		script_run(c);
	}
}

static void sess_offer(struct sip_sess *s, void *priv, const struct sip_sess_info *info)
{
	event("sess offer %.*s", SIP_STR_FMT(info->msg->method));
	sip_sess_answer(s, sdp2);
}

static void sess_answer(struct sip_sess *s, void *priv, const struct sip_sess_info *info)
{
	event("sess answer");
}

static void sess_offer_failed(struct sip_sess *s, void *priv, uint16_t status)
{
	event("sess offer-failed %u", status);
}

static void sess_ended(struct sip_sess *s, void *priv, const struct sip_sess_info *info)
{
	struct call *c = priv;
	const char *cause = get_value_string(sip_sess_end_cause_names, info->cause);

	event("sess ended %s %u %s", cause, info->status, info->by_remote ? "remote" : "local");
	if (c) {
		osmo_timer_del(&c->t);
		c->s = NULL;
		if (c->running)
			c->dead = true;
		else
			talloc_free(c);
	}
	if (uac_call) {
		/* leave the peer half a second to finish (a TCP peer counts our close as a failure) */
		static struct osmo_timer_list linger;

		exit_code = strcmp(cause, expect_end) ? 1 : 0;
		osmo_timer_setup(&linger, stop_cb, NULL);
		osmo_timer_schedule(&linger, 0, 500000);
	}
}

static const struct sip_sess_ops sess_ops = {
	.incoming = sess_incoming,
	.progress = sess_progress,
	.established = sess_established,
	.offer = sess_offer,
	.answer = sess_answer,
	.offer_failed = sess_offer_failed,
	.ended = sess_ended,
};

static int sess_call(const char *uri, const char *tls_name)
{
	struct sip_addr dst;
	struct sip_sess *s;
	char from[128];

	if (sip_core_uri_dst(sip_str_c(uri), &dst) < 0) {
		fprintf(stderr, "cannot call %s (IP literal host needed)\n", uri);
		return -EINVAL;
	}
	if (tls_name)
		dst.tls_name = tls_name;
	snprintf(from, sizeof(from), "<sip:testua@%s:%u>", contact_host, contact_port);
	s = sip_sess_invite(sua, &(struct sip_sess_invite_req){ .ruri = uri, .from = from, .sdp = sdp, .dst = &dst },
			    NULL);
	if (!s)
		return -EIO;
	event("sess tx INVITE");
	uac_call = true;
	script_run(call_new(s));
	return 0;
}

static int policy(const char *s, enum sip_ext_policy *p)
{
	int v = get_string_value(sip_ext_policy_names, s);

	if (v < 0)
		return -EINVAL;
	*p = v;
	return 0;
}

static void stop_cb(void *data)
{
	done = true;
}

static void sig_cb(int sig)
{
	done = true;
}

static void print_counters(void)
{
	static const enum sip_tp_ctr show[] = {
		SIP_TP_CTR_TLS_HANDSHAKE_OK, SIP_TP_CTR_TLS_HANDSHAKE_FAILED, SIP_TP_CTR_CONN_ACCEPTED,
		SIP_TP_CTR_CONN_REFUSED, SIP_TP_CTR_RX_MALFORMED_ANSWERED, SIP_TP_CTR_RX_KEEPALIVE,
	};
	struct rate_ctr_group *g = sip_tp_ctrs(sip_core_tp(core));
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(show); i++)
		event("counter %s %llu", g->desc->ctr_desc[show[i]].name,
		      (unsigned long long)sip_tp_ctr(sip_core_tp(core), show[i]));
	event("counter sip:strans_retransmits %llu",
	      (unsigned long long)sip_tl_ctr(sip_core_tl(core), SIP_TL_CTR_ST_RETRANSMIT));
	event("counter sip:ctrans_retransmits %llu",
	      (unsigned long long)sip_tl_ctr(sip_core_tl(core), SIP_TL_CTR_CT_RETRANSMIT));
	event("counter sip:rx_req_absorbed %llu",
	      (unsigned long long)sip_tl_ctr(sip_core_tl(core), SIP_TL_CTR_RX_REQ_ABSORBED));
}

static int add_listener(const char *spec)
{
	char proto[8], ip[64];
	unsigned int port;
	enum sip_transport t;
	int idx;
	const char *c1 = strchr(spec, ':'), *c2 = strrchr(spec, ':');

	if (!c1 || c1 == c2 || (size_t)(c1 - spec) >= sizeof(proto) || (size_t)(c2 - c1 - 1) >= sizeof(ip))
		return -EINVAL;
	memcpy(proto, spec, c1 - spec);
	proto[c1 - spec] = '\0';
	memcpy(ip, c1 + 1, c2 - c1 - 1);
	ip[c2 - c1 - 1] = '\0';
	port = atoi(c2 + 1);
	if (!strcmp(proto, "udp"))
		t = SIP_TRANSPORT_UDP;
	else if (!strcmp(proto, "tcp"))
		t = SIP_TRANSPORT_TCP;
	else if (!strcmp(proto, "tls"))
		t = SIP_TRANSPORT_TLS;
	else
		return -EINVAL;
	idx = sip_tp_listen(sip_core_tp(core), t, ip, port);
	if (idx < 0)
		return idx;
	if (!contact_port) {
		snprintf(contact_host, sizeof(contact_host), strchr(ip, ':') ? "[%s]" : "%s", ip);
		contact_port = sip_tp_listen_port(sip_core_tp(core), idx);
	}
	event("listening %s %s %u", proto, ip, sip_tp_listen_port(sip_core_tp(core), idx));
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "ca", required_argument, NULL, 'a' },
		{ "no-verify", no_argument, NULL, 'n' },
		{ "tls-name", required_argument, NULL, 'N' },
		{ "uac", required_argument, NULL, 'u' },
		{ "max-conns", required_argument, NULL, 'm' },
		{ "idle", required_argument, NULL, 'i' },
		{ "exit-after", required_argument, NULL, 'x' },
		{ "options-503", no_argument, NULL, 'o' },
		{ "answer-delay", required_argument, NULL, 'D' },
		{ "sess", no_argument, NULL, 'S' },
		{ "call", required_argument, NULL, 'C' },
		{ "script", required_argument, NULL, 's' },
		{ "expect", required_argument, NULL, 'e' },
		{ "100rel", required_argument, NULL, 'R' },
		{ "precondition", required_argument, NULL, 'P' },
		{ "timer-policy", required_argument, NULL, 'T' },
		{ "timer", required_argument, NULL, 't' },
		{ "min-se", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	const char *listens[8], *uac_method = NULL, *uac_uri = NULL, *tls_name = NULL, *call_uri = NULL;
	bool sess_mode = false;
	unsigned int num_listens = 0, i, exit_after = 0;
	struct osmo_timer_list stop;
	bool debug = false;
	void *ctx;
	int c;

	cfg.tls.verify_peer = true;
	cfg.max_message_size = 65535;
	INIT_LLIST_HEAD(&cfg.next_hops);
	cfg.rel100 = cfg.precondition = SIP_EXT_SUPPORTED;
	cfg.session_timer = SIP_EXT_DISABLED;
	while ((c = getopt_long(argc, argv, "d", lopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (num_listens < ARRAY_SIZE(listens))
				listens[num_listens++] = optarg;
			break;
		case 'c':
			cfg.tls.certificate = optarg;
			break;
		case 'k':
			cfg.tls.private_key = optarg;
			break;
		case 'a':
			cfg.tls.ca_file = optarg;
			break;
		case 'n':
			cfg.tls.verify_peer = false;
			break;
		case 'N':
			tls_name = optarg;
			break;
		case 'u':
			if (optind >= argc) {
				fprintf(stderr, "--uac METHOD URI\n");
				return 2;
			}
			uac_method = optarg;
			uac_uri = argv[optind++];
			break;
		case 'm':
			cfg.max_connections = atoi(optarg);
			break;
		case 'i':
			cfg.tcp_idle_timeout_s = atoi(optarg);
			break;
		case 'x':
			exit_after = atoi(optarg);
			break;
		case 'o':
			options_503 = true;
			break;
		case 'D':
			answer_delay_ms = atoi(optarg);
			break;
		case 'S':
			sess_mode = true;
			break;
		case 'C':
			call_uri = optarg;
			break;
		case 's':
			script = optarg;
			break;
		case 'e':
			expect_end = optarg;
			break;
		case 'R':
		case 'P':
		case 'T':
			if (policy(optarg, c == 'R'   ? &cfg.rel100 :
					   c == 'P' ? &cfg.precondition : &cfg.session_timer)) {
				fprintf(stderr, "policy: disabled|supported|required\n");
				return 2;
			}
			break;
		case 't':
			cfg.session_expires_s = atoi(optarg);
			if (cfg.session_timer == SIP_EXT_DISABLED)
				cfg.session_timer = SIP_EXT_SUPPORTED;
			break;
		case 'M':
			cfg.min_se_s = atoi(optarg);
			break;
		case 'd':
			debug = true;
			break;
		default:
			return 2;
		}
	}

	ctx = talloc_named_const(NULL, 0, "testua");
	msgb_talloc_ctx_init(ctx, 0);
	osmo_init_logging2(ctx, &mgcf_log_info);
	log_set_use_color(osmo_stderr_target, 0);
	log_set_print_category(osmo_stderr_target, 1);
	log_set_print_level(osmo_stderr_target, 1);
	log_set_category_filter(osmo_stderr_target, DSIP, 1, debug ? LOGL_DEBUG : LOGL_NOTICE);
	log_set_category_filter(osmo_stderr_target, DSIPT, 1, debug ? LOGL_DEBUG : LOGL_NOTICE);
	signal(SIGTERM, sig_cb);
	signal(SIGINT, sig_cb);
	signal(SIGPIPE, SIG_IGN);

	if (sess_mode) {
		calls_ctx = talloc_named_const(ctx, 0, "calls");
		sua = sip_sess_ua_alloc(ctx, &cfg, &sess_ops, NULL);
		if (!sua)
			return 1;
		core = sip_sess_ua_core(sua);
	} else {
		core = sip_core_alloc(ctx, &cfg, &ops, NULL);
		if (!core)
			return 1;
		sip_core_register(core, SIP_METHOD_INVITE, on_invite, NULL);
		sip_core_register(core, SIP_METHOD_BYE, on_message, NULL);
	}
	sip_core_register(core, SIP_METHOD_MESSAGE, on_message, NULL);
	for (i = 0; i < num_listens; i++) {
		if (add_listener(listens[i]) < 0) {
			fprintf(stderr, "cannot listen on %s\n", listens[i]);
			return 1;
		}
	}
	if (call_uri) {
		if (!num_listens && add_listener(strchr(call_uri, '[') ? "udp:::1:0" : "udp:127.0.0.1:0") < 0)
			return 1;
		exit_code = 1;
		if (!sess_mode || sess_call(call_uri, tls_name) < 0)
			return 1;
	}
	if (uac_method) {
		/* a UAC without listener still needs a UDP socket and a sent-by for its Via */
		if (!num_listens) {
			if (add_listener(strchr(uac_uri, '[') ? "udp:::1:0" : "udp:127.0.0.1:0") < 0)
				return 1;
		}
		exit_code = 1;
		if (uac_send(uac_method, uac_uri, tls_name) < 0)
			return 1;
	}
	if (exit_after) {
		osmo_timer_setup(&stop, stop_cb, NULL);
		osmo_timer_schedule(&stop, exit_after, 0);
	}
	while (!done)
		osmo_select_main(0);
	print_counters();
	if (sua) {
		/* the UA ends its sessions without callbacks: calls still running go here (their destructor stops the
		 * script timer) */
		sip_sess_ua_free(sua);
		talloc_free(calls_ctx);
	} else {
		sip_core_free(core);
	}
	return exit_code;
}
