/* The interworking calls (TS 29.163 §7.2.3; standards.md §4): one parent FSM per call owning the ISUP leg (an
 * isup_call of the node), the SIP leg (an INVITE dialog on the transaction layer) and a media channel.
 *
 * The SIP leg here is deliberately small: one INVITE transaction each way, ACK, BYE, CANCEL, no reliable
 * provisional responses and no preconditions (the INVITE of an isup2sip call with a continuity check is held
 * until COT, the 29.163 §7.2.3.2.1 variant for a side without preconditions).  Every exit path goes through
 * call_release(), which releases the leg that is still up with the mapped cause, and the FSM's cleanup, which
 * destroys the media channel, writes the CDR line and frees the call.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <talloc.h>
#include <osmocom/core/fsm.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/stats.h>
#include <osmocom/core/tdef.h>
#include <osmocom/core/timer.h>

#include <mgcf/log.h>
#include "mgcf/mgcf_call.h"
#include "mgcf/mgcf_cause.h"
#include "mgcf/mgcf_map.h"
#include "mgcf/mgcf_route.h"
#include "mgcf/mgcf_timers.h"
#include "sip/sdp.h"
#include "sip/sip_build.h"

#define S(x)		(1 << (x))
#define SIP_MSG_SIZE	8192
#define RETRY_AFTER_S	10		/* what a 503 for lack of circuits or capacity asks the peer to wait */
#define RELEASING_MAX_S	40		/* the SIP leg's last transaction (Timer B: 64*T1) is over by then */
#define LOC_BI		0xa		/* Q.850 location "network beyond interworking point" (standards.md §4(c)) */
#define NO_MEDIA_PORT	9		/* SDP port of a call without media plane (discard; unit tests) */
#define MAX_REATTEMPTS	1		/* new circuits tried after a congestion release before any backward message */

static const char *const allow_methods = "INVITE, ACK, CANCEL, BYE, OPTIONS";

enum mgcf_call_fsm_state {
	MGCF_CALL_ST_INIT,		/*!< set-up: media channel, continuity; nothing sent to the far leg yet */
	MGCF_CALL_ST_PROCEEDING,	/*!< IAM / INVITE sent, nothing back yet */
	MGCF_CALL_ST_EARLY,		/*!< ACM / 18x: alerting or progress */
	MGCF_CALL_ST_ACTIVE,		/*!< answered */
	MGCF_CALL_ST_RELEASING,		/*!< one leg ended; the other is being released */
};

enum mgcf_call_fsm_event {
	MGCF_CALL_EV_MEDIA_READY,	/*!< media plane: the channel has its RTP port; data NULL */
	MGCF_CALL_EV_ISUP_MSG,		/*!< ISUP node: ACM/CPG/ANM/CON/COT...; data const struct isup_msg * */
	MGCF_CALL_EV_SIP_RSP,		/*!< INVITE client transaction: a response; data struct sip_rsp_ev * */
	MGCF_CALL_EV_SIP_ACK,		/*!< SIP core: the ACK for our 2xx; data NULL */
	MGCF_CALL_EV_RELEASE,		/*!< any: end the call; data struct rel_ev * */
};

static const struct value_string mgcf_call_fsm_event_names[] = {
	{ MGCF_CALL_EV_MEDIA_READY, "MEDIA_READY" },
	{ MGCF_CALL_EV_ISUP_MSG, "ISUP_MSG" },
	{ MGCF_CALL_EV_SIP_RSP, "SIP_RSP" },
	{ MGCF_CALL_EV_SIP_ACK, "SIP_ACK" },
	{ MGCF_CALL_EV_RELEASE, "RELEASE" },
	{ 0, NULL }
};

/*! States of the SIP leg. */
enum sip_leg_state {
	SIP_LEG_NONE,		/*!< no INVITE yet (isup2sip waiting for media or COT) */
	SIP_LEG_CALLING,	/*!< INVITE sent / received, no provisional response with tag */
	SIP_LEG_EARLY,		/*!< provisional response sent / received */
	SIP_LEG_ANSWERED,	/*!< 2xx sent, ACK awaited (UAS) */
	SIP_LEG_CONFIRMED,	/*!< dialog confirmed */
	SIP_LEG_ENDED,		/*!< final non-2xx, BYE or CANCEL done */
};

static const struct value_string sip_leg_state_names[] = {
	{ SIP_LEG_NONE, "NONE" },
	{ SIP_LEG_CALLING, "CALLING" },
	{ SIP_LEG_EARLY, "EARLY" },
	{ SIP_LEG_ANSWERED, "ANSWERED" },
	{ SIP_LEG_CONFIRMED, "CONFIRMED" },
	{ SIP_LEG_ENDED, "ENDED" },
	{ 0, NULL }
};

static const struct value_string cdr_dir_names[] = {
	{ MGCF_CDR_SIP2ISUP, "sip2isup" },
	{ MGCF_CDR_ISUP2SIP, "isup2sip" },
	{ 0, NULL }
};

static const struct rate_ctr_desc mgcf_iw_ctr_desc[] = {
	[MGCF_CTR_SIP2ISUP_CALLS] = { "mgcf:sip2isup_calls", "calls from SIP to ISUP" },
	[MGCF_CTR_ISUP2SIP_CALLS] = { "mgcf:isup2sip_calls", "calls from ISUP to SIP" },
	[MGCF_CTR_ANSWERED] = { "mgcf:answered", "calls answered" },
	[MGCF_CTR_REJECTED_NO_ROUTE] = { "mgcf:rejected_no_route", "calls without a route" },
	[MGCF_CTR_REJECTED_ADMISSION] = { "mgcf:rejected_admission", "calls refused: no circuit or capacity" },
	[MGCF_CTR_REJECTED_SDP] = { "mgcf:rejected_sdp", "calls refused: no acceptable SDP" },
	[MGCF_CTR_MEDIA_FAILED] = { "mgcf:media_failed", "calls whose media channel failed" },
	[MGCF_CTR_TIMEOUTS] = { "mgcf:timeouts", "calls ended by an interworking timer" },
};

static const struct rate_ctr_group_desc mgcf_iw_ctrg_desc = {
	.group_name_prefix = "mgcf",
	.group_description = "interworking calls",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = ARRAY_SIZE(mgcf_iw_ctr_desc),
	.ctr_desc = mgcf_iw_ctr_desc,
};

struct mgcf_iw {
	void *ctx;
	struct isup_node *isup;
	struct sip_core *sip;
	struct media_plane *media;
	const struct media_cfg *media_cfg;
	const struct mgcf_cfg *cfg;
	const struct sip_cfg *sip_cfg;
	struct osmo_tdef *tdefs;
	struct mgcf_cdr_writer *cdr;
	struct rate_ctr_group *ctrs;
	struct llist_head calls;
	uint32_t next_id;
	uint64_t sdp_sess_id;
};

/*! A response to our INVITE (MGCF_CALL_EV_SIP_RSP). */
struct sip_rsp_ev {
	uint16_t status;
	const struct sip_msg *rsp;	/*!< NULL for a response the transaction made up (408, 503) */
};

/*! Why a call ends (MGCF_CALL_EV_RELEASE). */
struct rel_ev {
	uint8_t cause;
	enum mgcf_cdr_releaser by;
	bool isup_gone;		/*!< the ISUP leg is already released (REL received, T7/T9, reset) */
	bool sip_gone;		/*!< the SIP leg is already over (BYE, CANCEL, final error) */
};

struct mgcf_call {
	struct llist_head list;
	struct mgcf_iw *iw;
	struct osmo_fsm_inst *fi;
	uint32_t id;
	enum mgcf_cdr_direction dir;
	struct timespec start_rt, answer_rt;
	struct timespec start_mono;
	char *trunk;
	uint16_t cic;
	char *calling;
	char *called;
	const struct mgcf_trunk_policy *tp;

	/* ISUP leg */
	struct isup_call *ic;		/*!< NULL once released */
	struct isup_msg *iam;		/*!< sip2isup: the IAM, for a re-attempt */
	struct mgcf_iam_digits *digits;	/*!< ... and the digits it refers to */
	unsigned int reattempts;
	bool acm_sent;			/*!< isup2sip: ACM sent */
	bool answered_isup;		/*!< isup2sip: ANM/CON sent */
	bool cot_pending;		/*!< isup2sip: the IAM asked for continuity, COT not yet received */
	bool loopback;			/*!< isup2sip: the timeslot is looped for the far end's continuity test */

	/* SIP leg */
	enum sip_leg_state sip_state;
	struct sip_strans *inv_st;	/*!< sip2isup: the INVITE server transaction */
	struct sip_ctrans *inv_ct;	/*!< isup2sip: the INVITE client transaction */
	struct sip_addr peer;		/*!< where in-dialog requests go */
	char *call_id;
	char *local_tag;
	char *remote_tag;
	char *local_uri;		/*!< our From (UAC) / To (UAS) URI */
	char *remote_uri;
	char *remote_target;		/*!< Contact of the peer, or the Request-URI */
	char *from_hdr;			/*!< isup2sip: From header value without tag */
	char *pai_hdr;
	bool privacy_id;
	unsigned int max_forwards;
	uint32_t local_cseq;
	uint32_t invite_cseq;
	bool cancel_pending;		/*!< isup2sip: CANCEL as soon as a provisional response arrives */
	bool pending_200;		/*!< sip2isup: answer as soon as the media channel is ready */
	bool pending_183;		/*!< sip2isup: 183 with SDP as soon as the media channel is ready */

