/*! \file sip_sess.h
 * SIP sessions: the INVITE usage of a dialog as an osmo_fsm ("sip_sess"), both roles, with reliable
 * provisional responses (RFC 3262), UPDATE (RFC 3311), re-INVITE, session timers (RFC 4028), glare (RFC 3261
 * §14.1), CANCEL and BYE; one struct sip_sess_ua ties them to the core (sip_core.h).
 *
 *   upper layer (interworking)                     sip_sess_ua                               sip_core
 *   sip_sess_invite() / progress() / accept() ──► sip_sess FSM per call ── requests ──► client transactions
 *   reject() / cancel() / bye() / update()        offer/answer state, dialogs (early      server transactions
 *   reinvite() / answer() / reject_offer()        ones per To tag), 1xx reliability,     ◄── in_dialog / ack /
 *   ◄── ops: incoming, progress, established,     session timer, glare back-off               cancel hooks
 *           offer, answer, offer_failed, ended
 *
 *   UAC: INIT ─INVITE─► OUT_CALLING ─1xx─► OUT_EARLY ─2xx (ACK)─► CONFIRMED ─BYE─► TERMINATING ─► TERMINATED
 *              cancel(): OUT_CANCELLING (CANCEL once a 1xx came; a 2xx crossing it gets ACK then BYE)
 *   UAS: INIT ─INVITE─► IN_PROCEEDING ─18x─► IN_EARLY ─200─► IN_WAIT_ACK ─ACK─► CONFIRMED
 *        (a 200 asked for while a reliable 1xx is unacknowledged waits for its PRACK, RFC 3262 §3)
 *
 * SDP is opaque here: the session carries bodies and tracks who owes an answer (sip_sess_oa_state()); the
 * upper layer does the codec work with sdp.h / sdp_precond.h.  Every ops callback is optional except ended.
 * After ops->ended the session is freed: the upper layer drops its pointer.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <osmocom/core/utils.h>

#include "sip/sip_cfg.h"
#include "sip/sip_core.h"
#include "sip/sip_dialog.h"
#include "sip/sip_identity.h"

struct sip_sess_ua;
struct sip_sess;
struct sip_nexthops;
struct rate_ctr_group;

enum sip_sess_state {
	SIP_SESS_ST_INIT,
	SIP_SESS_ST_OUT_CALLING,	/*!< INVITE sent, no provisional response yet */
	SIP_SESS_ST_OUT_EARLY,		/*!< provisional response(s) received */
	SIP_SESS_ST_OUT_CANCELLING,	/*!< the upper layer cancelled; CANCEL sent or waiting for a 1xx */
	SIP_SESS_ST_IN_PROCEEDING,	/*!< INVITE received, 100 sent */
	SIP_SESS_ST_IN_EARLY,		/*!< 18x sent: early dialog */
	SIP_SESS_ST_IN_WAIT_ACK,	/*!< 2xx sent, waiting for the ACK */
	SIP_SESS_ST_CONFIRMED,
	SIP_SESS_ST_TERMINATING,	/*!< BYE sent, waiting for its response */
	SIP_SESS_ST_TERMINATED,
};
extern const struct value_string sip_sess_state_names[];

enum sip_sess_event {
	SIP_SESS_EV_TX_INVITE,		/*!< sip_sess_invite(); data: NULL */
	SIP_SESS_EV_RX_1XX,		/*!< ICT: a provisional response; data: const struct sip_msg * */
	SIP_SESS_EV_RX_2XX,		/*!< ICT: a 2xx (or a retransmission of it); data: const struct sip_msg * */
	SIP_SESS_EV_RX_FAILURE,		/*!< ICT: 3xx-6xx; data: struct sip_sess_rsp * */
	SIP_SESS_EV_TX_CANCEL,		/*!< sip_sess_cancel(); data: NULL */
	SIP_SESS_EV_RX_INVITE,		/*!< the UA: a new INVITE for this session; data: struct sip_strans * */
	SIP_SESS_EV_TX_1XX,		/*!< sip_sess_progress() sent an 18x; data: NULL */
	SIP_SESS_EV_TX_2XX,		/*!< the 2xx to the INVITE went out; data: NULL */
	SIP_SESS_EV_TX_FAILURE,		/*!< sip_sess_reject() or a give-up sent 3xx-6xx; data: uint16_t * status */
	SIP_SESS_EV_RX_CANCEL,		/*!< the core matched a CANCEL to our INVITE; data: the CANCEL (sip_msg) */
	SIP_SESS_EV_RX_ACK,		/*!< ACK for the initial 2xx; data: const struct sip_msg * */
	SIP_SESS_EV_ACK_TIMEOUT,	/*!< IST: no ACK for our 2xx (Timer L / H); data: NULL */
	SIP_SESS_EV_TX_BYE,		/*!< BYE sent (upper layer, session expiry, missing ACK); data: NULL */
	SIP_SESS_EV_RX_BYE,		/*!< BYE received (answered 200); data: const struct sip_msg * */
	SIP_SESS_EV_BYE_DONE,		/*!< final response to our BYE; data: uint16_t * status */
};
extern const struct value_string sip_sess_event_names[];

