/*! \file sdp.h
 * SDP (RFC 4566): a pure parser, a builder into msgb, and RFC 3264 offer/answer.
 * Preconditions (RFC 3312 / RFC 4032) are in sdp_precond.h.
 *
 *   remote body (ptr,len)                                   local capabilities
 *          │                                               (struct sdp_caps)
 *          ▼                                                       │
 *   sdp_parse() ──► struct sdp_session (slices into the body)      │
 *          │                                                       │
 *          ├─ offer  ──► sdp_answer() ◄────────────────────────────┤
 *          │                 │  struct sdp_session answer          │
 *          │                 │  struct sdp_oa_result (per stream:  │
 *          │                 │   accepted?, codec/PT, tel-event PT,│
 *          │                 │   remote addr/port, our direction)  │
 *          │                 ▼                                     │
 *          │            sdp_build() ──► msgb (application/sdp)     │
 *          │                                                       │
 *          │            sdp_offer() ◄──────────────────────────────┘
 *          │                 │ struct sdp_session offer ──► sdp_build()
 *          └─ answer ──► sdp_process_answer(our offer, their answer)
 *                            └─► struct sdp_oa_result (or -EPROTO if invalid)
 *
 *   sdp_precond_*() (sdp_precond.h) reads a=curr/des/conf from any parsed SDP and
 *   writes them into the media of an offer/answer before sdp_build().
 *
 * Memory: nothing here allocates.  struct sdp_session is large (about 37 kB: fixed
 * bounded arrays, see SDP_MAX_*), so allocate it with talloc, not on a small stack.
 * A parsed session holds slices (struct sdp_str) into the parsed buffer, which must
 * outlive it; a session built by sdp_answer()/sdp_offer() holds slices into the
 * offer, into the strings of struct sdp_caps and into static storage.
 *
 * Limits: the parser rejects input that exceeds a bound with -EMSGSIZE and the line
 * number, rather than dropping what does not fit.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <osmocom/core/utils.h>

struct msgb;

#define SDP_MAX_MEDIA		8	/*!< m= lines per session */
#define SDP_MAX_FMT		32	/*!< formats per m= line; also rtpmap/fmtp per m= line */
#define SDP_MAX_ATTR		32	/*!< untyped (raw) a= lines per level */
#define SDP_MAX_BW		4	/*!< b= lines per level */
#define SDP_MAX_TIME		4	/*!< t= lines per session */
#define SDP_MAX_REPEAT		4	/*!< r= lines per session */
#define SDP_MAX_EP		4	/*!< e= and p= lines each per session */
#define SDP_MAX_PRECOND		12	/*!< a=curr/des/conf lines per m= line */
#define SDP_MAX_CODECS		8	/*!< codecs in struct sdp_caps */

/*! A slice of text: not NUL-terminated. */
struct sdp_str {
	const char *p;
	size_t len;
};

/*! A slice for a string literal. */
#define SDP_STR(lit) ((struct sdp_str){ .p = (lit), .len = sizeof(lit) - 1 })

/*! \brief Slice covering a NUL-terminated C string (NULL gives an empty slice). */
struct sdp_str sdp_str_c(const char *s);
/*! \brief Whether a slice equals a C string, case-sensitively. */
bool sdp_str_eq(struct sdp_str a, const char *s);
/*! \brief Whether a slice equals a C string, ignoring ASCII case. */
bool sdp_str_ieq(struct sdp_str a, const char *s);
/*! \brief Whether two slices hold the same bytes. */
bool sdp_str_same(struct sdp_str a, struct sdp_str b);

enum sdp_addrtype {
	SDP_ADDR_NONE = 0,	/*!< no address (field absent) */
	SDP_ADDR_IP4,		/*!< IN IP4 */
	SDP_ADDR_IP6,		/*!< IN IP6 */
};
extern const struct value_string sdp_addrtype_names[];

/*! Media direction attribute (RFC 4566 §6 / RFC 3264 §5.1). */
enum sdp_dir {
	SDP_DIR_UNSPEC = 0,	/*!< no direction attribute at this level */
	SDP_DIR_SENDRECV,
	SDP_DIR_SENDONLY,
	SDP_DIR_RECVONLY,
	SDP_DIR_INACTIVE,
};
extern const struct value_string sdp_dir_names[];
static inline const char *sdp_dir_name(enum sdp_dir d) { return get_value_string(sdp_dir_names, d); }

