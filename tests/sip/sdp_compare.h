/* Field-by-field comparison of two parsed SDP sessions, for round-trip checks in the
 * unit tests and the fuzz harness.  Slices compare by content; RTP formats compare by
 * payload type number (the builder writes "8" for a parsed "08"). */
#pragma once

#include <string.h>

#include "sip/sdp.h"

#define SDP_CMP(cond, what) do { if (!(cond)) return (what); } while (0)

static inline const char *sdp_cmp_conn(const struct sdp_conn *a, const struct sdp_conn *b)
{
	SDP_CMP(a->type == b->type, "conn type");
	if (a->type == SDP_ADDR_NONE)
		return NULL;
	SDP_CMP(sdp_str_same(a->addr, b->addr), "conn addr");
	SDP_CMP(a->ttl == b->ttl && a->num == b->num, "conn ttl/num");
	return NULL;
}

static inline const char *sdp_cmp_opt(struct sdp_str a, struct sdp_str b)
{
	if (!a.p || !b.p)
		return (!a.p && !b.p) ? NULL : "optional field presence";
	return sdp_str_same(a, b) ? NULL : "optional field value";
}

static inline const char *sdp_cmp_attrs(const struct sdp_attr *a, const struct sdp_attr *b, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		SDP_CMP(sdp_str_same(a[i].name, b[i].name), "attr name");
		SDP_CMP(a[i].has_value == b[i].has_value, "attr has_value");
		SDP_CMP(!a[i].has_value || sdp_str_same(a[i].value, b[i].value), "attr value");
	}
	return NULL;
}

static inline const char *sdp_cmp_bw(const struct sdp_bw *a, const struct sdp_bw *b, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		SDP_CMP(sdp_str_same(a[i].type, b[i].type) && a[i].value == b[i].value, "bandwidth");
	return NULL;
}

static inline const char *sdp_cmp_media(const struct sdp_media *a, const struct sdp_media *b)
{
	const char *r;
	unsigned int i;

	SDP_CMP(a->type == b->type && sdp_str_same(a->type_str, b->type_str), "media type");
	SDP_CMP(a->port == b->port && a->port_count == b->port_count, "media port");
	SDP_CMP(a->proto == b->proto && sdp_str_same(a->proto_str, b->proto_str), "media proto");
	SDP_CMP(a->num_fmt == b->num_fmt, "media format count");
	for (i = 0; i < a->num_fmt; i++) {
		if (a->proto == SDP_PROTO_RTP_AVP || a->proto == SDP_PROTO_RTP_SAVP)
			SDP_CMP(a->pt[i] == b->pt[i], "media payload type");
		else
			SDP_CMP(sdp_str_same(a->fmt[i], b->fmt[i]), "media format");
	}
	if ((r = sdp_cmp_opt(a->info, b->info)) || (r = sdp_cmp_opt(a->key, b->key)))
		return r;
	if ((r = sdp_cmp_conn(&a->conn, &b->conn)))
		return r;
	SDP_CMP(a->num_bw == b->num_bw, "media bandwidth count");
	if ((r = sdp_cmp_bw(a->bw, b->bw, a->num_bw)))
		return r;
	SDP_CMP(a->num_rtpmap == b->num_rtpmap, "rtpmap count");
	for (i = 0; i < a->num_rtpmap; i++) {
		SDP_CMP(a->rtpmap[i].pt == b->rtpmap[i].pt && sdp_str_same(a->rtpmap[i].enc, b->rtpmap[i].enc)
			&& a->rtpmap[i].clock == b->rtpmap[i].clock && a->rtpmap[i].channels == b->rtpmap[i].channels,
			"rtpmap");
	}
	SDP_CMP(a->num_fmtp == b->num_fmtp, "fmtp count");
	for (i = 0; i < a->num_fmtp; i++)
		SDP_CMP(a->fmtp[i].pt == b->fmtp[i].pt && sdp_str_same(a->fmtp[i].params, b->fmtp[i].params), "fmtp");
	SDP_CMP(a->ptime == b->ptime && a->maxptime == b->maxptime, "ptime");
	SDP_CMP(a->dir == b->dir, "media direction");
	SDP_CMP(a->rtcp.present == b->rtcp.present && a->rtcp.port == b->rtcp.port, "rtcp");
	if ((r = sdp_cmp_conn(&a->rtcp.conn, &b->rtcp.conn)))
		return r;
	SDP_CMP(memcmp(&a->t38, &b->t38, sizeof(a->t38)) == 0, "t38");
	SDP_CMP(a->num_pc == b->num_pc, "precondition count");
	for (i = 0; i < a->num_pc; i++) {
		const struct sdp_pc_attr *x = &a->pc[i], *y = &b->pc[i];

		SDP_CMP(x->kind == y->kind && sdp_str_same(x->type, y->type) && x->strength == y->strength
			&& x->status == y->status && x->dir == y->dir, "precondition");
	}
	SDP_CMP(a->num_attr == b->num_attr, "media attr count");
	return sdp_cmp_attrs(a->attr, b->attr, a->num_attr);
}

/*! NULL if equal, else what differs. */
static inline const char *sdp_compare(const struct sdp_session *a, const struct sdp_session *b)
{
	const char *r;
	unsigned int i;

	SDP_CMP(sdp_str_same(a->origin.username, b->origin.username), "o= username");
	SDP_CMP(a->origin.sess_id == b->origin.sess_id && a->origin.sess_version == b->origin.sess_version,
		"o= id/version");
	SDP_CMP(a->origin.type == b->origin.type && sdp_str_same(a->origin.addr, b->origin.addr), "o= address");
	SDP_CMP(sdp_str_same(a->name, b->name), "s=");
	if ((r = sdp_cmp_opt(a->info, b->info)) || (r = sdp_cmp_opt(a->uri, b->uri))
	    || (r = sdp_cmp_opt(a->zone, b->zone)) || (r = sdp_cmp_opt(a->key, b->key)))
		return r;
	SDP_CMP(a->num_email == b->num_email && a->num_phone == b->num_phone, "e=/p= count");
	for (i = 0; i < a->num_email; i++)
		SDP_CMP(sdp_str_same(a->email[i], b->email[i]), "e=");
	for (i = 0; i < a->num_phone; i++)
		SDP_CMP(sdp_str_same(a->phone[i], b->phone[i]), "p=");
	if ((r = sdp_cmp_conn(&a->conn, &b->conn)))
		return r;
	SDP_CMP(a->num_bw == b->num_bw, "bandwidth count");
	if ((r = sdp_cmp_bw(a->bw, b->bw, a->num_bw)))
		return r;
	SDP_CMP(a->num_time == b->num_time, "t= count");
	for (i = 0; i < a->num_time; i++)
		SDP_CMP(a->time[i].start == b->time[i].start && a->time[i].stop == b->time[i].stop, "t=");
	SDP_CMP(a->num_repeat == b->num_repeat, "r= count");
	for (i = 0; i < a->num_repeat; i++)
		SDP_CMP(sdp_str_same(a->repeat[i], b->repeat[i]), "r=");
	SDP_CMP(a->dir == b->dir, "session direction");
	SDP_CMP(a->num_attr == b->num_attr, "session attr count");
	if ((r = sdp_cmp_attrs(a->attr, b->attr, a->num_attr)))
		return r;
	SDP_CMP(a->num_media == b->num_media, "m= count");
	for (i = 0; i < a->num_media; i++) {
		if ((r = sdp_cmp_media(&a->media[i], &b->media[i])))
			return r;
	}
	return NULL;
}
