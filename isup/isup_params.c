/*! \file isup_params.c
 * Q.763 §3 parameter table and the typed parameter decoders/encoders.
 *
 * Each decoder reads exactly one parameter value whose length the walker has already checked against the
 * table's min/max; each encoder writes one value and reports its length.  Spare bits are written as 0.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "isup/isup_codec.h"
#include "isup/isup_codec_int.h"

/* Q.763 §3.45 redirection information: 1 or 2 octets */
static int dec_redir_info(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v, uint8_t len,
			  const char **reason)
{
	struct isup_redir_info *r = &m->redir_info;

	r->indicator = v[0] & 7;
	r->orig_reason = v[0] >> 4;
	r->has_octet2 = len > 1;
	if (r->has_octet2) {
		r->counter = v[1] & 7;
		r->reason = v[1] >> 4;
	} else {
		r->counter = 0;
		r->reason = 0;
	}
	return 0;
}

static int enc_redir_info(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx,
			  uint8_t *dst, size_t room)
{
	const struct isup_redir_info *r = &m->redir_info;

	CHECK_MAX(r->indicator, 7);
	CHECK_MAX(r->orig_reason, 15);
	CHECK_MAX(r->counter, 7);
	CHECK_MAX(r->reason, 15);
	NEED(room, r->has_octet2 ? 2 : 1);
	dst[0] = r->indicator | r->orig_reason << 4;
	if (!r->has_octet2)
		return 1;
	dst[1] = r->counter | r->reason << 4;
	return 2;
}

/* Q.763 §3.9 address signals: character, 4-bit code (see struct isup_number) */
#define DIGIT_CHARS(X) \
	X('0', 0) X('1', 1) X('2', 2) X('3', 3) X('4', 4) X('5', 5) X('6', 6) X('7', 7) X('8', 8) X('9', 9) \
	X('A', 0xa) X('a', 0xa) X('*', 0xb) X('B', 0xb) X('b', 0xb) X('#', 0xc) X('C', 0xc) X('c', 0xc) \
	X('D', 0xd) X('d', 0xd) X('E', 0xe) X('e', 0xe) X('F', 0xf) X('f', 0xf)

/* character -> 0x10 | address signal code; 0 for characters that are not digits */
#define DC(ch, code)	[ch] = 0x10 | (code),
static const uint8_t digit_codes[256] = { DIGIT_CHARS(DC) };
#undef DC

#define LO(ch, code)	[ch] = ISUP_DIGIT_LO_OK | (code),
#define HI(ch, code)	[ch] = ISUP_DIGIT_HI_OK | (code) << 4,
const uint16_t isup_digit_lo[256] = { DIGIT_CHARS(LO) };
const uint16_t isup_digit_hi[256] = { DIGIT_CHARS(HI) };
#undef LO
#undef HI

int isup_digit_code(char c)
{
	uint8_t v = digit_codes[(uint8_t)c];

	return v ? v & 0x0f : -EINVAL;
}

/* ---- numbers (Q.763 §3.9 called, §3.10 calling, §3.26 generic, §3.51 subsequent, ...) ---- */

struct isup_number *isup_number_field(struct isup_msg *m, uint8_t code)
{
	switch (code) {
	case ISUP_P_CALLED_NUMBER:
		return &m->called;
	case ISUP_P_SUBSEQUENT_NUMBER:
		return &m->subsequent;
	case ISUP_P_CALLING_NUMBER:
		return &m->calling;
	case ISUP_P_CONNECTED_NUMBER:
		return &m->connected;
	case ISUP_P_REDIRECTING_NUMBER:
		return &m->redirecting;
	case ISUP_P_ORIGINAL_CALLED_NUMBER:
		return &m->original_called;
	case ISUP_P_REDIRECTION_NUMBER:
		return &m->redirection;
	case ISUP_P_LOCATION_NUMBER:
		return &m->location;
	default:
		return NULL;
	}
}

static int dec_number(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v, uint8_t len,
		      const char **reason)
{
	enum isup_number_kind kind = pd->num_kind - 1;
	struct isup_number *n;
	int rc;

	if (kind != ISUP_NUM_GENERIC)
		return isup_dec_number_k((struct isup_number *)((uint8_t *)m + pd->num_off), kind, v, len, reason);
	if (m->n_generic >= ISUP_MAX_GENERIC)
		return -ENOSPC;
	n = &m->generic[m->n_generic];
	rc = isup_dec_number_k(n, ISUP_NUM_GENERIC, v, len, reason);
	if (rc == 0)
		m->n_generic++;
	return rc;
}

