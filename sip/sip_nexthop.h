/*! \file sip_nexthop.h
 * Next hops for requests out of dialog (sip_cfg.next_hops): OPTIONS keep-alive and selection with failover.
 *
 *   every hop with options_interval_s: OPTIONS ──► 2xx-4xx: up   (any answer proves the hop alive)
 *                                           ──► 5xx, 408/503 of the transaction layer (timeout, transport): down
 *   sip_nexthop_select(&tried): the best hop not tried yet: hops that are up by priority (equal priorities take
 *   turns), then the hops marked down as a last resort; an INVITE that got 408/503 from the transaction layer
 *   reports the hop with sip_nexthop_failed() and goes to the next one.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "sip/sip_cfg.h"
#include "sip/sip_transport.h"

struct sip_core;
struct sip_nexthops;

/*! \brief Hops of cfg->next_hops; keep-alives start at once for hops with an interval.  NULL when out of memory. */
struct sip_nexthops *sip_nexthops_alloc(void *ctx, struct sip_core *core, const struct sip_cfg *cfg);
void sip_nexthops_free(struct sip_nexthops *nhs);
/*! \brief Number of configured hops. */
unsigned int sip_nexthops_count(const struct sip_nexthops *nhs);

/*! \brief The best hop one request has not tried yet: up before down, then by priority, equal priorities taking
 * turns between requests.  *tried (0 for a new request, at most 32 hops) collects the hops handed out.
 * \returns 0 with *dst and *hop (may be NULL) set, -ENOENT when every hop was tried. */
int sip_nexthop_select(struct sip_nexthops *nhs, uint32_t *tried, struct sip_addr *dst,
		       const struct sip_next_hop_cfg **hop);
/*! \brief A request to hop failed with a transport error or time-out: mark it down until an OPTIONS answer. */
void sip_nexthop_failed(struct sip_nexthops *nhs, const struct sip_next_hop_cfg *hop);
/*! \brief Whether the hop named name is up (false if unknown). */
bool sip_nexthop_is_up(const struct sip_nexthops *nhs, const char *name);
