/* SIP transactions: ICT, NICT, IST, NIST (RFC 3261 §17, RFC 6026).  See sip_trans.h for the design. */
#include <errno.h>
#include <string.h>

#include <osmocom/core/linuxlist.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/stats.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/tdef.h>
#include <osmocom/core/timer.h>

#include <mgcf/log.h>
#include "sip/sip_build.h"
#include "sip/sip_htab.h"
#include "sip/sip_timers.h"
#include "sip/sip_tq.h"
#include "sip/sip_trans.h"

/* initial buckets; the tables double with the load (~320,000 live transactions at 5,000 calls/s: timers J and L
 * keep them 32 s) */
#define SIP_TL_BUCKETS 4096
#define SIP_TL_MAX_HDRS 128

const struct value_string sip_trans_state_names[] = {
	{ SIP_TS_CALLING, "Calling" },
	{ SIP_TS_TRYING, "Trying" },
	{ SIP_TS_PROCEEDING, "Proceeding" },
	{ SIP_TS_COMPLETED, "Completed" },
	{ SIP_TS_CONFIRMED, "Confirmed" },
	{ SIP_TS_ACCEPTED, "Accepted" },
	{ SIP_TS_TERMINATED, "Terminated" },
	{ 0, NULL }
};

static const struct rate_ctr_desc sip_tl_ctr_desc[] = {
	[SIP_TL_CTR_CT_CREATED] = { "sip:ctrans_created", "client transactions started" },
	[SIP_TL_CTR_CT_RETRANSMIT] = { "sip:ctrans_retransmits", "requests retransmitted (Timer A/E)" },
	[SIP_TL_CTR_CT_TIMEOUT] = { "sip:ctrans_timeouts", "client transactions timed out (B/F, 408)" },
	[SIP_TL_CTR_CT_TRANSPORT_ERR] = { "sip:ctrans_transport_errors", "client transactions failed (503)" },
	[SIP_TL_CTR_RX_RSP_ABSORBED] = { "sip:rx_rsp_absorbed", "response retransmissions absorbed" },
	[SIP_TL_CTR_RX_RSP_STRAY] = { "sip:rx_rsp_stray", "responses matching no transaction (dropped)" },
	[SIP_TL_CTR_ST_CREATED] = { "sip:strans_created", "server transactions created" },
	[SIP_TL_CTR_ST_RETRANSMIT] = { "sip:strans_retransmits", "responses retransmitted (G, 2xx, replays)" },
	[SIP_TL_CTR_RX_REQ_ABSORBED] = { "sip:rx_req_absorbed", "request retransmissions and ACKs absorbed" },
	[SIP_TL_CTR_ST_ACK_TIMEOUT] = { "sip:strans_ack_timeouts", "INVITE answered but never ACKed (H/L)" },
	[SIP_TL_CTR_TX_ERRORS] = { "sip:trans_tx_errors", "transaction messages that could not be built" },
};

static const struct rate_ctr_group_desc sip_tl_ctrg_desc = {
	.group_name_prefix = "sip_tl",
	.group_description = "SIP transactions",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = ARRAY_SIZE(sip_tl_ctr_desc),
	.ctr_desc = sip_tl_ctr_desc,
};

struct sip_tl {
	struct sip_tp *tp;
	const struct sip_tl_ops *ops;
	void *priv;
	struct sip_htab ct_by_branch;
	struct sip_htab st_by_branch;
	struct sip_htab st_by_callid;
	struct llist_head cts, sts;
	unsigned int num;
	struct rate_ctr_group *ctrs;
	struct sip_msg *scratch;	/* parse of a stored request (ACK / CANCEL building) */
	struct sip_tq *st_ends;		/* the server transactions' t_end (H, I, J, L): constant durations */
	struct msgb *spare;		/* a response's build buffer, for the next (sip_strans_msgb()) */
	struct llist_head lingering;	/* server transactions to cut down at the next message (st_linger()) */
};

struct sip_ctrans {
	struct llist_head list;
	struct sip_hnode bnode;		/* tl->ct_by_branch */
	struct sip_tl *tl;
	bool invite;
	enum sip_method method;
	enum sip_trans_state state;
	char branch[SIP_BRANCH_BUF];
	struct msgb *req;		/* complete request with our Via */
	struct msgb *ack;		/* ACK for a 3xx-6xx (ICT Completed) */
	struct sip_addr dst;
	unsigned int retx_ms;
	bool tp_error;
	struct osmo_timer_list t_retx, t_end;
	const struct sip_ctrans_ops *ops;
	void *priv;
};

struct sip_strans {
	struct llist_head list;
	struct sip_hnode bnode;		/* tl->st_by_branch (RFC 3261 branches only) */
	struct sip_hnode cnode;		/* tl->st_by_callid */
	struct sip_tl *tl;
	bool invite;
	bool rfc3261;
	bool acked;
	enum sip_trans_state state;
	struct sip_msg *req;
	struct sip_addr src, rdst;
	char to_tag[SIP_TAG_BUF];
	struct msgb *last;		/* last response sent */
	uint16_t last_status;
	unsigned int retx_ms;
	struct osmo_timer_list t_retx;
	struct sip_tq_entry t_end;	/* in tl->st_ends */
	struct llist_head linger;	/* in tl->lingering, or empty */
	const struct sip_strans_ops *ops;
	void *priv;
};

