/*! \file isup_codec.h
 * ISUP message codec (ITU-T Q.763), routing label (Q.704) and point codes.
 *
 * Table driven: one message table (Q.763 Table 4: per message type its mandatory fixed parameters, mandatory
 * variable parameters with their length limits, and whether it has an optional part), one parameter table
 * (Q.763 §3: code, name, length limits, typed decoder/encoder where typed) and one generic walker that both
 * isup_decode() and isup_encode() follow:
 *
 *   octet:  0..1   2      3 ..           p ..            v ..                   o ..
 *         +------+------+---------------+---------------+---------------------+--------------------------+
 *         | CIC  | type | mandatory     | pointers:     | mandatory variable: | optional part:           |
 *         | 12b  |      | fixed params  | one per V,    | len, value ...      | name, len, value ...     |
 *         |      |      | (table order) | +1 to O part  |                     | 0x00 end of optional     |
 *         +------+------+---------------+---------------+---------------------+--------------------------+
 *                                          |  each pointer counts from itself    ^
 *                                          +-------------------------------------+
 *
 *   bytes --isup_decode()--> struct isup_msg (typed fields + slices into the input; no allocation)
 *   struct isup_msg --isup_encode()--> msgb (appended at the tail; nothing written on error)
 *   builders (isup_build_*()) fill a struct isup_msg for the common messages; the caller then encodes it.
 *
 * Decoded structs point into the decoded buffer: keep the buffer alive while the struct is used.
 * Typed parameters are flagged in a presence bitmap (isup_msg_has()); every other parameter (known but untyped,
 * or unknown) is kept in wire order in raw[] for pass-on, and unknown ones carry the instructions found for them
 * in the message's parameter compatibility information (Q.764 §2.9.5).  The wire order of the optional part is
 * remembered in order[] so that encode(decode(bytes)) reproduces the bytes.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <osmocom/core/utils.h>

struct msgb;

/*! Q.763 Table 4 (standards.md §1.1): abbreviation, code, name. */
#define ISUP_MSG_LIST(X) \
	X(IAM, 0x01, "Initial address") \
	X(SAM, 0x02, "Subsequent address") \
	X(INR, 0x03, "Information request") \
	X(INF, 0x04, "Information") \
	X(COT, 0x05, "Continuity") \
	X(ACM, 0x06, "Address complete") \
	X(CON, 0x07, "Connect") \
	X(FOT, 0x08, "Forward transfer") \
	X(ANM, 0x09, "Answer") \
	X(REL, 0x0c, "Release") \
	X(SUS, 0x0d, "Suspend") \
	X(RES, 0x0e, "Resume") \
	X(RLC, 0x10, "Release complete") \
	X(CCR, 0x11, "Continuity check request") \
	X(RSC, 0x12, "Reset circuit") \
	X(BLO, 0x13, "Blocking") \
	X(UBL, 0x14, "Unblocking") \
	X(BLA, 0x15, "Blocking acknowledgement") \
	X(UBA, 0x16, "Unblocking acknowledgement") \
	X(GRS, 0x17, "Circuit group reset") \
	X(CGB, 0x18, "Circuit group blocking") \
	X(CGU, 0x19, "Circuit group unblocking") \
	X(CGBA, 0x1a, "Circuit group blocking acknowledgement") \
	X(CGUA, 0x1b, "Circuit group unblocking acknowledgement") \
	X(FAR, 0x1f, "Facility request") \
	X(FAA, 0x20, "Facility accepted") \
	X(FRJ, 0x21, "Facility reject") \
	X(LPA, 0x24, "Loop back acknowledgement") \
	X(PAM, 0x28, "Pass-along") \
	X(GRA, 0x29, "Circuit group reset acknowledgement") \
	X(CQM, 0x2a, "Circuit group query") \
	X(CQR, 0x2b, "Circuit group query response") \
	X(CPG, 0x2c, "Call progress") \
	X(USR, 0x2d, "User-to-user information") \
	X(UCIC, 0x2e, "Unequipped CIC") \
	X(CFN, 0x2f, "Confusion") \
	X(OLM, 0x30, "Overload") \
	X(CRG, 0x31, "Charge information") \
	X(NRM, 0x32, "Network resource management") \
	X(FAC, 0x33, "Facility") \
	X(UPT, 0x34, "User part test") \
	X(UPA, 0x35, "User part available") \
	X(IDR, 0x36, "Identification request") \
	X(IRS, 0x37, "Identification response") \
	X(SGM, 0x38, "Segmentation") \
	X(LPP, 0x40, "Loop prevention") \
	X(APM, 0x41, "Application transport") \
	X(PRI, 0x42, "Pre-release information") \
	X(SDM, 0x43, "Subsequent directory number")

