/* The SIP core: request dispatch and the UAS checks of RFC 3261 §8.2 (see sip_core.h). */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <arpa/inet.h>

#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/stats.h>
#include <osmocom/core/talloc.h>

#include <mgcf/log.h>
#include "sip/sip_build.h"
#include "sip/sip_core.h"

static const struct rate_ctr_desc sip_core_ctr_desc[] = {
	[SIP_CORE_CTR_RX_NEW_REQ] = { "sip:core_rx_new_requests", "new requests (no transaction matched)" },
	[SIP_CORE_CTR_RX_ACK] = { "sip:core_rx_ack", "ACKs passed to the TU (2xx ACK)" },
	[SIP_CORE_CTR_TX_400] = { "sip:core_tx_400", "400 for requests the core cannot serve" },
	[SIP_CORE_CTR_TX_405] = { "sip:core_tx_405", "405 Method Not Allowed" },
	[SIP_CORE_CTR_TX_420] = { "sip:core_tx_420", "420 Bad Extension" },
	[SIP_CORE_CTR_TX_421] = { "sip:core_tx_421", "421 Extension Required" },
	[SIP_CORE_CTR_TX_481] = { "sip:core_tx_481", "481 (in-dialog request or CANCEL without match)" },
	[SIP_CORE_CTR_TX_482] = { "sip:core_tx_482", "482 Loop Detected (merged or looped request)" },
	[SIP_CORE_CTR_TX_483] = { "sip:core_tx_483", "483 Too Many Hops" },
	[SIP_CORE_CTR_TX_501] = { "sip:core_tx_501", "501 Not Implemented" },
	[SIP_CORE_CTR_RX_CANCEL] = { "sip:core_rx_cancel", "CANCELs matched to an INVITE" },
	[SIP_CORE_CTR_RX_OPTIONS] = { "sip:core_rx_options", "OPTIONS answered by the core" },
};

static const struct rate_ctr_group_desc sip_core_ctrg_desc = {
	.group_name_prefix = "sip_core",
	.group_description = "SIP core",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = ARRAY_SIZE(sip_core_ctr_desc),
	.ctr_desc = sip_core_ctr_desc,
};

struct sip_method_handler {
	sip_core_req_cb cb;
	void *priv;
};

struct sip_core {
	const struct sip_cfg *cfg;
	const struct sip_core_ops *ops;
	void *priv;
	struct sip_tp *tp;
	struct sip_tl *tl;
	struct sip_method_handler handlers[_NUM_SIP_METHOD];
	const char *const *supported;
	struct rate_ctr_group *ctrs;
	const struct sip_msg *cancel_req;	/* during ops->cancel */
};

static const char *const no_tags[] = { NULL };

static void ctr_inc(struct sip_core *core, enum sip_core_ctr c)
{
	rate_ctr_inc(rate_ctr_group_get_ctr(core->ctrs, c));
}

uint64_t sip_core_ctr(const struct sip_core *core, enum sip_core_ctr ctr)
{
	return rate_ctr_group_get_ctr(core->ctrs, ctr)->current;
}

struct rate_ctr_group *sip_core_ctrs(struct sip_core *core)
{
	return core->ctrs;
}

struct sip_tp *sip_core_tp(struct sip_core *core)
{
	return core->tp;
}

struct sip_tl *sip_core_tl(struct sip_core *core)
{
	return core->tl;
}

int sip_core_register(struct sip_core *core, enum sip_method method, sip_core_req_cb cb, void *priv)
{
	if (method <= SIP_METHOD_UNKNOWN || method >= _NUM_SIP_METHOD || method == SIP_METHOD_ACK ||
	    method == SIP_METHOD_CANCEL)
		return -EINVAL;
	core->handlers[method] = (struct sip_method_handler){ cb, priv };
	return 0;
}

void sip_core_set_supported(struct sip_core *core, const char *const *tags)
{
	core->supported = tags ? tags : no_tags;
}

static bool served(const struct sip_core *core, enum sip_method m)
{
	switch (m) {
	case SIP_METHOD_OPTIONS:
		return true;	/* answered by the core if no TU serves it */
	case SIP_METHOD_ACK:
	case SIP_METHOD_CANCEL:
		return core->handlers[SIP_METHOD_INVITE].cb != NULL;
	default:
		return m > SIP_METHOD_UNKNOWN && m < _NUM_SIP_METHOD && core->handlers[m].cb;
	}
}