static void ctr_inc(struct sip_tl *tl, enum sip_tl_ctr c)
{
	rate_ctr_inc(rate_ctr_group_get_ctr(tl->ctrs, c));
}

uint64_t sip_tl_ctr(const struct sip_tl *tl, enum sip_tl_ctr ctr)
{
	return rate_ctr_group_get_ctr(tl->ctrs, ctr)->current;
}

struct rate_ctr_group *sip_tl_ctrs(struct sip_tl *tl)
{
	return tl->ctrs;
}

unsigned int sip_tl_num_trans(const struct sip_tl *tl)
{
	return tl->num;
}

struct sip_tp *sip_tl_tp(struct sip_tl *tl)
{
	return tl->tp;
}

static unsigned long tdef_ms(enum sip_timer t)
{
	return osmo_tdef_get(sip_tdefs, t, OSMO_TDEF_MS, -1);
}

static void sched_ms(struct osmo_timer_list *t, unsigned long ms)
{
	osmo_timer_schedule(t, ms / 1000, (ms % 1000) * 1000);
}

/* Timer values that are 0 on reliable transports (RFC 3261 §17.1.1.2, §17.1.2.2, §17.2.1, §17.2.2). */
static unsigned long absorb_ms(enum sip_transport proto, enum sip_timer t)
{
	return sip_transport_reliable(proto) ? 0 : tdef_ms(t);
}

static void st_end_cb(struct sip_tq_entry *e);

struct sip_tl *sip_tl_alloc(void *ctx, struct sip_tp *tp, const struct sip_tl_ops *ops, void *priv)
{
	static unsigned int idx;
	struct sip_tl *tl = talloc_zero(ctx, struct sip_tl);

	if (!tl)
		return NULL;
	/* T1 has a minimum of 50 ms: 0 means nobody ran osmo_tdefs_reset() on the table (a program without config) */
	if (osmo_tdef_get(sip_tdefs, SIP_T1, OSMO_TDEF_MS, -1) == 0)
		osmo_tdefs_reset(sip_tdefs);
	tl->tp = tp;
	tl->ops = ops;
	tl->priv = priv;
	INIT_LLIST_HEAD(&tl->cts);
	INIT_LLIST_HEAD(&tl->sts);
	INIT_LLIST_HEAD(&tl->lingering);
	tl->ctrs = rate_ctr_group_alloc(tl, &sip_tl_ctrg_desc, idx++);
	tl->scratch = sip_msg_alloc(tl, SIP_TL_MAX_HDRS);
	tl->st_ends = sip_tq_alloc(tl, st_end_cb);
	if (!tl->ctrs || !tl->scratch || !tl->st_ends || sip_htab_init(&tl->ct_by_branch, tl, SIP_TL_BUCKETS) < 0 ||
	    sip_htab_init(&tl->st_by_branch, tl, SIP_TL_BUCKETS) < 0 ||
	    sip_htab_init(&tl->st_by_callid, tl, SIP_TL_BUCKETS) < 0) {
		sip_tl_free(tl);
		return NULL;
	}
	return tl;
}

static void ct_free(struct sip_ctrans *ct);
static void st_free(struct sip_strans *st);

void sip_tl_free(struct sip_tl *tl)
{
	if (!tl)
		return;
	while (!llist_empty(&tl->cts)) {
		struct sip_ctrans *ct = llist_first_entry(&tl->cts, struct sip_ctrans, list);

		ct->ops = NULL;
		ct_free(ct);
	}
	while (!llist_empty(&tl->sts)) {
		struct sip_strans *st = llist_first_entry(&tl->sts, struct sip_strans, list);

		st->ops = NULL;
		st_free(st);
	}
	sip_tq_free(tl->st_ends);
	if (tl->spare)
		msgb_free(tl->spare);
	if (tl->ctrs)
		rate_ctr_group_free(tl->ctrs);
	talloc_free(tl);
}

/* ---- client transactions ----------------------------------------------------------------------------------- */

static void ct_set_state(struct sip_ctrans *ct, enum sip_trans_state s)
{
	LOGP(DSIP, LOGL_DEBUG, "%s %s: %s -> %s\n", ct->invite ? "ICT" : "NICT", ct->branch,
	     sip_trans_state_name(ct->state), sip_trans_state_name(s));
	ct->state = s;
}

static void ct_free(struct sip_ctrans *ct)
{
	if (ct->ops && ct->ops->terminated)
		ct->ops->terminated(ct->priv, ct);
	osmo_timer_del(&ct->t_retx);
	osmo_timer_del(&ct->t_end);
	llist_del(&ct->list);
	sip_htab_del(&ct->tl->ct_by_branch, &ct->bnode);
	ct->tl->num--;
	msgb_free(ct->req);
	if (ct->ack)
		msgb_free(ct->ack);
	talloc_free(ct);
}

static void ct_report(struct sip_ctrans *ct, uint16_t status, const struct sip_msg *rsp)
{
	if (ct->ops && ct->ops->response)
		ct->ops->response(ct->priv, ct, status, rsp);
}

/* Send a copy of m to the transaction's destination; false on an immediate transport error. */
static bool ct_xmit(struct sip_ctrans *ct, struct msgb *m)
{
	return sip_tp_send_copy(ct->tl->tp, &ct->dst, m) == 0;
}

/* Transport failure (RFC 3261 §17.1.4, §8.1.3.1): report 503 from a timer, never from inside the TU's call. */
static void ct_transport_error(struct sip_ctrans *ct)
{
	ct->tp_error = true;
	osmo_timer_del(&ct->t_retx);
	osmo_timer_schedule(&ct->t_end, 0, 0);
}

