/*! \file pstnsim.h
 * pstnsim: a simulated PSTN exchange on the same isup/ code as mgcfd.
 *
 *   mgcfd (ASP) ──M3UA/TCP──▶ pstnsim (SG) ── isup_node ── behaviour (this file)
 *
 * Behaviour of calls it receives, by the called number's digits as received:
 *   990CCC  release with Q.850 cause CCC before any ACM
 *   991SSS  ACM, then ring SSS seconds, then release with cause 19 (no answer)
 *   other   ACM at once, ANM after `answer-delay`, release after `hold` (0: wait for the caller)
 * Calls it originates: to `originate` (or `simulator call` on the VTY), `count` calls at `rate` per second;
 * answered ones are released after `hold` (0: wait for the far end).
 *
 * Bearer side: each call has a TDM-only media channel on its circuit's timeslot (when a span carries it):
 *
 *   far end ──CESoPSN──▶ media thread: [loop] [COT tone test] [digits/tones out] [DTMF + tone detectors]
 *                                          │ MEDIA_EV_DTMF / TONE / COT_RESULT
 *   signalling thread: struct sim_chan ◀──┘ ── isup_call_cot_result(), `show simulator cic`
 *
 * The loop answers the far end's continuity checks (IAM, and CCR re-tests through ops->cot_loop); with
 * `continuity = required` pstnsim's IAMs ask for the check and ops->cot_test runs the 2000 Hz test.
 *
 * Everything that happens is counted; sim_report() prints the counters as KEY=VALUE words that tests
 * compare with --expect KEY=VALUE.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "src/config.h"

struct isup_node;
struct sim;

/*! \brief Create the simulator around an ISUP node; cfg (its simulator section) must outlive it. */
struct sim *sim_alloc(void *ctx, const struct mgcfd_config *cfg);
/*! \brief The node (for the VTY). */
struct isup_node *sim_node(struct sim *s);
/*! \brief Start the association(s) and, if configured, originating calls. \returns 0 or a negative errno. */
int sim_start(struct sim *s);
/*! \brief Originate count calls to number at rate per second (adds to any running originator). */
void sim_originate(struct sim *s, const char *number, unsigned int count, unsigned int rate);
/*! \brief Whether nothing is left to do: no call alive, nothing left to originate. */
bool sim_idle(struct sim *s);
/*! \brief Print the counters, one line of KEY=VALUE words, to out(arg, line). */
void sim_report(struct sim *s, void (*out)(void *arg, const char *line), void *arg);
/*! \brief Value of one report key (e.g. "in_answered", "cause_17"); -1 for an unknown key. */
long sim_counter(struct sim *s, const char *key);
/*! \brief Drop (stop) or restore (start) an association by name. \returns 0 or -ENOENT. */
int sim_assoc(struct sim *s, const char *name, bool up);
/*! \brief Install the simulator's VTY commands. */
void sim_vty_init(struct sim *s);
void sim_free(struct sim *s);
