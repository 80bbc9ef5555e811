/*! \file mgcf_cfg.h
 * Typed configuration of the interworking layer: routes both ways, per-trunk
 * interworking policy (preconditions, admission, cause-map overrides) and CDRs.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <osmocom/core/linuxlist.h>
#include <osmocom/core/utils.h>

/*! Nature of address indicator (Q.763 §3.9 b). */
enum mgcf_nai {
	MGCF_NAI_SUBSCRIBER = 1,
	MGCF_NAI_UNKNOWN = 2,
	MGCF_NAI_NATIONAL = 3,
	MGCF_NAI_INTERNATIONAL = 4,
};

/*! How a SIP→ISUP call with unmet mandatory preconditions is handled (TS 29.163 §7.2.3.1.2). */
enum mgcf_precond_mode {
	MGCF_PRECOND_IAM_COT,	/*!< IAM at once with "continuity check performed on a previous circuit", COT later */
	MGCF_PRECOND_DELAY_IAM,	/*!< hold the IAM until the preconditions are met */
};

/*! Continuity check on the circuit of SIP→ISUP calls (Q.764 §2.1.8, NCI bits D C). */
enum mgcf_continuity {
	MGCF_CONTINUITY_NONE,		/*!< "not required" (unless preconditions ask for "previous circuit") */
	MGCF_CONTINUITY_REQUIRED,	/*!< "required on this circuit": 2000 Hz tone test before the call proceeds */
};

/*! SIP→ISUP route: called number prefix → trunk group, with digit manipulation. */
struct mgcf_route_out {
	struct llist_head list;
	char *name;
	char *prefix;		/*!< matched against the called number ("+" included); "" matches all */
	char *trunk;		/*!< trunk group name */
	unsigned int strip;	/*!< leading characters removed after the match */
	char *prepend;		/*!< digits put in front after stripping */
	enum mgcf_nai nai;
};

/*! ISUP→SIP route: trunk group and called number prefix → request-URI template and next hop. */
struct mgcf_route_in {
	struct llist_head list;
	char *name;
	char *trunk;		/*!< NULL: any trunk group */
	char *prefix;		/*!< on the called number as received (digits only) */
	char *uri_template;	/*!< "{number}" and "{e164}" are replaced */
	char *country_code;	/*!< own country code: national numbers become +CC… in {e164}; NULL: none */
	char *next_hop;		/*!< SIP next hop name, NULL: resolve from the URI */
	bool preconditions;	/*!< offer preconditions even if the IAM asks no continuity check */
};

/*! One override of a cause mapping: from → to. */
struct mgcf_cause_override {
	uint16_t from;
	uint16_t to;
};

/*! Interworking policy of one trunk group. */
struct mgcf_trunk_policy {
	struct llist_head list;
	char *name;
	enum mgcf_precond_mode precond_mode;
	enum mgcf_continuity continuity;
	unsigned int max_calls;		/*!< 0: limited only by circuits */
	struct mgcf_cause_override *q850_to_sip;	/*!< talloc array: Q.850 cause → SIP status */
	unsigned int num_q850_to_sip;
	struct mgcf_cause_override *sip_to_q850;	/*!< talloc array: SIP status → Q.850 cause */
	unsigned int num_sip_to_q850;
};

struct mgcf_cfg {
	struct llist_head routes_out;	/*!< struct mgcf_route_out */
	struct llist_head routes_in;	/*!< struct mgcf_route_in */
	struct llist_head trunks;	/*!< struct mgcf_trunk_policy */
	char *cdr_file;			/*!< NULL: no CDRs */
};

extern const struct value_string mgcf_nai_names[];
extern const struct value_string mgcf_precond_mode_names[];
extern const struct value_string mgcf_continuity_names[];
