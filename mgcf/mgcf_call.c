/* The interworking calls (TS 29.163 §7.2.3; standards.md §4): one parent FSM per call owning the ISUP leg (an
 * isup_call of the node), the SIP leg (a sip_sess of the session layer) and a media channel.
 *
 * The session layer does the SIP procedures (100rel/PRACK, UPDATE, CANCEL, BYE, session timers); this file maps
 * them to ISUP and back and does the SDP offer/answer and the preconditions (RFC 3312, sdp_precond.h):
 *  - a SIP->ISUP call whose offer has unmet mandatory preconditions sends the IAM at once with "continuity check
 *    performed on a previous circuit" and COT when they are met, or holds the IAM until then (per trunk group);
 *    the answer goes in a reliable 183;
 *  - an ISUP->SIP call whose IAM asks for continuity (or whose route says so) offers preconditions with the local
 *    segment not met and sends an UPDATE when COT arrives; with preconditions disabled the INVITE waits for COT.
 * Every exit path goes through call_release(), which releases the leg that is still up with the mapped cause, and
 * the FSM's cleanup, which destroys the media channel, writes the CDR line and frees the call.
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

#include <mgcf/dec.h>
#include <mgcf/log.h>
#include "mgcf/mgcf_call.h"
#include "mgcf/mgcf_cause.h"
#include "mgcf/mgcf_map.h"
#include "mgcf/mgcf_route.h"
#include "mgcf/mgcf_timers.h"
#include "isup/isup_timers.h"
#include "sip/sdp.h"
#include "sip/sdp_precond.h"
#include "sip/sip_build.h"

#define S(x)		(1 << (x))
#define RELEASING_MAX_S	40		/* the SIP leg's last transaction (Timer B: 64*T1) is over by then */
#define LOC_BI		0xa		/* Q.850 location "network beyond interworking point" (standards.md §4(c)) */
#define NO_MEDIA_PORT	9		/* SDP port of a call without media plane (discard; unit tests) */
#define MAX_REATTEMPTS	1		/* new circuits tried after a congestion release before any backward message */

enum mgcf_call_fsm_state {
	MGCF_CALL_ST_INIT,		/*!< set-up: media channel, continuity, preconditions; nothing sent onwards */
	MGCF_CALL_ST_PROCEEDING,	/*!< IAM / INVITE sent, nothing back yet */
	MGCF_CALL_ST_EARLY,		/*!< ACM / 18x: alerting or progress */
	MGCF_CALL_ST_ACTIVE,		/*!< answered */
	MGCF_CALL_ST_RELEASING,		/*!< one leg ended; the other is being released */
};

enum mgcf_call_fsm_event {
	MGCF_CALL_EV_MEDIA_READY,	/*!< media plane: the channel has its RTP port; data NULL */
	MGCF_CALL_EV_ISUP_MSG,		/*!< ISUP node: ACM/CPG/ANM/CON/COT...; data const struct isup_msg * */
	MGCF_CALL_EV_SIP_PROGRESS,	/*!< session: an 18x (UAC); data const struct sip_sess_info * */
	MGCF_CALL_EV_SIP_ESTABLISHED,	/*!< session: 2xx + ACK; data const struct sip_sess_info * */
	MGCF_CALL_EV_SIP_OFFER,		/*!< session: the peer offers (UPDATE, re-INVITE, PRACK); data info */
	MGCF_CALL_EV_SIP_ANSWER,	/*!< session: the peer answered our offer; data info */
	MGCF_CALL_EV_SIP_ENDED,		/*!< session: over (the session pointer is gone); data info */
	MGCF_CALL_EV_RELEASE,		/*!< any: end the call; data struct rel_ev * */
};

static const struct value_string mgcf_call_fsm_event_names[] = {
	{ MGCF_CALL_EV_MEDIA_READY, "MEDIA_READY" },
	{ MGCF_CALL_EV_ISUP_MSG, "ISUP_MSG" },
	{ MGCF_CALL_EV_SIP_PROGRESS, "SIP_PROGRESS" },
	{ MGCF_CALL_EV_SIP_ESTABLISHED, "SIP_ESTABLISHED" },
	{ MGCF_CALL_EV_SIP_OFFER, "SIP_OFFER" },
	{ MGCF_CALL_EV_SIP_ANSWER, "SIP_ANSWER" },
	{ MGCF_CALL_EV_SIP_ENDED, "SIP_ENDED" },
	{ MGCF_CALL_EV_RELEASE, "RELEASE" },
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
	[MGCF_CTR_TIMEOUTS] = { "mgcf:timeouts", "calls ended by an interworking or ISUP timer" },
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
	struct sip_sess_ua *ua;
	struct media_plane *media;
	const struct media_cfg *media_cfg;
	const struct mgcf_cfg *cfg;
	const struct sip_cfg *sip_cfg;
	struct osmo_tdef *tdefs;
	struct mgcf_cdr_writer *cdr;
	struct rate_ctr_group *ctrs;
	struct llist_head calls;
	struct llist_head cot_chans;	/*!< struct cot_chan: re-tests and loops on circuits no call holds */
	uint32_t next_id;
	uint64_t sdp_sess_id;
	/* scratch for the offer/answer of one call at a time (nothing in between calls back into a call): two
	 * sessions of 37 kB and the text buffer, allocated once instead of per use */
	struct sdp_session *sdp_s1, *sdp_s2;
	struct msgb *sdp_buf;
};

/*! Why a call ends (MGCF_CALL_EV_RELEASE). */
struct rel_ev {
	uint8_t cause;
	enum mgcf_cdr_releaser by;
	bool isup_gone;		/*!< the ISUP leg is already released (REL received, T7/T9, reset) */
	bool sip_gone;		/*!< the SIP leg is already over */
};

struct mgcf_call {
	struct llist_head list;
	struct mgcf_iw *iw;
	struct osmo_fsm_inst *fi;
	uint32_t id;
	bool id_cic;			/*!< the circuit is known: the instance's id carries it */
	bool id_stale;			/*!< the id lags the circuit: call_named() renames before logging */
	enum mgcf_cdr_direction dir;
	struct timespec start_rt, answer_rt;
	struct timespec start_mono;
	char *trunk;
	uint16_t cic;
	char *calling;
	char *called;
	const struct mgcf_trunk_policy *tp;

	/* ISUP leg */
	struct isup_call *ic;		/*!< NULL once released (or before a held IAM is sent) */
	struct isup_msg *iam;		/*!< sip2isup: the IAM (held until the preconditions are met; re-attempts) */
	struct mgcf_iam_digits *digits;	/*!< ... and the digits it refers to */
	bool iam_held;
	unsigned int reattempts;
	bool acm_sent;			/*!< isup2sip: ACM sent */
	bool acm_pending;		/*!< isup2sip: ACM waiting for COT */
	uint8_t acm_status;
	bool answered_isup;		/*!< isup2sip: ANM/CON sent */
	bool cot_pending;		/*!< isup2sip: the IAM asked for continuity, COT not yet received */
	bool loopback;			/*!< isup2sip: the timeslot is looped for the far end's continuity test */
	bool cot_wanted;		/*!< sip2isup: the node asked for the tone test before the channel existed */
	bool early_media;		/*!< isup2sip: an 18x carried SDP: the IMS side gives the caller its audio */
	bool ringback;			/*!< isup2sip: we play ringing tone toward the caller */

	/* SIP leg */
	struct sip_sess *sess;		/*!< NULL once the session ended */
	char *ruri;			/*!< isup2sip */
	char *from_hdr;
	char *pai_hdr;
	bool privacy_id;
	struct sip_addr dst;
	bool have_dst;
	uint16_t sip_status;		/*!< final status to use instead of the cause table (580) */
	bool pending_200;		/*!< sip2isup: answer as soon as the media channel is ready */
	bool pending_183;		/*!< sip2isup: 183 with the SDP answer as soon as the channel has its port */
	bool reoffer_pending;		/*!< sip2isup: the channel moved to the circuit: UPDATE with its port */

