/*! \file sip_hdr.h
 * SIP header fields: the header-name table (full and compact forms), splitting of comma-separated lists, and the
 * typed parsers of the header values the gateway uses (RFC 3261 §20, §25.1 and the extension RFCs cited).
 *
 * The middle layer of the parser (msg → hdr → uri).  Every parser takes one element value (already split at
 * top-level commas for list headers, see sip_hdr_iter) and fills a struct of slices into it.  Values may contain
 * folded lines (CRLF followed by SP/HTAB): the parsers treat CR and LF as whitespace, which is what folding means
 * (RFC 3261 §7.3.1).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <osmocom/core/utils.h>

#include "sip/sip_str.h"
#include "sip/sip_uri.h"

/*! Headers the parser knows by name; everything else is SIP_HDR_OTHER and accessible raw. */
enum sip_hdr_id {
	SIP_HDR_OTHER = 0,
	SIP_HDR_ACCEPT,
	SIP_HDR_ACCEPT_CONTACT,
	SIP_HDR_ALLOW,
	SIP_HDR_ALLOW_EVENTS,
	SIP_HDR_CALL_ID,
	SIP_HDR_CONTACT,
	SIP_HDR_CONTENT_DISPOSITION,
	SIP_HDR_CONTENT_ENCODING,
	SIP_HDR_CONTENT_LENGTH,
	SIP_HDR_CONTENT_TYPE,
	SIP_HDR_CSEQ,
	SIP_HDR_DATE,
	SIP_HDR_EVENT,
	SIP_HDR_EXPIRES,
	SIP_HDR_FROM,
	SIP_HDR_IDENTITY,
	SIP_HDR_MAX_FORWARDS,
	SIP_HDR_MIN_SE,
	SIP_HDR_P_ASSERTED_IDENTITY,
	SIP_HDR_P_PREFERRED_IDENTITY,
	SIP_HDR_PRIVACY,
	SIP_HDR_PROXY_REQUIRE,
	SIP_HDR_RACK,
	SIP_HDR_REASON,
	SIP_HDR_RECORD_ROUTE,
	SIP_HDR_REFER_TO,
	SIP_HDR_REFERRED_BY,
	SIP_HDR_REJECT_CONTACT,
	SIP_HDR_REQUEST_DISPOSITION,
	SIP_HDR_REQUIRE,
	SIP_HDR_RETRY_AFTER,
	SIP_HDR_ROUTE,
	SIP_HDR_RSEQ,
	SIP_HDR_SESSION_EXPIRES,
	SIP_HDR_SUBJECT,
	SIP_HDR_SUPPORTED,
	SIP_HDR_TO,
	SIP_HDR_UNSUPPORTED,
	SIP_HDR_USER_AGENT,
	SIP_HDR_VIA,
	SIP_HDR_WARNING,
	_NUM_SIP_HDR	/* at most 64: sip_msg.c keeps sets of ids in a uint64_t */
};

extern const struct value_string sip_hdr_id_names[];
static inline const char *sip_hdr_id_name(enum sip_hdr_id id)
{
	return get_value_string(sip_hdr_id_names, id);
}

/*! \brief Header id of a header name as written (full or compact form, any case); SIP_HDR_OTHER if unknown. */
enum sip_hdr_id sip_hdr_lookup(const char *name, size_t len);
/*! \brief Canonical (full) name of a known header, e.g. "Call-ID". */
const char *sip_hdr_name(enum sip_hdr_id id);
/*! \brief Whether the header's grammar is a comma-separated list (RFC 3261 §7.3.1), so that its values are split
 * into elements; false for SIP_HDR_OTHER, whose syntax we do not know (RFC 4475 §3.1.1.1). */
bool sip_hdr_is_list(enum sip_hdr_id id);