static void ct_retx_cb(void *data)
{
	struct sip_ctrans *ct = data;

	ctr_inc(ct->tl, SIP_TL_CTR_CT_RETRANSMIT);
	if (!ct_xmit(ct, ct->req)) {
		ct_transport_error(ct);
		return;
	}
	if (ct->invite)
		ct->retx_ms *= 2;	/* Timer A doubles without bound (§17.1.1.2); B ends it */
	else if (ct->state == SIP_TS_PROCEEDING)
		ct->retx_ms = tdef_ms(SIP_T2);	/* §17.1.2.2 */
	else
		ct->retx_ms = OSMO_MIN(2 * ct->retx_ms, tdef_ms(SIP_T2));
	sched_ms(&ct->t_retx, ct->retx_ms);
}

static void ct_end_cb(void *data)
{
	struct sip_ctrans *ct = data;

	switch (ct->state) {
	case SIP_TS_CALLING:
	case SIP_TS_TRYING:
	case SIP_TS_PROCEEDING:
		if (ct->tp_error) {
			ctr_inc(ct->tl, SIP_TL_CTR_CT_TRANSPORT_ERR);
			LOGP(DSIP, LOGL_NOTICE, "%s %s: transport error, 503\n", ct->invite ? "ICT" : "NICT",
			     ct->branch);
			ct_report(ct, 503, NULL);
		} else {
			/* Timer B / F */
			ctr_inc(ct->tl, SIP_TL_CTR_CT_TIMEOUT);
			LOGP(DSIP, LOGL_NOTICE, "%s %s: Timer %s fired, 408\n", ct->invite ? "ICT" : "NICT", ct->branch,
			     ct->invite ? "B" : "F");
			ct_report(ct, 408, NULL);
		}
		break;
	default:
		/* Timer D, K, M: the absorbing state ends */
		break;
	}
	ct_set_state(ct, SIP_TS_TERMINATED);
	ct_free(ct);
}

/* The request with our top Via inserted after the Request-Line. */
static struct msgb *insert_via(struct sip_tl *tl, struct sip_ctrans *ct, struct msgb *req)
{
	const char *d = (const char *)msgb_data(req), *eol;
	size_t len = msgb_length(req), line;
	char host[64];
	uint16_t port = 0;
	struct msgb *m;

	eol = memmem(d, len, "\r\n", 2);
	if (!eol)
		return NULL;
	line = eol + 2 - d;
	if (sip_tp_sent_by(tl->tp, &ct->dst, host, sizeof(host), &port) < 0)
		snprintf(host, sizeof(host), "invalid.invalid");
	m = sip_msgb_alloc(len + 256, "sip-req");
	if (!m)
		return NULL;
	memcpy(msgb_put(m, line), d, line);
	if (sip_build_via(m, sip_transport_via_name(ct->dst.proto), host, port, ct->branch, true) < 0 ||
	    (size_t)msgb_tailroom(m) < len - line) {
		msgb_free(m);
		return NULL;
	}
	memcpy(msgb_put(m, len - line), d + line, len - line);
	return m;
}

static int parse_stored(struct sip_tl *tl, struct msgb *m)
{
	struct sip_parse_err err;

	return sip_msg_parse(tl->scratch, (const char *)msgb_data(m), msgb_length(m), NULL, &err);
}

static struct sip_ctrans *ct_start(struct sip_tl *tl, const struct sip_addr *dst, struct msgb *full,
				   const char *branch, const struct sip_ctrans_ops *ops, void *priv)
{
	struct sip_ctrans *ct = talloc_zero(tl, struct sip_ctrans);

	if (!ct) {
		msgb_free(full);
		return NULL;
	}
	ct->tl = tl;
	ct->dst = *dst;
	ct->ops = ops;
	ct->priv = priv;
	osmo_strlcpy(ct->branch, branch, sizeof(ct->branch));
	osmo_timer_setup(&ct->t_retx, ct_retx_cb, ct);
	osmo_timer_setup(&ct->t_end, ct_end_cb, ct);
	if (parse_stored(tl, full) < 0 || !tl->scratch->is_request || tl->scratch->method_id == SIP_METHOD_ACK) {
		LOGP(DSIP, LOGL_ERROR, "client transaction: the TU's request does not parse\n");
		ctr_inc(tl, SIP_TL_CTR_TX_ERRORS);
		msgb_free(full);
		talloc_free(ct);
		return NULL;
	}
	ct->method = tl->scratch->method_id;
	ct->invite = ct->method == SIP_METHOD_INVITE;
	ct->req = full;
	llist_add_tail(&ct->list, &tl->cts);
	sip_htab_add(&tl->ct_by_branch, &ct->bnode, sip_hash(sip_str_c(ct->branch)));
	tl->num++;
	ctr_inc(tl, SIP_TL_CTR_CT_CREATED);
	ct->state = ct->invite ? SIP_TS_CALLING : SIP_TS_TRYING;
	LOGP(DSIP, LOGL_DEBUG, "%s %s: %s to %s\n", ct->invite ? "ICT" : "NICT", ct->branch,
	     sip_method_name(ct->method), osmo_sockaddr_to_str(&dst->remote));

	sched_ms(&ct->t_end, tdef_ms(ct->invite ? SIP_TB : SIP_TF));
	if (!ct_xmit(ct, ct->req)) {
		ct_transport_error(ct);
		return ct;
	}
	if (!sip_transport_reliable(ct->dst.proto)) {
		ct->retx_ms = tdef_ms(SIP_T1);
		sched_ms(&ct->t_retx, ct->retx_ms);
	}
	return ct;
}

