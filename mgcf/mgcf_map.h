/*! \file mgcf_map.h
 * Message mapping of the call set-up, TS 29.163 §7.2.3.1.2 (INVITE → IAM) and §7.2.3.2.2 (IAM → INVITE).
 *
 * Pure functions on values the SIP and ISUP layers have already parsed, so that the mapping can be
 * tested row by row without a call:
 *
 *   INVITE: R-URI number, trusted P-Asserted-Identity, From, Privacy, Max-Forwards, SDP kind
 *        ──mgcf_map_iam()──▶ struct isup_msg (IAM: NCI, FCI, CPC, TMR, CdPN, CgPN, generic number, hop counter)
 *   IAM  ──mgcf_map_invite()──▶ From, P-Asserted-Identity, Privacy, Max-Forwards, media kind, preconditions
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "isup/isup_codec.h"
#include "mgcf/mgcf_cfg.h"
#include "mgcf/mgcf_route.h"

/*! What the SIP side of a SIP→ISUP call says about the caller and the call. */
struct mgcf_sip_call_info {
	const char *called;		/*!< number of the Request-URI, e.g. "+4930123456" (mgcf_number_from_uri()) */
	const char *pai_uri;		/*!< P-Asserted-Identity URI if the peer is trusted and sent one, else NULL */
	const char *from_uri;		/*!< From URI */
	bool privacy_id;		/*!< Privacy: id (RFC 3325) */
	bool privacy_user;		/*!< Privacy: user or header (RFC 3323): restrict the user-provided number */
	int max_forwards;		/*!< -1: absent */
	bool clearmode;			/*!< the offer's only usable codec is CLEARMODE (RFC 4040) */
	bool continuity_previous;	/*!< IAM now, COT when the preconditions are met */
	bool continuity_required;	/*!< the trunk tests this circuit (ignored with continuity_previous) */
	bool echo_device;		/*!< the MGW inserts an outgoing echo canceller */
};

/*! Storage for the digit strings an IAM refers to (the codec references, not copies, them). */
struct mgcf_iam_digits {
	char called[MGCF_NUMBER_MAX + 2];	/*!< + 'F' (ST) */
	char calling[MGCF_NUMBER_MAX + 1];
	char generic[MGCF_NUMBER_MAX + 1];
};

/*! \brief Fill an IAM for a SIP→ISUP call routed by r.
 *  \returns 0; -EINVAL when the called number cannot be dialled by the route (nothing left after the digit
 *  manipulation, or not digits), -EMSGSIZE if a number does not fit. */
int mgcf_map_iam(struct isup_msg *iam, struct mgcf_iam_digits *d, const struct mgcf_route_out *r,
		 const struct mgcf_sip_call_info *c);

/*! What the INVITE of an ISUP→SIP call carries about the caller (talloc'd strings). */
struct mgcf_invite_info {
	char *from;			/*!< From header value (name-addr, without tag) */
	char *pai;			/*!< P-Asserted-Identity header value, NULL: none */
	bool privacy_id;		/*!< add Privacy: id */
	unsigned int max_forwards;
	bool clearmode;			/*!< offer CLEARMODE (64 kbit/s unrestricted) rather than speech codecs */
	bool preconditions;		/*!< offer preconditions: continuity is checked on the CS side (COT awaited) */
};

/*! \brief INVITE fields from an IAM (the Request-URI comes from mgcf_route_in_uri()).
 *  \param[in] domain host part of the From URI. \param[in] country_code for national numbers, or NULL.
 *  \returns 0, or -ENOMEM. */
int mgcf_map_invite(void *ctx, struct mgcf_invite_info *out, const struct isup_msg *iam, const char *domain,
		    const char *country_code, bool route_preconditions);

/*! \brief Hop counter (1..31) for a Max-Forwards value: Max-Forwards 70 (RFC 3261's default) is 31. */
uint8_t mgcf_hop_counter_from_max_forwards(unsigned int max_forwards);
/*! \brief Max-Forwards for a hop counter: the inverse scaling. */
unsigned int mgcf_max_forwards_from_hop_counter(uint8_t hop_counter);
