/* M3UA (RFC 4666) codec: one generic TLV walker driven by the per-message layout table. */
#include <errno.h>
#include <string.h>

#include <osmocom/core/bit32gen.h>
#include <osmocom/core/bit16gen.h>

#include "isup/m3ua_codec.h"

const struct value_string m3ua_msg_class_names[] = {
	{ M3UA_CLS_MGMT, "MGMT" },
	{ M3UA_CLS_XFER, "XFER" },
	{ M3UA_CLS_SSNM, "SSNM" },
	{ M3UA_CLS_ASPSM, "ASPSM" },
	{ M3UA_CLS_ASPTM, "ASPTM" },
	{ M3UA_CLS_RKM, "RKM" },
	{ 0, NULL }
};

const struct value_string m3ua_iei_names[] = {
	{ M3UA_IEI_INFO_STRING, "Info String" },
	{ M3UA_IEI_ROUTING_CTX, "Routing Context" },
	{ M3UA_IEI_DIAG_INFO, "Diagnostic Information" },
	{ M3UA_IEI_HEARTBEAT_DATA, "Heartbeat Data" },
	{ M3UA_IEI_TRAFFIC_MODE, "Traffic Mode Type" },
	{ M3UA_IEI_ERROR_CODE, "Error Code" },
	{ M3UA_IEI_STATUS, "Status" },
	{ M3UA_IEI_ASP_ID, "ASP Identifier" },
	{ M3UA_IEI_AFFECTED_PC, "Affected Point Code" },
	{ M3UA_IEI_CORRELATION_ID, "Correlation ID" },
	{ M3UA_IEI_NETWORK_APPEARANCE, "Network Appearance" },
	{ M3UA_IEI_USER_CAUSE, "User/Cause" },
	{ M3UA_IEI_CONGESTION_IND, "Congestion Indications" },
	{ M3UA_IEI_CONCERNED_DEST, "Concerned Destination" },
	{ M3UA_IEI_PROTOCOL_DATA, "Protocol Data" },
	{ 0, NULL }
};

const struct value_string m3ua_err_code_names[] = {
	{ M3UA_ERR_INVALID_VERSION, "Invalid Version" },
	{ M3UA_ERR_UNSUPP_MSG_CLASS, "Unsupported Message Class" },
	{ M3UA_ERR_UNSUPP_MSG_TYPE, "Unsupported Message Type" },
	{ M3UA_ERR_UNSUPP_TRAFFIC_MODE, "Unsupported Traffic Mode Type" },
	{ M3UA_ERR_UNEXPECTED_MSG, "Unexpected Message" },
	{ M3UA_ERR_PROTOCOL_ERROR, "Protocol Error" },
	{ M3UA_ERR_INVALID_STREAM_ID, "Invalid Stream Identifier" },
	{ M3UA_ERR_REFUSED_MGMT_BLOCKING, "Refused - Management Blocking" },
	{ M3UA_ERR_ASP_ID_REQUIRED, "ASP Identifier Required" },
	{ M3UA_ERR_INVALID_ASP_ID, "Invalid ASP Identifier" },
	{ M3UA_ERR_INVALID_PARAM_VALUE, "Invalid Parameter Value" },
	{ M3UA_ERR_PARAM_FIELD_ERROR, "Parameter Field Error" },
	{ M3UA_ERR_UNEXPECTED_PARAM, "Unexpected Parameter" },
	{ M3UA_ERR_DEST_STATUS_UNKNOWN, "Destination Status Unknown" },
	{ M3UA_ERR_INVALID_NETWORK_APPEARANCE, "Invalid Network Appearance" },
	{ M3UA_ERR_MISSING_PARAM, "Missing Parameter" },
	{ M3UA_ERR_INVALID_ROUTING_CTX, "Invalid Routing Context" },
	{ M3UA_ERR_NO_AS_FOR_ASP, "No Configured AS for ASP" },
	{ 0, NULL }
};

const struct value_string m3ua_status_type_names[] = {
	{ M3UA_STATUS_AS_STATE_CHANGE, "AS-State-Change" },
	{ M3UA_STATUS_OTHER, "Other" },
	{ 0, NULL }
};

