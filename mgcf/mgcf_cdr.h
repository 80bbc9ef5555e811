/*! \file mgcf_cdr.h
 * Call detail records: one line per call, appended to a file.
 *
 * Line format (comma separated, one call per line, header comment at file creation):
 *   start,answer,end,direction,trunk,cic,calling,called,cause,released_by,duration_s
 * Times are UTC ISO 8601 with milliseconds; answer is empty for unanswered calls; direction is
 * "sip2isup" or "isup2sip"; released_by is "sip", "isup" or "mgcf"; fields never contain commas
 * (numbers are digits and '+', names are checked by the configuration).
 */
#pragma once

#include <stdint.h>
#include <time.h>

struct mgcf_cdr_writer;

enum mgcf_cdr_direction {
	MGCF_CDR_SIP2ISUP,
	MGCF_CDR_ISUP2SIP,
};

enum mgcf_cdr_releaser {
	MGCF_CDR_REL_SIP,	/*!< the IMS side ended the call */
	MGCF_CDR_REL_ISUP,	/*!< the PSTN side ended the call */
	MGCF_CDR_REL_MGCF,	/*!< we did: timer, admission, failure */
};

struct mgcf_cdr {
	struct timespec start;
	struct timespec answer;		/*!< tv_sec == 0: not answered */
	struct timespec end;
	enum mgcf_cdr_direction direction;
	const char *trunk;
	uint16_t cic;
	const char *calling;		/*!< may be NULL or "" */
	const char *called;
	uint8_t cause;			/*!< Q.850 cause the call ended with */
	enum mgcf_cdr_releaser released_by;
};

/*! \brief Open (append to) a CDR file; NULL with errno set on failure. */
struct mgcf_cdr_writer *mgcf_cdr_open(void *ctx, const char *path);
/*! \brief Reopen the file (after log rotation); 0 or a negative errno (the old file stays open then). */
int mgcf_cdr_reopen(struct mgcf_cdr_writer *w);
/*! \brief Append one record and flush it; 0 or a negative errno. */
int mgcf_cdr_write(struct mgcf_cdr_writer *w, const struct mgcf_cdr *cdr);
/*! \brief Format one record (without newline) into buf; returns the length, -EMSGSIZE if it does not fit. */
int mgcf_cdr_format(char *buf, size_t len, const struct mgcf_cdr *cdr);
void mgcf_cdr_close(struct mgcf_cdr_writer *w);