int sip_core_allow(const struct sip_core *core, char *buf, size_t len)
{
	size_t o = 0;
	int m;

	if (len)
		buf[0] = '\0';
	for (m = SIP_METHOD_UNKNOWN + 1; m < _NUM_SIP_METHOD; m++) {
		int n;

		if (!served(core, m))
			continue;
		n = snprintf(buf + o, len - o, "%s%s", o ? ", " : "", sip_method_name(m));
		if (n < 0 || (size_t)n >= len - o)
			return -EMSGSIZE;
		o += n;
	}
	return o;
}

/* RFC 3261 §8.2.7 stateless answer: the To tag is a hash of the request's identity, so that a retransmission
 * gets the same answer. */
static void stateless_tag(const struct sip_msg *req, char *tag, size_t len)
{
	uint64_t h = 14695981039346656037ull;
	const struct sip_str parts[] = { req->via.branch, req->call_id, req->from_tag };
	unsigned int i;
	size_t j;

	for (i = 0; i < ARRAY_SIZE(parts); i++)
		for (j = 0; j < parts[i].len; j++)
			h = (h ^ (uint8_t)parts[i].p[j]) * 1099511628211ull;
	snprintf(tag, len, "%016llx", (unsigned long long)h);
}

static void stateless_reply(struct sip_core *core, const struct sip_rx *rx, uint16_t status, const char *reason,
			    const char *extra)
{
	struct msgb *m = sip_msgb_alloc(4096 + (extra ? strlen(extra) : 0), "sip-stateless");
	char tag[SIP_TAG_BUF];
	struct sip_addr dst;
	int rc;

	if (!m)
		return;
	stateless_tag(rx->msg, tag, sizeof(tag));
	rc = sip_build_response(m, rx->msg, status, reason, tag);
	if (!rc && extra) {
		if ((size_t)msgb_tailroom(m) < strlen(extra))
			rc = -EMSGSIZE;
		else
			memcpy(msgb_put(m, strlen(extra)), extra, strlen(extra));
	}
	rc = rc ?: sip_build_no_body(m);
	if (rc) {
		msgb_free(m);
		return;
	}
	LOGP(DSIP, LOGL_INFO, "%.*s from %s: %u %s\n", SIP_STR_FMT(rx->msg->method),
	     osmo_sockaddr_to_str(&rx->src.remote),
	     status, reason ? reason : sip_status_reason(status));
	sip_tp_response_dst(&rx->src, &rx->msg->via, &dst);
	sip_tp_send(core->tp, &dst, m);
}

static void answer_options(struct sip_core *core, struct sip_strans *st)
{
	uint32_t retry_after = 0;
	uint16_t status = core->ops && core->ops->options_status ? core->ops->options_status(core->priv, &retry_after) :
			  200;
	char allow[256], *extra;
	const char *const *t;

	ctr_inc(core, SIP_CORE_CTR_RX_OPTIONS);
	if (status != 200) {
		extra = retry_after ? talloc_asprintf(st, "Retry-After: %" PRIu32 "\r\n", retry_after) : NULL;
		sip_strans_reply(st, status, NULL, extra);
		talloc_free(extra);
		return;
	}
	if (sip_core_allow(core, allow, sizeof(allow)) < 0)
		allow[0] = '\0';
	extra = talloc_asprintf(st, "Allow: %s\r\nAccept: application/sdp\r\n", allow);
	if (extra && core->supported[0]) {
		extra = talloc_asprintf_append(extra, "Supported: ");
		for (t = core->supported; extra && *t; t++)
			extra = talloc_asprintf_append(extra, "%s%s", t == core->supported ? "" : ", ", *t);
		if (extra)
			extra = talloc_asprintf_append(extra, "\r\n");
	}
	if (extra && core->cfg && core->cfg->user_agent)
		extra = talloc_asprintf_append(extra, "Server: %s\r\n", core->cfg->user_agent);
	sip_strans_reply(st, 200, NULL, extra);
	talloc_free(extra);
}

static void handle_cancel(struct sip_core *core, const struct sip_rx *rx)
{
	struct sip_strans *inv = sip_tl_find_cancelled(core->tl, rx->msg);
	struct sip_strans *st;
	struct msgb *m;

	if (!inv) {
		ctr_inc(core, SIP_CORE_CTR_TX_481);
		stateless_reply(core, rx, 481, NULL, NULL);
		return;
	}
	ctr_inc(core, SIP_CORE_CTR_RX_CANCEL);
	st = sip_strans_create(core->tl, rx);
	if (!st)
		return;
	/* §9.2: the CANCEL gets 200 whatever the INVITE's fate, with the To tag of the INVITE's responses */
	m = sip_strans_msgb(st, 4096);
	if (m && !sip_build_response(m, sip_strans_request(st), 200, NULL, sip_strans_to_tag(inv)) &&
	    !sip_build_no_body(m))
		sip_strans_respond(st, 200, m);
	else if (m)
		msgb_free(m);
	if (sip_strans_state(inv) != SIP_TS_PROCEEDING)
		return;
	if (core->ops && core->ops->cancel) {
		core->cancel_req = sip_strans_request(st);
		core->ops->cancel(core->priv, inv);
		core->cancel_req = NULL;
	} else
		sip_strans_reply(inv, 487, NULL, NULL);
}

