/*! \file isup_cfg.h
 * Typed configuration of the ISUP side: M3UA associations and trunk groups.
 *
 * Filled by src/ from the configuration file; isup/ never reads the file
 * itself.  All strings are talloc children of the structure that holds them.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <osmocom/core/linuxlist.h>
#include <osmocom/core/sockaddr_str.h>

enum m3ua_transport {
	M3UA_TRANSPORT_TCP,	/*!< M3UA framing over TCP (no SCTP in the kernel) */
	M3UA_TRANSPORT_SCTP,	/*!< RFC 4666 over SCTP, PPID 3 */
};

enum m3ua_role {
	M3UA_ROLE_ASP,		/*!< we are the ASP (client side): mgcfd */
	M3UA_ROLE_SG,		/*!< we are the SG (server side): pstnsim */
};

enum m3ua_traffic_mode {
	M3UA_TMODE_OVERRIDE = 1,	/*!< RFC 4666 §3.8.1 traffic mode type 1 */
	M3UA_TMODE_LOADSHARE = 2,
	M3UA_TMODE_BROADCAST = 3,
};

/*! One M3UA association towards an SG (or, for pstnsim, from ASPs). */
struct m3ua_assoc_cfg {
	struct llist_head list;
	char *name;
	enum m3ua_transport transport;
	enum m3ua_role role;
	struct osmo_sockaddr_str local;		/*!< port 0: any */
	struct osmo_sockaddr_str remote;	/*!< ASP: where to connect; SG: unused */
	uint32_t local_pc;			/*!< our signalling point code (14 bit ITU) */
	uint32_t adjacent_pc;			/*!< the SG/STP or peer exchange */
	uint8_t network_indicator;		/*!< 0 intl, 1 spare, 2 national, 3 reserved national */
	bool routing_context_present;
	uint32_t routing_context;
	enum m3ua_traffic_mode traffic_mode;
	bool reset_circuits_on_active;		/*!< GRS all circuits when the AS becomes active */
};

enum isup_variant {
	ISUP_VARIANT_ITU,	/*!< ITU-T Q.761-Q.764 (2000) */
	ISUP_VARIANT_ETSI_V4,	/*!< ETSI EN 300 356 (ISUP v4) */
};

/*! Q.764 does not prescribe circuit selection; operators pick one per trunk group. */
enum isup_hunting {
	ISUP_HUNT_ASCENDING,
	ISUP_HUNT_DESCENDING,
	ISUP_HUNT_ROUND_ROBIN,
	ISUP_HUNT_LRU,		/*!< least recently used */
	ISUP_HUNT_ODD,		/*!< odd CICs first, then even */
	ISUP_HUNT_EVEN,		/*!< even CICs first, then odd */
	ISUP_HUNT_CONTROLLED,	/*!< CICs we control in glare first (Q.764 §2.9.1.4 advice) */
};

struct isup_cic_range {
	uint16_t first;
	uint16_t last;		/*!< inclusive */
};

enum isup_trunk_direction {
	ISUP_TRUNK_BOTHWAY,
	ISUP_TRUNK_INCOMING,	/*!< only the far end seizes */
	ISUP_TRUNK_OUTGOING,	/*!< only we seize */
};

/*! A trunk group: a set of circuits towards one destination point code. */
struct isup_trunk_cfg {
	struct llist_head list;
	char *name;
	enum isup_variant variant;
	char *assoc_name;
	struct m3ua_assoc_cfg *assoc;		/*!< resolved by the loader */
	uint32_t dpc;
	struct isup_cic_range *cics;		/*!< talloc array */
	unsigned int num_cic_ranges;
	enum isup_hunting hunting;
	enum isup_trunk_direction direction;
};

struct isup_cfg {
	struct llist_head assocs;	/*!< struct m3ua_assoc_cfg */
	struct llist_head trunks;	/*!< struct isup_trunk_cfg */
};

/*! \brief Number of CICs in a trunk group. */
unsigned int isup_trunk_cfg_num_cics(const struct isup_trunk_cfg *t);
/*! \brief Whether a trunk group contains a CIC. */
bool isup_trunk_cfg_has_cic(const struct isup_trunk_cfg *t, uint16_t cic);

extern const struct value_string isup_variant_names[];
extern const struct value_string isup_hunting_names[];
extern const struct value_string isup_trunk_direction_names[];
extern const struct value_string m3ua_transport_names[];
extern const struct value_string m3ua_role_names[];
extern const struct value_string m3ua_traffic_mode_names[];
