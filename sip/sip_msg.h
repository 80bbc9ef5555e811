/*! \file sip_msg.h
 * SIP message parser (RFC 3261 §7, §25): zero-copy, bounded, single pass.
 *
 *   caller's buffer (not NUL-terminated, must outlive the parsed message):
 *   "INVITE sip:bob@b.example SIP/2.0\r\nVia: SIP/2.0/UDP …;branch=z9hG4bK…\r\n … \r\n\r\nv=0…"
 *          ▲ every struct sip_str below is a (pointer, length) slice into it
 *   ┌─────────────────────────────────── sip_msg (sip_msg.c) ──────────────────────────────────┐
 *   │ start line, hdrs[] (id, name, value), first[id] chains, typed top Via, From,             │  msg layer
 *   │ To, CSeq, Call-ID, Max-Forwards, Content-Length, body; error + routability               │
 *   └──────────┬───────────────────────────────────────────────────────────────────────────────┘
 *              │ sip_hdr_iter (comma split) + sip_*_parse(element)
 *              ▼
 *   ┌────────────────────────────────── sip_hdr.h (sip_hdr.c) ─────────────────────────────────┐
 *   │ header-name table (full + compact forms), comma splitting, Via, name-addr,               │  hdr layer
 *   │ Contact, CSeq, RAck, RSeq, Session-Expires, Event, Reason, Privacy, ...                  │
 *   └──────────┬───────────────────────────────────────────────────────────────────────────────┘
 *              │ sip_uri_parse(), sip_param_next()
 *              ▼
 *   ┌────────────────────────────────── sip_uri.h (sip_uri.c) ─────────────────────────────────┐
 *   │ sip:/sips:/tel: URIs, IPv6 references, ;params, ?headers, escapes kept raw               │  uri layer
 *   └──────────────────────────────────────────────────────────────────────────────────────────┘
 *   sip_build.h writes messages into a msgb (requests, responses, 400/505/513 for a bad request).
 *
 * Ownership: every struct sip_str in a parsed message (and in anything a typed parser fills from it) points into
 * the caller's buffer.  The buffer must outlive the parsed message and must not be modified while it is used.
 * The parser allocates nothing: the caller provides struct sip_msg and its header array (sip_msg_init(), on the
 * stack or talloc'd once with sip_msg_alloc()) and may reuse both for the next message.  No globals.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "sip/sip_str.h"
#include "sip/sip_hdr.h"
#include "sip/sip_uri.h"

/*! One header field line (folded lines included) as received. */
struct sip_hdr {
	enum sip_hdr_id id;
	struct sip_str name;		/*!< as written (compact or full, any case) */
	struct sip_str value;		/*!< trimmed; may contain folding (CRLF WSP) */
	int16_t next;			/*!< index of the next header with the same known id, -1 */
};

/*! Parse options. */
struct sip_parse_opts {
	bool datagram;		/*!< UDP: the buffer is exactly one datagram; Content-Length may be absent and must
				 *   not exceed the data (RFC 3261 §18.3); octets after the body are ignored */
	size_t max_size;	/*!< larger messages are refused with 513 (0: no limit) */
};

/*! Why a message was refused, in a form that a 4xx/5xx response can carry. */
struct sip_parse_err {
	const char *reason;	/*!< reason phrase for the response, e.g. "Bad CSeq" (string literal) */
	uint16_t status;	/*!< 400, 505 (bad SIP version), 513 (too large), 501 (unknown method with CSeq
				 *   mismatch, RFC 4475 §3.1.2.18) */
	size_t offset;		/*!< offset in the buffer near the offending byte */
	bool routable;		/*!< Via, From, To, Call-ID and CSeq are present and well formed: a response can be
				 *   built with sip_build_error_response() (requests only) */
	size_t need;		/*!< -EAGAIN (stream): total bytes the message needs, 0 if unknown yet */
};

/*! A parsed message.  Initialise once with sip_msg_init(); sip_msg_parse() resets it for each message. */
struct sip_msg {
	const char *buf;		/*!< the buffer given to sip_msg_parse() */
	size_t len;			/*!< octets of the message, body included (the next message starts there) */
	bool is_request;

	struct sip_str method;		/*!< request */
	enum sip_method method_id;
	struct sip_str ruri;		/*!< request: Request-URI text */
	uint16_t status;		/*!< response */
	struct sip_str reason;		/*!< response: Reason-Phrase (may be empty, RFC 4475 §3.1.1.13) */
	struct sip_str version;		/*!< "SIP/2.0" */

	struct sip_hdr *hdrs;		/*!< caller-provided array */
	unsigned int num_hdrs;
	unsigned int max_hdrs;
	int16_t first[_NUM_SIP_HDR];	/*!< index of the first header of each known id, -1 if absent */

	/* Typed values of the headers every message needs, parsed and checked by sip_msg_parse(). */
	struct sip_via via;		/*!< top Via */
	unsigned int num_via;		/*!< Via elements across all Via headers */
	struct sip_name_addr from;
	struct sip_str from_tag;	/*!< empty if absent */
	struct sip_name_addr to;
	struct sip_str to_tag;
	struct sip_cseq cseq;
	struct sip_str call_id;
	bool has_max_forwards;
	uint8_t max_forwards;
	bool has_content_length;
	uint32_t content_length;
	struct sip_str body;
};