static void core_new_request(void *priv, const struct sip_rx *rx)
{
	struct sip_core *core = priv;
	const struct sip_msg *msg = rx->msg;
	enum sip_method m = msg->method_id;
	struct sip_strans *st;
	struct sip_str tag;

	if (m == SIP_METHOD_ACK) {
		sip_tl_ack_2xx(core->tl, msg);
		ctr_inc(core, SIP_CORE_CTR_RX_ACK);
		if (core->ops && core->ops->ack)
			core->ops->ack(core->priv, rx);
		return;
	}
	ctr_inc(core, SIP_CORE_CTR_RX_NEW_REQ);
	if (m == SIP_METHOD_UNKNOWN) {
		/* §8.2.1: a method we do not know at all */
		ctr_inc(core, SIP_CORE_CTR_TX_501);
		stateless_reply(core, rx, 501, NULL, NULL);
		return;
	}
	if (m == SIP_METHOD_CANCEL && served(core, m)) {
		handle_cancel(core, rx);
		return;
	}
	/* §16.3 item 3 applies to what we would forward; as the target, OPTIONS with 0 is still answered */
	if (msg->has_max_forwards && msg->max_forwards == 0 && m != SIP_METHOD_OPTIONS) {
		ctr_inc(core, SIP_CORE_CTR_TX_483);
		stateless_reply(core, rx, 483, NULL, NULL);
		return;
	}
	if (sip_tl_is_merged(core->tl, msg)) {
		/* §8.2.2.2 */
		ctr_inc(core, SIP_CORE_CTR_TX_482);
		stateless_reply(core, rx, 482, "Loop Detected (merged request)", NULL);
		return;
	}
	if (sip_tl_is_looped(core->tl, msg)) {
		ctr_inc(core, SIP_CORE_CTR_TX_482);
		stateless_reply(core, rx, 482, NULL, NULL);
		return;
	}
	if (!served(core, m)) {
		char allow[256], *extra;

		/* §8.2.1: known, but not served here */
		ctr_inc(core, SIP_CORE_CTR_TX_405);
		if (sip_core_allow(core, allow, sizeof(allow)) < 0)
			allow[0] = '\0';
		extra = talloc_asprintf(core, "Allow: %s\r\n", allow);
		stateless_reply(core, rx, 405, NULL, extra);
		talloc_free(extra);
		return;
	}
	/* CANCEL was handled above, or is not served (no INVITE handler) and got 405 */
	if (sip_msg_unsupported_tag(msg, SIP_HDR_REQUIRE, core->supported, &tag)) {
		char *extra = talloc_asprintf(core, "Unsupported: %.*s\r\n", SIP_STR_FMT(tag));

		/* §8.2.2.3 */
		ctr_inc(core, SIP_CORE_CTR_TX_420);
		stateless_reply(core, rx, 420, NULL, extra);
		talloc_free(extra);
		return;
	}
	st = sip_strans_create(core->tl, rx);
	if (!st) {
		LOGP(DSIP, LOGL_ERROR, "out of memory for a server transaction\n");
		return;
	}
	if (m == SIP_METHOD_INVITE)
		sip_strans_reply(st, 100, NULL, NULL);	/* §17.2.1: stop the client's retransmissions at once */
	if (msg->to_tag.len) {
		/* §12.2.2: in-dialog; the dialog layer decides */
		if (!core->ops || !core->ops->in_dialog || core->ops->in_dialog(core->priv, st) == -ENOENT) {
			ctr_inc(core, SIP_CORE_CTR_TX_481);
			sip_strans_reply(st, 481, NULL, NULL);
		}
		return;
	}
	if (m == SIP_METHOD_OPTIONS && !core->handlers[m].cb) {
		answer_options(core, st);
		return;
	}
	core->handlers[m].cb(core->handlers[m].priv, st);
}

const struct sip_msg *sip_core_cancel_request(const struct sip_core *core)
{
	return core->cancel_req;
}

