/* Timer queues: many timers of one duration in a FIFO under one osmo_timer.
 *
 * Timers of equal duration expire in the order they were armed, so a FIFO per duration keeps them sorted for free:
 * arming and cancelling are O(1), and only each FIFO's head sits in libosmocore's timer tree (the absorbing states
 * of server transactions keep ~300,000 timers of 32 s at 5,000 calls/s).  A queue holds one FIFO per duration in
 * use, so a changed timer value (VTY "timer" command) starts a new FIFO instead of breaking the order of the old. */
#pragma once

#include <stdbool.h>
#include <sys/time.h>

#include <osmocom/core/linuxlist.h>

struct sip_tq;

/*! One timer in a queue; embed it and use container_of() in the callback. */
struct sip_tq_entry {
	struct llist_head list;		/* in its FIFO while armed, empty (self-linked) otherwise */
	struct timeval expires;
};

/*! Called for each expired entry, which is already disarmed: the callback may free it or arm it again. */
typedef void (*sip_tq_cb)(struct sip_tq_entry *e);

/*! \brief Allocate an empty queue under ctx whose entries expire into cb; NULL if out of memory. */
struct sip_tq *sip_tq_alloc(void *ctx, sip_tq_cb cb);

/*! \brief Free a queue; entries still armed are dropped unfired (their owners must not cancel them afterwards). */
void sip_tq_free(struct sip_tq *tq);

/*! \brief Prepare an entry (disarmed); call once before anything else on it. */
void sip_tq_entry_init(struct sip_tq_entry *e);

/*! \brief (Re-)arm e to expire ms milliseconds from now (osmo_gettimeofday() time, as osmo_timer). -ENOMEM if a
 * new duration's FIFO cannot be allocated, e is then disarmed. */
int sip_tq_schedule(struct sip_tq *tq, struct sip_tq_entry *e, unsigned long ms);

/*! \brief Disarm e (no-op if not armed). */
void sip_tq_cancel(struct sip_tq_entry *e);

/*! \brief Is e armed? */
bool sip_tq_pending(const struct sip_tq_entry *e);

/*! \brief Number of FIFOs (distinct durations) the queue holds, for tests. */
unsigned int sip_tq_num_fifos(const struct sip_tq *tq);