struct sip_ctrans *sip_ctrans_send(struct sip_tl *tl, const struct sip_addr *dst, struct msgb *req,
				   const struct sip_ctrans_ops *ops, void *priv)
{
	char branch[SIP_BRANCH_BUF];
	struct sip_ctrans tmp = { .dst = *dst };
	struct msgb *full;

	if (sip_gen_branch(branch, sizeof(branch)) < 0) {
		msgb_free(req);
		return NULL;
	}
	osmo_strlcpy(tmp.branch, branch, sizeof(tmp.branch));
	full = insert_via(tl, &tmp, req);
	msgb_free(req);
	if (!full) {
		ctr_inc(tl, SIP_TL_CTR_TX_ERRORS);
		return NULL;
	}
	return ct_start(tl, dst, full, branch, ops, priv);
}

/* Copy every header line with this id from the stored request. */
static int copy_hdrs(struct msgb *m, const struct sip_msg *req, enum sip_hdr_id id)
{
	int i, rc = 0;

	for (i = req->first[id]; i >= 0 && !rc; i = req->hdrs[i].next)
		rc = sip_build_hdr_str(m, sip_hdr_name(id), req->hdrs[i].value);
	return rc;
}

/* ACK (§17.1.1.3) or CANCEL (§9.1) from the stored request: same Request-URI, top Via, Route, From, Call-ID and
 * CSeq number; the ACK takes the To of the response. */
static struct msgb *build_ack_or_cancel(struct sip_tl *tl, struct msgb *stored, const char *method,
					const struct sip_msg *rsp, const char *extra)
{
	const struct sip_msg *req = tl->scratch;
	struct sip_str via, rest;
	struct msgb *m;
	char *ruri;
	int rc;

	if (parse_stored(tl, stored) < 0)
		return NULL;
	m = sip_msgb_alloc(msgb_length(stored) + 512 + (extra ? strlen(extra) : 0), "sip-ack");
	if (!m)
		return NULL;
	ruri = talloc_strndup(m, req->ruri.p, req->ruri.len);
	rest = req->hdrs[req->first[SIP_HDR_VIA]].value;
	sip_list_next(&rest, &via);
	rc = sip_build_request_line(m, method, ruri);
	rc = rc ?: sip_build_hdr_str(m, "Via", via);
	rc = rc ?: copy_hdrs(m, req, SIP_HDR_ROUTE);
	rc = rc ?: sip_build_hdr_str(m, "From", req->hdrs[req->first[SIP_HDR_FROM]].value);
	rc = rc ?: sip_build_hdr_str(m, "To", rsp ? rsp->hdrs[rsp->first[SIP_HDR_TO]].value
						   : req->hdrs[req->first[SIP_HDR_TO]].value);
	rc = rc ?: sip_build_hdr_str(m, "Call-ID", req->call_id);
	rc = rc ?: sip_build_cseq(m, req->cseq.num, method);
	rc = rc ?: sip_build_max_forwards(m, 70);
	if (!rc && extra) {
		if ((size_t)msgb_tailroom(m) < strlen(extra))
			rc = -EMSGSIZE;
		else
			memcpy(msgb_put(m, strlen(extra)), extra, strlen(extra));
	}
	rc = rc ?: sip_build_no_body(m);
	talloc_free(ruri);
	if (rc) {
		msgb_free(m);
		return NULL;
	}
	return m;
}

struct sip_ctrans *sip_ctrans_cancel(struct sip_ctrans *ct, const struct sip_ctrans_ops *ops, void *priv)
{
	return sip_ctrans_cancel_hdrs(ct, NULL, ops, priv);
}

struct sip_ctrans *sip_ctrans_cancel_hdrs(struct sip_ctrans *ct, const char *extra, const struct sip_ctrans_ops *ops,
					  void *priv)
{
	struct msgb *m;

	/* §9.1: a CANCEL before any provisional response could overtake the INVITE */
	if (!ct->invite || ct->state != SIP_TS_PROCEEDING)
		return NULL;
	m = build_ack_or_cancel(ct->tl, ct->req, "CANCEL", NULL, extra);
	if (!m) {
		ctr_inc(ct->tl, SIP_TL_CTR_TX_ERRORS);
		return NULL;
	}
	return ct_start(ct->tl, &ct->dst, m, ct->branch, ops, priv);
}

void sip_ctrans_detach(struct sip_ctrans *ct)
{
	ct->ops = NULL;
	ct->priv = NULL;
}

const char *sip_ctrans_branch(const struct sip_ctrans *ct)
{
	return ct->branch;
}

enum sip_trans_state sip_ctrans_state(const struct sip_ctrans *ct)
{
	return ct->state;
}

const struct sip_addr *sip_ctrans_dst(const struct sip_ctrans *ct)
{
	return &ct->dst;
}

