/*! \file isup_codec.c
 * The generic Q.763 walker (decode and encode), names, digits, routing label, point codes and builders.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/msgb.h>

#include "isup/isup_codec.h"
#include "isup/isup_codec_int.h"

/* The walker's per-parameter helpers sit on the hot path of every message. */
#define HOT static inline __attribute__((always_inline))

/* ---- names ---- */

const struct value_string isup_msg_type_names[] = {
#define ISUP_X_(abbr, code, name) { code, #abbr },
	ISUP_MSG_LIST(ISUP_X_)
#undef ISUP_X_
	{ 0, NULL }
};

static const char *const msg_abbr[256] = {
#define ISUP_X_(abbr, code, name) [code] = #abbr,
	ISUP_MSG_LIST(ISUP_X_)
#undef ISUP_X_
};

static const char *const msg_long[256] = {
#define ISUP_X_(abbr, code, name) [code] = name,
	ISUP_MSG_LIST(ISUP_X_)
#undef ISUP_X_
};

const struct value_string isup_param_names[] = {
#define ISUP_X_(id, code, name) { code, name },
	ISUP_PARAM_LIST(ISUP_X_)
#undef ISUP_X_
	{ 0, NULL }
};

static const char *const param_name[256] = {
#define ISUP_X_(id, code, name) [code] = name,
	ISUP_PARAM_LIST(ISUP_X_)
#undef ISUP_X_
};

/* Q.850 Table 1 */
const struct value_string isup_cause_names[] = {
	{ 1, "unallocated number" },
	{ 2, "no route to specified transit network" },
	{ 3, "no route to destination" },
	{ 4, "send special information tone" },
	{ 5, "misdialled trunk prefix" },
	{ 8, "preemption" },
	{ 9, "preemption, circuit reserved for reuse" },
	{ 16, "normal call clearing" },
	{ 17, "user busy" },
	{ 18, "no user responding" },
	{ 19, "no answer from user" },
	{ 20, "subscriber absent" },
	{ 21, "call rejected" },
	{ 22, "number changed" },
	{ 23, "redirection to new destination" },
	{ 25, "exchange routing error" },
	{ 26, "non-selected user clearing" },
	{ 27, "destination out of order" },
	{ 28, "invalid number format" },
	{ 29, "facility rejected" },
	{ 31, "normal, unspecified" },
	{ 34, "no circuit/channel available" },
	{ 38, "network out of order" },
	{ 41, "temporary failure" },
	{ 42, "switching equipment congestion" },
	{ 43, "access information discarded" },
	{ 44, "requested circuit/channel not available" },
	{ 46, "precedence call blocked" },
	{ 47, "resource unavailable, unspecified" },
	{ 50, "requested facility not subscribed" },
	{ 53, "outgoing calls barred within CUG" },
	{ 55, "incoming calls barred within CUG" },
	{ 57, "bearer capability not authorized" },
	{ 58, "bearer capability not presently available" },
	{ 62, "inconsistency in outgoing access information and subscriber class" },
	{ 63, "service or option not available, unspecified" },
	{ 65, "bearer capability not implemented" },
	{ 69, "requested facility not implemented" },
	{ 70, "only restricted digital information bearer capability is available" },
	{ 79, "service or option not implemented, unspecified" },
	{ 87, "user not member of CUG" },
	{ 88, "incompatible destination" },
	{ 90, "non-existent CUG" },
	{ 91, "invalid transit network selection" },
	{ 95, "invalid message, unspecified" },
	{ 97, "message type non-existent or not implemented" },
	{ 99, "information element/parameter non-existent or not implemented" },
	{ 102, "recovery on timer expiry" },
	{ 103, "parameter non-existent or not implemented, passed on" },
	{ 110, "message with unrecognized parameter, discarded" },
	{ 111, "protocol error, unspecified" },
	{ 127, "interworking, unspecified" },
	{ 0, NULL }
};

/* Q.850 §2.2.5 location */
const struct value_string isup_cause_location_names[] = {
	{ 0, "user" },
	{ 1, "private network serving the local user" },
	{ 2, "public network serving the local user" },
	{ 3, "transit network" },
	{ 4, "public network serving the remote user" },
	{ 5, "private network serving the remote user" },
	{ 7, "international network" },
	{ 10, "network beyond interworking point" },
	{ 0, NULL }
};

/* Q.763 §3.9 */
const struct value_string isup_nai_names[] = {
	{ 1, "subscriber number" },
	{ 2, "unknown" },
	{ 3, "national (significant) number" },
	{ 4, "international number" },
	{ 5, "network-specific number" },
	{ 6, "network routing number in national number format" },
	{ 7, "network routing number in network-specific format" },
	{ 8, "network routing number concatenated with called directory number" },
	{ 0, NULL }
};

