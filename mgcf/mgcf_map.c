/* Call set-up mapping (see mgcf_map.h).  Clause references are to TS 29.163 V17; the defaults that Q.1912.5
 * leaves to national choice follow the project's standards digest §4(a)/(b). */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <talloc.h>
#include <osmocom/core/utils.h>

#include "mgcf/mgcf_map.h"

/* Q.763 §3.11 calling party's category */
#define CPC_ORDINARY	0x0a
#define CPC_DATA	0x0c
#define CPC_TEST	0x0d
#define CPC_PAYPHONE	0x0f
#define CPC_OPERATOR	0x09	/* national operator */
/* Q.763 §3.54 transmission medium requirement */
#define TMR_64K_UNRESTRICTED	0x02
#define TMR_3K1_AUDIO		0x03
/* Q.763 §3.9/§3.10 */
#define NAI_INTERNATIONAL	4
#define NAI_NATIONAL		3
#define APRI_ALLOWED		0
#define APRI_RESTRICTED		1
#define APRI_NOT_AVAILABLE	2
#define SCREEN_USER_NOT_VERIFIED	0
#define SCREEN_USER_VERIFIED_PASSED	1
#define SCREEN_NETWORK		3
#define NQI_ADDITIONAL_CALLING	0x06	/* Q.763 §3.26: additional calling party number */

/* RFC 3261's recommended initial Max-Forwards and the largest ISUP hop counter. */
#define MF_DEFAULT	70
#define HOP_MAX		31

uint8_t mgcf_hop_counter_from_max_forwards(unsigned int mf)
{
	unsigned int hop = (mf * HOP_MAX + MF_DEFAULT - 1) / MF_DEFAULT;

	/* TS 29.163 §7.2.3.1.2.9: a configurable scaling; linear here, so that 70 <-> 31 */
	if (hop < 1)
		hop = 1;
	return hop > HOP_MAX ? HOP_MAX : hop;
}

unsigned int mgcf_max_forwards_from_hop_counter(uint8_t hop)
{
	unsigned int mf = ((unsigned int)hop * MF_DEFAULT + HOP_MAX - 1) / HOP_MAX;

	if (mf < 1)
		mf = 1;
	return mf > MF_DEFAULT ? MF_DEFAULT : mf;
}

/* "+4930..." -> "4930..." (international) or NULL if the number is not global. */
static const char *global_digits(const char *number)
{
	return number && number[0] == '+' && number[1] ? number + 1 : NULL;
}

/* The cpc= parameter of a tel/sip URI (TS 24.229 §7.2A.12), as a calling party's category. */
static uint8_t cpc_of(const char *uri)
{
	static const struct { const char *name; uint8_t cpc; } map[] = {
		{ "test", CPC_TEST }, { "payphone", CPC_PAYPHONE }, { "operator", CPC_OPERATOR },
		{ "datacall", CPC_DATA }, { "ordinary", CPC_ORDINARY },
	};
	const char *p;
	unsigned int i;

	for (p = uri ? strchr(uri, ';') : NULL; p; p = strchr(p + 1, ';')) {
		if (strncasecmp(p + 1, "cpc=", 4))
			continue;
		for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
			size_t n = strlen(map[i].name);

			if (!strncasecmp(p + 5, map[i].name, n) && (p[5 + n] == '\0' || p[5 + n] == ';' ||
								      p[5 + n] == '@' || p[5 + n] == '>'))
				return map[i].cpc;
		}
	}
	return CPC_ORDINARY;
}

static int number_of(const char *uri, char *out, size_t len)
{
	return uri ? mgcf_number_from_uri(uri, strlen(uri), out, len) : -EINVAL;
}