	/* media */
	int64_t chan_id;		/*!< 0: none */
	bool media_ready;
	uint16_t local_port;
	char *sdp_offer;		/*!< the offer (ours or the peer's) as text */
	char *remote_addr;
	uint16_t remote_port;
	uint8_t pt;
	int event_pt;
	struct sdp_local_origin lo;

	/* release */
	uint8_t cause;
	enum mgcf_cdr_releaser released_by;
	bool releasing;
};

#define LOG_CALL(c, level, fmt, args...) LOGPFSML((c)->fi, level, fmt, ##args)

static struct osmo_fsm mgcf_call_fsm;
static void call_release(struct mgcf_call *c, const struct rel_ev *r);
static void sip_leg_release(struct mgcf_call *c);
static void media_chan_create(struct mgcf_call *c);

static void ctr_inc(struct mgcf_iw *iw, enum mgcf_iw_ctr ctr)
{
	rate_ctr_inc(rate_ctr_group_get_ctr(iw->ctrs, ctr));
}

static unsigned long tdef_s(struct mgcf_iw *iw, int T)
{
	return osmo_tdef_get(iw->tdefs, T, OSMO_TDEF_S, -1);
}

static const struct mgcf_trunk_policy *trunk_policy(const struct mgcf_cfg *cfg, const char *trunk)
{
	const struct mgcf_trunk_policy *tp;

	if (!cfg || !trunk)
		return NULL;
	llist_for_each_entry(tp, &cfg->trunks, list) {
		if (!strcmp(tp->name, trunk))
			return tp;
	}
	return NULL;
}

static char *str_dup(void *ctx, struct sip_str s)
{
	s = sip_str_nn(s);
	return talloc_strndup(ctx, s.p, s.len);
}

/* ---- SDP ---------------------------------------------------------------------------------------------------- */

static void sdp_caps_fill(struct mgcf_call *c, struct sdp_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	caps->codecs[caps->num_codecs++] = SDP_CODEC_PCMA;
	caps->codecs[caps->num_codecs++] = SDP_CODEC_PCMU;
	caps->codecs[caps->num_codecs++] = SDP_CODEC_TEL_EVENT;
	caps->tel_event_pt = MEDIA_PT_EVENT_DEFAULT;
	caps->clearmode_pt = 97;
	caps->ptime = 20;
	caps->addr = c->iw->media_cfg ? c->iw->media_cfg->rtp_addr.ip : "127.0.0.1";
	caps->addr_type = caps->addr && strchr(caps->addr, ':') ? SDP_ADDR_IP6 : SDP_ADDR_IP4;
	if (!caps->addr[0]) {
		caps->addr = "127.0.0.1";
		caps->addr_type = SDP_ADDR_IP4;
	}
	caps->audio_port = c->local_port;
	caps->username = "mgcf";
}

/* The media parameters an offer/answer result gives: first accepted audio stream. */
static int media_from_result(struct mgcf_call *c, const struct sdp_oa_result *res)
{
	unsigned int i;

	for (i = 0; i < res->num_streams; i++) {
		const struct sdp_oa_stream *s = &res->s[i];

		if (!s->accepted || s->type != SDP_MEDIA_AUDIO)
			continue;
		if (s->codec != SDP_CODEC_PCMA && s->codec != SDP_CODEC_PCMU)
			continue;
		talloc_free(c->remote_addr);
		c->remote_addr = talloc_strndup(c, s->remote_addr.p, s->remote_addr.len);
		c->remote_port = s->remote_port;
		c->pt = s->codec == SDP_CODEC_PCMA ? MEDIA_PT_PCMA : MEDIA_PT_PCMU;
		c->event_pt = s->tel_event_pt;
		return 0;
	}
	return -EPROTO;
}

/* Answer the peer's offer (sip2isup); with body NULL only check that it can be answered. */
static int sdp_answer_build(struct mgcf_call *c, struct msgb **body)
{
	struct sdp_session *offer = talloc_zero(NULL, struct sdp_session);
	struct sdp_session *answer = talloc_zero(offer, struct sdp_session);
	struct sdp_oa_result res;
	struct sdp_caps caps;
	int rc;

	if (!offer || !answer) {
		talloc_free(offer);
		return -ENOMEM;
	}
	rc = sdp_parse(offer, c->sdp_offer, strlen(c->sdp_offer), NULL);
	if (rc == 0) {
		sdp_caps_fill(c, &caps);
		rc = sdp_answer(answer, &res, offer, &caps, &c->lo);
	}
	if (rc == 0)
		rc = media_from_result(c, &res);
	if (rc == 0 && body) {
		*body = msgb_alloc(4096, "sdp");
		rc = *body ? sdp_build(*body, answer) : -ENOMEM;
		if (rc < 0 && *body) {
			msgb_free(*body);
			*body = NULL;
		}
	}
	talloc_free(offer);
	return rc;
}

/* Our offer (isup2sip), kept as text to process the answer. */
static struct msgb *sdp_offer_build(struct mgcf_call *c)
{
	struct sdp_session *offer = talloc_zero(NULL, struct sdp_session);
	struct sdp_caps caps;
	struct msgb *body = NULL;

	if (!offer)
		return NULL;
	sdp_caps_fill(c, &caps);
	if (sdp_offer(offer, &caps, &c->lo, false, SDP_DIR_SENDRECV) == 0) {
		body = msgb_alloc(4096, "sdp");
		if (body && sdp_build(body, offer) < 0) {
			msgb_free(body);
			body = NULL;
		}
	}
	talloc_free(offer);
	if (body) {
		talloc_free(c->sdp_offer);
		c->sdp_offer = talloc_strndup(c, (const char *)msgb_data(body), msgb_length(body));
	}
	return body;
}

/* The peer's answer to our offer (isup2sip). */
static int sdp_answer_process(struct mgcf_call *c, struct sip_str body)
{
	struct sdp_session *offer = talloc_zero(NULL, struct sdp_session);
	struct sdp_session *answer = talloc_zero(offer, struct sdp_session);
	struct sdp_oa_result res;
	int rc;

	if (!offer || !answer || !c->sdp_offer) {
		talloc_free(offer);
		return -ENOMEM;
	}
	rc = sdp_parse(offer, c->sdp_offer, strlen(c->sdp_offer), NULL);
	if (rc == 0)
		rc = sdp_parse(answer, body.p, body.len, NULL);
	if (rc == 0)
		rc = sdp_process_answer(&res, offer, answer);
	if (rc == 0)
		rc = media_from_result(c, &res);
	talloc_free(offer);
	return rc;
}

/* ---- media -------------------------------------------------------------------------------------------------- */

static void media_params(struct mgcf_call *c, struct media_chan_params *p)
{
	media_plane_default_params(c->iw->media, p);
	if (c->remote_addr && c->remote_port)
		osmo_sockaddr_str_from_str(&p->remote, c->remote_addr, c->remote_port);
	if (c->pt == MEDIA_PT_PCMU)
		p->pt = MEDIA_PT_PCMU;
	else
		p->pt = MEDIA_PT_PCMA;
	p->event_pt = c->event_pt > 0 ? c->event_pt : 0;
}

static void media_chan_create(struct mgcf_call *c)
{
	struct media_chan_req req = { .trunk = c->trunk, .cic = c->cic };
	int64_t id;

	c->media_ready = false;
	if (!c->iw->media) {
		/* no media plane (tests): the call proceeds as if the channel were there */
		c->local_port = NO_MEDIA_PORT;
		c->media_ready = true;
		return;
	}
	media_params(c, &req.p);
	id = media_plane_chan_create(c->iw->media, &req);
	if (id < 0) {
		LOG_CALL(c, LOGL_ERROR, "cannot create a media channel on CIC %u: %s\n", c->cic, strerror(-id));
		c->chan_id = 0;
		return;
	}
	c->chan_id = id;
}

static void media_chan_destroy(struct mgcf_call *c)
{
	if (c->chan_id > 0 && c->iw->media)
		media_plane_chan_destroy(c->iw->media, c->chan_id);
	c->chan_id = 0;
	c->media_ready = false;
}

static void media_update(struct mgcf_call *c)
{
	struct media_chan_params p;

	if (c->chan_id <= 0 || !c->iw->media)
		return;
	media_params(c, &p);
	media_plane_chan_modify(c->iw->media, c->chan_id, &p);
}

/* ---- SIP messages ------------------------------------------------------------------------------------------- */

static int our_contact(struct mgcf_call *c, char *buf, size_t len)
{
	char host[64];
	uint16_t port = 0;
	int rc;

	if (!c->iw->sip || sip_tp_sent_by(sip_core_tp(c->iw->sip), &c->peer, host, sizeof(host), &port) < 0)
		rc = snprintf(buf, len, "<sip:%s>", c->iw->sip_cfg ? c->iw->sip_cfg->domain : "mgcf.invalid");
	else if (strchr(host, ':'))
		rc = snprintf(buf, len, "<sip:[%s]:%u;transport=%s>", host, port,
			      get_value_string(sip_transport_names, c->peer.proto));
	else
		rc = snprintf(buf, len, "<sip:%s:%u;transport=%s>", host, port,
			      get_value_string(sip_transport_names, c->peer.proto));
	return rc < 0 || (size_t)rc >= len ? -EMSGSIZE : 0;
}

