/*! \file isup_codec_int.h
 * Private to the ISUP codec: the message and parameter tables that drive the walker.
 */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "isup/isup_codec.h"

struct isup_param_def;

/*! Typed decoder: fills the field of m; returns 0, -EBADMSG (reason set) or -ENOSPC (no room for another
 * occurrence: the walker keeps it raw). */
typedef int (*isup_param_dec_fn)(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v,
				 uint8_t len, const char **reason);
/*! Typed encoder: writes occurrence idx of the parameter value into dst; returns its length, -EMSGSIZE or
 * -EINVAL. */
typedef int (*isup_param_enc_fn)(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx,
				 uint8_t *dst, size_t room);

struct isup_param_def {
	bool known;
	uint8_t min;			/*!< value length limits (Q.763 length minus name and length octets) */
	uint8_t max;
	int8_t num_kind;		/*!< enum isup_number_kind + 1, 0 if not a number */
	uint16_t num_off;		/*!< numbers other than generic: offset of the field in struct isup_msg */
	isup_param_dec_fn dec;		/*!< NULL: untyped */
	isup_param_enc_fn enc;
};

/*! A mandatory variable parameter and its value length limits in this message. */
struct isup_var_def {
	uint8_t code;
	uint8_t min;
	uint8_t max;
};

struct isup_msg_def {
	bool known;
	bool supported;			/*!< fully supported (used by call control) */
	bool opt;			/*!< has a pointer to an optional part */
	bool opaque_body;		/*!< no Q.763 structure after the type (PAM, CRG) */
	uint8_t n_fixed;
	uint8_t n_var;
	uint8_t fixed[4];		/*!< IAM has the most: 4 */
	struct isup_var_def var[2];
	/* Bit per mandatory parameter code (all below 64, checked by the unit test), derived from fixed[] and
	 * var[] by the table macros so that the encoder does not rebuild it per message. */
	uint64_t fixed_mask;
	uint64_t var_mask;
	/* Messages whose fixed part is all indicator parameters of ISUP_FIXED_PARAMS have it decoded and encoded by
	 * code generated from the table entry (isup_msgs.c): constant offsets, no table lookups or dispatch per
	 * parameter.  fixed_len is their total length (the unit test checks it against the parameter table). */
	uint8_t fixed_len;
	void (*fixed_dec)(struct isup_msg *m, const uint8_t *v);
	int (*fixed_enc)(const struct isup_msg *m, uint8_t *dst);
};

extern const struct isup_param_def isup_param_defs[256];
extern const struct isup_msg_def isup_msg_defs[256];

/* ---- the parameters the walker dispatches inline ----
 *
 * The one- and two-octet indicator parameters and the user service information are in nearly every call
 * message and cost less than the indirect call that would reach them.  They are defined here so that the walker
 * can dispatch them with a switch that the compiler inlines (ISUP_INLINE_PARAMS, isup_codec.c); the parameter
 * table refers to the same functions, and every other parameter goes through the table.  The decoders read each
 * octet once into a local: the stores to the uint8_t fields could alias the input and would force re-reads. */

#define ISUP_INLINE_PARAMS(X) \
	X(ISUP_P_NCI, nci) X(ISUP_P_FCI, fci) X(ISUP_P_CPC, cpc) X(ISUP_P_TMR, tmr) X(ISUP_P_BCI, bci) \
	X(ISUP_P_OBCI, obci) X(ISUP_P_OFCI, ofci) X(ISUP_P_EVENT_INFO, event) X(ISUP_P_HOP_COUNTER, hop) \
	X(ISUP_P_CGSMT, cgsmt) X(ISUP_P_SUS_RES_IND, sri) X(ISUP_P_CONTINUITY_IND, cont) X(ISUP_P_USI, usi) \
	X(ISUP_P_CALLED_NUMBER, called) X(ISUP_P_CALLING_NUMBER, calling)

/* The fixed-length indicator parameters that can make up a generated fixed part (see struct isup_msg_def):
 * ISUP_FX_<code> is the name of their inline codec and their length (Q.763 §3). */
