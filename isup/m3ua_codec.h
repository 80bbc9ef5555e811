/*! \file m3ua_codec.h
 * M3UA (RFC 4666) message codec: pure, no state.
 *
 *   0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |  version = 1  |   reserved    | message class | message type  |   common header
 *  +---------------+---------------+---------------+---------------+   (RFC 4666 §3.1)
 *  |              message length (incl. header and padding)        |
 *  +-------------------------------+-------------------------------+
 *  |          parameter tag        |  parameter length (T+L+V)     |   parameters
 *  +-------------------------------+-------------------------------+   (RFC 4666 §3.2)
 *  |   value ... zero-padded to a multiple of 4 (padding not in L) |
 *  +---------------------------------------------------------------+
 *
 * m3ua_decode() turns one complete message into a struct m3ua_msg whose variable
 * parts are slices into the input buffer; m3ua_encode() appends one message to a
 * msgb.  Which parameters a message may carry, in which order, and which are
 * mandatory is the per-message layout table in m3ua_codec.c (the RFC's figures).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/utils.h>

#define M3UA_VERSION		1
#define M3UA_HDR_LEN		8	/*!< common header (RFC 4666 §3.1) */
#define M3UA_TLV_HDR_LEN	4	/*!< parameter tag + length (RFC 4666 §3.2) */
#define M3UA_MSG_MAX_LEN	65535	/*!< we never accept nor build a larger message */
#define M3UA_PPID		3	/*!< SCTP payload protocol identifier (RFC 4666 §1.4.7) */
#define M3UA_PORT		2905
#define M3UA_INFO_STRING_MAX	255	/*!< RFC 4666 §3.8.2: up to 255 characters */

/*! RFC 4666 §3.1.2 message classes. */
enum m3ua_msg_class {
	M3UA_CLS_MGMT = 0,
	M3UA_CLS_XFER = 1,
	M3UA_CLS_SSNM = 2,
	M3UA_CLS_ASPSM = 3,
	M3UA_CLS_ASPTM = 4,
	M3UA_CLS_RKM = 9,
};

/*! RFC 4666 §3.1.3 message types, per class. */
enum m3ua_mgmt_type { M3UA_MGMT_ERR = 0, M3UA_MGMT_NTFY = 1 };
enum m3ua_xfer_type { M3UA_XFER_DATA = 1 };
enum m3ua_ssnm_type {
	M3UA_SSNM_DUNA = 1,
	M3UA_SSNM_DAVA = 2,
	M3UA_SSNM_DAUD = 3,
	M3UA_SSNM_SCON = 4,
	M3UA_SSNM_DUPU = 5,
	M3UA_SSNM_DRST = 6,
};
enum m3ua_aspsm_type {
	M3UA_ASPSM_UP = 1,
	M3UA_ASPSM_DOWN = 2,
	M3UA_ASPSM_BEAT = 3,
	M3UA_ASPSM_UP_ACK = 4,
	M3UA_ASPSM_DOWN_ACK = 5,
	M3UA_ASPSM_BEAT_ACK = 6,
};
enum m3ua_asptm_type {
	M3UA_ASPTM_ACTIVE = 1,
	M3UA_ASPTM_INACTIVE = 2,
	M3UA_ASPTM_ACTIVE_ACK = 3,
	M3UA_ASPTM_INACTIVE_ACK = 4,
};
enum m3ua_rkm_type {
	M3UA_RKM_REG_REQ = 1,
	M3UA_RKM_REG_RSP = 2,
	M3UA_RKM_DEREG_REQ = 3,
	M3UA_RKM_DEREG_RSP = 4,
};

/*! Parameter tags: RFC 4666 §3.2 (common SIGTRAN range and M3UA-specific range). */
enum m3ua_iei {
	M3UA_IEI_INFO_STRING = 0x0004,
	M3UA_IEI_ROUTING_CTX = 0x0006,
	M3UA_IEI_DIAG_INFO = 0x0007,
	M3UA_IEI_HEARTBEAT_DATA = 0x0009,
	M3UA_IEI_TRAFFIC_MODE = 0x000b,
	M3UA_IEI_ERROR_CODE = 0x000c,
	M3UA_IEI_STATUS = 0x000d,
	M3UA_IEI_ASP_ID = 0x0011,
	M3UA_IEI_AFFECTED_PC = 0x0012,
	M3UA_IEI_CORRELATION_ID = 0x0013,
	M3UA_IEI_NETWORK_APPEARANCE = 0x0200,
	M3UA_IEI_USER_CAUSE = 0x0204,
	M3UA_IEI_CONGESTION_IND = 0x0205,
	M3UA_IEI_CONCERNED_DEST = 0x0206,
	M3UA_IEI_PROTOCOL_DATA = 0x0210,
};

