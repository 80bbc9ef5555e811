/*! \file isup_node_int.h
 * Private to isup_node.c, isup_cic.c, isup_call.c and isup_vty.c: the node's objects.
 */
#pragma once

#include <osmocom/core/fsm.h>
#include <osmocom/core/linuxlist.h>
#include <osmocom/core/timer.h>

#include "isup/isup_node.h"
#include "isup/m3ua.h"

struct isup_node;
struct isup_trunk;
struct isup_cic;

/*! A message repeated on a short timer (T12, T14, T16, T18, T20, T22, T1) until acknowledged, with a long
 *  timer (T13, T15, T17, T19, T21, T23, T5) started with the first one.  Q.764: at expiry of the long timer
 *  maintenance is alerted, the short timer stops and from then on the message repeats on the long timer. */
struct isup_rep {
	struct isup_node *node;
	const char *what;		/*!< message name, for logs */
	int t_short, t_long;
	bool active;
	bool long_phase;
	struct osmo_timer_list ts, tl;
	void (*resend)(struct isup_rep *rep);	/*!< send the message again */
	/*! optional: called at long timer expiry instead of the default (resend + alert) */
	void (*long_expiry)(struct isup_rep *rep);
};

void isup_rep_init(struct isup_rep *r, struct isup_node *node, const char *what, int t_short, int t_long,
		   void (*resend)(struct isup_rep *));
/*! Start both timers (the message was just sent). */
void isup_rep_start(struct isup_rep *r);
/*! Start only the long timer (RSC after T5). */
void isup_rep_start_long_only(struct isup_rep *r);
void isup_rep_stop(struct isup_rep *r);

struct isup_assoc {
	struct llist_head list;
	struct isup_node *node;
	char *name;
	uint16_t local_pc;
	uint8_t ni;
	bool reset_on_active;
	bool active;
	bool was_active;		/*!< went down after having been active: reset its circuits when back */
	struct m3ua_assoc *m3ua;
};

enum isup_cic_fsm_state {
	ISUP_CIC_ST_IDLE,
	ISUP_CIC_ST_BUSY_IN,
	ISUP_CIC_ST_BUSY_OUT,
	ISUP_CIC_ST_RESETTING,		/*!< RSC sent (T16/T17) or part of a GRS we sent (T22/T23 in the group) */
};

enum isup_cic_fsm_event {
	ISUP_CIC_EV_SEIZE_IN,		/*!< an incoming call takes the circuit; data NULL */
	ISUP_CIC_EV_SEIZE_OUT,		/*!< an outgoing call takes the circuit; data NULL */
	ISUP_CIC_EV_FREE,		/*!< the call on it ended (RLC both ways); data NULL */
	ISUP_CIC_EV_RESET,		/*!< send RSC (T16/T17); data: bool *after_t5 (NULL: false) */
	ISUP_CIC_EV_GRS_SENT,		/*!< part of a GRS we sent; data NULL */
	ISUP_CIC_EV_RESET_DONE,		/*!< RLC for our RSC, GRA for our GRS, association down; NULL */
};

struct isup_cic {
	struct isup_trunk *trunk;
	uint16_t cic;
	struct osmo_fsm_inst *fi;
	uint8_t blk;			/*!< ISUP_BLK_* */
	uint8_t pend;			/*!< ISUP_PEND_* */
	bool unequipped;		/*!< the far end sent UCIC for it */
	struct isup_call *call;
	struct isup_rep blo, ubl, rsc;
	uint64_t last_used;
};

struct isup_trunk {
	struct llist_head list;
	struct isup_node *node;
	char *name;
	char *id_name;			/*!< the name as FSM instance ids allow it ([a-zA-Z0-9-_.]) */
	struct isup_assoc *assoc;
	uint16_t dpc;
	enum isup_hunting hunting;
	enum isup_trunk_direction direction;
	unsigned int n_cics;
	struct isup_cic *cics;		/*!< sorted by CIC */
	unsigned int rr_next;
};

/*! A group procedure we started (GRS, CGB, CGU) and whose acknowledgement we await. */
struct isup_grp {
	struct llist_head list;
	struct isup_trunk *trunk;
	uint8_t type;
	uint16_t cic;
	uint8_t range;
	uint8_t cgsmt;
	uint32_t status;
	struct isup_rep rep;
};

struct isup_node {
	void *priv;
	const struct isup_node_ops *ops;
	struct isup_node_opts opts;
	struct osmo_tdef *tdefs;
	struct llist_head assocs;
	struct llist_head trunks;
	struct llist_head calls;
	struct llist_head grps;
	struct rate_ctr_group *ctrs;
	uint64_t use_seq;
	bool freeing;
	struct isup_msg *rx_msg;	/*!< the received message being handled (5 kB: allocated once) */
	bool rx_busy;			/*!< rx_msg in use: a message fed back meanwhile gets one of its own */
};

