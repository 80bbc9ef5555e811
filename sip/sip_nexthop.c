/* Next hops with OPTIONS keep-alive and failover, see sip_nexthop.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/timer.h>

#include <mgcf/log.h>
#include "sip/sip_build.h"
#include "sip/sip_core.h"
#include "sip/sip_nexthop.h"

struct hop {
	struct sip_nexthops *nhs;
	const struct sip_next_hop_cfg *cfg;
	bool up;
	struct osmo_timer_list timer;
	struct sip_ctrans *ct;		/*!< OPTIONS in flight */
	uint32_t cseq;
	char call_id[SIP_TAG_BUF];
};

struct sip_nexthops {
	struct sip_core *core;
	const struct sip_cfg *cfg;
	struct hop *hops;		/*!< talloc array sorted by priority */
	unsigned int num;
	unsigned int turn;		/*!< rotates equal priorities */
};

static void hop_set_up(struct hop *h, bool up)
{
	if (h->up != up)
		LOGP(DSIP, up ? LOGL_NOTICE : LOGL_ERROR, "next hop %s is %s\n", h->cfg->name, up ? "up" : "down");
	h->up = up;
}

static void options_rsp(void *priv, struct sip_ctrans *ct, uint16_t status, const struct sip_msg *rsp)
{
	struct hop *h = priv;

	if (status < 200)
		return;
	sip_ctrans_detach(ct);
	h->ct = NULL;
	/* any answer of the hop proves it alive except 5xx; no answer at all (rsp NULL: 408/503) does not */
	hop_set_up(h, rsp && status < 500);
}

static void options_terminated(void *priv, struct sip_ctrans *ct)
{
	struct hop *h = priv;

	if (h->ct == ct)
		h->ct = NULL;
}

static const struct sip_ctrans_ops options_ops = { .response = options_rsp, .terminated = options_terminated };

static const char *proto_param(enum sip_transport t)
{
	return t == SIP_TRANSPORT_TCP ? ";transport=tcp" : t == SIP_TRANSPORT_TLS ? ";transport=tls" : "";
}

static void send_options(struct hop *h)
{
	const struct sip_next_hop_cfg *c = h->cfg;
	const char *dom = h->nhs->cfg->domain ? h->nhs->cfg->domain : "invalid";
	bool v6 = strchr(c->addr.ip, ':') != NULL;
	char ruri[128], tag[SIP_TAG_BUF];
	struct sip_addr dst;
	struct msgb *m;
	int rc;

	if (sip_core_next_hop_dst(c, &dst) < 0 || sip_gen_tag(tag, sizeof(tag)) < 0)
		return;
	snprintf(ruri, sizeof(ruri), "sip:%s%s%s:%u%s", v6 ? "[" : "", c->addr.ip, v6 ? "]" : "", c->addr.port,
		 proto_param(c->transport));
	m = sip_msgb_alloc(1024, "sip-options");
	if (!m)
		return;
	rc = sip_build_request_line(m, "OPTIONS", ruri);
	rc = rc ?: sip_build_max_forwards(m, 70);
	rc = rc ?: sip_build_hdr(m, "From", "<sip:mgcf@%s>;tag=%s", dom, tag);
	rc = rc ?: sip_build_hdr(m, "To", "<%s>", ruri);
	rc = rc ?: sip_build_call_id(m, h->call_id);
	rc = rc ?: sip_build_cseq(m, ++h->cseq, "OPTIONS");
	rc = rc ?: sip_build_hdr(m, "Accept", "application/sdp");
	rc = rc ?: sip_build_no_body(m);
	if (rc) {
		msgb_free(m);
		return;
	}
	h->ct = sip_core_request(h->nhs->core, &dst, m, &options_ops, h);
}

