/* SIP header fields: name table, list splitting, typed value parsers (RFC 3261 §7.3, §20, §25.1). */
#include <errno.h>

#include "sip/sip_msg.h"
#include "sip/sip_chars.h"

struct hdr_desc {
	const char *name;
	uint8_t len;
	bool list;		/* header = name HCOLON value *(COMMA value) */
};

#define H(id_, name_, list_) [id_] = { .name = name_, .len = sizeof(name_) - 1, .list = list_ }

static const struct hdr_desc hdr_descs[_NUM_SIP_HDR] = {
	H(SIP_HDR_ACCEPT, "Accept", true),				/* RFC 3261 §20.1 */
	H(SIP_HDR_ACCEPT_CONTACT, "Accept-Contact", true),		/* RFC 3841 §9.2 */
	H(SIP_HDR_ALLOW, "Allow", true),				/* RFC 3261 §20.5 */
	H(SIP_HDR_ALLOW_EVENTS, "Allow-Events", true),		/* RFC 6665 §8.2.2 */
	H(SIP_HDR_CALL_ID, "Call-ID", false),			/* RFC 3261 §20.8 */
	H(SIP_HDR_CONTACT, "Contact", true),			/* RFC 3261 §20.10 */
	H(SIP_HDR_CONTENT_DISPOSITION, "Content-Disposition", false),	/* RFC 3261 §20.11 */
	H(SIP_HDR_CONTENT_ENCODING, "Content-Encoding", true),	/* RFC 3261 §20.12 */
	H(SIP_HDR_CONTENT_LENGTH, "Content-Length", false),	/* RFC 3261 §20.14 */
	H(SIP_HDR_CONTENT_TYPE, "Content-Type", false),		/* RFC 3261 §20.15 */
	H(SIP_HDR_CSEQ, "CSeq", false),				/* RFC 3261 §20.16 */
	H(SIP_HDR_DATE, "Date", false),				/* RFC 3261 §20.17 */
	H(SIP_HDR_EVENT, "Event", false),				/* RFC 6665 §8.2.1 */
	H(SIP_HDR_EXPIRES, "Expires", false),			/* RFC 3261 §20.19 */
	H(SIP_HDR_FROM, "From", false),				/* RFC 3261 §20.20 */
	H(SIP_HDR_IDENTITY, "Identity", false),			/* RFC 8224 §4 */
	H(SIP_HDR_MAX_FORWARDS, "Max-Forwards", false),		/* RFC 3261 §20.22 */
	H(SIP_HDR_MIN_SE, "Min-SE", false),				/* RFC 4028 §5 */
	H(SIP_HDR_P_ASSERTED_IDENTITY, "P-Asserted-Identity", true),	/* RFC 3325 §9.1 */
	H(SIP_HDR_P_PREFERRED_IDENTITY, "P-Preferred-Identity", true),	/* RFC 3325 §9.2 */
	H(SIP_HDR_PRIVACY, "Privacy", false),			/* RFC 3323 §4.2 */
	H(SIP_HDR_PROXY_REQUIRE, "Proxy-Require", true),		/* RFC 3261 §20.29 */
	H(SIP_HDR_RACK, "RAck", false),				/* RFC 3262 §7.2 */
	H(SIP_HDR_REASON, "Reason", true),				/* RFC 3326 §2 */
	H(SIP_HDR_RECORD_ROUTE, "Record-Route", true),		/* RFC 3261 §20.30 */
	H(SIP_HDR_REFER_TO, "Refer-To", false),			/* RFC 3515 §2.1 */
	H(SIP_HDR_REFERRED_BY, "Referred-By", false),		/* RFC 3892 §3 */
	H(SIP_HDR_REJECT_CONTACT, "Reject-Contact", true),		/* RFC 3841 §9.2 */
	H(SIP_HDR_REQUEST_DISPOSITION, "Request-Disposition", true),	/* RFC 3841 §9.1 */
	H(SIP_HDR_REQUIRE, "Require", true),				/* RFC 3261 §20.32 */
	H(SIP_HDR_RETRY_AFTER, "Retry-After", false),		/* RFC 3261 §20.33 */
	H(SIP_HDR_ROUTE, "Route", true),				/* RFC 3261 §20.34 */
	H(SIP_HDR_RSEQ, "RSeq", false),				/* RFC 3262 §7.1 */
	H(SIP_HDR_SESSION_EXPIRES, "Session-Expires", false),	/* RFC 4028 §4 */
	H(SIP_HDR_SUBJECT, "Subject", false),			/* RFC 3261 §20.36 */
	H(SIP_HDR_SUPPORTED, "Supported", true),			/* RFC 3261 §20.37 */
	H(SIP_HDR_TO, "To", false),				/* RFC 3261 §20.39 */
	H(SIP_HDR_UNSUPPORTED, "Unsupported", true),			/* RFC 3261 §20.40 */
	H(SIP_HDR_USER_AGENT, "User-Agent", false),			/* RFC 3261 §20.41 */
	H(SIP_HDR_VIA, "Via", true),				/* RFC 3261 §20.42 */
	H(SIP_HDR_WARNING, "Warning", true),				/* RFC 3261 §20.43 */
};

