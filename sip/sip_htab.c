/* Intrusive hash table with full hashes in the nodes, growing with the load (see sip_htab.h). */
#include <errno.h>

#include <osmocom/core/talloc.h>

#include "sip/sip_htab.h"

#define SIP_HTAB_MIN 16u

static struct sip_hnode **alloc_buckets(void *ctx, uint32_t n)
{
	return talloc_zero_array(ctx, struct sip_hnode *, n);
}

int sip_htab_init(struct sip_htab *t, void *ctx, unsigned int min_buckets)
{
	uint32_t n = SIP_HTAB_MIN;

	while (n < min_buckets && n < (1u << 30))
		n <<= 1;
	t->ctx = ctx;
	t->count = 0;
	t->mask = t->min_mask = n - 1;
	t->b = alloc_buckets(ctx, n);
	return t->b ? 0 : -ENOMEM;
}

void sip_htab_fini(struct sip_htab *t)
{
	talloc_free(t->b);
	t->b = NULL;
	t->count = 0;
}

static void link_node(struct sip_hnode **head, struct sip_hnode *n)
{
	n->next = *head;
	if (n->next)
		n->next->pprev = &n->next;
	*head = n;
	n->pprev = head;
}

/* Move every node into a new bucket array of n buckets; keep the old one if allocation fails. */
static void resize(struct sip_htab *t, uint32_t n)
{
	struct sip_hnode **nb = alloc_buckets(t->ctx, n);
	uint32_t i;

	if (!nb)
		return;
	for (i = 0; i <= t->mask; i++) {
		struct sip_hnode *node = t->b[i], *next;

		for (; node; node = next) {
			next = node->next;
			link_node(&nb[node->hash & (n - 1)], node);
		}
	}
	talloc_free(t->b);
	t->b = nb;
	t->mask = n - 1;
}

void sip_htab_add(struct sip_htab *t, struct sip_hnode *n, uint32_t hash)
{
	n->hash = hash;
	link_node(&t->b[hash & t->mask], n);
	t->count++;
	if (t->count > t->mask + 1 && t->mask < (1u << 30) - 1)
		resize(t, 2 * (t->mask + 1));
	else if (t->mask > t->min_mask && t->count < (t->mask + 1) / 8)
		resize(t, (t->mask + 1) / 2);
}

void sip_htab_del(struct sip_htab *t, struct sip_hnode *n)
{
	if (!n->pprev)
		return;
	*n->pprev = n->next;
	if (n->next)
		n->next->pprev = n->pprev;
	n->next = NULL;
	n->pprev = NULL;
	t->count--;
}