const struct value_string m3ua_as_state_info_names[] = {
	{ M3UA_AS_STATE_RESERVED, "reserved" },
	{ M3UA_AS_STATE_INACTIVE, "AS-INACTIVE" },
	{ M3UA_AS_STATE_ACTIVE, "AS-ACTIVE" },
	{ M3UA_AS_STATE_PENDING, "AS-PENDING" },
	{ 0, NULL }
};

const struct value_string m3ua_other_info_names[] = {
	{ M3UA_OTHER_INSUFFICIENT_ASP, "Insufficient ASP resources active in AS" },
	{ M3UA_OTHER_ALTERNATE_ASP_ACTIVE, "Alternate ASP Active" },
	{ M3UA_OTHER_ASP_FAILURE, "ASP Failure" },
	{ 0, NULL }
};

const struct value_string m3ua_dupu_cause_names[] = {
	{ M3UA_DUPU_CAUSE_UNKNOWN, "unknown" },
	{ M3UA_DUPU_CAUSE_UNEQUIPPED, "unequipped remote user" },
	{ M3UA_DUPU_CAUSE_INACCESSIBLE, "inaccessible remote user" },
	{ 0, NULL }
};

/* How a parameter's value is checked: its length range and the size of its list elements. */
struct m3ua_param_def {
	uint16_t iei;
	uint16_t min_len;	/* value bytes, without tag/length */
	uint16_t max_len;
	uint8_t unit;		/* value length must be a multiple of this */
};

/* RFC 4666 §3.2 – §3.8: parameter formats. */
static const struct m3ua_param_def m3ua_param_defs[_M3UA_P_COUNT] = {
	[M3UA_P_INFO_STRING] = { M3UA_IEI_INFO_STRING, 0, M3UA_INFO_STRING_MAX, 1 },	/* §3.5.1 */
	[M3UA_P_ROUTING_CTX] = { M3UA_IEI_ROUTING_CTX, 4, UINT16_MAX, 4 },		/* §3.3.1 */
	[M3UA_P_DIAG_INFO] = { M3UA_IEI_DIAG_INFO, 0, UINT16_MAX, 1 },			/* §3.8.1 */
	[M3UA_P_HEARTBEAT_DATA] = { M3UA_IEI_HEARTBEAT_DATA, 0, UINT16_MAX, 1 },	/* §3.5.5 */
	[M3UA_P_TRAFFIC_MODE] = { M3UA_IEI_TRAFFIC_MODE, 4, 4, 4 },			/* §3.7.1 */
	[M3UA_P_ERROR_CODE] = { M3UA_IEI_ERROR_CODE, 4, 4, 4 },				/* §3.8.1 */
	[M3UA_P_STATUS] = { M3UA_IEI_STATUS, 4, 4, 4 },					/* §3.8.2 */
	[M3UA_P_ASP_ID] = { M3UA_IEI_ASP_ID, 4, 4, 4 },					/* §3.5.1 */
	[M3UA_P_AFFECTED_PC] = { M3UA_IEI_AFFECTED_PC, 4, UINT16_MAX, 4 },		/* §3.4.1 */
	[M3UA_P_CORRELATION_ID] = { M3UA_IEI_CORRELATION_ID, 4, 4, 4 },			/* §3.3.1 */
	[M3UA_P_NETWORK_APPEARANCE] = { M3UA_IEI_NETWORK_APPEARANCE, 4, 4, 4 },		/* §3.3.1 */
	[M3UA_P_USER_CAUSE] = { M3UA_IEI_USER_CAUSE, 4, 4, 4 },				/* §3.4.5 */
	[M3UA_P_CONGESTION_IND] = { M3UA_IEI_CONGESTION_IND, 4, 4, 4 },			/* §3.4.4 */
	[M3UA_P_CONCERNED_DEST] = { M3UA_IEI_CONCERNED_DEST, 4, 4, 4 },			/* §3.4.4 */
	[M3UA_P_PROTOCOL_DATA] = { M3UA_IEI_PROTOCOL_DATA, 12, UINT16_MAX, 1 },		/* §3.3.1 */
};

#define M3UA_LAYOUT_MAX	6

struct m3ua_layout_param {
	enum m3ua_param p;
	bool mandatory;
};

