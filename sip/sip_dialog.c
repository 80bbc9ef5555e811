/* SIP dialogs (RFC 3261 §12), see sip_dialog.h. */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "sip/sip_build.h"
#include "sip/sip_core.h"
#include "sip/sip_dialog.h"

static char *str_dup(void *ctx, struct sip_str s)
{
	return talloc_strndup(ctx, s.p ? s.p : "", s.len);
}

/* Append n octets at *o when out is not NULL (the sizing pass counts only). */
static void cat(char *out, size_t *o, const char *p, size_t n)
{
	if (out && n)
		memcpy(out + *o, p, n);
	*o += n;
}

/* Write (out NULL: measure) the name-addr without its tag: ["display" ]<uri>[;param[=value]]... */
static size_t na_no_tag(char *out, const struct sip_name_addr *na)
{
	const char *q = na->display_quoted ? "\"" : "";
	struct sip_str rest = na->params;
	struct sip_param p;
	size_t o = 0;

	if (na->display.len) {
		cat(out, &o, q, strlen(q));
		cat(out, &o, na->display.p, na->display.len);
		cat(out, &o, q, strlen(q));
		cat(out, &o, " ", 1);
	}
	cat(out, &o, "<", 1);
	cat(out, &o, na->uri.p, na->uri.len);
	cat(out, &o, ">", 1);
	while (rest.len && sip_param_next(&rest, &p) == 1) {
		if (sip_str_caseeq(p.name, "tag"))
			continue;
		cat(out, &o, ";", 1);
		cat(out, &o, p.name.p, p.name.len);
		if (p.has_value) {
			cat(out, &o, "=", 1);
			cat(out, &o, p.value.p, p.value.len);
		}
	}
	return o;
}

char *sip_name_addr_no_tag(void *ctx, const struct sip_name_addr *na)
{
	size_t len = na_no_tag(NULL, na);
	char *s = talloc_size(ctx, len + 1);

	if (!s)
		return NULL;
	na_no_tag(s, na);
	s[len] = '\0';
	return s;
}

/* The URI of the first Contact; -ENOENT without one. */
static int contact_uri(const struct sip_msg *msg, struct sip_str *uri)
{
	struct sip_hdr_iter it;
	struct sip_contact c;
	struct sip_str e;
	int rc;

	sip_hdr_iter_init(&it, msg, SIP_HDR_CONTACT);
	rc = sip_hdr_iter_next(&it, &e);
	if (rc <= 0)
		return rc < 0 ? rc : -ENOENT;
	if (sip_contact_parse(&c, e) < 0 || c.na.wildcard)
		return -EBADMSG;
	*uri = c.na.uri;
	return 0;
}

/* The route set from the Record-Route headers; reverse for a UAC (§12.1.2), in order for a UAS (§12.1.1). */
static int set_route(struct sip_dialog *dlg, const struct sip_msg *msg, bool reverse)
{
	struct sip_hdr_iter it;
	struct sip_str e;
	int n, i = 0, rc;

	talloc_free(dlg->route);
	dlg->route = NULL;
	dlg->num_route = 0;
	n = sip_msg_count(msg, SIP_HDR_RECORD_ROUTE);
	if (n <= 0)
		return n < 0 ? -EBADMSG : 0;
	dlg->route = talloc_zero_array(dlg, char *, n);
	if (!dlg->route)
		return -ENOMEM;
	sip_hdr_iter_init(&it, msg, SIP_HDR_RECORD_ROUTE);
	while (i < n && (rc = sip_hdr_iter_next(&it, &e)) == 1) {
		struct sip_name_addr na;

		if (sip_name_addr_parse(&na, e, false) < 0)
			return -EBADMSG;
		dlg->route[reverse ? n - 1 - i : i] = str_dup(dlg->route, e);
		i++;
	}
	dlg->num_route = i;
	return i == n ? 0 : -EBADMSG;
}

static int set_target(struct sip_dialog *dlg, const struct sip_msg *msg)
{
	struct sip_str uri;
	int rc = contact_uri(msg, &uri);

	if (rc < 0)
		return rc;
	talloc_free(dlg->remote_target);
	dlg->remote_target = str_dup(dlg, uri);
	return dlg->remote_target ? 0 : -ENOMEM;
}

struct sip_dialog *sip_dialog_uas_create(void *ctx, const struct sip_msg *req, const char *local_tag, bool secure)
{
	struct sip_dialog *dlg = talloc_zero(ctx, struct sip_dialog);

	if (!dlg)
		return NULL;
	INIT_LLIST_HEAD(&dlg->list);
	dlg->call_id = str_dup(dlg, req->call_id);
	dlg->local_tag = talloc_strdup(dlg, local_tag);
	dlg->remote_tag = str_dup(dlg, req->from_tag);
	dlg->local_uri = sip_name_addr_no_tag(dlg, &req->to);
	dlg->remote_uri = sip_name_addr_no_tag(dlg, &req->from);
	dlg->remote_cseq = req->cseq.num;
	dlg->remote_cseq_set = true;
	dlg->secure = secure;
	dlg->early = true;
	if (set_target(dlg, req) < 0 || set_route(dlg, req, false) < 0 || !dlg->call_id || !dlg->local_tag ||
	    !dlg->remote_tag || !dlg->local_uri || !dlg->remote_uri) {
		talloc_free(dlg);
		return NULL;
	}
	return dlg;
}