	/* SDP and preconditions */
	char *sdp_remote_offer;		/*!< sip2isup: the INVITE's offer */
	char *sdp_offer;		/*!< our last offer */
	char *sdp_local;		/*!< the last SDP we sent */
	bool sdp_sent;			/*!< sip2isup: the answer (or our offer) went out */
	bool precond;			/*!< preconditions in use on this call */
	bool precond_pending;		/*!< sip2isup: mandatory preconditions not met yet */
	bool update_pending;		/*!< isup2sip: UPDATE with "local sendrecv" due */
	struct sdp_precond pc;

	/* media */
	int64_t chan_id;		/*!< 0: none */
	int chan_cic;			/*!< the circuit of the channel's TDM side; -1: RTP only */
	bool media_ready;
	uint16_t local_port;
	char *remote_addr;
	uint16_t remote_port;
	uint8_t pt;
	int event_pt;
	struct sdp_local_origin lo;

	/* release */
	uint8_t cause;
	enum mgcf_cdr_releaser released_by;
	bool releasing;
	bool in_release;		/*!< inside call_release(): the session's end must not free the call */
};

static struct osmo_fsm_inst *call_named(struct mgcf_call *c);

/* call_named(): a call's instance gets its first id only when something logs about it (see call_alloc()) */
#define LOG_CALL(c, level, fmt, args...) LOGPFSML_NAMED(DMGCF, call_named(c), level, fmt, ##args)

static struct osmo_fsm mgcf_call_fsm;
static void call_release(struct mgcf_call *c, const struct rel_ev *r);
static void media_chan_create(struct mgcf_call *c);
static void media_chan_destroy(struct mgcf_call *c);
static void media_update(struct mgcf_call *c);
static void call_update_id(struct mgcf_call *c);
static void i2s_proceed(struct mgcf_call *c);

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
	caps->addr = c->iw->media_cfg && c->iw->media_cfg->rtp_addr.ip[0] ? c->iw->media_cfg->rtp_addr.ip : "127.0.0.1";
	caps->addr_type = strchr(caps->addr, ':') ? SDP_ADDR_IP6 : SDP_ADDR_IP4;
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

/* room for our SDP text (an offer or answer of a few hundred bytes) */
#define SDP_TEXT_MAX 4096

static char *sdp_text(struct mgcf_call *c, struct sdp_session *sdp)
{
	struct msgb *body = c->iw->sdp_buf;

	msgb_reset(body);
	if (sdp_build(body, sdp) < 0)
		return NULL;
	return talloc_strndup(c, (const char *)msgb_data(body), msgb_length(body));
}

/* Our side's segment: the MGW's resources are there as soon as the channel is (RFC 3312 §5). */
static void precond_local_ready(struct mgcf_call *c, unsigned int num_streams, bool ready)
{
	unsigned int i;

	for (i = 0; i < num_streams; i++)
		sdp_precond_set_local_current(&c->pc, i, SDP_PC_DIR_SENDRECV, ready);
}

/* Answer the peer's offer (text): the media parameters are taken from it, the preconditions updated.
 * \returns the answer (talloc'd under c; NULL with check_only), -EPROTO in *rc when nothing is acceptable. */
/* The scratch sessions (iw's, here and below) are not zeroed: sdp_parse(), sdp_answer() and sdp_offer() empty
 * them (37 kB each, zeroed twice per use before: a third of a call's instructions). */
static char *sdp_answer_text(struct mgcf_call *c, const char *offer_text, bool check_only, int *rc_out)
{
	struct sdp_session *offer = c->iw->sdp_s1;
	struct sdp_session *answer = c->iw->sdp_s2;
	struct sdp_oa_result res;
	struct sdp_caps caps;
	char *text = NULL;
	int rc;

	rc = sdp_parse(offer, offer_text, strlen(offer_text), NULL);
	if (rc == 0) {
		sdp_caps_fill(c, &caps);
		rc = sdp_answer(answer, &res, offer, &caps, &c->lo);
	}
	if (rc == 0)
		rc = media_from_result(c, &res);
	if (rc == 0) {
		sdp_precond_update(&c->pc, offer);
		if (sdp_precond_in_use(&c->pc)) {
			c->precond = true;
			precond_local_ready(c, offer->num_media, true);
			rc = sdp_precond_write(&c->pc, answer, false);
		}
	}
	if (rc == 0 && !check_only) {
		text = sdp_text(c, answer);
		if (!text)
			rc = -ENOMEM;
	}
	if (rc_out)
		*rc_out = rc;
	return text;
}

/* Our offer, with the precondition lines when preconditions are in use; kept to process the answer. */
static char *sdp_offer_text(struct mgcf_call *c)
{
	struct sdp_session *offer = c->iw->sdp_s1;
	struct sdp_caps caps;
	char *text = NULL;

	sdp_caps_fill(c, &caps);
	if (sdp_offer(offer, &caps, &c->lo, false, SDP_DIR_SENDRECV) == 0 &&
	    (!c->precond || sdp_precond_write(&c->pc, offer, false) == 0))
		text = sdp_text(c, offer);
	if (text) {
		talloc_free(c->sdp_offer);
		c->sdp_offer = talloc_strdup(c, text);
	}
	return text;
}