/*! Parameters the codec stores, as bit positions in m3ua_msg.presence. */
enum m3ua_param {
	M3UA_P_INFO_STRING,
	M3UA_P_ROUTING_CTX,
	M3UA_P_DIAG_INFO,
	M3UA_P_HEARTBEAT_DATA,
	M3UA_P_TRAFFIC_MODE,
	M3UA_P_ERROR_CODE,
	M3UA_P_STATUS,
	M3UA_P_ASP_ID,
	M3UA_P_AFFECTED_PC,
	M3UA_P_CORRELATION_ID,
	M3UA_P_NETWORK_APPEARANCE,
	M3UA_P_USER_CAUSE,
	M3UA_P_CONGESTION_IND,
	M3UA_P_CONCERNED_DEST,
	M3UA_P_PROTOCOL_DATA,
	_M3UA_P_COUNT
};

#define M3UA_PBIT(p)	(1u << (p))

/*! RFC 4666 §3.8.1 error codes. */
enum m3ua_err_code {
	M3UA_ERR_INVALID_VERSION = 0x01,
	M3UA_ERR_UNSUPP_MSG_CLASS = 0x03,
	M3UA_ERR_UNSUPP_MSG_TYPE = 0x04,
	M3UA_ERR_UNSUPP_TRAFFIC_MODE = 0x05,
	M3UA_ERR_UNEXPECTED_MSG = 0x06,
	M3UA_ERR_PROTOCOL_ERROR = 0x07,
	M3UA_ERR_INVALID_STREAM_ID = 0x09,
	M3UA_ERR_REFUSED_MGMT_BLOCKING = 0x0d,
	M3UA_ERR_ASP_ID_REQUIRED = 0x0e,
	M3UA_ERR_INVALID_ASP_ID = 0x0f,
	M3UA_ERR_INVALID_PARAM_VALUE = 0x11,
	M3UA_ERR_PARAM_FIELD_ERROR = 0x12,
	M3UA_ERR_UNEXPECTED_PARAM = 0x13,
	M3UA_ERR_DEST_STATUS_UNKNOWN = 0x14,
	M3UA_ERR_INVALID_NETWORK_APPEARANCE = 0x15,
	M3UA_ERR_MISSING_PARAM = 0x16,
	M3UA_ERR_INVALID_ROUTING_CTX = 0x19,
	M3UA_ERR_NO_AS_FOR_ASP = 0x1a,
};

/*! RFC 4666 §3.8.2 NTFY status type. */
enum m3ua_status_type {
	M3UA_STATUS_AS_STATE_CHANGE = 1,
	M3UA_STATUS_OTHER = 2,
};

/*! RFC 4666 §3.8.2 status information for type AS-State-Change. */
enum m3ua_as_state_info {
	M3UA_AS_STATE_RESERVED = 1,
	M3UA_AS_STATE_INACTIVE = 2,
	M3UA_AS_STATE_ACTIVE = 3,
	M3UA_AS_STATE_PENDING = 4,
};

/*! RFC 4666 §3.8.2 status information for type Other. */
enum m3ua_other_info {
	M3UA_OTHER_INSUFFICIENT_ASP = 1,
	M3UA_OTHER_ALTERNATE_ASP_ACTIVE = 2,
	M3UA_OTHER_ASP_FAILURE = 3,
};

/*! RFC 4666 §3.4.5 DUPU unavailability cause. */
enum m3ua_dupu_cause {
	M3UA_DUPU_CAUSE_UNKNOWN = 0,
	M3UA_DUPU_CAUSE_UNEQUIPPED = 1,
	M3UA_DUPU_CAUSE_INACCESSIBLE = 2,
};

/*! MTP3 service indicator of ISUP (Q.704 §14.2.1), as used in DATA and DUPU. */
#define M3UA_SI_ISUP	5

/*! A slice of the input buffer (decode) or of caller memory (encode). */
struct m3ua_slice {
	const uint8_t *data;
	size_t len;
};

/*! RFC 4666 §3.3.1 Protocol Data: the MTP3 routing label and the user part. */
struct m3ua_data_hdr {
	uint32_t opc;	/*!< originating point code */
	uint32_t dpc;	/*!< destination point code */
	uint8_t si;	/*!< service indicator (5 = ISUP) */
	uint8_t ni;	/*!< network indicator */
	uint8_t mp;	/*!< message priority */
	uint8_t sls;	/*!< signalling link selection */
};

/*! One decoded message.  Fields are valid only where their M3UA_PBIT is set in presence. */
struct m3ua_msg {
	uint8_t version;
	uint8_t msg_class;
	uint8_t msg_type;
	uint32_t presence;		/*!< M3UA_PBIT(enum m3ua_param) of the parameters present */

	struct m3ua_slice info_string;
	struct m3ua_slice routing_ctx;	/*!< list of 32-bit big-endian values: m3ua_msg_rc() */
	struct m3ua_slice diag_info;
	struct m3ua_slice heartbeat_data;
	uint32_t traffic_mode;
	uint32_t error_code;
	uint16_t status_type;
	uint16_t status_info;
	uint32_t asp_id;
	struct m3ua_slice affected_pc;	/*!< list of (mask, 24-bit PC) entries: m3ua_msg_apc() */
	uint32_t correlation_id;
	uint32_t network_appearance;
	uint16_t dupu_cause;
	uint16_t dupu_user;
	uint8_t cong_level;
	uint32_t concerned_dest;
	struct m3ua_data_hdr data_hdr;
	struct m3ua_slice data;		/*!< user part of the Protocol Data (the ISUP message) */