enum isup_msg_type {
#define ISUP_X_(abbr, code, name) ISUP_##abbr = code,
	ISUP_MSG_LIST(ISUP_X_)
#undef ISUP_X_
};

/*! Q.763 §3.1 parameter name codes (standards.md §2.2): id, code, name. */
#define ISUP_PARAM_LIST(X) \
	X(END_OF_OPTIONAL, 0x00, "End of optional parameters") \
	X(CALL_REFERENCE, 0x01, "Call reference") \
	X(TMR, 0x02, "Transmission medium requirement") \
	X(ACCESS_TRANSPORT, 0x03, "Access transport") \
	X(CALLED_NUMBER, 0x04, "Called party number") \
	X(SUBSEQUENT_NUMBER, 0x05, "Subsequent number") \
	X(NCI, 0x06, "Nature of connection indicators") \
	X(FCI, 0x07, "Forward call indicators") \
	X(OFCI, 0x08, "Optional forward call indicators") \
	X(CPC, 0x09, "Calling party's category") \
	X(CALLING_NUMBER, 0x0a, "Calling party number") \
	X(REDIRECTING_NUMBER, 0x0b, "Redirecting number") \
	X(REDIRECTION_NUMBER, 0x0c, "Redirection number") \
	X(CONNECTION_REQUEST, 0x0d, "Connection request") \
	X(INR_IND, 0x0e, "Information request indicators") \
	X(INF_IND, 0x0f, "Information indicators") \
	X(CONTINUITY_IND, 0x10, "Continuity indicators") \
	X(BCI, 0x11, "Backward call indicators") \
	X(CAUSE, 0x12, "Cause indicators") \
	X(REDIRECTION_INFO, 0x13, "Redirection information") \
	X(CGSMT, 0x15, "Circuit group supervision message type") \
	X(RANGE_STATUS, 0x16, "Range and status") \
	X(FACILITY_IND, 0x18, "Facility indicator") \
	X(CUG_INTERLOCK, 0x1a, "Closed user group interlock code") \
	X(USI, 0x1d, "User service information") \
	X(SIGNALLING_PC, 0x1e, "Signalling point code") \
	X(UUI, 0x20, "User-to-user information") \
	X(CONNECTED_NUMBER, 0x21, "Connected number") \
	X(SUS_RES_IND, 0x22, "Suspend/resume indicators") \
	X(TNS, 0x23, "Transit network selection") \
	X(EVENT_INFO, 0x24, "Event information") \
	X(CIRCUIT_ASSIGN_MAP, 0x25, "Circuit assignment map") \
	X(CIRCUIT_STATE_IND, 0x26, "Circuit state indicator") \
	X(ACL, 0x27, "Automatic congestion level") \
	X(ORIGINAL_CALLED_NUMBER, 0x28, "Original called number") \
	X(OBCI, 0x29, "Optional backward call indicators") \
	X(UU_IND, 0x2a, "User-to-user indicators") \
	X(ORIG_ISC_PC, 0x2b, "Origination ISC point code") \
	X(GNI, 0x2c, "Generic notification indicator") \
	X(CALL_HISTORY, 0x2d, "Call history information") \
	X(ACCESS_DELIVERY, 0x2e, "Access delivery information") \
	X(NSF, 0x2f, "Network specific facility") \
	X(USI_PRIME, 0x30, "User service information prime") \
	X(PROPAGATION_DELAY, 0x31, "Propagation delay counter") \
	X(REMOTE_OPERATIONS, 0x32, "Remote operations") \
	X(SERVICE_ACTIVATION, 0x33, "Service activation") \
	X(USER_TELESERVICE, 0x34, "User teleservice information") \
	X(TMU, 0x35, "Transmission medium used") \
	X(CALL_DIVERSION_INFO, 0x36, "Call diversion information") \
	X(ECHO_CONTROL_INFO, 0x37, "Echo control information") \
	X(MCI, 0x38, "Message compatibility information") \
	X(PCI, 0x39, "Parameter compatibility information") \
	X(MLPP_PRECEDENCE, 0x3a, "MLPP precedence") \
	X(MCID_REQ, 0x3b, "MCID request indicators") \
	X(MCID_RESP, 0x3c, "MCID response indicators") \
	X(HOP_COUNTER, 0x3d, "Hop counter") \
	X(TMR_PRIME, 0x3e, "Transmission medium requirement prime") \
	X(LOCATION_NUMBER, 0x3f, "Location number") \
	X(REDIRECTION_NUMBER_RESTR, 0x40, "Redirection number restriction") \
	X(CALL_TRANSFER_REF, 0x43, "Call transfer reference") \
	X(LOOP_PREVENTION, 0x44, "Loop prevention indicators") \
	X(CALL_TRANSFER_NUMBER, 0x45, "Call transfer number") \
	X(CCSS, 0x4b, "CCSS") \
	X(FORWARD_GVNS, 0x4c, "Forward GVNS") \
	X(BACKWARD_GVNS, 0x4d, "Backward GVNS") \
	X(REDIRECT_CAPABILITY, 0x4e, "Redirect capability") \
	X(NETWORK_MGMT_CONTROLS, 0x5b, "Network management controls") \
	X(CORRELATION_ID, 0x65, "Correlation id") \
	X(SCF_ID, 0x66, "SCF id") \
	X(CALL_DIVERSION_TREATMENT, 0x6e, "Call diversion treatment indicators") \
	X(CALLED_IN_NUMBER, 0x6f, "Called IN number") \
	X(CALL_OFFERING_TREATMENT, 0x70, "Call offering treatment indicators") \
	X(CHARGED_PARTY_ID, 0x71, "Charged party identification") \
	X(CONFERENCE_TREATMENT, 0x72, "Conference treatment indicators") \
	X(DISPLAY_INFO, 0x73, "Display information") \
	X(UID_ACTION, 0x74, "UID action indicators") \
	X(UID_CAPABILITY, 0x75, "UID capability indicators") \
	X(REDIRECT_COUNTER, 0x77, "Redirect counter") \
	X(APP_TRANSPORT, 0x78, "Application transport") \
	X(COLLECT_CALL_REQ, 0x79, "Collect call request") \
	X(CCNR_POSSIBLE, 0x7a, "CCNR possible indicator") \
	X(PIVOT_CAPABILITY, 0x7b, "Pivot capability") \
	X(PIVOT_ROUTING_IND, 0x7c, "Pivot routing indicators") \
	X(CALLED_DIRECTORY_NUMBER, 0x7d, "Called directory number") \
	X(ORIGINAL_CALLED_IN_NUMBER, 0x7f, "Original called IN number") \
	X(CALLING_GEODETIC_LOCATION, 0x81, "Calling geodetic location") \
	X(HTR_INFO, 0x82, "HTR information") \
	X(NETWORK_ROUTING_NUMBER, 0x84, "Network routing number") \
	X(QOR_CAPABILITY, 0x85, "Query on release capability") \
	X(PIVOT_STATUS, 0x86, "Pivot status") \
	X(PIVOT_COUNTER, 0x87, "Pivot counter") \
	X(PIVOT_ROUTING_FWD, 0x88, "Pivot routing forward information") \
	X(PIVOT_ROUTING_BWD, 0x89, "Pivot routing backward information") \
	X(REDIRECT_STATUS, 0x8a, "Redirect status") \
	X(REDIRECT_FWD_INFO, 0x8b, "Redirect forward information") \
	X(REDIRECT_BWD_INFO, 0x8c, "Redirect backward information") \
	X(NP_FWD_INFO, 0x8d, "Number portability forward information") \
	X(GENERIC_NUMBER, 0xc0, "Generic number") \
	X(GENERIC_DIGITS, 0xc1, "Generic digits")

