/* RFC 3264 offer/answer over struct sdp_session. */
#include <errno.h>
#include <string.h>

#include "sip/sdp.h"

const struct value_string sdp_codec_names[] = {
	{ SDP_CODEC_NONE, "none" },
	{ SDP_CODEC_PCMA, "PCMA" },
	{ SDP_CODEC_PCMU, "PCMU" },
	{ SDP_CODEC_TEL_EVENT, "telephone-event" },
	{ SDP_CODEC_CLEARMODE, "CLEARMODE" },
	{ 0, NULL }
};

static const struct codec_desc {
	const char *enc;	/* rtpmap encoding name (compared case-insensitively, RFC 4566 §6) */
	uint32_t clock;
	int static_pt;		/* -1: dynamic only */
} codec_descs[] = {
	[SDP_CODEC_PCMA] = { "PCMA", 8000, 8 },			/* RFC 3551 §6 Table 4 */
	[SDP_CODEC_PCMU] = { "PCMU", 8000, 0 },			/* RFC 3551 §6 Table 4 */
	[SDP_CODEC_TEL_EVENT] = { "telephone-event", 8000, -1 },	/* RFC 4733 §7.1.1 */
	[SDP_CODEC_CLEARMODE] = { "CLEARMODE", 8000, -1 },	/* RFC 4040 §5 */
};

/* RFC 4733 §2.3: events 0-15 are the DTMF digits 0-9, *, #, A-D. */
static const char tel_event_fmtp[] = "0-15";

/* RFC 3264 §6.1 */
enum sdp_dir sdp_dir_answer(enum sdp_dir offered)
{
	switch (offered) {
	case SDP_DIR_SENDONLY:
		return SDP_DIR_RECVONLY;
	case SDP_DIR_RECVONLY:
		return SDP_DIR_SENDONLY;
	case SDP_DIR_INACTIVE:
		return SDP_DIR_INACTIVE;
	case SDP_DIR_SENDRECV:
	case SDP_DIR_UNSPEC:
	default:
		return SDP_DIR_SENDRECV;
	}
}

enum sdp_codec sdp_media_codec(const struct sdp_media *m, uint8_t pt)
{
	const struct sdp_rtpmap *r = sdp_media_rtpmap(m, pt);
	unsigned int c;

	for (c = SDP_CODEC_PCMA; c < ARRAY_SIZE(codec_descs); c++) {
		const struct codec_desc *d = &codec_descs[c];

		if (r) {
			if (sdp_str_ieq(r->enc, d->enc) && r->clock == d->clock && r->channels <= 1)
				return c;
		} else if (d->static_pt == pt) {
			/* RFC 3551 §6: static PTs need no rtpmap */
			return c;
		}
	}
	return SDP_CODEC_NONE;
}

static bool caps_have(const struct sdp_caps *caps, enum sdp_codec c)
{
	unsigned int i;

	for (i = 0; i < caps->num_codecs && i < SDP_MAX_CODECS; i++) {
		if (caps->codecs[i] == c)
			return true;
	}
	return false;
}

static void fill_origin(struct sdp_session *s, const struct sdp_caps *caps, struct sdp_local_origin *lo)
{
	s->origin.username = sdp_str_c(caps->username ? caps->username : "-");
	s->origin.sess_id = lo->sess_id;
	s->origin.sess_version = lo->sess_version++;
	s->origin.type = caps->addr_type == SDP_ADDR_IP6 ? SDP_ADDR_IP6 : SDP_ADDR_IP4;
	s->origin.addr = sdp_str_c(caps->addr);
	s->name = sdp_str_c(caps->session_name ? caps->session_name : "-");
	s->conn.type = s->origin.type;
	s->conn.addr = s->origin.addr;
	s->num_time = 1;	/* t=0 0: an unbounded session (RFC 3264 §5) */
}

static void add_rtpmap(struct sdp_media *m, uint8_t pt, enum sdp_codec c)
{
	m->rtpmap[m->num_rtpmap++] = (struct sdp_rtpmap){
		.pt = pt,
		.enc = sdp_str_c(codec_descs[c].enc),
		.clock = codec_descs[c].clock,
	};
}

static void add_fmt(struct sdp_media *m, uint8_t pt, struct sdp_str fmt)
{
	m->pt[m->num_fmt] = pt;
	m->fmt[m->num_fmt++] = fmt;
}