const struct value_string sip_hdr_id_names[] = {
	{ SIP_HDR_OTHER, "other" },
	{ SIP_HDR_ACCEPT, "Accept" },
	{ SIP_HDR_ACCEPT_CONTACT, "Accept-Contact" },
	{ SIP_HDR_ALLOW, "Allow" },
	{ SIP_HDR_ALLOW_EVENTS, "Allow-Events" },
	{ SIP_HDR_CALL_ID, "Call-ID" },
	{ SIP_HDR_CONTACT, "Contact" },
	{ SIP_HDR_CONTENT_DISPOSITION, "Content-Disposition" },
	{ SIP_HDR_CONTENT_ENCODING, "Content-Encoding" },
	{ SIP_HDR_CONTENT_LENGTH, "Content-Length" },
	{ SIP_HDR_CONTENT_TYPE, "Content-Type" },
	{ SIP_HDR_CSEQ, "CSeq" },
	{ SIP_HDR_DATE, "Date" },
	{ SIP_HDR_EVENT, "Event" },
	{ SIP_HDR_EXPIRES, "Expires" },
	{ SIP_HDR_FROM, "From" },
	{ SIP_HDR_IDENTITY, "Identity" },
	{ SIP_HDR_MAX_FORWARDS, "Max-Forwards" },
	{ SIP_HDR_MIN_SE, "Min-SE" },
	{ SIP_HDR_P_ASSERTED_IDENTITY, "P-Asserted-Identity" },
	{ SIP_HDR_P_PREFERRED_IDENTITY, "P-Preferred-Identity" },
	{ SIP_HDR_PRIVACY, "Privacy" },
	{ SIP_HDR_PROXY_REQUIRE, "Proxy-Require" },
	{ SIP_HDR_RACK, "RAck" },
	{ SIP_HDR_REASON, "Reason" },
	{ SIP_HDR_RECORD_ROUTE, "Record-Route" },
	{ SIP_HDR_REFER_TO, "Refer-To" },
	{ SIP_HDR_REFERRED_BY, "Referred-By" },
	{ SIP_HDR_REJECT_CONTACT, "Reject-Contact" },
	{ SIP_HDR_REQUEST_DISPOSITION, "Request-Disposition" },
	{ SIP_HDR_REQUIRE, "Require" },
	{ SIP_HDR_RETRY_AFTER, "Retry-After" },
	{ SIP_HDR_ROUTE, "Route" },
	{ SIP_HDR_RSEQ, "RSeq" },
	{ SIP_HDR_SESSION_EXPIRES, "Session-Expires" },
	{ SIP_HDR_SUBJECT, "Subject" },
	{ SIP_HDR_SUPPORTED, "Supported" },
	{ SIP_HDR_TO, "To" },
	{ SIP_HDR_UNSUPPORTED, "Unsupported" },
	{ SIP_HDR_USER_AGENT, "User-Agent" },
	{ SIP_HDR_VIA, "Via" },
	{ SIP_HDR_WARNING, "Warning" },
	{ 0, NULL }
};

const struct value_string sip_method_names[] = {
	{ SIP_METHOD_UNKNOWN, "UNKNOWN" },
	{ SIP_METHOD_INVITE, "INVITE" },
	{ SIP_METHOD_ACK, "ACK" },
	{ SIP_METHOD_BYE, "BYE" },
	{ SIP_METHOD_CANCEL, "CANCEL" },
	{ SIP_METHOD_OPTIONS, "OPTIONS" },
	{ SIP_METHOD_REGISTER, "REGISTER" },
	{ SIP_METHOD_PRACK, "PRACK" },
	{ SIP_METHOD_UPDATE, "UPDATE" },
	{ SIP_METHOD_INFO, "INFO" },
	{ SIP_METHOD_SUBSCRIBE, "SUBSCRIBE" },
	{ SIP_METHOD_NOTIFY, "NOTIFY" },
	{ SIP_METHOD_REFER, "REFER" },
	{ SIP_METHOD_MESSAGE, "MESSAGE" },
	{ SIP_METHOD_PUBLISH, "PUBLISH" },
	{ 0, NULL }
};

const struct value_string sip_se_refresher_names[] = {
	{ SIP_SE_REFRESHER_NONE, "none" },
	{ SIP_SE_REFRESHER_UAC, "uac" },
	{ SIP_SE_REFRESHER_UAS, "uas" },
	{ 0, NULL }
};

/* Candidates by first letter: the lookup compares a name only with the few rows that share its first letter and
 * length.  The test suite checks that every row of hdr_descs is reachable from its own name. */
