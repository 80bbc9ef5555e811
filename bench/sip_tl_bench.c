/* Benchmark: server transaction matching with many live transactions.  At 5,000 calls/s a gateway keeps
 * ~320,000 transactions alive (timers J and L hold them 32 s after their answer), ~128,000 at 2,000 calls/s.
 * Each step fills the transaction layer with that many answered MESSAGE transactions (through the datagram
 * receive path, as in operation), then times a retransmission that is matched and answered again (parse, branch
 * table, replay), and a new request that matches nothing (branch and Call-ID tables, merge check) and gets its
 * own transaction and answer (that part also pays for memory: allocation in a large heap, cache misses).  Flat
 * retransmission figures across the steps mean O(1) lookups.  Target: at 320,000 live transactions at least 80%
 * of the retransmission rate at 1,000. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <osmocom/core/application.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/talloc.h>

#include <mgcf/log.h>
#include "sip/sip_core.h"
#include "sip/sip_trans.h"
#include "sip_bench.h"

#define RUNS 5
#define PROBES 10000

static struct sip_strans *last_st;

static void tx_drop(void *priv, const struct sip_addr *dst, struct msgb *msg)
{
	msgb_free(msg);
}

static void on_message(void *priv, struct sip_strans *st)
{
	last_st = st;
}

static struct sip_addr src_addr(void)
{
	struct sip_addr a = { .proto = SIP_TRANSPORT_UDP };

	a.remote.u.sin.sin_family = AF_INET;
	a.remote.u.sin.sin_port = htons(5099);
	inet_pton(AF_INET, "192.0.2.5", &a.remote.u.sin.sin_addr);
	return a;
}

/* A MESSAGE as a peer sends it; id picks branch, Call-ID and From tag. */
static int request(char *buf, size_t len, const char *kind, unsigned int id)
{
	return snprintf(buf, len,
			"MESSAGE sip:bob@192.0.2.1 SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 192.0.2.5:5099;branch=z9hG4bK%s%08x\r\n"
			"Max-Forwards: 70\r\n"
			"From: <sip:alice@192.0.2.5>;tag=f%s%x\r\n"
			"To: <sip:bob@192.0.2.1>\r\n"
			"Call-ID: %s%08x@192.0.2.5\r\n"
			"CSeq: 1 MESSAGE\r\n"
			"Content-Length: 0\r\n\r\n", kind, id, kind, id, kind, id);
}

static void inject(struct sip_core *core, const char *kind, unsigned int id)
{
	struct sip_addr src = src_addr();
	char buf[512];
	int n = request(buf, sizeof(buf), kind, id);

	sip_tp_inject(sip_core_tp(core), &src, buf, n);
}

/* Requests per CPU-second, median of RUNS, for n live transactions. */
static void step(void *ctx, unsigned int n, double *retx_rate, double *new_rate)
{
	static struct sip_cfg cfg = { .max_message_size = 8192 };
	double r[RUNS], w[RUNS], t0;
	struct sip_core *core = sip_core_alloc(ctx, &cfg, NULL, NULL);
	unsigned int i, k, fresh = 0;

	if (!core)
		exit(1);
	sip_tp_set_tx_hook(sip_core_tp(core), tx_drop, NULL);
	sip_core_register(core, SIP_METHOD_MESSAGE, on_message, NULL);
	for (i = 0; i < n; i++) {
		inject(core, "live", i);
		if (last_st)
			sip_strans_reply(last_st, 200, NULL, NULL);
		last_st = NULL;
	}
	for (k = 0; k < RUNS; k++) {
		t0 = bench_cpu_now();
		for (i = 0; i < PROBES; i++)
			inject(core, "live", (i * 2654435761u) % n);
		r[k] = PROBES / (bench_cpu_now() - t0);
		t0 = bench_cpu_now();
		for (i = 0; i < PROBES; i++) {
			inject(core, "new", fresh++);
			if (last_st)
				sip_strans_reply(last_st, 200, NULL, NULL);
			last_st = NULL;
		}
		w[k] = PROBES / (bench_cpu_now() - t0);
	}
	qsort(r, RUNS, sizeof(r[0]), bench_cmp_double);
	qsort(w, RUNS, sizeof(w[0]), bench_cmp_double);
	printf("sip_tl: %6u live: retransmission matched %.2e/s (min %.2e, max %.2e), new request %.2e/s (min %.2e, "
	       "max %.2e)\n", n, r[RUNS / 2], r[0], r[RUNS - 1], w[RUNS / 2], w[0], w[RUNS - 1]);
	*retx_rate = r[RUNS / 2];
	*new_rate = w[RUNS / 2];
	sip_core_free(core);
}

int main(void)
{
	static const unsigned int live[] = { 1000, 128000, 320000 };
	void *ctx = talloc_named_const(NULL, 0, "sip_tl_bench");
	double retx[3], fresh[3];
	unsigned int i;
	bool met;

	osmo_init_logging2(ctx, &mgcf_log_info);
	log_set_log_level(osmo_stderr_target, LOGL_ERROR);
	msgb_talloc_ctx_init(ctx, 0);
	for (i = 0; i < 3; i++)
		step(ctx, live[i], &retx[i], &fresh[i]);
	met = retx[2] >= 0.8 * retx[0];
	printf("sip_tl: at 320000 live %.0f%% of the retransmission rate at 1000 (target at least 80%%: %s), new "
	       "requests %.0f%%\n", 100 * retx[2] / retx[0], met ? "met" : "not met", 100 * fresh[2] / fresh[0]);
	talloc_free(ctx);
	return 0;
}