static int enc_number(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx, uint8_t *dst,
		      size_t room)
{
	enum isup_number_kind kind = pd->num_kind - 1;

	if (kind != ISUP_NUM_GENERIC)
		return isup_enc_number_k((const struct isup_number *)((const uint8_t *)m + pd->num_off), kind, dst,
					 room);
	if (idx >= m->n_generic)
		return -EINVAL;
	return isup_enc_number_k(&m->generic[idx], ISUP_NUM_GENERIC, dst, room);
}

int isup_number_kind_of(uint8_t code)
{
	if (!isup_param_defs[code].num_kind)
		return -ENOENT;
	return isup_param_defs[code].num_kind - 1;
}

bool isup_number_equal(const struct isup_number *a, const struct isup_number *b, enum isup_number_kind kind)
{
	uint8_t lay = number_layout_of(kind);
	unsigned int na = a->ascii ? strlen(a->ascii) : a->n_digits;
	unsigned int nb = b->ascii ? strlen(b->ascii) : b->n_digits;
	unsigned int i;

	if (na != nb)
		return false;
	if ((lay & NF_NQI) && a->nqi != b->nqi)
		return false;
	if (kind != ISUP_NUM_SUBSEQUENT && a->nai != b->nai)
		return false;
	if ((lay & NF_INN) && a->inn_ni != b->inn_ni)
		return false;
	if ((lay & NF_OCT2) && a->npi != b->npi)
		return false;
	if ((lay & NF_APRI) && a->apri != b->apri)
		return false;
	if ((lay & NF_SCREEN) && a->screening != b->screening)
		return false;
	for (i = 0; i < na; i++)
		if (isup_number_digit(a, i) != isup_number_digit(b, i))
			return false;
	return true;
}

/* ---- cause (Q.763 §3.12 -> Q.850 §2.2.5) ---- */

static int dec_cause(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v, uint8_t len,
		     const char **reason)
{
	struct isup_cause *c = &m->cause;
	unsigned int p = 1;

	c->coding_std = (v[0] >> 5) & 3;
	c->location = v[0] & 0x0f;
	c->has_recommendation = !BIT(v[0], 7);
	c->recommendation = 0;
	if (c->has_recommendation) {
		if (len < 3) {
			*reason = "cause value missing after recommendation octet";
			return -EBADMSG;
		}
		c->recommendation = v[p++] & 0x7f;
	}
	c->value = v[p++] & 0x7f;
	c->diag.data = v + p;
	c->diag.len = len - p;
	return 0;
}

static int enc_cause(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx, uint8_t *dst,
		     size_t room)
{
	const struct isup_cause *c = &m->cause;
	unsigned int p = 0;
	size_t need = 2 + c->has_recommendation + c->diag.len;

	CHECK_MAX(c->coding_std, 3);
	CHECK_MAX(c->location, 15);
	CHECK_MAX(c->value, 0x7f);
	CHECK_MAX(c->recommendation, 0x7f);
	if (need > 255)
		return -EMSGSIZE;
	NEED(room, need);
	dst[p++] = (c->has_recommendation ? 0 : 0x80) | c->coding_std << 5 | c->location;
	if (c->has_recommendation)
		dst[p++] = 0x80 | c->recommendation;
	dst[p++] = 0x80 | c->value;
	if (c->diag.len)
		memcpy(dst + p, c->diag.data, c->diag.len);
	return need;
}

/* ---- range and status (Q.763 §3.43) ---- */

static int dec_rs(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v, uint8_t len,
		  const char **reason)
{
	struct isup_range_status *rs = &m->rs;

	rs->range = v[0];
	rs->status_len = len - 1;
	if (rs->status_len && rs->status_len != (rs->range + 8) / 8) {
		*reason = "status length does not match range";
		return -EBADMSG;
	}
	if (rs->status_len > sizeof(rs->status)) {
		*reason = "status too long";
		return -EBADMSG;
	}
	memcpy(rs->status, v + 1, rs->status_len);
	return 0;
}

