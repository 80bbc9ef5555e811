/*! \file isupdecode.c
 * isupdecode: print an ISUP message (Q.763) field by field.  See --help.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/utils.h>

#include "isup/isup_codec.h"

static const char help_text[] =
"NAME\n"
"    isupdecode - print an ISUP message (ITU-T Q.763) field by field\n"
"\n"
"SYNOPSIS\n"
"    isupdecode [-l|--label] [-m|--m3ua] [HEX...]\n"
"    isupdecode -h|--help\n"
"\n"
"DESCRIPTION\n"
"    Reads one message as hexadecimal octets from the arguments (joined) or, without arguments, from\n"
"    standard input.  Spaces, tabs, newlines, colons, dashes and dots between octets are ignored; a\n"
"    leading 0x is allowed.  By default the message starts at the CIC (as carried in an M3UA Protocol\n"
"    Data parameter after the routing information, or in an MTP3 SIF after the routing label).\n"
"\n"
"    Every field is printed as 'name: value' on its own line, indented by nesting; parameters the\n"
"    codec does not type are printed in hexadecimal with their name (or 'unknown parameter').\n"
"\n"
"OPTIONS\n"
"    -l, --label   the input starts with an ITU MTP3 routing label (4 octets: DPC, OPC, SLS)\n"
"    -m, --m3ua    the input is a whole M3UA message (RFC 4666): the common header is checked and\n"
"                  the ISUP message is taken from the Protocol Data parameter (tag 0x0210)\n"
"    -h, --help    this text\n"
"\n"
"EXIT STATUS\n"
"    0  decoded\n"
"    1  malformed input: 'error at offset N: reason' on standard error, N counted in octets from the\n"
"       start of the input\n"
"    2  usage error\n"
"\n"
"EXAMPLES\n"
"    isupdecode 0100 0c 02 00 02 8a 90\n"
"    isupdecode -l 'bc:41:53:e0:05:00:01:00:20:00:0a:03:02:08:06:03:10:11:11:11:f1:0a:06:03:13:22:22:22:22:00'\n"
"    isupdecode -m < m3ua_data.hex\n";

static void out(int depth, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out(int depth, const char *fmt, ...)
{
	va_list ap;

	printf("%*s", depth * 2, "");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void out_hex(int depth, const char *name, const uint8_t *d, size_t len)
{
	size_t i;

	printf("%*s%s:", depth * 2, "", name);
	if (!len)
		printf(" (empty)");
	for (i = 0; i < len; i++)
		printf(" %02x", d[i]);
	putchar('\n');
}

static const char *vs(const struct value_string *v, unsigned int val)
{
	const char *s = get_value_string_or_null(v, val);
	return s ? s : "spare/reserved";
}

static int fail(size_t offset, const char *reason)
{
	fprintf(stderr, "error at offset %zu: %s\n", offset, reason);
	return 1;
}

/* ---- parameters ---- */

