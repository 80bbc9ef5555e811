/* M3UA codec: wire-byte tables, round trips, malformed input. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/msgb.h>
#include <osmocom/core/utils.h>

#include "isup/m3ua_codec.h"
#include "testlib.h"

static const uint8_t rc100[] = { 0x00, 0x00, 0x00, 0x64 };
static const uint8_t isup_bytes[] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
static const uint8_t diag_abc[] = { 'a', 'b', 'c' };
static const uint8_t hb5[] = { 1, 2, 3, 4, 5 };
static const uint8_t apc2[] = { 0x00, 0x00, 0x01, 0x23, 0x03, 0x00, 0x04, 0x00 };
static const uint8_t apc1[] = { 0x00, 0x00, 0x00, 0x05 };
static const uint8_t info_hi[] = { 'h', 'i' };

#define SLICE(a) ((struct m3ua_slice){ .data = (a), .len = sizeof(a) })
#define HAS(m, p) ((m)->presence |= M3UA_PBIT(M3UA_P_##p))

static void build_aspup(struct m3ua_msg *m)
{
	m3ua_msg_init(m, M3UA_CLS_ASPSM, M3UA_ASPSM_UP);
	HAS(m, ASP_ID);
	m->asp_id = 1;
}

static void build_aspup_ack(struct m3ua_msg *m)
{
	m3ua_msg_init(m, M3UA_CLS_ASPSM, M3UA_ASPSM_UP_ACK);
}

static void build_aspdn(struct m3ua_msg *m)
{
	m3ua_msg_init(m, M3UA_CLS_ASPSM, M3UA_ASPSM_DOWN);
	HAS(m, INFO_STRING);
	m->info_string = SLICE(info_hi);
}

static void build_aspdn_ack(struct m3ua_msg *m)
{
	m3ua_msg_init(m, M3UA_CLS_ASPSM, M3UA_ASPSM_DOWN_ACK);
}

static void build_beat(struct m3ua_msg *m)
{
	m3ua_msg_init(m, M3UA_CLS_ASPSM, M3UA_ASPSM_BEAT);
	HAS(m, HEARTBEAT_DATA);
	m->heartbeat_data = SLICE(hb5);
}

static void build_beat_ack(struct m3ua_msg *m)
{
	build_beat(m);
	m->msg_type = M3UA_ASPSM_BEAT_ACK;
}

static void build_aspac(struct m3ua_msg *m)
{
	m3ua_msg_init(m, M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE);
	HAS(m, TRAFFIC_MODE);
	m->traffic_mode = 1;
	HAS(m, ROUTING_CTX);
	m->routing_ctx = SLICE(rc100);
}

static void build_aspac_ack(struct m3ua_msg *m)
{
	build_aspac(m);
	m->msg_type = M3UA_ASPTM_ACTIVE_ACK;
}

static void build_aspia(struct m3ua_msg *m)
{
	m3ua_msg_init(m, M3UA_CLS_ASPTM, M3UA_ASPTM_INACTIVE);
	HAS(m, ROUTING_CTX);
	m->routing_ctx = SLICE(rc100);
}

static void build_aspia_ack(struct m3ua_msg *m)
{
	build_aspia(m);
	m->msg_type = M3UA_ASPTM_INACTIVE_ACK;
}

static void build_data(struct m3ua_msg *m)
{
	m3ua_msg_init(m, M3UA_CLS_XFER, M3UA_XFER_DATA);
	HAS(m, ROUTING_CTX);
	m->routing_ctx = SLICE(rc100);
	HAS(m, PROTOCOL_DATA);
	m->data_hdr = (struct m3ua_data_hdr){ .opc = 1, .dpc = 2, .si = 5, .ni = 2, .mp = 0, .sls = 7 };
	m->data = SLICE(isup_bytes);
}

static void build_data_na_corr(struct m3ua_msg *m)
{
	build_data(m);
	HAS(m, NETWORK_APPEARANCE);
	m->network_appearance = 8;
	HAS(m, CORRELATION_ID);
	m->correlation_id = 0x01020304;
}

static void build_ntfy(struct m3ua_msg *m)
{
	m3ua_msg_init(m, M3UA_CLS_MGMT, M3UA_MGMT_NTFY);
	HAS(m, STATUS);
	m->status_type = M3UA_STATUS_AS_STATE_CHANGE;
	m->status_info = M3UA_AS_STATE_ACTIVE;
	HAS(m, ROUTING_CTX);
	m->routing_ctx = SLICE(rc100);
}

static void build_err(struct m3ua_msg *m)
{
	m3ua_msg_init(m, M3UA_CLS_MGMT, M3UA_MGMT_ERR);
	HAS(m, ERROR_CODE);
	m->error_code = M3UA_ERR_UNEXPECTED_MSG;
	HAS(m, DIAG_INFO);
	m->diag_info = SLICE(diag_abc);
}

static void build_duna(struct m3ua_msg *m)
{
	m3ua_msg_init(m, M3UA_CLS_SSNM, M3UA_SSNM_DUNA);
	HAS(m, ROUTING_CTX);
	m->routing_ctx = SLICE(rc100);
	HAS(m, AFFECTED_PC);
	m->affected_pc = SLICE(apc2);
}

static void build_dava(struct m3ua_msg *m)
{
	m3ua_msg_init(m, M3UA_CLS_SSNM, M3UA_SSNM_DAVA);
	HAS(m, AFFECTED_PC);
	m->affected_pc = SLICE(apc1);
}

static void build_daud(struct m3ua_msg *m)
{
	build_dava(m);
	m->msg_type = M3UA_SSNM_DAUD;
}

static void build_drst(struct m3ua_msg *m)
{
	build_dava(m);
	m->msg_type = M3UA_SSNM_DRST;
}

static void build_scon(struct m3ua_msg *m)
{
	m3ua_msg_init(m, M3UA_CLS_SSNM, M3UA_SSNM_SCON);
	HAS(m, AFFECTED_PC);
	m->affected_pc = SLICE(apc1);
	HAS(m, CONCERNED_DEST);
	m->concerned_dest = 0x000123;
	HAS(m, CONGESTION_IND);
	m->cong_level = 2;
}

static void build_dupu(struct m3ua_msg *m)
{
	m3ua_msg_init(m, M3UA_CLS_SSNM, M3UA_SSNM_DUPU);
	HAS(m, AFFECTED_PC);
	m->affected_pc = SLICE(apc1);
	HAS(m, USER_CAUSE);
	m->dupu_cause = M3UA_DUPU_CAUSE_INACCESSIBLE;
	m->dupu_user = M3UA_SI_ISUP;
}

struct vector {
	const char *name;
	void (*build)(struct m3ua_msg *m);
	const uint8_t *bytes;
	size_t len;
};

#define V(n, b, ...) { n, b, (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }) }

/* Expected bytes written by hand from the RFC 4666 figures (§3.1, §3.2 and each message's clause). */
static const struct vector vectors[] = {
	V("ASPUP", build_aspup,
	  0x01, 0x00, 0x03, 0x01, 0x00, 0x00, 0x00, 0x10,
	  0x00, 0x11, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01),
	V("ASPUP_ACK", build_aspup_ack,
	  0x01, 0x00, 0x03, 0x04, 0x00, 0x00, 0x00, 0x08),
	V("ASPDN", build_aspdn,
	  0x01, 0x00, 0x03, 0x02, 0x00, 0x00, 0x00, 0x10,
	  0x00, 0x04, 0x00, 0x06, 'h', 'i', 0x00, 0x00),
	V("ASPDN_ACK", build_aspdn_ack,
	  0x01, 0x00, 0x03, 0x05, 0x00, 0x00, 0x00, 0x08),
	V("BEAT", build_beat,
	  0x01, 0x00, 0x03, 0x03, 0x00, 0x00, 0x00, 0x14,
	  0x00, 0x09, 0x00, 0x09, 0x01, 0x02, 0x03, 0x04, 0x05, 0x00, 0x00, 0x00),
	V("BEAT_ACK", build_beat_ack,
	  0x01, 0x00, 0x03, 0x06, 0x00, 0x00, 0x00, 0x14,
	  0x00, 0x09, 0x00, 0x09, 0x01, 0x02, 0x03, 0x04, 0x05, 0x00, 0x00, 0x00),
	V("ASPAC", build_aspac,
	  0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00, 0x18,
	  0x00, 0x0b, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01,
	  0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x64),
	V("ASPAC_ACK", build_aspac_ack,
	  0x01, 0x00, 0x04, 0x03, 0x00, 0x00, 0x00, 0x18,
	  0x00, 0x0b, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01,
	  0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x64),
	V("ASPIA", build_aspia,
	  0x01, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00, 0x10,
	  0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x64),
	V("ASPIA_ACK", build_aspia_ack,
	  0x01, 0x00, 0x04, 0x04, 0x00, 0x00, 0x00, 0x10,
	  0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x64),
	V("DATA", build_data,
	  0x01, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x28,
	  0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x64,
	  0x02, 0x10, 0x00, 0x15, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
	  0x05, 0x02, 0x00, 0x07, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x00, 0x00, 0x00),
	V("DATA+NA+CORR", build_data_na_corr,
	  0x01, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x38,
	  0x02, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x08,
	  0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x64,
	  0x02, 0x10, 0x00, 0x15, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
	  0x05, 0x02, 0x00, 0x07, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x00, 0x00, 0x00,
	  0x00, 0x13, 0x00, 0x08, 0x01, 0x02, 0x03, 0x04),
	V("NTFY", build_ntfy,
	  0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x18,
	  0x00, 0x0d, 0x00, 0x08, 0x00, 0x01, 0x00, 0x03,
	  0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x64),
	V("ERR", build_err,
	  0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x18,
	  0x00, 0x0c, 0x00, 0x08, 0x00, 0x00, 0x00, 0x06,
	  0x00, 0x07, 0x00, 0x07, 'a', 'b', 'c', 0x00),
	V("DUNA", build_duna,
	  0x01, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x1c,
	  0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x64,
	  0x00, 0x12, 0x00, 0x0c, 0x00, 0x00, 0x01, 0x23, 0x03, 0x00, 0x04, 0x00),
	V("DAVA", build_dava,
	  0x01, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x10,
	  0x00, 0x12, 0x00, 0x08, 0x00, 0x00, 0x00, 0x05),
	V("DAUD", build_daud,
	  0x01, 0x00, 0x02, 0x03, 0x00, 0x00, 0x00, 0x10,
	  0x00, 0x12, 0x00, 0x08, 0x00, 0x00, 0x00, 0x05),
	V("DRST", build_drst,
	  0x01, 0x00, 0x02, 0x06, 0x00, 0x00, 0x00, 0x10,
	  0x00, 0x12, 0x00, 0x08, 0x00, 0x00, 0x00, 0x05),
	V("SCON", build_scon,
	  0x01, 0x00, 0x02, 0x04, 0x00, 0x00, 0x00, 0x20,
	  0x00, 0x12, 0x00, 0x08, 0x00, 0x00, 0x00, 0x05,
	  0x02, 0x06, 0x00, 0x08, 0x00, 0x00, 0x01, 0x23,
	  0x02, 0x05, 0x00, 0x08, 0x00, 0x00, 0x00, 0x02),
	V("DUPU", build_dupu,
	  0x01, 0x00, 0x02, 0x05, 0x00, 0x00, 0x00, 0x18,
	  0x00, 0x12, 0x00, 0x08, 0x00, 0x00, 0x00, 0x05,
	  0x02, 0x04, 0x00, 0x08, 0x00, 0x02, 0x00, 0x05),
};

