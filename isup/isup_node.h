/*! \file isup_node.h
 * ISUP node: circuits (Q.764 §2.9-2.10 supervision) and call control (Q.764 §2.1-2.7) over M3UA.
 *
 *   upper layer (mgcf/, pstnsim)
 *      |  isup_call_setup() / isup_call_send() / isup_call_release() / isup_call_cot_result()
 *      |  ^ ops: incoming_call, call_event, call_released (exactly once per call), cot_test, cic_changed
 *      v  |
 *   +--------------------------- struct isup_node ---------------------------+
 *   | isup_call FSM (one per call)  OUT: WAIT_ACM(T7) > WAIT_ANM(T9) > ANSWERED |
 *   |                               IN:  WAIT_COT(T8) > PROCEEDING > ALERTING  |
 *   |                               SUSPENDED(T2/T6), RELEASING(T1,T5)         |
 *   | isup_cic FSM (one per CIC)    IDLE, BUSY_IN, BUSY_OUT, RESETTING(T16/17) |
 *   |                               + blocking flags LM RM LH RH, pending acks |
 *   | trunk groups: hunting, dual seizure, GRS/CGB/CGU/CQM group procedures     |
 *   +--------------------------------------------------------------------------+
 *      |  routing: (association, OPC = trunk DPC, CIC) -> circuit
 *      v  label: OPC = association local_pc, DPC = trunk dpc, SLS = CIC & 0xf
 *   m3ua_assoc (one per configured association), or ops->tx in tests
 *
 * A call object is owned by the node.  The upper layer may use it from the moment isup_call_setup() returns (or
 * incoming_call is called) until call_released is called for it; the node may keep it internally a while longer
 * (waiting for RLC) but never reports anything about it again.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/tdef.h>

#include "isup/isup_cfg.h"
#include "isup/isup_codec.h"
#include "isup/m3ua_codec.h"

struct msgb;
struct isup_node;
struct isup_call;

/*! Rate counters of a node (names "isup:..."). */
enum isup_node_ctr {
	ISUP_CTR_RX_MSGS,
	ISUP_CTR_TX_MSGS,
	ISUP_CTR_RX_ERRORS,
	ISUP_CTR_RX_UNROUTED,
	ISUP_CTR_RX_UNKNOWN_MSG,
	ISUP_CTR_RX_UNEXPECTED,
	ISUP_CTR_TX_ERRORS,
	ISUP_CTR_CFN_TX,
	ISUP_CTR_CFN_RX,
	ISUP_CTR_UCIC_TX,
	ISUP_CTR_UCIC_RX,
	ISUP_CTR_DUAL_SEIZURES,
	ISUP_CTR_CALLS_OUT,
	ISUP_CTR_CALLS_IN,
	ISUP_CTR_CALLS_OUT_BUSY,
	ISUP_CTR_REATTEMPTS,
	ISUP_CTR_RSC_TX,
	ISUP_CTR_RSC_RX,
	ISUP_CTR_GRS_TX,
	ISUP_CTR_GRS_RX,
	ISUP_CTR_BLO_TX,
	ISUP_CTR_BLO_RX,
	ISUP_CTR_CGB_TX,
	ISUP_CTR_CGB_RX,
	ISUP_CTR_COT_FAILURES,
	ISUP_CTR_TIMER_EXPIRIES,
	ISUP_CTR_MAINT_ALERTS,
	_ISUP_CTR_COUNT
};

extern const struct rate_ctr_group_desc isup_node_ctrg_desc;