/*! Request methods the gateway knows (RFC 3261 §7.1, RFC 3262, 3311, 3265/6665, 3515, 3428, 3903, 6086). */
enum sip_method {
	SIP_METHOD_UNKNOWN = 0,
	SIP_METHOD_INVITE,
	SIP_METHOD_ACK,
	SIP_METHOD_BYE,
	SIP_METHOD_CANCEL,
	SIP_METHOD_OPTIONS,
	SIP_METHOD_REGISTER,
	SIP_METHOD_PRACK,
	SIP_METHOD_UPDATE,
	SIP_METHOD_INFO,
	SIP_METHOD_SUBSCRIBE,
	SIP_METHOD_NOTIFY,
	SIP_METHOD_REFER,
	SIP_METHOD_MESSAGE,
	SIP_METHOD_PUBLISH,
	_NUM_SIP_METHOD
};

extern const struct value_string sip_method_names[];
static inline const char *sip_method_name(enum sip_method m)
{
	return get_value_string(sip_method_names, m);
}

/*! \brief Method id of a method token (case-sensitive, RFC 3261 §7.1); SIP_METHOD_UNKNOWN for extensions. */
enum sip_method sip_method_lookup(struct sip_str s);

struct sip_msg;

/*! Iterator over the elements of all headers with one id, in message order, split at top-level commas
 * (outside quoted strings and <>) for list headers. */
struct sip_hdr_iter {
	const struct sip_msg *msg;
	enum sip_hdr_id id;
	int idx;			/*!< current header index, -1 when done */
	struct sip_str rest;		/*!< unconsumed part of the current header value */
	bool split;
};

/*! \brief Start iterating the elements of every header with id (not SIP_HDR_OTHER). */
void sip_hdr_iter_init(struct sip_hdr_iter *it, const struct sip_msg *msg, enum sip_hdr_id id);
/*! \brief Next element (trimmed).  A header that is not a list yields its whole value as one element (maybe
 * empty).  In a list header an empty value yields no element, an empty element between commas is returned empty
 * so that typed parsers reject it, and a trailing comma is ignored.
 * \returns 1 with *elem set, 0 at the end, -EBADMSG for an unterminated quoted string or <>. */
int sip_hdr_iter_next(struct sip_hdr_iter *it, struct sip_str *elem);

/*! \brief Split one element off a comma-separated list value: *elem is the trimmed element, *rest what follows
 * the comma.  \returns 1, 0 when s is empty/blank, -EBADMSG for unbalanced quotes or <>. */
int sip_list_next(struct sip_str *rest, struct sip_str *elem);

/*! \brief Trim SP, HTAB, CR and LF (LWS, including folding) from both ends. */
static inline struct sip_str sip_str_trim(struct sip_str s)
{
	while (s.len && (s.p[0] == ' ' || s.p[0] == '\t' || s.p[0] == '\r' || s.p[0] == '\n'))
		s.p++, s.len--;
	while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t' || s.p[s.len - 1] == '\r' ||
			 s.p[s.len - 1] == '\n'))
		s.len--;
	return s;
}

/* ---- Typed header values ---------------------------------------------------------------------------------- */

/*! Via element (RFC 3261 §20.42, §18.2.1; rport RFC 3581). */
struct sip_via {
	struct sip_str protocol;	/*!< "SIP" */
	struct sip_str version;		/*!< "2.0" */
	struct sip_str transport;	/*!< "UDP", "TCP", "TLS", "SCTP" or an extension token */
	struct sip_str host;		/*!< sent-by host, IPv6 without brackets */
	bool host_ipv6;
	bool has_port;
	uint16_t port;
	struct sip_str params;		/*!< all via-params (without the first ';') */
	bool has_branch;
	struct sip_str branch;
	bool has_received;
	struct sip_str received;	/*!< IPv6 as written, i.e. possibly with brackets (RFC 5118 §4.5) */
	bool has_rport;			/*!< ";rport" with or without value */
	bool has_rport_value;
	uint16_t rport;
	bool has_maddr;
	struct sip_str maddr;
	bool has_ttl;
	uint8_t ttl;
};