static int enc_rs(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx, uint8_t *dst,
		  size_t room)
{
	const struct isup_range_status *rs = &m->rs;

	if (rs->status_len > sizeof(rs->status))
		return -EINVAL;
	NEED(room, 1 + rs->status_len);
	dst[0] = rs->range;
	memcpy(dst + 1, rs->status, rs->status_len);
	return 1 + rs->status_len;
}

/* ---- opaque-but-typed: access transport (Q.763 §3.3, Q.931 IEs carried end to end) ---- */

static int dec_at(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v, uint8_t len,
		  const char **reason)
{
	m->access_transport.data = v;
	m->access_transport.len = len;
	return 0;
}

static int enc_at(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx, uint8_t *dst,
		  size_t room)
{
	NEED(room, m->access_transport.len);
	if (m->access_transport.len)
		memcpy(dst, m->access_transport.data, m->access_transport.len);
	return m->access_transport.len;
}

/* ---- compatibility information (Q.763 §3.33 message, §3.41 parameter) ---- */

static void instr_from_octets(struct isup_instr *in, const uint8_t *v, size_t len, bool param)
{
	memset(in, 0, sizeof(*in));
	in->transit = BIT(v[0], 0);
	in->release_call = BIT(v[0], 1);
	in->send_notification = BIT(v[0], 2);
	in->discard_msg = BIT(v[0], 3);
	if (param) {
		in->discard_param = BIT(v[0], 4);
		in->pass_on_not_possible = (v[0] >> 5) & 3;
		if (!BIT(v[0], 7) && len > 1) {
			in->has_bni = true;
			in->bni = v[1] & 3;
		}
	} else {
		in->pass_on_not_possible = BIT(v[0], 4);
		in->has_bni = true;
		in->bni = (v[0] >> 5) & 3;
	}
}

static int dec_mci(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v, uint8_t len,
		   const char **reason)
{
	bool last = BIT(v[0], 7);

	if (last != (len == 1)) {
		*reason = "message compatibility information extension bits inconsistent with length";
		return -EBADMSG;
	}
	instr_from_octets(&m->mci, v, len, false);
	m->mci_more.data = v + 1;
	m->mci_more.len = len - 1;
	return 0;
}

static int enc_mci(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx, uint8_t *dst,
		   size_t room)
{
	const struct isup_instr *in = &m->mci;

	CHECK_MAX(in->pass_on_not_possible, 1);
	CHECK_MAX(in->bni, 3);
	NEED(room, 1 + m->mci_more.len);
	dst[0] = in->transit | in->release_call << 1 | in->send_notification << 2 | in->discard_msg << 3 |
		 in->pass_on_not_possible << 4 | in->bni << 5 | (m->mci_more.len ? 0 : 0x80);
	if (m->mci_more.len)
		memcpy(dst + 1, m->mci_more.data, m->mci_more.len);
	return 1 + m->mci_more.len;
}

/* Validates the (parameter name, instruction octets up to ext=1) sequence. */
static int dec_pci(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v, uint8_t len,
		   const char **reason)
{
	unsigned int p = 0;

	while (p < len) {
		p++;		/* parameter name */
		if (p >= len) {
			*reason = "parameter compatibility entry without instruction indicators";
			return -EBADMSG;
		}
		while (p < len && !BIT(v[p], 7))
			p++;
		if (p >= len) {
			*reason = "parameter compatibility instruction indicators not terminated";
			return -EBADMSG;
		}
		p++;
	}
	m->pci.data = v;
	m->pci.len = len;
	return 0;
}

static int enc_pci(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx, uint8_t *dst,
		   size_t room)
{
	NEED(room, m->pci.len);
	if (m->pci.len)
		memcpy(dst, m->pci.data, m->pci.len);
	return m->pci.len;
}

