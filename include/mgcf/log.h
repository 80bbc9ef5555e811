/*! \file log.h
 * Log categories shared by every module of mgcf.
 *
 * Each module logs under its own category so an operator can raise one
 * part of the gateway to DEBUG without drowning in the others.  The table
 * that names them lives in src/mgcf_log.c; the enum is here so that the
 * protocol libraries (sip/, isup/, media/, dtmf/, mgcf/) can log without
 * depending on each other or on src/.
 */
#pragma once

#include <osmocom/core/logging.h>

enum mgcf_log_cat {
	DMAIN,		/*!< daemon life cycle, signals */
	DCFG,		/*!< configuration loading and validation */
	DSIP,		/*!< SIP transactions, dialogs and sessions */
	DSIPT,		/*!< SIP transports (UDP/TCP/TLS) */
	DSDP,		/*!< SDP offer/answer and preconditions */
	DM3UA,		/*!< M3UA associations */
	DISUP,		/*!< ISUP codec and call control */
	DCIC,		/*!< ISUP circuit supervision */
	DMGCF,		/*!< interworking calls */
	DMEDIA,		/*!< media threads, channels, RTP, CESoPSN */
	DDTMF,		/*!< DTMF, tones, continuity tone */
	DCDR,		/*!< call detail records */
	DSIM,		/*!< pstnsim behaviour */
	_NUM_MGCF_LOG_CAT
};

/*! \brief The log_info describing all mgcf categories (for log_init()). */
extern const struct log_info mgcf_log_info;

/*! \brief LOGPFSML() for an FSM instance that is named lazily: NAMED, an expression giving the instance (naming
 * it first if need be), is evaluated only when the line is logged at all. */
#define LOGPFSML_NAMED(subsys, named, level, fmt, args...) \
	do { \
		if (log_check_level(subsys, level)) { \
			struct osmo_fsm_inst *_ln_fi = (named); \
			LOGPFSML(_ln_fi, level, fmt, ##args); \
		} \
	} while (0)