static void set_remote(struct sdp_oa_stream *st, const struct sdp_session *sdp, unsigned int i)
{
	const struct sdp_conn *c = sdp_media_conn(sdp, i);

	if (c) {
		st->remote_addr = c->addr;
		st->remote_addr_type = c->type;
	}
	st->remote_port = sdp->media[i].port;
	st->remote_ptime = sdp->media[i].ptime;
}

static bool has_fmt(const struct sdp_media *m, const char *fmt)
{
	unsigned int i;

	for (i = 0; i < m->num_fmt; i++) {
		if (sdp_str_ieq(m->fmt[i], fmt))
			return true;
	}
	return false;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* T.38 Annex D.2.3: version and bit rate are negotiated down; rate management is the
 * offerer's; buffer and datagram sizes describe our own receiver; error correction
 * falls back to ours when we lack the offered scheme. */
static void t38_negotiate(struct sdp_t38 *out, const struct sdp_t38 *off, const struct sdp_t38 *our)
{
	memset(out, 0, sizeof(*out));
	out->present = SDP_T38_VERSION | SDP_T38_RATE_MGMT;
	out->version = (off->present & SDP_T38_VERSION) ? min_u32(off->version, our->version) : 0;
	if (off->present & SDP_T38_MAX_BIT_RATE || our->present & SDP_T38_MAX_BIT_RATE) {
		out->present |= SDP_T38_MAX_BIT_RATE;
		if (!(off->present & SDP_T38_MAX_BIT_RATE))
			out->max_bit_rate = our->max_bit_rate;
		else if (!(our->present & SDP_T38_MAX_BIT_RATE))
			out->max_bit_rate = off->max_bit_rate;
		else
			out->max_bit_rate = min_u32(off->max_bit_rate, our->max_bit_rate);
	}
	out->rate_mgmt = (off->present & SDP_T38_RATE_MGMT) ? off->rate_mgmt : SDP_T38_RM_TRANSFERRED_TCF;
	if (our->present & SDP_T38_MAX_BUFFER) {
		out->present |= SDP_T38_MAX_BUFFER;
		out->max_buffer = our->max_buffer;
	}
	if (our->present & SDP_T38_MAX_DATAGRAM) {
		out->present |= SDP_T38_MAX_DATAGRAM;
		out->max_datagram = our->max_datagram;
	}
	if (off->present & SDP_T38_UDP_EC) {
		out->present |= SDP_T38_UDP_EC;
		out->udp_ec = off->udp_ec;
		bool our_ec = our->present & SDP_T38_UDP_EC;

		if (off->udp_ec == SDP_T38_EC_FEC && (!our_ec || our->udp_ec != SDP_T38_EC_FEC))
			out->udp_ec = our_ec ? our->udp_ec : SDP_T38_EC_REDUNDANCY;
	}
	if (off->present & SDP_T38_FILL_BIT_REMOVAL) {
		out->present |= SDP_T38_FILL_BIT_REMOVAL;
		out->fill_bit_removal = off->fill_bit_removal && our->fill_bit_removal;
	}
	if (off->present & SDP_T38_TRANSCODING_MMR) {
		out->present |= SDP_T38_TRANSCODING_MMR;
		out->transcoding_mmr = off->transcoding_mmr && our->transcoding_mmr;
	}
	if (off->present & SDP_T38_TRANSCODING_JBIG) {
		out->present |= SDP_T38_TRANSCODING_JBIG;
		out->transcoding_jbig = off->transcoding_jbig && our->transcoding_jbig;
	}
}

static bool answer_audio(struct sdp_media *am, struct sdp_oa_stream *st, const struct sdp_media *om,
			 const struct sdp_caps *caps)
{
	int sel = -1, te = -1;
	unsigned int k;
	const struct sdp_fmtp *fmtp;

	if (om->proto != SDP_PROTO_RTP_AVP)
		return false;
	/* RFC 3264 §6.1: keep the offerer's order and numbers */
	for (k = 0; k < om->num_fmt; k++) {
		enum sdp_codec c = sdp_media_codec(om, om->pt[k]);

		if (c == SDP_CODEC_NONE || !caps_have(caps, c))
			continue;
		if (c == SDP_CODEC_TEL_EVENT) {
			if (te < 0)
				te = k;
		} else if (sel < 0) {
			sel = k;
		}
	}
	if (sel < 0)
		return false;

	st->codec = sdp_media_codec(om, om->pt[sel]);
	st->pt = om->pt[sel];
	st->tel_event_pt = te >= 0 ? om->pt[te] : -1;

	am->port = caps->audio_port;
	add_fmt(am, om->pt[sel], om->fmt[sel]);
	add_rtpmap(am, om->pt[sel], st->codec);
	fmtp = sdp_media_fmtp(om, om->pt[sel]);
	if (fmtp)
		am->fmtp[am->num_fmtp++] = *fmtp;
	if (te >= 0) {
		add_fmt(am, om->pt[te], om->fmt[te]);
		add_rtpmap(am, om->pt[te], SDP_CODEC_TEL_EVENT);
		am->fmtp[am->num_fmtp++] = (struct sdp_fmtp){ .pt = om->pt[te], .params = sdp_str_c(tel_event_fmtp) };
	}
	am->ptime = caps->ptime;
	return true;
}

static bool answer_image(struct sdp_media *am, struct sdp_oa_stream *st, const struct sdp_media *om,
			 const struct sdp_caps *caps)
{
	unsigned int k;

	if (!caps->t38 || om->proto != SDP_PROTO_UDPTL || !has_fmt(om, "t38"))
		return false;
	for (k = 0; k < om->num_fmt; k++) {
		if (sdp_str_ieq(om->fmt[k], "t38"))
			break;
	}
	am->port = caps->image_port;
	add_fmt(am, 0, om->fmt[k]);
	t38_negotiate(&am->t38, &om->t38, &caps->t38_params);
	st->t38 = am->t38;
	return true;
}

/* RFC 3264 §8.4: c=0.0.0.0 is RFC 2543's hold: the offerer does not want to receive,
 * which is what sendonly says (and recvonly becomes inactive). */
static enum sdp_dir offered_dir(const struct sdp_session *offer, unsigned int i)
{
	const struct sdp_conn *c = sdp_media_conn(offer, i);
	enum sdp_dir d = sdp_media_dir(offer, i);

	if (c && c->type == SDP_ADDR_IP4 && sdp_str_eq(c->addr, "0.0.0.0")) {
		if (d == SDP_DIR_SENDRECV)
			return SDP_DIR_SENDONLY;
		if (d == SDP_DIR_RECVONLY)
			return SDP_DIR_INACTIVE;
	}
	return d;
}

int sdp_answer(struct sdp_session *answer, struct sdp_oa_result *res, const struct sdp_session *offer,
	       const struct sdp_caps *caps, struct sdp_local_origin *lo)
{
	struct sdp_oa_result tmp;
	unsigned int i;

	if (!res)
		res = &tmp;
	sdp_session_reset(answer);
	memset(res, 0, sizeof(*res));
	if (!caps->addr || !*caps->addr)
		return -EINVAL;
	fill_origin(answer, caps, lo);

	answer->num_media = offer->num_media;
	res->num_streams = offer->num_media;
	for (i = 0; i < offer->num_media; i++) {
		const struct sdp_media *om = &offer->media[i];
		struct sdp_media *am = &answer->media[i];
		struct sdp_oa_stream *st = &res->s[i];
		bool ok = false;

		memset(am, 0, sizeof(*am));
		am->type = om->type;
		am->type_str = om->type_str;
		am->proto = om->proto;
		am->proto_str = om->proto_str;
		st->type = om->type;
		st->tel_event_pt = -1;
		/* RFC 3264 §6: a stream offered with port 0 stays rejected */
		if (om->port) {
			if (om->type == SDP_MEDIA_AUDIO)
				ok = answer_audio(am, st, om, caps);
			else if (om->type == SDP_MEDIA_IMAGE)
				ok = answer_image(am, st, om, caps);
		}
		if (!ok) {
			/* RFC 3264 §6: rejected with port 0, still with one format */
			memset(am, 0, sizeof(*am));
			am->type = om->type;
			am->type_str = om->type_str;
			am->proto = om->proto;
			am->proto_str = om->proto_str;
			add_fmt(am, om->pt[0], om->fmt[0]);
			memset(st, 0, sizeof(*st));
			st->type = om->type;
			st->tel_event_pt = -1;
			continue;
		}
		st->accepted = true;
		st->dir = sdp_dir_answer(offered_dir(offer, i));
		am->dir = st->dir;
		set_remote(st, offer, i);
		res->num_accepted++;
	}
	return res->num_accepted ? 0 : -EPROTO;
}

int sdp_offer(struct sdp_session *offer, const struct sdp_caps *caps, struct sdp_local_origin *lo, bool t38,
	      enum sdp_dir dir)
{
	struct sdp_media *m = &offer->media[0];
	unsigned int i;

	sdp_session_reset(offer);
	memset(m, 0, sizeof(*m));
	if (!caps->addr || !*caps->addr)
		return -EINVAL;
	if (t38) {
		m->type = SDP_MEDIA_IMAGE;
		m->type_str = SDP_STR("image");
		m->proto = SDP_PROTO_UDPTL;
		m->proto_str = SDP_STR("udptl");
		m->port = caps->image_port;
		add_fmt(m, 0, SDP_STR("t38"));
		m->t38 = caps->t38_params;
	} else {
		m->type = SDP_MEDIA_AUDIO;
		m->type_str = SDP_STR("audio");
		m->proto = SDP_PROTO_RTP_AVP;
		m->proto_str = SDP_STR("RTP/AVP");
		m->port = caps->audio_port;
		for (i = 0; i < caps->num_codecs && i < SDP_MAX_CODECS; i++) {
			enum sdp_codec c = caps->codecs[i];
			uint8_t pt;

			switch (c) {
			case SDP_CODEC_PCMA:
			case SDP_CODEC_PCMU:
				pt = codec_descs[c].static_pt;
				break;
			case SDP_CODEC_TEL_EVENT:
				pt = caps->tel_event_pt;
				break;
			case SDP_CODEC_CLEARMODE:
				pt = caps->clearmode_pt;
				break;
			default:
				return -EINVAL;
			}
			if (pt > 127)
				return -EINVAL;
			add_fmt(m, pt, SDP_STR(""));
			add_rtpmap(m, pt, c);
			if (c == SDP_CODEC_TEL_EVENT)
				m->fmtp[m->num_fmtp++] = (struct sdp_fmtp){ .pt = pt,
									    .params = sdp_str_c(tel_event_fmtp) };
		}
		if (!m->num_fmt || (m->num_fmt == 1 && caps_have(caps, SDP_CODEC_TEL_EVENT)))
			return -EINVAL;
		m->ptime = caps->ptime;
	}
	m->dir = dir;
	offer->num_media = 1;
	fill_origin(offer, caps, lo);
	return 0;
}

int sdp_process_answer(struct sdp_oa_result *res, const struct sdp_session *offer, const struct sdp_session *answer)
{
	unsigned int i, k;

	memset(res, 0, sizeof(*res));
	/* RFC 3264 §6: same number of m= lines, in the same order */
	if (answer->num_media != offer->num_media)
		return -EPROTO;
	res->num_streams = offer->num_media;
	for (i = 0; i < offer->num_media; i++) {
		const struct sdp_media *om = &offer->media[i];
		const struct sdp_media *am = &answer->media[i];
		struct sdp_oa_stream *st = &res->s[i];

		st->type = om->type;
		st->tel_event_pt = -1;
		if (am->type != om->type || am->proto != om->proto || !sdp_str_same(am->type_str, om->type_str))
			return -EPROTO;
		if (!om->port && am->port)
			return -EPROTO;	/* RFC 3264 §6: cannot accept what we rejected */
		if (!am->port)
			continue;
		if (om->type == SDP_MEDIA_AUDIO && om->proto == SDP_PROTO_RTP_AVP) {
			int sel = -1;

			for (k = 0; k < am->num_fmt; k++) {
				enum sdp_codec c = sdp_media_codec(am, am->pt[k]);
				unsigned int j;
				bool offered = false;

				for (j = 0; j < om->num_fmt; j++)
					offered |= sdp_media_codec(om, om->pt[j]) == c;
				if (c == SDP_CODEC_NONE || !offered)
					continue;
				if (c == SDP_CODEC_TEL_EVENT) {
					if (st->tel_event_pt < 0)
						st->tel_event_pt = am->pt[k];
				} else if (sel < 0) {
					sel = k;
				}
			}
			/* RFC 3264 §6.1: an accepted audio stream lists a codec from the offer */
			if (sel < 0)
				return -EPROTO;
			st->codec = sdp_media_codec(am, am->pt[sel]);
			st->pt = am->pt[sel];
		} else if (om->type == SDP_MEDIA_IMAGE && om->proto == SDP_PROTO_UDPTL) {
			if (!has_fmt(am, "t38"))
				return -EPROTO;
			st->t38 = am->t38;
		} else {
			return -EPROTO;	/* we never offer other streams with a port */
		}
		st->accepted = true;
		st->dir = sdp_dir_answer(sdp_media_dir(answer, i));
		set_remote(st, answer, i);
		res->num_accepted++;
	}
	return 0;
}
