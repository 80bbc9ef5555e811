/* The media plane for real: threads, it_q commands and events, a CESoPSN span and RTP over UDP on
 * 127.0.0.1, and 1,000 channel create/destroy cycles that must leave no port, socket (beyond the bounded pool
 * of free pairs' sockets) or memory behind. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <arpa/inet.h>
#include <check.h>
#include <talloc.h>
#include <spandsp.h>
#include <osmocom/core/select.h>
#include <osmocom/core/socket.h>

#include "testlib.h"
#include "media/media.h"
#include "media/media_chan.h"
#include "media/cesopsn.h"
#include "media/rtp_codec.h"
#include "media/media_uring.h"

/* All ports from one free block chosen at start (test_udp_port_block): the RTP range, then the sockets. */
static uint16_t port_base;
#define RTP_PORTS	200
#define SPAN_PORT	(port_base + RTP_PORTS)		/* ours */
#define GW_PORT		(port_base + RTP_PORTS + 2)	/* the test's "TDM gateway" */
#define PEER_PORT	(port_base + RTP_PORTS + 4)	/* the test's RTP peer (and + 2) */
#define MAX_FRAMES	160
/* packet times of the span in full_channel_over_udp: 5 ms (two per tick), 20 ms (one per two ticks), 1 ms */
static const unsigned int frames_tab[] = { 40, 160, 8 };
static unsigned int FRAMES = 40;
#define NTS		4	/* timeslots 1..4 */

/* the "plain sockets" test case runs the same tests without io_uring */
static bool plain_sockets;

static struct media_event evs[4096];
static unsigned int nev;

static void on_event(void *priv, const struct media_event *ev)
{
	(void)priv;
	if (nev < ARRAY_SIZE(evs))
		evs[nev++] = *ev;
}

static const struct media_plane_ops ops = { .event = on_event };

static struct media_cfg *mkcfg(void)
{
	struct media_cfg *cfg = talloc_zero(test_ctx, struct media_cfg);
	struct media_span_cfg *sp = talloc_zero(cfg, struct media_span_cfg);
	struct media_trunk_cfg *tr = talloc_zero(cfg, struct media_trunk_cfg);

	INIT_LLIST_HEAD(&cfg->spans);
	INIT_LLIST_HEAD(&cfg->trunks);
	osmo_sockaddr_str_from_str(&cfg->rtp_addr, "127.0.0.1", 0);
	cfg->rtp_port_min = port_base;
	cfg->rtp_port_max = port_base + RTP_PORTS - 1;
	cfg->threads = 2;
	cfg->jitter_min_ms = 40;
	cfg->jitter_max_ms = 40;
	cfg->ptime_ms = 20;
	cfg->plain_sockets = plain_sockets;
	tr->name = talloc_strdup(tr, "pstn");
	tr->law = MEDIA_LAW_ALAW;
	tr->tone_plan = talloc_strdup(tr, "de");
	llist_add_tail(&tr->list, &cfg->trunks);
	sp->name = talloc_strdup(sp, "span0");
	sp->trunk = talloc_strdup(sp, "pstn");
	sp->type = MEDIA_SPAN_E1;
	sp->cic_base = 100;
	sp->timeslots = 0x1e;
	sp->frames_per_packet = FRAMES;
	osmo_sockaddr_str_from_str(&sp->local, "127.0.0.1", SPAN_PORT);
	osmo_sockaddr_str_from_str(&sp->remote, "127.0.0.1", GW_PORT);
	llist_add_tail(&sp->list, &cfg->spans);
	return cfg;
}

/* every thread uses io_uring when this process can (the same self-test the threads run), unless told not to */
static unsigned int expected_uring_threads(const struct media_cfg *cfg)
{
	void *ctx = talloc_named_const(NULL, 0, "uring-probe");
	bool avail = media_uring_alloc(ctx, 8, 8, 256) != NULL;

	talloc_free(ctx);
	return avail && !cfg->plain_sockets ? cfg->threads : 0;
}

static int udp_sock(uint16_t port)
{
	int fd = osmo_sock_init2(AF_INET, SOCK_DGRAM, IPPROTO_UDP, "127.0.0.1", port, NULL, 0,
				 OSMO_SOCK_F_BIND | OSMO_SOCK_F_NONBLOCK);
	ck_assert_int_ge(fd, 0);
	return fd;
}

static void send_to(int fd, uint16_t port, const uint8_t *buf, size_t len)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(sendto(fd, buf, len, 0, (struct sockaddr *)&sin, sizeof(sin)), (int)len);
}

static void run_events(void)
{
	osmo_select_main(1);
}


/* up to 1 s for the plane's RTP receive count to move past rx0 (st: its statistics, updated) */
static void wait_rtp_rx(struct media_plane *mp, struct media_plane_stats *st, uint64_t rx0)
{
	unsigned int t;

	for (t = 0; t < 1000 && st->rtp_rx == rx0; t++) {
		run_events();
		usleep(1000);
		media_plane_stats(mp, st);
	}
}

static const struct media_event *wait_event(enum media_event_type type, unsigned int from, unsigned int ms)
{
	unsigned int i, t;

	for (t = 0; t < ms; t++) {
		run_events();
		for (i = from; i < nev; i++)
			if (evs[i].type == type)
				return &evs[i];
		usleep(1000);
	}
	return NULL;
}