static const uint8_t ids_a[] = { SIP_HDR_ACCEPT, SIP_HDR_ACCEPT_CONTACT, SIP_HDR_ALLOW, SIP_HDR_ALLOW_EVENTS, 0 };
static const uint8_t ids_c[] = { SIP_HDR_CALL_ID, SIP_HDR_CONTACT, SIP_HDR_CONTENT_DISPOSITION,
				 SIP_HDR_CONTENT_ENCODING, SIP_HDR_CONTENT_LENGTH, SIP_HDR_CONTENT_TYPE, SIP_HDR_CSEQ, 0 };
static const uint8_t ids_d[] = { SIP_HDR_DATE, 0 };
static const uint8_t ids_e[] = { SIP_HDR_EVENT, SIP_HDR_EXPIRES, 0 };
static const uint8_t ids_f[] = { SIP_HDR_FROM, 0 };
static const uint8_t ids_i[] = { SIP_HDR_IDENTITY, 0 };
static const uint8_t ids_m[] = { SIP_HDR_MAX_FORWARDS, SIP_HDR_MIN_SE, 0 };
static const uint8_t ids_p[] = { SIP_HDR_P_ASSERTED_IDENTITY, SIP_HDR_P_PREFERRED_IDENTITY, SIP_HDR_PRIVACY,
				 SIP_HDR_PROXY_REQUIRE, 0 };
static const uint8_t ids_r[] = { SIP_HDR_RACK, SIP_HDR_REASON, SIP_HDR_RECORD_ROUTE, SIP_HDR_REFER_TO,
				 SIP_HDR_REFERRED_BY, SIP_HDR_REJECT_CONTACT, SIP_HDR_REQUEST_DISPOSITION, SIP_HDR_REQUIRE,
				 SIP_HDR_RETRY_AFTER, SIP_HDR_ROUTE, SIP_HDR_RSEQ, 0 };
static const uint8_t ids_s[] = { SIP_HDR_SESSION_EXPIRES, SIP_HDR_SUBJECT, SIP_HDR_SUPPORTED, 0 };
static const uint8_t ids_t[] = { SIP_HDR_TO, 0 };
static const uint8_t ids_u[] = { SIP_HDR_UNSUPPORTED, SIP_HDR_USER_AGENT, 0 };
static const uint8_t ids_v[] = { SIP_HDR_VIA, 0 };
static const uint8_t ids_w[] = { SIP_HDR_WARNING, 0 };

static const uint8_t *const ids_by_letter[26] = {
	['a' - 'a'] = ids_a, ['c' - 'a'] = ids_c, ['d' - 'a'] = ids_d, ['e' - 'a'] = ids_e, ['f' - 'a'] = ids_f,
	['i' - 'a'] = ids_i, ['m' - 'a'] = ids_m, ['p' - 'a'] = ids_p, ['r' - 'a'] = ids_r, ['s' - 'a'] = ids_s,
	['t' - 'a'] = ids_t, ['u' - 'a'] = ids_u, ['v' - 'a'] = ids_v, ['w' - 'a'] = ids_w,
};

/* RFC 3261 §7.3.3 and the extension RFCs cited in hdr_descs */
static const uint8_t compact_ids[26] = {
	['a' - 'a'] = SIP_HDR_ACCEPT_CONTACT, ['b' - 'a'] = SIP_HDR_REFERRED_BY, ['c' - 'a'] = SIP_HDR_CONTENT_TYPE,
	['d' - 'a'] = SIP_HDR_REQUEST_DISPOSITION, ['e' - 'a'] = SIP_HDR_CONTENT_ENCODING, ['f' - 'a'] = SIP_HDR_FROM,
	['i' - 'a'] = SIP_HDR_CALL_ID, ['j' - 'a'] = SIP_HDR_REJECT_CONTACT, ['k' - 'a'] = SIP_HDR_SUPPORTED,
	['l' - 'a'] = SIP_HDR_CONTENT_LENGTH, ['m' - 'a'] = SIP_HDR_CONTACT, ['o' - 'a'] = SIP_HDR_EVENT,
	['r' - 'a'] = SIP_HDR_REFER_TO, ['s' - 'a'] = SIP_HDR_SUBJECT, ['t' - 'a'] = SIP_HDR_TO,
	['u' - 'a'] = SIP_HDR_ALLOW_EVENTS, ['v' - 'a'] = SIP_HDR_VIA, ['x' - 'a'] = SIP_HDR_SESSION_EXPIRES,
	['y' - 'a'] = SIP_HDR_IDENTITY,
};

/* Case-insensitive equality of header-name tokens: OR-ing 0x20 folds letters and maps no two token characters
 * onto each other. */
static inline bool token_caseeq(const char *a, const char *b, size_t len)
{
	const uint64_t fold = 0x2020202020202020ULL;
	uint64_t x, y;
	size_t i;

	if (len < 4) {
		for (i = 0; i < len; i++) {
			if ((a[i] | 0x20) != (b[i] | 0x20))
				return false;
		}
		return true;
	}
	if (len < 8) {
		uint32_t u, v;

		/* first and last four bytes, overlapping */
		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		if ((u | 0x20202020U) != (v | 0x20202020U))
			return false;
		memcpy(&u, a + len - 4, 4);
		memcpy(&v, b + len - 4, 4);
		return (u | 0x20202020U) == (v | 0x20202020U);
	}
	/* eight bytes at a time; the last word overlaps the previous one */
	for (i = 0; i + 8 < len; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if ((x | fold) != (y | fold))
			return false;
	}
	memcpy(&x, a + len - 8, 8);
	memcpy(&y, b + len - 8, 8);
	return (x | fold) == (y | fold);
}

