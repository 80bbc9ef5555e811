/* SDP builder (RFC 4566): struct sdp_session -> text in a msgb. */
#include <errno.h>
#include <string.h>

#include <osmocom/core/msgb.h>

#include "sip/sdp.h"
#include "sip/sip_str.h"

/* Output cursor: writes into the msgb's tailroom and commits only at the end, so a
 * failed build leaves the msgb as it was. */
struct out {
	char *p;
	size_t left;
	size_t used;
	bool overflow;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->overflow || n > o->left - o->used) {
		o->overflow = true;
		return;
	}
	memcpy(o->p + o->used, s, n);
	o->used += n;
}

static void put_str(struct out *o, struct sdp_str s)
{
	put(o, s.p, s.len);
}

static void put_c(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* prefix, a number in decimal, suffix: the numbers of SDP lines without printf */
static void put_num(struct out *o, const char *prefix, uint64_t v, const char *suffix)
{
	char d[SIP_U64_DEC_MAX];

	put_c(o, prefix);
	put(o, d, sip_u64_dec(d, v, 1));
	put_c(o, suffix);
}

static void crlf(struct out *o)
{
	put(o, "\r\n", 2);
}

static const char *addrtype_str(enum sdp_addrtype t)
{
	return t == SDP_ADDR_IP6 ? "IP6" : "IP4";
}

static void put_conn(struct out *o, const struct sdp_conn *c)
{
	put_c(o, "IN ");
	put_c(o, addrtype_str(c->type));
	put(o, " ", 1);
	put_str(o, c->addr);
	if (c->ttl)
		put_num(o, "/", c->ttl, "");
	if (c->num)
		put_num(o, "/", c->num, "");
}

static void line_str(struct out *o, const char *prefix, struct sdp_str s)
{
	put_c(o, prefix);
	put_str(o, s);
	crlf(o);
}

static void put_bw(struct out *o, const struct sdp_bw *bw, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		put_c(o, "b=");
		put_str(o, bw[i].type);
		put_num(o, ":", bw[i].value, "");
		crlf(o);
	}
}

static void put_dir(struct out *o, enum sdp_dir d)
{
	if (d == SDP_DIR_UNSPEC)
		return;
	put_c(o, "a=");
	put_c(o, get_value_string(sdp_dir_names, d));
	crlf(o);
}

static void put_attrs(struct out *o, const struct sdp_attr *a, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		put_c(o, "a=");
		put_str(o, a[i].name);
		if (a[i].has_value) {
			put(o, ":", 1);
			put_str(o, a[i].value);
		}
		crlf(o);
	}
}

static void put_t38(struct out *o, const struct sdp_t38 *t)
{
	/* T.38 Annex D.2.3 attribute order, as commonly written */
	if (t->present & SDP_T38_VERSION)
		put_num(o, "a=T38FaxVersion:", t->version, "\r\n");
	if (t->present & SDP_T38_MAX_BIT_RATE)
		put_num(o, "a=T38MaxBitRate:", t->max_bit_rate, "\r\n");
	if (t->present & SDP_T38_FILL_BIT_REMOVAL)
		put_c(o, t->fill_bit_removal ? "a=T38FaxFillBitRemoval\r\n" : "a=T38FaxFillBitRemoval:0\r\n");
	if (t->present & SDP_T38_TRANSCODING_MMR)
		put_c(o, t->transcoding_mmr ? "a=T38FaxTranscodingMMR\r\n" : "a=T38FaxTranscodingMMR:0\r\n");
	if (t->present & SDP_T38_TRANSCODING_JBIG)
		put_c(o, t->transcoding_jbig ? "a=T38FaxTranscodingJBIG\r\n" : "a=T38FaxTranscodingJBIG:0\r\n");
	if (t->present & SDP_T38_RATE_MGMT) {
		put_c(o, "a=T38FaxRateManagement:");
		put_c(o, get_value_string(sdp_t38_rate_mgmt_names, t->rate_mgmt));
		crlf(o);
	}
	if (t->present & SDP_T38_MAX_BUFFER)
		put_num(o, "a=T38FaxMaxBuffer:", t->max_buffer, "\r\n");
	if (t->present & SDP_T38_MAX_DATAGRAM)
		put_num(o, "a=T38FaxMaxDatagram:", t->max_datagram, "\r\n");
	if (t->present & SDP_T38_UDP_EC) {
		put_c(o, "a=T38FaxUdpEC:");
		put_c(o, get_value_string(sdp_t38_udp_ec_names, t->udp_ec));
		crlf(o);
	}
}