/*! Offer/answer state (RFC 3264 §4 on the usage, RFC 6337 §2). */
enum sip_sess_oa {
	SIP_SESS_OA_NONE,		/*!< no offer outstanding */
	SIP_SESS_OA_LOCAL_OFFER,	/*!< we offered, waiting for the answer */
	SIP_SESS_OA_REMOTE_OFFER,	/*!< the peer offered, we owe the answer */
};
extern const struct value_string sip_sess_oa_names[];

/*! Why a session ended. */
enum sip_sess_end_cause {
	SIP_SESS_END_REJECTED,		/*!< final 3xx-6xx to the INVITE (status) */
	SIP_SESS_END_CANCELLED,		/*!< CANCEL (487) */
	SIP_SESS_END_BYE,		/*!< BYE, either side */
	SIP_SESS_END_NO_ACK,		/*!< no ACK for our 2xx (BYE sent) */
	SIP_SESS_END_NO_PRACK,		/*!< a reliable 1xx was never acknowledged (5xx sent) */
	SIP_SESS_END_EXPIRED,		/*!< session timer expired (BYE sent) */
	SIP_SESS_END_ERROR,		/*!< 481/408 to an in-dialog request, local failure */
};
extern const struct value_string sip_sess_end_cause_names[];

/*! What the upper layer learns with an event; everything points into the message (valid during the call). */
struct sip_sess_info {
	const struct sip_msg *msg;	/*!< NULL for a response the transaction layer made up (408/503) */
	uint16_t status;		/*!< responses: status code; ended: final status (0 for BYE) */
	struct sip_str sdp;		/*!< application/sdp body, empty if none */
	bool reliable;			/*!< 1xx with RSeq (RFC 3262) */
	struct sip_identity id;		/*!< asserted identity (trusted peers only), privacy, Reason */
	bool by_remote;			/*!< ended: the peer ended it */
	enum sip_sess_end_cause cause;	/*!< ended */
};

struct sip_sess_ops {
	/*! UAS: a new INVITE (info->sdp: its offer, empty for an offerless INVITE: our offer then goes in the
	 * first reliable 18x or in the 200).  Set the priv with sip_sess_set_priv(); answer now or later. */
	void (*incoming)(void *ua_priv, struct sip_sess *s, const struct sip_sess_info *info);
	/*! UAC: an 18x (the first of each reliable one; PRACK already sent). */
	void (*progress)(struct sip_sess *s, void *priv, const struct sip_sess_info *info);
	/*! The session is established (UAC: 2xx received and ACKed; UAS: ACK received). */
	void (*established)(struct sip_sess *s, void *priv, const struct sip_sess_info *info);
	/*! The peer offered SDP (UPDATE, re-INVITE, PRACK, or the reliable 1xx / 2xx to our offerless INVITE; empty
	 * sdp: an offerless re-INVITE asks for our offer): reply with sip_sess_answer() or sip_sess_reject_offer()
	 * (the offer of a 1xx/2xx cannot be refused: answer, then hang up). */
	void (*offer)(struct sip_sess *s, void *priv, const struct sip_sess_info *info);
	/*! The peer answered our offer (18x, 2xx, PRACK, ACK, UPDATE/re-INVITE 2xx). */
	void (*answer)(struct sip_sess *s, void *priv, const struct sip_sess_info *info);
	/*! Our UPDATE or re-INVITE failed with status (491 only after the back-off retry failed too). */
	void (*offer_failed)(struct sip_sess *s, void *priv, uint16_t status);
	/*! The session ended; s is freed right after this returns. */
	void (*ended)(struct sip_sess *s, void *priv, const struct sip_sess_info *info);
	/*! OPTIONS outside a dialog: 200 while calls can be taken, else 503 with *retry_after_s (0: no
	 *  Retry-After).  NULL: 200. */
	uint16_t (*options_status)(void *ua_priv, uint32_t *retry_after_s);
};

