/* Release cause mapping (see mgcf_cause.h).
 *
 * Sources, in order of precedence (TS 29.163 wins where it and RFC 3398 differ):
 *  - TS 29.163 §7.2.3.1.8 (REL received by the SIP->ISUP MGCF) and §7.2.3.2.x (4xx-6xx received by the
 *    ISUP->SIP MGCF); ITU-T Q.1912.5 gives the same defaults for Profile A.
 *  - RFC 3398 §7.2.4.1 and §8.2.6.1 only where 29.163 has nothing to say.
 * The 29.163 text itself could not be consulted while writing this table; rows marked "[recalled]" follow
 * the published defaults as remembered, as the project's standards digest §4(c) has them (18, 19, 20, 21, 31
 * -> 480; resource, service and protocol classes to 480/500 rather than RFC 3398's 503/403/488/501).  Every row
 * can be overridden per trunk group (q850-to-sip / sip-to-q850).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osmocom/core/utils.h>

#include "mgcf/mgcf_cause.h"

#define TS29163_REL	"TS 29.163 §7.2.3.1.8"
#define TS29163_RESP	"TS 29.163 §7.2.3.2"
#define RECALLED	" [recalled]"

/* Q.850 cause -> SIP status (TS 29.163 §7.2.3.1.8, the REL cause table).  A cause without a row of its own
 * takes the row of its class's "unspecified" cause (class_unspecified[]), the way ISUP treats a cause value it
 * does not know. */
const struct mgcf_cause_row mgcf_q850_to_sip_rows[] = {
	/* normal event (classes 000, 001) */
	{ 1, 404, TS29163_REL },	/* unallocated number */
	{ 2, 404, TS29163_REL },	/* no route to specified transit network */
	{ 3, 404, TS29163_REL },	/* no route to destination */
	{ 4, 500, TS29163_REL RECALLED },	/* send special information tone */
	{ 5, 404, TS29163_REL RECALLED },	/* misdialled trunk prefix */
	{ 8, 500, TS29163_REL RECALLED },	/* preemption */
	{ 9, 500, TS29163_REL RECALLED },	/* preemption, circuit reserved for reuse */
	{ 17, 486, TS29163_REL },	/* user busy */
	{ 18, 480, TS29163_REL RECALLED " (RFC 3398: 408)" },	/* no user responding */
	{ 19, 480, TS29163_REL },	/* no answer from user */
	{ 20, 480, TS29163_REL },	/* subscriber absent */
	{ 21, 480, TS29163_REL RECALLED " (603 when the location is the user, RFC 3398 §7.2.4.1)" },
	{ 22, 410, TS29163_REL },	/* number changed */
	{ 23, 410, TS29163_REL RECALLED },	/* redirection to new destination */
	{ 25, 404, TS29163_REL RECALLED },	/* exchange routing error */
	{ 27, 502, TS29163_REL },	/* destination out of order */
	{ 28, 484, TS29163_REL },	/* invalid number format (address incomplete) */
	{ 29, 500, TS29163_REL RECALLED " (RFC 3398: 501)" },	/* facility rejected */
	{ 31, 480, TS29163_REL },	/* normal, unspecified; also 16 before a final response */
	/* resource unavailable (class 010): no 503, which the IMS would take for the whole gateway being down */
	{ 34, 480, TS29163_REL RECALLED " (RFC 3398: 503)" },	/* no circuit/channel available */
	{ 38, 500, TS29163_REL RECALLED " (RFC 3398: 503)" },	/* network out of order */
	{ 41, 500, TS29163_REL RECALLED " (RFC 3398: 503)" },	/* temporary failure */
	{ 42, 480, TS29163_REL RECALLED " (RFC 3398: 503)" },	/* switching equipment congestion */
	{ 47, 480, TS29163_REL RECALLED " (RFC 3398: 503)" },	/* resource unavailable, unspecified */
	/* service or option not available (class 011); RFC 3398: 55, 57 -> 403, 58 -> 503 */
	{ 63, 500, TS29163_REL RECALLED },	/* service or option not available, unspecified */
	/* service or option not implemented (class 100); RFC 3398: 65, 70 -> 488, 79 -> 501 */
	{ 79, 500, TS29163_REL RECALLED },	/* service or option not implemented, unspecified */
	/* invalid message (class 101); RFC 3398: 87 -> 403, 88 -> 503 */
	{ 95, 500, TS29163_REL RECALLED },	/* invalid message, unspecified */
	/* protocol error (class 110) */
	{ 102, 504, TS29163_REL },	/* recovery on timer expiry */
	{ 111, 500, TS29163_REL },	/* protocol error, unspecified */
	/* interworking (class 111) */
	{ 127, 500, TS29163_REL },	/* interworking, unspecified */
	{ 0, 0, NULL }
};

