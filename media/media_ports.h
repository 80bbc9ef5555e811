/*! \file media_ports.h
 * RTP port pairs (RTP even, RTCP odd) from the configured range, used by the signalling thread only.
 * A released pair stays in quarantine for a while so that late packets of the old call do not reach a
 * new one; allocation walks the range round robin (next fit), wrapping around.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct media_ports;
/*! \brief Pairs for [min, max] (min rounded up to even); NULL on failure or an empty range. */
struct media_ports *media_ports_alloc(void *ctx, uint16_t min, uint16_t max, unsigned int quarantine_ms);
/*! \brief Take a pair: the RTP port, or -EADDRNOTAVAIL when all are in use.  When every free pair is
 * in quarantine, the one released longest ago is taken (better than failing the call). */
int media_ports_get(struct media_ports *p, uint64_t now_ms);
/*! \brief Give a pair back. */
void media_ports_put(struct media_ports *p, uint16_t port, uint64_t now_ms);
/*! \brief How many pairs are taken, of how many. */
void media_ports_in_use(const struct media_ports *p, unsigned int *in_use, unsigned int *total);
