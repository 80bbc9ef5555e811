/* SIP message parser: start line, header fields, body framing (RFC 3261 §7, §18.3, §25.1). */
#include <errno.h>
#include <strings.h>
#include <talloc.h>

#include "sip/sip_msg.h"
#include "sip/sip_chars.h"

void sip_msg_init(struct sip_msg *msg, struct sip_hdr *hdrs, unsigned int max_hdrs)
{
	memset(msg, 0, sizeof(*msg));
	msg->hdrs = hdrs;
	msg->max_hdrs = max_hdrs > INT16_MAX ? INT16_MAX : max_hdrs;
}

struct sip_msg *sip_msg_alloc(void *ctx, unsigned int max_hdrs)
{
	struct sip_msg *msg;

	if (max_hdrs > INT16_MAX)
		max_hdrs = INT16_MAX;
	msg = talloc_size(ctx, sizeof(*msg) + max_hdrs * sizeof(struct sip_hdr));
	if (!msg)
		return NULL;
	talloc_set_name_const(msg, "struct sip_msg");
	sip_msg_init(msg, (struct sip_hdr *)(msg + 1), max_hdrs);
	return msg;
}

struct sip_msg *sip_msg_alloc_with_buf(void *ctx, unsigned int max_hdrs, const char *buf, size_t len)
{
	struct sip_msg *msg;
	char *copy;

	if (max_hdrs > INT16_MAX)
		max_hdrs = INT16_MAX;
	msg = talloc_size(ctx, sizeof(*msg) + max_hdrs * sizeof(struct sip_hdr) + len);
	if (!msg)
		return NULL;
	talloc_set_name_const(msg, "struct sip_msg");
	sip_msg_init(msg, (struct sip_hdr *)(msg + 1), max_hdrs);
	copy = (char *)(msg->hdrs + max_hdrs);
	if (len)
		memcpy(copy, buf, len);
	msg->buf = copy;
	return msg;
}

/* A slice into [from, from + len] moves to the same offset in to; others (NULL, literals) stay. */
static void rebase(struct sip_str *s, const char *from, size_t len, const char *to)
{
	uintptr_t p = (uintptr_t)s->p, f = (uintptr_t)from;

	if (s->p && p >= f && p <= f + len)
		s->p = to + (p - f);
}

static void rebase_via(struct sip_via *v, const char *from, size_t len, const char *to)
{
	rebase(&v->protocol, from, len, to);
	rebase(&v->version, from, len, to);
	rebase(&v->transport, from, len, to);
	rebase(&v->host, from, len, to);
	rebase(&v->params, from, len, to);
	rebase(&v->branch, from, len, to);
	rebase(&v->received, from, len, to);
	rebase(&v->maddr, from, len, to);
}

static void rebase_na(struct sip_name_addr *na, const char *from, size_t len, const char *to)
{
	rebase(&na->display, from, len, to);
	rebase(&na->uri, from, len, to);
	rebase(&na->params, from, len, to);
	rebase(&na->tag, from, len, to);
}

/* every slice of struct sip_msg and of the typed values in it (see sip_msg.h), the header array aside */
static void rebase_typed(struct sip_msg *m, const char *from, size_t len, const char *to)
{
	rebase(&m->method, from, len, to);
	rebase(&m->ruri, from, len, to);
	rebase(&m->reason, from, len, to);
	rebase(&m->version, from, len, to);
	rebase_via(&m->via, from, len, to);
	rebase_na(&m->from, from, len, to);
	rebase(&m->from_tag, from, len, to);
	rebase_na(&m->to, from, len, to);
	rebase(&m->to_tag, from, len, to);
	rebase(&m->cseq.method, from, len, to);
	rebase(&m->call_id, from, len, to);
	rebase(&m->body, from, len, to);
}

int sip_msg_copy(struct sip_msg *dst, const struct sip_msg *src, const char *buf)
{
	struct sip_hdr *hdrs = dst->hdrs;
	unsigned int max = dst->max_hdrs, i;
	const char *from = src->buf;
	size_t len = src->len;

	if (src->num_hdrs > max)
		return -EMSGSIZE;
	*dst = *src;
	dst->hdrs = hdrs;
	dst->max_hdrs = max;
	memcpy(hdrs, src->hdrs, src->num_hdrs * sizeof(*hdrs));
	dst->buf = buf;
	for (i = 0; i < dst->num_hdrs; i++) {
		rebase(&hdrs[i].name, from, len, buf);
		rebase(&hdrs[i].value, from, len, buf);
	}
	rebase_typed(dst, from, len, buf);
	return 0;
}