enum sip_hdr_id sip_hdr_lookup(const char *name, size_t len)
{
	const uint8_t *ids;
	char c0;

	if (!len)
		return SIP_HDR_OTHER;
	c0 = name[0] | 0x20;
	if (c0 < 'a' || c0 > 'z')
		return SIP_HDR_OTHER;
	if (len == 1)
		return compact_ids[c0 - 'a'];
	ids = ids_by_letter[c0 - 'a'];
	if (!ids)
		return SIP_HDR_OTHER;
	for (; *ids; ids++) {
		const struct hdr_desc *d = &hdr_descs[*ids];

		if (d->len == len && token_caseeq(d->name, name, len))
			return *ids;
	}
	return SIP_HDR_OTHER;
}

const char *sip_hdr_name(enum sip_hdr_id id)
{
	if (id <= SIP_HDR_OTHER || id >= _NUM_SIP_HDR)
		return NULL;
	return hdr_descs[id].name;
}

bool sip_hdr_is_list(enum sip_hdr_id id)
{
	return id > SIP_HDR_OTHER && id < _NUM_SIP_HDR && hdr_descs[id].list;
}

enum sip_method sip_method_lookup(struct sip_str s)
{
	int i;

	/* Methods are case-sensitive (RFC 3261 §7.1); the names are 3 to 9 characters long. */
	if (s.len < 3 || s.len > 9)
		return SIP_METHOD_UNKNOWN;
	for (i = SIP_METHOD_INVITE; i < _NUM_SIP_METHOD; i++) {
		const char *n = sip_method_names[i].str;

		/* memcmp, not strncmp: the slice may contain NUL */
		if (n[0] == s.p[0] && strlen(n) == s.len && memcmp(n, s.p, s.len) == 0)
			return i;
	}
	return SIP_METHOD_UNKNOWN;
}

int sip_list_next(struct sip_str *rest, struct sip_str *elem)
{
	const char *p, *end, *start;
	bool angle = false;

	if (!rest->len)
		return 0;
	p = rest->p;
	end = rest->p + rest->len;

	p = sip_skip_ws(p, end);
	if (p == end) {
		*rest = (struct sip_str){ end, 0 };
		return 0;
	}
	start = p;
	/* usually no quote or '<' comes before the next comma: then that comma ends the element (looking only that
	 * far keeps long lists linear) */
	{
		const char *c = memchr(p, ',', end - p), *seg_end = c ? c : end;

		if (!memchr(p, '"', seg_end - p) && !memchr(p, '<', seg_end - p)) {
			p = seg_end;
			goto found;
		}
	}
	for (; p < end; p++) {
		if (!sipc(*p, SIPC_LIST))
			continue;
		if (*p == '"') {
			p = sip_skip_quoted(p, end);
			if (!p)
				return -EBADMSG;
		} else if (*p == '<') {
			if (angle)
				return -EBADMSG;
			angle = true;
		} else if (*p == '>') {
			angle = false;
		} else if (*p == ',' && !angle) {
			break;
		}
	}
	if (angle)
		return -EBADMSG;
found:
	*elem = sip_str_trim((struct sip_str){ start, p - start });
	if (p < end)
		p++;
	*rest = (struct sip_str){ p, end - p };
	return 1;
}

void sip_hdr_iter_init(struct sip_hdr_iter *it, const struct sip_msg *msg, enum sip_hdr_id id)
{
	memset(it, 0, sizeof(*it));
	it->msg = msg;
	it->id = id;
	it->idx = (id > SIP_HDR_OTHER && id < _NUM_SIP_HDR) ? msg->first[id] : -1;
	it->split = sip_hdr_is_list(id);
	if (it->idx >= 0)
		it->rest = msg->hdrs[it->idx].value;
}

int sip_hdr_iter_next(struct sip_hdr_iter *it, struct sip_str *elem)
{
	int rc;

	while (it->idx >= 0) {
		const struct sip_hdr *h = &it->msg->hdrs[it->idx];

		if (!it->split) {
			if (it->rest.p) {
				*elem = h->value;
				it->rest.p = NULL;
				return 1;
			}
		} else {
			rc = sip_list_next(&it->rest, elem);
			if (rc != 0)
				return rc;
		}
		it->idx = h->next;
		if (it->idx >= 0)
			it->rest = it->msg->hdrs[it->idx].value;
	}
	return 0;
}

/* ---- typed parsers ---------------------------------------------------------------------------------------- */

/* A token at p (after LWS); returns its end, or NULL if empty. */
static const char *take_token(const char *p, const char *end, struct sip_str *tok)
{
	const char *e = sip_skip_token(p, end);

	if (e == p)
		return NULL;
	*tok = (struct sip_str){ p, e - p };
	return e;
}