/*! \brief The direction an answerer uses for an offered direction (RFC 3264 §6.1).
 * Absent means sendrecv (RFC 3264 §5.1); the answer is never SDP_DIR_UNSPEC. */
enum sdp_dir sdp_dir_answer(enum sdp_dir offered);

enum sdp_media_type {
	SDP_MEDIA_OTHER = 0,
	SDP_MEDIA_AUDIO,
	SDP_MEDIA_VIDEO,
	SDP_MEDIA_IMAGE,
	SDP_MEDIA_APPLICATION,
	SDP_MEDIA_TEXT,
	SDP_MEDIA_MESSAGE,
};
extern const struct value_string sdp_media_type_names[];

enum sdp_proto {
	SDP_PROTO_OTHER = 0,
	SDP_PROTO_RTP_AVP,	/*!< RTP/AVP (RFC 3551) */
	SDP_PROTO_RTP_SAVP,	/*!< RTP/SAVP (RFC 3711) */
	SDP_PROTO_UDPTL,	/*!< udptl or UDPTL (ITU-T T.38 Annex D) */
};
extern const struct value_string sdp_proto_names[];

/*! c= line (RFC 4566 §5.7). */
struct sdp_conn {
	enum sdp_addrtype type;	/*!< SDP_ADDR_NONE: no c= line at this level */
	struct sdp_str addr;	/*!< address without the /ttl/count suffix */
	uint16_t ttl;		/*!< 0: absent */
	uint16_t num;		/*!< number of addresses; 0: absent */
};

/*! o= line (RFC 4566 §5.2). */
struct sdp_origin {
	struct sdp_str username;
	uint64_t sess_id;
	uint64_t sess_version;
	enum sdp_addrtype type;
	struct sdp_str addr;
};

/*! b= line (RFC 4566 §5.8). */
struct sdp_bw {
	struct sdp_str type;	/*!< CT, AS, RS, RR, TIAS, ... */
	uint32_t value;
};

/*! t= line (RFC 4566 §5.9). */
struct sdp_time {
	uint64_t start;
	uint64_t stop;
};

/*! An attribute kept untyped. */
struct sdp_attr {
	struct sdp_str name;
	struct sdp_str value;
	bool has_value;		/*!< "a=name:value" rather than "a=name" */
};

/*! a=rtpmap (RFC 4566 §6). */
struct sdp_rtpmap {
	uint8_t pt;
	struct sdp_str enc;	/*!< encoding name as written, e.g. "PCMA", "telephone-event" */
	uint32_t clock;
	uint8_t channels;	/*!< 0: absent */
};

/*! a=fmtp with a numeric format (RFC 4566 §6). */
struct sdp_fmtp {
	uint8_t pt;
	struct sdp_str params;
};

/*! a=rtcp (RFC 3605). */
struct sdp_rtcp {
	bool present;
	uint16_t port;
	struct sdp_conn conn;	/*!< type SDP_ADDR_NONE if only the port was given */
};

enum sdp_t38_rate_mgmt {
	SDP_T38_RM_NONE = 0,
	SDP_T38_RM_LOCAL_TCF,		/*!< localTCF */
	SDP_T38_RM_TRANSFERRED_TCF,	/*!< transferredTCF */
};
extern const struct value_string sdp_t38_rate_mgmt_names[];

enum sdp_t38_udp_ec {
	SDP_T38_EC_NONE = 0,		/*!< attribute absent */
	SDP_T38_EC_FEC,			/*!< t38UDPFEC */
	SDP_T38_EC_REDUNDANCY,		/*!< t38UDPRedundancy */
	SDP_T38_EC_NOEC,		/*!< t38UDPNoEC (seen in the wild; not in T.38 Annex D) */
};
extern const struct value_string sdp_t38_udp_ec_names[];

/*! Presence bits in struct sdp_t38 (ITU-T T.38 Annex D.2.3 attributes). */
enum sdp_t38_bits {
	SDP_T38_VERSION		= 1 << 0,
	SDP_T38_MAX_BIT_RATE	= 1 << 1,
	SDP_T38_RATE_MGMT	= 1 << 2,
	SDP_T38_MAX_BUFFER	= 1 << 3,
	SDP_T38_MAX_DATAGRAM	= 1 << 4,
	SDP_T38_UDP_EC		= 1 << 5,
	SDP_T38_FILL_BIT_REMOVAL = 1 << 6,
	SDP_T38_TRANSCODING_MMR	= 1 << 7,
	SDP_T38_TRANSCODING_JBIG = 1 << 8,
};