#define ISUP_FX_ISUP_P_NCI		nci, 1
#define ISUP_FX_ISUP_P_FCI		fci, 2
#define ISUP_FX_ISUP_P_CPC		cpc, 1
#define ISUP_FX_ISUP_P_TMR		tmr, 1
#define ISUP_FX_ISUP_P_BCI		bci, 2
#define ISUP_FX_ISUP_P_EVENT_INFO	event, 1
#define ISUP_FX_ISUP_P_CGSMT		cgsmt, 1
#define ISUP_FX_ISUP_P_SUS_RES_IND	sri, 1
#define ISUP_FX_ISUP_P_CONTINUITY_IND	cont, 1

#define BIT(v, n)	(((v) >> (n)) & 1)

/* Guards for encoder inputs: a value that does not fit its bit field is a caller bug, not something to mask. */
#define CHECK_MAX(x, max) do { if ((x) > (max)) return -EINVAL; } while (0)
#define NEED(room, n) do { if ((room) < (size_t)(n)) return -EMSGSIZE; } while (0)

/* ---- one-octet and two-octet indicator parameters ---- */

/* Q.763 §3.35 */
static inline int dec_nci(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v, uint8_t len,
			  const char **reason)
{
	const uint8_t o0 = v[0];

	m->nci.satellite = o0 & 3;
	m->nci.continuity = (o0 >> 2) & 3;
	m->nci.echo_device = BIT(o0, 4);
	return 0;
}

static inline int enc_nci(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx, uint8_t *dst,
			  size_t room)
{
	CHECK_MAX(m->nci.satellite, 3);
	CHECK_MAX(m->nci.continuity, 3);
	NEED(room, 1);
	dst[0] = m->nci.satellite | m->nci.continuity << 2 | m->nci.echo_device << 4;
	return 1;
}

/* Q.763 §3.23 */
static inline int dec_fci(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v, uint8_t len,
			  const char **reason)
{
	struct isup_fci *f = &m->fci;
	const uint8_t o0 = v[0], o1 = v[1];

	f->international = BIT(o0, 0);
	f->e2e_method = (o0 >> 1) & 3;
	f->interworking = BIT(o0, 3);
	f->e2e_info = BIT(o0, 4);
	f->isup_all_the_way = BIT(o0, 5);
	f->isup_pref = (o0 >> 6) & 3;
	f->isdn_access = BIT(o1, 0);
	f->sccp_method = (o1 >> 1) & 3;
	f->national = o1 >> 3;
	return 0;
}

static inline int enc_fci(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx, uint8_t *dst,
			  size_t room)
{
	const struct isup_fci *f = &m->fci;

	CHECK_MAX(f->e2e_method, 3);
	CHECK_MAX(f->isup_pref, 3);
	CHECK_MAX(f->sccp_method, 3);
	CHECK_MAX(f->national, 31);
	NEED(room, 2);
	dst[0] = f->international | f->e2e_method << 1 | f->interworking << 3 | f->e2e_info << 4 |
		 f->isup_all_the_way << 5 | f->isup_pref << 6;
	dst[1] = f->isdn_access | f->sccp_method << 1 | f->national << 3;
	return 2;
}

/* Q.763 §3.5 */
static inline int dec_bci(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v, uint8_t len,
			  const char **reason)
{
	struct isup_bci *b = &m->bci;
	const uint8_t o0 = v[0], o1 = v[1];

	b->charge = o0 & 3;
	b->called_status = (o0 >> 2) & 3;
	b->called_category = (o0 >> 4) & 3;
	b->e2e_method = (o0 >> 6) & 3;
	b->interworking = BIT(o1, 0);
	b->e2e_info = BIT(o1, 1);
	b->isup_all_the_way = BIT(o1, 2);
	b->holding = BIT(o1, 3);
	b->isdn_access = BIT(o1, 4);
	b->echo_device = BIT(o1, 5);
	b->sccp_method = (o1 >> 6) & 3;
	return 0;
}

