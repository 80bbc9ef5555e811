/* Media threads: per-thread select loop, 10 ms tick, CESoPSN spans, RTP sockets, command/event queues.
 * See the diagram in media.h. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <talloc.h>

#include <osmocom/core/hashtable.h>
#include <osmocom/core/it_q.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/select.h>
#include <osmocom/core/socket.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/timer.h>

#include <mgcf/log.h>
#include <mgcf/rand.h>
#include "media/media.h"
#include "media/media_chan.h"
#include "media/media_ports.h"
#include "media/cesopsn.h"
#include "media/media_uring.h"

#define CMDQ_MAX		100000
#define EVQ_MAX			1000000
#define RX_BATCH		16
#define MAX_PKT			1500
#define GRO_BUF_SIZE		65536	/* a coalesced datagram: up to the largest UDP datagram */
#define SPAN_PREFILL_FRAMES	160	/* 20 ms buffered before a span plays out: jitter and reorder tolerance */
/* io_uring sizes per media thread: submissions per io_uring_enter(), receive buffers (a tick's packets of
 * 4,000 channels at 20 ms fit twice), each the largest datagram chan_rtp_drain() takes plus the
 * io_uring_recvmsg_out header and an IPv6 source address; queued sends per tick before a flush */
#define RING_SQ_ENTRIES		8192
#define RING_NBUFS		8192
#define RING_BUF_SIZE		(640 + 64)
#define RING_TX_MAX		4096	/* beyond, a tick's sends go out directly */
#define RING_TX_PKT		512	/* larger packets (none at ptime <= 40 ms) are sent directly */
#define UD_TX			(1ull << 63)	/* completion of a send */
#define UD_IGNORE		(1ull << 62)	/* completion of a cancel (or of an unused entry: a no-op) */
#define UD_RTCP			(1ull << 61)	/* with UD_TX: an RTCP send (not counted as RTP) */
#define NO_SLOT			UINT32_MAX

const struct value_string media_event_type_names[] = {
	{ MEDIA_EV_CHAN_READY, "CHAN_READY" },
	{ MEDIA_EV_CHAN_FAILED, "CHAN_FAILED" },
	{ MEDIA_EV_DTMF, "DTMF" },
	{ MEDIA_EV_RFC4733, "RFC4733" },
	{ MEDIA_EV_COT_RESULT, "COT_RESULT" },
	{ MEDIA_EV_RTP_TIMEOUT, "RTP_TIMEOUT" },
	{ MEDIA_EV_FAX_TONE, "FAX_TONE" },
	{ MEDIA_EV_CHAN_DESTROYED, "CHAN_DESTROYED" },
	{ MEDIA_EV_TONE, "TONE" },
	{ MEDIA_EV_SOCKET_FREE, "SOCKET_FREE" },
	{ 0, NULL }
};

enum media_cmd_type {
	CMD_CREATE,
	CMD_MODIFY,
	CMD_DESTROY,
	CMD_PLAY,
	CMD_COT,
	CMD_DIGIT,
	CMD_LOOPBACK,
	CMD_RECORD,
	CMD_PLAY_FILE,
	CMD_STOP,
};

struct media_cmd {
	struct llist_head list;
	enum media_cmd_type type;
	uint32_t id;
	/* create */
	int rtp_fd, rtcp_fd;
	bool pooled[2];			/* rtp_fd, rtcp_fd come from the pool: drain them first (pooled_drain()) */
	uint16_t port;
	int span_idx;
	unsigned int ts;
	enum media_law tdm_law;
	const struct dtmf_tone_plan *plan;
	bool tone_detect;
	struct media_chan_params p;
	/* others */
	enum dtmf_play tone;
	unsigned int ms;
	char digit;
	bool on;
	FILE *file;			/* record, play file: owned by the command until a channel takes it */
};

struct media_span;
struct media_thread;

/* a channel as its thread sees it */
struct thread_chan {
	struct llist_head list;		/* media_thread.chans (RTP only) or media_span chans */
	struct media_thread *t;
	struct media_chan *ch;
	uint32_t id;
	uint16_t port;
	int rtp_fd;
	int rtcp_fd;			/* drained every RTCP_DRAIN_TICKS: RTCP comes every 5 s, no poll slot for it */
	unsigned int drain_every;	/* ticks between RTP drains: one per ptime */
	struct sockaddr_storage remote;	/* RTP; RTCP is port + 1 */
	socklen_t remote_len;
	bool remote_known;
	bool learn_remote;
	bool connected;			/* rtp_fd connect()ed to remote: the peer was seen sending from there */
	struct media_span *span;
	unsigned int ts_idx;		/* index among the span's timeslots */
	uint32_t rx_slot[2];		/* io_uring receive slots of rtp_fd and rtcp_fd; NO_SLOT: polled */
};

/* A multishot receive in the thread's ring; its index is the request's user data.  The slot outlives its
 * channel until the request's last completion, so that a completion never points at a freed channel. */
struct rx_slot {
	struct thread_chan *tc;		/* NULL: the channel is gone, the request is being cancelled */
	bool rtcp;
	int fd;				/* once the channel is gone: its socket, handed back with the slot (-1: none) */
	uint16_t port;			/* the channel's RTP port */
	uint32_t next_free;
};

/* a send queued in the ring: what the kernel reads when it runs the request */
struct tx_ent {
	struct msghdr mh;
	struct iovec iov;
	struct sockaddr_storage to;
	uint8_t pkt[RING_TX_PKT];
};

struct media_span {
	const struct media_span_cfg *cfg;
	struct media_thread *t;
	int fd;
	struct sockaddr_storage remote;
	socklen_t remote_len;
	unsigned int n_ts;
	uint8_t ts_num[CESOPSN_MAX_TS];	/* timeslot number of each payload position */
	unsigned int frames;		/* per packet */
	enum media_law law;
	struct thread_chan *chan[CESOPSN_MAX_TS];
	struct cesopsn_rx rx;
	struct cesopsn_stats stats;
	uint8_t *rx_win;
	/* de-interleaved frames per timeslot: [ts][frames + tick] */
	uint8_t *rx_frames, *tx_frames;
	bool *rx_missing;		/* per frame */
	unsigned int rx_avail, tx_fill, buf_frames;
	uint16_t tx_seq;
	size_t pkt_size;		/* control word + F*N, plus room to notice oversized datagrams */
	size_t tx_size;			/* control word + F*N: what is sent */
	bool gso;			/* UDP_SEGMENT set to tx_size: a tick's packets leave in one send() */
	uint8_t *tx_pkt;		/* the packets of one tick, back to back (tx_size apart) */
	uint8_t *rx_pkts;		/* RX_BATCH packets (with gro: the thread's gro_bufs) */
	size_t rx_buf_size;		/* of each of them */
	bool gro;			/* UDP_GRO: a GSO sender's tick arrives as one datagram of tx_size segments */
};

struct media_thread {
	struct media_plane *mp;
	unsigned int idx;
	pthread_t tid;
	bool started;
	struct osmo_it_q *cmdq;		/* no eventfd: drained at each tick */
	struct llist_head ev_batch;	/* the tick's events, handed over in one go at its end */
	unsigned int ev_batch_len;
	void *ctx;			/* thread's own talloc root */
	struct llist_head chans;	/* thread_chan without a span */
	struct media_span **spans;
	unsigned int num_spans;
	struct osmo_fd tick_ofd;
	volatile bool stop;
	uint64_t ticks;
	_Atomic unsigned int n_chans;
	_Atomic size_t talloc_blocks;
	_Atomic uint64_t tick_overruns;
	_Atomic uint64_t ev_dropped;
	_Atomic uint64_t rtp_rx, rtp_tx, tx_errors;
	uint8_t idle_tdm[MEDIA_TICK_SAMPLES];
	uint8_t *gro_bufs;		/* RX_BATCH receive buffers of GRO_BUF_SIZE for the spans with gro (one at a time);
					 * untouched pages stay virtual */
	/* io_uring (NULL: plain socket calls): channel sockets are received by multishot requests, a tick's
	 * RTP sends are queued and submitted together */
	struct media_uring *ring;
	struct msghdr rx_mh;		/* receive template: source address only */
	struct rx_slot *slots;
	uint32_t num_slots, free_slot, slots_busy;
	struct tx_ent *tx;
	unsigned int tx_used, tx_inflight;
	_Atomic bool ring_used;
	_Atomic uint64_t user_ns, sys_ns;	/* getrusage() of the thread, every tick (one cheap syscall) */
};

struct chan_ref {
	struct hlist_node node;
	uint32_t id;
	uint16_t port;
	unsigned int thread;
};

struct media_plane {
	const struct media_cfg *cfg;
	const struct media_plane_ops *ops;
	void *priv;
	unsigned int num_threads;
	struct media_thread *threads;
	struct media_span_cfg **span_cfgs;
	unsigned int num_spans;
	int *span_fds;
	unsigned int *span_thread;
	struct osmo_it_q *evq;
	struct media_ports *ports;
	DECLARE_HASHTABLE(refs, 12);
	uint32_t next_id;
	unsigned int rr;
	bool running;
};

/* ---------------- media thread side ---------------- */

/* Events are collected during a tick and handed to the event queue together, with one write of its eventfd:
 * the signalling thread wakes once per tick rather than once per event (osmo_it_q's reader takes as many
 * items as the eventfd counts). */
