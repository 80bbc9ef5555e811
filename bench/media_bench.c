/* Media plane benchmark: how many bearer channels one core keeps in real time.
 *
 * Every channel does the full per-tick work: CESoPSN span receive (parse, reorder window, de-interleave)
 * and send (interleave, build), TDM→RTP with SpanDSP DTMF detection (and digit removal: RFC 4733 mode),
 * RTP packets built every 20 ms, RTP received every 20 ms through the jitter buffer and PLC, G.711.
 *
 * 1. In-memory path (processing cost without the kernel): the packets a span or channel would send are
 *    built into memory and the packets it would receive come from memory.  This is the same code the
 *    media threads run, called the way media_thread.c calls it (the span tick is reproduced here since
 *    it is static there).  Reports ns per channel-sample and channels per core.
 * 2. Loopback UDP path: a real media plane with one media thread, E1 spans and RTP sockets on 127.0.0.1;
 *    an injector thread plays the TDM gateway and the RTP peers with sendmmsg/recvmmsg.  Run twice: with
 *    plain socket calls (the fallback) and with io_uring (media_uring.c).  Reports the media thread's CPU
 *    share (user+sys of that thread) and the channels per core this extrapolates to.
 * SpanDSP's dtmf_rx alone is measured in the same run for comparison.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <talloc.h>
#include <spandsp.h>
#include <osmocom/core/application.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/select.h>
#include <osmocom/core/socket.h>

#include <mgcf/log.h>
#include "media/media.h"
#include "media/media_chan.h"
#include "media/cesopsn.h"
#include "media/rtp_codec.h"

#define TARGET_CHANNELS	4000
#define NTS		31
#define FRAMES		80	/* 10 ms CESoPSN packets */
#define RUNS		5

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void med(double *v, double *m, double *lo, double *hi)
{
	qsort(v, RUNS, sizeof(double), cmp_d);
	*m = v[RUNS / 2];
	*lo = v[0];
	*hi = v[RUNS - 1];
}

/* ---- SpanDSP dtmf_rx alone ---- */

static double bench_dtmf_rx(void)
{
	dtmf_rx_state_t *rx = dtmf_rx_init(NULL, NULL, NULL);
	int16_t amp[160];
	unsigned int i, n = 0;
	double t0, t;

	for (i = 0; i < 160; i++)
		amp[i] = (int16_t)(3000 * sin(i * 0.3) + 500 * sin(i * 1.7));
	t0 = cpu_s();
	do {
		for (i = 0; i < 500; i++)
			dtmf_rx(rx, amp, 160);
		n += 500 * 160;
		t = cpu_s() - t0;
	} while (t < 0.3);
	dtmf_rx_free(rx);
	return t * 1e9 / n;
}

/* ---- in-memory path ---- */

struct mem_chan {
	struct media_chan *ch;
	unsigned int tx_bytes;
};

static void mem_rtp_tx(void *priv, const uint8_t *p, size_t len)
{
	struct mem_chan *m = priv;
	m->tx_bytes += len + p[0];	/* touch the packet as a socket would */
}

static void mem_ev(void *priv, const struct media_event *ev)
{
	(void)priv;
	(void)ev;
}

static const struct media_chan_ops mem_ops = { .rtp_tx = mem_rtp_tx, .event = mem_ev };

struct mem_span {
	struct cesopsn_rx rx;
	struct cesopsn_stats st;
	uint8_t win[CESOPSN_RX_WIN * NTS * FRAMES];
	uint8_t rows[NTS][FRAMES], out[NTS][FRAMES];
	uint16_t rx_seq, tx_seq;
	struct mem_chan chans[NTS];
};

