/* SIP sessions: the INVITE usage as an osmo_fsm, see sip_sess.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/fsm.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/stats.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>

#include <mgcf/log.h>
#include <mgcf/rand.h>
#include "sip/sip_build.h"
#include "sip/sip_htab.h"
#include "sip/sip_nexthop.h"
#include "sip/sip_sess.h"
#include "sip/sip_timers.h"

#define SESS_HASH 4096	/* initial buckets: the table grows with the sessions */
#define SESS_MSG_HDRS 4096	/* room for a request's or response's start line and headers, besides its body */

const struct value_string sip_sess_state_names[] = {
	{ SIP_SESS_ST_INIT, "INIT" },
	{ SIP_SESS_ST_OUT_CALLING, "OUT_CALLING" },
	{ SIP_SESS_ST_OUT_EARLY, "OUT_EARLY" },
	{ SIP_SESS_ST_OUT_CANCELLING, "OUT_CANCELLING" },
	{ SIP_SESS_ST_IN_PROCEEDING, "IN_PROCEEDING" },
	{ SIP_SESS_ST_IN_EARLY, "IN_EARLY" },
	{ SIP_SESS_ST_IN_WAIT_ACK, "IN_WAIT_ACK" },
	{ SIP_SESS_ST_CONFIRMED, "CONFIRMED" },
	{ SIP_SESS_ST_TERMINATING, "TERMINATING" },
	{ SIP_SESS_ST_TERMINATED, "TERMINATED" },
	{ 0, NULL }
};

const struct value_string sip_sess_event_names[] = {
	{ SIP_SESS_EV_TX_INVITE, "TX_INVITE" },
	{ SIP_SESS_EV_RX_1XX, "RX_1XX" },
	{ SIP_SESS_EV_RX_2XX, "RX_2XX" },
	{ SIP_SESS_EV_RX_FAILURE, "RX_FAILURE" },
	{ SIP_SESS_EV_TX_CANCEL, "TX_CANCEL" },
	{ SIP_SESS_EV_RX_INVITE, "RX_INVITE" },
	{ SIP_SESS_EV_TX_1XX, "TX_1XX" },
	{ SIP_SESS_EV_TX_2XX, "TX_2XX" },
	{ SIP_SESS_EV_TX_FAILURE, "TX_FAILURE" },
	{ SIP_SESS_EV_RX_CANCEL, "RX_CANCEL" },
	{ SIP_SESS_EV_RX_ACK, "RX_ACK" },
	{ SIP_SESS_EV_ACK_TIMEOUT, "ACK_TIMEOUT" },
	{ SIP_SESS_EV_TX_BYE, "TX_BYE" },
	{ SIP_SESS_EV_RX_BYE, "RX_BYE" },
	{ SIP_SESS_EV_BYE_DONE, "BYE_DONE" },
	{ 0, NULL }
};

const struct value_string sip_sess_oa_names[] = {
	{ SIP_SESS_OA_NONE, "none" },
	{ SIP_SESS_OA_LOCAL_OFFER, "local-offer" },
	{ SIP_SESS_OA_REMOTE_OFFER, "remote-offer" },
	{ 0, NULL }
};

const struct value_string sip_sess_end_cause_names[] = {
	{ SIP_SESS_END_REJECTED, "rejected" },
	{ SIP_SESS_END_CANCELLED, "cancelled" },
	{ SIP_SESS_END_BYE, "bye" },
	{ SIP_SESS_END_NO_ACK, "no-ack" },
	{ SIP_SESS_END_NO_PRACK, "no-prack" },
	{ SIP_SESS_END_EXPIRED, "session-expired" },
	{ SIP_SESS_END_ERROR, "error" },
	{ 0, NULL }
};

static const struct rate_ctr_desc sip_sess_ctr_desc[] = {
	[SIP_SESS_CTR_OUT] = { "sip:sess_out", "sessions we called (INVITE sent)" },
	[SIP_SESS_CTR_IN] = { "sip:sess_in", "sessions the peer called (INVITE accepted for handling)" },
	[SIP_SESS_CTR_ESTABLISHED] = { "sip:sess_established", "sessions established (2xx and ACK)" },
	[SIP_SESS_CTR_REJECTED] = { "sip:sess_rejected", "sessions ended by a 3xx-6xx to the INVITE" },
	[SIP_SESS_CTR_CANCELLED] = { "sip:sess_cancelled", "sessions cancelled" },
	[SIP_SESS_CTR_BYE] = { "sip:sess_bye", "sessions ended by BYE" },
	[SIP_SESS_CTR_NO_ACK] = { "sip:sess_no_ack", "no ACK for our 2xx (BYE sent)" },
	[SIP_SESS_CTR_NO_PRACK] = { "sip:sess_no_prack", "reliable 1xx never acknowledged (500 sent)" },
	[SIP_SESS_CTR_EXPIRED] = { "sip:sess_expired", "session timer expired (BYE sent)" },
	[SIP_SESS_CTR_ERROR] = { "sip:sess_error", "sessions ended by 481/408 in the dialog or a local error" },
	[SIP_SESS_CTR_REL1XX_RETX] = { "sip:sess_rel1xx_retransmits", "reliable 1xx retransmissions (RFC 3262)" },
	[SIP_SESS_CTR_TX_491] = { "sip:sess_tx_491", "491 Request Pending sent (glare)" },
	[SIP_SESS_CTR_RX_491] = { "sip:sess_rx_491", "491 received to our UPDATE/re-INVITE" },
	[SIP_SESS_CTR_TX_422] = { "sip:sess_tx_422", "422 Session Interval Too Small sent" },
	[SIP_SESS_CTR_TX_421] = { "sip:sess_tx_421", "421 Extension Required sent" },
	[SIP_SESS_CTR_TX_500_CSEQ] = { "sip:sess_tx_500_cseq", "500 for an in-dialog request with an old CSeq" },
	[SIP_SESS_CTR_FAILOVER] = { "sip:sess_failover", "INVITEs sent again to the next hop" },
};

static const struct rate_ctr_group_desc sip_sess_ctrg_desc = {
	.group_name_prefix = "sip_sess",
	.group_description = "SIP sessions",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = ARRAY_SIZE(sip_sess_ctr_desc),
	.ctr_desc = sip_sess_ctr_desc,
};

struct sip_sess_ua {
	struct rate_ctr_group *ctrs;
	const struct sip_cfg *cfg;
	const struct sip_sess_ops *ops;
	void *priv;
	struct sip_core *core;
	struct sip_nexthops *nhs;
	struct sip_htab by_callid;
	struct llist_head sessions;
	unsigned int count;
	char *contact_host;
	uint16_t contact_port;
	const char *supported[4];
};

struct sip_sess {
	struct sip_sess_ua *ua;
	struct osmo_fsm_inst *fi;
	struct llist_head entry;	/* ua->sessions */
	struct sip_hnode cnode;		/* ua->by_callid */
	void *priv;
	bool uac;
	bool own_call_id;		/* we made the Call-ID: the longer glare back-off (RFC 3261 §14.1) */
	char *call_id;
	char *local_tag;
	char *local_uri;
	char *remote_uri;
	char *ruri;
	struct sip_dialog *dlg;		/* confirmed dialog, or the latest early one */
	struct llist_head early;	/* UAC: early dialogs, one per To tag (forking) */
	bool peer_100rel, peer_100rel_required, peer_timer, peer_precond, peer_update;
	bool dst_trusted;
	bool ended;

	/* UAC: the INVITE */
	struct sip_ctrans *inv_ct;
	struct sip_ctrans *cancel_ct;
	uint32_t inv_cseq;
	struct sip_addr inv_dst;
	bool use_nexthops;
	const struct sip_next_hop_cfg *hop;
	uint32_t tried_hops;
	char *inv_sdp;
	struct sip_identity_out id_out;
	bool got_1xx;
	bool prack_pending;		/* offerless INVITE: the PRACK waits for the answer to the 1xx's offer */
	uint32_t prack_rseq;
	bool ack_pending;		/* offerless INVITE: the ACK waits for the answer to the 2xx's offer */
	bool cancel_sent;
	char *cancel_reason;		/* Reason header lines for the CANCEL, NULL: none */
	bool retried_422;
	uint32_t se_req;		/* Session-Expires we ask for */
	struct msgb *ack;		/* ACK of the latest INVITE 2xx, resent for each retransmission */
	uint32_t ack_cseq;
	struct sip_addr ack_dst;

	/* UAS: the INVITE */
	struct sip_strans *inv_st;
	uint32_t rseq;
	struct msgb *rel1xx;		/* unacknowledged reliable 1xx */
	uint32_t rel1xx_rseq;
	uint16_t rel1xx_status;
	unsigned long rel_retx_ms;
	struct osmo_timer_list rel_retx, rel_giveup;
	bool rel_queued;
	uint16_t q_status;
	char *q_sdp;
	bool accept_deferred;
	char *accept_sdp;
	bool answered_reliably;		/* the INVITE's offer/answer completed in reliable 1xx/PRACK */
	bool bye_after_ack;

	/* in-dialog transactions */
	struct sip_strans *offer_st;	/* UPDATE, re-INVITE or PRACK whose offer we owe an answer to */
	struct sip_strans *reinv_st;	/* re-INVITE received, until its ACK */
	struct sip_ctrans *update_ct, *reinv_ct, *bye_ct, *prack_ct;
	struct sip_ctrans *reinv_done_ct;	/* our accepted re-INVITE: its 2xx retransmissions get the ACK again */
	bool refreshing;		/* update_ct / reinv_ct is a session refresh */
	struct osmo_timer_list glare;
	enum sip_method glare_method;
	char *glare_sdp;
	bool glare_retried;

	enum sip_sess_oa oa;
	char *local_sdp, *remote_sdp;	/* last agreed */
	char *pending_local;		/* our outstanding offer */
	char *pending_remote;		/* the peer's outstanding offer */

	/* RFC 4028 */
	uint32_t se;
	bool we_refresh;
	struct osmo_timer_list se_timer;

	enum sip_sess_end_cause end_cause;
	uint16_t end_status;
};

static struct osmo_fsm sip_sess_fsm;

static void ctr_inc(struct sip_sess_ua *ua, enum sip_sess_ctr c)
{
	rate_ctr_inc(rate_ctr_group_get_ctr(ua->ctrs, c));
}

uint64_t sip_sess_ua_ctr(const struct sip_sess_ua *ua, enum sip_sess_ctr ctr)
{
	return rate_ctr_group_get_ctr(ua->ctrs, ctr)->current;
}

struct rate_ctr_group *sip_sess_ua_ctrs(struct sip_sess_ua *ua)
{
	return ua->ctrs;
}

static struct osmo_fsm_inst *sess_named(struct sip_sess *s);

/* sess_named(): a session's instance gets its id only when something logs about it (see sess_alloc()) */
#define LOG_SESS(s, lvl, fmt, args...) LOGPFSML_NAMED(DSIP, sess_named(s), lvl, fmt, ##args)

static unsigned long tdef_ms(enum sip_timer t)
{
	return osmo_tdef_get(sip_tdefs, t, OSMO_TDEF_MS, -1);
}

static void sched_ms(struct osmo_timer_list *t, unsigned long ms)
{
	osmo_timer_schedule(t, ms / 1000, (ms % 1000) * 1000);
}

static uint32_t rand32(void)
{
	uint32_t r = 0;

	if (mgcf_rand_bytes(&r, sizeof(r)) < 0)
		r = (uint32_t)random();
	return r;
}

static char *sdp_dup(void *ctx, struct sip_str sdp)
{
	return sdp.len ? talloc_strndup(ctx, sdp.p, sdp.len) : NULL;
}

static void set_str(void *ctx, char **dst, const char *src)
{
	talloc_free(*dst);
	*dst = src ? talloc_strdup(ctx, src) : NULL;
}

/* The SDP body of a message (application/sdp only; RFC 3261 §13.2.1). */
static struct sip_str msg_sdp(const struct sip_msg *msg)
{
	struct sip_media_type mt;

	if (!msg || !msg->body.len || sip_msg_content_type(msg, &mt) < 0 || !sip_str_caseeq(mt.type, "application") ||
	    !sip_str_caseeq(mt.subtype, "sdp"))
		return (struct sip_str){ NULL, 0 };
	return msg->body;
}

static bool has_tag(const struct sip_msg *msg, const char *tag)
{
	return sip_msg_has_option_tag(msg, SIP_HDR_SUPPORTED, tag) || sip_msg_has_option_tag(msg, SIP_HDR_REQUIRE, tag);
}

static void info_fill(struct sip_sess *s, struct sip_sess_info *info, const struct sip_msg *msg,
		      const struct osmo_sockaddr *src)
{
	memset(info, 0, sizeof(*info));
	info->msg = msg;
	if (!msg)
		return;
	info->status = msg->is_request ? 0 : msg->status;
	info->sdp = msg_sdp(msg);
	sip_identity_parse(&info->id, msg, s->ua->cfg, src);
}

static void detach_ct(struct sip_ctrans **ct)
{
	if (*ct)
		sip_ctrans_detach(*ct);
	*ct = NULL;
}

/* ---- message building ------------------------------------------------------------------------------------- */

static struct msgb *msg_new(size_t body)
{
	return sip_msgb_alloc(SESS_MSG_HDRS + body, "sip-sess");
}