static void post_event(struct media_thread *t, const struct media_event *ev)
{
	struct media_event *e = malloc(sizeof(*e));

	if (!e) {
		atomic_fetch_add(&t->ev_dropped, 1);
		return;
	}
	*e = *ev;
	llist_add_tail(&e->list, &t->ev_batch);
	t->ev_batch_len++;
}

static void ev_flush(struct media_thread *t)
{
	struct osmo_it_q *q = t->mp->evq;
	struct media_event *e, *tmp;
	unsigned int n = t->ev_batch_len;
	bool fits;

	if (!n)
		return;
	t->ev_batch_len = 0;
	pthread_mutex_lock(&q->mutex);
	fits = q->current_length + n <= q->max_length;
	if (fits) {
		llist_splice_init(&t->ev_batch, q->list.prev);
		q->current_length += n;
	}
	pthread_mutex_unlock(&q->mutex);
	if (fits) {
		if (q->event_ofd.fd >= 0)
			eventfd_write(q->event_ofd.fd, n);
		return;
	}
	llist_for_each_entry_safe(e, tmp, &t->ev_batch, list) {
		llist_del(&e->list);
		free(e);
	}
	atomic_fetch_add(&t->ev_dropped, n);
}

static void chan_event(void *priv, const struct media_event *ev)
{
	struct thread_chan *tc = priv;

	post_event(tc->t, ev);
}

static bool ring_send(struct thread_chan *tc, const uint8_t *pkt, size_t len);
static bool ring_send_to(struct media_thread *t, int fd, const uint8_t *pkt, size_t len,
			 const struct sockaddr_storage *to, socklen_t to_len, uint64_t ud);
static void ring_arm(struct media_thread *t, struct thread_chan *tc, bool rtcp);
static void ring_disarm(struct media_thread *t, struct thread_chan *tc);
static void span_attach(struct media_span *sp, unsigned int i, struct thread_chan *tc);

static void chan_rtp_tx(void *priv, const uint8_t *pkt, size_t len)
{
	struct thread_chan *tc = priv;

	if (!tc->remote_known)
		return;
	if (ring_send(tc, pkt, len))
		return;
	if ((tc->connected ? send(tc->rtp_fd, pkt, len, MSG_DONTWAIT) :
	     sendto(tc->rtp_fd, pkt, len, MSG_DONTWAIT, (struct sockaddr *)&tc->remote, tc->remote_len)) > 0)
		atomic_fetch_add_explicit(&tc->t->rtp_tx, 1, memory_order_relaxed);
	else
		atomic_fetch_add_explicit(&tc->t->tx_errors, 1, memory_order_relaxed);
}

static void remote_rtcp(const struct thread_chan *tc, struct sockaddr_storage *ss)
{
	*ss = tc->remote;
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(ntohs(((struct sockaddr_in *)ss)->sin_port) + 1);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(ntohs(((struct sockaddr_in6 *)ss)->sin6_port) + 1);
}

/* RTCP (the reports every 5 s, the BYE of every call) goes with the tick's RTP where io_uring sends it */
static void chan_rtcp_tx(void *priv, const uint8_t *pkt, size_t len)
{
	struct thread_chan *tc = priv;
	struct sockaddr_storage ss;

	if (!tc->remote_known)
		return;
	remote_rtcp(tc, &ss);
	if (ring_send_to(tc->t, tc->rtcp_fd, pkt, len, &ss, tc->remote_len, UD_TX | UD_RTCP))
		return;
	sendto(tc->rtcp_fd, pkt, len, MSG_DONTWAIT, (struct sockaddr *)&ss, tc->remote_len);
}

static const struct media_chan_ops chan_ops = {
	.rtp_tx = chan_rtp_tx,
	.rtcp_tx = chan_rtcp_tx,
	.event = chan_event,
};

static void chan_rtcp_drain(struct thread_chan *tc)
{
	uint8_t buf[MAX_PKT];
	ssize_t n;

	while ((n = recv(tc->rtcp_fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		media_chan_rtcp_rx(tc->ch, buf, n);
}

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port && !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
	}
	return false;
}

/* A connected UDP socket sends at about two thirds of the cost of sendto() (no route lookup per packet;
 * measured 4.9 vs 7.6 µs per send+receive on this machine).  It also receives only from that address,
 * so it is connected only once the peer has been seen sending from the address we send to: a peer that
 * sends from elsewhere (asymmetric RTP) keeps an unconnected socket. */
static void rtp_connect(struct thread_chan *tc)
{
	if (connect(tc->rtp_fd, (struct sockaddr *)&tc->remote, tc->remote_len) == 0)
		tc->connected = true;
}

static void rtp_disconnect(struct thread_chan *tc)
{
	struct sockaddr sa = { .sa_family = AF_UNSPEC };

	/* the explicitly bound local port is kept (Linux udp_disconnect() honours the bind lock) */
	if (tc->connected)
		connect(tc->rtp_fd, &sa, sizeof(sa));
	tc->connected = false;
}

static void set_remote(struct thread_chan *tc, const struct osmo_sockaddr_str *r)
{
	struct osmo_sockaddr_str tmp;

	rtp_disconnect(tc);
	tc->remote_known = false;
	if (!r->port || !r->ip[0] || tc->rtp_fd < 0)	/* no remote, or a TDM-only channel */
		return;
	tmp = *r;
	if (osmo_sockaddr_str_to_sockaddr(&tmp, &tc->remote) < 0)
		return;
	tc->remote_len = tc->remote.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	tc->remote_known = true;
}

static int thread_chan_destructor(struct thread_chan *tc)
{
	if (tc->rtcp_fd >= 0)
		close(tc->rtcp_fd);
	if (tc->rtp_fd >= 0)
		close(tc->rtp_fd);
	return 0;
}

static struct thread_chan *find_chan(struct media_thread *t, uint32_t id)
{
	struct thread_chan *tc;
	unsigned int s, i;

	llist_for_each_entry(tc, &t->chans, list)
		if (tc->id == id)
			return tc;
	for (s = 0; s < t->num_spans; s++)
		for (i = 0; i < t->spans[s]->n_ts; i++)
			if (t->spans[s]->chan[i] && t->spans[s]->chan[i]->id == id)
				return t->spans[s]->chan[i];
	return NULL;
}

static void destroy_chan(struct media_thread *t, struct thread_chan *tc)
{
	struct media_event ev = { .type = MEDIA_EV_CHAN_DESTROYED, .chan_id = tc->id, .local_port = tc->port,
				  .socks_back = true };

	media_chan_bye(tc->ch);
	/* the sockets go back to the pool as they were created: bound, not connected */
	rtp_disconnect(tc);
	if (t->ring)
		ring_disarm(t, tc);
	/* the sockets io_uring does not receive on (any more) come back now, the others with their slots */
	ev.sock_fd[0] = tc->rtp_fd;
	ev.sock_fd[1] = tc->rtcp_fd;
	tc->rtp_fd = tc->rtcp_fd = -1;
	if (tc->span)
		tc->span->chan[tc->ts_idx] = NULL;
	else
		llist_del(&tc->list);
	talloc_free(tc);
	atomic_fetch_sub(&t->n_chans, 1);
	post_event(t, &ev);
}

/* RFC 3550 §5.1, §8: SSRC, first sequence number and timestamp are random */
static uint32_t rand32(void)
{
	uint32_t v = 0;

	if (mgcf_rand_bytes(&v, sizeof(v)) < 0)
		v = (uint32_t)random() ^ ((uint32_t)random() << 16);
	return v;
}

static void sock_drain(int fd)
{
	uint8_t buf[MAX_PKT];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC) >= 0)
		;
}

/* A command that will not run: its sockets closed, its file too. */
static void cmd_drop(struct media_cmd *c)
{
	if (c->type == CMD_CREATE && c->rtp_fd >= 0) {
		close(c->rtp_fd);
		close(c->rtcp_fd);
	}
	if (c->file)
		fclose(c->file);
	free(c);
}

#define DRAIN_POLL_MAX	64

static void pooled_poll(struct pollfd *pfd, unsigned int n)
{
	unsigned int i;

	if (poll(pfd, n, 0) <= 0)
		return;
	for (i = 0; i < n; i++)
		if (pfd[i].revents & POLLIN)
			sock_drain(pfd[i].fd);
}

/* Pooled sockets bring what reached the pair while it was free, which belongs to no call.  Most bring nothing:
 * rather than a receive each that finds nothing (two per call), one poll() per DRAIN_POLL_MAX sockets of a
 * batch of commands tells which ones to drain. */
static void pooled_drain(struct llist_head *batch)
{
	struct pollfd pfd[DRAIN_POLL_MAX];
	struct media_cmd *c;
	unsigned int n = 0, k;

	llist_for_each_entry(c, batch, list) {
		if (c->type != CMD_CREATE)
			continue;
		for (k = 0; k < 2; k++) {
			if (!c->pooled[k])
				continue;
			c->pooled[k] = false;
			pfd[n++] = (struct pollfd){ .fd = k ? c->rtcp_fd : c->rtp_fd, .events = POLLIN };
			if (n == DRAIN_POLL_MAX) {
				pooled_poll(pfd, n);
				n = 0;
			}
		}
	}
	if (n)
		pooled_poll(pfd, n);
}