static const uint8_t data_msg[] = {
	0x01, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x28,
	0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x64,
	0x02, 0x10, 0x00, 0x15, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
	0x05, 0x02, 0x00, 0x07, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x00, 0x00, 0x00,
};

START_TEST(test_encode_vectors)
{
	const struct vector *v = &vectors[_i];
	struct msgb *out = msgb_alloc(256, "test");
	struct m3ua_msg m;
	int rc;

	v->build(&m);
	rc = m3ua_encode(out, &m);
	ck_assert_msg(rc == (int)v->len, "%s: encode returned %d, expected %zu", v->name, rc, v->len);
	ck_assert_msg(memcmp(msgb_data(out), v->bytes, v->len) == 0, "%s: encoded %s", v->name,
		      osmo_hexdump_nospc(msgb_data(out), msgb_length(out)));
	ck_assert_int_eq(m3ua_encoded_len(&m), v->len);
	msgb_free(out);
}
END_TEST

START_TEST(test_decode_vectors)
{
	const struct vector *v = &vectors[_i];
	struct m3ua_msg expect, got;
	struct m3ua_decode_err err = { 0 };
	struct msgb *again;
	const char *tn;
	int rc;

	v->build(&expect);
	rc = m3ua_decode(&got, v->bytes, v->len, &err);
	ck_assert_msg(rc == 0, "%s: decode rc %d at %zu: %s", v->name, rc, err.offset, err.reason);
	ck_assert_msg(m3ua_msg_equal(&expect, &got), "%s: decoded fields differ", v->name);
	ck_assert_int_eq(got.ignored_params, 0);
	tn = m3ua_msg_type_name(got.msg_class, got.msg_type);
	ck_assert_msg(strncmp(v->name, tn, strlen(tn)) == 0 && strchr("+", v->name[strlen(tn)]),
		      "%s decoded as %s", v->name, tn);

	/* and back to the same bytes */
	again = m3ua_encode_msgb(&got, "test");
	ck_assert_ptr_nonnull(again);
	ck_assert_int_eq(msgb_length(again), v->len);
	ck_assert(memcmp(msgb_data(again), v->bytes, v->len) == 0);
	msgb_free(again);
}
END_TEST