static const struct value_string satellite_names[] = {
	{ 0, "no satellite circuit" }, { 1, "one satellite circuit" }, { 2, "two satellite circuits" }, { 0, NULL }
};
static const struct value_string cc_names[] = {
	{ 0, "not required" }, { 1, "required on this circuit" }, { 2, "performed on a previous circuit" }, { 0, NULL }
};
static const struct value_string e2e_names[] = {
	{ 0, "no end-to-end method available" }, { 1, "pass-along" }, { 2, "SCCP" }, { 3, "pass-along and SCCP" },
	{ 0, NULL }
};
static const struct value_string pref_names[] = {
	{ 0, "preferred all the way" }, { 1, "not required all the way" }, { 2, "required all the way" }, { 0, NULL }
};
static const struct value_string sccp_names[] = {
	{ 0, "no indication" }, { 1, "connectionless" }, { 2, "connection oriented" }, { 3, "both" }, { 0, NULL }
};
static const struct value_string charge_names[] = {
	{ 0, "no indication" }, { 1, "no charge" }, { 2, "charge" }, { 0, NULL }
};
static const struct value_string status_names[] = {
	{ 0, "no indication" }, { 1, "subscriber free" }, { 2, "connect when free" }, { 0, NULL }
};
static const struct value_string category_names[] = {
	{ 0, "no indication" }, { 1, "ordinary subscriber" }, { 2, "payphone" }, { 0, NULL }
};
static const struct value_string cpc_names[] = {
	{ 0x00, "unknown" }, { 0x01, "operator, French" }, { 0x02, "operator, English" }, { 0x03, "operator, German" },
	{ 0x04, "operator, Russian" }, { 0x05, "operator, Spanish" }, { 0x09, "national operator" },
	{ 0x0a, "ordinary calling subscriber" }, { 0x0b, "calling subscriber with priority" },
	{ 0x0c, "data call (voice band data)" }, { 0x0d, "test call" }, { 0x0f, "payphone" }, { 0, NULL }
};
static const struct value_string tmr_names[] = {
	{ 0, "speech" }, { 2, "64 kbit/s unrestricted" }, { 3, "3.1 kHz audio" }, { 6, "64 kbit/s preferred" },
	{ 7, "2x64 kbit/s unrestricted" }, { 8, "384 kbit/s unrestricted" }, { 9, "1536 kbit/s unrestricted" },
	{ 10, "1920 kbit/s unrestricted" }, { 0, NULL }
};
static const struct value_string apri_names[] = {
	{ 0, "presentation allowed" }, { 1, "presentation restricted" }, { 2, "address not available" },
	{ 3, "reserved for restriction by the network" }, { 0, NULL }
};
static const struct value_string screening_names[] = {
	{ 0, "user provided, not verified" }, { 1, "user provided, verified and passed" },
	{ 2, "user provided, verified and failed" }, { 3, "network provided" }, { 0, NULL }
};
static const struct value_string coding_names[] = {
	{ 0, "ITU-T" }, { 1, "ISO/IEC" }, { 2, "national" }, { 3, "specific to identified location" }, { 0, NULL }
};
static const struct value_string cgsmt_names[] = {
	{ 0, "maintenance oriented" }, { 1, "hardware failure oriented" }, { 0, NULL }
};
static const struct value_string itc_names[] = {
	{ 0, "speech" }, { 8, "unrestricted digital information" }, { 9, "restricted digital information" },
	{ 16, "3.1 kHz audio" }, { 17, "unrestricted digital with tones/announcements" }, { 24, "video" },
	{ 0, NULL }
};
static const struct value_string l1_names[] = {
	{ 1, "V.110/X.30" }, { 2, "G.711 mu-law" }, { 3, "G.711 A-law" }, { 4, "G.721" }, { 5, "G.722/G.725" },
	{ 6, "H.261" }, { 7, "non-ITU" }, { 8, "V.120" }, { 9, "X.31" }, { 0, NULL }
};
static const struct value_string redir_ind_names[] = {
	{ 0, "no redirection" }, { 1, "call rerouted" }, { 2, "call rerouted, all information restricted" },
	{ 3, "call diverted" }, { 4, "call diverted, all information restricted" },
	{ 5, "call rerouted, redirection number restricted" }, { 6, "call diversion, redirection number restricted" },
	{ 0, NULL }
};
static const struct value_string redir_reason_names[] = {
	{ 0, "unknown/not available" }, { 1, "user busy" }, { 2, "no reply" }, { 3, "unconditional" },
	{ 4, "deflection during alerting" }, { 5, "deflection immediate response" },
	{ 6, "mobile subscriber not reachable" }, { 0, NULL }
};
static const struct value_string pass_on_names[] = {
	{ 0, "release call" }, { 1, "discard message" }, { 2, "discard parameter" }, { 0, NULL }
};