/* The "unspecified" cause of each class (Q.850: cause value = class << 4 | value in class). */
static const uint8_t class_unspecified[8] = { 31, 31, 47, 63, 79, 95, 111, 127 };

/* SIP status -> Q.850 cause.  Rows with from < 10 are class defaults: the status class digit (4, 5, 6). */
const struct mgcf_cause_row mgcf_sip_to_q850_rows[] = {
	{ 404, 1, TS29163_RESP },	/* Not Found -> unallocated number */
	{ 410, 22, TS29163_RESP },	/* Gone -> number changed */
	{ 480, 20, TS29163_RESP " (RFC 3398: 18)" },	/* Temporarily Unavailable -> subscriber absent */
	{ 483, 25, TS29163_RESP RECALLED },	/* Too Many Hops -> exchange routing error */
	{ 484, 28, TS29163_RESP },	/* Address Incomplete -> invalid number format */
	{ 485, 1, TS29163_RESP RECALLED },	/* Ambiguous -> unallocated number */
	{ 486, 17, TS29163_RESP },	/* Busy Here -> user busy */
	{ 487, 31, TS29163_RESP RECALLED },	/* Request Terminated (only after our CANCEL) */
	{ 580, 47, TS29163_RESP RECALLED " (special handling of 580)" },	/* Precondition Failure */
	{ 600, 17, TS29163_RESP },	/* Busy Everywhere -> user busy */
	{ 603, 21, TS29163_RESP },	/* Decline -> call rejected */
	{ 604, 1, TS29163_RESP },	/* Does Not Exist Anywhere -> unallocated number */
	{ 4, 127, TS29163_RESP " class default (interworking, unspecified)" },
	{ 5, 127, TS29163_RESP " class default (interworking, unspecified)" },
	{ 6, 127, TS29163_RESP " class default (interworking, unspecified)" },
	{ 0, 0, NULL }
};

static const struct mgcf_cause_row *find_row(const struct mgcf_cause_row *rows, uint16_t from)
{
	const struct mgcf_cause_row *r;

	for (r = rows; r->from; r++) {
		if (r->from == from)
			return r;
	}
	return NULL;
}

static const struct mgcf_cause_override *find_override(const struct mgcf_cause_override *o, unsigned int n,
							uint16_t from)
{
	unsigned int i;

	for (i = 0; o && i < n; i++) {
		if (o[i].from == from)
			return &o[i];
	}
	return NULL;
}

uint16_t mgcf_q850_to_sip(const struct mgcf_trunk_policy *tp, uint8_t cause, uint8_t location)
{
	const struct mgcf_cause_override *o;
	const struct mgcf_cause_row *r;

	if (cause > 127)
		cause = 127;
	if (tp && (o = find_override(tp->q850_to_sip, tp->num_q850_to_sip, cause)))
		return o->to;
	/* RFC 3398 §7.2.4.1: a rejection by the user itself is final everywhere */
	if (cause == 21 && location == MGCF_LOC_USER)
		return 603;
	r = find_row(mgcf_q850_to_sip_rows, cause);
	if (!r)
		r = find_row(mgcf_q850_to_sip_rows, class_unspecified[cause >> 4]);
	return r->to;
}

uint8_t mgcf_sip_to_q850(const struct mgcf_trunk_policy *tp, uint16_t status)
{
	const struct mgcf_cause_override *o;
	const struct mgcf_cause_row *r;

	if (tp && (o = find_override(tp->sip_to_q850, tp->num_sip_to_q850, status)))
		return o->to;
	r = find_row(mgcf_sip_to_q850_rows, status);
	if (r)
		return r->to;
	if (status >= 400 && status < 700)
		return find_row(mgcf_sip_to_q850_rows, status / 100)->to;
	return 127;	/* not a failure status: nothing better than "interworking, unspecified" */
}