/* A message: its parameters in the order of the RFC's figure, and which are mandatory.
 * Conditional parameters (the RFC's "C") are optional here: the state machine decides. */
struct m3ua_layout {
	uint8_t cls;
	uint8_t type;
	const char *name;
	unsigned int num;
	struct m3ua_layout_param params[M3UA_LAYOUT_MAX];
};

#define O(x) { M3UA_P_##x, false }
#define M(x) { M3UA_P_##x, true }

static const struct m3ua_layout m3ua_layouts[] = {
	/* RFC 4666 §3.8.1 */
	{ M3UA_CLS_MGMT, M3UA_MGMT_ERR, "ERR", 5,
	  { M(ERROR_CODE), O(ROUTING_CTX), O(NETWORK_APPEARANCE), O(AFFECTED_PC), O(DIAG_INFO) } },
	/* RFC 4666 §3.8.2 */
	{ M3UA_CLS_MGMT, M3UA_MGMT_NTFY, "NTFY", 4, { M(STATUS), O(ASP_ID), O(ROUTING_CTX), O(INFO_STRING) } },
	/* RFC 4666 §3.3.1 */
	{ M3UA_CLS_XFER, M3UA_XFER_DATA, "DATA", 4,
	  { O(NETWORK_APPEARANCE), O(ROUTING_CTX), M(PROTOCOL_DATA), O(CORRELATION_ID) } },
	/* RFC 4666 §3.4.1 – §3.4.3, §3.4.6 */
	{ M3UA_CLS_SSNM, M3UA_SSNM_DUNA, "DUNA", 4,
	  { O(NETWORK_APPEARANCE), O(ROUTING_CTX), M(AFFECTED_PC), O(INFO_STRING) } },
	{ M3UA_CLS_SSNM, M3UA_SSNM_DAVA, "DAVA", 4,
	  { O(NETWORK_APPEARANCE), O(ROUTING_CTX), M(AFFECTED_PC), O(INFO_STRING) } },
	{ M3UA_CLS_SSNM, M3UA_SSNM_DAUD, "DAUD", 4,
	  { O(NETWORK_APPEARANCE), O(ROUTING_CTX), M(AFFECTED_PC), O(INFO_STRING) } },
	/* RFC 4666 §3.4.4 */
	{ M3UA_CLS_SSNM, M3UA_SSNM_SCON, "SCON", 6,
	  { O(NETWORK_APPEARANCE), O(ROUTING_CTX), M(AFFECTED_PC), O(CONCERNED_DEST), O(CONGESTION_IND),
	    O(INFO_STRING) } },
	/* RFC 4666 §3.4.5 */
	{ M3UA_CLS_SSNM, M3UA_SSNM_DUPU, "DUPU", 5,
	  { O(NETWORK_APPEARANCE), O(ROUTING_CTX), M(AFFECTED_PC), M(USER_CAUSE), O(INFO_STRING) } },
	{ M3UA_CLS_SSNM, M3UA_SSNM_DRST, "DRST", 4,
	  { O(NETWORK_APPEARANCE), O(ROUTING_CTX), M(AFFECTED_PC), O(INFO_STRING) } },
	/* RFC 4666 §3.5.1 – §3.5.6 */
	{ M3UA_CLS_ASPSM, M3UA_ASPSM_UP, "ASPUP", 2, { O(ASP_ID), O(INFO_STRING) } },
	{ M3UA_CLS_ASPSM, M3UA_ASPSM_UP_ACK, "ASPUP_ACK", 2, { O(ASP_ID), O(INFO_STRING) } },
	{ M3UA_CLS_ASPSM, M3UA_ASPSM_DOWN, "ASPDN", 1, { O(INFO_STRING) } },
	{ M3UA_CLS_ASPSM, M3UA_ASPSM_DOWN_ACK, "ASPDN_ACK", 1, { O(INFO_STRING) } },
	{ M3UA_CLS_ASPSM, M3UA_ASPSM_BEAT, "BEAT", 1, { O(HEARTBEAT_DATA) } },
	{ M3UA_CLS_ASPSM, M3UA_ASPSM_BEAT_ACK, "BEAT_ACK", 1, { O(HEARTBEAT_DATA) } },
	/* RFC 4666 §3.7.1 – §3.7.4 */
	{ M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE, "ASPAC", 3, { O(TRAFFIC_MODE), O(ROUTING_CTX), O(INFO_STRING) } },
	{ M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE_ACK, "ASPAC_ACK", 3,
	  { O(TRAFFIC_MODE), O(ROUTING_CTX), O(INFO_STRING) } },
	{ M3UA_CLS_ASPTM, M3UA_ASPTM_INACTIVE, "ASPIA", 2, { O(ROUTING_CTX), O(INFO_STRING) } },
	{ M3UA_CLS_ASPTM, M3UA_ASPTM_INACTIVE_ACK, "ASPIA_ACK", 2, { O(ROUTING_CTX), O(INFO_STRING) } },
};

