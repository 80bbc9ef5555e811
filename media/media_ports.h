/*! \file media_ports.h
 * RTP port pairs (RTP even, RTCP odd) from the configured range, used by the signalling thread only.
 *
 * Reuse quarantine: late packets of an old call must not reach a new one, so the free pairs form one queue,
 * never-used pairs first (in port order), then released pairs in the order of their release: a pair is taken
 * from the head (the one free longest) and given back at the tail, so a pair freed recently is reused last.
 * Both ends are O(1).
 *
 * Socket pool: a free pair may keep the sockets of its last call (bound, non-blocking), up to a bound on the
 * descriptors kept; media_ports_get() hands them out with the pair, so that a call does not pay for socket(),
 * bind(), ioctl() and close() twice.  Whoever takes pooled sockets drains what arrived while they were unused.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct media_ports;
/*! \brief Pairs for [min, max] (min rounded up to even), keeping at most pool_max sockets of free pairs open;
 * NULL on failure or an empty range.  Pooled sockets are closed when the allocator is freed. */
struct media_ports *media_ports_alloc(void *ctx, uint16_t min, uint16_t max, unsigned int pool_max);
/*! \brief Take the pair free longest: the RTP port, or -EADDRNOTAVAIL when all are in use.  socks[0] and
 * socks[1] receive its pooled RTP and RTCP sockets (now the caller's), -1 where none is kept. */
int media_ports_get(struct media_ports *p, int socks[2]);
/*! \brief Give a pair back (queued last); a port not taken is ignored. */
void media_ports_put(struct media_ports *p, uint16_t port);
/*! \brief Keep socket fd (rtcp: of port + 1) of free pair port for its next call; false when the pool is
 * full, the pair is taken again, or already keeps one: the caller closes fd then. */
bool media_ports_keep_sock(struct media_ports *p, uint16_t port, bool rtcp, int fd);
/*! \brief Close all pooled sockets. */
void media_ports_flush_socks(struct media_ports *p);
/*! \brief How many pairs are taken, of how many. */
void media_ports_in_use(const struct media_ports *p, unsigned int *in_use, unsigned int *total);
/*! \brief How many sockets the pool keeps open. */
unsigned int media_ports_pooled(const struct media_ports *p);