static void ct_response(struct sip_ctrans *ct, const struct sip_msg *rsp)
{
	uint16_t st = rsp->status;

	if (ct->invite) {
		switch (ct->state) {
		case SIP_TS_CALLING:
		case SIP_TS_PROCEEDING:
			osmo_timer_del(&ct->t_retx);
			if (st < 200) {
				osmo_timer_del(&ct->t_end);	/* B applies to Calling only */
				ct_set_state(ct, SIP_TS_PROCEEDING);
			} else if (st < 300) {
				ct_set_state(ct, SIP_TS_ACCEPTED);	/* RFC 6026 §8.4 */
				sched_ms(&ct->t_end, tdef_ms(SIP_TM));
			} else {
				ct_set_state(ct, SIP_TS_COMPLETED);
				ct->ack = build_ack_or_cancel(ct->tl, ct->req, "ACK", rsp, NULL);
				if (ct->ack)
					ct_xmit(ct, ct->ack);
				else
					ctr_inc(ct->tl, SIP_TL_CTR_TX_ERRORS);
				sched_ms(&ct->t_end, absorb_ms(ct->dst.proto, SIP_TD));
			}
			ct_report(ct, st, rsp);
			return;
		case SIP_TS_ACCEPTED:
			if (st >= 200 && st < 300) {
				ct_report(ct, st, rsp);	/* the TU resends its ACK */
				return;
			}
			break;
		case SIP_TS_COMPLETED:
			if (st >= 300 && ct->ack)
				ct_xmit(ct, ct->ack);	/* §17.1.1.2: the final was retransmitted, our ACK lost */
			break;
		default:
			break;
		}
		ctr_inc(ct->tl, SIP_TL_CTR_RX_RSP_ABSORBED);
		return;
	}

	switch (ct->state) {
	case SIP_TS_TRYING:
	case SIP_TS_PROCEEDING:
		if (st < 200) {
			ct_set_state(ct, SIP_TS_PROCEEDING);
		} else {
			osmo_timer_del(&ct->t_retx);
			ct_set_state(ct, SIP_TS_COMPLETED);
			sched_ms(&ct->t_end, absorb_ms(ct->dst.proto, SIP_TK));
		}
		ct_report(ct, st, rsp);
		return;
	default:
		ctr_inc(ct->tl, SIP_TL_CTR_RX_RSP_ABSORBED);
		return;
	}
}

static struct sip_ctrans *ct_match(struct sip_tl *tl, const struct sip_msg *rsp)
{
	struct sip_ctrans *ct;

	/* §17.1.3: branch of the top Via and the CSeq method */
	if (!rsp->via.has_branch)
		return NULL;
	sip_htab_for_each(ct, &tl->ct_by_branch, sip_hash(rsp->via.branch), bnode)
		if (sip_str_eq(rsp->via.branch, ct->branch) && rsp->cseq.method_id == ct->method)
			return ct;
	return NULL;
}

void sip_tl_conn_closed(struct sip_tl *tl, uint32_t conn_id, bool error)
{
	struct sip_ctrans *ct;

	llist_for_each_entry(ct, &tl->cts, list) {
		if (ct->dst.conn_id != conn_id || ct->tp_error)
			continue;
		if (ct->state == SIP_TS_CALLING || ct->state == SIP_TS_TRYING || ct->state == SIP_TS_PROCEEDING)
			ct_transport_error(ct);
	}
}

/* ---- server transactions ----------------------------------------------------------------------------------- */

static void st_set_state(struct sip_strans *st, enum sip_trans_state s)
{
	LOGP(DSIP, LOGL_DEBUG, "%s %.*s: %s -> %s\n", st->invite ? "IST" : "NIST", SIP_STR_FMT(st->req->via.branch),
	     sip_trans_state_name(st->state), sip_trans_state_name(s));
	st->state = s;
}

static void st_drop_last(struct sip_strans *st)
{
	if (st->last) {
		msgb_free(st->last);
		st->last = NULL;
	}
}

/* req cut down to its typed values by st_linger() (sip_msg_shrink()): no more responses */
static bool st_shrunk(const struct sip_strans *st)
{
	return !st->req->max_hdrs;
}

static void st_free(struct sip_strans *st)
{
	struct sip_tl *tl = st->tl;

	osmo_timer_del(&st->t_retx);
	sip_tq_cancel(&st->t_end);
	llist_del(&st->list);
	llist_del(&st->linger);
	sip_htab_del(&tl->st_by_branch, &st->bnode);
	sip_htab_del(&tl->st_by_callid, &st->cnode);
	tl->num--;
	st_drop_last(st);
	if (st->ops && st->ops->terminated)
		st->ops->terminated(st->priv, st);
	talloc_free(st);
}

static void st_xmit_last(struct sip_strans *st)
{
	sip_tp_send_copy_soon(st->tl->tp, &st->rdst, st->last);
}

static void st_retx_cb(void *data)
{
	struct sip_strans *st = data;

	/* Timer G (§17.2.1), or the UAS core's 2xx retransmission (§13.3.1.4): T1 doubling up to T2 */
	ctr_inc(st->tl, SIP_TL_CTR_ST_RETRANSMIT);
	st_xmit_last(st);
	st->retx_ms = OSMO_MIN(2 * st->retx_ms, tdef_ms(SIP_T2));
	sched_ms(&st->t_retx, st->retx_ms);
}