struct sip_msg *sip_msg_shrink(struct sip_msg *msg)
{
	size_t keep = msg->body.len ? (size_t)(msg->body.p - msg->buf) : msg->len;
	uintptr_t from = (uintptr_t)msg->buf;
	struct sip_msg *n;

	if (!msg->max_hdrs || keep > msg->len || (const char *)(msg->hdrs + msg->max_hdrs) != msg->buf)
		return msg;	/* shrunk already, or not laid out by sip_msg_alloc_with_buf() */
	memmove(msg + 1, msg->buf, keep);
	n = talloc_realloc_size(NULL, msg, sizeof(*msg) + keep);
	if (!n)
		n = msg;	/* glibc does not fail a shrink; if it did, the message stays as big, and valid */
	talloc_set_name_const(n, "struct sip_msg");	/* talloc_realloc names it after the call site */
	n->buf = (const char *)(n + 1);
	n->len = keep;
	rebase_typed(n, (const char *)from, keep, n->buf);
	n->body = (struct sip_str){ 0 };
	n->hdrs = NULL;
	n->num_hdrs = 0;
	n->max_hdrs = 0;
	memset(n->first, 0xff, sizeof(n->first));
	return n;
}

/* Parser state: the first error wins, later checks only complete the picture (routability). */
struct pstate {
	const char *buf;
	struct sip_parse_err *err;
	int rc;
};

static void fail(struct pstate *st, int rc, uint16_t status, const char *reason, const char *at)
{
	if (st->rc)
		return;
	st->rc = rc;
	st->err->status = status;
	st->err->reason = reason;
	st->err->offset = at >= st->buf ? (size_t)(at - st->buf) : 0;
}

static bool version_ok(struct sip_str v)
{
	return v.len == 7 && sip_mem_caseeq(v.p, "SIP/", 4) && memcmp(v.p + 4, "2.0", 3) == 0;
}

/* "SIP/" 1*DIGIT "." 1*DIGIT: some SIP version, possibly one we do not support */
static bool version_like(struct sip_str v)
{
	size_t i;

	if (v.len < 7 || !sip_mem_caseeq(v.p, "SIP/", 4))
		return false;
	for (i = 4; i < v.len; i++) {
		if ((v.p[i] < '0' || v.p[i] > '9') && v.p[i] != '.')
			return false;
	}
	return true;
}

/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF */
static void parse_status_line(struct pstate *st, struct sip_msg *msg, const char *p, const char *end)
{
	const char *sp = memchr(p, ' ', end - p), *c;

	msg->is_request = false;
	if (!sp) {
		fail(st, -EBADMSG, 400, "Malformed Status-Line", p);
		return;
	}
	msg->version = (struct sip_str){ p, sp - p };
	c = sp + 1;
	if (end - c < 3 || !(c[0] >= '1' && c[0] <= '6') || !(c[1] >= '0' && c[1] <= '9') ||
	    !(c[2] >= '0' && c[2] <= '9') || (end - c > 3 && c[3] != ' ')) {
		fail(st, -EBADMSG, 400, "Bad Status-Code", c);
		return;
	}
	msg->status = (uint16_t)((c[0] - '0') * 100 + (c[1] - '0') * 10 + (c[2] - '0'));
	/* RFC 4475 §3.1.1.13: the SP before an empty Reason-Phrase is required, a liberal parser accepts
	 * its absence */
	msg->reason = end - c > 3 ? (struct sip_str){ c + 4, end - c - 4 } : (struct sip_str){ end, 0 };
	if (!version_ok(msg->version))
		fail(st, -EPROTO, 505, "Version Not Supported", p);
}

/* Request-Line = Method SP Request-URI SP SIP-Version CRLF, with exactly one SP each (RFC 4475 §3.1.2.9,
 * §3.1.2.10 allow rejecting extra SP, which we do: a forwarded request must not carry it anyway). */