int sip_core_reply_421(struct sip_core *core, struct sip_strans *st, const char *tag)
{
	char *extra = talloc_asprintf(st, "Require: %s\r\n", tag);
	int rc;

	ctr_inc(core, SIP_CORE_CTR_TX_421);
	rc = sip_strans_reply(st, 421, NULL, extra);
	talloc_free(extra);
	return rc;
}

struct sip_ctrans *sip_core_request(struct sip_core *core, const struct sip_addr *dst, struct msgb *req,
				    const struct sip_ctrans_ops *ops, void *priv)
{
	return sip_ctrans_send(core->tl, dst, req, ops, priv);
}

int sip_core_uri_dst(struct sip_str s, struct sip_addr *dst)
{
	struct sip_uri uri;
	struct sip_str tp;
	char host[INET6_ADDRSTRLEN];
	uint16_t port;

	memset(dst, 0, sizeof(*dst));
	if (sip_uri_parse(&uri, s, NULL) < 0 || (uri.scheme != SIP_URI_SIP && uri.scheme != SIP_URI_SIPS))
		return -EINVAL;
	dst->proto = uri.scheme == SIP_URI_SIPS ? SIP_TRANSPORT_TLS : SIP_TRANSPORT_UDP;
	if (sip_param_find(uri.params, "transport", &tp)) {
		if (sip_str_caseeq(tp, "tcp"))
			dst->proto = uri.scheme == SIP_URI_SIPS ? SIP_TRANSPORT_TLS : SIP_TRANSPORT_TCP;
		else if (sip_str_caseeq(tp, "tls"))
			dst->proto = SIP_TRANSPORT_TLS;
		else if (!sip_str_caseeq(tp, "udp"))
			return -EINVAL;
	}
	port = uri.has_port ? uri.port : (dst->proto == SIP_TRANSPORT_TLS ? 5061 : 5060);
	if (sip_str_copy(host, sizeof(host), uri.host) < 0)
		return -EINVAL;
	if (inet_pton(AF_INET6, host, &dst->remote.u.sin6.sin6_addr) == 1) {
		dst->remote.u.sin6.sin6_family = AF_INET6;
		dst->remote.u.sin6.sin6_port = htons(port);
	} else if (inet_pton(AF_INET, host, &dst->remote.u.sin.sin_addr) == 1) {
		dst->remote.u.sin.sin_family = AF_INET;
		dst->remote.u.sin.sin_port = htons(port);
	} else {
		return -EINVAL;		/* RFC 3263 resolution is not done here */
	}
	return 0;
}

int sip_core_next_hop_dst(const struct sip_next_hop_cfg *nh, struct sip_addr *dst)
{
	memset(dst, 0, sizeof(*dst));
	dst->proto = nh->transport;
	if (osmo_sockaddr_str_to_sockaddr(&nh->addr, &dst->remote.u.sas) < 0)
		return -EINVAL;
	return 0;
}

static void tp_recv(void *priv, const struct sip_rx *rx)
{
	struct sip_core *core = priv;

	sip_tl_recv(core->tl, rx);
}

static void tp_conn_closed(void *priv, uint32_t conn_id, bool error)
{
	struct sip_core *core = priv;

	if (core->tl)
		sip_tl_conn_closed(core->tl, conn_id, error);
}

static const struct sip_tp_ops core_tp_ops = {
	.recv = tp_recv,
	.conn_closed = tp_conn_closed,
};

static const struct sip_tl_ops core_tl_ops = {
	.new_request = core_new_request,
};

struct sip_core *sip_core_alloc(void *ctx, const struct sip_cfg *cfg, const struct sip_core_ops *ops, void *priv)
{
	static unsigned int idx;
	struct sip_core *core = talloc_zero(ctx, struct sip_core);

	if (!core)
		return NULL;
	core->cfg = cfg;
	core->ops = ops;
	core->priv = priv;
	core->supported = no_tags;
	core->ctrs = rate_ctr_group_alloc(core, &sip_core_ctrg_desc, idx++);
	core->tp = sip_tp_alloc(core, cfg, &core_tp_ops, core);
	if (core->tp)
		core->tl = sip_tl_alloc(core, core->tp, &core_tl_ops, core);
	if (!core->ctrs || !core->tp || !core->tl) {
		sip_core_free(core);
		return NULL;
	}
	return core;
}

void sip_core_free(struct sip_core *core)
{
	if (!core)
		return;
	/* transactions first: they hold no sockets, but the transport's close callbacks reach them */
	sip_tl_free(core->tl);
	core->tl = NULL;
	sip_tp_free(core->tp);
	if (core->ctrs)
		rate_ctr_group_free(core->ctrs);
	talloc_free(core);
}