/*! What the node tells the upper layer.  Every member may be NULL. */
struct isup_node_ops {
	/*! An IAM arrived and created a call.  Everything in the IAM is in *iam (valid during the callback only).
	 *  If its NCI asks for continuity ("required": connect the loop; "previous circuit": nothing to connect),
	 *  the node waits for COT (T8) and refuses ACM/CPG/CON/ANM until it arrives (reported as a call_event).
	 *  The upper layer may call isup_call_send() or isup_call_release() from inside the callback.
	 *  \returns the upper layer's pointer for this call (passed back in the call callbacks). */
	void *(*incoming_call)(struct isup_node *node, struct isup_call *call, const struct isup_msg *iam, void *priv);
	/*! A call related message arrived (ACM, CPG, ANM, CON, COT, SAM, SUS, RES, INR, INF, FAC, APM, ...). */
	void (*call_event)(struct isup_call *call, const struct isup_msg *msg, void *upper_priv);
	/*! The call is over for the upper layer (exactly once per call); the call pointer is invalid afterwards.
	 *  Also called from inside isup_call_release(). */
	void (*call_released)(struct isup_call *call, uint8_t cause, bool by_remote, void *upper_priv);
	/*! The node's outgoing call moved to another circuit (dual seizure back-off, continuity failure). */
	void (*cic_changed)(struct isup_call *call, uint16_t cic, void *upper_priv);
	/*! Run the continuity tone test on the call's circuit and answer with isup_call_cot_result().
	 *  For a re-test after a failure (CCR) the call is internal: upper_priv is NULL. */
	void (*cot_test)(struct isup_call *call, const char *trunk, uint16_t cic, void *upper_priv);
	/*! Connect (on) or disconnect the continuity loop of a circuit the far end re-tests (CCR received, Q.764
	 *  §2.1.8): the re-test is internal, the upper layer sees no call for it.  Without it the loop is taken
	 *  as connected by the bearer equipment. */
	void (*cot_loop)(struct isup_node *node, const char *trunk, uint16_t cic, bool on, void *priv);
	/*! An association became able (or unable) to carry traffic. */
	void (*assoc_state)(struct isup_node *node, const char *name, bool active, void *priv);
	/*! Transmit override (tests, pstnsim without M3UA): if set, every ISUP message goes here instead of to
	 *  M3UA.  Takes ownership of msg.  \returns 0 or negative errno. */
	int (*tx)(struct isup_node *node, const char *assoc, const struct m3ua_data_hdr *hdr, struct msgb *msg,
		  void *priv);
};

/*! Node options. */
struct isup_node_opts {
	bool send_ucic;		/*!< answer messages for unprovisioned CICs with UCIC (national; default on) */
	bool run_t9;		/*!< run T9 (await ANM after ACM) on outgoing calls (default on) */
	bool no_m3ua;		/*!< do not create M3UA associations (ops->tx carries everything; tests) */
};

/*! \brief Default options (UCIC on, T9 on, M3UA on). */
void isup_node_opts_default(struct isup_node_opts *o);

/*! \brief Create a node: one M3UA association per configured association, the trunk groups and their circuits.
 *  Nothing is started.  cfg is read, not kept.  tdefs: the ISUP timers (NULL: isup_tdefs, which the program
 *  initialises with osmo_tdefs_reset()).  \returns NULL on failure. */
struct isup_node *isup_node_alloc(void *ctx, const struct isup_cfg *cfg, const struct isup_node_opts *opts,
				  const struct isup_node_ops *ops, void *priv, struct osmo_tdef *tdefs);
/*! \brief Start the associations. \returns 0 or the first negative errno. */
int isup_node_start(struct isup_node *node);
/*! \brief Free the node: calls are released towards the upper layer (cause 41), associations are freed. */
void isup_node_free(struct isup_node *node);
/*! \brief The node's counters. */
struct rate_ctr_group *isup_node_ctrs(struct isup_node *node);
/*! \brief One counter's value. */
uint64_t isup_node_ctr(struct isup_node *node, enum isup_node_ctr ctr);
/*! \brief The M3UA association of a configured name, or NULL (also with opts.no_m3ua). */
struct m3ua_assoc *isup_node_m3ua(struct isup_node *node, const char *assoc);

/*! \brief Feed one received ISUP message (the user part, from the CIC on) as if it came from M3UA on the named
 *  association.  The M3UA data_ind path uses the same function.  \returns 0, or -ENOENT unknown association. */
