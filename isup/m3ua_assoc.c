/* M3UA association: ASP and SG procedures (RFC 4666 §4.3), heartbeat, reconnect back-off,
 * SSNM destination table, TCP framing / SCTP transport on osmo_fd + osmo_wqueue. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <linux/sctp.h>	/* kernel UAPI header, not libsctp: only for the default PPID */

#include <talloc.h>
#include <osmocom/core/bit32gen.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/select.h>
#include <osmocom/core/socket.h>
#include <osmocom/core/stats.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>
#include <osmocom/core/write_queue.h>

#include <mgcf/log.h>
#include "isup/isup_timers.h"
#include "isup/m3ua.h"

/* Messages queued towards one peer before sends fail with -ENOBUFS: at ~100 bytes per ISUP
 * message this is ~100 kB, several seconds of a busy trunk group. */
#define M3UA_WQUEUE_MAX		1000
/* How much of an offending message an ERR carries as Diagnostic Information (RFC 4666 §3.8.1
 * says it SHOULD contain the offending message; its header and first parameters identify it). */
#define M3UA_ERR_DIAG_MAX	64
#define S(x)	(1u << (x))

/* A BEAT is declared lost after this many heartbeat intervals without its BEAT_ACK. */
#define M3UA_BEAT_MAX_INTERVALS	2

struct m3ua_dest {
	struct llist_head list;
	uint32_t pc;		/* base of the range */
	uint8_t mask;		/* wildcarded low bits */
	bool unavailable;	/* DUNA */
	bool user_unavailable;	/* DUPU for ISUP */
	bool restricted;	/* DRST */
	uint8_t cong_level;	/* SCON */
};

struct m3ua_conn {
	struct llist_head list;		/* SG role: in assoc->conns */
	struct m3ua_assoc *assoc;
	struct osmo_fsm_inst *fi;
	struct osmo_wqueue wq;		/* wq.bfd.fd < 0: no socket */
	char *peer;
	uint8_t *rx_buf;		/* M3UA_MSG_MAX_LEN bytes */
	size_t rx_len;
	unsigned int sock_gen;		/* bumped on every close, so the rx loop notices */
	unsigned int in_rx;
	bool free_pending;
	bool destroyed;
	struct osmo_timer_list beat_timer;
	bool beat_outstanding;
	unsigned int beat_intervals;
	uint32_t beat_seq;
};

struct m3ua_assoc {
	struct m3ua_assoc_cfg cfg;
	const struct m3ua_assoc_ops *ops;
	void *priv;
	struct osmo_tdef *tdefs;
	struct rate_ctr_group *ctrs;
	bool started;
	bool reported_active;
	struct llist_head dests;	/* struct m3ua_dest */

	/* ASP role */
	struct m3ua_conn *asp;
	unsigned long reconnect_ms;
	unsigned int connect_attempts;

	/* SG role */
	struct osmo_fd listen_ofd;
	struct osmo_timer_list listen_timer;
	unsigned long listen_retry_ms;
	struct llist_head conns;
	unsigned int next_conn_id;
	unsigned int sls_rr;

	/* m3ua_assoc_hold_rx(): nothing is read until the timer fires (the kernel buffers what arrives) */
	struct osmo_timer_list hold_timer;
};

static const struct rate_ctr_desc m3ua_ctr_desc[] = {
	[M3UA_CTR_RX_MSGS] = { "m3ua:rx_msgs", "M3UA messages received" },
	[M3UA_CTR_TX_MSGS] = { "m3ua:tx_msgs", "M3UA messages queued for sending" },
	[M3UA_CTR_RX_DATA] = { "m3ua:rx_data", "DATA messages delivered to the user part" },
	[M3UA_CTR_TX_DATA] = { "m3ua:tx_data", "DATA messages sent" },
	[M3UA_CTR_RX_ERRORS] = { "m3ua:rx_errors", "malformed messages received (answered with ERR)" },
	[M3UA_CTR_RX_BAD_FRAMES] = { "m3ua:rx_bad_frames", "invalid length in a TCP frame (connection closed)" },
	[M3UA_CTR_RX_UNSUPPORTED] = { "m3ua:rx_unsupported", "messages of an unsupported class or type" },
	[M3UA_CTR_RX_UNEXPECTED] = { "m3ua:rx_unexpected", "messages not allowed in the current state" },
	[M3UA_CTR_RX_ERR_MSGS] = { "m3ua:rx_err_msgs", "ERR messages received" },
	[M3UA_CTR_TX_ERR_MSGS] = { "m3ua:tx_err_msgs", "ERR messages sent" },
	[M3UA_CTR_RX_NTFY] = { "m3ua:rx_ntfy", "NTFY messages received" },
	[M3UA_CTR_RX_SSNM] = { "m3ua:rx_ssnm", "SSNM messages received" },
	[M3UA_CTR_TX_ERRORS] = { "m3ua:tx_errors", "messages that could not be sent" },
	[M3UA_CTR_CONNECT_FAILS] = { "m3ua:connect_fails", "failed connection attempts" },
	[M3UA_CTR_RECONNECTS] = { "m3ua:reconnects", "reconnection attempts" },
	[M3UA_CTR_CONN_LOST] = { "m3ua:conn_lost", "established connections lost" },
	[M3UA_CTR_ACCEPTS] = { "m3ua:accepts", "connections accepted (SG role)" },
	[M3UA_CTR_ACK_TIMEOUTS] = { "m3ua:ack_timeouts", "ASPUP/ASPAC retransmissions on T(ack)" },
	[M3UA_CTR_TX_BEAT] = { "m3ua:tx_beat", "BEAT messages sent" },
	[M3UA_CTR_RX_BEAT_ACK] = { "m3ua:rx_beat_ack", "matching BEAT_ACK messages received" },
	[M3UA_CTR_BEAT_TIMEOUTS] = { "m3ua:beat_timeouts", "connections dropped for unanswered BEAT" },
};

osmo_static_assert(ARRAY_SIZE(m3ua_ctr_desc) == _M3UA_CTR_COUNT, m3ua_ctr_desc_complete);

const struct rate_ctr_group_desc m3ua_ctrg_desc = {
	.group_name_prefix = "m3ua_assoc",
	.group_description = "M3UA association",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = ARRAY_SIZE(m3ua_ctr_desc),
	.ctr_desc = m3ua_ctr_desc,
};

#define CTR_INC(a, c) rate_ctr_inc(rate_ctr_group_get_ctr((a)->ctrs, (c)))

