/* RFC 3261 Table 4 timers (and RFC 6026 L/M).
 *
 * A, E and G are not listed: they start at T1 and double, so they are derived
 * from T1/T2 rather than configured separately (RFC 3261 §17.1.1.2, §17.1.2.2).
 */
#include "sip/sip_timers.h"

struct osmo_tdef sip_tdefs[] = {
	{ .T = SIP_T1, .default_val = 500, .unit = OSMO_TDEF_MS, .min_val = 50, .max_val = 10000,
	  .desc = "T1: RTT estimate (RFC 3261 §17.1.1.1)" },
	{ .T = SIP_T2, .default_val = 4000, .unit = OSMO_TDEF_MS, .min_val = 500, .max_val = 60000,
	  .desc = "T2: max retransmit interval" },
	{ .T = SIP_T4, .default_val = 5000, .unit = OSMO_TDEF_MS, .min_val = 500, .max_val = 60000,
	  .desc = "T4: max message lifetime in the network" },
	{ .T = SIP_TB, .default_val = 32000, .unit = OSMO_TDEF_MS, .min_val = 1000, .max_val = 300000,
	  .desc = "Timer B: INVITE transaction timeout" },
	{ .T = SIP_TC, .default_val = 180000, .unit = OSMO_TDEF_MS, .min_val = 180000, .max_val = 900000,
	  .desc = "Timer C: proxy INVITE transaction timeout" },
	{ .T = SIP_TD, .default_val = 32000, .unit = OSMO_TDEF_MS, .min_val = 32000, .max_val = 300000,
	  .desc = "Timer D: wait for response retransmits (UDP)" },
	{ .T = SIP_TF, .default_val = 32000, .unit = OSMO_TDEF_MS, .min_val = 1000, .max_val = 300000,
	  .desc = "Timer F: non-INVITE transaction timeout" },
	{ .T = SIP_TH, .default_val = 32000, .unit = OSMO_TDEF_MS, .min_val = 1000, .max_val = 300000,
	  .desc = "Timer H: wait for ACK" },
	{ .T = SIP_TI, .default_val = 5000, .unit = OSMO_TDEF_MS, .min_val = 0, .max_val = 60000,
	  .desc = "Timer I: absorb ACK retransmits (UDP)" },
	{ .T = SIP_TJ, .default_val = 32000, .unit = OSMO_TDEF_MS, .min_val = 0, .max_val = 300000,
	  .desc = "Timer J: absorb request retransmits (UDP)" },
	{ .T = SIP_TK, .default_val = 5000, .unit = OSMO_TDEF_MS, .min_val = 0, .max_val = 60000,
	  .desc = "Timer K: absorb response retransmits (UDP)" },
	{ .T = SIP_TL, .default_val = 32000, .unit = OSMO_TDEF_MS, .min_val = 1000, .max_val = 300000,
	  .desc = "Timer L: INVITE server Accepted state (RFC 6026)" },
	{ .T = SIP_TM, .default_val = 32000, .unit = OSMO_TDEF_MS, .min_val = 1000, .max_val = 300000,
	  .desc = "Timer M: INVITE client Accepted state (RFC 6026)" },
	{ .T = SIP_T_PRACK, .default_val = 32000, .unit = OSMO_TDEF_MS, .min_val = 1000, .max_val = 300000,
	  .desc = "reliable 1xx unacknowledged: give up (RFC 3262 §3)" },
	{ .T = SIP_T_TCP_IDLE, .default_val = 600, .unit = OSMO_TDEF_S, .min_val = 10, .max_val = 86400,
	  .desc = "idle TCP/TLS connection closed" },
	{}
};

const struct value_string sip_timer_names[] = {
	{ SIP_T1, "T1" }, { SIP_T2, "T2" }, { SIP_T4, "T4" },
	{ SIP_TB, "B" }, { SIP_TC, "C" }, { SIP_TD, "D" }, { SIP_TF, "F" },
	{ SIP_TH, "H" }, { SIP_TI, "I" }, { SIP_TJ, "J" }, { SIP_TK, "K" },
	{ SIP_TL, "L" }, { SIP_TM, "M" },
	{ SIP_T_PRACK, "prack" }, { SIP_T_TCP_IDLE, "tcp-idle" },
	{ 0, NULL }
};