static void st_end_cb(struct sip_tq_entry *e)
{
	struct sip_strans *st = container_of(e, struct sip_strans, t_end);

	if ((st->state == SIP_TS_COMPLETED && st->invite) || (st->state == SIP_TS_ACCEPTED && !st->acked)) {
		/* Timer H, or Timer L without an ACK for the 2xx */
		ctr_inc(st->tl, SIP_TL_CTR_ST_ACK_TIMEOUT);
		LOGP(DSIP, LOGL_NOTICE, "IST %.*s: no ACK for %u\n", SIP_STR_FMT(st->req->via.branch), st->last_status);
		if (st->ops && st->ops->ack_timeout)
			st->ops->ack_timeout(st->priv, st);
	}
	st_set_state(st, SIP_TS_TERMINATED);
	st_free(st);
}

/* t_end runs in a FIFO per duration (sip_tq.h): H, J and L are 64*T1, I is T4 */
static void st_end_sched(struct sip_strans *st, unsigned long ms)
{
	/* only a duration not seen before allocates (a FIFO of a few dozen bytes) */
	if (sip_tq_schedule(st->tl->st_ends, &st->t_end, ms) < 0)
		LOGP(DSIP, LOGL_ERROR, "%s %.*s: out of memory arming its end timer, kept until shutdown\n",
		     st->invite ? "IST" : "NIST", SIP_STR_FMT(st->req->via.branch));
}

struct sip_strans *sip_strans_create(struct sip_tl *tl, const struct sip_rx *rx)
{
	struct sip_strans *st = talloc_zero(tl, struct sip_strans);

	if (!st)
		return NULL;
	st->tl = tl;
	/* the transaction lives up to 64*T1 after its answer: keep the header array to what the request has; the
	 * request was parsed on receipt, its copy takes that result */
	st->req = sip_msg_alloc_with_buf(st, rx->msg->num_hdrs ? rx->msg->num_hdrs : 1, rx->msg->buf, rx->msg->len);
	if (!st->req || sip_msg_copy(st->req, rx->msg, st->req->buf) < 0 ||
	    sip_gen_tag(st->to_tag, sizeof(st->to_tag)) < 0) {
		talloc_free(st);
		return NULL;
	}
	st->invite = st->req->method_id == SIP_METHOD_INVITE;
	st->rfc3261 = sip_via_branch_is_rfc3261(&st->req->via);
	st->src = rx->src;
	sip_tp_response_dst(&rx->src, &st->req->via, &st->rdst);
	st->state = st->invite ? SIP_TS_PROCEEDING : SIP_TS_TRYING;
	osmo_timer_setup(&st->t_retx, st_retx_cb, st);
	sip_tq_entry_init(&st->t_end);
	INIT_LLIST_HEAD(&st->linger);
	llist_add_tail(&st->list, &tl->sts);
	if (st->rfc3261)
		sip_htab_add(&tl->st_by_branch, &st->bnode, sip_hash(st->req->via.branch));
	sip_htab_add(&tl->st_by_callid, &st->cnode, sip_hash(st->req->call_id));
	tl->num++;
	ctr_inc(tl, SIP_TL_CTR_ST_CREATED);
	return st;
}

void sip_strans_set_ops(struct sip_strans *st, const struct sip_strans_ops *ops, void *priv)
{
	st->ops = ops;
	st->priv = priv;
}

const struct sip_msg *sip_strans_request(const struct sip_strans *st)
{
	return st->req;
}

const struct sip_addr *sip_strans_source(const struct sip_strans *st)
{
	return &st->src;
}

const char *sip_strans_to_tag(const struct sip_strans *st)
{
	return st->to_tag;
}

enum sip_trans_state sip_strans_state(const struct sip_strans *st)
{
	return st->state;
}

/* The build buffer's size at least: a response's headers (SESS_MSG_HDRS, 4 kB of room) and an SDP body fit, so
 * that the one spare buffer serves every response of a call (it was 4 kB after a 100 Trying, and each 200 with
 * SDP then allocated and freed a buffer of its own). */
#define SIP_RSP_BUF 8192

struct msgb *sip_strans_msgb(struct sip_strans *st, size_t size)
{
	struct sip_tl *tl = st->tl;
	struct msgb *m = tl->spare;

	if (!m || m->data_len < size)
		return sip_msgb_alloc(OSMO_MAX(size, SIP_RSP_BUF), "sip-rsp");
	tl->spare = NULL;
	msgb_reset(m);
	return m;
}

/* msg was built and copied: keep it as the next response's build buffer */
static void st_spare(struct sip_tl *tl, struct msgb *msg)
{
	if (tl->spare && tl->spare->data_len < msg->data_len) {
		msgb_free(tl->spare);
		tl->spare = NULL;
	}
	if (!tl->spare)
		tl->spare = msg;
	else
		msgb_free(msg);
}

/* The transaction has answered for good (a final response sent, or its 2xx ACKed): what is left is matching
 * retransmissions for up to 64*T1, and at 5,000 calls/s some 300,000 transactions are in that state.  The
 * request's header array and body then go (st_linger()), but only at the next message the transaction layer
 * receives: until the current event is over, the TU may still read the request's headers (the Reason of a
 * CANCEL it has just answered). */
static void st_linger_later(struct sip_strans *st)
{
	if (!st_shrunk(st) && llist_empty(&st->linger))
		llist_add_tail(&st->linger, &st->tl->lingering);
}

static void st_linger(struct sip_tl *tl)
{
	while (!llist_empty(&tl->lingering)) {
		struct sip_strans *st = llist_first_entry(&tl->lingering, struct sip_strans, linger);

		llist_del_init(&st->linger);
		st->req = sip_msg_shrink(st->req);
		/* an ACKed INVITE's last response is never sent again (retransmissions are absorbed) */
		if (st->invite && st->acked)
			st_drop_last(st);
	}
}

