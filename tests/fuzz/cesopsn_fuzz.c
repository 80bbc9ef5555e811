/* Fuzz harness for the CESoPSN decoder and a span's receive window.
 *
 * Octet 0: number of timeslots (1..32), octet 1: frames per packet (1..64), octet 2 bit 0: RTP header.
 * Whatever decodes is rebuilt and must decode to the same fields; every packet is also fed through a
 * receive window with the octets that follow as further packets' sequence numbers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <osmocom/core/msgb.h>

#include "media/cesopsn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cesopsn_pkt p, p2;
	struct cesopsn_stats st = { 0 };
	struct cesopsn_rx rx;
	struct msgb *msg;
	unsigned int n_ts, frames, i;
	bool rtp, lost;
	uint8_t *win;

	if (size < 3)
		return 0;
	n_ts = data[0] % 32 + 1;
	frames = data[1] % 64 + 1;
	rtp = data[2] & 1;
	data += 3;
	size -= 3;
	if (cesopsn_parse(data, size, rtp, n_ts, frames, &p, NULL) < 0)
		return 0;
	msg = msgb_alloc(size + 64, "fuzz");
	win = malloc(CESOPSN_RX_WIN * n_ts * frames);
	if (!msg || !win)
		goto out;
	p.length = 0;	/* rebuilt without padding */
	if (cesopsn_build(msg, &p, p.payload, p.payload_len) < 0)
		abort();
	if (cesopsn_parse(msgb_data(msg), msgb_length(msg), rtp, n_ts, frames, &p2, NULL) < 0)
		abort();
	if (p2.seq != p.seq || p2.l != p.l || p2.r != p.r || p2.m != p.m || p2.payload_len != p.payload_len ||
	    memcmp(p2.payload, p.payload, p.payload_len))
		abort();
	cesopsn_rx_init(&rx, win, n_ts * frames, data[0] % 4, &st);
	for (i = 0; i < size && i < 256; i++) {
		p.seq += (int8_t)data[i];
		cesopsn_rx_put(&rx, &p);
		if (data[i] & 1)
			cesopsn_rx_get(&rx, &lost);
	}
	if (st.rx_packets != (i < size ? i : size))
		abort();
out:
	free(win);
	msgb_free(msg);
	return 0;
}
