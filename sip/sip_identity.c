/* Asserted identity, privacy and Reason (RFC 3325, 3323, 3326), see sip_identity.h. */
#include <errno.h>
#include <string.h>

#include "sip/sip_build.h"
#include "sip/sip_identity.h"

bool sip_identity_trusted(const struct sip_cfg *cfg, const struct osmo_sockaddr *addr)
{
	/* no known source (e.g. an ACK handed up without its address): nothing is trusted */
	return cfg && addr && cfg->num_trusted && sip_net_contains(cfg->trusted, cfg->num_trusted, addr);
}

int sip_identity_parse(struct sip_identity *id, const struct sip_msg *msg, const struct sip_cfg *cfg,
		       const struct osmo_sockaddr *src)
{
	struct sip_hdr_iter it;
	struct sip_str e;
	uint32_t mask = 0;
	int rc = 0, r;

	memset(id, 0, sizeof(*id));
	id->has_reason_q850 = sip_msg_reason(msg, "Q.850", &id->reason_q850) == 0;
	id->has_reason_sip = sip_msg_reason(msg, "SIP", &id->reason_sip) == 0;
	id->trusted = sip_identity_trusted(cfg, src);
	if (!id->trusted)
		return 0;	/* RFC 3325 §5: an untrusted sender's assertion means nothing */
	sip_hdr_iter_init(&it, msg, SIP_HDR_P_ASSERTED_IDENTITY);
	while ((r = sip_hdr_iter_next(&it, &e)) == 1) {
		struct sip_name_addr na;

		if (sip_name_addr_parse(&na, e, false) < 0) {
			rc = -EBADMSG;
			continue;
		}
		if (id->num_pai == 2) {
			rc = -EBADMSG;	/* §9.1: one sip/sips and one tel at most */
			break;
		}
		id->pai_uri[id->num_pai] = na.uri;
		id->pai_display[id->num_pai] = na.display;
		id->num_pai++;
	}
	if (r < 0)
		rc = -EBADMSG;
	if (rc < 0)
		id->num_pai = 0;
	if (sip_msg_privacy(msg, &mask) == 0) {
		id->priv_id = mask & SIP_PRIVACY_ID;
		id->priv_header = mask & SIP_PRIVACY_HEADER;
		id->priv_user = mask & SIP_PRIVACY_USER;
		id->priv_session = mask & SIP_PRIVACY_SESSION;
		id->priv_none = mask & SIP_PRIVACY_NONE;
		id->priv_critical = mask & SIP_PRIVACY_CRITICAL;
	}
	return rc;
}

static int build_pai(struct msgb *msg, const char *v)
{
	bool bare = !strchr(v, '<');

	return sip_build_hdr_name(msg, "P-Asserted-Identity") ?: (bare ? sip_build_puts(msg, "<") : 0) ?:
	       sip_build_puts(msg, v) ?: sip_build_puts(msg, bare ? ">\r\n" : "\r\n");
}

int sip_identity_build(struct msgb *msg, const struct sip_identity_out *out, bool dst_trusted)
{
	int rc = 0;

	if (!out)
		return 0;
	if (dst_trusted) {
		if (out->pai)
			rc = build_pai(msg, out->pai);
		if (!rc && out->pai_tel)
			rc = build_pai(msg, out->pai_tel);
		if (!rc && (out->priv_id || out->priv_header))
			rc = sip_build_hdr(msg, "Privacy", "%s%s%s", out->priv_header ? "header" : "",
					   out->priv_header && out->priv_id ? ";" : "", out->priv_id ? "id" : "");
	}
	if (!rc && out->q850_cause > 0)
		rc = sip_build_reason(msg, "Q.850", out->q850_cause, NULL);
	if (!rc && out->sip_cause > 0)
		rc = sip_build_reason(msg, "SIP", out->sip_cause, NULL);
	return rc;
}