static inline int enc_bci(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx, uint8_t *dst,
			  size_t room)
{
	const struct isup_bci *b = &m->bci;

	CHECK_MAX(b->charge, 3);
	CHECK_MAX(b->called_status, 3);
	CHECK_MAX(b->called_category, 3);
	CHECK_MAX(b->e2e_method, 3);
	CHECK_MAX(b->sccp_method, 3);
	NEED(room, 2);
	dst[0] = b->charge | b->called_status << 2 | b->called_category << 4 | b->e2e_method << 6;
	dst[1] = b->interworking | b->e2e_info << 1 | b->isup_all_the_way << 2 | b->holding << 3 |
		 b->isdn_access << 4 | b->echo_device << 5 | b->sccp_method << 6;
	return 2;
}

/* Q.763 §3.37 */
static inline int dec_obci(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v, uint8_t len,
			   const char **reason)
{
	const uint8_t o0 = v[0];

	m->obci.inband = BIT(o0, 0);
	m->obci.diversion_may_occur = BIT(o0, 1);
	m->obci.simple_segmentation = BIT(o0, 2);
	m->obci.mlpp_user = BIT(o0, 3);
	m->obci.national = o0 >> 4;
	return 0;
}

static inline int enc_obci(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx, uint8_t *dst,
			   size_t room)
{
	CHECK_MAX(m->obci.national, 15);
	NEED(room, 1);
	dst[0] = m->obci.inband | m->obci.diversion_may_occur << 1 | m->obci.simple_segmentation << 2 |
		 m->obci.mlpp_user << 3 | m->obci.national << 4;
	return 1;
}

/* Q.763 §3.38 */
static inline int dec_ofci(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v, uint8_t len,
			   const char **reason)
{
	const uint8_t o0 = v[0];

	m->ofci.cug = o0 & 3;
	m->ofci.simple_segmentation = BIT(o0, 2);
	m->ofci.connected_line_id_req = BIT(o0, 7);
	return 0;
}

static inline int enc_ofci(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx, uint8_t *dst,
			   size_t room)
{
	CHECK_MAX(m->ofci.cug, 3);
	NEED(room, 1);
	dst[0] = m->ofci.cug | m->ofci.simple_segmentation << 2 | m->ofci.connected_line_id_req << 7;
	return 1;
}

/* Q.763 §3.11 calling party's category, §3.54 transmission medium requirement: whole-octet codes */
static inline int dec_cpc(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v, uint8_t len,
			  const char **reason)
{
	m->cpc = v[0];
	return 0;
}

static inline int enc_cpc(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx, uint8_t *dst,
			  size_t room)
{
	NEED(room, 1);
	dst[0] = m->cpc;
	return 1;
}

static inline int dec_tmr(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v, uint8_t len,
			  const char **reason)
{
	m->tmr = v[0];
	return 0;
}

static inline int enc_tmr(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx, uint8_t *dst,
			  size_t room)
{
	NEED(room, 1);
	dst[0] = m->tmr;
	return 1;
}

/* Q.763 §3.21 */
static inline int dec_event(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v, uint8_t len,
			    const char **reason)
{
	m->event.event = v[0] & 0x7f;
	m->event.presentation_restricted = BIT(v[0], 7);
	return 0;
}

static inline int enc_event(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx, uint8_t *dst,
			    size_t room)
{
	CHECK_MAX(m->event.event, 0x7f);
	NEED(room, 1);
	dst[0] = m->event.event | m->event.presentation_restricted << 7;
	return 1;
}

/* Q.763 §3.47 hop counter: bits E-A */
static inline int dec_hop(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v, uint8_t len,
			  const char **reason)
{
	m->hop_counter = v[0] & 0x1f;
	return 0;
}

static inline int enc_hop(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx, uint8_t *dst,
			  size_t room)
{
	CHECK_MAX(m->hop_counter, 31);
	NEED(room, 1);
	dst[0] = m->hop_counter;
	return 1;
}

/* Q.763 §3.13 circuit group supervision message type: bits B A */
static inline int dec_cgsmt(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v, uint8_t len,
			    const char **reason)
{
	m->cgsmt = v[0] & 3;
	return 0;
}