/*! Counters of the session layer ("sip:sess_…"). */
enum sip_sess_ctr {
	SIP_SESS_CTR_OUT,		/*!< INVITEs we sent (new sessions) */
	SIP_SESS_CTR_IN,		/*!< INVITEs that made a session */
	SIP_SESS_CTR_ESTABLISHED,
	SIP_SESS_CTR_REJECTED,		/*!< ended by a 3xx-6xx to the INVITE */
	SIP_SESS_CTR_CANCELLED,
	SIP_SESS_CTR_BYE,
	SIP_SESS_CTR_NO_ACK,
	SIP_SESS_CTR_NO_PRACK,
	SIP_SESS_CTR_EXPIRED,
	SIP_SESS_CTR_ERROR,
	SIP_SESS_CTR_REL1XX_RETX,	/*!< reliable 1xx retransmissions */
	SIP_SESS_CTR_TX_491,
	SIP_SESS_CTR_RX_491,
	SIP_SESS_CTR_TX_422,
	SIP_SESS_CTR_TX_421,
	SIP_SESS_CTR_TX_500_CSEQ,	/*!< CSeq out of order (RFC 3261 §12.2.2) */
	SIP_SESS_CTR_FAILOVER,		/*!< INVITE sent again to the next hop */
	_NUM_SIP_SESS_CTR
};

/*! \brief The UA: a core with the INVITE/BYE/PRACK/UPDATE handlers and the in-dialog, ACK and CANCEL hooks.
 * Out-of-dialog requests go to cfg->next_hops when there are any. */
struct sip_sess_ua *sip_sess_ua_alloc(void *ctx, const struct sip_cfg *cfg, const struct sip_sess_ops *ops,
				      void *priv);
/*! \brief Free the UA: every session is freed without callbacks (their transactions finish alone). */
void sip_sess_ua_free(struct sip_sess_ua *ua);
struct sip_core *sip_sess_ua_core(struct sip_sess_ua *ua);
struct sip_nexthops *sip_sess_ua_nexthops(struct sip_sess_ua *ua);
/*! \brief Counter value, and the group ("sip:sess_established", …). */
uint64_t sip_sess_ua_ctr(const struct sip_sess_ua *ua, enum sip_sess_ctr ctr);
struct rate_ctr_group *sip_sess_ua_ctrs(struct sip_sess_ua *ua);
/*! \brief Number of live sessions. */
unsigned int sip_sess_ua_count(const struct sip_sess_ua *ua);
/*! \brief Contact host and port (default: the listener's sent-by for each destination). */
void sip_sess_ua_set_contact(struct sip_sess_ua *ua, const char *host, uint16_t port);

/*! An outgoing call. */
struct sip_sess_invite_req {
	const char *ruri;		/*!< Request-URI */
	const char *from;		/*!< name-addr or URI of From (without tag) */
	const char *to;			/*!< name-addr or URI of To; NULL: the Request-URI */
	const char *sdp;		/*!< the offer; NULL: an offerless INVITE (the offer comes in a reliable 1xx or
					 *   the 2xx, reported by ops->offer; sip_sess_answer() sends PRACK / ACK) */
	const struct sip_identity_out *id;	/*!< P-Asserted-Identity, Privacy (trusted next hops only) */
	const struct sip_addr *dst;	/*!< NULL: the configured next hops, else the Request-URI's host */
};