static void print_number(int d, const struct isup_number *n, enum isup_number_kind kind)
{
	char digits[520];

	if (kind == ISUP_NUM_GENERIC)
		out(d, "number qualifier: %u", n->nqi);
	out(d, "odd/even: %s", n->n_digits & 1 ? "odd" : "even");
	if (kind != ISUP_NUM_SUBSEQUENT)
		out(d, "nature of address: %u (%s)", n->nai, vs(isup_nai_names, n->nai));
	if (kind == ISUP_NUM_CALLED || kind == ISUP_NUM_REDIRECTION || kind == ISUP_NUM_LOCATION)
		out(d, "internal network number: %u (%s)", n->inn_ni,
		    n->inn_ni ? "routing not allowed" : "routing allowed");
	if (kind == ISUP_NUM_CALLING || kind == ISUP_NUM_GENERIC)
		out(d, "number incomplete: %u", n->inn_ni);
	if (kind != ISUP_NUM_SUBSEQUENT)
		out(d, "numbering plan: %u (%s)", n->npi, vs(isup_npi_names, n->npi));
	if (kind == ISUP_NUM_CALLING || kind == ISUP_NUM_REDIRECTING || kind == ISUP_NUM_CONNECTED ||
	    kind == ISUP_NUM_LOCATION || kind == ISUP_NUM_GENERIC)
		out(d, "presentation: %u (%s)", n->apri, vs(apri_names, n->apri));
	if (kind == ISUP_NUM_CALLING || kind == ISUP_NUM_CONNECTED || kind == ISUP_NUM_LOCATION ||
	    kind == ISUP_NUM_GENERIC)
		out(d, "screening: %u (%s)", n->screening, vs(screening_names, n->screening));
	if (isup_number_get_digits(n, digits, sizeof(digits)) >= 0)
		out(d, "digits: %s", digits);
	out(d, "number of digits: %u", n->n_digits);
}

static void print_instr(int d, const struct isup_instr *in, bool param)
{
	out(d, "transit at intermediate exchange: %u (%s)", in->transit,
	    in->transit ? "end node interpretation" : "transit interpretation");
	out(d, "release call: %u", in->release_call);
	out(d, "send notification: %u", in->send_notification);
	out(d, "discard message: %u", in->discard_msg);
	if (param) {
		out(d, "discard parameter: %u", in->discard_param);
		out(d, "pass on not possible: %u (%s)", in->pass_on_not_possible,
		    vs(pass_on_names, in->pass_on_not_possible));
	} else {
		out(d, "pass on not possible: %u (%s)", in->pass_on_not_possible,
		    in->pass_on_not_possible ? "discard information" : "release call");
	}
	if (in->has_bni)
		out(d, "broadband/narrowband interworking: %u", in->bni);
}

