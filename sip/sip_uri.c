/* SIP/SIPS/tel URI parser and ";"-parameter lists (RFC 3261 §19.1.1, §25.1; RFC 3966 §3). */
#include <errno.h>

#include "sip/sip_uri.h"
#include "sip/sip_chars.h"

const struct value_string sip_uri_scheme_names[] = {
	{ SIP_URI_OTHER, "other" },
	{ SIP_URI_SIP, "sip" },
	{ SIP_URI_SIPS, "sips" },
	{ SIP_URI_TEL, "tel" },
	{ 0, NULL }
};

/* Check that [p, end) consists of characters of cls or "escaped" (% HEX HEX); returns the offending position
 * or NULL if all is well. */
static const char *check_chars(const char *p, const char *end, uint16_t cls)
{
	for (; p < end; p++) {
		if (*p == '%') {
			if (end - p < 3 || !sipc_hex(p[1]) || !sipc_hex(p[2]))
				return p;
			p += 2;
			continue;
		}
		if (!sipc(*p, cls))
			return p;
	}
	return NULL;
}

static bool is_scheme_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
	       c == '.';
}

/* uri-parameters: *( ";" uri-parameter ), uri-parameter = pname [ "=" pvalue ] (every parameter needs a name),
 * checked from after the first ';'.  One pass over ";"-separated uri-parameters (sep ';', each "name[=value]") or "&"-separated headers
 * (sep '&', each "hname=hvalue"): returns the offending byte, or NULL if all is well-formed. */
static const char *check_uri_list(const char *p, const char *end, char sep, unsigned int cls, bool need_eq)
{
	const char *seg = p, *eq = NULL;

	for (;; p++) {
		if (p == end || *p == sep) {
			if (p == seg || eq == seg || (need_eq && !eq))
				return p;
			if (p == end)
				return NULL;
			seg = p + 1;
			eq = NULL;
		} else if (*p == '%') {
			if (end - p < 3 || !sipc_hex(p[1]) || !sipc_hex(p[2]))
				return p;
			p += 2;
		} else if (*p == '=' && !eq) {
			eq = p;
		} else if (!sipc(*p, SIPC_UNRES | cls)) {
			return p;
		}
	}
}

static const char *check_uri_params(const char *p, const char *end)
{
	return check_uri_list(p, end, ';', SIPC_PARAM, false);
}

/* headers = "?" header *( "&" header ), header = hname "=" hvalue */
static const char *check_uri_headers(const char *p, const char *end)
{
	return check_uri_list(p, end, '&', SIPC_HNV, true);
}

static bool is_ipv6_char(char c)
{
	return sipc_hex(c) || c == ':' || c == '.';
}

static int parse_sip(struct sip_uri *uri, const char *p, const char *end, const char **bad)
{
	const char *at = memchr(p, '@', end - p);
	const char *h;

	if (at) {
		const char *colon = memchr(p, ':', at - p);
		const char *uend = colon ? colon : at;

		if (uend == p) {
			*bad = p;
			return -EBADMSG;
		}
		/* user = 1*( unreserved / escaped / user-unreserved ) */
		if ((*bad = check_chars(p, uend, SIPC_UNRES | SIPC_USER)))
			return -EBADMSG;
		uri->user = (struct sip_str){ p, uend - p };
		if (colon) {
			/* password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ) */
			for (h = colon + 1; h < at; h++) {
				if (*h == ';' || *h == '?' || *h == '/') {
					*bad = h;
					return -EBADMSG;
				}
			}
			if ((*bad = check_chars(colon + 1, at, SIPC_UNRES | SIPC_USER)))
				return -EBADMSG;
			uri->password = (struct sip_str){ colon + 1, at - colon - 1 };
		}
		p = at + 1;
	}

	/* hostport */
	if (p < end && *p == '[') {
		const char *rb = memchr(p, ']', end - p);

		if (!rb || rb == p + 1) {
			*bad = p;
			return -EBADMSG;
		}
		for (h = p + 1; h < rb; h++) {
			if (!is_ipv6_char(*h)) {
				*bad = h;
				return -EBADMSG;
			}
		}
		uri->host = (struct sip_str){ p + 1, rb - p - 1 };
		uri->host_ipv6 = true;
		p = rb + 1;
	} else {
		for (h = p; h < end && sipc(*h, SIPC_HOST); h++)
			;
		if (h == p) {
			*bad = p;
			return -EBADMSG;
		}
		uri->host = (struct sip_str){ p, h - p };
		p = h;
	}
	if (p < end && *p == ':') {
		uint32_t port = 0;
		const char *d = ++p;

		while (p < end && *p >= '0' && *p <= '9' && port <= 65535)
			port = port * 10 + (uint32_t)(*p++ - '0');
		if (p == d || port > 65535) {
			*bad = d;
			return -EBADMSG;
		}
		uri->has_port = true;
		uri->port = (uint16_t)port;
	}
	if (p < end && *p == ';') {
		const char *q = memchr(p, '?', end - p);
		const char *pend = q ? q : end;

		if ((*bad = check_uri_params(p + 1, pend)))
			return -EBADMSG;
		uri->params = (struct sip_str){ p + 1, pend - p - 1 };
		p = pend;
	}
	if (p < end && *p == '?') {
		if ((*bad = check_uri_headers(p + 1, end)))
			return -EBADMSG;
		uri->headers = (struct sip_str){ p + 1, end - p - 1 };
		p = end;
	}
	if (p != end) {
		*bad = p;
		return -EBADMSG;
	}
	return 0;
}