static void hop_timer_cb(void *data)
{
	struct hop *h = data;

	if (h->ct) {
		/* the previous keep-alive is still running (Timer F is longer than a short interval) */
		sip_ctrans_detach(h->ct);
		h->ct = NULL;
	}
	send_options(h);
	osmo_timer_schedule(&h->timer, h->cfg->options_interval_s, 0);
}

static int cmp_prio(const void *a, const void *b)
{
	const struct hop *x = a, *y = b;

	return (x->cfg->priority > y->cfg->priority) - (x->cfg->priority < y->cfg->priority);
}

struct sip_nexthops *sip_nexthops_alloc(void *ctx, struct sip_core *core, const struct sip_cfg *cfg)
{
	struct sip_nexthops *nhs = talloc_zero(ctx, struct sip_nexthops);
	const struct sip_next_hop_cfg *c;
	unsigned int i = 0;

	if (!nhs)
		return NULL;
	nhs->core = core;
	nhs->cfg = cfg;
	llist_for_each_entry(c, &cfg->next_hops, list)
		nhs->num++;
	nhs->hops = talloc_zero_array(nhs, struct hop, nhs->num ? nhs->num : 1);
	if (!nhs->hops) {
		talloc_free(nhs);
		return NULL;
	}
	llist_for_each_entry(c, &cfg->next_hops, list)
		nhs->hops[i++].cfg = c;
	qsort(nhs->hops, nhs->num, sizeof(struct hop), cmp_prio);
	for (i = 0; i < nhs->num; i++) {
		struct hop *h = &nhs->hops[i];

		h->nhs = nhs;
		h->up = true;	/* innocent until an OPTIONS or a call proves otherwise */
		sip_gen_tag(h->call_id, sizeof(h->call_id));
		osmo_timer_setup(&h->timer, hop_timer_cb, h);
		if (h->cfg->options_interval_s)
			osmo_timer_schedule(&h->timer, 0, 0);
	}
	return nhs;
}

void sip_nexthops_free(struct sip_nexthops *nhs)
{
	unsigned int i;

	if (!nhs)
		return;
	for (i = 0; i < nhs->num; i++) {
		osmo_timer_del(&nhs->hops[i].timer);
		if (nhs->hops[i].ct)
			sip_ctrans_detach(nhs->hops[i].ct);
	}
	talloc_free(nhs);
}

unsigned int sip_nexthops_count(const struct sip_nexthops *nhs)
{
	return nhs->num;
}

int sip_nexthop_select(struct sip_nexthops *nhs, uint32_t *tried, struct sip_addr *dst,
		       const struct sip_next_hop_cfg **hop)
{
	unsigned int pass, i, n = OSMO_MIN(nhs->num, 32u);

	if (*tried == 0)
		nhs->turn++;
	/* pass 0: hops that are up, pass 1: the rest; within a priority group the start rotates per request */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n;) {
			unsigned int g = i, len, k;

			while (g < n && nhs->hops[g].cfg->priority == nhs->hops[i].cfg->priority)
				g++;
			len = g - i;
			for (k = 0; k < len; k++) {
				unsigned int idx = i + (k + nhs->turn) % len;
				struct hop *h = &nhs->hops[idx];

				if (h->up != (pass == 0) || (*tried & (1u << idx)))
					continue;
				*tried |= 1u << idx;
				if (hop)
					*hop = h->cfg;
				return sip_core_next_hop_dst(h->cfg, dst);
			}
			i = g;
		}
	}
	return -ENOENT;
}

void sip_nexthop_failed(struct sip_nexthops *nhs, const struct sip_next_hop_cfg *hop)
{
	unsigned int i;

	for (i = 0; i < nhs->num; i++)
		if (nhs->hops[i].cfg == hop)
			hop_set_up(&nhs->hops[i], false);
}

bool sip_nexthop_is_up(const struct sip_nexthops *nhs, const char *name)
{
	unsigned int i;

	for (i = 0; i < nhs->num; i++)
		if (!strcmp(nhs->hops[i].cfg->name, name))
			return nhs->hops[i].up;
	return false;
}