/*! T.38 session attributes of an m=image line. Boolean ones (FillBitRemoval,
 * TranscodingMMR/JBIG) may be written bare ("a=T38FaxFillBitRemoval", meaning 1)
 * or with ":0"/":1". */
struct sdp_t38 {
	uint32_t present;	/*!< enum sdp_t38_bits */
	uint32_t version;
	uint32_t max_bit_rate;
	enum sdp_t38_rate_mgmt rate_mgmt;
	uint32_t max_buffer;
	uint32_t max_datagram;
	enum sdp_t38_udp_ec udp_ec;
	bool fill_bit_removal;
	bool transcoding_mmr;
	bool transcoding_jbig;
};

/* RFC 3312 §5 precondition attributes. */
enum sdp_pc_kind {
	SDP_PC_CURR,		/*!< a=curr */
	SDP_PC_DES,		/*!< a=des */
	SDP_PC_CONF,		/*!< a=conf */
};
extern const struct value_string sdp_pc_kind_names[];

enum sdp_pc_strength {
	SDP_PC_STR_NONE = 0,	/*!< "none" */
	SDP_PC_STR_OPTIONAL,	/*!< "optional" */
	SDP_PC_STR_MANDATORY,	/*!< "mandatory" */
	SDP_PC_STR_FAILURE,	/*!< "failure" */
	SDP_PC_STR_UNKNOWN,	/*!< "unknown" */
};
extern const struct value_string sdp_pc_strength_names[];

enum sdp_pc_status {
	SDP_PC_E2E = 0,		/*!< "e2e" */
	SDP_PC_LOCAL,		/*!< "local": the writer's own access segment */
	SDP_PC_REMOTE,		/*!< "remote": the writer's peer's access segment */
	_SDP_PC_STATUS_NUM
};
extern const struct value_string sdp_pc_status_names[];

/*! direction-tag: a bit mask, so "sendrecv" is send|recv. */
enum sdp_pc_dir {
	SDP_PC_DIR_NONE = 0,
	SDP_PC_DIR_SEND = 1,
	SDP_PC_DIR_RECV = 2,
	SDP_PC_DIR_SENDRECV = 3,
};
extern const struct value_string sdp_pc_dir_names[];

/*! One a=curr / a=des / a=conf line. */
struct sdp_pc_attr {
	enum sdp_pc_kind kind;
	struct sdp_str type;		/*!< precondition-type: "qos" or an unknown token */
	enum sdp_pc_strength strength;	/*!< a=des only */
	enum sdp_pc_status status;
	enum sdp_pc_dir dir;
};

/*! One m= section. */
struct sdp_media {
	enum sdp_media_type type;
	struct sdp_str type_str;
	uint16_t port;
	uint16_t port_count;		/*!< 0: no "/count" */
	enum sdp_proto proto;
	struct sdp_str proto_str;
	unsigned int num_fmt;
	struct sdp_str fmt[SDP_MAX_FMT];
	uint8_t pt[SDP_MAX_FMT];	/*!< the numeric formats; valid when the proto is RTP */

	struct sdp_str info;		/*!< i= (p == NULL: absent) */
	struct sdp_conn conn;		/*!< media-level c= */
	unsigned int num_bw;
	struct sdp_bw bw[SDP_MAX_BW];
	struct sdp_str key;		/*!< k= (p == NULL: absent) */

	unsigned int num_rtpmap;
	struct sdp_rtpmap rtpmap[SDP_MAX_FMT];
	unsigned int num_fmtp;
	struct sdp_fmtp fmtp[SDP_MAX_FMT];
	unsigned int ptime;		/*!< 0: absent */
	unsigned int maxptime;		/*!< 0: absent */
	enum sdp_dir dir;
	struct sdp_rtcp rtcp;
	struct sdp_t38 t38;
	unsigned int num_pc;
	struct sdp_pc_attr pc[SDP_MAX_PRECOND];
	unsigned int num_attr;
	struct sdp_attr attr[SDP_MAX_ATTR];
};