/* Respond to the INVITE of a sip2isup call; cause > 0 adds Reason: Q.850 (RFC 6432). */
static int uas_respond(struct mgcf_call *c, uint16_t status, bool with_sdp, uint8_t cause, unsigned int retry_after)
{
	struct msgb *msg, *body = NULL;
	char contact[128];
	int rc;

	if (!c->inv_st)
		return -ENOTCONN;
	msg = msgb_alloc(SIP_MSG_SIZE, "sip-rsp");
	if (!msg)
		return -ENOMEM;
	rc = sip_build_response(msg, sip_strans_request(c->inv_st), status, NULL, c->local_tag);
	if (rc == 0 && status < 300 && our_contact(c, contact, sizeof(contact)) == 0)
		rc = sip_build_hdr(msg, "Contact", "%s", contact);
	if (rc == 0 && status < 300)
		rc = sip_build_hdr(msg, "Allow", "%s", allow_methods);
	if (rc == 0 && cause)
		rc = sip_build_reason(msg, "Q.850", cause, mgcf_q850_name(cause));
	if (rc == 0 && retry_after)
		rc = sip_build_hdr(msg, "Retry-After", "%u", retry_after);
	if (rc == 0 && with_sdp && c->sdp_offer) {
		rc = sdp_answer_build(c, &body);
		if (rc == 0)
			rc = sip_build_body(msg, "application/sdp", msgb_data(body), msgb_length(body));
		msgb_free(body);
	} else if (rc == 0) {
		rc = sip_build_no_body(msg);
	}
	if (rc < 0) {
		LOG_CALL(c, LOGL_ERROR, "cannot build the %u response: %s\n", status, strerror(-rc));
		msgb_free(msg);
		return rc;
	}
	rc = sip_strans_respond(c->inv_st, status, msg);
	if (rc == 0)
		LOG_CALL(c, LOGL_DEBUG, "sent %u %s\n", status, sip_status_reason(status));
	return rc;
}

static void drop_response(void *priv, struct sip_ctrans *ct, uint16_t status, const struct sip_msg *rsp)
{
}

static const struct sip_ctrans_ops drop_ops = {
	.response = drop_response,
};

/* Headers every in-dialog request carries (RFC 3261 §12.2.1.1). */
static int dialog_request_hdrs(struct mgcf_call *c, struct msgb *msg, const char *method, uint32_t cseq)
{
	int rc = sip_build_request_line(msg, method, c->remote_target);

	if (rc == 0)
		rc = sip_build_max_forwards(msg, 70);
	if (rc == 0)
		rc = sip_build_name_addr(msg, SIP_HDR_FROM, NULL, c->local_uri, c->local_tag, NULL);
	if (rc == 0)
		rc = sip_build_name_addr(msg, SIP_HDR_TO, NULL, c->remote_uri, c->remote_tag, NULL);
	if (rc == 0)
		rc = sip_build_call_id(msg, c->call_id);
	if (rc == 0)
		rc = sip_build_cseq(msg, cseq, method);
	return rc;
}

/* BYE with Reason: Q.850 (fire and forget: the transaction does its retransmissions alone). */
static void send_bye(struct mgcf_call *c, uint8_t cause)
{
	struct msgb *msg = msgb_alloc(SIP_MSG_SIZE, "sip-bye");
	struct sip_ctrans *ct;
	int rc;

	if (!msg || !c->iw->sip || !c->remote_target)
		goto fail;
	rc = dialog_request_hdrs(c, msg, "BYE", ++c->local_cseq);
	if (rc == 0 && cause)
		rc = sip_build_reason(msg, "Q.850", cause, mgcf_q850_name(cause));
	if (rc == 0)
		rc = sip_build_no_body(msg);
	if (rc < 0)
		goto fail;
	ct = sip_core_request(c->iw->sip, &c->peer, msg, &drop_ops, NULL);
	if (ct)
		sip_ctrans_detach(ct);
	LOG_CALL(c, LOGL_DEBUG, "sent BYE (cause %u)\n", cause);
	return;
fail:
	msgb_free(msg);
	LOG_CALL(c, LOGL_ERROR, "cannot send BYE\n");
}

/* ACK for a 2xx to our INVITE (RFC 3261 §13.2.2.4): its own Via branch, sent outside any transaction. */
static void send_ack(struct mgcf_call *c)
{
	struct msgb *msg = msgb_alloc(SIP_MSG_SIZE, "sip-ack");
	char host[64], branch[SIP_BRANCH_BUF];
	struct sip_addr dst = c->peer;
	uint16_t port = 0;
	int rc;

	if (!msg || !c->iw->sip)
		goto fail;
	rc = sip_tp_sent_by(sip_core_tp(c->iw->sip), &dst, host, sizeof(host), &port);
	if (rc == 0)
		rc = sip_gen_branch(branch, sizeof(branch));
	if (rc == 0)
		rc = sip_build_request_line(msg, "ACK", c->remote_target);
	if (rc == 0)
		rc = sip_build_via(msg, sip_transport_via_name(dst.proto), host, port, branch, true);
	if (rc == 0)
		rc = sip_build_max_forwards(msg, 70);
	if (rc == 0)
		rc = sip_build_name_addr(msg, SIP_HDR_FROM, NULL, c->local_uri, c->local_tag, NULL);
	if (rc == 0)
		rc = sip_build_name_addr(msg, SIP_HDR_TO, NULL, c->remote_uri, c->remote_tag, NULL);
	if (rc == 0)
		rc = sip_build_call_id(msg, c->call_id);
	if (rc == 0)
		rc = sip_build_cseq(msg, c->invite_cseq, "ACK");
	if (rc == 0)
		rc = sip_build_no_body(msg);
	if (rc < 0)
		goto fail;
	sip_tp_send(sip_core_tp(c->iw->sip), &dst, msg);
	return;
fail:
	msgb_free(msg);
	LOG_CALL(c, LOGL_ERROR, "cannot send ACK\n");
}

static void invite_response(void *priv, struct sip_ctrans *ct, uint16_t status, const struct sip_msg *rsp);

static const struct sip_ctrans_ops invite_ops = {
	.response = invite_response,
};

/* Where the INVITE of an isup2sip call goes: the route's next hop, else the Request-URI's host. */
static int invite_dst(struct mgcf_call *c, const struct mgcf_route_in *r, struct sip_addr *dst)
{
	const struct sip_next_hop_cfg *nh;

	memset(dst, 0, sizeof(*dst));
	if (r->next_hop && c->iw->sip_cfg) {
		llist_for_each_entry(nh, &c->iw->sip_cfg->next_hops, list) {
			if (!strcmp(nh->name, r->next_hop))
				return sip_core_next_hop_dst(nh, dst);
		}
	}
	return sip_core_uri_dst(sip_str_c(c->remote_target), dst);
}

static int send_invite(struct mgcf_call *c)
{
	struct msgb *msg = msgb_alloc(SIP_MSG_SIZE, "sip-invite"), *body = NULL;
	char contact[128];
	int rc;

	if (!msg || !c->iw->sip)
		goto fail;
	body = sdp_offer_build(c);
	if (!body)
		goto fail;
	c->invite_cseq = ++c->local_cseq;
	rc = sip_build_request_line(msg, "INVITE", c->remote_target);
	if (rc == 0)
		rc = sip_build_max_forwards(msg, c->max_forwards > 255 ? 255 : c->max_forwards);
	if (rc == 0)
		rc = sip_build_hdr(msg, "From", "%s;tag=%s", c->from_hdr, c->local_tag);
	if (rc == 0)
		rc = sip_build_name_addr(msg, SIP_HDR_TO, NULL, c->remote_uri, NULL, NULL);
	if (rc == 0)
		rc = sip_build_call_id(msg, c->call_id);
	if (rc == 0)
		rc = sip_build_cseq(msg, c->invite_cseq, "INVITE");
	if (rc == 0 && our_contact(c, contact, sizeof(contact)) == 0)
		rc = sip_build_hdr(msg, "Contact", "%s", contact);
	if (rc == 0 && c->pai_hdr)
		rc = sip_build_hdr(msg, "P-Asserted-Identity", "%s", c->pai_hdr);
	if (rc == 0 && c->privacy_id)
		rc = sip_build_hdr(msg, "Privacy", "id");
	if (rc == 0)
		rc = sip_build_hdr(msg, "Allow", "%s", allow_methods);
	if (rc == 0)
		rc = sip_build_body(msg, "application/sdp", msgb_data(body), msgb_length(body));
	msgb_free(body);
	if (rc < 0)
		goto fail;
	c->inv_ct = sip_core_request(c->iw->sip, &c->peer, msg, &invite_ops, c);
	if (!c->inv_ct)
		return -EIO;
	c->sip_state = SIP_LEG_CALLING;
	LOG_CALL(c, LOGL_INFO, "INVITE %s\n", c->remote_target);
	return 0;
fail:
	msgb_free(msg);
	return -ENOMEM;
}

/* ---- ISUP messages ------------------------------------------------------------------------------------------ */

static void bci_default(struct isup_bci *bci, uint8_t called_status)
{
	/* standards.md §4(b): interworking encountered, no ISUP all the way, non-ISDN access */
	memset(bci, 0, sizeof(*bci));
	bci->charge = 2;
	bci->called_status = called_status;
	bci->interworking = true;
}

