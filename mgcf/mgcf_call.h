/*! \file mgcf_call.h
 * The interworking calls: one parent osmo_fsm "mgcf_call" per call, owning an ISUP leg, a SIP leg and a media
 * channel (TS 29.163 §7; standards.md §4).
 *
 *           SIP (sip_sess)                      mgcf_call FSM                     ISUP (isup_node)
 *   INVITE ──────────────────▶ sip2isup: INIT ▶ PROCEEDING ▶ EARLY ▶ ACTIVE ─── IAM ──────────▶
 *          ◀─ 180/183/200 ──────                                    ◀── ACM/CPG/ANM/CON ────────
 *          ◀──────── INVITE ── isup2sip: INIT ▶ PROCEEDING ▶ EARLY ▶ ACTIVE ◀── IAM ───────────
 *   18x/200 ─────────────────▶                                      ── ACM/CPG/ANM/CON ────────▶
 *   BYE/CANCEL/4xx-6xx ──────▶             RELEASING (one exit path)     ── REL (mapped cause) ─▶
 *          ◀── BYE/CANCEL/4xx-6xx + Reason: Q.850                 ◀── REL / T7 / T9 / assoc loss ─
 *                                  media channel on the call's CIC, RTP to the SDP peer
 *
 * The SIP leg is a session of the session layer (sip_sess.h: 100rel/PRACK, UPDATE, CANCEL, BYE, session
 * timers); the call does the SDP offer/answer and the preconditions (sdp_precond.h).
 * Every exit path of a call goes through RELEASING: the leg that did not end is released with the mapped cause,
 * the media channel is destroyed, the timers stop, one CDR line is written and the call is freed.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "isup/isup_node.h"
#include "media/media.h"
#include "mgcf/mgcf_cdr.h"
#include "mgcf/mgcf_cfg.h"
#include "sip/sip_cfg.h"
#include "sip/sip_sess.h"

struct mgcf_iw;

/*! Counters of the interworking layer (names "mgcf:..."). */
enum mgcf_iw_ctr {
	MGCF_CTR_SIP2ISUP_CALLS,
	MGCF_CTR_ISUP2SIP_CALLS,
	MGCF_CTR_ANSWERED,
	MGCF_CTR_REJECTED_NO_ROUTE,
	MGCF_CTR_REJECTED_ADMISSION,
	MGCF_CTR_REJECTED_SDP,
	MGCF_CTR_MEDIA_FAILED,
	MGCF_CTR_TIMEOUTS,
	_MGCF_CTR_COUNT
};

/*! What the interworking layer works with.  The pointers must outlive the layer (the configuration may be
 *  replaced with mgcf_iw_set_cfg()). */
struct mgcf_iw_deps {
	struct isup_node *isup;		/*!< may be set later with mgcf_iw_set_isup() */
	struct sip_sess_ua *ua;		/*!< may be set later with mgcf_iw_set_sip() */
	struct media_plane *media;	/*!< NULL: calls have no media channel (tests) */
	const struct media_cfg *media_cfg;	/*!< where RTP is received (SDP c=); NULL: 127.0.0.1 */
	const struct mgcf_cfg *cfg;
	const struct sip_cfg *sip_cfg;
	struct osmo_tdef *tdefs;	/*!< NULL: mgcf_tdefs */
};

/*! \brief Allocate the interworking layer.  NULL on failure. */
struct mgcf_iw *mgcf_iw_alloc(void *ctx, const struct mgcf_iw_deps *deps);
/*! \brief Release every call (cause 41 both ways; no CDR line is lost) and free the layer. */
void mgcf_iw_free(struct mgcf_iw *iw);
/*! \brief The ISUP node's operations for this layer (priv: the mgcf_iw). */
extern const struct isup_node_ops mgcf_iw_isup_ops;
/*! \brief The session layer's operations for this layer (sip_sess_ua_alloc() priv: the mgcf_iw). */
extern const struct sip_sess_ops mgcf_iw_sess_ops;
/*! \brief Set the ISUP node (created with mgcf_iw_isup_ops and the layer as priv). */
void mgcf_iw_set_isup(struct mgcf_iw *iw, struct isup_node *isup);
/*! \brief Set the media plane (calls set up before have no channel). */
void mgcf_iw_set_media(struct mgcf_iw *iw, struct media_plane *media);
/*! \brief Set the SIP user agent (created with mgcf_iw_sess_ops and the layer as priv). */
void mgcf_iw_set_sip(struct mgcf_iw *iw, struct sip_sess_ua *ua);
/*! \brief Replace the configuration (after a reload); running calls keep their routes. */
void mgcf_iw_set_cfg(struct mgcf_iw *iw, const struct mgcf_cfg *cfg, const struct sip_cfg *sip_cfg);
/*! \brief Open the CDR file (NULL: no CDRs).  \returns 0 or a negative errno. */
int mgcf_iw_set_cdr_file(struct mgcf_iw *iw, const char *path);
/*! \brief Feed a media plane event (the plane's ops->event). */
void mgcf_iw_media_event(struct mgcf_iw *iw, const struct media_event *ev);

/*! \brief Number of calls alive. */
unsigned int mgcf_iw_num_calls(const struct mgcf_iw *iw);
/*! \brief Calls alive on one trunk group. */
unsigned int mgcf_iw_trunk_calls(const struct mgcf_iw *iw, const char *trunk);
/*! \brief One counter's value. */
uint64_t mgcf_iw_ctr(const struct mgcf_iw *iw, enum mgcf_iw_ctr ctr);
/*! \brief Print `show calls`: a header and one line per call (call id, direction, trunk, CIC, call state,
 *  ISUP leg state, SIP leg state, age, numbers). */
void mgcf_iw_show_calls(const struct mgcf_iw *iw, void (*out)(void *arg, const char *line), void *arg);

/*! \brief Install `show calls` on the VTY (one layer per process). */
void mgcf_iw_vty_init(struct mgcf_iw *iw);