static void parse_request_line(struct pstate *st, struct sip_msg *msg, const char *p, const char *end)
{
	const char *m_end = sip_skip_token(p, end), *sp2, *u;
	struct sip_uri uri;

	msg->is_request = true;
	if (m_end == p || m_end == end || *m_end != ' ') {
		fail(st, -EBADMSG, 400, "Malformed Request-Line", m_end);
		return;
	}
	msg->method = (struct sip_str){ p, m_end - p };
	msg->method_id = sip_method_lookup(msg->method);
	u = m_end + 1;
	for (sp2 = end; sp2 > u && sp2[-1] != ' '; sp2--)
		;
	if (sp2 <= u + 1 || sp2 == end) {
		fail(st, -EBADMSG, 400, "Malformed Request-Line", u);
		return;
	}
	msg->ruri = (struct sip_str){ u, sp2 - 1 - u };
	msg->version = (struct sip_str){ sp2, end - sp2 };
	if (!version_ok(msg->version)) {
		if (version_like(msg->version))
			fail(st, -EPROTO, 505, "Version Not Supported", sp2);
		else
			fail(st, -EBADMSG, 400, "Malformed Request-Line", sp2);
	}
	/* LWS inside the Request-URI (RFC 4475 §3.1.2.8), <> around it (§3.1.2.7), headers in it (§3.1.2.11) */
	if (sip_uri_parse(&uri, msg->ruri, NULL) < 0 ||
	    ((uri.scheme == SIP_URI_SIP || uri.scheme == SIP_URI_SIPS) && uri.headers.len))
		fail(st, -EBADMSG, 400, "Malformed Request-URI", u);
}

struct seen {
	bool via_ok, from, from_ok, to, to_ok, call_id, call_id_ok, cseq, cseq_ok;
	bool bad_via;
};

/* The headers sip_msg_parse() checks and decodes itself; the others are parsed on demand. */
#define TYPED_HDRS ((1ULL << SIP_HDR_VIA) | (1ULL << SIP_HDR_FROM) | (1ULL << SIP_HDR_TO) | \
		    (1ULL << SIP_HDR_CALL_ID) | (1ULL << SIP_HDR_CSEQ) | (1ULL << SIP_HDR_MAX_FORWARDS) | \
		    (1ULL << SIP_HDR_CONTENT_LENGTH) | (1ULL << SIP_HDR_CONTACT))

