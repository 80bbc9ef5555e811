/* Q.764 Annex A, Table A.1 timers.
 *
 * Defaults lie inside the ITU ranges (not the vendor defaults some stacks ship,
 * which fall outside them); min/max are the Q.764 ranges where Q.764 gives one,
 * so a configuration cannot set a value the recommendation forbids.
 */
#include "isup/isup_timers.h"

struct osmo_tdef isup_tdefs[] = {
	{ .T = 1,  .default_val = 15,  .unit = OSMO_TDEF_S, .min_val = 15, .max_val = 60,
	  .desc = "REL sent: await RLC, then repeat REL (Q.764 §2.3.1)" },
	{ .T = 2,  .default_val = 180, .unit = OSMO_TDEF_S, .min_val = 180, .max_val = 180,
	  .desc = "user SUS received: await RES, then release" },
	{ .T = 3,  .default_val = 120, .unit = OSMO_TDEF_S,
	  .desc = "overload received: await end, then release" },
	{ .T = 4,  .default_val = 300, .unit = OSMO_TDEF_S, .min_val = 300, .max_val = 900,
	  .desc = "remote user inaccessible: send UPT and retry" },
	{ .T = 5,  .default_val = 300, .unit = OSMO_TDEF_S, .min_val = 300, .max_val = 900,
	  .desc = "initial REL sent: after it, send RSC and alert maintenance" },
	{ .T = 6,  .default_val = 120, .unit = OSMO_TDEF_S, .min_val = 10, .max_val = 180,
	  .desc = "network SUS received: await RES, then release (Q.118)" },
	{ .T = 7,  .default_val = 25,  .unit = OSMO_TDEF_S, .min_val = 20, .max_val = 30,
	  .desc = "address complete awaited after IAM/SAM: release on expiry" },
	{ .T = 8,  .default_val = 12,  .unit = OSMO_TDEF_S, .min_val = 10, .max_val = 15,
	  .desc = "IAM with continuity check: await COT, release on expiry" },
	{ .T = 9,  .default_val = 90,  .unit = OSMO_TDEF_S, .min_val = 60, .max_val = 180,
	  .desc = "ACM received: await ANM, release on expiry (Q.118)" },
	{ .T = 10, .default_val = 5,   .unit = OSMO_TDEF_S, .min_val = 4, .max_val = 6,
	  .desc = "interworking: last digit received, send ACM on expiry" },
	{ .T = 11, .default_val = 17,  .unit = OSMO_TDEF_S, .min_val = 15, .max_val = 20,
	  .desc = "interworking: latest address message received, send ACM on expiry" },
	{ .T = 12, .default_val = 15,  .unit = OSMO_TDEF_S, .min_val = 15, .max_val = 60,
	  .desc = "BLO sent: await BLA, repeat BLO" },
	{ .T = 13, .default_val = 300, .unit = OSMO_TDEF_S, .min_val = 300, .max_val = 900,
	  .desc = "initial BLO sent: repeat BLO and alert maintenance" },
	{ .T = 14, .default_val = 15,  .unit = OSMO_TDEF_S, .min_val = 15, .max_val = 60,
	  .desc = "UBL sent: await UBA, repeat UBL" },
	{ .T = 15, .default_val = 300, .unit = OSMO_TDEF_S, .min_val = 300, .max_val = 900,
	  .desc = "initial UBL sent: repeat UBL and alert maintenance" },
	{ .T = 16, .default_val = 15,  .unit = OSMO_TDEF_S, .min_val = 15, .max_val = 60,
	  .desc = "RSC sent: await RLC, repeat RSC" },
	{ .T = 17, .default_val = 300, .unit = OSMO_TDEF_S, .min_val = 300, .max_val = 900,
	  .desc = "initial RSC sent: repeat RSC and alert maintenance" },
	{ .T = 18, .default_val = 15,  .unit = OSMO_TDEF_S, .min_val = 15, .max_val = 60,
	  .desc = "CGB sent: await CGBA, repeat CGB" },
	{ .T = 19, .default_val = 300, .unit = OSMO_TDEF_S, .min_val = 300, .max_val = 900,
	  .desc = "initial CGB sent: repeat CGB and alert maintenance" },
	{ .T = 20, .default_val = 15,  .unit = OSMO_TDEF_S, .min_val = 15, .max_val = 60,
	  .desc = "CGU sent: await CGUA, repeat CGU" },
	{ .T = 21, .default_val = 300, .unit = OSMO_TDEF_S, .min_val = 300, .max_val = 900,
	  .desc = "initial CGU sent: repeat CGU and alert maintenance" },
	{ .T = 22, .default_val = 15,  .unit = OSMO_TDEF_S, .min_val = 15, .max_val = 60,
	  .desc = "GRS sent: await GRA, repeat GRS" },
	{ .T = 23, .default_val = 300, .unit = OSMO_TDEF_S, .min_val = 300, .max_val = 900,
	  .desc = "initial GRS sent: repeat GRS and alert maintenance" },
	{ .T = 24, .default_val = 2,   .unit = OSMO_TDEF_S, .min_val = 1, .max_val = 2,
	  .desc = "check tone sent: await its return, COT failed on expiry" },
	{ .T = 25, .default_val = 5,   .unit = OSMO_TDEF_S, .min_val = 1, .max_val = 10,
	  .desc = "first continuity failure (IAM): send CCR on expiry" },
	{ .T = 26, .default_val = 120, .unit = OSMO_TDEF_S, .min_val = 60, .max_val = 180,
	  .desc = "repeated continuity failure (CCR): send CCR on expiry" },
	{ .T = 27, .default_val = 240, .unit = OSMO_TDEF_S, .min_val = 180, .max_val = 300,
	  .desc = "COT failed received: await CCR, send RSC on expiry" },
	{ .T = 28, .default_val = 10,  .unit = OSMO_TDEF_S, .min_val = 10, .max_val = 10,
	  .desc = "CQM sent: await CQR" },
	{ .T = 29, .default_val = 500, .unit = OSMO_TDEF_MS, .min_val = 300, .max_val = 600,
	  .desc = "congestion indication: ignore further ones until expiry" },
	{ .T = 30, .default_val = 8,   .unit = OSMO_TDEF_S, .min_val = 5, .max_val = 10,
	  .desc = "congestion indication: restore traffic one step on expiry" },
	{ .T = 33, .default_val = 14,  .unit = OSMO_TDEF_S, .min_val = 12, .max_val = 15,
	  .desc = "INR sent: await INF, release on expiry" },
	{ .T = 34, .default_val = 3,   .unit = OSMO_TDEF_S, .min_val = 2, .max_val = 4,
	  .desc = "segmentation indicated: await SGM" },
	{ .T = 35, .default_val = 17,  .unit = OSMO_TDEF_S, .min_val = 15, .max_val = 20,
	  .desc = "overlap: await more digits, release with cause 28 on expiry" },
	{ .T = 36, .default_val = 12,  .unit = OSMO_TDEF_S, .min_val = 10, .max_val = 15,
	  .desc = "CCR received: await COT or REL, reset on expiry" },
	{ .T = 38, .default_val = 150, .unit = OSMO_TDEF_S,
	  .desc = "network SUS sent (incoming international): REL cause 102 on expiry" },
	{}
};