/*! \brief Start an outgoing call.  \returns the session (reported through ops from now on), or NULL. */
struct sip_sess *sip_sess_invite(struct sip_sess_ua *ua, const struct sip_sess_invite_req *req, void *priv);
/*! \brief UAS: send 18x (status 180-199), with SDP (NULL: none) and reliably if asked and the peer supports
 * 100rel (reliably always if the peer requires it).  A reliable 1xx asked for while one is unacknowledged is
 * queued until its PRACK (RFC 3262 §3).  \returns 0, -EINVAL in a wrong state. */
int sip_sess_progress(struct sip_sess *s, uint16_t status, const char *sdp, bool reliable);
/*! \brief UAS: answer the INVITE with 200 (sdp: the answer, or our offer for an offerless INVITE; ignored once
 * the answer went out in a reliable 1xx).  Deferred while a reliable 1xx is unacknowledged. */
int sip_sess_accept(struct sip_sess *s, const char *sdp);
/*! \brief UAS: refuse the INVITE with 3xx-6xx (id: Reason headers, may be NULL).  ended follows. */
int sip_sess_reject(struct sip_sess *s, uint16_t status, const struct sip_identity_out *id);
/*! \brief As sip_sess_reject(), with a Retry-After header of retry_after_s seconds (RFC 3261 §20.33; 503 when no
 *  capacity is left). */
int sip_sess_reject_retry(struct sip_sess *s, uint16_t status, const struct sip_identity_out *id,
			  uint32_t retry_after_s);
/*! \brief UAC: cancel the INVITE (the CANCEL waits for a provisional response, RFC 3261 §9.1); id: its Reason
 * headers (RFC 3326), may be NULL. */
int sip_sess_cancel(struct sip_sess *s, const struct sip_identity_out *id);
/*! \brief End a session in any state: CANCEL (UAC, not answered), 480/487-style reject (UAS, with status),
 * or BYE (answered; id: Reason).  ended follows (for BYE once its response came). */
int sip_sess_hangup(struct sip_sess *s, uint16_t uas_status, const struct sip_identity_out *id);
/*! \brief Send an UPDATE (RFC 3311) with an offer in an early or confirmed dialog (sdp NULL: a session
 * refresh without offer).  \returns 0, -EBUSY while an offer is outstanding, -EINVAL without dialog. */
int sip_sess_update(struct sip_sess *s, const char *sdp);
/*! \brief Send a re-INVITE with an offer in a confirmed dialog.  \returns 0, -EBUSY, -EINVAL. */
int sip_sess_reinvite(struct sip_sess *s, const char *sdp);
/*! \brief Answer the peer's offer (reported by ops->offer): 200 to its UPDATE/re-INVITE/PRACK, or, for our
 * offerless INVITE, the PRACK of the reliable 1xx or the ACK of the 2xx that carried the offer. */
int sip_sess_answer(struct sip_sess *s, const char *sdp);
/*! \brief Refuse the peer's offer (488 or another status). */
int sip_sess_reject_offer(struct sip_sess *s, uint16_t status);

/*! \brief The identity we assert in our 18x/2xx to the INVITE (UAS: the connected party, RFC 3325), written only
 * towards a trusted peer.  NULL clears it. */
void sip_sess_set_identity(struct sip_sess *s, const struct sip_identity_out *id);
void sip_sess_set_priv(struct sip_sess *s, void *priv);
enum sip_sess_state sip_sess_state(const struct sip_sess *s);
/*! \brief The session's FSM instance (its id is set when something first logs about the session). */
struct osmo_fsm_inst *sip_sess_fsm_inst(const struct sip_sess *s);
enum sip_sess_oa sip_sess_oa_state(const struct sip_sess *s);
/*! \brief The last SDP we sent / received in a completed offer/answer exchange (NULL before). */
const char *sip_sess_local_sdp(const struct sip_sess *s);
const char *sip_sess_remote_sdp(const struct sip_sess *s);
/*! \brief The current dialog (confirmed, or the latest early one), NULL before any. */
const struct sip_dialog *sip_sess_dialog(const struct sip_sess *s);
/*! \brief Number of early dialogs of a UAC (forking, one per To tag). */
unsigned int sip_sess_num_early(const struct sip_sess *s);
/*! \brief Negotiated session interval in seconds (0: no session timer) and whether we refresh. */
uint32_t sip_sess_expires(const struct sip_sess *s, bool *we_refresh);
const char *sip_sess_call_id(const struct sip_sess *s);