/* RFC 3966: telephone-subscriber = global-number / local-number, then ;par */
static int parse_tel(struct sip_uri *uri, const char *p, const char *end, const char **bad)
{
	const char *semi = memchr(p, ';', end - p);
	const char *nend = semi ? semi : end;
	const char *h;

	if (nend == p) {
		*bad = p;
		return -EBADMSG;
	}
	for (h = p; h < nend; h++) {
		char c = *h;

		if (!(sipc_hex(c) || c == '*' || c == '#' || c == '-' || c == '.' || c == '(' || c == ')' ||
		      (c == '+' && h == p))) {
			*bad = h;
			return -EBADMSG;
		}
	}
	uri->user = (struct sip_str){ p, nend - p };
	if (semi) {
		if ((*bad = check_uri_params(semi + 1, end)))
			return -EBADMSG;
		uri->params = (struct sip_str){ semi + 1, end - semi - 1 };
	}
	return 0;
}

int sip_uri_parse(struct sip_uri *uri, struct sip_str s_in, size_t *err_off)
{
	struct sip_str s = sip_str_nn(s_in);
	const char *p = s.p, *end = s.p + s.len, *bad = NULL;
	int rc;

	memset(uri, 0, sizeof(*uri));
	while (p < end && is_scheme_char(*p))
		p++;
	if (p == s.p || p == end || *p != ':' || !((s.p[0] | 0x20) >= 'a' && (s.p[0] | 0x20) <= 'z')) {
		bad = p;
		rc = -EBADMSG;
		goto out;
	}
	uri->scheme_str = (struct sip_str){ s.p, p - s.p };
	p++;
	uri->opaque = (struct sip_str){ p, end - p };
	if (sip_str_caseeq(uri->scheme_str, "sip")) {
		uri->scheme = SIP_URI_SIP;
		rc = parse_sip(uri, p, end, &bad);
	} else if (sip_str_caseeq(uri->scheme_str, "sips")) {
		uri->scheme = SIP_URI_SIPS;
		rc = parse_sip(uri, p, end, &bad);
	} else if (sip_str_caseeq(uri->scheme_str, "tel")) {
		uri->scheme = SIP_URI_TEL;
		rc = parse_tel(uri, p, end, &bad);
	} else {
		/* absoluteURI: we only check that it is one printable, whitespace-free word */
		uri->scheme = SIP_URI_OTHER;
		rc = 0;
		if (p == end)
			bad = p, rc = -EBADMSG;
		for (; p < end && !rc; p++) {
			if ((uint8_t)*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>' || *p == '"')
				bad = p, rc = -EBADMSG;
		}
	}
out:
	if (rc && err_off)
		*err_off = bad ? (size_t)(bad - s.p) : 0;
	return rc;
}

int sip_param_next(struct sip_str *rest, struct sip_param *prm)
{
	const char *p, *end, *n;

	if (!rest->len)
		return 0;
	p = rest->p;
	end = rest->p + rest->len;

	p = sip_skip_ws(p, end);
	if (p == end) {
		*rest = (struct sip_str){ p, 0 };
		return 0;
	}
	if (*p == ';')
		p = sip_skip_ws(p + 1, end);
	/* pname: token, plus the paramchar set of uri-parameters (RFC 3261 §25.1) */
	for (n = p; n < end && sipc(*n, SIPC_TOKEN | SIPC_UNRES | SIPC_PARAM); n++)
		;
	if (n == p)
		return -EBADMSG;
	memset(prm, 0, sizeof(*prm));
	prm->name = (struct sip_str){ p, n - p };
	p = sip_skip_ws(n, end);
	if (p < end && *p == '=') {
		p = sip_skip_ws(p + 1, end);
		if (p == end)
			return -EBADMSG;
		if (*p == '"') {
			const char *q = sip_skip_quoted(p, end);

			if (!q)
				return -EBADMSG;
			n = q + 1;
		} else {
			for (n = p; n < end && sipc(*n, SIPC_TOKEN | SIPC_UNRES | SIPC_PARAM); n++)
				;
			if (n == p)
				return -EBADMSG;
		}
		prm->value = (struct sip_str){ p, n - p };
		prm->has_value = true;
		p = sip_skip_ws(n, end);
	}
	if (p < end && *p != ';')
		return -EBADMSG;
	*rest = (struct sip_str){ p, end - p };
	return 1;
}

bool sip_param_find(struct sip_str params, const char *name, struct sip_str *value)
{
	struct sip_param prm;

	while (sip_param_next(&params, &prm) > 0) {
		if (sip_str_caseeq(prm.name, name)) {
			if (value)
				*value = prm.value;
			return true;
		}
	}
	return false;
}

bool sip_params_valid(struct sip_str params)
{
	struct sip_param prm;
	int rc;

	while ((rc = sip_param_next(&params, &prm)) > 0)
		;
	return rc == 0;
}
