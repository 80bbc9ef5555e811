/*! \file isup_msgs.c
 * Q.763 Table 4 message layouts: mandatory fixed parameters (their lengths come from the parameter table),
 * mandatory variable parameters with the value-length limits printed for that message, and whether the message
 * has a pointer to an optional part, per the Q.763 message tables as digested in shared/docs/standards.md §1.2.
 * Lengths here are value octets (Q.763's V lengths minus the length octet).
 */
#include "isup/isup_codec.h"
#include "isup/isup_codec_int.h"

#define B_(c)		(1ull << (c))
#define MASK1_(a)	B_(a)
#define MASK2_(a, b)	(B_(a) | B_(b))
#define MASK3_(a, b, c)	(B_(a) | B_(b) | B_(c))
#define MASK4_(a, b, c, d) (B_(a) | B_(b) | B_(c) | B_(d))
#define PICK_(a, b, c, d, f, ...) f
#define MASK_(...)	PICK_(__VA_ARGS__, MASK4_, MASK3_, MASK2_, MASK1_)(__VA_ARGS__)

#define FIXED(...)	.fixed = { __VA_ARGS__ }, .n_fixed = sizeof((uint8_t[]){ __VA_ARGS__ }), \
			.fixed_mask = MASK_(__VA_ARGS__)
#define VAR1(c, a, b)	.var = { { (c), (a), (b) } }, .n_var = 1, .var_mask = B_(c)
#define VAR2(c1, a1, b1, c2, a2, b2) .var = { { (c1), (a1), (b1) }, { (c2), (a2), (b2) } }, .n_var = 2, \
			.var_mask = B_(c1) | B_(c2)
#define FULL		.known = true, .supported = true
#define OPAQUE		.known = true
#define OPT		.opt = true

const struct isup_msg_def isup_msg_defs[256] = {
	[ISUP_IAM] = { FULL, OPT, FIXED(ISUP_P_NCI, ISUP_P_FCI, ISUP_P_CPC, ISUP_P_TMR),
		       VAR1(ISUP_P_CALLED_NUMBER, 3, 255) },
	[ISUP_SAM] = { FULL, OPT, VAR1(ISUP_P_SUBSEQUENT_NUMBER, 2, 255) },
	[ISUP_INR] = { FULL, OPT, FIXED(ISUP_P_INR_IND) },
	[ISUP_INF] = { FULL, OPT, FIXED(ISUP_P_INF_IND) },
	[ISUP_COT] = { FULL, FIXED(ISUP_P_CONTINUITY_IND) },
	[ISUP_ACM] = { FULL, OPT, FIXED(ISUP_P_BCI) },
	[ISUP_CON] = { FULL, OPT, FIXED(ISUP_P_BCI) },
	[ISUP_FOT] = { FULL, OPT },
	[ISUP_ANM] = { FULL, OPT },
	[ISUP_REL] = { FULL, OPT, VAR1(ISUP_P_CAUSE, 2, 255) },
	[ISUP_SUS] = { FULL, OPT, FIXED(ISUP_P_SUS_RES_IND) },
	[ISUP_RES] = { FULL, OPT, FIXED(ISUP_P_SUS_RES_IND) },
	[ISUP_RLC] = { FULL, OPT },
	/* message type only */
	[ISUP_CCR] = { FULL },
	[ISUP_RSC] = { FULL },
	[ISUP_BLO] = { FULL },
	[ISUP_UBL] = { FULL },
	[ISUP_BLA] = { FULL },
	[ISUP_UBA] = { FULL },
	[ISUP_LPA] = { FULL },
	[ISUP_UCIC] = { FULL },
	[ISUP_OLM] = { OPAQUE },
	/* range only */
	[ISUP_GRS] = { FULL, VAR1(ISUP_P_RANGE_STATUS, 1, 1) },
	[ISUP_GRA] = { FULL, VAR1(ISUP_P_RANGE_STATUS, 2, 33) },
	[ISUP_CGB] = { FULL, FIXED(ISUP_P_CGSMT), VAR1(ISUP_P_RANGE_STATUS, 2, 33) },
	[ISUP_CGU] = { FULL, FIXED(ISUP_P_CGSMT), VAR1(ISUP_P_RANGE_STATUS, 2, 33) },
	[ISUP_CGBA] = { FULL, FIXED(ISUP_P_CGSMT), VAR1(ISUP_P_RANGE_STATUS, 2, 33) },
	[ISUP_CGUA] = { FULL, FIXED(ISUP_P_CGSMT), VAR1(ISUP_P_RANGE_STATUS, 2, 33) },
	[ISUP_CQM] = { FULL, VAR1(ISUP_P_RANGE_STATUS, 1, 1) },
	[ISUP_CQR] = { FULL, VAR2(ISUP_P_RANGE_STATUS, 1, 1, ISUP_P_CIRCUIT_STATE_IND, 1, 32) },
	[ISUP_CPG] = { FULL, OPT, FIXED(ISUP_P_EVENT_INFO) },
	[ISUP_USR] = { FULL, OPT, VAR1(ISUP_P_UUI, 1, 129) },
	[ISUP_CFN] = { FULL, OPT, VAR1(ISUP_P_CAUSE, 2, 255) },
	[ISUP_FAC] = { FULL, OPT },
	/* Known but opaque: validated structurally, parameters kept raw unless typed. */
	[ISUP_FAR] = { OPAQUE, OPT, FIXED(ISUP_P_FACILITY_IND) },
	[ISUP_FAA] = { OPAQUE, OPT, FIXED(ISUP_P_FACILITY_IND) },
	[ISUP_FRJ] = { OPAQUE, OPT, FIXED(ISUP_P_FACILITY_IND), VAR1(ISUP_P_CAUSE, 2, 255) },
	[ISUP_PAM] = { OPAQUE, .opaque_body = true },			/* carries an embedded message */
	[ISUP_CRG] = { OPAQUE, .opaque_body = true },			/* national use, format not in Q.763 */
	[ISUP_NRM] = { OPAQUE, OPT },				
	[ISUP_UPT] = { OPAQUE, OPT },				
	[ISUP_UPA] = { OPAQUE, OPT },				
	[ISUP_IDR] = { OPAQUE, OPT },				
	[ISUP_IRS] = { OPAQUE, OPT },				
	[ISUP_SGM] = { OPAQUE, OPT },				
	[ISUP_LPP] = { OPAQUE, OPT },				
	[ISUP_APM] = { OPAQUE, OPT },				
	[ISUP_PRI] = { OPAQUE, OPT },				
	[ISUP_SDM] = { OPAQUE, OPT },				
};
