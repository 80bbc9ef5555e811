/*! \file sip_core.h
 * The SIP core: transports, transactions and the TU handlers tied together (RFC 3261 §8.2 UAS behaviour).
 *
 *   ┌──────────────────────────── sip_core ──────────────────────────────────────────────────────────────┐
 *   │  sip_tp (sip_transport.h)      sip_tl (sip_trans.h)              TU handlers (by method)             │
 *   │  UDP/TCP/TLS sockets ──rx──►  match: retransmission / ACK ──►  absorbed in the transaction           │
 *   │  framing, Via received/rport   no match ─────────────────►  core checks, in RFC 3261 §8.2 order:      │
 *   │  400/505/513 for bad syntax                                   ACK → sip_tl_ack_2xx() + ops->ack        │
 *   │                                                               501 unknown method, CANCEL → 200 + the   │
 *   │                                                               TU's cancel hook (481 if no INVITE),     │
 *   │                                                               483 Max-Forwards 0, 482 merged request,  │
 *   │                                                               405 + Allow, 420 + Unsupported,          │
 *   │                                                               in-dialog → ops->in_dialog (481)         │
 *   │                                                               OPTIONS → 200 Allow/Accept/Supported     │
 *   │                                                               else server transaction → handler(st)    │
 *   │  sip_tp_send() ◄──────────────  ICT/NICT/IST/NIST ◄─────────  sip_core_request() / sip_strans_reply()  │
 *   └─────────────────────────────────────────────────────────────────────────────────────────────────────┘
 *
 * The error answers before a transaction exists (501, 481 to CANCEL, 483, 482, 405, 420) are stateless
 * (RFC 3261 §8.2.7; the To tag is derived from the request so that a retransmission gets the same answer).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <osmocom/core/utils.h>

#include "sip/sip_cfg.h"
#include "sip/sip_trans.h"
#include "sip/sip_transport.h"

struct sip_core;

/*! A TU handler for new requests of one method: answer through st (sip_strans_reply()/respond()). */
typedef void (*sip_core_req_cb)(void *priv, struct sip_strans *st);

struct sip_core_ops {
	/*! A request with a To tag for a served method (the dialog layer's hook).  Return 0 if a dialog took it,
	 * -ENOENT to have the core answer 481 (RFC 3261 §12.2.2).  NULL: every in-dialog request gets 481. */
	int (*in_dialog)(void *priv, struct sip_strans *st);
	/*! An ACK that is no transaction's (ACK for a 2xx, RFC 3261 §17.1.1.3 / §13.3.1.4).  May be NULL. */
	void (*ack)(void *priv, const struct sip_rx *rx);
	/*! A CANCEL matched an INVITE server transaction still in Proceeding; the core answered the CANCEL with
	 * 200.  The TU ends the INVITE (487).  NULL: the core answers 487 itself. */
	void (*cancel)(void *priv, struct sip_strans *invite);
	/*! The status OPTIONS gets (200, or 503 when overloaded, for load-balancer health checks).  NULL: 200.
	 *  For a 503, *retry_after_s (0 on entry) may be set: a Retry-After header with it (RFC 3261 §21.5.4). */
	uint16_t (*options_status)(void *priv, uint32_t *retry_after_s);
};

/*! Counters of the core (stateless answers and dispatch). */
enum sip_core_ctr {
	SIP_CORE_CTR_RX_NEW_REQ,
	SIP_CORE_CTR_RX_ACK,
	SIP_CORE_CTR_TX_400,
	SIP_CORE_CTR_TX_405,
	SIP_CORE_CTR_TX_420,
	SIP_CORE_CTR_TX_421,
	SIP_CORE_CTR_TX_481,
	SIP_CORE_CTR_TX_482,
	SIP_CORE_CTR_TX_483,
	SIP_CORE_CTR_TX_501,
	SIP_CORE_CTR_RX_CANCEL,
	SIP_CORE_CTR_RX_OPTIONS,
	_NUM_SIP_CORE_CTR
};

/*! \brief Allocate the core with its transport and transaction layers (no socket opened yet: use
 * sip_tp_listen_cfg(sip_core_tp(core)) or sip_tp_listen()). */
struct sip_core *sip_core_alloc(void *ctx, const struct sip_cfg *cfg, const struct sip_core_ops *ops, void *priv);
void sip_core_free(struct sip_core *core);
struct sip_tp *sip_core_tp(struct sip_core *core);
struct sip_tl *sip_core_tl(struct sip_core *core);
uint64_t sip_core_ctr(const struct sip_core *core, enum sip_core_ctr ctr);
/*! \brief The core's counters ("sip:core_tx_405", …). */
struct rate_ctr_group *sip_core_ctrs(struct sip_core *core);

/*! \brief Serve a method: new requests of it go to cb (INVITE after a 100 Trying was sent). */
int sip_core_register(struct sip_core *core, enum sip_method method, sip_core_req_cb cb, void *priv);
/*! \brief Option tags we support (NULL-terminated, the array must stay valid): Require checks (420) and the
 * Supported header of OPTIONS answers. */
void sip_core_set_supported(struct sip_core *core, const char *const *tags);

/*! \brief The CANCEL request while ops->cancel runs (its Reason header, RFC 3326), NULL otherwise. */
const struct sip_msg *sip_core_cancel_request(const struct sip_core *core);

/*! \brief 421 Extension Required naming tag in Require (RFC 3261 §21.4.16), for a TU that needs an extension the
 * request does not list in Supported. */
int sip_core_reply_421(struct sip_core *core, struct sip_strans *st, const char *tag);
/*! \brief The Allow header value of the methods served ("INVITE, ACK, CANCEL, BYE, OPTIONS"). */
int sip_core_allow(const struct sip_core *core, char *buf, size_t len);

/*! \brief Send a request (without Via) in a client transaction: sip_ctrans_send() on the core's layer. */
struct sip_ctrans *sip_core_request(struct sip_core *core, const struct sip_addr *dst, struct msgb *req,
				    const struct sip_ctrans_ops *ops, void *priv);
/*! \brief Destination of a request from a SIP URI with an IP literal host (RFC 3263 without DNS): transport from
 * ;transport= or sips:, port from the URI or 5060/5061.  \returns 0, -EINVAL for a host name or bad URI. */
int sip_core_uri_dst(struct sip_str uri, struct sip_addr *dst);
/*! \brief Destination of a configured next hop (its transport, address and port).  \returns 0, -EINVAL. */
int sip_core_next_hop_dst(const struct sip_next_hop_cfg *nh, struct sip_addr *dst);
