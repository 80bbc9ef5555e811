/* SIP transports: UDP, TCP and TLS on osmo_fd (see sip_transport.h).
 *
 * UDP listeners use an osmo_wqueue (the destination of each datagram rides in msgb->cb).  Stream connections
 * keep their own queue of msgbs with a write offset: a TCP write or an SSL_write may take a message in parts,
 * and OpenSSL wants the same data offered again after WANT_WRITE, which osmo_wqueue's one-shot write_cb does not
 * model.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <osmocom/core/linuxlist.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/select.h>
#include <osmocom/core/socket.h>
#include <osmocom/core/stats.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/tdef.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/write_queue.h>

#include <mgcf/log.h>
#include "sip/sip_build.h"
#include "sip/sip_timers.h"
#include "sip/sip_tls.h"
#include "sip/sip_transport.h"

#define SIP_TP_MAX_HDRS		128
#define SIP_UDP_WQUEUE_MAX	1024
#define SIP_CONN_TXQ_MAX	1024
#define SIP_DEFAULT_MAX_MSG	65535
#define SIP_RBUF_INITIAL	4096
#define SIP_UDP_RX_BATCH	8	/* datagrams per recvmmsg() */
#define SIP_UDP_RX_ROUNDS	4	/* recvmmsg() per wake-up at most: the other sockets get their turn */
#define SIP_UDP_SLOT		65536	/* the largest datagram and a spare byte */
#define SIP_UDP_TX_BATCH	32	/* datagrams per sendmmsg() at most */
#define SIP_UDP_TX_BUF		65536	/* octets of a batch's datagrams at most */

static const struct rate_ctr_desc sip_tp_ctr_desc[] = {
	[SIP_TP_CTR_RX_MSGS] = { "sip:rx_msgs", "SIP messages received (well formed)" },
	[SIP_TP_CTR_RX_REQUESTS] = { "sip:rx_requests", "SIP requests received" },
	[SIP_TP_CTR_RX_RESPONSES] = { "sip:rx_responses", "SIP responses received" },
	[SIP_TP_CTR_RX_MALFORMED_ANSWERED] = { "sip:rx_malformed_answered", "malformed requests answered 400/505/513" },
	[SIP_TP_CTR_RX_MALFORMED_DROPPED] = { "sip:rx_malformed_dropped", "malformed messages dropped (not routable)" },
	[SIP_TP_CTR_RX_TOO_BIG] = { "sip:rx_too_big", "messages above the maximum size" },
	[SIP_TP_CTR_RX_KEEPALIVE] = { "sip:rx_keepalive", "CRLF keep-alive pings received (RFC 5626)" },
	[SIP_TP_CTR_TX_MSGS] = { "sip:tx_msgs", "SIP messages handed to a socket" },
	[SIP_TP_CTR_TX_ERRORS] = { "sip:tx_errors", "SIP messages that could not be sent" },
	[SIP_TP_CTR_TX_KEEPALIVE] = { "sip:tx_keepalive", "CRLF keep-alive pongs sent" },
	[SIP_TP_CTR_CONN_ACCEPTED] = { "sip:conn_accepted", "TCP/TLS connections accepted" },
	[SIP_TP_CTR_CONN_REFUSED] = { "sip:conn_refused", "TCP/TLS connections refused (limit)" },
	[SIP_TP_CTR_CONN_CONNECTED] = { "sip:conn_connected", "TCP/TLS connections made" },
	[SIP_TP_CTR_CONN_FAILED] = { "sip:conn_failed", "TCP/TLS connections that failed or broke" },
	[SIP_TP_CTR_CONN_CLOSED] = { "sip:conn_closed", "TCP/TLS connections closed" },
	[SIP_TP_CTR_CONN_IDLE_CLOSED] = { "sip:conn_idle_closed", "TCP/TLS connections closed for idleness" },
	[SIP_TP_CTR_TLS_HANDSHAKE_OK] = { "sip:tls_handshake_ok", "TLS handshakes completed" },
	[SIP_TP_CTR_TLS_HANDSHAKE_FAILED] = { "sip:tls_handshake_failed", "TLS handshakes failed" },
	[SIP_TP_CTR_RX_RESP_MULTI_VIA] = { "sip:rx_resp_multi_via", "responses with more than one Via (dropped)" },
};

static const struct rate_ctr_group_desc sip_tp_ctrg_desc = {
	.group_name_prefix = "sip_tp",
	.group_description = "SIP transports",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = ARRAY_SIZE(sip_tp_ctr_desc),
	.ctr_desc = sip_tp_ctr_desc,
};

/* UDP: datagrams sent "soon" (sip_tp_send_copy_soon()), copied here and handed to the kernel by one sendmmsg()
 * when the loop comes back to the socket, which polls for writability while the batch is not empty. */
struct udp_txb {
	unsigned int n;
	size_t used;
	struct mmsghdr mh[SIP_UDP_TX_BATCH];
	struct iovec iov[SIP_UDP_TX_BATCH];
	struct sockaddr_in6 dst[SIP_UDP_TX_BATCH];	/* room for either family */
	uint8_t buf[SIP_UDP_TX_BUF];
};

struct sip_listener {
	enum sip_transport proto;
	struct osmo_wqueue wq;		/* UDP: socket + datagram queue; TCP/TLS: wq.bfd is the listening socket */
	struct osmo_sockaddr addr;	/* bound address */
	struct sip_tp *tp;
	struct udp_txb *txb;		/* UDP: the batch, allocated at first use */
};

struct sip_conn {
	struct llist_head list;
	struct sip_tp *tp;
	uint32_t id;
	enum sip_transport proto;
	struct osmo_fd ofd;
	struct osmo_sockaddr remote;
	bool connecting;		/* TCP connect() in progress */
	bool handshaking;		/* TLS handshake in progress */
	bool close_after_tx;		/* framing lost: send what is queued, then close */
	bool write_wants_read;		/* SSL_write said WANT_READ: wait for readability, not writability */
	SSL *ssl;
	char *rbuf;
	size_t rlen, rsize;
	struct llist_head txq;		/* struct msgb */
	unsigned int txq_len;
	size_t txoff;			/* bytes of the head msgb already written */
	struct osmo_timer_list idle;
};

struct sip_tp {
	const struct sip_cfg *cfg;
	const struct sip_tp_ops *ops;
	void *priv;
	struct sip_listener *lst[16];
	unsigned int num_lst;
	struct llist_head conns;
	unsigned int num_conns;
	uint32_t next_conn_id;
	struct rate_ctr_group *ctrs;
	struct sip_msg *msg;
	char *udp_buf;
	char *fix_buf;
	size_t fix_size;
	SSL_CTX *tls_server;
	SSL_CTX *tls_client;
	sip_tp_tx_hook_t tx_hook;
	void *tx_hook_priv;
};

/* UDP destination stored in msgb->cb while the datagram waits in the queue */
union sip_udp_dst {
	struct sockaddr sa;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
};
osmo_static_assert(sizeof(union sip_udp_dst) <= sizeof(((struct msgb *)0)->cb), udp_dst_fits_cb);

