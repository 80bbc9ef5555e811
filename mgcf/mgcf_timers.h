/*! \file mgcf_timers.h
 * Interworking timers (TS 29.163 §7.2.3.1/§7.2.3.2) as osmo_tdef data.
 */
#pragma once
#include <osmocom/core/tdef.h>
#include <osmocom/core/utils.h>

enum mgcf_timer {
	MGCF_T_PRECOND = 1,	/*!< SIP→ISUP: await preconditions after IAM with COT pending; below the far end's T8 */
	MGCF_T_ACM_SUPERVISION = 2,	/*!< ISUP→SIP: send ACM (no indication) if no 18x, below the previous exchange's T7 */
	MGCF_T_NO_ANSWER = 3,	/*!< ISUP→SIP: no final answer from the IMS */
	MGCF_T_PRECOND_IN = 4,	/*!< ISUP→SIP: await preconditions met on the SIP side */
	MGCF_T_RETRY_AFTER = 5,	/*!< Retry-After of a 503: no circuit or capacity left (not a running timer) */
};

extern struct osmo_tdef mgcf_tdefs[];
extern const struct value_string mgcf_timer_names[];
