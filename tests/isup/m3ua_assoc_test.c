/* M3UA associations over real TCP sockets on 127.0.0.1, driven by the osmo select loop with fake time:
 * ASP <-> SG bring-up, DATA both ways, BEAT, SG restart with reconnect back-off, SSNM, framing,
 * unexpected and unsupported messages, SCTP without kernel support. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <osmocom/core/bit32gen.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/select.h>
#include <osmocom/core/utils.h>

#include "isup/isup_timers.h"
#include "isup/m3ua.h"
#include "testlib.h"

/* ------------------------------------------------------------------ what the upper layer saw */

struct seen {
	int state_changes;
	bool active;
	int data;
	struct m3ua_data_hdr hdr;
	uint8_t payload[64];
	size_t payload_len;
	int ntfy;
	uint16_t ntfy_info;
	int errors;
	uint32_t last_err;
	int dest_changes;
	uint32_t dest_pc;
	bool dest_avail;
};

static void cb_state(struct m3ua_assoc *a, bool active, void *priv)
{
	struct seen *s = priv;

	s->state_changes++;
	s->active = active;
}

static void cb_data(struct m3ua_assoc *a, const struct m3ua_data_hdr *hdr, const uint8_t *data, size_t len,
		    void *priv)
{
	struct seen *s = priv;

	s->data++;
	s->hdr = *hdr;
	s->payload_len = OSMO_MIN(len, sizeof(s->payload));
	memcpy(s->payload, data, s->payload_len);
}

static void cb_dest(struct m3ua_assoc *a, uint32_t pc, bool available, void *priv)
{
	struct seen *s = priv;

	s->dest_changes++;
	s->dest_pc = pc;
	s->dest_avail = available;
}

static void cb_notify(struct m3ua_assoc *a, uint16_t type, uint16_t info, void *priv)
{
	struct seen *s = priv;

	s->ntfy++;
	s->ntfy_info = info;
}

static void cb_error(struct m3ua_assoc *a, uint32_t code, void *priv)
{
	struct seen *s = priv;

	s->errors++;
	s->last_err = code;
}

static const struct m3ua_assoc_ops ops = {
	.state_changed = cb_state,
	.data_ind = cb_data,
	.dest_state = cb_dest,
	.notify = cb_notify,
	.error = cb_error,
};

/* ------------------------------------------------------------------ loop driving */

static double real_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);	/* the real clock: osmo's is faked */
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Fake time (the harness moves osmo_gettimeofday(), which libosmocore 1.7.0 timers run on). */
static void fake_advance(unsigned int ms)
{
	test_time_advance(ms / 1000, (ms % 1000) * 1000);
}

typedef bool (*cond_fn)(void *arg);

/* Poll the sockets and advance fake time by step_ms per round until cond holds, for at most
 * fake_max_ms of fake time and 10 s of real time. */
static bool run_until(cond_fn cond, void *arg, unsigned int step_ms, unsigned int fake_max_ms)
{
	double deadline = real_now() + 10;
	unsigned int fake = 0;

	while (real_now() < deadline) {
		int i;

		/* drain the sockets first, so that fake time does not run ahead of the kernel */
		for (i = 0; i < 20; i++)
			osmo_select_main(1);
		if (cond(arg))
			return true;
		if (fake >= fake_max_ms)
			break;
		fake_advance(step_ms);
		fake += step_ms;
	}
	if (getenv("M3UA_TEST_DEBUG"))
		fputs(test_log(), stderr);
	return false;
}

/* Run the loop until it has been idle for a few rounds in a row (loopback delivers synchronously,
 * so idle means everything sent so far has been handled), and at least `rounds` rounds. */
static void spin(unsigned int rounds)
{
	unsigned int idle = 0, n = 0;
	double deadline = real_now() + 2;

	while ((n < rounds || idle < 10) && real_now() < deadline) {
		idle = osmo_select_main(1) > 0 ? 0 : idle + 1;
		n++;
	}
}

static bool is_active(void *arg)
{
	return m3ua_assoc_is_active(arg);
}

static bool is_not_active(void *arg)
{
	return !m3ua_assoc_is_active(arg);
}

struct two {
	struct m3ua_assoc *a, *b;
};

static bool both_active(void *arg)
{
	struct two *t = arg;

	return m3ua_assoc_is_active(t->a) && m3ua_assoc_is_active(t->b);
}

static bool got_ntfy(void *arg)
{
	return ((struct seen *)arg)->ntfy > 0;
}

static bool got_data(void *arg)
{
	return ((struct seen *)arg)->data > 0;
}

struct ctr_cond {
	struct m3ua_assoc *a;
	enum m3ua_ctr ctr;
	uint64_t min;
};

static bool ctr_reached(void *arg)
{
	struct ctr_cond *c = arg;

	return m3ua_assoc_ctr(c->a, c->ctr) >= c->min;
}

/* ------------------------------------------------------------------ configurations */

static struct m3ua_assoc_cfg make_cfg(enum m3ua_role role, uint16_t port)
{
	struct m3ua_assoc_cfg cfg = {
		.name = role == M3UA_ROLE_SG ? "sg" : "asp",
		.transport = M3UA_TRANSPORT_TCP,
		.role = role,
		.local_pc = role == M3UA_ROLE_SG ? 2 : 1,
		.adjacent_pc = role == M3UA_ROLE_SG ? 1 : 2,
		.network_indicator = 2,
		.routing_context_present = true,
		.routing_context = 100,
		.traffic_mode = M3UA_TMODE_OVERRIDE,
	};

	if (role == M3UA_ROLE_SG) {
		cfg.local = (struct osmo_sockaddr_str){ .af = AF_INET, .ip = "127.0.0.1", .port = port };
	} else {
		cfg.remote = (struct osmo_sockaddr_str){ .af = AF_INET, .ip = "127.0.0.1", .port = port };
	}
	return cfg;
}

static struct m3ua_assoc *start_sg(uint16_t port, struct seen *s)
{
	struct m3ua_assoc_cfg cfg = make_cfg(M3UA_ROLE_SG, port);
	struct m3ua_assoc *sg = m3ua_assoc_alloc(test_ctx, &cfg, &ops, s);

	ck_assert_ptr_nonnull(sg);
	ck_assert_int_eq(m3ua_assoc_start(sg), 0);
	ck_assert_int_gt(m3ua_assoc_local_port(sg), 0);
	return sg;
}

static struct m3ua_assoc *start_asp(uint16_t port, struct seen *s)
{
	struct m3ua_assoc_cfg cfg = make_cfg(M3UA_ROLE_ASP, port);
	struct m3ua_assoc *asp = m3ua_assoc_alloc(test_ctx, &cfg, &ops, s);

	ck_assert_ptr_nonnull(asp);
	ck_assert_int_eq(m3ua_assoc_start(asp), 0);
	return asp;
}

static struct msgb *payload(const char *s)
{
	struct msgb *msg = msgb_alloc(64, "test");

	memcpy(msgb_put(msg, strlen(s)), s, strlen(s));
	return msg;
}

/* ------------------------------------------------------------------ raw peers */

