/* Helpers over the typed SIP configuration. */
#include <string.h>
#include <netinet/in.h>
#include <osmocom/core/utils.h>
#include "sip/sip_cfg.h"

const struct value_string sip_transport_names[] = {
	{ SIP_TRANSPORT_UDP, "udp" },
	{ SIP_TRANSPORT_TCP, "tcp" },
	{ SIP_TRANSPORT_TLS, "tls" },
	{ 0, NULL }
};

const struct value_string sip_ext_policy_names[] = {
	{ SIP_EXT_DISABLED, "disabled" },
	{ SIP_EXT_SUPPORTED, "supported" },
	{ SIP_EXT_REQUIRED, "required" },
	{ 0, NULL }
};

const struct value_string sip_refresher_names[] = {
	{ SIP_REFRESHER_ANY, "any" },
	{ SIP_REFRESHER_UAC, "uac" },
	{ SIP_REFRESHER_UAS, "uas" },
	{ 0, NULL }
};

static bool prefix_match(const uint8_t *a, const uint8_t *b, unsigned int bits)
{
	unsigned int bytes = bits / 8, rem = bits % 8;

	if (memcmp(a, b, bytes))
		return false;
	if (!rem)
		return true;
	return ((a[bytes] ^ b[bytes]) & (uint8_t)(0xff << (8 - rem))) == 0;
}

bool sip_net_contains(const struct sip_net *nets, unsigned int num, const struct osmo_sockaddr *addr)
{
	unsigned int i;

	for (i = 0; i < num; i++) {
		const struct sip_net *n = &nets[i];

		if (n->addr.u.sa.sa_family != addr->u.sa.sa_family)
			continue;
		if (addr->u.sa.sa_family == AF_INET) {
			if (prefix_match((const uint8_t *)&n->addr.u.sin.sin_addr,
					 (const uint8_t *)&addr->u.sin.sin_addr, n->prefix_len))
				return true;
		} else if (addr->u.sa.sa_family == AF_INET6) {
			if (prefix_match(n->addr.u.sin6.sin6_addr.s6_addr,
					 addr->u.sin6.sin6_addr.s6_addr, n->prefix_len))
				return true;
		}
	}
	return false;
}
