/*! \file sip_transport.h
 * SIP transports (RFC 3261 §18; RFC 3581 rport; RFC 5626 §3.5.1 CRLF keep-alive): UDP, TCP and TLS listeners
 * and connections on non-blocking osmo_fds.
 *
 *   socket ──► UDP: one datagram = one message          ┐
 *          ──► TCP/TLS: per-connection read buffer,     ├─► sip_msg_parse() ─► malformed: 400/505/513 or drop
 *              CRLF ping/pong, Content-Length framing   ┘        │ well formed: top Via gets received/rport
 *                                                                ▼
 *                                                  ops->recv(struct sip_rx)  (transactions, sip_trans.h)
 *   sip_tp_send(dst, msgb) ◄── requests: reuse a connection to dst or connect; responses: the connection the
 *                              request came on, or received/rport for UDP (RFC 3261 §18.2.2)
 *
 * Everything received, sent or dropped is counted (rate counters "sip:…", sip_tp_ctrs()).
 * Tests drive the same receive path without sockets (sip_tp_inject(), sip_tp_adopt_fd()) and catch what would
 * be sent with sip_tp_set_tx_hook().
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/socket.h>
#include <osmocom/core/utils.h>

#include "sip/sip_cfg.h"
#include "sip/sip_msg.h"

struct sip_tp;
struct rate_ctr_group;

/*! Counters of the transport layer. */
enum sip_tp_ctr {
	SIP_TP_CTR_RX_MSGS,
	SIP_TP_CTR_RX_REQUESTS,
	SIP_TP_CTR_RX_RESPONSES,
	SIP_TP_CTR_RX_MALFORMED_ANSWERED,
	SIP_TP_CTR_RX_MALFORMED_DROPPED,
	SIP_TP_CTR_RX_TOO_BIG,
	SIP_TP_CTR_RX_KEEPALIVE,
	SIP_TP_CTR_TX_MSGS,
	SIP_TP_CTR_TX_ERRORS,
	SIP_TP_CTR_TX_KEEPALIVE,
	SIP_TP_CTR_CONN_ACCEPTED,
	SIP_TP_CTR_CONN_REFUSED,
	SIP_TP_CTR_CONN_CONNECTED,
	SIP_TP_CTR_CONN_FAILED,
	SIP_TP_CTR_CONN_CLOSED,
	SIP_TP_CTR_CONN_IDLE_CLOSED,
	SIP_TP_CTR_TLS_HANDSHAKE_OK,
	SIP_TP_CTR_TLS_HANDSHAKE_FAILED,
	SIP_TP_CTR_RX_RESP_MULTI_VIA,
	_NUM_SIP_TP_CTR
};

/*! Where a message came from, or where it goes. */
struct sip_addr {
	enum sip_transport proto;
	struct osmo_sockaddr remote;
	uint32_t conn_id;		/*!< TCP/TLS: connection it came on / to use; 0: one to remote, or connect */
	const char *tls_name;		/*!< TLS client: host name or IP the server certificate must match (NULL: the
					 *   remote address) */
};

/*! A received, well-formed message.  msg and its buffer are valid during the ops->recv() call only. */
struct sip_rx {
	struct sip_msg *msg;
	struct sip_addr src;		/*!< conn_id set for TCP/TLS */
};

struct sip_tp_ops {
	/*! A well-formed message arrived (requests already carry received/rport on their top Via). */
	void (*recv)(void *priv, const struct sip_rx *rx);
	/*! A connection failed or closed with messages unsent or before an answer: client transactions sent over it
	 * fail (RFC 3261 §17.1.4).  May be NULL. */
	void (*conn_closed)(void *priv, uint32_t conn_id, bool error);
};

/*! Test hook: called instead of writing to a socket; the hook owns msg. */
typedef void (*sip_tp_tx_hook_t)(void *priv, const struct sip_addr *dst, struct msgb *msg);

/*! \brief Allocate the transport layer.  cfg must outlive it (limits and TLS material are read from it).
 * No socket is opened yet: sip_tp_listen_cfg() / sip_tp_listen(). */
struct sip_tp *sip_tp_alloc(void *ctx, const struct sip_cfg *cfg, const struct sip_tp_ops *ops, void *priv);
/*! \brief Close every socket and free the transport layer. */
void sip_tp_free(struct sip_tp *tp);