#define LOGA(a, lvl, fmt, args...) LOGP(DM3UA, lvl, "m3ua(%s) " fmt, (a)->cfg.name, ## args)
#define LOGC(c, lvl, fmt, args...) \
	LOGP(DM3UA, lvl, "m3ua(%s/%s) " fmt, (c)->assoc->cfg.name, (c)->peer ? : "-", ## args)

static bool m3ua_is_sg(const struct m3ua_assoc *a)
{
	return a->cfg.role == M3UA_ROLE_SG;
}

static unsigned long m3ua_t_ms(const struct m3ua_assoc *a, int T)
{
	return osmo_tdef_get(a->tdefs, T, OSMO_TDEF_MS, -1);
}

static void m3ua_conn_lost(struct m3ua_conn *c, const char *reason);
static void m3ua_assoc_update_active(struct m3ua_assoc *a);
static void m3ua_sg_send_unavailable(struct m3ua_conn *c);
static int m3ua_sg_listen(struct m3ua_assoc *a);

/* ------------------------------------------------------------------ sending */

static int m3ua_conn_send(struct m3ua_conn *c, const struct m3ua_msg *m)
{
	struct msgb *msg;

	if (c->wq.bfd.fd < 0) {
		CTR_INC(c->assoc, M3UA_CTR_TX_ERRORS);
		return -ENOTCONN;
	}
	msg = m3ua_encode_msgb(m, "m3ua_tx");
	if (!msg) {
		LOGC(c, LOGL_ERROR, "cannot encode %s\n", m3ua_msg_type_name(m->msg_class, m->msg_type));
		CTR_INC(c->assoc, M3UA_CTR_TX_ERRORS);
		return -EINVAL;
	}
	if (osmo_wqueue_enqueue_quiet(&c->wq, msg) < 0) {
		LOGC(c, LOGL_ERROR, "write queue full, dropping %s\n", m3ua_msg_type_name(m->msg_class, m->msg_type));
		msgb_free(msg);
		CTR_INC(c->assoc, M3UA_CTR_TX_ERRORS);
		return -ENOBUFS;
	}
	LOGC(c, LOGL_DEBUG, "tx %s\n", m3ua_msg_type_name(m->msg_class, m->msg_type));
	CTR_INC(c->assoc, M3UA_CTR_TX_MSGS);
	return 0;
}

/* Fills the RC parameter from the configuration; rc_buf must outlive m. */
static void m3ua_put_cfg_rc(const struct m3ua_assoc *a, struct m3ua_msg *m, uint8_t *rc_buf)
{
	if (!a->cfg.routing_context_present)
		return;
	osmo_store32be(a->cfg.routing_context, rc_buf);
	m->routing_ctx = (struct m3ua_slice){ .data = rc_buf, .len = 4 };
	m->presence |= M3UA_PBIT(M3UA_P_ROUTING_CTX);
}

static int m3ua_send_simple(struct m3ua_conn *c, uint8_t cls, uint8_t type)
{
	struct m3ua_msg m;

	m3ua_msg_init(&m, cls, type);
	return m3ua_conn_send(c, &m);
}

static int m3ua_send_err(struct m3ua_conn *c, uint32_t code, const uint8_t *offending, size_t len)
{
	struct m3ua_msg m;

	m3ua_msg_init(&m, M3UA_CLS_MGMT, M3UA_MGMT_ERR);
	m.presence = M3UA_PBIT(M3UA_P_ERROR_CODE);
	m.error_code = code;
	if (offending && len) {
		m.presence |= M3UA_PBIT(M3UA_P_DIAG_INFO);
		m.diag_info = (struct m3ua_slice){ .data = offending, .len = OSMO_MIN(len, M3UA_ERR_DIAG_MAX) };
	}
	LOGC(c, LOGL_NOTICE, "tx ERR %s\n", m3ua_err_code_name(code));
	CTR_INC(c->assoc, M3UA_CTR_TX_ERR_MSGS);
	return m3ua_conn_send(c, &m);
}

static int m3ua_send_aspup(struct m3ua_conn *c)
{
	return m3ua_send_simple(c, M3UA_CLS_ASPSM, M3UA_ASPSM_UP);
}

static int m3ua_send_aspac(struct m3ua_conn *c)
{
	struct m3ua_assoc *a = c->assoc;
	uint8_t rc_buf[4];
	struct m3ua_msg m;

	m3ua_msg_init(&m, M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE);
	m.presence = M3UA_PBIT(M3UA_P_TRAFFIC_MODE);
	m.traffic_mode = a->cfg.traffic_mode ? : M3UA_TMODE_OVERRIDE;
	m3ua_put_cfg_rc(a, &m, rc_buf);
	return m3ua_conn_send(c, &m);
}

static int m3ua_send_ntfy(struct m3ua_conn *c, uint16_t type, uint16_t info)
{
	uint8_t rc_buf[4];
	struct m3ua_msg m;

	m3ua_msg_init(&m, M3UA_CLS_MGMT, M3UA_MGMT_NTFY);
	m.presence = M3UA_PBIT(M3UA_P_STATUS);
	m.status_type = type;
	m.status_info = info;
	m3ua_put_cfg_rc(c->assoc, &m, rc_buf);
	return m3ua_conn_send(c, &m);
}

/* ------------------------------------------------------------------ heartbeat */

static void m3ua_beat_cb(void *data)
{
	struct m3ua_conn *c = data;
	struct m3ua_assoc *a = c->assoc;
	unsigned long interval = m3ua_t_ms(a, M3UA_T_BEAT);
	uint8_t hb[4];
	struct m3ua_msg m;

	if (c->wq.bfd.fd < 0 || !interval)
		return;
	if (c->beat_outstanding) {
		if (++c->beat_intervals >= M3UA_BEAT_MAX_INTERVALS) {
			CTR_INC(a, M3UA_CTR_BEAT_TIMEOUTS);
			m3ua_conn_lost(c, "BEAT unanswered");
			return;
		}
	} else {
		c->beat_seq++;
		osmo_store32be(c->beat_seq, hb);
		m3ua_msg_init(&m, M3UA_CLS_ASPSM, M3UA_ASPSM_BEAT);
		m.presence = M3UA_PBIT(M3UA_P_HEARTBEAT_DATA);
		m.heartbeat_data = (struct m3ua_slice){ .data = hb, .len = sizeof(hb) };
		if (m3ua_conn_send(c, &m) == 0) {
			CTR_INC(a, M3UA_CTR_TX_BEAT);
			c->beat_outstanding = true;
			c->beat_intervals = 0;
		}
	}
	osmo_timer_schedule(&c->beat_timer, interval / 1000, (interval % 1000) * 1000);
}

static void m3ua_beat_start(struct m3ua_conn *c)
{
	unsigned long interval = m3ua_t_ms(c->assoc, M3UA_T_BEAT);

	c->beat_outstanding = false;
	c->beat_intervals = 0;
	if (interval)
		osmo_timer_schedule(&c->beat_timer, interval / 1000, (interval % 1000) * 1000);
}

static void m3ua_rx_beat_ack(struct m3ua_conn *c, const struct m3ua_msg *m)
{
	if (!c->beat_outstanding || m->heartbeat_data.len != 4 ||
	    osmo_load32be(m->heartbeat_data.data) != c->beat_seq) {
		LOGC(c, LOGL_INFO, "ignoring BEAT_ACK that matches no outstanding BEAT\n");
		return;
	}
	c->beat_outstanding = false;
	c->beat_intervals = 0;
	CTR_INC(c->assoc, M3UA_CTR_RX_BEAT_ACK);
}

/* ------------------------------------------------------------------ connections */

static void m3ua_conn_close_sock(struct m3ua_conn *c)
{
	if (c->wq.bfd.fd >= 0) {
		osmo_fd_unregister(&c->wq.bfd);
		close(c->wq.bfd.fd);
		c->wq.bfd.fd = -1;
	}
	osmo_wqueue_clear(&c->wq);
	osmo_timer_del(&c->beat_timer);
	c->beat_outstanding = false;
	c->rx_len = 0;
	c->sock_gen++;
}

static int m3ua_conn_read_cb(struct osmo_fd *ofd);
static int m3ua_conn_write_cb(struct osmo_fd *ofd, struct msgb *msg);

static struct m3ua_conn *m3ua_conn_alloc(struct m3ua_assoc *a, const char *peer)
{
	struct m3ua_conn *c = talloc_zero(a, struct m3ua_conn);

	if (!c)
		return NULL;
	c->assoc = a;
	c->rx_buf = talloc_size(c, M3UA_MSG_MAX_LEN);
	c->peer = peer ? talloc_strdup(c, peer) : NULL;
	if (!c->rx_buf || (peer && !c->peer)) {
		talloc_free(c);
		return NULL;
	}
	INIT_LLIST_HEAD(&c->list);
	osmo_wqueue_init(&c->wq, M3UA_WQUEUE_MAX);
	c->wq.bfd.fd = -1;
	c->wq.bfd.data = c;
	c->wq.read_cb = m3ua_conn_read_cb;
	c->wq.write_cb = m3ua_conn_write_cb;
	osmo_timer_setup(&c->beat_timer, m3ua_beat_cb, c);
	return c;
}

/* SG role: a connection ends with its FSM instance; the memory goes once the rx loop has unwound. */
static void m3ua_conn_destroy(struct m3ua_conn *c)
{
	struct osmo_fsm_inst *fi = c->fi;

	if (c->destroyed)
		return;
	c->destroyed = true;
	m3ua_conn_close_sock(c);
	llist_del_init(&c->list);
	c->fi = NULL;
	if (fi)
		osmo_fsm_inst_term(fi, OSMO_FSM_TERM_REGULAR, NULL);
	if (c->in_rx)
		c->free_pending = true;
	else
		talloc_free(c);
}

static void m3ua_conn_lost(struct m3ua_conn *c, const char *reason)
{
	struct m3ua_assoc *a = c->assoc;

	LOGC(c, LOGL_NOTICE, "connection lost: %s\n", reason);
	CTR_INC(a, M3UA_CTR_CONN_LOST);
	m3ua_conn_close_sock(c);
	if (m3ua_is_sg(a))
		m3ua_conn_destroy(c);
	else
		osmo_fsm_inst_dispatch(c->fi, M3UA_ASP_EV_CONN_LOST, (void *)reason);
	m3ua_assoc_update_active(a);
}

/* The write queue hands over one message per poll() round.  Over TCP (a byte stream) every message queued
 * behind it goes in the same sendmsg(): under load one syscall and one poll round carry the messages of
 * many calls.  Over SCTP each message keeps its own send() (one M3UA message per SCTP message). */
#define M3UA_TX_BATCH	64

static int m3ua_conn_write_cb(struct osmo_fd *ofd, struct msgb *msg)
{
	struct m3ua_conn *c = ofd->data;
	struct iovec iov[M3UA_TX_BATCH];
	struct msghdr mh = { .msg_iov = iov };
	struct msgb *m, *tmp;
	size_t done;
	ssize_t rc;

	iov[mh.msg_iovlen++] = (struct iovec){ msgb_data(msg), msgb_length(msg) };
	if (c->assoc->cfg.transport == M3UA_TRANSPORT_TCP) {
		llist_for_each_entry(m, &c->wq.msg_queue, list) {
			if (mh.msg_iovlen == M3UA_TX_BATCH)
				break;
			iov[mh.msg_iovlen++] = (struct iovec){ msgb_data(m), msgb_length(m) };
		}
	}
	rc = sendmsg(ofd->fd, &mh, MSG_NOSIGNAL);
	if (rc < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return -EAGAIN;
		m3ua_conn_lost(c, strerror(errno));
		return -EBADF;
	}
	if ((size_t)rc < msgb_length(msg)) {
		/* a partial write: the rest goes first next time */
		msgb_pull(msg, rc);
		return -EAGAIN;
	}
	/* msg is done (the queue frees it); take the others that went out, a partial one keeps its rest */
	done = rc - msgb_length(msg);
	llist_for_each_entry_safe(m, tmp, &c->wq.msg_queue, list) {
		if (!done)
			break;
		if (done < msgb_length(m)) {
			msgb_pull(m, done);
			break;
		}
		done -= msgb_length(m);
		llist_del(&m->list);
		c->wq.current_length--;
		msgb_free(m);
	}
	return 0;
}

static void m3ua_conn_rx_msg(struct m3ua_conn *c, const uint8_t *buf, size_t len);

/* Split the byte stream into messages by their length field (RFC 4666 over TCP; over SCTP each
 * recv() returns one message, which passes the same way). */
static int m3ua_conn_read_cb(struct osmo_fd *ofd)
{
	struct m3ua_conn *c = ofd->data;
	unsigned int gen = c->sock_gen;
	size_t off = 0;
	ssize_t rc;

	rc = recv(ofd->fd, c->rx_buf + c->rx_len, M3UA_MSG_MAX_LEN - c->rx_len, 0);
	if (rc == 0) {
		m3ua_conn_lost(c, "closed by peer");
		return -EBADF;
	}
	if (rc < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		m3ua_conn_lost(c, strerror(errno));
		return -EBADF;
	}
	c->rx_len += rc;

	c->in_rx++;
	while (c->sock_gen == gen && c->rx_len - off >= M3UA_HDR_LEN) {
		int flen = m3ua_frame_len(c->rx_buf + off, c->rx_len - off);

		if (flen < 0) {
			LOGC(c, LOGL_ERROR, "invalid M3UA length %" PRIu32 " in the stream, closing\n",
			     osmo_load32be(c->rx_buf + off + 4));
			CTR_INC(c->assoc, M3UA_CTR_RX_BAD_FRAMES);
			m3ua_conn_lost(c, "framing error");
			break;
		}
		if (c->rx_len - off < (size_t)flen)
			break;
		m3ua_conn_rx_msg(c, c->rx_buf + off, flen);
		off += flen;
	}
	c->in_rx--;

	if (c->free_pending) {
		if (!c->in_rx)
			talloc_free(c);
		return -EBADF;
	}
	if (c->sock_gen != gen)
		return -EBADF;
	if (off) {
		memmove(c->rx_buf, c->rx_buf + off, c->rx_len - off);
		c->rx_len -= off;
	}
	return 0;
}

/* ------------------------------------------------------------------ SSNM destination table */

static uint32_t m3ua_range_base(uint32_t pc, uint8_t mask)
{
	return mask >= 24 ? 0 : pc & ~((1u << mask) - 1) & 0xffffff;
}

static bool m3ua_dest_covers(const struct m3ua_dest *d, uint32_t pc)
{
	return m3ua_range_base(pc, d->mask) == d->pc;
}

/* The most specific entry covering pc. */
static const struct m3ua_dest *m3ua_dest_lookup(const struct m3ua_assoc *a, uint32_t pc)
{
	const struct m3ua_dest *d, *best = NULL;

	llist_for_each_entry(d, &a->dests, list) {
		if (m3ua_dest_covers(d, pc) && (!best || d->mask < best->mask))
			best = d;
	}
	return best;
}

static bool m3ua_dest_usable(const struct m3ua_dest *d)
{
	return !d || (!d->unavailable && !d->user_unavailable);
}

/* The entry for exactly (pc, mask), created from what covered it so far; more specific entries
 * inside the range are dropped, because a message about a range speaks for all of it. */
static struct m3ua_dest *m3ua_dest_set_range(struct m3ua_assoc *a, uint32_t pc, uint8_t mask)
{
	const struct m3ua_dest *cover;
	struct m3ua_dest *d, *tmp;

	if (mask > 24)
		mask = 24;
	pc = m3ua_range_base(pc, mask);
	llist_for_each_entry_safe(d, tmp, &a->dests, list) {
		if (d->pc == pc && d->mask == mask)
			return d;
		if (d->mask < mask && m3ua_range_base(d->pc, mask) == pc) {
			llist_del(&d->list);
			talloc_free(d);
		}
	}
	cover = m3ua_dest_lookup(a, pc);
	d = talloc_zero(a, struct m3ua_dest);
	if (!d)
		return NULL;
	if (cover && cover->mask >= mask)
		*d = *cover;
	d->pc = pc;
	d->mask = mask;
	llist_add_tail(&d->list, &a->dests);
	return d;
}

static void m3ua_dests_clear(struct m3ua_assoc *a)
{
	struct m3ua_dest *d, *tmp;

	llist_for_each_entry_safe(d, tmp, &a->dests, list) {
		llist_del(&d->list);
		talloc_free(d);
	}
}

/* ASP role: DUNA, DAVA, DRST, SCON, DUPU (RFC 4666 §4.5) */
static void m3ua_rx_ssnm(struct m3ua_conn *c, const struct m3ua_msg *m)
{
	struct m3ua_assoc *a = c->assoc;
	size_t i, n = m3ua_msg_apc_count(m);

	CTR_INC(a, M3UA_CTR_RX_SSNM);
	for (i = 0; i < n; i++) {
		struct m3ua_dest *d;
		uint8_t mask;
		uint32_t pc;
		bool was;

		m3ua_msg_apc(m, i, &mask, &pc);
		d = m3ua_dest_set_range(a, pc, mask);
		if (!d)
			return;
		was = m3ua_dest_usable(d);
		switch (m->msg_type) {
		case M3UA_SSNM_DUNA:
			d->unavailable = true;
			break;
		case M3UA_SSNM_DAVA:
			d->unavailable = false;
			d->user_unavailable = false;
			d->restricted = false;
			d->cong_level = 0;
			break;
		case M3UA_SSNM_DRST:
			d->restricted = true;
			break;
		case M3UA_SSNM_SCON:
			/* without Congestion Indications (international networks) congestion has no level */
			d->cong_level = (m->presence & M3UA_PBIT(M3UA_P_CONGESTION_IND)) ? m->cong_level : 1;
			break;
		case M3UA_SSNM_DUPU:
			if (m->dupu_user == M3UA_SI_ISUP)
				d->user_unavailable = true;
			break;
		default:
			break;
		}
		LOGC(c, LOGL_INFO, "rx %s for pc %u/%u%s%s\n", m3ua_msg_type_name(m->msg_class, m->msg_type),
		     d->pc, d->mask, m->msg_type == M3UA_SSNM_DUPU ? " cause " : "",
		     m->msg_type == M3UA_SSNM_DUPU ? get_value_string(m3ua_dupu_cause_names, m->dupu_cause) : "");
		if (was != m3ua_dest_usable(d) && a->ops && a->ops->dest_state) {
			unsigned int gen = c->sock_gen;

			a->ops->dest_state(a, d->pc, m3ua_dest_usable(d), a->priv);
			if (c->sock_gen != gen)
				return;	/* stopped from the callback: the table is gone */
		}
	}
}

static int m3ua_send_dest_msg(struct m3ua_conn *c, uint8_t type, const uint8_t *apc, size_t apc_len)
{
	uint8_t rc_buf[4];
	struct m3ua_msg m;

	m3ua_msg_init(&m, M3UA_CLS_SSNM, type);
	m.presence = M3UA_PBIT(M3UA_P_AFFECTED_PC);
	m.affected_pc = (struct m3ua_slice){ .data = apc, .len = apc_len };
	m3ua_put_cfg_rc(c->assoc, &m, rc_buf);
	return m3ua_conn_send(c, &m);
}

/* SG role: DAUD asks about destinations; answer each from our table. */
static void m3ua_sg_rx_daud(struct m3ua_conn *c, const struct m3ua_msg *m)
{
	size_t i, n = m3ua_msg_apc_count(m);

	CTR_INC(c->assoc, M3UA_CTR_RX_SSNM);
	for (i = 0; i < n; i++) {
		uint8_t mask, apc[4];
		uint32_t pc;
		bool ok;

		m3ua_msg_apc(m, i, &mask, &pc);
		ok = m3ua_dest_usable(m3ua_dest_lookup(c->assoc, pc));
		m3ua_apc_store(apc, mask, pc);
		m3ua_send_dest_msg(c, ok ? M3UA_SSNM_DAVA : M3UA_SSNM_DUNA, apc, sizeof(apc));
	}
}

/* SG role: tell an ASP that just became active which destinations are down. */
static void m3ua_sg_send_unavailable(struct m3ua_conn *c)
{
	struct m3ua_assoc *a = c->assoc;
	const struct m3ua_dest *d;
	size_t n = 0, max = (M3UA_MSG_MAX_LEN - 64) / 4;
	uint8_t *apc;

	llist_for_each_entry(d, &a->dests, list)
		n += d->unavailable ? 1 : 0;
	if (!n)
		return;
	apc = talloc_size(c, 4 * OSMO_MIN(n, max));
	if (!apc)
		return;
	n = 0;
	llist_for_each_entry(d, &a->dests, list) {
		if (!d->unavailable)
			continue;
		m3ua_apc_store(apc + 4 * n, d->mask, d->pc);
		if (++n == max) {
			m3ua_send_dest_msg(c, M3UA_SSNM_DUNA, apc, 4 * n);
			n = 0;
		}
	}
	if (n)
		m3ua_send_dest_msg(c, M3UA_SSNM_DUNA, apc, 4 * n);
	talloc_free(apc);
}

/* ------------------------------------------------------------------ receive dispatch */

/* Which messages each side may receive at all (RFC 4666 §4.3.4: the requests go ASP -> SG,
 * the acknowledgements SG -> ASP). */
static bool m3ua_rx_allowed(const struct m3ua_assoc *a, uint8_t cls, uint8_t type)
{
	bool sg = m3ua_is_sg(a);

	switch (cls) {
	case M3UA_CLS_ASPSM:
		if (type == M3UA_ASPSM_BEAT || type == M3UA_ASPSM_BEAT_ACK)
			return true;
		return sg == (type == M3UA_ASPSM_UP || type == M3UA_ASPSM_DOWN);
	case M3UA_CLS_ASPTM:
		return sg == (type == M3UA_ASPTM_ACTIVE || type == M3UA_ASPTM_INACTIVE);
	case M3UA_CLS_SSNM:
		return sg == (type == M3UA_SSNM_DAUD);
	case M3UA_CLS_MGMT:
		return type == M3UA_MGMT_ERR || !sg;
	default:
		return true;
	}
}

static int m3ua_rx_event(uint8_t cls, uint8_t type)
{
	static const struct {
		uint8_t cls, type;
		enum m3ua_asp_fsm_event ev;
	} map[] = {
		{ M3UA_CLS_ASPSM, M3UA_ASPSM_UP, M3UA_ASP_EV_RX_ASPUP },
		{ M3UA_CLS_ASPSM, M3UA_ASPSM_UP_ACK, M3UA_ASP_EV_RX_ASPUP_ACK },
		{ M3UA_CLS_ASPSM, M3UA_ASPSM_DOWN, M3UA_ASP_EV_RX_ASPDN },
		{ M3UA_CLS_ASPSM, M3UA_ASPSM_DOWN_ACK, M3UA_ASP_EV_RX_ASPDN_ACK },
		{ M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE, M3UA_ASP_EV_RX_ASPAC },
		{ M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE_ACK, M3UA_ASP_EV_RX_ASPAC_ACK },
		{ M3UA_CLS_ASPTM, M3UA_ASPTM_INACTIVE, M3UA_ASP_EV_RX_ASPIA },
		{ M3UA_CLS_ASPTM, M3UA_ASPTM_INACTIVE_ACK, M3UA_ASP_EV_RX_ASPIA_ACK },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++) {
		if (map[i].cls == cls && map[i].type == type)
			return map[i].ev;
	}
	return -ENOENT;
}

static void m3ua_rx_unexpected(struct m3ua_conn *c, const struct m3ua_msg *m, const uint8_t *buf, size_t len)
{
	LOGC(c, LOGL_NOTICE, "rx %s unexpected in state %s\n", m3ua_msg_type_name(m->msg_class, m->msg_type),
	     c->fi ? osmo_fsm_inst_state_name(c->fi) : "-");
	CTR_INC(c->assoc, M3UA_CTR_RX_UNEXPECTED);
	m3ua_send_err(c, M3UA_ERR_UNEXPECTED_MSG, buf, len);
}

static void m3ua_rx_data(struct m3ua_conn *c, const struct m3ua_msg *m, const uint8_t *buf, size_t len)
{
	struct m3ua_assoc *a = c->assoc;

	if (c->fi->state != M3UA_ASP_ST_ACTIVE) {
		m3ua_rx_unexpected(c, m, buf, len);
		return;
	}
	if (a->cfg.routing_context_present && m3ua_msg_rc_count(m) &&
	    m3ua_msg_rc(m, 0) != a->cfg.routing_context) {
		LOGC(c, LOGL_NOTICE, "rx DATA for routing context %u, ours is %u\n", m3ua_msg_rc(m, 0),
		     a->cfg.routing_context);
		m3ua_send_err(c, M3UA_ERR_INVALID_ROUTING_CTX, buf, len);
		return;
	}
	LOGC(c, LOGL_DEBUG, "rx DATA opc %u dpc %u si %u sls %u, %zu bytes\n", m->data_hdr.opc, m->data_hdr.dpc,
	     m->data_hdr.si, m->data_hdr.sls, m->data.len);
	CTR_INC(a, M3UA_CTR_RX_DATA);
	if (a->ops && a->ops->data_ind)
		a->ops->data_ind(a, &m->data_hdr, m->data.data, m->data.len, a->priv);
}

static void m3ua_conn_rx_msg(struct m3ua_conn *c, const uint8_t *buf, size_t len)
{
	struct m3ua_assoc *a = c->assoc;
	struct m3ua_decode_err err = { 0 };
	struct m3ua_msg m;
	int rc, ev;

	CTR_INC(a, M3UA_CTR_RX_MSGS);
	rc = m3ua_decode(&m, buf, len, &err);
	if (rc < 0) {
		LOGC(c, LOGL_NOTICE, "rx %s %s: %s at offset %zu\n", m3ua_msg_class_name(m.msg_class),
		     m3ua_msg_type_name(m.msg_class, m.msg_type), err.reason, err.offset);
		CTR_INC(a, rc == -EPROTO ? M3UA_CTR_RX_UNSUPPORTED : M3UA_CTR_RX_ERRORS);
		/* RFC 4666 §3.8.1: an ERR is never answered with an ERR */
		if (!(m.msg_class == M3UA_CLS_MGMT && m.msg_type == M3UA_MGMT_ERR))
			m3ua_send_err(c, err.err_code, buf, len);
		goto out;
	}
	LOGC(c, LOGL_DEBUG, "rx %s\n", m3ua_msg_type_name(m.msg_class, m.msg_type));

	if (!m3ua_rx_allowed(a, m.msg_class, m.msg_type)) {
		m3ua_rx_unexpected(c, &m, buf, len);
		goto out;
	}

	switch (m.msg_class) {
	case M3UA_CLS_XFER:
		m3ua_rx_data(c, &m, buf, len);
		goto out;
	case M3UA_CLS_SSNM:
		if (m3ua_is_sg(a))
			m3ua_sg_rx_daud(c, &m);
		else
			m3ua_rx_ssnm(c, &m);
		goto out;
	case M3UA_CLS_MGMT:
		if (m.msg_type == M3UA_MGMT_ERR) {
			LOGC(c, LOGL_NOTICE, "rx ERR %s\n", m3ua_err_code_name(m.error_code));
			CTR_INC(a, M3UA_CTR_RX_ERR_MSGS);
			if (a->ops && a->ops->error)
				a->ops->error(a, m.error_code, a->priv);
		} else {
			LOGC(c, LOGL_INFO, "rx NTFY %s %s\n", get_value_string(m3ua_status_type_names, m.status_type),
			     get_value_string(m.status_type == M3UA_STATUS_AS_STATE_CHANGE ? m3ua_as_state_info_names
										    : m3ua_other_info_names,
					      m.status_info));
			CTR_INC(a, M3UA_CTR_RX_NTFY);
			if (a->ops && a->ops->notify)
				a->ops->notify(a, m.status_type, m.status_info, a->priv);
		}
		goto out;
	case M3UA_CLS_ASPSM:
		if (m.msg_type == M3UA_ASPSM_BEAT) {
			/* RFC 4666 §3.5.6: the BEAT_ACK echoes the Heartbeat Data unchanged */
			m.msg_type = M3UA_ASPSM_BEAT_ACK;
			m3ua_conn_send(c, &m);
			goto out;
		}
		if (m.msg_type == M3UA_ASPSM_BEAT_ACK) {
			m3ua_rx_beat_ack(c, &m);
			goto out;
		}
		break;
	default:
		break;
	}

	ev = m3ua_rx_event(m.msg_class, m.msg_type);
	if (ev < 0 || !(c->fi->fsm->states[c->fi->state].in_event_mask & S(ev))) {
		m3ua_rx_unexpected(c, &m, buf, len);
		goto out;
	}
	osmo_fsm_inst_dispatch(c->fi, ev, &m);
out:
	if (!c->destroyed)
		m3ua_assoc_update_active(a);
}

/* ------------------------------------------------------------------ FSM */

static const struct value_string m3ua_asp_fsm_event_names[] = {
	OSMO_VALUE_STRING(M3UA_ASP_EV_START),
	OSMO_VALUE_STRING(M3UA_ASP_EV_STOP),
	OSMO_VALUE_STRING(M3UA_ASP_EV_CONNECTED),
	OSMO_VALUE_STRING(M3UA_ASP_EV_CONN_LOST),
	OSMO_VALUE_STRING(M3UA_ASP_EV_RX_ASPUP),
	OSMO_VALUE_STRING(M3UA_ASP_EV_RX_ASPUP_ACK),
	OSMO_VALUE_STRING(M3UA_ASP_EV_RX_ASPDN),
	OSMO_VALUE_STRING(M3UA_ASP_EV_RX_ASPDN_ACK),
	OSMO_VALUE_STRING(M3UA_ASP_EV_RX_ASPAC),
	OSMO_VALUE_STRING(M3UA_ASP_EV_RX_ASPAC_ACK),
	OSMO_VALUE_STRING(M3UA_ASP_EV_RX_ASPIA),
	OSMO_VALUE_STRING(M3UA_ASP_EV_RX_ASPIA_ACK),
	{ 0, NULL }
};

const struct value_string m3ua_asp_fsm_state_names[] = {
	{ M3UA_ASP_ST_DOWN, "DOWN" },
	{ M3UA_ASP_ST_CONNECTING, "CONNECTING" },
	{ M3UA_ASP_ST_ASP_DOWN, "ASP_DOWN" },
	{ M3UA_ASP_ST_WAIT_UP_ACK, "WAIT_UP_ACK" },
	{ M3UA_ASP_ST_INACTIVE, "INACTIVE" },
	{ M3UA_ASP_ST_WAIT_AC_ACK, "WAIT_AC_ACK" },
	{ M3UA_ASP_ST_ACTIVE, "ACTIVE" },
	{ 0, NULL }
};

static int m3ua_asp_connect(struct m3ua_conn *c);

/* ASP role: wait before the next connection attempt, doubling the wait up to T_RECONNECT_MAX. */
static void m3ua_asp_backoff(struct osmo_fsm_inst *fi)
{
	struct m3ua_conn *c = fi->priv;
	struct m3ua_assoc *a = c->assoc;
	unsigned long delay = a->reconnect_ms, max = m3ua_t_ms(a, M3UA_T_RECONNECT_MAX);

	if (!a->started) {
		osmo_fsm_inst_state_chg(fi, M3UA_ASP_ST_DOWN, 0, 0);
		return;
	}
	LOGC(c, LOGL_INFO, "reconnecting in %lu ms\n", delay);
	a->reconnect_ms = OSMO_MIN(delay * 2, max);
	osmo_fsm_inst_state_chg_ms(fi, M3UA_ASP_ST_DOWN, delay, M3UA_T_RECONNECT);
}

static void m3ua_asp_try_connect(struct osmo_fsm_inst *fi)
{
	struct m3ua_conn *c = fi->priv;
	struct m3ua_assoc *a = c->assoc;

	if (a->connect_attempts++)
		CTR_INC(a, M3UA_CTR_RECONNECTS);
	if (m3ua_asp_connect(c) < 0) {
		CTR_INC(a, M3UA_CTR_CONNECT_FAILS);
		m3ua_asp_backoff(fi);
		return;
	}
	/* a connect() hanging longer than the back-off ceiling is abandoned */
	osmo_fsm_inst_state_chg_ms(fi, M3UA_ASP_ST_CONNECTING, m3ua_t_ms(a, M3UA_T_RECONNECT_MAX),
				   M3UA_T_RECONNECT_MAX);
}

/* Wait in state (WAIT_UP_ACK or WAIT_AC_ACK) for the acknowledgement of what was just sent, for T(ack). */
static void m3ua_await_ack(struct osmo_fsm_inst *fi, uint32_t state)
{
	struct m3ua_conn *c = fi->priv;

	osmo_fsm_inst_state_chg_ms(fi, state, m3ua_t_ms(c->assoc, M3UA_T_ACK), M3UA_T_ACK);
}

static void m3ua_st_down(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	switch (event) {
	case M3UA_ASP_EV_START:
		m3ua_asp_try_connect(fi);
		break;
	default:
		break;
	}
}

static void m3ua_st_connecting(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct m3ua_conn *c = fi->priv;

	switch (event) {
	case M3UA_ASP_EV_CONNECTED:
		m3ua_beat_start(c);
		m3ua_send_aspup(c);
		m3ua_await_ack(fi, M3UA_ASP_ST_WAIT_UP_ACK);
		break;
	default:
		break;
	}
}

/* SG role, RFC 4666 §4.3.4.1/§4.3.4.2: ASPUP and ASPDN are acknowledged in every state. */
static void m3ua_sg_rx_aspup(struct osmo_fsm_inst *fi)
{
	struct m3ua_conn *c = fi->priv;

	m3ua_send_simple(c, M3UA_CLS_ASPSM, M3UA_ASPSM_UP_ACK);
	osmo_fsm_inst_state_chg(fi, M3UA_ASP_ST_INACTIVE, 0, 0);
}

static void m3ua_sg_rx_aspdn(struct osmo_fsm_inst *fi)
{
	struct m3ua_conn *c = fi->priv;

	m3ua_send_simple(c, M3UA_CLS_ASPSM, M3UA_ASPSM_DOWN_ACK);
	osmo_fsm_inst_state_chg(fi, M3UA_ASP_ST_ASP_DOWN, 0, 0);
}

static void m3ua_st_asp_down(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	switch (event) {
	case M3UA_ASP_EV_RX_ASPUP:
		m3ua_sg_rx_aspup(fi);
		break;
	case M3UA_ASP_EV_RX_ASPDN:
		m3ua_sg_rx_aspdn(fi);
		break;
	default:
		break;
	}
}

static void m3ua_st_wait_up_ack(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct m3ua_conn *c = fi->priv;

	switch (event) {
	case M3UA_ASP_EV_RX_ASPUP_ACK:
		osmo_fsm_inst_state_chg(fi, M3UA_ASP_ST_INACTIVE, 0, 0);
		m3ua_send_aspac(c);
		m3ua_await_ack(fi, M3UA_ASP_ST_WAIT_AC_ACK);
		break;
	default:
		break;
	}
}

/* SG role, RFC 4666 §4.3.4.3: ASPAC with a traffic mode and routing context we can serve. */
static void m3ua_sg_rx_aspac(struct osmo_fsm_inst *fi, const struct m3ua_msg *m)
{
	struct m3ua_conn *c = fi->priv;
	struct m3ua_assoc *a = c->assoc;
	uint8_t rc_buf[4];
	struct m3ua_msg ack;

	if ((m->presence & M3UA_PBIT(M3UA_P_TRAFFIC_MODE)) &&
	    (m->traffic_mode < M3UA_TMODE_OVERRIDE || m->traffic_mode > M3UA_TMODE_BROADCAST)) {
		m3ua_send_err(c, M3UA_ERR_UNSUPP_TRAFFIC_MODE, NULL, 0);
		return;
	}
	if (a->cfg.routing_context_present && m3ua_msg_rc_count(m) &&
	    m3ua_msg_rc(m, 0) != a->cfg.routing_context) {
		m3ua_send_err(c, M3UA_ERR_INVALID_ROUTING_CTX, NULL, 0);
		return;
	}
	m3ua_msg_init(&ack, M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE_ACK);
	if (m->presence & M3UA_PBIT(M3UA_P_TRAFFIC_MODE)) {
		ack.presence |= M3UA_PBIT(M3UA_P_TRAFFIC_MODE);
		ack.traffic_mode = m->traffic_mode;
	}
	m3ua_put_cfg_rc(a, &ack, rc_buf);
	m3ua_conn_send(c, &ack);
	m3ua_send_ntfy(c, M3UA_STATUS_AS_STATE_CHANGE, M3UA_AS_STATE_ACTIVE);
	osmo_fsm_inst_state_chg(fi, M3UA_ASP_ST_ACTIVE, 0, 0);
	m3ua_sg_send_unavailable(c);
}

static void m3ua_st_inactive(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct m3ua_conn *c = fi->priv;

	switch (event) {
	case M3UA_ASP_EV_RX_ASPUP:
		m3ua_sg_rx_aspup(fi);
		break;
	case M3UA_ASP_EV_RX_ASPDN:
		m3ua_sg_rx_aspdn(fi);
		break;
	case M3UA_ASP_EV_RX_ASPAC:
		m3ua_sg_rx_aspac(fi, data);
		break;
	case M3UA_ASP_EV_RX_ASPIA:
		m3ua_send_simple(c, M3UA_CLS_ASPTM, M3UA_ASPTM_INACTIVE_ACK);
		break;
	case M3UA_ASP_EV_RX_ASPDN_ACK:
		/* the SG took us down (e.g. management blocking): start over with ASPUP */
		m3ua_send_aspup(c);
		m3ua_await_ack(fi, M3UA_ASP_ST_WAIT_UP_ACK);
		break;
	default:
		break;
	}
}

static void m3ua_st_wait_ac_ack(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct m3ua_conn *c = fi->priv;
	struct m3ua_assoc *a = c->assoc;

	switch (event) {
	case M3UA_ASP_EV_RX_ASPAC_ACK:
		a->reconnect_ms = m3ua_t_ms(a, M3UA_T_RECONNECT);
		osmo_fsm_inst_state_chg(fi, M3UA_ASP_ST_ACTIVE, 0, 0);
		break;
	case M3UA_ASP_EV_RX_ASPIA_ACK:
		/* keep retrying ASPAC on T(ack) */
		break;
	case M3UA_ASP_EV_RX_ASPDN_ACK:
		m3ua_send_aspup(c);
		m3ua_await_ack(fi, M3UA_ASP_ST_WAIT_UP_ACK);
		break;
	default:
		break;
	}
}

static void m3ua_st_active(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct m3ua_conn *c = fi->priv;

	switch (event) {
	case M3UA_ASP_EV_RX_ASPUP:
		m3ua_sg_rx_aspup(fi);
		break;
	case M3UA_ASP_EV_RX_ASPDN:
		m3ua_sg_rx_aspdn(fi);
		break;
	case M3UA_ASP_EV_RX_ASPAC:
		m3ua_sg_rx_aspac(fi, data);
		break;
	case M3UA_ASP_EV_RX_ASPIA:
		m3ua_send_simple(c, M3UA_CLS_ASPTM, M3UA_ASPTM_INACTIVE_ACK);
		osmo_fsm_inst_state_chg(fi, M3UA_ASP_ST_INACTIVE, 0, 0);
		break;
	case M3UA_ASP_EV_RX_ASPIA_ACK:
		/* an unsolicited ASPIA_ACK: the SG deactivated us; ask again after T(ack) */
		m3ua_await_ack(fi, M3UA_ASP_ST_WAIT_AC_ACK);
		break;
	case M3UA_ASP_EV_RX_ASPDN_ACK:
		m3ua_send_aspup(c);
		m3ua_await_ack(fi, M3UA_ASP_ST_WAIT_UP_ACK);
		break;
	default:
		break;
	}
}

static void m3ua_allstate(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct m3ua_conn *c = fi->priv;
	struct m3ua_assoc *a = c->assoc;

	switch (event) {
	case M3UA_ASP_EV_CONN_LOST:
		if (fi->state != M3UA_ASP_ST_CONNECTING)
			m3ua_dests_clear(a);
		else
			CTR_INC(a, M3UA_CTR_CONNECT_FAILS);
		m3ua_asp_backoff(fi);
		break;
	case M3UA_ASP_EV_STOP:
		m3ua_conn_close_sock(c);
		m3ua_dests_clear(a);
		osmo_fsm_inst_state_chg(fi, M3UA_ASP_ST_DOWN, 0, 0);
		break;
	default:
		break;
	}
}

static int m3ua_timer_cb(struct osmo_fsm_inst *fi)
{
	struct m3ua_conn *c = fi->priv;
	struct m3ua_assoc *a = c->assoc;

	switch (fi->state) {
	case M3UA_ASP_ST_DOWN:
		m3ua_asp_try_connect(fi);
		break;
	case M3UA_ASP_ST_CONNECTING:
		LOGC(c, LOGL_NOTICE, "connect timed out\n");
		m3ua_conn_close_sock(c);
		CTR_INC(a, M3UA_CTR_CONNECT_FAILS);
		m3ua_asp_backoff(fi);
		break;
	case M3UA_ASP_ST_WAIT_UP_ACK:
		CTR_INC(a, M3UA_CTR_ACK_TIMEOUTS);
		m3ua_send_aspup(c);
		m3ua_await_ack(fi, M3UA_ASP_ST_WAIT_UP_ACK);
		break;
	case M3UA_ASP_ST_WAIT_AC_ACK:
		CTR_INC(a, M3UA_CTR_ACK_TIMEOUTS);
		m3ua_send_aspac(c);
		m3ua_await_ack(fi, M3UA_ASP_ST_WAIT_AC_ACK);
		break;
	default:
		break;
	}
	return 0;
}

#define ST(x) S(M3UA_ASP_ST_##x)
#define EV(x) S(M3UA_ASP_EV_##x)

static const struct osmo_fsm_state m3ua_asp_states[] = {
	[M3UA_ASP_ST_DOWN] = {
		.name = "DOWN",
		.in_event_mask = EV(START),
		.out_state_mask = ST(DOWN) | ST(CONNECTING) | ST(ASP_DOWN),
		.action = m3ua_st_down,
	},
	[M3UA_ASP_ST_CONNECTING] = {
		.name = "CONNECTING",
		.in_event_mask = EV(CONNECTED),
		.out_state_mask = ST(DOWN) | ST(WAIT_UP_ACK),
		.action = m3ua_st_connecting,
	},
	[M3UA_ASP_ST_ASP_DOWN] = {
		.name = "ASP_DOWN",
		.in_event_mask = EV(RX_ASPUP) | EV(RX_ASPDN),
		.out_state_mask = ST(DOWN) | ST(ASP_DOWN) | ST(INACTIVE),
		.action = m3ua_st_asp_down,
	},
	[M3UA_ASP_ST_WAIT_UP_ACK] = {
		.name = "WAIT_UP_ACK",
		.in_event_mask = EV(RX_ASPUP_ACK),
		.out_state_mask = ST(DOWN) | ST(WAIT_UP_ACK) | ST(INACTIVE),
		.action = m3ua_st_wait_up_ack,
	},
	[M3UA_ASP_ST_INACTIVE] = {
		.name = "INACTIVE",
		.in_event_mask = EV(RX_ASPUP) | EV(RX_ASPDN) | EV(RX_ASPAC) | EV(RX_ASPIA) | EV(RX_ASPDN_ACK),
		.out_state_mask = ST(DOWN) | ST(ASP_DOWN) | ST(INACTIVE) | ST(WAIT_UP_ACK) | ST(WAIT_AC_ACK) |
				  ST(ACTIVE),
		.action = m3ua_st_inactive,
	},
	[M3UA_ASP_ST_WAIT_AC_ACK] = {
		.name = "WAIT_AC_ACK",
		.in_event_mask = EV(RX_ASPAC_ACK) | EV(RX_ASPIA_ACK) | EV(RX_ASPDN_ACK),
		.out_state_mask = ST(DOWN) | ST(WAIT_UP_ACK) | ST(WAIT_AC_ACK) | ST(ACTIVE),
		.action = m3ua_st_wait_ac_ack,
	},
	[M3UA_ASP_ST_ACTIVE] = {
		.name = "ACTIVE",
		.in_event_mask = EV(RX_ASPUP) | EV(RX_ASPDN) | EV(RX_ASPAC) | EV(RX_ASPIA) | EV(RX_ASPIA_ACK) |
				 EV(RX_ASPDN_ACK),
		.out_state_mask = ST(DOWN) | ST(ASP_DOWN) | ST(INACTIVE) | ST(WAIT_UP_ACK) | ST(WAIT_AC_ACK) |
				  ST(ACTIVE),
		.action = m3ua_st_active,
	},
};

struct osmo_fsm m3ua_asp_fsm = {
	.name = "m3ua_asp",
	.states = m3ua_asp_states,
	.num_states = ARRAY_SIZE(m3ua_asp_states),
	.allstate_event_mask = EV(CONN_LOST) | EV(STOP),
	.allstate_action = m3ua_allstate,
	.timer_cb = m3ua_timer_cb,
	.log_subsys = DM3UA,
	.event_names = m3ua_asp_fsm_event_names,
};

static __attribute__((constructor)) void m3ua_asp_fsm_init(void)
{
	OSMO_ASSERT(osmo_fsm_register(&m3ua_asp_fsm) == 0);
}

/* ------------------------------------------------------------------ ASP transport */

static int m3ua_proto(const struct m3ua_assoc *a)
{
	return a->cfg.transport == M3UA_TRANSPORT_SCTP ? IPPROTO_SCTP : IPPROTO_TCP;
}

/* osmo_sock_init2() reports no errno; find out why a socket cannot be had, for the log. */
static void m3ua_log_sock_failure(const struct m3ua_assoc *a, const char *what, int rc)
{
	int fd = socket(AF_INET, SOCK_STREAM, m3ua_proto(a));

	if (fd < 0 && errno == EPROTONOSUPPORT) {
		LOGA(a, LOGL_ERROR, "%s failed: the kernel has no SCTP support (EPROTONOSUPPORT); "
		     "use transport = tcp or load the sctp module\n", what);
		return;
	}
	if (fd >= 0)
		close(fd);
	LOGA(a, LOGL_ERROR, "%s failed (%d)\n", what, rc);
}

/* TCP: signalling wants each message out at once, not coalesced behind an unacknowledged one.
 * SCTP: every message we send carries PPID 3 (RFC 4666 §1.4.7); plain send() then does the rest. */
static void m3ua_sock_opts(const struct m3ua_assoc *a, int fd)
{
	struct sctp_sndrcvinfo sinfo = { .sinfo_ppid = htonl(M3UA_PPID) };
	int one = 1;

	if (a->cfg.transport == M3UA_TRANSPORT_TCP) {
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
			LOGA(a, LOGL_NOTICE, "cannot set TCP_NODELAY: %s\n", strerror(errno));
	} else if (setsockopt(fd, IPPROTO_SCTP, SCTP_DEFAULT_SEND_PARAM, &sinfo, sizeof(sinfo)) < 0) {
		LOGA(a, LOGL_NOTICE, "cannot set the SCTP PPID: %s\n", strerror(errno));
	}
}

static int m3ua_conn_connect_cb(struct osmo_fd *ofd, unsigned int what)
{
	struct m3ua_conn *c = ofd->data;
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(ofd->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		LOGC(c, LOGL_NOTICE, "connect failed: %s\n", strerror(err));
		m3ua_conn_close_sock(c);
		osmo_fsm_inst_dispatch(c->fi, M3UA_ASP_EV_CONN_LOST, (void *)"connect failed");
		return 0;
	}
	LOGC(c, LOGL_INFO, "connected\n");
	ofd->cb = osmo_wqueue_bfd_cb;
	osmo_fd_write_disable(ofd);
	osmo_fd_read_enable(ofd);
	if (!llist_empty(&c->wq.msg_queue))
		osmo_fd_write_enable(ofd);
	osmo_fsm_inst_dispatch(c->fi, M3UA_ASP_EV_CONNECTED, NULL);
	return 0;
}

static int m3ua_asp_connect(struct m3ua_conn *c)
{
	struct m3ua_assoc *a = c->assoc;
	const struct m3ua_assoc_cfg *cfg = &a->cfg;
	unsigned int flags = OSMO_SOCK_F_CONNECT | OSMO_SOCK_F_NONBLOCK;
	bool bind = cfg->local.ip[0] || cfg->local.port;
	int fd;

	if (bind)
		flags |= OSMO_SOCK_F_BIND;
	fd = osmo_sock_init2(cfg->remote.af ? : AF_UNSPEC, SOCK_STREAM, m3ua_proto(a),
			     bind && cfg->local.ip[0] ? cfg->local.ip : NULL, cfg->local.port, cfg->remote.ip,
			     cfg->remote.port, flags);
	if (fd < 0) {
		m3ua_log_sock_failure(a, "connect", fd);
		return fd;
	}
	m3ua_sock_opts(a, fd);
	LOGC(c, LOGL_INFO, "connecting over %s\n", get_value_string(m3ua_transport_names, cfg->transport));
	osmo_fd_setup(&c->wq.bfd, fd, OSMO_FD_WRITE, m3ua_conn_connect_cb, c, 0);
	if (osmo_fd_register(&c->wq.bfd) < 0) {
		close(fd);
		c->wq.bfd.fd = -1;
		return -EIO;
	}
	return 0;
}

/* ------------------------------------------------------------------ SG transport */

static int m3ua_sg_add_conn(struct m3ua_assoc *a, int fd, const char *peer)
{
	struct m3ua_conn *c;

	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		return -errno;
	m3ua_sock_opts(a, fd);
	c = m3ua_conn_alloc(a, peer);
	if (c)
		c->fi = osmo_fsm_inst_alloc(&m3ua_asp_fsm, c, c, LOGL_DEBUG, NULL);
	if (!c || !c->fi) {
		LOGA(a, LOGL_ERROR, "out of memory accepting %s\n", peer);
		talloc_free(c);
		return -ENOMEM;
	}
	osmo_fsm_inst_update_id_f_sanitize(c->fi, '-', "%s-%u", a->cfg.name, a->next_conn_id++);
	osmo_fd_setup(&c->wq.bfd, fd, OSMO_FD_READ, osmo_wqueue_bfd_cb, c, 0);
	if (osmo_fd_register(&c->wq.bfd) < 0) {
		c->wq.bfd.fd = -1;
		osmo_fsm_inst_term(c->fi, OSMO_FSM_TERM_ERROR, NULL);
		talloc_free(c);
		return -EIO;
	}
	llist_add_tail(&c->list, &a->conns);
	CTR_INC(a, M3UA_CTR_ACCEPTS);
	LOGC(c, LOGL_INFO, "accepted\n");
	osmo_fsm_inst_state_chg(c->fi, M3UA_ASP_ST_ASP_DOWN, 0, 0);
	m3ua_beat_start(c);
	return 0;
}

static int m3ua_sg_accept_cb(struct osmo_fd *ofd, unsigned int what)
{
	struct m3ua_assoc *a = ofd->data;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char peer[INET6_ADDRSTRLEN + 8], host[INET6_ADDRSTRLEN];
	uint16_t port = 0;
	int fd;

	fd = accept(ofd->fd, (struct sockaddr *)&ss, &sl);
	if (fd < 0) {
		LOGA(a, LOGL_ERROR, "accept failed: %s\n", strerror(errno));
		return 0;
	}
	osmo_sockaddr_to_str_and_uint(host, sizeof(host), &port, (struct sockaddr *)&ss);
	snprintf(peer, sizeof(peer), "%s:%u", host, port);
	if (m3ua_sg_add_conn(a, fd, peer) < 0)
		close(fd);
	return 0;
}

int m3ua_assoc_sg_adopt_fd(struct m3ua_assoc *a, int fd, const char *peer)
{
	if (!m3ua_is_sg(a))
		return -EINVAL;
	return m3ua_sg_add_conn(a, fd, peer ? : "adopted");
}

static void m3ua_sg_listen_retry(void *data)
{
	m3ua_sg_listen(data);
}

static int m3ua_sg_listen(struct m3ua_assoc *a)
{
	const struct m3ua_assoc_cfg *cfg = &a->cfg;
	int rc;

	if (!a->started || a->listen_ofd.fd >= 0)
		return 0;
	osmo_fd_setup(&a->listen_ofd, -1, OSMO_FD_READ, m3ua_sg_accept_cb, a, 0);
	rc = osmo_sock_init2_ofd(&a->listen_ofd, cfg->local.af ? : AF_UNSPEC, SOCK_STREAM, m3ua_proto(a),
				 cfg->local.ip[0] ? cfg->local.ip : NULL, cfg->local.port, NULL, 0,
				 OSMO_SOCK_F_BIND);
	if (rc < 0) {
		unsigned long delay = a->listen_retry_ms;

		a->listen_ofd.fd = -1;
		m3ua_log_sock_failure(a, "listen", rc);
		a->listen_retry_ms = OSMO_MIN(delay * 2, m3ua_t_ms(a, M3UA_T_RECONNECT_MAX));
		osmo_timer_schedule(&a->listen_timer, delay / 1000, (delay % 1000) * 1000);
		return rc;
	}
	a->listen_retry_ms = m3ua_t_ms(a, M3UA_T_RECONNECT);
	LOGA(a, LOGL_INFO, "listening on port %d\n", m3ua_assoc_local_port(a));
	return 0;
}

/* ------------------------------------------------------------------ public API */

/* Reading on or off on every connection of the association that has a socket. */
static void m3ua_assoc_rx_enable(struct m3ua_assoc *a, bool on)
{
	struct m3ua_conn *c;

	if (a->asp && a->asp->wq.bfd.fd >= 0) {
		if (on)
			osmo_fd_read_enable(&a->asp->wq.bfd);
		else
			osmo_fd_read_disable(&a->asp->wq.bfd);
	}
	llist_for_each_entry(c, &a->conns, list) {
		if (c->wq.bfd.fd < 0)
			continue;
		if (on)
			osmo_fd_read_enable(&c->wq.bfd);
		else
			osmo_fd_read_disable(&c->wq.bfd);
	}
}

static void m3ua_hold_timer_cb(void *data)
{
	struct m3ua_assoc *a = data;

	LOGA(a, LOGL_NOTICE, "reading again after the hold\n");
	m3ua_assoc_rx_enable(a, true);
}

int m3ua_assoc_hold_rx(struct m3ua_assoc *a, unsigned int ms)
{
	if (!ms)
		return -EINVAL;
	LOGA(a, LOGL_NOTICE, "not reading for %u ms\n", ms);
	m3ua_assoc_rx_enable(a, false);
	osmo_timer_schedule(&a->hold_timer, ms / 1000, (ms % 1000) * 1000);
	return 0;
}

struct m3ua_assoc *m3ua_assoc_alloc(void *ctx, const struct m3ua_assoc_cfg *cfg, const struct m3ua_assoc_ops *ops,
				    void *priv)
{
	struct m3ua_assoc *a = talloc_zero(ctx, struct m3ua_assoc);
	unsigned int idx = 0;

	if (!a)
		return NULL;
	a->cfg = *cfg;
	INIT_LLIST_HEAD(&a->cfg.list);
	a->cfg.name = talloc_strdup(a, cfg->name ? : "m3ua");
	a->ops = ops;
	a->priv = priv;
	a->tdefs = m3ua_tdefs;
	INIT_LLIST_HEAD(&a->dests);
	INIT_LLIST_HEAD(&a->conns);
	a->listen_ofd.fd = -1;
	osmo_timer_setup(&a->listen_timer, m3ua_sg_listen_retry, a);
	osmo_timer_setup(&a->hold_timer, m3ua_hold_timer_cb, a);
	while (rate_ctr_get_group_by_name_idx(m3ua_ctrg_desc.group_name_prefix, idx))
		idx++;
	a->ctrs = rate_ctr_group_alloc(a, &m3ua_ctrg_desc, idx);
	if (!a->cfg.name || !a->ctrs)
		goto err;
	rate_ctr_group_set_name(a->ctrs, a->cfg.name);
	if (!m3ua_is_sg(a)) {
		a->asp = m3ua_conn_alloc(a, NULL);
		if (!a->asp)
			goto err;
		if (a->cfg.remote.ip[0])
			a->asp->peer = talloc_asprintf(a->asp, "%s:%u", a->cfg.remote.ip, a->cfg.remote.port);
		a->asp->fi = osmo_fsm_inst_alloc(&m3ua_asp_fsm, a->asp, a->asp, LOGL_DEBUG, NULL);
		if (!a->asp->fi)
			goto err;
		osmo_fsm_inst_update_id_f_sanitize(a->asp->fi, '-', "%s", a->cfg.name);
	}
	return a;
err:
	rate_ctr_group_free(a->ctrs);
	talloc_free(a);
	return NULL;
}

void m3ua_assoc_set_tdefs(struct m3ua_assoc *a, struct osmo_tdef *tdefs)
{
	a->tdefs = tdefs;
}

int m3ua_assoc_start(struct m3ua_assoc *a)
{
	if (a->started)
		return 0;
	if (!m3ua_t_ms(a, M3UA_T_ACK)) {
		/* T(ack) has a minimum of 1 s: 0 means nobody ran osmo_tdefs_reset() on the table */
		LOGA(a, LOGL_ERROR, "M3UA timer table not initialised, applying its defaults\n");
		osmo_tdefs_reset(a->tdefs);
	}
	a->started = true;
	a->reconnect_ms = m3ua_t_ms(a, M3UA_T_RECONNECT);
	a->listen_retry_ms = a->reconnect_ms;
	a->connect_attempts = 0;
	if (m3ua_is_sg(a))
		return m3ua_sg_listen(a);
	osmo_fsm_inst_dispatch(a->asp->fi, M3UA_ASP_EV_START, NULL);
	return 0;
}

void m3ua_assoc_stop(struct m3ua_assoc *a)
{
	struct m3ua_conn *c, *tmp;

	a->started = false;
	if (m3ua_is_sg(a)) {
		osmo_timer_del(&a->listen_timer);
		if (a->listen_ofd.fd >= 0) {
			osmo_fd_unregister(&a->listen_ofd);
			close(a->listen_ofd.fd);
			a->listen_ofd.fd = -1;
		}
		llist_for_each_entry_safe(c, tmp, &a->conns, list)
			m3ua_conn_destroy(c);
	} else {
		osmo_fsm_inst_dispatch(a->asp->fi, M3UA_ASP_EV_STOP, NULL);
	}
	m3ua_assoc_update_active(a);
}

void m3ua_assoc_free(struct m3ua_assoc *a)
{
	if (!a)
		return;
	m3ua_assoc_stop(a);
	osmo_timer_del(&a->hold_timer);
	if (a->asp) {
		m3ua_conn_close_sock(a->asp);
		osmo_fsm_inst_term(a->asp->fi, OSMO_FSM_TERM_REQUEST, NULL);
	}
	m3ua_dests_clear(a);
	rate_ctr_group_free(a->ctrs);
	talloc_free(a);
}

bool m3ua_assoc_is_active(const struct m3ua_assoc *a)
{
	const struct m3ua_conn *c;

	if (!m3ua_is_sg(a))
		return a->asp->fi->state == M3UA_ASP_ST_ACTIVE;
	llist_for_each_entry(c, &a->conns, list) {
		if (c->fi && c->fi->state == M3UA_ASP_ST_ACTIVE)
			return true;
	}
	return false;
}

enum m3ua_asp_fsm_state m3ua_assoc_state(const struct m3ua_assoc *a)
{
	const struct m3ua_conn *c;
	uint32_t st = M3UA_ASP_ST_DOWN;

	if (!m3ua_is_sg(a))
		return a->asp->fi->state;
	llist_for_each_entry(c, &a->conns, list) {
		if (c->fi && c->fi->state > st)
			st = c->fi->state;
	}
	return st;
}

static void m3ua_assoc_update_active(struct m3ua_assoc *a)
{
	bool active = m3ua_assoc_is_active(a);

	if (active == a->reported_active)
		return;
	a->reported_active = active;
	LOGA(a, LOGL_NOTICE, "association %s\n", active ? "active" : "inactive");
	if (m3ua_is_sg(a)) {
		struct m3ua_conn *c;

		/* RFC 4666 §4.3.4.3/§4.3.4.4: the ASPs that are up but not active learn the AS state.
		 * Without a recovery timer T(r) the AS goes straight to AS-INACTIVE, never AS-PENDING. */
		llist_for_each_entry(c, &a->conns, list) {
			if (c->fi && c->fi->state == M3UA_ASP_ST_INACTIVE)
				m3ua_send_ntfy(c, M3UA_STATUS_AS_STATE_CHANGE,
					       active ? M3UA_AS_STATE_ACTIVE : M3UA_AS_STATE_INACTIVE);
		}
	}
	if (a->ops && a->ops->state_changed)
		a->ops->state_changed(a, active, a->priv);
}

static int m3ua_conn_send_data(struct m3ua_conn *c, const struct m3ua_data_hdr *hdr, const uint8_t *data,
			       size_t len)
{
	struct m3ua_assoc *a = c->assoc;
	uint8_t rc_buf[4];
	struct m3ua_msg m;
	int rc;

	m3ua_msg_init(&m, M3UA_CLS_XFER, M3UA_XFER_DATA);
	m.presence = M3UA_PBIT(M3UA_P_PROTOCOL_DATA);
	m.data_hdr = *hdr;
	m.data = (struct m3ua_slice){ .data = data, .len = len };
	m3ua_put_cfg_rc(a, &m, rc_buf);
	if (m3ua_encoded_len(&m) < 0) {
		CTR_INC(a, M3UA_CTR_TX_ERRORS);
		return -EMSGSIZE;
	}
	rc = m3ua_conn_send(c, &m);
	if (rc == 0)
		CTR_INC(a, M3UA_CTR_TX_DATA);
	return rc;
}

int m3ua_assoc_send_data(struct m3ua_assoc *a, const struct m3ua_data_hdr *hdr, struct msgb *payload)
{
	struct m3ua_conn *c, *chosen = NULL;
	unsigned int n = 0, pick;
	int rc = -ENOTCONN;

	if (!m3ua_is_sg(a)) {
		if (m3ua_assoc_is_active(a))
			rc = m3ua_conn_send_data(a->asp, hdr, msgb_data(payload), msgb_length(payload));
		goto out;
	}

	llist_for_each_entry(c, &a->conns, list)
		n += c->fi && c->fi->state == M3UA_ASP_ST_ACTIVE;
	if (!n)
		goto out;
	/* RFC 4666 §4.3.4.3: override -> the active ASP; loadshare -> spread by SLS; broadcast -> all */
	pick = a->cfg.traffic_mode == M3UA_TMODE_LOADSHARE ? hdr->sls % n : 0;
	llist_for_each_entry(c, &a->conns, list) {
		if (!c->fi || c->fi->state != M3UA_ASP_ST_ACTIVE)
			continue;
		if (a->cfg.traffic_mode == M3UA_TMODE_BROADCAST) {
			rc = m3ua_conn_send_data(c, hdr, msgb_data(payload), msgb_length(payload));
			continue;
		}
		if (pick-- == 0) {
			chosen = c;
			break;
		}
	}
	if (chosen)
		rc = m3ua_conn_send_data(chosen, hdr, msgb_data(payload), msgb_length(payload));
out:
	if (rc == -ENOTCONN)
		CTR_INC(a, M3UA_CTR_TX_ERRORS);
	msgb_free(payload);
	return rc;
}

bool m3ua_assoc_dest_available(const struct m3ua_assoc *a, uint32_t pc)
{
	if (!m3ua_assoc_is_active(a))
		return false;
	return m3ua_dest_usable(m3ua_dest_lookup(a, pc));
}

uint8_t m3ua_assoc_dest_congestion(const struct m3ua_assoc *a, uint32_t pc)
{
	const struct m3ua_dest *d = m3ua_dest_lookup(a, pc);

	return d ? d->cong_level : 0;
}

int m3ua_assoc_send_daud(struct m3ua_assoc *a, const uint32_t *pcs, size_t num)
{
	uint8_t *apc;
	size_t i;
	int rc;

	if (m3ua_is_sg(a) || a->asp->wq.bfd.fd < 0 || a->asp->fi->state < M3UA_ASP_ST_INACTIVE)
		return -ENOTCONN;
	if (!num || num > (M3UA_MSG_MAX_LEN - 64) / 4)
		return -EINVAL;
	apc = talloc_size(a, 4 * num);
	if (!apc)
		return -ENOMEM;
	for (i = 0; i < num; i++)
		m3ua_apc_store(apc + 4 * i, 0, pcs[i]);
	rc = m3ua_send_dest_msg(a->asp, M3UA_SSNM_DAUD, apc, 4 * num);
	talloc_free(apc);
	return rc;
}

int m3ua_assoc_sg_set_dest(struct m3ua_assoc *a, uint32_t pc, bool available)
{
	struct m3ua_dest *d;
	struct m3ua_conn *c;
	uint8_t apc[4];

	if (!m3ua_is_sg(a))
		return -EINVAL;
	d = m3ua_dest_set_range(a, pc, 0);
	if (!d)
		return -ENOMEM;
	d->unavailable = !available;
	LOGA(a, LOGL_INFO, "destination %u %savailable\n", pc, available ? "" : "un");
	m3ua_apc_store(apc, 0, pc);
	llist_for_each_entry(c, &a->conns, list) {
		if (c->fi && c->fi->state >= M3UA_ASP_ST_INACTIVE)
			m3ua_send_dest_msg(c, available ? M3UA_SSNM_DAVA : M3UA_SSNM_DUNA, apc, sizeof(apc));
	}
	return 0;
}

const char *m3ua_assoc_name(const struct m3ua_assoc *a)
{
	return a->cfg.name;
}

int m3ua_assoc_local_port(const struct m3ua_assoc *a)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = m3ua_is_sg(a) ? a->listen_ofd.fd : a->asp->wq.bfd.fd;

	if (fd < 0)
		return -ENOTCONN;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		return -errno;
	return osmo_sockaddr_port((struct sockaddr *)&ss);
}

