/*! \file sip_build.h
 * SIP message builder: writes requests and responses as text into a msgb (RFC 3261 §7, §8.1.1, §8.2.6).
 *
 * Every function appends to the msgb and returns 0, or -EMSGSIZE when the msgb lacks tailroom (nothing is
 * truncated silently; the caller discards the half-built msgb).  Header values come either from the caller
 * (C strings) or from a parsed message (slices, copied raw with line folding removed).  A message ends with
 * sip_build_body() (or sip_build_no_body()), which writes Content-Length itself.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/utils.h>

#include "sip/sip_msg.h"

/*! Reason phrases of RFC 3261 §21 and the extensions the gateway uses. */
extern const struct value_string sip_status_names[];
/*! \brief Default reason phrase of a status code ("Unknown" for codes not in the table). */
const char *sip_status_reason(uint16_t status);

/* The append primitives every writer below uses (no printf: these run several times per message). */
/*! \brief Append len bytes. */
int sip_build_put(struct msgb *msg, const void *data, size_t len);
/*! \brief Append a C string. */
int sip_build_puts(struct msgb *msg, const char *s);
/*! \brief Append a number in decimal. */
int sip_build_putu(struct msgb *msg, uint64_t v);
/*! \brief Append "name: " (the value and its CRLF follow). */
int sip_build_hdr_name(struct msgb *msg, const char *name);

/*! \brief Request-Line "METHOD ruri SIP/2.0". */
int sip_build_request_line(struct msgb *msg, const char *method, const char *ruri);

/*! \brief A msgb for a message to build, like msgb_alloc() (same talloc context, freed with msgb_free()) but
 *  without zeroing the data area: a builder writes every byte it puts, and messages are built in msgbs sized for
 *  the worst case.  NULL for a size above what a msgb holds (65535) or out of memory. */
struct msgb *sip_msgb_alloc(size_t size, const char *name);

/*! \brief A copy of m's data (and cb) in a msgb of exactly that size; NULL if out of memory.  Messages are
 *  built in msgbs sized for the worst case (4 kB and more); what is kept for retransmission and every copy
 *  handed to the transport should not carry, zero and copy the unused rest. */
struct msgb *sip_msgb_dup(const struct msgb *m, const char *name);
/*! \brief Status-Line; reason NULL gives sip_status_reason(status). */
int sip_build_status_line(struct msgb *msg, uint16_t status, const char *reason);

/*! \brief A header line "name: value" with a printf-formatted value. */
int sip_build_hdr(struct msgb *msg, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*! \brief A header line "name: value" with a C string value. */
int sip_build_hdr_c(struct msgb *msg, const char *name, const char *value);
/*! \brief A header line "name: value" with a decimal value. */
int sip_build_hdr_u(struct msgb *msg, const char *name, uint64_t value);
/*! \brief A header line "name: value" or, with tag not NULL, "name: value;tag=tag". */
int sip_build_hdr_tagged(struct msgb *msg, const char *name, const char *value, const char *tag);
/*! \brief A header line with a value copied from a parsed message (folding removed). */
int sip_build_hdr_str(struct msgb *msg, const char *name, struct sip_str value);

/*! \brief Via: SIP/2.0/transport host[:port];branch=...[;rport] (RFC 3261 §8.1.1.7, RFC 3581 §3).
 * An IPv6 host is bracketed; port 0 is left out. */
int sip_build_via(struct msgb *msg, const char *transport, const char *host, uint16_t port, const char *branch,
		  bool rport);
/*! \brief name-addr header (From, To, Contact, Route, Record-Route, P-Asserted-Identity, ...):
 * ["display"] <uri>[;tag=tag][;params].  display, tag and params (without leading ';') may be NULL. */
int sip_build_name_addr(struct msgb *msg, enum sip_hdr_id id, const char *display, const char *uri, const char *tag,
			const char *params);
/*! \brief CSeq; -EINVAL for a number of 2**31 or more (RFC 3261 §8.1.1.5). */
int sip_build_cseq(struct msgb *msg, uint32_t num, const char *method);
/*! \brief Call-ID. */
int sip_build_call_id(struct msgb *msg, const char *call_id);
/*! \brief Max-Forwards (70 for a new request, RFC 3261 §8.1.1.6). */
int sip_build_max_forwards(struct msgb *msg, uint8_t hops);
/*! \brief Require / Supported / Unsupported / Proxy-Require / Allow from a NULL-terminated array of tokens. */
int sip_build_tokens(struct msgb *msg, enum sip_hdr_id id, const char *const *tokens);
/*! \brief RSeq (RFC 3262 §7.1). */
int sip_build_rseq(struct msgb *msg, uint32_t rseq);
/*! \brief RAck: rseq cseq method (RFC 3262 §7.2). */
int sip_build_rack(struct msgb *msg, uint32_t rseq, uint32_t cseq, const char *method);
/*! \brief Reason: protocol;cause=N[;text="..."] (RFC 3326 §2); text may be NULL, quotes and backslashes in it
 * are escaped. */
int sip_build_reason(struct msgb *msg, const char *protocol, unsigned int cause, const char *text);
/*! \brief Session-Expires: delta[;refresher=uac|uas] (RFC 4028 §4). */
int sip_build_session_expires(struct msgb *msg, uint32_t delta, enum sip_se_refresher refresher);

/*! \brief End the header section with Content-Type (if content_type is not NULL), Content-Length and the empty
 * line, then the body. */
int sip_build_body(struct msgb *msg, const char *content_type, const void *body, size_t len);
/*! \brief End the header section of a message without body ("Content-Length: 0" and the empty line). */
int sip_build_no_body(struct msgb *msg);

/*! \brief Start a response to a request (RFC 3261 §8.2.6.2): Status-Line, every Via in order, From, To (with
 * to_tag appended if the request's To has no tag and status > 100), Call-ID, CSeq, and for 101-299 to a
 * dialog-creating request (INVITE, SUBSCRIBE, REFER) the Record-Route headers (§12.1.1).  The caller adds its
 * own headers and ends the message with sip_build_body() / sip_build_no_body().
 * \returns 0, -EMSGSIZE, -EINVAL if req is not a request. */
int sip_build_response(struct msgb *msg, const struct sip_msg *req, uint16_t status, const char *reason,
		       const char *to_tag);

/*! \brief The complete response to a request that sip_msg_parse() refused: status and reason from err (400,
 * 505, 513, 501), the request's Via/From/To/Call-ID/CSeq, a To tag, no body.
 * \returns 0, -EMSGSIZE, -EINVAL when err->routable is false or req is not a request. */
int sip_build_error_response(struct msgb *msg, const struct sip_msg *req, const struct sip_parse_err *err,
			     const char *to_tag);

/*! Buffer sizes for the generators, terminating NUL included. */
#define SIP_BRANCH_BUF 24	/* "z9hG4bK" + 16 hex digits */
#define SIP_TAG_BUF 17		/* 16 hex digits: 64 random bits, RFC 3261 §19.3 asks for at least 32 */

/*! \brief A new branch: the RFC 3261 magic cookie and 64 random bits.  \returns 0, -EMSGSIZE, -errno. */
int sip_gen_branch(char *buf, size_t len);
/*! \brief A new From/To tag (also usable as Call-ID local part).  \returns 0, -EMSGSIZE, -errno. */
int sip_gen_tag(char *buf, size_t len);