int mgcf_cause_from_reason(const char *reason, unsigned int len)
{
	const char *p = reason, *end = reason + len;

	/* RFC 3326: Reason: protocol *(SEMI reason-params); several values separated by commas */
	while (p < end) {
		const char *val_end = memchr(p, ',', end - p);
		const char *q;

		if (!val_end)
			val_end = end;
		while (p < val_end && isspace((unsigned char)*p))
			p++;
		if (val_end - p >= 5 && !strncasecmp(p, "Q.850", 5)) {
			for (q = p + 5; q < val_end; q++) {
				if (*q == ';') {
					const char *n = q + 1;

					while (n < val_end && isspace((unsigned char)*n))
						n++;
					if (val_end - n > 6 && !strncasecmp(n, "cause", 5)) {
						unsigned long c;

						n += 5;
						while (n < val_end && isspace((unsigned char)*n))
							n++;
						if (n >= val_end || *n != '=')
							continue;
						n++;
						while (n < val_end && isspace((unsigned char)*n))
							n++;
						/* digits bounded by the value: the buffer need not end here */
						for (c = 0; n < val_end && isdigit((unsigned char)*n) && c < 1000; n++)
							c = c * 10 + (*n - '0');
						while (n < val_end && isspace((unsigned char)*n))
							n++;
						if ((n == val_end || *n == ';') && c >= 1 && c <= 127 &&
						    isdigit((unsigned char)n[-1]))
							return c;
					}
				}
			}
		}
		p = val_end + 1;
	}
	return -ENOENT;
}

static const struct value_string q850_names[] = {
	{ 1, "Unallocated (unassigned) number" },
	{ 2, "No route to specified transit network" },
	{ 3, "No route to destination" },
	{ 4, "Send special information tone" },
	{ 5, "Misdialled trunk prefix" },
	{ 6, "Channel unacceptable" },
	{ 7, "Call awarded and being delivered in an established channel" },
	{ 8, "Preemption" },
	{ 9, "Preemption - circuit reserved for reuse" },
	{ 16, "Normal call clearing" },
	{ 17, "User busy" },
	{ 18, "No user responding" },
	{ 19, "No answer from user (user alerted)" },
	{ 20, "Subscriber absent" },
	{ 21, "Call rejected" },
	{ 22, "Number changed" },
	{ 23, "Redirection to new destination" },
	{ 25, "Exchange routing error" },
	{ 26, "Non-selected user clearing" },
	{ 27, "Destination out of order" },
	{ 28, "Invalid number format (address incomplete)" },
	{ 29, "Facility rejected" },
	{ 30, "Response to STATUS ENQUIRY" },
	{ 31, "Normal, unspecified" },
	{ 34, "No circuit/channel available" },
	{ 38, "Network out of order" },
	{ 39, "Permanent frame mode connection out of service" },
	{ 40, "Permanent frame mode connection operational" },
	{ 41, "Temporary failure" },
	{ 42, "Switching equipment congestion" },
	{ 43, "Access information discarded" },
	{ 44, "Requested circuit/channel not available" },
	{ 46, "Precedence call blocked" },
	{ 47, "Resource unavailable, unspecified" },
	{ 49, "Quality of service not available" },
	{ 50, "Requested facility not subscribed" },
	{ 53, "Outgoing calls barred within CUG" },
	{ 55, "Incoming calls barred within CUG" },
	{ 57, "Bearer capability not authorized" },
	{ 58, "Bearer capability not presently available" },
	{ 62, "Inconsistency in designated outgoing access information and subscriber class" },
	{ 63, "Service or option not available, unspecified" },
	{ 65, "Bearer capability not implemented" },
	{ 66, "Channel type not implemented" },
	{ 69, "Requested facility not implemented" },
	{ 70, "Only restricted digital information bearer capability is available" },
	{ 79, "Service or option not implemented, unspecified" },
	{ 81, "Invalid call reference value" },
	{ 82, "Identified channel does not exist" },
	{ 83, "A suspended call exists, but this call identity does not" },
	{ 84, "Call identity in use" },
	{ 85, "No call suspended" },
	{ 86, "Call having the requested call identity has been cleared" },
	{ 87, "User not member of CUG" },
	{ 88, "Incompatible destination" },
	{ 90, "Non-existent CUG" },
	{ 91, "Invalid transit network selection" },
	{ 95, "Invalid message, unspecified" },
	{ 96, "Mandatory information element is missing" },
	{ 97, "Message type non-existent or not implemented" },
	{ 98, "Message not compatible with call state or message type non-existent or not implemented" },
	{ 99, "Information element/parameter non-existent or not implemented" },
	{ 100, "Invalid information element contents" },
	{ 101, "Message not compatible with call state" },
	{ 102, "Recovery on timer expiry" },
	{ 103, "Parameter non-existent or not implemented - passed on" },
	{ 110, "Message with unrecognized parameter discarded" },
	{ 111, "Protocol error, unspecified" },
	{ 127, "Interworking, unspecified" },
	{ 0, NULL }
};

const char *mgcf_q850_name(uint8_t cause)
{
	const char *n = get_value_string_or_null(q850_names, cause);

	return n ? n : "Unknown cause";
}
