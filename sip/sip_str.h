/*! \file sip_str.h
 * Slices into a caller's buffer, the currency of the SIP parser.
 *
 * A struct sip_str never owns memory and is never NUL-terminated: it names len bytes at p inside the buffer the
 * message was parsed from (or a string literal).  Everything here is bounded by len.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <mgcf/dec.h>

struct sip_str {
	const char *p;
	size_t len;
};

/*! A slice of a string literal. */
#define SIP_STR(lit) ((struct sip_str){ .p = (lit), .len = sizeof(lit) - 1 })

/*! Format a slice with printf: printf("%.*s", SIP_STR_FMT(s)). */
#define SIP_STR_FMT(s) (int)(s).len, (s).p

/*! \brief The slice, with a NULL pointer (zero-initialised slice) replaced by an empty string, so that p + len
 * is always defined. */
static inline struct sip_str sip_str_nn(struct sip_str s)
{
	if (!s.p)
		s = (struct sip_str){ "", 0 };
	return s;
}

/*! \brief Slice of a NUL-terminated C string (NULL gives the empty slice). */
static inline struct sip_str sip_str_c(const char *s)
{
	return (struct sip_str){ .p = s, .len = s ? strlen(s) : 0 };
}

/*! \brief Case-sensitive comparison of a slice with a C string. */
static inline bool sip_str_eq(struct sip_str s, const char *c)
{
	size_t n = strlen(c);

	return s.len == n && (n == 0 || memcmp(s.p, c, n) == 0);
}

/*! \brief ASCII case-insensitive equality of n bytes (no locale, no NUL handling: slices may contain NUL). */
static inline bool sip_mem_caseeq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return false;
	}
	return true;
}

/*! \brief Case-insensitive comparison of a slice with a C string (tokens, header and parameter names). */
static inline bool sip_str_caseeq(struct sip_str s, const char *c)
{
	size_t n = strlen(c);

	return s.len == n && sip_mem_caseeq(s.p, c, n);
}

/*! \brief Case-insensitive comparison of two slices. */
static inline bool sip_str_caseeq_str(struct sip_str a, struct sip_str b)
{
	return a.len == b.len && sip_mem_caseeq(a.p, b.p, a.len);
}

/*! \brief Whether a slice is empty (also true for the zero-initialised slice). */
static inline bool sip_str_empty(struct sip_str s)
{
	return s.len == 0;
}

/*! \brief Decimal value of a slice of digits: 0 on success, -ERANGE above max, -EBADMSG if not 1*DIGIT. */
int sip_str_to_u32(struct sip_str s, uint32_t max, uint32_t *out);

/*! Room sip_u64_dec() needs: the 20 digits of UINT64_MAX. */
#define SIP_U64_DEC_MAX MGCF_DEC_MAX

/*! \brief Decimal digits of v (at least min_digits, zero-padded, at most SIP_U64_DEC_MAX) into buf, not
 * NUL-terminated: the writers' replacement for "%u" / "%03u".  \returns the number of digits. */
size_t sip_u64_dec(char *buf, uint64_t v, unsigned int min_digits);

/*! \brief Copy a slice into dst as a NUL-terminated string: the length, or -EMSGSIZE if it does not fit. */
int sip_str_copy(char *dst, size_t dst_len, struct sip_str s);

/*! \brief Decode RFC 3261 "escaped" (% HEX HEX) sequences of a URI component into dst.
 *
 * The result may contain NUL bytes (RFC 4475 §3.1.1.4) and is not NUL-terminated: use the returned length.
 * \returns the decoded length, -EMSGSIZE if dst_len is too small, -EBADMSG for a malformed escape. */
int sip_unescape(char *dst, size_t dst_len, struct sip_str s);

/*! \brief Decode the content of a quoted-string (RFC 3261 §25.1: quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)).
 *
 * \param[in] s  the content between the quotes, as given by the parser (display names, reason text).
 * \returns the decoded length (not NUL-terminated), -EMSGSIZE if dst_len is too small. */
int sip_unquote(char *dst, size_t dst_len, struct sip_str s);
