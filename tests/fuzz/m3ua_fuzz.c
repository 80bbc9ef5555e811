/* libFuzzer harness for the M3UA decoder: anything that decodes must re-encode to a message
 * that decodes to the same fields. */
#include <stdint.h>
#include <stdlib.h>

#include <osmocom/core/msgb.h>

#include "isup/m3ua_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct m3ua_decode_err err;
	struct m3ua_msg m, m2;
	struct msgb *out;
	int rc;

	rc = m3ua_decode(&m, data, size, &err);
	if (rc < 0) {
		if (!err.reason || err.offset > size)
			abort();
		return 0;
	}
	out = m3ua_encode_msgb(&m, "fuzz");
	if (!out)
		abort();
	if (m3ua_decode(&m2, msgb_data(out), msgb_length(out), NULL) != 0 || !m3ua_msg_equal(&m, &m2))
		abort();
	msgb_free(out);
	return 0;
}