int sip_strans_respond(struct sip_strans *st, uint16_t status, struct msgb *msg)
{
	bool ok;

	if (st->invite)
		ok = st->state == SIP_TS_PROCEEDING || (st->state == SIP_TS_ACCEPTED && status >= 200 && status < 300);
	else
		ok = st->state == SIP_TS_TRYING || st->state == SIP_TS_PROCEEDING;
	if (!ok || st_shrunk(st) || status < 100 || status > 699) {
		msgb_free(msg);
		return -EINVAL;
	}
	st_drop_last(st);
	/* kept until the transaction ends (timer J: 32 s after a BYE's 200 over UDP): only what was built; the
	 * build buffer serves the next response */
	st->last = sip_msgb_dup(msg, "sip-st-last");
	st->last_status = status;
	if (st->last)
		st_spare(st->tl, msg);
	else
		st->last = msg;
	st_xmit_last(st);

	if (status < 200) {
		if (!st->invite)
			st_set_state(st, SIP_TS_PROCEEDING);
		return 0;
	}
	if (st->invite && status < 300) {
		if (st->state == SIP_TS_ACCEPTED)
			return 0;
		st_set_state(st, SIP_TS_ACCEPTED);
		st_end_sched(st, tdef_ms(SIP_TL));
		if (!sip_transport_reliable(st->src.proto)) {
			st->retx_ms = tdef_ms(SIP_T1);
			sched_ms(&st->t_retx, st->retx_ms);
		}
		return 0;
	}
	st_set_state(st, SIP_TS_COMPLETED);
	st_linger_later(st);
	if (st->invite) {
		st_end_sched(st, tdef_ms(SIP_TH));
		if (!sip_transport_reliable(st->src.proto)) {
			st->retx_ms = tdef_ms(SIP_T1);
			sched_ms(&st->t_retx, st->retx_ms);
		}
	} else {
		st_end_sched(st, absorb_ms(st->src.proto, SIP_TJ));
	}
	return 0;
}

int sip_strans_reply(struct sip_strans *st, uint16_t status, const char *reason, const char *extra)
{
	struct msgb *m = sip_strans_msgb(st, 4096 + (extra ? strlen(extra) : 0));
	int rc;

	if (!m)
		return -ENOMEM;
	rc = sip_build_response(m, st->req, status, reason, st->to_tag);
	if (!rc && extra) {
		size_t n = strlen(extra);

		if ((size_t)msgb_tailroom(m) < n)
			rc = -EMSGSIZE;
		else
			memcpy(msgb_put(m, n), extra, n);
	}
	rc = rc ?: sip_build_no_body(m);
	if (rc) {
		msgb_free(m);
		ctr_inc(st->tl, SIP_TL_CTR_TX_ERRORS);
		return rc;
	}
	return sip_strans_respond(st, status, m);
}

/* The To tag the INVITE's responses carry: the request's own, or ours. */
static struct sip_str st_to_tag(const struct sip_strans *st)
{
	return st->req->to_tag.len ? st->req->to_tag : sip_str_c(st->to_tag);
}

static bool same_sent_by(const struct sip_via *a, const struct sip_via *b)
{
	return sip_str_caseeq_str(a->host, b->host) && a->has_port == b->has_port && a->port == b->port;
}

static bool same_via_2543(const struct sip_via *a, const struct sip_via *b)
{
	return same_sent_by(a, b) && a->branch.len == b->branch.len &&
	       (!a->branch.len || !memcmp(a->branch.p, b->branch.p, a->branch.len));
}

static bool slice_eq(struct sip_str a, struct sip_str b)
{
	return a.len == b.len && (!a.len || !memcmp(a.p, b.p, a.len));
}

/* §17.2.3: does req belong to server transaction st?  match_method: the request's method must be the
 * transaction's (ACK counts as INVITE); for CANCEL lookups pass the method to compare against. */
static bool st_matches(const struct sip_strans *st, const struct sip_msg *req, enum sip_method as_method)
{
	const struct sip_msg *o = st->req;

	if (o->method_id != as_method || (as_method == SIP_METHOD_UNKNOWN && !slice_eq(o->method, req->method)))
		return false;
	if (sip_via_branch_is_rfc3261(&req->via))
		return st->rfc3261 && slice_eq(req->via.branch, o->via.branch) && same_sent_by(&req->via, &o->via);
	/* RFC 2543 (§17.2.3 second part) */
	if (st->rfc3261 || !slice_eq(req->ruri, o->ruri) || !slice_eq(req->from_tag, o->from_tag) ||
	    !slice_eq(req->call_id, o->call_id) || req->cseq.num != o->cseq.num || !same_via_2543(&req->via, &o->via))
		return false;
	if (req->method_id == SIP_METHOD_ACK)
		return slice_eq(req->to_tag, st_to_tag(st));
	return slice_eq(req->to_tag, o->to_tag);
}

static enum sip_method match_method(const struct sip_msg *req)
{
	return req->method_id == SIP_METHOD_ACK ? SIP_METHOD_INVITE : req->method_id;
}

static struct sip_strans *st_find(struct sip_tl *tl, const struct sip_msg *req, enum sip_method as)
{
	struct sip_strans *st;