static inline int enc_cgsmt(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx, uint8_t *dst,
			    size_t room)
{
	CHECK_MAX(m->cgsmt, 3);
	NEED(room, 1);
	dst[0] = m->cgsmt;
	return 1;
}

/* Q.763 §3.52 suspend/resume indicators: bit A */
static inline int dec_sri(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v, uint8_t len,
			  const char **reason)
{
	m->sus_res_network = BIT(v[0], 0);
	return 0;
}

static inline int enc_sri(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx, uint8_t *dst,
			  size_t room)
{
	NEED(room, 1);
	dst[0] = m->sus_res_network;
	return 1;
}

/* Q.763 §3.18 continuity indicators: bit A */
static inline int dec_cont(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v, uint8_t len,
			   const char **reason)
{
	m->continuity_ok = BIT(v[0], 0);
	return 0;
}

static inline int enc_cont(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx, uint8_t *dst,
			   size_t room)
{
	NEED(room, 1);
	dst[0] = m->continuity_ok;
	return 1;
}

/* ---- user service information (Q.763 §3.57: Q.931 bearer capability from octet 3) ---- */

static inline int dec_usi(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v, uint8_t len,
			  const char **reason)
{
	struct isup_usi *u = &m->usi;
	unsigned int p = 2;
	const uint8_t o0 = v[0], o1 = v[1];

	u->ext3 = BIT(o0, 7);
	u->coding_std = (o0 >> 5) & 3;
	u->itc = o0 & 0x1f;
	u->ext4 = BIT(o1, 7);
	u->transfer_mode = (o1 >> 5) & 3;
	u->itr = o1 & 0x1f;
	u->has_l1 = false;
	u->l1_proto = 0;
	/* A plain layer-1 octet (ext 1, layer id 01) is typed; anything else stays in the tail as it came. */
	if (u->ext4 && len > 2 && (v[2] & 0xe0) == 0xa0) {
		u->has_l1 = true;
		u->l1_proto = v[2] & 0x1f;
		p = 3;
	}
	u->tail.data = v + p;
	u->tail.len = len - p;
	return 0;
}

static inline int enc_usi(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx, uint8_t *dst,
			  size_t room)
{
	const struct isup_usi *u = &m->usi;
	unsigned int p = 0;
	size_t need = 2 + u->has_l1 + u->tail.len;

	CHECK_MAX(u->coding_std, 3);
	CHECK_MAX(u->itc, 0x1f);
	CHECK_MAX(u->transfer_mode, 3);
	CHECK_MAX(u->itr, 0x1f);
	CHECK_MAX(u->l1_proto, 0x1f);
	if (u->has_l1 && !u->ext4)
		return -EINVAL;
	if (need > 255)
		return -EMSGSIZE;
	NEED(room, need);
	dst[p++] = u->ext3 << 7 | u->coding_std << 5 | u->itc;
	dst[p++] = u->ext4 << 7 | u->transfer_mode << 5 | u->itr;
	if (u->has_l1)
		dst[p++] = 0xa0 | u->l1_proto;
	if (u->tail.len)
		memcpy(dst + p, u->tail.data, u->tail.len);
	return need;
}

/* ---- numbers (Q.763 §3.9 called, §3.10 calling, §3.16, §3.26, §3.30, §3.39, §3.44, §3.46, §3.51) ----
 *
 * The number codec is inline and takes the kind as an argument: called from the walker's switch for the called and
 * calling number (in every IAM) with a constant kind, the layout below folds into constants; the parameter table
 * path (dec_number/enc_number, isup_params.c) calls it with the kind read from the table. */

/* Which subfields each kind has in its second (indicator) octet. */
#define NF_OCT2		0x01	/* has the INN/NI + NPI octet */
#define NF_APRI		0x02
#define NF_SCREEN	0x04
#define NF_INN		0x08	/* bit H is INN or NI (otherwise spare) */
#define NF_NQI		0x10

