/* Names for the media configuration enums. */
#include "media/media_cfg.h"

const struct value_string media_law_names[] = {
	{ MEDIA_LAW_ALAW, "alaw" },
	{ MEDIA_LAW_ULAW, "ulaw" },
	{ 0, NULL }
};

const struct value_string media_span_type_names[] = {
	{ MEDIA_SPAN_E1, "e1" },
	{ MEDIA_SPAN_T1, "t1" },
	{ 0, NULL }
};

const struct value_string media_dtmf_mode_names[] = {
	{ MEDIA_DTMF_RFC4733, "rfc4733" },
	{ MEDIA_DTMF_INBAND, "inband" },
	{ MEDIA_DTMF_INFO, "info" },
	{ 0, NULL }
};

const struct value_string media_fax_mode_names[] = {
	{ MEDIA_FAX_T38, "t38" },
	{ MEDIA_FAX_PASSTHROUGH, "passthrough" },
	{ 0, NULL }
};