/*! \brief Prepare a message struct with a header array of max_hdrs entries (at most INT16_MAX). */
void sip_msg_init(struct sip_msg *msg, struct sip_hdr *hdrs, unsigned int max_hdrs);
/*! \brief talloc one struct sip_msg together with its header array.  \returns NULL when out of memory. */
struct sip_msg *sip_msg_alloc(void *ctx, unsigned int max_hdrs);

/*! \brief sip_msg_alloc() with a copy of len octets of buf in the same allocation, as msg->buf (the buffer a
 * message kept with sip_msg_copy() points into).  \returns NULL when out of memory. */
struct sip_msg *sip_msg_alloc_with_buf(void *ctx, unsigned int max_hdrs, const char *buf, size_t len);

/*! \brief Parse one message from buf (opts NULL: a datagram without size limit).
 *
 * \returns 0 on success (msg->len octets consumed); -EBADMSG malformed (err says why and whether a response
 * can be routed); -EPROTO well formed but not acceptable (SIP version, CSeq/method mismatch); -EMSGSIZE larger than
 * opts->max_size or more headers than the array holds; -EAGAIN (stream only) incomplete, read more (err->need
 * is the total length once the headers are complete; msg->len counts leading keep-alive CRLFs that may be
 * dropped).
 * On error the message fields that were parsed stay valid for building the error response. */
int sip_msg_parse(struct sip_msg *msg, const char *buf, size_t len, const struct sip_parse_opts *opts,
		  struct sip_parse_err *err);

/*! \brief Keep a parsed message without parsing it again: dst (sip_msg_init()ed, with room for src->num_hdrs
 * headers) becomes src with every slice moved from src->buf to buf, which holds a copy of src's src->len octets.
 * \returns 0, -EMSGSIZE if dst's header array is too small. */
int sip_msg_copy(struct sip_msg *dst, const struct sip_msg *src, const char *buf);

/*! \brief A message from sip_msg_alloc_with_buf() (or sip_msg_copy()'d into one) kept only for its typed values
 * (a transaction that lingers to match retransmissions): its header array and body are dropped and the buffer
 * cut to the header section, in place.  Afterwards header lookups find nothing and the body is empty.
 * \returns the message, which may have moved (talloc_realloc); one not laid out that way, or shrunk already,
 * is returned as it is. */
struct sip_msg *sip_msg_shrink(struct sip_msg *msg);

/*! \brief First header with a known id, or NULL. */
const struct sip_hdr *sip_msg_hdr(const struct sip_msg *msg, enum sip_hdr_id id);
/*! \brief First header with this name (case-insensitive; a known name also matches its compact form), or NULL. */
const struct sip_hdr *sip_msg_find_hdr(const struct sip_msg *msg, const char *name);
/*! \brief Next header after prev with the same name (raw iteration of unknown headers), or NULL. */
const struct sip_hdr *sip_msg_find_next_hdr(const struct sip_msg *msg, const struct sip_hdr *prev);
/*! \brief Number of elements of a (list) header across all its header lines; negative errno if malformed. */
int sip_msg_count(const struct sip_msg *msg, enum sip_hdr_id id);

/*! \brief Whether an option-tag list header (Require, Supported, Proxy-Require, Unsupported) lists tag. */
bool sip_msg_has_option_tag(const struct sip_msg *msg, enum sip_hdr_id id, const char *tag);
/*! \brief The first Require (or Proxy-Require, by id) option tag that is not in the NULL-terminated list
 * supported: the tag a 420 Bad Extension names in Unsupported (RFC 3261 §8.2.2.3).
 * \returns true with *tag set if there is one. */
bool sip_msg_unsupported_tag(const struct sip_msg *msg, enum sip_hdr_id id, const char *const *supported,
			     struct sip_str *tag);
/*! \brief Whether the Accept header allows type/subtype, wildcards included; without Accept only application/sdp
 * is acceptable (RFC 3261 §20.1).  Malformed ranges are skipped. */
bool sip_msg_accepts(const struct sip_msg *msg, const char *type, const char *subtype);
/*! \brief Whether the Allow header lists the method (false when Allow is absent). */
bool sip_msg_allows(const struct sip_msg *msg, enum sip_method method);

/*! \brief Typed access to the first value of a single-valued header.  Each returns 0, -ENOENT if the header is
 * absent, or -EBADMSG if it is malformed. */
int sip_msg_rseq(const struct sip_msg *msg, uint32_t *rseq);
int sip_msg_rack(const struct sip_msg *msg, struct sip_rack *rack);
int sip_msg_session_expires(const struct sip_msg *msg, struct sip_session_expires *se);
int sip_msg_min_se(const struct sip_msg *msg, struct sip_session_expires *se);
int sip_msg_event(const struct sip_msg *msg, struct sip_event *ev);
int sip_msg_content_type(const struct sip_msg *msg, struct sip_media_type *mt);
int sip_msg_retry_after(const struct sip_msg *msg, struct sip_retry_after *ra);
/*! \brief Privacy values of all Privacy headers, as a mask of enum sip_privacy (0 if absent). */
int sip_msg_privacy(const struct sip_msg *msg, uint32_t *mask);
/*! \brief First Reason element with this protocol ("SIP", "Q.850"), -ENOENT if none. */
int sip_msg_reason(const struct sip_msg *msg, const char *protocol, struct sip_reason *r);
/*! \brief Expires header (RFC 3261 §20.19). */
int sip_msg_expires(const struct sip_msg *msg, uint32_t *expires);
