/*! \file sip_cfg.h
 * Typed configuration of the SIP side, filled by src/ from the config file.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <osmocom/core/linuxlist.h>
#include <osmocom/core/sockaddr_str.h>
#include <osmocom/core/socket.h>

enum sip_transport {
	SIP_TRANSPORT_UDP,
	SIP_TRANSPORT_TCP,
	SIP_TRANSPORT_TLS,
};

/*! Policy for an option tag (RFC 3261 §19.2): off, offered in Supported, or demanded in Require. */
enum sip_ext_policy {
	SIP_EXT_DISABLED,
	SIP_EXT_SUPPORTED,
	SIP_EXT_REQUIRED,
};

enum sip_refresher {
	SIP_REFRESHER_ANY,	/*!< let the peer choose (RFC 4028 §7.1) */
	SIP_REFRESHER_UAC,
	SIP_REFRESHER_UAS,
};

struct sip_listen_cfg {
	enum sip_transport transport;
	struct osmo_sockaddr_str addr;
};

/*! An IP network (address and prefix length) a peer may come from. */
struct sip_net {
	struct osmo_sockaddr addr;
	uint8_t prefix_len;
};

/*! A next hop (P-CSCF, BGCF, I-CSCF, SBC or SIP trunk) that requests are sent to. */
struct sip_next_hop_cfg {
	struct llist_head list;
	char *name;
	enum sip_transport transport;
	struct osmo_sockaddr_str addr;
	unsigned int priority;		/*!< lower is preferred; equal priorities share load */
	unsigned int options_interval_s;	/*!< 0: no OPTIONS keep-alive */
};

struct sip_cfg {
	char *domain;			/*!< our host part in Contact/From when no better one */
	char *user_agent;
	struct sip_listen_cfg *listen;	/*!< talloc array */
	unsigned int num_listen;
	struct {
		char *certificate;
		char *private_key;
		char *ca_file;
		bool verify_peer;
	} tls;
	struct sip_net *trusted;	/*!< talloc array: P-Asserted-Identity honoured from these */
	unsigned int num_trusted;
	struct llist_head next_hops;	/*!< struct sip_next_hop_cfg */
	enum sip_ext_policy rel100;	/*!< RFC 3262 */
	enum sip_ext_policy precondition;	/*!< RFC 3312 */
	enum sip_ext_policy session_timer;	/*!< RFC 4028 */
	unsigned int session_expires_s;
	unsigned int min_se_s;
	enum sip_refresher refresher;
	unsigned int max_message_size;
	unsigned int udp_buffer;	/*!< SO_RCVBUF/SO_SNDBUF of the UDP listeners in octets; 0: the kernel default */
	unsigned int max_connections;
	unsigned int tcp_idle_timeout_s;
};

extern const struct value_string sip_transport_names[];
extern const struct value_string sip_ext_policy_names[];
extern const struct value_string sip_refresher_names[];

/*! \brief Whether an address lies in one of the given networks. */
bool sip_net_contains(const struct sip_net *nets, unsigned int num, const struct osmo_sockaddr *addr);