static void print_typed(int d, const struct isup_msg *m, uint8_t code, unsigned int idx)
{
	int kind = isup_number_kind_of(code);

	out(d, "%s (0x%02x):", isup_param_name(code), code);
	d++;
	if (kind >= 0) {
		print_number(d, isup_msg_number(m, code, idx), kind);
		return;
	}
	switch (code) {
	case ISUP_P_NCI:
		out(d, "satellite: %u (%s)", m->nci.satellite, vs(satellite_names, m->nci.satellite));
		out(d, "continuity check: %u (%s)", m->nci.continuity, vs(cc_names, m->nci.continuity));
		out(d, "echo control device: %u (%s)", m->nci.echo_device,
		    m->nci.echo_device ? "included" : "not included");
		break;
	case ISUP_P_FCI:
		out(d, "national/international: %u (%s)", m->fci.international,
		    m->fci.international ? "international" : "national");
		out(d, "end-to-end method: %u (%s)", m->fci.e2e_method, vs(e2e_names, m->fci.e2e_method));
		out(d, "interworking: %u (%s)", m->fci.interworking,
		    m->fci.interworking ? "encountered" : "not encountered");
		out(d, "end-to-end information: %u", m->fci.e2e_info);
		out(d, "ISDN user part: %u (%s)", m->fci.isup_all_the_way,
		    m->fci.isup_all_the_way ? "used all the way" : "not used all the way");
		out(d, "ISDN user part preference: %u (%s)", m->fci.isup_pref, vs(pref_names, m->fci.isup_pref));
		out(d, "ISDN access: %u (%s)", m->fci.isdn_access, m->fci.isdn_access ? "ISDN" : "non-ISDN");
		out(d, "SCCP method: %u (%s)", m->fci.sccp_method, vs(sccp_names, m->fci.sccp_method));
		out(d, "national use bits: %u", m->fci.national);
		break;
	case ISUP_P_CPC:
		out(d, "category: %u (%s)", m->cpc, vs(cpc_names, m->cpc));
		break;
	case ISUP_P_TMR:
		out(d, "medium: %u (%s)", m->tmr, vs(tmr_names, m->tmr));
		break;
	case ISUP_P_BCI:
		out(d, "charge: %u (%s)", m->bci.charge, vs(charge_names, m->bci.charge));
		out(d, "called party status: %u (%s)", m->bci.called_status, vs(status_names, m->bci.called_status));
		out(d, "called party category: %u (%s)", m->bci.called_category,
		    vs(category_names, m->bci.called_category));
		out(d, "end-to-end method: %u (%s)", m->bci.e2e_method, vs(e2e_names, m->bci.e2e_method));
		out(d, "interworking: %u", m->bci.interworking);
		out(d, "end-to-end information: %u", m->bci.e2e_info);
		out(d, "ISDN user part: %u", m->bci.isup_all_the_way);
		out(d, "holding: %u", m->bci.holding);
		out(d, "ISDN access: %u", m->bci.isdn_access);
		out(d, "echo control device: %u", m->bci.echo_device);
		out(d, "SCCP method: %u (%s)", m->bci.sccp_method, vs(sccp_names, m->bci.sccp_method));
		break;
	case ISUP_P_OBCI:
		out(d, "in-band information: %u", m->obci.inband);
		out(d, "call diversion may occur: %u", m->obci.diversion_may_occur);
		out(d, "simple segmentation: %u", m->obci.simple_segmentation);
		out(d, "MLPP user: %u", m->obci.mlpp_user);
		break;
	case ISUP_P_OFCI:
		out(d, "closed user group call: %u", m->ofci.cug);
		out(d, "simple segmentation: %u", m->ofci.simple_segmentation);
		out(d, "connected line identity request: %u", m->ofci.connected_line_id_req);
		break;
	case ISUP_P_CAUSE:
		out(d, "coding standard: %u (%s)", m->cause.coding_std, vs(coding_names, m->cause.coding_std));
		out(d, "location: %u (%s)", m->cause.location, vs(isup_cause_location_names, m->cause.location));
		if (m->cause.has_recommendation)
			out(d, "recommendation: %u", m->cause.recommendation);
		out(d, "cause value: %u (%s)", m->cause.value, vs(isup_cause_names, m->cause.value));
		if (m->cause.diag.len)
			out_hex(d, "diagnostics", m->cause.diag.data, m->cause.diag.len);
		break;
	case ISUP_P_EVENT_INFO:
		out(d, "event: %u (%s)", m->event.event, vs(isup_event_names, m->event.event));
		out(d, "presentation restricted: %u", m->event.presentation_restricted);
		break;
	case ISUP_P_REDIRECTION_INFO:
		out(d, "redirecting indicator: %u (%s)", m->redir_info.indicator,
		    vs(redir_ind_names, m->redir_info.indicator));
		out(d, "original redirection reason: %u (%s)", m->redir_info.orig_reason,
		    vs(redir_reason_names, m->redir_info.orig_reason));
		if (m->redir_info.has_octet2) {
			out(d, "redirection counter: %u", m->redir_info.counter);
			out(d, "redirecting reason: %u (%s)", m->redir_info.reason,
			    vs(redir_reason_names, m->redir_info.reason));
		}
		break;
	case ISUP_P_HOP_COUNTER:
		out(d, "hop counter: %u", m->hop_counter);
		break;
	case ISUP_P_CGSMT:
		out(d, "type: %u (%s)", m->cgsmt, vs(cgsmt_names, m->cgsmt));
		break;
	case ISUP_P_RANGE_STATUS: {
		unsigned int i;
		out(d, "range: %u (%u circuits)", m->rs.range, m->rs.range + 1);
		if (m->rs.status_len) {
			out(d, "status:");
			for (i = 0; i <= m->rs.range && i / 8 < m->rs.status_len; i++)
				out(d + 1, "cic+%u: %u", i, isup_rs_status_bit(&m->rs, i));
		}
		break;
	}
	case ISUP_P_SUS_RES_IND:
		out(d, "initiated by: %u (%s)", m->sus_res_network,
		    m->sus_res_network ? "network" : "ISDN subscriber");
		break;
	case ISUP_P_CONTINUITY_IND:
		out(d, "continuity: %u (%s)", m->continuity_ok, m->continuity_ok ? "successful" : "failed");
		break;
	case ISUP_P_USI:
		out(d, "coding standard: %u (%s)", m->usi.coding_std, vs(coding_names, m->usi.coding_std));
		out(d, "information transfer capability: %u (%s)", m->usi.itc, vs(itc_names, m->usi.itc));
		out(d, "transfer mode: %u (%s)", m->usi.transfer_mode, m->usi.transfer_mode ? "packet" : "circuit");
		out(d, "information transfer rate: %u%s", m->usi.itr, m->usi.itr == 16 ? " (64 kbit/s)" : "");
		if (m->usi.has_l1)
			out(d, "layer 1 protocol: %u (%s)", m->usi.l1_proto, vs(l1_names, m->usi.l1_proto));
		if (m->usi.tail.len)
			out_hex(d, "further octets", m->usi.tail.data, m->usi.tail.len);
		break;
	case ISUP_P_ACCESS_TRANSPORT:
		out_hex(d, "information elements", m->access_transport.data, m->access_transport.len);
		break;
	case ISUP_P_PCI: {
		const uint8_t *v = m->pci.data;
		unsigned int p = 0;
		while (p + 1 < m->pci.len) {
			struct isup_instr in;
			uint8_t c = v[p++];
			out(d, "parameter: 0x%02x (%s)", c, isup_param_name(c));
			if (isup_pci_lookup(m, c, &in) == 0)
				print_instr(d + 1, &in, true);
			while (p < m->pci.len && !(v[p] & 0x80))
				p++;
			p++;
		}
		break;
	}
	case ISUP_P_MCI:
		print_instr(d, &m->mci, false);
		if (m->mci_more.len)
			out_hex(d, "further octets", m->mci_more.data, m->mci_more.len);
		break;
	default:
		out(d, "(typed, no printer)");
		break;
	}
}