static void isup_send_acm(struct mgcf_call *c, uint8_t called_status)
{
	struct isup_msg m;
	struct isup_bci bci;

	if (!c->ic || c->acm_sent)
		return;
	bci_default(&bci, called_status);
	isup_build_acm(&m, 0, &bci);
	if (isup_call_send(c->ic, &m) == 0)
		c->acm_sent = true;
}

static void isup_send_cpg(struct mgcf_call *c, uint8_t event)
{
	struct isup_msg m;

	if (!c->ic)
		return;
	isup_msg_init(&m, ISUP_CPG, 0);
	m.event.event = event;
	isup_msg_set(&m, ISUP_P_EVENT_INFO);
	isup_call_send(c->ic, &m);
}

static void isup_send_answer(struct mgcf_call *c)
{
	struct isup_msg m;
	struct isup_bci bci;

	if (!c->ic || c->answered_isup)
		return;
	if (c->acm_sent) {
		isup_build_anm(&m, 0);
	} else {
		bci_default(&bci, 1);
		isup_build_con(&m, 0, &bci);
	}
	if (isup_call_send(c->ic, &m) == 0)
		c->answered_isup = true;
}

/* ---- release ------------------------------------------------------------------------------------------------ */

/* End the SIP leg in whatever state it is in, with the call's cause. */
static void sip_leg_release(struct mgcf_call *c)
{
	uint16_t status;

	switch (c->sip_state) {
	case SIP_LEG_NONE:
	case SIP_LEG_ENDED:
		break;
	case SIP_LEG_CALLING:
	case SIP_LEG_EARLY:
		if (c->dir == MGCF_CDR_SIP2ISUP) {
			/* TS 29.163 §7.2.3.1.7: REL before the final response: the table's status with Reason */
			status = mgcf_q850_to_sip(c->tp, c->cause, LOC_BI);
			uas_respond(c, status, false, c->cause, status == 503 ? RETRY_AFTER_S : 0);
			c->sip_state = SIP_LEG_ENDED;
		} else if (c->sip_state == SIP_LEG_EARLY && c->inv_ct) {
			/* RFC 3261 §9.1: CANCEL only after a provisional response */
			sip_ctrans_cancel(c->inv_ct, &drop_ops, NULL);
			c->cancel_pending = false;
			return;
		} else {
			c->cancel_pending = true;
			return;
		}
		break;
	case SIP_LEG_ANSWERED:
	case SIP_LEG_CONFIRMED:
		send_bye(c, c->cause);
		c->sip_state = SIP_LEG_ENDED;
		break;
	}
}

/* The one exit path: release what is still up, then let the FSM end (at once, or once the SIP leg is done). */
static void call_release(struct mgcf_call *c, const struct rel_ev *r)
{
	if (c->releasing)
		return;
	c->releasing = true;
	c->cause = r->cause ? r->cause : 31;
	c->released_by = r->by;
	LOG_CALL(c, LOGL_INFO, "release: cause %u (%s) from %s\n", c->cause, mgcf_q850_name(c->cause),
		 r->by == MGCF_CDR_REL_SIP ? "SIP" : r->by == MGCF_CDR_REL_ISUP ? "ISUP" : "MGCF");
	if (r->isup_gone)
		c->ic = NULL;
	if (c->ic) {
		struct isup_call *ic = c->ic;

		/* cleared first: the node reports call_released from inside isup_call_release() */
		c->ic = NULL;
		isup_call_release(ic, c->cause);
	}
	if (r->sip_gone)
		c->sip_state = SIP_LEG_ENDED;
	sip_leg_release(c);
	media_chan_destroy(c);
	if (c->sip_state == SIP_LEG_ENDED || c->sip_state == SIP_LEG_NONE)
		osmo_fsm_inst_term(c->fi, OSMO_FSM_TERM_REGULAR, NULL);
	else
		osmo_fsm_inst_state_chg(c->fi, MGCF_CALL_ST_RELEASING, RELEASING_MAX_S, 0);
}

static void release_by(struct mgcf_call *c, uint8_t cause, enum mgcf_cdr_releaser by, bool isup_gone, bool sip_gone)
{
	struct rel_ev r = { .cause = cause, .by = by, .isup_gone = isup_gone, .sip_gone = sip_gone };

	osmo_fsm_inst_dispatch(c->fi, MGCF_CALL_EV_RELEASE, &r);
}

/* ---- sip2isup: ISUP backward messages → SIP responses (standards.md §4(a)) ----------------------------------- */

static void s2i_isup_msg(struct mgcf_call *c, const struct isup_msg *m)
{
	bool inband = isup_msg_has(m, ISUP_P_OBCI) && m->obci.inband;

	switch (m->type) {
	case ISUP_ACM:
		/* BCI called party's status 1 "subscriber free" → 180; else 183 (early media if in-band info) */
		if (isup_msg_has(m, ISUP_P_BCI) && m->bci.called_status == 1 && !inband) {
			uas_respond(c, 180, false, 0, 0);
		} else if (c->media_ready) {
			uas_respond(c, 183, true, 0, 0);
		} else {
			c->pending_183 = true;
			uas_respond(c, 183, false, 0, 0);
		}
		c->sip_state = SIP_LEG_EARLY;
		osmo_fsm_inst_state_chg(c->fi, MGCF_CALL_ST_EARLY, 0, 0);
		break;
	case ISUP_CPG:
		if (!isup_msg_has(m, ISUP_P_EVENT_INFO))
			break;
		if (m->event.event == 1)
			uas_respond(c, 180, false, 0, 0);
		else if (m->event.event >= 4 && m->event.event <= 6)
			uas_respond(c, 181, false, 0, 0);
		else
			uas_respond(c, 183, c->media_ready, 0, 0);
		c->sip_state = SIP_LEG_EARLY;
		break;
	case ISUP_ANM:
	case ISUP_CON:
		clock_gettime(CLOCK_REALTIME, &c->answer_rt);
		ctr_inc(c->iw, MGCF_CTR_ANSWERED);
		LOG_CALL(c, LOGL_INFO, "answered (%s)\n", isup_msg_name(m->type));
		if (!c->media_ready) {
			c->pending_200 = true;
		} else if (uas_respond(c, 200, true, 0, 0) == 0) {
			c->sip_state = SIP_LEG_ANSWERED;
		}
		osmo_fsm_inst_state_chg(c->fi, MGCF_CALL_ST_ACTIVE, 0, 0);
		break;
	default:
		break;
	}
}

/* ---- isup2sip: SIP responses → ISUP backward messages (standards.md §4(b)) ----------------------------------- */

static void i2s_dialog_from_rsp(struct mgcf_call *c, const struct sip_msg *rsp)
{
	const struct sip_hdr *h;
	struct sip_contact ct;

	if (!rsp)
		return;
	if (!c->remote_tag && !sip_str_empty(rsp->to_tag))
		c->remote_tag = str_dup(c, rsp->to_tag);
	h = sip_msg_hdr(rsp, SIP_HDR_CONTACT);
	if (h && sip_contact_parse(&ct, h->value) == 0 && !ct.na.wildcard) {
		talloc_free(c->remote_target);
		c->remote_target = str_dup(c, ct.na.uri);
	}
}

static uint8_t cause_of_rsp(struct mgcf_call *c, uint16_t status, const struct sip_msg *rsp)
{
	struct sip_reason r;

	/* RFC 6432: a Q.850 cause in Reason wins over the table */
	if (rsp && sip_msg_reason(rsp, "Q.850", &r) == 0 && r.has_cause && r.cause >= 1 && r.cause <= 127)
		return r.cause;
	return mgcf_sip_to_q850(c->tp, status);
}

static void i2s_sip_rsp(struct mgcf_call *c, const struct sip_rsp_ev *e)
{
	struct osmo_fsm_inst *fi = c->fi;

	if (e->status < 200) {
		if (e->status == 100)
			return;
		i2s_dialog_from_rsp(c, e->rsp);
		if (c->sip_state == SIP_LEG_CALLING)
			c->sip_state = SIP_LEG_EARLY;
		if (c->releasing) {
			if (c->cancel_pending && c->inv_ct) {
				sip_ctrans_cancel(c->inv_ct, &drop_ops, NULL);
				c->cancel_pending = false;
			}
			return;
		}
		if (e->rsp && e->rsp->body.len && sdp_answer_process(c, e->rsp->body) == 0)
			media_update(c);
		if (!c->acm_sent) {
			/* 180 → ACM subscriber free; 183 → ACM no indication */
			isup_send_acm(c, e->status == 180 ? 1 : 0);
		} else if (e->status == 180) {
			isup_send_cpg(c, 1);
		} else if (e->status == 181) {
			isup_send_cpg(c, 4);
		} else if (e->status == 183) {
			isup_send_cpg(c, e->rsp && e->rsp->body.len ? 3 : 2);
		}
		if (fi->state == MGCF_CALL_ST_PROCEEDING)
			osmo_fsm_inst_state_chg(fi, MGCF_CALL_ST_EARLY, tdef_s(c->iw, MGCF_T_NO_ANSWER),
						MGCF_T_NO_ANSWER);
		return;
	}
	if (e->status < 300) {
		i2s_dialog_from_rsp(c, e->rsp);
		/* every 2xx (retransmissions too) is acknowledged */
		send_ack(c);
		if (c->releasing) {
			if (c->sip_state != SIP_LEG_ENDED) {
				c->inv_ct = NULL;
				c->sip_state = SIP_LEG_CONFIRMED;
				send_bye(c, c->cause);
				c->sip_state = SIP_LEG_ENDED;
				osmo_fsm_inst_term(fi, OSMO_FSM_TERM_REGULAR, NULL);
			}
			return;
		}
		if (c->sip_state == SIP_LEG_CONFIRMED)
			return;
		c->sip_state = SIP_LEG_CONFIRMED;
		if (e->rsp && e->rsp->body.len && sdp_answer_process(c, e->rsp->body) == 0)
			media_update(c);
		clock_gettime(CLOCK_REALTIME, &c->answer_rt);
		ctr_inc(c->iw, MGCF_CTR_ANSWERED);
		LOG_CALL(c, LOGL_INFO, "answered (%u)\n", e->status);
		isup_send_answer(c);
		osmo_fsm_inst_state_chg(fi, MGCF_CALL_ST_ACTIVE, 0, 0);
		return;
	}
	/* 3xx-6xx (408/503 made up by the transaction included): the INVITE transaction is over */
	c->inv_ct = NULL;
	c->sip_state = SIP_LEG_ENDED;
	if (c->releasing) {
		osmo_fsm_inst_term(fi, OSMO_FSM_TERM_REGULAR, NULL);
		return;
	}
	release_by(c, cause_of_rsp(c, e->status, e->rsp), MGCF_CDR_REL_SIP, false, true);
}