enum isup_param_code {
#define ISUP_X_(id, code, name) ISUP_P_##id = code,
	ISUP_PARAM_LIST(ISUP_X_)
#undef ISUP_X_
};

/*! Limits that follow from the wire format (a parameter is at most 255 octets, an MSU SIF at most 272). */
#define ISUP_MAX_MAND		5	/*!< most mandatory parameters of any message (IAM: 4 fixed + 1 variable) */
#define ISUP_MAX_OPT		136	/*!< each optional parameter takes >= 2 octets of a <= 272 octet SIF */
#define ISUP_MAX_GENERIC	8	/*!< generic numbers beyond this are kept in raw[] (still passed on) */

/*! A slice of the decoded buffer (or of caller-owned memory when encoding). */
struct isup_slice {
	const uint8_t *data;
	uint8_t len;
};

/*! Nature of connection indicators (Q.763 §3.35). */
struct isup_nci {
	uint8_t satellite;		/*!< B A: 0 none, 1 one, 2 two */
	uint8_t continuity;		/*!< D C: 0 not required, 1 required, 2 performed on a previous circuit */
	bool echo_device;		/*!< E: outgoing half echo control device included */
};

/*! Forward call indicators (Q.763 §3.23). */
struct isup_fci {
	bool international;		/*!< A */
	uint8_t e2e_method;		/*!< C B */
	bool interworking;		/*!< D */
	bool e2e_info;			/*!< E */
	bool isup_all_the_way;		/*!< F */
	uint8_t isup_pref;		/*!< H G: 0 preferred, 1 not required, 2 required all the way */
	bool isdn_access;		/*!< I */
	uint8_t sccp_method;		/*!< K J */
	uint8_t national;		/*!< bits L..P of octet 2 (spare / national use), kept for pass-on */
};