static void print_raw(int d, const struct isup_msg *m, const struct isup_raw_param *r)
{
	if (r->known)
		out(d, "%s (0x%02x):", isup_param_name(r->code), r->code);
	else
		out(d, "unknown parameter (0x%02x):", r->code);
	out_hex(d + 1, "value", r->val.data, r->val.len);
	if (r->has_instr) {
		out(d + 1, "compatibility instructions:");
		print_instr(d + 2, &r->instr, true);
	}
}

static void print_msg(int d, const struct isup_msg *m)
{
	unsigned int i, r = 0, gen = 0;
	uint32_t done[8] = { 0 };
	uint8_t mand[ISUP_MAX_MAND];
	int n_mand;

	out(d, "cic: %u", m->cic);
	out(d, "message type: %s (0x%02x, %s)", isup_msg_name(m->type), m->type, isup_msg_long_name(m->type));
	if (m->body.data || m->body.len) {
		out_hex(d, "body", m->body.data, m->body.len);
		return;
	}
	/* mandatory parameters in the order of the message table */
	n_mand = isup_msg_mandatory(m->type, mand, sizeof(mand));
	if (n_mand > 0)
		out(d, "mandatory parameters:");
	for (i = 0; i < (unsigned int)n_mand; i++) {
		uint8_t c = mand[i];
		if (isup_param_typed(c)) {
			print_typed(d + 1, m, c, 0);
			done[c >> 5] |= 1u << (c & 31);
		} else {
			out(d + 1, "%s (0x%02x):", isup_param_name(c), c);
			out_hex(d + 2, "value", m->mand[i].data, m->mand[i].len);
		}
	}
	if (!m->n_order)
		return;
	out(d, "optional parameters:");
	for (i = 0; i < m->n_order; i++) {
		uint8_t c = m->order[i];
		if (c == ISUP_P_GENERIC_NUMBER && gen < m->n_generic && isup_msg_has(m, c)) {
			print_typed(d + 1, m, c, gen++);
		} else if (c != ISUP_P_GENERIC_NUMBER && isup_param_typed(c) && isup_msg_has(m, c) &&
			   !(done[c >> 5] & (1u << (c & 31)))) {
			done[c >> 5] |= 1u << (c & 31);
			print_typed(d + 1, m, c, 0);
		} else if (r < m->n_raw && m->raw[r].code == c) {
			print_raw(d + 1, m, &m->raw[r++]);
		}
	}
}

