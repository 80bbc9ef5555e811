/*! \file sip_dialog.h
 * SIP dialogs (RFC 3261 §12): the state two user agents share for one INVITE usage.
 *
 *   UAC: INVITE ──► 1xx/2xx with To tag ──► sip_dialog_uac_create()   (route set = Record-Route reversed)
 *   UAS: INVITE ──► 1xx/2xx we send    ──► sip_dialog_uas_create()   (route set = Record-Route in order)
 *        early ──(2xx)──► confirmed: sip_dialog_confirm() (UAC takes the 2xx's route set and target, §13.2.2.4)
 *   in-dialog requests: sip_dialog_build_request() (loose or strict routing, §12.2.1.1), sip_dialog_dst()
 *   received requests:  sip_dialog_matches() + sip_dialog_rx_cseq() (500 for an old CSeq, §12.2.2)
 *
 * A dialog holds exact-size talloc copies of everything it needs; nothing points into a received message.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <osmocom/core/linuxlist.h>
#include <osmocom/core/msgb.h>

#include "sip/sip_msg.h"
#include "sip/sip_transport.h"

struct sip_dialog {
	struct llist_head list;		/*!< free for the owner (the session's list of early dialogs) */
	char *call_id;
	char *local_tag;
	char *remote_tag;
	char *local_uri;		/*!< name-addr of our side without tag, "<sip:a@x>" or "\"A\" <sip:a@x>" */
	char *remote_uri;		/*!< name-addr of the peer without tag */
	char *remote_target;		/*!< URI from the peer's Contact */
	char **route;			/*!< route set: rec-route elements as received, in the order we send them */
	unsigned int num_route;
	uint32_t local_cseq;		/*!< last CSeq we used */
	uint32_t remote_cseq;		/*!< last CSeq the peer used (valid if remote_cseq_set) */
	bool remote_cseq_set;
	bool secure;			/*!< sips: Request-URI over TLS (§12.1.1) */
	bool early;
	bool uac;			/*!< we sent the dialog-creating request */
	uint32_t rseq_rx;		/*!< RFC 3262 §4: last RSeq of a reliable 1xx received in this dialog */
	bool rseq_rx_set;
};

/*! \brief Dialog of a UAS from the received INVITE; local_tag is the To tag of our responses.
 * The Contact must be present (§12.1.1), else NULL. */
struct sip_dialog *sip_dialog_uas_create(void *ctx, const struct sip_msg *req, const char *local_tag, bool secure);

/*! \brief Dialog of a UAC from a 1xx (early) or 2xx with To tag to our INVITE.
 * local_uri/remote_uri are the name-addrs of our From and To (without tag). */
struct sip_dialog *sip_dialog_uac_create(void *ctx, const char *call_id, const char *local_tag, const char *local_uri,
					 const char *remote_uri, uint32_t local_cseq, bool secure,
					 const struct sip_msg *rsp);

/*! \brief The dialog becomes confirmed; a UAC passes the 2xx (route set and target recomputed, §13.2.2.4),
 * a UAS NULL. */
int sip_dialog_confirm(struct sip_dialog *dlg, const struct sip_msg *rsp_2xx);

/*! \brief Target refresh (re-INVITE, UPDATE and their 2xx, §12.2): the Contact replaces the remote target.
 * \returns 0, -ENOENT without Contact (the target stays), -EBADMSG. */
int sip_dialog_target_refresh(struct sip_dialog *dlg, const struct sip_msg *msg);

/*! \brief Whether a request belongs to the dialog (Call-ID, To tag = local, From tag = remote; §12.2.2). */
bool sip_dialog_matches(const struct sip_dialog *dlg, const struct sip_msg *req);

/*! \brief CSeq check of a request in the dialog (§12.2.2; not for ACK/CANCEL): \returns 0 and remembers the
 * number, -ERANGE for a number lower than the last one (answer 500). */
int sip_dialog_rx_cseq(struct sip_dialog *dlg, const struct sip_msg *req);

/*! \brief Next local CSeq for a new request (§12.2.1.1). */
uint32_t sip_dialog_next_cseq(struct sip_dialog *dlg);

/*! \brief Start an in-dialog request: Request-Line, Route, Max-Forwards, From, To, Call-ID, CSeq (§12.2.1.1).
 * Loose routing when the first route has ;lr, else strict routing (Request-URI = first route, the remote
 * target appended to Route).  The caller adds its headers and ends the message with sip_build_body().
 * \returns 0, -EMSGSIZE, -EINVAL. */
int sip_dialog_build_request(const struct sip_dialog *dlg, struct msgb *msg, const char *method, uint32_t cseq);

/*! \brief Where an in-dialog request goes: the first route's URI, else the remote target (IP literal hosts,
 * sip_core_uri_dst()).  \returns 0, -EINVAL. */
int sip_dialog_dst(const struct sip_dialog *dlg, struct sip_addr *dst);

/*! \brief Copy of a name-addr without its tag parameter ("\"A\" <sip:a@x>;other"), talloc'd under ctx. */
char *sip_name_addr_no_tag(void *ctx, const struct sip_name_addr *na);
