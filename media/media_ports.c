/* RTP port pair allocator: a queue of free pairs (reuse quarantine) with a bounded pool of their sockets. */
#include <errno.h>
#include <unistd.h>
#include <talloc.h>

#include "media/media_ports.h"

struct media_ports {
	uint16_t base;
	unsigned int num;		/* pairs */
	unsigned int used;
	uint32_t *free_q;		/* ring of free pair indices: head is free longest */
	unsigned int head, nfree;
	bool *in_use;
	struct pair_socks { int fd[2]; } *socks;	/* pooled RTP/RTCP socket per pair, -1: none */
	unsigned int pooled, pool_max;
};

static int ports_destructor(struct media_ports *p)
{
	media_ports_flush_socks(p);
	return 0;
}

struct media_ports *media_ports_alloc(void *ctx, uint16_t min, uint16_t max, unsigned int pool_max)
{
	struct media_ports *p;
	unsigned int base = (min + 1u) & ~1u, i;

	if (base + 1 > max)
		return NULL;
	p = talloc_zero(ctx, struct media_ports);
	if (!p)
		return NULL;
	p->base = base;
	p->num = (max - base + 1) / 2;
	p->pool_max = pool_max;
	p->in_use = talloc_zero_array(p, bool, p->num);
	p->free_q = talloc_array(p, uint32_t, p->num);
	p->socks = talloc_array(p, struct pair_socks, p->num);
	if (!p->in_use || !p->free_q || !p->socks) {
		talloc_free(p);
		return NULL;
	}
	for (i = 0; i < p->num; i++) {
		p->free_q[i] = i;
		p->socks[i].fd[0] = p->socks[i].fd[1] = -1;
	}
	p->nfree = p->num;
	talloc_set_destructor(p, ports_destructor);
	return p;
}

int media_ports_get(struct media_ports *p, int socks[2])
{
	unsigned int k, j;

	socks[0] = socks[1] = -1;
	if (!p->nfree)
		return -EADDRNOTAVAIL;
	k = p->free_q[p->head];
	p->head = (p->head + 1) % p->num;
	p->nfree--;
	p->in_use[k] = true;
	p->used++;
	for (j = 0; j < 2; j++) {
		socks[j] = p->socks[k].fd[j];
		if (socks[j] >= 0)
			p->pooled--;
		p->socks[k].fd[j] = -1;
	}
	return p->base + 2 * k;
}

static bool port_index(const struct media_ports *p, uint16_t port, unsigned int *k)
{
	if (port < p->base || (port - p->base) % 2 || (port - p->base) / 2u >= p->num)
		return false;
	*k = (port - p->base) / 2;
	return true;
}

void media_ports_put(struct media_ports *p, uint16_t port)
{
	unsigned int k;

	if (!port_index(p, port, &k) || !p->in_use[k])
		return;
	p->in_use[k] = false;
	p->used--;
	p->free_q[(p->head + p->nfree) % p->num] = k;
	p->nfree++;
}

bool media_ports_keep_sock(struct media_ports *p, uint16_t port, bool rtcp, int fd)
{
	unsigned int k;

	if (fd < 0 || !port_index(p, port, &k) || p->in_use[k] || p->socks[k].fd[rtcp] >= 0 || p->pooled >= p->pool_max)
		return false;
	p->socks[k].fd[rtcp] = fd;
	p->pooled++;
	return true;
}

void media_ports_flush_socks(struct media_ports *p)
{
	unsigned int k, j;

	for (k = 0; k < p->num && p->pooled; k++)
		for (j = 0; j < 2; j++)
			if (p->socks[k].fd[j] >= 0) {
				close(p->socks[k].fd[j]);
				p->socks[k].fd[j] = -1;
				p->pooled--;
			}
}

void media_ports_in_use(const struct media_ports *p, unsigned int *in_use, unsigned int *total)
{
	*in_use = p->used;
	*total = p->num;
}

unsigned int media_ports_pooled(const struct media_ports *p)
{
	return p->pooled;
}