static void typed_header(struct pstate *st, struct sip_msg *msg, struct seen *seen, struct sip_hdr *h)
{
	struct sip_str elem, rest = h->value;
	struct sip_via via;
	struct sip_contact ct;
	unsigned int n;
	uint32_t cl;
	int rc;

	switch (h->id) {
	case SIP_HDR_VIA:
		n = 0;
		while ((rc = sip_list_next(&rest, &elem)) > 0) {
			if (sip_via_parse(msg->num_via ? &via : &msg->via, elem) < 0) {
				seen->bad_via = true;
				fail(st, -EBADMSG, 400, "Malformed Via", h->name.p);
				return;
			}
			msg->num_via++;
			n++;
		}
		if (rc < 0 || !n) {
			seen->bad_via = true;
			fail(st, -EBADMSG, 400, "Malformed Via", h->name.p);
		}
		break;
	case SIP_HDR_FROM:
		if (seen->from) {
			seen->from_ok = false;
			fail(st, -EBADMSG, 400, "Duplicate From", h->name.p);
			break;
		}
		seen->from = true;
		if (sip_name_addr_parse(&msg->from, h->value, false) < 0) {
			fail(st, -EBADMSG, 400, "Malformed From", h->name.p);
			break;
		}
		seen->from_ok = true;
		msg->from_tag = msg->from.tag;
		break;
	case SIP_HDR_TO:
		if (seen->to) {
			seen->to_ok = false;
			fail(st, -EBADMSG, 400, "Duplicate To", h->name.p);
			break;
		}
		seen->to = true;
		if (sip_name_addr_parse(&msg->to, h->value, false) < 0) {
			fail(st, -EBADMSG, 400, "Malformed To", h->name.p);
			break;
		}
		seen->to_ok = true;
		msg->to_tag = msg->to.tag;
		break;
	case SIP_HDR_CALL_ID:
		if (seen->call_id) {
			seen->call_id_ok = false;
			fail(st, -EBADMSG, 400, "Duplicate Call-ID", h->name.p);
			break;
		}
		seen->call_id = true;
		if (sip_call_id_parse(h->value) < 0) {
			fail(st, -EBADMSG, 400, "Malformed Call-ID", h->name.p);
			break;
		}
		seen->call_id_ok = true;
		msg->call_id = h->value;
		break;
	case SIP_HDR_CSEQ:
		if (seen->cseq) {
			seen->cseq_ok = false;
			fail(st, -EBADMSG, 400, "Duplicate CSeq", h->name.p);
			break;
		}
		seen->cseq = true;
		if (sip_cseq_parse(&msg->cseq, h->value) < 0) {
			fail(st, -EBADMSG, 400, "Bad CSeq", h->name.p);
			break;
		}
		seen->cseq_ok = true;
		break;
	case SIP_HDR_MAX_FORWARDS:
		if (msg->has_max_forwards)
			fail(st, -EBADMSG, 400, "Duplicate Max-Forwards", h->name.p);
		else if (sip_max_forwards_parse(&msg->max_forwards, h->value) < 0)
			fail(st, -EBADMSG, 400, "Bad Max-Forwards", h->name.p);
		msg->has_max_forwards = true;
		break;
	case SIP_HDR_CONTENT_LENGTH:
		if (sip_content_length_parse(&cl, h->value) < 0) {
			fail(st, -EBADMSG, 400, "Bad Content-Length", h->name.p);
			break;
		}
		if (msg->has_content_length && cl != msg->content_length)
			fail(st, -EBADMSG, 400, "Content-Length mismatch", h->name.p);
		msg->has_content_length = true;
		msg->content_length = cl;
		break;
	case SIP_HDR_CONTACT:
		n = 0;
		while ((rc = sip_list_next(&rest, &elem)) > 0) {
			if (sip_contact_parse(&ct, elem) < 0)
				break;
			n++;
		}
		if (rc != 0 || !n)
			fail(st, -EBADMSG, 400, "Malformed Contact", h->name.p);
		break;
	default:
		break;
	}
}

int sip_msg_parse(struct sip_msg *msg, const char *buf, size_t len, const struct sip_parse_opts *opts,
		  struct sip_parse_err *err)
{
	static const struct sip_parse_opts default_opts = { .datagram = true };
	struct sip_hdr *hdrs = msg->hdrs;
	unsigned int max_hdrs = msg->max_hdrs;
	const char *p = buf, *end = buf + len, *nl, *le, *body;
	int16_t last[_NUM_SIP_HDR];
	struct pstate st = { .buf = buf, .err = err };
	struct seen seen = { 0 };
	bool incomplete = false;

	if (!opts)
		opts = &default_opts;
	memset(msg, 0, sizeof(*msg));
	msg->hdrs = hdrs;
	msg->max_hdrs = max_hdrs;
	msg->buf = buf;
	memset(msg->first, 0xff, sizeof(msg->first));
	memset(last, 0xff, sizeof(last));
	memset(err, 0, sizeof(*err));

	/* RFC 3261 §7.5: CRLFs before the start line are ignored (keep-alives on streams) */
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	if (p == end) {
		incomplete = true;
		goto truncated;
	}

	nl = memchr(p, '\n', end - p);
	if (!nl) {
		incomplete = true;
		goto truncated;
	}
	le = (nl > p && nl[-1] == '\r') ? nl - 1 : nl;
	if (end - p >= 4 && memcmp(p, "SIP/", 4) == 0)
		parse_status_line(&st, msg, p, le);
	else
		parse_request_line(&st, msg, p, le);
	p = nl + 1;