	unsigned int ignored_params;	/*!< unknown tags, or known but not part of this message */
};

/*! Why decoding failed: where, in words, and the RFC 4666 §3.8.1 ERR code to answer with. */
struct m3ua_decode_err {
	size_t offset;
	const char *reason;
	enum m3ua_err_code err_code;
};

extern const struct value_string m3ua_msg_class_names[];
extern const struct value_string m3ua_iei_names[];
extern const struct value_string m3ua_err_code_names[];
extern const struct value_string m3ua_status_type_names[];
extern const struct value_string m3ua_as_state_info_names[];
extern const struct value_string m3ua_other_info_names[];
extern const struct value_string m3ua_dupu_cause_names[];

/*! \brief Name of a message class ("ASPSM"). */
static inline const char *m3ua_msg_class_name(uint8_t cls)
{
	return get_value_string(m3ua_msg_class_names, cls);
}
/*! \brief Name of a message type within its class ("ASPUP_ACK"); "unknown" for anything else. */
const char *m3ua_msg_type_name(uint8_t cls, uint8_t type);
/*! \brief Name of a parameter tag. */
static inline const char *m3ua_iei_name(uint16_t iei)
{
	return get_value_string(m3ua_iei_names, iei);
}
/*! \brief Name of an ERR error code. */
static inline const char *m3ua_err_code_name(uint32_t code)
{
	return get_value_string(m3ua_err_code_names, code);
}

/*! \brief Whether the codec knows the layout of this class/type (RKM is known but not supported). */
bool m3ua_msg_is_supported(uint8_t cls, uint8_t type);

/*! \brief Length of a message from its first M3UA_HDR_LEN bytes (the TCP framing rule).
 *  \returns the total message length, or -EBADMSG if the length is < 8 or > M3UA_MSG_MAX_LEN
 *  (the stream cannot be resynchronised then).  Version and padding are the decoder's business. */
int m3ua_frame_len(const uint8_t *hdr, size_t hdr_len);

/*! \brief Decode one complete message.
 *  \param[out] msg  decoded message; slices point into buf.
 *  \param[in] buf,len  exactly one message (len must equal the header's length).
 *  \param[out] err  filled on failure (may be NULL).
 *  \returns 0; -EBADMSG malformed; -EPROTO well-formed header but class/type not supported (err->err_code
 *  tells which).  Never reads outside buf[0..len). */
int m3ua_decode(struct m3ua_msg *msg, const uint8_t *buf, size_t len, struct m3ua_decode_err *err);

/*! \brief Append one message to a msgb: the header plus, in the RFC's order, every parameter
 *  whose bit is set in msg->presence and that the message's layout allows.
 *  \returns the number of bytes written; -EINVAL if the class/type is unsupported, a mandatory
 *  parameter is missing or a value does not fit its field; -EMSGSIZE if the msgb has no room or
 *  the message would exceed M3UA_MSG_MAX_LEN.  Nothing is written on error. */
int m3ua_encode(struct msgb *out, const struct m3ua_msg *msg);

/*! \brief Initialise msg as an empty message of a class/type (version 1, nothing present). */
void m3ua_msg_init(struct m3ua_msg *msg, uint8_t cls, uint8_t type);

/*! \brief Number of routing contexts in msg (0 if absent). */
size_t m3ua_msg_rc_count(const struct m3ua_msg *msg);
/*! \brief Routing context number i (i < m3ua_msg_rc_count()). */
uint32_t m3ua_msg_rc(const struct m3ua_msg *msg, size_t i);
/*! \brief Number of affected point code entries in msg (0 if absent). */
size_t m3ua_msg_apc_count(const struct m3ua_msg *msg);
/*! \brief Affected point code entry i: the mask (number of wildcarded low bits) and the PC. */
void m3ua_msg_apc(const struct m3ua_msg *msg, size_t i, uint8_t *mask, uint32_t *pc);

/*! \brief Write one Affected Point Code list entry (4 bytes) for building msg->affected_pc. */
void m3ua_apc_store(uint8_t *dst4, uint8_t mask, uint32_t pc);

/*! \brief Length m3ua_encode() would write, or its error (-EINVAL, -EMSGSIZE). */
int m3ua_encoded_len(const struct m3ua_msg *msg);

/*! \brief Encode msg into a new msgb of exactly the right size.
 *  \returns the msgb, or NULL if msg cannot be encoded (see m3ua_encode()) or on allocation failure. */
struct msgb *m3ua_encode_msgb(const struct m3ua_msg *msg, const char *name);

/*! \brief Whether two messages carry the same class, type, parameters and values
 *  (padding and ignored parameters do not count). */
bool m3ua_msg_equal(const struct m3ua_msg *a, const struct m3ua_msg *b);