const struct value_string isup_npi_names[] = {
	{ 1, "ISDN (telephony) E.164" },
	{ 3, "data X.121" },
	{ 4, "telex F.69" },
	{ 5, "private" },
	{ 0, NULL }
};

/* Q.763 §3.21 */
const struct value_string isup_event_names[] = {
	{ 1, "alerting" },
	{ 2, "progress" },
	{ 3, "in-band information available" },
	{ 4, "call forwarded on busy" },
	{ 5, "call forwarded on no reply" },
	{ 6, "call forwarded unconditional" },
	{ 0, NULL }
};

const char *isup_msg_name(uint8_t type)
{
	return msg_abbr[type] ? msg_abbr[type] : "unknown";
}

const char *isup_msg_long_name(uint8_t type)
{
	return msg_long[type] ? msg_long[type] : "unknown";
}

const char *isup_param_name(uint8_t code)
{
	return param_name[code] ? param_name[code] : "unknown";
}

bool isup_msg_known(uint8_t type)
{
	return isup_msg_defs[type].known;
}

bool isup_msg_supported(uint8_t type)
{
	return isup_msg_defs[type].supported;
}

int isup_msg_mandatory(uint8_t type, uint8_t *codes, size_t n)
{
	const struct isup_msg_def *md = &isup_msg_defs[type];
	unsigned int i;

	if ((size_t)(md->n_fixed + md->n_var) > n)
		return -EMSGSIZE;
	for (i = 0; i < md->n_fixed; i++)
		codes[i] = md->fixed[i];
	for (i = 0; i < md->n_var; i++)
		codes[md->n_fixed + i] = md->var[i].code;
	return md->n_fixed + md->n_var;
}

const struct isup_number *isup_msg_number(const struct isup_msg *m, uint8_t code, unsigned int idx)
{
	if (code == ISUP_P_GENERIC_NUMBER)
		return idx < m->n_generic ? &m->generic[idx] : NULL;
	return isup_number_field((struct isup_msg *)m, code);
}

bool isup_param_known(uint8_t code)
{
	return isup_param_defs[code].known;
}

bool isup_param_typed(uint8_t code)
{
	return isup_param_defs[code].dec != NULL;
}

/* ---- digits (Q.763 §3.9 address signal coding) ---- */

static const char digit_chars[16] = "0123456789A*#DEF";

char isup_digit_char(uint8_t code)
{
	return digit_chars[code & 0x0f];
}

uint8_t isup_number_digit(const struct isup_number *n, unsigned int idx)
{
	if (n->ascii) {
		int c = isup_digit_code(n->ascii[idx]);
		return c < 0 ? 0 : c;
	}
	return (n->bcd[idx / 2] >> ((idx & 1) * 4)) & 0x0f;
}

int isup_number_get_digits(const struct isup_number *n, char *dst, size_t dst_len)
{
	unsigned int i, nd = n->ascii ? strlen(n->ascii) : n->n_digits;

	if (!dst_len)
		return -EMSGSIZE;
	if (nd + 1 > dst_len) {
		dst[0] = '\0';
		return -EMSGSIZE;
	}
	for (i = 0; i < nd; i++)
		dst[i] = isup_digit_char(isup_number_digit(n, i));
	dst[nd] = '\0';
	return nd;
}

/* ---- parameter dispatch ---- */

/* The parameters of ISUP_INLINE_PARAMS by a switch the compiler inlines, every other one through the table.
 * The inline ones never fail, so only the table path needs a default reason. */
HOT int param_dec(struct isup_msg *m, const struct isup_param_def *pd, uint8_t code, const uint8_t *v,
		  uint8_t len, const char **reason)
{
	switch (code) {
#define X_(c, f)	case c: return dec_##f(m, pd, v, len, reason);
	ISUP_INLINE_PARAMS(X_)
#undef X_
	default:
		*reason = "invalid parameter";
		return pd->dec(m, pd, v, len, reason);
	}
}

HOT int param_enc(const struct isup_msg *m, const struct isup_param_def *pd, uint8_t code, unsigned int idx,
		  uint8_t *dst, size_t room)
{
	switch (code) {
#define X_(c, f)	case c: return enc_##f(m, pd, idx, dst, room);
	ISUP_INLINE_PARAMS(X_)
#undef X_
	default:
		return pd->enc(m, pd, idx, dst, room);
	}
}

/* ---- decode ---- */

#define FAIL(off, why) do { \
		if (err) { err->offset = (off); err->reason = (why); } \
		return -EBADMSG; \
	} while (0)

/* While a message is decoded, the presence bits of codes below 64 (every mandatory parameter and most optional
 * ones) are kept in *low, a register, and isup_decode() stores them on every way out. */
HOT bool dec_has(const struct isup_msg *m, const uint64_t *low, uint8_t code)
{
	return code < 64 ? (*low >> code) & 1 : isup_msg_has(m, code);
}