static void ctr_inc(struct sip_tp *tp, enum sip_tp_ctr c)
{
	rate_ctr_inc(rate_ctr_group_get_ctr(tp->ctrs, c));
}

const char *sip_transport_via_name(enum sip_transport proto)
{
	switch (proto) {
	case SIP_TRANSPORT_TCP:
		return "TCP";
	case SIP_TRANSPORT_TLS:
		return "TLS";
	default:
		return "UDP";
	}
}

static size_t max_msg_size(const struct sip_tp *tp)
{
	return tp->cfg->max_message_size ? tp->cfg->max_message_size : SIP_DEFAULT_MAX_MSG;
}

static socklen_t sa_len(const struct osmo_sockaddr *a)
{
	return a->u.sa.sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

static uint16_t sa_port(const struct osmo_sockaddr *a)
{
	return ntohs(a->u.sa.sa_family == AF_INET6 ? a->u.sin6.sin6_port : a->u.sin.sin_port);
}

static void sa_set_port(struct osmo_sockaddr *a, uint16_t port)
{
	if (a->u.sa.sa_family == AF_INET6)
		a->u.sin6.sin6_port = htons(port);
	else
		a->u.sin.sin_port = htons(port);
}

static bool sa_equal(const struct osmo_sockaddr *a, const struct osmo_sockaddr *b)
{
	return osmo_sockaddr_cmp(a, b) == 0;
}

/* Dotted quad of an IPv4 address, as inet_ntop() writes it (which formats through sprintf: this runs for every
 * received request, in the Via check). */
static bool ipv4_str(const struct in_addr *in, char *buf, size_t len)
{
	const uint8_t *b = (const uint8_t *)&in->s_addr;
	size_t o = 0;
	int i;

	if (len < INET_ADDRSTRLEN)
		return false;
	for (i = 0; i < 4; i++) {
		if (i)
			buf[o++] = '.';
		o += sip_u64_dec(buf + o, b[i], 1);
	}
	buf[o] = '\0';
	return true;
}

static const char *sa_ip(const struct osmo_sockaddr *a, char *buf, size_t len)
{
	if (a->u.sa.sa_family == AF_INET && ipv4_str(&a->u.sin.sin_addr, buf, len))
		return buf;
	if (!inet_ntop(a->u.sa.sa_family, a->u.sa.sa_family == AF_INET6 ? (const void *)&a->u.sin6.sin6_addr
									  : (const void *)&a->u.sin.sin_addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

/* ---- sending ------------------------------------------------------------------------------------------------ */

static int udp_write_cb(struct osmo_fd *ofd, struct msgb *msg)
{
	struct sip_listener *l = ofd->data;
	union sip_udp_dst dst;
	ssize_t rc;

	memcpy(&dst, msg->cb, sizeof(dst));
	rc = sendto(ofd->fd, msgb_data(msg), msgb_length(msg), 0, &dst.sa,
		    dst.sa.sa_family == AF_INET6 ? sizeof(dst.sin6) : sizeof(dst.sin));
	if (rc < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -EAGAIN;
	if (rc < 0) {
		LOGP(DSIPT, LOGL_NOTICE, "UDP sendto: %s\n", strerror(errno));
		ctr_inc(l->tp, SIP_TP_CTR_TX_ERRORS);
	} else {
		ctr_inc(l->tp, SIP_TP_CTR_TX_MSGS);
	}
	return 0;
}

static struct sip_listener *find_listener(const struct sip_tp *tp, enum sip_transport proto, int family)
{
	unsigned int i;

	for (i = 0; i < tp->num_lst; i++)
		if (tp->lst[i]->proto == proto && tp->lst[i]->addr.u.sa.sa_family == family)
			return tp->lst[i];
	return NULL;
}

/* A copy of a datagram at the end of the listener's queue (to wait for the socket to take it): false if the queue
 * is full or memory is short, counted as a send error. */
static bool udp_queue_copy(struct sip_listener *l, const void *data, size_t len, const void *dst, socklen_t dlen)
{
	struct msgb *m = sip_msgb_alloc(len, "sip-tx");

	if (m) {
		memcpy(msgb_put(m, len), data, len);
		memset(m->cb, 0, sizeof(m->cb));
		memcpy(m->cb, dst, dlen);
		if (osmo_wqueue_enqueue_quiet(&l->wq, m) == 0)
			return true;
		msgb_free(m);
	}
	ctr_inc(l->tp, SIP_TP_CTR_TX_ERRORS);
	return false;
}

/* Hand the batch to the kernel, in order.  An error for one datagram is logged and counted and the others go on;
 * when the socket's buffer is full the rest waits in the listener's queue. */
static void udp_flush(struct sip_listener *l)
{
	struct udp_txb *b = l->txb;
	unsigned int i = 0;

	if (!b || !b->n)
		return;
	while (i < b->n) {
		int rc = sendmmsg(l->wq.bfd.fd, &b->mh[i], b->n - i, 0);

		if (rc > 0) {
			rate_ctr_add(rate_ctr_group_get_ctr(l->tp->ctrs, SIP_TP_CTR_TX_MSGS), rc);
			i += rc;
		} else if (rc < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			for (; i < b->n; i++)
				udp_queue_copy(l, b->iov[i].iov_base, b->iov[i].iov_len, b->mh[i].msg_hdr.msg_name,
					       b->mh[i].msg_hdr.msg_namelen);
		} else {
			LOGP(DSIPT, LOGL_NOTICE, "UDP sendmmsg: %s\n", strerror(errno));
			ctr_inc(l->tp, SIP_TP_CTR_TX_ERRORS);
			i++;
		}
	}
	b->n = 0;
	b->used = 0;
}

/* Append a copy of a datagram to the batch: false if it has to go the other way (something waits in the queue
 * before it, or no memory for the batch). */
static bool udp_batch(struct sip_listener *l, const struct sip_addr *dst, const void *data, size_t len)
{
	struct udp_txb *b = l->txb;
	socklen_t dlen = sa_len(&dst->remote);

	if (!llist_empty(&l->wq.msg_queue) || len > SIP_UDP_TX_BUF)
		return false;
	if (!b) {
		b = l->txb = talloc(l, struct udp_txb);
		if (!b)
			return false;
		b->n = 0;
		b->used = 0;
	}
	if (b->n == SIP_UDP_TX_BATCH || b->used + len > SIP_UDP_TX_BUF) {
		udp_flush(l);
		if (!llist_empty(&l->wq.msg_queue))
			return false;
	}
	memcpy(b->buf + b->used, data, len);
	memcpy(&b->dst[b->n], &dst->remote.u, dlen);
	b->iov[b->n] = (struct iovec){ .iov_base = b->buf + b->used, .iov_len = len };
	b->mh[b->n].msg_hdr = (struct msghdr){ .msg_name = &b->dst[b->n], .msg_namelen = dlen,
					       .msg_iov = &b->iov[b->n], .msg_iovlen = 1 };
	b->n++;
	b->used += len;
	osmo_fd_write_enable(&l->wq.bfd);
	return true;
}

/* The listener's socket: the batch goes out before the reads, whose answers make the next batch (the queue's
 * handler takes back writability when its own queue is empty: given back while a batch waits). */
static int udp_fd_cb(struct osmo_fd *ofd, unsigned int what)
{
	struct sip_listener *l = ofd->data;

	if (what & OSMO_FD_WRITE)
		udp_flush(l);
	osmo_wqueue_bfd_cb(ofd, what);
	if (l->txb && l->txb->n)
		osmo_fd_write_enable(ofd);
	return 0;
}

/* Send a datagram now if nothing is queued before it: 0 sent, 1 to be queued (u is set up for that), or negative
 * errno (counted and logged).  A batch waiting goes first, so that datagrams leave in the order they were sent. */
static int udp_send_now(struct sip_tp *tp, struct sip_listener *l, const struct sip_addr *dst, const void *data,
			size_t len, union sip_udp_dst *u)
{
	memcpy(u, &dst->remote.u, sa_len(&dst->remote));
	udp_flush(l);
	if (!llist_empty(&l->wq.msg_queue))
		return 1;
	if (sendto(l->wq.bfd.fd, data, len, 0, &u->sa, sa_len(&dst->remote)) >= 0) {
		ctr_inc(tp, SIP_TP_CTR_TX_MSGS);
		return 0;
	}
	if (errno != EAGAIN && errno != EWOULDBLOCK) {
		int err = -errno;

		LOGP(DSIPT, LOGL_NOTICE, "UDP to %s: %s\n", osmo_sockaddr_to_str(&dst->remote), strerror(errno));
		ctr_inc(tp, SIP_TP_CTR_TX_ERRORS);
		return err;
	}
	return 1;
}

static struct sip_listener *udp_listener(struct sip_tp *tp, const struct sip_addr *dst)
{
	struct sip_listener *l = find_listener(tp, SIP_TRANSPORT_UDP, dst->remote.u.sa.sa_family);

	if (!l) {
		LOGP(DSIPT, LOGL_ERROR, "no UDP listener for %s\n", osmo_sockaddr_to_str(&dst->remote));
		ctr_inc(tp, SIP_TP_CTR_TX_ERRORS);
	}
	return l;
}

static int udp_send(struct sip_tp *tp, const struct sip_addr *dst, struct msgb *msg)
{
	struct sip_listener *l = udp_listener(tp, dst);
	union sip_udp_dst u = {};
	int rc;

	if (!l) {
		msgb_free(msg);
		return -ENETUNREACH;
	}
	rc = udp_send_now(tp, l, dst, msgb_data(msg), msgb_length(msg), &u);
	if (rc <= 0) {
		msgb_free(msg);
		return rc;
	}
	memcpy(msg->cb, &u, sizeof(u));
	if (osmo_wqueue_enqueue_quiet(&l->wq, msg) < 0) {
		ctr_inc(tp, SIP_TP_CTR_TX_ERRORS);
		msgb_free(msg);
		return -ENOBUFS;
	}
	return 0;
}

static struct sip_conn *conn_by_id(const struct sip_tp *tp, uint32_t id)
{
	struct sip_conn *c;

	if (!id)
		return NULL;
	llist_for_each_entry(c, &tp->conns, list)
		if (c->id == id)
			return c;
	return NULL;
}

static void conn_touch(struct sip_conn *c)
{
	unsigned long secs = c->tp->cfg->tcp_idle_timeout_s;

	if (!secs)
		secs = osmo_tdef_get(sip_tdefs, SIP_T_TCP_IDLE, OSMO_TDEF_S, 600);
	osmo_timer_schedule(&c->idle, secs, 0);
}

static void conn_update_when(struct sip_conn *c)
{
	unsigned int when = OSMO_FD_READ;

	if (c->connecting || (!llist_empty(&c->txq) && !c->write_wants_read))
		when |= OSMO_FD_WRITE;
	osmo_fd_update_when(&c->ofd, OSMO_FD_MASK & ~(OSMO_FD_READ | OSMO_FD_WRITE), when);
}

/* Close and free; returns -EBADF so that callers can pass it up from fd callbacks. */
static int conn_close(struct sip_conn *c, bool error)
{
	struct sip_tp *tp = c->tp;
	uint32_t id = c->id;
	struct msgb *m, *m2;

	LOGP(DSIPT, error ? LOGL_NOTICE : LOGL_INFO, "%s connection %u to %s closed%s\n",
	     sip_transport_via_name(c->proto), c->id, osmo_sockaddr_to_str(&c->remote), error ? " (error)" : "");
	ctr_inc(tp, error ? SIP_TP_CTR_CONN_FAILED : SIP_TP_CTR_CONN_CLOSED);
	osmo_timer_del(&c->idle);
	if (c->ofd.fd >= 0)
		osmo_fd_unregister(&c->ofd);
	if (c->ssl) {
		/* a close_notify if the session got that far; best effort, the socket is non-blocking */
		if (!c->handshaking && !error)
			SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	if (c->ofd.fd >= 0) {
		close(c->ofd.fd);
		c->ofd.fd = -1;
	}
	llist_for_each_entry_safe(m, m2, &c->txq, list) {
		llist_del(&m->list);
		msgb_free(m);
		ctr_inc(tp, SIP_TP_CTR_TX_ERRORS);
	}
	llist_del(&c->list);
	tp->num_conns--;
	talloc_free(c);
	if (tp->ops && tp->ops->conn_closed)
		tp->ops->conn_closed(tp->priv, id, error);
	return -EBADF;
}

static void conn_idle_cb(void *data)
{
	struct sip_conn *c = data;

	ctr_inc(c->tp, SIP_TP_CTR_CONN_IDLE_CLOSED);
	conn_close(c, false);
}

/* Write as much of the queue as the socket takes.  Returns -EBADF if the connection was closed. */
static int conn_flush(struct sip_conn *c)
{
	struct msgb *m;

	if (c->connecting || c->handshaking)
		return 0;
	while (!llist_empty(&c->txq)) {
		size_t left;
		ssize_t n;

		m = llist_first_entry(&c->txq, struct msgb, list);
		left = msgb_length(m) - c->txoff;
		if (c->ssl) {
			int rc;

			ERR_clear_error();
			rc = SSL_write(c->ssl, msgb_data(m) + c->txoff, left);
			if (rc <= 0) {
				int e = SSL_get_error(c->ssl, rc);

				/* renegotiation / key update: the write continues once the socket is readable */
				c->write_wants_read = e == SSL_ERROR_WANT_READ;
				if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
					break;
				sip_tls_log_errors("SSL_write");
				return conn_close(c, true);
			}
			n = rc;
		} else {
			n = write(c->ofd.fd, msgb_data(m) + c->txoff, left);
			if (n < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
					break;
				LOGP(DSIPT, LOGL_NOTICE, "TCP write to %s: %s\n", osmo_sockaddr_to_str(&c->remote),
				     strerror(errno));
				return conn_close(c, true);
			}
		}
		c->txoff += n;
		if (c->txoff == msgb_length(m)) {
			llist_del(&m->list);
			c->txq_len--;
			c->txoff = 0;
			msgb_free(m);
		}
	}
	if (llist_empty(&c->txq) && c->close_after_tx)
		return conn_close(c, false);
	conn_update_when(c);
	return 0;
}

/* Queue on a connection; the message counts as sent once queued. */
static int conn_enqueue(struct sip_conn *c, struct msgb *msg)
{
	if (c->txq_len >= SIP_CONN_TXQ_MAX || c->close_after_tx) {
		ctr_inc(c->tp, SIP_TP_CTR_TX_ERRORS);
		msgb_free(msg);
		return -ENOBUFS;
	}
	llist_add_tail(&msg->list, &c->txq);
	c->txq_len++;
	ctr_inc(c->tp, SIP_TP_CTR_TX_MSGS);
	conn_touch(c);
	return conn_flush(c) == -EBADF ? -ECONNRESET : 0;
}

static int conn_fd_cb(struct osmo_fd *ofd, unsigned int what);

static struct sip_conn *conn_alloc(struct sip_tp *tp, int fd, enum sip_transport proto,
				   const struct osmo_sockaddr *remote)
{
	struct sip_conn *c = talloc_zero(tp, struct sip_conn);

	if (!c)
		return NULL;
	c->tp = tp;
	c->id = ++tp->next_conn_id ? : ++tp->next_conn_id;
	c->proto = proto;
	c->remote = *remote;
	INIT_LLIST_HEAD(&c->txq);
	osmo_timer_setup(&c->idle, conn_idle_cb, c);
	osmo_fd_setup(&c->ofd, fd, OSMO_FD_READ, conn_fd_cb, c, 0);
	if (osmo_fd_register(&c->ofd) < 0) {
		talloc_free(c);
		return NULL;
	}
	llist_add_tail(&c->list, &tp->conns);
	tp->num_conns++;
	conn_touch(c);
	return c;
}

static int tls_start(struct sip_conn *c, bool server, const char *peer_name)
{
	SSL_CTX *ctx = server ? c->tp->tls_server : c->tp->tls_client;

	if (!ctx && !server)
		ctx = c->tp->tls_client = sip_tls_client_ctx(c->tp->cfg);
	if (!ctx)
		return -ENOTSUP;
	c->ssl = sip_tls_session(ctx, c->ofd.fd, server, peer_name);
	if (!c->ssl)
		return -EIO;
	c->handshaking = true;
	return 0;
}

static struct sip_conn *conn_find_to(struct sip_tp *tp, enum sip_transport proto, const struct osmo_sockaddr *to)
{
	struct sip_conn *c;

	llist_for_each_entry(c, &tp->conns, list)
		if (c->proto == proto && !c->close_after_tx && sa_equal(&c->remote, to))
			return c;
	return NULL;
}

static struct sip_conn *conn_connect(struct sip_tp *tp, const struct sip_addr *dst)
{
	char ip[INET6_ADDRSTRLEN];
	struct sip_conn *c;
	int fd;

	if (tp->cfg->max_connections && tp->num_conns >= tp->cfg->max_connections) {
		LOGP(DSIPT, LOGL_ERROR, "connection limit %u reached, cannot connect to %s\n", tp->cfg->max_connections,
		     osmo_sockaddr_to_str(&dst->remote));
		ctr_inc(tp, SIP_TP_CTR_CONN_REFUSED);
		return NULL;
	}
	sa_ip(&dst->remote, ip, sizeof(ip));
	fd = osmo_sock_init2(dst->remote.u.sa.sa_family, SOCK_STREAM, IPPROTO_TCP, NULL, 0, ip,
			     sa_port(&dst->remote), OSMO_SOCK_F_CONNECT | OSMO_SOCK_F_NONBLOCK);
	if (fd < 0) {
		LOGP(DSIPT, LOGL_NOTICE, "cannot connect to %s\n", osmo_sockaddr_to_str(&dst->remote));
		ctr_inc(tp, SIP_TP_CTR_CONN_FAILED);
		return NULL;
	}
	c = conn_alloc(tp, fd, dst->proto, &dst->remote);
	if (!c) {
		close(fd);
		return NULL;
	}
	c->connecting = true;
	if (dst->proto == SIP_TRANSPORT_TLS && tls_start(c, false, dst->tls_name ? dst->tls_name : ip) < 0) {
		ctr_inc(tp, SIP_TP_CTR_TLS_HANDSHAKE_FAILED);
		conn_close(c, true);
		return NULL;
	}
	conn_update_when(c);
	LOGP(DSIPT, LOGL_INFO, "%s connection %u to %s: connecting\n", sip_transport_via_name(dst->proto), c->id,
	     osmo_sockaddr_to_str(&dst->remote));
	return c;
}

int sip_tp_send(struct sip_tp *tp, struct sip_addr *dst, struct msgb *msg)
{
	struct sip_conn *c;

	if (tp->tx_hook) {
		if (sip_transport_reliable(dst->proto) && !dst->conn_id)
			dst->conn_id = 0xffff0000u;	/* a connection the hook stands for */
		ctr_inc(tp, SIP_TP_CTR_TX_MSGS);
		tp->tx_hook(tp->tx_hook_priv, dst, msg);
		return 0;
	}
	if (dst->proto == SIP_TRANSPORT_UDP)
		return udp_send(tp, dst, msg);

	c = conn_by_id(tp, dst->conn_id);
	if (!c || c->close_after_tx)
		c = conn_find_to(tp, dst->proto, &dst->remote);
	if (!c)
		c = conn_connect(tp, dst);
	if (!c) {
		ctr_inc(tp, SIP_TP_CTR_TX_ERRORS);
		msgb_free(msg);
		return -ECONNREFUSED;
	}
	dst->conn_id = c->id;
	return conn_enqueue(c, msg);
}

void sip_tp_send_copy_soon(struct sip_tp *tp, struct sip_addr *dst, const struct msgb *msg)
{
	if (!tp->tx_hook && dst->proto == SIP_TRANSPORT_UDP) {
		struct sip_listener *l = udp_listener(tp, dst);

		if (!l || udp_batch(l, dst, msgb_data(msg), msgb_length(msg)))
			return;
	}
	sip_tp_send_copy(tp, dst, msg);
}

int sip_tp_send_copy(struct sip_tp *tp, struct sip_addr *dst, const struct msgb *msg)
{
	struct msgb *copy;

	/* the common case, a datagram with nothing queued before it, needs no copy */
	if (!tp->tx_hook && dst->proto == SIP_TRANSPORT_UDP) {
		struct sip_listener *l = udp_listener(tp, dst);
		union sip_udp_dst u = {};
		int rc;

		if (!l)
			return -ENETUNREACH;
		rc = udp_send_now(tp, l, dst, msgb_data(msg), msgb_length(msg), &u);
		if (rc <= 0)
			return rc;
	}
	copy = sip_msgb_dup(msg, "sip-tx");
	if (!copy)
		return -ENOMEM;
	return sip_tp_send(tp, dst, copy);
}

static void send_raw(struct sip_tp *tp, struct sip_conn *c, const char *data, size_t len)
{
	struct msgb *m = msgb_alloc(len + 1, "sip-raw");

	if (!m)
		return;
	memcpy(msgb_put(m, len), data, len);
	conn_enqueue(c, m);
}

void sip_tp_response_dst(const struct sip_addr *src, const struct sip_via *via, struct sip_addr *dst)
{
	*dst = *src;
	dst->tls_name = NULL;
	if (dst->proto == SIP_TRANSPORT_UDP) {
		/* RFC 3581 §4: rport → source port; else the sent-by port (RFC 3261 §18.2.2) */
		if (via->has_rport_value)
			sa_set_port(&dst->remote, via->rport);
		else if (!via->has_rport)
			sa_set_port(&dst->remote, via->has_port ? via->port : 5060);
		return;
	}
	/* TCP/TLS: the connection the request came on (conn_id).  Should it be gone, sip_tp_send() looks for another
	 * one to, or connects to, the received address and the sent-by port (the source port of an accepted
	 * connection is ephemeral) */
	sa_set_port(&dst->remote, via->has_port ? via->port : dst->proto == SIP_TRANSPORT_TLS ? 5061 : 5060);
}

int sip_tp_sent_by(const struct sip_tp *tp, const struct sip_addr *dst, char *host, size_t host_len, uint16_t *port)
{
	struct sip_listener *l = find_listener(tp, dst->proto, dst->remote.u.sa.sa_family);

	if (!l)
		l = find_listener(tp, SIP_TRANSPORT_UDP, dst->remote.u.sa.sa_family);
	if (!l)
		return -ENOENT;
	sa_ip(&l->addr, host, host_len);
	*port = sa_port(&l->addr);
	return 0;
}

/* ---- receiving ---------------------------------------------------------------------------------------------- */

/* RFC 3261 §18.2.1, RFC 3581 §4: add received= to the top Via, fill in an empty rport.  Rewrites the message
 * into tp->fix_buf and parses it again; returns 0 (msg may now point into fix_buf) or negative errno. */
static int via_fixup(struct sip_tp *tp, const struct sip_addr *src)
{
	struct sip_msg *msg = tp->msg;
	const struct sip_via *via = &msg->via;
	char ip[INET6_ADDRSTRLEN], port[8];
	struct sip_str rest, elem, params, rport_name = {};
	struct sip_param p;
	const char *buf = msg->buf, *elem_end, *ins_rport = NULL;
	size_t len = msg->len, need, o = 0;
	struct sip_parse_err err;
	bool add_received;
	int h = msg->first[SIP_HDR_VIA];
	char *out;

	if (h < 0)
		return 0;
	sa_ip(&src->remote, ip, sizeof(ip));
	add_received = !via->has_received && (via->has_rport || !sip_str_eq(via->host, ip));
	params = via->params;
	while (via->has_rport && !via->has_rport_value && sip_param_next(&params, &p) == 1) {
		if (sip_str_caseeq(p.name, "rport") && !p.has_value) {
			rport_name = p.name;
			break;
		}
	}
	if (rport_name.p)
		ins_rport = rport_name.p + rport_name.len;
	if (!add_received && !ins_rport)
		return 0;

	rest = msg->hdrs[h].value;
	if (sip_list_next(&rest, &elem) != 1)
		return 0;
	elem_end = elem.p + elem.len;
	snprintf(port, sizeof(port), "%u", sa_port(&src->remote));
	need = len + strlen(";received=") + sizeof(ip) + 1 + sizeof(port);
	if (tp->fix_size < need) {
		char *nb = talloc_realloc_size(tp, tp->fix_buf, need);

		if (!nb)
			return -ENOMEM;
		tp->fix_buf = nb;
		tp->fix_size = need;
	}
	out = tp->fix_buf;
	if (ins_rport) {
		memcpy(out, buf, ins_rport - buf);
		o = ins_rport - buf;
		o += sprintf(out + o, "=%s", port);
		memcpy(out + o, ins_rport, elem_end - ins_rport);
		o += elem_end - ins_rport;
	} else {
		memcpy(out, buf, elem_end - buf);
		o = elem_end - buf;
	}
	if (add_received)
		o += sprintf(out + o, ";received=%s", ip);
	memcpy(out + o, elem_end, buf + len - elem_end);
	o += buf + len - elem_end;

	return sip_msg_parse(msg, out, o, &(struct sip_parse_opts){ .datagram = true }, &err);
}

/* Answer a request the parser refused, if it can be routed (RFC 3261 §8.2, §18.2.2).  Returns true if answered. */
static bool answer_malformed(struct sip_tp *tp, const struct sip_addr *src, const struct sip_parse_err *err,
			     struct sip_conn *c)
{
	struct sip_addr dst;
	struct msgb *m;
	char tag[SIP_TAG_BUF];

	if (!tp->msg->is_request || !err->routable || !err->status || tp->msg->method_id == SIP_METHOD_ACK)
		return false;
	m = sip_msgb_alloc(4096, "sip-err");
	if (!m)
		return false;
	if (sip_gen_tag(tag, sizeof(tag)) < 0 || sip_build_error_response(m, tp->msg, err, tag) < 0) {
		msgb_free(m);
		return false;
	}
	LOGP(DSIPT, LOGL_NOTICE, "%s from %s: %u %s\n", sip_transport_via_name(src->proto),
	     osmo_sockaddr_to_str(&src->remote), err->status, err->reason);
	ctr_inc(tp, SIP_TP_CTR_RX_MALFORMED_ANSWERED);
	if (c) {
		conn_enqueue(c, m);
		return true;
	}
	sip_tp_response_dst(src, &tp->msg->via, &dst);
	sip_tp_send(tp, &dst, m);
	return true;
}

/* A well-formed message: fix the Via of requests, pass it up. */
static void deliver(struct sip_tp *tp, const struct sip_addr *src)
{
	struct sip_rx rx = { .msg = tp->msg, .src = *src };

	ctr_inc(tp, SIP_TP_CTR_RX_MSGS);
	if (tp->msg->is_request) {
		ctr_inc(tp, SIP_TP_CTR_RX_REQUESTS);
		if (via_fixup(tp, src) < 0) {
			ctr_inc(tp, SIP_TP_CTR_RX_MALFORMED_DROPPED);
			return;
		}
	} else {
		ctr_inc(tp, SIP_TP_CTR_RX_RESPONSES);
		if (tp->msg->num_via > 1) {
			/* RFC 3261 §18.1.2: not for us, we are no proxy */
			ctr_inc(tp, SIP_TP_CTR_RX_RESP_MULTI_VIA);
			LOGP(DSIPT, LOGL_NOTICE, "response with %u Vias from %s dropped\n", tp->msg->num_via,
			     osmo_sockaddr_to_str(&src->remote));
			return;
		}
	}
	LOGP(DSIPT, LOGL_DEBUG, "%s from %s: %s\n", sip_transport_via_name(src->proto),
	     osmo_sockaddr_to_str(&src->remote), osmo_quote_str(tp->msg->buf, OSMO_MIN(tp->msg->len, 64)));
	if (tp->ops && tp->ops->recv)
		tp->ops->recv(tp->priv, &rx);
}

void sip_tp_inject(struct sip_tp *tp, const struct sip_addr *src, const char *buf, size_t len)
{
	struct sip_parse_opts opts = { .datagram = true, .max_size = max_msg_size(tp) };
	struct sip_parse_err err = {};
	size_t i;
	int rc;

	/* RFC 5626 §4.4.1: CRLF keep-alives on UDP are not SIP messages */
	for (i = 0; i < len && i < 4 && (buf[i] == '\r' || buf[i] == '\n'); i++)
		;
	if (len <= 4 && i == len) {
		ctr_inc(tp, SIP_TP_CTR_RX_KEEPALIVE);
		return;
	}
	rc = sip_msg_parse(tp->msg, buf, len, &opts, &err);
	if (rc == 0) {
		deliver(tp, src);
		return;
	}
	if (rc == -EMSGSIZE)
		ctr_inc(tp, SIP_TP_CTR_RX_TOO_BIG);
	if (!answer_malformed(tp, src, &err, NULL)) {
		LOGP(DSIPT, LOGL_NOTICE, "UDP from %s: dropped (%s)\n", osmo_sockaddr_to_str(&src->remote),
		     err.reason ? err.reason : strerror(-rc));
		ctr_inc(tp, SIP_TP_CTR_RX_MALFORMED_DROPPED);
	}
}

/* Every datagram that is there, SIP_UDP_RX_BATCH per recvmmsg(): under load one wake-up and one syscall
 * serve several messages.  Each slot holds the largest datagram, so nothing is ever truncated; a message
 * is parsed and handled (slices into its slot) before the next slot is looked at. */
static int udp_read_cb(struct osmo_fd *ofd)
{
	struct sip_listener *l = ofd->data;
	struct sip_tp *tp = l->tp;
	struct mmsghdr msgs[SIP_UDP_RX_BATCH];
	struct iovec iov[SIP_UDP_RX_BATCH];
	struct osmo_sockaddr from[SIP_UDP_RX_BATCH];
	int fd = ofd->fd, n, i, rounds = 0;

	do {
		for (i = 0; i < SIP_UDP_RX_BATCH; i++) {
			iov[i] = (struct iovec){ tp->udp_buf + i * SIP_UDP_SLOT, SIP_UDP_SLOT - 1 };
			msgs[i].msg_hdr = (struct msghdr){ .msg_name = &from[i].u.sas,
							   .msg_namelen = sizeof(from[i].u.sas),
							   .msg_iov = &iov[i], .msg_iovlen = 1 };
		}
		n = recvmmsg(fd, msgs, SIP_UDP_RX_BATCH, MSG_DONTWAIT, NULL);
		for (i = 0; i < n; i++) {
			struct sip_addr src = { .proto = SIP_TRANSPORT_UDP, .remote = from[i] };
			sip_tp_inject(tp, &src, iov[i].iov_base, msgs[i].msg_len);
		}
		/* a full batch: more may be waiting (the listener stays: only reconfiguration closes it) */
	} while (n == SIP_UDP_RX_BATCH && ++rounds < SIP_UDP_RX_ROUNDS);
	return 0;
}

/* Process what the read buffer holds: keep-alives and complete messages.  Returns -EBADF if closed. */
static int conn_process(struct sip_conn *c)
{
	struct sip_tp *tp = c->tp;
	struct sip_addr src = { .proto = c->proto, .remote = c->remote, .conn_id = c->id };
	struct sip_parse_opts opts = { .datagram = false, .max_size = max_msg_size(tp) };
	uint32_t id = c->id;

	while (c->rlen && !c->close_after_tx) {
		struct sip_parse_err err = {};
		size_t crlf = 0, used;
		int rc;

		while (crlf < c->rlen && (c->rbuf[crlf] == '\r' || c->rbuf[crlf] == '\n'))
			crlf++;
		if (crlf) {
			/* RFC 5626 §3.5.1: a ping is CRLF CRLF and gets a CRLF pong; a lone CRLF (a pong, or the
			 * CRLF RFC 3261 §7.5 lets a sender put before a message) is dropped */
			if (crlf >= 4 && !memcmp(c->rbuf, "\r\n\r\n", 4)) {
				used = 4;
				ctr_inc(tp, SIP_TP_CTR_RX_KEEPALIVE);
				ctr_inc(tp, SIP_TP_CTR_TX_KEEPALIVE);
				send_raw(tp, c, "\r\n", 2);
				if (!conn_by_id(tp, id))
					return -EBADF;
			} else if (crlf == c->rlen && crlf < 4 && !memcmp(c->rbuf, "\r\n\r\n", crlf)) {
				break;	/* maybe the start of a ping */
			} else {
				used = crlf >= 2 && !memcmp(c->rbuf, "\r\n", 2) ? 2 : crlf;
			}
			memmove(c->rbuf, c->rbuf + used, c->rlen - used);
			c->rlen -= used;
			continue;
		}

		rc = sip_msg_parse(tp->msg, c->rbuf, c->rlen, &opts, &err);
		if (rc == -EAGAIN) {
			if (c->rlen >= max_msg_size(tp)) {
				LOGP(DSIPT, LOGL_NOTICE, "connection %u: message above %zu bytes, closing\n", c->id,
				     max_msg_size(tp));
				ctr_inc(tp, SIP_TP_CTR_RX_TOO_BIG);
				return conn_close(c, true);
			}
			break;
		}
		if (rc < 0) {
			/* framing is lost: answer if possible, then close once the answer is out */
			if (rc == -EMSGSIZE)
				ctr_inc(tp, SIP_TP_CTR_RX_TOO_BIG);
			if (!answer_malformed(tp, &src, &err, c)) {
				ctr_inc(tp, SIP_TP_CTR_RX_MALFORMED_DROPPED);
				LOGP(DSIPT, LOGL_NOTICE, "connection %u: dropped (%s), closing\n", id,
				     err.reason ? err.reason : strerror(-rc));
				if (conn_by_id(tp, id))
					return conn_close(c, true);
				return -EBADF;
			}
			if (!conn_by_id(tp, id))
				return -EBADF;
			c->close_after_tx = true;
			return conn_flush(c);
		}
		used = tp->msg->len;
		deliver(tp, &src);
		if (!conn_by_id(tp, id))
			return -EBADF;
		memmove(c->rbuf, c->rbuf + used, c->rlen - used);
		c->rlen -= used;
	}
	return 0;
}

/* Make room for at least one more byte in the read buffer; false if the limit is reached. */
static bool rbuf_grow(struct sip_conn *c, size_t want)
{
	size_t limit = max_msg_size(c->tp) + 8, n;
	char *nb;

	if (c->rsize - c->rlen >= want)
		return true;
	n = c->rsize ? c->rsize : SIP_RBUF_INITIAL;
	while (n - c->rlen < want && n < limit)
		n *= 2;
	if (n > limit)
		n = limit;
	if (n <= c->rlen)
		return false;
	nb = talloc_realloc_size(c, c->rbuf, n);
	if (!nb)
		return false;
	c->rbuf = nb;
	c->rsize = n;
	return true;
}

int sip_tp_conn_feed(struct sip_tp *tp, uint32_t conn_id, const void *data, size_t len)
{
	struct sip_conn *c = conn_by_id(tp, conn_id);
	const char *p = data;

	while (len) {
		size_t n;

		if (!c)
			return -ENOENT;
		if (!rbuf_grow(c, OSMO_MIN(len, (size_t)SIP_RBUF_INITIAL))) {
			ctr_inc(tp, SIP_TP_CTR_RX_TOO_BIG);
			conn_close(c, true);
			return -ENOENT;
		}
		n = OSMO_MIN(len, c->rsize - c->rlen);
		memcpy(c->rbuf + c->rlen, p, n);
		c->rlen += n;
		p += n;
		len -= n;
		conn_touch(c);
		if (conn_process(c) == -EBADF)
			return -ENOENT;
		c = conn_by_id(tp, conn_id);
	}
	return c ? 0 : -ENOENT;
}

/* Read what the socket has (bounded), process it.  Returns -EBADF if closed. */
static int conn_read(struct sip_conn *c)
{
	int rounds;

	for (rounds = 0; rounds < 16; rounds++) {
		ssize_t n;

		if (!rbuf_grow(c, 1)) {
			ctr_inc(c->tp, SIP_TP_CTR_RX_TOO_BIG);
			return conn_close(c, true);
		}
		if (c->ssl) {
			int rc;

			ERR_clear_error();
			rc = SSL_read(c->ssl, c->rbuf + c->rlen, c->rsize - c->rlen);
			if (rc <= 0) {
				int e = SSL_get_error(c->ssl, rc);

				if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
					return 0;
				if (e == SSL_ERROR_ZERO_RETURN)
					return conn_close(c, false);
				sip_tls_log_errors("SSL_read");
				return conn_close(c, true);
			}
			n = rc;
		} else {
			n = read(c->ofd.fd, c->rbuf + c->rlen, c->rsize - c->rlen);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				return 0;
			if (n < 0)
				return conn_close(c, true);
			if (n == 0)
				return conn_close(c, false);
		}
		c->rlen += n;
		conn_touch(c);
		if (conn_process(c) == -EBADF)
			return -EBADF;
	}
	return 0;
}

static int conn_handshake(struct sip_conn *c)
{
	int rc, e;

	ERR_clear_error();
	rc = SSL_do_handshake(c->ssl);
	if (rc == 1) {
		c->handshaking = false;
		ctr_inc(c->tp, SIP_TP_CTR_TLS_HANDSHAKE_OK);
		LOGP(DSIPT, LOGL_INFO, "TLS connection %u with %s: %s established\n", c->id,
		     osmo_sockaddr_to_str(&c->remote), SSL_get_version(c->ssl));
		return 0;
	}
	e = SSL_get_error(c->ssl, rc);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		osmo_fd_update_when(&c->ofd, OSMO_FD_MASK & ~(OSMO_FD_READ | OSMO_FD_WRITE),
				    e == SSL_ERROR_WANT_WRITE ? OSMO_FD_READ | OSMO_FD_WRITE : OSMO_FD_READ);
		return 1;
	}
	ctr_inc(c->tp, SIP_TP_CTR_TLS_HANDSHAKE_FAILED);
	LOGP(DSIPT, LOGL_NOTICE, "TLS handshake with %s failed: %s\n", osmo_sockaddr_to_str(&c->remote),
	     X509_verify_cert_error_string(SSL_get_verify_result(c->ssl)));
	sip_tls_log_errors("TLS handshake");
	return conn_close(c, true);
}

static int conn_fd_cb(struct osmo_fd *ofd, unsigned int what)
{
	struct sip_conn *c = ofd->data;
	int rc;

	if (c->connecting) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (!(what & OSMO_FD_WRITE))
			return 0;
		if (getsockopt(ofd->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
			LOGP(DSIPT, LOGL_NOTICE, "connect to %s: %s\n", osmo_sockaddr_to_str(&c->remote),
			     strerror(err ? err : errno));
			return conn_close(c, true);
		}
		c->connecting = false;
		ctr_inc(c->tp, SIP_TP_CTR_CONN_CONNECTED);
		conn_update_when(c);
	}
	if (c->handshaking) {
		rc = conn_handshake(c);
		if (rc)
			return rc == -EBADF ? -EBADF : 0;
	}
	if (what & OSMO_FD_READ)
		c->write_wants_read = false;
	if (what & OSMO_FD_READ || c->ssl) {
		/* OpenSSL may hold decrypted data already read from the socket: try SSL_read on any event */
		if (conn_read(c) == -EBADF)
			return -EBADF;
	}
	return conn_flush(c);
}

static int accept_cb(struct osmo_fd *ofd, unsigned int what)
{
	struct sip_listener *l = ofd->data;
	struct sip_tp *tp = l->tp;
	struct osmo_sockaddr remote;
	socklen_t alen = sizeof(remote.u.sas);
	struct sip_conn *c;
	int fd;

	fd = accept4(ofd->fd, &remote.u.sa, &alen, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return 0;
	if (tp->cfg->max_connections && tp->num_conns >= tp->cfg->max_connections) {
		LOGP(DSIPT, LOGL_NOTICE, "connection from %s refused: limit of %u reached\n",
		     osmo_sockaddr_to_str(&remote), tp->cfg->max_connections);
		ctr_inc(tp, SIP_TP_CTR_CONN_REFUSED);
		close(fd);
		return 0;
	}
	c = conn_alloc(tp, fd, l->proto, &remote);
	if (!c) {
		close(fd);
		return 0;
	}
	ctr_inc(tp, SIP_TP_CTR_CONN_ACCEPTED);
	LOGP(DSIPT, LOGL_INFO, "%s connection %u from %s accepted\n", sip_transport_via_name(l->proto), c->id,
	     osmo_sockaddr_to_str(&remote));
	if (l->proto == SIP_TRANSPORT_TLS && tls_start(c, true, NULL) < 0) {
		ctr_inc(tp, SIP_TP_CTR_TLS_HANDSHAKE_FAILED);
		conn_close(c, true);
	}
	return 0;
}

int sip_tp_adopt_fd(struct sip_tp *tp, int fd, const struct osmo_sockaddr *remote)
{
	struct sip_conn *c;

	if (tp->cfg->max_connections && tp->num_conns >= tp->cfg->max_connections) {
		ctr_inc(tp, SIP_TP_CTR_CONN_REFUSED);
		return -EMFILE;
	}
	c = conn_alloc(tp, fd, SIP_TRANSPORT_TCP, remote);
	if (!c)
		return -ENOMEM;
	ctr_inc(tp, SIP_TP_CTR_CONN_ACCEPTED);
	return c->id;
}

void sip_tp_conn_close(struct sip_tp *tp, uint32_t conn_id)
{
	struct sip_conn *c = conn_by_id(tp, conn_id);

	if (c)
		conn_close(c, false);
}

/* ---- set-up ------------------------------------------------------------------------------------------------- */

struct sip_tp *sip_tp_alloc(void *ctx, const struct sip_cfg *cfg, const struct sip_tp_ops *ops, void *priv)
{
	static unsigned int idx;
	struct sip_tp *tp = talloc_zero(ctx, struct sip_tp);

	if (!tp)
		return NULL;
	tp->cfg = cfg;
	tp->ops = ops;
	tp->priv = priv;
	INIT_LLIST_HEAD(&tp->conns);
	tp->ctrs = rate_ctr_group_alloc(tp, &sip_tp_ctrg_desc, idx++);
	tp->msg = sip_msg_alloc(tp, SIP_TP_MAX_HDRS);
	tp->udp_buf = talloc_size(tp, SIP_UDP_RX_BATCH * SIP_UDP_SLOT);
	if (!tp->ctrs || !tp->msg || !tp->udp_buf) {
		sip_tp_free(tp);
		return NULL;
	}
	return tp;
}

static void listener_close(struct sip_listener *l)
{
	if (l->wq.bfd.fd >= 0) {
		udp_flush(l);
		osmo_fd_unregister(&l->wq.bfd);
		close(l->wq.bfd.fd);
		l->wq.bfd.fd = -1;
	}
	osmo_wqueue_clear(&l->wq);
	talloc_free(l);
}

void sip_tp_free(struct sip_tp *tp)
{
	unsigned int i;

	if (!tp)
		return;
	tp->ops = NULL;		/* no callbacks into a half-freed owner */
	while (!llist_empty(&tp->conns))
		conn_close(llist_first_entry(&tp->conns, struct sip_conn, list), false);
	for (i = 0; i < tp->num_lst; i++)
		listener_close(tp->lst[i]);
	if (tp->tls_server)
		SSL_CTX_free(tp->tls_server);
	if (tp->tls_client)
		SSL_CTX_free(tp->tls_client);
	if (tp->ctrs)
		rate_ctr_group_free(tp->ctrs);
	talloc_free(tp);
}

/* A burst of datagrams while the loop is busy elsewhere (a few ms at thousands of calls per second) must not
 * overflow the kernel's default buffer (~200 kB, ~100 datagrams): a dropped ACK or BYE costs a call 32 s of
 * retransmissions and its circuit.  The kernel caps the size at net.core.rmem_max/wmem_max. */
static void udp_buffers(int fd, unsigned int bytes)
{
	static const struct { int opt; const char *name; } opts[] = {
		{ SO_RCVBUF, "receive" },
		{ SO_SNDBUF, "send" },
	};
	unsigned int i;

	if (!bytes)
		return;
	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		int want = bytes, got = 0;
		socklen_t len = sizeof(got);

		/* the kernel doubles what it grants (bookkeeping overhead) and reports the doubled value */
		if (setsockopt(fd, SOL_SOCKET, opts[i].opt, &want, sizeof(want)) < 0 ||
		    getsockopt(fd, SOL_SOCKET, opts[i].opt, &got, &len) < 0 || (unsigned int)got / 2 < bytes)
			LOGP(DSIPT, LOGL_NOTICE, "UDP %s buffer: %u octets asked, %d granted (net.core.%cmem_max)\n",
			     opts[i].name, bytes, got / 2, opts[i].opt == SO_RCVBUF ? 'r' : 'w');
	}
}

int sip_tp_listen(struct sip_tp *tp, enum sip_transport proto, const char *ip, uint16_t port)
{
	struct sip_listener *l;
	socklen_t alen;
	int fd, rc;

	if (tp->num_lst >= ARRAY_SIZE(tp->lst))
		return -ENOSPC;
	if (proto == SIP_TRANSPORT_TLS && !tp->tls_server) {
		tp->tls_server = sip_tls_server_ctx(tp->cfg);
		if (!tp->tls_server)
			return -EINVAL;
	}
	l = talloc_zero(tp, struct sip_listener);
	if (!l)
		return -ENOMEM;
	l->tp = tp;
	l->proto = proto;
	osmo_wqueue_init(&l->wq, SIP_UDP_WQUEUE_MAX);
	l->wq.bfd.fd = -1;
	fd = osmo_sock_init2(AF_UNSPEC, proto == SIP_TRANSPORT_UDP ? SOCK_DGRAM : SOCK_STREAM,
			     proto == SIP_TRANSPORT_UDP ? IPPROTO_UDP : IPPROTO_TCP, ip, port, NULL, 0,
			     OSMO_SOCK_F_BIND | OSMO_SOCK_F_NONBLOCK);
	if (fd < 0) {
		LOGP(DSIPT, LOGL_ERROR, "cannot listen on %s %s:%u\n", sip_transport_via_name(proto), ip, port);
		talloc_free(l);
		return -EADDRNOTAVAIL;
	}
	alen = sizeof(l->addr.u.sas);
	getsockname(fd, &l->addr.u.sa, &alen);
	if (proto == SIP_TRANSPORT_UDP) {
		udp_buffers(fd, tp->cfg->udp_buffer);
		l->wq.read_cb = udp_read_cb;
		l->wq.write_cb = udp_write_cb;
		osmo_fd_setup(&l->wq.bfd, fd, OSMO_FD_READ, udp_fd_cb, l, 0);
	} else {
		if (listen(fd, SOMAXCONN) < 0) {
			close(fd);
			talloc_free(l);
			return -errno;
		}
		osmo_fd_setup(&l->wq.bfd, fd, OSMO_FD_READ, accept_cb, l, 0);
	}
	rc = osmo_fd_register(&l->wq.bfd);
	if (rc < 0) {
		close(fd);
		talloc_free(l);
		return rc;
	}
	LOGP(DSIPT, LOGL_INFO, "listening on %s %s\n", sip_transport_via_name(proto), osmo_sockaddr_to_str(&l->addr));
	tp->lst[tp->num_lst] = l;
	return tp->num_lst++;
}

int sip_tp_listen_cfg(struct sip_tp *tp)
{
	unsigned int i;

	for (i = 0; i < tp->cfg->num_listen; i++) {
		const struct sip_listen_cfg *lc = &tp->cfg->listen[i];
		int rc = sip_tp_listen(tp, lc->transport, lc->addr.ip, lc->addr.port);

		if (rc < 0) {
			while (tp->num_lst)
				listener_close(tp->lst[--tp->num_lst]);
			return rc;
		}
	}
	return 0;
}

uint16_t sip_tp_listen_port(const struct sip_tp *tp, int idx)
{
	if (idx < 0 || (unsigned int)idx >= tp->num_lst)
		return 0;
	return sa_port(&tp->lst[idx]->addr);
}

struct rate_ctr_group *sip_tp_ctrs(struct sip_tp *tp)
{
	return tp->ctrs;
}

uint64_t sip_tp_ctr(const struct sip_tp *tp, enum sip_tp_ctr ctr)
{
	return rate_ctr_group_get_ctr(tp->ctrs, ctr)->current;
}

unsigned int sip_tp_num_conns(const struct sip_tp *tp)
{
	return tp->num_conns;
}

bool sip_tp_conn_exists(const struct sip_tp *tp, uint32_t conn_id)
{
	return conn_by_id(tp, conn_id) != NULL;
}

void sip_tp_set_tx_hook(struct sip_tp *tp, sip_tp_tx_hook_t hook, void *priv)
{
	tp->tx_hook = hook;
	tp->tx_hook_priv = priv;
}