START_TEST(test_decode_fields)
{
	struct m3ua_msg m;
	uint8_t mask;
	uint32_t pc;

	/* DATA: routing label and ISUP slice */
	ck_assert_int_eq(m3ua_decode(&m, data_msg, sizeof(data_msg), NULL), 0);
	ck_assert_int_eq(m3ua_msg_rc_count(&m), 1);
	ck_assert_uint_eq(m3ua_msg_rc(&m, 0), 100);
	ck_assert_uint_eq(m.data_hdr.opc, 1);
	ck_assert_uint_eq(m.data_hdr.dpc, 2);
	ck_assert_uint_eq(m.data_hdr.si, 5);
	ck_assert_uint_eq(m.data_hdr.ni, 2);
	ck_assert_uint_eq(m.data_hdr.sls, 7);
	ck_assert_uint_eq(m.data.len, 5);
	ck_assert_ptr_eq(m.data.data, data_msg + 32);	/* a slice, not a copy */

	/* DUNA: two affected PCs, the second wildcarded */
	ck_assert_str_eq(vectors[14].name, "DUNA");
	ck_assert_int_eq(m3ua_decode(&m, vectors[14].bytes, vectors[14].len, NULL), 0);
	ck_assert_str_eq(m3ua_msg_type_name(m.msg_class, m.msg_type), "DUNA");
	ck_assert_int_eq(m3ua_msg_apc_count(&m), 2);
	m3ua_msg_apc(&m, 0, &mask, &pc);
	ck_assert_uint_eq(mask, 0);
	ck_assert_uint_eq(pc, 0x123);
	m3ua_msg_apc(&m, 1, &mask, &pc);
	ck_assert_uint_eq(mask, 3);
	ck_assert_uint_eq(pc, 0x400);
}
END_TEST