HOT int dec_typed(struct isup_msg *m, uint64_t *low, uint8_t code, const uint8_t *v, uint8_t len, size_t off,
		  struct isup_decode_err *err)
{
	const struct isup_param_def *pd = &isup_param_defs[code];
	const char *reason = NULL;
	int rc;

	rc = param_dec(m, pd, code, v, len, &reason);
	if (rc == 0) {
		if (code < 64)
			*low |= 1ull << code;
		else
			isup_msg_set(m, code);
		return 0;
	}
	if (rc == -EBADMSG)
		FAIL(off, reason);
	return rc;
}

HOT int dec_opt(struct isup_msg *m, uint64_t *low, uint8_t code, const uint8_t *v, uint8_t len, size_t off,
		struct isup_decode_err *err)
{
	const struct isup_param_def *pd = &isup_param_defs[code];
	struct isup_raw_param *r;
	int rc;

	if (m->n_order >= ISUP_MAX_OPT) {
		if (err) {
			err->offset = off;
			err->reason = "too many optional parameters";
		}
		return -EMSGSIZE;
	}
	m->order[m->n_order++] = code;
	if (pd->dec && (code == ISUP_P_GENERIC_NUMBER || !dec_has(m, low, code))) {
		if (len < pd->min || len > pd->max)
			FAIL(off, "optional parameter length out of range");
		rc = dec_typed(m, low, code, v, len, off + 2, err);
		if (rc != -ENOSPC)
			return rc;
	}
	r = &m->raw[m->n_raw++];
	r->code = code;
	r->known = pd->known;
	r->has_instr = false;
	r->val.data = v;
	r->val.len = len;
	return 0;
}

/* isup_decode() without the bookkeeping around it; *low collects the presence bits of codes below 64. */
static inline int decode_walk(struct isup_msg *m, uint64_t *low, const uint8_t *buf, size_t len,
			      struct isup_decode_err *err)
{
	const struct isup_msg_def *md;
	size_t p, ptr_base, var_start, var_end;
	unsigned int i;
	int rc;

	if (len < 3)
		FAIL(len, "truncated before message type");
	m->cic = buf[0] | (buf[1] & 0x0f) << 8;
	m->type = buf[2];
	md = &isup_msg_defs[m->type];
	if (!md->known) {
		if (err) {
			err->offset = 2;
			err->reason = "unknown message type";
		}
		return -ENOMSG;
	}
	p = 3;
	if (md->opaque_body) {
		if (len - p > 255)
			FAIL(p + 255, "message body too long");
		m->body.data = buf + p;
		m->body.len = len - p;
		return 0;
	}

	/* mandatory fixed part */
	if (md->fixed_dec) {
		/* indicator parameters only: they have no invalid values */
		if (len - p < md->fixed_len)
			FAIL(len, "truncated in mandatory fixed part");
		md->fixed_dec(m, buf + p);
		*low |= md->fixed_mask;
		p += md->fixed_len;
	}
	for (i = 0; i < md->n_fixed && !md->fixed_dec; i++) {
		uint8_t code = md->fixed[i];
		const struct isup_param_def *pd = &isup_param_defs[code];

		if (len - p < pd->min)
			FAIL(len, "truncated in mandatory fixed part");
		if (pd->dec) {
			rc = dec_typed(m, low, code, buf + p, pd->min, p, err);
			if (rc)
				return rc;
		} else {
			m->mand[i].data = buf + p;
			m->mand[i].len = pd->min;
		}
		p += pd->min;
	}

	/* pointers */
	ptr_base = p;
	var_start = p + md->n_var + md->opt;
	if (var_start > len)
		FAIL(len, "truncated in pointers");
	var_end = var_start;

	/* mandatory variable part */
	for (i = 0; i < md->n_var; i++) {
		const struct isup_var_def *vd = &md->var[i];
		size_t pp = ptr_base + i, target;
		uint8_t l;

		if (buf[pp] == 0)
			FAIL(pp, "mandatory variable parameter missing (null pointer)");
		target = pp + buf[pp];
		if (target < var_start)
			FAIL(pp, "pointer into fixed part or pointers");
		if (target >= len)
			FAIL(pp, "pointer beyond end of message");
		l = buf[target];
		if (target + 1 + l > len)
			FAIL(target, "parameter length beyond end of message");
		if (l < vd->min || l > vd->max)
			FAIL(target, "mandatory variable parameter length out of range");
		if (target + 1 + l > var_end)
			var_end = target + 1 + l;
		if (isup_param_defs[vd->code].dec) {
			rc = dec_typed(m, low, vd->code, buf + target + 1, l, target + 1, err);
			if (rc)
				return rc;
		} else {
			m->mand[md->n_fixed + i].data = buf + target + 1;
			m->mand[md->n_fixed + i].len = l;
		}
	}

