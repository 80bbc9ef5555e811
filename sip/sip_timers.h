/*! \file sip_timers.h
 * RFC 3261 timers (§17 and Table 4) as osmo_tdef data.
 */
#pragma once
#include <osmocom/core/tdef.h>
#include <osmocom/core/utils.h>

enum sip_timer {
	SIP_T1 = 1,		/*!< RTT estimate */
	SIP_T2 = 2,		/*!< maximum retransmit interval for non-INVITE requests and INVITE responses */
	SIP_T4 = 4,		/*!< maximum duration a message will remain in the network */
	SIP_TB = 0x0b,		/*!< INVITE transaction timeout (64*T1) */
	SIP_TC = 0x0c,		/*!< proxy INVITE transaction timeout (> 3 min) */
	SIP_TD = 0x0d,		/*!< wait time for response retransmits (UDP) */
	SIP_TF = 0x0f,		/*!< non-INVITE transaction timeout (64*T1) */
	SIP_TH = 0x11,		/*!< wait time for ACK receipt (64*T1) */
	SIP_TI = 0x12,		/*!< wait time for ACK retransmits (T4 on UDP) */
	SIP_TJ = 0x13,		/*!< wait time for non-INVITE request retransmits (64*T1 on UDP) */
	SIP_TK = 0x14,		/*!< wait time for response retransmits (T4 on UDP) */
	SIP_TL = 0x15,		/*!< RFC 6026 Accepted state for INVITE server transactions (64*T1) */
	SIP_TM = 0x16,		/*!< RFC 6026 Accepted state for INVITE client transactions (64*T1) */
	SIP_T_PRACK = 0x100,	/*!< RFC 3262 reliable 1xx give-up time (64*T1) */
	SIP_T_TCP_IDLE = 0x101,	/*!< idle stream connection close */
};

/*! \brief SIP timers; names are shown as "T1", "TB", … in the VTY via their desc. */
extern struct osmo_tdef sip_tdefs[];

/*! \brief Names of SIP timers as RFC 3261 spells them ("T1", "B", …), for config and VTY. */
extern const struct value_string sip_timer_names[];