START_TEST(test_unknown_param_ignored)
{
	/* ASPUP_ACK with an unknown tag 0x7777 and a known one not allowed in ASPUP_ACK (Error Code) */
	static const uint8_t in[] = {
		0x01, 0x00, 0x03, 0x04, 0x00, 0x00, 0x00, 0x18,
		0x77, 0x77, 0x00, 0x05, 0x99, 0x00, 0x00, 0x00,
		0x00, 0x0c, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01,
	};
	struct m3ua_msg m;

	ck_assert_int_eq(m3ua_decode(&m, in, sizeof(in), NULL), 0);
	ck_assert_int_eq(m.ignored_params, 2);
	ck_assert_uint_eq(m.presence, 0);
}
END_TEST

START_TEST(test_padding_content_ignored)
{
	/* RFC 4666 §3.2: the receiver ignores what is in the padding */
	uint8_t in[sizeof(data_msg)];
	struct m3ua_msg m;

	memcpy(in, data_msg, sizeof(in));
	in[sizeof(in) - 1] = 0xff;
	ck_assert_int_eq(m3ua_decode(&m, in, sizeof(in), NULL), 0);
	ck_assert_uint_eq(m.data.len, 5);
}
END_TEST

START_TEST(test_unsupported)
{
	static const uint8_t rkm[] = { 0x01, 0x00, 0x09, 0x01, 0x00, 0x00, 0x00, 0x08 };
	static const uint8_t cls7[] = { 0x01, 0x00, 0x07, 0x01, 0x00, 0x00, 0x00, 0x08 };
	static const uint8_t aspsm9[] = { 0x01, 0x00, 0x03, 0x09, 0x00, 0x00, 0x00, 0x08 };
	struct m3ua_decode_err err;
	struct m3ua_msg m;

	ck_assert_int_eq(m3ua_decode(&m, rkm, sizeof(rkm), &err), -EPROTO);
	ck_assert_int_eq(err.err_code, M3UA_ERR_UNSUPP_MSG_CLASS);
	ck_assert_str_eq(m3ua_msg_type_name(M3UA_CLS_RKM, M3UA_RKM_REG_REQ), "REG_REQ");
	ck_assert(!m3ua_msg_is_supported(M3UA_CLS_RKM, M3UA_RKM_REG_REQ));
	ck_assert_int_eq(m3ua_decode(&m, cls7, sizeof(cls7), &err), -EPROTO);
	ck_assert_int_eq(err.err_code, M3UA_ERR_UNSUPP_MSG_CLASS);
	ck_assert_int_eq(m3ua_decode(&m, aspsm9, sizeof(aspsm9), &err), -EPROTO);
	ck_assert_int_eq(err.err_code, M3UA_ERR_UNSUPP_MSG_TYPE);
}
END_TEST