	/* optional part */
	if (md->opt && buf[ptr_base + md->n_var]) {
		size_t pp = ptr_base + md->n_var;
		size_t q = pp + buf[pp];

		if (q < var_end)
			FAIL(pp, "optional part pointer into fixed part, pointers or mandatory variable part");
		for (;;) {
			uint8_t code, l;

			if (q >= len)
				FAIL(len, "optional part not terminated by end of optional parameters");
			code = buf[q];
			if (code == ISUP_P_END_OF_OPTIONAL)
				break;
			if (q + 1 >= len)
				FAIL(len, "truncated in optional parameter header");
			l = buf[q + 1];
			if (q + 2 + l > len)
				FAIL(q + 1, "optional parameter length beyond end of message");
			rc = dec_opt(m, low, code, buf + q + 2, l, q, err);
			if (rc)
				return rc;
			q += 2 + l;
		}
	}

	return 0;
}

int isup_decode(struct isup_msg *m, const uint8_t *buf, size_t len, struct isup_decode_err *err)
{
	uint64_t low = 0;
	unsigned int i;
	int rc;

	/* Only the bookkeeping is cleared: typed fields are written by their decoders and are valid only when
	 * flagged present, which keeps decoding cheap (a whole-struct memset would dominate the cost). */
	memset(&m->present[2], 0, sizeof(m->present) - 2 * sizeof(m->present[0]));
	memset(m->mand, 0, sizeof(m->mand));
	m->body.data = NULL;
	m->body.len = 0;
	m->n_generic = 0;
	m->n_raw = 0;
	m->n_order = 0;
	rc = decode_walk(m, &low, buf, len, err);
	m->present[0] = low;
	m->present[1] = low >> 32;
	if (rc)
		return rc;

	/* Q.764 §2.9.5: instructions for the parameters we do not know */
	if (isup_msg_has(m, ISUP_P_PCI)) {
		for (i = 0; i < m->n_raw; i++) {
			struct isup_raw_param *r = &m->raw[i];
			if (!r->known && isup_pci_lookup(m, r->code, &r->instr) == 0)
				r->has_instr = true;
		}
	}
	return 0;
}

/* ---- encode ---- */

/* Write mandatory parameter idx (fixed then variable) of m; have: the presence bits of codes below 64, where every
 * mandatory parameter is. */
HOT int enc_mand(const struct isup_msg *m, uint64_t have, unsigned int idx, uint8_t code, uint8_t *dst, size_t room)
{
	const struct isup_param_def *pd = &isup_param_defs[code];
	const struct isup_slice *s = &m->mand[idx];

	if (pd->enc) {
		if (!((have >> code) & 1))
			return -EINVAL;
		return param_enc(m, pd, code, 0, dst, room);
	}
	if (!s->data && s->len)
		return -EINVAL;
	if (s->len > room)
		return -EMSGSIZE;
	if (s->len)
		memcpy(dst, s->data, s->len);
	return s->len;
}

/* One optional parameter (name, length, value) at buf[*p]. */
HOT int put_opt(uint8_t *buf, size_t room, size_t *p, uint8_t code, const struct isup_msg *m, unsigned int idx,
		const struct isup_slice *raw)
{
	const struct isup_param_def *pd = &isup_param_defs[code];
	size_t avail;
	int rc;

	if (code == ISUP_P_END_OF_OPTIONAL)
		return -EINVAL;
	if (room - *p < 2)
		return -EMSGSIZE;
	avail = room - *p - 2;
	if (avail > 255)
		avail = 255;
	if (raw) {
		if (raw->len > avail)
			return -EMSGSIZE;
		if (raw->len)
			memcpy(buf + *p + 2, raw->data, raw->len);
		rc = raw->len;
	} else {
		rc = param_enc(m, pd, code, idx, buf + *p + 2, avail);
		if (rc < 0)
			return rc;
		if (rc < pd->min || rc > pd->max)
			return -EINVAL;
	}
	buf[*p] = code;
	buf[*p + 1] = rc;
	*p += 2 + rc;
	return 0;
}

/* The presence bitmap as four 64-bit words (word w holds codes 64w .. 64w+63). */
static inline uint64_t present64(const struct isup_msg *m, unsigned int w)
{
	return m->present[2 * w] | (uint64_t)m->present[2 * w + 1] << 32;
}