unsigned int m3ua_assoc_num_conns(const struct m3ua_assoc *a)
{
	if (!m3ua_is_sg(a))
		return a->asp->wq.bfd.fd >= 0 && a->asp->fi->state != M3UA_ASP_ST_CONNECTING;
	return llist_count(&a->conns);
}

struct rate_ctr_group *m3ua_assoc_ctrs(const struct m3ua_assoc *a)
{
	return a->ctrs;
}

uint64_t m3ua_assoc_ctr(const struct m3ua_assoc *a, enum m3ua_ctr ctr)
{
	return rate_ctr_group_get_ctr(a->ctrs, ctr)->current;
}

typedef void (*m3ua_out_fn)(void *arg, const char *line);

static void __attribute__((format(printf, 4, 5)))
m3ua_show_line(m3ua_out_fn out, void *arg, void *tmp, const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	line = talloc_vasprintf(tmp, fmt, ap);
	va_end(ap);
	if (line)
		out(arg, line);
	talloc_free(line);
}

static void m3ua_show_conn(const struct m3ua_conn *c, m3ua_out_fn out, void *arg, void *tmp)
{
	m3ua_show_line(out, arg, tmp, "  peer %s: %s%s", c->peer ? : "-", c->fi ? osmo_fsm_inst_state_name(c->fi) : "-",
		       c->beat_outstanding ? ", BEAT outstanding" : "");
}