static void cmd_create(struct media_thread *t, struct media_cmd *c)
{
	struct media_event ev = { .chan_id = c->id, .local_port = c->port };
	struct media_chan_setup setup = {
		.id = c->id,
		.tdm_law = c->tdm_law,
		.plan = c->plan,
		.jitter_min_ms = t->mp->cfg->jitter_min_ms,
		.jitter_max_ms = t->mp->cfg->jitter_max_ms,
		.rtp_timeout_s = t->mp->cfg->rtp_timeout_s,
		.fax_detect = true,
		.tone_detect = c->tone_detect,
		/* digits that go out of band (RFC 4733, SIP INFO) must not also reach the far end in-band */
		.dtmf_suppress = c->p.dtmf_mode != MEDIA_DTMF_INBAND,
		.ssrc = rand32(),
		.seq = rand32(),
		.ts = rand32(),
		.cname = "mgcf",
	};
	struct thread_chan *tc = talloc_zero(t->ctx, struct thread_chan);
	struct media_span *sp = c->span_idx >= 0 ? t->spans[c->span_idx] : NULL;
	unsigned int i;

	if (!tc)
		goto fail;
	tc->rx_slot[0] = tc->rx_slot[1] = NO_SLOT;
	tc->rtp_fd = c->rtp_fd;
	tc->rtcp_fd = c->rtcp_fd;
	/* pooled sockets were drained with the batch (pooled_drain()) */
	talloc_set_destructor(tc, thread_chan_destructor);
	c->rtp_fd = -1;
	c->rtcp_fd = -1;
	tc->drain_every = c->p.ptime_ms / MEDIA_TICK_MS;
	tc->t = t;
	tc->id = c->id;
	tc->port = c->port;
	tc->learn_remote = c->p.symmetric_rtp;
	set_remote(tc, &c->p.remote);
	tc->ch = media_chan_alloc(tc, &setup, &c->p, &chan_ops, tc);
	if (!tc->ch)
		goto fail;
	if (sp) {
		for (i = 0; i < sp->n_ts; i++)
			if (sp->ts_num[i] == c->ts)
				break;
		if (i == sp->n_ts || sp->chan[i]) {
			ev.rc = -EBUSY;
			goto fail_rc;
		}
		tc->span = sp;
		tc->ts_idx = i;
		span_attach(sp, i, tc);
	} else {
		llist_add_tail(&tc->list, &t->chans);
	}
	if (t->ring && tc->rtp_fd >= 0) {
		ring_arm(t, tc, false);
		ring_arm(t, tc, true);
	}
	atomic_fetch_add(&t->n_chans, 1);
	ev.type = MEDIA_EV_CHAN_READY;
	post_event(t, &ev);
	return;
fail:
	ev.rc = -ENOMEM;
fail_rc:
	talloc_free(tc);
	if (c->rtp_fd >= 0)
		close(c->rtp_fd);
	if (c->rtcp_fd >= 0)
		close(c->rtcp_fd);
	ev.type = MEDIA_EV_CHAN_FAILED;
	post_event(t, &ev);
	/* the port comes back with a DESTROYED event, so the signalling side has one release path */
	ev.type = MEDIA_EV_CHAN_DESTROYED;
	post_event(t, &ev);
}

static void cmd_run(struct media_thread *t, struct media_cmd *c)
{
	struct thread_chan *tc = NULL;

	if (c->type == CMD_CREATE) {
		cmd_create(t, c);
	} else if (c->type == CMD_STOP) {
		t->stop = true;
	} else if ((tc = find_chan(t, c->id))) {
		switch (c->type) {
		case CMD_MODIFY:
			if (media_chan_modify(tc->ch, &c->p) == 0) {
				tc->drain_every = c->p.ptime_ms / MEDIA_TICK_MS;
				set_remote(tc, &c->p.remote);
				tc->learn_remote = c->p.symmetric_rtp;
			}
			break;
		case CMD_DESTROY:
			destroy_chan(t, tc);
			break;
		case CMD_PLAY:
			media_chan_play(tc->ch, c->tone);
			break;
		case CMD_COT:
			media_chan_cot_start(tc->ch, c->ms);
			break;
		case CMD_DIGIT:
			media_chan_send_digit(tc->ch, c->digit, c->ms);
			break;
		case CMD_LOOPBACK:
			media_chan_loopback(tc->ch, c->on);
			break;
		case CMD_RECORD:
			media_chan_record(tc->ch, c->file, c->on);
			c->file = NULL;
			break;
		case CMD_PLAY_FILE:
			media_chan_play_file(tc->ch, c->file);
			c->file = NULL;
			break;
		default:
			break;
		}
	}
	if (c->file)
		fclose(c->file);	/* no such channel (any more) */
	free(c);
}

static void talloc_blocks_sample(struct media_thread *t)
{
	atomic_store(&t->talloc_blocks, talloc_total_blocks(t->ctx));
}

/* The command queue has no eventfd: the signalling thread's enqueue neither writes one nor wakes this thread,
 * which takes the commands at its next tick (at most MEDIA_TICK_MS later).  Only this thread dequeues, so the
 * items counted under the lock are there (libosmocore 1.7's dequeue must not meet an empty queue). */
static void cmd_drain(struct media_thread *t)
{
	struct media_cmd *c, *tmp;
	unsigned int n;
	LLIST_HEAD(batch);

	pthread_mutex_lock(&t->cmdq->mutex);
	n = t->cmdq->current_length;
	pthread_mutex_unlock(&t->cmdq->mutex);
	if (!n)
		return;
	while (n--) {
		osmo_it_q_dequeue(t->cmdq, &c, list);
		llist_add_tail(&c->list, &batch);
	}
	pooled_drain(&batch);
	llist_for_each_entry_safe(c, tmp, &batch, list) {
		llist_del(&c->list);
		if (t->stop) {
			cmd_drop(c);
			continue;
		}
		cmd_run(t, c);
	}
	/* a walk of the thread's tree (~15 Ir per block): when the last channel is gone, where the count shows a
	 * leak, and once a second (run_tick()) for the show commands, not per batch */
	if (!atomic_load(&t->n_chans))
		talloc_blocks_sample(t);
}

/* a received RTP packet of tc from address from */
static void chan_rtp_in(struct thread_chan *tc, const struct sockaddr_storage *from, socklen_t from_len,
			const uint8_t *buf, size_t len)
{
	if (tc->learn_remote) {
		/* symmetric RTP: send where the peer sends from */
		tc->remote = *from;
		tc->remote_len = from_len;
		tc->remote_known = true;
		tc->learn_remote = false;
	}
	if (!tc->connected && tc->remote_known && same_addr(from, &tc->remote))
		rtp_connect(tc);
	media_chan_rtp_rx(tc->ch, buf, len);
}

/* drain a channel's RTP socket: batches of RX_BATCH datagrams per syscall */
static void chan_rtp_drain(struct thread_chan *tc)
{
	uint8_t bufs[RX_BATCH][640];	/* G.711 up to 60 ms plus headers; larger datagrams are truncated and dropped */
	struct mmsghdr msgs[RX_BATCH];
	struct iovec iov[RX_BATCH];
	struct sockaddr_storage from[RX_BATCH];
	int n, i;

	do {
		for (i = 0; i < RX_BATCH; i++) {
			iov[i] = (struct iovec){ bufs[i], sizeof(bufs[i]) };
			msgs[i].msg_hdr = (struct msghdr){ .msg_name = &from[i], .msg_namelen = sizeof(from[i]),
							   .msg_iov = &iov[i], .msg_iovlen = 1 };
		}
		n = recvmmsg(tc->rtp_fd, msgs, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n > 0)
			atomic_fetch_add_explicit(&tc->t->rtp_rx, n, memory_order_relaxed);
		for (i = 0; i < n; i++)
			if (!(msgs[i].msg_hdr.msg_flags & MSG_TRUNC))
				chan_rtp_in(tc, &from[i], msgs[i].msg_hdr.msg_namelen, bufs[i], msgs[i].msg_len);
	} while (n == RX_BATCH);
}

/* ---- io_uring path ---- */

static struct io_uring_sqe *ring_sqe(struct media_thread *t);

static int ring_slots_grow(struct media_thread *t, uint32_t n)
{
	struct rx_slot *ns = talloc_realloc(t->ctx, t->slots, struct rx_slot, n);
	uint32_t i;

	if (!ns)
		return -ENOMEM;
	for (i = t->num_slots; i < n; i++)
		ns[i] = (struct rx_slot){ .fd = -1, .next_free = i + 1 < n ? i + 1 : NO_SLOT };
	t->slots = ns;
	t->free_slot = t->num_slots;
	t->num_slots = n;
	return 0;
}

static void post_event(struct media_thread *t, const struct media_event *ev);

/* the request of a gone channel is over: its socket goes back to the signalling thread's pool */
static void ring_slot_free(struct media_thread *t, uint32_t s)
{
	if (t->slots[s].fd >= 0) {
		struct media_event ev = { .type = MEDIA_EV_SOCKET_FREE, .local_port = t->slots[s].port,
					  .socks_back = true, .sock_fd = { -1, -1 } };
		ev.sock_fd[t->slots[s].rtcp] = t->slots[s].fd;
		post_event(t, &ev);
	}
	t->slots[s] = (struct rx_slot){ .fd = -1, .next_free = t->free_slot };
	t->free_slot = s;
	t->slots_busy--;
}

