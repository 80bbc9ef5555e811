/*! \file m3ua.h
 * M3UA association (RFC 4666) over TCP or SCTP: the ASP side (mgcfd) and the SG side (pstnsim).
 *
 *   ASP role (one connection, FSM lives as long as the association):
 *
 *     DOWN --T_RECONNECT (back-off)--> CONNECTING --connected--> WAIT_UP_ACK (ASPUP sent, T_ACK)
 *       ^                                   |                          | ASPUP_ACK
 *       +----- connection lost / failed ----+                          v
 *       |                                                  INACTIVE: ASPAC sent --> WAIT_AC_ACK (T_ACK)
 *       |                                                                                | ASPAC_ACK
 *       +------------------------- connection lost, BEAT unanswered twice ---------- ACTIVE
 *
 *   SG role: a listening socket; every accepted connection gets its own FSM instance,
 *            ASP_DOWN --ASPUP--> INACTIVE --ASPAC--> ACTIVE (ASPIA/ASPDN go back), freed on close.
 *
 * Transport: non-blocking osmo_fd + osmo_wqueue; over TCP each message is framed by the length
 * in its common header.  Upper layers see only the ops callbacks below and the send functions.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <osmocom/core/fsm.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/tdef.h>

#include "isup/isup_cfg.h"
#include "isup/m3ua_codec.h"

struct m3ua_assoc;

/*! What the upper layer (ISUP call control, pstnsim) is told.  Every member may be NULL.
 *  The callbacks must not free the association (m3ua_assoc_stop() is allowed). */
struct m3ua_assoc_ops {
	/*! The association became able (active=true) or unable to carry traffic. */
	void (*state_changed)(struct m3ua_assoc *assoc, bool active, void *priv);
	/*! A DATA message arrived; data/len is the user part (the ISUP message), valid during the call. */
	void (*data_ind)(struct m3ua_assoc *assoc, const struct m3ua_data_hdr *hdr, const uint8_t *data,
			 size_t len, void *priv);
	/*! An SSNM changed the availability of a destination (ASP role).  For a wildcarded entry
	 *  (mask > 0) pc is the first code of the range; m3ua_assoc_dest_available() answers per code. */
	void (*dest_state)(struct m3ua_assoc *assoc, uint32_t pc, bool available, void *priv);
	/*! A NTFY arrived (type enum m3ua_status_type, info e.g. enum m3ua_as_state_info). */
	void (*notify)(struct m3ua_assoc *assoc, uint16_t status_type, uint16_t status_info, void *priv);
	/*! An ERR arrived from the peer. */
	void (*error)(struct m3ua_assoc *assoc, uint32_t err_code, void *priv);
};

enum m3ua_asp_fsm_state {
	M3UA_ASP_ST_DOWN,		/*!< no connection; ASP role: waiting to reconnect */
	M3UA_ASP_ST_CONNECTING,		/*!< ASP role: connect() in progress */
	M3UA_ASP_ST_ASP_DOWN,		/*!< SG role: connected, awaiting ASPUP */
	M3UA_ASP_ST_WAIT_UP_ACK,	/*!< ASP role: ASPUP sent */
	M3UA_ASP_ST_INACTIVE,		/*!< ASP-INACTIVE */
	M3UA_ASP_ST_WAIT_AC_ACK,	/*!< ASP role: ASPAC sent */
	M3UA_ASP_ST_ACTIVE,		/*!< ASP-ACTIVE: DATA may flow */
};

enum m3ua_asp_fsm_event {
	M3UA_ASP_EV_START,		/*!< m3ua_assoc_start(); data NULL */
	M3UA_ASP_EV_STOP,		/*!< m3ua_assoc_stop(); data NULL */
	M3UA_ASP_EV_CONNECTED,		/*!< transport: connect() completed; data NULL */
	M3UA_ASP_EV_CONN_LOST,		/*!< transport: connect failed or connection dropped; data const char *reason */
	M3UA_ASP_EV_RX_ASPUP,		/*!< rx path; data const struct m3ua_msg * (same for all RX events) */
	M3UA_ASP_EV_RX_ASPUP_ACK,
	M3UA_ASP_EV_RX_ASPDN,
	M3UA_ASP_EV_RX_ASPDN_ACK,
	M3UA_ASP_EV_RX_ASPAC,
	M3UA_ASP_EV_RX_ASPAC_ACK,
	M3UA_ASP_EV_RX_ASPIA,
	M3UA_ASP_EV_RX_ASPIA_ACK,
};

/*! Rate counters of one association (names "m3ua:..."). */
enum m3ua_ctr {
	M3UA_CTR_RX_MSGS,
	M3UA_CTR_TX_MSGS,
	M3UA_CTR_RX_DATA,
	M3UA_CTR_TX_DATA,
	M3UA_CTR_RX_ERRORS,
	M3UA_CTR_RX_BAD_FRAMES,
	M3UA_CTR_RX_UNSUPPORTED,
	M3UA_CTR_RX_UNEXPECTED,
	M3UA_CTR_RX_ERR_MSGS,
	M3UA_CTR_TX_ERR_MSGS,
	M3UA_CTR_RX_NTFY,
	M3UA_CTR_RX_SSNM,
	M3UA_CTR_TX_ERRORS,
	M3UA_CTR_CONNECT_FAILS,
	M3UA_CTR_RECONNECTS,
	M3UA_CTR_CONN_LOST,
	M3UA_CTR_ACCEPTS,
	M3UA_CTR_ACK_TIMEOUTS,
	M3UA_CTR_TX_BEAT,
	M3UA_CTR_RX_BEAT_ACK,
	M3UA_CTR_BEAT_TIMEOUTS,
	_M3UA_CTR_COUNT
};

