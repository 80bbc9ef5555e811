/*! \file sip_identity.h
 * Asserted identity and privacy (RFC 3325, RFC 3323) and the Reason header (RFC 3326) for the session layer.
 *
 *   received: P-Asserted-Identity and Privacy are honoured only from trusted peers (sip_cfg.trusted, §2.3 of
 *             RFC 3325's spec(T)); from anyone else they are ignored, as if absent.
 *   sent:     P-Asserted-Identity and "Privacy: id" only towards trusted next hops; towards untrusted ones the
 *             asserted identity is stripped (RFC 3325 §5) and, with privacy asked, From is anonymised by the caller.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/socket.h>

#include "sip/sip_cfg.h"
#include "sip/sip_msg.h"

/*! Identity information of a received request or response, slices into the message. */
struct sip_identity {
	bool trusted;			/*!< the sender is in sip_cfg.trusted */
	unsigned int num_pai;		/*!< asserted identities (at most one sip:/sips: and one tel:, RFC 3325 §9.1) */
	struct sip_str pai_uri[2];
	struct sip_str pai_display[2];
	bool priv_id;			/*!< Privacy: id (RFC 3325 §9.3) */
	bool priv_header;		/*!< Privacy: header (RFC 3323 §4.2) */
	bool priv_user;
	bool priv_session;
	bool priv_none;
	bool priv_critical;
	bool has_reason_q850;		/*!< Reason: Q.850;cause=N (RFC 3326) */
	struct sip_reason reason_q850;
	bool has_reason_sip;		/*!< Reason: SIP;cause=NNN */
	struct sip_reason reason_sip;
};

/*! \brief Whether addr belongs to a trusted network of cfg. */
bool sip_identity_trusted(const struct sip_cfg *cfg, const struct osmo_sockaddr *addr);

/*! \brief Fill id from msg received from src: P-Asserted-Identity and Privacy only if src is trusted; Reason
 * always.  \returns 0, -EBADMSG if a trusted peer sent a malformed P-Asserted-Identity (ignored then). */
int sip_identity_parse(struct sip_identity *id, const struct sip_msg *msg, const struct sip_cfg *cfg,
		       const struct osmo_sockaddr *src);

/*! What the upper layer asserts in a request or response we send. */
struct sip_identity_out {
	const char *pai;		/*!< name-addr or URI of P-Asserted-Identity, NULL: none */
	const char *pai_tel;		/*!< a second, tel: identity, NULL: none */
	bool priv_id;
	bool priv_header;
	int q850_cause;			/*!< Reason: Q.850;cause= (0: none) */
	int sip_cause;			/*!< Reason: SIP;cause= (0: none) */
};

/*! \brief Write P-Asserted-Identity and Privacy (only if dst_trusted) and Reason headers.  \returns 0,
 * -EMSGSIZE. */
int sip_identity_build(struct msgb *msg, const struct sip_identity_out *out, bool dst_trusted);