/* call FSM */
enum isup_call_fsm_state {
	ISUP_CALL_ST_OUT_WAIT_ACM,	/*!< IAM sent (T7) */
	ISUP_CALL_ST_OUT_WAIT_ANM,	/*!< ACM received (T9 if configured) */
	ISUP_CALL_ST_IN_WAIT_COT,	/*!< IAM received with continuity required/previous (T8) */
	ISUP_CALL_ST_IN_PROCEEDING,	/*!< IAM (and COT) received: upper layer to send ACM/CON/ANM */
	ISUP_CALL_ST_IN_ALERTING,	/*!< ACM sent: upper layer to send ANM */
	ISUP_CALL_ST_ANSWERED,
	ISUP_CALL_ST_SUSPENDED,		/*!< SUS received (T6 network / T2 user) */
	ISUP_CALL_ST_IN_COT_FAILED,	/*!< COT failed received: await CCR or REL (T27) */
	ISUP_CALL_ST_IN_RETEST,		/*!< CCR received: await COT or REL (T36) */
	ISUP_CALL_ST_RETEST_WAIT,	/*!< our continuity check failed: CCR after T25 / T26 */
	ISUP_CALL_ST_RETEST_TESTING,	/*!< CCR sent, tone test running (T24 bounds the upper layer) */
	ISUP_CALL_ST_RELEASING,		/*!< REL sent (T1, T5): await RLC */
};

enum isup_call_fsm_event {
	ISUP_CALL_EV_RX,		/*!< node rx path: a message for this call; data const struct isup_msg * */
	ISUP_CALL_EV_RELEASE,		/*!< upper layer or node: send REL; data uint8_t *cause */
	ISUP_CALL_EV_COT_RESULT,	/*!< upper layer: tone test result; data bool *ok */
};

struct isup_call {
	struct llist_head list;
	struct isup_node *node;
	struct isup_cic *cic;
	struct osmo_fsm_inst *fi;
	unsigned int seq;		/*!< instance number in the FSM id (the id is set when first logged) */
	bool outgoing;
	bool retest;			/*!< internal continuity re-test, never seen by the upper layer */
	bool loop_on;			/*!< ops->cot_loop connected the loop for the far end's re-test */
	void *upper_priv;
	bool up_released;		/*!< call_released reported (or never to be reported) */
	bool in_incoming_cb;		/*!< inside ops->incoming_call */
	bool deferred_release;		/*!< released inside incoming_call: report after it returns */
	uint8_t deferred_cause;
	bool deferred_by_remote;
	uint8_t *iam;			/*!< outgoing: encoded IAM, for re-attempts */
	size_t iam_len;
	uint8_t cot_mode;		/*!< NCI continuity indicator of the IAM */
	bool cot_pending;		/*!< out: tone test result awaited; in: COT awaited */
	bool backward_seen;		/*!< a backward message arrived (dual seizure is over) */
	bool rlc_sent, rlc_rcvd;
	bool leave_cic;			/*!< terminating without freeing the circuit (reset, association down) */
	uint8_t rel_cause;
	unsigned int attempts;
	struct osmo_timer_list t5, t33;
};

extern struct osmo_fsm isup_cic_fsm;
extern struct osmo_fsm isup_call_fsm;

/* isup_node.c */
int isup_node_send(struct isup_trunk *t, struct isup_msg *m);
int isup_node_send_bytes(struct isup_trunk *t, uint16_t cic, const uint8_t *bytes, size_t len);
void isup_node_ctr_inc(struct isup_node *node, enum isup_node_ctr ctr);
struct isup_cic *isup_trunk_find_cic(struct isup_trunk *t, uint16_t cic);
struct isup_cic *isup_trunk_select(struct isup_trunk *t);
bool isup_cic_we_control(const struct isup_cic *c);
unsigned long isup_node_timer_s(struct isup_node *node, int T);
void isup_node_send_simple(struct isup_cic *c, uint8_t type);

/* isup_cic.c */
int isup_cic_init(struct isup_cic *c, struct isup_trunk *t, uint16_t cic);
void isup_cic_fini(struct isup_cic *c);
bool isup_cic_available(const struct isup_cic *c);
void isup_cic_rx(struct isup_cic *c, const struct isup_msg *m);
void isup_cic_send_blo(struct isup_cic *c);
void isup_cic_send_ubl(struct isup_cic *c);
void isup_cic_start_reset(struct isup_cic *c, bool after_t5);
void isup_cic_clear_call(struct isup_cic *c, uint8_t cause);
const char *isup_cic_state_name(const struct isup_cic *c);
void isup_cic_fill_info(const struct isup_cic *c, struct isup_cic_info *info);

/* isup_call.c */
struct isup_call *isup_call_alloc(struct isup_cic *c, bool outgoing);
void isup_call_rx_iam(struct isup_cic *c, const struct isup_msg *iam);
void isup_call_rx(struct isup_call *call, const struct isup_msg *m);
void isup_call_abort(struct isup_call *call, uint8_t cause);
void isup_call_start_retest(struct isup_cic *c);
/*! A maintenance continuity test of an idle circuit: CCR now, then as a re-test (REL on success, T26 repeats). */
void isup_call_test_idle(struct isup_cic *c);
void isup_call_rx_ccr_idle(struct isup_cic *c);
bool isup_call_reattempt(struct isup_call *call, const char *why);
void isup_call_release_internal(struct isup_call *call, uint8_t cause, bool tell_up);
