/* RTP port pair allocator with reuse quarantine. */
#include <errno.h>
#include <talloc.h>

#include "media/media_ports.h"

struct media_ports {
	uint16_t base;
	unsigned int num;		/* pairs */
	unsigned int cursor;
	unsigned int used;
	unsigned int quarantine_ms;
	bool *in_use;
	uint64_t *freed_at;		/* 0: never used */
};

struct media_ports *media_ports_alloc(void *ctx, uint16_t min, uint16_t max, unsigned int quarantine_ms)
{
	struct media_ports *p;
	unsigned int base = (min + 1u) & ~1u;

	if (base + 1 > max)
		return NULL;
	p = talloc_zero(ctx, struct media_ports);
	if (!p)
		return NULL;
	p->base = base;
	p->num = (max - base + 1) / 2;
	p->quarantine_ms = quarantine_ms;
	p->in_use = talloc_zero_array(p, bool, p->num);
	p->freed_at = talloc_zero_array(p, uint64_t, p->num);
	if (!p->in_use || !p->freed_at) {
		talloc_free(p);
		return NULL;
	}
	return p;
}

int media_ports_get(struct media_ports *p, uint64_t now_ms)
{
	unsigned int i, best = p->num;

	if (p->used == p->num)
		return -EADDRNOTAVAIL;
	for (i = 0; i < p->num; i++) {
		unsigned int k = (p->cursor + i) % p->num;
		if (p->in_use[k])
			continue;
		if (!p->freed_at[k] || now_ms - p->freed_at[k] >= p->quarantine_ms) {
			best = k;
			break;
		}
		if (best == p->num || p->freed_at[k] < p->freed_at[best])
			best = k;
	}
	p->in_use[best] = true;
	p->used++;
	p->cursor = (best + 1) % p->num;
	return p->base + 2 * best;
}

void media_ports_put(struct media_ports *p, uint16_t port, uint64_t now_ms)
{
	unsigned int k = (port - p->base) / 2;

	if (port < p->base || k >= p->num || !p->in_use[k])
		return;
	p->in_use[k] = false;
	p->freed_at[k] = now_ms ? now_ms : 1;
	p->used--;
}

void media_ports_in_use(const struct media_ports *p, unsigned int *in_use, unsigned int *total)
{
	*in_use = p->used;
	*total = p->num;
}
