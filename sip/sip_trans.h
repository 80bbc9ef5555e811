/*! \file sip_trans.h
 * SIP transactions (RFC 3261 §17, with RFC 6026's Accepted states): INVITE and non-INVITE, client and server.
 *
 *   TU ── sip_ctrans_send(dst, request without Via) ──► ICT / NICT ── adds Via (branch, rport) ──► transport
 *      ◄── ops->response(status, msg|NULL) ───────────  A/E retransmit (UDP), B/F → 408, transport error → 503,
 *                                                       ACK for 3xx-6xx (ICT), D/K absorb, M (RFC 6026)
 *   transport ── request ──► sip_tl_recv() ── matches (§17.2.3, RFC 2543 fallback) ──► IST / NIST: absorbs
 *      retransmissions and replays the last response; G retransmits 3xx-6xx, H waits for ACK, I/J absorb, L
 *      (RFC 6026); a 2xx to INVITE is retransmitted from Accepted until the TU's ACK arrives (§13.3.1.4)
 *   no match ──► ops->new_request() (the core, sip_core.h) which creates the server transaction or answers
 *      statelessly.
 *
 * The four machines are compact hand-written state machines, not osmo_fsm: each transaction runs two timers at
 * once (retransmission A/E/G beside timeout B/F/H), which osmo_fsm's single state timeout cannot express, and
 * transactions are the most numerous objects of the stack (one per request, retransmission-absorbing ones live
 * 32 s), so they stay small; the pattern follows libre's ctrans.c/strans.c.  States and events are logged by
 * name.  Reliable transports skip retransmissions and use 0 for D, I, J and K (RFC 3261 §17.1.1.2, §17.2.1).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/utils.h>

#include "sip/sip_msg.h"
#include "sip/sip_transport.h"

struct rate_ctr_group;
struct sip_tl;
struct sip_ctrans;
struct sip_strans;

enum sip_trans_state {
	SIP_TS_CALLING,		/*!< ICT: request sent, A and B running */
	SIP_TS_TRYING,		/*!< NICT: request sent, E and F running; NIST: no response yet */
	SIP_TS_PROCEEDING,	/*!< provisional response seen / sent */
	SIP_TS_COMPLETED,	/*!< final non-2xx (ICT, IST) or any final (NICT, NIST): absorbing retransmissions */
	SIP_TS_CONFIRMED,	/*!< IST: ACK received, I absorbs ACK retransmissions */
	SIP_TS_ACCEPTED,	/*!< RFC 6026: 2xx to INVITE sent (L) / received (M) */
	SIP_TS_TERMINATED,
};
extern const struct value_string sip_trans_state_names[];
static inline const char *sip_trans_state_name(enum sip_trans_state s)
{
	return get_value_string(sip_trans_state_names, s);
}

/*! Counters of the transaction layer. */
enum sip_tl_ctr {
	SIP_TL_CTR_CT_CREATED,
	SIP_TL_CTR_CT_RETRANSMIT,
	SIP_TL_CTR_CT_TIMEOUT,
	SIP_TL_CTR_CT_TRANSPORT_ERR,
	SIP_TL_CTR_RX_RSP_ABSORBED,
	SIP_TL_CTR_RX_RSP_STRAY,
	SIP_TL_CTR_ST_CREATED,
	SIP_TL_CTR_ST_RETRANSMIT,
	SIP_TL_CTR_RX_REQ_ABSORBED,
	SIP_TL_CTR_ST_ACK_TIMEOUT,
	SIP_TL_CTR_TX_ERRORS,
	_NUM_SIP_TL_CTR
};

/*! What the transaction layer asks of its owner (the core). */
struct sip_tl_ops {
	/*! A request that matches no server transaction (ACK for 2xx included; CANCEL included). */
	void (*new_request)(void *priv, const struct sip_rx *rx);
};

/*! \brief Allocate the transaction layer over a transport.  The transport's ops must call sip_tl_recv() and
 * sip_tl_conn_closed() (sip_core does that). */
struct sip_tl *sip_tl_alloc(void *ctx, struct sip_tp *tp, const struct sip_tl_ops *ops, void *priv);
/*! \brief Free every transaction (no callbacks) and the layer. */
void sip_tl_free(struct sip_tl *tl);
/*! \brief A message from the transport: matched to a transaction or passed to ops->new_request(). */
void sip_tl_recv(struct sip_tl *tl, const struct sip_rx *rx);
/*! \brief A connection closed: client transactions waiting for a response over it fail with 503. */
void sip_tl_conn_closed(struct sip_tl *tl, uint32_t conn_id, bool error);
/*! \brief The transport layer below. */
struct sip_tp *sip_tl_tp(struct sip_tl *tl);
/*! \brief Counter value. */
uint64_t sip_tl_ctr(const struct sip_tl *tl, enum sip_tl_ctr ctr);
/*! \brief The counters ("sip:ctrans_created", …). */
struct rate_ctr_group *sip_tl_ctrs(struct sip_tl *tl);
/*! \brief Transactions alive (client + server). */
unsigned int sip_tl_num_trans(const struct sip_tl *tl);

/* ---- client transactions ----------------------------------------------------------------------------------- */

struct sip_ctrans_ops {
	/*! A response: rsp is the received message (valid during the call), or NULL for a response the transaction
	 * made up: 408 on Timer B/F, 503 on a transport error.  Final responses end the transaction for the TU,
	 * except 2xx to INVITE: retransmitted 2xx keep coming until Timer M (RFC 6026), so the TU can resend ACK. */
	void (*response)(void *priv, struct sip_ctrans *ct, uint16_t status, const struct sip_msg *rsp);
	/*! The transaction is being freed (the TU drops its pointer; an INVITE transaction lives on after its 2xx
	 * until Timer M).  May be NULL. */
	void (*terminated)(void *priv, struct sip_ctrans *ct);
};