	/* header fields, each possibly folded over several lines (RFC 3261 §7.3.1) */
	for (;;) {
		const char *n, *v, *vend;
		struct sip_hdr *h;
		enum sip_hdr_id id;

		if (p == end) {
			incomplete = true;
			goto truncated;
		}
		if (*p == '\n') {
			body = p + 1;
			break;
		}
		if (*p == '\r') {
			if (p + 1 == end) {
				incomplete = true;
				goto truncated;
			}
			if (p[1] == '\n') {
				body = p + 2;
				break;
			}
		}
		n = sip_skip_token(p, end);
		v = n;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		if (n == p || v == end || *v != ':') {
			if (v == end) {
				incomplete = true;
				goto truncated;
			}
			fail(&st, -EBADMSG, 400, "Malformed header", p);
			return st.rc;
		}
		v++;
		for (nl = v;; nl++) {
			nl = memchr(nl, '\n', end - nl);
			if (!nl || nl + 1 == end) {
				incomplete = true;
				goto truncated;
			}
			if (nl[1] != ' ' && nl[1] != '\t')
				break;
		}
		vend = (nl[-1] == '\r') ? nl - 1 : nl;
		if (msg->num_hdrs >= msg->max_hdrs) {
			/* overflow is an error, never a silent truncation; later headers (maybe Via or CSeq) are
			 * unknown, so no response can be routed */
			st.rc = 0;
			fail(&st, -EMSGSIZE, 513, "Too Many Headers", p);
			err->routable = false;
			return st.rc;
		}
		id = sip_hdr_lookup(p, n - p);
		h = &msg->hdrs[msg->num_hdrs];
		h->id = id;
		h->name = (struct sip_str){ p, n - p };
		h->value = sip_str_trim((struct sip_str){ v, vend - v });
		h->next = -1;
		if (id != SIP_HDR_OTHER) {
			if (last[id] < 0)
				msg->first[id] = (int16_t)msg->num_hdrs;
			else
				msg->hdrs[last[id]].next = (int16_t)msg->num_hdrs;
			last[id] = (int16_t)msg->num_hdrs;
			if ((1ULL << id) & TYPED_HDRS)
				typed_header(&st, msg, &seen, h);
		}
		msg->num_hdrs++;
		p = nl + 1;
	}

	/* known once the headers are: a stream message refused for its Content-Length can still get its 513 */
	err->routable = msg->num_via && !seen.bad_via && seen.from_ok && seen.to_ok && seen.call_id_ok &&
			seen.cseq_ok;

	/* body framing (RFC 3261 §18.3) */
	if (msg->has_content_length) {
		size_t hdr_len = body - buf;

		if (msg->content_length > len - hdr_len) {
			if (!opts->datagram) {
				err->need = hdr_len + msg->content_length;
				if (opts->max_size && err->need > opts->max_size)
					goto too_large;
				err->reason = "Incomplete message";
				return -EAGAIN;
			}
			fail(&st, -EBADMSG, 400, "Content-Length mismatch", body);
			msg->body = (struct sip_str){ body, end - body };
			msg->len = len;
		} else {
			msg->body = (struct sip_str){ body, msg->content_length };
			msg->len = hdr_len + msg->content_length;
		}
	} else {
		if (!opts->datagram)
			fail(&st, -EBADMSG, 400, "Missing Content-Length", body);
		msg->body = (struct sip_str){ body, end - body };
		msg->len = len;
	}

	if (!msg->num_via && !seen.bad_via)
		fail(&st, -EBADMSG, 400, "Missing Via", body);
	if (!seen.from)
		fail(&st, -EBADMSG, 400, "Missing From", body);
	if (!seen.to)
		fail(&st, -EBADMSG, 400, "Missing To", body);
	if (!seen.call_id)
		fail(&st, -EBADMSG, 400, "Missing Call-ID", body);
	if (!seen.cseq)
		fail(&st, -EBADMSG, 400, "Missing CSeq", body);
	/* methods are case-sensitive (RFC 3261 §7.1) */
	if (msg->is_request && seen.cseq_ok && msg->method.len &&
	    (msg->cseq.method.len != msg->method.len || memcmp(msg->cseq.method.p, msg->method.p, msg->method.len))) {
		/* RFC 4475 §3.1.2.17/18: 400, or 501 when the method is one we do not implement anyway */
		fail(&st, -EPROTO, msg->method_id == SIP_METHOD_UNKNOWN ? 501 : 400,
		     msg->method_id == SIP_METHOD_UNKNOWN ? "Not Implemented" : "CSeq method mismatch",
		     msg->cseq.method.p);
	}
	if (opts->max_size && msg->len > opts->max_size) {
too_large:
		/* checked last so that the 513 wins over any other complaint (RFC 3261 §21.5.14) */
		st.rc = -EMSGSIZE;
		err->status = 513;
		err->reason = "Message Too Large";
		err->offset = 0;
	}
	return st.rc;

truncated:
	if (incomplete && !opts->datagram) {
		if (opts->max_size && len > opts->max_size)
			goto too_large;
		/* keep-alive CRLFs before the start line may be discarded by the caller */
		msg->len = 0;
		for (p = buf; p < end && (*p == '\r' || *p == '\n'); p++)
			msg->len++;
		err->reason = "Incomplete message";
		return -EAGAIN;
	}
	fail(&st, -EBADMSG, 400, "Truncated message", end);
	st.rc = -EBADMSG;
	err->status = 400;
	err->reason = "Truncated message";
	return st.rc;
}

