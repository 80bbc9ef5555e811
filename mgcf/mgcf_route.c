/* Numbers and routes (see mgcf_route.h). */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <talloc.h>

#include "mgcf/mgcf_route.h"

static bool is_separator(char c)
{
	/* RFC 3966 §3 visual-separator */
	return c == '-' || c == '.' || c == '(' || c == ')';
}

/* Copy a telephone-subscriber up to its first parameter, dropping separators. */
static int copy_number(const char *p, const char *end, char *out, size_t out_len)
{
	size_t n = 0;

	if (p < end && *p == '+') {
		if (out_len < 2)
			return -EMSGSIZE;
		out[n++] = '+';
		p++;
	}
	for (; p < end && *p != ';' && *p != '@' && *p != '?'; p++) {
		if (is_separator(*p))
			continue;
		if (!isdigit((unsigned char)*p) && *p != '*' && *p != '#')
			return -EINVAL;
		if (n + 1 >= out_len)
			return -EMSGSIZE;
		out[n++] = *p;
	}
	if (n == 0 || (n == 1 && out[0] == '+'))
		return -EINVAL;
	out[n] = '\0';
	return 0;
}

/* Whether ";user=phone" is among the URI parameters that follow the host part. */
static bool has_user_phone(const char *p, const char *end)
{
	static const char param[] = "user=phone";

	for (; p < end; p++) {
		if (*p != ';')
			continue;
		if ((size_t)(end - p - 1) >= sizeof(param) - 1 && !strncasecmp(p + 1, param, sizeof(param) - 1) &&
		    (p + sizeof(param) == end || p[sizeof(param)] == ';' || p[sizeof(param)] == '?'))
			return true;
	}
	return false;
}

int mgcf_number_from_uri(const char *uri, size_t len, char *out, size_t out_len)
{
	const char *end = uri + len, *at;

	if (len > 4 && !strncasecmp(uri, "tel:", 4))
		return copy_number(uri + 4, end, out, out_len);
	if (len > 4 && !strncasecmp(uri, "sip:", 4))
		uri += 4;
	else if (len > 5 && !strncasecmp(uri, "sips:", 5))
		uri += 5;
	else
		return -EINVAL;
	at = memchr(uri, '@', end - uri);
	if (!at)
		return -EINVAL;
	/* RFC 3261 §19.1.6: user=phone says the user part is a telephone-subscriber; without it a
	 * global number ('+' and digits) is still taken as one, as IMS networks send them */
	if (!has_user_phone(at, end) && uri[0] != '+')
		return -EINVAL;
	return copy_number(uri, at, out, out_len);
}

const struct mgcf_route_out *mgcf_route_out_find(const struct mgcf_cfg *cfg, const char *number)
{
	const struct mgcf_route_out *r, *best = NULL;
	size_t best_len = 0;

	llist_for_each_entry(r, &cfg->routes_out, list) {
		size_t l = strlen(r->prefix);

		if (!strncmp(number, r->prefix, l) && (!best || l > best_len)) {
			best = r;
			best_len = l;
		}
	}
	return best;
}

int mgcf_route_out_apply(const struct mgcf_route_out *r, const char *number, char *digits, size_t digits_len)
{
	size_t nlen = strlen(number), plen = strlen(r->prepend ? r->prepend : "");
	const char *rest = number + (r->strip < nlen ? r->strip : nlen);
	size_t i;

	if (plen + strlen(rest) + 1 > digits_len)
		return -EMSGSIZE;
	strcpy(digits, r->prepend ? r->prepend : "");
	strcat(digits, rest);
	if (!digits[0])
		return -EINVAL;
	for (i = 0; digits[i]; i++) {
		if (!isdigit((unsigned char)digits[i]) && digits[i] != '*' && digits[i] != '#')
			return -EINVAL;
	}
	return 0;
}

const struct mgcf_route_in *mgcf_route_in_find(const struct mgcf_cfg *cfg, const char *trunk, const char *digits)
{
	const struct mgcf_route_in *r, *best = NULL;
	size_t best_len = 0;
	bool best_trunk = false;

	llist_for_each_entry(r, &cfg->routes_in, list) {
		size_t l = strlen(r->prefix);
		bool for_trunk = r->trunk != NULL;

		if (r->trunk && (!trunk || strcmp(r->trunk, trunk)))
			continue;
		if (strncmp(digits, r->prefix, l))
			continue;
		if (!best || (for_trunk && !best_trunk) || (for_trunk == best_trunk && l > best_len)) {
			best = r;
			best_len = l;
			best_trunk = for_trunk;
		}
	}
	return best;
}

char *mgcf_route_in_uri(void *ctx, const struct mgcf_route_in *r, const char *digits, enum mgcf_nai nai,
			const char *country_code)
{
	const char *t = r->uri_template;
	char *e164 = NULL, *uri = talloc_strdup(ctx, "");

	switch (nai) {
	case MGCF_NAI_INTERNATIONAL:
		e164 = talloc_asprintf(NULL, "+%s", digits);
		break;
	case MGCF_NAI_NATIONAL:
		if (!country_code || !*country_code)
			break;	/* {e164} cannot be formed; {number} still can */
		e164 = talloc_asprintf(NULL, "+%s%s", country_code, digits);
		break;
	default:
		/* TS 29.163 §7.2.3.2.2 leaves subscriber and unknown numbers to local rules: not E.164 here */
		e164 = NULL;
		break;
	}
	while (*t) {
		if (!strncmp(t, "{number}", 8)) {
			uri = talloc_strdup_append(uri, digits);
			t += 8;
		} else if (!strncmp(t, "{e164}", 6)) {
			if (!e164)
				goto fail;
			uri = talloc_strdup_append(uri, e164);
			t += 6;
		} else {
			uri = talloc_strndup_append(uri, t, 1);
			t++;
		}
	}
	talloc_free(e164);
	talloc_steal(ctx, uri);
	return uri;
fail:
	talloc_free(e164);
	talloc_free(uri);
	return NULL;
}