static const struct media_event *wait_event_id(enum media_event_type type, uint32_t id, unsigned int ms)
{
	unsigned int i, t;

	for (t = 0; t < ms; t++) {
		run_events();
		for (i = 0; i < nev; i++)
			if (evs[i].type == type && evs[i].chan_id == id)
				return &evs[i];
		usleep(1000);
	}
	return NULL;
}

static unsigned int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* the descriptors once the threads are up (each opens its tick timer and ring): the same for 50 ms */
static unsigned int settled_fds(void)
{
	unsigned int n = count_fds(), same = 0, t;

	for (t = 0; t < 2000 && same < 50; t++) {
		unsigned int m;
		run_events();
		usleep(1000);
		m = count_fds();
		same = m == n ? same + 1 : 0;
		n = m;
	}
	return n;
}

static void sleep_until(struct timespec *next, long ns)
{
	next->tv_nsec += ns;
	while (next->tv_nsec >= 1000000000L) {
		next->tv_nsec -= 1000000000L;
		next->tv_sec++;
	}
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL);
}

struct digits {
	char d[32];
	unsigned int n;
};

static void rt_cb(void *user, int code, int level, int delay)
{
	struct digits *dg = user;

	(void)level;
	(void)delay;
	if (code && dg->n < sizeof(dg->d) - 1)
		dg->d[dg->n++] = code;
}