/* ---- input ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Parse text into octets; returns the count, or -1 with *bad_at set to the octet index where it failed. */
static long parse_hex(const char *s, uint8_t **outp, size_t *bad_at)
{
	size_t n = strlen(s), cnt = 0;
	uint8_t *o = malloc(n / 2 + 1);
	int hi = -1;

	if (!o)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int v;
		if (s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X') && hi < 0) {
			i++;
			continue;
		}
		if (isspace((unsigned char)s[i]) || s[i] == ':' || s[i] == '-' || s[i] == '.')
			continue;
		v = hexval((unsigned char)s[i]);
		if (v < 0) {
			*bad_at = cnt;
			free(o);
			return -1;
		}
		if (hi < 0) {
			hi = v;
		} else {
			o[cnt++] = hi << 4 | v;
			hi = -1;
		}
	}
	if (hi >= 0) {
		*bad_at = cnt;
		free(o);
		return -1;
	}
	*outp = o;
	return cnt;
}

static char *read_all(FILE *f)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);

	while (buf) {
		size_t r = fread(buf + len, 1, cap - len - 1, f);
		len += r;
		if (r == 0)
			break;
		if (len + 1 == cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* ---- M3UA (RFC 4666 §3.1, §3.3.1): just enough to find the Protocol Data ---- */

static int m3ua_unwrap(const uint8_t *b, size_t len, size_t *isup_off, size_t *isup_len, struct isup_label *lab,
		       uint8_t *si, uint8_t *ni, uint8_t *mp)
{
	uint32_t mlen;
	size_t p = 8;

	if (len < 8)
		return fail(len, "truncated M3UA common header");
	if (b[0] != 1)
		return fail(0, "M3UA version is not 1");
	if (b[2] != 1 || b[3] != 1)
		return fail(2, "not an M3UA transfer DATA message");
	mlen = (uint32_t)b[4] << 24 | b[5] << 16 | b[6] << 8 | b[7];
	if (mlen < 8 || mlen > len)
		return fail(4, "M3UA message length inconsistent with input");
	out(0, "m3ua:");
	out(1, "version: %u", b[0]);
	out(1, "message class: %u (transfer)", b[2]);
	out(1, "message type: %u (DATA)", b[3]);
	out(1, "length: %u", mlen);
	while (p + 4 <= mlen) {
		uint16_t tag = b[p] << 8 | b[p + 1], tl = b[p + 2] << 8 | b[p + 3];
		if (tl < 4 || p + tl > mlen)
			return fail(p + 2, "M3UA parameter length beyond message");
		if (tag == 0x0210) {
			if (tl < 16)
				return fail(p + 2, "M3UA protocol data too short");
			lab->opc = ((uint32_t)b[p + 4] << 24 | b[p + 5] << 16 | b[p + 6] << 8 | b[p + 7]) & 0x3fff;
			lab->dpc = ((uint32_t)b[p + 8] << 24 | b[p + 9] << 16 | b[p + 10] << 8 | b[p + 11]) & 0x3fff;
			*si = b[p + 12];
			*ni = b[p + 13];
			*mp = b[p + 14];
			lab->sls = b[p + 15];
			*isup_off = p + 16;
			*isup_len = tl - 16;
			return 0;
		}
		out(1, "parameter 0x%04x: %u octets", tag, tl - 4);
		p += (tl + 3) & ~3u;
	}
	return fail(p, "no M3UA protocol data parameter");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "label", no_argument, NULL, 'l' },
		{ "m3ua", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct isup_msg m;
	bool label = false, m3ua = false;
	struct isup_decode_err err = { 0 };
	size_t off = 0, len, bad_at = 0;
	char *text;
	uint8_t *buf = NULL;
	long n;
	int c, rc;

	while ((c = getopt_long(argc, argv, "lmh", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			label = true;
			break;
		case 'm':
			m3ua = true;
			break;
		case 'h':
			fputs(help_text, stdout);
			return 0;
		default:
			fprintf(stderr, "usage: isupdecode [-l|--label] [-m|--m3ua] [HEX...]  (see --help)\n");
			return 2;
		}
	}
	if (label && m3ua) {
		fprintf(stderr, "isupdecode: --label and --m3ua exclude each other\n");
		return 2;
	}
	if (optind < argc) {
		size_t total = 1;
		int i;
		for (i = optind; i < argc; i++)
			total += strlen(argv[i]) + 1;
		text = malloc(total);
		if (!text)
			return 1;
		text[0] = '\0';
		for (i = optind; i < argc; i++) {
			strcat(text, argv[i]);
			strcat(text, " ");
		}
	} else {
		text = read_all(stdin);
		if (!text)
			return 1;
	}
	n = parse_hex(text, &buf, &bad_at);
	free(text);
	if (n < 0)
		return fail(bad_at, "invalid hex input");
	if (n == 0) {
		free(buf);
		fprintf(stderr, "isupdecode: no input (see --help)\n");
		return 2;
	}
	len = n;

	if (m3ua) {
		struct isup_label lab;
		uint8_t si, ni, mp;
		size_t ilen;
		char pc[16];

		rc = m3ua_unwrap(buf, len, &off, &ilen, &lab, &si, &ni, &mp);
		if (rc) {
			free(buf);
			return rc;
		}
		out(1, "protocol data:");
		isup_pc_fmt(pc, sizeof(pc), lab.opc);
		out(2, "opc: %u (%s)", lab.opc, pc);
		isup_pc_fmt(pc, sizeof(pc), lab.dpc);
		out(2, "dpc: %u (%s)", lab.dpc, pc);
		out(2, "service indicator: %u%s", si, si == 5 ? " (ISUP)" : "");
		out(2, "network indicator: %u", ni);
		out(2, "message priority: %u", mp);
		out(2, "sls: %u", lab.sls);
		if (si != 5) {
			free(buf);
			return fail(off - 4, "service indicator is not ISUP (5)");
		}
		len = off + ilen;
	} else if (label) {
		struct isup_label lab;
		char pc[16];

		if (isup_label_decode(&lab, buf, len)) {
			free(buf);
			return fail(len, "truncated routing label");
		}
		out(0, "routing label:");
		isup_pc_fmt(pc, sizeof(pc), lab.dpc);
		out(1, "dpc: %u (%s)", lab.dpc, pc);
		isup_pc_fmt(pc, sizeof(pc), lab.opc);
		out(1, "opc: %u (%s)", lab.opc, pc);
		out(1, "sls: %u", lab.sls);
		off = ISUP_LABEL_LEN;
	}

	rc = isup_decode(&m, buf + off, len - off, &err);
	if (rc) {
		int ret = fail(off + err.offset, err.reason ? err.reason : strerror(-rc));
		free(buf);
		return ret;
	}
	out(0, "isup:");
	print_msg(1, &m);
	free(buf);
	return 0;
}