/*! The RFC 3261 §8.1.1.7 magic cookie that starts every RFC 3261 branch. */
#define SIP_BRANCH_COOKIE "z9hG4bK"

/*! \brief Parse one Via element (LWS allowed around "/", ":", ";" and "=", RFC 3261 §25.1). */
int sip_via_parse(struct sip_via *via, struct sip_str s);
/*! \brief Whether the branch is an RFC 3261 transaction id: the magic cookie followed by at least one character
 * (RFC 4475 §3.1.3.1 "badbranch" has the cookie alone). */
bool sip_via_branch_is_rfc3261(const struct sip_via *via);

/*! name-addr / addr-spec with header parameters: From, To, Contact, Route, Record-Route, P-Asserted-Identity,
 * Refer-To (RFC 3261 §20.10, §20.20, §20.39). */
struct sip_name_addr {
	struct sip_str display;		/*!< display-name: content of the quotes (escaped) or the tokens, trimmed */
	bool display_quoted;
	bool bracketed;			/*!< name-addr form, the URI was enclosed in <> */
	bool wildcard;			/*!< Contact: * (RFC 3261 §10.2.2) */
	struct sip_str uri;		/*!< the URI text, for sip_uri_parse() */
	struct sip_str params;		/*!< header parameters after the URI (without the first ';') */
	struct sip_str tag;		/*!< value of the tag parameter, empty if absent */
};

/*! \brief Parse a name-addr or addr-spec followed by header params.  In the addr-spec form the URI ends at the
 * first ';', so those parameters belong to the header (RFC 3261 §20.10).  The URI is checked with
 * sip_uri_parse(), and an addr-spec whose URI has headers ("?") is rejected (RFC 4475 §3.1.2.13).
 * \param allow_wildcard accept "*" (Contact only). */
int sip_name_addr_parse(struct sip_name_addr *na, struct sip_str s, bool allow_wildcard);
/*! \brief The tag parameter (From/To); false if absent. */
bool sip_name_addr_tag(const struct sip_name_addr *na, struct sip_str *tag);

/*! Contact element: name-addr plus the expires and q parameters (RFC 3261 §20.10). */
struct sip_contact {
	struct sip_name_addr na;
	bool has_expires;
	uint32_t expires;
	bool has_q;
	uint16_t q;			/*!< q-value in thousandths: "0.33" is 330, "1" is 1000 */
};

/*! \brief Parse one Contact element ("*" allowed); an expires value above 2**32-1 saturates. */
int sip_contact_parse(struct sip_contact *c, struct sip_str s);

/*! CSeq (RFC 3261 §20.16, §8.1.1.5: the number is below 2**31). */
struct sip_cseq {
	uint32_t num;
	struct sip_str method;
	enum sip_method method_id;
};

#define SIP_CSEQ_MAX 0x7fffffffU

/*! \brief CSeq = 1*DIGIT LWS Method; the number must be below 2**31. */
int sip_cseq_parse(struct sip_cseq *cseq, struct sip_str s);

/*! RAck (RFC 3262 §7.2): response-num CSeq-num Method. */
struct sip_rack {
	uint32_t rseq;
	uint32_t cseq;
	struct sip_str method;
	enum sip_method method_id;
};

/*! \brief RAck = response-num LWS CSeq-num LWS Method. */
int sip_rack_parse(struct sip_rack *rack, struct sip_str s);
/*! \brief RSeq (RFC 3262 §7.1): 1 … 2**32-1. */
int sip_rseq_parse(uint32_t *rseq, struct sip_str s);
/*! \brief Max-Forwards (RFC 3261 §20.22): 0 … 255. */
int sip_max_forwards_parse(uint8_t *mf, struct sip_str s);
/*! \brief Content-Length (RFC 3261 §20.14): 1*DIGIT, no sign, below 2**32. */
int sip_content_length_parse(uint32_t *cl, struct sip_str s);
/*! \brief Call-ID (RFC 3261 §20.8): word ["@" word]. */
int sip_call_id_parse(struct sip_str s);