START_TEST(full_channel_over_udp)
{
	FRAMES = frames_tab[_i];
	{
	struct media_cfg *cfg = mkcfg();
	struct media_plane *mp = media_plane_alloc(test_ctx, cfg, &ops, NULL);
	int gw = udp_sock(GW_PORT), peer = udp_sock(PEER_PORT);
	struct media_chan_req req = { .trunk = "pstn", .cic = 102,
				      .p = { .pt = MEDIA_PT_PCMA, .event_pt = 101, .ptime_ms = 20,
					     .dtmf_mode = MEDIA_DTMF_RFC4733 } };
	const struct media_event *ev;
	struct timespec next;
	int64_t id;
	uint16_t port, gw_seq = 0, rtp_seq = 0;
	unsigned int it, nrtp = 0, ts_idx = 1, ncs = 0;	/* CIC 102 = timeslot 2 = payload position 1 */
	double ph = 0;
	int16_t rx_audio[8000];
	unsigned int rx_n = 0, gw_frames = 0;
	struct digits dg = { 0 };
	dtmf_rx_state_t *drx = dtmf_rx_init(NULL, NULL, NULL);
	float lvl;

	nev = 0;
	dtmf_rx_set_realtime_callback(drx, rt_cb, &dg);
	ck_assert_ptr_nonnull(mp);
	ck_assert_int_eq(media_plane_start(mp), 0);
	{
		unsigned int s, ts;
		ck_assert_int_eq(media_plane_cic_lookup(mp, "pstn", 102, &s, &ts), 0);
		ck_assert_uint_eq(ts, 2);
		ck_assert_int_eq(media_plane_cic_lookup(mp, "pstn", 105, &s, &ts), -ENOENT);
		ck_assert_int_eq(media_plane_cic_lookup(mp, "other", 102, &s, &ts), -ENOENT);
	}
	osmo_sockaddr_str_from_str(&req.p.remote, "127.0.0.1", PEER_PORT);
	id = media_plane_chan_create(mp, &req);
	ck_assert_int_gt(id, 0);
	ev = wait_event(MEDIA_EV_CHAN_READY, 0, 1000);
	ck_assert_ptr_nonnull(ev);
	ck_assert_uint_eq(ev->chan_id, id);
	port = ev->local_port;
	ck_assert_uint_ge(port, port_base);
	ck_assert_uint_lt(port, port_base + RTP_PORTS);
	ck_assert_uint_eq(port % 2, 0);
	ck_assert_int_eq(media_plane_chan_create(mp, &req) > 0, 1);	/* same CIC again: the thread refuses it */
	ev = wait_event(MEDIA_EV_CHAN_FAILED, 0, 1000);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->rc, -EBUSY);

	/* 1.5 s: the TDM side sends 1004 Hz on timeslot 2; the RTP peer sends the digit '5' as RFC 4733
	 * events for 200 ms starting at 0.6 s */
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (it = 0; it < 150; it++) {
		uint8_t pkt[1500];
		ssize_t n;
		while (gw_frames < (it + 1) * MEDIA_TICK_SAMPLES) {
			struct cesopsn_pkt cw = { .seq = gw_seq++ };
			int16_t lin[MAX_FRAMES];
			uint8_t a[MAX_FRAMES];
			unsigned int f, k;
			for (f = 0; f < FRAMES; f++) {
				lin[f] = (int16_t)lrint(7000 * sin(ph));
				ph += 2 * M_PI * 1004 / 8000.0;
			}
			media_g711_from_linear(MEDIA_LAW_ALAW, lin, a, FRAMES);
			cesopsn_write_cw(pkt, &cw);
			for (f = 0; f < FRAMES; f++)
				for (k = 0; k < NTS; k++)
					pkt[4 + f * NTS + k] = k == ts_idx ? a[f] : 0xd5;
			send_to(gw, SPAN_PORT, pkt, 4 + FRAMES * NTS);
			gw_frames += FRAMES;
		}
		if (it % 2 == 0 && it >= 60 && it <= 82) {
			struct rtp_hdr h = { .pt = 101, .seq = rtp_seq++, .ts = 4800, .ssrc = 77, .marker = it == 60 };
			struct rtp_event e = { .event = 5, .volume = 10, .end = it >= 78, .duration = it >= 78 ? 1600 :
					       (it - 58) * 80 };
			rtp_write_hdr(pkt, sizeof(pkt), &h);
			rtp_event_write(pkt + 12, &e);
			send_to(peer, port, pkt, 16);
		}
		/* what the media thread sent to the peer */
		while ((n = recv(peer, pkt, sizeof(pkt), 0)) > 0) {
			struct rtp_hdr h;
			ck_assert_int_eq(rtp_parse(pkt, n, &h, NULL), 0);
			if (h.pt == MEDIA_PT_PCMA && h.payload_len == 160 && rx_n + 160 <= ARRAY_SIZE(rx_audio)) {
				media_g711_to_linear(MEDIA_LAW_ALAW, h.payload, rx_audio + rx_n, 160);
				rx_n += 160;
			}
			nrtp++;
		}
		/* what it sent toward the TDM side */
		while ((n = recv(gw, pkt, sizeof(pkt), 0)) > 0) {
			struct cesopsn_pkt cp;
			int16_t lin[MAX_FRAMES];
			uint8_t col[MAX_FRAMES];
			unsigned int f;
			ck_assert_int_eq(cesopsn_parse(pkt, n, false, NTS, FRAMES, &cp, NULL), 0);
			for (f = 0; f < FRAMES; f++) {
				col[f] = cp.payload[f * NTS + ts_idx];
				/* timeslots without a channel carry the A-law idle pattern */
				ck_assert_uint_eq(cp.payload[f * NTS + 0], 0xd5);
				ck_assert_uint_eq(cp.payload[f * NTS + 3], 0xd5);
			}
			media_g711_to_linear(MEDIA_LAW_ALAW, col, lin, FRAMES);
			dtmf_rx(drx, lin, FRAMES);
			ncs++;
		}
		run_events();
		sleep_until(&next, 10000000L);
	}
	/* ~75 RTP packets in 1.5 s; ~300 CESoPSN packets */
	ck_assert_uint_ge(nrtp, 60);
	ck_assert_uint_ge(ncs, 240 * 40 / FRAMES);
	ck_assert_uint_ge(rx_n, 4000);
	{
		/* 50 ms chunks after the first 300 ms: the tone (7000 peak = -10.2 dBm0) is there at its level.
		 * A loaded machine may starve the test's sender so that some chunks are concealed or silent;
		 * none may be louder, and at least 250 ms must be exact. */
		struct dtmf_goertzel g;
		unsigned int k, good = 0;
		float want = dtmf_amp_to_dbm0(7000);
		for (k = 2400; k + 400 <= rx_n; k += 400) {
			dtmf_goertzel_init(&g, 1004);
			dtmf_goertzel_update(&g, rx_audio + k, 400);
			lvl = dtmf_amp_to_dbm0(dtmf_goertzel_amplitude(&g));
			ck_assert_msg(lvl < want + 1.0f, "tone over RTP at %.1f dBm0", lvl);
			good += fabsf(lvl - want) < 1.0f;
		}
		ck_assert_msg(good >= 5, "only %u chunks of 50 ms with the tone at its level", good);
	}
	dg.d[dg.n] = 0;
	ck_assert_str_eq(dg.d, "5");
	ev = wait_event(MEDIA_EV_RFC4733, 0, 500);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->digit, '5');
	ck_assert_uint_eq(ev->duration_ms, 200);
	{
		struct media_plane_stats st;
		media_plane_stats(mp, &st);
		ck_assert_uint_eq(st.channels, 1);
		ck_assert_uint_eq(st.uring_threads, expected_uring_threads(cfg));
		ck_assert_uint_ge(st.span_rx, 250 * 40 / FRAMES);
		ck_assert_uint_eq(st.span_malformed, 0);
	}
	/* commands for unknown channels are refused on the signalling side */
	ck_assert_int_eq(media_plane_chan_play(mp, 99999, DTMF_PLAY_BUSY), -ENOENT);
	ck_assert_int_eq(media_plane_chan_destroy(mp, id), 0);
	ev = wait_event_id(MEDIA_EV_CHAN_DESTROYED, id, 1000);
	ck_assert_ptr_nonnull(ev);
	ck_assert_uint_eq(ev->local_port, port);
	media_plane_stop(mp);
	talloc_free(mp);
	close(gw);
	close(peer);
	dtmf_rx_free(drx);
	talloc_free(cfg);
	}
}
END_TEST

