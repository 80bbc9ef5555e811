/* libFuzzer harness for the ISUP decoder: decode; if that succeeds, encode the result, decode the encoding and
 * require the same message (abort() otherwise).  No allocation, no output. */
#include <stdint.h>
#include <stdlib.h>

#include "isup/isup_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct isup_msg m1, m2;
	static uint8_t out[1024];
	struct isup_decode_err err;
	int n;

	if (isup_decode(&m1, data, size, &err) != 0)
		return 0;
	n = isup_encode_buf(out, sizeof(out), &m1);
	if (n <= 0)
		abort();
	if (isup_decode(&m2, out, n, &err) != 0)
		abort();
	if (!isup_msg_equal(&m1, &m2))
		abort();
	return 0;
}