/* The peer's answer to our offer. */
static int sdp_answer_in(struct mgcf_call *c, struct sip_str body)
{
	struct sdp_session *offer = c->iw->sdp_s1;
	struct sdp_session *answer = c->iw->sdp_s2;
	struct sdp_oa_result res;
	int rc;

	if (!c->sdp_offer)
		return -ENOMEM;
	rc = sdp_parse(offer, c->sdp_offer, strlen(c->sdp_offer), NULL);
	if (rc == 0)
		rc = sdp_parse(answer, body.p, body.len, NULL);
	if (rc == 0)
		rc = sdp_process_answer(&res, offer, answer);
	if (rc == 0)
		rc = media_from_result(c, &res);
	if (rc == 0 && c->precond)
		sdp_precond_update(&c->pc, answer);
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

/* Q.764 §2.1.8: the 2000 Hz tone out on the call's circuit; the media thread answers MEDIA_EV_COT_RESULT. */
static void call_cot_start(struct mgcf_call *c)
{
	c->cot_wanted = false;
	LOG_CALL(c, LOGL_INFO, "continuity test on CIC %u: 2000 Hz out\n", c->cic);
	if (media_plane_chan_cot(c->iw->media, c->chan_id, isup_cot_tone_timeout_ms()) < 0 && c->ic)
		isup_call_cot_result(c->ic, false);
}

static void media_chan_create(struct mgcf_call *c)
{
	/* a held IAM has no circuit yet: an RTP-only channel until it is sent */
	struct media_chan_req req = { .trunk = c->iam_held ? NULL : c->trunk, .cic = c->iam_held ? -1 : c->cic };
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
	c->chan_cic = req.cic;
	/* the node asks for the tone test inside isup_call_setup(), before the call has its channel on that
	 * circuit; the thread runs the commands in order, so the test may start before the channel reports ready */
	if (c->cot_wanted)
		call_cot_start(c);
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
	if (c->cot_pending) {
		/* the node refuses backward messages before COT: the ACM goes out with it */
		c->acm_pending = true;
		c->acm_status = called_status;
		return;
	}
	bci_default(&bci, called_status);
	isup_build_acm(&m, 0, &bci);
	if (isup_call_send(c->ic, &m) == 0)
		c->acm_sent = true;
}

static void isup_send_cpg(struct mgcf_call *c, uint8_t event)
{
	struct isup_msg m;

	if (!c->ic || !c->acm_sent)
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

/* sip2isup with preconditions on a previous circuit: COT "continuity check successful" once they are met. */
static void isup_send_cot_ok(struct mgcf_call *c)
{
	struct isup_msg m;

	if (!c->ic)
		return;
	isup_msg_init(&m, ISUP_COT, 0);
	m.continuity_ok = true;
	isup_msg_set(&m, ISUP_P_CONTINUITY_IND);
	if (isup_call_send(c->ic, &m) < 0)
		LOG_CALL(c, LOGL_ERROR, "COT refused by the ISUP node\n");
}

/* ---- release ------------------------------------------------------------------------------------------------ */

/* End the SIP leg in whatever state it is in, with the call's cause (Reason: Q.850 carried both ways). */
static void sip_leg_release(struct mgcf_call *c)
{
	struct sip_sess *s = c->sess;
	struct sip_identity_out id = { .q850_cause = c->cause };
	uint16_t status;

	if (!s)
		return;
	/* TS 29.163 §7.2.3.1.7: REL before the final response: the table's status; after it: BYE */
	status = c->sip_status ? c->sip_status : mgcf_q850_to_sip(c->tp, c->cause, LOC_BI);
	if (sip_sess_hangup(s, status, &id) < 0) {
		/* nothing left to end on the SIP side (the session is terminating already) */
		sip_sess_set_priv(s, NULL);
		c->sess = NULL;
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
	if (r->sip_gone && c->sess) {
		sip_sess_set_priv(c->sess, NULL);
		c->sess = NULL;
	}
	media_chan_destroy(c);
	/* the session may report its end from inside the hangup */
	c->in_release = true;
	sip_leg_release(c);
	c->in_release = false;
	if (!c->sess)
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

/* The SDP to put in an 18x / 200: the answer (or our offer for an offerless INVITE) until it went out. */
static const char *s2i_sdp(struct mgcf_call *c)
{
	int rc;

	if (!c->media_ready || c->sdp_sent)
		return NULL;
	talloc_free(c->sdp_local);
	if (c->sdp_remote_offer)
		c->sdp_local = sdp_answer_text(c, c->sdp_remote_offer, false, &rc);
	else
		c->sdp_local = sdp_offer_text(c);
	return c->sdp_local;
}

static void s2i_progress(struct mgcf_call *c, uint16_t status, bool with_sdp)
{
	const char *sdp;

	/* a 183 for early media carries the answer (TS 29.163 §7.2.3.1.4): an ACM that overtakes the media channel's
	 * set-up waits for the channel's port rather than going out without SDP */
	if (with_sdp && !c->media_ready && !c->sdp_sent) {
		c->pending_183 = true;
		return;
	}
	sdp = with_sdp ? s2i_sdp(c) : NULL;

	/* 18x go reliably when the peer supports 100rel (TS 29.163 §7.2.3.1.4; the session layer decides) */
	if (sip_sess_progress(c->sess, status, sdp, true) == 0 && sdp)
		c->sdp_sent = true;
}

static void s2i_answer(struct mgcf_call *c)
{
	const char *sdp;

	if (!c->media_ready) {
		c->pending_200 = true;
		return;
	}
	sdp = s2i_sdp(c);
	if (!sdp)
		sdp = c->sdp_local;
	if (sip_sess_accept(c->sess, sdp) == 0)
		c->sdp_sent = true;
}

static void s2i_isup_msg(struct mgcf_call *c, const struct isup_msg *m)
{
	bool inband = isup_msg_has(m, ISUP_P_OBCI) && m->obci.inband;

	if (!c->sess)
		return;
	switch (m->type) {
	case ISUP_ACM:
		/* BCI called party's status 1 "subscriber free" → 180; else 183 (early media if in-band info).
		 * RFC 3312: no 180 before the preconditions are met (the far end does not alert before COT anyway) */
		if (isup_msg_has(m, ISUP_P_BCI) && m->bci.called_status == 1 && !inband && !c->precond_pending)
			s2i_progress(c, 180, false);
		else
			s2i_progress(c, 183, true);
		osmo_fsm_inst_state_chg(c->fi, MGCF_CALL_ST_EARLY, 0, 0);
		break;
	case ISUP_CPG:
		if (!isup_msg_has(m, ISUP_P_EVENT_INFO))
			break;
		if (m->event.event == 1)
			s2i_progress(c, 180, false);
		else if (m->event.event >= 4 && m->event.event <= 6)
			s2i_progress(c, 181, false);
		else
			s2i_progress(c, 183, true);
		break;
	case ISUP_ANM:
	case ISUP_CON:
		clock_gettime(CLOCK_REALTIME, &c->answer_rt);
		ctr_inc(c->iw, MGCF_CTR_ANSWERED);
		LOG_CALL(c, LOGL_INFO, "answered (%s)\n", isup_msg_name(m->type));
		s2i_answer(c);
		osmo_fsm_inst_state_chg(c->fi, MGCF_CALL_ST_ACTIVE, 0, 0);
		break;
	default:
		break;
	}
}

/* sip2isup: the preconditions are met: COT for an IAM already sent, or the held IAM now. */
static void s2i_precond_check(struct mgcf_call *c)
{
	int rc;

	if (!c->precond_pending || !sdp_precond_met(&c->pc))
		return;
	c->precond_pending = false;
	LOG_CALL(c, LOGL_INFO, "preconditions met\n");
	if (c->iam_held) {
		c->iam_held = false;
		rc = c->iw->isup ? isup_call_setup(c->iw->isup, c->trunk, c->iam, c, &c->ic) : -ENETDOWN;
		if (rc < 0) {
			c->ic = NULL;
			ctr_inc(c->iw, MGCF_CTR_REJECTED_ADMISSION);
			release_by(c, 34, MGCF_CDR_REL_MGCF, true, false);
			return;
		}
		c->cic = isup_call_cic(c->ic);
		call_update_id(c);
		if (c->iw->media) {
			/* the RTP-only channel moves to the circuit: its new port goes to the peer in an UPDATE */
			media_chan_destroy(c);
			media_chan_create(c);
			c->reoffer_pending = true;
		}
		osmo_fsm_inst_state_chg(c->fi, MGCF_CALL_ST_PROCEEDING, 0, 0);
	} else {
		isup_send_cot_ok(c);
		osmo_fsm_inst_state_chg(c->fi, MGCF_CALL_ST_PROCEEDING, 0, 0);
	}
}

/* ---- isup2sip ------------------------------------------------------------------------------------------------- */

/* isup2sip: COT arrived: the local segment is ready; tell the IMS with an UPDATE (RFC 3312 §6). */
static void i2s_precond_update(struct mgcf_call *c)
{
	char *offer;
	int rc;

	if (!c->update_pending || !c->sess || sip_sess_state(c->sess) != SIP_SESS_ST_OUT_EARLY)
		return;
	offer = sdp_offer_text(c);
	if (!offer)
		return;
	rc = sip_sess_update(c->sess, offer);
	talloc_free(offer);
	if (rc == 0) {
		c->update_pending = false;
		LOG_CALL(c, LOGL_INFO, "UPDATE: local preconditions met\n");
	}
}

static void i2s_cot(struct mgcf_call *c, bool ok)
{
	if (c->loopback && c->iw->media && c->chan_id > 0)
		media_plane_chan_loopback(c->iw->media, c->chan_id, false);
	c->loopback = false;
	LOG_CALL(c, ok ? LOGL_INFO : LOGL_NOTICE, "COT received: continuity check %s\n", ok ? "successful" : "failed");
	if (!ok)
		return;
	c->cot_pending = false;
	if (c->acm_pending) {
		c->acm_pending = false;
		isup_send_acm(c, c->acm_status);
	}
	if (c->precond) {
		precond_local_ready(c, 1, true);
		c->update_pending = true;
		i2s_precond_update(c);
	}
	i2s_proceed(c);
}

/* isup2sip: ringing tone toward the PSTN caller while the IMS side alerts without early media (the IM-MGW's
 * tone, issue 6); the channel's tone plan is the trunk group's. */
static void i2s_ringback(struct mgcf_call *c, bool on)
{
	if (c->ringback == on || c->chan_id <= 0 || !c->iw->media)
		return;
	if (media_plane_chan_play(c->iw->media, c->chan_id, on ? DTMF_PLAY_RINGBACK : DTMF_PLAY_NONE) < 0)
		return;
	c->ringback = on;
	LOG_CALL(c, LOGL_INFO, "ringing tone %s\n", on ? "on" : "off");
}

static void i2s_progress(struct mgcf_call *c, const struct sip_sess_info *info)
{
	if (c->releasing)
		return;
	if (info->sdp.len) {
		c->early_media = true;
		i2s_ringback(c, false);
	} else if (info->status == 180 && !c->early_media) {
		i2s_ringback(c, true);
	}
	if (!c->acm_sent && !c->acm_pending) {
		/* 180 → ACM subscriber free; 183 → ACM no indication */
		isup_send_acm(c, info->status == 180 ? 1 : 0);
	} else if (info->status == 180) {
		isup_send_cpg(c, 1);
	} else if (info->status == 181) {
		isup_send_cpg(c, 4);
	} else if (info->status == 183) {
		isup_send_cpg(c, info->sdp.len ? 3 : 2);
	}
	if (c->fi->state == MGCF_CALL_ST_PROCEEDING)
		osmo_fsm_inst_state_chg(c->fi, MGCF_CALL_ST_EARLY, tdef_s(c->iw, MGCF_T_NO_ANSWER), MGCF_T_NO_ANSWER);
	i2s_precond_update(c);
}

static void i2s_established(struct mgcf_call *c)
{
	if (c->releasing)
		return;
	i2s_ringback(c, false);
	clock_gettime(CLOCK_REALTIME, &c->answer_rt);
	ctr_inc(c->iw, MGCF_CTR_ANSWERED);
	LOG_CALL(c, LOGL_INFO, "answered\n");
	isup_send_answer(c);
	osmo_fsm_inst_state_chg(c->fi, MGCF_CALL_ST_ACTIVE, 0, 0);
}

static int i2s_send_invite(struct mgcf_call *c)
{
	struct sip_sess_invite_req req = {
		.ruri = c->ruri,
		.from = c->from_hdr,
		.dst = c->have_dst ? &c->dst : NULL,
	};
	struct sip_identity_out id = { .pai = c->pai_hdr, .priv_id = c->privacy_id };
	char *offer;

	if (!c->iw->ua)
		return -ENOTCONN;
	offer = sdp_offer_text(c);
	if (!offer)
		return -ENOMEM;
	req.sdp = offer;
	req.id = &id;
	c->sess = sip_sess_invite(c->iw->ua, &req, c);
	talloc_free(offer);
	if (!c->sess)
		return -EIO;
	LOG_CALL(c, LOGL_INFO, "INVITE %s%s\n", c->ruri, c->precond ? " with preconditions" : "");
	return 0;
}

static void i2s_proceed(struct mgcf_call *c)
{
	/* without preconditions towards the IMS the INVITE waits for COT (TS 29.163 §7.2.3.2.1) */
	if (c->fi->state != MGCF_CALL_ST_INIT || !c->media_ready || (c->cot_pending && !c->precond))
		return;
	if (i2s_send_invite(c) < 0) {
		LOG_CALL(c, LOGL_ERROR, "cannot send the INVITE\n");
		release_by(c, 47, MGCF_CDR_REL_MGCF, false, true);
		return;
	}
	osmo_fsm_inst_state_chg(c->fi, MGCF_CALL_ST_PROCEEDING, tdef_s(c->iw, MGCF_T_ACM_SUPERVISION),
				MGCF_T_ACM_SUPERVISION);
}

/* ---- session events (sip_sess_ops) ----------------------------------------------------------------------------- */

static uint8_t reason_cause(const struct sip_sess_info *info, uint8_t dflt)
{
	if (info->id.has_reason_q850 && info->id.reason_q850.has_cause && info->id.reason_q850.cause >= 1 &&
	    info->id.reason_q850.cause <= 127)
		return info->id.reason_q850.cause;
	return dflt;
}

static void sess_progress(struct sip_sess *s, void *priv, const struct sip_sess_info *info)
{
	struct mgcf_call *c = priv;

	if (c)
		osmo_fsm_inst_dispatch(c->fi, MGCF_CALL_EV_SIP_PROGRESS, (void *)info);
}

static void sess_established(struct sip_sess *s, void *priv, const struct sip_sess_info *info)
{
	struct mgcf_call *c = priv;

	if (c)
		osmo_fsm_inst_dispatch(c->fi, MGCF_CALL_EV_SIP_ESTABLISHED, (void *)info);
}

static void sess_offer(struct sip_sess *s, void *priv, const struct sip_sess_info *info)
{
	struct mgcf_call *c = priv;

	if (c)
		osmo_fsm_inst_dispatch(c->fi, MGCF_CALL_EV_SIP_OFFER, (void *)info);
	else
		sip_sess_reject_offer(s, 488);
}

static void sess_answer(struct sip_sess *s, void *priv, const struct sip_sess_info *info)
{
	struct mgcf_call *c = priv;

	if (c)
		osmo_fsm_inst_dispatch(c->fi, MGCF_CALL_EV_SIP_ANSWER, (void *)info);
}

static void sess_ended(struct sip_sess *s, void *priv, const struct sip_sess_info *info)
{
	struct mgcf_call *c = priv;

	if (!c || c->sess != s)
		return;
	c->sess = NULL;
	osmo_fsm_inst_dispatch(c->fi, MGCF_CALL_EV_SIP_ENDED, (void *)info);
}

/* Why the SIP side ended, as a Q.850 cause (standards.md §4(c), §4(d)); Reason: Q.850 wins. */
static uint8_t ended_cause(struct mgcf_call *c, const struct sip_sess_info *info)
{
	switch (info->cause) {
	case SIP_SESS_END_REJECTED:
		return reason_cause(info, mgcf_sip_to_q850(c->tp, info->status));
	case SIP_SESS_END_CANCELLED:
		return reason_cause(info, 31);
	case SIP_SESS_END_BYE:
		return reason_cause(info, 16);
	case SIP_SESS_END_NO_ACK:
	case SIP_SESS_END_NO_PRACK:
	case SIP_SESS_END_EXPIRED:
		return 102;
	case SIP_SESS_END_ERROR:
	default:
		return 41;
	}
}

static void call_sip_offer(struct mgcf_call *c, const struct sip_sess_info *info)
{
	char *offer, *answer;
	int rc = -EPROTO;

	if (!info->sdp.len) {
		/* an offerless re-INVITE asks for our offer: the last SDP we sent */
		if (c->sdp_local && sip_sess_answer(c->sess, c->sdp_local) == 0)
			return;
		sip_sess_reject_offer(c->sess, 488);
		return;
	}
	offer = talloc_strndup(c, info->sdp.p, info->sdp.len);
	answer = offer ? sdp_answer_text(c, offer, false, &rc) : NULL;
	if (!answer || sdp_precond_failed(&c->pc)) {
		sip_sess_reject_offer(c->sess, answer ? 580 : 488);
		talloc_free(offer);
		talloc_free(answer);
		return;
	}
	talloc_free(c->sdp_local);
	c->sdp_local = answer;
	sip_sess_answer(c->sess, answer);
	talloc_free(offer);
	media_update(c);
	if (c->dir == MGCF_CDR_SIP2ISUP)
		s2i_precond_check(c);
}

static void call_sip_answer(struct mgcf_call *c, const struct sip_sess_info *info)
{
	if (!info->sdp.len)
		return;
	if (sdp_answer_in(c, info->sdp) == 0)
		media_update(c);
	if (c->dir == MGCF_CDR_SIP2ISUP) {
		s2i_precond_check(c);
	} else {
		i2s_precond_update(c);
	}
}

/* ---- the FSM ------------------------------------------------------------------------------------------------ */

static void call_fsm_any(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct mgcf_call *c = fi->priv;
	const struct sip_sess_info *info = data;

	switch (event) {
	case MGCF_CALL_EV_RELEASE:
		call_release(c, data);
		return;
	case MGCF_CALL_EV_SIP_ENDED:
		if (c->releasing) {
			/* the SIP leg we were releasing is done (call_release() ends the call itself when the session
			 * reports from inside its hangup) */
			if (!c->in_release)
				osmo_fsm_inst_term(fi, OSMO_FSM_TERM_REGULAR, NULL);
			return;
		}
		release_by(c, ended_cause(c, info), info->by_remote ? MGCF_CDR_REL_SIP : MGCF_CDR_REL_MGCF, false,
			   true);
		return;
	default:
		break;
	}
	if (c->releasing)
		return;
	switch (event) {
	case MGCF_CALL_EV_MEDIA_READY:
		if (c->dir == MGCF_CDR_ISUP2SIP) {
			i2s_proceed(c);
		} else if (c->reoffer_pending && c->sess) {
			char *offer = sdp_offer_text(c);

			c->reoffer_pending = false;
			if (offer && sip_sess_update(c->sess, offer) < 0)
				LOG_CALL(c, LOGL_ERROR, "cannot send the UPDATE with the circuit's RTP port\n");
			talloc_free(offer);
			if (c->pending_200) {
				c->pending_200 = false;
				s2i_answer(c);
			}
		} else if (c->pending_200) {
			/* the 200 carries the answer: a 183 still waiting has nothing left to say */
			c->pending_200 = false;
			c->pending_183 = false;
			s2i_answer(c);
		} else if (c->pending_183 && c->sess) {
			c->pending_183 = false;
			s2i_progress(c, 183, true);
		} else if (c->precond_pending && c->sess && !c->sdp_sent) {
			/* the answer with our precondition status goes in a reliable 183 at once (RFC 3312 §6) */
			s2i_progress(c, 183, true);
		}
		return;
	case MGCF_CALL_EV_ISUP_MSG: {
		const struct isup_msg *m = data;

		if (c->dir == MGCF_CDR_SIP2ISUP)
			s2i_isup_msg(c, m);
		else if (m->type == ISUP_COT)
			i2s_cot(c, m->continuity_ok);
		return;
	}
	case MGCF_CALL_EV_SIP_PROGRESS:
		if (c->dir == MGCF_CDR_ISUP2SIP)
			i2s_progress(c, info);
		return;
	case MGCF_CALL_EV_SIP_ESTABLISHED:
		if (c->dir == MGCF_CDR_ISUP2SIP)
			i2s_established(c);
		return;
	case MGCF_CALL_EV_SIP_OFFER:
		if (c->sess)
			call_sip_offer(c, info);
		return;
	case MGCF_CALL_EV_SIP_ANSWER:
		call_sip_answer(c, info);
		return;
	}
}

static int call_fsm_timer_cb(struct osmo_fsm_inst *fi)
{
	struct mgcf_call *c = fi->priv;

	switch (fi->T) {
	case MGCF_T_PRECOND:
		/* sip2isup: the preconditions were not met in time: 580 (RFC 3312 §14.1) */
		ctr_inc(c->iw, MGCF_CTR_TIMEOUTS);
		LOG_CALL(c, LOGL_NOTICE, "preconditions not met in time\n");
		c->sip_status = 580;
		release_by(c, 47, MGCF_CDR_REL_MGCF, false, false);
		return 0;
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
		/* RELEASING: the SIP leg never finished; leave it to the session layer */
		if (c->sess) {
			sip_sess_set_priv(c->sess, NULL);
			c->sess = NULL;
		}
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
	if (c->sess) {
		struct sip_sess *s = c->sess;
		struct sip_identity_out id = { .q850_cause = cdr.cause };

		/* the session finishes alone, without reporting to us */
		c->sess = NULL;
		sip_sess_set_priv(s, NULL);
		sip_sess_hangup(s, mgcf_q850_to_sip(c->tp, cdr.cause, LOC_BI), &id);
	}
	clock_gettime(CLOCK_REALTIME, &cdr.end);
	if (c->iw->cdr && c->trunk && mgcf_cdr_write(c->iw->cdr, &cdr) < 0)
		LOG_CALL(c, LOGL_ERROR, "cannot write the CDR\n");
	llist_del(&c->list);
}

/* Answered: the IAM kept for re-attempts (only while PROCEEDING) and for a held IAM (sent by now) is not
 * needed any more; the decoded message is 5 kB of each established call. */
static void call_active_onenter(struct osmo_fsm_inst *fi, uint32_t prev_state)
{
	struct mgcf_call *c = fi->priv;

	TALLOC_FREE(c->iam);
}

static const struct osmo_fsm_state call_fsm_states[] = {
	[MGCF_CALL_ST_INIT] = {
		.name = "INIT",
		.out_state_mask = S(MGCF_CALL_ST_PROCEEDING) | S(MGCF_CALL_ST_EARLY) | S(MGCF_CALL_ST_ACTIVE) |
				  S(MGCF_CALL_ST_RELEASING),
	},
	[MGCF_CALL_ST_PROCEEDING] = {
		.name = "PROCEEDING",
		.out_state_mask = S(MGCF_CALL_ST_PROCEEDING) | S(MGCF_CALL_ST_EARLY) | S(MGCF_CALL_ST_ACTIVE) |
				  S(MGCF_CALL_ST_RELEASING),
	},
	[MGCF_CALL_ST_EARLY] = {
		.name = "EARLY",
		.out_state_mask = S(MGCF_CALL_ST_PROCEEDING) | S(MGCF_CALL_ST_EARLY) | S(MGCF_CALL_ST_ACTIVE) |
				  S(MGCF_CALL_ST_RELEASING),
	},
	[MGCF_CALL_ST_ACTIVE] = {
		.name = "ACTIVE",
		.out_state_mask = S(MGCF_CALL_ST_RELEASING),
		.onenter = call_active_onenter,
	},
	[MGCF_CALL_ST_RELEASING] = {
		.name = "RELEASING",
	},
};

static struct osmo_fsm mgcf_call_fsm = {
	.name = "mgcf_call",
	.states = call_fsm_states,
	.num_states = ARRAY_SIZE(call_fsm_states),
	.allstate_event_mask = S(MGCF_CALL_EV_MEDIA_READY) | S(MGCF_CALL_EV_ISUP_MSG) | S(MGCF_CALL_EV_SIP_PROGRESS) |
			       S(MGCF_CALL_EV_SIP_ESTABLISHED) | S(MGCF_CALL_EV_SIP_OFFER) |
			       S(MGCF_CALL_EV_SIP_ANSWER) | S(MGCF_CALL_EV_SIP_ENDED) | S(MGCF_CALL_EV_RELEASE),
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

/* "call<id>" at p, returns the end. */
static char *put_call_name(char *p, uint32_t id)
{
	memcpy(p, "call", 4);
	return mgcf_put_dec(p + 4, id);
}

/* Instance ids name the call, the trunk group and the CIC: "call7-pstn-cic5", or "call7" before a circuit is
 * known.  Built by hand and set only when it changes: each update costs libosmocore allocations and printfs. */
static void call_set_id(struct mgcf_call *c, bool with_cic)
{
	const char *trunk = c->trunk ? c->trunk : "none";
	size_t len = strlen(trunk);
	char id[128], *p = id;

	if (len > sizeof(id) - 48) {
		/* a very long trunk group name: not worth a buffer of its own */
		if (with_cic)
			osmo_fsm_inst_update_id_f(c->fi, "call%" PRIu32 "-%s-cic%u", c->id, trunk, c->cic);
		else
			osmo_fsm_inst_update_id_f(c->fi, "call%" PRIu32, c->id);
		return;
	}
	p = put_call_name(p, c->id);
	if (with_cic) {
		*p++ = '-';
		memcpy(p, trunk, len);
		memcpy(p + len, "-cic", 4);
		p = mgcf_put_dec(p + len + 4, c->cic);
	}
	*p = '\0';
	if (!c->fi->id || strcmp(c->fi->id, id))
		osmo_fsm_inst_update_id(c->fi, id);
}

static struct osmo_fsm_inst *call_named(struct mgcf_call *c)
{
	if (!c->fi->id || c->id_stale) {
		call_set_id(c, c->id_cic);
		c->id_stale = false;
	}
	return c->fi;
}

/* A basic call's strings under it: trunk, called and calling numbers, remote address, the offer and the answer
 * (a few hundred bytes each) */
#define CALL_POOL_OBJECTS 8
#define CALL_POOL_BYTES 1024

/* The instance gets its id "call7" here, and "call7-<trunk>-cic<n>" at once when the circuit is known, only when
 * the FSM's own debug lines are logged; otherwise its id is set at its first LOG_CALL() (with the circuit if known
 * by then) and a call never logged about is never named. */
static struct mgcf_call *call_alloc(struct mgcf_iw *iw, enum mgcf_cdr_direction dir)
{
	bool debug = log_check_level(mgcf_call_fsm.log_subsys, LOGL_DEBUG);
	uint32_t id = ++iw->next_id;
	struct osmo_fsm_inst *fi;
	struct mgcf_call *c;
	char name[16];

	if (debug)
		*put_call_name(name, id) = '\0';
	fi = osmo_fsm_inst_alloc(&mgcf_call_fsm, iw->ctx, NULL, LOGL_DEBUG, debug ? name : NULL);
	if (!fi)
		return NULL;
	/* the call's strings (numbers, trunk, address, SDP texts) come from a pool of its own: one malloc instead of
	 * one each, all freed with the call; what does not fit (the 5 kB IAM, a long SDP) is malloc'd as before */
	c = talloc_pooled_object(fi, struct mgcf_call, CALL_POOL_OBJECTS, CALL_POOL_BYTES);
	if (!c) {
		osmo_fsm_inst_free(fi);
		return NULL;
	}
	memset(c, 0, sizeof(*c));
	fi->priv = c;
	c->fi = fi;
	c->iw = iw;
	c->id = id;
	c->dir = dir;
	c->event_pt = -1;
	c->lo.sess_id = ++iw->sdp_sess_id;
	c->lo.sess_version = 1;
	sdp_precond_init(&c->pc);
	clock_gettime(CLOCK_REALTIME, &c->start_rt);
	osmo_clock_gettime(CLOCK_MONOTONIC, &c->start_mono);
	llist_add_tail(&c->list, &iw->calls);
	ctr_inc(iw, dir == MGCF_CDR_SIP2ISUP ? MGCF_CTR_SIP2ISUP_CALLS : MGCF_CTR_ISUP2SIP_CALLS);
	return c;
}

/* The circuit is known (or changed).  The FSM's own debug lines use the instance's name as it is, so with those
 * logged the id is updated now; otherwise only at the next LOG_CALL(): most calls are never logged about, and an
 * id update (formatted id, its check, formatted name) was the dearest part of a call's set-up in mgcf. */
static void call_update_id(struct mgcf_call *c)
{
	c->id_cic = true;
	if (log_check_level(mgcf_call_fsm.log_subsys, LOGL_DEBUG)) {
		call_set_id(c, true);
		c->id_stale = false;
	} else {
		c->id_stale = true;
	}
}

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

/* ---- sip2isup: INVITE ------------------------------------------------------------------------------------- */

/* Refuse a call before it has an ISUP leg (the session reports its end, which frees the call). */
static void s2i_refuse(struct mgcf_call *c, uint16_t status, uint8_t cause)
{
	struct sip_identity_out id = { .q850_cause = cause };
	struct sip_sess *s = c->sess;

	c->releasing = true;
	c->cause = cause;
	c->released_by = MGCF_CDR_REL_MGCF;
	c->sess = NULL;
	sip_sess_set_priv(s, NULL);
	/* RFC 3261 §21.5.4: our 503s mean no circuit or capacity left, for a while */
	sip_sess_reject_retry(s, status, &id, status == 503 ? tdef_s(c->iw, MGCF_T_RETRY_AFTER) : 0);
	osmo_fsm_inst_term(c->fi, OSMO_FSM_TERM_REGULAR, NULL);
}

/* The first asserted identity that carries a telephone number (tel URI or sip URI with user=phone). */
static void pai_number_uri(const struct sip_identity *id, char *buf, size_t len)
{
	char num[MGCF_NUMBER_MAX + 2];
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; id->trusted && i < id->num_pai && i < 2; i++) {
		if (mgcf_number_from_uri(id->pai_uri[i].p, id->pai_uri[i].len, num, sizeof(num)) == 0) {
			sip_str_copy(buf, len, id->pai_uri[i]);
			return;
		}
	}
}

static void sess_incoming(void *ua_priv, struct sip_sess *s, const struct sip_sess_info *info)
{
	struct mgcf_iw *iw = ua_priv;
	const struct sip_msg *req = info->msg;
	const struct mgcf_route_out *r;
	struct mgcf_sip_call_info ci = { .max_forwards = req->has_max_forwards ? req->max_forwards : -1 };
	char number[MGCF_NUMBER_MAX + 2], pai[256], from[256];
	struct mgcf_call *c;
	int rc;

	c = call_alloc(iw, MGCF_CDR_SIP2ISUP);
	if (!c) {
		sip_sess_reject(s, 500, NULL);
		return;
	}
	c->sess = s;
	sip_sess_set_priv(s, c);
	if (mgcf_number_from_uri(req->ruri.p, req->ruri.len, number, sizeof(number)) < 0 ||
	    !(r = mgcf_route_out_find(iw->cfg, number))) {
		ctr_inc(iw, MGCF_CTR_REJECTED_NO_ROUTE);
		LOG_CALL(c, LOGL_NOTICE, "INVITE %.*s: no route: 404\n", SIP_STR_FMT(req->ruri));
		s2i_refuse(c, 404, 3);
		return;
	}
	c->trunk = talloc_strdup(c, r->trunk);
	c->tp = trunk_policy(iw->cfg, r->trunk);
	c->called = talloc_strdup(c, number);
	if (c->tp && c->tp->max_calls && trunk_calls(iw, r->trunk) > c->tp->max_calls) {
		ctr_inc(iw, MGCF_CTR_REJECTED_ADMISSION);
		LOG_CALL(c, LOGL_NOTICE, "INVITE %s: trunk group %s at its call limit: 503\n", number, r->trunk);
		s2i_refuse(c, 503, 34);
		return;
	}
	if (info->sdp.len) {
		c->sdp_remote_offer = str_dup(c, info->sdp);
		sdp_answer_text(c, c->sdp_remote_offer, true, &rc);
		if (rc < 0) {
			ctr_inc(iw, MGCF_CTR_REJECTED_SDP);
			LOG_CALL(c, LOGL_NOTICE, "no acceptable media in the offer: 488\n");
			s2i_refuse(c, 488, 65);
			return;
		}
		if (sdp_precond_failed(&c->pc)) {
			LOG_CALL(c, LOGL_NOTICE, "the offer's preconditions cannot be met: 580\n");
			s2i_refuse(c, 580, 47);
			return;
		}
		c->precond_pending = c->precond && !sdp_precond_met(&c->pc);
	}

	/* TS 29.163 §7.2.3.1.2: the IAM from the INVITE */
	pai_number_uri(&info->id, pai, sizeof(pai));
	if (pai[0])
		ci.pai_uri = pai;
	sip_str_copy(from, sizeof(from), req->from.uri);
	ci.from_uri = from;
	ci.called = number;
	ci.privacy_id = info->id.trusted && info->id.priv_id;
	ci.privacy_user = info->id.trusted && (info->id.priv_user || info->id.priv_header);
	ci.continuity_previous = c->precond_pending && (!c->tp || c->tp->precond_mode == MGCF_PRECOND_IAM_COT);
	ci.continuity_required = c->tp && c->tp->continuity == MGCF_CONTINUITY_REQUIRED;
	/* not zeroed (5 kB): mgcf_map_iam() initialises it, and a failed one is never read */
	c->iam = talloc(c, struct isup_msg);
	c->digits = talloc_zero(c, struct mgcf_iam_digits);
	rc = c->iam && c->digits ? mgcf_map_iam(c->iam, c->digits, r, &ci) : -ENOMEM;
	if (rc < 0) {
		LOG_CALL(c, LOGL_NOTICE, "the number %s cannot be dialled by route %s: 484\n", number, r->name);
		s2i_refuse(c, 484, 28);
		return;
	}
	if (c->digits->calling[0])
		c->calling = talloc_strdup(c, c->digits->calling);
	if (c->precond_pending && !ci.continuity_previous) {
		/* delay-iam: the IAM waits for the preconditions (TS 29.163 §7.2.3.1.2, option 2) */
		c->iam_held = true;
		if (!iw->media) {
			c->local_port = NO_MEDIA_PORT;
			c->media_ready = true;
		}
	} else {
		rc = iw->isup ? isup_call_setup(iw->isup, r->trunk, c->iam, c, &c->ic) : -ENETDOWN;
		if (rc < 0) {
			/* no circuit, or the association is down */
			ctr_inc(iw, MGCF_CTR_REJECTED_ADMISSION);
			LOG_CALL(c, LOGL_NOTICE, "no circuit on %s (%s): 503\n", r->trunk, strerror(-rc));
			c->ic = NULL;
			s2i_refuse(c, 503, 34);
			return;
		}
		c->cic = isup_call_cic(c->ic);
	}
	call_update_id(c);
	LOG_CALL(c, LOGL_INFO, "sip2isup %s -> %s: %s on %s CIC %u%s\n", c->calling ? c->calling : "-", number,
		 c->iam_held ? "IAM held" : "IAM", c->trunk, c->cic,
		 c->precond_pending ? " (preconditions not met yet)" : "");
	media_chan_create(c);
	if (iw->media && c->chan_id <= 0) {
		ctr_inc(iw, MGCF_CTR_MEDIA_FAILED);
		release_by(c, 47, MGCF_CDR_REL_MGCF, false, false);
		return;
	}
	if (c->precond_pending)
		osmo_fsm_inst_state_chg(c->fi, MGCF_CALL_ST_PROCEEDING, tdef_s(iw, MGCF_T_PRECOND), MGCF_T_PRECOND);
	else
		osmo_fsm_inst_state_chg(c->fi, MGCF_CALL_ST_PROCEEDING, 0, 0);
	if (c->media_ready)
		osmo_fsm_inst_dispatch(c->fi, MGCF_CALL_EV_MEDIA_READY, NULL);
}

/* Whether a SIP->ISUP call to the trunk group would be admitted now: association, circuit, call limit. */
static bool trunk_admits(struct mgcf_iw *iw, const char *trunk)
{
	const struct mgcf_trunk_policy *tp = trunk_policy(iw->cfg, trunk);

	if (!iw->isup || isup_trunk_can_setup(iw->isup, trunk) < 0)
		return false;
	return !tp || !tp->max_calls || trunk_calls(iw, trunk) < tp->max_calls;
}

/* OPTIONS (a load balancer's health check, ARCHITECTURE §9): 200 while some route's trunk group admits a call. */
static uint16_t sess_options_status(void *ua_priv, uint32_t *retry_after_s)
{
	struct mgcf_iw *iw = ua_priv;
	const struct mgcf_route_out *r;

	if (iw->cfg) {
		llist_for_each_entry(r, &iw->cfg->routes_out, list) {
			if (trunk_admits(iw, r->trunk))
				return 200;
		}
	}
	*retry_after_s = tdef_s(iw, MGCF_T_RETRY_AFTER);
	return 503;
}

const struct sip_sess_ops mgcf_iw_sess_ops = {
	.options_status = sess_options_status,
	.incoming = sess_incoming,
	.progress = sess_progress,
	.established = sess_established,
	.offer = sess_offer,
	.answer = sess_answer,
	.ended = sess_ended,
};

/* ---- isup2sip: IAM ------------------------------------------------------------------------------------------- */

/* Where the INVITE of an isup2sip call goes: the route's next hop (NULL: the session layer's next hops, else the
 * Request-URI's host). */
static void i2s_dst(struct mgcf_call *c, const struct mgcf_route_in *r)
{
	const struct sip_next_hop_cfg *nh;

	c->have_dst = false;
	if (!r->next_hop || !c->iw->sip_cfg)
		return;
	llist_for_each_entry(nh, &c->iw->sip_cfg->next_hops, list) {
		if (!strcmp(nh->name, r->next_hop)) {
			c->have_dst = sip_core_next_hop_dst(nh, &c->dst) == 0;
			return;
		}
	}
}

static void *isup_incoming(struct isup_node *node, struct isup_call *call, const struct isup_msg *iam, void *priv)
{
	struct mgcf_iw *iw = priv;
	const char *trunk = isup_call_trunk(call);
	const struct mgcf_route_in *r;
	struct mgcf_invite_info info;
	char digits[MGCF_NUMBER_MAX + 1] = "", calling[MGCF_NUMBER_MAX + 1] = "";
	uint8_t nai = MGCF_NAI_NATIONAL, cause = 0;
	struct mgcf_call *c;
	size_t n;

	if (isup_msg_has(iam, ISUP_P_CALLED_NUMBER)) {
		isup_number_get_digits(&iam->called, digits, sizeof(digits));
		nai = iam->called.nai;
		/* the ST digit ends en bloc numbers; it is no part of the number */
		n = strlen(digits);
		if (n && (digits[n - 1] == 'F' || digits[n - 1] == 'f'))
			digits[n - 1] = '\0';
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
	c->ruri = r ? mgcf_route_in_uri(c, r, digits, nai, r->country_code) : NULL;
	if (!c->ruri) {
		ctr_inc(iw, MGCF_CTR_REJECTED_NO_ROUTE);
		LOG_CALL(c, LOGL_NOTICE, "no route to the IMS for %s: cause 3\n", digits);
		cause = 3;
	} else if (c->tp && c->tp->max_calls && trunk_calls(iw, trunk) > c->tp->max_calls) {
		/* this call is already counted */
		ctr_inc(iw, MGCF_CTR_REJECTED_ADMISSION);
		LOG_CALL(c, LOGL_NOTICE, "trunk group %s at its call limit: cause 42\n", trunk);
		cause = 42;
	} else if (mgcf_map_invite(c, &info, iam, iw->sip_cfg ? iw->sip_cfg->domain : "mgcf.invalid",
				   r->country_code, r->preconditions) < 0) {
		cause = 47;
	}
	if (cause) {
		c->ic = NULL;
		isup_call_release(call, cause);
		release_by(c, cause, MGCF_CDR_REL_MGCF, true, true);
		return NULL;
	}
	c->from_hdr = info.from;
	c->pai_hdr = info.pai;
	c->privacy_id = info.privacy_id;
	i2s_dst(c, r);
	c->cot_pending = isup_msg_has(iam, ISUP_P_NCI) && iam->nci.continuity != 0;
	/* preconditions towards the IMS when the IAM asks for continuity or the route says so */
	c->precond = info.preconditions && iw->sip_cfg && iw->sip_cfg->precondition != SIP_EXT_DISABLED;
	if (c->precond) {
		sdp_precond_set_desired(&c->pc, 0, SDP_PC_LOCAL, SDP_PC_DIR_SENDRECV, SDP_PC_STR_MANDATORY);
		precond_local_ready(c, 1, !c->cot_pending);
	}
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
		LOG_CALL(c, LOGL_INFO, "continuity check required on CIC %u: timeslot looped until COT\n", c->cic);
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
 * circuit not available): the call is tried once more on another circuit of the trunk group, unless our SDP with
 * the old channel's port went out already. */
static bool s2i_reattempt(struct mgcf_call *c, uint8_t cause)
{
	int rc;

	if (c->dir != MGCF_CDR_SIP2ISUP || c->fi->state != MGCF_CALL_ST_PROCEEDING || !c->iam || !c->iw->isup ||
	    c->sdp_sent || c->reattempts >= MAX_REATTEMPTS || (cause != 34 && cause != 42 && cause != 44))
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

/* ---- continuity on circuits no call holds: the re-test after a failure (CCR sent) and the loop for the far end's
 * re-test (CCR received), each on a TDM-only channel of its own ---- */

struct cot_chan {
	struct llist_head list;
	struct mgcf_iw *iw;
	char *trunk;
	uint16_t cic;
	uint32_t chan_id;
	bool retest;		/*!< our re-test (tone out, result to the node); else the far end's loop */
};

static void cot_chan_free(struct cot_chan *cc)
{
	if (cc->iw->media)
		media_plane_chan_destroy(cc->iw->media, cc->chan_id);
	llist_del(&cc->list);
	talloc_free(cc);
}

static struct cot_chan *cot_chan_find(struct mgcf_iw *iw, const char *trunk, uint16_t cic)
{
	struct cot_chan *cc;

	llist_for_each_entry(cc, &iw->cot_chans, list)
		if (cc->cic == cic && !strcmp(cc->trunk, trunk))
			return cc;
	return NULL;
}

static struct cot_chan *cot_chan_open(struct mgcf_iw *iw, const char *trunk, uint16_t cic, bool retest)
{
	struct media_chan_req req = { .trunk = trunk, .cic = cic, .tdm_only = true };
	struct cot_chan *cc = cot_chan_find(iw, trunk, cic);
	int64_t id;

	if (cc)
		cot_chan_free(cc);
	if (!iw->media)
		return NULL;
	media_plane_default_params(iw->media, &req.p);
	id = media_plane_chan_create(iw->media, &req);
	cc = id > 0 ? talloc_zero(iw, struct cot_chan) : NULL;
	if (!cc) {
		LOGP(DMGCF, LOGL_ERROR, "%s CIC %u: no media channel for the continuity %s\n", trunk, cic,
		     retest ? "re-test" : "loop");
		if (id > 0)
			media_plane_chan_destroy(iw->media, id);
		return NULL;
	}
	cc->iw = iw;
	cc->trunk = talloc_strdup(cc, trunk);
	cc->cic = cic;
	cc->chan_id = id;
	cc->retest = retest;
	llist_add_tail(&cc->list, &iw->cot_chans);
	return cc;
}

static void cot_chan_result(struct cot_chan *cc, bool ok)
{
	struct mgcf_iw *iw = cc->iw;

	if (!cc->retest)
		return;
	LOGP(DMGCF, ok ? LOGL_INFO : LOGL_NOTICE, "%s CIC %u: continuity re-test %s\n", cc->trunk, cc->cic,
	     ok ? "successful" : "failed");
	/* the node's answer (REL, or COT failed and T26) calls no op that touches this channel */
	if (iw->isup)
		isup_node_retest_result(iw->isup, cc->trunk, cc->cic, ok);
	cot_chan_free(cc);
}

/* The node asks for the tone test: on the call's channel (created right after isup_call_setup() returns, so
 * maybe not yet), or for its re-test after a failure (upper_priv NULL) on a channel of its own. */
static void isup_cot_test(struct isup_call *call, const char *trunk, uint16_t cic, void *upper_priv)
{
	struct mgcf_call *c = upper_priv;
	struct mgcf_iw *iw = c ? c->iw : isup_call_node_priv(call);
	struct cot_chan *cc;

	if (!iw->media) {
		/* no transceiver (unit tests without media plane): the bearer is taken as good, as the node does */
		isup_call_cot_result(call, true);
		return;
	}
	if (c) {
		/* a new circuit (congestion re-attempt, held IAM sent) gets its channel after isup_call_setup() */
		c->cot_wanted = true;
		if (c->chan_id > 0 && c->chan_cic == cic)
			call_cot_start(c);
		return;
	}
	cc = cot_chan_open(iw, trunk, cic, true);
	if (!cc || media_plane_chan_cot(iw->media, cc->chan_id, isup_cot_tone_timeout_ms()) < 0) {
		if (cc)
			cot_chan_free(cc);
		isup_call_cot_result(call, false);
		return;
	}
	LOGP(DMGCF, LOGL_INFO, "%s CIC %u: continuity re-test (CCR): 2000 Hz out\n", trunk, cic);
}

/* The far end re-tests a circuit (CCR received): loop the timeslot until its COT or REL. */
static void isup_cot_loop(struct isup_node *node, const char *trunk, uint16_t cic, bool on, void *priv)
{
	struct mgcf_iw *iw = priv;
	struct cot_chan *cc = cot_chan_find(iw, trunk, cic);

	if (!on) {
		if (cc && !cc->retest)
			cot_chan_free(cc);
		return;
	}
	cc = cot_chan_open(iw, trunk, cic, false);
	if (cc) {
		LOGP(DMGCF, LOGL_INFO, "%s CIC %u: CCR: loop connected for the far end's re-test\n", trunk, cic);
		media_plane_chan_loopback(iw->media, cc->chan_id, true);
	}
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
	.cot_loop = isup_cot_loop,
	.assoc_state = isup_assoc_state,
};

/* ---- media events --------------------------------------------------------------------------------------------- */

void mgcf_iw_media_event(struct mgcf_iw *iw, const struct media_event *ev)
{
	struct mgcf_call *c, *found = NULL;
	struct cot_chan *cc;

	llist_for_each_entry(cc, &iw->cot_chans, list) {
		if (cc->chan_id != ev->chan_id)
			continue;
		if (ev->type == MEDIA_EV_COT_RESULT || ev->type == MEDIA_EV_CHAN_FAILED)
			cot_chan_result(cc, ev->type == MEDIA_EV_COT_RESULT && ev->cot_ok);
		return;
	}
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
		LOG_CALL(c, ev->cot_ok ? LOGL_INFO : LOGL_NOTICE, "continuity test on CIC %u %s\n", c->cic,
			 ev->cot_ok ? "successful" : "failed");
		/* a failure moves the call to another circuit (cic_changed) */
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
	iw->ua = deps->ua;
	iw->media = deps->media;
	iw->media_cfg = deps->media_cfg;
	iw->cfg = deps->cfg;
	iw->sip_cfg = deps->sip_cfg;
	iw->tdefs = deps->tdefs ? deps->tdefs : mgcf_tdefs;
	INIT_LLIST_HEAD(&iw->calls);
	INIT_LLIST_HEAD(&iw->cot_chans);
	iw->sdp_sess_id = (uint64_t)time(NULL) << 16;
	iw->ctrs = rate_ctr_group_alloc(iw, &mgcf_iw_ctrg_desc, ctr_idx++);
	iw->sdp_s1 = talloc(iw, struct sdp_session);
	iw->sdp_s2 = talloc(iw, struct sdp_session);
	iw->sdp_buf = msgb_alloc_c(iw, SDP_TEXT_MAX, "sdp");
	if (!iw->ctrs || !iw->sdp_s1 || !iw->sdp_s2 || !iw->sdp_buf) {
		if (iw->ctrs)
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
	/* calls still waiting for their SIP leg's end are cut short */
	llist_for_each_entry_safe(c, n, &iw->calls, list)
		osmo_fsm_inst_term(c->fi, OSMO_FSM_TERM_REQUEST, NULL);
	while (!llist_empty(&iw->cot_chans))
		cot_chan_free(llist_first_entry(&iw->cot_chans, struct cot_chan, list));
	if (iw->cdr)
		mgcf_cdr_close(iw->cdr);
	rate_ctr_group_free(iw->ctrs);
	talloc_free(iw);
}

void mgcf_iw_set_isup(struct mgcf_iw *iw, struct isup_node *isup)
{
	iw->isup = isup;
}

void mgcf_iw_set_media(struct mgcf_iw *iw, struct media_plane *media)
{
	iw->media = media;
}

void mgcf_iw_set_sip(struct mgcf_iw *iw, struct sip_sess_ua *ua)
{
	iw->ua = ua;
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
	snprintf(line, sizeof(line), "%-6s %-9s %-8s %-5s %-11s %-14s %-15s %-6s %s", "call", "direction", "trunk",
		 "cic", "state", "isup", "sip", "age", "calling -> called");
	out(arg, line);
	llist_for_each_entry(c, &iw->calls, list) {
		snprintf(line, sizeof(line), "%-6" PRIu32 " %-9s %-8s %-5u %-11s %-14s %-15s %-6ld %s -> %s", c->id,
			 get_value_string(cdr_dir_names, c->dir), c->trunk ? c->trunk : "-", c->cic,
			 osmo_fsm_inst_state_name(c->fi), c->ic ? isup_call_state_name(c->ic) : "-",
			 c->sess ? get_value_string(sip_sess_state_names, sip_sess_state(c->sess)) : "-",
			 (long)(now.tv_sec - c->start_mono.tv_sec), c->calling ? c->calling : "-",
			 c->called ? c->called : "-");
		out(arg, line);
	}
	snprintf(line, sizeof(line), "%u call(s)", llist_count(&iw->calls));
	out(arg, line);
}