static int raw_listen(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static void raw_nodelay(int fd)
{
	int one = 1;

	ck_assert_int_eq(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), 0);
}

static int raw_accept(int lfd)
{
	double deadline = real_now() + 5;
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) < 0) {
		ck_assert_msg(real_now() < deadline, "nobody connected");
		osmo_select_main(1);
		fake_advance(10);
	}
	raw_nodelay(fd);
	return fd;
}

static int raw_connect(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	raw_nodelay(fd);
	return fd;
}

static void raw_send(int fd, const uint8_t *buf, size_t len)
{
	ck_assert_int_eq(send(fd, buf, len, MSG_NOSIGNAL), len);
}

/* Read one whole M3UA message from a raw socket, running the loop meanwhile. Returns its length. */
static size_t raw_recv_msg(int fd, uint8_t *buf, size_t cap)
{
	double deadline = real_now() + 5;
	size_t have = 0, want = M3UA_HDR_LEN;

	while (have < want) {
		ssize_t rc = recv(fd, buf + have, want - have, 0);

		if (rc > 0) {
			have += rc;
			if (have == M3UA_HDR_LEN) {
				want = osmo_load32be(buf + 4);
				ck_assert_uint_le(want, cap);
			}
			continue;
		}
		ck_assert_msg(rc < 0 && errno == EAGAIN, "raw peer: connection closed");
		ck_assert_msg(real_now() < deadline, "raw peer: nothing received");
		osmo_select_main(1);
	}
	return have;
}

static bool raw_closed_by_peer(int fd)
{
	double deadline = real_now() + 5;
	uint8_t b;

	while (real_now() < deadline) {
		ssize_t rc = recv(fd, &b, 1, 0);

		if (rc == 0)
			return true;
		if (rc < 0 && errno != EAGAIN)
			return true;
		osmo_select_main(1);
	}
	return false;
}

static void expect_msg(int fd, uint8_t cls, uint8_t type, struct m3ua_msg *m, uint8_t *buf, size_t cap)
{
	size_t len = raw_recv_msg(fd, buf, cap);

	ck_assert_int_eq(m3ua_decode(m, buf, len, NULL), 0);
	ck_assert_msg(m->msg_class == cls && m->msg_type == type, "expected %s, got %s",
		      m3ua_msg_type_name(cls, type), m3ua_msg_type_name(m->msg_class, m->msg_type));
}

static size_t encode(uint8_t *buf, size_t cap, const struct m3ua_msg *m)
{
	struct msgb *msg = m3ua_encode_msgb(m, "test");
	size_t len;

	ck_assert_ptr_nonnull(msg);
	len = msgb_length(msg);
	ck_assert_uint_le(len, cap);
	memcpy(buf, msgb_data(msg), len);
	msgb_free(msg);
	return len;
}

static size_t encode_simple(uint8_t *buf, size_t cap, uint8_t cls, uint8_t type)
{
	struct m3ua_msg m;

	m3ua_msg_init(&m, cls, type);
	return encode(buf, cap, &m);
}

static size_t encode_data(uint8_t *buf, size_t cap, const char *text)
{
	struct m3ua_msg m;

	m3ua_msg_init(&m, M3UA_CLS_XFER, M3UA_XFER_DATA);
	m.presence = M3UA_PBIT(M3UA_P_PROTOCOL_DATA);
	m.data_hdr = (struct m3ua_data_hdr){ .opc = 2, .dpc = 1, .si = M3UA_SI_ISUP, .ni = 2, .sls = 3 };
	m.data = (struct m3ua_slice){ .data = (const uint8_t *)text, .len = strlen(text) };
	return encode(buf, cap, &m);
}

/* ------------------------------------------------------------------ tests */

START_TEST(test_asp_sg_full)
{
	struct seen ss = { 0 }, as = { 0 };
	struct m3ua_assoc *sg = start_sg(0, &ss);
	uint16_t port = m3ua_assoc_local_port(sg);
	struct m3ua_assoc *asp = start_asp(port, &as);
	struct two both = { sg, asp };
	struct m3ua_data_hdr hdr = { .opc = 1, .dpc = 2, .si = M3UA_SI_ISUP, .ni = 2, .mp = 0, .sls = 5 };
	struct ctr_cond beat = { asp, M3UA_CTR_RX_BEAT_ACK, 1 };
	struct ctr_cond refused = { asp, M3UA_CTR_CONNECT_FAILS, 3 };

	/* bring-up: ASPUP, ASPUP_ACK, ASPAC (override, RC 100), ASPAC_ACK, NTFY AS-ACTIVE */
	ck_assert(run_until(both_active, &both, 10, 5000));
	ck_assert_int_eq(m3ua_assoc_state(asp), M3UA_ASP_ST_ACTIVE);
	ck_assert_int_eq(as.state_changes, 1);
	ck_assert(as.active);
	ck_assert_int_eq(ss.state_changes, 1);
	ck_assert(ss.active);
	ck_assert(run_until(got_ntfy, &as, 10, 100));
	ck_assert_int_eq(as.ntfy, 1);
	ck_assert_int_eq(as.ntfy_info, M3UA_AS_STATE_ACTIVE);
	ck_assert_int_eq(m3ua_assoc_num_conns(sg), 1);
	ck_assert(test_log_contains("WAIT_UP_ACK"));

	/* DATA ASP -> SG */
	ck_assert_int_eq(m3ua_assoc_send_data(asp, &hdr, payload("IAM-bytes")), 0);
	ck_assert(run_until(got_data, &ss, 10, 1000));
	ck_assert_uint_eq(ss.hdr.opc, 1);
	ck_assert_uint_eq(ss.hdr.dpc, 2);
	ck_assert_uint_eq(ss.hdr.si, M3UA_SI_ISUP);
	ck_assert_uint_eq(ss.hdr.ni, 2);
	ck_assert_uint_eq(ss.hdr.sls, 5);
	ck_assert_uint_eq(ss.payload_len, 9);
	ck_assert(memcmp(ss.payload, "IAM-bytes", 9) == 0);

	/* DATA SG -> ASP */
	hdr = (struct m3ua_data_hdr){ .opc = 2, .dpc = 1, .si = M3UA_SI_ISUP, .ni = 2, .sls = 9 };
	ck_assert_int_eq(m3ua_assoc_send_data(sg, &hdr, payload("ACM")), 0);
	ck_assert(run_until(got_data, &as, 10, 1000));
	ck_assert_uint_eq(as.hdr.opc, 2);
	ck_assert_uint_eq(as.hdr.sls, 9);
	ck_assert_uint_eq(as.payload_len, 3);
	ck_assert(memcmp(as.payload, "ACM", 3) == 0);
	ck_assert_uint_eq(m3ua_assoc_ctr(asp, M3UA_CTR_TX_DATA), 1);
	ck_assert_uint_eq(m3ua_assoc_ctr(asp, M3UA_CTR_RX_DATA), 1);

	/* BEAT after T_BEAT (30 s default), answered by the SG */
	ck_assert(run_until(ctr_reached, &beat, 500, 40000));
	ck_assert_uint_ge(m3ua_assoc_ctr(asp, M3UA_CTR_TX_BEAT), 1);
	ck_assert_uint_eq(m3ua_assoc_ctr(asp, M3UA_CTR_BEAT_TIMEOUTS), 0);
	ck_assert(m3ua_assoc_is_active(asp));

	/* SG goes away: the ASP notices, reports inactive and keeps trying with growing delays */
	m3ua_assoc_free(sg);
	ck_assert(run_until(is_not_active, asp, 10, 1000));
	ck_assert_int_eq(as.state_changes, 2);
	ck_assert(!as.active);
	ck_assert_int_eq(m3ua_assoc_send_data(asp, &hdr, payload("REL")), -ENOTCONN);
	ck_assert(run_until(ctr_reached, &refused, 50, 10000));
	ck_assert(test_log_contains("reconnecting in 500 ms"));
	ck_assert(test_log_contains("reconnecting in 1000 ms"));
	ck_assert(test_log_contains("reconnecting in 2000 ms"));
	ck_assert_uint_ge(m3ua_assoc_ctr(asp, M3UA_CTR_RECONNECTS), 2);

	/* the SG comes back on the same port: the ASP reconnects and becomes active again */
	memset(&ss, 0, sizeof(ss));
	sg = start_sg(port, &ss);
	both.a = sg;
	ck_assert(run_until(both_active, &both, 50, 20000));
	ck_assert_int_eq(as.state_changes, 3);
	ck_assert(as.active);

	/* and data flows again */
	ss.data = 0;
	hdr = (struct m3ua_data_hdr){ .opc = 1, .dpc = 2, .si = M3UA_SI_ISUP, .ni = 2, .sls = 1 };
	ck_assert_int_eq(m3ua_assoc_send_data(asp, &hdr, payload("IAM2")), 0);
	ck_assert(run_until(got_data, &ss, 10, 1000));
	ck_assert(memcmp(ss.payload, "IAM2", 4) == 0);

	m3ua_assoc_free(asp);
	m3ua_assoc_free(sg);
}
END_TEST

