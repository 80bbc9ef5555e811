/*! \file isup_msgs.c
 * Q.763 Table 4 message layouts: mandatory fixed parameters (their lengths come from the parameter table),
 * mandatory variable parameters with the value-length limits printed for that message, and whether the message
 * has a pointer to an optional part, per the Q.763 message tables as digested in shared/docs/standards.md §1.2.
 * Lengths here are value octets (Q.763's V lengths minus the length octet).
 */
#include <errno.h>

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
/* Generated fixed parts (struct isup_msg_def): a decoder and an encoder per fixed-part layout, each parameter
 * inlined at its constant offset. */
#define CALL_(f, ...)		f(__VA_ARGS__)
#define FE1_(f, a)		f(a)
#define FE2_(f, a, b)		f(a) f(b)
#define FE3_(f, a, b, c)	f(a) f(b) f(c)
#define FE4_(f, a, b, c, d)	f(a) f(b) f(c) f(d)
#define FOREACH_(f, ...)	PICK_(__VA_ARGS__, FE4_, FE3_, FE2_, FE1_)(f, __VA_ARGS__)
#define FX_LEN_(name, len)	+ (len)
#define FX_DEC_(name, len)	dec_##name(m, NULL, v, (len), NULL); v += (len);
#define FX_ENC_(name, len)	{ \
		int rc_ = enc_##name(m, NULL, 0, d, (len)); \
		if (rc_ != (len)) \
			return rc_ < 0 ? rc_ : -EINVAL; \
		d += (len); \
	}
#define FX_LEN(code)		CALL_(FX_LEN_, ISUP_FX_##code)
#define FX_DEC(code)		CALL_(FX_DEC_, ISUP_FX_##code)
#define FX_ENC(code)		CALL_(FX_ENC_, ISUP_FX_##code)
#define GEN_FIXED(name, ...) \
	static void fixed_dec_##name(struct isup_msg *m, const uint8_t *v) \
	{ \
		FOREACH_(FX_DEC, __VA_ARGS__) \
	} \
	static int fixed_enc_##name(const struct isup_msg *m, uint8_t *d) \
	{ \
		FOREACH_(FX_ENC, __VA_ARGS__) \
		return 0; \
	}
#define GFIXED(name, ...)	FIXED(__VA_ARGS__), .fixed_len = 0 FOREACH_(FX_LEN, __VA_ARGS__), \
				.fixed_dec = fixed_dec_##name, .fixed_enc = fixed_enc_##name

/* the fixed-part layouts of Q.763 Table 4 made only of indicator parameters */
#define IAM_FIXED	ISUP_P_NCI, ISUP_P_FCI, ISUP_P_CPC, ISUP_P_TMR
GEN_FIXED(iam, IAM_FIXED)
GEN_FIXED(cont, ISUP_P_CONTINUITY_IND)
GEN_FIXED(bci, ISUP_P_BCI)
GEN_FIXED(sri, ISUP_P_SUS_RES_IND)
GEN_FIXED(cgsmt, ISUP_P_CGSMT)
GEN_FIXED(event, ISUP_P_EVENT_INFO)

#define FULL		.known = true, .supported = true
#define OPAQUE		.known = true
#define OPT		.opt = true

const struct isup_msg_def isup_msg_defs[256] = {
	[ISUP_IAM] = { FULL, OPT, GFIXED(iam, IAM_FIXED),
		       VAR1(ISUP_P_CALLED_NUMBER, 3, 255) },
	[ISUP_SAM] = { FULL, OPT, VAR1(ISUP_P_SUBSEQUENT_NUMBER, 2, 255) },
	[ISUP_INR] = { FULL, OPT, FIXED(ISUP_P_INR_IND) },
	[ISUP_INF] = { FULL, OPT, FIXED(ISUP_P_INF_IND) },
	[ISUP_COT] = { FULL, GFIXED(cont, ISUP_P_CONTINUITY_IND) },
	[ISUP_ACM] = { FULL, OPT, GFIXED(bci, ISUP_P_BCI) },
	[ISUP_CON] = { FULL, OPT, GFIXED(bci, ISUP_P_BCI) },
	[ISUP_FOT] = { FULL, OPT },
	[ISUP_ANM] = { FULL, OPT },
	[ISUP_REL] = { FULL, OPT, VAR1(ISUP_P_CAUSE, 2, 255) },
	[ISUP_SUS] = { FULL, OPT, GFIXED(sri, ISUP_P_SUS_RES_IND) },
	[ISUP_RES] = { FULL, OPT, GFIXED(sri, ISUP_P_SUS_RES_IND) },
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
	[ISUP_CGB] = { FULL, GFIXED(cgsmt, ISUP_P_CGSMT), VAR1(ISUP_P_RANGE_STATUS, 2, 33) },
	[ISUP_CGU] = { FULL, GFIXED(cgsmt, ISUP_P_CGSMT), VAR1(ISUP_P_RANGE_STATUS, 2, 33) },
	[ISUP_CGBA] = { FULL, GFIXED(cgsmt, ISUP_P_CGSMT), VAR1(ISUP_P_RANGE_STATUS, 2, 33) },
	[ISUP_CGUA] = { FULL, GFIXED(cgsmt, ISUP_P_CGSMT), VAR1(ISUP_P_RANGE_STATUS, 2, 33) },
	[ISUP_CQM] = { FULL, VAR1(ISUP_P_RANGE_STATUS, 1, 1) },
	[ISUP_CQR] = { FULL, VAR2(ISUP_P_RANGE_STATUS, 1, 1, ISUP_P_CIRCUIT_STATE_IND, 1, 32) },
	[ISUP_CPG] = { FULL, OPT, GFIXED(event, ISUP_P_EVENT_INFO) },
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
