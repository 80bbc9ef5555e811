/* libFuzzer harness for the ISUP decoder: decode; if that succeeds, encode the result, decode the encoding and
 * require the same message (abort() otherwise).  No output; the one allocation is freed. */
#include <stdint.h>
#include <stdlib.h>

#include "isup/isup_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct isup_msg m1, m2;
	struct isup_decode_err err;
	uint8_t *out;
	size_t room;
	int n;

	if (isup_decode(&m1, data, size, &err) != 0)
		return 0;
	/* Re-encoding is at most as long as the input plus what overlapping mandatory variable parameters
	 * (two pointers to the same octets) add back: at most 256 octets each. */
	room = size + ISUP_MAX_MAND * 256 + 16;
	out = malloc(room);
	if (!out)
		return 0;
	n = isup_encode_buf(out, room, &m1);
	if (n <= 0)
		abort();
	if (isup_decode(&m2, out, n, &err) != 0)
		abort();
	if (!isup_msg_equal(&m1, &m2))
		abort();
	free(out);
	return 0;
}