/* Expect [LWS] c [LWS] at p; returns the position after it or NULL. */
static const char *expect_sep(const char *p, const char *end, char c)
{
	p = sip_skip_ws(p, end);
	if (p == end || *p != c)
		return NULL;
	return sip_skip_ws(p + 1, end);
}

/* After a value: nothing, or [LWS] ";" params; validate=false when the caller walks the params anyway. */
static int take_params_v(const char *p, const char *end, struct sip_str *params, bool validate)
{
	p = sip_skip_ws(p, end);
	if (p == end) {
		*params = (struct sip_str){ end, 0 };
		return 0;
	}
	if (*p != ';')
		return -EBADMSG;
	*params = (struct sip_str){ p + 1, end - p - 1 };
	/* SEMI must be followed by a parameter */
	if (sip_skip_ws(p + 1, end) == end)
		return -EBADMSG;
	return (!validate || sip_params_valid(*params)) ? 0 : -EBADMSG;
}

static int take_params(const char *p, const char *end, struct sip_str *params)
{
	return take_params_v(p, end, params, true);
}

static int parse_port(struct sip_str s, uint16_t *port)
{
	uint32_t v;

	if (sip_str_to_u32(s, 65535, &v) < 0)
		return -EBADMSG;
	*port = (uint16_t)v;
	return 0;
}

int sip_via_parse(struct sip_via *via, struct sip_str s_in)
{
	struct sip_str s = sip_str_nn(s_in);
	const char *p = s.p, *end = s.p + s.len, *h;
	struct sip_param prm;
	struct sip_str rest;
	int rc;

	memset(via, 0, sizeof(*via));
	p = sip_skip_ws(p, end);
	/* sent-protocol = protocol-name SLASH protocol-version SLASH transport, SLASH = SWS "/" SWS */
	if (!(p = take_token(p, end, &via->protocol)) || !(p = expect_sep(p, end, '/')) ||
	    !(p = take_token(p, end, &via->version)) || !(p = expect_sep(p, end, '/')) ||
	    !(p = take_token(p, end, &via->transport)))
		return -EBADMSG;
	h = sip_skip_ws(p, end);
	if (h == p || h == end)
		return -EBADMSG;
	p = h;
	/* sent-by = host [ COLON port ] */
	if (*p == '[') {
		h = memchr(p, ']', end - p);
		if (!h || h == p + 1)
			return -EBADMSG;
		via->host = (struct sip_str){ p + 1, h - p - 1 };
		via->host_ipv6 = true;
		for (p++; p < h; p++) {
			if (!sipc_hex(*p) && *p != ':' && *p != '.')
				return -EBADMSG;
		}
		p = h + 1;
	} else {
		for (h = p; h < end && sipc(*h, SIPC_HOST); h++)
			;
		if (h == p)
			return -EBADMSG;
		via->host = (struct sip_str){ p, h - p };
		p = h;
	}
	h = sip_skip_ws(p, end);
	if (h < end && *h == ':') {
		p = sip_skip_ws(h + 1, end);
		for (h = p; h < end && *h >= '0' && *h <= '9'; h++)
			;
		if (parse_port((struct sip_str){ p, h - p }, &via->port) < 0)
			return -EBADMSG;
		via->has_port = true;
		p = h;
	}
	if ((rc = take_params_v(p, end, &via->params, false)) < 0)
		return rc;
	rest = via->params;
	while ((rc = sip_param_next(&rest, &prm)) > 0) {
		uint32_t v;

		if (sip_str_caseeq(prm.name, "branch")) {
			if (!prm.has_value)
				return -EBADMSG;
			via->has_branch = true;
			via->branch = prm.value;
		} else if (sip_str_caseeq(prm.name, "received")) {
			if (!prm.has_value)
				return -EBADMSG;
			via->has_received = true;
			via->received = prm.value;
		} else if (sip_str_caseeq(prm.name, "rport")) {
			via->has_rport = true;
			if (prm.has_value) {
				if (parse_port(prm.value, &via->rport) < 0)
					return -EBADMSG;
				via->has_rport_value = true;
			}
		} else if (sip_str_caseeq(prm.name, "maddr")) {
			if (!prm.has_value)
				return -EBADMSG;
			via->has_maddr = true;
			via->maddr = prm.value;
		} else if (sip_str_caseeq(prm.name, "ttl")) {
			if (!prm.has_value || sip_str_to_u32(prm.value, 255, &v) < 0)
				return -EBADMSG;
			via->has_ttl = true;
			via->ttl = (uint8_t)v;
		}
	}
	return rc;
}

bool sip_via_branch_is_rfc3261(const struct sip_via *via)
{
	size_t n = sizeof(SIP_BRANCH_COOKIE) - 1;

	return via->has_branch && via->branch.len > n && memcmp(via->branch.p, SIP_BRANCH_COOKIE, n) == 0;
}