int isup_pci_lookup(const struct isup_msg *m, uint8_t param, struct isup_instr *out)
{
	const uint8_t *v = m->pci.data;
	unsigned int p = 0, len = m->pci.len;

	if (!isup_msg_has(m, ISUP_P_PCI))
		return -ENOENT;
	while (p + 1 < len) {
		uint8_t code = v[p++];
		unsigned int start = p;
		while (p < len && !BIT(v[p], 7))
			p++;
		if (p >= len)
			return -ENOENT;
		p++;
		if (code == param) {
			instr_from_octets(out, v + start, p - start, true);
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- the table ---- */

#define TYPED(d, e)		.known = true, .dec = dec_##d, .enc = enc_##d
#define NUMBER(k)		.known = true, .num_kind = (k) + 1, .dec = dec_number, .enc = enc_number
#define AT(field)		.num_off = offsetof(struct isup_msg, field)
#define LEN(a, b)		.min = (a), .max = (b)
#define OPAQUE(a, b)		.known = true, LEN(a, b)

/* Lengths are value octets: Q.763's optional-part lengths minus 2 (name, length), variable minus 1. */
const struct isup_param_def isup_param_defs[256] = {
	[ISUP_P_CALL_REFERENCE] = { OPAQUE(5, 5) },			/* §3.8 */
	[ISUP_P_TMR] = { TYPED(tmr, tmr), LEN(1, 1) },			/* §3.54 */
	[ISUP_P_ACCESS_TRANSPORT] = { TYPED(at, at), LEN(1, 255) },	/* §3.3 */
	[ISUP_P_CALLED_NUMBER] = { NUMBER(ISUP_NUM_CALLED), AT(called), LEN(3, 255) },	/* §3.9 */
	[ISUP_P_SUBSEQUENT_NUMBER] = { NUMBER(ISUP_NUM_SUBSEQUENT), AT(subsequent), LEN(2, 255) },	/* §3.51 */
	[ISUP_P_NCI] = { TYPED(nci, nci), LEN(1, 1) },			/* §3.35 */
	[ISUP_P_FCI] = { TYPED(fci, fci), LEN(2, 2) },			/* §3.23 */
	[ISUP_P_OFCI] = { TYPED(ofci, ofci), LEN(1, 1) },		/* §3.38 */
	[ISUP_P_CPC] = { TYPED(cpc, cpc), LEN(1, 1) },			/* §3.11 */
	[ISUP_P_CALLING_NUMBER] = { NUMBER(ISUP_NUM_CALLING), AT(calling), LEN(2, 255) },	/* §3.10 */
	[ISUP_P_REDIRECTING_NUMBER] = { NUMBER(ISUP_NUM_REDIRECTING), AT(redirecting), LEN(2, 255) },	/* §3.44 */
	[ISUP_P_REDIRECTION_NUMBER] = { NUMBER(ISUP_NUM_REDIRECTION), AT(redirection), LEN(3, 255) },	/* §3.46 */
	[ISUP_P_CONNECTION_REQUEST] = { OPAQUE(5, 7) },			/* §3.17 */
	[ISUP_P_INR_IND] = { OPAQUE(2, 2) },				/* §3.29 */
	[ISUP_P_INF_IND] = { OPAQUE(2, 2) },				/* §3.28 */
	[ISUP_P_CONTINUITY_IND] = { TYPED(cont, cont), LEN(1, 1) },	/* §3.18 */
	[ISUP_P_BCI] = { TYPED(bci, bci), LEN(2, 2) },			/* §3.5 */
	[ISUP_P_CAUSE] = { TYPED(cause, cause), LEN(2, 255) },		/* §3.12 */
	[ISUP_P_REDIRECTION_INFO] = { TYPED(redir_info, redir_info), LEN(1, 2) },	/* §3.45 */
	[ISUP_P_CGSMT] = { TYPED(cgsmt, cgsmt), LEN(1, 1) },		/* §3.13 */
	[ISUP_P_RANGE_STATUS] = { TYPED(rs, rs), LEN(1, 33) },		/* §3.43 */
	[ISUP_P_FACILITY_IND] = { OPAQUE(1, 1) },			/* §3.22 */
	[ISUP_P_CUG_INTERLOCK] = { OPAQUE(4, 4) },			/* §3.15 */
	[ISUP_P_USI] = { TYPED(usi, usi), LEN(2, 11) },			/* §3.57 */
	[ISUP_P_SIGNALLING_PC] = { OPAQUE(2, 2) },			/* §3.50 */
	[ISUP_P_UUI] = { OPAQUE(1, 129) },				/* §3.61 */
	[ISUP_P_CONNECTED_NUMBER] = { NUMBER(ISUP_NUM_CONNECTED), AT(connected), LEN(2, 255) },	/* §3.16 */
	[ISUP_P_SUS_RES_IND] = { TYPED(sri, sri), LEN(1, 1) },		/* §3.52 */
	[ISUP_P_TNS] = { OPAQUE(2, 255) },				/* §3.53 */
	[ISUP_P_EVENT_INFO] = { TYPED(event, event), LEN(1, 1) },	/* §3.21 */
	[ISUP_P_CIRCUIT_ASSIGN_MAP] = { OPAQUE(4, 5) },			/* §3.69 */
	[ISUP_P_CIRCUIT_STATE_IND] = { OPAQUE(1, 32) },			/* §3.14 */
	[ISUP_P_ACL] = { OPAQUE(1, 1) },				/* §3.4 */
	/* §3.39 */
	[ISUP_P_ORIGINAL_CALLED_NUMBER] = { NUMBER(ISUP_NUM_REDIRECTING), AT(original_called), LEN(2, 255) },
	[ISUP_P_OBCI] = { TYPED(obci, obci), LEN(1, 1) },		/* §3.37 */
	[ISUP_P_UU_IND] = { OPAQUE(1, 1) },				/* §3.60 */
	[ISUP_P_ORIG_ISC_PC] = { OPAQUE(2, 2) },			/* §3.40 */
	[ISUP_P_GNI] = { OPAQUE(1, 1) },				/* §3.25 */
	[ISUP_P_CALL_HISTORY] = { OPAQUE(2, 2) },			/* §3.7 */
	[ISUP_P_ACCESS_DELIVERY] = { OPAQUE(1, 1) },			/* §3.2 */
	[ISUP_P_NSF] = { OPAQUE(2, 255) },				/* §3.36 */
	[ISUP_P_USI_PRIME] = { OPAQUE(2, 11) },				/* §3.58 */
	[ISUP_P_PROPAGATION_DELAY] = { OPAQUE(2, 2) },			/* §3.42 */
	[ISUP_P_REMOTE_OPERATIONS] = { OPAQUE(6, 255) },		/* §3.48 */
	[ISUP_P_SERVICE_ACTIVATION] = { OPAQUE(1, 255) },		/* §3.49 */
	[ISUP_P_USER_TELESERVICE] = { OPAQUE(2, 3) },			/* §3.59 */
	[ISUP_P_TMU] = { OPAQUE(1, 1) },				/* §3.56 */
	[ISUP_P_CALL_DIVERSION_INFO] = { OPAQUE(1, 1) },		/* §3.6 */
	[ISUP_P_ECHO_CONTROL_INFO] = { OPAQUE(1, 1) },			/* §3.19 */
	[ISUP_P_MCI] = { TYPED(mci, mci), LEN(1, 255) },		/* §3.33 */
	[ISUP_P_PCI] = { TYPED(pci, pci), LEN(2, 255) },		/* §3.41 */
	[ISUP_P_MLPP_PRECEDENCE] = { OPAQUE(6, 6) },			/* §3.34 */
	[ISUP_P_MCID_REQ] = { OPAQUE(1, 1) },				/* §3.31 */
	[ISUP_P_MCID_RESP] = { OPAQUE(1, 1) },				/* §3.32 */
	[ISUP_P_HOP_COUNTER] = { TYPED(hop, hop), LEN(1, 1) },		/* §3.80 */
	[ISUP_P_TMR_PRIME] = { OPAQUE(1, 1) },				/* §3.55 */
	[ISUP_P_LOCATION_NUMBER] = { NUMBER(ISUP_NUM_LOCATION), AT(location), LEN(2, 255) },	/* §3.30 */
	[ISUP_P_REDIRECTION_NUMBER_RESTR] = { OPAQUE(1, 1) },		/* §3.47 */
	[ISUP_P_CALL_TRANSFER_REF] = { OPAQUE(1, 1) },			/* §3.65 */
	[ISUP_P_LOOP_PREVENTION] = { OPAQUE(1, 1) },			/* §3.67 */
	[ISUP_P_CALL_TRANSFER_NUMBER] = { OPAQUE(2, 255) },		/* §3.64 */
	[ISUP_P_CCSS] = { OPAQUE(1, 255) },				/* §3.63 */
	[ISUP_P_FORWARD_GVNS] = { OPAQUE(3, 24) },			/* §3.66 */
	[ISUP_P_BACKWARD_GVNS] = { OPAQUE(1, 255) },			/* §3.62 */
	[ISUP_P_REDIRECT_CAPABILITY] = { OPAQUE(1, 255) },		/* §3.96 */
	[ISUP_P_NETWORK_MGMT_CONTROLS] = { OPAQUE(1, 255) },		/* §3.68 */
	[ISUP_P_CORRELATION_ID] = { OPAQUE(1, 255) },			/* §3.70 */
	[ISUP_P_SCF_ID] = { OPAQUE(1, 255) },				/* §3.71 */
	[ISUP_P_CALL_DIVERSION_TREATMENT] = { OPAQUE(1, 255) },		/* §3.72 */
	[ISUP_P_CALLED_IN_NUMBER] = { OPAQUE(2, 255) },			/* §3.73 */
	[ISUP_P_CALL_OFFERING_TREATMENT] = { OPAQUE(1, 255) },		/* §3.74 */
	[ISUP_P_CHARGED_PARTY_ID] = { OPAQUE(1, 255) },			/* §3.75 */
	[ISUP_P_CONFERENCE_TREATMENT] = { OPAQUE(1, 255) },		/* §3.76 */
	[ISUP_P_DISPLAY_INFO] = { OPAQUE(1, 255) },			/* §3.77 */
	[ISUP_P_UID_ACTION] = { OPAQUE(1, 255) },			/* §3.78 */
	[ISUP_P_UID_CAPABILITY] = { OPAQUE(1, 255) },			/* §3.79 */
	[ISUP_P_REDIRECT_COUNTER] = { OPAQUE(1, 1) },			/* §3.97 */
	[ISUP_P_APP_TRANSPORT] = { OPAQUE(3, 255) },			/* §3.82 */
	[ISUP_P_COLLECT_CALL_REQ] = { OPAQUE(1, 1) },			/* §3.81 */
	[ISUP_P_CCNR_POSSIBLE] = { OPAQUE(1, 1) },			/* §3.83 */
	[ISUP_P_PIVOT_CAPABILITY] = { OPAQUE(1, 1) },			/* §3.84 */
	[ISUP_P_PIVOT_ROUTING_IND] = { OPAQUE(1, 1) },			/* §3.85 */
	[ISUP_P_CALLED_DIRECTORY_NUMBER] = { OPAQUE(3, 255) },		/* §3.86 */
	[ISUP_P_ORIGINAL_CALLED_IN_NUMBER] = { OPAQUE(2, 255) },	/* §3.87 */
	[ISUP_P_CALLING_GEODETIC_LOCATION] = { OPAQUE(1, 255) },	/* §3.88 (length unverified: lenient) */
	[ISUP_P_HTR_INFO] = { OPAQUE(2, 255) },				/* §3.89 */
	[ISUP_P_NETWORK_ROUTING_NUMBER] = { OPAQUE(2, 255) },		/* §3.90 */
	[ISUP_P_QOR_CAPABILITY] = { OPAQUE(1, 1) },			/* §3.91 */
	[ISUP_P_PIVOT_STATUS] = { OPAQUE(1, 255) },			/* §3.92 */
	[ISUP_P_PIVOT_COUNTER] = { OPAQUE(1, 1) },			/* §3.93 */
	[ISUP_P_PIVOT_ROUTING_FWD] = { OPAQUE(1, 255) },		/* §3.94 */
	[ISUP_P_PIVOT_ROUTING_BWD] = { OPAQUE(1, 255) },		/* §3.95 */
	[ISUP_P_REDIRECT_STATUS] = { OPAQUE(1, 1) },			/* §3.98 */
	[ISUP_P_REDIRECT_FWD_INFO] = { OPAQUE(1, 255) },		/* §3.99 */
	[ISUP_P_REDIRECT_BWD_INFO] = { OPAQUE(1, 255) },		/* §3.100 */
	[ISUP_P_NP_FWD_INFO] = { OPAQUE(1, 255) },			/* §3.101 */
	[ISUP_P_GENERIC_NUMBER] = { NUMBER(ISUP_NUM_GENERIC), LEN(3, 255) },	/* §3.26 */
	[ISUP_P_GENERIC_DIGITS] = { OPAQUE(2, 255) },			/* §3.24 */
};
