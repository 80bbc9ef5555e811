/* Timer queues: a FIFO per duration, one osmo_timer per FIFO.  See sip_tq.h. */
#include <errno.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/timer.h>

#include "sip/sip_tq.h"

/* empty FIFOs kept for reuse (e.g. Timer J over UDP and over TCP, 64*T1 and 0); others are freed once empty */
#define SIP_TQ_KEEP_EMPTY 4

struct sip_tq_fifo {
	struct llist_head list;		/* in tq->fifos, most recently armed first */
	struct sip_tq *tq;
	unsigned long ms;
	struct llist_head entries;	/* oldest (earliest expiry) first */
	struct osmo_timer_list timer;	/* armed for the head's expiry while entries is not empty */
};

struct sip_tq {
	struct llist_head fifos;
	unsigned int num_fifos;
	sip_tq_cb cb;
};

static void fifo_arm(struct sip_tq_fifo *f, const struct timeval *now)
{
	const struct sip_tq_entry *head = llist_first_entry(&f->entries, struct sip_tq_entry, list);
	struct timeval d = { 0, 0 };

	if (timercmp(&head->expires, now, >))
		timersub(&head->expires, now, &d);
	osmo_timer_schedule(&f->timer, d.tv_sec, d.tv_usec);
}

static void fifo_free(struct sip_tq_fifo *f)
{
	osmo_timer_del(&f->timer);
	llist_del(&f->list);
	f->tq->num_fifos--;
	talloc_free(f);
}

static void fifo_timer_cb(void *data)
{
	struct sip_tq_fifo *f = data;
	struct sip_tq *tq = f->tq;
	struct timeval now;

	osmo_gettimeofday(&now, NULL);
	/* the head may have been cancelled since the timer was armed: fire what is due, re-arm for the rest */
	while (!llist_empty(&f->entries)) {
		struct sip_tq_entry *e = llist_first_entry(&f->entries, struct sip_tq_entry, list);

		if (timercmp(&e->expires, &now, >)) {
			fifo_arm(f, &now);
			return;
		}
		llist_del_init(&e->list);
		tq->cb(e);
	}
	if (tq->num_fifos > SIP_TQ_KEEP_EMPTY)
		fifo_free(f);
}

struct sip_tq *sip_tq_alloc(void *ctx, sip_tq_cb cb)
{
	struct sip_tq *tq = talloc_zero(ctx, struct sip_tq);

	if (!tq)
		return NULL;
	INIT_LLIST_HEAD(&tq->fifos);
	tq->cb = cb;
	return tq;
}

void sip_tq_free(struct sip_tq *tq)
{
	if (!tq)
		return;
	while (!llist_empty(&tq->fifos)) {
		struct sip_tq_fifo *f = llist_first_entry(&tq->fifos, struct sip_tq_fifo, list);

		/* unlink the entries so that their owners see them disarmed */
		while (!llist_empty(&f->entries))
			llist_del_init(f->entries.next);
		fifo_free(f);
	}
	talloc_free(tq);
}

void sip_tq_entry_init(struct sip_tq_entry *e)
{
	INIT_LLIST_HEAD(&e->list);
}

static struct sip_tq_fifo *fifo_get(struct sip_tq *tq, unsigned long ms)
{
	struct sip_tq_fifo *f;

	llist_for_each_entry(f, &tq->fifos, list) {
		if (f->ms == ms) {
			llist_move(&f->list, &tq->fifos);
			return f;
		}
	}
	f = talloc_zero(tq, struct sip_tq_fifo);
	if (!f)
		return NULL;
	f->tq = tq;
	f->ms = ms;
	INIT_LLIST_HEAD(&f->entries);
	osmo_timer_setup(&f->timer, fifo_timer_cb, f);
	llist_add(&f->list, &tq->fifos);
	tq->num_fifos++;
	return f;
}

int sip_tq_schedule(struct sip_tq *tq, struct sip_tq_entry *e, unsigned long ms)
{
	struct sip_tq_fifo *f;
	struct timeval now, d = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	sip_tq_cancel(e);
	f = fifo_get(tq, ms);
	if (!f)
		return -ENOMEM;
	osmo_gettimeofday(&now, NULL);
	timeradd(&now, &d, &e->expires);
	llist_add_tail(&e->list, &f->entries);
	/* a cancelled head leaves the timer armed early, which is harmless: only a first entry arms it */
	if (!osmo_timer_pending(&f->timer))
		fifo_arm(f, &now);
	return 0;
}

void sip_tq_cancel(struct sip_tq_entry *e)
{
	llist_del_init(&e->list);
}

bool sip_tq_pending(const struct sip_tq_entry *e)
{
	return !llist_empty(&e->list);
}

unsigned int sip_tq_num_fifos(const struct sip_tq *tq)
{
	return tq->num_fifos;
}