/* a multishot receive for one of tc's sockets, in a new slot (or again in its slot) */
static void ring_arm(struct media_thread *t, struct thread_chan *tc, bool rtcp)
{
	struct io_uring_sqe *sqe;
	uint32_t s = tc->rx_slot[rtcp];

	if (s == NO_SLOT) {
		if (t->free_slot == NO_SLOT && ring_slots_grow(t, 2 * t->num_slots) < 0)
			return;	/* stays polled */
		s = t->free_slot;
		t->free_slot = t->slots[s].next_free;
		t->slots[s] = (struct rx_slot){ .tc = tc, .rtcp = rtcp, .fd = -1, .next_free = NO_SLOT };
		tc->rx_slot[rtcp] = s;
		t->slots_busy++;
	}
	sqe = ring_sqe(t);
	if (!sqe) {
		/* the ring failed: this socket is polled from now on */
		ring_slot_free(t, s);
		tc->rx_slot[rtcp] = NO_SLOT;
		return;
	}
	media_uring_prep_recvmsg_multishot(sqe, rtcp ? tc->rtcp_fd : tc->rtp_fd, &t->rx_mh, s);
}

/* The channel goes: its requests are cancelled, their slots freed at their last completion.  The slots take
 * the sockets and close them then: a request not submitted yet names its socket by descriptor number, which
 * must not be handed to a new socket before the request has been cancelled. */
static void ring_disarm(struct media_thread *t, struct thread_chan *tc)
{
	unsigned int k;

	for (k = 0; k < 2; k++) {
		uint32_t s = tc->rx_slot[k];
		int *fd = k ? &tc->rtcp_fd : &tc->rtp_fd;
		struct io_uring_sqe *sqe;
		if (s == NO_SLOT)
			continue;
		t->slots[s].tc = NULL;
		t->slots[s].fd = *fd;
		t->slots[s].port = tc->port;
		*fd = -1;
		tc->rx_slot[k] = NO_SLOT;
		sqe = ring_sqe(t);
		if (sqe)
			media_uring_prep_cancel(sqe, s, UD_IGNORE);
	}
}

static void ring_rx(struct media_thread *t, struct rx_slot *sl, const uint8_t *buf, size_t len)
{
	const struct io_uring_recvmsg_out *o = (const void *)buf;
	const uint8_t *name = buf + sizeof(*o), *payload = name + t->rx_mh.msg_namelen;
	struct sockaddr_storage from = { 0 };

	if (!sl->rtcp)
		atomic_fetch_add_explicit(&t->rtp_rx, 1, memory_order_relaxed);
	/* truncated datagrams are dropped, as with recvmmsg() */
	if (len < sizeof(*o) + t->rx_mh.msg_namelen || (o->flags & MSG_TRUNC) ||
	    o->payloadlen > len - (payload - buf) || o->namelen > sizeof(from))
		return;
	if (sl->rtcp) {
		media_chan_rtcp_rx(sl->tc->ch, payload, o->payloadlen);
		return;
	}
	memcpy(&from, name, o->namelen < t->rx_mh.msg_namelen ? o->namelen : t->rx_mh.msg_namelen);
	chan_rtp_in(sl->tc, &from, o->namelen, payload, o->payloadlen);
}

static void ring_complete(struct media_thread *t, const struct io_uring_cqe *cqe)
{
	struct rx_slot *sl;

	if (cqe->user_data & UD_TX) {
		if (t->tx_inflight)	/* 0: a send of an abandoned arena (ring_poll()) */
			t->tx_inflight--;
		if (cqe->user_data & UD_RTCP)
			return;	/* as when sent directly: RTCP send errors are not counted */
		if (cqe->res > 0)
			atomic_fetch_add_explicit(&t->rtp_tx, 1, memory_order_relaxed);
		else
			atomic_fetch_add_explicit(&t->tx_errors, 1, memory_order_relaxed);
		return;
	}
	if ((cqe->user_data & UD_IGNORE) || cqe->user_data >= t->num_slots)
		return;
	sl = &t->slots[cqe->user_data];
	if (cqe->flags & IORING_CQE_F_BUFFER) {
		unsigned int bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
		if (sl->tc && cqe->res > 0)
			ring_rx(t, sl, media_uring_buf(t->ring, bid), cqe->res);
		media_uring_buf_put(t->ring, bid);
	}
	if (cqe->flags & IORING_CQE_F_MORE)
		return;
	if (sl->tc && (cqe->res >= 0 || cqe->res == -ENOBUFS)) {
		/* the request ended by itself (no buffer left, completion queue overflow): the datagrams wait
		 * in the socket, a new request picks them up */
		ring_arm(t, sl->tc, sl->rtcp);
		return;
	}
	if (sl->tc) {
		/* the ring refuses this socket: it is polled like without io_uring */
		LOGP(DMEDIA, LOGL_ERROR, "chan %u: io_uring receive failed (%d), socket polled\n", sl->tc->id,
		     cqe->res);
		sl->tc->rx_slot[sl->rtcp] = NO_SLOT;
	}
	ring_slot_free(t, sl - t->slots);
}

/* submit what is queued, deliver what completed; the queued sends' buffers are free again after this */
static void ring_poll(struct media_thread *t)
{
	struct io_uring_cqe cqe;
	unsigned int wait = 0, tries;

	for (tries = 0; tries < 10; tries++) {
		if (media_uring_enter(t->ring, wait) < 0 && !t->tx_inflight)
			break;
		while (media_uring_next_cqe(t->ring, &cqe))
			ring_complete(t, &cqe);
		if (!t->tx_inflight)
			break;
		/* MSG_DONTWAIT sends complete during their submission: this is not expected to wait */
		wait = 1;
	}
	if (t->tx_inflight && t->tx) {
		/* the kernel may still read the queued packets: leave their buffers to it (freed with the thread)
		 * and send directly from now on */
		LOGP(DMEDIA, LOGL_ERROR, "media thread %u: %u io_uring sends not completed, sending directly\n",
		     t->idx, t->tx_inflight);
		t->tx = NULL;
		t->tx_inflight = 0;
	}
	t->tx_used = 0;
}

/* a submission entry; when all are queued they are submitted first, but nothing is delivered: this runs
 * in the middle of a tick, possibly inside a channel's media_chan_tick() */
static struct io_uring_sqe *ring_sqe(struct media_thread *t)
{
	struct io_uring_sqe *sqe = media_uring_get_sqe(t->ring);

	if (!sqe) {
		media_uring_enter(t->ring, 0);
		sqe = media_uring_get_sqe(t->ring);
	}
	if (sqe)
		sqe->user_data = UD_IGNORE;	/* until prepared */
	return sqe;
}

/* queue a packet for the tick's submission, on a connected socket (to NULL) or to an address; ud: UD_TX, with
 * UD_RTCP for RTCP; false: send it directly */
static bool ring_send_to(struct media_thread *t, int fd, const uint8_t *pkt, size_t len,
			 const struct sockaddr_storage *to, socklen_t to_len, uint64_t ud)
{
	struct io_uring_sqe *sqe;
	struct tx_ent *e;

	if (!t->tx || len > RING_TX_PKT || t->tx_used == RING_TX_MAX)
		return false;
	sqe = ring_sqe(t);
	if (!sqe)
		return false;
	e = &t->tx[t->tx_used++];
	memcpy(e->pkt, pkt, len);
	if (!to) {
		media_uring_prep_send(sqe, fd, e->pkt, len, ud);
	} else {
		e->to = *to;
		e->iov = (struct iovec){ e->pkt, len };
		e->mh = (struct msghdr){ .msg_name = &e->to, .msg_namelen = to_len, .msg_iov = &e->iov,
					 .msg_iovlen = 1 };
		media_uring_prep_sendmsg(sqe, fd, &e->mh, ud);
	}
	t->tx_inflight++;
	return true;
}

/* an RTP packet of tc */
static bool ring_send(struct thread_chan *tc, const uint8_t *pkt, size_t len)
{
	return ring_send_to(tc->t, tc->rtp_fd, pkt, len, tc->connected ? NULL : &tc->remote, tc->remote_len, UD_TX);
}

/* io_uring for this thread's channel sockets where the kernel allows it (see media_uring.h) */
static void ring_setup(struct media_thread *t)
{
	t->free_slot = NO_SLOT;
	if (t->mp->cfg->plain_sockets)
		return;
	t->ring = media_uring_alloc(t->ctx, RING_SQ_ENTRIES, RING_NBUFS, RING_BUF_SIZE);
	t->tx = t->ring ? talloc_zero_array(t->ctx, struct tx_ent, RING_TX_MAX) : NULL;	/* resident from the start */
	/* allocated here (and grown in place) so that the thread's block count does not move with channels */
	if (!t->tx || ring_slots_grow(t, 256) < 0) {
		TALLOC_FREE(t->ring);
		TALLOC_FREE(t->tx);
		TALLOC_FREE(t->slots);
		t->num_slots = 0;
		t->free_slot = NO_SLOT;
		LOGP(DMEDIA, LOGL_NOTICE, "media thread %u: io_uring unavailable, plain socket calls\n", t->idx);
		return;
	}
	t->rx_mh.msg_namelen = sizeof(struct sockaddr_in6);
	atomic_store(&t->ring_used, true);
}