struct osmo_tdef m3ua_tdefs[] = {
	{ .T = M3UA_T_ACK, .default_val = 2, .unit = OSMO_TDEF_S, .min_val = 1, .max_val = 10,
	  .desc = "ASPUP/ASPAC sent: await ACK, retransmit (RFC 4666 §4.3.4.1)" },
	{ .T = M3UA_T_BEAT, .default_val = 30, .unit = OSMO_TDEF_S, .min_val = 0, .max_val = 600,
	  .desc = "heartbeat interval, 0 disables BEAT" },
	{ .T = M3UA_T_RECONNECT, .default_val = 500, .unit = OSMO_TDEF_MS, .min_val = 100, .max_val = 60000,
	  .desc = "first reconnect delay after the association drops" },
	{ .T = M3UA_T_RECONNECT_MAX, .default_val = 10000, .unit = OSMO_TDEF_MS, .min_val = 100, .max_val = 600000,
	  .desc = "reconnect back-off ceiling" },
	{}
};

#define COT_TONE_MARGIN_MS	200	/* a tone result travels through a media thread's event queue */

unsigned int isup_cot_tone_timeout_ms(void)
{
	unsigned long t24 = osmo_tdef_get(isup_tdefs, 24, OSMO_TDEF_MS, -1);

	return t24 > 2 * COT_TONE_MARGIN_MS ? t24 - COT_TONE_MARGIN_MS : t24;
}