/*! Backward call indicators (Q.763 §3.5). */
struct isup_bci {
	uint8_t charge;			/*!< B A: 0 no indication, 1 no charge, 2 charge */
	uint8_t called_status;		/*!< D C: 0 no indication, 1 subscriber free, 2 connect when free */
	uint8_t called_category;	/*!< F E: 0 no indication, 1 ordinary, 2 payphone */
	uint8_t e2e_method;		/*!< H G */
	bool interworking;		/*!< I */
	bool e2e_info;			/*!< J */
	bool isup_all_the_way;		/*!< K */
	bool holding;			/*!< L */
	bool isdn_access;		/*!< M */
	bool echo_device;		/*!< N: incoming half echo control device included */
	uint8_t sccp_method;		/*!< P O */
};

/*! Optional backward call indicators (Q.763 §3.37). */
struct isup_obci {
	bool inband;			/*!< A: in-band information or pattern available */
	bool diversion_may_occur;	/*!< B */
	bool simple_segmentation;	/*!< C */
	bool mlpp_user;			/*!< D */
	uint8_t national;		/*!< H-E, national use */
};

/*! Optional forward call indicators (Q.763 §3.38). */
struct isup_ofci {
	uint8_t cug;			/*!< B A: 0 non-CUG, 2 CUG + outgoing access, 3 CUG without */
	bool simple_segmentation;	/*!< C */
	bool connected_line_id_req;	/*!< H */
};

/*! Which octets a number parameter carries (Q.763 §3.9, 3.10, 3.26, 3.30, 3.39, 3.40, 3.46, 3.51, 3.100). */
enum isup_number_kind {
	ISUP_NUM_CALLED,		/*!< O/E+NAI; INN, NPI; ST allowed */
	ISUP_NUM_SUBSEQUENT,		/*!< O/E only */
	ISUP_NUM_CALLING,		/*!< O/E+NAI; NI, NPI, APRI, screening */
	ISUP_NUM_REDIRECTING,		/*!< O/E+NAI; NPI, APRI (redirecting, original called) */
	ISUP_NUM_CONNECTED,		/*!< O/E+NAI; NPI, APRI, screening */
	ISUP_NUM_REDIRECTION,		/*!< O/E+NAI; INN, NPI; ST allowed */
	ISUP_NUM_LOCATION,		/*!< O/E+NAI; INN, NPI, APRI, screening */
	ISUP_NUM_GENERIC,		/*!< NQI; O/E+NAI; NI, NPI, APRI, screening */
};