#undef O
#undef M

/* RFC 4666 §3.6: known, but we register no routing keys dynamically. */
static const struct value_string m3ua_rkm_names[] = {
	{ M3UA_RKM_REG_REQ, "REG_REQ" },
	{ M3UA_RKM_REG_RSP, "REG_RSP" },
	{ M3UA_RKM_DEREG_REQ, "DEREG_REQ" },
	{ M3UA_RKM_DEREG_RSP, "DEREG_RSP" },
	{ 0, NULL }
};

static const struct m3ua_layout *m3ua_layout_find(uint8_t cls, uint8_t type)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(m3ua_layouts); i++) {
		if (m3ua_layouts[i].cls == cls && m3ua_layouts[i].type == type)
			return &m3ua_layouts[i];
	}
	return NULL;
}

static int m3ua_layout_index(const struct m3ua_layout *l, enum m3ua_param p)
{
	unsigned int i;

	for (i = 0; i < l->num; i++) {
		if (l->params[i].p == p)
			return i;
	}
	return -ENOENT;
}

const char *m3ua_msg_type_name(uint8_t cls, uint8_t type)
{
	const struct m3ua_layout *l = m3ua_layout_find(cls, type);

	if (l)
		return l->name;
	if (cls == M3UA_CLS_RKM)
		return get_value_string_or_null(m3ua_rkm_names, type) ? : "unknown";
	return "unknown";
}

bool m3ua_msg_is_supported(uint8_t cls, uint8_t type)
{
	return m3ua_layout_find(cls, type) != NULL;
}

static bool m3ua_class_known(uint8_t cls)
{
	return get_value_string_or_null(m3ua_msg_class_names, cls) != NULL;
}

int m3ua_frame_len(const uint8_t *hdr, size_t hdr_len)
{
	uint32_t len;

	/* Only the length matters for framing: a wrong version or padding is answered with an ERR
	 * by the decoder, whereas a bad length leaves no way to find the next message. */
	if (hdr_len < M3UA_HDR_LEN)
		return -EBADMSG;
	len = osmo_load32be(hdr + 4);
	if (len < M3UA_HDR_LEN || len > M3UA_MSG_MAX_LEN)
		return -EBADMSG;
	return len;
}

static int m3ua_fail(struct m3ua_decode_err *err, int rc, size_t offset, const char *reason,
		     enum m3ua_err_code code)
{
	if (err) {
		err->offset = offset;
		err->reason = reason;
		err->err_code = code;
	}
	return rc;
}