START_TEST(create_destroy_1000)
{
	struct media_cfg *cfg = mkcfg();
	unsigned int fds_start = count_fds(), fds0, i, destroyed = 0, ready = 0, t;
	struct media_plane *mp = media_plane_alloc(test_ctx, cfg, &ops, NULL);
	struct media_chan_req req = { .trunk = "pstn", .cic = -1,
				      .p = { .pt = MEDIA_PT_PCMU, .event_pt = 101, .ptime_ms = 20 } };
	struct media_plane_stats st0, st;
	uint16_t last_port = 0;
	bool reused_immediately = false;

	nev = 0;
	ck_assert_int_eq(media_plane_start(mp), 0);
	osmo_sockaddr_str_from_str(&req.p.remote, "127.0.0.1", PEER_PORT);
	/* let the threads come up and settle their own allocations */
	for (t = 0; t < 50; t++) {
		run_events();
		usleep(1000);
	}
	media_plane_stats(mp, &st0);
	fds0 = count_fds();
	for (i = 0; i < 1000; i++) {
		unsigned int from = nev;
		const struct media_event *ev;
		int64_t id;
		req.cic = (i % 2) ? (int)(101 + (i % 4)) : -1;	/* spans and RTP-only channels */
		id = media_plane_chan_create(mp, &req);
		ck_assert_int_gt(id, 0);
		ev = wait_event(MEDIA_EV_CHAN_READY, from, 1000);
		ck_assert_ptr_nonnull(ev);
		ready++;
		if (ev->local_port == last_port)
			reused_immediately = true;
		last_port = ev->local_port;
		ck_assert_int_eq(media_plane_chan_destroy(mp, id), 0);
		ev = wait_event(MEDIA_EV_CHAN_DESTROYED, from, 1000);
		ck_assert_ptr_nonnull(ev);
		destroyed++;
		if (nev > 4000)
			nev = 0;
	}
	ck_assert_uint_eq(ready, 1000);
	ck_assert_uint_eq(destroyed, 1000);
	ck_assert(!reused_immediately);	/* a freed port is not handed out again right away */
	for (t = 0; t < 20; t++) {
		run_events();
		usleep(1000);
	}
	media_plane_stats(mp, &st);
	ck_assert_uint_eq(st.channels, 0);
	ck_assert_uint_eq(st.ports_in_use, 0);
	ck_assert_uint_eq(st.thread_talloc_blocks, st0.thread_talloc_blocks);
	/* every socket is closed or kept in the pool (once io_uring has handed the last ones back), which holds
	 * the two sockets of each of the range's 100 pairs after 1,000 calls */
	for (t = 0; t < 1000 && count_fds() != fds0 + st.sockets_pooled; t++) {
		run_events();
		usleep(1000);
		media_plane_stats(mp, &st);
	}
	ck_assert_uint_eq(count_fds(), fds0 + st.sockets_pooled);
	ck_assert_uint_eq(st.sockets_pooled, 2 * ((cfg->rtp_port_max - ((cfg->rtp_port_min + 1u) & ~1u) + 1) / 2));
	media_plane_stop(mp);
	ck_assert_uint_eq(count_fds(), fds_start);	/* stopped: the pool is closed */
	talloc_free(mp);
	talloc_free(cfg);
}
END_TEST

/* A released pair keeps its sockets; its next call gets them back (no new socket), and what reached the pair
 * while it was free never reaches that call. */
START_TEST(pooled_sockets_drained)
{
	struct media_cfg *cfg = mkcfg();
	struct media_plane *mp;
	struct media_chan_req req = { .cic = -1, .p = { .pt = MEDIA_PT_PCMU, .ptime_ms = 20 } };
	struct media_plane_stats st;
	const struct media_event *ev;
	unsigned int fds_start = count_fds(), fds_pooled, t, i, from;
	int peer = udp_sock(PEER_PORT);
	uint8_t pkt[172];
	struct rtp_hdr h = { .pt = MEDIA_PT_PCMU, .seq = 1, .ts = 0, .ssrc = 3 };
	uint16_t rtp_port = (port_base + 1) & ~1;
	uint64_t rx0;
	int64_t id;

	cfg->rtp_port_min = rtp_port;		/* one pair: every call takes it */
	cfg->rtp_port_max = rtp_port + 1;
	mp = media_plane_alloc(test_ctx, cfg, &ops, NULL);
	nev = 0;
	rtp_write_hdr(pkt, sizeof(pkt), &h);
	memset(pkt + 12, 0xff, 160);
	ck_assert_int_eq(media_plane_start(mp), 0);
	settled_fds();	/* both threads up: what opens descriptors later is the test's */
	osmo_sockaddr_str_from_str(&req.p.remote, "127.0.0.1", PEER_PORT);
	id = media_plane_chan_create(mp, &req);
	ck_assert_int_gt(id, 0);
	ev = wait_event(MEDIA_EV_CHAN_READY, 0, 1000);
	ck_assert_ptr_nonnull(ev);
	ck_assert_uint_eq(ev->local_port, rtp_port);
	ck_assert_int_eq(media_plane_chan_destroy(mp, id), 0);
	ck_assert_ptr_nonnull(wait_event(MEDIA_EV_CHAN_DESTROYED, 0, 1000));
	for (t = 0; t < 1000; t++) {
		media_plane_stats(mp, &st);
		if (st.sockets_pooled == 2)
			break;
		run_events();
		usleep(1000);
	}
	ck_assert_uint_eq(st.sockets_pooled, 2);
	fds_pooled = count_fds();
	rx0 = st.rtp_rx;
	/* late packets of the old call, RTP and RTCP */
	for (i = 0; i < 3; i++)
		send_to(peer, rtp_port, pkt, sizeof(pkt));
	send_to(peer, rtp_port + 1, pkt, 8);
	from = nev;
	id = media_plane_chan_create(mp, &req);
	ck_assert_int_gt(id, 0);
	ev = wait_event(MEDIA_EV_CHAN_READY, from, 1000);
	ck_assert_ptr_nonnull(ev);
	ck_assert_uint_eq(ev->local_port, rtp_port);
	media_plane_stats(mp, &st);
	ck_assert_uint_eq(st.sockets_pooled, 0);
	ck_assert_uint_eq(count_fds(), fds_pooled);	/* the pool's sockets, no new ones */
	for (t = 0; t < 60; t++) {
		run_events();
		usleep(1000);
	}
	media_plane_stats(mp, &st);
	ck_assert_uint_eq(st.rtp_rx, rx0);	/* drained */
	/* the channel does receive what comes now */
	send_to(peer, rtp_port, pkt, sizeof(pkt));
	wait_rtp_rx(mp, &st, rx0);
	ck_assert_uint_eq(st.rtp_rx, rx0 + 1);
	media_plane_stop(mp);
	ck_assert_uint_eq(count_fds(), fds_start + 1);	/* the peer's socket */
	close(peer);
	talloc_free(mp);
	talloc_free(cfg);
}
END_TEST