/*! A number parameter.  Digits are packed BCD, first digit in the low nibble (Q.763 §3.9).  Digit characters:
 * '0'-'9', 'A' (0xA spare), '*' (0xB, "code 11"), '#' (0xC, "code 12"), 'D', 'E' (spare), 'F' (0xF: ST in
 * called/redirection/subsequent numbers, spare elsewhere).  On input 'B'/'C' are accepted for 0xB/0xC. */
struct isup_number {
	uint8_t nqi;			/*!< generic number only: number qualifier indicator */
	uint8_t nai;			/*!< nature of address indicator (7 bits) */
	bool inn_ni;			/*!< INN (called, redirection, location) or NI (calling, generic) */
	uint8_t npi;			/*!< numbering plan indicator (3 bits) */
	uint8_t apri;			/*!< address presentation restricted indicator (2 bits) */
	uint8_t screening;		/*!< screening indicator (2 bits) */
	uint16_t n_digits;		/*!< number of address signals (incl. ST) */
	const uint8_t *bcd;		/*!< decode: packed digits in the input; encode: used when ascii is NULL */
	const char *ascii;		/*!< encode only: digits as characters (see above); NULL after decode */
};

/*! Cause indicators (Q.763 §3.12, Q.850 §2.2.5). */
struct isup_cause {
	uint8_t coding_std;		/*!< 0 ITU-T, 1 ISO/IEC, 2 national, 3 location specific */
	uint8_t location;		/*!< 4 bits: 0 U, 1 LPN, 2 LN, 3 TN, 4 RLN, 5 RPN, 7 INTL, 10 BI */
	bool has_recommendation;	/*!< octet 1a present (ext bit of octet 1 was 0) */
	uint8_t recommendation;
	uint8_t value;			/*!< cause value, 7 bits */
	struct isup_slice diag;		/*!< diagnostics, may be empty */
};

/*! Event information (Q.763 §3.21). */
struct isup_event {
	uint8_t event;			/*!< 1 alerting, 2 progress, 3 in-band info, 4-6 call forwarded */
	bool presentation_restricted;
};

/*! Redirection information (Q.763 §3.45). */
struct isup_redir_info {
	uint8_t indicator;		/*!< C B A redirecting indicator */
	uint8_t orig_reason;		/*!< H-E original redirection reason */
	bool has_octet2;
	uint8_t counter;		/*!< C B A redirection counter (1-5) */
	uint8_t reason;			/*!< H-E redirecting reason */
};

/*! Range and status (Q.763 §3.43).  Status bit n (n = 0..range) concerns CIC + n. */
struct isup_range_status {
	uint8_t range;			/*!< affected circuits = range + 1 */
	uint8_t status_len;		/*!< 0: no status subfield (GRS, CQM, CQR) */
	uint8_t status[32];
};

/*! User service information (Q.763 §3.57, coded as Q.931 bearer capability octets 3 onwards). */
struct isup_usi {
	uint8_t coding_std;		/*!< octet 3 G F */
	uint8_t itc;			/*!< octet 3 E-A: information transfer capability (0 speech, 8 UDI, 16 3.1k) */
	bool ext3;			/*!< octet 3 extension bit (normally 1) */
	uint8_t transfer_mode;		/*!< octet 4 G F */
	uint8_t itr;			/*!< octet 4 E-A: information transfer rate (16 = 64 kbit/s) */
	bool ext4;			/*!< octet 4 extension bit (0: octet 4.1 follows) */
	bool has_l1;			/*!< a plain octet 5 (layer 1, ext 1) directly follows octet 4 */
	uint8_t l1_proto;		/*!< octet 5 E-A: 2 G.711 mu-law, 3 G.711 A-law */
	struct isup_slice tail;		/*!< any further octets (4.1, 5a.., 6, 7), kept as they are */
};

/*! Compatibility instructions for one parameter (Q.763 §3.41) or for the message (§3.33). */
struct isup_instr {
	bool transit;			/*!< A: end node interpretation (1) / transit (0) */
	bool release_call;		/*!< B */
	bool send_notification;		/*!< C */
	bool discard_msg;		/*!< D */
	bool discard_param;		/*!< E (parameter instructions only) */
	uint8_t pass_on_not_possible;	/*!< param: G F (0 release, 1 discard msg, 2 discard param); msg: E */
	bool has_bni;
	uint8_t bni;			/*!< broadband/narrowband interworking indicator */
};