/* Header parameters of a name-addr: checked in one walk that also picks up the tag. */
static int name_addr_params(struct sip_name_addr *na, const char *p, const char *end)
{
	struct sip_param prm;
	struct sip_str rest;
	int rc;

	if ((rc = take_params_v(p, end, &na->params, false)) < 0)
		return rc;
	rest = na->params;
	while ((rc = sip_param_next(&rest, &prm)) > 0) {
		if (prm.name.len == 3 && sip_mem_caseeq(prm.name.p, "tag", 3))
			na->tag = prm.value;
	}
	return rc;
}

int sip_name_addr_parse(struct sip_name_addr *na, struct sip_str s_in, bool allow_wildcard)
{
	struct sip_str s = sip_str_nn(s_in);
	const char *p, *end, *q;
	struct sip_uri uri;

	memset(na, 0, sizeof(*na));
	s = sip_str_trim(s);
	p = s.p;
	end = s.p + s.len;
	if (p == end)
		return -EBADMSG;
	if (allow_wildcard && *p == '*') {
		na->wildcard = true;
		na->uri = (struct sip_str){ p, 1 };
		return name_addr_params(na, p + 1, end);
	}
	if (*p == '"') {
		q = sip_skip_quoted(p, end);
		if (!q)
			return -EBADMSG;
		na->display = (struct sip_str){ p + 1, q - p - 1 };
		na->display_quoted = true;
		p = sip_skip_ws(q + 1, end);
		if (p == end || *p != '<')
			return -EBADMSG;
	} else {
		/* display-name = *(token LWS): scan tokens; a '<' makes it a name-addr, anything else an addr-spec.
		 * RFC 4475 §3.1.1.6 allows no LWS before '<'. */
		for (q = p; q < end && sipc(*q, SIPC_TOKEN | SIPC_WS); q++)
			;
		if (q < end && *q == '<') {
			na->display = sip_str_trim((struct sip_str){ p, q - p });
			p = q;
		}
	}
	if (*p == '<') {
		q = memchr(p, '>', end - p);
		if (!q)
			return -EBADMSG;
		na->bracketed = true;
		na->uri = (struct sip_str){ p + 1, q - p - 1 };
		if (sip_uri_parse(&uri, na->uri, NULL) < 0)
			return -EBADMSG;
		return name_addr_params(na, q + 1, end);
	}
	/* addr-spec: the URI ends at the first ';' (its parameters are header parameters) or at LWS */
	for (q = p; q < end && *q != ';' && !sipc(*q, SIPC_WS); q++)
		;
	na->uri = (struct sip_str){ p, q - p };
	if (sip_uri_parse(&uri, na->uri, NULL) < 0)
		return -EBADMSG;
	/* an addr-spec URI must not carry headers, else it had to be a name-addr (RFC 3261 §20.10) */
	if (uri.headers.len || memchr(na->uri.p, '?', na->uri.len))
		return -EBADMSG;
	return name_addr_params(na, q, end);
}

bool sip_name_addr_tag(const struct sip_name_addr *na, struct sip_str *tag)
{
	if (!na->tag.len)
		return false;
	if (tag)
		*tag = na->tag;
	return true;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths */
static int parse_qvalue(struct sip_str s, uint16_t *q)
{
	unsigned int v, scale = 100;
	size_t i;

	if (!s.len || (s.p[0] != '0' && s.p[0] != '1'))
		return -EBADMSG;
	v = (unsigned int)(s.p[0] - '0') * 1000;
	if (s.len == 1)
		goto out;
	if (s.p[1] != '.' || s.len > 5)
		return -EBADMSG;
	for (i = 2; i < s.len; i++, scale /= 10) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -EBADMSG;
		v += (unsigned int)(s.p[i] - '0') * scale;
	}
	if (v > 1000)
		return -EBADMSG;
out:
	*q = (uint16_t)v;
	return 0;
}

int sip_contact_parse(struct sip_contact *c, struct sip_str s)
{
	struct sip_param prm;
	struct sip_str rest;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = sip_name_addr_parse(&c->na, s, true)) < 0)
		return rc;
	rest = c->na.params;
	while (sip_param_next(&rest, &prm) > 0) {
		if (sip_str_caseeq(prm.name, "expires")) {
			if (!prm.has_value)
				return -EBADMSG;
			rc = sip_str_to_u32(prm.value, UINT32_MAX, &c->expires);
			/* RFC 4475 §3.1.2.4: an overlarge expiry may be treated as its largest value */
			if (rc == -ERANGE)
				c->expires = UINT32_MAX;
			else if (rc < 0)
				return rc;
			c->has_expires = true;
		} else if (sip_str_caseeq(prm.name, "q")) {
			if (!prm.has_value || parse_qvalue(prm.value, &c->q) < 0)
				return -EBADMSG;
			c->has_q = true;
		}
	}
	return 0;
}