int isup_node_rx(struct isup_node *node, const char *assoc, const struct m3ua_data_hdr *hdr, const uint8_t *data,
		 size_t len);
/*! \brief Tell the node an association became active or not (what the M3UA state callback does; tests with
 *  ops->tx use it directly).  \returns 0 or -ENOENT. */
int isup_node_assoc_state(struct isup_node *node, const char *assoc, bool active);

/* ---- calls ---- */

/*! \brief Set up an outgoing call: select a circuit of the trunk group, fill the CIC, send the IAM (and start
 *  the continuity test through ops->cot_test when the IAM's NCI says "required on this circuit").
 *  \param iam_template an IAM (isup_build_iam() or filled by hand); its CIC is ignored.  Encoded at once, so
 *  it need not outlive the call.
 *  \returns 0 and *out; -ENOENT unknown trunk; -EBUSY no circuit (incoming-only trunk included); -ENETDOWN
 *  association down; -EINVAL not an IAM or not encodable. */
int isup_call_setup(struct isup_node *node, const char *trunk_name, const struct isup_msg *iam_template,
		    void *upper_priv, struct isup_call **out);
/*! \brief Whether isup_call_setup() would find a circuit on the trunk group now (OPTIONS health answers).
 *  \returns 0 yes; -ENOENT unknown trunk; -ENETDOWN association down; -EBUSY no circuit. */
int isup_trunk_can_setup(struct isup_node *node, const char *trunk);
/*! \brief Set up an outgoing call on one given circuit (no hunting); otherwise as isup_call_setup().
 *  \returns as isup_call_setup(); -EBUSY also when that circuit is not idle, -ERANGE not in the trunk group. */
int isup_call_setup_cic(struct isup_node *node, const char *trunk_name, uint16_t cic,
			const struct isup_msg *iam_template, void *upper_priv, struct isup_call **out);
/*! \brief Send a call related message (ACM, CPG, ANM, CON, COT, SAM, SUS, RES, INR, INF, FAC, APM, ...); the CIC
 *  is filled in.  REL is refused: use isup_call_release().  \returns 0; -EINVAL not allowed in this state or not
 *  encodable; -ENOTCONN the call is already released. */
int isup_call_send(struct isup_call *call, struct isup_msg *msg);
/*! \brief Release the call with a Q.850 cause (REL, then RLC awaited internally).  ops->call_released is called
 *  (by_remote false) before this returns. */
void isup_call_release(struct isup_call *call, uint8_t cause);
/*! \brief Result of the continuity test asked for by ops->cot_test. */
void isup_call_cot_result(struct isup_call *call, bool ok);
/*! \brief CIC the call is on. */
uint16_t isup_call_cic(const struct isup_call *call);
/*! \brief The priv pointer the node was allocated with (for ops called without upper_priv: the re-test). */
void *isup_call_node_priv(const struct isup_call *call);
/*! \brief Name of the call's trunk group. */
const char *isup_call_trunk(const struct isup_call *call);
/*! \brief Whether the call was set up by us (outgoing IAM). */
bool isup_call_outgoing(const struct isup_call *call);
/*! \brief Name of the call's current state. */
const char *isup_call_state_name(const struct isup_call *call);

/* ---- maintenance ---- */

/*! \brief Block circuits first..last of a trunk group locally (maintenance: BLO for one, CGB for a range;
 *  hardware: CGB hardware oriented, releasing calls).  \returns 0, -ENOENT unknown trunk, -ERANGE CIC not in
 *  the trunk or range over 32 circuits. */