/*! A parameter kept as bytes: known but untyped, an extra occurrence, or unknown (for pass-on). */
struct isup_raw_param {
	uint8_t code;
	bool known;			/*!< in the parameter table */
	bool has_instr;			/*!< unknown, and named in the parameter compatibility information */
	struct isup_instr instr;
	struct isup_slice val;
};

/*! One decoded (or to be encoded) ISUP message. */
struct isup_msg {
	uint16_t cic;			/*!< 12 bits */
	uint8_t type;			/*!< enum isup_msg_type */
	uint32_t present[8];		/*!< typed parameters present, bit per parameter code */
	struct isup_slice mand[ISUP_MAX_MAND];	/*!< untyped mandatory parameters by position (fixed, then variable) */
	struct isup_slice body;		/*!< PAM, CRG: everything after the message type (no Q.763 structure) */

	/* typed parameters, valid when isup_msg_has(m, code) */
	struct isup_nci nci;
	struct isup_fci fci;
	uint8_t cpc;			/*!< calling party's category (Q.763 §3.11) */
	uint8_t tmr;			/*!< transmission medium requirement (Q.763 §3.54) */
	struct isup_number called;
	struct isup_number subsequent;
	struct isup_number calling;
	struct isup_number connected;
	struct isup_number redirecting;
	struct isup_number original_called;
	struct isup_number redirection;
	struct isup_number location;
	struct isup_number generic[ISUP_MAX_GENERIC];
	uint8_t n_generic;
	struct isup_bci bci;
	struct isup_obci obci;
	struct isup_ofci ofci;
	struct isup_cause cause;
	struct isup_event event;
	struct isup_redir_info redir_info;
	uint8_t hop_counter;		/*!< 5 bits */
	uint8_t cgsmt;			/*!< circuit group supervision message type: 0 maintenance, 1 hardware */
	struct isup_range_status rs;
	bool sus_res_network;		/*!< suspend/resume indicators: network initiated */
	bool continuity_ok;		/*!< continuity indicators: check successful */
	struct isup_usi usi;
	struct isup_slice access_transport;	/*!< opaque (Q.931 information elements) */
	struct isup_slice pci;		/*!< parameter compatibility information (validated; see isup_pci_lookup()) */
	struct isup_instr mci;		/*!< message compatibility information, first octet */
	struct isup_slice mci_more;	/*!< further MCI octets */

	/* untyped parameters in wire order, and the wire order of the whole optional part */
	uint8_t n_raw;
	struct isup_raw_param raw[ISUP_MAX_OPT];
	uint8_t n_order;
	uint8_t order[ISUP_MAX_OPT];
};

/*! Where and why decoding failed. */
struct isup_decode_err {
	size_t offset;			/*!< octet offset in the decoded buffer */
	const char *reason;		/*!< static string */
};

/*! \brief Whether a typed parameter is present. */
static inline bool isup_msg_has(const struct isup_msg *m, uint8_t code)
{
	return m->present[code >> 5] & (1u << (code & 31));
}

/*! \brief Mark a typed parameter present (after filling its field). */
static inline void isup_msg_set(struct isup_msg *m, uint8_t code)
{
	m->present[code >> 5] |= 1u << (code & 31);
}

/*! \brief Mark a typed parameter absent. */
static inline void isup_msg_clear(struct isup_msg *m, uint8_t code)
{
	m->present[code >> 5] &= ~(1u << (code & 31));
}

/*! \brief Decode an ISUP message starting at the CIC (the M3UA Protocol Data / MTP3 SIF after the label).
 *  \param[out] m filled; slices point into buf.
 *  \param[out] err offset and reason on failure (may be NULL).
 *  \returns 0; -EBADMSG malformed; -ENOMSG unknown message type (m->cic and m->type are set, so the caller can
 *  answer with CFN cause 97); -EMSGSIZE more optional parameters than any valid SIF can hold. */
int isup_decode(struct isup_msg *m, const uint8_t *buf, size_t len, struct isup_decode_err *err);