static void m3ua_store_param(struct m3ua_msg *msg, enum m3ua_param p, const uint8_t *v, size_t vlen)
{
	struct m3ua_slice s = { .data = v, .len = vlen };

	switch (p) {
	case M3UA_P_INFO_STRING:
		msg->info_string = s;
		break;
	case M3UA_P_ROUTING_CTX:
		msg->routing_ctx = s;
		break;
	case M3UA_P_DIAG_INFO:
		msg->diag_info = s;
		break;
	case M3UA_P_HEARTBEAT_DATA:
		msg->heartbeat_data = s;
		break;
	case M3UA_P_TRAFFIC_MODE:
		msg->traffic_mode = osmo_load32be(v);
		break;
	case M3UA_P_ERROR_CODE:
		msg->error_code = osmo_load32be(v);
		break;
	case M3UA_P_STATUS:
		msg->status_type = osmo_load16be(v);
		msg->status_info = osmo_load16be(v + 2);
		break;
	case M3UA_P_ASP_ID:
		msg->asp_id = osmo_load32be(v);
		break;
	case M3UA_P_AFFECTED_PC:
		msg->affected_pc = s;
		break;
	case M3UA_P_CORRELATION_ID:
		msg->correlation_id = osmo_load32be(v);
		break;
	case M3UA_P_NETWORK_APPEARANCE:
		msg->network_appearance = osmo_load32be(v);
		break;
	case M3UA_P_USER_CAUSE:
		/* RFC 4666 §3.4.5: cause in the first half, user in the second */
		msg->dupu_cause = osmo_load16be(v);
		msg->dupu_user = osmo_load16be(v + 2);
		break;
	case M3UA_P_CONGESTION_IND:
		/* 24 reserved bits, then the level (RFC 4666 §3.4.4) */
		msg->cong_level = v[3];
		break;
	case M3UA_P_CONCERNED_DEST:
		msg->concerned_dest = osmo_load32be(v) & 0xffffff;
		break;
	case M3UA_P_PROTOCOL_DATA:
		msg->data_hdr.opc = osmo_load32be(v);
		msg->data_hdr.dpc = osmo_load32be(v + 4);
		msg->data_hdr.si = v[8];
		msg->data_hdr.ni = v[9];
		msg->data_hdr.mp = v[10];
		msg->data_hdr.sls = v[11];
		msg->data.data = v + 12;
		msg->data.len = vlen - 12;
		break;
	default:
		break;
	}
}

static int m3ua_param_by_iei(uint16_t iei)
{
	int p;

	for (p = 0; p < _M3UA_P_COUNT; p++) {
		if (m3ua_param_defs[p].iei == iei)
			return p;
	}
	return -ENOENT;
}

static bool m3ua_param_len_ok(enum m3ua_param p, size_t vlen)
{
	const struct m3ua_param_def *d = &m3ua_param_defs[p];

	return vlen >= d->min_len && vlen <= d->max_len && (vlen % d->unit) == 0;
}

void m3ua_msg_init(struct m3ua_msg *msg, uint8_t cls, uint8_t type)
{
	memset(msg, 0, sizeof(*msg));
	msg->version = M3UA_VERSION;
	msg->msg_class = cls;
	msg->msg_type = type;
}

