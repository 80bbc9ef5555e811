/*! \file mgcf_cause.h
 * Release cause mapping between Q.850 causes (ISUP REL) and SIP final responses.
 *
 * Two total tables, one per direction, each with explicit rows and an explicit default per cause
 * class / status class, so that every input has a defined output:
 *
 *     ISUP REL cause ──mgcf_q850_to_sip()──▶ SIP status   (SIP→ISUP call, REL before the final response)
 *     SIP status    ──mgcf_sip_to_q850()──▶ Q.850 cause  (ISUP→SIP call, 4xx-6xx to the INVITE)
 *
 * A Q.850 cause carried in a Reason header (RFC 3326/6432) takes precedence over the table
 * (mgcf_cause_from_reason()); per-trunk overrides from the configuration take precedence over
 * the built-in rows.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "mgcf/mgcf_cfg.h"

/*! Q.850 location values (Q.850 §2.2.5 / Q.763 §3.12). */
enum mgcf_cause_location {
	MGCF_LOC_USER = 0x0,		/*!< U */
	MGCF_LOC_LPN = 0x1,		/*!< private network serving the local user */
	MGCF_LOC_LN = 0x2,		/*!< public network serving the local user */
	MGCF_LOC_TN = 0x3,		/*!< transit network */
	MGCF_LOC_RLN = 0x4,		/*!< public network serving the remote user */
	MGCF_LOC_RPN = 0x5,		/*!< private network serving the remote user */
	MGCF_LOC_INTL = 0x7,		/*!< international network */
	MGCF_LOC_BI = 0xa,		/*!< network beyond interworking point */
};

/*! One row of a mapping table: `from` → `to`, with the clause that gives it. */
struct mgcf_cause_row {
	uint16_t from;
	uint16_t to;
	const char *ref;
};

/*! \brief SIP final status for a Q.850 cause received in REL (never 0; always 4xx-6xx).
 *  \param[in] tp the trunk group's policy (its overrides are applied first), may be NULL.
 *  \param[in] cause Q.850 cause value (0..127; out of range treated as 127).
 *  \param[in] location Q.850 location of the cause. */
uint16_t mgcf_q850_to_sip(const struct mgcf_trunk_policy *tp, uint8_t cause, uint8_t location);

/*! \brief Q.850 cause for a SIP final failure status (never 0; always 1..127). */
uint8_t mgcf_sip_to_q850(const struct mgcf_trunk_policy *tp, uint16_t status);

/*! \brief The Q.850 cause of a Reason header value ("Q.850;cause=17;text=..."), or -ENOENT. */
int mgcf_cause_from_reason(const char *reason, unsigned int len);

/*! \brief Name of a Q.850 cause value ("User busy"), "Unknown cause" if unassigned. */
const char *mgcf_q850_name(uint8_t cause);

/*! \brief The built-in rows, for documentation and tests (terminated by from == 0). */
extern const struct mgcf_cause_row mgcf_q850_to_sip_rows[];
extern const struct mgcf_cause_row mgcf_sip_to_q850_rows[];