/* mand: the mandatory parameters (all have codes below 64), which are not repeated in the optional part */
static int enc_optional(const struct isup_msg *m, uint64_t mand, uint8_t *buf, size_t room, size_t *p)
{
	uint64_t done[4] = { mand };
	unsigned int i, c, r = 0, gen = 0;
	int rc;

#define DONE(code)	(done[(code) >> 6] & (1ull << ((code) & 63)))
#define SET_DONE(code)	(done[(code) >> 6] |= 1ull << ((code) & 63))

	/* first in the order they were received, so that pass-on keeps the peer's order */
	for (i = 0; i < m->n_order; i++) {
		uint8_t code = m->order[i];
		const struct isup_param_def *pd = &isup_param_defs[code];

		if (code == ISUP_P_GENERIC_NUMBER && gen < m->n_generic && isup_msg_has(m, code)) {
			rc = put_opt(buf, room, p, code, m, gen++, NULL);
		} else if (code != ISUP_P_GENERIC_NUMBER && pd->enc && isup_msg_has(m, code) && !DONE(code)) {
			SET_DONE(code);
			rc = put_opt(buf, room, p, code, m, 0, NULL);
		} else if (r < m->n_raw && m->raw[r].code == code) {
			rc = put_opt(buf, room, p, code, m, 0, &m->raw[r].val);
			r++;
		} else {
			continue;
		}
		if (rc)
			return rc;
	}
	/* then typed parameters set by the caller, in code order (walking the set bits only) */
	for (i = 0; i < 4; i++) {
		uint64_t bits = present64(m, i) & ~done[i];

		while (bits) {
			c = i * 64 + __builtin_ctzll(bits);
			bits &= bits - 1;
			if (!isup_param_defs[c].enc)
				continue;
			if (c == ISUP_P_GENERIC_NUMBER) {
				while (gen < m->n_generic) {
					rc = put_opt(buf, room, p, c, m, gen++, NULL);
					if (rc)
						return rc;
				}
				continue;
			}
			rc = put_opt(buf, room, p, c, m, 0, NULL);
			if (rc)
				return rc;
		}
	}
	/* then raw parameters not placed yet */
	for (; r < m->n_raw; r++) {
		rc = put_opt(buf, room, p, m->raw[r].code, m, 0, &m->raw[r].val);
		if (rc)
			return rc;
	}
#undef DONE
#undef SET_DONE
	return 0;
}

/* Whether m carries anything that would go into an optional part, given the mandatory parameter mask. */
static bool has_optional(const struct isup_msg *m, uint64_t mand)
{
	return (present64(m, 0) & ~mand) || present64(m, 1) || present64(m, 2) || present64(m, 3) || m->n_raw;
}

int isup_encode_buf(uint8_t *buf, size_t room, const struct isup_msg *m)
{
	const struct isup_msg_def *md = &isup_msg_defs[m->type];
	uint64_t mand = md->fixed_mask | md->var_mask, have = present64(m, 0);
	size_t p, ptr_base;
	unsigned int i;
	int rc;

	if (!md->known || m->cic > 0x0fff)
		return -EINVAL;
	if (room < 3)
		return -EMSGSIZE;
	buf[0] = m->cic & 0xff;
	buf[1] = m->cic >> 8;
	buf[2] = m->type;
	p = 3;
	if (md->opaque_body) {
		if (room - p < m->body.len)
			return -EMSGSIZE;
		if (m->body.len)
			memcpy(buf + p, m->body.data, m->body.len);
		return p + m->body.len;
	}

	if (md->fixed_enc) {
		if (room - p < md->fixed_len)
			return -EMSGSIZE;
		if ((have & md->fixed_mask) != md->fixed_mask)
			return -EINVAL;
		rc = md->fixed_enc(m, buf + p);
		if (rc)
			return rc;
		p += md->fixed_len;
	}
	for (i = 0; i < md->n_fixed && !md->fixed_enc; i++) {
		uint8_t code = md->fixed[i];
		uint8_t flen = isup_param_defs[code].min;

		if (room - p < flen)
			return -EMSGSIZE;
		rc = enc_mand(m, have, i, code, buf + p, flen);
		if (rc < 0)
			return rc;
		if (rc != flen)
			return -EINVAL;
		p += flen;
	}

	ptr_base = p;
	if (room - p < (size_t)(md->n_var + md->opt))
		return -EMSGSIZE;
	p += md->n_var + md->opt;

	for (i = 0; i < md->n_var; i++) {
		const struct isup_var_def *vd = &md->var[i];
		size_t avail;

		if (p - (ptr_base + i) > 255)
			return -EMSGSIZE;
		buf[ptr_base + i] = p - (ptr_base + i);
		if (room - p < 1)
			return -EMSGSIZE;
		avail = room - p - 1;
		if (avail > 255)
			avail = 255;
		rc = enc_mand(m, have, md->n_fixed + i, vd->code, buf + p + 1, avail);
		if (rc < 0)
			return rc;
		if (rc < vd->min || rc > vd->max)
			return -EINVAL;
		buf[p] = rc;
		p += 1 + rc;
	}

	if (!md->opt) {
		if (has_optional(m, mand))
			return -EINVAL;
		return p;
	}
	if (!has_optional(m, mand)) {
		buf[ptr_base + md->n_var] = 0;
		return p;
	}
	if (p - (ptr_base + md->n_var) > 255)
		return -EMSGSIZE;
	buf[ptr_base + md->n_var] = p - (ptr_base + md->n_var);
	rc = enc_optional(m, mand, buf, room, &p);
	if (rc)
		return rc;
	if (room - p < 1)
		return -EMSGSIZE;
	buf[p++] = ISUP_P_END_OF_OPTIONAL;
	return p;
}

