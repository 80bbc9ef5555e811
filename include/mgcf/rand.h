/*! \file rand.h
 * Random bytes from the kernel's CSPRNG (getrandom()), fetched a block at a time per thread.
 *
 * SIP tags and branches (RFC 3261 §19.3: cryptographically random) and RTP SSRC, sequence and timestamp
 * origins (RFC 3550 §5.1) need a few random bytes several times per call; one getrandom() syscall per value
 * was a measurable part of a call's cost.  The bytes handed out are the kernel's, each used once; the block
 * is per thread (media threads and the signalling thread never share it).  Header-only so that sip/ and
 * media/ can use it without depending on each other.
 */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

#define MGCF_RAND_BLOCK	256

/*! \brief Fill out with n random bytes (n <= MGCF_RAND_BLOCK); 0 or a negative errno from getrandom(). */
static inline int mgcf_rand_bytes(void *out, size_t n)
{
	static __thread uint8_t block[MGCF_RAND_BLOCK];
	static __thread size_t avail;
	ssize_t got;

	if (n > sizeof(block))
		return -EMSGSIZE;
	if (avail < n) {
		got = getrandom(block, sizeof(block), 0);
		if (got < 0)
			return -errno;
		if ((size_t)got < n)
			return -EIO;
		avail = got;
	}
	/* hand out from the end and wipe what was handed out: no byte is used twice */
	avail -= n;
	memcpy(out, block + avail, n);
	memset(block + avail, 0, n);
	return 0;
}
