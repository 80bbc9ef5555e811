/* SIP message builder into msgb (RFC 3261 §7, §8.1.1, §8.2.6, §12.1.1). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <osmocom/core/talloc.h>
#include <mgcf/rand.h>

#include "sip/sip_build.h"

const struct value_string sip_status_names[] = {
	{ 100, "Trying" },
	{ 180, "Ringing" },
	{ 181, "Call Is Being Forwarded" },
	{ 182, "Queued" },
	{ 183, "Session Progress" },
	{ 199, "Early Dialog Terminated" },	/* RFC 6228 */
	{ 200, "OK" },
	{ 202, "Accepted" },			/* RFC 6665 */
	{ 204, "No Notification" },		/* RFC 5839 */
	{ 300, "Multiple Choices" },
	{ 301, "Moved Permanently" },
	{ 302, "Moved Temporarily" },
	{ 305, "Use Proxy" },
	{ 380, "Alternative Service" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 402, "Payment Required" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 406, "Not Acceptable" },
	{ 407, "Proxy Authentication Required" },
	{ 408, "Request Timeout" },
	{ 410, "Gone" },
	{ 412, "Conditional Request Failed" },	/* RFC 3903 */
	{ 413, "Request Entity Too Large" },
	{ 414, "Request-URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 416, "Unsupported URI Scheme" },
	{ 420, "Bad Extension" },
	{ 421, "Extension Required" },
	{ 422, "Session Interval Too Small" },	/* RFC 4028 */
	{ 423, "Interval Too Brief" },
	{ 429, "Provide Referrer Identity" },	/* RFC 3892 */
	{ 433, "Anonymity Disallowed" },	/* RFC 5079 */
	{ 480, "Temporarily Unavailable" },
	{ 481, "Call/Transaction Does Not Exist" },
	{ 482, "Loop Detected" },
	{ 483, "Too Many Hops" },
	{ 484, "Address Incomplete" },
	{ 485, "Ambiguous" },
	{ 486, "Busy Here" },
	{ 487, "Request Terminated" },
	{ 488, "Not Acceptable Here" },
	{ 489, "Bad Event" },			/* RFC 6665 */
	{ 491, "Request Pending" },
	{ 493, "Undecipherable" },
	{ 494, "Security Agreement Required" },	/* RFC 3329 */
	{ 500, "Server Internal Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Server Time-out" },
	{ 505, "Version Not Supported" },
	{ 513, "Message Too Large" },
	{ 580, "Precondition Failure" },	/* RFC 3312 */
	{ 600, "Busy Everywhere" },
	{ 603, "Decline" },
	{ 604, "Does Not Exist Anywhere" },
	{ 606, "Not Acceptable" },
	{ 607, "Unwanted" },			/* RFC 8197 */
	{ 0, NULL }
};

const char *sip_status_reason(uint16_t status)
{
	return get_value_string_or_null(sip_status_names, status) ?: "Unknown";
}

int sip_build_put(struct msgb *msg, const void *data, size_t len)
{
	if (len > (size_t)msgb_tailroom(msg))
		return -EMSGSIZE;
	if (len)
		memcpy(msgb_put(msg, len), data, len);
	return 0;
}

int sip_build_puts(struct msgb *msg, const char *s)
{
	return sip_build_put(msg, s, strlen(s));
}

int sip_build_putu(struct msgb *msg, uint64_t v)
{
	char d[SIP_U64_DEC_MAX];

	return sip_build_put(msg, d, sip_u64_dec(d, v, 1));
}

int sip_build_hdr_name(struct msgb *msg, const char *name)
{
	return sip_build_puts(msg, name) ?: sip_build_put(msg, ": ", 2);
}

static inline int put(struct msgb *msg, const void *data, size_t len)
{
	return sip_build_put(msg, data, len);
}

static inline int puts_(struct msgb *msg, const char *s)
{
	return sip_build_put(msg, s, strlen(s));
}

static inline int putu(struct msgb *msg, uint64_t v)
{
	return sip_build_putu(msg, v);
}

static inline int crlf(struct msgb *msg)
{
	return sip_build_put(msg, "\r\n", 2);
}

