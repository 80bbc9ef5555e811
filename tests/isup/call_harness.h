/* Test harness for the ISUP node: one node on a fake transport (ops->tx), messages captured and decoded. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "isup/isup_node.h"

#define H_MAX_SENT 256
#define H_MAX_CALLS 4096

/*! What the upper layer saw of one call. */
struct h_call {
	struct isup_call *call;
	bool incoming;
	bool released;
	uint8_t cause;
	bool by_remote;
	unsigned int n_events;
	uint8_t events[32];
	unsigned int cic_changes;
	uint16_t last_cic;
	unsigned int cot_tests;
};

struct h_sent {
	uint8_t *bytes;
	size_t len;
	uint32_t opc, dpc;
	uint8_t sls, ni;
};

struct harness {
	struct isup_node *node;
	struct isup_cfg *cfg;
	uint16_t local_pc, dpc;
	struct h_sent sent[H_MAX_SENT];
	unsigned int n_sent, next;
	struct h_call calls[H_MAX_CALLS];
	unsigned int n_calls;
	unsigned int n_released;
	bool release_in_incoming;		/*!< incoming_call releases the call at once */
	const struct isup_msg *rx_in_incoming;	/*!< incoming_call injects this message (once) before it returns */
	struct isup_msg last;			/*!< the message h_pop() returned (slices into sent[].bytes) */
	unsigned int cot_tests;
	struct isup_call *last_cot_call;
	unsigned int loop_ons, loop_offs;	/*!< ops->cot_loop calls (the far end's re-test) */
	uint16_t loop_cic;			/*!< circuit of the last one */
	bool loop_on;				/*!< whether the last one connected the loop */
};

/*! \brief Node with one association "a" (local_pc) and a trunk "pstn" towards dpc with CICs first..last. */
struct harness *h_alloc(uint16_t local_pc, uint16_t dpc, uint16_t first, uint16_t last, enum isup_hunting hunt,
			enum isup_trunk_direction dir, const struct isup_node_opts *opts);
void h_free(struct harness *h);
/*! \brief Make the association active (sent messages of the reset, if any, are captured). */
void h_activate(struct harness *h);
/*! The association's reset_circuits_on_active for the next h_alloc() (default false). */
extern bool h_cfg_reset_on_active;
/*! The last internal re-test call that cot_test was asked for, and how many there were. */
extern struct isup_call *h_retest_call;
extern unsigned int h_retests;
/*! \brief Inject raw bytes from the far end (OPC = dpc). */
void h_rx_bytes(struct harness *h, const uint8_t *b, size_t len);
/*! \brief Encode and inject. */
void h_rx(struct harness *h, const struct isup_msg *m);
void h_rx_simple(struct harness *h, uint8_t type, uint16_t cic);
/*! \brief Next sent message, decoded into h->last, or NULL. */
const struct isup_msg *h_pop(struct harness *h);
/*! \brief Assert the next sent message has this type and CIC; returns it. */
const struct isup_msg *h_expect(struct harness *h, uint8_t type, uint16_t cic);
/*! \brief Assert nothing more was sent. */
void h_expect_none(struct harness *h);
/*! \brief Drop everything captured so far. */
void h_flush(struct harness *h);
/*! \brief Advance fake time second by second. */
void h_advance(unsigned int secs);
/*! \brief Find the upper layer's record of a call. */
struct h_call *h_find(struct harness *h, struct isup_call *call);
/*! \brief The most recent incoming call record. */
struct h_call *h_last_incoming(struct harness *h);
/*! \brief Assert every circuit is IDLE without call, and no call object is left. */
void h_assert_all_idle(struct harness *h);
/*! \brief A basic IAM to 1234 (continuity cc). */
void h_iam(struct isup_msg *m, uint16_t cic, uint8_t cc);
/*! \brief Set up an outgoing call; asserts success and the IAM on the wire; returns the record. */
struct h_call *h_call_out(struct harness *h, uint16_t expect_cic);
/*! \brief Receive an incoming IAM and assert a call was offered. */
struct h_call *h_call_in(struct harness *h, uint16_t cic);
