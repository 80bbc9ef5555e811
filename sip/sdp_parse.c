/* SDP parser (RFC 4566), with typed media attributes (RFC 3264, RFC 3605, T.38 Annex D,
 * RFC 3312).  Pure: bytes in, struct out, slices into the input, no allocation. */
#include <errno.h>
#include <string.h>

#include "sip/sdp.h"

const struct value_string sdp_addrtype_names[] = {
	{ SDP_ADDR_NONE, "none" },
	{ SDP_ADDR_IP4, "IP4" },
	{ SDP_ADDR_IP6, "IP6" },
	{ 0, NULL }
};

/* RFC 4566 §6 (sendrecv/sendonly/recvonly/inactive) */
const struct value_string sdp_dir_names[] = {
	{ SDP_DIR_UNSPEC, "unspecified" },
	{ SDP_DIR_SENDRECV, "sendrecv" },
	{ SDP_DIR_SENDONLY, "sendonly" },
	{ SDP_DIR_RECVONLY, "recvonly" },
	{ SDP_DIR_INACTIVE, "inactive" },
	{ 0, NULL }
};

/* RFC 4566 §5.14 media types */
const struct value_string sdp_media_type_names[] = {
	{ SDP_MEDIA_OTHER, "other" },
	{ SDP_MEDIA_AUDIO, "audio" },
	{ SDP_MEDIA_VIDEO, "video" },
	{ SDP_MEDIA_IMAGE, "image" },
	{ SDP_MEDIA_APPLICATION, "application" },
	{ SDP_MEDIA_TEXT, "text" },
	{ SDP_MEDIA_MESSAGE, "message" },
	{ 0, NULL }
};

const struct value_string sdp_proto_names[] = {
	{ SDP_PROTO_OTHER, "other" },
	{ SDP_PROTO_RTP_AVP, "RTP/AVP" },
	{ SDP_PROTO_RTP_SAVP, "RTP/SAVP" },
	{ SDP_PROTO_UDPTL, "udptl" },
	{ 0, NULL }
};

/* T.38 Annex D.2.3 */
const struct value_string sdp_t38_rate_mgmt_names[] = {
	{ SDP_T38_RM_NONE, "none" },
	{ SDP_T38_RM_LOCAL_TCF, "localTCF" },
	{ SDP_T38_RM_TRANSFERRED_TCF, "transferredTCF" },
	{ 0, NULL }
};

const struct value_string sdp_t38_udp_ec_names[] = {
	{ SDP_T38_EC_NONE, "none" },
	{ SDP_T38_EC_FEC, "t38UDPFEC" },
	{ SDP_T38_EC_REDUNDANCY, "t38UDPRedundancy" },
	{ SDP_T38_EC_NOEC, "t38UDPNoEC" },
	{ 0, NULL }
};

/* RFC 3312 §5 */
const struct value_string sdp_pc_kind_names[] = {
	{ SDP_PC_CURR, "curr" },
	{ SDP_PC_DES, "des" },
	{ SDP_PC_CONF, "conf" },
	{ 0, NULL }
};

const struct value_string sdp_pc_strength_names[] = {
	{ SDP_PC_STR_NONE, "none" },
	{ SDP_PC_STR_OPTIONAL, "optional" },
	{ SDP_PC_STR_MANDATORY, "mandatory" },
	{ SDP_PC_STR_FAILURE, "failure" },
	{ SDP_PC_STR_UNKNOWN, "unknown" },
	{ 0, NULL }
};

const struct value_string sdp_pc_status_names[] = {
	{ SDP_PC_E2E, "e2e" },
	{ SDP_PC_LOCAL, "local" },
	{ SDP_PC_REMOTE, "remote" },
	{ 0, NULL }
};

const struct value_string sdp_pc_dir_names[] = {
	{ SDP_PC_DIR_NONE, "none" },
	{ SDP_PC_DIR_SEND, "send" },
	{ SDP_PC_DIR_RECV, "recv" },
	{ SDP_PC_DIR_SENDRECV, "sendrecv" },
	{ 0, NULL }
};

struct sdp_str sdp_str_c(const char *s)
{
	return (struct sdp_str){ .p = s ? s : "", .len = s ? strlen(s) : 0 };
}