static int add_contact(struct sip_sess *s, struct msgb *m, const struct sip_addr *dst)
{
	struct sip_sess_ua *ua = s->ua;
	char buf[64];
	const char *host = buf;
	uint16_t port = 0;
	const char *tp = "";
	bool v6;
	int rc;

	if (ua->contact_host) {
		host = ua->contact_host;
		port = ua->contact_port;
	} else if (!dst || sip_tp_sent_by(sip_core_tp(ua->core), dst, buf, sizeof(buf), &port) < 0) {
		host = ua->cfg->domain ? ua->cfg->domain : "invalid.invalid";
	}
	if (dst && dst->proto == SIP_TRANSPORT_TCP)
		tp = ";transport=tcp";
	else if (dst && dst->proto == SIP_TRANSPORT_TLS)
		tp = ";transport=tls";
	/* an IPv6 host is bracketed (RFC 5118 §4.1) */
	v6 = strchr(host, ':') != NULL;
	rc = sip_build_puts(m, v6 ? "Contact: <sip:mgcf@[" : "Contact: <sip:mgcf@") ?: sip_build_puts(m, host) ?:
	     (v6 ? sip_build_puts(m, "]") : 0);
	if (!rc && port)
		rc = sip_build_puts(m, ":") ?: sip_build_putu(m, port);
	return rc ?: sip_build_puts(m, tp) ?: sip_build_puts(m, ">\r\n");
}

static const char allow_methods[] = "INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, OPTIONS";

/* Supported (every extension not disabled) and, for the initial INVITE, Require (the required ones). */
static int add_ext(struct sip_sess *s, struct msgb *m, bool require)
{
	const struct sip_cfg *c = s->ua->cfg;
	const char *sup[4], *req[4];
	unsigned int ns = 0, nr = 0;
	int rc = 0;

	if (c->rel100 != SIP_EXT_DISABLED)
		sup[ns++] = "100rel";
	if (c->precondition != SIP_EXT_DISABLED)
		sup[ns++] = "precondition";
	if (c->session_timer != SIP_EXT_DISABLED)
		sup[ns++] = "timer";
	sup[ns] = NULL;
	if (require) {
		if (c->rel100 == SIP_EXT_REQUIRED)
			req[nr++] = "100rel";
		if (c->precondition == SIP_EXT_REQUIRED)
			req[nr++] = "precondition";
	}
	req[nr] = NULL;
	if (ns)
		rc = sip_build_tokens(m, SIP_HDR_SUPPORTED, sup);
	if (!rc && nr)
		rc = sip_build_tokens(m, SIP_HDR_REQUIRE, req);
	return rc ?: sip_build_hdr_c(m, "Allow", allow_methods);
}

/* Room for what se_hdrs() writes: the longest interval, refresher and Require, and the NUL. */
#define SE_HDRS_BUF sizeof("Session-Expires: 4294967295;refresher=uac\r\nRequire: timer\r\n")

/* The extra header lines of a 2xx in a session with a session timer (RFC 4028 §9: the UAS states the interval and
 * the refresher; Require: timer if the UAC supports it), written into buf (SE_HDRS_BUF octets). */
static const char *se_hdrs(char *buf, uint32_t se, bool we_refresh, bool require_timer)
{
	static const char name[] = "Session-Expires: ";
	const char *rest = we_refresh ? ";refresher=uas\r\n" : ";refresher=uac\r\n";
	size_t o = sizeof(name) - 1;

	memcpy(buf, name, o);
	o += sip_u64_dec(buf + o, se, 1);
	memcpy(buf + o, rest, strlen(rest));
	o += strlen(rest);
	if (require_timer) {
		memcpy(buf + o, "Require: timer\r\n", 16);
		o += 16;
	}
	buf[o] = '\0';
	return buf;
}

static int add_body(struct msgb *m, const char *sdp)
{
	return sdp ? sip_build_body(m, "application/sdp", sdp, strlen(sdp)) : sip_build_no_body(m);
}

/* Session-Expires naming who refreshes in terms of the transaction this message belongs to (RFC 4028 §4). */
static int add_se(struct sip_sess *s, struct msgb *m, uint32_t se, enum sip_se_refresher r)
{
	int rc = sip_build_session_expires(m, se, r);

	if (!rc && s->ua->cfg->min_se_s)
		rc = sip_build_hdr_u(m, "Min-SE", s->ua->cfg->min_se_s);
	return rc;
}

static int dialog_dst(struct sip_sess *s, struct sip_addr *dst)
{
	int rc = sip_dialog_dst(s->dlg, dst);

	/* a target we cannot resolve (host name): back where the dialog's requests came from / went to */
	if (rc < 0) {
		*dst = s->inv_dst;
		dst->conn_id = 0;
		rc = 0;
	}
	if (dst->proto != SIP_TRANSPORT_UDP && dst->proto == s->inv_dst.proto &&
	    !osmo_sockaddr_cmp(&dst->remote, &s->inv_dst.remote))
		dst->conn_id = s->inv_dst.conn_id;	/* reuse the INVITE's connection */
	return rc;
}

/* A new in-dialog request (not ACK) in a client transaction; extra writes method-specific headers. */
static struct sip_ctrans *send_in_dialog(struct sip_sess *s, const char *method, const char *sdp,
					 const struct sip_identity_out *id, const struct sip_ctrans_ops *ops,
					 bool contact, bool se, const struct sip_rack *rack)
{
	struct sip_addr dst;
	struct msgb *m;
	uint32_t cseq;
	int rc;

	if (!s->dlg || dialog_dst(s, &dst) < 0)
		return NULL;
	m = msg_new(sdp ? strlen(sdp) : 0);
	if (!m)
		return NULL;
	cseq = sip_dialog_next_cseq(s->dlg);
	rc = sip_dialog_build_request(s->dlg, m, method, cseq);
	if (!rc && contact)
		rc = add_contact(s, m, &dst);
	if (!rc && rack)
		rc = sip_build_rack(m, rack->rseq, rack->cseq, "INVITE");
	if (!rc && (contact || se))
		rc = add_ext(s, m, false);
	if (!rc && se && s->se)
		rc = add_se(s, m, s->se, SIP_SE_REFRESHER_UAC);
	if (!rc && id)
		rc = sip_identity_build(m, id, s->dst_trusted);
	rc = rc ?: add_body(m, sdp);
	if (rc) {
		msgb_free(m);
		LOG_SESS(s, LOGL_ERROR, "cannot build %s: %s\n", method, strerror(-rc));
		return NULL;
	}
	LOG_SESS(s, LOGL_DEBUG, "tx %s (CSeq %u)\n", method, cseq);
	return sip_core_request(s->ua->core, &dst, m, ops, s);
}

/* ACK for a 2xx (RFC 3261 §13.2.2.4): its own branch, sent outside any transaction, kept for retransmissions. */
static void send_ack(struct sip_sess *s, struct sip_dialog *dlg, uint32_t cseq, const char *sdp)
{
	struct sip_dialog *save = s->dlg;
	char host[64], branch[SIP_BRANCH_BUF];
	uint16_t port = 0;
	struct sip_addr dst;
	struct msgb *m;
	int rc;

	s->dlg = dlg;
	rc = dialog_dst(s, &dst);
	s->dlg = save;
	if (rc < 0 || sip_gen_branch(branch, sizeof(branch)) < 0)
		return;
	if (sip_tp_sent_by(sip_core_tp(s->ua->core), &dst, host, sizeof(host), &port) < 0)
		snprintf(host, sizeof(host), "invalid.invalid");
	m = msg_new(sdp ? strlen(sdp) : 0);
	if (!m)
		return;
	rc = sip_dialog_build_request(dlg, m, "ACK", cseq);
	rc = rc ?: sip_build_via(m, sip_transport_via_name(dst.proto), host, port, branch, true);
	rc = rc ?: add_body(m, sdp);
	if (rc) {
		msgb_free(m);
		return;
	}
	if (dlg == s->dlg) {
		if (s->ack)
			msgb_free(s->ack);
		s->ack = sip_msgb_dup(m, "sip-ack");
		s->ack_cseq = cseq;
		s->ack_dst = dst;
	}
	LOG_SESS(s, LOGL_DEBUG, "tx ACK (CSeq %u)\n", cseq);
	sip_tp_send(sip_core_tp(s->ua->core), &dst, m);
}

static void resend_ack(struct sip_sess *s)
{
	struct msgb *m;

	if (!s->ack)
		return;
	m = sip_msgb_dup(s->ack, "sip-ack");
	if (m)
		sip_tp_send(sip_core_tp(s->ua->core), &s->ack_dst, m);
}

/* A response to a request the peer sent (INVITE, UPDATE, PRACK, BYE ...); extra: header lines or NULL. */
static struct msgb *build_rsp(struct sip_sess *s, struct sip_strans *st, uint16_t status, const char *reason,
			      const char *sdp, const char *extra)
{
	const struct sip_msg *req = sip_strans_request(st);
	struct msgb *m = sip_strans_msgb(st, SESS_MSG_HDRS + (sdp ? strlen(sdp) : 0) + (extra ? strlen(extra) : 0));
	bool target = req->method_id == SIP_METHOD_INVITE || req->method_id == SIP_METHOD_UPDATE;
	int rc;

	if (!m)
		return NULL;
	rc = sip_build_response(m, req, status, reason, s->local_tag ? s->local_tag : sip_strans_to_tag(st));
	if (!rc && target && status > 100 && status < 300)
		rc = add_contact(s, m, sip_strans_source(st));
	if (!rc && target && status > 100 && status < 300)
		rc = add_ext(s, m, false);
	if (!rc && req->method_id == SIP_METHOD_INVITE && status > 100 && status < 300 &&
	    (s->id_out.pai || s->id_out.pai_tel)) {
		struct sip_identity_out id = s->id_out;

		id.q850_cause = id.sip_cause = 0;	/* Reason belongs to final errors and BYE */
		rc = sip_identity_build(m, &id, s->dst_trusted);
	}
	if (!rc && extra) {
		if ((size_t)msgb_tailroom(m) < strlen(extra))
			rc = -EMSGSIZE;
		else
			memcpy(msgb_put(m, strlen(extra)), extra, strlen(extra));
	}
	rc = rc ?: add_body(m, sdp);
	if (rc) {
		msgb_free(m);
		LOG_SESS(s, LOGL_ERROR, "cannot build %u: %s\n", status, strerror(-rc));
		return NULL;
	}
	return m;
}

static int respond(struct sip_sess *s, struct sip_strans *st, uint16_t status, const char *reason, const char *sdp,
		   const char *extra)
{
	struct msgb *m = build_rsp(s, st, status, reason, sdp, extra);

	if (!m)
		return -ENOMEM;
	LOG_SESS(s, LOGL_DEBUG, "tx %u to %.*s\n", status, SIP_STR_FMT(sip_strans_request(st)->method));
	return sip_strans_respond(st, status, m);
}

/* ---- life cycle ------------------------------------------------------------------------------------------- */

static void sess_state(struct sip_sess *s, enum sip_sess_state st)
{
	osmo_fsm_inst_state_chg(s->fi, st, 0, 0);
}

/* Report the end once and free the session. */
static void sess_end(struct sip_sess *s, enum sip_sess_end_cause cause, uint16_t status, bool by_remote,
		     const struct sip_msg *msg, const struct osmo_sockaddr *src)
{
	struct sip_sess_info info;

	static const enum sip_sess_ctr end_ctr[] = {
		[SIP_SESS_END_REJECTED] = SIP_SESS_CTR_REJECTED,
		[SIP_SESS_END_CANCELLED] = SIP_SESS_CTR_CANCELLED,
		[SIP_SESS_END_BYE] = SIP_SESS_CTR_BYE,
		[SIP_SESS_END_NO_ACK] = SIP_SESS_CTR_NO_ACK,
		[SIP_SESS_END_NO_PRACK] = SIP_SESS_CTR_NO_PRACK,
		[SIP_SESS_END_EXPIRED] = SIP_SESS_CTR_EXPIRED,
		[SIP_SESS_END_ERROR] = SIP_SESS_CTR_ERROR,
	};

	if (s->ended)
		return;
	s->ended = true;
	ctr_inc(s->ua, end_ctr[cause]);
	info_fill(s, &info, msg, src);
	info.status = status;
	info.cause = cause;
	info.by_remote = by_remote;
	LOG_SESS(s, LOGL_INFO, "ended: %s, status %u, by the %s\n", get_value_string(sip_sess_end_cause_names, cause),
		 status, by_remote ? "peer" : "local side");
	if (s->fi->state != SIP_SESS_ST_TERMINATED)
		sess_state(s, SIP_SESS_ST_TERMINATED);
	if (s->ua->ops->ended)
		s->ua->ops->ended(s, s->priv, &info);
	osmo_fsm_inst_term(s->fi, OSMO_FSM_TERM_REGULAR, NULL);
}

static void ct_terminated(void *priv, struct sip_ctrans *ct);

static const struct sip_ctrans_ops bye_ops;

/* Send BYE and wait for its answer; the end is reported then with cause. */
static void sess_bye(struct sip_sess *s, enum sip_sess_end_cause cause, const struct sip_identity_out *id)
{
	s->end_cause = cause;
	osmo_timer_del(&s->se_timer);
	osmo_timer_del(&s->glare);
	s->bye_ct = send_in_dialog(s, "BYE", NULL, id, &bye_ops, false, false, NULL);
	if (!s->bye_ct) {
		sess_end(s, cause, 0, false, NULL, NULL);
		return;
	}
	osmo_fsm_inst_dispatch(s->fi, SIP_SESS_EV_TX_BYE, NULL);
}

