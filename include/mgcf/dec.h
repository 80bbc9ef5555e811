/*! \file dec.h
 * Decimal digits of an unsigned number written by hand, for text built on every call (FSM instance ids, CDR
 * lines) where a printf would cost more than everything else the line needs.  Header-only so that isup/ and
 * mgcf/ can use it without depending on each other.
 */
#pragma once

/*! \brief Write v in decimal at p (at most 20 characters, no NUL). \returns the end of what was written. */
static inline char *mgcf_put_dec(char *p, unsigned long v)
{
	char tmp[20];
	unsigned int n = 0;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}
