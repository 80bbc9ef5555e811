/*! \file sdp_precond.h
 * Precondition status tables (RFC 3312, updated by RFC 4032), per media stream.
 *
 * Each side keeps, per stream and per status type in use (e2e, or the two
 * segments local and remote), a table with one row per direction:
 *
 *      status type LOCAL (our access segment)      status type REMOTE (the peer's)
 *      dir  | current | desired   | confirm        dir  | current | desired   | confirm
 *      send |   no    | mandatory | -              send |   no    | mandatory | we ask
 *      recv |   no    | mandatory | -              recv |   no    | mandatory | we ask
 *
 * Everything in struct sdp_precond is from OUR point of view.  An SDP is written
 * from its writer's point of view, so on the way in and out the status type and the
 * direction are mirrored:
 *
 *      peer writes  e2e send     -> our e2e recv       (the peer's sending is our receiving)
 *      peer writes  local send   -> our remote recv    (the peer's segment is our "remote")
 *      peer writes  remote recv  -> our local send
 *
 * How the interworking layer drives it (one struct per SIP session):
 *
 *   received SDP ─► sdp_parse() ─► sdp_precond_update() ─┐
 *   our reservation done ─────────► sdp_precond_set_local_current()
 *   our requirements ─────────────► sdp_precond_set_desired(), sdp_precond_request_confirm()
 *                                                         ▼
 *        sdp_precond_failed()? ──yes──► answer 580 Precondition Failure
 *        sdp_precond_met()?    ──yes──► alert / send COT / send the IAM
 *        sdp_precond_confirm_due()? ──► send an UPDATE with a new offer
 *   next offer/answer ◄── sdp_precond_write(): a=curr / a=des / a=conf into the media
 *
 * Rules applied (RFC 3312 §5): a desired strength only ever gets stronger
 * (none < optional < mandatory) when ours and the peer's meet; "failure" from the
 * peer is sticky and makes the stream fail; "unknown" (peer does not understand the
 * precondition type) fails a mandatory row.  The peer is authoritative for the
 * current status of its own segment; its view of ours is ignored; e2e current
 * status from either side only adds reserved directions.
 */
#pragma once

#include "sip/sdp.h"

/*! Index of a row: the direction of media flow it describes, from our view. */
enum sdp_pc_row_idx {
	SDP_PC_ROW_SEND = 0,
	SDP_PC_ROW_RECV = 1,
};

struct sdp_pc_row {
	bool cur;			/*!< current status: resources reserved for this direction */
	enum sdp_pc_strength des;	/*!< desired strength (never SDP_PC_STR_UNKNOWN; see .unknown) */
	bool unknown;			/*!< the peer said "unknown" for this row */
	bool conf_peer;			/*!< the peer asked (a=conf) to be told when this row becomes current */
	bool conf_ours;			/*!< we ask the peer (a=conf) to tell us when this row becomes current */
};

struct sdp_pc_table {
	struct sdp_pc_row row[2];	/*!< indexed by enum sdp_pc_row_idx */
};

struct sdp_pc_stream {
	bool used[_SDP_PC_STATUS_NUM];		/*!< status types in play on this stream */
	struct sdp_pc_table tbl[_SDP_PC_STATUS_NUM];	/*!< indexed by enum sdp_pc_status */
	bool unknown_type;			/*!< the peer used a precondition type other than qos */
	bool unknown_mandatory;			/*!< ... and made it mandatory: we cannot meet it */
};

struct sdp_precond {
	unsigned int num_streams;
	struct sdp_pc_stream s[SDP_MAX_MEDIA];
};

/*! \brief The stronger of two desired strengths (RFC 3312 §5: none < optional < mandatory;
 * failure wins over everything). SDP_PC_STR_UNKNOWN leaves \a a unchanged. */
enum sdp_pc_strength sdp_pc_stronger(enum sdp_pc_strength a, enum sdp_pc_strength b);

/*! \brief The status type as seen from the other side (local <-> remote; e2e stays). */
enum sdp_pc_status sdp_pc_status_mirror(enum sdp_pc_status s);
/*! \brief The direction tag as seen from the other side (send <-> recv). */
enum sdp_pc_dir sdp_pc_dir_mirror(enum sdp_pc_dir d);

/*! \brief Start with no preconditions on any stream. */
void sdp_precond_init(struct sdp_precond *pc);

/*! \brief Whether any stream uses preconditions. */
bool sdp_precond_in_use(const struct sdp_precond *pc);

/*! \brief State our own desired strength for the rows \a dir of status type \a st (from our
 * view).  Combined with what is there by sdp_pc_stronger().  Using LOCAL or REMOTE puts
 * the stream in segmented mode (both segments are then written).
 * \returns 0; -EINVAL bad stream index or strength. */
int sdp_precond_set_desired(struct sdp_precond *pc, unsigned int idx, enum sdp_pc_status st, enum sdp_pc_dir dir,
			    enum sdp_pc_strength strength);

/*! \brief Our resources for \a dir are reserved (or, with \a reserved false, lost). Sets the
 * e2e rows and the local-segment rows of the stream, whichever are in use.
 * \returns 0; -EINVAL bad stream index. */
int sdp_precond_set_local_current(struct sdp_precond *pc, unsigned int idx, enum sdp_pc_dir dir, bool reserved);

/*! \brief Ask the peer to confirm (a=conf) when rows \a dir of \a st (from our view) become current.
 * \returns 0; -EINVAL bad stream index. */
int sdp_precond_request_confirm(struct sdp_precond *pc, unsigned int idx, enum sdp_pc_status st,
				enum sdp_pc_dir dir);

/*! \brief Take the peer's a=curr / a=des / a=conf lines from a received SDP (offer or
 * answer), stream by stream.  Streams with port 0 drop their preconditions. */
void sdp_precond_update(struct sdp_precond *pc, const struct sdp_session *remote);

/*! \brief All mandatory preconditions of all streams are met (and none failed). */
bool sdp_precond_met(const struct sdp_precond *pc);

/*! \brief A precondition cannot be met: a row is "failure", a mandatory row got
 * "unknown" from the peer, or the peer made a precondition type we do not know
 * (RFC 3312 §9) mandatory.  A UAS then answers 580 Precondition Failure. */
bool sdp_precond_failed(const struct sdp_precond *pc);

/*! \brief The peer asked for a confirmation that is now due (a row it asked about is
 * current): send an updated offer (UPDATE) written by sdp_precond_write(). */
bool sdp_precond_confirm_due(const struct sdp_precond *pc);

/*! \brief Write the a=curr / a=des / a=conf lines for the streams of \a sdp (from our view,
 * as RFC 3312 §5 encodes them), replacing any there.  Rows whose confirmation was due
 * are marked confirmed.  With \a failure, every desired strength of a failed stream is
 * written as "failure" (for a 580 or a counter-offer).
 * \returns 0; -EMSGSIZE if a stream would need more than SDP_MAX_PRECOND lines. */
int sdp_precond_write(struct sdp_precond *pc, struct sdp_session *sdp, bool failure);