int m3ua_decode(struct m3ua_msg *msg, const uint8_t *buf, size_t len, struct m3ua_decode_err *err)
{
	const struct m3ua_layout *l;
	uint32_t msg_len;
	size_t off;
	unsigned int i;

	memset(msg, 0, sizeof(*msg));
	if (len < M3UA_HDR_LEN)
		return m3ua_fail(err, -EBADMSG, len, "shorter than the common header", M3UA_ERR_PROTOCOL_ERROR);
	msg->version = buf[0];
	msg->msg_class = buf[2];
	msg->msg_type = buf[3];
	if (buf[0] != M3UA_VERSION)
		return m3ua_fail(err, -EBADMSG, 0, "unsupported version", M3UA_ERR_INVALID_VERSION);
	msg_len = osmo_load32be(buf + 4);
	if (msg_len != len)
		return m3ua_fail(err, -EBADMSG, 4, "message length does not match the data", M3UA_ERR_PROTOCOL_ERROR);
	if (len > M3UA_MSG_MAX_LEN)
		return m3ua_fail(err, -EBADMSG, 4, "message too long", M3UA_ERR_PROTOCOL_ERROR);
	if (len % 4)
		return m3ua_fail(err, -EBADMSG, 4, "message length not padded to 4 bytes",
				 M3UA_ERR_PARAM_FIELD_ERROR);

	l = m3ua_layout_find(msg->msg_class, msg->msg_type);
	if (!l) {
		/* RFC 4666 §3.8.1: a class we do not implement at all (RKM included) is "unsupported class";
		 * an unknown type of an implemented class is "unsupported type". */
		if (!m3ua_class_known(msg->msg_class) || msg->msg_class == M3UA_CLS_RKM)
			return m3ua_fail(err, -EPROTO, 2, "unsupported message class", M3UA_ERR_UNSUPP_MSG_CLASS);
		return m3ua_fail(err, -EPROTO, 3, "unsupported message type", M3UA_ERR_UNSUPP_MSG_TYPE);
	}

	for (off = M3UA_HDR_LEN; off < len;) {
		uint16_t iei, plen;
		size_t padded;
		int p;

		if (len - off < M3UA_TLV_HDR_LEN)
			return m3ua_fail(err, -EBADMSG, off, "truncated parameter header", M3UA_ERR_PARAM_FIELD_ERROR);
		iei = osmo_load16be(buf + off);
		plen = osmo_load16be(buf + off + 2);
		if (plen < M3UA_TLV_HDR_LEN)
			return m3ua_fail(err, -EBADMSG, off + 2, "parameter length below 4",
					 M3UA_ERR_PARAM_FIELD_ERROR);
		if (plen > len - off)
			return m3ua_fail(err, -EBADMSG, off + 2, "parameter overruns the message",
					 M3UA_ERR_PARAM_FIELD_ERROR);
		padded = ((size_t)plen + 3) & ~(size_t)3;
		if (padded > len - off)
			return m3ua_fail(err, -EBADMSG, off + plen, "parameter padding missing",
					 M3UA_ERR_PARAM_FIELD_ERROR);
		/* RFC 4666 §3.2: the receiver ignores the content of the padding bytes. */

		p = m3ua_param_by_iei(iei);
		if (p < 0 || m3ua_layout_index(l, p) < 0) {
			msg->ignored_params++;
		} else if (msg->presence & M3UA_PBIT(p)) {
			return m3ua_fail(err, -EBADMSG, off, "duplicate parameter", M3UA_ERR_PARAM_FIELD_ERROR);
		} else if (!m3ua_param_len_ok(p, plen - M3UA_TLV_HDR_LEN)) {
			return m3ua_fail(err, -EBADMSG, off + 2, "parameter length invalid for its type",
					 M3UA_ERR_PARAM_FIELD_ERROR);
		} else {
			m3ua_store_param(msg, p, buf + off + M3UA_TLV_HDR_LEN, plen - M3UA_TLV_HDR_LEN);
			msg->presence |= M3UA_PBIT(p);
		}
		off += padded;
	}

	for (i = 0; i < l->num; i++) {
		if (l->params[i].mandatory && !(msg->presence & M3UA_PBIT(l->params[i].p)))
			return m3ua_fail(err, -EBADMSG, len, "mandatory parameter missing", M3UA_ERR_MISSING_PARAM);
	}
	return 0;
}

/* Value length of a parameter for encoding, or -EINVAL if msg's value cannot be encoded. */
static int m3ua_param_enc_len(const struct m3ua_msg *msg, enum m3ua_param p)
{
	size_t vlen;

	switch (p) {
	case M3UA_P_INFO_STRING:
		vlen = msg->info_string.len;
		break;
	case M3UA_P_ROUTING_CTX:
		vlen = msg->routing_ctx.len;
		break;
	case M3UA_P_DIAG_INFO:
		vlen = msg->diag_info.len;
		break;
	case M3UA_P_HEARTBEAT_DATA:
		vlen = msg->heartbeat_data.len;
		break;
	case M3UA_P_AFFECTED_PC:
		vlen = msg->affected_pc.len;
		break;
	case M3UA_P_PROTOCOL_DATA:
		vlen = 12 + msg->data.len;
		break;
	case M3UA_P_CONCERNED_DEST:
		if (msg->concerned_dest > 0xffffff)
			return -EINVAL;
		vlen = 4;
		break;
	default:
		vlen = 4;
		break;
	}
	if (vlen > UINT16_MAX - M3UA_TLV_HDR_LEN || !m3ua_param_len_ok(p, vlen))
		return -EINVAL;
	return vlen;
}

static void m3ua_put_slice(uint8_t *dst, const struct m3ua_slice *s)
{
	if (s->len)
		memcpy(dst, s->data, s->len);
}