void m3ua_assoc_show(const struct m3ua_assoc *a, void (*out)(void *arg, const char *line), void *arg)
{
	const struct m3ua_assoc_cfg *cfg = &a->cfg;
	const struct m3ua_conn *c;
	const struct m3ua_dest *d;
	void *tmp = talloc_new(NULL);
	unsigned int i;

	if (!tmp)
		return;
	m3ua_show_line(out, arg, tmp, "M3UA association %s: role %s, transport %s, %s", cfg->name,
			       get_value_string(m3ua_role_names, cfg->role),
			       get_value_string(m3ua_transport_names, cfg->transport),
			       m3ua_assoc_is_active(a) ? "ACTIVE" : "not active");
	m3ua_show_line(out, arg, tmp, "  local %s:%u, remote %s:%u, opc %u, adjacent pc %u, ni %u",
			       cfg->local.ip[0] ? cfg->local.ip : "*", cfg->local.port,
			       cfg->remote.ip[0] ? cfg->remote.ip : "*", cfg->remote.port, cfg->local_pc,
			       cfg->adjacent_pc, cfg->network_indicator);
	if (cfg->routing_context_present)
		m3ua_show_line(out, arg, tmp, "  routing context %u, traffic mode %s", cfg->routing_context,
			       get_value_string(m3ua_traffic_mode_names, cfg->traffic_mode));
	else
		m3ua_show_line(out, arg, tmp, "  no routing context, traffic mode %s",
			       get_value_string(m3ua_traffic_mode_names, cfg->traffic_mode));
	if (m3ua_is_sg(a)) {
		m3ua_show_line(out, arg, tmp, "  listening: %s, %u ASP connection(s)",
			       a->listen_ofd.fd >= 0 ? "yes" : "no", llist_count(&a->conns));
		llist_for_each_entry(c, &a->conns, list)
			m3ua_show_conn(c, out, arg, tmp);
	} else {
		m3ua_show_conn(a->asp, out, arg, tmp);
		if (a->asp->fi->state == M3UA_ASP_ST_DOWN && a->started)
			m3ua_show_line(out, arg, tmp, "  next reconnect back-off %lu ms", a->reconnect_ms);
	}
	llist_for_each_entry(d, &a->dests, list)
		m3ua_show_line(out, arg, tmp, "  destination %u/%u: %s%s%s, congestion %u", d->pc, d->mask,
			       d->unavailable ? "unavailable" : "available",
			       d->user_unavailable ? ", ISUP unavailable" : "",
			       d->restricted ? ", restricted" : "", d->cong_level);
	for (i = 0; i < a->ctrs->desc->num_ctr; i++)
		m3ua_show_line(out, arg, tmp, "  %s: %" PRIu64, a->ctrs->desc->ctr_desc[i].name,
			       a->ctrs->ctr[i].current);
	talloc_free(tmp);
}