static void invite_response(void *priv, struct sip_ctrans *ct, uint16_t status, const struct sip_msg *rsp)
{
	struct mgcf_call *c = priv;
	struct sip_rsp_ev e = { .status = status, .rsp = rsp };

	osmo_fsm_inst_dispatch(c->fi, MGCF_CALL_EV_SIP_RSP, &e);
}

/* ---- the FSM ------------------------------------------------------------------------------------------------ */

static void i2s_proceed(struct mgcf_call *c)
{
	if (c->fi->state != MGCF_CALL_ST_INIT || !c->media_ready || c->cot_pending)
		return;
	if (send_invite(c) < 0) {
		LOG_CALL(c, LOGL_ERROR, "cannot send the INVITE\n");
		release_by(c, 47, MGCF_CDR_REL_MGCF, false, true);
		return;
	}
	osmo_fsm_inst_state_chg(c->fi, MGCF_CALL_ST_PROCEEDING, tdef_s(c->iw, MGCF_T_ACM_SUPERVISION),
				MGCF_T_ACM_SUPERVISION);
}

static void call_fsm_any(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct mgcf_call *c = fi->priv;

	switch (event) {
	case MGCF_CALL_EV_RELEASE:
		call_release(c, data);
		return;
	case MGCF_CALL_EV_MEDIA_READY:
		if (c->dir == MGCF_CDR_ISUP2SIP) {
			i2s_proceed(c);
		} else if (c->pending_200) {
			c->pending_200 = false;
			if (uas_respond(c, 200, true, 0, 0) == 0)
				c->sip_state = SIP_LEG_ANSWERED;
		} else if (c->pending_183) {
			c->pending_183 = false;
			uas_respond(c, 183, true, 0, 0);
		}
		return;
	case MGCF_CALL_EV_ISUP_MSG: {
		const struct isup_msg *m = data;

		if (c->releasing)
			return;
		if (c->dir == MGCF_CDR_SIP2ISUP) {
			s2i_isup_msg(c, m);
		} else if (m->type == ISUP_COT) {
			if (c->loopback && c->iw->media && c->chan_id > 0)
				media_plane_chan_loopback(c->iw->media, c->chan_id, false);
			c->loopback = false;
			if (m->continuity_ok) {
				c->cot_pending = false;
				i2s_proceed(c);
			}
		}
		return;
	}
	case MGCF_CALL_EV_SIP_RSP:
		i2s_sip_rsp(c, data);
		return;
	case MGCF_CALL_EV_SIP_ACK:
		if (c->sip_state == SIP_LEG_ANSWERED)
			c->sip_state = SIP_LEG_CONFIRMED;
		return;
	}
}

static int call_fsm_timer_cb(struct osmo_fsm_inst *fi)
{
	struct mgcf_call *c = fi->priv;

	switch (fi->T) {
	case MGCF_T_ACM_SUPERVISION:
		/* no 18x in time: ACM "no indication" so that the previous exchange's T7 does not fire */
		LOG_CALL(c, LOGL_INFO, "no 18x within the ACM supervision: ACM sent\n");
		isup_send_acm(c, 0);
		osmo_fsm_inst_state_chg(fi, MGCF_CALL_ST_EARLY, tdef_s(c->iw, MGCF_T_NO_ANSWER), MGCF_T_NO_ANSWER);
		return 0;
	case MGCF_T_NO_ANSWER:
		ctr_inc(c->iw, MGCF_CTR_TIMEOUTS);
		LOG_CALL(c, LOGL_NOTICE, "no answer from the IMS in time\n");
		release_by(c, 19, MGCF_CDR_REL_MGCF, false, false);
		return 0;
	default:
		/* RELEASING: the SIP leg never finished; give up on it */
		c->sip_state = SIP_LEG_ENDED;
		return 1;
	}
}

static void call_fsm_cleanup(struct osmo_fsm_inst *fi, enum osmo_fsm_term_cause cause)
{
	struct mgcf_call *c = fi->priv;
	struct mgcf_cdr cdr = {
		.start = c->start_rt,
		.answer = c->answer_rt,
		.direction = c->dir,
		.trunk = c->trunk,
		.cic = c->cic,
		.calling = c->calling,
		.called = c->called,
		.cause = c->cause ? c->cause : 31,
		.released_by = c->released_by,
	};

	if (c->ic) {
		struct isup_call *ic = c->ic;

		c->ic = NULL;
		isup_call_release(ic, cdr.cause);
	}
	media_chan_destroy(c);
	if (c->inv_st)
		sip_strans_set_ops(c->inv_st, NULL, NULL);
	if (c->inv_ct)
		sip_ctrans_detach(c->inv_ct);
	clock_gettime(CLOCK_REALTIME, &cdr.end);
	if (c->iw->cdr && c->trunk && mgcf_cdr_write(c->iw->cdr, &cdr) < 0)
		LOG_CALL(c, LOGL_ERROR, "cannot write the CDR\n");
	llist_del(&c->list);
}

static const struct osmo_fsm_state call_fsm_states[] = {
	[MGCF_CALL_ST_INIT] = {
		.name = "INIT",
		.out_state_mask = S(MGCF_CALL_ST_PROCEEDING) | S(MGCF_CALL_ST_RELEASING),
	},
	[MGCF_CALL_ST_PROCEEDING] = {
		.name = "PROCEEDING",
		.out_state_mask = S(MGCF_CALL_ST_EARLY) | S(MGCF_CALL_ST_ACTIVE) | S(MGCF_CALL_ST_RELEASING),
	},
	[MGCF_CALL_ST_EARLY] = {
		.name = "EARLY",
		.out_state_mask = S(MGCF_CALL_ST_EARLY) | S(MGCF_CALL_ST_ACTIVE) | S(MGCF_CALL_ST_RELEASING),
	},
	[MGCF_CALL_ST_ACTIVE] = {
		.name = "ACTIVE",
		.out_state_mask = S(MGCF_CALL_ST_RELEASING),
	},
	[MGCF_CALL_ST_RELEASING] = {
		.name = "RELEASING",
	},
};

static struct osmo_fsm mgcf_call_fsm = {
	.name = "mgcf_call",
	.states = call_fsm_states,
	.num_states = ARRAY_SIZE(call_fsm_states),
	.allstate_event_mask = S(MGCF_CALL_EV_MEDIA_READY) | S(MGCF_CALL_EV_ISUP_MSG) | S(MGCF_CALL_EV_SIP_RSP) |
			       S(MGCF_CALL_EV_SIP_ACK) | S(MGCF_CALL_EV_RELEASE),
	.allstate_action = call_fsm_any,
	.timer_cb = call_fsm_timer_cb,
	.cleanup = call_fsm_cleanup,
	.log_subsys = DMGCF,
	.event_names = mgcf_call_fsm_event_names,
};

static __attribute__((constructor)) void mgcf_call_fsm_register(void)
{
	OSMO_ASSERT(osmo_fsm_register(&mgcf_call_fsm) == 0);
}

static struct mgcf_call *call_alloc(struct mgcf_iw *iw, enum mgcf_cdr_direction dir)
{
	struct osmo_fsm_inst *fi;
	struct mgcf_call *c;
	char id[32];

	snprintf(id, sizeof(id), "call%" PRIu32, ++iw->next_id);
	fi = osmo_fsm_inst_alloc(&mgcf_call_fsm, iw->ctx, NULL, LOGL_DEBUG, id);
	if (!fi)
		return NULL;
	c = talloc_zero(fi, struct mgcf_call);
	if (!c) {
		osmo_fsm_inst_free(fi);
		return NULL;
	}
	fi->priv = c;
	c->fi = fi;
	c->iw = iw;
	c->id = iw->next_id;
	c->dir = dir;
	c->event_pt = -1;
	c->lo.sess_id = ++iw->sdp_sess_id;
	c->lo.sess_version = 1;
	clock_gettime(CLOCK_REALTIME, &c->start_rt);
	osmo_clock_gettime(CLOCK_MONOTONIC, &c->start_mono);
	llist_add_tail(&c->list, &iw->calls);
	ctr_inc(iw, dir == MGCF_CDR_SIP2ISUP ? MGCF_CTR_SIP2ISUP_CALLS : MGCF_CTR_ISUP2SIP_CALLS);
	return c;
}

