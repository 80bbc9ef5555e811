/*! \file sip_uri.h
 * SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966) and generic ";name=value" parameter lists.
 *
 * The lowest layer of the parser (msg → hdr → uri): pure functions over slices, no allocation.  Escaped
 * characters (% HEX HEX) stay escaped in every slice; sip_unescape() decodes a component when the application
 * needs its value (RFC 4475 §3.1.1.3: comparisons of user parts happen on the unescaped form).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <osmocom/core/utils.h>

#include "sip/sip_str.h"

enum sip_uri_scheme {
	SIP_URI_OTHER,		/*!< an absoluteURI we do not interpret (RFC 3261 §25.1); only opaque is set */
	SIP_URI_SIP,
	SIP_URI_SIPS,
	SIP_URI_TEL,		/*!< RFC 3966: user holds the telephone-subscriber number */
};

extern const struct value_string sip_uri_scheme_names[];
static inline const char *sip_uri_scheme_name(enum sip_uri_scheme s)
{
	return get_value_string(sip_uri_scheme_names, s);
}

struct sip_uri {
	enum sip_uri_scheme scheme;
	struct sip_str scheme_str;	/*!< as written */
	struct sip_str user;		/*!< escaped, may contain ';' (RFC 4475 §3.1.1.9); tel: the number */
	struct sip_str password;	/*!< escaped */
	struct sip_str host;		/*!< an IPv6 reference is given without its brackets */
	bool host_ipv6;
	bool has_port;
	uint16_t port;
	struct sip_str params;		/*!< raw uri-parameters after the first ';' (without it), for sip_param_*() */
	struct sip_str headers;		/*!< raw headers after '?' (without it) */
	struct sip_str opaque;		/*!< everything after "scheme:" */
};

/*! \brief Parse a URI (no surrounding whitespace or angle brackets).
 * \returns 0, or -EBADMSG when the URI is malformed; *err_off (if not NULL) is the offset of the offending byte. */
int sip_uri_parse(struct sip_uri *uri, struct sip_str s, size_t *err_off);

/*! One parameter of a ";"-separated list (uri-parameter, generic-param, via-params, ...). */
struct sip_param {
	struct sip_str name;
	struct sip_str value;		/*!< a quoted-string value keeps its quotes */
	bool has_value;
};

/*! \brief Take the next parameter from a list that starts with the parameter name (first call) or with
 * [LWS] ";" (later calls) and advance *rest past it.  LWS around ";" and "=" is skipped (RFC 3261 §25.1 SEMI,
 * EQUAL).
 * \returns 1 with *p filled, 0 at the end of the list, -EBADMSG for an empty or malformed parameter. */
int sip_param_next(struct sip_str *rest, struct sip_param *p);

/*! \brief Find a parameter by name (case-insensitive) in a list as stored in sip_uri.params or a header's
 * params.  \returns true if present; *value (may be NULL) is its value, empty for a valueless parameter. */
bool sip_param_find(struct sip_str params, const char *name, struct sip_str *value);

/*! \brief Whether a parameter list is well formed (every parameter has a name, quotes balance). */
bool sip_params_valid(struct sip_str params);