/*! \brief Open every listener of cfg->listen.  \returns 0 or negative errno (nothing stays open then). */
int sip_tp_listen_cfg(struct sip_tp *tp);
/*! \brief Open one listener (port 0: any free port, see sip_tp_listen_port()).
 * TLS needs cfg->tls.certificate and private_key.  \returns the listener index or negative errno. */
int sip_tp_listen(struct sip_tp *tp, enum sip_transport proto, const char *ip, uint16_t port);
/*! \brief Bound port of listener idx, 0 if none. */
uint16_t sip_tp_listen_port(const struct sip_tp *tp, int idx);

/*! \brief Send a message (takes ownership of msg, also on error).  For TCP/TLS dst->conn_id is updated to the
 * connection used (a new one if none existed).  A failure that happens later (connect refused, TLS handshake
 * failed) is reported through ops->conn_closed().  \returns 0 or negative errno. */
int sip_tp_send(struct sip_tp *tp, struct sip_addr *dst, struct msgb *msg);
/*! \brief sip_tp_send() of a copy of msg, which stays the caller's: a datagram that can go out at once is sent
 * straight from msg, without a copy.  \returns 0 or negative errno. */
int sip_tp_send_copy(struct sip_tp *tp, struct sip_addr *dst, const struct msgb *msg);
/*! \brief sip_tp_send_copy() for a message whose send errors nobody waits for (responses and their
 * retransmissions): over UDP the datagram joins the others of this turn of the event loop, and they go out by
 * one sendmmsg() when the loop comes back to the socket, in the order they were sent (a datagram sent the
 * immediate way sends the batch first).  Errors are logged and counted (sip:tx_errors). */
void sip_tp_send_copy_soon(struct sip_tp *tp, struct sip_addr *dst, const struct msgb *msg);

/*! \brief Where a response to a request received from src goes (RFC 3261 §18.2.2, RFC 3581 §4): the same
 * connection for TCP/TLS (should it be gone: a new one to the source address and the sent-by port); for UDP the
 * source address and the rport (or sent-by port). */
void sip_tp_response_dst(const struct sip_addr *src, const struct sip_via *via, struct sip_addr *dst);

/*! \brief Our sent-by for a Via of a request to dst: a listener's address and port for that transport and
 * address family.  \returns 0, -ENOENT if there is no such listener. */
int sip_tp_sent_by(const struct sip_tp *tp, const struct sip_addr *dst, char *host, size_t host_len,
		   uint16_t *port);

/*! \brief Whether a transport is reliable (no retransmissions, RFC 3261 §17.1.1.2). */
static inline bool sip_transport_reliable(enum sip_transport proto)
{
	return proto != SIP_TRANSPORT_UDP;
}

/*! \brief Token for Via: "UDP", "TCP", "TLS". */
const char *sip_transport_via_name(enum sip_transport proto);

/*! \brief Counters ("sip:rx_msgs", …). */
struct rate_ctr_group *sip_tp_ctrs(struct sip_tp *tp);
/*! \brief Current value of one counter (for tests and the VTY). */
uint64_t sip_tp_ctr(const struct sip_tp *tp, enum sip_tp_ctr ctr);
/*! \brief Number of open TCP/TLS connections. */
unsigned int sip_tp_num_conns(const struct sip_tp *tp);
/*! \brief Whether connection id is open. */
bool sip_tp_conn_exists(const struct sip_tp *tp, uint32_t conn_id);

/* ---- test and fuzzing entry points -------------------------------------------------------------------------- */

/*! \brief Route every transmission to hook instead of the sockets (NULL restores normal sending). */
void sip_tp_set_tx_hook(struct sip_tp *tp, sip_tp_tx_hook_t hook, void *priv);
/*! \brief Run the datagram receive path on buf as if it came from src (UDP). */
void sip_tp_inject(struct sip_tp *tp, const struct sip_addr *src, const char *buf, size_t len);
/*! \brief Take a connected stream socket (e.g. one end of a socketpair) as an accepted TCP connection.
 * \returns the connection id (> 0) or negative errno. */
int sip_tp_adopt_fd(struct sip_tp *tp, int fd, const struct osmo_sockaddr *remote);
/*! \brief Feed stream bytes into the read path of connection conn_id as if read from its socket.
 * \returns 0, -ENOENT if the connection does not exist (anymore, e.g. closed by what was fed). */
int sip_tp_conn_feed(struct sip_tp *tp, uint32_t conn_id, const void *data, size_t len);
/*! \brief Close a connection (idle timeout, error); queued messages are dropped. */
void sip_tp_conn_close(struct sip_tp *tp, uint32_t conn_id);