/* the segment size of a coalesced datagram (UDP_GRO control message), 0: a single datagram */
static unsigned int gro_segment(struct msghdr *mh)
{
	struct cmsghdr *cm;
	int seg;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm))
		if (cm->cmsg_level == SOL_UDP && cm->cmsg_type == UDP_GRO && cm->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(&seg, CMSG_DATA(cm), sizeof(seg));
			return seg > 0 ? seg : 0;
		}
	return 0;
}

static void span_rx_pkt(struct media_span *sp, const uint8_t *buf, size_t len)
{
	struct cesopsn_pkt pkt;

	if (cesopsn_parse(buf, len, false, sp->n_ts, sp->frames, &pkt, NULL) < 0) {
		sp->stats.malformed++;
		return;
	}
	cesopsn_rx_put(&sp->rx, &pkt);
}

static void span_rx_drain(struct media_span *sp)
{
	struct mmsghdr msgs[RX_BATCH];
	struct iovec iov[RX_BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl[RX_BATCH];
	int n, i;

	do {
		for (i = 0; i < RX_BATCH; i++) {
			iov[i] = (struct iovec){ sp->rx_pkts + i * sp->rx_buf_size, sp->rx_buf_size };
			msgs[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1 };
			if (sp->gro) {
				msgs[i].msg_hdr.msg_control = ctl[i].buf;
				msgs[i].msg_hdr.msg_controllen = sizeof(ctl[i].buf);
			}
		}
		n = recvmmsg(sp->fd, msgs, RX_BATCH, MSG_DONTWAIT, NULL);
		for (i = 0; i < n; i++) {
			const uint8_t *p = iov[i].iov_base;
			size_t len = msgs[i].msg_len, seg = sp->gro ? gro_segment(&msgs[i].msg_hdr) : 0, off;
			if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				sp->stats.malformed++;
				continue;
			}
			if (!seg || seg >= len) {
				span_rx_pkt(sp, p, len);
				continue;
			}
			/* the segments of a coalesced datagram are the sender's datagrams (the last may be shorter) */
			for (off = 0; off < len; off += seg)
				span_rx_pkt(sp, p + off, len - off < seg ? len - off : seg);
		}
	} while (n == RX_BATCH);
}

/* UDP GSO limits per send(): segments (UDP_MAX_SEGMENTS of older kernels) and the IPv4 datagram size */
#define GSO_MAX_SEGS		64
#define GSO_MAX_BYTES		(65535 - 8 - 40)

/* Send a tick's npkt packets (ten at 1 ms packets).  With UDP GSO they leave in one send(): the kernel cuts
 * it into the same datagrams, but the stack (on loopback: the peer's receive path too) runs once per send
 * rather than once per packet.  Without it (or when the kernel refuses it), one sendmmsg(). */
static void span_send(struct media_span *sp, unsigned int npkt)
{
	struct mmsghdr msgs[MEDIA_TICK_SAMPLES];	/* packets per tick: at most one per frame */
	struct iovec iov[MEDIA_TICK_SAMPLES];
	unsigned int k = 0, i, per_send;

	if (sp->gso) {
		per_send = GSO_MAX_BYTES / sp->tx_size;
		if (per_send > GSO_MAX_SEGS)
			per_send = GSO_MAX_SEGS;
		while (k < npkt) {
			unsigned int m = npkt - k < per_send ? npkt - k : per_send;
			if (send(sp->fd, sp->tx_pkt + k * sp->tx_size, m * sp->tx_size, MSG_DONTWAIT) < 0 &&
			    errno != EAGAIN && errno != ENOBUFS && errno != ECONNREFUSED) {
				LOGP(DMEDIA, LOGL_NOTICE, "span %s: UDP GSO send failed (%s), one datagram per packet\n",
				     sp->cfg->name, strerror(errno));
				sp->gso = false;
				break;
			}
			k += m;
		}
		if (sp->gso)
			return;
	}
	for (i = k; i < npkt; i++) {
		iov[i - k] = (struct iovec){ sp->tx_pkt + i * sp->tx_size, sp->tx_size };
		msgs[i - k].msg_hdr = (struct msghdr){ .msg_iov = &iov[i - k], .msg_iovlen = 1 };
	}
	if (npkt > k)
		sendmmsg(sp->fd, msgs, npkt - k, MSG_DONTWAIT);
}

/* Only the timeslots that carry a channel are de-interleaved, processed and interleaved: an idle timeslot's
 * input goes nowhere and its output is the idle octet, which each packet starts from.  A row is taken into
 * use with idle output pending (span_attach()), as the idle timeslot sent before. */
static void span_tick(struct media_span *sp)
{
	unsigned int n = sp->n_ts, F = sp->frames, B = sp->buf_frames, i, f, npkt = 0, rest;
	bool missing = false;
	uint8_t idle = media_g711_idle(sp->law);

	/* rx: pull packets until one tick of frames is there, de-interleaving into per-timeslot rows */
	while (sp->rx_avail < MEDIA_TICK_SAMPLES) {
		bool lost;
		const uint8_t *p = cesopsn_rx_get(&sp->rx, &lost);
		for (i = 0; i < n; i++) {
			uint8_t *row = sp->rx_frames + i * B + sp->rx_avail;
			if (!sp->chan[i])
				continue;
			if (p)
				for (f = 0; f < F; f++)
					row[f] = p[f * n + i];
			else
				memset(row, idle, F);
		}
		memset(sp->rx_missing + sp->rx_avail, !p, F);
		sp->rx_avail += F;
	}
	for (f = 0; f < MEDIA_TICK_SAMPLES; f++)
		missing |= sp->rx_missing[f];
	rest = sp->rx_avail - MEDIA_TICK_SAMPLES;
	for (i = 0; i < n; i++) {
		uint8_t *in = sp->rx_frames + i * B;
		if (!sp->chan[i])
			continue;
		media_chan_tick(sp->chan[i]->ch, missing ? NULL : in, sp->tx_frames + i * B + sp->tx_fill);
		if (rest)
			memmove(in, in + MEDIA_TICK_SAMPLES, rest);
	}
	if (rest)
		memmove(sp->rx_missing, sp->rx_missing + MEDIA_TICK_SAMPLES, rest);
	sp->rx_avail = rest;
	sp->tx_fill += MEDIA_TICK_SAMPLES;

	/* tx: one packet per packet time, all timeslots interleaved frame by frame */
	while (sp->tx_fill >= F) {
		uint8_t *pkt = sp->tx_pkt + npkt * sp->tx_size;
		struct cesopsn_pkt cw = { .seq = sp->tx_seq++ };
		uint8_t *pl = pkt + CESOPSN_CW_LEN;
		cesopsn_write_cw(pkt, &cw);
		memset(pl, idle, F * n);
		for (i = 0; i < n; i++) {
			const uint8_t *row = sp->tx_frames + i * B;
			if (!sp->chan[i])
				continue;
			for (f = 0; f < F; f++)
				pl[f * n + i] = row[f];
			if (sp->tx_fill > F)
				memmove(sp->tx_frames + i * B, row + F, sp->tx_fill - F);
		}
		npkt++;
		sp->stats.tx_packets++;
		sp->tx_fill -= F;
	}
	span_send(sp, npkt);
}

/* a channel takes timeslot i: the output not sent yet is idle, as it was for the idle timeslot; the input
 * pulled before the channel came is the idle octet too (it belonged to no call) */
static void span_attach(struct media_span *sp, unsigned int i, struct thread_chan *tc)
{
	uint8_t idle = media_g711_idle(sp->law);

	memset(sp->tx_frames + i * sp->buf_frames, idle, sp->buf_frames);
	memset(sp->rx_frames + i * sp->buf_frames, idle, sp->buf_frames);
	sp->chan[i] = tc;
}

#define RTCP_DRAIN_TICKS	50
#define CPU_SPLIT_TICKS		100	/* the user/kernel split is sampled once a second: it is for show commands */

/* where the thread's CPU goes, user space (audio) or kernel (packet I/O), for show commands and the bench */
static void cpu_split(struct media_thread *t)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru) < 0)
		return;
	atomic_store(&t->user_ns, (uint64_t)ru.ru_utime.tv_sec * 1000000000u + ru.ru_utime.tv_usec * 1000u);
	atomic_store(&t->sys_ns, (uint64_t)ru.ru_stime.tv_sec * 1000000000u + ru.ru_stime.tv_usec * 1000u);
}

/* RTP is read once per packet time (staggered over the channels), not per tick: half the receive
 * syscalls at 20 ms ptime, and the jitter buffer absorbs the extra 10 ms */
static void chan_drain(struct media_thread *t, struct thread_chan *tc)
{
	if (tc->rtp_fd < 0)
		return;	/* TDM only */
	if (tc->rx_slot[0] == NO_SLOT && (tc->drain_every <= 1 || (t->ticks + tc->id) % tc->drain_every == 0))
		chan_rtp_drain(tc);
	if (tc->rx_slot[1] == NO_SLOT && (t->ticks + tc->id) % RTCP_DRAIN_TICKS == 0)
		chan_rtcp_drain(tc);
}

/* the ring has work: receives armed, or requests queued (arm, cancel, send) to submit */
static bool ring_busy(const struct media_thread *t)
{
	return t->ring && (t->slots_busy || t->tx_inflight || media_uring_pending(t->ring));
}