START_TEST(test_truncations)
{
	/* every strict prefix of a valid DATA, with its length field left as is or patched to the prefix */
	size_t n;

	for (n = 0; n < sizeof(data_msg); n++) {
		uint8_t *copy = malloc(n ? n : 1);
		struct m3ua_decode_err err = { 0 };
		struct m3ua_msg m;
		int rc;

		memcpy(copy, data_msg, n);
		rc = m3ua_decode(&m, copy, n, &err);
		ck_assert_msg(rc == -EBADMSG, "prefix %zu: rc %d", n, rc);
		ck_assert_ptr_nonnull(err.reason);
		ck_assert_uint_le(err.offset, n);
		if (n >= 8) {
			copy[7] = n;
			rc = m3ua_decode(&m, copy, n, &err);
			ck_assert_msg(rc == -EBADMSG, "patched prefix %zu: rc %d", n, rc);
		}
		free(copy);
	}
}
END_TEST

struct bad {
	const char *name;
	const uint8_t *bytes;
	size_t len;
	enum m3ua_err_code code;
};

#define B(n, c, ...) { n, (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }), c }

static const struct bad bads[] = {
	B("version 2", M3UA_ERR_INVALID_VERSION, 0x02, 0x00, 0x03, 0x04, 0x00, 0x00, 0x00, 0x08),
	B("version 0", M3UA_ERR_INVALID_VERSION, 0x00, 0x00, 0x03, 0x04, 0x00, 0x00, 0x00, 0x08),
	B("length field larger", M3UA_ERR_PROTOCOL_ERROR, 0x01, 0x00, 0x03, 0x04, 0x00, 0x00, 0x00, 0x0c),
	B("length field smaller", M3UA_ERR_PROTOCOL_ERROR,
	  0x01, 0x00, 0x03, 0x04, 0x00, 0x00, 0x00, 0x08, 0x00, 0x04, 0x00, 0x04),
	B("length field huge", M3UA_ERR_PROTOCOL_ERROR, 0x01, 0x00, 0x03, 0x04, 0xff, 0xff, 0xff, 0xf8),
	B("length not multiple of 4", M3UA_ERR_PARAM_FIELD_ERROR,
	  0x01, 0x00, 0x03, 0x04, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x04),
	B("TLV header truncated", M3UA_ERR_PARAM_FIELD_ERROR,
	  0x01, 0x00, 0x03, 0x01, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x11, 0x00, 0x00),
	B("TLV length below 4", M3UA_ERR_PARAM_FIELD_ERROR,
	  0x01, 0x00, 0x03, 0x01, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x11, 0x00, 0x03),
	B("TLV length overruns", M3UA_ERR_PARAM_FIELD_ERROR,
	  0x01, 0x00, 0x03, 0x01, 0x00, 0x00, 0x00, 0x10, 0x00, 0x11, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x01),
	B("TLV length 0xffff", M3UA_ERR_PARAM_FIELD_ERROR,
	  0x01, 0x00, 0x03, 0x01, 0x00, 0x00, 0x00, 0x10, 0x00, 0x04, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01),
	B("ASP ID of 3 bytes", M3UA_ERR_PARAM_FIELD_ERROR,
	  0x01, 0x00, 0x03, 0x01, 0x00, 0x00, 0x00, 0x10, 0x00, 0x11, 0x00, 0x07, 0x00, 0x00, 0x01, 0x00),
	B("RC of 6 bytes", M3UA_ERR_PARAM_FIELD_ERROR,
	  0x01, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00, 0x14, 0x00, 0x06, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x01,
	  0x00, 0x02, 0x00, 0x00),
	B("duplicate ASP ID", M3UA_ERR_PARAM_FIELD_ERROR,
	  0x01, 0x00, 0x03, 0x01, 0x00, 0x00, 0x00, 0x18, 0x00, 0x11, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01,
	  0x00, 0x11, 0x00, 0x08, 0x00, 0x00, 0x00, 0x02),
	B("DATA without Protocol Data", M3UA_ERR_MISSING_PARAM,
	  0x01, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x10, 0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x64),
	B("Protocol Data shorter than the label", M3UA_ERR_PARAM_FIELD_ERROR,
	  0x01, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x10, 0x02, 0x10, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01),
	B("ERR without Error Code", M3UA_ERR_MISSING_PARAM, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08),
	B("NTFY without Status", M3UA_ERR_MISSING_PARAM, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08),
	B("DUNA without Affected PC", M3UA_ERR_MISSING_PARAM, 0x01, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x08),
	B("DUPU without User/Cause", M3UA_ERR_MISSING_PARAM,
	  0x01, 0x00, 0x02, 0x05, 0x00, 0x00, 0x00, 0x10, 0x00, 0x12, 0x00, 0x08, 0x00, 0x00, 0x00, 0x05),
};

