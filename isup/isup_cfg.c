/* Helpers over the typed ISUP configuration. */
#include <osmocom/core/utils.h>
#include "isup/isup_cfg.h"

const struct value_string isup_variant_names[] = {
	{ ISUP_VARIANT_ITU, "itu" },
	{ ISUP_VARIANT_ETSI_V4, "etsi-v4" },
	{ 0, NULL }
};

const struct value_string isup_hunting_names[] = {
	{ ISUP_HUNT_ASCENDING, "ascending" },
	{ ISUP_HUNT_DESCENDING, "descending" },
	{ ISUP_HUNT_ROUND_ROBIN, "round-robin" },
	{ ISUP_HUNT_LRU, "lru" },
	{ ISUP_HUNT_ODD, "odd" },
	{ ISUP_HUNT_EVEN, "even" },
	{ ISUP_HUNT_CONTROLLED, "controlled" },
	{ 0, NULL }
};

const struct value_string isup_trunk_direction_names[] = {
	{ ISUP_TRUNK_BOTHWAY, "both-way" },
	{ ISUP_TRUNK_INCOMING, "incoming" },
	{ ISUP_TRUNK_OUTGOING, "outgoing" },
	{ 0, NULL }
};

const struct value_string m3ua_transport_names[] = {
	{ M3UA_TRANSPORT_TCP, "tcp" },
	{ M3UA_TRANSPORT_SCTP, "sctp" },
	{ 0, NULL }
};

const struct value_string m3ua_role_names[] = {
	{ M3UA_ROLE_ASP, "asp" },
	{ M3UA_ROLE_SG, "sg" },
	{ 0, NULL }
};

const struct value_string m3ua_traffic_mode_names[] = {
	{ M3UA_TMODE_OVERRIDE, "override" },
	{ M3UA_TMODE_LOADSHARE, "loadshare" },
	{ M3UA_TMODE_BROADCAST, "broadcast" },
	{ 0, NULL }
};

unsigned int isup_trunk_cfg_num_cics(const struct isup_trunk_cfg *t)
{
	unsigned int i, n = 0;

	for (i = 0; i < t->num_cic_ranges; i++)
		n += t->cics[i].last - t->cics[i].first + 1;
	return n;
}

bool isup_trunk_cfg_has_cic(const struct isup_trunk_cfg *t, uint16_t cic)
{
	unsigned int i;

	for (i = 0; i < t->num_cic_ranges; i++) {
		if (cic >= t->cics[i].first && cic <= t->cics[i].last)
			return true;
	}
	return false;
}