static void bye_rsp(void *priv, struct sip_ctrans *ct, uint16_t status, const struct sip_msg *rsp)
{
	struct sip_sess *s = priv;

	if (status < 200)
		return;
	detach_ct(&s->bye_ct);
	osmo_fsm_inst_dispatch(s->fi, SIP_SESS_EV_BYE_DONE, &status);
}

static const struct sip_ctrans_ops bye_ops = { .response = bye_rsp, .terminated = ct_terminated };

/* A client transaction of the session is freed: forget it. */
static void ct_terminated(void *priv, struct sip_ctrans *ct)
{
	struct sip_sess *s = priv;
	struct sip_ctrans **all[] = { &s->inv_ct, &s->cancel_ct, &s->update_ct, &s->reinv_ct, &s->bye_ct,
				      &s->prack_ct, &s->reinv_done_ct };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(all); i++)
		if (*all[i] == ct)
			*all[i] = NULL;
}

static void sess_cleanup(struct osmo_fsm_inst *fi, enum osmo_fsm_term_cause cause)
{
	struct sip_sess *s = fi->priv;

	osmo_timer_del(&s->rel_retx);
	osmo_timer_del(&s->rel_giveup);
	osmo_timer_del(&s->glare);
	osmo_timer_del(&s->se_timer);
	detach_ct(&s->inv_ct);
	detach_ct(&s->cancel_ct);
	detach_ct(&s->update_ct);
	detach_ct(&s->reinv_ct);
	detach_ct(&s->bye_ct);
	detach_ct(&s->prack_ct);
	detach_ct(&s->reinv_done_ct);
	/* teardown is guaranteed: a request of the peer still waiting for our answer gets one */
	if (s->offer_st) {
		sip_strans_set_ops(s->offer_st, NULL, NULL);
		if (s->offer_st != s->inv_st)
			sip_strans_reply(s->offer_st, 500, NULL, NULL);
	}
	if (s->reinv_st && s->reinv_st != s->offer_st)
		sip_strans_set_ops(s->reinv_st, NULL, NULL);
	if (s->inv_st) {
		sip_strans_set_ops(s->inv_st, NULL, NULL);
		if (sip_strans_state(s->inv_st) == SIP_TS_PROCEEDING)
			sip_strans_reply(s->inv_st, 500, NULL, NULL);
	}
	if (s->ack)
		msgb_free(s->ack);
	if (s->rel1xx)
		msgb_free(s->rel1xx);
	s->ack = s->rel1xx = NULL;
	llist_del(&s->entry);
	sip_htab_del(&s->ua->by_callid, &s->cnode);
	s->ua->count--;
}

/* ---- session timer (RFC 4028) ----------------------------------------------------------------------------- */

static void se_timer_cb(void *data);

static void se_start(struct sip_sess *s)
{
	osmo_timer_del(&s->se_timer);
	if (!s->se)
		return;
	if (s->we_refresh) {
		/* §10: refresh at half the interval */
		osmo_timer_schedule(&s->se_timer, s->se / 2, 0);
	} else {
		/* §10: BYE before the expiry, min(32, SE/3) seconds before it */
		osmo_timer_schedule(&s->se_timer, s->se - OSMO_MIN(32, s->se / 3), 0);
	}
	LOG_SESS(s, LOGL_DEBUG, "session timer %u s, %s refreshes\n", s->se, s->we_refresh ? "we" : "the peer");
}

/* Session-Expires of a 2xx to our request (we were UAC of that transaction): who refreshes. */
static void se_from_2xx(struct sip_sess *s, const struct sip_msg *rsp)
{
	struct sip_session_expires se;

	if (sip_msg_session_expires(rsp, &se) < 0) {
		s->se = 0;	/* §7.2: no Session-Expires in the 2xx, no session expiration */
		return;
	}
	s->se = se.delta;
	s->we_refresh = se.refresher != SIP_SE_REFRESHER_UAS;
}

static int sess_refresh(struct sip_sess *s);

static void se_timer_cb(void *data)
{
	struct sip_sess *s = data;

	if (s->we_refresh) {
		if (sess_refresh(s) < 0)
			osmo_timer_schedule(&s->se_timer, 1, 0);	/* an offer is outstanding: try again soon */
		return;
	}
	LOG_SESS(s, LOGL_NOTICE, "session expired (%u s without refresh)\n", s->se);
	sess_bye(s, SIP_SESS_END_EXPIRED, &(struct sip_identity_out){ .sip_cause = 0 });
}

/* ---- glare (RFC 3261 §14.1) ------------------------------------------------------------------------------ */

static int send_update(struct sip_sess *s, const char *sdp, bool refresh);
static int send_reinvite(struct sip_sess *s, const char *sdp, bool refresh);

static void glare_cb(void *data)
{
	struct sip_sess *s = data;
	char *sdp = s->glare_sdp;
	int rc;

	s->glare_sdp = NULL;
	s->glare_retried = true;
	if (s->glare_method == SIP_METHOD_UPDATE)
		rc = send_update(s, sdp, !sdp);
	else
		rc = send_reinvite(s, sdp, false);
	talloc_free(sdp);
	if (rc < 0 && s->ua->ops->offer_failed)
		s->ua->ops->offer_failed(s, s->priv, 491);
}

/* Our UPDATE/re-INVITE got 491: retry after a random time, 2.1-4 s if we own the Call-ID, else 0-2 s. */
static bool glare_backoff(struct sip_sess *s, enum sip_method m, const char *sdp)
{
	uint32_t r;
	unsigned long ms;

	if (s->glare_retried)
		return false;
	r = rand32();
	ms = s->own_call_id ? 2100 + r % 1901 : r % 2001;
	s->glare_method = m;
	set_str(s, &s->glare_sdp, sdp);
	sched_ms(&s->glare, ms);
	LOG_SESS(s, LOGL_INFO, "491 to our %s: retry in %lu ms\n", sip_method_name(m), ms);
	return true;
}

/* ---- UAC: INVITE, PRACK, ACK, CANCEL ----------------------------------------------------------------------- */

static const struct sip_ctrans_ops inv_ops;