	if (sip_via_branch_is_rfc3261(&req->via)) {
		sip_htab_for_each(st, &tl->st_by_branch, sip_hash(req->via.branch), bnode)
			if (st_matches(st, req, as))
				return st;
		return NULL;
	}
	sip_htab_for_each(st, &tl->st_by_callid, sip_hash(req->call_id), cnode)
		if (st_matches(st, req, as))
			return st;
	return NULL;
}

struct sip_strans *sip_tl_find_cancelled(struct sip_tl *tl, const struct sip_msg *cancel)
{
	struct sip_strans *st;

	if (sip_via_branch_is_rfc3261(&cancel->via))
		return st_find(tl, cancel, SIP_METHOD_INVITE);
	/* RFC 2543 CANCEL: same as the INVITE except the method (§9.2), To tag compared as in the INVITE */
	sip_htab_for_each(st, &tl->st_by_callid, sip_hash(cancel->call_id), cnode)
		if (st->invite && st_matches(st, cancel, SIP_METHOD_INVITE))
			return st;
	return NULL;
}

bool sip_tl_is_merged(struct sip_tl *tl, const struct sip_msg *req)
{
	struct sip_strans *st;

	if (req->to_tag.len || req->method_id == SIP_METHOD_ACK)
		return false;
	sip_htab_for_each(st, &tl->st_by_callid, sip_hash(req->call_id), cnode) {
		const struct sip_msg *o = st->req;

		if (slice_eq(o->call_id, req->call_id) && slice_eq(o->from_tag, req->from_tag) &&
		    o->cseq.num == req->cseq.num && slice_eq(o->cseq.method, req->cseq.method) &&
		    !st_matches(st, req, match_method(req)))
			return true;
	}
	return false;
}

bool sip_tl_is_looped(struct sip_tl *tl, const struct sip_msg *req)
{
	struct sip_hdr_iter it;
	struct sip_str elem;

	sip_hdr_iter_init(&it, req, SIP_HDR_VIA);
	while (sip_hdr_iter_next(&it, &elem) == 1) {
		struct sip_via via;
		struct sip_ctrans *ct;

		if (sip_via_parse(&via, elem) < 0 || !via.has_branch)
			continue;
		sip_htab_for_each(ct, &tl->ct_by_branch, sip_hash(via.branch), bnode) {
			if (!sip_str_eq(via.branch, ct->branch) || ct->method != req->method_id)
				continue;
			if (parse_stored(tl, ct->req) == 0 && slice_eq(tl->scratch->ruri, req->ruri))
				return true;
		}
	}
	return false;
}

bool sip_tl_ack_2xx(struct sip_tl *tl, const struct sip_msg *ack)
{
	struct sip_strans *st;

	sip_htab_for_each(st, &tl->st_by_callid, sip_hash(ack->call_id), cnode) {
		const struct sip_msg *o = st->req;

		if (st->invite && st->state == SIP_TS_ACCEPTED && slice_eq(o->call_id, ack->call_id) &&
		    slice_eq(o->from_tag, ack->from_tag) && o->cseq.num == ack->cseq.num &&
		    slice_eq(st_to_tag(st), ack->to_tag)) {
			st->acked = true;
			osmo_timer_del(&st->t_retx);
			st_linger_later(st);
			return true;
		}
	}
	return false;
}

/* A request that matched st: a retransmission, or the ACK of a 3xx-6xx.  Returns false if the request must go
 * to the core anyway (ACK for a 2xx matched by the RFC 2543 rules). */
static bool st_request(struct sip_strans *st, const struct sip_msg *req)
{
	if (req->method_id == SIP_METHOD_ACK) {
		if (st->state == SIP_TS_ACCEPTED)
			return false;
		if (st->state == SIP_TS_COMPLETED) {
			osmo_timer_del(&st->t_retx);
			st_set_state(st, SIP_TS_CONFIRMED);
			st_end_sched(st, absorb_ms(st->src.proto, SIP_TI));
			st->acked = true;
			st_drop_last(st);	/* Confirmed: the 3xx-6xx is never sent again */
			return true;
		}
		ctr_inc(st->tl, SIP_TL_CTR_RX_REQ_ABSORBED);
		return true;
	}
	ctr_inc(st->tl, SIP_TL_CTR_RX_REQ_ABSORBED);
	switch (st->state) {
	case SIP_TS_PROCEEDING:
	case SIP_TS_COMPLETED:
		/* §17.2.1, §17.2.2: replay the last response */
		if (st->last) {
			ctr_inc(st->tl, SIP_TL_CTR_ST_RETRANSMIT);
			st_xmit_last(st);
		}
		break;
	default:
		/* Trying (NIST), Confirmed, Accepted (RFC 6026 §8.7): absorb */
		break;
	}
	return true;
}

void sip_tl_recv(struct sip_tl *tl, const struct sip_rx *rx)
{
	const struct sip_msg *msg = rx->msg;
	struct sip_strans *st;

	st_linger(tl);
	if (!msg->is_request) {
		struct sip_ctrans *ct = ct_match(tl, msg);

		if (!ct) {
			ctr_inc(tl, SIP_TL_CTR_RX_RSP_STRAY);
			LOGP(DSIP, LOGL_INFO, "response %u matches no transaction, dropped\n", msg->status);
			return;
		}
		ct_response(ct, msg);
		return;
	}
	st = st_find(tl, msg, match_method(msg));
	if (st && st_request(st, msg))
		return;
	if (tl->ops && tl->ops->new_request)
		tl->ops->new_request(tl->priv, rx);
}