/* Instance ids name the call, the trunk group and the CIC: "call7-pstn-cic5". */
static void call_update_id(struct mgcf_call *c)
{
	char id[64];

	snprintf(id, sizeof(id), "call%" PRIu32 "-%s-cic%u", c->id, c->trunk ? c->trunk : "none", c->cic);
	osmo_fsm_inst_update_id(c->fi, id);
}

/* ---- sip2isup: INVITE ------------------------------------------------------------------------------------- */

static struct mgcf_call *call_by_st(struct mgcf_iw *iw, const struct sip_strans *st)
{
	struct mgcf_call *c;

	llist_for_each_entry(c, &iw->calls, list) {
		if (c->inv_st == st)
			return c;
	}
	return NULL;
}

static void invite_st_terminated(void *priv, struct sip_strans *st)
{
	struct mgcf_call *c = priv;

	if (c->inv_st == st)
		c->inv_st = NULL;
}

static void invite_st_ack_timeout(void *priv, struct sip_strans *st)
{
	struct mgcf_call *c = priv;

	/* RFC 3261 §13.3.1.4: a 2xx never acknowledged ends the session */
	if (c->sip_state == SIP_LEG_ANSWERED) {
		LOG_CALL(c, LOGL_NOTICE, "no ACK for the 200: call ends\n");
		c->sip_state = SIP_LEG_CONFIRMED;
		release_by(c, 102, MGCF_CDR_REL_MGCF, false, false);
	}
}

static const struct sip_strans_ops invite_st_ops = {
	.ack_timeout = invite_st_ack_timeout,
	.terminated = invite_st_terminated,
};

static unsigned int trunk_calls(const struct mgcf_iw *iw, const char *trunk)
{
	const struct mgcf_call *c;
	unsigned int n = 0;

	llist_for_each_entry(c, &iw->calls, list) {
		if (c->trunk && !strcmp(c->trunk, trunk))
			n++;
	}
	return n;
}

static bool admission_ok(const struct mgcf_iw *iw, const struct mgcf_trunk_policy *tp, const char *trunk)
{
	return !tp || !tp->max_calls || trunk_calls(iw, trunk) < tp->max_calls;
}

static void reply_503(struct sip_strans *st)
{
	char extra[32];

	snprintf(extra, sizeof(extra), "Retry-After: %u\r\n", RETRY_AFTER_S);
	sip_strans_reply(st, 503, NULL, extra);
}

static void c_str_uri(const struct sip_msg *msg, enum sip_hdr_id id, char *buf, size_t len)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, id);
	struct sip_name_addr na;

	buf[0] = '\0';
	if (!h || sip_name_addr_parse(&na, h->value, false) < 0)
		return;
	sip_str_copy(buf, len, na.uri);
}

static void invite_handler(void *priv, struct sip_strans *st)
{
	struct mgcf_iw *iw = priv;
	const struct sip_msg *req = sip_strans_request(st);
	const struct sip_addr *src = sip_strans_source(st);
	const struct mgcf_route_out *r;
	struct mgcf_sip_call_info info = { .max_forwards = req->has_max_forwards ? req->max_forwards : -1 };
	char number[MGCF_NUMBER_MAX + 2], pai[256], from[256];
	const struct sip_hdr *h;
	struct mgcf_call *c;
	uint32_t privacy = 0;
	int rc;

	if (mgcf_number_from_uri(req->ruri.p, req->ruri.len, number, sizeof(number)) < 0 ||
	    !(r = mgcf_route_out_find(iw->cfg, number))) {
		ctr_inc(iw, MGCF_CTR_REJECTED_NO_ROUTE);
		LOGP(DMGCF, LOGL_NOTICE, "INVITE %.*s: no route: 404\n", SIP_STR_FMT(req->ruri));
		sip_strans_reply(st, 404, NULL, NULL);
		return;
	}
	if (!req->body.len) {
		/* offerless INVITE: the offer would go in our 200 (not supported by this SIP leg) */
		ctr_inc(iw, MGCF_CTR_REJECTED_SDP);
		sip_strans_reply(st, 488, "SDP offer required", NULL);
		return;
	}
	if (!admission_ok(iw, trunk_policy(iw->cfg, r->trunk), r->trunk)) {
		ctr_inc(iw, MGCF_CTR_REJECTED_ADMISSION);
		LOGP(DMGCF, LOGL_NOTICE, "INVITE %s: trunk group %s at its call limit: 503\n", number, r->trunk);
		reply_503(st);
		return;
	}
	c = call_alloc(iw, MGCF_CDR_SIP2ISUP);
	if (!c) {
		sip_strans_reply(st, 500, NULL, NULL);
		return;
	}
	c->inv_st = st;
	sip_strans_set_ops(st, &invite_st_ops, c);
	c->sip_state = SIP_LEG_CALLING;
	c->trunk = talloc_strdup(c, r->trunk);
	c->tp = trunk_policy(iw->cfg, r->trunk);
	c->called = talloc_strdup(c, number);
	c->sdp_offer = str_dup(c, req->body);
	c->call_id = str_dup(c, req->call_id);
	c->remote_tag = str_dup(c, req->from_tag);
	c->local_tag = talloc_strdup(c, sip_strans_to_tag(st));
	c->remote_uri = str_dup(c, req->from.uri);
	c->local_uri = str_dup(c, req->to.uri);
	h = sip_msg_hdr(req, SIP_HDR_CONTACT);
	{
		struct sip_contact ct;

		if (h && sip_contact_parse(&ct, h->value) == 0 && !ct.na.wildcard)
			c->remote_target = str_dup(c, ct.na.uri);
		else
			c->remote_target = str_dup(c, req->from.uri);
	}
	/* in-dialog requests: to the Contact if it is an IP literal, else back where the INVITE came from */
	if (sip_core_uri_dst(sip_str_c(c->remote_target), &c->peer) < 0)
		c->peer = *src;
	c->peer.conn_id = src->proto == c->peer.proto ? src->conn_id : 0;

	rc = sdp_answer_build(c, NULL);
	if (rc < 0) {
		ctr_inc(iw, MGCF_CTR_REJECTED_SDP);
		LOG_CALL(c, LOGL_NOTICE, "no acceptable media in the offer: 488\n");
		uas_respond(c, 488, false, 0, 0);
		release_by(c, 65, MGCF_CDR_REL_MGCF, true, true);
		return;
	}

	/* TS 29.163 §7.2.3.1.2: the IAM from the INVITE */
	if (iw->sip_cfg && sip_net_contains(iw->sip_cfg->trusted, iw->sip_cfg->num_trusted, &src->remote)) {
		c_str_uri(req, SIP_HDR_P_ASSERTED_IDENTITY, pai, sizeof(pai));
		if (pai[0])
			info.pai_uri = pai;
		sip_msg_privacy(req, &privacy);
	}
	sip_str_copy(from, sizeof(from), req->from.uri);
	info.from_uri = from;
	info.called = number;
	info.privacy_id = privacy & SIP_PRIVACY_ID;
	info.privacy_user = privacy & (SIP_PRIVACY_USER | SIP_PRIVACY_HEADER);
	/* kept for a re-attempt on congestion */
	c->iam = talloc_zero(c, struct isup_msg);
	c->digits = talloc_zero(c, struct mgcf_iam_digits);
	rc = c->iam && c->digits ? mgcf_map_iam(c->iam, c->digits, r, &info) : -ENOMEM;
	if (rc < 0) {
		LOG_CALL(c, LOGL_NOTICE, "the number %s cannot be dialled by route %s: 484\n", number, r->name);
		uas_respond(c, 484, false, 28, 0);
		c->sip_state = SIP_LEG_ENDED;
		release_by(c, 28, MGCF_CDR_REL_MGCF, true, true);
		return;
	}
	if (c->digits->calling[0])
		c->calling = talloc_strdup(c, c->digits->calling);
	rc = iw->isup ? isup_call_setup(iw->isup, r->trunk, c->iam, c, &c->ic) : -ENETDOWN;
	if (rc < 0) {
		/* no circuit, or the association is down: 503 with Retry-After (cause 34 for the CDR) */
		ctr_inc(iw, MGCF_CTR_REJECTED_ADMISSION);
		LOG_CALL(c, LOGL_NOTICE, "no circuit on %s (%s): 503\n", r->trunk, strerror(-rc));
		c->ic = NULL;
		uas_respond(c, 503, false, 34, RETRY_AFTER_S);
		c->sip_state = SIP_LEG_ENDED;
		release_by(c, 34, MGCF_CDR_REL_MGCF, true, true);
		return;
	}
	c->cic = isup_call_cic(c->ic);
	call_update_id(c);
	LOG_CALL(c, LOGL_INFO, "sip2isup %s -> %s: IAM on %s CIC %u\n", c->calling ? c->calling : "-", number,
		 c->trunk, c->cic);
	media_chan_create(c);
	if (iw->media && c->chan_id <= 0) {
		ctr_inc(iw, MGCF_CTR_MEDIA_FAILED);
		release_by(c, 47, MGCF_CDR_REL_MGCF, false, false);
		return;
	}
	osmo_fsm_inst_state_chg(c->fi, MGCF_CALL_ST_PROCEEDING, 0, 0);
}

/* ---- in-dialog requests, ACK, CANCEL, OPTIONS (sip_core_ops) --------------------------------------------- */

