/*! \file dec.h
 * Decimal digits of an unsigned number written by hand, for text built on every call (FSM instance ids, CDR
 * lines) where a printf would cost more than everything else the line needs.  Header-only so that isup/ and
 * mgcf/ can use it without depending on each other.
 */
#pragma once

#include <stdint.h>

/*! Room for the digits of UINT64_MAX. */
#define MGCF_DEC_MAX 20

/*! \brief Write v in decimal at p, zero-padded to at least min_digits (capped at MGCF_DEC_MAX), no NUL.
 * \returns the end of what was written. */
static inline char *mgcf_put_dec_pad(char *p, uint64_t v, unsigned int min_digits)
{
	char tmp[MGCF_DEC_MAX];
	unsigned int n = 0;

	if (min_digits > MGCF_DEC_MAX)
		min_digits = MGCF_DEC_MAX;
	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n < min_digits)
		tmp[n++] = '0';
	while (n)
		*p++ = tmp[--n];
	return p;
}

/*! \brief Write v in decimal at p (at most MGCF_DEC_MAX characters, no NUL). \returns the end of what was written. */
static inline char *mgcf_put_dec(char *p, uint64_t v)
{
	return mgcf_put_dec_pad(p, v, 1);
}