/*! A whole session description. */
struct sdp_session {
	struct sdp_origin origin;
	struct sdp_str name;		/*!< s= */
	struct sdp_str info;		/*!< i= (p == NULL: absent) */
	struct sdp_str uri;		/*!< u= (p == NULL: absent) */
	unsigned int num_email;
	struct sdp_str email[SDP_MAX_EP];
	unsigned int num_phone;
	struct sdp_str phone[SDP_MAX_EP];
	struct sdp_conn conn;		/*!< session-level c= */
	unsigned int num_bw;
	struct sdp_bw bw[SDP_MAX_BW];
	unsigned int num_time;
	struct sdp_time time[SDP_MAX_TIME];
	unsigned int num_repeat;
	struct sdp_str repeat[SDP_MAX_REPEAT];	/*!< r= lines, untyped */
	struct sdp_str zone;		/*!< z= (p == NULL: absent), untyped */
	struct sdp_str key;		/*!< k= (p == NULL: absent) */
	enum sdp_dir dir;		/*!< session-level direction attribute */
	unsigned int num_attr;
	struct sdp_attr attr[SDP_MAX_ATTR];
	unsigned int num_media;
	struct sdp_media media[SDP_MAX_MEDIA];
};

/*! Where and why sdp_parse() failed. */
struct sdp_parse_err {
	unsigned int line;	/*!< 1-based line number; 0 if not tied to a line */
	const char *reason;	/*!< static text, e.g. "m= before v=" */
};

/*! \brief Empty a session: its session-level fields and counts.  A media entry is zeroed when it is added:
 *  the whole struct is 37 kB (SDP_MAX_MEDIA entries of 4.4 kB), its session part under 2 kB, and the
 *  parser, offer and answer run several times per call.  Entries at or beyond num_media are undefined. */
static inline void sdp_session_reset(struct sdp_session *s)
{
	memset(s, 0, offsetof(struct sdp_session, media));
}

/*! \brief Parse an SDP body.
 * \param[out] sdp  filled (emptied first with sdp_session_reset()); slices point into \a buf.
 * \param[in] buf   the body; need not be NUL-terminated.  CRLF and bare LF line ends are accepted.
 * \param[in] len   bytes in \a buf.
 * \param[out] err  on failure, the line number and a reason (may be NULL).
 * \returns 0; -EBADMSG malformed; -EMSGSIZE a bound (SDP_MAX_*) was exceeded. */
int sdp_parse(struct sdp_session *sdp, const char *buf, size_t len, struct sdp_parse_err *err);

/*! \brief The media-level c= of a stream, else the session-level one (RFC 4566 §5.7). */
const struct sdp_conn *sdp_media_conn(const struct sdp_session *sdp, unsigned int idx);
/*! \brief The effective direction of a stream: media level, else session level, else sendrecv. */
enum sdp_dir sdp_media_dir(const struct sdp_session *sdp, unsigned int idx);
/*! \brief The rtpmap for a payload type, or NULL. */
const struct sdp_rtpmap *sdp_media_rtpmap(const struct sdp_media *m, uint8_t pt);
/*! \brief The fmtp for a payload type, or NULL. */
const struct sdp_fmtp *sdp_media_fmtp(const struct sdp_media *m, uint8_t pt);

/*! \brief Write a session as SDP text (CRLF line ends) at the tail of \a msg.
 * Typed attributes are written before the raw ones at each level.
 * \returns 0; -EMSGSIZE if \a msg has too little tailroom (msg is then left unchanged);
 *          -EINVAL if the struct cannot be expressed (e.g. more than SDP_MAX_* entries). */
int sdp_build(struct msgb *msg, const struct sdp_session *sdp);

/*
 * Offer/answer (RFC 3264).
 */

/*! Codecs the gateway knows. */
enum sdp_codec {
	SDP_CODEC_NONE = 0,
	SDP_CODEC_PCMA,		/*!< G.711 A-law, static PT 8 */
	SDP_CODEC_PCMU,		/*!< G.711 mu-law, static PT 0 */
	SDP_CODEC_TEL_EVENT,	/*!< RFC 4733 telephone-event/8000 */
	SDP_CODEC_CLEARMODE,	/*!< RFC 4040 CLEARMODE/8000 */
};
extern const struct value_string sdp_codec_names[];
static inline const char *sdp_codec_name(enum sdp_codec c) { return get_value_string(sdp_codec_names, c); }

/*! \brief Which of our codecs a payload type of an m= line is (rtpmap first, then the static PT). */
enum sdp_codec sdp_media_codec(const struct sdp_media *m, uint8_t pt);