/* one tick of the span as media_thread.c's span_tick() does it, with the packets in memory */
static void mem_span_tick(struct mem_span *sp, const uint8_t *in_pkt, size_t in_len, uint8_t *out_pkt,
			  const uint8_t *rtp, size_t rtp_len, bool rtp_now)
{
	struct cesopsn_pkt p;
	const uint8_t *pl;
	bool lost;
	unsigned int i, f;

	if (cesopsn_parse(in_pkt, in_len, false, NTS, FRAMES, &p, NULL) == 0) {
		p.seq = sp->rx_seq++;
		cesopsn_rx_put(&sp->rx, &p);
	}
	pl = cesopsn_rx_get(&sp->rx, &lost);
	for (i = 0; i < NTS; i++)
		for (f = 0; f < FRAMES; f++)
			sp->rows[i][f] = pl ? pl[f * NTS + i] : 0xd5;
	for (i = 0; i < NTS; i++) {
		if (rtp_now)
			media_chan_rtp_rx(sp->chans[i].ch, rtp, rtp_len);
		media_chan_tick(sp->chans[i].ch, pl ? sp->rows[i] : NULL, sp->out[i]);
	}
	{
		struct cesopsn_pkt cw = { .seq = sp->tx_seq++ };
		cesopsn_write_cw(out_pkt, &cw);
		for (f = 0; f < FRAMES; f++)
			for (i = 0; i < NTS; i++)
				out_pkt[4 + f * NTS + i] = sp->out[i][f];
	}
}

static double bench_mem(unsigned int nspans, unsigned int ticks)
{
	void *ctx = talloc_named_const(NULL, 0, "bench");
	struct mem_span *spans = talloc_zero_array(ctx, struct mem_span, nspans);
	uint8_t in_pkt[4 + NTS * FRAMES], out_pkt[4 + NTS * FRAMES], rtp[12 + 160];
	struct rtp_hdr h = { .pt = MEDIA_PT_PCMA, .ssrc = 5 };
	double t0, t;
	unsigned int s, i, k;
	int16_t lin[FRAMES];

	/* the TDM side: speech-like audio with a digit now and then */
	for (k = 0; k < FRAMES; k++)
		lin[k] = (int16_t)(2000 * sin(k * 0.21) + 800 * sin(k * 0.77));
	memset(in_pkt, 0, 4);
	for (k = 0; k < FRAMES; k++)
		for (i = 0; i < NTS; i++)
			in_pkt[4 + k * NTS + i] = linear_to_alaw(lin[k]);
	for (s = 0; s < nspans; s++) {
		cesopsn_rx_init(&spans[s].rx, spans[s].win, NTS * FRAMES, 1, &spans[s].st);
		for (i = 0; i < NTS; i++) {
			struct media_chan_setup su = { .id = s * NTS + i, .tdm_law = MEDIA_LAW_ALAW,
						       .jitter_min_ms = 40, .jitter_max_ms = 40, .dtmf_suppress = true,
						       .fax_detect = true, .ssrc = i };
			struct media_chan_params p = { .pt = MEDIA_PT_PCMA, .event_pt = 101, .ptime_ms = 20,
						       .dtmf_mode = MEDIA_DTMF_RFC4733 };
			spans[s].chans[i].ch = media_chan_alloc(ctx, &su, &p, &mem_ops, &spans[s].chans[i]);
			if (!spans[s].chans[i].ch)
				abort();
		}
	}
	memset(rtp + 12, 0xd5, 160);
	t0 = cpu_s();
	for (k = 0; k < ticks; k++) {
		h.seq = k / 2;
		h.ts = 80 * k;
		rtp_write_hdr(rtp, sizeof(rtp), &h);
		for (s = 0; s < nspans; s++)
			mem_span_tick(&spans[s], in_pkt, sizeof(in_pkt), out_pkt, rtp, sizeof(rtp), k % 2 == 0);
	}
	t = cpu_s() - t0;
	talloc_free(ctx);
	return t * 1e9 / ((double)nspans * NTS * ticks * MEDIA_TICK_SAMPLES);
}

/* ---- loopback UDP path ---- */

#define SPAN_BASE	33000
#define GW_PORT		32990
#define SINK_PORT	32992
#define RTP_MIN		34000

struct injector {
	volatile bool stop;
	unsigned int nspans;
	uint16_t *ports;
	unsigned int nports;
	int gw, sink;
};