#define ISUP_NUMBER_KINDS(X) \
	X(ISUP_NUM_CALLED, NF_OCT2 | NF_INN) \
	X(ISUP_NUM_SUBSEQUENT, 0) \
	X(ISUP_NUM_CALLING, NF_OCT2 | NF_INN | NF_APRI | NF_SCREEN) \
	X(ISUP_NUM_REDIRECTING, NF_OCT2 | NF_APRI) \
	X(ISUP_NUM_CONNECTED, NF_OCT2 | NF_APRI | NF_SCREEN) \
	X(ISUP_NUM_REDIRECTION, NF_OCT2 | NF_INN) \
	X(ISUP_NUM_LOCATION, NF_OCT2 | NF_INN | NF_APRI | NF_SCREEN) \
	X(ISUP_NUM_GENERIC, NF_NQI | NF_OCT2 | NF_INN | NF_APRI | NF_SCREEN)

static inline uint8_t number_layout_of(enum isup_number_kind kind)
{
	switch (kind) {
#define NL_(k, lay)	case k: return (lay);
	ISUP_NUMBER_KINDS(NL_)
#undef NL_
	default:
		return 0;
	}
}

/* the bits of the second indicator octet that are subfields (H INN/NI, G-E NPI, D C APRI, B A screening) */
static inline uint8_t number_oct2_mask(uint8_t lay)
{
	return (lay & NF_OCT2 ? 0x70 : 0) | (lay & NF_INN ? 0x80 : 0) | (lay & NF_APRI ? 0x0c : 0) |
	       (lay & NF_SCREEN ? 0x03 : 0);
}

/* The packing tables: a digit pair packs as isup_digit_lo[first] | isup_digit_hi[second], the code of the first
 * digit in the low nibble.  Bits 8 and 9 flag a valid first and second digit, so one AND over all pairs
 * validates the whole string and the octet is the low 8 bits as they are. */
#define ISUP_DIGIT_LO_OK	0x100u
#define ISUP_DIGIT_HI_OK	0x200u
extern const uint16_t isup_digit_lo[256];
extern const uint16_t isup_digit_hi[256];

/* Pack nd digit characters into BCD at d (the filler nibble of an odd count is 0); -EINVAL on a character that
 * is not a digit. */
static inline __attribute__((always_inline)) int pack_digits(const uint8_t *a, unsigned int nd, uint8_t *d)
{
	unsigned int ok = ISUP_DIGIT_LO_OK | ISUP_DIGIT_HI_OK, k;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* Eight decimal digits at a time in one 64-bit word, the common case: every byte 0x30-0x39 (high nibble 3,
	 * and still 3 after adding 6), then the low nibbles of each byte pair merged and the four octets gathered. */
	for (; nd >= 8; nd -= 8, a += 8, d += 4) {
		uint64_t x, t;
		uint32_t o;

		memcpy(&x, a, 8);
		if ((x & 0xf0f0f0f0f0f0f0f0ull) != 0x3030303030303030ull ||
		    ((x + 0x0606060606060606ull) & 0xf0f0f0f0f0f0f0f0ull) != 0x3030303030303030ull)
			break;
		t = x & 0x0f0f0f0f0f0f0f0full;
		t = (t | t >> 4) & 0x00ff00ff00ff00ffull;
		t = (t | t >> 8) & 0x0000ffff0000ffffull;
		o = t | t >> 16;
		memcpy(d, &o, 4);
	}
#endif
	/* two octets per round while there are four digits, then the last pair and an odd last digit */
	for (k = nd / 4; k; k--, a += 4, d += 2) {
		unsigned int v0 = isup_digit_lo[a[0]] | isup_digit_hi[a[1]];
		unsigned int v1 = isup_digit_lo[a[2]] | isup_digit_hi[a[3]];

		ok &= v0 & v1;
		d[0] = v0;
		d[1] = v1;
	}
	if (nd & 2) {
		unsigned int v = isup_digit_lo[a[0]] | isup_digit_hi[a[1]];

		ok &= v;
		*d++ = v;
		a += 2;
	}
	if (nd & 1) {
		unsigned int v = isup_digit_lo[a[0]] | ISUP_DIGIT_HI_OK;

		ok &= v;
		*d = v;
	}
	return ok == (ISUP_DIGIT_LO_OK | ISUP_DIGIT_HI_OK) ? 0 : -EINVAL;
}