/*! \brief Encode a message at the tail of msg, starting with the CIC.
 *  \returns octets written; -EMSGSIZE no room (msg unchanged); -EINVAL a field out of range, a mandatory
 *  parameter missing, or an unknown message type (msg unchanged). */
int isup_encode(struct msgb *msg, const struct isup_msg *m);

/*! \brief Same as isup_encode() into a plain buffer. \returns octets written or negative errno. */
int isup_encode_buf(uint8_t *buf, size_t buf_len, const struct isup_msg *m);

/*! \brief Semantic equality of two messages (typed fields, digits, untyped parameters; not the wire order). */
bool isup_msg_equal(const struct isup_msg *a, const struct isup_msg *b);

/*! \brief Reset m to an empty message of the given type and CIC. */
void isup_msg_init(struct isup_msg *m, uint8_t type, uint16_t cic);

/*! \brief Append an untyped parameter to the optional part (for pass-on or opaque parameters).
 *  \returns 0, -EINVAL for code 0 (end of optional parameters) or -EMSGSIZE when raw[] is full. */
int isup_msg_add_raw(struct isup_msg *m, uint8_t code, const uint8_t *val, uint8_t len);

/*! \brief Instructions for a parameter named in the message's parameter compatibility information.
 *  \returns 0 and fills out, or -ENOENT. */
int isup_pci_lookup(const struct isup_msg *m, uint8_t param, struct isup_instr *out);

/* Numbers */

/*! \brief Digit n of a number (0..n_digits-1) as its 4-bit code, from bcd or ascii. */
uint8_t isup_number_digit(const struct isup_number *n, unsigned int idx);

/*! \brief The digits of a number as a NUL terminated string (see struct isup_number for the characters).
 *  \returns the string length, or -EMSGSIZE if dst is too small (dst then holds an empty string). */
int isup_number_get_digits(const struct isup_number *n, char *dst, size_t dst_len);

/*! \brief The character for a 4-bit address signal code. */
char isup_digit_char(uint8_t code);

/*! \brief The 4-bit code of a digit character. \returns 0..15 or -EINVAL. */
int isup_digit_code(char c);

/*! \brief Which number kind a parameter code is. \returns the kind, or -ENOENT if not a number parameter. */
int isup_number_kind_of(uint8_t code);

/* Names and tables */

extern const struct value_string isup_msg_type_names[];
extern const struct value_string isup_param_names[];
extern const struct value_string isup_cause_names[];
extern const struct value_string isup_cause_location_names[];
extern const struct value_string isup_nai_names[];
extern const struct value_string isup_npi_names[];
extern const struct value_string isup_event_names[];

/*! \brief Abbreviation of a message type ("IAM"), "unknown" if not in Q.763 Table 4. O(1). */
const char *isup_msg_name(uint8_t type);
/*! \brief Full name of a message type ("Initial address"). O(1). */
const char *isup_msg_long_name(uint8_t type);
/*! \brief Name of a parameter code, "unknown" if not in Q.763 §3.1. O(1). */
const char *isup_param_name(uint8_t code);
/*! \brief Whether a message type is in Q.763 Table 4. */
bool isup_msg_known(uint8_t type);
/*! \brief Whether a message type is fully supported (typed and used by call control) rather than opaque. */
bool isup_msg_supported(uint8_t type);
/*! \brief The mandatory parameters of a message type, fixed then variable, in Q.763 order.
 *  \returns their number (0 for unknown types), or -EMSGSIZE if codes[] is too small. */
int isup_msg_mandatory(uint8_t type, uint8_t *codes, size_t n);
/*! \brief The number field of a message for a number parameter code (idx: which generic number).
 *  \returns NULL if code is not a number parameter or idx is out of range. */
const struct isup_number *isup_msg_number(const struct isup_msg *m, uint8_t code, unsigned int idx);
/*! \brief Whether a parameter code is in the parameter table. */
bool isup_param_known(uint8_t code);
/*! \brief Whether a parameter has a typed decoder (i.e. lands in a field, not in raw[]). */
bool isup_param_typed(uint8_t code);

/* Routing label, point codes */