START_TEST(test_sg_rejects_data_before_active)
{
	struct seen ss = { 0 };
	struct m3ua_assoc *sg = start_sg(0, &ss);
	uint8_t buf[512];
	struct m3ua_msg m;
	size_t len;
	int fd = raw_connect(m3ua_assoc_local_port(sg));

	/* DATA in ASP-DOWN */
	len = encode_data(buf, sizeof(buf), "x");
	raw_send(fd, buf, len);
	expect_msg(fd, M3UA_CLS_MGMT, M3UA_MGMT_ERR, &m, buf, sizeof(buf));
	ck_assert_uint_eq(m.error_code, M3UA_ERR_UNEXPECTED_MSG);

	/* ASPUP -> ASPUP_ACK, then DATA in ASP-INACTIVE is still unexpected */
	len = encode_simple(buf, sizeof(buf), M3UA_CLS_ASPSM, M3UA_ASPSM_UP);
	raw_send(fd, buf, len);
	expect_msg(fd, M3UA_CLS_ASPSM, M3UA_ASPSM_UP_ACK, &m, buf, sizeof(buf));
	len = encode_data(buf, sizeof(buf), "x");
	raw_send(fd, buf, len);
	expect_msg(fd, M3UA_CLS_MGMT, M3UA_MGMT_ERR, &m, buf, sizeof(buf));
	ck_assert_uint_eq(m.error_code, M3UA_ERR_UNEXPECTED_MSG);
	ck_assert_int_eq(ss.data, 0);

	/* RKM is known but not supported: ERR "unsupported message class" */
	len = encode_simple(buf, sizeof(buf), M3UA_CLS_ASPSM, M3UA_ASPSM_UP);
	buf[2] = M3UA_CLS_RKM;
	raw_send(fd, buf, len);
	expect_msg(fd, M3UA_CLS_MGMT, M3UA_MGMT_ERR, &m, buf, sizeof(buf));
	ck_assert_uint_eq(m.error_code, M3UA_ERR_UNSUPP_MSG_CLASS);

	/* bad version: ERR "invalid version", the connection stays */
	len = encode_simple(buf, sizeof(buf), M3UA_CLS_ASPSM, M3UA_ASPSM_BEAT);
	buf[0] = 2;
	raw_send(fd, buf, len);
	expect_msg(fd, M3UA_CLS_MGMT, M3UA_MGMT_ERR, &m, buf, sizeof(buf));
	ck_assert_uint_eq(m.error_code, M3UA_ERR_INVALID_VERSION);

	/* ASPAC with RC 100 -> ASPAC_ACK + NTFY AS-ACTIVE; then BEAT -> BEAT_ACK with the same data */
	{
		static const uint8_t rc[] = { 0, 0, 0, 100 };
		static const uint8_t hb[] = { 9, 8, 7 };

		m3ua_msg_init(&m, M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE);
		m.presence = M3UA_PBIT(M3UA_P_ROUTING_CTX) | M3UA_PBIT(M3UA_P_TRAFFIC_MODE);
		m.routing_ctx = (struct m3ua_slice){ .data = rc, .len = 4 };
		m.traffic_mode = M3UA_TMODE_OVERRIDE;
		len = encode(buf, sizeof(buf), &m);
		raw_send(fd, buf, len);
		expect_msg(fd, M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE_ACK, &m, buf, sizeof(buf));
		ck_assert_uint_eq(m3ua_msg_rc(&m, 0), 100);
		expect_msg(fd, M3UA_CLS_MGMT, M3UA_MGMT_NTFY, &m, buf, sizeof(buf));
		ck_assert_uint_eq(m.status_type, M3UA_STATUS_AS_STATE_CHANGE);
		ck_assert_uint_eq(m.status_info, M3UA_AS_STATE_ACTIVE);
		ck_assert(m3ua_assoc_is_active(sg));

		m3ua_msg_init(&m, M3UA_CLS_ASPSM, M3UA_ASPSM_BEAT);
		m.presence = M3UA_PBIT(M3UA_P_HEARTBEAT_DATA);
		m.heartbeat_data = (struct m3ua_slice){ .data = hb, .len = 3 };
		len = encode(buf, sizeof(buf), &m);
		raw_send(fd, buf, len);
		expect_msg(fd, M3UA_CLS_ASPSM, M3UA_ASPSM_BEAT_ACK, &m, buf, sizeof(buf));
		ck_assert_uint_eq(m.heartbeat_data.len, 3);
		ck_assert(memcmp(m.heartbeat_data.data, hb, 3) == 0);
	}

	/* DATA is accepted now */
	len = encode_data(buf, sizeof(buf), "IAM");
	raw_send(fd, buf, len);
	ck_assert(run_until(got_data, &ss, 10, 1000));

	/* ASPIA -> ASPIA_ACK, inactive again; ASPDN -> ASPDN_ACK */
	len = encode_simple(buf, sizeof(buf), M3UA_CLS_ASPTM, M3UA_ASPTM_INACTIVE);
	raw_send(fd, buf, len);
	expect_msg(fd, M3UA_CLS_ASPTM, M3UA_ASPTM_INACTIVE_ACK, &m, buf, sizeof(buf));
	expect_msg(fd, M3UA_CLS_MGMT, M3UA_MGMT_NTFY, &m, buf, sizeof(buf));
	ck_assert_uint_eq(m.status_info, M3UA_AS_STATE_INACTIVE);
	ck_assert(!m3ua_assoc_is_active(sg));
	ck_assert_int_eq(ss.state_changes, 2);
	len = encode_simple(buf, sizeof(buf), M3UA_CLS_ASPSM, M3UA_ASPSM_DOWN);
	raw_send(fd, buf, len);
	expect_msg(fd, M3UA_CLS_ASPSM, M3UA_ASPSM_DOWN_ACK, &m, buf, sizeof(buf));
	ck_assert_int_eq(m3ua_assoc_state(sg), M3UA_ASP_ST_ASP_DOWN);

	ck_assert_uint_eq(m3ua_assoc_ctr(sg, M3UA_CTR_RX_UNEXPECTED), 2);
	ck_assert_uint_eq(m3ua_assoc_ctr(sg, M3UA_CTR_RX_UNSUPPORTED), 1);
	ck_assert_uint_eq(m3ua_assoc_ctr(sg, M3UA_CTR_RX_ERRORS), 1);
	ck_assert_uint_eq(m3ua_assoc_ctr(sg, M3UA_CTR_TX_ERR_MSGS), 4);

	/* the peer closes: the SG forgets the connection */
	close(fd);
	spin(50);
	ck_assert_int_eq(m3ua_assoc_num_conns(sg), 0);
	m3ua_assoc_free(sg);
}
END_TEST