/* 1*DIGIT LWS token, the shape of CSeq and of the tail of RAck */
static const char *take_num(const char *p, const char *end, uint32_t min, uint32_t max, uint32_t *out)
{
	const char *e;

	p = sip_skip_ws(p, end);
	for (e = p; e < end && *e >= '0' && *e <= '9'; e++)
		;
	if (sip_str_to_u32((struct sip_str){ p, e - p }, max, out) < 0 || *out < min)
		return NULL;
	return e;
}

static int take_method_end(const char *p, const char *end, struct sip_str *method, enum sip_method *id)
{
	const char *e = sip_skip_ws(p, end);

	if (e == p)
		return -EBADMSG;
	if (!(e = take_token(e, end, method)))
		return -EBADMSG;
	if (sip_skip_ws(e, end) != end)
		return -EBADMSG;
	*id = sip_method_lookup(*method);
	return 0;
}

int sip_cseq_parse(struct sip_cseq *cseq, struct sip_str s_in)
{
	struct sip_str s = sip_str_nn(s_in);
	const char *p, *end = s.p + s.len;

	memset(cseq, 0, sizeof(*cseq));
	if (!(p = take_num(s.p, end, 0, SIP_CSEQ_MAX, &cseq->num)))
		return -EBADMSG;
	return take_method_end(p, end, &cseq->method, &cseq->method_id);
}

int sip_rack_parse(struct sip_rack *rack, struct sip_str s_in)
{
	struct sip_str s = sip_str_nn(s_in);
	const char *p, *end = s.p + s.len, *q;

	memset(rack, 0, sizeof(*rack));
	if (!(p = take_num(s.p, end, 1, UINT32_MAX, &rack->rseq)))
		return -EBADMSG;
	q = sip_skip_ws(p, end);
	if (q == p || !(p = take_num(q, end, 0, SIP_CSEQ_MAX, &rack->cseq)))
		return -EBADMSG;
	return take_method_end(p, end, &rack->method, &rack->method_id);
}

int sip_rseq_parse(uint32_t *rseq, struct sip_str s_in)
{
	struct sip_str s = sip_str_nn(s_in);
	uint32_t v;

	if (sip_str_to_u32(sip_str_trim(s), UINT32_MAX, &v) < 0 || v == 0)
		return -EBADMSG;
	*rseq = v;
	return 0;
}

int sip_max_forwards_parse(uint8_t *mf, struct sip_str s_in)
{
	struct sip_str s = sip_str_nn(s_in);
	uint32_t v;

	if (sip_str_to_u32(sip_str_trim(s), 255, &v) < 0)
		return -EBADMSG;
	*mf = (uint8_t)v;
	return 0;
}

int sip_content_length_parse(uint32_t *cl, struct sip_str s_in)
{
	struct sip_str s = sip_str_nn(s_in);
	return sip_str_to_u32(sip_str_trim(s), UINT32_MAX, cl) < 0 ? -EBADMSG : 0;
}

int sip_call_id_parse(struct sip_str s_in)
{
	struct sip_str s = sip_str_nn(s_in);
	const char *at;
	size_t i;

	s = sip_str_trim(s);
	if (!s.len)
		return -EBADMSG;
	/* word ["@" word]: one '@' at most, not at either end */
	for (i = 0, at = NULL; i < s.len; i++) {
		if (s.p[i] == '@') {
			if (at || i == 0 || i == s.len - 1)
				return -EBADMSG;
			at = s.p + i;
		} else if (!sipc(s.p[i], SIPC_WORD)) {
			return -EBADMSG;
		}
	}
	return 0;
}

/* delta-seconds *(SEMI param) */
static int parse_delta_params(struct sip_str s_in, uint32_t *delta, struct sip_str *params)
{
	struct sip_str s = sip_str_nn(s_in);
	const char *p = sip_skip_ws(s.p, s.p + s.len), *end = s.p + s.len;

	if (!(p = take_num(p, end, 0, UINT32_MAX, delta)))
		return -EBADMSG;
	return take_params(p, end, params);
}

int sip_session_expires_parse(struct sip_session_expires *se, struct sip_str s)
{
	struct sip_str v;
	int rc;

	memset(se, 0, sizeof(*se));
	if ((rc = parse_delta_params(s, &se->delta, &se->params)) < 0)
		return rc;
	if (sip_param_find(se->params, "refresher", &v)) {
		if (sip_str_caseeq(v, "uac"))
			se->refresher = SIP_SE_REFRESHER_UAC;
		else if (sip_str_caseeq(v, "uas"))
			se->refresher = SIP_SE_REFRESHER_UAS;
		else
			return -EBADMSG;
	}
	return 0;
}

int sip_min_se_parse(struct sip_session_expires *se, struct sip_str s)
{
	memset(se, 0, sizeof(*se));
	return parse_delta_params(s, &se->delta, &se->params);
}

int sip_event_parse(struct sip_event *ev, struct sip_str s_in)
{
	struct sip_str s = sip_str_nn(s_in);
	const char *p, *end = s.p + s.len;

	memset(ev, 0, sizeof(*ev));
	p = sip_skip_ws(s.p, end);
	if (!(p = take_token(p, end, &ev->package)))
		return -EBADMSG;
	if (take_params(p, end, &ev->params) < 0)
		return -EBADMSG;
	ev->has_id = sip_param_find(ev->params, "id", &ev->id);
	return 0;
}