static void m3ua_param_enc(uint8_t *v, const struct m3ua_msg *msg, enum m3ua_param p)
{
	switch (p) {
	case M3UA_P_INFO_STRING:
		m3ua_put_slice(v, &msg->info_string);
		break;
	case M3UA_P_ROUTING_CTX:
		m3ua_put_slice(v, &msg->routing_ctx);
		break;
	case M3UA_P_DIAG_INFO:
		m3ua_put_slice(v, &msg->diag_info);
		break;
	case M3UA_P_HEARTBEAT_DATA:
		m3ua_put_slice(v, &msg->heartbeat_data);
		break;
	case M3UA_P_TRAFFIC_MODE:
		osmo_store32be(msg->traffic_mode, v);
		break;
	case M3UA_P_ERROR_CODE:
		osmo_store32be(msg->error_code, v);
		break;
	case M3UA_P_STATUS:
		osmo_store16be(msg->status_type, v);
		osmo_store16be(msg->status_info, v + 2);
		break;
	case M3UA_P_ASP_ID:
		osmo_store32be(msg->asp_id, v);
		break;
	case M3UA_P_AFFECTED_PC:
		m3ua_put_slice(v, &msg->affected_pc);
		break;
	case M3UA_P_CORRELATION_ID:
		osmo_store32be(msg->correlation_id, v);
		break;
	case M3UA_P_NETWORK_APPEARANCE:
		osmo_store32be(msg->network_appearance, v);
		break;
	case M3UA_P_USER_CAUSE:
		osmo_store16be(msg->dupu_cause, v);
		osmo_store16be(msg->dupu_user, v + 2);
		break;
	case M3UA_P_CONGESTION_IND:
		v[0] = v[1] = v[2] = 0;
		v[3] = msg->cong_level;
		break;
	case M3UA_P_CONCERNED_DEST:
		osmo_store32be(msg->concerned_dest, v);
		break;
	case M3UA_P_PROTOCOL_DATA:
		osmo_store32be(msg->data_hdr.opc, v);
		osmo_store32be(msg->data_hdr.dpc, v + 4);
		v[8] = msg->data_hdr.si;
		v[9] = msg->data_hdr.ni;
		v[10] = msg->data_hdr.mp;
		v[11] = msg->data_hdr.sls;
		m3ua_put_slice(v + 12, &msg->data);
		break;
	default:
		break;
	}
}

/* Value lengths (vlens[i] < 0: absent) and total length of msg per its layout l. */
static int m3ua_enc_lens(const struct m3ua_msg *msg, const struct m3ua_layout *l, int *vlens)
{
	size_t total = M3UA_HDR_LEN;
	unsigned int i;

	for (i = 0; i < l->num; i++) {
		enum m3ua_param pi = l->params[i].p;

		vlens[i] = -1;
		if (!(msg->presence & M3UA_PBIT(pi))) {
			if (l->params[i].mandatory)
				return -EINVAL;
			continue;
		}
		vlens[i] = m3ua_param_enc_len(msg, pi);
		if (vlens[i] < 0)
			return vlens[i];
		total += (M3UA_TLV_HDR_LEN + vlens[i] + 3) & ~3u;
		if (total > M3UA_MSG_MAX_LEN)
			return -EMSGSIZE;
	}
	return total;
}

int m3ua_encoded_len(const struct m3ua_msg *msg)
{
	const struct m3ua_layout *l = m3ua_layout_find(msg->msg_class, msg->msg_type);
	int vlens[M3UA_LAYOUT_MAX];

	if (!l)
		return -EINVAL;
	return m3ua_enc_lens(msg, l, vlens);
}

int m3ua_encode(struct msgb *out, const struct m3ua_msg *msg)
{
	const struct m3ua_layout *l = m3ua_layout_find(msg->msg_class, msg->msg_type);
	int vlens[M3UA_LAYOUT_MAX];
	unsigned int i;
	uint8_t *p;
	int total;

	if (!l)
		return -EINVAL;
	total = m3ua_enc_lens(msg, l, vlens);
	if (total < 0)
		return total;
	if (msgb_tailroom(out) < total)
		return -EMSGSIZE;

	p = msgb_put(out, total);
	memset(p, 0, total);
	p[0] = M3UA_VERSION;
	p[1] = 0;
	p[2] = msg->msg_class;
	p[3] = msg->msg_type;
	osmo_store32be(total, p + 4);
	p += M3UA_HDR_LEN;
	for (i = 0; i < l->num; i++) {
		if (vlens[i] < 0)
			continue;
		osmo_store16be(m3ua_param_defs[l->params[i].p].iei, p);
		osmo_store16be(M3UA_TLV_HDR_LEN + vlens[i], p + 2);
		m3ua_param_enc(p + M3UA_TLV_HDR_LEN, msg, l->params[i].p);
		p += (M3UA_TLV_HDR_LEN + vlens[i] + 3) & ~3u;
	}
	return total;
}