/* ---- accessors -------------------------------------------------------------------------------------------- */

const struct sip_hdr *sip_msg_hdr(const struct sip_msg *msg, enum sip_hdr_id id)
{
	if (id <= SIP_HDR_OTHER || id >= _NUM_SIP_HDR || msg->first[id] < 0)
		return NULL;
	return &msg->hdrs[msg->first[id]];
}

const struct sip_hdr *sip_msg_find_hdr(const struct sip_msg *msg, const char *name)
{
	enum sip_hdr_id id = sip_hdr_lookup(name, strlen(name));
	unsigned int i;

	if (id != SIP_HDR_OTHER)
		return sip_msg_hdr(msg, id);
	for (i = 0; i < msg->num_hdrs; i++) {
		if (msg->hdrs[i].id == SIP_HDR_OTHER && sip_str_caseeq(msg->hdrs[i].name, name))
			return &msg->hdrs[i];
	}
	return NULL;
}

const struct sip_hdr *sip_msg_find_next_hdr(const struct sip_msg *msg, const struct sip_hdr *prev)
{
	unsigned int i;

	if (prev->id != SIP_HDR_OTHER)
		return prev->next >= 0 ? &msg->hdrs[prev->next] : NULL;
	for (i = (unsigned int)(prev - msg->hdrs) + 1; i < msg->num_hdrs; i++) {
		if (msg->hdrs[i].id == SIP_HDR_OTHER && sip_str_caseeq_str(msg->hdrs[i].name, prev->name))
			return &msg->hdrs[i];
	}
	return NULL;
}

int sip_msg_count(const struct sip_msg *msg, enum sip_hdr_id id)
{
	struct sip_hdr_iter it;
	struct sip_str elem;
	int n = 0, rc;

	sip_hdr_iter_init(&it, msg, id);
	while ((rc = sip_hdr_iter_next(&it, &elem)) > 0)
		n++;
	return rc < 0 ? rc : n;
}

bool sip_msg_has_option_tag(const struct sip_msg *msg, enum sip_hdr_id id, const char *tag)
{
	struct sip_hdr_iter it;
	struct sip_str elem;

	sip_hdr_iter_init(&it, msg, id);
	while (sip_hdr_iter_next(&it, &elem) > 0) {
		if (sip_str_caseeq(elem, tag))
			return true;
	}
	return false;
}

bool sip_msg_unsupported_tag(const struct sip_msg *msg, enum sip_hdr_id id, const char *const *supported,
			     struct sip_str *tag)
{
	struct sip_hdr_iter it;
	struct sip_str elem;
	int i;

	sip_hdr_iter_init(&it, msg, id);
	while (sip_hdr_iter_next(&it, &elem) > 0) {
		for (i = 0; supported[i]; i++) {
			if (sip_str_caseeq(elem, supported[i]))
				break;
		}
		if (!supported[i]) {
			*tag = elem;
			return true;
		}
	}
	return false;
}

bool sip_msg_accepts(const struct sip_msg *msg, const char *type, const char *subtype)
{
	struct sip_media_type mt;
	struct sip_hdr_iter it;
	struct sip_str elem;

	if (msg->first[SIP_HDR_ACCEPT] < 0)
		return strcasecmp(type, "application") == 0 && strcasecmp(subtype, "sdp") == 0;
	sip_hdr_iter_init(&it, msg, SIP_HDR_ACCEPT);
	while (sip_hdr_iter_next(&it, &elem) > 0) {
		if (sip_media_type_parse(&mt, elem, true) < 0)
			continue;
		if ((sip_str_eq(mt.type, "*") || sip_str_caseeq(mt.type, type)) &&
		    (sip_str_eq(mt.subtype, "*") || sip_str_caseeq(mt.subtype, subtype)))
			return true;
	}
	return false;
}