static struct mgcf_call *call_by_dialog(struct mgcf_iw *iw, const struct sip_msg *msg)
{
	struct mgcf_call *c;

	llist_for_each_entry(c, &iw->calls, list) {
		if (!c->call_id || !c->local_tag || !sip_str_eq(msg->call_id, c->call_id))
			continue;
		/* requests from the peer carry our tag in To */
		if (sip_str_eq(msg->to_tag, c->local_tag))
			return c;
	}
	return NULL;
}

static uint8_t cause_of_req(const struct sip_msg *req, uint8_t dflt)
{
	struct sip_reason r;

	if (sip_msg_reason(req, "Q.850", &r) == 0 && r.has_cause && r.cause >= 1 && r.cause <= 127)
		return r.cause;
	return dflt;
}

static int sip_in_dialog(void *priv, struct sip_strans *st)
{
	struct mgcf_iw *iw = priv;
	const struct sip_msg *req = sip_strans_request(st);
	struct mgcf_call *c = call_by_dialog(iw, req);

	if (!c)
		return -ENOENT;
	switch (req->method_id) {
	case SIP_METHOD_BYE:
		sip_strans_reply(st, 200, NULL, NULL);
		if (c->sip_state == SIP_LEG_ENDED)
			return 0;
		/* standards.md §4(d): BYE → REL cause 16 unless Reason carries one */
		c->sip_state = SIP_LEG_ENDED;
		release_by(c, cause_of_req(req, 16), MGCF_CDR_REL_SIP, false, true);
		return 0;
	case SIP_METHOD_INVITE:
		/* re-INVITE: this SIP leg keeps its one offer/answer */
		sip_strans_reply(st, 488, "Session modification not supported", NULL);
		return 0;
	default:
		sip_strans_reply(st, 405, NULL, NULL);
		return 0;
	}
}

static void sip_ack(void *priv, const struct sip_rx *rx)
{
	struct mgcf_call *c = call_by_dialog(priv, rx->msg);

	if (c)
		osmo_fsm_inst_dispatch(c->fi, MGCF_CALL_EV_SIP_ACK, NULL);
}

static void sip_cancel(void *priv, struct sip_strans *invite)
{
	struct mgcf_iw *iw = priv;
	struct mgcf_call *c = call_by_st(iw, invite);

	if (!c) {
		sip_strans_reply(invite, 487, NULL, NULL);
		return;
	}
	/* standards.md §4(d): 487 to the INVITE, REL cause 31 */
	uas_respond(c, 487, false, 0, 0);
	c->sip_state = SIP_LEG_ENDED;
	release_by(c, 31, MGCF_CDR_REL_SIP, false, true);
}

static int count_idle(const struct isup_cic_info *info, void *arg)
{
	if (info->idle && !info->blk)
		(*(unsigned int *)arg)++;
	return 0;
}

static uint16_t sip_options_status(void *priv)
{
	struct mgcf_iw *iw = priv;
	unsigned int idle = 0;

	/* a load balancer's health check: 503 when no circuit could take a call */
	if (!iw->isup)
		return 503;
	isup_node_cic_state(iw->isup, NULL, count_idle, &idle);
	return idle ? 200 : 503;
}

const struct sip_core_ops mgcf_iw_sip_ops = {
	.in_dialog = sip_in_dialog,
	.ack = sip_ack,
	.cancel = sip_cancel,
	.options_status = sip_options_status,
};

/* ---- isup2sip: IAM ------------------------------------------------------------------------------------------- */

static void *isup_incoming(struct isup_node *node, struct isup_call *call, const struct isup_msg *iam, void *priv)
{
	struct mgcf_iw *iw = priv;
	const char *trunk = isup_call_trunk(call);
	const struct mgcf_route_in *r;
	struct mgcf_invite_info info;
	char digits[MGCF_NUMBER_MAX + 1] = "", calling[MGCF_NUMBER_MAX + 1] = "";
	uint8_t nai = MGCF_NAI_NATIONAL;
	struct mgcf_call *c;
	char *uri;
	char tag[SIP_TAG_BUF];
	int rc;

	if (isup_msg_has(iam, ISUP_P_CALLED_NUMBER)) {
		isup_number_get_digits(&iam->called, digits, sizeof(digits));
		nai = iam->called.nai;
		/* the ST digit ends en bloc numbers; it is no part of the number */
		if (digits[0] && (digits[strlen(digits) - 1] == 'F' || digits[strlen(digits) - 1] == 'f'))
			digits[strlen(digits) - 1] = '\0';
	}
	if (isup_msg_has(iam, ISUP_P_CALLING_NUMBER))
		isup_number_get_digits(&iam->calling, calling, sizeof(calling));

	c = call_alloc(iw, MGCF_CDR_ISUP2SIP);
	if (!c) {
		isup_call_release(call, 47);
		return NULL;
	}
	c->ic = call;
	c->trunk = talloc_strdup(c, trunk);
	c->cic = isup_call_cic(call);
	c->tp = trunk_policy(iw->cfg, trunk);
	c->called = talloc_strdup(c, digits);
	c->calling = calling[0] ? talloc_strdup(c, calling) : NULL;
	call_update_id(c);
	LOG_CALL(c, LOGL_INFO, "isup2sip %s -> %s\n", calling[0] ? calling : "-", digits);

	r = mgcf_route_in_find(iw->cfg, trunk, digits);
	uri = r ? mgcf_route_in_uri(c, r, digits, nai, r->country_code) : NULL;
	if (!uri) {
		ctr_inc(iw, MGCF_CTR_REJECTED_NO_ROUTE);
		LOG_CALL(c, LOGL_NOTICE, "no route to the IMS for %s: cause 3\n", digits);
		c->ic = NULL;
		isup_call_release(call, 3);
		release_by(c, 3, MGCF_CDR_REL_MGCF, true, true);
		return NULL;
	}
	/* this call is already counted */
	if (c->tp && c->tp->max_calls && trunk_calls(iw, trunk) > c->tp->max_calls) {
		ctr_inc(iw, MGCF_CTR_REJECTED_ADMISSION);
		LOG_CALL(c, LOGL_NOTICE, "trunk group %s at its call limit: cause 42\n", trunk);
		c->ic = NULL;
		isup_call_release(call, 42);
		release_by(c, 42, MGCF_CDR_REL_MGCF, true, true);
		return NULL;
	}
	rc = mgcf_map_invite(c, &info, iam, iw->sip_cfg ? iw->sip_cfg->domain : "mgcf.invalid", r->country_code,
			     r->preconditions);
	if (rc < 0 || sip_gen_tag(tag, sizeof(tag)) < 0) {
		c->ic = NULL;
		isup_call_release(call, 47);
		release_by(c, 47, MGCF_CDR_REL_MGCF, true, true);
		return NULL;
	}
	c->remote_target = uri;
	c->remote_uri = talloc_strdup(c, uri);
	c->from_hdr = info.from;
	c->pai_hdr = info.pai;
	c->privacy_id = info.privacy_id;
	c->max_forwards = info.max_forwards;
	c->local_tag = talloc_strdup(c, tag);
	{
		struct sip_name_addr na;

		if (sip_name_addr_parse(&na, sip_str_c(c->from_hdr), false) == 0)
			c->local_uri = str_dup(c, na.uri);
		else
			c->local_uri = talloc_strdup(c, "sip:anonymous@anonymous.invalid");
	}
	sip_gen_tag(tag, sizeof(tag));
	c->call_id = talloc_asprintf(c, "%s@%s", tag, iw->sip_cfg ? iw->sip_cfg->domain : "mgcf.invalid");
	if (invite_dst(c, r, &c->peer) < 0) {
		LOG_CALL(c, LOGL_ERROR, "no SIP destination for %s: cause 3\n", uri);
		c->ic = NULL;
		isup_call_release(call, 3);
		release_by(c, 3, MGCF_CDR_REL_MGCF, true, true);
		return NULL;
	}
	/* TS 29.163 §7.2.3.2.1 without preconditions towards the IMS: the INVITE waits for COT */
	c->cot_pending = isup_msg_has(iam, ISUP_P_NCI) && iam->nci.continuity != 0;
	media_chan_create(c);
	if (iw->media && c->chan_id <= 0) {
		ctr_inc(iw, MGCF_CTR_MEDIA_FAILED);
		c->ic = NULL;
		isup_call_release(call, 47);
		release_by(c, 47, MGCF_CDR_REL_MGCF, true, true);
		return NULL;
	}
	if (isup_msg_has(iam, ISUP_P_NCI) && iam->nci.continuity == 1 && iw->media && c->chan_id > 0) {
		/* continuity required on this circuit: the far end tests through our loop */
		media_plane_chan_loopback(iw->media, c->chan_id, true);
		c->loopback = true;
	}
	i2s_proceed(c);
	return c;
}

static void isup_event(struct isup_call *call, const struct isup_msg *msg, void *upper_priv)
{
	struct mgcf_call *c = upper_priv;

	if (c && c->ic == call)
		osmo_fsm_inst_dispatch(c->fi, MGCF_CALL_EV_ISUP_MSG, (void *)msg);
}

/* Congestion before any backward message (Q.850 34 no circuit, 42 switching equipment congestion, 44 requested
 * circuit not available): the call is tried once more on another circuit of the trunk group. */