/* Decode a number of the given kind; len is at least the table's minimum for it. */
static inline __attribute__((always_inline)) int isup_dec_number_k(struct isup_number *n, enum isup_number_kind kind, const uint8_t *v,
				    uint8_t len, const char **reason)
{
	const uint8_t lay = number_layout_of(kind);
	unsigned int p = 0, n_oct;
	uint8_t o0;

	n->nqi = (lay & NF_NQI) ? v[p++] : 0;
	o0 = v[p++];
	n->nai = kind == ISUP_NUM_SUBSEQUENT ? 0 : o0 & 0x7f;
	if (lay & NF_OCT2) {
		uint8_t o;

		if (p >= len) {
			*reason = "number indicator octet missing";
			return -EBADMSG;
		}
		o = v[p++] & number_oct2_mask(lay);
		n->inn_ni = o >> 7;
		n->npi = (o >> 4) & 7;
		n->apri = (o >> 2) & 3;
		n->screening = o & 3;
	} else {
		n->inn_ni = false;
		n->npi = 0;
		n->apri = 0;
		n->screening = 0;
	}
	n_oct = len - p;
	if ((o0 & 0x80) && n_oct == 0) {
		*reason = "odd number of digits but no digit octets";
		return -EBADMSG;
	}
	n->n_digits = 2 * n_oct - (o0 >> 7);
	n->bcd = v + p;
	n->ascii = NULL;
	return 0;
}

/* Encode a number of the given kind into dst; returns its length. */
static inline __attribute__((always_inline)) int isup_enc_number_k(const struct isup_number *n, enum isup_number_kind kind, uint8_t *dst,
				    size_t room)
{
	const uint8_t lay = number_layout_of(kind);
	const unsigned int hdr_len = !!(lay & NF_NQI) + 1 + !!(lay & NF_OCT2);
	unsigned int p = 0, nd;
	size_t need;

	if (n->ascii) {
		size_t sl = strlen(n->ascii);

		if (sl > 2 * 255)
			return -EMSGSIZE;
		nd = sl;
	} else {
		nd = n->n_digits;
		if (nd && !n->bcd)
			return -EINVAL;
	}
	CHECK_MAX(n->nai, 0x7f);
	CHECK_MAX(n->npi, 7);
	CHECK_MAX(n->apri, 3);
	CHECK_MAX(n->screening, 3);
	need = hdr_len + (nd + 1) / 2;
	if (need > 255)
		return -EMSGSIZE;
	NEED(room, need);
	if (lay & NF_NQI)
		dst[p++] = n->nqi;
	dst[p++] = (nd & 1) << 7 | (kind == ISUP_NUM_SUBSEQUENT ? 0 : n->nai);
	if (lay & NF_OCT2)
		dst[p++] = (n->inn_ni << 7 | n->npi << 4 | n->apri << 2 | n->screening) & number_oct2_mask(lay);
	if (n->ascii)
		return pack_digits((const uint8_t *)n->ascii, nd, dst + p) ? -EINVAL : (int)need;
	/* already packed: copy, and clear the filler nibble of an odd count */
	if (nd) {
		memcpy(dst + p, n->bcd, (nd + 1) / 2);
		if (nd & 1)
			dst[p + nd / 2] &= 0x0f;
	}
	return need;
}

/* the inline codecs of the numbers in ISUP_INLINE_PARAMS */
#define ISUP_NUMBER_INLINE(field, kind) \
	static inline int dec_##field(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v, \
				      uint8_t len, const char **reason) \
	{ \
		return isup_dec_number_k(&m->field, kind, v, len, reason); \
	} \
	static inline int enc_##field(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx, \
				      uint8_t *dst, size_t room) \
	{ \
		return isup_enc_number_k(&m->field, kind, dst, room); \
	}
ISUP_NUMBER_INLINE(called, ISUP_NUM_CALLED)
ISUP_NUMBER_INLINE(calling, ISUP_NUM_CALLING)

bool isup_number_equal(const struct isup_number *a, const struct isup_number *b, enum isup_number_kind kind);
struct isup_number *isup_number_field(struct isup_msg *m, uint8_t code);