extern struct osmo_fsm m3ua_asp_fsm;
extern const struct rate_ctr_group_desc m3ua_ctrg_desc;
extern const struct value_string m3ua_asp_fsm_state_names[];

/*! \brief Create an association (not started).  cfg is copied; tdefs default to m3ua_tdefs, which the
 *  program initialises once with osmo_tdefs_reset() before applying its configuration (a table left
 *  all-zero is reset by m3ua_assoc_start() with an error log).
 *  \returns NULL on allocation failure. */
struct m3ua_assoc *m3ua_assoc_alloc(void *ctx, const struct m3ua_assoc_cfg *cfg, const struct m3ua_assoc_ops *ops,
				    void *priv);
/*! \brief Stop and free an association.  Not from inside its own ops callbacks. */
void m3ua_assoc_free(struct m3ua_assoc *a);
/*! \brief Use another timer table (same T numbers as m3ua_tdefs), e.g. per association or in tests. */
void m3ua_assoc_set_tdefs(struct m3ua_assoc *a, struct osmo_tdef *tdefs);

/*! \brief ASP role: start connecting (and keep reconnecting); SG role: start listening.
 *  \returns 0, or a negative errno if the SG cannot listen (it keeps retrying with back-off). */
int m3ua_assoc_start(struct m3ua_assoc *a);
/*! \brief Close every connection (and the listener) and stop reconnecting. */
void m3ua_assoc_stop(struct m3ua_assoc *a);

/*! \brief Stop reading every connection of the association for ms milliseconds: what the peer sends meanwhile
 *  waits in the socket buffers, nothing is lost (tests: messages that cross on the wire).  \returns 0 or -EINVAL
 *  for 0 ms. */
int m3ua_assoc_hold_rx(struct m3ua_assoc *a, unsigned int ms);
/*! \brief Whether DATA can be sent: ASP role: ASP-ACTIVE; SG role: at least one ASP is ASP-ACTIVE. */
bool m3ua_assoc_is_active(const struct m3ua_assoc *a);
/*! \brief State of the ASP-role FSM, or of the most advanced connection for the SG role. */
enum m3ua_asp_fsm_state m3ua_assoc_state(const struct m3ua_assoc *a);

/*! \brief Send one user part message (ISUP) with its routing label.
 *  Takes ownership of payload on success and on error.
 *  \returns 0; -ENOTCONN if not active; -ENOBUFS if the write queue is full; -EMSGSIZE if too long. */
int m3ua_assoc_send_data(struct m3ua_assoc *a, const struct m3ua_data_hdr *hdr, struct msgb *payload);

/*! \brief Whether a destination is reachable through this association: false when the association is
 *  not active or an SSNM said so (DUNA, DUPU for ISUP); true otherwise. */
bool m3ua_assoc_dest_available(const struct m3ua_assoc *a, uint32_t pc);
/*! \brief Congestion level last reported by SCON for pc (0: none). */
uint8_t m3ua_assoc_dest_congestion(const struct m3ua_assoc *a, uint32_t pc);
/*! \brief ASP role: ask the SG about destinations (DAUD). \returns 0 or negative errno. */
int m3ua_assoc_send_daud(struct m3ua_assoc *a, const uint32_t *pcs, size_t num);
/*! \brief SG role: set a destination's availability and announce it (DUNA/DAVA) to every ASP that is up;
 *  also answers later DAUDs and is repeated to ASPs that become active.  \returns 0 or negative errno. */
int m3ua_assoc_sg_set_dest(struct m3ua_assoc *a, uint32_t pc, bool available);

/*! \brief SG role: serve an ASP over an already connected stream socket (e.g. one end of a socketpair, or
 *  a connection the caller accepted itself).  On success the association owns fd.
 *  \returns 0, -EINVAL for the ASP role, or another negative errno (fd then stays the caller's). */
int m3ua_assoc_sg_adopt_fd(struct m3ua_assoc *a, int fd, const char *peer);

/*! \brief Name of the association (from its configuration). */
const char *m3ua_assoc_name(const struct m3ua_assoc *a);
/*! \brief SG role: the local port actually listened on (useful with port 0); negative errno otherwise. */
int m3ua_assoc_local_port(const struct m3ua_assoc *a);
/*! \brief Number of connected peers (ASP role: 0 or 1). */
unsigned int m3ua_assoc_num_conns(const struct m3ua_assoc *a);
/*! \brief The association's counters. */
struct rate_ctr_group *m3ua_assoc_ctrs(const struct m3ua_assoc *a);
/*! \brief Current value of one counter. */
uint64_t m3ua_assoc_ctr(const struct m3ua_assoc *a, enum m3ua_ctr ctr);

/*! \brief Describe the association for VTY `show m3ua`: one call of out() per line (no newline). */
void m3ua_assoc_show(const struct m3ua_assoc *a, void (*out)(void *arg, const char *line), void *arg);