int mgcf_map_iam(struct isup_msg *iam, struct mgcf_iam_digits *d, const struct mgcf_route_out *r,
		 const struct mgcf_sip_call_info *c)
{
	struct isup_iam_args a = {
		.called_nai = r->nai,
		.cpc = cpc_of(c->pai_uri),
		.tmr = c->clearmode ? TMR_64K_UNRESTRICTED : TMR_3K1_AUDIO,	/* §7.2.3.1.2.5 */
		.continuity_previous = c->continuity_previous,
	};
	char pai_num[MGCF_NUMBER_MAX + 1], from_num[MGCF_NUMBER_MAX + 1];
	bool have_pai;
	size_t n;
	int rc;

	/* §7.2.3.1.2.1: called party number from the Request-URI, digit manipulation by the route */
	rc = mgcf_route_out_apply(r, c->called, d->called, sizeof(d->called) - 1);
	if (rc < 0)
		return rc;
	n = strlen(d->called);
	d->called[n] = 'F';	/* en bloc: the number is complete (ST) */
	d->called[n + 1] = '\0';
	a.called = d->called;

	/* §7.2.3.1.2.6: calling party number from a (trusted) P-Asserted-Identity with a global number */
	have_pai = number_of(c->pai_uri, pai_num, sizeof(pai_num)) == 0 && global_digits(pai_num);
	if (have_pai) {
		osmo_strlcpy(d->calling, global_digits(pai_num), sizeof(d->calling));
		a.calling = d->calling;
		a.calling_nai = NAI_INTERNATIONAL;
		a.calling_apri = c->privacy_id ? APRI_RESTRICTED : APRI_ALLOWED;
		a.calling_screening = SCREEN_NETWORK;
	}
	if (c->max_forwards >= 0)
		a.hop_counter = mgcf_hop_counter_from_max_forwards(c->max_forwards);

	rc = isup_build_iam(iam, 0, &a);
	if (rc < 0)
		return rc;
	/* NCI (§7.2.3.1.2.2): the IP leg counts as one satellite circuit; echo control as the MGW does it */
	iam->nci.satellite = 1;
	iam->nci.echo_device = c->echo_device;
	/* Q.764 §2.1.8: the tone test on this circuit; "previous circuit" (preconditions) takes precedence, since
	 * the far end cannot wait for both */
	if (c->continuity_required && !c->continuity_previous)
		iam->nci.continuity = 1;
	/* FCI (§7.2.3.1.2.3): interworking encountered, ISUP not required all the way, non-ISDN access */
	memset(&iam->fci, 0, sizeof(iam->fci));
	iam->fci.international = r->nai == NAI_INTERNATIONAL;
	iam->fci.interworking = true;
	iam->fci.isup_pref = 1;

	/* §7.2.3.1.2.7: the user-provided number of From, when it differs from the asserted one, as an additional
	 * calling party number (screening: user provided, not verified) */
	if (have_pai && number_of(c->from_uri, from_num, sizeof(from_num)) == 0 && global_digits(from_num) &&
	    strcmp(from_num, pai_num) && iam->n_generic < ISUP_MAX_GENERIC) {
		struct isup_number *g = &iam->generic[iam->n_generic++];

		osmo_strlcpy(d->generic, global_digits(from_num), sizeof(d->generic));
		memset(g, 0, sizeof(*g));
		g->nqi = NQI_ADDITIONAL_CALLING;
		g->nai = NAI_INTERNATIONAL;
		g->npi = 1;
		g->apri = (c->privacy_id || c->privacy_user) ? APRI_RESTRICTED : APRI_ALLOWED;
		g->screening = SCREEN_USER_NOT_VERIFIED;
		g->ascii = d->generic;
		isup_msg_set(iam, ISUP_P_GENERIC_NUMBER);
	}
	return 0;
}

/* The calling number in international form: "+CCNNN", or NULL if it cannot be made so. */
static char *e164_of(void *ctx, const struct isup_number *n, const char *country_code)
{
	char digits[MGCF_NUMBER_MAX + 1];

	if (isup_number_get_digits(n, digits, sizeof(digits)) <= 0)
		return NULL;
	if (n->nai == NAI_INTERNATIONAL)
		return talloc_asprintf(ctx, "+%s", digits);
	if (n->nai == NAI_NATIONAL && country_code && *country_code)
		return talloc_asprintf(ctx, "+%s%s", country_code, digits);
	return NULL;
}

int mgcf_map_invite(void *ctx, struct mgcf_invite_info *out, const struct isup_msg *iam, const char *domain,
		    const char *country_code, bool route_preconditions)
{
	const struct isup_number *cg = isup_msg_has(iam, ISUP_P_CALLING_NUMBER) ? &iam->calling : NULL;
	const struct isup_number *user_num = NULL;
	char *cg_e164 = cg ? e164_of(ctx, cg, country_code) : NULL, *shown;
	bool restricted = cg && cg->apri != APRI_ALLOWED;
	unsigned int i;

	memset(out, 0, sizeof(*out));
	/* §7.2.3.2.2: a generic number "additional calling party number" is what the user gave: show it in From */
	for (i = 0; isup_msg_has(iam, ISUP_P_GENERIC_NUMBER) && i < iam->n_generic; i++) {
		if (iam->generic[i].nqi == NQI_ADDITIONAL_CALLING)
			user_num = &iam->generic[i];
	}
	shown = user_num ? e164_of(ctx, user_num, country_code) : NULL;
	if (!shown && cg_e164)
		shown = talloc_strdup(ctx, cg_e164);
	if (!cg || restricted || !shown)
		out->from = talloc_strdup(ctx, "\"Anonymous\" <sip:anonymous@anonymous.invalid>");
	else
		out->from = talloc_asprintf(ctx, "<sip:%s@%s;user=phone>", shown, domain);
	/* P-Asserted-Identity only for a network-provided or verified number that is available */
	if (cg_e164 && cg->apri != APRI_NOT_AVAILABLE &&
	    (cg->screening == SCREEN_NETWORK || cg->screening == SCREEN_USER_VERIFIED_PASSED))
		out->pai = talloc_asprintf(ctx, "<tel:%s>", cg_e164);
	out->privacy_id = cg && cg->apri == APRI_RESTRICTED;
	out->max_forwards = isup_msg_has(iam, ISUP_P_HOP_COUNTER) ?
		mgcf_max_forwards_from_hop_counter(iam->hop_counter) : MF_DEFAULT;
	out->clearmode = isup_msg_has(iam, ISUP_P_TMR) && iam->tmr == TMR_64K_UNRESTRICTED;
	out->preconditions = route_preconditions || (isup_msg_has(iam, ISUP_P_NCI) && iam->nci.continuity != 0);
	talloc_free(cg_e164);
	talloc_free(shown);
	if (!out->from)
		return -ENOMEM;
	return 0;
}