size_t m3ua_msg_rc_count(const struct m3ua_msg *msg)
{
	if (!(msg->presence & M3UA_PBIT(M3UA_P_ROUTING_CTX)))
		return 0;
	return msg->routing_ctx.len / 4;
}

uint32_t m3ua_msg_rc(const struct m3ua_msg *msg, size_t i)
{
	return osmo_load32be(msg->routing_ctx.data + 4 * i);
}

size_t m3ua_msg_apc_count(const struct m3ua_msg *msg)
{
	if (!(msg->presence & M3UA_PBIT(M3UA_P_AFFECTED_PC)))
		return 0;
	return msg->affected_pc.len / 4;
}

void m3ua_msg_apc(const struct m3ua_msg *msg, size_t i, uint8_t *mask, uint32_t *pc)
{
	const uint8_t *e = msg->affected_pc.data + 4 * i;

	*mask = e[0];
	*pc = osmo_load32be(e) & 0xffffff;
}

void m3ua_apc_store(uint8_t *dst4, uint8_t mask, uint32_t pc)
{
	osmo_store32be(pc & 0xffffff, dst4);
	dst4[0] = mask;
}

struct msgb *m3ua_encode_msgb(const struct m3ua_msg *msg, const char *name)
{
	int len = m3ua_encoded_len(msg);
	struct msgb *out;

	if (len < 0)
		return NULL;
	out = msgb_alloc(len, name);
	if (!out)
		return NULL;
	if (m3ua_encode(out, msg) < 0) {
		msgb_free(out);
		return NULL;
	}
	return out;
}

static bool m3ua_slice_equal(const struct m3ua_slice *a, const struct m3ua_slice *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

bool m3ua_msg_equal(const struct m3ua_msg *a, const struct m3ua_msg *b)
{
	uint32_t pr = a->presence;

	if (a->msg_class != b->msg_class || a->msg_type != b->msg_type || a->presence != b->presence)
		return false;
#define CHK(bit, cond) do { if ((pr & M3UA_PBIT(M3UA_P_##bit)) && !(cond)) return false; } while (0)
	CHK(INFO_STRING, m3ua_slice_equal(&a->info_string, &b->info_string));
	CHK(ROUTING_CTX, m3ua_slice_equal(&a->routing_ctx, &b->routing_ctx));
	CHK(DIAG_INFO, m3ua_slice_equal(&a->diag_info, &b->diag_info));
	CHK(HEARTBEAT_DATA, m3ua_slice_equal(&a->heartbeat_data, &b->heartbeat_data));
	CHK(TRAFFIC_MODE, a->traffic_mode == b->traffic_mode);
	CHK(ERROR_CODE, a->error_code == b->error_code);
	CHK(STATUS, a->status_type == b->status_type && a->status_info == b->status_info);
	CHK(ASP_ID, a->asp_id == b->asp_id);
	CHK(AFFECTED_PC, m3ua_slice_equal(&a->affected_pc, &b->affected_pc));
	CHK(CORRELATION_ID, a->correlation_id == b->correlation_id);
	CHK(NETWORK_APPEARANCE, a->network_appearance == b->network_appearance);
	CHK(USER_CAUSE, a->dupu_cause == b->dupu_cause && a->dupu_user == b->dupu_user);
	CHK(CONGESTION_IND, a->cong_level == b->cong_level);
	CHK(CONCERNED_DEST, a->concerned_dest == b->concerned_dest);
	CHK(PROTOCOL_DATA, a->data_hdr.opc == b->data_hdr.opc && a->data_hdr.dpc == b->data_hdr.dpc &&
			   a->data_hdr.si == b->data_hdr.si && a->data_hdr.ni == b->data_hdr.ni &&
			   a->data_hdr.mp == b->data_hdr.mp && a->data_hdr.sls == b->data_hdr.sls &&
			   m3ua_slice_equal(&a->data, &b->data));
#undef CHK
	return true;
}