/*! \brief Send a request in a new client transaction.
 *
 * \param req  a complete request (start line, headers, body) without Via: the transaction inserts the top Via
 *             with our sent-by, a new branch and ;rport.  Ownership passes to the transaction, also on error.
 * \param dst  where to send it (next hop or the Request-URI's host/port/transport).
 * \returns the transaction, or NULL if the request could not even be queued (no callback then). */
struct sip_ctrans *sip_ctrans_send(struct sip_tl *tl, const struct sip_addr *dst, struct msgb *req,
				   const struct sip_ctrans_ops *ops, void *priv);
/*! \brief CANCEL an INVITE client transaction (RFC 3261 §9.1): only once a provisional response arrived; the
 * CANCEL is its own non-INVITE transaction reporting to ops.  \returns the CANCEL transaction or NULL (-EINVAL
 * state: nothing received yet, or already final). */
struct sip_ctrans *sip_ctrans_cancel(struct sip_ctrans *ct, const struct sip_ctrans_ops *ops, void *priv);
/*! \brief sip_ctrans_cancel() with extra header lines ("Reason: Q.850;cause=16\r\n", RFC 3326), may be NULL. */
struct sip_ctrans *sip_ctrans_cancel_hdrs(struct sip_ctrans *ct, const char *extra, const struct sip_ctrans_ops *ops,
					  void *priv);
/*! \brief The TU goes away: no more callbacks; the transaction finishes its retransmission duties alone. */
void sip_ctrans_detach(struct sip_ctrans *ct);
/*! \brief Branch of the transaction. */
const char *sip_ctrans_branch(const struct sip_ctrans *ct);
enum sip_trans_state sip_ctrans_state(const struct sip_ctrans *ct);
/*! \brief The destination actually used (conn_id of a TCP/TLS connection filled in). */
const struct sip_addr *sip_ctrans_dst(const struct sip_ctrans *ct);

/* ---- server transactions ----------------------------------------------------------------------------------- */

struct sip_strans_ops {
	/*! RFC 6026 Timer L (2xx) or Timer H (3xx-6xx) fired without an ACK. */
	void (*ack_timeout)(void *priv, struct sip_strans *st);
	/*! The transaction is being freed (the TU drops its pointer). */
	void (*terminated)(void *priv, struct sip_strans *st);
};

/*! \brief Create the server transaction for a request the core accepts (not ACK).  The request is copied. */
struct sip_strans *sip_strans_create(struct sip_tl *tl, const struct sip_rx *rx);
/*! \brief Callbacks for the TU. */
void sip_strans_set_ops(struct sip_strans *st, const struct sip_strans_ops *ops, void *priv);
/*! \brief The request (valid for the lifetime of the transaction). */
const struct sip_msg *sip_strans_request(const struct sip_strans *st);
/*! \brief Where the request came from (transport, address, connection). */
const struct sip_addr *sip_strans_source(const struct sip_strans *st);
/*! \brief The To tag responses carry when the request had none (generated at creation). */
const char *sip_strans_to_tag(const struct sip_strans *st);
enum sip_trans_state sip_strans_state(const struct sip_strans *st);

/*! \brief An empty msgb of at least size bytes to build a response of st in: the build buffer of an earlier
 * response when it is large enough (sip_strans_respond() keeps only an exact copy), else a new one.  The caller owns
 * it like any msgb.  NULL if out of memory. */
struct msgb *sip_strans_msgb(struct sip_strans *st, size_t size);
/*! \brief Send a response built by the TU (sip_build_response() on sip_strans_request()).  Takes msg.
 * \returns 0, -EINVAL if the transaction cannot send this status in its state. */
int sip_strans_respond(struct sip_strans *st, uint16_t status, struct msgb *msg);
/*! \brief Build and send a response without body; extra (may be NULL) is inserted verbatim as header lines
 * ("Name: value\r\n" each). */
int sip_strans_reply(struct sip_strans *st, uint16_t status, const char *reason, const char *extra);

/*! \brief The INVITE server transaction a CANCEL is for (RFC 3261 §9.2: matched like the INVITE, by branch and
 * sent-by, or the RFC 2543 rules without To tag), or NULL. */
struct sip_strans *sip_tl_find_cancelled(struct sip_tl *tl, const struct sip_msg *cancel);
/*! \brief Whether a request without To tag is a merged request (RFC 3261 §8.2.2.2): same From tag, Call-ID and
 * CSeq as a live server transaction it does not match. */
bool sip_tl_is_merged(struct sip_tl *tl, const struct sip_msg *req);
/*! \brief Whether a request is one of ours come back unchanged (RFC 3261 §8.2.2.2 / §16.3 item 4 in the cheap
 * form): a Via carries the branch of one of our live client transactions and the Request-URI is the one we sent.
 * A spiral (same branch, another Request-URI, e.g. a call hairpinned back through the gateway) is not a loop. */
bool sip_tl_is_looped(struct sip_tl *tl, const struct sip_msg *req);
/*! \brief An ACK for a 2xx reached the core: stop the 2xx retransmission of the INVITE it acknowledges.
 * \returns true if such an INVITE server transaction was found. */
bool sip_tl_ack_2xx(struct sip_tl *tl, const struct sip_msg *ack);