struct sip_dialog *sip_dialog_uac_create(void *ctx, const char *call_id, const char *local_tag, const char *local_uri,
					 const char *remote_uri, uint32_t local_cseq, bool secure,
					 const struct sip_msg *rsp)
{
	struct sip_dialog *dlg;

	if (!rsp->to_tag.len)
		return NULL;
	dlg = talloc_zero(ctx, struct sip_dialog);
	if (!dlg)
		return NULL;
	INIT_LLIST_HEAD(&dlg->list);
	dlg->uac = true;
	dlg->call_id = talloc_strdup(dlg, call_id);
	dlg->local_tag = talloc_strdup(dlg, local_tag);
	dlg->remote_tag = str_dup(dlg, rsp->to_tag);
	dlg->local_uri = talloc_strdup(dlg, local_uri);
	dlg->remote_uri = talloc_strdup(dlg, remote_uri);
	dlg->local_cseq = local_cseq;
	dlg->secure = secure;
	dlg->early = rsp->status < 200;
	/* a 1xx without Contact still makes an early dialog; the target then stays unknown until one comes */
	if (set_target(dlg, rsp) == -EBADMSG || set_route(dlg, rsp, true) < 0 || !dlg->call_id || !dlg->local_tag ||
	    !dlg->remote_tag || !dlg->local_uri || !dlg->remote_uri) {
		talloc_free(dlg);
		return NULL;
	}
	return dlg;
}

int sip_dialog_confirm(struct sip_dialog *dlg, const struct sip_msg *rsp)
{
	int rc;

	dlg->early = false;
	if (!rsp)
		return 0;
	/* §13.2.2.4: the 2xx fixes the route set, even if an early dialog had another one */
	rc = set_route(dlg, rsp, true);
	if (rc < 0)
		return rc;
	rc = set_target(dlg, rsp);
	return rc == -ENOENT ? 0 : rc;
}

int sip_dialog_target_refresh(struct sip_dialog *dlg, const struct sip_msg *msg)
{
	return set_target(dlg, msg);
}

static bool slice_is(struct sip_str s, const char *c)
{
	return c && sip_str_eq(s, c);
}

bool sip_dialog_matches(const struct sip_dialog *dlg, const struct sip_msg *req)
{
	return slice_is(req->call_id, dlg->call_id) && slice_is(req->to_tag, dlg->local_tag) &&
	       slice_is(req->from_tag, dlg->remote_tag);
}

int sip_dialog_rx_cseq(struct sip_dialog *dlg, const struct sip_msg *req)
{
	if (dlg->remote_cseq_set && req->cseq.num < dlg->remote_cseq)
		return -ERANGE;
	dlg->remote_cseq = req->cseq.num;
	dlg->remote_cseq_set = true;
	return 0;
}

uint32_t sip_dialog_next_cseq(struct sip_dialog *dlg)
{
	return ++dlg->local_cseq;
}

/* The URI inside a route element "<uri>;params". */
static int route_uri(const char *route, struct sip_name_addr *na)
{
	return sip_name_addr_parse(na, sip_str_c(route), false);
}

static bool loose(const char *route)
{
	struct sip_name_addr na;
	struct sip_uri uri;

	if (route_uri(route, &na) < 0 || sip_uri_parse(&uri, na.uri, NULL) < 0)
		return false;
	return sip_param_find(uri.params, "lr", NULL);
}

int sip_dialog_build_request(const struct sip_dialog *dlg, struct msgb *msg, const char *method, uint32_t cseq)
{
	const char *target = dlg->remote_target;
	unsigned int i = 0;
	int rc;

	if (!target)
		return -EINVAL;
	if (dlg->num_route && !loose(dlg->route[0])) {
		/* §12.2.1.1 strict routing: the first route becomes the Request-URI, parameters stripped of <> only */
		struct sip_name_addr na;
		char *ruri;

		if (route_uri(dlg->route[0], &na) < 0)
			return -EINVAL;
		ruri = talloc_strndup(NULL, na.uri.p, na.uri.len);
		if (!ruri)
			return -ENOMEM;
		rc = sip_build_request_line(msg, method, ruri);
		talloc_free(ruri);
		for (i = 1; !rc && i < dlg->num_route; i++)
			rc = sip_build_hdr_c(msg, "Route", dlg->route[i]);
		if (!rc)
			rc = sip_build_hdr_name(msg, "Route") ?: sip_build_puts(msg, "<") ?: sip_build_puts(msg, target) ?:
			     sip_build_puts(msg, ">\r\n");
	} else {
		rc = sip_build_request_line(msg, method, target);
		for (i = 0; !rc && i < dlg->num_route; i++)
			rc = sip_build_hdr_c(msg, "Route", dlg->route[i]);
	}
	rc = rc ?: sip_build_max_forwards(msg, 70);
	rc = rc ?: sip_build_hdr_tagged(msg, "From", dlg->local_uri, dlg->local_tag);
	rc = rc ?: sip_build_hdr_tagged(msg, "To", dlg->remote_uri, dlg->remote_tag[0] ? dlg->remote_tag : NULL);
	rc = rc ?: sip_build_call_id(msg, dlg->call_id);
	rc = rc ?: sip_build_cseq(msg, cseq, method);
	return rc;
}

int sip_dialog_dst(const struct sip_dialog *dlg, struct sip_addr *dst)
{
	struct sip_name_addr na;

	if (dlg->num_route) {
		if (route_uri(dlg->route[0], &na) < 0)
			return -EINVAL;
		return sip_core_uri_dst(na.uri, dst);
	}
	if (!dlg->remote_target)
		return -EINVAL;
	return sip_core_uri_dst(sip_str_c(dlg->remote_target), dst);
}
