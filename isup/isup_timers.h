/*! \file isup_timers.h
 * Q.764 Annex A timers as osmo_tdef data (settable from the config and VTY).
 */
#pragma once
#include <osmocom/core/tdef.h>

/*! \brief ISUP timers T1..T39 (Q.764 Table A.1), keyed by their number. */
extern struct osmo_tdef isup_tdefs[];
/*! \brief How long a continuity test listens for its tone: T24 less a margin, so that the result reaches the node
 *  before its own T24 runs out (ms). */
unsigned int isup_cot_tone_timeout_ms(void);
/*! \brief M3UA timers (RFC 4666): reconnect back-off, heartbeat, ASPUP/ASPAC retransmission. */
extern struct osmo_tdef m3ua_tdefs[];

enum m3ua_timer {
	M3UA_T_ACK = 1,		/*!< ASPUP/ASPAC retransmission (RFC 4666 §4.3.4.1: T(ack)) */
	M3UA_T_BEAT = 2,	/*!< heartbeat interval */
	M3UA_T_RECONNECT = 3,	/*!< first reconnect delay (doubles up to T_RECONNECT_MAX) */
	M3UA_T_RECONNECT_MAX = 4,
};