START_TEST(test_malformed)
{
	const struct bad *b = &bads[_i];
	struct m3ua_decode_err err = { 0 };
	struct m3ua_msg m;
	int rc;

	rc = m3ua_decode(&m, b->bytes, b->len, &err);
	ck_assert_msg(rc == -EBADMSG, "%s: rc %d", b->name, rc);
	ck_assert_msg(err.err_code == b->code, "%s: err code %u (%s)", b->name, err.err_code, err.reason);
	ck_assert_uint_le(err.offset, b->len);
}
END_TEST

START_TEST(test_frame_len)
{
	static const uint8_t ok[] = { 0x01, 0x00, 0x03, 0x01, 0x00, 0x00, 0x01, 0x00 };
	static const uint8_t small[] = { 0x01, 0x00, 0x03, 0x01, 0x00, 0x00, 0x00, 0x04 };
	static const uint8_t big[] = { 0x01, 0x00, 0x03, 0x01, 0x00, 0x01, 0x00, 0x00 };
	static const uint8_t badver[] = { 0x05, 0x00, 0x03, 0x01, 0x00, 0x00, 0x00, 0x08 };

	ck_assert_int_eq(m3ua_frame_len(ok, 8), 256);
	ck_assert_int_eq(m3ua_frame_len(ok, 7), -EBADMSG);
	ck_assert_int_eq(m3ua_frame_len(small, 8), -EBADMSG);
	ck_assert_int_eq(m3ua_frame_len(big, 8), -EBADMSG);
	ck_assert_int_eq(m3ua_frame_len(badver, 8), 8);	/* framing ignores the version */
}
END_TEST

