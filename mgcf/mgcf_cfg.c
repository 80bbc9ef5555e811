/* Names for the interworking configuration enums. */
#include "mgcf/mgcf_cfg.h"

const struct value_string mgcf_nai_names[] = {
	{ MGCF_NAI_SUBSCRIBER, "subscriber" },
	{ MGCF_NAI_UNKNOWN, "unknown" },
	{ MGCF_NAI_NATIONAL, "national" },
	{ MGCF_NAI_INTERNATIONAL, "international" },
	{ 0, NULL }
};

const struct value_string mgcf_precond_mode_names[] = {
	{ MGCF_PRECOND_IAM_COT, "iam-cot" },
	{ MGCF_PRECOND_DELAY_IAM, "delay-iam" },
	{ 0, NULL }
};

const struct value_string mgcf_continuity_names[] = {
	{ MGCF_CONTINUITY_NONE, "none" },
	{ MGCF_CONTINUITY_REQUIRED, "required" },
	{ 0, NULL }
};