/*! Session-Expires / Min-SE (RFC 4028 §4, §5). */
enum sip_se_refresher {
	SIP_SE_REFRESHER_NONE,		/*!< no refresher parameter */
	SIP_SE_REFRESHER_UAC,
	SIP_SE_REFRESHER_UAS,
};

extern const struct value_string sip_se_refresher_names[];
static inline const char *sip_se_refresher_name(enum sip_se_refresher r)
{
	return get_value_string(sip_se_refresher_names, r);
}

struct sip_session_expires {
	uint32_t delta;
	enum sip_se_refresher refresher;
	struct sip_str params;
};

/*! \brief Session-Expires = delta-seconds *(;se-params); refresher must be "uac" or "uas". */
int sip_session_expires_parse(struct sip_session_expires *se, struct sip_str s);
/*! \brief Min-SE: delta-seconds *(;generic-param); the refresher member stays NONE. */
int sip_min_se_parse(struct sip_session_expires *se, struct sip_str s);

/*! Event (RFC 6665 §8.2.1): event-type *(;event-param), with the id parameter. */
struct sip_event {
	struct sip_str package;		/*!< event-type including template suffixes, e.g. "presence.winfo" */
	bool has_id;
	struct sip_str id;
	struct sip_str params;
};

/*! \brief Event = event-type *(;event-param). */
int sip_event_parse(struct sip_event *ev, struct sip_str s);

/*! Reason element (RFC 3326 §2): protocol *(;cause=N / ;text="..." / ;ext). */
struct sip_reason {
	struct sip_str protocol;	/*!< "SIP", "Q.850" or a token */
	bool has_cause;
	uint32_t cause;
	bool has_text;
	struct sip_str text;		/*!< content of the quoted string (escaped, see sip_unquote()) */
	struct sip_str params;
};

/*! \brief One Reason element: protocol with cause and text parameters. */
int sip_reason_parse(struct sip_reason *r, struct sip_str s);

/*! Privacy values (RFC 3323 §4.2, RFC 3325 §9.3, RFC 7044), as a bit mask. */
enum sip_privacy {
	SIP_PRIVACY_HEADER = 1 << 0,
	SIP_PRIVACY_SESSION = 1 << 1,
	SIP_PRIVACY_USER = 1 << 2,
	SIP_PRIVACY_NONE = 1 << 3,
	SIP_PRIVACY_CRITICAL = 1 << 4,
	SIP_PRIVACY_ID = 1 << 5,
	SIP_PRIVACY_HISTORY = 1 << 6,
	SIP_PRIVACY_OTHER = 1 << 7,	/*!< an extension token we do not know */
};

/*! \brief Privacy = priv-value *(";" priv-value): fills the mask of the values present. */
int sip_privacy_parse(uint32_t *mask, struct sip_str s);

/*! media-type / media-range (RFC 3261 §20.15, §20.1): type "/" subtype *(;param). */
struct sip_media_type {
	struct sip_str type;
	struct sip_str subtype;
	struct sip_str params;
};

/*! \brief Parse a media type with its parameters.
 * \param allow_wildcard accept "*" as type/subtype (Accept media-range). */
int sip_media_type_parse(struct sip_media_type *mt, struct sip_str s, bool allow_wildcard);

/*! Retry-After (RFC 3261 §20.33): delta-seconds [comment] *(;retry-param). */
struct sip_retry_after {
	uint32_t delta;
	struct sip_str comment;		/*!< without the parentheses */
	bool has_duration;
	uint32_t duration;
	struct sip_str params;
};

/*! \brief Retry-After = delta-seconds [comment] *(;retry-param), with the duration parameter. */
int sip_retry_after_parse(struct sip_retry_after *ra, struct sip_str s);

/*! \brief One option tag / method / token element (Require, Supported, Allow ...): a single token. */
int sip_token_parse(struct sip_str s);