static void *inject_main(void *arg)
{
	struct injector *in = arg;
	static struct mmsghdr msgs[8192];
	static struct iovec iov[8192];
	static struct sockaddr_in dst[8192];
	static uint8_t span_pkts[64][4 + NTS * FRAMES];
	static uint8_t rtp[12 + 160], rbuf[64][2048];
	struct mmsghdr rm[64];
	struct iovec riov[64];
	struct timespec next;
	unsigned int tick = 0, i, n;
	uint16_t seq = 0;

	memset(span_pkts, 0xd5, sizeof(span_pkts));
	memset(rtp, 0xd5, sizeof(rtp));
	for (i = 0; i < 64; i++)
		riov[i] = (struct iovec){ rbuf[i], sizeof(rbuf[i]) };
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!in->stop) {
		struct rtp_hdr h = { .pt = MEDIA_PT_PCMA, .seq = tick / 2, .ts = tick * 80, .ssrc = 9 };
		n = 0;
		for (i = 0; i < in->nspans; i++) {
			struct cesopsn_pkt cw = { .seq = seq };
			cesopsn_write_cw(span_pkts[i], &cw);
			dst[n] = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(SPAN_BASE + 2 * i),
						       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
			iov[n] = (struct iovec){ span_pkts[i], sizeof(span_pkts[i]) };
			msgs[n].msg_hdr = (struct msghdr){ .msg_name = &dst[n], .msg_namelen = sizeof(dst[n]),
							   .msg_iov = &iov[n], .msg_iovlen = 1 };
			n++;
		}
		seq++;
		if (tick % 2 == 0) {
			rtp_write_hdr(rtp, sizeof(rtp), &h);
			for (i = 0; i < in->nports && n < 8192; i++) {
				dst[n] = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(in->ports[i]),
							       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
				iov[n] = (struct iovec){ rtp, sizeof(rtp) };
				msgs[n].msg_hdr = (struct msghdr){ .msg_name = &dst[n], .msg_namelen = sizeof(dst[n]),
								   .msg_iov = &iov[n], .msg_iovlen = 1 };
				n++;
			}
		}
		/* span packets from the gateway's socket, RTP from the peers' (symmetric RTP, as phones and
		 * SBCs send it) */
		for (i = 0; i < in->nspans;) {
			int k = sendmmsg(in->gw, msgs + i, in->nspans - i, 0);
			if (k <= 0)
				break;
			i += k;
		}
		for (i = in->nspans; i < n;) {
			int k = sendmmsg(in->sink, msgs + i, n - i, 0);
			if (k <= 0)
				break;
			i += k;
		}
		/* drain what the plane sent to the gateway and to the RTP peers */
		for (;;) {
			for (i = 0; i < 64; i++)
				rm[i].msg_hdr = (struct msghdr){ .msg_iov = &riov[i], .msg_iovlen = 1 };
			int k1 = recvmmsg(in->gw, rm, 64, MSG_DONTWAIT, NULL);
			for (i = 0; i < 64; i++)
				rm[i].msg_hdr = (struct msghdr){ .msg_iov = &riov[i], .msg_iovlen = 1 };
			int k2 = recvmmsg(in->sink, rm, 64, MSG_DONTWAIT, NULL);
			if (k1 < 64 && k2 < 64)
				break;
		}
		tick++;
		next.tv_nsec += 10000000L;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	return NULL;
}

static uint16_t *ready_ports;
static unsigned int nready;

static void udp_ev(void *priv, const struct media_event *ev)
{
	(void)priv;
	if (ev->type == MEDIA_EV_CHAN_READY)
		ready_ports[nready++] = ev->local_port;
}

static const struct media_plane_ops udp_ops = { .event = udp_ev };