int isup_cic_block(struct isup_node *node, const char *trunk, uint16_t first, uint16_t last, bool hardware);
/*! \brief Remove local blocking (UBL or CGU).  Same returns as isup_cic_block(). */
int isup_cic_unblock(struct isup_node *node, const char *trunk, uint16_t first, uint16_t last, bool hardware);
/*! \brief Reset circuits: RSC for one, GRS for a range (2..32 circuits).  Same returns as isup_cic_block(). */
int isup_cic_reset(struct isup_node *node, const char *trunk, uint16_t first, uint16_t last);
/*! \brief Continuity test of an idle circuit (Q.764 §2.1.8 with CCR, as a maintenance re-test): CCR, the tone through
 *  ops->cot_test, REL when it comes back, else COT(failed) and a re-test every T26 until it succeeds (the circuit is
 *  not used for calls meanwhile).  \returns 0, -ENOENT (trunk), -ERANGE (CIC), -EBUSY (not idle or blocked). */
int isup_cic_continuity_test(struct isup_node *node, const char *trunk, uint16_t cic);

/*! Blocking flags of a circuit. */
#define ISUP_BLK_LM	0x01	/*!< locally blocked, maintenance */
#define ISUP_BLK_RM	0x02	/*!< remotely blocked, maintenance */
#define ISUP_BLK_LH	0x04	/*!< locally blocked, hardware */
#define ISUP_BLK_RH	0x08	/*!< remotely blocked, hardware */

/*! Pending acknowledgement flags of a circuit. */
#define ISUP_PEND_BLA	0x01
#define ISUP_PEND_UBA	0x02
#define ISUP_PEND_CGBA	0x04
#define ISUP_PEND_CGUA	0x08
#define ISUP_PEND_GRA	0x10
#define ISUP_PEND_RLC	0x20	/*!< RSC sent */

/*! The state of one circuit, for VTY and tests. */
struct isup_cic_info {
	const char *trunk;
	uint16_t cic;
	const char *state;	/*!< "IDLE", "BUSY_IN", "BUSY_OUT", "RESETTING" */
	bool idle;		/*!< IDLE and no call object */
	uint8_t blk;		/*!< ISUP_BLK_* */
	uint8_t pend;		/*!< ISUP_PEND_* */
	bool unequipped;	/*!< UCIC received */
	bool we_control;	/*!< we win dual seizure on it */
	const char *call_state;	/*!< NULL without call */
};

/*! \brief Iterate over the circuits (of one trunk group, or all for trunk NULL), in trunk then CIC order.
 *  cb returns non-zero to stop.  \returns 0, the non-zero cb value, or -ENOENT unknown trunk. */
int isup_node_cic_state(struct isup_node *node, const char *trunk,
			int (*cb)(const struct isup_cic_info *info, void *arg), void *arg);
/*! \brief Result of the continuity re-test of a circuit (ops->cot_test with upper_priv NULL), delivered by circuit:
 *  the node's internal re-test call may have gone meanwhile (reset).  \returns 0, or -ENOENT if the circuit is
 *  no longer being re-tested. */
int isup_node_retest_result(struct isup_node *node, const char *trunk, uint16_t cic, bool ok);
/*! \brief State of one circuit. \returns 0 or -ENOENT. */
int isup_node_cic_get(struct isup_node *node, const char *trunk, uint16_t cic, struct isup_cic_info *info);
/*! \brief Blocking flags as text "LM RM LH RH" (dashes for clear flags) into dst (>= 12 octets). */
const char *isup_blk_str(char *dst, size_t len, uint8_t blk);

/*! \brief Print `show isup circuits [TRUNK]`: one call of out() per line. \returns 0 or -ENOENT. */
int isup_node_show_circuits(struct isup_node *node, const char *trunk, void (*out)(void *arg, const char *line),
			    void *arg);
/*! \brief Print `show isup calls`. */
void isup_node_show_calls(struct isup_node *node, void (*out)(void *arg, const char *line), void *arg);
/*! \brief Print `show m3ua` for every association of the node. */
void isup_node_show_m3ua(struct isup_node *node, void (*out)(void *arg, const char *line), void *arg);
/*! \brief Number of call objects alive (including those waiting for RLC). */
unsigned int isup_node_num_calls(struct isup_node *node);