int isup_encode(struct msgb *msg, const struct isup_msg *m)
{
	int tailroom = msgb_tailroom(msg);
	int rc;

	if (tailroom <= 0)
		return -EMSGSIZE;
	rc = isup_encode_buf(msg->tail, tailroom, m);
	if (rc < 0)
		return rc;
	msgb_put(msg, rc);
	return rc;
}

/* ---- message helpers ---- */

void isup_msg_init(struct isup_msg *m, uint8_t type, uint16_t cic)
{
	memset(m, 0, offsetof(struct isup_msg, raw));
	m->n_order = 0;
	m->type = type;
	m->cic = cic;
}

int isup_msg_add_raw(struct isup_msg *m, uint8_t code, const uint8_t *val, uint8_t len)
{
	struct isup_raw_param *r;

	if (code == ISUP_P_END_OF_OPTIONAL)
		return -EINVAL;
	if (m->n_raw >= ISUP_MAX_OPT)
		return -EMSGSIZE;
	r = &m->raw[m->n_raw++];
	memset(r, 0, sizeof(*r));
	r->code = code;
	r->known = isup_param_known(code);
	r->val.data = val;
	r->val.len = len;
	return 0;
}

static bool slice_eq(const struct isup_slice *a, const struct isup_slice *b)
{
	return a->len == b->len && (!a->len || !memcmp(a->data, b->data, a->len));
}

static bool instr_eq(const struct isup_instr *a, const struct isup_instr *b)
{
	return a->transit == b->transit && a->release_call == b->release_call &&
	       a->send_notification == b->send_notification && a->discard_msg == b->discard_msg &&
	       a->discard_param == b->discard_param && a->pass_on_not_possible == b->pass_on_not_possible &&
	       a->has_bni == b->has_bni && a->bni == b->bni;
}

#define HAS(c)	isup_msg_has(a, (c))

