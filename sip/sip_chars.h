/*! \file sip_chars.h
 * Character classes of the RFC 3261 §25.1 grammar, private to the sip_* parser files.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

enum {
	SIPC_TOKEN = 1 << 0,	/* token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" */
	SIPC_UNRES = 1 << 1,	/* unreserved: alphanum / mark ("-" "_" "." "!" "~" "*" "'" "(" ")") */
	SIPC_USER = 1 << 2,	/* user-unreserved: "&" "=" "+" "$" "," ";" "?" "/" */
	SIPC_PARAM = 1 << 3,	/* param-unreserved: "[" "]" "/" ":" "&" "+" "$" */
	SIPC_HNV = 1 << 4,	/* hnv-unreserved: "[" "]" "/" "?" ":" "+" "$" */
	SIPC_WORD = 1 << 5,	/* word (Call-ID): token chars plus ( ) < > : \ DQUOTE / [ ] ? { } */
	SIPC_WS = 1 << 6,	/* SP, HTAB, CR, LF: LWS including folding */
	SIPC_HOST = 1 << 7,	/* hostname / IPv4: alphanum "-" "." (and "_", seen in the wild) */
	SIPC_LIST = 1 << 8,	/* what the comma splitter must look at: "," DQUOTE "<" ">" */
};

#define SIPC_ALNUM (SIPC_TOKEN | SIPC_UNRES | SIPC_WORD | SIPC_HOST)

static const uint16_t sip_chars[256] = {
	['0' ... '9'] = SIPC_ALNUM,
	['A' ... 'Z'] = SIPC_ALNUM,
	['a' ... 'z'] = SIPC_ALNUM,
	['-'] = SIPC_TOKEN | SIPC_UNRES | SIPC_WORD | SIPC_HOST,
	['.'] = SIPC_TOKEN | SIPC_UNRES | SIPC_WORD | SIPC_HOST,
	['_'] = SIPC_TOKEN | SIPC_UNRES | SIPC_WORD | SIPC_HOST,
	['!'] = SIPC_TOKEN | SIPC_UNRES | SIPC_WORD,
	['~'] = SIPC_TOKEN | SIPC_UNRES | SIPC_WORD,
	['*'] = SIPC_TOKEN | SIPC_UNRES | SIPC_WORD,
	['\''] = SIPC_TOKEN | SIPC_UNRES | SIPC_WORD,
	['%'] = SIPC_TOKEN | SIPC_WORD,
	['+'] = SIPC_TOKEN | SIPC_USER | SIPC_PARAM | SIPC_HNV | SIPC_WORD,
	['`'] = SIPC_TOKEN | SIPC_WORD,
	['('] = SIPC_UNRES | SIPC_WORD,
	[')'] = SIPC_UNRES | SIPC_WORD,
	['&'] = SIPC_USER | SIPC_PARAM,
	['='] = SIPC_USER,
	['$'] = SIPC_USER | SIPC_PARAM | SIPC_HNV,
	[','] = SIPC_USER | SIPC_LIST,
	[';'] = SIPC_USER,
	['?'] = SIPC_USER | SIPC_HNV | SIPC_WORD,
	['/'] = SIPC_USER | SIPC_PARAM | SIPC_HNV | SIPC_WORD,
	['['] = SIPC_PARAM | SIPC_HNV | SIPC_WORD,
	[']'] = SIPC_PARAM | SIPC_HNV | SIPC_WORD,
	[':'] = SIPC_PARAM | SIPC_HNV | SIPC_WORD,
	['<'] = SIPC_WORD | SIPC_LIST,
	['>'] = SIPC_WORD | SIPC_LIST,
	['\\'] = SIPC_WORD,
	['"'] = SIPC_WORD | SIPC_LIST,
	['{'] = SIPC_WORD,
	['}'] = SIPC_WORD,
	[' '] = SIPC_WS,
	['\t'] = SIPC_WS,
	['\r'] = SIPC_WS,
	['\n'] = SIPC_WS,
};

static inline bool sipc(char c, uint16_t cls)
{
	return sip_chars[(uint8_t)c] & cls;
}

static inline bool sipc_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline int sipc_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10;
}

/* Skip LWS (SP, HTAB, CR, LF) from p, bounded by end. */
static inline const char *sip_skip_ws(const char *p, const char *end)
{
	while (p < end && sipc(*p, SIPC_WS))
		p++;
	return p;
}

/* Skip a token from p. */
static inline const char *sip_skip_token(const char *p, const char *end)
{
	while (p < end && sipc(*p, SIPC_TOKEN))
		p++;
	return p;
}

/* From p at an opening DQUOTE, return the position of the closing DQUOTE, or NULL if unterminated.
 * quoted-pair: "\" followed by any octet except CR and LF (RFC 3261 §25.1). */
static inline const char *sip_skip_quoted(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '"')
			return p;
		if (*p == '\\') {
			if (p + 1 >= end || p[1] == '\r' || p[1] == '\n')
				return NULL;
			p++;
		}
	}
	return NULL;
}