static void put_pc(struct out *o, const struct sdp_pc_attr *a)
{
	put_c(o, "a=");
	put_c(o, get_value_string(sdp_pc_kind_names, a->kind));
	put(o, ":", 1);
	put_str(o, a->type);
	if (a->kind == SDP_PC_DES) {
		put(o, " ", 1);
		put_c(o, get_value_string(sdp_pc_strength_names, a->strength));
	}
	put(o, " ", 1);
	put_c(o, get_value_string(sdp_pc_status_names, a->status));
	put(o, " ", 1);
	put_c(o, get_value_string(sdp_pc_dir_names, a->dir));
	crlf(o);
}

static void put_media(struct out *o, const struct sdp_media *m)
{
	unsigned int i;

	put_c(o, "m=");
	put_str(o, m->type_str);
	put_num(o, " ", m->port, "");
	if (m->port_count)
		put_num(o, "/", m->port_count, "");
	put(o, " ", 1);
	put_str(o, m->proto_str);
	for (i = 0; i < m->num_fmt; i++) {
		/* RTP formats are written from pt[] so that a built session needs no text for them */
		if (m->proto == SDP_PROTO_RTP_AVP || m->proto == SDP_PROTO_RTP_SAVP)
			put_num(o, " ", m->pt[i], "");
		else {
			put(o, " ", 1);
			put_str(o, m->fmt[i]);
		}
	}
	crlf(o);
	if (m->info.p)
		line_str(o, "i=", m->info);
	if (m->conn.type != SDP_ADDR_NONE) {
		put_c(o, "c=");
		put_conn(o, &m->conn);
		crlf(o);
	}
	put_bw(o, m->bw, m->num_bw);
	if (m->key.p)
		line_str(o, "k=", m->key);
	for (i = 0; i < m->num_rtpmap; i++) {
		const struct sdp_rtpmap *r = &m->rtpmap[i];

		put_num(o, "a=rtpmap:", r->pt, " ");
		put_str(o, r->enc);
		put_num(o, "/", r->clock, "");
		if (r->channels)
			put_num(o, "/", r->channels, "");
		crlf(o);
	}
	for (i = 0; i < m->num_fmtp; i++) {
		put_num(o, "a=fmtp:", m->fmtp[i].pt, " ");
		put_str(o, m->fmtp[i].params);
		crlf(o);
	}
	if (m->ptime)
		put_num(o, "a=ptime:", m->ptime, "\r\n");
	if (m->maxptime)
		put_num(o, "a=maxptime:", m->maxptime, "\r\n");
	if (m->rtcp.present) {
		put_num(o, "a=rtcp:", m->rtcp.port, "");
		if (m->rtcp.conn.type != SDP_ADDR_NONE) {
			put(o, " ", 1);
			put_conn(o, &m->rtcp.conn);
		}
		crlf(o);
	}
	put_t38(o, &m->t38);
	/* RFC 3312 §5.1.1 writes curr, then des, then conf; keep the struct's order */
	for (i = 0; i < m->num_pc; i++)
		put_pc(o, &m->pc[i]);
	put_dir(o, m->dir);
	put_attrs(o, m->attr, m->num_attr);
}

