/*! \file sip_htab.h
 * Intrusive hash table of the SIP stack (transactions by branch and Call-ID, sessions by Call-ID).
 *
 *   buckets[hash & mask] ──► node ──► node ──► NULL     (each node carries its full 32-bit hash)
 *
 * The table keeps its load at most one entry per bucket by doubling when an insertion passes that, and halves
 * again (on insertion, never while a caller may be walking a chain) once fewer than one bucket in eight is used,
 * down to the initial size.  A lookup walks only nodes whose full hash equals the key's: the entry behind a
 * node (and the message it keeps) is touched only for a likely match.  If doubling fails for lack of memory the
 * table keeps working with longer chains.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sip/sip_str.h"

/*! Embedded in the entry; sip_hnode_init() before it is used, then sip_htab_add() / sip_htab_del(). */
struct sip_hnode {
	struct sip_hnode *next;
	struct sip_hnode **pprev;	/*!< NULL while not in a table */
	uint32_t hash;
};

struct sip_htab {
	struct sip_hnode **b;
	uint32_t mask;			/*!< buckets - 1 (a power of two minus one) */
	uint32_t min_mask;
	unsigned int count;
	void *ctx;			/*!< talloc parent of the bucket array */
};

/*! \brief 32-bit FNV-1a of a slice. */
static inline uint32_t sip_hash(struct sip_str s)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < s.len; i++)
		h = (h ^ (uint8_t)s.p[i]) * 16777619u;
	return h;
}

/*! \brief Allocate the buckets (min_buckets rounded up to a power of two, at least 16) under ctx.
 * \returns 0, -ENOMEM. */
int sip_htab_init(struct sip_htab *t, void *ctx, unsigned int min_buckets);
/*! \brief Free the buckets (the entries are the caller's). */
void sip_htab_fini(struct sip_htab *t);
/*! \brief Insert n with its hash (n must not be in a table).  May resize the table. */
void sip_htab_add(struct sip_htab *t, struct sip_hnode *n, uint32_t hash);
/*! \brief Remove n if it is in the table (no-op otherwise).  Never resizes: chains being walked stay valid. */
void sip_htab_del(struct sip_htab *t, struct sip_hnode *n);
/*! \brief Current number of buckets. */
static inline unsigned int sip_htab_buckets(const struct sip_htab *t)
{
	return t->mask + 1;
}

static inline void sip_hnode_init(struct sip_hnode *n)
{
	n->next = NULL;
	n->pprev = NULL;
	n->hash = 0;
}

static inline bool sip_hnode_linked(const struct sip_hnode *n)
{
	return n->pprev != NULL;
}

/*! \brief First node with exactly this hash, or NULL. */
static inline struct sip_hnode *sip_htab_first(const struct sip_htab *t, uint32_t hash)
{
	struct sip_hnode *n = t->b[hash & t->mask];

	while (n && n->hash != hash)
		n = n->next;
	return n;
}

/*! \brief Next node after n with the same hash, or NULL. */
static inline struct sip_hnode *sip_htab_next(const struct sip_hnode *n)
{
	uint32_t hash = n->hash;

	for (n = n->next; n && n->hash != hash; n = n->next)
		;
	return (struct sip_hnode *)n;
}

/*! Walk the entries (type of pos, member name of the node) whose node hash equals hash. */
#define sip_htab_for_each(pos, t, hash, member)                                                               \
	for (struct sip_hnode *_hn = sip_htab_first(t, hash);                                                 \
	     _hn && ((pos) = (void *)((char *)_hn - offsetof(__typeof__(*(pos)), member)), 1);                \
	     _hn = sip_htab_next(_hn))