START_TEST(test_encode_errors)
{
	struct msgb *small = msgb_alloc(16, "test");
	static uint8_t bad_rc[3];
	struct m3ua_msg m;

	build_data(&m);
	ck_assert_int_eq(m3ua_encode(small, &m), -EMSGSIZE);
	ck_assert_int_eq(msgb_length(small), 0);	/* nothing written */

	m3ua_msg_init(&m, M3UA_CLS_RKM, M3UA_RKM_REG_REQ);
	ck_assert_int_eq(m3ua_encode(small, &m), -EINVAL);

	m3ua_msg_init(&m, M3UA_CLS_MGMT, M3UA_MGMT_ERR);	/* mandatory Error Code missing */
	ck_assert_int_eq(m3ua_encode(small, &m), -EINVAL);

	build_aspia(&m);
	m.routing_ctx = SLICE(bad_rc);
	ck_assert_int_eq(m3ua_encode(small, &m), -EINVAL);
	msgb_free(small);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(m3ua_msg_class_name(M3UA_CLS_ASPTM), "ASPTM");
	ck_assert_str_eq(m3ua_msg_type_name(M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE_ACK), "ASPAC_ACK");
	ck_assert_str_eq(m3ua_iei_name(M3UA_IEI_PROTOCOL_DATA), "Protocol Data");
	ck_assert_str_eq(m3ua_err_code_name(M3UA_ERR_UNEXPECTED_MSG), "Unexpected Message");
	ck_assert_str_eq(get_value_string(m3ua_as_state_info_names, M3UA_AS_STATE_PENDING), "AS-PENDING");
	ck_assert_str_eq(get_value_string(m3ua_other_info_names, M3UA_OTHER_ALTERNATE_ASP_ACTIVE),
			 "Alternate ASP Active");
}
END_TEST

static Suite *m3ua_codec_suite(void)
{
	Suite *s = suite_create("m3ua_codec");
	TCase *tc = tcase_create("codec");

	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_add_loop_test(tc, test_encode_vectors, 0, ARRAY_SIZE(vectors));
	tcase_add_loop_test(tc, test_decode_vectors, 0, ARRAY_SIZE(vectors));
	tcase_add_test(tc, test_decode_fields);
	tcase_add_test(tc, test_unknown_param_ignored);
	tcase_add_test(tc, test_padding_content_ignored);
	tcase_add_test(tc, test_unsupported);
	tcase_add_test(tc, test_truncations);
	tcase_add_loop_test(tc, test_malformed, 0, ARRAY_SIZE(bads));
	tcase_add_test(tc, test_frame_len);
	tcase_add_test(tc, test_encode_errors);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(m3ua_codec_suite());
}
