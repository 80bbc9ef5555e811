/* Configuration loading: libconfuse schema, checks, conversion to typed structs.
 *
 * The whole schema is declared here, including the parts that later modules
 * implement, so that a file written for a full gateway is checked today.
 * Checks follow what an operator needs to hear before a gateway starts:
 * ranges, point code formats, overlapping CIC ranges, references to trunk
 * groups, associations and next hops that do not exist, duplicate names,
 * addresses that do not parse, TLS files that are missing, port ranges that
 * collide.  All errors of a file are reported, not just the first.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <libgen.h>

#include <confuse.h>
#include <talloc.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/utils.h>

#include <mgcf/log.h>
#include "build_config.h"
#include "src/config.h"
#include "src/config_lines.h"
#include "isup/isup_timers.h"
#include "sip/sip_timers.h"
#include "mgcf/mgcf_timers.h"
#include "dtmf/dtmf_tone_plan.h"

struct osmo_tdef_group mgcfd_tdef_groups[] = {
	{ .name = "isup", .desc = "ISUP timers (Q.764 Annex A)", .tdefs = isup_tdefs },
	{ .name = "m3ua", .desc = "M3UA association timers (RFC 4666)", .tdefs = m3ua_tdefs },
	{ .name = "sip", .desc = "SIP timers (RFC 3261 §17)", .tdefs = sip_tdefs },
	{ .name = "mgcf", .desc = "interworking timers (TS 29.163)", .tdefs = mgcf_tdefs },
	{}
};

/* ------------------------------------------------------------------ schema */

