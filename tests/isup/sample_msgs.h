/* A sample of every Q.763 message type (tests only). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "isup/isup_codec.h"

/*! Called number used in every sample that has one ('F' = ST). */
#define SAMPLE_CALLED	"4930123456F"
/*! Calling number used in every sample with an optional part. */
#define SAMPLE_CALLING	"0301234567"
#define SAMPLE_CIC	0x123

/*! \brief Fill m with every mandatory parameter of type (plus typical optional ones if with_opt and the type
 * has an optional part).  Referenced bytes are static. */
void isup_sample_msg(struct isup_msg *m, uint8_t type, bool with_opt);
