/* libFuzzer harness for SIP over a stream connection: the input is what a peer writes on a TCP connection
 * (CRLF keep-alives, Content-Length framing, the parser, Via fix-up, the transactions and the core's answers).
 * The first byte sets the size of the pieces it is fed in, so partial reads are fuzzed too.  Whatever comes in,
 * the stack must neither crash nor leak, and must answer, wait for more, or close. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <talloc.h>
#include <osmocom/core/logging.h>

#include <mgcf/log.h>
#include "sip/sip_core.h"
#include "sip/sip_timers.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_invite(void *priv, struct sip_strans *st)
{
	sip_strans_reply(st, 180, NULL, NULL);
	sip_strans_reply(st, 486, NULL, NULL);
}

static void on_bye(void *priv, struct sip_strans *st)
{
	sip_strans_reply(st, 200, NULL, NULL);
}

static const char *const supported[] = { "100rel", NULL };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* categories without any target: nothing is printed */
	log_init(&mgcf_log_info, NULL);
	osmo_tdefs_reset(sip_tdefs);
	return 0;
}

static void drain(int peer)
{
	uint8_t sink[4096];

	while (recv(peer, sink, sizeof(sink), MSG_DONTWAIT) > 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_cfg cfg = { .max_message_size = 4096, .max_connections = 4 };
	struct osmo_sockaddr remote = {};
	struct sip_core *core;
	void *ctx;
	size_t chunk, off;
	int sv[2], id;

	if (size < 1)
		return 0;
	chunk = 1 + data[0] % 128;
	data++;
	size--;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		abort();
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) < 0)
		abort();
	ctx = talloc_named_const(NULL, 0, "fuzz");
	core = sip_core_alloc(ctx, &cfg, NULL, NULL);
	if (!core)
		abort();
	sip_core_register(core, SIP_METHOD_INVITE, on_invite, NULL);
	sip_core_register(core, SIP_METHOD_BYE, on_bye, NULL);
	sip_core_set_supported(core, supported);
	remote.u.sin.sin_family = AF_INET;
	remote.u.sin.sin_port = htons(5060);
	remote.u.sin.sin_addr.s_addr = htonl(0xc0000205);
	id = sip_tp_adopt_fd(sip_core_tp(core), sv[0], &remote);
	if (id < 0)
		abort();

	for (off = 0; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;

		if (sip_tp_conn_feed(sip_core_tp(core), id, data + off, n) < 0)
			break;	/* closed: framing lost */
		drain(sv[1]);
	}
	drain(sv[1]);

	sip_core_free(core);
	close(sv[1]);
	if (talloc_total_blocks(ctx) != 1)
		abort();
	talloc_free(ctx);
	return 0;
}