bool isup_msg_equal(const struct isup_msg *a, const struct isup_msg *b)
{
	unsigned int i;

	if (a->cic != b->cic || a->type != b->type || memcmp(a->present, b->present, sizeof(a->present)))
		return false;
	for (i = 0; i < ISUP_MAX_MAND; i++)
		if (!slice_eq(&a->mand[i], &b->mand[i]))
			return false;
	if (!slice_eq(&a->body, &b->body))
		return false;
	if (HAS(ISUP_P_NCI) && memcmp(&a->nci, &b->nci, sizeof(a->nci)))
		return false;
	if (HAS(ISUP_P_FCI) && memcmp(&a->fci, &b->fci, sizeof(a->fci)))
		return false;
	if (HAS(ISUP_P_CPC) && a->cpc != b->cpc)
		return false;
	if (HAS(ISUP_P_TMR) && a->tmr != b->tmr)
		return false;
	for (i = 0; i < 256; i++) {
		const struct isup_number *na, *nb;
		int kind = isup_number_kind_of(i);

		if (kind < 0 || kind == ISUP_NUM_GENERIC || !HAS(i))
			continue;
		na = isup_number_field((struct isup_msg *)a, i);
		nb = isup_number_field((struct isup_msg *)b, i);
		if (!isup_number_equal(na, nb, kind))
			return false;
	}
	if (HAS(ISUP_P_GENERIC_NUMBER)) {
		if (a->n_generic != b->n_generic)
			return false;
		for (i = 0; i < a->n_generic; i++)
			if (!isup_number_equal(&a->generic[i], &b->generic[i], ISUP_NUM_GENERIC))
				return false;
	}
	if (HAS(ISUP_P_BCI) && memcmp(&a->bci, &b->bci, sizeof(a->bci)))
		return false;
	if (HAS(ISUP_P_OBCI) && memcmp(&a->obci, &b->obci, sizeof(a->obci)))
		return false;
	if (HAS(ISUP_P_OFCI) && memcmp(&a->ofci, &b->ofci, sizeof(a->ofci)))
		return false;
	if (HAS(ISUP_P_CAUSE) &&
	    (a->cause.coding_std != b->cause.coding_std || a->cause.location != b->cause.location ||
	     a->cause.has_recommendation != b->cause.has_recommendation ||
	     (a->cause.has_recommendation && a->cause.recommendation != b->cause.recommendation) ||
	     a->cause.value != b->cause.value || !slice_eq(&a->cause.diag, &b->cause.diag)))
		return false;
	if (HAS(ISUP_P_EVENT_INFO) && memcmp(&a->event, &b->event, sizeof(a->event)))
		return false;
	if (HAS(ISUP_P_REDIRECTION_INFO) &&
	    (a->redir_info.indicator != b->redir_info.indicator ||
	     a->redir_info.orig_reason != b->redir_info.orig_reason ||
	     a->redir_info.has_octet2 != b->redir_info.has_octet2 ||
	     (a->redir_info.has_octet2 && (a->redir_info.counter != b->redir_info.counter ||
					   a->redir_info.reason != b->redir_info.reason))))
		return false;
	if (HAS(ISUP_P_HOP_COUNTER) && a->hop_counter != b->hop_counter)
		return false;
	if (HAS(ISUP_P_CGSMT) && a->cgsmt != b->cgsmt)
		return false;
	if (HAS(ISUP_P_RANGE_STATUS) &&
	    (a->rs.range != b->rs.range || a->rs.status_len != b->rs.status_len ||
	     a->rs.status_len > sizeof(a->rs.status) ||
	     memcmp(a->rs.status, b->rs.status, a->rs.status_len)))
		return false;
	if (HAS(ISUP_P_SUS_RES_IND) && a->sus_res_network != b->sus_res_network)
		return false;
	if (HAS(ISUP_P_CONTINUITY_IND) && a->continuity_ok != b->continuity_ok)
		return false;
	if (HAS(ISUP_P_USI) &&
	    (a->usi.coding_std != b->usi.coding_std || a->usi.itc != b->usi.itc || a->usi.ext3 != b->usi.ext3 ||
	     a->usi.transfer_mode != b->usi.transfer_mode || a->usi.itr != b->usi.itr ||
	     a->usi.ext4 != b->usi.ext4 || a->usi.has_l1 != b->usi.has_l1 ||
	     (a->usi.has_l1 && a->usi.l1_proto != b->usi.l1_proto) || !slice_eq(&a->usi.tail, &b->usi.tail)))
		return false;
	if (HAS(ISUP_P_ACCESS_TRANSPORT) && !slice_eq(&a->access_transport, &b->access_transport))
		return false;
	if (HAS(ISUP_P_PCI) && !slice_eq(&a->pci, &b->pci))
		return false;
	if (HAS(ISUP_P_MCI) && (!instr_eq(&a->mci, &b->mci) || !slice_eq(&a->mci_more, &b->mci_more)))
		return false;
	if (a->n_raw != b->n_raw)
		return false;
	for (i = 0; i < a->n_raw; i++) {
		const struct isup_raw_param *ra = &a->raw[i], *rb = &b->raw[i];
		if (ra->code != rb->code || ra->known != rb->known || !slice_eq(&ra->val, &rb->val))
			return false;
	}
	return true;
}

#undef HAS

/* ---- routing label (Q.704 §2.2), point codes ---- */

int isup_label_decode(struct isup_label *l, const uint8_t *buf, size_t len)
{
	uint32_t w;

	if (len < ISUP_LABEL_LEN)
		return -EBADMSG;
	w = buf[0] | buf[1] << 8 | buf[2] << 16 | (uint32_t)buf[3] << 24;
	l->dpc = w & 0x3fff;
	l->opc = (w >> 14) & 0x3fff;
	l->sls = w >> 28;
	return 0;
}

int isup_label_encode(uint8_t out[ISUP_LABEL_LEN], const struct isup_label *l)
{
	uint32_t w;

	if (l->dpc > 0x3fff || l->opc > 0x3fff || l->sls > 15)
		return -EINVAL;
	w = l->dpc | (uint32_t)l->opc << 14 | (uint32_t)l->sls << 28;
	out[0] = w;
	out[1] = w >> 8;
	out[2] = w >> 16;
	out[3] = w >> 24;
	return 0;
}

static int parse_uint(const char *s, const char **end, unsigned long max, unsigned long *out)
{
	char *e;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &e, 0);
	if (errno || *out > max)
		return -EINVAL;
	*end = e;
	return 0;
}

int isup_pc_parse(uint16_t *pc, const char *str)
{
	unsigned long a, b, c;
	const char *e;

	if (!str || parse_uint(str, &e, 0x3fff, &a))
		return -EINVAL;
	if (*e == '\0') {
		*pc = a;
		return 0;
	}
	/* ITU international signalling point code format (Q.708): zone 3 bits, area 8 bits, point 3 bits */
	if (*e != '-' || a > 7 || parse_uint(e + 1, &e, 255, &b) || *e != '-' ||
	    parse_uint(e + 1, &e, 7, &c) || *e != '\0')
		return -EINVAL;
	*pc = a << 11 | b << 3 | c;
	return 0;
}