static int bench_udp(unsigned int nspans, bool plain, double seconds, double *cpu_share, uint64_t *overruns,
		     double *rx_rate, double *tx_rate, double *realtime, bool *uring, double *sys_share)
{
	void *ctx = talloc_named_const(NULL, 0, "bench-udp");
	struct media_cfg *cfg = talloc_zero(ctx, struct media_cfg);
	struct media_trunk_cfg *tr = talloc_zero(cfg, struct media_trunk_cfg);
	struct media_plane *mp;
	struct media_plane_stats st0, st1;
	struct injector in = { .nspans = nspans };
	pthread_t inj;
	unsigned int s, ts, n = nspans * NTS, i;
	double t0, t1;

	INIT_LLIST_HEAD(&cfg->spans);
	INIT_LLIST_HEAD(&cfg->trunks);
	osmo_sockaddr_str_from_str(&cfg->rtp_addr, "127.0.0.1", 0);
	cfg->rtp_port_min = RTP_MIN;
	cfg->rtp_port_max = RTP_MIN + 2 * n + 100;
	cfg->threads = 1;
	cfg->plain_sockets = plain;
	cfg->jitter_min_ms = 40;
	cfg->jitter_max_ms = 40;
	tr->name = "t";
	tr->law = MEDIA_LAW_ALAW;
	llist_add_tail(&tr->list, &cfg->trunks);
	for (s = 0; s < nspans; s++) {
		struct media_span_cfg *sp = talloc_zero(cfg, struct media_span_cfg);
		sp->name = "s";
		sp->trunk = "t";
		sp->cic_base = 32 * s;
		sp->timeslots = 0xfffffffe;
		sp->frames_per_packet = FRAMES;
		osmo_sockaddr_str_from_str(&sp->local, "127.0.0.1", SPAN_BASE + 2 * s);
		osmo_sockaddr_str_from_str(&sp->remote, "127.0.0.1", GW_PORT);
		llist_add_tail(&sp->list, &cfg->spans);
	}
	ready_ports = talloc_zero_array(ctx, uint16_t, n);
	nready = 0;
	in.gw = osmo_sock_init2(AF_INET, SOCK_DGRAM, IPPROTO_UDP, "127.0.0.1", GW_PORT, NULL, 0, OSMO_SOCK_F_BIND);
	in.sink = osmo_sock_init2(AF_INET, SOCK_DGRAM, IPPROTO_UDP, "127.0.0.1", SINK_PORT, NULL, 0,
				  OSMO_SOCK_F_BIND);
	mp = media_plane_alloc(ctx, cfg, &udp_ops, NULL);
	if (in.gw < 0 || in.sink < 0 || !mp || media_plane_start(mp) < 0) {
		fprintf(stderr, "loopback setup failed\n");
		talloc_free(ctx);
		return -1;
	}
	for (s = 0; s < nspans; s++)
		for (ts = 1; ts < 32; ts++) {
			struct media_chan_req req = { .trunk = "t", .cic = 32 * s + ts,
						      .p = { .pt = MEDIA_PT_PCMA, .event_pt = 101, .ptime_ms = 20,
							     .dtmf_mode = MEDIA_DTMF_RFC4733 } };
			osmo_sockaddr_str_from_str(&req.p.remote, "127.0.0.1", SINK_PORT);
			if (media_plane_chan_create(mp, &req) < 0)
				fprintf(stderr, "create failed\n");
		}
	for (i = 0; i < 2000 && nready < n; i++) {
		osmo_select_main(1);
		usleep(1000);
	}
	in.ports = ready_ports;
	in.nports = nready;
	pthread_create(&inj, NULL, inject_main, &in);
	usleep(200000);	/* warm up: jitter buffers and spans prefilled */
	media_plane_stats(mp, &st0);
	t0 = now_s();
	while (now_s() - t0 < seconds) {
		osmo_select_main(1);
		usleep(2000);
	}
	t1 = now_s();
	media_plane_stats(mp, &st1);
	in.stop = true;
	pthread_join(inj, NULL);
	*cpu_share = (st1.cpu_ns - st0.cpu_ns) / 1e9 / (t1 - t0);
	*overruns = st1.tick_overruns - st0.tick_overruns;
	*rx_rate = (st1.rtp_rx - st0.rtp_rx) / (t1 - t0);
	*tx_rate = (st1.rtp_tx - st0.rtp_tx) / (t1 - t0);
	*realtime = (st1.ticks - st0.ticks) / (t1 - t0) / (1000.0 / MEDIA_TICK_MS);
	*uring = st1.uring_threads > 0;
	*sys_share = (double)(st1.cpu_sys_ns - st0.cpu_sys_ns) /
		     (double)(st1.cpu_user_ns - st0.cpu_user_ns + st1.cpu_sys_ns - st0.cpu_sys_ns + 1);
	if (st1.tx_errors != st0.tx_errors)
		fprintf(stderr, "%llu sendto errors\n", (unsigned long long)(st1.tx_errors - st0.tx_errors));
	media_plane_stop(mp);
	close(in.gw);
	close(in.sink);
	talloc_free(ctx);
	return nready;
}

