/* Interworking timers.  TS 29.163 names these functions rather than fixing
 * values; the defaults keep each one below the ISUP timer it must beat. */
#include "mgcf/mgcf_timers.h"

struct osmo_tdef mgcf_tdefs[] = {
	{ .T = MGCF_T_PRECOND, .default_val = 8, .unit = OSMO_TDEF_S, .min_val = 1, .max_val = 60,
	  .desc = "SIP->ISUP: preconditions must be met within (below the far end's T8)" },
	{ .T = MGCF_T_ACM_SUPERVISION, .default_val = 12, .unit = OSMO_TDEF_S, .min_val = 1, .max_val = 60,
	  .desc = "ISUP->SIP: send ACM if no 18x arrived (below the previous exchange's T7)" },
	{ .T = MGCF_T_NO_ANSWER, .default_val = 180, .unit = OSMO_TDEF_S, .min_val = 10, .max_val = 3600,
	  .desc = "ISUP->SIP: no final response from the IMS side" },
	{ .T = MGCF_T_PRECOND_IN, .default_val = 10, .unit = OSMO_TDEF_S, .min_val = 1, .max_val = 60,
	  .desc = "ISUP->SIP: preconditions met on the SIP side within" },
	{ .T = MGCF_T_RETRY_AFTER, .default_val = 10, .unit = OSMO_TDEF_S, .min_val = 1, .max_val = 3600,
	  .desc = "SIP->ISUP: Retry-After of a 503 (INVITE or OPTIONS) when no circuit or capacity is left" },
	{}
};

const struct value_string mgcf_timer_names[] = {
	{ MGCF_T_PRECOND, "precondition" },
	{ MGCF_T_ACM_SUPERVISION, "acm-supervision" },
	{ MGCF_T_NO_ANSWER, "no-answer" },
	{ MGCF_T_PRECOND_IN, "precondition-in" },
	{ MGCF_T_RETRY_AFTER, "retry-after" },
	{ 0, NULL }
};