/*! ITU MTP3 routing label (Q.704 §2.2): 14-bit DPC, 14-bit OPC, 4-bit SLS. */
struct isup_label {
	uint16_t dpc;
	uint16_t opc;
	uint8_t sls;
};

#define ISUP_LABEL_LEN	4

/*! \brief Decode a routing label. \returns 0 or -EBADMSG if len < 4. */
int isup_label_decode(struct isup_label *l, const uint8_t *buf, size_t len);
/*! \brief Write a routing label into 4 octets. \returns 0 or -EINVAL if a field is out of range. */
int isup_label_encode(uint8_t out[ISUP_LABEL_LEN], const struct isup_label *l);

/*! \brief Parse an ITU point code: "3-8-3" (zone-area-signalling point) or a plain integer (decimal or 0x..).
 *  \returns 0 or -EINVAL. */
int isup_pc_parse(uint16_t *pc, const char *str);
/*! \brief Print a point code as "3-8-3". \returns the length, or -EMSGSIZE if dst is too small. */
int isup_pc_fmt(char *dst, size_t dst_len, uint16_t pc);

/* Builders: fill m for the common messages; then isup_encode().  Numbers are given as digit strings and are
 * referenced, not copied: keep them alive until encoded. */

/*! IAM inputs; fields left 0 mean the Q.763 default noted. */
struct isup_iam_args {
	const char *called;		/*!< digits; append 'F' for ST (en bloc) */
	uint8_t called_nai;		/*!< 0: 3 national */
	const char *calling;		/*!< NULL: no calling party number */
	uint8_t calling_nai;		/*!< 0: 3 national */
	uint8_t calling_apri;		/*!< 0 allowed */
	uint8_t calling_screening;	/*!< 0: 3 network provided */
	uint8_t cpc;			/*!< 0: 0x0a ordinary subscriber */
	uint8_t tmr;			/*!< transmission medium requirement: 0 speech */
	uint8_t hop_counter;		/*!< 0: no hop counter */
	bool continuity_previous;	/*!< NCI: continuity check performed on a previous circuit */
};

/*! \brief Fill an IAM. \returns 0 or -EINVAL (no called number). */
int isup_build_iam(struct isup_msg *m, uint16_t cic, const struct isup_iam_args *a);
/*! \brief ACM with the given backward call indicators. */
void isup_build_acm(struct isup_msg *m, uint16_t cic, const struct isup_bci *bci);
/*! \brief CON with the given backward call indicators. */
void isup_build_con(struct isup_msg *m, uint16_t cic, const struct isup_bci *bci);
/*! \brief ANM without optional parameters. */
void isup_build_anm(struct isup_msg *m, uint16_t cic);
/*! \brief REL with an ITU-T coded cause (Q.850) at a location. */
void isup_build_rel(struct isup_msg *m, uint16_t cic, uint8_t location, uint8_t cause);
/*! \brief RLC without cause. */
void isup_build_rlc(struct isup_msg *m, uint16_t cic);
/*! \brief RSC, BLO, UBL, BLA, UBA, CCR, LPA, UCIC: the message type only. */
void isup_build_simple(struct isup_msg *m, uint8_t type, uint16_t cic);
/*! \brief GRS for circuits cic..cic+range. */
void isup_build_grs(struct isup_msg *m, uint16_t cic, uint8_t range);
/*! \brief GRA, CGB, CGU, CGBA, CGUA: range plus status bits (bit n = CIC + n); cgsmt ignored for GRA.
 *  \returns 0 or -EINVAL (wrong type or range > 31). */
int isup_build_group(struct isup_msg *m, uint8_t type, uint16_t cic, uint8_t cgsmt, uint8_t range,
		     uint32_t status);
/*! \brief CFN with cause (location, value) and diagnostic bytes (e.g. the unrecognised parameter names). */
void isup_build_cfn(struct isup_msg *m, uint16_t cic, uint8_t location, uint8_t cause, const uint8_t *diag,
		    uint8_t diag_len);

/*! \brief Status bit n of a range and status parameter. */
static inline bool isup_rs_status_bit(const struct isup_range_status *rs, unsigned int n)
{
	return n / 8 < rs->status_len && (rs->status[n / 8] >> (n % 8)) & 1;
}