static bool bounds_ok(const struct sdp_session *sdp)
{
	unsigned int i;

	if (sdp->num_media > SDP_MAX_MEDIA || sdp->num_attr > SDP_MAX_ATTR || sdp->num_bw > SDP_MAX_BW
	    || sdp->num_time > SDP_MAX_TIME || sdp->num_repeat > SDP_MAX_REPEAT || sdp->num_email > SDP_MAX_EP
	    || sdp->num_phone > SDP_MAX_EP)
		return false;
	/* fields without which the text would not parse */
	if (!sdp->origin.addr.len || (sdp->conn.type != SDP_ADDR_NONE && !sdp->conn.addr.len))
		return false;
	for (i = 0; i < sdp->num_media; i++) {
		const struct sdp_media *m = &sdp->media[i];

		if (m->num_fmt > SDP_MAX_FMT || m->num_fmt == 0 || m->num_rtpmap > SDP_MAX_FMT
		    || m->num_fmtp > SDP_MAX_FMT || m->num_pc > SDP_MAX_PRECOND || m->num_attr > SDP_MAX_ATTR
		    || m->num_bw > SDP_MAX_BW)
			return false;
		if (!m->type_str.len || !m->proto_str.len || (m->conn.type != SDP_ADDR_NONE && !m->conn.addr.len))
			return false;
		if (m->proto != SDP_PROTO_RTP_AVP && m->proto != SDP_PROTO_RTP_SAVP) {
			unsigned int k;

			for (k = 0; k < m->num_fmt; k++) {
				if (!m->fmt[k].len)
					return false;
			}
		}
	}
	return true;
}

int sdp_build(struct msgb *msg, const struct sdp_session *sdp)
{
	struct out o;
	unsigned int i;
	int tail = msgb_tailroom(msg);

	if (!bounds_ok(sdp))
		return -EINVAL;
	o = (struct out){ .p = (char *)msg->tail, .left = tail > 0 ? tail : 0 };

	put_c(&o, "v=0\r\n");
	put_c(&o, "o=");
	put_str(&o, sdp->origin.username.len ? sdp->origin.username : SDP_STR("-"));
	put_num(&o, " ", sdp->origin.sess_id, " ");
	put_num(&o, "", sdp->origin.sess_version, " IN ");
	put_c(&o, addrtype_str(sdp->origin.type));
	put(&o, " ", 1);
	put_str(&o, sdp->origin.addr);
	crlf(&o);
	/* RFC 4566 §5.3: an empty session name is written as one space */
	line_str(&o, "s=", sdp->name.len ? sdp->name : SDP_STR(" "));
	if (sdp->info.p)
		line_str(&o, "i=", sdp->info);
	if (sdp->uri.p)
		line_str(&o, "u=", sdp->uri);
	for (i = 0; i < sdp->num_email; i++)
		line_str(&o, "e=", sdp->email[i]);
	for (i = 0; i < sdp->num_phone; i++)
		line_str(&o, "p=", sdp->phone[i]);
	if (sdp->conn.type != SDP_ADDR_NONE) {
		put_c(&o, "c=");
		put_conn(&o, &sdp->conn);
		crlf(&o);
	}
	put_bw(&o, sdp->bw, sdp->num_bw);
	if (!sdp->num_time)
		put_c(&o, "t=0 0\r\n");
	for (i = 0; i < sdp->num_time; i++) {
		put_num(&o, "t=", sdp->time[i].start, " ");
		put_num(&o, "", sdp->time[i].stop, "\r\n");
	}
	/* r= lines are kept flat; they all follow the last t= */
	for (i = 0; i < sdp->num_repeat; i++)
		line_str(&o, "r=", sdp->repeat[i]);
	if (sdp->zone.p)
		line_str(&o, "z=", sdp->zone);
	if (sdp->key.p)
		line_str(&o, "k=", sdp->key);
	put_dir(&o, sdp->dir);
	put_attrs(&o, sdp->attr, sdp->num_attr);
	for (i = 0; i < sdp->num_media; i++)
		put_media(&o, &sdp->media[i]);

	if (o.overflow)
		return -EMSGSIZE;
	msgb_put(msg, o.used);
	return 0;
}