static void run_tick(struct media_thread *t)
{
	struct thread_chan *tc, *tmp;
	uint8_t discard[MEDIA_TICK_SAMPLES];
	unsigned int s, i;

	t->ticks++;
	if (t->ticks % CPU_SPLIT_TICKS == 0) {
		cpu_split(t);
		talloc_blocks_sample(t);
	}
	/* with io_uring: what arrived since the last tick, all sockets at once (nothing to ask without channels) */
	if (ring_busy(t))
		ring_poll(t);
	for (s = 0; s < t->num_spans; s++) {
		struct media_span *sp = t->spans[s];
		span_rx_drain(sp);
		for (i = 0; i < sp->n_ts; i++)
			if (sp->chan[i])
				chan_drain(t, sp->chan[i]);
		span_tick(sp);
	}
	llist_for_each_entry_safe(tc, tmp, &t->chans, list) {
		chan_drain(t, tc);
		media_chan_tick(tc->ch, t->idle_tdm, discard);
	}
	/* the tick's RTP in one submission */
	if (ring_busy(t))
		ring_poll(t);
}

/* at most this many ticks are caught up after the thread was held up; beyond, audio time slips */
#define MAX_CATCH_UP	10

static int tick_cb(struct osmo_fd *ofd, unsigned int what)
{
	struct media_thread *t = ofd->data;
	uint64_t expirations = 0, k;

	(void)what;
	if (read(ofd->fd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return 0;
	if (expirations > 1)
		atomic_fetch_add(&t->tick_overruns, expirations - 1);
	cmd_drain(t);
	/* the TDM side and the peers keep their clocks: run every tick that passed, so that packets are
	 * neither dropped nor late on our side */
	for (k = 0; k < expirations && k < MAX_CATCH_UP; k++)
		run_tick(t);
	ev_flush(t);
	return 0;
}

/* The ring holds references to the sockets it receives on: they are closed (their ports free again) only
 * once the cancelled requests have completed.  Wait for that (briefly) rather than leave it to the
 * kernel's asynchronous teardown of the ring, so that a plane started again can bind the same ports. */
static void ring_settle(struct media_thread *t)
{
	unsigned int tries;
	uint32_t s;

	for (tries = 0; tries < 1000; tries++) {
		ring_poll(t);
		if (!t->slots_busy)
			return;
		usleep(1000);
	}
	LOGP(DMEDIA, LOGL_ERROR, "media thread %u: %u io_uring receives not cancelled\n", t->idx, t->slots_busy);
	for (s = 0; s < t->num_slots; s++)
		if (t->slots[s].fd >= 0)
			close(t->slots[s].fd);
}

static void free_thread_objects(struct media_thread *t)
{
	unsigned int s, i;
	struct thread_chan *tc, *tmp;

	llist_for_each_entry_safe(tc, tmp, &t->chans, list)
		destroy_chan(t, tc);
	for (s = 0; s < t->num_spans; s++) {
		struct media_span *sp = t->spans[s];
		for (i = 0; i < sp->n_ts; i++)
			if (sp->chan[i])
				destroy_chan(t, sp->chan[i]);
		close(sp->fd);
	}
	if (t->ring)
		ring_settle(t);
}

static void *thread_main(void *arg)
{
	struct media_thread *t = arg;
	char name[32];
	struct timespec interval = { 0, MEDIA_TICK_MS * 1000000L };
	struct media_cmd *c;

	snprintf(name, sizeof(name), "media%u", t->idx);
	pthread_setname_np(pthread_self(), name);
	osmo_ctx_init(name);
	osmo_select_init();
	ring_setup(t);
	t->tick_ofd.fd = -1;
	if (osmo_timerfd_setup(&t->tick_ofd, tick_cb, t) < 0) {
		LOGP(DMEDIA, LOGL_ERROR, "media thread %u: no timerfd\n", t->idx);
		t->stop = true;
	}
	osmo_timerfd_schedule(&t->tick_ofd, &interval, &interval);
	talloc_blocks_sample(t);
	while (!t->stop)
		osmo_select_main(0);
	osmo_timerfd_disable(&t->tick_ofd);
	osmo_fd_unregister(&t->tick_ofd);
	close(t->tick_ofd.fd);
	/* commands still queued are dropped (their sockets closed).  libosmocore 1.7's dequeue returns the
	 * list head instead of NULL on an empty queue: look at the length first. */
	while (t->cmdq->current_length) {
		osmo_it_q_dequeue(t->cmdq, &c, list);
		if (!c)
			break;
		cmd_drop(c);
	}
	free_thread_objects(t);
	ev_flush(t);
	talloc_free(t->ctx);
	t->ctx = NULL;
	talloc_free(osmo_ctx->global);
	osmo_ctx = NULL;
	return NULL;
}

/* ---------------- signalling thread side ---------------- */

static struct chan_ref *ref_find(struct media_plane *mp, uint32_t id)
{
	struct chan_ref *r;

	hash_for_each_possible(mp->refs, r, node, id)
		if (r->id == id)
			return r;
	return NULL;
}

static void ev_read_cb(struct osmo_it_q *q, struct llist_head *item)
{
	struct media_plane *mp = q->data;
	struct media_event *ev = container_of(item, struct media_event, list);

	LOGP(DMEDIA, ev->type == MEDIA_EV_CHAN_FAILED ? LOGL_ERROR : LOGL_DEBUG, "chan %u: %s (port %u, rc %d)\n",
	     ev->chan_id, get_value_string(media_event_type_names, ev->type), ev->local_port, ev->rc);
	if (ev->type == MEDIA_EV_CHAN_DESTROYED) {
		struct chan_ref *r = ref_find(mp, ev->chan_id);
		if (r) {
			if (r->port)
				media_ports_put(mp->ports, r->port);
			hash_del(&r->node);
			talloc_free(r);
		}
	}
	if (ev->socks_back) {
		unsigned int k;
		for (k = 0; k < 2; k++)
			if (ev->sock_fd[k] >= 0 && !media_ports_keep_sock(mp->ports, ev->local_port, k, ev->sock_fd[k]))
				close(ev->sock_fd[k]);
	}
	if (ev->type != MEDIA_EV_SOCKET_FREE && mp->ops && mp->ops->event)
		mp->ops->event(mp->priv, ev);
	free(ev);
}

/* the pool keeps the sockets of every free pair of the range, but at most half the descriptors the process
 * may have */
static unsigned int sock_pool_max(const struct media_cfg *cfg)
{
	unsigned int base = (cfg->rtp_port_min + 1u) & ~1u;
	unsigned int pairs = cfg->rtp_port_max >= base ? (cfg->rtp_port_max - base + 1) / 2 : 0;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 2 * pairs;
	return 2 * pairs < rl.rlim_cur / 2 ? 2 * pairs : rl.rlim_cur / 2;
}

struct media_plane *media_plane_alloc(void *ctx, const struct media_cfg *cfg, const struct media_plane_ops *ops,
				      void *priv)
{
	struct media_plane *mp = talloc_zero(ctx, struct media_plane);
	struct media_span_cfg *sc;
	unsigned int i;

	if (!mp)
		return NULL;
	mp->cfg = cfg;
	mp->ops = ops;
	mp->priv = priv;
	mp->num_threads = cfg->threads ? cfg->threads : 1;
	hash_init(mp->refs);
	mp->next_id = 1;
	mp->ports = media_ports_alloc(mp, cfg->rtp_port_min, cfg->rtp_port_max, sock_pool_max(cfg));
	mp->threads = talloc_zero_array(mp, struct media_thread, mp->num_threads);
	if (!mp->ports || !mp->threads)
		goto fail;
	llist_for_each_entry(sc, &cfg->spans, list)
		mp->num_spans++;
	mp->span_cfgs = talloc_zero_array(mp, struct media_span_cfg *, mp->num_spans + 1);
	mp->span_fds = talloc_zero_array(mp, int, mp->num_spans + 1);
	mp->span_thread = talloc_zero_array(mp, unsigned int, mp->num_spans + 1);
	if (!mp->span_cfgs || !mp->span_fds || !mp->span_thread)
		goto fail;
	i = 0;
	llist_for_each_entry(sc, &cfg->spans, list) {
		mp->span_cfgs[i] = sc;
		mp->span_fds[i] = -1;
		mp->span_thread[i] = i % mp->num_threads;
		i++;
	}
	return mp;
fail:
	talloc_free(mp);
	return NULL;
}

static const struct media_trunk_cfg *find_trunk(const struct media_cfg *cfg, const char *name)
{
	struct media_trunk_cfg *tr;

	if (!name)
		return NULL;
	llist_for_each_entry(tr, &cfg->trunks, list)
		if (!strcmp(tr->name, name))
			return tr;
	return NULL;
}

static int span_setup(struct media_thread *t, struct media_plane *mp, unsigned int idx, struct media_span **out)
{
	const struct media_span_cfg *sc = mp->span_cfgs[idx];
	const struct media_trunk_cfg *tr = find_trunk(mp->cfg, sc->trunk);
	struct media_span *sp = talloc_zero(t->ctx, struct media_span);
	unsigned int ts, F = sc->frames_per_packet ? sc->frames_per_packet : 8;
	struct osmo_sockaddr_str r;

	if (!sp)
		return -ENOMEM;
	/* a tick is 80 frames: the packet time must divide it or be a multiple of it */
	if (!(MEDIA_TICK_SAMPLES % F == 0 || F % MEDIA_TICK_SAMPLES == 0) || F > 640)
		return -EINVAL;
	for (ts = 0; ts < CESOPSN_MAX_TS; ts++)
		if (sc->timeslots & (1u << ts))
			sp->ts_num[sp->n_ts++] = ts;
	if (!sp->n_ts)
		return -EINVAL;
	sp->cfg = sc;
	sp->t = t;
	sp->frames = F;
	sp->law = tr ? tr->law : (sc->type == MEDIA_SPAN_T1 ? MEDIA_LAW_ULAW : MEDIA_LAW_ALAW);
	sp->buf_frames = F + MEDIA_TICK_SAMPLES;
	sp->rx_win = talloc_zero_size(sp, CESOPSN_RX_WIN * F * sp->n_ts);
	sp->rx_frames = talloc_zero_size(sp, sp->buf_frames * sp->n_ts);
	sp->tx_frames = talloc_zero_size(sp, sp->buf_frames * sp->n_ts);
	sp->rx_missing = talloc_zero_array(sp, bool, sp->buf_frames);
	sp->pkt_size = CESOPSN_CW_LEN + F * sp->n_ts + 64;
	sp->tx_size = CESOPSN_CW_LEN + F * sp->n_ts;
	sp->tx_pkt = talloc_zero_size(sp, sp->pkt_size * (F < MEDIA_TICK_SAMPLES ? MEDIA_TICK_SAMPLES / F : 1));
	if (!sp->rx_win || !sp->rx_frames || !sp->tx_frames || !sp->rx_missing || !sp->tx_pkt)
		return -ENOMEM;
	cesopsn_rx_init(&sp->rx, sp->rx_win, F * sp->n_ts, F >= SPAN_PREFILL_FRAMES / 2 ? 2 : SPAN_PREFILL_FRAMES / F,
			&sp->stats);
	r = sc->remote;
	if (osmo_sockaddr_str_to_sockaddr(&r, &sp->remote) < 0)
		return -EINVAL;
	sp->remote_len = sp->remote.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	sp->fd = mp->span_fds[idx];
	mp->span_fds[idx] = -1;
	/* where the kernel has UDP GSO (4.18+); else sendmmsg() */
	sp->gso = setsockopt(sp->fd, SOL_UDP, UDP_SEGMENT, &(int){ sp->tx_size }, sizeof(int)) == 0;
	/* where the kernel has UDP GRO (5.0+), a GSO peer's packets of a tick arrive in one datagram: the
	 * receive buffers must then hold the largest UDP datagram (in the thread's shared buffers) */
	sp->gro = setsockopt(sp->fd, SOL_UDP, UDP_GRO, &(int){ 1 }, sizeof(int)) == 0;
	if (sp->gro && !t->gro_bufs)
		t->gro_bufs = talloc_size(t->ctx, RX_BATCH * GRO_BUF_SIZE);
	sp->rx_buf_size = sp->gro ? GRO_BUF_SIZE : sp->pkt_size;
	sp->rx_pkts = sp->gro ? t->gro_bufs : talloc_zero_size(sp, RX_BATCH * sp->pkt_size);
	if (!sp->rx_pkts)
		return -ENOMEM;
	*out = sp;
	return 0;
}

/* a pseudowire has one peer: the span socket is connected to it (cheaper sends, foreign datagrams
 * filtered by the kernel) */
static int bind_span(const struct media_span_cfg *sc)
{
	return osmo_sock_init2(AF_UNSPEC, SOCK_DGRAM, IPPROTO_UDP, sc->local.ip, sc->local.port, sc->remote.ip,
			       sc->remote.port, OSMO_SOCK_F_BIND | OSMO_SOCK_F_CONNECT | OSMO_SOCK_F_NONBLOCK);
}

static int bind_udp(const char *ip, uint16_t port)
{
	int fd = osmo_sock_init2(AF_UNSPEC, SOCK_DGRAM, IPPROTO_UDP, ip, port, NULL, 0,
				 OSMO_SOCK_F_BIND | OSMO_SOCK_F_NONBLOCK);
	return fd;
}

int media_plane_start(struct media_plane *mp)
{
	unsigned int i, s;
	int rc;

	for (s = 0; s < mp->num_spans; s++) {
		const struct media_span_cfg *sc = mp->span_cfgs[s];
		int fd = bind_span(sc);
		if (fd < 0) {
			LOGP(DMEDIA, LOGL_ERROR, "span %s: cannot bind %s:%u\n", sc->name, sc->local.ip,
			     sc->local.port);
			rc = -EADDRINUSE;
			goto fail;
		}
		mp->span_fds[s] = fd;
	}
	mp->evq = osmo_it_q_alloc(mp, talloc_asprintf(mp, "media-ev-%p", mp), EVQ_MAX, ev_read_cb, mp);
	if (!mp->evq) {
		rc = -ENOMEM;
		goto fail;
	}
	osmo_fd_register(&mp->evq->event_ofd);
	log_enable_multithread();
	for (i = 0; i < mp->num_threads; i++) {
		struct media_thread *t = &mp->threads[i];
		t->mp = mp;
		t->idx = i;
		INIT_LLIST_HEAD(&t->chans);
		INIT_LLIST_HEAD(&t->ev_batch);
		memset(t->idle_tdm, 0xd5, sizeof(t->idle_tdm));
		t->ctx = talloc_named_const(NULL, 0, "media-thread");
		t->cmdq = osmo_it_q_alloc(mp, talloc_asprintf(mp, "media-cmd-%p-%u", mp, i), CMDQ_MAX, NULL, t);
		t->spans = talloc_zero_array(t->ctx, struct media_span *, mp->num_spans + 1);
		if (!t->ctx || !t->cmdq || !t->spans) {
			rc = -ENOMEM;
			goto fail;
		}
		for (s = 0; s < mp->num_spans; s++) {
			if (mp->span_thread[s] != i)
				continue;
			rc = span_setup(t, mp, s, &t->spans[t->num_spans]);
			if (rc < 0) {
				LOGP(DMEDIA, LOGL_ERROR, "span %s: bad configuration\n", mp->span_cfgs[s]->name);
				goto fail;
			}
			t->num_spans++;
		}
	}
	for (i = 0; i < mp->num_threads; i++) {
		rc = -pthread_create(&mp->threads[i].tid, NULL, thread_main, &mp->threads[i]);
		if (rc < 0)
			goto fail;
		mp->threads[i].started = true;
	}
	mp->running = true;
	return 0;
fail:
	media_plane_stop(mp);
	return rc;
}

static int send_cmd(struct media_plane *mp, unsigned int thread, struct media_cmd *c)
{
	INIT_LLIST_HEAD(&c->list);
	if (!mp->running || osmo_it_q_enqueue(mp->threads[thread].cmdq, c, list) < 0) {
		free(c);
		return -EAGAIN;
	}
	return 0;
}

void media_plane_stop(struct media_plane *mp)
{
	unsigned int i, s;
	struct chan_ref *r;
	struct hlist_node *tmp;
	size_t bkt;

	for (i = 0; i < mp->num_threads; i++) {
		struct media_thread *t = &mp->threads[i];
		if (t->started) {
			struct media_cmd *c = calloc(1, sizeof(*c));
			if (c) {
				c->type = CMD_STOP;
				INIT_LLIST_HEAD(&c->list);
				if (osmo_it_q_enqueue(t->cmdq, c, list) < 0)
					free(c);
			}
			pthread_join(t->tid, NULL);
			t->started = false;
		} else if (t->ctx) {
			for (s = 0; s < t->num_spans; s++)
				close(t->spans[s]->fd);
			talloc_free(t->ctx);
			t->ctx = NULL;
		}
		if (t->cmdq) {
			osmo_it_q_destroy(t->cmdq);
			t->cmdq = NULL;
		}
	}
	mp->running = false;
	for (s = 0; s < mp->num_spans; s++) {
		if (mp->span_fds[s] >= 0)
			close(mp->span_fds[s]);
		mp->span_fds[s] = -1;
	}
	if (mp->evq) {
		/* deliver what the threads said last (DESTROYED events release the ports) */
		struct media_event *ev;
		while (mp->evq->current_length) {
			osmo_it_q_dequeue(mp->evq, &ev, list);
			if (!ev)
				break;
			ev_read_cb(mp->evq, &ev->list);
		}
		osmo_fd_unregister(&mp->evq->event_ofd);
		close(mp->evq->event_ofd.fd);
		mp->evq->event_ofd.fd = -1;
		osmo_it_q_destroy(mp->evq);
		mp->evq = NULL;
	}
	/* a stopped plane holds no sockets */
	media_ports_flush_socks(mp->ports);
	hash_for_each_safe(mp->refs, bkt, tmp, r, node) {
		hash_del(&r->node);
		talloc_free(r);
	}
}

int media_plane_cic_lookup(const struct media_plane *mp, const char *trunk, int cic, unsigned int *span_idx,
			   unsigned int *ts)
{
	unsigned int s;

	for (s = 0; s < mp->num_spans; s++) {
		const struct media_span_cfg *sc = mp->span_cfgs[s];
		int t = cic - sc->cic_base;
		if (trunk && sc->trunk && strcmp(trunk, sc->trunk))
			continue;
		if (t < 0 || t >= CESOPSN_MAX_TS || !(sc->timeslots & (1u << t)))
			continue;
		*span_idx = s;
		*ts = t;
		return 0;
	}
	return -ENOENT;
}

void media_plane_default_params(const struct media_plane *mp, struct media_chan_params *p)
{
	memset(p, 0, sizeof(*p));
	p->pt = MEDIA_PT_PCMA;
	p->event_pt = MEDIA_PT_EVENT_DEFAULT;
	p->ptime_ms = mp->cfg->ptime_ms >= 10 && mp->cfg->ptime_ms <= 40 && mp->cfg->ptime_ms % 10 == 0 ?
		      mp->cfg->ptime_ms : 20;
	p->dtmf_mode = mp->cfg->dtmf_mode;
	p->symmetric_rtp = mp->cfg->symmetric_rtp;
}

int64_t media_plane_chan_create(struct media_plane *mp, const struct media_chan_req *req)
{
	const struct media_trunk_cfg *tr = find_trunk(mp->cfg, req->trunk);
	struct media_cmd *c;
	struct chan_ref *r;
	unsigned int thread, span_idx = 0, ts = 0, tries;
	int port = -EADDRNOTAVAIL, rtp_fd = -1, rtcp_fd = -1, socks[2];
	bool pooled[2] = { false, false };

	if (!mp->running)
		return -EAGAIN;
	if (req->trunk && !tr)
		return -ENOENT;
	if (req->tdm_only && req->cic < 0)
		return -EINVAL;
	if (req->cic >= 0) {
		if (media_plane_cic_lookup(mp, req->trunk, req->cic, &span_idx, &ts) < 0)
			return -ENOENT;
		thread = mp->span_thread[span_idx];
	} else {
		thread = mp->rr++ % mp->num_threads;
	}
	/* bind here, where a port taken by another process can still be skipped synchronously; a pair from the
	 * pool brings its sockets */
	for (tries = 0; tries < 16 && !req->tdm_only; tries++) {
		port = media_ports_get(mp->ports, socks);
		if (port < 0)
			return port;
		pooled[0] = socks[0] >= 0;
		pooled[1] = socks[1] >= 0;
		rtp_fd = pooled[0] ? socks[0] : bind_udp(mp->cfg->rtp_addr.ip, port);
		rtcp_fd = pooled[1] ? socks[1] : rtp_fd >= 0 ? bind_udp(mp->cfg->rtp_addr.ip, port + 1) : -1;
		if (rtp_fd >= 0 && rtcp_fd >= 0)
			break;
		if (rtp_fd >= 0)
			close(rtp_fd);
		if (rtcp_fd >= 0)
			close(rtcp_fd);
		rtp_fd = rtcp_fd = -1;
		/* queued last: tried again once every other free pair was */
		media_ports_put(mp->ports, port);
	}
	if (req->tdm_only)
		port = 0;
	else if (rtp_fd < 0)
		return -EADDRINUSE;
	c = calloc(1, sizeof(*c));
	r = talloc_zero(mp, struct chan_ref);
	if (!c || !r) {
		free(c);
		talloc_free(r);
		if (port) {
			close(rtp_fd);
			close(rtcp_fd);
			media_ports_put(mp->ports, port);
		}
		return -ENOMEM;
	}
	c->type = CMD_CREATE;
	c->id = mp->next_id++;
	if (!mp->next_id)
		mp->next_id = 1;
	c->rtp_fd = rtp_fd;
	c->rtcp_fd = rtcp_fd;
	c->pooled[0] = pooled[0];
	c->pooled[1] = pooled[1];
	c->port = port;
	c->span_idx = -1;
	if (req->cic >= 0) {
		/* the span index inside its thread */
		unsigned int s, k = 0;
		for (s = 0; s < span_idx; s++)
			if (mp->span_thread[s] == thread)
				k++;
		c->span_idx = k;
		c->ts = ts;
	}
	c->tdm_law = tr ? tr->law : MEDIA_LAW_ALAW;
	c->tone_detect = req->tone_detect;
	c->plan = tr && tr->tone_plan ? dtmf_tone_plan_find(tr->tone_plan) : NULL;
	c->p = req->p;
	r->id = c->id;
	r->port = port;
	r->thread = thread;
	hash_add(mp->refs, &r->node, r->id);
	LOGP(DMEDIA, LOGL_DEBUG, "chan %u: create on thread %u, RTP port %u, CIC %d\n", r->id, thread, port, req->cic);
	{
		uint32_t id = c->id;
		if (send_cmd(mp, thread, c) < 0) {
			if (port) {
				close(rtp_fd);
				close(rtcp_fd);
				media_ports_put(mp->ports, port);
			}
			hash_del(&r->node);
			talloc_free(r);
			return -EAGAIN;
		}
		return id;
	}
}

static int simple_cmd(struct media_plane *mp, uint32_t id, struct media_cmd *tmpl)
{
	struct chan_ref *r = ref_find(mp, id);
	struct media_cmd *c;

	if (!r)
		return -ENOENT;
	c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	*c = *tmpl;
	c->id = id;
	return send_cmd(mp, r->thread, c);
}

int media_plane_chan_modify(struct media_plane *mp, uint32_t id, const struct media_chan_params *p)
{
	struct media_cmd c = { .type = CMD_MODIFY, .p = *p };
	return simple_cmd(mp, id, &c);
}

int media_plane_chan_destroy(struct media_plane *mp, uint32_t id)
{
	struct media_cmd c = { .type = CMD_DESTROY };
	return simple_cmd(mp, id, &c);
}

int media_plane_chan_play(struct media_plane *mp, uint32_t id, enum dtmf_play tone)
{
	struct media_cmd c = { .type = CMD_PLAY, .tone = tone };
	return simple_cmd(mp, id, &c);
}

int media_plane_chan_cot(struct media_plane *mp, uint32_t id, unsigned int timeout_ms)
{
	struct media_cmd c = { .type = CMD_COT, .ms = timeout_ms };
	return simple_cmd(mp, id, &c);
}

int media_plane_chan_digit(struct media_plane *mp, uint32_t id, char digit, unsigned int duration_ms)
{
	struct media_cmd c = { .type = CMD_DIGIT, .digit = digit, .ms = duration_ms };
	return simple_cmd(mp, id, &c);
}

int media_plane_chan_loopback(struct media_plane *mp, uint32_t id, bool on)
{
	struct media_cmd c = { .type = CMD_LOOPBACK, .on = on };
	return simple_cmd(mp, id, &c);
}

static int file_cmd(struct media_plane *mp, uint32_t id, struct media_cmd *tmpl)
{
	struct chan_ref *r = ref_find(mp, id);
	struct media_cmd *c;

	if (!r || !(c = malloc(sizeof(*c)))) {
		if (tmpl->file)
			fclose(tmpl->file);
		return r ? -ENOMEM : -ENOENT;
	}
	*c = *tmpl;
	c->id = id;
	INIT_LLIST_HEAD(&c->list);
	if (!mp->running || osmo_it_q_enqueue(mp->threads[r->thread].cmdq, c, list) < 0) {
		if (c->file)
			fclose(c->file);
		free(c);
		return -EAGAIN;
	}
	return 0;
}

int media_plane_chan_record(struct media_plane *mp, uint32_t id, FILE *f, bool wav)
{
	struct media_cmd c = { .type = CMD_RECORD, .file = f, .on = wav };
	return file_cmd(mp, id, &c);
}

int media_plane_chan_play_file(struct media_plane *mp, uint32_t id, FILE *f)
{
	struct media_cmd c = { .type = CMD_PLAY_FILE, .file = f };
	return file_cmd(mp, id, &c);
}

void media_plane_stats(const struct media_plane *mp, struct media_plane_stats *st)
{
	unsigned int i, s, total;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < mp->num_threads; i++) {
		struct media_thread *t = &mp->threads[i];
		st->channels += atomic_load(&t->n_chans);
		st->thread_talloc_blocks += atomic_load(&t->talloc_blocks);
		st->tick_overruns += atomic_load(&t->tick_overruns);
		st->events_dropped += atomic_load(&t->ev_dropped);
		st->rtp_rx += atomic_load(&t->rtp_rx);
		st->rtp_tx += atomic_load(&t->rtp_tx);
		st->tx_errors += atomic_load(&t->tx_errors);
		st->uring_threads += atomic_load(&t->ring_used);
		st->cpu_user_ns += atomic_load(&t->user_ns);
		st->cpu_sys_ns += atomic_load(&t->sys_ns);
		if (i == 0)
			st->ticks = t->ticks;
		if (t->started) {
			clockid_t cid;
			struct timespec ts;
			if (pthread_getcpuclockid(t->tid, &cid) == 0 && clock_gettime(cid, &ts) == 0)
				st->cpu_ns += (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
		}
		for (s = 0; s < t->num_spans && t->spans; s++) {
			const struct cesopsn_stats *cs = &t->spans[s]->stats;
			st->span_rx += cs->rx_packets;
			st->span_tx += cs->tx_packets;
			st->span_lost += cs->lost;
			st->span_reordered += cs->reordered;
			st->span_dup += cs->duplicates;
			st->span_late += cs->late;
			st->span_malformed += cs->malformed;
		}
	}
	media_ports_in_use(mp->ports, &st->ports_in_use, &total);
	st->sockets_pooled = media_ports_pooled(mp->ports);
}