/* The test plays the SG with raw sockets to control how bytes arrive. */
START_TEST(test_asp_framing_and_beat_loss)
{
	struct seen as = { 0 };
	uint16_t port;
	int lfd = raw_listen(&port), fd;
	struct m3ua_assoc *asp = start_asp(port, &as);
	uint8_t buf[512], two[512];
	struct m3ua_msg m;
	size_t len, len2, i;
	struct ctr_cond beat_sent = { asp, M3UA_CTR_TX_BEAT, 1 };
	struct ctr_cond beat_lost = { asp, M3UA_CTR_BEAT_TIMEOUTS, 1 };

	fd = raw_accept(lfd);
	expect_msg(fd, M3UA_CLS_ASPSM, M3UA_ASPSM_UP, &m, buf, sizeof(buf));

	/* two messages in one write: ASPUP_ACK and a NTFY AS-INACTIVE */
	len = encode_simple(two, sizeof(two), M3UA_CLS_ASPSM, M3UA_ASPSM_UP_ACK);
	m3ua_msg_init(&m, M3UA_CLS_MGMT, M3UA_MGMT_NTFY);
	m.presence = M3UA_PBIT(M3UA_P_STATUS);
	m.status_type = M3UA_STATUS_AS_STATE_CHANGE;
	m.status_info = M3UA_AS_STATE_INACTIVE;
	len += encode(two + len, sizeof(two) - len, &m);
	raw_send(fd, two, len);
	expect_msg(fd, M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE, &m, buf, sizeof(buf));
	ck_assert_uint_eq(m.traffic_mode, M3UA_TMODE_OVERRIDE);
	ck_assert_uint_eq(m3ua_msg_rc_count(&m), 1);
	ck_assert_uint_eq(m3ua_msg_rc(&m, 0), 100);
	spin(5);
	ck_assert_int_eq(as.ntfy, 1);
	ck_assert_int_eq(as.ntfy_info, M3UA_AS_STATE_INACTIVE);
	ck_assert_int_eq(m3ua_assoc_state(asp), M3UA_ASP_ST_WAIT_AC_ACK);

	/* one message byte by byte: ASPAC_ACK */
	len = encode_simple(buf, sizeof(buf), M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE_ACK);
	for (i = 0; i < len; i++) {
		ck_assert(!m3ua_assoc_is_active(asp));
		raw_send(fd, buf + i, 1);
		spin(5);
	}
	ck_assert(run_until(is_active, asp, 1, 100));
	ck_assert_int_eq(as.state_changes, 1);

	/* two DATA in one write, the second split across two writes */
	len = encode_data(two, sizeof(two), "first");
	len2 = encode_data(two + len, sizeof(two) - len, "second");
	raw_send(fd, two, len + 3);
	spin(10);
	ck_assert_int_eq(as.data, 1);
	ck_assert(memcmp(as.payload, "first", 5) == 0);
	raw_send(fd, two + len + 3, len2 - 3);
	spin(10);
	ck_assert_int_eq(as.data, 2);
	ck_assert(memcmp(as.payload, "second", 6) == 0);

	/* BEAT left unanswered for two intervals: the ASP drops the connection */
	ck_assert(run_until(ctr_reached, &beat_sent, 500, 31000));
	expect_msg(fd, M3UA_CLS_ASPSM, M3UA_ASPSM_BEAT, &m, buf, sizeof(buf));
	ck_assert(m3ua_assoc_is_active(asp));
	ck_assert(run_until(ctr_reached, &beat_lost, 500, 61000));
	ck_assert(!m3ua_assoc_is_active(asp));
	ck_assert_int_eq(as.state_changes, 2);
	ck_assert(raw_closed_by_peer(fd));
	close(fd);

	/* it reconnects; a frame with length 4 makes it close again, counted and logged */
	fd = raw_accept(lfd);
	expect_msg(fd, M3UA_CLS_ASPSM, M3UA_ASPSM_UP, &m, buf, sizeof(buf));
	{
		static const uint8_t bad[] = { 0x01, 0x00, 0x03, 0x04, 0x00, 0x00, 0x00, 0x04 };

		raw_send(fd, bad, sizeof(bad));
	}
	ck_assert(raw_closed_by_peer(fd));
	ck_assert_uint_eq(m3ua_assoc_ctr(asp, M3UA_CTR_RX_BAD_FRAMES), 1);
	ck_assert(test_log_contains("invalid M3UA length 4"));
	close(fd);

	/* and again: a length above 65535 */
	fd = raw_accept(lfd);
	expect_msg(fd, M3UA_CLS_ASPSM, M3UA_ASPSM_UP, &m, buf, sizeof(buf));
	{
		static const uint8_t bad[] = { 0x01, 0x00, 0x03, 0x04, 0x00, 0x01, 0x00, 0x00 };

		raw_send(fd, bad, sizeof(bad));
	}
	ck_assert(raw_closed_by_peer(fd));
	ck_assert_uint_eq(m3ua_assoc_ctr(asp, M3UA_CTR_RX_BAD_FRAMES), 2);
	close(fd);

	/* no answer to ASPUP: retransmitted on T(ack) */
	fd = raw_accept(lfd);
	expect_msg(fd, M3UA_CLS_ASPSM, M3UA_ASPSM_UP, &m, buf, sizeof(buf));
	fake_advance(2100);
	expect_msg(fd, M3UA_CLS_ASPSM, M3UA_ASPSM_UP, &m, buf, sizeof(buf));
	ck_assert_uint_ge(m3ua_assoc_ctr(asp, M3UA_CTR_ACK_TIMEOUTS), 1);
	close(fd);

	m3ua_assoc_free(asp);
	close(lfd);
}
END_TEST