static bool s2i_reattempt(struct mgcf_call *c, uint8_t cause)
{
	int rc;

	if (c->dir != MGCF_CDR_SIP2ISUP || c->fi->state != MGCF_CALL_ST_PROCEEDING || !c->iam || !c->iw->isup ||
	    c->reattempts >= MAX_REATTEMPTS || (cause != 34 && cause != 42 && cause != 44))
		return false;
	c->reattempts++;
	rc = isup_call_setup(c->iw->isup, c->trunk, c->iam, c, &c->ic);
	if (rc < 0) {
		c->ic = NULL;
		return false;
	}
	LOG_CALL(c, LOGL_INFO, "cause %u from the far end: re-attempt on CIC %u\n", cause, isup_call_cic(c->ic));
	media_chan_destroy(c);
	c->cic = isup_call_cic(c->ic);
	call_update_id(c);
	media_chan_create(c);
	return true;
}

static void isup_released(struct isup_call *call, uint8_t cause, bool by_remote, void *upper_priv)
{
	struct mgcf_call *c = upper_priv;

	/* our own isup_call_release() cleared c->ic first: nothing to do then */
	if (!c || c->ic != call)
		return;
	c->ic = NULL;
	if (by_remote && s2i_reattempt(c, cause))
		return;
	if (!by_remote)
		ctr_inc(c->iw, MGCF_CTR_TIMEOUTS);
	release_by(c, cause, by_remote ? MGCF_CDR_REL_ISUP : MGCF_CDR_REL_MGCF, true, false);
}

static void isup_cic_changed(struct isup_call *call, uint16_t cic, void *upper_priv)
{
	struct mgcf_call *c = upper_priv;

	if (!c || c->ic != call)
		return;
	/* the media channel follows the call to its new circuit */
	media_chan_destroy(c);
	c->cic = cic;
	call_update_id(c);
	media_chan_create(c);
}

static void isup_cot_test(struct isup_call *call, const char *trunk, uint16_t cic, void *upper_priv)
{
	struct mgcf_call *c = upper_priv;

	/* the tone test needs the channel; without one the check is reported failed */
	if (!c || c->chan_id <= 0 || !c->iw->media || media_plane_chan_cot(c->iw->media, c->chan_id, 0) < 0)
		isup_call_cot_result(call, !c || !c->iw->media);
}

static void isup_assoc_state(struct isup_node *node, const char *name, bool active, void *priv)
{
	LOGP(DMGCF, LOGL_NOTICE, "M3UA association %s is %s\n", name, active ? "active" : "down");
}

const struct isup_node_ops mgcf_iw_isup_ops = {
	.incoming_call = isup_incoming,
	.call_event = isup_event,
	.call_released = isup_released,
	.cic_changed = isup_cic_changed,
	.cot_test = isup_cot_test,
	.assoc_state = isup_assoc_state,
};

/* ---- media events --------------------------------------------------------------------------------------------- */

void mgcf_iw_media_event(struct mgcf_iw *iw, const struct media_event *ev)
{
	struct mgcf_call *c, *found = NULL;

	llist_for_each_entry(c, &iw->calls, list) {
		if (c->chan_id > 0 && (uint32_t)c->chan_id == ev->chan_id) {
			found = c;
			break;
		}
	}
	if (!found)
		return;
	c = found;
	switch (ev->type) {
	case MEDIA_EV_CHAN_READY:
		c->local_port = ev->local_port;
		c->media_ready = true;
		osmo_fsm_inst_dispatch(c->fi, MGCF_CALL_EV_MEDIA_READY, NULL);
		break;
	case MEDIA_EV_CHAN_FAILED:
		ctr_inc(iw, MGCF_CTR_MEDIA_FAILED);
		LOG_CALL(c, LOGL_ERROR, "media channel failed: %s\n", strerror(-ev->rc));
		c->chan_id = 0;
		release_by(c, 47, MGCF_CDR_REL_MGCF, false, false);
		break;
	case MEDIA_EV_COT_RESULT:
		if (c->ic)
			isup_call_cot_result(c->ic, ev->cot_ok);
		break;
	default:
		break;
	}
}

/* ---- the layer -------------------------------------------------------------------------------------------------- */

struct mgcf_iw *mgcf_iw_alloc(void *ctx, const struct mgcf_iw_deps *deps)
{
	struct mgcf_iw *iw = talloc_zero(ctx, struct mgcf_iw);
	static unsigned int ctr_idx;

	if (!iw)
		return NULL;
	iw->ctx = iw;
	iw->isup = deps->isup;
	iw->media = deps->media;
	iw->media_cfg = deps->media_cfg;
	iw->cfg = deps->cfg;
	iw->sip_cfg = deps->sip_cfg;
	iw->tdefs = deps->tdefs ? deps->tdefs : mgcf_tdefs;
	INIT_LLIST_HEAD(&iw->calls);
	iw->sdp_sess_id = (uint64_t)time(NULL) << 16;
	iw->ctrs = rate_ctr_group_alloc(iw, &mgcf_iw_ctrg_desc, ctr_idx++);
	if (!iw->ctrs) {
		talloc_free(iw);
		return NULL;
	}
	if (deps->sip && mgcf_iw_set_sip(iw, deps->sip) < 0) {
		rate_ctr_group_free(iw->ctrs);
		talloc_free(iw);
		return NULL;
	}
	return iw;
}

void mgcf_iw_free(struct mgcf_iw *iw)
{
	struct mgcf_call *c, *n;

	if (!iw)
		return;
	llist_for_each_entry_safe(c, n, &iw->calls, list)
		release_by(c, 41, MGCF_CDR_REL_MGCF, false, false);
	/* calls still waiting for their SIP leg's last response are cut short */
	llist_for_each_entry_safe(c, n, &iw->calls, list)
		osmo_fsm_inst_term(c->fi, OSMO_FSM_TERM_REQUEST, NULL);
	if (iw->cdr)
		mgcf_cdr_close(iw->cdr);
	rate_ctr_group_free(iw->ctrs);
	talloc_free(iw);
}

void mgcf_iw_set_isup(struct mgcf_iw *iw, struct isup_node *isup)
{
	iw->isup = isup;
}

/* A BYE without To tag belongs to no dialog (RFC 3261 §15.1.2); in-dialog BYEs reach sip_in_dialog(). */
static void bye_handler(void *priv, struct sip_strans *st)
{
	sip_strans_reply(st, 481, NULL, NULL);
}

void mgcf_iw_set_media(struct mgcf_iw *iw, struct media_plane *media)
{
	iw->media = media;
}

int mgcf_iw_set_sip(struct mgcf_iw *iw, struct sip_core *sip)
{
	int rc;

	iw->sip = sip;
	rc = sip_core_register(sip, SIP_METHOD_INVITE, invite_handler, iw);
	if (rc == 0)
		rc = sip_core_register(sip, SIP_METHOD_BYE, bye_handler, iw);
	return rc;
}

void mgcf_iw_set_cfg(struct mgcf_iw *iw, const struct mgcf_cfg *cfg, const struct sip_cfg *sip_cfg)
{
	struct mgcf_call *c;

	iw->cfg = cfg;
	iw->sip_cfg = sip_cfg;
	/* the policy pointers of running calls belong to the old configuration */
	llist_for_each_entry(c, &iw->calls, list)
		c->tp = trunk_policy(cfg, c->trunk);
}

int mgcf_iw_set_cdr_file(struct mgcf_iw *iw, const char *path)
{
	if (iw->cdr) {
		mgcf_cdr_close(iw->cdr);
		iw->cdr = NULL;
	}
	if (!path)
		return 0;
	iw->cdr = mgcf_cdr_open(iw, path);
	return iw->cdr ? 0 : -errno;
}

unsigned int mgcf_iw_num_calls(const struct mgcf_iw *iw)
{
	return llist_count(&iw->calls);
}

unsigned int mgcf_iw_trunk_calls(const struct mgcf_iw *iw, const char *trunk)
{
	return trunk_calls(iw, trunk);
}

uint64_t mgcf_iw_ctr(const struct mgcf_iw *iw, enum mgcf_iw_ctr ctr)
{
	return rate_ctr_group_get_ctr(iw->ctrs, ctr)->current;
}

void mgcf_iw_show_calls(const struct mgcf_iw *iw, void (*out)(void *arg, const char *line), void *arg)
{
	const struct mgcf_call *c;
	struct timespec now;
	char line[256];

	osmo_clock_gettime(CLOCK_MONOTONIC, &now);
	snprintf(line, sizeof(line), "%-6s %-9s %-8s %-5s %-11s %-14s %-10s %-6s %s", "call", "direction", "trunk",
		 "cic", "state", "isup", "sip", "age", "calling -> called");
	out(arg, line);
	llist_for_each_entry(c, &iw->calls, list) {
		snprintf(line, sizeof(line), "%-6" PRIu32 " %-9s %-8s %-5u %-11s %-14s %-10s %-6ld %s -> %s", c->id,
			 get_value_string(cdr_dir_names, c->dir), c->trunk ? c->trunk : "-", c->cic,
			 osmo_fsm_inst_state_name(c->fi), c->ic ? isup_call_state_name(c->ic) : "-",
			 get_value_string(sip_leg_state_names, c->sip_state), (long)(now.tv_sec - c->start_mono.tv_sec),
			 c->calling ? c->calling : "-", c->called ? c->called : "-");
		out(arg, line);
	}
	snprintf(line, sizeof(line), "%u call(s)", llist_count(&iw->calls));
	out(arg, line);
}