int isup_pc_fmt(char *dst, size_t dst_len, uint16_t pc)
{
	int n = snprintf(dst, dst_len, "%u-%u-%u", (pc >> 11) & 7, (pc >> 3) & 0xff, pc & 7);

	if (n < 0 || (size_t)n >= dst_len) {
		if (dst_len)
			dst[0] = '\0';
		return -EMSGSIZE;
	}
	return n;
}

/* ---- builders ---- */

int isup_build_iam(struct isup_msg *m, uint16_t cic, const struct isup_iam_args *a)
{
	if (!a->called)
		return -EINVAL;
	isup_msg_init(m, ISUP_IAM, cic);
	m->nci.continuity = a->continuity_previous ? 2 : 0;
	isup_msg_set(m, ISUP_P_NCI);
	/* ISUP preferred all the way, used so far, originating access non-ISDN (Q.764 §2.1.1.1 defaults) */
	m->fci.isup_all_the_way = true;
	isup_msg_set(m, ISUP_P_FCI);
	m->cpc = a->cpc ? a->cpc : 0x0a;
	isup_msg_set(m, ISUP_P_CPC);
	m->tmr = a->tmr;
	isup_msg_set(m, ISUP_P_TMR);
	m->called.nai = a->called_nai ? a->called_nai : 3;
	m->called.npi = 1;
	m->called.ascii = a->called;
	isup_msg_set(m, ISUP_P_CALLED_NUMBER);
	if (a->calling) {
		m->calling.nai = a->calling_nai ? a->calling_nai : 3;
		m->calling.npi = 1;
		m->calling.apri = a->calling_apri;
		m->calling.screening = a->calling_screening ? a->calling_screening : 3;
		m->calling.ascii = a->calling;
		isup_msg_set(m, ISUP_P_CALLING_NUMBER);
	}
	if (a->hop_counter) {
		m->hop_counter = a->hop_counter;
		isup_msg_set(m, ISUP_P_HOP_COUNTER);
	}
	return 0;
}

void isup_build_acm(struct isup_msg *m, uint16_t cic, const struct isup_bci *bci)
{
	isup_msg_init(m, ISUP_ACM, cic);
	m->bci = *bci;
	isup_msg_set(m, ISUP_P_BCI);
}

void isup_build_con(struct isup_msg *m, uint16_t cic, const struct isup_bci *bci)
{
	isup_msg_init(m, ISUP_CON, cic);
	m->bci = *bci;
	isup_msg_set(m, ISUP_P_BCI);
}

void isup_build_anm(struct isup_msg *m, uint16_t cic)
{
	isup_msg_init(m, ISUP_ANM, cic);
}

void isup_build_rel(struct isup_msg *m, uint16_t cic, uint8_t location, uint8_t cause)
{
	isup_msg_init(m, ISUP_REL, cic);
	m->cause.location = location;
	m->cause.value = cause;
	isup_msg_set(m, ISUP_P_CAUSE);
}

void isup_build_rlc(struct isup_msg *m, uint16_t cic)
{
	isup_msg_init(m, ISUP_RLC, cic);
}

void isup_build_simple(struct isup_msg *m, uint8_t type, uint16_t cic)
{
	isup_msg_init(m, type, cic);
}

void isup_build_grs(struct isup_msg *m, uint16_t cic, uint8_t range)
{
	isup_msg_init(m, ISUP_GRS, cic);
	m->rs.range = range;
	isup_msg_set(m, ISUP_P_RANGE_STATUS);
}

int isup_build_group(struct isup_msg *m, uint8_t type, uint16_t cic, uint8_t cgsmt, uint8_t range,
		     uint32_t status)
{
	unsigned int i;

	if (range > 31)
		return -EINVAL;
	switch (type) {
	case ISUP_GRA:
		break;
	case ISUP_CGB:
	case ISUP_CGU:
	case ISUP_CGBA:
	case ISUP_CGUA:
		if (cgsmt > 3)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	isup_msg_init(m, type, cic);
	if (type != ISUP_GRA) {
		m->cgsmt = cgsmt;
		isup_msg_set(m, ISUP_P_CGSMT);
	}
	m->rs.range = range;
	m->rs.status_len = (range + 8) / 8;
	if (range < 31)
		status &= (2u << range) - 1;
	for (i = 0; i < m->rs.status_len; i++)
		m->rs.status[i] = status >> (8 * i);
	isup_msg_set(m, ISUP_P_RANGE_STATUS);
	return 0;
}

void isup_build_cfn(struct isup_msg *m, uint16_t cic, uint8_t location, uint8_t cause, const uint8_t *diag,
		    uint8_t diag_len)
{
	isup_msg_init(m, ISUP_CFN, cic);
	m->cause.location = location;
	m->cause.value = cause;
	m->cause.diag.data = diag;
	m->cause.diag.len = diag_len;
	isup_msg_set(m, ISUP_P_CAUSE);
}
