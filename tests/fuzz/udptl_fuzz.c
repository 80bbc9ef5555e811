/* Fuzz harness for the UDPTL decoder: what decodes is rebuilt, and must come out octet for octet the
 * same (PER lengths have one encoding for each value below 16384). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <osmocom/core/msgb.h>

#include "media/udptl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct udptl_pkt p;
	struct msgb *msg;

	if (udptl_parse(data, size, &p, NULL) < 0)
		return 0;
	msg = msgb_alloc(size + 16, "fuzz");
	if (!msg)
		return 0;
	if (udptl_build(msg, &p) < 0)
		abort();
	/* two-octet lengths below 128 and a two-octet fec-npackets below 128 are valid but not canonical */
	if (msgb_length(msg) > size)
		abort();
	msgb_free(msg);
	return 0;
}