int sip_reason_parse(struct sip_reason *r, struct sip_str s_in)
{
	struct sip_str s = sip_str_nn(s_in);
	const char *p, *end = s.p + s.len;
	struct sip_param prm;
	struct sip_str rest;

	memset(r, 0, sizeof(*r));
	p = sip_skip_ws(s.p, end);
	if (!(p = take_token(p, end, &r->protocol)))
		return -EBADMSG;
	if (take_params(p, end, &r->params) < 0)
		return -EBADMSG;
	rest = r->params;
	while (sip_param_next(&rest, &prm) > 0) {
		if (sip_str_caseeq(prm.name, "cause")) {
			if (!prm.has_value || sip_str_to_u32(prm.value, UINT32_MAX, &r->cause) < 0)
				return -EBADMSG;
			r->has_cause = true;
		} else if (sip_str_caseeq(prm.name, "text")) {
			if (!prm.has_value || prm.value.len < 2 || prm.value.p[0] != '"')
				return -EBADMSG;
			r->has_text = true;
			r->text = (struct sip_str){ prm.value.p + 1, prm.value.len - 2 };
		}
	}
	return 0;
}

static const struct value_string privacy_values[] = {
	{ SIP_PRIVACY_HEADER, "header" },
	{ SIP_PRIVACY_SESSION, "session" },
	{ SIP_PRIVACY_USER, "user" },
	{ SIP_PRIVACY_NONE, "none" },
	{ SIP_PRIVACY_CRITICAL, "critical" },
	{ SIP_PRIVACY_ID, "id" },
	{ SIP_PRIVACY_HISTORY, "history" },
	{ 0, NULL }
};

int sip_privacy_parse(uint32_t *mask, struct sip_str s_in)
{
	struct sip_str s = sip_str_nn(s_in);
	const char *p = s.p, *end = s.p + s.len;
	struct sip_str tok;
	int i;

	*mask = 0;
	p = sip_skip_ws(p, end);
	while (p < end) {
		uint32_t bit = SIP_PRIVACY_OTHER;

		if (!(p = take_token(p, end, &tok)))
			return -EBADMSG;
		for (i = 0; privacy_values[i].str; i++) {
			if (sip_str_caseeq(tok, privacy_values[i].str))
				bit = privacy_values[i].value;
		}
		*mask |= bit;
		p = sip_skip_ws(p, end);
		if (p == end)
			break;
		if (*p != ';')
			return -EBADMSG;
		p = sip_skip_ws(p + 1, end);
		if (p == end)
			return -EBADMSG;
	}
	return *mask ? 0 : -EBADMSG;
}

int sip_media_type_parse(struct sip_media_type *mt, struct sip_str s_in, bool allow_wildcard)
{
	struct sip_str s = sip_str_nn(s_in);
	const char *p, *end = s.p + s.len;

	memset(mt, 0, sizeof(*mt));
	p = sip_skip_ws(s.p, end);
	if (!(p = take_token(p, end, &mt->type)) || !(p = expect_sep(p, end, '/')) ||
	    !(p = take_token(p, end, &mt->subtype)))
		return -EBADMSG;
	if (!allow_wildcard && (sip_str_eq(mt->type, "*") || sip_str_eq(mt->subtype, "*")))
		return -EBADMSG;
	return take_params(p, end, &mt->params);
}

int sip_retry_after_parse(struct sip_retry_after *ra, struct sip_str s_in)
{
	struct sip_str s = sip_str_nn(s_in);
	const char *p, *end = s.p + s.len, *c;
	struct sip_str v;
	int depth = 0;

	memset(ra, 0, sizeof(*ra));
	p = sip_skip_ws(s.p, end);
	if (!(p = take_num(p, end, 0, UINT32_MAX, &ra->delta)))
		return -EBADMSG;
	c = sip_skip_ws(p, end);
	if (c < end && *c == '(') {
		/* comment = LPAREN *(ctext / quoted-pair / comment) RPAREN */
		for (p = c; p < end; p++) {
			if (*p == '\\' && p + 1 < end)
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0)
				break;
		}
		if (p == end)
			return -EBADMSG;
		ra->comment = (struct sip_str){ c + 1, p - c - 1 };
		p++;
	}
	if (take_params(p, end, &ra->params) < 0)
		return -EBADMSG;
	if (sip_param_find(ra->params, "duration", &v)) {
		if (sip_str_to_u32(v, UINT32_MAX, &ra->duration) < 0)
			return -EBADMSG;
		ra->has_duration = true;
	}
	return 0;
}

int sip_token_parse(struct sip_str s_in)
{
	struct sip_str s = sip_str_nn(s_in);
	s = sip_str_trim(s);
	if (!s.len || sip_skip_token(s.p, s.p + s.len) != s.p + s.len)
		return -EBADMSG;
	return 0;
}