/* Over TCP the write queue sends everything queued in one sendmsg(): a burst far larger than the socket
 * buffers (the peer reads slowly, with a small receive buffer) leaves in batches with partial writes, and
 * the peer still gets every message whole and in order. */
START_TEST(test_asp_batched_writes)
{
	enum { N = 900, PAYLOAD = 1000 };
	struct seen as = { 0 };
	struct m3ua_data_hdr hdr = { .opc = 1, .dpc = 2, .si = M3UA_SI_ISUP, .ni = 2, .sls = 3 };
	uint16_t port;
	int lfd = raw_listen(&port), fd, small = 4096;
	struct m3ua_assoc *asp;
	uint8_t *buf = talloc_size(test_ctx, 2 * PAYLOAD);
	struct m3ua_msg m;
	size_t len;
	unsigned int i, k;

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
	asp = start_asp(port, &as);
	fd = raw_accept(lfd);
	expect_msg(fd, M3UA_CLS_ASPSM, M3UA_ASPSM_UP, &m, buf, 2 * PAYLOAD);
	len = encode_simple(buf, 2 * PAYLOAD, M3UA_CLS_ASPSM, M3UA_ASPSM_UP_ACK);
	raw_send(fd, buf, len);
	expect_msg(fd, M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE, &m, buf, 2 * PAYLOAD);
	len = encode_simple(buf, 2 * PAYLOAD, M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE_ACK);
	raw_send(fd, buf, len);
	ck_assert(run_until(is_active, asp, 1, 100));
	/* the ASP's end of the connection (same process: the socket whose address is our peer's) gets a small
	 * send buffer too, so that its sendmsg() calls are cut anywhere in the batch */
	{
		struct sockaddr_in peer, a;
		socklen_t pl = sizeof(peer), al;
		int f, found = -1;

		ck_assert_int_eq(getpeername(fd, (struct sockaddr *)&peer, &pl), 0);
		for (f = 3; f < 1024 && found < 0; f++) {
			al = sizeof(a);
			if (f != fd && getsockname(f, (struct sockaddr *)&a, &al) == 0 && al == pl &&
			    a.sin_family == AF_INET && a.sin_port == peer.sin_port &&
			    a.sin_addr.s_addr == peer.sin_addr.s_addr)
				found = f;
		}
		ck_assert_int_ge(found, 0);
		ck_assert_int_eq(setsockopt(found, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
	}

	for (i = 0; i < N; i++) {
		struct msgb *p = msgb_alloc(PAYLOAD, "test");
		uint8_t *d = msgb_put(p, PAYLOAD);

		osmo_store32be(i, d);
		memset(d + 4, i & 0xff, PAYLOAD - 4);
		ck_assert_int_eq(m3ua_assoc_send_data(asp, &hdr, p), 0);
	}
	for (i = 0; i < N; i++) {
		expect_msg(fd, M3UA_CLS_XFER, M3UA_XFER_DATA, &m, buf, 2 * PAYLOAD);
		ck_assert_uint_eq(m.data.len, PAYLOAD);
		ck_assert_uint_eq(osmo_load32be(m.data.data), i);
		for (k = 4; k < PAYLOAD; k++)
			ck_assert_uint_eq(m.data.data[k], i & 0xff);
	}
	ck_assert_uint_eq(m3ua_assoc_ctr(asp, M3UA_CTR_TX_DATA), N);
	ck_assert_uint_eq(m3ua_assoc_ctr(asp, M3UA_CTR_TX_ERRORS), 0);
	m3ua_assoc_free(asp);
	close(fd);
	close(lfd);
	talloc_free(buf);
}
END_TEST

/* The SG takes the ASP down and inactive on its own; ASPAC is retransmitted on T(ack). */
START_TEST(test_asp_sg_initiated_changes)
{
	struct seen as = { 0 };
	uint16_t port;
	int lfd = raw_listen(&port), fd;
	struct m3ua_assoc *asp = start_asp(port, &as);
	uint8_t buf[512];
	struct m3ua_msg m;
	size_t len;

	fd = raw_accept(lfd);
	expect_msg(fd, M3UA_CLS_ASPSM, M3UA_ASPSM_UP, &m, buf, sizeof(buf));
	len = encode_simple(buf, sizeof(buf), M3UA_CLS_ASPSM, M3UA_ASPSM_UP_ACK);
	raw_send(fd, buf, len);
	expect_msg(fd, M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE, &m, buf, sizeof(buf));

	/* no ASPAC_ACK: ASPAC again after T(ack) = 2 s */
	fake_advance(1900);
	spin(5);
	ck_assert_uint_eq(m3ua_assoc_ctr(asp, M3UA_CTR_ACK_TIMEOUTS), 0);
	fake_advance(200);
	expect_msg(fd, M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE, &m, buf, sizeof(buf));
	ck_assert_uint_eq(m3ua_assoc_ctr(asp, M3UA_CTR_ACK_TIMEOUTS), 1);
	len = encode_simple(buf, sizeof(buf), M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE_ACK);
	raw_send(fd, buf, len);
	ck_assert(run_until(is_active, asp, 1, 100));

	/* an unsolicited ASPIA_ACK: inactive, and ASPAC again after T(ack) */
	len = encode_simple(buf, sizeof(buf), M3UA_CLS_ASPTM, M3UA_ASPTM_INACTIVE_ACK);
	raw_send(fd, buf, len);
	ck_assert(run_until(is_not_active, asp, 1, 100));
	ck_assert_int_eq(as.state_changes, 2);
	fake_advance(2100);
	expect_msg(fd, M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE, &m, buf, sizeof(buf));
	len = encode_simple(buf, sizeof(buf), M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE_ACK);
	raw_send(fd, buf, len);
	ck_assert(run_until(is_active, asp, 1, 100));

	/* an unsolicited ASPDN_ACK: back to ASPUP */
	len = encode_simple(buf, sizeof(buf), M3UA_CLS_ASPSM, M3UA_ASPSM_DOWN_ACK);
	raw_send(fd, buf, len);
	expect_msg(fd, M3UA_CLS_ASPSM, M3UA_ASPSM_UP, &m, buf, sizeof(buf));
	ck_assert(!m3ua_assoc_is_active(asp));
	ck_assert_int_eq(m3ua_assoc_state(asp), M3UA_ASP_ST_WAIT_UP_ACK);

	/* a duplicate ASPUP_ACK after ASPAC went out is unexpected (ERR), not fatal */
	len = encode_simple(buf, sizeof(buf), M3UA_CLS_ASPSM, M3UA_ASPSM_UP_ACK);
	raw_send(fd, buf, len);
	expect_msg(fd, M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE, &m, buf, sizeof(buf));
	raw_send(fd, buf, encode_simple(buf, sizeof(buf), M3UA_CLS_ASPSM, M3UA_ASPSM_UP_ACK));
	expect_msg(fd, M3UA_CLS_MGMT, M3UA_MGMT_ERR, &m, buf, sizeof(buf));
	ck_assert_uint_eq(m.error_code, M3UA_ERR_UNEXPECTED_MSG);
	ck_assert_int_eq(m3ua_assoc_state(asp), M3UA_ASP_ST_WAIT_AC_ACK);

	close(fd);
	m3ua_assoc_free(asp);
	close(lfd);
}
END_TEST

static bool dest_changed(void *arg)
{
	return ((struct seen *)arg)->dest_changes > 0;
}

START_TEST(test_ssnm)
{
	struct seen ss = { 0 }, as = { 0 };
	struct m3ua_assoc *sg = start_sg(0, &ss);
	struct m3ua_assoc *asp;
	struct two both;
	uint32_t pc = 0x123;

	/* unavailable before the ASP comes: announced when it becomes active */
	ck_assert_int_eq(m3ua_assoc_sg_set_dest(sg, 0x200, false), 0);
	asp = start_asp(m3ua_assoc_local_port(sg), &as);
	both = (struct two){ sg, asp };
	ck_assert(!m3ua_assoc_dest_available(asp, 0x200));	/* not active yet */
	ck_assert(run_until(both_active, &both, 10, 5000));
	ck_assert(run_until(dest_changed, &as, 10, 1000));
	ck_assert_uint_eq(as.dest_pc, 0x200);
	ck_assert(!as.dest_avail);
	ck_assert(!m3ua_assoc_dest_available(asp, 0x200));
	ck_assert(m3ua_assoc_dest_available(asp, 0x201));

	/* DUNA then DAVA for another destination */
	as.dest_changes = 0;
	ck_assert_int_eq(m3ua_assoc_sg_set_dest(sg, pc, false), 0);
	ck_assert(run_until(dest_changed, &as, 10, 1000));
	ck_assert_uint_eq(as.dest_pc, pc);
	ck_assert(!as.dest_avail);
	ck_assert(!m3ua_assoc_dest_available(asp, pc));
	as.dest_changes = 0;
	ck_assert_int_eq(m3ua_assoc_sg_set_dest(sg, pc, true), 0);
	ck_assert(run_until(dest_changed, &as, 10, 1000));
	ck_assert(as.dest_avail);
	ck_assert(m3ua_assoc_dest_available(asp, pc));

	/* DAUD: the SG answers from its table (0x200 still down) */
	as.dest_changes = 0;
	ck_assert_int_eq(m3ua_assoc_sg_set_dest(sg, 0x200, true), 0);
	ck_assert(run_until(dest_changed, &as, 10, 1000));
	ck_assert(m3ua_assoc_dest_available(asp, 0x200));
	ck_assert_int_eq(m3ua_assoc_send_daud(asp, &pc, 1), 0);
	spin(20);
	ck_assert(m3ua_assoc_dest_available(asp, pc));
	ck_assert_uint_ge(m3ua_assoc_ctr(sg, M3UA_CTR_RX_SSNM), 1);

	/* the association itself going down makes everything unavailable */
	m3ua_assoc_free(sg);
	ck_assert(run_until(is_not_active, asp, 10, 1000));
	ck_assert(!m3ua_assoc_dest_available(asp, 0x201));
	m3ua_assoc_free(asp);
}
END_TEST

/* ASP role receiving wildcard DUNA, DUPU, SCON, DRST from a raw SG */
START_TEST(test_ssnm_ranges)
{
	struct seen as = { 0 };
	uint16_t port;
	int lfd = raw_listen(&port), fd;
	struct m3ua_assoc *asp = start_asp(port, &as);
	uint8_t buf[512], apc[8];
	struct m3ua_msg m;
	size_t len;

	fd = raw_accept(lfd);
	expect_msg(fd, M3UA_CLS_ASPSM, M3UA_ASPSM_UP, &m, buf, sizeof(buf));
	len = encode_simple(buf, sizeof(buf), M3UA_CLS_ASPSM, M3UA_ASPSM_UP_ACK);
	raw_send(fd, buf, len);
	expect_msg(fd, M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE, &m, buf, sizeof(buf));
	len = encode_simple(buf, sizeof(buf), M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE_ACK);
	raw_send(fd, buf, len);
	ck_assert(run_until(is_active, asp, 1, 100));

	/* DUNA for 0x400..0x407 (mask 3) */
	m3ua_apc_store(apc, 3, 0x400);
	m3ua_msg_init(&m, M3UA_CLS_SSNM, M3UA_SSNM_DUNA);
	m.presence = M3UA_PBIT(M3UA_P_AFFECTED_PC);
	m.affected_pc = (struct m3ua_slice){ .data = apc, .len = 4 };
	len = encode(buf, sizeof(buf), &m);
	raw_send(fd, buf, len);
	spin(20);
	ck_assert_int_eq(as.dest_changes, 1);
	ck_assert_uint_eq(as.dest_pc, 0x400);
	ck_assert(!m3ua_assoc_dest_available(asp, 0x400));
	ck_assert(!m3ua_assoc_dest_available(asp, 0x407));
	ck_assert(m3ua_assoc_dest_available(asp, 0x408));
	ck_assert(m3ua_assoc_dest_available(asp, 0x3ff));

	/* DAVA for 0x405 alone: a more specific entry wins */
	m3ua_apc_store(apc, 0, 0x405);
	m.msg_type = M3UA_SSNM_DAVA;
	len = encode(buf, sizeof(buf), &m);
	raw_send(fd, buf, len);
	spin(20);
	ck_assert(m3ua_assoc_dest_available(asp, 0x405));
	ck_assert(!m3ua_assoc_dest_available(asp, 0x404));

	/* DAVA for the whole range clears it, including the specific entry */
	m3ua_apc_store(apc, 3, 0x400);
	len = encode(buf, sizeof(buf), &m);
	raw_send(fd, buf, len);
	spin(20);
	ck_assert(m3ua_assoc_dest_available(asp, 0x404));

	/* DUPU for ISUP: user part unavailable = unusable for us */
	m3ua_apc_store(apc, 0, 0x10);
	m.msg_type = M3UA_SSNM_DUPU;
	m.presence |= M3UA_PBIT(M3UA_P_USER_CAUSE);
	m.dupu_user = M3UA_SI_ISUP;
	m.dupu_cause = M3UA_DUPU_CAUSE_UNEQUIPPED;
	len = encode(buf, sizeof(buf), &m);
	raw_send(fd, buf, len);
	spin(20);
	ck_assert(!m3ua_assoc_dest_available(asp, 0x10));

	/* SCON with level 2; DRST leaves it available */
	m3ua_msg_init(&m, M3UA_CLS_SSNM, M3UA_SSNM_SCON);
	m.presence = M3UA_PBIT(M3UA_P_AFFECTED_PC) | M3UA_PBIT(M3UA_P_CONGESTION_IND);
	m3ua_apc_store(apc, 0, 0x20);
	m.affected_pc = (struct m3ua_slice){ .data = apc, .len = 4 };
	m.cong_level = 2;
	len = encode(buf, sizeof(buf), &m);
	raw_send(fd, buf, len);
	spin(20);
	ck_assert_uint_eq(m3ua_assoc_dest_congestion(asp, 0x20), 2);
	ck_assert(m3ua_assoc_dest_available(asp, 0x20));
	m3ua_msg_init(&m, M3UA_CLS_SSNM, M3UA_SSNM_DRST);
	m.presence = M3UA_PBIT(M3UA_P_AFFECTED_PC);
	m.affected_pc = (struct m3ua_slice){ .data = apc, .len = 4 };
	len = encode(buf, sizeof(buf), &m);
	raw_send(fd, buf, len);
	spin(20);
	ck_assert(m3ua_assoc_dest_available(asp, 0x20));

	/* an SG-only request (DAUD) sent to the ASP is unexpected */
	m.msg_type = M3UA_SSNM_DAUD;
	len = encode(buf, sizeof(buf), &m);
	raw_send(fd, buf, len);
	expect_msg(fd, M3UA_CLS_MGMT, M3UA_MGMT_ERR, &m, buf, sizeof(buf));
	ck_assert_uint_eq(m.error_code, M3UA_ERR_UNEXPECTED_MSG);

	/* an ERR from the SG is reported, never answered */
	m3ua_msg_init(&m, M3UA_CLS_MGMT, M3UA_MGMT_ERR);
	m.presence = M3UA_PBIT(M3UA_P_ERROR_CODE);
	m.error_code = M3UA_ERR_INVALID_ROUTING_CTX;
	len = encode(buf, sizeof(buf), &m);
	raw_send(fd, buf, len);
	spin(20);
	ck_assert_int_eq(as.errors, 1);
	ck_assert_uint_eq(as.last_err, M3UA_ERR_INVALID_ROUTING_CTX);
	ck_assert_uint_eq(m3ua_assoc_ctr(asp, M3UA_CTR_TX_ERR_MSGS), 1);

	close(fd);
	m3ua_assoc_free(asp);
	close(lfd);
}
END_TEST

START_TEST(test_sctp_unsupported)
{
	struct seen as = { 0 };
	struct m3ua_assoc_cfg cfg = make_cfg(M3UA_ROLE_ASP, 2905);
	struct ctr_cond fails = { NULL, M3UA_CTR_CONNECT_FAILS, 3 };
	struct m3ua_assoc *asp, *sg;
	int probe = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);

	if (probe >= 0) {
		/* this kernel has SCTP; the failure path cannot be exercised here */
		close(probe);
		return;
	}
	ck_assert_int_eq(errno, EPROTONOSUPPORT);

	cfg.transport = M3UA_TRANSPORT_SCTP;
	asp = m3ua_assoc_alloc(test_ctx, &cfg, &ops, &as);
	ck_assert_int_eq(m3ua_assoc_start(asp), 0);
	fails.a = asp;
	ck_assert(run_until(ctr_reached, &fails, 100, 10000));
	ck_assert(test_log_contains("kernel has no SCTP support"));
	ck_assert_int_eq(m3ua_assoc_state(asp), M3UA_ASP_ST_DOWN);
	m3ua_assoc_free(asp);

	cfg = make_cfg(M3UA_ROLE_SG, 0);
	cfg.transport = M3UA_TRANSPORT_SCTP;
	sg = m3ua_assoc_alloc(test_ctx, &cfg, &ops, &as);
	ck_assert_int_lt(m3ua_assoc_start(sg), 0);
	ck_assert_int_lt(m3ua_assoc_local_port(sg), 0);
	fake_advance(1000);	/* retried on a timer, still failing, no crash */
	m3ua_assoc_free(sg);
}
END_TEST

/* Two ASPs on one SG; with override traffic mode the SG sends to the first active one. */
START_TEST(test_sg_two_asps)
{
	struct seen ss = { 0 }, a1s = { 0 }, a2s = { 0 };
	struct m3ua_assoc *sg = start_sg(0, &ss);
	uint16_t port = m3ua_assoc_local_port(sg);
	struct m3ua_assoc *a1 = start_asp(port, &a1s), *a2 = start_asp(port, &a2s);
	struct two t1 = { sg, a1 }, t2 = { sg, a2 };
	struct m3ua_data_hdr hdr = { .opc = 2, .dpc = 1, .si = M3UA_SI_ISUP, .ni = 2, .sls = 4 };

	ck_assert(run_until(both_active, &t1, 10, 5000));
	ck_assert(run_until(both_active, &t2, 10, 5000));
	ck_assert_int_eq(m3ua_assoc_num_conns(sg), 2);
	ck_assert_int_eq(ss.state_changes, 1);	/* the SG reports the aggregate once */

	ck_assert_int_eq(m3ua_assoc_send_data(sg, &hdr, payload("to-one")), 0);
	spin(20);
	ck_assert_int_eq(a1s.data + a2s.data, 1);

	/* data from either ASP reaches the SG user */
	ck_assert_int_eq(m3ua_assoc_send_data(a1, &hdr, payload("a1")), 0);
	ck_assert_int_eq(m3ua_assoc_send_data(a2, &hdr, payload("a2")), 0);
	spin(20);
	ck_assert_int_eq(ss.data, 2);

	/* one ASP leaves: the SG stays active through the other */
	m3ua_assoc_free(a1);
	spin(20);
	ck_assert_int_eq(m3ua_assoc_num_conns(sg), 1);
	ck_assert(m3ua_assoc_is_active(sg));
	a2s.data = 0;
	ck_assert_int_eq(m3ua_assoc_send_data(sg, &hdr, payload("to-a2")), 0);
	ck_assert(run_until(got_data, &a2s, 10, 1000));

	m3ua_assoc_free(a2);
	ck_assert(run_until(is_not_active, sg, 10, 1000));
	ck_assert_int_eq(ss.state_changes, 2);
	m3ua_assoc_free(sg);
}
END_TEST

/* The user stops the SG from inside data_ind while a second message waits in the same read. */
/* hold-rx: the SG reads nothing for a while; what the ASP sends meanwhile is delivered afterwards, in order */
START_TEST(test_hold_rx)
{
	struct seen ss = { 0 }, as = { 0 };
	struct m3ua_assoc *sg = start_sg(0, &ss);
	struct m3ua_assoc *asp = start_asp(m3ua_assoc_local_port(sg), &as);
	struct two both = { sg, asp };
	struct m3ua_data_hdr hdr = { .opc = 1, .dpc = 2, .si = M3UA_SI_ISUP, .ni = 2, .sls = 3 };

	ck_assert(run_until(both_active, &both, 10, 5000));
	ck_assert_int_eq(m3ua_assoc_hold_rx(sg, 0), -EINVAL);
	ck_assert_int_eq(m3ua_assoc_hold_rx(sg, 1000), 0);
	ck_assert_int_eq(m3ua_assoc_send_data(asp, &hdr, payload("IAM-1")), 0);
	ck_assert_int_eq(m3ua_assoc_send_data(asp, &hdr, payload("IAM-2")), 0);
	ck_assert(!run_until(got_data, &ss, 10, 900));
	ck_assert_int_eq(ss.data, 0);
	ck_assert(run_until(got_data, &ss, 10, 500));
	spin(20);
	ck_assert_int_eq(ss.data, 2);
	ck_assert(memcmp(ss.payload, "IAM-2", 5) == 0);
	ck_assert(m3ua_assoc_is_active(sg));
	ck_assert(test_log_contains("not reading for 1000 ms"));
	ck_assert(test_log_contains("reading again after the hold"));
	m3ua_assoc_free(asp);
	m3ua_assoc_free(sg);
}
END_TEST

static struct m3ua_assoc *stop_me;

static void cb_data_stop(struct m3ua_assoc *a, const struct m3ua_data_hdr *hdr, const uint8_t *data, size_t len,
			 void *priv)
{
	struct seen *s = priv;

	s->data++;
	m3ua_assoc_stop(stop_me);
}

START_TEST(test_stop_from_callback)
{
	static const struct m3ua_assoc_ops stop_ops = { .data_ind = cb_data_stop };
	static const uint8_t rc[] = { 0, 0, 0, 100 };
	struct m3ua_assoc_cfg cfg = make_cfg(M3UA_ROLE_SG, 0);
	struct seen ss = { 0 };
	struct m3ua_assoc *sg = m3ua_assoc_alloc(test_ctx, &cfg, &stop_ops, &ss);
	uint8_t buf[512], two[512];
	struct m3ua_msg m;
	size_t len;
	int fd;

	ck_assert_int_eq(m3ua_assoc_start(sg), 0);
	stop_me = sg;
	fd = raw_connect(m3ua_assoc_local_port(sg));
	len = encode_simple(buf, sizeof(buf), M3UA_CLS_ASPSM, M3UA_ASPSM_UP);
	raw_send(fd, buf, len);
	expect_msg(fd, M3UA_CLS_ASPSM, M3UA_ASPSM_UP_ACK, &m, buf, sizeof(buf));

	/* ASPAC with an unknown traffic mode: ERR, still inactive */
	m3ua_msg_init(&m, M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE);
	m.presence = M3UA_PBIT(M3UA_P_TRAFFIC_MODE);
	m.traffic_mode = 7;
	len = encode(buf, sizeof(buf), &m);
	raw_send(fd, buf, len);
	expect_msg(fd, M3UA_CLS_MGMT, M3UA_MGMT_ERR, &m, buf, sizeof(buf));
	ck_assert_uint_eq(m.error_code, M3UA_ERR_UNSUPP_TRAFFIC_MODE);

	/* ASPAC for a routing context that is not ours: ERR */
	{
		static const uint8_t rc7[] = { 0, 0, 0, 7 };

		m3ua_msg_init(&m, M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE);
		m.presence = M3UA_PBIT(M3UA_P_ROUTING_CTX);
		m.routing_ctx = (struct m3ua_slice){ .data = rc7, .len = 4 };
		len = encode(buf, sizeof(buf), &m);
		raw_send(fd, buf, len);
		expect_msg(fd, M3UA_CLS_MGMT, M3UA_MGMT_ERR, &m, buf, sizeof(buf));
		ck_assert_uint_eq(m.error_code, M3UA_ERR_INVALID_ROUTING_CTX);
		ck_assert(!m3ua_assoc_is_active(sg));
	}

	m3ua_msg_init(&m, M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE);
	m.presence = M3UA_PBIT(M3UA_P_ROUTING_CTX);
	m.routing_ctx = (struct m3ua_slice){ .data = rc, .len = 4 };
	len = encode(buf, sizeof(buf), &m);
	raw_send(fd, buf, len);
	expect_msg(fd, M3UA_CLS_ASPTM, M3UA_ASPTM_ACTIVE_ACK, &m, buf, sizeof(buf));
	ck_assert(m3ua_assoc_is_active(sg));

	len = encode_data(two, sizeof(two), "one");
	len += encode_data(two + len, sizeof(two) - len, "two");
	raw_send(fd, two, len);
	ck_assert(raw_closed_by_peer(fd));
	ck_assert_int_eq(ss.data, 1);	/* the second message died with the connection */
	ck_assert_int_eq(m3ua_assoc_num_conns(sg), 0);
	close(fd);
	m3ua_assoc_free(sg);
}
END_TEST

static void collect(void *arg, const char *line)
{
	char **all = arg;

	*all = talloc_asprintf_append(*all, "%s\n", line);
}

START_TEST(test_counters_and_show)
{
	struct seen s = { 0 };
	struct m3ua_assoc *sg = start_sg(0, &s);
	struct rate_ctr_group *g = m3ua_assoc_ctrs(sg);
	char *all = talloc_strdup(test_ctx, "");
	unsigned int i, j;

	ck_assert_uint_eq(g->desc->num_ctr, _M3UA_CTR_COUNT);
	for (i = 0; i < g->desc->num_ctr; i++) {
		ck_assert_msg(strncmp(g->desc->ctr_desc[i].name, "m3ua:", 5) == 0, "%s", g->desc->ctr_desc[i].name);
		ck_assert_ptr_nonnull(g->desc->ctr_desc[i].description);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(g->desc->ctr_desc[i].name, g->desc->ctr_desc[j].name);
	}
	ck_assert_str_eq(g->desc->ctr_desc[M3UA_CTR_RX_MSGS].name, "m3ua:rx_msgs");
	ck_assert_str_eq(g->desc->ctr_desc[M3UA_CTR_RECONNECTS].name, "m3ua:reconnects");

	m3ua_assoc_sg_set_dest(sg, 7, false);
	m3ua_assoc_show(sg, collect, &all);
	ck_assert_msg(strstr(all, "M3UA association sg: role sg, transport tcp, not active"), "%s", all);
	ck_assert(strstr(all, "routing context 100, traffic mode override"));
	ck_assert(strstr(all, "listening: yes"));
	ck_assert(strstr(all, "destination 7/0: unavailable"));
	ck_assert(strstr(all, "m3ua:accepts: 0"));
	ck_assert_str_eq(m3ua_assoc_name(sg), "sg");
	talloc_free(all);
	m3ua_assoc_free(sg);
}
END_TEST

static void fake_time_setup(void)
{
	osmo_tdefs_reset(m3ua_tdefs);
	osmo_gettimeofday_override_time = (struct timeval){ .tv_sec = 1000 };
}

static void fake_time_teardown(void)
{
}

static Suite *m3ua_assoc_suite(void)
{
	Suite *s = suite_create("m3ua_assoc");
	TCase *tc = tcase_create("assoc");

	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_add_checked_fixture(tc, fake_time_setup, fake_time_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_asp_sg_full);
	tcase_add_test(tc, test_sg_rejects_data_before_active);
	tcase_add_test(tc, test_asp_framing_and_beat_loss);
	tcase_add_test(tc, test_asp_batched_writes);
	tcase_add_test(tc, test_asp_sg_initiated_changes);
	tcase_add_test(tc, test_ssnm);
	tcase_add_test(tc, test_ssnm_ranges);
	tcase_add_test(tc, test_sctp_unsupported);
	tcase_add_test(tc, test_sg_two_asps);
	tcase_add_test(tc, test_stop_from_callback);
	tcase_add_test(tc, test_counters_and_show);
	tcase_add_test(tc, test_hold_rx);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(m3ua_assoc_suite());
}