bool sip_msg_allows(const struct sip_msg *msg, enum sip_method method)
{
	struct sip_hdr_iter it;
	struct sip_str elem;

	sip_hdr_iter_init(&it, msg, SIP_HDR_ALLOW);
	while (sip_hdr_iter_next(&it, &elem) > 0) {
		if (method != SIP_METHOD_UNKNOWN && sip_method_lookup(elem) == method)
			return true;
	}
	return false;
}

static int first_value(const struct sip_msg *msg, enum sip_hdr_id id, struct sip_str *v)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, id);

	if (!h)
		return -ENOENT;
	*v = h->value;
	return 0;
}

int sip_msg_rseq(const struct sip_msg *msg, uint32_t *rseq)
{
	struct sip_str v;
	int rc = first_value(msg, SIP_HDR_RSEQ, &v);

	return rc ? rc : sip_rseq_parse(rseq, v);
}

int sip_msg_rack(const struct sip_msg *msg, struct sip_rack *rack)
{
	struct sip_str v;
	int rc = first_value(msg, SIP_HDR_RACK, &v);

	return rc ? rc : sip_rack_parse(rack, v);
}

int sip_msg_session_expires(const struct sip_msg *msg, struct sip_session_expires *se)
{
	struct sip_str v;
	int rc = first_value(msg, SIP_HDR_SESSION_EXPIRES, &v);

	return rc ? rc : sip_session_expires_parse(se, v);
}

int sip_msg_min_se(const struct sip_msg *msg, struct sip_session_expires *se)
{
	struct sip_str v;
	int rc = first_value(msg, SIP_HDR_MIN_SE, &v);

	return rc ? rc : sip_min_se_parse(se, v);
}

int sip_msg_event(const struct sip_msg *msg, struct sip_event *ev)
{
	struct sip_str v;
	int rc = first_value(msg, SIP_HDR_EVENT, &v);

	return rc ? rc : sip_event_parse(ev, v);
}

int sip_msg_content_type(const struct sip_msg *msg, struct sip_media_type *mt)
{
	struct sip_str v;
	int rc = first_value(msg, SIP_HDR_CONTENT_TYPE, &v);

	return rc ? rc : sip_media_type_parse(mt, v, false);
}

int sip_msg_retry_after(const struct sip_msg *msg, struct sip_retry_after *ra)
{
	struct sip_str v;
	int rc = first_value(msg, SIP_HDR_RETRY_AFTER, &v);

	return rc ? rc : sip_retry_after_parse(ra, v);
}

int sip_msg_expires(const struct sip_msg *msg, uint32_t *expires)
{
	struct sip_str v;
	int rc = first_value(msg, SIP_HDR_EXPIRES, &v);

	if (rc)
		return rc;
	return sip_str_to_u32(sip_str_trim(v), UINT32_MAX, expires) < 0 ? -EBADMSG : 0;
}

int sip_msg_privacy(const struct sip_msg *msg, uint32_t *mask)
{
	struct sip_hdr_iter it;
	struct sip_str elem;
	uint32_t m;
	int rc;

	*mask = 0;
	sip_hdr_iter_init(&it, msg, SIP_HDR_PRIVACY);
	while ((rc = sip_hdr_iter_next(&it, &elem)) > 0) {
		if (sip_privacy_parse(&m, elem) < 0)
			return -EBADMSG;
		*mask |= m;
	}
	return rc;
}

int sip_msg_reason(const struct sip_msg *msg, const char *protocol, struct sip_reason *r)
{
	struct sip_hdr_iter it;
	struct sip_str elem;
	int rc;

	sip_hdr_iter_init(&it, msg, SIP_HDR_REASON);
	while ((rc = sip_hdr_iter_next(&it, &elem)) > 0) {
		if (sip_reason_parse(r, elem) < 0)
			return -EBADMSG;
		if (sip_str_caseeq(r->protocol, protocol))
			return 0;
	}
	return rc < 0 ? rc : -ENOENT;
}