/*! Our side of a session: what we support and where we receive.  Strings are C
 * strings owned by the caller; a session built from these points at them. */
struct sdp_caps {
	/*! Codecs in our order of preference (used for our offers; when answering, the
	 * offerer's order decides).  SDP_CODEC_TEL_EVENT is never the selected codec but
	 * is kept alongside it. */
	enum sdp_codec codecs[SDP_MAX_CODECS];
	unsigned int num_codecs;
	uint8_t tel_event_pt;	/*!< dynamic PT we offer for telephone-event (e.g. 101) */
	uint8_t clearmode_pt;	/*!< dynamic PT we offer for CLEARMODE (e.g. 97) */
	unsigned int ptime;	/*!< a=ptime we ask for (0: none) */

	bool t38;		/*!< we accept an m=image udptl t38 stream */
	struct sdp_t38 t38_params;	/*!< what we support / offer (version, rates, buffers, EC) */

	const char *addr;	/*!< where we receive RTP/UDPTL */
	enum sdp_addrtype addr_type;
	uint16_t audio_port;	/*!< RTP port (RTCP is port + 1) */
	uint16_t image_port;	/*!< UDPTL port for T.38 */
	const char *username;	/*!< o= username ("-" if NULL) */
	const char *session_name;	/*!< s= ("-" if NULL) */
};

/*! Our o= line across a dialog: RFC 3264 §8 wants the same id and a version
 * that grows by one with every SDP we send. */
struct sdp_local_origin {
	uint64_t sess_id;
	uint64_t sess_version;	/*!< version of the next SDP we build */
};

/*! What was negotiated for one stream. */
struct sdp_oa_stream {
	bool accepted;			/*!< false: port 0 (rejected by either side) */
	enum sdp_media_type type;	/*!< SDP_MEDIA_AUDIO or SDP_MEDIA_IMAGE when accepted */
	enum sdp_codec codec;		/*!< audio: the selected codec */
	uint8_t pt;			/*!< audio: its payload type (the offerer's number) */
	int tel_event_pt;		/*!< telephone-event PT, -1 if not negotiated */
	enum sdp_dir dir;		/*!< our direction for this stream */
	struct sdp_str remote_addr;	/*!< where the peer receives (slice into the remote SDP) */
	enum sdp_addrtype remote_addr_type;
	uint16_t remote_port;
	unsigned int remote_ptime;	/*!< the peer's a=ptime, 0 if absent */
	struct sdp_t38 t38;		/*!< image: the negotiated T.38 parameters */
};

struct sdp_oa_result {
	unsigned int num_streams;
	unsigned int num_accepted;
	struct sdp_oa_stream s[SDP_MAX_MEDIA];
};

/*! \brief Answer a remote offer (RFC 3264 §6).
 * The answer has the offer's m= lines in the same order; a stream we cannot take
 * gets port 0.  Audio: the first of the offerer's formats that is in our caps,
 * with the offerer's PT, plus telephone-event with its PT if both support it.
 * Image: T.38 over UDPTL if caps->t38.  Increments \a lo->sess_version.
 * \param[out] answer  filled (emptied first with sdp_session_reset())
 * \param[out] res     per-stream outcome (may be NULL)
 * \returns 0 if at least one stream was accepted; -EPROTO if none was (the answer
 *          is still built, all ports 0: a SIP caller replies 488 instead). */
int sdp_answer(struct sdp_session *answer, struct sdp_oa_result *res, const struct sdp_session *offer,
	       const struct sdp_caps *caps, struct sdp_local_origin *lo);

/*! \brief Build our offer: one m=audio line with caps->codecs (or, if \a t38, one
 * m=image udptl t38 line) and direction \a dir.  Increments \a lo->sess_version.
 * \returns 0; -EINVAL if caps have no audio codec (audio offer). */
int sdp_offer(struct sdp_session *offer, const struct sdp_caps *caps, struct sdp_local_origin *lo, bool t38,
	      enum sdp_dir dir);

/*! \brief Process the answer to our offer (RFC 3264 §7).
 * \param[out] res  per-stream outcome; res->num_accepted == 0 means every stream was rejected.
 * \returns 0; -EPROTO if the answer is not a valid answer to \a offer (different m= count or
 *          media types, a format we did not offer, no codec on an accepted audio stream). */
int sdp_process_answer(struct sdp_oa_result *res, const struct sdp_session *offer, const struct sdp_session *answer);