/* 16 E1 spans, 496 channels: on a shared 2-core machine the injector and other load take CPU from the media
 * thread, so the capacity is computed from the CPU the thread used for the audio time it actually processed
 * (ticks run), not from its share of the wall clock */
static void report_udp(bool plain, double dtmf_ns)
{
	unsigned int nspans = 16, r;
	double cap[RUNS], rt[RUNS], share[RUNS], rxr[RUNS], txr[RUNS], sys[RUNS], cm, clo, chi, rtm, sm, rm, tm, sysm;
	double d1, d2;
	const char *name = plain ? "udp_plain" : "udp";
	uint64_t ov = 0, o;
	bool uring = false;
	int n = 0;

	for (r = 0; r < RUNS; r++) {
		n = bench_udp(nspans, plain, 0.5, &share[r], &o, &rxr[r], &txr[r], &rt[r], &uring, &sys[r]);
		if (n <= 0)
			return;
		cap[r] = n * rt[r] / share[r];
		ov += o;
	}
	med(cap, &cm, &clo, &chi);
	med(rt, &rtm, &d1, &d2);
	med(share, &sm, &d1, &d2);
	med(rxr, &rm, &d1, &d2);
	med(txr, &tm, &d1, &d2);
	med(sys, &sysm, &d1, &d2);
	printf("media_loopback_%s: %d channels (%u E1 spans, RTP and CESoPSN over 127.0.0.1, packet I/O with %s): "
	       "media thread ran %.0f%% of real time using %.1f%% of a core (user+sys; about %.0f%% of it in the "
	       "kernel by the kernel's tick-sampled accounting); "
	       "%.0f RTP/s in, %.0f RTP/s out (medians of %d), %llu late ticks\n", name, n, nspans,
	       uring ? "io_uring" : "plain socket calls", 100 * rtm, 100 * sm, 100 * sysm, rm, tm, RUNS,
	       (unsigned long long)ov);
	printf("media_channel_%s: %.1f ns/sample per channel (CPU of the media thread / channel-samples processed), "
	       "%.1f x SpanDSP dtmf_rx alone (%.1f ns/sample)\n", name, 1e9 / (cm * 8000.0),
	       1e9 / (cm * 8000.0) / dtmf_ns, dtmf_ns);
	printf("media_channels_per_core_%s: %.0f channels (median of %d, min %.0f, max %.0f; channels x audio time "
	       "processed / media thread CPU time, kernel UDP included); real-UDP target %d: %s\n", name, cm, RUNS,
	       clo, chi, TARGET_CHANNELS, cm >= TARGET_CHANNELS ? "met" : "NOT met");
}

int main(void)
{
	double v[RUNS], m, lo, hi, dtmf[RUNS], dm, dlo, dhi, ns_per_sample;
	unsigned int r, nspans_mem = 20;
	struct rlimit rl;

	log_init(&mgcf_log_info, NULL);
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);

	for (r = 0; r < RUNS; r++) {
		dtmf[r] = bench_dtmf_rx();
		v[r] = bench_mem(nspans_mem, 100);
	}
	med(dtmf, &dm, &dlo, &dhi);
	med(v, &m, &lo, &hi);
	ns_per_sample = m;
	printf("media_dtmf_rx (SpanDSP alone): %.1f ns/sample (median of %d, min %.1f, max %.1f)\n", dm, RUNS, dlo,
	       dhi);
	printf("media_channel_inmemory: %.1f ns/sample per channel (median of %d, min %.1f, max %.1f): "
	       "CESoPSN rx/tx + TDM->RTP with DTMF detection and removal + RTP rx, jitter buffer, PLC, G.711\n",
	       m, RUNS, lo, hi);
	printf("media_channels_per_core_inmemory: %.0f channels (= 1 s / (8000 samples x %.1f ns)); target %d: %s\n",
	       1e9 / (8000.0 * ns_per_sample), ns_per_sample, TARGET_CHANNELS,
	       1e9 / (8000.0 * ns_per_sample) >= TARGET_CHANNELS ? "met" : "NOT met");

	/* the real-UDP path with plain socket calls (the fallback), then with io_uring where the kernel has it */
	report_udp(true, dm);
	report_udp(false, dm);
	return 0;
}