bool sdp_str_eq(struct sdp_str a, const char *s)
{
	size_t n = strlen(s);

	return a.len == n && (n == 0 || memcmp(a.p, s, n) == 0);
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

bool sdp_str_ieq(struct sdp_str a, const char *s)
{
	size_t i, n = strlen(s);

	if (a.len != n)
		return false;
	for (i = 0; i < n; i++) {
		if (lower(a.p[i]) != lower(s[i]))
			return false;
	}
	return true;
}

bool sdp_str_same(struct sdp_str a, struct sdp_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* Look a slice up in a value_string table; -1 if absent. */
static int vs_lookup(const struct value_string *vs, struct sdp_str s, bool icase)
{
	for (; vs->str; vs++) {
		if (icase ? sdp_str_ieq(s, vs->str) : sdp_str_eq(s, vs->str))
			return vs->value;
	}
	return -1;
}

/* Parser state: the cursor over the current line's value. */
struct cur {
	const char *p;
	const char *end;
};

struct parser {
	struct sdp_session *sdp;
	struct sdp_parse_err *err;
	unsigned int line;
	struct sdp_media *m;	/* current media section, NULL at session level */
	unsigned int media_line[SDP_MAX_MEDIA];	/* line number of each m= */
};

static int fail(struct parser *ps, int rc, const char *reason)
{
	if (ps->err) {
		ps->err->line = ps->line;
		ps->err->reason = reason;
	}
	return rc;
}

#define BAD(reason) fail(ps, -EBADMSG, reason)
#define TOOMANY(reason) fail(ps, -EMSGSIZE, reason)

/* Next space-separated token (RFC 4566 uses single spaces; runs of them are tolerated). */
static bool tok(struct cur *c, struct sdp_str *out)
{
	const char *s;

	while (c->p < c->end && *c->p == ' ')
		c->p++;
	if (c->p >= c->end)
		return false;
	s = c->p;
	while (c->p < c->end && *c->p != ' ')
		c->p++;
	out->p = s;
	out->len = c->p - s;
	return true;
}

static bool at_end(struct cur *c)
{
	while (c->p < c->end && *c->p == ' ')
		c->p++;
	return c->p >= c->end;
}

/* Rest of the line after leading spaces, trailing spaces dropped. */
static struct sdp_str rest(struct cur *c)
{
	const char *e = c->end;

	while (c->p < e && *c->p == ' ')
		c->p++;
	while (e > c->p && e[-1] == ' ')
		e--;
	return (struct sdp_str){ .p = c->p, .len = e - c->p };
}

static bool u64(struct sdp_str s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (s.len == 0 || s.len > 20)
		return false;
	for (i = 0; i < s.len; i++) {
		unsigned int d;

		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		d = s.p[i] - '0';
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static bool u32(struct sdp_str s, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (!u64(s, max, &v))
		return false;
	*out = v;
	return true;
}

/* Split a slice at the first occurrence of a character. */
static bool split(struct sdp_str s, char ch, struct sdp_str *a, struct sdp_str *b)
{
	const char *x = memchr(s.p, ch, s.len);

	if (!x)
		return false;
	a->p = s.p;
	a->len = x - s.p;
	b->p = x + 1;
	b->len = s.len - a->len - 1;
	return true;
}

static bool token_char(char c)
{
	/* RFC 4566 §9 token-char, minus nothing we need */
	return c > 0x20 && c < 0x7f && c != '"' && c != '(' && c != ')' && c != ',' && c != '/' && c != ':'
	       && c != ';' && c != '<' && c != '=' && c != '>' && c != '?' && c != '@' && c != '[' && c != '\\'
	       && c != ']' && c != '{' && c != '}';
}

static bool is_token(struct sdp_str s)
{
	size_t i;

	if (!s.len)
		return false;
	for (i = 0; i < s.len; i++) {
		if (!token_char(s.p[i]))
			return false;
	}
	return true;
}

static bool addrtype(struct sdp_str nettype, struct sdp_str at, enum sdp_addrtype *out)
{
	if (!sdp_str_eq(nettype, "IN"))
		return false;
	if (sdp_str_eq(at, "IP4"))
		*out = SDP_ADDR_IP4;
	else if (sdp_str_eq(at, "IP6"))
		*out = SDP_ADDR_IP6;
	else
		return false;
	return true;
}

/* An address: printable, no '/', non-empty. */
static bool addr_ok(struct sdp_str a)
{
	size_t i;

	if (!a.len)
		return false;
	for (i = 0; i < a.len; i++) {
		if (a.p[i] <= 0x20 || a.p[i] >= 0x7f || a.p[i] == '/')
			return false;
	}
	return true;
}

/* "IN IP4 addr[/ttl[/num]]" (RFC 4566 §5.7) */
static int parse_conn_fields(struct parser *ps, struct cur *c, struct sdp_conn *conn)
{
	struct sdp_str nt, at, a, x, y;
	uint32_t v;

	if (!tok(c, &nt) || !tok(c, &at) || !tok(c, &a) || !at_end(c))
		return BAD("c= needs <nettype> <addrtype> <address>");
	if (!addrtype(nt, at, &conn->type))
		return BAD("c= network/address type is not IN IP4 or IN IP6");
	if (split(a, '/', &x, &y)) {
		struct sdp_str t, n;

		a = x;
		if (split(y, '/', &t, &n)) {
			if (!u32(t, 255, &v) || !v)
				return BAD("c= bad TTL");
			conn->ttl = v;
			if (!u32(n, 65535, &v) || !v)
				return BAD("c= bad address count");
			conn->num = v;
		} else {
			/* IP6 multicast has no TTL: the single suffix is the count (RFC 4566 §5.7) */
			if (!u32(y, conn->type == SDP_ADDR_IP4 ? 255 : 65535, &v) || !v)
				return BAD("c= bad TTL or address count");
			if (conn->type == SDP_ADDR_IP4)
				conn->ttl = v;
			else
				conn->num = v;
		}
	}
	if (!addr_ok(a))
		return BAD("c= bad address");
	conn->addr = a;
	return 0;
}

static int parse_origin(struct parser *ps, struct cur *c)
{
	struct sdp_origin *o = &ps->sdp->origin;
	struct sdp_str id, ver, nt, at;

	if (!tok(c, &o->username) || !tok(c, &id) || !tok(c, &ver) || !tok(c, &nt) || !tok(c, &at)
	    || !tok(c, &o->addr) || !at_end(c))
		return BAD("o= needs 6 fields");
	if (!u64(id, UINT64_MAX, &o->sess_id))
		return BAD("o= session id is not a number");
	if (!u64(ver, UINT64_MAX, &o->sess_version))
		return BAD("o= session version is not a number");
	if (!addrtype(nt, at, &o->type))
		return BAD("o= network/address type is not IN IP4 or IN IP6");
	if (!addr_ok(o->addr))
		return BAD("o= bad address");
	return 0;
}

static int parse_bw(struct parser *ps, struct cur *c, struct sdp_bw *bw, unsigned int *num)
{
	struct sdp_str t, v, a;

	if (*num >= SDP_MAX_BW)
		return TOOMANY("too many b= lines");
	a = rest(c);
	if (!split(a, ':', &t, &v) || !is_token(t) || !u32(v, UINT32_MAX, &bw[*num].value))
		return BAD("b= needs <bwtype>:<bandwidth>");
	bw[*num].type = t;
	(*num)++;
	return 0;
}

static int parse_time(struct parser *ps, struct cur *c)
{
	struct sdp_session *sdp = ps->sdp;
	struct sdp_str a, b;
	struct sdp_time *t;

	if (sdp->num_time >= SDP_MAX_TIME)
		return TOOMANY("too many t= lines");
	t = &sdp->time[sdp->num_time];
	if (!tok(c, &a) || !tok(c, &b) || !at_end(c) || !u64(a, UINT64_MAX, &t->start)
	    || !u64(b, UINT64_MAX, &t->stop))
		return BAD("t= needs <start> <stop>");
	sdp->num_time++;
	return 0;
}

static int parse_media(struct parser *ps, struct cur *c)
{
	struct sdp_session *sdp = ps->sdp;
	struct sdp_media *m;
	struct sdp_str t, port, proto, f, x, y;
	uint32_t v;
	int rc;

	if (sdp->num_media >= SDP_MAX_MEDIA)
		return TOOMANY("too many m= lines");
	m = &sdp->media[sdp->num_media];
	memset(m, 0, sizeof(*m));
	if (!tok(c, &t) || !tok(c, &port) || !tok(c, &proto))
		return BAD("m= needs <media> <port> <proto> <fmt>...");
	if (!is_token(t))
		return BAD("m= bad media type");
	m->type_str = t;
	rc = vs_lookup(sdp_media_type_names, t, false);
	m->type = rc < 0 ? SDP_MEDIA_OTHER : rc;
	if (split(port, '/', &x, &y)) {
		if (!u32(y, 65535, &v) || !v)
			return BAD("m= bad port count");
		m->port_count = v;
		port = x;
	}
	if (!u32(port, 65535, &v))
		return BAD("m= bad port");
	m->port = v;
	m->proto_str = proto;
	if (sdp_str_eq(proto, "RTP/AVP"))
		m->proto = SDP_PROTO_RTP_AVP;
	else if (sdp_str_eq(proto, "RTP/SAVP"))
		m->proto = SDP_PROTO_RTP_SAVP;
	else if (sdp_str_eq(proto, "udptl") || sdp_str_eq(proto, "UDPTL"))
		m->proto = SDP_PROTO_UDPTL;
	else
		m->proto = SDP_PROTO_OTHER;
	for (x = proto; x.len; ) {
		/* proto is token *("/" token) */
		struct sdp_str a, b;

		if (split(x, '/', &a, &b)) {
			if (!is_token(a))
				return BAD("m= bad proto");
			x = b;
			if (!x.len)
				return BAD("m= bad proto");
		} else {
			if (!is_token(x))
				return BAD("m= bad proto");
			break;
		}
	}
	while (tok(c, &f)) {
		if (m->num_fmt >= SDP_MAX_FMT)
			return TOOMANY("too many formats on m= line");
		if (!is_token(f))
			return BAD("m= bad format");
		if (m->proto == SDP_PROTO_RTP_AVP || m->proto == SDP_PROTO_RTP_SAVP) {
			/* RFC 3551 §3: RTP formats are payload type numbers */
			if (!u32(f, 127, &v))
				return BAD("m= RTP format is not a payload type 0..127");
			m->pt[m->num_fmt] = v;
		}
		m->fmt[m->num_fmt++] = f;
	}
	if (!m->num_fmt)
		return BAD("m= needs at least one format");
	ps->media_line[sdp->num_media++] = ps->line;
	ps->m = m;
	return 0;
}

static int set_dir(struct parser *ps, enum sdp_dir *dir, enum sdp_dir d)
{
	if (*dir != SDP_DIR_UNSPEC)
		return BAD("more than one direction attribute");
	*dir = d;
	return 0;
}

static int add_raw(struct parser *ps, struct sdp_attr *attrs, unsigned int *num, struct sdp_str name,
		   struct sdp_str value, bool has_value)
{
	if (*num >= SDP_MAX_ATTR)
		return TOOMANY("too many a= lines");
	attrs[*num] = (struct sdp_attr){ .name = name, .value = value, .has_value = has_value };
	(*num)++;
	return 0;
}

static int parse_rtpmap(struct parser *ps, struct sdp_media *m, struct sdp_str val)
{
	struct cur c = { .p = val.p, .end = val.p + val.len };
	struct sdp_str pt, enc, name, rate, clk, ch;
	struct sdp_rtpmap *r;
	uint32_t v;

	if (!tok(&c, &pt) || !tok(&c, &enc) || !at_end(&c))
		return BAD("rtpmap needs <pt> <encoding>/<clock>[/<params>]");
	if (!u32(pt, 127, &v))
		return BAD("rtpmap payload type is not 0..127");
	if (sdp_media_rtpmap(m, v))
		return BAD("duplicate rtpmap for a payload type");
	if (m->num_rtpmap >= SDP_MAX_FMT)
		return TOOMANY("too many rtpmap lines");
	r = &m->rtpmap[m->num_rtpmap];
	r->pt = v;
	if (!split(enc, '/', &name, &rate) || !is_token(name))
		return BAD("rtpmap needs <encoding>/<clock>");
	r->enc = name;
	if (split(rate, '/', &clk, &ch)) {
		if (!u32(ch, 255, &v) || !v)
			return BAD("rtpmap bad channel count");
		r->channels = v;
		rate = clk;
	}
	if (!u32(rate, UINT32_MAX, &r->clock) || !r->clock)
		return BAD("rtpmap bad clock rate");
	m->num_rtpmap++;
	return 0;
}

/* Returns 1 if the fmtp is not numeric (caller keeps it raw). */
static int parse_fmtp(struct parser *ps, struct sdp_media *m, struct sdp_str val)
{
	struct cur c = { .p = val.p, .end = val.p + val.len };
	struct sdp_str pt, params;
	uint32_t v;

	if (!tok(&c, &pt))
		return BAD("fmtp needs <format> <parameters>");
	if (!u32(pt, 127, &v))
		return 1;
	params = rest(&c);
	if (!params.len)
		return BAD("fmtp needs <format> <parameters>");
	if (sdp_media_fmtp(m, v))
		return BAD("duplicate fmtp for a payload type");
	if (m->num_fmtp >= SDP_MAX_FMT)
		return TOOMANY("too many fmtp lines");
	m->fmtp[m->num_fmtp++] = (struct sdp_fmtp){ .pt = v, .params = params };
	return 0;
}

static int parse_rtcp(struct parser *ps, struct sdp_media *m, struct sdp_str val)
{
	struct cur c = { .p = val.p, .end = val.p + val.len };
	struct sdp_str port;
	uint32_t v;
	int rc;

	if (m->rtcp.present)
		return BAD("duplicate rtcp attribute");
	if (!tok(&c, &port) || !u32(port, 65535, &v))
		return BAD("rtcp needs <port> [IN IP4|IP6 <address>]");
	m->rtcp.port = v;
	if (!at_end(&c)) {
		rc = parse_conn_fields(ps, &c, &m->rtcp.conn);
		if (rc)
			return rc;
		if (m->rtcp.conn.ttl || m->rtcp.conn.num)
			return BAD("rtcp address must be unicast");
	}
	m->rtcp.present = true;
	return 0;
}

/* T.38 Annex D.2.3: attribute names are compared case-insensitively because
 * implementations disagree on case. */
static const struct {
	const char *name;
	enum sdp_t38_bits bit;
} t38_attrs[] = {
	{ "T38FaxVersion", SDP_T38_VERSION },
	{ "T38MaxBitRate", SDP_T38_MAX_BIT_RATE },
	{ "T38FaxRateManagement", SDP_T38_RATE_MGMT },
	{ "T38FaxMaxBuffer", SDP_T38_MAX_BUFFER },
	{ "T38FaxMaxDatagram", SDP_T38_MAX_DATAGRAM },
	{ "T38FaxUdpEC", SDP_T38_UDP_EC },
	{ "T38FaxFillBitRemoval", SDP_T38_FILL_BIT_REMOVAL },
	{ "T38FaxTranscodingMMR", SDP_T38_TRANSCODING_MMR },
	{ "T38FaxTranscodingJBIG", SDP_T38_TRANSCODING_JBIG },
};

/* Returns 1 if the name is not a typed T.38 attribute. */
static int parse_t38(struct parser *ps, struct sdp_media *m, struct sdp_str name, struct sdp_str val, bool has_val)
{
	struct sdp_t38 *t = &m->t38;
	enum sdp_t38_bits bit = 0;
	uint32_t v;
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(t38_attrs); i++) {
		if (sdp_str_ieq(name, t38_attrs[i].name)) {
			bit = t38_attrs[i].bit;
			break;
		}
	}
	if (!bit)
		return 1;
	if (t->present & bit)
		return BAD("duplicate T.38 attribute");
	switch (bit) {
	case SDP_T38_FILL_BIT_REMOVAL:
	case SDP_T38_TRANSCODING_MMR:
	case SDP_T38_TRANSCODING_JBIG:
		v = 1;
		if (has_val && !u32(val, 1, &v))
			return BAD("T.38 boolean attribute must be 0 or 1");
		if (bit == SDP_T38_FILL_BIT_REMOVAL)
			t->fill_bit_removal = v;
		else if (bit == SDP_T38_TRANSCODING_MMR)
			t->transcoding_mmr = v;
		else
			t->transcoding_jbig = v;
		break;
	case SDP_T38_RATE_MGMT:
		rc = vs_lookup(sdp_t38_rate_mgmt_names, val, true);
		if (!has_val || rc <= SDP_T38_RM_NONE)
			return BAD("T38FaxRateManagement must be localTCF or transferredTCF");
		t->rate_mgmt = rc;
		break;
	case SDP_T38_UDP_EC:
		rc = vs_lookup(sdp_t38_udp_ec_names, val, true);
		if (!has_val || rc <= SDP_T38_EC_NONE)
			return BAD("T38FaxUdpEC must be t38UDPFEC, t38UDPRedundancy or t38UDPNoEC");
		t->udp_ec = rc;
		break;
	default:
		if (!has_val || !u32(val, UINT32_MAX, &v))
			return BAD("T.38 attribute needs a number");
		if (bit == SDP_T38_VERSION)
			t->version = v;
		else if (bit == SDP_T38_MAX_BIT_RATE)
			t->max_bit_rate = v;
		else if (bit == SDP_T38_MAX_BUFFER)
			t->max_buffer = v;
		else
			t->max_datagram = v;
		break;
	}
	t->present |= bit;
	return 0;
}

/* a=curr / a=des / a=conf (RFC 3312 §5) */
static int parse_pc(struct parser *ps, struct sdp_media *m, enum sdp_pc_kind kind, struct sdp_str val)
{
	struct cur c = { .p = val.p, .end = val.p + val.len };
	struct sdp_pc_attr a = { .kind = kind };
	struct sdp_str s;
	int rc;

	if (!tok(&c, &a.type) || !is_token(a.type))
		return BAD("precondition attribute needs a precondition type");
	if (kind == SDP_PC_DES) {
		if (!tok(&c, &s) || (rc = vs_lookup(sdp_pc_strength_names, s, false)) < 0)
			return BAD("a=des bad strength tag");
		a.strength = rc;
	}
	if (!tok(&c, &s) || (rc = vs_lookup(sdp_pc_status_names, s, false)) < 0)
		return BAD("precondition attribute bad status type");
	a.status = rc;
	if (!tok(&c, &s) || (rc = vs_lookup(sdp_pc_dir_names, s, false)) < 0 || !at_end(&c))
		return BAD("precondition attribute bad direction tag");
	a.dir = rc;
	/* RFC 3312 §5.1: conf only carries send/recv/sendrecv */
	if (kind == SDP_PC_CONF && a.dir == SDP_PC_DIR_NONE)
		return BAD("a=conf direction tag must not be none");
	if (m->num_pc >= SDP_MAX_PRECOND)
		return TOOMANY("too many precondition attributes");
	m->pc[m->num_pc++] = a;
	return 0;
}

static int parse_attr(struct parser *ps, struct cur *c)
{
	struct sdp_session *sdp = ps->sdp;
	struct sdp_media *m = ps->m;
	struct sdp_str all = { .p = c->p, .len = c->end - c->p };
	struct sdp_str name, val = { .p = c->end, .len = 0 };
	bool has_val;
	uint32_t v;
	int rc;

	has_val = split(all, ':', &name, &val);
	if (!has_val)
		name = all;
	if (!is_token(name))
		return BAD("a= bad attribute name");

	if (sdp_str_eq(name, "sendrecv") || sdp_str_eq(name, "sendonly") || sdp_str_eq(name, "recvonly")
	    || sdp_str_eq(name, "inactive")) {
		if (has_val)
			return BAD("direction attribute takes no value");
		return set_dir(ps, m ? &m->dir : &sdp->dir, vs_lookup(sdp_dir_names, name, false));
	}
	if (!m)
		return add_raw(ps, sdp->attr, &sdp->num_attr, name, val, has_val);

	if (sdp_str_eq(name, "rtpmap"))
		return has_val ? parse_rtpmap(ps, m, val) : BAD("rtpmap needs a value");
	if (sdp_str_eq(name, "fmtp")) {
		if (!has_val)
			return BAD("fmtp needs a value");
		rc = parse_fmtp(ps, m, val);
		if (rc <= 0)
			return rc;
		return add_raw(ps, m->attr, &m->num_attr, name, val, has_val);
	}
	if (sdp_str_eq(name, "ptime") || sdp_str_eq(name, "maxptime")) {
		if (!has_val || !u32(val, 100000, &v) || !v)
			return BAD("ptime/maxptime needs a positive number of ms");
		if (name.len == 5) {
			if (m->ptime)
				return BAD("duplicate ptime");
			m->ptime = v;
		} else {
			if (m->maxptime)
				return BAD("duplicate maxptime");
			m->maxptime = v;
		}
		return 0;
	}
	if (sdp_str_eq(name, "rtcp"))
		return has_val ? parse_rtcp(ps, m, val) : BAD("rtcp needs a value");
	if (sdp_str_eq(name, "curr") || sdp_str_eq(name, "des") || sdp_str_eq(name, "conf")) {
		if (!has_val)
			return BAD("precondition attribute needs a value");
		return parse_pc(ps, m, vs_lookup(sdp_pc_kind_names, name, false), val);
	}
	rc = parse_t38(ps, m, name, val, has_val);
	if (rc <= 0)
		return rc;
	return add_raw(ps, m->attr, &m->num_attr, name, val, has_val);
}

/* Which line types may appear where (RFC 4566 §5, the order of the grammar). */
enum where { W_SESSION = 1, W_MEDIA = 2 };

static int parse_line(struct parser *ps, char type, struct cur *c)
{
	struct sdp_session *sdp = ps->sdp;
	struct sdp_media *m = ps->m;
	struct sdp_str *slot;

	switch (type) {
	case 'o':
		return parse_origin(ps, c);
	case 's':
		sdp->name = rest(c);
		return 0;
	case 'i':
		slot = m ? &m->info : &sdp->info;
		if (slot->p)
			return BAD("duplicate i=");
		*slot = rest(c);
		return 0;
	case 'u':
		if (sdp->uri.p)
			return BAD("duplicate u=");
		sdp->uri = rest(c);
		if (!sdp->uri.len)
			return BAD("empty u=");
		return 0;
	case 'e':
	case 'p':
		if ((type == 'e' ? sdp->num_email : sdp->num_phone) >= SDP_MAX_EP)
			return TOOMANY("too many e=/p= lines");
		slot = type == 'e' ? &sdp->email[sdp->num_email++] : &sdp->phone[sdp->num_phone++];
		*slot = rest(c);
		if (!slot->len)
			return BAD("empty e=/p=");
		return 0;
	case 'c': {
		struct sdp_conn *conn = m ? &m->conn : &sdp->conn;

		if (conn->type != SDP_ADDR_NONE)
			return BAD("duplicate c=");
		return parse_conn_fields(ps, c, conn);
	}
	case 'b':
		return m ? parse_bw(ps, c, m->bw, &m->num_bw) : parse_bw(ps, c, sdp->bw, &sdp->num_bw);
	case 't':
		return parse_time(ps, c);
	case 'r':
		if (!sdp->num_time)
			return BAD("r= before t=");
		if (sdp->num_repeat >= SDP_MAX_REPEAT)
			return TOOMANY("too many r= lines");
		sdp->repeat[sdp->num_repeat] = rest(c);
		if (!sdp->repeat[sdp->num_repeat].len)
			return BAD("empty r=");
		sdp->num_repeat++;
		return 0;
	case 'z':
		if (sdp->zone.p)
			return BAD("duplicate z=");
		sdp->zone = rest(c);
		if (!sdp->zone.len)
			return BAD("empty z=");
		return 0;
	case 'k':
		slot = m ? &m->key : &sdp->key;
		if (slot->p)
			return BAD("duplicate k=");
		*slot = rest(c);
		if (!slot->len)
			return BAD("empty k=");
		return 0;
	case 'a':
		return parse_attr(ps, c);
	case 'm':
		return parse_media(ps, c);
	default:
		/* RFC 4566 §5: a description with a type letter we do not know is to be ignored
		 * as a whole, so it cannot be used. */
		return BAD("unknown line type");
	}
}

/* Line types allowed in a media section (RFC 4566 §5: m, i, c, b, k, a). */
static bool media_level(char type)
{
	return type == 'm' || type == 'i' || type == 'c' || type == 'b' || type == 'k' || type == 'a';
}

/* Session-level lines, in grammar order; a line may not follow one that comes later
 * in this list (i/c/b/k/a are checked separately: they follow t= and z=). */
static int session_rank(char type)
{
	switch (type) {
	case 'v': return 0;
	case 'o': return 1;
	case 's': return 2;
	case 'i': return 3;
	case 'u': return 4;
	case 'e': return 5;
	case 'p': return 6;
	case 'c': return 7;
	case 'b': return 8;
	case 't': return 9;
	case 'r': return 9;
	case 'z': return 10;
	case 'k': return 11;
	case 'a': return 12;
	case 'm': return 13;
	default: return -1;
	}
}

static bool value_char_ok(char ch)
{
	/* RFC 4566 §9 text: any byte but NUL, CR, LF */
	return ch != '\0' && ch != '\r' && ch != '\n';
}

int sdp_parse(struct sdp_session *sdp, const char *buf, size_t len, struct sdp_parse_err *err)
{
	struct parser ps = { .sdp = sdp, .err = err };
	const char *p = buf, *end = buf + len;
	bool seen_v = false, seen_o = false, seen_s = false;
	int rank = -1;
	unsigned int i;
	int rc;

	sdp_session_reset(sdp);
	if (err) {
		err->line = 0;
		err->reason = NULL;
	}
	if (!buf || !len)
		return fail(&ps, -EBADMSG, "empty SDP");

	while (p < end) {
		const char *eol = memchr(p, '\n', end - p);
		const char *le = eol ? eol : end;
		struct cur c;
		char type;
		const char *q;

		ps.line++;
		if (le > p && le[-1] == '\r')
			le--;
		if (le == p) {
			/* Tolerate blank lines only at the very end (some stacks add a CRLF). */
			for (q = p; q < end; q++) {
				if (*q != '\r' && *q != '\n')
					return fail(&ps, -EBADMSG, "empty line");
			}
			break;
		}
		for (q = p; q < le; q++) {
			if (!value_char_ok(*q))
				return fail(&ps, -EBADMSG, "NUL or CR inside a line");
		}
		if (le - p < 2 || p[1] != '=')
			return fail(&ps, -EBADMSG, "line is not <type>=<value>");
		type = p[0];
		c.p = p + 2;
		c.end = le;

		if (!seen_v) {
			if (type == 'm')
				return fail(&ps, -EBADMSG, "m= before v=");
			if (type != 'v')
				return fail(&ps, -EBADMSG, "first line is not v=");
		}
		if (type == 'v') {
			if (seen_v)
				return fail(&ps, -EBADMSG, "duplicate v=");
			if (!(le - c.p == 1 && c.p[0] == '0'))
				return fail(&ps, -EBADMSG, "v= is not 0");
			seen_v = true;
			rank = 0;
		} else if (ps.m) {
			if (!media_level(type)) {
				if (session_rank(type) < 0)
					return fail(&ps, -EBADMSG, "unknown line type");
				return fail(&ps, -EBADMSG, "session-level line in a media section");
			}
		} else {
			int r = session_rank(type);

			if (r < 0)
				return fail(&ps, -EBADMSG, "unknown line type");
			if (type == 'o' && seen_o)
				return fail(&ps, -EBADMSG, "duplicate o=");
			if (type == 's' && seen_s)
				return fail(&ps, -EBADMSG, "duplicate s=");
			if (r < rank && !(type == 't' && rank == 9))
				return fail(&ps, -EBADMSG, "line out of order");
			if (r > 1 && !seen_o)
				return fail(&ps, -EBADMSG, "o= missing after v=");
			if (r > 2 && !seen_s)
				return fail(&ps, -EBADMSG, "s= missing after o=");
			if (r > 9 && !sdp->num_time)
				return fail(&ps, -EBADMSG, "t= missing");
			rank = r;
			seen_o |= type == 'o';
			seen_s |= type == 's';
		}
		if (type != 'v') {
			rc = parse_line(&ps, type, &c);
			if (rc)
				return rc;
		}
		if (!eol)
			break;
		p = eol + 1;
	}

	ps.line = 0;
	if (!seen_v)
		return fail(&ps, -EBADMSG, "v= missing");
	if (!seen_o)
		return fail(&ps, -EBADMSG, "o= missing");
	if (!seen_s)
		return fail(&ps, -EBADMSG, "s= missing");
	if (!sdp->num_time)
		return fail(&ps, -EBADMSG, "t= missing");
	/* RFC 4566 §5.7: every stream needs a c=, its own or the session's */
	for (i = 0; i < sdp->num_media; i++) {
		if (!sdp_media_conn(sdp, i)) {
			ps.line = ps.media_line[i];
			return fail(&ps, -EBADMSG, "m= without c= at media or session level");
		}
	}
	return 0;
}

const struct sdp_conn *sdp_media_conn(const struct sdp_session *sdp, unsigned int idx)
{
	if (idx >= sdp->num_media)
		return NULL;
	if (sdp->media[idx].conn.type != SDP_ADDR_NONE)
		return &sdp->media[idx].conn;
	if (sdp->conn.type != SDP_ADDR_NONE)
		return &sdp->conn;
	return NULL;
}

enum sdp_dir sdp_media_dir(const struct sdp_session *sdp, unsigned int idx)
{
	if (idx < sdp->num_media && sdp->media[idx].dir != SDP_DIR_UNSPEC)
		return sdp->media[idx].dir;
	if (sdp->dir != SDP_DIR_UNSPEC)
		return sdp->dir;
	return SDP_DIR_SENDRECV;
}

const struct sdp_rtpmap *sdp_media_rtpmap(const struct sdp_media *m, uint8_t pt)
{
	unsigned int i;

	for (i = 0; i < m->num_rtpmap; i++) {
		if (m->rtpmap[i].pt == pt)
			return &m->rtpmap[i];
	}
	return NULL;
}

const struct sdp_fmtp *sdp_media_fmtp(const struct sdp_media *m, uint8_t pt)
{
	unsigned int i;

	for (i = 0; i < m->num_fmtp; i++) {
		if (m->fmtp[i].pt == pt)
			return &m->fmtp[i];
	}
	return NULL;
}
