/* libFuzzer harness for the SG side of an M3UA association: the input is a byte stream from an ASP
 * (TCP framing, then every message through the state machine, SSNM, BEAT, DATA...).  The first input
 * byte sets the size of the pieces the stream is written in, so partial reads are fuzzed too.
 * Whatever comes in, the association must neither crash nor leak, and must answer or close. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/select.h>

#include <mgcf/log.h>
#include "isup/isup_timers.h"
#include "isup/m3ua.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_data_ind(struct m3ua_assoc *a, const struct m3ua_data_hdr *hdr, const uint8_t *data, size_t len,
			  void *priv)
{
	volatile uint8_t sink = 0;
	size_t i;

	/* touch every byte handed up, so ASan sees a slice that points outside the message */
	for (i = 0; i < len; i++)
		sink ^= data[i];
	(void)sink;
}

static const struct m3ua_assoc_ops fuzz_ops = {
	.data_ind = fuzz_data_ind,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* categories without any target: nothing is printed */
	log_init(&mgcf_log_info, NULL);
	osmo_tdefs_reset(m3ua_tdefs);
	return 0;
}

/* Run the loop until idle, reading (and discarding) what the SG answers. */
static void settle(int peer)
{
	uint8_t sink[4096];
	unsigned int idle = 0, rounds = 0;

	while (idle < 3 && rounds++ < 1000) {
		int work = osmo_select_main(1);

		while (recv(peer, sink, sizeof(sink), 0) > 0)
			work++;
		idle = work > 0 ? 0 : idle + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct m3ua_assoc_cfg cfg = {
		.name = "fuzz",
		.transport = M3UA_TRANSPORT_TCP,
		.role = M3UA_ROLE_SG,
		.routing_context_present = true,
		.routing_context = 100,
		.traffic_mode = M3UA_TMODE_OVERRIDE,
	};
	struct m3ua_assoc *sg;
	size_t chunk, off;
	int sv[2];

	if (size < 1)
		return 0;
	chunk = 1 + data[0] % 64;
	data++;
	size--;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		abort();
	if (fcntl(sv[1], F_SETFL, O_NONBLOCK) < 0)
		abort();
	sg = m3ua_assoc_alloc(NULL, &cfg, &fuzz_ops, NULL);
	if (!sg || m3ua_assoc_sg_adopt_fd(sg, sv[0], "fuzz") < 0)
		abort();
	/* a destination the ASP may ask about with DAUD */
	m3ua_assoc_sg_set_dest(sg, 0x123, false);

	for (off = 0; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;

		if (send(sv[1], data + off, n, MSG_NOSIGNAL) < 0)
			break;	/* the SG closed the connection */
		settle(sv[1]);
	}
	settle(sv[1]);

	m3ua_assoc_free(sg);
	close(sv[1]);
	return 0;
}