static int vputf(struct msgb *msg, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static int vputf(struct msgb *msg, const char *fmt, va_list ap)
{
	int room = msgb_tailroom(msg), n;

	n = vsnprintf((char *)msg->tail, room, fmt, ap);
	if (n < 0 || n >= room)
		return -EMSGSIZE;
	msgb_put(msg, n);
	return 0;
}

/* Copy a parsed value without its line folding: removing the CRLF of "CRLF WSP" leaves the WSP, which is the
 * same LWS (RFC 3261 §7.3.1).  A stray CR (which the parser treats as whitespace) becomes a SP. */
static int put_unfolded(struct msgb *msg, struct sip_str v_in)
{
	struct sip_str v = sip_str_nn(v_in);
	const char *p = v.p, *end = v.p + v.len, *c;
	int rc;

	while (p < end) {
		const char *cr = memchr(p, '\r', end - p), *lf = memchr(p, '\n', end - p);

		/* the next CR or LF (values seldom have any: one copy) */
		c = cr && (!lf || cr < lf) ? cr : lf ? lf : end;
		if ((rc = put(msg, p, c - p)) < 0)
			return rc;
		while (c < end && (*c == '\r' || *c == '\n'))
			c++;
		if (c < end && *c != ' ' && *c != '\t' && (rc = put(msg, " ", 1)) < 0)
			return rc;
		p = c;
	}
	return 0;
}

/* quoted-string content: escape DQUOTE and backslash (RFC 3261 §25.1 quoted-pair) */
static int put_quoted(struct msgb *msg, const char *s)
{
	int rc = put(msg, "\"", 1);

	for (; !rc && *s; s++) {
		if (*s == '"' || *s == '\\')
			rc = put(msg, "\\", 1);
		if (!rc)
			rc = put(msg, s, 1);
	}
	return rc ?: put(msg, "\"", 1);
}

int sip_build_request_line(struct msgb *msg, const char *method, const char *ruri)
{
	return puts_(msg, method) ?: put(msg, " ", 1) ?: puts_(msg, ruri) ?: puts_(msg, " SIP/2.0\r\n");
}

int sip_build_status_line(struct msgb *msg, uint16_t status, const char *reason)
{
	char d[SIP_U64_DEC_MAX];

	return puts_(msg, "SIP/2.0 ") ?: put(msg, d, sip_u64_dec(d, status, 3)) ?: put(msg, " ", 1) ?:
	       puts_(msg, reason ? reason : sip_status_reason(status)) ?: crlf(msg);
}

int sip_build_hdr(struct msgb *msg, const char *name, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if ((rc = sip_build_hdr_name(msg, name)) < 0)
		return rc;
	va_start(ap, fmt);
	rc = vputf(msg, fmt, ap);
	va_end(ap);
	return rc ?: crlf(msg);
}

int sip_build_hdr_c(struct msgb *msg, const char *name, const char *value)
{
	return sip_build_hdr_name(msg, name) ?: puts_(msg, value) ?: crlf(msg);
}

int sip_build_hdr_tagged(struct msgb *msg, const char *name, const char *value, const char *tag)
{
	int rc = sip_build_hdr_name(msg, name) ?: puts_(msg, value);

	if (!rc && tag)
		rc = puts_(msg, ";tag=") ?: puts_(msg, tag);
	return rc ?: crlf(msg);
}

int sip_build_hdr_u(struct msgb *msg, const char *name, uint64_t value)
{
	return sip_build_hdr_name(msg, name) ?: putu(msg, value) ?: crlf(msg);
}

int sip_build_hdr_str(struct msgb *msg, const char *name, struct sip_str value)
{
	return sip_build_hdr_name(msg, name) ?: put_unfolded(msg, value) ?: crlf(msg);
}

int sip_build_via(struct msgb *msg, const char *transport, const char *host, uint16_t port, const char *branch,
		  bool rport)
{
	/* an IPv6 address is bracketed in sent-by (RFC 5118 §4.1), unless the caller already did */
	bool v6 = host[0] != '[' && strchr(host, ':') != NULL;
	int rc = puts_(msg, "Via: SIP/2.0/") ?: puts_(msg, transport) ?: put(msg, " ", 1);

	if (!rc && v6)
		rc = put(msg, "[", 1);
	rc = rc ?: puts_(msg, host);
	if (!rc && v6)
		rc = put(msg, "]", 1);
	if (!rc && port)
		rc = put(msg, ":", 1) ?: putu(msg, port);
	if (!rc && branch)
		rc = puts_(msg, ";branch=") ?: puts_(msg, branch);
	if (!rc && rport)
		rc = puts_(msg, ";rport");
	return rc ?: crlf(msg);
}

int sip_build_name_addr(struct msgb *msg, enum sip_hdr_id id, const char *display, const char *uri, const char *tag,
			const char *params)
{
	const char *name = sip_hdr_name(id);
	int rc;

	if (!name)
		return -EINVAL;
	rc = sip_build_hdr_name(msg, name);
	if (!rc && display) {
		rc = put_quoted(msg, display);
		if (!rc)
			rc = put(msg, " ", 1);
	}
	rc = rc ?: put(msg, "<", 1) ?: puts_(msg, uri) ?: put(msg, ">", 1);
	if (!rc && tag)
		rc = puts_(msg, ";tag=") ?: puts_(msg, tag);
	if (!rc && params)
		rc = put(msg, ";", 1) ?: puts_(msg, params);
	return rc ?: crlf(msg);
}

int sip_build_cseq(struct msgb *msg, uint32_t num, const char *method)
{
	if (num > SIP_CSEQ_MAX)
		return -EINVAL;
	return puts_(msg, "CSeq: ") ?: putu(msg, num) ?: put(msg, " ", 1) ?: puts_(msg, method) ?: crlf(msg);
}

int sip_build_call_id(struct msgb *msg, const char *call_id)
{
	return sip_build_hdr_c(msg, "Call-ID", call_id);
}

int sip_build_max_forwards(struct msgb *msg, uint8_t hops)
{
	return sip_build_hdr_u(msg, "Max-Forwards", hops);
}

int sip_build_tokens(struct msgb *msg, enum sip_hdr_id id, const char *const *tokens)
{
	const char *name = sip_hdr_name(id);
	int rc, i;

	if (!name)
		return -EINVAL;
	rc = sip_build_hdr_name(msg, name);
	for (i = 0; !rc && tokens[i]; i++)
		rc = (i ? put(msg, ", ", 2) : 0) ?: puts_(msg, tokens[i]);
	return rc ?: crlf(msg);
}

int sip_build_rseq(struct msgb *msg, uint32_t rseq)
{
	return sip_build_hdr_u(msg, "RSeq", rseq);
}

int sip_build_rack(struct msgb *msg, uint32_t rseq, uint32_t cseq, const char *method)
{
	return puts_(msg, "RAck: ") ?: putu(msg, rseq) ?: put(msg, " ", 1) ?: putu(msg, cseq) ?: put(msg, " ", 1) ?:
	       puts_(msg, method) ?: crlf(msg);
}

int sip_build_reason(struct msgb *msg, const char *protocol, unsigned int cause, const char *text)
{
	int rc = puts_(msg, "Reason: ") ?: puts_(msg, protocol) ?: puts_(msg, ";cause=") ?: putu(msg, cause);

	if (!rc && text) {
		rc = puts_(msg, ";text=");
		if (!rc)
			rc = put_quoted(msg, text);
	}
	return rc ?: crlf(msg);
}

int sip_build_session_expires(struct msgb *msg, uint32_t delta, enum sip_se_refresher refresher)
{
	int rc = puts_(msg, "Session-Expires: ") ?: putu(msg, delta);

	if (!rc && refresher != SIP_SE_REFRESHER_NONE)
		rc = puts_(msg, ";refresher=") ?: puts_(msg, get_value_string(sip_se_refresher_names, refresher));
	return rc ?: crlf(msg);
}

int sip_build_body(struct msgb *msg, const char *content_type, const void *body, size_t len)
{
	int rc = 0;

	if (content_type && len)
		rc = sip_build_hdr_c(msg, "Content-Type", content_type);
	return rc ?: puts_(msg, "Content-Length: ") ?: putu(msg, len) ?: puts_(msg, "\r\n\r\n") ?:
	       put(msg, body, len);
}

int sip_build_no_body(struct msgb *msg)
{
	return sip_build_body(msg, NULL, NULL, 0);
}

static int copy_all(struct msgb *msg, const struct sip_msg *req, enum sip_hdr_id id)
{
	const struct sip_hdr *h;
	int rc = 0;

	for (h = sip_msg_hdr(req, id); h && !rc; h = sip_msg_find_next_hdr(req, h))
		rc = sip_build_hdr_str(msg, sip_hdr_name(id), h->value);
	return rc;
}

int sip_build_response(struct msgb *msg, const struct sip_msg *req, uint16_t status, const char *reason,
		       const char *to_tag)
{
	const struct sip_hdr *to;
	int rc;

	if (!req->is_request)
		return -EINVAL;
	if ((rc = sip_build_status_line(msg, status, reason)) < 0)
		return rc;
	if ((rc = copy_all(msg, req, SIP_HDR_VIA)) < 0)
		return rc;
	if ((rc = copy_all(msg, req, SIP_HDR_FROM)) < 0)
		return rc;
	to = sip_msg_hdr(req, SIP_HDR_TO);
	if (to) {
		rc = sip_build_hdr_str(msg, "To", to->value);
		/* the tag goes before the CRLF just written */
		if (!rc && to_tag && status > 100 && !req->to_tag.len) {
			msgb_get(msg, 2);
			rc = puts_(msg, ";tag=") ?: puts_(msg, to_tag) ?: crlf(msg);
		}
		if (rc < 0)
			return rc;
	}
	if ((rc = copy_all(msg, req, SIP_HDR_CALL_ID)) < 0)
		return rc;
	if ((rc = copy_all(msg, req, SIP_HDR_CSEQ)) < 0)
		return rc;
	if (status > 100 && status < 300 &&
	    (req->method_id == SIP_METHOD_INVITE || req->method_id == SIP_METHOD_SUBSCRIBE ||
	     req->method_id == SIP_METHOD_REFER))
		rc = copy_all(msg, req, SIP_HDR_RECORD_ROUTE);
	return rc;
}

int sip_build_error_response(struct msgb *msg, const struct sip_msg *req, const struct sip_parse_err *err,
			     const char *to_tag)
{
	int rc;

	if (!err->routable || !req->is_request || !err->status)
		return -EINVAL;
	rc = sip_build_response(msg, req, err->status, err->reason, to_tag);
	return rc ?: sip_build_no_body(msg);
}

/* libosmocore's context of msgb_alloc(): exported by the library, declared in no header */
extern void *tall_msgb_ctx;

struct msgb *sip_msgb_alloc(size_t size, const char *name)
{
	struct msgb *m;

	if (size > UINT16_MAX)
		return NULL;
	m = talloc_named_const(tall_msgb_ctx, sizeof(*m) + size, name);
	if (!m)
		return NULL;
	/* what msgb_alloc_c() sets up, less the memset of the data area */
	memset(m, 0, sizeof(*m));
	m->data_len = size;
	m->len = 0;
	m->data = m->head = m->tail = m->_data;
	return m;
}

struct msgb *sip_msgb_dup(const struct msgb *m, const char *name)
{
	struct msgb *n = sip_msgb_alloc(msgb_length(m) ? msgb_length(m) : 1, name);

	if (!n)
		return NULL;
	memcpy(msgb_put(n, msgb_length(m)), msgb_data(m), msgb_length(m));
	memcpy(n->cb, m->cb, sizeof(n->cb));
	return n;
}

static int gen_hex(char *buf, size_t len, const char *prefix, size_t nbytes)
{
	static const char hex[] = "0123456789abcdef";
	size_t plen = strlen(prefix), i;
	uint8_t rnd[16];
	int rc;

	if (nbytes > sizeof(rnd) || len < plen + 2 * nbytes + 1)
		return -EMSGSIZE;
	rc = mgcf_rand_bytes(rnd, nbytes);
	if (rc < 0)
		return rc;
	memcpy(buf, prefix, plen);
	for (i = 0; i < nbytes; i++) {
		buf[plen + 2 * i] = hex[rnd[i] >> 4];
		buf[plen + 2 * i + 1] = hex[rnd[i] & 0xf];
	}
	buf[plen + 2 * nbytes] = '\0';
	return 0;
}

int sip_gen_branch(char *buf, size_t len)
{
	return gen_hex(buf, len, SIP_BRANCH_COOKIE, 8);
}

int sip_gen_tag(char *buf, size_t len)
{
	return gen_hex(buf, len, "", 8);
}
