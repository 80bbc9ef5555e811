/*! \file isup_codec_int.h
 * Private to the ISUP codec: the message and parameter tables that drive the walker.
 */
#pragma once

#include <stdint.h>
#include "isup/isup_codec.h"

struct isup_param_def;

/*! Typed decoder: fills the field of m; returns 0, -EBADMSG (reason set) or -ENOSPC (no room for another
 * occurrence: the walker keeps it raw). */
typedef int (*isup_param_dec_fn)(struct isup_msg *m, const struct isup_param_def *pd, const uint8_t *v,
				 uint8_t len, const char **reason);
/*! Typed encoder: writes occurrence idx of the parameter value into dst; returns its length, -EMSGSIZE or
 * -EINVAL. */
typedef int (*isup_param_enc_fn)(const struct isup_msg *m, const struct isup_param_def *pd, unsigned int idx,
				 uint8_t *dst, size_t room);

struct isup_param_def {
	bool known;
	uint8_t min;			/*!< value length limits (Q.763 length minus name and length octets) */
	uint8_t max;
	int8_t num_kind;		/*!< enum isup_number_kind + 1, 0 if not a number */
	uint16_t num_off;		/*!< numbers other than generic: offset of the field in struct isup_msg */
	isup_param_dec_fn dec;		/*!< NULL: untyped */
	isup_param_enc_fn enc;
};

/*! A mandatory variable parameter and its value length limits in this message. */
struct isup_var_def {
	uint8_t code;
	uint8_t min;
	uint8_t max;
};

struct isup_msg_def {
	bool known;
	bool supported;			/*!< fully supported (used by call control) */
	bool opt;			/*!< has a pointer to an optional part */
	bool opaque_body;		/*!< no Q.763 structure after the type (PAM, CRG) */
	uint8_t n_fixed;
	uint8_t n_var;
	uint8_t fixed[4];		/*!< IAM has the most: 4 */
	struct isup_var_def var[2];
	/* Bit per mandatory parameter code (all below 64, checked by the unit test), derived from fixed[] and
	 * var[] by the table macros so that the encoder does not rebuild it per message. */
	uint64_t fixed_mask;
	uint64_t var_mask;
};

extern const struct isup_param_def isup_param_defs[256];
extern const struct isup_msg_def isup_msg_defs[256];

bool isup_number_equal(const struct isup_number *a, const struct isup_number *b, enum isup_number_kind kind);
struct isup_number *isup_number_field(struct isup_msg *m, uint8_t code);