static int build_invite(struct sip_sess *s, struct msgb **out)
{
	const struct sip_cfg *c = s->ua->cfg;
	struct msgb *m = msg_new(s->inv_sdp ? strlen(s->inv_sdp) : 0);
	int rc;

	if (!m)
		return -ENOMEM;
	rc = sip_build_request_line(m, "INVITE", s->ruri);
	rc = rc ?: sip_build_max_forwards(m, 70);
	rc = rc ?: sip_build_hdr_tagged(m, "From", s->local_uri, s->local_tag);
	rc = rc ?: sip_build_hdr_c(m, "To", s->remote_uri);
	rc = rc ?: sip_build_call_id(m, s->call_id);
	rc = rc ?: sip_build_cseq(m, s->inv_cseq, "INVITE");
	rc = rc ?: add_contact(s, m, &s->inv_dst);
	rc = rc ?: add_ext(s, m, true);
	if (!rc && c->session_timer != SIP_EXT_DISABLED && s->se_req) {
		enum sip_se_refresher r = c->refresher == SIP_REFRESHER_UAC ? SIP_SE_REFRESHER_UAC :
					  c->refresher == SIP_REFRESHER_UAS ? SIP_SE_REFRESHER_UAS :
					  SIP_SE_REFRESHER_NONE;

		rc = add_se(s, m, s->se_req, r);
	}
	rc = rc ?: sip_identity_build(m, &s->id_out, s->dst_trusted);
	rc = rc ?: add_body(m, s->inv_sdp);
	if (rc) {
		msgb_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

static int send_invite(struct sip_sess *s)
{
	struct msgb *m = NULL;
	int rc;

	s->dst_trusted = sip_identity_trusted(s->ua->cfg, &s->inv_dst.remote);
	rc = build_invite(s, &m);
	if (rc < 0)
		return rc;
	LOG_SESS(s, LOGL_INFO, "tx INVITE %s (CSeq %u)%s%s\n", s->ruri, s->inv_cseq, s->hop ? " via " : "",
		 s->hop ? s->hop->name : "");
	s->inv_ct = sip_core_request(s->ua->core, &s->inv_dst, m, &inv_ops, s);
	return s->inv_ct ? 0 : -EIO;
}

static struct sip_dialog *early_find(struct sip_sess *s, struct sip_str tag)
{
	struct sip_dialog *d;

	llist_for_each_entry(d, &s->early, list)
		if (sip_str_eq(tag, d->remote_tag))
			return d;
	return NULL;
}

/* The UAC dialog a response with To tag belongs to (created on the first one of each tag). */
static struct sip_dialog *uac_dialog(struct sip_sess *s, const struct sip_msg *rsp)
{
	struct sip_dialog *d;

	if (!rsp->to_tag.len)
		return NULL;
	d = early_find(s, rsp->to_tag);
	if (d)
		return d;
	d = sip_dialog_uac_create(s, s->call_id, s->local_tag, s->local_uri, s->remote_uri, s->inv_cseq,
				  s->inv_dst.proto == SIP_TRANSPORT_TLS && !strncmp(s->ruri, "sips:", 5), rsp);
	if (d)
		llist_add_tail(&d->list, &s->early);
	return d;
}

static void peer_caps(struct sip_sess *s, const struct sip_msg *msg)
{
	if (sip_msg_hdr(msg, SIP_HDR_ALLOW))
		s->peer_update = sip_msg_allows(msg, SIP_METHOD_UPDATE);
	if (has_tag(msg, "timer"))
		s->peer_timer = true;
	if (has_tag(msg, "100rel"))
		s->peer_100rel = true;
}

static void prack_rsp(void *priv, struct sip_ctrans *ct, uint16_t status, const struct sip_msg *rsp)
{
	struct sip_sess *s = priv;

	if (status < 200 || ct != s->prack_ct)
		return;
	detach_ct(&s->prack_ct);
	if (status >= 300)
		LOG_SESS(s, LOGL_NOTICE, "PRACK answered %u\n", status);
}

static const struct sip_ctrans_ops prack_ops = { .response = prack_rsp, .terminated = ct_terminated };

/* Report an SDP answer to our outstanding offer (final: the offer/answer exchange completes). */
static void got_answer(struct sip_sess *s, struct sip_str sdp, bool final, const struct sip_sess_info *info)
{
	if (s->oa != SIP_SESS_OA_LOCAL_OFFER || !sdp.len)
		return;
	if (!final && s->remote_sdp && sip_str_eq(sdp, s->remote_sdp))
		return;		/* the same preview again (unreliable 1xx) */
	talloc_free(s->remote_sdp);
	s->remote_sdp = sdp_dup(s, sdp);
	if (final) {
		set_str(s, &s->local_sdp, s->pending_local);
		s->oa = SIP_SESS_OA_NONE;
	}
	if (s->ua->ops->answer)
		s->ua->ops->answer(s, s->priv, info);
}

static void uac_rx_1xx(struct sip_sess *s, const struct sip_msg *rsp)
{
	struct sip_sess_info info;
	struct sip_dialog *d = uac_dialog(s, rsp);
	bool reliable = false, offer = false;
	uint32_t rseq;

	info_fill(s, &info, rsp, &s->inv_dst.remote);
	peer_caps(s, rsp);
	if (d) {
		s->dlg = d;
		sip_dialog_target_refresh(d, rsp);
	}
	if (d && sip_msg_has_option_tag(rsp, SIP_HDR_REQUIRE, "100rel") && sip_msg_rseq(rsp, &rseq) == 0 &&
	    s->ua->cfg->rel100 != SIP_EXT_DISABLED) {
		/* RFC 3262 §4: in order, once; retransmissions and gaps are discarded */
		if (d->rseq_rx_set && rseq != d->rseq_rx + 1) {
			LOG_SESS(s, LOGL_DEBUG, "reliable %u RSeq %u discarded (last %u)\n", rsp->status, rseq,
				 d->rseq_rx);
			return;
		}
		d->rseq_rx = rseq;
		d->rseq_rx_set = true;
		reliable = true;
		detach_ct(&s->prack_ct);
		if (info.sdp.len && s->oa == SIP_SESS_OA_NONE && !s->local_sdp && !s->remote_sdp &&
		    s->fi->state != SIP_SESS_ST_OUT_CANCELLING) {
			/* RFC 3262 §5: our INVITE had no offer, this is it; the PRACK carries our answer */
			offer = true;
			s->oa = SIP_SESS_OA_REMOTE_OFFER;
			set_str(s, &s->pending_remote, NULL);
			s->pending_remote = sdp_dup(s, info.sdp);
			s->prack_pending = true;
			s->prack_rseq = rseq;
		} else {
			s->prack_ct = send_in_dialog(s, "PRACK", NULL, NULL, &prack_ops, false, false,
						     &(struct sip_rack){ .rseq = rseq, .cseq = s->inv_cseq });
		}
	}
	info.reliable = reliable;
	if (s->fi->state == SIP_SESS_ST_OUT_CANCELLING)
		return;
	got_answer(s, info.sdp, reliable, &info);
	if (s->ua->ops->progress)
		s->ua->ops->progress(s, s->priv, &info);
	if (offer && !s->ended && s->prack_pending && s->ua->ops->offer)
		s->ua->ops->offer(s, s->priv, &info);
}

/* 2xx: confirm its dialog and ACK it; early dialogs of other forks go (RFC 3261 §13.2.2.4). */
static struct sip_dialog *uac_confirm(struct sip_sess *s, const struct sip_msg *rsp, bool ack)
{
	struct sip_dialog *d = uac_dialog(s, rsp), *o, *tmp;

	if (!d)
		return NULL;
	sip_dialog_confirm(d, rsp);
	llist_for_each_entry_safe(o, tmp, &s->early, list) {
		if (o == d)
			continue;
		llist_del(&o->list);
		talloc_free(o);
	}
	s->dlg = d;
	if (ack)
		send_ack(s, d, s->inv_cseq, NULL);
	return d;
}

/* A 2xx from another fork once we are confirmed: ACK it, then BYE that dialog (§13.2.2.4). */
static void uac_extra_2xx(struct sip_sess *s, const struct sip_msg *rsp)
{
	struct sip_dialog *d, *save = s->dlg;
	struct sip_ctrans *ct;

	d = sip_dialog_uac_create(s, s->call_id, s->local_tag, s->local_uri, s->remote_uri, s->inv_cseq, false, rsp);
	if (!d)
		return;
	sip_dialog_confirm(d, rsp);
	LOG_SESS(s, LOGL_NOTICE, "2xx from a second fork (tag %s): ACK and BYE\n", d->remote_tag);
	send_ack(s, d, s->inv_cseq, NULL);
	s->dlg = d;
	ct = send_in_dialog(s, "BYE", NULL, NULL, NULL, false, false, NULL);
	s->dlg = save;
	if (ct)
		sip_ctrans_detach(ct);
	talloc_free(d);
}

struct sip_sess_rsp {
	uint16_t status;
	const struct sip_msg *msg;
};

static void inv_rsp(void *priv, struct sip_ctrans *ct, uint16_t status, const struct sip_msg *rsp)
{
	struct sip_sess *s = priv;

	if (ct != s->inv_ct)
		return;
	if (status < 200) {
		s->got_1xx = true;
		if (s->fi->state == SIP_SESS_ST_OUT_CANCELLING && !s->cancel_sent)
			osmo_fsm_inst_dispatch(s->fi, SIP_SESS_EV_TX_CANCEL, NULL);
		if (status > 100 && rsp)
			osmo_fsm_inst_dispatch(s->fi, SIP_SESS_EV_RX_1XX, (void *)rsp);
		return;
	}
	if (status < 300) {
		osmo_fsm_inst_dispatch(s->fi, SIP_SESS_EV_RX_2XX, (void *)rsp);
		return;
	}
	detach_ct(&s->inv_ct);
	if (!rsp && (status == 408 || status == 503) && s->use_nexthops && !s->got_1xx &&
	    s->fi->state == SIP_SESS_ST_OUT_CALLING) {
		/* transport error or time-out of the transaction layer: fail over to the next hop */
		if (s->hop)
			sip_nexthop_failed(s->ua->nhs, s->hop);
		if (sip_nexthop_select(s->ua->nhs, &s->tried_hops, &s->inv_dst, &s->hop) == 0 && send_invite(s) == 0) {
			ctr_inc(s->ua, SIP_SESS_CTR_FAILOVER);
			return;
		}
	}
	if (status == 422 && rsp && !s->retried_422 && s->fi->state == SIP_SESS_ST_OUT_CALLING) {
		struct sip_session_expires min_se;

		/* RFC 4028 §7.4: ask again with at least the Min-SE of the 422 */
		if (sip_msg_min_se(rsp, &min_se) == 0 && min_se.delta > s->se_req) {
			s->retried_422 = true;
			s->se_req = min_se.delta;
			s->inv_cseq++;
			if (send_invite(s) == 0)
				return;
		}
	}
	{
		struct sip_sess_rsp r = { status, rsp };

		osmo_fsm_inst_dispatch(s->fi, SIP_SESS_EV_RX_FAILURE, &r);
	}
}

static const struct sip_ctrans_ops inv_ops = { .response = inv_rsp, .terminated = ct_terminated };

static void cancel_rsp(void *priv, struct sip_ctrans *ct, uint16_t status, const struct sip_msg *rsp)
{
	struct sip_sess *s = priv;

	if (status >= 200 && ct == s->cancel_ct)
		detach_ct(&s->cancel_ct);
}

static const struct sip_ctrans_ops cancel_ops = { .response = cancel_rsp, .terminated = ct_terminated };

/* ---- UAS: INVITE, reliable 1xx, 2xx ------------------------------------------------------------------------ */

static void rel_retx_cb(void *data)
{
	struct sip_sess *s = data;
	struct msgb *m;

	/* RFC 3262 §3: T1 doubling up to T2 (UDP: reliable transports deliver the first copy) */
	if (!s->rel1xx || !s->inv_st)
		return;
	m = sip_msgb_dup(s->rel1xx, "sip-rel1xx");
	if (m)
		sip_strans_respond(s->inv_st, s->rel1xx_status, m);
	ctr_inc(s->ua, SIP_SESS_CTR_REL1XX_RETX);
	s->rel_retx_ms = OSMO_MIN(2 * s->rel_retx_ms, tdef_ms(SIP_T2));
	sched_ms(&s->rel_retx, s->rel_retx_ms);
}

static void rel_giveup_cb(void *data)
{
	struct sip_sess *s = data;
	uint16_t status = 500;

	LOG_SESS(s, LOGL_NOTICE, "reliable 1xx RSeq %u not acknowledged in time: 500\n", s->rel1xx_rseq);
	osmo_timer_del(&s->rel_retx);
	s->end_cause = SIP_SESS_END_NO_PRACK;
	if (s->inv_st)
		respond(s, s->inv_st, status, "Reliable Provisional Response Not Acknowledged", NULL, NULL);
	osmo_fsm_inst_dispatch(s->fi, SIP_SESS_EV_TX_FAILURE, &status);
}

static bool sdp_has_precond(const char *sdp)
{
	/* RFC 3312 §5: preconditions are the a=curr / a=des lines */
	return sdp && (strstr(sdp, "a=des:") || strstr(sdp, "a=curr:"));
}

static int send_1xx(struct sip_sess *s, uint16_t status, const char *sdp, bool reliable)
{
	char *extra = NULL;
	struct msgb *m;
	int rc;

	if (reliable) {
		extra = talloc_asprintf(s, "Require: 100rel%s\r\nRSeq: %u\r\n",
					s->peer_precond && sdp_has_precond(sdp) ? ", precondition" : "", s->rseq + 1);
	} else if (s->peer_precond && sdp_has_precond(sdp)) {
		extra = talloc_strdup(s, "Require: precondition\r\n");
	}
	m = build_rsp(s, s->inv_st, status, NULL, sdp, extra);
	talloc_free(extra);
	if (!m)
		return -ENOMEM;
	if (reliable) {
		s->rel1xx = sip_msgb_dup(m, "sip-rel1xx");
		s->rel1xx_rseq = ++s->rseq;
		s->rel1xx_status = status;
		if (!s->rel1xx) {
			msgb_free(m);
			return -ENOMEM;
		}
	}
	rc = sip_strans_respond(s->inv_st, status, m);
	if (rc < 0)
		return rc;
	LOG_SESS(s, LOGL_DEBUG, "tx %u%s\n", status, reliable ? " reliably" : "");
	if (reliable) {
		s->rel_retx_ms = tdef_ms(SIP_T1);
		if (!sip_transport_reliable(sip_strans_source(s->inv_st)->proto))
			sched_ms(&s->rel_retx, s->rel_retx_ms);
		sched_ms(&s->rel_giveup, tdef_ms(SIP_T_PRACK));
	}
	/* offer/answer of the INVITE (RFC 3261 §13.2.1, RFC 3262 §5) */
	if (sdp && reliable) {
		if (s->oa == SIP_SESS_OA_REMOTE_OFFER) {
			set_str(s, &s->local_sdp, sdp);
			set_str(s, &s->remote_sdp, s->pending_remote);
			s->oa = SIP_SESS_OA_NONE;
			s->answered_reliably = true;
		} else if (s->oa == SIP_SESS_OA_NONE && !s->local_sdp) {
			set_str(s, &s->pending_local, sdp);	/* offerless INVITE: our offer, the PRACK answers */
			s->oa = SIP_SESS_OA_LOCAL_OFFER;
		}
	}
	return 0;
}

static int send_2xx(struct sip_sess *s, const char *sdp)
{
	char se_buf[SE_HDRS_BUF];
	const char *extra = NULL;
	const char *body = NULL;
	int rc;

	if (s->oa == SIP_SESS_OA_REMOTE_OFFER) {
		body = sdp;
	} else if (!s->answered_reliably && !s->local_sdp && s->oa == SIP_SESS_OA_NONE) {
		body = sdp;	/* offerless INVITE: our offer; the ACK answers */
	} else if (!s->answered_reliably && s->local_sdp) {
		body = s->local_sdp;
	}
	if (s->se)
		extra = se_hdrs(se_buf, s->se, s->we_refresh, s->peer_timer);
	rc = respond(s, s->inv_st, 200, NULL, body, extra);
	if (rc < 0)
		return rc;
	if (body && s->oa == SIP_SESS_OA_REMOTE_OFFER) {
		set_str(s, &s->local_sdp, body);
		set_str(s, &s->remote_sdp, s->pending_remote);
		s->oa = SIP_SESS_OA_NONE;
	} else if (body && s->oa == SIP_SESS_OA_NONE && !s->local_sdp) {
		set_str(s, &s->pending_local, body);
		s->oa = SIP_SESS_OA_LOCAL_OFFER;
	}
	osmo_fsm_inst_dispatch(s->fi, SIP_SESS_EV_TX_2XX, NULL);
	return 0;
}

/* The reliable 1xx got its PRACK: send what waited for it. */
static void rel1xx_acked(struct sip_sess *s)
{
	osmo_timer_del(&s->rel_retx);
	osmo_timer_del(&s->rel_giveup);
	if (s->rel1xx)
		msgb_free(s->rel1xx);
	s->rel1xx = NULL;
	if (s->rel_queued) {
		char *sdp = s->q_sdp;

		s->rel_queued = false;
		s->q_sdp = NULL;
		send_1xx(s, s->q_status, sdp, true);
		talloc_free(sdp);
		if (s->rel1xx)
			return;
	}
	if (s->accept_deferred && s->oa != SIP_SESS_OA_REMOTE_OFFER) {
		char *sdp = s->accept_sdp;

		s->accept_deferred = false;
		s->accept_sdp = NULL;
		send_2xx(s, sdp);
		talloc_free(sdp);
	}
}

/* ---- in-dialog requests ---------------------------------------------------------------------------------- */

static void st_terminated(void *priv, struct sip_strans *st)
{
	struct sip_sess *s = priv;

	if (s->inv_st == st)
		s->inv_st = NULL;
	if (s->offer_st == st)
		s->offer_st = NULL;
	if (s->reinv_st == st)
		s->reinv_st = NULL;
}

static void st_ack_timeout(void *priv, struct sip_strans *st)
{
	struct sip_sess *s = priv;

	if (st == s->inv_st || st == s->reinv_st)
		osmo_fsm_inst_dispatch(s->fi, SIP_SESS_EV_ACK_TIMEOUT, NULL);
}

static const struct sip_strans_ops st_ops = {
	.ack_timeout = st_ack_timeout,
	.terminated = st_terminated,
};

/* A pointer to st was dropped: once no field refers to it, it must not call us back (it outlives us). */
static void st_forget(struct sip_sess *s, struct sip_strans *st)
{
	if (st && st != s->inv_st && st != s->offer_st && st != s->reinv_st)
		sip_strans_set_ops(st, NULL, NULL);
}

/* RFC 4028 §9 for a refresh the peer sends (UPDATE, re-INVITE): the sender refreshes unless it says uas. */
static char *se_rx_refresh(struct sip_sess *s, const struct sip_msg *req)
{
	char se_buf[SE_HDRS_BUF];
	struct sip_session_expires se;

	if (s->ua->cfg->session_timer == SIP_EXT_DISABLED || sip_msg_session_expires(req, &se) < 0)
		return NULL;
	s->se = se.delta;
	s->we_refresh = se.refresher == SIP_SE_REFRESHER_UAS;
	se_start(s);
	return talloc_strdup(s, se_hdrs(se_buf, s->se, s->we_refresh, has_tag(req, "timer")));
}

static void rx_prack(struct sip_sess *s, struct sip_strans *st, const struct sip_msg *req)
{
	struct sip_sess_info info;
	struct sip_rack rack;

	/* RFC 3262 §3: RAck must name the unacknowledged reliable 1xx */
	if (sip_msg_rack(req, &rack) < 0 || !s->rel1xx || !s->inv_st || rack.rseq != s->rel1xx_rseq ||
	    rack.cseq != sip_strans_request(s->inv_st)->cseq.num || rack.method_id != SIP_METHOD_INVITE) {
		sip_strans_reply(st, 481, NULL, NULL);
		return;
	}
	info_fill(s, &info, req, &sip_strans_source(st)->remote);
	if (info.sdp.len && s->oa == SIP_SESS_OA_LOCAL_OFFER) {
		/* the answer to the offer of our reliable 1xx: the INVITE's offer/answer is complete */
		respond(s, st, 200, NULL, NULL, NULL);
		s->answered_reliably = true;
		got_answer(s, info.sdp, true, &info);
	} else if (info.sdp.len && s->oa == SIP_SESS_OA_NONE) {
		s->oa = SIP_SESS_OA_REMOTE_OFFER;
		set_str(s, &s->pending_remote, NULL);
		s->pending_remote = sdp_dup(s, info.sdp);
		s->offer_st = st;
		sip_strans_set_ops(st, &st_ops, s);
		if (s->ua->ops->offer)
			s->ua->ops->offer(s, s->priv, &info);
	} else {
		respond(s, st, 200, NULL, NULL, NULL);
	}
	rel1xx_acked(s);
}

/* UPDATE (RFC 3311 §5.2) and re-INVITE (RFC 3261 §14.2) received. */
static void rx_offer_req(struct sip_sess *s, struct sip_strans *st, const struct sip_msg *req)
{
	bool invite = req->method_id == SIP_METHOD_INVITE;
	struct sip_sess_info info;
	uint32_t r;
	char *extra;

	if (s->oa == SIP_SESS_OA_LOCAL_OFFER || (invite && s->reinv_ct)) {
		ctr_inc(s->ua, SIP_SESS_CTR_TX_491);
		sip_strans_reply(st, 491, NULL, NULL);	/* glare: our offer is outstanding */
		return;
	}
	if (s->oa == SIP_SESS_OA_REMOTE_OFFER || s->offer_st || (invite && s->reinv_st)) {
		/* RFC 3311 §5.2, RFC 3261 §14.2: the peer's earlier offer is still unanswered */
		r = rand32();
		extra = talloc_asprintf(s, "Retry-After: %u\r\n", r % 10);
		sip_strans_reply(st, 500, NULL, extra);
		talloc_free(extra);
		return;
	}
	if (invite && s->fi->state != SIP_SESS_ST_CONFIRMED) {
		ctr_inc(s->ua, SIP_SESS_CTR_TX_491);
		sip_strans_reply(st, 491, NULL, NULL);
		return;
	}
	sip_dialog_target_refresh(s->dlg, req);
	info_fill(s, &info, req, &sip_strans_source(st)->remote);
	extra = se_rx_refresh(s, req);
	if (!info.sdp.len && !invite) {
		/* a refresh without offer (RFC 4028 §10) */
		respond(s, st, 200, NULL, NULL, extra);
		talloc_free(extra);
		return;
	}
	talloc_free(extra);
	s->offer_st = st;
	if (invite)
		s->reinv_st = st;
	sip_strans_set_ops(st, &st_ops, s);
	if (info.sdp.len) {
		s->oa = SIP_SESS_OA_REMOTE_OFFER;
		set_str(s, &s->pending_remote, NULL);
		s->pending_remote = sdp_dup(s, info.sdp);
	}
	if (s->ua->ops->offer)
		s->ua->ops->offer(s, s->priv, &info);
	else
		sip_sess_reject_offer(s, 488);
}

static void rx_in_dialog(struct sip_sess *s, struct sip_strans *st)
{
	const struct sip_msg *req = sip_strans_request(st);
	struct sip_dialog *d = s->dlg;

	if (d && sip_dialog_rx_cseq(d, req) < 0) {
		ctr_inc(s->ua, SIP_SESS_CTR_TX_500_CSEQ);
		sip_strans_reply(st, 500, "CSeq Out of Order", NULL);	/* RFC 3261 §12.2.2 */
		return;
	}
	switch (req->method_id) {
	case SIP_METHOD_BYE:
		respond(s, st, 200, NULL, NULL, NULL);
		osmo_fsm_inst_dispatch(s->fi, SIP_SESS_EV_RX_BYE, (void *)req);
		break;
	case SIP_METHOD_PRACK:
		rx_prack(s, st, req);
		break;
	case SIP_METHOD_UPDATE:
	case SIP_METHOD_INVITE:
		rx_offer_req(s, st, req);
		break;
	case SIP_METHOD_OPTIONS:
		/* RFC 3261 §11: an OPTIONS inside the dialog (a liveness probe) */
		respond(s, st, 200, NULL, NULL, "Allow: INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, OPTIONS\r\n");
		break;
	default:
		sip_strans_reply(st, 405, NULL, "Allow: INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, OPTIONS\r\n");
		break;
	}
}

/* ---- our UPDATE / re-INVITE ------------------------------------------------------------------------------- */

static void offer_rsp(struct sip_sess *s, enum sip_method m, uint16_t status, const struct sip_msg *rsp)
{
	struct sip_sess_info info;
	bool refresh = s->refreshing;
	char *sdp = s->pending_local;

	s->refreshing = false;
	info_fill(s, &info, rsp, NULL);
	if (status < 300) {
		if (rsp)
			sip_dialog_target_refresh(s->dlg, rsp);
		if (s->ua->cfg->session_timer != SIP_EXT_DISABLED && rsp && s->se) {
			se_from_2xx(s, rsp);
			se_start(s);
		}
		if (s->oa == SIP_SESS_OA_LOCAL_OFFER && info.sdp.len)
			got_answer(s, info.sdp, true, &info);
		else if (s->oa == SIP_SESS_OA_LOCAL_OFFER)
			s->oa = SIP_SESS_OA_NONE;	/* a refresh without offer */
		return;
	}
	s->oa = SIP_SESS_OA_NONE;
	if (status == 491)
		ctr_inc(s->ua, SIP_SESS_CTR_RX_491);
	if (status == 491 && glare_backoff(s, m, refresh && m == SIP_METHOD_UPDATE ? NULL : sdp))
		return;
	if (status == 481 || status == 408) {
		/* RFC 3261 §12.2.1.2: the dialog is gone; an early one ends with the INVITE */
		switch (s->fi->state) {
		case SIP_SESS_ST_OUT_CALLING:
		case SIP_SESS_ST_OUT_EARLY:
			sip_sess_cancel(s, NULL);
			break;
		case SIP_SESS_ST_IN_PROCEEDING:
		case SIP_SESS_ST_IN_EARLY:
			s->end_cause = SIP_SESS_END_ERROR;
			sip_sess_reject(s, 500, NULL);
			break;
		default:
			if (status == 408)
				sess_bye(s, SIP_SESS_END_ERROR, NULL);
			else
				sess_end(s, SIP_SESS_END_ERROR, status, true, rsp, NULL);
			break;
		}
		return;
	}
	if (refresh) {
		se_start(s);
		return;
	}
	if (s->ua->ops->offer_failed)
		s->ua->ops->offer_failed(s, s->priv, status);
}

static void update_rsp(void *priv, struct sip_ctrans *ct, uint16_t status, const struct sip_msg *rsp)
{
	struct sip_sess *s = priv;

	if (status < 200 || ct != s->update_ct)
		return;
	detach_ct(&s->update_ct);
	offer_rsp(s, SIP_METHOD_UPDATE, status, rsp);
}

static const struct sip_ctrans_ops update_ops = { .response = update_rsp, .terminated = ct_terminated };

static void reinv_rsp(void *priv, struct sip_ctrans *ct, uint16_t status, const struct sip_msg *rsp)
{
	struct sip_sess *s = priv;

	if (status < 200)
		return;
	if (ct == s->reinv_done_ct) {
		if (status < 300)
			resend_ack(s);	/* a 2xx retransmission: our ACK was lost */
		return;
	}
	if (ct != s->reinv_ct)
		return;
	if (status < 300) {
		uint32_t cseq = rsp ? rsp->cseq.num : 0;

		/* kept (attached) until Timer M: its 2xx retransmissions get the ACK again */
		s->reinv_ct = NULL;
		detach_ct(&s->reinv_done_ct);
		s->reinv_done_ct = ct;
		send_ack(s, s->dlg, cseq, NULL);
	} else {
		detach_ct(&s->reinv_ct);
	}
	offer_rsp(s, SIP_METHOD_INVITE, status, rsp);
}

static const struct sip_ctrans_ops reinv_ops = { .response = reinv_rsp, .terminated = ct_terminated };

static int send_update(struct sip_sess *s, const char *sdp, bool refresh)
{
	if (!s->dlg || s->update_ct || s->reinv_ct || (sdp && s->oa != SIP_SESS_OA_NONE))
		return -EBUSY;
	s->update_ct = send_in_dialog(s, "UPDATE", sdp, NULL, &update_ops, true, true, NULL);
	if (!s->update_ct)
		return -EIO;
	s->refreshing = refresh;
	if (sdp) {
		set_str(s, &s->pending_local, sdp);
		s->oa = SIP_SESS_OA_LOCAL_OFFER;
	}
	return 0;
}

static int send_reinvite(struct sip_sess *s, const char *sdp, bool refresh)
{
	if (!s->dlg || s->fi->state != SIP_SESS_ST_CONFIRMED || s->update_ct || s->reinv_ct || s->reinv_st ||
	    s->oa != SIP_SESS_OA_NONE || !sdp)
		return -EBUSY;
	s->reinv_ct = send_in_dialog(s, "INVITE", sdp, NULL, &reinv_ops, true, true, NULL);
	if (!s->reinv_ct)
		return -EIO;
	s->refreshing = refresh;
	set_str(s, &s->pending_local, sdp);
	s->oa = SIP_SESS_OA_LOCAL_OFFER;
	return 0;
}

/* RFC 4028 §10: refresh by UPDATE (no offer) if the peer allows it, else by re-INVITE with our last SDP. */
static int sess_refresh(struct sip_sess *s)
{
	if (s->fi->state != SIP_SESS_ST_CONFIRMED)
		return -EBUSY;
	LOG_SESS(s, LOGL_DEBUG, "session refresh by %s\n", s->peer_update ? "UPDATE" : "re-INVITE");
	if (s->peer_update)
		return send_update(s, NULL, true);
	return send_reinvite(s, s->local_sdp, true);
}

/* ---- the FSM ---------------------------------------------------------------------------------------------- */

static void uac_rx_2xx(struct sip_sess *s, const struct sip_msg *rsp)
{
	struct sip_sess_info info;
	struct sip_str sdp = msg_sdp(rsp);
	/* an offerless INVITE whose offer comes in the 2xx: the ACK carries our answer (RFC 3261 §13.2.1) */
	bool offer = sdp.len && s->oa == SIP_SESS_OA_NONE && !s->local_sdp && !s->remote_sdp &&
		     s->fi->state != SIP_SESS_ST_OUT_CANCELLING;

	if (!uac_confirm(s, rsp, !offer)) {
		LOG_SESS(s, LOGL_NOTICE, "2xx without To tag\n");
		return;
	}
	peer_caps(s, rsp);
	if (s->fi->state == SIP_SESS_ST_OUT_CANCELLING) {
		/* RFC 3261 §9.1: the 200 crossed our CANCEL: the call exists now, so ACK and end it */
		LOG_SESS(s, LOGL_INFO, "200 crossed our CANCEL: ACK and BYE\n");
		sess_bye(s, SIP_SESS_END_CANCELLED, NULL);
		return;
	}
	info_fill(s, &info, rsp, &s->inv_dst.remote);
	if (s->ua->cfg->session_timer != SIP_EXT_DISABLED)
		se_from_2xx(s, rsp);
	sess_state(s, SIP_SESS_ST_CONFIRMED);
	if (offer) {
		s->oa = SIP_SESS_OA_REMOTE_OFFER;
		s->pending_remote = sdp_dup(s, sdp);
		s->ack_pending = true;
		if (s->ua->ops->offer)
			s->ua->ops->offer(s, s->priv, &info);
		return;	/* established once sip_sess_answer() sent the ACK */
	}
	got_answer(s, info.sdp, true, &info);
	if (s->oa == SIP_SESS_OA_LOCAL_OFFER)
		s->oa = SIP_SESS_OA_NONE;	/* a 2xx without the answer: a broken peer; do not block offers */
	ctr_inc(s->ua, SIP_SESS_CTR_ESTABLISHED);
	if (s->ua->ops->established)
		s->ua->ops->established(s, s->priv, &info);
	if (!s->ended)
		se_start(s);
}

static void st_init(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct sip_sess *s = fi->priv;

	switch (event) {
	case SIP_SESS_EV_TX_INVITE:
		sess_state(s, SIP_SESS_ST_OUT_CALLING);
		break;
	case SIP_SESS_EV_RX_INVITE:
		sess_state(s, SIP_SESS_ST_IN_PROCEEDING);
		break;
	}
}

static void st_out(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct sip_sess *s = fi->priv;
	const struct sip_sess_rsp *r = data;

	switch (event) {
	case SIP_SESS_EV_RX_1XX:
		if (fi->state == SIP_SESS_ST_OUT_CALLING)
			sess_state(s, SIP_SESS_ST_OUT_EARLY);
		uac_rx_1xx(s, data);
		break;
	case SIP_SESS_EV_RX_2XX:
		uac_rx_2xx(s, data);
		break;
	case SIP_SESS_EV_RX_FAILURE:
		sess_end(s, SIP_SESS_END_REJECTED, r->status, true, r->msg, &s->inv_dst.remote);
		break;
	case SIP_SESS_EV_TX_CANCEL:
		/* RFC 3261 §9.1: no CANCEL before a provisional response; T_B bounds the wait for the 487 */
		osmo_fsm_inst_state_chg_ms(fi, SIP_SESS_ST_OUT_CANCELLING, tdef_ms(SIP_TB), 0);
		if (s->got_1xx && s->inv_ct) {
			s->cancel_sent = true;
			s->cancel_ct = sip_ctrans_cancel_hdrs(s->inv_ct, s->cancel_reason, &cancel_ops, s);
		}
		break;
	case SIP_SESS_EV_RX_BYE:
		sess_end(s, SIP_SESS_END_BYE, 0, true, data, NULL);
		break;
	}
}

static void st_out_cancelling(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct sip_sess *s = fi->priv;
	const struct sip_sess_rsp *r = data;

	switch (event) {
	case SIP_SESS_EV_TX_CANCEL:
		if (!s->cancel_sent && s->inv_ct) {
			s->cancel_sent = true;
			s->cancel_ct = sip_ctrans_cancel_hdrs(s->inv_ct, s->cancel_reason, &cancel_ops, s);
		}
		break;
	case SIP_SESS_EV_RX_1XX:
		uac_rx_1xx(s, data);
		break;
	case SIP_SESS_EV_RX_2XX:
		uac_rx_2xx(s, data);
		break;
	case SIP_SESS_EV_RX_FAILURE:
		sess_end(s, SIP_SESS_END_CANCELLED, r->status, false, r->msg, &s->inv_dst.remote);
		break;
	case SIP_SESS_EV_RX_BYE:
		sess_end(s, SIP_SESS_END_CANCELLED, 0, false, data, NULL);
		break;
	case SIP_SESS_EV_TX_BYE:
		sess_state(s, SIP_SESS_ST_TERMINATING);
		break;
	}
}

static void st_in(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct sip_sess *s = fi->priv;

	switch (event) {
	case SIP_SESS_EV_TX_1XX:
		if (fi->state == SIP_SESS_ST_IN_PROCEEDING)
			sess_state(s, SIP_SESS_ST_IN_EARLY);
		break;
	case SIP_SESS_EV_TX_2XX:
		osmo_timer_del(&s->rel_retx);
		osmo_timer_del(&s->rel_giveup);
		sess_state(s, SIP_SESS_ST_IN_WAIT_ACK);
		break;
	case SIP_SESS_EV_TX_FAILURE:
		sess_end(s, s->end_cause == SIP_SESS_END_NO_PRACK || s->end_cause == SIP_SESS_END_ERROR ?
			 s->end_cause : SIP_SESS_END_REJECTED, *(uint16_t *)data, false, NULL, NULL);
		break;
	case SIP_SESS_EV_RX_CANCEL:
		/* data: the CANCEL, whose Reason (RFC 3326) the upper layer maps to a cause */
		if (s->inv_st)
			respond(s, s->inv_st, 487, NULL, NULL, NULL);
		sess_end(s, SIP_SESS_END_CANCELLED, 487, true, data, &s->inv_dst.remote);
		break;
	case SIP_SESS_EV_RX_BYE:
		/* RFC 3261 §15.1.2: BYE in an early dialog ends the INVITE with 487 */
		if (s->inv_st)
			respond(s, s->inv_st, 487, NULL, NULL, NULL);
		sess_end(s, SIP_SESS_END_BYE, 0, true, data, NULL);
		break;
	}
}

static void st_in_wait_ack(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct sip_sess *s = fi->priv;
	const struct sip_msg *ack = data;
	struct sip_sess_info info;

	switch (event) {
	case SIP_SESS_EV_RX_ACK:
		info_fill(s, &info, ack, NULL);
		sess_state(s, SIP_SESS_ST_CONFIRMED);
		sip_dialog_confirm(s->dlg, NULL);
		got_answer(s, info.sdp, true, &info);
		ctr_inc(s->ua, SIP_SESS_CTR_ESTABLISHED);
		if (s->ua->ops->established)
			s->ua->ops->established(s, s->priv, &info);
		if (s->ended)
			break;
		if (s->bye_after_ack)
			sess_bye(s, SIP_SESS_END_BYE, &(struct sip_identity_out){ .q850_cause = s->id_out.q850_cause,
									 .sip_cause = s->id_out.sip_cause });
		else
			se_start(s);
		break;
	case SIP_SESS_EV_ACK_TIMEOUT:
		LOG_SESS(s, LOGL_NOTICE, "no ACK for our 2xx: BYE\n");
		sip_dialog_confirm(s->dlg, NULL);
		sess_bye(s, SIP_SESS_END_NO_ACK, NULL);
		break;
	case SIP_SESS_EV_RX_BYE:
		sess_end(s, SIP_SESS_END_BYE, 0, true, data, NULL);
		break;
	case SIP_SESS_EV_TX_BYE:
		sess_state(s, SIP_SESS_ST_TERMINATING);
		break;
	}
}

static void st_confirmed(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct sip_sess *s = fi->priv;
	const struct sip_msg *msg = data;
	struct sip_sess_info info;

	switch (event) {
	case SIP_SESS_EV_RX_2XX:
		if (s->dlg && sip_str_eq(msg->to_tag, s->dlg->remote_tag))
			resend_ack(s);	/* §13.2.2.4: every 2xx retransmission gets the ACK */
		else
			uac_extra_2xx(s, msg);
		break;
	case SIP_SESS_EV_RX_ACK:
		/* the ACK of a re-INVITE we accepted; it carries the answer if the re-INVITE had no offer */
		if (!s->reinv_st || msg->cseq.num != sip_strans_request(s->reinv_st)->cseq.num)
			break;
		{
			struct sip_strans *st = s->reinv_st;

			s->reinv_st = NULL;
			st_forget(s, st);
		}
		info_fill(s, &info, msg, NULL);
		got_answer(s, info.sdp, true, &info);
		break;
	case SIP_SESS_EV_ACK_TIMEOUT:
		sess_bye(s, SIP_SESS_END_NO_ACK, NULL);
		break;
	case SIP_SESS_EV_RX_BYE:
		sess_end(s, SIP_SESS_END_BYE, 0, true, msg, NULL);
		break;
	case SIP_SESS_EV_TX_BYE:
		sess_state(s, SIP_SESS_ST_TERMINATING);
		break;
	}
}

static void st_terminating(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct sip_sess *s = fi->priv;

	switch (event) {
	case SIP_SESS_EV_BYE_DONE:
		sess_end(s, s->end_cause, *(uint16_t *)data, false, NULL, NULL);
		break;
	case SIP_SESS_EV_RX_BYE:
		sess_end(s, s->end_cause, 0, false, data, NULL);	/* BYEs crossed */
		break;
	case SIP_SESS_EV_RX_2XX:
		resend_ack(s);
		break;
	}
}

static int sess_timer_cb(struct osmo_fsm_inst *fi)
{
	struct sip_sess *s = fi->priv;

	/* OUT_CANCELLING: neither 487 nor 2xx came (RFC 3261 §9.1 allows giving up after 64*T1) */
	sess_end(s, SIP_SESS_END_CANCELLED, 408, false, NULL, NULL);
	return 0;
}

#define S(x) (1 << (x))

static const struct osmo_fsm_state sess_states[] = {
	[SIP_SESS_ST_INIT] = {
		.name = "INIT",
		.in_event_mask = S(SIP_SESS_EV_TX_INVITE) | S(SIP_SESS_EV_RX_INVITE),
		.out_state_mask = S(SIP_SESS_ST_OUT_CALLING) | S(SIP_SESS_ST_IN_PROCEEDING) | S(SIP_SESS_ST_TERMINATED),
		.action = st_init,
	},
	[SIP_SESS_ST_OUT_CALLING] = {
		.name = "OUT_CALLING",
		.in_event_mask = S(SIP_SESS_EV_RX_1XX) | S(SIP_SESS_EV_RX_2XX) | S(SIP_SESS_EV_RX_FAILURE) |
				 S(SIP_SESS_EV_TX_CANCEL) | S(SIP_SESS_EV_RX_BYE),
		.out_state_mask = S(SIP_SESS_ST_OUT_EARLY) | S(SIP_SESS_ST_OUT_CANCELLING) | S(SIP_SESS_ST_CONFIRMED) |
				  S(SIP_SESS_ST_TERMINATING) | S(SIP_SESS_ST_TERMINATED),
		.action = st_out,
	},
	[SIP_SESS_ST_OUT_EARLY] = {
		.name = "OUT_EARLY",
		.in_event_mask = S(SIP_SESS_EV_RX_1XX) | S(SIP_SESS_EV_RX_2XX) | S(SIP_SESS_EV_RX_FAILURE) |
				 S(SIP_SESS_EV_TX_CANCEL) | S(SIP_SESS_EV_RX_BYE),
		.out_state_mask = S(SIP_SESS_ST_OUT_CANCELLING) | S(SIP_SESS_ST_CONFIRMED) |
				  S(SIP_SESS_ST_TERMINATING) | S(SIP_SESS_ST_TERMINATED),
		.action = st_out,
	},
	[SIP_SESS_ST_OUT_CANCELLING] = {
		.name = "OUT_CANCELLING",
		.in_event_mask = S(SIP_SESS_EV_TX_CANCEL) | S(SIP_SESS_EV_RX_1XX) | S(SIP_SESS_EV_RX_2XX) |
				 S(SIP_SESS_EV_RX_FAILURE) | S(SIP_SESS_EV_RX_BYE) | S(SIP_SESS_EV_TX_BYE),
		.out_state_mask = S(SIP_SESS_ST_TERMINATING) | S(SIP_SESS_ST_TERMINATED),
		.action = st_out_cancelling,
	},
	[SIP_SESS_ST_IN_PROCEEDING] = {
		.name = "IN_PROCEEDING",
		.in_event_mask = S(SIP_SESS_EV_TX_1XX) | S(SIP_SESS_EV_TX_2XX) | S(SIP_SESS_EV_TX_FAILURE) |
				 S(SIP_SESS_EV_RX_CANCEL) | S(SIP_SESS_EV_RX_BYE),
		.out_state_mask = S(SIP_SESS_ST_IN_EARLY) | S(SIP_SESS_ST_IN_WAIT_ACK) | S(SIP_SESS_ST_TERMINATED),
		.action = st_in,
	},
	[SIP_SESS_ST_IN_EARLY] = {
		.name = "IN_EARLY",
		.in_event_mask = S(SIP_SESS_EV_TX_1XX) | S(SIP_SESS_EV_TX_2XX) | S(SIP_SESS_EV_TX_FAILURE) |
				 S(SIP_SESS_EV_RX_CANCEL) | S(SIP_SESS_EV_RX_BYE),
		.out_state_mask = S(SIP_SESS_ST_IN_WAIT_ACK) | S(SIP_SESS_ST_TERMINATED),
		.action = st_in,
	},
	[SIP_SESS_ST_IN_WAIT_ACK] = {
		.name = "IN_WAIT_ACK",
		.in_event_mask = S(SIP_SESS_EV_RX_ACK) | S(SIP_SESS_EV_ACK_TIMEOUT) | S(SIP_SESS_EV_RX_BYE) |
				 S(SIP_SESS_EV_TX_BYE),
		.out_state_mask = S(SIP_SESS_ST_CONFIRMED) | S(SIP_SESS_ST_TERMINATING) | S(SIP_SESS_ST_TERMINATED),
		.action = st_in_wait_ack,
	},
	[SIP_SESS_ST_CONFIRMED] = {
		.name = "CONFIRMED",
		.in_event_mask = S(SIP_SESS_EV_RX_2XX) | S(SIP_SESS_EV_RX_ACK) | S(SIP_SESS_EV_ACK_TIMEOUT) |
				 S(SIP_SESS_EV_RX_BYE) | S(SIP_SESS_EV_TX_BYE),
		.out_state_mask = S(SIP_SESS_ST_TERMINATING) | S(SIP_SESS_ST_TERMINATED),
		.action = st_confirmed,
	},
	[SIP_SESS_ST_TERMINATING] = {
		.name = "TERMINATING",
		.in_event_mask = S(SIP_SESS_EV_BYE_DONE) | S(SIP_SESS_EV_RX_BYE) | S(SIP_SESS_EV_RX_2XX),
		.out_state_mask = S(SIP_SESS_ST_TERMINATED),
		.action = st_terminating,
	},
	[SIP_SESS_ST_TERMINATED] = {
		.name = "TERMINATED",
	},
};

static struct osmo_fsm sip_sess_fsm = {
	.name = "sip_sess",
	.states = sess_states,
	.num_states = ARRAY_SIZE(sess_states),
	.event_names = sip_sess_event_names,
	.log_subsys = DSIP,
	.cleanup = sess_cleanup,
	.timer_cb = sess_timer_cb,
};

static __attribute__((constructor)) void sip_sess_fsm_register(void)
{
	OSMO_ASSERT(osmo_fsm_register(&sip_sess_fsm) == 0);
}

/* ---- the UA: core hooks and request handlers -------------------------------------------------------------- */

/* The instance id "in-<Call-ID>" / "out-<Call-ID>" with the characters an id may not have replaced by '-', as
 * osmo_fsm_inst_update_id_f_sanitize() would write it, without formatting through printf. */
static void sess_set_id(struct osmo_fsm_inst *fi, bool uac, struct sip_str call_id)
{
	const char *pfx = uac ? "out-" : "in-";
	size_t n = strlen(pfx);
	char *id = talloc_size(fi, n + call_id.len + 1);

	if (!id)
		return;
	memcpy(id, pfx, n);
	memcpy(id + n, sip_str_nn(call_id).p, call_id.len);
	id[n + call_id.len] = '\0';
	osmo_identifier_sanitize_buf(id, NULL, '-');
	osmo_fsm_inst_update_id(fi, id);
	talloc_free(id);
}

static struct osmo_fsm_inst *sess_named(struct sip_sess *s)
{
	if (!s->fi->id)
		sess_set_id(s->fi, s->uac, sip_str_c(s->call_id));
	return s->fi;
}

/* A basic call's session strings (Call-ID, tags, URIs, the dialog and its strings, header lines being built):
 * from a pool of the session's own, one malloc instead of one each */
#define SESS_POOL_OBJECTS 16
#define SESS_POOL_BYTES 1536

/* The instance is named "in-"/"out-" and the Call-ID at once only when the FSM's own debug lines are logged;
 * otherwise at its first LOG_SESS(): most sessions are never logged about, and naming one (its id checked,
 * copied and formatted into the name) was a sizeable part of a session's set-up. */
static struct sip_sess *sess_alloc(struct sip_sess_ua *ua, bool uac, struct sip_str call_id)
{
	struct osmo_fsm_inst *fi = osmo_fsm_inst_alloc(&sip_sess_fsm, ua, NULL, LOGL_DEBUG, NULL);
	struct sip_sess *s;

	if (!fi)
		return NULL;
	s = talloc_pooled_object(fi, struct sip_sess, SESS_POOL_OBJECTS, SESS_POOL_BYTES);
	if (!s) {
		osmo_fsm_inst_free(fi);
		return NULL;
	}
	memset(s, 0, sizeof(*s));
	fi->priv = s;
	s->fi = fi;
	s->ua = ua;
	s->uac = uac;
	s->own_call_id = uac;
	s->call_id = talloc_strndup(s, call_id.p, call_id.len);
	INIT_LLIST_HEAD(&s->early);
	osmo_timer_setup(&s->rel_retx, rel_retx_cb, s);
	osmo_timer_setup(&s->rel_giveup, rel_giveup_cb, s);
	osmo_timer_setup(&s->glare, glare_cb, s);
	osmo_timer_setup(&s->se_timer, se_timer_cb, s);
	if (log_check_level(sip_sess_fsm.log_subsys, LOGL_DEBUG))
		sess_set_id(fi, uac, call_id);
	llist_add_tail(&s->entry, &ua->sessions);
	sip_htab_add(&ua->by_callid, &s->cnode, sip_hash(call_id));
	ua->count++;
	return s;
}

/* The session and dialog a request with To tag belongs to (confirmed, or one of the early dialogs). */
static struct sip_sess *sess_find(struct sip_sess_ua *ua, const struct sip_msg *req)
{
	struct sip_sess *s;
	struct sip_dialog *d;

	sip_htab_for_each(s, &ua->by_callid, sip_hash(req->call_id), cnode) {
		if (s->ended)
			continue;
		if (s->dlg && sip_dialog_matches(s->dlg, req))
			return s;
		llist_for_each_entry(d, &s->early, list) {
			if (sip_dialog_matches(d, req)) {
				s->dlg = d;
				return s;
			}
		}
	}
	return NULL;
}

static int ua_in_dialog(void *priv, struct sip_strans *st)
{
	struct sip_sess *s = sess_find(priv, sip_strans_request(st));

	if (!s)
		return -ENOENT;
	rx_in_dialog(s, st);
	return 0;
}

static void ua_ack(void *priv, const struct sip_rx *rx)
{
	struct sip_sess *s = sess_find(priv, rx->msg);

	if (!s || (s->fi->state != SIP_SESS_ST_IN_WAIT_ACK && s->fi->state != SIP_SESS_ST_CONFIRMED))
		return;
	if (s->fi->state == SIP_SESS_ST_IN_WAIT_ACK &&
	    (!s->inv_st || rx->msg->cseq.num != sip_strans_request(s->inv_st)->cseq.num))
		return;
	osmo_fsm_inst_dispatch(s->fi, SIP_SESS_EV_RX_ACK, rx->msg);
}

static void ua_cancel(void *priv, struct sip_strans *inv)
{
	struct sip_sess_ua *ua = priv;
	struct sip_sess *s;

	sip_htab_for_each(s, &ua->by_callid, sip_hash(sip_strans_request(inv)->call_id), cnode) {
		if (s->inv_st == inv && !s->ended) {
			osmo_fsm_inst_dispatch(s->fi, SIP_SESS_EV_RX_CANCEL,
					       (void *)sip_core_cancel_request(ua->core));
			return;
		}
	}
	sip_strans_reply(inv, 487, NULL, NULL);
}

static uint16_t ua_options_status(void *priv, uint32_t *retry_after_s)
{
	struct sip_sess_ua *ua = priv;

	return ua->ops->options_status ? ua->ops->options_status(ua->priv, retry_after_s) : 200;
}

static const struct sip_core_ops ua_core_ops = {
	.in_dialog = ua_in_dialog,
	.ack = ua_ack,
	.cancel = ua_cancel,
	.options_status = ua_options_status,
};

/* RFC 4028 §9: the interval and refresher for a new INVITE; 422 if its Session-Expires is too small. */
static int uas_session_timer(struct sip_sess *s, const struct sip_msg *req, uint32_t *min_needed)
{
	const struct sip_cfg *c = s->ua->cfg;
	/* RFC 4028 §4 sets 90 s as the smallest Min-SE; the configuration checks it, tests may go lower */
	uint32_t floor = c->min_se_s ? c->min_se_s : 90;
	struct sip_session_expires se, min_se;
	bool uac_refreshes;

	s->se = 0;
	if (c->session_timer == SIP_EXT_DISABLED)
		return 0;
	if (sip_msg_session_expires(req, &se) == 0) {
		if (se.delta < floor) {
			*min_needed = floor;
			return -ERANGE;
		}
		s->se = se.delta;
		if (c->session_expires_s >= floor && c->session_expires_s < s->se)
			s->se = c->session_expires_s;
		if (sip_msg_min_se(req, &min_se) == 0 && min_se.delta > s->se)
			s->se = min_se.delta;
		if (se.refresher != SIP_SE_REFRESHER_NONE)
			uac_refreshes = se.refresher == SIP_SE_REFRESHER_UAC;
		else
			uac_refreshes = s->peer_timer && c->refresher != SIP_REFRESHER_UAS;
	} else {
		s->se = c->session_expires_s;
		uac_refreshes = s->peer_timer && c->refresher == SIP_REFRESHER_UAC;
	}
	/* a UAC without "timer" cannot refresh (§9) */
	s->we_refresh = !uac_refreshes || !s->peer_timer;
	return 0;
}

static void ua_reply(struct sip_strans *st, uint16_t status, const char *reason, const char *extra)
{
	LOGP(DSIP, LOGL_INFO, "INVITE %.*s: %u\n", SIP_STR_FMT(sip_strans_request(st)->call_id), status);
	sip_strans_reply(st, status, reason, extra);
}

static void on_invite(void *priv, struct sip_strans *st)
{
	struct sip_sess_ua *ua = priv;
	const struct sip_cfg *c = ua->cfg;
	const struct sip_msg *req = sip_strans_request(st);
	const struct sip_addr *src = sip_strans_source(st);
	struct sip_sess_info info;
	struct sip_sess *s;
	uint32_t min_needed = 0;
	char extra[64];

	/* RFC 3261 §21.4.16: what our policy requires and the request does not support */
	if (c->rel100 == SIP_EXT_REQUIRED && !has_tag(req, "100rel")) {
		ctr_inc(ua, SIP_SESS_CTR_TX_421);
		sip_core_reply_421(ua->core, st, "100rel");
		return;
	}
	if (c->precondition == SIP_EXT_REQUIRED && !has_tag(req, "precondition")) {
		ctr_inc(ua, SIP_SESS_CTR_TX_421);
		sip_core_reply_421(ua->core, st, "precondition");
		return;
	}
	if (c->session_timer == SIP_EXT_REQUIRED && !has_tag(req, "timer")) {
		ctr_inc(ua, SIP_SESS_CTR_TX_421);
		sip_core_reply_421(ua->core, st, "timer");
		return;
	}
	if (req->body.len && !msg_sdp(req).len) {
		ua_reply(st, 415, NULL, "Accept: application/sdp\r\n");
		return;
	}
	s = sess_alloc(ua, false, req->call_id);
	if (!s) {
		ua_reply(st, 500, NULL, NULL);
		return;
	}
	s->ended = true;	/* no ended report until the upper layer knows the session */
	s->peer_timer = has_tag(req, "timer");
	if (uas_session_timer(s, req, &min_needed) < 0) {
		snprintf(extra, sizeof(extra), "Min-SE: %u\r\n", min_needed);
		ctr_inc(ua, SIP_SESS_CTR_TX_422);
		ua_reply(st, 422, NULL, extra);	/* RFC 4028 §8.1 */
		osmo_fsm_inst_term(s->fi, OSMO_FSM_TERM_REGULAR, NULL);
		return;
	}
	s->local_tag = talloc_strdup(s, sip_strans_to_tag(st));
	s->dlg = sip_dialog_uas_create(s, req, s->local_tag,
				       src->proto == SIP_TRANSPORT_TLS && sip_str_caseeq(req->ruri.len >= 5 ?
					       (struct sip_str){ req->ruri.p, 5 } : req->ruri, "sips:"));
	if (!s->dlg) {
		ua_reply(st, 400, "Missing or Bad Contact", NULL);
		osmo_fsm_inst_term(s->fi, OSMO_FSM_TERM_REGULAR, NULL);
		return;
	}
	s->ended = false;
	s->inv_st = st;
	sip_strans_set_ops(st, &st_ops, s);
	s->inv_dst = *src;
	s->dst_trusted = sip_identity_trusted(c, &src->remote);
	s->local_uri = talloc_strdup(s, s->dlg->local_uri);
	s->remote_uri = talloc_strdup(s, s->dlg->remote_uri);
	s->peer_100rel = c->rel100 != SIP_EXT_DISABLED && has_tag(req, "100rel");
	s->peer_100rel_required = s->peer_100rel && sip_msg_has_option_tag(req, SIP_HDR_REQUIRE, "100rel");
	s->peer_precond = c->precondition != SIP_EXT_DISABLED && has_tag(req, "precondition");
	s->peer_update = sip_msg_allows(req, SIP_METHOD_UPDATE);
	info_fill(s, &info, req, &src->remote);
	if (info.sdp.len) {
		s->oa = SIP_SESS_OA_REMOTE_OFFER;
		s->pending_remote = sdp_dup(s, info.sdp);
	}
	LOG_SESS(s, LOGL_INFO, "rx INVITE %.*s from %s%s\n", SIP_STR_FMT(req->ruri), osmo_sockaddr_to_str(&src->remote),
		 info.sdp.len ? " with offer" : " without offer");
	ctr_inc(ua, SIP_SESS_CTR_IN);
	osmo_fsm_inst_dispatch(s->fi, SIP_SESS_EV_RX_INVITE, NULL);
	if (ua->ops->incoming)
		ua->ops->incoming(ua->priv, s, &info);
	else
		sip_sess_reject(s, 603, NULL);
}

static void on_no_dialog(void *priv, struct sip_strans *st)
{
	/* BYE, PRACK, UPDATE without To tag: no dialog to belong to (RFC 3261 §12.2.2) */
	sip_strans_reply(st, 481, NULL, NULL);
}

struct sip_sess_ua *sip_sess_ua_alloc(void *ctx, const struct sip_cfg *cfg, const struct sip_sess_ops *ops,
				      void *priv)
{
	static unsigned int idx;
	struct sip_sess_ua *ua = talloc_zero(ctx, struct sip_sess_ua);
	unsigned int n = 0;

	if (!ua)
		return NULL;
	ua->cfg = cfg;
	ua->ops = ops;
	ua->priv = priv;
	INIT_LLIST_HEAD(&ua->sessions);
	ua->ctrs = rate_ctr_group_alloc(ua, &sip_sess_ctrg_desc, idx++);
	ua->core = sip_core_alloc(ua, cfg, &ua_core_ops, ua);
	if (!ua->core || !ua->ctrs || sip_htab_init(&ua->by_callid, ua, SESS_HASH) < 0) {
		sip_core_free(ua->core);
		if (ua->ctrs)
			rate_ctr_group_free(ua->ctrs);
		talloc_free(ua);
		return NULL;
	}
	if (cfg->rel100 != SIP_EXT_DISABLED)
		ua->supported[n++] = "100rel";
	if (cfg->precondition != SIP_EXT_DISABLED)
		ua->supported[n++] = "precondition";
	if (cfg->session_timer != SIP_EXT_DISABLED)
		ua->supported[n++] = "timer";
	ua->supported[n] = NULL;
	sip_core_set_supported(ua->core, ua->supported);
	sip_core_register(ua->core, SIP_METHOD_INVITE, on_invite, ua);
	sip_core_register(ua->core, SIP_METHOD_BYE, on_no_dialog, ua);
	sip_core_register(ua->core, SIP_METHOD_PRACK, on_no_dialog, ua);
	sip_core_register(ua->core, SIP_METHOD_UPDATE, on_no_dialog, ua);
	ua->nhs = sip_nexthops_alloc(ua, ua->core, cfg);
	if (!ua->nhs) {
		sip_sess_ua_free(ua);
		return NULL;
	}
	return ua;
}

void sip_sess_ua_free(struct sip_sess_ua *ua)
{
	struct sip_sess *s, *tmp;

	if (!ua)
		return;
	llist_for_each_entry_safe(s, tmp, &ua->sessions, entry) {
		s->ended = true;
		osmo_fsm_inst_term(s->fi, OSMO_FSM_TERM_PARENT, NULL);
	}
	sip_nexthops_free(ua->nhs);
	sip_core_free(ua->core);
	rate_ctr_group_free(ua->ctrs);
	talloc_free(ua);
}

struct sip_core *sip_sess_ua_core(struct sip_sess_ua *ua)
{
	return ua->core;
}

struct sip_nexthops *sip_sess_ua_nexthops(struct sip_sess_ua *ua)
{
	return ua->nhs;
}

unsigned int sip_sess_ua_count(const struct sip_sess_ua *ua)
{
	return ua->count;
}

void sip_sess_ua_set_contact(struct sip_sess_ua *ua, const char *host, uint16_t port)
{
	talloc_free(ua->contact_host);
	ua->contact_host = host ? talloc_strdup(ua, host) : NULL;
	ua->contact_port = port;
}

/* ---- the API down ------------------------------------------------------------------------------------------ */

static char *name_addr(void *ctx, const char *s)
{
	return strchr(s, '<') ? talloc_strdup(ctx, s) : talloc_asprintf(ctx, "<%s>", s);
}

struct sip_sess *sip_sess_invite(struct sip_sess_ua *ua, const struct sip_sess_invite_req *req, void *priv)
{
	const struct sip_cfg *c = ua->cfg;
	char tag[SIP_TAG_BUF], cid[SIP_TAG_BUF];
	struct sip_sess *s;
	char *call_id;

	if (!req->ruri || !req->from || sip_gen_tag(cid, sizeof(cid)) < 0 ||
	    sip_gen_tag(tag, sizeof(tag)) < 0)
		return NULL;
	call_id = talloc_asprintf(ua, "%s@%s", cid, c->domain ? c->domain : "mgcf");
	if (!call_id)
		return NULL;
	s = sess_alloc(ua, true, sip_str_c(call_id));
	talloc_free(call_id);
	if (!s)
		return NULL;
	s->priv = priv;
	s->local_tag = talloc_strdup(s, tag);
	s->local_uri = name_addr(s, req->from);
	s->remote_uri = name_addr(s, req->to ? req->to : req->ruri);
	s->ruri = talloc_strdup(s, req->ruri);
	s->inv_sdp = req->sdp ? talloc_strdup(s, req->sdp) : NULL;
	if (req->id) {
		s->id_out = *req->id;
		s->id_out.pai = req->id->pai ? talloc_strdup(s, req->id->pai) : NULL;
		s->id_out.pai_tel = req->id->pai_tel ? talloc_strdup(s, req->id->pai_tel) : NULL;
	}
	s->inv_cseq = 1;
	s->se_req = c->session_timer != SIP_EXT_DISABLED ? c->session_expires_s : 0;
	if (req->sdp) {
		s->oa = SIP_SESS_OA_LOCAL_OFFER;
		s->pending_local = talloc_strdup(s, req->sdp);
	}
	if (req->dst) {
		s->inv_dst = *req->dst;
	} else if (sip_nexthops_count(ua->nhs)) {
		s->use_nexthops = true;
		if (sip_nexthop_select(ua->nhs, &s->tried_hops, &s->inv_dst, &s->hop) < 0)
			goto fail;
	} else if (sip_core_uri_dst(sip_str_c(req->ruri), &s->inv_dst) < 0) {
		goto fail;
	}
	if (send_invite(s) < 0)
		goto fail;
	ctr_inc(ua, SIP_SESS_CTR_OUT);
	osmo_fsm_inst_dispatch(s->fi, SIP_SESS_EV_TX_INVITE, NULL);
	return s;
fail:
	s->ended = true;
	osmo_fsm_inst_term(s->fi, OSMO_FSM_TERM_ERROR, NULL);
	return NULL;
}

static bool uas_unanswered(const struct sip_sess *s)
{
	return s->fi->state == SIP_SESS_ST_IN_PROCEEDING || s->fi->state == SIP_SESS_ST_IN_EARLY;
}

int sip_sess_progress(struct sip_sess *s, uint16_t status, const char *sdp, bool reliable)
{
	int rc;

	if (!uas_unanswered(s) || !s->inv_st || status <= 100 || status >= 200 || s->accept_deferred)
		return -EINVAL;
	reliable = (reliable && s->peer_100rel) || s->peer_100rel_required;
	if (reliable && s->rel1xx) {
		/* RFC 3262 §3: one unacknowledged reliable 1xx at a time */
		s->rel_queued = true;
		s->q_status = status;
		set_str(s, &s->q_sdp, sdp);
		return 0;
	}
	rc = send_1xx(s, status, sdp, reliable);
	if (rc < 0)
		return rc;
	osmo_fsm_inst_dispatch(s->fi, SIP_SESS_EV_TX_1XX, NULL);
	return 0;
}

int sip_sess_accept(struct sip_sess *s, const char *sdp)
{
	if (!uas_unanswered(s) || !s->inv_st)
		return -EINVAL;
	if (s->rel1xx || s->rel_queued || s->offer_st) {
		/* RFC 3262 §3: the 2xx waits for the PRACK of the reliable 1xx */
		s->accept_deferred = true;
		set_str(s, &s->accept_sdp, sdp);
		LOG_SESS(s, LOGL_DEBUG, "200 deferred until the PRACK\n");
		return 0;
	}
	return send_2xx(s, sdp);
}

static char *reason_hdrs(void *ctx, const struct sip_identity_out *id)
{
	char *s = talloc_strdup(ctx, "");

	if (id && id->q850_cause > 0)
		s = talloc_asprintf_append(s, "Reason: Q.850;cause=%d\r\n", id->q850_cause);
	if (s && id && id->sip_cause > 0)
		s = talloc_asprintf_append(s, "Reason: SIP;cause=%d\r\n", id->sip_cause);
	return s;
}

int sip_sess_reject(struct sip_sess *s, uint16_t status, const struct sip_identity_out *id)
{
	return sip_sess_reject_retry(s, status, id, 0);
}

int sip_sess_reject_retry(struct sip_sess *s, uint16_t status, const struct sip_identity_out *id,
			  uint32_t retry_after_s)
{
	char *extra;

	if (!uas_unanswered(s) || !s->inv_st || status < 300 || status > 699)
		return -EINVAL;
	extra = reason_hdrs(s, id);
	if (extra && retry_after_s)
		extra = talloc_asprintf_append(extra, "Retry-After: %" PRIu32 "\r\n", retry_after_s);
	respond(s, s->inv_st, status, NULL, NULL, extra);
	talloc_free(extra);
	osmo_fsm_inst_dispatch(s->fi, SIP_SESS_EV_TX_FAILURE, &status);
	return 0;
}

static char *reason_hdrs(void *ctx, const struct sip_identity_out *id);

int sip_sess_cancel(struct sip_sess *s, const struct sip_identity_out *id)
{
	if (s->fi->state != SIP_SESS_ST_OUT_CALLING && s->fi->state != SIP_SESS_ST_OUT_EARLY)
		return -EINVAL;
	talloc_free(s->cancel_reason);
	s->cancel_reason = id && (id->q850_cause > 0 || id->sip_cause > 0) ? reason_hdrs(s, id) : NULL;
	osmo_fsm_inst_dispatch(s->fi, SIP_SESS_EV_TX_CANCEL, NULL);
	return 0;
}

int sip_sess_hangup(struct sip_sess *s, uint16_t uas_status, const struct sip_identity_out *id)
{
	switch (s->fi->state) {
	case SIP_SESS_ST_OUT_CALLING:
	case SIP_SESS_ST_OUT_EARLY:
		return sip_sess_cancel(s, id);
	case SIP_SESS_ST_IN_PROCEEDING:
	case SIP_SESS_ST_IN_EARLY:
		return sip_sess_reject(s, uas_status >= 300 ? uas_status : 480, id);
	case SIP_SESS_ST_IN_WAIT_ACK:
		/* RFC 3261 §15: no BYE before the ACK (or its time-out) */
		s->bye_after_ack = true;
		if (id) {
			s->id_out.q850_cause = id->q850_cause;
			s->id_out.sip_cause = id->sip_cause;
		}
		return 0;
	case SIP_SESS_ST_CONFIRMED:
		sess_bye(s, SIP_SESS_END_BYE, id);
		return 0;
	default:
		return -EINVAL;
	}
}

int sip_sess_update(struct sip_sess *s, const char *sdp)
{
	switch (s->fi->state) {
	case SIP_SESS_ST_OUT_EARLY:
	case SIP_SESS_ST_IN_EARLY:
	case SIP_SESS_ST_IN_WAIT_ACK:
	case SIP_SESS_ST_CONFIRMED:
		break;
	default:
		return -EINVAL;
	}
	s->glare_retried = false;
	return send_update(s, sdp, false);
}

int sip_sess_reinvite(struct sip_sess *s, const char *sdp)
{
	if (s->fi->state != SIP_SESS_ST_CONFIRMED)
		return -EINVAL;
	s->glare_retried = false;
	return send_reinvite(s, sdp, false);
}

/* Our answer to the offer of a reliable 1xx (in the PRACK) or of the 2xx (in the ACK) of our offerless INVITE. */
static int uac_answer(struct sip_sess *s, const char *sdp)
{
	set_str(s, &s->local_sdp, sdp);
	set_str(s, &s->remote_sdp, s->pending_remote);
	s->oa = SIP_SESS_OA_NONE;
	if (s->prack_pending) {
		s->prack_pending = false;
		s->prack_ct = send_in_dialog(s, "PRACK", sdp, NULL, &prack_ops, false, false,
					     &(struct sip_rack){ .rseq = s->prack_rseq, .cseq = s->inv_cseq });
		return s->prack_ct ? 0 : -EIO;
	}
	s->ack_pending = false;
	send_ack(s, s->dlg, s->inv_cseq, sdp);
	ctr_inc(s->ua, SIP_SESS_CTR_ESTABLISHED);
	if (s->ua->ops->established)
		s->ua->ops->established(s, s->priv, &(struct sip_sess_info){ .status = 200 });
	if (!s->ended)
		se_start(s);
	return 0;
}

int sip_sess_answer(struct sip_sess *s, const char *sdp)
{
	struct sip_strans *st = s->offer_st;
	const struct sip_msg *req;
	char se_buf[SE_HDRS_BUF];
	const char *extra = NULL;
	int rc;

	if (sdp && (s->prack_pending || s->ack_pending))
		return uac_answer(s, sdp);
	if (!st || !sdp)
		return -EINVAL;
	req = sip_strans_request(st);
	if (s->se && req->method_id != SIP_METHOD_PRACK)
		extra = se_hdrs(se_buf, s->se, s->we_refresh, has_tag(req, "timer"));
	rc = respond(s, st, 200, NULL, sdp, extra);
	s->offer_st = NULL;
	st_forget(s, st);
	if (rc < 0)
		return rc;
	if (s->oa == SIP_SESS_OA_REMOTE_OFFER) {
		set_str(s, &s->local_sdp, sdp);
		set_str(s, &s->remote_sdp, s->pending_remote);
		s->oa = SIP_SESS_OA_NONE;
	} else {
		set_str(s, &s->pending_local, sdp);	/* offerless re-INVITE: the ACK answers */
		s->oa = SIP_SESS_OA_LOCAL_OFFER;
	}
	if (s->accept_deferred && !s->rel1xx) {
		char *a = s->accept_sdp;

		s->accept_deferred = false;
		s->accept_sdp = NULL;
		send_2xx(s, a);
		talloc_free(a);
	}
	return 0;
}

int sip_sess_reject_offer(struct sip_sess *s, uint16_t status)
{
	struct sip_strans *st = s->offer_st;

	if (!st || status < 300)
		return -EINVAL;
	s->offer_st = NULL;
	if (s->reinv_st == st)
		s->reinv_st = NULL;
	st_forget(s, st);
	s->oa = SIP_SESS_OA_NONE;
	set_str(s, &s->pending_remote, NULL);
	return respond(s, st, status, NULL, NULL, NULL);
}

void sip_sess_set_identity(struct sip_sess *s, const struct sip_identity_out *id)
{
	talloc_free((char *)s->id_out.pai);
	talloc_free((char *)s->id_out.pai_tel);
	memset(&s->id_out, 0, sizeof(s->id_out));
	if (!id)
		return;
	s->id_out = *id;
	s->id_out.pai = id->pai ? talloc_strdup(s, id->pai) : NULL;
	s->id_out.pai_tel = id->pai_tel ? talloc_strdup(s, id->pai_tel) : NULL;
}

void sip_sess_set_priv(struct sip_sess *s, void *priv)
{
	s->priv = priv;
}

struct osmo_fsm_inst *sip_sess_fsm_inst(const struct sip_sess *s)
{
	return s->fi;
}

enum sip_sess_state sip_sess_state(const struct sip_sess *s)
{
	return s->fi->state;
}

enum sip_sess_oa sip_sess_oa_state(const struct sip_sess *s)
{
	return s->oa;
}

const char *sip_sess_local_sdp(const struct sip_sess *s)
{
	return s->local_sdp;
}

const char *sip_sess_remote_sdp(const struct sip_sess *s)
{
	return s->remote_sdp;
}

const struct sip_dialog *sip_sess_dialog(const struct sip_sess *s)
{
	return s->dlg;
}

unsigned int sip_sess_num_early(const struct sip_sess *s)
{
	struct sip_dialog *d;
	unsigned int n = 0;

	llist_for_each_entry(d, &s->early, list)
		if (d->early)
			n++;
	return n;
}

uint32_t sip_sess_expires(const struct sip_sess *s, bool *we_refresh)
{
	if (we_refresh)
		*we_refresh = s->we_refresh;
	return s->se;
}

const char *sip_sess_call_id(const struct sip_sess *s)
{
	return s->call_id;
}