static cfg_opt_t log_opts[] = {
	CFG_STR("target", "stderr", CFGF_NONE),
	CFG_STR("file", NULL, CFGF_NODEFAULT),
	CFG_STR("level", "notice", CFGF_NONE),
	CFG_BOOL("timestamp", cfg_false, CFGF_NONE),
	CFG_BOOL("print-category", cfg_true, CFGF_NONE),
	CFG_STR_LIST("category", NULL, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t vty_opts[] = {
	CFG_STR("address", "127.0.0.1", CFGF_NONE),
	CFG_INT("port", 4280, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t cdr_opts[] = {
	CFG_STR("file", NULL, CFGF_NODEFAULT),
	CFG_END()
};

static cfg_opt_t tls_opts[] = {
	CFG_STR("certificate", NULL, CFGF_NODEFAULT),
	CFG_STR("private-key", NULL, CFGF_NODEFAULT),
	CFG_STR("ca-file", NULL, CFGF_NODEFAULT),
	CFG_BOOL("verify-peer", cfg_true, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t session_timer_opts[] = {
	CFG_STR("mode", "supported", CFGF_NONE),
	CFG_INT("expires", 1800, CFGF_NONE),
	CFG_INT("min-se", 90, CFGF_NONE),
	CFG_STR("refresher", "any", CFGF_NONE),
	CFG_END()
};

static cfg_opt_t next_hop_opts[] = {
	CFG_STR("address", NULL, CFGF_NODEFAULT),
	CFG_INT("priority", 1, CFGF_NONE),
	CFG_INT("options-interval", 0, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t sip_opts[] = {
	CFG_STR("domain", "mgcf.invalid", CFGF_NONE),
	CFG_STR("user-agent", "mgcfd/" PACKAGE_VERSION, CFGF_NONE),
	CFG_STR_LIST("listen", "{udp:127.0.0.1:5060}", CFGF_NONE),
	CFG_SEC("tls", tls_opts, CFGF_NONE),
	CFG_STR_LIST("trusted-peers", NULL, CFGF_NONE),
	CFG_STR("100rel", "supported", CFGF_NONE),
	CFG_STR("precondition", "supported", CFGF_NONE),
	CFG_SEC("session-timer", session_timer_opts, CFGF_NONE),
	CFG_INT("max-message-size", 65535, CFGF_NONE),
	CFG_INT("udp-buffer", 4194304, CFGF_NONE),
	CFG_INT("max-connections", 1024, CFGF_NONE),
	CFG_INT("tcp-idle-timeout", 600, CFGF_NONE),
	CFG_SEC("next-hop", next_hop_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_END()
};

static cfg_opt_t m3ua_opts[] = {
	CFG_STR("transport", "tcp", CFGF_NONE),
	CFG_STR("role", "asp", CFGF_NONE),
	CFG_STR("local", NULL, CFGF_NODEFAULT),
	CFG_STR("remote", NULL, CFGF_NODEFAULT),
	CFG_STR("local-pc", NULL, CFGF_NODEFAULT),
	CFG_STR("adjacent-pc", NULL, CFGF_NODEFAULT),
	CFG_STR("network-indicator", "international", CFGF_NONE),
	CFG_INT("routing-context", -1, CFGF_NONE),
	CFG_STR("traffic-mode", "override", CFGF_NONE),
	CFG_BOOL("reset-on-active", cfg_true, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t span_opts[] = {
	CFG_STR("type", "e1", CFGF_NONE),
	CFG_INT("cic-base", 0, CFGF_NONE),
	CFG_STR("timeslots", NULL, CFGF_NODEFAULT),
	CFG_STR("local", NULL, CFGF_NODEFAULT),
	CFG_STR("remote", NULL, CFGF_NODEFAULT),
	CFG_INT("frames-per-packet", 8, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t trunk_opts[] = {
	CFG_STR("variant", "itu", CFGF_NONE),
	CFG_STR("association", NULL, CFGF_NODEFAULT),
	CFG_STR("dpc", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST("cics", NULL, CFGF_NODEFAULT),
	CFG_STR("hunting", "ascending", CFGF_NONE),
	CFG_STR("direction", "both-way", CFGF_NONE),
	CFG_STR("law", "alaw", CFGF_NONE),
	CFG_STR("tone-plan", "itu", CFGF_NONE),
	CFG_BOOL("echo-control", cfg_false, CFGF_NONE),
	CFG_BOOL("failure-tones", cfg_true, CFGF_NONE),
	CFG_STR("preconditions", "iam-cot", CFGF_NONE),
	CFG_STR("continuity", "none", CFGF_NONE),
	CFG_INT("max-calls", 0, CFGF_NONE),
	CFG_STR_LIST("q850-to-sip", NULL, CFGF_NONE),
	CFG_STR_LIST("sip-to-q850", NULL, CFGF_NONE),
	CFG_SEC("span", span_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_END()
};

static cfg_opt_t route_out_opts[] = {
	CFG_STR("prefix", "", CFGF_NONE),
	CFG_STR("trunk-group", NULL, CFGF_NODEFAULT),
	CFG_INT("strip", 0, CFGF_NONE),
	CFG_STR("prepend", "", CFGF_NONE),
	CFG_STR("nai", "international", CFGF_NONE),
	CFG_END()
};

static cfg_opt_t route_in_opts[] = {
	CFG_STR("trunk-group", NULL, CFGF_NODEFAULT),
	CFG_STR("prefix", "", CFGF_NONE),
	CFG_STR("uri", NULL, CFGF_NODEFAULT),
	CFG_STR("next-hop", NULL, CFGF_NODEFAULT),
	CFG_BOOL("preconditions", cfg_false, CFGF_NONE),
	CFG_STR("country-code", NULL, CFGF_NODEFAULT),
	CFG_END()
};

static cfg_opt_t media_opts[] = {
	CFG_STR("rtp-address", "127.0.0.1", CFGF_NONE),
	CFG_STR("rtp-ports", "16000-16999", CFGF_NONE),
	CFG_INT("threads", 1, CFGF_NONE),
	CFG_STR("dtmf", "rfc4733", CFGF_NONE),
	CFG_STR("fax", "t38", CFGF_NONE),
	CFG_INT("jitter-buffer-min", 20, CFGF_NONE),
	CFG_INT("jitter-buffer-max", 200, CFGF_NONE),
	CFG_INT("ptime", 20, CFGF_NONE),
	CFG_INT("rtp-timeout", 30, CFGF_NONE),
	CFG_BOOL("symmetric-rtp", cfg_false, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t timers_opts[] = {
	CFG_STR_LIST("isup", NULL, CFGF_NONE),
	CFG_STR_LIST("m3ua", NULL, CFGF_NONE),
	CFG_STR_LIST("sip", NULL, CFGF_NONE),
	CFG_STR_LIST("mgcf", NULL, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t simulator_opts[] = {
	CFG_INT("answer-delay", 1000, CFGF_NONE),
	CFG_INT("hold", 0, CFGF_NONE),
	CFG_STR("calling", "4930123456", CFGF_NONE),
	CFG_STR("originate", NULL, CFGF_NODEFAULT),
	CFG_INT("count", 0, CFGF_NONE),
	CFG_INT("rate", 1, CFGF_NONE),
	CFG_STR("trunk-group", NULL, CFGF_NODEFAULT),
	CFG_STR("report", NULL, CFGF_NODEFAULT),
	CFG_STR("continuity", "none", CFGF_NONE),
	CFG_STR("continuity-loop", "working", CFGF_NONE),
	CFG_STR_LIST("on-answer", NULL, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t root_opts[] = {
	CFG_SEC("log", log_opts, CFGF_NONE),
	CFG_SEC("vty", vty_opts, CFGF_NONE),
	CFG_SEC("cdr", cdr_opts, CFGF_NONE),
	CFG_SEC("sip", sip_opts, CFGF_NONE),
	CFG_SEC("m3ua", m3ua_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("trunk-group", trunk_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("route-out", route_out_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("route-in", route_in_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("media", media_opts, CFGF_NONE),
	CFG_SEC("timers", timers_opts, CFGF_NONE),
	CFG_SEC("simulator", simulator_opts, CFGF_NONE),
	CFG_END()
};

/* ------------------------------------------------------------ error report */

struct loader {
	void *ctx;			/* scratch: keys and messages, freed after loading */
	const char *path;
	struct config_lines *lines;
	char *errors;			/* accumulated "FILE:LINE: msg\n" */
	unsigned int num_errors;
	struct mgcfd_config *cfg;
};

/* libconfuse's error callback has no user pointer: the loader in progress is here. */
static __thread struct loader *current_loader;

static void __attribute__((format(printf, 3, 0))) add_error(struct loader *ld, int line, const char *fmt, va_list ap)
{
	char *msg = talloc_vasprintf(ld->ctx, fmt, ap);

	if (line > 0)
		ld->errors = talloc_asprintf_append(ld->errors, "%s:%d: %s\n", ld->path, line, msg);
	else
		ld->errors = talloc_asprintf_append(ld->errors, "%s: %s\n", ld->path, msg);
	ld->num_errors++;
	talloc_free(msg);
}

/* Report an error at the line of KEY (see config_lines.h); falls back to the enclosing section's line. */
static void __attribute__((format(printf, 3, 4))) err_at(struct loader *ld, const char *key, const char *fmt, ...)
{
	va_list ap;
	int line = config_lines_get(ld->lines, key);
	char *k = talloc_strdup(ld->ctx, key);

	/* "a/b:t/c#2" -> "a/b:t/c" -> "a/b:t" -> "a" */
	while (!line) {
		char *cut = strrchr(k, '#');

		if (!cut)
			cut = strrchr(k, '/');
		if (!cut)
			break;
		*cut = '\0';
		line = config_lines_get(ld->lines, k);
	}
	talloc_free(k);
	va_start(ap, fmt);
	add_error(ld, line, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 0))) confuse_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	struct loader *ld = current_loader;
	char *msg;

	if (!ld)
		return;
	msg = talloc_vasprintf(ld->ctx, fmt, ap);
	ld->errors = talloc_asprintf_append(ld->errors, "%s:%d: %s\n", ld->path,
					    config_lines_confuse_line(ld->lines, cfg->line), msg);
	ld->num_errors++;
	talloc_free(msg);
}

/* ------------------------------------------------------- value converters */

static const struct value_string log_level_names[] = {
	{ LOGL_DEBUG, "debug" },
	{ LOGL_INFO, "info" },
	{ LOGL_NOTICE, "notice" },
	{ LOGL_ERROR, "error" },
	{ LOGL_FATAL, "fatal" },
	{ 0, NULL }
};

static char *key_of(struct loader *ld, const char *sec, const char *title, const char *opt)
{
	if (title)
		return talloc_asprintf(ld->ctx, "%s:%s/%s", sec, title, opt);
	return talloc_asprintf(ld->ctx, "%s/%s", sec, opt);
}

static bool parse_enum(struct loader *ld, const char *key, const struct value_string *names, const char *val,
		       int *out)
{
	const struct value_string *vs;
	char *choices;
	int rc = get_string_value(names, val);

	if (rc >= 0) {
		*out = rc;
		return true;
	}
	choices = talloc_strdup(ld->ctx, "");
	for (vs = names; vs->str; vs++)
		choices = talloc_asprintf_append(choices, "%s%s", vs == names ? "" : ", ", vs->str);
	err_at(ld, key, "'%s' is not a valid value (expected one of: %s)", val, choices);
	talloc_free(choices);
	return false;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static bool check_range(struct loader *ld, const char *key, const char *what, long v, long min, long max)
{
	if (v >= min && v <= max)
		return true;
	err_at(ld, key, "%s %ld is out of range (%ld..%ld)", what, v, min, max);
	return false;
}

/*! Point code: plain integer (0..16383) or ITU 3-8-3 "zone-area-sp". */
static bool parse_pc(struct loader *ld, const char *key, const char *s, uint32_t *pc)
{
	unsigned int a, b, c;
	unsigned long v;
	int n;

	if (!s) {
		err_at(ld, key, "point code is missing");
		return false;
	}
	if (parse_uint(s, 16383, &v)) {
		*pc = v;
		return true;
	}
	if (sscanf(s, "%u-%u-%u%n", &a, &b, &c, &n) == 3 && s[n] == '\0' && isdigit((unsigned char)s[0])) {
		if (a > 7 || b > 255 || c > 7) {
			err_at(ld, key, "point code '%s' is not a valid 3-8-3 code (zone 0..7, area 0..255, SP 0..7)", s);
			return false;
		}
		*pc = (a << 11) | (b << 3) | c;
		return true;
	}
	err_at(ld, key, "'%s' is not a point code (an integer 0..16383 or 3-8-3 like 2-150-1)", s);
	return false;
}

static bool is_ip(const char *s)
{
	struct in6_addr a6;
	struct in_addr a4;

	return inet_pton(AF_INET, s, &a4) == 1 || inet_pton(AF_INET6, s, &a6) == 1;
}

/*! "1.2.3.4:5", "[::1]:5", or just an address when the port may be omitted (port_default >= 0). */
static bool parse_hostport(struct loader *ld, const char *key, const char *s, int port_default,
			   struct osmo_sockaddr_str *out)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *hend, *hstart = s;
	unsigned long port;

	if (!s || !*s) {
		err_at(ld, key, "address is missing");
		return false;
	}
	if (s[0] == '[') {
		hstart = s + 1;
		hend = strchr(s, ']');
		if (!hend) {
			err_at(ld, key, "'%s': missing ']' after the IPv6 address", s);
			return false;
		}
		colon = hend[1] == ':' ? hend + 1 : NULL;
		if (hend[1] && !colon) {
			err_at(ld, key, "'%s': expected ':port' after ']'", s);
			return false;
		}
	} else {
		colon = strrchr(s, ':');
		if (colon && strchr(s, ':') != colon) {
			err_at(ld, key, "'%s': write IPv6 addresses as [addr]:port", s);
			return false;
		}
		hend = colon ? colon : s + strlen(s);
	}
	if ((size_t)(hend - hstart) >= sizeof(host) || hend == hstart) {
		err_at(ld, key, "'%s' is not a valid address", s);
		return false;
	}
	memcpy(host, hstart, hend - hstart);
	host[hend - hstart] = '\0';
	if (!is_ip(host)) {
		err_at(ld, key, "'%s' is not an IPv4 or IPv6 address", host);
		return false;
	}
	if (colon) {
		if (!parse_uint(colon + 1, 65535, &port)) {
			err_at(ld, key, "'%s': port must be a number 0..65535", s);
			return false;
		}
	} else if (port_default >= 0) {
		port = port_default;
	} else {
		err_at(ld, key, "'%s': a port is required (addr:port)", s);
		return false;
	}
	if (osmo_sockaddr_str_from_str(out, host, port) < 0) {
		err_at(ld, key, "'%s' is not a valid address", s);
		return false;
	}
	return true;
}

/*! "udp:1.2.3.4:5060" → transport + address (port defaults to 5060, 5061 for TLS). */
static bool parse_sip_addr(struct loader *ld, const char *key, const char *s, enum sip_transport *tp,
			   struct osmo_sockaddr_str *addr)
{
	const char *colon = s ? strchr(s, ':') : NULL;
	char *proto;
	int t;
	bool ok;

	if (!colon) {
		err_at(ld, key, "'%s': expected transport:address[:port], e.g. udp:127.0.0.1:5060", s ? s : "");
		return false;
	}
	proto = talloc_strndup(ld->ctx, s, colon - s);
	ok = parse_enum(ld, key, sip_transport_names, proto, &t);
	talloc_free(proto);
	if (!ok)
		return false;
	*tp = t;
	return parse_hostport(ld, key, colon + 1, t == SIP_TRANSPORT_TLS ? 5061 : 5060, addr);
}

/*! "1-15,17-31" or "5": a list of inclusive ranges within [min, max]. */
static bool parse_ranges(struct loader *ld, const char *key, const char *s, unsigned int min, unsigned int max,
			 struct isup_cic_range **out, unsigned int *num)
{
	const char *p = s;

	if (!s || !*s) {
		err_at(ld, key, "range is empty");
		return false;
	}
	while (*p) {
		unsigned long a, b;
		char *end;

		while (*p == ' ' || *p == ',')
			p++;
		if (!*p)
			break;
		if (!isdigit((unsigned char)*p))
			goto bad;
		a = strtoul(p, &end, 10);
		b = a;
		p = end;
		while (*p == ' ')
			p++;
		if (*p == '-') {
			p++;
			while (*p == ' ')
				p++;
			if (!isdigit((unsigned char)*p))
				goto bad;
			b = strtoul(p, &end, 10);
			p = end;
		}
		while (*p == ' ')
			p++;
		if (*p && *p != ',')
			goto bad;
		if (a > b) {
			err_at(ld, key, "range %lu-%lu runs backwards", a, b);
			return false;
		}
		if (a < min || b > max) {
			err_at(ld, key, "range %lu-%lu is outside %u..%u", a, b, min, max);
			return false;
		}
		*out = talloc_realloc(ld->ctx, *out, struct isup_cic_range, *num + 1);
		(*out)[*num].first = a;
		(*out)[*num].last = b;
		(*num)++;
	}
	return true;
bad:
	err_at(ld, key, "'%s' is not a list of numbers and ranges like 1-15,17-31", s);
	return false;
}

static bool ranges_overlap(const struct isup_cic_range *a, const struct isup_cic_range *b)
{
	return a->first <= b->last && b->first <= a->last;
}

static bool check_readable(struct loader *ld, const char *key, const char *what, const char *file)
{
	if (access(file, R_OK) == 0)
		return true;
	err_at(ld, key, "%s '%s' cannot be read: %s", what, file, strerror(errno));
	return false;
}

/* ----------------------------------------------------------------- sections */

static void load_log(struct loader *ld, cfg_t *sec)
{
	struct mgcfd_log_cfg *l = &ld->cfg->log;
	unsigned int i;
	int v;

	if (parse_enum(ld, "log/target", (const struct value_string[]){
				{ MGCFD_LOG_STDERR, "stderr" }, { MGCFD_LOG_SYSLOG, "syslog" },
				{ MGCFD_LOG_FILE, "file" }, { 0, NULL } }, cfg_getstr(sec, "target"), &v))
		l->target = v;
	if (cfg_getstr(sec, "file"))
		l->file = talloc_strdup(ld->cfg, cfg_getstr(sec, "file"));
	if (l->target == MGCFD_LOG_FILE && !l->file)
		err_at(ld, "log/target", "log target 'file' needs 'file = \"PATH\"'");
	if (parse_enum(ld, "log/level", log_level_names, cfg_getstr(sec, "level"), &v))
		l->level = v;
	l->timestamp = cfg_getbool(sec, "timestamp");
	l->print_category = cfg_getbool(sec, "print-category");
	for (i = 0; i < cfg_size(sec, "category"); i++) {
		const char *item = cfg_getnstr(sec, "category", i);
		char *key = talloc_asprintf(ld->ctx, "log/category#%u", i);
		const char *eq = strchr(item, '=');
		char *name;
		int cat, lvl;

		if (!eq) {
			err_at(ld, key, "'%s': expected CATEGORY=LEVEL, e.g. DSIP=debug", item);
			continue;
		}
		name = talloc_strndup(ld->ctx, item, eq - item);
		cat = -1;
		for (v = 0; v < (int)mgcf_log_info.num_cat; v++) {
			if (!strcasecmp(mgcf_log_info.cat[v].name, name) ||
			    !strcasecmp(mgcf_log_info.cat[v].name + 1, name))
				cat = v;
		}
		lvl = get_string_value(log_level_names, eq + 1);
		if (cat < 0)
			err_at(ld, key, "'%s' is not a log category", name);
		else if (lvl < 0)
			err_at(ld, key, "'%s' is not a log level", eq + 1);
		else {
			l->cats = talloc_realloc(ld->cfg, l->cats, struct mgcfd_log_cat_level, l->num_cats + 1);
			l->cats[l->num_cats].cat = cat;
			l->cats[l->num_cats].level = lvl;
			l->num_cats++;
		}
	}
}

static void load_vty(struct loader *ld, cfg_t *sec)
{
	const char *addr = cfg_getstr(sec, "address");

	if (!is_ip(addr))
		err_at(ld, "vty/address", "'%s' is not an IPv4 or IPv6 address", addr);
	ld->cfg->vty.address = talloc_strdup(ld->cfg, addr);
	if (check_range(ld, "vty/port", "VTY port", cfg_getint(sec, "port"), 1, 65535))
		ld->cfg->vty.port = cfg_getint(sec, "port");
}

static void load_cdr(struct loader *ld, cfg_t *sec)
{
	const char *file = cfg_getstr(sec, "file");
	char *dir;

	if (!file)
		return;
	ld->cfg->mgcf.cdr_file = talloc_strdup(ld->cfg, file);
	dir = talloc_strdup(ld->ctx, file);
	if (access(dirname(dir), W_OK) < 0)
		err_at(ld, "cdr/file", "CDR directory of '%s' is not writable: %s", file, strerror(errno));
	talloc_free(dir);
}

static void load_sip(struct loader *ld, cfg_t *sec)
{
	struct sip_cfg *s = &ld->cfg->sip;
	cfg_t *tls = cfg_getsec(sec, "tls"), *st = cfg_getsec(sec, "session-timer");
	bool have_tls = false;
	unsigned int i, j;
	int v;

	s->domain = talloc_strdup(ld->cfg, cfg_getstr(sec, "domain"));
	s->user_agent = talloc_strdup(ld->cfg, cfg_getstr(sec, "user-agent"));

	if (cfg_size(sec, "listen") == 0)
		err_at(ld, "sip/listen", "at least one SIP listener is needed");
	for (i = 0; i < cfg_size(sec, "listen"); i++) {
		char *key = talloc_asprintf(ld->ctx, "sip/listen#%u", i);
		struct sip_listen_cfg l;

		if (!parse_sip_addr(ld, key, cfg_getnstr(sec, "listen", i), &l.transport, &l.addr))
			continue;
		for (j = 0; j < s->num_listen; j++) {
			/* UDP and TCP may share a port; two listeners of one transport may not */
			if (s->listen[j].transport == l.transport && !osmo_sockaddr_str_cmp(&s->listen[j].addr, &l.addr))
				err_at(ld, key, "listener '%s' is given twice", cfg_getnstr(sec, "listen", i));
		}
		if (l.transport == SIP_TRANSPORT_TLS)
			have_tls = true;
		s->listen = talloc_realloc(ld->cfg, s->listen, struct sip_listen_cfg, s->num_listen + 1);
		s->listen[s->num_listen++] = l;
	}

	s->tls.verify_peer = cfg_getbool(tls, "verify-peer");
	if (cfg_getstr(tls, "certificate")) {
		s->tls.certificate = talloc_strdup(ld->cfg, cfg_getstr(tls, "certificate"));
		check_readable(ld, "sip/tls/certificate", "TLS certificate", s->tls.certificate);
	}
	if (cfg_getstr(tls, "private-key")) {
		s->tls.private_key = talloc_strdup(ld->cfg, cfg_getstr(tls, "private-key"));
		check_readable(ld, "sip/tls/private-key", "TLS private key", s->tls.private_key);
	}
	if (cfg_getstr(tls, "ca-file")) {
		s->tls.ca_file = talloc_strdup(ld->cfg, cfg_getstr(tls, "ca-file"));
		check_readable(ld, "sip/tls/ca-file", "TLS CA file", s->tls.ca_file);
	}
	if (have_tls && (!s->tls.certificate || !s->tls.private_key))
		err_at(ld, "sip/listen", "a TLS listener needs sip { tls { certificate = …; private-key = … } }");

	for (i = 0; i < cfg_size(sec, "trusted-peers"); i++) {
		const char *item = cfg_getnstr(sec, "trusted-peers", i);
		char *key = talloc_asprintf(ld->ctx, "sip/trusted-peers#%u", i);
		char *addr = talloc_strdup(ld->ctx, item), *slash = strchr(addr, '/');
		struct sip_net n = {};
		unsigned long plen;
		int af;

		if (slash)
			*slash = '\0';
		if (inet_pton(AF_INET, addr, &n.addr.u.sin.sin_addr) == 1)
			af = AF_INET;
		else if (inet_pton(AF_INET6, addr, &n.addr.u.sin6.sin6_addr) == 1)
			af = AF_INET6;
		else {
			err_at(ld, key, "'%s' is not a network (ADDRESS/PREFIX-LENGTH)", item);
			continue;
		}
		n.addr.u.sa.sa_family = af;
		plen = af == AF_INET ? 32 : 128;
		if (slash && !parse_uint(slash + 1, af == AF_INET ? 32 : 128, &plen)) {
			err_at(ld, key, "'%s': prefix length must be 0..%d", item, af == AF_INET ? 32 : 128);
			continue;
		}
		n.prefix_len = plen;
		s->trusted = talloc_realloc(ld->cfg, s->trusted, struct sip_net, s->num_trusted + 1);
		s->trusted[s->num_trusted++] = n;
	}

	if (parse_enum(ld, "sip/100rel", sip_ext_policy_names, cfg_getstr(sec, "100rel"), &v))
		s->rel100 = v;
	if (parse_enum(ld, "sip/precondition", sip_ext_policy_names, cfg_getstr(sec, "precondition"), &v))
		s->precondition = v;
	if (s->precondition != SIP_EXT_DISABLED && s->rel100 == SIP_EXT_DISABLED)
		err_at(ld, "sip/precondition", "preconditions need reliable provisional responses (100rel)");
	if (parse_enum(ld, "sip/session-timer/mode", sip_ext_policy_names, cfg_getstr(st, "mode"), &v))
		s->session_timer = v;
	if (parse_enum(ld, "sip/session-timer/refresher", sip_refresher_names, cfg_getstr(st, "refresher"), &v))
		s->refresher = v;
	/* RFC 4028 §4: Min-SE is at least 90 s; Session-Expires no less than Min-SE */
	if (check_range(ld, "sip/session-timer/min-se", "Min-SE", cfg_getint(st, "min-se"), 90, 86400))
		s->min_se_s = cfg_getint(st, "min-se");
	if (check_range(ld, "sip/session-timer/expires", "Session-Expires", cfg_getint(st, "expires"), 90, 86400))
		s->session_expires_s = cfg_getint(st, "expires");
	if (s->min_se_s && s->session_expires_s && s->session_expires_s < s->min_se_s)
		err_at(ld, "sip/session-timer/expires", "Session-Expires %u is below Min-SE %u", s->session_expires_s,
		       s->min_se_s);
	if (check_range(ld, "sip/max-message-size", "max-message-size", cfg_getint(sec, "max-message-size"),
			1500, 1048576))
		s->max_message_size = cfg_getint(sec, "max-message-size");
	if (check_range(ld, "sip/udp-buffer", "udp-buffer", cfg_getint(sec, "udp-buffer"), 0, 268435456))
		s->udp_buffer = cfg_getint(sec, "udp-buffer");
	if (check_range(ld, "sip/max-connections", "max-connections", cfg_getint(sec, "max-connections"), 1, 100000))
		s->max_connections = cfg_getint(sec, "max-connections");
	if (check_range(ld, "sip/tcp-idle-timeout", "tcp-idle-timeout", cfg_getint(sec, "tcp-idle-timeout"),
			10, 86400))
		s->tcp_idle_timeout_s = cfg_getint(sec, "tcp-idle-timeout");

	INIT_LLIST_HEAD(&s->next_hops);
	for (i = 0; i < cfg_size(sec, "next-hop"); i++) {
		cfg_t *nh = cfg_getnsec(sec, "next-hop", i);
		struct sip_next_hop_cfg *h = talloc_zero(ld->cfg, struct sip_next_hop_cfg);
		char *key = talloc_asprintf(ld->ctx, "sip/next-hop:%s", cfg_title(nh));

		h->name = talloc_strdup(h, cfg_title(nh));
		if (!cfg_getstr(nh, "address"))
			err_at(ld, key, "next hop '%s' has no address", h->name);
		else
			parse_sip_addr(ld, key_of(ld, key, NULL, "address"), cfg_getstr(nh, "address"), &h->transport,
				       &h->addr);
		if (check_range(ld, key_of(ld, key, NULL, "priority"), "priority", cfg_getint(nh, "priority"), 0, 65535))
			h->priority = cfg_getint(nh, "priority");
		if (check_range(ld, key_of(ld, key, NULL, "options-interval"), "options-interval",
				cfg_getint(nh, "options-interval"), 0, 3600))
			h->options_interval_s = cfg_getint(nh, "options-interval");
		llist_add_tail(&h->list, &s->next_hops);
	}
}

static struct m3ua_assoc_cfg *find_assoc(struct mgcfd_config *cfg, const char *name)
{
	struct m3ua_assoc_cfg *a;

	llist_for_each_entry(a, &cfg->isup.assocs, list) {
		if (!strcmp(a->name, name))
			return a;
	}
	return NULL;
}

static void load_m3ua(struct loader *ld, cfg_t *sec)
{
	struct m3ua_assoc_cfg *a = talloc_zero(ld->cfg, struct m3ua_assoc_cfg);
	const char *t = cfg_title(sec);
	long rc = cfg_getint(sec, "routing-context");
	int v;

	a->name = talloc_strdup(a, t);
	if (parse_enum(ld, key_of(ld, "m3ua", t, "transport"), m3ua_transport_names, cfg_getstr(sec, "transport"), &v))
		a->transport = v;
	if (parse_enum(ld, key_of(ld, "m3ua", t, "role"), m3ua_role_names, cfg_getstr(sec, "role"), &v))
		a->role = v;
	if (cfg_getstr(sec, "local"))
		parse_hostport(ld, key_of(ld, "m3ua", t, "local"), cfg_getstr(sec, "local"),
			       a->role == M3UA_ROLE_SG ? 2905 : 0, &a->local);
	else if (a->role == M3UA_ROLE_SG)
		err_at(ld, key_of(ld, "m3ua", t, "role"), "association '%s' is an SG and needs 'local = ADDR:PORT'", t);
	if (cfg_getstr(sec, "remote"))
		parse_hostport(ld, key_of(ld, "m3ua", t, "remote"), cfg_getstr(sec, "remote"), 2905, &a->remote);
	else if (a->role == M3UA_ROLE_ASP)
		err_at(ld, key_of(ld, "m3ua", t, "role"), "association '%s' is an ASP and needs 'remote = ADDR:PORT'", t);
	parse_pc(ld, key_of(ld, "m3ua", t, "local-pc"), cfg_getstr(sec, "local-pc"), &a->local_pc);
	parse_pc(ld, key_of(ld, "m3ua", t, "adjacent-pc"), cfg_getstr(sec, "adjacent-pc"), &a->adjacent_pc);
	if (parse_enum(ld, key_of(ld, "m3ua", t, "network-indicator"), (const struct value_string[]){
				{ 0, "international" }, { 1, "spare" }, { 2, "national" },
				{ 3, "reserved-national" }, { 0, NULL } }, cfg_getstr(sec, "network-indicator"), &v))
		a->network_indicator = v;
	if (rc >= 0) {
		if (check_range(ld, key_of(ld, "m3ua", t, "routing-context"), "routing context", rc, 0, 0xffffffffL)) {
			a->routing_context_present = true;
			a->routing_context = rc;
		}
	} else if (rc != -1) {
		err_at(ld, key_of(ld, "m3ua", t, "routing-context"), "routing context must be 0..4294967295");
	}
	if (parse_enum(ld, key_of(ld, "m3ua", t, "traffic-mode"), m3ua_traffic_mode_names,
		       cfg_getstr(sec, "traffic-mode"), &v))
		a->traffic_mode = v;
	a->reset_circuits_on_active = cfg_getbool(sec, "reset-on-active");
	llist_add_tail(&a->list, &ld->cfg->isup.assocs);
}

static bool parse_cause_list(struct loader *ld, cfg_t *sec, const char *t, const char *opt, long from_min,
			     long from_max, long to_min, long to_max, struct mgcf_cause_override **out,
			     unsigned int *num)
{
	unsigned int i, j;

	for (i = 0; i < cfg_size(sec, opt); i++) {
		const char *item = cfg_getnstr(sec, opt, i);
		char *key = talloc_asprintf(ld->ctx, "trunk-group:%s/%s#%u", t, opt, i);
		unsigned long from, to;
		char *eq = strchr(item, '='), *lhs;

		lhs = eq ? talloc_strndup(ld->ctx, item, eq - item) : NULL;
		if (!eq || !parse_uint(lhs, LONG_MAX, &from) || !parse_uint(eq + 1, LONG_MAX, &to)) {
			err_at(ld, key, "'%s': expected FROM=TO, e.g. 486=17", item);
			continue;
		}
		if (!check_range(ld, key, "mapped-from value", from, from_min, from_max) ||
		    !check_range(ld, key, "mapped-to value", to, to_min, to_max))
			continue;
		for (j = 0; j < *num; j++) {
			if ((*out)[j].from == from)
				err_at(ld, key, "%lu is mapped twice", from);
		}
		*out = talloc_realloc(ld->ctx, *out, struct mgcf_cause_override, *num + 1);
		(*out)[*num].from = from;
		(*out)[*num].to = to;
		(*num)++;
	}
	return true;
}

static void load_span(struct loader *ld, const char *trunk, const struct isup_trunk_cfg *it, cfg_t *sec)
{
	struct media_span_cfg *s = talloc_zero(ld->cfg, struct media_span_cfg);
	const char *t = cfg_title(sec);
	char *base = talloc_asprintf(ld->ctx, "trunk-group:%s/span:%s", trunk, t);
	struct isup_cic_range *ts = NULL;
	unsigned int nts = 0, i, c, maxts;
	struct media_span_cfg *o;
	int v;

	s->name = talloc_strdup(s, t);
	s->trunk = talloc_strdup(s, trunk);
	if (parse_enum(ld, key_of(ld, base, NULL, "type"), media_span_type_names, cfg_getstr(sec, "type"), &v))
		s->type = v;
	maxts = s->type == MEDIA_SPAN_E1 ? 31 : 24;
	if (check_range(ld, key_of(ld, base, NULL, "cic-base"), "cic-base", cfg_getint(sec, "cic-base"), 0, 4095))
		s->cic_base = cfg_getint(sec, "cic-base");
	if (!cfg_getstr(sec, "timeslots"))
		err_at(ld, base, "span '%s' needs 'timeslots = \"1-31\"'", t);
	else if (parse_ranges(ld, key_of(ld, base, NULL, "timeslots"), cfg_getstr(sec, "timeslots"), 1, maxts, &ts,
			      &nts)) {
		for (i = 0; i < nts; i++) {
			for (c = ts[i].first; c <= ts[i].last; c++) {
				if (s->cic_base + c > 4095) {
					err_at(ld, key_of(ld, base, NULL, "cic-base"), "timeslot %u gives CIC %u > 4095", c,
					       s->cic_base + c);
					break;
				}
				if (!isup_trunk_cfg_has_cic(it, s->cic_base + c)) {
					err_at(ld, key_of(ld, base, NULL, "timeslots"),
					       "timeslot %u maps to CIC %u, which is not in trunk group '%s'", c,
					       s->cic_base + c, trunk);
					break;
				}
				s->timeslots |= 1u << c;
			}
		}
	}
	if (cfg_getstr(sec, "local"))
		parse_hostport(ld, key_of(ld, base, NULL, "local"), cfg_getstr(sec, "local"), -1, &s->local);
	else
		err_at(ld, base, "span '%s' needs 'local = ADDR:PORT' (its CESoPSN end)", t);
	if (cfg_getstr(sec, "remote"))
		parse_hostport(ld, key_of(ld, base, NULL, "remote"), cfg_getstr(sec, "remote"), -1, &s->remote);
	else
		err_at(ld, base, "span '%s' needs 'remote = ADDR:PORT' (the TDM gateway's end)", t);
	/* RFC 5086 §5: packets carry a whole number of frames; 1..64 covers 125 µs to 8 ms */
	if (check_range(ld, key_of(ld, base, NULL, "frames-per-packet"), "frames-per-packet",
			cfg_getint(sec, "frames-per-packet"), 1, 64))
		s->frames_per_packet = cfg_getint(sec, "frames-per-packet");

	llist_for_each_entry(o, &ld->cfg->media.spans, list) {
		if (!strcmp(o->name, s->name))
			err_at(ld, base, "span name '%s' is used in trunk groups '%s' and '%s'", t, o->trunk, trunk);
		else if (!strcmp(o->trunk, trunk)) {
			for (c = 1; c < 32; c++) {
				if ((s->timeslots & (1u << c)) && isup_trunk_cfg_has_cic(it, s->cic_base + c)) {
					unsigned int oc = s->cic_base + c;

					if (oc >= o->cic_base && oc - o->cic_base < 32 &&
					    (o->timeslots & (1u << (oc - o->cic_base)))) {
						err_at(ld, base, "span '%s' carries CIC %u, which span '%s' carries too",
						       t, oc, o->name);
						break;
					}
				}
			}
		}
		if (osmo_sockaddr_str_is_nonzero(&s->local) && !osmo_sockaddr_str_cmp(&o->local, &s->local))
			err_at(ld, key_of(ld, base, NULL, "local"), "span '%s' uses the local address of span '%s'",
			       t, o->name);
	}
	llist_add_tail(&s->list, &ld->cfg->media.spans);
	talloc_free(ts);
}

/* With spans configured, a circuit that no timeslot carries could be seized but never speak. */
static void check_bearers(struct loader *ld, const struct isup_trunk_cfg *it)
{
	unsigned int i, cic;

	for (i = 0; i < it->num_cic_ranges; i++) {
		for (cic = it->cics[i].first; cic <= it->cics[i].last; cic++) {
			const struct media_span_cfg *s;
			bool carried = false;

			llist_for_each_entry(s, &ld->cfg->media.spans, list) {
				if (!strcmp(s->trunk, it->name) && cic >= s->cic_base && cic - s->cic_base < 32 &&
				    (s->timeslots & (1u << (cic - s->cic_base))))
					carried = true;
			}
			if (!carried) {
				err_at(ld, talloc_asprintf(ld->ctx, "trunk-group:%s/cics", it->name),
				       "CIC %u of trunk group '%s' is carried by none of its spans", cic, it->name);
				return;
			}
		}
	}
}

static void load_trunk(struct loader *ld, cfg_t *sec)
{
	const char *t = cfg_title(sec);
	struct isup_trunk_cfg *it = talloc_zero(ld->cfg, struct isup_trunk_cfg);
	struct media_trunk_cfg *mt = talloc_zero(ld->cfg, struct media_trunk_cfg);
	struct mgcf_trunk_policy *mp = talloc_zero(ld->cfg, struct mgcf_trunk_policy);
	char *base = talloc_asprintf(ld->ctx, "trunk-group:%s", t);
	struct isup_trunk_cfg *o;
	unsigned int i, j;
	int v;

	it->name = talloc_strdup(it, t);
	mt->name = talloc_strdup(mt, t);
	mp->name = talloc_strdup(mp, t);

	if (parse_enum(ld, key_of(ld, "trunk-group", t, "variant"), isup_variant_names, cfg_getstr(sec, "variant"), &v))
		it->variant = v;
	if (!cfg_getstr(sec, "association")) {
		err_at(ld, base, "trunk group '%s' needs 'association = NAME'", t);
	} else {
		it->assoc_name = talloc_strdup(it, cfg_getstr(sec, "association"));
		it->assoc = find_assoc(ld->cfg, it->assoc_name);
		if (!it->assoc)
			err_at(ld, key_of(ld, "trunk-group", t, "association"),
			       "trunk group '%s' names association '%s', which is not defined", t, it->assoc_name);
	}
	parse_pc(ld, key_of(ld, "trunk-group", t, "dpc"), cfg_getstr(sec, "dpc"), &it->dpc);
	if (cfg_size(sec, "cics") == 0)
		err_at(ld, base, "trunk group '%s' needs 'cics = { \"1-31\" }'", t);
	for (i = 0; i < cfg_size(sec, "cics"); i++) {
		char *key = talloc_asprintf(ld->ctx, "trunk-group:%s/cics#%u", t, i);
		unsigned int before = it->num_cic_ranges;

		/* Q.763 §1.2: the CIC is 12 bits in ITU ISUP */
		if (!parse_ranges(ld, key, cfg_getnstr(sec, "cics", i), 0, 4095, &it->cics, &it->num_cic_ranges))
			continue;
		for (j = before; j < it->num_cic_ranges; j++) {
			unsigned int k;

			for (k = 0; k < j; k++) {
				if (ranges_overlap(&it->cics[j], &it->cics[k]))
					err_at(ld, key, "CICs %u-%u overlap %u-%u of the same trunk group", it->cics[j].first,
					       it->cics[j].last, it->cics[k].first, it->cics[k].last);
			}
		}
	}
	if (it->cics)
		talloc_steal(it, it->cics);
	/* two trunk groups may not claim one circuit: same association and DPC, overlapping CICs */
	llist_for_each_entry(o, &ld->cfg->isup.trunks, list) {
		if (o->dpc != it->dpc || !o->assoc_name || !it->assoc_name || strcmp(o->assoc_name, it->assoc_name))
			continue;
		for (i = 0; i < it->num_cic_ranges; i++) {
			for (j = 0; j < o->num_cic_ranges; j++) {
				if (ranges_overlap(&it->cics[i], &o->cics[j]))
					err_at(ld, key_of(ld, "trunk-group", t, "cics"),
					       "CICs %u-%u overlap CICs %u-%u of trunk group '%s' (same association and DPC)",
					       it->cics[i].first, it->cics[i].last, o->cics[j].first, o->cics[j].last,
					       o->name);
			}
		}
	}
	if (parse_enum(ld, key_of(ld, "trunk-group", t, "hunting"), isup_hunting_names, cfg_getstr(sec, "hunting"), &v))
		it->hunting = v;
	if (parse_enum(ld, key_of(ld, "trunk-group", t, "direction"), isup_trunk_direction_names,
		       cfg_getstr(sec, "direction"), &v))
		it->direction = v;
	llist_add_tail(&it->list, &ld->cfg->isup.trunks);

	if (parse_enum(ld, key_of(ld, "trunk-group", t, "law"), media_law_names, cfg_getstr(sec, "law"), &v))
		mt->law = v;
	if (!dtmf_tone_plan_find(cfg_getstr(sec, "tone-plan"))) {
		const struct dtmf_tone_plan *p;
		char *names = talloc_strdup(ld->ctx, "");

		for (p = dtmf_tone_plans; p->name; p++)
			names = talloc_asprintf_append(names, "%s%s", p == dtmf_tone_plans ? "" : ", ", p->name);
		err_at(ld, key_of(ld, "trunk-group", t, "tone-plan"), "no tone plan '%s' (known: %s)",
		       cfg_getstr(sec, "tone-plan"), names);
	}
	mt->tone_plan = talloc_strdup(mt, cfg_getstr(sec, "tone-plan"));
	mt->echo_control = cfg_getbool(sec, "echo-control");
	mt->failure_tones = cfg_getbool(sec, "failure-tones");
	llist_add_tail(&mt->list, &ld->cfg->media.trunks);

	if (parse_enum(ld, key_of(ld, "trunk-group", t, "preconditions"), mgcf_precond_mode_names,
		       cfg_getstr(sec, "preconditions"), &v))
		mp->precond_mode = v;
	if (parse_enum(ld, key_of(ld, "trunk-group", t, "continuity"), mgcf_continuity_names,
		       cfg_getstr(sec, "continuity"), &v))
		mp->continuity = v;
	if (check_range(ld, key_of(ld, "trunk-group", t, "max-calls"), "max-calls", cfg_getint(sec, "max-calls"), 0,
			65535))
		mp->max_calls = cfg_getint(sec, "max-calls");
	/* Q.850 causes are 7 bits; SIP final failure statuses are 4xx-6xx */
	parse_cause_list(ld, sec, t, "q850-to-sip", 1, 127, 400, 699, &mp->q850_to_sip, &mp->num_q850_to_sip);
	parse_cause_list(ld, sec, t, "sip-to-q850", 400, 699, 1, 127, &mp->sip_to_q850, &mp->num_sip_to_q850);
	if (mp->q850_to_sip)
		talloc_steal(mp, mp->q850_to_sip);
	if (mp->sip_to_q850)
		talloc_steal(mp, mp->sip_to_q850);
	llist_add_tail(&mp->list, &ld->cfg->mgcf.trunks);

	for (i = 0; i < cfg_size(sec, "span"); i++)
		load_span(ld, t, it, cfg_getnsec(sec, "span", i));
	if (cfg_size(sec, "span"))
		check_bearers(ld, it);
}

static bool trunk_exists(struct loader *ld, const char *name)
{
	return mgcfd_config_isup_trunk(ld->cfg, name) != NULL;
}

/* A called-number prefix: optional '+' then dialable digits. */
static bool valid_number_prefix(const char *p)
{
	if (*p == '+')
		p++;
	for (; *p; p++) {
		if (!isdigit((unsigned char)*p) && !strchr("*#ABCDabcd", *p))
			return false;
	}
	return true;
}

static void load_route_out(struct loader *ld, cfg_t *sec)
{
	struct mgcf_route_out *r = talloc_zero(ld->cfg, struct mgcf_route_out), *o;
	const char *t = cfg_title(sec);
	char *base = talloc_asprintf(ld->ctx, "route-out:%s", t);
	int v;

	r->name = talloc_strdup(r, t);
	r->prefix = talloc_strdup(r, cfg_getstr(sec, "prefix"));
	if (!valid_number_prefix(r->prefix))
		err_at(ld, key_of(ld, "route-out", t, "prefix"), "prefix '%s' is not '+' and/or digits", r->prefix);
	if (!cfg_getstr(sec, "trunk-group")) {
		err_at(ld, base, "route '%s' needs 'trunk-group = NAME'", t);
	} else {
		r->trunk = talloc_strdup(r, cfg_getstr(sec, "trunk-group"));
		if (!trunk_exists(ld, r->trunk))
			err_at(ld, key_of(ld, "route-out", t, "trunk-group"), "route '%s' names unknown trunk group '%s'",
			       t, r->trunk);
	}
	if (check_range(ld, key_of(ld, "route-out", t, "strip"), "strip", cfg_getint(sec, "strip"), 0, 32))
		r->strip = cfg_getint(sec, "strip");
	r->prepend = talloc_strdup(r, cfg_getstr(sec, "prepend"));
	if (r->prepend[0] == '+' || !valid_number_prefix(r->prepend))
		err_at(ld, key_of(ld, "route-out", t, "prepend"), "prepend '%s' must be digits", r->prepend);
	if (parse_enum(ld, key_of(ld, "route-out", t, "nai"), mgcf_nai_names, cfg_getstr(sec, "nai"), &v))
		r->nai = v;
	llist_for_each_entry(o, &ld->cfg->mgcf.routes_out, list) {
		if (!strcmp(o->prefix, r->prefix))
			err_at(ld, key_of(ld, "route-out", t, "prefix"), "routes '%s' and '%s' have the same prefix '%s'",
			       o->name, t, r->prefix);
	}
	llist_add_tail(&r->list, &ld->cfg->mgcf.routes_out);
}

static void load_route_in(struct loader *ld, cfg_t *sec)
{
	struct mgcf_route_in *r = talloc_zero(ld->cfg, struct mgcf_route_in), *o;
	const char *t = cfg_title(sec);
	char *base = talloc_asprintf(ld->ctx, "route-in:%s", t);

	r->name = talloc_strdup(r, t);
	if (cfg_getstr(sec, "trunk-group")) {
		r->trunk = talloc_strdup(r, cfg_getstr(sec, "trunk-group"));
		if (!trunk_exists(ld, r->trunk))
			err_at(ld, key_of(ld, "route-in", t, "trunk-group"), "route '%s' names unknown trunk group '%s'",
			       t, r->trunk);
	}
	r->prefix = talloc_strdup(r, cfg_getstr(sec, "prefix"));
	if (r->prefix[0] == '+' || !valid_number_prefix(r->prefix))
		err_at(ld, key_of(ld, "route-in", t, "prefix"), "prefix '%s' must be digits", r->prefix);
	if (!cfg_getstr(sec, "uri")) {
		err_at(ld, base, "route '%s' needs 'uri = \"sip:{e164}@HOST;user=phone\"'", t);
	} else {
		const char *u = cfg_getstr(sec, "uri");

		r->uri_template = talloc_strdup(r, u);
		if (strncmp(u, "sip:", 4) && strncmp(u, "sips:", 5) && strncmp(u, "tel:", 4))
			err_at(ld, key_of(ld, "route-in", t, "uri"), "URI template '%s' must start with sip:, sips: or tel:",
			       u);
		else if (!strstr(u, "{number}") && !strstr(u, "{e164}"))
			err_at(ld, key_of(ld, "route-in", t, "uri"),
			       "URI template '%s' contains neither {number} nor {e164}", u);
	}
	if (cfg_getstr(sec, "next-hop")) {
		struct sip_next_hop_cfg *h;
		bool found = false;

		r->next_hop = talloc_strdup(r, cfg_getstr(sec, "next-hop"));
		llist_for_each_entry(h, &ld->cfg->sip.next_hops, list)
			found |= !strcmp(h->name, r->next_hop);
		if (!found)
			err_at(ld, key_of(ld, "route-in", t, "next-hop"), "route '%s' names unknown SIP next hop '%s'", t,
			       r->next_hop);
	}
	r->preconditions = cfg_getbool(sec, "preconditions");
	if (cfg_getstr(sec, "country-code")) {
		const char *cc = cfg_getstr(sec, "country-code");
		size_t i, n = strlen(cc);

		r->country_code = talloc_strdup(r, cc);
		/* E.164: country codes have 1 to 3 digits */
		for (i = 0; i < n && isdigit((unsigned char)cc[i]); i++)
			;
		if (n < 1 || n > 3 || i != n)
			err_at(ld, key_of(ld, "route-in", t, "country-code"), "country code '%s' must be 1 to 3 digits", cc);
	}
	llist_for_each_entry(o, &ld->cfg->mgcf.routes_in, list) {
		bool same_trunk = (!o->trunk && !r->trunk) || (o->trunk && r->trunk && !strcmp(o->trunk, r->trunk));

		if (same_trunk && !strcmp(o->prefix, r->prefix))
			err_at(ld, base, "routes '%s' and '%s' match the same trunk group and prefix", o->name, t);
	}
	llist_add_tail(&r->list, &ld->cfg->mgcf.routes_in);
}

static void load_media(struct loader *ld, cfg_t *sec)
{
	struct media_cfg *m = &ld->cfg->media;
	struct isup_cic_range *r = NULL;
	unsigned int n = 0, i;
	int v;

	if (!is_ip(cfg_getstr(sec, "rtp-address")))
		err_at(ld, "media/rtp-address", "'%s' is not an IPv4 or IPv6 address", cfg_getstr(sec, "rtp-address"));
	else
		osmo_sockaddr_str_from_str(&m->rtp_addr, cfg_getstr(sec, "rtp-address"), 0);
	if (parse_ranges(ld, "media/rtp-ports", cfg_getstr(sec, "rtp-ports"), 1024, 65535, &r, &n)) {
		if (n != 1 || r[0].first == r[0].last) {
			err_at(ld, "media/rtp-ports", "rtp-ports must be one range MIN-MAX, e.g. 16000-16999");
		} else if (r[0].first % 2) {
			/* RFC 3550 §11: RTP on even ports, RTCP on the next odd one */
			err_at(ld, "media/rtp-ports", "RTP port range must start on an even port (RTCP uses the odd one)");
		} else {
			m->rtp_port_min = r[0].first;
			m->rtp_port_max = r[0].last;
		}
	}
	talloc_free(r);
	if (check_range(ld, "media/threads", "threads", cfg_getint(sec, "threads"), 1, 64))
		m->threads = cfg_getint(sec, "threads");
	if (parse_enum(ld, "media/dtmf", media_dtmf_mode_names, cfg_getstr(sec, "dtmf"), &v))
		m->dtmf_mode = v;
	if (parse_enum(ld, "media/fax", media_fax_mode_names, cfg_getstr(sec, "fax"), &v))
		m->fax_mode = v;
	if (check_range(ld, "media/jitter-buffer-min", "jitter-buffer-min", cfg_getint(sec, "jitter-buffer-min"), 0,
			1000))
		m->jitter_min_ms = cfg_getint(sec, "jitter-buffer-min");
	if (check_range(ld, "media/jitter-buffer-max", "jitter-buffer-max", cfg_getint(sec, "jitter-buffer-max"), 0,
			2000))
		m->jitter_max_ms = cfg_getint(sec, "jitter-buffer-max");
	if (m->jitter_max_ms < m->jitter_min_ms)
		err_at(ld, "media/jitter-buffer-max", "jitter-buffer-max %u is below jitter-buffer-min %u",
		       m->jitter_max_ms, m->jitter_min_ms);
	v = cfg_getint(sec, "ptime");
	if (v < 10 || v > 60 || v % 10)
		err_at(ld, "media/ptime", "ptime %d must be 10, 20, 30, 40, 50 or 60 ms", v);
	else
		m->ptime_ms = v;
	if (check_range(ld, "media/rtp-timeout", "rtp-timeout", cfg_getint(sec, "rtp-timeout"), 0, 3600))
		m->rtp_timeout_s = cfg_getint(sec, "rtp-timeout");
	m->symmetric_rtp = cfg_getbool(sec, "symmetric-rtp");

	/* A channel needs an RTP and an RTCP port; the range must not swallow ports already in use. */
	if (m->rtp_port_max) {
		struct media_span_cfg *s;

		if ((unsigned int)(m->rtp_port_max - m->rtp_port_min + 1) / 2 < m->threads)
			err_at(ld, "media/rtp-ports", "rtp-ports %u-%u give fewer port pairs than media threads",
			       m->rtp_port_min, m->rtp_port_max);
		for (i = 0; i < ld->cfg->sip.num_listen; i++) {
			uint16_t p = ld->cfg->sip.listen[i].addr.port;

			if (ld->cfg->sip.listen[i].transport == SIP_TRANSPORT_UDP && p >= m->rtp_port_min &&
			    p <= m->rtp_port_max)
				err_at(ld, "media/rtp-ports", "rtp-ports %u-%u include SIP UDP port %u", m->rtp_port_min,
				       m->rtp_port_max, p);
		}
		llist_for_each_entry(s, &m->spans, list) {
			if (s->local.port >= m->rtp_port_min && s->local.port <= m->rtp_port_max)
				err_at(ld, "media/rtp-ports", "rtp-ports %u-%u include port %u of span '%s'",
				       m->rtp_port_min, m->rtp_port_max, s->local.port, s->name);
		}
	}
}

/* Digits an exchange can dial: 0-9, and * # as in Q.763 codes 11 and 12. */
static bool valid_digits(const char *p)
{
	if (!*p)
		return false;
	for (; *p; p++) {
		if (!isdigit((unsigned char)*p) && *p != '*' && *p != '#')
			return false;
	}
	return true;
}

/* What pstnsim does to a call it answered: "VERB [ARG]".  \returns NULL if fine, else why not. */
static const char *sim_action_check(const char *item)
{
	static const char *const tones[] = { "dial", "ringback", "busy", "congestion", "sit", "cot", "none", NULL };
	const char *arg = strchr(item, ' ');
	size_t vlen = arg ? (size_t)(arg - item) : strlen(item);
	unsigned int i;

	if (!arg || !arg[1])
		return "expected VERB ARGUMENT (play-digits, play-tone, loopback, record, play)";
	arg++;
	if (vlen == 11 && !strncmp(item, "play-digits", vlen))
		return *arg && strspn(arg, "0123456789*#ABCD") == strlen(arg) ? NULL : "digits are 0-9 * # A-D";
	if (vlen == 9 && !strncmp(item, "play-tone", vlen)) {
		for (i = 0; tones[i]; i++)
			if (!strcmp(arg, tones[i]))
				return NULL;
		return "tones: dial ringback busy congestion sit cot none";
	}
	if (vlen == 8 && !strncmp(item, "loopback", vlen))
		return !strcmp(arg, "on") || !strcmp(arg, "off") ? NULL : "loopback on or off";
	if ((vlen == 6 && !strncmp(item, "record", vlen)) || (vlen == 4 && !strncmp(item, "play", vlen)))
		return NULL;
	return "unknown action (play-digits, play-tone, loopback, record, play)";
}

static void load_simulator(struct loader *ld, cfg_t *root)
{
	struct mgcfd_sim_cfg *sim = &ld->cfg->sim;
	cfg_t *sec = cfg_getsec(root, "simulator");
	unsigned int i;

	sim->present = config_lines_get(ld->lines, "simulator") > 0;
	if (check_range(ld, "simulator/answer-delay", "answer-delay", cfg_getint(sec, "answer-delay"), 0, 3600000))
		sim->answer_delay_ms = cfg_getint(sec, "answer-delay");
	if (check_range(ld, "simulator/hold", "hold", cfg_getint(sec, "hold"), 0, 86400000))
		sim->hold_ms = cfg_getint(sec, "hold");
	sim->calling = talloc_strdup(ld->cfg, cfg_getstr(sec, "calling"));
	if (!valid_digits(sim->calling))
		err_at(ld, "simulator/calling", "calling number '%s' must be digits", sim->calling);
	if (cfg_getstr(sec, "originate")) {
		sim->originate_number = talloc_strdup(ld->cfg, cfg_getstr(sec, "originate"));
		if (!valid_digits(sim->originate_number))
			err_at(ld, "simulator/originate", "number '%s' must be digits", sim->originate_number);
	}
	if (check_range(ld, "simulator/count", "count", cfg_getint(sec, "count"), 0, 100000000))
		sim->originate_count = cfg_getint(sec, "count");
	if (check_range(ld, "simulator/rate", "rate", cfg_getint(sec, "rate"), 1, 100000))
		sim->originate_rate = cfg_getint(sec, "rate");
	if (cfg_getstr(sec, "trunk-group")) {
		sim->trunk = talloc_strdup(ld->cfg, cfg_getstr(sec, "trunk-group"));
		if (!trunk_exists(ld, sim->trunk))
			err_at(ld, "simulator/trunk-group", "unknown trunk group '%s'", sim->trunk);
	}
	if (cfg_getstr(sec, "report"))
		sim->report_file = talloc_strdup(ld->cfg, cfg_getstr(sec, "report"));
	if (!strcmp(cfg_getstr(sec, "continuity"), "required"))
		sim->continuity = true;
	else if (strcmp(cfg_getstr(sec, "continuity"), "none"))
		err_at(ld, "simulator/continuity", "continuity is 'required' or 'none', not '%s'",
		       cfg_getstr(sec, "continuity"));
	for (i = 0; i < cfg_size(sec, "on-answer"); i++) {
		const char *item = cfg_getnstr(sec, "on-answer", i);
		char *key = talloc_asprintf(ld->ctx, "simulator/on-answer#%u", i);
		const char *why = sim_action_check(item);

		if (why)
			err_at(ld, key, "'%s': %s", item, why);
		sim->on_answer = talloc_realloc(ld->cfg, sim->on_answer, char *, sim->num_on_answer + 1);
		sim->on_answer[sim->num_on_answer++] = talloc_strdup(ld->cfg, item);
	}
	if (!strcmp(cfg_getstr(sec, "continuity-loop"), "broken"))
		sim->loop_broken = true;
	else if (strcmp(cfg_getstr(sec, "continuity-loop"), "working"))
		err_at(ld, "simulator/continuity-loop", "continuity-loop is 'working' or 'broken', not '%s'",
		       cfg_getstr(sec, "continuity-loop"));
}

/* "T7=25s", "B=32000", "acm-supervision=12s": a timer of a group and its value. */
static int timer_by_name(const char *group, const char *name)
{
	unsigned long n;

	if (!strcmp(group, "sip") && get_string_value(sip_timer_names, name) >= 0)
		return get_string_value(sip_timer_names, name);
	if (!strcmp(group, "mgcf") && get_string_value(mgcf_timer_names, name) >= 0)
		return get_string_value(mgcf_timer_names, name);
	if ((name[0] == 'T' || name[0] == 't') && parse_uint(name + 1, INT_MAX, &n))
		return n;
	if ((name[0] == 'X' || name[0] == 'x') && parse_uint(name + 1, INT_MAX, &n))
		return -(int)n;
	return INT_MIN;
}

static void load_timers(struct loader *ld, cfg_t *sec)
{
	struct osmo_tdef_group *g;

	for (g = mgcfd_tdef_groups; g->name; g++) {
		unsigned int i;

		for (i = 0; i < cfg_size(sec, g->name); i++) {
			const char *item = cfg_getnstr(sec, g->name, i);
			char *key = talloc_asprintf(ld->ctx, "timers/%s#%u", g->name, i);
			const char *eq = strchr(item, '=');
			char *name, *end;
			struct osmo_tdef *t;
			unsigned long long ms;
			unsigned long v, per;
			int T;

			if (!eq) {
				err_at(ld, key, "'%s': expected TIMER=VALUE, e.g. T7=25s", item);
				continue;
			}
			name = talloc_strndup(ld->ctx, item, eq - item);
			T = timer_by_name(g->name, name);
			t = T == INT_MIN ? NULL : osmo_tdef_get_entry(g->tdefs, T);
			if (!t) {
				err_at(ld, key, "%s has no timer '%s'", g->name, name);
				continue;
			}
			errno = 0;
			if (!isdigit((unsigned char)eq[1])) {
				err_at(ld, key, "'%s': the value must be a number with an optional unit (ms, s, min)", item);
				continue;
			}
			ms = strtoull(eq + 1, &end, 10);
			switch (t->unit) {
			case OSMO_TDEF_MS: per = 1; break;
			case OSMO_TDEF_M: per = 60000; break;
			case OSMO_TDEF_US: per = 0; break;
			default: per = 1000; break;
			}
			if (!strcmp(end, "ms"))
				;
			else if (!strcmp(end, "s"))
				ms *= 1000;
			else if (!strcmp(end, "min"))
				ms *= 60000;
			else if (!*end)
				ms *= per ? per : 1;
			else {
				err_at(ld, key, "'%s': unknown unit '%s' (ms, s, min)", item, end);
				continue;
			}
			if (errno || ms > ULONG_MAX / 1000 || !per || ms % per) {
				err_at(ld, key, "%s %s: %s is not a whole number of %s", g->name, name, eq + 1,
				       osmo_tdef_unit_name(t->unit));
				continue;
			}
			v = ms / per;
			if (!osmo_tdef_val_in_range(t, v)) {
				char range[64];

				osmo_tdef_range_str_buf(range, sizeof(range), t);
				err_at(ld, key, "%s %s = %lu %s is outside its range %s", g->name, name, v,
				       osmo_tdef_unit_name(t->unit), range);
				continue;
			}
			ld->cfg->timers = talloc_realloc(ld->cfg, ld->cfg->timers, struct mgcfd_timer_setting,
							 ld->cfg->num_timers + 1);
			ld->cfg->timers[ld->cfg->num_timers++] = (struct mgcfd_timer_setting){
				.tdefs = g->tdefs, .T = T, .val = v };
		}
	}
}

/* ----------------------------------------------------------------- entry */

struct mgcfd_config *mgcfd_config_load(void *ctx, const char *path, char **errors)
{
	struct loader ld = { .path = path };
	struct mgcfd_config *cfg;
	cfg_t *root;
	unsigned int i;
	int rc;

	*errors = NULL;
	cfg = talloc_zero(ctx, struct mgcfd_config);
	ld.ctx = talloc_named_const(NULL, 0, "config-scratch");
	ld.cfg = cfg;
	ld.errors = talloc_strdup(ctx, "");
	cfg->filename = talloc_strdup(cfg, path);
	INIT_LLIST_HEAD(&cfg->isup.assocs);
	INIT_LLIST_HEAD(&cfg->isup.trunks);
	INIT_LLIST_HEAD(&cfg->sip.next_hops);
	INIT_LLIST_HEAD(&cfg->media.spans);
	INIT_LLIST_HEAD(&cfg->media.trunks);
	INIT_LLIST_HEAD(&cfg->mgcf.routes_out);
	INIT_LLIST_HEAD(&cfg->mgcf.routes_in);
	INIT_LLIST_HEAD(&cfg->mgcf.trunks);

	root = cfg_init(root_opts, CFGF_NONE);
	cfg_set_error_function(root, confuse_error);
	current_loader = &ld;
	ld.lines = config_lines_scan(ld.ctx, path);
	rc = cfg_parse(root, path);
	if (rc == CFG_FILE_ERROR) {
		ld.errors = talloc_asprintf_append(ld.errors, "%s: cannot read the file: %s\n", path, strerror(errno));
		ld.num_errors++;
	} else if (rc == CFG_SUCCESS) {
		load_log(&ld, cfg_getsec(root, "log"));
		load_vty(&ld, cfg_getsec(root, "vty"));
		load_cdr(&ld, cfg_getsec(root, "cdr"));
		load_sip(&ld, cfg_getsec(root, "sip"));
		for (i = 0; i < cfg_size(root, "m3ua"); i++)
			load_m3ua(&ld, cfg_getnsec(root, "m3ua", i));
		for (i = 0; i < cfg_size(root, "trunk-group"); i++)
			load_trunk(&ld, cfg_getnsec(root, "trunk-group", i));
		for (i = 0; i < cfg_size(root, "route-out"); i++)
			load_route_out(&ld, cfg_getnsec(root, "route-out", i));
		for (i = 0; i < cfg_size(root, "route-in"); i++)
			load_route_in(&ld, cfg_getnsec(root, "route-in", i));
		load_media(&ld, cfg_getsec(root, "media"));
		load_timers(&ld, cfg_getsec(root, "timers"));
		load_simulator(&ld, root);
	} else if (!ld.num_errors) {
		ld.errors = talloc_asprintf_append(ld.errors, "%s: cannot be parsed\n", path);
		ld.num_errors++;
	}
	current_loader = NULL;
	cfg_free(root);

	talloc_free(ld.ctx);
	if (ld.num_errors) {
		*errors = ld.errors;
		talloc_free(cfg);
		return NULL;
	}
	talloc_free(ld.errors);
	return cfg;
}

void mgcfd_config_apply_timers(const struct mgcfd_config *cfg)
{
	struct osmo_tdef_group *g;
	unsigned int i;

	for (g = mgcfd_tdef_groups; g->name; g++)
		osmo_tdefs_reset(g->tdefs);
	for (i = 0; i < cfg->num_timers; i++) {
		struct osmo_tdef *t = osmo_tdef_get_entry(cfg->timers[i].tdefs, cfg->timers[i].T);

		if (t)
			t->val = cfg->timers[i].val;
	}
}

const struct isup_trunk_cfg *mgcfd_config_isup_trunk(const struct mgcfd_config *cfg, const char *name)
{
	const struct isup_trunk_cfg *t;

	llist_for_each_entry(t, &cfg->isup.trunks, list) {
		if (!strcmp(t->name, name))
			return t;
	}
	return NULL;
}