/* A channel going away says so: an RTCP BYE for its SSRC reaches the peer's RTCP port (with io_uring it leaves
 * with the tick's submission, else directly). */
START_TEST(rtcp_bye_on_destroy)
{
	struct media_cfg *cfg = mkcfg();
	struct media_plane *mp = media_plane_alloc(test_ctx, cfg, &ops, NULL);
	struct media_chan_req req = { .cic = -1, .p = { .pt = MEDIA_PT_PCMA, .ptime_ms = 20 } };
	int rtcp_peer = udp_sock(PEER_PORT + 1);
	struct rtcp_info info;
	uint8_t buf[512];
	ssize_t n = -1;
	unsigned int t;
	int64_t id;

	nev = 0;
	ck_assert_int_eq(media_plane_start(mp), 0);
	osmo_sockaddr_str_from_str(&req.p.remote, "127.0.0.1", PEER_PORT);
	id = media_plane_chan_create(mp, &req);
	ck_assert_int_gt(id, 0);
	ck_assert_ptr_nonnull(wait_event_id(MEDIA_EV_CHAN_READY, id, 1000));
	ck_assert_int_eq(media_plane_chan_destroy(mp, id), 0);
	ck_assert_ptr_nonnull(wait_event_id(MEDIA_EV_CHAN_DESTROYED, id, 1000));
	for (t = 0; t < 1000 && n < 0; t++) {
		n = recv(rtcp_peer, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			usleep(1000);
	}
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(rtcp_parse(buf, n, &info, NULL), 0);
	ck_assert(info.has_bye);
	ck_assert_uint_eq(info.num_bye, 1);
	ck_assert_uint_eq(info.bye_ssrc[0], info.ssrc);
	/* once */
	usleep(30000);
	ck_assert_int_lt(recv(rtcp_peer, buf, sizeof(buf), MSG_DONTWAIT), 0);
	media_plane_stop(mp);
	close(rtcp_peer);
	talloc_free(mp);
	talloc_free(cfg);
}
END_TEST

/* Many pooled pairs taken in one batch of commands (one thread): the thread asks which of their sockets hold
 * something in one poll() per 64 of them; the stale datagrams of every pair, also those past the first 64
 * sockets, are drained before the new channels receive. */
#define BATCH_PAIRS	40
START_TEST(pooled_sockets_drained_batch)
{
	struct media_cfg *cfg = mkcfg();
	struct media_plane *mp;
	struct media_chan_req req = { .cic = -1, .p = { .pt = MEDIA_PT_PCMU, .ptime_ms = 20 } };
	struct media_plane_stats st;
	unsigned int t, i, ready, from;
	int peer = udp_sock(PEER_PORT);
	uint8_t pkt[172];
	struct rtp_hdr h = { .pt = MEDIA_PT_PCMU, .seq = 1, .ts = 0, .ssrc = 3 };
	uint16_t rtp_port = (port_base + 1) & ~1;
	int64_t ids[BATCH_PAIRS];
	uint64_t rx0;

	cfg->threads = 1;
	cfg->rtp_port_min = rtp_port;
	cfg->rtp_port_max = rtp_port + 2 * BATCH_PAIRS - 1;
	mp = media_plane_alloc(test_ctx, cfg, &ops, NULL);
	nev = 0;
	rtp_write_hdr(pkt, sizeof(pkt), &h);
	memset(pkt + 12, 0xff, 160);
	ck_assert_int_eq(media_plane_start(mp), 0);
	osmo_sockaddr_str_from_str(&req.p.remote, "127.0.0.1", PEER_PORT);
	for (i = 0; i < BATCH_PAIRS; i++) {
		ids[i] = media_plane_chan_create(mp, &req);
		ck_assert_int_gt(ids[i], 0);
	}
	for (i = 0; i < BATCH_PAIRS; i++)
		ck_assert_ptr_nonnull(wait_event_id(MEDIA_EV_CHAN_READY, ids[i], 1000));
	for (i = 0; i < BATCH_PAIRS; i++)
		ck_assert_int_eq(media_plane_chan_destroy(mp, ids[i]), 0);
	for (t = 0; t < 2000; t++) {
		media_plane_stats(mp, &st);
		if (st.sockets_pooled == 2 * BATCH_PAIRS)
			break;
		run_events();
		usleep(1000);
	}
	ck_assert_uint_eq(st.sockets_pooled, 2 * BATCH_PAIRS);
	rx0 = st.rtp_rx;
	/* late packets of the old calls on every RTP socket, RTCP on some */
	for (i = 0; i < BATCH_PAIRS; i++) {
		send_to(peer, rtp_port + 2 * i, pkt, sizeof(pkt));
		if (i % 3 == 0)
			send_to(peer, rtp_port + 2 * i + 1, pkt, 8);
	}
	from = nev;
	/* all within one tick (10 ms): one batch */
	for (i = 0; i < BATCH_PAIRS; i++)
		ids[i] = media_plane_chan_create(mp, &req);
	for (t = 0, ready = 0; t < 1000 && ready < BATCH_PAIRS; t++) {
		run_events();
		usleep(1000);
		for (i = from, ready = 0; i < nev; i++)
			ready += evs[i].type == MEDIA_EV_CHAN_READY;
	}
	ck_assert_uint_eq(ready, BATCH_PAIRS);
	media_plane_stats(mp, &st);
	ck_assert_uint_eq(st.sockets_pooled, 0);
	for (t = 0; t < 60; t++) {
		run_events();
		usleep(1000);
	}
	media_plane_stats(mp, &st);
	ck_assert_uint_eq(st.rtp_rx, rx0);	/* all drained */
	/* the last channel does receive what comes now */
	send_to(peer, rtp_port + 2 * (BATCH_PAIRS - 1), pkt, sizeof(pkt));
	wait_rtp_rx(mp, &st, rx0);
	ck_assert_uint_eq(st.rtp_rx, rx0 + 1);
	media_plane_stop(mp);
	close(peer);
	talloc_free(mp);
	talloc_free(cfg);
}
END_TEST

/* A TDM-only channel (test equipment's end of a span): no RTP port, no socket, still a channel on its timeslot. */
START_TEST(tdm_only_channel)
{
	struct media_cfg *cfg = mkcfg();
	struct media_plane *mp = media_plane_alloc(test_ctx, cfg, &ops, NULL);
	struct media_chan_req req = { .trunk = "pstn", .cic = -1, .tdm_only = true,
				      .p = { .pt = MEDIA_PT_PCMA, .ptime_ms = 20 } };
	struct media_plane_stats st;
	const struct media_event *ev;
	unsigned int fds0;
	int64_t id;

	nev = 0;
	ck_assert_int_eq(media_plane_start(mp), 0);
	fds0 = settled_fds();
	ck_assert_int_eq(media_plane_chan_create(mp, &req), -EINVAL);	/* TDM only needs a timeslot */
	req.cic = 102;
	id = media_plane_chan_create(mp, &req);
	ck_assert_int_gt(id, 0);
	ev = wait_event(MEDIA_EV_CHAN_READY, 0, 1000);
	ck_assert_ptr_nonnull(ev);
	ck_assert_uint_eq(ev->local_port, 0);
	media_plane_stats(mp, &st);
	ck_assert_uint_eq(st.channels, 1);
	ck_assert_uint_eq(st.ports_in_use, 0);
	ck_assert_uint_eq(count_fds(), fds0);
	ck_assert_int_eq(media_plane_chan_destroy(mp, id), 0);
	ck_assert_ptr_nonnull(wait_event(MEDIA_EV_CHAN_DESTROYED, 0, 1000));
	media_plane_stats(mp, &st);
	ck_assert_uint_eq(st.channels, 0);
	ck_assert_uint_eq(st.ports_in_use, 0);
	media_plane_stop(mp);
	talloc_free(mp);
	talloc_free(cfg);
}
END_TEST

START_TEST(cot_through_thread)
{
	struct media_cfg *cfg = mkcfg();
	struct media_plane *mp = media_plane_alloc(test_ctx, cfg, &ops, NULL);
	struct media_chan_req req = { .trunk = "pstn", .cic = -1, .p = { .pt = MEDIA_PT_PCMA, .ptime_ms = 20 } };
	const struct media_event *ev;
	int64_t id;

	nev = 0;
	{
		struct media_chan_params p;
		cfg->ptime_ms = 30;
		cfg->dtmf_mode = MEDIA_DTMF_INFO;
		cfg->symmetric_rtp = true;
		media_plane_default_params(mp, &p);
		ck_assert_uint_eq(p.ptime_ms, 30);
		ck_assert_uint_eq(p.pt, MEDIA_PT_PCMA);
		ck_assert_uint_eq(p.event_pt, 101);
		ck_assert_int_eq(p.dtmf_mode, MEDIA_DTMF_INFO);
		ck_assert(p.symmetric_rtp);
		ck_assert_uint_eq(p.remote.port, 0);
	}
	ck_assert_int_eq(media_plane_start(mp), 0);
	/* an RTP-only channel hears idle on its TDM side: the loop is broken */
	id = media_plane_chan_create(mp, &req);
	ck_assert_int_gt(id, 0);
	ck_assert_ptr_nonnull(wait_event(MEDIA_EV_CHAN_READY, 0, 1000));
	ck_assert_int_eq(media_plane_chan_cot(mp, id, 300), 0);
	ev = wait_event(MEDIA_EV_COT_RESULT, 0, 2000);
	ck_assert_ptr_nonnull(ev);
	ck_assert(!ev->cot_ok);
	ck_assert_int_eq(media_plane_chan_destroy(mp, id), 0);
	ck_assert_ptr_nonnull(wait_event(MEDIA_EV_CHAN_DESTROYED, 0, 1000));
	media_plane_stop(mp);
	talloc_free(mp);
	talloc_free(cfg);
}
END_TEST

START_TEST(symmetric_rtp)
{
	struct media_cfg *cfg = mkcfg();
	struct media_plane *mp = media_plane_alloc(test_ctx, cfg, &ops, NULL);
	struct media_chan_req req = { .cic = -1, .p = { .pt = MEDIA_PT_PCMU, .ptime_ms = 20, .symmetric_rtp = true } };
	int peer = udp_sock(PEER_PORT);
	const struct media_event *ev;
	uint8_t pkt[200];
	unsigned int t, got = 0;
	uint16_t port;
	int64_t id;

	nev = 0;
	ck_assert_int_eq(media_plane_start(mp), 0);
	/* no remote address: nothing is sent until the peer's first packet says where it is */
	id = media_plane_chan_create(mp, &req);
	ck_assert_int_gt(id, 0);
	ev = wait_event(MEDIA_EV_CHAN_READY, 0, 1000);
	ck_assert_ptr_nonnull(ev);
	port = ev->local_port;
	usleep(100000);
	ck_assert_int_lt(recv(peer, pkt, sizeof(pkt), MSG_DONTWAIT), 0);
	{
		struct rtp_hdr h = { .pt = MEDIA_PT_PCMU, .seq = 1, .ts = 0, .ssrc = 3 };
		rtp_write_hdr(pkt, sizeof(pkt), &h);
		memset(pkt + 12, 0xff, 160);
		send_to(peer, port, pkt, 172);
	}
	for (t = 0; t < 200 && got < 3; t++) {
		struct rtp_hdr h;
		ssize_t n = recv(peer, pkt, sizeof(pkt), MSG_DONTWAIT);
		if (n > 0) {
			ck_assert_int_eq(rtp_parse(pkt, n, &h, NULL), 0);
			ck_assert_uint_eq(h.pt, MEDIA_PT_PCMU);
			got++;
		}
		run_events();
		usleep(2000);
	}
	ck_assert_uint_ge(got, 3);
	/* the socket is now connected to the peer; a re-INVITE moves the stream to another address */
	{
		int peer2 = udp_sock(PEER_PORT + 2);
		struct media_chan_params p = { .pt = MEDIA_PT_PCMA, .ptime_ms = 20 };
		osmo_sockaddr_str_from_str(&p.remote, "127.0.0.1", PEER_PORT + 2);
		ck_assert_int_eq(media_plane_chan_modify(mp, id, &p), 0);
		for (t = 0, got = 0; t < 200 && got < 3; t++) {
			struct rtp_hdr h;
			ssize_t n = recv(peer2, pkt, sizeof(pkt), MSG_DONTWAIT);
			if (n > 0) {
				ck_assert_int_eq(rtp_parse(pkt, n, &h, NULL), 0);
				got += h.pt == MEDIA_PT_PCMA;
			}
			run_events();
			usleep(2000);
		}
		ck_assert_uint_ge(got, 3);
		/* and packets from the new peer are received (the old connection is gone) */
		{
			struct media_plane_stats st0, st1;
			struct rtp_hdr h = { .pt = MEDIA_PT_PCMA, .seq = 9, .ts = 0, .ssrc = 5 };
			media_plane_stats(mp, &st0);
			rtp_write_hdr(pkt, sizeof(pkt), &h);
			memset(pkt + 12, 0xd5, 160);
			send_to(peer2, port, pkt, 172);
			for (t = 0; t < 100; t++) {
				media_plane_stats(mp, &st1);
				if (st1.rtp_rx > st0.rtp_rx)
					break;
				usleep(2000);
			}
			ck_assert_uint_gt(st1.rtp_rx, st0.rtp_rx);
		}
		close(peer2);
	}
	ck_assert_int_eq(media_plane_chan_destroy(mp, id), 0);
	ck_assert_ptr_nonnull(wait_event_id(MEDIA_EV_CHAN_DESTROYED, id, 1000));
	media_plane_stop(mp);
	talloc_free(mp);
	talloc_free(cfg);
	close(peer);
}
END_TEST

/* A peer that sends a tick's packets as one UDP GSO send (as the span does): with UDP_GRO they may arrive as one
 * datagram, which is cut back into the peer's packets; a short last segment is one malformed packet. */
START_TEST(span_rx_coalesced)
{
	struct media_cfg *cfg;
	struct media_plane *mp;
	int gw = udp_sock(GW_PORT);
	struct media_plane_stats st;
	struct timespec next;
	uint8_t pkts[10 * (4 + 8 * NTS) + 4];
	unsigned int it, k, seq = 0;
	size_t len;

	FRAMES = 8;	/* 1 ms packets: ten per tick */
	len = 4 + FRAMES * NTS;
	if (setsockopt(gw, SOL_UDP, UDP_SEGMENT, &(int){ len }, sizeof(int)) < 0) {
		close(gw);
		return;	/* no UDP GSO here: the span sends and receives plain datagrams */
	}
	cfg = mkcfg();
	mp = media_plane_alloc(test_ctx, cfg, &ops, NULL);
	nev = 0;
	ck_assert_int_eq(media_plane_start(mp), 0);
	memset(pkts, 0xd5, sizeof(pkts));
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (it = 0; it < 100; it++) {
		size_t total = 10 * len;
		if (it == 90)
			media_plane_stats(mp, &st);
		for (k = 0; k < 10; k++) {
			struct cesopsn_pkt cw = { .seq = seq++ };
			cesopsn_write_cw(pkts + k * len, &cw);
		}
		if (it == 50)
			total += 4;	/* a control word alone after the ten packets */
		send_to(gw, SPAN_PORT, pkts, total);
		while (recv(gw, pkts, 0, MSG_DONTWAIT) >= 0)
			;
		run_events();
		sleep_until(&next, 10000000L);
	}
	/* 90 datagrams by then: counted as the peer's packets (900, less what a loaded machine delays) */
	ck_assert_uint_ge(st.span_rx, 800);
	ck_assert_uint_eq(st.span_malformed, 1);
	media_plane_stop(mp);
	talloc_free(mp);
	talloc_free(cfg);
	close(gw);
}
END_TEST

START_TEST(span_loss_reorder)
{
	struct media_cfg *cfg;
	struct media_plane *mp;
	int gw = udp_sock(GW_PORT);
	struct media_plane_stats st;
	struct timespec next;
	uint8_t pkt[4 + MAX_FRAMES * NTS], held[4 + MAX_FRAMES * NTS];
	unsigned int it, k, sent = 0;
	size_t len;

	FRAMES = 40;
	cfg = mkcfg();
	mp = media_plane_alloc(test_ctx, cfg, &ops, NULL);
	nev = 0;
	ck_assert_int_eq(media_plane_start(mp), 0);
	len = 4 + FRAMES * NTS;
	memset(pkt, 0xd5, sizeof(pkt));
	clock_gettime(CLOCK_MONOTONIC, &next);
	/* 1.2 s of 5 ms packets: seq 40 lost, 60 and 61 swapped, 80 sent twice, one malformed datagram; the
	 * counters are read at 1.1 s while the stream still flows (once it stops, every packet time counts
	 * as lost) */
	for (it = 0; it < 120; it++) {
		if (it == 110)
			media_plane_stats(mp, &st);
		for (k = 0; k < 2; k++, sent++) {
			struct cesopsn_pkt cw = { .seq = sent };
			cesopsn_write_cw(pkt, &cw);
			if (sent == 40)
				continue;
			if (sent == 60) {
				memcpy(held, pkt, len);
				continue;
			}
			send_to(gw, SPAN_PORT, pkt, len);
			if (sent == 61)
				send_to(gw, SPAN_PORT, held, len);
			if (sent == 80)
				send_to(gw, SPAN_PORT, pkt, len);
			if (sent == 90)
				send_to(gw, SPAN_PORT, pkt, len - 3);
		}
		while (recv(gw, held + 0, 0, MSG_DONTWAIT) >= 0)
			;	/* what the span sends back is not looked at here */
		run_events();
		sleep_until(&next, 10000000L);
	}
	ck_assert_uint_ge(st.span_rx, 200);	/* by then ≥ 219 sent + 1 duplicate; the malformed one is not counted */
	ck_assert_uint_eq(st.span_dup, 1);
	ck_assert_uint_eq(st.span_malformed, 1);
	/* one packet never came; if this loaded machine held the sender up beyond the buffer, packets that
	 * missed their slot count as lost and then late */
	ck_assert_uint_eq(st.span_lost - st.span_late, 1);
	if (!st.span_late)
		ck_assert_uint_eq(st.span_reordered, 1);
	ck_assert_uint_ge(st.span_tx, 195);
	media_plane_stop(mp);
	talloc_free(mp);
	talloc_free(cfg);
	close(gw);
}
END_TEST

static void setup_plain(void)
{
	test_setup_real_time();
	plain_sockets = true;
}

static Suite *thread_suite(void)
{
	Suite *s = suite_create("media threads");
	unsigned int k;

	/* io_uring where the kernel has it, then plain socket calls: the same behaviour both ways */
	for (k = 0; k < 2; k++) {
		TCase *tc = tcase_create(k ? "threads, plain sockets" : "threads");
		tcase_set_timeout(tc, 120);
		tcase_add_checked_fixture(tc, k ? setup_plain : test_setup_real_time, test_teardown);
		tcase_add_loop_test(tc, full_channel_over_udp, 0, ARRAY_SIZE(frames_tab));
		tcase_add_test(tc, cot_through_thread);
		tcase_add_test(tc, symmetric_rtp);
		tcase_add_test(tc, span_loss_reorder);
		tcase_add_test(tc, span_rx_coalesced);
		tcase_add_test(tc, create_destroy_1000);
		tcase_add_test(tc, pooled_sockets_drained);
		tcase_add_test(tc, pooled_sockets_drained_batch);
		tcase_add_test(tc, rtcp_bye_on_destroy);
		tcase_add_test(tc, tdm_only_channel);
		suite_add_tcase(s, tc);
	}
	return s;
}

int main(void)
{
	port_base = test_udp_port_block(RTP_PORTS + 8);
	return test_run_suite(thread_suite());
}
